"""Name normalisation and alias matching for asset names in running text.

News names the same site in many ways: "Kropotkinskaya", "Kropotkinsky", "Кропоткинская",
"«Кропоткинская»", "Kropotkin PS". Exact string matching misses most of them, while
fuzzy matching over-merges ("Kavkazsky district" is not the Kavkazskaya oil station).
The middle road here is a deterministic *matching key*: both the alias list and the
text are reduced to the same key, then compared token by token.

The key (``normalize_name``) is built in two steps:

1. Per character: casefold; Cyrillic (Russian, Ukrainian, Kazakh letters) is
   transliterated to Latin with the table below; Latin diacritics are dropped
   (``č ç → ch``, ``š ş → sh``, ``ž → zh``, others lose their mark); every kind of
   quote, dash, bracket and punctuation becomes a space. Apostrophes inside a word
   vanish (``Il'skiy`` → ``ilskiy``), elsewhere they separate.
2. Spelling variants that transliteration produces are folded, in this order: an
   English possessive goes (``CPC's`` → ``cpc``); a letter/digit boundary is a token
   boundary (``SPM2`` = ``SPM-2`` = ``SPM 2``); ``j`` after a vowel is ``y``
   (``Kavkazskaja``); Russian adjective endings after ``-sk-`` are dropped, oblique
   cases included (``-skaya -sky -skiy -skii -ska -skoye -skoy -skom`` …, so
   ``Kropotkinskaya`` = ``Kropotkinsky`` = ``Kropotkinska``, and a town in ``-sk``
   keeps its key when declined: ``Новороссийске`` = ``Novorossiysk``); ``ye`` after
   a vowel or at the start of a word is ``e`` (``Ozereyevka`` = ``Ozereevka``); ``y``
   not before a vowel is ``i`` and runs of ``i``/``y`` collapse (``Novorossiysk`` =
   ``Novorossiisk`` = ``Novorossijsk``, ``Isatay`` = ``Isatai``).

The folding deliberately merges the masculine and feminine forms of one stem, so
"Kavkazsky" and "Kavkazskaya" share a key; telling the district from the station is
left to matching (``ADMIN_NOUNS`` and multi-word aliases), not to the key.

Transliteration table (one Cyrillic letter → Latin): а a, б b, в v, г g, д d, е e,
ё e, ж zh, з z, и i, й y, к k, л l, м m, н n, о o, п p, р r, с s, т t, у u, ф f,
х kh, ц ts, ч ch, ш sh, щ shch, ъ —, ы y, ь —, э e, ю yu, я ya; Ukrainian і i, ї yi,
є ye, ґ g; Kazakh ә a, ғ g, қ k, ң ng, ө o, ұ u, ү u, һ h; Belarusian ў u.

Offsets: ``normalize_with_offsets`` runs the very same steps while remembering, for
each character of the key, which span of the original text it came from, so a match
found on keys is reported at its place in the unmodified article text. A property
test checks that both paths give the same key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------------- characters

_CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "k", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    # Belarusian
    "ў": "u",
}  # fmt: skip

# Latin letters whose English rendering is not "the base letter without the mark".
_LATIN_SPECIAL: dict[str, str] = {
    "č": "ch", "ç": "ch", "š": "sh", "ş": "sh", "ș": "sh", "ž": "zh", "ğ": "g", "ı": "i",
    "ə": "a", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
}  # fmt: skip

# Apostrophe-like marks: dropped inside a word, a separator elsewhere. The sentinel
# survives step 1 so that step 2 can look at both neighbours.
_APOSTROPHES = "'’‘ʼʹ`´′"
_APOS = "\x00"


def _fold_char(ch: str) -> str:
    """Step 1 for one character of the original text (see the module docstring)."""
    out: list[str] = []
    for c in ch.casefold():
        if c in _APOSTROPHES:
            out.append(_APOS)
        elif c in _CYRILLIC:
            out.append(_CYRILLIC[c])
        elif c in _LATIN_SPECIAL:
            out.append(_LATIN_SPECIAL[c])
        elif c.isalnum():
            base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
            out.append(_LATIN_SPECIAL.get(base, base) if base else c)
        elif unicodedata.combining(c):
            continue  # a stray combining mark belongs to the previous letter
        else:
            out.append(" ")  # quotes, dashes, punctuation, symbols, whitespace
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that computes and remembers each character's fold, so
    the fast path runs in C after the first sight of a character."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()

# --------------------------------------------------------------------------- variant folding

_W = r"[^\W_]"  # a letter or digit (any script)
_L = r"[^\W\d_]"  # a letter
_ADJ_ENDINGS = "aya|aia|ogo|oye|oie|oyu|oiu|uyu|uiu|iye|ie|ye|oe|oy|oi|om|im|iy|ii|yy|yi|y|i|a|u|e"

# Each rule is (pattern, replacement, triggers): the pattern can only match when one of
# the trigger substrings occurs, so most rules cost one ``in`` test on most names
# (this keeps the gazetteer's few hundred thousand names quick to index).
_RULES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(rf"(?<={_W}){_APOS}s(?!{_W})"), "", (_APOS,)),  # English possessive: CPC's
    (re.compile(rf"(?<={_W}){_APOS}+(?={_W})"), "", (_APOS,)),
    (re.compile(_APOS), " ", (_APOS,)),
    (re.compile(rf"(?<={_L})(?=\d)|(?<=\d)(?={_L})"), " ", tuple("0123456789")),
    (re.compile(r"(?<=[aeiouy])j"), "y", ("j",)),
    (re.compile(rf"(?<={_L}{_L})sk(?:{_ADJ_ENDINGS})(?!{_W})"), "sk", ("sk",)),
    (re.compile(r"(?<![a-z])ye|(?<=[aeiou])ye"), "e", ("ye",)),
    (re.compile(r"y(?![aeiou])"), "i", ("y",)),
    (re.compile(r"(?=[iy]{2})[iy]+"), "i", ("ii", "iy", "yi", "yy")),
    (re.compile(r"\s{2,}"), " ", ("  ",)),
)


def _triggered(key: str, triggers: tuple[str, ...]) -> bool:
    return any(trigger in key for trigger in triggers)


def normalize_name(text: str) -> str:
    """The matching key of a name or a text: two spellings of one name get one key."""
    key = text.translate(_TABLE)
    for pattern, repl, triggers in _RULES:
        for trigger in triggers:  # inlined _triggered: this loop is the hot path
            if trigger in key:
                key = pattern.sub(repl, key)
                break
    return key.strip()


def normalize_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``normalize_name`` plus, for each key character, the ``[start, end)`` span of the
    original text it stands for. A key substring ``key[a:b]`` comes from
    ``text[starts[a]:ends[b - 1]]``."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        folded = _TABLE[ord(ch)]
        chars.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([i + 1] * len(folded))
    key = "".join(chars)
    for pattern, repl, triggers in _RULES:
        if _triggered(key, triggers):
            key, starts, ends = _sub_tracking(pattern, repl, key, starts, ends)
    lead = len(key) - len(key.lstrip())
    kept = len(key.rstrip())
    return key[lead:kept], starts[lead:kept], ends[lead:kept]


def _sub_tracking(
    pattern: re.Pattern[str], repl: str, key: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    """``pattern.sub(repl, key)`` that carries the offsets along: a replacement covers
    the whole original span of what it replaced (an insertion takes the position of
    the character after it)."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for m in pattern.finditer(key):
        a, b = m.span()
        pieces.append(key[last:a])
        new_starts.extend(starts[last:a])
        new_ends.extend(ends[last:a])
        if repl:
            if b > a:
                span = (starts[a], ends[b - 1])
            elif a < len(key):
                span = (starts[a], starts[a])
            else:
                span = (ends[-1], ends[-1]) if ends else (0, 0)
            pieces.append(repl)
            new_starts.extend([span[0]] * len(repl))
            new_ends.extend([span[1]] * len(repl))
        last = b
    if last == 0 and not pieces:
        return key, starts, ends
    pieces.append(key[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return "".join(pieces), new_starts, new_ends


# --------------------------------------------------------------------------- matching

CaseRule = Literal["upper", "initial", "any"]

# Words after a bare one-word name that make it a place, not the asset:
# "Kavkazsky district" is an area, "Kavkazskaya" alone may be the oil station.
ADMIN_NOUNS: frozenset[str] = frozenset(
    normalize_name(w)
    for w in (
        "district", "districts", "raion", "rayon", "region", "oblast", "krai", "kray",
        "province", "county", "municipality", "okrug", "район", "района", "районе",
        "области", "область", "край", "края", "крае", "округ", "округа", "аудан", "ауданы",
    )
)  # fmt: skip


def case_rule(alias: str) -> CaseRule:
    """How the text must be capitalised for ``alias`` to count.

    Acronyms ("CPC", "КТК", "SPM-2") must appear in capitals, so "btc" in a URL or
    "tco" inside prose does not fire; names written with a capital initial need one
    in the text too, which keeps common words ("волна", a wave) from matching a
    place ("Волна", Volna); lower-case descriptive aliases ("mooring point 2") match
    in any case.
    """
    cased = [c for c in alias if c.lower() != c.upper()]
    if not cased:
        return "any"
    if len(cased) >= 2 and all(c.isupper() for c in cased):
        return "upper"
    return "initial" if cased[0].isupper() else "any"


def _surface_ok(rule: CaseRule, surface: str) -> bool:
    cased = [c for c in surface if c.lower() != c.upper()]
    if rule == "any" or not cased:
        return True
    if rule == "upper":
        return all(c.isupper() for c in cased)
    return cased[0].isupper()


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One way of writing an asset's name, with the capitalisation it needs."""

    asset_id: str
    alias: str
    rule: CaseRule
    single_token: bool


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A matched span in the original text and the entries that fit it."""

    start: int
    end: int
    entries: tuple[AliasEntry, ...]


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entries: list[AliasEntry] = field(default_factory=list)


class AliasIndex:
    """A token trie over the keys of every alias, built once per knowledge base.

    Matching a text costs one normalisation pass plus, at each token, a walk down the
    trie as far as the text allows: no per-alias loop, no giant regular expression.
    """

    def __init__(self, aliases: Iterable[tuple[str, str]]) -> None:
        """``aliases`` yields ``(asset_id, alias)`` pairs; blank keys are ignored."""
        self._root = _Node()
        self.keys: dict[str, list[AliasEntry]] = {}
        for asset_id, alias in aliases:
            key = normalize_name(alias)
            if not key:
                continue
            tokens = key.split(" ")
            entry = AliasEntry(asset_id, alias, case_rule(alias), len(tokens) == 1)
            node = self._root
            for token in tokens:
                node = node.children.setdefault(token, _Node())
            if all(e.asset_id != asset_id or e.rule != entry.rule for e in node.entries):
                node.entries.append(entry)
            self.keys.setdefault(key, []).append(entry)

    def scan(self, text: str) -> list[RawMatch]:
        """Non-overlapping matches, left to right; at each place the longest alias whose
        capitalisation fits wins."""
        key, starts, ends = normalize_with_offsets(text)
        if not key:
            return []
        spans = _token_spans(key)
        tokens = [key[a:b] for a, b in spans]
        found: list[RawMatch] = []
        i = 0
        while i < len(tokens):
            best = self._longest_at(text, tokens, spans, starts, ends, i)
            if best is None:
                i += 1
                continue
            j, match = best
            found.append(_close_quote(text, match))
            i = j + 1
        return found

    def _longest_at(
        self,
        text: str,
        tokens: Sequence[str],
        spans: Sequence[tuple[int, int]],
        starts: Sequence[int],
        ends: Sequence[int],
        i: int,
    ) -> tuple[int, RawMatch] | None:
        node = self._root
        candidates: list[tuple[int, list[AliasEntry]]] = []
        for j in range(i, len(tokens)):
            nxt = node.children.get(tokens[j])
            if nxt is None:
                break
            node = nxt
            if node.entries:
                candidates.append((j, node.entries))
        for j, entries in reversed(candidates):
            start, end = starts[spans[i][0]], ends[spans[j][1] - 1]
            surface = text[start:end]
            followed_by_admin = j + 1 < len(tokens) and tokens[j + 1] in ADMIN_NOUNS
            fitting = tuple(
                e
                for e in entries
                if _surface_ok(e.rule, surface) and not (e.single_token and followed_by_admin)
            )
            if fitting:
                return j, RawMatch(start, end, fitting)
        return None


_QUOTE_PAIRS = (("«", "»"), ("“", "”"), ("„", "“"), ("„", "”"), ("‹", "›"), ('"', '"'))


def _close_quote(text: str, match: RawMatch) -> RawMatch:
    """Take in the closing quote when the span opened one: 'НПС «Кропоткинская»' reads
    better than a span that stops inside the quotes."""
    surface = text[match.start : match.end]
    for opening, closing in _QUOTE_PAIRS:
        if opening == closing:
            unbalanced = surface.count(opening) % 2 == 1
        else:
            unbalanced = surface.count(opening) > surface.count(closing)
        if unbalanced and text.startswith(closing, match.end):
            return RawMatch(match.start, match.end + len(closing), match.entries)
    return match


def _token_spans(key: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for token in key.split(" "):
        spans.append((pos, pos + len(token)))
        pos += len(token) + 1
    return spans
