"""The bundled demo corpus: fictional outlets reporting real incidents, written by the
energywatch authors (see data/demo/README.md). ``energywatch demo`` ingests it, and the
near-duplicate evaluation builds its labelled set from it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path


def corpus_dir() -> Path:
    """The demo corpus folder (``articles/``, ``gold.jsonl``, ``outlets.yaml``).

    The package is installed as files (not zipped), so the resource is a real folder.
    """
    return Path(str(resources.files("energywatch") / "data" / "demo"))


@contextmanager
def demo_articles() -> Iterator[list[Path]]:
    """Paths of the demo article files, valid for the duration of the context."""
    folder = corpus_dir() / "articles"
    yield sorted(p for p in folder.iterdir() if p.suffix in {".json", ".html"})


@contextmanager
def demo_gold() -> Iterator[Path]:
    """Path of the demo corpus gold file (DESIGN §11 gold format)."""
    yield corpus_dir() / "gold.jsonl"


@contextmanager
def demo_contradictions() -> Iterator[Path]:
    """Path of the contradictions planted in the demo corpus (``contradiction_eval``)."""
    yield corpus_dir() / "contradictions.jsonl"
