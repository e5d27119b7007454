"""The names of the form fields reserved in an edoc PDF, in one place: the renderer reserves them
(:mod:`edoc.pdf.places`), the signing acts fill them (:mod:`edoc.sign`) and the verifier reads them
(:mod:`edoc.verify.profile`). Here, in the model, so that each of them imports the names without the others
(the verifier loads neither fpdf2 nor the renderer)."""

from __future__ import annotations

__all__ = ["FIELD_AGENCY", "FIELD_DATE", "FIELD_NUMBER", "FIELD_PERSON"]

#: Signature field of the competent person (box 7c of Decree 30 Appendix I).
FIELD_PERSON = "edoc.sig.person"
#: Signature field of the agency's issuance signature (box 8, with the seal).
FIELD_AGENCY = "edoc.sig.agency"
#: Text field the issuance act fills with the number (box 3).
FIELD_NUMBER = "edoc.number"
#: Text field the issuance act fills with the date (box 4).
FIELD_DATE = "edoc.date"
