"""Source scores from each outlet's own record (DESIGN §7), shown next to every claim.

An analyst weighing "30-40% according to Crude Signal Markets" against "about 30%
according to Meridian Wire" needs to know how each outlet has fared, *and why*. So the
score is not a number someone typed in per outlet: it starts from the outlet's
configured ``reliability_prior`` (visible in the outlet registry, set per outlet *kind*
of evidence) and moves only with what this corpus shows about that outlet.

Formula (also in docs/source-scores.md, which a test keeps in step with the constants)::

    penalty = min(1,  CONTESTED_WEIGHT   * contested / assessed
                    + KB_CONFLICT_WEIGHT * kb_conflicts / claims
                    + HEDGED_WEIGHT      * hedged / claims
                    + PROMOTIONAL_WEIGHT * promotional_articles / articles
                    + COPY_WEIGHT        * copies / articles)
    shrink  = articles / (articles + PRIOR_STRENGTH)
    score   = clamp(prior - shrink * penalty, 0, 1)

``assessed`` counts the outlet's claims that verification gave a status; a share whose
denominator is zero is 0 (no evidence, no penalty).

Why this shape:

* **Beta-style shrinkage.** The prior counts as ``PRIOR_STRENGTH`` pseudo-articles with
  no detected problems; the outlet's own articles bring their penalty. With one or two
  articles the score stays near the prior, because a single story says little about an
  outlet's habits: its claims are written by one reporter on one day, and a claim can be
  "contested" merely because the outlet was first with a number that later changed.
  Articles, not claims, are the unit of evidence because claims in one article are
  strongly correlated (one source, one copy desk).
* **Penalties only, never a bonus.** Every check here (contest, knowledge-base conflict,
  hedging, marketing, copying) can only *find problems*. A clean record is absence of
  detected problems, not confirmation, so it leaves the prior as it is rather than
  lifting the outlet above what its kind warrants.
* **Subtractive and capped.** The explanation can then be read as arithmetic:
  "0.30 − 0.56 × 0.33 = 0.12".
* **Being copied is recorded but not scored.** Others syndicating an outlet says nothing
  about its accuracy (wires are copied most), so ``copied_by_others`` is shown only.

Claim statuses come in as a mapping so that any consensus (the exact-match
``export.attribute_status`` or the typed verification) can feed the same scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from energywatch.models import Article, Claim, Hedge, Incident, SpanKind
from energywatch.outlets import UNNAMED_OUTLET

ClaimKey = tuple[str, int, int, str]
"""(article_id, start, end, field): one claim, as verification and KB checks key it."""

PRIOR_STRENGTH = 4.0
"""Pseudo-articles the configured prior is worth. Four: after four articles of its own an
outlet's record weighs as much as its kind; the demo corpus has 4-5 articles per outlet,
so its scores are an even mix of the two, and one odd article moves a score by at most a
fifth of its penalty."""

CONTESTED_WEIGHT = 0.3
"""Penalty if every assessed claim were contested. Moderate: "contested" means sources
disagree, not that this outlet is the one that is wrong: both sides are flagged."""

KB_CONFLICT_WEIGHT = 0.6
"""Penalty if every claim conflicted with the knowledge base. Higher than contested: the
claim contradicts reference data (where an asset lies, who owns it), with a reason."""

HEDGED_WEIGHT = 0.1
"""Penalty if every claim were alleged or speculative. Small: hedging is honest
signalling and better than false certainty, but a record made of unconfirmed relays is
weaker evidence. ``reported`` (attributed) and ``denied`` are not hedging by the outlet."""

PROMOTIONAL_WEIGHT = 0.3
"""Penalty if every article carried promotional spans (CFD risk warnings, "marketing
communication", affiliate pitches): such articles are written to sell trading, and
cleaning removing the tail does not change who wrote the rest. Counted per article, not
per character, because a short marketing tail marks the whole article."""

COPY_WEIGHT = 0.2
"""Penalty if every article were a near-duplicate of another outlet's article: copying
adds no independent reporting and passes errors on unchecked, but is not itself wrong."""

HEDGED = frozenset({Hedge.alleged, Hedge.speculative})
"""Hedges that count as the outlet relaying something unconfirmed."""

FRAME_FIELDS = frozenset({"type", "date", "location", "assets", "facility", "response"})
"""Fields that frame the incident rather than state a comparable attribute; the same set
``export.incident_record`` leaves out of its per-attribute consensus."""


@dataclass
class SourceRecord:
    """One outlet's record in this corpus and the score computed from it.

    Counts are kept next to the score so that the score can always be recomputed and
    explained by hand; ``explanation`` writes that arithmetic out in one line.
    """

    outlet: str
    prior: float
    articles: int = 0
    claims: int = 0
    assessed: int = 0
    contested: int = 0
    kb_conflicts: int = 0
    hedged: int = 0
    promotional_articles: int = 0
    promotional_chars_share: float = 0.0
    copies: int = 0
    copied_by_others: int = 0
    penalty: float = 0.0
    shrink: float = 0.0
    score: float = 0.0
    explanation: str = ""
    _text_chars: int = field(default=0, repr=False)
    _promo_chars: int = field(default=0, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for exports and the API (private tallies left out)."""
        return {
            "outlet": self.outlet,
            "score": round(self.score, 3),
            "prior": self.prior,
            "articles": self.articles,
            "claims": self.claims,
            "assessed": self.assessed,
            "contested": self.contested,
            "kb_conflicts": self.kb_conflicts,
            "hedged": self.hedged,
            "promotional_articles": self.promotional_articles,
            "promotional_chars_share": round(self.promotional_chars_share, 4),
            "copies": self.copies,
            "copied_by_others": self.copied_by_others,
            "penalty": round(self.penalty, 4),
            "shrink": round(self.shrink, 4),
            "explanation": self.explanation,
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def claim_key(claim: Claim) -> ClaimKey:
    """The key statuses and KB conflicts are looked up by."""
    return (claim.article_id, claim.start, claim.end, claim.field)


def outlet_key(article_id: str, outlet: str) -> str:
    """The source an article counts as: its outlet, or the article itself when it names
    none — two articles without an outlet are not known to share one, so they must not
    merge into a single "unknown" source (for agreement or for scoring)."""
    return outlet if outlet != UNNAMED_OUTLET else f"unknown source ({article_id})"


def score_sources(
    articles: Iterable[Article],
    claims_status: Mapping[ClaimKey, str],
    kb_conflict_claims: Iterable[ClaimKey] = frozenset(),
    *,
    incidents: Iterable[Incident] = (),
) -> dict[str, SourceRecord]:
    """Score every outlet that published one of ``articles``; keyed by outlet name.

    Claims are taken from the incidents' events (which carry the hedge); without
    incidents, from the keys of ``claims_status`` and ``kb_conflict_claims`` (hedging then
    counts as unknown, i.e. zero). A claim is counted once however often it appears.
    Articles whose outlet is not among ``articles`` still count as copied if they are a
    near-duplicate of an article that is not in ``articles``: the original exists, and an
    outlet re-posting its own story is rare next to syndication.
    """
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id[article.id] = article
    records: dict[str, SourceRecord] = {}
    outlet_of: dict[str, str] = {}
    for article in by_id.values():
        name = outlet_key(article.id, article.source.name)
        outlet_of[article.id] = name
        record = records.get(name)
        if record is None:
            record = records[name] = SourceRecord(outlet=name, prior=article.source.reliability_prior)
        record.articles += 1
        promo = sum(s.end - s.start for s in article.removed_spans if s.kind is SpanKind.promotional)
        record._text_chars += len(article.text)
        record._promo_chars += promo
        if promo:
            record.promotional_articles += 1

    copied_originals: dict[str, set[str]] = {}
    for article in by_id.values():
        original = article.near_duplicate_of
        if original is None:
            continue
        original_outlet = outlet_of.get(original)
        own = outlet_of[article.id]
        if original_outlet == own:
            continue
        records[own].copies += 1
        if original_outlet is not None:
            copied_originals.setdefault(original_outlet, set()).add(original)
    for name, originals in copied_originals.items():
        records[name].copied_by_others = len(originals)

    hedges: dict[ClaimKey, Hedge | None] = {}
    for incident in incidents:
        for event in incident.events:
            for claim in event.claims:
                hedges[claim_key(claim)] = claim.hedge
    kb = set(kb_conflict_claims)
    for key in (*claims_status, *kb):
        hedges.setdefault(key, None)

    for key, hedge in hedges.items():
        outlet = outlet_of.get(key[0])
        if outlet is None:
            continue  # a claim of an article we were not given
        record = records[outlet]
        record.claims += 1
        status = claims_status.get(key)
        if status is not None:
            record.assessed += 1
            if status == "contested":
                record.contested += 1
        if key in kb:
            record.kb_conflicts += 1
        if hedge in HEDGED:
            record.hedged += 1

    for record in records.values():
        _finish(record)
    return records


def _finish(record: SourceRecord) -> None:
    """Apply the documented formula and write the explanation."""
    record.promotional_chars_share = _share(record._promo_chars, record._text_chars)
    parts = [
        ("contested", record.contested, record.assessed, "assessed claims", CONTESTED_WEIGHT),
        ("KB conflict", record.kb_conflicts, record.claims, "claims", KB_CONFLICT_WEIGHT),
        ("hedged", record.hedged, record.claims, "claims", HEDGED_WEIGHT),
        ("promotional", record.promotional_articles, record.articles, "articles", PROMOTIONAL_WEIGHT),
        ("copies", record.copies, record.articles, "articles", COPY_WEIGHT),
    ]
    raw = sum(weight * _share(part, whole) for _name, part, whole, _unit, weight in parts)
    record.penalty = min(1.0, raw)
    record.shrink = record.articles / (record.articles + PRIOR_STRENGTH)
    record.score = min(1.0, max(0.0, record.prior - record.shrink * record.penalty))
    described = []
    for name, part, whole, unit, weight in parts:
        text = f"{name} {part}/{whole} {unit} ×{weight:g}"
        if name == "promotional":
            text += f" ({record.promotional_chars_share:.0%} of text)"
        described.append(text)
    record.explanation = (
        f"{record.outlet}: {record.score:.2f} = prior {record.prior:.2f} − "
        f"{record.shrink:.2f} × penalty {record.penalty:.2f} "
        f"[{'; '.join(described)}; copied by others {record.copied_by_others} (not scored)]; "
        f"shrink = {record.articles} articles / ({record.articles} + {PRIOR_STRENGTH:g})"
    )


def source_note(record: SourceRecord | None) -> str:
    """The short label shown next to a claim: outlet and score, or that none is known."""
    if record is None:
        return "source score unknown"
    return f"{record.outlet} · source score {record.score:.2f} (prior {record.prior:.2f})"
