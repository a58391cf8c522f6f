"""Processed batches as Parquet files: the database-free output of the parallel pipeline.

A worker that should not (or cannot) reach the database writes each batch with a
``ParquetSink`` instead of ``storage.bulk.write_batch``; ``read_parquet_batches`` later
streams the batches back, e.g. into ``write_batch``, with the same result as writing
them directly. Layout, one part per batch in each of three folders::

    out_dir/articles/part-<writer>-<NNNNN>.parquet      one row per article (spans nested)
    out_dir/extractions/part-<writer>-<NNNNN>.parquet   one row per extraction
    out_dir/claims/part-<writer>-<NNNNN>.parquet        one row per claim

Several processes may write into one folder: part names carry a writer id (random
unless given) and a counter, so they never collide. Each file is written under a
hidden temporary name and renamed into place, articles last, so a reader only sees a
part once all three of its files are complete; a writer killed mid-batch leaves at
most orphaned extraction or claim files, which readers ignore.

The schemas are explicit so every part has the same column types whatever its rows
happen to hold (an all-null column would otherwise be typed ``null``). Events and
claim values are JSON text, as in the database: their shape follows the extractor
version, and the store keeps them as JSON too.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from energywatch.models import (
    Article,
    ArticleExtraction,
    ExtractedEvent,
    InputFormat,
    RemovedSpan,
    Source,
    SourceKind,
    SpanKind,
)
from energywatch.storage.bulk import Processed
from energywatch.storage.incidents import extraction_rows
from energywatch.storage.store import _parse_published

_SPAN = pa.struct(
    [
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)

# Bodies are large_string: one batch of long pages can pass string's 2 GiB offsets.
ARTICLES_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("source_name", pa.string(), nullable=False),
        pa.field("source_domain", pa.string()),
        pa.field("source_kind", pa.string(), nullable=False),
        pa.field("source_country", pa.string()),
        pa.field("source_reliability_prior", pa.float64(), nullable=False),
        pa.field("title", pa.string()),
        # A date or a timestamp with its own offset: ISO text keeps which, as the store does.
        pa.field("published", pa.string()),
        pa.field("retrieved", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("language", pa.string()),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("origin", pa.string(), nullable=False),
        pa.field("html", pa.large_string()),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("clean_text", pa.large_string(), nullable=False),
        pa.field("removed_spans", pa.list_(pa.field("item", _SPAN, nullable=False)), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("near_duplicate_of", pa.string()),
        pa.field("duplicate_similarity", pa.float64()),
        pa.field("minhash", pa.binary(), nullable=False),
    ]
)

EXTRACTIONS_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("is_incident_report", pa.bool_(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("version", pa.string(), nullable=False),
        pa.field("events", pa.large_string(), nullable=False),  # JSON list, events without claims
    ]
)

CLAIMS_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("event_index", pa.int32(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("value", pa.string(), nullable=False),  # JSON ("null" for None)
        pa.field("raw", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("sentence_start", pa.int64(), nullable=False),
        pa.field("sentence_end", pa.int64(), nullable=False),
        pa.field("speaker", pa.string()),
        pa.field("hedge", pa.string(), nullable=False),
        pa.field("confidence", pa.float64(), nullable=False),
    ]
)

_TABLES = ("articles", "extractions", "claims")
_WRITER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ParquetSink:
    """Writes batches of ``Processed`` items to Parquet parts under ``out_dir``.

    ``writer_id`` names this writer's parts; it must differ between writers that run at
    the same time (the random default does). A sink reopened with the id of an earlier
    run continues after that run's last part instead of overwriting it.
    """

    def __init__(self, out_dir: str | Path, writer_id: str | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.writer_id = writer_id or uuid.uuid4().hex[:12]
        if not _WRITER_ID.fullmatch(self.writer_id):
            raise ValueError(f"writer id {self.writer_id!r}: use 1-64 letters, digits, '-' or '_'")
        for table in _TABLES:
            (self.out_dir / table).mkdir(parents=True, exist_ok=True)
        taken = [
            int(m.group(1))
            for p in (self.out_dir / "articles").iterdir()
            if (m := re.fullmatch(rf"part-{re.escape(self.writer_id)}-(\d+)\.parquet", p.name))
        ]
        self._next = max(taken, default=-1) + 1

    def write(self, batch: Sequence[Processed]) -> str | None:
        """Write one batch as one part; returns the part name (None for an empty batch)."""
        if not batch:
            return None
        name = f"part-{self.writer_id}-{self._next:05d}"
        self._next += 1
        articles, extractions, claims = _tables(batch)
        # Articles last: their file is what makes the part visible to readers.
        for table, data in (("extractions", extractions), ("claims", claims), ("articles", articles)):
            folder = self.out_dir / table
            temporary = folder / f".{name}.parquet.tmp"
            pq.write_table(data, temporary)
            os.replace(temporary, folder / f"{name}.parquet")
        return name


def _tables(batch: Sequence[Processed]) -> tuple[Any, Any, Any]:
    articles: list[dict[str, Any]] = []
    extractions: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for item in batch:
        a, extraction = item.article, item.extraction
        if extraction.article_id != a.id:
            raise ValueError(f"the extraction of article {a.id!r} is of {extraction.article_id!r}")
        articles.append(
            {
                "id": a.id,
                "url": a.url,
                "source_name": a.source.name,
                "source_domain": a.source.domain,
                "source_kind": a.source.kind.value,
                "source_country": a.source.country,
                "source_reliability_prior": a.source.reliability_prior,
                "title": a.title,
                "published": a.published.isoformat() if a.published else None,
                "retrieved": a.retrieved,
                "language": a.language,
                "input_format": a.input_format.value,
                "origin": a.origin,
                "html": a.html,
                "text": a.text,
                "clean_text": a.clean_text,
                "removed_spans": [s.model_dump(mode="json") for s in a.removed_spans],
                "content_hash": a.content_hash,
                "near_duplicate_of": a.near_duplicate_of,
                "duplicate_similarity": a.duplicate_similarity,
                "minhash": item.minhash,
            }
        )
        rows = extraction_rows(extraction)
        extractions.append(
            {
                "article_id": a.id,
                "is_incident_report": extraction.is_incident_report,
                "reason": extraction.reason,
                "version": item.version,
                "events": json.dumps(rows.events, ensure_ascii=False),
            }
        )
        claims += [{**c, "value": json.dumps(c["value"], ensure_ascii=False)} for c in rows.claims]
    return (
        pa.Table.from_pylist(articles, schema=ARTICLES_SCHEMA),
        pa.Table.from_pylist(extractions, schema=EXTRACTIONS_SCHEMA),
        pa.Table.from_pylist(claims, schema=CLAIMS_SCHEMA),
    )


# ---------------------------------------------------------------------- reading


def parquet_parts(out_dir: str | Path) -> list[str]:
    """Names of the complete parts under ``out_dir``, sorted (writer id, then counter)."""
    folder = Path(out_dir) / "articles"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("part-*.parquet"))


def read_parquet_batches(out_dir: str | Path) -> Iterator[list[Processed]]:
    """The batches under ``out_dir``, one part at a time, so memory holds one batch."""
    root = Path(out_dir)
    for name in parquet_parts(root):
        articles = pq.read_table(root / "articles" / f"{name}.parquet", schema=ARTICLES_SCHEMA)
        try:
            extractions = pq.read_table(root / "extractions" / f"{name}.parquet", schema=EXTRACTIONS_SCHEMA)
            claims = pq.read_table(root / "claims" / f"{name}.parquet", schema=CLAIMS_SCHEMA)
        except FileNotFoundError as exc:
            raise ValueError(f"part {name} under {root} lacks its {Path(exc.filename).parent.name}") from exc
        yield _batch(name, articles.to_pylist(), extractions.to_pylist(), claims.to_pylist())


def read_parquet_store(out_dir: str | Path) -> Iterator[Processed]:
    """Every processed article under ``out_dir``, streamed in part order."""
    for batch in read_parquet_batches(out_dir):
        yield from batch


def _batch(
    name: str, articles: list[dict[str, Any]], extractions: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> list[Processed]:
    by_article = {e["article_id"]: e for e in extractions}
    claims_of: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in claims:
        claims_of[(c["article_id"], c["event_index"])].append(c)
    batch = []
    for row in articles:
        extraction = by_article.get(row["id"])
        if extraction is None:
            raise ValueError(f"part {name} has no extraction of article {row['id']!r}")
        batch.append(
            Processed(
                article=_article(row),
                minhash=row["minhash"],
                extraction=_extraction(extraction, claims_of),
                version=extraction["version"],
            )
        )
    return batch


def _article(row: dict[str, Any]) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        source=Source(
            name=row["source_name"],
            domain=row["source_domain"],
            kind=SourceKind(row["source_kind"]),
            country=row["source_country"],
            reliability_prior=row["source_reliability_prior"],
        ),
        title=row["title"],
        published=_parse_published(row["published"]),
        retrieved=row["retrieved"],
        language=row["language"],
        input_format=InputFormat(row["input_format"]),
        origin=row["origin"],
        html=row["html"],
        text=row["text"],
        clean_text=row["clean_text"],
        removed_spans=[
            RemovedSpan(
                start=s["start"], end=s["end"], kind=SpanKind(s["kind"]), rule=s["rule"], text=s["text"]
            )
            for s in row["removed_spans"]
        ],
        content_hash=row["content_hash"],
        near_duplicate_of=row["near_duplicate_of"],
        duplicate_similarity=row["duplicate_similarity"],
    )


def _extraction(
    row: dict[str, Any], claims_of: dict[tuple[str, int], list[dict[str, Any]]]
) -> ArticleExtraction:
    article_id = row["article_id"]
    events = [
        ExtractedEvent.model_validate(
            {
                **event,
                "claims": [
                    {
                        **{k: v for k, v in c.items() if k != "event_index"},
                        "value": json.loads(c["value"]),
                    }
                    for c in claims_of.get((article_id, position), [])
                ],
            }
        )
        for position, event in enumerate(json.loads(row["events"]))
    ]
    return ArticleExtraction(
        article_id=article_id,
        is_incident_report=row["is_incident_report"],
        reason=row["reason"],
        events=events,
    )
