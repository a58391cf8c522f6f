"""Scenarios built from what the reports of an incident say, and their results kept
with the incident.

An incident on an asset of the export network becomes a scenario:

- **asset**: the incident's most specific asset the network models — a mooring before
  its terminal, a station before the pipeline (the pipeline itself is not a node);
- **loss**: the reported flow reductions (``flow_reduction_pct``) of every report that
  is not a copy, hedged ones included, merged into one range from the lowest to the
  highest version: disagreeing reports *widen* the input rather than pick a winner.
  A reduction is what the reports say happened to the *flow* (not to a capacity), so
  it is applied as a cap at that share below the baseline flow through the asset;
- **duration**: the reported durations, merged the same way; none reported → 1–30
  days, said in the basis;
- **start**: the incident's date.

Incidents with no network asset, no reported reduction, or no date get no impact; the
reason is kept so ``show`` can say why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from energywatch.impact import run
from energywatch.impact.network import Network
from energywatch.impact.scenario import Disruption, Range, Scenario
from energywatch.models import Claim, Incident, IncidentImpact

DEFAULT_DURATION_DAYS = (1.0, 30.0)
"""Used when no report gives a duration: from a day to a month, stated in the basis."""
_SPECIFIC_FIRST = ("mooring", "station", "terminal", "field", "supply", "alternative")


def _ranges(claims: list[Claim]) -> list[tuple[float, float]]:
    found = []
    for claim in claims:
        value: Any = claim.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append((float(value), float(value)))
        elif isinstance(value, list | tuple) and len(value) == 2:
            low, high = sorted(float(v) for v in value)
            found.append((low, high))
    return found


def _kind(network: Network, asset: str) -> str:
    if asset in network.terminal.spms:
        return "mooring"
    if asset in {s.id for s in network.route.stations}:
        return "station"
    if asset in {network.terminal.id, network.terminal.tank_farm}:
        return "terminal"
    if asset in {s.id for s in network.supplies} or any(
        s.depends_on and s.depends_on.asset == asset for s in network.supplies
    ):
        return "field"
    return "alternative"


def scenario_for(incident: Incident, network: Network, samples: int) -> tuple[Scenario | None, list[str]]:
    """The scenario the reports support, and the basis (or the reason there is none)."""
    on_network = [a for a in incident.assets if a in network.node_ids]
    if not on_network:
        return None, ["no asset of the incident is on the export flow network"]
    asset = min(on_network, key=lambda a: (_SPECIFIC_FIRST.index(_kind(network, a)), a))
    if incident.date.start is None:
        return None, ["the incident has no known date to start the scenario from"]
    copies = set(incident.copies)
    claims = [c for e in incident.events for c in e.claims if c.article_id not in copies]
    flows = _ranges([c for c in claims if c.field == "flow_reduction_pct"])
    if not flows:
        return None, [f"no report gives a flow reduction for {asset}"]
    loss = (min(low for low, _ in flows), max(high for _, high in flows))
    loss = (max(0.0, loss[0]) / 100, min(100.0, loss[1]) / 100)
    durations = [
        (low, high) for low, high in _ranges([c for c in claims if c.field == "duration_days"]) if high > 0
    ]
    basis = [
        f"asset {asset}",
        f"flow reduction {loss[0] * 100:g}–{loss[1] * 100:g}% from {len(flows)} reported version(s)",
    ]
    if durations:
        longest = max(high for _, high in durations)
        # Half a day at least, unless every report says less ("restored within hours").
        days = (min(max(min(low for low, _ in durations), 0.5), longest), longest)
        basis.append(f"duration {days[0]:g}–{days[1]:g} days from {len(durations)} reported version(s)")
    else:
        days = DEFAULT_DURATION_DAYS
        basis.append(f"no duration reported: {days[0]:g}–{days[1]:g} days assumed")
    seed = int(hashlib.sha256(incident.id.encode()).hexdigest()[:8], 16)
    scenario = Scenario(
        disruptions=[
            Disruption(
                asset=asset,
                capacity_loss=Range.of(*loss),
                duration_days=Range.of(*days),
                applies_to="flow",
            )
        ],
        start=incident.date.start,
        samples=samples,
        seed=seed,
    )
    return scenario, basis


def incident_impact(incident: Incident, network: Network, samples: int) -> IncidentImpact | None:
    """The impact of an incident, or None when its reports do not support a scenario."""
    scenario, basis = scenario_for(incident, network, samples)
    if scenario is None:
        return IncidentImpact(modelled=False, basis=basis)
    result = run(scenario, network)
    return IncidentImpact(
        modelled=True,
        basis=basis,
        asset=scenario.disruptions[0].asset,
        start=scenario.start or dt.date.min,
        samples=samples,
        network_year=network.meta.year,
        lost_mt=result.lost_mt,
        lost_bbl=result.lost_bbl,
        lost_bpd=result.lost_bpd,
        share_of_exports=result.share_of_exports,
        lost_cpc_all_shippers_mt=result.lost_cpc_all_shippers_mt,
        notes=result.notes,
    )
