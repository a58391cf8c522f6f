"""The knowledge base: the bundled asset file, validation of broken files, alias
matching in text, and the gazetteer. Reference coordinates below are the values the
research notes give for each town (degrees-minutes converted to decimals)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from energywatch.errors import KnowledgeBaseError, NotFoundError
from energywatch.kb import (
    AssetType,
    CoordQuality,
    KnowledgeBase,
    load_knowledge_base,
    normalize_name,
)
from energywatch.kb.aliases import normalize_with_offsets
from energywatch.kb.assets import bundled_path
from energywatch.kb.gazetteer import Gazetteer

# Every id of the research register, in its order: external evaluation refers to them.
REGISTER_IDS = [
    "cpc_pipeline",
    "cpc_ps_tengiz",
    "cpc_ps_atyrau",
    "cpc_ps_isatay",
    "cpc_ps_kurmangazy",
    "cpc_ps_astrakhan_krasnoyarsky",
    "cpc_ps_astrakhanskaya",
    "cpc_ps_komsomolskaya",
    "cpc_ps_2_achinery",
    "cpc_ps_kalmykia_unnamed",
    "cpc_ps_stavropol_unnamed_1",
    "cpc_ps_stavropol_unnamed_2",
    "cpc_ps_kropotkinskaya",
    "cpc_ps_krasnodar_unnamed_1",
    "cpc_ps_krasnodar_unnamed_2",
    "cpc_ps_krasnodar_unnamed_3",
    "cpc_marine_terminal",
    "cpc_tank_farm",
    "cpc_spm_1",
    "cpc_spm_2",
    "cpc_spm_3",
    "tanker_loadings_cpc_blend",
    "cpc_mt_admin_control_center",
    "cpc_r_city_office_novorossiysk",
    "kavkazskaya_transfer_station",
    "russian_rail_crude_deliveries",
    "tengiz_field",
    "kashagan_field",
    "karachaganak_field",
    "filanovsky_field",
    "korchagin_field",
    "karachaganak_orenburg_gas_link",
    "orenburg_gpp",
    "astrakhan_gpp",
    "kto_atyrau_samara",
    "transneft_network_samara",
    "kuibyshev_tikhoretsk_line",
    "ust_luga_port",
    "druzhba_pipeline_germany",
    "kenkiyak_atyrau",
    "kenkiyak_kumkol",
    "atasu_alashankou",
    "alashankou_terminal",
    "aktau_port",
    "sangachal_terminal",
    "btc_pipeline",
    "ceyhan_terminal",
    "makhachkala_port",
    "novorossiysk_port",
    "sheskharis_terminal",
    "grushovaya_depot",
    "tuapse_refinery",
    "tuapse_port",
    "afipsky_refinery",
    "ilsky_refinery",
    "taman_port",
]

# Normalised names shared by two assets in the register itself. Each is ambiguous in
# text, so find_mentions reports both assets for it.
KNOWN_COLLISIONS = {
    "tengiz": ["cpc_ps_tengiz", "tengiz_field"],  # Kazakh "Теңіз" names the station and the field
    "lpds samara": ["transneft_network_samara", "kuibyshev_tikhoretsk_line"],  # "ЛПДС Самара"
}

KROPOTKIN = (45.4333, 40.5667)  # 45°26'N 40°34'E
NOVOROSSIYSK = (44.7333, 37.7833)  # 44°44'N 37°47'E (port of Novorossiysk)
ORENBURG = (51.767, 55.100)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def gazetteer(kb: KnowledgeBase) -> Gazetteer:
    return kb.gazetteer


# --------------------------------------------------------------------------- bundled file


def test_bundled_file_keeps_every_register_id_in_order(kb: KnowledgeBase) -> None:
    assert list(kb.assets) == REGISTER_IDS
    assert len(kb) == 56
    for asset_id in ("cpc_ps_kropotkinskaya", "cpc_spm_2", "orenburg_gpp", "karachaganak_field"):
        assert asset_id in kb
    assert kb.get("cpc_marine_terminal").type is AssetType.terminal


def test_default_path_is_the_bundled_file(kb: KnowledgeBase) -> None:
    explicit = load_knowledge_base(bundled_path())
    assert explicit.assets == kb.assets
    assert kb.path.endswith("assets.yaml")


def test_facts_keep_sources_units_and_owners(kb: KnowledgeBase) -> None:
    cpc = kb.get("cpc_pipeline")
    assert cpc.country == ["KZ", "RU"]
    assert sum(o.stake_pct or 0 for o in cpc.owners) == pytest.approx(100.0)
    assert {c.unit for c in cpc.capacity} >= {"km", "Mt/yr", "mb/d"}
    assert len(cpc.line) == 9  # the Astrakhan-section patrol waypoints
    for asset in kb.assets.values():
        assert asset.sources, asset.id
        for ref in asset.sources:
            assert ref.id.startswith("G") or (ref.url or "").startswith("http"), (asset.id, ref.id)
        assert all(c.unit for c in asset.capacity)
    spm2 = kb.get("cpc_spm_2")
    assert any(e.date == "2025-11-29" and "S19" in e.sources for e in spm2.history)
    meta = kb.meta
    assert meta.units_and_conversions.cpc_blend_bbl_per_tonne == 7.9
    assert meta.cpc_throughput_mt.total[2024] == pytest.approx(63.01)
    assert meta.kazakhstan_oil_totals_mt.exports[2025] == pytest.approx(78.7)


def test_flow_links_are_mirrored(kb: KnowledgeBase) -> None:
    for asset in kb.assets.values():
        for up in asset.upstream:
            assert asset.id in kb.get(up).downstream
        for down in asset.downstream:
            assert asset.id in kb.get(down).upstream


def test_settlement_proxies_name_a_settlement_the_gazetteer_knows(
    kb: KnowledgeBase, gazetteer: Gazetteer
) -> None:
    proxies = [a for a in kb.assets.values() if a.coord_quality is CoordQuality.gazetteer_settlement_proxy]
    assert {a.id for a in proxies} >= {
        "cpc_ps_kurmangazy", "cpc_ps_astrakhanskaya", "kavkazskaya_transfer_station", "makhachkala_port",
    }  # fmt: skip
    for asset in proxies:
        assert asset.coord_place
        assert asset.lat is not None
        assert asset.lon is not None
        places = [p for p in gazetteer.lookup(asset.coord_place, asset.country[0]) if p.feature == "city"]
        assert places, asset.coord_place
        assert places[0].lat is not None
        assert places[0].lon is not None
        assert km_between((asset.lat, asset.lon), (places[0].lat, places[0].lon)) < 1.0, asset.id
        assert asset.coord_place in (asset.coord_note or "")


# --------------------------------------------------------------------------- broken files


def minimal_file() -> dict[str, Any]:
    """A small valid file; each broken-file case changes one thing in it."""
    return {
        "meta": {
            "title": "test",
            "units_and_conversions": {
                "cpc_blend_bbl_per_tonne": 7.9,
                "cpc_blend_bbl_per_tonne_range": [7.8, 8.0],
                "kz_total_liquids_bbl_per_tonne": 7.5,
            },
            "kazakhstan_oil_totals_mt": {"production": {2023: 89.9}, "exports": {2023: 70.5}},
            "cpc_throughput_mt": {"total": {2024: 63.01}, "kazakh_origin": {2024: None}},
        },
        "assets": [
            {
                "id": "field_a", "name": "Field A", "type": "field", "country": ["KZ"],
                "lat": 46.15, "lon": 53.38, "coord_quality": "site_sourced",
                "capacity": [{"value": 10, "unit": "Mt/yr", "sources": ["S1"]}],
                "upstream": [], "downstream": ["pipe_b"],
                "sources": [{"id": "S1", "url": "https://example.org/1"}],
            },
            {
                "id": "pipe_b", "name": "Pipe B", "type": "pipeline", "country": ["KZ", "RU"],
                "upstream": ["field_a"], "downstream": ["port_c"],
            },
            {
                "id": "port_c", "name": "Port C", "type": "port", "country": ["RU"],
                "lat": 44.7, "lon": 37.8, "coord_quality": "settlement_proxy",
                "upstream": ["pipe_b"], "downstream": [],
            },
        ],
    }  # fmt: skip


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "broken_assets.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path: Path) -> None:
    kb = load_knowledge_base(write(tmp_path, minimal_file()))
    assert list(kb.assets) == ["field_a", "pipe_b", "port_c"]


def _duplicate(d: dict[str, Any]) -> None:
    d["assets"].append({**d["assets"][2]})


def _unknown_type(d: dict[str, Any]) -> None:
    d["assets"][2]["type"] = "spaceport"


def _dangling(d: dict[str, Any]) -> None:
    d["assets"][1]["downstream"].append("foo")


def _lat_range(d: dict[str, Any]) -> None:
    d["assets"][2]["lat"] = 144.7


def _no_unit(d: dict[str, Any]) -> None:
    del d["assets"][0]["capacity"][0]["unit"]


def _entry_not_mapping(d: dict[str, Any]) -> None:
    d["assets"].append("port_d")


def _lat_without_lon(d: dict[str, Any]) -> None:
    d["assets"][2]["lon"] = None


def _bad_id(d: dict[str, Any]) -> None:
    d["assets"][2]["id"] = "Port-C"
    d["assets"][1]["downstream"] = []


def _not_mirrored(d: dict[str, Any]) -> None:
    d["assets"][2]["upstream"] = []


def _unknown_field(d: dict[str, Any]) -> None:
    d["assets"][2]["upsteam"] = ["pipe_b"]


def _uncited_source(d: dict[str, Any]) -> None:
    d["assets"][0]["capacity"][0]["sources"] = ["S9"]


@pytest.mark.parametrize(
    ("mutate", "entry", "problem"),
    [
        pytest.param(_duplicate, "port_c", "duplicate id", id="duplicate-id"),
        pytest.param(_unknown_type, "port_c", "unknown asset type 'spaceport'", id="unknown-type"),
        pytest.param(_dangling, "pipe_b", "downstream link 'foo' does not resolve", id="dangling-link"),
        pytest.param(_lat_range, "port_c", "latitude 144.7 is outside [-90, 90]", id="lat-out-of-range"),
        pytest.param(_no_unit, "field_a", "capacity entry 1 has no unit", id="capacity-without-unit"),
        pytest.param(_entry_not_mapping, "entry #4", "not a mapping", id="entry-not-a-mapping"),
        pytest.param(_lat_without_lon, "port_c", "lat and lon must both be set", id="lat-without-lon"),
        pytest.param(_bad_id, "Port-C", "is not snake_case", id="id-format"),
        pytest.param(_not_mirrored, "pipe_b", "is not mirrored", id="unmirrored-link"),
        pytest.param(_unknown_field, "port_c", "unknown field 'upsteam'", id="unknown-field"),
        pytest.param(_uncited_source, "field_a", "cites source 'S9'", id="uncited-source"),
    ],
)
def test_broken_file_names_file_entry_and_problem(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], entry: str, problem: str
) -> None:
    data = minimal_file()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(path)
    message = str(info.value)
    assert str(path) in message
    assert entry in message
    assert problem in message
    assert "(line " in message


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    data = minimal_file()
    _dangling(data)
    _lat_range(data)
    _no_unit(data)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(write(tmp_path, data))
    message = str(info.value)
    assert "3 problems" in message
    for part in ("'foo' does not resolve", "latitude 144.7", "has no unit"):
        assert part in message
    assert info.value.exit_code == 4


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "assets.yaml"
    path.write_text(
        "meta:\n  title: x\nassets:\n- id: a\n  name: [unclosed\n  type: field\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(path)
    message = str(info.value)
    assert str(path) in message
    assert "YAML syntax error" in message
    assert "line " in message


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, [{"id": "a"}])
    with pytest.raises(KnowledgeBaseError, match="top level must be a mapping") as info:
        load_knowledge_base(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_knowledge_base_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_knowledge_base(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "variants",
    [
        [
            "Kropotkinskaya",
            "Kropotkinsky",
            "Kropotkinskiy",
            "Kropotkinska",
            "Кропоткинская",
            "«Кропоткинская»",
            "Кропоткінська",
            "KROPOTKINSKAYA",
            "Kropotkinskaja",
        ],
        ["Novorossiysk", "Novorossiisk", "Novorossijsk", "Новороссийск", "„Novorossiysk“"],
        ["Yuzhnaya Ozereyevka", "Yuzhnaya Ozereevka", "Южная Озереевка", "Yuzhnaya  Ozereyevka"],
        ["SPM-2", "SPM2", "SPM 2", "SPM–2", "SPM—2"],
        ["ВПУ-2", "VPU-2", "VPU 2"],
        ["Il'skiy", "Il’skiy", "Ilsky", "Ильский"],
        ["Теңіз", "Тенгиз", "Tengiz"],
        ["Isatay", "Isatai", "Исатай"],
    ],
)
def test_spelling_variants_share_a_key(variants: list[str]) -> None:
    assert len({normalize_name(v) for v in variants}) == 1, {v: normalize_name(v) for v in variants}


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kropotkinskaya", "Komsomolskaya"), ("Kavkazskaya", "Kropotkinskaya"), ("SPM-1", "SPM-2"),
     ("Astrakhan", "Astrakhanskaya"), ("Orenburg", "Oral"), ("Tuapse", "Taman")],
)  # fmt: skip
def test_distinct_names_keep_distinct_keys(a: str, b: str) -> None:
    assert normalize_name(a) != normalize_name(b)


def test_assets_stay_distinguishable_except_known_duplicates(kb: KnowledgeBase) -> None:
    assert kb.alias_collisions() == KNOWN_COLLISIONS


_TRICKY = list("abeijkosy sk'’«»“”„-–—.,;()0123456789ийёяюыщКропткнсаяЙIİßﬁ\u0306ΣҚңәі阿_")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40) | st.text(max_size=25))
def test_offset_path_agrees_with_fast_path(text: str) -> None:
    key, starts, ends = normalize_with_offsets(text)
    assert key == normalize_name(text)
    assert len(starts) == len(ends) == len(key)
    assert all(0 <= s <= e <= len(text) for s, e in zip(starts, ends, strict=True))


# --------------------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("text", "surface", "asset_id"),
    [
        (
            "Drones attacked the Kropotkinskaya station overnight.",
            "Kropotkinskaya station",
            "cpc_ps_kropotkinskaya",
        ),
        ("Fire at the Kropotkinsky pumping site.", "Kropotkinsky", "cpc_ps_kropotkinskaya"),
        ("Атака на Кропоткинская НПС.", "Кропоткинская НПС", "cpc_ps_kropotkinskaya"),
        ("Беспилотники атаковали НПС «Кропоткинская» ночью.", "НПС «Кропоткинская»", "cpc_ps_kropotkinskaya"),
        ("Станция «Кропоткинская» остановлена.", "Кропоткинская", "cpc_ps_kropotkinskaya"),
        (
            "A strike on the Kropotkin pumping station, Krasnodar.",
            "Kropotkin pumping station",
            "cpc_ps_kropotkinskaya",
        ),
        ("Щелкали Kropotkinska ночью", "Kropotkinska", "cpc_ps_kropotkinskaya"),
        ("Tankers waited off Novorossiisk.", "Novorossiisk", "novorossiysk_port"),
        ("Sea drones damaged SPM-2 at the terminal.", "SPM-2", "cpc_spm_2"),
        ("Повреждено ВПУ-2, сообщили в КТК.", "ВПУ-2", "cpc_spm_2"),
        ("the single point mooring 2 was hit", "single point mooring 2", "cpc_spm_2"),
        ("Gazprom's Orenburg gas processing plant stopped.", "Orenburg gas processing plant", "orenburg_gpp"),
        ("Пожар на Оренбургский ГПЗ.", "Оренбургский ГПЗ", "orenburg_gpp"),
        ("Tengizchevroil declared force majeure.", "Tengizchevroil", "tengiz_field"),
        ("Output at Karachaganak fell.", "Karachaganak", "karachaganak_field"),
        ("Loadings at Yuzhnaya Ozereevka resumed.", "Yuzhnaya Ozereevka", "cpc_marine_terminal"),
        (
            "CPC's terminal near Novorossiysk halted loadings.",
            "CPC's terminal near Novorossiysk",
            "cpc_marine_terminal",
        ),
    ],
)
def test_mentions_found_at_the_right_offsets(
    kb: KnowledgeBase, text: str, surface: str, asset_id: str
) -> None:
    matches = [m for m in kb.find_mentions(text) if m.asset_id == asset_id]
    assert len(matches) == 1, kb.find_mentions(text)
    match = matches[0]
    assert match.surface == surface
    assert (match.start, match.end) == (text.index(surface), text.index(surface) + len(surface))
    assert text[match.start : match.end] == surface


def test_longest_alias_wins(kb: KnowledgeBase) -> None:
    text = "Loading stopped at the CPC terminal near Novorossiysk and at SPM-2."
    found = [(m.asset_id, m.surface) for m in kb.find_mentions(text)]
    assert found == [("cpc_marine_terminal", "CPC terminal near Novorossiysk"), ("cpc_spm_2", "SPM-2")]


def test_shared_alias_reports_every_asset(kb: KnowledgeBase) -> None:
    matches = kb.find_mentions("Өндіріс Теңіз кенішінде тоқтады.")
    assert {m.asset_id for m in matches} == {"cpc_ps_tengiz", "tengiz_field"}
    assert len({(m.start, m.end) for m in matches}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Officials of the Kavkazsky district said the roads were closed.",  # a district, not the oil station
        "В Кавказском районе ввели режим ЧС.",
        "A fire in the town of Kropotkin.",  # the town is a place, not the station
        "btc and eth prices fell",  # acronyms only count in capitals
        "волна атак продолжилась",  # "волна" (a wave), not the Volna terminal
        "The Tengizchevroilers met.",  # no partial words
        "Novorossiysk district police",  # a one-word place name followed by "district"
    ],
)
def test_no_false_mentions(kb: KnowledgeBase, text: str) -> None:
    assert kb.find_mentions(text) == []


def test_kavkazskaya_station_still_matches(kb: KnowledgeBase) -> None:
    text = "The Kavkazskaya oil transfer station in Kavkazsky district burned for days."
    assert [(m.asset_id, m.surface) for m in kb.find_mentions(text)] == [
        ("kavkazskaya_transfer_station", "Kavkazskaya oil transfer station")
    ]


# --------------------------------------------------------------------------- get and search


def test_get_unknown_id_suggests_close_ids(kb: KnowledgeBase) -> None:
    with pytest.raises(NotFoundError) as info:
        kb.get("cpc_ps_kropotkinskya")
    assert info.value.suggestions[0] == "cpc_ps_kropotkinskaya"
    assert "did you mean: cpc_ps_kropotkinskaya" in str(info.value)


def test_search_normalises_and_ranks(kb: KnowledgeBase) -> None:
    assert kb.search("novorossiisk")[0].id == "novorossiysk_port"
    assert kb.search("Кропоткинская")[0].id == "cpc_ps_kropotkinskaya"
    assert [a.id for a in kb.search("spm")][:3] == ["cpc_spm_1", "cpc_spm_2", "cpc_spm_3"]
    assert kb.search("no such thing") == []


# --------------------------------------------------------------------------- gazetteer


@pytest.mark.parametrize(
    ("name", "country", "expected", "max_km"),
    [
        ("Kropotkin", None, KROPOTKIN, 3.0),
        ("Novorossiysk", None, NOVOROSSIYSK, 3.0),
        ("Новороссийск", "RU", NOVOROSSIYSK, 3.0),
        ("Novorossiisk", None, NOVOROSSIYSK, 3.0),
        ("Orenburg", "ru", ORENBURG, 3.0),
        ("Atyrau", "KZ", (47.1167, 51.8833), 5.0),
        ("Aktau", "KZ", (43.650, 51.150), 5.0),
        ("Tuapse", None, (44.10, 39.08), 3.0),
        ("Aksay", "KZ", (51.17, 53.00), 5.0),
        ("stanitsa Kavkazskaya", None, (45.44, 40.67), 3.0),
    ],
)
def test_gazetteer_finds_towns_near_known_points(
    gazetteer: Gazetteer, name: str, country: str | None, expected: tuple[float, float], max_km: float
) -> None:
    places = gazetteer.lookup(name, country)
    assert places, name
    top = places[0]
    assert top.feature == "city"
    assert top.lat is not None
    assert top.lon is not None
    assert km_between((top.lat, top.lon), expected) < max_km


def test_gazetteer_orders_by_population_and_filters_by_country(gazetteer: Gazetteer) -> None:
    aksay = gazetteer.lookup("Aksay")
    assert [p.country for p in aksay][:2] == ["RU", "KZ"]  # 38.9k before 34.8k
    assert all(p.country == "KZ" for p in gazetteer.lookup("Aksay", "KZ"))
    assert gazetteer.lookup("Kropotkin")[0].admin1 == "Krasnodar Krai"


def test_gazetteer_has_countries_regions_and_assets(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Россия")[0].country == "RU"
    assert gazetteer.lookup("Kazakhstan")[0].feature == "country"
    region = gazetteer.lookup("Krasnodar region")[0]
    assert (region.feature, region.name) == ("admin", "Krasnodar Krai")
    terminal = gazetteer.lookup("Yuzhnaya Ozereyevka")
    assert [p.asset_id for p in terminal] == ["cpc_marine_terminal"]
    assert gazetteer.lookup("") == []
