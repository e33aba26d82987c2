"""Portuguese rules, written like the German and French ones: the inflected forms and word orders agents
write, and a reproach needs its verb."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

RULES: tuple[Rule, ...] = (
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
          "Points out that the customer did not listen, or denies responsibility.",
          "Lamentamos o transtorno; veja o que podemos fazer:"),
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
)
