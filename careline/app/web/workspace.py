"""The agent's workspace around the queue: bulk work, tags, internal notes, saved views, teams.

Pages post plain forms; the API takes the same fields as JSON. Every rule (who may assign, what a
tag is, what undoes a bulk action) lives in ``responder.workflow`` and ``careline.store.workspace``;
these handlers translate and redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.actions import actor_of, plain, text_field
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import DESK, STORE
from careline.app.web.pages import page_sent_from, render
from careline.app.web.security import seal_message
from careline.domain import CONTROL, Role, utcnow
from careline.errors import CarelineError, Invalid
from careline.store import workspace
from responder import workflow
from responder.replies import is_blank

VERBS = {"claim": "Claimed", "release": "Released", "resolve": "Resolved", "dismiss": "Dismissed", "tag": "Tagged",
         "untag": "Untagged", "assign": "Assigned", "assign_team": "Routed", "undo": "Undid",
         "mark_complaint": "Marked the latest message a complaint in",
         "mark_not_complaint": "Marked the latest message not a complaint in",
         "restore_reading": "Restored the model's reading of"}


def _ids(values: list[str] | list[Any]) -> list[int]:
    try:
        ids = [int(v) for v in values if str(v).strip()]
    except (TypeError, ValueError):
        raise CarelineError("ids must be conversation numbers") from None
    if not ids or any(not 0 < i < 10**12 for i in ids):
        raise CarelineError("select at least one conversation")
    return ids


async def _bulk(request: web.Request, params: dict[str, Any], ids: list[int],
                seen: dict[int, str] | None = None) -> workflow.BulkResult:
    action = text_field(params, "action", limit=20, required=True)
    return await workflow.bulk(request.app[DESK], actor_of(user_of(request)), ids, action, now=utcnow(),
                               agent=text_field(params, "agent", limit=64), team=text_field(params, "team", limit=64),
                               label=text_field(params, "tag", limit=40), seen=seen)


def _seen(values: dict[str, Any], ids: list[int], name: str = "seen-{}") -> dict[int, str]:
    """The customer's newest message the queue showed for each selected row (``seen-ID`` fields of the form, or
    the API's ``seen`` object keyed by id), so a bulk resolve does not close over a message that came in since."""
    found = {i: values.get(name.format(i)) for i in ids}
    if any(v is not None and (not isinstance(v, str) or len(v) > 300) for v in found.values()):
        raise CarelineError("seen must name a customer message per conversation (at most 300 characters)")
    return {i: v for i, v in found.items() if v}


def _back(request: web.Request, default: str = "/") -> str:
    """Back to the queue view the person came from (same origin, path and query only)."""
    ref = page_sent_from(request)
    if ref is None:
        return default
    return ref.path + (f"?{ref.query}" if ref.query else "")


@allow(Role.AGENT)
async def bulk_form(request: web.Request) -> web.Response:
    form = await schemas.form_of(request)
    params = {k: v for k, v in form.items() if k != "id"}
    ids = _ids(form.getall("id", []) if hasattr(form, "getall") else [])
    result = await _bulk(request, params, ids, _seen(params, ids))
    action = str(params["action"])
    words = f"{VERBS.get(action, action)} {len(result.done)} conversation{'s' if len(result.done) != 1 else ''}."
    if result.refused:
        words += f" {len(result.refused)} refused: " + "; ".join(f"#{i} {why}" for i, why in result.refused[:3])
    path, query = _back_saying(request, words)
    undo = workflow.BULK_UNDO.get(action)
    secret = user_of(request).csrf
    if undo and result.done and secret:
        tag = text_field(params, "tag", limit=40)
        query["undo"] = actions.seal_undo(secret, actions.BulkUndo(undo, tag, tuple(result.done)))
    raise web.HTTPSeeOther(f"{path}?{urlencode(query)}")


def _back_saying(request: web.Request, words: str) -> tuple[str, dict[str, str]]:
    """The queue view the person came from (path, query), its earlier outcome and paging dropped, with ``words``
    signed for their session: what the queue says after a bulk action or a view's deletion."""
    back = urlparse(_back(request))
    query = {k: v for k, v in parse_qsl(back.query) if k not in ("bulk", "bsig", "undo", "restore", "after")}
    return back.path or "/", {**query, **_saying(request, words)}


def _saying(request: web.Request, words: str) -> dict[str, str]:
    """``words`` as the queue says them after an action (``bulk``), signed for the person's session (``bsig``)."""
    said = words[:400]
    return {"bulk": said, "bsig": seal_message(user_of(request).csrf, said)}


@allow(Role.AGENT)
async def bulk_json(request: web.Request) -> web.Response:
    body = await schemas.read_json(request, schemas.BulkBody)
    if stray := sorted(set(body.seen) - {str(i) for i in body.ids}):  # a check on nothing would pass in silence
        raise Invalid(f"seen names conversations not in ids: {', '.join(stray[:5])}")
    result = await _bulk(request, body.params(), list(body.ids), _seen(dict(body.seen), list(body.ids), "{}"))
    return web.json_response({"done": list(result.done), "refused": [{"id": i, "reason": r} for i, r in result.refused],
                              "undo": workflow.BULK_UNDO.get(body.action)})


@allow(Role.AGENT)
async def tag_form(request: web.Request) -> web.Response:
    form = dict(await schemas.form_of(request))
    conv_id = int(request.match_info["id"])
    await workflow.tag(request.app[DESK], actor_of(user_of(request)), conv_id,
                       text_field(form, "tag", limit=40, required=True), now=utcnow(),
                       remove=request.path.endswith("/untag"))
    raise web.HTTPSeeOther(f"/conversations/{conv_id}#tags")


@allow(Role.AGENT)
async def tag_json(request: web.Request) -> web.Response:
    body = await schemas.read_json(request, schemas.TagBody)
    out = await workflow.tag(request.app[DESK], actor_of(user_of(request)), int(request.match_info["id"]),
                             body.tag, now=utcnow(),
                             remove=request.path.endswith("/untag"))
    return web.json_response(actions.conversation_json(out))


@allow(Role.AGENT)
async def note_form(request: web.Request) -> web.Response:
    form = dict(await schemas.form_of(request))
    conv_id = int(request.match_info["id"])
    await workflow.add_internal_note(request.app[DESK], actor_of(user_of(request)), conv_id,
                                     text_field(form, "text", limit=4000, required=True), now=utcnow())
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?done=note#notes")


@allow(Role.LEAD)
async def assign_form(request: web.Request) -> web.Response:
    """A lead assigns from the conversation page: to a person, or routes it to a team."""
    form = dict(await schemas.form_of(request))
    conv_id, desk, who = int(request.match_info["id"]), request.app[DESK], actor_of(user_of(request))
    agent, team = text_field(form, "agent", limit=64), text_field(form, "team", limit=64)
    if not agent and "team" not in form:  # no teams yet: the form has a person to choose and nothing else
        raise Invalid("choose the person to assign it to")  # it said "Assigned." and changed nothing
    if agent:
        await workflow.assign(desk, who, conv_id, agent, now=utcnow())
    if team or "team" in form:
        await workflow.assign_team(desk, who, conv_id, team or None, now=utcnow())
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?done=assign")


@allow(Role.AGENT)
async def save_view_form(request: web.Request) -> web.Response:
    form = dict(await schemas.form_of(request))
    name = text_field(form, "name", limit=40, required=True).strip()
    if CONTROL.search(name) or is_blank(name):  # a name of zero-width spaces listed a view nobody could see
        raise Invalid("a view's name needs letters you can see, and no control characters")
    query = text_field(form, "query", limit=600)
    keep = urlencode([(k, v) for k, v in parse_qsl(query.lstrip("?"))
                      if k in ("platform", "brand", "intent", "status", "tag", "team", "mine", "q", "dense")])
    who = user_of(request).username
    replaced = await request.app[STORE].write(lambda db: workspace.save_view(db, who, name, keep, utcnow()))
    words = (f"The view “{name}” now shows this (it showed other filters before)." if replaced
             else f"Saved the view “{name}”.")
    raise web.HTTPSeeOther("/?" + urlencode([*parse_qsl(keep), *_saying(request, words).items()]))


@allow(Role.AGENT)
async def delete_view_form(request: web.Request) -> web.Response:
    """Delete a saved view and say so on the queue, with an Undo that saves it again; a view that was already
    gone (deleted in another tab) is said too, where the page used to reload without a word."""
    me, view_id = user_of(request), int(request.match_info["id"])
    gone = await request.app[STORE].write(lambda db: workspace.delete_view(db, me.username, view_id))
    path, query = _back_saying(request, f"Deleted the view “{gone[0]}”." if gone else "That view was already deleted.")
    if gone and me.csrf:
        query["restore"] = actions.seal_deleted_view(me.csrf, actions.DeletedView(*gone))
    raise web.HTTPSeeOther(f"{path}?{urlencode(query)}")


@allow(Role.AGENT)
async def workspace_json(request: web.Request) -> web.Response:
    """The caller's saved views, the tags in use and the teams (for pickers and scripts)."""
    who = user_of(request).username
    data = await request.app[STORE].read(lambda db: {"views": workspace.views_of(db, who),
                                                     "tags": workspace.all_tags(db), "teams": workspace.teams(db)})
    return web.json_response(plain(data))


async def _mentions(request: web.Request) -> dict[str, Any]:
    """The caller's mentions, newest first (the first ``unseen`` are new), and the newest one's id. Reading
    marks nothing: a prefetch, a link preview or a script polling must not clear someone's new mentions."""
    who = user_of(request).username
    found, unseen = await request.app[STORE].read(
        lambda db: (workspace.mentions_of(db, who), workspace.unseen_mentions(db, who)))
    return {"items": found, "unseen": unseen, "newest": found[0]["id"] if found else 0}


@allow(Role.AGENT)
async def mentions_page(request: web.Request) -> web.Response:
    """Notes in which colleagues named me, the new ones marked; its "Mark as seen" posts to ``/mentions/seen``."""
    m = await _mentions(request)
    return render(request, "mentions.html", title="Mentions", mentions=m["items"], unseen=m["unseen"],
                  newest=m["newest"])


@allow(Role.AGENT)
async def mentions_json(request: web.Request) -> web.Response:
    return web.json_response(await _mentions(request))


async def _mark_seen(request: web.Request, up_to: int | None) -> int:
    """Mark the caller's mentions seen up to ``up_to`` (the newest they were shown; None: all they have), never
    past the newest that exists, so a mention written later is still new; returns how many stay unseen."""
    who, now = user_of(request).username, utcnow()

    def mark(db: Any) -> int:
        newest = next((int(m["id"]) for m in workspace.mentions_of(db, who, limit=1)), 0)  # type: ignore[call-overload]
        workspace.mark_mentions_seen(db, who, now, newest if up_to is None else min(up_to, newest))
        return workspace.unseen_mentions(db, who)

    return int(await request.app[STORE].write(mark))


@allow(Role.AGENT)
async def mentions_seen_form(request: web.Request) -> web.Response:
    await _mark_seen(request, (await schemas.read_form(request, schemas.MentionsSeen)).up_to)
    raise web.HTTPSeeOther("/mentions")


@allow(Role.AGENT)
async def mentions_seen_json(request: web.Request) -> web.Response:
    body = await schemas.read_json(request, schemas.MentionsSeen, required=False)
    return web.json_response({"unseen": await _mark_seen(request, body.up_to)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/mentions", mentions_page)
    app.router.add_post("/mentions/seen", mentions_seen_form)
    app.router.add_get("/api/mentions", mentions_json)
    app.router.add_post("/api/mentions/seen", mentions_seen_json)
    app.router.add_post("/bulk", bulk_form)
    app.router.add_post("/api/bulk", bulk_json)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/tag", tag_form)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/untag", tag_form)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/tag", tag_json)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/untag", tag_json)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/notes", note_form)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/assign", assign_form)
    app.router.add_post("/views", save_view_form)
    app.router.add_post(r"/views/{id:\d{1,12}}/delete", delete_view_form)
    app.router.add_get("/api/workspace", workspace_json)
