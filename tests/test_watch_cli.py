"""``energywatch watch`` and the watch part of ``energywatch status``, through the CLI,
with a folder source (no network needed)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.watch_support import story
from typer.testing import CliRunner

from energywatch.cli import app

runner = CliRunner()


def _config(tmp_path: Path, inbox: Path) -> Path:
    path = tmp_path / "watch.toml"
    path.write_text(
        f"""
[[sources]]
name = "inbox"
type = "folder"
path = "{inbox}"
interval = "1s"
outlet = {{ name = "Harbour Wire", kind = "wire", country = "GB" }}

[[channels]]
type = "jsonl"
name = "archive"
path = "{tmp_path / "alerts.jsonl"}"
""",
        encoding="utf-8",
    )
    return path


def _drop(inbox: Path, index: int) -> None:
    """Write one report as a JSON article, dated in the past (the folder source skips
    files modified in the last second, which may still be being written)."""
    reports, follow_up = story()
    report = [*reports, follow_up][index]
    path = inbox / f"{report.slug}.json"
    record = {
        "id": report.slug,
        "outlet": report.outlet,
        "title": report.title,
        "published": report.published.isoformat(),
        "text": "\n\n".join(report.paragraphs),
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    old = time.time() - 10
    os.utime(path, (old, old))


def test_check_once_and_status(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = _config(tmp_path, inbox)
    db = str(tmp_path / "ew.db")

    checked = runner.invoke(app, ["watch", "--config", str(config), "--check"])
    assert checked.exit_code == 0, checked.output
    assert "1 sources, 1 channels, 1 rules — OK" in checked.output

    _drop(inbox, 0)
    first = runner.invoke(app, ["watch", "--config", str(config), "--db", db, "--once"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["ingested"] == 1
    assert len(summary["alerts"]) == 1
    assert summary["delivered"] == 1

    again = json.loads(runner.invoke(app, ["watch", "--config", str(config), "--db", db, "--once"]).stdout)
    assert again["new_items"] == 0
    assert again["alerts"] == []

    # Forgetting the sources reads the file again, but the ledger still knows the incident.
    reset = runner.invoke(app, ["watch", "--config", str(config), "--db", db, "--once", "--reset-sources"])
    assert json.loads(reset.stdout)["alerts"] == []
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 1

    status = json.loads(runner.invoke(app, ["status", "--db", db, "--json"]).stdout)
    (source,) = status["watch"]["sources"]
    assert source["name"] == "inbox"
    assert source["kind"] == "folder"
    assert source["last_success_at"]
    assert source["items_by_status"] == {"ingested": 1}
    assert status["watch"]["deliveries"] == {"archive": {"delivered": 1}}
    table = runner.invoke(app, ["status", "--db", db])
    assert "watched sources" in table.output
    assert "inbox" in table.output


def test_config_errors_exit_2_with_a_hint(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["watch", "--db", str(tmp_path / "ew.db")])
    assert missing.exit_code == 2
    assert "no watch config given" in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nname = "x"\ntype = "feed"\n', encoding="utf-8")
    result = runner.invoke(app, ["watch", "--config", str(bad), "--check"])
    assert result.exit_code == 2
    assert "sources[0]" in result.output
    assert "needs `url`" in result.output
    result = runner.invoke(app, ["watch", "--config", str(bad), "--log-format", "xml"])
    assert result.exit_code == 2
    assert "unknown log format" in result.output
