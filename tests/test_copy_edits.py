"""What a near-duplicate copy changed (``copy_edits.copy_edits``), and where it shows:
the ``copy_edits`` of an exported incident record and ``energywatch show``.

Texts written for this file about the March 2025 sea-drone attack on the CPC marine
terminal at Novorossiysk.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from tests.test_cli import cli
from tests.test_site_rates import stored_and_processed

from energywatch.copy_edits import copy_edits
from energywatch.export import incident_records
from energywatch.kb import KnowledgeBase, load_knowledge_base


@cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


ORIGINAL = (
    "Sea drones hit the CPC marine terminal in central Novorossiysk on Jan. 5, the port authority said. "
    "Officials counted 24 damaged tanks and two injured workers. The strike was large."
)


def _edits(copy: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.before, e.after) for e in copy_edits("orig-1", ORIGINAL, "copy-1", copy, _kb())]


def test_a_changed_town_is_one_place_edit() -> None:
    copy = ORIGINAL.replace("central Novorossiysk", "central Tuapse")
    [edit] = copy_edits("orig-1", ORIGINAL, "copy-1", copy, _kb())
    assert (edit.kind, edit.before, edit.after) == ("place", "Novorossiysk", "Tuapse")
    assert copy[edit.start : edit.end] == "Tuapse"
    assert copy[edit.sentence_start : edit.sentence_end] == (
        "Sea drones hit the CPC marine terminal in central Tuapse on Jan. 5, the port authority said."
    )
    assert (edit.copy, edit.original) == ("copy-1", "orig-1")
    assert edit.reason == "copy copy-1 of orig-1 changes the place 'Novorossiysk' to 'Tuapse'"


def test_an_unknown_town_replacing_a_known_one_is_a_place_edit() -> None:
    copy = ORIGINAL.replace("Novorossiysk", "Nikolayevsk-on-Don")
    assert _edits(copy) == [("place", "Novorossiysk", "Nikolayevsk-on-Don")]


def test_a_changed_figure_is_one_number_edit() -> None:
    copy = ORIGINAL.replace("24 damaged", "23 damaged")
    [edit] = copy_edits("orig-1", ORIGINAL, "copy-1", copy, _kb())
    assert (edit.kind, edit.before, edit.after) == ("number", "24", "23")
    sentence = copy[edit.sentence_start : edit.sentence_end]
    assert sentence == "Officials counted 23 damaged tanks and two injured workers."
    assert edit.reason == "copy copy-1 of orig-1 changes the figure '24' to '23'"


def test_place_and_figure_edits_are_found_together_in_text_order() -> None:
    copy = ORIGINAL.replace("central Novorossiysk", "central Tuapse").replace("24 damaged", "23 damaged")
    assert _edits(copy) == [("place", "Novorossiysk", "Tuapse"), ("number", "24", "23")]


@pytest.mark.parametrize(
    "copy",
    [
        ORIGINAL,
        ORIGINAL.replace("Jan. 5", "January 5"),  # date format
        ORIGINAL.replace("The strike was large.", "The attack was big."),  # synonyms
        ORIGINAL.replace("the port authority said", "the port authority stated"),
        ORIGINAL.replace("the port authority said", "the local port authority said"),  # an added word
    ],
)
def test_style_rewording_is_no_edit(copy: str) -> None:
    assert _edits(copy) == []


@pytest.mark.parametrize(
    ("original", "copy"),
    [
        ("Oil loadings at the terminal were halted.", "Crude loadings at the terminal were halted."),
        ("Sea drones hit the terminal.", "Ukrainian sea drones hit the terminal."),
    ],
)
def test_a_capitalised_common_word_is_no_place(original: str, copy: str) -> None:
    assert copy_edits("orig-1", original, "copy-1", copy, _kb()) == []


# --------------------------------------------------------------------------- end to end

STORY = (
    "Sea drones attacked the CPC marine terminal in Novorossiysk overnight on 2 March 2025, "
    "the consortium said. "
    "One of the three single point moorings was damaged and loadings were halted for several hours. "
    "Port officials said 24 tankers were waiting offshore while divers inspected the mooring. "
    "Kazakhstan's energy ministry said it was in contact with the operator about export volumes."
)
COPY = STORY.replace("in Novorossiysk", "in Tuapse").replace("24 tankers", "23 tankers")


def test_copy_edits_are_exported_and_shown(tmp_path: Path) -> None:
    store, kb = stored_and_processed(
        tmp_path,
        [
            ("o1", "Caspian Ledger", STORY, dt.date(2025, 3, 2)),
            ("c1", "Copy Daily", COPY, dt.date(2025, 3, 3)),
        ],
    )
    assert store.get_article("c1").near_duplicate_of == "o1"
    [record] = incident_records(store, kb)
    assert record["copies"] == ["c1"]
    edits = record["copy_edits"]
    assert [(e["kind"], e["article"], e["original"], e["before"], e["after"]) for e in edits] == [
        ("place", "c1", "o1", "Novorossiysk", "Tuapse"),
        ("number", "c1", "o1", "24", "23"),
    ]
    text = store.get_article("c1").clean_text
    assert [text[slice(*e["span"])] for e in edits] == ["Tuapse", "23"]
    assert text[slice(*edits[1]["sentence"])].startswith("Port officials said 23 tankers")
    assert edits[0]["reason"] == "copy c1 of o1 changes the place 'Novorossiysk' to 'Tuapse'"

    shown = cli("show", record["id"], db=tmp_path / "ew.db")
    assert shown.exit_code == 0, shown.output
    assert "copy edit: copy c1 of o1 changes the place 'Novorossiysk' to 'Tuapse'" in shown.output
    assert "copy edit: copy c1 of o1 changes the figure '24' to '23'" in shown.output


def test_a_number_word_changed_is_a_figure_edit() -> None:
    original = "The drone injured two employees of the consortium on Wednesday."
    copy = "The drone injured three employees of the consortium on Wednesday."
    [edit] = copy_edits("orig-1", original, "copy-1", copy, _kb())
    assert (edit.kind, edit.before, edit.after) == ("number", "two", "three")
