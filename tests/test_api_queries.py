"""``api.queries``: the cached source scores behind incident detail and briefs, and the
verdict filter of the incident listing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.api_support import build_demo_store

from energywatch.api.queries import Assessor, incident_page
from energywatch.export import incident_records
from energywatch.ingest import ingest
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("queries")
    settings = Settings(db=str(folder / "ew.db"))
    build_demo_store(settings, folder)
    return settings.db


@pytest.fixture
def store(demo_db: str, tmp_path: Path) -> Iterator[Store]:
    shutil.copy(demo_db, tmp_path / "ew.db")
    with Store.open(Settings(db=str(tmp_path / "ew.db"))) as opened:
        yield opened


def _new_outlet_article(folder: Path) -> Path:
    path = folder / "new.json"
    text = "Drones struck the Afipsky refinery overnight on 3 March 2025, the regional governor said."
    path.write_text(json.dumps({"id": "n-1", "outlet": "Brand New Wire", "text": text}), encoding="utf-8")
    return path


def test_records_equal_the_export_and_scores_are_computed_once(store: Store, kb: KnowledgeBase) -> None:
    assessor = Assessor(store, kb, recheck_seconds=3600)
    expected = {r["id"]: r for r in incident_records(store, kb)}
    first = assessor.scores()
    for incident_id, record in expected.items():
        assert assessor.record(incident_id) == record
    assert assessor.scores() is first


def test_a_changed_store_is_rescored_in_the_background(
    store: Store, kb: KnowledgeBase, tmp_path: Path
) -> None:
    assessor = Assessor(store, kb, recheck_seconds=0)
    before = assessor.scores()
    assert "Brand New Wire" not in before
    ingest(store, [_new_outlet_article(tmp_path)], Settings(db=str(store.engine.url.database)))
    assert assessor.scores() is before  # the previous scores, while the new ones are computed
    assessor.wait(timeout=120)
    after = assessor.scores()
    assert after is not before
    assert "Brand New Wire" in after


def test_without_background_a_change_is_rescored_at_once(
    store: Store, kb: KnowledgeBase, tmp_path: Path
) -> None:
    assessor = Assessor(store, kb, recheck_seconds=3600, background=False)
    before = assessor.scores()
    ingest(store, [_new_outlet_article(tmp_path)], Settings(db=str(store.engine.url.database)))
    assert assessor.scores() is before  # not rechecked yet
    assessor.invalidate()
    assert "Brand New Wire" in assessor.scores()


def test_unknown_incident_raises_not_found(store: Store, kb: KnowledgeBase) -> None:
    from energywatch.errors import NotFoundError

    with pytest.raises(NotFoundError):
        Assessor(store, kb).record("inc-nope")


def test_status_filter_defaults_to_the_bundled_knowledge_base(store: Store, kb: KnowledgeBase) -> None:
    with_kb = incident_page(store, status="contested", kb=kb, limit=500)
    assert incident_page(store, status="contested", limit=500) == with_kb
    assert with_kb[0] == len(with_kb[1]) > 0
