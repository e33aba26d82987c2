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
          "Points out that the customer did not listen.", "To recap,"),
    _rule("defensive",
          r"\b(?:it|this|that)(?:'s| is| was) (?:not|simply not|definitely not) (?:our|my) "
          r"(?:fault|mistake|error|problem|responsibility)\b"
          r"|\b(?:it|this|that) (?:isn't|wasn't) (?:our|my) (?:fault|mistake|error|problem|responsibility)\b"
          r"|\bnot (?:our|my) fault\b"
          r"|\bwe(?:'re| are) not (?:responsible|liable|to blame|at fault)\b"
          r"|\bwe (?:cannot|can't|can not) be held (?:responsible|liable)\b"
          r"|\bwe (?:take|accept) no (?:responsibility|liability)\b",
          "Denies responsibility before helping.", "We're sorry this happened, and we'll help put it right."),
    _rule("defensive",
          r"\bwe did nothing wrong\b|\bwe (?:have )?(?:followed|did everything) (?:the )?(?:correct|proper|right)\b",
          "Defends the company instead of the customer.", "Let's look at what went wrong together."),
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
    _rule("blaming", r"(?<!not )(?<!n't )(?<!never )\byour (?:own )?fault\b|\b(?:user|customer|operator) error\b",
          "Blames the customer outright.", "Let's get this working for you:"),
    _rule("blaming", r"\bif you (?:had|would have|'d) (?:read|followed|checked|listened)\b",
          "Blames the customer for the outcome.", "Here's the quickest way to sort it out:"),
    _rule("blaming", r"\b(?:as (?:clearly )?stated in|clearly (?:states|stated|says))\b",
          "Implies the customer did not read the terms.", "Here's how it works, and what we can do:"),
    _rule("blaming", r"\byou (?:misunderstood|misread|are mistaken|are wrong)\b",
          "Tells the customer they are wrong.", "Sorry if that was unclear; here's how it works:"),
    # dismissive: minimising the problem or the feeling
    _rule("dismissive",
          r"\b(?:calm down|chill out|settle down|no need to (?:shout|be upset|get upset|be rude|overreact))\b"
          r"|\b(?:please|just|you need to|try to) relax\b",  # "sit back and relax: it's on its way" is kind
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
# rules than English: the guard says which languages it checks, and says so when it cannot. For the
# languages of the first templates (de, fr, es, pt, it, nl) the rules take the inflected forms and word
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
              r"|\bnicht (?:unsere schuld|unser fehler|unsere verantwortung|unser problem)\b|\bliegt nicht an uns\b"
              r"|\b(?:wir sind|sind wir) (?:leider |dafür |hierfür |daran |hier )*(?:nicht|keineswegs) "
              r"(?:verantwortlich|schuld|zuständig|haftbar)\b"
              r"|\b(?:wir tragen|tragen wir) (?:dafür |hierfür )?keine (?:verantwortung|schuld|haftung)\b"
              r"|\b(?:wir haben|haben wir) nichts falsch gemacht\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kurz zusammengefasst:"),
        _rule("blaming",
              r"\b(?:(?:sie|du) hätte(?:n|st)|hätte(?:n|st) (?:sie|du))\b[^.!?,;]{0,50}?"
              r"\b\w*(?:lesen|prüfen|kontrollieren|beachten|aufpassen|achten|wissen|melden|angeben|informieren)"
              r" (?:können|müssen|sollen)\b"
              r"|(?<!nicht )(?<!keine )\b(?:ihre|deine|eure) (?:eigene )?schuld\b"
              r"|\b(?:sie|du) (?:haben|hast|müssen|musst) (?:sich|dich) (?:wohl |offenbar |anscheinend |vermutlich )?"
              r"(?:[^.!?,;]{0,30}? )?(?:vertippt|verlesen|verklickt|geirrt|verschrieben)\b"
              r"|\b(?:sie|du) (?:haben|hast)\b[^.!?,;]{0,30}?\b(?:falsch|nicht richtig) "
              r"(?:eingegeben|gelesen|verstanden|ausgefüllt|angegeben)\b",
              "Blames the customer.", "So lösen wir es jetzt:"),
        _rule("dismissive",
              r"\b(?:beruhigen sie sich|beruhige? dich|bleiben sie (?:bitte )?ruhig|bleib (?:bitte )?ruhig"
              r"|regen sie sich (?:bitte )?nicht (?:so )?auf|reg dich (?:bitte )?nicht (?:so )?auf"
              r"|immer mit der ruhe|kein grund zur aufregung)\b"
              r"|\b(?:(?:da|daran|hier) können wir|können wir (?:da |daran |hier )?|wir können (?:da |daran |hier )?)"
              r"(?:leider |halt |einfach )*nichts (?:machen|tun|ändern)\b",
              "Dismisses the customer or closes the door.", "Das ist ärgerlich, und das können wir tun:"),
        _rule("policy_hiding",
              r"\b(?:gemäß|laut|nach|aufgrund|wegen) (?:unseren|unserer|unseres) (?:richtlinien|richtlinie|agb"
              r"|geschäftsbedingungen|bedingungen|regeln|vorgaben|firmenpolitik|unternehmensrichtlinien)\b"
              r"|\bunsere (?:richtlinien|agb|regeln|bedingungen) (?:erlauben|gestatten|verbieten|untersagen|sehen)\b"
              r"|\b(?:verstößt|ist) gegen unsere (?:richtlinien|agb|regeln)\b|\bfirmenpolitik\b",
              "Hides behind policy.", "Darum ist es so, und das können wir für dich tun:"),
    ),
    "fr": (
        _rule("defensive",
              r"\bcomme (?:nous|je) (?:vous |te )?(?:l'|les |le )?(?:avons|ai|avions|avais) "
              r"(?:déjà |précédemment |auparavant |bien )*"
              r"(?:indiqué|expliqué|dit|mentionné|précisé|écrit|signalé|répondu)\b"
              r"|\bcomme (?:déjà|précédemment) (?:indiqué|expliqué|dit|mentionné|précisé|signalé)\b"
              r"|\bcomme (?:indiqué|expliqué|dit|mentionné|précisé) (?:précédemment|auparavant|plus tôt"
              r"|dans (?:notre|mon) (?:précédent|dernier) (?:message|mail|e-mail|courriel))\b"
              r"|\b(?:ce|cela|ça) n'(?:est|était) (?:pas|en rien|nullement) (?:de |du )?(?:notre|ma) "
              r"(?:faute|erreur|responsabilité|ressort)\b|\bpas (?:de )?notre faute\b"
              r"|\bnous ne sommes (?:pas|en rien|nullement) (?:responsables|fautifs|en cause)\b"
              r"|\bnous déclinons toute responsabilité\b",
              "Points out that the customer did not listen, or denies responsibility.", "Pour résumer :"),
        _rule("blaming",
              r"\b(?:vous auriez|tu aurais) (?:dû|du|pu) (?:(?:mieux|bien|d'abord) )?(?:lire|relire|vérifier|consulter"
              r"|contrôler|regarder|faire attention|nous prévenir|vous renseigner|te renseigner|savoir)\b"
              r"|\bil fallait (?:lire|vérifier|consulter|faire attention)\b"
              r"|\bc'(?:est|était) (?:de )?(?:votre|ta) faute\b"
              r"|\b(?:vous avez|tu as) (?:dû |du |sans doute |probablement |certainement )?(?:vous|te) tromper\b"
              r"|\b(?:vous avez|tu as) (?:dû |du |sans doute |probablement |certainement )?mal "
              r"(?:lire|lu|saisir|saisi|taper|tapé|comprendre|compris|remplir|rempli)\b"
              r"|(?<!si )\b(?:vous n'avez|tu n'as) pas (?:bien )?(?:lu|vérifié|consulté|suivi)\b",
              "Blames the customer.", "Voici comment nous allons régler cela :"),
        _rule("dismissive",
              r"\b(?:calmez-vous|calme-toi|restez calme|reste calme|du calme|gardez votre calme"
              r"|pas la peine de (?:vous énerver|s'énerver|crier|vous fâcher))\b"
              r"|\b(?:nous ne pouvons|on ne peut) (?:malheureusement |hélas )?rien (?:faire|y faire|y changer)\b"
              r"|\b(?:nous n'y pouvons|on n'y peut) rien\b",
              "Dismisses the customer or closes the door.", "Voici ce que nous pouvons faire :"),
        _rule("policy_hiding",
              r"\b(?:selon|conformément à|d'après|en vertu de) (?:notre|nos) (?:politique|politiques|conditions|règles"
              r"|cgv|règlement|procédures?)\b"
              r"|\bnotre politique (?:ne (?:permet|prévoit|autorise)|interdit)\b"
              r"|\bla politique de (?:l'entreprise|la société)\b|\b(?:contraire|contre) (?:à )?notre politique\b",
              "Hides behind policy.", "Voici pourquoi, et ce que nous pouvons faire :"),
    ),
    "es": (
        _rule("defensive",
              r"\bcomo ya (?:te |le |les |os )?(?:hemos |he )?(?:dijimos|dije|indicamos|explicamos|comentamos"
              r"|mencionamos|informamos|dicho|indicado|explicado|comentado|mencionado|informado)\b"
              r"|\bcomo (?:te |le |les |os )?(?:hemos |he )?(?:dijimos|dije|indicamos|explicamos|comentamos|mencionamos"
              r"|informamos|dicho|indicado|explicado|comentado|mencionado|informado) (?:antes|anteriormente|previamente"
              r"|en (?:nuestro|mi) (?:anterior|último) mensaje)\b"
              r"|\bno es (?:nuestra culpa|culpa nuestra|nuestra responsabilidad|responsabilidad nuestra"
              r"|un error nuestro|error nuestro)\b|\bla culpa no es nuestra\b"
              r"|\bno (?:somos|nos hacemos) (?:responsables|culpables)\b|\bno tenemos (?:la )?culpa\b",
              "Points out that the customer did not listen, or denies responsibility.", "Para resumir:"),
        _rule("blaming",  # the second person only: "el equipo tendría que revisar" is a promise
              r"\b(?:deberías|debiste|tendrías que|tenías que|usted (?:debería|debió|tendría que|tenía que)) "
              r"(?:haber )?(?:leído|leer|revisado|revisar|comprobado|comprobar|verificado|verificar|mirado|mirar"
              r"|prestado atención|prestar atención|fijado|fijarse|fijarte|consultado|consultar|avisado|avisar)\b"
              r"|(?<!no )\bes (?:tu|su) culpa\b|\bla culpa es (?:tuya|suya)\b"
              r"|\bdebes? haber(?:se|te) (?:equivocado|confundido)\b|\b(?:usted|tú) se (?:ha|habrá) equivocado\b"
              r"|\bte (?:has|habrás) equivocado\b|\bno (?:ha|has) leído (?:bien|las condiciones|los términos)\b",
              "Blames the customer.", "Así lo solucionamos ahora:"),
        _rule("dismissive",
              r"\b(?:cálmese|cálmate|tranquilícese|tranquilízate|mantenga la calma|mantén la calma"
              r"|no hace falta (?:gritar|ponerse así|enfadarse)|no es para tanto)\b"
              r"|\bno (?:podemos|se puede) hacer nada\b|\bno hay nada que (?:podamos|se pueda) hacer\b",
              "Dismisses the customer or closes the door.", "Esto es lo que podemos hacer:"),
        _rule("policy_hiding",
              r"\b(?:según|de acuerdo con|conforme a|por) nuestras? (?:políticas?|normas|normativa|condiciones"
              r"|términos)\b|\b(?:por|es) política de (?:la )?empresa\b|\bnuestra política no (?:nos )?permite\b",
              "Hides behind policy.", "Te explicamos por qué y qué podemos hacer:"),
    ),
    "pt": (
        _rule("defensive",
              r"\bcomo já (?:lhe |te |vos )?(?:dissemos|explicamos|explicámos|informamos|informámos|mencionamos"
              r"|mencionámos|falamos|falámos|indicamos|indicámos|referimos|dito|explicado|informado)\b"
              r"|\bcomo (?:lhe |te |vos )?(?:dissemos|explicamos|explicámos|informamos|informámos|mencionamos"
              r"|mencionámos) (?:antes|anteriormente)\b"
              r"|\bnão (?:é|foi) (?:nossa culpa|culpa nossa|nossa responsabilidade|responsabilidade nossa"
              r"|erro nosso|um erro nosso)\b|\ba culpa não (?:é|foi) nossa\b"
              r"|\bnão somos (?:responsáveis|culpados)\b|\bnão temos culpa\b",
              "Points out that the customer did not listen, or denies responsibility.", "Resumindo:"),
        _rule("blaming",  # the second person only: "o nosso técnico deveria ter verificado" owns the mistake
              r"\b(?:(?:você|o senhor|a senhora) (?:devia|deveria|tinha que|tinha de)|devias|deverias|tinhas que"
              r"|tinhas de) ter (?:lido|verificado|conferido|prestado atenção|checado|visto|consultado|confirmado)\b"
              r"|\ba culpa é (?:sua|tua|do senhor|da senhora|de você)\b|(?<!não )\b(?:é|foi) culpa (?:sua|tua)\b"
              r"|\b(?:você|o senhor|a senhora) deve ter se (?:enganado|confundido)\b"
              r"|\b(?:você|o senhor|a senhora) deve ter (?:digitado|escrito|inserido|colocado|lido|preenchido)"
              r"(?: \w+){0,3}? (?:errad[oa]s?|mal)\b|\b(?:você|o senhor|a senhora) não leu\b",
              "Blames the customer.", "Vamos resolver assim:"),
        _rule("dismissive",
              r"\b(?:acalme-se|acalma-te|se acalme|fique calm[oa]|fica calm[oa]|tenha calma|mantenha a calma"
              r"|não precisa (?:gritar|se exaltar|ficar nervos[oa]))\b"
              r"|\bnão (?:podemos|há como) fazer nada\b|\bnão há nada que (?:possamos|podemos|se possa) fazer\b",
              "Dismisses the customer or closes the door.", "Eis o que podemos fazer:"),
        _rule("policy_hiding",
              r"\b(?:conforme|segundo|de acordo com|pela|pelas|pelos|por) (?:a |as |os )?(?:nossa|nossas|nossos) "
              r"(?:política|políticas|norma|normas|regras|termos|condições|regulamento)\b"
              r"|\bpolítica da empresa\b|\bnossa política não (?:permite|prevê)\b",
              "Hides behind policy.", "Explicamos o porquê e o que podemos fazer:"),
    ),
    "it": (
        _rule("defensive",
              r"\bcome (?:(?:le|ti|vi) )?(?:abbiamo |ho )?già (?:detto|spiegato|indicato|scritto|comunicato"
              r"|specificato|precisato|risposto|ripetuto)\b"
              r"|\bcome (?:(?:le|ti|vi) )?(?:abbiamo |ho )?(?:detto|spiegato|indicato|scritto|comunicato|specificato)"
              r" (?:prima|in precedenza|precedentemente)\b"
              r"|\bnon (?:è|e') (?:colpa nostra|nostra colpa|nostra responsabilità|responsabilità nostra"
              r"|un nostro errore)\b|\bla colpa non è (?:la )?nostra\b"
              r"|\bnon siamo (?:noi )?(?:responsabili|colpevoli)\b|\bdeclin(?:iamo|a) ogni responsabilità\b",
              "Points out that the customer did not listen, or denies responsibility.", "Riassumendo:"),
        _rule("blaming",
              r"\b(?:avresti|avrebbe|avreste) dovuto (?:(?:prima|bene) )?(?:leggere|controllare|verificare"
              r"|fare attenzione|prestare attenzione|guardare|informarti|informarsi|informarvi|consultare|saperlo)\b"
              r"|(?<!non )\b(?:è|e') colpa (?:tua|sua|vostra)\b|\bla colpa è (?:tua|sua|vostra)\b"
              r"|\b(?:doveva|dovevi|dovevate) (?:leggere|controllare|verificare|fare attenzione|informarsi"
              r"|informarti)\b"
              r"|\b(?:deve|devi) aver(?:e)? (?:sbagliato|letto male|capito male|frainteso|inserito male|dimenticato)\b"
              r"|\b(?:lei|tu) (?:ha|hai) (?:sbagliato|frainteso|capito male|letto male)\b",
              "Blames the customer.", "Ecco come risolviamo:"),
        _rule("dismissive",
              r"\b(?:si calmi|calmati|calmatevi|stia calm[oa]|stai calm[oa]|mantenga la calma|mantieni la calma"
              r"|non c'è bisogno di (?:urlare|arrabbiarsi|agitarsi|scaldarsi))\b"
              r"|\bnon (?:possiamo|si può) (?:farci|fare) (?:niente|nulla)\b"
              r"|\bnon c'è (?:niente|nulla) (?:che (?:possiamo|si possa) fare|da fare)\b",
              "Dismisses the customer or closes the door.", "Ecco cosa possiamo fare:"),
        _rule("policy_hiding",
              r"\b(?:secondo (?:la |le )?|in base (?:alla|alle) |come da |conformemente (?:alla|alle) )"
              r"(?:nostra|nostre) "
              r"(?:politica|politiche|policy|regole|condizioni|procedure)\b"
              r"|\bla nostra (?:politica|policy) non (?:prevede|consente|permette)\b|\bpolitica aziendale\b",
              "Hides behind policy.", "Ti spieghiamo il perché e cosa possiamo fare:"),
    ),
    "nl": (
        _rule("defensive",
              r"\bzoals (?:(?:we|wij|ik) (?:u |je |jou |jullie )?)?"  # "zoals u al zei" quotes the customer
              r"(?:al eerder|reeds eerder|eerder al|al|reeds|eerder) "
              r"(?:hebben |heb )?(?:gezegd|uitgelegd|aangegeven|gemeld|vermeld|laten weten|gemaild|geschreven"
              r"|zeiden|zei|schreven|schreef|meldden)\b"
              r"|\bniet (?:onze|mijn) (?:schuld|fout|verantwoordelijkheid)\b|\bligt niet aan ons\b"
              r"|\b(?:(?:we|wij) zijn|zijn (?:we|wij)) (?:hier |daar |daarvoor |hiervoor )?niet verantwoordelijk\b",
              "Points out that the customer did not listen, or denies responsibility.", "Kort samengevat:"),
        _rule("blaming",  # "je had een mail moeten ontvangen" is news, "je had moeten opletten" a reproach
              r"\b(?:(?:u|je|jij) had|had (?:u|je|jij))\b[^.!?,;]{0,40}?\bmoeten (?:lezen|controleren|nakijken"
              r"|checken|opletten|letten|doorgeven|melden|weten)\b"
              r"|(?<!niet )\b(?:je|uw|jouw) eigen schuld\b|\b(?:het|dat) is (?:uw|jouw|je) (?:schuld|fout)\b"
              r"|\b(?:u|je|jij) (?:heeft|hebt|heb|moet) (?:zich|je|u) "
              r"(?:vast |waarschijnlijk |zeker |blijkbaar )?vergist\b"
              r"|\b(?:u|je|jij) (?:heeft|hebt|heb) (?:het |dit |dat )?(?:vast |waarschijnlijk |blijkbaar )?"
              r"(?:verkeerd|niet goed) (?:gelezen|ingevuld|begrepen|ingevoerd|getypt)\b",
              "Blames the customer.", "Zo lossen we het op:"),
        _rule("dismissive",
              r"\b(?:rustig aan|kalm aan|blijf (?:even )?rustig|blijft u (?:even )?rustig|kalmeer"
              r"|doe (?:eens |even )?rustig)\b"
              r"|\b(?:we|wij) kunnen er (?:helaas )?niets (?:aan )?doen\b"
              r"|\b(?:daar|hier) kunnen (?:we|wij) (?:helaas )?niets (?:aan )?doen\b",
              "Dismisses the customer or closes the door.", "Dit kunnen we wel doen:"),
        _rule("policy_hiding",
              r"\b(?:volgens|conform|op grond van|vanwege) (?:ons|onze) (?:beleid|voorwaarden|regels|huisregels|policy"
              r"|bedrijfsbeleid|richtlijnen)\b"
              r"|\bons beleid (?:staat|laat) (?:dit |dat |het )?niet toe\b|\bbedrijfsbeleid\b",
              "Hides behind policy.", "Dit is de reden, en dit kunnen we wel doen:"),
    ),
    "pl": (
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
    Curly apostrophes and quotes match as straight ones (``_FOLD``).

    ``language`` picks the rule set (``TONE_LANGUAGES``); English rules run too on every draft, since
    an English phrase inside another language's reply reads just as badly.
    """
    found: list[ToneFinding] = []
    rules = RULES if language == "en" else (*RULES_BY_LANGUAGE.get(language, ()), *RULES)
    folded = text.translate(_FOLD)  # same length: the spans below point into ``text`` as written
    for rule in rules:
        for match in rule.pattern.finditer(folded):
            start, end = match.span()
            finding = ToneFinding(rule.category, start, end, text[start:end], rule.why, rule.suggestion)
            if not any(_overlaps(finding, other) for other in found):
                found.append(finding)
    return ToneReport(text, tuple(sorted(found, key=lambda f: (f.start, f.end))), language or "en")


def _overlaps(a: ToneFinding, b: ToneFinding) -> bool:
    return a.category == b.category and a.start < b.end and b.start < a.end
