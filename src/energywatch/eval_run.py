"""Running an evaluation: the real pipeline over a corpus, scored against gold.

Everything runs into a fresh temporary database, exactly as a user's ``ingest`` then
``process`` would, and the DESIGN §11 export is what gets scored, so the numbers
measure the product and not a shortcut around it.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from energywatch.evaluation import EvalReport, evaluate, load_gold
from energywatch.export import write_json
from energywatch.ingest import ingest
from energywatch.kb import KnowledgeBase
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store


def run_eval(articles: Sequence[str | Path], gold_path: Path, kb: KnowledgeBase) -> EvalReport:
    """Ingest and process ``articles`` into a temporary store, export, and score."""
    gold = load_gold(gold_path)
    with tempfile.TemporaryDirectory(prefix="energywatch-eval-") as tmp:
        settings = Settings(db=str(Path(tmp) / "eval.db"))
        with Store.open(settings) as store:
            ingest(store, list(articles), settings)
            process(store, kb)
            buffer = io.StringIO()
            write_json(store, kb, buffer)
    return evaluate(json.loads(buffer.getvalue()), gold)
