"""A deterministic folder of good and broken inputs, shared by reader and CLI tests.

``make_mixed_folder`` writes 9 good files holding 10 articles (one ``.jsonl`` file
carries two), 20 broken files that each fail for one known reason, and some junk a
folder walk must skip (``.DS_Store``, ``Thumbs.db``, a hidden folder). Everything is
written from constants and a seeded RNG, so two calls produce byte-identical trees.
All article texts were written for these tests; the events are invented or loosely
modelled on the kind of news energywatch reads.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

GOOD_ARTICLE_COUNT = 10
BIG_FILE_BYTES = 11 * 1024 * 1024

CPC_TEXT = (
    "Drones attacked the Kropotkinskaya oil pumping station of the Caspian Pipeline "
    "Consortium in Krasnodar region early on Monday, the consortium said. Flows through the "
    "line to the Novorossiysk terminal were cut by 30-40%, according to Deputy Prime "
    "Minister Alexander Novak. Repairs could take up to two months, one industry source said."
)
DRUZHBA_TEXT = (
    "Hungarian refiner MOL reported a pressure drop on the southern leg of the Druzhba "
    "pipeline on Wednesday. Crude deliveries to its Szazhalombatta refinery continued at "
    "reduced rates while the cause was investigated, a company spokesperson said."
)
TROLL_TEXT = (
    "Gas exports from the Troll field were briefly halted on Thursday after a power "
    "failure at the Kollsnes processing plant, system operator data showed. Output "
    "returned to normal within six hours."
)
SHARARA_TEXT = (
    "Protesters shut the Sharara oil field in southwestern Libya on Saturday, forcing the "
    "state oil company to declare force majeure on loadings from the Zawiya port. The field "
    "was pumping about 270,000 barrels per day before the stoppage."
)
REFINERY_TITLE = "Fire halts crude unit at Volgograd refinery"
REFINERY_BODY = (
    "A fire broke out at a primary crude distillation unit of the Volgograd refinery on "
    "Tuesday night after a drone attack, the regional governor said.\n\n"
    "The blaze was put out within three hours. Nobody was injured, and the plant's other "
    "units kept running, according to the operator."
)
UNTITLED_TEXT = (
    "Power was restored to the Zaporizhzhia nuclear plant late on Friday after it spent "
    "nearly nine hours on diesel generators.\n"
    "The plant's last remaining external line had been disconnected by shelling, the "
    "IAEA said, calling the situation fragile."
)
CP1251_TITLE = "Новороссийск приостановил отгрузку нефти из-за шторма"
CP1251_BODY = (
    "Нефтеналивной терминал в Новороссийске приостановил отгрузку танкеров из-за сильного "
    "шторма. По словам представителя порта, погрузка возобновится после улучшения погоды. "
    "Через терминал экспортируется около миллиона баррелей нефти в сутки."
)
LNG_TITLE = "Freeport LNG trips offline after grid outage"
LNG_BODY = (
    "All three liquefaction trains at Freeport LNG in Texas shut down on Sunday after a "
    "fault on the local power grid, according to a filing with state regulators. Feedgas "
    "nominations to the plant fell to near zero."
)
STORAGE_TEXT = (
    "German gas storage sites were 61% full on Monday, down from 94% at the start of "
    "November, data from the industry group showed. Withdrawals accelerated during a cold "
    "snap, and traders expect sites to end the winter below 30%."
)
HTML_TITLE = "Baltic Pipe flows cut after compressor fault"
HTML_URL = "https://northsea-energy.example/news/baltic-pipe-compressor-fault"
HTML_OUTLET = "North Sea Energy Review"
HTML_DATE = "2025-03-04"
HTML_PARAGRAPHS = (
    "Gas deliveries through the Baltic Pipe link to Poland fell by roughly a third on "
    "Tuesday after a compressor unit at the Danish landfall station tripped, the Danish "
    "grid operator said.",
    "The operator expects the unit back in service within two days. Polish buyers drew on "
    "storage to cover the shortfall, and spot prices at the Polish hub rose about 4% by midday.",
    "There was no sign of sabotage, a spokesperson added, describing the fault as a "
    "mechanical failure in a bearing.",
)


def html_page() -> str:
    """A complete article page with the usual metadata, navigation and footer."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in HTML_PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{HTML_TITLE} | {HTML_OUTLET}</title>
<link rel="canonical" href="{HTML_URL}">
<meta property="og:site_name" content="{HTML_OUTLET}">
<meta property="og:title" content="{HTML_TITLE}">
<meta property="article:published_time" content="{HTML_DATE}T08:15:00+00:00">
</head>
<body>
<nav><a href="/">Home</a> | <a href="/markets">Markets</a> | <a href="/subscribe">Subscribe</a></nav>
<article>
<h1>{HTML_TITLE}</h1>
{paragraphs}
</article>
<footer>© {HTML_OUTLET}. All rights reserved.</footer>
</body>
</html>
"""


COOKIE_WALL = """<!DOCTYPE html>
<html><head><title>Before you continue</title></head>
<body><script>window.consent = {required: true};</script><div id="consent-root"></div></body>
</html>
"""


def _json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _good(root: Path) -> list[Path]:
    files: dict[str, bytes] = {
        "cpc-kropotkinskaya.json": _json(
            {
                "id": "ew-cpc-20250217",
                "url": "https://wire.example/energy/cpc-kropotkinskaya-drones",
                "outlet": "Example Wire",
                "title": "Drones hit CPC pumping station, flows cut",
                "published": "2025-02-17",
                "text": CPC_TEXT,
            }
        ).encode(),
        "druzhba-pressure-drop.json": _json(
            {
                "url": "https://central-europe-energy.example/druzhba-pressure",
                "outlet": "Central Europe Energy",
                "title": "MOL reports Druzhba pressure drop",
                "published": "2025-03-12T09:30:00Z",
                "text": DRUZHBA_TEXT,
                "tags": ["oil", "pipelines"],  # unknown keys are ignored
            }
        ).encode(),
        "wire-batch.jsonl": (
            json.dumps({"id": "nw-troll-1", "title": "Troll gas exports halted", "text": TROLL_TEXT})
            + "\n\n"
            + json.dumps({"outlet": "Maghreb Energy Desk", "published": None, "text": SHARARA_TEXT})
            + "\n"
        ).encode(),
        "refinery-fire.txt": f"{REFINERY_TITLE}\n\n{REFINERY_BODY}\n".encode(),
        "untitled-notes.txt": f"{UNTITLED_TEXT}\n".encode(),
        "baltic-pipe.html": html_page().encode(),
        "novorossiysk-cp1251.txt": f"{CP1251_TITLE}\r\n\r\n{CP1251_BODY}\r\n".encode("cp1251"),
        "more/lng-terminal.md": f"# {LNG_TITLE}\n\n{LNG_BODY}\n".encode(),
        "gas-storage.json.gz": gzip.compress(
            _json(
                {"id": "ew-storage-de", "title": "German storage drops to 61%", "text": STORAGE_TEXT}
            ).encode(),
            mtime=0,
        ),
    }
    paths = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def _garbled() -> bytes:
    """Bytes that are not UTF-8 and that no legacy encoding reads as sensible text."""
    rng = random.Random(11)
    return (
        b"Oil exports "
        + bytes(rng.randrange(0x80, 0x100) for _ in range(200))
        + b" fell sharply "
        + bytes(rng.randrange(0x80, 0xA0) for _ in range(100))
    )


def _broken(root: Path, big_file_bytes: int) -> dict[str, str]:
    files: dict[str, tuple[bytes, str]] = {
        "truncated.json": (b'{"id": "cut-off", "text": "The pipeline oper', "invalid_json"),
        "trailing-comma.json": (b'{"text": "Gas prices rose.",}\n', "invalid_json"),
        "numbers.json": (b"[1, 2, 3]\n", "invalid_record"),
        "no-body.json": (
            _json({"title": "Headline only", "outlet": "Example Wire"}).encode(),
            "missing_text",
        ),
        "blank-body.json": (_json({"title": "Nothing here", "text": "   \n\t "}).encode(), "empty_text"),
        "numeric-body.json": (_json({"title": "Wrong type", "text": 42}).encode(), "invalid_record"),
        "bad-date.json": (_json({"published": "not a date", "text": TROLL_TEXT}).encode(), "invalid_record"),
        "chart.json": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)), "binary_file"),
        "brochure.txt": (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "binary_file",
        ),
        "noise.txt": (random.Random(20250217).randbytes(4096), "binary_file"),
        "garbled.txt": (_garbled(), "undecodable"),
        "memo.docx": (b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml", "unknown_extension"),
        "prices.csv": (b"date,brent,urals\n2025-02-17,75.2,60.1\n", "unknown_extension"),
        "NOTES": (b"Call the terminal operator about the outage.\n", "unknown_extension"),
        "empty.txt": (b"", "empty_text"),
        "cookie-wall.html": (COOKIE_WALL.encode(), "html_no_text"),
        "bad-lines.jsonl": (b"{\"text\": \"Pipeline\n{'text': 'single quotes'}\n", "invalid_json"),
        "feed.jsonl": (gzip.compress(b'{"text": "compressed"}\n', mtime=0), "binary_file"),
    }
    expected = {}
    for name, (data, reason) in files.items():
        (root / name).write_bytes(data)
        expected[name] = reason
    # Too large: sparse, so an 11 MB file costs nothing; it is refused before it is read.
    with (root / "scan-archive.txt").open("wb") as handle:
        handle.truncate(big_file_bytes)
    expected["scan-archive.txt"] = "too_large"
    # Unreadable whatever the user's privileges: a link to a file that is not there.
    (root / "gone.json").symlink_to(root / "moved-elsewhere.json")
    expected["gone.json"] = "unreadable"
    return expected


def _junk(root: Path) -> None:
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(32))
    (root / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(32))
    hidden = root / ".drafts"
    hidden.mkdir()
    (hidden / "draft.json").write_text(_json({"text": "An unfinished draft."}))


def make_mixed_folder(
    root: Path, *, big_file_bytes: int = BIG_FILE_BYTES
) -> tuple[list[Path], dict[str, str]]:
    """Fill ``root`` and return (good file paths, {broken file name: expected reason}).

    The good files hold ``GOOD_ARTICLE_COUNT`` (10) articles in 9 files, because
    ``wire-batch.jsonl`` has two; one good file sits in the subfolder ``more/``.
    Broken names are unique file names directly under ``root``. ``big_file_bytes`` sets
    the size of the sparse ``scan-archive.txt`` (keep it above the reader's limit).
    """
    root.mkdir(parents=True, exist_ok=True)
    good = _good(root)
    broken = _broken(root, big_file_bytes)
    _junk(root)
    return good, broken
