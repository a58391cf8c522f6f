"""Reading an archive's shards as a stream of bounded blocks of lines.

A shard may hold any number of articles, so no reader here holds a whole shard: JSONL
and JSONL.gz are read line by line through a buffered stream (a line longer than
``max_bytes`` is skipped while reading and refused later, as ``ingest`` does), Parquet
by record batches. Each block is at most ``block_lines`` lines, whatever the shard's
size, which is what keeps a worker's memory the same for a 1,000,000-article archive
as for a 100,000-article one.

Blocks are columns ``line`` (the raw bytes of one JSONL line, or one Parquet row as
JSON), ``path`` (the shard) and ``number`` (the line or row, from 1), so that
``readers.read_jsonl_line`` can accept or refuse each line exactly as ``ingest`` does,
with the same ``path:N`` origin. ``iter_blocks`` is the single-process reader;
``ShardLines`` is the same reader as a Ray Data datasource.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from energywatch.errors import InputError
from energywatch.readers import ByteStream, absolute_path, byte_lines, origin_of

SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".parquet")

Block = dict[str, list[Any]]


def expand_inputs(patterns: Sequence[str | Path]) -> list[Path]:
    """Files named, matched by a glob, or found in a folder, as absolute paths (workers
    may run elsewhere than the driver's folder); sorted, so every run (and every
    worker) sees the shards in one order."""
    found: set[Path] = set()
    for pattern in patterns:
        text = str(pattern)
        matches = [Path(m) for m in glob.glob(text, recursive=True)] if glob.has_magic(text) else [Path(text)]
        if not matches:
            raise InputError(f"no file matches {text!r}", "check the path or the glob pattern")
        for path in matches:
            if path.is_dir():
                found |= {
                    absolute_path(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES)
                }
            elif path.is_file():
                if not path.name.endswith(SUFFIXES):
                    raise InputError(
                        f"{path}: batch reads {', '.join(SUFFIXES)} shards",
                        "convert other inputs with `energywatch ingest`, or rename the shard",
                    )
                found.add(absolute_path(path))
            else:
                raise InputError(f"{path} does not exist", "check the path")
    return sorted(found)


def _numbered_lines(stream: ByteStream, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    return enumerate(byte_lines(stream, max_bytes), start=1)


def _parquet_rows(source: Any, block_lines: int) -> Iterator[tuple[int, bytes | None]]:
    import pyarrow.parquet as pq

    number = 0
    for chunk in pq.ParquetFile(source).iter_batches(batch_size=block_lines):
        for row in chunk.to_pylist():
            number += 1
            yield number, json.dumps(row, default=str).encode("utf-8")


def _blocks(path: str, lines: Iterator[tuple[int, bytes | None]], block_lines: int) -> Iterator[Block]:
    block: Block = {"line": [], "path": [], "number": []}
    for number, raw in lines:
        block["line"].append(raw)
        block["path"].append(path)
        block["number"].append(number)
        if len(block["line"]) == block_lines:
            yield block
            block = {"line": [], "path": [], "number": []}
    if block["line"]:
        yield block


def shard_blocks(path: Path, block_lines: int, max_bytes: int) -> Iterator[Block]:
    """One shard's lines in blocks of at most ``block_lines``."""
    if path.suffix == ".parquet":
        yield from _blocks(origin_of(path), _parquet_rows(path, block_lines), block_lines)
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        yield from _blocks(origin_of(path), _numbered_lines(handle, max_bytes), block_lines)


def iter_blocks(files: Sequence[Path], block_lines: int, max_bytes: int) -> Iterator[Block]:
    """Every shard's lines, shard after shard (the single-process reader)."""
    for path in files:
        yield from shard_blocks(path, block_lines, max_bytes)


class _ArrowRaw(io.RawIOBase):
    """A pyarrow input stream as a raw Python stream, so ``io.BufferedReader`` can give
    it ``readline`` (Arrow's compressed streams have none)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def ray_dataset(files: Sequence[Path], block_lines: int, max_bytes: int) -> Any:
    """The shards as a Ray Data dataset of line blocks (one read task per shard; each
    task streams its shard in blocks)."""
    import ray.data
    from ray.data.datasource import FileBasedDatasource

    class ShardLines(FileBasedDatasource):
        """``shard_blocks`` as a Ray Data datasource: Ray opens the file (and
        decompresses ``.gz``); this reads it a block at a time."""

        def _read_stream(self, f: Any, path: str) -> Iterator[Any]:
            import pyarrow as pa

            if path.endswith(".parquet"):
                lines = _parquet_rows(path, block_lines)  # Parquet needs a seekable file
            else:
                lines = _numbered_lines(io.BufferedReader(_ArrowRaw(f), 1 << 20), max_bytes)
            for block in _blocks(origin_of(Path(path)), lines, block_lines):
                yield pa.table(
                    {
                        "line": pa.array(block["line"], pa.binary()),
                        "path": block["path"],
                        "number": pa.array(block["number"], pa.int64()),
                    }
                )

    return ray.data.read_datasource(ShardLines([str(p) for p in files]))
