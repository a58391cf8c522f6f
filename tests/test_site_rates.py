"""Rates through the hit site get a verdict (``site_rates.site_rate_claims``).

Texts written for this file about the 19 March 2025 strike on the Kavkazskaya oil
transfer station, the third-party feeder of the CPC pipeline in Krasnodar Krai.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from energywatch.export import incident_records
from energywatch.extract.sentences import sentence_at, split_sentences
from energywatch.ingest import ingest_items
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import Claim, DateRange, ExtractedEvent, Incident, InputFormat, RawArticle
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.site_rates import is_rate, site_rate_claims
from energywatch.storage import Store

SITE = "kavkazskaya_transfer_station"


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def stored_and_processed(
    tmp_path: Path, articles: Sequence[tuple[str, str, str, dt.date]]
) -> tuple[Store, KnowledgeBase]:
    """A temporary SQLite store holding ``(id, outlet, text, published)`` articles, processed."""
    settings = Settings(db=str(tmp_path / "ew.db"))
    store = Store.open(settings)
    raws = [
        RawArticle(
            origin=f"{aid}.json",
            input_format=InputFormat.json,
            id=aid,
            outlet=outlet,
            text=text,
            published=day,
        )
        for aid, outlet, text, day in articles
    ]
    ingest_items(store, raws, settings)
    process(store, _kb())
    return store, _kb()


# --------------------------------------------------------------------------- unit

RATES = (
    "Drones struck the Kavkazskaya oil transfer station on 19 March 2025. "
    "Kavkazskaya handled about 300,000 tonnes a month. "
    "The Kavkazskaya transfer station took in 1.5 Mt of crude last year. "
    "Kavkazskaya fed about 200,000 tonnes a month to the Kropotkinskaya pumping station. "
    "Into the CPC pipeline, Kavkazskaya sent about 10,000 tonnes a day. "
    "The Sheskharis terminal ships about 2 million tonnes a month. "
    "Kavkazskaya station also moved 5,000 barrels per day. "
    "The station near Kavkazskaya took 1 mcm/d of associated gas."
)
RESTART = "Kavkazskaya resumed work on 25 March at about 100,000 tonnes a month."


def _volume(text: str, article: str, phrase: str, value: dict[str, Any]) -> Claim:
    start = text.index(phrase)
    sentence = sentence_at(split_sentences(text), start)
    assert sentence is not None
    return Claim(
        article_id=article,
        field="volume",
        value=value,
        raw=phrase,
        start=start,
        end=start + len(phrase),
        sentence_start=sentence.start,
        sentence_end=sentence.end,
    )


def _event(article: str, category: str, type_: str, claims: list[Claim]) -> ExtractedEvent:
    return ExtractedEvent(
        article_id=article,
        index=0,
        category=category,
        type=type_,
        trigger="x",
        trigger_start=0,
        claims=claims,
    )


def _rate_incident(assets: list[str]) -> Incident:
    attack = [
        _volume(RATES, "r1", "about 300,000 tonnes a month", {"range": [270000, 330000], "unit": "t/month"}),
        _volume(RATES, "r1", "1.5 Mt", {"range": [1.5, 1.5], "unit": "Mt"}),
        _volume(RATES, "r1", "about 200,000 tonnes a month", {"range": [180000, 220000], "unit": "t/month"}),
        _volume(RATES, "r1", "about 10,000 tonnes a day", {"range": [9000, 11000], "unit": "t/d"}),
        _volume(RATES, "r1", "about 2 million tonnes a month", {"range": [1.8, 2.2], "unit": "Mt/month"}),
        _volume(RATES, "r1", "5,000 barrels per day", {"range": [5000, 5000], "unit": "b/d"}),
        _volume(RATES, "r1", "1 mcm/d", {"range": [1, 1], "unit": "mcm/d"}),
    ]
    restart_rate = {"range": [90000, 110000], "unit": "t/month"}
    restart = [_volume(RESTART, "r2", "about 100,000 tonnes a month", restart_rate)]
    return Incident(
        id="inc-rates",
        category="attack",
        type="drone_strike",
        date=DateRange(),
        assets=assets,
        articles=["r1", "r2"],
        events=[
            _event("r1", "attack", "drone_strike", attack),
            _event("r2", "operations", "restoration", restart),
        ],
    )


def test_only_rates_through_the_site_become_site_rate_claims() -> None:
    found = site_rate_claims(_rate_incident([SITE, "cpc_pipeline"]), {"r1": RATES, "r2": RESTART}, _kb())
    assert [(c.field, c.raw) for c in found] == [
        ("site_rate_tonnes", "about 300,000 tonnes a month"),  # the short name "Kavkazskaya"
        ("site_rate_tonnes", "about 10,000 tonnes a day"),  # the pipeline is context, not another site
        ("site_rate_barrels", "5,000 barrels per day"),
        ("site_rate_m3", "1 mcm/d"),
    ]
    # Left out: the 1.5 Mt amount, the sentence naming Kropotkinskaya, the Sheskharis
    # sentence, and the restart article (an operations event).
    assert all(c.article_id == "r1" for c in found)
    assert found[0].value == {"range": [270000, 330000], "unit": "t/month"}


def test_an_incident_without_a_site_has_no_site_rates() -> None:
    assert site_rate_claims(_rate_incident(["cpc_pipeline"]), {"r1": RATES, "r2": RESTART}, _kb()) == []


def test_a_missing_text_gives_no_site_rates() -> None:
    assert site_rate_claims(_rate_incident([SITE]), {}, _kb()) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"range": [130, 130], "unit": "kt/month"}, True),
        ({"range": [1, 1], "unit": "kb/d"}, True),
        ({"range": [67, 67], "unit": "Mt/yr"}, True),
        ({"range": [1.5, 1.5], "unit": "Mt"}, False),
        ({"range": [1, 1], "unit": None}, False),
        ([1, 1], False),
    ],
)
def test_is_rate(value: Any, expected: bool) -> None:
    assert is_rate(value) is expected


# --------------------------------------------------------------------------- end to end

LOW = (
    "Drones struck the Kavkazskaya oil transfer station in Krasnodar Krai on 19 March 2025, "
    "setting a tank on fire, the consortium said. At least 130,000 tonnes a month of Russian "
    "crude passed through Kavkazskaya on its way to the CPC pipeline, the consortium added."
)
HIGH = (
    "A drone attack on 19 March 2025 started a fire at the Kavkazskaya transfer station in "
    "Krasnodar Krai, officials said. About 300 thousand tonnes a month of oil went through "
    "Kavkazskaya, a Transneft official said. Kavkazskaya also took in 1.5 Mt of crude last year."
)
SAME = (
    "Kavkazskaya oil transfer station in Krasnodar Krai burned after drones hit it on 19 March "
    "2025, the regional governor said. Roughly 290,000 tonnes a month of crude went through "
    "Kavkazskaya, a Transneft official said."
)


def test_two_outlets_disagreeing_on_the_sites_monthly_rate_are_contested(tmp_path: Path) -> None:
    store, kb = stored_and_processed(
        tmp_path,
        [
            ("k1", "Steppe Post", LOW, dt.date(2025, 3, 20)),
            ("k2", "Black Sea Courier", HIGH, dt.date(2025, 3, 20)),
        ],
    )
    [record] = incident_records(store, kb)
    assert record["assets"] == [SITE]
    rate = record["attributes"]["site_rate_tonnes"]
    assert rate["status"] == "contested"
    assert [(c["article"], c["value"]) for c in rate["claims"]] == [
        ("k1", {"range": [130000, 195000], "unit": "t/month"}),
        ("k2", {"range": [270, 330], "unit": "kt/month"}),
    ]  # the 1.5 Mt amount is not a rate
    assert rate["reason"].startswith("incompatible values: 130000–195000 t/month (Steppe Post")
    assert "270–330 kt/month (Black Sea Courier, citing Transneft official)" in rate["reason"]
    assert [c["field"] for c in record["contradictions"]] == ["site_rate_tonnes"]
    assert "volume" not in record["attributes"]  # context volumes still get no verdict


def test_two_outlets_giving_compatible_rates_agree(tmp_path: Path) -> None:
    store, kb = stored_and_processed(
        tmp_path,
        [
            ("k2", "Black Sea Courier", HIGH, dt.date(2025, 3, 20)),
            ("k3", "Kuban Evening", SAME, dt.date(2025, 3, 20)),
        ],
    )
    [record] = incident_records(store, kb)
    rate = record["attributes"]["site_rate_tonnes"]
    assert rate["status"] == "agreed"
    assert rate["reason"].startswith("2 independent outlets agree:")
