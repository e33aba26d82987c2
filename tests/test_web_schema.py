"""Schemathesis against the served OpenAPI document: a live app on 127.0.0.1, seeded, with an admin token.

Every documented operation gets a bounded number of generated requests (so the run stays well under a
minute on two cores); none may produce a server error, and JSON answers must match their schemas.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from careline.app.web import schemas
from careline.app.web.agent import ACTIONS
from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.app.web.openapi import document
from careline.domain import Role
from careline.settings import BrandSettings, Settings
from careline.store import Store
from tests.helpers.live import LiveServer
from tests.helpers.seed import seed

EXAMPLES = 20
BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", competitors=["Bluejay"])]
SCHEMA = schemathesis.openapi.from_dict(document())
OPERATIONS = [op.ok() for op in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    store = Store(tmp_path_factory.mktemp("schema") / "careline.db", extra=[WEB]).open_sync()
    now = datetime.now(UTC)

    def fill(db: Any) -> str:
        seed(db, 40, now, brands=("skylark",))
        create_user(db, "admin", Role.ADMIN, "admin-password")
        return create_token(db, "admin", "schemathesis")

    token = store.write_sync(fill)
    server = LiveServer(create_app(Settings(brands=BRANDS), store)).start()
    yield server, token
    server.stop()
    store.close_sync()


def test_served_document_is_the_module_document(live: tuple[LiveServer, str]) -> None:
    with urllib.request.urlopen(live[0].url + "/api/openapi.json", timeout=10) as r:
        assert json.loads(r.read()) == json.loads(json.dumps(document()))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_errors(operation: Any, live: tuple[LiveServer, str]) -> None:
    server, token = live

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error, status_code_conformance, response_schema_conformance])

    run()


def test_every_route_is_documented() -> None:
    """Every route the app serves, pages and forms included, has an entry in the document; only the SSE
    streams and static files are left out."""
    app = create_app(Settings(), Store(Path("unused.db")))
    served = {r.resource.canonical for r in app.router.routes()
              if r.resource is not None and not isinstance(r.resource, web.StaticResource)}
    documented = set(document()["paths"])
    for path in {p for p in served if not p.endswith("/stream")} - {"/static/vendor/plotly.min.js"}:
        expanded = {path.replace("{action}", a) for a in ACTIONS} if "{action}" in path else {path}
        if path.startswith("/api/"):
            expanded = {p for p in expanded if not p.endswith("/send")}
        assert expanded <= documented, path


def test_request_schemas_are_the_validating_models() -> None:
    """The document's request bodies are generated from ``schemas.py``, not written a second time."""
    doc = document()
    body = doc["paths"]["/api/conversations/{id}/replies"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/NewReply"}
    generated = doc["components"]["schemas"]["NewReply"]["properties"]["idempotency_key"]
    field = schemas.NewReply.model_fields["idempotency_key"]
    assert generated["maxLength"] == next(m.max_length for m in field.metadata if hasattr(m, "max_length"))


def test_every_api_call_with_a_body_documents_the_413_and_replies_every_state() -> None:
    """A body over 1 MiB is a 413 on every route, but only three listed it; a replayed send whose reply was
    superseded answered a state the Reply schema's enum did not have."""
    from careline.app.web.openapi import document
    from careline.domain import ReplyState

    doc = document()
    missing = [f"{method.upper()} {path}" for path, item in doc["paths"].items() if path.startswith("/api/")
               for method, op in item.items() if method in ("post", "put", "patch") and "413" not in op["responses"]]
    assert missing == []
    assert doc["components"]["schemas"]["Reply"]["properties"]["state"]["enum"] == [s.value for s in ReplyState]
