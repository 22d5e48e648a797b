"""The whole API fuzzed from its own OpenAPI document (schemathesis): typed and semantic bodies,
parameters and paths of every operation, sent by an editor and by an anonymous client. No
request may get a 500. Bounded (``EXAMPLES`` an operation) so that ``make test`` stays quick.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import SAMPLE
from hoptac.store import users
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.web.app import create_app

EXAMPLES = 12
PASSWORD = "fuzz-editor-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    engine = connect(db)
    assert ingest(engine, [str(SAMPLE)], jobs=1).failed == []
    with engine.begin() as conn:
        users.add_user(conn, "ed", PASSWORD, "editor", actor="test_api_fuzz")
    engine.dispose()
    app = create_app(db)
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(scope="module")
def editor(app) -> dict[str, str]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        token = client.post("/api/v1/auth/token", json={"name": "ed", "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_no_request_is_a_server_error(api_schema, editor):
    # One hypothesis run per operation, driven here rather than by schemathesis' pytest plugin,
    # which does not load under the pytest this project uses.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    errors: list[str] = []
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def calls(case):
            for headers in ({}, editor):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    errors.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: {response.status_code} {response.text[:300]}")

        calls()
    assert not errors, "\n".join(errors[:20])
