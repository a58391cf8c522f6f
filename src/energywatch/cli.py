"""The ``energywatch`` command line: parse, call the library, print, pick the exit code.

No SQL and no text processing here. Errors from the library are translated once, in
``_edge``: a red one-line message, a hint, and the exception's exit code.

Exit codes: 0 success · 1 some inputs were rejected · 2 usage, configuration or input
error · 3 storage error · 4 knowledge-base error · 5 id not found.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from energywatch import __version__
from energywatch import export as exporting
from energywatch.demo import demo_articles, demo_gold
from energywatch.errors import ConfigError, EnergywatchError
from energywatch.eval_run import run_eval
from energywatch.evaluation import compare_to_baseline, load_baseline, write_baseline
from energywatch.ingest import ingest as run_ingest
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import IngestReport, RejectionReason
from energywatch.process import ProcessReport
from energywatch.process import process as run_process
from energywatch.settings import Settings
from energywatch.storage import ArticleQuery, IncidentQuery, Store
from energywatch.views import (
    article_detail,
    article_row,
    asset_detail,
    asset_row,
    incident_row,
    ingest_summary,
    process_summary,
    rejection_row,
    status_dict,
)

app = typer.Typer(
    name="energywatch",
    help="Turn news about energy infrastructure into verified incident records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
articles_app = typer.Typer(help="List, search and show stored articles.", no_args_is_help=True)
assets_app = typer.Typer(help="Browse the asset knowledge base.", no_args_is_help=True)
app.add_typer(articles_app, name="articles")
app.add_typer(assets_app, name="assets")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file or postgresql:// URL [env: ENERGYWATCH_DB; default energywatch.db]"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]

P = ParamSpec("P")
R = TypeVar("R")


def _edge(fn: Callable[P, R]) -> Callable[P, R]:
    """Translate library errors into one red line, a hint and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except EnergywatchError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            if exc.hint:
                err.print(f"[dim]hint:[/] {exc.hint}", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _settings(db: str | None) -> Settings:
    try:
        return Settings(db=db) if db else Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid setting: {exc}", "check ENERGYWATCH_* variables") from exc


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    with Store.open(_settings(db)) as store:
        yield store


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"energywatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """energywatch: verified, geolocated, quantified incident records from energy news."""


# --------------------------------------------------------------------------- ingest


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
        _print_json(summary)
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
@_edge
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for JSONL on stdin.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest article JSON/JSONL, .txt and .html files: clean, de-duplicate, store.

    Example: energywatch ingest articles/ feed.jsonl page.html
    """
    settings = _settings(db)
    with Store.open(settings) as store:
        report = _ingest_with_progress(store, paths, settings, quiet or as_json)
    _report_ingest(report, as_json)


@app.command()
@_edge
def demo(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Ingest the bundled demo corpus and show what is stored (the quickstart job)."""
    settings = _settings(db)
    kb = load_knowledge_base(settings.kb_path)
    with Store.open(settings) as store, demo_articles() as files:
        report = run_ingest(store, [str(p) for p in files], settings)
        processed = run_process(store, kb)
        status = store.status()
        incidents, total = store.list_incidents(IncidentQuery(limit=1000))
    rows = [incident_row(i) for i in incidents]
    if as_json:
        _print_json(
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
        _print_process(processed)
        _print_incidents(rows, total)
    if report.rejections:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- status


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
@_edge
def status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of articles, near-duplicates, rejections by reason and removed spans."""
    with _store(db) as store:
        data = status_dict(store.status())
    if as_json:
        _print_json(data)
    else:
        _print_status(data)


@app.command()
@_edge
def rejections(
    db: DbOpt = None,
    reason: Annotated[RejectionReason | None, typer.Option(help="Only this reason.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Inputs that were refused, with the reason and what to do about each."""
    with _store(db) as store:
        rows = [rejection_row(r) for r in store.list_rejections(reason, limit=limit)]
    if as_json:
        _print_json(rows)
        return
    table = Table("origin", "reason", "detail", "what to do")
    for r in rows:
        table.add_row(r["origin"], r["reason"], r["detail"], r["hint"])
    out.print(table)


# --------------------------------------------------------------------------- articles


def _list_articles(db: str | None, query: ArticleQuery, as_json: bool) -> None:
    with _store(db) as store:
        items, total = store.list_articles(query)
    rows = [article_row(a) for a in items]
    if as_json:
        _print_json({"total": total, "offset": query.offset, "limit": query.limit, "articles": rows})
        return
    table = Table("id", "published", "outlet", "title", "copy of", title=f"{total} articles")
    for r in rows:
        table.add_row(
            r["id"], r["published"] or "—", r["outlet"], r["title"] or "", r["near_duplicate_of"] or ""
        )
    out.print(table)
    if total > query.offset + len(rows):
        out.print(f"[dim]showing {query.offset + 1}–{query.offset + len(rows)}; use --offset for more[/]")


DupOpt = Annotated[
    bool | None,
    typer.Option("--duplicates/--originals", help="Only near-duplicates, or only originals."),
]
FromOpt = Annotated[
    dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Published on or after.")
]
ToOpt = Annotated[
    dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Published on or before.")
]
LimitOpt = Annotated[int, typer.Option(min=1, max=1000)]
OffsetOpt = Annotated[int, typer.Option(min=0)]


@articles_app.command("list")
@_edge
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
@_edge
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
@_edge
def articles_show(
    article_id: Annotated[str, typer.Argument(metavar="ID")],
    db: DbOpt = None,
    raw: Annotated[bool, typer.Option("--raw", help="Also print the text before cleaning.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one article: metadata, cleaned text and what cleaning removed."""
    with _store(db) as store:
        article = store.get_article(article_id)
    data = article_detail(article, include_raw=raw)
    if as_json:
        _print_json(data)
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


# --------------------------------------------------------------------------- assets


@assets_app.command("list")
@_edge
def assets_list(
    asset_type: Annotated[str | None, typer.Option("--type", help="e.g. pumping_station, terminal.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO-2 country code, e.g. KZ.")] = None,
    search: Annotated[str | None, typer.Option(help="Match id, name or alias.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the assets of the knowledge base."""
    kb = load_knowledge_base(_settings(None).kb_path)
    assets = kb.search(search) if search else list(kb.assets.values())
    if asset_type:
        assets = [a for a in assets if a.type.value == asset_type]
    if country:
        assets = [a for a in assets if country.upper() in a.country]
    rows = [asset_row(a) for a in assets]
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "type", "country", "name", "lat, lon", "coords", title=f"{len(rows)} assets")
    for r in rows:
        where = f"{r['lat']:.3f}, {r['lon']:.3f}" if r["lat"] is not None else "—"
        table.add_row(r["id"], r["type"], ",".join(r["country"]), r["name"], where, r["coord_quality"])
    out.print(table)


@assets_app.command("show")
@_edge
def assets_show(asset_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False) -> None:
    """Show one asset with its capacities, links, history and sources."""
    kb = load_knowledge_base(_settings(None).kb_path)
    data = asset_detail(kb.get(asset_id))
    if as_json:
        _print_json(data)
        return
    out.print(f"[bold]{data['name']}[/] [dim]({data['id']}, {data['type']})[/]", highlight=False)
    for key in ("operator", "region", "lat", "lon", "coord_quality", "coord_note", "verification"):
        if data.get(key) is not None:
            out.print(f"[dim]{key}:[/] {data[key]}", highlight=False)
    out.print(f"[dim]country:[/] {', '.join(data['country'])}", highlight=False)
    for key in ("aliases", "upstream", "downstream"):
        if data.get(key):
            out.print(f"[dim]{key}:[/] {', '.join(data[key])}", highlight=False)
    for cap in data.get("capacity", []):
        out.print(
            f"[dim]capacity:[/] {cap['value']} {cap['unit']} — {cap.get('basis') or ''}", highlight=False
        )
    for src in data.get("sources", []):
        note = f" ({src['note']})" if src.get("note") else ""
        out.print(f"[dim]source {src['id']}:[/] {src['url']}{note}", highlight=False)


# --------------------------------------------------------------------------- incidents


def _print_process(report: ProcessReport) -> None:
    reasons = ", ".join(f"{n} {r}" for r, n in sorted(report.not_reports.items())) or "none"
    out.print(
        f"extracted [bold]{report.extracted}[/] articles; {report.incident_reports} incident reports "
        f"(not reports: {reasons}); [bold]{report.incidents}[/] incidents "
        f"({report.incidents_inserted} new, {report.incidents_updated} changed, "
        f"{report.incidents_deleted} gone)",
        highlight=False,
    )


def _print_incidents(rows: list[dict[str, Any]], total: int) -> None:
    table = Table("id", "date", "type", "assets", "location", "articles", title=f"{total} incidents")
    for r in rows:
        table.add_row(
            r["id"],
            r["date"] or "unknown",
            r["type"],
            ", ".join(r["assets"]),
            r["location"] or "",
            f"{r['articles']}" + (f" ({r['copies']} copies)" if r["copies"] else ""),
        )
    out.print(table)


def _kb(settings: Settings) -> KnowledgeBase:
    return load_knowledge_base(settings.kb_path)


@app.command()
@_edge
def process(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Extract claims from new or changed articles and resolve them into incidents."""
    settings = _settings(db)
    kb = _kb(settings)
    with Store.open(settings) as store:
        if as_json:
            report = run_process(store, kb)
        else:
            with Progress(
                SpinnerColumn(), TextColumn("extracting"), MofNCompleteColumn(), console=err, transient=True
            ) as bar:
                task = bar.add_task("extracting", total=None)
                report = run_process(store, kb, progress=lambda _id, _outcome: bar.update(task, advance=1))
    if as_json:
        _print_json(process_summary(report))
    else:
        _print_process(report)


@app.command()
@_edge
def incidents(
    db: DbOpt = None,
    event_type: Annotated[str | None, typer.Option("--type", help="e.g. drone_strike.")] = None,
    category: Annotated[
        str | None, typer.Option(help="attack, accident, operations, policy, response.")
    ] = None,
    asset: Annotated[str | None, typer.Option(help="Asset id, e.g. cpc_ps_kropotkinskaya.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO-2 country code of the location.")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    limit: LimitOpt = 50,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """List incidents, newest first, with filters."""
    query = IncidentQuery(
        type=event_type,
        category=category,
        asset=asset,
        country=country.upper() if country else None,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        limit=limit,
        offset=offset,
    )
    with _store(db) as store:
        found, total = store.list_incidents(query)
    rows = [incident_row(i) for i in found]
    if as_json:
        _print_json({"total": total, "offset": offset, "limit": limit, "incidents": rows})
    else:
        _print_incidents(rows, total)


@app.command()
@_edge
def show(
    incident_id: Annotated[str, typer.Argument(metavar="INCIDENT")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one incident: claims grouped by attribute, with outlet, speaker, hedge and quote."""
    with _store(db) as store:
        incident = store.get_incident(incident_id)
        record = exporting.incident_record(incident)
        texts = {a: store.get_article(a) for a in incident.articles}
    if as_json:
        _print_json(record)
        return
    row = incident_row(incident)
    out.print(
        f"[bold]{incident.type}[/] ({incident.category}) · {row['date'] or 'date unknown'} · "
        f"{row['location'] or 'place unknown'}",
        highlight=False,
    )
    assets = ", ".join(incident.assets) or "none"
    out.print(
        f"[dim]{incident.id} · assets: {assets} · {len(incident.articles)} articles[/]", highlight=False
    )
    for field_name, attr in record["attributes"].items():
        out.print(f"\n[bold]{field_name}[/]: {attr['value']} [dim]({attr['status']})[/]", highlight=False)
        for claim in attr["claims"]:
            article = texts[claim["article"]]
            quote = article.clean_text[claim["sentence"][0] : claim["sentence"][1]]
            who = claim["speaker"] or "the outlet"
            copy = " [yellow]copy[/]" if claim["copy"] else ""
            out.print(
                f"  • {claim['value']} — {article.source.name}{copy}, {who}, {claim['hedge']}",
                highlight=False,
            )
            out.print(f"    [dim]“{escape(quote)}”[/]", highlight=False)


# --------------------------------------------------------------------------- evaluation


@app.command("eval")
@_edge
def eval_command(
    gold: Annotated[
        Path | None, typer.Option(help="Gold JSONL (DESIGN §11); default: the demo gold.")
    ] = None,
    articles: Annotated[
        list[Path] | None,
        typer.Option("--articles", help="Article files or folders; default: the demo corpus."),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Fail when a score drops below this baseline.")
    ] = None,
    update_baseline: Annotated[bool, typer.Option(help="Write the scores to --baseline.")] = False,
    allow_regression: Annotated[bool, typer.Option(help="Let --update-baseline lower a floor.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run ingest + process on a corpus in a fresh database and score it against gold."""
    kb = _kb(_settings(None))
    with demo_articles() as demo_files, demo_gold() as demo_gold_file:
        report = run_eval(articles or demo_files, gold or demo_gold_file, kb)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        out.print(report.to_table(), highlight=False, markup=False)
    if baseline is None:
        return
    if update_baseline:
        write_baseline(baseline, report, allow_regression=allow_regression)
        err.print(f"baseline written to {baseline}")
        return
    regressions = compare_to_baseline(report, load_baseline(baseline))
    for line in regressions:
        err.print(f"[bold red]regression:[/] {line}", highlight=False)
    if regressions:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- export


@app.command()
@_edge
def export(
    fmt: Annotated[str, typer.Option("--format", help="Export format: json.")] = "json",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="File to write; stdout when omitted.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Export articles (and incidents, once extracted) in the DESIGN §11 JSON contract."""
    if fmt != "json":
        raise ConfigError(f"unknown export format {fmt!r}", "available formats: json")
    with _store(db) as store:
        if out_path is None:
            exporting.write_json(store, sys.stdout)
            return
        tmp = out_path.with_name(out_path.name + ".partial")
        try:
            with tmp.open("w", encoding="utf-8") as fh:
                count = exporting.write_json(store, fh)
            tmp.replace(out_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(
                f"cannot write {out_path}: {exc.strerror}", "choose a writable --out path"
            ) from exc
    err.print(f"wrote {count} articles to {out_path}")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="energywatch")


if __name__ == "__main__":  # pragma: no cover
    main()
