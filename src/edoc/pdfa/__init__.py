"""A PDF/A-2b/3b conformance self-check written on pypdf (not a replacement for veraPDF).

:func:`check_pdfa` returns a list of :class:`PdfaFinding` (clause of ISO 19005-2, object, message); an empty
list means no violation of the clauses checked. :data:`CLAUSES` lists the clauses claimed (measured against
the veraPDF corpus, see ``docs/pdfa.md``). A file that cannot be parsed at all is one finding with clause
``6.1`` ("malformed"), never an exception; a file that cannot be read raises
:class:`~edoc.errors.ResourceError`.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from edoc.errors import ResourceError
from edoc.pdfa.checks import CHECKS, Context, PdfaFinding
from edoc.util.deprecation import renamed

__all__ = ["PdfaFinding", "check_pdfa", "check_pdfa_bytes", "CLAUSES", "MAX_FILE_BYTES"]

#: ``Finding`` is the old name of :class:`PdfaFinding` (deprecated: it read the same as edXML's findings)
__getattr__ = renamed(__name__, globals(), {"Finding": "PdfaFinding"})

#: Clauses whose checks reach the targets on the veraPDF corpus (≥ 90 % of failing files flagged, no
#: passing file flagged); other checks run too but are not claimed.
CLAUSES: tuple[str, ...] = (
    "6.1.2", "6.1.3", "6.1.12", "6.2.3", "6.2.11.3.1", "6.2.11.3.2", "6.2.11.3.3", "6.2.11.4.1", "6.2.11.5",
    "6.2.11.6", "6.2.11.8", "6.3.2", "6.3.3", "6.4.1", "6.5.1", "6.6.2.1", "6.6.2.3.1", "6.6.2.3.3",
    "6.6.4",
)

#: Largest file checked (bounded memory).
MAX_FILE_BYTES = 512 << 20


def check_pdfa_bytes(data: bytes, *, name: str = "<bytes>") -> list[PdfaFinding]:
    """The PDF/A findings of a PDF given as bytes."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    findings: list[PdfaFinding] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        ctx = Context(data, reader)
        _ = ctx.root
    except Exception as exc:
        return [PdfaFinding("6.1", "file", f"malformed PDF, cannot be parsed: {type(exc).__name__}: {exc}"[:300])]
    # identification first: it decides between the PDF/A-2 and PDF/A-3 rules for embedded files
    from edoc.pdfa.glyphs import check_glyphs

    order = [*sorted(CHECKS, key=lambda c: c[0] != "6.6.4"), ("6.2.11", check_glyphs)]
    for clause, check in order:
        try:
            findings.extend(check(ctx))
        except RecursionError:
            findings.append(PdfaFinding(clause, "file", "the object structure is too deeply nested"))
        except Exception as exc:
            findings.append(PdfaFinding(clause, "file", f"cannot check: {type(exc).__name__}: {exc}"[:300]))
    return sorted(findings, key=lambda f: [int(p) if p.isdigit() else 0 for p in f.clause.split(".")])


def check_pdfa(path: str | Path) -> list[PdfaFinding]:
    """The PDF/A-2b/3b findings of the PDF at ``path`` (empty when no checked clause is violated).

    :raises ResourceError: the file cannot be read or is larger than :data:`MAX_FILE_BYTES`.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ResourceError(f"the file is larger than {MAX_FILE_BYTES >> 20} MiB", path=p,
                                message_vi=f"Tệp lớn hơn {MAX_FILE_BYTES >> 20} MiB")
        data = p.read_bytes()
    except OSError as exc:
        raise ResourceError.from_os(exc, p, action=("cannot read the file", "Không đọc được tệp")) from exc
    return check_pdfa_bytes(data, name=str(p))
