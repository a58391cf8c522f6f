"""Event triggers (DESIGN §4) with the weapon and the attribution stated next to them.

Rule-based on purpose: incident reporting on energy sites uses a small, stable set of
phrasings ("drones struck the station", "loadings were halted", "back in service"), and
every mention must point at the words it came from. Each type has a short list of
patterns; a sentence can yield several mentions, and where patterns overlap the more
specific type wins (a "naval drone attack" is not also a "drone attack"). Each mention
carries the flags that article-level detection (``extract.incident_report``) needs:
is an energy site in the same sentence, is it an interception, is it negated, is it
future or hypothetical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from energywatch.extract.sentences import Sentence
from energywatch.extract.taxonomy import category_of
from energywatch.kb import KnowledgeBase

_I = re.IGNORECASE
_DRONE = r"(?:drones?|UAVs?|unmanned (?:aerial vehicles?|aircraft)|kamikaze drones?|Shaheds?|Gerans?)"
_HIT = (
    r"(?:attack(?:ed|s|ing)?|str(?:uck|ike|ikes)|hit(?:s|ting)?|target(?:ed|s|ing)?|slam(?:med)?|"
    r"smash(?:ed)?|damag(?:ed|ing)|disabl(?:ed|ing)|knock(?:ed|s)? out|raid(?:ed)?|set (?:\w+ )?(?:on "
    r"fire|ablaze))"
)
_DOWN = r"(?:shot down|downed|intercepted|destroyed|repelled|repulsed|neutrali[sz]ed)"

# Trigger lexicon, most specific type first: when two matches overlap, the earlier type
# in this list keeps the span. Patterns are matched case-insensitively inside one sentence.
_LEXICON: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "naval_drone_attack",
        (
            r"\b(?:naval|sea|maritime|marine|water) drones?\b",
            r"\b(?:unmanned|uncrewed|remote-controlled|explosive) (?:surface )?(?:boats?|vessels?)\b",
            r"\bUSVs?\b",
        ),
    ),
    (
        "missile_strike",
        (
            r"\b(?:ballistic |cruise )?missiles?\b(?: \w+){0,6}? " + _HIT + r"\b",
            r"\b(?:missile|rocket) (?:strike|attack)s?\b",
            r"\b" + _HIT + r" by (?:a |an )?(?:\w+ ){0,2}(?:missiles?|rockets?)\b",
            r"\b(?:Iskander|Kalibr|Kinzhal|ATACMS|Storm Shadow|Neptune)(?:-\w+)? missiles?\b",
        ),
    ),
    (
        "drone_strike",
        (
            r"\b(?:drone|UAV)[- ](?:attacks?|strikes?|raids?)\b",
            r"\b" + _DRONE + r"\b(?: [\w-]+){0,6}? " + _HIT + r"\b",
            r"\b" + _HIT + r" (?:\w+ ){0,3}by (?:\w+ ){0,3}" + _DRONE + r"\b",
            r"\bunder (?:a )?(?:massed )?drone attack\b",
            # Interceptions are attacks too (DESIGN §4): "drones shot down", "destroyed 22 drones".
            r"\b" + _DRONE + r"\b(?: [\w-]+){0,4}? " + _DOWN + r"\b",
            r"\b" + _DOWN + r" (?:\w+ ){0,4}" + _DRONE + r"\b",
            r"\b(?:drone|UAV) (?:debris|fragments|wreckage)\b",
            # "Night of drones over Kuban": headline shorthand for a raid.
            r"\b(?:night|swarm|wave) of drones\b",
            r"\b(?:debris|fragments|wreckage) (?:of|from) (?:a |the )?(?:downed )?" + _DRONE + r"\b",
        ),
    ),
    (
        "sabotage",
        (
            r"\bsabotage[ds]?\b",
            r"\b(?:improvised )?explosive devices?\b",
            r"\bIEDs?\b",
            r"\bblown up\b",
            r"\barson\b",
        ),
    ),
    (
        "attack_unspecified",
        (
            r"\b(?:attack(?:ed|s)?|strikes?|struck|shelling|shelled|raid)\b",
            r"\bcame under fire\b",
        ),
    ),
    (
        "diplomatic_protest",
        (
            r"\b(?:lodg(?:ed|es|e)|fil(?:ed|es)|deliver(?:ed|s)|sent|issued) (?:a |an )?(?:formal |"
            r"strong |official )?protests?\b",
            r"\bnote of protest\b",
            r"\bprotests? (?:to|with) (?:Kyiv|Moscow|Ukraine|Russia|the)\b",
            r"\bprotests? (?:over|against) (?:the |a )?(?:\w+ )?(?:strike|attack)",
            r"\bprotests (?:the )?(?:strike|attack)\b",
            r"\bsummon(?:ed|s) (?:the )?(?:\w+ )?(?:ambassador|envoy|charg[eé])",
            r"\bcondemn(?:ed|s)\b",
        ),
    ),
    (
        "request_explanation",
        (
            r"\b(?:demand(?:ed|s)?|request(?:ed|s)?|ask(?:ed|s)? for|seek(?:s|ing)?|sought) (?:an? "
            r")?(?:official )?(?:explanations?|clarifications?)\b",
        ),
    ),
    (
        "statement",
        (
            # "will raise it through diplomatic channels" is a stated intention, coded as a
            # statement in the demo gold; actual talks are "talks".
            r"\b(?:through|via) diplomatic channels\b",
            r"\b(?:official|first) (?:reaction|response)\b",
            r"\bsaid in a statement\b",
        ),
    ),
    (
        "talks",
        (
            r"\b(?:talks|consultations|negotiations) (?:on|about|over) (?:the )?(?:attack|strike|incident)\b",
            # A government engaging the other side over an incident ("will engage with
            # Ukraine", "seeking diplomatic discussions", "contacts with the Ukrainian side").
            r"\bengage (?:directly )?with "
            r"(?:Ukraine|Kyiv|Moscow|Russia|the Ukrainian side|Ukrainian counterparts)\b",
            r"\bdiplomatic (?:engagement|discussions|contacts)\b",
            r"\b(?:communicate|contacts?) with the (?:Ukrainian|Russian) side\b",
            r"\bdirect communication with (?:Ukraine|Kyiv|Russia|Moscow)\b",
        ),
    ),
    (
        "inspection",
        (
            r"\b(?:snap |unscheduled |unplanned |safety )?inspections?\b",
            r"\binspectors?\b",
            r"\bRostransnadzor\b",
            r"\bchecks? (?:safety|compliance)\b",
        ),
    ),
    (
        "legal_order",
        (
            r"\bcourt (?:order(?:ed|s)?|rul(?:ed|ing)|decision|injunction)\b",
            r"\binjunction\b",
            r"\b(?:ordered|orders) (?:the )?(?:\w+ )?(?:suspension|halt|closure|shutdown)\b",
        ),
    ),
    ("sanction", (r"\bsanction(?:s|ed)?\b", r"\bembargo(?:es|ed)?\b", r"\bprice cap\b")),
    (
        "maintenance",
        (
            r"\b(?:planned|scheduled|routine|preventive|regular) (?:\S+ ){0,3}?(?:maintenance|repairs?|"
            r"works?|stops?|shutdowns?|outages?)\b",
            r"\bmaintenance\b",
        ),
    ),
    (
        "restoration",
        (
            r"\b(?:resum(?:ed|es|e|ing|ption)|restart(?:ed|s|ing)?|re-?started|reconnected|restored|"
            r"reopen(?:ed|s))\b",
            r"\bback (?:in|into|to) (?:service|operation|normal)\b",
            r"\bback on(?:line|stream)?\b",
            r"\b(?:working|operating) normally again\b",
            r"\breturn(?:ed|s)? to (?:service|operation|normal)\b",
            r"\b(?:climbs?|recover(?:ed|s|ing)?) back\b",
            r"\brecover(?:ed|s)? to\b",
        ),
    ),
    (
        "flow_reduction",
        (
            r"\b(?:flows?|volumes?|throughput|exports?|output|loadings?|pumping|intake|shipments?|"
            r"supplies|supply|production)\b"
            r"(?: [\w$%.,-]+){0,8}? (?:down|reduc(?:ed|e|tion)|cut|curtail(?:ed|ment)|fell|drop(?:ped|s)?|"
            r"declin(?:ed|e|es)|sink|sank|lower|decrease[ds]?|trimm?(?:ed|s)?|lost)\b",
            r"\b(?:cut|reduc(?:ed|es)|curtail(?:ed|s)|trim(?:med|s)?|limits?|lowered)\b(?: [\w-]+){0,4}? "
            r"(?:flows?|volumes?|throughput|exports?|output|loadings?|pumping|intake|production|terminal)\b",
            r"\bno decrease\b",
        ),
    ),
    (
        "weather_damage",
        (
            r"\bstorms?\b",
            r"\b(?:floods?|flooding)\b",
            r"\bhurricanes?\b",
            r"\b(?:gales?|high winds|heavy swell)\b",
            # Natural hazards share the row: the taxonomy has no separate "earthquake".
            r"\b(?:earthquakes?|quakes?)\b",
        ),
    ),
    (
        "equipment_failure",
        (
            r"\bpower (?:failure|outage|cut)s?\b",
            r"\bblackouts?\b",
            r"\b(?:technical|equipment) (?:failure|fault|problem|malfunction)s?\b",
            r"\bmalfunction(?:ed|s)?\b",
            r"\bbreakdown\b",
        ),
    ),
    (
        "suspension",
        (
            r"\b(?:halt(?:ed|s|ing)?|suspend(?:ed|s|ing)?|suspension|stopp(?:ed|ing)|stops?|"
            r"shut(?:s|ting)? (?:down|in)|shutdown|shut-in|shut)\b",
            r"\bforce majeure\b",
            r"\bdisrupt(?:ed|s|ing|ions?)?\b",
            r"\bout of (?:action|operation|service)\b",
            r"\b(?:taken|went|put) (?:out of|off) (?:service|line)\b",
            r"\b(?:impossible|no longer (?:be )?(?:operated|possible))\b",
            r"\bkept (?:repair )?crews away\b",
        ),
    ),
    (
        "explosion",
        (r"\bexplosions?\b", r"\bexplod(?:ed|es)\b", r"\bblasts?\b", r"\bdetonations?\b"),
    ),
    (
        "fire",
        (r"\b(?:fires?|blaze|ablaze|on fire|caught fire|burning|flames)\b",),
    ),
    ("spill_leak", (r"\b(?:oil |fuel )?spill(?:s|ed|age)?\b", r"\bleak(?:s|ed|ing|age)?\b")),
)
_COMPILED = tuple((type_, tuple(re.compile(p, _I) for p in pats)) for type_, pats in _LEXICON)
_PRIORITY = {type_: i for i, (type_, _) in enumerate(_LEXICON)}

# Generic words for energy sites, used when no knowledge-base alias is in the sentence.
# "station" alone is left out on purpose: railway and metro stations are common targets.
ENERGY_TERMS = re.compile(
    r"\b(?:refiner(?:y|ies)|(?:oil |gas |fuel )?pumping stations?|pipelines?|(?:oil |marine |export |fuel |"
    r"product )?terminals?|oil depots?|fuel depots?|tank farms?|storage tanks?|(?:gas |oil "
    r")?(?:processing )?plants?|"
    r"moorings?|SPMs?|buoys?|berths?|berthing devices?|(?:oil |gas |condensate )fields?|oil ports?|"
    r"(?:power|thermal|compressor|transfer|oil|gas|electric) stations?|power plants?|substations?|"
    r"transformers?|"
    r"tankers?|loadings?|energy (?:facilit(?:y|ies)|infrastructure|sites?)|fuel and energy|oil "
    r"(?:facility|installation)s?|"
    r"offshore installations?|(?:oil|drilling) rigs?|(?:offshore )?oil sites?|(?:oil|gas) wells?|"
    r"(?:oil|gas|offshore|drilling) platforms?|crude (?:feed|flows?|supplies)|gas intake|raw gas|oil "
    r"(?:flows?|exports?))\b",
    _I,
)
# A sentence that says a site is a military, residential or transport target is not
# about energy even when it names a generic term in passing ("the station of Kavkazskaya").
_NON_ENERGY_SITE = re.compile(
    r"\b(?:air ?(?:base|field)|airfield|airport|apartment|residential|high-rise|houses?|railway "
    r"station|military (?:depot|storage|airfield)|barracks)\b",
    _I,
)

_NEGATION = re.compile(
    r"\b(?:no|not|never|without|neither|nor|n't|denied|none of|no sign of|rather than|instead "
    r"of)\b[^.;:]{0,30}$",
    _I,
)
_NEGATION_AFTER = re.compile(r"^[^.;]{0,25}\b(?:was|were|had been|has been) (?:not|never)\b", _I)
_HYPOTHETICAL = re.compile(
    r"\b(?P<modal>could|may|might|would|will|shall|if|unless|risk(?:s|ed)? of|threat of|threatens? to|"
    r"plans? to|"
    r"planning to|expected to|set to|due to|aims? to|intends? to|fears? (?:of|that)|potential(?:ly)?|"
    r"possible|"
    r"in case of|is next|prepared for|ready to|warn(?:s|ed)? (?:of|that)|to be)\b(?P<gap>[^.;:]{0,40})$",
    _I,
)
# A modal before a connective governs another clause: "flows could drop after a drone
# strike" does not make the strike hypothetical.
_CONNECTIVE = re.compile(r"\b(?:after|following|since|because|as|when|amid|while|but|which|that)\b|,", _I)
_MODAL_INSIDE = re.compile(r"\b(?:could|may|might|would|will|set to|expected to)\b", _I)


def _hypothetical(before: str, trigger: str) -> bool:
    """Future or hypothetical wording governing the trigger (before it, or inside a
    multi-word trigger such as "flows could drop")."""
    if _MODAL_INSIDE.search(trigger):
        return True
    m = _HYPOTHETICAL.search(before)
    return m is not None and _CONNECTIVE.search(m.group("gap")) is None


_INTERCEPTION = re.compile(
    r"\b(?:shot down|downed|intercepted|destroyed (?:\w+ ){0,3}(?:drones?|UAVs?|missiles?|aircraft)|"
    r"repelled|repulsed|"
    r"air defen[cs]es?|debris|fragments|wreckage)\b",
    _I,
)


@dataclass(frozen=True, slots=True)
class EventMention:
    """One event trigger in one sentence, with the flags detection needs.

    ``start``/``end`` are offsets of the trigger words in the text that was searched.
    ``energy_target`` says an energy site (knowledge-base alias or a generic term such as
    "refinery" or "pumping station") is named in the same sentence.
    """

    category: str
    type: str
    trigger: str
    start: int
    end: int
    sentence: Sentence
    energy_target: bool
    interception: bool
    negated: bool
    future_or_hypothetical: bool


@dataclass(frozen=True, slots=True)
class AttributeMention:
    """A weapon or perpetrator value with the words it came from.

    ``source`` is the attributing phrase in the same sentence ("Russia's defence ministry
    said"), raw; judging the speaker and the hedge is the claims module's job.
    """

    field: str
    value: str
    raw: str
    start: int
    end: int
    source: str | None = None
    source_start: int | None = None
    source_end: int | None = None


def _energy_in(sentence: Sentence, alias_spans: list[tuple[int, int]]) -> bool:
    if any(sentence.start <= s and e <= sentence.end for s, e in alias_spans):
        return True
    return ENERGY_TERMS.search(sentence.text) is not None


def find_events(text: str, sentences: list[Sentence], kb: KnowledgeBase) -> list[EventMention]:
    """Every event trigger in ``text``, in text order, at most one type per span."""
    alias_spans = [(m.start, m.end) for m in kb.find_mentions(text)]
    found: list[EventMention] = []
    for sentence in sentences:
        found.extend(_sentence_events(text, sentence, alias_spans))
    return found


def _sentence_events(text: str, sentence: Sentence, alias_spans: list[tuple[int, int]]) -> list[EventMention]:
    body = text[sentence.start : sentence.end]
    candidates: list[tuple[int, int, int, str]] = []
    for type_, patterns in _COMPILED:
        for pattern in patterns:
            for m in pattern.finditer(body):
                candidates.append((_PRIORITY[type_], m.start(), m.end(), type_))
    # Specific types first; a later match overlapping a kept one is dropped.
    candidates.sort(key=lambda c: (c[0], c[1]))
    kept: list[tuple[int, int, str]] = []
    for _, start, end, type_ in candidates:
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            continue
        kept.append((start, end, type_))
    kept.sort()
    energy = _energy_in(sentence, alias_spans)
    # A sentence naming a non-energy site with no KB asset is about that site.
    if (
        energy
        and _NON_ENERGY_SITE.search(body)
        and not any(sentence.start <= s and e <= sentence.end for s, e in alias_spans)
    ):
        energy = (
            ENERGY_TERMS.search(_NON_ENERGY_SITE.sub("", body)) is not None and "debris" not in body.lower()
        )
    mentions = []
    for start, end, type_ in kept:
        before = body[max(0, start - 60) : start]
        after = body[end : end + 40]
        category = category_of(type_)
        interception = category == "attack" and _INTERCEPTION.search(body) is not None
        mentions.append(
            EventMention(
                category=category,
                type=type_,
                trigger=body[start:end],
                start=sentence.start + start,
                end=sentence.start + end,
                sentence=sentence,
                energy_target=energy,
                interception=interception,
                negated=_NEGATION.search(before) is not None or _NEGATION_AFTER.search(after) is not None,
                future_or_hypothetical=_hypothetical(before, body[start:end]),
            )
        )
    return mentions


# ----------------------------------------------------------------- weapon and attribution

_WEAPONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("naval_drone", re.compile(_LEXICON[0][1][0] + "|" + _LEXICON[0][1][1] + "|" + _LEXICON[0][1][2], _I)),
    ("missile", re.compile(r"\b(?:missiles?|rockets?|Iskander|Kalibr|Kinzhal|ATACMS)\b", _I)),
    ("drone", re.compile(r"\b" + _DRONE + r"|\bdrone\b", _I)),
    ("explosive", re.compile(r"\b(?:explosive devices?|IEDs?|bombs?|explosives)\b", _I)),
)
_TYPE_WEAPON = {"drone_strike": "drone", "naval_drone_attack": "naval_drone", "missile_strike": "missile"}

_SOURCE = re.compile(
    r"\baccording to (?:the )?[^,.;]{3,70}"
    r"|\b(?:[A-Z][\w'’.-]*(?: (?:of|the|and|[A-Z][\w'’.-]*|ministry|officials?|authorities|spokesperson|"
    r"headquarters|governor|sources|media|defen[cs]e|service))*) (?:said|says|reported|claimed|stated|"
    r"told|added|wrote)\b"
    r"|\b(?:said|says|reported|claimed|stated) (?:the |its )?[A-Z][^,.;]{2,60}"
    r"|\b(?:the|its|a|an) (?:[\w'’-]+ ){0,3}(?:said|says|reported|told|claimed)\b"
)


def _source_in(text: str, sentence: Sentence) -> tuple[str | None, int | None, int | None]:
    m = _SOURCE.search(text, sentence.start, sentence.end)
    if m is None:
        return None, None, None
    return m.group(), m.start(), m.end()


def weapon_of(event: EventMention, text: str) -> AttributeMention | None:
    """The weapon used in ``event``: from the trigger words themselves or the same sentence.

    A generic "attack" takes the weapon named nearest to it in its sentence, so "the attack
    ... by seven fixed-wing UAVs" becomes a drone.
    """
    source = _source_in(text, event.sentence)
    if event.type in _TYPE_WEAPON:
        value = _TYPE_WEAPON[event.type]
        return AttributeMention("weapon", value, event.trigger, event.start, event.end, *source)
    if event.category != "attack":
        return None
    best: tuple[int, str, re.Match[str]] | None = None
    for value, pattern in _WEAPONS:
        for m in pattern.finditer(text, event.sentence.start, event.sentence.end):
            distance = abs(m.start() - event.start)
            if best is None or distance < best[0]:
                best = (distance, value, m)
    if best is None:
        return AttributeMention("weapon", "unknown", event.trigger, event.start, event.end, *source)
    _, value, m = best
    return AttributeMention("weapon", value, m.group(), m.start(), m.end(), *source)


# Perpetrator patterns: (actor, pattern). "unknown" is an explicit statement that the
# attacker was not named, which is different from the text saying nothing.
_PERPETRATORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "unknown",
        re.compile(
            r"\b(?:affiliation (?:of the \w+ )?(?:was|has|is) not (?:been )?(?:specified|known|disclosed)|"
            r"(?:attacker|perpetrator|culprit)s? (?:was|were|has|have|is|are) (?:not|yet to be) "
            r"(?:been )?(?:identified|named|known)|"
            r"(?:not|yet to be) (?:been )?(?:identified|named) (?:the )?(?:attacker|perpetrator)s?|"
            r"no one (?:has )?claimed|nobody (?:has )?claimed|did not say who|unclear who|"
            r"not (?:claimed|attributed)|unidentified (?:drones?|attackers?))",
            _I,
        ),
    ),
    (
        "Ukraine",
        re.compile(
            r"\b(?:Ukrainian (?:drones?|UAVs?|forces|military|sea drones|naval drones|missiles?|attack|"
            r"strike|armed forces|special services)|"
            r"Kyiv regime|(?:blam(?:ed|es|ing)|accus(?:ed|es|ing)) (?:\w+ ){0,3}(?:Ukraine|Kyiv)|"
            r"Ukraine's (?:Defen[cs]e Forces|General Staff|armed forces|military|SBU|Security Service)|"
            r"General Staff of the Armed Forces of Ukraine|Security Service of Ukraine|SBU|"
            r"Ukraine (?:claimed|said it (?:had )?(?:struck|hit|attacked)))\b",
            _I,
        ),
    ),
    (
        "Russia",
        re.compile(
            r"\b(?:Russian (?:drones?|attack drones|missiles?|forces|military|strike|attack|ballistic "
            r"missile)|"
            r"(?:blam(?:ed|es|ing)|accus(?:ed|es|ing)) (?:\w+ ){0,3}(?:Russia|Moscow))\b",
            _I,
        ),
    ),
)


def perpetrator_of(event: EventMention, text: str, sentences: list[Sentence]) -> AttributeMention | None:
    """Who the article says carried out ``event``, and who says so.

    Looks in the event's sentence, then the two after it, because attribution often
    follows the event in its own sentence ("Russian officials blamed Ukraine").
    Returns None when the article names nobody and does not say the attacker is unknown.
    """
    if event.category != "attack":
        return None
    index = next((i for i, s in enumerate(sentences) if s == event.sentence), None)
    window = [event.sentence] if index is None else sentences[index : index + 3]
    for sentence in window:
        for actor, pattern in _PERPETRATORS:
            m = pattern.search(text, sentence.start, sentence.end)
            if m is not None:
                source = _source_in(text, sentence)
                return AttributeMention("perpetrator", actor, m.group(), m.start(), m.end(), *source)
    return None
