"""Impact model inputs: analysts' ranges and durations, the scenario records, unknown
assets, and a broken flow network file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from energywatch.errors import ConfigError, InputError
from energywatch.impact import Disruption, Range, Scenario, load_network, run
from energywatch.impact.network import bundled_flows_path
from energywatch.impact.scenario import duration_between, parse_duration_range, parse_percent_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30-40", Range(low=0.3, high=0.4)),
        ("35", Range(low=0.35, high=0.35)),
        ("30–40%", Range(low=0.3, high=0.4)),
        ("30 to 40", Range(low=0.3, high=0.4)),
        ("100", Range(low=1.0, high=1.0)),
        ("0", Range(low=0.0, high=0.0)),
    ],
)
def test_percent_ranges(text: str, expected: Range) -> None:
    assert parse_percent_range(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("150", "lies outside 0–100%", "between 0 and 100"),
        ("40-30", "runs backwards", "write it as 30-40"),
        ("abc", "is not a percentage", "write it like 30-40"),
        ("30-40d", "is not a percentage", "write it like 30-40"),
    ],
)
def test_bad_percentages_say_what_to_write(text: str, message: str, hint: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_percent_range(text)
    assert message in caught.value.message
    assert repr(text) in caught.value.message
    assert caught.value.hint is not None
    assert hint in caught.value.hint
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("45-60d", 45.0, 60.0),
        ("6w", 42.0, 42.0),  # 6 * 7
        ("1.5-2m", 45.0, 60.0),  # months of 30 days: 1.5 * 30, 2 * 30
        ("1.5-2 months", 45.0, 60.0),
        ("30", 30.0, 30.0),  # days by default
        ("2 weeks", 14.0, 14.0),
        ("0.5d", 0.5, 0.5),
    ],
)
def test_duration_ranges(text: str, low: float, high: float) -> None:
    assert parse_duration_range(text) == Range.of(low, high)


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("0d", "is zero", "at least part of a day"),
        ("-5d", "is negative", "45-60d"),
        ("60-45d", "runs backwards", "shorter duration first"),
        ("3 fortnights", "is not a number of days", "45-60d"),
    ],
)
def test_bad_durations_say_what_to_write(text: str, message: str, hint: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_duration_range(text)
    assert message in caught.value.message
    assert caught.value.hint is not None
    assert hint in caught.value.hint


def test_duration_between_dates() -> None:
    assert duration_between(dt.date(2025, 3, 1), dt.date(2025, 3, 1)) == Range.of(1.0)
    with pytest.raises(InputError) as caught:
        duration_between(dt.date(2025, 3, 10), dt.date(2025, 3, 1))
    assert "2025-03-10 is after the end 2025-03-01" in caught.value.message
    assert caught.value.hint is not None
    assert "swap them" in caught.value.hint


def test_duration_between_counts_the_last_day() -> None:
    start = dt.date(2025, 3, 1)
    assert duration_between(start, dt.date(2025, 3, 2)) == Range.of(2.0)
    assert duration_between(start, dt.date(2025, 3, 10)) == Range.of(10.0)


def test_range_and_disruption_refuse_impossible_values() -> None:
    with pytest.raises(ValidationError, match="range low 5 is above high 2"):
        Range(low=5, high=2)
    with pytest.raises(ValidationError, match="capacity loss must lie within 0–100%"):
        Disruption(asset="cpc_spm_1", capacity_loss=Range.of(0.5, 1.2), duration_days=Range.of(10))
    with pytest.raises(ValidationError, match="capacity loss must lie within 0–100%"):
        Disruption(asset="cpc_spm_1", capacity_loss=Range.of(-0.1, 0.5), duration_days=Range.of(10))
    for days in (0.0, -5.0):
        with pytest.raises(ValidationError, match="duration must be positive"):
            Disruption(asset="cpc_spm_1", capacity_loss=Range.of(1.0), duration_days=Range.of(days, 10))
    ok = Disruption(asset="cpc_spm_1", capacity_loss=Range.of(0.0, 1.0), duration_days=Range.of(0.5))
    assert ok.duration_days.low == 0.5


def test_unknown_asset_is_refused_with_the_closest_names() -> None:
    scenario = Scenario(
        disruptions=[
            Disruption(
                asset="cpc_ps_kropotkinskya", capacity_loss=Range.of(0.3, 0.4), duration_days=Range.of(45, 60)
            )
        ],
        samples=10,
    )
    with pytest.raises(InputError) as caught:
        run(scenario)
    assert "'cpc_ps_kropotkinskya' is not an asset" in caught.value.message
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("did you mean cpc_ps_kropotkinskaya")


def test_unrelated_asset_points_at_the_list() -> None:
    scenario = Scenario(
        disruptions=[Disruption(asset="zzzz", capacity_loss=Range.of(1.0), duration_days=Range.of(1))],
        samples=10,
    )
    with pytest.raises(InputError) as caught:
        run(scenario)
    assert caught.value.hint == "see `energywatch simulate --list-assets`"


def test_network_file_problems_are_reported_together(tmp_path: Path) -> None:
    raw = yaml.safe_load(bundled_flows_path().read_text(encoding="utf-8"))
    raw["supplies"][0]["enters"] = "cpc_ps_nowhere"
    raw["supplies"][1]["sources"] = ["S112", "S999"]
    path = tmp_path / "flows.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    message = caught.value.message
    assert str(path) in message
    assert "supply 'tengiz_field' enters at 'cpc_ps_nowhere', which is not on the route" in message
    assert "source 'S999' is cited but not listed under sources" in message
    assert caught.value.hint == "fix the flow network file"
    assert caught.value.exit_code == 2


def test_network_file_that_is_not_yaml_or_missing(tmp_path: Path) -> None:
    bad = tmp_path / "flows.yaml"
    bad.write_text("meta: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_network(bad)
    with pytest.raises(ConfigError, match="cannot read the flow network"):
        load_network(tmp_path / "missing.yaml")


def test_bundled_network_totals() -> None:
    network = load_network()
    assert network.kazakh_cpc_flow == pytest.approx(36.6 + 17.0 + 9.2 + 1.0)  # 63.8
    assert network.cpc_flow == pytest.approx(63.8 + 5.1 + 1.6)  # 70.5
    assert {"cpc_spm_2", "orenburg_gpp", "cpc_ps_kropotkinskaya", "cpc_tank_farm"} <= set(network.node_ids)
