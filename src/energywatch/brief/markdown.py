"""A brief as Markdown (CommonMark + pipe tables).

Text that comes from articles (titles, outlets, speakers, verification notes) is escaped
with backslashes so a title like ``<script>`` or ``[x](javascript:…)`` stays literal
text in any Markdown viewer; links are only written for http(s) URLs.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from energywatch.brief.model import NONE_RECORDED, Brief, IncidentSection, Point, RouteEvent

__all__ = ["md_escape", "render_markdown", "safe_url"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def md_escape(text: object) -> str:
    """Backslash-escape Markdown/HTML punctuation and flatten newlines."""
    flat = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", flat)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), with characters that could break out of a link quoted."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%-._~")


def cite_text(point: Point | RouteEvent) -> str:
    parts = [f"[{n}]" for n in point.cites] + (
        [f"[KB {', '.join(point.kb_cites)}]"] if point.kb_cites else []
    )
    return (" " + " ".join(parts)) if parts else ""


def _bullets(points: list[Point], empty: str = NONE_RECORDED) -> list[str]:
    if not points:
        return [f"_{empty}_", ""]
    return [f"- {md_escape(p.text)}{cite_text(p)}" for p in points] + [""]


def _cell(text: str) -> str:
    return md_escape(text) if text else "—"


def _incident(section: IncidentSection, lines: list[str], heading: str) -> None:
    lines += [f"{heading} {md_escape(section.type_label.capitalize())} — {md_escape(section.date)}", ""]
    facts = [f"Incident `{section.id}`", f"category {md_escape(section.category)}"]
    if section.asset_names:
        facts.append(
            "assets: "
            + ", ".join(
                f"{md_escape(n)} (`{a}`)" for n, a in zip(section.asset_names, section.assets, strict=True)
            )
        )
    if section.location:
        facts.append(f"location: {md_escape(section.location)}")
    lines += ["; ".join(facts) + ".", ""]
    sub = heading + "#"
    lines += [f"{sub} What happened", "", *_bullets(section.consensus)]
    lines += [f"{sub} Where sources disagree", ""]
    if section.disagreements:
        lines += ["| Attribute | Version | Outlets | Speakers | Sources |", "|---|---|---|---|---|"]
        for dis in section.disagreements:
            for n, version in enumerate(dis.versions):
                lines.append(
                    "| "
                    + " | ".join(
                        [
                            md_escape(dis.label) if n == 0 else "",
                            _cell(version.value)
                            + (
                                " (hedged)"
                                if set(version.hedges) <= {"speculative", "alleged", "denied"}
                                else ""
                            ),
                            _cell(", ".join(version.outlets)),
                            _cell(", ".join(version.speakers)),
                            " ".join(f"[{c}]" for c in version.cites),
                        ]
                    )
                    + " |"
                )
        lines.append("")
    else:
        lines += ["_no contested attributes_", ""]
    lines += [f"{sub} Contradictions found by verification", "", *_bullets(section.contradictions)]
    lines += [f"{sub} Knowledge-base conflicts", "", *_bullets(section.kb_conflicts)]
    lines += [f"{sub} Impact", ""]
    if section.impact is None:
        lines += ["_The impact model has not run for this incident._", ""]
    else:
        lines += _bullets(section.impact)
    lines += [f"{sub} Analysis and risks", ""]
    if not section.analysis:
        lines += ["_No knowledge-base asset to analyse._", ""]
    for analysis in section.analysis:
        lines += [
            f"**{md_escape(analysis.asset_name)}** (`{analysis.asset_id}`)",
            "",
            *_bullets(analysis.role, ""),
        ]
        if analysis.alternatives:
            lines += [
                "Alternatives for Kazakh crude:",
                "",
                "| Route | Design capacity | Latest flow (annualised) | Spare | KB sources |",
                "|---|---|---|---|---|",
            ]
            for alt in analysis.alternatives:
                route = md_escape(alt.name) + (f" ({md_escape(alt.onward)})" if alt.onward else "")
                lines.append(
                    f"| {route} | {md_escape(alt.design)} | {md_escape(alt.latest_flow)} | "
                    f"{md_escape(alt.spare)} | " + ", ".join(alt.kb_cites) + " |"
                )
            lines.append("")
        if analysis.alternatives_summary is not None:
            lines += _bullets([analysis.alternatives_summary])
        lines += ["Recent incidents on the same route:", ""]
        if analysis.recent:
            for event in analysis.recent:
                cites = cite_text(event).strip()
                lines.append(
                    f"- {md_escape(event.date)} — {md_escape(event.asset_name)}: "
                    f"{md_escape(event.text)} {cites}".rstrip()
                )
            lines.append("")
        else:
            lines += [f"_{NONE_RECORDED}_", ""]


def render_markdown(brief: Brief) -> str:
    """The brief as one Markdown document."""
    lines = [
        f"# {md_escape(brief.title)}",
        "",
        f"Period: {brief.period} · generated {brief.generated.isoformat()} · "
        f"{len(brief.incidents)} incident{'s' if len(brief.incidents) != 1 else ''} · "
        f"{len(brief.sources)} source articles",
        "",
        "## Key points",
        "",
        *_bullets(brief.key_points, "no incidents in this period"),
    ]
    heading = "##" if len(brief.incidents) == 1 else "###"
    if len(brief.incidents) > 1:
        lines += ["## Incidents", ""]
    for section in brief.incidents:
        _incident(section, lines, heading)
    lines += ["## Sources", ""]
    for source in brief.sources:
        url = safe_url(source.url)
        title = md_escape(source.title or "(untitled)")
        link = f"[{title}](<{url}>)" if url else title
        when = source.published.isoformat() if source.published else "undated"
        copy = " — near-duplicate copy" if source.copy_of_another else ""
        lines.append(
            f"{source.number}. {md_escape(source.outlet)}, {when}: {link} (`{source.article_id}`){copy}"
        )
    lines.append("")
    if brief.kb_sources:
        lines += ["Knowledge-base sources:", ""]
        for kb_source in brief.kb_sources:
            url = safe_url(kb_source.url)
            note = f" — {md_escape(kb_source.note)}" if kb_source.note else ""
            lines.append(f"- KB {kb_source.id}: " + (f"<{url}>" if url else "no URL") + note)
        lines.append("")
    return "\n".join(lines)
