"""The impact engine against arithmetic done by hand, and against networkx's max-flow.

Every random figure of the network (barrels per tonne, tank buffer, SPM rate, the
Orenburg coupling) is pinned to a point value so each expected number can be written
out as the expression that produces it. The bundled 2025 network gives:

    Kazakh CPC supplies 36.6 + 17.0 + 9.2 + 1.0 = 63.8 Mt/yr
    all CPC supplies    63.8 + 5.1 + 1.6       = 70.5 Mt/yr
    exporter's exports  78.7 Mt (2025); one year = 365 days
"""

from __future__ import annotations

from typing import Any, Protocol

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import pytest

from energywatch.impact import Disruption, Network, Range, Scenario, load_network, run
from energywatch.impact.engine import Draws, Simulation, _Model, simulate
from energywatch.impact.result import ImpactResult

YEAR = 365
KZ_CPC = 36.6 + 17.0 + 9.2 + 1.0  # 63.8 Mt/yr
CPC = KZ_CPC + 5.1 + 1.6  # 70.5 Mt/yr
EXPORTS = 78.7  # Mt, Kazakhstan 2025
BBL_PER_T = 7.9
SPM_MONTHLY = 3.5  # Mt a month for one SPM
SPM_YEARLY = SPM_MONTHLY * 12  # 42 Mt/yr; two SPMs in service load 84 Mt/yr
KAZAKH_CAP = 72.5
RUSSIAN_CAP = 81.5
EXPONENT = 0.55
COUPLING = 0.25

# Summaries round Mt and shares to 6 decimals, barrels and dollars to whole numbers.
MT_TOL = 5e-7
BBL_TOL = 0.5


class Quantiles(Protocol):
    """What the tests read of a result's quantiles (the model may move between modules)."""

    @property
    def p10(self) -> float: ...
    @property
    def p50(self) -> float: ...
    @property
    def p90(self) -> float: ...


@pytest.fixture(scope="module")
def bundled() -> Network:
    return load_network()


def pinned(
    network: Network,
    *,
    buffer_days: float = 0.0,
    alternatives: bool = True,
    spm_monthly: float = SPM_MONTHLY,
) -> Network:
    """The network with every sampled figure fixed (and optionally no alternatives)."""
    supplies = [
        s.model_copy(update={"depends_on": s.depends_on.model_copy(update={"share": (COUPLING, COUPLING)})})
        if s.depends_on
        else s
        for s in network.supplies
    ]
    update: dict[str, Any] = {
        "meta": network.meta.model_copy(update={"bbl_per_t": (BBL_PER_T, BBL_PER_T)}),
        "terminal": network.terminal.model_copy(
            update={"spm_monthly_mt": (spm_monthly, spm_monthly), "buffer_days": (buffer_days, buffer_days)}
        ),
        "supplies": supplies,
    }
    if not alternatives:
        update["alternatives"] = []
    return network.model_copy(update=update)


def outage(
    asset: str, loss: float, days: float, *, start_day: int = 0, ramp_back_days: float = 0.0
) -> Disruption:
    return Disruption(
        asset=asset,
        capacity_loss=Range.of(loss),
        duration_days=Range.of(days),
        start_day=start_day,
        ramp_back_days=ramp_back_days,
    )


def scenario(*disruptions: Disruption, samples: int = 4, **kwargs: Any) -> Scenario:
    return Scenario(disruptions=list(disruptions), samples=samples, **kwargs)


def assert_point(q: Quantiles, expected: float, tol: float = MT_TOL) -> None:
    """All three quantiles equal ``expected`` (a deterministic scenario)."""
    assert q.p10 == pytest.approx(expected, abs=tol)
    assert q.p50 == pytest.approx(expected, abs=tol)
    assert q.p90 == pytest.approx(expected, abs=tol)


def assert_exact(values: np.ndarray[Any, Any], expected: float) -> None:
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-12)


# --- 1a: a field loses half its output -------------------------------------------------


def test_field_outage_is_lost_production_by_hand(bundled: Network) -> None:
    net = pinned(bundled)
    sc = scenario(outage("tengiz_field", 0.5, 10), price_usd_per_bbl=70.0)
    lost = 36.6 * 0.5 * 10 / YEAR  # Mt = 0.501370
    assert lost == pytest.approx(0.501370, abs=1e-6)
    barrels = lost * 1e6 * BBL_PER_T  # 3,960,822 bbl
    sim = simulate(net, sc)
    assert_exact(sim.lost_kz_mt, lost)
    assert_exact(sim.lost_cpc_mt, lost)  # only Kazakh oil is lost, so all shippers lose the same
    assert_exact(sim.absorbed_mt, 0.0)  # lost production: no route can carry it
    result = run(sc, net)
    assert_point(result.lost_mt, lost)
    assert_point(result.lost_bbl, barrels, BBL_TOL)
    assert result.lost_bbl.p50 == 3_960_822
    assert_point(result.share_of_exports, lost / EXPORTS)  # 0.006371
    assert result.value_usd is not None
    assert_point(result.value_usd, barrels * 70.0, BBL_TOL)  # 277,257,534 USD
    assert_point(result.lost_bpd, barrels / 10, BBL_TOL)  # 396,082 b/d over the 10 days
    assert_point(result.lost_cpc_all_shippers_mt, lost)
    assert_point(result.absorbed_by_alternatives_mt, 0.0)
    assert result.inputs["days_simulated"] == 10  # stops once every sample is back on the baseline
    assert result.value_usd.p50 == 277_257_534


def test_fractional_duration_counts_the_last_day_in_part(bundled: Network) -> None:
    sim = simulate(pinned(bundled), scenario(outage("tengiz_field", 1.0, 10.5)))
    assert_exact(sim.lost_kz_mt, 36.6 * 10.5 / YEAR)


def test_ramp_back_adds_half_the_ramp(bundled: Network) -> None:
    # 10 days at full loss, then linear recovery over 10 days: 10 + 10/2 = 15 full-loss days.
    sim = simulate(pinned(bundled), scenario(outage("tengiz_field", 1.0, 10, ramp_back_days=10)))
    assert_exact(sim.lost_kz_mt, 36.6 * (10 + 10 / 2) / YEAR)


def test_ramp_back_after_a_fractional_duration(bundled: Network) -> None:
    sim = simulate(pinned(bundled), scenario(outage("tengiz_field", 1.0, 10.5, ramp_back_days=10)))
    np.testing.assert_allclose(sim.lost_kz_mt, 36.6 * (10.5 + 10 / 2) / YEAR, atol=1e-4)


# --- 1b, 1c: single-point moorings -----------------------------------------------------


def test_two_spms_lost_cap_loadings_at_one_spm(bundled: Network) -> None:
    net = pinned(bundled, alternatives=False)
    sc = scenario(outage("cpc_spm_1", 1.0, 30), outage("cpc_spm_2", 1.0, 30))
    # One SPM left: 3.5 Mt/month * 12 = 42 Mt/yr of terminal capacity against 70.5 Mt/yr of flow.
    cpc_lost = (CPC - SPM_YEARLY) * 30 / YEAR  # 28.5 * 30 / 365 = 2.342466 Mt
    kz_lost = cpc_lost * KZ_CPC / CPC  # pro rata: 2.342466 * 63.8 / 70.5 = 2.119848 Mt
    assert cpc_lost == pytest.approx(2.342466, abs=1e-6)
    assert kz_lost == pytest.approx(2.119848, abs=1e-6)
    sim = simulate(net, sc)
    assert_exact(sim.lost_cpc_mt, cpc_lost)
    assert_exact(sim.lost_kz_mt, kz_lost)
    result = run(sc, net)
    assert_point(result.lost_cpc_all_shippers_mt, cpc_lost)
    assert_point(result.lost_mt, kz_lost)
    assert_point(result.share_of_exports, kz_lost / EXPORTS)


def test_one_spm_lost_costs_nothing_but_two_do(bundled: Network) -> None:
    """Issue acceptance: losing one of three SPMs with the other two in service behaves
    differently from losing two (the backup takes over). Sampled network, no pinning."""
    one = run(scenario(outage("cpc_spm_2", 1.0, 30), samples=500), bundled)
    assert_point(one.lost_mt, 0.0, 0.0)  # two SPMs still load >= 2 * 3.5 * 12 = 84 > 70.5
    assert_point(one.lost_cpc_all_shippers_mt, 0.0, 0.0)
    two = run(scenario(outage("cpc_spm_1", 1.0, 30), outage("cpc_spm_2", 1.0, 30), samples=500), bundled)
    # One SPM loads at most 4.8 * 12 = 57.6 < 70.5 Mt/yr and the tanks hold at most 6 of the 30 days.
    assert two.lost_cpc_all_shippers_mt.p10 > 0
    assert two.lost_mt.p10 > 0


# --- 1d: pumping stations --------------------------------------------------------------


def test_kropotkinskaya_30_40_percent_costs_no_volume(bundled: Network) -> None:
    sc = Scenario(
        disruptions=[
            Disruption(
                asset="cpc_ps_kropotkinskaya",
                capacity_loss=Range.of(0.30, 0.40),
                duration_days=Range.of(45, 60),
            )
        ],
        samples=2000,
    )
    result = run(sc, bundled)
    # 11 Russian stations: 81.5 * (1 - 0.4/11)^0.55 = 79.86 Mt/yr stays above the 70.5 flowing.
    assert RUSSIAN_CAP * (1 - 0.4 / 11) ** EXPONENT > CPC
    for q in (result.lost_mt, result.lost_bbl, result.share_of_exports, result.lost_cpc_all_shippers_mt):
        assert_point(q, 0.0, 0.0)
    (note,) = result.notes
    assert note.startswith("cpc_ps_kropotkinskaya:")
    assert "79.9–80.3 Mt/yr of 81.5" in note
    assert "70.5 Mt/yr flowing through it" in note
    assert note.endswith("the cap costs no volume")


def test_full_loss_of_a_kazakh_station_above_its_reduced_capacity(bundled: Network) -> None:
    net = pinned(bundled, alternatives=False)
    rate = 70.0  # Kazakh intake assumed, Mt/yr (under the 72.5 section capacity)
    left = KAZAKH_CAP * (1 - 1 / 4) ** EXPONENT  # 4 Kazakh stations: 61.89 Mt/yr
    assert left == pytest.approx(61.89, abs=0.01)
    lost = (rate - left) * 10 / YEAR  # only Kazakh oil passes Isatay: 0.222187 Mt
    sc = scenario(outage("cpc_ps_isatay", 1.0, 10), kazakh_cpc_rate_mt=rate)
    sim = simulate(net, sc)
    assert_exact(sim.lost_kz_mt, lost)
    assert_exact(sim.lost_cpc_mt, lost)
    result = run(sc, net)
    assert_point(result.lost_mt, lost)
    assert result.inputs["kazakh_cpc_flow_mt_yr"] == rate
    (note,) = result.notes
    assert "keeps 61.9–61.9 Mt/yr of 72.5" in note
    assert "against 70.0 Mt/yr" in note
    assert note.endswith(f"up to {rate - left:.1f} Mt/yr cannot pass while it lasts")  # 8.1


def test_two_kazakh_stations_bypassed_remove_two_shares_of_head(bundled: Network) -> None:
    net = pinned(bundled, alternatives=False)
    sc = scenario(outage("cpc_ps_isatay", 1.0, 10), outage("cpc_ps_kurmangazy", 1.0, 10))
    left = KAZAKH_CAP * (1 - 2 / 4) ** EXPONENT  # 49.52 Mt/yr
    sim = simulate(net, sc)
    np.testing.assert_allclose(sim.lost_kz_mt, (KZ_CPC - left) * 10 / YEAR, atol=1e-9)


# --- 1e, 1f: the gas plant and the alternatives -----------------------------------------


def test_orenburg_plant_cuts_karachaganak_by_the_coupling_share(bundled: Network) -> None:
    net = pinned(bundled)
    lost = 9.2 * COUPLING * 10 / YEAR  # 0.063014 Mt of Karachaganak liquids
    sc = scenario(outage("orenburg_gpp", 1.0, 10))
    sim = simulate(net, sc)
    assert_exact(sim.lost_kz_mt, lost)
    assert_exact(sim.lost_cpc_mt, lost)
    assert_exact(sim.absorbed_mt, 0.0)  # lost production
    assert_point(run(sc, net).lost_mt, lost)


def test_disrupted_alternative_loses_its_own_flow_only(bundled: Network) -> None:
    net = pinned(bundled)
    lost = 8.8 * 10 / YEAR  # Atyrau-Samara's 8.8 Mt/yr for 10 days: 0.241096 Mt
    sc = scenario(outage("kto_atyrau_samara", 1.0, 10))
    sim = simulate(net, sc)
    assert_exact(sim.lost_kz_mt, lost)
    assert_exact(sim.lost_cpc_mt, 0.0)
    assert_exact(sim.absorbed_mt, 0.0)
    assert_point(run(sc, net).lost_mt, lost)


def test_baseline_exports_attributed_to_the_exporter_fit_its_exports(bundled: Network) -> None:
    attributed = bundled.kazakh_cpc_flow + sum(a.kazakh_flow for a in bundled.alternatives)
    assert attributed <= bundled.meta.exporter_exports_mt
    sim = simulate(pinned(bundled), scenario(outage("atasu_alashankou", 1.0, 10)))
    assert np.all(sim.lost_kz_mt <= 1.2 * 10 / YEAR + 1e-12)


def test_alternatives_take_oil_cut_from_the_cpc_as_they_ramp_up(bundled: Network) -> None:
    samara = next(a for a in bundled.alternatives if a.id == "kto_atyrau_samara")
    net = pinned(bundled).model_copy(update={"alternatives": [samara]})
    sim = simulate(net, scenario(outage("cpc_marine_terminal", 1.0, 1)))
    # No tank buffer: the whole 63.8 Mt/yr of Kazakh oil is cut on day 0, and Atyrau-Samara
    # has reached 1/21 of its 2.5 Mt/yr spare on the first of its 21 ramp-up days.
    taken = 2.5 * (1 / 21) / YEAR
    assert_exact(sim.absorbed_mt, taken)
    assert_exact(sim.lost_kz_mt, KZ_CPC / YEAR - taken)
    assert_exact(sim.lost_cpc_mt, CPC / YEAR)


def test_alternatives_ramp_from_the_disruptions_start(bundled: Network) -> None:
    samara = next(a for a in bundled.alternatives if a.id == "kto_atyrau_samara")
    net = pinned(bundled).model_copy(update={"alternatives": [samara]})
    sim = simulate(net, scenario(outage("cpc_marine_terminal", 1.0, 1, start_day=30)))
    taken = 2.5 * (1 / 21) / YEAR
    np.testing.assert_allclose(sim.absorbed_mt, taken, atol=1e-12)
    np.testing.assert_allclose(sim.lost_kz_mt, KZ_CPC / YEAR - taken, atol=1e-12)


# --- 1g: the tank buffer ---------------------------------------------------------------


def test_tank_buffer_holds_a_short_terminal_outage_and_loads_it_later(bundled: Network) -> None:
    net = pinned(bundled, buffer_days=5.0, alternatives=False)
    sc = scenario(outage("cpc_marine_terminal", 1.0, 2))
    # Headroom 5 * 70.5/365 Mt takes the 2 * 70.5/365 Mt not loaded on days 0-1; afterwards two
    # SPMs load 84 Mt/yr against 70.5 coming in, so the backlog goes at 13.5 Mt/yr:
    # 2 * 70.5 / 13.5 = 10.44 days, i.e. ten days of -13.5 and one of -0.444 * 13.5 = -6.0.
    sim = simulate(net, sc)
    np.testing.assert_allclose(sim.lost_cpc_mt, 0.0, atol=1e-12)
    np.testing.assert_allclose(sim.lost_kz_mt, 0.0, atol=1e-12)
    assert sim.days_run == 2 + 11
    result = run(sc, net)
    assert_point(result.lost_cpc_all_shippers_mt, 0.0)
    assert_point(result.lost_mt, 0.0)
    share = KZ_CPC / CPC
    day0 = CPC * share / YEAR * 1e6  # tonnes: 63.8/365 Mt = 174,794.5 t
    catch_up = -(2 * SPM_YEARLY - CPC) * share / YEAR * 1e6  # -33,471.3 t a day
    last = -(2 * CPC - 10 * (2 * SPM_YEARLY - CPC)) * share / YEAR * 1e6  # -14,876.1 t
    p50 = result.daily.p50
    assert len(p50) == len(result.daily.dates) == 13
    assert p50[0] == pytest.approx(day0, abs=0.2)
    assert p50[1] == pytest.approx(day0, abs=0.2)
    assert p50[2:12] == pytest.approx([catch_up] * 10, abs=0.2)
    assert p50[12] == pytest.approx(last, abs=0.2)
    assert all(v < 0 for v in p50[2:])
    assert result.daily.p10 == result.daily.p90 == p50


def test_terminal_outage_without_buffer_loses_its_days(bundled: Network) -> None:
    net = pinned(bundled, buffer_days=0.0, alternatives=False)
    sc = scenario(outage("cpc_marine_terminal", 1.0, 2))
    sim = simulate(net, sc)
    assert_exact(sim.lost_cpc_mt, CPC * 2 / YEAR)  # 0.386301 Mt
    assert_exact(sim.lost_kz_mt, KZ_CPC * 2 / YEAR)  # 0.349589 Mt
    assert_point(run(sc, net).lost_cpc_all_shippers_mt, 0.386301, 1e-6)


# --- 1h: sampling ----------------------------------------------------------------------


def ranged(seed: int) -> Scenario:
    return Scenario(
        disruptions=[
            Disruption(
                asset="cpc_marine_terminal", capacity_loss=Range.of(0.5, 1.0), duration_days=Range.of(5, 20)
            )
        ],
        samples=2000,
        seed=seed,
        price_usd_per_bbl=70.0,
    )


def quantiles_of(result: ImpactResult) -> list[Quantiles]:
    qs: list[Quantiles] = [
        result.lost_mt,
        result.lost_bbl,
        result.lost_bpd,
        result.share_of_exports,
        result.lost_cpc_all_shippers_mt,
        result.absorbed_by_alternatives_mt,
    ]
    return [*qs, result.value_usd] if result.value_usd else qs


def test_same_seed_repeats_and_other_seeds_differ(bundled: Network) -> None:
    first: Simulation = simulate(bundled, ranged(7))
    again = simulate(bundled, ranged(7))
    other = simulate(bundled, ranged(8))
    for name in ("lost_kz_mt", "lost_cpc_mt", "absorbed_mt", "daily_kz_mt"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    np.testing.assert_array_equal(first.draws.duration[0], again.draws.duration[0])
    assert not np.array_equal(first.draws.duration[0], other.draws.duration[0])
    assert not np.array_equal(first.lost_kz_mt, other.lost_kz_mt)
    assert run(ranged(7), bundled) == run(ranged(7), bundled)
    assert run(ranged(7), bundled).lost_mt != run(ranged(8), bundled).lost_mt


def test_quantiles_are_ordered_and_spread(bundled: Network) -> None:
    result = run(ranged(3), bundled)
    for q in quantiles_of(result):
        assert q.p10 <= q.p50 <= q.p90
    assert result.lost_mt.p10 < result.lost_mt.p90  # the ranges are not degenerate
    for low, mid, high in zip(result.daily.p10, result.daily.p50, result.daily.p90, strict=True):
        assert low <= mid <= high


# --- 2: the route against networkx's maximum flow --------------------------------------


def max_flow_of_route(network: Network, station_cap: dict[str, float]) -> float:
    """source → each supply (its flow) → the station it enters → the stations in order,
    each an edge with its capacity → sink. Edges without a capacity are unbounded."""
    graph = nx.DiGraph()
    stations = [s.id for s in network.route.stations]
    for supply in network.supplies:
        graph.add_edge("source", f"supply:{supply.id}", capacity=supply.flow)
        graph.add_edge(f"supply:{supply.id}", f"in:{supply.enters}")
    for i, sid in enumerate(stations):
        graph.add_edge(f"in:{sid}", f"out:{sid}", capacity=station_cap[sid])
        graph.add_edge(f"out:{sid}", f"in:{stations[i + 1]}" if i + 1 < len(stations) else "sink")
    value: float = nx.maximum_flow_value(graph, "source", "sink")
    return value


def one_day_loadings(
    network: Network, loss_of: dict[str, np.ndarray[Any, Any]], n: int
) -> np.ndarray[Any, Any]:
    """The engine's CPC loadings (Mt/yr) on one day, with a terminal that never binds."""
    draws = Draws(
        loss={},
        duration={},
        bbl_per_t=np.full(n, BBL_PER_T),
        buffer_days=np.zeros(n),
        spm_mt_yr=np.full(n, 1e4),  # 10,000 Mt/yr: loading never binds
        coupling=np.zeros(n),
    )
    sc = scenario(outage("cpc_ps_tengiz", 0.0, 1), samples=n)
    day = _Model(network, sc, draws).step(0, loss_of, np.zeros(n))
    return day.loaded


def test_route_loadings_equal_networkx_max_flow(bundled: Network) -> None:
    rng = np.random.default_rng(20250219)
    stations = bundled.route.stations
    k = {sec: sum(1 for s in stations if s.section == sec) for sec in ("kazakh", "russian")}
    n = 6
    binding = free = 0
    for _trial in range(80):
        # Six supplies of 0-25 Mt/yr: about 75 in all, around the 72.5 / 81.5 section capacities.
        flows = rng.uniform(0.0, 25.0, len(bundled.supplies))
        net = bundled.model_copy(
            update={
                "supplies": [
                    s.model_copy(update={"flow": float(f)})
                    for s, f in zip(bundled.supplies, flows, strict=True)
                ]
            }
        )
        hit = rng.choice(len(stations), size=int(rng.integers(0, 5)), replace=False)
        loss_of = {stations[int(i)].id: rng.uniform(0.0, 1.0, n) for i in hit}
        loaded = one_day_loadings(net, loss_of, n)
        for j in range(n):
            # A section's bypassed stations pool their lost head: C·(1 − Σf/k)^e for all of it.
            lost = {
                sec: sum(loss_of[s.id][j] for s in stations if s.section == sec and s.id in loss_of)
                for sec in k
            }
            caps = {
                s.id: net.route.capacity(s.section) * max(0.0, 1 - lost[s.section] / k[s.section]) ** EXPONENT
                for s in stations
            }
            expected = max_flow_of_route(net, caps)
            assert loaded[j] == pytest.approx(expected, abs=1e-9), (flows, loss_of, j)
            if expected < sum(flows) - 1e-9:
                binding += 1
            else:
                free += 1
    # The cross-check exercised binding capacities as well as free flow.
    assert binding > 100
    assert free > 100


def test_narrower_section_without_entries_still_binds(bundled: Network) -> None:
    net = bundled.model_copy(
        update={
            "route": bundled.route.model_copy(update={"russian_section_capacity": 50.0}),
            "supplies": [s.model_copy(update={"enters": "cpc_ps_atyrau"}) for s in bundled.supplies],
        }
    )
    caps = {s.id: net.route.capacity(s.section) for s in net.route.stations}
    assert max_flow_of_route(net, caps) == pytest.approx(50.0)
    np.testing.assert_allclose(one_day_loadings(net, {}, 2), 50.0, atol=1e-9)
