"""Who says a sentence's content, and how firmly: speaker attribution and hedges.

Every claim carries the source it is attributed to ("according to Novak", "a Chevron
spokesperson") and a hedge (DESIGN §3), because verification (DESIGN §7) weighs a
minister's statement, an anonymous source and an unhedged sentence differently, and a
claim flagged "unconfirmed" must not make an attribute *agreed* on its own.

Rule-based on purpose (no model download, offsets stay exact): news attribution is
formulaic. The speaker is found around a speech verb ("X said", "said X", "X told
Reuters"), after "according to", in "X was quoted as saying", or after "In a
statement,". The subject of a speech verb is parsed by a small noun-phrase grammar
(determiner, modifiers, head, qualifier) over the words before the verb; the head must
be a speaker noun ("spokesperson", "ministry", "sources") or a capitalised name, which
is what keeps "the station said to be near ..." and "the expansion of the field added
capacity" from yielding speakers.

Who the *perpetrator* of an attack is, is another module's job; this one only says who
is speaking.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from energywatch.extract.sentences import Sentence
from energywatch.models import Hedge

# --------------------------------------------------------------------------- vocabulary

# Finite speech verbs. Plain present plurals ("officials say", "analysts suggest") are
# included; gerunds ("adding", "citing") are not, they continue an attribution already found.
_VERBS = (
    "said|says|say|told|tells|added|adds|announced|announces|confirmed|confirms|stated|"
    "warned|warns|estimated|estimates|noted|wrote|writes|reported|reports|explained|"
    "stressed|insisted|admitted|acknowledged|denied|denies|claimed|claims|claim|argued|"
    "suggested|suggest|suggests|predicted|commented|declared|cited|dismissed|rejected|"
    "assured|reiterated|emphasised|emphasized|posted"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
# Verbs that are speech only with a clause or a report as object: "wildfires added a
# bid", "the buyer rejected the cargo", "nobody claimed the strike" are not attributions.
_NEEDS_CLAUSE = {"added", "adds", "posted", "cited", "declared"}
_NEEDS_REPORT = {"dismissed", "rejected"}
_REPORT_OBJECT = re.compile(
    r"\s+(?:the\s+|these\s+|such\s+)?(?:reports?|claims?|allegations?|accusations?|"
    r"suggestions?|speculation|rumou?rs?|as)\b"
)
_CLAIM_OBJECT = re.compile(
    r"\s+(?!responsibility|credit|the\b|a\b|an\b|it\b|its\b|no\b|victory|compensation)[a-z]"
)
_QUOTED = re.compile(r"\b(?:was|were|is|has\s+been)\s+quoted\s+(?:by\s+[^,.]{1,60}?\s+)?as\s+saying\b")
_QUOTED_ACTIVE = re.compile(r"\bquoted\s+(?=[A-Z])")
_AS_SAYING = re.compile(r"\s+as\s+saying\b")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+")
_IN_STATEMENT = re.compile(
    r"^(?:In|in)\s+(?:a|an|its|his|her|their)\s+(?:[a-z]+\s+)?(?:statement|message|post|"
    r"interview|notice|readout)\b[^,]{0,60},\s*"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DETS = _words(
    "the a an one two three four five six several some many other another its his her their both all most "
    "various numerous multiple few others"
)
_ARTICLES = {"the", "a", "an"}
# Words that cannot sit inside a speaker noun phrase: verbs, pronouns, clause words.
_FUNC = _words(
    "to that which who whom whose it he she they we i you this these those there than by for on as if "
    "when while after before because since although though but or not no is are was were be been being "
    "has have had will would could can may might should must did does do into over under about also so "
    "then yet where according however meanwhile said told says nobody none neither nor throughout"
)
_PREPS = _words(
    "of in at from by for with to into on over under about near within across against via through per than"
)
# A qualifier after the head: "sources within X", "a trader at a trading house",
# "people familiar with the matter", "traders contacted by Petroleum Pulse".
_QUAL_START = _words("in at of from within with close familiar inside for near across on based")
# Heads naming a person inside an organisation: the modifiers/qualifier give the organisation.
_MEMBER_NOUNS = _words(
    "spokesperson spokesman spokeswoman spokespeople official officials source sources representative "
    "representatives expert experts executive executives insider insiders employee employees analyst "
    "analysts trader traders engineer engineers diplomat diplomats minister governor mayor director "
    "president chief head"
)
_ORG_NOUNS = _words(
    "ministry ministries consortium company operator regulator headquarters administration authorities "
    "authority government agency service office media outlet daily newspaper portal committee council "
    "commission department firm bank group staff forces force military army police monopoly services "
    "agencies offices companies operators governments"
)
# Heads that make a noun phrase a possible speaker when it is not a capitalised name.
_OTHER_SPEAKERS = _words(
    "participants delegates premier statement readout notice report reports residents resident people "
    "person witnesses witness woman man worker workers refiners refiner buyer buyers shipowners shippers "
    "producers observers economists scientist producer correspondent bloggers blogger others monitors "
    "investigators lawmakers deputy officer officers brokers broker ministers journalists reporters"
)
_SPEAKER_NOUNS = _MEMBER_NOUNS | _ORG_NOUNS | _OTHER_SPEAKERS
# Adjectives that start a sentence with a capital without being part of a name.
_COMMON_ADJ = _words("independent local regional district city state senior industry market")
_ORG_WORDS = _words(
    "Ministry Consortium Company Corporation Group Agency Service Office Staff Forces Force "
    "Administration Government Headquarters Petroleum Oil Gas Energy Pipeline Bank Committee Council "
    "Commission Department Inc Ltd PLC LLC Operating Media News"
)
# A handful of names that recur as speakers in energy reporting and are organisations,
# not surnames; anything else capitalised and alone stays organisation-less.
_KNOWN_ORGS = _words(
    "Transneft Gazprom Rosneft Lukoil Chevron ExxonMobil Shell Eni KazMunayGas Naftogaz Ukrnafta "
    "Tengizchevroil Rostransnadzor Kremlin Akorda Bloomberg Reuters Interfax TASS Kommersant Kazatomprom"
)
# Capitalised words that are not names: sentence-initial pronouns, days, generic words.
_CAP_STOP = _words(
    "Nobody No It This That These Those There Here He She They We I You Some Many Both All Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday Meanwhile However Separately Earlier Later Also Then Now "
    "Today Yesterday"
)
_PRONOUNS = {"he", "she", "it", "they"}
# "the official said", "the same people said": a definite head that points back at the
# previous speaker rather than introducing a new one.
_BACKREF_GENERIC = _words(
    "official source sources spokesperson spokesman spokeswoman statement readout notice person people"
)
_TITLE = re.compile(
    r"(?:(?:first|deputy|vice|acting|former|regional|district|city|senior|chief)\s+)*"
    r"(?:(?:prime|foreign|energy|defen[cs]e|finance|economy|economic|interior|oil|industry)\s+)?"
    r"(?:minister|president|governor|mayor|chairman|chairwoman|chair|chief\s+executive"
    r"(?:\s+officer)?|ceo|general\s+director|director\s+general|managing\s+director|director|"
    r"head|spokesperson|spokesman|spokeswoman|press\s+secretary|secretary|ambassador|akim|"
    r"commander|chief|adviser|advisor|envoy)\b",
    re.IGNORECASE,
)
_DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ese|ish|i)|Kazakh|Kazakhstani|U\.S\.|US|UK|EU)$")
# Words between a subject and its verb: "CPC has previously said", "X reportedly said".
_TRAILING_SKIP = _words(
    "has have had also later earlier previously repeatedly separately again already further reportedly "
    "allegedly publicly officially initially subsequently recently now then first today yesterday last "
    "week on monday tuesday wednesday thursday friday saturday sunday itself themselves both"
)
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\b(?:declined|refused|failed|wanted)\s+to)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+|also\s+)?$")
# Clause boundaries inside a sentence; an apostrophe counts as a quote only when it is
# not inside a word ("Kazakhstan's" is not a boundary).
_BOUNDARY = re.compile(r"[,;:()“”\"«»]|\s[-–—]\s|(?<!\w)['‘’]|['‘’](?!\w)")
_CLAUSE_END = re.compile(r"[,;:.!?“”\"«»()]|\s[-–—]\s|\s(?:who|which|that|as|and\s+asked)\s")
_WORD = re.compile(r"[\w(][\w'’\-&./()]*")


# --------------------------------------------------------------------------- speaker


@dataclass(frozen=True, slots=True)
class Speaker:
    """The source a sentence attributes its content to.

    ``name`` is a display form ("Alexander Novak", "Chevron spokesperson",
    "Kazakhstan's Energy Ministry"); ``role`` the title or kind of person
    ("Deputy Prime Minister", "spokesperson"); ``organisation`` who they speak for when
    the text says so. ``start``/``end`` span the speaker phrase in the full text. For a
    pronoun or "the official" resolved to an earlier speaker, name/role/organisation
    come from that speaker and the span covers the words in *this* sentence, so the
    evidence highlight stays inside the sentence being quoted.
    """

    name: str
    role: str | None
    organisation: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _NP:
    """A parsed noun phrase: tokens split into determiner, core and qualifier."""

    toks: list[_Tok]
    det: int  # number of determiner tokens
    qual: int  # index where the qualifier starts (== len(toks) when none)


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    found: list[_Tok] = []
    for m in _WORD.finditer(text, start, end):
        s, e = m.start(), m.end()
        word = m.group()
        # A full stop ends a word unless the word is an abbreviation ("U.S.").
        if word.endswith(".") and word.count(".") == 1:
            e -= 1
        word = text[s:e]
        # Brackets belong to the word only when they pair up ("(KPO)" vs "Wire)").
        if word.startswith("(") and ")" not in word:
            s += 1
        if word.endswith(")") and "(" not in word:
            e -= 1
        if e > s:
            found.append(_Tok(text[s:e], s, e))
    return found


def _base(word: str) -> str:
    """The word without a possessive ending."""
    return re.sub(r"['’]s?$", "", word)


def _is_cap(word: str) -> bool:
    first = next((c for c in word if c.isalpha()), "")
    return first.isupper()


def _parse_np(toks: list[_Tok], *, relaxed: bool = False, participles: bool = True) -> _NP | None:
    """Parse ``toks`` as one speaker noun phrase, or say it is not one.

    ``relaxed`` accepts any content head (used after "according to", which attributes
    even to "industry estimates" or "the breakdown"). "X of Y" between capitals is
    first read as one name ("Ministry of Foreign Affairs"), then as head + qualifier
    ("Residents of Kropotkin and nearby villages").
    """
    if len(toks) == 1 and toks[0].text.lower() in _PRONOUNS:
        return _NP(toks, 0, 1)
    return _parse_np_once(toks, relaxed=relaxed, join_of=True, participles=participles) or _parse_np_once(
        toks, relaxed=relaxed, join_of=False, participles=participles
    )


def _parse_np_once(toks: list[_Tok], *, relaxed: bool, join_of: bool, participles: bool) -> _NP | None:
    words = [t.text for t in toks]
    lower = [w.lower() for w in words]
    det = 0
    if len(words) >= 3 and lower[0] in _DETS and lower[1] == "of" and lower[2] in ("the", "its", "their"):
        det = 3  # "one of the sources"
    elif lower[0] in _DETS and len(words) > 1:
        det = 1
    qual = len(words)
    for i in range(det + 1, len(words)):
        w, lw = words[i], lower[i]
        if join_of and lw == "of" and _is_cap(words[i - 1]) and i + 1 < len(words):
            nxt = words[i + 2] if lower[i + 1] == "the" and i + 2 < len(words) else words[i + 1]
            if _is_cap(nxt):
                continue  # "Ministry of Foreign Affairs" is one name
        participle = (
            participles and w[0].islower() and (lw.endswith("ing") or lw.endswith("ed")) and lw != "unnamed"
        )
        if lw in _QUAL_START or participle:
            qual = i
            break
    core = lower[det:qual]
    if not core or len(core) > 8 or len(words) - qual > 10:
        return None
    if any(w in _FUNC for w in core) or core[0] == "and" or core[-1] == "and":
        return None
    # A determiner inside the core means two phrases were glued together ("his official
    # channels the governor"); only "of the" inside a name is allowed.
    if any(
        w in _DETS and w not in ("its", "his", "her", "their") and lower[det + k - 1] != "of"
        for k, w in enumerate(core)
        if k > 0
    ):
        return None
    if any(w in _FUNC - _PREPS for w in lower[qual:]) or any(w in _VERB_SET for w in lower[qual:]):
        return None
    head = _base(words[qual - 1])
    if head.lower() in _FUNC or head in _CAP_STOP:
        return None
    if not relaxed and head.lower() not in _SPEAKER_NOUNS and not _is_cap(head):
        return None
    return _NP(toks, det, qual)


_VERB_SET = set(_VERBS.split("|"))


def _np_suffix(text: str, start: int, end: int) -> _NP | None:
    """The longest speaker noun phrase ending the zone ``text[start:end]``.

    Longest first so "Transneft chief executive Nikolai Tokarev" wins over "Nikolai
    Tokarev"; a phrase right after a preposition is inside a prepositional phrase
    ("... province of Alberta") and is not a subject.
    """
    toks = _tokens(text, start, end)
    while toks and toks[-1].text.lower() in _TRAILING_SKIP:
        toks.pop()
    for i in range(len(toks)):
        if i > 0 and toks[i - 1].text.lower() in _PREPS:
            continue
        np = _parse_np(toks[i:])
        if np is not None:
            return np
    return None


def _np_prefix(
    text: str, start: int, end: int, *, relaxed: bool = False, participles: bool = True
) -> _NP | None:
    """The longest speaker noun phrase starting at ``start`` and ending by ``end``."""
    toks = _tokens(text, start, end)
    for j in range(len(toks), 0, -1):
        np = _parse_np(toks[:j], relaxed=relaxed, participles=participles)
        if np is not None:
            return np
    return None


def _zone_start(text: str, end: int) -> int:
    """Start of the clause that ends at ``end``: after the last boundary before it."""
    return max((m.end() for m in _BOUNDARY.finditer(text, 0, end)), default=0)


def _clause_end(text: str, start: int) -> int:
    """End of the phrase starting at ``start``: the next boundary or relative clause."""
    m = _CLAUSE_END.search(text, start)
    return m.start() if m else len(text)


def _speaker(np: _NP, offset: int, previous: Speaker | None, sentence_text: str) -> Speaker:
    """Turn a parsed phrase into a Speaker: strip articles, split title and name."""
    toks = np.toks
    if toks[0].text.lower() in _ARTICLES:
        toks = toks[1:]
        det, qual = np.det - 1, np.qual - 1
    else:
        det, qual = np.det, np.qual
    start, end = toks[0].start, toks[-1].end
    phrase = sentence_text[start:end]
    words = [t.text for t in toks]
    lower = [w.lower() for w in words]
    span = (offset + start, offset + end)

    # Pronouns and definite back-references resolve to the previous speaker.
    if len(words) == 1 and lower[0] in _PRONOUNS:
        if previous is not None:
            return dataclasses.replace(previous, start=span[0], end=span[1])
        return Speaker(lower[0], None, None, *span)
    if np.toks[0].text.lower() == "the" and previous is not None and qual == len(words):
        head = _base(lower[-1])
        core = lower[det:qual]
        known = f"{previous.name} {previous.role or ''} {previous.organisation or ''}".lower()
        stem = head[:-1] if head.endswith("s") else head
        if "same" in core or (len(core) == 1 and (head in _BACKREF_GENERIC or stem in known)):
            return dataclasses.replace(previous, start=span[0], end=span[1])

    # Sentence-initial capitals on common words are not part of a name.
    if start == 0 and lower[0] in (_SPEAKER_NOUNS | _DETS | _COMMON_ADJ):
        phrase = phrase[0].lower() + phrase[1:]
    core_words = words[det:qual]
    core_text = " ".join(core_words)
    head = _base(core_words[-1])

    # Title + personal name: "Deputy Prime Minister Alexander Novak".
    for m in _TITLE.finditer(core_text):
        after = core_text[m.end() :].split()
        if after and all(_is_cap(w) for w in after):
            before = core_text[: m.start()].split()
            org = _organisation_from(before)
            return Speaker(" ".join(after), m.group(), org, *span)
        if not after:  # "the regional governor", "Kazakhstan's energy minister"
            org = _organisation_from(core_text[: m.start()].split())
            return Speaker(phrase, m.group().lower() if start == 0 else m.group(), org, *span)

    if _is_cap(head) and head.lower() not in _SPEAKER_NOUNS:
        # "Russia's pipeline monopoly Transneft": the lowercase words are a description.
        run: list[str] = []
        for w in reversed(core_words):
            if not (_is_cap(w) or w in ("of", "the", "and")):
                break
            run.insert(0, w)
        name = " ".join(run) if len(run) < len(core_words) else phrase
        looks_org = (
            any(_base(w) in _ORG_WORDS for w in run)
            or any(_base(w) in _KNOWN_ORGS for w in run)
            or bool(re.fullmatch(r"[A-Z]{2,}(?:-[A-Z0-9]+)?", _base(run[-1]) if run else ""))
        )
        return Speaker(name, None, name if looks_org else None, *span)

    head_l = head.lower()
    if head_l in _MEMBER_NOUNS:
        org = _organisation_from(core_words[:-1])
        if org is None and qual < len(words) and lower[qual] in ("within", "of", "at", "from", "in"):
            obj = [w for w in words[qual + 1 :] if w.lower() not in _ARTICLES]
            org = " ".join(obj) or None
        return Speaker(phrase, head_l, org, *span)
    if head_l in _ORG_NOUNS or any(_base(w) in _ORG_WORDS for w in core_words):
        return Speaker(phrase, None, phrase, *span)
    return Speaker(phrase, "residents" if head_l == "residents" else None, None, *span)


def _organisation_from(words: list[str]) -> str | None:
    """Capitalised modifiers before a title or member noun, minus nationality words."""
    caps = [w for w in words if _is_cap(w) and w not in _CAP_STOP and w.lower() not in _COMMON_ADJ]
    if not caps or (len(caps) == 1 and _DEMONYM.match(caps[0])):
        return None
    if _DEMONYM.match(caps[0]) and len(caps) > 1:
        caps = caps[1:]
    text = " ".join(caps)
    return _base(text) if len(caps) == 1 else text


def speaker_of(text: str, sentence: Sentence, *, previous: Speaker | None = None) -> Speaker | None:
    """The source ``sentence`` attributes its content to, or None if it speaks for itself.

    Tried in order, first hit wins: "In a statement, X ...", speech verbs left to right
    ("X said", "..., said X", "X told Reuters", "X has confirmed"), "X was quoted as
    saying" / "quoted X as saying", then "according to X". A verb-based speaker beats
    "according to" because "According to Bloomberg, sources within the ministry
    confirmed" names the channel first and the source second.

    "he", "she", "it", "they", "the official", "the same people" and "the ministry"
    (when the previous speaker was a ministry) resolve to ``previous``; an unresolved
    pronoun is returned as itself (name "he") so the sentence still counts as reported.
    Offsets are into ``text``.
    """
    s = sentence.text
    off = sentence.start
    if text[sentence.start : sentence.end] != s:
        off = text.find(s, sentence.start)
    found = _statement_speaker(s) or _verb_speaker(s) or _quoted_speaker(s) or _according_speaker(s)
    return _speaker(found, off, previous, s) if found is not None else None


def _statement_speaker(s: str) -> _NP | None:
    # "In a statement on Telegram, Transneft blamed ...": the subject after the comma.
    # No participle qualifiers here: in "Transneft blamed the outage" the -ed word is
    # the main verb, not "traders contacted by X".
    m = _IN_STATEMENT.match(s)
    return _np_prefix(s, m.end(), _clause_end(s, m.end()), participles=False) if m else None


def _verb_speaker(s: str) -> _NP | None:
    for m in _VERB.finditer(s):
        verb = m.group()
        before, after = s[: m.start()], s[m.end() :]
        if _NEGATION.search(before) or _PASSIVE.search(before):
            continue  # "has not said", "No casualties were reported"
        if re.match(r"\s+to\s+(?:be|have)\b", after):
            continue  # "the station said to be near the border"
        # "cited 63.8 million tonnes" attributes a figure; "added 12 million" does not.
        clause_follows = re.match(r"\s*(?:that\b|[,.;”\"]|$)", after) is not None
        figure_follows = verb == "cited" and re.match(r"\s+\d", after) is not None
        if verb in _NEEDS_CLAUSE and not (clause_follows or figure_follows):
            continue
        if verb in _NEEDS_REPORT and not _REPORT_OBJECT.match(after):
            continue
        if verb.startswith("claim") and not (re.match(r"\s+that\b", after) or _CLAIM_OBJECT.match(after)):
            continue
        zone = _zone_start(s, m.start())
        # Inverted order after a quote or clause: '"...," said a crude trader at X.'
        if not s[zone : m.start()].strip():
            inverted = _inverted(s, m.end())
            if inverted is not None:
                return inverted
            appositive = _appositive_subject(s, zone)
            if appositive is not None:
                return appositive
            continue
        np = _np_suffix(s, zone, m.start())
        if np is not None:
            return np
    return None


def _inverted(s: str, pos: int) -> _NP | None:
    """Subject after the verb ("said a woman who lives nearby"), ending the clause."""
    end = _clause_end(s, pos)
    rest = s[end:]
    if rest and not re.match(r"(?:[,.;!?”\"]|\s(?:who|which|and\s+asked)\s)", rest):
        return None
    toks = _tokens(s, pos, end)
    # Drop a trailing time or place phrase: "said Novak on Monday".
    for i, t in enumerate(toks):
        following = toks[i + 1 : i + 3]
        time_or_place = all(_is_cap(x.text) or x.text.isdigit() for x in following)
        if i > 0 and t.text.lower() in ("on", "in", "at", "late", "earlier") and time_or_place:
            toks = toks[:i]
            break
    return _parse_np(toks) if toks else None


def _appositive_subject(s: str, zone: int) -> _NP | None:
    """Subject before an appositive: "Transneft, which manages the stake, said"."""
    if zone == 0 or s[zone - 1] != ",":
        return None
    inner = _zone_start(s, zone - 1)
    if inner == 0 or s[inner - 1] != ",":
        return None
    outer = _zone_start(s, inner - 1)
    return _np_suffix(s, outer, inner - 1)


def _quoted_speaker(s: str) -> _NP | None:
    m = _QUOTED.search(s)
    if m is not None:
        zone = _zone_start(s, m.start())
        if not s[zone : m.start()].strip():
            return _appositive_subject(s, zone)
        return _np_suffix(s, zone, m.start())
    m = _QUOTED_ACTIVE.search(s)
    if m is not None:
        saying = _AS_SAYING.search(s, m.end())
        if saying is not None:
            return _np_prefix(s, m.end(), saying.start())
    return None


def _according_speaker(s: str) -> _NP | None:
    m = _ACCORDING.search(s)
    return _np_prefix(s, m.end(), _clause_end(s, m.end()), relaxed=True) if m else None


# --------------------------------------------------------------------------- hedges

_DENIED = re.compile(
    r"(?<!was )(?<!were )(?<!been )(?<!is )(?<!are )\bden(?:y|ies|ied|ying|ial)\b|"
    r"\b(?:rejected|dismissed|refuted|rebuffed)\b" + _REPORT_OBJECT.pattern + "|"
    r"\brefuted\b|\bnot\s+true\b|\buntrue\b|\bbaseless\b|\bgroundless\b|\bfake\s+news\b|"
    r"\bfalse\s+(?:reports?|claims?|information)\b",
    re.IGNORECASE,
)
_ALLEGED = re.compile(
    r"\balleged(?:ly)?\b|\ballegations?\b|\bpurported(?:ly)?\b|\bsupposedly\b|"
    r"\bunconfirmed\b|\bunverified\b|\brumou?r(?:s|ed)?\b|"
    r"\b(?:not|cannot|can't|couldn't)\s+(?:yet\s+)?(?:be\s+|been\s+|yet\s+been\s+)?"
    r"(?:independently\s+)?(?:verif|confirm|corroborat)\w*|"
    r"\bdeclined\s+to\s+confirm\b|\bsaid\s+to\s+(?:be|have)\b|"
    r"\bclaim(?:s|ed)?\s+(?:that\b|to\s+have\b)|"
    r"\bclaim(?:s|ed)?\s+the\s+\w+(?:\s+\w+)?\s+(?:has|have|had|was|were|is|are|will|would)\b|"
    r"\bclaim(?:s|ed)?(?=\s+(?!responsibility|credit|the\b|a\b|an\b|it\b|its\b|no\b)[a-z])",
    re.IGNORECASE,
)
# "reportedly" / "reported to be" is the writer relaying hearsay without a source.
_REPORTEDLY = re.compile(r"\breportedly\b|\breported\s+to\s+(?:be|have)\b", re.IGNORECASE)
# Case-sensitive on purpose: "may" the modal, not "May" the month.
_SPECULATIVE = re.compile(
    r"\b(?:could(?!\s+not\b|n't)|may|might|possibl[ey]|potentially|perhaps|likely|unlikely|"
    r"probabl[ey]|(?<!than\s)expect(?:s|ed|ing)?|forecasts?|projected|estimat(?:e|es|ed|ing|ion)|"
    r"suggest(?:s|ed|ing)?|speculat\w*|predict\w*|anticipat\w*)\b|\b(?:Could|Might|Possibly|Perhaps)\b"
)
_ANONYMOUS = re.compile(
    r"\b(?:sources?|unnamed|anonymous|people|person|insiders?|residents?|he|she|it|they)\b"
)


def hedge_of(sentence_text: str, speaker: Speaker | None) -> Hedge:
    """How firmly the sentence states its content.

    Precedence, strongest first: denied > alleged > speculative > reported > asserted.
    A denial flips the content, so it wins even over an unconfirmed report of it; an
    unconfirmed claim is weaker than a possibility someone states openly; any
    attribution makes the sentence at least "reported"; only an unattributed, unhedged
    sentence is "asserted".

    "reportedly" (and "reported to be/have") is *alleged* when the sentence names no
    speaker or only an anonymous one ("sources", "people familiar"): the writer marks
    second-hand information it cannot trace. With a named speaker ("Novak reportedly
    said") the claim is traceable to that speaker, so it is *reported*. Estimates
    ("estimated", "an estimated 30,000") are *speculative* even when attributed.
    """
    if _DENIED.search(sentence_text):
        return Hedge.denied
    if _ALLEGED.search(sentence_text):
        return Hedge.alleged
    if _REPORTEDLY.search(sentence_text) and (speaker is None or _ANONYMOUS.search(speaker.name)):
        return Hedge.alleged
    if _SPECULATIVE.search(sentence_text):
        return Hedge.speculative
    return Hedge.reported if speaker is not None else Hedge.asserted


def attribute(text: str, sentences: list[Sentence]) -> list[tuple[Sentence, Speaker | None, Hedge]]:
    """Speaker and hedge for each sentence, in order.

    The last speaker found is carried forward as ``previous`` so "he said" two
    sentences after "Governor X said" resolves to X. It is carried across paragraph
    breaks too: articles often open a paragraph with a quote and "he said".
    """
    out: list[tuple[Sentence, Speaker | None, Hedge]] = []
    previous: Speaker | None = None
    for sentence in sentences:
        speaker = speaker_of(text, sentence, previous=previous)
        out.append((sentence, speaker, hedge_of(sentence.text, speaker)))
        if speaker is not None:
            previous = speaker
    return out
