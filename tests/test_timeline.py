"""Incident timelines: ordering, kinds and dates on hand-built incidents, and the demo corpus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from tests.test_storage import make_article

from energywatch.demo import demo_articles
from energywatch.ingest import ingest
from energywatch.kb import load_knowledge_base
from energywatch.models import Article, Claim, DateRange, ExtractedEvent, Hedge, Incident, Source
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.timeline import TimelineEntry, incident_timeline, summarize

FEB17 = DateRange(start=dt.date(2025, 2, 17), end=dt.date(2025, 2, 17), precision="day")


def claim(article_id: str, field: str, value: object, raw: str, start: int, **extra: object) -> Claim:
    return Claim.model_validate(
        {
            "article_id": article_id,
            "field": field,
            "value": value,
            "raw": raw,
            "start": start,
            "end": start + len(raw),
            "sentence_start": 0,
            "sentence_end": 80,
            **extra,
        }
    )


def event(
    article_id: str,
    type_: str = "drone_strike",
    category: str = "attack",
    trigger: str = "drones struck",
    date: DateRange | None = None,
    claims: list[Claim] | None = None,
) -> ExtractedEvent:
    return ExtractedEvent(
        article_id=article_id,
        index=0,
        category=category,
        type=type_,
        trigger=trigger,
        trigger_start=0,
        date=date or DateRange(),
        claims=claims or [],
    )


def art(article_id: str, outlet: str, published: dt.date | None, **extra: object) -> Article:
    return make_article(article_id, source=Source(name=outlet), published=published, **extra)


@pytest.fixture
def story() -> tuple[Incident, dict[str, Article]]:
    """A strike, its copy, a later report, a reaction, a restart and an undated blurb."""
    articles = [
        art("late", "Second Paper", dt.date(2025, 2, 19)),
        art("orig", "Wire", dt.date(2025, 2, 17), title="Station hit"),
        art("copy", "Mirror", dt.date(2025, 2, 17), near_duplicate_of="orig"),
        art("react", "Ledger", dt.date(2025, 2, 20)),
        art("restart", "Post", dt.date(2025, 5, 26)),
        art("undated", "Blog", None),
    ]
    events = [
        event("late", date=FEB17, claims=[claim("late", "killed", [0, 0], "no casualties", 40)]),
        event(
            "orig",
            date=FEB17,
            claims=[
                claim("orig", "type", "drone_strike", "drones struck", 0, speaker="Transneft"),
                claim("orig", "flow_reduction_pct", [27, 33], "about 30%", 30, hedge=Hedge.speculative),
                claim("orig", "response", "request_explanation", "asked for an explanation", 50),
            ],
        ),
        event("copy", date=FEB17),
        event(
            "react",
            "statement",
            "response",
            "said in a statement",
            claims=[claim("react", "response", "statement", "said", 5, speaker="Foreign Ministry")],
        ),
        event(
            "restart",
            "restoration",
            "operations",
            "back in service",
            DateRange(start=dt.date(2025, 5, 20), end=dt.date(2025, 5, 20), precision="day"),
        ),
        event("undated", "suspension", "operations", "halted"),
    ]
    incident = Incident(
        id="inc-1",
        category="attack",
        type="drone_strike",
        date=FEB17,
        articles=[a.id for a in articles],
        copies=["copy"],
        events=events,
    )
    return incident, {a.id: a for a in articles}


def test_entries_are_in_story_order_with_kinds(story: tuple[Incident, dict[str, Article]]) -> None:
    incident, articles = story
    timeline = incident_timeline(incident, articles)
    assert [(e.article_id, e.kind) for e in timeline] == [
        ("orig", "first report"),
        ("orig", "response"),  # a reaction quoted inside the strike report
        ("copy", "copy"),
        ("late", "report"),
        ("react", "response"),
        ("restart", "follow-up"),
        ("undated", "follow-up"),
    ]


def test_dates_say_where_they_came_from(story: tuple[Incident, dict[str, Article]]) -> None:
    incident, articles = story
    by_id: dict[tuple[str, str], TimelineEntry] = {
        (e.article_id, e.kind): e for e in incident_timeline(incident, articles)
    }
    first = by_id[("orig", "first report")]
    assert (first.date, first.date_basis, first.date_precision) == (dt.date(2025, 2, 17), "event", "day")
    assert first.outlet == "Wire"
    assert first.title == "Station hit"
    assert first.speaker == "Transneft"
    react = by_id[("react", "response")]
    assert (react.date, react.date_basis) == (dt.date(2025, 2, 20), "published")
    assert react.speaker == "Foreign Ministry"
    quoted = by_id[("orig", "response")]
    assert (quoted.type, quoted.date, quoted.date_basis) == (
        "request_explanation",
        dt.date(2025, 2, 17),
        "published",
    )
    undated = by_id[("undated", "follow-up")]
    assert (undated.date, undated.date_basis, undated.date_precision) == (None, "unknown", "unknown")


def test_copies_name_the_outlet_they_copy(story: tuple[Incident, dict[str, Article]]) -> None:
    incident, articles = story
    [entry] = [e for e in incident_timeline(incident, articles) if e.kind == "copy"]
    assert entry.copy_of == "Wire"
    assert entry.summary.startswith("copy of Wire: drone_strike")


def test_a_copy_is_never_the_first_report(story: tuple[Incident, dict[str, Article]]) -> None:
    incident, articles = story
    articles["copy"] = articles["copy"].model_copy(update={"published": dt.date(2025, 2, 16)})
    timeline = incident_timeline(incident, articles)
    assert timeline[0].kind == "copy"
    assert [e.article_id for e in timeline if e.kind == "first report"] == ["orig"]


def test_later_events_of_the_same_kind_are_follow_ups() -> None:
    later = DateRange(start=dt.date(2025, 3, 2), end=dt.date(2025, 3, 2), precision="day")
    incident = Incident(
        id="inc-2",
        category="attack",
        type="drone_strike",
        date=FEB17,
        events=[event("a", date=FEB17), event("b", date=later)],
    )
    kinds = [e.kind for e in incident_timeline(incident, {})]
    assert kinds == ["first report", "follow-up"]
    assert {e.outlet for e in incident_timeline(incident, {})} == {"unknown"}


def test_summary_is_one_line_built_from_claims() -> None:
    ev = event(
        "r",
        "restoration",
        "operations",
        "back in service",
        claims=[
            claim("r", "duration_days", [84, 84], "84 days", 30, speaker="Gorban"),
            claim("r", "location", {"name": "X"}, "the station", 10),
            claim("r", "note", "x", "line\nbreak " * 60, 50),
        ],
    )
    text = summarize(ev)
    assert text.startswith("restoration: back in service; duration days 84 days, per Gorban")
    assert "the station" not in text
    assert "\n" not in text
    assert len(text) <= 200


# --------------------------------------------------------------------------- demo corpus


@pytest.fixture(scope="module")
def kropotkinskaya(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[TimelineEntry]]:
    settings = Settings(db=str(tmp_path_factory.mktemp("timeline") / "ew.db"))
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, files, settings)
        process(store, load_knowledge_base())
        [incident_id] = store.incident_ids_for_article("demo-101")
        incident = store.get_incident(incident_id)
        articles = {a: store.get_article(a) for a in incident.articles}
        yield incident_timeline(incident, articles)


def test_demo_timeline_starts_with_the_first_report(kropotkinskaya: list[TimelineEntry]) -> None:
    first = kropotkinskaya[0]
    assert first.kind == "first report"
    assert first.date in (dt.date(2025, 2, 17), dt.date(2025, 2, 18))
    assert first.published is not None
    assert first.published <= dt.date(2025, 2, 18)
    assert sum(e.kind == "first report" for e in kropotkinskaya) == 1


def test_demo_timeline_has_the_copy_the_reaction_and_the_restart(
    kropotkinskaya: list[TimelineEntry],
) -> None:
    copies = [e for e in kropotkinskaya if e.kind == "copy"]
    assert [e.article_id for e in copies] == ["demo-102"]
    assert copies[0].summary.startswith("copy of Meridian Wire (demo)")

    [ministry] = [e for e in kropotkinskaya if e.kind == "response" and e.article_id == "demo-108"]
    assert ministry.speaker is not None
    assert "Foreign Affairs" in ministry.speaker

    [restart] = [e for e in kropotkinskaya if e.type == "restoration"]
    assert restart.kind == "follow-up"
    assert restart.date is not None
    assert (restart.date.year, restart.date.month) == (2025, 5)
    assert restart.summary.startswith("restoration:")

    dated = [e.date for e in kropotkinskaya if e.date is not None]
    assert dated == sorted(dated)
    assert kropotkinskaya.index(ministry) < kropotkinskaya.index(restart)
    # Undated entries come last.
    seen_undated = False
    for entry in kropotkinskaya:
        seen_undated = seen_undated or entry.date is None
        assert entry.date is None or not seen_undated
