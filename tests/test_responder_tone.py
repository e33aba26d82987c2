"""Tone guard: findings, spans, suggestions, and no noise on good replies."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responder.tone import BLOCKING, RULES_BY_LANGUAGE, TONE_LANGUAGES, check_tone


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
    # Set 1 of the nine languages added on 2026-12-06 (pl ... th): written before their rules, as the
    # seven above were; the rules were then written to it.
    "pl": [
        "Jak już wcześniej pisaliśmy, zwrot trwa do 14 dni.",
        "Jak Panu już tłumaczyłem, paczka wyszła w poniedziałek.",
        "To nie nasza wina, że kurier się spóźnił.",
        "Nie ponosimy odpowiedzialności za opóźnienia przewoźnika.",
        "Powinna Pani była sprawdzić tabelę rozmiarów przed zamówieniem.",
        "Musiał Pan źle wpisać adres.",
        "Proszę się uspokoić, sprawdzamy to.",
        "Zgodnie z regulaminem sklepu nie zwracamy pieniędzy za otwarte produkty.",
        "Niestety nic nie możemy z tym zrobić.",
        "Wystarczyło przeczytać regulamin.",
    ],
    "ru": [
        "Как мы вам уже писали, возврат занимает до 14 дней.",
        "Как я уже объяснял, заказ отправлен в понедельник.",
        "Это не наша вина, что курьер опоздал.",
        "Мы не несём ответственности за задержки перевозчика.",
        "Вам следовало внимательнее прочитать условия.",
        "Вы, должно быть, неправильно ввели адрес.",
        "Пожалуйста, успокойтесь, мы разбираемся.",
        "Согласно нашим правилам, вскрытые товары возврату не подлежат.",
        "К сожалению, мы ничего не можем с этим поделать.",
        "Вы единственный клиент, который на это жалуется.",
    ],
    "tr": [
        "Daha önce de belirttiğimiz gibi, iade 14 gün içinde yapılır.",
        "Size daha önce açıkladığım gibi, siparişiniz pazartesi kargoya verildi.",
        "Kargonun gecikmesi bizim hatamız değil.",
        "Kargo firmasından kaynaklanan gecikmelerden sorumlu değiliz.",
        "Sipariş vermeden önce beden tablosunu kontrol etmeniz gerekirdi.",
        "Adresi yanlış girmiş olmalısınız.",
        "Lütfen sakin olun, konuyu inceliyoruz.",
        "Şirket politikamız gereği açılmış ürünlerin iadesini kabul etmiyoruz.",
        "Maalesef bu konuda yapabileceğimiz bir şey yok.",
        "Bu konuda şikayet eden tek müşteri sizsiniz.",
    ],
    "hu": [
        "Ahogy már korábban is jeleztük, a visszatérítés 14 napig tart.",
        "Mint azt már többször elmondtuk, a csomagot hétfőn adtuk fel.",
        "Ez nem a mi hibánk, a futár késett.",
        "A szállító késéséért nem vállalunk felelősséget.",
        "Rendelés előtt meg kellett volna néznie a mérettáblázatot.",
        "Biztosan rossz címet adott meg.",
        "Kérjük, nyugodjon meg, vizsgáljuk az ügyet.",
        "Az ÁSZF értelmében a felbontott termékeket nem áll módunkban visszavenni.",
        "Sajnos ezzel nem tudunk mit kezdeni.",
        "Ön az egyetlen, aki erre panaszkodik.",
    ],
    "zh": [
        "正如我们之前所说，退款需要7个工作日。",
        "我已经跟您解释过了，订单周一就发出了。",
        "快递延误不是我们的责任。",
        "我们对快递公司造成的延误概不负责。",
        "您下单前应该先看清楚尺码表。",
        "您肯定是把地址填错了。",
        "请您冷静一点，我们正在处理。",
        "根据公司规定，已拆封的商品不予退货。",
        "这个问题我们也无能为力。",
        "只有您一个人反映过这个问题。",
    ],
    "ja": [
        "先ほども申し上げた通り、返金には7営業日かかります。",
        "以前にもご説明いたしましたが、商品は月曜日に発送済みです。",
        "配送の遅延は弊社の責任ではございません。",
        "運送会社による遅延について、当社は一切責任を負いかねます。",
        "ご注文前にサイズ表をご確認いただくべきでした。",
        "住所を入力し間違えたのではないでしょうか。",
        "どうか落ち着いてください。",
        "規約上、開封済みの商品は返品できません。",
        "残念ながら、こちらではどうすることもできません。",
        "そのようなお問い合わせはお客様だけです。",
    ],
    "ko": [
        "이미 말씀드린 것처럼 환불은 7영업일이 걸립니다.",
        "앞서 안내해 드렸듯이 주문은 월요일에 발송되었습니다.",
        "배송 지연은 저희 책임이 아닙니다.",
        "택배사로 인한 지연에 대해서는 책임지지 않습니다.",
        "주문 전에 사이즈표를 확인하셨어야 합니다.",
        "주소를 잘못 입력하신 것 같습니다.",
        "진정하시고 기다려 주세요.",
        "규정상 개봉한 상품은 반품이 불가합니다.",
        "안타깝지만 저희가 해 드릴 수 있는 게 없습니다.",
        "이런 문의를 하신 분은 고객님뿐입니다.",
    ],
    "ar": [
        "كما ذكرنا سابقًا، يستغرق الاسترداد سبعة أيام عمل.",
        "كما أوضحت لك من قبل، تم شحن الطلب يوم الاثنين.",
        "التأخير ليس خطأنا، بل خطأ شركة الشحن.",
        "نحن غير مسؤولين عن تأخير شركة الشحن.",
        "كان عليك التحقق من جدول المقاسات قبل الطلب.",
        "لا بد أنك أدخلت العنوان بشكل خاطئ.",
        "من فضلك اهدأ، نحن نتابع الموضوع.",
        "وفقًا لسياستنا، لا يمكن إرجاع المنتجات المفتوحة.",
        "للأسف لا يمكننا فعل أي شيء حيال ذلك.",
        "أنت العميل الوحيد الذي اشتكى من هذا.",
    ],
    "th": [
        "ตามที่เราได้แจ้งไปแล้ว การคืนเงินใช้เวลา 7 วันทำการ",
        "อย่างที่บอกไปก่อนหน้านี้ สินค้าจัดส่งแล้วตั้งแต่วันจันทร์",
        "ความล่าช้าไม่ใช่ความผิดของเรา",
        "ทางเราไม่รับผิดชอบต่อความล่าช้าของบริษัทขนส่ง",
        "คุณควรจะตรวจสอบตารางไซซ์ก่อนสั่งซื้อ",
        "คุณน่าจะกรอกที่อยู่ผิดเอง",
        "กรุณาใจเย็น ๆ นะคะ เรากำลังตรวจสอบ",
        "ตามนโยบายของบริษัท สินค้าที่เปิดแล้วไม่สามารถคืนได้",
        "ขออภัย เราช่วยอะไรไม่ได้ในเรื่องนี้",
        "มีแต่คุณที่แจ้งปัญหานี้เข้ามา",
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
    "pl": [
        "Zgodnie z naszym regulaminem przysługuje Pani pełny zwrot pieniędzy.",
        "Proszę się nie martwić, paczka jest już w drodze.",
        "Powinien Pan był już otrzymać e-mail z potwierdzeniem.",
        "To nie Pani wina, błąd był po naszej stronie.",
        "To nasza wina i bardzo przepraszamy.",
        "Jak obiecaliśmy, zwrot został dziś zlecony.",
        "Jak Pan słusznie zauważył, to nie powinno się zdarzyć.",
        "Musiał się Pan bardzo zdenerwować, bardzo nam przykro.",
        "Nie ma powodu do obaw, wszystko zostało naprawione.",
        "Zrobimy wszystko, co możemy, żeby to dziś naprawić.",
    ],
    "ru": [
        "Согласно нашим правилам, вам положен полный возврат средств.",
        "Пожалуйста, не волнуйтесь, посылка уже в пути.",
        "Вы должны были получить письмо с подтверждением; если нет, напишите нам в личные сообщения.",
        "Это не ваша вина, ошибка была на нашей стороне.",
        "Это наша вина, и мы приносим извинения.",
        "Как мы и обещали, возврат оформлен сегодня.",
        "Как вы правильно заметили, такого не должно было случиться.",
        "Вы, должно быть, очень переживали, нам очень жаль.",
        "Не о чем беспокоиться, всё уже исправлено.",
        "Мы сделаем всё, что можем, чтобы решить это сегодня.",
    ],
    "tr": [
        "Politikamız gereği size tam iade yapılacaktır.",
        "Lütfen endişelenmeyin, paketiniz yolda.",
        "Onay e-postasını almış olmalısınız; almadıysanız bize DM atın.",
        "Bu sizin hatanız değil, hata bizdeydi.",
        "Bu bizim hatamız, özür dileriz.",
        "Söz verdiğimiz gibi iadenizi bugün başlattık.",
        "Belirttiğiniz gibi, bunun olmaması gerekirdi.",
        "Çok endişelenmiş olmalısınız, gerçekten üzgünüz.",
        "Merak etmeyin, her şey düzeltildi.",
        "Bunu bugün çözmek için elimizden geleni yapacağız.",
    ],
    "hu": [
        "Az ÁSZF értelmében Önnek teljes visszatérítés jár.",
        "Kérjük, ne aggódjon, a csomag már úton van.",
        "Már meg kellett volna kapnia a visszaigazoló e-mailt; ha nem, írjon nekünk privát üzenetet.",
        "Ez nem az Ön hibája, a hiba nálunk volt.",
        "Ez a mi hibánk, elnézést kérünk.",
        "Ahogy ígértük, a visszatérítést ma elindítottuk.",
        "Ahogy Ön is írta, ennek nem lett volna szabad megtörténnie.",
        "Biztosan nagyon bosszantó volt, őszintén sajnáljuk.",
        "Nincs miért aggódnia, mindent kijavítottunk.",
        "Mindent megteszünk, hogy ma megoldjuk.",
    ],
    "zh": [
        "根据公司规定，您可以获得全额退款。",
        "请您不用担心，包裹已经在路上了。",
        "您应该已经收到确认邮件了；如果没有，请私信我们。",
        "这不是您的错，是我们这边出了问题。",
        "这是我们的错，非常抱歉。",
        "正如我们承诺的，退款今天已经处理。",
        "正如您所说，这种情况不应该发生。",
        "您一定很着急，我们非常抱歉。",
        "没有什么需要担心的，问题已经解决了。",
        "我们会尽一切努力今天解决这个问题。",
    ],
    "ja": [
        "規約により、全額返金の対象となります。",
        "ご心配には及びません。商品はすでに発送されております。",
        "確認メールが届いているはずですが、届いていない場合はDMでお知らせください。",
        "お客様の責任ではございません。こちらの不手際です。",
        "弊社のミスです。大変申し訳ございません。",
        "お約束した通り、本日返金手続きをいたしました。",
        "ご指摘の通り、このようなことはあってはならないことです。",
        "さぞご心配だったことと存じます。申し訳ございません。",
        "ご安心ください。すでに修正いたしました。",
        "本日中に解決できるよう、できる限りのことをいたします。",
    ],
    "ko": [
        "규정상 전액 환불이 가능합니다.",
        "걱정하지 마세요, 택배는 이미 출발했습니다.",
        "확인 메일을 받으셨어야 하는데, 못 받으셨다면 DM 주세요.",
        "고객님의 잘못이 아닙니다. 저희 쪽 실수였습니다.",
        "저희 잘못입니다. 정말 죄송합니다.",
        "약속드린 대로 오늘 환불을 처리했습니다.",
        "말씀하신 것처럼 이런 일이 있어서는 안 됩니다.",
        "많이 걱정하셨을 것 같습니다. 정말 죄송합니다.",
        "걱정하실 필요 없습니다. 이미 해결되었습니다.",
        "오늘 안에 해결할 수 있도록 최선을 다하겠습니다.",
    ],
    "ar": [
        "وفقًا لسياستنا، يحق لك استرداد المبلغ كاملًا.",
        "لا تقلق، الطرد في الطريق إليك.",
        "كان من المفترض أن تصلك رسالة تأكيد؛ إن لم تصلك راسلنا على الخاص.",
        "هذا ليس خطأك، الخطأ كان من جهتنا.",
        "هذا خطؤنا، ونعتذر بشدة.",
        "كما وعدناك، تمت معالجة الاسترداد اليوم.",
        "كما ذكرتَ، ما كان ينبغي أن يحدث هذا.",
        "لا بد أنك شعرت بالقلق، نحن آسفون جدًا.",
        "لا داعي للقلق، تم إصلاح المشكلة.",
        "سنبذل كل ما في وسعنا لحل المشكلة اليوم.",
    ],
    "th": [
        "ตามนโยบายของบริษัท คุณจะได้รับเงินคืนเต็มจำนวน",
        "ไม่ต้องกังวลนะคะ พัสดุกำลังจัดส่ง",
        "คุณน่าจะได้รับอีเมลยืนยันแล้ว หากยังไม่ได้รับ ส่ง DM มาได้เลย",
        "ไม่ใช่ความผิดของคุณเลย ความผิดพลาดอยู่ที่เรา",
        "เป็นความผิดของเราเอง ขออภัยจริง ๆ",
        "ตามที่เราได้สัญญาไว้ เราดำเนินการคืนเงินวันนี้แล้ว",
        "อย่างที่คุณบอก เรื่องนี้ไม่ควรเกิดขึ้น",
        "คุณคงกังวลมาก เราขออภัยจริง ๆ",
        "ไม่มีอะไรต้องกังวล เราแก้ไขเรียบร้อยแล้ว",
        "เราจะทำทุกอย่างเท่าที่ทำได้เพื่อแก้ไขวันนี้",
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


# -- set 2 of the nine: written after round 1 of their rules was frozen, and scored once with it (9 of 55
# caught, 1 of 54 innocent flagged); then labelled data for round 2 of the rules, like set 1.
ROUND2_DEFENSIVE: dict[str, list[str]] = {
    "pl": [
        "Tak jak już mówiliśmy, nie mamy wpływu na pracę kuriera.",
        "Przecież informowaliśmy o tym w mailu.",
        "Reklamacja została odrzucona, bo sam Pan uszkodził produkt.",
        "Należało zgłosić problem w ciągu 14 dni.",
        "Niestety, takie są zasady i nie zrobimy wyjątku.",
        "Proszę nie krzyczeć, odpowiadamy najszybciej jak się da.",
        "Widocznie nie zauważył Pan informacji na stronie.",
    ],
    "ru": [
        "Мы же вам русским языком написали: возврат через 14 дней.",
        "Надо было читать условия акции.",
        "Претензии принимаются только в течение 14 дней, таковы правила.",
        "Не надо на нас кричать.",
        "Доставка не входит в нашу зону ответственности.",
        "Вы сами выбрали не тот тариф.",
    ],
    "tr": [
        "Size defalarca anlattık, iade süresi 14 gündür.",
        "Kampanya koşullarını okumadan sipariş vermişsiniz.",
        "Bu konuda bizim yapacağımız bir şey kalmadı.",
        "Lütfen bağırmayın, size yardımcı olmaya çalışıyoruz.",
        "Kural bu, istisna yapamayız.",
        "Kargo gecikmeleri bizi ilgilendirmiyor.",
    ],
    "hu": [
        "Már többször leírtuk, hogy a visszatérítés 14 nap.",
        "Ha figyelmesen elolvasta volna a feltételeket, ez nem történt volna meg.",
        "A futár késése nem a mi felelősségünk.",
        "Ne kiabáljon velünk, kérem.",
        "Ezen sajnos nem tudunk változtatni.",
        "Ön rossz terméket választott ki.",
    ],
    "zh": [
        "我们在上一条回复里已经写得很清楚了。",
        "这是快递的问题，跟我们无关。",
        "活动规则写得很明白，请您自己看。",
        "您别激动，有话好好说。",
        "退款就是这么慢，没有办法。",
        "谁让您不看说明就下单呢。",
    ],
    "ja": [
        "商品ページに明記しております。",
        "前回のメールでもお伝えしましたとおり、返金には時間がかかります。",
        "配送業者の遅延については弊社では責任を負えません。",
        "そのようにおっしゃられても、こちらではどうにもできません。",
        "お客様のご確認不足かと存じます。",
        "大声を出さないでください。",
    ],
    "ko": [
        "공지사항에 분명히 안내되어 있습니다.",
        "택배사 문제는 저희가 어떻게 할 수 없습니다.",
        "상품 페이지를 제대로 안 보신 것 같네요.",
        "그렇게 화내셔도 달라지는 건 없습니다.",
        "환불 규정에 따라 개봉 상품은 환불해 드릴 수 없습니다.",
        "저희 쪽 실수가 아닙니다.",
    ],
    "ar": [
        "لقد أوضحنا هذا الأمر أكثر من مرة.",
        "المشكلة من شركة الشحن وليست منا.",
        "كان يجب أن تقرأ الشروط قبل الشراء.",
        "لا ترفع صوتك من فضلك.",
        "هذه قواعد المتجر ولا نستطيع تغييرها.",
        "أنت من اختار المقاس الخاطئ.",
    ],
    "th": [
        "เราแจ้งไว้ชัดเจนในหน้าสินค้าแล้วค่ะ",
        "เรื่องขนส่งล่าช้าทางร้านไม่เกี่ยวนะคะ",
        "ลูกค้าต้องอ่านเงื่อนไขให้ดีก่อนสั่งนะคะ",
        "อย่าเพิ่งโวยวายค่ะ",
        "กฎของร้านคือไม่รับคืนสินค้าค่ะ",
        "ถ้าลูกค้าตรวจสอบก่อนก็จะไม่เกิดปัญหานี้",
    ],
}
ROUND2_INNOCENT: dict[str, list[str]] = {
    "pl": [
        "Tak jak obiecaliśmy, przesyłka wyjdzie jutro rano.",
        "Zgodnie z regulaminem ma Pani 30 dni na zwrot, więc spokojnie Pani zdąży.",
        "Nie musi się Pan niczym martwić, wszystko załatwimy.",
        "To nie jest Pana wina, system miał awarię.",
        "Powinna Pani była dostać SMS z kodem – sprawdzimy, co się stało.",
        "Przepraszamy, źle wpisaliśmy Pana adres w systemie.",
    ],
    "ru": [
        "Как мы и договаривались, курьер приедет завтра.",
        "Вам не нужно ничего делать, мы всё исправим сами.",
        "Вы совершенно правы, это наша ошибка.",
        "По нашим правилам вы можете вернуть товар в течение 30 дней.",
        "Вы должны были получить СМС с кодом — проверим, почему оно не пришло.",
        "Не переживайте, посылка уже в пути.",
    ],
    "tr": [
        "Söylediğiniz gibi, bu kabul edilemez; özür dileriz.",
        "İade politikamıza göre ücretin tamamını geri alacaksınız.",
        "Hiç endişelenmeyin, siparişiniz yolda.",
        "Bu tamamen bizim hatamız, hemen düzeltiyoruz.",
        "Onay SMS'i size ulaşmış olmalı; ulaşmadıysa bize yazın.",
        "Elimizden gelen her şeyi yapacağız.",
    ],
    "hu": [
        "Ahogy megbeszéltük, a futár holnap érkezik.",
        "Teljesen igaza van, ez a mi hibánk volt.",
        "Nem kell aggódnia, mindent rendbe teszünk.",
        "A szabályzatunk szerint 30 napig visszaküldheti a terméket.",
        "Meg kellett volna kapnia egy SMS-t a kóddal; megnézzük, mi történt.",
        "Mi írtuk el a címet, elnézést kérünk.",
    ],
    "zh": [
        "正如您提到的，这个问题确实不该发生。",
        "按照公司规定，您可以在30天内免费退换。",
        "您不用担心，我们会跟进到底。",
        "是我们的错，我们马上处理。",
        "您应该已经收到短信验证码了，如果没有请告诉我们。",
        "我们会想办法今天帮您解决。",
    ],
    "ja": [
        "おっしゃる通り、これは弊社の不手際です。",
        "規約に基づき、送料は弊社が負担いたします。",
        "ご心配をおかけして申し訳ございません。すぐに対応いたします。",
        "確認メールが届いていない場合は、再送いたします。",
        "こちらの確認不足でした。申し訳ございません。",
        "できることはすべていたします。",
    ],
    "ko": [
        "말씀하신 대로 빠르게 처리해 드리겠습니다.",
        "규정에 따라 배송비는 저희가 부담합니다.",
        "저희 쪽 실수였습니다. 정말 죄송합니다.",
        "걱정 마세요, 오늘 안에 해결해 드리겠습니다.",
        "인증 문자를 받으셨어야 하는데 혹시 못 받으셨나요?",
        "가능한 모든 방법을 찾아보겠습니다.",
    ],
    "ar": [
        "كما طلبت، قمنا بإلغاء الطلب.",
        "حسب سياسة الإرجاع، يمكنك إرجاع المنتج خلال 30 يومًا.",
        "لا تقلق أبدًا، سنتابع الأمر حتى النهاية.",
        "الخطأ خطؤنا ونعتذر عنه.",
        "كان من المفترض أن تصلك رسالة نصية بالرمز، سنتحقق من الأمر.",
        "سنفعل كل ما بوسعنا لمساعدتك.",
    ],
    "th": [
        "ตามที่คุณแจ้งมา เราตรวจสอบแล้วพบปัญหาจริงค่ะ",
        "ตามนโยบายของร้าน คุณสามารถคืนสินค้าได้ภายใน 30 วัน",
        "ไม่ต้องกังวลนะคะ เราจะดูแลให้",
        "ขออภัยค่ะ เป็นความผิดพลาดของทางร้านเอง",
        "คุณน่าจะได้รับ SMS ยืนยันแล้ว ถ้ายังไม่ได้ แจ้งเราได้เลย",
        "เราจะทำทุกวิถีทางเพื่อช่วยคุณค่ะ",
    ],
}
# -- set 3 of the nine: written after round 2 was frozen, scored once, never tuned on -----------------
# The misses stay in: HELD_OUT_SCORES below are the figures the model card reports.
HELD_OUT_DEFENSIVE: dict[str, list[str]] = {
    "pl": [
        "Regulamin jest dostępny na stronie, wystarczy go przeczytać.",
        "Nie widzimy żadnego błędu po naszej stronie.",
        "Hasło musiało zostać wpisane niepoprawnie przez Pana.",
        "Prosimy o cierpliwość i niespamowanie nas wiadomościami.",
        "Gdyby Pani czytała nasze maile, wiedziałaby Pani o zmianie.",
        "Ile razy mamy to powtarzać?",
    ],
    "ru": [
        "Ещё раз объясняю: деньги вернутся через 10 дней.",
        "Это ваши проблемы, а не наши.",
        "Видимо, вы невнимательно читали письмо.",
        "Мы работаем строго по регламенту, исключений не делаем.",
        "Повторяю, ваш заказ отправлен вовремя.",
        "Ваше недовольство нам понятно, но мы тут ни при чём.",
    ],
    "tr": [
        "Sitede açıkça yazıyor, lütfen okuyun.",
        "Bu durum tamamen sizin dikkatsizliğinizden kaynaklanıyor.",
        "Kaç kere söyleyeceğiz, kargo yolda.",
        "Yapılacak bir şey yok, beklemeniz gerekiyor.",
        "Biz üzerimize düşeni yaptık.",
        "Şikayetinizi anlıyoruz ama kurallar herkes için aynı.",
    ],
    "hu": [
        "Ezt már az előző levelünkben is leírtuk.",
        "A hiba nem nálunk van.",
        "Ha elolvasná a leírást, tudná, hogy ez nem jár.",
        "Türelmetlenkedéssel nem gyorsul az ügy.",
        "Ilyen a szabály, nem tehetünk kivételt.",
        "Nyilván rossz jelszót adott meg.",
    ],
    "zh": [
        "我们的页面上标得清清楚楚。",
        "这种情况我们不负责。",
        "您是不是没看短信？",
        "规定如此，我们也没辙。",
        "我都说了三遍了，订单已经发货。",
        "您再这样说话我们就不回复了。",
    ],
    "ja": [
        "ご購入前に注意事項をお読みいただく必要がございました。",
        "当社の手違いではございません。",
        "規則ですのでご了承ください。",
        "同じご質問には以前回答済みです。",
        "お客様の操作に問題があったものと思われます。",
        "これ以上のご対応はいたしかねます。",
    ],
    "ko": [
        "상세페이지를 꼼꼼히 읽어 보셨다면 아셨을 겁니다.",
        "그건 택배사에 문의하셔야 합니다.",
        "저희도 더 이상은 어쩔 도리가 없습니다.",
        "몇 번째 말씀드리는지 모르겠네요.",
        "규칙은 규칙이라 예외는 없습니다.",
        "고객님께서 주소를 틀리게 적으셨습니다.",
    ],
    "ar": [
        "هذا مكتوب في الشروط والأحكام، راجعها.",
        "ما حدث ليس مسؤوليتنا بأي شكل.",
        "لو قرأت الرسالة جيدًا لعرفت الموعد.",
        "لن نقدم أي تعويض، هذه سياستنا.",
        "أسلوبك غير لائق، التزم بالأدب.",
        "قلنا لك مرارًا إن الطلب في الطريق.",
    ],
    "th": [
        "ร้านเขียนไว้ในรายละเอียดสินค้าแล้ว ลูกค้าไม่ได้อ่านเองค่ะ",
        "เรื่องนี้ทางเราไม่สามารถรับผิดชอบได้ค่ะ",
        "บอกกี่รอบแล้วคะว่าของส่งไปแล้ว",
        "ระบบเราไม่มีปัญหา ปัญหาอยู่ที่เครื่องของลูกค้า",
        "ถ้าไม่พอใจก็ไม่ต้องซื้อค่ะ",
        "นโยบายร้านไม่คืนเงินทุกกรณีค่ะ",
    ],
}
HELD_OUT_INNOCENT: dict[str, list[str]] = {
    "pl": [
        "Jak Pan pisał, paczka nie dotarła – już to sprawdzamy.",
        "Nasza polityka zwrotów pozwala na wymianę bez dodatkowych opłat.",
        "Proszę się nie przejmować, zajmiemy się tym od razu.",
        "To my popełniliśmy błąd przy wysyłce, przepraszamy.",
        "Gdyby Pan potrzebował pomocy z aplikacją, jesteśmy tu.",
        "Nie możemy się doczekać, aż wypróbuje Pan nową wersję!",
    ],
    "ru": [
        "Вы абсолютно правы, мы должны были предупредить вас заранее.",
        "По условиям акции скидка действует до конца месяца.",
        "Не беспокойтесь, мы всё проверим сегодня.",
        "Как вы и просили, мы отменили заказ.",
        "Нам очень жаль, что так вышло, это наш недосмотр.",
        "Ничего страшного, если чек потерялся: пришлите номер заказа.",
    ],
    "tr": [
        "Haklısınız, size daha önce haber vermeliydik.",
        "Kurallarımız gereği kargo ücreti bizden.",
        "Sorun bizden kaynaklandı, özür dileriz.",
        "Bize yazdığınız gibi, ürün hasarlı gelmiş; hemen değiştiriyoruz.",
        "Endişe etmeyin, paranız iade edilecek.",
        "Bu konuda size yardımcı olmaktan memnuniyet duyarız.",
    ],
    "hu": [
        "Ahogy kérte, töröltük a rendelést.",
        "A feltételeink szerint ingyenes a csere.",
        "Elnézést, a mi hibánk, hogy nem jeleztük előre.",
        "Nem kell újra elküldenie, megkaptuk a fotókat.",
        "Biztosan kellemetlen volt, sajnáljuk.",
        "Mi mindent megteszünk, hogy ma megoldjuk.",
    ],
    "zh": [
        "您说得对，这是我们的疏忽。",
        "按照规定，我们会给您补发一件。",
        "别担心，我们今天就给您处理。",
        "我们已经通知快递公司尽快派送。",
        "您应该会在24小时内收到退款。",
        "如果您没有看到邮件，请查看垃圾箱。",
    ],
    "ja": [
        "ご指摘いただいた通り、表示に誤りがございました。",
        "規定に従い、全額をご返金いたします。",
        "お手数ですが、もう一度ログインをお試しいただけますか。",
        "弊社の手違いでした。申し訳ございません。",
        "ご不安な思いをさせてしまい、申し訳ございません。",
        "すでに発送手続きを完了しております。",
    ],
    "ko": [
        "고객님 말씀이 맞습니다. 저희가 더 꼼꼼히 확인했어야 했습니다.",
        "정책에 따라 배송비는 환불해 드립니다.",
        "불편을 드려 죄송합니다. 바로 처리하겠습니다.",
        "혹시 메일을 못 받으셨다면 스팸함도 확인 부탁드립니다.",
        "저희가 주소를 잘못 입력했습니다. 죄송합니다.",
        "필요하신 부분이 있으면 언제든 말씀해 주세요.",
    ],
    "ar": [
        "معك حق، كان يجب أن نبلغك مسبقًا.",
        "حسب الشروط، الشحن مجاني لطلبك.",
        "نأسف للإزعاج، سنصلح الأمر اليوم.",
        "كما أشرتَ، المنتج وصل تالفًا وسنستبدله.",
        "لا مشكلة إطلاقًا، يمكنك إرسال الصورة لاحقًا.",
        "نحن مسؤولون عن هذا الخطأ ونعتذر.",
    ],
    "th": [
        "ขออภัยค่ะ ทางร้านควรแจ้งให้ลูกค้าทราบก่อน",
        "ตามเงื่อนไข ลูกค้าได้รับส่วนลด 10% ค่ะ",
        "ไม่ต้องห่วงนะคะ เราดูแลให้เรียบร้อย",
        "ขอบคุณที่แจ้งเข้ามาค่ะ เราตรวจสอบให้ทันที",
        "ปัญหาอยู่ที่ระบบของเราเองค่ะ ขออภัยด้วยนะคะ",
        "หากยังไม่ได้รับสินค้า แจ้งเราได้ตลอดเลยค่ะ",
    ],
}


@pytest.mark.parametrize("lang", sorted(ROUND2_DEFENSIVE))
def test_the_second_labelled_set_is_read_right(lang: str) -> None:
    missed = [t for t in ROUND2_DEFENSIVE[lang] if not check_tone(t, lang).defensive]
    flagged = [t for t in ROUND2_INNOCENT[lang] if check_tone(t, lang).defensive]
    assert (missed, flagged) == ([], [])


#: Set 3 as scored once, with the rules frozen: (defensive caught, innocent flagged). A change to the rules
#: that moves these was tuned on set 3, which then no longer measures anything: write a new set.
HELD_OUT_SCORES: dict[str, tuple[int, int]] = {
    "pl": (0, 0), "ru": (1, 0), "tr": (2, 0), "hu": (1, 0), "zh": (0, 0), "ja": (0, 0), "ko": (1, 0), "ar": (3, 0),
    "th": (0, 0),
}


@pytest.mark.parametrize("lang", sorted(HELD_OUT_DEFENSIVE))
def test_the_held_out_set_scores_as_the_model_card_says(lang: str) -> None:
    caught = sum(check_tone(t, lang).defensive for t in HELD_OUT_DEFENSIVE[lang])
    flagged = sum(check_tone(t, lang).defensive for t in HELD_OUT_INNOCENT[lang])
    assert (caught, flagged) == HELD_OUT_SCORES[lang]


@pytest.mark.parametrize("lang", sorted(HELD_OUT_DEFENSIVE))
def test_a_language_is_checked_only_where_its_held_out_set_passes(lang: str) -> None:
    """The bar of the languages listed before (de ... nl: 35 of 35 caught, 1 of 28 flagged): 4 in 5
    defensive replies caught, at most 1 in 10 innocent ones flagged."""
    caught, flagged = HELD_OUT_SCORES[lang]
    passes = caught >= 0.8 * len(HELD_OUT_DEFENSIVE[lang]) and flagged <= 0.1 * len(HELD_OUT_INNOCENT[lang])
    report = check_tone(DEFENSIVE[lang][0], lang)
    assert report.defensive  # the rules run either way
    assert (lang in TONE_LANGUAGES) == report.checked == passes


def test_a_language_with_a_few_rules_shows_what_they_find_and_says_to_check_by_hand() -> None:
    report = check_tone("Proszę się uspokoić, sprawdzamy to.", "pl")
    data = report.as_dict()
    assert [f["phrase"] for f in data["findings"]] == ["Proszę się uspokoić"] and data["defensive"] is True
    assert data["checked"] is False and "pl" not in data["languages_checked"]
    assert data["note"] == ("the tone guard catches only some defensive Polish and English phrasings: check this "
                            "reply by hand")
    assert check_tone("Hej, vi hjälper dig.", "sv").as_dict()["note"] == (  # the language by name, and what ran
        "the tone guard has no rules for Swedish (it looks only for some defensive English phrasings): check this "
        "reply by hand")
    assert check_tone("Fine.").as_dict()["note"] == (
        "the tone guard catches only some defensive English phrasings: check this reply by hand")


def test_the_note_on_what_a_person_typed_names_the_rules_that_ran() -> None:
    """The newcomer audit: a Swedish reply's German phrases were flagged while the note said the guard "looks only
    for some defensive English phrasings"; what a person types is read with every language's rules."""
    swedish = check_tone("Das ist nicht unsere Schuld, Sie hätten die Regeln lesen sollen.", "sv", every_language=True)
    assert swedish.defensive and swedish.as_dict()["note"] == (
        f"the tone guard catches only some defensive phrasings (it has no rules for Swedish; it looked for the "
        f"phrasings of {len(RULES_BY_LANGUAGE)} other languages): check this reply by hand")
    assert check_tone("Proszę się uspokoić.", "pl", every_language=True).as_dict()["note"] == (
        f"the tone guard catches only some defensive phrasings (it has rules for Polish and "
        f"{len(RULES_BY_LANGUAGE) - 1} other languages): check this reply by hand")


# -- set 4, written blind, development ---------------------------------------------------------------
# Written by someone who never saw the rules: 8 defensive and 8 innocent replies in each language the guard
# checks. The rules before it caught 28 of 56 and flagged 10 of 56 innocent ones (en 6 and 1, de 4 and 2,
# fr 4 and 0, es 3 and 2, pt 3 and 2, it 4 and 2, nl 4 and 1): whole classes of phrasing were missing. The
# rules were then rewritten class by class on it, so it is a development set and proves nothing held out.
SET4_DEFENSIVE: dict[str, list[str]] = {
    "en": [
        "As I already explained in my last DM, the refund takes 10 business days. Please read our previous replies "
        "before messaging again.",
        "Honestly, if you'd checked the tracking email we sent you, you'd know the parcel was left with your "
        "neighbour.",
        "Calm down, shouting in all caps won't get your flight here any faster.",
        "That's our policy and there's nothing we can do about it. The fee stands.",
        "You must have typed your card number wrong, our system doesn't make mistakes like that.",
        "We're not responsible for outages caused by your own router. Not really our problem tbh.",
        "Wow, another tweet about the price increase. Great, thanks for letting the whole internet know 🙄",
        "It clearly says in the terms you agreed to that sale items are non-refundable. Maybe give them a read next "
        "time.",
    ],
    "de": [
        "Wie wir Ihnen bereits mehrfach mitgeteilt haben, ist eine Erstattung in diesem Fall ausgeschlossen.",
        "Hättest du die Versandbestätigung gelesen, wüsstest du, dass das Paket in der Packstation liegt.",
        "Jetzt beruhigen Sie sich bitte erst mal. Mit Großbuchstaben kommen wir hier auch nicht weiter.",
        "Das sind nun mal unsere Richtlinien, da können wir leider nichts machen.",
        "Da haben Sie wohl die IBAN falsch eingegeben, bei uns ist alles korrekt gelaufen.",
        "Für Störungen in Ihrem Heimnetz sind wir nicht zuständig. Das ist nicht unser Problem.",
        "Steht doch alles in den AGB, denen du zugestimmt hast. Einfach mal reinschauen.",
        "Na super, schon wieder ein Tweet über den neuen Abschlag. Danke, dass du das mit der ganzen Welt teilst.",
    ],
    "fr": [
        "Comme je vous l'ai déjà expliqué, le remboursement n'est pas possible. Merci de relire nos messages "
        "précédents.",
        "Si vous aviez consulté vos mails, vous auriez vu que votre vol avait été décalé.",
        "On se calme, s'il vous plaît. Ce n'est pas en criant que votre colis arrivera plus vite.",
        "C'est la politique de l'entreprise, on ne peut rien y faire.",
        "Vous avez dû mal saisir votre code, notre application fonctionne parfaitement.",
        "Nous ne sommes pas responsables des retards de La Poste. Ce n'est pas de notre ressort.",
        "Les conditions générales que vous avez acceptées sont pourtant très claires. Il fallait les lire.",
        "Ah, encore un tweet sur votre facture d'électricité ? Merci pour cette information capitale.",
    ],
    "es": [
        "Como ya te dijimos por DM, no podemos hacer nada más. Por favor, lee nuestros mensajes anteriores.",
        "Si hubieras revisado tu correo, sabrías que el vuelo se reprogramó hace una semana.",
        "Tranquilízate, por favor. Escribiendo en mayúsculas no vas a conseguir que el paquete llegue antes.",
        "Es nuestra política y no hay nada que hacer. Lo sentimos.",
        "Seguro que introdujiste mal el PIN, nuestro sistema no falla.",
        "No somos responsables de los cortes de tu wifi casero. Eso no es problema nuestro.",
        "Está clarísimo en los términos y condiciones que aceptaste. Haberlos leído.",
        "Vaya, otro tuit sobre la factura de la luz. Gracias por mantenernos tan informados 🙃",
    ],
    "pt": [
        "Conforme já informamos anteriormente, não há o que fazer. Pedimos que leia as mensagens anteriores.",
        "Se você tivesse conferido seu e-mail, saberia que o voo foi remarcado.",
        "Calma aí, gritar aqui no Twitter não vai fazer a encomenda chegar mais rápido.",
        "É a política da empresa, infelizmente não podemos fazer nada.",
        "Você deve ter digitado a senha errada, nosso app está funcionando normalmente.",
        "Não somos responsáveis por avarias no seu router. Isso não é connosco.",
        "Está bem explícito nos termos de uso que você aceitou. Era só ter lido.",
        "Mais uma reclamação sobre a fatura da luz? Que surpresa. Obrigado pela partilha.",
    ],
    "it": [
        "Come le abbiamo già spiegato più volte, il rimborso non è previsto. La invitiamo a rileggere i messaggi "
        "precedenti.",
        "Se avesse controllato la mail, saprebbe che il pacco è stato consegnato in portineria.",
        "Si calmi, per favore. Scrivere in maiuscolo non farà tornare la linea prima.",
        "È la nostra policy, non possiamo farci niente.",
        "Avrà sicuramente inserito male il codice, la nostra app funziona benissimo.",
        "Non siamo responsabili per i disservizi del suo modem. Non è un problema nostro.",
        "Era tutto scritto nelle condizioni che ha accettato. Bastava leggerle.",
        "Ah, un altro tweet sulla bolletta? Grazie per l'aggiornamento, non ne sentivamo proprio la mancanza.",
    ],
    "nl": [
        "Zoals ik je al eerder heb uitgelegd, kunnen we hier niets meer aan doen. Lees onze vorige berichten even "
        "terug.",
        "Als je je mail had gecheckt, had je gezien dat je vlucht al een week geleden is omgeboekt.",
        "Rustig aan even. Met hoofdletters schreeuwen komt je pakketje echt niet sneller.",
        "Dat is nu eenmaal ons beleid, daar kunnen we niks aan veranderen.",
        "U heeft vast uw pincode verkeerd ingetoetst, onze app werkt gewoon.",
        "Wij zijn niet verantwoordelijk voor storingen in je eigen wifi-netwerk. Dat is jouw probleem, niet het "
        "onze.",
        "Het staat gewoon in de voorwaarden waar je mee akkoord bent gegaan. Had je die maar even moeten lezen.",
        "Weer een tweet over de energierekening? Wat verrassend. Bedankt voor de update hoor.",
    ],
}
SET4_INNOCENT: dict[str, list[str]] = {
    "en": [
        "Our policy gives you a full refund within 30 days, so let's get that sorted for you now.",
        "Please don't worry, it's not your fault at all. The double charge was a glitch on our side and we've "
        "already reversed it.",
        "So sorry your flight was cancelled. You should have received a rebooking email by now – if it's not there, "
        "DM us your booking ref and we'll check.",
        "Could you check the order number and DM us? We'll chase the courier for you straight away.",
        "We're responsible for this one, no question. A credit for yesterday's outage will show on your next bill.",
        "Thanks a lot for the kind words about Jess, we'll make sure she hears them! 💙",
        "As we mentioned in our earlier update, engineers are on site and we expect power back by 6pm. Sorry again "
        "for the disruption.",
        "If you'd like a calmer visit, our stores are usually quiet on weekday mornings, so that could be a good "
        "time to pop in for the repair.",
    ],
    "de": [
        "Laut unseren Richtlinien bekommst du bei über drei Stunden Verspätung die volle Entschädigung – wir "
        "kümmern uns direkt darum.",
        "Keine Sorge, das ist auf keinen Fall Ihre Schuld – der Fehler lag bei uns und ist bereits behoben.",
        "Könntest du uns die Sendungsnummer bitte per DM schicken? Dann haken wir beim Zusteller nach.",
        "Sie sollten die Gutschrift bereits auf Ihrem Konto sehen. Falls nicht, melden Sie sich gern noch einmal "
        "bei uns.",
        "Wie bereits in unserem Update angekündigt: Die Techniker sind vor Ort, und wir rechnen bis 18 Uhr mit "
        "einer Lösung. Entschuldigt bitte die Umstände!",
        "Vielen Dank für dein Lob an unser Team in Köln, das geben wir sehr gerne weiter! 😊",
        "Wir übernehmen hier selbstverständlich die Verantwortung und schreiben dir die Ausfalltage gut.",
        "Beruhigend vorab: Ihre Daten sind sicher, beim Umzug auf das neue System ist nichts verloren gegangen.",
    ],
    "fr": [
        "Notre politique de remboursement vous permet d'être remboursé intégralement sous 30 jours, on s'en occupe "
        "tout de suite.",
        "Ne vous inquiétez pas, ce n'est absolument pas de votre faute : l'erreur vient de nous et elle est déjà "
        "corrigée.",
        "Pourriez-vous vérifier votre numéro de commande et nous l'envoyer en MP ? On relance le transporteur dans "
        "la foulée.",
        "Vous devriez déjà avoir reçu un e-mail avec votre nouvelle réservation. Si ce n'est pas le cas, "
        "écrivez-nous en privé et on vérifie.",
        "Nous sommes responsables de cette coupure et nous en sommes désolés : un geste commercial apparaîtra sur "
        "votre prochaine facture.",
        "Merci beaucoup pour votre message, ça fait plaisir à toute l'équipe ! 😊",
        "Comme annoncé dans notre précédent message, les techniciens sont sur place et le réseau devrait être "
        "rétabli d'ici 18h. Encore désolés pour la gêne.",
        "Pour un rendez-vous plus calme, nos boutiques sont généralement moins fréquentées en semaine le matin.",
    ],
    "es": [
        "Según nuestra política, tienes derecho al reembolso completo, así que ya lo hemos tramitado.",
        "No te preocupes, no es culpa tuya en absoluto: fue un fallo nuestro y ya está solucionado.",
        "¿Podrías revisar el número de pedido y enviárnoslo por MD? Así reclamamos a la empresa de transporte.",
        "Ya deberías haber recibido un correo con tu nueva tarjeta de embarque. Si no te ha llegado, escríbenos por "
        "privado y lo revisamos.",
        "Nos hacemos responsables de la avería y te abonaremos los días sin servicio en la próxima factura.",
        "¡Muchísimas gracias por tus palabras! Se las haremos llegar al equipo de la tienda de Valencia 💚",
        "Como ya informamos en nuestra última actualización, los técnicos están trabajando en la zona y esperamos "
        "restablecer el suministro antes de las 18:00. Disculpa las molestias.",
        "Si prefieres ver la serie con calma, los episodios se quedan disponibles en la app durante todo el año.",
    ],
    "pt": [
        "Pela nossa política de trocas, você tem direito ao reembolso total em até 30 dias, e já abrimos a "
        "solicitação pra você.",
        "Fica tranquilo, a culpa não foi sua de jeito nenhum: foi uma falha do nosso sistema e já corrigimos.",
        "Pode conferir o número do pedido e mandar pra gente por DM? Vamos cobrar a transportadora.",
        "Você já deve ter recebido um e-mail com a nova reserva. Se não chegou, chama a gente no privado que "
        "verificamos.",
        "Assumimos total responsabilidade pela falha de ontem e o crédito vai aparecer na sua próxima fatura.",
        "Muito obrigado pelo carinho, vamos passar o recado à equipa da loja do Porto! 😊",
        "Como já referimos na última atualização, os técnicos estão no local e prevemos repor a eletricidade até às "
        "18h. Pedimos desculpa pelo incómodo.",
        "Pode ficar calmo: o seu cartão já foi bloqueado e nenhuma compra nova pode ser feita com ele.",
    ],
    "it": [
        "In base alla nostra policy ha diritto al rimborso completo entro 30 giorni: ce ne occupiamo subito.",
        "Non si preoccupi, non è assolutamente colpa sua: l'errore è stato nostro ed è già stato corretto.",
        "Ci potresti controllare il numero d'ordine e mandarcelo in DM? Così sollecitiamo il corriere.",
        "Dovrebbe aver già ricevuto una mail con la nuova prenotazione. Se non la trova, ci scriva in privato e "
        "verifichiamo.",
        "Ci assumiamo la piena responsabilità del disservizio e le riconosceremo un rimborso nella prossima "
        "bolletta.",
        "Grazie mille per le belle parole, le giriamo subito ai colleghi del negozio di Torino! 😊",
        "Come già comunicato nell'ultimo aggiornamento, i tecnici sono al lavoro e contiamo di ripristinare la "
        "linea entro le 18. Ci scusiamo per il disagio.",
        "Stia tranquillo: la carta è già stata bloccata e nessuno potrà più usarla.",
    ],
    "nl": [
        "Volgens ons beleid heb je recht op je volledige aankoopbedrag terug, dus we hebben de terugbetaling al "
        "voor je in gang gezet.",
        "Maak je geen zorgen, het ligt echt niet aan jou: er ging iets mis aan onze kant en dat is inmiddels "
        "opgelost.",
        "Kun je het ordernummer even checken en ons dat via DM sturen? Dan gaan we er bij de bezorger achteraan.",
        "Je zou al een mail met je nieuwe boeking moeten hebben ontvangen. Is dat niet zo? Stuur ons even een DM, "
        "dan kijken we mee.",
        "Wij zijn verantwoordelijk voor deze storing en je krijgt de dagen zonder internet terug op je volgende "
        "factuur.",
        "Wat leuk om te lezen, dankjewel! We geven je complimenten door aan het team in Utrecht 😊",
        "Zoals we al in onze vorige update meldden, zijn de monteurs ter plaatse en verwachten we de stroom rond "
        "18.00 uur te herstellen. Excuses voor het ongemak.",
        "Geen haast: je kunt de afleveringen rustig terugkijken, ze blijven het hele jaar in de app staan.",
    ],
}
#: Set 4 with the rules written on it: (defensive caught, innocent flagged) of 8 each.
SET4_SCORES: dict[str, tuple[int, int]] = {
    "en": (8, 0), "de": (8, 0), "fr": (8, 0), "es": (8, 0), "pt": (8, 0), "it": (8, 0), "nl": (8, 0),
}


@pytest.mark.parametrize("lang", sorted(SET4_SCORES))
def test_set4_written_blind_development_scores_as_pinned(lang: str) -> None:
    caught = sum(check_tone(t, lang).defensive for t in SET4_DEFENSIVE[lang])
    flagged = sum(check_tone(t, lang).defensive for t in SET4_INNOCENT[lang])
    assert (caught, flagged) == SET4_SCORES[lang]


#: One reply per class of phrasing that set 4 showed missing, and per class it did not contain (talking down,
#: "for the third time", threats, "stop spamming"); written for the classes, not copied from set 4, and none
#: caught by the rules before.
NEW_CLASSES: list[tuple[str, str]] = [
    # counterfactual blame: conditional perfect, pluperfect subjunctive, inversion
    ("en", "Had you read the confirmation, you'd have seen the new time."),
    ("en", "If you had bothered to look at the tracking page, you would know."),
    ("de", "Wenn du die Mail gelesen hättest, wüsstest du Bescheid."),
    ("de", "Hätten Sie die Anleitung beachtet, wäre das nicht passiert."),
    ("fr", "Si tu avais lu notre mail, tu saurais que la livraison est décalée."),
    ("fr", "Si vous aviez pris la peine de lire la notice, vous auriez compris."),
    ("es", "Si hubiera leído el correo, sabría que el pedido llegaba hoy."),
    ("es", "De haber revisado la web, sabrías que la tienda cerraba."),
    ("pt", "Se tivesse lido as instruções, saberia como ativar."),
    ("it", "Se avessi letto bene la mail, sapresti che il volo era spostato."),
    ("nl", "Als u de mail goed had gelezen, had u het geweten."),
    ("nl", "Had je de bevestiging gecheckt, dan wist je dat het pakket later kwam."),
    # "you must have entered it wrong", "our system doesn't make mistakes"
    ("de", "Sie haben die falsche Kontonummer eingetragen."),
    ("fr", "Vous avez sûrement saisi un mauvais numéro de carte."),
    ("es", "Pusiste mal el código postal."),
    ("es", "Seguramente escribió mal su correo."),
    ("pt", "O senhor digitou o CEP errado."),
    ("it", "Deve aver digitato male la password."),
    ("nl", "Je hebt de verkeerde maat gekozen."),
    ("en", "Our system doesn't make mistakes like that."),
    ("fr", "Notre système ne se trompe jamais."),
    ("it", "Il nostro sistema non sbaglia mai."),
    # the terms held up: "it's all in the T&Cs you accepted", "just read them"
    ("en", "It's all in the T&Cs you accepted."),
    ("en", "Maybe read the terms next time."),
    ("de", "Das steht doch klar in den Geschäftsbedingungen."),
    ("es", "Viene clarísimo en las condiciones que firmaste."),
    ("pt", "Bastava ler o aviso na página."),
    ("it", "Bastava controllare lo stato dell'ordine."),
    ("it", "Era tutto chiaramente scritto nel contratto che ha firmato."),
    ("nl", "Het staat toch duidelijk in de voorwaarden."),
    # "shouting won't help"
    ("en", "Yelling at us won't make the engineer arrive any sooner."),
    ("de", "Schreien bringt hier gar nichts."),
    ("fr", "Crier ne servira à rien."),
    ("es", "Gritar no va a solucionar nada."),
    ("pt", "Xingar não vai resolver nada."),
    ("it", "Urlare non servirà a nulla."),
    ("nl", "Schreeuwen helpt echt niet."),
    # the policy as a wall: "rules are rules", "that's our policy"
    ("en", "Rules are rules."),
    ("de", "So sind nun mal die Regeln."),
    ("fr", "Ce sont les règles, il n'y a rien à faire."),
    ("es", "Son las normas y es lo que hay."),
    ("pt", "Essas são as regras e não há nada a fazer."),
    ("it", "Sono le nostre regole, è così e basta."),
    ("nl", "Regels zijn regels, daar is niets aan te doen."),
    # sarcasm about a public complaint
    ("en", "Yet another complaint about the prices, what a surprise."),
    ("de", "Na toll, noch eine Beschwerde über die Preise."),
    ("fr", "Encore une plainte sur nos prix ? Quelle surprise."),
    ("es", "Otra queja sobre los precios, qué sorpresa."),
    ("pt", "Mais uma queixa sobre o preço? Que surpresa."),
    ("it", "L'ennesimo reclamo sulla bolletta? Che sorpresa."),
    ("nl", "Alweer een klacht over de prijs? Wat een verrassing."),
    # "for the third time", "how many times", "as I told you several times"
    ("en", "For the third time, the parcel has shipped."),
    ("en", "How many times do we have to explain this?"),
    ("de", "Zum dritten Mal: Das Paket ist unterwegs."),
    ("fr", "Pour la troisième fois : votre colis est en route."),
    ("es", "Por tercera vez: el pedido ya salió."),
    ("pt", "Pela terceira vez: o pedido já saiu."),
    ("it", "Per la terza volta: il pacco è partito."),
    ("nl", "Voor de derde keer: het pakket is onderweg."),
    ("nl", "Zoals ik u al meerdere keren heb uitgelegd, is restitutie niet mogelijk."),
    # talking down
    ("en", "It's really quite simple."),
    ("en", "It's not rocket science."),
    ("de", "Das ist doch ganz einfach."),
    ("fr", "C'est pourtant très simple."),
    # threats
    ("en", "If you keep posting abuse, we will block you."),
    ("de", "Wenn Sie so weitermachen, sperren wir Ihr Konto."),
    ("fr", "Si vous continuez, nous bloquerons votre compte."),
    ("es", "Si sigues insultando, bloquearemos tu cuenta."),
    ("pt", "Se continuar com as ofensas, vamos bloquear a sua conta."),
    ("it", "Se continua così, bloccheremo il suo account."),
    ("nl", "Als je zo doorgaat, blokkeren we je account."),
    # "stop spamming us"
    ("en", "Please stop spamming us."),
    ("de", "Hör bitte auf, uns zu spammen."),
    ("fr", "Arrêtez de nous spammer, merci."),
    ("es", "Deja de spamearnos, por favor."),
    ("pt", "Pare de nos spammar, por favor."),
    ("it", "Smettila di spammarci, grazie."),
    ("nl", "Stop met spammen alsjeblieft."),
    # "not our problem"
    ("en", "Not our problem, talk to the courier."),
    # 2026-12-06, after sets 5 and 6 (written for each class, not copied from the sets): the problem passed to a
    # third party, the brand's record held up, the problem made small, sarcasm without an emoji, the policy wall
    # with no further step, and the counterfactual over what the customer kept or sent
    ("en", "Delays at the border are down to customs, not us. You'll have to raise it with them."),
    ("en", "Refunds for the concert are the promoter's responsibility, not ours."),
    ("en", "Take it up with your bank, the block is nothing to do with us."),
    ("en", "We've been voted the friendliest airline three years in a row, so that doesn't sound like our crew."),
    ("en", "Frankly we find that hard to believe."),
    ("en", "A cold coffee is hardly the end of the world."),
    ("en", "A five-minute wait isn't a big deal, and nobody else has complained about it."),
    ("en", "Everyone else at the gig managed to get in fine."),
    ("en", "With a bill that old, the late fee shouldn't come as a surprise."),
    ("en", "Right, because we deliberately planned the roadworks outside your house."),
    ("en", "Sorry, but there is nothing else we can do."),
    ("en", "Our terms are clear: no refunds after the event."),
    ("en", "If you'd kept the box, the return would have been easy."),
]


@pytest.mark.parametrize(("lang", "text"), NEW_CLASSES)
def test_each_class_of_defensive_phrasing_is_caught(lang: str, text: str) -> None:
    assert check_tone(text, lang).defensive


#: Flagged by the rules before: a policy cited to grant something, "not your fault" after a negation the old
#: look-behind did not know, and "as we said" in a public update or beside an apology.
SPARED: list[tuple[str, str]] = [
    ("en", "No worries, per our policy you get a free replacement."),
    ("en", "None of this is your fault, and we're fixing it now."),
    ("en", "As we said in our status update, the network is back. Sorry again."),
    ("de", "Laut unseren AGB steht Ihnen eine kostenlose Rücksendung zu."),
    ("de", "Es ist keineswegs deine Schuld, wir kümmern uns."),
    ("fr", "Selon nos conditions, vous avez droit à un remboursement intégral."),
    ("es", "De acuerdo con nuestras condiciones, te corresponde un reembolso completo."),
    ("pt", "De acordo com as nossas regras, você tem direito a frete grátis."),
    ("pt", "Como já informamos na nossa atualização, o serviço voltou. Pedimos desculpa."),
    ("it", "Secondo le nostre condizioni le spetta un rimborso completo."),
    ("it", "Come già scritto nel nostro aggiornamento, la linea è tornata. Ci scusiamo."),
    ("nl", "Volgens onze voorwaarden heb je recht op gratis verzending."),
]


@pytest.mark.parametrize(("lang", "text"), SPARED)
def test_a_policy_that_grants_a_consoling_negation_or_an_apology_spares_the_rule(lang: str, text: str) -> None:
    assert not check_tone(text, lang).defensive


#: Written with the new rules, sharing their words: offers, questions, news, contest rules, reassurance.
LOOK_ALIKES: list[tuple[str, str]] = [
    ("en", "If you'd like, we can call you back this afternoon."),
    ("en", "If you had checked in online, your boarding pass is in the app."),
    ("en", "Under the terms you agreed to, you're entitled to a full refund."),
    ("en", "Sorry this has happened for the second time this week; we're sending a replacement today."),
    ("en", "If you continue to have trouble, we'll send a technician tomorrow."),
    ("en", "We'll close your account today as you asked, and refund the balance."),
    ("en", "Our app is working perfectly again after the fix. Thanks for your patience!"),
    ("en", "Our app works perfectly on Android 10 and later."),
    ("en", "Thanks for another lovely review, it made our day!"),
    ("en", "It's our policy to refund delayed orders in full, so that's on its way."),
    ("de", "Falls Sie weiterhin Probleme haben, melden Sie sich gern, dann tauschen wir das Gerät."),
    ("de", "Haben Sie vielleicht die falsche Adresse angegeben? Schreib uns, dann ändern wir sie."),
    ("de", "Wie wir gestern im Update geschrieben haben, läuft der Dienst wieder. Entschuldigung für den Ausfall!"),
    ("de", "Hättest du gern eine Gutschrift oder einen Ersatz?"),
    ("fr", "Si vous continuez à rencontrer ce souci, nous vous enverrons un nouvel appareil."),
    ("fr", "Si vous avez déjà vérifié vos spams, écrivez-nous en privé."),
    ("es", "Seguramente se escribió mal tu nombre en nuestro sistema; lo corregimos ya."),
    ("es", "Pedimos disculpas a todo el mundo afectado por el corte."),
    ("es", "Gracias por haber leído nuestro hilo, ¡nos alegra que te sirva!"),
    ("es", "Si sigue teniendo problemas, le enviamos un técnico mañana."),
    ("pt", "Estas são as regras do sorteio: basta seguir a página e comentar."),
    ("pt", "O nosso app já está funcionando normalmente de novo. Obrigado pela paciência!"),
    ("it", "Ora il sistema funziona perfettamente, grazie per la pazienza."),
    ("it", "Se continua ad avere problemi, le mandiamo un tecnico domani."),
    ("nl", "Stuur ons nog een bericht met je ordernummer, dan zoeken we het uit."),
    ("nl", "De app werkt nu weer gewoon. Excuses voor het ongemak!"),
    # 2026-12-06: sharing the words of the rules above
    ("en", "We know this is a big deal for you, and we're sorry."),
    ("en", "The delay is with the courier, so we'll take it up with them today and update you by 5pm."),
    ("en", "This one is on us, not you: we've refunded the fee."),
    ("en", "Nobody should have to wait that long, and we're sorry you did."),
    ("en", "Our terms say you can cancel within 14 days for free, so I've cancelled it for you."),
    ("en", "If you've kept the receipt, bring it in and we'll swap it straight away."),
    ("en", "Sure, since you asked: the new timetable starts on Monday."),
]


@pytest.mark.parametrize(("lang", "text"), LOOK_ALIKES)
def test_the_new_rules_leave_their_look_alikes_alone(lang: str, text: str) -> None:
    assert not check_tone(text, lang).defensive


def test_the_context_that_spares_a_rule_is_its_own_sentence() -> None:
    text = "No worries, per our policy you get a free replacement. Per our policy, no refunds on sale items."
    report = check_tone(text)
    assert [(f.category, f.phrase) for f in report.findings] == [("policy_hiding", "Per our policy")]
    assert report.findings[0].start == text.index("Per our policy")


def test_an_apology_that_introduces_an_argument_does_not_excuse_it() -> None:
    assert check_tone("Sorry, but as we said, the refund takes 10 days.").defensive
    assert check_tone("Sorry for the confusion, but as we said, the fee stands.").defensive
    assert check_tone("We're sorry you feel that way. As stated before, the fee applies.").defensive
    assert check_tone("Es tut uns leid, aber wie bereits erklärt, dauert es 10 Tage.", "de").defensive
    assert not check_tone("As we said, the refund takes 10 days. Sorry for the wait.").defensive


# -- set 5: written blind (its writer saw no rule and no other set) after the rules of en ... nl were frozen,
# scored once (2026-12-06), never tuned on. It decides which of those languages are listed as checked.
SET5 = Path(__file__).parent / "data" / "tone_set5_blind.csv"
#: (defensive caught, innocent flagged) of 10 + 10 each, as scored once; the rules were 11 and 2 of 70 before
#: the class-by-class rewrite on set 4. A rule change that moves these was tuned on set 5: write a new set.
SET5_SCORES: dict[str, tuple[int, int]] = {
    "en": (10, 0), "de": (4, 0), "fr": (5, 0), "es": (5, 0), "pt": (5, 0), "it": (2, 0), "nl": (6, 0)}


SET6 = Path(__file__).parent / "data" / "tone_set6_blind.csv"
SET7 = Path(__file__).parent / "data" / "tone_set7_blind.csv"
#: The same for set 6, written blind by another writer the same afternoon, after set 5 had been scored, and scored
#: once with the rules as they stood: English, listed as checked on set 5's 8 of 10, caught 3 (en 3/0, de 3/0,
#: fr 3/0, es 5/0, pt 3/0, it 4/0, nl 1/1). The English rules were then rewritten by class on the misses of sets 5
#: and 6 (``NEW_CLASSES``), so for English both are development sets now (10/0 and 10/0: that measures nothing).
SET6_SCORES: dict[str, tuple[int, int]] = {
    "en": (10, 0), "de": (3, 0), "fr": (3, 0), "es": (5, 0), "pt": (3, 0), "it": (4, 0), "nl": (1, 1)}
#: Set 7: 15 defensive and 15 innocent replies in English and German, written blind by a third writer while the
#: English rules were rewritten, and scored once after they were frozen (16:00 UTC). English caught 7 of 15 (3
#: with the rules before the rewrite), German 5; neither flagged an innocent reply.
SET7_SCORES: dict[str, tuple[int, int]] = {"en": (7, 0), "de": (5, 0)}
#: Sets 8 and 9: 20 defensive and 20 innocent English replies each (14 of the innocent ones look-alikes), written
#: blind by a fourth writer on 2026-12-06 for ``benchmarks/tone_learned_en.py`` and scored once, the rules unchanged
#: since set 7: they catch 5 and 1 of 20 and flag none.
SET8 = Path(__file__).parent / "data" / "tone_set8_blind.csv"
SET9 = Path(__file__).parent / "data" / "tone_set9_blind.csv"
LATER_SCORES: dict[Path, tuple[int, int]] = {SET8: (5, 0), SET9: (1, 0)}
#: The blind sets that decide each language: those its rules were not written on.
DECIDING = {"en": (SET7, SET8, SET9), "de": (SET5, SET6, SET7),
            **{lang: (SET5, SET6) for lang in ("fr", "es", "pt", "it", "nl")}}


def _blind(path: Path) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["language"], {"defensive": [], "innocent": []})[row["label"]].append(row["text"])
    return out


def _scores(path: Path, lang: str) -> tuple[int, int]:
    texts = _blind(path)[lang]
    assert len(texts["defensive"]) == len(texts["innocent"]) in (10, 15, 20)
    return (sum(check_tone(t, lang).defensive for t in texts["defensive"]),
            sum(check_tone(t, lang).defensive for t in texts["innocent"]))


def _passes(path: Path, lang: str) -> bool:
    """4 in 5 of the defensive replies caught, at most 1 in 10 of the innocent ones flagged."""
    caught, flagged = _scores(path, lang)
    n = len(_blind(path)[lang]["defensive"])
    return caught >= 0.8 * n and flagged <= 0.1 * n


@pytest.mark.parametrize("lang", sorted(SET5_SCORES))
def test_the_blind_sets_score_as_pinned_and_decide_what_is_checked(lang: str) -> None:
    """Each blind set scores as pinned (a rule change that moves a deciding set's figures was tuned on it: write
    a new set), and a language is listed as checked only where it passes every blind set its rules were not
    written on (its report says so otherwise, and asks the agent to read the reply)."""
    assert (_scores(SET5, lang), _scores(SET6, lang)) == (SET5_SCORES[lang], SET6_SCORES[lang])
    if lang in SET7_SCORES:
        assert _scores(SET7, lang) == SET7_SCORES[lang]
    if lang == "en":
        assert {path: _scores(path, lang) for path in LATER_SCORES} == LATER_SCORES
    passes = all(_passes(path, lang) for path in DECIDING[lang])
    assert (lang in TONE_LANGUAGES) == check_tone("x", lang).checked == passes


def test_a_denial_is_answered_with_an_apology_not_a_summary_in_every_language() -> None:
    """The rules that also catch "it is not our fault" suggested the rewrite of "as we told you" ("Para resumir:",
    "To sum up:") in fourteen languages. Now the suggestion owns the trouble, differs from the summary, and
    passes the guard of its own language."""
    from responder.tone import RULES_BY_LANGUAGE

    denials = {lang: [r for r in rules if "denies responsibility" in r.why.lower()]
               for lang, rules in RULES_BY_LANGUAGE.items()}
    assert sum(map(len, denials.values())) >= 16  # fourteen, and the English and German rules of their own
    for lang, rules in denials.items():
        summaries = {r.suggestion for r in RULES_BY_LANGUAGE[lang] if r.why.endswith("did not listen.")}
        for rule in rules:
            assert rule.suggestion not in summaries, (lang, rule.suggestion)
            assert not check_tone(rule.suggestion, lang).findings, (lang, rule.suggestion)
    found = check_tone("No es nuestra culpa, el retraso es de la aduana.", "es").findings
    assert [f.suggestion for f in found] == ["Sentimos las molestias; esto es lo que podemos hacer:"]
