"""The HTTP API end to end, in process: ``TestClient(create_app(settings))`` over a store
holding the demo corpus (ingested and processed) and one rejected input.

Listings and incident detail run on SQLite and on PostgreSQL (``any_client``); the
rest on SQLite. Write tests (ingest) get a copy of the store of their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api_support import AUTH, BROKEN_FILE, TOKEN, build_demo_store
from tests.pg_support import new_pg_schema

from energywatch.api import create_app
from energywatch.api.app import CSP
from energywatch.brief import brief_from_store, render_markdown
from energywatch.brief.html import content_security_policy
from energywatch.export import incident_records
from energywatch.kb import load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store

KROPOTKINSKAYA = "cpc_ps_kropotkinskaya"
ERROR_KEYS = {"code", "message", "hint"}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("api")
    settings = Settings(db=str(folder / "ew.db"))
    build_demo_store(settings, folder)
    return settings.db


@pytest.fixture(scope="module")
def client(demo_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=demo_db, api_token=TOKEN))) as opened:
        yield opened


@pytest.fixture(scope="module")
def readonly_client(demo_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=demo_db))) as opened:
        yield opened


@pytest.fixture(scope="module")
def pg_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same store on PostgreSQL, in a schema of this module's own (so tests that
    truncate the session schema cannot empty it)."""
    with new_pg_schema() as url:
        build_demo_store(Settings(db=url), tmp_path_factory.mktemp("api-pg"))
        yield url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> str:
    db: str = request.getfixturevalue("demo_db" if request.param == "sqlite" else "pg_db")
    return db


@pytest.fixture(scope="module")
def any_client(any_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=any_db, api_token=TOKEN))) as opened:
        yield opened


@pytest.fixture
def writable(demo_db: str, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a copy of the demo store, for tests that write."""
    for suffix in ("", "-wal", "-shm"):
        if Path(demo_db + suffix).exists():
            shutil.copy(demo_db + suffix, str(tmp_path / "ew.db") + suffix)
    with TestClient(create_app(Settings(db=str(tmp_path / "ew.db"), api_token=TOKEN))) as opened:
        yield opened


def all_rows(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every row of a paginated listing, page by page."""
    rows: list[dict[str, Any]] = []
    while True:
        page = client.get(path, params={**params, "limit": 7, "offset": len(rows)}).json()
        rows += page["items"]
        if not page["items"] or len(rows) >= page["total"]:
            assert len(rows) == page["total"]
            return rows


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def _span(row: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """An incident row's date range; None when undated or only day-and-month."""
    when = row["date"]
    if when is None or when.startswith("????"):
        return None
    start, _, end = when.partition("..")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end or start)


# --------------------------------------------------------------------------- health, status


def test_health(client: TestClient, readonly_client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body == {
        "status": "ok",
        "articles": 62,
        "incidents": client.get("/api/incidents").json()["total"],
        "assets": len(load_knowledge_base().assets),
        "read_only": False,
    }
    assert body["incidents"] >= 10
    assert readonly_client.get("/api/health").json()["read_only"] is True


def test_status_counts_articles_copies_and_rejections(client: TestClient) -> None:
    body = client.get("/api/status").json()
    assert body["articles"] == 62
    assert body["originals"] + body["near_duplicates"] == 62
    assert body["near_duplicates"] >= 1
    assert body["rejections"] == 1
    assert body["rejections_by_reason"] == {"invalid_json": 1}
    assert sum(body["articles_by_outlet"].values()) == 62


# --------------------------------------------------------------------------- articles


def test_articles_paginate_without_gaps_or_overlaps(any_client: TestClient) -> None:
    first = any_client.get("/api/articles").json()
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (62, 50, 0, 50)
    rows = all_rows(any_client, "/api/articles")
    assert len({r["id"] for r in rows}) == 62
    assert set(rows[0]) == {
        "id", "published", "outlet", "title", "url", "near_duplicate_of", "removed_spans",
    }  # fmt: skip
    beyond = any_client.get("/api/articles", params={"offset": 1000}).json()
    assert (beyond["total"], beyond["items"]) == (62, [])


def test_articles_search_finds_the_word_in_title_or_text(any_client: TestClient) -> None:
    rows = all_rows(any_client, "/api/articles", q="Kropotkinskaya")
    assert "demo-101" in {r["id"] for r in rows}
    for row in rows:
        detail = any_client.get(f"/api/articles/{row['id']}").json()
        assert "kropotkinskaya" in f"{detail['title']} {detail['clean_text']}".lower()
    assert any_client.get("/api/articles", params={"q": "zzzunheardofzzz"}).json()["total"] == 0


def test_articles_filter_by_outlet(any_client: TestClient) -> None:
    by_outlet = any_client.get("/api/status").json()["articles_by_outlet"]
    outlet = "Meridian Wire (demo)"
    rows = all_rows(any_client, "/api/articles", outlet=outlet)
    assert len(rows) == by_outlet[outlet]
    assert {r["outlet"] for r in rows} == {outlet}


@pytest.mark.parametrize("value", ["true", "false"])
def test_articles_filter_copies(any_client: TestClient, value: str) -> None:
    status = any_client.get("/api/status").json()
    rows = all_rows(any_client, "/api/articles", copies=value)
    if value == "true":
        assert len(rows) == status["near_duplicates"]
        assert all(r["near_duplicate_of"] for r in rows)
    else:
        assert len(rows) == status["originals"]
        assert not any(r["near_duplicate_of"] for r in rows)


def test_articles_filter_by_publication_date(any_client: TestClient) -> None:
    everything = all_rows(any_client, "/api/articles")
    lo, hi = "2025-02-01", "2025-06-30"
    expected = {r["id"] for r in everything if r["published"] and lo <= r["published"][:10] <= hi}
    rows = all_rows(any_client, "/api/articles", published_from=lo, published_to=hi)
    assert {r["id"] for r in rows} == expected
    assert 0 < len(expected) < len(everything)
    assert_error(any_client.get("/api/articles", params={"published_from": "Feb 1"}), 422, "invalid_input")


def test_article_detail_and_unknown_article(any_client: TestClient) -> None:
    body = any_client.get("/api/articles/demo-101").json()
    assert body["id"] == "demo-101"
    assert "Kropotkinskaya" in body["clean_text"]
    assert isinstance(body["removed_spans"], list)
    assert body["source"]["name"] == body["outlet"]
    error = assert_error(any_client.get("/api/articles/demo-10"), 404, "not_found")
    assert "demo-10" in error["message"]


# --------------------------------------------------------------------------- rejections


def test_rejections_list_the_broken_input_with_reason_and_hint(client: TestClient) -> None:
    page = client.get("/api/rejections").json()
    assert page["total"] == 1
    [rejection] = page["items"]
    assert rejection["reason"] == "invalid_json"
    assert rejection["origin"].endswith(BROKEN_FILE)
    assert rejection["hint"]
    assert client.get("/api/rejections", params={"reason": "invalid_json"}).json()["total"] == 1
    assert client.get("/api/rejections", params={"reason": "too_large"}).json() == {
        "total": 0, "limit": 50, "offset": 0, "items": [],
    }  # fmt: skip
    assert_error(client.get("/api/rejections", params={"reason": "bogus"}), 422, "invalid_input")


# --------------------------------------------------------------------------- incidents


def test_incidents_default_sort_is_latest_first_undated_last(any_client: TestClient) -> None:
    rows = all_rows(any_client, "/api/incidents")
    assert len(rows) >= 10
    starts = [s[0] if (s := _span(r)) else None for r in rows]
    dated = [d for d in starts if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert starts == dated + [None] * (len(starts) - len(dated))
    assert {"id", "date", "type", "assets", "lat", "lon", "country", "impact_p50_mt", "statuses"} <= set(
        rows[0]
    )


@pytest.mark.parametrize("sort", ["date", "-date", "articles", "-articles"])
def test_incidents_sort_variants(any_client: TestClient, sort: str) -> None:
    rows = all_rows(any_client, "/api/incidents", sort=sort)
    assert len({r["id"] for r in rows}) == len(rows)
    if sort.endswith("articles"):
        counts = [r["articles"] for r in rows]
        assert counts == sorted(counts, reverse=sort.startswith("-"))
    else:
        dated = [s[0] for r in rows if (s := _span(r))]
        assert dated == sorted(dated, reverse=sort.startswith("-"))


def test_incidents_limit_offset_and_total(any_client: TestClient) -> None:
    total = any_client.get("/api/incidents").json()["total"]
    seen: list[str] = []
    for offset in range(0, total + 3, 3):
        page = any_client.get("/api/incidents", params={"limit": 3, "offset": offset}).json()
        assert (page["total"], page["limit"], page["offset"]) == (total, 3, offset)
        assert len(page["items"]) == max(0, min(3, total - offset))
        seen += [r["id"] for r in page["items"]]
    assert len(seen) == len(set(seen)) == total


def test_incidents_date_range_selects_overlapping_incidents(any_client: TestClient) -> None:
    rows = all_rows(any_client, "/api/incidents")
    lo, hi = dt.date(2025, 2, 1), dt.date(2025, 9, 30)
    expected = {r["id"] for r in rows if (s := _span(r)) and s[1] >= lo and s[0] <= hi}
    found = all_rows(any_client, "/api/incidents", **{"from": lo.isoformat(), "to": hi.isoformat()})
    assert {r["id"] for r in found} == expected
    assert 0 < len(expected) < len(rows)
    only_from = all_rows(any_client, "/api/incidents", **{"from": "2026-01-01"})
    spans = {r["id"]: _span(r) for r in rows}
    assert {r["id"] for r in only_from} == {
        i for i, s in spans.items() if s is not None and s[1] >= dt.date(2026, 1, 1)
    }
    assert_error(any_client.get("/api/incidents", params={"from": "2025-13-01"}), 422, "invalid_input")


def test_incidents_filter_by_asset(any_client: TestClient) -> None:
    rows = all_rows(any_client, "/api/incidents", asset=KROPOTKINSKAYA)
    assert rows
    assert all(KROPOTKINSKAYA in r["assets"] for r in rows)
    everything = all_rows(any_client, "/api/incidents")
    assert len(rows) == sum(KROPOTKINSKAYA in r["assets"] for r in everything)
    assert any_client.get("/api/incidents", params={"asset": "no_such_asset"}).json()["total"] == 0


def test_incidents_filter_by_country_any_case(any_client: TestClient) -> None:
    everything = all_rows(any_client, "/api/incidents")
    for country in ("RU", "KZ"):
        rows = all_rows(any_client, "/api/incidents", country=country)
        assert rows
        assert {r["country"] for r in rows} == {country}
        assert len(rows) == sum(r["country"] == country for r in everything)
        assert all_rows(any_client, "/api/incidents", country=country.lower()) == rows
    assert_error(any_client.get("/api/incidents", params={"country": "RUS"}), 422, "invalid_input")


def test_incidents_filter_by_category_and_type(any_client: TestClient) -> None:
    everything = all_rows(any_client, "/api/incidents")
    drone = all_rows(any_client, "/api/incidents", type="drone_strike")
    assert drone
    assert {r["type"] for r in drone} == {"drone_strike"}
    assert len(drone) == sum(r["type"] == "drone_strike" for r in everything)
    attacks = all_rows(any_client, "/api/incidents", category="attack")
    assert {r["category"] for r in attacks} == {"attack"}
    assert {r["id"] for r in drone} <= {r["id"] for r in attacks}
    both = all_rows(any_client, "/api/incidents", category="attack", type="drone_strike", country="RU")
    assert {r["id"] for r in both} == {r["id"] for r in drone if r["country"] == "RU"}


def test_status_contested_lists_exactly_the_incidents_with_contradictions(any_client: TestClient) -> None:
    contested = all_rows(any_client, "/api/incidents", status="contested")
    assert contested
    for row in contested:
        assert "contested" in row["statuses"].values()
    details = {
        r["id"]: any_client.get(f"/api/incidents/{r['id']}").json()
        for r in all_rows(any_client, "/api/incidents")
    }
    with_contradictions = {i for i, d in details.items() if d["contradictions"]}
    assert {r["id"] for r in contested} == with_contradictions
    # The filter sees what the detail view shows: site-rate verdicts and all.
    assert any(c["field"] == "site_rate_tonnes" for d in details.values() for c in d["contradictions"]), (
        "the demo corpus plants a contested site rate"
    )


@pytest.mark.parametrize("status", ["agreed", "contested", "single-source", "unsupported"])
def test_status_filter_verdicts_agree_with_the_detail_view(any_client: TestClient, status: str) -> None:
    rows = all_rows(any_client, "/api/incidents", status=status)
    for row in rows:
        assert status in row["statuses"].values()
        detail = any_client.get(f"/api/incidents/{row['id']}").json()
        shown = {k: v for k, v in row["statuses"].items() if k not in {"type", "date", "location"}}
        assert shown == {k: a["status"] for k, a in detail["attributes"].items()}
    if status in ("agreed", "contested", "single-source"):
        assert rows
    paged = any_client.get("/api/incidents", params={"status": status, "limit": 1, "offset": 1}).json()
    assert paged["total"] == len(rows)
    assert [r["id"] for r in paged["items"]] == [r["id"] for r in rows[1:2]]


def test_status_filter_combines_with_other_filters(any_client: TestClient) -> None:
    contested = all_rows(any_client, "/api/incidents", status="contested")
    drone = {r["id"] for r in all_rows(any_client, "/api/incidents", type="drone_strike")}
    both = all_rows(any_client, "/api/incidents", status="contested", type="drone_strike")
    assert {r["id"] for r in both} == {r["id"] for r in contested} & drone


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"sort": "name"},
        {"status": "disputed"},
        {"limit": "ten"},
    ],
)
def test_incident_listing_rejects_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    error = assert_error(client.get("/api/incidents", params=params), 422, "invalid_input")
    assert next(iter(params)) in error["message"]
    assert error["hint"]


# --------------------------------------------------------------------------- incident detail


def _by_article(client: TestClient, article_id: str) -> dict[str, Any]:
    for row in all_rows(client, "/api/incidents"):
        detail: dict[str, Any] = client.get(f"/api/incidents/{row['id']}").json()
        if article_id in detail["articles"]:
            return detail
    raise AssertionError(f"no incident reports {article_id}")


def test_incident_detail_has_claims_sources_contradictions_timeline_and_impact(
    any_client: TestClient,
) -> None:
    detail = _by_article(any_client, "demo-101")  # the Kropotkinskaya strike, 17 Feb 2025
    assert detail["type"] == "drone_strike"
    assert detail["date"]["start"] == "2025-02-17"
    assert KROPOTKINSKAYA in detail["assets"]
    flow = detail["attributes"]["flow_reduction_pct"]
    assert flow["status"] == "contested"
    assert any(c["speaker"] and "Novak" in c["speaker"] for c in flow["claims"])
    for claim in flow["claims"]:
        assert set(claim) >= {"article", "outlet", "source_score", "span", "sentence", "hedge", "copy"}
        assert claim["outlet"]
        assert claim["source_score"] is None or 0.0 <= claim["source_score"] <= 1.0
    assert any(c["source_score"] is not None for c in flow["claims"])
    [contradiction] = [c for c in detail["contradictions"] if c["field"] == "flow_reduction_pct"]
    assert len(contradiction["versions"]) >= 2
    assert contradiction["reason"]
    assert detail["timeline"]
    assert all(set(e) >= {"date", "kind", "article", "outlet", "summary"} for e in detail["timeline"])
    assert {e["article"] for e in detail["timeline"]} <= set(detail["articles"])
    impact = detail["impact"]
    assert impact["modelled"] is True
    assert impact["lost_mt"]["p10"] <= impact["lost_mt"]["p50"] <= impact["lost_mt"]["p90"]


def test_incident_detail_shows_kb_conflicts(any_client: TestClient) -> None:
    conflicts = [
        c
        for r in all_rows(any_client, "/api/incidents")
        for c in any_client.get(f"/api/incidents/{r['id']}").json()["kb_conflicts"]
    ]
    assert conflicts
    assert all(set(c) >= {"asset_id", "field", "article", "text", "fact", "reason"} for c in conflicts)


def test_incident_detail_is_the_export_record(any_db: str, any_client: TestClient) -> None:
    """The API assesses one incident per request with cached whole-store source scores;
    the record must be exactly what ``export.incident_records`` gives."""
    with Store.open(Settings(db=any_db)) as store:
        expected = incident_records(store, load_knowledge_base())
    assert expected
    for record in expected:
        assert any_client.get(f"/api/incidents/{record['id']}").json() == json.loads(json.dumps(record))


def test_unknown_incident_is_404_with_suggestions(any_client: TestClient) -> None:
    some = any_client.get("/api/incidents", params={"limit": 1}).json()["items"][0]["id"]
    error = assert_error(any_client.get(f"/api/incidents/{some[:-1]}"), 404, "not_found")
    assert some[:-1] in error["message"]
    assert some in (error["hint"] or "")


# --------------------------------------------------------------------------- briefs


@pytest.fixture(scope="module")
def kropotkinskaya_id(client: TestClient) -> str:
    return str(_by_article(client, "demo-101")["id"])


def test_brief_markdown_is_the_library_brief(
    demo_db: str, client: TestClient, kropotkinskaya_id: str
) -> None:
    response = client.get(f"/api/incidents/{kropotkinskaya_id}/brief", params={"format": "md"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    with Store.open(Settings(db=demo_db)) as store:
        expected = render_markdown(
            brief_from_store(store, load_knowledge_base(), incident_id=kropotkinskaya_id)
        )
    assert response.text == expected
    assert "Kropotkinskaya" in response.text


def test_brief_html(client: TestClient, kropotkinskaya_id: str) -> None:
    response = client.get(f"/api/incidents/{kropotkinskaya_id}/brief")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.lstrip().lower().startswith("<!doctype html")
    assert "Kropotkinskaya" in response.text
    # The self-contained brief brings its own policy: its stylesheet by hash, nothing else.
    policy = response.headers["content-security-policy"]
    assert policy == content_security_policy()
    assert "script-src" not in policy
    assert "default-src 'none'" in policy


@pytest.mark.slow
def test_brief_pdf(client: TestClient, kropotkinskaya_id: str) -> None:
    response = client.get(f"/api/incidents/{kropotkinskaya_id}/brief", params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f'filename="brief-{kropotkinskaya_id}.pdf"' in response.headers["content-disposition"]


def test_brief_errors(client: TestClient, kropotkinskaya_id: str) -> None:
    assert_error(client.get("/api/incidents/inc-nope/brief"), 404, "not_found")
    bad = client.get(f"/api/incidents/{kropotkinskaya_id}/brief", params={"format": "docx"})
    assert "format" in assert_error(bad, 422, "invalid_input")["message"]


# --------------------------------------------------------------------------- assets


def test_assets_list_filters_and_pages(client: TestClient) -> None:
    kb = load_knowledge_base()
    page = client.get("/api/assets").json()
    assert page["total"] == len(kb.assets) == len(page["items"])
    stations = client.get("/api/assets", params={"type": "pumping_station"}).json()
    assert stations["total"] == sum(a.type.value == "pumping_station" for a in kb.assets.values())
    assert {a["type"] for a in stations["items"]} == {"pumping_station"}
    kz = client.get("/api/assets", params={"country": "kz"}).json()
    assert kz["total"] > 0
    assert all("KZ" in a["country"] for a in kz["items"])
    second = client.get("/api/assets", params={"limit": 5, "offset": 5}).json()
    assert [a["id"] for a in second["items"]] == [a["id"] for a in page["items"][5:10]]


def test_asset_detail_with_incident_history_and_network_role(client: TestClient) -> None:
    body = client.get(f"/api/assets/{KROPOTKINSKAYA}").json()
    assert body["id"] == KROPOTKINSKAYA
    assert body["on_export_network"] is True
    assert body["incidents"]
    assert all(KROPOTKINSKAYA in i["assets"] for i in body["incidents"])
    listed = all_rows(client, "/api/incidents", asset=KROPOTKINSKAYA)
    assert [i["id"] for i in body["incidents"]] == [i["id"] for i in listed]
    refinery = client.get("/api/assets/ilsky_refinery").json()
    assert refinery["on_export_network"] is False


def test_unknown_asset_is_404_with_suggestions(client: TestClient) -> None:
    error = assert_error(client.get("/api/assets/cpc_ps_kropotkinskay"), 404, "not_found")
    assert KROPOTKINSKAYA in (error["hint"] or "")


# --------------------------------------------------------------------------- scenarios

SCENARIO = {"asset": KROPOTKINSKAYA, "capacity_loss": "30-40", "duration": "45-60d", "samples": 300}


def test_scenario_needs_the_token(client: TestClient, readonly_client: TestClient) -> None:
    error = assert_error(client.post("/api/scenarios", json=SCENARIO), 401, "unauthorized")
    assert error["hint"]
    assert client.post("/api/scenarios", json=SCENARIO).headers["www-authenticate"] == "Bearer"
    wrong = {"Authorization": "Bearer not-the-token-at-all"}
    assert_error(client.post("/api/scenarios", json=SCENARIO, headers=wrong), 401, "unauthorized")
    assert_error(
        client.post("/api/scenarios", json=SCENARIO, headers={"Authorization": TOKEN}), 401, "unauthorized"
    )
    error = assert_error(
        readonly_client.post("/api/scenarios", json=SCENARIO, headers=AUTH), 403, "forbidden"
    )
    assert "read-only" in error["message"]


def test_scenario_runs_the_impact_model(client: TestClient) -> None:
    response = client.post("/api/scenarios", json=SCENARIO, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    lost = body["lost_mt"]
    assert 0 <= lost["p10"] <= lost["p50"] <= lost["p90"]
    assert body["exporter"] == "Kazakhstan"
    assert len(body["daily"]["dates"]) > 0
    again = client.post("/api/scenarios", json=SCENARIO, headers=AUTH).json()
    assert again["lost_mt"] == lost  # seeded


def test_scenario_input_errors_are_clear(client: TestClient) -> None:
    over = client.post("/api/scenarios", json=SCENARIO | {"capacity_loss": "150"}, headers=AUTH)
    error = assert_error(over, 422, "invalid_input")
    assert "150" in error["message"]
    assert "100" in error["message"]
    typo = client.post("/api/scenarios", json=SCENARIO | {"asset": "cpc_ps_kropotkinskay"}, headers=AUTH)
    error = assert_error(typo, 422, "invalid_input")
    assert "cpc_ps_kropotkinskay" in error["message"]
    assert KROPOTKINSKAYA in (error["hint"] or "")
    few = client.post("/api/scenarios", json=SCENARIO | {"samples": 0}, headers=AUTH)
    assert "samples" in assert_error(few, 422, "invalid_input")["message"]
    missing = client.post("/api/scenarios", json={"duration": "3d"}, headers=AUTH)
    assert "asset" in assert_error(missing, 422, "invalid_input")["message"]
    not_json = client.post(
        "/api/scenarios", content=b"{asset", headers=AUTH | {"content-type": "application/json"}
    )
    assert_error(not_json, 422, "invalid_input")


# --------------------------------------------------------------------------- ingest

ARTICLE = {
    "id": "api-1",
    "outlet": "Test Wire",
    "published": "2025-09-01",
    "title": "Fire at the Tuapse refinery",
    "text": "A fire broke out at the Tuapse refinery on 1 September 2025, the regional governor said.",
}


def _article(n: int) -> dict[str, Any]:
    return ARTICLE | {
        "id": f"api-{n}",
        "text": f"{ARTICLE['text']} Report number {n} of the wire, with words {n * 7}.",
    }


def test_ingest_needs_the_token(writable: TestClient, readonly_client: TestClient) -> None:
    assert_error(writable.post("/api/ingest", json=ARTICLE), 401, "unauthorized")
    assert_error(readonly_client.post("/api/ingest", json=ARTICLE, headers=AUTH), 403, "forbidden")
    assert writable.get("/api/articles/api-1").status_code == 404


def test_ingest_one_json_object_then_again(writable: TestClient) -> None:
    first = writable.post("/api/ingest", json=ARTICLE, headers=AUTH)
    assert first.status_code == 200, first.text
    assert first.json() | {"near_duplicates": {}} == {
        "inserted": 1, "updated": 0, "unchanged": 0, "near_duplicates": {}, "rejected": [],
        "article_ids": ["api-1"],
    }  # fmt: skip
    stored = writable.get("/api/articles/api-1").json()
    assert stored["title"] == ARTICLE["title"]
    assert stored["input_format"] == "json"
    assert stored["origin"].startswith("api-")
    assert writable.get("/api/status").json()["articles"] == 63
    again = writable.post("/api/ingest", json=ARTICLE, headers=AUTH).json()
    assert (again["inserted"], again["unchanged"]) == (0, 1)


def test_ingest_a_json_list(writable: TestClient) -> None:
    body = writable.post("/api/ingest", json=[_article(1), _article(2)], headers=AUTH).json()
    assert body["inserted"] == 2
    assert body["article_ids"] == ["api-1", "api-2"]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_ingest_jsonl_with_a_bad_line(writable: TestClient, content_type: str) -> None:
    lines = [json.dumps(_article(1)), "{not json", json.dumps(_article(2)), "", json.dumps(["a list"])]
    response = writable.post(
        "/api/ingest", content="\n".join(lines).encode(), headers=AUTH | {"content-type": content_type}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["inserted"] == 2
    assert {r["reason"] for r in body["rejected"]} == {"invalid_json", "invalid_record"}
    assert all(re.fullmatch(r"api-[0-9a-f]{12}:[25]", r["origin"]) for r in body["rejected"])
    assert writable.get("/api/articles/api-2").json()["input_format"] == "jsonl"
    rejections = writable.get("/api/rejections").json()
    assert rejections["total"] == 3  # the broken demo file and these two
    # Another body with a bad second line is another rejection, not the same one again.
    other = writable.post("/api/ingest", content=b'{"text": "x"}\n{bad', headers=AUTH).json()
    assert len(other["rejected"]) == 1
    assert writable.get("/api/rejections").json()["total"] == 4


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'[{"text": "unterminated"', b"not json at all", b'{"text": "\xff\xfe"}', b"{}\x00"],
)
def test_ingest_bad_json_is_one_422(writable: TestClient, body: bytes) -> None:
    error = assert_error(writable.post("/api/ingest", content=body, headers=AUTH), 422, "invalid_input")
    assert "not valid JSON" in error["message"]
    assert "JSONL" in (error["hint"] or "")
    assert writable.get("/api/status").json()["articles"] == 62


def test_ingest_empty_body(writable: TestClient) -> None:
    error = assert_error(writable.post("/api/ingest", content=b"  \n", headers=AUTH), 422, "invalid_input")
    assert "empty" in error["message"]


def test_ingest_records_that_are_not_articles_are_rejected(writable: TestClient) -> None:
    body = writable.post("/api/ingest", json=[{"title": "no text"}, 3], headers=AUTH).json()
    assert body["inserted"] == 0
    assert len(body["rejected"]) == 2
    assert all(r["hint"] for r in body["rejected"])


# --------------------------------------------------------------------------- export


def test_export_formats(client: TestClient) -> None:
    total = client.get("/api/incidents").json()["total"]
    as_json = client.get("/api/export")
    assert as_json.headers["content-type"] == "application/json"
    data = as_json.json()
    assert {"meta", "articles", "incidents"} <= set(data)
    assert len(data["incidents"]) == total
    acled = client.get("/api/export", params={"format": "acled-csv"})
    assert acled.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(acled.text)))
    assert rows
    assert "event_date" in rows[0]
    geo = client.get("/api/export", params={"format": "geojson"})
    assert geo.headers["content-type"] == "application/geo+json"
    assert geo.json()["type"] == "FeatureCollection"
    plover = client.get("/api/export", params={"format": "plover-jsonl"})
    assert plover.headers["content-type"] == "application/x-ndjson"
    events = [json.loads(line) for line in plover.text.splitlines() if line.strip()]
    assert {e["id"] for e in events} <= {i["id"] for i in data["incidents"]}
    assert_error(client.get("/api/export", params={"format": "xlsx"}), 422, "invalid_input")


# --------------------------------------------------------------------------- errors, headers, limits


@pytest.fixture(scope="module")
def small_limit_client(demo_db: str) -> Iterator[TestClient]:
    settings = Settings(db=demo_db, api_token=TOKEN, api_max_body_bytes=1024)
    with TestClient(create_app(settings)) as opened:
        yield opened


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 256):
        yield b"[" + b" " * 254 + b"]"


def test_one_error_shape_for_every_error(
    client: TestClient, readonly_client: TestClient, small_limit_client: TestClient
) -> None:
    cases = [
        (client.get("/api/nowhere"), 404, "not_found"),
        (client.get("/api/incidents/inc-000000000000"), 404, "not_found"),
        (client.put("/api/incidents"), 405, "method_not_allowed"),
        (client.delete("/api/articles/demo-101"), 405, "method_not_allowed"),
        (client.get("/api/ingest"), 405, "method_not_allowed"),
        (small_limit_client.post("/api/ingest", content=b"x" * 2000, headers=AUTH), 413, "payload_too_large"),
        (client.get("/api/incidents", params={"limit": -5}), 422, "invalid_input"),
        (client.post("/api/scenarios", json={"asset": KROPOTKINSKAYA}), 401, "unauthorized"),
        (readonly_client.post("/api/ingest", json=ARTICLE, headers=AUTH), 403, "forbidden"),
    ]
    for response, status, code in cases:
        assert_error(response, status, code)
        assert response.headers["content-security-policy"] == CSP


def test_csp_on_every_response(client: TestClient, small_limit_client: TestClient) -> None:
    responses = [
        client.get("/api/health"),
        client.get("/api/incidents"),
        client.get("/api/export", params={"format": "acled-csv"}),
        client.get("/openapi.json"),
        client.get("/api/nowhere"),
        client.post("/api/ingest", content=b"{bad", headers=AUTH),
        small_limit_client.post("/api/scenarios", content=_chunks(4096), headers=AUTH),
        client.get("/api/articles/demo-101"),
    ]
    for response in responses:
        assert response.headers["content-security-policy"] == CSP, response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in CSP
    assert "unsafe-inline" not in CSP


def test_docs_page_policy_allows_what_swagger_ui_loads(client: TestClient) -> None:
    """/docs is FastAPI's Swagger UI: its script and style come from a CDN and it starts
    with an inline script; the strict policy would leave the page blank."""
    response = client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    for url in re.findall(r'(?:src|href)="(https://[^"]+)"', response.text):
        origin = "/".join(url.split("/")[:3])
        assert origin in policy, url
    assert "<script>" in response.text
    assert "'unsafe-inline'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_body_limit_by_content_length(small_limit_client: TestClient) -> None:
    response = small_limit_client.post("/api/ingest", content=json.dumps([ARTICLE] * 20), headers=AUTH)
    error = assert_error(response, 413, "payload_too_large")
    assert "1,024" in error["message"]
    assert error["hint"]
    assert small_limit_client.get("/api/status").json()["articles"] == 62


@pytest.mark.parametrize("path", ["/api/ingest", "/api/scenarios"])
def test_body_limit_without_content_length(small_limit_client: TestClient, path: str) -> None:
    """A chunked body (no Content-Length) is cut off once it passes the limit."""
    response = small_limit_client.post(path, content=_chunks(4096), headers=AUTH)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    error = assert_error(response, 413, "payload_too_large")
    assert "1,024" in error["message"]


def test_small_chunked_body_is_accepted(writable: TestClient) -> None:
    def body() -> Iterator[bytes]:
        yield json.dumps(ARTICLE).encode()

    response = writable.post("/api/ingest", content=body(), headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 1


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/api/health", "/api/status", "/api/articles", "/api/articles/{article_id}", "/api/rejections",
        "/api/incidents", "/api/incidents/{incident_id}", "/api/incidents/{incident_id}/brief",
        "/api/assets", "/api/assets/{asset_id}", "/api/scenarios", "/api/ingest", "/api/export",
    }  # fmt: skip
    assert set(paths["/api/scenarios"]) == {"post"}
    assert set(paths["/api/ingest"]) == {"post"}


# --------------------------------------------------------------------------- regressions


def test_outletless_copies_do_not_break_scores(demo_db: str, tmp_path: Path) -> None:
    """Two articles without an outlet, one a near-duplicate of the other (found by
    schemathesis: generated ingest bodies, then GET /api/export answered 500)."""
    shutil.copy(demo_db, tmp_path / "ew.db")
    text = " ".join(
        f"Drones struck the Tuapse refinery overnight, sentence {i} of a long wire report." for i in range(30)
    )
    with TestClient(
        create_app(Settings(db=str(tmp_path / "ew.db"), api_token=TOKEN)), raise_server_exceptions=False
    ) as client:
        body = [{"id": "anon-1", "text": text}, {"id": "anon-2", "text": text + " Updated."}]
        ingested = client.post("/api/ingest", json=body, headers=AUTH).json()
        assert ingested["near_duplicates"] == {"anon-2": "anon-1"}
        some = client.get("/api/incidents", params={"limit": 1}).json()["items"][0]["id"]
        assert client.get(f"/api/incidents/{some}").status_code == 200
        assert client.get("/api/export").status_code == 200


def test_unexpected_errors_keep_the_shape_and_the_headers(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr("energywatch.api.routes.status_dict", broken)
    with TestClient(create_app(Settings(db=demo_db)), raise_server_exceptions=False) as client:
        response = client.get("/api/status")
    error = assert_error(response, 500, "internal_error")
    assert "boom" not in error["message"]  # no internals leak
    assert response.headers["content-security-policy"] == CSP
