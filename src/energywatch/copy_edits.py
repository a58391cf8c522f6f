"""What a near-duplicate copy changed: places and figures edited on the way through.

Copies never count as confirmation, so their claims are set aside by verification. But
a copy that rewrites "central Novorossiysk" as "central Nikolayevsk-on-Don", or "2
injured" as "3", is itself a finding: the reposting outlet introduced an error (or
a correction) that readers of that outlet now believe. Such edits are invisible to the
claim comparison when the copy's extraction never reads the changed word as a claim
(an unknown place name is no location), so they are found by comparing the texts.

The copy and its original are aligned word by word (``difflib``, no junk heuristic).
A replaced stretch of at most ``MAX_EDIT_WORDS`` words on each side is an edit when

- **place**: the original side names a place the gazetteer or the knowledge base knows
  (a city, a region, a site; countries and demonyms are left out, since "Russian" →
  "Russia's" is style) and the copy side names none of the same places; or
- **number**: both sides carry a figure — digits, or a number word up to twenty — and
  the figures differ ("24" → "23", "two injured" → "three injured").

Style rewording (synonyms, date formats such as "Jan." → "January", credit lines)
matches neither rule.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from energywatch.extract.sentences import sentence_at, split_sentences
from energywatch.kb import KnowledgeBase, normalize_name

MAX_EDIT_WORDS = 6
_TOKEN = re.compile(r"\w[\w'’.-]*\w|\w|[^\w\s]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
}


def _numbers(words: list[str]) -> list[str]:
    """The figures among ``words``: digits, and number words up to twenty as digits."""
    found = _NUMBER.findall(" ".join(words))
    return found + [_NUMBER_WORDS[w.casefold()] for w in words if w.casefold() in _NUMBER_WORDS]


_PLACE_FEATURES = frozenset({"city", "admin", "asset"})
# Month names and their abbreviations are also towns somewhere ("Jan"); never a place here.
_MONTH = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\s*\.)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class CopyEdit:
    """One change a copy made to its original's wording."""

    copy: str
    original: str
    kind: Literal["place", "number"]
    before: str
    after: str
    start: int  # offsets of ``after`` in the copy's clean text
    end: int
    sentence_start: int
    sentence_end: int

    @property
    def reason(self) -> str:
        what = "place" if self.kind == "place" else "figure"
        return f"copy {self.copy} of {self.original} changes the {what} {self.before!r} to {self.after!r}"


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _places(words: list[str], kb: KnowledgeBase) -> set[str]:
    """Normalised names of known places among ``words`` (every contiguous run)."""
    found: set[str] = set()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 4) + 1):
            phrase = " ".join(words[i:j])
            if not phrase[:1].isupper() or _MONTH.match(phrase):
                continue
            key = normalize_name(phrase)
            # Only a place of that very name: the gazetteer also answers to alternate names
            # and codes, so "Oil" finds Moyale and "Sea" Seattle.
            hits = [p for p in kb.gazetteer.lookup(phrase) if normalize_name(p.name) == key]
            if any(p.feature in _PLACE_FEATURES or p.asset_id for p in hits) or kb.find_mentions(phrase):
                found.add(key)
    return found


def copy_edits(original_id: str, original: str, copy_id: str, copy: str, kb: KnowledgeBase) -> list[CopyEdit]:
    """The place and figure edits ``copy`` made to ``original`` (clean texts)."""
    a, b = _tokens(original), _tokens(copy)
    matcher = difflib.SequenceMatcher(a=[t[0] for t in a], b=[t[0] for t in b], autojunk=False)
    sentences = split_sentences(copy)
    edits: list[CopyEdit] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 > MAX_EDIT_WORDS or j2 - j1 > MAX_EDIT_WORDS:
            continue
        before_words, after_words = [t[0] for t in a[i1:i2]], [t[0] for t in b[j1:j2]]
        kind: Literal["place", "number"] | None = None
        before_places = _places(before_words, kb)
        if before_places and not before_places & _places(after_words, kb):
            kind = "place"
        else:
            nums_a, nums_b = _numbers(before_words), _numbers(after_words)
            if nums_a and nums_b and nums_a != nums_b:
                kind = "number"
        if kind is None:
            continue
        start, end = b[j1][1], b[j2 - 1][2]
        sentence = sentence_at(sentences, start)
        edits.append(
            CopyEdit(
                copy=copy_id,
                original=original_id,
                kind=kind,
                before=original[a[i1][1] : a[i2 - 1][2]],
                after=copy[start:end],
                start=start,
                end=end,
                sentence_start=sentence.start if sentence else start,
                sentence_end=sentence.end if sentence else end,
            )
        )
    return edits
