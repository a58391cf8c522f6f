"""The export flow network as typed records, read from ``data/flows.yaml``.

The file is the model's only source of flows and capacities, each with its citation,
so that every result can list the figures it rests on. Problems in the file are all
collected and reported together, each naming the entry, like the asset file's.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from energywatch.errors import ConfigError

Pair = tuple[float, float]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Record):
    year: int
    unit: Literal["Mt/yr"]
    exporter: str
    exporter_name: str
    exporter_exports_mt: float = Field(gt=0)
    exporter_exports_source: str
    bbl_per_t: Pair
    bbl_per_t_source: str
    days_per_year: int = 365


class Dependency(_Record):
    """A supply that falls when another asset fails (Karachaganak's liquids and the
    Orenburg plant that takes its gas): ``share`` of the supply per unit of the other
    asset's capacity loss."""

    asset: str
    share: Pair
    sources: list[str]


class Supply(_Record):
    id: str
    name: str
    country: str
    flow: float = Field(ge=0)
    enters: str
    sources: list[str]
    depends_on: Dependency | None = None


class Station(_Record):
    id: str
    section: Literal["kazakh", "russian"]


class Route(_Record):
    kazakh_section_capacity: float = Field(gt=0)
    russian_section_capacity: float = Field(gt=0)
    sources: list[str]
    stations: list[Station] = Field(min_length=1)

    def capacity(self, section: str) -> float:
        return self.kazakh_section_capacity if section == "kazakh" else self.russian_section_capacity


class Hydraulics(_Record):
    flow_head_exponent: float = Field(gt=0, le=1)
    assumption: str


class Terminal(_Record):
    id: str
    tank_farm: str
    buffer_days: Pair
    buffer_sources: list[str]
    spms: list[str] = Field(min_length=1)
    active_spms: int = Field(ge=1)
    spm_monthly_mt: Pair
    spm_sources: list[str]


class Alternative(_Record):
    id: str
    name: str
    capacity: float | None = None
    flow: float = Field(ge=0)
    kazakh_flow: float = Field(ge=0, description="the exporter's part of ``flow``")
    spare: float = Field(ge=0)
    ramp_days: int = Field(ge=1)
    sources: list[str]
    note: str | None = None
    assumption: str | None = None


class Network(_Record):
    """The whole network; ``node_ids`` are the assets a scenario may disrupt."""

    meta: Meta
    supplies: list[Supply]
    route: Route
    pumping_station_hydraulics: Hydraulics
    terminal: Terminal
    alternatives: list[Alternative]
    sources: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> Network:
        problems: list[str] = []
        stations = [s.id for s in self.route.stations]
        for supply in self.supplies:
            if supply.enters not in stations:
                problems.append(
                    f"supply {supply.id!r} enters at {supply.enters!r}, which is not on the route"
                )
        for low, high, what, zero_ok in (
            (*self.meta.bbl_per_t, "meta.bbl_per_t", False),
            (*self.terminal.buffer_days, "terminal.buffer_days", True),
            (*self.terminal.spm_monthly_mt, "terminal.spm_monthly_mt", False),
        ):
            if not (low >= 0 if zero_ok else low > 0) or low > high:
                problems.append(f"{what}: expected a range [low, high] above zero, got [{low}, {high}]")
        cited = [
            *(s for x in self.supplies for s in x.sources),
            *(s for x in self.supplies if x.depends_on for s in x.depends_on.sources),
            *self.route.sources,
            *self.terminal.buffer_sources,
            *self.terminal.spm_sources,
            *(s for a in self.alternatives for s in a.sources),
            self.meta.exporter_exports_source,
        ]
        problems += [
            f"source {s!r} is cited but not listed under sources"
            for s in sorted(set(cited))
            if s not in self.sources
        ]
        ids = [*(s.id for s in self.supplies), *stations, *(a.id for a in self.alternatives)]
        ids += [self.terminal.id, self.terminal.tank_farm, *self.terminal.spms]
        problems += [f"id {i!r} appears twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def node_ids(self) -> list[str]:
        """Every asset a disruption can name, in flow order."""
        depends = [s.depends_on.asset for s in self.supplies if s.depends_on]
        return [
            *(s.id for s in self.supplies),
            *depends,
            *(s.id for s in self.route.stations),
            self.terminal.tank_farm,
            self.terminal.id,
            *self.terminal.spms,
            *(a.id for a in self.alternatives),
        ]

    def flow_through(self, station_id: str, kazakh_scale: float = 1.0) -> float:
        """Baseline flow (Mt/yr) passing ``station_id``: every supply entering at or before
        it, the exporter's scaled by ``kazakh_scale`` (a scenario's Kazakh rate)."""
        order = [s.id for s in self.route.stations]
        at = order.index(station_id)
        return sum(
            s.flow * (kazakh_scale if s.country == self.meta.exporter else 1.0)
            for s in self.supplies
            if order.index(s.enters) <= at
        )

    @property
    def kazakh_cpc_flow(self) -> float:
        return sum(s.flow for s in self.supplies if s.country == self.meta.exporter)

    @property
    def cpc_flow(self) -> float:
        return sum(s.flow for s in self.supplies)


def bundled_flows_path() -> Path:
    return Path(str(resources.files("energywatch") / "data" / "flows.yaml"))


def load_network(path: Path | None = None) -> Network:
    """Read and validate the network file; every problem names the file."""
    where = path or bundled_flows_path()
    try:
        raw = yaml.safe_load(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the flow network {where}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc})", "fix the file's syntax") from exc
    try:
        return Network.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise ConfigError(f"{where}: {details}", "fix the flow network file") from exc
