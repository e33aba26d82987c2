"""Dutch rules, written like the German and French ones: the inflected forms and word orders agents
write, and a reproach needs its verb."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

#: Dutch past participles of heeding ("gecheckt", "nagekeken") and of entering something.
_NL_HEEDED = (r"(?:gelezen|doorgelezen|nagelezen|gecheckt|gecontroleerd|nagekeken|bekeken|gekeken|opgelet|gelet|gevolgd"
              r"|geluisterd)")
_NL_ENTERED = (r"(?:gelezen|ingevuld|begrepen|ingevoerd|getypt|ingetoetst|ingetikt|gekozen|geselecteerd|aangeklikt"
               r"|opgegeven|doorgegeven|ingesteld|gespeld|overgenomen|gekopieerd)")

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Sorry voor het ongemak; dit is wat we kunnen doen:"),
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
)
