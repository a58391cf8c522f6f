"""Verification: typed compatibility, per-attribute verdicts and KB conflicts.

Records are built by hand so each rule is tested on its own; one test runs the real
pipeline on two articles written for it (our own words, not the seed corpus).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from energywatch.ingest import ingest_items
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import Claim, DateRange, ExtractedEvent, Hedge, Incident, InputFormat, RawArticle
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.verify import compatible, kb_conflicts, verify_attributes


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def _claim(
    article: str, field: str, value: Any, hedge: Hedge = Hedge.reported, speaker: str | None = None
) -> Claim:
    return Claim(
        article_id=article,
        field=field,
        value=value,
        raw=str(value),
        start=0,
        end=1,
        sentence_start=0,
        sentence_end=1,
        hedge=hedge,
        speaker=speaker,
    )


def _incident(claims: list[Claim], copies: list[str] | None = None, category: str = "attack") -> Incident:
    articles = sorted({c.article_id for c in claims})
    events = [
        ExtractedEvent(
            article_id=a,
            index=0,
            category=category,
            type="drone_strike",
            trigger="hit",
            trigger_start=0,
            claims=[c for c in claims if c.article_id == a],
        )
        for a in articles
    ]
    return Incident(
        id="inc-test",
        category=category,
        type="drone_strike",
        date=DateRange(),
        articles=articles,
        copies=copies or [],
        events=events,
    )


def _date(start: str | None, end: str | None, precision: str, md: list[int] | None = None) -> dict[str, Any]:
    return {"start": start, "end": end, "precision": precision, "month_day": md}


def _night(day: str) -> dict[str, Any]:
    return _date(day, day, "day") | {"overnight": True}


def _place(name: str, lat: float | None, lon: float | None, country: str | None = None) -> dict[str, Any]:
    return {"name": name, "lat": lat, "lon": lon, "country": country, "relation": None}


# --------------------------------------------------------------------------- compatibility


@pytest.mark.parametrize(
    ("field", "a", "b", "expected"),
    [
        ("flow_reduction_pct", [30, 40], [27, 33], True),  # "30-40%" vs "around 30%"
        ("flow_reduction_pct", [30, 30], [32, 32], True),  # points within ±10%
        ("flow_reduction_pct", [30, 30], [50, 50], False),
        ("duration_days", [90, 180], [54, 66], False),  # "several months" vs "about two months"
        ("killed", [0, 0], [0, 0], True),
        ("killed", [0, 0], [2, 2], False),  # "no casualties" vs two dead
        ("killed", [2, 2], [3, 3], False),
        ("volume", {"range": [1, 1], "unit": "Mt"}, {"range": [1000, 1000], "unit": "kt"}, True),
        ("volume", {"range": [1, 1], "unit": "Mt"}, {"range": [1, 1], "unit": "bbl"}, False),
        ("capacity", {"range": [67, 67], "unit": "Mt/yr"}, {"range": [183, 185], "unit": "kt/d"}, True),
        ("location", _place("Kropotkin", 45.43, 40.57), _place("Kavkazskaya", 45.44, 40.67), True),
        ("location", _place("Kropotkin", 45.43, 40.57), _place("Novorossiysk", 44.72, 37.77), False),
        ("location", _place("Tuapse", None, None), _place("tuapse", 44.1, 39.07), True),  # same name
        (
            "location",
            _place("southern Russia", None, None, "RU"),
            _place("Kropotkin", 45.4, 40.5, "RU"),
            True,
        ),
        ("location", _place("Kazakhstan", None, None, "KZ"), _place("Kropotkin", 45.4, 40.5, "RU"), False),
        ("date", _date("2025-02-17", "2025-02-17", "day"), _date("2025-02-18", "2025-02-18", "day"), False),
        ("date", _night("2025-02-17"), _date("2025-02-18", "2025-02-18", "day"), True),
        ("date", _night("2025-02-17"), _date("2025-02-19", "2025-02-19", "day"), False),
        (
            "date",
            _date(None, None, "day", [2, 17]) | {"overnight": True},
            _date(None, None, "day", [2, 18]),
            True,
        ),
        ("weapon", "drone", "naval_drone", True),
        ("weapon", "naval_drone", "missile", False),
        ("date", _date("2025-02-17", "2025-02-17", "day"), _date("2025-02-20", "2025-02-20", "day"), False),
        ("date", _date("2025-02-01", "2025-02-28", "month"), _date("2025-02-17", "2025-02-17", "day"), True),
        ("date", _date(None, None, "day", [2, 17]), _date("2025-02-17", "2025-02-17", "day"), True),
        ("date", _date(None, None, "day", [3, 17]), _date("2025-02-17", "2025-02-17", "day"), False),
        ("date", _date(None, None, "unknown"), _date("2025-02-17", "2025-02-17", "day"), True),
        ("type", "drone_strike", "attack_unspecified", True),
        ("type", "drone_strike", "missile_strike", False),
        ("type", "fire", "attack_unspecified", False),  # another category
        ("weapon", "drone", "unknown", True),
        ("weapon", "drone", "missile", False),
        ("perpetrator", "unknown", "Ukraine", True),
        ("perpetrator", "Ukraine", "ukraine", True),
        ("perpetrator", "Ukraine", "Russia", False),
        ("damage", {"severity": "none", "text": "intercepted"}, {"severity": "none", "text": "x"}, True),
    ],
)
def test_compatible(field: str, a: Any, b: Any, expected: bool) -> None:
    assert compatible(field, a, b) is expected
    assert compatible(field, b, a) is expected


# --------------------------------------------------------------------------- verdicts

OUTLETS = {
    "a": "Interfax Wire",
    "b": "Caspian Ledger",
    "c": "Copy Daily",
    "d": "Interfax Wire",
    "e": "Steppe Post",
}


def test_compatible_ranges_from_two_outlets_are_agreed() -> None:
    incident = _incident(
        [
            _claim("a", "flow_reduction_pct", [30, 40], speaker="Alexander Novak"),
            _claim("b", "flow_reduction_pct", [27, 33], speaker="Novak"),
        ]
    )
    verdict = verify_attributes(incident, OUTLETS, set())["flow_reduction_pct"]
    assert verdict.status == "agreed"
    assert verdict.value == [30, 33]
    assert verdict.reason.startswith("2 independent outlets agree: 30–33")
    assert "Interfax Wire" in verdict.reason
    assert "Caspian Ledger" in verdict.reason
    assert len(verdict.claims) == 2
    assert [len(g) for g in verdict.groups] == [2]


def test_incompatible_durations_are_contested_with_reason() -> None:
    incident = _incident([_claim("a", "duration_days", [90, 180]), _claim("b", "duration_days", [54, 66])])
    verdict = verify_attributes(incident, OUTLETS, set())["duration_days"]
    assert verdict.status == "contested"
    assert verdict.value is None  # one outlet each: no majority
    assert verdict.reason == "incompatible values: 90–180 (Interfax Wire) vs 54–66 (Caspian Ledger)"
    assert len(verdict.groups) == 2


def test_copies_never_confirm() -> None:
    incident = _incident(
        [_claim("a", "killed", [2, 2]), _claim("c", "killed", [2, 2])],
        copies=["c"],
    )
    verdict = verify_attributes(incident, OUTLETS, {"c"})["killed"]
    assert verdict.status == "single-source"
    assert verdict.reason.endswith("1 copy not counted")
    assert len(verdict.claims) == 2
    # The incident's own copy list is the default.
    assert verify_attributes(incident, OUTLETS)["killed"].status == "single-source"


def test_two_articles_of_one_outlet_are_one_source() -> None:
    incident = _incident([_claim("a", "injured", [3, 3]), _claim("d", "injured", [3, 3])])
    assert verify_attributes(incident, OUTLETS, set())["injured"].status == "single-source"


def test_hedged_only_is_unsupported_and_hedged_does_not_contest() -> None:
    only_hedged = _incident(
        [
            _claim("a", "perpetrator", "Ukraine", Hedge.alleged),
            _claim("b", "perpetrator", "Ukraine", Hedge.speculative),
        ]
    )
    verdict = verify_attributes(only_hedged, OUTLETS, set())["perpetrator"]
    assert verdict.status == "unsupported"
    assert verdict.reason.startswith("only hedged claims (alleged, speculative)")
    mixed = _incident([_claim("a", "weapon", "drone"), _claim("b", "weapon", "missile", Hedge.denied)])
    verdict = verify_attributes(mixed, OUTLETS, set())["weapon"]
    assert verdict.status == "single-source"
    assert "1 hedged claim not counted" in verdict.reason


def test_majority_group_wins_a_contest() -> None:
    incident = _incident(
        [_claim("a", "killed", [2, 2]), _claim("b", "killed", [2, 2]), _claim("e", "killed", [5, 5])]
    )
    verdict = verify_attributes(incident, OUTLETS, set())["killed"]
    assert verdict.status == "contested"
    assert verdict.value == [2, 2]
    assert [len(g) for g in verdict.groups] == [2, 1]


def test_frame_fields_only_from_the_incidents_own_events() -> None:
    claims = [_claim("a", "type", "drone_strike"), _claim("b", "type", "attack_unspecified")]
    incident = _incident(claims)
    follow_up = ExtractedEvent(
        article_id="e",
        index=0,
        category="operations",
        type="restoration",
        trigger="resumed",
        trigger_start=0,
        claims=[_claim("e", "type", "restoration"), _claim("e", "response", "statement")],
    )
    incident.events.append(follow_up)
    verdicts = verify_attributes(incident, OUTLETS, set())
    assert verdicts["type"].status == "agreed"
    assert verdicts["type"].value == "drone_strike"
    assert "response" not in verdicts


# --------------------------------------------------------------------------- KB conflicts

BORDER_TEXT = (
    "Drones attacked the Kropotkinskaya pumping station near the Kazakhstan–Azerbaijan border on 17 February "
    "2025. The consortium, which includes stakeholders from Kazakhstan, Russia, and Azerbaijan, said the "
    "station had stopped."
)


def _event_on(text: str, asset: str, article: str = "x") -> Incident:
    start = text.index("Kropotkinskaya")
    first = text.index(".") + 1
    claims = [
        Claim(
            article_id=article,
            field=f,
            value=v,
            raw=text[start : start + 14],
            start=start,
            end=start + 14,
            sentence_start=0,
            sentence_end=first,
        )
        for f, v in (("type", "drone_strike"), ("assets", asset))
    ]
    event = ExtractedEvent(
        article_id=article,
        index=0,
        category="attack",
        type="drone_strike",
        trigger="attacked",
        trigger_start=text.index("attacked"),
        assets=[asset],
        claims=claims,
    )
    return Incident(
        id="inc-kb",
        category="attack",
        type="drone_strike",
        date=DateRange(),
        assets=[asset],
        articles=[article],
        events=[event],
    )


def test_border_and_shareholder_conflicts(kb: KnowledgeBase) -> None:
    conflicts = kb_conflicts(_event_on(BORDER_TEXT, "cpc_ps_kropotkinskaya"), {"x": BORDER_TEXT}, kb)
    assert len(conflicts) == 2
    place, owners = conflicts
    assert place.asset_id == "cpc_ps_kropotkinskaya"
    assert place.claim.raw == "the Kazakhstan–Azerbaijan border"
    assert "Krasnodar Krai" in place.fact
    assert "lies in RU" in place.reason
    assert place.source
    assert place.source[0].startswith("S")
    assert owners.asset_id == "cpc_pipeline"
    assert owners.claim.raw == "Azerbaijan"
    assert owners.claim.field == "owners"
    assert owners.reason.startswith("Azerbaijan is not a CPC shareholder (KB owners: ")
    assert "KazMunayGas" in owners.reason
    assert any("http" in s for s in owners.source)


def test_border_of_the_assets_country_is_not_a_conflict(kb: KnowledgeBase) -> None:
    text = "Drones attacked the Kropotkinskaya pumping station near the Russia–Ukraine border on 17 February."
    assert kb_conflicts(_event_on(text, "cpc_ps_kropotkinskaya"), {"x": text}, kb) == []


def test_far_point_and_wrong_facility_type(kb: KnowledgeBase) -> None:
    text = "Drones attacked the Kropotkinskaya refinery on 17 February 2025, officials said."
    incident = _event_on(text, "cpc_ps_kropotkinskaya")
    incident.events[0].claims.append(
        _claim("x", "location", _place("Atyrau", 47.1, 51.9, "KZ"), Hedge.asserted)
    )
    conflicts = kb_conflicts(incident, {"x": text}, kb)
    reasons = sorted(c.reason for c in conflicts)
    assert len(conflicts) == 2
    assert "km from CPC pumping station Kropotkinskaya, beyond 150 km" in reasons[0]
    assert reasons[1].startswith("called a refinery, but the KB lists")


def test_copies_are_not_checked(kb: KnowledgeBase) -> None:
    incident = _event_on(BORDER_TEXT, "cpc_ps_kropotkinskaya")
    incident.copies = ["x"]
    assert kb_conflicts(incident, {"x": BORDER_TEXT}, kb) == []


# --------------------------------------------------------------------------- pipeline

ARTICLE_A = (
    "Drones struck the Kropotkinskaya pumping station of the Caspian Pipeline Consortium "
    "in Krasnodar Krai on 17 February 2025, starting a fire. Russian Deputy Prime Minister "
    "Alexander Novak said oil flows through the pipeline had fallen by 30-40%. "
    "Repairs will take several months, the operator said."
)
ARTICLE_B = (
    "A drone attack on 17 February 2025 hit the Kropotkinskaya pumping station near the "
    "Kazakhstan–Azerbaijan border. Flows dropped by around 30%, Novak said. The consortium, "
    "which includes stakeholders from Kazakhstan, Russia, and Azerbaijan, said repairs "
    "would take about two months."
)


def test_pipeline_end_to_end(tmp_path: Path, kb: KnowledgeBase) -> None:
    settings = Settings(db=str(tmp_path / "ew.db"))
    store = Store.open(settings)
    raws = [
        RawArticle(
            origin=f"{aid}.json",
            input_format=InputFormat.json,
            id=aid,
            outlet=outlet,
            text=text,
            published=dt.date(2025, 2, 18),
        )
        for aid, outlet, text in (("a1", "Interfax Wire", ARTICLE_A), ("b1", "Caspian Ledger", ARTICLE_B))
    ]
    ingest_items(store, raws, settings)
    process(store, kb)
    (incident,) = [store.get_incident(i) for i in store.incident_ids()]
    outlets = {a: store.get_article(a).source.name for a in incident.articles}
    verdicts = verify_attributes(incident, outlets, set(incident.copies))
    assert verdicts["flow_reduction_pct"].status == "agreed"
    assert verdicts["duration_days"].status == "contested"
    assert "90–180" in verdicts["duration_days"].reason
    assert "54–66" in verdicts["duration_days"].reason
    texts = {a: store.get_article(a).clean_text for a in incident.articles}
    conflicts = kb_conflicts(incident, texts, kb)
    assert {c.claim.raw for c in conflicts} == {"the Kazakhstan–Azerbaijan border", "Azerbaijan"}
    assert all(c.claim.article_id == "b1" and c.source for c in conflicts)


def test_a_pipeline_site_without_a_point_is_checked_along_its_route() -> None:
    """The CPC pipeline has no point, only route waypoints; a far place still conflicts
    and the fact names the route instead of failing on a missing coordinate."""
    kb = load_knowledge_base()
    assert kb.assets["cpc_pipeline"].lat is None
    assert kb.assets["cpc_pipeline"].line
    where = _claim("a", "location", {"name": "Murmansk", "lat": 68.97, "lon": 33.09})
    incident = _incident([where])
    incident.events[0].assets = ["cpc_pipeline"]
    conflicts = kb_conflicts(incident, {"a": "Drones hit the CPC pipeline near Murmansk."}, kb)
    assert conflicts
    assert all("route" in c.fact and "Murmansk" in c.reason for c in conflicts)


def test_a_border_that_does_not_exist_on_land_is_a_conflict_even_for_a_site_in_one_country() -> None:
    kb = load_knowledge_base()
    border = _claim("a", "location", {"name": "Kazakhstan–Azerbaijan border", "lat": None, "lon": None})
    incident = _incident([border])
    incident.events[0].assets = ["cpc_pipeline"]  # runs through Kazakhstan and Russia
    [conflict] = kb_conflicts(incident, {}, kb)
    assert "share no land border" in conflict.reason
    fine = _claim("a", "location", {"name": "Kazakhstan–Russia border", "lat": None, "lon": None})
    other = _incident([fine])
    other.events[0].assets = ["cpc_pipeline"]
    assert kb_conflicts(other, {}, kb) == []


def test_a_reactions_own_place_is_not_checked_against_the_asset() -> None:
    kb = load_knowledge_base()
    kyiv = _claim("a", "location", {"name": "Kyiv", "lat": 50.45, "lon": 30.52, "country": "UA"})
    incident = _incident([kyiv], category="response")
    incident.events[0].assets = ["cpc_ps_kropotkinskaya"]
    text = "Astana asked Kyiv for an explanation."
    assert kb_conflicts(incident, {"a": text}, kb) == []
