"""Wording of the synthetic archive: the sites, the phrase banks, and how texts are put together.

Split from ``archive`` so that the planning (what happened, who reported it, which
records are copies) reads apart from the words. Every phrase here was written for this
module. The constraints on them come from the pipeline the archive is meant to exercise:

* a report names its site with a knowledge-base alias and its event with a trigger in
  the title and the first sentence, and dates it to the day, because that is what a
  real wire report does and what ``extract`` reads;
* no other sentence names a second site, a day, or a stray count, percentage or
  length, so a report says exactly what its gold line says;
* two reports of one incident share names, dates and figures but little wording beyond
  that: every sentence is assembled from independently drawn alternatives, so that
  independent reports stay far below the near-duplicate threshold (``dedup``), while a
  copy keeps nearly all of its original's words.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

# --------------------------------------------------------------------------- phrase grammar

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str


# One alternative: plain text, or text with slots in it.
_Alt: TypeAlias = "str | tuple[str | _Slot, ...]"
_GROUP = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"<(\w+)>")


def _alternative(text: str) -> _Alt:
    parts = _SLOT.split(text)  # literal, name, literal, name, ...
    if len(parts) == 1:
        return text
    return tuple(_Slot(p) if i % 2 else p for i, p in enumerate(parts) if p)


def pick(rng: random.Random, options: Sequence[_T]) -> _T:
    """``rng.choice`` at a fraction of its cost (one C call), which matters a million times over."""
    return options[int(rng.random() * len(options))]


class Phrase:
    """A template parsed once: literal text, ``<slot>`` values, and ``{a|b|}``
    alternatives (one level; an alternative may hold slots, and may be empty).

    Parsing up front keeps a million articles cheap: expanding is a walk over tuples.
    """

    __slots__ = ("_parts",)

    def __init__(self, template: str) -> None:
        parts: list[tuple[_Alt, ...]] = []
        pos = 0
        for m in _GROUP.finditer(template):
            parts.append((_alternative(template[pos : m.start()]),))
            parts.append(tuple(_alternative(alt) for alt in m.group(1).split("|")))
            pos = m.end()
        parts.append((_alternative(template[pos:]),))
        self._parts = tuple(parts)

    def __call__(self, rng: random.Random, slots: Mapping[str, str] | None = None) -> str:
        out: list[str] = []
        for alts in self._parts:
            alt = alts[0] if len(alts) == 1 else alts[int(rng.random() * len(alts))]
            if isinstance(alt, str):
                out.append(alt)
                continue
            for piece in alt:
                out.append(piece if isinstance(piece, str) else (slots or {})[piece.name])
        # Collapse the spaces an empty alternative leaves behind.
        return " ".join("".join(out).split()).replace(" ,", ",").replace(" .", ".")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _phrases(*templates: str) -> tuple[Phrase, ...]:
    return tuple(Phrase(t) for t in templates)


def say(rng: random.Random, phrases: Sequence[Phrase], slots: Mapping[str, str] | None = None) -> str:
    """One of ``phrases``, expanded, as a sentence (capital first letter)."""
    return cap(pick(rng, phrases)(rng, slots))


# Interchangeable words, drawn anew at every occurrence in the sentences around the
# facts: reporters word the same things differently, and one swapped word breaks three
# shingles, which keeps stories built from the same templates apart (``dedup``).
_VARIANTS = (
    ("said", "stated", "noted"),
    ("about", "around", "roughly"),
    ("people", "residents", "locals"),
    ("crews", "teams"),
    ("road", "highway"),
    ("large", "big", "major"),
    ("was", "had been"),
    ("were", "had been"),
    ("near", "beside"),
    ("site", "facility"),
    ("told", "informed"),
    ("recalled", "remembered"),
    ("gathered", "assembled"),
    ("continuing", "ongoing"),
    ("village", "settlement"),
    ("most", "much"),
)
_VARIANT_OF = {w: group for group in _VARIANTS for w in group if " " not in w}
_TRAILING = ",.;:"


def vary(rng: random.Random, text: str) -> str:
    """Swap each interchangeable word for a random one of its group (case and trailing
    punctuation kept). Never applied to the lead or the figures: their words are what
    extraction reads."""
    out = []
    for word in text.split(" "):
        core = word.rstrip(_TRAILING)
        group = _VARIANT_OF.get(core.lower())
        if group is None:
            out.append(word)
            continue
        swap = pick(rng, group)
        out.append((cap(swap) if core[:1].isupper() else swap) + word[len(core) :])
    return " ".join(out)


# --------------------------------------------------------------------------- sites

PUMPING, TERMINAL, MOORING, REFINERY, GAS_PLANT, PORT = (
    "pumping_station",
    "terminal",
    "mooring",
    "refinery",
    "gas_plant",
    "port",
)
_ATTACK = ("drone_strike", "drone_strike", "fire", "explosion")
_INLAND = (*_ATTACK, "equipment_failure", "spill_leak")
_COASTAL = (*_ATTACK, "naval_drone_attack", "weather_damage", "spill_leak")
_QUIET = ("fire", "explosion", "equipment_failure", "spill_leak")  # far from the front line
_SEA = ("naval_drone_attack", "naval_drone_attack", "weather_damage", "spill_leak")


@dataclass(frozen=True, slots=True)
class Site:
    """A place incidents happen, as reports name it.

    ``names`` and ``short`` are knowledge-base aliases (a test checks that each names
    ``asset_id`` and no other site), ``town`` is the gold location's name, and
    ``also`` lists other assets every name of this site names too (a mooring's
    terminal), which the gold must then carry as well. ``town_in_text`` is False where
    the town's name is itself another site's alias ("Tuapse" is the port's), so that a
    report on the refinery does not also name the port.
    """

    asset_id: str
    names: tuple[str, ...]
    short: str
    town: str
    region: str
    kind: str
    types: tuple[str, ...]
    weight: float = 1.0
    also: tuple[str, ...] = ()
    town_in_text: bool = True


_KRASNODAR = "Krasnodar Krai"
_ATYRAU = "Atyrau Region"
_MOOR = ("cpc_marine_terminal",)
# fmt: off
SITES: tuple[Site, ...] = (
    Site("cpc_ps_kropotkinskaya",
         ("the Kropotkinskaya pumping station", "the Kropotkin oil pumping station",
          "the Kropotkinskaya station"),
         "Kropotkinskaya pumping station", "Kropotkin", _KRASNODAR, PUMPING, _INLAND, 2.0),
    Site("kavkazskaya_transfer_station",
         ("the Kavkazskaya oil transfer station", "the Kavkazskaya pumping station"),
         "Kavkazskaya oil station", "Kavkazskaya", _KRASNODAR, PUMPING, _INLAND),
    Site("cpc_ps_komsomolskaya", ("the Komsomolskaya pumping station", "the Komsomolskaya PS"),
         "Komsomolskaya pumping station", "Komsomolsky", "Kalmykia", PUMPING, _INLAND),
    Site("cpc_ps_astrakhanskaya", ("the Astrakhanskaya pumping station", "the Astrakhanskaya PS"),
         "Astrakhanskaya pumping station", "Astrakhan", "Astrakhan Oblast", PUMPING, _INLAND),
    Site("cpc_ps_atyrau", ("the Atyrau pumping station", "the CPC Atyrau pumping station"),
         "Atyrau pumping station", "Atyrau", _ATYRAU, PUMPING, _QUIET),
    Site("cpc_ps_tengiz", ("the Tengiz pumping station", "the Tengiz pump station"),
         "Tengiz pumping station", "Tengiz", _ATYRAU, PUMPING, _QUIET),
    Site("cpc_ps_kurmangazy", ("the Kurmangazy pumping station", "the Kurmangazy PS"),
         "Kurmangazy pumping station", "Kurmangazy", _ATYRAU, PUMPING, _QUIET),
    Site("cpc_ps_isatay", ("the Isatay pumping station", "the Isatay PS"),
         "Isatay pumping station", "Isatay", _ATYRAU, PUMPING, _QUIET),
    Site("cpc_marine_terminal",
         ("the CPC Marine Terminal", "the CPC oil terminal", "the CPC terminal near Novorossiysk"),
         "CPC Marine Terminal", "Yuzhnaya Ozereyevka", _KRASNODAR, TERMINAL, _COASTAL, 2.0),
    *(Site(f"cpc_spm_{n}",
           (f"single point mooring SPM-{n} at the CPC Marine Terminal",
            f"mooring point {n} of the CPC terminal"),
           f"SPM-{n} mooring", "Yuzhnaya Ozereyevka", _KRASNODAR, MOORING, _SEA, 0.5, _MOOR)
      for n in (1, 2, 3)),
    Site("sheskharis_terminal", ("the Sheskharis oil terminal", "the Sheskharis terminal"),
         "Sheskharis oil terminal", "Novorossiysk", _KRASNODAR, TERMINAL, _COASTAL, town_in_text=False),
    Site("tuapse_refinery", ("the Tuapse refinery", "the Tuapse oil refinery", "the Tuapsinsky refinery"),
         "Tuapse refinery", "Tuapse", _KRASNODAR, REFINERY, _INLAND, 1.5, town_in_text=False),
    Site("afipsky_refinery", ("the Afipsky refinery", "the Afipsky oil refinery"),
         "Afipsky refinery", "Afipsky", _KRASNODAR, REFINERY, _INLAND),
    Site("ilsky_refinery", ("the Ilsky refinery", "the Ilsky oil refinery"),
         "Ilsky refinery", "Ilsky", _KRASNODAR, REFINERY, _INLAND),
    Site("orenburg_gpp",
         ("the Orenburg gas processing plant", "the Orenburg GPP", "Gazprom's Orenburg plant"),
         "Orenburg gas processing plant", "Orenburg", "Orenburg Oblast", GAS_PLANT, _INLAND, 1.5),
    Site("astrakhan_gpp", ("the Astrakhan gas processing plant", "the Astrakhan GPP"),
         "Astrakhan gas plant", "Astrakhan", "Astrakhan Oblast", GAS_PLANT, _INLAND),
    Site("taman_port", ("the Taman port", "the Tamanneftegaz terminal", "the port of Taman"),
         "Taman port", "Volna", _KRASNODAR, PORT, _COASTAL),
    Site("aktau_port", ("the Aktau port", "the oil berths of the port of Aktau"),
         "Aktau port", "Aktau", "Mangystau Region", PORT, _QUIET),
    Site("makhachkala_port", ("the Makhachkala port", "the port of Makhachkala"),
         "Makhachkala port", "Makhachkala", "Dagestan", PORT, _QUIET),
    Site("ust_luga_port", ("the Ust-Luga port", "the oil terminal at the Ust-Luga port"),
         "Ust-Luga port", "Ust-Luga", "Leningrad Oblast", PORT, (*_QUIET, "drone_strike")),
    Site("sangachal_terminal", ("the Sangachal terminal",),
         "Sangachal terminal", "Sangachal", "the Garadagh district", TERMINAL, _QUIET, 0.5),
)
# fmt: on

# --------------------------------------------------------------------------- the lead

_WHEN_FORMS = (
    "on {d} {month} {y}",
    "on {month} {d}, {y}",
    "on {d} {month}",
    "on {weekday}, {d} {month}",
    "early on {d} {month} {y}",
    "late on {month} {d}",
    "on the night of {d} {month}",
)
_WHERE = Phrase("{near <town>|in <region>|outside <town>|close to <town>|in the <region> area||}")
_WHERE_REGION = Phrase("{in <region>|in the <region> area||}")
_TARGET = Phrase(
    "{<site>|<site>|<site>|equipment at <site>|a building at <site>|part of <site>|<unit> at <site>}"
)
_LEADS: dict[str, tuple[Phrase, ...]] = {
    "drone_strike": _phrases(
        "{Drones|Attack drones|Several drones|Long-range drones|A swarm of drones|Unmanned aerial vehicles} "
        "{struck|hit|attacked|targeted|damaged} <target> <where> <when>",
        "<target> came under {a |}drone attack <where> <when>",
        "A drone {strike|attack|raid} {hit|damaged|targeted} <target> <where> <when>",
        "<when>, {drones|attack drones|several drones} {struck|hit|attacked|targeted} <target> <where>",
        "<target> was {hit|struck|damaged|targeted} by {drones|a drone|attack drones} <where> <when>",
    ),
    "naval_drone_attack": _phrases(
        "{Sea drones|Naval drones|Uncrewed boats|Unmanned surface vessels|Explosive boats} "
        "{struck|hit|attacked|targeted|damaged} <target> <when>",
        "A naval drone attack {hit|damaged|targeted} <target> <when>",
        "<when>, {sea drones|naval drones|uncrewed boats} {struck|attacked|hit} <target>",
        "<target> was {attacked|hit|struck} by {sea drones|naval drones|uncrewed boats} <when>",
    ),
    "fire": _phrases(
        "A fire broke out {at|in} <target> <where> <when>",
        "A {blaze|fire|large fire} {engulfed|swept through|tore through|gutted} <unit> at <site> <where> "
        "<when>",
        "<unit> at <site> caught fire <when>",
        "<when>, {fire|a blaze|flames} {engulfed|swept through|tore through} <unit> at <site> <where>",
        "{Flames|A fire} {broke out|erupted|started} at <site> <where> <when>",
    ),
    "explosion": _phrases(
        "An explosion {rocked|ripped through|shook|tore through} <target> <where> <when>",
        "A {blast|powerful blast|loud blast} {rocked|ripped through|shook} <unit> at <site> <when>",
        "<when>, {an explosion|a blast|explosions} {rocked|ripped through|shook} <unit> at <site> <where>",
        "<unit> exploded at <site> <where> <when>",
    ),
    "equipment_failure": _phrases(
        "A power {outage|failure|cut} {stopped work at|knocked out|idled|halted} <site> <where> <when>",
        "A {technical|equipment} {failure|fault|malfunction} {stopped|halted|idled} <site> <when>",
        "<when>, a blackout {stopped|idled|halted} <site> <where>",
        "<site> lost power {after a|in a|during a} {blackout|power outage} <when>",
    ),
    "weather_damage": _phrases(
        "A {storm|heavy storm|winter storm|violent storm} {battered|damaged|lashed} <target> <when>",
        "<when>, {a storm|a heavy storm|storm winds} {battered|damaged|lashed} <target>",
        "{Gale-force winds|High winds and heavy swell} during a storm {damaged|battered} <target> <when>",
    ),
    "spill_leak": _phrases(
        "An oil leak was {found|detected|reported} at <target> <where> <when>",
        "Crude oil {spilled|leaked} {at|from a pipe at|from a tank at} <site> <where> <when>",
        "<when>, a leak {forced a partial stop at|was reported at|forced crews to isolate a line at} <site> "
        "<where>",
        "A {pipeline leak|fuel spill|oil spill} {was reported|was found} at <site> <when>",
    ),
}
_UNITS = {
    PUMPING: ("a pump unit", "a transformer yard", "the control building", "a reservoir", "a valve station"),
    TERMINAL: ("a storage tank", "a pipe rack", "the metering unit", "a loading line", "a tank"),
    MOORING: ("the buoy", "the floating hose", "the mooring"),
    REFINERY: ("a crude distillation unit", "a storage tank", "a catalytic cracker", "a pipe rack"),
    GAS_PLANT: ("a processing line", "a compressor shop", "a sulphur unit", "a workshop"),
    PORT: ("a storage tank", "a berth", "a loading arm", "a pipe rack"),
}
_SPEAKER = Phrase(
    "{the regional governor|the operator|local emergency officials|a company spokesperson|the energy "
    "ministry|"
    "people familiar with the matter|the local administration|a person at the site|officials|regional "
    "authorities}"
)
_ATTRIBUTION = Phrase(
    "{, <speaker> said|, according to <speaker>|, <speaker> reported|, <speaker> told reporters||}."
)
_TITLES: dict[str, tuple[Phrase, ...]] = {
    "drone_strike": _phrases(
        "{Drones hit|Drone strike on|Drone attack on|Drones target} <short>", "<short> hit in drone attack"
    ),
    "naval_drone_attack": _phrases("{Sea drones attack|Naval drones hit|Uncrewed boats strike} <short>"),
    "fire": _phrases("{Fire breaks out at|Blaze at|Fire at|Flames engulf unit at} <short>", "<short> fire"),
    "explosion": _phrases("{Explosion at|Blast rocks|Explosion rocks|Blast at} <short>", "<short> explosion"),
    "equipment_failure": _phrases(
        "{Power outage at|Technical failure stops|Blackout at|Power failure halts} <short>"
    ),
    "weather_damage": _phrases("{Storm damages|Storm hits|Storm batters} <short>"),
    "spill_leak": _phrases("{Oil leak at|Spill reported at|Leak found at} <short>", "<short> leak"),
}
_TITLE_TAIL = Phrase("{|||near <town>|, governor says|, operator says|, ministry says|, spokesperson says}")
_TITLE_TAIL_NO_TOWN = Phrase("{||||, governor says|, operator says|, spokesperson says}")


# Days relative to publication, as a lag in days → the words that name the incident day.
_RELATIVE = {0: ("today", "earlier today", "on {weekday}"), 1: ("yesterday", "on {weekday}")}


def when_phrase(rng: random.Random, day: dt.date, published: dt.date) -> str:
    """The incident day as reporters write it. Every form resolves to ``day`` given the
    publication date (up to three days later): a calendar day (a year-less one takes the
    nearest year), or, in one report in four, a day named relative to publication."""
    lag = (published - day).days
    forms = _RELATIVE.get(lag, ("on {weekday}",)) if rng.random() < 0.25 else _WHEN_FORMS
    return pick(rng, forms).format(
        d=day.day, month=day.strftime("%B"), y=day.year, weekday=day.strftime("%A")
    )


def lead(rng: random.Random, site: Site, type_: str, day: dt.date, published: dt.date) -> str:
    """The first sentence: site, event and day, from independently drawn parts."""
    slots = {"site": pick(rng, site.names), "town": site.town, "region": site.region}
    slots["unit"] = pick(rng, _UNITS[site.kind])
    slots["target"] = _TARGET(rng, slots)
    slots["where"] = (_WHERE if site.town_in_text else _WHERE_REGION)(rng, slots)
    slots["when"] = when_phrase(rng, day, published)
    slots["speaker"] = _SPEAKER(rng)
    return say(rng, _LEADS[type_], slots) + _ATTRIBUTION(rng, slots)


def title(rng: random.Random, site: Site, type_: str) -> str:
    slots = {"short": site.short, "town": site.town}
    tail = (_TITLE_TAIL if site.town_in_text else _TITLE_TAIL_NO_TOWN)(rng, slots)
    return say(rng, _TITLES[type_], slots) + (" " + tail if tail[:1].isalpha() else tail)


_AFTERMATH: dict[str, tuple[Phrase, ...]] = {
    "attack": _phrases(
        "{Air defences|Air defence units|The military} {said they|reported that they} {intercepted|downed|"
        "shot down} "
        "{several|some|a number of} {drones|UAVs} {over the district|nearby|on the approach|over the "
        "region}.",
        "{Emergency crews|Firefighters|Rescue teams|Specialist teams} {were sent|rushed|were dispatched} to "
        "the "
        "{scene|site|facility}{ and the area was cordoned off| and access roads were closed| within minutes|"
        "}.",
    ),
    "burn": _phrases(
        "{Thick|Black|Heavy|Grey} smoke {rose|drifted|hung} over {the district|the town|nearby villages|the "
        "area}"
        "{ through the morning| until the evening| for much of the day|}.",
        "{Emergency crews|Firefighters|Rescue teams|Fire engines} {were sent|rushed|were dispatched|raced} "
        "to the "
        "{scene|site|facility}{ and the area was cordoned off| and access roads were closed| within minutes|"
        "}.",
    ),
    "power": _phrases(
        "{Operators|Engineers|Staff} switched {critical|essential|safety} systems to {backup|reserve|"
        "emergency} power.",
        "{The grid company|The local utility|A regional power company} said it was {looking into|"
        "investigating|"
        "checking} {a substation|a line|its equipment} {nearby|in the area|serving the site}.",
    ),
    "sea": _phrases(
        "{Waves|Swell} {of|reaching} {two|three|four|five} metres {were recorded|were reported|hit the "
        "coast} "
        "{offshore|at sea|near the coast}.",
        "Tankers {waiting|anchored|queuing} {offshore|off the coast|in the roads} {moved away|kept their "
        "distance|"
        "were told to wait}{, port officials said|, shipping agents said|}.",
    ),
    "spill": _phrases(
        "{Booms|Absorbent barriers|Containment booms} were {laid|placed|deployed} {around the site|along the "
        "shore|around the affected area}.",
        "{Environmental inspectors|Ecologists|Regional environmental officials} {took samples|were called in|"
        "arrived to take samples} {from the soil|from the water|at the scene}.",
    ),
}
_AFTERMATH_OF = {
    "drone_strike": "attack",
    "naval_drone_attack": "attack",
    "fire": "burn",
    "explosion": "burn",
    "equipment_failure": "power",
    "weather_damage": "sea",
    "spill_leak": "spill",
}


def aftermath(rng: random.Random, type_: str) -> str:
    """What followed, with no figure, no day and no other site."""
    return vary(rng, say(rng, _AFTERMATH[_AFTERMATH_OF[type_]]))


# --------------------------------------------------------------------------- figures

_FLOW_NOUNS = {
    PUMPING: "{Flows through the pipeline|Pumping on the line|Throughput at the station|Crude flows}",
    TERMINAL: "{Loadings at the terminal|Crude exports through the terminal|Shipments from the site}",
    MOORING: "{Loadings at the terminal|Tanker loadings|Crude exports from the terminal}",
    REFINERY: "{Crude processing at the plant|Output at the refinery|Refinery throughput|Refinery runs}",
    GAS_PLANT: "{Gas intake at the plant|Processing volumes|Output at the plant}",
    PORT: "{Shipments through the port|Loadings at the port|Oil exports from the port}",
}
_FLOW = {
    kind: Phrase(
        noun + " {fell|dropped|declined|shrank} by <amount>"
        "{, the operator said|, traders said| in the first hours| after the incident|, according to "
        "<speaker>|}."
    )
    for kind, noun in _FLOW_NOUNS.items()
}


def flow_sentence(rng: random.Random, site: Site, pct: int) -> tuple[str, Any]:
    """A flow cut in one of the forms reporters use, and its gold value (what it says)."""
    form = rng.randrange(4)
    gold: Any
    if form == 0:
        amount, gold = f"{pct} percent", pct
    elif form == 1:
        amount, gold = f"about {pct}%", pct
    elif form == 2:
        amount, gold = f"between {pct - 5} and {pct + 5} percent", [pct - 5, pct + 5]
    else:
        amount, gold = f"{pct - 5}-{pct + 5}%", [pct - 5, pct + 5]
    return cap(_FLOW[site.kind](rng, {"amount": amount, "speaker": _SPEAKER(rng)})), gold


_DURATION = _phrases(
    "{Repairs are expected to take|Engineers said repairs would take|Repair crews estimated they would need|"
    "The operator estimated that repairs would take} <amount>.",
    "{The damaged section|The affected unit|Part of the site} could stay offline for <amount>"
    "{, the operator said|, people familiar with the matter said|}.",
)
_WEEKS = ("one week", "two weeks", "three weeks", "four weeks", "five weeks")


def duration_sentence(rng: random.Random, days: int) -> tuple[str, Any]:
    form = rng.randrange(4)
    gold: Any
    if form == 0:
        amount, gold = f"{days} days", days
    elif form == 1 and days % 7 == 0:
        amount, gold = _WEEKS[days // 7 - 1], days
    elif form == 2:
        amount, gold = f"{days - 2} to {days + 3} days", [days - 2, days + 3]
    else:
        amount, gold = f"about {days} days", days
    return say(rng, _DURATION, {"amount": amount}), gold


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NONE_HURT = (
    (Phrase("There were no casualties{, officials said|}."), {"killed": 0, "injured": 0}),
    (Phrase("No one was {hurt|injured}{, the operator said|}."), {"injured": 0}),
    (Phrase("No casualties were reported{ at the site|}."), {"killed": 0, "injured": 0}),
)
_INJURED = Phrase("<n> {workers|people|employees|staff members} {were injured|were hurt|were wounded}")
_INJURED_ONE = Phrase("{one|a} {worker|employee|guard} was injured")
_KILLED = Phrase("<n> {people were|workers were} killed")
_KILLED_ONE = Phrase("one {person|worker} was killed")
_CASUALTY_TAIL = Phrase("{.|, officials said.|, medics said.|, according to <speaker>.}")


def casualty_sentence(rng: random.Random, killed: int, injured: int) -> tuple[str, dict[str, int]]:
    """What one report says about casualties; the gold holds only the fields it states."""
    if killed == 0 and injured == 0:
        phrase, gold = pick(rng, _NONE_HURT)
        return phrase(rng), gold
    parts, stated = [], {}
    if injured:
        parts.append((_INJURED if injured > 1 else _INJURED_ONE)(rng, {"n": _NUMBER_WORDS[injured]}))
        stated["injured"] = injured
    if killed:
        parts.append((_KILLED if killed > 1 else _KILLED_ONE)(rng, {"n": _NUMBER_WORDS[killed]}))
        stated["killed"] = killed
    return cap(" and ".join(parts)) + _CASUALTY_TAIL(rng, {"speaker": _SPEAKER(rng)}), stated


# --------------------------------------------------------------------------- the rest of a story

# fmt: off
_SYLLABLES = (
    "al", "ba", "ka", "ro", "vin", "tel", "mur", "zha", "nov", "ost", "ber", "lin", "gor", "dau", "pek",
    "sha", "tur", "ven", "yar", "kul", "mir", "dan", "sol", "ret", "bai", "oz", "pol", "sar", "tem", "kir",
    "usa", "bek", "ta",
)
# fmt: on


def name(rng: random.Random, syllables: int) -> str:
    return "".join(pick(rng, _SYLLABLES) for _ in range(syllables)).capitalize()


def person(rng: random.Random) -> str:
    return f"{name(rng, 2)} {name(rng, rng.randint(2, 3))}"


_SAID = "{said|told reporters|recalled|explained|told a local newspaper|wrote on social media}"
_WITNESS = Phrase(
    "<person>, {a|the} <age> {night watchman|shift engineer|farmer|schoolteacher|taxi driver|shop owner|"
    "pensioner|"
    "beekeeper|bus driver|nurse|mechanic|student|fisherman|baker} {in|from|living in|who lives near|based "
    "in} "
    "<village>, " + _SAID + " {that |}<pronoun> <saw> <time>."
)
_AGE = Phrase("{|||<n>-year-old|retired|young|local}")
_SAW = _phrases(
    "{saw|noticed|spotted|could see} {a column of|a plume of|thick|grey|dark} smoke {above|over|behind|"
    "beyond} "
    "the {fence|trees|rooftops|hill|poplars|water tower}",
    "heard {sirens|a loud bang|a series of bangs|alarms|a low hum|several dull thuds} {across|in|over|from} "
    "the "
    "{village|valley|neighbourhood|fields|allotments}",
    "felt {the windows|the floor|the whole house|the kitchen table|the garage door} {shake|rattle|tremble|"
    "judder}",
    "watched {emergency vehicles|ambulances|police cars|fire engines|army trucks} {drive past|race along "
    "the road|"
    "head towards the site|queue at the gate}",
    "was woken by {a loud bang|the noise|the dogs barking|a neighbour|a phone call|a flash of light}",
    "noticed the lights {at the site|on the hill|along the fence|on the chimneys} {go out|flicker|dim}",
)
_TIME = Phrase("{shortly after|at around|just before|soon after|at about} <hm>")
_NEIGHBOUR = Phrase(
    "{Her|His} {neighbour|cousin|colleague|brother-in-law|daughter|landlady} <person> said the {road|bridge|"
    "crossing|lane|track|bypass} to <village> {was busy with|filled with|saw|was blocked by} {trucks|"
    "emergency "
    "traffic|onlookers|police|reporters|tractors} {until dawn|all morning|by mid-morning|until lunchtime}."
)
_OFFICIAL = Phrase(
    "<person>, {the|a} {deputy head|spokesperson|press officer|chief engineer|duty manager|safety officer|"
    "director|shift lead|communications chief} {of|at|for} the {regional administration|operator|emergency "
    "service|district council|local police|municipal government|fire service|labour inspectorate}, "
    + _SAID
    + " {that |}<claim>."
)
_CLAIMS = (
    "the situation was under control",
    "there was no threat to residents",
    "checks were continuing",
    "the company was cooperating with investigators",
    "staff had followed procedures",
    "more information would follow",
    "air quality readings were normal",
    "schools in <village> would open as usual",
    "residents should stay away from the fence",
    "drinking water in <village> was safe",
    "a hotline had been set up for families",
    "the shift had been sent home early",
    "buses to <village> were running again",
    "crews from <village> had helped overnight",
    "the access road would stay shut for now",
)
_SCENE = Phrase(
    "{In|Around|Near} <village>{, a village of <n>00 people,| on the far side of the river|| nearby}, "
    "{shopkeepers|families|drivers|children|farm workers} {gathered|stood|waited|talked} {by|outside|at} "
    "the {bus stop|school gate|petrol station|market|church|post office}{ to watch| and filmed on their "
    "phones|"
    " and swapped rumours|}."
)


def colour(rng: random.Random) -> list[str]:
    """Witnesses and officials with invented names: the long tail that makes every report differ."""
    slots = {
        "person": person(rng),
        "village": name(rng, rng.randint(2, 3)),
        "pronoun": pick(rng, ("she", "he")),
        "saw": pick(rng, _SAW)(rng),
        "hm": f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
        "n": str(rng.randint(19, 84)),
    }
    slots["time"] = _TIME(rng, slots) if rng.random() < 0.6 else ""
    slots["age"] = _AGE(rng, slots)
    said = [cap(_WITNESS(rng, slots))]
    extra = {"person": person(rng), "village": name(rng, rng.randint(2, 3)), "n": str(rng.randint(2, 9))}
    extra["claim"] = pick(rng, _CLAIMS).replace("<village>", name(rng, 2))
    for phrase in rng.sample((_NEIGHBOUR, _OFFICIAL, _SCENE), rng.randint(1, 3)):
        said.append(cap(phrase(rng, extra)))
        extra["person"], extra["village"] = person(rng), name(rng, 2)
    return [vary(rng, s) for s in said]


_ROUTE = (
    "{Kazakh|Caspian|export|landlocked} crude {towards|on its way to|bound for} the {Black Sea|coast|sea}"
)
_CONTEXT: dict[str, tuple[Phrase, ...]] = {
    PUMPING: _phrases(
        "{The station|The facility|The site} {is one of|ranks among|belongs to} the {pumping stations|relay "
        "points|"
        "stations|links} that {push|move|keep|drive} " + _ROUTE + ".",
        "{Pumping stations|Stations|Relay stations} along the route {keep|maintain|hold} pressure {over|"
        "along|on} "
        "a {line|pipeline|trunk line} {more than|roughly|nearly|about} 1,<n2>00 km long.",
        "{The facility|The station} {handles|takes|receives} crude from {fields|producers|oilfields} in "
        "{western "
        "Kazakhstan|the Caspian region|southern Russia}{ and sends it west| before it travels on|}.",
        "{Built|Commissioned|Opened} in the {late 1990s|early 2000s|2010s}, the station {was upgraded|"
        "gained new "
        "pumps|got new turbines} {during|as part of} {a|the} {capacity expansion|debottlenecking programme|"
        "modernisation}.",
        "{Its|The station's} {electric|gas-turbine} pumps {are|were} {supplied by|bought from|serviced by} "
        "{a European|a Japanese|a domestic|an American} {manufacturer|engineering group}.",
    ),
    TERMINAL: _phrases(
        "{The terminal|The facility} {ships|loads|sends abroad} {most|the bulk|a large share} of the crude "
        "that "
        "{reaches the coast|arrives by pipeline} from {Kazakhstan|the Caspian region|the interior}.",
        "Tankers of up to <n>0,000 tonnes {call at|load at|use} the {site's|terminal's} {berths|moorings}.",
        "{The terminal|The site} {stores|holds|keeps} crude in {large|steel|floating-roof|white} tanks "
        "{before it "
        "is loaded onto tankers|on a hill above the shore|ahead of loading}.",
        "{About|Around|Roughly} <n> {tankers|vessels|cargoes} {a month|every month} {load|are loaded|sail} "
        "{there|from the site}{ in a normal month|, shipping data show|}.",
        "{Pilots|Harbour pilots|Mooring crews} {guide|bring|steer} {each tanker|every vessel|the ships} "
        "{in|alongside|to its berth} {with tugs|from a launch|at first light}.",
        "{A|The} {control room|dispatch centre|central office} {on the hill|by the gate|near the shore} "
        "{runs|oversees|watches} {loading|the tank farm|the pumps} {around the clock|in shifts|day and "
        "night}.",
    ),
    MOORING: _phrases(
        "The {buoys|moorings} {sit|lie|are anchored} {several|a few} kilometres offshore, where tankers "
        "{tie up|moor|connect} to load.",
        "{Each|Every} {mooring|buoy} can {load|fill} a large tanker {in about a day|in under a day|in "
        "roughly a day}.",
        "{Hoses|Undersea lines|Subsea pipes} {link|connect|join} the {buoys|moorings} to tanks on {the "
        "shore|land|"
        "the hillside}.",
        "{Divers|Technicians|Contractors} {check|inspect|service} the {hoses|buoys|moorings} {every season|"
        "each "
        "spring|several times a year}.",
        "{Tugs|Support boats|Line boats} {from|based in} the {harbour|bay|port} {help|assist|guide} {tankers|"
        "ships} {onto|to|towards} the {buoys|moorings} {in calm weather|at any hour|day and night}.",
        "The {buoys|moorings} were {made|built|fabricated} {abroad|in Asia|at a foreign yard} and {towed|"
        "shipped|brought} {into place|to the bay|to the coast} {in sections|in one piece|over several "
        "weeks}.",
    ),
    REFINERY: _phrases(
        "The {plant|refinery} {turns|processes|converts} crude into {diesel|gasoline|naphtha} and "
        "{fuel oil|bitumen|jet fuel}{, much of it for export|, mostly for the domestic market|}.",
        "The refinery {employs|has} {about|around|some} <n>,<n2>00 {people|workers|staff}.",
        "The {site|plant} is one of the {larger|older|busier} {refineries|plants} in the {south of the "
        "country|region|"
        "province}.",
        "{Most|Much} of its {output|production|diesel} {leaves|goes|travels} by {rail|tanker|barge} to "
        "{ports|"
        "customers|depots} on the {coast|Black Sea|Azov Sea}.",
    ),
    GAS_PLANT: _phrases(
        "The plant {cleans|processes|treats} raw gas from fields on both sides of the {border|frontier}.",
        "The complex also {produces|makes|recovers} {sulphur|helium|condensate} {and|as well as} "
        "{ethane|propane|liquefied gas}.",
        "{Built|Opened|Started up} in the {1970s|1980s|Soviet era}, the {plant|complex} {employs|has} {about|"
        "roughly|some} <n>,<n2>00 {people|staff|workers}.",
        "{Gas|Feedstock} {arrives|comes|flows in} {by pipeline|through trunk lines} from {fields|deposits} "
        "{nearby|to the south|across the border}.",
        "{Its|The plant's} {flare stacks|cooling towers|sulphur heaps} {are|stand} {visible|clearly visible|"
        "a "
        "landmark} from the {highway|steppe|city outskirts}.",
        "{Workers|Many staff|Most employees} {live in|commute from|come from} {nearby settlements|the city|"
        "company housing} {and arrive|travelling|and come in} by {bus|shuttle|train}.",
    ),
    PORT: _phrases(
        "The port {handles|ships|moves} crude and oil products from the {Caspian region|hinterland|inland "
        "refineries}{ and the rail network| by rail and barge|}.",
        "Oil {terminals|berths|jetties} at the port were {expanded|modernised|rebuilt|dredged} {over the "
        "past "
        "decade|in stages|with state money}.",
        "{Tankers|Small tankers|River-sea vessels} {of|up to|carrying} {several|a few|some} thousand tonnes "
        "{call|load|berth} at the {port|harbour}.",
        "{The harbour|The port} {also|additionally} {handles|takes|ships} {grain|containers|metals|timber} "
        "{and|as well as} {coal|fertiliser|vehicles}.",
        "{Ice|Fog|Wind} {closes|slows|disrupts} the {approach|channel|roadstead} {on some days|a few times a "
        "year|in bad winters}, {pilots|harbour masters|agents} say.",
        "{Its|The port's} {rail yard|tank park|pipeline link} {was|has been} {extended|rebuilt|doubled} "
        "{since|"
        "after} {the 1990s|the last decade|a long dispute}.",
    ),
}
_CLOSERS = _phrases(
    "{Investigators|Prosecutors|Police} {were working|were gathering evidence|opened an inquiry|took "
    "statements} "
    "{at the scene|on site|in <village>}.",
    "The {operator|owner|company} gave no estimate of the {cost|damage|losses}{ so far| yet|}.",
    "{Police|Traffic police} {closed|blocked|guarded} the {access road|side road|approach} {to the site|"
    "near the "
    "site|from <village>}.",
    "{Emergency crews|Rescue teams|Specialists} remained at the {site|scene} {into the evening|until late|"
    "for the "
    "rest of the day}.",
    "Officials said they would publish {details|findings|a report} once {an assessment|the review|the "
    "survey} was "
    "{complete|finished|done}.",
    "Nobody has yet {said|explained|established} what {caused it|set it off|was behind it}.",
    "{Insurers|Loss adjusters} were {assessing|looking at|reviewing} the {claim|damage|case}, {people close "
    "to the "
    "process|two people familiar with it|a broker} said.",
    "{The mayor of <village>|A deputy from <village>|The head of <village> district} {called|asked} for "
    "{calm|patience|better warnings}.",
)


def context(rng: random.Random, site: Site) -> list[str]:
    """One to three background sentences about the site: no event, no figure that counts."""
    bank = _CONTEXT[site.kind]
    slots = {"n": str(rng.randint(1, 9)), "n2": str(rng.randint(1, 9))}
    return [vary(rng, cap(p(rng, slots))) for p in rng.sample(bank, rng.randint(1, 3))]


def closer(rng: random.Random) -> str:
    return vary(rng, say(rng, _CLOSERS, {"village": name(rng, rng.randint(2, 3))}))


# --------------------------------------------------------------------------- outlets

_OUTLET_FIRST = (
    "Steppe", "Pontic", "Volga", "Kuban", "Caspian Shelf", "Meridian", "Aral", "Harbour", "Tanker", "Crude",
    "Border", "Delta", "Northern", "Southern", "Bosphorus", "Azov",
)  # fmt: skip
_OUTLET_SECOND = (
    "Wire",
    "Ledger",
    "Courier",
    "Monitor",
    "Dispatch",
    "Gazette",
    "Bulletin",
    "Review",
    "Signal",
)
OUTLETS: tuple[str, ...] = tuple(
    f"{a} {b} (synthetic)" for i, a in enumerate(_OUTLET_FIRST) for b in _OUTLET_SECOND[i % 3 :: 3]
)
"""48 invented outlets, marked "(synthetic)" as the demo corpus marks its own "(demo)"."""


def domain(outlet: str) -> str:
    return "".join(c for c in outlet.removesuffix(" (synthetic)").lower() if c.isalnum()) + ".example"


# --------------------------------------------------------------------------- noise: energy news, no incident

_FIRM = Phrase(
    "{Larkspur Research|Osterlund Capital|Bayfield Energy Analytics|Tamarind Advisory|Koval & Reyes|"
    "Greywater Partners|Halden Commodities|Sable Point Economics|Northgate Markets|Ferrand & Olsen}"
)
_CITY = Phrase("{Astana|Almaty|Moscow|Geneva|London|Dubai|Singapore|Istanbul|Baku|Athens}")
_ROLE = "{an|a senior|a veteran|a London-based|the chief} {analyst|broker|economist|strategist|trader}"
_MARKET = _phrases(
    "<grade> {differentials|discounts|premiums} {to|against} {Dated Brent|the Brent benchmark|North Sea "
    "Dated} "
    "{narrowed|widened|firmed|eased|held steady} to <x> dollars a barrel {this week|in thin trade|on the "
    "week}"
    "{, traders said|, according to two traders|, market participants reported|, a pricing agency assessed}"
    "{, as Mediterranean refiners bought more cargoes|, with Aframax freight rates easing| after a tender "
    "from "
    "an Indian refiner| on thinner demand from northwest Europe|}.",
    "{Brent futures|The front-month Brent contract|Benchmark crude} {traded|settled|hovered} {near|around|"
    "just "
    "above|just below} <p> dollars{ a barrel|} {in London trading|by the close|late in the session}.",
    "<person>, " + _ROLE + " at <firm>, {said|told clients|wrote in a note} "
    "that {demand for light sweet grades looked|refinery buying in Asia was|the prompt market felt|margins "
    "for "
    "diesel-rich grades were} {firm|soft|patchy|steady|better than expected}.",
    "{Freight|Tanker rates} for a {80|100|135},000-tonne {tanker|vessel} {from the Black Sea|out of the "
    "Caspian "
    "region} to {Augusta|Trieste|Rotterdam|Sines} {was quoted at|stood at|edged to} <w> Worldscale points.",
    "<n> cargoes of <grade> {appear on|are listed in|feature in} the {provisional|draft|preliminary} "
    "{programme|schedule} for <month>{, a trader said|, traders said|}.",
    "{Buyers in|Refiners in|Traders serving} {India|the Mediterranean|northwest Europe|China} {bought|took|"
    "sought} "
    "{several|a handful of|a few more} cargoes {for|in} <month>{, according to shipping data|, two traders "
    "said|}.",
    "<person2> {at|of} <firm2> said {she|he} expected <grade> to {trade|price} {firmer|weaker|flat} {into|"
    "through} "
    "<month>{ as <reason>|}.",
    "{Options|Swaps|Forward} {traders|desks} in <city> {priced|saw|bet on} {a calmer|a tighter|a looser} "
    "{market|spread structure} {for|into} the {quarter|season|winter}.",
    "A {cargo|parcel} {bought|booked|resold} by <firm3> {changed hands|traded|went} at {a premium|a "
    "discount} of "
    "<x2> dollars{, two sources said|, according to a trader in <city>|}.",
    "{Margins|Cracks|Refining margins} for {diesel|jet fuel|naphtha} in {Europe|Asia|the Mediterranean} "
    "{improved|"
    "slipped|steadied} {over the week|on the week|in late trade}.",
)
_REASON = ("refinery buying returns", "freight eases", "Asian demand builds", "winter stocking starts")
_GRADES = ("CPC Blend", "Urals", "Kazakh light crude", "Siberian Light", "Azeri Light", "Tengiz grade")
_MARKET_TITLE = _phrases(
    "<grade> {differentials|discounts} {narrow|widen|firm|ease}",
    "{Light sweet crude|Black Sea crude|Caspian grades}: {week in review|market wrap|trading notes|the week "
    "ahead}",
)

_WORK = (
    "{planned maintenance|scheduled repairs|routine maintenance|preventive maintenance|scheduled maintenance}"
)
_MAINTENANCE = _phrases(
    "{The operator|The company|The site's owner|The pipeline company|Management} {will carry out|has "
    "scheduled|"
    "plans|announced} "
    + _WORK
    + " at <site> {from <d1> to <d2> <month>|between <d1> and <d2> <month>|on <d1>-<d2> "
    "<month>}, {in a schedule agreed in advance with shippers|agreed in advance with shippers|under a "
    "notice to "
    "shippers|as set out in a notice to shippers}.",
    "The {works|programme|job|campaign} {include|covers|involves|will see} {replacing|upgrading|"
    "recalibrating|"
    "overhauling} <part> and {testing|calibrating|cleaning|checking} <part2>.",
    "<person>, who {coordinates|runs|oversees|plans} the {programme|work|schedule|season}, said {customers|"
    "shippers|traders|producers} {had the dates|were told|knew} {well|long|some time} {ahead|in advance}.",
    "<n> {contractors|technicians|engineers} {will work|are due to work|are booked to work} in {two|three|"
    "four} "
    "shifts{, the operator said|, <person2> said|}.",
    "{Storage|Tanks|Spare capacity} {will|should|can} {cover|absorb|handle} {deliveries|customers' needs|"
    "nominations} during the " + _WORK + "{, a planner said|, <person2> said|}.",
    "{Engineers|Technicians|Contractors|Specialists} from <firm3> {will|are to|have been hired to} {bring|"
    "supply|"
    "install|fit} {new|spare|upgraded|certified} <part2>.",
    "{Shippers|Customers|Producers} {have|were} {asked|told|invited} to {adjust|shift|plan} {nominations|"
    "deliveries|volumes} {accordingly|around the dates|in good time}.",
    "{A similar|The last|A comparable} {maintenance|repair|servicing} {programme|round|campaign} {ran|went|"
    "finished} {smoothly|on schedule|early} {in <year0>|two years ago|last season}{, <person> said|}.",
    "<person3>, {a|the} {site manager|planning engineer|maintenance chief|shift supervisor} {from|in} "
    "<village>, "
    "said the {crew|team|staff} had {rehearsed|practised|planned} the {job|sequence|steps} {twice|for weeks|"
    "in detail}.",
    "{Hotels|Guesthouses|Canteens} in <village> {expect|are preparing for|have booked} {extra|more|visiting} "
    "{guests|workers|crews} {for the works|during the campaign|that week}.",
)
_CORPORATE = _phrases(
    "{Shareholders|The board|Owners of the company} {approved|signed off on|backed} {an investment programme|"
    "a capital budget|spending} of <n> million dollars for <year>{ at a meeting in <city>|}.",
    "The {plan|budget|programme} {includes|covers|funds} {new metering|a new control room|extra storage|"
    "pipe coatings|an upgraded alarm system} at <site>{ and a training centre|| and new offices}.",
    "<person> {was named|became|was appointed} {chief operating officer|finance director|head of "
    "operations}, "
    "{taking over from|replacing|succeeding} <person2>.",
    "The {board|company} also {discussed|agreed|reviewed} {tariffs|a training scheme|hiring plans} for "
    "{engineers|technicians|operators}{ and <person3> presented the figures|}.",
    "<person2>, {the|a} {board member|director|company secretary}, said the company {aimed to|hoped to|"
    "would} "
    "{keep costs flat|hire locally|publish more data|cut paperwork}.",
    "{Revenue|Tariff income|Net income} {rose|grew|climbed} to <x> billion {dollars|tenge} in <year0>.",
    "{Auditors|The auditor} <firm3> {signed off|approved|reviewed} the {accounts|statements|books} {without "
    "comment|with minor notes|in <city>}.",
    "{A|The} {scholarship|internship|apprenticeship} {scheme|programme} {will|is to} {take|fund|train} <n> "
    "{students|graduates|school leavers} from <village>.",
)
_CORPORATE_TITLE = _phrases(
    "{Board backs|Shareholders approve|Owners agree} {investment plan|budget|spending programme}",
    "{New operations chief|New finance director} {named|appointed}",
)
_BACKGROUND = _phrases(
    "{War-risk premiums|Insurance rates|Hull war cover rates|Additional premiums} for {tankers|crude "
    "carriers|"
    "vessels} {calling at|visiting|loading at} {Black Sea ports|Russian Black Sea terminals|ports on the "
    "Russian "
    "coast} {stood at|reached|hovered near|settled at} <x> percent of hull value {this week|this month|in "
    "recent "
    "days}{, brokers said|, according to brokers|, underwriters reported|, <firm> estimated}.",
    "{Underwriters still point to|Brokers still cite|Insurers still recall|Clients still ask about} the "
    "{drone strike|drone attack} on <site> <past>, <person> of <firm> {said|told clients|wrote}.",
    "{Shipowners|Charterers|Traders} have asked for {clearer|longer|cheaper|simpler} {cover terms|policies|"
    "clauses}, {a broker|an adviser|a lawyer|a claims handler} in <city> said.",
    "<person2>, who {insures|brokers cover for|manages claims on} {dozens of|several|many} {tankers|ships|"
    "vessels}, said {premiums had settled|the market was calmer|capacity had returned|rates might drift}.",
    "{Some|A few|Several} {owners|charterers|operators} {now avoid|have limited|have cut back on} night-time "
    "{berthing|arrivals|port calls}{, two brokers said|, according to <person3>|}.",
    "{Lloyd's|Market} {committees|panels} {review|update} the {listed areas|risk zones} {every quarter|"
    "regularly|"
    "twice a year}{, <person3> noted|}.",
    "<firm3> {estimates|reckons|calculates} that {cover|insurance} now {adds|costs} <x2> dollars {a tonne|"
    "per "
    "barrel} {to freight|on top of freight}.",
    "{Crew|Seafarer} {unions|associations} in <city> {want|are seeking|have asked for} {bonuses|extra pay|"
    "clearer rules} for {voyages|calls|trips} to the region.",
    "{Ship managers|Fleet operators|Owners} {in|from} {Greece|Turkey|Cyprus|Malta} {still|continue to} "
    "{accept|take|book} {fixtures|charters|voyages} {there|into the area} {at a price|if the rate is right|"
    "with conditions}.",
    "<person3>, {a|the} {maritime lawyer|marine surveyor|claims adjuster} {in|from} <city2>, said {wording|"
    "exclusions|deductibles} {had become|were now|looked} {stricter|tighter|more uniform}.",
)
_PAST = ("last year", "earlier this year", "two months ago", "last month", "in the past")
_BACKGROUND_TITLE = _phrases(
    "{Insurers weigh|Underwriters reprice|Brokers assess} {Black Sea|tanker|war} risk"
)


_VOICES = _phrases(
    "<person4>, {a|the} {consultant|economist|planner|adviser|portfolio manager} {at|with} <firm4>, {said|"
    "argued|"
    "noted|told clients} that {the|this} {week|month|quarter} {looked|felt|seemed} {quieter|busier|calmer|"
    "more "
    "uncertain|more crowded} than {usual|expected|the last one}.",
    "{Speaking|Writing} {in <city2>|from <city2>|at a conference in <city2>|on a podcast}, <person5> {said|"
    "added|"
    "suggested} {she|he} {expected|saw|forecast} {little change|more volatility|steady demand|a slow start|"
    "a busy finish} {into|through|over} <month>.",
    "<person6> {of|from} <firm4> {put|placed} the {odds|chance|risk} of {a revision|further delays|a change "
    "of "
    "plan|a surprise} at {one in three|one in four|low|modest}.",
    "{In|Over} {a|an} {interview|email|briefing|call with clients}, <person5> {said|wrote|stressed} that "
    "{budgets|"
    "forecasts|plans|schedules} {at|in|across} <village> {were|had been|remained} {tight|flexible|on track|"
    "under "
    "review}.",
)


def _noise_slots(rng: random.Random, day: dt.date) -> dict[str, str]:
    first = day + dt.timedelta(days=rng.randint(10, 40))
    site = pick(rng, SITES)
    return {
        "grade": pick(rng, _GRADES),
        "x": f"{rng.uniform(0.1, 4.5):.2f}",
        "x2": f"{rng.uniform(0.1, 2.5):.2f}",
        "p": str(rng.randint(55, 95)),
        "w": str(rng.randint(90, 260)),
        "n": str(rng.randint(8, 300)),
        "month": first.strftime("%B"),
        "d1": str(min(first.day, 24)),
        "d2": str(min(first.day, 24) + rng.randint(1, 4)),
        "site": pick(rng, site.names),
        "part": pick(rng, _PARTS),
        "part2": pick(rng, _PARTS),
        "person": person(rng),
        "person2": person(rng),
        "person3": person(rng),
        "person4": person(rng),
        "person5": person(rng),
        "person6": person(rng),
        "firm4": f"{name(rng, 3)} {pick(rng, ('Advisers', 'Capital', 'Research', 'Consulting', 'Markets'))}",
        "firm": _FIRM(rng),
        "firm2": _FIRM(rng),
        "firm3": f"{name(rng, 2)} {pick(rng, ('Group', 'Partners', 'Services', 'Holding', 'Engineering'))}",
        "village": name(rng, 3),
        "city": _CITY(rng),
        "city2": _CITY(rng),
        "year": str(day.year + 1),
        "year0": str(day.year - 1),
        "past": pick(rng, _PAST),
        "reason": pick(rng, _REASON),
    }


_PARTS = ("valves", "a pump casing", "metering equipment", "a section of pipe", "control software", "seals",
          "gauges", "a heat exchanger", "cathodic protection", "flow meters")  # fmt: skip
# Each kind of story: its sentence bank (the first sentence sets the story up, the rest
# come in any order), its titles, and how many sentences it has. The background piece
# mentions an earlier strike with a time cue: a hard negative for report detection.
_NOISE = (
    (_MARKET, _MARKET_TITLE, (5, 8)),
    (_MARKET, _MARKET_TITLE, (5, 8)),
    (_MAINTENANCE, _phrases("{Planned|Scheduled} {maintenance|works} at <site>"), (5, 8)),
    (_CORPORATE, _CORPORATE_TITLE, (5, 8)),
    (_BACKGROUND, _BACKGROUND_TITLE, (5, 8)),
)


def noise(rng: random.Random, day: dt.date) -> tuple[str, str]:
    """A title and text of an energy story that reports no incident."""
    bank, titles, (lo, hi) = pick(rng, _NOISE)
    slots = _noise_slots(rng, day)
    first, *rest = bank
    chosen = [*rng.sample(rest, rng.randint(lo, hi) - 1), *rng.sample(_VOICES, rng.randint(1, 2))]
    rng.shuffle(chosen)
    sentences = [cap(first(rng, slots))] + [vary(rng, cap(p(rng, slots))) for p in chosen]
    cut = rng.randint(1, len(sentences) - 1)
    return say(rng, titles, slots), " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])


# --------------------------------------------------------------------------- copies

_SWAPS = {
    "said": "stated",
    "stated": "said",
    "about": "around",
    "around": "about",
    "near": "close to",
    "was": "had been",
    "were": "had been",
    "people": "residents",
    "workers": "staff",
    "officials": "authorities",
    "site": "facility",
    "before": "ahead of",
    "scene": "site",
    "told": "informed",
}
_CREDITS = _phrases(
    "This report first appeared {on|in} <outlet>.",
    "{Republished|Reproduced} with {permission|the permission} of <outlet>.",
    "Source: <outlet>.",
)


_RELATIVE_DAY = re.compile(r"\b(?:[Ee]arlier today|[Tt]oday|[Yy]esterday)\b")


def copy_text(rng: random.Random, text: str, source_outlet: str, day: dt.date | None = None) -> str:
    """A republication: about one word in twenty swapped, and a credit line.

    Only function words and plain synonyms are swapped, never names, numbers or event
    words, so a copy reports what its original reports and the copy-edit check
    (``copy_edits``) finds no edited place or figure. A copy appears days later, so an
    editor turns "yesterday" into the incident ``day``, as a careful one would.
    """
    if day is not None:
        date = f"on {day.day} {day.strftime('%B')}"
        text = _RELATIVE_DAY.sub(lambda m: cap(date) if m.group()[0].isupper() else date, text)
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if w.lower() in _SWAPS]
    for i in rng.sample(candidates, k=min(len(candidates), max(1, len(words) // 20))):
        swapped = _SWAPS[words[i].lower()]
        words[i] = cap(swapped) if words[i][:1].isupper() else swapped
    credit = say(rng, _CREDITS, {"outlet": source_outlet.removesuffix(" (synthetic)")})
    return " ".join(words) + "\n\n" + credit
