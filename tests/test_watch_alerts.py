"""Alert decisions: rules, severity, material changes and the ledger that follows an
incident across new ids, so each incident is announced once and updated only on news."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from energywatch.kb import KnowledgeBase
from energywatch.models import AlertKind, DateRange, Incident
from energywatch.watch.alerts import (
    Rule,
    asset_closure,
    compile_rules,
    material_changes,
    plan_alerts,
    severity,
)
from energywatch.watch.config import RuleConfig

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _incident(iid: str, articles: list[str], assets: list[str] | None = None) -> Incident:
    return Incident(
        id=iid,
        category="attack",
        type="drone_strike",
        date=DateRange(start=dt.date(2025, 9, 24), end=dt.date(2025, 9, 24), precision="day"),
        assets=assets or ["cpc_r_city_office_novorossiysk"],
        articles=articles,
    )


def _snap(**changes: Any) -> dict[str, Any]:
    snap: dict[str, Any] = {
        "incident_id": "inc-1",
        "category": "attack",
        "type": "drone_strike",
        "date": "2025-09-24",
        "assets": ["cpc_r_city_office_novorossiysk"],
        "asset_names": ["CPC-R city office"],
        "countries": ["RU"],
        "articles": 1,
        "outlets": 1,
        "consensus": "single-source",
        "contested": [],
        "kb_conflicts": [],
        "casualties": {"injured": [2.0, 2.0]},
        "impact": None,
        "intercepted": False,
    }
    snap.update(changes)
    snap["severity"] = severity(snap)
    return snap


def _rules(kb: KnowledgeBase, **conditions: Any) -> list[Rule]:
    return compile_rules([RuleConfig(name="r", channels=["hook"], **conditions)], kb)


def test_severity_from_casualties_impact_and_category() -> None:
    assert _snap()["severity"] == "high"
    assert _snap(casualties={"killed": [1.0, 1.0]})["severity"] == "critical"
    assert _snap(casualties={}, impact={"p50_bpd": 150_000.0})["severity"] == "critical"
    assert _snap(casualties={})["severity"] == "moderate"
    assert _snap(casualties={}, intercepted=True)["severity"] == "low"
    assert _snap(casualties={}, category="policy")["severity"] == "low"


def test_rules_filter_on_every_condition(kb: KnowledgeBase) -> None:
    snap = _snap()
    assert _rules(kb, assets=["cpc_pipeline"])[0].matches(snap) is False
    assert _rules(kb, countries=["RU"], categories=["attack"], types=["drone_strike"])[0].matches(snap)
    assert _rules(kb, countries=["KZ"])[0].matches(snap) is False
    assert _rules(kb, min_severity="high")[0].matches(snap)
    assert _rules(kb, min_severity="critical")[0].matches(snap) is False
    assert _rules(kb, consensus=["agreed"])[0].matches(snap) is False
    assert _rules(kb, min_outlets=2)[0].matches(snap) is False
    assert _rules(kb, min_impact_bpd=1)[0].matches(snap) is False
    assert _rules(kb, min_impact_bpd=1)[0].matches(_snap(impact={"p50_bpd": 5.0}))


def test_a_pipeline_rule_covers_its_stations(kb: KnowledgeBase) -> None:
    covered = asset_closure(kb, ["cpc_pipeline"])
    assert "cpc_ps_kropotkinskaya" in covered
    station = _snap(assets=["cpc_ps_kropotkinskaya"])
    assert _rules(kb, assets=["cpc_pipeline"])[0].matches(station)


def test_material_changes() -> None:
    old = _snap()
    assert material_changes(old, _snap(outlets=3, articles=5, consensus="agreed"), 0.25) == []
    assert material_changes(old, _snap(contested=["date"]), 0.25) == ["date is now contested between sources"]
    assert material_changes(old, _snap(kb_conflicts=["x: y"]), 0.25) == ["new knowledge-base conflict: x: y"]
    assert material_changes(old, _snap(casualties={"injured": [2.0, 3.0]}), 0.25) == ["injured: 2 → 2–3"]
    assert material_changes(old, _snap(casualties={"injured": [2.0, 2.0], "killed": [1.0, 1.0]}), 0.25) == [
        "killed: not reported → 1"
    ]
    with_impact = _snap(impact={"p50_bbl": 100_000.0, "p50_bpd": 2_000.0})
    assert material_changes(with_impact, _snap(impact={"p50_bbl": 120_000.0, "p50_bpd": 2_400.0}), 0.25) == []
    moved = material_changes(with_impact, _snap(impact={"p50_bbl": 130_000.0, "p50_bpd": 2_600.0}), 0.25)
    assert len(moved) == 1
    assert "100,000 to 130,000" in moved[0]
    # From nothing, a trivial figure is noise; a real one is news.
    assert material_changes(old, _snap(impact={"p50_bbl": 300.0, "p50_bpd": 10.0}), 0.25) == []
    assert len(material_changes(old, _snap(impact={"p50_bbl": 50_000.0, "p50_bpd": 900.0}), 0.25)) == 1


def _plan(
    kb: KnowledgeBase, current: list[tuple[Incident, dict[str, Any]]], lineages: list[Any], **kw: Any
) -> Any:
    return plan_alerts(current, lineages, _rules(kb), now=NOW, impact_change=0.25, **kw)


def test_one_alert_per_incident_followed_across_new_ids(kb: KnowledgeBase) -> None:
    first = _plan(kb, [(_incident("inc-a", ["a1"]), _snap())], [])
    assert [a.kind for a, _ in first.alerts] == [AlertKind.new_incident]
    assert first.alerts[0][1] == ["hook"]
    ledger = first.lineages
    # A second outlet joins and the incident gets another id: followed, not announced again.
    joined = _plan(kb, [(_incident("inc-b", ["a0", "a1"]), _snap(outlets=2, consensus="agreed"))], ledger)
    assert joined.alerts == []
    assert [(ln.lineage, ln.incident_id, ln.articles) for ln in joined.lineages] == [
        (ledger[0].lineage, "inc-b", ["a0", "a1"])
    ]
    ledger = joined.lineages
    # A casualty change is one update alert with a new, stable id.
    changed = _snap(casualties={"injured": [2.0, 3.0]})
    update = _plan(kb, [(_incident("inc-b", ["a0", "a1", "a2"]), changed)], ledger)
    assert [a.kind for a, _ in update.alerts] == [AlertKind.update]
    alert = update.alerts[0][0]
    assert alert.changes == ["injured: 2 → 2–3"]
    again = _plan(kb, [(_incident("inc-b", ["a0", "a1", "a2"]), changed)], ledger)
    assert again.alerts[0][0].id == alert.id  # decided twice (a crash before saving) → same id
    assert alert.id != first.alerts[0][0].id
    # Once saved, the same state raises nothing.
    assert _plan(kb, [(_incident("inc-b", ["a0", "a1", "a2"]), changed)], update.lineages).alerts == []


def test_baseline_records_without_alerting_and_later_changes_update(kb: KnowledgeBase) -> None:
    baseline = _plan(kb, [(_incident("inc-a", ["a1"]), _snap())], [], baseline=True)
    assert baseline.alerts == []
    assert baseline.lineages[0].alerted
    later = _plan(kb, [(_incident("inc-a", ["a1"]), _snap(contested=["date"]))], baseline.lineages)
    assert [a.kind for a, _ in later.alerts] == [AlertKind.update]


def test_incidents_matching_no_rule_are_not_announced_until_they_do(kb: KnowledgeBase) -> None:
    rules = _rules(kb, min_outlets=2)
    plan = plan_alerts([(_incident("inc-a", ["a1"]), _snap())], [], rules, now=NOW, impact_change=0.25)
    assert plan.alerts == []
    assert plan.lineages == []
    plan = plan_alerts(
        [(_incident("inc-a", ["a1", "a2"]), _snap(outlets=2))], [], rules, now=NOW, impact_change=0.25
    )
    assert [a.kind for a, _ in plan.alerts] == [AlertKind.new_incident]


@pytest.mark.parametrize("ids", [("inc-a", "inc-a"), ("inc-a", "inc-z")])
def test_two_incidents_keep_their_own_lineages(kb: KnowledgeBase, ids: tuple[str, str]) -> None:
    a = _plan(kb, [(_incident(ids[0], ["a1"]), _snap())], [])
    b_incident = _incident("inc-b", ["b1"], assets=["cpc_marine_terminal"])
    both = _plan(
        kb,
        [(_incident(ids[1], ["a1"]), _snap()), (b_incident, _snap(assets=["cpc_marine_terminal"]))],
        a.lineages,
    )
    assert [(al.kind, al.incident_id) for al, _ in both.alerts] == [(AlertKind.new_incident, "inc-b")]
