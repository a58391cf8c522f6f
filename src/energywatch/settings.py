"""One typed settings object, read from the environment (prefix ``ENERGYWATCH_``).

It is built once at each edge (CLI invocation, app factory, test fixture) and passed
down; nothing in the library reads the environment on its own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from energywatch.dedup import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD

DEFAULT_DB = "sqlite:///energywatch.db"


class Settings(BaseSettings):
    """Every knob energywatch has. Each field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="ENERGYWATCH_", extra="ignore")

    db: str = Field(
        default=DEFAULT_DB,
        description="Database URL or path. A bare path means a SQLite file; "
        "postgresql://host/db selects PostgreSQL.",
    )
    max_file_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Inputs larger than this are rejected (too_large)."
    )
    dedup_threshold: float = Field(
        default=DEFAULT_THRESHOLD,
        gt=0.0,
        le=1.0,
        description="Estimated Jaccard similarity of cleaned-text shingles at or above which "
        "an article is linked as a near-duplicate (see docs/dedup.md).",
    )
    dedup_num_perm: int = Field(default=DEFAULT_NUM_PERM, ge=16, le=1024, description="MinHash permutations.")
    impact_samples: int = Field(
        default=2000,
        ge=100,
        le=1_000_000,
        description="Monte Carlo samples per incident when process models impacts.",
    )
    api_token: str | None = Field(
        default=None,
        min_length=16,
        description="Bearer token the HTTP API's write endpoints require; unset: the API is read-only.",
    )
    api_max_body_bytes: int = Field(
        default=2_000_000,
        ge=1024,
        description="Largest request body the HTTP API accepts.",
    )
    kb_path: Path | None = Field(
        default=None, description="Asset data file to use instead of the bundled one."
    )

    watch_config: Path | None = Field(
        default=None, description="Config file `energywatch watch` reads when --config is not given."
    )

    def database_url(self) -> str:
        """The SQLAlchemy URL for ``db``: bare paths become SQLite files."""
        db = self.db.strip()
        if "://" in db:
            if db.startswith("postgresql://") or db.startswith("postgres://"):
                return "postgresql+psycopg://" + db.split("://", 1)[1]
            return db
        return f"sqlite:///{Path(db).expanduser()}"
