"""Readers of the ingest stage: files, folders and stdin → ``RawArticle`` or ``Rejection``.

Every input ends up as one of those two values, never as an exception: one broken file
must not stop a run, and the reason it was refused has to reach the store and the
report, not a log line. The one exception is an empty path list (``InputError``): then
there is nothing to report on, the caller made a usage mistake.

The format comes from the extension; content sniffing only guards against binary data.

    .json                one article object, or a list of them (origin ``path#N``)
    .jsonl / .ndjson     one object per line (origin ``path:N``); ``-`` reads it from stdin
    .json.gz, .jsonl.gz  the same, gzip-compressed
    .txt / .text / .md   plain text; the first line is the title when it looks like one
    .html / .htm         main text and metadata extracted with trafilatura

Sizes: ``max_bytes`` limits each single-document file (checked with ``stat`` before
reading) and, for ``.json.gz``, its decompressed content. JSONL (plain or gzipped) and
stdin are streamed, so there it limits each line — a corpus of any size ingests with
memory bounded by one record.

Encodings: a byte-order mark wins, then UTF-8, then (HTML only) the declared
``<meta charset>``, then charset_normalizer's guess when it decodes cleanly (legacy
cp1251/latin-1 files are common in news archives); anything else is ``undecodable``.

Origins are absolute paths (folder resolved, file name kept as seen, so a symlink keeps
its own name); rejection ids hash origin and reason, so they are stable across runs.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import IO

from energywatch.decoding import (
    AS_TEXT_HINT,
    BOMS,
    SNIFF_BYTES,
    RefusedError,
    check_binary,
    decode,
    decode_document,
    normalise_text,
)
from energywatch.errors import InputError
from energywatch.models import InputFormat, RawArticle, Rejection
from energywatch.models import RejectionReason as Reason

Item = RawArticle | Rejection
ByteStream = IO[bytes] | gzip.GzipFile | io.BufferedReader  # what byte_lines reads

_FORMATS: dict[str, InputFormat] = {
    ".json": InputFormat.json,
    ".jsonl": InputFormat.jsonl,
    ".ndjson": InputFormat.jsonl,
    ".txt": InputFormat.text,
    ".text": InputFormat.text,
    ".md": InputFormat.text,
    ".html": InputFormat.html,
    ".htm": InputFormat.html,
}
_GZIPPABLE = {".json", ".jsonl", ".ndjson"}
# Operating-system and editor droppings nobody means to ingest when pointing at a folder.
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "__macosx", "__pycache__"}

_RENAME = "rename to .json/.jsonl/.txt/.html or remove it"
# Checked before decoding: these are never text, whatever the extension says.
# --------------------------------------------------------------------------- entry point


def read_inputs(
    paths: Sequence[str | Path], *, max_bytes: int, stdin: IO[bytes] | None = None
) -> Iterator[Item]:
    """Read every input lazily, in the order given (folder contents in sorted order).

    A path that does not exist or cannot be read becomes an ``unreadable`` rejection so
    the other inputs still ingest. A file reached twice (listed, and inside a listed
    folder) is read once; ``-`` reads JSONL from ``stdin`` (default ``sys.stdin``), once.
    """
    if not paths:
        raise InputError("no input given", "pass files, folders, or - to read JSONL from stdin")
    seen: set[str] = set()
    for given in paths:
        if str(given) == "-":
            if "-" not in seen:
                seen.add("-")
                stream = stdin if stdin is not None else sys.stdin.buffer
                yield from _read_lines(byte_lines(stream, max_bytes), "stdin", max_bytes)
            continue
        for entry in _expand(Path(given)):
            if isinstance(entry, Rejection):
                yield entry
            elif (origin := origin_of(entry)) not in seen:
                seen.add(origin)
                yield from _read_file(entry, origin, max_bytes)


def absolute_path(path: Path) -> Path:
    """``path`` made absolute with its folder resolved and its own name kept (a symlink
    keeps its name, so origins name what the user pointed at)."""
    return Path(os.path.abspath(path)).parent.resolve() / path.name


def origin_of(path: Path) -> str:
    """The origin an input file is known by: its absolute path, folder resolved and
    name kept as seen (so a symlink keeps its own name)."""
    # File names in a legacy encoding would carry surrogates the store cannot encode.
    origin = str(absolute_path(path))
    return origin.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _expand(path: Path, visited: set[Path] | None = None) -> Iterator[Path | Rejection]:
    """Files under a folder (recursive, sorted by name, hidden and junk names skipped),
    else the path itself. Each real folder is walked once, so symlink loops end."""
    try:
        is_dir = path.is_dir()
    except OSError:  # e.g. a path inside a folder we may not enter: reported when read
        is_dir = False
    if not is_dir:
        yield path
        return
    visited = set() if visited is None else visited
    if path.resolve() in visited:
        return
    visited.add(path.resolve())
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        problem = f"folder cannot be listed: {exc.strerror or exc}"
        yield RefusedError(Reason.unreadable, problem, "make it readable or leave it out").at(origin_of(path))
        return
    for name in names:
        if not (name.startswith((".", "~$")) or name.endswith("~") or name.lower() in _JUNK_NAMES):
            yield from _expand(path / name, visited)


# --------------------------------------------------------------------------- files


def _format_of(name: str) -> tuple[InputFormat, bool] | None:
    """(format, gzipped) from the file name; None for extensions we do not read."""
    lowered = name.lower()
    gzipped = lowered.endswith(".gz")
    suffix = os.path.splitext(lowered.removesuffix(".gz"))[1]
    if suffix not in _FORMATS or (gzipped and suffix not in _GZIPPABLE):
        return None
    return _FORMATS[suffix], gzipped


def _unknown_extension(name: str) -> RefusedError:
    suffix = os.path.splitext(name)[1].lower()
    hint = _RENAME
    if suffix in {".csv", ".tsv", ".xlsx", ".xls", ".ods"}:
        hint = "convert each row to a JSON object and save them as .jsonl, one article per line"
    elif suffix in {".docx", ".doc", ".odt", ".rtf", ".pdf", ".pages"}:
        hint = "export the document as .txt or .html and ingest that file"
    detail = f"extension {suffix!r} is not an input format" if suffix else "file has no extension"
    return RefusedError(Reason.unknown_extension, detail, hint)


def _human(size: int) -> str:
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def _too_large(size: int | None, max_bytes: int, what: str) -> RefusedError:
    limit = f"{_human(max_bytes)} (ENERGYWATCH_MAX_FILE_BYTES)"
    amount = f"is {_human(size)} ({size:,} bytes)" if size is not None else "is larger than the limit"
    hint = f"split the {what}; limit is {limit}"
    if what == "line":
        hint = f"shorten the record or raise the limit, now {limit}"
    return RefusedError(Reason.too_large, f"{what} {amount}; the limit is {max_bytes:,} bytes", hint)


def _unreadable(path: Path, exc: OSError | None = None) -> RefusedError:
    """Why a path cannot be read, in the user's terms."""
    if exc is None:  # judged from stat: opening a named pipe would block the whole run
        detail, hint = "not a regular file (pipe, socket, device)", "copy it to a file, or pipe JSONL to -"
    elif isinstance(exc, PermissionError):
        detail, hint = "permission denied", "make the file readable (chmod +r) or leave it out"
    elif isinstance(exc, FileNotFoundError) and path.is_symlink():
        detail, hint = f"broken symbolic link to {os.readlink(path)}", "fix or remove the link"
    elif isinstance(exc, FileNotFoundError):
        detail, hint = "path does not exist", "check the path for typos (or whether it moved) and run again"
    else:
        detail, hint = f"cannot be read: {exc.strerror or exc}", "check the file and the disk"
    return RefusedError(Reason.unreadable, detail, hint)


def _read_file(path: Path, origin: str, max_bytes: int) -> Iterator[Item]:
    try:
        try:
            info = path.stat()
        except OSError as exc:
            raise _unreadable(path, exc) from exc
        if not stat.S_ISREG(info.st_mode):
            raise _unreadable(path)
        found = _format_of(path.name)
        if found is None:
            raise _unknown_extension(path.name)
        fmt, gzipped = found
        if fmt is InputFormat.jsonl:
            # Streamed: memory stays at one line however many records the file has.
            with path.open("rb") as handle:
                if gzipped:
                    yield from _read_gzipped_jsonl(handle, origin, max_bytes)
                else:
                    yield from _read_jsonl(handle, origin, max_bytes, size=info.st_size)
            return
        if info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes, "file")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
        if len(data) > max_bytes:
            raise _too_large(None, max_bytes, "file")
        if gzipped:
            data = _gunzip(data, max_bytes)
        if fmt is InputFormat.json:
            yield from _read_json(decode_document(data), origin)
        elif fmt is InputFormat.html:
            html = decode_document(data, html=True).replace("\x00", "")
            yield _extract_html(html, origin, InputFormat.html)
        else:
            yield _read_text(decode_document(data), origin)
    except RefusedError as refused:
        yield refused.at(origin)
    except OSError as exc:
        yield _unreadable(path, exc).at(origin)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress at most ``max_bytes + 1`` bytes, so a tiny "zip bomb" cannot fill memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        hint = "re-compress it with gzip, or decompress it and ingest the plain file"
        raise RefusedError(Reason.undecodable, f"not a valid gzip stream ({exc})", hint) from exc
    if len(out) > max_bytes:
        raise _too_large(None, max_bytes, "decompressed file")
    return out


# --------------------------------------------------------------------------- bytes → text


# --------------------------------------------------------------------------- JSON and JSONL


def _loads(text: str, line: int | None = None) -> object:
    """Parse JSON; ``line`` is the JSONL line number (the parser's own line is then 1)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}" if line else f"line {exc.lineno} column {exc.colno}"
        hint = f"fix the JSON syntax at line {line or exc.lineno} and run ingest again"
        raise RefusedError(Reason.invalid_json, f"{where}: {exc.msg}", hint) from exc
    except RecursionError as exc:
        raise RefusedError(Reason.invalid_json, "JSON nested too deeply", "flatten the record") from exc


def _read_json(text: str, origin: str) -> Iterator[Item]:
    data = _loads(text)
    if not isinstance(data, list):
        yield _record(data, origin, InputFormat.json)
    elif not data:
        raise RefusedError(Reason.invalid_record, "the file holds an empty list", "add articles")
    else:
        for number, element in enumerate(data, start=1):
            yield _record(element, f"{origin}#{number}", InputFormat.json)


def byte_lines(stream: ByteStream, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of a byte stream; ``None`` for a line longer than ``max_bytes``, skipped
    without ever holding more than ``max_bytes + 1`` bytes of it."""
    while line := stream.readline(max_bytes + 1):
        if len(line.rstrip(b"\r\n")) <= max_bytes:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 16)
        yield None


def _read_gzipped_jsonl(handle: IO[bytes], origin: str, max_bytes: int) -> Iterator[Item]:
    """Decompress while reading: each line is bounded, so a "zip bomb" cannot fill memory."""
    head = handle.read(2)
    handle.seek(0)
    if head != b"\x1f\x8b":
        raise RefusedError(
            Reason.binary_file,
            "file has a .gz name but is not gzip data",
            "rename it without .gz if it is plain JSONL, or re-compress it with gzip",
        )
    try:
        with gzip.GzipFile(fileobj=handle) as stream:
            yield from _read_jsonl(stream, origin, max_bytes, size=None)
    except (OSError, EOFError, zlib.error) as exc:
        raise RefusedError(
            Reason.undecodable,
            f"gzip stream is corrupt: {exc}",
            "re-create the .gz file (gzip -t FILE tests it)",
        ) from exc


def _read_jsonl(
    handle: IO[bytes] | gzip.GzipFile, origin: str, max_bytes: int, *, size: int | None
) -> Iterator[Item]:
    head = handle.read(SNIFF_BYTES)
    check_binary(head)
    if any(head.startswith(bom) for bom, codec in BOMS if codec != "utf-8-sig"):
        # UTF-16/32 cannot be split on b"\n": re-encode, which needs the whole file in memory.
        if size is None or size > max_bytes:
            raise _too_large(size, max_bytes, "UTF-16/32 JSONL file")
        handle = io.BytesIO(decode(head + handle.read(max_bytes)).encode("utf-8"))
    else:
        handle.seek(0)  # files and GzipFile (which re-reads from the start) both rewind
    if not (yield from _read_lines(byte_lines(handle, max_bytes), origin, max_bytes)):
        detail = "file is empty (0 bytes)" if not head else "file contains only blank lines"
        yield Rejection.create(origin, Reason.empty_text, detail, "add one article object per line")


def _read_lines(lines: Iterator[bytes | None], prefix: str, max_bytes: int) -> Generator[Item, None, bool]:
    """One item per non-blank line (origin ``prefix:N``). Returns whether any line had
    content, so that a file of blank lines can be reported as empty."""
    found = False
    for number, raw in enumerate(lines, start=1):
        item = read_jsonl_line(raw, f"{prefix}:{number}", max_bytes, number)
        if item is not None:
            found = True
            yield item
    return found


def read_jsonl_line(raw: bytes | None, origin: str, max_bytes: int, number: int | None = None) -> Item | None:
    """One JSONL line (``None`` for one longer than ``max_bytes``, as ``byte_lines``
    gives it) → RawArticle or Rejection; ``None`` for a blank line. ``ingest`` and
    ``energywatch batch`` both read lines through here, so a line is accepted or
    refused for the same reason by either."""
    if raw is not None and not (raw := raw.removeprefix(codecs.BOM_UTF8)).strip():
        return None
    try:
        if raw is None:
            raise _too_large(None, max_bytes, "line")
        if b"\x00" in raw:
            raise RefusedError(Reason.binary_file, "line contains NUL bytes: binary data", AS_TEXT_HINT)
        obj = _loads(decode(raw).strip(), line=number)
    except RefusedError as refused:
        return refused.at(origin)
    return _record(obj, origin, InputFormat.jsonl)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _record(obj: object, origin: str, fmt: InputFormat) -> Item:
    try:
        return _article(obj, origin, fmt)
    except RefusedError as refused:
        return refused.at(origin)


def _article(obj: object, origin: str, fmt: InputFormat) -> RawArticle:
    """One DESIGN §11 article object. Unknown keys are ignored on purpose: exports from
    other tools carry extra fields, and refusing them would help nobody."""
    if not isinstance(obj, dict):
        hint = 'write each article as an object such as {"title": "…", "text": "…"}'
        raise RefusedError(Reason.invalid_record, f"expected an article object, got {_json_type(obj)}", hint)
    fields: dict[str, str | None] = {}
    for key in ("id", "url", "outlet", "title", "text", "html", "language"):
        value = obj.get(key)
        if key == "id" and type(value) is int:
            value = str(value)  # numeric ids are common in spreadsheets turned into JSON
        if value is not None and not isinstance(value, str):
            detail = f'field "{key}" must be a string or null, got {_json_type(value)}'
            raise RefusedError(Reason.invalid_record, detail, f'put the "{key}" value in double quotes')
        fields[key] = value if key in {"text", "html"} else _clean_field(value)
    published = _parse_published(obj.get("published"))
    text, html = fields["text"], fields["html"]
    has_text, has_html = bool(text and text.strip()), bool(html and html.strip())
    if not (has_text or has_html):
        hint = 'add the article body as "text" (or the page as "html")'
        if text is None and html is None:
            raise RefusedError(Reason.missing_text, 'neither "text" nor "html" is given', hint)
        raise RefusedError(Reason.empty_text, "the article body is empty or only whitespace", hint)
    if not has_text:
        article = _extract_html(html or "", origin, fmt)
        # The record's own fields win; the page only fills in what the record left out.
        for key, value in [*fields.items(), ("published", published)]:
            if value is not None and key not in {"text", "html"}:
                setattr(article, key, value)
        return article
    return RawArticle(
        origin=origin,
        input_format=fmt,
        id=fields["id"],
        url=fields["url"],
        outlet=fields["outlet"],
        title=fields["title"],
        published=published,
        text=normalise_text(text or ""),
        html=html if has_html else None,
        language=fields["language"],
    )


def _clean_field(value: str | None) -> str | None:
    """Short metadata fields: normalised, one line, blank means absent."""
    return (" ".join(normalise_text(value).split()) or None) if value is not None else None


_PUBLISHED_HINT = "use YYYY-MM-DD or an ISO 8601 datetime such as 2025-02-18T09:30:00Z, or null if unknown"


def _parse_published(value: object) -> dt.date | dt.datetime | None:
    """Dates stay dates (day precision is all most outlets give); a datetime without an
    offset is taken as UTC so that every stored datetime is timezone-aware."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        detail = f'field "published" must be a date string or null, got {_json_type(value)}'
        raise RefusedError(Reason.invalid_record, detail, _PUBLISHED_HINT)
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "…"
        detail = f'field "published" is not a date: {shown!r}'
        raise RefusedError(Reason.invalid_record, detail, _PUBLISHED_HINT) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --------------------------------------------------------------------------- plain text

_MAX_TITLE_CHARS = 200
_ABBREVIATIONS = {"inc", "ltd", "co", "corp", "plc", "llc", "jr", "sr", "st", "no", "vs", "etc", "bros"}
_DOTTED_INITIALS = re.compile(r"(?:\b\w\.){2,}$")  # U.S. / U.K. / E.U.
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def _looks_like_title(line: str, next_line: str, blank_after: bool) -> bool:
    """A headline is short, starts like a sentence, and does not end like prose.

    It may end in ``?`` or ``!`` (headlines ask and exclaim), in ``...``, or in a full
    stop that belongs to an abbreviation ("… to Chevron U.S.A. Inc."), but not in a
    plain full stop, comma, colon, semicolon or dash. When no blank line separates it
    from the body, the next line must start a new sentence too: otherwise the first
    line is only the first row of a hard-wrapped paragraph.
    """
    if not line or len(line) > _MAX_TITLE_CHARS or not any(ch.isalpha() for ch in line):
        return False
    if line[0].islower() or line[-1] in ",;:-–—(":
        return False
    if line.endswith(".") and not line.endswith("..."):
        last_word = line.rsplit(None, 1)[-1]
        if not (_DOTTED_INITIALS.search(last_word) or last_word.rstrip(".").lower() in _ABBREVIATIONS):
            return False
    return blank_after or not next_line[:1].islower()


def split_title(text: str) -> tuple[str | None, str]:
    """(title, body) of a plain-text article, or (None, text) when the first line is not a
    headline or nothing follows it. Markdown ``# Heading`` and underlined headings count."""
    lines = text.strip().split("\n")
    if len(lines) < 2:
        return None, text.strip()
    first, rest = lines[0].strip(), lines[1:]
    heading = first.startswith("#")
    if heading:
        first = first.lstrip("#").strip()
    elif _UNDERLINE.match(rest[0]):
        heading, rest = True, rest[1:]
    body = "\n".join(rest).strip()
    if body and first and (heading or _looks_like_title(first, body, not rest[0].strip())):
        return " ".join(first.split()), body
    return None, text.strip()


def _read_text(text: str, origin: str) -> RawArticle:
    title, body = split_title(normalise_text(text))
    return RawArticle(origin=origin, input_format=InputFormat.text, title=title, text=body)


# --------------------------------------------------------------------------- HTML


# Dates only from markup (meta tags, <time>, JSON-LD, URL), never guessed from the prose,
# and with a fixed upper bound so the result does not depend on the day of the run.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-12-31"}
_NO_TEXT_HINT = "check that the page is the article itself (not a cookie wall, index or script-only page)"


def _extract_html(html: str, origin: str, fmt: InputFormat) -> RawArticle:
    """Main text and metadata via trafilatura, offline (it gets a string, never a URL),
    without comments, and without its de-duplication cache, which is process-global and
    would make one page's result depend on the pages read before it."""
    import trafilatura  # slow to import and only HTML needs it
    from trafilatura.settings import Document

    try:
        tree = trafilatura.load_html(html)
        lang = (tree.get("lang") or "") if tree is not None else ""
        doc = None
        if tree is not None:
            doc = trafilatura.bare_extraction(
                tree, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
            )
    except Exception as exc:  # a parser bug on one page must not end the run
        detail = f"the HTML extractor failed: {type(exc).__name__}: {exc}"
        raise RefusedError(Reason.html_no_text, detail, _NO_TEXT_HINT) from exc
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise RefusedError(Reason.html_no_text, "no article text found in the HTML", _NO_TEXT_HINT)
    title = _clean_field(doc.title)
    body = normalise_text(doc.text or "").strip()
    first, _, rest = body.partition("\n")
    if title and first.strip().casefold() == title.casefold() and rest.strip():
        body = rest.strip()  # the page repeats its <h1>; the title is kept on its own
    published = None
    if doc.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date[:10]):
        published = dt.date.fromisoformat(doc.date[:10])
    language = re.match(r"[A-Za-z]{2,3}\b", lang.strip())
    return RawArticle(
        origin=origin,
        input_format=fmt,
        url=_clean_field(doc.url),
        outlet=_clean_field(doc.sitename),
        title=title,
        published=published,
        text=body,
        html=html,
        language=language.group(0).lower() if language else None,
    )


def read_html_page(data: bytes, origin: str, *, charset: str | None = None) -> RawArticle:
    """An article from a fetched web page (live monitoring). The charset the server
    declared is tried before the page's own ``<meta charset>``; raises ``RefusedError``
    (the caller turns it into a Rejection at its own origin)."""
    if charset:
        if not data.strip():
            raise RefusedError(Reason.empty_text, "the page is empty", "check the link; it may have moved")
        check_binary(data[:SNIFF_BYTES])
        text = decode(data, charset)
    else:
        text = decode_document(data, html=True)
    return _extract_html(text, origin, InputFormat.html)
