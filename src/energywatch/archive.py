"""A synthetic news archive of any size, with its own gold, for scale-out benchmarks.

Real articles are a few hundred; the scale-out work (issue 8) needs archives of up to a
million that the pipeline can be scored on, not only timed on. ``generate`` plans
incidents in time order (a knowledge-base site, an event type from the taxonomy, a day,
casualties, a flow cut, an outage length), has one to four outlets report each one in
their own words, republishes a share of the records as near-duplicate copies and mixes
in energy news that reports no incident. Every record comes with the gold line
``energywatch eval`` scores it against, so at any size the archive says which articles
are reports, which are copies of which, and which articles are one incident.

Memory stays constant: only the records due within the next few days are held (reports
trail their incident by up to three days, copies their original by up to three more),
and nothing is kept once emitted. Output is deterministic for a seed.

Density: by default the archive spans ``count / 5.5`` days, as ``benchmarks/verify.py``
does. With three quarters of the records being reports, two per incident on average,
that is about two incidents a day over the 19 site groups below, so each site sees an
incident every week or two and, at a million records, dates run for five centuries
(reports then give year-less days, which resolve against the publication date). Two
incidents at one site group are kept at least ``MIN_GAP_DAYS`` apart, because the
pipeline rightly merges reports of one site a few days apart into one incident; when
every site is busy (only with a denser ``days``) the gap is broken and counted.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import heapq
import io
import json
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from energywatch import archive_templates as words
from energywatch.archive_templates import SITES, Site
from energywatch.errors import ConfigError
from energywatch.extract.place_lexicon import haversine_km
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.resolve import SAME_SITE_KM

ARTICLES_PER_DAY = 5.5
MIN_GAP_DAYS = 6
"""Resolution merges physical events at one site up to three days apart; six leaves a
day of slack on each side for a date read one day off."""
MAX_LAG_DAYS = 3
ROW_GROUP = 10_000
Format = Literal["jsonl", "jsonl.gz", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "jsonl.gz", "parquet")
_FIELDS = ("id", "url", "outlet", "title", "published", "text")


@dataclass(frozen=True, slots=True)
class ArchiveSpec:
    """What to generate. ``days`` defaults to ``count / 5.5`` (see the module docstring)."""

    count: int
    seed: int = 7
    start: dt.date = dt.date(2020, 1, 1)
    days: int | None = None
    reports_per_incident: tuple[int, int] = (1, 4)
    copy_rate: float = 0.1
    noise_rate: float = 0.15

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigError(
                f"count must be at least 1, got {self.count}", "pass a positive --count, e.g. 1000"
            )
        if self.days is not None and self.days < 1:
            raise ConfigError(f"days must be at least 1, got {self.days}")
        lo, hi = self.reports_per_incident
        if not 1 <= lo <= hi <= len(words.OUTLETS):
            raise ConfigError(f"reports_per_incident must be 1 <= lo <= hi, got {self.reports_per_incident}")
        if self.copy_rate < 0 or self.noise_rate < 0 or self.copy_rate + self.noise_rate >= 0.95:
            raise ConfigError(
                f"copy_rate {self.copy_rate} and noise_rate {self.noise_rate} leave no room for reports",
                "keep both non-negative and their sum below 0.95",
            )

    @property
    def span_days(self) -> int:
        return self.days if self.days is not None else max(30, round(self.count / ARTICLES_PER_DAY))


@dataclass(frozen=True, slots=True)
class ArchiveItem:
    """One record (DESIGN §11 input shape) and its gold line (``energywatch.gold`` format).

    ``kind`` is ``report``, ``copy`` or ``noise``: every record has a gold line, since
    the gold format itself says "not a report" and "copy of" (``is_incident_report``,
    ``near_duplicate_of``).
    """

    record: dict[str, Any]
    gold: dict[str, Any]
    kind: Literal["report", "copy", "noise"]


@dataclass(slots=True)
class ArchiveStats:
    """What a generation produced. ``incidents`` counts planned incidents (a few of the
    last ones may have had no report written before ``count`` was reached);
    ``crowded`` counts incidents placed less than ``MIN_GAP_DAYS`` after the previous
    one at their site group, which the pipeline may then merge against the gold."""

    reports: int = 0
    copies: int = 0
    noise: int = 0
    incidents: int = 0
    crowded: int = 0

    def count(self, kind: str) -> None:
        if kind == "report":
            self.reports += 1
        elif kind == "copy":
            self.copies += 1
        else:
            self.noise += 1


@dataclass(slots=True)
class _Incident:
    key: str
    site: Site
    type: str
    day: dt.date
    killed: int
    injured: int
    flow_pct: int | None
    duration: int | None
    gold_base: dict[str, Any]


@dataclass(slots=True)
class _Due:
    """A record planned but not yet written: a report, a noise story or a copy."""

    kind: Literal["report", "copy", "noise"]
    published: dt.date
    outlet: str
    incident: _Incident | None = None
    original: ArchiveItem | None = None


@dataclass(slots=True)
class _Planner:
    """Chooses sites and numbers; remembers only the last incident day per site group."""

    rng: random.Random
    kb: KnowledgeBase
    groups: dict[str, str] = field(default_factory=dict)
    last: dict[str, dt.date] = field(default_factory=dict)
    forced: int = 0
    incidents: int = 0

    def __post_init__(self) -> None:
        points = {s.asset_id: self.kb.get(s.asset_id) for s in SITES}
        for site in SITES:
            a = points[site.asset_id]
            self.groups[site.asset_id] = next(
                g
                for g in (x.asset_id for x in SITES)
                if (b := points[g]).lat is not None
                and a.lat is not None
                and haversine_km(a.lat, a.lon or 0.0, b.lat, b.lon or 0.0) <= SAME_SITE_KM
            )

    def incident(self, day: dt.date) -> _Incident:
        free = [s for s in SITES if self._free(s, day)]
        if free:
            site = self.rng.choices(free, weights=[s.weight for s in free])[0]
        else:  # every group busy: take the one idle longest, and say so in the manifest
            self.forced += 1
            site = min(SITES, key=lambda s: self.last.get(self.groups[s.asset_id], dt.date.min))
        self.last[self.groups[site.asset_id]] = day
        self.incidents += 1
        type_ = words.pick(self.rng, site.types)
        rng = self.rng
        roll = rng.random()
        killed, injured = (
            (0, 0)
            if roll < 0.7
            else (0, rng.randint(1, 6))
            if roll < 0.9
            else (rng.randint(1, 3), rng.randint(1, 8))
        )
        flow = words.pick(rng, (10, 15, 20, 25, 30, 40, 50, 60)) if rng.random() < 0.5 else None
        duration = words.pick(rng, (4, 7, 10, 12, 14, 21, 28)) if rng.random() < 0.5 else None
        asset = self.kb.get(site.asset_id)
        key = f"{site.asset_id}-{day.isoformat()}-{self.incidents}"
        base = {
            "key": key,
            "type": type_,
            "date": day.isoformat(),
            "assets": [site.asset_id, *site.also],
            "location": {"name": site.town, "lat": asset.lat, "lon": asset.lon, "country": asset.country[0]},
        }
        return _Incident(key, site, type_, day, killed, injured, flow, duration, base)

    def _free(self, site: Site, day: dt.date) -> bool:
        last = self.last.get(self.groups[site.asset_id])
        return last is None or (day - last).days >= MIN_GAP_DAYS


def _count(rng: random.Random, mean: float) -> int:
    """A count around ``mean`` (±50%), randomly rounded so that fractions add up."""
    x = mean * rng.uniform(0.5, 1.5)
    return int(x) + (rng.random() < x - int(x))


def _report(
    rng: random.Random, due: _Due, inc: _Incident, article_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    site = inc.site
    facts: list[str] = []
    attrs: dict[str, Any] = {
        "flow_reduction_pct": None,
        "killed": None,
        "injured": None,
        "duration_days": None,
    }
    if inc.flow_pct is not None and rng.random() < 0.6:
        sentence, attrs["flow_reduction_pct"] = words.flow_sentence(rng, site, inc.flow_pct)
        facts.append(sentence)
    if inc.duration is not None and rng.random() < 0.5:
        sentence, attrs["duration_days"] = words.duration_sentence(rng, inc.duration)
        facts.append(sentence)
    if rng.random() < 0.6:
        sentence, said = words.casualty_sentence(rng, inc.killed, inc.injured)
        attrs.update(said)
        facts.append(sentence)
    rng.shuffle(facts)
    opening = [words.lead(rng, site, inc.type, inc.day, due.published)]
    if rng.random() < 0.7:
        opening.append(words.aftermath(rng, inc.type))
    blocks = [opening, facts, words.colour(rng), [*words.context(rng, site), words.closer(rng)]]
    if facts and rng.random() < 0.5:  # figures and voices share a paragraph in some stories
        blocks[1:3] = [facts + blocks[2]]
    paragraphs = [" ".join(b) for b in blocks if b]
    record = _record(article_id, due, words.title(rng, site, inc.type), "\n\n".join(paragraphs))
    gold = _gold(article_id, [inc.gold_base | {"attributes": attrs}])
    return record, gold


def _record(article_id: str, due: _Due, title: str, text: str) -> dict[str, Any]:
    slug = "-".join("".join(c for c in w.lower() if c.isalnum()) for w in title.split()[:6])
    url = f"https://{words.domain(due.outlet)}/{due.published:%Y/%m/%d}/{slug}-{article_id}"
    return {
        "id": article_id,
        "url": url,
        "outlet": due.outlet,
        "title": title,
        "published": due.published.isoformat(),
        "text": text,
    }


def _gold(article_id: str, incidents: list[dict[str, Any]], copy_of: str | None = None) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "is_incident_report": bool(incidents),
        "near_duplicate_of": copy_of,
        "incidents": incidents,
    }


def _copy(rng: random.Random, due: _Due, original: ArchiveItem, article_id: str) -> ArchiveItem:
    source = original.record
    incidents = original.gold["incidents"]
    day = dt.date.fromisoformat(incidents[0]["date"]) if incidents else None
    text = words.copy_text(rng, source["text"], source["outlet"], day)
    record = _record(article_id, due, source["title"], text)
    return ArchiveItem(record, _gold(article_id, list(incidents), source["id"]), "copy")


def generate(
    spec: ArchiveSpec, kb: KnowledgeBase | None = None, stats: ArchiveStats | None = None
) -> Iterator[ArchiveItem]:
    """Yield ``spec.count`` records in publication order, each with its gold line.

    ``stats``, when given, is kept up to date as records are yielded, for the manifest.
    """
    rng = random.Random(spec.seed)
    planner = _Planner(rng, kb or load_knowledge_base())
    lo, hi = spec.reports_per_incident
    sizes = list(range(lo, hi + 1))
    size_weights = [hi - k + 1 for k in sizes]  # single-source incidents are the most common
    mean_size = sum(k * w for k, w in zip(sizes, size_weights, strict=True)) / sum(size_weights)
    per_day = spec.count / spec.span_days
    incidents_per_day = per_day * (1 - spec.copy_rate - spec.noise_rate) / mean_size
    noise_per_day = per_day * spec.noise_rate
    copy_chance = spec.copy_rate / (1 - spec.copy_rate)
    due: list[tuple[int, float, int, _Due]] = []
    seq = 0

    def push(item: _Due) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(due, (item.published.toordinal(), rng.random(), seq, item))

    day, emitted = spec.start, 0
    while emitted < spec.count:
        for _ in range(_count(rng, incidents_per_day)):
            inc = planner.incident(day)
            for outlet in rng.sample(words.OUTLETS, rng.choices(sizes, weights=size_weights)[0]):
                lag = dt.timedelta(days=words.pick(rng, (0, 0, 0, 1, 1, 2, 3)))
                push(_Due("report", day + lag, outlet, incident=inc))
        for _ in range(_count(rng, noise_per_day)):
            push(_Due("noise", day, words.pick(rng, words.OUTLETS)))
        if stats is not None:
            stats.incidents, stats.crowded = planner.incidents, planner.forced
        while due and due[0][0] <= day.toordinal() and emitted < spec.count:
            item = heapq.heappop(due)[3]
            article_id = f"arc{spec.seed}-{emitted:08d}"
            if item.kind == "copy" and item.original is not None:
                made = _copy(rng, item, item.original, article_id)
            elif item.kind == "report" and item.incident is not None:
                made = ArchiveItem(*_report(rng, item, item.incident, article_id), "report")
            else:
                title, text = words.noise(rng, item.published)
                made = ArchiveItem(_record(article_id, item, title, text), _gold(article_id, []), "noise")
            emitted += 1
            if stats is not None:
                stats.count(made.kind)
            yield made
            if made.kind != "copy" and rng.random() < copy_chance:
                # Strictly later than its original, so that ingest (which keeps the
                # earliest-published article as the original) agrees with the gold.
                later = item.published + dt.timedelta(days=rng.randint(1, MAX_LAG_DAYS))
                outlet = words.pick(rng, [o for o in words.OUTLETS if o != item.outlet])
                push(_Due("copy", later, outlet, original=made))
        day += dt.timedelta(days=1)


# --------------------------------------------------------------------------- shards on disk


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One written file: its name inside the archive folder, lines or rows, size, sha256."""

    file: str
    records: int
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ArchiveManifest:
    """What ``write_archive`` wrote; ``to_dict`` is ``manifest.json`` (no timings in it,
    so that the same spec gives the same manifest byte for byte)."""

    spec: ArchiveSpec
    format: Format
    shards: tuple[ArchiveFile, ...]
    gold: ArchiveFile
    stats: ArchiveStats
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        spec = asdict(self.spec) | {"start": self.spec.start.isoformat(), "days": self.spec.span_days}
        return {
            "generator": "energywatch.archive",
            "count": self.spec.count,
            "seed": self.spec.seed,
            "spec": spec,
            "format": self.format,
            "shards": [asdict(s) for s in self.shards],
            "gold": asdict(self.gold),
            "stats": asdict(self.stats),
        }


class _Writer:
    """Appends records to one shard; JSON lines (optionally gzipped) or Parquet row groups."""

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path, self.fmt, self.rows = path, fmt, 0
        self._text: io.TextIOBase | None = None
        self._raw: io.BufferedWriter | None = None
        self._columns: dict[str, list[Any]] = {f: [] for f in _FIELDS}
        self._parquet: Any = None
        if fmt == "jsonl":
            self._text = path.open("w", encoding="utf-8", newline="\n")
        elif fmt == "jsonl.gz":
            # mtime=0 and no file name in the header: the same records give the same bytes.
            self._raw = path.open("wb")
            packed = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
            self._text = io.TextIOWrapper(packed, encoding="utf-8", newline="\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema([(f, pa.string()) for f in _FIELDS])
            self._parquet = pq.ParquetWriter(path, self._schema)

    def write(self, record: dict[str, Any]) -> None:
        self.rows += 1
        if self._text is not None:
            self._text.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        for f in _FIELDS:
            self._columns[f].append(record.get(f))
        if len(self._columns["id"]) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._columns["id"]:
            self._parquet.write_table(pa.Table.from_pydict(self._columns, schema=self._schema))
            self._columns = {f: [] for f in _FIELDS}

    def close(self) -> ArchiveFile:
        if self._text is not None:
            self._text.close()
            if self._raw is not None:  # GzipFile leaves the file it was given open
                self._raw.close()
        else:
            self._flush()
            self._parquet.close()
        return _described(self.path, self.rows)


def _described(path: Path, records: int) -> ArchiveFile:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return ArchiveFile(path.name, records, path.stat().st_size, digest.hexdigest())


def shard_name(index: int, fmt: Format) -> str:
    return f"part-{index:05d}.{fmt}"


_OURS = ("part-*.jsonl", "part-*.jsonl.gz", "part-*.parquet", "gold.jsonl", "manifest.json")


def _prepare(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} exists and is not a folder", "choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise ConfigError(
                f"{out_dir} is not empty",
                "choose an empty or new folder, or pass --force to replace an archive",
            )
        for pattern in _OURS:  # only what an earlier archive wrote; anything else stays
            for old in out_dir.glob(pattern):
                old.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def write_archive(
    spec: ArchiveSpec,
    out_dir: Path,
    shards: int = 1,
    fmt: str = "jsonl",
    *,
    force: bool = False,
    kb: KnowledgeBase | None = None,
) -> ArchiveManifest:
    """Write ``spec.count`` records as ``shards`` contiguous shards plus ``gold.jsonl`` and
    ``manifest.json`` in ``out_dir``, streaming: memory does not depend on ``count``.

    Shards are contiguous in publication order (shard 0 holds the earliest records), so
    each is a stretch of time, as an ingest partitioned by date would see it; a copy may
    fall in the shard after its original's. ``manifest.json`` records the effective
    ``days`` (the default resolved), so the spec in it regenerates the same archive.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown archive format {fmt!r}", "use jsonl, jsonl.gz or parquet")
    if not 1 <= shards <= spec.count:
        raise ConfigError(f"shards must be between 1 and the count ({spec.count}), got {shards}")
    chosen: Format = "jsonl" if fmt == "jsonl" else "jsonl.gz" if fmt == "jsonl.gz" else "parquet"
    _prepare(out_dir, force)
    started = time.perf_counter()
    stats = ArchiveStats()
    written: list[ArchiveFile] = []
    index, writer = 0, _Writer(out_dir / shard_name(0, chosen), chosen)
    gold_path = out_dir / "gold.jsonl"
    with gold_path.open("w", encoding="utf-8", newline="\n") as gold:
        for n, item in enumerate(generate(spec, kb, stats)):
            if n >= (index + 1) * spec.count // shards:
                written.append(writer.close())
                index += 1
                writer = _Writer(out_dir / shard_name(index, chosen), chosen)
            writer.write(item.record)
            gold.write(json.dumps(item.gold, ensure_ascii=False) + "\n")
    written.append(writer.close())
    manifest = ArchiveManifest(
        spec, chosen, tuple(written), _described(gold_path, spec.count), stats, time.perf_counter() - started
    )
    (out_dir / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_shard(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one shard in any of the three formats, one at a time."""
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=ROW_GROUP):
            yield from batch.to_pylist()
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)
