"""Scores for ``energywatch eval``: a DESIGN §11 export against a hand-labelled gold file.

Pure functions, so CLI, CI and tests agree; ``docs/evaluation.md`` explains each metric
and the matching. The baseline gate (STYLE #11, after trafilatura's ``eval_gate.py``)
pins every score with an ``epsilon`` of noise and a hash of the gold file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from energywatch.errors import ConfigError, InputError
from energywatch.extract.place_lexicon import haversine_km as _haversine
from energywatch.gold import (
    NUMERIC_FIELDS,
    URL_PREFIX,
    Coords,
    GoldArticle,
    GoldIncident,
    GoldLocation,
    GoldSet,
    GoldToponym,
    Interval,
    as_interval,
    as_number,
    load_gold,
    overlaps,
    validation_problem,
)
from energywatch.ids import normalize_url

__all__ = [
    "NUMERIC_FIELDS",
    "Baseline",
    "EvalReport",
    "GoldArticle",
    "GoldIncident",
    "GoldLocation",
    "GoldSet",
    "GoldToponym",
    "as_interval",
    "bcubed",
    "compare_to_baseline",
    "evaluate",
    "load_baseline",
    "load_gold",
    "match_incidents",
    "overlaps",
    "prf",
    "write_baseline",
]

LOCATION_KM = 50.0
TOPONYM_KM = 161.0  # 100 miles, the usual geoparsing tolerance
DEFAULT_EPSILON = 0.01
GOLD_CHANGED = "gold changed: rebuild the baseline with --update-baseline"


def haversine_km(a: Coords, b: Coords) -> float:
    """Great-circle distance in km between two (lat, lon) points in degrees."""
    return _haversine(a[0], a[1], b[0], b[1])


@dataclass(frozen=True)
class _Predicted:
    """The fields of one export incident that evaluation compares."""

    id: str
    type: str | None
    start: dt.date | None
    end: dt.date | None
    assets: frozenset[str]
    coords: Coords | None
    place: str | None
    attributes: Mapping[str, Any]

    def number(self, name: str) -> Interval | None:
        attr = self.attributes.get(name)
        return as_interval(attr.get("value") if isinstance(attr, dict) else attr)

    @classmethod
    def parse(cls, inc: dict[str, Any]) -> _Predicted:
        """Read one export incident leniently: an unusable field becomes ``None`` (a wrong answer)."""
        date = inc.get("date")
        start, end = (date.get("start"), date.get("end")) if isinstance(date, dict) else (date, date)
        loc = inc.get("location")
        attrs = inc.get("attributes")
        return cls(
            id=str(inc["id"]),
            type=inc.get("type") if isinstance(inc.get("type"), str) else None,
            start=_day(start),
            end=_day(end if end is not None else start),
            assets=frozenset(str(a) for a in inc.get("assets") or []),
            coords=_coords(loc),
            place=loc.get("name") if isinstance(loc, dict) and isinstance(loc.get("name"), str) else None,
            attributes=attrs if isinstance(attrs, dict) else {},
        )


def _day(value: Any) -> dt.date | None:
    """The day of an ISO date or datetime string; ``None`` for anything unusable."""
    try:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _coords(loc: Any) -> Coords | None:
    lat, lon = (
        (as_number(loc.get("lat")), as_number(loc.get("lon"))) if isinstance(loc, dict) else (None, None)
    )
    return None if lat is None or lon is None else (lat, lon)


class _Export:
    """Indexes over the export: articles by id and URL, incidents linked to each article."""

    def __init__(self, export: Mapping[str, Any], url_of: Callable[[str], str | None] | None) -> None:
        articles, incidents = export.get("articles"), export.get("incidents", [])
        if not isinstance(articles, list) or not isinstance(incidents, list):
            raise InputError("the export needs 'articles' and 'incidents' lists (DESIGN §11)")
        self.articles: dict[str, dict[str, Any]] = {}
        self.by_url: dict[str, str] = {}
        for art in articles:
            if not isinstance(art, dict) or not isinstance(art.get("id"), str):
                raise InputError(f"export article without a string 'id': {str(art)[:80]}")
            self.articles[art["id"]] = art
            url = art.get("url") or (url_of(art["id"]) if url_of else None)
            if url:
                self.by_url.setdefault(normalize_url(url), art["id"])
        self.incidents: dict[str, _Predicted] = {}
        # What each article itself says about an incident (its "events"), when the export
        # carries it: a follow-up article is scored on its restoration, not on the strike.
        self.views: dict[tuple[str, str], _Predicted] = {}
        for aid, art in self.articles.items():
            for event in art.get("events") or []:
                if isinstance(event, dict) and isinstance(event.get("incident_id"), str):
                    iid = event["incident_id"]
                    self.views.setdefault((aid, iid), _Predicted.parse(event | {"id": iid}))
        self.links: dict[str, list[str]] = {aid: [] for aid in self.articles}
        for inc in incidents:
            if not isinstance(inc, dict) or not isinstance(inc.get("id"), str):
                raise InputError(f"export incident without a string 'id': {str(inc)[:80]}")
            self.incidents[inc["id"]] = _Predicted.parse(inc)
        # An article's incidents are the union of both directions of the link, so an
        # export that fills only one side is still scored fairly.
        links = [(aid, str(i)) for aid, art in self.articles.items() for i in art.get("incident_ids") or []]
        links += [(str(aid), inc["id"]) for inc in incidents for aid in inc.get("articles") or []]
        for aid, iid in links:
            linked = self.links.get(aid)
            if linked is not None and iid in self.incidents and iid not in linked:
                linked.append(iid)

    def resolve(self, gold_id: str) -> str | None:
        """The export id of a gold article id, or ``None`` when the export lacks it."""
        if gold_id.startswith(URL_PREFIX):
            return self.by_url.get(normalize_url(gold_id[len(URL_PREFIX) :]))
        return gold_id if gold_id in self.articles else None


def _date_within(gold: dt.date, pred: _Predicted, days: int) -> bool:
    """The whole predicted range lies within ``days`` of the gold day (a vague range fails)."""
    if pred.start is None or pred.end is None:
        return False
    slack = dt.timedelta(days=days)
    return gold - slack <= pred.start and pred.end <= gold + slack


def _near(gold: Coords | None, pred: Coords | None, km: float) -> bool:
    return gold is not None and pred is not None and haversine_km(gold, pred) <= km


def similarity(gold: GoldIncident, pred: _Predicted) -> float:
    """How alike a gold and a predicted incident are: assets weigh most, then type, day, place."""
    union = set(gold.assets) | pred.assets
    jaccard = len(set(gold.assets) & pred.assets) / len(union) if union else 0.0
    return (
        2.0 * jaccard
        + (gold.type == pred.type)
        + (gold.date is not None and _date_within(gold.date, pred, 1))
        + _near(gold.location.coords if gold.location else None, pred.coords, LOCATION_KM)
    )


def match_incidents(gold: list[GoldIncident], predicted: list[_Predicted]) -> dict[int, int]:
    """Pair gold with predicted incidents of one article, one-to-one, greedily by similarity.

    Every possible pair is made (``min(len(gold), len(predicted))``), even at similarity
    0: the article *is* linked to that incident, and leaving it unpaired would hide its
    errors from the per-field scores. Ties keep gold order, then export order.
    """
    scored = sorted(
        ((-similarity(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)),
    )
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, gi, pi in scored:
        if gi not in pairs and pi not in used:
            pairs[gi] = pi
            used.add(pi)
    return pairs


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1. An empty ratio is 1.0 when the other side is empty too
    (nothing expected, nothing predicted) and 0.0 otherwise."""
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def bcubed(gold: Mapping[Any, str], predicted: Mapping[Any, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998) over the items of ``gold``.

    For each item: precision is the share of its predicted cluster that shares its gold
    label, recall the share of its gold cluster that shares its predicted label; both
    are averaged over items. F1 is the harmonic mean of the averages.
    """
    if not gold:
        return 1.0, 1.0, 1.0
    g_of: defaultdict[str, set[Any]] = defaultdict(set)
    p_of: defaultdict[str, set[Any]] = defaultdict(set)
    for item, label in gold.items():
        g_of[label].add(item)
        p_of[predicted[item]].add(item)
    common = {i: len(g_of[gold[i]] & p_of[predicted[i]]) for i in gold}
    p = sum(common[i] / len(p_of[predicted[i]]) for i in gold) / len(gold)
    r = sum(common[i] / len(g_of[gold[i]]) for i in gold) / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _named(prefix: str, names: str, values: Iterable[float]) -> dict[str, float]:
    return dict(zip((f"{prefix}.{n}" for n in names.split()), values, strict=True))


@dataclass
class EvalReport:
    """Flat metric values (``n.*`` are counts), per-article mismatches, and the gold hash."""

    metrics: dict[str, float]
    details: list[dict[str, Any]] = field(default_factory=list)
    gold_sha256: str | None = None

    def to_table(self) -> str:
        """Plain-text table, one metric per line; counts print as integers."""
        width = max((len(k) for k in self.metrics), default=6)
        lines = [f"{'metric':<{width}}  {'value':>8}", f"{'-' * width}  {'-' * 8}"]
        for name, value in self.metrics.items():
            shown = f"{int(value):>8d}" if name.startswith("n.") else f"{value:>8.3f}"
            lines.append(f"{name:<{width}}  {shown}")
        return "\n".join(lines)

    def to_json(self) -> str:
        body = {"metrics": self.metrics, "gold_sha256": self.gold_sha256, "details": self.details}
        return json.dumps(body, indent=2, ensure_ascii=False, default=str)


class _Scorer:
    """Running counts of one evaluation, fed article by article by ``evaluate``."""

    def __init__(self, ex: _Export) -> None:
        self.ex = ex
        self.gid = ""  # the gold article being scored, for the details
        self.details: list[dict[str, Any]] = []
        self.tally: dict[str, list[int]] = {}  # metric -> [correct, total], first-seen order
        self.report_cm = [0, 0, 0]  # tp, fp, fn
        self.assets_cm = [0, 0, 0]
        self.gold_cluster: dict[tuple[str, str], str] = {}
        self.pred_cluster: dict[tuple[str, str], str] = {}
        self.missing = self.links = self.matched = 0

    def count(self, metric: str, ok: bool) -> None:
        counts = self.tally.setdefault(metric, [0, 0])
        counts[0] += ok
        counts[1] += 1

    def check(self, metric: str, ok: bool, gold: Any, predicted: Any, key: str | None = None) -> None:
        """Count one decision; a wrong one is also listed in the details."""
        self.count(metric, ok)
        if not ok:
            self.miss(metric, gold, predicted, key)

    def miss(self, metric: str, gold: Any, predicted: Any, key: str | None = None) -> None:
        self.details.append(
            {"article": self.gid, "incident": key, "metric": metric, "gold": gold, "predicted": predicted}
        )

    def article(self, art: GoldArticle) -> None:
        self.gid = gid = art.article_id
        eid = self.ex.resolve(gid)
        rec = self.ex.articles.get(eid) if eid else None
        if rec is None:
            self.missing += 1
            self.miss("article", "present", "not in export")
        said = rec.get("is_incident_report") if rec else None
        if said is True or art.is_incident_report:  # index into [tp, fp, fn]
            self.report_cm[0 if (said is True) == art.is_incident_report else 1 if said is True else 2] += 1
        if (said is True) != art.is_incident_report:
            self.miss("incident_report", art.is_incident_report, said)
        # The gold copy target is resolved to an export id, so url: targets compare too.
        dup = art.near_duplicate_of
        got_dup = rec.get("near_duplicate_of") if rec else None
        self.check(
            "copies.accuracy", ((self.ex.resolve(dup) or dup) if dup else None) == got_dup, dup, got_dup
        )
        preds = (
            [self.ex.views.get((eid, i)) or self.ex.incidents[i] for i in self.ex.links.get(eid, [])]
            if eid
            else []
        )
        self.links += len(preds)
        pairs = match_incidents(art.incidents, preds)
        self.matched += len(pairs)
        for gi, g in enumerate(art.incidents):
            item = (gid, g.key)
            self.gold_cluster[item] = g.key
            if gi in pairs:
                self.pred_cluster[item] = preds[pairs[gi]].id
                self.pair(g, preds[pairs[gi]])
            else:
                self.pred_cluster[item] = f"\0unmatched {gid} {g.key}"  # a singleton cluster
                self.miss("incident", g.key, None, g.key)
        for top in art.toponyms or []:
            self.toponym(top, rec, preds)

    def pair(self, g: GoldIncident, p: _Predicted) -> None:
        """Per-field scores of one matched (gold, predicted) incident pair."""
        self.check("type.accuracy", g.type == p.type, g.type, p.type, g.key)
        if g.date is not None:
            day, got = g.date.isoformat(), [str(p.start), str(p.end)]
            self.check("date.exact", p.start == g.date == p.end, day, got, g.key)
            self.check("date.within_1d", _date_within(g.date, p, 1), day, got, g.key)
        where = g.location.coords if g.location else None
        if where is not None:
            self.check("location.within_50km", _near(where, p.coords, LOCATION_KM), where, p.coords, g.key)
        want = set(g.assets)
        for i, n in enumerate((len(want & p.assets), len(p.assets - want), len(want - p.assets))):
            self.assets_cm[i] += n
        if want != p.assets:
            self.miss("assets", sorted(want), sorted(p.assets), g.key)
        for name in NUMERIC_FIELDS:
            expected, got_n = g.number(name), p.number(name)
            if expected is not None:
                ok = got_n is not None and overlaps(expected, got_n)
                self.count("numbers.overlap", ok)
                self.check(f"numbers.{name}.overlap", ok, expected, got_n, g.key)

    def toponym(self, top: GoldToponym, rec: dict[str, Any] | None, preds: list[_Predicted]) -> None:
        """Right when a predicted place of the same name (casefolded) lies within 161 km.

        Predicted places are the export article's ``toponyms`` list when it has one, else
        the locations of the incidents linked to the article.
        """
        found: list[tuple[Any, Coords | None]] = [(p.place, p.coords) for p in preds]
        if rec is not None and isinstance(rec.get("toponyms"), list):
            found = [(t.get("name"), _coords(t)) for t in rec["toponyms"] if isinstance(t, dict)]
        same = [c for name, c in found if isinstance(name, str) and name.casefold() == top.name.casefold()]
        ok = any(_near((top.lat, top.lon), c, TOPONYM_KM) for c in same)
        self.check("geoparsing.within_161km", ok, top.name, same or None)

    def metrics(self, gold: list[GoldArticle]) -> dict[str, float]:
        """Scores with a zero denominator are left out rather than reported as 0 or 1."""
        m = _named("incident_report", "precision recall f1", prf(*self.report_cm))
        if self.gold_cluster:
            bc = bcubed(self.gold_cluster, self.pred_cluster)
            m |= _named("clustering", "bcubed_precision bcubed_recall bcubed_f1", bc)
            m["pairs.recall"] = self.matched / len(self.gold_cluster)
        if self.links:
            m["pairs.precision"] = self.matched / self.links
        if self.matched:
            m |= _named("assets", "precision recall f1", prf(*self.assets_cm))
        m.update({name: ok / total for name, (ok, total) in self.tally.items()})
        total = {name: c[1] for name, c in self.tally.items()}
        counts = {
            "n.gold_articles": len(gold),
            "n.articles_missing": self.missing,
            "n.incident_reports": sum(a.is_incident_report for a in gold),
            "n.gold_incidents": len(self.gold_cluster),
            "n.predicted_links": self.links,
            "n.pairs_matched": self.matched,
            "n.dates": total.get("date.exact", 0),
            "n.locations": total.get("location.within_50km", 0),
            "n.numbers": total.get("numbers.overlap", 0),
            "n.copies": sum(a.near_duplicate_of is not None for a in gold),
            "n.toponyms": total.get("geoparsing.within_161km", 0),
        }
        return m | {k: float(v) for k, v in counts.items()}


def evaluate(
    export: dict[str, Any],
    gold: list[GoldArticle],
    *,
    url_of: Callable[[str], str | None] | None = None,
) -> EvalReport:
    """Score ``export`` against ``gold``. Export articles absent from the gold are ignored.

    ``url_of(export_article_id)`` supplies a URL for export articles that carry none, so
    ``url:`` gold ids can still be matched. A gold article missing from the export counts
    as predicted "not an incident report, not a copy, no incidents". When ``gold`` is the
    ``GoldSet`` from ``load_gold``, the report carries its file hash for the baseline.
    """
    scorer = _Scorer(_Export(export, url_of))
    for art in gold:
        scorer.article(art)
    return EvalReport(scorer.metrics(gold), scorer.details, getattr(gold, "sha256", None))


class Baseline(BaseModel):
    """Pinned metric floors and the sha256 of the gold file they were measured on."""

    model_config = ConfigDict(frozen=True)
    metrics: dict[str, float]
    gold_sha256: str | None = None
    epsilon: float = DEFAULT_EPSILON


def compare_to_baseline(
    report: EvalReport,
    baseline: Baseline | Mapping[str, float],
    *,
    epsilon: float = DEFAULT_EPSILON,
) -> list[str]:
    """Regressions of ``report`` against the pinned floors; empty means the gate passes.

    A score may fall by up to ``epsilon`` (noise); counts (``n.*``) are not gated. A
    pinned score the report no longer has is a regression. When both sides carry a gold
    hash and they differ, the only message is ``GOLD_CHANGED``: scores on different gold
    sets cannot be compared.
    """
    floors = baseline.metrics if isinstance(baseline, Baseline) else baseline
    old_sha = baseline.gold_sha256 if isinstance(baseline, Baseline) else None
    if old_sha and report.gold_sha256 and old_sha != report.gold_sha256:
        return [GOLD_CHANGED]
    problems = []
    for name, old in floors.items():
        if name.startswith("n."):
            continue
        new = report.metrics.get(name)
        if new is None:
            problems.append(f"{name} is no longer reported (baseline {old:.3f})")
        elif new < old - epsilon:
            problems.append(f"{name} fell from {old:.3f} to {new:.3f} (more than {epsilon:g})")
    return problems


def load_baseline(path: Path) -> Baseline:
    """Read a baseline written by ``write_baseline``; problems name the file."""
    try:
        return Baseline.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise ConfigError(f"no baseline at {path}", "create it with --update-baseline") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline {path}: {exc.strerror}") from exc
    except ValidationError as exc:
        raise ConfigError(
            f"{path}: not a baseline ({validation_problem(exc)})", "rebuild it with --update-baseline"
        ) from exc


def write_baseline(
    path: Path,
    report: EvalReport,
    *,
    allow_regression: bool = False,
    epsilon: float = DEFAULT_EPSILON,
) -> None:
    """Pin ``report`` as the new baseline.

    A floor is never lowered silently: when a baseline for the same gold already exists
    and the report regresses against it, this raises ``ConfigError`` unless
    ``allow_regression`` is set. A baseline for a different gold file is replaced freely.
    """
    if path.exists() and not allow_regression:
        old = load_baseline(path)
        problems = compare_to_baseline(report, old, epsilon=epsilon)
        if problems and problems != [GOLD_CHANGED]:
            raise ConfigError(
                f"refusing to lower the baseline in {path}: " + "; ".join(problems),
                "pass --allow-regression to accept the lower scores",
            )
    new = Baseline(metrics=report.metrics, gold_sha256=report.gold_sha256, epsilon=epsilon)
    path.write_text(new.model_dump_json(indent=2) + "\n", encoding="utf-8")
