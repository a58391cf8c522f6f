"""A store for API tests: the bundled demo corpus ingested and processed, plus one broken
input so that there is a rejection to list."""

from __future__ import annotations

from pathlib import Path

from energywatch.demo import demo_articles
from energywatch.ingest import ingest
from energywatch.kb import load_knowledge_base
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BROKEN_FILE = "broken.json"


def build_demo_store(settings: Settings, folder: Path) -> None:
    """Ingest the demo corpus and ``folder/broken.json`` (invalid JSON), then process."""
    broken = folder / BROKEN_FILE
    broken.write_text('{"title": "cut off', encoding="utf-8")
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, [*files, broken], settings)
        process(store, load_knowledge_base(), impact_samples=500)
