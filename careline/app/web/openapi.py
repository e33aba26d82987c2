"""The OpenAPI 3.0 document of every route, served at ``/api/openapi.json``.

What a caller may send (JSON bodies, forms, query strings) is generated from the request schemas in
``schemas.py``, the same models the handlers validate with, so the contract and the check cannot
drift apart; responses, roles and the error shape are stated here by hand. The pages and their forms
are described too (``text/html`` answers, ``303`` redirects), so the fuzzer runs over them as well.
``/api/stream`` (server-sent events) is left out on purpose: a schema fuzzer cannot exercise an
endless stream, and OpenAPI 3.0 cannot describe one.
"""

from __future__ import annotations

from typing import Any

from careline.app.web import schemas
from careline.app.web.agent import ACTIONS, ROUTED_ACTIONS

ERRORS = {
    "400": "bad_request", "401": "unauthorized", "403": "forbidden", "404": "not_found", "409": "conflict",
    "413": "request_entity_too_large", "422": "invalid",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _json(_ref("Error"), ERRORS[code]) for code in codes}


def _op(summary: str, role: str, ok: dict[str, Any], *codes: str, params: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, ok_code: str = "200") -> dict[str, Any]:
    """An API operation; ``body`` is a request body from :func:`_body`."""
    op: dict[str, Any] = {"summary": summary, "description": f"Role: {role}.", "parameters": params or [],
                          "responses": {ok_code: ok, **_errors("401", "403", *codes)}}
    if body is not None:
        op["requestBody"] = body
    return op


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


CONV_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1,
                                                                      "maximum": 999_999_999_999}}
SHORT = {"type": "string", "maxLength": 64}
OBJ = {"type": "object"}
SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}}}}},
    "SLAState": {"type": "object", "required": ["state"], "properties": {
        "target": {"type": "string", "nullable": True}, "due": {"type": "string", "nullable": True},
        "state": {"type": "string", "enum": ["on_track", "at_risk", "breached", "responded", "no_sla", "closed"]}}},
    "QueueItem": {"type": "object", "required": ["id", "status", "priority", "sla"], "properties": {
        "id": {"type": "integer"}, "platform": {"type": "string"}, "brand": {"type": "string"},
        "status": {"type": "string"}, "priority": {"type": "number"},
        "assignee": {"type": "string", "nullable": True}, "handle": {"type": "string"},
        "text": {"type": "string"}, "intent": {"type": "string", "nullable": True},
        "reasons": {"type": "array", "items": {"type": "string"}}, "sla": _ref("SLAState")}},
    "Queue": {"type": "object", "required": ["items", "limit", "offset"], "properties": {
        "items": {"type": "array", "items": _ref("QueueItem")}, "limit": {"type": "integer"},
        "offset": {"type": "integer"}, "now": {"type": "string"}}},
    "Detail": {"type": "object", "required": ["conversation", "thread", "draft", "actions"], "properties": {
        "conversation": OBJ, "thread": {"type": "array", "items": OBJ}, "replies": {"type": "array", "items": OBJ},
        "history": OBJ, "effort": OBJ, "classification": {"type": "object", "nullable": True},
        "draft": OBJ, "actions": {"type": "array", "items": {"type": "string"}}, "events": {"type": "array"}}},
    "Reply": {"type": "object", "required": ["id", "state", "text"], "properties": {
        "id": {"type": "integer"}, "conversation_id": {"type": "integer"}, "text": {"type": "string"},
        "state": {"type": "string", "enum": ["draft", "awaiting_approval", "approved", "sending", "sent", "failed"]}}},
    "DraftReport": {"type": "object", "required": ["length", "limit", "ok", "tone"], "properties": {
        "length": {"type": "integer"}, "limit": {"type": "integer"}, "over": {"type": "integer"},
        "ok": {"type": "boolean"}, "tone": OBJ}},
    "SLASummary": {"type": "object", "required": ["periods", "by_agent", "by_platform", "backlog"], "properties": {
        "periods": OBJ, "by_agent": OBJ, "by_platform": OBJ, "breaches": {"type": "array"},
        "near_breaches": {"type": "array"}, "backlog": {"type": "array"}, "approvals": {"type": "array"}}},
    "Trends": {"type": "object", "required": ["daily", "intents", "share_of_voice", "spikes"], "properties": {
        "daily": {"type": "array"}, "survey_nps": {"type": "array"}, "intents": {"type": "array"},
        "rising_terms": {"type": "array"}, "hourly": {"type": "array"}, "spikes": {"type": "array"},
        "share_of_voice": {"type": "array"}, "nps_zones": {"type": "array"}}},
    "CustomerExport": {"type": "object", "required": ["platform", "handle", "exported_at", "tables"], "properties": {
        "platform": {"type": "string"}, "handle": {"type": "string"}, "exported_at": {"type": "string"},
        "tables": {"type": "object", "additionalProperties": {"type": "array", "items": OBJ}}}},
    "Erasure": {"type": "object", "required": ["authors", "mentions", "conversations"], "properties": {
        "authors": {"type": "integer"}, "mentions": {"type": "integer"}, "conversations": {"type": "integer"},
        "rows_deleted": {"type": "integer"}, "fields_scrubbed": {"type": "integer"}}},
    "Me": {"type": "object", "required": ["username", "role"], "properties": {
        "username": {"type": "string"}, "role": {"type": "string"}, "display_name": {"type": "string"},
        "home": {"type": "string"}}},
}



def _openapi30(node: Any) -> Any:
    """pydantic writes JSON Schema 2020-12; OpenAPI 3.0 spells ``X | None`` as ``nullable`` instead."""
    if isinstance(node, list):
        return [_openapi30(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi30(v) for k, v in node.items() if k != "title"}
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        out.pop("anyOf")
        out.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        out["nullable"] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    return out


def _model(model: type[schemas.Schema], components: dict[str, Any]) -> dict[str, Any]:
    """The model's schema as a ``$ref``, its nested models hoisted into ``components``."""
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in generated.pop("$defs", {}).items():
        components[name] = _openapi30(sub)
    components[model.__name__] = _openapi30(generated)
    return _ref(model.__name__)


def _query(model: type[schemas.Schema]) -> list[dict[str, Any]]:
    """One query parameter per field of a query model."""
    props = _openapi30(model.model_json_schema())["properties"]
    return [_q(name, schema, schema.pop("description", "")) for name, schema in props.items()]


def _body(model: type[schemas.Schema], components: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _model(model, components)}}}


def _form(model: type[schemas.Schema], components: dict[str, Any]) -> dict[str, Any]:
    return {"required": False,
            "content": {"application/x-www-form-urlencoded": {"schema": _model(model, components)}}}


HTML = {"description": "A page", "content": {"text/html": {"schema": {"type": "string"}}}}
SEE_OTHER = {"description": "Done: go to the page in Location"}


def _page(summary: str, role: str, *, params: list[dict[str, Any]] | None = None,
          form: dict[str, Any] | None = None, public: bool = False) -> dict[str, Any]:
    """A page (GET: 200 HTML) or a form post (303 to the next page); errors as a page or JSON."""
    responses: dict[str, Any] = {"303": SEE_OTHER} if form is not None else {"200": HTML}
    responses["4XX"] = {"description": "An error, as a page for a browser, else as the Error schema",
                        "content": {"text/html": {"schema": {"type": "string"}}, "application/json": {
                            "schema": _ref("Error")}}}
    op: dict[str, Any] = {"summary": summary, "description": f"Role: {role}.", "parameters": params or [],
                          "responses": responses}
    if form is not None:
        op["requestBody"] = form
    if public:
        op["security"] = []
    return op


def _api_paths(components: dict[str, Any]) -> dict[str, Any]:
    queue_params = [*_query(schemas.QueueQuery),
                    _q("platform", SHORT), _q("brand", SHORT), _q("intent", SHORT), _q("status", SHORT),
                    _q("mine", {"type": "string", "enum": ["0", "1"]}, "1: only conversations assigned to me")]
    paths: dict[str, Any] = {
        "/api/me": {"get": _op("Who am I", "any signed-in user", _json(_ref("Me")))},
        "/api/queue": {"get": _op("Open conversations, most urgent first", "agent", _json(_ref("Queue")), "400",
                                  "422", params=queue_params)},
        "/api/conversations/{id}": {"get": _op(
            "Conversation, thread, scores, author history, suggested reply", "agent", _json(_ref("Detail")), "404",
            params=[CONV_ID])},
        "/api/conversations/{id}/replies": {"post": _op(
            "Send a reply (idempotent by idempotency_key); held for approval when the tone guard objects",
            "agent", _json(_ref("Reply"), "Created"), "400", "404", "409", "413", "422", params=[CONV_ID],
            body=_body(schemas.NewReply, components), ok_code="201")},
        "/api/conversations/{id}/assign": {"post": _op(
            "Assign the conversation to an agent (an audited claim on their behalf)", "lead", _json(OBJ),
            "400", "404", "409", "422", params=[CONV_ID], body=_body(schemas.Assign, components))},
        "/api/replies/{id}/resubmit": {"post": _op(
            "The author's edited draft after a send-back: checked, then posted or held again", "agent",
            _json(_ref("Reply")), "400", "403", "404", "409", "422", params=[CONV_ID],
            body=_body(schemas.Resubmit, components))},
        "/api/conversations/{id}/notes": {"post": _op(
            "Add an internal note (never posted)", "agent", _json(OBJ, "Created"), "400", "404", "422",
            params=[CONV_ID], body=_body(schemas.NewNote, components), ok_code="201")},
        "/api/conversations/{id}/presence": {"post": _op(
            "Say this page is open (and whether its editor is typing); answers who is viewing and typing",
            "agent", _json({"type": "object", "properties": {
                "viewing": {"type": "array", "items": {"type": "string"}},
                "typing": {"type": "array", "items": {"type": "string"}}}}), "400", "422", params=[CONV_ID],
            body=_body(schemas.Presence, components, required=False))},
        "/api/drafts/check": {"post": _op("Length and tone of a reply draft", "agent", _json(_ref("DraftReport")),
                                          "400", "413", "422", body=_body(schemas.DraftCheck, components))},
        "/api/replies/{id}/approve": {"post": _op("Approve a held reply; it is posted at once", "lead",
                                                  _json(_ref("Reply")), "404", "409", params=[CONV_ID])},
        "/api/replies/{id}/send-back": {"post": _op(
            "Send a held reply back to its author as a draft, with a note", "lead", _json(_ref("Reply")), "400",
            "404", "409", "422", params=[CONV_ID], body=_body(schemas.SendBack, components, required=False))},
        "/api/replies/{id}/retry": {"post": _op("Retry a failed reply (X checks for an earlier post first)",
                                                "agent", _json(_ref("Reply")), "404", "409", params=[CONV_ID])},
        "/api/sla/summary": {"get": _op("SLA attainment, FRT, breaches, backlog, approvals", "lead",
                                        _json(_ref("SLASummary")))},
        "/api/sla/conversations.csv": {"get": _op(
            "CSV export, one row per conversation", "lead",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400", "422",
            params=_query(schemas.ExportQuery))},
        "/api/trends": {"get": _op("Sentiment, complaint rate, NPS, intents, terms, spikes, share of voice",
                                   "marketing", _json(_ref("Trends")), "400", "422",
                                   params=_query(schemas.TrendsQuery))},
        "/api/surveys": {"post": _op("Import NPS survey answers", "marketing", _json(
            {"type": "object", "properties": {"imported": {"type": "integer"}}}, "Created"), "400", "413", "422",
            body=_body(schemas.SurveyImport, components), ok_code="201")},
        "/api/customers/export": {"get": _op(
            "Everything held about one author (GDPR access request)", "admin", _json(_ref("CustomerExport")), "404",
            "422", params=_query(schemas.CustomerQuery))},
        "/api/customers/erase": {"post": _op(
            "Erase one author everywhere; an audit event with counts only", "admin", _json(_ref("Erasure")),
            "400", "404", "422", body=_body(schemas.CustomerErase, components))},
        "/api/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": _json({"type": "object"})}}},
        "/health": {"get": {"summary": "Service status (details for signed-in callers)", "security": [],
                            "responses": {"200": _json({"type": "object", "required": ["status"],
                                                        "properties": {"status": {"type": "string"}}})}}},
    }
    for action in ROUTED_ACTIONS:
        paths[f"/api/conversations/{{id}}/{action}"] = {"post": _op(
            f"{action.capitalize()} the conversation (one audited status change)", "agent", _json(OBJ),
            "400", "404", "409", "422", params=[CONV_ID],
            body=_body(schemas.ActionBody, components, required=False))}
    return paths


TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}


def _page_paths(components: dict[str, Any]) -> dict[str, Any]:
    """The server-rendered pages and the forms they post (a bearer token needs no CSRF field)."""
    form = _form(schemas.ReplyForm, components)
    paths: dict[str, Any] = {
        "/": {"get": _page("The reply queue", "agent", params=[
            _q("platform", SHORT), _q("brand", SHORT), _q("intent", SHORT), _q("status", SHORT),
            _q("mine", {"type": "string", "enum": ["0", "1"]})])},
        "/conversations/{id}": {"get": _page("A conversation and its reply editor", "agent", params=[CONV_ID])},
        "/replies/{id}/retry": {"post": _page("Retry a failed reply", "agent", params=[CONV_ID], form={})},
        "/replies/{id}/approve": {"post": _page("Approve a held reply", "lead", params=[CONV_ID], form={})},
        "/replies/{id}/resubmit": {"post": _page("Resubmit a draft a lead sent back", "agent", params=[CONV_ID],
                                                 form=_form(schemas.Resubmit, components))},
        "/replies/{id}/send-back": {"post": _page("Send a held reply back", "lead", params=[CONV_ID],
                                                  form=_form(schemas.SendBack, components))},
        "/sla": {"get": _page("The lead's SLA page", "lead")},
        "/trends": {"get": _page("Marketing's trends", "marketing", params=_query(schemas.TrendsQuery))},
        "/login": {"get": _page("The login form", "anyone", public=True),
                   "post": _page("Log in", "anyone", form=_form(schemas.LoginForm, components), public=True)},
        "/logout": {"post": _page("Log out", "any signed-in user", form={})},
        "/s/{token}": {"get": _page("A customer's survey", "anyone with the link", params=[TOKEN], public=True),
                       "post": _page("Answer the survey", "anyone with the link", params=[TOKEN],
                                     form=_form(schemas.SurveyForm, components), public=True)},
    }
    for action in ACTIONS:
        paths[f"/conversations/{{id}}/{action}"] = {"post": _page(
            f"{action.capitalize()} from the conversation page", "agent", params=[CONV_ID], form=form)}
    for op in (paths["/replies/{id}/retry"]["post"], paths["/replies/{id}/approve"]["post"],
               paths["/logout"]["post"]):
        op.pop("requestBody")
    return paths


def document() -> dict[str, Any]:
    components = dict(SCHEMAS)
    paths = {**_api_paths(components), **_page_paths(components)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Careline API", "version": "1", "description":
                 "Social listening and complaint triage. Scripts authenticate with `Authorization: Bearer "
                 "<token>`; browsers use the session cookie plus an X-CSRF-Token header on unsafe methods. "
                 "Every error has the shape of the Error schema."},
        "servers": [{"url": "/"}],
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "careline_session"}}},
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    }
