"""Sentence spans: the evidence quoted next to every claim."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from energywatch.extract.sentences import sentence_at, split_sentences

TEXT = (
    "Drones hit the station on Feb. 17, Gen. A. Novak said. Flows fell by approx. 1.5 million "
    'bbl a day. "It is serious," he added. The U.S. said nothing... Talks followed.\n\n'
    "Key points:\n* Repairs take two months\n* Tengiz output unaffected"
)


def test_splits_on_real_ends_only() -> None:
    assert [s.text for s in split_sentences(TEXT)] == [
        "Drones hit the station on Feb. 17, Gen. A. Novak said.",
        "Flows fell by approx. 1.5 million bbl a day.",
        '"It is serious," he added.',
        "The U.S. said nothing...",
        "Talks followed.",
        "Key points:",
        "* Repairs take two months",
        "* Tengiz output unaffected",
    ]


def test_offsets_point_into_the_text() -> None:
    sentences = split_sentences(TEXT)
    assert all(TEXT[s.start : s.end] == s.text for s in sentences)
    offset = TEXT.index("Novak")
    found = sentence_at(sentences, offset)
    assert found is not None
    assert found.text.startswith("Drones hit")
    assert sentence_at(sentences, TEXT.index("\n\n")) is None


@given(st.text(alphabet=st.sampled_from(list("ab. \n!?\"'A1")), max_size=200))
def test_any_text_gives_ordered_exact_spans(text: str) -> None:
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text and s.text.strip() == s.text for s in sentences)
    assert all(a.end <= b.start for a, b in pairwise(sentences))
