"""``energywatch simulate`` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from energywatch.cli import app

runner = CliRunner()

INPUT_ERROR = 2  # cli/app.py: 2 = usage, configuration or input error
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ACCEPTANCE = ("--asset", "cpc_ps_kropotkinskaya", "--capacity-loss", "30-40", "--duration", "45-60d")


def simulate(*args: str) -> Result:
    return runner.invoke(app, ["simulate", *args])


def simulate_json(*args: str) -> Any:
    result = simulate(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(stdout: str) -> dict[str, list[str]]:
    """Table rows by measure: the three quantile cells of each."""
    found = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 4:
            found[cells[0]] = cells[1:]
    return found


def test_acceptance_command_prints_quantiles() -> None:
    result = simulate(*ACCEPTANCE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Lost exports of Kazakhstan: cpc_ps_kropotkinskaya" in out
    header = next(line for line in out.splitlines() if "measure" in line)
    assert header.index("P10") < header.index("P50") < header.index("P90")
    table = rows(out)
    # 81.5 * (1 - 0.4/11)^0.55 = 79.9 Mt/yr stays above the 70.5 flowing: nothing is lost.
    assert table["crude exports lost, Mt"] == ["0.000", "0.000", "0.000"]
    assert table["barrels lost, million"] == ["0.00", "0.00", "0.00"]
    assert table["share of yearly exports, %"] == ["0.00", "0.00", "0.00"]
    assert "10000 samples, seed 0, 60 of 365 days simulated" in out
    assert "the cap costs no volume" in out
    assert "assumptions:" in out
    assert "sources: " in out


def test_costly_outage_prints_hand_checked_rows() -> None:
    # The marine terminal stopped for the whole 100-day horizon loads nothing (the tanks only
    # hold what arrives): the CPC loses 70.5 * 100/365 = 19.315 Mt in every sample.
    result = simulate(
        "--asset", "cpc_marine_terminal", "--duration", "100d", "--horizon", "100", "--samples", "500"
    )
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table["CPC loadings lost, all shippers, Mt"] == [f"{70.5 * 100 / 365:.3f}"] * 3
    kz = [float(v) for v in table["crude exports lost, Mt"]]
    # Kazakh oil is 63.8 of the 70.5 loaded: at most 63.8 * 100/365 = 17.479 Mt, less what the
    # alternatives take once the tanks are full.
    assert all(0 < v < 63.8 * 100 / 365 for v in kz)
    assert kz[0] <= kz[1] <= kz[2]


def test_json_output_has_the_result_and_its_record() -> None:
    data = simulate_json(*ACCEPTANCE, "--samples", "500", "--price", "70")
    for key in ("lost_mt", "lost_bbl", "share_of_exports", "inputs", "assumptions", "sources"):
        assert key in data
    for key in ("lost_mt", "lost_bbl", "share_of_exports", "value_usd"):
        assert data[key] == {"p10": 0.0, "p50": 0.0, "p90": 0.0}
    inputs = data["inputs"]
    assert inputs["disruptions"] == [
        {
            "asset": "cpc_ps_kropotkinskaya",
            "capacity_loss_pct": "30–40",
            "duration_days": "45–60",
            "start_day": 0,
            "ramp_back_days": 0.0,
            "applies_to": "capacity",
            "context": False,
        }
    ]
    assert inputs["samples"] == 500
    assert inputs["price_usd_per_bbl"] == 70
    assert inputs["kazakh_cpc_flow_mt_yr"] == 63.8
    assert inputs["cpc_flow_mt_yr"] == 70.5
    assert {"S121", "S114"} <= set(data["sources"])
    assert data["assumptions"]


def test_json_kazakh_rate_and_dates() -> None:
    # A full bypass of Isatay leaves 72.5 * (3/4)^0.55 = 61.89 Mt/yr; at 70 Mt/yr of Kazakh intake
    # 8.11 Mt/yr cannot pass for the one day from 1 to 1 March.
    data = simulate_json(
        "--asset", "cpc_ps_isatay", "--start", "2025-03-01", "--end", "2025-03-01",
        "--kazakh-rate", "70", "--samples", "200",
    )  # fmt: skip
    assert data["inputs"]["start"] == "2025-03-01"
    assert data["inputs"]["disruptions"][0]["duration_days"] == "1"
    assert data["daily"]["dates"][0] == "2025-03-01"
    cpc_lost = round((70 - 72.5 * 0.75**0.55) / 365, 6)  # 0.022219 Mt
    assert cpc_lost == 0.022219
    assert data["lost_cpc_all_shippers_mt"] == {"p10": cpc_lost, "p50": cpc_lost, "p90": cpc_lost}


def test_chart_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "out.png"
    result = simulate(
        "--asset", "cpc_marine_terminal", "--duration", "10-20d", "--samples", "300", "--chart", str(path)
    )
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000
    assert f"wrote the chart to {path}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ("--capacity-loss", "150", "--duration", "10d"),
            "capacity loss '150' lies outside 0–100%",
            "between 0 and 100",
        ),
        (("--duration", "0d"), "duration '0d' is zero", "at least part of a day"),
        (
            ("--start", "2025-03-10", "--end", "2025-03-01"),
            "the start 2025-03-10 is after the end 2025-03-01",
            "swap",
        ),
        (
            ("--start", "2025-03-10", "--end", "2025-03-01", "--duration", "5d"),
            "the start 2025-03-10 is after the end 2025-03-01",
            "swap",
        ),
        (
            ("--duration", "3 fortnights"),
            "duration '3 fortnights' is not a number of days, weeks or months",
            "45-60d",
        ),
    ],
)
def test_impossible_inputs_exit_2_with_a_message(args: tuple[str, ...], message: str, hint: str) -> None:
    result = simulate("--asset", "cpc_ps_kropotkinskaya", *args)
    assert result.exit_code == INPUT_ERROR, result.output
    assert f"error: {message}" in result.stderr
    assert "hint:" in result.stderr
    assert hint in result.stderr
    assert result.stdout == ""


def test_unknown_asset_suggests_the_right_one() -> None:
    result = simulate("--asset", "cpc_ps_kropotkinskya", "--capacity-loss", "30-40", "--duration", "45-60d")
    assert result.exit_code == INPUT_ERROR, result.output
    assert "error: 'cpc_ps_kropotkinskya' is not an asset of the export flow network" in result.stderr
    assert "hint: did you mean cpc_ps_kropotkinskaya" in result.stderr


def test_unknown_out_of_service_asset_is_refused() -> None:
    result = simulate("--asset", "cpc_spm_1", "--duration", "5d", "--out-of-service", "cpc_spm_4")
    assert result.exit_code == INPUT_ERROR, result.output
    assert "'cpc_spm_4' is not an asset" in result.stderr
    assert "cpc_spm_" in result.stderr


def test_missing_asset_or_duration_is_a_usage_error() -> None:
    assert simulate("--duration", "5d").exit_code == INPUT_ERROR
    assert simulate("--asset", "cpc_spm_1").exit_code == INPUT_ERROR


@pytest.mark.parametrize(
    "option",
    [("--samples", "0"), ("--horizon", "0"), ("--price", "-5"), ("--kazakh-rate", "0")],
    ids=["samples", "horizon", "price", "kazakh-rate"],
)
def test_impossible_numbers_exit_2(option: tuple[str, str]) -> None:
    result = simulate("--asset", "cpc_spm_1", "--duration", "5d", *option)
    assert result.exit_code == INPUT_ERROR, result.output
    assert "error:" in result.stderr


def test_zero_ramp_back_in_weeks_means_none() -> None:
    result = simulate("--asset", "cpc_spm_1", "--duration", "5d", "--ramp-back", "0w", "--samples", "10")
    assert result.exit_code == 0, result.output


def test_list_assets() -> None:
    result = simulate("--list-assets")
    assert result.exit_code == 0, result.output
    names = result.stdout.split()
    assert "cpc_spm_2" in names
    assert "cpc_ps_kropotkinskaya" in names
    assert names.index("cpc_spm_1") < names.index("cpc_spm_2") < names.index("cpc_spm_3")
    assert len(names) == 31  # 6 supplies, orenburg_gpp, 15 stations, tank farm, terminal, 3 SPMs, 4 routes
