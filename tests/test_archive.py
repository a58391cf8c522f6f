"""The synthetic archive: deterministic, self-consistent gold, real copies, bounded memory,
and realistic enough that the pipeline resolves it as the gold says."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from energywatch.archive import (
    ArchiveItem,
    ArchiveSpec,
    ArchiveStats,
    generate,
    read_shard,
    write_archive,
)
from energywatch.archive_templates import SITES, Phrase
from energywatch.cli import app
from energywatch.dedup import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, signature
from energywatch.errors import ConfigError
from energywatch.eval_run import run_eval
from energywatch.extract.taxonomy import TAXONOMY
from energywatch.gold import load_gold
from energywatch.kb import KnowledgeBase, load_knowledge_base


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def items(kb: KnowledgeBase) -> list[ArchiveItem]:
    return list(generate(ArchiveSpec(count=800), kb))


def test_the_same_seed_gives_the_same_archive_and_another_seed_another(kb: KnowledgeBase) -> None:
    first = [(i.record, i.gold) for i in generate(ArchiveSpec(count=200, seed=3), kb)]
    again = [(i.record, i.gold) for i in generate(ArchiveSpec(count=200, seed=3), kb)]
    other = [(i.record, i.gold) for i in generate(ArchiveSpec(count=200, seed=4), kb)]
    assert first == again
    assert [r["text"] for r, _ in first] != [r["text"] for r, _ in other]


def test_count_mix_and_order(items: list[ArchiveItem]) -> None:
    assert len(items) == 800
    assert len({i.record["id"] for i in items}) == 800
    kinds = Counter(i.kind for i in items)
    assert 0.05 < kinds["copy"] / 800 < 0.15
    assert 0.10 < kinds["noise"] / 800 < 0.20
    published = [i.record["published"] for i in items]
    assert published == sorted(published)  # publication order, as a feed would deliver them
    assert set(items[0].record) == {"id", "url", "outlet", "title", "published", "text"}


def test_gold_validates_and_every_incident_has_its_reports(tmp_path: Path, kb: KnowledgeBase) -> None:
    manifest = write_archive(ArchiveSpec(count=400), tmp_path, kb=kb)
    gold = load_gold(tmp_path / "gold.jsonl")
    records = {r["id"]: r for r in read_shard(tmp_path / manifest.shards[0].file)}
    assert [g.article_id for g in gold] == list(records)
    by_key: dict[str, list[str]] = defaultdict(list)
    for line in gold:
        for incident in line.incidents:
            by_key[incident.key].append(line.article_id)
            assert incident.type in {t.type for t in TAXONOMY}
            assert incident.date is not None
            assert all(a in kb.assets for a in incident.assets)
        if line.near_duplicate_of is not None:
            original = next(g for g in gold if g.article_id == line.near_duplicate_of)
            assert original.near_duplicate_of is None  # copies point at originals, never at copies
            assert original.incidents == line.incidents
            assert records[original.article_id]["published"] < records[line.article_id]["published"]
    originals = {k: [a for a in v if records[a]["outlet"]] for k, v in by_key.items()}
    assert all(originals.values())
    assert max(len(v) for v in by_key.values()) >= 3  # some incidents have several reports
    assert manifest.stats.reports + manifest.stats.copies + manifest.stats.noise == 400


def test_reports_of_one_incident_come_from_different_outlets(items: list[ArchiveItem]) -> None:
    outlets: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.kind == "report":
            outlets[item.gold["incidents"][0]["key"]].append(item.record["outlet"])
    assert all(len(set(v)) == len(v) for v in outlets.values())


def test_copies_are_near_duplicates_and_independent_stories_are_not(items: list[ArchiveItem]) -> None:
    sigs = {i.record["id"]: signature(i.record["text"], DEFAULT_NUM_PERM) for i in items}
    copies = [i for i in items if i.kind == "copy"]
    assert copies
    for copy in copies:
        original = copy.gold["near_duplicate_of"]
        assert sigs[copy.record["id"]].jaccard(sigs[original]) >= DEFAULT_THRESHOLD + 0.2
    originals = [i for i in items if i.kind != "copy"]
    hashes = np.array([np.asarray(sigs[i.record["id"]].minhash.hashvalues) for i in originals])
    worst = max(float((hashes[k + 1 :] == hashes[k]).mean(axis=1).max()) for k in range(len(originals) - 1))
    assert worst < DEFAULT_THRESHOLD  # neither two reports of one incident nor unrelated stories


def test_every_site_name_names_its_asset_and_no_other(kb: KnowledgeBase) -> None:
    types = {t.type for t in TAXONOMY}
    for site in SITES:
        expected = {site.asset_id, *site.also}
        for name in site.names:  # what the body says, so what the gold lists
            assert {m.asset_id for m in kb.find_mentions(name)} == expected, name
        assert site.asset_id in {m.asset_id for m in kb.find_mentions(site.short)} <= expected
        for place in (site.town, site.region) if site.town_in_text else (site.region,):
            # A field named after the town ("near Tengiz") is context, never a second site.
            other = {m.asset_id for m in kb.find_mentions(place)} - expected
            assert all(kb.get(a).type.value in {"field", "pipeline"} for a in other), place
        assert set(site.types) <= types


def test_phrase_alternatives_slots_and_empty_choices() -> None:
    phrase = Phrase("{A|B} <x>{| and more}.")
    rng = random.Random(1)
    seen = {phrase(rng, {"x": "slot"}) for _ in range(50)}
    assert seen == {"A slot.", "B slot.", "A slot and more.", "B slot and more."}


@pytest.mark.parametrize("fmt", ["jsonl.gz", "parquet"])
def test_shards_read_back_to_the_same_records(tmp_path: Path, kb: KnowledgeBase, fmt: str) -> None:
    plain = write_archive(ArchiveSpec(count=250), tmp_path / "plain", shards=2, kb=kb)
    other = write_archive(ArchiveSpec(count=250), tmp_path / fmt, shards=2, fmt=fmt, kb=kb)
    assert [s.records for s in other.shards] == [125, 125]
    for a, b in zip(plain.shards, other.shards, strict=True):
        assert list(read_shard(tmp_path / fmt / b.file)) == list(read_shard(tmp_path / "plain" / a.file))
    written = json.loads((tmp_path / fmt / "manifest.json").read_text())
    assert written["shards"][1]["sha256"] == other.shards[1].sha256
    assert written["count"] == 250
    # Same spec, same bytes: the gzip header carries no time and no file name.
    again = write_archive(ArchiveSpec(count=250), tmp_path / "again", shards=2, fmt=fmt, kb=kb)
    assert [s.sha256 for s in again.shards] == [s.sha256 for s in other.shards]


def test_generation_memory_does_not_grow_with_the_count(kb: KnowledgeBase) -> None:
    stream = generate(ArchiveSpec(count=1200), kb)
    next(stream)  # templates and planner set up before measuring
    tracemalloc.start()
    try:
        for _ in itertools.islice(stream, 300):
            pass
        early = tracemalloc.get_traced_memory()[1]
        for _ in stream:
            pass
        late = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Keeping every record would cost ~1 kB each: four times as many records, four times the peak.
    assert late < 2 * early
    assert late < 512 * 1024


def test_days_scale_with_the_count_and_crowding_is_counted(kb: KnowledgeBase) -> None:
    assert ArchiveSpec(count=55_000).span_days == 10_000
    assert ArchiveSpec(count=10).span_days == 30
    stats = ArchiveStats()
    for _ in generate(ArchiveSpec(count=300), kb, stats):
        pass
    assert stats.crowded == 0
    crowded = ArchiveStats()
    for _ in generate(ArchiveSpec(count=300, days=5), kb, crowded):
        pass
    assert crowded.crowded > 0  # 300 articles in 5 days cannot keep sites apart: said, not hidden


def test_bad_specs_and_folders_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="count"):
        ArchiveSpec(count=0)
    with pytest.raises(ConfigError, match="no room"):
        ArchiveSpec(count=10, copy_rate=0.5, noise_rate=0.5)
    with pytest.raises(ConfigError, match="format"):
        write_archive(ArchiveSpec(count=10), tmp_path / "a", fmt="csv")
    with pytest.raises(ConfigError, match="shards"):
        write_archive(ArchiveSpec(count=10), tmp_path / "a", shards=11)


def test_cli_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "arc"
    first = runner.invoke(app, ["archive", "--count", "60", "--out", str(out), "--shards", "2"])
    assert first.exit_code == 0, first.output
    assert "60 articles" in first.output
    assert sorted(p.name for p in out.iterdir()) == [
        "gold.jsonl",
        "manifest.json",
        "part-00000.jsonl",
        "part-00001.jsonl",
    ]
    (out / "notes.txt").write_text("mine")
    refused = runner.invoke(app, ["archive", "--count", "60", "--out", str(out)])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    forced = runner.invoke(app, ["archive", "--count", "40", "--out", str(out), "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["count"] == 40
    assert sorted(p.name for p in out.iterdir()) == [
        "gold.jsonl",
        "manifest.json",
        "notes.txt",
        "part-00000.jsonl",
    ]
    bad = runner.invoke(app, ["archive", "--count", "0", "--out", str(tmp_path / "other")])
    assert bad.exit_code == 2
    assert "count" in bad.output


def test_the_pipeline_resolves_a_small_archive_as_its_gold_says(tmp_path: Path, kb: KnowledgeBase) -> None:
    manifest = write_archive(ArchiveSpec(count=150, seed=11, start=dt.date(2024, 1, 1)), tmp_path, kb=kb)
    report = run_eval([tmp_path / s.file for s in manifest.shards], tmp_path / "gold.jsonl", kb)
    m = report.metrics
    assert m["incident_report.f1"] >= 0.95
    assert m["clustering.bcubed_f1"] >= 0.9
    assert m["copies.accuracy"] >= 0.95
    assert m["type.accuracy"] >= 0.95
    assert m["date.within_1d"] >= 0.9
