"""Hungarian rules, written like the Polish ones: the customer as the reproach's subject, a policy only where
it refuses."""

from __future__ import annotations

from responder.tone_rules.base import Rule, _rule

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Sajnáljuk a kellemetlenséget; ezt tudjuk tenni:"),
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
)
