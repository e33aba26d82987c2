"""Italian rules, written like the German and French ones: the inflected forms and word orders agents
write, and a reproach needs its verb."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

#: "Wrong" after an Italian verb of entering: "avrà inserito male il codice", "ha scelto la taglia sbagliata".
_IT_WRONG = r"(?:male|sbagliat[oaie]|in modo errato|erroneamente|errat[oaie])"

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Ci dispiace per il disagio; ecco cosa possiamo fare:"),
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
)
