"""A synthetic archive: any number of article records built from templates, streamed.

Used by benchmarks (and later scale tests) where real articles are too few. Each
article is composed from independently chosen paragraph templates with varied
assets, places, dates, numbers and outlets, so two originals rarely look alike; a
share of records are copies of an earlier one (a few words changed, a different
outlet and boilerplate tail), which exercises near-duplicate detection. Generation is
deterministic for a seed and never holds more than a small window of articles.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_ASSETS = [
    ("the Kropotkinskaya pumping station", "Kropotkin", "Krasnodar Krai"),
    ("the CPC marine terminal", "Novorossiysk", "Krasnodar Krai"),
    ("the Orenburg gas processing plant", "Orenburg", "Orenburg Oblast"),
    ("the Tuapse refinery", "Tuapse", "Krasnodar Krai"),
    ("the Ilsky refinery", "Ilsky", "Krasnodar Krai"),
    ("the Afipsky refinery", "Afipsky", "Krasnodar Krai"),
    ("the Sheskharis oil terminal", "Novorossiysk", "Krasnodar Krai"),
    ("the Atyrau pumping station", "Atyrau", "Atyrau Oblast"),
    ("the Taman port fuel terminal", "Volna", "Krasnodar Krai"),
    ("the Kavkazskaya transfer station", "Kavkazskaya", "Krasnodar Krai"),
    ("the Astrakhan gas plant", "Astrakhan", "Astrakhan Oblast"),
    ("a single point mooring at the CPC terminal", "Novorossiysk", "Krasnodar Krai"),
]
_EVENTS = ["drone strike", "fire", "explosion", "naval drone attack", "power failure", "storm damage"]
_SPEAKERS = [
    "the regional governor",
    "a company spokesperson",
    "the energy ministry",
    "an industry source",
    "the defence ministry",
    "local emergency services",
    "a trader familiar with the loadings",
]
_OUTLETS = [
    "Meridian Wire (demo)",
    "Caspian Ledger (demo)",
    "Kuban Courier (demo)",
    "Petroleum Pulse (demo)",
    "Black Sea Herald (demo)",
    "Atlas Commodity Brief (demo)",
    "Energy Mirror Daily (demo)",
]
_OPENERS = [
    "Early on {day},",
    "Late on {day},",
    "Overnight into {day},",
    "Shortly after midnight,",
    "According to {speaker},",
    "Officials said that",
    "In a statement on {day},",
    "Local media reported that",
    "Witnesses said that",
    "By {day} evening,",
    "As of {day},",
    "Regional authorities confirmed that",
]
_SUBJECTS = [
    "a {event}",
    "the {event}",
    "a suspected {event}",
    "what officials described as a {event}",
    "an overnight {event}",
    "a {event} reported by residents",
    "a second {event} in a week",
]
_VERBS = [
    "damaged",
    "disrupted",
    "halted work at",
    "forced a shutdown of",
    "cut flows through",
    "set fire to equipment at",
    "hit",
    "knocked out power to",
    "briefly stopped loadings at",
    "triggered an emergency stop at",
    "caused a blaze near",
    "left debris across",
]
_OBJECTS = [
    "{asset}",
    "part of {asset}",
    "a unit at {asset}",
    "storage tanks at {asset}",
    "the control room of {asset}",
    "a transformer serving {asset}",
    "pipework inside {asset}",
]
_ADJUNCTS = [
    "near {place}",
    "outside {place}",
    "in the {region}",
    "about {km} km from {place}",
    "on the edge of {place}",
    "north of {place}",
    "south-east of {place}",
    "in {place} district",
]
_FACTS = [
    "Throughput fell by about {pct} percent",
    "{n} people were hurt",
    "{k} workers were evacuated",
    "repairs could take {d1} to {d2} weeks",
    "the fire was contained within {h} hours",
    "loadings were paused for {h} hours",
    "{n} drones were shot down nearby",
    "no casualties were reported",
    "the site handles some {cap} million tonnes a year",
    "insurers raised war-risk premiums by {usd} percent",
    "crews restored partial operation by day {k}",
    "differentials widened by {usd} dollars a barrel",
    "{k} storage tanks were scorched",
]
_LINKS = [
    "{speaker} said",
    "according to {speaker}",
    "{speaker} told reporters",
    "{speaker} added",
    "{speaker} estimated",
    "{speaker} confirmed in a briefing",
    "{speaker} wrote on social media",
]
_SYLLABLES = [
    "ka",
    "ro",
    "vin",
    "tel",
    "ask",
    "mur",
    "zha",
    "nov",
    "ost",
    "ber",
    "lin",
    "gor",
    "dau",
    "pek",
    "sha",
    "tur",
    "ven",
    "yar",
    "kul",
    "mir",
    "dan",
    "sol",
    "ret",
    "bai",
    "oz",
    "pol",
]
_ROLES = [
    "duty engineer",
    "shift supervisor",
    "local councillor",
    "fire chief",
    "station manager",
    "resident",
]
_UNITS = ["compressor", "metering skid", "valve yard", "substation", "tank park", "loading arm", "pump house"]


def _name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


def _local_colour(rng: random.Random) -> str:
    """A sentence with invented local names: the long tail that makes real articles differ."""
    person = f"{_name(rng, 2)} {_name(rng, 3)}"
    village = _name(rng, rng.randint(2, 3))
    return (
        f"{person}, a {rng.choice(_ROLES)} in {village}, said the {rng.choice(_UNITS)} "
        f"{rng.choice(['shook', 'went dark', 'caught fire', 'was evacuated', 'lost pressure'])} "
        f"at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} and that {_name(rng, 2)} road "
        f"stayed closed for {rng.randint(2, 30)} hours."
    )


_CLOSERS = [
    "Investigators have not said what caused the {event}.",
    "Further updates are expected once the inspection of {asset} is complete.",
    "Neither side commented on who was behind the {event}.",
    "The company declined to give a timeline for a full restart.",
    "Officials in Astana said domestic supply was not affected.",
    "Traders were watching loading schedules for {month}.",
]
_TAILS = [
    "Subscribe to our daily energy newsletter. Share this article on social media.",
    "Risk warning: CFDs are complex instruments and most retail accounts lose money trading them. "
    "This is marketing communication, not investment advice.",
    "Read more:\nOil prices edge higher\nPipeline tariffs under review\nTanker rates climb",
    "© Demo Media Group. All rights reserved.",
]
_SWAPS = {
    "said": "stated",
    "damaged": "hit",
    "about": "around",
    "early": "shortly",
    "officials": "authorities",
    "repairs": "works",
    "hurt": "injured",
    "near": "close to",
    "reported": "said",
    "storage": "oil",
    "fire": "blaze",
}


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    count: int
    seed: int = 7
    copy_rate: float = 0.1
    tail_rate: float = 0.25
    start: dt.date = dt.date(2024, 1, 1)


def _slots(rng: random.Random, day: dt.date) -> dict[str, Any]:
    asset, place, region = rng.choice(_ASSETS)
    speaker = rng.choice(_SPEAKERS)
    d1 = rng.randint(2, 8)
    return {
        "asset": asset,
        "place": place,
        "region": region,
        "event": rng.choice(_EVENTS),
        "speaker": speaker,
        "speaker_cap": speaker[0].upper() + speaker[1:],
        "day": day.strftime("%A, %d %B"),
        "pct": rng.choice([10, 15, 20, 25, 30, 40, 50]),
        "n": rng.randint(2, 40),
        "k": rng.randint(1, 5),
        "d1": d1,
        "d2": d1 + rng.randint(1, 6),
        "cap": rng.choice([3, 6.6, 9, 12, 20, 67]),
        "h": rng.randint(2, 72),
        "year": rng.choice([2024, 2025]),
        "km": rng.randint(2, 90),
        "month": rng.choice(["January", "March", "May", "July", "September", "November"]),
        "usd": round(rng.uniform(0.2, 2.5), 2),
    }


# Interchangeable words. Real outlets word the same facts differently; drawing each of
# these independently keeps two generated originals from sharing runs of three words,
# as two real independent reports rarely do (see docs/dedup.md for the real figures).
_VARIANTS = [
    ["said", "stated", "noted", "reported", "told", "indicated"],
    ["a", "one"],
    ["the", "that", "this"],
    ["were", "had been", "got"],
    ["was", "had been", "got"],
    ["and", "while", "as"],
    ["at", "by", "inside", "within"],
    ["near", "close to", "next to", "not far from"],
    ["about", "around", "roughly", "some", "nearly"],
    ["hours", "hrs"],
    ["people", "persons", "individuals"],
    ["workers", "staff", "employees", "crew members"],
    ["damaged", "hit", "struck", "harmed"],
    ["fire", "blaze", "flames"],
    ["road", "street", "lane", "highway"],
    ["closed", "shut", "blocked", "sealed off"],
    ["in", "at", "across"],
    ["for", "during", "over"],
    ["by", "via"],
    ["officials", "authorities", "administrators"],
    ["storage", "oil", "fuel", "crude"],
    ["tanks", "reservoirs", "vessels"],
    ["of", "belonging to", "at"],
]
_VARIANT_OF = {word: group for group in _VARIANTS for word in group if " " not in word}


def _vary(rng: random.Random, text: str) -> str:
    return " ".join(rng.choice(_VARIANT_OF[w]) if w in _VARIANT_OF else w for w in text.split(" "))


def _sentence(rng: random.Random, slots: dict[str, Any]) -> str:
    """One sentence from independently chosen phrases, so that two articles rarely
    share a run of three words unless they name the same asset or place."""
    parts = [
        rng.choice(_OPENERS),
        rng.choice(_SUBJECTS),
        rng.choice(_VERBS),
        rng.choice(_OBJECTS),
        rng.choice(_ADJUNCTS) + ".",
    ]
    return " ".join(parts).format(**slots)


def _fact(rng: random.Random, slots: dict[str, Any]) -> str:
    first, second = rng.sample(_FACTS, 2)  # each paragraph draws fresh slots, so facts rarely repeat
    text = f"{first}, {rng.choice(_LINKS)}, and {second}."
    return (text[0].upper() + text[1:]).format(**slots)


def _original(rng: random.Random, index: int, spec: SyntheticSpec) -> dict[str, Any]:
    day = spec.start + dt.timedelta(days=rng.randint(0, 900))
    paragraphs = []
    for _ in range(rng.randint(4, 6)):
        slots = _slots(rng, day)  # each paragraph draws its own numbers and speakers
        sentences = [_sentence(rng, slots), _local_colour(rng)]
        sentences += [_fact(rng, slots) for _ in range(rng.randint(1, 2))]
        paragraphs.append(_vary(rng, " ".join(sentences)))
    slots = _slots(rng, day)
    paragraphs.append(rng.choice(_CLOSERS).format(**slots))
    outlet = rng.choice(_OUTLETS)
    return {
        "id": f"syn-{spec.seed}-{index:08d}",
        "url": f"https://{outlet.split()[0].lower()}.example/{day.isoformat()}/{index}",
        "outlet": outlet,
        "title": f"{slots['event'].capitalize()} at {slots['asset'].removeprefix('the ')}",
        "published": (day + dt.timedelta(days=rng.randint(0, 2))).isoformat(),
        "text": "\n\n".join(paragraphs),
    }


def _copy_of(rng: random.Random, base: dict[str, Any], index: int, spec: SyntheticSpec) -> dict[str, Any]:
    """A republication: ≤ ~5% of words swapped, another outlet, later date."""
    words = base["text"].split(" ")
    for i in rng.sample(range(len(words)), k=max(1, len(words) // 20)):
        words[i] = _SWAPS.get(words[i].lower(), words[i])
    outlet = rng.choice([o for o in _OUTLETS if o != base["outlet"]])
    published = dt.date.fromisoformat(base["published"]) + dt.timedelta(days=rng.randint(0, 3))
    return {
        "id": f"syn-{spec.seed}-{index:08d}",
        "url": f"https://{outlet.split()[0].lower()}.example/copy/{index}",
        "outlet": outlet,
        "title": base["title"],
        "published": published.isoformat(),
        "text": " ".join(words),
    }


def generate(spec: SyntheticSpec) -> Iterator[dict[str, Any]]:
    """Yield ``spec.count`` article records (DESIGN §11 input shape)."""
    rng = random.Random(spec.seed)
    recent: deque[dict[str, Any]] = deque(maxlen=200)
    for index in range(spec.count):
        if recent and rng.random() < spec.copy_rate:
            record = _copy_of(rng, rng.choice(recent), index, spec)
        else:
            record = _original(rng, index, spec)
            recent.append(record)
        if rng.random() < spec.tail_rate:
            record = record | {"text": record["text"] + "\n\n" + rng.choice(_TAILS)}
        yield record
