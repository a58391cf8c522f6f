"""Exports in the DESIGN §11 contract. Evaluation reads these files, so field names and
ids are part of the public interface; ``tests/test_export.py`` pins the shape.

The JSON export is streamed article by article so a large store never has to fit in
memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from energywatch import __version__
from energywatch.models import Article
from energywatch.storage import Store


def article_record(article: Article) -> dict[str, Any]:
    """One article as evaluation and downstream tools see it.

    ``is_incident_report`` is null until the extraction stage has assessed the article:
    "not assessed" and "assessed, not an incident" must not look the same.
    """
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.source.name,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "is_incident_report": None,
        "near_duplicate_of": article.near_duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "incident_ids": [],
        "removed_spans": [
            {"start": s.start, "end": s.end, "kind": s.kind.value} for s in article.removed_spans
        ],
    }


def write_json(store: Store, out: TextIO) -> int:
    """Write the whole export to ``out``; returns the number of articles written."""
    meta = {
        "generator": f"energywatch {__version__}",
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out.write('{"meta": ' + json.dumps(meta) + ',\n "articles": [')
    count = 0
    for article in store.iter_articles():
        out.write(
            ("\n  " if count == 0 else ",\n  ") + json.dumps(article_record(article), ensure_ascii=False)
        )
        count += 1
    out.write('\n ],\n "incidents": []\n}\n')
    return count
