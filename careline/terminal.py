"""Strangers' text on a terminal: what every command prints of mentions, handles and platform errors.

A terminal obeys what it is sent: ESC starts sequences that clear the screen, set the window title or write
the clipboard (OSC 52), and bidirectional overrides reorder a line. Mention text and display names are
written by anyone, so they reach a terminal only with those characters made visible.
"""

from __future__ import annotations

import unicodedata
from typing import TextIO

#: Format characters a line may keep: the joiners inside emoji and some scripts change nothing else.
JOINERS = frozenset("\u200c\u200d")


def safe_line(text: object) -> str:
    """``text`` on one line, each control or format character shown as '?'."""
    return "".join(ch if ch.isprintable() or ch in JOINERS else "?" for ch in " ".join(str(text).split()))


def cell_width(ch: str) -> int:
    """Columns ``ch`` takes on a terminal: 2 for wide and fullwidth characters (CJK, most emoji), 0 for combining
    marks and joiners, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):  # the JOINERS are Cf
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns and padded to them: a table's column, measured as the terminal
    draws it (cut by characters, a Japanese or emoji row ran 30-80 columns past the others)."""
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


def safe_block(text: str) -> str:
    """``text`` with its lines and tabs kept (a CSV, a JSON document) and every other control or format
    character shown as '?'."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" or ch in JOINERS else "?" for ch in text)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (a closed or stand-in stream is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def write_document(text: str, stream: TextIO) -> None:
    """A whole document (an export's CSV or JSON) to ``stream``: made safe on a terminal; elsewhere as UTF-8 bytes,
    whatever the locale's encoding, because the document is UTF-8 by definition (under a latin-1 locale the first
    emoji of a post, or the byte-order mark of ``--for-spreadsheet``, ended the export with an encoding error)."""
    buffer = getattr(stream, "buffer", None)
    if is_terminal(stream) or buffer is None:
        stream.write(for_stream(text, stream))
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` as written to ``stream``: made safe when it is a terminal, exact when it is a file or a pipe
    (a CSV for ``careline evaluate`` keeps every character of the posts)."""
    return safe_block(text) if is_terminal(stream) else text
