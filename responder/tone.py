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


# The same categories' commonest phrasings in the other languages replies are drafted in. Fewer
# rules than English: the guard says which languages it checks, and says so when it cannot.
RULES_BY_LANGUAGE: dict[str, tuple[Rule, ...]] = {
    "en": RULES,
    "de": (
        _rule("defensive", r"\bwie (?:bereits|schon) (?:gesagt|erwähnt|erklärt)\b|\bnicht unsere schuld\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kurz zusammengefasst:"),
        _rule("blaming", r"\b(?:du hättest|sie hätten|ihre eigene schuld|deine eigene schuld)\b",
              "Blames the customer.", "So lösen wir es jetzt:"),
        _rule("dismissive", r"\b(?:beruhigen sie sich|beruhig dich|da können wir nichts machen)\b",
              "Dismisses the customer or closes the door.", "Das ist ärgerlich, und das können wir tun:"),
        _rule("policy_hiding", r"\b(?:gemäß unseren richtlinien|laut unseren agb|unsere richtlinien erlauben)\b",
              "Hides behind policy.", "Darum ist es so, und das können wir für dich tun:"),
    ),
    "fr": (
        _rule("defensive", r"\bcomme (?:déjà )?(?:indiqué|expliqué|dit)\b|\bce n'est pas (?:de )?notre faute\b",
              "Points out that the customer did not listen, or denies responsibility.", "Pour résumer :"),
        _rule("blaming", r"\bvous auriez dû\b|\bc'est (?:de )?votre faute\b",
              "Blames the customer.", "Voici comment nous allons régler cela :"),
        _rule("dismissive", r"\b(?:calmez-vous|nous ne pouvons rien faire|on ne peut rien faire)\b",
              "Dismisses the customer or closes the door.", "Voici ce que nous pouvons faire :"),
        _rule("policy_hiding", r"\b(?:selon notre politique|conformément à nos conditions)\b",
              "Hides behind policy.", "Voici pourquoi, et ce que nous pouvons faire :"),
    ),
    "es": (
        _rule("defensive", r"\bcomo (?:ya )?(?:te|le)? ?(?:dijimos|indicamos|explicamos)\b|\bno es culpa nuestra\b",
              "Points out that the customer did not listen, or denies responsibility.", "Para resumir:"),
        _rule("blaming", r"\b(?:deberías haber|debería haber|es tu culpa|es su culpa)\b",
              "Blames the customer.", "Así lo solucionamos ahora:"),
        _rule("dismissive", r"\b(?:cálmate|cálmese|no podemos hacer nada)\b",
              "Dismisses the customer or closes the door.", "Esto es lo que podemos hacer:"),
        _rule("policy_hiding", r"\b(?:según nuestra política|por política de la empresa)\b",
              "Hides behind policy.", "Te explicamos por qué y qué podemos hacer:"),
    ),
    "pt": (
        _rule("defensive", r"\bcomo já (?:dissemos|explicamos|informamos)\b|\bnão é culpa nossa\b",
              "Points out that the customer did not listen, or denies responsibility.", "Resumindo:"),
        _rule("blaming", r"\b(?:você deveria ter|a culpa é sua)\b", "Blames the customer.", "Vamos resolver assim:"),
        _rule("dismissive", r"\b(?:acalme-se|não podemos fazer nada)\b",
              "Dismisses the customer or closes the door.", "Eis o que podemos fazer:"),
    ),
    "it": (
        _rule("defensive", r"\bcome già (?:detto|spiegato|indicato)\b|\bnon è colpa nostra\b",
              "Points out that the customer did not listen, or denies responsibility.", "Riassumendo:"),
        _rule("blaming", r"\b(?:avresti dovuto|avrebbe dovuto|è colpa tua|è colpa sua)\b",
              "Blames the customer.", "Ecco come risolviamo:"),
        _rule("dismissive", r"\b(?:si calmi|calmati|non possiamo fare nulla)\b",
              "Dismisses the customer or closes the door.", "Ecco cosa possiamo fare:"),
    ),
    "nl": (
        _rule("defensive", r"\bzoals (?:al|eerder) (?:gezegd|uitgelegd|aangegeven)\b|\bniet onze schuld\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kort samengevat:"),
        _rule("blaming", r"\b(?:je had moeten|u had moeten|je eigen schuld|uw eigen schuld)\b",
              "Blames the customer.", "Zo lossen we het op:"),
        _rule("dismissive", r"\b(?:rustig aan|kalm aan|we kunnen er niets aan doen)\b",
              "Dismisses the customer or closes the door.", "Dit kunnen we wel doen:"),
    ),    "pl": (
        _rule("defensive", r"\bjak (?:już )?(?:wspominaliśmy|pisaliśmy|mówiliśmy|wyjaśnialiśmy)\b"
                           r"|\bto nie (?:jest )?nasza wina\b",
              "Points out that the customer did not listen, or denies responsibility.", "Krótko podsumowując:"),
        _rule("blaming", r"\b(?:trzeba było|powinien pan był|powinna pani była|powinieneś był|powinnaś była"
                         r"|to (?:pana|pani|twoja) wina)\b",
              "Blames the customer.", "Tak to teraz rozwiążemy:"),
        _rule("dismissive", r"\b(?:proszę się uspokoić|uspokój się|nic nie możemy (?:zrobić|na to poradzić))\b",
              "Dismisses the customer or closes the door.", "To frustrujące, a oto co możemy zrobić:"),
        _rule("policy_hiding", r"\b(?:zgodnie z (?:naszym )?regulaminem|regulamin nie pozwala)\b",
              "Hides behind policy.", "Wyjaśniamy, dlaczego tak jest, i co możemy zrobić:"),
    ),
    "ru": (
        _rule("defensive", r"\bкак (?:мы )?уже (?:говорили|писали|объясняли|сообщали)\b|\bэто не наша вина\b"
                           r"|\bмы не виноваты\b",
              "Points out that the customer did not listen, or denies responsibility.", "Коротко о главном:"),
        _rule("blaming", r"\b(?:вам следовало|вы сами виноваты|это ваша вина|вы должны были)\b",
              "Blames the customer.", "Вот как мы это решим:"),
        _rule("dismissive", r"\b(?:успокойтесь|ничем не можем помочь|ничего не можем (?:сделать|поделать))\b",
              "Dismisses the customer or closes the door.", "Понимаем, как это неприятно, и вот что мы можем сделать:"),
        _rule("policy_hiding", r"\b(?:согласно (?:нашим )?правилам|правила не позволяют)\b",
              "Hides behind policy.", "Объясним, почему так, и что мы можем сделать:"),
    ),
    "tr": (
        _rule("defensive", r"\b(?:daha önce de )?(?:belirttiğimiz|söylediğimiz|açıkladığımız) gibi\b"
                           r"|\bbizim (?:suçumuz|hatamız) değil\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kısaca özetlersek:"),
        _rule("blaming", r"\b(?:sizin (?:hatanız|suçunuz)|dikkat etmeniz gerekirdi|yapmanız gerekirdi)\b",
              "Blames the customer.", "Şimdi bunu şöyle çözeceğiz:"),
        _rule("dismissive", r"\b(?:sakin olun|yapabileceğimiz bir şey yok|elimizden bir şey gelmez)\b",
              "Dismisses the customer or closes the door.", "Can sıkıcı olduğunu biliyoruz; yapabileceğimiz şu:"),
        _rule("policy_hiding", r"\b(?:şirket )?(?:politikamız|politikası|kurallarımız) gereği\b",
              "Hides behind policy.", "Nedenini açıklayalım ve neler yapabileceğimizi söyleyelim:"),
    ),
    "hu": (
        _rule("defensive", r"\bahogy (?:már )?(?:említettük|írtuk|jeleztük|elmondtuk)\b|\bnem a mi hibánk\b",
              "Points out that the customer did not listen, or denies responsibility.", "Röviden összefoglalva:"),
        _rule("blaming", r"\b(?:a te hibád|az ön hibája|figyelned kellett volna|figyelnie kellett volna)\b",
              "Blames the customer.", "Most így oldjuk meg:"),
        _rule("dismissive", r"\b(?:nyugodj meg|nyugodjon meg|nem tudunk mit tenni|ezzel nem tudunk mit kezdeni)\b",
              "Dismisses the customer or closes the door.", "Értjük, hogy bosszantó, és ezt tudjuk tenni:"),
    ),
    # Chinese, Japanese and Korean: no word boundaries to anchor on, so the phrases are matched as written.
    "zh": (
        _rule("defensive", r"正如我们之前所说|我们已经(?:说|解释)过|这不是我们的(?:错|问题|责任)",
              "Points out that the customer did not listen, or denies responsibility.", "简单总结一下："),
        _rule("blaming", r"是您自己的(?:错|问题)|您应该(?:早点|事先)|怪您自己", "Blames the customer.",
              "我们现在这样为您解决："),
        _rule("dismissive", r"请您冷静|我们也没办法|我们无能为力", "Dismisses the customer or closes the door.",
              "理解您的心情，我们可以这样做："),
        _rule("policy_hiding", r"根据(?:公司|我们的)规定", "Hides behind policy.", "原因是这样的，我们可以为您："),
    ),
    "ja": (
        _rule("defensive", r"(?:先ほど|以前)も(?:申し上げた|ご説明した)(?:通り|とおり)"
                           r"|弊社(?:の責任ではございません|に責任はありません)",
              "Points out that the customer did not listen, or denies responsibility.", "要点をまとめますと、"),
        _rule("blaming", r"お客様(?:の責任|のミス|ご自身の)|ご確認いただくべきでした",
              "Blames the customer.", "これから次のように対応いたします："),
        _rule("dismissive", r"落ち着いてください|どうすることもできません",
              "Dismisses the customer or closes the door.", "ご不便をおかけしております。私たちにできることは："),
        _rule("policy_hiding", r"規約により|規定により", "Hides behind policy.",
              "理由をご説明し、できることをご案内します："),
    ),
    "ko": (
        _rule("defensive", r"이미 말씀드린 (?:것처럼|대로)|저희 (?:잘못|책임)이 아닙니다",
              "Points out that the customer did not listen, or denies responsibility.", "간단히 정리하면,"),
        _rule("blaming", r"고객님의? (?:잘못|실수)|확인하셨어야", "Blames the customer.",
              "이렇게 해결해 드리겠습니다:"),
        _rule("dismissive", r"진정하세요|진정하시고|어쩔 수 없습니다|해 드릴 수 있는 게 없습니다",
              "Dismisses the customer or closes the door.", "불편하셨을 텐데, 저희가 할 수 있는 것은:"),
        _rule("policy_hiding", r"규정상|정책상", "Hides behind policy.",
              "이유를 설명드리고, 가능한 방법을 안내해 드리겠습니다:"),
    ),
    "ar": (
        _rule("defensive", r"كما (?:ذكرنا|أوضحنا|أخبرناك) (?:سابق(?:ًا|اً|ا)?|من قبل)|ليس خطأنا|ليست مسؤوليتنا",
              "Points out that the customer did not listen, or denies responsibility.", "باختصار:"),
        _rule("blaming", r"كان عليك|هذا خطؤك|الخطأ منك", "Blames the customer.", "إليك كيف سنحل الأمر الآن:"),
        _rule("dismissive", r"اهدأ|لا (?:يمكننا|نستطيع) فعل (?:أي )?شيء", "Dismisses the customer or closes the door.",
              "نتفهم انزعاجك، وإليك ما يمكننا فعله:"),
        _rule("policy_hiding", r"(?:حسب |وفق(?:ًا|اً|ا)? ل)سياس(?:تنا|ة الشركة)", "Hides behind policy.",
              "إليك السبب وما يمكننا فعله:"),
    ),
    "th": (  # Thai writes no spaces between words: no \b, as for CJK
        _rule("defensive", r"(?:ตามที่|อย่างที่)(?:เรา)?(?:ได้)?(?:เคย)?(?:แจ้ง|บอก|อธิบาย)(?:ไป)?แล้ว"
                           r"|ไม่ใช่(?:ความผิด|ความรับผิดชอบ)ของ(?:เรา|บริษัท)",
              "Points out that the customer did not listen, or denies responsibility.", "สรุปสั้น ๆ คือ"),
        _rule("blaming", r"(?:เป็น)?ความผิดของ(?:คุณ|ลูกค้า)|คุณ(?:ควรจะ|น่าจะ)(?:ตรวจสอบ|อ่าน|เช็ก)(?:เอง|ก่อน)",
              "Blames the customer.", "เราจะช่วยแก้ไขให้ดังนี้:"),
        _rule("dismissive", r"ใจเย็น ?ๆ|(?:เรา)?ทำอะไรไม่ได้|ช่วยอะไรไม่ได้",
              "Dismisses the customer or closes the door.", "เข้าใจความรู้สึกของคุณ สิ่งที่เราทำได้คือ:"),
        _rule("policy_hiding", r"ตาม(?:นโยบาย|ระเบียบ|กฎ)(?:ของ(?:บริษัท|เรา))?", "Hides behind policy.",
              "ขออธิบายเหตุผล และสิ่งที่เราทำได้:"),
    ),
}
#: Languages the tone guard checks; a draft in any other language comes back unchecked, and says so.
TONE_LANGUAGES = tuple(RULES_BY_LANGUAGE)


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
    language: str = "en"

    @property
    def checked(self) -> bool:
        """False when the guard has no rules for the draft's language: no findings means nothing then."""
        return self.language in RULES_BY_LANGUAGE

    @property
    def defensive(self) -> bool:
        """True when any finding is defensive, blaming, dismissive or policy-hiding."""
        return any(f.blocking for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON; a draft in another language than English also says whether (and in
        which languages) the guard could check it. English reports keep their original two keys."""
        out: dict[str, Any] = {"defensive": self.defensive, "findings": [asdict(f) for f in self.findings]}
        if self.language == "en":
            return out
        out.update(language=self.language, checked=self.checked, languages_checked=list(TONE_LANGUAGES))
        if not self.checked:
            out["note"] = f"the tone guard has no rules for '{self.language}': check this reply by hand"
        return out


def check_tone(text: str, language: str = "en") -> ToneReport:
    """Findings in ``text`` ordered by position; overlapping matches of one category are reported once.

    ``language`` picks the rule set (``TONE_LANGUAGES``); English rules run too on every draft, since
    an English phrase inside another language's reply reads just as badly.
    """
    found: list[ToneFinding] = []
    rules = RULES if language == "en" else (*RULES_BY_LANGUAGE.get(language, ()), *RULES)
    for rule in rules:
        for match in rule.pattern.finditer(text):
            finding = ToneFinding(rule.category, match.start(), match.end(), match.group(), rule.why, rule.suggestion)
            if not any(_overlaps(finding, other) for other in found):
                found.append(finding)
    return ToneReport(text, tuple(sorted(found, key=lambda f: (f.start, f.end))), language or "en")


def _overlaps(a: ToneFinding, b: ToneFinding) -> bool:
    return a.category == b.category and a.start < b.end and b.start < a.end
