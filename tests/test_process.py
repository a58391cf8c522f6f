"""The process stage end to end on the demo corpus: extraction, resolution, re-runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from energywatch.cli import app
from energywatch.demo import demo_articles
from energywatch.export import incident_records
from energywatch.ingest import ingest
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import Incident
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Store]:
    settings = Settings(db=str(tmp_path_factory.mktemp("demo") / "ew.db"))
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, files, settings)
        process(store, kb)
        yield store


def _incidents_of(store: Store, article_id: str) -> list[Incident]:
    return [store.get_incident(i) for i in store.incident_ids_for_article(article_id)]


def test_two_sites_hit_the_same_night_are_two_incidents(demo_store: Store) -> None:
    found = {tuple(i.assets) for i in _incidents_of(demo_store, "demo-112")}
    assert ("ilsky_refinery",) in found
    assert ("cpc_ps_kropotkinskaya",) in found


def test_reports_follow_ups_and_copies_join_one_incident(demo_store: Store) -> None:
    [kropotkinskaya] = _incidents_of(demo_store, "demo-101")
    assert kropotkinskaya.type == "drone_strike"
    assert kropotkinskaya.date.start is not None
    assert kropotkinskaya.date.start.isoformat() == "2025-02-17"
    # A copy, the foreign ministry's reaction and the May restoration all belong here.
    assert {"demo-102", "demo-108", "demo-110"} <= set(kropotkinskaya.articles)
    assert kropotkinskaya.copies == ["demo-102"]
    record = incident_records(demo_store, load_knowledge_base(), [kropotkinskaya.id])[0]
    flow = record["attributes"]["flow_reduction_pct"]
    assert any(c["speaker"] and "Novak" in c["speaker"] for c in flow["claims"])
    assert all(c["copy"] == (c["article"] == "demo-102") for c in flow["claims"])
    # Kazakhstan's reaction is a response linked to the strike it reacts to.
    assert any(r["article"] == "demo-108" for r in record["responses"])


def test_non_incident_articles_carry_a_reason(demo_store: Store) -> None:
    extraction = demo_store.get_extraction("demo-322")  # an airfield strike
    assert extraction is not None
    assert not extraction.is_incident_report
    assert extraction.reason == "not_about_energy"
    assert demo_store.incident_ids_for_article("demo-322") == []


def test_facilities_outside_the_kb_are_kept_as_described(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(
        json.dumps(
            {
                "id": "depot",
                "published": "2025-08-12",
                "outlet": "Test Wire",
                "text": "Drones struck an oil depot in Tikhoretsk overnight, starting a large fire, the "
                "regional governor said on Tuesday. Firefighters were still at the site in the morning "
                "and no casualties were reported.",
            }
        ),
        encoding="utf-8",
    )
    settings = Settings(db=str(tmp_path / "ew.db"))
    with Store.open(settings) as store:
        ingest(store, [folder], settings)
        process(store, kb)
        [incident_id] = store.incident_ids_for_article("depot")
        record = incident_records(store, kb, [incident_id])[0]
    assert record["facilities"] == [
        {"kind": "oil_depot", "place": "Tikhoretsk", "in_kb": False, "articles": ["depot"]}
    ]
    assert record["assets"] == []


def test_claims_quote_their_sentence(demo_store: Store) -> None:
    incident = _incidents_of(demo_store, "demo-103")[0]
    for event in incident.events:
        text = demo_store.get_article(event.article_id).clean_text
        for claim in event.claims:
            assert text[claim.start : claim.end] == claim.raw
            assert claim.sentence_start <= claim.start < claim.end <= claim.sentence_end


def test_rerunning_process_changes_nothing(demo_store: Store, kb: KnowledgeBase) -> None:
    before, total = demo_store.list_incidents(IncidentQuery(limit=500))
    report = process(demo_store, kb)
    assert report.extracted == 0
    assert (report.incidents_inserted, report.incidents_updated, report.incidents_deleted) == (0, 0, 0)
    after, total_after = demo_store.list_incidents(IncidentQuery(limit=500))
    assert total_after == total
    assert [i.model_dump() for i in after] == [i.model_dump() for i in before]


def test_cli_process_incidents_show_and_export(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "ew.db")
    demo = runner.invoke(app, ["demo", "--db", db, "--json"])
    assert demo.exit_code == 0, demo.output
    summary = json.loads(demo.stdout)
    assert summary["process"]["incidents"] == len(summary["incidents"]) >= 8
    again = json.loads(runner.invoke(app, ["process", "--db", db, "--json"]).stdout)
    assert again["extracted"] == 0
    assert again["incidents_inserted"] == again["incidents_updated"] == again["incidents_deleted"] == 0
    strikes = json.loads(
        runner.invoke(app, ["incidents", "--db", db, "--type", "drone_strike", "--json"]).stdout
    )
    assert strikes["total"] >= 5
    assert all(i["type"] == "drone_strike" for i in strikes["incidents"])
    first = strikes["incidents"][0]["id"]
    shown = runner.invoke(app, ["show", first, "--db", db])
    assert shown.exit_code == 0
    assert "“" in shown.stdout  # evidence quotes are printed
    assert runner.invoke(app, ["show", "inc-nope", "--db", db]).exit_code == 5
    exported = json.loads(runner.invoke(app, ["export", "--db", db]).stdout)
    assert len(exported["incidents"]) == summary["process"]["incidents"]
    by_id = {a["id"]: a for a in exported["articles"]}
    assert by_id["demo-101"]["is_incident_report"] is True
    assert by_id["demo-101"]["incident_ids"]
    assert by_id["demo-322"]["is_incident_report"] is False
    incident = exported["incidents"][0]
    assert {"id", "category", "type", "date", "assets", "location", "articles", "attributes"} <= set(incident)


@pytest.mark.postgres
def test_process_gives_the_same_incidents_on_postgresql(
    demo_store: Store, pg_settings: Settings, kb: KnowledgeBase
) -> None:
    with Store.open(pg_settings) as store, demo_articles() as files:
        ingest(store, files, pg_settings)
        process(store, kb)
        on_postgres = incident_records(store, kb)
    on_sqlite = incident_records(demo_store, kb)
    assert on_postgres == on_sqlite


def test_a_misdated_lone_report_joins_the_incident_it_is_about(demo_store: Store) -> None:
    # demo-204 (published 21 Oct) dates the 19 October Orenburg strike "September 19th".
    [orenburg] = _incidents_of(demo_store, "demo-204")
    assert "demo-201" in orenburg.articles
    assert orenburg.date.start is not None
    assert orenburg.date.start.isoformat() == "2025-10-19"
    record = incident_records(demo_store, load_knowledge_base(), [orenburg.id])[0]
    [date] = [c for c in record["contradictions"] if c["field"] == "date"]
    assert "2025-09-19" in date["reason"]


def test_the_incident_is_located_at_its_own_site(demo_store: Store) -> None:
    # The Kavkazskaya story also places the nearby Kropotkinskaya station.
    [kavkazskaya] = _incidents_of(demo_store, "demo-114")
    assert kavkazskaya.assets == ["kavkazskaya_transfer_station"]
    assert kavkazskaya.location is not None
    assert kavkazskaya.location.asset_id == "kavkazskaya_transfer_station"


def _story(folder: Path, article_id: str, published: str, outlet: str, text: str) -> None:
    body = {"id": article_id, "published": published, "outlet": outlet, "text": text}
    (folder / f"{article_id}.json").write_text(json.dumps(body), encoding="utf-8")


def test_an_earlier_strike_two_outlets_report_is_not_moved(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _story(
        folder, "new", "2025-10-19", "Wire A",
        "Drones struck the Orenburg gas processing plant on 19 October, starting a fire in one "
        "workshop, the regional governor said.",
    )  # fmt: skip
    _story(
        folder, "old-a", "2025-10-20", "Wire B",
        "Drones hit the Orenburg gas processing plant on 10 August, damaging a compressor, "
        "the plant's operator said.",
    )  # fmt: skip
    _story(
        folder, "old-b", "2025-10-20", "Wire C",
        "A compressor station at Gazprom's Orenburg gas plant was set ablaze by a drone attack on "
        "10 August, according to regional emergency services, who reported no casualties.",
    )  # fmt: skip
    settings = Settings(db=str(tmp_path / "ew.db"))
    with Store.open(settings) as store:
        ingest(store, [folder], settings)
        process(store, kb)
        new, old = (set(store.incident_ids_for_article(a)) for a in ("new", "old-a"))
        assert new.isdisjoint(old)
        assert old == set(store.incident_ids_for_article("old-b"))
