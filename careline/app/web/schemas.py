"""Request schemas: every JSON body, form and query the web app reads is validated here, once.

Built on pydantic (already in the environment through schemathesis, with a Rust JSON parser, strict
mode and JSON Schema output): JSON bodies are parsed in *strict* mode, so a wrong type is refused and
never coerced (``{"minutes": true}``, ``{"text": {"a": 1}}``); forms and query strings carry only
text, so they are parsed in lax mode (``"60"`` is 60) with the same bounds. The OpenAPI document
(``openapi.py``) takes its request schemas from these models, so the contract and the check cannot
drift apart.

Answers: a body that is not UTF-8 JSON (or nests deeper than the parser's limit of 200 levels) is a
400; larger than ``client_max_size`` a 413 (aiohttp); right syntax but wrong types, ranges, enums or
lengths a 422 (:class:`careline.errors.Invalid`), each in the one JSON error shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from multidict import MultiMapping
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from careline.domain import Platform
from careline.errors import Invalid

M = TypeVar("M", bound="Schema")

MAX_TEXT = 20_000
MAX_SNOOZE_MINUTES = 30 * 24 * 60
#: Platforms a draft can be checked against (``responder.textlimits.LIMITS`` keys; "twitter" is X's old name).
DRAFT_PLATFORMS = Literal["bluesky", "mastodon", "reddit", "twitter", "x"]
Short = Annotated[str, StringConstraints(max_length=64)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Schema(BaseModel):
    """Base of every request schema: unknown keys are ignored (a form also carries ``csrf_token``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    def params(self) -> dict[str, Any]:
        """The fields the caller sent, as plain JSON values, for the use-case translators in ``actions``."""
        return self.model_dump(mode="json", exclude_unset=True, exclude_none=True)


# -- bodies ----------------------------------------------------------------------------------------------
class ActionBody(Schema):
    """Optional parameters of a conversation action (each action reads the ones it needs)."""

    minutes: int | None = Field(None, ge=1, le=MAX_SNOOZE_MINUTES, description="snooze only: how long")
    until: AwareDatetime | None = Field(None, description="snooze only: until when (ISO 8601 with a zone)")
    note: str = Field("", max_length=500, description="escalate only")
    reason: str = Field("", max_length=200, description="dismiss only")
    seen: str = Field("", max_length=300, description="resolve, dismiss, snooze, wait: the key of the customer's "
                                                      "newest message the person saw; 409 if a newer one came in")


class NewReply(Schema):
    text: str = Field(max_length=MAX_TEXT)
    idempotency_key: str = Field(min_length=8, max_length=100)
    another: bool = Field(False, description="send although a reply to the same customer message was posted")
    resolve: bool = Field(False, description="the closing reply: resolve once it is posted (and add the survey "
                                             "link where the brand's survey_in_reply says so)")


class ReplyForm(Schema):
    """The conversation page's one form: every action's fields, all optional, as a browser posts them."""

    text: str = Field("", max_length=MAX_TEXT)
    idempotency_key: str = Field("", max_length=100)
    another: Literal["", "0", "1", "on", "true", "false"] = ""
    resolve: Literal["", "0", "1", "on", "true", "false"] = ""
    minutes: int | None = Field(None, ge=1, le=MAX_SNOOZE_MINUTES)
    until: AwareDatetime | None = None
    note: str = Field("", max_length=500)
    reason: str = Field("", max_length=200)
    seen: str = Field("", max_length=300)


class Resubmit(Schema):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class NewNote(Schema):
    text: str = Field(min_length=1, max_length=4000)


class Presence(Schema):
    typing: bool = False
    leaving: bool = False


class Assign(Schema):
    agent: Username


class TagBody(Schema):
    tag: str = Field(min_length=1, max_length=40)


class BulkBody(Schema):
    """One action on many conversations (``responder.workflow.bulk``)."""

    ids: list[Annotated[int, Field(ge=1, le=10**12)]] = Field(min_length=1, max_length=200)
    action: Literal["claim", "release", "resolve", "dismiss", "tag", "untag", "assign", "assign_team", "undo",
                    "mark_complaint", "mark_not_complaint", "restore_reading"]
    tag: str = Field("", max_length=40)
    agent: str = Field("", max_length=64)
    team: str = Field("", max_length=64)
    seen: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        default_factory=dict, max_length=200,
        description="resolve, dismiss: per conversation id, the key of the customer's newest message the caller "
                    "saw; a conversation with a newer one is refused, not closed")


class BulkForm(Schema):
    """The queue's bulk bar: the selected rows come as repeated ``id`` fields."""

    id: list[Annotated[int, Field(ge=1, le=10**12)]] = Field(default_factory=list)
    action: str = Field("", max_length=20)
    tag: str = Field("", max_length=40)
    agent: str = Field("", max_length=64)
    team: str = Field("", max_length=64)


MentionKey = Annotated[str, StringConstraints(min_length=1, max_length=200)]
IntentName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]


class ReadingBody(Schema):
    """A person's reading of a customer message, over the model's (``responder.workflow.correct_reading``)."""

    complaint: bool | None = Field(None, description="a complaint (true) or not (false); left out: the model's stands")
    sentiment: Literal["negative", "neutral", "positive"] | None = Field(
        None, description="left out: the model's stands")
    mention_key: MentionKey | None = Field(None, description="which customer message; default: the latest one "
                                                             "the model has read")
    intent: IntentName | None = Field(None, description="one of the taxonomy's intents or the brand's own; "
                                                        "left out: the model's stands")


class ReadingForm(Schema):
    """The conversation page's correction form: "" leaves that part as the model read it."""

    complaint: Literal["", "yes", "no"] = ""
    sentiment: Literal["", "negative", "neutral", "positive"] = ""
    intent: str = Field("", max_length=64, pattern=r"^[a-z0-9_]*$")
    mention_key: str = Field("", max_length=200)
    back: str = Field("", pattern=r"^(message-\d{1,5})?$", description="the page anchor to return to")

    def reading(self) -> tuple[bool | None, str | None, str | None, str | None]:
        """(complaint, sentiment, intent, mention key); None where the form left it as the model read it."""
        return ({"yes": True, "no": False}.get(self.complaint), self.sentiment or None, self.intent or None,
                self.mention_key or None)


class RestoreReading(Schema):
    mention_key: MentionKey | None = Field(None, description="which customer message; default: the latest one "
                                                             "the model has read")


class AssignForm(Schema):
    agent: str = Field("", max_length=64)
    team: str = Field("", max_length=64)


class ViewForm(Schema):
    name: str = Field(min_length=1, max_length=40)
    query: str = Field("", max_length=600)


class CodeForm(Schema):
    pending: str = Field("", max_length=100)
    code: str = Field("", max_length=10)
    recovery: str = Field("", max_length=20, description="a one-time recovery code, instead of code")


class SetPasswordForm(Schema):
    link: str = Field("", max_length=200)
    password: str = Field("", max_length=256)
    confirm: str = Field("", max_length=256)


class DraftCheck(Schema):
    text: str = Field(max_length=MAX_TEXT)
    platform: DRAFT_PLATFORMS = "x"
    brand: str = Field("", max_length=64,
                       description="the conversation's brand: its account's server may announce its own limit")
    author: str = Field("", max_length=200, description=(
        "the handle the reply answers: Mastodon's sender puts @handle in front, and that counts"))
    language: str = Field("en", pattern=r"^[a-z]{2,3}$", description=(
        "the reply's language (ISO 639-1, or 'und'): the tone guard reads it with that language's rules and "
        "says when it does not check that language"))


class SendBack(Schema):
    note: str = Field("", max_length=1000)


class Approve(Schema):
    seen: str = Field(min_length=1, max_length=40, description=(
        "required: the reply's updated_at as you read it (approvals[].updated_at in GET /api/sla/summary, or "
        "replies[].updated_at in GET /api/conversations/{id}); if the author edited it since, the approval is "
        "refused (409), so nobody approves a text they did not see"))

    @field_validator("seen")
    @classmethod
    def _a_time(cls, value: str) -> str:
        """Not a time at all ("x") is a bad request (422), not a text edited since it was read (409)."""
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("seen must be a time: the reply's updated_at as you read it") from None
        return value


class MentionsSeen(Schema):
    up_to: int | None = Field(None, ge=0, le=10**12, description=(
        "the newest mention you were shown (newest in GET /api/mentions, the page's own when posted from it): "
        "one that came after stays new; left out: every mention you have now"))


#: The earliest survey answer worth importing: NPS dates from 2003, and the charts start no earlier.
EARLIEST_ANSWER = datetime(2000, 1, 1, tzinfo=UTC)


class SurveyAnswer(Schema):
    brand: Short
    score: int = Field(ge=0, le=10)
    answered_at: AwareDatetime
    answer_id: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description=(
        "the survey tool's id for this answer: an answer imported again with an id already imported for its "
        "brand is skipped, so a batch can be sent twice; no control characters"))

    @field_validator("answered_at")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        """An answer from before 2000 or from the future is a typo or a wrong column, not an answer; years
        such as 0001 or 9999 with an offset also cannot be turned into UTC at all."""
        try:
            at = value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValueError("answered_at is out of range") from None
        if not EARLIEST_ANSWER <= at <= datetime.now(UTC) + timedelta(days=1):
            raise ValueError("answered_at must be between 2000-01-01 and now")
        return at


class SurveyImport(Schema):
    answers: list[SurveyAnswer] = Field(min_length=1, max_length=1000)


class LoginForm(Schema):
    username: str = Field("", max_length=200)
    password: str = Field("", max_length=1000)
    csrf_token: str = Field("", max_length=200)
    next: str = Field("", max_length=2000)


class SurveyForm(Schema):
    """The customer's answer; a missing or non-numeric score is re-asked on the page, not refused."""

    score: str = Field("", max_length=10)
    comment: str = Field("", max_length=MAX_TEXT)  # the page says when it is over MAX_COMMENT


#: Every platform Careline listens on (``careline.domain.Platform``): a customer of any of them may ask.
CUSTOMER_PLATFORMS = tuple(p.value for p in Platform)


class CustomerQuery(Schema):
    platform: str = Field(json_schema_extra={"enum": list(CUSTOMER_PLATFORMS)})
    handle: Username

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        """Checked against the one list of platforms, so a new platform needs no change here."""
        if value not in CUSTOMER_PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(CUSTOMER_PLATFORMS)}")
        return value


class CustomerErase(CustomerQuery):
    confirm: Username = Field(description="the handle again: erasing cannot be undone")


# -- queries ---------------------------------------------------------------------------------------------
class QueueQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ExportQuery(Schema):
    days: int = Field(30, ge=1, le=366)


class TrendsQuery(Schema):
    brand: Short = ""
    days: int = Field(30, ge=1, le=365)
    platform: Literal["", "x", "reddit", "bluesky", "mastodon"] = ""
    language: Short = Field("", description="posts in this language only: a code (de; und: not known), a tag "
                                            "(pt-BR) or an English name (German)")


# -- parsing ---------------------------------------------------------------------------------------------
def _message(exc: ValidationError) -> str:
    """The first problem in words, with the field it is about: ``minutes: Input should be ...``."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


async def body_of(request: web.Request) -> bytes:
    """The body's bytes; a body its ``Content-Encoding`` does not describe (``gzip`` that is not gzip) is a 400,
    where aiohttp's decoding error was a 500."""
    try:
        return await request.read() if request.can_read_body else b""
    except (HttpProcessingError, RequestPayloadError):
        raise web.HTTPBadRequest(text="the body could not be read: it does not match its Content-Encoding") from None


async def read_json(request: web.Request, model: type[M], *, required: bool = True) -> M:
    """The body as ``model``, parsed straight from its bytes (UTF-8, depth and types checked together)."""
    raw = await body_of(request)
    if not raw.strip():
        if required:
            raise web.HTTPBadRequest(text="the body must be a JSON object")
        raw = b"{}"
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()) or not raw.lstrip().startswith(b"{"):
            raise web.HTTPBadRequest(text="the body must be a JSON object (UTF-8, nested at most 200 deep)") from None
        raise Invalid(_message(exc)) from None


async def form_of(request: web.Request) -> Mapping[str, Any]:
    """The posted form; bytes that are not UTF-8 are a 400, not a ``UnicodeDecodeError``, and so are
    percent-escapes that are not (``%ff``: aiohttp decodes them to U+FFFD, and a note read "��" with no word
    said), and a multipart body that cannot be read (a 500 before, even at the login), and a form declared in a
    charset Python does not know (``charset=nope``: a ``LookupError``)."""
    encoded = request.content_type == "application/x-www-form-urlencoded"
    # read first, so a body that does not match its Content-Encoding is a 400 too (a multipart body is read as a
    # stream by ``post``, and must not be read before it)
    raw = await body_of(request) if encoded else b""
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError, LookupError):
        raise web.HTTPBadRequest(text="the form must be UTF-8 text") from None
    except (HttpProcessingError, RequestPayloadError):
        raise web.HTTPBadRequest(text="the form could not be read (a broken multipart body)") from None
    if encoded:
        try:  # the body is read once and kept by aiohttp: this parses the same bytes strictly
            parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise web.HTTPBadRequest(text="the form must be UTF-8 text") from None
    return form


def refuse_surrogates(value: Any, where: str = "the body") -> None:
    """A JSON string may spell half a UTF-16 pair (``"\\ud800"``), which Python keeps as a lone surrogate that
    SQLite, scrypt and every encoder refuse with a ``UnicodeEncodeError`` (a 500); refuse it as a 400 at once."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise web.HTTPBadRequest(text=f"{where} holds text that is not Unicode (a lone \\u surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_surrogates(key, where)
            refuse_surrogates(item, where)
    elif isinstance(value, list):
        for item in value:
            refuse_surrogates(item, where)


def validate_text(model: type[M], values: Mapping[str, Any]) -> M:
    """A form or query (all text) as ``model``; empty fields count as not sent, so defaults apply, and a
    required one sent empty is said to be empty ("text: Field required" answered a box left blank). A field sent
    twice with two values is refused: ``score=1&score=2`` stored the last without a word."""
    if isinstance(values, MultiMapping):
        for name in model.model_fields:
            if len(set(values.getall(name, ()))) > 1:
                raise Invalid(f"{name} is given more than once: send one value")
    data = {k: v for k, v in values.items() if isinstance(v, str) and v != ""}
    try:
        return model.model_validate(data, strict=False)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "missing" and len(first["loc"]) == 1 and values.get(str(first["loc"][0])) == "":
            raise Invalid(f"{first['loc'][0]} is empty: write it first") from None
        raise Invalid(_message(exc)) from None


async def read_form(request: web.Request, model: type[M]) -> M:
    return validate_text(model, await form_of(request))


def read_query(request: web.Request, model: type[M]) -> M:
    return validate_text(model, request.query)
