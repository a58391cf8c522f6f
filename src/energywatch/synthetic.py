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
_LEADS = [
    "A {event} hit {asset} near {place} early on {day}, {speaker} said.",
    "{speaker_cap} confirmed that {asset} in {region} was damaged by a {event} on {day}.",
    "Operations at {asset} were disrupted after a {event} overnight into {day}.",
    "Emergency crews were sent to {asset} outside {place} after what officials called a {event}.",
    "Flows through {asset} were cut on {day} following a {event}, according to {speaker}.",
]
_DETAILS = [
    "Throughput fell by about {pct} percent while engineers inspected the damage.",
    "Officials said {n} people were hurt and {k} were taken to hospital in {place}.",
    "Repairs could take between {d1} and {d2} weeks, {speaker} estimated.",
    "The site handles roughly {cap} million tonnes a year, most of it bound for export.",
    "Satellite images reviewed by analysts showed scorch marks across {n} storage tanks.",
    "No casualties were reported, and the fire was contained within {h} hours.",
    "Loadings were paused for {h} hours as a precaution, {speaker} said.",
]
_CONTEXT = [
    "The region has seen repeated attacks on energy facilities since early {year}.",
    "Kazakhstan ships most of its crude through the Caspian Pipeline Consortium route.",
    "Traders said differentials for CPC Blend widened by {usd} dollars a barrel on the news.",
    "Insurers have raised war-risk premiums for tankers calling at Black Sea ports.",
    "The operator said it was working with shareholders to restore normal operations.",
    "Officials in Astana said domestic fuel supply was not affected.",
    "Air defence units reported intercepting {n} drones over the {region} overnight.",
]
_CLOSERS = [
    "Investigators have not yet said what caused the {event}.",
    "Further updates are expected once the inspection of {asset} is complete.",
    "Neither side commented on who was behind the {event}.",
    "The company declined to give a timeline for a full restart.",
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
    "operations": "activities",
    "repairs": "works",
    "hurt": "injured",
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
        "usd": round(rng.uniform(0.2, 2.5), 2),
    }


def _original(rng: random.Random, index: int, spec: SyntheticSpec) -> dict[str, Any]:
    day = spec.start + dt.timedelta(days=rng.randint(0, 900))
    slots = _slots(rng, day)
    paragraphs = [
        rng.choice(_LEADS).format(**slots),
        " ".join(t.format(**slots) for t in rng.sample(_DETAILS, 3)),
        " ".join(t.format(**slots) for t in rng.sample(_CONTEXT, 3)),
        " ".join(t.format(**slots) for t in rng.sample(_DETAILS, 2)),
        rng.choice(_CLOSERS).format(**slots),
    ]
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
