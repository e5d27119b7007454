"""PAdES signing: the national signing acts and plain signatures, one session per batch.

The common case::

    from edoc.sign import KeySessionFactory, approve, issue

    person = KeySessionFactory("pkcs11:token=CA;object=signer").open()
    approved = approve("draft.pdf", session=person, image="signature.png")
    clerk = KeySessionFactory("pkcs12:agency.p12").open()
    issue(approved.data, session=clerk, seal="seal.png", number=5).save("issued.pdf")

Layers: :mod:`edoc.sign.engine` (pyHanko session, levels, sizes), :mod:`edoc.sign.appearance` (fonts and images
prepared once), :mod:`edoc.sign.places` (reserved fields and anchor texts), :mod:`edoc.sign.acts` (the acts),
:mod:`edoc.sign.batch` (:func:`sign_many`).
"""

from edoc.sign.acts import CopyForm, appendix, approve, copy, iso_time, issue, sign
from edoc.sign.appearance import ImagePlacement, PreparedFont, PreparedImage, Stamp, TextLine
from edoc.sign.batch import KeySessionFactory, Outcome, SignJob, sign_many
from edoc.sign.engine import ALLOWED_DIGESTS, Level, Padding, PdfSigningSession, Revision, SignedPdf, file_signer
from edoc.sign.places import FIELD_AGENCY, FIELD_DATE, FIELD_NUMBER, FIELD_PERSON, Place, find_text

__all__ = [
    "ALLOWED_DIGESTS", "CopyForm", "FIELD_AGENCY", "FIELD_DATE", "FIELD_NUMBER", "FIELD_PERSON", "ImagePlacement",
    "KeySessionFactory", "Level", "Outcome", "Padding", "PdfSigningSession", "Place", "PreparedFont",
    "PreparedImage", "Revision", "SignJob", "SignedPdf", "Stamp", "TextLine", "appendix", "approve", "copy",
    "file_signer", "find_text", "iso_time", "issue", "sign", "sign_many",
]
