"""Replies in the customer's language, the tone guard's languages, and the priority's language floor
and severity points (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.abc import INTENTS
from responder.drafts import LANGUAGE_TEMPLATES, BrandVoice, draft_reply, load_brand_templates, reply_intent
from responder.priority import UNCOVERED_FLOOR, PrioritySignals, score_priority
from responder.tone import TONE_LANGUAGES, check_tone

OTHER = [lang for lang in LANGUAGE_TEMPLATES if lang != "en"]


@pytest.mark.parametrize("lang", OTHER)
@pytest.mark.parametrize("intent", INTENTS)
def test_builtin_languages_cover_every_intent_and_pass_the_guard(lang: str, intent: str) -> None:
    d = draft_reply(intent, "acme", "Priya Natarajan", "CL-000042", "x", language=lang)
    assert d.language == lang and d.note is None and d.source == "default"
    assert "Priya" in d.text[:30]  # where the language puts it: "Cześć Priya,", "Priya様、", "Priya，您好！"
    assert d.length.ok and d.ok and d.tone.checked == (lang in TONE_LANGUAGES) and d.tone.findings == ()
    assert "{" not in d.text and "  " not in d.text
    if intent != "praise":
        assert "CL-000042" in d.text
    assert "within 2 hours" not in d.text and "send us a DM" not in d.text  # no English leaks in


@pytest.mark.parametrize("lang", OTHER)
@pytest.mark.parametrize("intent", ["delivery", "question", "praise"])
def test_a_draft_without_a_name_leaves_no_gap(lang: str, intent: str) -> None:
    d = draft_reply(intent, "acme", "", "CL-7", "x", language=lang)
    assert d.language == lang and " ," not in d.text and " ،" not in d.text and ", !" not in d.text
    assert "there" not in d.text and d.tone.findings == ()


def test_family_name_first_languages_greet_by_the_whole_name() -> None:
    hu = draft_reply("praise", "acme", "Kovács Bence", "CL-2", "x", language="hu")
    assert hu.text.startswith("Szia Kovács Bence,")
    assert draft_reply("praise", "acme", "Ola Wiśniewska", "CL-2", "x", language="pl").text.startswith("Cześć Ola,")
    assert draft_reply("billing", "acme", "田中はるか", "CL-2", "x", language="ja").text.startswith("田中はるか様、")


def test_a_latin_sign_off_keeps_its_order_in_a_right_to_left_reply() -> None:
    """" ^SK" after Arabic would show as "SK^": its neutral "^" goes to the Arabic side unless a
    left-to-right mark ties it to the letters after it."""
    voice = BrandVoice(sign_off=" ^SK")
    ar = draft_reply("praise", "acme", "Ahmed", "CL-3", "x", language="ar", voice=voice)
    assert ar.text.endswith(". \u200e^SK") and ar.text.count("\u200e") == 1
    assert draft_reply("praise", "acme", "Anna", "CL-3", "x", language="de", voice=voice).text.endswith("weiter. ^SK")
    assert "\u200e" not in draft_reply("billing", "acme", "Anna", "CL-3", "x", voice=voice).text
    arabic_sign_off = BrandVoice(sign_off=" - فريق أكمي")
    assert "\u200e" not in draft_reply("praise", "acme", "Ahmed", "CL-3", "x", language="ar",
                                      voice=arabic_sign_off).text


def test_a_language_without_template_says_so_and_falls_back_to_english() -> None:
    d = draft_reply("delivery", "acme", "Anna", "CL-1", "x", language="sv")
    assert d.language == "en" and d.note == "no Swedish template: the suggestion is in English"
    assert draft_reply("praise", "acme", "Anna", "CL-1", "x", language="cs").note.startswith("no Czech template")
    assert draft_reply("praise", "acme", "Anna", "CL-1", "x", language="xx").note.startswith("no xx template")
    assert d.text.startswith("Hi Anna,")
    assert draft_reply("delivery", "acme", "Anna", "CL-1", "x", language="und").note is None


def test_the_praise_template_is_never_suggested_for_a_complaint() -> None:
    scores = {"praise": 0.44, "other": 0.19, "product_quality": 0.15, "made_up": 0.9}
    assert reply_intent("praise", scores, 0.97) == ("other", "Not the praise template: the post reads as a complaint.")
    assert reply_intent("praise", {}, 0.97)[0] == "other"  # no scores recorded: the generic template
    assert reply_intent("praise", scores, 0.2) == ("praise", None)
    assert reply_intent("praise", scores, None) == ("praise", None)  # nothing known of the complaint
    assert reply_intent("delivery", scores, 0.97) == ("delivery", None)
    assert reply_intent(None, None, 0.97) == ("other", None)


def test_a_post_read_as_negative_is_never_thanked_for_its_kind_words() -> None:
    """Spanish sarcasm the complaint score half-missed (0.40, read negative) was answered "¡muchas gracias por tus
    palabras!"; sincere praise keeps its template."""
    from careline.settings import Settings
    from responder.replies import Voices, suggestion

    scores = {"praise": 0.5, "delivery": 0.3, "other": 0.2}
    assert reply_intent("praise", scores, 0.40, "negative") == (
        "delivery", "Not the praise template: the post reads as negative.")
    assert reply_intent("praise", scores, 0.40, "positive") == ("praise", None)
    assert reply_intent("praise", scores, 0.9, "negative")[1].endswith("reads as a complaint.")  # type: ignore[union-attr]
    conv = {"id": 7, "brand": "acme", "platform": "x", "handle": "ana"}
    sarcastic = {"key": "m1", "text": "Genial, otro retraso de 5 horas. Gracias, siempre tan puntuales 👏",
                 "language": "es", "intent": "praise", "intent_scores": scores, "complaint": 0.40,
                 "sentiment": "negative"}
    draft = suggestion(conv, [sarcastic], "Ana", Voices.from_settings(Settings()))
    assert draft.intent == "delivery" and "gracias por tus palabras" not in draft.text.lower()
    assert draft.note and draft.note.startswith("Not the praise template: the post reads as negative.")
    sincere = suggestion(conv, [{**sarcastic, "sentiment": "positive"}], "Ana", Voices.from_settings(Settings()))
    assert sincere.intent == "praise"


def test_brand_templates_per_language(tmp_path: Path) -> None:
    (tmp_path / "skylark" / "sv").mkdir(parents=True)
    (tmp_path / "skylark" / "sv" / "delivery.j2").write_text("Hej {{ name }}! Ref: {{ case_ref }}", encoding="utf-8")
    (tmp_path / "skylark" / "praise.j2").write_text("Thanks {{ name }}!", encoding="utf-8")
    templates = load_brand_templates(tmp_path)
    assert templates == {"skylark": {"sv/delivery": "Hej {{ name }}! Ref: {{ case_ref }}",
                                     "praise": "Thanks {{ name }}!"}}
    d = draft_reply("delivery", "skylark", "Anna", "CL-9", "x", voice=BrandVoice(templates=templates["skylark"]),
                    language="sv")
    assert d.text == "Hej Anna! Ref: CL-9" and d.language == "sv" and d.source == "brand"
    assert not d.tone.checked and "by hand" in d.tone.as_dict()["note"]


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "Wie bereits gesagt, das ist nicht unsere Schuld."),
    ("fr", "Comme déjà indiqué, vous auriez dû vérifier."),
    ("es", "Como ya te dijimos, no podemos hacer nada."),
    ("pt", "Como já explicamos, a culpa é sua."),
    ("it", "Come già detto, avresti dovuto controllare."),
    ("nl", "Zoals al gezegd, je had moeten opletten."),
    ("pl", "Jak już pisaliśmy, to nie jest nasza wina."),
    ("ru", "Как мы уже писали, это не наша вина."),
    ("tr", "Daha önce de belirttiğimiz gibi, bizim hatamız değil."),
    ("hu", "Ahogy már említettük, nem a mi hibánk."),
    ("zh", "正如我们之前所说，这不是我们的错。"),
    ("ja", "先ほども申し上げた通り、弊社の責任ではございません。"),
    ("ko", "이미 말씀드린 것처럼 저희 잘못이 아닙니다."),
    ("ar", "كما ذكرنا سابقًا، ليس خطأنا."),
    ("th", "ตามที่เราได้แจ้งไปแล้ว นี่ไม่ใช่ความผิดของเรา"),
])
def test_tone_guard_checks_each_language_it_claims(lang: str, text: str) -> None:
    report = check_tone(text, lang)  # pl ... th: their rules run, but the guard does not claim to check them
    assert report.defensive and report.checked == (lang in TONE_LANGUAGES)


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "Wie wir Ihnen bereits mitgeteilt haben, ist die Erstattung unterwegs."),
    ("de", "Das hätten Sie in unseren AGB nachlesen können."),
    ("de", "Leider können wir da nichts tun."),
    ("fr", "Comme nous vous l'avons déjà expliqué, le remboursement est en cours."),
    ("fr", "Ce n’est pas notre faute si le colis est en retard."),
    ("fr", "Conformément à notre politique, aucun remboursement n'est possible."),
    ("es", "No es nuestra culpa que el paquete llegue tarde."),
    ("es", "Usted debió leer las condiciones antes de comprar."),
    ("es", "Según nuestras políticas no podemos devolver el dinero."),
    ("pt", "Não é nossa culpa que a encomenda atrasou."),
    ("pt", "Conforme nossa política, não fazemos reembolsos."),
    ("pt", "Fique calmo, por favor."),
    ("it", "Non siamo responsabili del ritardo del corriere."),
    ("it", "Come le abbiamo già spiegato, il rimborso è in corso."),
    ("it", "Secondo la nostra politica non è previsto alcun rimborso."),
    ("nl", "Volgens ons beleid kunnen we niets terugbetalen."),
    ("nl", "Dat had u in de voorwaarden moeten lezen."),
    ("nl", "Zoals we al eerder hebben aangegeven, is de terugbetaling onderweg."),
])
def test_the_guard_reads_inflected_forms_and_word_orders(lang: str, text: str) -> None:
    """Audit 9 found none of these caught: the rules only knew one fixed phrasing per language."""
    assert check_tone(text, lang).defensive


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "Sie hätten Anspruch auf eine volle Erstattung, und die ist schon unterwegs."),
    ("fr", "Vous auriez dû recevoir un e-mail de confirmation ; écrivez-nous en DM sinon."),
    ("es", "Deberías haber recibido un correo de confirmación."),
    ("pt", "Você deveria ter recebido um e-mail de confirmação."),
    ("it", "Avresti dovuto ricevere un'e-mail di conferma."),
    ("nl", "Je had een bevestigingsmail moeten ontvangen."),
    ("fr", "Relax, tout est réglé."),
])
def test_news_that_the_customer_should_have_something_is_not_blame(lang: str, text: str) -> None:
    assert not check_tone(text, lang).defensive


def test_uncovered_language_gets_a_floor_with_a_reason() -> None:
    low = PrioritySignals(complaint=0.1, detractor=0.1)
    assert score_priority(low).score < UNCOVERED_FLOOR
    floored = score_priority(PrioritySignals(complaint=0.1, detractor=0.1, language="hu", language_covered=False))
    assert floored.score == UNCOVERED_FLOOR and floored.bucket == "normal"
    assert any("language not covered (Hungarian, hu): priority floor" in r for r in floored.reasons)
    high = PrioritySignals(complaint=1, detractor=1, urgency=1, language="hu", language_covered=False)
    assert score_priority(high).score > UNCOVERED_FLOOR  # a floor, not a cap


def test_severity_adds_points_to_a_complaint_with_a_reason() -> None:
    base = PrioritySignals(complaint=0.9, detractor=0.6)
    plain = score_priority(base)
    blame = score_priority(PrioritySignals(complaint=0.9, detractor=0.6, severity=4))
    mild = score_priority(PrioritySignals(complaint=0.9, detractor=0.6, severity=1))
    assert blame.score > plain.score == mild.score
    assert "severity 4/4: blame" in blame.reasons
    assert score_priority(PrioritySignals(complaint=0.0, severity=4)).score == 0  # no complaint, no points


@pytest.mark.parametrize(("text", "category"), [
    ("อย่างที่เคยบอกไปแล้ว ระบบไม่มีปัญหา", "defensive"),
    ("เป็นความผิดของคุณที่ไม่ได้อ่านเงื่อนไข", "blaming"),
    ("คุณควรจะตรวจสอบก่อนสั่งซื้อ", "blaming"),
    ("ใจเย็น ๆ นะคะ เราทำอะไรไม่ได้", "dismissive"),
    ("ตามนโยบายของบริษัท เราคืนเงินไม่ได้", "policy_hiding"),
])
def test_thai_rules_find_each_kind_without_word_spaces(text: str, category: str) -> None:
    """Thai runs words together, so the rules match inside a clause; an apology passes clean."""
    assert category in {f.category for f in check_tone(text, "th").findings}
    assert check_tone("ขออภัยในความไม่สะดวกค่ะ เราจะตรวจสอบให้ทันที", "th").findings == ()


def test_two_notes_on_one_draft_read_as_two_sentences() -> None:
    """A Czech complaint read as praise: "... reads as a complaint. no Czech template: ..." read as a typo."""
    from responder.replies import Voices, draft_for

    conv = {"id": 7, "brand": "acme", "platform": "x", "handle": "jana"}
    d = draft_for(conv, "praise", "Jana", Voices({}), language="cs", intent_scores={"praise": 0.6, "other": 0.3},
                  complaint=0.9)
    assert d.note == ("Not the praise template: the post reads as a complaint. No Czech template: the suggestion is "
                      "in English.")


def test_a_floored_post_says_its_language_is_not_covered_once() -> None:
    """The queue row and the page showed two "language not covered" lines: the priority's floor and the model's."""
    import json
    from datetime import UTC, datetime

    from responder.policy import priority_for

    model_line = ("language not covered: Swedish (sv); no model here was trained on it, so its scores are rough "
                  "and the priority has a floor")
    m = {"complaint": 0.1, "detractor": 0.1, "language": "sv", "language_covered": 0, "text": "Hej",
         "reasons": json.dumps(["sentiment neutral (0.60)", model_line])}
    score, reasons = priority_for(m, datetime(2026, 12, 7, tzinfo=UTC))
    assert score == UNCOVERED_FLOOR and [r for r in reasons if r.startswith("language not covered")] == [
        "language not covered (Swedish, sv): priority floor 40 so a person reads it"], reasons
    _, covered = priority_for({**m, "complaint": 0.99, "detractor": 0.99, "urgency": 1.0},
                              datetime(2026, 12, 7, tzinfo=UTC))
    assert model_line in covered  # above the floor, the model's line is the one that says it


def test_a_brand_template_in_a_language_with_no_built_in_wording_says_which_words_stay_english() -> None:
    """A brand's Swedish template rendered "vi svarar within 2 hours": {{ promise }} is the brand voice's English."""
    voice = BrandVoice(promise="within 2 hours", templates={"sv/delivery": "Hej {{ name }}! Vi svarar {{promise}}."})
    d = draft_reply("delivery", "acme", "Anna", "CL-1", "x", language="sv", voice=voice)
    assert d.language == "sv" and "within 2 hours" in d.text
    assert d.note == ("{{ promise }} is filled in with English words: Careline has no Swedish wording for it, so "
                      "write it into the template")
    written = BrandVoice(promise="within 2 hours",
                         templates={"sv/delivery": "Hej {{ name }}! Vi svarar inom 2 timmar."})
    assert draft_reply("delivery", "acme", "Anna", "CL-1", "x", language="sv", voice=written).note is None
    german = BrandVoice(promise="within 2 hours", templates={"de/delivery": "Hallo {{ name }}, {{ promise }}."})
    assert draft_reply("delivery", "acme", "Anna", "CL-1", "x", language="de", voice=german).note is None  # built in


def test_a_complaint_whose_path_reads_no_severity_counts_an_average_complaints() -> None:
    """Hungarian's keyword path reads no severity, so its complaints got no severity points and ranked 10-20 points
    below the same complaint in Dutch or English (54.5 against 72.7 in an audit); they now count an average
    complaint's share, with a reason, and a post stored before severity was read (no language) still none."""
    from responder.priority import AVERAGE_SEVERITY_SHARE, SEVERITY_POINTS

    hungarian = score_priority(PrioritySignals(complaint=0.98, detractor=0.83, severity=None, language="hu",
                                               language_covered=False))
    assert hungarian.contributions["severity"] == round(SEVERITY_POINTS * AVERAGE_SEVERITY_SHARE * 0.98, 2)
    assert "severity not read in Hungarian: counted as an average complaint's" in hungarian.reasons
    praise = score_priority(PrioritySignals(complaint=0.1, severity=None, language="hu", language_covered=False))
    assert "severity" not in praise.contributions
    old = score_priority(PrioritySignals(complaint=0.98, severity=None))
    assert "severity" not in old.contributions
    read = score_priority(PrioritySignals(complaint=0.98, severity=4, language="de"))
    assert read.contributions["severity"] > hungarian.contributions["severity"] > 0


def test_a_wordless_follow_up_keeps_the_reply_in_the_thread_s_language() -> None:
    """The multilingual audit: an Arabic complaint followed by "؟؟" (tagged und) got an English suggestion, still
    answering the Arabic message."""
    from careline.settings import Settings
    from responder.replies import Voices, suggestion

    conv = {"id": 22, "brand": "brightwave", "platform": "x", "handle": "u_ar1"}
    complaint = {"key": "m1", "text": "الإنترنت مقطوع منذ يومين ولا أحد يرد", "language": "ar", "intent": "outage_bug",
                 "intent_scores": {"outage_bug": 0.9}, "complaint": 0.95, "sentiment": "negative"}
    follow_up = {"key": "m2", "text": "؟؟", "language": "und", "intent": "other", "intent_scores": {"other": 1.0},
                 "complaint": 0.1, "sentiment": "neutral"}
    draft = suggestion(conv, [complaint, follow_up], "Ahmed", Voices.from_settings(Settings()))
    alone = suggestion(conv, [complaint], "Ahmed", Voices.from_settings(Settings()))
    assert draft.language == alone.language == "ar" and draft.text == alone.text


def test_a_queue_row_keeps_the_rules_that_raised_a_foreign_post_not_which_model_read_it() -> None:
    """The multilingual audit: a German "200 of us stranded overnight, nobody answers" row showed only "urgent (84%)"
    and the multilingual path's two provenance lines; the rules that raised it were cut (three reasons are kept)."""
    import json
    from datetime import UTC, datetime

    from responder.policy import priority_for

    reasons = ["language: German (de); multilingual model",
               "complaint, praise, intent and sentiment from heads trained on written posts in this language (the "
               "detractor score weighs the complaint too); other scores from English labels",
               "stranded or cut off: 'sitzen über nacht am flughafen fest'", "many people affected: '200 von uns'",
               "legal words: 'anwalt'"]
    m = {"detractor": 0.8, "complaint": 0.8, "urgency": 0.84, "effort": 0.4, "followers": 100, "severity": 3,
         "language": "de", "language_covered": True, "reasons": json.dumps(reasons)}
    _, shown = priority_for(m, datetime.now(UTC))
    assert reasons[2] in shown and reasons[3] in shown and reasons[4] in shown
    assert not any(r.startswith("language: German") for r in shown)
