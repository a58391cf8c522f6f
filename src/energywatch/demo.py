"""The bundled demo corpus: fictional outlets reporting real incidents, written by the
energywatch authors (see data/demo/README.md). ``energywatch demo`` ingests it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path


@contextmanager
def demo_articles() -> Iterator[list[Path]]:
    """Paths of the demo article files, valid for the duration of the context."""
    with resources.as_file(resources.files("energywatch") / "data" / "demo" / "articles") as folder:
        yield sorted(p for p in Path(folder).iterdir() if p.suffix in {".json", ".html"})


@contextmanager
def demo_gold() -> Iterator[Path]:
    """Path of the demo corpus gold file (DESIGN §11 gold format)."""
    with resources.as_file(resources.files("energywatch") / "data" / "demo" / "gold.jsonl") as path:
        yield Path(path)
