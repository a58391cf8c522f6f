"""A brief as PDF, through WeasyPrint (Pango, with the Debian DejaVu fonts).

WeasyPrint is imported when a PDF is asked for, so Markdown and HTML briefs work
without it. Nothing is fetched while rendering: the HTML is self-contained and the URL
fetcher refuses every request, so a link in a source list can never cause a download.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any, NoReturn

from energywatch.brief.html import render_html
from energywatch.brief.model import Brief

__all__ = ["PdfUnavailableError", "pdf_available", "render_pdf"]


class PdfUnavailableError(RuntimeError):
    """WeasyPrint (or the Pango library it needs) is not installed."""


def _weasyprint() -> Any:
    try:
        with warnings.catch_warnings():
            # e.g. "HarfBuzz-Subset will be required by future versions": not our concern here
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module("weasyprint")
    except (ImportError, OSError) as exc:  # OSError: Python package present, Pango missing
        raise PdfUnavailableError(
            f"PDF briefs need WeasyPrint and Pango ({exc}); install them with "
            "`pip install 'weasyprint>=62'` and `apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            "fonts-dejavu-core`, or use --format md or html"
        ) from exc


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailableError:
        return False
    return True


def _no_fetch(url: str, *_args: object, **_kwargs: object) -> NoReturn:
    raise ValueError(f"briefs are self-contained; refusing to fetch {url!r}")


def render_pdf(brief: Brief, path: Path) -> None:
    """Write the brief to ``path`` as an A4 PDF with the charts of the HTML brief."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=render_html(brief), url_fetcher=_no_fetch, base_url=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(path))
