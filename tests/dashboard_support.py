"""A store for dashboard tests: the demo corpus plus hostile text from the "open web".

``build_store`` ingests and processes the bundled demo corpus together with an article
whose title, body, outlet and URL carry script payloads, a rejected input whose file name
does, and a knowledge base whose Tuapse refinery is named with one (so the payload also
reaches the map's popups, tooltips and the asset page). Every payload, if it ran, would
set ``window.__xss``; the tests assert that it never does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from energywatch.demo import demo_articles
from energywatch.impact.network import bundled_flows_path
from energywatch.ingest import ingest
from energywatch.kb import load_knowledge_base
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store

XSS_ARTICLE = "xss-1"
KROPOTKINSKAYA = "cpc_ps_kropotkinskaya"
TUAPSE = "tuapse_refinery"
TITLE = (
    "<script>window.__xss='title'</script><img src=x onerror=\"window.__xss='img'\">"
    " Drones hit Tuapse refinery"
)
OUTLET = "<img src=x onerror=\"window.__xss='outlet'\">Evil Wire"
KB_NAME = "Tuapse oil refinery <img src=x onerror=\"window.__xss='kb'\">"
BAD_FILE = "bad-<img src=x onerror=window.__xss=1>.json"
ODD_ID = "odd/id?x=1#frag&<b>"

XSS_RECORD = {
    "id": XSS_ARTICLE,
    "url": "javascript:window.__xss='url'",
    "outlet": OUTLET,
    "published": "2025-08-06",
    "title": TITLE,
    "text": (
        "Drones struck the Tuapse oil refinery overnight on 5 August 2025 "
        "<script>window.__xss='body'</script>, starting a fire, the regional governor said.\n\n"
        "Output at the <img src=x onerror=\"window.__xss='bodyimg'\"> plant was halted for about "
        "10 days, Rosneft said. Ukraine's <b onmouseover=\"window.__xss='bold'\">military</b> "
        "claimed the attack.\n\n"
        "Read <a href=\"javascript:window.__xss='link'\">the full story</a> at "
        "javascript:window.__xss='text'."
    ),
}


def hostile_kb(folder: Path) -> Path:
    """A copy of the bundled asset file with the Tuapse refinery's name made hostile."""
    source = Path(str(bundled_flows_path())).with_name("assets.yaml")
    text = source.read_text(encoding="utf-8")
    line = "  name: Tuapse oil refinery (Rosneft)\n"
    assert line in text, "the bundled asset file changed: update tests/dashboard_support.py"
    path = folder / "assets.yaml"
    path.write_text(text.replace(line, f"  name: {json.dumps(KB_NAME)}\n", 1), encoding="utf-8")
    return path


def build_store(folder: Path) -> Settings:
    """Settings for a processed SQLite store under ``folder`` (see the module docstring)."""
    inputs = folder / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "xss.json").write_text(json.dumps(XSS_RECORD), encoding="utf-8")
    (inputs / BAD_FILE).write_text("{not json", encoding="utf-8")
    odd = {"id": ODD_ID, "outlet": "Calm Wire", "title": "Odd id", "text": "Markets were calm on Tuesday."}
    (inputs / "odd.json").write_text(json.dumps(odd), encoding="utf-8")
    settings = Settings(db=str(folder / "ew.db"), kb_path=hostile_kb(folder))
    kb = load_knowledge_base(settings.kb_path)
    with Store.open(settings) as store, demo_articles() as files:
        ingest(store, [*files, inputs], settings)
        process(store, kb, impact_samples=500)
    return settings


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", http="h11", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
