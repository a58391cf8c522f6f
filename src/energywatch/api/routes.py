"""JSON endpoints under ``/api``: thin calls into the library, no SQL or NLP here.

Reads are open; the two endpoints that change or compute on request (``POST
/api/ingest``, ``POST /api/scenarios``) need ``Authorization: Bearer <api_token>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from energywatch.api.app import Services
from energywatch.api.queries import Assessor, assessor, incident_page
from energywatch.brief import render_html, render_markdown
from energywatch.brief.html import content_security_policy as brief_csp
from energywatch.brief.pdf import render_pdf
from energywatch.errors import InputError
from energywatch.export import FORMATS, write_export
from energywatch.impact import run
from energywatch.impact.result import ImpactResult
from energywatch.impact.scenario import build_scenario
from energywatch.ingest import ingest_items
from energywatch.models import InputFormat, RawArticle, Rejection, RejectionReason
from energywatch.readers import read_inputs
from energywatch.storage import ArticleQuery
from energywatch.views import (
    article_detail,
    article_row,
    asset_detail,
    asset_row,
    ingest_summary,
    rejection_row,
    status_dict,
)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str
    hint: str | None = None


class ErrorOut(BaseModel):
    """The one shape of every error response."""

    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The body is not text in JSON's encoding (UTF-8)",
        401: "No valid bearer token",
        403: "The server is read-only (no ENERGYWATCH_API_TOKEN)",
        404: "Unknown id",
        413: "Request body over the limit (ENERGYWATCH_API_MAX_BODY_BYTES)",
        422: "Invalid parameters or body",
    }
    return {s: {"model": ErrorOut, "description": described[s]} for s in statuses}


router = APIRouter(prefix="/api", responses=_errors(422))
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Status = Literal["agreed", "contested", "single-source", "unsupported"]
WRITE_ERRORS = _errors(400, 401, 403, 413)
bearer = HTTPBearer(auto_error=False, description="The server's ENERGYWATCH_API_TOKEN.")


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


Svc = Annotated[Services, Depends(services)]


def writer(svc: Svc, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Write access: ``Authorization: Bearer <api_token>``, compared in constant time."""
    token = svc.settings.api_token
    if token is None:
        raise HTTPException(403, "this server is read-only: set ENERGYWATCH_API_TOKEN to allow writes")
    given = credentials.credentials.strip() if credentials else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401,
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


class Page(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok"]
    articles: int
    incidents: int
    assets: int
    read_only: bool


@router.get("/health", response_model=Health)
def health(svc: Svc) -> Health:
    counts = svc.store.status()
    return Health(
        status="ok",
        articles=counts.articles,
        incidents=sum(svc.store.incident_counts().values()),
        assets=len(svc.kb.assets),
        read_only=svc.settings.api_token is None,
    )


@router.get("/status")
def status(svc: Svc) -> dict[str, Any]:
    return status_dict(svc.store.status())


@router.get("/articles", response_model=Page)
def articles(
    svc: Svc,
    q: Annotated[str | None, Query(max_length=200, description="Words in the title or text.")] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    copies: Annotated[bool | None, Query(description="true: only copies; false: only originals")] = None,
    published_from: dt.date | None = None,
    published_to: dt.date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    query = ArticleQuery(q or None, outlet, copies, published_from, published_to, limit, offset)
    found, total = svc.store.list_articles(query)
    return Page(total=total, limit=limit, offset=offset, items=[article_row(a) for a in found])


@router.get("/articles/{article_id}", responses=_errors(404))
def article(svc: Svc, article_id: str) -> dict[str, Any]:
    return article_detail(svc.store.get_article(article_id))


@router.get("/rejections", response_model=Page)
def rejections(
    svc: Svc, reason: RejectionReason | None = None, limit: Limit = 50, offset: Offset = 0
) -> Page:
    found = svc.store.list_rejections(reason=reason, limit=limit, offset=offset)
    counts = svc.store.status().rejections_by_reason
    total = counts.get(reason.value, 0) if reason else sum(counts.values())
    return Page(total=total, limit=limit, offset=offset, items=[rejection_row(r) for r in found])


@router.get("/incidents", response_model=Page)
def incidents(
    svc: Svc,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    asset: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(max_length=2, min_length=2)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    type: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[Status | None, Query(description="incidents with an attribute of this verdict")] = None,
    sort: Literal["date", "-date", "articles", "-articles"] = "-date",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    total, rows = incident_page(
        svc.store,
        date_from=date_from,
        date_to=date_to,
        asset=asset,
        country=country.upper() if country else None,
        category=category,
        type=type,
        status=status,
        sort=sort,
        limit=limit,
        offset=offset,
        kb=svc.kb,
    )
    return Page(total=total, limit=limit, offset=offset, items=rows)


@router.get("/incidents/{incident_id}", responses=_errors(404))
def incident(request: Request, svc: Svc, incident_id: str) -> dict[str, Any]:
    """Claims by attribute with verdicts, sources with scores, contradictions, KB
    conflicts, copy edits, timeline and impact (the DESIGN §11 record, assessed)."""
    return assessor(request.app.state, svc.store, svc.kb).record(incident_id)


@router.get(
    "/incidents/{incident_id}/brief",
    response_class=Response,
    responses={
        200: {
            "description": "The brief: HTML page, Markdown text or PDF download",
            "content": {"text/html": {}, "text/markdown": {}, "application/pdf": {}},
        },
        **_errors(404),
    },
)
def incident_brief(
    request: Request, svc: Svc, incident_id: str, format: Literal["html", "md", "pdf"] = "html"
) -> Response:
    brief = assessor(request.app.state, svc.store, svc.kb).brief(incident_id)
    if format == "md":
        return PlainTextResponse(render_markdown(brief), media_type="text/markdown; charset=utf-8")
    if format == "html":
        policy = {"Content-Security-Policy": brief_csp()}  # its inline stylesheet, by hash
        return Response(render_html(brief), media_type="text/html; charset=utf-8", headers=policy)
    with tempfile.TemporaryDirectory(prefix="energywatch-brief-") as tmp:
        path = Path(tmp) / "brief.pdf"
        render_pdf(brief, path)
        body = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="brief-{incident_id}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


@router.get("/assets", response_model=Page)
def assets(
    svc: Svc,
    type: Annotated[str | None, Query(max_length=40)] = None,
    country: Annotated[str | None, Query(max_length=2, min_length=2)] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page:
    rows = [
        asset_row(a)
        for a in svc.kb.assets.values()
        if (type is None or a.type.value == type) and (country is None or country.upper() in a.country)
    ]
    return Page(total=len(rows), limit=limit, offset=offset, items=rows[offset : offset + limit])


@router.get("/assets/{asset_id}", responses=_errors(404))
def asset(svc: Svc, asset_id: str) -> dict[str, Any]:
    """The asset with its incident history in the store and its role in the flow network."""
    found = svc.kb.get(asset_id)
    _total, history = incident_page(svc.store, asset=found.id, limit=500, offset=0, sort="-date")
    return asset_detail(found) | {
        "incidents": history,
        "on_export_network": found.id in svc.network.node_ids,
    }


MAX_SAMPLE_DAYS = 20_000_000


class ScenarioIn(BaseModel):
    """A scenario as the ``simulate`` command takes it."""

    asset: str = Field(max_length=100, examples=["cpc_ps_kropotkinskaya"])
    capacity_loss: str = Field(default="100", max_length=20, examples=["30-40"])
    duration: str | None = Field(default=None, max_length=20, examples=["45-60d"])
    start: dt.date | None = None
    end: dt.date | None = None
    ramp_back: str = Field(default="0d", max_length=20)
    out_of_service: list[str] = Field(default_factory=list, max_length=10)
    kazakh_rate: float | None = Field(default=None, allow_inf_nan=False)
    price: float | None = Field(default=None, allow_inf_nan=False)
    samples: int = Field(default=10_000, ge=1, le=200_000)
    horizon: int = Field(default=365, ge=1, le=3650, description="Days; samples × horizon ≤ 20,000,000.")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


@router.post(
    "/scenarios", response_model=ImpactResult, dependencies=[Depends(writer)], responses=WRITE_ERRORS
)
def scenario(svc: Svc, body: ScenarioIn) -> ImpactResult:
    if body.samples * body.horizon > MAX_SAMPLE_DAYS:  # bounds the time and memory of one request
        raise InputError(
            f"samples × horizon is {body.samples * body.horizon:,}; the limit is {MAX_SAMPLE_DAYS:,}",
            "use fewer samples or a shorter horizon",
        )
    built = build_scenario(
        body.asset,
        capacity_loss=body.capacity_loss,
        duration=body.duration,
        start=body.start,
        end=body.end,
        ramp_back=body.ramp_back,
        out_of_service=body.out_of_service,
        kazakh_rate=body.kazakh_rate,
        price=body.price,
        samples=body.samples,
        horizon=body.horizon,
        seed=body.seed,
    )
    return run(built, svc.network)


_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson")


_EXPORT_MEDIA = {
    "json": "application/json",
    "acled-csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "plover-jsonl": "application/x-ndjson",
}
assert set(_EXPORT_MEDIA) == set(FORMATS)


def _as_lines(body: bytes, content_type: str) -> tuple[bytes, InputFormat]:
    """The body as JSONL: a JSON object or list becomes one record per line; a body
    declared (or recognisable) as JSONL stays as it is, each bad line rejected on its own."""
    if content_type.split(";")[0].strip().lower() in _JSONL_TYPES:
        return body, InputFormat.jsonl
    try:
        parsed = json.loads(body)
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8/16/32
        first = next(line for line in body.splitlines() if line.strip())
        if first != body.strip():  # several lines: JSONL when the first one is a record
            try:
                json.loads(first)
            except ValueError:
                pass
            else:
                return body, InputFormat.jsonl
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "it is not UTF-8 text"
        raise InputError(
            f"the body is not valid JSON: {detail}{where}",
            "send one article object, a list of them, or one object per line (JSONL)",
        ) from exc
    records = parsed if isinstance(parsed, list) else [parsed]
    return b"\n".join(json.dumps(r).encode() for r in records), InputFormat.json


def _relabel(item: RawArticle | Rejection, label: str, fmt: InputFormat) -> RawArticle | Rejection:
    """``stdin:N`` → ``api-<digest of the body>:N``: rejections of two different bodies
    get different ids, re-sending the same body stores nothing new."""
    origin = label + item.origin.removeprefix("stdin")
    if isinstance(item, Rejection):
        return Rejection.create(origin, item.reason, item.detail, item.hint, article_id=item.article_id)
    return item.model_copy(update={"origin": origin, "input_format": fmt})


def _ingest(svc: Services, body: bytes, content_type: str) -> dict[str, Any]:
    lines, fmt = _as_lines(body, content_type)
    label = "api-" + hashlib.sha256(body).hexdigest()[:12]
    read = read_inputs(["-"], max_bytes=svc.settings.max_file_bytes, stdin=io.BytesIO(lines))
    report = ingest_items(svc.store, (_relabel(i, label, fmt) for i in read), svc.settings)
    return ingest_summary(report)


_ARTICLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One article (README, Inputs): text or html is required.",
    "properties": {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "outlet": {"type": "string"},
        "title": {"type": "string"},
        "published": {"type": ["string", "null"], "examples": ["2025-02-17"]},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "language": {"type": "string"},
    },
}
_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"anyOf": [_ARTICLE_SCHEMA, {"type": "array", "items": _ARTICLE_SCHEMA}]}
            },
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "One article object per line (JSONL)."}
            },
        },
    }
}


class IngestOut(BaseModel):
    """What an ingest did (the shape of ``energywatch ingest --json``)."""

    inserted: int
    updated: int
    unchanged: int
    near_duplicates: dict[str, str] = Field(description="article id → id of the article it copies")
    rejected: list[dict[str, Any]] = Field(description="each refused input with its reason and hint")
    article_ids: list[str]


@router.post(
    "/ingest",
    response_model=IngestOut,
    dependencies=[Depends(writer)],
    responses=WRITE_ERRORS,
    openapi_extra=_INGEST_BODY,
)
async def ingest_articles(request: Request, svc: Svc) -> dict[str, Any]:
    """Articles as JSON (one object or a list) or JSONL, read with the same rules as
    files. Stores them (cleaned, near-duplicates linked); ``energywatch process`` then
    extracts and resolves them into incidents."""
    body = await request.body()  # bounded by the app's body limit, Content-Length or not
    if not body.strip():
        raise InputError("the request body is empty", "send one article object, a list, or JSONL")
    summary = await run_in_threadpool(_ingest, svc, body, request.headers.get("content-type", ""))
    found: Assessor | None = getattr(request.app.state, "assessor", None)
    if found is not None:
        found.invalidate()
    return summary


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "Every incident in the chosen format (docs/exports.md)",
            "content": {m: {} for m in _EXPORT_MEDIA.values()},
        }
    },
)
def export(svc: Svc, format: Literal["json", "acled-csv", "geojson", "plover-jsonl"] = "json") -> Response:
    buffer = io.StringIO()
    write_export(svc.store, svc.kb, format, buffer)
    return Response(buffer.getvalue(), media_type=_EXPORT_MEDIA[format])
