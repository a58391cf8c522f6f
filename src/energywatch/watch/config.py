"""The watch configuration file: what to poll, how politely, and who to alert about what.

TOML (``.toml``) or YAML (``.yaml``/``.yml``); the same keys either way, documented with a
full example in docs/watch.md. Every mistake is reported at start-up, all at once, with
its place in the file ("sources[2].interval: …"), because a watcher that dies an hour
later on a typo in its third source is worse than one that refuses to start.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from energywatch.errors import ConfigError
from energywatch.extract.taxonomy import CATEGORIES, TAXONOMY
from energywatch.kb import KnowledgeBase
from energywatch.models import SourceKind
from energywatch.watch.channels import ChannelConfig, ConsoleChannelConfig

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)?\s*$")


def _seconds(value: Any) -> Any:
    """ "90s", "5m", "1.5h", a bare number (seconds) or a timedelta → seconds."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m is None:
            raise ValueError(f"{value!r} is not a duration; write e.g. 30s, 5m, 1h")
        return float(m.group(1)) * _UNITS[m.group(2) or "s"]
    return value


Seconds = Annotated[float, BeforeValidator(_seconds)]
Severity = Literal["low", "moderate", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "moderate", "high", "critical")
Consensus = Literal["agreed", "single-source", "contested"]
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutletConfig(_Model):
    """What the source is, for source scores: stored as the outlet of its articles."""

    name: str = Field(min_length=1, max_length=200)
    kind: SourceKind = SourceKind.unknown
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    reliability_prior: float | None = Field(default=None, ge=0.0, le=1.0)


class SourceConfig(_Model):
    """One thing to poll: an RSS/Atom feed, a listing page whose links are articles, or
    a local folder where another tool drops files."""

    name: str = Field(pattern=_NAME)
    type: Literal["feed", "page", "folder"]
    url: str | None = None
    path: Path | None = None
    interval: Seconds = Field(default=300.0, ge=0.2, description="seconds between polls")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    outlet: OutletConfig | None = None
    enabled: bool = True
    allow_private: bool = Field(
        default=False, description="allow private, loopback and link-local addresses (tests, intranets)"
    )
    respect_robots: bool = True
    fetch_articles: bool = Field(
        default=True, description="feed: fetch each item's page; false: use the feed's own text"
    )
    link_pattern: str | None = Field(default=None, description="page: regex an article link must match")
    same_host: bool = True
    max_items: int = Field(default=50, ge=1, le=1000, description="new items taken per poll")
    timeout: Seconds | None = Field(default=None, gt=0)
    max_bytes: int | None = Field(default=None, ge=1024)

    @field_validator("link_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"link_pattern is not a regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _target(self) -> SourceConfig:
        if self.type == "folder":
            if self.path is None or self.url is not None:
                raise ValueError("a folder source needs `path` (and no `url`)")
        else:
            if self.url is None or self.path is not None:
                raise ValueError(f"a {self.type} source needs `url` (and no `path`)")
            if not re.match(r"^https?://[^/\s]+", self.url):
                raise ValueError(f"url {self.url!r} must be an absolute http:// or https:// URL")
        if self.link_pattern is not None and self.type != "page":
            raise ValueError("link_pattern only applies to page sources")
        return self

    @property
    def target(self) -> str:
        return str(self.path) if self.type == "folder" else str(self.url)


class RuleConfig(_Model):
    """Which incidents alert which channels. Every condition given must hold; a list
    condition holds when any of its values matches."""

    name: str = Field(pattern=_NAME)
    channels: list[str] = Field(min_length=1)
    assets: list[str] = Field(default_factory=list, description="KB ids; a pipeline covers its components")
    countries: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    min_severity: Severity | None = None
    min_impact_bpd: float | None = Field(default=None, ge=0, description="P50 lost Kazakh exports, b/d")
    consensus: list[Consensus] = Field(default_factory=list)
    min_outlets: int | None = Field(default=None, ge=1, description="independent outlets reporting it")

    @field_validator("countries")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"country {code!r} is not an ISO 3166-1 alpha-2 code such as 'RU'")
        return value

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in CATEGORIES:
                raise ValueError(f"unknown category {name!r}; choose from {', '.join(CATEGORIES)}")
        return value

    @field_validator("types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        known = {row.type for row in TAXONOMY}
        for name in value:
            if name not in known:
                raise ValueError(f"unknown incident type {name!r}; see docs/extraction.md")
        return value


class WatchOptions(_Model):
    """Settings shared by all sources (a source's own ``timeout``/``max_bytes`` win)."""

    user_agent: str = "energywatch/0.1 (incident monitor; +https://github.com/energywatch/energywatch)"
    timeout: Seconds = Field(default=10.0, gt=0)
    max_bytes: int = Field(default=5_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    retries: int = Field(default=2, ge=0, le=10)
    min_host_interval: Seconds = Field(default=1.0, ge=0)
    breaker_failures: int = Field(default=5, ge=1, description="failed polls in a row that open the breaker")
    breaker_cooldown: Seconds = Field(default=600.0, gt=0, description="how long an open breaker waits")
    item_retries: int = Field(default=3, ge=1, description="attempts at an article page before giving up")
    alert_existing: bool = Field(
        default=False, description="alert on incidents already stored when the watcher first starts"
    )
    impact_change: float = Field(
        default=0.25, gt=0, description="relative move of the P50 impact that counts as material"
    )
    delivery_attempts: int = Field(default=8, ge=1, description="outbox attempts before a delivery fails")


def _default_channels() -> list[ChannelConfig]:
    return [ConsoleChannelConfig()]


class WatchConfig(_Model):
    """The whole file. Without ``rules``, every new or changed incident goes to every channel."""

    watch: WatchOptions = Field(default_factory=WatchOptions)
    sources: list[SourceConfig] = Field(min_length=1)
    channels: list[ChannelConfig] = Field(default_factory=_default_channels)
    rules: list[RuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> WatchConfig:
        for what, names in (
            ("source", [s.name for s in self.sources]),
            ("channel", [c.name for c in self.channels]),
            ("rule", [r.name for r in self.rules]),
        ):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{what} names must be unique; repeated: {', '.join(dupes)}")
        channels = {c.name for c in self.channels}
        for rule in self.rules:
            missing = [c for c in rule.channels if c not in channels]
            if missing:
                raise ValueError(
                    f"rule {rule.name!r} names channels that are not configured: {', '.join(missing)} "
                    f"(configured: {', '.join(sorted(channels))})"
                )
        return self

    def effective_rules(self) -> list[RuleConfig]:
        if self.rules:
            return list(self.rules)
        return [RuleConfig(name="all", channels=[c.name for c in self.channels])]


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_config(data: Any, origin: str) -> WatchConfig:
    """Validate already-parsed data; all errors in one ConfigError naming their place."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the file must hold a table/mapping at the top level", _HINT)
    try:
        return WatchConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            # Discriminated unions add the tag to the location ("channels[0].webhook.url").
            message = e["msg"].removeprefix("Value error, ")
            lines.append(f"  {_location(tuple(e['loc']))}: {message}")
        raise ConfigError(f"{origin}: {len(lines)} problem(s):\n" + "\n".join(lines), _HINT) from None


_HINT = "fix the file and start again; docs/watch.md has a complete example"


def load_config(path: Path, kb: KnowledgeBase | None = None) -> WatchConfig:
    """Read and validate a config file; with ``kb``, rule asset ids must exist in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"watch config {path} does not exist", "pass --config with a TOML or YAML file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read watch config {path}: {exc}", "check the path and that it is UTF-8"
        ) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix in {".yaml", ".yml"}:
            data = yaml.safe_load(text)
        else:
            raise ConfigError(
                f"watch config {path} has an unknown extension {suffix!r}", "name it .toml, .yaml or .yml"
            )
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {exc}", _HINT) from None
    config = parse_config(data, str(path))
    if kb is not None:
        problems = [
            f"  rules.{rule.name}.assets: unknown asset {asset!r}"
            for rule in config.rules
            for asset in rule.assets
            if asset not in kb
        ]
        if problems:
            raise ConfigError(
                f"{path}: {len(problems)} problem(s):\n" + "\n".join(problems),
                "list valid ids with `energywatch assets list`",
            )
    return config
