"""The tone guard's building blocks, shared by the engine (``responder.tone``) and the rule modules beside
this one: a ``Rule`` and how its matches are judged sentence by sentence, and what makes a policy citation, an
"as we said" or a defence of the system fine in the languages of the first templates (en, de, fr, es, pt, it, nl).

They live apart from the engine so that the rule modules, which the engine imports, can build their rules without
importing it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


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
