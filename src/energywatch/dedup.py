"""Near-duplicate detection: MinHash signatures of word shingles plus an LSH index.

Outlets republish each other: wire copy syndicated verbatim, the same story on a
mirror domain with other boilerplate, a repost with a few words edited. Those copies
must not count as independent sources (DESIGN §7), so ingest links each one to the
article it copies. Independent reports of the same incident are the hard case: they
share names, numbers and places but not sentences, and they must stay unlinked.

Word 3-shingles separate the two well: a copy keeps most of its three-word runs even
after light editing, while two reporters describing the same facts rarely produce
the same three words in a row beyond names and set phrases. The numbers behind
every constant here are in docs/dedup.md and come from ``energywatch.dedup_eval``.

The module is pure: no database, no settings object. Ingest stores
``Signature.to_bytes()`` with each article, loads them into a ``NearDuplicateIndex``
once per run and calls ``find`` for every new article.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash, MinHashLSH

SHINGLE_SIZE: Final = 3
"""Words per shingle. Measured on the demo corpus (docs/dedup.md): with 2, independent
reports of one incident reach 0.09 Jaccard through shared names ("pumping station",
"caspian pipeline"); with 4 or 5, a copy with 10% of its words edited drops to 0.42 or
0.36. At 3 the worst copy keeps 0.49 and the closest independent report 0.04."""

DEFAULT_THRESHOLD: Final = 0.3
"""Estimated Jaccard at or above which two texts are linked. It sits well below the
worst measured copy (0.49 exact, 0.47 estimated) and far above the closest pair of
independent reports (0.04 exact, 0.07 estimated); the estimate's standard error with
128 permutations is about 0.04 at 0.3, so both sides keep several errors of margin."""

DEFAULT_NUM_PERM: Final = 128
"""Permutations per signature: 512 bytes per article, about 0.04 standard error at the
threshold. More would sharpen estimates nobody is close to the threshold with."""

MIN_SHINGLES: Final = 8
"""Texts with fewer shingles than this are never linked, in either direction.

A MinHash estimate over a handful of shingles is too coarse to mean anything, and a
one-line text ("Drones hit the Kropotkinskaya pumping station overnight") is as
likely to be an independent headline-style report as a copy. Exact re-posts of such
snippets are still caught upstream by the content hash."""

SEED: Final = 1
"""Seed of the MinHash permutations. Stored signatures are only comparable with
signatures made with the same seed, so changing it means recomputing all of them."""

SCHEME: Final = "affine32"
"""datasketch permutation scheme, named explicitly so that a change of the library
default cannot silently make new signatures incomparable with stored ones."""

_FORMAT_VERSION: Final = 1
_HEADER = struct.Struct("<BBHI")  # format version, shingle size, seed, shingle count
_HASH_DTYPE: Final = np.dtype("<u4")

# Apostrophes inside words and separators inside numbers are dropped rather than
# turned into spaces, so "Kazakhstan's"/"Kazakhstans" and "1,511"/"1511" agree.
_JOINERS = re.compile(r"(?<=\w)['’ʼ`](?=\w)|(?<=\d)[.,](?=\d)")
_NON_WORD = re.compile(r"[\W_]+")


class SignatureMismatchError(ValueError):
    """Stored signature bytes that cannot be compared with signatures made now.

    Raised by ``Signature.from_bytes`` when the bytes come from another format
    version, shingle size, seed or number of permutations (for example after
    ``dedup_num_perm`` changed). The fix is to recompute the signature from the
    article's clean text.
    """


def normalise(text: str) -> str:
    """Fold away differences that copying tools introduce and readers ignore.

    Mirrors re-encode quotes and dashes, change case in headlines, re-wrap lines and
    add or drop thousands separators; none of that should make a copy look new.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _JOINERS.sub("", folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def shingles(text: str, k: int = SHINGLE_SIZE) -> set[str]:
    """The set of k-word runs of the normalised text.

    A text shorter than k words yields itself as its only shingle, so that it still
    has a (short, hence never matched) signature rather than an empty one.
    """
    words = normalise(text).split()
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _mix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # MurmurHash3's 64-bit finaliser: spreads the polynomial combination below over
    # all bits, so its top 32 bits are a good shingle hash. Array arithmetic wraps.
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


_COMBINE: Final = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(text: str, k: int = SHINGLE_SIZE) -> npt.NDArray[np.uint32]:
    """Distinct 32-bit hashes of the k-word shingles of ``text``, as ``shingles`` defines them.

    Each distinct word is hashed once (blake2b) and the k word hashes of a shingle are
    combined with vectorised integer arithmetic. Hashing every shingle string
    separately costs several times more, and the result is just as stable across
    processes because nothing depends on Python's randomised ``hash``.
    """
    words = normalise(text).split()
    if not words:
        return np.empty(0, dtype=np.uint32)
    cache: dict[str, int] = {}
    word_hashes = np.fromiter(
        (cache[w] if w in cache else cache.setdefault(w, _word_hash(w)) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    width = min(k, len(words))
    count = len(words) - width + 1
    combined = word_hashes[:count].copy()
    for offset in range(1, width):
        combined = combined * _COMBINE + word_hashes[offset : offset + count]
    top = (_mix64(combined) >> np.uint64(32)).astype(np.uint32)
    return np.unique(top)


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> npt.NDArray[np.uint32]:
    """Permutation parameters for ``num_perm``, generated once per process.

    Regenerating them for every MinHash costs more than hashing a short article.
    """
    perms: npt.NDArray[np.uint32] = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    perms.setflags(write=False)
    return perms


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """A MinHash of an article's shingles plus how many shingles went into it.

    The shingle count travels with the hash values so that a signature loaded from
    the database still knows whether its text was too short to be matched.
    """

    minhash: LeanMinHash
    shingle_count: int

    @property
    def num_perm(self) -> int:
        return len(self.minhash.hashvalues)

    @property
    def matchable(self) -> bool:
        """Whether the text was long enough for its similarity estimates to be trusted."""
        return self.shingle_count >= MIN_SHINGLES

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return float(self.minhash.jaccard(other.minhash))

    def to_bytes(self) -> bytes:
        """An 8-byte header then one little-endian uint32 per permutation.

        The header records what the hash values depend on, so that ``from_bytes``
        refuses bytes made under other parameters instead of comparing nonsense.
        """
        header = _HEADER.pack(_FORMAT_VERSION, SHINGLE_SIZE, SEED, min(self.shingle_count, 2**32 - 1))
        values = np.asarray(self.minhash.hashvalues, dtype=_HASH_DTYPE)
        return header + values.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, num_perm: int) -> Signature:
        """Rebuild a signature stored by ``to_bytes``; raises SignatureMismatchError
        when it was made with other parameters than the current ones."""
        expected = _HEADER.size + num_perm * _HASH_DTYPE.itemsize
        if len(data) != expected:
            raise SignatureMismatchError(
                f"signature has {len(data)} bytes, expected {expected} for num_perm={num_perm}; "
                "it was probably computed with another dedup_num_perm: recompute it from the clean text"
            )
        version, k, seed, count = _HEADER.unpack_from(data)
        if (version, k, seed) != (_FORMAT_VERSION, SHINGLE_SIZE, SEED):
            raise SignatureMismatchError(
                f"signature made with format {version}, shingle size {k}, seed {seed}; this version uses "
                f"format {_FORMAT_VERSION}, shingle size {SHINGLE_SIZE}, seed {SEED}: "
                "recompute it from the clean text"
            )
        values = np.frombuffer(data, dtype=_HASH_DTYPE, offset=_HEADER.size).astype(np.uint32)
        return cls(LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME), count)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())


def signature(text: str, num_perm: int) -> Signature:
    """MinHash signature of ``text``; the same text gives the same bytes in any process."""
    hashes = shingle_hashes(text)
    minhash = MinHash(
        num_perm=num_perm, seed=SEED, scheme=SCHEME, hashfunc=int, permutations=_permutations(num_perm)
    )
    minhash.update_batch(hashes.tolist())
    return Signature(LeanMinHash(minhash), len(hashes))


def lsh_params(threshold: float, num_perm: int, *, recall: float = 0.99) -> tuple[int, int]:
    """Bands and rows for the LSH index: the most selective banding that still makes
    a pair at exactly ``threshold`` a candidate with probability ``recall``.

    LSH is only the candidate generator here; ``find`` re-checks every candidate
    against the threshold, so a missed candidate is a lost link while a spurious
    one costs a vector comparison. Hence recall first, selectivity second.
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands < 2:
            break
        if 1.0 - (1.0 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """The article a new text most likely copies, with the estimated Jaccard similarity."""

    article_id: str
    similarity: float


class NearDuplicateIndex:
    """Signatures of every article known to a run, searchable without comparing all pairs.

    Built once per run from stored signatures, then grown as new articles arrive.
    Adding an id that is already present replaces its signature, so re-ingesting an
    article (possibly with edited text) never leaves a stale twin behind to match.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = lsh_params(threshold, num_perm)
        self._lsh = MinHashLSH(num_perm=num_perm, params=(self.bands, self.rows))
        self._signatures: dict[str, Signature] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._signatures

    def add(self, article_id: str, sig: Signature) -> None:
        """Index ``sig`` under ``article_id``, replacing any earlier signature for that id.

        Texts too short to match are remembered (so ``in`` and ``len`` reflect what
        was added) but kept out of the LSH buckets, where they could only be noise.
        """
        self._check(sig)
        if article_id in self._signatures:
            if article_id in self._lsh:
                self._lsh.remove(article_id)
        else:
            self._order[article_id] = len(self._order)
        self._signatures[article_id] = sig
        if sig.matchable:
            self._lsh.insert(article_id, sig.minhash)

    def find(self, sig: Signature, *, exclude: str | None = None) -> DuplicateMatch | None:
        """The indexed article most similar to ``sig``, if it reaches the threshold.

        ``exclude`` is the id of the article being linked, so a re-ingested article
        never matches its own stored signature.
        """
        found = self.matches(sig, exclude=exclude)
        return found[0] if found else None

    def matches(self, sig: Signature, *, exclude: str | None = None) -> list[DuplicateMatch]:
        """Every indexed article at or above the threshold, most similar first.

        LSH buckets only propose candidates; each is re-scored with the MinHash
        estimate. Ties go to the article added first, the one a cluster is most likely
        rooted at. More than one match can mean the new article bridges two clusters
        (a rewrite of a copy that arrived before the copy itself), which a caller
        keeping clusters may want to merge.
        """
        self._check(sig)
        if not sig.matchable:
            return []
        candidates = [c for c in self._lsh.query(sig.minhash) if c != exclude]
        if not candidates:
            return []
        # One vectorised comparison for all candidates: the share of equal hash values
        # is the MinHash Jaccard estimate (what datasketch's jaccard() computes one by one).
        stacked = np.stack([self._signatures[c].minhash.hashvalues for c in candidates])
        similarities = (stacked == sig.minhash.hashvalues).mean(axis=1)
        scored = sorted(
            (-float(similarity), self._order[candidate], candidate)
            for candidate, similarity in zip(candidates, similarities, strict=True)
            if similarity >= self.threshold
        )
        return [DuplicateMatch(article_id, -negative) for negative, _, article_id in scored]

    def _check(self, sig: Signature) -> None:
        if sig.num_perm != self.num_perm:
            raise SignatureMismatchError(
                f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}"
            )
