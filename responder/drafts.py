"""Reply suggestions: one template per intent, overridable per brand, rendered in a Jinja2 sandbox.

The defaults follow the care guidance every template here is tested against: acknowledge and thank,
never defensive, never blame the customer, focus on the fix and the next step, move to a private
channel whenever personal data (order numbers, account emails) is needed, and keep promises
concrete ("within 2 hours", from the brand voice, not "soon"). Each draft comes back with its tone
report and its length against the platform's limit, so the UI can show both before an agent sends.

Brand templates are written by admins, not developers, so they render in Jinja2's
``ImmutableSandboxedEnvironment`` with ``StrictUndefined``: no attribute tricks into Python
internals, no mutation, and a typo in a variable name is an error instead of an empty gap.
Autoescaping is off because the output is plain text for a social post; whoever shows it in HTML
escapes it there.

Variables available to a template: ``name`` (first name, the whole name in a language that puts the
family name first, or "there"), ``author_name``, ``case_ref``,
``brand`` (display name), ``platform``, ``dm`` (how to reach us privately on this platform),
``promise`` (when we will follow up), ``greeting`` and ``sign_off``.

Languages (issue 20): a reply goes out in the post's language when a template exists for it. Built-in
defaults cover ``LANGUAGES`` (English plus German, French, Spanish, Portuguese, Italian, Dutch, Polish,
Russian, Turkish, Hungarian, Chinese, Japanese, Korean, Arabic and Thai); a
brand adds or overrides one as ``config/templates/<brand>/<language>/<intent>.j2``. In those
languages ``greeting``, ``dm``, ``promise`` and the fallback ``name`` are the language's own (the
brand voice's values are English). Without a template the draft is the English one and says so in
``Draft.note`` ("no Swedish template"), so the agent knows to write it by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import regex
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from careline.domain import INTENTS
from careline.errors import CarelineError
from careline.languages import held_left_to_right, language_name
from responder.textlimits import LengthCheck, check_length
from responder.tone import ToneReport, check_tone, tone_language

NAME_MAX = 20

_REF = " Ref: {{ case_ref }}{{ sign_off }}"
DEFAULT_TEMPLATES: Mapping[str, str] = {
    "delivery": "{{ greeting }} {{ name }}, thanks for letting us know, and sorry your order hasn't arrived "
    "as expected. Please {{ dm }} with your order number and we'll check with the carrier and update you "
    "{{ promise }}." + _REF,
    "refund_return": "{{ greeting }} {{ name }}, thanks for reaching out, and sorry your refund or return "
    "is taking longer than it should. Please {{ dm }} with your order number so we can trace it and "
    "confirm the next step {{ promise }}." + _REF,
    "billing": "{{ greeting }} {{ name }}, thank you for flagging this, and sorry for the confusion with "
    "your bill. Please {{ dm }} with your account email (never card details) and we'll review the "
    "charge and reply {{ promise }}." + _REF,
    "account_login": "{{ greeting }} {{ name }}, thanks for telling us, and sorry you can't get into your "
    "account. Please {{ dm }} with the email on the account (never your password) and we'll help you "
    "get back in {{ promise }}." + _REF,
    "outage_bug": "{{ greeting }} {{ name }}, thank you for reporting this, and sorry for the disruption. "
    "Our team is working on it. Could you {{ dm }} with your device and app version? We'll update you "
    "here {{ promise }}." + _REF,
    "product_quality": "{{ greeting }} {{ name }}, thanks for telling us, and we're sorry it didn't live up "
    "to what you expected. Please {{ dm }} with your order number and a photo if you can, and we'll go "
    "through the options with you {{ promise }}." + _REF,
    "service_experience": "{{ greeting }} {{ name }}, thank you for telling us, and we're sorry about your "
    "experience. Please {{ dm }} with what happened so we can look into it properly and come back to "
    "you {{ promise }}." + _REF,
    "question": "{{ greeting }} {{ name }}, thanks for asking! A teammate will answer here {{ promise }}. "
    "If it's about your account or an order, please {{ dm }} instead so we can look it up." + _REF,
    "praise": "{{ greeting }} {{ name }}, thank you so much for the kind words! We've shared them with the "
    "team, and it made our day.{{ sign_off }}",
    "other": "{{ greeting }} {{ name }}, thanks for reaching out to {{ brand }}. So we can get you to the "
    "right person, please {{ dm }} with a few details and a teammate will reply {{ promise }}." + _REF,
}
# Per language: greeting, "there", the private channel per platform, the default promise, and the
# intent templates built from one apology frame with the topic and the detail to send privately.
_LOCALES: Mapping[str, Mapping[str, object]] = {
    "de": {"greeting": "Hallo", "there": "zusammen", "dm": {"x": "schreib uns eine DM"},
           "dm_other": "schreib uns eine private Nachricht", "promise": "innerhalb von 2 Stunden",
           "frame": "{{ greeting }} {{ name }}, danke, dass du uns Bescheid gibst, und es tut uns leid wegen "
                    "{topic}. Bitte {{ dm }} mit {detail}, dann kümmern wir uns darum und melden uns "
                    "{{ promise }}. Ref: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, danke für deine Frage! Jemand aus dem Team antwortet hier "
                       "{{ promise }}. Ref: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, vielen Dank für die netten Worte! Wir geben sie ans Team "
                     "weiter.{{ sign_off }}",
           "topics": {"delivery": "deiner Bestellung", "refund_return": "deiner Erstattung",
                      "billing": "deiner Rechnung", "account_login": "deines Kontos",
                      "outage_bug": "der Störung", "product_quality": "des Produkts",
                      "service_experience": "deiner Erfahrung mit uns", "other": "deines Anliegens"},
           "details": {"delivery": "deiner Bestellnummer", "refund_return": "deiner Bestellnummer",
                       "billing": "der E-Mail-Adresse deines Kontos (nie Kartendaten)",
                       "account_login": "der E-Mail-Adresse deines Kontos (nie dein Passwort)",
                       "outage_bug": "Gerät und App-Version", "product_quality": "deiner Bestellnummer",
                       "service_experience": "ein paar Details", "other": "ein paar Details"}},
    "fr": {"greeting": "Bonjour", "there": "", "dm": {"x": "nous envoyer un DM"},
           "dm_other": "nous envoyer un message privé", "promise": "dans les 2 heures",
           "frame": "{{ greeting }} {{ name }}, merci de nous avoir prévenus et désolés pour {topic}. "
                    "Merci de {{ dm }} avec {detail} : nous nous en occupons et revenons vers vous "
                    "{{ promise }}. Réf : {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, merci pour votre question ! Un membre de l'équipe vous répond "
                       "ici {{ promise }}. Réf : {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, merci beaucoup pour ce message ! Nous le transmettons à "
                     "l'équipe.{{ sign_off }}",
           "topics": {"delivery": "votre commande", "refund_return": "votre remboursement",
                      "billing": "votre facture", "account_login": "votre compte",
                      "outage_bug": "la panne", "product_quality": "le produit",
                      "service_experience": "votre expérience", "other": "ce problème"},
           "details": {"delivery": "votre numéro de commande", "refund_return": "votre numéro de commande",
                       "billing": "l'e-mail de votre compte (jamais vos données de carte)",
                       "account_login": "l'e-mail de votre compte (jamais votre mot de passe)",
                       "outage_bug": "votre appareil et la version de l'app",
                       "product_quality": "votre numéro de commande", "service_experience": "quelques détails",
                       "other": "quelques détails"}},
    "es": {"greeting": "Hola", "there": "", "dm": {"x": "envíanos un DM"},
           "dm_other": "envíanos un mensaje privado", "promise": "en menos de 2 horas",
           "frame": "{{ greeting }} {{ name }}, gracias por avisarnos y lo sentimos por {topic}. "
                    "Por favor, {{ dm }} con {detail} y te responderemos {{ promise }}. "
                    "Ref: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, ¡gracias por tu pregunta! Alguien del equipo te responderá "
                       "aquí {{ promise }}. Ref: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, ¡muchas gracias por tus palabras! Se las pasamos al "
                     "equipo.{{ sign_off }}",
           "topics": {"delivery": "tu pedido", "refund_return": "tu reembolso", "billing": "tu factura",
                      "account_login": "tu cuenta", "outage_bug": "la incidencia", "product_quality": "el producto",
                      "service_experience": "tu experiencia", "other": "lo ocurrido"},
           "details": {"delivery": "tu número de pedido", "refund_return": "tu número de pedido",
                       "billing": "el correo de tu cuenta (nunca datos de la tarjeta)",
                       "account_login": "el correo de tu cuenta (nunca tu contraseña)",
                       "outage_bug": "tu dispositivo y la versión de la app", "product_quality": "tu número de pedido",
                       "service_experience": "algunos detalles", "other": "algunos detalles"}},
    "pt": {"greeting": "Olá", "there": "", "dm": {"x": "envie-nos uma DM"},
           "dm_other": "envie-nos uma mensagem privada", "promise": "em até 2 horas",
           "frame": "{{ greeting }} {{ name }}, obrigado por nos avisar e lamentamos o problema com {topic}. "
                    "Por favor, {{ dm }} com {detail} e responderemos {{ promise }}. "
                    "Ref: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, obrigado pela pergunta! Alguém da equipe responde aqui "
                       "{{ promise }}. Ref: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, muito obrigado pelas palavras! Vamos partilhá-las com a "
                     "equipe.{{ sign_off }}",
           "topics": {"delivery": "o seu pedido", "refund_return": "o seu reembolso", "billing": "a sua fatura",
                      "account_login": "a sua conta", "outage_bug": "a falha", "product_quality": "o produto",
                      "service_experience": "o atendimento", "other": "o ocorrido"},
           "details": {"delivery": "o número do pedido", "refund_return": "o número do pedido",
                       "billing": "o e-mail da conta (nunca dados do cartão)",
                       "account_login": "o e-mail da conta (nunca a senha)",
                       "outage_bug": "o seu aparelho e a versão do app", "product_quality": "o número do pedido",
                       "service_experience": "alguns detalhes", "other": "alguns detalhes"}},
    "it": {"greeting": "Ciao", "there": "", "dm": {"x": "scrivici in DM"},
           "dm_other": "scrivici un messaggio privato", "promise": "entro 2 ore",
           "frame": "{{ greeting }} {{ name }}, grazie per la segnalazione e ci dispiace per {topic}. "
                    "Per favore {{ dm }} con {detail} e ti risponderemo {{ promise }}. "
                    "Rif: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, grazie per la domanda! Qualcuno del team ti risponderà qui "
                       "{{ promise }}. Rif: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, grazie mille per le belle parole! Le giriamo al "
                     "team.{{ sign_off }}",
           "topics": {"delivery": "il tuo ordine", "refund_return": "il tuo rimborso", "billing": "la tua fattura",
                      "account_login": "il tuo account", "outage_bug": "il disservizio",
                      "product_quality": "il prodotto", "service_experience": "la tua esperienza",
                      "other": "l'accaduto"},
           "details": {"delivery": "il numero d'ordine", "refund_return": "il numero d'ordine",
                       "billing": "l'e-mail dell'account (mai i dati della carta)",
                       "account_login": "l'e-mail dell'account (mai la password)",
                       "outage_bug": "dispositivo e versione dell'app", "product_quality": "il numero d'ordine",
                       "service_experience": "qualche dettaglio", "other": "qualche dettaglio"}},
    "nl": {"greeting": "Hoi", "there": "", "dm": {"x": "ons een DM sturen"},
           "dm_other": "ons een privébericht sturen", "promise": "binnen 2 uur",
           "frame": "{{ greeting }} {{ name }}, bedankt voor je bericht en sorry voor het probleem met {topic}. "
                    "Wil je {{ dm }} met {detail}? Dan zoeken we het uit en reageren we {{ promise }}. "
                    "Ref: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, bedankt voor je vraag! Iemand van het team antwoordt hier "
                       "{{ promise }}. Ref: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, heel erg bedankt voor je mooie woorden! We delen ze met het "
                     "team.{{ sign_off }}",
           "topics": {"delivery": "je bestelling", "refund_return": "je terugbetaling", "billing": "je factuur",
                      "account_login": "je account", "outage_bug": "de storing", "product_quality": "het product",
                      "service_experience": "je ervaring", "other": "wat er gebeurde"},
           "details": {"delivery": "je bestelnummer", "refund_return": "je bestelnummer",
                       "billing": "het e-mailadres van je account (nooit kaartgegevens)",
                       "account_login": "het e-mailadres van je account (nooit je wachtwoord)",
                       "outage_bug": "je apparaat en de app-versie", "product_quality": "je bestelnummer",
                       "service_experience": "wat details", "other": "wat details"}},
    # The languages below put the name where their own care teams do ("Anna様", "Здравствуйте, Анна!"),
    # and leave it out, with its punctuation, when there is no name to use.
    "pl": {"greeting": "Cześć", "there": "", "dm": {"x": "napisz do nas w DM"},
           "dm_other": "napisz do nas prywatną wiadomość", "promise": "w ciągu 2 godzin",
           "frame": "{{ greeting }} {{ name }}, dzięki, że dajesz nam znać, i przepraszamy za {topic}. "
                    "Prosimy, {{ dm }} i podaj {detail}, a zajmiemy się tym i odezwiemy się {{ promise }}. "
                    "Nr sprawy: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, dzięki za pytanie! Ktoś z zespołu odpowie tutaj {{ promise }}. "
                       "Nr sprawy: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, bardzo dziękujemy za miłe słowa! Przekażemy je "
                     "zespołowi.{{ sign_off }}",
           "topics": {"delivery": "kłopot z zamówieniem", "refund_return": "kłopot ze zwrotem",
                      "billing": "kłopot z rachunkiem", "account_login": "kłopot z kontem",
                      "outage_bug": "awarię", "product_quality": "kłopot z produktem",
                      "service_experience": "te nieprzyjemności", "other": "ten kłopot"},
           "details": {"delivery": "numer zamówienia", "refund_return": "numer zamówienia",
                       "billing": "adres e-mail konta (nigdy danych karty)",
                       "account_login": "adres e-mail konta (nigdy hasła)",
                       "outage_bug": "model urządzenia i wersję aplikacji", "product_quality": "numer zamówienia",
                       "service_experience": "kilka szczegółów", "other": "kilka szczegółów"}},
    "ru": {"greeting": "Здравствуйте", "there": "", "dm": {"x": "напишите нам в личные сообщения"},
           "dm_other": "напишите нам в личные сообщения", "promise": "в течение 2 часов",
           "frame": "{{ greeting }}{% if name %}, {{ name }}{% endif %}! Спасибо, что сообщили, и простите за "
                    "{topic}. Пожалуйста, {{ dm }} и укажите {detail}: мы разберёмся и ответим {{ promise }}. "
                    "Номер обращения: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }}{% if name %}, {{ name }}{% endif %}! Спасибо за вопрос! Коллега ответит "
                       "здесь {{ promise }}. Номер обращения: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }}{% if name %}, {{ name }}{% endif %}! Большое спасибо за тёплые слова! "
                     "Обязательно передадим их команде.{{ sign_off }}",
           "topics": {"delivery": "проблему с заказом", "refund_return": "проблему с возвратом",
                      "billing": "проблему со счётом", "account_login": "проблему с аккаунтом",
                      "outage_bug": "сбой", "product_quality": "проблему с товаром",
                      "service_experience": "доставленные неудобства", "other": "неудобства"},
           "details": {"delivery": "номер заказа", "refund_return": "номер заказа",
                       "billing": "e-mail аккаунта (но не данные карты)",
                       "account_login": "e-mail аккаунта (но не пароль)",
                       "outage_bug": "модель устройства и версию приложения", "product_quality": "номер заказа",
                       "service_experience": "подробности", "other": "подробности"}},
    "tr": {"greeting": "Merhaba", "there": "", "dm": {"x": "bize DM'den yazın"},
           "dm_other": "bize özel mesaj gönderin", "promise": "2 saat içinde",
           "frame": "{{ greeting }} {{ name }}, bize bildirdiğiniz için teşekkür ederiz, {topic} için özür "
                    "dileriz. Lütfen {{ dm }} ve {detail} paylaşın; konuyla ilgilenip {{ promise }} size dönüş "
                    "yapacağız. Referans: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, sorunuz için teşekkürler! Ekibimizden biri {{ promise }} burada "
                       "yanıtlayacak. Referans: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, güzel sözleriniz için çok teşekkür ederiz! Ekibimize "
                     "ileteceğiz.{{ sign_off }}",
           "topics": {"delivery": "siparişinizle ilgili sorun", "refund_return": "iadenizle ilgili sorun",
                      "billing": "faturanızla ilgili sorun", "account_login": "hesabınızla ilgili sorun",
                      "outage_bug": "yaşanan kesinti", "product_quality": "ürünle ilgili sorun",
                      "service_experience": "yaşadığınız olumsuz deneyim", "other": "yaşadığınız sorun"},
           "details": {"delivery": "sipariş numaranızı", "refund_return": "sipariş numaranızı",
                       "billing": "hesabınızın e-posta adresini (kart bilgilerinizi asla)",
                       "account_login": "hesabınızın e-posta adresini (şifrenizi asla)",
                       "outage_bug": "cihazınızı ve uygulama sürümünü", "product_quality": "sipariş numaranızı",
                       "service_experience": "birkaç ayrıntıyı", "other": "birkaç ayrıntıyı"}},
    "hu": {"greeting": "Szia", "there": "", "dm": {"x": "írj nekünk DM-ben"},
           "dm_other": "írj nekünk privát üzenetben", "promise": "2 órán belül",
           "frame": "{{ greeting }} {{ name }}, köszönjük, hogy jelezted, és sajnáljuk {topic}. Kérjük, {{ dm }}, "
                    "és add meg {detail}, mi pedig utánanézünk, és {{ promise }} jelentkezünk. "
                    "Ügyszám: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}, köszönjük a kérdést! Valaki a csapatból {{ promise }} válaszol "
                       "itt. Ügyszám: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}, nagyon köszönjük a kedves szavakat! Továbbítjuk őket a "
                     "csapatnak.{{ sign_off }}",
           "topics": {"delivery": "a rendeléseddel kapcsolatos problémát",
                      "refund_return": "a visszatérítéssel kapcsolatos problémát",
                      "billing": "a számláddal kapcsolatos problémát",
                      "account_login": "a fiókoddal kapcsolatos problémát", "outage_bug": "az üzemzavart",
                      "product_quality": "a termékkel kapcsolatos problémát",
                      "service_experience": "a kellemetlenséget", "other": "a kellemetlenséget"},
           "details": {"delivery": "a rendelésszámodat", "refund_return": "a rendelésszámodat",
                       "billing": "a fiókod e-mail-címét (kártyaadatot soha)",
                       "account_login": "a fiókod e-mail-címét (jelszót soha)",
                       "outage_bug": "a készüléked típusát és az alkalmazás verzióját",
                       "product_quality": "a rendelésszámodat", "service_experience": "néhány részletet",
                       "other": "néhány részletet"}},
    "zh": {"greeting": "您好", "there": "", "dm": {"x": "私信我们"},
           "dm_other": "私信我们", "promise": "2小时内",
           "frame": "{% if name %}{{ name }}，{% endif %}{{ greeting }}！感谢您告诉我们，{topic}给您带来了困扰，"
                    "非常抱歉。请{{ dm }}并提供{detail}，我们会跟进处理，并在{{ promise }}回复您。"
                    "编号：{{ case_ref }}{{ sign_off }}",
           "question": "{% if name %}{{ name }}，{% endif %}{{ greeting }}！感谢您的提问，我们的同事会在{{ promise }}"
                       "在这里回复您。编号：{{ case_ref }}{{ sign_off }}",
           "praise": "{% if name %}{{ name }}，{% endif %}{{ greeting }}！非常感谢您的好评，我们会转达给团队！"
                     "{{ sign_off }}",
           "topics": {"delivery": "订单的问题", "refund_return": "退款的问题", "billing": "账单的问题",
                      "account_login": "账户的问题", "outage_bug": "服务中断", "product_quality": "产品的问题",
                      "service_experience": "这次的体验", "other": "这个问题"},
           "details": {"delivery": "订单号", "refund_return": "订单号", "billing": "账户邮箱（切勿发送银行卡信息）",
                       "account_login": "账户邮箱（切勿发送密码）", "outage_bug": "设备型号和应用版本",
                       "product_quality": "订单号", "service_experience": "具体情况", "other": "具体情况"}},
    "ja": {"greeting": "ご連絡ありがとうございます", "there": "", "dm": {"x": "DMでお知らせください"},
           "dm_other": "ダイレクトメッセージでお知らせください", "promise": "2時間以内",
           "frame": "{% if name %}{{ name }}様、{% endif %}{{ greeting }}。{topic}でご迷惑をおかけし、大変申し訳"
                    "ございません。お手数ですが、{detail}を{{ dm }}。確認のうえ、{{ promise }}にご連絡いたします。"
                    "受付番号：{{ case_ref }}{{ sign_off }}",
           "question": "{% if name %}{{ name }}様、{% endif %}ご質問ありがとうございます。担当者が{{ promise }}に"
                       "こちらでお答えします。受付番号：{{ case_ref }}{{ sign_off }}",
           "praise": "{% if name %}{{ name }}様、{% endif %}温かいお言葉をありがとうございます！チーム一同の励みに"
                     "なります。{{ sign_off }}",
           "topics": {"delivery": "ご注文の件", "refund_return": "返金の件", "billing": "ご請求の件",
                      "account_login": "アカウントの件", "outage_bug": "障害", "product_quality": "商品の不具合",
                      "service_experience": "今回の対応", "other": "今回の件"},
           "details": {"delivery": "ご注文番号", "refund_return": "ご注文番号",
                       "billing": "アカウントのメールアドレス（カード情報は送らないでください）",
                       "account_login": "アカウントのメールアドレス（パスワードは送らないでください）",
                       "outage_bug": "端末の機種とアプリのバージョン", "product_quality": "ご注文番号",
                       "service_experience": "詳しい状況", "other": "詳しい状況"}},
    "ko": {"greeting": "안녕하세요", "there": "", "dm": {"x": "DM으로"},
           "dm_other": "개인 메시지로", "promise": "2시간 이내에",
           "frame": "{% if name %}{{ name }}님, {% endif %}{{ greeting }}. 알려 주셔서 감사합니다. {topic} 관련 "
                    "불편을 드려 죄송합니다. {{ dm }} {detail} 보내 주시면 확인 후 {{ promise }} 답변드리겠습니다. "
                    "접수번호: {{ case_ref }}{{ sign_off }}",
           "question": "{% if name %}{{ name }}님, {% endif %}{{ greeting }}. 문의해 주셔서 감사합니다! 담당자가 "
                       "{{ promise }} 이곳에서 답변드리겠습니다. 접수번호: {{ case_ref }}{{ sign_off }}",
           "praise": "{% if name %}{{ name }}님, {% endif %}{{ greeting }}. 따뜻한 말씀 정말 감사합니다! 팀에 꼭 "
                     "전하겠습니다.{{ sign_off }}",
           "topics": {"delivery": "주문", "refund_return": "환불", "billing": "청구", "account_login": "계정",
                      "outage_bug": "서비스 장애", "product_quality": "제품", "service_experience": "이용",
                      "other": "문의하신 내용"},
           "details": {"delivery": "주문 번호를", "refund_return": "주문 번호를",
                       "billing": "계정 이메일 주소(카드 정보 제외)를",
                       "account_login": "계정 이메일 주소(비밀번호 제외)를",
                       "outage_bug": "기기 모델과 앱 버전을", "product_quality": "주문 번호를",
                       "service_experience": "자세한 내용을", "other": "자세한 내용을"}},
    "ar": {"greeting": "مرحبًا", "there": "", "dm": {"x": "مراسلتنا عبر الرسائل الخاصة"},
           "dm_other": "مراسلتنا عبر الرسائل الخاصة", "promise": "خلال ساعتين",
           "frame": "{{ greeting }} {{ name }}، شكرًا لإبلاغنا، ونعتذر عن {topic}. يُرجى {{ dm }} مع {detail}، "
                    "وسنتابع الأمر ونرد عليك {{ promise }}. رقم المرجع: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }} {{ name }}، شكرًا على سؤالك! سيرد عليك أحد أعضاء الفريق هنا {{ promise }}. "
                       "رقم المرجع: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }} {{ name }}، شكرًا جزيلًا على كلماتك اللطيفة! سننقلها إلى الفريق.{{ sign_off }}",
           "topics": {"delivery": "المشكلة في طلبك", "refund_return": "المشكلة في استرداد المبلغ",
                      "billing": "المشكلة في فاتورتك", "account_login": "المشكلة في حسابك",
                      "outage_bug": "الانقطاع", "product_quality": "المشكلة في المنتج",
                      "service_experience": "التجربة التي مررت بها", "other": "هذه المشكلة"},
           "details": {"delivery": "رقم الطلب", "refund_return": "رقم الطلب",
                       "billing": "البريد الإلكتروني للحساب (دون بيانات البطاقة)",
                       "account_login": "البريد الإلكتروني للحساب (دون كلمة المرور)",
                       "outage_bug": "نوع الجهاز وإصدار التطبيق", "product_quality": "رقم الطلب",
                       "service_experience": "بعض التفاصيل", "other": "بعض التفاصيل"}},
    "th": {"greeting": "สวัสดีค่ะ", "there": "", "dm": {"x": "ส่งข้อความส่วนตัว (DM) ถึงเรา"},
           "dm_other": "ส่งข้อความส่วนตัวถึงเรา", "promise": "ภายใน 2 ชั่วโมง",
           "frame": "{{ greeting }}{% if name %} คุณ{{ name }}{% endif %} ขอบคุณที่แจ้งให้เราทราบ "
                    "และขออภัยในความไม่สะดวกเรื่อง{topic} รบกวน{{ dm }}พร้อม{detail} "
                    "ทีมงานจะตรวจสอบและติดต่อกลับ{{ promise }} หมายเลขอ้างอิง: {{ case_ref }}{{ sign_off }}",
           "question": "{{ greeting }}{% if name %} คุณ{{ name }}{% endif %} ขอบคุณสำหรับคำถามค่ะ "
                       "ทีมงานจะตอบกลับที่นี่{{ promise }} หมายเลขอ้างอิง: {{ case_ref }}{{ sign_off }}",
           "praise": "{{ greeting }}{% if name %} คุณ{{ name }}{% endif %} ขอบคุณมากสำหรับคำชมค่ะ "
                     "เราจะส่งต่อให้ทีมงานทุกคน{{ sign_off }}",
           "topics": {"delivery": "คำสั่งซื้อของคุณ", "refund_return": "การคืนเงิน", "billing": "การเรียกเก็บเงิน",
                      "account_login": "บัญชีของคุณ", "outage_bug": "ระบบขัดข้อง", "product_quality": "สินค้า",
                      "service_experience": "บริการที่ได้รับ", "other": "ปัญหานี้"},
           "details": {"delivery": "หมายเลขคำสั่งซื้อ", "refund_return": "หมายเลขคำสั่งซื้อ",
                       "billing": "อีเมลของบัญชี (ไม่ต้องส่งข้อมูลบัตร)",
                       "account_login": "อีเมลของบัญชี (ไม่ต้องส่งรหัสผ่าน)",
                       "outage_bug": "รุ่นของอุปกรณ์และเวอร์ชันของแอป", "product_quality": "หมายเลขคำสั่งซื้อ",
                       "service_experience": "รายละเอียดเพิ่มเติม", "other": "รายละเอียดเพิ่มเติม"}},
}


def _locale_templates(locale: Mapping[str, object]) -> dict[str, str]:
    topics, details = locale["topics"], locale["details"]
    assert isinstance(topics, dict) and isinstance(details, dict)
    out = {i: str(locale["frame"]).replace("{topic}", topics[i]).replace("{detail}", details[i]) for i in topics}
    return {**out, "question": str(locale["question"]), "praise": str(locale["praise"])}


#: Built-in templates per language and intent; English is ``DEFAULT_TEMPLATES``.
LANGUAGE_TEMPLATES: Mapping[str, Mapping[str, str]] = {
    "en": DEFAULT_TEMPLATES, **{lang: _locale_templates(loc) for lang, loc in _LOCALES.items()}}
LANGUAGES = tuple(LANGUAGE_TEMPLATES)

PRIVATE_CHANNEL: Mapping[str, str] = {
    "x": "send us a DM",
    "twitter": "send us a DM",
    "reddit": "send us a private message",
    "bluesky": "send us a DM",
    "mastodon": "send us a direct message",
}


class DraftError(CarelineError):
    """A template could not be rendered (syntax error, unknown variable, or blocked by the sandbox)."""


@dataclass(frozen=True, slots=True)
class BrandVoice:
    """How a brand sounds; ``templates`` overrides the defaults per intent."""

    display_name: str = ""
    greeting: str = "Hi"
    sign_off: str = ""  # appended, e.g. " ^JS" or " - The Acme team" (after a right-to-left reply, held left to right)
    promise: str = "within 2 hours"
    templates: Mapping[str, str] = field(default_factory=dict)  # "<intent>" (English) or "<lang>/<intent>"
    #: The names and accounts of every brand of the settings, this one's and the others' ("AcmeSupport",
    #: "acme.bsky.social"): an author who goes by one of them is a brand, and no reply greets it by name.
    brand_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    intent: str
    brand: str
    platform: str
    text: str
    length: LengthCheck
    tone: ToneReport
    source: str  # "brand" or "default"
    language: str = "en"  # the language the draft is written in
    note: str | None = None  # e.g. "no Swedish template: the suggestion is in English"

    @property
    def ok(self) -> bool:
        """Fits the platform and has no defensive finding."""
        return self.length.ok and not self.tone.defensive


_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)


#: Leading characters that make a spreadsheet (or a careless pipeline) evaluate a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "|", "%", "\t", "\r")
#: Longest display name a draft ever carries; platforms allow 50 (X) and the greeting only needs a word.
AUTHOR_NAME_MAX = 50
#: Unicode categories dropped from names: controls, format characters (bidi overrides, zero-width
#: characters), surrogates, private use and unassigned code points. The two joiners are kept where they
#: join letters of a script that spells with them (:func:`_keeps_joiner`).
_DROPPED = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))
#: Zero-width non-joiner and joiner: Persian writes "علی‌رضا" with one, Indic scripts pick conjunct
#: forms with them, so dropping them misspells the name; between Latin letters they only hide things.
_JOINERS = frozenset(("\u200c", "\u200d"))
#: A name word: a letter, then letters, marks, joiners, apostrophes, hyphens and dots. Anything else
#: (@ # $ / : _ digits, brackets, asterisks) makes it a handle, a link, a tag or markup, not a name.
_NAME_WORD = regex.compile(r"\p{L}[\p{L}\p{M}\u200c\u200d.'’ʼ\-‐]*")
#: A dot followed by two letters is a domain ("scam-refunds.com"), which platforms turn into a link;
#: initials ("J.R.") keep one letter between dots.
_DOMAIN_DOT = regex.compile(r"\.\p{L}{2}")


def _keeps_joiner(before: str, after: str) -> bool:
    """A joiner stays only between two letters or marks of a script other than Latin."""
    return all(ch and unicodedata.category(ch)[0] in "LM"
               and not unicodedata.name(ch, "").startswith(("LATIN", "COMBINING")) for ch in (before, after))


def _visible(text: str) -> str:
    """NFKC-folded text without invisible or direction-changing characters, whitespace collapsed.

    Emoji and other pictographs (whole grapheme clusters, so no half flag or half family is left)
    become spaces: they decorate a name ("✨Anna✨") but are no part of it.
    """
    folded = "".join(" " if unicodedata.category(g[0]) == "So" else g
                     for g in regex.findall(r"\X", unicodedata.normalize("NFKC", text)))
    kept = [ch for ch in folded if unicodedata.category(ch) not in _DROPPED or ch in _JOINERS]
    out = [ch for i, ch in enumerate(kept) if ch not in _JOINERS
           or _keeps_joiner(kept[i - 1] if i else "", kept[i + 1] if i + 1 < len(kept) else "")]
    return " ".join("".join(out).split())


def _is_name_word(word: str) -> bool:
    """Letters and marks with at most apostrophes, hyphens and initials' dots: nothing that mentions,
    links, tags or formats when the brand posts it."""
    return bool(_NAME_WORD.fullmatch(word)) and not _DOMAIN_DOT.search(word)


def _name_words(name: str) -> list[str]:
    """The display name's words up to the first one that is not a name word: "Anna #Boycott" and
    "田中 @elonmusk" greet only the person, and ".@elonmusk is a liar" greets nobody ("is" is not a name)."""
    words = []
    for word in _visible(name).removeprefix("@").split():  # "@jo" is a handle written as a name
        if not _is_name_word(word):
            break
        words.append(word)
    return words


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` code points of ``text``, cut between grapheme clusters (never inside a
    Devanagari syllable or after a base letter that loses its accent), without a dangling hyphen,
    apostrophe or joiner."""
    out = ""
    for grapheme in regex.findall(r"\X", text):
        if len(out) + len(grapheme) > limit:
            break
        out += grapheme
    return out.strip().rstrip("-‐'’ʼ\u200c\u200d").strip()


def _handle(handle: str) -> str:
    """The handle without its @ and without a Mastodon server or Bluesky domain ("anna@mastodon.social",
    "anna.bsky.social" -> "anna"), if it is a plain handle; otherwise ""."""
    bare = regex.split(r"[@.]", _visible(handle).removeprefix("@"), maxsplit=1)[0]
    return bare if regex.fullmatch(r"\w+", bare) and any(ch.isalpha() for ch in bare) else ""


def safe_name(display_name: str, handle: str = "") -> str:
    """A display name fit to put in a reply the agent may send unedited, or the handle, or "".

    A display name is written by the customer (or by someone impersonating one), so: invisible and
    bidi characters and emoji go, one leading @ goes (a handle used as a name), and only the name
    words before anything that is not one stay (no mention, hashtag, cashtag, link, domain, markup or
    template syntax; a formula cannot start with a letter), capped at :data:`AUTHOR_NAME_MAX` on whole
    characters as the reader sees them. When no name word is left, the handle (cleaned the same way,
    without its @) stands in.
    """
    name = _cut(" ".join(_name_words(display_name)), AUTHOR_NAME_MAX)
    return name or _cut(_handle(handle), AUTHOR_NAME_MAX)


#: Languages whose names put the family name first ("Kovács Bence", "Wang Fang"): their first word would be
#: the surname, so a reply in one of them uses the whole display name.
FAMILY_NAME_FIRST = frozenset({"hu", "zh", "ja", "ko"})
FULL_NAME_MAX = 30


def first_name(author_name: str, language: str = "en") -> str:
    """First name word of a display name without a leading @, at most 20 characters; "there" if it has
    none. In a ``FAMILY_NAME_FIRST`` language, all its name words up to the first that is not one (at most
    30 characters): "Szia Kovács Bence", not "Szia Kovács", and "田中様" for "田中 @elonmusk".

    The name words are those :func:`safe_name` keeps, so a handle standing in for the name ("dana_k")
    or a name that is a link or a tag gets the neutral greeting: the reply never mentions or links
    anyone the brand did not mean to."""
    words = _name_words(author_name)
    if not words:
        return "there"
    if language in FAMILY_NAME_FIRST:
        return _cut(" ".join(words), FULL_NAME_MAX) or "there"
    return _cut(words[0], NAME_MAX) or "there"


#: What a brand's care account adds to its name: "AcmeSupport", "Acme Help", "Acme Air Care".
_SUPPORT_SUFFIX = re.compile(r"(?:support|help|care)$")
#: An account of a brand Careline does not know, by its shape: a word, then "Support", "Help" or "Care" in
#: camel case ("JetBlueSupport"). At least three letters before it, so that "McCare" stays a name.
_SUPPORT_ACCOUNT = regex.compile(r"\p{L}{2,}\p{Ll}(?:Support|Help|Care)")


def _name_key(text: str) -> str:
    """``text`` as names are compared: without accents, case, spaces or punctuation ("Ácme-Air" -> "acmeair")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text).casefold() if ch.isalnum())


def _brand_key(name_or_account: str) -> str:
    """A brand's name or account as :func:`_name_key` reads it; an account without its @ and its Bluesky
    domain or Mastodon server ("@acme@mastodon.social", "acme.bsky.social" -> "acme")."""
    bare = name_or_account.strip().removeprefix("@")
    return _name_key(bare if " " in bare else re.split(r"[@.]", bare, maxsplit=1)[0])


def names_a_brand(display_name: str, brand_names: tuple[str, ...]) -> bool:
    """True when a display name is one of ``brand_names`` (case, accents, spaces and a leading @ aside),
    or one of them followed by "support", "help" or "care", or shaped like a brand's care account
    ("JetBlueSupport"). Only the author's side loses the suffix: a brand's handle "SkyHelp" does not make
    every customer called "Sky" a brand."""
    key = _name_key(display_name)
    keys = {k for k in map(_brand_key, brand_names) if k}
    return bool(key) and (key in keys or _SUPPORT_SUFFIX.sub("", key) in keys
                          or bool(_SUPPORT_ACCOUNT.fullmatch(display_name.removeprefix("@"))))


#: The space a missing name leaves before its comma ("Hola , gracias" -> "Hola, gracias"; Arabic's too).
_EMPTY_NAME_GAP = re.compile(r" +([,،])")


def render(template: str, variables: Mapping[str, object]) -> str:
    """Render ``template`` in the sandbox; collapse runs of spaces a missing optional value leaves, and the
    space it leaves before a comma."""
    try:
        text = _ENV.from_string(template).render(**variables)
    except TemplateError as exc:  # SecurityError and UndefinedError are TemplateErrors
        raise DraftError(f"reply template failed: {exc}") from exc
    return _EMPTY_NAME_GAP.sub(r"\1", re.sub(r" {2,}", " ", text)).strip()


#: From this complaint probability a post never gets the praise template (the classifier's own cut).
COMPLAINT_ON = 0.5


def reply_intent(intent: str | None, scores: Mapping[str, float] | None, complaint: float | None,
                 sentiment: str | None = None) -> tuple[str, str | None]:
    """The intent whose template is suggested, and a note for the agent when it is not the model's.

    A post read as a complaint never gets the praise template. The sarcasm correction makes "love how
    @SkylarkAir sends me a survey while I'm still sat at the gate" a complaint, but the intent head
    still reads praise in it (0.44), and a reply thanking the customer "for the kind words" is the
    worst answer there is: issue 20 opened with it. Such a post gets its next likeliest intent's
    template. The intent itself is left as the model read it: moving praise away in the classifier
    turned 11 real praise tweets of the intent set into other intents for 3 corrected (2026-12-05).

    Nor does a post read as negative (``sentiment``): sarcasm the complaint score half-missed ("Genial, otro retraso
    de 5 horas. Gracias Skylark, siempre tan puntuales": complaint 0.40, negative) was thanked in Spanish."""
    key = intent or "other"
    if key != "praise":
        return key, None
    if complaint is not None and complaint >= COMPLAINT_ON:
        why = "Not the praise template: the post reads as a complaint."
    elif sentiment == "negative":
        why = "Not the praise template: the post reads as negative."
    else:
        return key, None
    rest = {k: v for k, v in (scores or {}).items() if k != "praise" and k in DEFAULT_TEMPLATES}
    nearest = max(rest, key=lambda k: rest[k]) if rest else "other"
    return nearest, why


def draft_reply(
    intent: str,
    brand: str,
    author_name: str,
    case_ref: str,
    platform: str,
    *,
    voice: BrandVoice | None = None,
    language: str | None = None,
    limit: int | None = None,
    reply_to: str | None = None,
) -> Draft:
    """A suggested reply for ``intent`` in ``brand``'s voice, checked for tone and length.

    An intent without a template of its own uses the ``other`` template: a brand's own intent (``intents`` in
    its settings) has one only where the brand wrote it (``lost_baggage`` or ``de/lost_baggage``), and a post in
    a language without the brand's template for it is answered with the English one, saying so. When the first
    name makes an X draft too long, the
    draft falls back to "there"; if it is still too long, the draft is returned with ``length.ok``
    false for the agent to shorten. ``limit`` overrides the platform's fixed limit (a Mastodon server's own);
    ``reply_to``, the handle answered, counts the mention Mastodon's sender puts in front.
    """
    voice = voice or BrandVoice()
    author_name = safe_name(author_name)
    if names_a_brand(author_name, (brand, voice.display_name, *voice.brand_names)):
        author_name = ""  # "Hi AcmeSupport," from Acme's own account: the greeting without a name instead
    key = intent if intent in DEFAULT_TEMPLATES or _brand_intent(intent, language, voice) else "other"
    lang, note = _reply_language(language, key, voice)
    if lang == "en":
        template = voice.templates.get(key) or DEFAULT_TEMPLATES[key]
    elif (found := voice.templates.get(f"{lang}/{key}") or LANGUAGE_TEMPLATES[lang].get(key)) is not None:
        template = found
    else:  # the brand's own intent, written in English only
        lang, note = "en", f"no {language_name(lang)} template for {key}: the suggestion is in English"
        template = voice.templates[key]
    variables = {
        "name": first_name(author_name, lang),
        "author_name": author_name,
        "case_ref": case_ref,
        "brand": voice.display_name or brand,
        "platform": platform,
        "dm": PRIVATE_CHANNEL.get(platform.lower(), "send us a private message"),
        "promise": voice.promise,
        "greeting": voice.greeting,
        "sign_off": held_left_to_right(voice.sign_off, lang),
    }
    there = "there"
    if lang in _LOCALES:  # the brand voice's words are English; the template's language brings its own
        loc = _LOCALES[lang]
        dm = loc["dm"]
        assert isinstance(dm, dict)
        there = str(loc["there"])
        variables.update(greeting=str(loc["greeting"]), promise=str(loc["promise"]),
                         dm=str(dm.get(platform.lower(), loc["dm_other"])))
        if variables["name"] == "there":
            variables["name"] = there
    text = render(template, variables)
    note = note or _english_words(template, lang)
    length = check_length(platform, text, limit, author=reply_to)
    if not length.ok and variables["name"] != there:
        text = render(template, {**variables, "name": there})
        length = check_length(platform, text, limit, author=reply_to)
    source = "brand" if (key if lang == "en" else f"{lang}/{key}") in voice.templates else "default"
    # the tone guard reads a reply in the post's language, as the send does, whatever the template's language
    return Draft(key, brand, platform, text, length, check_tone(text, tone_language(language)), source, lang, note)


#: The variables whose words are the brand voice's English ones unless the language has built-in wording (``_LOCALES``).
_ENGLISH_VARIABLES = ("promise", "greeting", "dm")


def _english_words(template: str, lang: str) -> str | None:
    """A note for a brand's template in a language with no built-in wording that uses a variable filled in with
    English words: a Swedish template said "vi svarar within 2 hours" and nobody was told why."""
    if lang == "en" or lang in _LOCALES:
        return None
    used = [v for v in _ENGLISH_VARIABLES if re.search(r"\{\{-?\s*" + v + r"\b", template)]
    if not used:
        return None
    names = " and ".join(f"{{{{ {v} }}}}" for v in used)
    return (f"{names} {'is' if len(used) == 1 else 'are'} filled in with English words: Careline has no "
            f"{language_name(lang)} wording for {'it' if len(used) == 1 else 'them'}, so write "
            f"{'it' if len(used) == 1 else 'them'} into the template")


def _brand_intent(intent: str, language: str | None, voice: BrandVoice) -> bool:
    """Whether the brand wrote a template for its own ``intent`` that a post in ``language`` can be answered with:
    the English one, or the language's own."""
    return intent in voice.templates or (language is not None and f"{language}/{intent}" in voice.templates)


def _reply_language(language: str | None, intent: str, voice: BrandVoice) -> tuple[str, str | None]:
    """The language to write in, and a note when the post's language has no template."""
    if not language or language in ("en", "und"):
        return "en", None
    if language in LANGUAGE_TEMPLATES or f"{language}/{intent}" in voice.templates:
        return language, None
    name = language_name(language)
    return "en", f"no {name} template: the suggestion is in English"


def load_brand_templates(directory: str | Path) -> dict[str, dict[str, str]]:
    """Read ``<directory>/<brand>/<intent>.j2`` (English) and ``<directory>/<brand>/<language>/<intent>.j2``
    files into ``{brand: {intent or "<language>/<intent>": template}}``.

    The IO edge of this module: call it once at start and pass the result into :class:`BrandVoice`.
    Files for unknown intents are rejected so a misspelt file name does not silently do nothing.
    """
    root = Path(directory)
    out: dict[str, dict[str, str]] = {}
    if not root.is_dir():
        return out
    for path in sorted([*root.glob("*/*.j2"), *root.glob("*/*/*.j2")]):
        if path.stem not in INTENTS:
            raise DraftError(f"{path}: unknown intent {path.stem!r} (known: {', '.join(INTENTS)})")
        nested = path.parent.parent != root  # <brand>/<language>/<intent>.j2
        if nested and not re.fullmatch(r"[a-z]{2}", path.parent.name):
            raise DraftError(f"{path}: {path.parent.name!r} is not a two-letter language code")
        source = path.read_text(encoding="utf-8").strip()
        try:
            _ENV.parse(source)
        except TemplateError as exc:
            raise DraftError(f"{path}: {exc}") from exc
        brand = path.parent.parent.name if nested else path.parent.name
        key = f"{path.parent.name}/{path.stem}" if nested else path.stem
        out.setdefault(brand, {})[key] = source
    return out
