"""Citations: which article is ``[n]`` and which knowledge-base sources a brief names.

Every statement in a brief cites its evidence. ``Citations`` is the one register the
whole brief is built against, so an article has the same number in every section, the
Sources list is numbered in order of first citation, and each KB source id (``S135``) is
listed once with the URL found on the assets it was cited for. ``dedupe`` merges the
citations of points that say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from energywatch.brief.formatting import as_day
from energywatch.brief.model import ArticleLike, KBSource, Point, SourceEntry
from energywatch.kb import KnowledgeBase


class Citations:
    """Numbers articles in order of first citation and collects KB sources."""

    def __init__(self, articles: Mapping[str, ArticleLike]) -> None:
        self.articles = articles
        self.numbers: dict[str, int] = {}
        self.copies: set[str] = set()
        self.kb: dict[str, KBSource] = {}

    def cite(self, article_ids: Iterable[str]) -> list[int]:
        out: list[int] = []
        for article_id in article_ids:
            number = self.numbers.setdefault(article_id, len(self.numbers) + 1)
            if number not in out:
                out.append(number)
        return sorted(out)

    def outlet(self, article_id: str) -> str:
        article = self.articles.get(article_id)
        return article.outlet if article is not None else f"unknown outlet ({article_id})"

    def kb_cite(self, kb: KnowledgeBase, ids: Iterable[str], assets: Iterable[str] = ()) -> list[str]:
        """Register KB source ids, finding their URLs on the given assets (or any asset)."""
        wanted = list(dict.fromkeys(ids))
        pool = [kb.get(a) for a in assets if a in kb] or list(kb.assets.values())
        for source_id in wanted:
            if source_id in self.kb and self.kb[source_id].url:
                continue
            ref = next((s for a in pool for s in a.sources if s.id == source_id), None)
            if ref is None:
                ref = next((s for a in kb.assets.values() for s in a.sources if s.id == source_id), None)
            self.kb[source_id] = KBSource(
                id=source_id, url=ref.url if ref else None, note=ref.note if ref else None
            )
        return wanted

    def entries(self) -> list[SourceEntry]:
        out = []
        for article_id, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            article = self.articles.get(article_id)
            out.append(
                SourceEntry(
                    number=number,
                    article_id=article_id,
                    outlet=self.outlet(article_id),
                    title=article.title if article else None,
                    url=article.url if article else None,
                    published=as_day(article.published) if article else None,
                    copy_of_another=article_id in self.copies,
                )
            )
        return out


def dedupe(points: list[Point]) -> list[Point]:
    seen: dict[str, Point] = {}
    for point in points:
        if point.text in seen:
            old = seen[point.text]
            seen[point.text] = Point(
                text=point.text,
                cites=sorted(set(old.cites) | set(point.cites)),
                kb_cites=list(dict.fromkeys(old.kb_cites + point.kb_cites)),
            )
        else:
            seen[point.text] = point
    return list(seen.values())
