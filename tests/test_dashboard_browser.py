"""The dashboard in a real browser: Debian's Chromium driven by Playwright.

The app runs on uvicorn over a processed demo store with hostile text in it
(``dashboard_support``). Screenshots go to ``<pytest basetemp>/browser-artifacts`` (or
``$ENERGYWATCH_BROWSER_ARTIFACTS``); with ``ENERGYWATCH_UPDATE_SCREENSHOTS=1`` the
overview, incident and scenario shots are also written to ``docs/screenshots/``.

Without /usr/bin/chromium these tests skip, except in CI (``CI=true``), where they fail.
Never ``playwright install``: the browser is the system's.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.dashboard_support import (
    BAD_FILE,
    KB_NAME,
    KROPOTKINSKAYA,
    OUTLET,
    TITLE,
    TUAPSE,
    XSS_ARTICLE,
    build_store,
    serve,
)

from energywatch.api import create_app
from energywatch.settings import Settings
from energywatch.storage import Store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
DOCS_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CONTESTED_BG = "rgb(253, 226, 221)"  # --contested in dashboard.css
AGREED_BG = "rgb(227, 244, 232)"  # --agreed
BRIEF = "/api/incidents/{}/brief?format=html"


@dataclass
class Site:
    base: str
    settings: Settings
    kropotkinskaya: str
    hostile: str
    artifacts: Path


@dataclass
class Watch:
    """What a page did that it must not: dialogs, script errors, CSP violations, failed loads."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self, page: Any) -> None:
        violations = page.evaluate("window.__csp || []")
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not violations, f"Content-Security-Policy violations: {violations}"
        assert not self.errors, f"errors on the page: {self.errors}"
        assert page.evaluate("typeof window.__xss") == "undefined", "an injected script ran"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium); never `playwright install`"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium in CI: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Site]:
    settings = build_store(tmp_path_factory.mktemp("dashboard"))
    with Store.open(settings) as store:
        [kropotkinskaya] = store.incident_ids_for_article("demo-101")
        [hostile] = store.incident_ids_for_article(XSS_ARTICLE)
    custom = os.environ.get("ENERGYWATCH_BROWSER_ARTIFACTS")
    artifacts = Path(custom) if custom else tmp_path_factory.getbasetemp() / "browser-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with serve(create_app(settings)) as base:
        yield Site(base, settings, kropotkinskaya, hostile, artifacts)


@pytest.fixture
def watch() -> Watch:
    return Watch()


def _open(chromium: Any, site: Site, watch: Watch, viewport: dict[str, int] = LAPTOP) -> Any:
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    # Runs before any page script (Playwright injects it over the DevTools protocol).
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def dialog(d: Any) -> None:
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: watch.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on(
        "response",
        lambda r: watch.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(chromium: Any, site: Site, watch: Watch) -> Iterator[Any]:
    opened = _open(chromium, site, watch)
    yield opened
    opened.context.close()


def _shot(page: Any, site: Site, name: str, *, docs: bool = False, height: int | None = None) -> Path:
    path = site.artifacts / f"{name}.png"
    if height is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        width = page.viewport_size["width"]
        full = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(height, full)}
        )
    if docs and os.environ.get("ENERGYWATCH_UPDATE_SCREENSHOTS"):
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / f"{name}.png")
    return path


def _overview(page: Any, site: Site) -> None:
    page.goto(site.base + "/")
    page.wait_for_selector("#map[data-ready='true'][data-basemap-ready='true']")


def test_overview_shows_counts_map_and_latest_incidents(page: Any, site: Site, watch: Watch) -> None:
    _overview(page, site)
    assert page.locator(".counts dt", has_text="Incidents").count() == 1
    assert page.locator(".incident-list li.incident-item").count() == 12
    # The basemap is the bundled world atlas, drawn as vector shapes: no tile images.
    assert page.locator(".leaflet-basemap-pane path").count() > 100
    assert page.locator(".leaflet-tile").count() == 0
    assert page.locator("path.incident-marker").count() >= 8
    assert page.locator("text=within 30 days").count() == 1
    _shot(page, site, "overview", docs=True)
    watch.assert_clean(page)


def test_an_incident_opens_from_its_map_marker(page: Any, site: Site, watch: Watch) -> None:
    _overview(page, site)
    page.locator(f"path.incident-marker[data-site~='{site.kropotkinskaya}']").click()
    link = page.locator(f".leaflet-popup a[data-incident='{site.kropotkinskaya}']")
    link.wait_for()
    page.wait_for_timeout(400)  # the popup fades in
    _shot(page, site, "overview-popup")
    link.click()
    page.wait_for_url(f"**/incidents/{site.kropotkinskaya}")
    assert "Kropotkinskaya" in page.locator("h1").inner_text()
    watch.assert_clean(page)


def test_an_incident_opens_from_the_list_and_the_list_reaches_the_map(
    page: Any, site: Site, watch: Watch
) -> None:
    _overview(page, site)
    item = page.locator(f".incident-item[data-incident='{site.kropotkinskaya}']")
    # Keyboard route to a marker: "Show on map" opens its popup and moves focus into it.
    item.locator("button.show-on-map").focus()
    page.keyboard.press("Enter")
    focused = page.locator(f".leaflet-popup a[data-incident='{site.kropotkinskaya}']")
    focused.wait_for()
    assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
    item.locator("a.incident-link").click()
    page.wait_for_url(f"**/incidents/{site.kropotkinskaya}")
    watch.assert_clean(page)


def test_incident_page_highlights_contested_rows_and_links_evidence(
    page: Any, site: Site, watch: Watch
) -> None:
    page.goto(f"{site.base}/incidents/{site.kropotkinskaya}")
    contested = page.locator("table.comparison tr.contested")
    assert contested.count() >= 4
    flow = page.locator("table.comparison tr.contested[data-attribute='flow_reduction_pct']")
    assert flow.count() >= 2
    background = flow.first.locator("td.value").evaluate("td => getComputedStyle(td).backgroundColor")
    assert background == CONTESTED_BG
    agreed = page.locator("table.comparison tr.agreed[data-attribute='weapon'] td.value")
    assert agreed.evaluate("td => getComputedStyle(td).backgroundColor") == AGREED_BG
    assert page.locator("section[aria-labelledby='kb-h'] li.conflict").count() >= 1
    assert page.locator("ol.timeline li").count() >= 10
    page.wait_for_selector("canvas#impact-chart[data-ready='true']")
    assert page.locator("table.quantiles tbody tr").count() >= 4
    _shot(page, site, "incident", docs=True, height=1500)
    _shot(page, site, "incident-full")
    # An evidence quote links to its sentence in the article.
    quote = page.locator("details.evidence[open] .quote-source a").first
    quote.click()
    page.wait_for_url(re.compile(r".*/articles/[^?]+\?start=\d+&end=\d+#quote$"))
    assert page.locator("mark#quote").inner_text().strip()
    watch.assert_clean(page)


def test_scenario_form_runs_the_model_and_draws_the_band(page: Any, site: Site, watch: Watch) -> None:
    page.goto(site.base + "/scenario")
    page.select_option("#asset", "cpc_spm_2")
    page.fill("#capacity_loss", "100")
    page.fill("#duration", "45-60d")
    page.select_option("#out_of_service", "cpc_spm_3")
    page.fill("#samples", "2000")
    page.get_by_role("button", name="Run scenario").click()
    page.wait_for_selector("canvas#scenario-chart[data-ready='true']")
    rows = page.locator("table.quantiles tbody tr")
    assert rows.count() >= 6
    p50 = float(rows.first.locator("td.p50").inner_text().replace(",", ""))
    assert p50 > 0.1, "losing SPM-2 with SPM-3 out costs Kazakh exports"
    assert "from P10 to P90" in page.locator(".chart figcaption").inner_text()
    _shot(page, site, "scenario", docs=True)
    # A bad input comes back on the form, with the typed values kept.
    page.fill("#capacity_loss", "140")
    page.get_by_role("button", name="Run scenario").click()
    assert "Cannot run this scenario" in page.locator("[role=alert]").inner_text()
    assert page.input_value("#capacity_loss") == "140"
    watch.errors = [e for e in watch.errors if "422" not in e]  # the form's own answer
    watch.assert_clean(page)


def _no_live_payload(page: Any) -> None:
    """Nothing from the payloads became markup: no <img src=x>, no javascript: links,
    no scripts but the app's own files and JSON data blocks."""
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("[onerror], [onmouseover]").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    scripts = page.evaluate(
        "[...document.scripts].map(s => s.src ? new URL(s.src).pathname : 'inline:' + s.type)"
    )
    for script in scripts:
        assert script.startswith("/static/") or script == "inline:application/json", script


def test_untrusted_text_is_shown_escaped_and_never_runs(chromium: Any, site: Site, watch: Watch) -> None:
    page = _open(chromium, site, watch)
    visible = {
        "/": [KB_NAME],
        f"/incidents/{site.hostile}": [TITLE, OUTLET, KB_NAME, "<script>window.__xss='body'</script>"],
        "/articles": [TITLE, OUTLET, BAD_FILE],
        "/articles?q=Tuapse": [TITLE],
        f"/articles/{XSS_ARTICLE}": [TITLE, OUTLET, "javascript:window.__xss='url'", "<b onmouseover="],
        f"/assets/{TUAPSE}": [KB_NAME],
        BRIEF.format(site.hostile): [],
    }
    for path, texts in visible.items():
        page.goto(site.base + path)
        page.wait_for_load_state("load")
        # As text nodes: markup parsed from the payloads would not keep its "<script>".
        body = page.evaluate("document.body.textContent")
        for text in texts:
            assert text in body, f"{path}: {text!r} is not shown as text"
        _no_live_payload(page)
        page.mouse.move(200, 300)
        watch.assert_clean(page)
        _shot(page, site, "xss-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))
    # Map popups and tooltips are built from text nodes too.
    _overview(page, site)
    marker = page.locator(f"path.incident-marker[data-site~='{site.hostile}']")
    marker.hover()
    assert "incidents" in page.locator(".leaflet-tooltip").inner_text()
    marker.click()
    popup = page.locator(f".leaflet-popup li:has(a[data-incident='{site.hostile}'])")
    assert KB_NAME in popup.inner_text()
    _no_live_payload(page)
    page.wait_for_timeout(400)
    _shot(page, site, "xss-map-popup")
    watch.assert_clean(page)
    page.context.close()


def test_the_html_brief_renders_under_the_apps_csp(page: Any, site: Site, watch: Watch) -> None:
    """The brief's own stylesheet is allowed by its hash; nothing else inline is."""
    page.goto(site.base + BRIEF.format(site.kropotkinskaya))
    page.wait_for_load_state("load")
    watch.assert_clean(page)


def test_keyboard_users_can_skip_to_content_and_see_focus(page: Any, site: Site, watch: Watch) -> None:
    page.goto(site.base + "/articles")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0, "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "focused controls carry a visible outline"
    watch.assert_clean(page)


@pytest.mark.parametrize("path", ["/", "incident", "/scenario", "/articles", f"/assets/{KROPOTKINSKAYA}"])
def test_pages_fit_a_phone_screen(chromium: Any, site: Site, watch: Watch, path: str) -> None:
    page = _open(chromium, site, watch, PHONE)
    target = f"/incidents/{site.kropotkinskaya}" if path == "incident" else path
    page.goto(site.base + target)
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{target} scrolls sideways on a phone by {overflow}px"
    name = "phone-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview")
    _shot(page, site, name, height=2400)
    watch.assert_clean(page)
    page.context.close()
