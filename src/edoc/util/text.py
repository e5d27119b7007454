"""Strings from files, made safe for the medium they go to (issue 13 point 3).

A certificate subject, a file name, an attachment name or a title comes from outside. On a terminal, ESC
starts a control sequence (move the cursor, erase a line, hide text), CR returns to the start of the line and
LF starts a new one, so a subject such as ``"X\\x1b[2K\\rVerdict: VALID (TOTAL_PASSED)"`` would print a verdict
line of its own; bidi overrides (U+202E) reorder what follows. In text every such character is shown as an
escape instead (:func:`visible`); HTML escapes the result as well; JSON keeps the exact data and
:func:`json_safe` only spells the characters a terminal could act on as ``\\uXXXX`` escapes (the same data).

Shown as escapes: control characters (C0, DEL, C1), format characters (bidi embeddings, overrides, isolates
and marks, zero-width characters, the byte-order mark, soft hyphen), line and paragraph separators
(U+2028/U+2029) and lone surrogates. Letters, marks, digits, punctuation, symbols and spaces (Vietnamese with
its diacritics, NBSP) are kept. A backslash is kept as is: an escape in the output means "this character was
in the data", whether the data held the character or the text of its escape.
"""

from __future__ import annotations

import json
import unicodedata

__all__ = ["visible", "json_safe"]

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _SHORT:
        return _SHORT[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: object) -> str:
    """``text`` (made a string) for a terminal, a log or a plain-text report: every control or format
    character, line or paragraph separator shown as a Python-style escape (``\\x1b``, ``\\n``, ``\\u202e``)."""
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable():  # the common case, one C-level scan
        return s
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in s)


def json_safe(document: str) -> str:
    """A JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters :func:`visible` would
    escape written as JSON ``\\uXXXX`` escapes, so that printing it cannot drive a terminal. The data is
    unchanged (a JSON parser reads the same strings): such characters can occur only inside strings, where the
    escape is their JSON spelling (``json.dumps`` already escapes the C0 controls)."""
    if document.isascii():
        return document
    return "".join(json.dumps(ch)[1:-1] if ch > "\x7e" and _unsafe(ch) else ch for ch in document)
