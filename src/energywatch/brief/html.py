"""A brief as one self-contained HTML page: inline CSS and SVG, no external resources.

Rendered with Jinja2 with autoescaping on, so every article-derived text (titles,
outlets, speakers, verification notes) is escaped; the SVG charts escape their own
labels and are the only markup inserted as-is. Links are written only for http(s) URLs
(a ``javascript:`` URL from the open web never becomes a link).
"""

from __future__ import annotations

import base64
import hashlib

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from energywatch.brief.charts import claim_comparison_svg, timeline_svg
from energywatch.brief.markdown import safe_url
from energywatch.brief.model import NONE_RECORDED, Brief

__all__ = ["render_html"]

_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #7b8794; } }
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 10pt; color: #1f2933; line-height: 1.4;
  max-width: 60rem; margin: 0 auto; padding: 0 0.5rem; }
h1 { font-size: 18pt; margin: 0 0 0.2em; color: #102a43; }
h2 { font-size: 13pt; border-bottom: 2px solid #c0392b; padding-bottom: 2px; margin-top: 1.4em; color: #102a43; }
h3 { font-size: 11pt; margin: 1.1em 0 0.3em; color: #243b53; }
h4 { font-size: 10pt; margin: 0.9em 0 0.2em; }
.meta { color: #52606d; font-size: 9pt; margin-bottom: 0.8em; }
.keypoints { background: #f5f7fa; border-left: 4px solid #c0392b; padding: 0.4em 0.8em 0.4em 1.6em; }
.keypoints li { margin: 0.25em 0; }
.cite { color: #1f5f99; font-size: 8.5pt; } .cite a { white-space: nowrap; }
.none { color: #7b8794; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 9pt; }
th, td { border: 1px solid #d9e2ec; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
tr.first td { border-top: 2px solid #9fb3c8; }
.hedged { color: #7b8794; font-style: italic; }
figure { margin: 0.6em 0; page-break-inside: avoid; }
figcaption { font-size: 8.5pt; color: #52606d; }
svg { max-width: 100%; height: auto; }
.sources li { margin: 0.2em 0; word-break: break-word; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
"""  # noqa: E501

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{ brief.title }}</title>
<style>{{ css }}</style>
</head>
<body>
<h1>{{ brief.title }}</h1>
<div class="meta">Period: {{ brief.period }} · generated {{ brief.generated.isoformat() }} ·
{{ brief.incidents|length }} incident{{ '' if brief.incidents|length == 1 else 's' }} ·
{{ brief.sources|length }} source articles</div>

{%- macro cites(point) -%}
{%- if point.cites or point.kb_cites %} <span class="cite">
{%- for n in point.cites %}<a href="#src-{{ n }}">[{{ n }}]</a>{% endfor -%}
{%- if point.kb_cites %} [KB {% for s in point.kb_cites %}<a href="#kb-{{ s }}">{{ s }}</a>{{ ", " if not loop.last }}{% endfor %}]{% endif -%}
</span>{% endif -%}
{%- endmacro -%}

{%- macro bullets(points, empty) -%}
{%- if points %}<ul>{% for p in points %}<li>{{ p.text }}{{ cites(p) }}</li>{% endfor %}</ul>
{%- else %}<p class="none">{{ empty }}</p>{% endif -%}
{%- endmacro %}

<h2>Key points</h2>
{% if brief.key_points -%}
<ul class="keypoints">{% for p in brief.key_points %}<li>{{ p.text }}{{ cites(p) }}</li>{% endfor %}</ul>
{%- else %}<p class="none">no incidents in this period</p>{% endif %}

{% if brief.timeline %}
<figure><figcaption>Incident timeline: incident dates and when outlets reported them.</figcaption>
{{ timeline }}</figure>
{% endif %}

{% for s in brief.incidents %}
<h2 id="{{ s.id }}">{{ s.type_label|capitalize }} — {{ s.date }}</h2>
<div class="meta">Incident <code>{{ s.id }}</code> · {{ s.category }}
{%- if s.asset_names %} · {% for name in s.asset_names %}{{ name }} (<code>{{ s.assets[loop.index0] }}</code>){% if not loop.last %}, {% endif %}{% endfor %}{% endif %}
{%- if s.location %} · {{ s.location }}{% endif %}</div>

<h3>What happened</h3>
{{ bullets(s.consensus, none_text) }}

<h3>Where sources disagree</h3>
{% if s.disagreements %}
<table>
<thead><tr><th>Attribute</th><th>Version</th><th>Outlets</th><th>Speakers</th><th>Sources</th></tr></thead>
<tbody>
{% for d in s.disagreements %}{% for v in d.versions %}
<tr{% if loop.first %} class="first"{% endif %}>
<td>{% if loop.first %}{{ d.label }}{% endif %}</td>
<td{% if v.hedges|reject('in', weak)|list|length == 0 %} class="hedged" title="hedged claims only"{% endif %}>{{ v.value }}</td>
<td>{{ v.outlets|join(', ') }}</td>
<td>{{ v.speakers|join(', ') if v.speakers else '—' }}</td>
<td class="cite">{% for n in v.cites %}<a href="#src-{{ n }}">[{{ n }}]</a>{% endfor %}</td>
</tr>
{% endfor %}{% endfor %}
</tbody>
</table>
{% else %}<p class="none">no contested attributes</p>{% endif %}
{% if charts[loop.index0] %}
<figure><figcaption>Claim comparison: each outlet's figure (bar = range, dot = point figure; faded = hedged).</figcaption>
{{ charts[loop.index0] }}</figure>
{% endif %}

<h3>Contradictions found by verification</h3>
{{ bullets(s.contradictions, none_text) }}

<h3>Knowledge-base conflicts</h3>
{{ bullets(s.kb_conflicts, none_text) }}

<h3>Impact</h3>
{% if s.impact is none %}<p class="none">The impact model has not run for this incident.</p>
{% else %}{{ bullets(s.impact, none_text) }}{% endif %}

<h3>Analysis and risks</h3>
{% if not s.analysis %}<p class="none">No knowledge-base asset to analyse.</p>{% endif %}
{% for a in s.analysis %}
<h4>{{ a.asset_name }} (<code>{{ a.asset_id }}</code>)</h4>
{{ bullets(a.role, '') }}
{% if a.alternatives %}
<table>
<thead><tr><th>Alternative route</th><th>Design capacity</th><th>Latest flow (annualised)</th><th>Spare</th><th>KB sources</th></tr></thead>
<tbody>
{% for alt in a.alternatives %}
<tr><td>{{ alt.name }}{% if alt.onward %}<br><small>{{ alt.onward }}</small>{% endif %}</td>
<td>{{ alt.design }}</td><td>{{ alt.latest_flow }}</td><td>{{ alt.spare }}</td>
<td class="cite">{% for k in alt.kb_cites %}<a href="#kb-{{ k }}">{{ k }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}
</tbody></table>
{% endif %}
{% if a.alternatives_summary %}<p>{{ a.alternatives_summary.text }}{{ cites(a.alternatives_summary) }}</p>{% endif %}
<p><strong>Recent incidents on the same route</strong></p>
{% if a.recent %}<ul>{% for e in a.recent %}<li>{{ e.date }} — {{ e.asset_name }}: {{ e.text }}{{ cites(e) }}</li>{% endfor %}</ul>
{% else %}<p class="none">{{ none_text }}</p>{% endif %}
{% endfor %}
{% endfor %}

<h2>Sources</h2>
<ol class="sources">
{% for src in brief.sources %}
<li id="src-{{ src.number }}" value="{{ src.number }}">{{ src.outlet }},
{{ src.published.isoformat() if src.published else 'undated' }}:
{% if urls[src.number] %}<a href="{{ urls[src.number] }}" rel="noopener noreferrer nofollow">{{ src.title or '(untitled)' }}</a>
{%- else %}{{ src.title or '(untitled)' }}{% endif %}
(<code>{{ src.article_id }}</code>){% if src.copy_of_another %} — near-duplicate copy{% endif %}</li>
{% endfor %}
</ol>
{% if brief.kb_sources %}
<h3>Knowledge-base sources</h3>
<ul class="sources">
{% for k in brief.kb_sources %}
<li id="kb-{{ k.id }}">{{ k.id }}:
{% if kb_urls[k.id] %}<a href="{{ kb_urls[k.id] }}" rel="noopener noreferrer nofollow">{{ kb_urls[k.id] }}</a>{% else %}no URL{% endif %}
{%- if k.note %} — {{ k.note }}{% endif %}</li>
{% endfor %}
</ul>
{% endif %}
</body>
</html>
"""  # noqa: E501

_ENV = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_COMPILED = _ENV.from_string(_TEMPLATE)


def render_html(brief: Brief) -> str:
    """The brief as a self-contained HTML document (inline CSS and SVG)."""
    return _COMPILED.render(
        brief=brief,
        css=Markup(_CSS),
        none_text=NONE_RECORDED,
        weak=["speculative", "alleged", "denied"],
        timeline=Markup(timeline_svg(brief.timeline)),
        charts=[
            Markup(claim_comparison_svg(s.claim_points)) if s.claim_points else "" for s in brief.incidents
        ],
        urls={s.number: safe_url(s.url) for s in brief.sources},
        kb_urls={k.id: safe_url(k.url) for k in brief.kb_sources},
    )


def content_security_policy() -> str:
    """A CSP header value under which the HTML brief renders as it is: its one inline
    stylesheet allowed by hash, nothing else loaded (a server can send this with it)."""
    digest = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
