"""ACLED CSV, GeoJSON and PLOVER JSONL exports: hand-built incidents pin each mapping
decision, and the demo corpus run through the real pipeline checks the acceptance
("the ACLED CSV loads with pandas and has the documented columns; the GeoJSON validates")."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from energywatch import interchange as ix
from energywatch.demo import demo_articles
from energywatch.export import incident_records
from energywatch.extract.taxonomy import TAXONOMY
from energywatch.ingest import ingest
from energywatch.kb import Asset, KnowledgeBase, load_knowledge_base
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "exports.md"


def _attr(value: Any, status: str = "single-source") -> dict[str, Any]:
    return {"value": value, "status": status, "claims": []}


def incident(**overrides: Any) -> dict[str, Any]:
    """A §11 incident record, as export.incident_record builds it."""
    record: dict[str, Any] = {
        "id": "inc-1",
        "category": "attack",
        "type": "drone_strike",
        "date": {"start": "2025-02-17", "end": "2025-02-17", "precision": "day", "month_day": None},
        "assets": ["cpc_ps_kropotkinskaya"],
        "location": {
            "name": "Kropotkin",
            "lat": 45.4333,
            "lon": 40.5667,
            "country": "RU",
            "relation": None,
        },
        "articles": ["a1", "a2", "a3"],
        "copies": ["a3"],
        "facilities": [],
        "responses": [],
        "attributes": {
            "perpetrator": _attr("Ukraine", "agreed"),
            "killed": _attr([2, 3]),
            "weapon": _attr("drone", "agreed"),
        },
        "contradictions": [],
        "kb_conflicts": [],
        "impact": None,
    }
    record.update(overrides)
    return record


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def _acled(records: list[dict[str, Any]], **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    n = ix.write_acled_csv(records, out, timestamp=1_700_000_000, **kwargs)
    return n, out.getvalue()


def _read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=ix.ACLED_PANDAS_DTYPES, keep_default_na=False, na_values=[""])


# --------------------------------------------------------------------------- ACLED


def test_acled_row_for_a_drone_strike(kb: KnowledgeBase) -> None:
    n, text = _acled([incident()], assets=kb.assets, outlets_of=lambda ids: [f"Outlet {i}" for i in ids])
    assert n == 1
    row = _read(text).iloc[0]
    assert row["event_id_cnty"] == "RUS-inc-1"
    assert (row["event_date"], row["year"], row["time_precision"]) == ("2025-02-17", 2025, 1)
    assert (row["disorder_type"], row["event_type"], row["sub_event_type"]) == (
        "Political violence",
        "Explosions/Remote violence",
        "Air/drone strike",
    )
    # A foreign state's forces acting in Russia are ACLED "external/other forces" (8).
    assert (row["actor1"], row["inter1"], row["interaction"]) == ("Military Forces of Ukraine (2019-)", 8, 80)
    assert (row["iso"], row["region"], row["country"]) == (643, "Europe", "Russia")
    assert (row["admin1"], row["admin2"]) == ("Krasnodar Krai", "Kavkazsky district")
    assert (row["latitude"], row["longitude"], row["geo_precision"]) == (45.4333, 40.5667, 1)
    assert row["fatalities"] == 2  # the low bound of "2-3 killed"
    assert row["source"] == "Outlet a1; Outlet a2; Outlet a3"
    assert row["timestamp"] == 1_700_000_000
    assert row["notes"] == (
        "On 17 February 2025, a drone strike was reported at CPC pumping station Kropotkinskaya "
        "(Kropotkin), Russia (3 articles, 2 independent)."
    )
    assert "weapon: drone" in row["tags"]


def test_acled_unnamed_or_hedged_perpetrator_is_an_unidentified_group() -> None:
    hedged = incident(attributes={"perpetrator": _attr("Ukraine", "unsupported")})
    silent = incident(id="inc-2", attributes={}, location={**incident()["location"], "country": "KZ"})
    _, text = _acled([hedged, silent])
    frame = _read(text)
    assert list(frame["actor1"]) == [
        "Unidentified Armed Group (Russia)",
        "Unidentified Armed Group (Kazakhstan)",
    ]
    assert list(frame["inter1"]) == [3, 3]
    assert list(frame["interaction"]) == [30, 30]
    assert list(frame["fatalities"]) == [0, 0]
    assert all("fatalities: not reported" in t for t in frame["tags"])


def test_acled_dates_and_precision() -> None:
    records = [
        incident(id="d", date={"start": "2025-02-17", "end": "2025-02-17", "precision": "day"}),
        incident(id="w", date={"start": "2025-02-17", "end": "2025-02-23", "precision": "week"}),
        incident(id="m", date={"start": "2025-02-01", "end": "2025-02-28", "precision": "month"}),
        incident(id="u", date={"start": None, "end": None, "precision": "unknown", "month_day": [2, 17]}),
    ]
    frame = _read(_acled(records)[1])
    assert list(frame["event_date"].fillna("")) == ["2025-02-17", "2025-02-20", "2025-02-14", ""]
    assert list(frame["time_precision"]) == [1, 2, 3, 3]
    assert frame["year"].isna().tolist() == [False, False, False, True]
    assert frame["notes"][1].startswith("In the week of 17 February 2025,")
    assert frame["notes"][2].startswith("In February 2025,")
    assert frame["notes"][3].startswith("On 17 February (year not reported),")


def test_acled_non_violent_types_are_skipped_unless_asked() -> None:
    records = [incident(), incident(id="inc-f", category="accident", type="fire", attributes={})]
    n, text = _acled(records)
    assert n == 1
    assert "inc-f" not in text
    n, text = _acled(records, include_non_violent=True)
    row = _read(text).iloc[1]
    assert n == 2
    assert (row["disorder_type"], row["event_type"], row["sub_event_type"]) == (
        "Strategic developments",
        "Strategic developments",
        "Other",
    )
    assert pd.isna(row["actor1"])
    assert pd.isna(row["inter1"])


def test_acled_attack_unspecified_takes_its_sub_event_from_the_weapon() -> None:
    records = [
        incident(type="attack_unspecified", attributes={"weapon": _attr("missile")}),
        incident(id="inc-2", type="attack_unspecified", attributes={}),
    ]
    frame = _read(_acled(records)[1])
    assert frame["sub_event_type"][0] == "Shelling/artillery/missile attack"
    assert pd.isna(frame["sub_event_type"][1])


def test_acled_geo_precision_and_missing_points(kb: KnowledgeBase) -> None:
    near = incident(
        location={"name": "Novorossiysk", "lat": 44.73, "lon": 37.76, "country": "RU", "relation": "near"}
    )
    district = incident(
        id="inc-t",
        assets=["cpc_ps_isatay"],
        location={"name": "Isatay", "lat": 46.7, "lon": 50.9, "country": "KZ", "relation": None},
    )
    isatay = kb.get("cpc_ps_isatay")
    assert isatay.lat is not None
    assert isatay.lon is not None
    district["location"].update(lat=isatay.lat, lon=isatay.lon)
    nowhere = incident(id="inc-x", location=None, assets=[])
    frame = _read(_acled([near, district, nowhere], assets=kb.assets)[1])
    assert list(frame["geo_precision"]) == [2, 2, 3]  # near a town; district proxy; no point
    assert frame["latitude"].isna().tolist() == [False, False, True]
    assert frame["event_id_cnty"][2] == "XXX-inc-x"
    assert pd.isna(frame["country"][2])


def test_every_attack_type_has_an_acled_event_type() -> None:
    for row in TAXONOMY:
        if row.category == "attack":
            assert row.acled_event_type == "Explosions/Remote violence"


# --------------------------------------------------------------------------- GeoJSON


def _geojson(records: list[dict[str, Any]], assets: list[Asset]) -> dict[str, Any]:
    out = io.StringIO()
    ix.write_geojson(records, assets, out)
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


def test_geojson_incidents_and_assets(kb: KnowledgeBase) -> None:
    assets = [kb.get("cpc_pipeline"), kb.get("cpc_ps_kropotkinskaya"), kb.get("btc_pipeline")]
    obj = _geojson([incident(), incident(id="inc-x", location=None)], assets)
    assert ix.validate_geojson(obj) == []
    assert "crs" not in obj
    by_id = {f["id"]: f for f in obj["features"]}
    point = by_id["inc-1"]
    assert point["geometry"] == {"type": "Point", "coordinates": [40.5667, 45.4333]}  # [lon, lat]
    props = point["properties"]
    assert (props["kind"], props["type"], props["date"], props["articles"]) == (
        "incident",
        "drone_strike",
        "2025-02-17",
        3,
    )
    assert props["independent_articles"] == 2
    assert props["status_counts"] == {"agreed": 2, "single-source": 1}
    line = by_id["cpc_pipeline"]["geometry"]
    assert line["type"] == "LineString"
    first_lat, first_lon = kb.get("cpc_pipeline").line[0]
    assert line["coordinates"][0] == [first_lon, first_lat]
    station = by_id["cpc_ps_kropotkinskaya"]["properties"]
    assert station["coord_quality"] == "settlement_proxy"
    assert station["kind"] == "asset"
    assert obj["energywatch"]["skipped"] == {"incidents": ["inc-x"], "assets": ["btc_pipeline"]}


def test_geojson_out_of_range_incident_point_is_skipped() -> None:
    bad = incident(location={"name": "x", "lat": 200.0, "lon": 10.0, "country": "RU"})
    obj = _geojson([bad], [])
    assert obj["features"] == []
    assert obj["energywatch"]["skipped"]["incidents"] == ["inc-1"]
    assert ix.validate_geojson(obj) == []


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"type": "Thing"}, "type must be one of"),
        ({"type": "FeatureCollection"}, "'features' array"),
        ({"type": "Point", "coordinates": [45.0, 120.0]}, "latitude 120.0"),
        ({"type": "Point", "coordinates": [190.0, 45.0]}, "longitude 190.0"),
        ({"type": "Point", "coordinates": [1.0]}, "2 or 3 numbers"),
        ({"type": "Point", "coordinates": [True, 1.0]}, "finite numbers"),
        ({"type": "LineString", "coordinates": [[1.0, 2.0]]}, "at least 2 positions"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "end where it starts"),
        ({"type": "Feature", "properties": {}}, "'geometry' member"),
        ({"type": "Feature", "geometry": None}, "'properties' object"),
        ({"type": "Feature", "geometry": None, "properties": None, "id": [1]}, "string or a number"),
        ({"type": "FeatureCollection", "features": [], "crs": {}}, "'crs'"),
        ({"type": "GeometryCollection", "geometries": [{"type": "Circle"}]}, "not a geometry"),
    ],
)
def test_validate_geojson_reports_structural_problems(obj: Any, message: str) -> None:
    problems = ix.validate_geojson(obj)
    assert any(message in p for p in problems), problems


def test_validate_geojson_accepts_valid_shapes() -> None:
    ring = [[0, 0], [1, 0], [1, 1], [0, 0]]
    for geometry in (
        {"type": "Point", "coordinates": [10, 20, 5]},
        {"type": "MultiPoint", "coordinates": [[10, 20]]},
        {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]]]},
        {"type": "Polygon", "coordinates": [ring]},
        {"type": "MultiPolygon", "coordinates": [[ring]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [0, 0]}]},
    ):
        assert ix.validate_geojson({"type": "Feature", "geometry": geometry, "properties": None}) == []


# --------------------------------------------------------------------------- PLOVER


def _plover(records: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    n = ix.write_plover_jsonl(records, out, **kwargs)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(lines)
    return lines


def test_plover_event_for_a_drone_strike(kb: KnowledgeBase) -> None:
    response = {"type": "diplomatic_protest", "speaker": "MFA", "article": "a1", "hedge": "reported"}
    (event,) = _plover([incident(responses=[response, response])], assets=kb.assets)
    assert (event["event_type"], event["mode"], event["context"]) == ("ASSAULT", "drone", [])
    assert (event["actor"], event["actor_country"], event["recipient_country"]) == ("Ukraine", "UKR", "RUS")
    assert event["recipient"] == ["CPC pumping station Kropotkinskaya"]
    assert event["location"]["admin1"] == "Krasnodar Krai"
    assert event["source_articles"] == ["a1", "a2", "a3"]
    assert event["independent_sources"] == 2
    assert event["responses"] == [
        {
            "event_type": "ACCUSE",
            "energywatch_type": "response.diplomatic_protest",
            "speaker": "MFA",
            "article": "a1",
            "hedge": "reported",
        }
    ]


def test_plover_accidents_are_context_and_operations_are_skipped() -> None:
    records = [
        incident(id="f", category="accident", type="fire", attributes={}),
        incident(id="s", category="operations", type="suspension", attributes={}),
        incident(id="p", category="policy", type="sanction", attributes={}),
    ]
    events = _plover(records)
    assert [(e["id"], e["event_type"], e["context"]) for e in events] == [
        ("f", None, ["disaster"]),
        ("p", "SANCTION", []),
    ]
    assert [e["id"] for e in _plover(records, include_unmapped=True)] == ["f", "s", "p"]
    assert events[0]["actor"] is None


# --------------------------------------------------------------------------- demo corpus


@pytest.fixture(scope="module")
def demo_records(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> Iterator[tuple[list[dict[str, Any]], Store]]:
    settings = Settings(db=str(tmp_path_factory.mktemp("interchange") / "ew.db"))
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, files, settings)
        process(store, kb)
        yield incident_records(store, load_knowledge_base()), store


def test_demo_acled_csv_loads_with_pandas(
    demo_records: tuple[list[dict[str, Any]], Store], kb: KnowledgeBase
) -> None:
    records, store = demo_records
    outlets = ix.outlets_from_store(store.get_article)
    n, text = _acled(records, assets=kb.assets, outlets_of=outlets, include_non_violent=True)
    assert n == len(records) > 0
    plain = pd.read_csv(io.StringIO(text))  # no dtype hints: what an analyst types first
    assert tuple(plain.columns) == ix.ACLED_COLUMNS
    assert len(plain) == n
    for column in ("latitude", "longitude"):
        assert plain[column].dtype == "float64"
    for column in ("time_precision", "geo_precision", "fatalities", "timestamp", "year", "iso"):
        assert plain[column].dtype == "int64", column
    typed = _read(text)
    assert tuple(typed.columns) == ix.ACLED_COLUMNS
    assert typed["event_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(typed["time_precision"]) <= {1, 2, 3}
    assert set(typed["geo_precision"]) <= {1, 2, 3}
    assert typed["latitude"].between(-90, 90).all()
    assert typed["longitude"].between(-180, 180).all()
    assert not typed["source"].str.contains("demo-").any()  # outlet names, not article ids
    assert (typed["notes"].str.count(r"\.$") == 1).all()


def test_demo_geojson_validates(demo_records: tuple[list[dict[str, Any]], Store], kb: KnowledgeBase) -> None:
    records, _ = demo_records
    obj = _geojson(records, list(kb.assets.values()))
    assert ix.validate_geojson(obj) == []
    kinds = [f["properties"]["kind"] for f in obj["features"]]
    skipped = obj["energywatch"]["skipped"]
    assert kinds.count("incident") + len(skipped["incidents"]) == len(records)
    assert kinds.count("asset") + len(skipped["assets"]) == len(kb.assets)


def test_demo_plover_lines_parse(demo_records: tuple[list[dict[str, Any]], Store], kb: KnowledgeBase) -> None:
    records, _ = demo_records
    events = _plover(records, assets=kb.assets, include_unmapped=True)
    assert [e["id"] for e in events] == [r["id"] for r in records]
    assert {e["event_type"] for e in events if e["energywatch_type"].startswith("attack.")} == {"ASSAULT"}


# --------------------------------------------------------------------------- docs


def test_docs_list_every_acled_column_and_taxonomy_type() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.MULTILINE))
    assert set(ix.ACLED_COLUMNS) <= documented
    for row in TAXONOMY:
        assert f"`{row.key}`" in text, row.key
