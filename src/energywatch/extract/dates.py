"""Time expressions and the incident date (DESIGN §5: ISO date range + precision).

News gives dates relative to when it was written ("on Monday", "last week",
"overnight") or without a year ("17 February"), so every expression is resolved
against the publication date. Without one, a relative expression has no date
(precision "unknown") and a year-less date keeps only its month and day: the year is
never invented, because a wrong year silently merges unrelated incidents.

A regex candidate finder with our own normaliser is used instead of
``dateparser.search_dates``: it is about two orders of magnitude faster, gives exact
offsets, and every resolution rule is written down below instead of hidden in a
library default. Conventions:

* weekday ("on Monday"): the most recent such day on or before publication, so "on
  Monday" in an article published on a Monday is that day; "last Monday" is strictly
  before; "next Monday", or a weekday after a future cue ("will", "due to"), is the next
  such day on or after publication.
* year-less day: the year putting the date nearest to publication, with dates on the
  unpreferred side counted three times further away: the future normally (news reports
  the past), the past after a future cue. "in March" is the most recent March, or the
  next one after a future cue or "next".
* nights: a two-day range, evening day to morning day, with ``day`` saying which one
  counts. A named night ("the night of 17 February", "Monday night") counts the named
  day, as news datelines and gold data do; an unnamed "overnight"/"last night" in an
  article counts the morning of publication, when it was reported.
* out of scope, never emitted: dates anchored on other events ("a day after the
  talks", "the next day"), durations ("for two weeks"), quarters and decades.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Precision = Literal["day", "week", "month", "year", "unknown"]


@dataclass(frozen=True, slots=True)
class DateMention:
    """One time expression, as a span of the text and the date range it denotes.

    ``earliest``/``latest`` bound the range (inclusive) and are None when it cannot be
    placed in a year. ``month_day`` keeps (month, day) when the text gives them but no
    year can be known. ``relative`` is True for expressions resolved against the
    publication date ("yesterday", "on Monday", "last week"). ``day`` is the single day
    the mention counts as when its precision is "day" (for a night, which of its two
    days counts; see the module docstring), else None.
    """

    start: int
    end: int
    surface: str
    earliest: date | None
    latest: date | None
    precision: Precision
    month_day: tuple[int, int] | None
    relative: bool
    day: date | None = None


# --------------------------------------------------------------------------- patterns

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m[:3].lower(): i for m, i in list(_MONTHS.items())}
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
# Capitalised names only: "may", "march", "sun" in lower case are ordinary words.
_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![a-z])"
)
_FULL_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_ORD = r"(?:st|nd|rd|th)?"
_NIGHT = r"(?P<night>(?:[Tt]he\s+)?night\s+of\s+)?"
_WDPRE = rf"(?:(?P<wd>{_WD}),?\s+)?"
_YEAR = r"(?:,?\s+(?P<y>(?:19|20)\d{2})(?!\d))?"
# Words before a bare month or year that make it a date ("in May" but not "May rise").
_PREP = r"(?:in|since|from|until|till|by|during|through|of|for|before|after|early|late|mid-?|last|next|this)"
_NUM = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

_P_ISO = re.compile(r"(?<![\d-])(?P<s>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))(?![\d-])")
_P_DMY = re.compile(
    rf"(?P<s>{_NIGHT}{_WDPRE}(?P<d1>\d{{1,2}}){_ORD}(?:\s*[-–]\s*(?P<d2>\d{{1,2}}){_ORD})?"
    rf"(?:\s+of)?\s+(?P<mon>{_MON}){_YEAR})"
)
_P_MDY = re.compile(
    rf"(?P<s>{_NIGHT}{_WDPRE}(?P<mon>{_MON})\s+(?P<d1>\d{{1,2}}){_ORD}"
    rf"(?:\s*[-–]\s*(?P<d2>\d{{1,2}}))?(?![\d:.,]\d){_YEAR})(?![\d:])"
)
_P_MY = re.compile(rf"(?P<s>(?P<mon>{_MON}),?\s+(?P<y>(?:19|20)\d{{2}}))(?!\d)")
_P_MONTH = re.compile(rf"(?:\b(?P<pre>{_PREP})\s+)?(?P<s>(?P<mon>{_FULL_MON}))(?!\s*\d)")
_P_YEAR = re.compile(
    rf"\b(?:{_PREP})\s+(?:early\s+|late\s+)?(?P<s>(?P<y>(?:19|20)\d{{2}}))(?![\d%-]|\s*(?:bpd|b/d|tonnes|tons|barrels|km|mw|bcm)\b)"
)
_P_WEEKDAY = re.compile(
    rf"(?P<s>(?:(?P<mod>[Ll]ast|[Tt]his|[Nn]ext|[Ee]arly|[Ll]ate)\s+(?:on\s+)?)?(?P<wd>{_WD})"
    rf"(?:\s+(?P<part>morning|afternoon|evening|night))?)"
)
_P_DEICTIC = re.compile(
    r"\b(?P<s>(?:earlier\s+|later\s+)?(?P<w>today|tonight|yesterday|tomorrow|overnight|last\s+night"
    r"|this\s+(?:morning|afternoon|evening)|(?:the\s+)?day\s+before\s+yesterday"
    r"|yesterday\s+(?:morning|afternoon|evening))"
    r")\b",
    re.IGNORECASE,
)
_P_PERIOD = re.compile(
    r"\b(?P<s>(?P<mod>last|this|next|earlier\s+this|later\s+this|the\s+past)\s+"
    r"(?P<unit>week|weekend|month|year))\b",
    re.IGNORECASE,
)
_P_AGO = re.compile(
    r"\b(?P<s>(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<unit>day|week|month|year)s?\s+ago)\b",
    re.IGNORECASE,
)
# Before a mention, these mean the date lies ahead of publication: "will resume on".
_FUTURE_CUE = re.compile(
    r"\b(?:will|'ll|shall|due\s+(?:to|on)|scheduled\s+(?:to|for)|expected\s+(?:to|on)|plans?\s+to|planned\s+(?:to|for)"
    r"|set\s+to"
    r"|is\s+to|are\s+to|upcoming|next|planned|planning|as\s+(?:soon|early)\s+as)\b[^.;!?\n]*$",
    re.IGNORECASE,
)
_SPEECH_VERB = re.compile(r"\b(?:said|says|told|announced|reported|added|stated)\b", re.IGNORECASE)
# "the past week" is a duration ("over the past week"), not a point in time.
_DURATION_BEFORE = re.compile(r"\b(?:for|over|within|in)\s+(?:the\s+)?$", re.IGNORECASE)


# --------------------------------------------------------------------------- resolution


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_year(month: int, day: int, published: date, future: bool) -> int:
    """Year for a year-less day: nearest to publication, one direction preferred.

    Dates on the unpreferred side count as three times further away: without a cue
    news reports the past, after a future cue it announces plans. A weight rather than
    a hard cut keeps "the halt planned for 20 May" (published 26 May) in May.
    """
    best, best_cost = published.year, float("inf")
    for year in (published.year - 1, published.year, published.year + 1):
        cand = _safe_date(year, month, day)
        if cand is None:
            continue
        gap = (cand - published).days
        ahead = gap > 0
        cost = abs(gap) * (3 if ahead != future else 1)
        if cost < best_cost:
            best, best_cost = year, cost
    return best


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _is_future(text: str, start: int) -> bool:
    """A future cue earlier in the same clause: "talks are due to begin on Tuesday".

    A speech verb after the cue means the date belongs to the statement instead:
    "flows will recover, the operator said on Tuesday".
    """
    cue = _FUTURE_CUE.search(text[max(0, start - 80) : start])
    return cue is not None and not _SPEECH_VERB.search(cue.group())


_Resolved = tuple[date | None, date | None, Precision, tuple[int, int] | None, bool, date | None]


def _absolute(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    month = _MONTHS[m.group("mon").rstrip(".").lower()]
    d1 = int(m.group("d1"))
    d2 = int(m.group("d2")) if m.group("d2") else None
    if not 1 <= d1 <= 31 or (d2 is not None and not d1 < d2 <= 31):
        return None
    night = bool(m.group("night"))
    if m.group("y"):
        year: int | None = int(m.group("y"))
    elif published is not None:
        year = _nearest_year(month, d1, published, _is_future(text, m.start("s")))
    else:
        year = None
    if year is None:
        if _safe_date(2024, month, d1) is None:  # leap year: accepts 29 February
            return None
        return None, None, "day", (month, d1), False, None
    first = _safe_date(year, month, d1)
    if first is None:
        return None
    last = _safe_date(year, month, d2) if d2 else first
    if last is None:
        return None
    if night and d2 is None:
        last = first + timedelta(days=1)
    return first, last, "day", (month, d1), False, first


def _iso(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    day = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    if day is None:
        return None
    return day, day, "day", (day.month, day.day), False, day


def _month_year(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    month = _MONTHS[m.group("mon").rstrip(".").lower()]
    year = int(m.group("y"))
    return date(year, month, 1), _month_end(year, month), "month", None, False, None


def _bare_month(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    pre = (m.group("pre") or "").lower()
    name = m.group("mon")
    if name == "May" and not pre:  # "May" without a preposition is the modal verb
        return None
    month = _MONTHS[name.lower()]
    if published is None:
        return None, None, "month", None, False, None
    # The most recent such month (this one included), unless the text looks ahead.
    if pre == "next" or (pre != "last" and _is_future(text, m.start("s"))):
        year = published.year if month >= published.month else published.year + 1
    else:
        year = published.year if month <= published.month else published.year - 1
        if pre == "last" and month == published.month:
            year -= 1
    return date(year, month, 1), _month_end(year, month), "month", None, False, None


def _year(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    year = int(m.group("y"))
    return date(year, 1, 1), date(year, 12, 31), "year", None, False, None


def _weekday(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    if published is None:
        return None, None, "unknown", None, True, None
    target = _WEEKDAYS[m.group("wd").lower()]
    mod = (m.group("mod") or "").lower()
    back = (published.weekday() - target) % 7
    if mod == "last":
        day = published - timedelta(days=back or 7)
    elif mod == "next":
        day = published + timedelta(days=(target - published.weekday()) % 7 or 7)
    elif mod != "this" and _is_future(text, m.start("s")):
        day = published + timedelta(days=(target - published.weekday()) % 7)
    else:
        day = published - timedelta(days=back)
    latest = day + timedelta(days=1) if m.group("part") == "night" else day
    return day, latest, "day", None, True, day


def _deictic(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    word = " ".join(m.group("w").lower().split())
    s = m.start("s")
    # "Orenburg Today" is a newspaper: a capitalised "Today" right after a capitalised word
    # (a sentence-initial "Today" follows a full stop or starts a line instead).
    if m.group("w").startswith("Today") and re.search(r"[A-Z]\w*[ \t]+$", text[max(0, s - 30) : s]):
        return None
    if published is None:
        return None, None, "unknown", None, True, None
    if word.startswith("tomorrow"):
        day = published + timedelta(days=1)
    elif word.startswith("the day before") or word.startswith("day before"):
        day = published - timedelta(days=2)
    elif word.startswith("yesterday"):
        day = published - timedelta(days=1)
    elif word in {"overnight", "last night"}:
        return published - timedelta(days=1), published, "day", None, True, published
    else:  # today, tonight, this morning/afternoon/evening
        day = published
    return day, day, "day", None, True, day


def _period(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    mod = " ".join(m.group("mod").lower().split())
    unit = m.group("unit").lower()
    s = m.start("s")
    if mod == "the past" or (mod == "last" and _DURATION_BEFORE.search(text[max(0, s - 12) : s])):
        return None  # "over the past week", "for the last year": durations
    if published is None:
        return None, None, "unknown", None, True, None
    step = {"last": -1, "next": 1}.get(mod, 0)
    if unit in {"week", "weekend"}:
        monday, sunday = _week_of(published + timedelta(weeks=step))
        if unit == "weekend":
            return sunday - timedelta(days=1), sunday, "week", None, True, None
        if mod == "earlier this":
            sunday = published
        return monday, sunday, "week", None, True, None
    if unit == "month":
        year, month = published.year, published.month + step
        if month == 0:
            year, month = year - 1, 12
        elif month == 13:
            year, month = year + 1, 1
        last = published if mod == "earlier this" else _month_end(year, month)
        return date(year, month, 1), last, "month", None, True, None
    year = published.year + step
    last = published if mod == "earlier this" else date(year, 12, 31)
    return date(year, 1, 1), last, "year", None, True, None


def _ago(m: re.Match[str], text: str, published: date | None) -> _Resolved | None:
    if published is None:
        return None, None, "unknown", None, True, None
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else _NUM[raw]
    unit = m.group("unit").lower()
    if unit == "day":
        day = published - timedelta(days=n)
        return day, day, "day", None, True, day
    if unit == "week":
        monday, sunday = _week_of(published - timedelta(weeks=n))
        return monday, sunday, "week", None, True, None
    if unit == "month":
        total = published.year * 12 + published.month - 1 - n
        year, month = divmod(total, 12)
        return date(year, month + 1, 1), _month_end(year, month + 1), "month", None, True, None
    year = published.year - n
    return date(year, 1, 1), date(year, 12, 31), "year", None, True, None


_Handler = Callable[[re.Match[str], str, date | None], _Resolved | None]
# Order only matters for ties: at the same start the longer span wins.
_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (_P_ISO, _iso),
    (_P_DMY, _absolute),
    (_P_MDY, _absolute),
    (_P_MY, _month_year),
    (_P_MONTH, _bare_month),
    (_P_YEAR, _year),
    (_P_WEEKDAY, _weekday),
    (_P_DEICTIC, _deictic),
    (_P_PERIOD, _period),
    (_P_AGO, _ago),
)


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every time expression in ``text``, in order, resolved against ``published``.

    Overlapping candidates are settled longest-first at each start, so "Wednesday,
    19 March" is one mention and not a weekday plus a date.
    """
    candidates: list[tuple[int, int, int, re.Match[str], _Handler]] = []
    for order, (pattern, handler) in enumerate(_RULES):
        for m in pattern.finditer(text):
            candidates.append((m.start("s"), -m.end("s"), order, m, handler))
    candidates.sort(key=lambda c: c[:3])
    found: list[DateMention] = []
    taken_until = -1
    for start, neg_end, _, m, handler in candidates:
        if start < taken_until:
            continue
        resolved = handler(m, text, published)
        if resolved is None:
            continue
        earliest, latest, precision, month_day, relative, day = resolved
        found.append(
            DateMention(
                start, -neg_end, text[start:-neg_end], earliest, latest, precision, month_day, relative, day
            )
        )
        taken_until = -neg_end
    return found


# --------------------------------------------------------------------------- incident date

# Words that mark a sentence as telling the incident itself (used when no trigger is given).
_EVENT_WORDS = re.compile(
    r"\b(?:attack\w*|strik\w*|struck|drones?|hit|explosions?|blasts?|fire|ablaze|damag\w*|shot\s+down"
    r"|intercept\w*|knock\w*\s+out|sabotag\w*|leak\w*|spill\w*|outage|halt\w*|suspen\w*|shut\w*|inspection"
    r"|out\s+of\s+(?:operation|action|service)|back\s+(?:into|in)\s+service|resum\w*|restor\w*)\b",
    re.IGNORECASE,
)
# A date right after a speech verb dates the statement, not the event: "said on Monday".
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told\s+[\w\s]{0,25}?|announced|reported|stated|confirmed|added|wrote)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
# Sentences about diplomacy, meetings or plans are about something else.
_OTHER_EVENT = re.compile(
    r"\b(?:talks|meeting|met|summit|visit\w*|conference|negotiations|session|assembly|forum)\b",
    re.IGNORECASE,
)
# Boilerplate before a date: a dateline ("MOSCOW, Feb 17 (Wire) -") or a by-line stamp.
_BOILERPLATE_BEFORE = re.compile(
    r"(?:^|\n)\s*(?:[A-Z][A-Z/ .'-]+,\s*|(?:Published|Updated|Posted|Last\s+updated)\s*(?:on)?:?\s*)$"
)


def _sentence_bounds(text: str, offset: int) -> tuple[int, int]:
    """The sentence around ``offset``; a cheap local split (full stops and line breaks)."""
    left = max(text.rfind(". ", 0, offset), text.rfind("\n", 0, offset))
    right_candidates = [i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0]
    return left + 1, min(right_candidates) if right_candidates else len(text)


_BESIDE_CHARS = 30
"""How close (characters from the end of a relative day to the start of a calendar date)
the two must be to describe the same day: "overnight raid on 17 February" is 13."""


def incident_date(
    text: str, published: date | None, trigger_offsets: Sequence[int] = ()
) -> DateMention | None:
    """The mention most likely to date the incident, or None.

    Heuristic (scores add up; the highest wins, earlier mention on ties):
    * skipped outright: datelines and "Published:" stamps, future dates or dates after a
      future cue ("talks are due to begin on Tuesday"), month and year precision ("last
      year" statistics, "in March") and ranges longer than a week;
    * +6 when the mention shares a sentence with a trigger offset, else minus the
      distance in sentences-ish (characters / 200) to the nearest trigger; with no
      triggers, +3 when its sentence has an event word (attack, struck, fire…);
    * precision: day +2, week +1, unknown (no publication date) +1;
    * a relative day ("overnight", "on Monday") within a few words of a calendar date
      ("in an overnight raid on 17 February") yields to it: the calendar date says which
      night, the relative one is only a guess from the publication date;
    * -3 in a sentence about talks/meetings/visits, -3 right after a speech verb
      ("Transneft said on Monday" dates the statement), -0.5 per 1000 characters into
      the text, since the lede usually carries the incident date.
    """
    best: tuple[float, DateMention] | None = None
    mentions = find_dates(text, published)
    calendar_days = [m for m in mentions if not m.relative and m.precision == "day"]
    for m in mentions:
        if m.precision in {"year", "month"}:
            continue
        if m.relative and any(abs(c.start - m.end) <= _BESIDE_CHARS for c in calendar_days):
            continue
        if m.earliest and m.latest and (m.latest - m.earliest).days > 7:
            continue
        if published is not None and m.earliest is not None and m.earliest > published:
            continue
        if _is_future(text, m.start) or _BOILERPLATE_BEFORE.search(text[max(0, m.start - 60) : m.start]):
            continue
        s_start, s_end = _sentence_bounds(text, m.start)
        sentence = text[s_start:s_end]
        score = {"day": 2.0, "week": 1.0, "unknown": 1.0}.get(m.precision, 0.0)
        if trigger_offsets:
            if any(s_start <= t <= s_end for t in trigger_offsets):
                score += 6
            else:
                score -= min(abs(t - m.start) for t in trigger_offsets) / 200
        elif _EVENT_WORDS.search(sentence):
            score += 3
        if _OTHER_EVENT.search(sentence):
            score -= 3
        if _SPEECH_BEFORE.search(text[max(0, m.start - 40) : m.start]):
            score -= 3
        score -= m.start / 2000
        if best is None or score > best[0]:
            best = (score, m)
    return best[1] if best else None
