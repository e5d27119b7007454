"""Rendering official documents as the PDF of Decree 30/2020 (Appendix I), in PDF/A.

- :func:`render_pdf` (one document) and :class:`Renderer` (a batch: fonts chosen and prepared once);
- :class:`RenderOptions`, :class:`RenderResult`; the reserved places for the signing acts
  (:class:`ReservedPlace`, :func:`find_places`, field names ``edoc.sig.person``, ``edoc.sig.agency``,
  ``edoc.number``, ``edoc.date``, and ``edoc.refN.number``/``edoc.refN.date`` in appendix headings:
  :func:`reference_fields`, :func:`text_field_kind`);
- fonts: :class:`FontFace`, :func:`find_face` (Times New Roman, Liberation Serif, Tinos, any serif).

The layout itself is :mod:`edoc.pdf.layout`; the PDF/A finishing step is :mod:`edoc.pdf.finish`.
"""

from edoc.pdf.fonts import FontFace, face_from_file, find_face
from edoc.pdf.layout import Margins
from edoc.pdf.places import (
    FIELD_AGENCY,
    FIELD_DATE,
    FIELD_NUMBER,
    FIELD_PERSON,
    PlaceKind,
    ReservedPlace,
    find_places,
    reference_fields,
    text_field_kind,
)
from edoc.pdf.render import Renderer, RenderOptions, RenderResult, render_bytes, render_pdf

__all__ = [
    "FIELD_AGENCY",
    "FIELD_DATE",
    "FIELD_NUMBER",
    "FIELD_PERSON",
    "FontFace",
    "Margins",
    "PlaceKind",
    "RenderOptions",
    "RenderResult",
    "Renderer",
    "ReservedPlace",
    "face_from_file",
    "find_face",
    "find_places",
    "reference_fields",
    "render_bytes",
    "render_pdf",
    "text_field_kind",
]
