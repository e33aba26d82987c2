"""German rules: the inflected forms and word orders agents write ("Wie wir Ihnen bereits mitgeteilt haben"),
and a reproach needs its verb: "Sie hätten Anspruch" is news."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

#: German past participles of heeding ("gelesen", "nachgesehen", "aufgepasst") and of entering something.
_DE_HEEDED = (r"(?:\w*gelesen|\w*geprüft|überprüft|\w*gesehen|\w*geschaut|\w*geguckt|kontrolliert|beachtet|\w*gepasst"
              r"|\w*gecheckt|\w*geachtet|zugehört|informiert)")
_DE_ENTERED = (r"(?:eingegeben|eingetippt|getippt|eingetragen|gelesen|verstanden|ausgefüllt|angegeben|ausgewählt"
               r"|gewählt"
               r"|angeklickt|eingestellt|hinterlegt)")
#: What a German reply threatens to do to the customer or their account.
_DE_THREAT = (r"(?:sperren|blockieren|stummschalten|anzeigen|ignorieren|(?:ihr|dein|euer)e?n? (?:konto|account"
              r"|kundenkonto|profil|zugang) (?:schließen|löschen|kündigen|deaktivieren))")

RULES: tuple[Rule, ...] = (
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
          r" (?:nachrichten|antworten|beiträge|mails|e-mails|dms)\b",
          "Points out that the customer did not listen.", "Kurz zusammengefasst:"),
    _rule("defensive",  # its own rule for its own suggestion: "In short:" answered "not our fault" (the CLI audit)
          r"\bnicht (?:unsere schuld|unser fehler|unsere verantwortung|unser problem|unsere sache)\b"
          r"|\bliegt nicht an uns\b|\bgeht uns nichts an\b|\b(?:das|es) ist (?:ihr|dein"
          r"|euer) (?:eigenes )?problem\b"
          r"|\b(?:wir sind|sind wir) (?:leider |dafür |hierfür |daran |hier )*(?:nicht|keineswegs) "
          r"(?:verantwortlich|schuld|zuständig|haftbar)\b"
          r"|\b(?:wir tragen|tragen wir) (?:dafür |hierfür )?keine (?:verantwortung|schuld|haftung)\b"
          r"|\b(?:wir haben|haben wir) nichts falsch gemacht\b",
          "Denies responsibility before helping.", "Das tut uns leid, und wir bringen es in Ordnung."),
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
)
