"""The labelled EU DSS attack corpus (../shared/corpora/dss): no INVALID file passes, nothing crashes.

To make the test bite, every certificate embedded in a file is trusted for that file: then trust cannot
be what stops an INVALID file from passing — only integrity and the modification analysis can.
"""

from __future__ import annotations

import csv
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509

from edoc.verify import Check, Indication, Verifier

from .conftest import CORPUS

_ROWS = list(csv.DictReader((CORPUS / "expectations.csv").open(encoding="utf-8"))) \
    if (CORPUS / "expectations.csv").exists() else []
_PADES = [r for r in _ROWS if r["path"].startswith("pades/")]
pytestmark = pytest.mark.skipif(not _ROWS, reason=f"DSS corpus not found at {CORPUS}")


def _embedded_certs(path: Path) -> list[x509.Certificate]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(path.read_bytes()), strict=False)
        return [c.chosen for emb in reader.embedded_signatures for c in emb.signed_data["certificates"]
                if c.name == "certificate"]
    except Exception:
        return []


@pytest.mark.parametrize("row", _PADES, ids=[r["path"] for r in _PADES])
@pytest.mark.parametrize("trusting", [False, True], ids=["no-anchors", "embedded-anchors"])
def test_pades_corpus(row: dict[str, str], trusting: bool) -> None:
    path = CORPUS / row["path"]
    verifier = Verifier(trust=_embedded_certs(path) if trusting else ())
    report = verifier.verify_pdf(path)
    if row["expected"] in ("INVALID", "INDETERMINATE-OK"):
        assert report.verdict is not Indication.TOTAL_PASSED, row["reason"]
        assert all(not s.passed for s in report.signatures) or report.verdict is Indication.TOTAL_FAILED
    else:
        assert report.signatures, "a VALID file's signatures must be found"
        assert all(s.integrity is Check.PASSED for s in report.signatures), [
            m.key for s in report.signatures for m in s.messages]
