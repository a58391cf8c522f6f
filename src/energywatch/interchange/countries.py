"""The countries the interchange formats name, in the spelling ACLED and PLOVER use.

Incident records carry ISO-2 codes; ACLED wants a country name, an ISO numeric code and
its own region, PLOVER an ISO-3 code. One table serves both writers, and the map from our
perpetrator values (country names) to those codes lives beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    """What ACLED and PLOVER call a country we know by its ISO-2 code."""

    iso2: str
    iso3: str
    numeric: int
    name: str
    acled_region: str


_CCA = "Caucasus and Central Asia"
# The countries of the knowledge base and their neighbours along the export routes.
# Names and regions follow ACLED's spelling ("Turkey", "Caucasus and Central Asia").
COUNTRIES: dict[str, Country] = {
    c.iso2: c
    for c in (
        Country("RU", "RUS", 643, "Russia", "Europe"),
        Country("UA", "UKR", 804, "Ukraine", "Europe"),
        Country("BY", "BLR", 112, "Belarus", "Europe"),
        Country("PL", "POL", 616, "Poland", "Europe"),
        Country("DE", "DEU", 276, "Germany", "Europe"),
        Country("MD", "MDA", 498, "Moldova", "Europe"),
        Country("RO", "ROU", 642, "Romania", "Europe"),
        Country("BG", "BGR", 100, "Bulgaria", "Europe"),
        Country("HU", "HUN", 348, "Hungary", "Europe"),
        Country("SK", "SVK", 703, "Slovakia", "Europe"),
        Country("CZ", "CZE", 203, "Czech Republic", "Europe"),
        Country("LT", "LTU", 440, "Lithuania", "Europe"),
        Country("LV", "LVA", 428, "Latvia", "Europe"),
        Country("EE", "EST", 233, "Estonia", "Europe"),
        Country("FI", "FIN", 246, "Finland", "Europe"),
        Country("NO", "NOR", 578, "Norway", "Europe"),
        Country("NL", "NLD", 528, "Netherlands", "Europe"),
        Country("GB", "GBR", 826, "United Kingdom", "Europe"),
        Country("IT", "ITA", 380, "Italy", "Europe"),
        Country("GR", "GRC", 300, "Greece", "Europe"),
        Country("KZ", "KAZ", 398, "Kazakhstan", _CCA),
        Country("AZ", "AZE", 31, "Azerbaijan", _CCA),
        Country("GE", "GEO", 268, "Georgia", _CCA),
        Country("AM", "ARM", 51, "Armenia", _CCA),
        Country("TM", "TKM", 795, "Turkmenistan", _CCA),
        Country("UZ", "UZB", 860, "Uzbekistan", _CCA),
        Country("TR", "TUR", 792, "Turkey", "Middle East"),
        Country("IR", "IRN", 364, "Iran", "Middle East"),
        Country("CN", "CHN", 156, "China", "East Asia"),
        Country("US", "USA", 840, "United States", "North America"),
    )
}


def country(iso2: str | None) -> Country | None:
    """The country for an ISO-2 code, or None when the table does not know it."""
    return COUNTRIES.get(iso2.upper()) if iso2 else None


# Our perpetrator values are country names (extract/events.py); the ISO-2 of each.
PERPETRATOR_COUNTRY = {"Ukraine": "UA", "Russia": "RU"}
