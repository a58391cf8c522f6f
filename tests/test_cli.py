"""The command line end to end, in-process, over a temporary SQLite file (and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.inputs_factory import GOOD_ARTICLE_COUNT, make_mixed_folder
from typer.testing import CliRunner, Result

from energywatch.cli import app
from energywatch.settings import Settings

runner = CliRunner()

WIRE_TEXT = (
    "Drones struck the Kropotkinskaya pumping station of the Caspian Pipeline Consortium "
    "in Krasnodar Krai overnight, the operator said on Monday. Deputy Prime Minister "
    "Alexander Novak said flows could fall by 30-40% while repairs are carried out, which "
    "may take one and a half to two months. Kazakhstan's foreign ministry said it would "
    "raise the matter with Kyiv through diplomatic channels. Chevron said output at Tengiz "
    "was unaffected and that shipments continued through the pipeline on Tuesday."
)
RISK_TAIL = (
    "Risk Warning: CFDs are complex instruments and come with a high risk of losing money "
    "rapidly due to leverage. 74% of retail investor accounts lose money when trading CFDs "
    "with this provider.\n\nDisclaimer: This material is marketing communication and does "
    "not constitute investment advice or investment research."
)


def cli(*args: str, db: Path | str | None, stdin: str | None = None) -> Result:
    extra = ["--db", str(db)] if db is not None else []
    return runner.invoke(app, [*args, *extra], input=stdin)


def cli_json(*args: str, db: Path | str | None) -> Any:
    result = cli(*args, "--json", db=db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_article(folder: Path, name: str, **fields: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(fields), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ew.db"


def test_mixed_folder_stores_good_files_and_names_each_broken_one(tmp_path: Path, db: Path) -> None:
    _good, broken = make_mixed_folder(tmp_path / "inputs")
    assert len(broken) == 20
    result = cli("ingest", str(tmp_path / "inputs"), "--quiet", db=db)
    assert result.exit_code == 1
    status = cli_json("status", db=db)
    assert status["articles"] == GOOD_ARTICLE_COUNT == 10
    for name, reason in broken.items():
        assert any(name in line and reason in line for line in result.stderr.splitlines()), (name, reason)
    stored = cli_json("rejections", db=db)
    # One file can yield several rejections (a JSON list, a JSONL file with bad lines).
    assert {Path(r["origin"]).name.split(":")[0].split("#")[0] for r in stored} == set(broken)
    assert {(Path(r["origin"]).name.split(":")[0].split("#")[0], r["reason"]) for r in stored} == set(
        broken.items()
    )
    assert all(r["hint"] and r["detail"] for r in stored)

    again = cli("ingest", str(tmp_path / "inputs"), "--json", db=db)
    assert again.exit_code == 1
    summary = json.loads(again.stdout)
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (0, 0, 10)
    assert cli_json("status", db=db) == status


def test_given_id_is_kept_in_storage_listing_show_and_export(tmp_path: Path, db: Path) -> None:
    src = write_article(
        tmp_path,
        "a.json",
        id="a1",
        url="https://wire.test/a",
        outlet="Test Wire",
        title="Station hit",
        published="2025-02-18",
        text=WIRE_TEXT,
    )
    assert cli("ingest", str(src), db=db).exit_code == 0
    listed = cli_json("articles", "list", db=db)
    assert [a["id"] for a in listed["articles"]] == ["a1"]
    assert cli_json("articles", "show", "a1", db=db)["id"] == "a1"

    out_file = tmp_path / "export.json"
    result = cli("export", "--format", "json", "--out", str(out_file), db=db)
    assert result.exit_code == 0, result.output
    exported = json.loads(out_file.read_text())
    assert [a["id"] for a in exported["articles"]] == ["a1"]
    assert exported["incidents"] == []
    record = exported["articles"][0]
    assert {"id", "is_incident_report", "near_duplicate_of", "incident_ids", "removed_spans"} <= set(record)

    to_stdout = cli("export", "--format", "json", db=db)
    assert to_stdout.exit_code == 0
    assert json.loads(to_stdout.stdout)["articles"] == exported["articles"]


def test_promotional_tail_is_removed_and_kept_as_spans(tmp_path: Path, db: Path) -> None:
    src = write_article(tmp_path, "b.json", id="b1", outlet="Broker", text=WIRE_TEXT + "\n\n" + RISK_TAIL)
    assert cli("ingest", str(src), db=db).exit_code == 0
    shown = cli_json("articles", "show", "b1", "--raw", db=db)
    assert shown["clean_text"].strip() == WIRE_TEXT
    assert {s["kind"] for s in shown["removed_spans"]} == {"promotional"}
    for span in shown["removed_spans"]:
        assert shown["text"][span["start"] : span["end"]] == span["text"]
    exported = json.loads(cli("export", db=db).stdout)
    assert {s["kind"] for s in exported["articles"][0]["removed_spans"]} == {"promotional"}


def test_copies_link_to_the_earliest_original_whatever_the_order(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    copy_text = WIRE_TEXT.replace("overnight", "during the night").replace("Tuesday", "Wednesday")
    write_article(folder, "1-copy.json", id="copy", outlet="Mirror", published="2025-02-19", text=copy_text)
    write_article(folder, "2-orig.json", id="orig", outlet="Wire", published="2025-02-18", text=WIRE_TEXT)
    other = (
        WIRE_TEXT.split(". ")[0]
        + ". An unrelated paragraph about OPEC+ quotas and Brent prices follows here."
    )
    write_article(folder, "3-other.json", id="other", outlet="Wire", published="2025-02-18", text=other * 2)
    assert cli("ingest", str(folder), db=db).exit_code == 0
    links = {a["id"]: a["near_duplicate_of"] for a in cli_json("articles", "list", db=db)["articles"]}
    assert links == {"copy": "orig", "orig": None, "other": None}
    # Re-running keeps the same links and changes nothing.
    summary = cli_json("ingest", str(folder), db=db)
    assert summary["unchanged"] == 3
    assert cli_json("status", db=db)["near_duplicates"] == 1


def test_jsonl_on_stdin(db: Path) -> None:
    lines = [
        json.dumps({"id": "s1", "text": WIRE_TEXT}),
        "{not json",
        json.dumps({"id": "s2", "text": "Kazakhstan's oil output rose in March, the ministry said."}),
    ]
    result = cli("ingest", "-", "--json", db=db, stdin="\n".join(lines) + "\n")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["inserted"] == 2
    assert [r["reason"] for r in summary["rejected"]] == ["invalid_json"]
    assert summary["rejected"][0]["origin"].startswith("stdin")


def test_assets_list_show_and_unknown_ids(db: Path) -> None:
    assets = cli_json("assets", "list", "--type", "pumping_station", "--country", "RU", db=None)
    assert "cpc_ps_kropotkinskaya" in {a["id"] for a in assets}
    assert all(a["type"] == "pumping_station" and "RU" in a["country"] for a in assets)
    shown = cli_json("assets", "show", "cpc_ps_kropotkinskaya", db=None)
    assert shown["type"] == "pumping_station"
    assert shown["sources"]
    found = cli_json("assets", "list", "--search", "Кропоткинская", db=None)
    assert [a["id"] for a in found] == ["cpc_ps_kropotkinskaya"]
    missing = cli("assets", "show", "cpc_ps_kropotkinskya", db=None)
    assert missing.exit_code == 5
    assert "cpc_ps_kropotkinskaya" in missing.stderr
    assert cli("articles", "show", "nope", db=db).exit_code == 5


def test_unusable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = cli("status", db=tmp_path / "no" / "such" / "dir.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "hint" in result.stderr


def test_unknown_export_format_and_missing_path(tmp_path: Path, db: Path) -> None:
    assert cli("export", "--format", "xml", db=db).exit_code == 2
    result = cli("ingest", str(tmp_path / "missing.json"), db=db)
    assert result.exit_code in (1, 2)
    assert "missing.json" in result.stderr


def test_demo_corpus_ingests_cleanly_and_idempotently(db: Path) -> None:
    first = cli_json("demo", db=db)
    status = first["status"]
    assert status["articles"] >= 40
    assert status["rejections"] == 0
    assert status["near_duplicates"] >= 3
    assert status["removed_spans_by_kind"].get("promotional", 0) >= 1
    assert status["articles_without_date"] >= 1
    second = cli_json("demo", db=db)
    assert second["ingest"]["inserted"] == 0
    assert second["ingest"]["updated"] == 0
    assert second["status"] == status


@pytest.mark.postgres
def test_ingest_and_export_on_postgresql(tmp_path: Path, pg_settings: Settings) -> None:
    make_mixed_folder(tmp_path / "inputs")
    result = cli("ingest", str(tmp_path / "inputs"), "--quiet", db=pg_settings.db)
    assert result.exit_code == 1
    assert cli_json("status", db=pg_settings.db)["articles"] == GOOD_ARTICLE_COUNT
    exported = json.loads(cli("export", db=pg_settings.db).stdout)
    assert len(exported["articles"]) == GOOD_ARTICLE_COUNT
