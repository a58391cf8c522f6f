"""Sentence boundaries with offsets, so every claim can quote the sentence it came from.

Rule-based on purpose (no model download): news prose is regular enough, and the
places where a naive split on ". " fails are known and listed here — abbreviations
("Gen.", "U.S.", "No."), initials ("A. Novak"), decimals ("1.5 million"), ellipses and
quotes that close after the full stop. Paragraph and line breaks always end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

# Words that end with a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "st", "jr", "sr"),
        *("inc", "ltd", "co", "corp", "plc", "llc", "no", "nos", "vs", "etc", "approx", "est", "dept"),
        *("gov", "sen", "rep", "adm", "cmdr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep"),
        *("sept", "oct", "nov", "dec", "mt", "bbl", "km", "ft", "mln", "bln", "bn", "tn"),
        *("e.g", "i.e", "u.s", "u.k", "u.n", "e.u"),
    }
)
# A candidate end: terminal punctuation, optional closing quotes/brackets, then space.
_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s)""")
_BREAK = re.compile(r"\n\s*\n|\n(?=\s*[-*•·]\s)|\n(?=[A-Z0-9\"“«])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a span of the text it was split from."""

    start: int
    end: int
    text: str


def _is_boundary(text: str, end: int, match_text: str) -> bool:
    if match_text.startswith(".") and len(match_text.rstrip("\"'”’»)]")) == 1:
        word = _WORD_BEFORE.search(text, 0, end - len(match_text) + 1)
        token = (word.group(1) if word else "").rstrip(".").lower()
        if token in _ABBREVIATIONS:
            return False
        if len(token) == 1 and token.isalpha():  # an initial: "A. Novak"
            return False
    following = text[end:].lstrip()
    # A sentence starts with a capital, digit, quote or bracket; lower case means we are
    # still inside one ("e.g. the station", "approx. five").
    return not following or not following[0].islower()


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order; whitespace between them belongs to none."""
    cuts = {0, len(text)}
    for m in _BREAK.finditer(text):
        cuts.add(m.start())
        cuts.add(m.end())
    for m in _END.finditer(text):
        if _is_boundary(text, m.end(), m.group()):
            cuts.add(m.end())
    bounds = sorted(cuts)
    found: list[Sentence] = []
    for start, end in pairwise(bounds):
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        s = start + lead
        found.append(Sentence(s, s + len(stripped), stripped))
    return found


def sentence_at(sentences: list[Sentence], offset: int) -> Sentence | None:
    """The sentence containing ``offset`` (sentences as returned by split_sentences)."""
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid].end <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sentences) and sentences[lo].start <= offset < sentences[lo].end:
        return sentences[lo]
    return None
