"""What may change in a PDF after it was signed: edoc's difference policy, as named rules.

A signature covers one revision; later incremental updates are judged by a *difference policy* that
explains every object a later revision writes, or calls the change suspicious (the signature's document
then fails). pyHanko's default policy (``DEFAULT_DIFF_POLICY``) explains signing, form filling of text and
check-box fields, the DSS and document time-stamps; it refuses several changes that ISO 32000-2 (12.8.2.2,
DocMDP) and PAdES (ETSI EN 319 142-1, 5.4) permit, and honest files then look forged. edoc's policy,
:data:`EDOC_DIFF_POLICY`, is pyHanko's plus the named rules below, each written against pyHanko's public
rule API (``QualifiedWhitelistRule``, ``FieldMDPRule``, ``GenericFieldModificationRule``):

``field-fill`` (:class:`FieldFillRule`)
    Filling a form field of any type: text, check box, radio group, and choice fields whose selected
    indices ``/I`` change with their value. ``/I`` must name the options ``/V`` holds (a viewer that shows
    ``/I`` must show what ``/V`` says); the option list ``/Opt`` itself never changes.
``signature-field-in-group`` (part of :class:`FieldFillRule`)
    A new signature field created under an existing non-terminal field (``edoc.sig.agency`` next to
    ``edoc.sig.person``): the group's ``/Kids`` gains new signature fields and nothing else changes (pyHanko
    only admits new signature fields at the root of the form).
``button-widget-state`` (:class:`ButtonWidgetStateRule`)
    The kid widgets of a radio group (or a check box with several widgets) switch their appearance state
    ``/AS`` when the group's value is set: only ``/AS`` changes, to ``/Off`` or to the group's new value,
    and to a state the widget has an appearance for.
``annotation-added`` (:class:`AnnotationAddedRule`)
    A comment added to a page (sticky note, free text, highlight, ink, shapes, stamps, pop-ups): a new
    markup annotation without actions, appended to a page's ``/Annots``; the page changes in nothing else.
    It is a modification at the *annotations* level, so DocMDP P=1 and P=2 still refuse it and the report
    says so; without DocMDP or with P=3 it is permitted and reported as a warning. An annotation that covers
    what was signed (text, images, drawings of the page, or the fields and signatures present at signing)
    is the *overlay* attack and is refused, except text-markup annotations (highlight, underline,
    strike-out, squiggly) whose appearance cannot hide the text under them (see :mod:`edoc.verify.painted`).
``structure-tree-for-annotations`` (:class:`StructureTreeRule`)
    In a tagged PDF, the structure elements that follow an annotation or a signature widget added in the
    same revision: a new element whose only content is an object reference to that annotation, appended
    to an existing element's ``/K``, its parent-tree entry, and the structure tree root's ``/ParentTree``
    and ``/ParentTreeNextKey``. Existing elements keep their content and order, existing parent-tree
    entries keep their values.
``named-annotation-appearances`` (:class:`NamedAppearancesRule`)
    The document name dictionary's ``/AP`` tree (named appearance streams that viewers such as Acrobat
    keep for their comment icons), added or extended; any other change to ``/Names`` (JavaScript, embedded
    files, destinations…) is refused.

DSS/VRI updates and document time-stamps after any signature, later signatures (with their widgets) and
metadata updates are pyHanko's own rules, kept unchanged. A change no rule explains stays suspicious: the
shadow hide/replace attacks, content streams, pages, fonts or resources rewritten, objects freed.

Every refusal raised here names its rule in brackets (``[annotation-added] …``), so the report says which
rule refused what.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    DSSCompareRule,
    FieldComparisonContext,
    FieldComparisonSpec,
    FieldMDPRule,
    FormUpdate,
    FormUpdatingRule,
    GenericFieldModificationRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    XrefStreamRule,
)

from edoc.verify.painted import covers_signed_content

__all__ = [
    "EDOC_DIFF_POLICY",
    "PERMITTED_CHANGES",
    "AnnotationAddedRule",
    "ButtonWidgetStateRule",
    "FieldFillRule",
    "NamedAppearancesRule",
    "PermittedChange",
    "StructureTreeRule",
]

_LTA = ModificationLevel.LTA_UPDATES
_FILL = ModificationLevel.FORM_FILLING
_ANNOT = ModificationLevel.ANNOTATIONS

#: pyHanko's field value keys (``constants.VALUE_UPDATE_KEYS``) and ``/I``, the selected indices of a
#: choice field (ISO 32000-2, 12.7.5.4, table 231).
_VALUE_KEYS = frozenset({"/Ff", "/Type", "/AP", "/AS", "/V", "/F", "/DA", "/Q", "/I"})

#: Catalogue entries pyHanko lets change (``constants.ROOT_EXEMPT_STRICT_COMPARISON``, checked by its other
#: rules) and ``/Names``, judged entry by entry by :class:`NamedAppearancesRule`.
_ROOT_EXEMPT = frozenset({"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/MarkInfo", "/Version", "/Names"})

#: Markup annotations (ISO 32000-2, 12.5.6) a reader's comment tools add, and pop-ups. Not here, so never
#: permitted after signing: links and every annotation that acts or plays (Link, Widget, Screen, Movie,
#: Sound, RichMedia, 3D, FileAttachment: it embeds a file), and watermarks, redactions, printer's marks.
MARKUP_SUBTYPES = frozenset({
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight", "/Underline",
    "/Squiggly", "/StrikeOut", "/Caret", "/Ink", "/Stamp", "/Popup",
})
TEXT_MARKUP_SUBTYPES = frozenset({"/Highlight", "/Underline", "/Squiggly", "/StrikeOut"})

_NODE_BUDGET = 20_000  # tree nodes (pages, number/name trees) one rule visits per revision


@dataclass(frozen=True)
class PermittedChange:
    """One named rule of :data:`EDOC_DIFF_POLICY`, for documentation and reports."""

    name: str
    permits: str
    refuses: str


PERMITTED_CHANGES: tuple[PermittedChange, ...] = (
    PermittedChange("field-fill", "a form field of any type filled: /V, /AS, /AP, and /I of choice fields",
                    "/I that disagrees with /V, a changed option list, any other key of the field"),
    PermittedChange("signature-field-in-group", "a new signature field under an existing field group",
                    "any other field added to a group, kids removed or reordered, other keys of the group"),
    PermittedChange("button-widget-state", "the /AS of a radio group's kid widget set to the group's new value",
                    "/AS set to a state the group's value does not have, or other keys of the widget"),
    PermittedChange("annotation-added", "a new comment (markup annotation) on a page, where DocMDP allows it",
                    "actions, links, files, widgets; an annotation covering signed content (overlay)"),
    PermittedChange("structure-tree-for-annotations",
                    "structure elements referring to annotations added in the same revision",
                    "structure elements for page content, reordered or rewritten elements or parent tree"),
    PermittedChange("named-annotation-appearances", "the /AP name tree of the catalogue's /Names",
                    "any other /Names entry (JavaScript, embedded files, destinations)"),
)


def _refuse(rule: str, text: str) -> SuspiciousModification:
    return SuspiciousModification(f"[{rule}] {text}")


def _raw(d: Any, key: str) -> Any:
    try:
        return d.raw_get(key)
    except (KeyError, AttributeError):
        return None


def _ref_of(value: Any) -> generic.Reference | None:
    return value.reference if isinstance(value, generic.IndirectObject) else None


def _deref(value: Any) -> Any:
    if isinstance(value, generic.IndirectObject):
        target: Any = value
        return target.get_object()
    return value


def _same(a: Any, b: Any) -> bool:
    """Two PDF values equal in structure, references compared by number (never dereferenced)."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (isinstance(a, generic.IndirectObject) and isinstance(b, generic.IndirectObject)
                and a.reference == b.reference)
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return False  # streams are never compared as values here
    if isinstance(a, generic.DictionaryObject):
        return (isinstance(b, generic.DictionaryObject) and set(a.keys()) == set(b.keys())
                and all(_same(a.raw_get(k), b.raw_get(k)) for k in a))
    if isinstance(a, generic.ArrayObject):
        return isinstance(b, generic.ArrayObject) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, (generic.TextStringObject, generic.ByteStringObject)):
        return isinstance(b, (generic.TextStringObject, generic.ByteStringObject)) \
            and a.original_bytes == b.original_bytes
    return type(a) is type(b) and a == b


def _written(new: HistoricalResolver) -> set[generic.Reference]:
    """The objects revision ``new`` writes (new ones and rewritten ones)."""
    return set(new.explicit_refs_in_revision())  # type: ignore[no-untyped-call]


def _is_struct_elem(obj: Any) -> bool:
    return isinstance(obj, generic.DictionaryObject) and "/Subtype" not in obj and (
        _raw(obj, "/Type") == "/StructElem" or ("/S" in obj and "/P" in obj))


def _new_deps(old: HistoricalResolver, new: HistoricalResolver, value: Any) -> Iterator[generic.Reference]:
    """The objects first written after ``old`` that ``value`` reaches (pyHanko never recurses into older
    objects there, so an object of the signed revision rewritten in place is never among them)."""
    for ref in new.collect_dependencies(value, since_revision=old.revision + 1):
        if old.is_ref_unassignable(ref):
            yield ref


# -- field-fill ---------------------------------------------------------------------------------------------
class FieldFillRule(GenericFieldModificationRule):  # type: ignore[misc]
    """``field-fill``: pyHanko's ``GenericFieldModificationRule`` with ``/I`` among the value keys, and ``/I``
    checked against ``/V`` and ``/Opt`` whenever it changes."""

    name = "field-fill"

    def __init__(self) -> None:
        super().__init__(value_update_keys=_VALUE_KEYS)

    def check_form_field(self, fq_name: str, spec: FieldComparisonSpec,
                         context: FieldComparisonContext) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        if spec.field_type != "/Sig" and spec.old_field_ref and spec.new_field_ref:
            old, new = spec.old_field, spec.new_field
            assert new is not None
            grown = self._signature_kids_added(fq_name, spec, context)
            if grown is not None:
                return grown
            if not _same(_raw(old, "/I"), _raw(new, "/I")):
                self._check_indices(fq_name, spec.field_type, new)
            state = _raw(new, "/AS")
            if spec.field_type == "/Btn" and not _same(_raw(old, "/AS"), state) and state not in (None, "/Off") \
                    and state != _deref(_raw(new, "/V")):
                # a check box drawn ticked while its value says otherwise
                raise _refuse(self.name, f"{fq_name} shows {state} but its value is {_deref(_raw(new, '/V'))}")
        return super().check_form_field(fq_name, spec, context)  # type: ignore[no-any-return]

    def _signature_kids_added(self, fq_name: str, spec: FieldComparisonSpec, context: FieldComparisonContext,
                              ) -> list[tuple[ModificationLevel, FormUpdate]] | None:
        """``signature-field-in-group``: a non-terminal field (``edoc.sig`` of ``edoc.sig.agency``) whose
        ``/Kids`` gained new signature fields and nothing else; ``None`` when the kids did not change."""
        old_kids = _deref(_raw(spec.old_field, "/Kids"))
        new_kids = _deref(_raw(spec.new_field, "/Kids"))
        if not isinstance(old_kids, generic.ArrayObject) or not isinstance(new_kids, generic.ArrayObject) \
                or _same(old_kids, new_kids):
            return None
        rule = "signature-field-in-group"
        old, new = spec.old_field, spec.new_field
        assert old is not None and new is not None
        old_refs = [_ref_of(k) for k in old_kids]
        kept = [_ref_of(k) for k in new_kids if _ref_of(k) in old_refs]
        added = [_ref_of(k) for k in new_kids if _ref_of(k) not in old_refs]
        if kept != old_refs or None in added:
            raise _refuse(rule, f"the kids of {fq_name} were removed or reordered")
        for ref in added:
            assert ref is not None
            kid = context.new(ref)
            if not context.old.is_ref_unassignable(ref) or not isinstance(kid, generic.DictionaryObject) \
                    or _raw(kid, "/FT") != "/Sig" or "/T" not in kid:
                raise _refuse(rule, f"a field other than a new signature field was added under {fq_name}")
        if set(old.keys()) != set(new.keys()) or any(
                not _same(old.raw_get(k), new.raw_get(k)) for k in new if k != "/Kids"):
            raise _refuse(rule, f"{fq_name} changed beyond its kids when a signature field was added under it")
        # the node was compared key by key and its kids one by one: every path to it is approved at once
        assert spec.new_field_ref is not None
        refs: list[generic.Reference] = [spec.new_field_ref]
        kids_ref = _ref_of(_raw(new, "/Kids"))
        if kids_ref is not None and (kids_ref == _ref_of(_raw(old, "/Kids"))
                                     or context.old.is_ref_unassignable(kids_ref)):
            refs.append(kids_ref)
        return [(_FILL, FormUpdate(updated_ref=ref, field_name=fq_name, context_checked=None)) for ref in refs]

    def _check_indices(self, fq_name: str, field_type: Any, field: generic.DictionaryObject) -> None:
        indices = _deref(_raw(field, "/I"))
        if indices is None:
            return  # /I removed: the value alone says what is selected
        if field_type != "/Ch":
            raise _refuse(self.name, f"/I set on {fq_name}, which is not a choice field")
        opts = _deref(_raw(field, "/Opt"))
        value = _deref(_raw(field, "/V"))
        if not isinstance(indices, generic.ArrayObject) or not isinstance(opts, generic.ArrayObject):
            raise _refuse(self.name, f"/I or /Opt of {fq_name} is not an array")
        try:
            picked = [int(i) for i in indices]
        except (TypeError, ValueError) as exc:
            raise _refuse(self.name, f"/I of {fq_name} holds a non-integer") from exc
        if any(i < 0 or i >= len(opts) for i in picked) or picked != sorted(set(picked)):
            raise _refuse(self.name, f"/I of {fq_name} is out of range or not in ascending order")
        values = list(value) if isinstance(value, generic.ArrayObject) else ([] if value is None else [value])

        def export(option: Any) -> str:
            option = _deref(option)
            if isinstance(option, generic.ArrayObject) and option:
                option = _deref(option[0])
            return str(option)

        if sorted(export(opts[i]) for i in picked) != sorted(str(_deref(v)) for v in values):
            raise _refuse(self.name, f"/I of {fq_name} selects options other than its value /V")


# -- button-widget-state ------------------------------------------------------------------------------------
class ButtonWidgetStateRule(FieldMDPRule):  # type: ignore[misc]
    """``button-widget-state``: a button field's kid widgets (no ``/T`` of their own) follow its value."""

    name = "button-widget-state"

    def apply(self, context: FieldComparisonContext) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        written = _written(context.new)
        for fq_name, spec in context.field_specs.items():
            if spec.field_type != "/Btn" or not spec.old_field_ref or not spec.new_field_ref:
                continue
            old_field, new_field = spec.old_field, spec.new_field
            old_kids, new_kids = _deref(_raw(old_field, "/Kids")), _deref(_raw(new_field, "/Kids"))
            if not isinstance(new_kids, generic.ArrayObject) or not _same(old_kids, new_kids):
                continue  # no kids, or kids changed: not this rule's change (it stays unexplained)
            value = _deref(_raw(new_field, "/V"))
            for kid in new_kids:
                ref = _ref_of(kid)
                if ref is None or ref not in written:
                    continue
                old_kid, new_kid = context.old(ref), context.new(ref)
                if not isinstance(new_kid, generic.DictionaryObject) or "/T" in new_kid:
                    continue  # a named kid is a field of its own, judged by field-fill
                self._check_widget(fq_name, old_kid, new_kid, value)
                # the widget is reachable from the page's /Annots, the group's /Kids and maybe the structure
                # tree: its whole dictionary was compared, so every path to it is approved at once
                yield _FILL, FormUpdate(updated_ref=ref, field_name=fq_name, context_checked=None)

    def _check_widget(self, fq_name: str, old: Any, new: generic.DictionaryObject, value: Any) -> None:
        if not isinstance(old, generic.DictionaryObject) or set(old.keys()) - {"/AS"} != set(new.keys()) - {"/AS"} \
                or any(not _same(old.raw_get(k), new.raw_get(k)) for k in new if k != "/AS"):
            raise _refuse(self.name, f"a widget of {fq_name} changed beyond its appearance state /AS")
        state = _raw(new, "/AS")
        if state is None or state == "/Off":
            return
        if state != value:
            raise _refuse(self.name, f"a widget of {fq_name} shows {state} but the field's value is {value}")
        normal = _deref(_raw(_deref(_raw(new, "/AP")), "/N"))
        if not isinstance(normal, generic.DictionaryObject) or state not in normal:
            raise _refuse(self.name, f"a widget of {fq_name} has no appearance for {state}")


# -- annotation-added ---------------------------------------------------------------------------------------
def _pages(old: HistoricalResolver, new: HistoricalResolver) -> Iterator[tuple[int, generic.Reference]]:
    """(page number, reference) of the pages of ``new``, when its page tree is the one of ``old`` (the same
    tree nodes and leaves); nothing when the tree changed (that change stays unexplained)."""
    stack: list[tuple[Any, Any]] = [(_raw(old.root, "/Pages"), _raw(new.root, "/Pages"))]
    number = 0
    budget = _NODE_BUDGET
    seen: set[generic.Reference] = set()
    out: list[tuple[int, generic.Reference]] = []
    while stack and budget:
        budget -= 1
        old_node, new_node = stack.pop()
        ref = _ref_of(new_node)
        if ref is None or ref != _ref_of(old_node) or ref in seen:
            return
        seen.add(ref)
        o, n = _deref(old_node), _deref(new_node)
        if not isinstance(n, generic.DictionaryObject) or not isinstance(o, generic.DictionaryObject):
            return
        if _raw(n, "/Type") == "/Pages" or "/Kids" in n:
            old_kids, new_kids = _deref(_raw(o, "/Kids")), _deref(_raw(n, "/Kids"))
            if not isinstance(new_kids, generic.ArrayObject) or not _same(old_kids, new_kids):
                return
            stack.extend(reversed(list(zip(old_kids, new_kids, strict=True))))
        else:
            number += 1
            out.append((number, ref))
    if stack:
        return
    yield from out


def _annots(page: generic.DictionaryObject) -> tuple[generic.Reference | None, list[Any]]:
    value = _raw(page, "/Annots")
    arr = _deref(value)
    return _ref_of(value), list(arr) if isinstance(arr, generic.ArrayObject) else []


class AnnotationAddedRule(QualifiedWhitelistRule):  # type: ignore[misc]
    """``annotation-added``: new markup annotations on existing pages, none covering signed content."""

    name = "annotation-added"

    def apply_qualified(self, old: HistoricalResolver,
                        new: HistoricalResolver) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        written = _written(new)
        painted: dict[Any, Any] = {}  # what each signed page shows, analysed once per review
        for number, page_ref in _pages(old, new):
            old_page, new_page = old(page_ref), new(page_ref)
            old_arr_ref, old_list = _annots(old_page)
            new_arr_ref, new_list = _annots(new_page)
            if page_ref not in written and (new_arr_ref is None or new_arr_ref not in written):
                continue
            old_refs = {_ref_of(a) for a in old_list}
            new_refs = [_ref_of(a) for a in new_list]
            if None in new_refs or old_refs - set(new_refs):
                continue  # direct or removed annotations: not this rule's change
            added = [r for r in new_refs if r not in old_refs and r is not None]
            annotations = {r: new(r) for r in added}
            if not added or any(_raw(a, "/Subtype") == "/Widget" for a in annotations.values()):
                continue  # nothing added, or widgets: the form rules judge those (mixed: unexplained)
            approved: list[generic.Reference] = []
            for ref, annot in annotations.items():
                self._check(number, ref, annot, annotations, old, page_ref, painted)
                approved.append(ref)
                for key in annot:
                    if key not in ("/P", "/Parent", "/IRT", "/Popup"):
                        approved.extend(_new_deps(old, new, annot.raw_get(key)))
            if set(old_page.keys()) != set(new_page.keys()) or any(
                    not _same(old_page.raw_get(k), new_page.raw_get(k)) for k in new_page if k != "/Annots"):
                raise _refuse(self.name, f"page {number} changed beyond its /Annots when annotations were added")
            for ref in approved:
                yield _ANNOT, ReferenceUpdate(ref)
            # a page is referenced from many places (its parent, /P entries, the structure tree…): its
            # dictionary was compared key by key, so every path to it is approved at once, as pyHanko does
            yield _ANNOT, ReferenceUpdate(page_ref, context_checked=None)
            if new_arr_ref is not None and (new_arr_ref == old_arr_ref or old.is_ref_unassignable(new_arr_ref)):
                yield _ANNOT, ReferenceUpdate(new_arr_ref, context_checked=None)

    def _check(self, number: int, ref: generic.Reference, annot: Any, added: dict[generic.Reference, Any],
               old: HistoricalResolver, page_ref: generic.Reference, painted: dict[Any, Any]) -> None:
        if not old.is_ref_unassignable(ref):
            raise _refuse(self.name, f"annotation {ref.idnum} on page {number} reuses an object of the signed "
                                     "revision")
        if not isinstance(annot, generic.DictionaryObject):
            raise _refuse(self.name, f"annotation {ref.idnum} on page {number} is not a dictionary")
        subtype = _raw(annot, "/Subtype")
        if subtype not in MARKUP_SUBTYPES:
            raise _refuse(self.name, f"a {subtype} annotation was added to page {number}; only comments "
                                     "(markup annotations) may be added after signing")
        for key in ("/A", "/AA", "/FT", "/Parent", "/Kids"):
            if key in annot:
                raise _refuse(self.name, f"the {subtype} annotation added to page {number} carries {key}")
        page = _raw(annot, "/P")
        if page is not None and _ref_of(page) != page_ref:
            raise _refuse(self.name, f"the {subtype} annotation added to page {number} names another page")
        popup = _ref_of(_raw(annot, "/Popup"))
        if "/Popup" in annot and (popup is None or popup not in added or _raw(added[popup], "/Subtype") != "/Popup"):
            raise _refuse(self.name, f"the pop-up of the {subtype} annotation on page {number} is not a new pop-up")
        found = covers_signed_content(old, page_ref, annot, painted)
        if found is not None:
            raise _refuse(self.name, f"the {subtype} annotation added to page {number} covers {found} that was "
                                     "signed (overlay)")


# -- structure-tree-for-annotations ---------------------------------------------------------------------------
class StructureTreeRule(QualifiedWhitelistRule):  # type: ignore[misc]
    """``structure-tree-for-annotations``: structure elements that only point at annotations added in the same
    revision, hung under existing elements, with their parent-tree entries."""

    name = "structure-tree-for-annotations"

    def apply_qualified(self, old: HistoricalResolver,
                        new: HistoricalResolver) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        written = _written(new)
        old_root_value, new_root_value = _raw(old.root, "/StructTreeRoot"), _raw(new.root, "/StructTreeRoot")
        root_ref = _ref_of(new_root_value)
        if root_ref is None or root_ref != _ref_of(old_root_value) or root_ref not in written:
            return  # no tree, a tree replaced or added (unexplained), or the root untouched
        old_root, new_root = old(root_ref), new(root_ref)
        if not isinstance(old_root, generic.DictionaryObject) or not isinstance(new_root, generic.DictionaryObject):
            return
        exempt = {"/ParentTree", "/ParentTreeNextKey"}
        if set(old_root.keys()) != set(new_root.keys()) or any(
                not _same(old_root.raw_get(k), new_root.raw_get(k)) for k in new_root if k not in exempt):
            raise _refuse(self.name, "the structure tree root changed beyond /ParentTree and /ParentTreeNextKey")
        annotated = self._new_annotations(old, new)
        level = _FILL
        approved: list[generic.Reference] = [root_ref]
        new_elems: dict[generic.Reference, Any] = {}
        # existing elements whose /K gained new elements
        for ref in sorted(written, key=lambda r: r.idnum):
            if old.is_ref_unassignable(ref):
                obj = new(ref)
                if _is_struct_elem(obj):
                    new_elems[ref] = obj
        for ref, elem in new_elems.items():
            target = self._annotation_of(elem)
            if target is None or target not in annotated:
                raise _refuse(self.name, f"structure element {ref.idnum} added after signing refers to no "
                                         "annotation added in the same revision")
            if _raw(annotated[target], "/Subtype") != "/Widget":
                level = _ANNOT
            approved.append(ref)
        parents: set[generic.Reference] = set()
        for ref in written:
            if ref == root_ref or old.is_ref_unassignable(ref):
                continue
            before, after = old(ref), new(ref)
            if not _is_struct_elem(before):
                continue
            self._check_grown(ref, before, after, new_elems)
            parents.add(ref)
            approved.append(ref)
        for ref, elem in new_elems.items():
            if _ref_of(_raw(elem, "/P")) not in parents:
                raise _refuse(self.name, f"structure element {ref.idnum} hangs under an element that did not "
                                         "list it")
        approved.extend(self._parent_tree(old, new, old_root, new_root, new_elems))
        for ref in approved:
            # structure elements are reached through /K, /P and the parent tree: each was compared whole
            yield level, ReferenceUpdate(ref, context_checked=None)

    @staticmethod
    def _new_annotations(old: HistoricalResolver, new: HistoricalResolver) -> dict[generic.Reference, Any]:
        out: dict[generic.Reference, Any] = {}
        for _number, page_ref in _pages(old, new):
            _arr, annots = _annots(new(page_ref))
            for a in annots:
                ref = _ref_of(a)
                if ref is not None and old.is_ref_unassignable(ref):
                    out[ref] = new(ref)
        return out

    @staticmethod
    def _annotation_of(elem: Any) -> generic.Reference | None:
        kid = _deref(_raw(elem, "/K"))
        if isinstance(kid, generic.ArrayObject) and len(kid) == 1:
            kid = _deref(kid[0])
        if not isinstance(kid, generic.DictionaryObject) or _raw(kid, "/Type") != "/OBJR":
            return None
        return _ref_of(_raw(kid, "/Obj"))

    def _check_grown(self, ref: generic.Reference, before: generic.DictionaryObject, after: Any,
                     new_elems: dict[generic.Reference, Any]) -> None:
        if not isinstance(after, generic.DictionaryObject) \
                or set(before.keys()) - {"/K"} != set(after.keys()) - {"/K"} \
                or any(not _same(before.raw_get(k), after.raw_get(k)) for k in after if k != "/K"):
            raise _refuse(self.name, f"structure element {ref.idnum} changed beyond its kids /K")
        old_k, new_k = _deref(_raw(before, "/K")), _deref(_raw(after, "/K"))
        old_list = list(old_k) if isinstance(old_k, generic.ArrayObject) else ([] if old_k is None else [old_k])
        new_list = list(new_k) if isinstance(new_k, generic.ArrayObject) else ([] if new_k is None else [new_k])
        rest = [k for k in new_list if _ref_of(k) in new_elems]
        kept = [k for k in new_list if _ref_of(k) not in new_elems]
        if len(kept) != len(old_list) or not all(map(_same, old_list, kept)) or not rest:
            raise _refuse(self.name, f"structure element {ref.idnum} lost, reordered or rewrote its kids")

    def _parent_tree(self, old: HistoricalResolver, new: HistoricalResolver, old_root: Any, new_root: Any,
                     new_elems: dict[generic.Reference, Any]) -> Iterator[generic.Reference]:
        """The new or rewritten parent-tree nodes: every old key keeps its value (the same object, or a new
        array with the same references), new keys from the old ``/ParentTreeNextKey`` on lead to new
        elements only."""
        old_tree, new_tree = _raw(old_root, "/ParentTree"), _raw(new_root, "/ParentTree")
        old_next, new_next = _deref(_raw(old_root, "/ParentTreeNextKey")), _deref(_raw(new_root, "/ParentTreeNextKey"))
        try:
            before, _ = _number_tree(old_tree)
            after, nodes = _number_tree(new_tree)
        except (TypeError, ValueError, PdfReadError) as exc:
            raise _refuse(self.name, f"the parent tree cannot be read ({exc})") from exc
        start = int(old_next) if isinstance(old_next, int) else (max(before, default=-1) + 1)
        for key, value in before.items():
            if key not in after:
                raise _refuse(self.name, f"parent-tree entry {key} was removed")
            now = after[key]
            if _same(value, now):
                continue
            copy = _ref_of(now)
            if copy is not None and old.is_ref_unassignable(copy) and _same(_deref(value), _deref(now)):
                yield copy  # a copy of the old entry (iText writes one)
                continue
            raise _refuse(self.name, f"parent-tree entry {key} was changed")
        for key, value in after.items():
            if key in before:
                continue
            targets = [_ref_of(v) for v in (_deref(value) if isinstance(_deref(value), generic.ArrayObject)
                                             else [value])]
            if key < start or not targets or any(t not in new_elems for t in targets):
                raise _refuse(self.name, f"parent-tree entry {key} does not lead to a new annotation's element")
            holder = _ref_of(value)
            if holder is not None and holder not in new_elems:
                yield holder  # an array holding the new elements
        if not isinstance(new_next, int) or new_next < start or new_next <= max(after, default=-1):
            raise _refuse(self.name, "/ParentTreeNextKey does not follow the parent tree")
        for node in nodes:
            if old.is_ref_unassignable(node) or node in _written(new):
                yield node


def _number_tree(value: Any) -> tuple[dict[int, Any], list[generic.Reference]]:
    """The entries of a number tree (key → raw value) and the references of its nodes (bounded walk)."""
    entries: dict[int, Any] = {}
    nodes: list[generic.Reference] = []
    stack = [value]
    budget = _NODE_BUDGET
    while stack and budget:
        budget -= 1
        node_value = stack.pop()
        ref = _ref_of(node_value)
        if ref is not None:
            if ref in nodes:
                raise ValueError("a number tree node appears twice")
            nodes.append(ref)
        node = _deref(node_value)
        if node is None:
            continue
        if not isinstance(node, generic.DictionaryObject):
            raise ValueError("a number tree node is not a dictionary")
        nums = _deref(_raw(node, "/Nums"))
        if nums is not None:
            if not isinstance(nums, generic.ArrayObject) or len(nums) % 2:
                raise ValueError("/Nums is not an array of pairs")
            for i in range(0, len(nums), 2):
                entries[int(nums[i])] = nums.raw_get(i + 1)
        kids = _deref(_raw(node, "/Kids"))
        if kids is not None:
            if not isinstance(kids, generic.ArrayObject):
                raise ValueError("/Kids is not an array")
            stack.extend(kids)
    if stack:
        raise ValueError("the number tree is too large")
    return entries, nodes


# -- named-annotation-appearances ---------------------------------------------------------------------------
class NamedAppearancesRule(QualifiedWhitelistRule):  # type: ignore[misc]
    """``named-annotation-appearances``: the catalogue's ``/Names`` may gain or extend its ``/AP`` tree of
    appearance streams, nothing else."""

    name = "named-annotation-appearances"

    def apply_qualified(self, old: HistoricalResolver,
                        new: HistoricalResolver) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        old_value, new_value = _raw(old.root, "/Names"), _raw(new.root, "/Names")
        old_names, new_names = _deref(old_value), _deref(new_value)
        if new_names is None:
            if old_names is not None:
                raise _refuse(self.name, "/Names was removed from the catalogue")
            return
        if old_names is not None and _same(old_value, new_value) and (
                _ref_of(new_value) is None or _ref_of(new_value) not in _written(new)):
            return  # untouched
        if not isinstance(new_names, generic.DictionaryObject) or (
                old_names is not None and not isinstance(old_names, generic.DictionaryObject)):
            raise _refuse(self.name, "/Names is not a dictionary")
        before = old_names if old_names is not None else generic.DictionaryObject()  # type: ignore[no-untyped-call]
        changed = {k for k in set(before.keys()) | set(new_names.keys())
                   if k not in before or k not in new_names or not _same(before.raw_get(k), new_names.raw_get(k))}
        if changed - {"/AP"}:
            raise _refuse(self.name, f"/Names changed after signing in {', '.join(sorted(changed - {'/AP'}))}")
        ref = _ref_of(new_value)
        if ref is not None:
            if ref != _ref_of(old_value) and not old.is_ref_unassignable(ref):
                raise _refuse(self.name, "/Names now points at an object of the signed revision")
            yield _ANNOT, ReferenceUpdate(ref, context_checked=None)
        if "/AP" in changed:
            yield from ((_ANNOT, ReferenceUpdate(r)) for r in self._appearances(old, new, new_names.raw_get("/AP")))

    def _appearances(self, old: HistoricalResolver, new: HistoricalResolver,
                     tree: Any) -> Iterator[generic.Reference]:
        stack = [tree]
        budget = _NODE_BUDGET
        while stack and budget:
            budget -= 1
            value = stack.pop()
            ref = _ref_of(value)
            if ref is not None and not old.is_ref_unassignable(ref):
                continue  # a node of the signed revision, unchanged or judged by the other rules
            if ref is not None:
                yield ref
            node = _deref(value)
            if not isinstance(node, generic.DictionaryObject):
                raise _refuse(self.name, "a node of the /AP name tree is not a dictionary")
            names = _deref(_raw(node, "/Names"))
            if isinstance(names, generic.ArrayObject):
                for leaf in list(names)[1::2]:
                    leaf_ref = _ref_of(leaf)
                    stream = _deref(leaf)
                    if leaf_ref is None or not isinstance(stream, generic.StreamObject) \
                            or _raw(stream, "/Subtype") != "/Form":
                        raise _refuse(self.name, "an /AP name tree entry is not an appearance stream")
                    if old.is_ref_unassignable(leaf_ref):
                        yield leaf_ref
                        yield from _new_deps(old, new, leaf)
            kids = _deref(_raw(node, "/Kids"))
            if isinstance(kids, generic.ArrayObject):
                stack.extend(kids)
        if stack:
            raise _refuse(self.name, "the /AP name tree is too large")


def _policy() -> StandardDiffPolicy:
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(ignored_keys=_ROOT_EXEMPT),  # type: ignore[no-untyped-call]
            DocInfoRule().as_qualified(_LTA),
            XrefStreamRule().as_qualified(_LTA),
            ObjectStreamRule().as_qualified(_LTA),
            DSSCompareRule().as_qualified(_LTA),
            MetadataUpdateRule().as_qualified(_LTA),  # type: ignore[no-untyped-call]
            NamedAppearancesRule(),
            AnnotationAddedRule(),
            StructureTreeRule(),
        ],
        form_rule=FormUpdatingRule(field_rules=[
            SigFieldCreationRule(),  # type: ignore[no-untyped-call]
            SigFieldModificationRule(),
            FieldFillRule(),
            ButtonWidgetStateRule(),
        ]),
    )


#: pyHanko's default policy with edoc's named rules (module docstring); stateless, shared by every verifier.
EDOC_DIFF_POLICY: StandardDiffPolicy = _policy()
