"""Reply suggestions: one template per intent, overridable per brand, rendered in a Jinja2 sandbox.

The defaults follow the care guidance every template here is tested against: acknowledge and thank,
never defensive, never blame the customer, focus on the fix and the next step, move to a private
channel whenever personal data (order numbers, account emails) is needed, and keep promises
concrete ("within 2 hours", from the brand voice, not "soon"). Each draft comes back with its tone
report and its length against the platform's limit, so the UI can show both before an agent sends.

Brand templates are written by admins, not developers, so they render in Jinja2's
``ImmutableSandboxedEnvironment`` with ``StrictUndefined``: no attribute tricks into Python
internals, no mutation, and a typo in a variable name is an error instead of an empty gap.
Autoescaping is off because the output is plain text for a social post; whoever shows it in HTML
escapes it there.

Variables available to a template: ``name`` (first name, or "there"), ``author_name``, ``case_ref``,
``brand`` (display name), ``platform``, ``dm`` (how to reach us privately on this platform),
``promise`` (when we will follow up), ``greeting`` and ``sign_off``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from careline.domain import INTENTS
from careline.errors import CarelineError
from responder.textlimits import LengthCheck, check_length
from responder.tone import ToneReport, check_tone

NAME_MAX = 20

_REF = " Ref: {{ case_ref }}{{ sign_off }}"
DEFAULT_TEMPLATES: Mapping[str, str] = {
    "delivery": "{{ greeting }} {{ name }}, thanks for letting us know, and sorry your order hasn't arrived "
    "as expected. Please {{ dm }} with your order number and we'll check with the carrier and update you "
    "{{ promise }}." + _REF,
    "refund_return": "{{ greeting }} {{ name }}, thanks for reaching out, and sorry your refund or return "
    "is taking longer than it should. Please {{ dm }} with your order number so we can trace it and "
    "confirm the next step {{ promise }}." + _REF,
    "billing": "{{ greeting }} {{ name }}, thank you for flagging this, and sorry for the confusion with "
    "your bill. Please {{ dm }} with your account email (never card details) and we'll review the "
    "charge and reply {{ promise }}." + _REF,
    "account_login": "{{ greeting }} {{ name }}, thanks for telling us, and sorry you can't get into your "
    "account. Please {{ dm }} with the email on the account (never your password) and we'll help you "
    "get back in {{ promise }}." + _REF,
    "outage_bug": "{{ greeting }} {{ name }}, thank you for reporting this, and sorry for the disruption. "
    "Our team is working on it. Could you {{ dm }} with your device and app version? We'll update you "
    "here {{ promise }}." + _REF,
    "product_quality": "{{ greeting }} {{ name }}, thanks for telling us, and we're sorry it didn't live up "
    "to what you expected. Please {{ dm }} with your order number and a photo if you can, and we'll go "
    "through the options with you {{ promise }}." + _REF,
    "service_experience": "{{ greeting }} {{ name }}, thank you for telling us, and we're sorry about your "
    "experience. Please {{ dm }} with what happened so we can look into it properly and come back to "
    "you {{ promise }}." + _REF,
    "question": "{{ greeting }} {{ name }}, thanks for asking! A teammate will answer here {{ promise }}. "
    "If it's about your account or an order, please {{ dm }} instead so we can look it up." + _REF,
    "praise": "{{ greeting }} {{ name }}, thank you so much for the kind words! We've shared them with the "
    "team, and it made our day.{{ sign_off }}",
    "other": "{{ greeting }} {{ name }}, thanks for reaching out to {{ brand }}. So we can get you to the "
    "right person, please {{ dm }} with a few details and a teammate will reply {{ promise }}." + _REF,
}
PRIVATE_CHANNEL: Mapping[str, str] = {
    "x": "send us a DM",
    "twitter": "send us a DM",
    "reddit": "send us a private message",
}


class DraftError(CarelineError):
    """A template could not be rendered (syntax error, unknown variable, or blocked by the sandbox)."""


@dataclass(frozen=True, slots=True)
class BrandVoice:
    """How a brand sounds; ``templates`` overrides the defaults per intent."""

    display_name: str = ""
    greeting: str = "Hi"
    sign_off: str = ""  # appended as is, e.g. " ^JS" or " - The Acme team"
    promise: str = "within 2 hours"
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Draft:
    intent: str
    brand: str
    platform: str
    text: str
    length: LengthCheck
    tone: ToneReport
    source: str  # "brand" or "default"

    @property
    def ok(self) -> bool:
        """Fits the platform and has no defensive finding."""
        return self.length.ok and not self.tone.defensive


_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)


#: Leading characters that make a spreadsheet (or a careless pipeline) evaluate a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "|", "%", "\t", "\r")
#: Longest display name a draft ever carries; platforms allow 50 (X) and the greeting only needs a word.
AUTHOR_NAME_MAX = 50
#: Unicode categories dropped from names: controls, format characters (bidi overrides, zero-width
#: joiners), surrogates, private use and unassigned code points.
_DROPPED = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))


def _visible(text: str) -> str:
    """NFKC-folded text without invisible or direction-changing characters, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text)
    return " ".join("".join(ch for ch in folded if unicodedata.category(ch) not in _DROPPED).split())


def safe_name(display_name: str, handle: str = "") -> str:
    """A display name fit to put in a reply the agent may send unedited, or the handle, or "".

    A display name is written by the customer (or by someone impersonating one), so: invisible and
    bidi characters go, one leading @ goes (a handle used as a name), a name that then still starts
    like a formula (``=HYPERLINK(...)``) is not used at all,
    and the rest is capped at :data:`AUTHOR_NAME_MAX`. When nothing usable is left, the handle
    (cleaned the same way, without its @) stands in.
    """
    for candidate in (display_name, handle):
        name = _visible(candidate).removeprefix("@")  # "@jo" is a handle written as a name, not a formula
        if name and not name.startswith(FORMULA_PREFIXES) and any(ch.isalnum() for ch in name):
            return name[:AUTHOR_NAME_MAX].strip()
    return ""


def first_name(author_name: str) -> str:
    """First word of a display name without a leading @, at most 20 characters; "there" if empty."""
    words = author_name.strip().lstrip("@").split()
    return words[0][:NAME_MAX] if words else "there"


def render(template: str, variables: Mapping[str, object]) -> str:
    """Render ``template`` in the sandbox; collapse runs of spaces a missing optional value leaves."""
    try:
        text = _ENV.from_string(template).render(**variables)
    except TemplateError as exc:  # SecurityError and UndefinedError are TemplateErrors
        raise DraftError(f"reply template failed: {exc}") from exc
    return re.sub(r" {2,}", " ", text).strip()


def draft_reply(
    intent: str,
    brand: str,
    author_name: str,
    case_ref: str,
    platform: str,
    *,
    voice: BrandVoice | None = None,
) -> Draft:
    """A suggested reply for ``intent`` in ``brand``'s voice, checked for tone and length.

    Unknown intents use the ``other`` template. When the first name makes an X draft too long, the
    draft falls back to "there"; if it is still too long, the draft is returned with ``length.ok``
    false for the agent to shorten.
    """
    voice = voice or BrandVoice()
    author_name = safe_name(author_name)
    key = intent if intent in DEFAULT_TEMPLATES else "other"
    template = voice.templates.get(key) or DEFAULT_TEMPLATES[key]
    variables = {
        "name": first_name(author_name),
        "author_name": author_name,
        "case_ref": case_ref,
        "brand": voice.display_name or brand,
        "platform": platform,
        "dm": PRIVATE_CHANNEL.get(platform.lower(), "send us a private message"),
        "promise": voice.promise,
        "greeting": voice.greeting,
        "sign_off": voice.sign_off,
    }
    text = render(template, variables)
    length = check_length(platform, text)
    if not length.ok and variables["name"] != "there":
        text = render(template, {**variables, "name": "there"})
        length = check_length(platform, text)
    source = "brand" if key in voice.templates else "default"
    return Draft(key, brand, platform, text, length, check_tone(text), source)


def load_brand_templates(directory: str | Path) -> dict[str, dict[str, str]]:
    """Read ``<directory>/<brand>/<intent>.j2`` files into ``{brand: {intent: template}}``.

    The IO edge of this module: call it once at start and pass the result into :class:`BrandVoice`.
    Files for unknown intents are rejected so a misspelt file name does not silently do nothing.
    """
    root = Path(directory)
    out: dict[str, dict[str, str]] = {}
    if not root.is_dir():
        return out
    for path in sorted(root.glob("*/*.j2")):
        if path.stem not in INTENTS:
            raise DraftError(f"{path}: unknown intent {path.stem!r} (known: {', '.join(INTENTS)})")
        source = path.read_text(encoding="utf-8").strip()
        try:
            _ENV.parse(source)
        except TemplateError as exc:
            raise DraftError(f"{path}: {exc}") from exc
        out.setdefault(path.parent.name, {})[path.stem] = source
    return out
