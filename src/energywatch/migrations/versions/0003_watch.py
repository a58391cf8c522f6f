"""Live monitoring state: watched sources, their items, alert lineages and the outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_sources",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_poll_at", _tz()),
        sa.Column("last_success_at", _tz()),
        sa.Column("last_error_at", _tz()),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_reason", sa.String(64)),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("breaker_open_until", _tz()),
        sa.Column("next_poll_at", _tz()),
        sa.Column("polls", sa.Integer, nullable=False),
        sa.Column("items_seen", sa.Integer, nullable=False),
        sa.Column("items_new", sa.Integer, nullable=False),
        sa.Column("articles_ingested", sa.Integer, nullable=False),
        sa.Column("items_failed", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_watch_sources"),
    )
    op.create_table(
        "watch_items",
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("item_key", sa.String(64), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("url_key", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("article_id", sa.String(200)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_seen", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("source", "item_key", name="pk_watch_items"),
    )
    op.create_index("ix_watch_items_url_key", "watch_items", ["url_key"])
    op.create_table(
        "watch_alert_lineages",
        sa.Column("lineage", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("alerted", sa.Boolean, nullable=False),
        sa.Column("alerts", sa.Integer, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("lineage", name="pk_watch_alert_lineages"),
    )
    op.create_index("ix_watch_alert_lineages_incident_id", "watch_alert_lineages", ["incident_id"])
    op.create_table(
        "watch_outbox",
        sa.Column("alert_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("next_attempt_at", _tz(), nullable=False),
        sa.Column("delivered_at", _tz()),
        sa.PrimaryKeyConstraint("alert_id", "channel", name="pk_watch_outbox"),
    )
    op.create_index("ix_watch_outbox_status", "watch_outbox", ["status"])


def downgrade() -> None:
    op.drop_table("watch_outbox")
    op.drop_table("watch_alert_lineages")
    op.drop_table("watch_items")
    op.drop_table("watch_sources")
