"""Known outlets and their metadata (kind, country, reliability prior).

An article names its outlet by free text; this registry turns that name (or the
URL's domain) into a ``Source``. Unknown outlets are kept as they are named, with
kind ``unknown`` and a neutral prior — never dropped.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from energywatch.ids import domain_of
from energywatch.models import Source

_REGISTRY_FILES = ("demo/outlets.yaml",)
UNNAMED_OUTLET = "unknown"
"""The outlet of an article that names none and has no URL to name it by."""


@lru_cache(maxsize=1)
def known_outlets() -> tuple[Source, ...]:
    """Outlets described in the bundled registry files (read once per process)."""
    found: list[Source] = []
    base = resources.files("energywatch") / "data"
    for name in _REGISTRY_FILES:
        data: Any = yaml.safe_load((base / name).read_text(encoding="utf-8")) or {}
        found.extend(Source.model_validate(entry) for entry in data.get("outlets", []))
    return tuple(found)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def resolve_source(outlet: str | None, url: str | None) -> Source:
    """The Source for an article, from its outlet name, else its URL's domain."""
    domain = domain_of(url)
    by_name = {_key(s.name): s for s in known_outlets()}
    by_domain = {s.domain: s for s in known_outlets() if s.domain}
    if outlet and outlet.strip():
        known = by_name.get(_key(outlet))
        if known is not None:
            return known
        return Source(name=" ".join(outlet.split()), domain=domain)
    if domain:
        return by_domain.get(domain) or Source(name=domain, domain=domain)
    return Source(name=UNNAMED_OUTLET)
