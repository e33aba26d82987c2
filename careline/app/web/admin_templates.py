"""Reply templates per brand and intent (role admin): what each brand's suggestion starts from, and a
sandboxed preview of an edited template with the tone check and the platform's length limit.

Templates saved here (``admin_settings``, section ``templates``) override the files in
``responder.templates_dir`` and apply to the next suggestion without a restart.
The preview renders in the same sandbox as real drafts (``responder.drafts``), so a template that
previews cleanly here renders the same for agents.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from careline.app.web.admin_settings import editors
from careline.app.web.api import json_body
from careline.app.web.auth import allow
from careline.app.web.fields import text
from careline.app.web.keys import DESK, settings_now
from careline.app.web.pages import render
from careline.domain import Role
from careline.languages import NAMES, language_name
from careline.settings import TEMPLATE_MAX, template_problem
from responder.drafts import DEFAULT_TEMPLATES, LANGUAGE_TEMPLATES, draft_reply
from responder.textlimits import LIMITS, PLATFORM_CHOICES
from responder.workflow import intent_choices

SAMPLE_AUTHOR = "Priya Natarajan"
SAMPLE_REF = "C-10442"


def _check_light(template: str) -> None:
    """A 400 for a template the settings would refuse (``settings.template_problem``): one that does not
    parse, or uses loops, macros, arithmetic, calls or a filter that makes text longer."""
    if problem := template_problem(template):
        raise web.HTTPBadRequest(text=problem)


def _catalogue(request: web.Request) -> list[dict[str, Any]]:
    """One row per brand and intent: whose template applies (the brand's file or the default) and its text; a
    brand's own intents too, which have the ``other`` template until the brand writes one."""
    voices = request.app[DESK].voices
    out = []
    for brand in settings_now(request.app).brands:
        voice = voices.get(brand.name)
        for intent in intent_choices(settings_now(request.app), brand.name):
            own = voice.templates.get(intent)
            default = ("default", DEFAULT_TEMPLATES[intent]) if intent in DEFAULT_TEMPLATES else \
                ("none yet: the other template", DEFAULT_TEMPLATES["other"])
            out.append({"brand": brand.name, "intent": intent, "source": "brand" if own else default[0],
                        "template": own or default[1]})
    return out


def _other_languages(request: web.Request) -> list[dict[str, Any]]:
    """The built-in templates of every other language, by name, with the intents each brand overrides.

    Why on this page: an admin who hears Thai customers should see what they are sent before a brand
    relies on it (the built-ins were not written by native speakers), and which of them the brand
    has already replaced with its own (``<language>/<intent>`` templates)."""
    voices = request.app[DESK].voices
    brands = settings_now(request.app).brands
    out = []
    for lang, templates in LANGUAGE_TEMPLATES.items():
        if lang == "en":
            continue
        own = {b.name: [i for i in templates if f"{lang}/{i}" in voices.get(b.name).templates] for b in brands}
        out.append({"language": lang, "name": language_name(lang), "templates": templates,
                    "own": {brand: intents for brand, intents in own.items() if intents}})
    return sorted(out, key=lambda row: row["name"])


@allow(Role.ADMIN)
async def templates_page(request: web.Request) -> web.Response:
    """The page; ``?brand=&intent=`` (a row's "Customise") starts the save form from that template's text: the
    form started empty, and an admin retyped a default to change one word of it."""
    saved = (await editors(request))["templates"]
    rows = _catalogue(request)
    start = next((r for r in rows if (r["brand"], r["intent"]) == (request.query.get("brand"),
                                                                   request.query.get("intent"))), None)
    editing = ""  # a template already among the settings is changed in its own form: a new one of its key is refused
    if start is not None and f"{start['brand']}/{start['intent']}" in {row.key for row, _ in saved.rows}:
        editing, start = f"{start['brand']}/{start['intent']}", None
    return render(request, "admin_templates.html", title="Reply templates", rows=rows,
                  other_languages=_other_languages(request),
                  brands=[b.name for b in settings_now(request.app).brands],
                  intents=intent_choices(settings_now(request.app), None), start=start, editing=editing,
                  platforms=PLATFORM_CHOICES, saved=dataclasses.replace(saved, new=[]))


@allow(Role.ADMIN)
async def preview(request: web.Request) -> web.Response:
    """Render a template (the body's, or the brand's current one) for a sample customer; tone and length.

    ``language`` (optional) previews the template a post in that language gets: the body's template
    stands in for the brand's ``<language>/<intent>`` one, and the tone guard checks that language."""
    body = await json_body(request)
    brand, intent = text(body, "brand", limit=40), text(body, "intent", limit=40)
    platform, template = text(body, "platform", limit=20), text(body, "template", required=False, limit=TEMPLATE_MAX)
    language = text(body, "language", required=False, limit=3).strip().lower() or None
    if language is not None and language not in NAMES:
        raise web.HTTPBadRequest(text=f"language {language!r} is not a code we know (two letters, e.g. th for Thai)")
    if brand not in {b.name for b in settings_now(request.app).brands}:
        raise web.HTTPNotFound(text=f"no brand {brand!r}")
    if intent not in (known := intent_choices(settings_now(request.app), brand)):
        raise web.HTTPBadRequest(text=f"intent must be one of {', '.join(known)}")
    if platform not in LIMITS:
        raise web.HTTPBadRequest(text=f"platform must be one of {', '.join(sorted(LIMITS))}")
    voice = request.app[DESK].voices.get(brand)
    if template.strip():
        _check_light(template)
        key = f"{language}/{intent}" if language and language != "en" else intent
        voice = dataclasses.replace(voice, templates={**voice.templates, key: template})
    draft = draft_reply(intent, brand, SAMPLE_AUTHOR, SAMPLE_REF, platform, voice=voice,
                        language=language)  # DraftError: a 400
    flagged = [f"{f.phrase!r} ({f.category}: {f.suggestion})" for f in draft.tone.findings]
    verdict = "tone: " + ("; ".join(flagged) if flagged else "ok" if draft.tone.checked else "not checked")
    size = f"{draft.length.length} / {draft.length.limit}"
    note = f"; {draft.note}" if draft.note else ""
    return web.json_response({"text": draft.text, "tone": draft.tone.as_dict(), "length": draft.length.length,
                              "limit": draft.length.limit, "ok": draft.ok, "language": draft.language,
                              "note": draft.note, "message": f"{draft.text}  [{size}; {verdict}{note}]"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/templates", templates_page)
    app.router.add_post("/api/admin/templates/preview", preview)
