"""A PNG of the daily lost exports with their P10–P90 band (``simulate --chart``).

Matplotlib renders off-screen (the Agg backend, chosen here rather than globally, so
importing the package never touches a display).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from energywatch.errors import ConfigError
from energywatch.impact.result import ImpactResult


def write_chart(result: ImpactResult, path: Path, title: str) -> None:
    """Daily P50 with the P10–P90 band, in thousand barrels per day."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    daily = result.daily
    dates = np.array([dt.date.fromisoformat(d) for d in daily.dates], dtype="datetime64[D]")
    factor = sum(result.inputs["bbl_per_t"]) / 2 / 1000  # tonnes → thousand barrels
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    try:
        ax.fill_between(
            dates, [v * factor for v in daily.p10], [v * factor for v in daily.p90],
            color="#f4a582", alpha=0.5, label="P10–P90",
        )  # fmt: skip
        ax.plot(dates, [v * factor for v in daily.p50], color="#b2182b", linewidth=1.8, label="P50")
        ax.axhline(0, color="#555555", linewidth=0.6)
        ax.set_ylabel("lost exports, kb/d")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.grid(alpha=0.25)
        fig.autofmt_xdate()
        fig.tight_layout()
        fig.savefig(path, format="png")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the chart to {path}: {exc.strerror}", "choose a writable path"
        ) from exc
    finally:
        plt.close(fig)
