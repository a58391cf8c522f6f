"""KB place checks: sentences that refer back to the site are checked, and a place that
fits another KB asset named in the same sentence is that asset's (``verify_kb``).

Texts written for this file about the February 2025 drone strike on the CPC's
Kropotkinskaya pumping station (Krasnodar Krai, about 230 km from Novorossiysk);
``_event_on`` of ``tests/test_verify.py`` puts the claims in the first sentence only.
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.test_verify import _event_on

from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.verify_kb import kb_conflicts

SITE = "cpc_ps_kropotkinskaya"
ATTACK = "Drones attacked the Kropotkinskaya pumping station on 17 February 2025."


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _conflicts(text: str) -> list[tuple[str, str]]:
    return [(c.claim.raw, c.reason) for c in kb_conflicts(_event_on(text, SITE), {"x": text}, _kb())]


# --------------------------------------------------------------------------- back references


def test_a_claimless_sentence_referring_back_to_the_station_is_checked() -> None:
    text = f"{ATTACK} The station sits near the Kazakhstan–Azerbaijan border."
    [(raw, reason)] = _conflicts(text)
    assert raw == "the Kazakhstan–Azerbaijan border"
    assert reason == (
        "'Kazakhstan–Azerbaijan border' is a border of AZ/KZ, but CPC pumping station "
        "Kropotkinskaya lies in RU (Kavkazsky district, Krasnodar Krai)"
    )
    [conflict] = kb_conflicts(_event_on(text, SITE), {"x": text}, _kb())
    assert text[conflict.claim.sentence_start : conflict.claim.sentence_end] == (
        "The station sits near the Kazakhstan–Azerbaijan border."
    )


def test_a_far_town_in_a_back_reference_is_checked() -> None:
    [(raw, reason)] = _conflicts(f"{ATTACK} The facility is close to Volgograd.")
    assert raw == "Volgograd"
    assert reason.startswith("'Volgograd' is ")
    assert reason.endswith(" km from CPC pumping station Kropotkinskaya, beyond 150 km")


@pytest.mark.parametrize(
    "second",
    [
        # no definite noun pointing back at a pumping station
        "Its location is near the Kazakhstan–Azerbaijan border.",
        # another asset is named: the sentence may be about it
        "The station, like the Tengiz field, sits near the Kazakhstan–Azerbaijan border.",
    ],
)
def test_sentences_that_do_not_refer_back_are_not_checked(second: str) -> None:
    assert _conflicts(f"{ATTACK} {second}") == []


# --------------------------------------------------------------------------- neighbours


@pytest.mark.parametrize(
    "text",
    [
        "Drones attacked the Kropotkinskaya pumping station, which pumps crude to the CPC marine "
        "terminal near Novorossiysk, on 17 February 2025.",
        "Drones attacked the Kropotkinskaya pumping station, which pumps crude to the marine "
        "terminal near Novorossiysk, on 17 February 2025.",
        f"{ATTACK} The station sends its oil on to the CPC marine terminal near Novorossiysk.",
    ],
)
def test_a_place_of_another_named_asset_is_no_conflict(text: str) -> None:
    assert _conflicts(text) == []


def test_a_place_fitting_no_named_asset_is_still_a_conflict() -> None:
    text = (
        "Drones attacked the Kropotkinskaya pumping station, which feeds the CPC marine terminal "
        "near Atyrau, on 17 February 2025."
    )
    [(raw, reason)] = _conflicts(text)
    assert raw == "Atyrau"
    assert reason.endswith(" km from CPC pumping station Kropotkinskaya, beyond 150 km")


@pytest.mark.parametrize(
    "text",
    [
        "Drones attacked the Kropotkinskaya pumping station near Novorossiysk on 17 February 2025.",
        "Drones attacked the Kropotkinskaya pumping station near Tuapse on 17 February 2025.",
    ],
)
def test_a_site_placed_at_a_town_that_is_itself_an_asset_is_a_conflict(text: str) -> None:
    [(raw, reason)] = _conflicts(text)
    assert raw in text
    assert reason.endswith(" km from CPC pumping station Kropotkinskaya, beyond 150 km")
