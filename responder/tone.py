"""Tone guard: flag defensive, blaming, dismissive or policy-hiding phrasing in a reply draft.

Public replies are read by everyone who follows the thread; one "as we already explained" undoes
the apology before it. Sprinklr's Smart Response Compliance flags improper tone and can force an
approval; this is the transparent, rule-based version: each finding names the category, the exact
span, why it reads badly and a rewrite in the house style (acknowledge, own the fix, give the next
step). A vague promise ("we'll look into it") is a softer ``vague_promise`` finding: it does not make
a draft defensive, but the guidance asks for concrete promises.

Rules are regular expressions over the draft, case-insensitive, on word boundaries. They will miss
creative phrasings and occasionally flag a sentence that is fine in context; the agent decides.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

#: Categories that make a draft defensive (the CLI exits 1 on any of these).
BLOCKING = ("defensive", "blaming", "dismissive", "policy_hiding")


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    why: str
    suggestion: str


def _rule(category: str, pattern: str, why: str, suggestion: str) -> Rule:
    return Rule(category, re.compile(pattern, re.IGNORECASE), why, suggestion)


RULES: tuple[Rule, ...] = (
    # defensive: arguing with the customer or protecting the company
    _rule("defensive",
          r"\bas (?:i|we)(?:'ve| have)? (?:already |previously )?"
          r"(?:said|stated|mentioned|explained|told you)\b",
          "Points out that the customer did not listen.", "To recap,"),
    _rule("defensive",
          r"\b(?:it(?:'s| is)|this is|that(?:'s| is)) not (?:our|my) fault\b"
          r"|\bwe(?:'re| are) not (?:responsible|to blame)\b",
          "Denies responsibility before helping.", "We're sorry this happened, and we'll help put it right."),
    _rule("defensive",
          r"\bwe did nothing wrong\b|\bwe (?:have )?(?:followed|did everything) (?:the )?(?:correct|proper|right)\b",
          "Defends the company instead of the customer.", "Let's look at what went wrong together."),
    _rule("defensive", r"\bthat(?:'s| is) (?:not|simply not) (?:true|correct|accurate|what happened)\b",
          "Contradicts the customer in public.", "Thanks for explaining; here's what we can see on our side:"),
    _rule("defensive", r"\b(?:with all due respect|to be fair|in our defen[cs]e)\b",
          "Signals an argument is coming.", "Thanks for telling us."),
    _rule("defensive",
          r"\bno (?:other )?customers? (?:has|have) (?:ever )?(?:complained|reported)\b"
          r"|\byou(?:'re| are) the only (?:one|customer|person)\b",
          "Implies the customer is the problem.", "We're sorry you're running into this."),
    # blaming: the customer did it wrong
    _rule("blaming", r"\byou should(?: have|'ve| not have|n't have)\b",
          "Blames the customer for what already happened.",
          "Next time it can help to ..., and for now here's how we'll fix it:"),
    _rule("blaming",
          r"\byou (?:failed|forgot|neglected) to\b|\byou (?:did not|didn't) (?:read|follow|check|see|notice)\b",
          "Blames the customer.", "It's easy to miss, so here's the step that fixes it:"),
    _rule("blaming", r"\b(?:your (?:own )?fault|user error|customer error|operator error)\b",
          "Blames the customer outright.", "Let's get this working for you:"),
    _rule("blaming", r"\bif you (?:had|would have|'d) (?:read|followed|checked|listened)\b",
          "Blames the customer for the outcome.", "Here's the quickest way to sort it out:"),
    _rule("blaming", r"\b(?:as (?:clearly )?stated in|clearly (?:states|stated|says))\b",
          "Implies the customer did not read the terms.", "Here's how it works, and what we can do:"),
    _rule("blaming", r"\byou (?:misunderstood|misread|are mistaken|are wrong)\b",
          "Tells the customer they are wrong.", "Sorry if that was unclear; here's how it works:"),
    # dismissive: minimising the problem or the feeling
    _rule("dismissive", r"\b(?:calm down|relax|chill out|no need to (?:shout|be upset|get upset))\b",
          "Polices the customer's feelings.", "We understand how frustrating this is."),
    _rule("dismissive", r"\b(?:it(?:'s| is) not a big deal|no big deal|it(?:'s| is) (?:only|just) a\b|not that bad)\b",
          "Minimises the problem.", "We're sorry for the trouble this has caused."),
    _rule("dismissive",
          r"\b(?:there(?:'s| is) nothing (?:we|i) can do|nothing (?:more )?(?:we|i) can do"
          r"|it is what it is|deal with it|get over it)\b",
          "Closes the door without a next step.", "Here's what we can do next:"),
    _rule("dismissive", r"\b(?:obviously|simply|just) (?:restart|reinstall|log ?in|wait|try|click|read|refresh)\b",
          "Makes the fix sound trivial, so the customer feels foolish.",
          "Could you try restarting? If it still fails, we'll dig in."),
    _rule("dismissive", r"\bper my (?:last|previous) (?:message|reply|email|post|tweet)\b",
          "Curt and impatient.", "Thanks for following up."),
    # policy-hiding: using policy as a wall
    _rule("policy_hiding",
          r"\b(?:our|company|store) polic(?:y|ies) "
          r"(?:states?|says?|does not|doesn't|do not|don't|prevents?|prohibits?)\b"
          r"|\bper (?:our )?(?:company )?(?:policy|terms)\b",
          "Hides behind policy instead of explaining.", "Here's why it works this way, and what we can do for you:"),
    _rule("policy_hiding",
          r"\b(?:(?:it(?:'s| is)|this is) against (?:our |company )?policy|due to (?:company |our )?policy"
          r"|company policy|our hands are tied)\b",
          "Uses policy as a wall.", "We can't do that one, but here's what we can do:"),
    _rule("policy_hiding",
          r"\bwe (?:are|'re) (?:unable|not able|not allowed) to (?:comment|disclose|discuss|explain)\b",
          "Refuses to explain.", "Let's take this to a private message so we can go through the details."),
    # vague promises: not defensive, but not a commitment either
    _rule("vague_promise", r"\b(?:as soon as possible|asap|in due course|at some point|shortly|when we can)\b",
          "The customer cannot tell when to expect anything.", "by <time>, e.g. 'by 3pm today' or 'within 24 hours'"),
    _rule("vague_promise",
          r"\bwe(?:'ll| will) (?:look into (?:it|this)|see what we can do|get back to you)\b"
          r"(?![^.!?\n]*\b(?:by|within|in \d+|today|tonight|tomorrow)\b)",
          "A promise without a time or an action.", "We'll check <what> and reply here by <time>."),
)


@dataclass(frozen=True, slots=True)
class ToneFinding:
    """One flagged span: ``text[start:end]`` is the phrase."""

    category: str
    start: int
    end: int
    phrase: str
    why: str
    suggestion: str

    @property
    def blocking(self) -> bool:
        return self.category in BLOCKING


@dataclass(frozen=True, slots=True)
class ToneReport:
    text: str
    findings: tuple[ToneFinding, ...]

    @property
    def defensive(self) -> bool:
        """True when any finding is defensive, blaming, dismissive or policy-hiding."""
        return any(f.blocking for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"defensive": self.defensive, "findings": [asdict(f) for f in self.findings]}


def check_tone(text: str) -> ToneReport:
    """Findings in ``text`` ordered by position; overlapping matches of one category are reported once."""
    found: list[ToneFinding] = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            finding = ToneFinding(rule.category, match.start(), match.end(), match.group(), rule.why, rule.suggestion)
            if not any(_overlaps(finding, other) for other in found):
                found.append(finding)
    return ToneReport(text, tuple(sorted(found, key=lambda f: (f.start, f.end))))


def _overlaps(a: ToneFinding, b: ToneFinding) -> bool:
    return a.category == b.category and a.start < b.end and b.start < a.end
