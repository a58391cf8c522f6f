"""Table definitions. The Alembic migrations in ``energywatch/migrations`` create
exactly these tables; ``tests/test_storage.py`` checks the two never drift apart.

Rows are not records: the store converts between rows and ``energywatch.models``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# Named constraints make migrations portable between SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("domain", String(253)),
    Column("kind", String(32), nullable=False),
    Column("country", String(2)),
    Column("reliability_prior", Float, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("url", Text),
    Column("source_name", String(200), ForeignKey("sources.name"), nullable=False),
    Column("title", Text),
    # ISO text keeps both "2025-02-17" and full timestamps; published_date is for filtering.
    Column("published", String(40)),
    Column("published_date", Date, index=True),
    Column("retrieved", DateTime(timezone=True), nullable=False),
    Column("language", String(16)),
    Column("input_format", String(16), nullable=False),
    Column("origin", Text, nullable=False),
    Column("html", Text),
    Column("text", Text, nullable=False),
    Column("clean_text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("fingerprint", String(64), nullable=False),
    Column(
        "near_duplicate_of",
        String(200),
        ForeignKey("articles.id", ondelete="SET NULL"),
        index=True,
    ),
    Column("duplicate_similarity", Float),
    Column("minhash", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

removed_spans = Table(
    "removed_spans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "article_id",
        String(200),
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("text", Text, nullable=False),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("origin", Text, nullable=False),
    Column("reason", String(32), nullable=False, index=True),
    Column("detail", Text, nullable=False),
    Column("hint", Text, nullable=False),
    Column("article_id", String(200)),
    Column("rejected_at", DateTime(timezone=True), nullable=False),
)

Index("ix_rejections_origin", rejections.c.origin)
Index("ix_articles_source_name", articles.c.source_name)

# --------------------------------------------------------------------------- extraction

# One row per extracted article. ``events`` holds the ExtractedEvent dumps without their
# claims (those live in ``claims``, one row each, so they can be filtered by field);
# ``version`` and ``article_fingerprint`` tell which articles need extracting again.
extractions = Table(
    "extractions",
    metadata,
    Column(
        "article_id",
        String(200),
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("is_incident_report", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("version", String(64), nullable=False),
    Column("article_fingerprint", String(64), nullable=False),
    Column("events", JSON, nullable=False),
    Column("extracted_at", DateTime(timezone=True), nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Claims belong to an extraction: replacing or deleting it (or its article) drops them.
    Column(
        "article_id",
        String(200),
        ForeignKey("extractions.article_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("event_index", Integer, nullable=False),
    Column("field", String(64), nullable=False, index=True),
    Column("value", JSON),
    Column("raw", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("speaker", Text),
    Column("hedge", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
)

# --------------------------------------------------------------------------- incidents

# ``payload`` is the Incident dump without the events' claims; the other columns are
# copies of payload fields that listing filters and sorts on.
incidents = Table(
    "incidents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("type", String(64), nullable=False, index=True),
    Column("date_start", Date, index=True),
    Column("date_end", Date),
    Column("precision", String(16), nullable=False),
    Column("country", String(16), index=True),
    Column("payload", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

incident_articles = Table(
    "incident_articles",
    metadata,
    Column(
        "incident_id",
        String(200),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "article_id",
        String(200),
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    # -1 when the incident lists the article but has no event of it (see storage.incidents).
    Column("event_index", Integer, primary_key=True),
    Column("is_copy", Boolean, nullable=False),
)

incident_assets = Table(
    "incident_assets",
    metadata,
    Column(
        "incident_id",
        String(200),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("asset_id", String(200), primary_key=True, index=True),
)

# --------------------------------------------------------------------------- live monitoring

# One row per configured source: conditional-GET validators, health and circuit breaker.
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_poll_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_reason", String(64)),
    Column("consecutive_failures", Integer, nullable=False),
    Column("breaker_open_until", DateTime(timezone=True)),
    Column("next_poll_at", DateTime(timezone=True)),
    Column("polls", Integer, nullable=False),
    Column("items_seen", Integer, nullable=False),
    Column("items_new", Integer, nullable=False),
    Column("articles_ingested", Integer, nullable=False),
    Column("items_failed", Integer, nullable=False),
)

# Every item a source listed, so a restart neither fetches nor ingests it again.
# ``url_key`` (hash of the normalised link) catches feeds that re-list an old story
# under a new id.
watch_items = Table(
    "watch_items",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("item_key", String(64), primary_key=True),
    Column("url", Text),
    Column("url_key", String(64), index=True),
    Column("status", String(16), nullable=False),
    Column("detail", Text),
    Column("article_id", String(200)),
    Column("attempts", Integer, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per incident lineage an alert was raised on: the incident may change id as
# reports join it, so it is followed by its articles. ``snapshot`` holds what counts as
# a material change (alerts.Snapshot).
watch_alert_lineages = Table(
    "watch_alert_lineages",
    metadata,
    Column("lineage", String(64), primary_key=True),
    Column("incident_id", String(200), nullable=False, index=True),
    Column("articles", JSON, nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("alerted", Boolean, nullable=False),
    Column("alerts", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The outbox: an alert is written here in the same transaction as its lineage, then
# delivered; a row is marked delivered per channel, so a restart sends only what is due.
watch_outbox = Table(
    "watch_outbox",
    metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("channel", String(200), primary_key=True),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)
