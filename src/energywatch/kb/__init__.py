"""The knowledge base: assets with their facts and sources, alias matching, places.

``load_knowledge_base()`` reads and validates the bundled asset file (or another one);
the ``KnowledgeBase`` it returns answers ``get(asset_id)``, ``search(query)`` and
``find_mentions(text)``, and its ``gazetteer`` resolves place names to points.
"""

from energywatch.kb.aliases import normalize_name
from energywatch.kb.gazetteer import Gazetteer
from energywatch.kb.knowledge_base import KnowledgeBase, load_knowledge_base
from energywatch.kb.models import (
    AliasMatch,
    Asset,
    AssetType,
    Capacity,
    CoordQuality,
    HistoryEvent,
    KBMeta,
    LinkConfidence,
    Owner,
    Place,
    SourceRef,
)

__all__ = [
    "AliasMatch",
    "Asset",
    "AssetType",
    "Capacity",
    "CoordQuality",
    "Gazetteer",
    "HistoryEvent",
    "KBMeta",
    "KnowledgeBase",
    "LinkConfidence",
    "Owner",
    "Place",
    "SourceRef",
    "load_knowledge_base",
    "normalize_name",
]
