"""Near-duplicate detection: signatures, the index, and the acceptance evaluation."""

from __future__ import annotations

import difflib
import hashlib
import os
import random
import subprocess
import sys

import pytest

from energywatch.dedup import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    MIN_SHINGLES,
    NearDuplicateIndex,
    Signature,
    SignatureMismatchError,
    lsh_params,
    normalise,
    shingles,
    signature,
)
from energywatch.dedup_eval import (
    COPY_KINDS,
    EDIT_RATE,
    load_base_articles,
    make_copy,
    rewrite,
    run_dedup_eval,
)
from energywatch.settings import Settings

NUM_PERM = DEFAULT_NUM_PERM
THRESHOLD = DEFAULT_THRESHOLD

# Two independent reports of one invented incident: same place, names and numbers,
# each outlet in its own words. They must never be linked.
WIRE_REPORT = """\
Drones struck the Volna pumping station in the Stepnoy district overnight on Tuesday, starting a fire
that forced the operator to cut flows through the Northern Crude Pipeline by about a third, the
regional governor Pavel Orlov said.

Orlov said on his Telegram channel that firefighters had put out the blaze by morning and that nobody
was hurt. Two electrical transformers and a pump housing were damaged, according to the operator,
Northern Crude Transport, which said repairs could take two to three weeks.

The station moves oil from fields in the east of the region to the export terminal at Port Mira,
which shipped 41 million tonnes last year. Traders said the cut would delay at least four cargoes
scheduled for loading this month.

The defence ministry said air defences had destroyed nine drones over the region during the night
but did not mention the station. It was the second attack on the pipeline since August, when a
strike on the Lesnaya station halted pumping for five days.

Northern Crude Transport said it was diverting part of the volumes to rail and that it expected to
restore full throughput once the transformers were replaced."""

REGIONAL_REPORT = """\
A fire broke out at the Volna oil pumping station near the village of Stepnoy after an overnight
drone raid, Governor Pavel Orlov wrote on Tuesday morning. Emergency crews extinguished the flames
within a few hours and there were no casualties, he added.

According to the pipeline company Northern Crude Transport, the attack damaged two transformers and
the building that houses one of the pumps. The company expects the work to take between two and
three weeks and has lowered throughput on the Northern Crude Pipeline by roughly 30 percent.

Volna sits on the line that carries crude from the eastern fields to Port Mira, a terminal that
handled 41 million tonnes of oil in the past year. Market participants expect at least four tankers
due this month to load late.

Residents told our correspondent they heard several explosions shortly after 2 a.m. The defence
ministry reported that nine drones were shot down across the region but gave no details about
damage on the ground. In August another station on the same pipeline, Lesnaya, was hit and stood
idle for five days.

Part of the oil will move by rail for now, the company said, and full volumes should return after
new transformers are installed."""

BOILERPLATE = """\
Sign up for our free morning newsletter and never miss a story from the oil patch.

Advertisement: trade crude with tight spreads. Most retail investors lose money trading CFDs.

Share this article. Follow us for live updates."""


def _sig(text: str) -> Signature:
    return signature(text, NUM_PERM)


def _index(*items: tuple[str, str]) -> NearDuplicateIndex:
    index = NearDuplicateIndex(threshold=THRESHOLD, num_perm=NUM_PERM)
    for article_id, text in items:
        index.add(article_id, _sig(text))
    return index


# --------------------------------------------------------------------------- normalisation


def test_normalise_ignores_case_punctuation_and_typography() -> None:
    a = "Kazakhstan's exports - 1,511 km of pipe, “as planned”."
    b = 'KAZAKHSTAN’S  exports — 1511 km\nof pipe, "as planned"'
    assert normalise(a) == normalise(b) == "kazakhstans exports 1511 km of pipe as planned"


def test_shingles_are_word_triples() -> None:
    assert shingles("One two three four.") == {"one two three", "two three four"}
    assert shingles("Two words") == {"two words"}
    assert shingles("  ") == set()


# --------------------------------------------------------------------------- matching


def test_identical_text_matches_with_similarity_one() -> None:
    match = _index(("a1", WIRE_REPORT)).find(_sig(WIRE_REPORT), exclude="a2")
    assert match is not None
    assert match.article_id == "a1"
    assert match.similarity == 1.0


def test_copy_with_ten_percent_of_words_edited_matches() -> None:
    for seed in range(10):
        copy = rewrite(WIRE_REPORT, random.Random(seed), rate=EDIT_RATE)
        match = _index(("orig", WIRE_REPORT)).find(_sig(copy))
        assert match is not None, f"seed {seed}: 10% rewrite not linked"
        assert match.article_id == "orig"


def test_copy_with_different_boilerplate_matches_as_given() -> None:
    """Cleaning normally removes the boilerplate first; dedup must cope even if it does not."""
    mirror = f"Breaking news.\n\n{WIRE_REPORT}\n\n{BOILERPLATE}"
    trimmed = WIRE_REPORT + "\n\n(Reporting by the energy desk)"
    match = _index(("orig", trimmed)).find(_sig(mirror))
    assert match is not None
    assert match.article_id == "orig"


def test_independent_reports_of_the_same_incident_do_not_match() -> None:
    index = _index(("wire", WIRE_REPORT))
    assert index.find(_sig(REGIONAL_REPORT)) is None
    assert _sig(WIRE_REPORT).jaccard(_sig(REGIONAL_REPORT)) < THRESHOLD / 3


def test_best_candidate_wins_and_ties_go_to_the_first_added() -> None:
    edited = rewrite(WIRE_REPORT, random.Random(1))
    index = _index(("edited", edited), ("first", WIRE_REPORT), ("second", WIRE_REPORT))
    match = index.find(_sig(WIRE_REPORT))
    assert match is not None
    assert match.article_id == "first"


def test_matches_lists_every_article_above_the_threshold_best_first() -> None:
    edited = rewrite(WIRE_REPORT, random.Random(1))
    index = _index(("edited", edited), ("exact", WIRE_REPORT), ("other", REGIONAL_REPORT))
    found = index.matches(_sig(WIRE_REPORT))
    assert [m.article_id for m in found] == ["exact", "edited"]
    assert found[0].similarity == 1.0 > found[1].similarity >= THRESHOLD
    assert index.matches(_sig(WIRE_REPORT), exclude="exact")[0].article_id == "edited"


def test_short_texts_are_never_matched() -> None:
    short = "Drones hit the Volna pumping station overnight."
    sig = _sig(short)
    assert sig.shingle_count < MIN_SHINGLES
    assert not sig.matchable
    index = _index(("short", short))
    assert "short" in index
    assert index.find(sig) is None
    assert _index(("long", WIRE_REPORT)).find(sig) is None


def test_empty_text_has_a_signature_but_no_match() -> None:
    sig = _sig("")
    assert sig.shingle_count == 0
    assert _index(("empty", "")).find(sig) is None


# --------------------------------------------------------------------------- re-adding


def test_re_adding_an_id_replaces_it_and_never_self_matches() -> None:
    index = _index(("a1", WIRE_REPORT))
    index.add("a1", _sig(WIRE_REPORT))
    assert len(index) == 1
    assert "a1" in index
    assert index.find(_sig(WIRE_REPORT), exclude="a1") is None

    index.add("a1", _sig(REGIONAL_REPORT))  # re-ingested with other text
    assert len(index) == 1
    assert index.find(_sig(WIRE_REPORT)) is None
    match = index.find(_sig(REGIONAL_REPORT))
    assert match is not None
    assert match.article_id == "a1"


def test_a_short_text_re_added_as_long_text_becomes_matchable() -> None:
    index = _index(("a1", "Too short to match."))
    index.add("a1", _sig(WIRE_REPORT))
    match = index.find(_sig(WIRE_REPORT))
    assert match is not None
    assert match.article_id == "a1"
    index.add("a1", _sig("Short again."))
    assert index.find(_sig(WIRE_REPORT)) is None


# --------------------------------------------------------------------------- storage form


def test_signature_bytes_round_trip() -> None:
    sig = _sig(WIRE_REPORT)
    data = sig.to_bytes()
    assert len(data) == 8 + 4 * NUM_PERM
    back = Signature.from_bytes(data, NUM_PERM)
    assert back == sig
    assert back.shingle_count == sig.shingle_count
    assert back.jaccard(sig) == 1.0


def test_signature_bytes_from_other_parameters_are_refused() -> None:
    data = _sig(WIRE_REPORT).to_bytes()
    with pytest.raises(SignatureMismatchError, match="num_perm=64"):
        Signature.from_bytes(data, 64)
    with pytest.raises(SignatureMismatchError, match="shingle size"):
        Signature.from_bytes(data[:1] + b"\x05" + data[2:], NUM_PERM)
    with pytest.raises(SignatureMismatchError):
        _index().add("x", signature(WIRE_REPORT, 64))


def test_signatures_are_the_same_in_another_process() -> None:
    code = (
        "import sys; from energywatch.dedup import signature; "
        f"sys.stdout.write(signature(sys.stdin.read(), {NUM_PERM}).to_bytes().hex())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=WIRE_REPORT, capture_output=True, text=True, env=env, check=True
    ).stdout
    assert bytes.fromhex(out) == _sig(WIRE_REPORT).to_bytes()


def test_signature_bytes_are_pinned() -> None:
    """Stored signatures outlive library upgrades: if this changes, every stored
    signature must be recomputed, and the format version in dedup.py bumped."""
    digest = hashlib.sha256(_sig("The quick brown fox jumps over the lazy dog " * 3).to_bytes()).hexdigest()
    assert digest == PINNED_DIGEST


PINNED_DIGEST = "470636fcb5f0faec7e7f8a95427d3ecbbc9fdc6c59a3d1255875225174eeb39d"


# --------------------------------------------------------------------------- LSH


@pytest.mark.parametrize("threshold", [0.2, 0.3, 0.5, 0.8])
def test_lsh_bands_make_pairs_at_the_threshold_candidates(threshold: float) -> None:
    bands, rows = lsh_params(threshold, NUM_PERM)
    assert bands * rows <= NUM_PERM
    assert 1 - (1 - threshold**rows) ** bands >= 0.99


def test_settings_defaults_are_the_measured_ones() -> None:
    """docs/dedup.md explains these numbers; settings.py must ship them."""
    fields = Settings.model_fields
    assert fields["dedup_threshold"].default == DEFAULT_THRESHOLD
    assert fields["dedup_num_perm"].default == DEFAULT_NUM_PERM


# --------------------------------------------------------------------------- copies for the evaluation


def _words_changed(a: str, b: str) -> int:
    changed = 0
    matcher = difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            changed += max(i2 - i1, j2 - j1)
    return changed


def test_rewrite_changes_at_most_ten_percent_of_words() -> None:
    words = len(WIRE_REPORT.split())
    for seed in range(20):
        copy = rewrite(WIRE_REPORT, random.Random(seed))
        assert 0 < _words_changed(WIRE_REPORT, copy) <= EDIT_RATE * words


@pytest.mark.parametrize("kind", COPY_KINDS)
def test_every_copy_kind_of_an_article_is_linked(kind: str) -> None:
    copy = make_copy(WIRE_REPORT, kind, random.Random(3))
    assert copy != WIRE_REPORT
    assert _index(("orig", WIRE_REPORT)).find(_sig(copy)) is not None


def test_unknown_copy_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown copy kind"):
        make_copy(WIRE_REPORT, "translation", random.Random(0))


# --------------------------------------------------------------------------- acceptance


def test_demo_corpus_precision_and_recall() -> None:
    """Acceptance: P and R ≥ 0.95 on the demo corpus plus generated copies.

    Fails (never skips) when the corpus is missing or too small to mean anything.
    """
    bases = load_base_articles()
    assert len(bases) >= 30, (
        f"the demo corpus has {len(bases)} readable articles; the near-duplicate evaluation needs "
        "at least 30 (see src/energywatch/data/demo/)"
    )
    report = run_dedup_eval()
    scores = report.scores
    detail = f"wrong links: {scores.wrong_links[:5]}, missed: {scores.missed[:5]}"
    assert scores.pair_precision >= 0.95, detail
    assert scores.pair_recall >= 0.95, detail
    assert scores.link_precision >= 0.95, detail
    assert scores.link_recall >= 0.95, detail
    # The hard negatives must be present, and far from the threshold.
    assert report.same_incident_pairs >= 10
    assert report.estimated["same incident"].max < THRESHOLD
    assert report.estimated["corpus copy"].min >= THRESHOLD
