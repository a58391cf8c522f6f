"""What a brief says, independent of how it is rendered.

``build_brief`` turns incident records (the DESIGN §11 shape from
``energywatch.export.incident_record``), the articles that report them and the
knowledge base into a ``Brief``: key points that each cite their sources, the consensus,
the disagreements, knowledge-base conflicts, impact, and an analysis of the asset's role
computed from the knowledge base (share of exports, alternatives and their spare
capacity, recent incidents on the same route).

Citations are of two kinds: article numbers (``[1]`` → the first entry of
``Brief.sources``) and knowledge-base source ids (``S135``), listed in
``Brief.kb_sources`` with their URLs. Nothing here is rendered or escaped; every text
that comes from an article stays plain text and the renderers escape it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from energywatch.kb import Asset, KnowledgeBase
from energywatch.models import Article

__all__ = [
    "Alternative",
    "AnalysisSection",
    "ArticleLike",
    "Brief",
    "BriefArticle",
    "ClaimPoint",
    "Disagreement",
    "IncidentSection",
    "KBSource",
    "Point",
    "RouteEvent",
    "SourceEntry",
    "TimelineRow",
    "Version",
    "build_brief",
    "format_value",
]

CPC_PIPELINE = "cpc_pipeline"
CPC_ALTERNATIVES = ("kto_atyrau_samara", "atasu_alashankou", "aktau_port")
NONE_RECORDED = "none recorded"
RECENT_LIMIT = 8

_ATTRIBUTE_LABELS = {
    "flow_reduction_pct": "flow reduction",
    "duration_days": "duration",
    "killed": "killed",
    "injured": "injured",
    "weapon": "weapon",
    "perpetrator": "perpetrator",
    "volume": "volume",
    "capacity": "capacity",
    "damage": "damage",
}
_ATTRIBUTE_UNITS = {
    "flow_reduction_pct": "%",
    "duration_days": "days",
    "killed": "people",
    "injured": "people",
}


# --------------------------------------------------------------------------- articles


class ArticleLike(Protocol):
    """What a brief needs to know about an article. ``text`` (optional, the clean text
    the claim offsets refer to) lets the brief quote evidence sentences."""

    @property
    def id(self) -> str: ...
    @property
    def outlet(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def published(self) -> dt.date | dt.datetime | None: ...


@dataclass(frozen=True, slots=True)
class BriefArticle:
    """An ``ArticleLike`` built from a stored article (see ``from_article``)."""

    id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    published: dt.date | dt.datetime | None = None
    text: str | None = None

    @classmethod
    def from_article(cls, article: Article) -> BriefArticle:
        return cls(
            id=article.id,
            outlet=article.source.name,
            title=article.title,
            url=article.url,
            published=article.published,
            text=article.clean_text,
        )


# --------------------------------------------------------------------------- records


class _Rec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceEntry(_Rec):
    """One article in the Sources list; ``number`` is what citations refer to."""

    number: int
    article_id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    copy_of_another: bool = False


class KBSource(_Rec):
    id: str
    url: str | None = None
    note: str | None = None


class Point(_Rec):
    """A statement with its citations: article numbers and KB source ids."""

    text: str
    cites: list[int] = Field(default_factory=list)
    kb_cites: list[str] = Field(default_factory=list)


class Version(_Rec):
    """One value an attribute is given, and who gives it."""

    value: str
    outlets: list[str]
    speakers: list[str]
    hedges: list[str]
    cites: list[int]
    copies_only: bool = False


class Disagreement(_Rec):
    attribute: str
    label: str
    versions: list[Version]


class ClaimPoint(_Rec):
    """One numeric claim for the claim-comparison chart (a point has low == high)."""

    attribute: str
    unit: str
    low: float
    high: float
    outlet: str
    speaker: str | None = None
    hedge: str = "asserted"
    cite: int | None = None


class Alternative(_Rec):
    asset_id: str
    name: str
    design: str
    latest_flow: str
    spare: str
    spare_low_mt: float | None = None
    spare_high_mt: float | None = None
    onward: str | None = None
    kb_cites: list[str] = Field(default_factory=list)


class RouteEvent(_Rec):
    date: str
    asset_id: str
    asset_name: str
    text: str
    origin: str  # "kb" (asset history) or "store" (an incident record)
    cites: list[int] = Field(default_factory=list)
    kb_cites: list[str] = Field(default_factory=list)


class AnalysisSection(_Rec):
    asset_id: str
    asset_name: str
    role: list[Point]
    alternatives: list[Alternative] = Field(default_factory=list)
    alternatives_summary: Point | None = None
    recent: list[RouteEvent] = Field(default_factory=list)


class IncidentSection(_Rec):
    id: str
    type: str
    type_label: str
    category: str
    date: str
    date_start: dt.date | None = None
    location: str | None = None
    assets: list[str]
    asset_names: list[str]
    consensus: list[Point]
    disagreements: list[Disagreement]
    contradictions: list[Point]
    kb_conflicts: list[Point]
    impact: list[Point] | None
    analysis: list[AnalysisSection]
    claim_points: list[ClaimPoint]
    cites: list[int]


class TimelineRow(_Rec):
    """One incident on the timeline: its date and when each outlet reported it."""

    label: str
    date: dt.date | None
    reports: list[tuple[dt.date, str]]


class Brief(_Rec):
    title: str
    generated: dt.date
    period: str
    key_points: list[Point]
    incidents: list[IncidentSection]
    timeline: list[TimelineRow]
    sources: list[SourceEntry]
    kb_sources: list[KBSource]


# --------------------------------------------------------------------------- formatting


def _num(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _range_text(low: float, high: float) -> str:
    return _num(low) if low == high else f"{_num(low)}–{_num(high)}"


def format_value(attribute: str, value: Any) -> str:
    """A claim value as a reader sees it: ``[30, 40]`` of a percentage → ``30–40%``."""
    unit = _ATTRIBUTE_UNITS.get(attribute, "")
    numeric = _numeric(attribute, value)
    if numeric is not None:
        low, high, unit = numeric
        text = _range_text(low, high)
        if unit == "%":
            return text + "%"
        return f"{text} {unit}".strip()
    if isinstance(value, dict):
        if value.get("text"):
            severity = value.get("severity")
            return f"{value['text']} ({severity})" if severity else str(value["text"])
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "unknown"
    return f"{value}{unit}" if unit == "%" else str(value)


def _numeric(attribute: str, value: Any) -> tuple[float, float, str] | None:
    """(low, high, unit) of a numeric claim value, or None."""
    unit = _ATTRIBUTE_UNITS.get(attribute, "")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), float(value), unit
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return float(min(value)), float(max(value)), unit
    if isinstance(value, dict) and "range" in value:
        inner = _numeric(attribute, value["range"])
        if inner is not None:
            return inner[0], inner[1], str(value.get("unit") or unit)
    return None


def _label(attribute: str) -> str:
    return _ATTRIBUTE_LABELS.get(attribute, attribute.replace("_", " "))


def _type_label(event_type: str) -> str:
    return event_type.replace("_", " ")


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _parse_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _date_text(date: Mapping[str, Any] | None) -> str:
    if not date:
        return "date unknown"
    start, end = date.get("start"), date.get("end")
    if start and end and start != end:
        return f"{start} to {end}"
    if start:
        return str(start)
    md = date.get("month_day")
    if md:
        return dt.date(2000, int(md[0]), int(md[1])).strftime("%d %B") + " (year not given)"
    return "date unknown"


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# --------------------------------------------------------------------------- citations


class _Citations:
    """Numbers articles in order of first citation and collects KB sources."""

    def __init__(self, articles: Mapping[str, ArticleLike]) -> None:
        self.articles = articles
        self.numbers: dict[str, int] = {}
        self.copies: set[str] = set()
        self.kb: dict[str, KBSource] = {}

    def cite(self, article_ids: Iterable[str]) -> list[int]:
        out: list[int] = []
        for article_id in article_ids:
            number = self.numbers.setdefault(article_id, len(self.numbers) + 1)
            if number not in out:
                out.append(number)
        return sorted(out)

    def outlet(self, article_id: str) -> str:
        article = self.articles.get(article_id)
        return article.outlet if article is not None else f"unknown outlet ({article_id})"

    def kb_cite(self, kb: KnowledgeBase, ids: Iterable[str], assets: Iterable[str] = ()) -> list[str]:
        """Register KB source ids, finding their URLs on the given assets (or any asset)."""
        wanted = list(dict.fromkeys(ids))
        pool = [kb.get(a) for a in assets if a in kb] or list(kb.assets.values())
        for source_id in wanted:
            if source_id in self.kb and self.kb[source_id].url:
                continue
            ref = next((s for a in pool for s in a.sources if s.id == source_id), None)
            if ref is None:
                ref = next((s for a in kb.assets.values() for s in a.sources if s.id == source_id), None)
            self.kb[source_id] = KBSource(
                id=source_id, url=ref.url if ref else None, note=ref.note if ref else None
            )
        return wanted

    def entries(self) -> list[SourceEntry]:
        out = []
        for article_id, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            article = self.articles.get(article_id)
            out.append(
                SourceEntry(
                    number=number,
                    article_id=article_id,
                    outlet=self.outlet(article_id),
                    title=article.title if article else None,
                    url=article.url if article else None,
                    published=_day(article.published) if article else None,
                    copy_of_another=article_id in self.copies,
                )
            )
        return out


# --------------------------------------------------------------------------- incidents


def _asset_name(kb: KnowledgeBase, asset_id: str) -> str:
    return kb.get(asset_id).name if asset_id in kb else asset_id


def _independent(claims: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(c["article"] for c in claims if not c.get("copy")))


def _consensus(record: Mapping[str, Any], kb: KnowledgeBase, cites: _Citations) -> list[Point]:
    articles: list[str] = list(record.get("articles") or [])
    copies = set(record.get("copies") or [])
    independent = [a for a in articles if a not in copies]
    outlets = sorted({cites.outlet(a) for a in independent})
    where = _where(record, kb)
    what = f"A {_type_label(record['type'])} at {where} on {_date_text(record.get('date'))}"
    points = [
        Point(
            text=f"{what}, reported by {len(outlets)} outlet{'s' if len(outlets) != 1 else ''} "
            f"({', '.join(outlets)}) in {len(independent)} independent article"
            f"{'s' if len(independent) != 1 else ''}"
            + (
                f"; {len(copies)} near-duplicate cop{'ies' if len(copies) != 1 else 'y'} not counted"
                if copies
                else ""
            )
            + ".",
            cites=cites.cite(articles),
        )
    ]
    for attribute, attr in (record.get("attributes") or {}).items():
        status = attr.get("status")
        claims = attr.get("claims") or []
        if status not in ("agreed", "single-source"):
            continue
        value = format_value(attribute, attr.get("value"))
        backers = _independent(claims) or [c["article"] for c in claims]
        if status == "agreed":
            text = (
                f"{_label(attribute).capitalize()}: {value} (agreed by {len(backers)} independent sources)."
            )
        else:
            speaker = next((c.get("speaker") for c in claims if c.get("speaker")), None)
            who = f"{cites.outlet(backers[0])}" + (f", citing {speaker}" if speaker else "")
            text = f"{_label(attribute).capitalize()}: {value} (single source: {who})."
        points.append(Point(text=text, cites=cites.cite(backers)))
    for response in record.get("responses") or []:
        speaker = response.get("speaker") or cites.outlet(response["article"])
        points.append(
            Point(
                text=f"Response: {speaker} — {str(response.get('type', 'statement')).replace('_', ' ')}.",
                cites=cites.cite([response["article"]]),
            )
        )
    return _dedupe(points)


def _dedupe(points: list[Point]) -> list[Point]:
    seen: dict[str, Point] = {}
    for point in points:
        if point.text in seen:
            old = seen[point.text]
            seen[point.text] = Point(
                text=point.text,
                cites=sorted(set(old.cites) | set(point.cites)),
                kb_cites=list(dict.fromkeys(old.kb_cites + point.kb_cites)),
            )
        else:
            seen[point.text] = point
    return list(seen.values())


def _where(record: Mapping[str, Any], kb: KnowledgeBase) -> str:
    assets = [_asset_name(kb, a) for a in record.get("assets") or []]
    location = record.get("location") or {}
    name = location.get("name")
    if assets:
        place = ", ".join(assets)
        region = next((kb.get(a).region for a in record["assets"] if a in kb and kb.get(a).region), None)
        return f"{place} ({region})" if region else place
    return str(name) if name else "an unnamed site"


def _disagreements(record: Mapping[str, Any], cites: _Citations) -> list[Disagreement]:
    out = []
    for attribute, attr in (record.get("attributes") or {}).items():
        if attr.get("status") != "contested":
            continue
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for claim in attr.get("claims") or []:
            groups.setdefault(_key(claim.get("value")), []).append(claim)
        versions = []
        for claims in groups.values():
            outlets = list(
                dict.fromkeys(
                    cites.outlet(c["article"]) + (" (copy)" if c.get("copy") else "") for c in claims
                )
            )
            speakers = list(dict.fromkeys(c["speaker"] for c in claims if c.get("speaker")))
            versions.append(
                Version(
                    value=format_value(attribute, claims[0].get("value")),
                    outlets=outlets,
                    speakers=speakers,
                    hedges=list(dict.fromkeys(str(c.get("hedge", "asserted")) for c in claims)),
                    cites=cites.cite(c["article"] for c in claims),
                    copies_only=all(c.get("copy") for c in claims),
                )
            )
        versions.sort(key=lambda v: (-len([o for o in v.outlets if not o.endswith("(copy)")]), v.value))
        out.append(Disagreement(attribute=attribute, label=_label(attribute), versions=versions))
    return out


def _claim_points(record: Mapping[str, Any], cites: _Citations) -> list[ClaimPoint]:
    """Numeric claims of attributes where sources give more than one value."""
    out = []
    for attribute, attr in (record.get("attributes") or {}).items():
        claims = [c for c in attr.get("claims") or [] if not c.get("copy")]
        parsed = [(c, _numeric(attribute, c.get("value"))) for c in claims]
        numeric = [(c, n) for c, n in parsed if n is not None]
        if len({_key(c.get("value")) for c, _ in numeric}) < 2:
            continue
        seen: set[tuple[str, str, str]] = set()
        for claim, (low, high, unit) in numeric:
            outlet = cites.outlet(claim["article"])
            key = (outlet, _key(claim.get("value")), str(claim.get("speaker")))
            if key in seen:
                continue
            seen.add(key)
            out.append(
                ClaimPoint(
                    attribute=_label(attribute),
                    unit=unit,
                    low=low,
                    high=high,
                    outlet=outlet,
                    speaker=claim.get("speaker"),
                    hedge=str(claim.get("hedge", "asserted")),
                    cite=cites.cite([claim["article"]])[0],
                )
            )
    return out


def _describe_item(item: Any) -> str:
    """A verification record (contradiction or KB conflict) as one sentence."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        head = item.get("attribute") or item.get("field") or item.get("kind") or ""
        body = (
            item.get("reason")
            or item.get("detail")
            or item.get("message")
            or item.get("description")
            or ", ".join(
                f"{k}: {v}" for k, v in item.items() if k not in {"articles", "article", "sources", "claims"}
            )
        )
        return f"{head}: {body}" if head and body and head not in str(body) else str(body or head)
    return str(item)


def _item_articles(item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return []
    found: list[str] = []
    for key in ("article", "articles"):
        value = item.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(str(v) for v in value if isinstance(v, str))
    for claim in item.get("claims") or []:
        if isinstance(claim, Mapping) and isinstance(claim.get("article"), str):
            found.append(claim["article"])
    return list(dict.fromkeys(found))


def _item_kb_sources(item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return []
    value = item.get("kb_sources") or item.get("sources") or []
    return [str(v) for v in value if isinstance(v, str) and re.fullmatch(r"[A-Z][A-Za-z0-9]*", v)]


def _verification(items: Any, cites: _Citations, kb: KnowledgeBase) -> list[Point]:
    if not items:
        return []
    return [
        Point(
            text=_describe_item(item),
            cites=cites.cite(_item_articles(item)),
            kb_cites=cites.kb_cite(kb, _item_kb_sources(item)),
        )
        for item in items
    ]


def _impact(impact: Any) -> list[Point] | None:
    if not impact:
        return None
    if not isinstance(impact, Mapping):
        return [Point(text=str(impact))]
    points = []
    quantiles = [k for k in ("p10", "p50", "p90") if k in impact]
    if quantiles:
        unit = str(impact.get("unit", ""))
        points.append(
            Point(
                text="Lost exports " + ", ".join(f"{k.upper()} {impact[k]} {unit}".strip() for k in quantiles)
            )
        )
    for key, value in impact.items():
        if key in {"p10", "p50", "p90", "unit"}:
            continue
        if isinstance(value, Mapping):
            inner = ", ".join(f"{k} {v}" for k, v in value.items())
            points.append(Point(text=f"{key.replace('_', ' ')}: {inner}"))
        elif isinstance(value, list):
            points.append(Point(text=f"{key.replace('_', ' ')}: " + "; ".join(str(v) for v in value)))
        else:
            points.append(Point(text=f"{key.replace('_', ' ')}: {value}"))
    return points


# --------------------------------------------------------------------------- analysis


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _numbers(value: Any) -> list[float]:
    """Numbers in a KB yearly value: 56 → [56]; "63.8 (PM office) vs 64.8 …" → [63.8, 64.8]."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [float(value)]
    text = str(value)
    if text.strip().lower().startswith("plan"):
        return []
    return [float(m) for m in _NUMBER.findall(text.replace(",", "")) if not 1900 < float(m) < 2100]


def is_cpc_asset(kb: KnowledgeBase, asset_id: str) -> bool:
    if asset_id == CPC_PIPELINE or asset_id.startswith("cpc_"):
        return True
    return CPC_PIPELINE in kb and asset_id in kb.get(CPC_PIPELINE).components


def route_assets(kb: KnowledgeBase, asset_id: str) -> set[str]:
    """Assets on the same route: the CPC system for CPC assets, else the asset, its
    direct neighbours and any asset it is a component of."""
    if is_cpc_asset(kb, asset_id) and CPC_PIPELINE in kb:
        pipe = kb.get(CPC_PIPELINE)
        return {CPC_PIPELINE, *pipe.components, "kavkazskaya_transfer_station"} & set(kb.assets)
    if asset_id not in kb:
        return {asset_id}
    asset = kb.get(asset_id)
    parents = {a.id for a in kb.assets.values() if asset_id in a.components}
    return {asset_id, *asset.upstream, *asset.downstream, *asset.components, *parents}


def _annual_factor(basis: str) -> float | None:
    """How to annualise a flow figure from its basis text; None if it is not a flow."""
    text = basis.lower()
    if "forecast" in text or "design" in text or "capacity" in text:
        return None
    if "h1" in text:
        return 2.0
    span = re.search(r"jan\w*\s*[–-]\s*([a-z]{3})", text)
    if span and span.group(1) in _MONTHS:
        return 12.0 / (_MONTHS.index(span.group(1)) + 1)
    if re.search(r"\b20\d\d\b", text):
        return 1.0
    return None


def _year(basis: str) -> int:
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", basis)]
    return max(years) if years else 0


def _alternative(kb: KnowledgeBase, asset: Asset) -> Alternative:
    design = [c for c in asset.capacity if c.unit == "Mt/yr" and "run-rate" not in c.basis.lower()]
    design_values = [float(c.value) for c in design if isinstance(c.value, int | float)]
    flows: list[tuple[int, float, str, list[str]]] = []
    for cap in asset.capacity:
        if not isinstance(cap.value, int | float):
            continue
        if cap.unit == "Mt/yr" and "run-rate" in cap.basis.lower():
            flows.append((_year(cap.basis), float(cap.value), cap.basis, cap.sources))
        elif cap.unit == "Mt":
            factor = _annual_factor(cap.basis)
            if factor is not None:
                flows.append((_year(cap.basis), float(cap.value) * factor, cap.basis, cap.sources))
    sources = [s for c in design for s in c.sources]
    design_text = (
        f"{_range_text(min(design_values), max(design_values))} Mt/yr"
        + (" (sources differ)" if len(set(design_values)) > 1 else "")
        if design_values
        else "not in the KB"
    )
    latest_text, spare_text = "not in the KB", "cannot be computed"
    low = high = None
    if flows:
        _, flow, basis, flow_sources = max(flows, key=lambda f: (f[0], f[1]))
        sources += flow_sources
        latest_text = f"≈{_num(round(flow, 1))} Mt/yr ({basis})"
        if design_values:
            low = max(0.0, min(design_values) - flow)
            high = max(0.0, max(design_values) - flow)
            spare_text = f"≈{_range_text(round(low, 1), round(high, 1))} Mt/yr"
    onward = None
    if asset.id == "aktau_port":
        legs = []
        for nxt in ("sangachal_terminal", "btc_pipeline"):
            if nxt in kb:
                caps = [c for c in kb.get(nxt).capacity if c.unit == "mb/d"]
                if caps:
                    legs.append(f"{kb.get(nxt).name} {_num(float(caps[0].value))} mb/d")
                    sources += caps[0].sources
        if legs:
            onward = "by tanker to Baku, then " + "; ".join(legs) + " — the port berths are the limit"
    return Alternative(
        asset_id=asset.id,
        name=asset.name,
        design=design_text,
        latest_flow=latest_text,
        spare=spare_text,
        spare_low_mt=low,
        spare_high_mt=high,
        onward=onward,
        kb_cites=list(dict.fromkeys(sources)),
    )


def _history_events(kb: KnowledgeBase, route: set[str]) -> list[RouteEvent]:
    out = []
    for asset_id in sorted(route):
        asset = kb.get(asset_id)
        for event in asset.history:
            out.append(
                RouteEvent(
                    date=event.date,
                    asset_id=asset_id,
                    asset_name=asset.name,
                    text=event.event + (f" — {event.impact}" if event.impact else ""),
                    origin="kb",
                    kb_cites=list(event.sources),
                )
            )
    return out


def _cpc_role(kb: KnowledgeBase, cites: _Citations) -> tuple[list[Point], float, float]:
    """Share of Kazakh exports via CPC and throughput, from KB meta. Returns the points
    and the latest Kazakh-origin CPC volume range (Mt)."""
    meta = kb.meta
    totals, cpc = meta.kazakhstan_oil_totals_mt, meta.cpc_throughput_mt
    conv = meta.units_and_conversions
    shares: list[tuple[int, float, float]] = []
    for year, value in cpc.kazakh_origin.items():
        via = _numbers(value)
        exported = _numbers(totals.exports.get(year))
        if via and exported:
            shares.append((year, min(via) / exported[0] * 100, max(via) / exported[0] * 100))
    points: list[Point] = []
    share_sources = cites.kb_cite(kb, [*cpc.sources, *totals.sources], [CPC_PIPELINE])
    if shares:
        lo = min(s[1] for s in shares)
        hi = max(s[2] for s in shares)
        years = ", ".join(f"{y}: {_range_text(round(a), round(b))}%" for y, a, b in sorted(shares))
        points.append(
            Point(
                text=f"CPC carries about {round(lo)}–{round(hi)}% of Kazakhstan's crude exports "
                f"(Kazakh-origin CPC volumes over national exports; {years}).",
                kb_cites=share_sources,
            )
        )
    latest_year = max((y for y, v in cpc.total.items() if _numbers(v)), default=None)
    if latest_year is not None:
        total = _numbers(cpc.total[latest_year])[0]
        kbd = total * 1e6 * conv.cpc_blend_bbl_per_tonne / 365 / 1e6
        points.append(
            Point(
                text=f"CPC throughput {latest_year}: {_num(total)} Mt (≈{kbd:.2f} mb/d at "
                f"{_num(conv.cpc_blend_bbl_per_tonne)} bbl/t).",
                kb_cites=cites.kb_cite(kb, [*cpc.sources, *conv.sources], [CPC_PIPELINE]),
            )
        )
    kz_years = [y for y, v in cpc.kazakh_origin.items() if _numbers(v)]
    kz_low = kz_high = 0.0
    if kz_years:
        values = _numbers(cpc.kazakh_origin[max(kz_years)])
        kz_low, kz_high = min(values), max(values)
    pipe = kb.get(CPC_PIPELINE) if CPC_PIPELINE in kb else None
    if pipe is not None:
        design = [c for c in pipe.capacity if c.unit == "Mt/yr" and "DBNP" in c.basis]
        if design:
            values = [float(c.value) for c in design if isinstance(c.value, int | float)]
            points.append(
                Point(
                    text=f"CPC capacity after debottlenecking: {_range_text(min(values), max(values))} Mt/yr "
                    "(figures differ between sources).",
                    kb_cites=cites.kb_cite(kb, [s for c in design for s in c.sources], [CPC_PIPELINE]),
                )
            )
    return points, kz_low, kz_high


def _asset_role(kb: KnowledgeBase, asset: Asset, cites: _Citations) -> list[Point]:
    points = []
    kind = asset.subtype or asset.type.value.replace("_", " ")
    where = f" in {asset.region}" if asset.region else ""
    operator = f", operated by {asset.operator}" if asset.operator else ""
    points.append(Point(text=f"{asset.name}: {kind}{where}{operator}.", kb_cites=[]))
    names = [_asset_name(kb, a) for a in asset.upstream]
    if names:
        points.append(Point(text="Fed from: " + ", ".join(names) + "."))
    names = [_asset_name(kb, a) for a in asset.downstream]
    if names:
        points.append(Point(text="Feeds: " + ", ".join(names) + "."))
    for cap in asset.capacity:
        if cap.unit in {"Mt/yr", "mb/d", "b/d", "bcm/yr", "t/d", "Mt"}:
            points.append(
                Point(
                    text=f"Capacity: {cap.value} {cap.unit}" + (f" ({cap.basis})" if cap.basis else "") + ".",
                    kb_cites=cites.kb_cite(kb, cap.sources, [asset.id]),
                )
            )
    return points


def _analysis(
    record: Mapping[str, Any],
    kb: KnowledgeBase,
    cites: _Citations,
    others: Sequence[Mapping[str, Any]],
) -> list[AnalysisSection]:
    sections = []
    seen_routes: set[frozenset[str]] = set()
    for asset_id in record.get("assets") or []:
        if asset_id not in kb:
            continue
        route = route_assets(kb, asset_id)
        if frozenset(route) in seen_routes:
            continue
        seen_routes.add(frozenset(route))
        asset = kb.get(asset_id)
        role = _asset_role(kb, asset, cites)
        alternatives: list[Alternative] = []
        summary = None
        if is_cpc_asset(kb, asset_id) and CPC_PIPELINE in kb:
            if asset_id != CPC_PIPELINE:
                role.append(
                    Point(text=f"It is part of {kb.get(CPC_PIPELINE).name}; what stops here stops the line.")
                )
            cpc_points, kz_low, kz_high = _cpc_role(kb, cites)
            role.extend(cpc_points)
            for alt_id in CPC_ALTERNATIVES:
                if alt_id in kb:
                    alt = _alternative(kb, kb.get(alt_id))
                    cites.kb_cite(kb, alt.kb_cites, [alt_id, "sangachal_terminal", "btc_pipeline"])
                    alternatives.append(alt)
            lows = [a.spare_low_mt for a in alternatives if a.spare_low_mt is not None]
            highs = [a.spare_high_mt for a in alternatives if a.spare_high_mt is not None]
            if lows and kz_high:
                low, high = sum(lows), sum(highs)
                summary = Point(
                    text="Alternatives together have "
                    f"≈{_range_text(round(low, 1), round(high, 1))} Mt/yr spare, "
                    f"{round(low / kz_high * 100)}–{round(high / kz_low * 100)}% of the "
                    f"{_range_text(kz_low, kz_high)} Mt/yr of Kazakh crude CPC carries: "
                    "they can absorb only a small part of a long CPC outage.",
                    kb_cites=list(dict.fromkeys(s for a in alternatives for s in a.kb_cites)),
                )
        for point in role:
            cites.kb_cite(kb, point.kb_cites, [asset_id, CPC_PIPELINE])
        start = str((record.get("date") or {}).get("start") or "")
        end = str((record.get("date") or {}).get("end") or start)
        own = set(record.get("assets") or [])
        recent = [
            e
            for e in _history_events(kb, route)
            # the KB's own entry for this very incident is not an earlier incident
            if not (start and e.asset_id in own and e.date[:10] == start)
        ]
        reported_by: dict[tuple[str, str, str], list[str]] = {}
        for other in others:
            if other.get("id") == record.get("id"):
                continue
            hit = [a for a in other.get("assets") or [] if a in route]
            if not hit:
                continue
            event = RouteEvent(
                date=(other.get("date") or {}).get("start") or "undated",
                asset_id=hit[0],
                asset_name=_asset_name(kb, hit[0]),
                text=f"{_type_label(str(other.get('type')))} (incident {other.get('id')})",
                origin="store",
            )
            recent.append(event)
            independent = [a for a in other.get("articles") or [] if a not in set(other.get("copies") or [])]
            reported_by[(event.date, event.asset_id, event.text)] = independent[:3]
        if end:  # "recent" means up to the incident, not after it
            recent = [e for e in recent if e.date[:10] <= end]
        unique = {(e.date, e.asset_id, e.text): e for e in recent}
        recent = sorted(unique.values(), key=lambda e: e.date, reverse=True)[:RECENT_LIMIT]
        recent = [
            e.model_copy(update={"cites": cites.cite(reported_by.get((e.date, e.asset_id, e.text), []))})
            for e in recent
        ]
        for event in recent:
            cites.kb_cite(kb, event.kb_cites, sorted(route))
        sections.append(
            AnalysisSection(
                asset_id=asset_id,
                asset_name=asset.name,
                role=role,
                alternatives=alternatives,
                alternatives_summary=summary,
                recent=recent,
            )
        )
    return sections


# --------------------------------------------------------------------------- the brief


def _section(
    record: Mapping[str, Any],
    kb: KnowledgeBase,
    cites: _Citations,
    others: Sequence[Mapping[str, Any]],
) -> IncidentSection:
    cites.copies |= set(record.get("copies") or [])
    consensus = _consensus(record, kb, cites)
    location = record.get("location") or {}
    return IncidentSection(
        id=str(record.get("id")),
        type=str(record.get("type")),
        type_label=_type_label(str(record.get("type"))),
        category=str(record.get("category", "")),
        date=_date_text(record.get("date")),
        date_start=_parse_day((record.get("date") or {}).get("start")),
        location=location.get("name"),
        assets=list(record.get("assets") or []),
        asset_names=[_asset_name(kb, a) for a in record.get("assets") or []],
        consensus=consensus,
        disagreements=_disagreements(record, cites),
        contradictions=_verification(record.get("contradictions"), cites, kb),
        kb_conflicts=_verification(record.get("kb_conflicts"), cites, kb),
        impact=_impact(record.get("impact")),
        analysis=_analysis(record, kb, cites, others),
        claim_points=_claim_points(record, cites),
        cites=cites.cite(record.get("articles") or []),
    )


def _key_points(sections: list[IncidentSection]) -> list[Point]:
    points: list[Point] = []
    for section in sections:
        points.append(section.consensus[0])
        for dis in section.disagreements:
            versions = "; ".join(
                f"{v.value} ({', '.join(v.outlets)}"
                + (f", citing {', '.join(v.speakers)}" if v.speakers else "")
                + ")"
                for v in dis.versions
            )
            points.append(
                Point(
                    text=f"Sources disagree on the {dis.label}: {versions}.",
                    cites=sorted({c for v in dis.versions for c in v.cites}),
                )
            )
        for point in section.kb_conflicts:
            points.append(
                Point(
                    text=f"Knowledge-base conflict: {point.text}", cites=point.cites, kb_cites=point.kb_cites
                )
            )
        for analysis in section.analysis:
            share = next((p for p in analysis.role if p.text.startswith("CPC carries")), None)
            if share is not None:
                points.append(share)
            if analysis.alternatives_summary is not None:
                points.append(analysis.alternatives_summary)
        if section.impact:
            points.append(Point(text="Impact model: " + section.impact[0].text, cites=section.cites))
    # Every bullet cites something: fall back to the incident's articles.
    return [
        p if p.cites or p.kb_cites else Point(text=p.text, cites=sections[0].cites) for p in _dedupe(points)
    ]


def _timeline(
    records: Sequence[Mapping[str, Any]], sections: list[IncidentSection], cites: _Citations
) -> list[TimelineRow]:
    rows = []
    for record, section in zip(records, sections, strict=True):
        reports: list[tuple[dt.date, str]] = []
        for article_id in record.get("articles") or []:
            article = cites.articles.get(article_id)
            day = _day(article.published) if article is not None else None
            if day is not None:
                reports.append((day, cites.outlet(article_id)))
        where = ", ".join(section.asset_names) or section.location or "unnamed site"
        rows.append(
            TimelineRow(
                label=f"{section.type_label} — {where}", date=section.date_start, reports=sorted(reports)
            )
        )
    return rows


def build_brief(
    incidents: list[dict[str, Any]],
    articles: Mapping[str, ArticleLike],
    kb: KnowledgeBase,
    *,
    title: str,
    related: Sequence[Mapping[str, Any]] = (),
    generated: dt.date | None = None,
) -> Brief:
    """Build a brief over incident records (``export.incident_record`` shape).

    ``articles`` maps article id → outlet, title, url, published (and optionally the
    clean ``text``); ``related`` are further incident records (e.g. earlier incidents on
    the same assets from the store) used only for "recent incidents on the same route".
    """
    cites = _Citations(articles)
    ordered = sorted(incidents, key=lambda r: ((r.get("date") or {}).get("start") or "", str(r.get("id"))))
    others = [*ordered, *related]
    sections = [_section(r, kb, cites, others) for r in ordered]
    days = [s.date_start for s in sections if s.date_start]
    period = f"{min(days)} to {max(days)}" if days else "undated"
    if days and min(days) == max(days):
        period = str(min(days))
    return Brief(
        title=title,
        generated=generated or dt.date.today(),
        period=period,
        key_points=_key_points(sections) if sections else [],
        incidents=sections,
        timeline=_timeline(ordered, sections, cites),
        sources=cites.entries(),
        kb_sources=sorted(
            cites.kb.values(), key=lambda s: (s.id[0], int(re.sub(r"\D", "", s.id) or 0), s.id)
        ),
    )
