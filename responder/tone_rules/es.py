"""Spanish rules, written like the German and French ones: the inflected forms and word orders agents
write, and a reproach needs its verb."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

#: "Wrong" after a Spanish verb of entering: "introdujiste mal el PIN", "pusiste la dirección equivocada".
_ES_WRONG = r"(?:mal|erróneamente|incorrectamente|equivocad[oa]s?|incorrect[oa]s?)"

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Sentimos las molestias; esto es lo que podemos hacer:"),
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
)
