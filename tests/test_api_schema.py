"""Property-based API testing with schemathesis against the app's own OpenAPI schema.

Every operation (every GET, and the two POSTs with the bearer token) gets generated
requests, valid and invalid, sent in process through schemathesis's ASGI transport
(no network) to an app over a demo store of its own; ingest runs first, so the reads
also meet whatever odd articles it stored. Every response must be free of
server errors, carry a status the schema declares for the operation, a declared
content type, and a body that conforms to the declared schema where one is declared.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from traceback import format_exception
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api_support import AUTH, TOKEN, build_demo_store

from energywatch.api import create_app
from energywatch.impact.network import load_network
from energywatch.settings import Settings
from energywatch.storage import Store

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("api-schema")
    settings = Settings(db=str(folder / "ew.db"))
    build_demo_store(settings, folder)
    return settings.db


@pytest.fixture(scope="module")
def api_schema(app_db: str) -> Iterator[Any]:
    app = create_app(Settings(db=app_db, api_token=TOKEN))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema
    asgi.shutdown_lifespans()  # closes the store schemathesis's transport opened


@pytest.fixture(scope="module")
def real_ids(app_db: str) -> dict[str, list[str]]:
    """Ids that exist, mixed into generated path parameters and scenario bodies: random
    strings alone would only ever reach the 404 and 422 paths."""
    with Store.open(Settings(db=app_db)) as store:
        incidents = store.incident_ids()
    network = sorted(load_network().node_ids)
    return {
        "incident_id": incidents,
        "article_id": ["demo-101", "demo-102", "demo-322"],
        "asset_id": ["cpc_ps_kropotkinskaya", "ilsky_refinery", "cpc_spm_2"],
        "scenario_asset": network,
    }


def _run(
    operation: Any, mode: schemathesis.GenerationMode, real: dict[str, list[str]], stats: Counter[str]
) -> None:
    headers = AUTH if operation.method.upper() == "POST" else None
    strategy = operation.as_strategy(mode, headers=headers)
    endpoint = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        if mode == schemathesis.GenerationMode.POSITIVE:
            for name in list(case.path_parameters or {}):
                if name in real and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(real[name]))
            scenario = operation.path == "/api/scenarios" and isinstance(case.body, dict)
            if scenario and data.draw(st.booleans()):
                case.body["asset"] = data.draw(st.sampled_from(real["scenario_asset"]))
                case.body["duration"] = data.draw(st.sampled_from(["1d", "10d", "45-60d", "0.5-3d"]))
        response = case.call()
        stats["requests"] += 1
        stats[f"{response.status_code // 100}xx"] += 1
        stats[f"{endpoint} {response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.slow
def test_generated_requests_get_no_server_error_and_conform_to_the_schema(
    api_schema: Any, real_ids: dict[str, list[str]]
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Ingest first, so that every read also meets the odd articles it stored.
    operations.sort(key=lambda op: op.path != "/api/ingest")
    methods = {(op.method.upper(), op.path) for op in operations}
    assert ("POST", "/api/scenarios") in methods
    assert ("POST", "/api/ingest") in methods
    assert len([m for m, _ in methods if m == "GET"]) >= 11
    stats: Counter[str] = Counter()
    failures: list[str] = []
    for operation in operations:
        for mode in MODES:
            try:
                _run(operation, mode, real_ids, stats)
            except Unsatisfiable:  # nothing to make invalid (no parameters, or free-text path ids)
                assert mode == schemathesis.GenerationMode.NEGATIVE, operation.path
                stats["operations without negative inputs"] += 1
            except BaseException as exc:  # schemathesis's FailureGroup is a BaseExceptionGroup
                if not isinstance(exc, Exception | BaseExceptionGroup):
                    raise
                detail = str(exc) if isinstance(exc, BaseExceptionGroup) else "".join(format_exception(exc))
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {detail}")
    print(f"schemathesis: {len(operations)} operations")
    for key, count in sorted(stats.items()):
        print(f"  {key}: {count}")
    assert not failures, "\n\n".join(failures)
    assert stats["5xx"] == 0
    assert stats["requests"] >= 10 * len(operations)
    assert stats["2xx"] > 0
    assert stats["4xx"] > 0
    for endpoint in (
        "POST /api/scenarios",  # the token got the writes through
        "POST /api/ingest",
        "GET /api/incidents/{incident_id}",  # real ids reached the records
        "GET /api/incidents/{incident_id}/brief",
        "GET /api/articles/{article_id}",
        "GET /api/assets/{asset_id}",
    ):
        assert stats[f"{endpoint} 2xx"] > 0, endpoint


def test_schema_declares_the_error_shape_and_the_bearer_scheme(app_db: str, tmp_path: Path) -> None:
    shutil.copy(app_db, tmp_path / "ew.db")
    from fastapi.testclient import TestClient

    with TestClient(create_app(Settings(db=str(tmp_path / "ew.db")))) as client:
        spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if "422" in responses:
                ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path)
            if method == "post":
                assert {"401", "403", "413"} <= set(responses), path
                assert operation["security"] == [{"HTTPBearer": []}]
