"""The OpenAPI 3.0 document of the JSON API, served at ``/api/openapi.json``.

Written by hand next to the routes rather than generated, so it states the contract (bounds, error
shape, who may call what) instead of echoing the code. ``/api/stream`` (server-sent events) is left
out on purpose: a schema fuzzer cannot exercise an endless stream, and OpenAPI 3.0 cannot describe one.
"""

from __future__ import annotations

from typing import Any

from careline.app.web.agent import ROUTED_ACTIONS
from responder.textlimits import LIMITS

ERRORS = {
    "400": "bad_request", "401": "unauthorized", "403": "forbidden", "404": "not_found", "409": "conflict",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _json(_ref("Error"), ERRORS[code]) for code in codes}


def _op(summary: str, role: str, ok: dict[str, Any], *codes: str, params: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, ok_code: str = "200") -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "description": f"Role: {role}.", "parameters": params or [],
                          "responses": {ok_code: ok, **_errors("401", "403", *codes)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
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
    "NewReply": {"type": "object", "required": ["text", "idempotency_key"], "properties": {
        "text": {"type": "string", "maxLength": 10000},
        "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 100},
        "another": {"type": "boolean", "description": "add a reply although the customer's latest message "
                                                      "already has one (refused with 409 otherwise)"}}},
    "ActionBody": {"type": "object", "properties": {
        "minutes": {"type": "integer", "minimum": 1, "maximum": 43200, "description": "snooze only"},
        "until": {"type": "string", "format": "date-time", "description": "snooze only"},
        "note": {"type": "string", "maxLength": 500, "description": "escalate only"},
        "reason": {"type": "string", "maxLength": 200, "description": "dismiss only"}}},
    "DraftCheck": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "maxLength": 20000},
        "platform": {"type": "string", "enum": sorted(LIMITS)}}},
    "DraftReport": {"type": "object", "required": ["length", "limit", "ok", "tone"], "properties": {
        "length": {"type": "integer"}, "limit": {"type": "integer"}, "over": {"type": "integer"},
        "ok": {"type": "boolean"}, "tone": OBJ}},
    "SLASummary": {"type": "object", "required": ["periods", "by_agent", "by_platform", "backlog"], "properties": {
        "periods": OBJ, "by_agent": OBJ, "by_platform": OBJ, "breaches": {"type": "array"},
        "near_breaches": {"type": "array"}, "backlog": {"type": "array"}, "approvals": {"type": "array"}}},
    "Durations": {"type": "object", "required": ["count"], "properties": {
        "count": {"type": "integer"}, "median": {"type": "number", "nullable": True},
        "p90": {"type": "number", "nullable": True}}},
    "SurveyScore": {"type": "object", "nullable": True, "required": ["answers", "score"], "properties": {
        "answers": {"type": "integer"}, "score": {"type": "number"}}},
    "ReportRow": {"type": "object", "required": ["group", "targets_hit", "targets_missed", "attainment_pct",
                                                 "replies_sent"], "properties": {
        "group": {"type": "string"}, "targets_hit": {"type": "integer"}, "targets_missed": {"type": "integer"},
        "attainment_pct": {"type": "number", "nullable": True},
        "first_response": _ref("Durations"), "first_response_clock": _ref("Durations"),
        "resolution": _ref("Durations"), "resolution_clock": _ref("Durations"), "handle": _ref("Durations"),
        "replies_sent": {"type": "integer"}, "nps": _ref("SurveyScore"), "csat": _ref("SurveyScore"),
        "ces": _ref("SurveyScore"), "comments": {"type": "array", "items": OBJ}}},
    "SLAReport": {"type": "object", "required": ["from", "to", "by", "total", "rows"], "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "by": {"type": "string"}, "total": _ref("ReportRow"), "rows": {"type": "array", "items": _ref("ReportRow")}}},
    "Trends": {"type": "object", "required": ["daily", "intents", "share_of_voice", "spikes"], "properties": {
        "daily": {"type": "array"}, "survey_nps": {"type": "array"}, "intents": {"type": "array"},
        "rising_terms": {"type": "array"}, "hourly": {"type": "array"}, "spikes": {"type": "array"},
        "share_of_voice": {"type": "array"}, "nps_zones": {"type": "array"},
        "survey_comments": {"type": "array"}}},
    "Post": {"type": "object", "required": ["key", "platform", "brand", "text", "url", "created_at"], "properties": {
        "key": {"type": "string"}, "platform": {"type": "string"}, "brand": {"type": "string"},
        "handle": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"},
        "created_at": {"type": "string"}, "sentiment": {"type": "string"}, "intent": {"type": "string"},
        "complaint": {"type": "number"}}},
    "Posts": {"type": "object", "required": ["total", "items"], "properties": {
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Post")}}},
    "SurveyImport": {"type": "object", "required": ["answers"], "properties": {"answers": {
        "type": "array", "minItems": 1, "maxItems": 1000, "items": {
            "type": "object", "required": ["brand", "score", "answered_at"], "properties": {
                "brand": SHORT, "score": {"type": "integer", "minimum": 0, "maximum": 10},
                "answered_at": {"type": "string", "format": "date-time"}}}}}},
    "Me": {"type": "object", "required": ["username", "role"], "properties": {
        "username": {"type": "string"}, "role": {"type": "string"}, "display_name": {"type": "string"},
        "home": {"type": "string"}, "two_factor_required": {"type": "boolean"}}},
}



def _paths() -> dict[str, Any]:
    queue_params = [_q("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                    _q("offset", {"type": "integer", "minimum": 0, "maximum": 10_000_000}),
                    _q("platform", SHORT), _q("brand", SHORT), _q("intent", SHORT), _q("status", SHORT),
                    _q("mine", {"type": "string", "enum": ["0", "1"]}, "1: only conversations assigned to me"),
                    _q("tag", SHORT), _q("team", SHORT),
                    _q("q", {"type": "string", "maxLength": 200},
                       "search text: messages, authors, notes and tags; every status unless status is given"),
                    _q("after", {"type": "string", "maxLength": 200}, "the next value of the previous page")]
    paths: dict[str, Any] = {
        "/api/me": {"get": _op("Who am I", "any signed-in user", _json(_ref("Me")))},
        "/api/queue": {"get": _op("Open conversations, most urgent first", "agent", _json(_ref("Queue")), "400",
                                  params=queue_params)},
        "/api/conversations/{id}": {"get": _op(
            "Conversation, thread, scores, author history, suggested reply", "agent", _json(_ref("Detail")), "404",
            params=[CONV_ID])},
        "/api/conversations/{id}/replies": {"post": _op(
            "Send a reply (idempotent by idempotency_key); held for approval when the tone guard objects",
            "agent", _json(_ref("Reply"), "Created"), "400", "404", "409", params=[CONV_ID],
            body=_ref("NewReply"), ok_code="201")},
        "/api/conversations/{id}/assign": {"post": _op(
            "Assign the conversation to an agent (an audited claim on their behalf)", "lead", _json(OBJ),
            "400", "404", "409", params=[CONV_ID], body={"type": "object", "required": ["agent"], "properties": {
                "agent": {"type": "string", "minLength": 1, "maxLength": 64}}})},
        "/api/replies/{id}/resubmit": {"post": _op(
            "The author's edited draft after a send-back: checked, then posted or held again", "agent",
            _json(_ref("Reply")), "400", "403", "404", "409", params=[CONV_ID], body={
                "type": "object", "required": ["text"], "properties": {"text": {"type": "string",
                                                                                 "maxLength": 10000}}})},
        "/api/conversations/{id}/notes": {"post": _op(
            "Add an internal note (never posted)", "agent", _json(OBJ, "Created"), "400", "404", params=[CONV_ID],
            body={"type": "object", "required": ["text"], "properties": {"text": {"type": "string",
                                                                                 "maxLength": 4000}}},
            ok_code="201")},
        "/api/conversations/{id}/presence": {"post": _op(
            "Say this page is open (and whether its editor is typing); answers who is viewing and typing",
            "agent", _json({"type": "object", "properties": {
                "viewing": {"type": "array", "items": {"type": "string"}},
                "typing": {"type": "array", "items": {"type": "string"}}}}), "400", params=[CONV_ID],
            body={"type": "object", "properties": {"typing": {"type": "boolean"}, "leaving": {"type": "boolean"}}})},
        "/api/bulk": {"post": _op(
            "Apply one action to many conversations; each is done or refused with its reason", "agent",
            _json({"type": "object", "properties": {"done": {"type": "array", "items": {"type": "integer"}},
                                                    "refused": {"type": "array", "items": OBJ},
                                                    "undo": {"type": "string", "nullable": True}}}),
            "400", "403", "409", body={"type": "object", "required": ["ids", "action"], "properties": {
                "ids": {"type": "array", "minItems": 1, "maxItems": 200, "items": {"type": "integer", "minimum": 1}},
                "action": {"type": "string", "enum": ["resolve", "dismiss", "tag", "untag", "assign", "assign_team",
                                                      "undo"]},
                "tag": {"type": "string", "maxLength": 40}, "agent": {"type": "string", "maxLength": 64},
                "team": {"type": "string", "maxLength": 64}}})},
        "/api/conversations/{id}/tag": {"post": _op(
            "Tag the conversation", "agent", _json(OBJ), "400", "404", params=[CONV_ID],
            body={"type": "object", "required": ["tag"], "properties": {"tag": {"type": "string", "maxLength": 40}}})},
        "/api/conversations/{id}/untag": {"post": _op(
            "Remove a tag", "agent", _json(OBJ), "400", "404", params=[CONV_ID],
            body={"type": "object", "required": ["tag"], "properties": {"tag": {"type": "string", "maxLength": 40}}})},
        "/api/workspace": {"get": _op("My saved views, the tags in use and the teams", "agent", _json(OBJ))},
        "/api/drafts/check": {"post": _op("Length and tone of a reply draft", "agent", _json(_ref("DraftReport")),
                                          "400", body=_ref("DraftCheck"))},
        "/api/replies/{id}/approve": {"post": _op("Approve a held reply; it is posted at once", "lead",
                                                  _json(_ref("Reply")), "404", "409", params=[CONV_ID])},
        "/api/replies/{id}/send-back": {"post": _op(
            "Send a held reply back to its author as a draft, with a note", "lead", _json(_ref("Reply")), "400",
            "404", "409", params=[CONV_ID], body={"type": "object", "properties": {
                "note": {"type": "string", "maxLength": 1000}}})},
        "/api/replies/{id}/retry": {"post": _op("Retry a failed reply (X checks for an earlier post first)",
                                                "agent", _json(_ref("Reply")), "404", "409", params=[CONV_ID])},
        "/api/sla/summary": {"get": _op("SLA attainment, FRT, breaches, backlog, approvals", "lead",
                                        _json(_ref("SLASummary")))},
        "/api/reports/sla": {"get": _op(
            "The lead's report over whole local days from..to (default: the last 30), one row per group: "
            "SLA attainment, first-response, resolution and handle times (wall clock and SLA clock), replies "
            "sent, NPS/CSAT/CES with comments. by=team answers 400 until teams are configured", "lead",
            _json(_ref("SLAReport")), "400", params=[
                _q("from", {"type": "string", "format": "date"}, "first day, YYYY-MM-DD (service time zone)"),
                _q("to", {"type": "string", "format": "date"}, "last day, inclusive; at most 366 days"),
                _q("by", {"type": "string", "enum": ["brand", "platform", "intent", "team", "agent"]},
                   "the split (default agent)")])},
        "/api/reports/sla.csv": {"get": _op(
            "The lead's report as CSV: one line per group, then the total", "lead",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400", params=[
                _q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"}),
                _q("by", {"type": "string", "enum": ["brand", "platform", "intent", "team", "agent"]})])},
        "/api/trends.csv": {"get": _op(
            "One chart's numbers as CSV", "marketing",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400", params=[
                {**_q("chart", {"type": "string", "enum": ["daily", "survey_nps", "intents", "hourly", "spikes",
                                                         "share_of_voice", "rising_terms"]}), "required": True},
                _q("brand", SHORT), _q("days", {"type": "integer", "minimum": 1, "maximum": 365})])},
        "/api/sla/conversations.csv": {"get": _op(
            "CSV export, one row per conversation", "lead",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400",
            params=[_q("days", {"type": "integer", "minimum": 1, "maximum": 366})])},
        "/api/trends": {"get": _op("Sentiment, complaint rate, NPS, intents, terms, spikes, share of voice",
                                   "marketing", _json(_ref("Trends")), "400",
                                   params=[_q("brand", SHORT), _q("days", {"type": "integer", "minimum": 1,
                                                                           "maximum": 365})])},
        "/api/trends/posts": {"get": _op(
            "The posts behind a chart's point or bar, newest first (read-only)", "marketing", _json(_ref("Posts")),
            "400", params=[
                _q("days", {"type": "integer", "minimum": 1, "maximum": 365}, "how far back (default 30)"),
                _q("brand", SHORT), _q("platform", {"type": "string", "enum": sorted(LIMITS)}),
                _q("day", {"type": "string", "format": "date"}, "one UTC day, YYYY-MM-DD"),
                _q("hour", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}$"}, "one UTC hour"),
                _q("sentiment", {"type": "string", "enum": ["negative", "neutral", "positive"]}),
                _q("intent", {"type": "string", "pattern": "^[a-z_]{1,40}$"}),
                _q("complaint", {"type": "string", "enum": ["0", "1"]}, "1: complaints only"),
                _q("term", {"type": "string", "minLength": 1, "maxLength": 64}, "posts containing this word"),
                _q("topic", SHORT, "topic grouping is not computed yet: any value is a 400"),
                _q("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                _q("offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000})])},
        "/api/surveys": {"post": _op("Import NPS survey answers", "marketing", _json(
            {"type": "object", "properties": {"imported": {"type": "integer"}}}, "Created"), "400",
            body=_ref("SurveyImport"), ok_code="201")},
        "/api/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": _json({"type": "object"})}}},
        "/health": {"get": {"summary": "Service status (details for signed-in callers)", "security": [],
                            "responses": {"200": _json({"type": "object", "required": ["status"],
                                                        "properties": {"status": {"type": "string"}}})}}},
    }
    paths.update(_account_paths())
    for action in ROUTED_ACTIONS:
        paths[f"/api/conversations/{{id}}/{action}"] = {"post": _op(
            f"{action.capitalize()} the conversation (one audited status change)", "agent", _json(OBJ),
            "400", "404", "409", params=[CONV_ID], body=_ref("ActionBody"))}
        paths[f"/api/conversations/{{id}}/{action}"]["post"]["requestBody"]["required"] = False
    return paths


def _path_param(name: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": pattern}}


PUBLIC_ID = "^[0-9a-f]{12}$"
PASSWORD = {"type": "string", "maxLength": 256}
TOKEN_FIELDS: dict[str, Any] = {
    "label": {"type": "string", "minLength": 1, "maxLength": 80},
    "role": {"type": "string", "enum": ["agent", "lead", "marketing", "admin"]},
    "days": {"type": "integer", "minimum": 0, "maximum": 3650, "description": "0 = never expires"}}
NEW_TOKEN = {"type": "object", "required": ["label"], "properties": TOKEN_FIELDS}
TOKEN_MADE = _json({"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}, "Created")


def _account_paths() -> dict[str, Any]:
    """Your own account (anyone signed in) and administration (admin)."""
    sid, tid = _path_param("sid", PUBLIC_ID), _path_param("tid", PUBLIC_ID)
    name = _path_param("name", "^[A-Za-z0-9._]{1,64}$")
    anyone = "any signed-in user"
    return {
        "/api/account": {"get": _op("Your account: two-factor, sessions, tokens", anyone, _json(OBJ))},
        "/api/account/password": {"post": _op(
            "Change your password (ends your other sessions)", anyone, _json(OBJ), "400",
            body={"type": "object", "required": ["current", "new"], "properties": {
                "current": PASSWORD, "new": PASSWORD}})},
        "/api/account/sessions/{sid}/end": {"post": _op("End one of your sessions", anyone, _json(OBJ), "404",
                                                        params=[sid])},
        "/api/account/sessions/end-all": {"post": _op("Log out everywhere", anyone, _json(OBJ))},
        "/api/account/two-factor/start": {"post": _op("A new two-factor secret (nothing stored yet)", anyone,
                                                      _json(OBJ))},
        "/api/account/two-factor/enable": {"post": _op(
            "Turn two-factor on with the secret and a current code", anyone, _json(OBJ), "400",
            body={"type": "object", "required": ["secret", "code"], "properties": {
                "secret": {"type": "string", "maxLength": 64}, "code": {"type": "string", "maxLength": 16}}})},
        "/api/account/two-factor/disable": {"post": _op(
            "Turn two-factor off (not where your role requires it)", anyone, _json(OBJ), "400",
            body={"type": "object", "required": ["current"], "properties": {"current": PASSWORD}})},
        "/api/account/tokens": {"post": _op("A new API token of yours, scoped no higher than your role", anyone,
                                            TOKEN_MADE, "400", body=NEW_TOKEN, ok_code="201")},
        "/api/account/tokens/{tid}/revoke": {"post": _op("Revoke one of your tokens", anyone, _json(OBJ), "404",
                                                         params=[tid])},
        "/api/admin": {"get": _op("People, tokens and the newest account events", "admin", _json(OBJ))},
        "/api/admin/users": {"post": _op(
            "Add someone (with a password) or invite them (without: the answer has a one-time link)", "admin",
            _json(OBJ, "Created"), "400", "409", ok_code="201", body={
                "type": "object", "required": ["username", "role"], "properties": {
                    "username": {"type": "string", "maxLength": 64}, "role": {"type": "string"},
                    "display_name": {"type": "string", "maxLength": 80}, "team": {"type": "string", "maxLength": 200},
                    "password": PASSWORD}})},
        "/api/admin/users/{name}": {"post": _op(
            "Change role, team, display name or disabled (audited, before and after)", "admin", _json(OBJ),
            "400", "404", params=[name], body={"type": "object", "properties": {
                "role": {"type": "string"}, "team": {"type": "string", "maxLength": 200},
                "display_name": {"type": "string", "maxLength": 80}, "disabled": {"type": "boolean"}}})},
        "/api/admin/users/{name}/reset": {"post": _op(
            "End their sessions and make a one-time set-password link", "admin", _json(OBJ), "404", params=[name])},
        "/api/admin/users/{name}/logout": {"post": _op("End all their sessions", "admin", _json(OBJ), "404",
                                                       params=[name])},
        "/api/admin/tokens": {"post": _op(
            "A new API token for someone, scoped no higher than their role", "admin", TOKEN_MADE, "400", "404",
            ok_code="201", body={"type": "object", "required": ["username", "label"], "properties": {
                **TOKEN_FIELDS, "username": {"type": "string", "maxLength": 64}}})},
        "/api/admin/tokens/{tid}/revoke": {"post": _op("Revoke any token", "admin", _json(OBJ), "404",
                                                       params=[tid])},
        "/api/admin/webhooks/{n}/test": {"post": _op(
            "POST a signed test event to configured webhook number n; says what it answered", "admin",
            _json(OBJ), "404", "409", params=[{"name": "n", "in": "path", "required": True,
                                               "schema": {"type": "integer", "minimum": 0, "maximum": 999}}])},
        "/api/admin/templates/preview": {"post": _op(
            "Render a reply template (the body's or the brand's) for a sample customer, with tone and length",
            "admin", _json(OBJ), "400", "404", body={"type": "object", "required": ["brand", "intent", "platform"],
                                                     "properties": {"brand": SHORT, "intent": SHORT,
                                                                    "platform": {"type": "string", "maxLength": 20},
                                                                    "template": {"type": "string",
                                                                                 "maxLength": 4000}}})},
        "/api/admin/sla/preview": {"get": _op(
            "When a message at `at` (default now) is due under each policy", "admin", _json(OBJ), "400", "404",
            params=[_q("policy", SHORT), _q("at", {"type": "string", "maxLength": 40})])},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Careline API", "version": "1", "description":
                 "Social listening and complaint triage. Scripts authenticate with `Authorization: Bearer "
                 "<token>`; browsers use the session cookie plus an X-CSRF-Token header on unsafe methods. "
                 "Every error has the shape of the Error schema."},
        "servers": [{"url": "/"}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "careline_session"}}},
        "security": [{"bearer": []}, {"session": []}],
        "paths": _paths(),
    }
