"""Cleaning: cut what is not reporting out of an article body, and remember what was cut.

Outlets wrap reporting in material that must not reach extraction: broker risk warnings
and marketing disclaimers (promotional), publisher legal notices (disclaimer), and
subscribe/share/cookie lines or "Read more" link lists (navigation). Extraction would
otherwise read "80.25% of retail investor accounts lose money" as a number about the
incident, and source scoring needs to know which outlets carry marketing.

    text ──► units (lines, hard-wrapped lines re-joined) ──► rules per unit / sentence
         ──► link lists after "Read more" markers ──► boilerplate tail ──► clean text + map

Every rule needs two kinds of evidence: words that only boilerplate uses, and a shape or
position (a short isolated line, a labelled block, a sentence with no attribution). Rules
err towards keeping text: a missed cookie line costs little, a lost sentence about an
incident cannot be recovered downstream. Nothing here removes a unit because of a single
common word ("shares", "risk", "investors", "subscribed").

The clean text is made only of slices of the input (kept text and the whitespace that was
already there), so ``Cleaned.to_original`` maps every clean offset back exactly.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from energywatch.models import RemovedSpan, SpanKind

__all__ = ["Cleaned", "clean"]

_PROMO = SpanKind.promotional
_LEGAL = SpanKind.disclaimer
_NAV = SpanKind.navigation


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The clean text, what was removed, and the way back: later stages cite sentences by
    clean-text offsets, but the stored article keeps the input, which citations must reach."""

    text: str
    removed: list[RemovedSpan]
    # Piece i of the clean text starts at _clean_starts[i] and copies the input from _orig_starts[i].
    _clean_starts: tuple[int, ...] = field(default=(), repr=False)
    _orig_starts: tuple[int, ...] = field(default=(), repr=False)
    _orig_end: int = field(default=0, repr=False)

    def to_original(self, offset: int) -> int:
        """Input offset of the character at clean-text ``offset``.

        ``offset == len(text)`` maps to the end of the last kept input character, so the
        end of a span reaching the end of the clean text stays meaningful.
        """
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} is outside the clean text (0..{len(self.text)})")
        if offset == len(self.text):
            return self._orig_end
        i = bisect_right(self._clean_starts, offset) - 1
        return self._orig_starts[i] + offset - self._clean_starts[i]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Input span of the clean span ``[start, end)``.

        The end is mapped through the last character of the span, not through ``end``
        itself: ``end`` may sit on a piece boundary whose next piece comes after a
        removed block, and the input span must not swallow that block.
        """
        if end < start:
            raise ValueError(f"span end {end} is before start {start}")
        first = self.to_original(start)
        return (first, first) if end == start else (first, self.to_original(end - 1) + 1)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    kind: SpanKind
    pattern: re.Pattern[str]
    # Lower-case fragments one of which the text must contain before the regex runs:
    # case-insensitive regexes are slow to fail, substring tests are not. Empty: always
    # try the regex (the line rules, which are anchored and fail at once).
    needles: tuple[str, ...]
    # Shape evidence: longer text is prose, and prose that happens to contain these
    # words is more likely reporting about them than boilerplate.
    max_len: int
    # The kind depends on the neighbourhood: "not investment advice" is a marketing
    # disclaimer next to a CFD warning, a publisher notice elsewhere.
    contextual: bool

    def matches(self, text: str, lowered: str) -> bool:
        return (
            len(text) <= self.max_len
            and (not self.needles or any(n in lowered for n in self.needles))
            and self.pattern.search(text) is not None
        )


# fmt: off
def _rule(name: str, kind: SpanKind, pattern: str, needles: tuple[str, ...] = (), max_len: int = 400,
          contextual: bool = False) -> _Rule:
    return _Rule(name, kind, re.compile(pattern, re.IGNORECASE | re.DOTALL), needles, max_len, contextual)


_NET = (r"(?:facebook|twitter|x|telegram|whatsapp|linkedin|reddit|e-?mail|vk|viber|print|copy link"
        r"|messenger|pinterest|threads|bluesky|flipboard)")
_SEP = r"\s*[,|/•·]?\s*"

# Whole-unit rules: the unit is a short line whose entire shape is boilerplate (anchored
# at both ends, or a label followed by a keyword list), so no reporting check applies.
_LINE_RULES: tuple[_Rule, ...] = (
    _rule("advertisement", _NAV,
          r"^(?:advertisement|advertising|ad|story continues below(?: (?:the )?advertisement)?"
          r"|scroll to continue(?: with content)?|continue reading(?: below)?)\W*$", max_len=60),
    _rule("sponsored_label", _PROMO,
          r"^(?:sponsored(?: (?:content|post|article|story))?|partner content|promoted(?: content)?"
          r"|paid (?:post|content|partnership)|advertorial|(?:sponsored|presented) by\s.{1,60}"
          r"|in partnership with\s.{1,60}|this (?:article|post|content|story) (?:is|was) "
          r"(?:sponsored|paid for|produced in partnership)\b.*)$", max_len=200),
    # "Share this article", "Share on: Facebook | X", but never "Share prices fell".
    _rule("share_line", _NAV,
          rf"^share(?:\s+this(?:\s+(?:article|story|post|page))?)?(?:\s+(?:on|via|with|to))?"
          rf"\s*[:\-–—]?\s*(?:{_NET}(?:{_SEP}(?:and\s+)?{_NET})*)?\W*$", max_len=150),
    # A bare row of share buttons: at least two network names and nothing else.
    _rule("social_buttons", _NAV, rf"^{_NET}(?:{_SEP}{_NET})+\W*$", max_len=150),
    _rule("follow_us", _NAV,
          rf"^(?:follow us|(?:follow|find|join) (?:us|our\s[\w ]{{1,30}}|[\w.&' ]{{1,40}}?) (?:on|at|via)"
          rf"\s+{_NET}|join (?:us|our)\b.{{0,60}}\b(?:telegram|whatsapp|channel|community))\b.*$",
          max_len=200),
    _rule("subscribe_line", _NAV, r"^(?:subscribe|sign up)(?: now| today| here| for free)?\W*$", max_len=40),
    # Tag rows are keyword lists: no sentence break inside them.
    _rule("tags_line", _NAV, r"^(?:tags|topics|filed under|keywords)\s*:(?:(?![.!?]\s).)*$", max_len=300),
)

# "Read more:" and "Related articles" introduce links to other stories, not reporting.
# The label must stand alone or be followed by a separator, so that "Related to the
# attack, …" or "More news is expected" are not markers.
_MARKER = re.compile(
    r"^[^\w\s]{0,2}\s*(?:read (?:more|also|next)|also read|see also"
    r"|related(?: (?:articles?|stories|story|news|posts?|coverage|reading|content|links|topics))?"
    r"|more (?:on this(?: story| topic)?|stories|news)"
    r"|you (?:may|might) also (?:like|be interested in|want to read)"
    r"|recommended(?: (?:for you|reading|articles|stories))?|most (?:read|popular)|further reading"
    r"|what to read next|editor'?s'? picks)\s*(?:[:»>|–—-]|$)",
    re.IGNORECASE,
)
_MARKER_MAX_LEN = 250

# Sentence rules: each matches a sentence that only boilerplate writes. They are applied
# per sentence, so a paragraph mixing reporting with one such sentence loses only that.
_SENTENCE_RULES: tuple[_Rule, ...] = (
    # Broker CFD warnings are mandated text (ESMA): "CFD" plus loss/leverage wording.
    # "CfD" (the UK power-auction contract) is case-distinct and never says "lose money".
    _rule("cfd_risk_warning", _PROMO,
          r"^(?=.*(?-i:\bCFDs?\b))"
          r"(?=.*\b(?:lose money|losing (?:your )?money|leverage|retail (?:investor|client)))", ("cfd",)),
    _rule("retail_accounts_lose", _PROMO,
          r"\bretail (?:investor|client|CFD) accounts lose money\b", ("retail",)),
    _rule("risk_warning_label", _PROMO,
          r"^risk (?:warning|disclosure|disclaimer)\s*[:\-–—](?=.*\b(?:trad(?:e|ing)|invest\w*|leverage"
          r"|capital|lose|losing|financial instruments?|forex|broker))",
          ("risk warning", "risk disclosure", "risk disclaimer")),
    _rule("marketing_communication", _PROMO,
          r"\b(?:is|constitutes|are|be (?:considered|treated) as)\s+(?:a |an )?"
          r"(?:marketing|promotional|advertising)\s+(?:communication|material|content)\b"
          r"|^marketing communication\b", ("marketing", "promotional", "advertising")),
    _rule("past_performance", _PROMO,
          r"\bpast performance (?:is not|isn't|does not|should not|cannot|is no)\b.{0,40}?"
          r"(?:guarantee|indicat|reliable|predict)", ("past performance",)),
    _rule("capital_at_risk", _PROMO,
          r"^(?:your )?capital (?:is )?at risk\b|\btrading (?:\w+ ){0,3}(?:involves|carries) (?:a )?"
          r"(?:high|significant|substantial) (?:degree |level )?(?:of )?risk\b",
          ("capital", "trading"), max_len=250),
    # Affiliate pitches are imperatives at the start of a sentence.
    _rule("trading_pitch", _PROMO,
          r"^(?:open (?:a|an|your) (?:(?:free|live|real|demo|trading)\s+)*account|start trading"
          r"|trade (?:now|today|with us)|try (?:a |our |the )?(?:(?:free|risk-free)\s+)*demo"
          r"|create (?:a|your) (?:free )?(?:trading )?account|invest (?:now|today))\b"
          r"|\b(?:free|risk-free) demo account\b"
          r"|\b(?:tight|low|raw) spreads and (?:fast|instant) execution\b",
          ("account", "trad", "demo", "invest", "spreads"), max_len=250),
    # Only the disclaiming grammar ("is not … investment advice"), so that "the firm was
    # not licensed to give investment advice" stays.
    _rule("not_investment_advice", _LEGAL,
          r"\b(?:(?:is|are|does|do|should|shall|will|must)\s+not|isn't|aren't|doesn't|don't|shouldn't)"
          r"\s+(?:be\s+)?(?:constitute\s+|intended\s+(?:as|to\s+be)\s+|meant\s+as\s+|considered\s+(?:as\s+)?"
          r"|construed\s+as\s+|taken\s+as\s+|regarded\s+as\s+|relied\s+(?:up)?on\s+as\s+|represent\s+)?"
          r"(?:any\s+(?:form|kind)\s+of\s+|a\s+|an\s+)?(?:personal\s+|professional\s+)?"
          r"(?:investment|financial|trading)\s+(?:advice|research|recommendations?)\b"
          r"|\bnot\s+(?:investment|financial)\s+advice\b"
          r"|\bnothing\b.{0,60}\bconstitutes?\b.{0,30}\b(?:investment|financial)\s+advice\b",
          ("advice", "research", "recommendation"), contextual=True),
    # The text must speak about itself ("this article", "our content"): "the figures were
    # published for information purposes only" is reporting about somebody else's notice.
    _rule("informational_only", _LEGAL,
          r"^for (?:general )?(?:informational|information|educational) purposes only\b"
          r"|\b(?:this|our) (?:article|content|information|material|page|post|publication|text|analysis"
          r"|note|commentary|website|site|newsletter|report)\b.{0,80}\bfor (?:general )?"
          r"(?:informational|information|educational)(?: and \w+)? purposes only\b",
          ("purposes only",), contextual=True),
    # "Tokayev's remarks do not necessarily reflect the position of the cabinet" is
    # reporting; the notice names the author or the publication.
    _rule("author_views", _LEGAL,
          r"\b(?:views|opinions)(?: and (?:views|opinions))? expressed\b.{0,60}"
          r"\b(?:author|writer|contributor)s?\b"
          r"|\b(?:do|does) not necessarily (?:reflect|represent) (?:the )?(?:views|opinions|positions?)"
          r" of (?:the |this )?(?:publisher|editors?|editorial (?:board|team)|publication|website|site"
          r"|newspaper|outlet|magazine)\b",
          ("expressed", "necessarily")),
    # A block labelled "Disclaimer:" is one: the label is the evidence, its place (the
    # first word of a sentence) the shape.
    _rule("disclaimer_label", _LEGAL, r"^disclaimer\s*[:\-–—]", ("disclaimer",), contextual=True),
    _rule("newsletter", _NAV,
          r"\b(?:subscribe|sign up|sign-up|signup)\b.{0,80}\b(?:newsletters?|mailing list|inbox|updates"
          r"|alerts|(?:daily|weekly) (?:briefing|digest|email))\b"
          r"|\bnewsletters?\b.{0,60}\b(?:subscribe|sign up|inbox)\b"
          r"|\b(?:delivered|straight|directly) (?:to|in(?:to)?) your inbox\b",
          ("subscribe", "sign up", "sign-up", "signup", "newsletter", "inbox"), max_len=250),
    _rule("cookie_notice", _NAV,
          r"\b(?:we|this (?:web)?site|our (?:web)?site|this page)\s+uses?\s+cookies\b"
          r"|\baccept (?:all )?cookies\b|\bcookie (?:policy|settings|preferences|consent|notice|banner)\b"
          r"|\bby continuing to (?:browse|use) (?:this|our|the) (?:site|website)\b",
          ("cookie", "by continuing")),
    _rule("click_here", _NAV, r"^click here\b", ("click here",), max_len=150),
    # © is never part of reporting; "Copyright 2025 …" and "All rights reserved" only
    # open or close publisher footers. Judged per sentence so that a photo caption
    # ending in "Photo: © Reuters" keeps its description of the scene.
    _rule("copyright", _LEGAL,
          r"©|^\(c\)\s*(?:19|20)\d\d|^copyright\b\s*(?:\(c\)\s*)?(?:19|20)\d\d|\ball rights reserved\b",
          ("©", "(c)", "copyright", "rights reserved"), max_len=300),
)
# fmt: on

# Line rules and the marker are anchored at the first word, so a unit whose first word
# opens none of them skips them all. Keep this set in step with the patterns above.
_SHORT_UNIT = max(_MARKER_MAX_LEN, *(rule.max_len for rule in _LINE_RULES))
_FIRST_WORD = re.compile(r"[^\w\s]{0,2}\s*(\w+)")
# fmt: off
_LINE_STARTS = frozenset((
    # advertisement, sponsored_label
    "advertisement", "advertising", "ad", "story", "scroll", "continue", "sponsored", "partner",
    "promoted", "paid", "advertorial", "presented", "in", "this",
    # share_line, social_buttons, follow_us, subscribe_line, tags_line
    "share", "facebook", "twitter", "x", "telegram", "whatsapp", "linkedin", "reddit", "email", "e", "vk",
    "viber", "print", "copy", "messenger", "pinterest", "threads", "bluesky", "flipboard", "follow", "find",
    "join", "subscribe", "sign", "tags", "topics", "filed", "keywords",
    # _MARKER
    "read", "also", "see", "related", "more", "you", "recommended", "most", "further", "what", "editor",
    "editors",
))
# fmt: on

# Reporting evidence: attribution, quotes, dates, quantities with a unit, or the words
# of incidents and flows. Commodity words alone ("oil", "Brent", "crude") are not: broker
# footers talk about trading oil, and brokers put such words in their names. A sentence
# with any of these is treated as reporting unless a rule matched it outright.
_REPORTING = re.compile(
    r"\b(?:said|says|told|stated|according to|reported(?:ly)?|announced|confirmed|quoted|added|noted|warned"
    r"|yesterday|drones?|uavs?|attack(?:s|ed)?|strikes?|struck|explosions?|blasts?|fires?|blaze|damaged?"
    r"|killed|injured|wounded|casualties|evacuated|pipelines?|terminals?|refiner(?:y|ies)|pumping|stations?"
    r"|moorings?|tankers?|ports?|fields?|plants?|ministry|minister|government|president|officials?"
    r"|spokes(?:man|woman|person)|authorities|governor|consortium|shareholders?|exports?|imports?|flows?"
    r"|output|production|shipments?|loadings?|cargo(?:es)?|outages?|repairs?|sanctions?)\b"
    r"|\b(?:19|20)\d\d\b|[$€£]\s?\d|\d(?:[\d.,]*\d)?\s?(?:%|per ?cent\b|(?:million|billion|thousand|bn|mn"
    r"|barrels?|bpd|b/d|mb/d|tonnes?|tons|mt|km|kilomet\w*|miles?|bcm|mw|gw|people)\b)"
    r"|(?-i:\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)|[“”\"]",
    re.IGNORECASE,
)
# Words of terms-and-conditions prose; filler inside a footer uses some of them.
_FOOTER_WORDS = re.compile(
    r"\b(?:terms|conditions|services?|readers?|information|content|products?|investments?|financial|advice"
    r"|website|site|money|trading|accounts?|provider|regulated|authori[sz]ed|licensed|clients?|users?|liab\w*"
    r"|responsib\w*|accura\w*|warrant\w*|guarantee\w*|consult\w*|circumstances|decisions?)\b",
    re.IGNORECASE,
)
# Sales verbs opening a broker's headline over its pitch (see _tail_kind).
_PITCH_LEAD = re.compile(r"^(?:trade|invest in|buy|sell|go (?:long|short)|start trading|get started)\b", re.I)
# Attribution verbs: a sentence quoting somebody is reporting (see _sentence_rule).
_ATTRIBUTION = re.compile(r"\b(?:said|says|told|according to|quoted|stated)\b", re.IGNORECASE)
# Marketing context turns a contextual disclaimer into a promotional one.
_MARKETING = re.compile(
    r"(?-i:\bCFDs?\b)|\b(?:marketing communication|broker(?:age)?|trading|leverage"
    r"|retail (?:investor|client)s?|financial instruments?|forex|spread betting|affiliate)\b",
    re.IGNORECASE,
)

_LINE = re.compile(r"[^\r\n]+")
# Sentence ends: terminal punctuation (plus closing quotes) before a capital or digit;
# the empty group marks where the sentence stops and the whitespace starts.
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)\]]*()\s+(?=[\"“‘«(\[]?[A-Z0-9])")
_TERMINAL = re.compile(r"[.!?:;\"”’»)]$")
# A hard-wrapped line stops mid-sentence: after a comma, a hyphenated word or a function
# word, or the next line carries on in lower case. Headlines and headings stop neither
# way, nor do separator rules ("-----").
_WRAPPED_END = re.compile(
    r"(?:,|(?<=\w)-|\b(?:a|an|the|and|or|of|to|in|on|at|for|with|by|from|that|which|as|is|are|was|were|be|not"
    r"|its|their|your|our))$",
    re.IGNORECASE,
)
_LOWER_START = re.compile(r"[a-z(]")
_BULLET = re.compile(r"^(?:[-*•·–—►>]|\d{1,2}[.)])\s+")
_URL = re.compile(r"^(?:https?://|www\.)\S+$")
_HEADLINE_MAX = 160
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# --------------------------------------------------------------------------- units


@dataclass(slots=True)
class _Unit:
    """A line, or hard-wrapped lines re-joined: the smallest block a rule judges whole."""

    start: int
    end: int
    text: str
    # Removal decided for the whole unit, or sentence-level cuts inside it.
    kind: SpanKind | None = None
    rule: str = ""
    contextual: bool = False
    cuts: list[tuple[int, int, SpanKind, str]] = field(default_factory=list)


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    prev_end = -1
    for m in _LINE.finditer(text):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        gap = text[prev_end:start] if prev_end >= 0 else ""
        same_paragraph = gap.count("\n") == 1 or (gap.count("\n") == 0 and gap.count("\r") == 1)
        if units and same_paragraph:
            last = units[-1]
            wrapped = not _TERMINAL.search(last.text) and (
                _WRAPPED_END.search(last.text) is not None or _LOWER_START.match(stripped) is not None
            )
            if wrapped and not _BULLET.match(stripped) and not _URL.match(stripped):
                last.end = end
                last.text = text[last.start : end]
                prev_end = end
                continue
        units.append(_Unit(start, end, stripped))
        prev_end = end
    return units


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start(1)))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _headline_like(text: str) -> bool:
    """Links in a "Read more" list are headlines: short, one phrase, no full stop."""
    if _URL.match(text) or len(text) > _HEADLINE_MAX:
        return len(text) <= _HEADLINE_MAX
    body = _BULLET.sub("", text)
    if body.endswith((".", ";")) and not body.endswith(("...", "…")):
        return False
    return _SENTENCE_END.search(body) is None


# --------------------------------------------------------------------------- classification


def _sentence_rule(sentence: str, rules: list[_Rule]) -> _Rule | None:
    lowered = sentence.lower()
    for rule in rules:
        if rule.matches(sentence, lowered):
            # Attribution means the sentence reports what somebody said ("the fund said
            # past performance is no guarantee…"): reporting, even in boilerplate words.
            return None if _ATTRIBUTION.search(sentence) else rule
    return None


def _kind(rule: _Rule, context: str) -> SpanKind:
    return _PROMO if rule.contextual and _MARKETING.search(context) else rule.kind


def _match_sentences(unit: _Unit, rules: list[_Rule]) -> None:
    spans = _sentences(unit.text)
    hits = [_sentence_rule(unit.text[s:e], rules) for s, e in spans]
    if not any(hits):
        return
    # Whole unit: boilerplate blocks open with their boilerplate ("Disclaimer: …",
    # "Risk Warning: …") or are mostly boilerplate, and no other sentence carries reporting.
    matched = [hit for hit in hits if hit is not None]
    if (hits[0] is not None or 2 * len(matched) >= len(hits)) and all(
        hit is not None or not _REPORTING.search(unit.text[s:e])
        for hit, (s, e) in zip(hits, spans, strict=True)
    ):
        first = matched[0]
        promo = next((h for h in matched if not h.contextual and h.kind is _PROMO), None)
        unit.kind = _PROMO if promo else _kind(first, unit.text)
        unit.rule = (promo or first).name
        unit.contextual = promo is None and first.contextual
        return
    # Mixed: cut only the matching sentences, merging neighbours of one kind into one span.
    previous = -2
    for index, (hit, (s, e)) in enumerate(zip(hits, spans, strict=True)):
        if hit is None:
            continue
        kind = _kind(hit, unit.text)
        if previous == index - 1 and unit.cuts[-1][2] is kind:
            unit.cuts[-1] = (unit.cuts[-1][0], unit.start + e, kind, unit.cuts[-1][3])
        else:
            unit.cuts.append((unit.start + s, unit.start + e, kind, hit.name))
        previous = index


def _mark_link_lists(units: list[_Unit], markers: list[int]) -> None:
    """Remove the headline lines after each "Read more"/"Related" marker.

    At the end of the text the whole run goes. Mid-text, reporting resumes after the
    run, and its last short line may be a section heading ("Analysis and Risks") rather
    than a link, so that line stays: keeping a link costs less than losing a heading.
    """
    for m in markers:
        j = m + 1
        while (
            j < len(units) and units[j].kind is None and not units[j].cuts and _headline_like(units[j].text)
        ):
            j += 1
        trailing = all(u.kind is not None for u in units[j:])
        for unit in units[m + 1 : j if trailing else j - 1]:
            unit.kind, unit.rule = _NAV, "link_list"


def _tail_kind(units: list[_Unit], i: int) -> tuple[SpanKind, str] | None:
    """How unit ``i``, followed only by removed units, belongs to that footer, if it does."""
    unit, after = units[i], units[i + 1]
    if unit.cuts or len(unit.text) > 400 or _REPORTING.search(unit.text):
        return None
    if not any(char.isalnum() for char in unit.text):  # a rule such as "-----": nothing to lose
        return after.kind or _NAV, "separator"
    digits = any(char.isdigit() for char in unit.text)
    # A broker's headline over its pitch ("Trade oil with …"): an imperative sales verb,
    # headline shape, and the promotional block right below it.
    if after.kind is _PROMO and not digits and _headline_like(unit.text) and _PITCH_LEAD.match(unit.text):
        return _PROMO, "pitch_lead_in"
    # Filler inside a footer ("Its content does not take into consideration…"): removed
    # blocks on both sides, the vocabulary of terms and conditions, not even a number.
    before = units[i - 1].kind if i else None
    if before is not None and not digits and _FOOTER_WORDS.search(unit.text):
        return before, "inside_boilerplate"
    return None


def _mark_boilerplate_tail(units: list[_Unit]) -> None:
    """Walk back from the end through the removed tail, absorbing what belongs to it.

    Only the tail: there, everything after a unit is already boilerplate, so a unit with
    no reporting evidence between boilerplate blocks is part of the footer. Mid-text the
    same shape may be a transition sentence of the article.
    """
    if not units or units[-1].kind is None:
        return
    for i in range(len(units) - 2, -1, -1):
        if units[i].kind is not None:
            continue
        found = _tail_kind(units, i)
        if found is None:
            break
        units[i].kind, units[i].rule = found


def _upgrade_marketing_runs(units: list[_Unit]) -> None:
    """A contextual disclaimer next to a broker warning is part of the broker's footer."""
    run: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and unit.kind is not None:
            run.append(unit)
            continue
        promotional = any(u.kind is _PROMO and not u.contextual for u in run)
        for u in run if promotional else ():
            u.kind = _PROMO if u.contextual else u.kind
        run = []


def _candidate_rules(text: str, units: list[_Unit]) -> list[list[_Rule]]:
    """For each unit, the sentence rules whose fragments occur in it, in rule order.

    One ``str.find`` pass per fragment over the whole text is far cheaper than testing
    every fragment against every paragraph, and most paragraphs end up with no rule.
    """
    found: list[set[int]] = [set() for _ in units]
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lower-cases to two characters; needles are ASCII
        lowered = text.translate(_ASCII_LOWER)
    starts = [unit.start for unit in units]
    for i, rule in enumerate(_SENTENCE_RULES):
        for needle in rule.needles:
            pos = lowered.find(needle)
            while pos != -1:
                at = bisect_right(starts, pos) - 1
                if at >= 0 and pos < units[at].end:
                    found[at].add(i)
                    pos = lowered.find(needle, units[at].end)  # one hit per unit is enough
                else:
                    pos = lowered.find(needle, pos + 1)
    return [[_SENTENCE_RULES[i] for i in sorted(hits)] for hits in found]


def _classify(text: str, units: list[_Unit]) -> None:
    markers: list[int] = []
    candidates = _candidate_rules(text, units)
    for i, unit in enumerate(units):
        first = _FIRST_WORD.match(unit.text) if len(unit.text) <= _SHORT_UNIT else None
        if first is not None and first.group(1).lower() in _LINE_STARTS:
            if len(unit.text) <= _MARKER_MAX_LEN and _MARKER.match(unit.text):
                unit.kind, unit.rule = _NAV, "read_more"
                markers.append(i)
                continue
            line_rule = next((rule for rule in _LINE_RULES if rule.matches(unit.text, "")), None)
            if line_rule is not None:
                unit.kind, unit.rule = line_rule.kind, line_rule.name
                continue
        if candidates[i]:
            _match_sentences(unit, candidates[i])
    _mark_link_lists(units, markers)
    _mark_boilerplate_tail(units)
    _upgrade_marketing_runs(units)


# --------------------------------------------------------------------------- assembly


def _newlines(gap: str) -> int:
    return gap.count("\n") or gap.count("\r")


def _assemble(text: str, spans: list[RemovedSpan]) -> Cleaned:
    """Join the kept ranges, each separated by whitespace copied from the input.

    Between two kept ranges the separator is the whitespace next to one of them: the one
    with more line breaks, so a paragraph break survives the removal of what followed it.
    """
    bounds = [0, *(x for span in spans for x in (span.start, span.end)), len(text)]
    kept: list[tuple[int, int, int, int]] = []  # whitespace start, text start, text end, whitespace end
    for lo, hi in zip(bounds[::2], bounds[1::2], strict=True):
        segment = text[lo:hi]
        body = segment.strip()
        if body:
            start = lo + len(segment) - len(segment.lstrip())
            kept.append((lo, start, start + len(body), hi))
    pieces: list[tuple[int, int]] = []
    for i, (lo, start, end, _) in enumerate(kept):
        if i:
            _, _, prev_end, prev_hi = kept[i - 1]
            after_prev = _newlines(text[prev_end:prev_hi])
            pieces.append((lo, start) if _newlines(text[lo:start]) > after_prev else (prev_end, prev_hi))
        pieces.append((start, end))
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    out: list[str] = []
    length = last_end = 0
    for start, end in pieces:
        if start == end:
            continue
        if start != last_end or not out:  # a new piece unless it continues the previous one
            clean_starts.append(length)
            orig_starts.append(start)
        out.append(text[start:end])
        length += end - start
        last_end = end
    return Cleaned("".join(out), spans, tuple(clean_starts), tuple(orig_starts), last_end)


def clean(text: str) -> Cleaned:
    """Remove promotional, disclaimer and navigation text from an article body.

    Pure and deterministic: the same input always gives the same clean text and spans,
    and cleaning a clean text changes nothing, so stored articles can be re-cleaned when
    the rules improve. Removed spans carry offsets into ``text``.
    """
    units = _units(text)
    _classify(text, units)
    cuts = [
        cut
        for unit in units
        for cut in ([(unit.start, unit.end, unit.kind, unit.rule)] if unit.kind is not None else unit.cuts)
    ]
    spans = [RemovedSpan(start=s, end=e, kind=kind, text=text[s:e], rule=rule) for s, e, kind, rule in cuts]
    return _assemble(text, spans)
