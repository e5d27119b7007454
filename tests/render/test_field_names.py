"""Reserved fields are a proper hierarchy: no partial field name contains a period (ISO 32000-1, 12.7.3.2)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from edoc.pdf import find_places, render_pdf
from edoc.samples import thuan_nam_decision


def _walk(node, names):  # type: ignore[no-untyped-def]
    node = node.get_object()
    names.append(str(node.get("/T", "")))
    for kid in node.get("/Kids", []):
        _walk(kid, names)


def test_partial_names_have_no_periods_and_qualified_names_stay(tmp_path: Path) -> None:
    out = tmp_path / "unnumbered.pdf"
    render_pdf(thuan_nam_decision(numbered=False), out)
    names: list[str] = []
    for ref in PdfReader(out).trailer["/Root"]["/AcroForm"]["/Fields"]:
        _walk(ref, names)
    assert names and not any("." in n for n in names), names
    assert {p.field for p in find_places(out)} == {"edoc.number", "edoc.date", "edoc.sig.person", "edoc.sig.agency",
                                                   "edoc.ref1.number", "edoc.ref1.date"}


def test_pyhanko_sees_the_two_signature_fields(tmp_path: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    out = tmp_path / "doc.pdf"
    render_pdf(thuan_nam_decision(), out)
    with out.open("rb") as fh:
        found = [name for name, *_ in enumerate_sig_fields(PdfFileReader(fh), filled_status=False)]
    assert found == ["edoc.sig.person", "edoc.sig.agency"]
