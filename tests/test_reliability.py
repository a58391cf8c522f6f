"""Source scores: the documented formula on hand-built records, and the demo corpus."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.test_storage import make_article

from energywatch import reliability
from energywatch.assessment import Context
from energywatch.demo import demo_articles
from energywatch.ingest import ingest
from energywatch.kb import load_knowledge_base
from energywatch.models import (
    Article,
    Claim,
    ExtractedEvent,
    Hedge,
    Incident,
    RemovedSpan,
    Source,
    SourceKind,
    SpanKind,
)
from energywatch.process import process
from energywatch.reliability import (
    PRIOR_STRENGTH,
    SourceRecord,
    claim_key,
    score_sources,
    source_note,
)
from energywatch.settings import Settings
from energywatch.storage import Store

ROOT = Path(__file__).resolve().parent.parent
BODY = "Drones struck the Kropotkinskaya pumping station overnight. Flows fell by 30%."


def outlet(name: str, prior: float = 0.6) -> Source:
    return Source(name=name, kind=SourceKind.national, reliability_prior=prior)


def article(article_id: str, source: Source, **overrides: object) -> Article:
    fields: dict[str, object] = {
        "source": source,
        "text": BODY,
        "clean_text": BODY,
        "removed_spans": [],
    }
    fields.update(overrides)
    return make_article(article_id, **fields)


def claim(article_id: str, field: str, start: int, hedge: Hedge = Hedge.asserted) -> Claim:
    return Claim(
        article_id=article_id,
        field=field,
        value=[30, 30],
        raw="30%",
        start=start,
        end=start + 3,
        sentence_start=0,
        sentence_end=len(BODY),
        hedge=hedge,
    )


def incident(*claims: Claim, copies: tuple[str, ...] = ()) -> Incident:
    events = [
        ExtractedEvent(
            article_id=aid,
            index=0,
            category="attack",
            type="drone_strike",
            trigger="struck",
            trigger_start=7,
            claims=[c for c in claims if c.article_id == aid],
        )
        for aid in dict.fromkeys(c.article_id for c in claims)
    ]
    return Incident(
        id="inc-1",
        category="attack",
        type="drone_strike",
        date={"precision": "unknown"},
        articles=[e.article_id for e in events],
        copies=list(copies),
        events=events,
    )


def test_a_clean_record_keeps_the_prior() -> None:
    wire = outlet("Wire", 0.8)
    arts = [article(f"w{i}", wire) for i in range(3)]
    inc = incident(*(claim(a.id, "flow_reduction_pct", 60) for a in arts))
    statuses = {claim_key(c): "agreed" for e in inc.events for c in e.claims}
    [record] = score_sources(arts, statuses, incidents=[inc]).values()
    assert record.articles == 3
    assert record.claims == record.assessed == 3
    assert record.score == pytest.approx(0.8)
    assert record.penalty == 0.0


def test_the_score_follows_the_documented_formula() -> None:
    src = outlet("Mixed", 0.6)
    arts = [
        article(
            "m1",
            src,
            text=BODY + " Trade CFDs now!",
            removed_spans=[RemovedSpan(start=len(BODY) + 1, end=len(BODY) + 16, kind=SpanKind.promotional)],
        ),
        article("m2", src),
    ]
    claims = [
        claim("m1", "flow_reduction_pct", 60, Hedge.speculative),
        claim("m1", "duration_days", 10),
        claim("m2", "flow_reduction_pct", 60, Hedge.alleged),
        claim("m2", "location", 18),
    ]
    inc = incident(*claims)
    statuses = {
        claim_key(claims[0]): "contested",
        claim_key(claims[1]): "agreed",
        claim_key(claims[2]): "contested",
    }
    kb = {claim_key(claims[3])}
    record = score_sources(arts, statuses, kb, incidents=[inc])["Mixed"]
    assert (record.claims, record.assessed, record.contested) == (4, 3, 2)
    assert (record.kb_conflicts, record.hedged, record.promotional_articles) == (1, 2, 1)
    assert record.promotional_chars_share == pytest.approx(15 / (2 * len(BODY) + 16))
    penalty = (
        reliability.CONTESTED_WEIGHT * 2 / 3
        + reliability.KB_CONFLICT_WEIGHT * 1 / 4
        + reliability.HEDGED_WEIGHT * 2 / 4
        + reliability.PROMOTIONAL_WEIGHT * 1 / 2
    )
    shrink = 2 / (2 + PRIOR_STRENGTH)
    assert record.penalty == pytest.approx(penalty)
    assert record.score == pytest.approx(0.6 - shrink * penalty)
    # The explanation lists every component and the arithmetic.
    for part in (
        "prior 0.60",
        "contested 2/3",
        "KB conflict 1/4",
        "hedged 2/4",
        "promotional 1/2",
        "copies 0/2",
    ):
        assert part in record.explanation, part


def test_small_samples_stay_near_the_prior() -> None:
    """One bad article moves a score much less than ten bad articles do."""

    def scored(n: int) -> SourceRecord:
        src = outlet("Bad", 0.6)
        arts = [article(f"b{i}", src) for i in range(n)]
        claims = [claim(a.id, "flow_reduction_pct", 60) for a in arts]
        statuses = {claim_key(c): "contested" for c in claims}
        return score_sources(arts, statuses, incidents=[incident(*claims)])["Bad"]

    one, ten = scored(1), scored(10)
    assert one.penalty == ten.penalty == pytest.approx(reliability.CONTESTED_WEIGHT)
    assert 0.6 - one.score <= reliability.CONTESTED_WEIGHT / (1 + PRIOR_STRENGTH) + 1e-9
    assert ten.score < one.score < 0.6


def test_copies_of_other_outlets_count_and_the_original_is_credited() -> None:
    wire, mirror = outlet("Wire", 0.6), outlet("Mirror", 0.6)
    arts = [
        article("w1", wire),
        article("m1", mirror, near_duplicate_of="w1"),
        article("m2", mirror),
        article("m3", mirror, near_duplicate_of="m2"),  # its own story again: not copying
    ]
    records = score_sources(arts, {})
    assert records["Mirror"].copies == 1
    assert records["Wire"].copied_by_others == 1
    assert records["Wire"].score == pytest.approx(0.6)  # being copied is not scored
    assert records["Mirror"].score < 0.6


def test_claims_can_come_from_the_status_keys_alone() -> None:
    src = outlet("Keys", 0.5)
    records = score_sources(
        [article("k1", src)], {("k1", 0, 3, "volume"): "contested", ("other", 0, 3, "volume"): "agreed"}
    )
    assert (records["Keys"].claims, records["Keys"].contested, records["Keys"].hedged) == (1, 1, 0)


def test_no_weight_is_undocumented() -> None:
    doc = (ROOT / "docs" / "source-scores.md").read_text(encoding="utf-8")
    names = [n for n in dir(reliability) if re.fullmatch(r"[A-Z_]+_(WEIGHT|STRENGTH)", n)]
    assert len(names) == 6
    for name in names:
        value = getattr(reliability, name)
        assert f"`{name}` = {value:g}" in doc, name
        assert name in (reliability.__doc__ or ""), name


def test_source_note() -> None:
    assert source_note(None) == "source score unknown"
    record = SourceRecord(outlet="Wire", prior=0.8, score=0.75)
    assert source_note(record) == "Wire · source score 0.75 (prior 0.80)"
    assert record.as_dict()["score"] == 0.75


# --------------------------------------------------------------------------- demo corpus


@pytest.fixture(scope="module")
def demo_scores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SourceRecord]]:
    settings = Settings(db=str(tmp_path_factory.mktemp("scores") / "ew.db"))
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, files, settings)
        process(store, load_knowledge_base())
        incidents = [store.get_incident(i) for i in store.incident_ids()]
        yield dict(Context.from_store(store, load_knowledge_base(), incidents).scores)


def test_every_demo_outlet_is_scored(demo_scores: dict[str, SourceRecord]) -> None:
    assert len(demo_scores) == 14
    for record in demo_scores.values():
        assert 0.0 <= record.score <= record.prior  # penalties only
        assert record.outlet in record.explanation


def test_the_broker_carries_its_marketing_in_its_record(demo_scores: dict[str, SourceRecord]) -> None:
    broker = demo_scores["Crude Signal Markets (demo)"]
    wire = demo_scores["Meridian Wire (demo)"]
    assert broker.promotional_articles > 0
    assert broker.promotional_chars_share > 0.0
    assert broker.promotional_articles == broker.articles  # every one has a marketing tail
    assert f"promotional {broker.articles}/{broker.articles}" in broker.explanation
    assert wire.promotional_articles == 0
    assert broker.score < broker.prior
    assert broker.score < wire.score
    # Syndicated wire copy is credited to the wire, charged to the copier.
    assert wire.copied_by_others >= 2
    assert demo_scores["Global Syndicate News (demo)"].copies >= 2


def test_articles_without_an_outlet_are_separate_sources() -> None:
    """Two undated, outlet-less files are not known to share a source: each is scored
    on its own record, so one file's broker tail does not taint the other."""
    from energywatch.reliability import outlet_key

    assert outlet_key("a1", "unknown") != outlet_key("a2", "unknown")
    assert outlet_key("a1", "Meridian Wire (demo)") == "Meridian Wire (demo)"
