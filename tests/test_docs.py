"""Documentation stays honest: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from energywatch.cli import app
from energywatch.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in doc, name
        assert f"ENERGYWATCH_{name.upper()}" in doc, name


def _commands(group: typer.Typer, prefix: str = "") -> list[tuple[str, str | None]]:
    found = [
        (prefix + (c.name or c.callback.__name__), c.callback.__doc__)
        for c in group.registered_commands
        if c.callback
    ]
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            found += _commands(sub.typer_instance, f"{prefix}{sub.name} ")
    return found


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands(app)
    assert len(commands) >= 9
    for name, doc in commands:
        assert (doc or "").strip(), f"command {name!r} has no help text"
        assert f"energywatch {name}" in readme, f"command {name!r} is not in the README"


def test_readme_opens_with_the_two_quickstart_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    commands = [
        line.split("#")[0].strip()
        for line in first_block.splitlines()
        if line.strip() and line.strip() != "sh"
    ]
    assert commands == ["make run", "make test"]
