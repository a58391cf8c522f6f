"""Records of the knowledge base: assets with their facts and sources, places, and
alias matches found in text (DESIGN §6).

Every fact an asset carries keeps the ids of the sources behind it, and the asset lists
those sources with their URLs, so a number shown to an analyst can always be traced
back to a publication. Disagreeing sources are kept side by side (several capacity
entries for one quantity), never averaged here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
SOURCE_ID_PATTERN = r"^[A-Z][A-Za-z0-9]*$"


class KBRecord(BaseModel):
    """Base for knowledge-base records: unknown keys are errors, so a typo in the data
    file ("upsteam") is reported instead of silently dropping a link."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetType(StrEnum):
    """What kind of site an asset is; the impact model treats each kind differently."""

    field = "field"
    pipeline = "pipeline"
    pumping_station = "pumping_station"
    terminal = "terminal"
    mooring = "mooring"
    gas_plant = "gas_plant"
    refinery = "refinery"
    port = "port"
    office = "office"


class CoordQuality(StrEnum):
    """How far a point can be trusted. Only ``site_sourced`` is the site itself; every
    ``*_proxy`` stands in for a site whose position was not found."""

    site_sourced = "site_sourced"
    settlement_proxy = "settlement_proxy"
    gazetteer_settlement_proxy = "gazetteer_settlement_proxy"
    district_proxy = "district_proxy"
    field_centroid_proxy = "field_centroid_proxy"
    route_point_proxy = "route_point_proxy"
    parent_asset_proxy = "parent_asset_proxy"
    derived_low = "derived_low"
    third_party_unverified = "third_party_unverified"
    none = "none"


class LinkConfidence(StrEnum):
    """How sure the flow order is; ``low`` means inferred from geography."""

    high = "high"
    medium = "medium"
    low = "low"


class SourceRef(KBRecord):
    """A publication an entry relies on. ``id`` is the key used by capacity and history
    entries (S-numbers from the research notes, G-numbers for third-party files)."""

    id: str = Field(pattern=SOURCE_ID_PATTERN)
    url: str | None = None
    note: str | None = None


class Owner(KBRecord):
    """A holder of an asset. ``stake_pct`` is null when no share was published."""

    holder: str = Field(min_length=1)
    stake_pct: float | None = Field(default=None, ge=0.0, le=100.0)
    note: str | None = None


class Capacity(KBRecord):
    """One reported quantity. ``value`` stays text when the source gives a compound
    figure ("1016/1067" mm); ``basis`` says what the number measures."""

    value: float | str
    unit: str = Field(min_length=1)
    basis: str = ""
    sources: list[str] = Field(default_factory=list)


class HistoryEvent(KBRecord):
    """A past incident at the asset. ``date`` is ISO text and may be a range
    ("2022-07-04/2022-07-05") or coarse ("2025-12"), as reported."""

    date: str = Field(min_length=1)
    event: str = Field(min_length=1)
    impact: str | None = None
    sources: list[str] = Field(default_factory=list)


class Asset(KBRecord):
    """An entry of the knowledge base. The id is stable: external evaluation uses it."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    type: AssetType
    subtype: str | None = None
    operator: str | None = None
    owners: list[Owner] = Field(default_factory=list)
    owners_note: str | None = None
    country: list[str] = Field(min_length=1)
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    coord_quality: CoordQuality = CoordQuality.none
    coord_note: str | None = None
    coord_place: str | None = Field(
        default=None, description="gazetteer settlement whose point stands in for the site"
    )
    line: list[tuple[float, float]] = Field(
        default_factory=list, description="route waypoints [lat, lon] of a linear asset"
    )
    capacity: list[Capacity] = Field(default_factory=list)
    upstream: list[str] = Field(default_factory=list)
    downstream: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    link_confidence: LinkConfidence | None = None
    history: list[HistoryEvent] = Field(default_factory=list)
    verification: str | None = None
    notes: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)

    @field_validator("country")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        for code in value:
            if len(code) != 2 or not code.isascii() or not code.isupper():
                raise ValueError(f"country code {code!r} is not ISO 3166-1 alpha-2 (e.g. 'RU', 'KZ')")
        return value

    @field_validator("lat")
    @classmethod
    def _lat_range(cls, value: float | None) -> float | None:
        if value is not None and not -90.0 <= value <= 90.0:
            raise ValueError(f"latitude {value} is outside [-90, 90]")
        return value

    @field_validator("lon")
    @classmethod
    def _lon_range(cls, value: float | None) -> float | None:
        if value is not None and not -180.0 <= value <= 180.0:
            raise ValueError(f"longitude {value} is outside [-180, 180]")
        return value

    @field_validator("line")
    @classmethod
    def _line_points(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for n, (lat, lon) in enumerate(value, 1):
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                raise ValueError(f"line point {n} ({lat}, {lon}) is outside the lat/lon range")
        return value

    @model_validator(mode="after")
    def _coordinates_consistent(self) -> Asset:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must both be set or both be null")
        if self.lat is None and self.coord_quality is not CoordQuality.none:
            raise ValueError(f"coord_quality is {self.coord_quality.value!r} but there are no coordinates")
        if self.lat is not None and self.coord_quality is CoordQuality.none:
            raise ValueError("coordinates are set but coord_quality is 'none'; say how good they are")
        if self.coord_quality is CoordQuality.gazetteer_settlement_proxy and not self.coord_place:
            raise ValueError("a gazetteer_settlement_proxy needs coord_place (the settlement used)")
        return self

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def source_ids(self) -> set[str]:
        return {s.id for s in self.sources}


class UnitConversions(KBRecord):
    """Conversion factors the impact model uses, with their sources."""

    cpc_blend_bbl_per_tonne: float = Field(gt=0)
    cpc_blend_bbl_per_tonne_range: tuple[float, float]
    kz_total_liquids_bbl_per_tonne: float = Field(gt=0)
    rule_of_thumb: str = ""
    sources: list[str] = Field(default_factory=list)


YearlyValue = float | str | None  # text when sources conflict ("63.8 vs 64.8")


class OilTotals(KBRecord):
    """Kazakhstan's national oil production and exports (Mt)."""

    production: dict[int, YearlyValue]
    exports: dict[int, YearlyValue]
    sources: list[str] = Field(default_factory=list)


class CpcThroughput(KBRecord):
    """Tonnes moved through CPC each year (Mt): all shippers and Kazakh origin."""

    total: dict[int, YearlyValue]
    kazakh_origin: dict[int, YearlyValue]
    sources: list[str] = Field(default_factory=list)


class KBMeta(KBRecord):
    """File-level facts: provenance, status, conversions and national totals."""

    title: str
    status: str = ""
    derived_from: str = ""
    schema_notes: dict[str, str] = Field(default_factory=dict)
    units_and_conversions: UnitConversions
    kazakhstan_oil_totals_mt: OilTotals
    cpc_throughput_mt: CpcThroughput
    not_modelled_as_assets: str = ""


PlaceFeature = Literal["country", "admin", "city", "asset"]


class Place(KBRecord):
    """A gazetteer entry. Countries and US states carry no point (``lat``/``lon`` null);
    a region's point is its capital, said so in ``note``."""

    name: str
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    population: int | None = None
    feature: PlaceFeature
    geonameid: int | None = None
    asset_id: str | None = None
    source: str = Field(description="geonames, supplement or kb")
    note: str | None = None


class AliasMatch(KBRecord):
    """An asset named in a text. ``start``/``end`` are character offsets into the text
    as given; ``surface`` is ``text[start:end]``. When one span names several assets
    (a shared alias), there is one match per asset with the same span."""

    asset_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    surface: str
    alias: str
