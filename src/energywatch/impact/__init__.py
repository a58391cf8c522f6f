"""Impact model (DESIGN §8): export volume at risk from a disruption, with uncertainty.

``run(scenario)`` checks the scenario against the flow network, samples it
(``engine.simulate``) and summarises it (``result.summarise``).
"""

from __future__ import annotations

import difflib

from energywatch.errors import InputError
from energywatch.impact.engine import simulate
from energywatch.impact.network import Network, load_network
from energywatch.impact.result import ImpactResult, summarise
from energywatch.impact.scenario import Disruption, Range, Scenario

__all__ = [
    "Disruption",
    "ImpactResult",
    "Network",
    "Range",
    "Scenario",
    "check_assets",
    "load_network",
    "run",
]


def check_assets(scenario: Scenario, network: Network) -> None:
    """Refuse assets the network does not model, suggesting the closest that it does."""
    for disruption in scenario.disruptions:
        if disruption.asset in network.node_ids:
            continue
        close = difflib.get_close_matches(disruption.asset, network.node_ids, n=4, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see `energywatch simulate --list-assets`"
        raise InputError(f"{disruption.asset!r} is not an asset of the export flow network", hint)


def run(scenario: Scenario, network: Network | None = None) -> ImpactResult:
    """Simulate ``scenario`` and return its summarised result."""
    net = network or load_network()
    check_assets(scenario, net)
    return summarise(net, scenario, simulate(net, scenario))
