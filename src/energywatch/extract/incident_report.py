"""Does an article report a specific incident at an energy site? And if not, why not.

DESIGN §2: nothing is dropped silently, so a "no" always carries a reason from a fixed
vocabulary (``REASONS``). The decision uses the event mentions of ``extract.events``
plus where they sit: news puts the incident it reports in the title and the lead, while
past incidents mentioned as context sit later in the story and carry time cues ("in
February", "last year", "a month after"). Follow-ups and official reactions to an
incident count as reports of it (the demo gold codes them with the incident's key).
"""

from __future__ import annotations

import re

from energywatch.extract.events import ENERGY_TERMS, EventMention, find_events, weapon_of
from energywatch.extract.sentences import Sentence, split_sentences
from energywatch.kb import KnowledgeBase

REASONS = ("not_about_energy", "no_event_trigger", "planned_or_routine", "background_only")

# How many body sentences count as the lead. Wire stories state the event in the first
# one or two; HTML pages often put a standfirst first, hence three.
_LEAD = 3
# Share of sentences with a current incident mention that makes an article a report even
# when its lead does not name the event (rare: features that open with colour).
_SHARE = 0.34

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# Cues that a mention refers to an earlier event. A day-level date ("on 17 February") is
# not one: follow-ups give the exact date of the incident they follow.
_BACKGROUND = re.compile(
    r"\b(?P<after>\w+ (?:days?|weeks?|months?) (?:after|later than))|\b(?:last (?:year|month|week|"
    r"summer|winter|spring|autumn|" + _MONTH[3:-1] + r")|"
    r"(?P<month>(?:in|since|from|at the end of|in late|in early|in mid-|earlier in|by) "
    + _MONTH
    + r"(?! \d))|"
    r"\w+ (?:days?|weeks?|months?) (?:ago|earlier|before)|(?:weeks?|months?|years?) ago|"
    r"earlier this (?:year|month)|in (?:19|20)\d\d|previously|in the past|a year earlier|"
    r"less than a (?:week|month|year)|was itself|since then|has not been repaired|end of the year)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:(?:planned|scheduled|routine|preventive) (?:\S+ ){0,3}?(?:maintenance|repairs?|works?|"
    r"stops?|shutdowns?|outages?)|"
    r"routine|regular work|agreed (?:in advance )?with shippers|notice to shippers|"
    r"milestone|billionth|record (?:volume|year|high)|anniversary)\b",
    re.IGNORECASE,
)
# Follow-ups and reactions: valid only when the sentence also refers to an incident.
_INCIDENT_REF = re.compile(
    r"\b(?:attack|strike|struck|drones?|fire|incident|explosion|damage[ds]?|hit)\b", re.I
)
# A headline attributed to a speaker: "..., Transneft CEO says".
_SAYS = re.compile(r"(?:,|\bas)\s+(?:[\w'’.-]+\s+){1,5}(?:says|said)\s*$", re.IGNORECASE)
_FOLLOW_UP = frozenset({"restoration", "flow_reduction", "suspension"})

# Article-level type preference: a follow-up or reaction is what a follow-up article
# reports (demo gold); otherwise the attack is the incident and the stop its effect.
_ORDER = (
    "restoration",
    "diplomatic_protest",
    "request_explanation",
    "talks",
    "statement",
    "naval_drone_attack",
    "missile_strike",
    "drone_strike",
    "sabotage",
    "attack_unspecified",
    "inspection",
    "legal_order",
    "sanction",
    "fire",
    "explosion",
    "spill_leak",
    "weather_damage",
    "equipment_failure",
    "flow_reduction",
    "suspension",
    "maintenance",
)
_RANK = {t: i for i, t in enumerate(_ORDER)}


def _valid(event: EventMention) -> bool:
    """An asserted, present incident mention at an energy site."""
    if event.negated or event.future_or_hypothetical or not event.energy_target:
        return False
    if event.type == "maintenance" or _PLANNED.search(event.sentence.text):
        return False
    if event.category == "response" or event.type in _FOLLOW_UP:
        # "Loadings resumed" on its own is routine; tied to an incident it is a follow-up.
        return event.category != "response" or _INCIDENT_REF.search(event.sentence.text) is not None
    return True


def _background(event: EventMention) -> bool:
    """A time cue marks the mention as an earlier event. "A month after drones disabled the
    station" dates the drones back; "hit on Wednesday, a day after talks" does not, so an
    "N days after" cue only counts when it comes before the trigger."""
    offset = event.start - event.sentence.start
    for m in _BACKGROUND.finditer(event.sentence.text):
        if m.group("month") is not None and event.category not in ("attack", "accident"):
            # "exports sink in December": a month dates a flow figure, not an old event.
            continue
        if m.group("after") is None or m.start() < offset:
            return True
    return False


def _site(event: EventMention, kb: KnowledgeBase) -> str:
    """The asset (KB name) or generic facility named in the event's sentence, for the reason."""
    sentence = event.sentence.text
    matches = kb.find_mentions(sentence)
    if matches:
        offset = event.start - event.sentence.start
        nearest = min(matches, key=lambda m: abs(m.start - offset))
        return kb.get(nearest.asset_id).name
    generic = ENERGY_TERMS.search(sentence)
    return generic.group() if generic else "an energy site"


def _lead_end(sentences: list[Sentence]) -> int:
    return sentences[min(_LEAD, len(sentences)) - 1].end if sentences else 0


def _title_events(title: str | None, kb: KnowledgeBase) -> list[EventMention]:
    # Offsets of title events refer to the title, not the body; only their type, flags
    # and sentence text are used below.
    return find_events(title, split_sentences(title), kb) if title else []


def primary_event(
    events: list[EventMention], title_events: list[EventMention], lead_end: int
) -> EventMention | None:
    """The event an article reports: an attack in the title, else the title, else the lead, by ``_ORDER``."""
    title = [e for e in title_events if _valid(e) and not _background(e)]
    title_attacks = [e for e in title if e.category == "attack"]
    lead = [e for e in events if e.start < lead_end and _valid(e)]
    lead_current = [e for e in lead if not _background(e)]
    # A reaction stated in the first sentence is what a reaction story reports, even
    # when its headline names the attack ("Ministry protests strike on terminal").
    first_end = min((e.sentence.end for e in events), default=0)
    reactions = [e for e in lead_current if e.category == "response" and e.start < first_end]
    for pool in (
        reactions,
        title_attacks and title,
        title,
        lead_current,
        lead,
        [e for e in events if _valid(e)],
    ):
        if pool:
            return min(pool, key=lambda e: (_RANK[e.type], e.start))
    return None


def detect_incident_report(
    text: str,
    sentences: list[Sentence],
    kb: KnowledgeBase,
    events: list[EventMention],
    *,
    title: str | None = None,
) -> tuple[bool, str]:
    """``(True, "reports <type> at <site>")`` or ``(False, reason)`` with reason in ``REASONS``.

    An article is a report when its title or lead (first ``_LEAD`` sentences) has a
    present, asserted incident mention at an energy site, or when such mentions fill a
    third of its sentences. Otherwise the reason says what was there instead.
    """
    lead_end = _lead_end(sentences)
    title_events = _title_events(title, kb)
    in_lead = [e for e in events if e.start < lead_end] + title_events
    lead_current = [e for e in in_lead if _valid(e) and not _background(e)]
    valid = [e for e in events if _valid(e)]
    current = [e for e in valid if not _background(e)]
    share = len({e.sentence for e in current}) / max(1, len(sentences))
    if lead_current or share >= _SHARE:
        main = _main_event(text, kb, events, title_events, lead_end, title)
        if main is not None:
            return True, f"reports {main[0]} at {main[1]}"
    # Why not: the most specific reason first.
    # Explicit maintenance in the lead outranks background mentions; a milestone or
    # record cue only explains an article that has no incident mention at all.
    if any(e.type == "maintenance" for e in in_lead):
        return False, "planned_or_routine"
    if valid:
        return False, "background_only"
    if _PLANNED.search(title or "") or any(_PLANNED.search(e.sentence.text) for e in in_lead):
        return False, "planned_or_routine"
    if any(e.category == "attack" and not e.negated for e in events + title_events):
        return False, "not_about_energy"
    return False, "no_event_trigger"


def _main_event(
    text: str,
    kb: KnowledgeBase,
    events: list[EventMention],
    title_events: list[EventMention],
    lead_end: int,
    title: str | None,
) -> tuple[str, str] | None:
    main = primary_event(events, title_events, lead_end)
    if main is None:
        return None
    type_ = main.type
    if title and _SAYS.search(title) and not any(_valid(e) for e in title_events):
        # "CPC March flows hold up, Transneft CEO says": a headline that is a quote about
        # an incident, with no event of its own, reports a statement.
        type_ = "statement"
    if type_ == "attack_unspecified":
        # "after the attack" in a title: the weapon is usually named in the lead.
        type_ = _upgrade_attack(text, events, lead_end)
    site_event = main
    if not main.energy_target or not kb.find_mentions(main.sentence.text):
        named = [
            e for e in events if e.energy_target and e.start < lead_end and kb.find_mentions(e.sentence.text)
        ]
        site_event = named[0] if named else main
    return type_, _site(site_event, kb)


_WEAPON_TYPE = {"drone": "drone_strike", "naval_drone": "naval_drone_attack", "missile": "missile_strike"}


def _upgrade_attack(text: str, events: list[EventMention], lead_end: int) -> str:
    for e in events:
        if e.start >= lead_end:
            break
        if e.category == "attack":
            weapon = weapon_of(e, text)
            if weapon is not None and weapon.value != "unknown":
                return _WEAPON_TYPE.get(weapon.value, "sabotage")
    return "attack_unspecified"


def article_type(
    text: str,
    sentences: list[Sentence],
    kb: KnowledgeBase,
    events: list[EventMention],
    title: str | None = None,
) -> str | None:
    """The article-level event type (DESIGN §4) of a report; None when no event qualifies."""
    main = _main_event(text, kb, events, _title_events(title, kb), _lead_end(sentences), title)
    return main[0] if main else None
