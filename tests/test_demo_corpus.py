"""The bundled demo corpus keeps the properties the quickstart and the evaluation rely on."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import yaml

from energywatch.demo import corpus_dir, demo_articles, demo_gold
from energywatch.kb import load_knowledge_base
from energywatch.models import RawArticle
from energywatch.readers import read_inputs


def _gold() -> list[dict[str, Any]]:
    with demo_gold() as path:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _articles() -> dict[str, RawArticle]:
    with demo_articles() as files:
        items = list(read_inputs(files, max_bytes=10 * 1024 * 1024))
    assert all(isinstance(i, RawArticle) for i in items), [i for i in items if not isinstance(i, RawArticle)]
    found: dict[str, RawArticle] = {}
    for item in items:
        assert isinstance(item, RawArticle)
        found[item.id or f"url:{item.url}"] = item
    return found


def test_corpus_size_formats_and_outlets() -> None:
    articles = _articles()
    assert len(articles) >= 40
    with demo_articles() as files:
        assert sum(p.suffix == ".html" for p in files) >= 3
    outlets_file = corpus_dir() / "outlets.yaml"
    known = {o["name"] for o in yaml.safe_load(outlets_file.read_text(encoding="utf-8"))["outlets"]}
    assert all(name.endswith("(demo)") for name in known)
    assert {a.outlet for a in articles.values()} <= known
    assert any(a.published is None for a in articles.values())


def test_gold_covers_every_article_with_known_assets() -> None:
    articles, gold = _articles(), _gold()
    assert {g["article_id"] for g in gold} == set(articles)
    kb = load_knowledge_base()
    for line in gold:
        for incident in line["incidents"]:
            assert set(incident["assets"]) <= set(kb.assets), (line["article_id"], incident["assets"])


def test_incidents_are_covered_by_several_outlets_with_copies_and_negatives() -> None:
    articles, gold = _articles(), _gold()
    outlets_per_incident: dict[str, set[str]] = defaultdict(set)
    for line in gold:
        for incident in line["incidents"]:
            outlets_per_incident[incident["key"]].add(articles[line["article_id"]].outlet or "")
    well_covered = [key for key, outlets in outlets_per_incident.items() if len(outlets) >= 3]
    assert len(well_covered) >= 6, outlets_per_incident
    assert sum(1 for g in gold if g.get("near_duplicate_of")) >= 4
    assert sum(1 for g in gold if not g["is_incident_report"]) >= 12
