"""The fpdf2 adapter (edoc.pdf._fpdf) fails loudly when fpdf2's font internals change."""

from fpdf.fonts import TTFFont

from edoc.pdf._fpdf import _PER_DOCUMENT


def test_ttffont_still_has_the_per_document_slots() -> None:
    slots = set(TTFFont.__slots__)
    assert set(_PER_DOCUMENT) <= slots


def test_font_resource_name_is_the_name_on_the_page() -> None:
    """The form's /DR points at the page fonts by the /F<n> names fpdf2 gives them (``font_resource_name``)."""
    import io

    from pypdf import PdfReader

    from edoc.pdf import render_bytes
    from edoc.samples import thuan_nam_decision

    data = render_bytes(thuan_nam_decision(numbered=False))
    reader = PdfReader(io.BytesIO(data))
    page_fonts = reader.pages[0]["/Resources"]["/Font"]
    dr = reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"]
    regular, italic = dr["/EdocF0"].get_object(), dr["/EdocF1"].get_object()
    assert regular in [f.get_object() for f in page_fonts.values()]
    assert str(italic["/BaseFont"]).endswith("Italic"), italic["/BaseFont"]
    assert "Italic" not in str(regular["/BaseFont"]) and "Bold" not in str(regular["/BaseFont"])
