"""Extractions, claims and incidents in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from tests.test_storage import make_article

from energywatch.errors import NotFoundError
from energywatch.models import (
    ArticleExtraction,
    Claim,
    DateRange,
    ExtractedEvent,
    Facility,
    Hedge,
    Incident,
    Location,
)
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store
from energywatch.storage.schema import claims, incident_articles, incident_assets


@pytest.fixture
def store(any_settings: Settings) -> Iterator[Store]:
    """The shared store fixture, plus an empty incidents table: the PostgreSQL fixture
    truncates only the tables that reference articles, and incidents do not."""
    with Store.open(any_settings) as opened:
        with opened.engine.begin() as conn:
            conn.execute(text("DELETE FROM incidents"))
        yield opened


def make_claim(article_id: str, field: str, value: object, **overrides: object) -> Claim:
    fields: dict[str, object] = {
        "article_id": article_id,
        "field": field,
        "value": value,
        "raw": f"raw {field}",
        "start": 10,
        "end": 20,
        "sentence_start": 0,
        "sentence_end": 59,
    }
    fields.update(overrides)
    return Claim.model_validate(fields)


def make_event(article_id: str, index: int = 0, **overrides: object) -> ExtractedEvent:
    fields: dict[str, object] = {
        "article_id": article_id,
        "index": index,
        "category": "attack",
        "type": "drone_strike",
        "trigger": "struck",
        "trigger_start": 7,
        "assets": ["cpc_ps_kropotkinskaya"],
        "facilities": [Facility(kind="pumping station", place="Kropotkin", start=12, end=27)],
        "location": Location(name="Kropotkin", lat=45.44, lon=40.57, country="RU"),
        "date": DateRange(start=dt.date(2025, 2, 17), end=dt.date(2025, 2, 17), precision="day"),
        "claims": [
            make_claim(
                article_id,
                "flow_reduction_pct",
                [30, 40],
                speaker="Alexander Novak",
                hedge=Hedge.reported,
                confidence=0.8,
            ),
            make_claim(article_id, "killed", None, hedge=Hedge.alleged),
            make_claim(article_id, "facility", {"kind": "pumping station", "place": None}),
        ],
    }
    fields.update(overrides)
    return ExtractedEvent.model_validate(fields)


def make_extraction(article_id: str = "a1", events: int = 1) -> ArticleExtraction:
    return ArticleExtraction(
        article_id=article_id,
        is_incident_report=events > 0,
        reason="event_trigger" if events else "no_event_trigger",
        events=[make_event(article_id, i) for i in range(events)],
    )


def make_incident(incident_id: str, **overrides: object) -> Incident:
    fields: dict[str, object] = {
        "id": incident_id,
        "category": "attack",
        "type": "drone_strike",
        "date": DateRange(start=dt.date(2025, 2, 17), end=dt.date(2025, 2, 17), precision="day"),
        "assets": ["cpc_ps_kropotkinskaya"],
        "location": Location(name="Kropotkin", lat=45.44, lon=40.57, country="RU"),
        "articles": [],
        "copies": [],
        "events": [],
    }
    fields.update(overrides)
    return Incident.model_validate(fields)


def count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


# ---------------------------------------------------------------------- extractions


def test_extraction_round_trip_keeps_claims(store: Store) -> None:
    store.save_article(make_article("a1"))
    extraction = make_extraction("a1", events=2)
    assert store.save_extraction(extraction, version="v1") == "inserted"
    loaded = store.get_extraction("a1")
    assert loaded == extraction
    assert loaded is not None
    first = loaded.events[0].claims
    assert [c.value for c in first] == [[30, 40], None, {"kind": "pumping station", "place": None}]
    assert [c.hedge for c in first] == [Hedge.reported, Hedge.alleged, Hedge.asserted]
    assert [c.speaker for c in first] == ["Alexander Novak", None, None]
    assert count(store, claims) == 6
    assert store.get_extraction("nothing") is None


def test_non_report_round_trip(store: Store) -> None:
    store.save_article(make_article("a1"))
    extraction = make_extraction("a1", events=0)
    assert store.save_extraction(extraction, version="v1") == "inserted"
    assert store.get_extraction("a1") == extraction


def test_saving_the_same_extraction_is_unchanged(store: Store) -> None:
    store.save_article(make_article("a1"))
    assert store.save_extraction(make_extraction("a1"), version="v1") == "inserted"
    # A tuple value is stored as a JSON list; the comparison happens in JSON shape.
    again = make_extraction("a1")
    again.events[0].claims[0].value = (30, 40)
    assert store.save_extraction(again, version="v1") == "unchanged"
    assert count(store, claims) == 3


def test_changed_extraction_replaces_claims(store: Store) -> None:
    store.save_article(make_article("a1"))
    store.save_extraction(make_extraction("a1", events=2), version="v1")
    fewer = make_extraction("a1")
    fewer.events[0].claims = fewer.events[0].claims[:1]
    assert store.save_extraction(fewer, version="v1") == "updated"
    assert store.get_extraction("a1") == fewer
    assert count(store, claims) == 1
    assert store.save_extraction(fewer, version="v2") == "updated"  # same content, new version
    not_report = make_extraction("a1", events=0)
    assert store.save_extraction(not_report, version="v2") == "updated"
    assert store.get_extraction("a1") == not_report
    assert count(store, claims) == 0


def test_articles_to_extract_follows_version_and_fingerprint(store: Store) -> None:
    for article_id in ("a1", "a2", "a3"):
        store.save_article(make_article(article_id))
    assert store.articles_to_extract("v1") == ["a1", "a2", "a3"]
    store.save_extraction(make_extraction("a1"), version="v1")
    store.save_extraction(make_extraction("a2"), version="v1")
    assert store.articles_to_extract("v1") == ["a3"]
    assert store.articles_to_extract("v2") == ["a1", "a2", "a3"]
    store.save_article(make_article("a2", clean_text="Edited body."))
    assert store.articles_to_extract("v1") == ["a2", "a3"]
    # Re-extracting records the new fingerprint even when the result is the same.
    assert store.save_extraction(make_extraction("a2"), version="v1") == "updated"
    assert store.articles_to_extract("v1") == ["a3"]


def test_iter_extractions_in_id_order_with_claims(store: Store) -> None:
    for i in range(5):
        store.save_article(make_article(f"x{i}"))
        store.save_extraction(make_extraction(f"x{i}", events=i % 3), version="v1")
    found = list(store.iter_extractions(batch=2))
    assert [e.article_id for e in found] == [f"x{i}" for i in range(5)]
    assert found == [make_extraction(f"x{i}", events=i % 3) for i in range(5)]


def test_extraction_of_unknown_or_inconsistent_input_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.save_extraction(make_extraction("ghost"), version="v1")
    store.save_article(make_article("a1"))
    misnumbered = make_extraction("a1")
    misnumbered.events[0].index = 3
    with pytest.raises(ValueError, match="numbered"):
        store.save_extraction(misnumbered, version="v1")
    foreign = make_extraction("a1")
    foreign.events[0].claims[0].article_id = "a2"
    with pytest.raises(ValueError, match="other articles"):
        store.save_extraction(foreign, version="v1")
    assert store.get_extraction("a1") is None


def test_deleting_an_article_cascades(store: Store) -> None:
    for article_id in ("a1", "a2"):
        store.save_article(make_article(article_id))
        store.save_extraction(make_extraction(article_id), version="v1")
    incident = make_incident("i1", articles=["a1", "a2"], events=[make_event("a1"), make_event("a2")])
    store.replace_incidents([incident])
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM articles WHERE id = 'a1'"))
    assert store.get_extraction("a1") is None
    assert count(store, claims) == 3
    assert store.incident_ids_for_article("a1") == []
    assert store.incident_ids_for_article("a2") == ["i1"]


# ---------------------------------------------------------------------- incidents


def _corpus(store: Store) -> list[Incident]:
    """Four incidents over five articles; a4 is a copy reported without its own event."""
    for article_id in ("a1", "a2", "a3", "a4", "a5"):
        store.save_article(make_article(article_id))
        store.save_extraction(make_extraction(article_id), version="v1")
    return [
        make_incident(
            "i-kropotkin",
            articles=["a1", "a2", "a4"],
            copies=["a4"],
            events=[make_event("a1"), make_event("a2")],
        ),
        make_incident(
            "i-novo",
            category="infrastructure",
            type="port_closure",
            date=DateRange(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 3), precision="day"),
            assets=["novorossiysk_port", "cpc_marine_terminal"],
            location=Location(name="Novorossiysk", country="RU"),
            articles=["a3"],
            events=[make_event("a3", type="port_closure", category="infrastructure")],
        ),
        make_incident(
            "i-tengiz",
            date=DateRange(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31), precision="month"),
            assets=["tengiz_field"],
            location=Location(name="Tengiz", country="KZ"),
            articles=["a5"],
            events=[make_event("a5")],
        ),
        make_incident("i-undated", date=DateRange(), assets=[], location=None, articles=["a5"]),
    ]


def test_replace_incidents_counts_and_is_idempotent(store: Store) -> None:
    incidents = _corpus(store)
    assert store.replace_incidents(incidents) == (4, 0, 0)
    assert store.replace_incidents(incidents) == (0, 0, 0)
    assert store.incident_counts() == {"drone_strike": 3, "port_closure": 1}
    assert store.incident_ids() == ["i-kropotkin", "i-novo", "i-tengiz", "i-undated"]

    changed = incidents[0].model_copy(update={"assets": ["cpc_ps_kropotkinskaya", "cpc_pipeline"]})
    assert store.replace_incidents([changed, incidents[1], incidents[2]]) == (0, 1, 1)
    assert store.get_incident("i-kropotkin").assets == ["cpc_ps_kropotkinskaya", "cpc_pipeline"]
    assert count(store, incident_assets) == 5
    with pytest.raises(NotFoundError):
        store.get_incident("i-undated")

    assert store.replace_incidents([]) == (0, 0, 3)
    assert count(store, incident_articles) == 0
    assert count(store, incident_assets) == 0
    with pytest.raises(ValueError, match="twice"):
        store.replace_incidents([incidents[0], incidents[0]])


def test_get_incident_rebuilds_events_with_claims(store: Store) -> None:
    incidents = _corpus(store)
    store.replace_incidents(incidents)
    loaded = store.get_incident("i-kropotkin")
    assert loaded == incidents[0]
    assert [len(e.claims) for e in loaded.events] == [3, 3]
    assert loaded.events[0].claims[0].value == [30, 40]
    assert store.incident_ids_for_article("a4") == ["i-kropotkin"]
    assert store.incident_ids_for_article("a5") == ["i-tengiz", "i-undated"]


def test_claims_shown_are_the_current_ones(store: Store) -> None:
    incidents = _corpus(store)
    store.replace_incidents(incidents)
    fewer = make_extraction("a3")
    fewer.events[0].claims = fewer.events[0].claims[:1]
    store.save_extraction(fewer, version="v2")
    assert len(store.get_incident("i-novo").events[0].claims) == 1


def test_list_incidents_filters_and_pages(store: Store) -> None:
    store.replace_incidents(_corpus(store))

    def ids(**filters: object) -> tuple[list[str], int]:
        page, total = store.list_incidents(IncidentQuery(**filters))  # type: ignore[arg-type]
        return [i.id for i in page], total

    assert ids() == (["i-novo", "i-kropotkin", "i-tengiz", "i-undated"], 4)
    assert ids(type="port_closure") == (["i-novo"], 1)
    assert ids(category="attack") == (["i-kropotkin", "i-tengiz", "i-undated"], 3)
    assert ids(asset="cpc_marine_terminal") == (["i-novo"], 1)
    assert ids(country="KZ") == (["i-tengiz"], 1)
    assert ids(article="a5") == (["i-tengiz", "i-undated"], 2)
    # Ranges overlap the window: Tengiz (all of January) matches a window from 31 January.
    assert ids(date_from=dt.date(2025, 1, 31), date_to=dt.date(2025, 2, 17)) == (
        ["i-kropotkin", "i-tengiz"],
        2,
    )
    assert ids(date_from=dt.date(2025, 3, 2)) == (["i-novo"], 1)
    assert ids(limit=2, offset=1) == (["i-kropotkin", "i-tengiz"], 4)
    assert ids(type="flood") == ([], 0)
    page, _ = store.list_incidents(IncidentQuery(type="port_closure"))
    assert page[0] == _corpus(store)[1]


def test_unknown_incident_suggests_close_ids(store: Store) -> None:
    store.replace_incidents(_corpus(store))
    with pytest.raises(NotFoundError) as info:
        store.get_incident("i-kropotkim")
    assert info.value.kind == "incident"
    assert info.value.suggestions[0] == "i-kropotkin"
