"""The language-aware classifier: each post is routed by its language, flagged when no path reads it,
and scored well enough on our hand-written dev set (data/dev, 14 posts per language) to catch a
broken or mis-wired path. The dev set is a regression floor, not the evaluation: the model card's
figures come from cross-validation, and the issue's held-back set is not ours."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from classifiers.abc import INTENTS, SENTIMENTS
from classifiers.data import REPO_ROOT, multilingual_written
from classifiers.metrics import binary_metrics
from classifiers.minilm import DEFAULT_MODEL_DIR, MiniLMClassifier
from classifiers.multilingual import DEFAULT_DIR, INPUT_FORM, KEYWORD_SENTIMENT, unshout

os.environ["HF_HUB_OFFLINE"] = "1"
DEV = REPO_ROOT / "data" / "dev" / "multilingual.csv"


@pytest.fixture(scope="module")
def clf() -> MiniLMClassifier:
    c = MiniLMClassifier(DEFAULT_MODEL_DIR, threads=2)
    c.load()
    return c


def test_multilingual_model_is_small_and_versioned(clf: MiniLMClassifier) -> None:
    size = sum(f.stat().st_size for f in DEFAULT_DIR.rglob("*") if f.is_file())
    assert size < 4 * 1024 * 1024  # 2.8 MB: most of it the n-gram features of two written groups' heads
    assert clf.multilingual is not None and clf.multilingual.version in clf.version
    assert set(clf.multilingual.heads) >= {"sentiment", "complaint", "detractor", "intent", "severity", "irony"}


def test_only_posts_written_in_capitals_are_lower_cased() -> None:
    assert unshout("TAG 4 OHNE INTERNET, KEINER HILFT!!! @TELMAXX") == "tag 4 ohne internet, keiner hilft!!! @telmaxx"
    assert unshout("ÉNORME RETARD, AUCUNE INFO 😡") == "énorme retard, aucune info 😡"
    for kept in ("DHL hat mein Paket verloren", "OK", "SOS, DHL?", "Paket weg. WO IST ES?", "宽带断网第三天", ""):
        assert unshout(kept) == kept


def test_a_post_in_capitals_reads_as_the_same_post_in_lower_case(clf: MiniLMClassifier) -> None:
    """USE reads case and its heads never saw a shouted post; the version says the input form."""
    text = "Tag 4 ohne Festnetz und Internet. Techniker-Termin frühestens nächsten Donnerstag, echt jetzt?"
    shouted, lower = clf.predict([text.upper(), text.lower()])
    assert shouted.path == lower.path == "multilingual" and shouted.language == lower.language == "de"
    assert shouted.complaint == pytest.approx(lower.complaint, abs=1e-6)
    assert shouted.sentiment == pytest.approx(lower.sentiment, abs=1e-6)
    assert clf.version.endswith(f"-{INPUT_FORM}-topics-borrowed2")  # the cue lists' revision and the routing follow


def test_bare_drops_handles_links_and_codes_only() -> None:
    from classifiers.multilingual import bare

    post = "Hallo @NordBank_Service, meine Karte https://t.co/x8Kq2 ist weg"
    assert bare(post) == "Hallo , meine Karte ist weg"
    assert bare("@SkylarkAir @help رحلتي SK220 تأخرت http://bit.ly/3xY") == "رحلتي تأخرت"
    assert bare("Bestellung AB-12345 fehlt, Paket 1Z999AA1") == "Bestellung fehlt, Paket"
    kept = "schreib an info@firma.de, Ticket #4711, 3x bezahlt, 4G weg, am 2024-05-01 um 10:30, 19,95€"
    assert bare(kept) == kept
    assert bare("@brand") == ""


def test_intent_and_sentiment_abroad_ignore_handles_links_and_codes(clf: MiniLMClassifier) -> None:
    """The foreign intent and sentiment heads read a post without its @handles, links and codes, fitted that
    way too: the same words addressed to a brand, with a flight number, or ending in a link, read the same
    topic and feeling. The complaint score still reads the handle (its heads learnt it as evidence). Posts
    written for this test."""
    ml = clf.multilingual
    assert ml is not None and ml.reads_bare("intent") and ml.reads_bare("sentiment")
    words = "Ich warte seit drei Wochen auf die Erstattung für den stornierten Flug."
    dressed = f"@SkylarkAir @Skylark_hilfe {words} SK220 https://t.co/Ab12Cd34"
    plain, addressed = clf.predict([words, dressed])
    assert addressed.language == plain.language == "de" and addressed.path == "multilingual"
    assert addressed.intent == pytest.approx(plain.intent, abs=1e-6)
    assert addressed.sentiment == pytest.approx(plain.sentiment, abs=1e-6)
    assert addressed.intent_label == "refund_return"


def test_posts_take_the_path_of_their_language(clf: MiniLMClassifier) -> None:
    texts = ["@Skylark Zweimal abgebucht und niemand antwortet. Ich gehe zur Verbraucherzentrale.",
             "@Skylark flight cancelled and nobody answers the phone",
             "@ShopCo A csomagom még mindig nem érkezett meg, felháborító",
             "@Brightwave 这个月被重复扣费两次，请马上退款",
             "👍", "@Skylark Danke für den tollen Flug, die Crew war super!", "@Brightwave 新的应用很好用，谢谢"]
    de, en, hu, zh, emoji, de_praise, zh_praise = clf.predict(texts)
    assert (de.language, de.path, de.language_covered) == ("de", "multilingual", True)
    assert (en.language, en.path, en.language_covered) == ("en", "english", True)
    assert (hu.language, hu.path, hu.language_covered) == ("hu", "keywords", False)
    assert (zh.language, zh.path) == ("zh", "multilingual")
    assert emoji.language == "und" and emoji.path == "english"
    assert de.complaint > de_praise.complaint + 0.2 and zh.complaint > zh_praise.complaint + 0.2
    assert en.complaint > 0.5 and hu.complaint > 0.5
    for p in (de, en, hu, zh):
        assert set(p.sentiment) == set(SENTIMENTS) and set(p.intent) == set(INTENTS)
        assert sum(p.sentiment.values()) == pytest.approx(1, abs=1e-5)
    assert any("language not covered: Hungarian" in r for r in hu.reasons)
    assert any("language: German" in r for r in de.reasons)
    assert not any(r.startswith("language") for r in en.reasons)


def test_a_post_in_a_language_no_path_reads_is_flagged_and_not_scored_as_english(clf: MiniLMClassifier) -> None:
    """A Welsh complaint went down the English path as "en", covered, complaint 0.02; now it is named, flagged as not
    covered (the priority's floor follows) and read by the heads that borrow from the written languages."""
    (welsh,) = clf.predict(["@BrightwaveHelp Mae'r rhyngrwyd wedi bod i lawr ers tri diwrnod a does neb yn ateb y "
                            "ffôn. Gwarthus."])
    assert (welsh.language, welsh.path, welsh.language_covered) == ("cy", "multilingual", False)
    assert any(r.startswith("language not covered: Welsh (cy)") for r in welsh.reasons)


def test_the_refused_borrowed_detractor_blend_is_one_switch_away(clf: MiniLMClassifier,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``benchmarks/borrowed_detractor.py`` reproduces a refused experiment by adding "detractor" to
    ``BORROWED_SCORES``: an uncovered post then takes the "all" group's detractor blend, and says so."""
    from classifiers import multilingual
    from classifiers.cues import complaint_evidence

    ml = clf.multilingual
    assert ml is not None and "detractor" not in multilingual.BORROWED_SCORES
    text = "Dyrt och kundtjänsten svarar aldrig, byter operatör nästa månad"
    (shipped,) = multilingual.predict_multilingual(ml, [text], ["sv"])
    monkeypatch.setattr(multilingual, "BORROWED_SCORES", (*multilingual.BORROWED_SCORES, "detractor"))
    (tried,) = multilingual.predict_multilingual(ml, [text], ["sv"])
    x = ml.encoder.embed([text])
    expected = ml.foreign_detractor(x, np.asarray([shipped.detractor]), np.asarray([shipped.complaint]),
                                    group=multilingual.BORROWED_GROUP)
    assert tried.detractor == pytest.approx(float(expected[0]), rel=1e-5) and tried.complaint == shipped.complaint
    assert complaint_evidence(text, "sv") == ()  # no cue list for Swedish: the blend is the only change
    assert any("the detractor score weighs the English-trained head with the complaint" in r for r in tried.reasons)


def test_hungarian_detractor_map_was_refused_and_the_score_follows_the_complaint(clf: MiniLMClassifier) -> None:
    """``train_extra --keyword-detractor`` fitted a map of the complaint and praise logits for Hungarian's
    detractor likelihood; its rule refused it (the interval of its AUROC gain on fresh comments reached below 0), so
    the report says so and the score stays a function of the complaint score."""
    from classifiers.multilingual import KEYWORD_DETRACTOR

    ml = clf.multilingual
    assert ml is not None and not ml.maps(KEYWORD_DETRACTOR)
    refused = ml.manifest[KEYWORD_DETRACTOR.key + "_refused"]
    assert not refused["shipped"] and refused["validation"]["difference_ci95"][0] <= 0
    text = "Drága és a hálózat folyton elmegy, nem ajánlom senkinek."
    (hu,) = clf.predict([text])
    assert hu.language == "hu" and hu.detractor == pytest.approx(0.15 + 0.7 * hu.complaint, abs=1e-3)
    assert not any("detractor from those heads" in r for r in hu.reasons)
    # the wiring its fit judged through predict: with a map (here one that reads the praise logit only), it decides
    from classifiers.heads import Head

    ml.heads[KEYWORD_DETRACTOR.head] = Head(KEYWORD_DETRACTOR.head, ["1"], np.asarray([[0.0, -1.0]], np.float32),
                                            np.zeros(1, np.float32))
    ml.manifest[KEYWORD_DETRACTOR.key] = {"languages": ["hu"]}
    try:
        (mapped,) = clf.predict([text])
    finally:
        del ml.heads[KEYWORD_DETRACTOR.head], ml.manifest[KEYWORD_DETRACTOR.key]
    from classifiers.cues import complaint_evidence
    from classifiers.multilingual import FIRST_GROUP

    praise = ml.foreign_praise(ml.encoder.embed([text]), [text], [complaint_evidence(text, "hu")], group=FIRST_GROUP)
    assert praise is not None  # sigmoid(-logit(praise)) = 1 - praise
    assert mapped.detractor == pytest.approx(1 - float(praise[0]), abs=1e-3)
    assert mapped.complaint == pytest.approx(hu.complaint) and any("detractor from those heads" in r
                                                                   for r in mapped.reasons)


def test_hungarian_sentiment_reads_praise_as_positive(clf: MiniLMClassifier) -> None:
    """USE does not read Hungarian; its cue lexicon read most positive posts as neutral. The written complaint and
    praise heads, whose n-grams read Hungarian, give the sentiment with the cues since 2026-12-06 (sentences
    written for this test)."""
    praise, complaint, question = clf.predict([
        "Köszönöm a gyors segítséget, a csomag már meg is jött, szuper csapat vagytok!",
        "Harmadik hete várok a visszatérítésre, senki nem válaszol az ügyfélszolgálaton",
        "Mikor nyit az új üzlet a Váci utcában?"])
    assert [p.sentiment_label for p in (praise, complaint, question)] == ["positive", "negative", "neutral"]
    assert all(p.path == "keywords" and p.language == "hu" for p in (praise, complaint, question))
    assert any("sentiment from those heads and keywords" in r for r in praise.reasons)
    assert clf.multilingual is not None and clf.multilingual.mapped_languages(KEYWORD_SENTIMENT) == {"hu"}
    # praise in words the cue lexicon lacks: it read both neutral
    plain = ["A futár pontosan jött, a pizza forró volt, legközelebb is innen rendelek",
             "A pénteki járat pontosan indult és a személyzet nagyon figyelmes volt"]
    assert [p.sentiment_label for p in clf.predict(plain)] == ["positive", "positive"]


def test_without_the_multilingual_model_foreign_posts_are_flagged_not_covered(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    c = MiniLMClassifier(DEFAULT_MODEL_DIR, threads=2, multilingual_dir=None)
    c.load()
    (p,) = c.predict(["Mi vuelo fue cancelado y nadie responde"])
    assert p.language == "es" and p.path == "english" and not p.language_covered
    assert "|" not in c.version
    # a model copied without its multilingual sibling says so at load, rather than quietly
    missing = MiniLMClassifier(DEFAULT_MODEL_DIR, threads=2, multilingual_dir=tmp_path / "careline-multilingual")
    with caplog.at_level("WARNING", logger="classifiers.minilm"):
        missing.load()
    assert missing.multilingual is None and "no multilingual model at" in caplog.text


def test_dev_set_floor_per_language(clf: MiniLMClassifier) -> None:
    with DEV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    preds = clf.predict([r["text"] for r in rows])
    y = np.asarray([int(r["label"]) for r in rows])
    p = np.asarray([x.complaint for x in preds])
    langs = np.asarray([r["language"] for r in rows])
    non_en = langs != "en"
    assert binary_metrics(y[non_en], p[non_en])["macro_f1"] >= 0.8
    for lang in sorted(set(langs.tolist())):
        sel = langs == lang
        assert binary_metrics(y[sel], p[sel])["accuracy"] >= 0.7, lang


def test_foreign_head_scores_the_written_languages_and_no_english_post(clf: MiniLMClassifier) -> None:
    """The complaint score of a post in a written language is the foreign head's (USE, cue count and
    n-grams); an English post keeps the English-trained head's. Posts below were written for this test,
    not taken from the training files: a matter-of-fact complaint and a thank-you after a fix that names
    the same problem, in German and in Hungarian (which USE does not read)."""
    from classifiers.cues import complaint_evidence
    from classifiers.multilingual import FOREIGN_HEAD, WRITTEN_GROUPS, predict_multilingual

    ml = clf.multilingual
    assert ml is not None and FOREIGN_HEAD in ml.heads
    scored = frozenset().union(*(ml.group_languages(g) for g in WRITTEN_GROUPS))
    assert scored == {"de", "fr", "es", "pt", "it", "nl", "hu", "zh", "ar", "ja", "ko", "pl", "ru", "th", "tr"}
    report = ml.manifest["foreign_complaint"]  # the first group's: files 1-6
    assert report["leave_one_annotator_out"]["n"] == report["n_written"] == 1440
    texts = ["Seit 4 Tagen ohne Internet, und niemand ruft zurück",
             "Vielen Dank, die doppelte Abbuchung wurde sofort erstattet!",
             "Három napja nincs internet, és senki nem veszi fel a telefont.",
             "Köszönöm, a visszatérítés egy órán belül megérkezett!"]
    assert not set(texts) & set(multilingual_written()[0].texts)
    langs = ["de", "de", "hu", "hu"]
    de, de_thanks, hu, hu_thanks = predict_multilingual(ml, texts, langs)
    x = ml.encoder.embed(texts)
    found = [complaint_evidence(t, lang) for t, lang in zip(texts, langs, strict=True)]
    expected = ml.foreign_complaint(x, texts, found)
    np.testing.assert_allclose([de.complaint, de_thanks.complaint, hu.complaint, hu_thanks.complaint], expected,
                               rtol=1e-5)
    assert de.complaint >= 0.5 > de_thanks.complaint and hu.complaint >= 0.5 > hu_thanks.complaint
    assert "complaint words: 'seit 4', 'ohne internet', 'niemand'" in de.reasons
    assert (hu.path, hu.language_covered) == ("keywords", False)
    assert any("from heads trained on written posts in this language" in r for r in hu.reasons)
    (en,) = predict_multilingual(ml, [texts[0]], ["en"])
    assert en.complaint == pytest.approx(float(ml.proba(x[:1])["complaint"][0]))
    assert "scores from heads trained on English labels" in en.reasons


def test_each_written_group_scores_its_own_languages(clf: MiniLMClassifier) -> None:
    """German keeps the first group's heads (fitted on files 1-6, as shipped before the seven new
    languages); Polish and Japanese take the heads fitted on every written file, complaint, detractor
    blend and praise alike. Posts written for this test, not taken from the training files."""
    from classifiers.cues import complaint_evidence
    from classifiers.multilingual import FIRST_GROUP, WRITTEN_GROUPS, predict_multilingual

    ml = clf.multilingual
    assert ml is not None
    every = WRITTEN_GROUPS[1]
    assert ml.group_languages(FIRST_GROUP) == {"de", "fr", "es", "pt", "it", "nl", "hu", "zh"}
    assert ml.group_languages(every) == {"ar", "ja", "ko", "pl", "ru", "th", "tr"}
    assert ml.manifest[every.key("foreign_complaint")]["n_written"] == 2700
    texts = ["Seit 4 Tagen ohne Internet, und niemand ruft zurück",
             "Od czterech dni nie mam internetu, a infolinia nie odbiera.",
             "4日前からネットが使えません。サポートにも繋がらない。",
             "Dziękuję, podwójna płatność została zwrócona w godzinę!"]
    langs = ["de", "pl", "ja", "pl"]
    de, pl, ja, pl_thanks = predict_multilingual(ml, texts, langs)
    x = ml.encoder.embed(texts)
    found = [complaint_evidence(t, lang) for t, lang in zip(texts, langs, strict=True)]
    first = ml.foreign_complaint(x, texts, found, group=FIRST_GROUP)
    second = ml.foreign_complaint(x, texts, found, group=every)
    np.testing.assert_allclose([de.complaint], first[:1], rtol=1e-5)
    np.testing.assert_allclose([pl.complaint, ja.complaint, pl_thanks.complaint], second[1:], rtol=1e-5)
    assert pl.complaint >= 0.5 > pl_thanks.complaint and ja.complaint >= 0.5
    head = ml.proba(x)["detractor"]
    blended = ml.foreign_detractor(x[1:], head[1:], second[1:], group=every)
    np.testing.assert_allclose([pl.detractor, ja.detractor, pl_thanks.detractor], blended, rtol=1e-5)
    assert max(pl_thanks.intent, key=pl_thanks.intent.get) == "praise"
    assert any("complaint, praise, intent and sentiment from heads trained on written posts" in r for r in pl.reasons)


@pytest.mark.parametrize("name", ["multilingual_b.csv", "multilingual_d.csv", "multilingual_g.csv"])
def test_dev_sets_written_apart_from_the_paths(clf: MiniLMClassifier, name: str) -> None:
    """24 posts per language written without seeing the cue lists, the model or the other sets; none
    is fitted on (the cue lists were extended after reading b's misses). d's figure was 0.81 before the
    foreign complaint head and 0.92 with it, g's (ar ja ko pl ru th tr) 0.73 before the second written
    group and 0.93 with it (model card); the floor guards against a broken path."""
    with (DEV.parent / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    preds = clf.predict([r["text"] for r in rows])
    y = np.asarray([int(r["label"]) for r in rows])
    p = np.asarray([x.complaint for x in preds])
    assert binary_metrics(y, p)["macro_f1"] >= 0.8
    langs = np.asarray([r["language"] for r in rows])
    if "hu" in langs:
        assert {x.path for x, lang in zip(preds, langs, strict=True) if lang == "hu"} == {"keywords"}


def test_sarcasm_turns_sarcastic_praise_into_a_complaint_with_a_reason(clf: MiniLMClassifier) -> None:
    # The head's quality is measured on data/dev (model card); this checks the wiring: the correction,
    # its reason with the words that raised it, praise for a fix left alone, and the praise-word gate.
    sarcastic, literal, fixed, plain, promised = clf.predict([
        "great, another 3 hour delay, love it",  # the example: the heads alone read praise
        "Thank you @Brightwave, lovely staff in the Leeds store today. Best service ever.",
        "@Brightwave thanks for fixing my router so quickly yesterday!",
        "@Brightwave internet down again for the whole weekend",
        "@SkylarkAir still waiting on the refund for SK77 (cancelled 14 March). 11 weeks now. Was promised "
        "\"7 working days\" twice. If it's not in my account by Friday I'm filing a chargeback with my bank."])
    assert sarcastic.sarcasm is not None and sarcastic.sarcasm >= 0.7
    assert sarcastic.complaint >= sarcastic.sarcasm and sarcastic.sentiment_label == "negative"
    assert any(r.startswith("sarcasm (") and "words: '" in r and "sentiment positive -> negative" in r
               for r in sarcastic.reasons)
    for praise in (literal, fixed):
        assert praise.complaint < 0.5 and praise.sentiment_label == "positive"
        assert not any(r.startswith("sarcasm (") for r in praise.reasons)
    assert plain.sarcasm == 0.0  # no positive words: nothing to read the other way
    # a plain complaint with a positive word: the head reads it high, the correction changes nothing,
    # so no line calls it sarcasm
    assert promised.complaint >= 0.5 and promised.sentiment_label == "negative"
    assert not any(r.startswith("sarcasm (") for r in promised.reasons)
    # a post longer than any the sarcasm head learnt from is not read for sarcasm at all
    (long,) = clf.predict(["Awesome tv, must buy. I was very confused before buying a tv and did a lot of research. "
                           "Very happy with the experience till now, easy to set up and the picture is great. " * 3])
    assert long.sarcasm == 0.0


def test_evaluate_severity_and_per_language_metrics(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from classifiers.cli import evaluate

    rows = [("@Skylark can I bring my guitar on board?", "0"), ("Lovely day at the beach", "0"),
            ("@Skylark my bag did not arrive in Lisbon", "1"), ("@Brightwave the app is slow again today", "2"),
            ("@ShopCo you charged me twice and ignored every email", "3"),
            ("@BankOne worst bank ever, you stole my money, never again", "4")]
    path = tmp_path / "sev.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)
    res = CliRunner().invoke(evaluate, ["--task", "severity", "--data", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["task"] == "severity" and out["n"] == 6 and 0 <= out["macro_f1"] <= 1
    assert out["by_language"]["en"]["paths"] == ["english"]

    mixed = tmp_path / "mixed.csv"
    with DEV.open(encoding="utf-8", newline="") as fh:
        dev = [r for r in csv.DictReader(fh) if r["language"] in ("de", "hu")]
    with mixed.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows((r["text"], r["label"]) for r in dev)
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(mixed), "--json"])
    by = json.loads(res.stdout)["by_language"]
    assert by["de"]["paths"] == ["multilingual"] and by["hu"]["paths"] == ["keywords"]
    assert by["de"]["n"] == 14 and by["hu"]["n"] == 14


def test_foreign_detractor_blends_the_complaint_head_for_the_written_languages(clf: MiniLMClassifier) -> None:
    """Posts in the written languages get the detractor score of the blend fitted on our written survey
    comments (the English-trained detractor head's logit and the foreign complaint head's); a language the
    foreign head was not trained on keeps the detractor head alone. The blend was kept by its rule: better
    than the blend before it on those comments, nested leave one annotator out, and no worse on the posts."""
    from classifiers.heads import logit, sigmoid
    from classifiers.multilingual import FOREIGN_DETRACTOR_HEAD, FOREIGN_DETRACTOR_KEY, predict_multilingual

    ml = clf.multilingual
    assert ml is not None
    fit = ml.manifest["foreign_detractor"]
    assert fit["shipped"] and fit["b"] > 0 and fit["input"] == "detractor"
    report = ml.manifest[FOREIGN_DETRACTOR_KEY]
    assert report["shipped_input"] == "detractor" and FOREIGN_DETRACTOR_HEAD not in ml.heads  # its head was refused
    assert report["leave_one_annotator_out_nested"]["english_head_minus_before_ci95"][0] > 0
    texts = ["Wie ändere ich die Lieferadresse für meine nächste Bestellung?",
             "Seit 4 Tagen ohne Internet, und niemand ruft zurück",
             "Hur ändrar jag leveransadressen?"]
    question, complaint, swedish = predict_multilingual(ml, texts, ["de", "de", "sv"])
    x = ml.encoder.embed(texts)
    head = ml.proba(x)["detractor"]
    assert swedish.detractor == pytest.approx(float(head[2]))  # sv: no written posts, no foreign complaint head
    cf = np.asarray([question.complaint, complaint.complaint])
    expected = sigmoid(fit["a"] * logit(head[:2]) + fit["b"] * logit(cf) + fit["c"])
    np.testing.assert_allclose([question.detractor, complaint.detractor], expected, rtol=1e-5)
    assert complaint.detractor > question.detractor
    without = dict(ml.manifest)
    without.pop("foreign_detractor")
    refused = {**ml.manifest, "foreign_detractor": {**fit, "shipped": False}}  # a fit its rule refused
    ml_manifest = ml.manifest
    try:
        for manifest in (without, refused):
            ml.manifest = manifest
            np.testing.assert_allclose(ml.foreign_detractor(x[:2], head[:2], cf), head[:2])
    finally:
        ml.manifest = ml_manifest


def test_a_blend_of_the_written_survey_head_weighs_that_head(clf: MiniLMClassifier) -> None:
    """A blend whose input is the head trained on our written survey comments (what ``--foreign-detractor``
    ships when that head passes its rule) weighs that head's logit instead of the English-trained head's,
    and the reasons say the detractor score came from written posts. The head here is the English-trained
    one shifted, so the two differ."""
    from dataclasses import replace

    from classifiers.multilingual import FOREIGN_DETRACTOR_HEAD, blend_detractor, predict_multilingual

    ml = clf.multilingual
    assert ml is not None
    english = ml.heads["detractor"]
    written = replace(english, name=FOREIGN_DETRACTOR_HEAD, bias=english.bias + 1.5)
    texts = ["Wie ändere ich die Lieferadresse für meine nächste Bestellung?",
             "Seit 4 Tagen ohne Internet, und niemand ruft zurück"]
    weights = {"a": 0.8, "b": 0.3, "c": -0.1}
    manifest, kept = ml.manifest, dict(ml.heads)
    try:
        ml.heads = {**kept, FOREIGN_DETRACTOR_HEAD: written}
        ml.manifest = {**manifest, "foreign_detractor": {**weights, "input": FOREIGN_DETRACTOR_HEAD, "shipped": True}}
        question, complaint = predict_multilingual(ml, texts, ["de", "de"])
        x = ml.encoder.embed(texts)
        cf = np.asarray([question.complaint, complaint.complaint])
        expected = blend_detractor(weights, written.proba(x), cf)
        np.testing.assert_allclose([question.detractor, complaint.detractor], expected, rtol=1e-5)
        assert not np.allclose(expected, blend_detractor(weights, english.proba(x), cf))
        said = "detractor, intent and sentiment from heads trained on written posts"
        assert any(said in r for r in complaint.reasons)
    finally:
        ml.manifest, ml.heads = manifest, kept


def test_foreign_praise_sets_the_praise_intent_below_the_complaint_gate(clf: MiniLMClassifier) -> None:
    """In the written languages a thank-you gets the praise intent (and so the praise template, not the
    apology), from the head trained on our written posts; a complaint keeps its intent whatever that
    head says, and a language no written post is in borrows the written intent head's, with no praise share
    moved (no praise head read it). Posts written for this test, not taken from the training files."""
    from classifiers.abc import INTENTS
    from classifiers.cues import complaint_evidence
    from classifiers.multilingual import PRAISE_FOREIGN_HEAD, predict_multilingual, with_praise

    ml = clf.multilingual
    assert ml is not None and PRAISE_FOREIGN_HEAD in ml.heads
    fit = ml.manifest["foreign_praise"]
    assert fit["shipped"] and fit["leave_one_annotator_out"]["macro_f1"] > fit["baseline_intent_head_macro_f1"]
    texts = ["Vielen Dank an das Team in Köln, super freundlich und schnell geholfen!",
             "Merci beaucoup, le remboursement est arrivé ce matin. Service au top !",
             "Seit 4 Tagen ohne Internet, und niemand ruft zurück",
             "Tack så mycket, allt kom i tid!"]
    langs = ["de", "fr", "de", "sv"]
    de, fr, complaint, sv = predict_multilingual(ml, texts, langs)
    for pred in (de, fr):
        assert max(pred.intent, key=pred.intent.get) == "praise" and pred.complaint < 0.5
        assert sum(pred.intent.values()) == pytest.approx(1.0)
        learned = "complaint, praise, intent and sentiment from heads trained on written posts"
        assert any(learned in r for r in pred.reasons)
    x = ml.encoder.embed(texts)
    base = ml.foreign_intent(x)  # Swedish borrows it (no handle, link or code: bare is as written)
    assert complaint.complaint >= 0.5
    assert [complaint.intent[k] for k in INTENTS] == pytest.approx(list(base[2]), rel=1e-5)
    assert [sv.intent[k] for k in INTENTS] == pytest.approx(list(base[3]), rel=1e-5)
    found = [complaint_evidence(t, lang) for t, lang in zip(texts[:2], langs[:2], strict=True)]
    share = ml.foreign_praise(x[:2], texts[:2], found)
    assert share is not None
    expected = with_praise(base[:2], share, np.asarray([de.complaint, fr.complaint]))
    np.testing.assert_allclose([[p.intent[k] for k in INTENTS] for p in (de, fr)], expected, rtol=1e-5)


def test_with_praise_keeps_the_other_intents_in_proportion_and_leaves_complaints_alone() -> None:
    from classifiers.abc import INTENTS
    from classifiers.multilingual import with_praise

    j = INTENTS.index("praise")
    row = np.full(len(INTENTS), 0.5 / (len(INTENTS) - 1))
    row[j] = 0.5
    out = with_praise(np.stack([row, row]), np.asarray([0.9, 0.9]), np.asarray([0.2, 0.8]))
    assert out[0, j] == pytest.approx(0.9) and out[0].sum() == pytest.approx(1.0)
    others = np.delete(out[0], j)
    assert np.allclose(others, others[0])  # proportions kept
    np.testing.assert_allclose(out[1], row)  # a complaint keeps the intent head's reading


def test_written_intent_posts_cover_every_language_and_intent() -> None:
    """Each annotator's file: 2 posts a language and intent, in the fifteen languages the written groups
    serve; the dev set is written apart and shares no post with them."""
    from collections import Counter

    from classifiers.data import intent_written

    written, languages, files = intent_written()
    per_file = Counter(files)
    assert len(per_file) >= 4 and set(per_file.values()) == {300}
    cells = Counter(zip(files, languages, written.labels, strict=True))
    assert set(cells.values()) == {2} and len(cells) == 150 * len(per_file)
    assert set(languages) == {"de", "fr", "es", "pt", "it", "nl", "hu", "zh", "pl", "ru", "tr", "ja", "ko", "ar", "th"}
    with (REPO_ROOT / "data" / "dev" / "intent_multilingual.csv").open(encoding="utf-8", newline="") as fh:
        dev = {r["text"] for r in csv.DictReader(fh)}
    assert len(dev) == 300 and not dev & set(written.texts)


def test_foreign_intent_head_names_the_topic_of_posts_in_other_languages(clf: MiniLMClassifier) -> None:
    """Posts in the languages USE reads take their intent from the head fitted on our written intent posts
    (before the praise head moves the praise share), and so do posts in languages no written post is in
    (borrowed); Hungarian keeps its keyword path's intent. The shipped fit beat the English-trained head
    leave one annotator out and on the dev set. Posts written for this test, not taken from the training or
    dev files."""
    from classifiers.multilingual import FOREIGN_INTENT_HEAD, predict_multilingual

    ml = clf.multilingual
    assert ml is not None and FOREIGN_INTENT_HEAD in ml.heads
    fit = ml.manifest["foreign_intent"]
    loao, dev = fit["leave_one_annotator_out"], fit["dev"]
    assert fit["shipped"] and loao["difference_ci95"][0] > 0 and dev["macro_f1"] > dev["intent_head_macro_f1"]
    assert "hu" not in ml.intent_languages and {"de", "ar", "th", "zh"} <= ml.intent_languages
    texts = ["@Skylark_ar أبغى فلوسي ترجع، ألغيت الحجز من أسبوعين وما وصلني شي",
             "@zugfix Seit heute morgen stürzt die App bei jedem Start ab, nichts geht mehr",
             "Tack, men paketet har fortfarande inte kommit fram"]
    langs = ["ar", "de", "sv"]
    ar, de, sv = predict_multilingual(ml, texts, langs)
    x = ml.encoder.embed(texts)
    bare = ml.embed_bare(x, texts, [0, 1])  # the head reads the posts without their handles
    assert not np.allclose(bare[:2], x[:2]) and np.array_equal(bare[2], x[2])
    for pred, row in ((ar, 0), (de, 1)):
        assert pred.complaint >= 0.5  # a complaint: the praise head leaves its intent as the intent head gave it
        got = [pred.intent[k] for k in INTENTS]
        assert got == pytest.approx(list(ml.foreign_intent(bare[row:row + 1])[0]), rel=1e-5)
        assert any("intent and sentiment from heads trained on written posts" in r for r in pred.reasons)
    assert [sv.intent[k] for k in INTENTS] == pytest.approx(list(ml.foreign_intent(x[2:])[0]), rel=1e-5)
    assert [sv.intent[k] for k in INTENTS] != pytest.approx(list(ml.proba(x[2:])["intent"][0]), rel=1e-3)


def test_hungarian_posts_take_their_intent_from_topic_cues(clf: MiniLMClassifier) -> None:
    """USE does not read Hungarian, so the foreign intent head does not score it; its keyword path names
    the topic from cue words (``cues.topic``) and falls back to question or other."""
    from classifiers.multilingual import predict_multilingual

    ml = clf.multilingual
    assert ml is not None
    parcel, question = predict_multilingual(ml, ["A csomagom két hete nem érkezett meg, a futár nem veszi fel",
                                                 "Hány órakor nyit holnap az üzlet?"], ["hu", "hu"])
    assert parcel.path == "keywords" and max(parcel.intent, key=parcel.intent.get) == "delivery"
    assert max(question.intent, key=question.intent.get) == "question"


def test_evaluate_reads_the_labels_from_a_named_column() -> None:
    """The intent check set keeps its labels in 'intent' (beside 'complaint'); --label-column scores it
    as it is, per language, and a file without the column gets a clear error."""
    import json

    from click.testing import CliRunner

    from classifiers.cli import evaluate

    path = REPO_ROOT / "data" / "dev" / "intent_multilingual.csv"
    res = CliRunner().invoke(evaluate, ["--task", "intent", "--data", str(path), "--label-column", "intent", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n"] == 300 and out["macro_f1"] > 0.7  # 0.86 on 2026-12-05; the English-trained head gave 0.61
    assert out["by_language"]["ar"]["paths"] == ["multilingual"] and out["by_language"]["hu"]["paths"] == ["keywords"]
    res = CliRunner().invoke(evaluate, ["--task", "intent", "--data", str(path), "--label-column", "topic"])
    assert res.exit_code == 2 and "needs 'text' and 'topic' columns" in res.output


def test_written_sentiment_posts_cover_every_language_and_class() -> None:
    from collections import Counter

    from classifiers.data import written_labelled

    written, languages, files = written_labelled("sentiment", SENTIMENTS)
    per_file = Counter(files)
    assert len(per_file) >= 4 and set(per_file.values()) == {225}
    assert set(Counter(zip(files, languages, written.labels, strict=True)).values()) == {5}
    with (REPO_ROOT / "data" / "dev" / "sentiment_multilingual.csv").open(encoding="utf-8", newline="") as fh:
        dev = {r["text"] for r in csv.DictReader(fh)}
    assert len(dev) == 225 and not dev & set(written.texts)


def test_foreign_sentiment_head_reads_posts_in_other_languages(clf: MiniLMClassifier) -> None:
    """Posts in the languages USE reads take their sentiment from the head fitted on our written sentiment
    posts; Hungarian keeps its cue lexicon and a language no written post is in the English-trained head.
    The shipped fit beat the English-trained head leave one annotator out and on the check set."""
    from classifiers.multilingual import FOREIGN_SENTIMENT_HEAD, predict_multilingual

    ml = clf.multilingual
    assert ml is not None and FOREIGN_SENTIMENT_HEAD in ml.heads
    fit = ml.manifest["foreign_sentiment"]
    loao, dev = fit["leave_one_annotator_out"], fit["dev"]
    assert fit["shipped"] and loao["difference_ci95"][0] > 0
    assert dev["macro_recall"] > dev["sentiment_head_macro_recall"]
    languages = ml.foreign_languages("sentiment")
    assert "hu" not in languages and {"de", "ar", "ja", "th"} <= languages
    texts = ["Zweimal abgebucht, und seit einer Woche antwortet niemand auf meine Mails.",
             "Pakket vandaag netjes bezorgd, dank jullie wel!",
             "Tack, men paketet har fortfarande inte kommit fram"]
    de, nl, sv = predict_multilingual(ml, texts, ["de", "nl", "sv"])
    x = ml.encoder.embed(texts)
    for pred, row in ((de, 0), (nl, 1)):
        expected = ml.foreign(FOREIGN_SENTIMENT_HEAD, x[row:row + 1])[0]
        assert [pred.sentiment[k] for k in SENTIMENTS] == pytest.approx(list(expected), rel=1e-5)
    assert de.sentiment_label == "negative" and nl.sentiment_label == "positive"
    # Swedish, which no head was trained on, does not borrow the foreign sentiment head (its rule refused that)
    assert [sv.sentiment[k] for k in SENTIMENTS] != pytest.approx(list(ml.foreign(FOREIGN_SENTIMENT_HEAD, x[2:])[0]),
                                                                   rel=1e-3)


def test_survey_comments_abroad_carry_a_score_for_every_language() -> None:
    """The check set of the detractor score abroad: 12 comments a language, 5 of them by detractors."""
    from collections import Counter

    with (REPO_ROOT / "data" / "dev" / "nps_multilingual.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 180 and all(0 <= float(r["score"]) <= 10 for r in rows)
    detractors = Counter(r["language"] for r in rows if float(r["score"]) <= 6)
    assert len(detractors) == 15 and set(detractors.values()) == {5}


def test_posts_typed_as_people_type_them_keep_their_language_and_path(clf: MiniLMClassifier) -> None:
    """The register sets (``data/dev/register_<language>.csv``, 80 posts a language, written apart with
    slang, dropped accents, handles, links, order numbers and English words; never fitted on) read
    0.864 (eight languages) and 0.852 (seven) when first scored (``benchmarks/register.py``); the floor
    guards against a path or the language identifier breaking on such posts, which no other set of ours
    exercises."""
    rows: list[dict[str, str]] = []
    for path in sorted(DEV.parent.glob("register_*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    asked = np.asarray([r["language"] for r in rows])
    assert set(asked.tolist()) == {"de", "fr", "es", "pt", "it", "nl", "hu", "zh", "pl", "ru", "tr", "ja", "ko", "ar",
                                   "th"} and len(rows) == 1200
    preds = clf.predict([r["text"] for r in rows])
    y = np.asarray([int(r["label"]) for r in rows])
    p = np.asarray([x.complaint for x in preds])
    assert binary_metrics(y, p)["macro_f1"] >= 0.82
    assert np.mean([x.language == lang for x, lang in zip(preds, asked, strict=True)]) >= 0.95
    for lang in sorted(set(asked.tolist())):
        assert binary_metrics(y[asked == lang], p[asked == lang])["accuracy"] >= 0.7, lang
    hungarian = [x.path for x, lang in zip(preds, asked, strict=True) if lang == "hu"]
    assert hungarian.count("keywords") >= 75  # the rest were too short to name


def test_a_language_no_group_serves_borrows_the_heads_of_the_written_languages(clf: MiniLMClassifier) -> None:
    """A post in a language outside the fifteen (Swedish, Czech ...) takes its complaint score from the head fitted
    on our posts in all fifteen, its intent from the intent head fitted on written posts and its sentiment from the
    map of the borrowed complaint and praise scores (since 2026-12-06), which read such languages far better than
    the heads trained on English labels alone; it stays flagged not covered, its detractor score is the
    English-trained head's, and no covered or Hungarian post moves."""
    from classifiers.cues import complaint_evidence
    from classifiers.multilingual import (
        BORROWED_GROUP,
        BORROWED_SENTIMENT,
        FOREIGN_INTENT_HEAD,
        WRITTEN_GROUPS,
        bare,
        predict_multilingual,
    )

    ml = clf.multilingual
    assert ml is not None
    texts = ["@Snabbfrakt paketet har inte kommit på två veckor och ingen svarar, jag vill ha pengarna tillbaka",
             "Dobrý den, jaká je otevírací doba pobočky v sobotu?",
             "Seit 4 Tagen ohne Internet, und niemand ruft zurück",
             "Harmadik hete nem jön a csomag, és senki nem veszi fel a telefont"]
    langs = ["sv", "cs", "de", "hu"]
    got = predict_multilingual(ml, texts, langs)
    x = ml.encoder.embed(texts)
    found = [complaint_evidence(t, lang) for t, lang in zip(texts, langs, strict=True)]
    borrowed = ml.foreign_complaint(x[:2], texts[:2], found[:2], group=BORROWED_GROUP)
    np.testing.assert_allclose([g.complaint for g in got[:2]], borrowed, rtol=1e-5)
    intent = ml.foreign(FOREIGN_INTENT_HEAD, ml.encoder.embed([bare(t) for t in texts[:2]]))  # it reads posts bare
    english_trained = ml.proba(x[:2])
    praise = ml.foreign_praise(x[:2], texts[:2], found[:2], group=BORROWED_GROUP)
    assert praise is not None and ml.maps(BORROWED_SENTIMENT) and ml.base_weight(BORROWED_SENTIMENT) == 0.0
    mapped = ml.mapped(BORROWED_SENTIMENT, borrowed, praise)
    for k, pred in enumerate(got[:2]):
        assert not pred.language_covered and pred.path == "multilingual"
        assert any("complaint, intent and sentiment from heads trained on written posts in other languages, not this "
                   "one" in r for r in pred.reasons)
        assert any("no model here was trained on it" in r for r in pred.reasons)
        assert [pred.intent[i] for i in INTENTS] == pytest.approx(intent[k].tolist(), rel=1e-5)
        assert pred.detractor == pytest.approx(float(english_trained["detractor"][k]), rel=1e-5)
        assert [pred.sentiment[s] for s in SENTIMENTS] == pytest.approx(mapped[k].tolist(), rel=1e-5)
    assert got[0].sentiment_label == "negative"  # the English-trained head read this Swedish complaint neutral
    assert got[0].complaint > 0.5 > got[1].complaint and got[1].intent_label == "question"
    alone = predict_multilingual(ml, texts[2:], langs[2:])  # covered posts read the same beside them
    assert [g.complaint for g in got[2:]] == pytest.approx([g.complaint for g in alone])
    for g, a in zip(got[2:], alone, strict=True):  # float batches differ in the last digits
        assert [g.intent[i] for i in INTENTS] == pytest.approx([a.intent[i] for i in INTENTS], abs=1e-6)
    assert got[3].path == "keywords" and not any("other languages, not this one" in r for r in got[3].reasons)
    assert WRITTEN_GROUPS[-1] is BORROWED_GROUP
