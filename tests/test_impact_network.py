"""The flow network file agrees with the knowledge base and cites what it states."""

from __future__ import annotations

from energywatch.impact import load_network
from energywatch.kb import load_knowledge_base

# Network nodes that are not sites in the KB: an aggregate of small shippers and rail.
NOT_KB_SITES = {"other_kazakh_shippers", "rail_exports"}


def test_every_network_asset_is_a_knowledge_base_asset() -> None:
    network, kb = load_network(), load_knowledge_base()
    missing = [n for n in network.node_ids if n not in kb.assets and n not in NOT_KB_SITES]
    assert missing == []


def test_the_route_follows_the_pipeline_s_stations_in_order() -> None:
    network, kb = load_network(), load_knowledge_base()
    stations = [s.id for s in network.route.stations]
    components = [c for c in kb.assets["cpc_pipeline"].components if c.startswith("cpc_ps_")]
    assert stations == components


def test_baseline_flows_add_up_to_the_reported_totals() -> None:
    network = load_network()
    # 2025: CPC 70.52 Mt in all, 63.8 Mt Kazakh (the PM's figure).
    assert round(network.cpc_flow, 1) == 70.5
    assert round(network.kazakh_cpc_flow, 1) == 63.8
    # Every source the file cites is listed with where to find it.
    assert all(url.strip() for url in network.sources.values())
