"""Tone guard: findings, spans, suggestions, and no noise on good replies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responder.tone import BLOCKING, check_tone


@pytest.mark.parametrize(("text", "category", "phrase"), [
    ("As we already explained, the parcel left our warehouse.", "defensive", "As we already explained"),
    ("That's not our fault, the courier lost it.", "defensive", "That's not our fault"),
    ("No other customers have complained about this.", "defensive", "No other customers have complained"),
    ("With all due respect, the app works.", "defensive", "With all due respect"),
    ("You should have read the instructions.", "blaming", "You should have read"),
    ("You must have typed the wrong email.", "blaming", "You must have typed"),
    ("It’s not our fault, the courier lost it.", "defensive", "It’s not our fault"),  # curly apostrophe
    ("You didn't follow the setup guide.", "blaming", "You didn't follow"),
    ("This is user error.", "blaming", "user error"),
    ("As clearly stated in our terms, refunds take 30 days.", "blaming", "As clearly stated in"),
    ("Please calm down, we are looking.", "dismissive", "calm down"),
    ("It's not a big deal, it's a small scratch.", "dismissive", "It's not a big deal"),
    ("Just restart the app.", "dismissive", "Just restart"),
    ("There's nothing we can do.", "dismissive", "There's nothing we can do"),
    ("Our policy does not allow refunds after 14 days.", "policy_hiding", "Our policy does not"),
    ("This is against company policy.", "policy_hiding", "This is against company policy"),
    ("We are unable to comment on that.", "policy_hiding", "We are unable to comment"),
    ("Refunds are sent as soon as possible.", "vague_promise", "as soon as possible"),
    ("We'll get back to you.", "vague_promise", "We'll get back to you"),
])
def test_flags_category_with_exact_span(text: str, category: str, phrase: str) -> None:
    report = check_tone(text)
    found = [f for f in report.findings if f.category == category]
    assert found, report
    f = found[0]
    assert text[f.start:f.end] == f.phrase == phrase
    assert f.suggestion and f.why
    assert report.defensive == (category in BLOCKING)


@pytest.mark.parametrize("text", [
    "Hi Sam, thanks for letting us know, and sorry for the delay. Please send us a DM with your order "
    "number and we'll check with the carrier and update you within 2 hours.",
    "Thank you so much for the kind words! We've shared them with the team.",
    "We're sorry this happened. Our team is fixing the login issue and we'll post an update here by 3pm.",
    "We'll look into it and reply here by 5pm today.",
    "Could you try restarting the app? If it still fails, send us a DM and we'll dig in.",
])
def test_good_replies_have_no_findings(text: str) -> None:
    assert check_tone(text).findings == ()


def test_several_findings_are_ordered_and_serialisable() -> None:
    report = check_tone("Calm down. As I said, you should have checked. Per our policy, no refunds.")
    assert [f.category for f in report.findings] == ["dismissive", "defensive", "blaming", "policy_hiding"]
    data = report.as_dict()
    assert data["defensive"] is True
    assert set(data["findings"][0]) == {"category", "start", "end", "phrase", "why", "suggestion"}


def test_vague_promise_alone_is_not_defensive() -> None:
    report = check_tone("Thanks! We will look into it.")
    assert [f.category for f in report.findings] == ["vague_promise"]
    assert not report.defensive


@pytest.mark.parametrize("text", [
    "You should have received a confirmation email by now.",  # news, not a reproach
    "Sit back and relax, the refund is on its way.",
    "Just try the link again in a minute.",
    "To be fair to you, this should never have happened.",
    "It wasn't your fault at all.",
])
def test_ordinary_phrases_that_share_words_with_a_rule_pass(text: str) -> None:
    assert not check_tone(text).defensive


def test_curly_apostrophes_match_and_the_span_is_the_text_as_written() -> None:
    text = "Hi Jo. We’re not responsible, and as we’ve already explained, you should’ve checked."
    report = check_tone(text)
    assert [f.phrase for f in report.findings] == ["We’re not responsible", "as we’ve already explained",
                                                   "you should’ve checked"]
    assert all(text[f.start:f.end] == f.phrase for f in report.findings)


@given(st.text(max_size=300))
def test_spans_always_point_at_the_phrase(text: str) -> None:
    for f in check_tone(text).findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.phrase


# -- a labelled set per language the guard claims (audit 9) -----------------------------------------
# Written for this test, not taken from the rules: defensive replies in the phrasings agents use
# (inflections, word orders, curly apostrophes), and innocent ones that share words with them.
DEFENSIVE: dict[str, list[str]] = {
    "en": [
        "As we’ve already explained, refunds take 5 to 7 working days.",
        "It’s not our fault the courier was late.",
        "You should’ve checked the size guide before ordering.",
        "We’re not responsible for delays caused by the carrier.",
        "Please calm down, we're doing what we can.",
        "According to our policy, we can't refund opened items.",
        "You must have entered the wrong address at checkout.",
        "As mentioned in my previous reply, the store is closed on Sundays.",
        "That isn’t our fault, the bank declined the payment.",
        "Like I said, the order shipped on Monday.",
    ],
    "de": [
        "Wie wir Ihnen schon geschrieben haben, ist das Paket unterwegs.",
        "Wie bereits mehrfach erklärt, dauert die Erstattung fünf Werktage.",
        "Das ist nicht unser Fehler, der Versanddienstleister ist zuständig.",
        "Hierfür sind wir leider nicht verantwortlich.",
        "Das hätten Sie vor der Bestellung in der Größentabelle nachlesen können.",
        "Sie haben sich wohl bei der Adresse vertippt.",
        "Bleiben Sie bitte ruhig, wir schauen uns das an.",
        "Laut unserer Richtlinie ist eine Erstattung nach 14 Tagen nicht möglich.",
        "Daran können wir leider nichts ändern.",
        "Du hättest die Bestätigung besser prüfen müssen.",
    ],
    "fr": [
        "Comme nous vous l’avons déjà indiqué, le remboursement prend cinq jours.",
        "Comme je vous l'ai dit précédemment, la commande est partie lundi.",
        "Ce n’est pas de notre faute si le colis est en retard.",
        "Nous ne sommes en rien responsables des retards du transporteur.",
        "Vous auriez dû lire les conditions avant de commander.",
        "Vous avez dû vous tromper d'adresse lors de la commande.",
        "Restez calme, s'il vous plaît, nous regardons.",
        "Selon notre politique, les articles ouverts ne sont pas remboursés.",
        "Nous ne pouvons malheureusement rien y faire.",
        "C'était votre faute, le code était indiqué dans l'e-mail.",
    ],
    "es": [
        "Como ya le indicamos, el reembolso tarda cinco días hábiles.",
        "Como te explicamos anteriormente, el pedido salió el lunes.",
        "No es responsabilidad nuestra que el transportista se retrase.",
        "No nos hacemos responsables de los retrasos de la aduana.",
        "Deberías haber revisado la guía de tallas antes de comprar.",
        "Usted debe haberse equivocado al escribir la dirección.",
        "Cálmate, por favor, ya lo estamos mirando.",
        "De acuerdo con nuestras condiciones, no aceptamos devoluciones de artículos abiertos.",
        "No hay nada que podamos hacer al respecto.",
        "La culpa es suya por no leer el correo.",
    ],
    "pt": [
        "Como já lhe dissemos, o reembolso demora cinco dias úteis.",
        "Como explicámos anteriormente, a encomenda saiu na segunda-feira.",
        "A culpa não é nossa se a transportadora se atrasou.",
        "Não somos responsáveis pelos atrasos da alfândega.",
        "Você deveria ter verificado a tabela de tamanhos antes de comprar.",
        "Você deve ter digitado o endereço errado.",
        "Tenha calma, por favor, estamos a verificar.",
        "De acordo com a nossa política, artigos abertos não são reembolsados.",
        "Não há nada que possamos fazer quanto a isso.",
        "Foi culpa sua, o código estava no e-mail.",
    ],
    "it": [
        "Come ti abbiamo già detto, il rimborso richiede cinque giorni lavorativi.",
        "Come spiegato in precedenza, l'ordine è partito lunedì.",
        "La colpa non è nostra se il corriere è in ritardo.",
        "Non siamo noi responsabili dei ritardi della dogana.",
        "Avresti dovuto controllare la tabella delle taglie prima di ordinare.",
        "Deve aver sbagliato a inserire l'indirizzo.",
        "Mantenga la calma, per favore, stiamo verificando.",
        "In base alla nostra politica gli articoli aperti non sono rimborsabili.",
        "Non c'è niente che possiamo fare.",
        "È colpa sua, il codice era nell'e-mail.",
    ],
    "nl": [
        "Zoals we u al eerder hebben gemaild, is de terugbetaling onderweg.",
        "Zoals reeds aangegeven is uw pakket op maandag verzonden.",
        "Het is niet onze fout dat de vervoerder te laat is.",
        "Wij zijn daar niet verantwoordelijk voor.",
        "Je had de maattabel eerst moeten controleren.",
        "U heeft zich vast vergist bij het adres.",
        "Blijft u even rustig, we kijken ernaar.",
        "Conform onze voorwaarden kunnen geopende artikelen niet worden teruggestuurd.",
        "Wij kunnen er helaas niets aan doen.",
        "Dat is uw eigen schuld, de code stond in de e-mail.",
    ],
}
INNOCENT: dict[str, list[str]] = {
    "en": [
        "You should have received a confirmation email; if not, please DM us.",
        "You should’ve got a text with the tracking link by now.",
        "Sit back and relax: your refund is already on its way.",
        "Just try the link again in a minute, and DM us if it still fails.",
        "To be fair to you, this should never have happened.",
        "It's just a quick form, and we'll fill in the rest for you.",
        "It is not your fault, and we're sorry for the confusion.",
        "You must have been so worried; the parcel is with the courier now.",
        "We're sorry, this is our fault, and we've refunded the fee.",
        "You shouldn't have had to chase us for this, sorry.",
    ],
    "de": [
        "Sie hätten Anspruch auf eine volle Erstattung, und die ist schon unterwegs.",
        "Du hättest eigentlich gestern eine E-Mail bekommen sollen; schreib uns bitte eine DM.",
        "Entspannen Sie sich, wir kümmern uns darum.",
        "Das ist unsere Schuld, und wir erstatten Ihnen die Gebühr.",
        "Es ist nicht Ihre Schuld, der Fehler lag bei uns.",
        "Wie versprochen haben wir die Erstattung heute angestoßen.",
        "Sie haben völlig recht, das hätte nicht passieren dürfen.",
        "Nach unseren Unterlagen ist das Paket heute zugestellt worden.",
        "Laut Sendungsverfolgung kommt das Paket morgen.",
        "Sie haben nichts falsch gemacht, wir prüfen das jetzt.",
    ],
    "fr": [
        "Vous auriez dû recevoir un e-mail de confirmation ; écrivez-nous en DM si ce n’est pas le cas.",
        "Relax, tout est réglé.",
        "C'est notre faute, et nous vous remboursons les frais.",
        "Ce n'est pas de votre faute, l'erreur vient de chez nous.",
        "Comme promis, nous avons lancé le remboursement aujourd'hui.",
        "Selon le transporteur, le colis arrive demain.",
        "Vous avez tout à fait raison, cela n'aurait pas dû arriver.",
        "Comme indiqué sur votre bon de commande, la livraison est gratuite.",
        "Merci pour votre patience, nous revenons vers vous dans les 2 heures.",
        "Vous auriez pu recevoir un code par SMS : pouvez-vous vérifier ?",
    ],
    "es": [
        "Deberías haber recibido un correo de confirmación; si no, escríbenos por DM.",
        "Relax, ya está resuelto.",
        "Es nuestra culpa y ya te hemos devuelto el cargo.",
        "No es tu culpa: el error fue nuestro.",
        "Como te prometimos, ya hemos tramitado el reembolso.",
        "Según el transportista, el paquete llega mañana.",
        "Tienes toda la razón, esto no debería haber pasado.",
        "El equipo tendría que revisar tu caso hoy mismo, y te escribimos en cuanto lo haga.",
        "Gracias por tu paciencia, te respondemos en menos de 2 horas.",
        "Debiste recibir un SMS con el código; si no llegó, avísanos.",
    ],
    "pt": [
        "Você deveria ter recebido um e-mail de confirmação; se não, envie-nos uma DM.",
        "Relax, já está resolvido.",
        "A culpa é nossa e já devolvemos a taxa.",
        "Não é culpa sua, o erro foi nosso.",
        "Como prometido, já fizemos o reembolso.",
        "Segundo a transportadora, a encomenda chega amanhã.",
        "Você tem toda a razão, isso não deveria ter acontecido.",
        "Você deve ter recebido um código por SMS.",
        "O nosso técnico deveria ter verificado isso, pedimos desculpa.",
        "Obrigado pela paciência, respondemos em até 2 horas.",
    ],
    "it": [
        "Avresti dovuto ricevere un'e-mail di conferma; se non è così scrivici in DM.",
        "Relax, è tutto risolto.",
        "È colpa nostra e ti abbiamo già rimborsato la commissione.",
        "Non è colpa tua, l'errore è stato nostro.",
        "Come promesso, abbiamo avviato il rimborso oggi.",
        "Secondo il corriere, il pacco arriva domani.",
        "Hai perfettamente ragione, non sarebbe dovuto succedere.",
        "Dovresti aver ricevuto un codice via SMS.",
        "Come già anticipato dal tuo messaggio, il rimborso è partito oggi.",
        "Grazie per la pazienza, ti rispondiamo entro 2 ore.",
    ],
    "nl": [
        "Je had een bevestigingsmail moeten ontvangen; stuur ons anders een DM.",
        "Relax, het is opgelost.",
        "Het is onze fout, en we hebben de kosten al terugbetaald.",
        "Het is niet jouw schuld, de fout lag bij ons.",
        "Zoals beloofd hebben we de terugbetaling vandaag gestart.",
        "Volgens de vervoerder komt het pakket morgen.",
        "U had gelijk, dit had niet mogen gebeuren.",
        "Zoals u al zei, had dit sneller moeten gaan; sorry daarvoor.",
        "Bedankt voor je geduld, we reageren binnen 2 uur.",
        "U had een sms met de code moeten krijgen; laat het ons weten als die niet kwam.",
    ],
}


@pytest.mark.parametrize("lang", sorted(DEFENSIVE))
def test_the_labelled_defensive_replies_are_caught(lang: str) -> None:
    missed = [t for t in DEFENSIVE[lang] if not check_tone(t, lang).defensive]
    assert missed == []


@pytest.mark.parametrize("lang", sorted(INNOCENT))
def test_the_labelled_innocent_replies_pass(lang: str) -> None:
    flagged = {t: [f.phrase for f in check_tone(t, lang).findings if f.blocking]
               for t in INNOCENT[lang] if check_tone(t, lang).defensive}
    assert flagged == {}
