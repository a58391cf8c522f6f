"""Commands over stored articles: ingest, demo, status, rejections, articles, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from energywatch import export as exporting
from energywatch.cli.app import (
    DbOpt,
    DupOpt,
    FromOpt,
    JsonOpt,
    LimitOpt,
    OffsetOpt,
    ToOpt,
    app,
    articles_app,
    edge,
    err,
    knowledge_base,
    open_store,
    out,
    print_json,
    settings_for,
)
from energywatch.cli.render import print_incidents, print_process, print_watch_status
from energywatch.demo import demo_articles
from energywatch.errors import ConfigError
from energywatch.ingest import ingest as run_ingest
from energywatch.kb import load_knowledge_base
from energywatch.models import IngestReport, RejectionReason
from energywatch.process import process as run_process
from energywatch.settings import Settings
from energywatch.storage import ArticleQuery, IncidentQuery, Store
from energywatch.views import (
    article_detail,
    article_row,
    incident_row,
    ingest_summary,
    process_summary,
    rejection_row,
    status_dict,
    watch_status_dict,
)


def _ingest_with_progress(store: Store, paths: list[str], settings: Settings, quiet: bool) -> IngestReport:
    stdin = sys.stdin.buffer if "-" in paths else None
    if quiet:
        return run_ingest(store, paths, settings, stdin=stdin)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}", style="dim"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("ingesting", total=None, last="")

        def tick(origin: str, outcome: str) -> None:
            bar.update(task, advance=1, last=f"{Path(origin).name}: {outcome}")

        return run_ingest(store, paths, settings, stdin=stdin, progress=tick)


def _report_ingest(report: IngestReport, as_json: bool) -> None:
    summary = ingest_summary(report)
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"[bold]{len(report.inserted)}[/] new, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.near_duplicates)} near-duplicates, "
            f"[{'red' if report.rejections else 'green'}]{len(report.rejections)} rejected[/]"
        )
        for rej in report.rejections:
            err.print(
                f"[red]rejected[/] {rej.origin}: [bold]{rej.reason.value}[/] — {rej.detail}", highlight=False
            )
            err.print(f"  [dim]what to do:[/] {rej.hint}", highlight=False)
    if report.rejections:
        raise typer.Exit(1)


@app.command()
@edge
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for JSONL on stdin.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest article JSON/JSONL, .txt and .html files: clean, de-duplicate, store.

    Example: energywatch ingest articles/ feed.jsonl page.html
    """
    settings = settings_for(db)
    with Store.open(settings) as store:
        report = _ingest_with_progress(store, paths, settings, quiet or as_json)
    _report_ingest(report, as_json)


@app.command()
@edge
def demo(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Ingest and process the bundled demo corpus, then show the incidents found (the quickstart job)."""
    settings = settings_for(db)
    kb = load_knowledge_base(settings.kb_path)
    with Store.open(settings) as store, demo_articles() as files:
        report = run_ingest(store, [str(p) for p in files], settings)
        processed = run_process(store, kb, impact_samples=settings.impact_samples)
        status = store.status()
        incidents, total = store.list_incidents(IncidentQuery(limit=1000))
    rows = [incident_row(i) for i in incidents]
    if as_json:
        print_json(
            {
                "ingest": ingest_summary(report),
                "process": process_summary(processed),
                "status": status_dict(status),
                "incidents": rows,
            }
        )
    else:
        out.print(f"Demo corpus: {len(files)} files into [bold]{settings.db}[/]")
        _report_ingest(report, as_json=False)
        _print_status(status_dict(status))
        print_process(processed)
        print_incidents(rows, total)
    if report.rejections:
        raise typer.Exit(1)


def _print_status(data: dict[str, Any]) -> None:
    table = Table(title="energywatch store", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("articles", "originals", "near_duplicates", "articles_without_date", "sources", "rejections"):
        table.add_row(key.replace("_", " "), str(data[key]))
    for reason, n in data["rejections_by_reason"].items():
        table.add_row(f"  rejected: {reason}", str(n))
    for kind, n in data["removed_spans_by_kind"].items():
        table.add_row(f"removed spans: {kind}", str(n))
    out.print(table)


@app.command()
@edge
def status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of articles, near-duplicates, rejections by reason and removed spans, and
    the health of every watched source (see `energywatch watch`)."""
    with open_store(db) as store:
        data = status_dict(store.status())
        watch = watch_status_dict(store)
    if as_json:
        print_json(data | {"watch": watch})
    else:
        _print_status(data)
        if watch["sources"]:
            print_watch_status(watch)


@app.command()
@edge
def rejections(
    db: DbOpt = None,
    reason: Annotated[RejectionReason | None, typer.Option(help="Only this reason.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Inputs that were refused, with the reason and what to do about each."""
    with open_store(db) as store:
        rows = [rejection_row(r) for r in store.list_rejections(reason, limit=limit)]
    if as_json:
        print_json(rows)
        return
    table = Table("origin", "reason", "detail", "what to do")
    for r in rows:
        table.add_row(r["origin"], r["reason"], r["detail"], r["hint"])
    out.print(table)


def _list_articles(db: str | None, query: ArticleQuery, as_json: bool) -> None:
    with open_store(db) as store:
        items, total = store.list_articles(query)
    rows = [article_row(a) for a in items]
    if as_json:
        print_json({"total": total, "offset": query.offset, "limit": query.limit, "articles": rows})
        return
    table = Table("id", "published", "outlet", "title", "copy of", title=f"{total} articles")
    for r in rows:
        table.add_row(
            r["id"], r["published"] or "—", r["outlet"], r["title"] or "", r["near_duplicate_of"] or ""
        )
    out.print(table)
    if total > query.offset + len(rows):
        out.print(f"[dim]showing {query.offset + 1}–{query.offset + len(rows)}; use --offset for more[/]")


@articles_app.command("list")
@edge
def articles_list(
    db: DbOpt = None,
    outlet: Annotated[str | None, typer.Option(help="Exact outlet name.")] = None,
    duplicates: DupOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    limit: LimitOpt = 50,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """List stored articles, newest first."""
    query = ArticleQuery(
        outlet=outlet,
        duplicates=duplicates,
        published_from=date_from.date() if date_from else None,
        published_to=date_to.date() if date_to else None,
        limit=limit,
        offset=offset,
    )
    _list_articles(db, query, as_json)


@articles_app.command("search")
@edge
def articles_search(
    text: Annotated[str, typer.Argument(help="Words to find in titles and cleaned text.")],
    db: DbOpt = None,
    outlet: Annotated[str | None, typer.Option(help="Exact outlet name.")] = None,
    duplicates: DupOpt = None,
    limit: LimitOpt = 50,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Find articles whose title or cleaned text contains TEXT (case-insensitive)."""
    query = ArticleQuery(text=text, outlet=outlet, duplicates=duplicates, limit=limit, offset=offset)
    _list_articles(db, query, as_json)


@articles_app.command("show")
@edge
def articles_show(
    article_id: Annotated[str, typer.Argument(metavar="ID")],
    db: DbOpt = None,
    raw: Annotated[bool, typer.Option("--raw", help="Also print the text before cleaning.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one article: metadata, cleaned text and what cleaning removed."""
    with open_store(db) as store:
        article = store.get_article(article_id)
    data = article_detail(article, include_raw=raw)
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]{article.title or '(no title)'}[/]", highlight=False)
    out.print(
        f"[dim]{article.id} · {article.source.name} · {data['published'] or 'date unknown'} · "
        f"{article.url or 'no url'}[/]",
        highlight=False,
    )
    if article.near_duplicate_of:
        similarity = article.duplicate_similarity
        out.print(f"[yellow]near-duplicate of {article.near_duplicate_of} (similarity {similarity})[/]")
    out.print()
    out.print(article.clean_text, highlight=False, markup=False)
    for span in article.removed_spans:
        out.print(
            f"\n[dim]removed ({span.kind.value}, {span.start}–{span.end}):[/] ", highlight=False, end=""
        )
        out.print(span.text, style="dim", highlight=False, markup=False)
    if raw:
        out.print("\n[bold]text before cleaning:[/]")
        out.print(article.text, highlight=False, markup=False)


@app.command()
@edge
def export(
    fmt: Annotated[
        str, typer.Option("--format", help="json (DESIGN §11), acled-csv, geojson or plover-jsonl.")
    ] = "json",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="File to write; stdout when omitted.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Export articles and incidents: DESIGN §11 JSON, ACLED CSV, GeoJSON or PLOVER JSONL."""
    if fmt not in exporting.FORMATS:
        raise ConfigError(
            f"unknown export format {fmt!r}", "available formats: " + ", ".join(exporting.FORMATS)
        )
    settings = settings_for(db)
    kb = knowledge_base(settings)
    with open_store(db) as store:
        if out_path is None:
            exporting.write_export(store, kb, fmt, sys.stdout)
            return
        tmp = out_path.with_name(out_path.name + ".partial")
        try:
            with tmp.open("w", encoding="utf-8", newline="" if fmt == "acled-csv" else None) as fh:
                what = exporting.write_export(store, kb, fmt, fh)
            tmp.replace(out_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(
                f"cannot write {out_path}: {exc.strerror}", "choose a writable --out path"
            ) from exc
    err.print(f"wrote {what} to {out_path}")
