"""The analyst dashboard: server-rendered pages over the same library calls as the API.

Pages (HTML, Jinja2 with autoescaping on for every template):

- ``/`` overview: counts, a map of assets and incident sites, the latest incidents;
- ``/incidents/{id}``: summary, the source-comparison table, evidence quotes, KB
  conflicts, copy edits, the timeline, and the modelled impact with its band;
- ``/assets/{id}``: the register entry, its role in the export flow network, incidents;
- ``/scenario`` and ``POST /scenario/run``: the impact model on a form;
- ``/articles`` (search, copies with their originals, rejections) and ``/articles/{id}``.

Untrusted text (titles, bodies, outlet names, quotes) reaches the browser only through
autoescaped templates or as JSON inside ``<script type="application/json">`` blocks,
which scripts read with ``JSON.parse`` and put on the page with ``textContent``. No
page has an inline script or style, so the app's Content-Security-Policy holds.

``POST /scenario/run`` needs no token: it runs the model and writes nothing. Its
inputs are bounded (samples, a one-year horizon) so it costs at most a second or so of
CPU, the same order as reading a large incident page (docs/dashboard.md).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool

from energywatch import __version__
from energywatch.api import dashboard_data as data
from energywatch.api.app import Services
from energywatch.api.queries import assessor, incident_page
from energywatch.brief.formatting import asset_name, attribute_label, date_text, format_value, type_label
from energywatch.brief.markdown import safe_url
from energywatch.errors import InputError, NotFoundError
from energywatch.impact import run
from energywatch.impact.from_incident import scenario_for
from energywatch.impact.scenario import build_scenario
from energywatch.models import Article, RejectionReason
from energywatch.storage import ArticleQuery

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LATEST = 15  # incidents listed on the overview
MAP_LIMIT = 500  # newest incidents drawn on the overview map
PAGE = 50  # articles per page
SCENARIO_SAMPLES = (100, 20_000, 5_000)  # min, max, default for the open scenario form
SCENARIO_HORIZON = 365
FORM_LIMIT = 10_000  # bytes of a scenario form

router = APIRouter(include_in_schema=False)
env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    type_label=type_label,
    attribute_label=attribute_label,
    format_value=format_value,
    http_url=safe_url,
    date_text=date_text,
    path=lambda value: quote(str(value), safe=""),
    one_or_range=data.one_or_range,
)
env.globals.update(version=__version__, colour=data.type_colour)


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _page(request: Request, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    body = env.get_template(template).render(path=request.url.path, **context)
    return HTMLResponse(body, status_code=http_status)


def _not_found(request: Request, exc: NotFoundError) -> HTMLResponse:
    return _page(request, "error.html", 404, title="Not found", message=exc.message, hint=exc.hint)


def _articles(svc: Services, ids: list[str]) -> dict[str, Article]:
    found = {}
    for article_id in dict.fromkeys(ids):
        article = svc.store.find_article(article_id)
        if article is not None:
            found[article_id] = article
    return found


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    svc = _services(request)
    total, rows = incident_page(svc.store, limit=MAP_LIMIT, offset=0, sort="-date")
    days = [d for d in (data.first_day(r) for r in rows) if d is not None]
    as_of = max(days) if days else None
    status = svc.store.status()
    counts = svc.store.incident_counts()
    return _page(
        request,
        "overview.html",
        title="Overview",
        status=status,
        incident_total=sum(counts.values()),
        by_type=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        asset_total=len(svc.kb.assets),
        network_total=sum(1 for a in svc.kb.assets if a in svc.network.node_ids),
        latest=[
            r | {"colour": data.type_colour(r["type"], r["category"]), "names": _names(svc, r["assets"])}
            for r in rows[:LATEST]
        ],
        mapped=len(rows),
        total=total,
        as_of=as_of,
        legend=data.legend(rows),
        recency=[(key, label) for _days, key, label in data.RECENCY] + [data.OLDER],
        map_data=data.map_payload(rows, svc.kb.assets.values(), svc.network, as_of),
    )


def _names(svc: Services, asset_ids: list[str]) -> list[tuple[str, str]]:
    return [(a, asset_name(svc.kb, a)) for a in asset_ids]


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident(request: Request, incident_id: str) -> HTMLResponse:
    svc = _services(request)
    try:
        found = svc.store.get_incident(incident_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    # Assessed like the API's detail view: this incident only, whole-store source scores cached.
    record = assessor(request.app.state, svc.store, svc.kb).record(found.id)
    ids = [*record["articles"], *(e["original"] for e in record["copy_edits"])]
    ids += [c["article"] for c in record["kb_conflicts"]]
    articles = _articles(svc, ids)
    texts = {k: a.clean_text for k, a in articles.items()}
    sources = data.source_rows(record)
    band = None
    impact = record.get("impact") or {}
    if impact.get("modelled"):
        scenario, _basis = scenario_for(found, svc.network, int(impact.get("samples") or 2000))
        if scenario is not None:
            result = run(scenario, svc.network).model_dump(mode="json")
            band = data.band_payload(result["daily"], "Lost Kazakh exports per day")
    place = (record.get("location") or {}).get("name")
    title = type_label(record["type"]).capitalize() + (f" at {place}" if place else "")
    return _page(
        request,
        "incident.html",
        title=f"{title}, {date_text(record['date'])}",
        responses=data.unique_responses(record),
        record=record,
        names=_names(svc, record["assets"]),
        asset_names={a: asset_name(svc.kb, a) for a in [*record["assets"], *_kb_assets(record)]},
        articles=articles,
        sources=sources,
        rows=data.comparison_rows(record),
        evidence=data.evidence(record, texts),
        impact_rows=data.quantile_rows(impact) if impact.get("modelled") else [],
        band=band,
        colour_of=data.type_colour(record["type"], record["category"]),
    )


def _kb_assets(record: dict[str, Any]) -> list[str]:
    return [str(c["asset_id"]) for c in record.get("kb_conflicts", [])]


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset(request: Request, asset_id: str) -> HTMLResponse:
    svc = _services(request)
    try:
        found = svc.kb.get(asset_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    total, history = incident_page(svc.store, asset=found.id, limit=500, offset=0, sort="-date")
    days = [d for d in (data.first_day(r) for r in history) if d is not None]
    return _page(
        request,
        "asset.html",
        title=found.name,
        asset=found,
        role=data.network_role(svc.network, svc.kb, found.id),
        history=history,
        total=total,
        neighbours={
            a: asset_name(svc.kb, a) for a in [*found.upstream, *found.downstream, *found.components]
        },
        map_data=data.map_payload(history, [found], svc.network, max(days) if days else None),
    )


# --------------------------------------------------------------------------- scenario


def _scenario_context(svc: Services, form: dict[str, str]) -> dict[str, Any]:
    low, high, default = SCENARIO_SAMPLES
    return {
        "title": "Scenario",
        "assets": [(a, asset_name(svc.kb, a)) for a in svc.network.node_ids],
        "form": {
            "asset": "cpc_spm_2",
            "capacity_loss": "100",
            "duration": "45-60d",
            "start": "",
            "ramp_back": "0d",
            "out_of_service": "cpc_spm_3",
            "price": "70",
            "samples": str(default),
        }
        | form,
        "samples_range": (low, high),
        "horizon": SCENARIO_HORIZON,
        "result": None,
        "rows": [],
        "band": None,
        "error": None,
    }


@router.get("/scenario", response_class=HTMLResponse)
def scenario_form(request: Request, asset: str | None = None) -> HTMLResponse:
    svc = _services(request)
    chosen = {"asset": asset} if asset in svc.network.node_ids else {}
    return _page(request, "scenario.html", **_scenario_context(svc, chosen))


def _number(form: dict[str, str], name: str, label: str) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise InputError(f"{label}: {text!r} is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{label}: give a number of zero or more")
    return value


def _run_form(svc: Services, form: dict[str, str]) -> dict[str, Any]:
    low, high, default = SCENARIO_SAMPLES
    samples = _number(form, "samples", "samples")
    count = int(samples) if samples is not None else default
    if not low <= count <= high:
        raise InputError(f"samples: {count} is outside {low:,}–{high:,}", "fewer samples give wider noise")
    start_text = form.get("start", "").strip()
    try:
        start = dt.date.fromisoformat(start_text) if start_text else None
    except ValueError as exc:
        raise InputError(f"start: {start_text!r} is not a date", "use YYYY-MM-DD") from exc
    out = form.get("out_of_service", "").strip()
    scenario = build_scenario(
        form.get("asset", "").strip(),
        capacity_loss=form.get("capacity_loss", "").strip() or "100",
        duration=form.get("duration", "").strip() or None,
        start=start,
        ramp_back=form.get("ramp_back", "").strip() or "0d",
        out_of_service=[out] if out else [],
        price=_number(form, "price", "price"),
        samples=count,
        horizon=SCENARIO_HORIZON,
    )
    return run(scenario, svc.network).model_dump(mode="json")


@router.post("/scenario/run", response_class=HTMLResponse)
async def scenario_run(request: Request) -> HTMLResponse:
    """Run the impact model for the form (``application/x-www-form-urlencoded``)."""
    svc = _services(request)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise InputError("the form is too large")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    form = {k: v[-1][:200] for k, v in fields.items() if k in _FORM_FIELDS}
    context = _scenario_context(svc, form)
    try:
        result = await run_in_threadpool(_run_form, svc, form)
    except InputError as exc:
        context["error"] = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return _page(request, "scenario.html", 422, **context)
    context.update(
        asset_label=asset_name(svc.kb, result["inputs"]["disruptions"][0]["asset"]),
        result=result,
        rows=data.quantile_rows(result),
        band=data.band_payload(result["daily"], "Lost Kazakh exports per day"),
    )
    return _page(request, "scenario.html", **context)


_FORM_FIELDS = {
    "asset",
    "capacity_loss",
    "duration",
    "start",
    "ramp_back",
    "out_of_service",
    "price",
    "samples",
}


# --------------------------------------------------------------------------- articles


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, q: str = "", page: int = 1) -> HTMLResponse:
    svc = _services(request)
    q = q.strip()[:200]
    page = max(1, min(page, 100_000))
    found, total = svc.store.list_articles(
        ArticleQuery(text=q or None, duplicates=None, limit=PAGE, offset=(page - 1) * PAGE)
    )
    copies, copy_total = svc.store.list_articles(ArticleQuery(duplicates=True, limit=PAGE))
    originals = _articles(svc, [c.near_duplicate_of for c in copies if c.near_duplicate_of])
    status = svc.store.status()
    rejections = svc.store.list_rejections(limit=PAGE)
    pages = max(1, math.ceil(total / PAGE))
    return _page(
        request,
        "articles.html",
        title="Articles",
        q=q,
        found=found,
        total=total,
        page=page,
        pages=pages,
        prev_url=f"/articles?{urlencode({'q': q, 'page': page - 1})}" if page > 1 else None,
        next_url=f"/articles?{urlencode({'q': q, 'page': page + 1})}" if page < pages else None,
        copies=copies,
        copy_total=copy_total,
        originals=originals,
        status=status,
        rejections=rejections,
        reasons=[(r.value, status.rejections_by_reason.get(r.value, 0)) for r in RejectionReason],
    )


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article(
    request: Request, article_id: str, start: int | None = None, end: int | None = None
) -> HTMLResponse:
    svc = _services(request)
    try:
        found = svc.store.get_article(article_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    text = found.clean_text or ""
    marked = data.quote(text, found.id, [start, end], [start, end]) if start is not None and end else None
    parts = (text[: marked.start], text[marked.start : marked.end], text[marked.end :]) if marked else None
    original = svc.store.find_article(found.near_duplicate_of) if found.near_duplicate_of else None
    return _page(
        request,
        "article.html",
        title=found.title or found.id,
        article=found,
        text=text,
        parts=parts,
        original=original,
        incidents=svc.store.incident_ids_for_article(found.id),
        url=safe_url(found.url),
    )
