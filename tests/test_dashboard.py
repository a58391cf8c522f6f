"""The dashboard's pages through the in-process test client: every page renders, nothing
from the open web is emitted as markup, no page needs an inline script or style, the
scenario form works without the API token, and the static files are what they claim."""

from __future__ import annotations

import fnmatch
import html
import json
import re
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.dashboard_support import (
    BAD_FILE,
    KB_NAME,
    KROPOTKINSKAYA,
    ODD_ID,
    OUTLET,
    TITLE,
    TUAPSE,
    XSS_ARTICLE,
    build_store,
)

from energywatch.api import create_app
from energywatch.api import dashboard_data as data
from energywatch.api.dashboard import STATIC, TEMPLATES
from energywatch.export import incident_records
from energywatch.impact.network import load_network
from energywatch.kb import load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "t" * 24


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_store(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def ids(settings: Settings) -> dict[str, str]:
    with Store.open(settings) as store:
        [kropotkinskaya] = store.incident_ids_for_article("demo-101")
        [hostile] = store.incident_ids_for_article(XSS_ARTICLE)
    return {"kropotkinskaya": kropotkinskaya, "hostile": hostile}


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as opened:
        yield opened


def _pages(ids: dict[str, str]) -> list[str]:
    return [
        "/",
        f"/incidents/{ids['kropotkinskaya']}",
        f"/incidents/{ids['hostile']}",
        f"/assets/{KROPOTKINSKAYA}",
        f"/assets/{TUAPSE}",
        "/assets/cpc_spm_2",
        "/assets/kto_atyrau_samara",
        "/scenario",
        "/articles",
        "/articles?q=Tuapse",
        f"/articles/{XSS_ARTICLE}",
        "/articles/demo-101?start=410&end=515",
    ]


def test_every_page_renders_as_html_under_the_csp(client: TestClient, ids: dict[str, str]) -> None:
    for path in _pages(ids):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert '<a class="skip-link" href="#main">' in response.text
        assert '<main id="main"' in response.text


class _Inline(HTMLParser):
    """Inline scripts (other than JSON data), <style> elements, style= and on*= attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style" or (
            tag == "script" and "src" not in names and names.get("type") != "application/json"
        ):
            self.found.append(f"<{tag}>")
        self.found += [f"<{tag} {n}=>" for n in names if n == "style" or n.startswith("on")]


def _inline_code(markup: str) -> list[str]:
    parser = _Inline()
    parser.feed(markup)
    return parser.found


def test_no_page_or_template_has_inline_script_or_style(client: TestClient, ids: dict[str, str]) -> None:
    for template in TEMPLATES.glob("*.html"):
        assert _inline_code(template.read_text(encoding="utf-8")) == [], template.name
    for path in _pages(ids):
        assert _inline_code(client.get(path).text) == [], path


def test_untrusted_text_is_escaped_in_every_page(client: TestClient, ids: dict[str, str]) -> None:
    shown = {
        "/": [KB_NAME],
        f"/incidents/{ids['hostile']}": [TITLE, OUTLET, KB_NAME],
        "/articles": [TITLE, OUTLET, BAD_FILE],
        f"/articles/{XSS_ARTICLE}": [TITLE, OUTLET, "javascript:window.__xss='url'"],
        f"/assets/{TUAPSE}": [KB_NAME],
    }
    for path, texts in shown.items():
        page = client.get(path).text
        for text in texts:
            assert str(escape(text)) in page, (path, text)
        assert "<script>window" not in page, path
        assert "<img src=x" not in page, path
        assert 'href="javascript:' not in page.lower(), path
        # JSON handed to scripts cannot close its <script> element.
        for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
            assert "<" not in block
            json.loads(block)


def test_the_hostile_article_url_is_not_a_link(client: TestClient) -> None:
    page = client.get(f"/articles/{XSS_ARTICLE}").text
    assert "(not a web link)" in page


def test_articles_with_awkward_ids_link_to_their_page(client: TestClient) -> None:
    listing = client.get("/articles?q=Markets+were+calm").text
    href = f"/articles/{quote(ODD_ID, safe='')}"
    assert f'href="{html.escape(href)}"' in listing
    page = client.get(href)
    assert page.status_code == 200
    assert "Markets were calm on Tuesday." in page.text


def test_the_map_gets_every_placed_incident_and_groups_sites(client: TestClient) -> None:
    page = client.get("/").text
    [block] = re.findall(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    payload = json.loads(block)
    incidents = [i for s in payload["sites"] for i in s["incidents"]]
    assert len(incidents) + payload["unplaced"] == 12
    assert payload["as_of"] == "2026-01-18"
    assert all(i["url"] == f"/incidents/{i['id']}" for i in incidents)
    terminal = [s for s in payload["sites"] if len(s["incidents"]) > 1]
    assert terminal, "several incidents at the CPC marine terminal share one marker"
    assert {a["id"] for a in payload["assets"]} >= {KROPOTKINSKAYA, "cpc_marine_terminal"}


def test_unknown_ids_get_an_html_404(client: TestClient) -> None:
    for path in ("/incidents/inc-nope", "/assets/nope", "/articles/nope"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text


def test_the_scenario_form_needs_no_token_even_when_the_api_has_one(settings: Settings) -> None:
    guarded = settings.model_copy(update={"api_token": TOKEN})
    form = {"asset": "cpc_spm_2", "capacity_loss": "100", "duration": "30d", "samples": "500"}
    with TestClient(create_app(guarded)) as client:
        response = client.post("/scenario/run", data=form)
    assert response.status_code == 200
    assert 'id="scenario-chart"' in response.text
    assert "CPC single point mooring SPM-2" in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity_loss", "140", "capacity"),
        ("samples", "200000", "samples"),
        ("samples", "ten", "not a number"),
        ("asset", "nowhere", "not an asset"),
        ("start", "2025-13-01", "not a date"),
        ("price", "-5", "price"),
    ],
)
def test_bad_scenario_inputs_come_back_on_the_form(
    client: TestClient, field: str, value: str, message: str
) -> None:
    form = {"asset": "cpc_spm_2", "capacity_loss": "100", "duration": "30d", "samples": "500"} | {
        field: value
    }
    response = client.post("/scenario/run", data=form)
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert message in response.text.lower() or message in response.text
    if field != "asset":  # an unknown asset is not among the options to keep
        assert f'value="{escape(value)}"' in response.text


def test_an_oversized_scenario_form_is_refused(client: TestClient) -> None:
    response = client.post("/scenario/run", content=b"asset=" + b"x" * 20_000)
    assert response.status_code == 422


def test_the_scenario_page_preselects_an_asset_from_the_asset_page(client: TestClient) -> None:
    page = client.get("/scenario?asset=cpc_spm_1").text
    assert '<option value="cpc_spm_1" selected>' in page
    assert '<option value="nope" selected>' not in client.get("/scenario?asset=nope").text


def test_incident_page_carries_the_comparison_table_and_impact(
    client: TestClient, ids: dict[str, str]
) -> None:
    page = client.get(f"/incidents/{ids['kropotkinskaya']}").text
    assert re.search(r'<tr class="contested" data-attribute="flow_reduction_pct">', page)
    assert re.search(r'<tr class="agreed" data-attribute="weapon">', page)
    assert 'id="impact-chart"' in page
    assert "/articles/demo-107?start=" in page  # the KB conflict links to its sentence


def test_comparison_rows_group_claims_by_value(settings: Settings, ids: dict[str, str]) -> None:
    kb = load_knowledge_base(settings.kb_path)
    with Store.open(settings) as store:
        record = incident_records(store, kb, [ids["kropotkinskaya"]])[0]
    rows = data.comparison_rows(record)
    flow = [r for r in rows if r.attribute == "flow_reduction_pct"]
    assert {r.value for r in flow} >= {"0%", "30–40%"}
    assert all(r.status == "contested" for r in flow)
    assert flow[0].first
    assert flow[0].span == len(flow)
    copies = [r for r in flow if r.copies]
    assert copies
    assert all("Global Syndicate News (demo)" not in r.outlets for r in copies)


def test_quotes_stay_inside_their_sentence() -> None:
    text = "First sentence. The station was hit by drones overnight. Last one."
    q = data.quote(text, "a", [16, 56], [33, 45])
    assert q is not None
    assert (q.before, q.marked, q.after) == ("The station was h", "it by drones", " overnight.")
    assert data.quote(text, "a", [50, 10], None) is None
    assert data.quote(None, "a", [0, 5], None) is None
    clipped = data.quote(text, "a", [-5, 999], [62, 999])
    assert clipped is not None
    assert clipped.marked == "one."


def test_every_network_asset_has_a_role(settings: Settings) -> None:
    network = load_network()
    kb = load_knowledge_base(settings.kb_path)
    kinds = {data.network_role(network, kb, node).kind for node in network.node_ids}
    assert kinds >= {"supply into the CPC", "pumping station on the CPC route", "alternative route"}
    assert not data.network_role(network, kb, TUAPSE).on_network
    station = data.network_role(network, kb, KROPOTKINSKAYA)
    assert ("Baseline flow through it", "70.5 Mt/yr") in station.facts


def test_recency_buckets() -> None:
    import datetime as dt

    as_of = dt.date(2026, 1, 18)
    assert data.recency(dt.date(2026, 1, 1), as_of)[0] == "new"
    assert data.recency(dt.date(2025, 9, 1), as_of)[0] == "recent"
    assert data.recency(dt.date(2025, 2, 17), as_of)[0] == "year"
    assert data.recency(dt.date(2020, 1, 1), as_of)[0] == "old"
    assert data.recency(None, as_of)[0] == "undated"
    assert data.one_or_range("100–100") == "100"
    assert data.one_or_range("30–40") == "30–40"


def test_static_files_and_vendored_licences_are_served(client: TestClient) -> None:
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    for package in ("leaflet", "chart.js", "world-atlas", "topojson-client"):
        folder = STATIC / "vendor" / package
        assert any(p.name.startswith("LICENSE") for p in folder.iterdir()), package
        assert f"[{package}]" in readme, package
    for path in (
        "/static/dashboard.css",
        "/static/map.js",
        "/static/charts.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/chart.js/chart.umd.min.js",
        "/static/vendor/topojson-client/topojson-client.min.js",
        "/static/vendor/world-atlas/countries-50m.json",
    ):
        assert client.get(path).status_code == 200, path
    topology: dict[str, Any] = client.get("/static/vendor/world-atlas/countries-50m.json").json()
    assert topology["type"] == "Topology"
    assert "countries" in topology["objects"]


def test_templates_and_static_files_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["energywatch"]
    package = ROOT / "src" / "energywatch"
    for folder in (TEMPLATES, STATIC):
        for path in folder.rglob("*"):
            if path.is_file():
                relative = path.relative_to(package).as_posix()
                assert any(
                    fnmatch.fnmatch(relative, g) and relative.count("/") == g.count("/") for g in globs
                ), relative
