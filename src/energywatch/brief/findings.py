"""What the sources say about one incident: consensus, disagreements, verification, impact.

These read one incident record (the DESIGN §11 shape from
``energywatch.export.incident_record``) and turn it into cited points: what independent
outlets agree on, each contested attribute with every version and who gives it, the
numeric claims for the claim-comparison chart, the contradictions and knowledge-base
conflicts verification found, and the impact model's figures. The asset analysis, which
reads the knowledge base rather than the record, is in ``brief.analysis``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from energywatch.brief.citations import Citations, dedupe
from energywatch.brief.formatting import (
    asset_name,
    attribute_label,
    date_text,
    format_value,
    numeric_range,
    type_label,
)
from energywatch.brief.model import ClaimPoint, Disagreement, Point, Version
from energywatch.kb import KnowledgeBase


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _independent(claims: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(c["article"] for c in claims if not c.get("copy")))


def find_consensus(record: Mapping[str, Any], kb: KnowledgeBase, cites: Citations) -> list[Point]:
    articles: list[str] = list(record.get("articles") or [])
    copies = set(record.get("copies") or [])
    independent = [a for a in articles if a not in copies]
    outlets = sorted({cites.outlet(a) for a in independent})
    where = _where(record, kb)
    what = f"A {type_label(record['type'])} at {where} on {date_text(record.get('date'))}"
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
                f"{attribute_label(attribute).capitalize()}: {value} "
                f"(agreed by {len(backers)} independent sources)."
            )
        else:
            speaker = next((c.get("speaker") for c in claims if c.get("speaker")), None)
            who = f"{cites.outlet(backers[0])}" + (f", citing {speaker}" if speaker else "")
            text = f"{attribute_label(attribute).capitalize()}: {value} (single source: {who})."
        points.append(Point(text=text, cites=cites.cite(backers)))
    for response in record.get("responses") or []:
        speaker = response.get("speaker") or cites.outlet(response["article"])
        points.append(
            Point(
                text=f"Response: {speaker} — {str(response.get('type', 'statement')).replace('_', ' ')}.",
                cites=cites.cite([response["article"]]),
            )
        )
    return dedupe(points)


def _where(record: Mapping[str, Any], kb: KnowledgeBase) -> str:
    assets = [asset_name(kb, a) for a in record.get("assets") or []]
    location = record.get("location") or {}
    name = location.get("name")
    if assets:
        place = ", ".join(assets)
        region = next((kb.get(a).region for a in record["assets"] if a in kb and kb.get(a).region), None)
        return f"{place} ({region})" if region else place
    return str(name) if name else "an unnamed site"


def _contested(record: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Contested fields with their claims: the compared attributes, then the frame
    fields (date, place, type), which are contested only through ``contradictions``."""
    attributes = record.get("attributes") or {}
    found = [
        (name, list(a.get("claims") or []))
        for name, a in attributes.items()
        if a.get("status") == "contested"
    ]
    for item in record.get("contradictions") or []:
        if item.get("field") not in attributes:
            claims = [c for v in item.get("versions") or [] for c in v.get("claims") or []]
            found.append((str(item.get("field")), claims))
    return found


def find_disagreements(record: Mapping[str, Any], cites: Citations) -> list[Disagreement]:
    out = []
    for attribute, attr_claims in _contested(record):
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for claim in attr_claims:
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
        out.append(Disagreement(attribute=attribute, label=attribute_label(attribute), versions=versions))
    return out


def find_claim_points(record: Mapping[str, Any], cites: Citations) -> list[ClaimPoint]:
    """Numeric claims of attributes where sources give more than one value."""
    out = []
    for attribute, attr in (record.get("attributes") or {}).items():
        claims = [c for c in attr.get("claims") or [] if not c.get("copy")]
        parsed = [(c, numeric_range(attribute, c.get("value"))) for c in claims]
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
                    attribute=attribute_label(attribute),
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
    versions = [v for v in item.get("versions") or [] if isinstance(v, Mapping)]
    for claim in [*(item.get("claims") or []), *(c for v in versions for c in v.get("claims") or [])]:
        if isinstance(claim, Mapping) and isinstance(claim.get("article"), str):
            found.append(claim["article"])
    return list(dict.fromkeys(found))


def _item_kb_sources(item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return []
    value = item.get("kb_sources") or item.get("sources") or []
    return [str(v) for v in value if isinstance(v, str) and re.fullmatch(r"[A-Z][A-Za-z0-9]*", v)]


def verification_points(items: Any, cites: Citations, kb: KnowledgeBase) -> list[Point]:
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


def _band(q: Any, scale: float = 1.0, digits: int = 2) -> str:
    return " / ".join(f"{float(q[k]) * scale:,.{digits}f}" for k in ("p10", "p50", "p90"))


def impact_points(impact: Any) -> list[Point] | None:
    """The impact model's result (``models.IncidentImpact``) as brief bullets."""
    if not impact:
        return None
    if not isinstance(impact, Mapping):
        return [Point(text=str(impact))]
    if "modelled" in impact:
        if not impact["modelled"]:
            return [Point(text="Not modelled: " + "; ".join(impact.get("basis") or []))]
        points = [
            Point(
                text=f"Lost Kazakh exports P10 / P50 / P90: {_band(impact['lost_mt'], 1, 3)} Mt "
                f"({_band(impact['lost_bbl'], 1e-6, 2)} million bbl; "
                f"{_band(impact['lost_bpd'], 1, 0)} bbl/d over the outage; "
                f"{_band(impact['share_of_exports'], 100, 2)}% of yearly exports)"
            ),
            Point(text="Scenario from the reports: " + "; ".join(impact.get("basis") or [])),
        ]
        points += [Point(text=note) for note in impact.get("notes") or []]
        points.append(
            Point(
                text=f"Monte Carlo, {impact.get('samples')} samples on the {impact.get('network_year')} "
                "export network (assumptions and sources: docs/impact.md)"
            )
        )
        return points
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
