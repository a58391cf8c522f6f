"""An impact result an analyst can read and check: quantiles of what is lost, the
daily path with its band, and every input and assumption it rests on.

Barrels use each sample's own tonnes-to-barrels factor; barrels per day average the
loss over the disruption's own (sampled) duration, the figure traders quote; the share
is of the exporter's yearly exports in the network's baseline year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from energywatch.impact.engine import Simulation
from energywatch.impact.network import Network
from energywatch.impact.scenario import Scenario
from energywatch.models import Quantiles

QUANTILES = (10, 50, 90)


class DailyBand(BaseModel):
    """Lost exports of the exporter on each day (tonnes per day)."""

    model_config = ConfigDict(frozen=True)
    dates: list[str]
    p10: list[float]
    p50: list[float]
    p90: list[float]


class ImpactResult(BaseModel):
    """Everything ``simulate`` reports; JSON-ready (``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)
    exporter: str
    lost_mt: Quantiles
    lost_bbl: Quantiles
    lost_bpd: Quantiles
    share_of_exports: Quantiles
    value_usd: Quantiles | None
    lost_cpc_all_shippers_mt: Quantiles
    absorbed_by_alternatives_mt: Quantiles
    daily: DailyBand
    inputs: dict[str, Any]
    assumptions: list[str]
    notes: list[str]
    sources: dict[str, str]


def _q(values: np.ndarray[Any, Any], digits: int = 6) -> Quantiles:
    p10, p50, p90 = (round(float(v), digits) + 0.0 for v in np.percentile(values, QUANTILES))
    return Quantiles(p10=p10, p50=p50, p90=p90)


def summarise(network: Network, scenario: Scenario, sim: Simulation) -> ImpactResult:
    """Quantiles, the daily band, and the record of inputs and assumptions."""
    draws = sim.draws
    bbl = sim.lost_kz_mt * 1e6 * draws.bbl_per_t
    # Per day of the scenario's own outage (its first disruption; the others are context
    # such as a mooring already in maintenance).
    bpd = bbl / np.maximum(draws.duration[0], 1.0)
    exports = network.meta.exporter_exports_mt
    days = sim.days_run
    start = scenario.start or dt.date(network.meta.year, 1, 1)
    tonnes = sim.daily_kz_mt[:, :days].astype(np.float64) * 1e6
    band = np.percentile(tonnes, QUANTILES, axis=0) if days else np.zeros((3, 0))
    price = scenario.price_usd_per_bbl
    cited = {s for d in scenario.disruptions for s in _sources_of(network, d.asset)}
    cited |= {network.meta.exporter_exports_source, *network.terminal.buffer_sources}
    return ImpactResult(
        exporter=network.meta.exporter_name,
        lost_mt=_q(sim.lost_kz_mt),
        lost_bbl=_q(bbl, 0),
        lost_bpd=_q(bpd, 0),
        share_of_exports=_q(sim.lost_kz_mt / exports),
        value_usd=_q(bbl * price, 0) if price else None,
        lost_cpc_all_shippers_mt=_q(sim.lost_cpc_mt),
        absorbed_by_alternatives_mt=_q(sim.absorbed_mt),
        daily=DailyBand(
            dates=[(start + dt.timedelta(days=i)).isoformat() for i in range(days)],
            p10=[round(float(v), 1) for v in band[0]],
            p50=[round(float(v), 1) for v in band[1]],
            p90=[round(float(v), 1) for v in band[2]],
        ),
        inputs=_inputs(network, scenario, sim),
        assumptions=_assumptions(network),
        notes=_station_notes(network, scenario, sim),
        sources={s: network.sources[s] for s in sorted(cited) if s in network.sources},
    )


def _inputs(network: Network, scenario: Scenario, sim: Simulation) -> dict[str, Any]:
    meta, term = network.meta, network.terminal
    return {
        "disruptions": [
            {
                "asset": d.asset,
                "capacity_loss_pct": f"{d.capacity_loss.low * 100:g}–{d.capacity_loss.high * 100:g}",
                "duration_days": str(d.duration_days),
                "start_day": d.start_day,
                "ramp_back_days": d.ramp_back_days,
                "applies_to": d.applies_to,
                "context": d.context,
            }
            for d in scenario.disruptions
        ],
        "start": scenario.start.isoformat() if scenario.start else None,
        "horizon_days": scenario.horizon_days,
        "days_simulated": sim.days_run,
        "samples": scenario.samples,
        "seed": scenario.seed,
        "price_usd_per_bbl": scenario.price_usd_per_bbl,
        "baseline_year": meta.year,
        "kazakh_cpc_flow_mt_yr": round(sim.kazakh_cpc_flow, 3),
        "cpc_flow_mt_yr": round(sim.cpc_flow, 3),
        "alternatives_flow_mt_yr": round(sim.alternatives_flow, 3),
        "exporter_exports_mt": meta.exporter_exports_mt,
        "bbl_per_t": list(meta.bbl_per_t),
        "tank_buffer_days": list(term.buffer_days),
        "spm_monthly_mt": list(term.spm_monthly_mt),
        "active_spms": term.active_spms,
        "section_capacity_mt_yr": {
            "kazakh": network.route.kazakh_section_capacity,
            "russian": network.route.russian_section_capacity,
        },
        "alternatives": [
            {"id": a.id, "spare_mt_yr": a.spare, "ramp_days": a.ramp_days} for a in network.alternatives
        ],
    }


def _assumptions(network: Network) -> list[str]:
    hyd = network.pumping_station_hydraulics
    return [
        "Inputs given as ranges are sampled uniformly and independently.",
        f"A disrupted pumping station leaves (1 - loss/k)^{hyd.flow_head_exponent:g} of its section's "
        f"capacity (k stations in the section): {hyd.assumption}.",
        "Above a capacity every shipper is cut pro rata, as CPC allocates capacity by shares.",
        "Oil lost at a field is lost production; only oil produced but not admitted to the CPC can "
        "take an alternative route, up to its spare capacity reached over its ramp-up days.",
        "The terminal's tanks take what cannot be loaded for their buffer days; the backlog is "
        "loaded afterwards from spare loading capacity. The operating stock is never drawn down.",
        "One mooring loads the sampled per-SPM monthly rate; two load at once, the third is a backup.",
        f"Baseline flows are the network's {network.meta.year} figures unless the scenario sets the "
        "Kazakh CPC rate; losses are measured against the same samples without the disruption.",
    ]


def _sources_of(network: Network, asset: str) -> list[str]:
    for supply in network.supplies:
        if supply.id == asset or (supply.depends_on and supply.depends_on.asset == asset):
            return [*supply.sources, *(supply.depends_on.sources if supply.depends_on else [])]
    if asset in {s.id for s in network.route.stations}:
        return list(network.route.sources)
    if asset in {network.terminal.id, network.terminal.tank_farm, *network.terminal.spms}:
        return [*network.terminal.spm_sources, *network.terminal.buffer_sources]
    for alt in network.alternatives:
        if alt.id == asset:
            return list(alt.sources)
    return []


def _station_notes(network: Network, scenario: Scenario, sim: Simulation) -> list[str]:
    """For each disrupted pumping station: the capacity left against the flow through it,
    which says at once whether the cap costs any volume."""
    stations = network.route.stations
    order = [s.id for s in stations]
    scale = sim.kazakh_cpc_flow / network.kazakh_cpc_flow if network.kazakh_cpc_flow else 1.0
    notes = []
    for d in scenario.disruptions:
        if d.asset not in order:
            continue
        at = order.index(d.asset)
        section = stations[at].section
        k = sum(1 for s in stations if s.section == section)
        exponent = network.pumping_station_hydraulics.flow_head_exponent
        cap = network.route.capacity(section)
        high, low = (cap * (1 - f / k) ** exponent for f in (d.capacity_loss.low, d.capacity_loss.high))
        through = network.flow_through(d.asset, scale)
        verdict = (
            "the cap costs no volume"
            if low >= through
            else f"up to {through - low:.1f} Mt/yr cannot pass while it lasts"
        )
        notes.append(
            f"{d.asset}: with {d.capacity_loss.low * 100:g}–{d.capacity_loss.high * 100:g}% of its head lost "
            f"the {section} section keeps {low:.1f}–{high:.1f} Mt/yr of {cap:g}, against "
            f"{through:.1f} Mt/yr flowing through it: {verdict}"
        )
    return notes
