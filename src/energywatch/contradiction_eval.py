"""Scoring verification against the contradictions written into a corpus.

The gold (``contradictions.jsonl``, one JSON object per line) lists every disagreement
the corpus authors planted, under the gold incident key it belongs to:

    {"key": "kavkazskaya-2025-03-19", "kind": "attribute", "field": "site_rate_tonnes",
     "articles": ["demo-114", "demo-116"], "note": "130 kt/month vs about 300 kt/month"}

``kind`` is what verification should report:

- ``attribute`` — the incident's verdict on ``field`` is *contested*;
- ``kb_conflict`` — a knowledge-base conflict on ``field`` from one of ``articles``;
- ``copy_edit`` — a near-duplicate copy among ``articles`` changed a place or figure.

Each exported incident is mapped to the gold key most of its articles carry in the
article gold. **Recall** is the share of gold entries found on an incident mapped to
their key. **Precision** is the share of reported findings (contested attributes, KB
conflicts, copy edits on any incident) that match a gold entry: a contested attribute
the corpus does not disagree on — an agreed attribute reported as contested — counts
against it, and so does a finding on an incident that maps to no gold key.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from energywatch.errors import ConfigError, InputError
from energywatch.gold import GoldArticle, validation_problem

Kind = Literal["attribute", "kb_conflict", "copy_edit"]


class GoldContradiction(BaseModel):
    """One disagreement planted in the corpus."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    kind: Kind
    field: str
    articles: list[str] = Field(min_length=1)
    note: str = ""


def load_contradictions(path: Path) -> tuple[list[GoldContradiction], str]:
    """The gold entries and the file's sha256; problems name ``file:line``."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read contradiction gold {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    entries = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(GoldContradiction.model_validate_json(line))
        except ValidationError as exc:
            raise ConfigError(f"{path}:{lineno}: {validation_problem(exc)}", "fix the gold line") from exc
    return entries, hashlib.sha256(raw).hexdigest()


def _incident_keys(incidents: Iterable[Mapping[str, Any]], gold: Iterable[GoldArticle]) -> dict[str, str]:
    """Export incident id → the gold key most of its articles carry (ties: first seen)."""
    keys_of = {a.article_id: [i.key for i in a.incidents] for a in gold}
    mapped: dict[str, str] = {}
    for incident in incidents:
        votes = Counter(k for art in incident.get("articles") or [] for k in keys_of.get(str(art), []))
        if votes:
            mapped[str(incident["id"])] = votes.most_common(1)[0][0]
    return mapped


def _findings(incident: Mapping[str, Any]) -> list[tuple[Kind, str, set[str]]]:
    """(kind, field, articles) of everything verification reported on an incident."""
    found: list[tuple[Kind, str, set[str]]] = []
    for item in incident.get("contradictions") or []:
        articles = {c["article"] for v in item.get("versions") or [] for c in v.get("claims") or []}
        found.append(("attribute", str(item["field"]), articles))
    for item in incident.get("kb_conflicts") or []:
        found.append(("kb_conflict", str(item["field"]), {str(item["article"])}))
    for item in incident.get("copy_edits") or []:
        field = "location" if item.get("kind") == "place" else "number"
        found.append(("copy_edit", field, {str(item["article"])}))
    return found


def _matches(entry: GoldContradiction, kind: str, field: str, articles: set[str]) -> bool:
    if entry.kind != kind or entry.field != field:
        return False
    # A contested attribute involves several articles; it matches when it involves one of
    # the gold's. KB conflicts and copy edits come from one article, which must be listed.
    return bool(articles & set(entry.articles))


def score_contradictions(
    export: Mapping[str, Any], gold: Iterable[GoldArticle], entries: list[GoldContradiction]
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Recall/precision metrics and the details of every miss and false finding."""
    incidents = list(export.get("incidents") or [])
    key_of = _incident_keys(incidents, gold)
    found_entries: set[int] = set()
    reported = correct = 0
    details: list[dict[str, Any]] = []
    for incident in incidents:
        key = key_of.get(str(incident["id"]))
        for kind, field, articles in _findings(incident):
            reported += 1
            hits = [n for n, e in enumerate(entries) if e.key == key and _matches(e, kind, field, articles)]
            if hits:
                correct += 1
                found_entries.update(hits)
            else:
                details.append(
                    {
                        "metric": "contradictions.precision",
                        "incident": key or incident["id"],
                        "gold": None,
                        "predicted": f"{kind} {field} ({', '.join(sorted(articles))})",
                    }
                )
    for n, entry in enumerate(entries):
        if n not in found_entries:
            details.append(
                {
                    "metric": "contradictions.recall",
                    "incident": entry.key,
                    "gold": f"{entry.kind} {entry.field} ({', '.join(entry.articles)})",
                    "predicted": None,
                }
            )
    metrics: dict[str, float] = {
        "n.contradictions_gold": float(len(entries)),
        "n.contradictions_reported": float(reported),
    }
    if entries:
        metrics["contradictions.recall"] = len(found_entries) / len(entries)
    if reported:
        metrics["contradictions.precision"] = correct / reported
    return metrics, details
