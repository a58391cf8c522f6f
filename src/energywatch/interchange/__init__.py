"""Exports in other people's vocabularies: ACLED-style CSV, GeoJSON, PLOVER-style JSONL.

Analysts already have tools for ACLED tables, GIS layers and PLOVER event streams; these
writers let them load energywatch incidents there without a conversion script of their
own. Every writer takes the DESIGN §11 incident dicts built by
:func:`energywatch.export.incident_record` (so the exports can never disagree with the
JSON export) and reads the taxonomy crosswalk from :mod:`energywatch.extract.taxonomy`
(so there is no second copy of the mapping here). Writers stream: one incident in, one
row/feature/line out. ``docs/exports.md`` documents every column and mapping decision.

One module per format (``acled``, ``geojson``, ``plover``), with the country table in
``countries`` and what they all read off a record in ``record``; everything public is
re-exported here, so ``from energywatch import interchange`` is all a caller needs.
"""

from energywatch.interchange.acled import (
    ACLED_COLUMNS,
    ACLED_PANDAS_DTYPES,
    acled_row,
    outlets_from_store,
    write_acled_csv,
)
from energywatch.interchange.countries import COUNTRIES, Country, country
from energywatch.interchange.geojson import asset_feature, incident_feature, validate_geojson, write_geojson
from energywatch.interchange.plover import plover_event, write_plover_jsonl

__all__ = [
    "ACLED_COLUMNS",
    "ACLED_PANDAS_DTYPES",
    "COUNTRIES",
    "Country",
    "acled_row",
    "asset_feature",
    "country",
    "incident_feature",
    "outlets_from_store",
    "plover_event",
    "validate_geojson",
    "write_acled_csv",
    "write_geojson",
    "write_plover_jsonl",
]
