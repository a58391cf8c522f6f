"""The vocabulary of energywatch: typed records every stage reads and writes.

Stages are plain functions over these records. Storage rows, API schemas and CLI
output are built from them, never the other way round, so this module is the one
place a newcomer reads to learn what the system talks about (DESIGN §3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Record(BaseModel):
    """Base for all records: immutable-ish, strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


# --------------------------------------------------------------------------- sources


class SourceKind(StrEnum):
    """What sort of outlet published an article; feeds the reliability prior."""

    wire = "wire"
    national = "national"
    regional = "regional"
    trade_press = "trade_press"
    state_media = "state_media"
    broker_marketing = "broker_marketing"
    blog = "blog"
    official = "official"
    unknown = "unknown"


class Source(Record):
    """An outlet. The name is the key; everything else is optional metadata."""

    name: str = Field(min_length=1)
    domain: str | None = None
    kind: SourceKind = SourceKind.unknown
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    reliability_prior: float = Field(default=0.5, ge=0.0, le=1.0)


# --------------------------------------------------------------------------- articles


class SpanKind(StrEnum):
    """Why a piece of text was removed by cleaning.

    promotional: broker and marketing material (CFD risk warnings, "this is marketing
    communication", affiliate pitches). disclaimer: legal or editorial notices that are
    not reporting ("not investment advice" from a publisher, copyright lines).
    navigation: subscribe/share/cookie lines, "Read more"/"Related" link lists.
    """

    promotional = "promotional"
    disclaimer = "disclaimer"
    navigation = "navigation"


class RemovedSpan(Record):
    """A span cut out of an article's body text by cleaning.

    Offsets are character offsets into ``Article.text`` (the body before cleaning),
    so the original can always be shown next to what was removed.
    """

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: SpanKind
    text: str = ""
    rule: str = Field(default="", description="name of the cleaning rule that matched")

    @model_validator(mode="after")
    def _ordered(self) -> RemovedSpan:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        return self


class InputFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    text = "text"
    html = "html"


class RawArticle(Record):
    """One article as read from an input, before cleaning: the DESIGN §11 contract.

    ``origin`` says where it came from (file path, ``path:line`` for JSONL,
    ``stdin:line``) so that every later message can point back at the input.
    """

    origin: str
    input_format: InputFormat
    id: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | dt.datetime | None = None
    text: str | None = None
    html: str | None = None
    language: str | None = None


class Article(Record):
    """An ingested article.

    ``text`` is the body as received (or as extracted from HTML); ``clean_text`` is
    ``text`` minus ``removed_spans``. Extraction offsets always refer to
    ``clean_text``; ``html`` keeps the original page when the input was HTML.
    """

    id: str = Field(min_length=1)
    url: str | None = None
    source: Source
    title: str | None = None
    published: dt.date | dt.datetime | None = None
    retrieved: dt.datetime
    language: str | None = None
    input_format: InputFormat
    origin: str
    html: str | None = None
    text: str
    clean_text: str
    removed_spans: list[RemovedSpan] = Field(default_factory=list)
    content_hash: str = Field(description="sha256 of the normalised clean text")
    near_duplicate_of: str | None = None
    duplicate_similarity: float | None = Field(default=None, ge=0.0, le=1.0)


# --------------------------------------------------------------------------- rejections


class RejectionReason(StrEnum):
    """Why an input did not become an article. Values are stable: they are stored and counted."""

    invalid_json = "invalid_json"
    invalid_record = "invalid_record"
    missing_text = "missing_text"
    empty_text = "empty_text"
    binary_file = "binary_file"
    undecodable = "undecodable"
    too_large = "too_large"
    unknown_extension = "unknown_extension"
    unreadable = "unreadable"
    html_no_text = "html_no_text"
    id_conflict = "id_conflict"


class Rejection(Record):
    """An input that was refused, with what went wrong and what to do about it."""

    id: str = Field(description="stable: same input, same reason → same id")
    origin: str
    reason: RejectionReason
    detail: str
    hint: str
    article_id: str | None = None
    rejected_at: dt.datetime

    @classmethod
    def create(
        cls,
        origin: str,
        reason: RejectionReason,
        detail: str,
        hint: str,
        *,
        article_id: str | None = None,
    ) -> Rejection:
        """Build a rejection whose id depends only on where the input came from and why
        it failed, so re-running the same broken input stores nothing new."""
        digest = hashlib.sha256(f"{origin}\x1f{reason.value}".encode()).hexdigest()[:20]
        return cls(
            id=f"rej-{digest}",
            origin=origin,
            reason=reason,
            detail=detail,
            hint=hint,
            article_id=article_id,
            rejected_at=dt.datetime.now(dt.UTC),
        )


# --------------------------------------------------------------------------- claims


class Hedge(StrEnum):
    """How firmly a claim is made (DESIGN §3), from the wording around it.

    asserted: stated as fact. reported: attributed ("X said", "according to").
    alleged: flagged as unconfirmed ("allegedly", "not independently verified").
    speculative: possibility or estimate ("could", "may", "analysts suggest").
    denied: contradicted by the speaker ("denied", "rejected reports that").
    """

    asserted = "asserted"
    reported = "reported"
    alleged = "alleged"
    speculative = "speculative"
    denied = "denied"


class Claim(Record):
    """One fact stated in one article, traceable to its words.

    ``start``/``end`` are offsets into the article's clean text and cover the words
    the value was read from; ``sentence_start``/``sentence_end`` the sentence quoted as
    evidence. ``value`` is the normalised value, JSON-shaped (a range is ``[low, high]``).
    """

    article_id: str
    field: str
    value: Any
    raw: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence_start: int = Field(ge=0)
    sentence_end: int = Field(ge=0)
    speaker: str | None = None
    hedge: Hedge = Hedge.asserted
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


DatePrecision = Literal["day", "week", "month", "year", "unknown"]


class DateRange(Record):
    """When something happened: a range plus how precisely the text pinned it down.

    ``start``/``end`` are None when the year is unknown (an undated article saying
    "on 17 February"); ``month_day`` then keeps what the text did say.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    precision: DatePrecision = "unknown"
    month_day: tuple[int, int] | None = None
    overnight: bool = Field(
        default=False,
        description="the report puts the event at night: outlets may date it either side of midnight",
    )


class Location(Record):
    """Where an incident happened; coordinates from the asset or the gazetteer."""

    name: str
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    country: str | None = None
    asset_id: str | None = None
    relation: str | None = Field(default=None, description='e.g. "200 km south of"')


class Facility(Record):
    """An affected facility that is not in the knowledge base, kept as described."""

    kind: str
    place: str | None = None
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ExtractedEvent(Record):
    """One incident (or reaction to one) as a single article reports it.

    An article can report several (two sites hit the same night); each becomes an
    event with its own claims. ``claims`` carries every attribute with its evidence.
    """

    article_id: str
    index: int = Field(ge=0)
    category: str
    type: str
    trigger: str
    trigger_start: int = Field(ge=0)
    assets: list[str] = Field(default_factory=list)
    facilities: list[Facility] = Field(default_factory=list)
    location: Location | None = None
    date: DateRange = Field(default_factory=DateRange)
    claims: list[Claim] = Field(default_factory=list)


class ArticleExtraction(Record):
    """What extraction made of one article, including why it is not an incident report."""

    article_id: str
    is_incident_report: bool
    reason: str
    events: list[ExtractedEvent] = Field(default_factory=list)


class Quantiles(Record):
    """P10/P50/P90 of a simulated quantity."""

    p10: float
    p50: float
    p90: float


class IncidentImpact(Record):
    """The impact model's result for an incident (``impact.from_incident``): what the
    reports support as a scenario (``basis``), or why there is none (``modelled`` False)."""

    modelled: bool
    basis: list[str] = Field(default_factory=list)
    asset: str | None = None
    start: dt.date | None = None
    samples: int | None = None
    network_year: int | None = None
    lost_mt: Quantiles | None = None
    lost_bbl: Quantiles | None = None
    lost_bpd: Quantiles | None = None
    share_of_exports: Quantiles | None = None
    lost_cpc_all_shippers_mt: Quantiles | None = None
    notes: list[str] = Field(default_factory=list)


class Incident(Record):
    """One real-world event, resolved from the events of many articles.

    ``articles`` lists every article reporting it (copies included); ``copies`` marks
    which of them are near-duplicates, so they never count as independent sources.
    """

    id: str
    category: str
    type: str
    date: DateRange
    assets: list[str] = Field(default_factory=list)
    location: Location | None = None
    articles: list[str] = Field(default_factory=list)
    copies: list[str] = Field(default_factory=list)
    events: list[ExtractedEvent] = Field(default_factory=list)
    impact: IncidentImpact | None = None


# --------------------------------------------------------------------------- run summaries

Outcome = Literal["inserted", "updated", "unchanged"]


class IngestReport(Record):
    """What an ingest run did; printed by the CLI, returned by the library."""

    inserted: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    near_duplicates: dict[str, str] = Field(
        default_factory=dict, description="article id → id of the article it copies"
    )
    rejections: list[Rejection] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejections

    @property
    def seen(self) -> int:
        return len(self.inserted) + len(self.updated) + len(self.unchanged) + len(self.rejections)


# --------------------------------------------------------------------------- alerts


class AlertKind(StrEnum):
    new_incident = "new_incident"
    update = "update"


class Alert(Record):
    """One message about one incident, sent once to every channel of the rules it matched.

    ``id`` is stable (incident lineage + kind + sequence), so a channel that sees the same
    id twice (a delivery retried after a crash) can drop the second one; webhooks carry
    it as ``X-Energywatch-Alert-Id``, email as its Message-ID, the JSONL file skips it.
    ``incident`` is a JSON-shaped snapshot of what the alert was raised on.
    """

    id: str = Field(min_length=1)
    kind: AlertKind
    incident_id: str
    rules: list[str] = Field(default_factory=list)
    created: dt.datetime
    title: str
    summary: str = ""
    changes: list[str] = Field(default_factory=list)
    incident: dict[str, Any] = Field(default_factory=dict)


# --------------------------------------------------------------------------- live monitoring


class SourceHealth(Record):
    """What the watcher knows about one configured source, persisted across restarts.

    ``etag``/``last_modified`` drive the next conditional GET; ``breaker_open_until`` is
    set after too many failures in a row, and the source is not polled until then.
    """

    name: str
    kind: str
    target: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None
    last_error: str | None = None
    last_error_reason: str | None = None
    consecutive_failures: int = 0
    breaker_open_until: dt.datetime | None = None
    next_poll_at: dt.datetime | None = None
    polls: int = 0
    items_seen: int = 0
    items_new: int = 0
    articles_ingested: int = 0
    items_failed: int = 0


ItemStatus = Literal["ingested", "rejected", "failed", "skipped"]


class WatchedItem(Record):
    """One item a source listed. ``failed`` items are retried up to a limit; the others
    are final, so a restart never fetches them again."""

    source: str
    item_key: str
    url: str | None = None
    url_key: str | None = None
    status: ItemStatus
    detail: str | None = None
    article_id: str | None = None
    attempts: int = 1


class AlertLineage(Record):
    """An incident followed across re-resolution (its id may change as reports join it):
    the articles it was last seen with and the snapshot its last alert was raised on.
    ``alerted`` is False for incidents recorded silently (existing at first start, or
    not yet matching any rule)."""

    lineage: str
    incident_id: str
    articles: list[str]
    snapshot: dict[str, Any]
    alerted: bool
    alerts: int = 0


OutboxStatus = Literal["pending", "delivered", "failed"]


class OutboxEntry(Record):
    """One alert due on one channel. ``failed`` is final (a permanent error, or too many
    attempts); ``pending`` rows are retried from ``next_attempt_at``."""

    alert: Alert
    channel: str
    status: OutboxStatus = "pending"
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None = None
