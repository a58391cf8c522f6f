"""Evaluation metrics on tiny hand-built exports and gold lines, so every number is checkable by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from energywatch.errors import ConfigError
from energywatch.evaluation import (
    GOLD_CHANGED,
    Baseline,
    EvalReport,
    GoldArticle,
    as_interval,
    bcubed,
    compare_to_baseline,
    evaluate,
    haversine_km,
    load_baseline,
    load_gold,
    overlaps,
    prf,
    write_baseline,
)

KM_PER_DEGREE = 6371.0088 * math.pi / 180


def gold(article_id: str, *incidents: dict[str, Any], **kw: Any) -> GoldArticle:
    body = {"article_id": article_id, "is_incident_report": bool(incidents), "incidents": list(incidents)}
    return GoldArticle.model_validate(body | kw)


def g_inc(key: str, **kw: Any) -> dict[str, Any]:
    return {"key": key, "type": "drone_strike", "date": "2025-02-17", "assets": ["a"]} | kw


def p_inc(iid: str, **kw: Any) -> dict[str, Any]:
    day = {"start": "2025-02-17", "end": "2025-02-17", "precision": "day"}
    return {"id": iid, "type": "drone_strike", "date": day, "assets": ["a"], "attributes": {}} | kw


def art(aid: str, *incident_ids: str, **kw: Any) -> dict[str, Any]:
    body = {"id": aid, "is_incident_report": bool(incident_ids), "near_duplicate_of": None}
    return body | {"incident_ids": list(incident_ids)} | kw


def export(articles: list[dict[str, Any]], incidents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"articles": articles, "incidents": incidents}


# ------------------------------------------------------------------ building blocks


def test_bcubed_worked_example() -> None:
    # gold X = {a, b, c}, Y = {d, e}; predicted 1 = {a, b}, 2 = {c, d, e}
    # precision: a 1, b 1, c 1/3, d 2/3, e 2/3 -> 11/15; recall: 2/3, 2/3, 1/3, 1, 1 -> 11/15
    g = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y"}
    p = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "2"}
    precision, recall, f1 = bcubed(g, p)
    assert precision == pytest.approx(11 / 15)
    assert recall == pytest.approx(11 / 15)
    assert f1 == pytest.approx(11 / 15)


def test_prf_empty_sides() -> None:
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert prf(0, 0, 2) == (0.0, 0.0, 0.0)
    assert prf(1, 1, 0) == pytest.approx((0.5, 1.0, 2 / 3))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([10, 20], [20, 30], True),  # touching ends overlap
        ([10, 20], 21, False),
        (0, 0, True),
        (0, [0, 5], True),
        ([30, 40], [41, 50], False),
        (2.5, [2, 3], True),
    ],
)
def test_range_overlap(a: Any, b: Any, expected: bool) -> None:
    ia, ib = as_interval(a), as_interval(b)
    assert ia is not None
    assert ib is not None
    assert overlaps(ia, ib) is expected


@pytest.mark.parametrize("bad", [True, [5, 3], [1, 2, 3], "4", None, [1, None]])
def test_as_interval_refuses_non_numbers(bad: Any) -> None:
    assert as_interval(bad) is None


def test_haversine_one_degree_on_the_equator() -> None:
    assert haversine_km((0.0, 0.0), (0.0, 1.0)) == pytest.approx(KM_PER_DEGREE)


# ------------------------------------------------------------- whole evaluations


def test_incident_report_detection_with_null_and_missing_articles() -> None:
    golds = [
        gold("a1", g_inc("k1")),
        gold("a2", g_inc("k2")),
        gold("a3"),
        gold("a4"),
        gold("a5", g_inc("k3")),
    ]
    exp = export(
        [
            art("a1", "i1"),
            art("a2", is_incident_report=None),  # not assessed counts as "no": a false negative
            art("a3", is_incident_report=True),  # false positive
            art("a4", is_incident_report=False),  # true negative
        ],  # a5 missing: false negative
        [p_inc("i1")],
    )
    m = evaluate(exp, golds).metrics
    assert m["incident_report.precision"] == pytest.approx(1 / 2)
    assert m["incident_report.recall"] == pytest.approx(1 / 3)
    assert m["incident_report.f1"] == pytest.approx(0.4)
    assert m["n.articles_missing"] == 1
    assert m["n.incident_reports"] == 3


def test_clustering_merges_two_gold_incidents() -> None:
    golds = [gold("a1", g_inc("K1")), gold("a2", g_inc("K1")), gold("a3", g_inc("K2"))]
    exp = export([art("a1", "i1"), art("a2", "i1"), art("a3", "i1")], [p_inc("i1")])
    m = evaluate(exp, golds).metrics
    # every item sits in one predicted cluster of 3: precision 2/3, 2/3, 1/3; recall 1
    assert m["clustering.bcubed_precision"] == pytest.approx(5 / 9)
    assert m["clustering.bcubed_recall"] == pytest.approx(1.0)
    assert m["clustering.bcubed_f1"] == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))


def test_clustering_split_counts_unlinked_articles_as_singletons() -> None:
    golds = [gold("a1", g_inc("K1")), gold("a2", g_inc("K1"))]
    exp = export([art("a1", "i1"), art("a2")], [p_inc("i1")])
    m = evaluate(exp, golds).metrics
    assert m["clustering.bcubed_precision"] == pytest.approx(1.0)
    assert m["clustering.bcubed_recall"] == pytest.approx(0.5)
    assert m["pairs.recall"] == pytest.approx(0.5)


def test_article_with_two_gold_incidents_is_paired_by_similarity() -> None:
    refinery = g_inc("ilsky", assets=["ilsky_refinery"], type="drone_strike")
    station = g_inc("kropotkin", assets=["cpc_ps"], type="fire")
    golds = [gold("a1", refinery, station)]
    # export order is the reverse of gold order; assets decide the pairing
    exp = export(
        [art("a1", "p-station", "p-refinery")],
        [p_inc("p-station", assets=["cpc_ps"], type="fire"), p_inc("p-refinery", assets=["ilsky_refinery"])],
    )
    m = evaluate(exp, golds).metrics
    assert m["type.accuracy"] == 1.0
    assert m["assets.f1"] == 1.0
    assert m["n.pairs_matched"] == 2

    # only one predicted incident: it pairs with the more similar gold one, the other is unmatched
    exp = export([art("a1", "p-station")], [p_inc("p-station", assets=["cpc_ps"], type="fire")])
    report = evaluate(exp, golds)
    assert report.metrics["pairs.recall"] == 0.5
    assert report.metrics["pairs.precision"] == 1.0
    assert report.metrics["type.accuracy"] == 1.0
    assert {
        "article": "a1",
        "incident": "ilsky",
        "metric": "incident",
        "gold": "ilsky",
        "predicted": None,
    } in (report.details)


def test_links_from_the_incident_side_count_too() -> None:
    exp = export([art("a1", is_incident_report=True)], [p_inc("i1", articles=["a1"])])
    assert evaluate(exp, [gold("a1", g_inc("K"))]).metrics["pairs.recall"] == 1.0


def test_url_ids_match_by_normalised_url() -> None:
    golds = [gold("url:https://www.Example.com/news/strike/?utm_source=feed", g_inc("K"))]
    exp = export([art("e1", "i1", url="https://example.com/news/strike")], [p_inc("i1")])
    m = evaluate(exp, golds).metrics
    assert m["n.articles_missing"] == 0
    assert m["incident_report.f1"] == 1.0
    # no url in the export: url_of supplies it
    exp = export([art("e1", "i1")], [p_inc("i1")])
    assert evaluate(exp, golds).metrics["n.articles_missing"] == 1
    m = evaluate(exp, golds, url_of={"e1": "https://example.com/news/strike#top"}.get).metrics
    assert m["n.articles_missing"] == 0


def test_dates_exact_within_one_day_and_vague_ranges() -> None:
    golds = [gold(f"a{i}", g_inc(f"k{i}")) for i in range(4)]
    days = [("2025-02-17", "2025-02-17"), ("2025-02-18", "2025-02-18"), ("2025-02-01", "2025-02-28"), None]
    incs = [
        p_inc(f"i{i}", date=None if d is None else {"start": d[0], "end": d[1], "precision": "day"})
        for i, d in enumerate(days)
    ]
    m = evaluate(export([art(f"a{i}", f"i{i}") for i in range(4)], incs), golds).metrics
    assert m["date.exact"] == pytest.approx(1 / 4)
    assert m["date.within_1d"] == pytest.approx(2 / 4)  # a month-long range is not "within a day"
    assert m["n.dates"] == 4


def test_location_50_km_boundary() -> None:
    where = {"name": "X", "lat": 0.0, "lon": 0.0}
    golds = [gold(f"a{i}", g_inc(f"k{i}", location=where)) for i in range(3)]
    inside = 50 / KM_PER_DEGREE - 1e-9
    outside = 50 / KM_PER_DEGREE + 1e-6
    incs = [
        p_inc("i0", location={"lat": inside, "lon": 0.0}),
        p_inc("i1", location={"lat": outside, "lon": 0.0}),
        p_inc("i2", location={"name": "X", "lat": None, "lon": None}),  # no coordinates: wrong
    ]
    m = evaluate(export([art(f"a{i}", f"i{i}") for i in range(3)], incs), golds).metrics
    assert m["location.within_50km"] == pytest.approx(1 / 3)
    assert m["n.locations"] == 3


def test_numbers_range_overlap_only_where_gold_is_not_null() -> None:
    attrs = {"killed": 0, "injured": [1, 3], "flow_reduction_pct": [30, 40], "duration_days": None}
    golds = [gold("a1", g_inc("K", attributes=attrs))]
    predicted = {
        "injured": {"value": 3, "status": "single", "claims": []},
        "flow_reduction_pct": {"value": [41, 50], "status": "contested", "claims": []},
        "duration_days": {"value": 10},  # gold null: not counted
    }  # killed missing: wrong
    report = evaluate(export([art("a1", "i1")], [p_inc("i1", attributes=predicted)]), golds)
    m = report.metrics
    assert m["n.numbers"] == 3
    assert m["numbers.overlap"] == pytest.approx(1 / 3)
    assert m["numbers.injured.overlap"] == 1.0
    assert m["numbers.killed.overlap"] == 0.0
    assert "numbers.duration_days.overlap" not in m


def test_assets_micro_f1() -> None:
    golds = [gold("a1", g_inc("k1", assets=["x", "y"])), gold("a2", g_inc("k2", assets=["z"]))]
    incs = [p_inc("i1", assets=["x"]), p_inc("i2", assets=["z", "w"])]
    m = evaluate(export([art("a1", "i1"), art("a2", "i2")], incs), golds).metrics
    # tp 2 (x, z), fp 1 (w), fn 1 (y)
    assert m["assets.precision"] == pytest.approx(2 / 3)
    assert m["assets.recall"] == pytest.approx(2 / 3)


def test_copies_accuracy_resolves_url_targets() -> None:
    golds = [
        gold("url:https://a.example/1", g_inc("K")),
        gold("b", g_inc("K"), near_duplicate_of="url:https://a.example/1"),
        gold("c", g_inc("K"), near_duplicate_of="b"),
    ]
    articles = [
        art("e1", "i1", url="https://a.example/1"),
        art("b", "i1", near_duplicate_of="e1"),
        art("c", "i1"),
    ]
    m = evaluate(export(articles, [p_inc("i1")]), golds).metrics
    assert m["copies.accuracy"] == pytest.approx(2 / 3)
    assert m["n.copies"] == 2


def test_geoparsing_only_when_gold_has_toponyms() -> None:
    golds = [gold("a1", g_inc("K"), toponyms=[{"name": "Kropotkin", "lat": 45.43, "lon": 40.57}])]
    near = p_inc("i1", location={"name": "kropotkin", "lat": 45.9, "lon": 41.0})
    assert evaluate(export([art("a1", "i1")], [near]), golds).metrics["geoparsing.within_161km"] == 1.0
    toponyms = [{"name": "Kropotkin", "lat": 55.0, "lon": 40.57}]  # about 1,000 km off
    m = evaluate(export([art("a1", "i1", toponyms=toponyms)], [near]), golds).metrics
    assert m["geoparsing.within_161km"] == 0.0
    assert "geoparsing.within_161km" not in evaluate(export([], []), [gold("a1", g_inc("K"))]).metrics


def test_report_table_and_json() -> None:
    report = evaluate(export([art("a1", "i1")], [p_inc("i1", type="fire")]), [gold("a1", g_inc("K"))])
    table = report.to_table()
    assert "type.accuracy" in table
    assert "n.gold_articles" in table
    body = json.loads(report.to_json())
    assert body["metrics"]["type.accuracy"] == 0.0
    assert body["details"][0]["metric"] == "type.accuracy"


# ------------------------------------------------------------------- gold loading


def write_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps(
    {"article_id": "a1", "is_incident_report": False, "near_duplicate_of": None, "incidents": []}
)


def test_load_gold_reads_lines_and_hashes_the_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path, GOOD, "", json.dumps({"article_id": "a2", "is_incident_report": True}))
    loaded = load_gold(path)
    assert [a.article_id for a in loaded] == ["a1", "a2"]
    assert loaded.sha256 is not None
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"article_id": "a2", "is_incident_report": tru', "Invalid JSON"),
        ('{"article_id": "a2", "is_incident_report": "yes"}', "is_incident_report"),
        ('{"article_id": "a2", "is_incident_report": true, "incidnets": []}', "incidnets"),
        (json.dumps({"article_id": "a2", "is_incident_report": True,
                     "incidents": [g_inc("k", date="17/02/2025")]}), "incidents.0.date"),
        (json.dumps({"article_id": "a2", "is_incident_report": True,
                     "incidents": [g_inc("k", attributes={"killed": [5, 1]})]}), "attributes.killed"),
        (json.dumps({"article_id": "a2", "is_incident_report": False, "incidents": [g_inc("k")]}),
         "is_incident_report is false"),
        (GOOD, "already labelled on line 1"),
    ],
)  # fmt: skip
def test_load_gold_names_file_line_and_problem(tmp_path: Path, line: str, problem: str) -> None:
    path = write_lines(tmp_path, GOOD, line)
    with pytest.raises(ConfigError) as info:
        load_gold(path)
    assert f"{path}:2:" in str(info.value)
    assert problem in str(info.value)


# ----------------------------------------------------------------------- baseline


def report_with(**metrics: float) -> EvalReport:
    return EvalReport(metrics=dict(metrics), gold_sha256="abc")


def test_compare_to_baseline_flags_drops_beyond_epsilon() -> None:
    baseline = {"type.accuracy": 0.93, "date.exact": 0.80, "assets.f1": 0.5, "n.pairs_matched": 40.0}
    report = report_with(**{"type.accuracy": 0.90, "date.exact": 0.795, "n.pairs_matched": 10.0})
    assert compare_to_baseline(report, baseline) == [
        "type.accuracy fell from 0.930 to 0.900 (more than 0.01)",
        "assets.f1 is no longer reported (baseline 0.500)",
    ]
    assert compare_to_baseline(report_with(**{"type.accuracy": 0.95}), {"type.accuracy": 0.93}) == []


def test_baseline_round_trip_and_gold_change(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, report_with(**{"type.accuracy": 0.9}))
    loaded = load_baseline(path)
    assert loaded == Baseline(metrics={"type.accuracy": 0.9}, gold_sha256="abc")
    assert compare_to_baseline(report_with(**{"type.accuracy": 0.9}), loaded) == []
    other_gold = EvalReport(metrics={"type.accuracy": 0.9}, gold_sha256="def")
    assert compare_to_baseline(other_gold, loaded) == [GOLD_CHANGED]


def test_write_baseline_will_not_lower_a_floor_silently(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, report_with(**{"type.accuracy": 0.9}))
    with pytest.raises(ConfigError, match="allow-regression"):
        write_baseline(path, report_with(**{"type.accuracy": 0.5}))
    write_baseline(path, report_with(**{"type.accuracy": 0.5}), allow_regression=True)
    assert load_baseline(path).metrics == {"type.accuracy": 0.5}
    # new gold: the old floors do not apply
    write_baseline(path, EvalReport(metrics={"type.accuracy": 0.1}, gold_sha256="new"))
    assert load_baseline(path).gold_sha256 == "new"


def test_load_baseline_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="update-baseline"):
        load_baseline(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"metrics": {"type.accuracy": "high"}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.json"):
        load_baseline(bad)
