"""The one adapter between edoc and pypdf's internals (tests: ``tests/adapters/test_pypdf_adapter.py``).

Written for **pypdf 7.1.x** (:data:`PYPDF_VERSIONS`; ``pyproject.toml`` pins the same range). edoc uses
pypdf to finish fpdf2's output into PDF/A (:mod:`edoc.pdf.finish`) and to read documents made elsewhere;
wherever pypdf has a public name edoc uses it (``PdfWriter.root_object`` for the catalogue,
``add_metadata``, ``pages``, ``PdfReader.trailer``, and ``PdfWriter(clone_from=reader)``, which keeps the
reader's trailer ``/ID`` and writes it as byte strings even where pypdf read it as text). Two things have no
public form in pypdf 7.1, and are done here only:

- :func:`add_object` — ``PdfWriter._add_object``: making a new dictionary or stream an indirect object of the
  writer (form fields, widgets, appearance streams, embedded files, the XMP packet). pypdf's public writers
  (``add_page``, ``add_annotation``, ``add_attachment``) each add one kind of object with their own
  choices (an ``/AP`` of their own, an ``/EmbeddedFiles`` tree without ``/AF``), which PDF/A forbids or
  misses;
- :func:`drop_unreachable` — ``PdfWriter._objects`` and ``PdfWriter._info``: forgetting the objects of the
  scratch pages removed after fpdf2 drew the drafts' field appearances on them. pypdf's public
  ``compress_identical_objects(remove_unreferenced=True)`` only drops objects that no object refers to (a
  removed page's content stream is still referred to by the removed page), and hashes every object.

:data:`PRIVATE_NAMES` lists them for the adapter tests, which check the installed pypdf against
:data:`PYPDF_VERSIONS` and each name's shape, and fail loudly on an upgrade that breaks them.
"""

from __future__ import annotations

from importlib.metadata import version as _installed_version

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

__all__ = ["PRIVATE_NAMES", "PYPDF_VERSIONS", "add_object", "drop_unreachable", "version_problems"]

#: pypdf versions this adapter was written for: ``>=`` the first, ``<`` the second (as ``pyproject.toml``)
PYPDF_VERSIONS = ("7.1", "7.2")

#: pypdf's private names this adapter uses: ``(class, attribute, parameters)`` (``None``: an attribute or
#: property, whose presence on a ``PdfWriter()`` is checked). The adapter tests check each one.
PRIVATE_NAMES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("pypdf.PdfWriter", "_add_object", ("self", "obj")),
    ("pypdf.PdfWriter", "_objects", None),
    ("pypdf.PdfWriter", "_info", None),
)


def version_problems() -> list[str]:
    """What is installed outside the versions this adapter was written for (empty when all is well)."""
    from edoc._adapters.pyhanko import _within

    have = _installed_version("pypdf")
    if _within(have, PYPDF_VERSIONS):
        return []
    return [f"pypdf {have} is outside >={PYPDF_VERSIONS[0]},<{PYPDF_VERSIONS[1]}: check edoc._adapters.pypdf"]


def add_object(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    """``obj`` as a new indirect object of ``writer``; its reference (the existing one if it already is)."""
    return writer._add_object(obj)


def drop_unreachable(writer: PdfWriter) -> None:
    """Forget the objects that neither the catalogue nor the document information dictionary reaches."""
    seen: set[int] = set()
    stack: list[object] = [writer.root_object, writer._info]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
            ref = getattr(obj, "indirect_reference", None)
            if ref is not None:
                seen.add(ref.idnum)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    objects = writer._objects
    for i, obj in enumerate(objects):
        if obj is not None and i + 1 not in seen:
            objects[i] = None

