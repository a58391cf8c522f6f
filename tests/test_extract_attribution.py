"""Speaker attribution and hedges: who says a sentence's content, and how firmly.

All sentences are written for these tests; they imitate wire-style attribution without
copying any article.
"""

from __future__ import annotations

import pytest

from energywatch.extract.attribution import Speaker, attribute, hedge_of, speaker_of
from energywatch.extract.sentences import Sentence, split_sentences
from energywatch.models import Hedge


def first(text: str, previous: Speaker | None = None) -> Speaker | None:
    return speaker_of(text, split_sentences(text)[0], previous=previous)


def spoken(text: str) -> tuple[str, str | None, str | None, str]:
    """(name, role, organisation, text under the span) of the first sentence's speaker."""
    sp = first(text)
    assert sp is not None, text
    return sp.name, sp.role, sp.organisation, text[sp.start : sp.end]


# --------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "X said" at the end of the sentence, titles split from names.
        (
            "Pumping at the Beloye station will fall by a fifth, Deputy Prime Minister Ivan Petrov said.",
            ("Ivan Petrov", "Deputy Prime Minister", None, "Deputy Prime Minister Ivan Petrov"),
        ),
        (
            "Contacts are planned, First Deputy Foreign Minister Daniyar Omarov said on Monday.",
            (
                "Daniyar Omarov",
                "First Deputy Foreign Minister",
                None,
                "First Deputy Foreign Minister Daniyar Omarov",
            ),
        ),
        (
            "Orenburg Region Governor Pavel Sidorov said a workshop at the plant caught fire.",
            ("Pavel Sidorov", "Governor", "Orenburg Region", "Orenburg Region Governor Pavel Sidorov"),
        ),
        (
            "Flows are normal, Transneft chief executive Oleg Frolov told reporters.",
            ("Oleg Frolov", "chief executive", "Transneft", "Transneft chief executive Oleg Frolov"),
        ),
        # Organisations.
        (
            "Transneft said the line would restart within a week.",
            ("Transneft", None, "Transneft", "Transneft"),
        ),
        (
            "The station was knocked out overnight, Russian pipeline operator Transneft said on Tuesday.",
            ("Transneft", None, "Transneft", "Russian pipeline operator Transneft"),
        ),
        ("CPC said loadings had resumed.", ("CPC", None, "CPC", "CPC")),
        (
            "Kazakhstan's Energy Ministry said intake of oil was continuing.",
            (
                "Kazakhstan's Energy Ministry",
                None,
                "Kazakhstan's Energy Ministry",
                "Kazakhstan's Energy Ministry",
            ),
        ),
        (
            "Russia's defence ministry said 40 drones were shot down over the region.",
            ("Russia's defence ministry", None, "Russia's defence ministry", "Russia's defence ministry"),
        ),
        (
            "Exports were unaffected, the Ministry of Foreign Affairs said.",
            (
                "Ministry of Foreign Affairs",
                None,
                "Ministry of Foreign Affairs",
                "Ministry of Foreign Affairs",
            ),
        ),
        # Anonymous and group speakers.
        (
            "Output at the field was running normally, a Chevron spokesperson said.",
            ("Chevron spokesperson", "spokesperson", "Chevron", "Chevron spokesperson"),
        ),
        (
            "Two sources familiar with the matter said the plant restarted one line.",
            (
                "two sources familiar with the matter",
                "sources",
                None,
                "Two sources familiar with the matter",
            ),
        ),
        (
            "Sources within Kazakhstan's Energy Ministry confirmed that the valve was shut.",
            (
                "sources within Kazakhstan's Energy Ministry",
                "sources",
                "Kazakhstan's Energy Ministry",
                "Sources within Kazakhstan's Energy Ministry",
            ),
        ),
        (
            "An unnamed expert told the paper the drones flew over the sea.",
            ("unnamed expert", "expert", None, "unnamed expert"),
        ),
        (
            "Russian media reported that a second tank was burning.",
            ("Russian media", None, "Russian media", "Russian media"),
        ),
        (
            "Analysts in Baku said the repair bill would be small.",
            ("analysts in Baku", "analysts", "Baku", "Analysts in Baku"),
        ),
        # "according to X", both positions.
        (
            "According to Deputy Prime Minister Ivan Petrov, repairs will take six weeks.",
            ("Ivan Petrov", "Deputy Prime Minister", None, "Deputy Prime Minister Ivan Petrov"),
        ),
        (
            "The tanker caught fire, according to shipping sources.",
            ("shipping sources", "sources", None, "shipping sources"),
        ),
        # Inverted order after a quote.
        (
            '"Nobody expected a second strike," said a fuel trader at a Geneva trading house.',
            (
                "fuel trader at a Geneva trading house",
                "trader",
                "Geneva trading house",
                "fuel trader at a Geneva trading house",
            ),
        ),
        # Subject before an appositive.
        (
            "Transneft, which holds the state's stake in the line, said repairs would take a month.",
            ("Transneft", None, "Transneft", "Transneft"),
        ),
        # Quoted as saying, both voices.
        (
            "Mr Omarov was quoted as saying that talks would continue.",
            ("Mr Omarov", None, None, "Mr Omarov"),
        ),
        (
            '"The route is vital," the press office quoted Minister Aida Sarsen as saying.',
            ("Aida Sarsen", "Minister", None, "Minister Aida Sarsen"),
        ),
        # "In a statement, X ..." with a verb that is not a speech verb.
        (
            "In a statement on its website, Transneft blamed the outage on a drone.",
            ("Transneft", None, "Transneft", "Transneft"),
        ),
        # Press service, auxiliaries and adverbs between subject and verb.
        (
            "The governor's press service has previously said the fire was out.",
            ("governor's press service", None, "governor's press service", "governor's press service"),
        ),
        (
            "Volumes cannot be accepted until the tank is rebuilt, CPC has said.",
            ("CPC", None, "CPC", "CPC"),
        ),
        # Other speech verbs.
        (
            "The regulator warned that moorings could stay closed.",
            ("regulator", None, "regulator", "regulator"),
        ),
        (
            "The company announced that its terminal had reopened.",
            ("company", None, "company", "company"),
        ),
        (
            "Residents of the village told the local paper they heard six blasts.",
            ("residents of the village", "residents", None, "Residents of the village"),
        ),
    ],
)
def test_speaker_patterns(text: str, expected: tuple[str, str | None, str | None, str]) -> None:
    assert spoken(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The station said to be near the border was not hit.",
        "The pumping station is said to have been struck twice.",
        "No casualties were reported.",
        "Gazprom has not said how long the repairs will take.",
        "The operator declined to say when pumping would resume.",
        "Nobody has claimed the attack.",
        "Rising demand added a modest premium to the grade.",
        "The expansion of the field added about ten million tonnes of capacity.",
        "Drones struck the terminal overnight and a fire broke out.",
        "The buyer rejected the cargo after tests.",
        "Traders were told to expect delays.",
    ],
)
def test_no_speaker(text: str) -> None:
    assert first(text) is None


def test_offsets_are_into_the_full_text() -> None:
    text = "Intro line here.\n\nFlows fell by a third, a CPC spokesperson said. Then it rained."
    sentences = split_sentences(text)
    sp = speaker_of(text, sentences[1])
    assert sp is not None
    assert text[sp.start : sp.end] == "CPC spokesperson"
    assert sentences[1].start <= sp.start < sp.end <= sentences[1].end


# --------------------------------------------------------------------------- pronouns


def test_pronoun_resolves_to_previous_speaker() -> None:
    text = (
        "Governor Pavel Sidorov said the fire was contained. "
        '"Nobody was hurt," he said. '
        "Crews stayed on site overnight, the official added."
    )
    result = attribute(text, split_sentences(text))
    names = [sp.name if sp else None for _, sp, _ in result]
    assert names == ["Pavel Sidorov", "Pavel Sidorov", "Pavel Sidorov"]
    _, he, _ = result[1]
    assert he is not None
    assert text[he.start : he.end] == "he"  # span stays in the sentence quoted
    assert he.role == "Governor"


def test_it_resolves_to_organisation_and_ministry_backref() -> None:
    text = (
        "Kazakhstan's Ministry of Energy said intake was normal. "
        "Loadings were on schedule, it said. "
        "The ministry said it was in touch with shippers."
    )
    result = attribute(text, split_sentences(text))
    assert [sp.name if sp else None for _, sp, _ in result] == ["Kazakhstan's Ministry of Energy"] * 3


def test_unresolved_pronoun_is_kept_as_itself() -> None:
    sp = first("The line is intact, she said.")
    assert sp is not None
    assert (sp.name, sp.role, sp.organisation) == ("she", None, None)
    assert hedge_of("The line is intact, she said.", sp) is Hedge.reported


def test_definite_noun_without_match_is_a_new_speaker() -> None:
    previous = Speaker("Pavel Sidorov", "Governor", None, 0, 5)
    sp = first("Pumping resumed, the consortium said.", previous=previous)
    assert sp is not None
    assert sp.name == "consortium"


def test_verb_speaker_beats_according_to() -> None:
    text = "According to a news agency, sources within the Energy Ministry confirmed the shutdown."
    assert spoken(text)[0] == "sources within the Energy Ministry"


# --------------------------------------------------------------------------- hedges

CPC = Speaker("CPC", None, "CPC", 0, 3)
SOURCES = Speaker("two industry sources", "sources", None, 0, 20)


@pytest.mark.parametrize(
    ("sentence", "speaker", "hedge"),
    [
        ("The station was hit by drones.", None, Hedge.asserted),
        ("The station was hit by drones, CPC said.", CPC, Hedge.reported),
        ("Transneft denied that the station had been hit.", CPC, Hedge.denied),
        ("The operator rejected claims that the pipe had burst.", CPC, Hedge.denied),
        ("The ministry dismissed reports of a leak.", CPC, Hedge.denied),
        ("Reports of a second strike are not true, CPC said.", CPC, Hedge.denied),
        ("The tanker was allegedly hit by a sea drone.", None, Hedge.alleged),
        ("An unconfirmed video shows a fire at the plant.", None, Hedge.alleged),
        ("The footage could not be independently verified.", None, Hedge.alleged),
        ("The damage has not been confirmed by the operator.", None, Hedge.alleged),
        ("Some bloggers claim the flows have halved.", SOURCES, Hedge.alleged),
        ("The drones purportedly came from the sea.", None, Hedge.alleged),
        ("The station, said to be near the border, was hit.", None, Hedge.alleged),
        ("Flows could fall by a third, CPC said.", CPC, Hedge.speculative),
        ("Repairs may take two months.", None, Hedge.speculative),
        ("Loadings might resume next week.", None, Hedge.speculative),
        ("The outage is expected to last a week.", None, Hedge.speculative),
        ("Output will likely recover by May.", None, Hedge.speculative),
        ("Analysts suggest the discount will widen.", None, Hedge.speculative),
        ("CPC estimated the loss at 50,000 barrels a day.", CPC, Hedge.speculative),
        # Month, not modal; negated "could" is a fact.
        ("Exports rose in May, CPC said.", CPC, Hedge.reported),
        ("The oil could not be accepted, CPC said.", CPC, Hedge.reported),
        ("Output rose more than expected, CPC said.", CPC, Hedge.reported),
        # Precedence: denied > alleged > speculative > reported.
        ("CPC denied unconfirmed reports that flows could halve.", CPC, Hedge.denied),
        ("Flows may have allegedly been cut.", None, Hedge.alleged),
        # "reportedly": alleged without a traceable speaker, reported with a named one.
        ("The station was reportedly hit twice.", None, Hedge.alleged),
        ("The station was reportedly hit twice, the sources said.", SOURCES, Hedge.alleged),
        ("Petrov reportedly said the station was hit twice.", CPC, Hedge.reported),
        ("A third tanker was reported to have been hit.", None, Hedge.alleged),
        # Passive "was denied" is not a denial of the content.
        ("The tanker was denied entry to the port, CPC said.", CPC, Hedge.reported),
    ],
)
def test_hedges(sentence: str, speaker: Speaker | None, hedge: Hedge) -> None:
    assert hedge_of(sentence, speaker) is hedge


def test_attribute_pairs_speaker_and_hedge() -> None:
    text = (
        "Drones hit a pumping station overnight. "
        "Flows could drop by a third, Transneft said. "
        "The operator denied that oil had leaked. "
        "A second site was reportedly hit."
    )
    result = attribute(text, split_sentences(text))
    assert [(sp.name if sp else None, h) for _, sp, h in result] == [
        (None, Hedge.asserted),
        ("Transneft", Hedge.speculative),
        ("operator", Hedge.denied),
        (None, Hedge.alleged),
    ]
    assert all(isinstance(s, Sentence) for s, _, _ in result)


def test_attribute_empty() -> None:
    assert attribute("", []) == []
