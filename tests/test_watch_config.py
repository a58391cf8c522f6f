"""The watch config: a complete file loads, and every mistake is named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from energywatch.errors import ConfigError
from energywatch.kb import KnowledgeBase
from energywatch.watch.config import load_config

GOOD_TOML = """
[watch]
timeout = "15s"
min_host_interval = "500ms"
breaker_failures = 3
breaker_cooldown = "10m"

[[sources]]
name = "cpc-news"
type = "feed"
url = "https://example.org/cpc/rss.xml"
interval = "5m"
language = "en"
outlet = { name = "Example Energy", kind = "trade_press", country = "GB" }

[[sources]]
name = "ministry"
type = "page"
url = "https://example.org/news/"
link_pattern = "/news/\\\\d{4}/"
interval = 900

[[sources]]
name = "inbox"
type = "folder"
path = "/tmp/energywatch-inbox"

[[channels]]
type = "console"

[[channels]]
type = "jsonl"
name = "archive"
path = "alerts.jsonl"

[[rules]]
name = "cpc"
assets = ["cpc_pipeline"]
min_severity = "moderate"
channels = ["console", "archive"]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_complete_toml_file_loads(tmp_path: Path, kb: KnowledgeBase) -> None:
    config = load_config(_write(tmp_path, "watch.toml", GOOD_TOML), kb)
    assert [s.name for s in config.sources] == ["cpc-news", "ministry", "inbox"]
    assert config.sources[0].interval == 300.0
    assert config.sources[1].interval == 900.0
    assert config.watch.min_host_interval == 0.5
    assert config.sources[0].outlet is not None
    assert config.sources[0].outlet.country == "GB"
    assert [r.name for r in config.effective_rules()] == ["cpc"]


def test_yaml_is_read_the_same_way(tmp_path: Path) -> None:
    text = """
sources:
  - {name: wire, type: feed, url: "https://example.org/feed", interval: 2m}
channels:
  - {type: console}
"""
    config = load_config(_write(tmp_path, "watch.yaml", text))
    assert config.sources[0].interval == 120.0
    # Without rules every incident goes to every channel.
    assert config.effective_rules()[0].channels == ["console"]


def test_every_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    text = """
[[sources]]
name = "a"
type = "feed"
url = "ftp://example.org/feed"

[[sources]]
name = "b"
type = "feed"
url = "https://example.org/feed"
interval = "soon"
colour = "blue"

[[sources]]
name = "c"
type = "folder"
"""
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, "bad.toml", text))
    message = caught.value.message
    assert "sources[0]" in message
    assert "http://" in message
    assert "sources[1].interval" in message
    assert "not a duration" in message
    assert "sources[1].colour" in message
    assert "sources[2]" in message
    assert "path" in message
    assert caught.value.hint
    assert "docs/watch.md" in caught.value.hint


def test_rules_must_name_configured_channels_and_known_assets(tmp_path: Path, kb: KnowledgeBase) -> None:
    base = '[[sources]]\nname = "a"\ntype = "feed"\nurl = "https://example.org/f"\n'
    missing_channel = base + '[[rules]]\nname = "r"\nchannels = ["pager"]\n'
    with pytest.raises(ConfigError, match="not configured: pager"):
        load_config(_write(tmp_path, "a.toml", missing_channel))
    bad_asset = base + '[[rules]]\nname = "r"\nchannels = ["console"]\nassets = ["cpc_pipelin"]\n'
    with pytest.raises(ConfigError, match="unknown asset 'cpc_pipelin'"):
        load_config(_write(tmp_path, "b.toml", bad_asset), kb)
    bad_type = base + '[[rules]]\nname = "r"\nchannels = ["console"]\ntypes = ["meteor"]\n'
    with pytest.raises(ConfigError, match="unknown incident type 'meteor'"):
        load_config(_write(tmp_path, "c.toml", bad_type))


def test_duplicate_names_and_unreadable_files(tmp_path: Path) -> None:
    dupes = '[[sources]]\nname = "a"\ntype = "feed"\nurl = "https://e.org/f"\n' * 2
    with pytest.raises(ConfigError, match="repeated: a"):
        load_config(_write(tmp_path, "d.toml", dupes))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "e.toml", "[[sources]\nname="))
    with pytest.raises(ConfigError, match="unknown extension"):
        load_config(_write(tmp_path, "f.ini", "x"))
    with pytest.raises(ConfigError, match="sources"):
        load_config(_write(tmp_path, "g.toml", ""))
