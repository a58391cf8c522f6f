"""Stable ids: evaluation and re-ingestion key on them."""

from __future__ import annotations

from energywatch.ids import article_id, content_hash, domain_of, normalize_url


def test_given_id_wins_and_is_kept_verbatim() -> None:
    assert article_id(given="a1", url="https://x.test/1", text="body") == "a1"
    assert article_id(given="  demo-101 ", url=None, text="body") == "demo-101"


def test_url_ids_ignore_tracking_case_fragment_and_trailing_slash() -> None:
    a = article_id(given=None, url="https://www.Example.test/news/1/?utm_source=x#top", text="a")
    b = article_id(given=None, url="https://example.test/news/1", text="b")
    assert a == b
    assert a.startswith("u-")
    assert article_id(given=None, url="https://example.test/news/2", text="a") != a


def test_text_ids_ignore_whitespace_and_case() -> None:
    a = article_id(given="", url=None, text="Drones hit  the station.\n")
    assert a == article_id(given=None, url="  ", text="drones hit the station.")
    assert a.startswith("t-")


def test_normalize_url_keeps_meaningful_query_and_port() -> None:
    assert (
        normalize_url("HTTP://Example.test:8080/a?b=2&a=1&fbclid=z") == "http://example.test:8080/a?a=1&b=2"
    )
    assert normalize_url("https://example.test:443/") == "https://example.test"


def test_content_hash_and_domain() -> None:
    assert content_hash("A  b") == content_hash("a b")
    assert domain_of("https://www.meridianwire.example/x") == "meridianwire.example"
    assert domain_of(None) is None
