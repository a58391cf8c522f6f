"""The impact engine: daily flows through the export network under a disruption, for
every Monte Carlo sample at once.

The network is series-parallel (supplies join one line at known stations; the line
ends in a tank farm and parallel moorings; cut Kazakh oil may take parallel
alternatives), so its maximum flow has a closed form, evaluated with NumPy over all
samples per day instead of solving an LP per sample and day:

1. **Supplies** ``s_j`` (Mt/yr) fall with a disrupted field — or, for Karachaganak,
   with the Orenburg plant, by the sampled coupling share. Oil lost at a field is lost
   production: no route can carry it.
2. **Route.** Walking the stations in flow order, supplies join where they enter; a
   station's capacity is its section's, reduced for a disrupted station by the
   hydraulic rule ``C·(1 − Σf/k)^e`` (f the losses of the section's disrupted stations,
   k its stations, e the flow–head exponent: a bypassed station lowers the *maximum*,
   and costs volume only when the flow exceeds it). Above capacity, every shipper is cut pro rata, as CPC
   allocates capacity by shares. The total passed equals the max-flow of the chain.
3. **Terminal.** Loading capacity is ``min(available SPMs, active SPMs) × per-SPM``
   rate, scaled by a disrupted terminal or tank farm. The tanks' headroom (buffer days
   × baseline flow) takes what cannot be loaded until it is full — only then must
   upstream cut — and the backlog is loaded later from spare loading capacity.
A disruption that ``applies_to="flow"`` (what reports of a flow reduction describe)
caps the flow through its asset at that share below the baseline instead: a station at
``(1 − r)·F`` of the flow F through it, the terminal at ``(1 − r)`` of its loadings, an
alternative at ``(1 − r)`` of its flow; for a field it is the same as a capacity loss,
and for an asset a field depends on (the Orenburg plant) it is the field's own reduction,
which is what such reports quantify.

4. **Alternatives** take Kazakh oil that was produced but could not enter the CPC, up
   to their spare capacity, each reaching it linearly over its ramp-up days from the
   first disruption's start. A disrupted alternative also loses its baseline flow, of
   which the exporter's share (``kazakh_flow``) counts as lost exports.

Lost exports of the exporter on a day = (baseline Kazakh CPC loadings + alternative
flows) − (Kazakh share of loadings + alternative flows + absorbed diversions). Summed
over the horizon, with the day loop stopping early once every sample is back at
baseline (nothing disrupted, tanks at their normal level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from energywatch.impact.network import Network
from energywatch.impact.scenario import Disruption, Range, Scenario

Array = npt.NDArray[np.float64]
Val = Array | float
"""A per-sample array, or one float while no sampled input has reached the quantity."""
BAND_SAMPLES = 10_000
"""Daily P10/P50/P90 bands are computed from at most this many samples (the first
ones): enough for stable percentiles, and it keeps the daily matrix small."""


@dataclass(frozen=True, slots=True)
class Draws:
    """What was sampled, one value per sample (the analyst can inspect any of them)."""

    loss: dict[int, Array]  # disruption index → capacity loss fraction
    duration: dict[int, Array]  # disruption index → days
    bbl_per_t: Array
    buffer_days: Array
    spm_mt_yr: Array
    coupling: Array


@dataclass(frozen=True, slots=True)
class Simulation:
    """Per-sample totals and the daily loss matrix of the band samples."""

    draws: Draws
    lost_kz_mt: Array
    lost_cpc_mt: Array
    absorbed_mt: Array
    loaded_kz_mt: Array  # Kazakh CPC loadings over the simulated days, with the disruption
    daily_kz_mt: npt.NDArray[np.float32]  # (band samples, horizon days)
    days_run: int
    kazakh_cpc_flow: float
    cpc_flow: float
    alternatives_flow: float


def _uniform(rng: np.random.Generator, rng_range: Range | tuple[float, float], n: int) -> Array:
    low, high = (rng_range.low, rng_range.high) if isinstance(rng_range, Range) else rng_range
    return np.full(n, low) if low == high else rng.uniform(low, high, n)


def _activity(d: Disruption, duration: Array, day: int) -> Array:
    """Share of the disruption's loss in force on ``day`` (0–1): full for the duration
    (a fractional last day counts in part), then a linear recovery over the ramp-back."""
    t = float(day - d.start_day)
    if t < 0:
        return np.zeros_like(duration)
    full = np.clip(duration - t, 0.0, 1.0)
    if d.ramp_back_days <= 0:
        return full
    # The part of the day in recovery gets the exact mean of the linear ramp over it:
    # ∫ max(0, 1 − a/r) da over the day's span of a (days since the full loss ended).
    r = d.ramp_back_days
    a0 = np.clip(t - duration, 0.0, r)
    a1 = np.clip(t + 1.0 - duration, 0.0, r)
    return full + (a1 - a1 * a1 / (2 * r)) - (a0 - a0 * a0 / (2 * r))


@dataclass(slots=True)
class _Day:
    """One day's exports (Mt/yr rates) and the tank level it leaves (Mt)."""

    loaded: Array
    loaded_kz: Array
    exports_kz: Array
    taken: Array
    excess: Array


class _Model:
    """The network prepared for one scenario's samples (module docstring for the rules)."""

    def __init__(self, network: Network, scenario: Scenario, draws: Draws) -> None:
        self.net, self.draws, self.n = network, draws, scenario.samples
        kz = network.meta.exporter
        scale = (
            scenario.kazakh_cpc_rate_mt / network.kazakh_cpc_flow
            if scenario.kazakh_cpc_rate_mt and network.kazakh_cpc_flow
            else 1.0
        )
        self.supply = {s.id: s.flow * (scale if s.country == kz else 1.0) for s in network.supplies}
        self.base_kz = sum(self.supply[s.id] for s in network.supplies if s.country == kz)
        self.base_total = sum(self.supply.values())
        self.sections = {
            sec: sum(1 for s in network.route.stations if s.section == sec) for sec in ("kazakh", "russian")
        }
        self.per_day = 1.0 / network.meta.days_per_year
        self.headroom = draws.buffer_days * self.base_total * self.per_day  # Mt
        # Assets whose loss caps the flow through them rather than their capacity.
        self.flow_mode = {d.asset for d in scenario.disruptions if d.applies_to == "flow"}
        stations = network.route.stations
        self.section_ends = {
            s.id
            for i, s in enumerate(stations)
            if i + 1 == len(stations) or stations[i + 1].section != s.section
        }
        self.section_of = {s.id: s.section for s in stations}
        self.first_day = min(d.start_day for d in scenario.disruptions)
        self.through = {s.id: network.flow_through(s.id, scale) for s in stations}

    def _section_caps(self, loss_of: dict[str, Array]) -> dict[str, Val]:
        """Each section's capacity today: its bypassed stations' lost head adds up over
        the section, ``C·(1 − Σf/k)^e`` (module docstring)."""
        lost: dict[str, Val] = {}
        for asset, loss in loss_of.items():
            where = self.section_of.get(asset)
            if where is not None and asset not in self.flow_mode:
                lost[where] = lost.get(where, 0.0) + loss
        exponent = self.net.pumping_station_hydraulics.flow_head_exponent
        caps: dict[str, Val] = {}
        for section, k in self.sections.items():
            cap = self.net.route.capacity(section)
            if section in lost:
                caps[section] = cap * np.clip(1.0 - lost[section] / k, 0.0, 1.0) ** exponent
            else:
                caps[section] = cap
        return caps

    def step(self, day: int, loss_of: dict[str, Array], excess: Array) -> _Day:
        """One day. Undisrupted quantities stay Python floats (NumPy broadcasts them), so
        a day costs array work only where a disruption reaches."""
        net, kz = self.net, self.net.meta.exporter
        kz_flow: Val = 0.0
        ru_flow: Val = 0.0
        produced_kz: Val = 0.0
        entering: dict[str, list[tuple[str, Val]]] = {}
        for supply in net.supplies:
            flow: Val = self.supply[supply.id]
            if supply.id in loss_of:
                flow = flow * (1.0 - loss_of[supply.id])
            dep = supply.depends_on
            if dep is not None and dep.asset in loss_of:
                # Reports of a flow reduction quantify the dependent output itself
                # ("Karachaganak liquids -25-30%"); a capacity loss goes through the coupling.
                coupling = 1.0 if dep.asset in self.flow_mode else self.draws.coupling
                flow = flow * (1.0 - coupling * loss_of[dep.asset])
            if supply.country == kz:
                produced_kz = produced_kz + flow
            entering.setdefault(supply.enters, []).append((supply.country, flow))
        section_cap = self._section_caps(loss_of)
        for station in net.route.stations:
            for country, flow in entering.get(station.id, []):
                if country == kz:
                    kz_flow = kz_flow + flow
                else:
                    ru_flow = ru_flow + flow
            if station.id in loss_of and station.id in self.flow_mode:
                capacity = (1.0 - loss_of[station.id]) * self.through[station.id]
                kz_flow, ru_flow = _prorata(kz_flow, ru_flow, capacity)
            # Flow only grows along a section, so its cap binds at its last station.
            if station.id in self.section_ends:
                cap = section_cap[station.section]
                if not _within(kz_flow + ru_flow, cap):
                    kz_flow, ru_flow = _prorata(kz_flow, ru_flow, cap)
        term = net.terminal
        available: Val = float(len(term.spms))
        for spm in term.spms:
            if spm in loss_of and spm not in self.flow_mode:
                available = available - loss_of[spm]
        loading: Val = np.minimum(available, float(term.active_spms)) * self.draws.spm_mt_yr
        for node in (term.id, term.tank_farm, *term.spms):
            if node not in loss_of:
                continue
            if node in self.flow_mode:  # reports say loadings fell by that share
                loading = np.minimum(loading, (1.0 - loss_of[node]) * self.base_total)
            elif node in (term.id, term.tank_farm):
                loading = loading * (1.0 - loss_of[node])
        inflow = kz_flow + ru_flow
        admitted = np.minimum(inflow, loading + (self.headroom - excess) / self.per_day)
        loaded = np.minimum(loading, admitted + excess / self.per_day)
        left = np.maximum(excess + (admitted - loaded) * self.per_day, 0.0)
        if isinstance(inflow, float):
            share_kz: Val = kz_flow / inflow if inflow > 0 else self.base_kz / self.base_total
        else:
            share_kz = np.divide(
                kz_flow, inflow, out=np.full(self.n, self.base_kz / self.base_total), where=inflow > 0
            )
        divertible = np.maximum(produced_kz - admitted * share_kz, 0.0)
        spare: Val = 0.0
        alt_flow: Val = 0.0
        for alt in net.alternatives:
            ramp = min(1.0, max(0, day - self.first_day + 1) / alt.ramp_days)
            room: Val = alt.capacity if alt.capacity is not None else alt.flow + alt.spare
            if alt.id in loss_of:
                kept = 1.0 - loss_of[alt.id]
                room = kept * alt.flow if alt.id in self.flow_mode else room * kept
            flow_now = np.minimum(alt.flow, room)
            # Only the exporter's share of the route counts as its exports (the China line
            # mostly carries Russian transit); a cut route loses it pro rata.
            kept_share = flow_now / alt.flow if alt.flow else 1.0
            alt_flow = alt_flow + alt.kazakh_flow * kept_share
            spare = spare + np.minimum(alt.spare * ramp, np.maximum(room - flow_now, 0.0))
        taken = np.minimum(divertible, spare)
        return _Day(
            loaded=_arr(loaded, self.n),
            loaded_kz=_arr(loaded * share_kz, self.n),
            exports_kz=_arr(loaded * share_kz + alt_flow + taken, self.n),
            taken=_arr(taken, self.n),
            excess=_arr(left, self.n),
        )


def simulate(network: Network, scenario: Scenario) -> Simulation:
    """Run the scenario against the same samples without it; losses are the difference,
    so a baseline that already strains a capacity is not counted as the disruption's."""
    n, horizon = scenario.samples, scenario.horizon_days
    rng = np.random.default_rng(scenario.seed)
    meta, term = network.meta, network.terminal
    draws = Draws(
        loss={i: _uniform(rng, d.capacity_loss, n) for i, d in enumerate(scenario.disruptions)},
        duration={i: _uniform(rng, d.duration_days, n) for i, d in enumerate(scenario.disruptions)},
        bbl_per_t=_uniform(rng, meta.bbl_per_t, n),
        buffer_days=_uniform(rng, term.buffer_days, n),
        spm_mt_yr=_uniform(rng, term.spm_monthly_mt, n) * 12.0,
        coupling=_uniform(rng, _coupling_range(network), n),
    )
    model = _Model(network, scenario, draws)
    by_asset: dict[str, list[int]] = {}
    context: dict[str, list[int]] = {}  # in force in the baseline too (a mooring in maintenance)
    main: dict[str, list[int]] = {}
    for i, d in enumerate(scenario.disruptions):
        by_asset.setdefault(d.asset, []).append(i)
        (context if d.context else main).setdefault(d.asset, []).append(i)
    excess, base_excess = np.zeros(n), np.zeros(n)
    base = model.step(0, _losses(context, scenario.disruptions, draws, 0, n), base_excess)
    # A baseline that neither fills the tanks nor changes with context is the same every day.
    steady = not context and bool(np.all(base.excess <= 1e-12))
    lost_kz, lost_cpc, absorbed, loaded_kz = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    bands = min(n, BAND_SAMPLES)
    daily = np.zeros((bands, horizon), dtype=np.float32)
    last_start = max(d.start_day for d in scenario.disruptions)
    days_run = 0
    for day in range(horizon):
        loss_of = _losses(by_asset, scenario.disruptions, draws, day, n)
        quiet = not _losses(main, scenario.disruptions, draws, day, n)
        if day > last_start and quiet and np.allclose(excess, base_excess, atol=1e-12):
            break  # every sample is back on the baseline: the remaining days add nothing
        days_run = day + 1
        if not steady:
            base = model.step(day, _losses(context, scenario.disruptions, draws, day, n), base_excess)
            base_excess = base.excess
        now = model.step(day, loss_of, excess)
        excess = now.excess
        day_kz = (base.exports_kz - now.exports_kz) * model.per_day
        lost_kz += day_kz
        lost_cpc += (base.loaded - now.loaded) * model.per_day
        absorbed += now.taken * model.per_day
        loaded_kz += now.loaded_kz * model.per_day
        daily[:, day] = day_kz[:bands]
    return Simulation(
        draws=draws,
        lost_kz_mt=lost_kz,
        lost_cpc_mt=lost_cpc,
        absorbed_mt=absorbed,
        loaded_kz_mt=loaded_kz,
        daily_kz_mt=daily,
        days_run=days_run,
        kazakh_cpc_flow=model.base_kz,
        cpc_flow=model.base_total,
        alternatives_flow=sum(a.kazakh_flow for a in network.alternatives),
    )


def _coupling_range(network: Network) -> tuple[float, float]:
    for supply in network.supplies:
        if supply.depends_on is not None:
            return supply.depends_on.share
    return (0.0, 0.0)


def _losses(
    by_asset: dict[str, list[int]], disruptions: list[Disruption], draws: Draws, day: int, n: int
) -> dict[str, Array]:
    """Loss fraction per disrupted asset on ``day``; several disruptions of one asset
    combine as independent failures (1 − Π(1 − loss))."""
    found: dict[str, Array] = {}
    for asset, indices in by_asset.items():
        keep = np.ones(n)
        for i in indices:
            active = _activity(disruptions[i], draws.duration[i], day)
            keep *= 1.0 - draws.loss[i] * active
        if np.any(keep < 1.0):
            found[asset] = 1.0 - keep
    return found


def _within(total: Val, capacity: Val) -> bool:
    return bool(np.all(total <= capacity))


def _prorata(kz: Val, ru: Val, capacity: Val) -> tuple[Val, Val]:
    """Cut every shipper by the same share when the flow exceeds the capacity."""
    total = kz + ru
    if isinstance(total, float) and isinstance(capacity, float):
        scale = min(1.0, capacity / total) if total > 0 else 1.0
        return kz * scale, ru * scale
    total_a, cap_a = np.broadcast_arrays(np.asarray(total, dtype=np.float64), np.asarray(capacity))
    scale_a = np.divide(cap_a, total_a, out=np.ones(total_a.shape), where=total_a > cap_a)
    return kz * scale_a, ru * scale_a


def _arr(value: Val, n: int) -> Array:
    return value if isinstance(value, np.ndarray) else np.full(n, float(value))
