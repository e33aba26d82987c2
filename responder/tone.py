"""Tone guard: flag defensive, blaming, dismissive or policy-hiding phrasing in a reply draft.

Public replies are read by everyone who follows the thread; one "as we already explained" undoes
the apology before it. Sprinklr's Smart Response Compliance flags improper tone and can force an
approval; this is the transparent, rule-based version: each finding names the category, the exact
span, why it reads badly and a rewrite in the house style (acknowledge, own the fix, give the next
step). A vague promise ("we'll look into it") is a softer ``vague_promise`` finding: it does not make
a draft defensive, but the guidance asks for concrete promises.

Rules are regular expressions over the draft, case-insensitive, on word boundaries. A few read their
context (``Rule.unless``): a policy cited to grant something, "not your fault" after a negation, and a plain
"as we said" in a public update or beside an apology are fine. They will miss creative phrasings and
occasionally flag a sentence that is fine in context; the agent decides.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass
from typing import Any

from careline.languages import language_name

#: Categories that make a draft defensive (the CLI exits 1 on any of these).
BLOCKING = ("defensive", "blaming", "dismissive", "policy_hiding")


@dataclass(frozen=True, slots=True)
class Rule:
    """A phrasing that reads badly, unless its context makes it fine: ``unless`` is searched in the sentence
    that holds the match ("Per our policy you're entitled to a full refund" grants, it does not refuse),
    ``unless_reply`` in the whole reply ("As we mentioned in our update ... Sorry again" informs)."""

    category: str
    pattern: re.Pattern[str]
    why: str
    suggestion: str
    unless: re.Pattern[str] | None = None
    unless_reply: re.Pattern[str] | None = None

    def spans(self, reply: str, sentences: _Sentences) -> list[tuple[int, int]]:
        """Where this rule matches ``reply`` and the context does not make it fine. Each sentence is judged
        once, so a long draft with many matches stays linear."""
        matches = [m.span() for m in self.pattern.finditer(reply)]
        if not matches or (self.unless_reply is not None and self.unless_reply.search(reply)):
            return []
        spared: dict[tuple[int, int], bool] = {}
        for start, end in matches:
            begin, stop = sentences.around(start, end)
            if (begin, stop) not in spared:
                spared[begin, stop] = self.unless is not None and self.unless.search(reply[begin:stop]) is not None
        return [(start, end) for start, end in matches if not spared[sentences.around(start, end)]]


def _rule(category: str, pattern: str, why: str, suggestion: str, unless: str | None = None,
          unless_reply: str | None = None) -> Rule:
    return Rule(category, re.compile(pattern, re.IGNORECASE), why, suggestion,
                re.compile(unless, re.IGNORECASE) if unless else None,
                re.compile(unless_reply, re.IGNORECASE) if unless_reply else None)


#: Where a sentence ends: ".", "!", "?", ";" before a space or the end (not "18.00"), or a line break.
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")


class _Sentences:
    """The sentence bounds of one draft, found once."""

    def __init__(self, text: str) -> None:
        marks = [m.span() for m in _SENTENCE_END.finditer(text)]
        self._starts = [end for _start, end in marks]
        self._ends = [start for start, _end in marks]
        self._length = len(text)

    def around(self, start: int, end: int) -> tuple[int, int]:
        """``(begin, stop)`` of the sentence that holds ``text[start:end]``."""
        before = bisect.bisect_right(self._starts, start)
        after = bisect.bisect_left(self._ends, end)
        return (self._starts[before - 1] if before else 0,
                self._ends[after] if after < len(self._ends) else self._length)


def _grants(benefit: str, refusal: str) -> str:
    """A sentence that names a benefit and refuses or restricts nothing: "Laut unseren Richtlinien bekommst du
    die volle Entschädigung" cites the policy to give, and "Per our policy, no refunds" still refuses."""
    return rf"^(?!.*(?:{refusal})).*(?:{benefit})"


# What makes a policy citation or an "as we said" fine, per language of the first templates. "Don't worry"
# and its kin are reassurance, not refusal.
_BENEFITS: dict[str, str] = {
    "en": r"\b(?:entitled|eligible|right to|refund\w*|reimburs\w*|compensat\w*|credit\w*|free|at no (?:extra )?cost"
          r"|waive\w*|gives? you|you(?:'re| are) covered|you (?:can|may|will|'ll) (?:get|receive|claim|keep|return"
          r"|exchange|cancel))\b",
    "de": r"\b(?:anspruch|zusteh\w*|steht (?:dir|ihnen|euch)|bekomm\w*|erhält\w*|erhalten|erstatt\w*|entschädig\w*"
          r"|gutschrift|gutgeschrieben|kostenlos\w*|kostenfrei\w*|gratis|umsonst|übernehmen|ersetzen|zurückgeben"
          r"|zurücksenden|umtauschen|stornieren)\b",
    "fr": r"\b(?:droit|rembours\w*|indemnis\w*|dédommag\w*|gratuit\w*|offert\w*|un avoir|geste commercial"
          r"|bénéfici\w*|permet|pren\w* en charge|vous pouvez (?:retourner|échanger|annuler|obtenir|demander))\b",
    "es": r"\b(?:derecho|reembols\w*|devol\w*|compensa\w*|indemniz\w*|gratis|gratuit\w*|sin (?:coste|costo|cargo)"
          r"|abon\w*|te corresponde|le corresponde|cubrimos|puedes (?:devolver|cambiar|cancelar|pedir|solicitar))\b",
    "pt": r"\b(?:direito|reembols\w*|estorn\w*|ressarc\w*|indeniza\w*|compensa\w*|grátis|gratuit\w*|sem custo"
          r"|crédito|pode (?:devolver|trocar|cancelar|pedir|solicitar)|cobrimos)\b",
    "it": r"\b(?:diritto|rimbors\w*|risarci\w*|indennizz\w*|compens\w*|gratis|gratuit\w*|senza costi"
          r"|a (?:nostro|nostre) (?:carico|spese)|spetta|buono|puoi (?:restituire|cambiare|annullare|richiedere)"
          r"|può (?:restituire|cambiare|annullare|richiedere))\b",
    "nl": r"\b(?:recht op|terugbetal\w*|vergoed\w*|compensatie|gratis|kosteloos|tegoed|terugkrijgen|krijg(?:t"
          r"|en)? (?:je|u)"
          r"|(?:je|u) krijgt|mag (?:je|u)|kun(?:t|nen)? (?:je|u) (?:retourneren|ruilen|annuleren))\b",
}
_REFUSALS: dict[str, str] = {
    "en": r"\b(?:not|no|never|cannot|only|unless|except|unfortunately|sadly|however)\b(?! (?:worries|problem))"
          r"|n't\b(?! worry)",
    "de": r"\b(?:nicht|nie|niemals|nur|leider|jedoch|allerdings|ausgeschlossen|ausschließlich|erst)\b"
          r"|\bkein(?:e|en|er|em|es)?\b(?! sorgen?\b)",
    "fr": r"\bne\b(?! vous inquiétez)|\bn'(?!hésitez)|\bpas\b(?<!inquiétez pas)(?<!hésitez pas)(?! de (?:souci"
          r"|problème))"
          r"|\b(?:aucun|aucune|jamais|rien|seulement|uniquement|malheureusement|hélas|sauf|excepté)\b",
    "es": r"\bno\b(?! (?:te|se|os) preocup)|\b(?:nunca|ningún|ninguna|ninguno|nada|solo|sólo|solamente|únicamente"
          r"|lamentablemente|desafortunadamente|salvo|excepto)\b",
    "pt": r"\bnão\b(?! (?:se |te )?preocup)|\b(?:nunca|nenhum|nenhuma|nada|só|somente|apenas|infelizmente|exceto"
          r"|salvo)\b",
    "it": r"\bnon\b(?! (?:si |ti )?preoccup)|\b(?:mai|nessun|nessuna|nessuno|niente|nulla|solo|soltanto|solamente"
          r"|purtroppo|tranne|salvo|eccetto)\b",
    "nl": r"\b(?:niet|nooit|niets|niks|alleen|slechts|helaas|behalve|tenzij)\b|\bgeen\b(?! zorgen)",
}
#: An apology in the reply: "as we mentioned" beside one informs. One whose sentence goes on to "but" ("Sorry for
#: the confusion, but as we said ...") introduces the argument, and "sorry you feel that way" is none.
_APOLOGIES: dict[str, str] = {
    "en": r"\b(?:sorry|apologi[sz]e|apologies)\b(?![^.!?]{0,40}?\bbut\b)(?! (?:if |that )?you feel)",
    "de": r"\b(?:entschuldig\w*|tut (?:uns|mir) (?:sehr |wirklich |aufrichtig )?leid|sorry)\b(?![^.!?]{0,40}?\baber\b)",
    "fr": r"\b(?:désolée?s?|(?:nous nous|je m') ?excus\w*|excusez-nous|nos excuses|pardon)\b"
          r"(?![^.!?]{0,40}?\bmais\b)",
    "es": r"\b(?:disculp\w*|lo (?:siento|sentimos)|perd[oó]n\w*)\b(?![^.!?]{0,40}?\bpero\b)",
    "pt": r"\b(?:desculp\w*|lamentamos|sentimos muito|perdão)\b(?![^.!?]{0,40}?\bmas\b)",
    "it": r"\b(?:scus\w*|(?:ci|mi) dispiace|perdon\w*)\b(?![^.!?]{0,40}?\bma\b)",
    "nl": r"\b(?:excuses|excuus\w*|sorry|spijt)\b(?![^.!?]{0,40}?\bmaar\b)",
}
#: A public update named in the sentence: "as we said in our last update" repeats news, not a reproach.
_UPDATES: dict[str, str] = {
    "en": r"\b(?:update|announcement|status page|statement|bulletin)s?\b",
    "de": r"\b(?:update|aktualisierung|statusmeldung|statusseite|ankündigung)\b",
    "fr": r"\b(?:mises? à jour|annonce|communiqué|page de statut)\b",
    "es": r"\b(?:actualización|actualizaciones|comunicado|anuncio|página de estado)\b",
    "pt": r"\b(?:atualização|actualização|atualizações|comunicado|anúncio|página de status)\b",
    "it": r"\b(?:aggiornamento|aggiornamenti|comunicato|annuncio|pagina di stato)\b",
    "nl": r"\b(?:update|updates|mededeling|aankondiging|statuspagina)\b",
}


#: A system said to work again: "our app is working perfectly again" is news, not a defence.
_RESTORED: dict[str, str] = {
    "en": r"\b(?:again|now|back|restored|fixed)\b",
    "de": r"\b(?:wieder|jetzt|nun|inzwischen|mittlerweile|behoben|repariert|seit)\b",
    "fr": r"\b(?:de nouveau|à nouveau|désormais|maintenant|rétabli\w*|réparé\w*|corrigé\w*)\b",
    "es": r"\b(?:de nuevo|otra vez|ya|ahora|restablecid\w*|solucionad\w*|arreglad\w*|vuelve)\b",
    "pt": r"\b(?:de novo|novamente|já|agora|restabelecid\w*|corrigid\w*|voltou|volta)\b",
    "it": r"\b(?:di nuovo|ora|adesso|ripristinat\w*|risolt\w*|torna\w*|già)\b",
    "nl": r"\b(?:weer|nu|inmiddels|hersteld|opgelost)\b",
}


def _policy_spared(language: str) -> str:
    """A policy rule's ``unless``: the sentence grants something and refuses nothing."""
    return _grants(_BENEFITS[language], _REFUSALS[language])


#: Typographic apostrophes and quotes folded to the ASCII ones the rules are written with, so "It’s not
#: our fault" (phones and word processors curl the apostrophe) reads as "It's not our fault". One character
#: for one, so a finding's span still points into the draft as written. No-break spaces (French puts one
#: before ";" and "?") become spaces.
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'", "´": "'", "＇": "'",
                       "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                       "\u00a0": " ", "\u202f": " ", "\u2011": "-"})

#: Past participles that make "you should have ..." a reproach; "you should have received" is news.
_EN_SHOULD = (r"(?:read|checked|looked|known|noticed|followed|paid attention|asked|kept|updated|ordered|"
              r"been more careful|double-checked|made sure|listened|realised|realized|verified|saved|"
              r"backed up|entered|selected|chosen|contacted us (?:earlier|sooner|first)|told us (?:earlier|sooner))")
#: What "you must have ..." guesses the customer got wrong; "you must have been so worried" is empathy.
#: What "if you'd ..." reproaches the customer for not doing; "if you'd like" and "if you had checked in" are fine.
_EN_HEEDED = (r"(?:read|re-read|reread|checked(?! in| out)|double-checked|looked|followed|listened"
              r"|paid (?:more )?attention"
              r"|bothered|scrolled|noticed|taken (?:the|a) (?:time|moment|minute|second))")
#: German past participles of heeding ("gelesen", "nachgesehen", "aufgepasst") and of entering something.
_DE_HEEDED = (r"(?:\w*gelesen|\w*geprüft|überprüft|\w*gesehen|\w*geschaut|\w*geguckt|kontrolliert|beachtet|\w*gepasst"
              r"|\w*gecheckt|\w*geachtet|zugehört|informiert)")
_DE_ENTERED = (r"(?:eingegeben|eingetippt|getippt|eingetragen|gelesen|verstanden|ausgefüllt|angegeben|ausgewählt"
               r"|gewählt"
               r"|angeklickt|eingestellt|hinterlegt)")
#: What a German reply threatens to do to the customer or their account.
_DE_THREAT = (r"(?:sperren|blockieren|stummschalten|anzeigen|ignorieren|(?:ihr|dein|euer)e?n? (?:konto|account"
              r"|kundenkonto|profil|zugang) (?:schließen|löschen|kündigen|deaktivieren))")
#: "Wrong" after a Spanish verb of entering: "introdujiste mal el PIN", "pusiste la dirección equivocada".
_ES_WRONG = r"(?:mal|erróneamente|incorrectamente|equivocad[oa]s?|incorrect[oa]s?)"
#: "Wrong" after an Italian verb of entering: "avrà inserito male il codice", "ha scelto la taglia sbagliata".
_IT_WRONG = r"(?:male|sbagliat[oaie]|in modo errato|erroneamente|errat[oaie])"
#: Dutch past participles of heeding ("gecheckt", "nagekeken") and of entering something.
_NL_HEEDED = (r"(?:gelezen|doorgelezen|nagelezen|gecheckt|gecontroleerd|nagekeken|bekeken|gekeken|opgelet|gelet|gevolgd"
              r"|geluisterd)")
_NL_ENTERED = (r"(?:gelezen|ingevuld|begrepen|ingevoerd|getypt|ingetoetst|ingetikt|gekozen|geselecteerd|aangeklikt"
               r"|opgegeven|doorgegeven|ingesteld|gespeld|overgenomen|gekopieerd)")
_EN_MUST = (r"(?:entered|typed|misread|missed|forgotten|overlooked|clicked|selected|chosen|deleted|ignored|"
            r"made a mistake|misunderstood|skipped|used the wrong|put the wrong|given us the wrong)")

RULES: tuple[Rule, ...] = (
    # defensive: arguing with the customer or protecting the company
    _rule("defensive",
          r"\bas (?:i|we)(?:'ve| have)? (?:already |previously |just )?"
          r"(?:said|stated|mentioned|explained|told you|informed you|advised you|pointed out)\b"
          r"|\blike (?:i|we)(?:'ve| have)? (?:already )?(?:said|told you|explained|mentioned)\b"
          r"|\bas (?:already|previously) (?:mentioned|stated|explained|said)\b"
          r"|\bas (?:mentioned|stated|explained|said) (?:before|earlier|previously"
          r"|in (?:my|our) (?:previous|last|earlier) (?:message|reply|email|post|tweet))\b",
          "Points out that the customer did not listen.", "To recap,",
          unless=_UPDATES["en"], unless_reply=_APOLOGIES["en"]),
    _rule("defensive",  # the repeat insisted on: to "you", how many times, "re-read what we wrote"
          r"\b(?:as|like) (?:i|we)(?:'ve| have)? (?:already |previously |just )?(?:told|informed|advised|reminded"
          r"|explained to) you\b"
          r"|\b(?:said|explained|told you|mentioned|stated)\b[^.!?]{0,25}?\b(?:several|many|multiple|numerous|countless"
          r"|a few|two|three|a hundred) times\b"
          r"|\b(?:as|like) (?:i|we)(?:'ve| have)? (?:already |previously )?(?:said|explained|mentioned|stated) in (?:my"
          r"|our)"
          r" (?:last|previous|earlier) (?:dm|message|reply|email|post|tweet)s?\b"
          r"|\bfor the (?:second|third|fourth|fifth|tenth|hundredth|umpteenth|nth|last|\d+(?:st|nd|rd|th)) time\s*[,:]"
          r"|\b(?:telling|explaining|saying|repeating) (?:this|it|you)\b[^.!?]{0,20}?\bfor the \w+ time\b"
          r"|\bhow many (?:more )?times (?:do|must|should|will|have|did|are) (?:i|we)\b|\bi(?:'ll| will)? repeat\b"
          r"|\b(?:re-?read|scroll (?:back )?up(?: and read)?|read) (?:through )?(?:all )?(?:our|my) (?:previous|earlier"
          r"|last|other|past) (?:repl|messag|tweet|post|dm|answer|response)\w*",
          "Insists that the customer was told already.", "To recap,"),
    _rule("defensive",
          r"\b(?:it|this|that)(?:'s| is| was) (?:not|simply not|definitely not) (?:our|my) "
          r"(?:fault|mistake|error|problem|responsibility)\b"
          r"|\b(?:it|this|that) (?:isn't|wasn't) (?:our|my) (?:fault|mistake|error|problem|responsibility)\b"
          r"|\bnot (?:our|my) fault\b"
          r"|\bwe(?:'re| are) not (?:responsible|liable|to blame|at fault)\b"
          r"|\bwe (?:cannot|can't|can not) be held (?:responsible|liable)\b"
          r"|\bwe (?:take|accept) no (?:responsibility|liability)\b"
          r"|\bnot (?:really |exactly |actually )?(?:our|my) (?:problem|concern|issue|responsibility)\b"
          r"|\b(?:that|this|it)(?:'s| is) (?:really |entirely |simply )?your (?:own )?(?:problem|lookout)\b",
          "Denies responsibility before helping.", "We're sorry this happened, and we'll help put it right."),
    _rule("defensive",
          r"\bwe did nothing wrong\b|\bwe (?:have )?(?:followed|did everything) (?:the )?(?:correct|proper|right)\b",
          "Defends the company instead of the customer.", "Let's look at what went wrong together."),
    _rule("defensive",  # "our app is working normally again" is news
          r"\b(?:our|the) (?:system|app|site|website|platform|network|checkout|server)s? (?:(?:is|are) )?(?:doesn't"
          r"|does not|don't|do not|never|can't|cannot) (?:make (?:mistakes|errors|that mistake)|get (?:it|this"
          r"|that) wrong"
          r"|fail|lose \w+)\b"
          r"|\b(?:our|the) (?:system|app|site|website|platform|network|checkout|server)s? (?:is |are )?(?:work(?:s|ing)"
          r"|function(?:s|ing)|running) (?:perfectly|flawlessly|exactly as (?:it should|intended)"
          r"|without (?:any )?fault)\b"
          r"(?! (?:on|with|for|in)\b)",
          "Defends the company's system instead of looking at the customer's problem.",
          "Let's look at what happened on your side and ours:", unless=_RESTORED["en"]),
    _rule("defensive",  # a threat: "if you continue, we'll block you"
          r"\bif you (?:continue|keep|carry on|persist|don't stop|do not stop)\b[^.!?]{0,60}?\bwe(?:'ll| will| may"
          r"| might| shall)? (?:(?:have to|be forced to|need to) )?(?:block|ban|mute|report|blacklist"
          r"|stop (?:responding"
          r"|replying|answering)|no longer (?:respond|reply|answer)|take (?:legal )?action|(?:close|suspend|terminate"
          r"|deactivate|restrict) (?:your|this) (?:account|profile|membership|contract|access|conversation))"
          r"|\bany (?:further|more) (?:abusive |rude )?(?:messages|abuse|tweets|posts|comments|insults)\b[^.!?]{0,30}?"
          r"\b(?:will|may) (?:result in|lead to|be (?:ignored|reported|deleted|blocked))"
          r"|\b(?:this is your )?(?:last|final) warning\b",
          "Threatens the customer.", "We want to help; here's what we can do next:"),
    _rule("defensive", r"\bthat(?:'s| is) (?:not|simply not) (?:true|correct|accurate|what happened)\b",
          "Contradicts the customer in public.", "Thanks for explaining; here's what we can see on our side:"),
    _rule("defensive", r"\b(?:with all due respect|to be fair(?! to you)|in our defen[cs]e)\b",
          "Signals an argument is coming.", "Thanks for telling us."),
    _rule("defensive",
          r"\bno (?:other )?customers? (?:has|have) (?:ever )?(?:complained|reported)\b"
          r"|\byou(?:'re| are) the only (?:one|customer|person)\b",
          "Implies the customer is the problem.", "We're sorry you're running into this."),
    # blaming: the customer did it wrong
    _rule("blaming",
          r"\byou (?:should|ought to)(?: have|'ve| not have|n't have) (?:(?:just|really|simply|first|probably) )?"
          + _EN_SHOULD + r"\b"
          r"|\byou must(?: have|'ve) (?:(?:accidentally|mistakenly|probably|simply) )?" + _EN_MUST + r"\b",
          "Blames the customer for what already happened.",
          "Next time it can help to ..., and for now here's how we'll fix it:"),
    _rule("blaming",
          r"\byou (?:failed|forgot|neglected) to\b|\byou (?:did not|didn't) (?:read|follow|check|see|notice)\b",
          "Blames the customer.", "It's easy to miss, so here's the step that fixes it:"),
    _rule("blaming", r"\byour (?:own )?fault\b|\b(?:user|customer|operator) error\b",
          "Blames the customer outright.", "Let's get this working for you:",
          unless=r"(?:\bnot|n't|\bnever|\bno way|\bby no means|\bnone of (?:this|it|that) (?:is|was))\b[^.!?,;:]{0,30}?"
                 r"\byour (?:own )?fault\b"),
    _rule("blaming",  # the counterfactual reproach: "if you'd checked the email, you'd know"
          r"\b(?:if you(?: had|'d| would have)|had you)(?: (?:just|only|simply|actually|carefully|properly|bothered to"
          r"|taken the time to|even))* " + _EN_HEEDED + r"\b"
          r"|\bif you\b[^.!?]{0,80}?,? (?:then )?you(?:'d| would)(?: have)? (?:know|known|seen|noticed|realised"
          r"|realized"
          r"|understood)\b",
          "Blames the customer for the outcome.", "Here's the quickest way to sort it out:"),
    _rule("blaming",  # the terms held up against the customer, unless they grant something
          r"\b(?:terms|t&cs?|ts&cs|conditions|contract|agreement|small print|fine print)(?: (?:and|&) conditions)?"
          r"(?: of (?:sale|use|service))? (?:that |which )?you (?:agreed to|accepted|signed|ticked|consented to)\b"
          r"|\bit(?:'s| is| was) (?:all |clearly |right there |literally |plainly )+(?:in|on) (?:the|our) (?:terms"
          r"|t&cs|small print|fine print|faq|product page|website|listing|description|confirmation)\b"
          r"|\b(?:read|check|look at|give (?:them|it) a (?:read|look))\b[^.!?]{0,30}?\bnext time\b",
          "Holds the terms up against the customer.", "Here's what the terms mean for you, and what we can do:",
          unless=_policy_spared("en")),
    _rule("blaming", r"\b(?:as (?:clearly )?stated in|clearly (?:states|stated|says))\b",
          "Implies the customer did not read the terms.", "Here's how it works, and what we can do:"),
    _rule("blaming", r"\byou (?:misunderstood|misread|are mistaken|are wrong)\b",
          "Tells the customer they are wrong.", "Sorry if that was unclear; here's how it works:"),
    # dismissive: minimising the problem or the feeling
    _rule("dismissive",
          r"\b(?:calm down|chill out|settle down|no need (?:to|for) (?:shout\w*|yell\w*|swear\w*|the caps|all caps"
          r"|the attitude|that tone|that language|be upset|get upset|be rude|be so rude|overreact|get so worked up))\b"
          r"|\b(?:please|just|you need to|try to) relax\b"  # "sit back and relax: it's on its way" is kind
          r"|\b(?:watch|mind) your (?:tone|language)\b|\btake a deep breath\b"
          r"|\b(?:shouting|yelling|screaming|swearing|(?:typing |writing )?in (?:all )?caps|all caps|capital letters"
          r"|being rude|insulting us|ranting|threats)\b[^.!?]{0,60}?\b(?:won't|will not|isn't going to|is not going to"
          r"|doesn't|does not)\b[^.!?]{0,40}?\b(?:help|change|get|make|speed|fix|solve|faster|sooner|quicker)\b",
          "Polices the customer's feelings.", "We understand how frustrating this is."),
    _rule("dismissive",
          r"\b(?:it(?:'s| is) not a big deal|no big deal|not that bad)\b"
          r"|\bit(?:'s| is) (?:only|just) a (?:small|minor|little|tiny|slight|cosmetic|scratch|dent|mark|scuff"
          r"|delay|glitch|bug|day|few|couple)\b",  # the problem made small, not "it's just a quick form"
          "Minimises the problem.", "We're sorry for the trouble this has caused."),
    _rule("dismissive",
          r"\b(?:there(?:'s| is) nothing (?:we|i) can do|nothing (?:more )?(?:we|i) can do"
          r"|it is what it is|deal with it|get over it)\b",
          "Closes the door without a next step.", "Here's what we can do next:"),
    _rule("dismissive",  # sarcasm: a public complaint answered with mock thanks or an eye-roll
          r"\b(?:yet )?another (?:tweet|post|complaint|rant|thread|comment)s? (?:about|on|regarding)\b"
          r"|\b(?:what a|how) surpris(?:e|ing)\b"
          r"|\b(?:letting|telling|showing|informing) (?:the whole|the entire|all (?:of )?the) (?:internet|world|twitter"
          r"|timeline|planet)\b|🙄|😒",
          "Sarcasm reads as contempt in public.", "Thanks for flagging this; here's what we can tell you:"),
    _rule("dismissive",  # condescension, and telling the customer to go away
          r"\breally (?:quite|very|pretty) (?:simple|easy|straightforward)\b|\bnot (?:exactly )?rocket science\b"
          r"|\banyone can (?:do|see|understand|follow|manage)\b|\beven a child\b|\bself-explanatory\b"
          r"|\b(?:stop|quit) (?:spamming|tagging|messaging|tweeting(?: at)?|dming|pinging|harassing|bombarding"
          r"|flooding)"
          r" (?:us|our|me)\b|\b(?:don't|do not) spam us\b",
          "Talks down to the customer.", "Here's the step that sorts it, and we're here if it doesn't:"),
    _rule("dismissive",  # "just try the link again" is an ordinary suggestion, "obviously try" is not
          r"\bobviously (?:restart|reinstall|log ?in|wait|try|click|read|refresh)\b"
          r"|\b(?:simply|just) (?:restart|reinstall|log ?in|wait|read|refresh)\b",
          "Makes the fix sound trivial, so the customer feels foolish.",
          "Could you try restarting? If it still fails, we'll dig in."),
    _rule("dismissive", r"\bper my (?:last|previous) (?:message|reply|email|post|tweet)\b",
          "Curt and impatient.", "Thanks for following up."),
    # policy-hiding: using policy as a wall
    _rule("policy_hiding",
          r"\b(?:our|company|store) polic(?:y|ies) "
          r"(?:states?|says?|does not|doesn't|do not|don't|prevents?|prohibits?)\b"
          r"|\bper (?:our )?(?:company )?(?:policy|terms)\b"
          r"|\b(?:according to|in (?:accordance|line) with) (?:our|company|the company's) "
          r"(?:policy|policies|terms|rules)\b",
          "Hides behind policy instead of explaining.", "Here's why it works this way, and what we can do for you:",
          unless=_policy_spared("en")),
    _rule("policy_hiding",
          r"\b(?:(?:it(?:'s| is)|this is) against (?:our |company )?policy|due to (?:company |our )?policy"
          r"|company policy|our hands are tied)\b"
          r"|\b(?:that|this|it)(?:'s| is) (?:just |simply |unfortunately |sadly )?(?:our|the) (?:policy|rules?)\b"
          r"|\brules are rules\b|\b(?:those|these) are (?:the|our) rules\b|\bthe (?:fee|charge|decision) stands\b",
          "Uses policy as a wall.", "We can't do that one, but here's what we can do:", unless=_policy_spared("en")),
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
# rules than English: the guard says which languages it checks (``TONE_LANGUAGES``), and says so when it
# cannot. For the languages of the first templates (de, fr, es, pt, it, nl) the rules take the inflected forms and word
# orders agents write ("Wie wir Ihnen bereits mitgeteilt haben", "Comme nous vous l'avons déjà
# expliqué"), and a reproach needs its verb: "Sie hätten Anspruch" and "vous auriez dû recevoir" are news.
RULES_BY_LANGUAGE: dict[str, tuple[Rule, ...]] = {
    "en": RULES,
    "de": (
        _rule("defensive",
              r"\bwie (?:bereits|schon) (?:mehrfach |mehrmals )?"
              r"(?:gesagt|erwähnt|erklärt|mitgeteilt|geschrieben|angegeben)\b"
              r"|\bwie (?:wir|ich) (?:ihnen |dir |euch )?(?:bereits |schon |ja |mehrfach |mehrmals )*"
              r"(?:gesagt|erwähnt|erklärt|mitgeteilt|geschrieben|beschrieben|angegeben)\b"
              r"|\bwie (?:wir|ich) (?:bereits |schon |ja )*(?:in|im|auf) (?:[\w-]+ ){1,3}?"
              r"(?:gesagt|erwähnt|erklärt|mitgeteilt|geschrieben|beschrieben|angegeben)\b",
              "Points out that the customer did not listen.", "Kurz zusammengefasst:",
              unless=_UPDATES["de"], unless_reply=_APOLOGIES["de"]),
        _rule("defensive",
              r"\bwie (?:wir|ich) (?:ihnen|dir|euch)\b[^.!?,;]{0,30}?\b(?:gesagt|erwähnt|erklärt|mitgeteilt|geschrieben"
              r"|beschrieben|angegeben)\b"
              r"|\b(?:mehrfach|mehrmals|wiederholt|zigmal|x-mal|schon oft|so oft)\b[^.!?]{0,30}?\b(?:gesagt|erwähnt"
              r"|erklärt|erläutert|mitgeteilt|geschrieben|beschrieben|angegeben)\b"
              r"|\bzum (?:zweiten|dritten|vierten|fünften|x-ten|zigsten|wiederholten|hundertsten|letzten) mal\s*[,:]"
              r"|\b(?:erkläre|erklären|sage|sagen|schreibe|schreiben|wiederhole|wiederholen) (?:ich|wir) (?:es |das )?"
              r"(?:ihnen |dir |euch )?(?:noch ?mal|nochmals|erneut|ein letztes mal|zum \w+ mal)\b"
              r"|\bwie oft (?:noch|(?:müssen|sollen|muss|soll) (?:wir|ich))\b"
              r"|\b(?:lies|lest|lesen sie)\b[^.!?]{0,30}?\b(?:unsere|meine) (?:vorherigen|vorigen|letzten|bisherigen"
              r"|früheren)"
              r" (?:nachrichten|antworten|beiträge|mails|e-mails|dms)\b"
              r"|\bnicht (?:unsere schuld|unser fehler|unsere verantwortung|unser problem|unsere sache)\b"
              r"|\bliegt nicht an uns\b|\bgeht uns nichts an\b|\b(?:das|es) ist (?:ihr|dein"
              r"|euer) (?:eigenes )?problem\b"
              r"|\b(?:wir sind|sind wir) (?:leider |dafür |hierfür |daran |hier )*(?:nicht|keineswegs) "
              r"(?:verantwortlich|schuld|zuständig|haftbar)\b"
              r"|\b(?:wir tragen|tragen wir) (?:dafür |hierfür )?keine (?:verantwortung|schuld|haftung)\b"
              r"|\b(?:wir haben|haben wir) nichts falsch gemacht\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kurz zusammengefasst:"),
        _rule("blaming",  # "Keine Sorge, das ist auf keinen Fall Ihre Schuld" consoles
              r"\b(?:ihre|deine|eure) (?:eigene )?schuld\b", "Blames the customer.", "So lösen wir es jetzt:",
              unless=r"\b(?:nicht|kein(?:e|en|er)?|keineswegs|keinesfalls|niemals|nie)\b[^.!?,;:–]{0,30}?"
                     r"\b(?:ihre|deine|eure) (?:eigene )?schuld\b"),
        _rule("blaming",  # the counterfactual: "Hättest du die Mail gelesen, wüsstest du ..."
              r"\bhätte(?:st|n|t)? (?:du|sie|ihr)\b[^.!?;]{0,60}?\b" + _DE_HEEDED + r"\b"
              r"|\bwenn (?:du|sie|ihr)\b[^.!?;,]{0,60}?\b" + _DE_HEEDED + r" (?:hättest|hätten|hättet)\b"
              r"|\b(?:haben sie|hast du|habt ihr)\b[^.!?,;]{0,40}?\b(?:falsch\w*|nicht richtig|nicht korrekt|fehlerhaft"
              r"|verkehrt\w*)(?: \w+)? " + _DE_ENTERED + r"\b(?![^.!]*\?)"
              r"|\b(?:steht|stand|stehen|ist|war)\b (?:(?:doch|ja|alles|eindeutig|klar|deutlich|ausdrücklich|explizit"
              r"|schwarz auf weiß) )+(?:\w+ ){0,3}?(?:in|im|auf) (?:den|der|dem|unseren|unserer|unserem) (?:agb"
              r"|bedingungen"
              r"|geschäftsbedingungen|nutzungsbedingungen|vertrag|vertragsbedingungen|faq|produktbeschreibung"
              r"|beschreibung|bestätigung|kleingedruckten)\b"
              r"|\b(?:agb|bedingungen|geschäftsbedingungen|nutzungsbedingungen|vertrag|richtlinien)\b[^.!?]{0,20}?"
              r"\b(?:denen|die|dem|der|den) (?:du|sie|ihr) (?:\w+ )?(?:zugestimmt|akzeptiert|bestätigt|unterschrieben"
              r"|angenommen) (?:hast|haben|habt)\b",
              "Blames the customer.", "So lösen wir es jetzt:", unless=_policy_spared("de")),
        _rule("blaming",
              r"\b(?:(?:sie|du) hätte(?:n|st)|hätte(?:n|st) (?:sie|du))\b[^.!?,;]{0,50}?"
              r"\b\w*(?:lesen|prüfen|kontrollieren|beachten|aufpassen|achten|wissen|melden|angeben|informieren)"
              r" (?:können|müssen|sollen)\b"
              r"|\b(?:sie|du) (?:haben|hast|müssen|musst) (?:sich|dich) (?:wohl |offenbar |anscheinend |vermutlich )?"
              r"(?:[^.!?,;]{0,30}? )?(?:vertippt|verlesen|verklickt|geirrt|verschrieben)\b"
              r"|\b(?:sie|du) (?:haben|hast)\b[^.!?,;]{0,30}?\b(?:falsch\w*|nicht richtig|fehlerhaft"
              r"|verkehrt\w*)(?: \w+)? "
              + _DE_ENTERED + r"\b",
              "Blames the customer.", "So lösen wir es jetzt:"),
        _rule("dismissive",
              r"\b(?:beruhigen sie sich|beruhige? dich|bleiben sie (?:bitte )?ruhig|bleib (?:bitte )?ruhig"
              r"|regen sie sich (?:bitte )?nicht (?:so )?auf|reg dich (?:bitte )?nicht (?:so )?auf"
              r"|immer mit der ruhe|kein grund zur aufregung|komm(?:en sie)? (?:mal )?runter|tief durchatmen"
              r"|achten sie auf ihren ton|achte auf deinen ton)\b"
              r"|\b(?:großbuchstaben|großschreibung|caps(?:lock)?|schreien|geschrei|brüllen|gebrüll|anschreien|pöbeln"
              r"|beleidigungen|beschimpfungen|drohungen|meckern)\b[^.!?]{0,60}?\b(?:nicht|kein\w*"
              r"|nichts)\b[^.!?]{0,20}?"
              r"\b(?:weiter|schneller|besser|bringt|bringen|hilft|helfen|ändert|ändern|beschleunigt)\w*"
              r"|\b(?:schreien|brüllen|pöbeln|meckern|großbuchstaben|beleidigungen)\b[^.!?]{0,20}?\b(?:bringt|bringen"
              r"|hilft"
              r"|helfen|nützt|nützen)\b[^.!?]{0,20}?\b(?:nichts|nicht|keinem)\b"
              r"|\b(?:(?:da|daran|hier) können wir|können wir (?:da |daran |hier )?|wir können (?:da |daran |hier )?)"
              r"(?:leider |halt |einfach |auch |nun mal |wirklich |so )*(?:nichts|nix) (?:mehr )?(?:machen|tun|ändern"
              r"|unternehmen)\b|\b(?:da|daran|hier) (?:ist|lässt sich) (?:leider |halt )?nichts (?:mehr )?(?:zu )?"
              r"(?:machen|ändern)\b|\bkann man (?:leider |halt )?nichts machen\b"
              r"|\b(?:schon wieder|wieder mal|wieder einmal|noch) (?:ein|eine|einen)(?: weitere[rn]?)? (?:tweet|post"
              r"|beitrag|kommentar|beschwerde|meckerei|thread)\b|\b(?:ein|eine|einen) weitere[rn]? (?:tweet|post"
              r"|beitrag"
              r"|beschwerde|meckerei)\b|\bna (?:super|toll|prima|klasse|großartig|bravo)\b"
              r"|\bwas für eine überraschung\b"
              r"|\bmit der ganzen welt\b"
              r"|\bist (?:doch|ja) (?:ganz |total |echt |wirklich )?(?:einfach|simpel|nicht schwer|kinderleicht)\b"
              r"|\bkein hexenwerk\b|\bdas kann (?:doch )?jede[rs]?\b|\bselbsterklärend\b"
              r"|\beinfach (?:mal )?(?:reinschauen|reinsehen|reingucken|reinlesen|nachlesen|durchlesen|nachschauen)\b"
              r"|\b(?:hör|hören sie|hört) (?:bitte )?auf,? uns (?:\w+ )?(?:zu spammen|zuzuspammen|vollzuspammen"
              r"|zu taggen"
              r"|zu markieren|zu belästigen|zu bombardieren)\b|\b(?:bitte )?nicht (?:mehr )?spammen\b",
              "Dismisses the customer or closes the door.", "Das ist ärgerlich, und das können wir tun:"),
        _rule("policy_hiding",
              r"\b(?:gemäß|laut|nach|aufgrund|wegen) (?:unseren|unserer|unseres) (?:richtlinien|richtlinie|agb"
              r"|geschäftsbedingungen|bedingungen|regeln|vorgaben|firmenpolitik|unternehmensrichtlinien)\b"
              r"|\bunsere (?:richtlinien|agb|regeln|bedingungen) (?:erlauben|gestatten|verbieten|untersagen|sehen)\b"
              r"|\b(?:verstößt|ist) gegen unsere (?:richtlinien|agb|regeln)\b|\bfirmenpolitik\b"
              r"|\b(?:das|so) (?:sind|ist) (?:nun mal |nun einmal |halt |eben |einfach |leider )+(?:\w+ )?(?:unsere"
              r"|die)"
              r" (?:richtlinien|richtlinie|regeln|regel|vorgaben|vorschriften|agb|bedingungen)\b|\bregeln sind regeln\b"
              r"|\bso sind (?:nun mal |nun einmal |halt |eben |leider )?(?:die|unsere) (?:regeln|vorschriften"
              r"|richtlinien)\b",
              "Hides behind policy.", "Darum ist es so, und das können wir für dich tun:", unless=_policy_spared("de")),
        _rule("defensive",  # "unser System funktioniert wieder einwandfrei" is news
              r"\b(?:unser|das) (?:system|app|netz|portal|shop)\b[^.!?,;]{0,20}?\b(?:macht keine fehler|funktioniert"
              r" (?:einwandfrei|tadellos|fehlerfrei|perfekt)(?! (?:auf|mit|unter|für)\b))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Schauen wir uns an, was bei dir und bei uns passiert ist:", unless=_RESTORED["de"]),
        _rule("defensive",  # a threat: "Wenn Sie so weitermachen, sperren wir Ihr Konto"
              r"\b(?:wenn|falls|sollten) (?:du|sie|ihr)\b[^.!?]{0,40}?\b(?:weiter\w*|nicht aufhör\w*|erneut|nochmal"
              r"|noch einmal)\b[^.!?]{0,40}?\b(?:wir\b[^.!?]{0,30}?\b" + _DE_THREAT + r"|" + _DE_THREAT + r" wir)\b"
              r"|\b(?:weitere|jede weitere) (?:nachrichten|nachricht|beleidigungen|beleidigung|beschimpfungen|posts"
              r"|kommentare)\b[^.!?]{0,40}?\b(?:werden|wird)\b[^.!?]{0,30}?\b(?:ignoriert|gelöscht|gemeldet|gesperrt"
              r"|blockiert)\b|\b(?:letzte|letztmalige) (?:warnung|verwarnung)\b",
              "Threatens the customer.", "Wir wollen helfen, und das ist der nächste Schritt:"),
    ),
    "fr": (
        _rule("defensive",
              r"\bcomme (?:nous|je) (?:vous |te )?(?:l'|les |le )?(?:avons|ai|avions|avais) "
              r"(?:déjà |précédemment |auparavant |bien )*"
              r"(?:indiqué|expliqué|dit|mentionné|précisé|écrit|signalé|répondu)\b"
              r"|\bcomme (?:déjà|précédemment) (?:indiqué|expliqué|dit|mentionné|précisé|signalé)\b"
              r"|\bcomme (?:indiqué|expliqué|dit|mentionné|précisé) (?:précédemment|auparavant|plus tôt"
              r"|dans (?:notre|mon) (?:précédent|dernier) (?:message|mail|e-mail|courriel))\b",
              "Points out that the customer did not listen.", "Pour résumer :",
              unless=_UPDATES["fr"], unless_reply=_APOLOGIES["fr"]),
        _rule("defensive",
              r"\bcomme (?:nous|je) (?:vous|te) (?:l'|les |le )?(?:avons|ai|avions|avais) (?:déjà |précédemment "
              r"|auparavant |bien |plusieurs fois |à plusieurs reprises )*(?:indiqué|expliqué|dit|mentionné|précisé"
              r"|écrit"
              r"|signalé|répondu|répété)\b"
              r"|\b(?:à plusieurs reprises|plusieurs fois|maintes fois|cent fois|mille fois)\b[^.!?]{0,20}?\b(?:indiqué"
              r"|expliqué|dit|mentionné|précisé|écrit|signalé|répondu|répété)\b"
              r"|\bpour la (?:deuxième|troisième|quatrième|énième|nième|dixième|centième|dernière) fois\s*[,:]"
              r"|\bcombien de fois (?:faut-il|devons-nous|dois-je|faudra-t-il)\b|\bje (?:vous |te )?(?:le )?répète\b"
              r"|\b(?:relire|relisez|relis|lire|lisez)\b[^.!?]{0,20}?\b(?:nos|mes) (?:messages|réponses|échanges|mails"
              r"|e-mails) (?:précédents|précédentes|antérieurs|antérieures)\b"
              r"|\b(?:ce|cela|ça) n'(?:est|était) (?:pas|en rien|nullement) (?:de |du )?(?:notre|ma) "
              r"(?:faute|erreur|responsabilité|ressort|problème)\b|\bpas (?:de )?notre (?:faute|problème)\b"
              r"|\b(?:ça|cela) ne nous regarde pas\b|\bne (?:relève|dépend) pas de nous\b"
              r"|\bnous ne sommes (?:pas|en rien|nullement) (?:responsables|fautifs|en cause)\b"
              r"|\bnous déclinons toute responsabilité\b",
              "Points out that the customer did not listen, or denies responsibility.", "Pour résumer :"),
        _rule("blaming",
              r"\b(?:vous auriez|tu aurais) (?:dû|du|pu) (?:(?:mieux|bien|d'abord) )?(?:lire|relire|vérifier|consulter"
              r"|contrôler|regarder|faire attention|nous prévenir|vous renseigner|te renseigner|savoir)\b"
              r"|\bil (?:fallait|aurait fallu|suffisait(?: de)?) (?:les |le |la |l')?(?:lire|relire|vérifier|consulter"
              r"|regarder|faire attention|prêter attention)\b"
              r"|\bsi (?:vous aviez|tu avais)(?: (?:bien|pris la peine de|pris le temps de|simplement|seulement|juste"
              r"|au moins))* (?:lu|relu|consulté|vérifié|regardé|fait attention|suivi|écouté|contrôlé|jeté un (?:œil"
              r"|oeil"
              r"|coup d'œil|coup d'oeil)|lire|consulter|vérifier|regarder)\b"
              r"|\bsi (?:vous|tu)\b[^.!?]{0,80}?(?:vous auriez|tu aurais) (?:vu|su|compris|remarqué|constaté)\b"
              r"|\b(?:vous avez|tu as) (?:dû |du |sans doute |probablement |certainement |sûrement "
              r"|forcément )?(?:saisi"
              r"|tapé|entré|indiqué|renseigné|choisi|sélectionné|coché) (?:un |une |le |la |les )?(?:mauvais|mauvaise"
              r"|mauvaises|faux|fausse|fausses)\b"
              r"|\b(?:vous vous êtes|tu t'es) (?:sans doute |probablement |certainement |sûrement )?trompée?s?\b"
              r"|\bc'(?:est|était) (?:de )?(?:votre|ta) faute\b"
              r"|\b(?:vous avez|tu as) (?:dû |du |sans doute |probablement |certainement )?(?:vous|te) tromper\b"
              r"|\b(?:vous avez|tu as) (?:dû |du |sans doute |probablement |certainement )?mal "
              r"(?:lire|lu|saisir|saisi|taper|tapé|comprendre|compris|remplir|rempli)\b"
              r"|(?<!si )\b(?:vous n'avez|tu n'as) pas (?:bien )?(?:lu|vérifié|consulté|suivi)\b",
              "Blames the customer.", "Voici comment nous allons régler cela :"),
        _rule("blaming",  # the terms held up against the customer, unless they grant something
              r"\b(?:conditions|cgv|cgu|termes|règlement|contrat)\b[^.!?]{0,30}?\b(?:que|auxquelles"
              r"|auxquels) (?:vous avez"
              r"|tu as) (?:\w+ )?(?:acceptée?s?|signée?s?|approuvée?s?|validée?s?|consenti|cochée?s?)\b"
              r"|\b(?:sont|est|était|étaient) pourtant (?:très |bien |parfaitement |assez )?(?:claire?s?|explicites?"
              r"|indiquée?s?|écrite?s?)\b"
              r"|\b(?:c'est|c'était|tout est|tout était) (?:pourtant |bien |clairement |noir sur blanc )+(?:écrit"
              r"|indiqué"
              r"|précisé|mentionné|expliqué)\b",
              "Blames the customer.", "Voici ce que les conditions prévoient pour vous, et ce que nous pouvons faire :",
              unless=_policy_spared("fr")),
        _rule("dismissive",
              r"\b(?:calmez-vous|calme-toi|restez calme|reste calme|du calme|gardez votre calme|on se calme"
              r"|un peu de calme|pas la peine de (?:vous énerver|s'énerver|crier|vous fâcher))\b"
              r"|\bce n'est pas en (?:criant|hurlant|insultant|vous énervant|t'énervant|s'énervant"
              r"|écrivant en majuscules"
              r"|tweetant|râlant|nous insultant|menaçant)\b"
              r"|\b(?:crier|hurler|les majuscules|insulter|s'énerver|vous énerver|râler"
              r"|menacer)\b[^.!?]{0,50}?\bn'?e?\b"
              r"[^.!?]{0,20}?\b(?:servira|sert|changera|change|fera|accélérera|arrangera|aidera|avancer)\w*"
              r"|\b(?:baissez|baisse) (?:d'un ton|le ton)\b|\bsur un autre ton\b"
              r"|\bil n'y a (?:malheureusement |hélas )?rien (?:à faire|(?:de plus )?que (?:nous|l'on|on) (?:puissions"
              r"|puisse) faire)\b|\bc'est comme ça\b"
              r"|\b(?:encore|toujours) (?:un|une) (?:tweet|post|plainte|réclamation|coup de gueule|thread) (?:sur"
              r"|à propos"
              r"|au sujet|concernant)\b|\b(?:un|une) (?:énième|nième) (?:tweet|post|plainte|réclamation|message)\b"
              r"|\bquelle surprise\b|\b(?:avec|à) (?:toute la terre|la terre entière|tout internet|le monde entier)\b"
              r"|\bc'est (?:pourtant|franchement) (?:très |tout |si )?(?:simple|facile)\b|\bce n'est pas sorcier\b"
              r"|\bà la portée de (?:tout le monde|n'importe qui)\b"
              r"|\b(?:arrêtez|arrête|cessez|cesse) de nous (?:spammer|harceler|inonder|bombarder|taguer|tagguer)\b"
              r"|\b(?:nous ne pouvons|on ne peut) (?:malheureusement |hélas )?rien (?:faire|y faire|y changer)\b"
              r"|\b(?:nous n'y pouvons|on n'y peut) rien\b",
              "Dismisses the customer or closes the door.", "Voici ce que nous pouvons faire :"),
        _rule("policy_hiding",
              r"\b(?:selon|conformément à|d'après|en vertu de) (?:notre|nos) (?:politique|politiques|conditions|règles"
              r"|cgv|règlement|procédures?)\b"
              r"|\bnotre politique (?:ne (?:permet|prévoit|autorise)|interdit)\b"
              r"|\bla politique de (?:l'entreprise|la société)\b|\b(?:contraire|contre) (?:à )?notre politique\b"
              r"|\bc'est (?:la|notre) (?:politique|règle|procédure)\b|\bce sont (?:les|nos) (?:règles|conditions"
              r"|procédures)\b|\bla règle,? c'est la règle\b",
              "Hides behind policy.", "Voici pourquoi, et ce que nous pouvons faire :", unless=_policy_spared("fr")),
        _rule("defensive",
              r"\b(?:notre |l')(?:système|application|appli|site|réseau)\b[^.!?,;]{0,20}?\b(?:ne se trompe (?:pas"
              r"|jamais)"
              r"|fonctionne (?:parfaitement|à merveille|sans aucun problème)(?! (?:sur|avec|pour|sous)\b))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Regardons ensemble ce qui s'est passé de votre côté et du nôtre :", unless=_RESTORED["fr"]),
        _rule("defensive",  # a threat: "Si vous continuez, nous bloquerons votre compte"
              r"\bsi (?:vous|tu) (?:continuez|continues|persistez|persistes|recommencez|recommences"
              r"|insistez)\b[^.!?]{0,60}?"
              r"\b(?:nous|on)\b[^.!?]{0,30}?\b(?:bloquer\w*|signaler\w*|ignorer\w*|porter plainte"
              r"|cesser\w* de (?:vous )?"
              r"répondre|(?:fermer|suspendre|clôturer|supprimer)\w* (?:votre|ton) (?:compte|profil|contrat|accès))"
              r"|\btout (?:nouveau |autre )?(?:message|propos|commentaire) (?:injurieux|insultant"
              r"|de ce type)\b[^.!?]{0,30}?"
              r"\bsera\b|\bdernier avertissement\b",
              "Threatens the customer.", "Nous voulons vous aider, et voici la prochaine étape :"),
    ),
    "es": (
        _rule("defensive",
              r"\bcomo ya (?:te |le |les |os )?(?:hemos |he )?(?:dijimos|dije|indicamos|explicamos|comentamos"
              r"|mencionamos|informamos|dicho|indicado|explicado|comentado|mencionado|informado)\b"
              r"|\bcomo (?:te |le |les |os )?(?:hemos |he )?(?:dijimos|dije|indicamos|explicamos|comentamos|mencionamos"
              r"|informamos|dicho|indicado|explicado|comentado|mencionado|informado) (?:antes|anteriormente|previamente"
              r"|en (?:nuestro|mi) (?:anterior|último) mensaje)\b",
              "Points out that the customer did not listen.", "Para resumir:",
              unless=_UPDATES["es"], unless_reply=_APOLOGIES["es"]),
        _rule("defensive",
              r"\bcomo (?:ya )?(?:te|le|les|os) (?:lo )?(?:hemos |he |habíamos |había )?(?:dijimos|dije|indicamos"
              r"|explicamos|comentamos|mencionamos|informamos|repetimos|dicho|indicado|explicado|comentado|mencionado"
              r"|informado|repetido)\b"
              r"|\b(?:dicho|explicado|repetido|indicado|dijimos|explicamos|repetimos"
              r"|indicamos)\b[^.!?]{0,20}?\b(?:varias"
              r"|muchas|mil|cien|tres|dos) veces\b"
              r"|\bpor (?:segunda|tercera|cuarta|quinta|enésima|décima|última|centésima) vez\s*[,:]"
              r"|\bcuántas veces (?:te |le |os )?(?:tenemos|tengo|hay) que\b|\b(?:te|le|os) (?:lo )?repito\b"
              r"|\b(?:lee|lea|leed|leer|relee|relea|releer)\b(?: \w+){0,2}? (?:nuestros|mis) (?:mensajes|respuestas"
              r"|tuits|correos) (?:anteriores|previos)\b"
              r"|\bno es (?:nuestra culpa|culpa nuestra|nuestra responsabilidad|responsabilidad nuestra"
              r"|un error nuestro|error nuestro|problema nuestro|nuestro problema|asunto nuestro|cosa nuestra)\b"
              r"|\bla culpa no es nuestra\b|\b(?:es|será) (?:tu|su) problema\b"
              r"|\bno (?:somos|nos hacemos) (?:responsables|culpables)\b|\bno tenemos (?:la )?culpa\b",
              "Points out that the customer did not listen, or denies responsibility.", "Para resumir:"),
        _rule("blaming",  # the second person only: "el equipo tendría que revisar" is a promise
              r"\b(?:deberías|debiste|tendrías que|tenías que|usted (?:debería|debió|tendría que|tenía que)) "
              r"(?:haber )?(?:leído|leer|revisado|revisar|comprobado|comprobar|verificado|verificar|mirado|mirar"
              r"|prestado atención|prestar atención|fijado|fijarse|fijarte|consultado|consultar|avisado|avisar)\b"
              r"|(?<!no )\bes (?:tu|su) culpa\b|\bla culpa es (?:tuya|suya)\b"
              r"|\bdebes? haber(?:se|te) (?:equivocado|confundido)\b|\b(?:usted|tú) se (?:ha|habrá) equivocado\b"
              r"|\bte (?:has|habrás) equivocado\b|\bno (?:ha|has) leído (?:bien|las condiciones|los términos)\b"
              r"|\bsi (?:usted |tú )?(?:hubieras|hubiera|hubieses|hubiese|hubierais|hubieseis)(?: (?:bien|antes"
              r"|simplemente"
              r"|solo|sólo))? (?:leído|revisado|mirado|comprobado|consultado|prestado atención|seguido|verificado"
              r"|hecho caso"
              r"|abierto|fijado|echado un vistazo)\b"
              r"|\bde haber (?:leído|revisado|mirado|comprobado|consultado"
              r"|prestado atención)\b[^.!?]{0,60}?\b(?:sabrías"
              r"|sabría|habrías|habría|verías|vería)\b"
              r"|(?:^|(?<=[.!?¡] ))haber(?:lo|la|los|las)? (?:leído|revisado|mirado|comprobado|consultado|preguntado"
              r"|pensado)\b"
              r"|\b(?:introdujiste|escribiste|pusiste|tecleaste|marcaste|seleccionaste|elegiste|leíste|entendiste"
              r"|rellenaste|ingresaste|copiaste|indicaste|metiste|anotaste)\b(?: \w+){0,3}? " + _ES_WRONG + r"\b"
              r"|\b(?:usted|seguro que|seguramente|probablemente|sin duda|a lo mejor)\b (?:(?!se\b)\w+ )?(?:introdujo"
              r"|escribió|puso|tecleó|marcó|seleccionó|eligió|leyó|entendió|rellenó|ingresó|indicó"
              r"|anotó)\b(?: \w+){0,3}? "
              + _ES_WRONG + r"\b"
              r"|\b(?:has|habrás|usted ha|usted habrá) (?:introducido|escrito|puesto|tecleado|marcado|seleccionado"
              r"|elegido|leído|entendido|rellenado|ingresado|indicado|anotado|copiado)\b(?: \w+){0,3}? " + _ES_WRONG
              + r"\b",
              "Blames the customer.", "Así lo solucionamos ahora:"),
        _rule("blaming",  # the terms held up against the customer, unless they grant something
              r"\b(?:términos|condiciones|contrato|política|normas)\b[^.!?]{0,30}?\bque (?:usted )?(?:aceptaste|aceptó"
              r"|firmaste|firmó|aceptasteis|has aceptado|ha aceptado|has firmado|ha firmado)\b"
              r"|\b(?:está|estaba|viene|venía|lo pone|lo dice|pone)\b (?:todo )?(?:clarísim[oa]|clarit[oa]"
              r"|bien clar[oa]"
              r"|muy clar[oa]|claramente|perfectamente|bien explicado|bien especificado)\b",
              "Blames the customer.", "Esto es lo que las condiciones te permiten, y lo que podemos hacer:",
              unless=_policy_spared("es")),
        _rule("dismissive",
              r"\b(?:cálmese|cálmate|tranquilícese|tranquilízate|mantenga la calma|mantén la calma"
              r"|no hace falta (?:gritar|ponerse así|enfadarse)|no es para tanto)\b"
              r"|\bno (?:podemos|se puede) hacer nada\b|\bno hay nada (?:más )?que (?:(?:podamos|se pueda"
              r"|pueda) )?hacer\b"
              r"|\bes lo que hay\b"
              r"|\b(?:gritar|gritando|gritos|escribir en mayúsculas|escribiendo en mayúsculas|en mayúsculas|insultar"
              r"|insultando|insultos|amenazar|amenazando|enfadarte|ponerte así|ponerse así)\b[^.!?]{0,60}?\bno (?:va"
              r"|vas"
              r"|vais|van|sirve|servirá|ayuda|ayudará|hará|harás|conseguirá|conseguirás|cambia|cambiará|acelera"
              r"|acelerará"
              r"|soluciona|solucionará|arregla|arreglará)\b"
              r"|\bno (?:sirve de nada|sirve|ayuda|adelanta|soluciona) (?:nada )?(?:gritar|insultar"
              r"|escribir en mayúsculas"
              r"|enfadarse|ponerse así)\b|\b(?:baja|baje|bajad) el tono\b"
              r"|\botr[oa] (?:tuit|tweet|post|publicación|queja|reclamación|hilo|comentario) (?:más )?(?:sobre"
              r"|acerca de"
              r"|por)\b|\bqué sorpresa\b|\bgracias por (?:mantenernos|tenernos) tan\b"
              r"|\b(?:contárselo|contarlo|decírselo|publicarlo|compartirlo) (?:a|con) todo (?:el mundo|internet"
              r"|twitter)\b"
              r"|\bno (?:es|tiene) ciencia\b|\bno es física cuántica\b|\bcualquiera (?:puede|sabe) hacerlo\b"
              r"|\bhasta un niño\b|\bes de sentido común\b"
              r"|\b(?:deja|deje|dejad|dejen) de (?:spamear(?:nos)?|hacer spam|etiquetarnos|acosarnos|bombardearnos)\b"
              r"|\bno (?:nos )?(?:spamees|spamee|hagas spam|haga spam)\b",
              "Dismisses the customer or closes the door.", "Esto es lo que podemos hacer:"),
        _rule("policy_hiding",
              r"\b(?:según|de acuerdo con|conforme a|por) nuestras? (?:políticas?|normas|normativa|condiciones"
              r"|términos)\b|\b(?:por|es) política de (?:la )?empresa\b|\bnuestra política no (?:nos )?permite\b"
              r"|\b(?:es|son) (?:nuestra|la) (?:política|norma|normativa)\b|\b(?:son|así son) las normas\b"
              r"|\blas normas son las normas\b",
              "Hides behind policy.", "Te explicamos por qué y qué podemos hacer:", unless=_policy_spared("es")),
        _rule("defensive",
              r"\b(?:nuestr[oa]|el|la) (?:sistema|app|aplicación|web|plataforma)\b (?:(?:nunca|no) (?:falla|se equivoca"
              r"|comete errores)|funciona (?:perfectamente|a la perfección|sin (?:ningún )?problemas?)(?! (?:en|con"
              r"|para)\b))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Veamos qué ha pasado por tu lado y por el nuestro:", unless=_RESTORED["es"]),
        _rule("defensive",  # a threat: "Si sigues así, bloquearemos tu cuenta"
              r"\bsi (?:sigues|continúas|sigue|continúa|seguís|continuáis|insistes|insiste|vuelves a|vuelve a)\b"
              r"[^.!?]{0,60}?\b(?:bloquear\w*|denunciar\w*|silenciar\w*|ignorar\w*|dejar\w* de (?:responder\w*"
              r"|contestar\w*)|(?:cerrar|suspender|cancelar|eliminar)\w* (?:tu|su) (?:cuenta|perfil|contrato|acceso))"
              r"|\bcualquier (?:otro )?(?:mensaje|comentario|insulto)\b[^.!?]{0,30}?\bserá\b|\búltimo aviso\b",
              "Threatens the customer.", "Queremos ayudarte, y este es el siguiente paso:"),
    ),
    "pt": (
        _rule("defensive",
              r"\b(?:como|conforme) já (?:lhe |te |vos )?(?:dissemos|explicamos|explicámos|informamos|informámos"
              r"|mencionamos"
              r"|mencionámos|falamos|falámos|indicamos|indicámos|referimos|dito|explicado|informado)\b"
              r"|\b(?:como|conforme) (?:lhe |te |vos )?(?:dissemos|explicamos|explicámos|informamos|informámos"
              r"|mencionamos"
              r"|mencionámos) (?:antes|anteriormente)\b",
              "Points out that the customer did not listen.", "Resumindo:",
              unless=_UPDATES["pt"], unless_reply=_APOLOGIES["pt"]),
        _rule("defensive",
              r"\b(?:como|conforme) (?:já )?(?:lhe|te|vos) (?:\w+ )?(?:dissemos|explicamos|explicámos|informamos"
              r"|informámos"
              r"|mencionamos|mencionámos|falamos|falámos|indicamos|indicámos|referimos|repetimos|dito|explicado"
              r"|informado"
              r"|disse|expliquei)\b"
              r"|\b(?:dissemos|explicamos|explicámos|repetimos|informamos|dito|explicado"
              r"|repetido)\b[^.!?]{0,20}?\b(?:várias"
              r"|muitas|inúmeras|mil|tantas|duas|três) vezes\b"
              r"|\bpela (?:segunda|terceira|quarta|quinta|enésima|décima|última|centésima) vez\s*[,:]"
              r"|\bquantas vezes (?:temos|tenho|vamos ter|preciso|precisamos)\b|\b(?:lhe|te) repito\b"
              r"|\b(?:leia|leias|lê|ler|releia|reler|relê)\b(?: \w+){0,2}? (?:as )?(?:nossas |minhas )?(?:mensagens"
              r"|respostas) anteriores\b"
              r"|\bnão (?:é|foi) (?:nossa culpa|culpa nossa|nossa responsabilidade|responsabilidade nossa"
              r"|erro nosso|um erro nosso|problema nosso|nosso problema|assunto nosso)\b|\ba culpa não (?:é"
              r"|foi) nossa\b"
              r"|\bnão é (?:connosco|conosco|com a gente)\b|\bo problema é (?:seu|teu)(?=[.!,;]|$)"
              r"|\bnão somos (?:responsáveis|culpados)\b|\bnão temos culpa\b",
              "Points out that the customer did not listen, or denies responsibility.", "Resumindo:"),
        _rule("blaming",  # the second person only: "o nosso técnico deveria ter verificado" owns the mistake
              r"\b(?:(?:você|o senhor|a senhora) (?:devia|deveria|tinha que|tinha de)|devias|deverias|tinhas que"
              r"|tinhas de) ter (?:lido|verificado|conferido|prestado atenção|checado|visto|consultado|confirmado)\b"
              r"|\ba culpa é (?:sua|tua|do senhor|da senhora|de você)\b|(?<!não )\b(?:é|foi) culpa (?:sua|tua)\b"
              r"|\b(?:você|o senhor|a senhora) deve ter se (?:enganado|confundido)\b"
              r"|\b(?:você|o senhor|a senhora) deve ter (?:digitado|escrito|inserido|colocado|lido|preenchido)"
              r"(?: \w+){0,3}? (?:errad[oa]s?|mal)\b|\b(?:você|o senhor|a senhora) não leu\b"
              r"|\b(?:você|o senhor|a senhora|tu)\b (?:\w+ )?(?:digitou|digitaste|escreveu|escreveste|inseriu|inseriste"
              r"|colocou|colocaste|preencheu|preencheste|selecionou|escolheu|leu|entendeu|percebeu)\b(?: \w+){0,3}? "
              r"(?:errad[oa]s?|mal|incorretamente)\b"
              r"|\b(?:você|o senhor|a senhora) se (?:enganou|confundiu)\b|\bte enganaste\b"
              r"|\bse (?:você |o senhor |a senhora |tu |vocês )?(?:tivesse|tivesses|tivessem|houvesse)(?: (?:bem|antes"
              r"|só|apenas))? (?:lido|conferido|verificado|checado|olhado|consultado|prestado atenção|seguido|reparado"
              r"|dado uma olhada)\b"
              r"|\b(?:era só|bastava|bastaria|teria bastado)(?: (?:ter|você|o senhor|a senhora))* (?:lido|ler"
              r"|lê-l[oa]s?"
              r"|verificado|verificar|conferido|conferir|olhado|olhar|consultado|consultar|prestado atenção"
              r"|prestar atenção)\b",
              "Blames the customer.", "Vamos resolver assim:"),
        _rule("blaming",  # the terms held up against the customer, unless they grant something
              r"\b(?:termos|condições|regulamento|contrato|política)\b[^.!?]{0,30}?\bque (?:você |o senhor |a senhora "
              r"|tu )?(?:aceitou|aceitaste|assinou|assinaste|concordou|concordaste)\b"
              r"|\b(?:está|estava|fica|ficou)\b (?:tudo )?(?:bem|muito|bastante|super) (?:explícito|claro|explicado"
              r"|escrito|descrito|especificado)\b(?![^.!]*\?)",
              "Blames the customer.", "Eis o que os termos preveem para si, e o que podemos fazer:",
              unless=_policy_spared("pt")),
        _rule("dismissive",
              r"\b(?:acalme-se|acalma-te|se acalme|fique calm[oa]|fica calm[oa]|tenha calma|mantenha a calma"
              r"|não precisa (?:gritar|se exaltar|ficar nervos[oa])|calma (?:aí|ai|lá|la)|calma,? calma)\b"
              r"|\b(?:gritar|gritando|gritos|escrever em maiúsculas|em maiúsculas|maiúsculas|xingar|xingando|ofender"
              r"|ofendendo|ameaçar|ameaçando)\b[^.!?]{0,60}?\bnão (?:vai|vão|ajuda|ajudará|adianta|resolve|resolverá"
              r"|faz"
              r"|fará|acelera|muda)\b"
              r"|\bnão adianta (?:nada )?(?:gritar|xingar|ofender|escrever em maiúsculas|ficar nervos[oa])\b"
              r"|\bbaix[ea] o tom\b"
              r"|\bnão (?:podemos|há como) fazer nada\b|\bnão há nada que (?:possamos|podemos|se possa) fazer\b"
              r"|\bnão (?:há|tem) (?:o )?que fazer\b|\bnão (?:há|tem) nada a fazer\b"
              r"|\bmais (?:um|uma) (?:tweet|post|publicação|reclamação|queixa|comentário|desabafo|thread) (?:sobre"
              r"|a respeito)\b|\b(?:que|quê) surpresa\b|\b(?:com|para) o mundo (?:todo|inteiro)\b|\bao mundo inteiro\b"
              r"|\bqualquer (?:um|pessoa) (?:consegue|sabe)\b|\baté uma criança\b"
              r"|\b(?:pare|para|parem) de (?:nos )?(?:spammar|mandar spam|marcar|importunar|bombardear)\b",
              "Dismisses the customer or closes the door.", "Eis o que podemos fazer:"),
        _rule("policy_hiding",
              r"\b(?:conforme|segundo|de acordo com|pela|pelas|pelos|por) (?:a |as |os )?(?:nossa|nossas|nossos) "
              r"(?:política|políticas|norma|normas|regras|termos|condições|regulamento)\b"
              r"|\bpolítica da empresa\b|\bnossa política não (?:permite|prevê)\b"
              r"|\b(?:é|são) (?:a|as) (?:nossa|nossas) (?:política|regras|normas)\b|\bregras são regras\b"
              r"|\b(?:isso|isto|essas|estas) (?:é|são) (?:a|as) (?:política|regras|normas)\b"
              r"(?! d[oa]s? (?!empresa|loja|casa)\w)",  # "as regras do sorteio" describe a contest
              "Hides behind policy.", "Explicamos o porquê e o que podemos fazer:", unless=_policy_spared("pt")),
        _rule("defensive",
              r"\b(?:nosso|o|a nossa|a) (?:sistema|app|aplicativo|aplicação|site)\b (?:(?:não|nunca) (?:falha|erra"
              r"|se engana)|(?:está )?(?:funciona|funcionando) (?:perfeitamente|normalmente|sem (?:nenhum )?problemas?)"
              r"(?! (?:em|no|na|com|para)\b))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Vamos ver o que aconteceu do seu lado e do nosso:", unless=_RESTORED["pt"]),
        _rule("defensive",  # a threat: "Se continuar, vamos bloquear a sua conta"
              r"\bse (?:você |o senhor |a senhora |tu )?(?:continuar|continuares|insistir|insistires|voltar a)\b"
              r"[^.!?]{0,60}?\b(?:bloquear\w*|denunciar\w*|silenciar\w*|ignorar\w*|deixar\w* de (?:responder|atender)"
              r"|(?:encerrar|suspender|cancelar|excluir)\w* (?:a )?(?:sua|tua) (?:conta|perfil|contrato|acesso))"
              r"|\bqualquer (?:outra |nova )?(?:mensagem|ofensa|comentário)\b[^.!?]{0,30}?\bserá\b|\búltimo aviso\b",
              "Threatens the customer.", "Queremos ajudar, e o próximo passo é este:"),
    ),
    "it": (
        _rule("defensive",
              r"\bcome (?:(?:le|ti|vi) )?(?:abbiamo |ho )?già (?:detto|spiegato|indicato|scritto|comunicato"
              r"|specificato|precisato|risposto|ripetuto)\b"
              r"|\bcome (?:(?:le|ti|vi) )?(?:abbiamo |ho )?(?:detto|spiegato|indicato|scritto|comunicato|specificato)"
              r" (?:prima|in precedenza|precedentemente)\b",
              "Points out that the customer did not listen.", "Riassumendo:",
              unless=_UPDATES["it"], unless_reply=_APOLOGIES["it"]),
        _rule("defensive",
              r"\bcome (?:le|ti|vi) (?:abbiamo|ho) (?:già )?(?:più volte |ripetutamente )?(?:detto|spiegato|indicato"
              r"|scritto"
              r"|comunicato|specificato|precisato|risposto|ripetuto)\b"
              r"|\b(?:detto|spiegato|ripetuto|scritto|indicato|comunicato)\b[^.!?]{0,20}?\b(?:più|tante|mille|cento|due"
              r"|tre) volte\b|\b(?:più volte|ripetutamente)\b[^.!?]{0,20}?\b(?:detto|spiegato|ripetuto|scritto|indicato"
              r"|comunicato)\b"
              r"|\bper la (?:seconda|terza|quarta|quinta|ennesima|decima|centesima|ultima) volta\s*[,:]"
              r"|\bquante volte (?:dobbiamo|devo|bisogna|dovremo)\b|\b(?:le|ti|vi) (?:lo )?ripeto\b"
              r"|\b(?:rilegga|rileggi|rileggere|rileggete|legga|leggi|leggere)\b(?: \w+){0,2}? (?:i )?(?:nostri "
              r"|miei )?"
              r"messaggi (?:precedenti|precedentemente inviati)\b"
              r"|\bnon (?:è|e') (?:colpa nostra|nostra colpa|nostra responsabilità|responsabilità nostra"
              r"|un nostro errore|un problema nostro|un nostro problema|problema nostro|di nostra competenza)\b"
              r"|\bla colpa non è (?:la )?nostra\b|\bnon ci riguarda\b|\bnon dipende da noi\b"
              r"|\bnon siamo (?:noi )?(?:responsabili|colpevoli)\b|\bdeclin(?:iamo|a) ogni responsabilità\b",
              "Points out that the customer did not listen, or denies responsibility.", "Riassumendo:"),
        _rule("blaming",
              r"\b(?:avresti|avrebbe|avreste) dovuto (?:(?:prima|bene) )?(?:leggere|controllare|verificare"
              r"|fare attenzione|prestare attenzione|guardare|informarti|informarsi|informarvi|consultare|saperlo)\b"
              r"|(?<!non )\b(?:è|e') colpa (?:tua|sua|vostra)\b|\bla colpa è (?:tua|sua|vostra)\b"
              r"|\b(?:doveva|dovevi|dovevate) (?:leggere|controllare|verificare|fare attenzione|informarsi"
              r"|informarti)\b"
              r"|\b(?:deve|devi) aver(?:e)? (?:sbagliato|letto male|capito male|frainteso|inserito male|dimenticato)\b"
              r"|\b(?:lei|tu) (?:ha|hai) (?:sbagliato|frainteso|capito male|letto male)\b"
              r"|\bse (?:lei |tu |voi )?(?:avesse|avessi|aveste)(?: (?:bene|prima|solo|almeno))? (?:letto|controllato"
              r"|verificato|guardato|consultato|fatto attenzione|prestato attenzione|seguito|dato un'occhiata)\b"
              r"|\b(?:avrà|avrai|avrete|deve aver|devi aver|dovete aver)(?:e)? (?:(?:sicuramente|probabilmente|forse"
              r"|certamente|di sicuro|senz'altro|evidentemente) )?(?:inserito|digitato|scritto|letto|capito|compilato"
              r"|selezionato|cliccato|scelto|impostato|copiato)\b(?: [\w']+){0,3}? " + _IT_WRONG + r"\b"
              r"|\b(?:lei|tu) (?:ha|hai) (?:\w+ )?(?:inserito|digitato|scritto|letto|capito|compilato|selezionato"
              r"|scelto)\b(?: [\w']+){0,3}? " + _IT_WRONG + r"\b"
              r"|\b(?:ha|hai) (?:inserito|digitato|scritto|compilato|selezionato) (?:male|in modo errato)\b"
              r"|\b(?:ha|hai) sbagliat[oa] a (?:inserire|digitare|scrivere|scegliere|selezionare|leggere)\b"
              r"|\b(?:bastava|sarebbe bastato)(?: (?:solo|semplicemente))? (?:leggere|leggerl[oaie]|controllare"
              r"|controllarl[oaie]|verificare|guardare|consultare|dare un'occhiata|fare attenzione|informarsi"
              r"|chiedere)\b",
              "Blames the customer.", "Ecco come risolviamo:"),
        _rule("blaming",  # the terms held up against the customer, unless they grant something
              r"\b(?:condizioni|termini|regolamento|contratto)\b[^.!?]{0,30}?\bche (?:lei |tu )?(?:ha|hai"
              r"|avete) (?:\w+ )?"
              r"(?:accettat[oaie]|firmat[oaie]|sottoscritt[oaie]|approvat[oaie])\b"
              r"|\b(?:era|è|c'era|c'è) (?:tutto (?:\w+ )?|(?:\w+ )?(?:chiaramente|ben|bene|nero su bianco) )(?:scritto"
              r"|indicato|specificato|spiegato)\b",
              "Blames the customer.", "Ecco cosa prevedono le condizioni per lei, e cosa possiamo fare:",
              unless=_policy_spared("it")),
        _rule("dismissive",
              r"\b(?:si calmi|calmati|calmatevi|stia calm[oa]|stai calm[oa]|mantenga la calma|mantieni la calma"
              r"|non c'è bisogno di (?:urlare|arrabbiarsi|agitarsi|scaldarsi)|calma,? calma)\b"
              r"|\b(?:si dia|datti) una calmata\b|\babbass(?:i|a|ate) i toni\b"
              r"|\b(?:urlare|urlando|gridare|gridando|scrivere in maiuscolo|scrivendo in maiuscolo|in maiuscolo"
              r"|insultare"
              r"|insultando|insulti|minacciare|minacciando)\b[^.!?]{0,60}?\bnon (?:farà|fa|serve|servirà|aiuta|aiuterà"
              r"|cambia|cambierà|risolve|risolverà|accelera|porta|porterà|fanno|faranno)\b"
              r"|\bnon serve (?:a (?:niente|nulla) )?(?:urlare|gridare|scrivere in maiuscolo|arrabbiarsi|insultare"
              r"|alzare i toni)\b"
              r"|\b(?:un altro|un'altra|l'ennesim[oa]|ancora un|ancora una) (?:tweet|post|reclamo|lamentela|commento"
              r"|thread|sfogo) (?:su|sul|sulla|sui|sulle|sullo|per|riguardo)\b|\bche sorpresa\b"
              r"|\bnon ne sentivamo (?:proprio )?la mancanza\b|\b(?:a|con) tutto il mondo\b(?=[.!?,]|$)"
              r"|\bnon ci vuole (?:mica )?un genio\b|\bchiunque (?:può|sa|riesce) (?:farlo|capirlo)\b"
              r"|\bè (?:davvero|proprio) semplicissimo\b|\bnon è (?:mica )?fisica nucleare\b"
              r"|\b(?:smetta|smettila|smettete|smetti) di (?:spammar\w*|tartassarci|intasar\w*|bombardarci|taggarci)\b"
              r"|\bnon (?:possiamo|si può) (?:farci|fare) (?:niente|nulla)\b"
              r"|\bnon c'è (?:niente|nulla) (?:che (?:possiamo|si possa) fare|da fare)\b|\bè così e basta\b",
              "Dismisses the customer or closes the door.", "Ecco cosa possiamo fare:"),
        _rule("policy_hiding",
              r"\b(?:secondo (?:la |le )?|in base (?:alla|alle) |come da |conformemente (?:alla|alle) )"
              r"(?:nostra|nostre) "
              r"(?:politica|politiche|policy|regole|condizioni|procedure)\b"
              r"|\bla nostra (?:politica|policy) non (?:prevede|consente|permette)\b|\bpolitica aziendale\b"
              r"|\b(?:è|sono) (?:la nostra|le nostre) (?:politica|policy|regole|procedure)\b|\bregole sono regole\b"
              r"|\b(?:è|sono) (?:la|le) (?:politica|policy|regole|regola) (?:aziendal[ei]|dell'azienda)\b",
              "Hides behind policy.", "Ti spieghiamo il perché e cosa possiamo fare:", unless=_policy_spared("it")),
        _rule("defensive",
              r"\b(?:il nostro|il|la nostra|la) (?:sistema|sito|app|applicazione|piattaforma)\b (?:non sbaglia(?: mai)?"
              r"|non fa errori|funziona (?:benissimo|perfettamente|alla perfezione)(?! (?:su|con|per|in)\b))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Vediamo cosa è successo dalla sua parte e dalla nostra:", unless=_RESTORED["it"]),
        _rule("defensive",  # a threat: "Se continua così, bloccheremo il suo account"
              r"\bse (?:lei |tu )?(?:continua|continui|continuate|insiste|insisti"
              r"|insistete)\b[^.!?]{0,60}?\b(?:bloccar\w*"
              r"|blocchere\w*|segnalar\w*|segnalere\w*|ignorar\w*|ignorere\w*|smetter\w* di rispondere|(?:chiuder"
              r"|sospender"
              r"|cancellar)\w* (?:il )?(?:suo|tuo) (?:account|profilo|contratto|accesso))"
              r"|\bqualsiasi (?:altro |ulteriore )?(?:messaggio|commento|insulto)\b[^.!?]{0,30}?\bsarà\b"
              r"|\bultimo avvertimento\b",
              "Threatens the customer.", "Vogliamo aiutarla, ed ecco il prossimo passo:"),
    ),
    "nl": (
        _rule("defensive",
              r"\bzoals (?:(?:we|wij|ik) (?:u |je |jou |jullie )?)?"  # "zoals u al zei" quotes the customer
              r"(?:al eerder|reeds eerder|eerder al|al|reeds|eerder) "
              r"(?:hebben |heb )?(?:gezegd|uitgelegd|aangegeven|gemeld|vermeld|laten weten|gemaild|geschreven"
              r"|zeiden|zei|schreven|schreef|meldden)\b"
              r"|\bzoals (?:we|wij|ik)\b(?: [\w-]+){0,5}? (?:al|reeds|eerder)\b(?: [\w-]+){0,4}? (?:gezegd|uitgelegd"
              r"|aangegeven|gemeld|vermeld|gemaild|geschreven|zeiden|zei|schreven|schreef|meldden)\b",
              "Points out that the customer did not listen.", "Kort samengevat:",
              unless=_UPDATES["nl"], unless_reply=_APOLOGIES["nl"]),
        _rule("defensive",
              r"\bzoals (?:we|wij|ik) (?:u|je|jou|jullie)\b(?: [\w-]+){0,4}? (?:gezegd|uitgelegd|aangegeven|gemeld"
              r"|vermeld"
              r"|laten weten|gemaild|geschreven|verteld|zeiden|zei|schreven|schreef|meldden|vertelden)\b"
              r"|\b(?:al (?:meerdere|verschillende|zo vaak|vaker|twee|drie|\d+) (?:keren|keer)|meermaals"
              r"|herhaaldelijk)\b"
              r"[^.!?]{0,30}?\b(?:gezegd|uitgelegd|aangegeven|gemeld|verteld|geschreven)\b"
              r"|\bvoor de (?:tweede|derde|vierde|vijfde|zoveelste|tiende|honderdste|laatste) keer\s*[,:]"
              r"|\bhoe vaak (?:moeten|moet) (?:we|wij|ik)\b|\bik herhaal\b"
              r"|\b(?:lees|lezen|herlees)\b(?: \w+){0,3}? (?:onze|mijn) (?:vorige|eerdere) (?:berichten|reacties"
              r"|antwoorden)\b"
              r"|\b(?:onze|mijn) (?:vorige|eerdere) (?:berichten|reacties|antwoorden)\b[^.!?]{0,20}?\b(?:terug ?lezen"
              r"|nog eens (?:door)?lezen|teruglezen|na te lezen)\b"
              r"|\bniet (?:onze|mijn) (?:schuld|fout|verantwoordelijkheid|probleem|zaak)\b|\bligt niet aan ons\b"
              r"|\b(?:dat|dit|het) is (?:jouw|uw|je) (?:eigen )?probleem\b|\bniet het onze\b"
              r"|\b(?:(?:we|wij) zijn|zijn (?:we|wij)) (?:hier |daar |daarvoor |hiervoor )?niet verantwoordelijk\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kort samengevat:"),
        _rule("blaming",  # "je had een mail moeten ontvangen" is news, "je had moeten opletten" a reproach
              r"\b(?:(?:u|je|jij) had|had (?:u|je|jij))\b[^.!?,;]{0,40}?\bmoeten (?:lezen|controleren|nakijken"
              r"|checken|opletten|letten|doorgeven|melden|weten)\b"
              r"|(?<!niet )\b(?:je|uw|jouw) eigen schuld\b|\b(?:het|dat) is (?:uw|jouw|je) (?:schuld|fout)\b"
              r"|\b(?:u|je|jij) (?:heeft|hebt|heb|moet) (?:zich|je|u) "
              r"(?:vast |waarschijnlijk |zeker |blijkbaar )?vergist\b"
              r"|\b(?:u|je|jij) (?:heeft|hebt|heb) (?:het |dit |dat )?(?:vast |waarschijnlijk |blijkbaar )?"
              r"(?:verkeerd|niet goed) (?:gelezen|ingevuld|begrepen|ingevoerd|getypt)\b"
              r"|\b(?:u|je|jij) (?:heeft|hebt|heb)\b[^.!?,;]{0,40}?\b(?:verkeerd|verkeerde \w+|niet goed|fout|onjuist) "
              + _NL_ENTERED + r"\b"
              r"|\b(?:heeft u|hebt u|heb je|heb jij)\b[^.!?,;]{0,40}?\b(?:verkeerd|verkeerde \w+|niet goed|fout"
              r"|onjuist) "
              + _NL_ENTERED + r"\b(?![^.!]*\?)"
              r"|\bals (?:je|u|jij|jullie)\b[^.!?,;]{0,50}?\b" + _NL_HEEDED + r" (?:had|hadden|zou hebben)\b"
              r"|\bals (?:je|u|jij|jullie)\b[^.!?,;]{0,50}?\b(?:had|hadden) (?:\w+ )?" + _NL_HEEDED + r"\b"
              r"|\bhad (?:je|u|jij)\b[^.!?;]{0,50}?\b" + _NL_HEEDED + r",? (?:dan )?(?:had|wist|zou|was)\b",
              "Blames the customer.", "Zo lossen we het op:"),
        _rule("blaming",  # the terms held up against the customer, unless they grant something
              r"\b(?:voorwaarden|regels|contract|overeenkomst|beleid)\b[^.!?]{0,30}?\b(?:waar|waarmee) (?:je|u|jij) "
              r"(?:\w+ )?(?:mee )?akkoord (?:bent|ben|ging|gaat|hebt|heeft)\b"
              r"|\b(?:voorwaarden|regels|contract|overeenkomst)\b[^.!?]{0,30}?\b(?:die|dat) (?:je|u) (?:hebt|heeft)"
              r" (?:geaccepteerd|ondertekend|getekend|aangevinkt|goedgekeurd)\b"
              r"|\bstaat (?:(?:toch|gewoon|duidelijk|echt|zwart op wit|heel duidelijk) )+(?:\w+ ){0,2}?(?:in|op) (?:de"
              r"|onze"
              r"|het|ons) (?:voorwaarden|algemene voorwaarden|website|site|faq|productpagina|beschrijving|bevestiging"
              r"|contract)\b",
              "Blames the customer.", "Dit betekenen de voorwaarden voor jou, en dit kunnen we doen:",
              unless=_policy_spared("nl")),
        _rule("dismissive",
              r"\b(?:rustig aan|kalm aan|blijf (?:even )?rustig|blijft u (?:even )?rustig|kalmeer"
              r"|doe (?:eens |even )?rustig|doe (?:eens |even )?normaal)\b"
              r"|\b(?:let|letten) (?:even |wel )?op (?:je|uw) (?:toon|taal|woorden)\b"
              r"|\b(?:schreeuwen|geschreeuw|hoofdletters|in caps|schelden|gescheld|tieren|dreigen|dreigementen)\b"
              r"[^.!?]{0,60}?\b(?:niet|geen)\b[^.!?]{0,30}?\b(?:sneller|beter|eerder|helpt|helpen|werkt|verandert"
              r"|veranderen|oplossen|lost)\b"
              r"|\b(?:schreeuwen|schelden|tieren|hoofdletters)\b (?:helpt|werkt|heeft) (?:\w+ )?(?:niet|geen zin)\b"
              r"|\b(?:we|wij) kunnen er (?:helaas )?niets (?:aan )?doen\b"
              r"|\b(?:daar|hier) kunnen (?:we|wij) (?:helaas )?niets (?:aan )?doen\b"
              r"|\b(?:(?:daar|hier|er) kunnen (?:we|wij)|(?:we|wij) kunnen (?:er|daar|hier))(?: (?:helaas|echt|verder"
              r"|ook"
              r"|zelf|nu eenmaal))* (?:niets|niks) (?:meer )?(?:aan )?(?:doen|veranderen|wijzigen)\b"
              r"|\bdaar is (?:helaas )?niets (?:meer )?aan te doen\b"
              r"|\b(?:weer|alweer|nog) een (?:tweet|post|klacht|klaagtweet|draadje|thread) (?:over|van|met)\b"
              r"|\bde zoveelste (?:tweet|post|klacht|klaagtweet|draadje|thread)\b|\bwat (?:een )?verrass(?:end|ing)\b"
              r"|\bmet de hele wereld\b"
              r"|\bgeen (?:rocket science|hogere wiskunde|raketwetenschap)\b"
              r"|\bis toch (?:echt )?niet (?:zo )?moeilijk\b"
              r"|\bis toch (?:heel |best )?(?:simpel|eenvoudig)\b|\biedereen kan (?:dat|het)\b"
              r"|\b(?:stop|hou|houd|houdt) (?:eens |nou |alsjeblieft )?(?:op )?met (?:spammen|ons te spammen|taggen"
              r"|ons te taggen|het spammen)\b|\b(?:spam|spamt) ons niet\b",
              "Dismisses the customer or closes the door.", "Dit kunnen we wel doen:"),
        _rule("policy_hiding",
              r"\b(?:volgens|conform|op grond van|vanwege) (?:ons|onze) (?:beleid|voorwaarden|regels|huisregels|policy"
              r"|bedrijfsbeleid|richtlijnen)\b"
              r"|\bons beleid (?:staat|laat) (?:dit |dat |het )?niet toe\b|\bbedrijfsbeleid\b"
              r"|\b(?:dat|dit|het) is (?:nu eenmaal |helaas |gewoon |simpelweg )?(?:ons|het) (?:beleid"
              r"|bedrijfsbeleid)\b"
              r"|\bregels zijn regels\b|\bzo zijn (?:nu eenmaal )?de regels\b"
              r"|\b(?:dat|dit) zijn (?:nu eenmaal |helaas |gewoon )?(?:onze|de) (?:regels|voorwaarden)\b",
              "Hides behind policy.", "Dit is de reden, en dit kunnen we wel doen:", unless=_policy_spared("nl")),
        _rule("defensive",
              r"\b(?:ons|onze|het|de) (?:systeem|app|website|site|netwerk)\b[^.!?,;]{0,15}?\b(?:maakt geen fouten"
              r"|werkt (?:gewoon|perfect|naar behoren|zoals het hoort)(?=[.!,;]|$))",
              "Defends the company's system instead of looking at the customer's problem.",
              "Laten we kijken wat er bij jou en bij ons is gebeurd:", unless=_RESTORED["nl"]),
        _rule("defensive",  # a threat: "Als je zo doorgaat, blokkeren we je account"
              r"\bals (?:je|u|jij|jullie) (?:\w+ ){0,3}?(?:doorgaat|door blijft gaan|blijft|volhoudt|nog een keer)\b"
              r"[^.!?]{0,60}?\b(?:blokkeren|blokkeert|melden we|rapporteren|negeren|reageren we niet meer|stoppen we"
              r"|(?:sluiten|beëindigen|verwijderen|opschorten) (?:we|wij) (?:je|uw) (?:account|profiel|contract"
              r"|abonnement)"
              r"|(?:je|uw) (?:account|profiel|contract|abonnement) (?:wordt )?(?:gesloten|geblokkeerd|beëindigd"
              r"|verwijderd))\b"
              r"|\b(?:elk|ieder) (?:volgend |verder )?(?:bericht|scheldwoord)\b[^.!?]{0,30}?\bwordt\b"
              r"|\blaatste waarschuwing\b",
              "Threatens the customer.", "We willen je helpen, en dit is de volgende stap:"),
    ),
    # Polish, Russian, Turkish, Hungarian, Chinese, Japanese, Korean, Arabic and Thai (since 2026-12-06):
    # written the same way, to a labelled set first (tests/test_responder_tone.py). A reproach needs its
    # verb and the customer as its subject ("Powinien Pan był sprawdzić", not "Powinien Pan był otrzymać";
    # the Korean honorific -시- marks the customer), a policy is only a wall when the clause citing it
    # refuses ("Zgodnie z regulaminem przysługuje zwrot" is news), and "not YOUR fault" is empathy.
    "pl": (
        _rule("defensive",
              r"\bjak (?:(?:już|juz|wcześniej|kilkukrotnie|wielokrotnie|kilka razy|to|ten|pan[ua]?|pani|państwu"
              r"|ci|tobie|wam) ){0,4}(?:wspomni|wspomina|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni|wyjaśnia"
              r"|\w*informowa|zaznaczy|zaznacza|podkreśli|podkreśla|wskazywa|wskaza|przekaza|powtarza|odpowiada"
              r"|odpowiedzie)(?:liśmy|łyśmy|łem|łam)\b"
              r"|\bjak (?:już |wcześniej |kilkukrotnie )+(?:wspomniano|pisano|napisano|wyjaśniono|informowano"
              r"|zaznaczono|było (?:napisane|powiedziane|wyjaśnione))\b"
              r"|\bpo raz (?:kolejny|ostatni|drugi|trzeci|setny) (?:powtarza|przypomina|wyjaśnia|tłumacz|pisz)\w*"
              r"|\b(?:to )?nie (?:jest )?(?:nasza|moja) wina\b|\bnie z naszej winy\b"
              r"|\bto nie (?:jest )?(?:nasz|mój) (?:błąd|problem)\b|\bwina nie leży po naszej stronie\b"
              r"|\bnie ponosimy (?:za to |tu |żadnej |w tym )*(?:odpowiedzialności|winy)\b"
              r"|\bnie (?:jesteśmy|czujemy się) (?:za to |temu |tu )?(?:odpowiedzialni|winni)\b|\bnie odpowiadamy za\b"
              r"|\bzrobiliśmy wszystko (?:prawidłowo|poprawnie|zgodnie z procedur\w*)\b"
              r"|\b(?:jest (?:pan|pani)|(?:pan|pani) jest|jesteś|są państwo) (?:jedyn\w+|jak dotąd jedyn\w+)\b"
              r"|\bnikt (?:\w+ ){0,2}nie (?:skarż|zgłasza|zgłosi|narzeka|reklamowa|miał)\w*"
              r"|\b(?:przecież|wielokrotnie|kilkakrotnie|kilka razy|nieraz|tyle razy) (?:\w+ ){0,3}?(?:wspomni|wspomina"
              r"|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni|wyjaśnia|\w*informowa|zaznaczy|zaznacza|podkreśla|przekaza"
              r"|odpowiada)(?:liśmy|łyśmy|łem|łam)\b"
              r"|\bjuż (?:panu|pani|państwu|ci|wam) (?:wspomni|wspomina|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni"
              r"|wyjaśnia|\w*informowa|zaznaczy|zaznacza|podkreśla|przekaza|odpowiada)(?:liśmy|łyśmy|łem|łam)\b"
              r"|\b(?:jasno|wyraźnie|czarno na białym) (?:\w+ )?(?:napisan|zapisan|podan|opisan|określon|wskazan)\w*"
              r"|\bnie (?:leży|jest) w naszej (?:gestii|kompetencji|odpowiedzialności)\b"
              r"|\bnie mamy z tym nic wspólnego\b|\bto (?:już )?(?:sprawa|problem) (?:kuriera|przewoźnika|poczty"
              r"|banku)\b",
              "Points out that the customer did not listen, or denies responsibility.", "Krótko podsumowując:"),
        _rule("blaming",
              r"\b(?:(?:pan|pani|państwo) )?(?:powinien|powinna|powinni|powinny|powinieneś|powinnaś|powinniście)"
              r"(?: (?:pan|pani|państwo))? (?:był|była|byli|były|byłeś|byłaś|byliście)(?: (?:pan|pani|państwo))?"
              r"\b[^.!?;]{0,25}?\b(?:sprawdzić|przeczytać|doczytać|zapoznać|uważać|zwrócić uwagę|upewnić|zweryfikować"
              r"|przejrzeć|wiedzieć|zachować|zapisać|zgłosić|pomyśleć|spojrzeć|zajrzeć|skontaktować)"
              r"|\b(?:trzeba było|należało|wystarczyło)\b (?:\w+ ){0,2}?(?:sprawdzić|przeczytać|doczytać|zapoznać"
              r"|uważać|zwrócić uwagę|upewnić|zweryfikować|przejrzeć|wiedzieć|zachować|zapisać|pomyśleć|spojrzeć"
              r"|zajrzeć|czytać)"
              r"|\b(?:musiał|musiała|musieli|musiałeś|musiałaś|musieliście)(?: (?:się|pan|pani|państwo|chyba|pewnie))*"
              r" (?:(?:źle|błędnie|niepoprawnie|nieprawidłowo) \w+|pomylić|przeoczyć|zapomnieć|nie (?:doczytać"
              r"|zauważyć|przeczytać|sprawdzić))"
              r"|\b(?:pan|pani|państwo)(?: \w+)?(?: się)? (?:pomylił|pomyliła|pomylili)\b"
              r"|\b(?:pomylił|pomyliła|pomylili) się (?:pan|pani|państwo)\b|\bpomyli(?:łeś|łaś|liście) się\b"
              r"|\bsię pomyli(?:łeś|łaś|liście)\b"
              r"|\b(?:pan|pani|państwo)(?: \w+)? (?:źle|błędnie|niepoprawnie) (?:wpisa|przeczyta|zrozumia|poda|wybra"
              r"|wprowadzi|zaznaczy|klikną|wypełni)(?:ł|ła|li)\b"
              r"|\b(?:źle|błędnie|niepoprawnie) (?:wpisa|przeczyta|zrozumia|poda|wybra|wprowadzi|zaznaczy|klikną"
              r"|wypełni)(?:łeś|łaś|liście)\b"
              r"|\bnie (?:zapozna|przeczyta|doczyta)(?:ł|ła|li|łeś|łaś|liście) (?:się )?(?:pan |pani |państwo )?"
              r"(?:z )?(?:regulamin|warunk|zasad|instrukcj|opis)\w*"
              r"|(?<!nie )(?<!nie jest )(?<!nie była )\b(?:to )?(?:pana|pani|twoja|państwa|wasza) wina\b"
              r"|\bwina (?:leży|jest) po (?:pana|pani|twojej|państwa) stronie\b"
              r"|(?<!nie )\bz (?:pana|pani|twojej|państwa|własnej) winy\b"
              r"|\bsam[ai]? sobie (?:pan |pani |państwo )?(?:jest |są )?(?:winien|winna|winni)\b"
              r"|\b(?:sam[a]? (?:pan|pani|ty)|(?:pan|pani) sam[a]?|sami państwo|państwo sami) (?:\w+ )?(?:uszkodzi"
              r"|zniszczy|wybra|zamówi|wpisa|poda|zaznaczy|klikną|zgodzi|zaakceptowa|usuną|skasowa|zepsu|zgubi)(?:ł|ła"
              r"|li)\b"
              r"|\bsam[a]? (?:\w+ )?(?:uszkodzi|zniszczy|wybra|zamówi|wpisa|poda|zaznaczy|klikną|zaakceptowa|usuną"
              r"|zepsu|zgubi)(?:łeś|łaś)\b"
              r"|\b(?:trzeba było|należało|wystarczyło)\b (?:\w+ ){0,2}?(?:zgłosić|poinformować|zareklamować|złożyć)"
              r"|\bnie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:ł|ła|li) (?:się )?(?:pan|pani|państwo)\b"
              r"|\b(?:pan|pani|państwo) (?:\w+ )?nie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:ł|ła|li)\b"
              r"|\bnie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:łeś|łaś|liście)\b"
              r"|\bgdyby (?:pan |pani |państwo )?(?:\w+ )?(?:przeczyta|sprawdzi|doczyta|zapozna|zwróci|uważa)"
              r"(?:ł|ła|li|łeś|łaś)\w*",
              "Blames the customer.", "Tak to teraz rozwiążemy:"),
        _rule("dismissive",
              r"\b(?:proszę|prosimy) (?:się |pana |panią |państwa )*(?:uspokoić|nie denerwować|nie krzyczeć"
              r"|nie unosić|nie histeryzować)\b|\buspokój(?:cie)? się\b|\bbez (?:nerwów|histerii)\b"
              r"|\bnie ma (?:potrzeby|co) (?:się )?(?:denerwować|krzyczeć|unosić|histeryzować|przesadzać|robić afery)\b"
              r"|\bprzesadza (?:pan|pani)\b|\b(?:pan|pani) przesadza\b|\bprzesadzasz\b"
              r"|\bnic (?:więcej |już |tu |tutaj )*(?:się )?nie (?:możemy|mogę|jesteśmy w stanie|da się)"
              r"(?: (?:z tym|w tej sprawie|tu|tutaj|już|więcej))* (?:zrobić|poradzić|zdziałać)\b"
              r"|\bnie (?:możemy|jesteśmy w stanie) (?:już )?nic (?:więcej )?(?:z tym |w tej sprawie )?"
              r"(?:zrobić|poradzić)\b|\bnic (?:się )?nie da (?:się )?(?:z tym )?zrobić\b|\bnie mamy na to wpływu\b"
              r"|\bnic (?:na to |tu )?nie poradzimy\b|\bnic (?:wielkiego|strasznego) się nie stało\b"
              r"|\bto nie (?:jest )?(?:aż )?taki (?:duży |wielki )?problem\b"
              r"|\bto (?:tylko|jedynie) (?:drobn\w+|mał\w+|kilka dni|niewielk\w+)\b",
              "Dismisses the customer or closes the door.", "To frustrujące, a oto co możemy zrobić:"),
        _rule("policy_hiding",
              r"\b(?:zgodnie z|według|wg|na mocy|w świetle|z uwagi na) (?:naszym |naszą |naszymi |obowiązującym "
              r"|obowiązującymi |sklepowym )?(?:regulamin|polityk|zasad|procedur|warunk|przepis)\w*"
              r"(?: (?:sklepu|firmy|serwisu|zwrotów))?,?[^.!?;,\n]{0,40}?\b(?:nie|brak)\b"
              r"|\b(?:regulamin|polityka|zasady|procedury|przepisy|warunki)(?: \w+){0,2} (?:nie (?:pozwala|pozwalają"
              r"|przewiduje|przewidują|zezwala|zezwalają|dopuszcza|dopuszczają)|zabrania|zabraniają)\b"
              r"|\bpolityk\w* firmy (?:nie|zabrania)\w*|\btakie są (?:nasze )?(?:zasady|procedury|przepisy)\b"
              r"|\bnie (?:robimy|zrobimy|możemy zrobić) (?:żadnych |żadnego )?wyjątk\w*",
              "Hides behind policy.", "Wyjaśniamy, dlaczego tak jest, i co możemy zrobić:"),
    ),
    "ru": (
        _rule("defensive",
              r"\bкак (?:(?:мы|я|вам|вас|тебе|уже|ранее|раньше|неоднократно|не раз|выше|и|же) ){0,4}(?:говори|писа"
              r"|написа|объясня|объясни|сообща|сообщи|указыва|указа|упомина|упомяну|отвеча|ответи|информирова"
              r"|проинформирова|разъясня|разъясни|предупрежда|предупреди|сказа|повторя)(?:ли|л|ла)\b"
              r"|\bкак (?:уже|ранее|раньше) (?:было )?(?:сказано|указано|написано|упомянуто|отмечено|сообщено"
              r"|разъяснено|объяснено)\b|\bкак (?:было )?(?:сказано|указано|написано|упомянуто) (?:ранее|выше|раньше)\b"
              r"|\bповторя(?:ю|ем) (?:ещ[её] раз|в последний раз)\b|\bв (?:который|очередной|последний|сотый) раз "
              r"(?:повторя|объясня|пиш|говор)\w*"
              r"|\b(?:это )?не (?:наша|моя) (?:вина|ошибка|проблема|ответственность|зона ответственности)\b"
              r"|\bне по нашей вине\b|\bнашей вины (?:в этом |здесь |тут )?нет\b|\bмы (?:здесь |тут "
              r"|в этом )?не виноваты\b"
              r"|\bмы не (?:нес[её]м|можем нести) (?:никакой )?ответственност\w*|\b(?:мы )?не отвечаем за\b"
              r"|\bмы вс[её] сделали (?:правильно|верно|по правилам)\b"
              r"|\b(?:вы|ты) (?:единственн\w+|первый и единственн\w+)\b"
              r"|\bникто (?:\w+ ){0,2}не (?:жалова|жалуе|сообща|сообщи|обраща|обрати)\w*"
              r"|\b(?:мы|я) (?:\w+ ){0,2}?(?:же|ведь|неоднократно|несколько раз|не раз|дважды|много раз|сто раз) "
              r"(?:\w+ ){0,2}?(?:говори|писа|написа|объясня|объясни|сообща|сообщи|указыва|указа|отвеча|ответи|разъясня"
              r"|разъясни|сказа|повторя)(?:ли|л|ла)\b"
              r"|\b(?:мы|я) (?:уже )?(?:вам|тебе) (?:уже )?(?:говори|писа|написа|объясня|объясни|сообща|сообщи|указыва"
              r"|указа|отвеча|ответи|разъясня|разъясни|сказа|повторя)(?:ли|л|ла)\b"
              r"|\b(?:русским языком|ясно|ч[её]тко|ч[её]рным по белому|прямо) (?:\w+ )?(?:написа|сказа|объясни|указа"
              r"|прописа)\w*"
              r"|\bне входит в (?:нашу|мою) (?:зону ответственности|компетенцию|обязанности)\b"
              r"|\bк нам (?:это )?не относится\b",
              "Points out that the customer did not listen, or denies responsibility.", "Коротко о главном:"),
        _rule("blaming",
              r"\b(?:вам|тебе) (?:(?:следовало|стоило|надо было|нужно было|необходимо было)(?: бы)?)\b[^.!?;]{0,20}?"
              r"\b(?:прочита|прочест|перечита|проверит|посмотрет|ознакомит|уточнит|внимательн|обратит|сохранит"
              r"|выбрат|подумат|знат|следит|убедит|заглянут)\w*"
              r"|\b(?:следовало|стоило|надо было|нужно было)(?: бы)? (?:вам|тебе) (?:\w+ )?(?:прочита|прочест|перечита"
              r"|проверит|посмотрет|ознакомит|уточнит|внимательн|обратит|убедит)\w*"
              r"|\b(?:вы|ты) (?:\w+ )?(?:должны были|должен был|должна была|обязаны были)(?: бы)? (?:\w+ )?"
              r"(?:прочита|прочест|проверит|посмотрет|ознакомит|уточнит|внимательн|обратит|убедит|знат)\w*"
              r"|\b(?:вы|ты)\b(?:(?!\bмы\b)[^.!?;]){0,30}?\b(?:неправильно|неверно|ошибочно|не так|не туда"
              r"|невнимательно)"
              r" (?:ввели|ввёл|ввел|ввела|указали|указал|указала|прочитали|прочитал|прочитала|поняли|понял|поняла"
              r"|заполнили|заполнил|заполнила|набрали|выбрали|нажали|написали)\b"
              r"|\b(?:вы|ты)(?:,? (?:должно быть|видимо|наверное|наверно|вероятно|скорее всего|по-видимому|просто"
              r"|сами|сам|сама),?)* (?:ошиблись|ошибся|ошиблась|перепутали|перепутал|перепутала|не (?:прочитали"
              r"|прочитал|прочитала|дочитали|заметили|ознакомились|ознакомился|ознакомилась))\b"
              r"|(?<!не )\b(?:это )?(?:ваша|твоя) (?:вина|ошибка)\b|\b(?:вы|ты) (?:сами|сам|сама) (?:и )?виноват\w*"
              r"|\bсами виноваты\b|(?<!не )\bпо (?:вашей|твоей) (?:же |собственной )?вине\b"
              r"|(?<!нам )(?<!мне )\b(?:надо|нужно|необходимо|стоило|следовало) было (?:\w+ )?(?:чита|прочита|проверя"
              r"|провери|смотре|посмотре|ознакоми|ознакамлива|уточни|уточня|сохрани|обрати)\w*"
              r"|\b(?:вы|ты) (?:же )?(?:сами|сам|сама) (?:\w+ )?(?:выбрал|указал|ввел|ввёл|заказал|оформил|согласил"
              r"|подтвердил|нажал|удалил|сломал|повредил|отказал|оплатил)\w*"
              r"|\bесли бы (?:вы|ты) (?:\w+ )?(?:прочита|проверил|посмотрел|ознакомил|обратил|внимательн)\w*",
              "Blames the customer.", "Вот как мы это решим:"),
        _rule("dismissive",
              r"\bуспокойтесь\b|\bуспокойся\b|\bне нервничайте\b|\bне кричите\b|\bне грубите\b"
              r"|\bне повышайте (?:на нас )?голос\b|\bничего не поделаешь\b"
              r"|\bне (?:надо|нужно|стоит) (?:\w+ ){1,2}?(?:кричать|повышать голос|грубить|хамить|нервничать)\b"
              r"|\bне (?:надо|нужно|стоит) (?:так )?(?:нервничать|кричать|горячиться|паниковать|истерить|злиться"
              r"|раздувать|преувеличивать)\b|\bвы преувеличиваете\b"
              r"|\bнич(?:ем|его) (?:[^\s.,!?]+ )?не (?:можем|сможем|могу|в силах)\b"
              r"|\b(?:сделать|помочь|поделать) (?:тут |здесь )?ничего не (?:можем|сможем)\b"
              r"|\bот нас (?:ничего |это |тут )?не завис\w+|\bне зависит от нас\b"
              r"|\bне (?:такая уж )?(?:большая|страшная) проблема\b|\bничего страшного не (?:случилось|произошло)\b",
              "Dismisses the customer or closes the door.", "Понимаем, как это неприятно, и вот что мы можем сделать:"),
        _rule("policy_hiding",
              r"\b(?:согласно|по|в соответствии с|в силу|исходя из) (?:нашим |нашей |нашими |наших |действующим "
              r"|действующей |внутренним |внутренней )?(?:правил|политик|услови|регламент|оферт|инструкци)\w*"
              r"(?: (?:компании|магазина|сервиса|возврата))?,?[^.!?;,\n]{0,40}?(?:\bне\b|\bнельзя\b|невозможн\w*"
              r"|запрещ\w*)"
              r"|\bправила (?:\w+ )?не (?:позволяют|разрешают|предусматривают|допускают)\b|\bполитик[аиу] компании\b"
              r"|\bтаковы (?:наши )?правила\b",
              "Hides behind policy.", "Объясним, почему так, и что мы можем сделать:"),
    ),
    "tr": (
        _rule("defensive",
              r"\b(?:belirt|söyle|açıkla|ilet|bildir|yaz|ifade et|bilgi ver|anlat|hatırlat|tekrarla|vurgula|cevap ver"
              r"|yanıtla)(?:t|d)[ıiuü][ğk](?:ımız|imiz|umuz|ümüz|ım|im|um|üm) gibi\b"
              r"|\b(?:daha önce(?: de)?|önceden|defalarca|birçok kez|tekrar tekrar|yukarıda|önceki mesaj\w*(?: de"
              r"| da)?)"
              r" (?:\w+ ){0,2}?(?:belirtildiği|söylendiği|açıklandığı|bildirildiği|ifade edildiği|iletildiği"
              r"|yazıldığı) gibi\b|\btekrar (?:tekrar )?(?:ediyoruz|ediyorum|söylüyoruz|söylüyorum)\b"
              r"|\bbizim (?:suçumuz|hatamız|kusurumuz|sorumluluğumuz(?:da)?) değil\w*"
              r"|\b(?:bizden|bizim tarafımızdan) kaynaklanm(?:ıyor|amaktadır|adı)\b"
              r"|\bsorumlu (?:değiliz|tutulamayız)\b|\bsorumluluk (?:kabul etmiyoruz|kabul etmemekteyiz"
              r"|üstlenmiyoruz)\b"
              r"|\b(?:sorumluluğumuz|hatamız|suçumuz|kusurumuz) (?:yok|bulunm\w+)\b"
              r"|\bher şeyi (?:doğru|kurallara uygun) yaptık\b"
              r"|\b(?:tek|ilk ve tek) (?:müşteri|kişi) (?:sizsiniz|sensin|siz|sen)\b|\bşikayet eden tek (?:müşteri"
              r"|kişi)\b"
              r"|\bbaşka (?:hiçbir )?(?:müşteri\w*|kimse) (?:\w+ ){0,3}?şikayet(?:te)? (?:etme|bulunma|olma)\w*"
              r"|\b(?:defalarca|birçok kez|birkaç kez|kaç kez|kaç defa|tekrar tekrar) (?:\w+ )?(?:anlat|açıkla|belirt"
              r"|söyle|ilet|bildir|yaz|hatırlat)(?:tık|dık|tik|dik|tuk|duk|tım|dım|tim|dim|mıştık|miştik)\b"
              r"|\b(?:size|sana) (?:zaten|daha önce(?: de)?|defalarca) (?:anlat|açıkla|belirt|söyle|ilet|bildir|yaz"
              r"|hatırlat)(?:tık|dık|tik|dik|tuk|duk|tım|dım|tim|dim|mıştık|miştik)\b"
              r"|\b(?:açıkça|net bir şekilde|açık açık) (?:\w+ )?(?:belirtil|yazıl|yazı|ifade edil|açıklan)\w*"
              r"|\bbizi (?:ilgilendirmiyor|ilgilendirmez|bağlamaz|bağlamıyor)\b"
              r"|\bbizim (?:konumuz|sorumluluğumuz|alanımız) (?:değil|dışında)\w*|\bsorumluluğumuz(?:un)? dışında\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kısaca özetlersek:"),
        _rule("blaming",
              r"\b(?:kontrol et|oku|dikkat et|incele|gözden geçir|bak|bil|teyit et|doğrula|emin ol|kaydet|sakla)"
              r"(?:meniz|manız|men|man) (?:gerekirdi|gerekiyordu|lazımdı)\b"
              r"|\b(?:kontrol et|oku|dikkat et|incele|gözden geçir|bak|bil|teyit et|doğrula|emin ol|kaydet|sakla)"
              r"(?:meliydiniz|malıydınız|meliydin|malıydın)\b"
              r"|\b(?:yanlış|hatalı|eksik) (?:\w+ )?(?:gir|yaz|oku|anla|seç|doldur|tıkla|işaretle|tuşla)\w*?"
              r"(?: olmalı)?(?:sınız|siniz|sunuz|sünüz|nız|niz|nuz|nüz|sın|sin|sun|sün)\b"
              r"|\b(?:gözden kaçır|unut|okuma|dikkat etme|kontrol etme|fark etme)(?:mış|miş|muş|müş|dı|di|du|dü)"
              r"(?: olmalı)?(?:sınız|siniz|sunuz|sünüz|nız|niz|nuz|nüz|sın|sin|sun|sün)\b"
              r"|\bsizin (?:hatanız|suçunuz|kusurunuz)\b(?! değil)"
              r"|\b(?:hata|kusur|sorun|problem) (?:tamamen )?(?:sizde\b(?! değil)|sizden kaynaklan(?:ıyor|dı|maktadır))"
              r"|\b(?:okumadan|incelemeden|kontrol etmeden|bakmadan|dikkat etmeden) (?:\w+ ){0,2}?\w+(?:mışsınız"
              r"|mişsiniz|muşsunuz|müşsünüz|dınız|diniz|dunuz|dünüz|tınız|tiniz)\b"
              r"|\b(?:siz|sen) (?:\w+ )?(?:seçtiniz|onayladınız|girdiniz|yazdınız|sipariş verdiniz|kabul ettiniz"
              r"|seçtin|onayladın|girdin|kabul ettin)\b",
              "Blames the customer.", "Şimdi bunu şöyle çözeceğiz:"),
        _rule("dismissive",
              r"\bsakin ol(?:un|unuz|manızı|ur musunuz)?\b|\bsakinleş\w*"
              r"|\b(?:bağırmayın|bağırma|sesinizi yükseltmeyin|kaba olmayın|sinirlenmeyin|kızmayın)\b"
              r"|\b(?:bağırmanıza|sinirlenmenize|kızmanıza|abartmanıza) gerek yok\b|\babartıyorsunuz\b|\babartmayın\b"
              r"|\b(?:yapabileceğimiz|yapılabilecek|yapacak|yapılacak|yapacağımız) (?:başka )?(?:bir şey|hiçbir şey"
              r"|pek bir şey|bir şeyimiz)(?: de)? (?:yok|kalmadı|bulunmuyor|bulunmamaktadır)\b"
              r"|\belimizden (?:başka )?(?:bir şey|hiçbir şey) gel(?:mez|miyor)\b"
              r"|\b(?:hiçbir şey|bir şey) yapam(?:ayız|ıyoruz)\b"
              r"|\b(?:önemli|büyük) bir (?:sorun|şey|mesele) değil\b",
              "Dismisses the customer or closes the door.", "Can sıkıcı olduğunu biliyoruz; yapabileceğimiz şu:"),
        _rule("policy_hiding",
              r"\b(?:şirket )?(?:politika(?:mız|sı|ları|larımız)|kural(?:ımız|ları|larımız)|prosedür(?:ümüz|ü|leri"
              r"|lerimiz)|şart(?:ımız|ları|larımız)|koşul(?:ları|larımız)|yönetmeli(?:ğimiz|ği)|sözleşme(?:miz|si)?)"
              r"(?: gereği| gereğince| uyarınca| kapsamında|(?:n|y)?[ae] göre| çerçevesinde),?[^.!?;,\n]{0,50}?"
              r"\b\w*(?:m[ıiuü]yor|maz|mez|mamakta|memekte|madı|medi|değil|yok)\w*"
              r"|\b(?:politikamız|kurallarımız|prosedürümüz|şirket politikası) (?:buna )?(?:izin vermiyor"
              r"|izin vermemektedir|el vermiyor|uygun değil)\b|\bkural(?:lar)? (?:bu|bu şekilde|böyle|kuraldır)\b"
              r"|\bistisna (?:yapamayız|yapmıyoruz|yapılamaz|yapamıyoruz)\b",
              "Hides behind policy.", "Nedenini açıklayalım ve neler yapabileceğimizi söyleyelim:"),
    ),
    "hu": (
        _rule("defensive",
              r"\b(?:ahogy|amint|mint) (?:azt |ezt |arról |erről )?(?:(?:már|korábban|többször|is|ismételten|fentebb"
              r"|előzőleg|egyszer|legutóbb|önnek|neked|nektek) ){0,4}(?:\w*említ|\w*ír|jelez|\w*mond|tájékoztat"
              r"|kifejt|\w*magyaráz|közöl|tudat|hangsúlyoz|válaszol)(?:ettük|ottuk|tük|tuk|tem|tam|ettem|ottam)\b"
              r"|\bnem a mi hibánk\b|\bnem az én hibám\b|\bnem mi hibáztunk\b"
              r"|\bnem vagyunk (?:ezért |érte |ebben )?(?:felelősek|hibásak)\b"
              r"|\bnem (?:vállalunk|vállalhatunk) (?:semmilyen |semmiféle )?felelősséget\b"
              r"|\bfelelősséget nem (?:vállalunk|vállalhatunk)\b|\bnem rajtunk múlik\b|\bnem (?:mi )?tehetünk róla\b"
              r"|\bmindent (?:jól|helyesen|szabályosan) csináltunk\b"
              r"|\b(?:ön|te|maga) (?:az )?(?:egyetlen|egyedüli)\b|\bsenki (?:más )?nem (?:panaszkod|jelez|reklamál)\w*"
              r"|\b(?:már )?(?:többször|többször is|számtalanszor|sokszor|kétszer|ismételten) (?:\w+ )?(?:\w*említ"
              r"|\w*ír|jelez|\w*mond|tájékoztat|kifejt|\w*magyaráz|közöl|hangsúlyoz)(?:ettük|ottuk|tük|tuk|tem|tam"
              r"|ettem|ottam)\b"
              r"|\bmár (?:önnek|neked) (?:\w*említ|\w*ír|jelez|\w*mond|tájékoztat|kifejt|\w*magyaráz|közöl"
              r"|hangsúlyoz)(?:ettük|ottuk|tük|tuk|tem|tam|ettem|ottam)\b"
              r"|\b(?:egyértelműen|világosan|jól láthatóan) (?:\w+ )?(?:le van írva|szerepel|fel van tüntetve"
              r"|olvasható)\b"
              r"|\bnem (?:a mi|az én) (?:felelősségünk|felelősségem|dolgunk|hatáskörünk)\b|\bnem tartozik (?:ránk"
              r"|hozzánk)\b",
              "Points out that the customer did not listen, or denies responsibility.", "Röviden összefoglalva:"),
        _rule("blaming",
              r"\b(?:meg |el |át |utána |be |jobban |alaposabban |figyelmesebben )?kellett volna (?:\w+ )?"
              r"(?:\w*néz|\w*olvas|ellenőriz|figyel|tud|tájékozód|bizonyosod|ügyel|gondol)"
              r"(?:nie|nia|nod|ned|niük|niuk|ni)\b"
              r"|\b(?:\w*néz|\w*olvas|ellenőriz|figyel|tud|tájékozód|bizonyosod|ügyel|gondol)(?:nie|nia|nod|ned|niük"
              r"|niuk) kellett volna\b|\b(?:\w*olvas|\w*néz|ellenőriz)hattad volna\b"
              r"|\b(?:biztosan|biztos|valószínűleg|bizonyára|nyilván|feltehetően)\b[^.!?;]{0,25}?\b(?:rossz(?:ul)?"
              r"|hibás(?:an)?|helytelen(?:ül)?|téves(?:en)?) (?:\w+ )?(?:adott|adta|adtad|adtál|írt|írta|írtad|írtál"
              r"|gépelt|gépelte|töltött|töltötte|választott|választotta|olvasta|értette|értetted|kattintott)\b"
              r"|\b(?:ön |te )?(?:biztosan |biztos |valószínűleg |bizonyára |nyilván )(?:elírta|elgépelte|félreértette"
              r"|félreolvasta|elfelejtette|figyelmen kívül hagyta)\b"
              r"|\b(?:elírtad|elgépelted|félreértetted|elfelejtetted|nem olvastad el|nem olvasta el)\b"
              r"|(?<!nem )\b(?:az ön|a te|a maga|az önök) hibája\b|(?<!nem )\ba te hibád\b"
              r"|\b(?:ön|te) tehet(?:sz)? (?:róla|erről)\b|(?<!nem )\b(?:a )?saját hibájából\b"
              r"|\bha (?:ön |te )?(?:\w+ ){0,2}?(?:\w*olvas|\w*néz|ellenőriz|figyel)(?:ta|te|tad|ted|t|tál|tél) volna\b"
              r"|\b(?:ön|te)\b (?:\w+ )?(?:rossz|hibás|téves|nem megfelelő) (?:\w+ )?(?:választott|adott|írt|rendelt"
              r"|töltött|adtál|választottál|rendeltél|írtál)\w*",
              "Blames the customer.", "Most így oldjuk meg:"),
        _rule("dismissive",
              r"\bnyugodjon meg\b|\bnyugodj meg\b|\bnyugodjanak meg\b|\bnyugi\b"
              r"|\bne (?:idegeskedjen|idegeskedj|kiabáljon|kiabálj|hisztizzen|hisztizz)\b|\btúlreagál(?:ja|od|ják)\b"
              r"|\bnem tudunk (?:\w+ )?(?:mit|semmit|semmi\w*) (?:\w+ )?(?:tenni|kezdeni|csinálni|segíteni)\b"
              r"|\b(?:ezzel|ebben|itt) nem tudunk (?:mit|semmit) (?:tenni|kezdeni|csinálni)\b"
              r"|\bsemmit (?:sem |nem )(?:tudunk|tehetünk)\b|\bnem tehetünk semmit\b|\bnincs mit tenni\b"
              r"|\bnem áll módunkban (?:segíteni|tenni|változtatni)\b"
              r"|\b(?:ezen|ebben|ezzel) (?:\w+ )?nem tudunk (?:\w+ )?(?:változtatni|segíteni)\b"
              r"|\bnem (?:olyan |akkora )?nagy (?:ügy|dolog|baj)\b|\bcsak (?:egy )?(?:apró|kis|pici) (?:hiba|karcolás"
              r"|késés|csúszás)\b",
              "Dismisses the customer or closes the door.", "Értjük, hogy bosszantó, és ezt tudjuk tenni:"),
        _rule("policy_hiding",
              r"\b(?:az )?(?:ászf|általános szerződési feltételek|szabályzat\w*|üzletszabályzat\w*|irányelv\w*"
              r"|házirend\w*|szabály\w*|feltétel\w*|előírás\w*|cégpolitik\w*)(?:-(?:ünk|ek|e|ének))? (?:értelmében"
              r"|szerint|alapján|miatt),?[^.!?;,\n]{0,50}?\b(?:nem|nincs|nincsen|sem|tilos)\b"
              r"|\b(?:szabályzatunk|irányelveink|az ászf|szabályaink|a szabályzat) (?:nem teszi lehetővé|nem engedi"
              r"|nem engedik|tiltja|tiltják)\b|\ba szabály az szabály\b",
              "Hides behind policy.", "Elmagyarázzuk, miért van így, és mit tehetünk:"),
    ),
    # Chinese, Japanese and Korean: no word boundaries to anchor on, so the phrases are matched as written;
    # simplified and traditional Chinese where the characters differ.
    "zh": (
        _rule("defensive",
              r"(?:正如|如同|就像|像|如)(?:我[们們]|我|本店|客服)(?:之前|先前|此前|刚才|剛才|上次|已经|已經|早就|多次"
              r"|一再|反复|反覆|早已)*(?:所|已|跟您|向您|和您|给您|給您|对您|對您|跟你|向你)*(?:说|說|讲|講|解释|解釋"
              r"|告知"
              r"|告诉|告訴|提到|强调|強調|回复|回覆|说明|說明|通知|提醒)(?:过|過|了)*"
              r"|(?:我[们們]|我)(?:之前|先前|此前|早就|早已)?已[经經]?(?:多次|反复|一再|不止一次)?(?:跟|向|和|给|給|对"
              r"|對)"
              r"(?:您|你)(?:说|說|解释|解釋|讲|講|说明|說明|强调|強調)(?:过|過)"
              r"|(?:我[们們]|我)(?:之前|先前|早就|早已)?已[经經](?:多次|反复)?(?:说|說|解释|解釋|讲|講|说明|說明|强调"
              r"|強調)"
              r"(?:过|過)|已[经經](?:告诉|告訴|告知|通知)(?:过|過)(?:您|你)"
              r"|(?:说|說|讲|講|解释|解釋)了(?:很多|多少|好几|好幾|无数|無數)(?:遍|次)|再次重申"
              r"|(?:不是|并非|並非|并不是|並不是|不属于|不屬於)(?:我[们們]|我方|本店|本公司|我司)(?:的)?(?:错|錯|过错"
              r"|過錯"
              r"|问题|問題|责任|責任|原因|失误|失誤)"
              r"|(?:我[们們]|我方|本店|本公司|我司)(?:对此|對此|对[^，。！？]{0,12}|對[^，。！？]{0,12})?(?:概不负责"
              r"|概不負責"
              r"|不承担(?:任何)?责任|不承擔(?:任何)?責任|不负(?:任何)?责任|不負(?:任何)?責任)|概不负责|概不負責"
              r"|(?:跟|和|与|與)我[们們](?:没有|沒有|无|無)关系?|(?:跟|和|与|與)我[们們](?:没有|沒有|无|無)關係?"
              r"|我[们們](?:没有|沒有|并没有|並沒有)(?:做错|做錯|错|錯)"
              r"|只有(?:您|你)(?:一个人|一個人|一位|一人)?(?:反映|投诉|投訴|遇到|提出)"
              r"|(?:其他|别的|別的)(?:客户|客戶|顾客|顧客|用户|用戶|人)(?:都)?(?:没有|沒有|没|沒)(?:反映|投诉|投訴|遇到"
              r"|这个问题"
              r"|這個問題)"
              r"|(?<!没有)(?<!沒有)(?<!没)(?<!沒)(?<!不够)(?<!不夠)(?:写|寫|说|說|讲|講|标|標|写明|寫明|标注|標註|规定"
              r"|規定)"
              r"得(?:很|非常|十分)?(?:清楚|明白|清晰)",
              "Points out that the customer did not listen, or denies responsibility.", "简单总结一下："),
        _rule("blaming",
              r"(?:您|你)[^，。！？；]{0,10}?(?:本应|本應|本该|本該|本来应该|本來應該|早该|早該|早就应该|早就應該"
              r"|应该(?:先|事先|提前|早点|自己|当时)|應該(?:先|事先|提前|早點|自己|當時))(?:先|仔细|仔細|好好|认真"
              r"|認真)?"
              r"(?:看|查看|阅读|閱讀|读|讀|确认|確認|检查|檢查|核对|核對|注意|了解|留意|咨询|諮詢|联系|聯繫)"
              r"|(?:您|你)(?:下单|下單|购买|購買|付款|提交|操作|使用)(?:前|之前)(?:就)?(?:应该|應該|应当|應當)(?:先"
              r"|仔细|仔細"
              r"|好好|认真|認真)?(?:看|查看|阅读|閱讀|读|讀|确认|確認|检查|檢查|核对|核對|注意|了解|留意)"
              r"|(?:您|你)(?:当时|當時|之前)?(?:没有|沒有|没|沒)(?:仔细|仔細|认真|認真|好好)(?:看|阅读|閱讀|读|讀|查看"
              r"|核对"
              r"|核對|确认|確認)|(?:您|你)(?:当时|當時|之前)?(?:没有|沒有|没|沒)(?:阅读|閱讀|看清|注意)"
              r"|(?:您|你)(?:肯定|一定|应该|應該|可能|大概)是?(?:把[^，。！？]{0,8})?(?:填|输|輸|写|寫|选|選|看|弄|搞"
              r"|点|點|记|記)"
              r"(?:错|錯|反)"
              r"|(?<!让)(?<!讓)(?<!使)(?<!令)(?:您|你)(?:肯定|一定)?(?:是)?(?:误会|誤會|误解|誤解|理解错|理解錯|搞错"
              r"|搞錯"
              r"|弄错|弄錯|记错|記錯)了"
              r"|(?<!不是)(?<!并非)(?<!並非)(?<!不)(?:您|你)(?:自己|本人)?的(?:错|錯|过错|過錯|责任|責任|失误|失誤)"
              r"|怪(?:您|你)自己|(?:您|你)自己(?:的)?(?:原因|疏忽)|(?:您|你)(?:自己)?操作(?:失误|失誤|不当|不當|有误"
              r"|有誤)"
              r"|(?:请|請)?(?:您|你)自己(?:去)?(?:看|查|读|讀|查看)|谁让(?:您|你)|誰讓(?:您|你)",
              "Blames the customer.", "我们现在这样为您解决："),
        _rule("dismissive",
              r"(?:请|請|请您|請您|您先|你先|您|你)(?:冷静|冷靜|淡定|别激动|別激動|不要激动|不要激動)"
              r"|没必要(?:这么|這麼)?(?:生气|生氣|激动|激動)|沒必要(?:这么|這麼)?(?:生气|生氣|激动|激動)"
              r"|无能为力|無能為力|爱莫能助|愛莫能助|有话好好说|有話好好說|(?:没有|沒有|没|沒)(?:任何)?(?:办法"
              r"|辦法)(?=[。！!，,]|$)"
              r"|(?:我[们們]|我|本店)(?:这边|這邊|这里|這裡)?(?:也|实在|實在|确实|確實)?(?:没(?:有)?(?:任何)?办法"
              r"|沒(?:有)?"
              r"(?:任何)?辦法|(?:什么|什麼|任何事)?都做不了|帮不了(?:您|你)|幫不了(?:您|你))"
              r"|没什么大不了|沒什麼大不了|小题大做|小題大做|不是什么大(?:事|问题)|不是什麼大(?:事|問題)",
              "Dismisses the customer or closes the door.", "理解您的心情，我们可以这样做："),
        _rule("policy_hiding",
              r"(?:根据|根據|按照|依照|依据|依據|按)(?:公司|我[们們]的|我司|本店|平台|店铺|店鋪)?的?(?:规定|規定|政策"
              r"|规则"
              r"|規則|制度|条款|條款|流程)，?[^。！？；，]{0,20}?(?:不予|不能|不可|不支持|不接受|不退|不换|不換|不提供"
              r"|不允许"
              r"|不允許|无法|無法|拒绝|拒絕|概不)"
              r"|(?:公司|我[们們]的|平台)(?:规定|規定|政策)(?:不允许|不允許|不支持|就是这样|就是這樣)|(?:规定"
              r"|規定)就是(?:规定|規定)"
              r"|这是(?:公司(?:的)?)?规定|這是(?:公司(?:的)?)?規定",
              "Hides behind policy.", "原因是这样的，我们可以为您："),
    ),
    "ja": (
        _rule("defensive",
              r"(?:先ほど|先程|以前|前回|何度も|再三|既に|すでに|繰り返し)(?:に)?も?(?:お客様に)?(?:申し上げ|お伝え"
              r"|ご説明"
              r"|ご案内|お知らせ|ご連絡|説明|案内|お答え|回答)(?:いたし|致し|し|させていただき)?(?:まし)?た(?:通り"
              r"|とおり"
              r"|ように|よう|が|けれども|けど)"
              r"|(?:何度も|再三|繰り返し)(?:申し上げて|お伝えして|ご説明して|ご案内して)(?:おります|います)(?:が"
              r"|けれども"
              r"|とおり|通り)"
              r"|(?:先ほど|先程|以前|前回|既に|すでに)[^。、]{0,10}?(?:で|に)?も(?:申し上げ|お伝え|ご説明|ご案内"
              r"|お知らせ"
              r"|ご連絡|説明|案内|お答え|回答)(?:いたし|致し|し|させていただき)?(?:まし)?た(?:通り|とおり|ように|が)"
              r"|明記(?:して|されて)(?:おります|います|ございます)|(?:はっきり|明確に)(?:記載|明記|書いて|お伝えして)"
              r"|責任(?:を|は)(?:負え|取れ|取りかね)(?:ません|ない)"
              r"|(?:弊社|当社|当店|私ども|私たち|こちら|当方)(?:側)?(?:の|に)(?:責任|過失|落ち度|非|ミス)(?:で|では"
              r"|は)?"
              r"(?:は)?(?:ございません|ありません|ないです|ない)"
              r"|責任を負いかね|責任は負いかね|責任を負いません|責任を負うものでは(?:ございません|ありません)"
              r"|(?:お客様|あなた)(?:だけ|のみ)(?:です|でございます|となります)"
              r"|他の(?:お客様|方)(?:から|で)?は?(?:その|この)?(?:ような)?(?:お問い合わせ|ご指摘|苦情|問題|症状)(?:は)?"
              r"(?:ございません|ありません|いただいておりません|出ておりません)",
              "Points out that the customer did not listen, or denies responsibility.", "要点をまとめますと、"),
        _rule("blaming",
              r"(?:ご確認|ご一読|お読み|ご注意|ご留意|ご覧|確認|注意)(?:いただく|して(?:おく|いただく)?|される"
              r"|する)?べきでした"
              r"|(?:ご確認|お読み|ご一読|ご注意)(?:いただ(?:ければ|けていれば)|くだされば)(?:よかった|防げた)"
              r"|(?:ご確認|お読み|ご一読)いただきたかった|(?:ご確認|ご注意)(?:が|を)?(?:不足|足りな|されていな)"
              r"|(?:入力|記入|選択|操作|設定|お読み|読み)(?:し|を)?(?:間違え|誤っ|間違っ|ミス)(?:た|られた|て|られ"
              r"|をされた)"
              r"[^。]{0,10}?(?:のでは|と思われ|ようです|かと|可能性|でしょう)"
              r"|(?:お客様|ご自身)(?:が|で)[^。、]{0,10}?(?:間違えた|間違えられた|誤って入力|誤入力|間違って)"
              r"|(?:お客様|あなた)(?:の)?(?:ご)?(?:勘違い|誤解|思い違い|見落とし|確認不足|不注意)(?!を招)"
              r"|(?:お客様|あなた)(?:ご自身|自身)?の(?:責任|ミス|過失|落ち度|せい|入力ミス|操作ミス)(?!では|ではな"
              r"|じゃ)",
              "Blames the customer.", "これから次のように対応いたします："),
        _rule("dismissive",
              r"落ち着いて(?:ください|下さい|くださいませ|いただけますか|いただけませんか)|冷静になって(?:ください"
              r"|下さい)"
              r"|(?:そんなに|そこまで)?(?:怒|お怒り|興奮)(?:らないで|にならないで|なさらないで)"
              r"|どうすることもできません|どうしようもありません|どうしようもございません|どうにも(?:できません"
              r"|なりません)"
              r"|大声を(?:出さないで|上げないで)|声を荒(?:げ|らげ)ないで"
              r"|(?:何も|なにも)(?:できません|できかねます|いたしかねます|致しかねます)|仕方(?:が)?(?:ありません"
              r"|ございません|ない)"
              r"|しょうがない|(?:大した|たいした)(?:問題|こと)(?:では|じゃ)(?:ありません|ございません|ない)",
              "Dismisses the customer or closes the door.", "ご不便をおかけしております。私たちにできることは："),
        _rule("policy_hiding",
              r"(?:利用規約|規約|当社規定|弊社規定|社内規定|規定|ポリシー|ルール|方針)(?:上|により|によって|に基づき"
              r"|に従い|のため|では)[^。！？]{0,30}?(?:できません|できかねます|いたしかねます|致しかねます|不可"
              r"|お受けして"
              r"(?:おりません|いません)|受け付けて(?:おりません|いません)|お断り|対象外|認められません|応じられません"
              r"|応じかねます)"
              r"|規約は規約|決まり(?:ですので|なので|となっておりますので)|ルール(?:ですので|なので)",
              "Hides behind policy.", "理由をご説明し、できることをご案内します："),
    ),
    "ko": (
        _rule("defensive",
              r"(?:이미|앞서|전에|이전에|여러 ?번|누차|수차례|몇 번이나|계속)\s?(?:\S+\s){0,2}?(?:말씀|안내|설명|답변"
              r"|고지"
              r"|전달)(?:을|를)?\s?(?:해\s?)?(?:드린|드렸던|드렸듯이|드렸다시피|드렸지만|드렸는데)"
              r"|(?:말씀|설명)(?:을\s)?(?:해\s?)?드렸(?:듯이|다시피)|몇 번(?:을|이나)? (?:말씀|설명)(?:해\s?)?드려야"
              r"|(?:저희|당사|회사)(?:\s?쪽|의|측)?\s?(?:잘못|책임|과실|실수|문제)(?:이|가|은|는)?\s?(?:아닙니다"
              r"|아니에요|아니라"
              r"|아닌|없습니다)"
              r"|(?:분명히|명확히|분명하게|명확하게|확실히)\s?(?:안내|기재|명시|공지|표기|적혀)(?:되어|돼|해"
              r"|하여)?\s?(?:있|드렸)"
              r"|책임(?:을|은)?\s?(?:지지 않|질 수 없|지기 어렵)|당사는 (?:어떠한|일체의) 책임"
              r"|저희와(?:는)? (?:무관|상관없)"
              r"|고객님뿐|다른 (?:고객|분)(?:님)?(?:들)?(?:은|께서는)?\s?(?:\S+\s)?(?:문제|문의|불만|항의)(?:가|를)?\s?"
              r"(?:없|안 하|하지 않)",
              "Points out that the customer did not listen, or denies responsibility.", "간단히 정리하면,"),
        _rule("blaming",
              r"(?:확인|숙지|주의|체크|검토|살펴보|읽으|보)(?:하)?(?:셨|시었)어야"
              r"|(?:잘못|틀리게|실수로|착오로)\s?(?:\S+\s)?(?:입력|기재|선택|작성|클릭|누르|읽|이해|보)(?:하)?(?:신|셨"
              r"|시)"
              r"|착각(?:하)?(?:신|셨)|오해(?:하신 것 같|하셨네|하셨습니다|하신 겁니다)|(?:놓치|빠뜨리|잊으|누락하)(?:셨"
              r"|신 것)"
              r"|제대로 (?:안 |못 )?(?:보|확인하|읽)(?:지 않으)?(?:신|셨)|(?:안|못) (?:보|읽으|확인하)(?:신|셨)"
              r"|고객님(?:의|께서)?\s?(?:잘못|책임)(?:입니다|이세요|이에요|이므로|이니)"
              r"|(?:고객님|본인)(?:의|께서)?\s?(?:부주의|실수|과실|확인 부족|착오)(?!가 아니|이 아니|는 아니|은 아니)",
              "Blames the customer.", "이렇게 해결해 드리겠습니다:"),
        _rule("dismissive",
              r"진정(?:하세요|하시고|하시기 바랍니다|하십시오|해 ?주세요|하시죠)|흥분하지 마(?:세요|시고)"
              r"|화내지 마(?:세요|시고)"
              r"|(?:소리|언성)(?:를|을)? 높이지 마"
              r"|어쩔 수 없(?:습니다|어요|네요|는|다)|(?:해|도와)\s?드릴 수 있는 (?:게|것이|부분이|방법이) 없"
              r"|(?:저희|당사)(?:가|로서는|도)\s?(?:더 이상\s)?(?:할|해 드릴) 수 있는 (?:게|것이|일이) 없"
              r"|방법이 없습니다"
              r"|도리가 없|(?:별|큰)\s?(?:문제|일)(?:가|이)?\s?아닙니다|사소한 (?:문제|일|흠집)"
              r"|어떻게 (?:할|해 드릴|해드릴) 수(?:가)? 없|(?:화내|화를 내|소리 지르|소리치)(?:셔도|셔봤자|셔 봐야)",
              "Dismisses the customer or closes the door.", "불편하셨을 텐데, 저희가 할 수 있는 것은:"),
        _rule("policy_hiding",
              r"(?:규정|정책|약관|방침|원칙|내규)(?:상|에 따라|에 의해|에 의거하여|에 의거해|에 근거하여)[^.!?]{0,30}?"
              r"(?:불가|안 됩니다|되지 않|않습니다|없습니다|어렵습니다|드릴 수 없|하지 않|못|거절)"
              r"|(?:규정|원칙|정책)(?:이|은)\s?(?:그렇습니다|그래서)|규정은 규정",
              "Hides behind policy.", "이유를 설명드리고, 가능한 방법을 안내해 드리겠습니다:"),
    ),
    # Arabic: the clitics و and ف join the word, hamza and tanween are written or left out, and a past verb
    # without vowels is "I" or "you" ("ذكرت"): those take "لك" to be a reproach.
    "ar": (
        _rule("defensive",
              r"(?<!\w)[وف]?كما (?:سبق (?:و|أن|وأن) ?)?(?:ذكرنا|أوضحنا|وضحنا|أخبرناك|أخبرناكم|أبلغناك|أبلغناكم|أشرنا"
              r"|قلنا|بيّنا|بينا|شرحنا|نوهنا|أعلمناك|أفدناك|أفدناكم|أكدنا)(?!\w)"
              r"|(?<!\w)[وف]?كما (?:سبق (?:و|أن|وأن) ?)?(?:ذكرت|أوضحت|وضحت|قلت|شرحت|أخبرت|بينت|أشرت)ُ? ?"
              r"(?:لك|لكم|لحضرتك)(?!\w)|(?<!\w)[وف]?كما أخبرتك(?!\w)"
              r"|سبق (?:و|أن|وأن) ?(?:ذكرنا|أوضحنا|أخبرناك|أبلغناك|أشرنا|قلنا|شرحنا|ذكرت لك|أخبرتك)"
              r"|نكرر (?:لك )?(?:للمرة|مرة أخرى)"
              r"|(?<!\w)(?:لقد |قد )?(?:ذكرنا|أوضحنا|وضحنا|أخبرناك|أبلغناك|أشرنا|قلنا|شرحنا|بيّنا|بينا|نبهناك|نبّهناك)"
              r"(?: \S+){0,4}? (?:أكثر من مرة|مرار(?:ًا|اً|ا)|سابق(?:ًا|اً|ا)|من قبل|مسبق(?:ًا|اً|ا)|عدة مرات)"
              r"|(?:مذكور|موضح|مكتوب)(?:ة)? (?:بوضوح|بشكل واضح)|بكل وضوح"
              r"|(?:ليس|ليست) (?:منا|من عندنا|من جهتنا|من طرفنا)(?!\w)"
              r"|(?:ليس|ليست) (?:هذا |هذه |ذلك )?(?:من )?(?:خط[أؤئ]نا|ذنبنا|مسؤوليتنا|مسئوليتنا|غلطتنا|غلطنا)"
              r"|(?<!\w)[وف]?(?:لا|ولا) (?:نتحمل|نتحمّل) (?:أي |أية |اي )?مسؤولية"
              r"|(?:لسنا|لست) (?:مسؤول|مسئول|مذنب)\w*|(?:نحن|إننا|اننا|الشركة) غير (?:مسؤول|مسئول)\w*|لا علاقة لنا"
              r"|(?:أنت|انت|حضرتك) (?:\w+ )?(?:الوحيد|الوحيدة)(?!\w)"
              r"|لم (?:يشتك|يشك|يبلغ(?:نا)?|يواجه) (?:أحد|احد|أي عميل|غيرك|عميل آخر)",
              "Points out that the customer did not listen, or denies responsibility.", "باختصار:"),
        _rule("blaming",
              r"(?<!\w)[وف]?كان (?:عليك|عليكِ|عليكم|يجب عليك|يجب عليكم|ينبغي عليك|ينبغي لك|يجدر بك|من (?:المفترض|الأفضل"
              r"|الواجب) (?:عليك |بك )?)(?: \S+)? ?(?:أن ت(?:قرأ|تحقق|تأكد|راجع|نتبه|طلع|دقق|فحص)|(?:ال)?(?:تحقق|تأكد"
              r"|قراءة|مراجعة|انتباه|اطلاع|تدقيق|فحص))"
              r"|لا ?بد (?:أنك|انك|أنكِ|أنكم|وأنك) (?:قد )?(?:أدخلت|ادخلت|كتبت|اخترت|أخطأت|اخطأت|نسيت|قرأت|فهمت|ضغطت"
              r"|أسأت|اسأت|أغفلت|تجاهلت)"
              r"|(?:يبدو|ربما|على الأغلب|غالب(?:ًا|اً|ا)) (?:أنك|انك|أنكِ) (?:قد )?(?:أدخلت|ادخلت|كتبت|اخترت|أخطأت"
              r"|اخطأت|نسيت|أسأت|اسأت|أغفلت|تجاهلت|لم تقرأ|لم تنتبه)"
              r"|(?<!ليس )(?<!ليست )(?:خطؤك|خطأك|خطئك|ذنبك|غلطك|غلطتك|تقصيرك|إهمالك)(?!\w)"
              r"|الخطأ (?:منك|من جهتك|من طرفك|عندك)(?!\w)"
              r"|(?<!\w)[وف]?كان (?:يجب|ينبغي|يفترض|يجدر) (?:عليك |بك )?أن ت(?:قرأ|تحقق|تأكد|راجع|نتبه|طلع|دقق|فحص)"
              r"|(?:أنت|انت|حضرتك) (?:من|الذي|اللي) (?:اختار|اخترت|طلب|طلبت|أدخل|ادخل|أدخلت|كتب|كتبت|وافق|وافقت|ضغط"
              r"|ضغطت|أكد|أكدت)(?!\w)",
              "Blames the customer.", "إليك كيف سنحل الأمر الآن:"),
        _rule("dismissive",
              r"(?<!\w)[وف]?(?:اهدأ|اهدئي|اهدأي|اهدؤوا|إهدأ|اهدا)(?!\w)|(?:تمالك|تمالكي) (?:نفسك|أعصابك)"
              r"|(?:لا داعي|لا حاجة) (?:لل|إلى ال)(?:صراخ|غضب|انفعال|عصبية|تهويل|مبالغة)|(?:هدئ|هدّئ) (?:من )?(?:روعك"
              r"|أعصابك)"
              r"|(?:لا تبالغ|أنت تبالغ|انت تبالغ)|لا (?:ترفع|ترفعي) صوت(?:ك|كِ)|(?<!\w)لا (?:تصرخ|تصرخي)(?!\w)"
              r"|(?<!\w)[وف]?لا (?:يمكننا|نستطيع|نقدر على) (?:تغيير|تغييرها|تغييره)(?!\w)"
              r"|(?<!\w)[وف]?لا (?:يمكننا|نستطيع|نقدر|يمكن) (?:أن )?(?:نفعل |فعل |عمل |نعمل |تقديم |نقدم )?(?:أي |اي )?"
              r"(?:شيء|شئ|شي)(?!\w)|(?<!\w)[وف]?لا (?:يمكننا|نستطيع) (?:مساعدتك|مساعدتكم)"
              r"|(?:ليس|ما) (?:بيدنا|بوسعنا|بإمكاننا|في يدنا|باليد) (?:فعل )?(?:أي )?(?:شيء|حيلة)|لا حيلة لنا"
              r"|(?:لا يستحق|مش مستاهل) (?:كل )?(?:هذا|هذه|ذلك)|ليس(?:ت)? (?:بالأمر|مشكلة) (?:الكبير|كبيرة)",
              "Dismisses the customer or closes the door.", "نتفهم انزعاجك، وإليك ما يمكننا فعله:"),
        _rule("policy_hiding",
              r"(?:وفق(?:ًا|اً|ا)? ?ل|حسب ?|طبق(?:ًا|اً|ا)? ?ل|بموجب ?|استناد(?:ًا|اً|ا)? (?:إلى|الى) ?|بناء(?:ً"
              r"|ا)? على ?"
              r"|نظر(?:ًا|اً|ا)? ?ل)(?:ال)?(?:سياس|شروط|أنظم|انظم|قواعد|لوائح|لائح|تعليمات|إجراءات|قوانين|نظام)\S*"
              r"(?: (?:الشركة|المتجر|الإرجاع|الاسترجاع))?،?[^.!؟?;؛،\n]{0,40}?(?<!\w)(?:لا|لن|لم|ليس|ليست|غير|يتعذر"
              r"|يمنع|ممنوع|يستحيل)(?!\w)"
              r"|(?:سياستنا|سياسة الشركة|الشروط|القواعد) (?:لا|ل[اآ]) ?(?:تسمح|يسمح|تتيح)|لا (?:تسمح|يسمح) "
              r"(?:سياستنا|سياسة الشركة|الشروط)|هذه (?:هي )?(?:سياستنا|سياسة الشركة|القواعد|قواعد المتجر|قواعد الشركة"
              r"|شروط المتجر)"
              r"|(?:ضد|يخالف|مخالف ل)(?:سياستنا| ?سياسة الشركة)|القواعد هي القواعد",
              "Hides behind policy.", "إليك السبب وما يمكننا فعله:"),
    ),
    "th": (  # Thai writes no spaces between words: no \b, as for CJK
        _rule("defensive",
              r"(?:ตามที่|อย่างที่|ดังที่|เหมือนที่)(?:ทาง)?(?:เรา|แอดมิน|ดิฉัน|ผม|เจ้าหน้าที่|พวกเรา)?(?:ได้)?(?:เคย)?"
              r"(?:แจ้ง|บอก|อธิบาย|ชี้แจง|เรียน|ตอบ|กล่าว)(?:ให้(?:ทราบ|คุณทราบ|ลูกค้าทราบ))?(?:(?:ไป|ไว้)(?:แล้ว)?"
              r"|แล้ว"
              r"|ก่อนหน้านี้|ข้างต้น)"
              r"|(?:บอก|แจ้ง|อธิบาย)(?:ไป)?(?:หลายครั้ง|หลายรอบ|หลายที)|(?:แจ้ง|เขียน|ระบุ|บอก)(?:ไว้)?(?:อย่าง)?ชัดเจน"
              r"|(?:ทาง)?(?:เรา|ร้าน|บริษัท)ไม่เกี่ยว"
              r"|ไม่ใช่(?:ความผิด|ความรับผิดชอบ|ปัญหา)(?:ของ)?(?:ทาง)?(?:เรา|บริษัท|ร้าน|แอดมิน|เจ้าหน้าที่)"
              r"|(?:ทาง)?(?:เรา|บริษัท|ร้าน)(?:ขอ)?ไม่(?:ขอ)?รับผิดชอบ|ไม่เกี่ยวกับ(?:ทาง)?(?:เรา|ร้าน|บริษัท)"
              r"|(?:เรา|ทางร้าน)ไม่ได้ทำอะไรผิด"
              r"|มีแต่คุณ|มีคุณคนเดียว|คุณเป็นคนเดียว|ไม่มี(?:ลูกค้า|ใคร)(?:ท่าน)?(?:อื่น)?(?:แจ้ง|บ่น|ร้องเรียน"
              r"|มีปัญหา)",
              "Points out that the customer did not listen, or denies responsibility.", "สรุปสั้น ๆ คือ"),
        _rule("blaming",
              r"คุณ(?:ควร(?:จะ)?|น่าจะ)(?:ต้อง)?(?:ตรวจสอบ|อ่าน|เช็ก|เช็ค|ดู|ศึกษา|ระวัง|สังเกต|ถาม|ยืนยัน)\S{0,20}?"
              r"(?:เอง|ก่อน(?:สั่ง|ซื้อ|ชำระ|กด|ทำ)|ให้ดี|ให้ละเอียด|ตั้งแต่แรก|มาก่อน)"
              r"|คุณ(?:ไม่ได้|ไม่)(?:อ่าน|ตรวจสอบ|เช็ก|เช็ค|ดู)(?:ให้)?(?:ดี|ละเอียด|รายละเอียด|เงื่อนไข)"
              r"|(?<!ให้)(?:คุณ|ลูกค้า)(?:คง|น่าจะ|อาจจะ|อาจ)?(?:จะ)?(?:กรอก|พิมพ์|ใส่|เลือก|กด|อ่าน"
              r"|เข้าใจ)\S{0,12}?ผิด"
              r"|(?<!ใช่)(?<!ได้เป็น)(?<!ได้)(?:เป็น)?ความผิด(?:พลาด)?(?:ของ)?(?:คุณ|ลูกค้า)|(?:คุณ|ลูกค้า)(?:ผิด"
              r"|พลาด)เอง"
              r"|(?:คุณ|ลูกค้า)(?:ต้อง|ควร(?:จะ)?)(?:ตรวจสอบ|อ่าน|เช็ก|เช็ค|ดู|ศึกษา)\S{0,20}?(?:ให้ดี|ให้ละเอียด|เอง"
              r"|ตั้งแต่แรก)"
              r"|(?:ถ้า|หาก)(?:คุณ|ลูกค้า)(?:ได้)?(?:ตรวจสอบ|อ่าน|เช็ก|เช็ค|ดู)\S{0,20}?(?:ก็)?(?:จะ)?ไม่(?:เกิด|มี)",
              "Blames the customer.", "เราจะช่วยแก้ไขให้ดังนี้:"),
        _rule("dismissive",
              r"ใจเย็น ?ๆ|ใจเย็นก่อน|ใจเย็นนะ|(?:กรุณา|โปรด|ขอให้)ใจเย็น|อย่า(?:เพิ่ง)?(?:โวยวาย|ใจร้อน|โมโห|หงุดหงิด"
              r"|ตะโกน)"
              r"|ไม่ต้อง(?:โวยวาย|โมโห|ใจร้อน)"
              r"|(?:เรา|ทางเรา|ทางร้าน|ทางบริษัท|แอดมิน)(?:ก็)?(?:คง)?(?:ทำอะไร|ช่วยอะไร)(?:ให้)?ไม่ได้"
              r"|(?:เรา|ทางเรา|ทางร้าน)ไม่สามารถ(?:ทำ|ช่วย)อะไร(?:ให้)?ได้|ไม่มีอะไรที่(?:เรา|ทางเรา)(?:ทำ|ช่วย)ได้"
              r"|จนปัญญา"
              r"|ไม่ใช่เรื่องใหญ่|แค่(?:รอย|ปัญหา)?(?:เล็ก|นิด)(?: ?ๆ)?(?:น้อย)?เอง",
              "Dismisses the customer or closes the door.", "เข้าใจความรู้สึกของคุณ สิ่งที่เราทำได้คือ:"),
        _rule("policy_hiding",
              r"ตาม(?:นโยบาย|ระเบียบ|กฎ|เงื่อนไข|ข้อกำหนด)(?:ของ)?(?:ทาง)?(?:บริษัท|ร้าน|เรา)?.{0,40}?(?:ไม่สามารถ"
              r"|ไม่รับ"
              r"|ไม่อนุญาต|ไม่คืน|ไม่เปลี่ยน|ห้าม|(?<!ไม่ต้อง)รอ|(?:คืน|เปลี่ยน|ยกเลิก|ทำ|รับ|ให้)(?:สินค้า|เงิน)?(?:คืน)?ไม่ได้)"
              r"|(?:นโยบาย|กฎ|ระเบียบ)(?:ของ)?(?:บริษัท|ร้าน|เรา)?(?:ไม่อนุญาต|ห้าม)|(?:กฎ|ระเบียบ)ก็คือ(?:กฎ|ระเบียบ)"
              r"|เป็นนโยบาย(?:ของ)?(?:บริษัท|ร้าน)|(?:กฎ|นโยบาย|ระเบียบ)(?:ของ)?(?:ทาง)?(?:ร้าน|บริษัท"
              r"|เรา)?(?:ก็)?คือ(?:ไม่|ห้าม|งด)",
              "Hides behind policy.", "ขออธิบายเหตุผล และสิ่งที่เราทำได้:"),
    ),
}
#: Languages the tone guard checks: those whose rules catch at least 4 in 5 of the defensive replies of a set
#: written blind after the rules were frozen (by someone who never saw them), flagging at most 1 in 10 of its
#: innocent look-alikes. Set 5 (2026-12-06, ``tests/data/tone_set5_blind.csv``, 10 + 10 a language, scored
#: once): en 8/10 caught and 0/10 flagged; de 4, fr 5, es 5, pt 5, it 2, nl 6 caught, none flagged. So only
#: English is listed. The others' rules (de ... nl rewritten class by class on the blind set 4, which they had
#: caught 28 of 56 of, flagging 10; pl ... th caught 8 of 54 of their set 3) still run and report what they
#: find, but their reports say ``checked: false``: an empty report in German means "none of the phrasings we
#: know", which misses about half, and the agent must know that.
TONE_LANGUAGES = ("en",)


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
        """False when the draft's language is not one the guard checks (``TONE_LANGUAGES``): no findings
        means little then, even where a few of its phrasings are known."""
        return self.language in TONE_LANGUAGES

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
        if self.checked:
            return out
        if self.language in RULES_BY_LANGUAGE:
            out["note"] = (f"the tone guard catches only some defensive {language_name(self.language)} phrasings: "
                           "check this reply by hand")
        else:
            out["note"] = f"the tone guard has no rules for '{self.language}': check this reply by hand"
        return out


def check_tone(text: str, language: str = "en") -> ToneReport:
    """Findings in ``text`` ordered by position; overlapping matches of one category are reported once.
    Curly apostrophes and quotes match as straight ones (``_FOLD``).

    ``language`` picks the rule set (``RULES_BY_LANGUAGE``); English rules run too on every draft, since
    an English phrase inside another language's reply reads just as badly.
    """
    found: list[ToneFinding] = []
    rules = RULES if language == "en" else (*RULES_BY_LANGUAGE.get(language, ()), *RULES)
    folded = text.translate(_FOLD)  # same length: the spans below point into ``text`` as written
    sentences = _Sentences(folded)
    for rule in rules:
        for start, end in rule.spans(folded, sentences):
            finding = ToneFinding(rule.category, start, end, text[start:end], rule.why, rule.suggestion)
            if not any(_overlaps(finding, other) for other in found):
                found.append(finding)
    return ToneReport(text, tuple(sorted(found, key=lambda f: (f.start, f.end))), language or "en")


def _overlaps(a: ToneFinding, b: ToneFinding) -> bool:
    return a.category == b.category and a.start < b.end and b.start < a.end
