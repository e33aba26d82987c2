"""Language codes and their English names, shared by every stage.

The classifier names a language in a post's reasons ("language not covered: Hungarian (hu)") and
the responder in a draft's note ("no Czech template"): one table, so the two never disagree.
"""

from __future__ import annotations

import re
import unicodedata

UNDETERMINED = "und"

#: English names of the codes the language identifier may answer (plus ``und``).
NAMES: dict[str, str] = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "hu": "Hungarian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
    "ru": "Russian", "pl": "Polish", "tr": "Turkish", "th": "Thai", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "sk": "Slovak", "ro": "Romanian", "el": "Greek",
    "uk": "Ukrainian", "he": "Hebrew", "hi": "Hindi", "id": "Indonesian", "ms": "Malay", "vi": "Vietnamese",
    "ca": "Catalan", "hr": "Croatian", "bg": "Bulgarian", "tl": "Tagalog", "fa": "Persian", "ur": "Urdu",
    "bn": "Bengali", "et": "Estonian", "lt": "Lithuanian", "sl": "Slovenian",
    # named only where the identifier is sure (classifiers.language.ALSO_NAMED): no path reads them
    "cy": "Welsh", "ga": "Irish", "gd": "Scottish Gaelic", "br": "Breton", "eu": "Basque", "mt": "Maltese",
    "is": "Icelandic", "fo": "Faroese", "se": "Northern Sami", "sq": "Albanian", "lv": "Latvian", "az": "Azerbaijani",
    "kk": "Kazakh", "ky": "Kyrgyz", "uz": "Uzbek", "tk": "Turkmen", "ka": "Georgian", "hy": "Armenian", "am": "Amharic",
    "om": "Oromo", "so": "Somali", "sw": "Swahili", "ha": "Hausa", "yo": "Yoruba", "ig": "Igbo", "zu": "Zulu",
    "xh": "Xhosa", "st": "Sotho", "sn": "Shona", "nso": "Northern Sotho", "rw": "Kinyarwanda", "lg": "Ganda",
    "ln": "Lingala", "kab": "Kabyle", "mg": "Malagasy", "ht": "Haitian Creole", "qu": "Quechua", "af": "Afrikaans",
    "ta": "Tamil", "te": "Telugu", "kn": "Kannada", "ml": "Malayalam", "gu": "Gujarati", "pa": "Punjabi",
    "si": "Sinhala", "km": "Khmer", "lo": "Lao", "my": "Burmese", "dz": "Dzongkha", "mn": "Mongolian", "ps": "Pashto",
    "ku": "Kurdish", "ug": "Uyghur", UNDETERMINED: "unknown",
}


#: (code, name) of every named language, by name: what a language input suggests, since people know
#: "Thai" and not always "th".
LANGUAGE_CHOICES: tuple[tuple[str, str], ...] = tuple(
    sorted(((code, name) for code, name in NAMES.items() if code != UNDETERMINED), key=lambda c: c[1]))


#: Scripts written without spaces between words (Han, Extension A, Hiragana, Katakana, Hangul syllables, whose words
#: carry their particles, Thai, Lao, Khmer, Burmese), as code point ranges: search reads words inside their runs.
UNSPACED_RANGES: tuple[tuple[str, str], ...] = (
    ("\u4e00", "\u9fff"), ("\u3400", "\u4dbf"), ("\u3040", "\u309f"), ("\u30a0", "\u30ff"), ("\uac00", "\ud7af"),
    ("\u0e00", "\u0e7f"), ("\u0e80", "\u0eff"), ("\u1780", "\u17ff"), ("\u1000", "\u109f"),
)
#: ``UNSPACED_RANGES`` as one character class (for a regular expression, and as written for SQLite's GLOB).
UNSPACED_CLASS = "[" + "".join(f"{lo}-{hi}" for lo, hi in UNSPACED_RANGES) + "]"


#: Written right to left: a post's body and a draft in these take ``dir="rtl"``, since the browser's
#: own guess (``dir="auto"``) reads the first strong letter, and a post starts with a Latin @handle.
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "ps", "ug"})


#: Each named language's code by its English name in lower case: what ``language_code`` looks a name up in.
_CODE_OF_NAME = {name.lower(): code for code, name in NAMES.items()} | {"undetermined": UNDETERMINED}


def looks_like_code(text: str) -> bool:
    """Whether ``text`` has the shape of a language code (two or three lower-case letters), known here or not: the
    identifier knows more languages than have names in ``NAMES``."""
    return re.fullmatch(r"[a-z]{2,3}", text) is not None


def language_code(typed: str) -> str:
    """The code a person means by ``typed``: a code as it is, a language tag's language ("pt-BR" -> "pt"), or a
    language's English name in any case ("Thai", "thai" -> "th"); anything else as typed (a filter then matches
    nothing, and says so)."""
    cleaned = typed.strip()
    tagged = re.fullmatch(r"([a-z]{2,3})[-_][a-z0-9]{2,8}", cleaned.lower())  # "pt-BR", "zh_Hant": the language
    if tagged:
        cleaned = tagged.group(1)
    return _CODE_OF_NAME.get(cleaned.lower(), cleaned.lower() if cleaned.lower() in NAMES else cleaned)


def language_name(code: str) -> str:
    """The English name of ``code``, or the code itself when we have none."""
    return NAMES.get(code, code)


def text_direction(code: str | None) -> str:
    """``rtl`` for a language written right to left, else ``auto`` (the browser decides)."""
    return "rtl" if code in RIGHT_TO_LEFT else "auto"


#: The first strong letter after any leading @handles: a right-to-left script's, or a Latin (or other left-to-right)
#: one. Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms read right to left.
_FIRST_STRONG = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeffA-Za-z\u00c0-\u024f\u0370-\u052f]")


def written_direction(text: str) -> str:
    """``rtl`` for a text whose first letter after its @handles is of a right-to-left script, else ``auto``: the
    brand's replies carry no language, and ``dir="auto"`` read "@u_ar1 مرحبا ..." left to right by its handle."""
    first = _FIRST_STRONG.search(re.sub(r"^(?:\s*@\S+)+", "", text))
    letter = first.group(0) if first else "a"
    return "rtl" if "\u0590" <= letter <= "\u08ff" or "\ufb1d" <= letter <= "\ufeff" else "auto"


#: The left-to-right mark: invisible, a strong left-to-right letter to the bidi algorithm.
LEFT_TO_RIGHT_MARK = "\u200e"


def held_left_to_right(text: str, code: str | None) -> str:
    """``text`` with a left-to-right mark in front when it is Latin text that ends a reply in ``code``,
    a language written right to left.

    Why: a sign-off such as " ^SK" after an Arabic sentence opens with neutral characters, which the
    bidi algorithm gives to the Arabic side, so readers (and the platform) see "SK^". The mark, after
    the leading space, ties them to the Latin letters after it, as Arabic writers do by hand; it
    changes nothing in any other language, nor in text whose first letter is itself right to left.
    """
    if code not in RIGHT_TO_LEFT or LEFT_TO_RIGHT_MARK in text:
        return text
    first = next((kind for kind in map(unicodedata.bidirectional, text) if kind in ("L", "R", "AL")), None)
    if first != "L":
        return text
    body = text.lstrip()  # the mark after the leading space, so the space stays between the sentence and the sign-off
    return text[:len(text) - len(body)] + LEFT_TO_RIGHT_MARK + body
