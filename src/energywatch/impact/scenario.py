"""Scenarios: what is disrupted, how badly and for how long, as ranges.

Inputs arrive as analysts write them ("30-40" percent, "45-60d", "6w", "2 months") and
are checked here, once, so the engine only ever sees valid numbers: a loss outside
0–100%, a zero or negative duration, or a start after the end is refused with a message
saying what to write instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from energywatch.errors import InputError

_DAYS_PER = {"d": 1.0, "day": 1.0, "days": 1.0, "w": 7.0, "week": 7.0, "weeks": 7.0, "m": 30.0}
_DAYS_PER |= {"month": 30.0, "months": 30.0, "mo": 30.0}
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:(?:-|–|to|\.\.)\s*(\d+(?:\.\d+)?))?\s*%?\s*([a-z]*)\s*$", re.I)


class Range(BaseModel):
    """A closed interval sampled uniformly; ``low == high`` is a fixed value."""

    model_config = ConfigDict(frozen=True)
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"range low {self.low:g} is above high {self.high:g}")
        return self

    @classmethod
    def of(cls, low: float, high: float | None = None) -> Range:
        return cls(low=low, high=low if high is None else high)

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"


class Disruption(BaseModel):
    """One asset losing ``capacity_loss`` (fraction 0–1) from ``start_day`` (days after
    the scenario start) for ``duration_days``, recovering linearly over ``ramp_back_days``."""

    model_config = ConfigDict(frozen=True)
    asset: str
    capacity_loss: Range
    duration_days: Range
    start_day: int = Field(default=0, ge=0)
    ramp_back_days: float = Field(default=0.0, ge=0)
    context: bool = Field(
        default=False,
        description="already in force without the disruption studied (a mooring in maintenance): "
        "part of the baseline, so its own effect is not counted as lost",
    )
    applies_to: Literal["capacity", "flow"] = Field(
        default="capacity",
        description="capacity: the asset loses that share of its capacity (a bypassed station "
        "its head); flow: the flow through it is capped that share below its baseline (what "
        "reports of a flow reduction say)",
    )

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if not 0 <= self.capacity_loss.low <= self.capacity_loss.high <= 1:
            raise ValueError("capacity loss must lie within 0–100%")
        if self.duration_days.low <= 0:
            raise ValueError("duration must be positive")
        return self


class Scenario(BaseModel):
    """Disruptions on a shared calendar, and how to value and sample them."""

    model_config = ConfigDict(frozen=True)
    disruptions: list[Disruption] = Field(min_length=1)
    start: dt.date | None = None
    horizon_days: int = Field(default=365, ge=1, le=3650)
    price_usd_per_bbl: float | None = Field(default=None, gt=0)
    kazakh_cpc_rate_mt: float | None = Field(
        default=None, gt=0, description="Kazakh CPC intake to assume (Mt/yr); default: the network's baseline"
    )
    samples: int = Field(default=10_000, ge=1, le=5_000_000)
    seed: int = 0


def parse_percent_range(text: str) -> Range:
    """ "30-40", "30–40%", "35" → a fraction range (0.30–0.40)."""
    match = _RANGE.match(text)
    if not match or match.group(3):
        raise InputError(
            f"capacity loss {text!r} is not a percentage or a range of them",
            "write it like 30-40 (percent) or 35",
        )
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    if not 0 <= low <= 100 or not 0 <= high <= 100:
        raise InputError(f"capacity loss {text!r} lies outside 0–100%", "give percentages between 0 and 100")
    if low > high:
        raise InputError(f"capacity loss {text!r} runs backwards", f"write it as {high:g}-{low:g}")
    return Range.of(low / 100, high / 100)


def parse_duration_range(text: str, *, allow_zero: bool = False) -> Range:
    """ "45-60d", "6w", "1.5-2 months", "30" (days) → a range of days; ``allow_zero`` for
    quantities such as a recovery period, where none is a valid answer."""
    if text.strip().startswith("-"):
        raise InputError(f"duration {text!r} is negative", "give a positive duration such as 45-60d")
    match = _RANGE.match(text)
    unit = (match.group(3) or "d").lower() if match else ""
    if not match or unit not in _DAYS_PER:
        raise InputError(
            f"duration {text!r} is not a number of days, weeks or months",
            "write it like 45-60d, 6w or 1.5-2m",
        )
    factor = _DAYS_PER[unit]
    low = float(match.group(1)) * factor
    high = float(match.group(2)) * factor if match.group(2) else low
    if low <= 0 and not (allow_zero and low == high == 0):
        raise InputError(f"duration {text!r} is zero", "a disruption lasts at least part of a day")
    if low > high:
        raise InputError(f"duration {text!r} runs backwards", "put the shorter duration first")
    return Range.of(low, high)


def duration_between(start: dt.date, end: dt.date) -> Range:
    """The fixed duration from ``start`` to ``end``, both days included (1–10 March is
    10 days)."""
    if end < start:
        raise InputError(f"the start {start} is after the end {end}", "swap them, or give --duration instead")
    return Range.of(float((end - start).days + 1))


def build_scenario(
    asset: str,
    *,
    capacity_loss: str = "100",
    duration: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    ramp_back: str = "0d",
    out_of_service: list[str] | None = None,
    kazakh_rate: float | None = None,
    price: float | None = None,
    samples: int = 10_000,
    horizon: int = 365,
    seed: int = 0,
) -> Scenario:
    """A scenario from inputs as an analyst types them (the ``simulate`` options); every
    problem is an ``InputError`` naming the input and what to give instead."""
    if start and end and end < start:
        duration_between(start, end)  # raises: the start is after the end
    if duration is not None:
        days = parse_duration_range(duration)
    elif start and end:
        days = duration_between(start, end)
    else:
        raise InputError("no duration given", "give --duration (e.g. 45-60d), or both --start and --end")
    loss = parse_percent_range(capacity_loss)
    ramp = parse_duration_range(ramp_back, allow_zero=True)
    try:
        whole = Range.of(float(horizon))
        disruptions = [
            Disruption(asset=asset, capacity_loss=loss, duration_days=days, ramp_back_days=ramp.low)
        ]
        disruptions += [
            Disruption(asset=other, capacity_loss=Range.of(1.0), duration_days=whole, context=True)
            for other in out_of_service or []
        ]
        return Scenario(
            disruptions=disruptions, start=start, horizon_days=horizon, price_usd_per_bbl=price,
            kazakh_cpc_rate_mt=kazakh_rate, samples=samples, seed=seed,
        )  # fmt: skip
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "scenario"
        hints = {
            "samples": "give --samples between 1 and 5,000,000",
            "horizon_days": "give --horizon between 1 and 3650 days",
            "price_usd_per_bbl": "give a positive --price in USD per barrel",
            "kazakh_cpc_rate_mt": "give a positive --kazakh-rate in Mt/yr",
        }
        raise InputError(f"{field}: {first['msg']}", hints.get(field, "check the scenario's inputs")) from exc
