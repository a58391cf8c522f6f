"""The asset's role, computed from the knowledge base: the analysis part of a brief.

For each route an incident touches: what the asset is and what it connects, its
capacity, and for the CPC system its share of Kazakhstan's crude exports, its throughput,
the alternative export routes with their spare capacity, and the recent incidents on the
same route (from the KB's asset histories and from other incident records). Every figure
cites the KB sources it comes from. This is separate from ``brief.findings`` because it
reasons over the knowledge base, not over what the articles report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from energywatch.brief.citations import Citations
from energywatch.brief.formatting import asset_name, number_text, range_text, type_label
from energywatch.brief.model import Alternative, AnalysisSection, Point, RouteEvent
from energywatch.kb import Asset, KnowledgeBase

CPC_PIPELINE = "cpc_pipeline"
CPC_ALTERNATIVES = ("kto_atyrau_samara", "atasu_alashankou", "aktau_port")
RECENT_LIMIT = 8

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
        f"{range_text(min(design_values), max(design_values))} Mt/yr"
        + (" (sources differ)" if len(set(design_values)) > 1 else "")
        if design_values
        else "not in the KB"
    )
    latest_text, spare_text = "not in the KB", "cannot be computed"
    low = high = None
    if flows:
        _, flow, basis, flow_sources = max(flows, key=lambda f: (f[0], f[1]))
        sources += flow_sources
        latest_text = f"≈{number_text(round(flow, 1))} Mt/yr ({basis})"
        if design_values:
            low = max(0.0, min(design_values) - flow)
            high = max(0.0, max(design_values) - flow)
            spare_text = f"≈{range_text(round(low, 1), round(high, 1))} Mt/yr"
    onward = None
    if asset.id == "aktau_port":
        legs = []
        for nxt in ("sangachal_terminal", "btc_pipeline"):
            if nxt in kb:
                caps = [c for c in kb.get(nxt).capacity if c.unit == "mb/d"]
                if caps:
                    legs.append(f"{kb.get(nxt).name} {number_text(float(caps[0].value))} mb/d")
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


def _cpc_role(kb: KnowledgeBase, cites: Citations) -> tuple[list[Point], float, float]:
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
        years = ", ".join(f"{y}: {range_text(round(a), round(b))}%" for y, a, b in sorted(shares))
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
                text=f"CPC throughput {latest_year}: {number_text(total)} Mt (≈{kbd:.2f} mb/d at "
                f"{number_text(conv.cpc_blend_bbl_per_tonne)} bbl/t).",
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
                    text=f"CPC capacity after debottlenecking: {range_text(min(values), max(values))} Mt/yr "
                    "(figures differ between sources).",
                    kb_cites=cites.kb_cite(kb, [s for c in design for s in c.sources], [CPC_PIPELINE]),
                )
            )
    return points, kz_low, kz_high


def _asset_role(kb: KnowledgeBase, asset: Asset, cites: Citations) -> list[Point]:
    points = []
    kind = asset.subtype or asset.type.value.replace("_", " ")
    where = f" in {asset.region}" if asset.region else ""
    operator = f", operated by {asset.operator}" if asset.operator else ""
    points.append(Point(text=f"{asset.name}: {kind}{where}{operator}.", kb_cites=[]))
    names = [asset_name(kb, a) for a in asset.upstream]
    if names:
        points.append(Point(text="Fed from: " + ", ".join(names) + "."))
    names = [asset_name(kb, a) for a in asset.downstream]
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


def analysis_sections(
    record: Mapping[str, Any],
    kb: KnowledgeBase,
    cites: Citations,
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
                    f"≈{range_text(round(low, 1), round(high, 1))} Mt/yr spare, "
                    f"{round(low / kz_high * 100)}–{round(high / kz_low * 100)}% of the "
                    f"{range_text(kz_low, kz_high)} Mt/yr of Kazakh crude CPC carries: "
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
                asset_name=asset_name(kb, hit[0]),
                text=f"{type_label(str(other.get('type')))} (incident {other.get('id')})",
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
