"""Word lists, patterns and geometry behind ``extract.places``.

Kept apart so the rules can be read (and extended) in one place: every list below is
a heuristic with the reason for it next to it. Nothing here touches the knowledge base.
"""

from __future__ import annotations

import math
import re

from energywatch.kb import normalize_name

# Capitalised words that are also gazetteer entries but, in news prose, are almost never
# the place: English words and given names ("Mobile" AL, "Victoria" HK, "Reading"),
# months and weekdays, and institution words that open sentences.
STOPLIST = frozenset(
    normalize_name(w)
    for w in (
        *("Mobile", "Victoria", "Reading", "Split", "Nice", "Bath", "Of", "March", "May", "August"),
        *("Energy", "Opportunity", "Independence", "Union", "Progress", "Hope", "Unity", "Liberty"),
        *("Orange", "Marina", "Florence", "Alexandria", "Lincoln", "Jackson", "Washington Post"),
        *("Chevron", "Shell", "Eni", "Total", "Best", "Mission", "Industry", "Commerce", "Enterprise"),
        *("Home", "Street", "Ocean", "Palm", "Sunday", "Monday", "Friday", "Deal", "Bend", "Sale"),
        *("Police", "Marines", "Petroleum", "Gas", "Oil", "Brent", "Urals", "Temple", "Paradise"),
        *("Republic", "University", "Airport", "White House", "County", "Garden City", "Capitol"),
        *("Kyiv Independent", "Of The", "Bar", "Bay", "Center", "Centre", "Regions", "Gulf"),
    )
)
# Function words and sentence openers that GeoNames lists as alternate names of some
# town ("The" → Teresina, "It", "In", "No", "With"): never a place on their own.
FUNCTION_WORDS = frozenset(
    normalize_name(w)
    for w in (
        *("The", "A", "An", "It", "Its", "In", "No", "At", "By", "For", "With", "We", "Our", "If", "But"),
        *("Was", "Since", "One", "This", "That", "These", "Those", "He", "She", "They", "There", "Here"),
        *("What", "When", "Where", "Who", "How", "All", "Some", "Many", "Most", "After", "Before", "As"),
        *("On", "To", "From", "And", "Or", "Not", "So", "Yet", "Also", "More", "Key", "Top", "Market"),
        *("Federal", "Central", "Delta", "Sea", "Manage", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul"),
        *("Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "During", "While", "Under", "Over", "Two", "Three"),
        *("Earlier", "Later", "Meanwhile", "However", "Still", "Even", "Yes", "Read", "Share", "Subscribe"),
        *("North", "South", "East", "West", "President", "Minister", "Ministry", "Government", "State"),
    )
)
# Connectors allowed inside a capitalised name ("Sea of Azov", "Rostov on Don").
CONNECTORS = frozenset({"of", "on", "de", "del", "la", "upon", "al", "el", "and"})
ACRONYM_COUNTRIES = {
    **{"US": "US", "U.S.": "US", "USA": "US", "UK": "GB", "U.K.": "GB", "UAE": "AE", "DPRK": "KP"},
    **{"Britain": "GB", "Great Britain": "GB", "America": "US"},  # not keyed so in GeoNames
}

# Demonyms worth knowing in this domain and in general news; country ISO-2.
DEMONYMS: dict[str, str] = {
    **{"Russian": "RU", "Russians": "RU", "Kazakh": "KZ", "Kazakhstani": "KZ", "Ukrainian": "UA"},
    **{"Ukrainians": "UA", "Azerbaijani": "AZ", "Azeri": "AZ", "American": "US", "Americans": "US"},
    **{"British": "GB", "Chinese": "CN", "Turkish": "TR", "German": "DE", "French": "FR"},
    **{"Iranian": "IR", "Iraqi": "IQ", "Syrian": "SY", "Saudi": "SA", "Israeli": "IL", "Irish": "IE"},
    **{"Indian": "IN", "Japanese": "JP", "Georgian": "GE", "Belarusian": "BY", "Polish": "PL"},
    **{"Italian": "IT", "Spanish": "ES", "Canadian": "CA", "Mexican": "MX", "Turkmen": "TM"},
    **{"Uzbek": "UZ", "Qatari": "QA", "Emirati": "AE", "Egyptian": "EG", "Pakistani": "PK"},
    **{"Afghan": "AF", "Australian": "AU", "Brazilian": "BR", "Venezuelan": "VE", "Libyan": "LY"},
    **{"Nigerian": "NG", "Norwegian": "NO", "Dutch": "NL", "Swiss": "CH", "Greek": "GR"},
    **{"Palestinian": "PS", "Lebanese": "LB", "Yemeni": "YE", "Korean": "KR", "Filipino": "PH"},
    **{"Tunisian": "TN", "Malaysian": "MY", "English": "GB", "Scottish": "GB", "Welsh": "GB"},
}
# Demonyms of continents and regions: name in ``MACRO``.
MACRO_DEMONYMS = {"European": "Europe", "African": "Africa", "Asian": "Asia", "Kurdish": "Kurdistan"}

# Seas and basins: hand-set points near each water body's middle (rounded, from maps);
# good to tens of km, which is all a "the Black Sea" mention can claim.
SEAS: dict[str, tuple[str, float, float]] = {
    "black sea": ("Black Sea", 43.4, 34.3),
    "caspian sea": ("Caspian Sea", 41.9, 50.7),
    "caspian": ("Caspian Sea", 41.9, 50.7),
    "sea of azov": ("Sea of Azov", 46.1, 36.7),
    "azov sea": ("Sea of Azov", 46.1, 36.7),
    "baltic sea": ("Baltic Sea", 58.5, 19.9),
    "mediterranean": ("Mediterranean Sea", 35.0, 18.0),
    "persian gulf": ("Persian Gulf", 26.9, 51.5),
    "red sea": ("Red Sea", 20.3, 38.5),
}

# Continents and macro-regions GeoNames keeps out of the city lists; rough centres
# (GeoNames continent points, hand-set for the others), enough for a 161 km check
# only on the small ones.
MACRO: dict[str, tuple[str, float, float]] = {
    normalize_name(k): v
    for k, v in {
        "Europe": ("Europe", 48.69, 9.14), "Asia": ("Asia", 29.84, 89.30),
        "Africa": ("Africa", 7.19, 21.09), "North America": ("North America", 46.07, -100.55),
        "South America": ("South America", -14.60, -57.66),
        "Latin America": ("Latin America", -14.60, -57.66), "Oceania": ("Oceania", -18.31, 138.52),
        "Middle East": ("Middle East", 29.0, 41.0), "Central Asia": ("Central Asia", 45.0, 68.0),
        "Caucasus": ("Caucasus", 42.5, 44.5), "Siberia": ("Siberia", 60.0, 105.0),
        "Crimea": ("Crimea", 45.3, 34.4), "EU": ("European Union", 48.69, 9.14),
        "European Union": ("European Union", 48.69, 9.14), "Atlantic": ("Atlantic Ocean", 10.0, -25.0),
        "Pacific": ("Pacific Ocean", 0.0, -160.0), "Arctic": ("Arctic", 78.0, 0.0),
        "Donbas": ("Donbas", 48.0, 38.0), "Kurdistan": ("Kurdistan", 37.0, 44.0),
    }.items()
}  # fmt: skip

DIRS = {
    "north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0,
    "south": 180.0, "southwest": 225.0, "west": 270.0, "northwest": 315.0,
}  # fmt: skip
DIR_WORD = r"(?:north|south|east|west)(?:[- ]?(?:east|west))?"
CAP = r"[A-ZА-ЯЁÀ-Þ][\w’'\-]*"
# A place name after a preposition; "region"/"Krai"… may follow ("Krasnodar region").
NAME = rf"{CAP}(?:[ ](?:of[ ])?{CAP})*(?:[ ](?:region|Krai|krai|Oblast|oblast|district|territory))?"

CANDIDATE = re.compile(
    rf"U\.[SK]\.|(?<![\w’'\-]){CAP}(?:[ \t](?:(?:{'|'.join(sorted(CONNECTORS))})[ \t])?{CAP})*"
)
REGION_SUFFIX = re.compile(
    rf"\b({CAP}(?:[ \-]{CAP})?)[ ]"
    r"(region|Region|Krai|krai|Oblast|oblast|territory|Territory|province|Province|district|District)\b"
)
VAGUE_REGION = re.compile(rf"\b((?:{DIR_WORD})(?:ern)?|central|Central)[ ]({CAP})")
SEA = re.compile(
    r"\b(?:the[ ])?(Black Sea|Caspian(?: Sea)?|Sea of Azov|Azov Sea|Baltic Sea|Mediterranean|"
    r"Persian Gulf|Red Sea)\b"
)
BORDER = re.compile(rf"\b(?:the[ ])?({CAP})[ ]?[–—\-][ ]?({CAP})[ ]border\b")
RELATIVE = re.compile(
    rf"(?:(?:about|some|around|roughly|nearly)[ ])?(\d+(?:[.,]\d+)?)[ ]?(km|kilometres|kilometers|miles|mi)"
    rf"[ ](?:\([^)]{{0,20}}\)[ ])?({DIR_WORD})[ ]of[ ](?:the[ ])?$",
    re.IGNORECASE,
)
BARE_RELATIVE = re.compile(
    rf"\b({DIR_WORD}[ ]of|near|outside|close[ ]to|on[ ]the[ ]outskirts[ ]of|in[ ]the[ ]vicinity[ ]of)"
    r"[ ](?:the[ ])?(?:(?:town|city|village|port|settlement|stanitsa)[ ](?:of[ ])?)?$",
    re.IGNORECASE,
)

DATELINE = re.compile(r"[A-ZА-ЯЁ][A-ZА-ЯЁ’'\- ]+(?:/[A-ZА-ЯЁ][A-ZА-ЯЁ\- ]+)*(?:,|[ ]?[-–—])")
OUTLET_AFTER = re.compile(
    r"[ ](?:Wire|News|Times|Post|Herald|Agency|Journal|Daily|Tribune|Gazette|Courier)\b"
)

# Role cues, read from the words just before a place (same sentence).
MEETING = re.compile(
    r"\b(?:talks|meeting|met|meet|meets|summit|negotiations|conference|forum|visit(?:ed|ing|s)?|hosted|"
    r"gathered|signed|consultations)\b[^.;:]{0,30}?\b(?:in|at|to)[ ](?:the[ ])?$",
    re.IGNORECASE,
)
SPEAKER = re.compile(
    r"\b(?:said|told|says|stated|announced|speaking|spoke|briefing|reporters|statement|commentators|analysts|"
    r"officials|experts|observers|diplomats|sources|traders|journalists)\b[^.;:]{0,25}?\b(?:in|from)[ ]$",
    re.IGNORECASE,
)
FLOW_WORDS = re.compile(
    r"\b(?:oil|crude|gas|exports?|shipments?|supplies|supply|flows?|barrels|tonnes|pumped|pumps|carries|"
    r"carry|transports?|deliveries|delivered|route|routes|shipped|bound|sent|moves)\b",
    re.IGNORECASE,
)
INCIDENT_CUE = re.compile(
    r"\b(?:attack(?:ed|s)?|strike|struck|hit|hits|drones?|uavs?|explosions?|blasts?|fire|blaze|"
    r"burn(?:ing|ed)?|damaged?|shell(?:ed|ing)|missiles?|targeted|sabotage|leak|outage|halted|"
    r"suspended|evacuated|debris|wounded|killed|injured)\b",
    re.IGNORECASE,
)
LOCATIVE = re.compile(
    r"\b(?:in|near|at|outside|close to|on the outskirts of|of|off|from|"
    r"struck|hit|attacked|targeted|shelled|damaged)"
    r"[ ](?:the[ ])?$"
)
FACILITY_BEFORE = re.compile(
    r"\b(?:station|plant|refinery|terminal|depot|facility|field|port|mooring|pipeline|office|site)\b"
    r"[^.;]{0,40}$",
    re.IGNORECASE,
)

# Generic facilities ("an oil depot in Tikhoretsk"): noun → facility type.
FACILITY_TYPES: dict[str, str] = {
    "oil depot": "oil_depot", "fuel depot": "oil_depot", "oil storage facility": "oil_depot",
    "oil storage depot": "oil_depot", "tank farm": "oil_depot", "oil refinery": "refinery",
    "refinery": "refinery", "pumping station": "pumping_station", "oil pumping station": "pumping_station",
    "compressor station": "compressor_station", "gas processing plant": "gas_plant", "gas plant": "gas_plant",
    "power station": "power_plant", "power plant": "power_plant", "thermal power plant": "power_plant",
    "substation": "substation", "electrical substation": "substation", "oil terminal": "terminal",
    "terminal": "terminal", "port": "port", "seaport": "port", "oil field": "field", "gas field": "field",
}  # fmt: skip
FACILITY = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne)[ ](?:[a-z\-]+[ ]){0,2}?("
    + "|".join(sorted(map(re.escape, FACILITY_TYPES), key=len, reverse=True))
    + rf")[ ](?:in|near|at|outside|close to|on the outskirts of)[ ](?:the[ ])?(?:town[ ]of[ ])?({NAME})"
)


EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG): one sphere for every distance the project computes."""


def offset_point(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``km`` away on ``bearing_deg`` (great circle, spherical Earth)."""
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return round(math.degrees(p2), 5), round((math.degrees(l2) + 540) % 360 - 180, 5)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (evaluation uses 50 km and 161 km thresholds)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
