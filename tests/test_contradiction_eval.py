"""Scoring verification findings against planted contradictions (``contradiction_eval``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from energywatch.contradiction_eval import GoldContradiction, load_contradictions, score_contradictions
from energywatch.errors import ConfigError
from energywatch.gold import GoldArticle


def _gold(article_id: str, key: str) -> GoldArticle:
    return GoldArticle.model_validate(
        {
            "article_id": article_id,
            "is_incident_report": True,
            "near_duplicate_of": None,
            "incidents": [{"key": key, "type": "drone_strike", "date": "2025-03-19", "assets": []}],
        }
    )


def _claim(article: str) -> dict[str, Any]:
    return {"article": article}


TWO_SIDES = [{"claims": [_claim("a1")]}, {"claims": [_claim("a2")]}]
GOLD = [_gold("a1", "k1"), _gold("a2", "k1"), _gold("b1", "k2")]
EXPORT: dict[str, Any] = {
    "incidents": [
        {
            "id": "inc-1",
            "articles": ["a1", "a2"],
            "contradictions": [
                {
                    "field": "site_rate_tonnes",
                    "versions": [{"claims": [_claim("a1")]}, {"claims": [_claim("a2")]}],
                },
                {"field": "weapon", "versions": [{"claims": [_claim("a1")]}, {"claims": [_claim("a2")]}]},
            ],
            "kb_conflicts": [{"field": "location", "article": "a2"}],
            "copy_edits": [],
        },
        {
            "id": "inc-2",
            "articles": ["b1"],
            "contradictions": [],
            "kb_conflicts": [],
            "copy_edits": [{"kind": "place", "article": "b1"}],
        },
    ]
}


def test_recall_and_precision_count_planted_and_reported_findings() -> None:
    entries = [
        GoldContradiction(key="k1", kind="attribute", field="site_rate_tonnes", articles=["a1", "a2"]),
        GoldContradiction(key="k1", kind="kb_conflict", field="location", articles=["a2"]),
        GoldContradiction(key="k2", kind="copy_edit", field="location", articles=["b1"]),
        GoldContradiction(key="k2", kind="attribute", field="date", articles=["b1"]),
    ]
    metrics, details = score_contradictions(EXPORT, GOLD, entries)
    assert metrics["contradictions.recall"] == 3 / 4
    # The contested weapon is not planted: an agreed attribute reported as contested.
    assert metrics["contradictions.precision"] == 3 / 4
    assert {d["metric"] for d in details} == {"contradictions.recall", "contradictions.precision"}
    assert any(d["predicted"] == "attribute weapon (a1, a2)" for d in details)


def test_a_finding_on_the_wrong_incident_does_not_count() -> None:
    entries = [GoldContradiction(key="k2", kind="kb_conflict", field="location", articles=["a2"])]
    metrics, _ = score_contradictions(EXPORT, GOLD, entries)
    assert metrics["contradictions.recall"] == 0.0


def test_the_gold_file_is_validated_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "contradictions.jsonl"
    path.write_text(
        '{"key": "k1", "kind": "attribute", "field": "date", "articles": ["a1"]}\n\n'
        '{"key": "k1", "kind": "rumour", "field": "date", "articles": ["a1"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"contradictions.jsonl:3"):
        load_contradictions(path)
    path.write_text(
        '{"key": "k1", "kind": "attribute", "field": "date", "articles": ["a1"]}\n', encoding="utf-8"
    )
    entries, sha = load_contradictions(path)
    assert [e.field for e in entries] == ["date"]
    assert len(sha) == 64
