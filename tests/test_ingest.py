"""The ingest stage as a library call: ids, copies, rejections and re-runs."""

from __future__ import annotations

import json
from pathlib import Path

from energywatch.ingest import ingest
from energywatch.models import RejectionReason, SpanKind
from energywatch.settings import Settings
from energywatch.storage import Store

BODY = (
    "Naval drones struck the second single point mooring of the Caspian Pipeline "
    "Consortium terminal near Novorossiysk early on Saturday, the consortium said. The "
    "mooring was significantly damaged and the harbour master halted all loadings. "
    "Kazakhstan's foreign ministry called the strike an attack on a civilian facility "
    "and said it expected Kyiv to take steps to prevent a repeat. Traders said the "
    "terminal could load only from one remaining buoy until repairs were made."
)


def put(folder: Path, name: str, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(fields), encoding="utf-8")
    return path


def test_ingest_on_both_databases_is_idempotent(tmp_path: Path, store: Store, any_settings: Settings) -> None:
    inputs = tmp_path / "in"
    put(inputs, "a.json", id="a", outlet="Meridian Wire (demo)", published="2025-11-29", text=BODY)
    put(
        inputs,
        "b.json",
        id="b",
        outlet="Energy Mirror Daily (demo)",
        published="2025-11-30",
        text=BODY.replace("early on Saturday", "on Saturday morning") + "\n\nSubscribe to our newsletter.",
    )
    first = ingest(store, [inputs], any_settings)
    assert sorted(first.inserted) == ["a", "b"]
    assert first.near_duplicates == {"b": "a"}
    b = store.get_article("b")
    assert b.source.kind.value == "blog"
    assert [s.kind for s in b.removed_spans] == [SpanKind.navigation]
    second = ingest(store, [inputs], any_settings)
    assert sorted(second.unchanged) == ["a", "b"]
    assert not second.inserted
    assert not second.updated


def test_a_copy_seen_first_is_demoted_when_the_original_arrives(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    with Store.open(sqlite_settings) as store:
        put(tmp_path / "day2", "copy1.json", id="copy1", outlet="Mirror", published="2025-11-30", text=BODY)
        put(
            tmp_path / "day2",
            "copy2.json",
            id="copy2",
            outlet="Mirror 2",
            published="2025-12-01",
            text=BODY + " More later.",
        )
        ingest(store, [tmp_path / "day2"], sqlite_settings)
        assert store.get_article("copy2").near_duplicate_of == "copy1"
        put(tmp_path / "day3", "orig.json", id="orig", outlet="Wire", published="2025-11-29", text=BODY)
        ingest(store, [tmp_path / "day3"], sqlite_settings)
        links = {i: store.get_article(i).near_duplicate_of for i in ("orig", "copy1", "copy2")}
    assert links == {"orig": None, "copy1": "orig", "copy2": "orig"}


def test_changed_minhash_settings_recompute_stored_signatures(
    tmp_path: Path, sqlite_settings: Settings
) -> None:
    inputs = tmp_path / "in"
    put(inputs, "a.json", id="a", text=BODY)
    with Store.open(sqlite_settings) as store:
        ingest(store, [inputs], sqlite_settings)
    other = sqlite_settings.model_copy(update={"dedup_num_perm": 64})
    put(inputs, "b.json", id="b", text=BODY)
    with Store.open(other) as store:
        report = ingest(store, [inputs], other)
        assert report.unchanged == ["a"]
        assert report.near_duplicates == {"b": "a"}


def test_same_id_from_two_inputs_in_one_run_is_a_conflict(tmp_path: Path, sqlite_settings: Settings) -> None:
    inputs = tmp_path / "in"
    put(inputs, "1.json", id="x", text=BODY)
    put(inputs, "2.json", id="x", text="A different article about Tengiz output in January.")
    with Store.open(sqlite_settings) as store:
        report = ingest(store, [inputs], sqlite_settings)
        assert report.inserted == ["x"]
        assert [r.reason for r in report.rejections] == [RejectionReason.id_conflict]
        assert report.rejections[0].origin.endswith("2.json")
        assert store.get_article("x").clean_text == BODY


def test_a_fixed_input_replaces_its_rejection(tmp_path: Path, sqlite_settings: Settings) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    bad = inputs / "a.json"
    bad.write_text('{"id": "a", "text": "unterminated', encoding="utf-8")
    with Store.open(sqlite_settings) as store:
        assert ingest(store, [inputs], sqlite_settings).rejections[0].reason == RejectionReason.invalid_json
        assert store.status().rejections == 1
        put(inputs, "a.json", id="a", text=BODY)
        assert ingest(store, [inputs], sqlite_settings).inserted == ["a"]
        assert store.status().rejections == 0


def test_an_edited_input_updates_the_article(tmp_path: Path, sqlite_settings: Settings) -> None:
    inputs = tmp_path / "in"
    put(inputs, "a.json", id="a", title="First", text=BODY)
    with Store.open(sqlite_settings) as store:
        ingest(store, [inputs], sqlite_settings)
        put(inputs, "a.json", id="a", title="Corrected", text=BODY)
        report = ingest(store, [inputs], sqlite_settings)
        assert report.updated == ["a"]
        assert store.get_article("a").title == "Corrected"


def test_identical_short_texts_are_linked_by_content(tmp_path: Path, sqlite_settings: Settings) -> None:
    inputs = tmp_path / "in"
    put(inputs, "1.json", id="s1", published="2025-02-17", text="Drones hit the Kropotkinskaya station.")
    put(inputs, "2.json", id="s2", published="2025-02-18", text="Drones hit the  Kropotkinskaya station.\n")
    put(inputs, "3.json", id="s3", published="2025-02-18", text="Drones hit the Ilsky refinery.")
    with Store.open(sqlite_settings) as store:
        report = ingest(store, [inputs], sqlite_settings)
    assert report.near_duplicates == {"s2": "s1"}
