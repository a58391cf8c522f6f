"""Verdict refinements: same-outlet echoes (``verify._fold_echoes``) and weapon kinds.

Claims are built by hand with the helpers of ``tests/test_verify.py``; article ids map to
outlets through its ``OUTLETS`` table ("a" and "d" are both Interfax Wire).
"""

from __future__ import annotations

import pytest
from tests.test_verify import OUTLETS, _claim

from energywatch.models import Claim, Hedge
from energywatch.verify import AttributeVerdict, compatible, verdict


def _judge(claims: list[Claim]) -> AttributeVerdict:
    return verdict(claims[0].field, claims, OUTLETS, set())


# --------------------------------------------------------------------------- echoes


def test_a_second_figure_in_an_outlets_own_voice_is_an_echo_not_a_contest() -> None:
    found = _judge(
        [
            _claim("a", "killed", [2, 2]),
            _claim("b", "killed", [2, 2]),
            _claim("a", "killed", [5, 5]),  # Interfax Wire's background figure, no speaker
        ]
    )
    assert found.status == "agreed"
    assert found.value == [2, 2]
    assert found.reason == (
        "2 independent outlets agree: 2 (Interfax Wire; Caspian Ledger); "
        "Interfax Wire also gives 5 (not a second source)"
    )
    assert [len(g) for g in found.groups] == [2]  # the echo is no version of its own
    assert len(found.claims) == 3  # but its claim is still listed


def test_an_echo_from_another_article_of_the_same_outlet_is_still_an_echo() -> None:
    found = _judge(
        [_claim("a", "killed", [2, 2]), _claim("b", "killed", [2, 2]), _claim("d", "killed", [5, 5])]
    )
    assert found.status == "agreed"
    assert "Interfax Wire also gives 5 (not a second source)" in found.reason


def test_an_outlets_own_voice_echo_beside_its_quoted_speaker() -> None:
    found = _judge(
        [
            _claim("a", "flow_reduction_pct", [30, 40], speaker="Alexander Novak"),
            _claim("b", "flow_reduction_pct", [30, 40]),
            _claim("a", "flow_reduction_pct", [80, 80]),
        ]
    )
    assert found.status == "agreed"
    assert found.reason.endswith("; Interfax Wire also gives 80 (not a second source)")


def test_the_same_speaker_giving_a_second_figure_is_an_echo() -> None:
    found = _judge(
        [
            _claim("a", "killed", [2, 2], speaker="regional governor"),
            _claim("b", "killed", [2, 2]),
            _claim("a", "killed", [5, 5], speaker="regional governor"),
        ]
    )
    assert found.status == "agreed"
    assert "Interfax Wire, citing regional governor also gives 5 (not a second source)" in found.reason


def test_one_outlet_with_two_figures_stays_single_source() -> None:
    found = _judge([_claim("a", "killed", [2, 2]), _claim("a", "killed", [5, 5])])
    assert found.status == "single-source"
    assert found.value == [2, 2]
    assert found.reason == (
        "one outlet only: 2 (Interfax Wire); Interfax Wire also gives 5 (not a second source)"
    )


def test_another_named_speaker_in_the_same_outlet_is_a_second_side() -> None:
    found = _judge(
        [
            _claim("a", "killed", [2, 2]),
            _claim("b", "killed", [2, 2]),
            _claim("a", "killed", [5, 5], speaker="regional governor"),
        ]
    )
    assert found.status == "contested"
    assert found.value == [2, 2]
    assert found.reason == (
        "incompatible values: 2 (Interfax Wire; Caspian Ledger) "
        "vs 5 (Interfax Wire, citing regional governor)"
    )
    assert "also gives" not in found.reason
    assert [len(g) for g in found.groups] == [2, 1]


def test_another_outlet_with_the_second_figure_is_a_second_side() -> None:
    found = _judge(
        [_claim("a", "killed", [2, 2]), _claim("b", "killed", [2, 2]), _claim("e", "killed", [5, 5])]
    )
    assert found.status == "contested"
    assert found.reason == "incompatible values: 2 (Interfax Wire; Caspian Ledger) vs 5 (Steppe Post)"


def test_a_minority_group_with_one_outside_backer_is_not_folded() -> None:
    # Interfax Wire's own 5 would be an echo alone; Steppe Post also giving 5 makes it a side.
    found = _judge(
        [
            _claim("a", "killed", [2, 2]),
            _claim("b", "killed", [2, 2]),
            _claim("a", "killed", [5, 5]),
            _claim("e", "killed", [5, 5]),
        ]
    )
    assert found.status == "contested"
    assert found.value is None  # two outlets each: no majority
    assert found.reason == (
        "incompatible values: 2 (Interfax Wire; Caspian Ledger) vs 5 (Interfax Wire; Steppe Post)"
    )


def test_hedged_claims_are_not_counted_as_echoes() -> None:
    found = _judge(
        [
            _claim("a", "killed", [2, 2]),
            _claim("b", "killed", [2, 2]),
            _claim("a", "killed", [5, 5], Hedge.alleged),
        ]
    )
    assert found.status == "agreed"
    assert "also gives" not in found.reason
    assert found.reason.endswith("1 hedged claim not counted (5: incompatible)")


# --------------------------------------------------------------------------- weapon kinds


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("drone", "naval_drone", True),
        ("Drone", "NAVAL_DRONE", True),  # case-folded
        ("naval_drone", "naval_drone", True),
        ("naval_drone", "unknown", True),
        ("naval_drone", "missile", False),
        ("drone", "missile", False),
    ],
)
def test_weapon_kinds(a: str, b: str, expected: bool) -> None:
    assert compatible("weapon", a, b) is expected
    assert compatible("weapon", b, a) is expected


@pytest.mark.parametrize("order", [("drone", "naval_drone"), ("naval_drone", "drone")])
def test_on_a_tie_the_specific_weapon_wins(order: tuple[str, str]) -> None:
    found = _judge([_claim("a", "weapon", order[0]), _claim("b", "weapon", order[1])])
    assert found.status == "agreed"
    assert found.value == "naval_drone"
    assert found.reason == "2 independent outlets agree: naval_drone (Interfax Wire; Caspian Ledger)"


def test_the_weapon_most_outlets_give_wins() -> None:
    generic = _judge(
        [_claim("a", "weapon", "naval_drone"), _claim("b", "weapon", "drone"), _claim("e", "weapon", "drone")]
    )
    assert (generic.status, generic.value) == ("agreed", "drone")
    specific = _judge(
        [
            _claim("a", "weapon", "drone"),
            _claim("b", "weapon", "naval_drone"),
            _claim("e", "weapon", "naval_drone"),
        ]
    )
    assert (specific.status, specific.value) == ("agreed", "naval_drone")


def test_unknown_weapon_never_wins() -> None:
    found = _judge(
        [_claim("a", "weapon", "unknown"), _claim("b", "weapon", "unknown"), _claim("e", "weapon", "drone")]
    )
    assert (found.status, found.value) == ("agreed", "drone")


def test_two_articles_of_one_outlet_are_one_backer_for_the_weapon() -> None:
    found = _judge(
        [_claim("a", "weapon", "drone"), _claim("d", "weapon", "drone"), _claim("b", "weapon", "naval_drone")]
    )
    assert found.value == "naval_drone"


def test_a_naval_drone_against_a_missile_is_contested() -> None:
    found = _judge(
        [
            _claim("a", "weapon", "drone"),
            _claim("b", "weapon", "naval_drone"),
            _claim("e", "weapon", "missile"),
        ]
    )
    assert found.status == "contested"
    assert found.value == "naval_drone"
    assert found.reason == (
        "incompatible values: naval_drone (Interfax Wire; Caspian Ledger) vs missile (Steppe Post)"
    )
