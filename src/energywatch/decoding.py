"""Turning input bytes into text, or saying precisely why they are not text.

Binary data is recognised by its first bytes before any decoding is tried; text is
decoded by byte-order mark, then UTF-8, then a declared HTML charset, then
charset_normalizer's guess when it decodes cleanly (legacy cp1251/latin-1 files are
common in news archives). Anything else is refused with a reason and a hint.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from energywatch.models import Rejection
from energywatch.models import RejectionReason as Reason

SNIFF_BYTES = 8192
_MAX_CHAOS = 0.1  # charset_normalizer "chaos": 0 is clean text; above this it is mojibake
AS_TEXT_HINT = "remove it, or export its text to .txt/.html and ingest that"
_NO_IMAGES = "remove it; images carry no article text"
_UNPACK = "unpack it and ingest the files inside"

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "extract its text (e.g. pdftotext FILE.pdf FILE.txt) and ingest that"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _NO_IMAGES),
    (b"\xff\xd8\xff", "a JPEG image", _NO_IMAGES),
    (b"GIF8", "a GIF image", _NO_IMAGES),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.odt)", AS_TEXT_HINT),
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file", AS_TEXT_HINT),
    (b"\x1f\x8b", "gzip-compressed data", "name it .json.gz or .jsonl.gz, or gunzip it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive", _UNPACK),
    (b"Rar!", "a RAR archive", _UNPACK),
    (b"SQLite format 3\x00", "an SQLite database", "export the articles to JSONL and ingest that"),
    (b"\x7fELF", "an executable program", "remove it"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, which is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


class RefusedError(Exception):
    """What is wrong, raised where the origin is unknown; the readers turn it into a Rejection."""

    def __init__(self, reason: Reason, detail: str, hint: str) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.hint = reason, detail, hint

    def at(self, origin: str) -> Rejection:
        return Rejection.create(origin, self.reason, self.detail, self.hint)


def check_binary(head: bytes) -> None:
    """Refuse data whose first bytes show it is not text at all."""
    for magic, what, hint in _SIGNATURES:
        if head.startswith(magic):
            raise RefusedError(Reason.binary_file, f"looks like {what}, not text", hint)
    if any(head.startswith(bom) for bom, _ in BOMS):
        return  # UTF-16/32 text legitimately contains NUL bytes
    if (nul := head.find(b"\x00")) >= 0:
        raise RefusedError(
            Reason.binary_file, f"NUL byte at offset {nul}: binary data, not text", AS_TEXT_HINT
        )
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\b")
    if head and controls / len(head) > 0.1:
        raise RefusedError(Reason.binary_file, "mostly control bytes: binary data, not text", AS_TEXT_HINT)


def decode(data: bytes, declared: str | None = None) -> str:
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                detail = f"has a {codec.upper()} byte-order mark but byte {exc.start} is invalid"
                raise RefusedError(Reason.undecodable, detail, "re-save the file as UTF-8") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    match = charset_normalizer.from_bytes(data).best()
    # Without a BOM, a UTF-16/32 guess for NUL-free bytes is CJK-looking mojibake.
    if match and match.chaos <= _MAX_CHAOS and not match.encoding.startswith(("utf_16", "utf_32")):
        return str(match)
    raise RefusedError(
        Reason.undecodable,
        f"not UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}) and no known encoding fits",
        "convert the file to UTF-8 (iconv -f SOURCE_ENCODING -t UTF-8 FILE > FILE.utf8) and ingest that",
    )


def decode_document(data: bytes, *, html: bool = False) -> str:
    if not data.strip():
        detail = "file is empty (0 bytes)" if not data else "file contains only whitespace"
        raise RefusedError(Reason.empty_text, detail, "add the article text or remove the file")
    check_binary(data[:SNIFF_BYTES])
    found = _META_CHARSET.search(data[:4096]) if html else None
    text = decode(data, found.group(1).decode("ascii") if found else None)
    if not text.strip():
        raise RefusedError(Reason.empty_text, "file contains only whitespace", "add the article text")
    return text


def normalise_text(text: str) -> str:
    """Make text comparable across inputs without cleaning it: NFC, ``\\n`` line ends,
    no control characters but newline and tab. Nothing else is removed, because users
    see offsets into this text and dropping content is the cleaning stage's job."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))
