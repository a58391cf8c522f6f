"""Quantities keep their ranges, vague words map to the documented table, and numbers
that are not casualties, flow cuts or outage lengths stay out."""

from __future__ import annotations

import json

import pytest

from energywatch.demo import demo_articles, demo_gold
from energywatch.extract.quantities import QuantityMention, find_quantities
from energywatch.readers import read_inputs


def _of(text: str, field: str) -> list[QuantityMention]:
    found = find_quantities(text)
    for m in found:  # offsets are exact for every mention, whatever the field
        assert text[m.start : m.end] == m.surface
    return [m for m in found if m.field == field]


def _ranges(text: str, field: str) -> list[tuple[float, float]]:
    return [(m.low, m.high) for m in _of(text, field)]


# --------------------------------------------------------------------------- casualties


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Three guards were killed and eleven injured at the depot.", [(3, 3)], [(11, 11)]),
        ("The blast left 4 dead, officials said.", [(4, 4)], []),
        ("Two refinery workers were wounded by shrapnel.", [], [(2, 2)]),
        ("Shelling hit the plant, killing five people and injuring a dozen.", [(5, 5)], [(12, 12)]),
        ("Four employees of Gazneft were taken to hospital after the fire.", [], [(4, 4)]),
        ("A night watchman was killed when the tank exploded.", [(1, 1)], []),
        ("About ten residents were hurt by broken windows.", [], [(9, 11)]),
        ("At least 14 people were injured in the town.", [], [(14, 21)]),
        ("Two firefighters died while fighting the blaze.", [(2, 2)], []),
        ("Debris hurt several passengers on the ferry.", [], [(3, 6)]),
        ("The strike caused three deaths.", [(3, 3)], []),
    ],
)
def test_casualty_counts(text: str, killed: list[tuple[int, int]], injured: list[tuple[int, int]]) -> None:
    assert _ranges(text, "killed") == killed
    assert _ranges(text, "injured") == injured


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("There were no casualties, the governor wrote.", {"killed", "injured"}),
        ("No one was hurt in the morning raid.", {"injured"}),
        ("Nobody was killed or injured.", {"killed", "injured"}),
        ("The ministry reported no injuries.", {"injured"}),
    ],
)
def test_no_casualties_is_zero_and_negated(text: str, fields: set[str]) -> None:
    found = [m for m in find_quantities(text) if m.field in {"killed", "injured"}]
    assert {m.field for m in found} == fields
    assert all((m.low, m.high, m.negated) == (0, 0, True) for m in found)


@pytest.mark.parametrize(
    "text",
    [
        "Seven drones were shot down over the district overnight.",
        "Air defences destroyed 31 drones; 2 hit a warehouse.",
        "The plant has been idle since 2019, when two units burned.",
        "The depot stores 40,000 tonnes of fuel.",
        "Two men inspected the damage on 4 March.",
    ],
)
def test_counts_that_are_not_casualties(text: str) -> None:
    assert not [m for m in find_quantities(text) if m.field in {"killed", "injured"}]


# --------------------------------------------------------------------------- flow reduction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The outage reduced flows through the line by 30-40%.", (30, 40)),
        ("Exports were cut by about 30% after the strike.", (27, 33)),
        ("Pumping is down 25–30% this week.", (25, 30)),
        ("Shipments fell by a third in the first week.", (33.3333, 33.3333)),
        ("Deliveries through the terminal halved after the storm.", (50, 50)),
        ("Throughput will run 20 to 25 percent below normal.", (20, 25)),
        ("A 15% cut in output is expected.", (15, 15)),
        ("Output could drop by as much as 40 per cent.", (20, 40)),
    ],
)
def test_flow_reduction_ranges(text: str, expected: tuple[float, float]) -> None:
    assert _ranges(text, "flow_reduction_pct") == [expected]


def test_flow_reduction_from_two_levels_spans_both_ranges() -> None:
    text = "Refinery runs dropped from 40,000 t/d to 30,000 t/d after the fire."
    assert _ranges(text, "flow_reduction_pct") == [(25, 25)]
    text = "Liquids output fell to 18,000-20,000 t/d from a normal 24,000-25,000 t/d."
    [m] = _of(text, "flow_reduction_pct")
    # low = 1 - 20,000/24,000, high = 1 - 18,000/25,000
    assert [m.low, m.high] == pytest.approx([16.6667, 28.0])
    assert m.surface == "to 18,000-20,000 t/d from a normal 24,000-25,000 t/d"


def test_no_decrease_is_zero_and_negated() -> None:
    [m] = _of("Loadings at the port show no decrease this month.", "flow_reduction_pct")
    assert (m.low, m.high, m.negated, m.surface) == (0, 0, True, "no decrease")


@pytest.mark.parametrize(
    "text",
    [
        "The line carries around 80% of Kazakhstan's oil exports.",
        "74% of retail investor accounts lose money when trading CFDs with this provider.",
        "The state holds a 24% stake in the pipeline operator.",
        "Brent prices fell 3% on Monday as exports resumed.",
        "Exports rose 12% in March.",
        "The group controls almost a third of the consortium's exports.",
    ],
)
def test_percentages_that_are_not_flow_cuts(text: str) -> None:
    assert _of(text, "flow_reduction_pct") == []


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Engineers say repairs could take several months.", (90, 180)),
        ("Fixing the pumps is expected to take about two months.", (54, 66)),
        ("The restoration will need 1.5-2 months, the operator said.", (45, 60)),
        ("The repair work lasted for 84 calendar days.", (84, 84)),
        ("Pumping should be restored within 72 hours.", (3, 3)),
        ("The terminal may stay shut for a couple of weeks.", (10.5, 17.5)),
        ("The outage is expected to last several weeks.", (21, 42)),
        ("Crews expect to finish the repair in a few days.", (2, 4)),
        ("Loadings were suspended for about a week.", (6.3, 7.7)),
        ("The plant came back online nine days after the explosion.", (9, 9)),
    ],
)
def test_durations_in_days(text: str, expected: tuple[float, float]) -> None:
    assert _ranges(text, "duration_days") == [pytest.approx(expected)]


@pytest.mark.parametrize(
    "text",
    [
        "The station was damaged in a similar attack two months ago.",
        "Refineries have been hit repeatedly in recent months.",
        "The firm has operated the pipeline for 20 years.",
        "A week after the attack, officials met in Vienna.",
        "The tank farm holds three days of storage for the damaged line.",
        "Premium access is $4.99/month after the first month.",
        "Repairs began on 17 February 2025.",
    ],
)
def test_not_durations(text: str) -> None:
    assert _of(text, "duration_days") == []


# --------------------------------------------------------------------------- volumes & capacities


@pytest.mark.parametrize(
    ("text", "field", "low", "high", "unit"),
    [
        ("The line shipped 58 million tons of oil last year.", "volume", 58, 58, "Mt"),
        ("Loadings averaged 1.2 mb/d in May.", "volume", 1.2, 1.2, "mb/d"),
        ("The terminal exported 61.5 Mt in 2023.", "volume", 61.5, 61.5, "Mt"),
        ("Exports reached 650,000 b/d.", "volume", 650_000, 650_000, "b/d"),
        ("The plant takes 150,000 m³/h of raw gas.", "volume", 150_000, 150_000, "m3/h"),
        ("Output lost so far is 320 thousand tonnes.", "volume", 320, 320, "kt"),
        ("The pipeline can carry 35 million tonnes a year.", "capacity", 35, 35, "Mt/yr"),
        ("Its design capacity is 400 kb/d.", "capacity", 400, 400, "kb/d"),
        ("The plant can process up to 30 bcm of gas a year.", "capacity", 30, 30, "bcm/yr"),
        ("Stocks hold some 2.5 million barrels.", "volume", 2_250_000, 2_750_000, "bbl"),
        ("Production was 20,000-22,000 tonnes per day.", "volume", 20_000, 22_000, "t/d"),
    ],
)
def test_volumes_and_capacities(text: str, field: str, low: float, high: float, unit: str) -> None:
    found = [m for m in find_quantities(text) if m.field in {"volume", "capacity"}]
    assert [(m.field, m.unit) for m in found] == [(field, unit)]
    assert [found[0].low, found[0].high] == pytest.approx([low, high])


def test_conversion_factors_are_not_volumes() -> None:
    text = "At 7.3 barrels per tonne, that is 7.3 bbl/t of loss."
    assert [m for m in find_quantities(text) if m.field in {"volume", "capacity"}] == []


# --------------------------------------------------------------------------- whole text


def test_offsets_index_the_whole_text_across_sentences() -> None:
    text = (
        "Drones struck the compressor station overnight.\n\n"
        "Two people were killed and seven injured, the governor said. Flows were reduced by "
        "roughly 20%. Repairs may take two to three weeks.\n"
    )
    found = find_quantities(text)
    assert [(m.field, m.low, m.high) for m in found] == [
        ("killed", 2, 2),
        ("injured", 7, 7),
        ("flow_reduction_pct", 18, 22),
        ("duration_days", 14, 21),
    ]
    assert all(text[m.start : m.end] == m.surface for m in found)
    assert [m.approximate for m in found] == [False, False, True, False]


# --------------------------------------------------------------------------- demo corpus

FIELDS = ("killed", "injured", "flow_reduction_pct", "duration_days")


def test_demo_corpus_gold_values_are_found() -> None:
    """For each gold killed/injured/flow/duration value, some mention of that field in the
    article overlaps the gold range. Measured: 26 of 27 (0.96); the miss is killed = 0 for
    an article that only says "No one was injured"."""
    with demo_gold() as path:
        gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with demo_articles() as files:
        items = list(read_inputs(files, max_bytes=10 * 1024 * 1024))
    texts = {getattr(i, "id", None) or f"url:{getattr(i, 'url', '')}": getattr(i, "text", "") for i in items}
    hits = total = 0
    for line in gold:
        mentions = find_quantities(texts[line["article_id"]] or "")
        for incident in line["incidents"]:
            for field in FIELDS:
                value = incident["attributes"].get(field)
                if value is None:
                    continue
                lo, hi = value if isinstance(value, list) else (value, value)
                total += 1
                hits += any(m.field == field and m.low <= hi and m.high >= lo for m in mentions)
    assert total >= 20
    assert hits / total >= 0.9, (hits, total)
