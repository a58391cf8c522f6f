"""GeoJSON: incidents and assets as an RFC 7946 FeatureCollection for GIS tools.

Incidents become Points at their location, assets LineStrings along their route or
Points; records without coordinates are listed rather than silently dropped.
``validate_geojson`` checks the structure RFC 7946 requires, so tests (and users) can
confirm a file will load before handing it to a map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from energywatch.interchange.record import independent_count, point_of
from energywatch.kb.models import Asset


def _status_counts(record: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in (record.get("attributes") or {}).values():
        status = entry.get("status") if isinstance(entry, Mapping) else None
        if isinstance(status, str):
            counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def incident_feature(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """An incident as a GeoJSON Point feature, or None when it has no coordinates."""
    point = point_of(record)
    if point is None:
        return None
    date = record.get("date") or {}
    loc = record.get("location") or {}
    attributes = record.get("attributes") or {}
    return {
        "type": "Feature",
        "id": record["id"],
        "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
        "properties": {
            "kind": "incident",
            "id": record["id"],
            "category": record.get("category"),
            "type": record.get("type"),
            "date": date.get("start"),
            "date_end": date.get("end"),
            "date_precision": date.get("precision"),
            "location": loc.get("name"),
            "country": loc.get("country"),
            "relation": loc.get("relation"),
            "assets": list(record.get("assets") or []),
            "articles": len(record.get("articles") or []),
            "independent_articles": independent_count(record),
            "status": {k: v.get("status") for k, v in sorted(attributes.items()) if isinstance(v, Mapping)},
            "status_counts": _status_counts(record),
        },
    }


def _capacity_summary(asset: Asset) -> list[str]:
    return [f"{c.value} {c.unit}" + (f" ({c.basis})" if c.basis else "") for c in asset.capacity]


def asset_feature(asset: Asset) -> dict[str, Any] | None:
    """An asset as a LineString (when it has a route of two or more points) or a Point;
    None when it has neither."""
    if len(asset.line) >= 2:
        geometry: dict[str, Any] = {
            "type": "LineString",
            "coordinates": [[lon, lat] for lat, lon in asset.line],
        }
    elif asset.lat is not None and asset.lon is not None:
        geometry = {"type": "Point", "coordinates": [asset.lon, asset.lat]}
    else:
        return None
    return {
        "type": "Feature",
        "id": asset.id,
        "geometry": geometry,
        "properties": {
            "kind": "asset",
            "id": asset.id,
            "name": asset.name,
            "type": asset.type.value,
            "country": list(asset.country),
            "operator": asset.operator,
            "capacity": _capacity_summary(asset),
            "coord_quality": asset.coord_quality.value,
        },
    }


def write_geojson(
    incidents: Iterable[Mapping[str, Any]],
    assets: Iterable[Asset],
    out: TextIO,
    *,
    generator: str = "energywatch",
) -> None:
    """Write one RFC 7946 FeatureCollection of incidents and assets, streamed.

    Coordinates are ``[lon, lat]`` (WGS 84, no ``crs`` member). Records without a point
    are not features; their ids are listed in the foreign member ``energywatch.skipped``
    (written after the features, when they are all known) so a map never silently drops
    an incident.
    """
    skipped: dict[str, list[str]] = {"incidents": [], "assets": []}
    out.write('{"type": "FeatureCollection", "features": [')
    first = True

    def emit(feature: dict[str, Any]) -> None:
        nonlocal first
        out.write(("\n  " if first else ",\n  ") + json.dumps(feature, ensure_ascii=False))
        first = False

    for record in incidents:
        feature = incident_feature(record)
        if feature is None:
            skipped["incidents"].append(str(record.get("id")))
        else:
            emit(feature)
    for asset in assets:
        asset_f = asset_feature(asset)
        if asset_f is None:
            skipped["assets"].append(asset.id)
        else:
            emit(asset_f)
    meta = {"generator": generator, "skipped": skipped}
    out.write("\n ],\n " + '"energywatch": ' + json.dumps(meta, ensure_ascii=False) + "\n}\n")


_GEOMETRIES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
_TYPES = _GEOMETRIES | {"Feature", "FeatureCollection"}


def _position(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        return [f"{where}: a position is an array of 2 or 3 numbers, got {value!r}"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return [f"{where}: position values must be finite numbers, got {value!r}"]
    lon, lat = value[0], value[1]
    problems = []
    if not -180.0 <= lon <= 180.0:
        problems.append(f"{where}: longitude {lon} outside [-180, 180] (positions are [lon, lat])")
    if not -90.0 <= lat <= 90.0:
        problems.append(f"{where}: latitude {lat} outside [-90, 90] (positions are [lon, lat])")
    return problems


def _positions(value: Any, where: str, minimum: int) -> list[str]:
    if not isinstance(value, list) or len(value) < minimum:
        return [f"{where}: needs an array of at least {minimum} positions"]
    return [p for i, v in enumerate(value) for p in _position(v, f"{where}[{i}]")]


def _ring(value: Any, where: str) -> list[str]:
    problems = _positions(value, where, 4)
    if not problems and value[0] != value[-1]:
        problems.append(f"{where}: a linear ring must end where it starts")
    return problems


def _geometry(geom: Any, where: str) -> list[str]:
    if geom is None:
        return []
    if not isinstance(geom, dict) or geom.get("type") not in _GEOMETRIES:
        return [f"{where}: not a geometry object (type must be one of {sorted(_GEOMETRIES)})"]
    kind = geom["type"]
    if kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list):
            return [f"{where}: GeometryCollection needs a 'geometries' array"]
        return [p for i, g in enumerate(members) for p in _geometry(g, f"{where}.geometries[{i}]")]
    coords = geom.get("coordinates")
    at = f"{where}.coordinates"
    if kind == "Point":
        return _position(coords, at)
    if kind == "MultiPoint":
        return _positions(coords, at, 0)
    if kind == "LineString":
        return _positions(coords, at, 2)
    if not isinstance(coords, list):
        return [f"{at}: must be an array"]
    if kind == "MultiLineString":
        return [p for i, c in enumerate(coords) for p in _positions(c, f"{at}[{i}]", 2)]
    if kind == "Polygon":
        return [p for i, c in enumerate(coords) for p in _ring(c, f"{at}[{i}]")]
    return [  # MultiPolygon
        p
        for i, poly in enumerate(coords)
        for p in (
            [f"{at}[{i}]: must be an array of rings"]
            if not isinstance(poly, list)
            else [q for j, r in enumerate(poly) for q in _ring(r, f"{at}[{i}][{j}]")]
        )
    ]


def _feature(feature: Any, where: str) -> list[str]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [f"{where}: not a Feature"]
    problems = []
    if "geometry" not in feature:
        problems.append(f"{where}: a Feature needs a 'geometry' member (null allowed)")
    if "properties" not in feature or not isinstance(feature["properties"], dict | None):
        problems.append(f"{where}: a Feature needs a 'properties' object (null allowed)")
    if "id" in feature and (
        not isinstance(feature["id"], str | int | float) or isinstance(feature["id"], bool)
    ):
        problems.append(f"{where}: a Feature id must be a string or a number")
    return problems + _geometry(feature.get("geometry"), f"{where}.geometry")


def validate_geojson(obj: Any) -> list[str]:
    """Structural RFC 7946 problems of a parsed GeoJSON object; empty when it is valid.

    Checks type names, the members each type needs, position shape and ranges
    (``[lon, lat]``), LineString and ring lengths, closed rings and the absence of the
    obsolete ``crs`` member. It cannot tell swapped coordinates that are both in range.
    """
    if not isinstance(obj, dict) or obj.get("type") not in _TYPES:
        return [f"$: type must be one of {sorted(_TYPES)}"]
    problems = ["$: 'crs' is not part of RFC 7946 (coordinates are WGS 84)"] if "crs" in obj else []
    if obj["type"] == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            return [*problems, "$: a FeatureCollection needs a 'features' array"]
        return problems + [p for i, f in enumerate(features) for p in _feature(f, f"$.features[{i}]")]
    if obj["type"] == "Feature":
        return problems + _feature(obj, "$")
    return problems + _geometry(obj, "$")
