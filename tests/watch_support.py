"""The story the end-to-end watch tests publish, as HTML pages and an RSS feed.

``tests/data/watch/office-strike.json`` holds our own reports of the drone strike on
the CPC-R office in Novorossiysk (24 September 2025): three reports from three outlets,
then a follow-up raising the injury count. ``Newsroom`` serves them from a
``LocalServer`` one at a time, the way a real feed grows. Free of pytest, so the
benchmark can use it too.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.http_support import LocalServer, rss

STORY = Path(__file__).parent / "data" / "watch" / "office-strike.json"


@dataclass(frozen=True)
class Report:
    slug: str
    outlet: str
    published: dt.datetime
    title: str
    paragraphs: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            slug=data["slug"],
            outlet=data["outlet"],
            published=dt.datetime.fromisoformat(data["published"]),
            title=data["title"],
            paragraphs=tuple(data["paragraphs"]),
        )


def story() -> tuple[list[Report], Report]:
    """(the three first reports, the follow-up)."""
    data = json.loads(STORY.read_text(encoding="utf-8"))
    return [Report.from_json(r) for r in data["reports"]], Report.from_json(data["follow_up"])


def article_page(report: Report) -> bytes:
    """A plain news page: masthead, navigation and footer around the article."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in report.paragraphs)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(report.title)} | {html.escape(report.outlet)}</title>
<meta property="og:site_name" content="{html.escape(report.outlet)}">
<meta property="article:published_time" content="{report.published.isoformat()}">
</head><body>
<header><a href="/">{html.escape(report.outlet)}</a> <nav><a href="/markets">Markets</a></nav></header>
<article><h1>{html.escape(report.title)}</h1>
<time datetime="{report.published.isoformat()}">{report.published:%d %B %Y}</time>
{body}
</article>
<footer>© {html.escape(report.outlet)}. All rights reserved.</footer>
</body></html>"""
    return page.encode("utf-8")


class Newsroom:
    """A feed at ``/feed.xml`` listing the published reports, newest first, each linking
    to its page under ``/news/``."""

    def __init__(self, server: LocalServer, feed_path: str = "/feed.xml") -> None:
        self.server = server
        self.feed_path = feed_path
        self.published: list[Report] = []
        self._render()

    @property
    def feed_url(self) -> str:
        return self.server.url(self.feed_path)

    def page_path(self, report: Report) -> str:
        return f"/news/{report.slug}.html"

    def publish(self, report: Report) -> None:
        self.server.route(self.page_path(report), body=article_page(report), headers=_HTML)
        self.published.append(report)
        self._render()

    def _render(self) -> None:
        items = [
            {
                "id": f"urn:newsroom:{r.slug}",
                "link": self.server.url(self.page_path(r)),
                "title": r.title,
                "published": r.published,
                "summary": r.paragraphs[0],
            }
            for r in reversed(self.published)
        ]
        self.server.route(
            self.feed_path,
            body=rss(items),
            headers={"Content-Type": "application/rss+xml"},
            etag=f'"feed-v{len(self.published)}"',
        )


_HTML = {"Content-Type": "text/html; charset=utf-8"}
