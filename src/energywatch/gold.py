"""The gold files ``energywatch eval`` scores against (DESIGN §11 gold format).

Validated strictly, because a typo in gold silently changes every score: unknown keys,
malformed dates and reversed ranges are errors naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from energywatch.errors import ConfigError, InputError

NUMERIC_FIELDS = ("killed", "injured", "flow_reduction_pct", "duration_days")


URL_PREFIX = "url:"


Interval = tuple[float, float]


Coords = tuple[float, float]


def as_number(value: Any) -> float | None:
    """A JSON number as float; booleans are refused because ``true`` is never a count."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def as_interval(value: Any) -> Interval | None:
    """A number or ``[lo, hi]`` (lo <= hi) as a closed interval; ``None`` for anything else."""
    if (x := as_number(value)) is not None:
        return (x, x)
    if isinstance(value, list | tuple) and len(value) == 2:
        lo, hi = as_number(value[0]), as_number(value[1])
        if lo is not None and hi is not None and lo <= hi:
            return (lo, hi)
    return None


def overlaps(a: Interval, b: Interval) -> bool:
    """Closed intervals overlap, so touching ends (``[10, 20]`` vs ``[20, 30]``) count."""
    return max(a[0], b[0]) <= min(a[1], b[1])


class GoldLocation(BaseModel):
    """Where an incident happened; extra keys (admin regions, notes) are allowed."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    country: str | None = None

    @property
    def coords(self) -> Coords | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


class GoldIncident(BaseModel):
    """One incident an article reports. Unknown keys are errors so typos fail loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(min_length=1)
    type: str = Field(min_length=1)
    date: dt.date | None = None
    assets: list[str] = Field(default_factory=list)
    location: GoldLocation | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        if value is None or isinstance(value, dt.date) or (isinstance(value, str) and len(value) == 10):
            return value  # pydantic parses it; refusing other shapes keeps out timestamps and datetimes
        raise ValueError(f"date must be 'YYYY-MM-DD', got {value!r}")

    @field_validator("attributes")
    @classmethod
    def _numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in NUMERIC_FIELDS:
            got = value.get(name)
            if got is not None and as_interval(got) is None:
                raise ValueError(f"attributes.{name} must be null, a number or [lo, hi] with lo <= hi")
        return value

    def number(self, name: str) -> Interval | None:
        return as_interval(self.attributes.get(name))


class GoldToponym(BaseModel):
    """A place name in the article and where it really is (optional geoparsing gold)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class GoldArticle(BaseModel):
    """One gold line. ``article_id`` is an export id or ``url:<url>`` for fetched pages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    article_id: str = Field(min_length=1)
    is_incident_report: bool = Field(strict=True)
    near_duplicate_of: str | None = None
    incidents: list[GoldIncident] = Field(default_factory=list)
    toponyms: list[GoldToponym] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> GoldArticle:
        if self.article_id.startswith(URL_PREFIX) and not self.article_id[len(URL_PREFIX) :].strip():
            raise ValueError("article_id 'url:' needs a URL after the prefix")
        if self.incidents and not self.is_incident_report:
            raise ValueError("incidents are listed but is_incident_report is false")
        keys = [i.key for i in self.incidents]
        if len(keys) != len(set(keys)):
            raise ValueError(f"incident keys repeat within the article: {keys}")
        return self


class GoldSet(list[GoldArticle]):
    """The gold articles plus the sha256 of the file they came from (for the baseline)."""

    sha256: str | None = None


def validation_problem(exc: ValidationError) -> str:
    """Pydantic errors as ``field.path: message``, the way a person fixing the line reads them."""
    return "; ".join(
        (f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
        + str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors()
    )


def load_gold(path: Path) -> GoldSet:
    """Read and validate a gold JSONL file; every problem names ``file:line``.

    Blank lines are skipped. A repeated ``article_id`` is an error because two labels
    for one article would silently double its weight.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    articles = GoldSet()
    articles.sha256 = hashlib.sha256(raw).hexdigest()
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            article = GoldArticle.model_validate_json(line)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {validation_problem(exc)}", "fix the gold line") from exc
        seen = first_line.setdefault(article.article_id, lineno)
        if seen != lineno:
            raise ConfigError(f"{where}: article_id {article.article_id!r} already labelled on line {seen}")
        articles.append(article)
    if not articles:
        raise ConfigError(f"{path}: the gold file has no articles")
    return articles
