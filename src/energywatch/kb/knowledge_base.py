"""The knowledge base object every stage shares: assets by id, alias matching in text,
and a gazetteer of places.

It is loaded once at each edge (CLI command, app factory, test fixture) and passed
down, never kept in a module global: tests load broken files side by side with the
bundled one.
"""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, PrivateAttr

from energywatch.errors import NotFoundError
from energywatch.kb.aliases import AliasIndex, normalize_name
from energywatch.kb.assets import bundled_path, read_asset_file
from energywatch.kb.gazetteer import Gazetteer
from energywatch.kb.models import AliasMatch, Asset, KBMeta

_RECENT_TEXTS = 8


class KnowledgeBase(BaseModel):
    """Validated assets (in file order) and the indexes built over them."""

    model_config = ConfigDict(frozen=True)

    path: str
    meta: KBMeta
    assets: dict[str, Asset]

    _aliases: AliasIndex = PrivateAttr()
    _keys: dict[str, list[str]] = PrivateAttr()
    _gazetteer: Gazetteer | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    # Extraction asks for the mentions of the same article text several times (events,
    # places, assets); the last few answers are kept. Matches are immutable records.
    _recent: OrderedDict[str, tuple[AliasMatch, ...]] = PrivateAttr(default_factory=OrderedDict)

    def model_post_init(self, context: object, /) -> None:
        self._aliases = AliasIndex(
            (asset.id, alias) for asset in self.assets.values() for alias in (asset.name, *asset.aliases)
        )
        self._keys = {
            asset.id: list(
                dict.fromkeys(
                    k for k in (normalize_name(t) for t in (asset.id, asset.name, *asset.aliases)) if k
                )
            )
            for asset in self.assets.values()
        }

    # ------------------------------------------------------------------ lookups

    def get(self, asset_id: str) -> Asset:
        """The asset with this id; an unknown id raises ``NotFoundError`` naming the
        closest ids (by spelling of the id, the name or an alias)."""
        asset = self.assets.get(asset_id)
        if asset is not None:
            return asset
        raise NotFoundError("asset", asset_id, suggestions=self._suggest(asset_id))

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self.assets

    def __len__(self) -> int:
        return len(self.assets)

    def search(self, query: str) -> list[Asset]:
        """Assets whose id, name or an alias contains ``query`` once both are normalised
        (so "novorossiisk" finds the port); exact matches first, then prefixes, then
        other substrings, each group in file order. A blank query returns every asset."""
        q = normalize_name(query)
        if not q:
            return list(self.assets.values())
        ranked: list[tuple[int, int, Asset]] = []
        for order, asset in enumerate(self.assets.values()):
            keys = self._keys[asset.id]
            if q in keys:
                rank = 0
            elif any(k.startswith(q) for k in keys):
                rank = 1
            elif any(q in k for k in keys):
                rank = 2
            else:
                continue
            ranked.append((rank, order, asset))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [asset for _, _, asset in ranked]

    def find_mentions(self, text: str) -> list[AliasMatch]:
        """Every asset named in ``text``, in text order, with offsets into ``text``.

        Matching works on whole words of the normalised text (see ``kb.aliases``): the
        longest alias wins where several overlap; acronyms must be written in capitals
        and proper names with a capital initial; a one-word name followed by
        "district"/"region"/"район"… is a place, not the asset. When one span is an
        alias of several assets, each of them is returned with that span.
        """
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return list(cached)
        matches = self._scan(text)
        with self._lock:
            self._recent[text] = tuple(matches)
            while len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        return matches

    def _scan(self, text: str) -> list[AliasMatch]:
        matches: list[AliasMatch] = []
        for raw in self._aliases.scan(text):
            seen: set[str] = set()
            for entry in raw.entries:
                if entry.asset_id in seen:
                    continue
                seen.add(entry.asset_id)
                matches.append(
                    AliasMatch(
                        asset_id=entry.asset_id,
                        start=raw.start,
                        end=raw.end,
                        surface=text[raw.start : raw.end],
                        alias=entry.alias,
                    )
                )
        return matches

    def alias_collisions(self) -> dict[str, list[str]]:
        """Normalised names or aliases shared by more than one asset: key → asset ids.
        Such a name is ambiguous in text; ``find_mentions`` reports all its assets."""
        return {
            key: ids
            for key, entries in self._aliases.keys.items()
            if len(ids := list(dict.fromkeys(e.asset_id for e in entries))) > 1
        }

    @property
    def gazetteer(self) -> Gazetteer:
        """Places (GeoNames + supplement + these assets); created on first use and
        loaded on its first lookup."""
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = Gazetteer(self.assets.values())
        return self._gazetteer

    def _suggest(self, query: str, limit: int = 5, cutoff: float = 0.6) -> list[str]:
        """Ids whose id, name or alias reads closest to ``query`` (raw or normalised)."""
        probes = {query, normalize_name(query)} - {""}
        best: dict[str, float] = {}
        matcher = difflib.SequenceMatcher()
        for asset_id, keys in self._keys.items():
            for key in (asset_id, *keys):
                matcher.set_seq2(key)
                for probe in probes:
                    matcher.set_seq1(probe)
                    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                        continue
                    score = matcher.ratio()
                    if score >= cutoff and score > best.get(asset_id, 0.0):
                        best[asset_id] = score
        return sorted(best, key=lambda i: -best[i])[:limit]


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """Load and validate an asset data file (``None``: the file bundled with the
    package). Raises ``KnowledgeBaseError`` listing every problem found."""
    asset_file = read_asset_file(path if path is not None else bundled_path())
    return KnowledgeBase(
        path=asset_file.path,
        meta=asset_file.meta,
        assets={asset.id: asset for asset in asset_file.assets},
    )
