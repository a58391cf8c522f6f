"""Night-time reports: extraction marks the date claim ``overnight`` (``extract/article.py``
``_overnight``), and only such a date may be a day off another outlet's.

Sentences written for this file about the February 2025 drone strike on the CPC's
Kropotkinskaya pumping station.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest
from tests.test_storage import make_article

from energywatch.extract.article import extract_article
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.verify import compatible


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _dates(text: str, published: dt.date = dt.date(2025, 2, 18)) -> list[dict[str, Any]]:
    article = make_article(
        "night-1",
        text=text,
        clean_text=text,
        removed_spans=[],
        title="Pumping station hit",
        published=published,
    )
    found = extract_article(article, _kb())
    assert found.is_incident_report, found.reason
    return [c.value for e in found.events if e.category == "attack" for c in e.claims if c.field == "date"]


STATION = "Drones struck the Kropotkinskaya pumping station"


@pytest.mark.parametrize(
    ("text", "day", "overnight"),
    [
        (f"{STATION} at 01:30 on 17 February 2025, the consortium said.", "2025-02-17", True),
        (f"{STATION} at 3:15 a.m. on 17 February 2025, the operator said.", "2025-02-17", True),
        (f"{STATION} in the early hours of 17 February 2025, officials said.", "2025-02-17", True),
        (f"{STATION} shortly before dawn on 17 February 2025, officials said.", "2025-02-17", True),
        # "overnight" is itself the date mention: the night before publication.
        (f"{STATION} overnight, the operator said.", "2025-02-18", True),
        (f"{STATION} at 14:20 on 17 February 2025, the consortium said.", "2025-02-17", False),
        (f"{STATION} at 11:30 on 17 February 2025, the consortium said.", "2025-02-17", False),
        (f"{STATION} on 17 February 2025, the consortium said.", "2025-02-17", False),
        # Night wording in a later sentence that is neither the incident's nor the date's.
        (
            f"{STATION} on 17 February 2025, the consortium said. "
            "Firefighters worked through the night to put out the blaze.",
            "2025-02-17",
            False,
        ),
    ],
)
def test_the_date_claim_says_whether_the_event_was_at_night(text: str, day: str, overnight: bool) -> None:
    [date] = _dates(text)
    assert date["start"] == date["end"] == day
    assert date["precision"] == "day"
    assert date["overnight"] is overnight


def test_only_a_night_report_may_be_a_day_off_another() -> None:
    later = dt.date(2025, 2, 20)
    [night] = _dates(f"{STATION} at 01:30 on 17 February 2025, the consortium said.", later)
    [next_day] = _dates(f"{STATION} on 18 February 2025, the consortium said.", later)
    [day] = _dates(f"{STATION} at 14:20 on 17 February 2025, the consortium said.", later)
    [two_days] = _dates(f"{STATION} on 19 February 2025, the consortium said.", later)
    assert compatible("date", night, next_day) is True
    assert compatible("date", next_day, night) is True
    assert compatible("date", day, next_day) is False
    assert compatible("date", night, two_days) is False


def test_a_numeric_date_is_not_a_night_time() -> None:
    [date] = _dates(
        f"{STATION} at 14:20 on 17 February 2025, and the consortium's 03.02.2025 export plan was revised."
    )
    assert date["overnight"] is False
