"""Readers: every input becomes an article or a rejection that says what to do."""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energywatch.errors import InputError
from energywatch.models import InputFormat, RawArticle, Rejection, RejectionReason
from energywatch.readers import normalise_text, read_inputs, split_title
from inputs_factory import (
    CP1251_BODY,
    CP1251_TITLE,
    GOOD_ARTICLE_COUNT,
    HTML_DATE,
    HTML_OUTLET,
    HTML_PARAGRAPHS,
    HTML_TITLE,
    HTML_URL,
    REFINERY_BODY,
    REFINERY_TITLE,
    UNTITLED_TEXT,
    html_page,
    make_mixed_folder,
)

MB10 = 10 * 1024 * 1024


def read(
    *paths: str | Path, max_bytes: int = MB10, stdin: bytes | None = None
) -> list[RawArticle | Rejection]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(read_inputs(list(paths), max_bytes=max_bytes, stdin=stream))


def articles(items: list[RawArticle | Rejection]) -> list[RawArticle]:
    return [item for item in items if isinstance(item, RawArticle)]


def rejections(items: list[RawArticle | Rejection]) -> list[Rejection]:
    return [item for item in items if isinstance(item, Rejection)]


def document(origin: str) -> str:
    """The file part of an origin: "x.jsonl:3" → "x.jsonl", "x.json#2" → "x.json"."""
    return re.sub(r"(#|:)\d+$", "", origin)


def only(items: list[RawArticle | Rejection]) -> RawArticle | Rejection:
    assert len(items) == 1, items
    return items[0]


def only_rejection(items: list[RawArticle | Rejection]) -> Rejection:
    item = only(items)
    assert isinstance(item, Rejection), item
    return item


def only_article(items: list[RawArticle | Rejection]) -> RawArticle:
    item = only(items)
    assert isinstance(item, RawArticle), item
    return item


# --------------------------------------------------------------------------- the mixed folder


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, list[Path], dict[str, str]]:
    root = tmp_path / "inbox"
    good, broken = make_mixed_folder(root)
    return root, good, broken


def test_mixed_folder_stores_the_good_and_names_every_broken_file(
    mixed: tuple[Path, list[Path], dict[str, str]],
) -> None:
    root, good, broken = mixed
    items = read(root)

    found = articles(items)
    assert len(found) == GOOD_ARTICLE_COUNT
    assert {document(a.origin) for a in found} == {str(p.resolve()) for p in good}
    assert all(a.text and a.text.strip() for a in found)

    refused = rejections(items)
    by_file: dict[str, set[str]] = {}
    for rejection in refused:
        path = Path(document(rejection.origin))
        assert path.is_absolute()
        assert path.parent == root.resolve()
        assert rejection.detail.strip()
        assert rejection.hint.strip()
        by_file.setdefault(path.name, set()).add(rejection.reason.value)
    assert by_file == {name: {reason} for name, reason in broken.items()}
    assert len(broken) == 20


def test_junk_and_hidden_files_are_skipped_in_folders(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    origins = [item.origin for item in read(root)]
    assert not [o for o in origins if ".DS_Store" in o or "Thumbs.db" in o or ".drafts" in o]


def test_folder_walk_is_sorted_and_recursive(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    files = [document(item.origin) for item in read(root)]
    unique = list(dict.fromkeys(files))
    assert str(root.resolve() / "more" / "lng-terminal.md") in unique
    assert unique.index(str(root.resolve() / "gas-storage.json.gz")) < unique.index(
        str(root.resolve() / "more" / "lng-terminal.md")
    )


def test_reading_twice_gives_identical_results(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed

    def snapshot() -> list[object]:
        out: list[object] = []
        for item in read(root):
            if isinstance(item, Rejection):
                out.append((item.id, item.origin, item.reason, item.detail, item.hint))
            else:
                out.append(item.model_dump())
        return out

    assert snapshot() == snapshot()


def test_factory_is_deterministic(tmp_path: Path) -> None:
    make_mixed_folder(tmp_path / "a", big_file_bytes=MB10 + 1)
    make_mixed_folder(tmp_path / "b", big_file_bytes=MB10 + 1)
    for path in sorted((tmp_path / "a").rglob("*")):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        if path.is_file():
            assert path.read_bytes() == twin.read_bytes(), path


# --------------------------------------------------------------------------- paths


def test_empty_path_list_is_a_usage_error() -> None:
    with pytest.raises(InputError):
        read()


def test_missing_path_is_rejected_and_the_rest_still_ingests(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("Grid frequency dipped on Monday after two plants tripped.\n")
    items = read(tmp_path / "nope.json", good)
    rejection = rejections(items)[0]
    assert rejection.reason is RejectionReason.unreadable
    assert rejection.origin == str(tmp_path.resolve() / "nope.json")
    assert "does not exist" in rejection.detail
    assert len(articles(items)) == 1


def test_a_file_listed_twice_or_also_inside_a_folder_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A short note about LNG cargoes.\n")
    assert len(read(path, tmp_path, tmp_path / "." / "a.txt")) == 1


def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    rejection = only_rejection(read(fifo))
    assert rejection.reason is RejectionReason.unreadable
    assert "regular file" in rejection.detail


def test_symlink_loops_in_folders_end(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Pipeline flows steady.\n")
    (tmp_path / "loop").symlink_to(tmp_path)
    assert len(articles(read(tmp_path))) == 1


def test_file_names_in_a_legacy_encoding_give_storable_origins(tmp_path: Path) -> None:
    name = "заметка.txt".encode("cp1251")
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
        handle.write(b"A note about the refinery outage.\n")
    article = only_article(read(tmp_path))
    article.origin.encode("utf-8")  # must not raise
    assert article.origin.endswith(".txt")


def test_rejection_ids_depend_only_on_origin_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    first = only_rejection(read(path))
    path.write_text("[")
    second = only_rejection(read(path))
    assert first.id == second.id


# --------------------------------------------------------------------------- JSON


def test_json_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{\n  "title": "x",\n  "text": "y" "z"\n}\n')
    rejection = only_rejection(read(path))
    assert rejection.reason is RejectionReason.invalid_json
    assert rejection.detail.startswith("line 3 column 15: Expecting ','")
    assert "line 3" in rejection.hint


def test_json_list_gives_one_item_per_element(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"id": 7, "text": "First."}, "oops", {"text": "Third."}]))
    items = read(path)
    assert [i.origin.rsplit("#", 1)[1] for i in items] == ["1", "2", "3"]
    first = items[0]
    assert isinstance(first, RawArticle)
    assert first.id == "7"
    assert isinstance(items[1], Rejection)
    assert items[1].reason is RejectionReason.invalid_record


def test_empty_json_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]")
    assert only_rejection(read(path)).reason is RejectionReason.invalid_record


def test_record_fields_are_kept_and_unknown_keys_ignored(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    record = {
        "id": " a1 ",
        "url": "https://wire.example/a1",
        "outlet": "Example Wire",
        "title": "Strike at\n the port",
        "published": "2025-02-18",
        "text": "Dock workers walked out.\r\nLoadings stopped.",
        "language": "en",
        "sentiment": 0.4,
    }
    path.write_text(json.dumps(record))
    article = only_article(read(path))
    assert article.input_format is InputFormat.json
    assert (article.id, article.url, article.outlet, article.language) == (
        "a1",
        "https://wire.example/a1",
        "Example Wire",
        "en",
    )
    assert article.title == "Strike at the port"
    assert article.published == dt.date(2025, 2, 18)
    assert article.text == "Dock workers walked out.\nLoadings stopped."


@pytest.mark.parametrize(
    ("record", "reason", "named"),
    [
        ({"title": "x"}, RejectionReason.missing_text, "text"),
        ({"text": None}, RejectionReason.missing_text, "text"),
        ({"text": ""}, RejectionReason.empty_text, "empty"),
        ({"text": " \n\t"}, RejectionReason.empty_text, "empty"),
        ({"text": ["a"]}, RejectionReason.invalid_record, "text"),
        ({"text": "ok", "title": 5}, RejectionReason.invalid_record, "title"),
        ({"text": "ok", "id": True}, RejectionReason.invalid_record, "id"),
        ({"text": "ok", "published": 20250218}, RejectionReason.invalid_record, "published"),
        ({"text": "ok", "published": "2025-02-30"}, RejectionReason.invalid_record, "published"),
        ({"text": "ok", "published": "yesterday"}, RejectionReason.invalid_record, "published"),
        ("just a string", RejectionReason.invalid_record, "object"),
        (None, RejectionReason.invalid_record, "null"),
    ],
)
def test_bad_records_name_the_problem(
    tmp_path: Path, record: object, reason: RejectionReason, named: str
) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record))
    rejection = only_rejection(read(path))
    assert rejection.reason is reason
    assert named in rejection.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-18", dt.date(2025, 2, 18)),
        ("2025-02-18T06:40:00Z", dt.datetime(2025, 2, 18, 6, 40, tzinfo=dt.UTC)),
        ("2025-02-18T09:40:00+03:00", dt.datetime(2025, 2, 18, 6, 40, tzinfo=dt.UTC)),
        ("2025-02-18 06:40", dt.datetime(2025, 2, 18, 6, 40, tzinfo=dt.UTC)),
        ("2025-02-18T06:40:00.250Z", dt.datetime(2025, 2, 18, 6, 40, 0, 250000, tzinfo=dt.UTC)),
        (None, None),
        ("", None),
    ],
)
def test_published_values(tmp_path: Path, value: str | None, expected: dt.date | None) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"text": "Body.", "published": value}))
    article = only_article(read(path))
    assert article.published == expected
    assert type(article.published) is type(expected)
    if isinstance(article.published, dt.datetime):
        assert article.published.tzinfo is not None


def test_record_with_html_only_is_extracted_and_its_own_fields_win(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"id": "h1", "title": "Our own title", "html": html_page()}))
    article = only_article(read(path))
    assert article.title == "Our own title"
    assert article.url == HTML_URL
    assert article.outlet == HTML_OUTLET
    assert article.published == dt.date.fromisoformat(HTML_DATE)
    assert article.text is not None
    assert HTML_PARAGRAPHS[0] in article.text
    assert article.html == html_page()


def test_blank_text_falls_back_to_html(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"text": "  ", "html": html_page()}))
    article = only_article(read(path))
    assert article.text is not None
    assert HTML_PARAGRAPHS[1] in article.text


# --------------------------------------------------------------------------- JSONL and stdin


def test_jsonl_bad_lines_are_refused_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "ok-1", "text": "Flows resumed."}\n'
        "\n"
        '{"text": "Unterminated\n'
        "[1, 2]\n"
        '{"title": "no body"}\n'
        '{"id": "ok-2", "text": "Prices fell."}\n'
    )
    items = read(path)
    summary = [(i.origin.rsplit(":", 1)[1], getattr(i, "reason", "article")) for i in items]
    assert summary == [
        ("1", "article"),
        ("3", RejectionReason.invalid_json),
        ("4", RejectionReason.invalid_record),
        ("5", RejectionReason.missing_text),
        ("6", "article"),
    ]
    assert all(i.input_format is InputFormat.jsonl for i in articles(items))
    bad_json = rejections(items)[0]
    assert bad_json.detail.startswith("column ")
    assert "line 3" in bad_json.hint


def test_jsonl_of_blank_lines_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n\n")
    assert only_rejection(read(path)).reason is RejectionReason.empty_text


def test_stdin_is_read_as_jsonl(tmp_path: Path) -> None:
    data = b'{"text": "One."}\n\n{"text": 1}\n{"text": "Two."}\n'
    items = read("-", "-", stdin=data)
    assert [i.origin for i in items] == ["stdin:1", "stdin:3", "stdin:4"]
    assert [type(i).__name__ for i in items] == ["RawArticle", "Rejection", "RawArticle"]


def test_huge_stdin_line_is_skipped_and_the_rest_still_read() -> None:
    huge = b'{"text": "' + b"x" * 5000 + b'"}\n'
    items = read("-", stdin=b'{"text": "before"}\n' + huge + b'{"text": "after"}\n', max_bytes=1000)
    assert [getattr(i, "text", None) for i in items] == ["before", None, "after"]
    too_large = items[1]
    assert isinstance(too_large, Rejection)
    assert too_large.reason is RejectionReason.too_large
    assert too_large.origin == "stdin:2"
    assert "ENERGYWATCH_MAX_FILE_BYTES" in too_large.hint


def test_huge_last_line_without_newline() -> None:
    items = read("-", stdin=b'{"text": "a"}\n' + b"y" * 3000, max_bytes=100)
    assert [getattr(i, "reason", None) for i in items] == [None, RejectionReason.too_large]


def test_jsonl_is_streamed_so_the_limit_applies_per_record(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    small = json.dumps({"text": "Kazakh output rose in March, the ministry said."})
    path.write_text((small + "\n") * 40 + '{"text": "' + "z" * 2000 + '"}\n' + small + "\n")
    assert path.stat().st_size > 1000
    items = list(read(path, max_bytes=1000))
    assert sum(isinstance(i, RawArticle) for i in items) == 41
    [rejection] = [i for i in items if isinstance(i, Rejection)]
    assert rejection.reason is RejectionReason.too_large
    assert rejection.origin.endswith("corpus.jsonl:41")


def test_gzipped_jsonl_is_streamed_too(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl.gz"
    line = json.dumps({"text": "Kazakh output rose in March, the ministry said."}) + "\n"
    path.write_bytes(gzip.compress((line * 100).encode()))
    items = list(read(path, max_bytes=1000))
    assert len(items) == 100
    assert all(isinstance(i, RawArticle) for i in items)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress((line * 100).encode())[:-20])
    assert only_rejection(read(broken, max_bytes=10_000)).reason is RejectionReason.undecodable


def test_real_ten_megabyte_limit_message(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    with path.open("wb") as handle:
        handle.truncate(MB10 + 1)
    rejection = only_rejection(read(path))
    assert rejection.hint == "split the file; limit is 10 MB (ENERGYWATCH_MAX_FILE_BYTES)"


# --------------------------------------------------------------------------- gzip


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "One."}\n{"text": "Two."}\n', mtime=0))
    items = read(path)
    assert [i.origin for i in items] == [f"{path.resolve()}:1", f"{path.resolve()}:2"]
    assert all(isinstance(i, RawArticle) for i in items)


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b" " * 200_000, mtime=0))
    assert path.stat().st_size < 1000
    rejection = only_rejection(read(path, max_bytes=10_000))
    assert rejection.reason is RejectionReason.too_large
    assert "decompressed" in rejection.detail


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(b'{"text": "x"}', mtime=0)[:-12])
    assert only_rejection(read(path)).reason is RejectionReason.undecodable


def test_gz_of_an_unsupported_format_is_an_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b"Some text", mtime=0))
    assert only_rejection(read(path)).reason is RejectionReason.unknown_extension


# --------------------------------------------------------------------------- encodings


def test_utf8_bom_is_accepted_everywhere(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(codecs.BOM_UTF8 + b'{"text": "With BOM."}')
    (tmp_path / "b.jsonl").write_bytes(codecs.BOM_UTF8 + b'{"text": "With BOM."}\n')
    (tmp_path / "c.txt").write_bytes(codecs.BOM_UTF8 + b"With BOM.")
    items = read(tmp_path)
    assert [getattr(i, "text", None) for i in items] == ["With BOM."] * 3


def test_utf16_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Газ\n\nПоставки газа восстановлены.".encode("utf-16"))
    (tmp_path / "b.jsonl").write_bytes('{"text": "Поставки газа."}\n{"text": "Ещё."}\n'.encode("utf-16"))
    items = read(tmp_path)
    assert [getattr(i, "text", None) for i in items] == [
        "Поставки газа восстановлены.",
        "Поставки газа.",
        "Ещё.",
    ]


def test_cp1251_file_is_decoded(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    article = only_article(read(root / "novorossiysk-cp1251.txt"))
    assert article.title == CP1251_TITLE
    assert article.text == CP1251_BODY


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    text = "Grève au terminal pétrolier\n\nLes dockers ont arrêté le chargement des pétroliers à Fos-sur-Mer."
    path = tmp_path / "greve.txt"
    path.write_bytes(text.encode("latin-1"))
    article = only_article(read(path))
    assert article.title == "Grève au terminal pétrolier"


def test_declared_html_charset_is_used(tmp_path: Path) -> None:
    page = html_page().replace('charset="utf-8"', 'charset="windows-1252"').replace("4%", "4% – ümlaut")
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("cp1252"))
    article = only_article(read(path))
    assert article.text is not None
    assert "– ümlaut" in article.text


def test_binary_is_detected_before_decoding(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Looks like text\x00\x01\x02 but is not")
    (tmp_path / "b.html").write_bytes(b"\xff\xd8\xff\xe0JFIF")
    (tmp_path / "c.jsonl").write_bytes(b"%PDF-1.4\n")
    items = read(tmp_path)
    assert [i.reason for i in rejections(items)] == [RejectionReason.binary_file] * 3
    assert "JPEG" in rejections(items)[1].detail


def test_normalise_text() -> None:
    assert normalise_text("a\r\nb\rc\x00d\x07e\tf\x85g") == "a\nb\ncde\tfg"
    assert normalise_text("Cafe\u0301") == "Café"


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Refinery fire\n\nA fire broke out.", "Refinery fire"),
        ("Refinery fire\nA fire broke out.", "Refinery fire"),
        ("Will OPEC+ cut again?\n\nMinisters meet on Sunday.", "Will OPEC+ cut again?"),
        (
            "Gas deal signed with Chevron U.S.A. Inc.\n\nTerms were not disclosed.",
            "Gas deal signed with Chevron U.S.A. Inc.",
        ),
        ("Exports to the U.K.\n\nCargoes rose.", "Exports to the U.K."),
        ("# Freeport LNG trips offline\n\nAll trains stopped.", "Freeport LNG trips offline"),
        (
            "Freeport LNG trips offline\n==========================\nAll trains stopped.",
            "Freeport LNG trips offline",
        ),
        ("  \n\nLeading blank lines\n\nBody.", "Leading blank lines"),
        ("Power was restored on Friday.\nThe line is fragile.", None),
        ("The operator said on Monday that\nflows had resumed at the station.", None),
        ("lower-case start\n\nBody.", None),
        ("Update:\n\nBody.", None),
        ("Prices, volumes,\nand more.", None),
        ("Only a single line of text", None),
        ("Headline with nothing after\n\n   \n", None),
        ("X" * 201 + "\n\nBody.", None),
        ("2025\n\nBody.", None),
    ],
)
def test_title_heuristic(text: str, title: str | None) -> None:
    found, body = split_title(text)
    assert found == title
    assert body
    if title is None:
        assert body == text.strip()
    else:
        assert title not in body


def test_text_files_with_and_without_title(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    titled = only_article(read(root / "refinery-fire.txt"))
    assert (titled.title, titled.text, titled.published) == (REFINERY_TITLE, REFINERY_BODY, None)
    assert titled.input_format is InputFormat.text
    untitled = only_article(read(root / "untitled-notes.txt"))
    assert (untitled.title, untitled.text) == (None, UNTITLED_TEXT)


def test_whitespace_only_text_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text(" \n\t\n")
    assert only_rejection(read(path)).reason is RejectionReason.empty_text


# --------------------------------------------------------------------------- HTML


def test_html_metadata_and_main_text(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    article = only_article(read(root / "baltic-pipe.html"))
    assert article.input_format is InputFormat.html
    assert article.title == HTML_TITLE
    assert article.url == HTML_URL
    assert article.outlet == HTML_OUTLET
    assert article.published == dt.date.fromisoformat(HTML_DATE)
    assert article.language == "en"
    assert article.html == html_page()
    assert article.text == "\n".join(HTML_PARAGRAPHS)


def test_html_without_text_is_refused(mixed: tuple[Path, list[Path], dict[str, str]]) -> None:
    root, _, _ = mixed
    rejection = only_rejection(read(root / "cookie-wall.html"))
    assert rejection.reason is RejectionReason.html_no_text
    assert "cookie wall" in rejection.hint


# --------------------------------------------------------------------------- robustness


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=300) | st.text(max_size=200).map(str.encode),
    suffix=st.sampled_from([".json", ".jsonl", ".txt", ".html", ".json.gz"]),
)
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        items = read(path, max_bytes=10_000)
    assert items
    for item in items:
        assert document(item.origin) == str(path.resolve())
        if isinstance(item, Rejection):
            assert item.detail
            assert item.hint
