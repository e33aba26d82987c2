"""Strangers' text reaches a terminal without its escape sequences, and a file or a pipe exactly."""

from __future__ import annotations

import io

from click.testing import CliRunner

from careline.terminal import for_stream, safe_block, safe_line
from classifiers.cli import classify

HOSTILE = "pwn \x1b]0;OWNED\x07 \x1b]52;c;ZWNobyBoaQ==\x07 \u202eevil\u202c 👩\u200d💻"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_no_escape_and_a_file_gets_every_character() -> None:
    shown = for_stream(f"text\n{HOSTILE}\tx\n", Terminal())
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown.count("\n") == 2 and "\t" in shown and "👩\u200d💻" in shown  # lines, tabs and emoji kept
    assert for_stream(HOSTILE, io.StringIO()) == HOSTILE  # a file or a pipe: exactly what was stored
    assert safe_block(HOSTILE) == safe_line(HOSTILE)  # one line either way


def test_classify_does_not_echo_an_escape_sequence() -> None:
    """'careline classify' printed the text it was given raw: an OSC sequence in a pasted post set the title."""
    out = CliRunner().invoke(classify, ["--kind", "vader", "\x1b]0;pwned\x07title"]).output
    assert "\x1b" not in out and "\x07" not in out and "?]0;pwned?title" in out, out


def test_classify_refuses_an_empty_text_and_negative_followers() -> None:
    for args in (["--kind", "vader", "  "], ["--kind", "vader", "--followers", "-5", "late again"]):
        result = CliRunner().invoke(classify, args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
