"""Shards are streamed in bounded blocks, and each line is accepted or refused exactly as
``ingest`` accepts or refuses it (same reason, same ``path:N`` origin)."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.cli_support import energywatch_argv

from energywatch.batch.run import BatchOptions, run_single
from energywatch.batch.shards import expand_inputs, iter_blocks, shard_blocks
from energywatch.ingest import ingest
from energywatch.models import RejectionReason
from energywatch.settings import Settings
from energywatch.storage import Store

REPORT = (
    "A drone attack set fire to a storage tank at the Tikhoretsk oil pumping station in "
    "the Krasnodar region, regional officials said on Monday. Firefighters put the blaze "
    "out within hours and nobody was hurt, while the pipeline operator said flows were "
    "being checked. "
)


def _record(n: int, **extra: object) -> bytes:
    record = {
        "title": f"Fire at Tikhoretsk pumping station ({n})",
        "text": REPORT * 2 + f"Report number {n}.",
        "published": f"2025-03-{n % 28 + 1:02d}",
        "outlet": f"outlet-{n % 3}",
        "url": f"https://news{n}.example/tikhoretsk",
    }
    return json.dumps(record | extra).encode("utf-8")


def test_a_shard_is_read_in_blocks_of_at_most_the_batch_size(tmp_path: Path) -> None:
    shard = tmp_path / "ten.jsonl.gz"
    with gzip.open(shard, "wb") as out:
        out.write(b"\n".join(_record(n) for n in range(10)) + b"\n")
    blocks = list(shard_blocks(shard, 3, 1_000_000))
    assert [len(b["line"]) for b in blocks] == [3, 3, 3, 1]
    assert [n for b in blocks for n in b["number"]] == list(range(1, 11))
    assert {p for b in blocks for p in b["path"]} == {str(shard)}


def test_parquet_rows_become_json_lines(tmp_path: Path) -> None:
    shard = tmp_path / "rows.parquet"
    rows = [json.loads(_record(n)) for n in range(5)]
    pq.write_table(pa.Table.from_pylist(rows), shard)
    (blocks,) = [list(iter_blocks([shard], 10, 1_000_000))]
    assert [json.loads(line) for b in blocks for line in b["line"]] == rows


def test_refused_lines_are_rejected_as_ingest_rejects_them(tmp_path: Path) -> None:
    shard = tmp_path / "mixed.jsonl.gz"
    lines = [
        _record(1, note="x" * 9000),  # fills ingest's binary sniff (8 KiB)
        b"",  # blank: skipped, not refused
        b'{"title": "cut off", "text": ',  # invalid JSON
        json.dumps({"title": "no text at all"}).encode(),
        _record(3, text=REPORT * 60),  # longer than max_file_bytes
        "Zpráva bez JSON".encode("cp1250"),  # legacy encoding, and not JSON either
        _record(4),
        _record(2)[:-1] + b', "note": "a\x00b"}',  # a NUL byte, past the part ingest sniffs
    ]
    with gzip.open(shard, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    refused = {}
    for name, run in (("ingest", "ingest"), ("batch", "batch")):
        settings = Settings(db=str(tmp_path / f"{name}.db"), max_file_bytes=12_000, impact_samples=100)
        with Store.open(settings) as store:
            if run == "ingest":
                ingest(store, [shard], settings)
            else:
                report = run_single([shard], settings, BatchOptions(batch_size=3))
                assert (report.articles, report.rejections) == (2, 5)
            refused[name] = {(r.origin, r.reason, r.detail) for r in store.list_rejections()}
            assert store.status().articles == 2
    assert refused["batch"] == refused["ingest"]
    assert {(origin.rsplit(":", 1)[1], reason) for origin, reason, _ in refused["batch"]} == {
        ("3", RejectionReason.invalid_json),
        ("4", RejectionReason.missing_text),
        ("5", RejectionReason.too_large),
        ("6", RejectionReason.invalid_json),
        ("8", RejectionReason.binary_file),
    }


def test_relative_inputs_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(_record(1))
    monkeypatch.chdir(tmp_path)
    assert expand_inputs(["in/*.jsonl"]) == [tmp_path.resolve() / "in" / "a.jsonl"]


@pytest.mark.slow
@pytest.mark.postgres
def test_ray_reads_gzip_and_parquet_shards_line_by_line(tmp_path: Path, pg_settings: Settings) -> None:
    """The Ray datasource gives the workers the same lines as the single-process reader:
    same articles, same refusals with the same origins."""
    gz = tmp_path / "a.jsonl.gz"
    with gzip.open(gz, "wb") as out:
        out.write(b"\n".join([_record(1), b"{broken", _record(2), _record(3)]) + b"\n")
    table = tmp_path / "b.parquet"
    pq.write_table(pa.Table.from_pylist([json.loads(_record(n)) for n in range(10, 15)]), table)
    settings = Settings(db=str(tmp_path / "one.db"), impact_samples=100)
    single = run_single([tmp_path], settings, BatchOptions(batch_size=2))
    argv = energywatch_argv(
        "batch", str(tmp_path), "--db", pg_settings.db, "--json", "--workers", "2", "--batch-size", "2"
    )
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["articles"], report["rejections"]) == (single.articles, single.rejections) == (8, 1)
    with Store.open(settings) as one, Store.open(pg_settings) as ray:
        assert {r.origin for r in ray.list_rejections()} == {r.origin for r in one.list_rejections()}
        articles = [{m.article_id for m in store.iter_article_meta()} for store in (ray, one)]
        assert articles[0] == articles[1]
