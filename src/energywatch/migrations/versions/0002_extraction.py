"""Extraction results and incidents: extractions, claims, incidents and their links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extractions",
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("is_incident_report", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("article_fingerprint", sa.String(64), nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_extractions"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_extractions_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("event_index", sa.Integer, nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("hedge", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["extractions.article_id"],
            name="fk_claims_article_id_extractions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_claims_article_id", "claims", ["article_id"])
    op.create_index("ix_claims_field", "claims", ["field"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("date_start", sa.Date),
        sa.Column("date_end", sa.Date),
        sa.Column("precision", sa.String(16), nullable=False),
        sa.Column("country", sa.String(16)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_type", "incidents", ["type"])
    op.create_index("ix_incidents_date_start", "incidents", ["date_start"])
    op.create_index("ix_incidents_country", "incidents", ["country"])
    op.create_table(
        "incident_articles",
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("event_index", sa.Integer, nullable=False),
        sa.Column("is_copy", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "article_id", "event_index", name="pk_incident_articles"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_incident_articles_incident_id_incidents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_incident_articles_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_incident_articles_article_id", "incident_articles", ["article_id"])
    op.create_table(
        "incident_assets",
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "asset_id", name="pk_incident_assets"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_incident_assets_incident_id_incidents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_incident_assets_asset_id", "incident_assets", ["asset_id"])


def downgrade() -> None:
    op.drop_table("incident_assets")
    op.drop_table("incident_articles")
    op.drop_table("incidents")
    op.drop_table("claims")
    op.drop_table("extractions")
