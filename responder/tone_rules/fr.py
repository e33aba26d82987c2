"""French rules: the inflected forms and word orders agents write ("Comme nous vous l'avons déjà expliqué"),
and a reproach needs its verb: "vous auriez dû recevoir" is news."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Désolés pour ce désagrément ; voici ce que nous pouvons faire :"),
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
)
