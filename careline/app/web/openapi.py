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
from careline.app.web.agent import ACTIONS, CLOSED_FILTERS, ROUTED_ACTIONS, TICKS
from careline.domain import ReplyState
from careline.settings import TEMPLATE_MAX
from responder.textlimits import LIMITS

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
    """An API operation; ``body`` is a request body from :func:`_body`, or a plain JSON Schema of one."""
    op: dict[str, Any] = {"summary": summary, "description": f"Role: {role}.", "parameters": params or [],
                          "responses": {ok_code: ok, **_errors("401", "403", *codes)}}
    if body is not None:
        op["requestBody"] = body if "content" in body else {
            "required": True, "content": {"application/json": {"schema": body}}}
    return op


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


CONV_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1,
                                                                      "maximum": 999_999_999_999}}
SHORT = {"type": "string", "maxLength": 64}
#: Every CSV route's ``bom``: the pages' links ask for it, so Excel reads accents and emoji.
BOM_PARAM = {"name": "bom", "in": "query", "required": False, "schema": {"type": "string", "enum": ["0", "1"]},
             "description": "1: start with UTF-8's byte-order mark, which Excel needs to read the file as UTF-8"}
#: The trends' language filter (``marketing.chosen_language``).
LANGUAGE_PARAM = {"name": "language", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64},
                  "description": "posts in this language only: a code (de; und: not known), a tag (pt-BR) or an "
                                 "English name (German)"}
OBJ = {"type": "object"}
SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": "string", "description": "the request field it is about, if any"}}}}},
    "SLAState": {"type": "object", "required": ["state"], "properties": {
        "target": {"type": "string", "nullable": True}, "due": {"type": "string", "nullable": True},
        "state": {"type": "string",
                  "enum": ["on_track", "at_risk", "breached", "responded", "paused", "no_sla", "closed"]}}},
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
        "state": {"type": "string", "enum": [state.value for state in ReplyState]}}},
    "DraftReport": {"type": "object", "required": ["length", "limit", "ok", "tone"], "properties": {
        "length": {"type": "integer"}, "limit": {"type": "integer"}, "over": {"type": "integer"},
        "ok": {"type": "boolean"}, "tone": OBJ,
        "refused": {"type": "string", "nullable": True,
                    "description": "why Send would refuse the text whatever its length (control characters)"}}},
    "SLASummary": {"type": "object", "required": ["periods", "by_agent", "by_platform", "backlog"], "properties": {
        "periods": OBJ, "by_agent": OBJ, "by_platform": OBJ, "breaches": {"type": "array"},
        "near_breaches": {"type": "array"}, "backlog": {"type": "array"}, "approvals": {"type": "array"},
        "corrections": _ref("Corrections")}},
    "Corrections": {"type": "object", "description": "the model's readings people corrected in the last `days`",
                    "required": ["days", "corrected", "made_complaint", "made_not_complaint", "sentiment_changed",
                                 "intent_changed",
                                 "by_language", "by_person"], "properties": {
        "days": {"type": "integer"}, "corrected": {"type": "integer"},
        "made_complaint": {"type": "integer", "description": "the model read no complaint; a person said it is one"},
        "made_not_complaint": {"type": "integer"}, "sentiment_changed": {"type": "integer"},
        "intent_changed": {"type": "integer"},
        "by_language": {"type": "array", "items": {"type": "object", "properties": {
            "language": {"type": "string"}, "corrected": {"type": "integer"},
            "mentions": {"type": "integer", "description": "mentions posted in that language over the same days"},
            "per_100": {"type": "number", "nullable": True}}}},
        "by_person": {"type": "array", "items": {"type": "object", "properties": {
            "person": {"type": "string"}, "corrected": {"type": "integer"}}}}}},
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
        "reopened": {"type": "integer", "description": "resolutions in the range reopened afterwards"},
        "reopened_pct": {"type": "number", "nullable": True, "description": "reopened, % of resolution.count"},
        "replies_sent": {"type": "integer"}, "nps": _ref("SurveyScore"), "csat": _ref("SurveyScore"),
        "ces": _ref("SurveyScore"), "comments": {"type": "array", "items": OBJ}}},
    "SLAReport": {"type": "object", "required": ["from", "to", "by", "total", "rows"], "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "by": {"type": "string"}, "total": _ref("ReportRow"), "rows": {"type": "array", "items": _ref("ReportRow")}}},
    "Trends": {"type": "object", "required": ["daily", "intents", "share_of_voice", "spikes"], "properties": {
        "headline": {"type": "object", "description": (
            "the window (now: total, negative, negative_pct, complaints, complaint_rate, people, estimated_nps) "
            "and the as many days before it (before, from before_since, the same figures: its people each once, "
            "by their latest post in those days); heard_since: the first day a post was counted in this scope"),
            "properties": {
                "since": {"type": "string", "format": "date"}, "before_since": {"type": "string", "format": "date"},
                "heard_since": {"type": "string", "format": "date", "nullable": True},
                "now": OBJ, "before": OBJ}},
        "daily": {"type": "array"}, "survey_nps": {"type": "array"}, "intents": {"type": "array"},
        "rising_terms": {"type": "array"}, "hourly": {"type": "array"}, "spikes": {"type": "array"},
        "share_of_voice": {"type": "array"}, "nps_zones": {"type": "array"},
        "survey_comments": {"type": "array"}, "platform": {"type": "string", "nullable": True},
        "platforms": {"type": "array", "description": "per day and platform: volume by sentiment, complaint rate"},
        "platform_totals": {"type": "array", "description": "per platform over the window"},
        "languages": {"type": "array", "description": "per detected language: code, name, mentions, complaint rate"},
        "language": {"type": "string", "nullable": True,
                     "description": "the language every figure is of (its code; und: not known), or null for all"},
        "language_name": {"type": "string", "nullable": True},
        "language_choices": {"type": "array", "description": (
            "the languages heard in the window whatever is chosen (language, name, total), for a filter")},
        "topics": {"type": "array", "description": "complaint topics: id, label, words, count, previous, rising"}}},
    "CustomerExport": {"type": "object", "required": ["platform", "handle", "exported_at", "tables"], "properties": {
        "platform": {"type": "string"}, "handle": {"type": "string"}, "exported_at": {"type": "string"},
        "tables": {"type": "object", "additionalProperties": {"type": "array", "items": OBJ}}}},
    "Erasure": {"type": "object", "required": ["authors", "mentions", "conversations"], "properties": {
        "authors": {"type": "integer"}, "mentions": {"type": "integer"}, "conversations": {"type": "integer"},
        "rows_deleted": {"type": "integer"}, "fields_scrubbed": {"type": "integer"}}},
    "Post": {"type": "object", "required": ["key", "platform", "brand", "text", "url", "created_at"], "properties": {
        "key": {"type": "string"}, "platform": {"type": "string"}, "brand": {"type": "string"},
        "handle": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"},
        "created_at": {"type": "string"}, "sentiment": {"type": "string"}, "intent": {"type": "string"},
        "complaint": {"type": "number"}}},
    "Posts": {"type": "object", "required": ["total", "items"], "properties": {
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Post")}}},
    "Me": {"type": "object", "required": ["username", "role"], "properties": {
        "username": {"type": "string"}, "role": {"type": "string"}, "display_name": {"type": "string"},
        "home": {"type": "string"}, "two_factor_required": {"type": "boolean"}}},
    "Mentions": {"type": "object", "required": ["items", "unseen", "newest"], "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "at": {"type": "string"}, "by": {"type": "string"},
            "conversation": {"type": "integer", "nullable": True}, "text": {"type": "string", "nullable": True}}}},
        "unseen": {"type": "integer", "description": "how many of the newest are new"},
        "newest": {"type": "integer", "description": "the newest mention's id (0: none): up_to to mark them seen"}}},
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
                    _q("platform", {"type": "string", "enum": list(CLOSED_FILTERS["platform"])}), _q("brand", SHORT),
                    _q("intent", SHORT), _q("status", {"type": "string", "enum": list(CLOSED_FILTERS["status"])},
                                            "default: the working view (open statuses, snoozed hidden)"),
                    _q("mine", {"type": "string", "enum": list(TICKS)}, "1: only conversations assigned to me"),
                    _q("tag", SHORT), _q("team", SHORT),
                    _q("language", {"type": "string", "maxLength": 64}, "the latest message's detected language"),
                    _q("corrected", {"type": "string", "enum": list(TICKS)},
                       "1: only conversations where a person corrected the model's reading of a message"),
                    _q("q", {"type": "string", "maxLength": 200},
                       "search text: messages, authors, notes and tags; every status unless status is given"),
                    _q("after", {"type": "string", "maxLength": 200}, "the next value of the previous page")]
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
            "The author's edited draft after a send-back or a withdrawal: checked as a new reply is (the "
            "conversation open, the author holding it, its message not answered since), then posted or held again",
            "agent",
            _json(_ref("Reply")), "400", "403", "404", "409", "422", params=[CONV_ID],
            body=_body(schemas.Resubmit, components))},
        "/api/replies/{id}/withdraw": {"post": _op(
            "The author takes a reply waiting for approval back, as a draft to edit and resubmit", "agent",
            _json(_ref("Reply")), "403", "404", "409", params=[CONV_ID])},
        "/api/conversations/{id}/notes": {"post": _op(
            "Add an internal note (never posted)", "agent", _json(OBJ, "Created"), "400", "404", "422",
            params=[CONV_ID], body=_body(schemas.NewNote, components), ok_code="201")},
        "/api/conversations/{id}/reading": {"post": _op(
            "Correct the model's reading of a customer message (complaint or not, sentiment, intent); the "
            "priority, the trends and the suggested reply follow it, and the model's reading is kept", "agent",
            _json(OBJ), "400", "404", "422",
            params=[CONV_ID], body=_body(schemas.ReadingBody, components))},
        "/api/conversations/{id}/reading/restore": {"post": _op(
            "Take a correction back: the model's reading stands again", "agent", _json(OBJ), "400", "404", "422",
            params=[CONV_ID], body=_body(schemas.RestoreReading, components, required=False))},
        "/api/conversations/{id}/presence": {"post": _op(
            "Say this page is open (and whether its editor is typing); answers who is viewing and typing",
            "agent", _json({"type": "object", "properties": {
                "viewing": {"type": "array", "items": {"type": "string"}},
                "typing": {"type": "array", "items": {"type": "string"}}}}), "400", "404", "422", params=[CONV_ID],
            body=_body(schemas.Presence, components, required=False))},
        "/api/bulk": {"post": _op(
            "Apply one action to many conversations; each is done or refused with its reason", "agent",
            _json({"type": "object", "properties": {"done": {"type": "array", "items": {"type": "integer"}},
                                                    "refused": {"type": "array", "items": OBJ},
                                                    "undo": {"type": "string", "nullable": True}}}),
            "400", "403", "409", "422", body=_body(schemas.BulkBody, components))},
        "/api/conversations/{id}/tag": {"post": _op(
            "Tag the conversation", "agent", _json(OBJ), "400", "404", "422", params=[CONV_ID],
            body=_body(schemas.TagBody, components))},
        "/api/conversations/{id}/untag": {"post": _op(
            "Remove a tag", "agent", _json(OBJ), "400", "404", "422", params=[CONV_ID],
            body=_body(schemas.TagBody, components))},
        "/api/workspace": {"get": _op("My saved views, the tags in use and the teams", "agent", _json(OBJ))},
        "/api/drafts/check": {"post": _op("Length and tone of a reply draft", "agent", _json(_ref("DraftReport")),
                                          "400", "413", "422", body=_body(schemas.DraftCheck, components))},
        "/api/replies/{id}/approve": {"post": _op(
            "Approve a held reply; it is posted at once. seen is required: the reply's updated_at as you read "
            "it (approvals[].updated_at in GET /api/sla/summary, replies[].updated_at in GET "
            "/api/conversations/{id}); without it 422, and 409 when the author edited the reply since", "lead",
            _json(_ref("Reply")), "400", "404", "409", "422", params=[CONV_ID],
            body=_body(schemas.Approve, components))},
        "/api/mentions": {"get": _op(
            "Notes in which colleagues named me, newest first (the first `unseen` are new); reading marks "
            "nothing seen: POST /api/mentions/seen does", "agent", _json(_ref("Mentions")))},
        "/api/mentions/seen": {"post": _op(
            "Mark my mentions seen up to up_to (the newest I was shown; left out: all I have now); answers how "
            "many stay new", "agent", _json({"type": "object", "required": ["unseen"], "properties": {
                "unseen": {"type": "integer"}}}), "400", "422",
            body=_body(schemas.MentionsSeen, components, required=False))},
        "/api/replies/{id}/send-back": {"post": _op(
            "Send a held reply back to its author as a draft, with a note", "lead", _json(_ref("Reply")), "400",
            "404", "409", "422", params=[CONV_ID], body=_body(schemas.SendBack, components, required=False))},
        "/api/replies/{id}/retry": {"post": _op(
            "Retry a failed reply: the conversation's holder or a lead; X checks for an earlier post first; 409 "
            "when another reply has answered its message since", "agent", _json(_ref("Reply")), "404", "409",
            params=[CONV_ID])},
        "/api/sla/summary": {"get": _op("SLA attainment, FRT, breaches, backlog, approvals", "lead",
                                        _json(_ref("SLASummary")))},
        "/api/approvals/count": {"get": _op("How many replies wait for a lead's approval (the navigation follows it)",
                                            "lead", _json({"type": "object", "required": ["waiting"],
                                                           "properties": {"waiting": {"type": "integer"}}}))},
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
                _q("by", {"type": "string", "enum": ["brand", "platform", "intent", "team", "agent"]}), BOM_PARAM])},
        "/api/trends.csv": {"get": _op(
            "One chart's numbers as CSV", "marketing",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400", params=[
                {**_q("chart", {"type": "string", "enum": ["daily", "survey_nps", "intents", "hourly", "spikes",
                                                         "share_of_voice", "rising_terms", "platforms",
                                                         "platform_totals", "languages", "topics"]}), "required": True},
                _q("brand", SHORT), _q("days", {"type": "integer", "minimum": 1, "maximum": 365}),
                _q("platform", {"type": "string", "enum": ["x", "reddit", "bluesky", "mastodon"]}), LANGUAGE_PARAM,
                BOM_PARAM])},
        "/api/sla/conversations.csv": {"get": _op(
            "CSV export, one row per conversation", "lead",
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, "400", "422",
            params=[*_query(schemas.ExportQuery), BOM_PARAM])},
        "/api/trends": {"get": _op("The headline figures against the days before, sentiment, complaint rate, NPS, "
                                   "platforms, languages, intents, terms, complaint topics, spikes, share of voice",
                                   "marketing", _json(_ref("Trends")), "400", "422",
                                   params=_query(schemas.TrendsQuery))},
        "/api/trends/posts": {"get": _op(
            "The posts behind a chart's point or bar, newest first (read-only)", "marketing", _json(_ref("Posts")),
            "400", "404", params=[
                _q("days", {"type": "integer", "minimum": 1, "maximum": 365}, "how far back (default 30)"),
                _q("brand", SHORT), _q("platform", {"type": "string", "enum": sorted(LIMITS)}),
                _q("day", {"type": "string", "format": "date"}, "one day of the team's zone, YYYY-MM-DD"),
                _q("before", {"type": "string", "format": "date"},
                   "only posts before this day of the team's zone (the days before a window)"),
                _q("hour", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}$"}, "one UTC hour"),
                _q("sentiment", {"type": "string", "enum": ["negative", "neutral", "positive"]}),
                _q("intent", {"type": "string", "pattern": "^[a-z_]{1,40}$"}),
                _q("complaint", {"type": "string", "enum": ["0", "1"]}, "1: complaints only"),
                _q("term", {"type": "string", "minLength": 1, "maxLength": 64}, "posts containing this word"),
                _q("topic", {"type": "integer", "minimum": 1}, "a complaint topic's id (from /api/trends); "
                   "a merged topic's posts are those of the topic it joined; an unknown id is a 404"),
                LANGUAGE_PARAM,
                _q("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                _q("offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000})])},
        "/api/surveys": {"post": _op("Import NPS survey answers", "marketing", _json(
            {"type": "object", "properties": {
                "imported": {"type": "integer"},
                "skipped": {"type": "integer", "description": "answers whose answer_id their brand already had"}}},
            "Created"), "400", "413", "422",
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
    paths.update(_account_paths())
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
            _q("mine", {"type": "string", "enum": ["0", "1"]}),
            _q("corrected", {"type": "string", "enum": ["0", "1"]})])},
        "/conversations/{id}": {"get": _page("A conversation and its reply editor", "agent", params=[CONV_ID])},
        "/replies/{id}/retry": {"post": _page("Retry a failed reply", "agent", params=[CONV_ID], form={})},
        "/replies/{id}/approve": {"post": _page("Approve a held reply", "lead", params=[CONV_ID],
                                                form=_form(schemas.Approve, components))},
        "/replies/{id}/resubmit": {"post": _page("Resubmit a draft a lead sent back", "agent", params=[CONV_ID],
                                                 form=_form(schemas.Resubmit, components))},
        "/replies/{id}/withdraw": {"post": _page("Withdraw a reply waiting for approval, to edit it", "agent",
                                                 params=[CONV_ID], form={})},
        "/replies/{id}/send-back": {"post": _page("Send a held reply back", "lead", params=[CONV_ID],
                                                  form=_form(schemas.SendBack, components))},
        "/sla": {"get": _page("The lead's SLA page", "lead")},
        "/trends": {"get": _page("Marketing's trends", "marketing", params=_query(schemas.TrendsQuery))},
        "/login": {"get": _page("The login form", "anyone", public=True),
                   "post": _page("Log in", "anyone", form=_form(schemas.LoginForm, components), public=True)},
        "/logout": {"post": _page("Log out", "any signed-in user", form={})},
        "/bulk": {"post": _page("Apply one action to the selected queue rows", "agent",
                                form=_form(schemas.BulkForm, components))},
        "/conversations/{id}/tag": {"post": _page("Tag the conversation", "agent", params=[CONV_ID],
                                                  form=_form(schemas.TagBody, components))},
        "/conversations/{id}/untag": {"post": _page("Remove a tag", "agent", params=[CONV_ID],
                                                    form=_form(schemas.TagBody, components))},
        "/conversations/{id}/notes": {"post": _page("Add an internal note", "agent", params=[CONV_ID],
                                                    form=_form(schemas.NewNote, components))},
        "/conversations/{id}/reading": {"post": _page("Correct the model's reading of a message", "agent",
                                                      params=[CONV_ID], form=_form(schemas.ReadingForm, components))},
        "/conversations/{id}/reading/restore": {"post": _page("Take a correction back", "agent", params=[CONV_ID],
                                                              form=_form(schemas.RestoreReading, components))},
        "/conversations/{id}/assign": {"post": _page("Assign to a person or a team", "lead", params=[CONV_ID],
                                                     form=_form(schemas.AssignForm, components))},
        "/views": {"post": _page("Save the current queue filters as a view", "agent",
                                 form=_form(schemas.ViewForm, components))},
        "/views/{id}/delete": {"post": _page("Delete one of my saved views", "agent", params=[CONV_ID], form={})},
        "/mentions": {"get": _page("Notes in which colleagues named me, the new ones marked (reading marks nothing "
                                   "seen)", "agent")},
        "/mentions/seen": {"post": _page("Mark my mentions seen up to the page's newest", "agent",
                                         form=_form(schemas.MentionsSeen, components))},
        "/reports": {"get": _page("The lead's reports on any date range and split", "lead", params=[
            _q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"}),
            _q("by", {"type": "string", "enum": ["brand", "platform", "intent", "team", "agent"]})])},
        "/account": {"get": _page("My account: password, two-factor, sessions, tokens", "any signed-in user")},
        "/admin": {"get": _page("People, tokens and the account audit trail", "admin (leads: their team)")},
        "/admin/config": {"get": _page("Brands, sources, SLA policies, calendars, webhooks", "admin")},
        "/admin/templates": {"get": _page("Reply templates with a sandboxed preview", "admin")},
        "/login/code": {"post": _page("The two-factor code of a login", "anyone",
                                      form=_form(schemas.CodeForm, components), public=True)},
        "/set-password": {"get": _page("Set a password from an invitation or reset link", "anyone with the link",
                                       params=[_q("token", {"type": "string", "maxLength": 200})], public=True),
                          "post": _page("Set the password", "anyone with the link",
                                        form=_form(schemas.SetPasswordForm, components), public=True)},
        "/s/{token}": {"get": _page("A customer's survey", "anyone with the link", params=[TOKEN], public=True),
                       "post": _page("Answer the survey", "anyone with the link", params=[TOKEN],
                                     form=_form(schemas.SurveyForm, components), public=True)},
    }
    for action in ACTIONS:
        paths[f"/conversations/{{id}}/{action}"] = {"post": _page(
            f"{action.capitalize()} from the conversation page", "agent", params=[CONV_ID], form=form)}
    for op in (paths["/replies/{id}/retry"]["post"], paths["/replies/{id}/withdraw"]["post"], paths["/logout"]["post"],
               paths["/views/{id}/delete"]["post"]):
        op.pop("requestBody")
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
        "/api/account/two-factor/recovery-codes": {"post": _op(
            "Ten new one-time recovery codes (the old set ends); shown only in this answer", anyone, _json(OBJ),
            "400", "409", body={"type": "object", "required": ["current"], "properties": {"current": PASSWORD}})},
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
        "/api/admin/users/{name}/two-factor/reset": {"post": _op(
            "Turn their two-factor sign-in off (lost authenticator and recovery codes): codes end, sessions end, "
            "audited; `confirm` repeats the name, and on yourself `current` is your password", "admin", _json(OBJ),
            "400", "404", "409", "422", params=[name], body={"type": "object", "required": ["confirm"], "properties": {
                "confirm": {"type": "string", "maxLength": 64}, "current": PASSWORD}})},
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
                                                                                 "maxLength": TEMPLATE_MAX}}})},
        **_settings_paths(),
        "/api/admin/sla/preview": {"get": _op(
            "When a message at `at` (default now) is due under each policy", "admin", _json(OBJ), "400", "404",
            params=[_q("policy", SHORT), _q("at", {"type": "string", "maxLength": 40})])},
    }


SETTINGS_SECTION = {"name": "section", "in": "path", "required": True, "schema": {"type": "string", "enum": [
    "brands", "sla.policies", "sla.calendars", "responder.webhooks", "sources", "templates"]}}
SETTINGS_ITEM = _q("item", {"type": "string", "maxLength": 300},
                   "the item's key (a brand's or policy's name, a webhook's url, x/reddit/bluesky/mastodon, or "
                   "<brand>/[<language>/]<intent>); a new item may give it in the body instead")
SETTINGS_BODY = {"type": "object", "properties": {
    "version": {"type": "integer", "minimum": 0,
                "description": "the item's version as loaded (absent: a new item); a stale one is a 409"}},
    "additionalProperties": True,
    "description": "the fields to set, as JSON values or as the text a form sends (lists one per line)"}


def _settings_paths() -> dict[str, Any]:
    """Settings edited in the browser (``careline.overlay``): validated, versioned, audited, live at once."""
    return {
        "/api/admin/settings": {"get": _op(
            "Every editable section (brands, SLA policies, calendars, webhooks, sources, templates) with each "
            "item's version and origin (file or browser)", "admin", _json(OBJ))},
        "/api/admin/settings/{section}": {"post": _op(
            "Set fields of one item (add it when no version is given); validated like `careline config "
            "--check` (400 naming the field), 409 with the current values when the version is stale",
            "admin", _json(OBJ), "400", "404", "409", params=[SETTINGS_SECTION, SETTINGS_ITEM],
            body=SETTINGS_BODY)},
        "/api/admin/settings/{section}/delete": {"post": _op(
            "Delete one item (a file's item is hidden); needs the version it was loaded at", "admin", _json(OBJ),
            "400", "404", "409", params=[SETTINGS_SECTION, SETTINGS_ITEM], body=SETTINGS_BODY)},
    }


def document() -> dict[str, Any]:
    components = dict(SCHEMAS)
    paths = {**_api_paths(components), **_page_paths(components)}
    for path, item in paths.items():  # any API call with a body may send too much of it: 413 (client_max_size)
        for method in ("post", "put", "patch"):
            if path.startswith("/api/") and method in item and "413" not in item[method]["responses"]:
                item[method]["responses"].update(_errors("413"))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Careline API", "version": "1", "description":
                 "Social listening and complaint triage. Scripts authenticate with `Authorization: Bearer "
                 "<token>`; browsers use the session cookie plus an X-CSRF-Token header on unsafe methods. "
                 "Every error has the shape of the Error schema. The live streams (GET /api/stream and "
                 "/api/conversations/{id}/stream, server-sent events, not described here) are capped per person, "
                 "over all their sessions and tokens: one past the cap is a 429 with Retry-After."},
        "servers": [{"url": "/"}],
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "careline_session"}}},
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    }
