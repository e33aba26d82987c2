"""Strangers' text on a terminal: what every command prints of mentions, handles and platform errors.

A terminal obeys what it is sent: ESC starts sequences that clear the screen, set the window title or write
the clipboard (OSC 52), and bidirectional overrides reorder a line. Mention text and display names are
written by anyone, so they reach a terminal only with those characters made visible.
"""

from __future__ import annotations

from typing import TextIO

#: Format characters a line may keep: the joiners inside emoji and some scripts change nothing else.
JOINERS = frozenset("\u200c\u200d")


def safe_line(text: object) -> str:
    """``text`` on one line, each control or format character shown as '?'."""
    return "".join(ch if ch.isprintable() or ch in JOINERS else "?" for ch in " ".join(str(text).split()))


def safe_block(text: str) -> str:
    """``text`` with its lines and tabs kept (a CSV, a JSON document) and every other control or format
    character shown as '?'."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" or ch in JOINERS else "?" for ch in text)


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` as written to ``stream``: made safe when it is a terminal, exact when it is a file or a pipe
    (a CSV for ``careline evaluate`` keeps every character of the posts)."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # a closed or stand-in stream
        interactive = False
    return safe_block(text) if interactive else text
