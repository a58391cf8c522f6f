"""Feed parsing and listing-page links: the entries and article URLs the watcher keys
its "is this new?" decisions on, from well-made, broken and hostile documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.http_support import LocalServer, atom, rss

from energywatch.watch.feeds import FEED_TYPES, FeedError, listing_links, parse_feed
from energywatch.watch.fetch import Fetcher, FetchPolicy

FEED_URL = "http://news.example/feeds/energy.xml"
WHEN = dt.datetime(2025, 9, 24, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))

ITEMS: list[dict[str, Any]] = [
    {
        "id": "urn:news:strike-office",
        "link": "/2025/09/strike-office.html",
        "title": "Drone strike on <CPC> office",
        "published": WHEN,
        "summary": '<p>An office of the <b>pipeline</b> operator was hit.</p><script>alert("x")</script>',
        "content": "<p>An office was hit overnight.</p><p>Two people were injured.</p>",
    },
    {"link": "2025/09/refinery-fire.html#comments", "title": "Refinery fire", "summary": "A fire broke out."},
    {"title": "Grid notice", "summary": "Planned outage in the north."},
]


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def refused(content: bytes, **kwargs: str | None) -> FeedError:
    with pytest.raises(FeedError) as caught:
        parse_feed(content, base_url=FEED_URL, **kwargs)
    return caught.value


# --------------------------------------------------------------------------- feeds


@pytest.mark.parametrize("build", [rss, atom], ids=["rss", "atom"])
def test_entries_of_a_well_made_feed(build: Callable[[list[dict[str, Any]]], bytes]) -> None:
    feed = parse_feed(build(ITEMS), base_url=FEED_URL, content_type="application/rss+xml")
    assert feed.title == "Test feed"
    assert feed.problems == []
    first, second, third = feed.items
    assert first.key == "urn:news:strike-office"
    assert first.url == "http://news.example/2025/09/strike-office.html"
    assert first.title == "Drone strike on <CPC> office"
    assert first.published == dt.datetime(2025, 9, 24, 4, 30, tzinfo=dt.UTC)
    assert first.published.utcoffset() == dt.timedelta(0)
    assert first.summary == "An office of the pipeline operator was hit."
    assert first.content == "An office was hit overnight.\n\nTwo people were injured."
    # Relative to the feed's own URL, fragment dropped; without an id, keyed by link.
    assert second.url == "http://news.example/feeds/2025/09/refinery-fire.html"
    assert second.key == "http://news.example/feeds/2025/09/refinery-fire.html"
    assert second.content is None
    # Neither id nor link: keyed by its text, the same on every parse.
    assert third.url is None
    assert third.key.startswith("h:")
    assert parse_feed(build(ITEMS), base_url=FEED_URL).items[2].key == third.key


def test_link_keys_ignore_tracking_and_repeats_are_dropped() -> None:
    items = [
        {"link": "https://www.news.example/a/1?utm_source=rss", "title": "A"},
        {"link": "https://news.example/a/1", "title": "A again"},
        {"id": "urn:x", "title": "B"},
        {"id": "urn:x", "title": "B again"},
        {},
    ]
    feed = parse_feed(rss(items), base_url=FEED_URL)
    assert [i.title for i in feed.items] == ["A", "B"]
    assert feed.items[0].key == "https://news.example/a/1"
    assert feed.items[0].url == "https://www.news.example/a/1?utm_source=rss"  # fetched as published
    assert len(feed.problems) == 3
    assert "entry 5 has no id, link or text; skipped" in feed.problems


def test_only_http_links_become_urls() -> None:
    items = [
        {"id": "1", "link": "javascript:alert(1)", "title": "Script"},
        {"id": "2", "link": "mailto:desk@news.example", "title": "Mail"},
        {"id": "4", "link": "file:///etc/passwd", "summary": "Local file"},
        {"id": "3", "link": "https://news.example/ok", "title": "Fine"},
    ]
    feed = parse_feed(rss(items), base_url=FEED_URL)
    assert [i.url for i in feed.items] == [None, None, None, "https://news.example/ok"]
    assert feed.problems[:2] == [
        "entry 1 links to 'javascript:alert(1)', not an http(s) URL; ignored",
        "entry 2 links to 'mailto:desk@news.example', not an http(s) URL; ignored",
    ]
    assert feed.problems[2].startswith("entry 3 links to 'file:")  # (as feedparser spells it)
    assert len(feed.problems) == 3


def test_broken_xml_keeps_what_can_be_read() -> None:
    body = rss(ITEMS)
    unclosed = body[: body.rindex(b"</channel>")]
    feed = parse_feed(unclosed, base_url=FEED_URL)
    assert [i.title for i in feed.items] == ["Drone strike on <CPC> office", "Refinery fire", "Grid notice"]
    (problem,) = feed.problems
    assert problem.startswith("feed is not well-formed XML:")
    assert problem.endswith("3 entries recovered")
    # Cut inside the last entry's text: what is left of it is only a title, no entry.
    cut = parse_feed(body[: body.rindex(b"north.")], base_url=FEED_URL)
    assert [i.title for i in cut.items] == ["Drone strike on <CPC> office", "Refinery fire"]
    assert cut.problems[1] == "entry 3 has no id, link or text; skipped"
    # A bare ampersand, the most common breakage.
    ampersand = rss([{"id": "1", "title": "Oil & gas"}]).replace(b"Oil &amp; gas", b"Oil & gas")
    feed = parse_feed(ampersand, base_url=FEED_URL)
    assert [i.title for i in feed.items] == ["Oil & gas"]
    assert "not well-formed" in feed.problems[0]


def test_a_feed_with_no_entries_is_empty_not_an_error() -> None:
    feed = parse_feed(rss([]), base_url=FEED_URL)
    assert feed.items == []
    assert feed.problems == []


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (
            b"<!doctype html><html><head><title>News</title></head><body><p>Hi</p></body></html>",
            None,
            "not_a_feed",
        ),
        (b"<html><body><a href='/feed'>feed</a></body></html>", "text/html", "not_a_feed"),
        (b"\x00\x13\xff\xfe\x89PNG binary garbage", "application/xml", "not_a_feed"),
        (b'<?xml version="1.0"?><urlset><url><loc>http://x/</loc></url></urlset>', None, "not_a_feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><chan', "application/rss+xml", "malformed"),
        (b"   \n", None, "empty"),
    ],
    ids=["html", "html-typed", "garbage", "other-xml", "broken-feed", "empty"],
)
def test_what_is_not_a_readable_feed(content: bytes, content_type: str | None, reason: str) -> None:
    assert refused(content, content_type=content_type).reason == reason


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_declarations_are_refused(encoding: str) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<rss version="2.0"><channel><title>&lol2;</title>'
        "<item><guid>1</guid><title>x</title></item></channel></rss>"
    )
    error = refused(laughs.encode(encoding))
    assert error.reason == "malformed"
    assert error.detail == "feed declares XML entities; refused"


def test_the_http_charset_decodes_a_cyrillic_feed() -> None:
    items = [{"id": "1", "title": "Пожар на подстанции", "summary": "<p>Отключены потребители</p>"}]
    # Declared as UTF-8 in the document, but really windows-1251, as the server says.
    body = rss(items).decode().replace(' encoding="utf-8"', "").encode("windows-1251")
    (item,) = parse_feed(
        body, base_url=FEED_URL, content_type="application/rss+xml", charset="windows-1251"
    ).items
    assert (item.title, item.summary) == ("Пожар на подстанции", "Отключены потребители")
    # Declared in the document, with no charset from the server.
    declared = rss(items, encoding="windows-1251")
    assert parse_feed(declared, base_url=FEED_URL).items[0].title == "Пожар на подстанции"
    # UTF-8 served as text/xml without a charset is not read as ASCII.
    assert parse_feed(rss(items), base_url=FEED_URL, content_type="text/xml").items[0].title == (
        "Пожар на подстанции"
    )


def test_summary_html_becomes_plain_text() -> None:
    summary = (
        "<div><p>First&nbsp;paragraph with <a href='/x'>a link</a>\n   and a line\nwrap.</p>"
        "<p>Second<br/>line two</p><style>p{color:red}</style><img src='x.png'/></div>"
    )
    (item,) = parse_feed(rss([{"id": "1", "summary": summary}]), base_url=FEED_URL).items
    assert item.summary == "First paragraph with a link and a line wrap.\n\nSecond\nline two"


def test_a_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    """feedparser opens a string that names a file; our bytes never reach it that way."""
    local = tmp_path / "secret-feed.xml"
    local.write_bytes(rss([{"id": "secret", "title": "Read from disk"}]))
    assert refused(str(local).encode()).reason == "not_a_feed"


def test_a_fetched_feed_parses_with_what_the_server_said(local_server: LocalServer) -> None:
    body = rss(ITEMS, encoding="windows-1251").replace(b' encoding="windows-1251"', b"")
    local_server.route(
        "/feeds/energy.xml", body=body, headers={"Content-Type": "application/rss+xml; charset=windows-1251"}
    )
    policy = FetchPolicy(allow_private=True, min_host_interval_s=0, retries=0, respect_robots=False)
    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(local_server.url("/feeds/energy.xml"), accept=FEED_TYPES)
    feed = parse_feed(
        result.content, base_url=result.url, content_type=result.content_type, charset=result.charset
    )
    assert [i.url for i in feed.items[:2]] == [
        local_server.url("/2025/09/strike-office.html"),
        local_server.url("/feeds/2025/09/refinery-fire.html"),
    ]


# --------------------------------------------------------------------------- listing pages

PAGE_URL = "https://www.news.example/energy/"


def page(body: str, head: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_article_links_in_page_order_absolute_and_once() -> None:
    html = page(
        '<a href="/energy/2025/strike.html">Strike</a>'
        '<a href="2025/fire.html#comments">Fire</a>'
        '<a href="https://news.example/energy/2025/strike.html?utm_campaign=x">Strike again</a>'
        '<a href="/energy/2025/fire.html">Fire again</a>'
        '<a href="https://other.example/story">Elsewhere</a>'
        '<a href="mailto:desk@news.example">Mail</a><a href="javascript:void(0)">Menu</a>'
        '<a href="#top">Top</a><a href="/energy/">This page</a><a>No href</a>'
        '<a href="/static/site.css">css</a><a href="/img/logo.PNG">logo</a><a href="/r/report.pdf">pdf</a>'
    )
    assert listing_links(html, base_url=PAGE_URL) == [
        "https://www.news.example/energy/2025/strike.html",
        "https://www.news.example/energy/2025/fire.html",
    ]
    assert "https://other.example/story" in listing_links(html, base_url=PAGE_URL, same_host=False)


def test_base_href_and_pattern() -> None:
    html = page(
        '<a href="2025/09/strike">Strike</a><a href="about">About</a><a href="2025/09/fire">Fire</a>',
        head='<base href="https://www.news.example/articles/">',
    )
    assert listing_links(html, base_url=PAGE_URL) == [
        "https://www.news.example/articles/2025/09/strike",
        "https://www.news.example/articles/about",
        "https://www.news.example/articles/2025/09/fire",
    ]
    assert listing_links(html, base_url=PAGE_URL, pattern=r"/\d{4}/\d{2}/") == [
        "https://www.news.example/articles/2025/09/strike",
        "https://www.news.example/articles/2025/09/fire",
    ]
    assert listing_links(html, base_url=PAGE_URL, limit=1) == [
        "https://www.news.example/articles/2025/09/strike"
    ]


def test_broken_html_and_other_inputs_are_tolerated() -> None:
    broken = b"<html><body><div><a href='/a/1'>One<a href=/a/2>Two</div></p><table><a href='/a/3'>Three"
    assert listing_links(broken, base_url=PAGE_URL) == [
        "https://www.news.example/a/1",
        "https://www.news.example/a/2",
        "https://www.news.example/a/3",
    ]
    assert listing_links("<a href='/новости/1'>Один</a>", base_url=PAGE_URL) == [
        "https://www.news.example/новости/1"
    ]
    cp1251 = (
        '<html><head><meta charset="windows-1251"></head><body><a href="/новости/2">Два</a></body></html>'
    )
    assert listing_links(cp1251.encode("windows-1251"), base_url=PAGE_URL) == [
        "https://www.news.example/новости/2"
    ]
    assert listing_links(b"", base_url=PAGE_URL) == []
    assert listing_links(b"no links at all", base_url=PAGE_URL) == []
