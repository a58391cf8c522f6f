"""The records a brief is made of, shared by the builder and every renderer.

``content.build_brief`` fills these in; ``markdown``, ``html``, ``pdf`` and ``charts``
only read them. Keeping them apart from the building logic lets a renderer depend on the
shape of a brief without importing how its statements are worked out. Nothing here is
escaped: article-derived text stays plain and the renderers escape it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from energywatch.models import Article

__all__ = [
    "NONE_RECORDED",
    "Alternative",
    "AnalysisSection",
    "ArticleLike",
    "Brief",
    "BriefArticle",
    "ClaimPoint",
    "Disagreement",
    "IncidentSection",
    "KBSource",
    "Point",
    "RouteEvent",
    "SourceEntry",
    "TimelineRow",
    "Version",
]

NONE_RECORDED = "none recorded"


# --------------------------------------------------------------------------- articles


class ArticleLike(Protocol):
    """What a brief needs to know about an article. ``text`` (optional, the clean text
    the claim offsets refer to) lets the brief quote evidence sentences."""

    @property
    def id(self) -> str: ...
    @property
    def outlet(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def published(self) -> dt.date | dt.datetime | None: ...


@dataclass(frozen=True, slots=True)
class BriefArticle:
    """An ``ArticleLike`` built from a stored article (see ``from_article``)."""

    id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    published: dt.date | dt.datetime | None = None
    text: str | None = None

    @classmethod
    def from_article(cls, article: Article) -> BriefArticle:
        return cls(
            id=article.id,
            outlet=article.source.name,
            title=article.title,
            url=article.url,
            published=article.published,
            text=article.clean_text,
        )


# --------------------------------------------------------------------------- records


class _Rec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceEntry(_Rec):
    """One article in the Sources list; ``number`` is what citations refer to."""

    number: int
    article_id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    copy_of_another: bool = False


class KBSource(_Rec):
    id: str
    url: str | None = None
    note: str | None = None


class Point(_Rec):
    """A statement with its citations: article numbers and KB source ids."""

    text: str
    cites: list[int] = Field(default_factory=list)
    kb_cites: list[str] = Field(default_factory=list)


class Version(_Rec):
    """One value an attribute is given, and who gives it."""

    value: str
    outlets: list[str]
    speakers: list[str]
    hedges: list[str]
    cites: list[int]
    copies_only: bool = False


class Disagreement(_Rec):
    attribute: str
    label: str
    versions: list[Version]


class ClaimPoint(_Rec):
    """One numeric claim for the claim-comparison chart (a point has low == high)."""

    attribute: str
    unit: str
    low: float
    high: float
    outlet: str
    speaker: str | None = None
    hedge: str = "asserted"
    cite: int | None = None


class Alternative(_Rec):
    asset_id: str
    name: str
    design: str
    latest_flow: str
    spare: str
    spare_low_mt: float | None = None
    spare_high_mt: float | None = None
    onward: str | None = None
    kb_cites: list[str] = Field(default_factory=list)


class RouteEvent(_Rec):
    date: str
    asset_id: str
    asset_name: str
    text: str
    origin: str  # "kb" (asset history) or "store" (an incident record)
    cites: list[int] = Field(default_factory=list)
    kb_cites: list[str] = Field(default_factory=list)


class AnalysisSection(_Rec):
    asset_id: str
    asset_name: str
    role: list[Point]
    alternatives: list[Alternative] = Field(default_factory=list)
    alternatives_summary: Point | None = None
    recent: list[RouteEvent] = Field(default_factory=list)


class IncidentSection(_Rec):
    id: str
    type: str
    type_label: str
    category: str
    date: str
    date_start: dt.date | None = None
    location: str | None = None
    assets: list[str]
    asset_names: list[str]
    consensus: list[Point]
    disagreements: list[Disagreement]
    contradictions: list[Point]
    kb_conflicts: list[Point]
    impact: list[Point] | None
    analysis: list[AnalysisSection]
    claim_points: list[ClaimPoint]
    cites: list[int]


class TimelineRow(_Rec):
    """One incident on the timeline: its date and when each outlet reported it."""

    label: str
    date: dt.date | None
    reports: list[tuple[dt.date, str]]


class Brief(_Rec):
    title: str
    generated: dt.date
    period: str
    key_points: list[Point]
    incidents: list[IncidentSection]
    timeline: list[TimelineRow]
    sources: list[SourceEntry]
    kb_sources: list[KBSource]
