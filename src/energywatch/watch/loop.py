"""The watcher: poll what is due, ingest what is new, re-process, raise and deliver alerts.

    ┌──────────── cycle ─────────────────────────────────────────────────────────────┐
    │ due sources ─► poll (conditional GET) ─► new items ─► fetch pages ─► ingest    │
    │            └─ failure: health, backoff, circuit breaker (never stops the loop) │
    │ anything ingested ─► process ─► snapshots of changed incidents ─► plan_alerts  │
    │                     ─► ledger + outbox (one transaction) ─► deliver what is due │
    └────────────────────────────────────────────────────────────────────────────────┘
    sleep until the next source or delivery is due, or until SIGINT/SIGTERM

Everything a restart needs is in the store (``storage.watch_state``): validators and
health per source, every item seen, the alert ledger and the outbox. A restart
therefore re-fetches nothing it finished, raises nothing twice, and delivers what a
crash left pending. Shutdown is cooperative: ``stop`` is checked between items and
interrupts every wait (politeness, backoff, retries, the idle sleep).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from energywatch import ids
from energywatch.assessment import Context, assess
from energywatch.ingest import ingest_items
from energywatch.kb import KnowledgeBase
from energywatch.models import OutboxEntry, RawArticle, Rejection, Source, SourceHealth, WatchedItem
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store
from energywatch.watch.alerts import compile_rules, plan_alerts, snapshot
from energywatch.watch.channels import Channel, DeliveryError, build_channel
from energywatch.watch.config import SourceConfig, WatchConfig
from energywatch.watch.feeds import FeedError
from energywatch.watch.fetch import Fetcher, FetchError, FetchFailure, FetchPolicy, Validators
from energywatch.watch.logs import log_event
from energywatch.watch.sources import (
    MIN_FEED_TEXT,
    Candidate,
    FolderError,
    fetch_policy,
    poll,
    read_candidate,
)

# Outbox retry schedule: 5 s, 10 s, 20 s … capped at 15 minutes.
DELIVERY_BACKOFF_S = 5.0
DELIVERY_BACKOFF_MAX_S = 900.0
# The idle sleep never exceeds this, so a changed clock or a new outbox row is noticed.
MAX_IDLE_S = 30.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class CycleReport:
    """What one cycle did (the CLI prints it for ``--once``; tests assert on it)."""

    polled: list[str] = field(default_factory=list)
    failed_sources: dict[str, str] = field(default_factory=dict)
    new_items: int = 0
    ingested: int = 0
    rejected: int = 0
    failed_items: int = 0
    processed: bool = False
    alerts: list[str] = field(default_factory=list)
    delivered: int = 0
    delivery_failures: int = 0


class Watcher:
    """One watcher over one store. Not thread-safe: run it in one thread; other threads
    may only call ``request_stop``."""

    def __init__(
        self,
        config: WatchConfig,
        store: Store,
        kb: KnowledgeBase,
        settings: Settings,
        *,
        env: Mapping[str, str] | None = None,
        fetcher: Fetcher | None = None,
        channels: Mapping[str, Channel] | None = None,
        stop: threading.Event | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        console: IO[str] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.kb = kb
        self.settings = settings
        self.stop = stop or threading.Event()
        self.clock = clock
        self.options = config.watch
        self.fetcher = fetcher or Fetcher(sleep=self._wait)
        self._own_fetcher = fetcher is None
        self.channels: dict[str, Channel] = (
            dict(channels)
            if channels is not None
            else {
                c.name: build_channel(c, env=env or {}, sleep=self._wait, console=console)
                for c in config.channels
            }
        )
        self.rules = compile_rules(config.effective_rules(), kb)
        self.sources = [s for s in config.sources if s.enabled]
        self.health: dict[str, SourceHealth] = {}
        # incident id → (fingerprint of the stored incident, its snapshot): only incidents
        # whose record changed are assessed again.
        self._snapshots: dict[str, tuple[str, dict[str, Any]]] = {}
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    def _wait(self, seconds: float) -> bool:
        """Sleep that ends early on shutdown; True when it was interrupted."""
        return self.stop.wait(max(0.0, seconds))

    def request_stop(self) -> None:
        self.stop.set()

    def start(self) -> None:
        """Load persisted health, register outlets, and on the very first start record
        the incidents already stored as announced (unless ``alert_existing``)."""
        first_start = not self.store.has_alert_state()
        for source in self.sources:
            if source.outlet is not None:
                o = source.outlet
                self.store.ensure_source(
                    Source(
                        name=o.name,
                        domain=ids.domain_of(source.url),
                        kind=o.kind,
                        country=o.country,
                        reliability_prior=o.reliability_prior if o.reliability_prior is not None else 0.5,
                    )
                )
            stored = self.store.get_source_health(source.name)
            if stored is None or stored.target != source.target or stored.kind != source.type:
                # New source, or one whose URL/path changed: its validators are meaningless.
                stored = SourceHealth(name=source.name, kind=source.type, target=source.target)
                self.store.save_source_health(stored)
            self.health[source.name] = stored
        log_event(
            "watcher_started",
            sources=len(self.sources),
            channels=",".join(self.channels),
            rules=",".join(r.name for r in self.rules),
            first_start=first_start,
        )
        self._evaluate(baseline=first_start and not self.options.alert_existing)
        self._started = True

    def run(self, *, once: bool = False) -> CycleReport | None:
        """Cycle until ``stop`` is set (or once, polling every source right away)."""
        if not self._started:
            self.start()
        last: CycleReport | None = None
        try:
            while not self.stop.is_set():
                last = self.cycle(force=once)
                if once:
                    break
                self._wait(self.seconds_until_due())
        finally:
            log_event("watcher_stopped", reason="signal" if self.stop.is_set() else "done")
        return last

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()
        for channel in self.channels.values():
            channel.close()

    def seconds_until_due(self) -> float:
        now = self.clock()
        due: list[dt.datetime] = []
        for source in self.sources:
            h = self.health[source.name]
            due.append(max(d for d in (h.next_poll_at, h.breaker_open_until, now) if d is not None))
        pending = self.store.next_delivery_due()
        if pending is not None:
            due.append(pending)
        if not due:
            return MAX_IDLE_S
        return min(MAX_IDLE_S, max(0.0, (min(due) - now).total_seconds()))

    # ------------------------------------------------------------------ one cycle

    def cycle(self, *, force: bool = False) -> CycleReport:
        """Poll every due source (every source whose breaker is closed, with ``force``),
        then process, alert and deliver. Never raises for a source's or a channel's
        failure."""
        report = CycleReport()
        for source in self.sources:
            if self.stop.is_set():
                break
            if self._due(source, self.clock(), force=force):
                self._poll_source(source, report)
        if (report.ingested or report.rejected) and not self.stop.is_set():
            summary = process(self.store, self.kb, impact_samples=self.settings.impact_samples)
            report.processed = True
            log_event(
                "processed",
                extracted=summary.extracted,
                incidents=summary.incidents,
                new=summary.incidents_inserted,
                changed=summary.incidents_updated,
                gone=summary.incidents_deleted,
            )
            report.alerts = self._evaluate(baseline=False)
        self._deliver(report)
        return report

    def _due(self, source: SourceConfig, now: dt.datetime, *, force: bool = False) -> bool:
        """Due by its schedule (always, with ``force``), unless its breaker is open:
        not even ``--once`` from cron should hammer a source that keeps failing."""
        h = self.health[source.name]
        if h.breaker_open_until is not None and now < h.breaker_open_until:
            return False
        return force or h.next_poll_at is None or now >= h.next_poll_at

    # ------------------------------------------------------------------ polling

    def _poll_source(self, source: SourceConfig, report: CycleReport) -> None:
        h = self.health[source.name]
        policy = fetch_policy(source, self.options)
        now = self.clock()
        h.last_poll_at = now
        h.polls += 1
        validators = Validators(etag=h.etag, last_modified=h.last_modified)
        try:
            listing = poll(source, self.fetcher, policy, validators)
        except (FetchError, FeedError, FolderError) as exc:
            if isinstance(exc, FetchError) and exc.reason is FetchFailure.cancelled:
                return
            self._source_failed(source, h, exc)
            report.failed_sources[source.name] = _reason(exc)
            self.store.save_source_health(h)
            return
        report.polled.append(source.name)
        for problem in listing.problems:
            log_event("source_problem", logging.WARNING, source=source.name, detail=problem)
        if listing.not_modified:
            log_event("poll_not_modified", logging.DEBUG, source=source.name)
        h.items_seen += len(listing.candidates)
        fresh, truncated = self._fresh(source, listing.candidates)
        h.items_new += len(fresh)
        report.new_items += len(fresh)
        if fresh:
            log_event("poll_ok", source=source.name, listed=len(listing.candidates), new=len(fresh))
        complete = self._read_items(source, policy, fresh, h, report) and not truncated
        # New validators only once every listed item is dealt with: a 304 next time must
        # not hide items this poll left for later (stopped, retrying, over max_items).
        if listing.validators is not None and complete:
            h.etag, h.last_modified = listing.validators.etag, listing.validators.last_modified
        h.last_success_at = self.clock()
        if h.consecutive_failures >= self.options.breaker_failures:
            log_event("breaker_closed", source=source.name)
        h.consecutive_failures = 0
        h.breaker_open_until = None
        h.next_poll_at = self.clock() + dt.timedelta(seconds=source.interval)
        self.store.save_source_health(h)

    def _source_failed(self, source: SourceConfig, h: SourceHealth, exc: Exception) -> None:
        now = self.clock()
        h.consecutive_failures += 1
        h.last_error_at = now
        h.last_error = str(exc)
        h.last_error_reason = _reason(exc)
        log_event(
            "poll_failed",
            logging.WARNING,
            source=source.name,
            reason=h.last_error_reason,
            detail=str(exc),
            failures=h.consecutive_failures,
        )
        # Back off on repeated failures (interval × 2^(n−1), at most the cooldown) …
        delay = min(source.interval * 2 ** (h.consecutive_failures - 1), self.options.breaker_cooldown)
        h.next_poll_at = now + dt.timedelta(seconds=max(delay, source.interval))
        # … and after too many in a row stop trying for the cooldown (one probe after it).
        if h.consecutive_failures >= self.options.breaker_failures:
            h.breaker_open_until = now + dt.timedelta(seconds=self.options.breaker_cooldown)
            log_event(
                "breaker_open",
                logging.ERROR,
                source=source.name,
                failures=h.consecutive_failures,
                until=h.breaker_open_until.isoformat(timespec="seconds"),
            )

    def _fresh(self, source: SourceConfig, candidates: list[Candidate]) -> tuple[list[Candidate], bool]:
        """Items never seen, or failed earlier with attempts left; at most ``max_items``
        (True as second value when more were left for the next poll). An item whose
        link another item already brought in is recorded as a repeat."""
        fresh: list[Candidate] = []
        keys: set[str] = set()
        for candidate in candidates:
            if len(fresh) >= source.max_items:
                return fresh, True
            if candidate.key in keys:
                continue
            keys.add(candidate.key)
            seen = self.store.seen_item(source.name, candidate.key, candidate.url_key)
            if seen is None:
                fresh.append(candidate)
            elif seen.status == "failed" and seen.source == source.name and seen.item_key == candidate.key:
                candidate.attempts = seen.attempts
                fresh.append(candidate)
            elif seen.item_key != candidate.key or seen.source != source.name:
                self.store.save_item(
                    WatchedItem(
                        source=source.name,
                        item_key=candidate.key,
                        url=candidate.url,
                        url_key=candidate.url_key,
                        status="skipped",
                        detail=f"repeat of item {seen.item_key} of {seen.source} (same link)",
                        article_id=seen.article_id,
                    ),
                    self.clock(),
                )
                log_event(
                    "item_repeated",
                    source=source.name,
                    item=candidate.key,
                    url=candidate.url,
                    first_seen_as=seen.item_key,
                )
        return fresh, False

    def _read_items(
        self,
        source: SourceConfig,
        policy: FetchPolicy,
        fresh: list[Candidate],
        h: SourceHealth,
        report: CycleReport,
    ) -> bool:
        """Read and ingest the fresh items; False when some are left for later."""
        complete = True
        batch: list[RawArticle | Rejection] = []
        outcomes: list[tuple[Candidate, list[RawArticle | Rejection]]] = []
        for candidate in fresh:
            if self.stop.is_set():
                complete = False
                break
            attempts = candidate.attempts + 1
            try:
                items = self._read(source, candidate, policy)
            except FetchError as exc:
                if exc.reason is FetchFailure.cancelled:
                    complete = False
                    break
                fallback = (candidate.feed_text or "").strip()
                final = not exc.transient or attempts >= self.options.item_retries
                if final and len(fallback) >= MIN_FEED_TEXT:
                    log_event(
                        "item_feed_text",
                        logging.WARNING,
                        source=source.name,
                        url=candidate.url,
                        reason=exc.reason.value,
                        detail=exc.detail,
                    )
                    items = self._read(source, candidate, policy, use_feed_text=True)
                else:
                    self._item_failed(source, candidate, exc, attempts, final, h, report)
                    complete = complete and final
                    continue
            outcomes.append((candidate, items))
            batch.extend(items)
        if not batch:
            return complete
        ingested = ingest_items(self.store, batch, self.settings)
        changed = {*ingested.inserted, *ingested.updated}
        report.ingested += len(changed)
        report.rejected += len(ingested.rejections)
        h.articles_ingested += len(changed)
        now = self.clock()
        for candidate, items in outcomes:
            articles = [i for i in items if isinstance(i, RawArticle)]
            rejections = [i for i in items if isinstance(i, Rejection)]
            if articles:
                first = articles[0]
                article_id = ids.article_id(given=first.id, url=first.url, text=first.text or "")
                status, detail = "ingested", None
            else:
                article_id = None
                status = "rejected"
                detail = (
                    f"{rejections[0].reason.value}: {rejections[0].detail}" if rejections else "nothing read"
                )
                log_event(
                    "item_rejected", logging.WARNING, source=source.name, url=candidate.url, detail=detail
                )
            self.store.save_item(
                WatchedItem(
                    source=source.name,
                    item_key=candidate.key,
                    url=candidate.url or (str(candidate.path) if candidate.path else None),
                    url_key=candidate.url_key,
                    status=status,
                    detail=detail,
                    article_id=article_id,
                ),
                now,
            )
        log_event(
            "ingested",
            source=source.name,
            new=len(ingested.inserted),
            updated=len(ingested.updated),
            unchanged=len(ingested.unchanged),
            rejected=len(ingested.rejections),
        )
        return complete

    def _read(
        self, source: SourceConfig, candidate: Candidate, policy: FetchPolicy, *, use_feed_text: bool = False
    ) -> list[RawArticle | Rejection]:
        return read_candidate(
            source,
            candidate,
            self.fetcher,
            policy,
            max_file_bytes=self.settings.max_file_bytes,
            use_feed_text=use_feed_text,
        )

    def _item_failed(
        self,
        source: SourceConfig,
        candidate: Candidate,
        exc: FetchError,
        attempts: int,
        final: bool,
        h: SourceHealth,
        report: CycleReport,
    ) -> None:
        report.failed_items += 1
        h.items_failed += 1
        detail = f"{exc.reason.value}: {exc.detail}"
        self.store.save_item(
            WatchedItem(
                source=source.name,
                item_key=candidate.key,
                url=candidate.url,
                url_key=candidate.url_key,
                status="skipped" if final else "failed",
                detail=detail if not final else f"gave up after {attempts} attempt(s): {detail}",
                attempts=attempts,
            ),
            self.clock(),
        )
        log_event(
            "item_failed",
            logging.WARNING,
            source=source.name,
            url=candidate.url,
            reason=exc.reason.value,
            detail=exc.detail,
            attempts=attempts,
            final=final,
        )

    # ------------------------------------------------------------------ alerts

    def _evaluate(self, *, baseline: bool) -> list[str]:
        incidents, _ = self.store.list_incidents(IncidentQuery(limit=1_000_000_000))
        changed = []
        fingerprints: dict[str, str] = {}
        for incident in incidents:
            fp = hashlib.sha256(incident.model_dump_json().encode()).hexdigest()
            fingerprints[incident.id] = fp
            cached = self._snapshots.get(incident.id)
            if cached is None or cached[0] != fp:
                changed.append(incident)
        if changed:
            ctx = Context.for_incidents(self.store, self.kb, changed)
            for incident in changed:
                snap = snapshot(incident, assess(incident, ctx), self.kb, ctx.outlet_of)
                self._snapshots[incident.id] = (fingerprints[incident.id], snap)
        live = set(fingerprints)
        for gone in [i for i in self._snapshots if i not in live]:
            del self._snapshots[gone]
        now = self.clock()
        plan = plan_alerts(
            [(i, self._snapshots[i.id][1]) for i in incidents],
            self.store.alert_lineages(),
            self.rules,
            now=now,
            impact_change=self.options.impact_change,
            baseline=baseline,
        )
        if plan.lineages or plan.alerts:
            self.store.record_alerts(plan.lineages, plan.alerts, now)
        if baseline and plan.lineages:
            log_event("baseline_recorded", incidents=len(plan.lineages))
        for alert, channels in plan.alerts:
            log_event(
                "alert_raised",
                alert_id=alert.id,
                kind=alert.kind.value,
                incident=alert.incident_id,
                channels=",".join(channels),
                title=alert.title,
            )
        return [a.id for a, _ in plan.alerts]

    def _deliver(self, report: CycleReport) -> None:
        for entry in self.store.due_deliveries(self.clock()):
            if self.stop.is_set():
                return
            self._deliver_one(entry, report)

    def _deliver_one(self, entry: OutboxEntry, report: CycleReport) -> None:
        channel = self.channels.get(entry.channel)
        entry.attempts += 1
        if channel is None:
            entry.status = "failed"
            entry.last_error = f"channel {entry.channel!r} is no longer configured"
        else:
            try:
                channel.deliver(entry.alert)
            except DeliveryError as exc:
                entry.last_error = str(exc)
                if not exc.transient or entry.attempts >= self.options.delivery_attempts:
                    entry.status = "failed"
                else:
                    delay = min(DELIVERY_BACKOFF_S * 2 ** (entry.attempts - 1), DELIVERY_BACKOFF_MAX_S)
                    entry.next_attempt_at = self.clock() + dt.timedelta(seconds=delay)
            else:
                entry.status = "delivered"
                entry.delivered_at = self.clock()
                entry.last_error = None
        self.store.save_delivery(entry)
        if entry.status == "delivered":
            report.delivered += 1
            log_event(
                "alert_delivered", alert_id=entry.alert.id, channel=entry.channel, attempts=entry.attempts
            )
        else:
            report.delivery_failures += 1
            log_event(
                "delivery_failed",
                logging.ERROR if entry.status == "failed" else logging.WARNING,
                alert_id=entry.alert.id,
                channel=entry.channel,
                attempts=entry.attempts,
                final=entry.status == "failed",
                detail=entry.last_error,
            )


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    if reason is None:
        return type(exc).__name__
    return str(getattr(reason, "value", reason))
