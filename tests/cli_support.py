"""The command line as a child process, for tests and benchmarks that need a real
``energywatch`` process (signals, Ray, a server): always this interpreter, never
whatever ``energywatch`` happens to be on PATH."""

from __future__ import annotations

import sys


def energywatch_argv(*args: str) -> list[str]:
    """argv that runs ``energywatch ARGS…`` with the current Python."""
    return [sys.executable, "-c", "from energywatch.cli import main; main()", *args]
