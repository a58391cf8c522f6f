"""Commands over incidents: process, incidents, show, eval."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from energywatch import brief as briefs
from energywatch import export as exporting
from energywatch.brief.findings import impact_points
from energywatch.cli.app import (
    DbOpt,
    FromOpt,
    JsonOpt,
    LimitOpt,
    OffsetOpt,
    ToOpt,
    app,
    edge,
    err,
    knowledge_base,
    open_store,
    out,
    print_json,
    settings_for,
)
from energywatch.cli.render import print_incidents, print_process
from energywatch.demo import demo_articles, demo_contradictions, demo_gold
from energywatch.errors import ConfigError
from energywatch.eval_run import run_eval
from energywatch.evaluation import compare_to_baseline, load_baseline, write_baseline
from energywatch.process import process as run_process
from energywatch.storage import IncidentQuery, Store
from energywatch.views import (
    incident_row,
    process_summary,
)


@app.command()
@edge
def process(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Extract claims from new or changed articles and resolve them into incidents."""
    settings = settings_for(db)
    kb = knowledge_base(settings)
    with Store.open(settings) as store:
        if as_json:
            report = run_process(store, kb, impact_samples=settings.impact_samples)
        else:
            with Progress(
                SpinnerColumn(), TextColumn("extracting"), MofNCompleteColumn(), console=err, transient=True
            ) as bar:
                task = bar.add_task("extracting", total=None)
                report = run_process(
                    store,
                    kb,
                    progress=lambda _id, _outcome: bar.update(task, advance=1),
                    impact_samples=settings.impact_samples,
                )
    if as_json:
        print_json(process_summary(report))
    else:
        print_process(report)


@app.command()
@edge
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
    with open_store(db) as store:
        found, total = store.list_incidents(query)
    rows = [incident_row(i) for i in found]
    if as_json:
        print_json({"total": total, "offset": offset, "limit": limit, "incidents": rows})
    else:
        print_incidents(rows, total)


@app.command()
@edge
def show(
    incident_id: Annotated[str, typer.Argument(metavar="INCIDENT")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one incident: claims grouped by attribute, with outlet, speaker, hedge and quote."""
    with open_store(db) as store:
        incident = store.get_incident(incident_id)
        record = exporting.incident_records(store, knowledge_base(settings_for(db)), [incident.id])[0]
        texts = {a: store.get_article(a) for a in incident.articles}
    if as_json:
        print_json(record)
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
    status_style = {
        "agreed": "green",
        "contested": "bold red",
        "single-source": "yellow",
        "unsupported": "dim",
    }
    for field_name, attr in record["attributes"].items():
        style = status_style.get(attr["status"], "")
        out.print(
            f"\n[bold]{field_name}[/]: {escape(str(attr['value']))} [{style}]{attr['status']}[/]",
            highlight=False,
        )
        out.print(f"  [dim]{escape(attr['reason'])}[/]", highlight=False)
        for claim in attr["claims"]:
            article = texts[claim["article"]]
            quote = article.clean_text[claim["sentence"][0] : claim["sentence"][1]]
            who = claim["speaker"] or "the outlet"
            copy = " [yellow]copy[/]" if claim["copy"] else ""
            score = f" (source score {claim['source_score']})" if claim["source_score"] is not None else ""
            out.print(
                f"  • {escape(str(claim['value']))} — {escape(article.source.name)}{score}{copy}, "
                f"{escape(who)}, {claim['hedge']}",
                highlight=False,
            )
            out.print(f"    [dim]“{escape(quote)}”[/]", highlight=False)
    if record["contradictions"] or record["copy_edits"]:
        out.print("\n[bold red]contradictions[/]", highlight=False)
        for item in record["contradictions"]:
            out.print(f"  • {item['field']}: {escape(item['reason'])}", highlight=False)
        for item in record["copy_edits"]:
            out.print(f"  • copy edit: {escape(item['reason'])}", highlight=False)
    if record["kb_conflicts"]:
        out.print("\n[bold red]knowledge-base conflicts[/]", highlight=False)
        for item in record["kb_conflicts"]:
            out.print(f"  • “{escape(item['text'])}”: {escape(item['reason'])}", highlight=False)
            out.print(f"    [dim]KB: {escape(item['fact'])}[/]", highlight=False)
    impact = record.get("impact")
    if impact:
        out.print("\n[bold]impact[/]", highlight=False)
        for point in impact_points(impact) or []:
            out.print(f"  {escape(point.text)}", highlight=False)
    out.print("\n[bold]timeline[/]", highlight=False)
    for entry in record["timeline"]:
        when = entry["date"] or "undated"
        out.print(
            f"  {when}  {entry['kind']:<12} {escape(entry['outlet'] or '')}: {escape(entry['summary'])}",
            highlight=False,
        )


@app.command()
@edge
def brief(
    out_path: Annotated[Path, typer.Option("--out", help="File to write.")],
    incident: Annotated[str | None, typer.Option(help="One incident id.")] = None,
    since: Annotated[
        dt.datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Incidents dated on or after.")
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Incidents dated on or before."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    db: DbOpt = None,
) -> None:
    """Write an analyst brief (one incident, or a period): Markdown, HTML or PDF."""
    if fmt not in {"md", "html", "pdf"}:
        raise ConfigError(f"unknown brief format {fmt!r}", "use --format md, html or pdf")
    if (incident is None) == (since is None and until is None):
        raise ConfigError("give either --incident ID or --since/--until", "see energywatch brief --help")
    settings = settings_for(db)
    kb = knowledge_base(settings)
    with open_store(db) as store:
        made = briefs.brief_from_store(
            store,
            kb,
            incident_id=incident,
            since=since.date() if since else None,
            until=until.date() if until else None,
        )
    try:
        if fmt == "pdf":
            briefs.render_pdf(made, out_path)
        else:
            text = briefs.render_markdown(made) if fmt == "md" else briefs.render_html(made)
            out_path.write_text(text, encoding="utf-8")
    except briefs.PdfUnavailableError as exc:
        raise ConfigError(str(exc), "install the PDF extra: pip install 'energywatch[pdf]'") from exc
    except OSError as exc:
        raise ConfigError(f"cannot write {out_path}: {exc.strerror}", "choose a writable --out path") from exc
    err.print(f"wrote the brief to {out_path}")


@app.command("eval")
@edge
def eval_command(
    gold: Annotated[
        Path | None, typer.Option(help="Gold JSONL (DESIGN §11); default: the demo gold.")
    ] = None,
    articles: Annotated[
        list[Path] | None,
        typer.Option("--articles", help="Article files or folders; default: the demo corpus."),
    ] = None,
    contradictions: Annotated[
        Path | None,
        typer.Option(
            help="Planted contradictions (JSONL) to score verification on; default: the demo's "
            "when --gold is not given."
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Fail when a score drops below this baseline.")
    ] = None,
    update_baseline: Annotated[bool, typer.Option(help="Write the scores to --baseline.")] = False,
    allow_regression: Annotated[bool, typer.Option(help="Let --update-baseline lower a floor.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run ingest + process on a corpus in a fresh database and score it against gold."""
    kb = knowledge_base(settings_for(None))
    with demo_articles() as demo_files, demo_gold() as demo_gold_file, demo_contradictions() as planted:
        if contradictions is None and gold is None:
            contradictions = planted
        report = run_eval(articles or demo_files, gold or demo_gold_file, kb, contradictions)
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
