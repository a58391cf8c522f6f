"""The event taxonomy of DESIGN §4 as data, with its mappings to ACLED and PLOVER.

One table, so that every export that needs another vocabulary reads the same rows and
nobody keeps a second copy of the mapping in a formatter. Types are unique across
categories, so a type alone identifies its row (``lookup("drone_strike")``).

The external codes are the closest fit, not an official crosswalk: ACLED codes only
political violence (accidents and operations have no ACLED row), and PLOVER has no
event for a routine operational stop. Where a cell in DESIGN §4 lists several codes,
each type gets the one that fits it; ``None`` means "no equivalent".
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("attack", "accident", "operations", "policy", "response")

_ACLED_REMOTE = "Explosions/Remote violence"


@dataclass(frozen=True, slots=True)
class EventType:
    """One row of the taxonomy: our ``category.type`` and its names elsewhere."""

    category: str
    type: str
    acled_event_type: str | None
    acled_sub_event_type: str | None
    plover_event: str | None
    plover_mode: str | None
    plover_context: str | None
    description: str

    @property
    def key(self) -> str:
        """``category.type``, the form DESIGN §4 and exports use."""
        return f"{self.category}.{self.type}"


def _row(
    category: str,
    type_: str,
    description: str,
    acled: tuple[str | None, str | None] = (None, None),
    plover: tuple[str | None, str | None, str | None] = (None, None, None),
) -> EventType:
    return EventType(category, type_, acled[0], acled[1], plover[0], plover[1], plover[2], description)


TAXONOMY: tuple[EventType, ...] = (
    # attack: ACLED "Explosions/Remote violence"; PLOVER ASSAULT with the means as mode.
    _row(
        "attack",
        "drone_strike",
        "aerial drones (UAVs) hit or were shot down near a site",
        (_ACLED_REMOTE, "Air/drone strike"),
        ("ASSAULT", "drone", None),
    ),
    _row(
        "attack",
        "naval_drone_attack",
        "uncrewed boats / sea drones attacked an offshore or coastal site",
        # ACLED has no naval sub-event; a remotely steered explosive boat is closest to IED.
        (_ACLED_REMOTE, "Remote explosive/landmine/IED"),
        ("ASSAULT", "drone", None),
    ),
    _row(
        "attack",
        "missile_strike",
        "missiles or rockets hit or were intercepted near a site",
        (_ACLED_REMOTE, "Shelling/artillery/missile attack"),
        ("ASSAULT", "aerial", None),
    ),
    _row(
        "attack",
        "sabotage",
        "explosive device, arson or deliberate damage on the ground",
        (_ACLED_REMOTE, "Remote explosive/landmine/IED"),
        ("ASSAULT", "explosives", None),
    ),
    _row(
        "attack",
        "attack_unspecified",
        "an attack or strike whose means the text does not give",
        (_ACLED_REMOTE, None),
        ("ASSAULT", "destroy", None),
    ),
    # accident: not political violence, so no ACLED row; PLOVER treats it as context.
    _row(
        "accident", "fire", "fire or blaze not (yet) attributed to an attack", plover=(None, None, "disaster")
    ),
    _row("accident", "explosion", "explosion not attributed to an attack", plover=(None, None, "disaster")),
    _row("accident", "spill_leak", "oil or gas spill or leak", plover=(None, None, "disaster")),
    _row(
        "accident",
        "weather_damage",
        "storm, flood or swell stops or damages a site",
        plover=(None, None, "disaster"),
    ),
    _row(
        "accident", "equipment_failure", "power failure or technical fault", plover=(None, None, "disaster")
    ),
    # operations: what happens to the flow; no equivalent in either vocabulary.
    _row("operations", "suspension", "loadings, intake or output halted"),
    _row("operations", "flow_reduction", "flows or exports reduced"),
    _row("operations", "restoration", "operations resumed or a site back in service"),
    _row("operations", "maintenance", "planned or repair work stops a site"),
    # policy
    _row(
        "policy", "sanction", "sanctions or embargo on an asset or its owner", plover=("SANCTION", None, None)
    ),
    _row("policy", "legal_order", "a court or authority orders a stop", plover=("COERCE", "restrict", None)),
    _row(
        "policy",
        "inspection",
        "a regulator's inspection halts or restricts a site",
        plover=("COERCE", "restrict", None),
    ),
    # response: reactions to an incident (DESIGN §3 "Response").
    _row(
        "response", "diplomatic_protest", "a formal protest to another state", plover=("ACCUSE", None, None)
    ),
    _row("response", "request_explanation", "a demand for explanations", plover=("DEMAND", None, None)),
    _row("response", "talks", "talks or consultations about an incident", plover=("CONSULT", None, None)),
    _row("response", "statement", "an official statement about an incident", plover=(None, None, None)),
)

_BY_TYPE: dict[str, EventType] = {row.type: row for row in TAXONOMY}


def lookup(type_or_key: str) -> EventType:
    """The row for ``"drone_strike"`` or ``"attack.drone_strike"``.

    :raises KeyError: with the known types listed, so a typo in an export config is
        caught with the fix in the message.
    """
    name = type_or_key.split(".", 1)[1] if "." in type_or_key else type_or_key
    try:
        row = _BY_TYPE[name]
    except KeyError:
        raise KeyError(f"unknown event type {type_or_key!r}; known: {', '.join(sorted(_BY_TYPE))}") from None
    if "." in type_or_key and type_or_key.split(".", 1)[0] != row.category:
        raise KeyError(f"{type_or_key!r}: type {name!r} belongs to category {row.category!r}")
    return row


def category_of(type_: str) -> str:
    """The category of a type (``"fire"`` → ``"accident"``)."""
    return lookup(type_).category


def types_in(category: str) -> tuple[str, ...]:
    """The types of one category, in table order."""
    if category not in CATEGORIES:
        raise KeyError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    return tuple(row.type for row in TAXONOMY if row.category == category)
