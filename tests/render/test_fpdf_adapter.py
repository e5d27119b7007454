"""The fpdf2 adapter (edoc.pdf._fpdf) fails loudly when fpdf2's font internals change."""

from fpdf.fonts import TTFFont

from edoc.pdf._fpdf import _PER_DOCUMENT


def test_ttffont_still_has_the_per_document_slots() -> None:
    slots = set(TTFFont.__slots__)
    assert set(_PER_DOCUMENT) <= slots
