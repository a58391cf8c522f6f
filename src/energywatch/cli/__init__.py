"""The ``energywatch`` command line: parse, call the library, print, pick the exit code.

No SQL and no text processing here: each command calls one library function and prints
its result. Library errors are translated once, in ``cli.app.edge``.
"""

# ruff: noqa: I001
from __future__ import annotations

# Importing a command module registers its commands; the order here is the order in
# `energywatch --help`, so the imports are deliberately not sorted.
from energywatch.cli.app import app
from energywatch.cli import store_commands
from energywatch.cli import incident_commands
from energywatch.cli import asset_commands
from energywatch.cli import impact_commands
from energywatch.cli import serve_commands
from energywatch.cli import watch_commands
from energywatch.cli import archive_commands
from energywatch.cli import batch_commands

__all__ = [
    "app",
    "archive_commands",
    "asset_commands",
    "batch_commands",
    "impact_commands",
    "incident_commands",
    "main",
    "serve_commands",
    "store_commands",
    "watch_commands",
]


def main() -> None:
    """Console-script entry point."""
    app(prog_name="energywatch")
