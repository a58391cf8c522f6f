"""Initial schema: sources, articles, removed spans, rejections.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(253)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("reliability_prior", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sources"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.String(40)),
        sa.Column("published_date", sa.Date),
        sa.Column("retrieved", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("input_format", sa.String(16), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("html", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("clean_text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("near_duplicate_of", sa.String(200)),
        sa.Column("duplicate_similarity", sa.Float),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.ForeignKeyConstraint(["source_name"], ["sources.name"], name="fk_articles_source_name_sources"),
        sa.ForeignKeyConstraint(
            ["near_duplicate_of"],
            ["articles.id"],
            name="fk_articles_near_duplicate_of_articles",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_articles_published_date", "articles", ["published_date"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_near_duplicate_of", "articles", ["near_duplicate_of"])
    op.create_index("ix_articles_source_name", "articles", ["source_name"])
    op.create_table(
        "removed_spans",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_removed_spans"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_removed_spans_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_removed_spans_article_id", "removed_spans", ["article_id"])
    op.create_table(
        "rejections",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("hint", sa.Text, nullable=False),
        sa.Column("article_id", sa.String(200)),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejections"),
    )
    op.create_index("ix_rejections_reason", "rejections", ["reason"])
    op.create_index("ix_rejections_origin", "rejections", ["origin"])


def downgrade() -> None:
    op.drop_table("rejections")
    op.drop_table("removed_spans")
    op.drop_table("articles")
    op.drop_table("sources")
