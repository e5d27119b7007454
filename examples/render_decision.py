"""Render the Thuận Nam decision as PDF/A-2b, then check it with edoc's PDF/A self-check."""

import tempfile
from pathlib import Path

from edoc.pdf import find_places, render_pdf
from edoc.pdfa import check_pdfa
from edoc.samples import thuan_nam_decision

with tempfile.TemporaryDirectory() as tmp:
    out = Path(tmp) / "quyet-dinh.pdf"
    result = render_pdf(thuan_nam_decision(numbered=False), out)
    print("face:", result.face, "| pages:", result.pages, "|", result.conformance)
    for place in find_places(out):
        print(f"reserved {place.field} on page {place.page + 1} at {place.rect}")
    findings = check_pdfa(out)
    print("PDF/A findings:", findings or "none")
    assert not findings
