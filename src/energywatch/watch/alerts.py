"""Which incidents deserve an alert, and when a known one has changed enough to say so.

An incident is judged on its *snapshot*: a small JSON summary of what subscribers care
about (what, where, when, how sure, how bad), built from the incident and its
verification (``snapshot``). Rules filter snapshots; the alert ledger (one
``AlertLineage`` per incident followed across re-resolution) remembers the snapshot each
last alert was raised on, and a new alert is raised only when

- the incident is new to the ledger and matches a rule  → one ``new_incident`` alert;
- a known incident changed *materially* since its last alert (``material_changes``):
  a newly contested attribute, a new knowledge-base conflict, the P50 of the modelled
  export loss moving by more than ``impact_change`` of its previous value (25% by
  default) and by at least ``IMPACT_FLOOR_BBL`` barrels, or different casualty figures
  → one ``update`` alert listing the changes.

Anything else (another outlet repeating the story, a copy, a new id after a merge) only
moves the ledger along silently. Incidents already stored when the watcher first
starts count as announced, so a first start does not flood the channels; later
material changes to them do alert.

Severity (for ``min_severity`` rules) is derived from what the records hold, since
reports rarely grade damage: ``critical`` when someone was killed or the P50 loss is at
least 100,000 b/d; ``high`` when someone was injured or it is at least 10,000 b/d;
``moderate`` for any other attack or accident that was not reported intercepted; ``low``
for the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from energywatch.assessment import Assessment
from energywatch.kb import KnowledgeBase
from energywatch.models import Alert, AlertKind, AlertLineage, Incident
from energywatch.verify import AttributeVerdict
from energywatch.watch.config import SEVERITIES, RuleConfig, Severity

IMPACT_FLOOR_BBL = 1_000.0
CRITICAL_BPD = 100_000.0
HIGH_BPD = 10_000.0
_CASUALTIES = ("killed", "injured")


# --------------------------------------------------------------------------- snapshots


def _date_text(incident: Incident) -> str | None:
    start, end = incident.date.start, incident.date.end
    if start is None:
        return None
    return start.isoformat() if end in (None, start) else f"{start.isoformat()}/{end.isoformat()}"


def _range_max(value: Any) -> float | None:
    if isinstance(value, list | tuple) and value and all(isinstance(v, int | float) for v in value):
        return float(max(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _span(verdict: AttributeVerdict) -> list[float] | None:
    """The range every counted figure falls in ("2" and "3" → [2, 3]): a higher count from
    any firm report is news, even while most outlets still give the lower one."""
    bounds = [
        (float(c.value[0]), float(c.value[-1]))
        for group in verdict.groups
        for c in group
        if isinstance(c.value, list) and c.value and all(isinstance(v, int | float) for v in c.value)
    ]
    if not bounds:
        value = verdict.value
        if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
            bounds = [(float(value[0]), float(value[-1]))]
    if not bounds:
        return None
    return [min(b[0] for b in bounds), max(b[1] for b in bounds)]


def snapshot(
    incident: Incident, assessment: Assessment, kb: KnowledgeBase, outlet_of: Mapping[str, str]
) -> dict[str, Any]:
    """The JSON-shaped summary rules and change detection look at."""
    verdicts = assessment.verdicts
    assets = [a for a in incident.assets if a in kb]
    countries = sorted(
        {c for a in assets for c in kb.get(a).country}
        | ({incident.location.country} if incident.location and incident.location.country else set())
    )
    copies = set(incident.copies)
    outlets = {outlet_of.get(a, a) for a in incident.articles if a not in copies}
    casualties = {name: span for name in _CASUALTIES if name in verdicts and (span := _span(verdicts[name]))}
    impact = incident.impact
    impact_view = None
    if impact is not None and impact.modelled and impact.lost_bpd and impact.lost_bbl:
        impact_view = {
            "p10_bpd": impact.lost_bpd.p10,
            "p50_bpd": impact.lost_bpd.p50,
            "p90_bpd": impact.lost_bpd.p90,
            "p50_bbl": impact.lost_bbl.p50,
            "asset": impact.asset,
        }
    contested = sorted(name for name, v in verdicts.items() if v.status == "contested")
    type_status = verdicts["type"].status if "type" in verdicts else "single-source"
    consensus = "contested" if contested else ("agreed" if type_status == "agreed" else "single-source")
    damage = verdicts.get("damage")
    intercepted = bool(
        damage is not None and isinstance(damage.value, dict) and damage.value.get("severity") == "none"
    )
    snap: dict[str, Any] = {
        "incident_id": incident.id,
        "category": incident.category,
        "type": incident.type,
        "date": _date_text(incident),
        "assets": assets,
        "asset_names": [kb.get(a).name for a in assets],
        "place": incident.location.name if incident.location else None,
        "countries": countries,
        "articles": len(incident.articles),
        "outlets": len(outlets),
        "consensus": consensus,
        "contested": contested,
        "kb_conflicts": sorted({f"{c.asset_id}: {c.reason}" for c in assessment.conflicts}),
        "casualties": casualties,
        "impact": impact_view,
        "intercepted": intercepted,
    }
    snap["severity"] = severity(snap)
    return snap


def severity(snap: Mapping[str, Any]) -> Severity:
    casualties = snap.get("casualties") or {}
    killed = _range_max(casualties.get("killed")) or 0.0
    injured = _range_max(casualties.get("injured")) or 0.0
    bpd = (snap.get("impact") or {}).get("p50_bpd") or 0.0
    if killed > 0 or bpd >= CRITICAL_BPD:
        return "critical"
    if injured > 0 or bpd >= HIGH_BPD:
        return "high"
    if snap.get("category") in {"attack", "accident"} and not snap.get("intercepted"):
        return "moderate"
    return "low"


# --------------------------------------------------------------------------- rules


def asset_closure(kb: KnowledgeBase, ids: Iterable[str]) -> frozenset[str]:
    """The ids and, recursively, their components: a rule on ``cpc_pipeline`` covers
    every pumping station of it."""
    found: set[str] = set()
    todo = list(ids)
    while todo:
        asset_id = todo.pop()
        if asset_id in found or asset_id not in kb:
            continue
        found.add(asset_id)
        todo.extend(kb.get(asset_id).components)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Rule:
    """A configured rule with its asset list expanded once."""

    config: RuleConfig
    assets: frozenset[str]

    @property
    def name(self) -> str:
        return self.config.name

    def matches(self, snap: Mapping[str, Any]) -> bool:
        c = self.config
        impact = snap.get("impact") or {}
        checks = (
            not c.assets or bool(self.assets & set(snap.get("assets", []))),
            not c.countries or bool(set(c.countries) & set(snap.get("countries", []))),
            not c.categories or snap.get("category") in c.categories,
            not c.types or snap.get("type") in c.types,
            c.min_severity is None
            or SEVERITIES.index(snap.get("severity", "low")) >= SEVERITIES.index(c.min_severity),
            c.min_impact_bpd is None or (impact.get("p50_bpd") or 0.0) >= c.min_impact_bpd,
            not c.consensus or snap.get("consensus") in c.consensus,
            c.min_outlets is None or snap.get("outlets", 0) >= c.min_outlets,
        )
        return all(checks)


def compile_rules(rules: Sequence[RuleConfig], kb: KnowledgeBase) -> list[Rule]:
    return [Rule(r, asset_closure(kb, r.assets)) for r in rules]


# --------------------------------------------------------------------------- changes


def _fmt_casualty(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        low, high = (f"{v:g}" for v in value)
        return low if low == high else f"{low}–{high}"
    return "not reported" if value is None else str(value)


def _p50(snap: Mapping[str, Any]) -> float:
    return float((snap.get("impact") or {}).get("p50_bbl") or 0.0)


def material_changes(old: Mapping[str, Any], new: Mapping[str, Any], impact_change: float) -> list[str]:
    """What changed that subscribers must hear about; empty when nothing material did."""
    found: list[str] = []
    for name in new.get("contested", []):
        if name not in old.get("contested", []):
            found.append(f"{name} is now contested between sources")
    for conflict in new.get("kb_conflicts", []):
        if conflict not in old.get("kb_conflicts", []):
            found.append(f"new knowledge-base conflict: {conflict}")
    before, after = _p50(old), _p50(new)
    moved = abs(after - before)
    if moved >= IMPACT_FLOOR_BBL and moved > impact_change * before:
        found.append(
            f"modelled export loss P50 moved from {before:,.0f} to {after:,.0f} barrels "
            f"({(new.get('impact') or {}).get('p50_bpd') or 0:,.0f} b/d)"
        )
    old_cas, new_cas = old.get("casualties") or {}, new.get("casualties") or {}
    for name in _CASUALTIES:
        if name in new_cas and new_cas.get(name) != old_cas.get(name):
            found.append(f"{name}: {_fmt_casualty(old_cas.get(name))} → {_fmt_casualty(new_cas[name])}")
    return found


# --------------------------------------------------------------------------- planning


def _title(kind: AlertKind, snap: Mapping[str, Any]) -> str:
    what = str(snap.get("type", "incident")).replace("_", " ")
    where = ", ".join(snap.get("asset_names") or []) or snap.get("place") or "unknown site"
    countries = "/".join(snap.get("countries") or [])
    when = snap.get("date") or "date unknown"
    head = "New incident" if kind is AlertKind.new_incident else "Incident update"
    return f"{head}: {what} at {where}" + (f" ({countries})" if countries else "") + f", {when}"


def _summary(snap: Mapping[str, Any]) -> str:
    parts = [
        f"severity {snap.get('severity')}; {snap.get('consensus')} "
        f"({snap.get('outlets')} outlet(s), {snap.get('articles')} article(s))"
    ]
    impact = snap.get("impact")
    if impact:
        parts.append(
            f"modelled Kazakh export loss P50 {impact['p50_bpd']:,.0f} b/d "
            f"(P10–P90 {impact['p10_bpd']:,.0f}–{impact['p90_bpd']:,.0f})"
        )
    casualties = snap.get("casualties") or {}
    if casualties:
        parts.append(", ".join(f"{k} {_fmt_casualty(v)}" for k, v in casualties.items()))
    if snap.get("contested"):
        parts.append("contested: " + ", ".join(snap["contested"]))
    if snap.get("kb_conflicts"):
        parts.append(f"{len(snap['kb_conflicts'])} knowledge-base conflict(s)")
    return "; ".join(parts)


def alert_id(lineage: str, kind: AlertKind, sequence: int) -> str:
    return "al-" + hashlib.sha256(f"{lineage}:{kind.value}:{sequence}".encode()).hexdigest()[:20]


def lineage_id(incident: Incident) -> str:
    return "ln-" + hashlib.sha256(incident.id.encode()).hexdigest()[:16]


@dataclass(slots=True)
class AlertPlan:
    """What one evaluation decided: ledger rows to save and alerts to queue."""

    lineages: list[AlertLineage] = field(default_factory=list)
    alerts: list[tuple[Alert, list[str]]] = field(default_factory=list)


def _match_lineages(
    incidents: Sequence[Incident], lineages: Sequence[AlertLineage]
) -> dict[str, AlertLineage]:
    """incident id → the lineage it continues: the same id, else the one sharing most
    articles (each lineage continues at most one incident)."""
    by_id = {ln.incident_id: ln for ln in lineages}
    by_article: dict[str, list[AlertLineage]] = {}
    for ln in lineages:
        for article in ln.articles:
            by_article.setdefault(article, []).append(ln)
    taken: set[str] = set()
    found: dict[str, AlertLineage] = {}
    for incident in incidents:
        same = by_id.get(incident.id)
        if same is not None and same.lineage not in taken:
            found[incident.id] = same
            taken.add(same.lineage)
    for incident in incidents:
        if incident.id in found:
            continue
        overlap: dict[str, tuple[int, AlertLineage]] = {}
        for article in incident.articles:
            for ln in by_article.get(article, []):
                if ln.lineage not in taken:
                    n, _ = overlap.get(ln.lineage, (0, ln))
                    overlap[ln.lineage] = (n + 1, ln)
        if overlap:
            _, best = max(overlap.values(), key=lambda item: (item[0], item[1].alerted, item[1].lineage))
            found[incident.id] = best
            taken.add(best.lineage)
    return found


def plan_alerts(
    current: Sequence[tuple[Incident, dict[str, Any]]],
    lineages: Sequence[AlertLineage],
    rules: Sequence[Rule],
    *,
    now: dt.datetime,
    impact_change: float,
    baseline: bool = False,
) -> AlertPlan:
    """Decide the alerts for ``current`` (incidents with their snapshots) against the
    ledger. With ``baseline`` every incident is recorded as already announced."""
    plan = AlertPlan()
    continued = _match_lineages([i for i, _ in current], lineages)
    for incident, snap in current:
        matched = [r for r in rules if r.matches(snap)]
        known = continued.get(incident.id)
        articles = sorted(incident.articles)
        if known is None or not known.alerted:
            if baseline:
                plan.lineages.append(
                    AlertLineage(
                        lineage=known.lineage if known else lineage_id(incident),
                        incident_id=incident.id,
                        articles=articles,
                        snapshot=snap,
                        alerted=True,
                    )
                )
                continue
            if not matched:
                continue
            lineage = known.lineage if known else lineage_id(incident)
            alert = _alert(AlertKind.new_incident, lineage, 1, incident, snap, matched, now)
            plan.lineages.append(
                AlertLineage(
                    lineage=lineage,
                    incident_id=incident.id,
                    articles=articles,
                    snapshot=snap,
                    alerted=True,
                    alerts=1,
                )
            )
            plan.alerts.append((alert, _channels(matched)))
            continue
        changes = [] if baseline else material_changes(known.snapshot, snap, impact_change)
        if changes:
            previously = [r for r in rules if r.matches(known.snapshot)]
            targets = [*matched, *(r for r in previously if r not in matched)]
            if targets:
                sequence = known.alerts + 1
                alert = _alert(
                    AlertKind.update, known.lineage, sequence, incident, snap, targets, now, changes
                )
                plan.alerts.append((alert, _channels(targets)))
                plan.lineages.append(
                    known.model_copy(
                        update={
                            "incident_id": incident.id,
                            "articles": articles,
                            "snapshot": snap,
                            "alerts": sequence,
                        }
                    )
                )
                continue
        if known.incident_id != incident.id or known.articles != articles:
            # The same story under a new id or with more reports: follow it, keep the
            # snapshot of the last alert so slow drift still adds up to a change.
            plan.lineages.append(known.model_copy(update={"incident_id": incident.id, "articles": articles}))
    return plan


def _alert(
    kind: AlertKind,
    lineage: str,
    sequence: int,
    incident: Incident,
    snap: dict[str, Any],
    rules: Sequence[Rule],
    now: dt.datetime,
    changes: list[str] | None = None,
) -> Alert:
    return Alert(
        id=alert_id(lineage, kind, sequence),
        kind=kind,
        incident_id=incident.id,
        rules=[r.name for r in rules],
        created=now,
        title=_title(kind, snap),
        summary=_summary(snap),
        changes=changes or [],
        incident=snap,
    )


def _channels(rules: Sequence[Rule]) -> list[str]:
    return list(dict.fromkeys(c for r in rules for c in r.config.channels))
