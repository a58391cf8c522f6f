"""The story of one incident as the press told it: who reported it first, what followed
(repairs, restart, flows restored), who reacted, in date order and with their sources.

An incident record says *what* happened; analysts also ask *when the news broke and how
it developed*, and whether a late "flows restored" is an independent report or a copy.
The timeline is built only from the incident's events and the articles they came from,
so every line points back to an article.

Rules, each chosen so that a line's position can be explained:

* One entry per article event, plus one per distinct response claim (type, speaker)
  inside a non-response event: a strike report quoting "Kazakhstan asked for an
  explanation" carries a reaction the timeline must show. Response claims inside a
  response event are already that event's entry.
* Date: the event's own date when the text gave one (``date_basis="event"``), else the
  article's publication date (``"published"``), else none (``"unknown"``). A response
  claim inside another event has no date of its own, so it takes the publication date:
  the event's date is the strike's, not the reaction's.
* Order: by date (a range by its start), then publication, originals before copies,
  then article id and position; undated entries last.
* Kind: ``copy`` for near-duplicates (they are not independent; shown as "copy of
  <outlet>"); ``response`` for the response category; ``follow-up`` for a different kind
  of event after the fact (an operations event after an attack, a restoration, or
  anything the text dates after the incident ended); otherwise ``report``, and the
  earliest report in that order is the ``first report``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from energywatch.models import Article, Claim, DatePrecision, ExtractedEvent, Hedge, Incident

EntryKind = Literal["first report", "report", "follow-up", "response", "copy"]
DateBasis = Literal["event", "published", "unknown"]

AFTERMATH_TYPES = frozenset({"restoration", "maintenance"})
"""Event types that are follow-ups even within the incident's own category: a restart
is news about an earlier disruption, never the disruption itself."""

SUMMARY_FRAME_FIELDS = frozenset({"type", "date", "location", "assets", "facility", "response", "weapon"})
"""Claims left out of a summary: the entry's type, date, place and outlet are shown
beside it already."""

SUMMARY_MAX = 200
"""A summary is one line; longer ones are cut with an ellipsis."""

_WEAK = frozenset({Hedge.alleged, Hedge.speculative, Hedge.denied})


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an incident's story.

    ``date`` is what the entry is ordered by; ``date_basis`` says where it came from
    (the text's own date for the event, or the publication date), because "17 February"
    and "published 18 February" are different claims.
    """

    date: dt.date | None
    date_precision: DatePrecision
    date_basis: DateBasis
    kind: EntryKind
    type: str
    article_id: str
    outlet: str
    title: str | None
    summary: str
    speaker: str | None
    published: dt.date | None
    copy_of: str | None = None
    event_index: int = 0


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def _with_speaker(claim: Claim) -> str:
    said = claim.raw
    if claim.hedge in _WEAK:
        said += f" ({claim.hedge.value})"
    if claim.speaker:
        said += f", per {claim.speaker}"
    return said


def summarize(event: ExtractedEvent) -> str:
    """One line from the event's claims: "restoration: working normally again; duration
    84 calendar days, per Gorban". The firmest claim per field, in text order."""
    head = f"{event.type}: {event.trigger}"
    type_claim = next((c for c in event.claims if c.field == "type"), None)
    if type_claim is not None and type_claim.speaker:
        head += f", per {type_claim.speaker}"
    chosen: dict[str, Claim] = {}
    for claim in sorted(event.claims, key=lambda c: (c.hedge in _WEAK, c.start)):
        if claim.field not in SUMMARY_FRAME_FIELDS:
            chosen.setdefault(claim.field, claim)
    details = [
        f"{name.replace('_', ' ')} {_with_speaker(c)}"
        for name, c in sorted(chosen.items(), key=lambda item: item[1].start)
    ]
    return _cut("; ".join([head, *details]))


def _speaker(event: ExtractedEvent) -> str | None:
    """Who the event is attributed to: the type claim's speaker, else the most quoted."""
    for claim in event.claims:
        if claim.field == "type" and claim.speaker:
            return claim.speaker
    counts: dict[str, int] = {}
    for claim in event.claims:
        if claim.speaker:
            counts[claim.speaker] = counts.get(claim.speaker, 0) + 1
    return max(counts, key=lambda s: (counts[s], s)) if counts else None


def _entry_date(
    event: ExtractedEvent, published: dt.date | None
) -> tuple[dt.date | None, DatePrecision, DateBasis]:
    """The event's own date if the text gave one, else the publication date, else none."""
    if event.date.start is not None:
        return event.date.start, event.date.precision, "event"
    if published is not None:
        return published, "day", "published"
    return None, "unknown", "unknown"


def _event_kind(event: ExtractedEvent, incident: Incident) -> EntryKind:
    """Response, follow-up (another kind of event after the fact, or dated after the
    incident ended) or report; "first report" is decided after sorting."""
    if event.category == "response":
        return "response"
    if event.type != incident.type and (event.category != incident.category or event.type in AFTERMATH_TYPES):
        return "follow-up"
    ended = incident.date.end or incident.date.start
    if event.date.start is not None and ended is not None and event.date.start > ended:
        return "follow-up"
    return "report"


def incident_timeline(incident: Incident, articles: Mapping[str, Article]) -> list[TimelineEntry]:
    """The incident's entries in story order (see the module docstring for the rules).

    ``articles`` maps ids to articles for outlet, title, publication date and copy
    links; an article missing from it still gets its entries, with outlet "unknown".
    """
    copies = set(incident.copies)
    entries: list[TimelineEntry] = []
    for event in incident.events:
        article = articles.get(event.article_id)
        outlet = article.source.name if article else "unknown"
        title = article.title if article else None
        published = _day(article.published) if article else None
        copy_of = _copy_of(event.article_id, article, copies, articles)
        date, precision, basis = _entry_date(event, published)
        kind: EntryKind = "copy" if copy_of is not None else _event_kind(event, incident)
        summary = summarize(event)
        if copy_of is not None:
            summary = _cut(f"copy of {copy_of}: {summary}")
        entries.append(
            TimelineEntry(
                date=date,
                date_precision=precision,
                date_basis=basis,
                kind=kind,
                type=event.type,
                article_id=event.article_id,
                outlet=outlet,
                title=title,
                summary=summary,
                speaker=_speaker(event),
                published=published,
                copy_of=copy_of,
                event_index=event.index,
            )
        )
        if event.category == "response":
            continue
        seen: set[tuple[str, str | None]] = set()
        for claim in event.claims:
            if claim.field != "response" or (str(claim.value), claim.speaker) in seen:
                continue
            seen.add((str(claim.value), claim.speaker))
            line = f"{claim.value}: {_with_speaker(claim)}"
            entries.append(
                TimelineEntry(
                    date=published,
                    date_precision="day" if published else "unknown",
                    date_basis="published" if published else "unknown",
                    kind="copy" if copy_of is not None else "response",
                    type=str(claim.value),
                    article_id=event.article_id,
                    outlet=outlet,
                    title=title,
                    summary=_cut(f"copy of {copy_of}: {line}" if copy_of else line),
                    speaker=claim.speaker,
                    published=published,
                    copy_of=copy_of,
                    event_index=event.index,
                )
            )
    entries.sort(key=_order)
    for n, entry in enumerate(entries):
        if entry.kind == "report":
            entries[n] = replace(entry, kind="first report")
            break
    return entries


def _copy_of(
    article_id: str, article: Article | None, copies: set[str], articles: Mapping[str, Article]
) -> str | None:
    """The outlet an article copies, or None when it is not a copy."""
    original = article.near_duplicate_of if article else None
    if original is None and article_id not in copies:
        return None
    if original is None:
        return "another article"
    source = articles.get(original)
    return source.source.name if source else original


def _order(entry: TimelineEntry) -> tuple[bool, dt.date, bool, dt.date, bool, str, int]:
    """Date, then publication, then originals before copies of the same day, then text
    position (entries of one event keep the order they were built in: sort is stable)."""
    return (
        entry.date is None,
        entry.date or dt.date.max,
        entry.published is None,
        entry.published or dt.date.max,
        entry.copy_of is not None,
        entry.article_id,
        entry.event_index,
    )
