"""Builders of honest after-signing changes (fields of every type filled, annotations added, structure-tree
entries for them) and of the nearest attacks, for the permitted-change rules (edoc.verify.changes).

Each builder takes a PDF and returns it with one incremental update appended, written by pyHanko's
incremental writer as a PDF editor would.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

N = generic.NameObject
RADIO = 1 << 15
NO_TOGGLE_OFF = 1 << 14
COMBO = 1 << 17
MULTI_SELECT = 1 << 21


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(BytesIO(data), strict=False)


def _out(w: IncrementalPdfFileWriter) -> bytes:
    buf = BytesIO()
    w.write(buf)
    return buf.getvalue()


def _rect(*n: float) -> generic.ArrayObject:
    return generic.ArrayObject([generic.FloatObject(x) for x in n])


def _form_xobject(w: IncrementalPdfFileWriter, content: bytes, width: float = 150, height: float = 20,
                  resources: generic.DictionaryObject | None = None) -> generic.IndirectObject:
    stream = generic.StreamObject({
        N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
        N("/BBox"): _rect(0, 0, width, height),
        N("/Resources"): resources if resources is not None else generic.DictionaryObject(),
    }, stream_data=content)
    return w.add_object(stream)


def _text_ap(w: IncrementalPdfFileWriter, text: str) -> generic.DictionaryObject:
    font = w.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    res = generic.DictionaryObject({N("/Font"): generic.DictionaryObject({N("/Helv"): font})})
    shown = text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"/Tx BMC q BT /Helv 10 Tf 2 6 Td (" + shown + b") Tj ET Q EMC"
    return generic.DictionaryObject({N("/N"): _form_xobject(w, content, resources=res)})


def _walk(w: IncrementalPdfFileWriter) -> Iterator[tuple[str, Any]]:
    stack = [(ref, "") for ref in w.root["/AcroForm"]["/Fields"]]
    while stack:
        ref, prefix = stack.pop()
        node = ref.get_object()
        part = node.get("/T")
        name = f"{prefix}.{part}" if prefix and part is not None else str(part if part is not None else prefix)
        if part is not None:
            yield name, ref
        stack.extend((kid, name) for kid in node.get("/Kids", ()))


def _field(w: IncrementalPdfFileWriter, name: str) -> tuple[Any, generic.DictionaryObject]:
    for full, ref in _walk(w):
        if full == name:
            return ref, ref.get_object()
    raise LookupError(name)


# -- a form with one field of every type ------------------------------------------------------------------
def add_form(data: bytes, *, tagged: bool = False) -> bytes:
    """Add, before signing, an empty text field ``ho_ten``, a check box ``dong_y``, a radio group
    ``gioi_tinh`` (two kid widgets), a combo box ``tinh`` and a multi-select list box ``linh_vuc``; with
    ``tagged``, also a structure tree (a Document element holding the page's content) as Word or iText write
    it, so that annotations added later get their structure elements."""
    w = _writer(data)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    annots = generic.ArrayObject(list(page.get("/Annots", ())))
    form = w.root["/AcroForm"]
    fields = form["/Fields"]

    def widget(extra: dict[str, Any], rect: generic.ArrayObject) -> generic.DictionaryObject:
        d = generic.DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/Rect"): rect,
                                      N("/P"): page_ref, N("/F"): generic.NumberObject(4)})
        d.update(extra)
        return d

    def add(d: generic.DictionaryObject) -> Any:
        ref = w.add_object(d)
        annots.append(ref)
        fields.append(ref)
        return ref

    add(widget({N("/FT"): N("/Tx"), N("/T"): generic.TextStringObject("ho_ten"),
                N("/DA"): generic.TextStringObject("/Helv 10 Tf 0 g")}, _rect(50, 600, 250, 620)))

    def states(on: str) -> generic.DictionaryObject:
        return generic.DictionaryObject({N("/N"): generic.DictionaryObject({
            N(on): _form_xobject(w, b"0 g 2 2 12 12 re f", 16, 16),
            N("/Off"): _form_xobject(w, b"", 16, 16)})})

    add(widget({N("/FT"): N("/Btn"), N("/T"): generic.TextStringObject("dong_y"), N("/AS"): N("/Off"),
                N("/AP"): states("/Yes")}, _rect(50, 570, 66, 586)))

    radio = generic.DictionaryObject({N("/FT"): N("/Btn"), N("/T"): generic.TextStringObject("gioi_tinh"),
                                      N("/Ff"): generic.NumberObject(RADIO | NO_TOGGLE_OFF)})
    radio_ref = w.add_object(radio)
    kids = generic.ArrayObject()
    for i, on in enumerate(("/Nam", "/Nu")):
        kid = w.add_object(widget({N("/Parent"): radio_ref, N("/AS"): N("/Off"), N("/AP"): states(on)},
                                  _rect(50 + 40 * i, 540, 66 + 40 * i, 556)))
        kids.append(kid)
        annots.append(kid)
    radio[N("/Kids")] = kids
    fields.append(radio_ref)

    opts = generic.ArrayObject([generic.TextStringObject(t) for t in ("Hà Nội", "Huế", "Ninh Thuận")])
    add(widget({N("/FT"): N("/Ch"), N("/T"): generic.TextStringObject("tinh"), N("/Ff"): generic.NumberObject(COMBO),
                N("/Opt"): opts, N("/DA"): generic.TextStringObject("/Helv 10 Tf 0 g")}, _rect(50, 500, 250, 520)))
    add(widget({N("/FT"): N("/Ch"), N("/T"): generic.TextStringObject("linh_vuc"),
                N("/Ff"): generic.NumberObject(MULTI_SELECT),
                N("/Opt"): generic.ArrayObject([generic.TextStringObject(t) for t in ("Đất đai", "Xây dựng", "Y tế")]),
                N("/DA"): generic.TextStringObject("/Helv 10 Tf 0 g")}, _rect(50, 420, 250, 480)))
    page[N("/Annots")] = annots
    if tagged:
        _tag(w, page_ref, page)
    w.update_container(page)
    w.update_container(form)
    return _out(w)


def _tag(w: IncrementalPdfFileWriter, page_ref: Any, page: generic.DictionaryObject) -> None:
    """A structure tree: StructTreeRoot → Document → P (marked content 0 of the page), a parent tree."""
    root_ref = w.add_object(generic.DictionaryObject({N("/Type"): N("/StructTreeRoot")}))
    doc = generic.DictionaryObject({N("/Type"): N("/StructElem"), N("/S"): N("/Document"), N("/P"): root_ref})
    doc_ref = w.add_object(doc)
    para = w.add_object(generic.DictionaryObject({
        N("/Type"): N("/StructElem"), N("/S"): N("/P"), N("/P"): doc_ref, N("/Pg"): page_ref,
        N("/K"): generic.NumberObject(0)}))
    doc[N("/K")] = generic.ArrayObject([para])
    parents = w.add_object(generic.ArrayObject([para]))
    root = root_ref.get_object()
    root[N("/K")] = generic.ArrayObject([doc_ref])
    root[N("/ParentTree")] = w.add_object(generic.DictionaryObject({
        N("/Nums"): generic.ArrayObject([generic.NumberObject(0), parents])}))
    root[N("/ParentTreeNextKey")] = generic.NumberObject(1)
    page[N("/StructParents")] = generic.NumberObject(0)
    w.root[N("/StructTreeRoot")] = root_ref
    w.root[N("/MarkInfo")] = generic.DictionaryObject({N("/Marked"): generic.BooleanObject(True)})
    w.update_root()


# -- honest fillers ---------------------------------------------------------------------------------------
def fill_text(data: bytes, name: str = "ho_ten", value: str = "Nguyen Van An") -> bytes:
    """Fill a text field: /V and a new appearance stream."""
    w = _writer(data)
    _ref, field = _field(w, name)
    field[N("/V")] = generic.TextStringObject(value)
    field[N("/AP")] = _text_ap(w, value)
    w.update_container(field)
    return _out(w)


def check_box(data: bytes, name: str = "dong_y", *, set_value: bool = True) -> bytes:
    """Tick a check box: /V and /AS to its on state (``set_value=False``: only /AS, the box drawn ticked while
    its value stays off)."""
    w = _writer(data)
    _ref, field = _field(w, name)
    if set_value:
        field[N("/V")] = N("/Yes")
    field[N("/AS")] = N("/Yes")
    w.update_container(field)
    return _out(w)


def choose_radio(data: bytes, name: str = "gioi_tinh", state: str = "/Nu", *, widget_only: bool = False) -> bytes:
    """Choose a radio button: /V on the group, /AS on the kid widget of that state (the others stay /Off).
    ``widget_only`` changes the kid's /AS but not the group's /V (what a viewer shows then disagrees with
    the value: not a permitted fill)."""
    w = _writer(data)
    _ref, group = _field(w, name)
    if not widget_only:
        group[N("/V")] = N(state)
        w.update_container(group)
    for kid_ref in group["/Kids"]:
        kid = kid_ref.get_object()
        if state in kid["/AP"]["/N"]:
            kid[N("/AS")] = N(state)
            w.update_container(kid)
    return _out(w)


def choose(data: bytes, name: str = "tinh", indices: tuple[int, ...] = (1,), *, set_value: bool = True) -> bytes:
    """Choose options of a choice field: /V (the option, or the options for a multi-select list), /I (their
    indices) and a new appearance."""
    w = _writer(data)
    _ref, field = _field(w, name)
    opts = field["/Opt"]
    chosen = [opts[i] for i in indices]
    if set_value:
        field[N("/V")] = chosen[0] if len(chosen) == 1 else generic.ArrayObject(chosen)
    field[N("/I")] = generic.ArrayObject([generic.NumberObject(i) for i in indices])
    field[N("/AP")] = _text_ap(w, ", ".join(str(c) for c in chosen))
    w.update_container(field)
    return _out(w)


def change_options(data: bytes, name: str = "tinh") -> bytes:
    """The nearest attack to choosing: the option list itself rewritten (what /I points at changes)."""
    w = _writer(data)
    _ref, field = _field(w, name)
    field[N("/Opt")] = generic.ArrayObject([generic.TextStringObject(t) for t in ("Đà Nẵng", "Cần Thơ", "Huế")])
    w.update_container(field)
    return _out(w)


# -- annotations ---------------------------------------------------------------------------------------
def add_comment(data: bytes, *, subtype: str = "/Text", rect: tuple[float, float, float, float] = (520, 780, 540, 800),
                paint: str = "outline", action: bool = False, struct: str | None = None,
                named_ap: bool = False, names_extra: str | None = None) -> bytes:
    """Add a markup annotation (a sticky note by default) to page 1, as a reader's comment tool does.

    :param paint: its appearance: ``outline`` (a thin frame), ``opaque`` (a white box), ``multiply`` (a
        yellow box under a multiply blend, as highlights are drawn) or ``none`` (no appearance stream).
    :param action: give it a URI action (a link, not a comment).
    :param struct: ``annot``: also its structure element (an /Annot element with an object reference), the
        parent-tree entry and the annotation's /StructParent, as Acrobat does in a tagged PDF; ``mcid``: an
        element pointing at the page's marked content instead; ``rewrite``: the annotation's element and,
        in the same revision, the /ActualText of the page's paragraph element rewritten.
    :param named_ap: also add the catalogue's /Names /AP tree of named appearances (Acrobat's comment icons).
    :param names_extra: also add this entry (``/JavaScript``, ``/EmbeddedFiles``) to /Names.
    """
    w = _writer(data)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    x1, y1, x2, y2 = rect
    width, height = x2 - x1, y2 - y1
    annot = generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N(subtype), N("/Rect"): _rect(*rect), N("/P"): page_ref,
        N("/Contents"): generic.TextStringObject("Đề nghị xem lại"), N("/F"): generic.NumberObject(4),
        N("/T"): generic.TextStringObject("Người đọc"),
    })
    if subtype in ("/Highlight", "/Underline", "/StrikeOut", "/Squiggly"):
        annot[N("/QuadPoints")] = _rect(x1, y2, x2, y2, x1, y1, x2, y1)
    if paint != "none":
        resources = generic.DictionaryObject()
        if paint == "opaque":
            content = b"1 1 1 rg 0 0 %d %d re f" % (int(width), int(height))
        elif paint == "multiply":
            resources[N("/ExtGState")] = generic.DictionaryObject({N("/GS0"): generic.DictionaryObject({
                N("/Type"): N("/ExtGState"), N("/BM"): N("/Multiply")})})
            content = b"/GS0 gs 1 1 0 rg 0 0 %d %d re f" % (int(width), int(height))
        else:
            content = b"0 0 1 RG 1 w 1 1 %d %d re S" % (int(width) - 2, int(height) - 2)
        annot[N("/AP")] = generic.DictionaryObject({N("/N"): _form_xobject(w, content, width, height, resources)})
    if action:
        annot[N("/A")] = generic.DictionaryObject({N("/S"): N("/URI"),
                                                   N("/URI"): generic.TextStringObject("http://example.invalid/")})
    ref = w.add_object(annot)
    page[N("/Annots")] = generic.ArrayObject([*page.get("/Annots", ()), ref])
    w.update_container(page)
    if struct is not None:
        _struct_for(w, page_ref, ref, annot, "/Annot", mcid=struct == "mcid", rewrite=struct == "rewrite")
    if named_ap or names_extra:
        names = generic.DictionaryObject()
        if named_ap:
            icon = _form_xobject(w, b"0 0 1 rg 2 2 20 20 re f", 24, 24)
            names[N("/AP")] = w.add_object(generic.DictionaryObject({N("/Names"): generic.ArrayObject([
                generic.TextStringObject("~icon+Comment"), icon])}))
        if names_extra == "/JavaScript":
            script = w.add_object(generic.DictionaryObject({N("/S"): N("/JavaScript"),
                                                            N("/JS"): generic.TextStringObject("app.alert(1)")}))
            names[N("/JavaScript")] = generic.DictionaryObject({N("/Names"): generic.ArrayObject([
                generic.TextStringObject("x"), script])})
        elif names_extra is not None:
            names[N(names_extra)] = generic.DictionaryObject({N("/Names"): generic.ArrayObject()})
        w.root[N("/Names")] = w.add_object(names)
        w.update_root()
    return _out(w)


def _struct_for(w: IncrementalPdfFileWriter, page_ref: Any, annot_ref: Any, annot: generic.DictionaryObject,
                role: str, *, mcid: bool = False, rewrite: bool = False) -> None:
    """Append a structure element for ``annot`` under the Document element, with its parent-tree entry.
    ``mcid`` points the element at marked content of the page instead (not an annotation); ``rewrite``
    also changes what the page's paragraph element reads as (/ActualText)."""
    root = w.root["/StructTreeRoot"]
    doc_ref = root["/K"].raw_get(0)
    doc = doc_ref.get_object()
    key = int(root["/ParentTreeNextKey"])
    kid: Any = (generic.NumberObject(0) if mcid else
                generic.DictionaryObject({N("/Type"): N("/OBJR"), N("/Obj"): annot_ref}))
    elem = w.add_object(generic.DictionaryObject({
        N("/Type"): N("/StructElem"), N("/S"): N(role), N("/P"): doc_ref, N("/Pg"): page_ref, N("/K"): kid}))
    if rewrite:
        para = doc["/K"].raw_get(0).get_object()
        para[N("/ActualText")] = generic.TextStringObject("Quyết định số 99/QĐ-UBND")
        w.update_container(para)
    doc[N("/K")] = generic.ArrayObject([*doc["/K"], elem])
    w.update_container(doc)
    old = root["/ParentTree"]
    nums = generic.ArrayObject(list(old["/Nums"]))
    nums += [generic.NumberObject(key), elem]
    root[N("/ParentTree")] = w.add_object(generic.DictionaryObject({N("/Nums"): nums}))
    root[N("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    w.update_container(root)
    if not mcid:
        annot[N("/StructParent")] = generic.NumberObject(key)
        w.update_container(annot)
