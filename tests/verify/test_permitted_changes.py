"""The named permitted-change rules (edoc.verify.changes): each admits its honest case and refuses the nearest
attack; the shadow and overlay attacks keep failing; the EU DSS VALID files are never failed."""

from __future__ import annotations

import csv
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest

import needs
from edoc.verify import Check, DocumentReport, Indication, SubIndication, VerifyPolicy

from . import attacks, forms
from .conftest import CORPUS, NOW, VerifyPKI, doc_timestamp, make_crl, make_pdf, sign, timestamper

Build = Callable[..., Any]


def _reasons(report: DocumentReport) -> str:
    return " | ".join(f"{m.key}: {dict(m.params).get('reason', '')}" for s in report.signatures for m in s.messages)


def _admitted(report: DocumentReport, level: str) -> None:
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    mods = report.signatures[0].modifications
    assert mods is not None and mods.level == level and mods.permitted is not False, mods


def _refused(report: DocumentReport, rule: str | None = None) -> None:
    assert report.verdict is Indication.TOTAL_FAILED, _reasons(report)
    assert report.subindication is SubIndication.FORMAT_FAILURE
    assert report.signatures[0].integrity is Check.PASSED  # the signature itself is intact: the change is not
    if rule is not None:
        assert f"[{rule}]" in _reasons(report)


@pytest.fixture(scope="module")
def form_signed(vpki: VerifyPKI) -> bytes:
    """A form with a field of every type, signed before any of them is filled."""
    return sign(forms.add_form(make_pdf(sig_fields=("edoc.sig.person",))), vpki.person, vpki, field="edoc.sig.person")


@pytest.fixture(scope="module")
def tagged_signed(vpki: VerifyPKI) -> bytes:
    """The same form in a tagged PDF (a structure tree), signed."""
    base = forms.add_form(make_pdf(sig_fields=("edoc.sig.person",)), tagged=True)
    return sign(base, vpki.person, vpki, field="edoc.sig.person")


# -- field-fill and button-widget-state: every field type -------------------------------------------------------
@pytest.fixture(scope="module")
def prefilled_signed(vpki: VerifyPKI) -> bytes:
    """The form with every field filled before signing."""
    form = forms.add_form(make_pdf(sig_fields=("edoc.sig.person",)))
    filled = forms.choose(forms.choose(forms.choose_radio(forms.check_box(forms.fill_text(form)))), "linh_vuc", (0,))
    return sign(filled, vpki.person, vpki, field="edoc.sig.person")


_FILLS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes, bytes], bytes], str | None]] = {
    # honest fill of an empty field; nearest attack (given the empty and the prefilled signed form); the rule
    "text": (forms.fill_text, lambda _e, pre: forms.fill_text(pre, value="Someone else"), None),  # shadow replace
    "check-box": (forms.check_box, lambda e, _p: forms.check_box(e, set_value=False), "field-fill"),
    "radio": (forms.choose_radio, lambda e, _p: forms.choose_radio(e, widget_only=True), "button-widget-state"),
    "combo-index": (forms.choose, lambda e, _p: forms.change_options(e), None),
    "list-indices": (lambda d: forms.choose(d, "linh_vuc", (0, 2)),
                     lambda e, _p: forms.choose(e, "linh_vuc", (0, 2), set_value=False), "field-fill"),
    "list-reselected": (lambda d: forms.choose(d, "linh_vuc", (1,)),
                        lambda _e, pre: forms.choose(pre, "linh_vuc", (2,)), None),  # shadow replace of a choice
}


@pytest.mark.parametrize("case", list(_FILLS))
def test_fields_of_every_type_filled_after_signing(form_signed: bytes, prefilled_signed: bytes,
                                                   verifier_for: Build, case: str) -> None:
    honest, attack, rule = _FILLS[case]
    _admitted(verifier_for().verify_pdf(honest(form_signed)), "form_filling")
    _refused(verifier_for().verify_pdf(attack(form_signed, prefilled_signed)), rule)


def test_fill_after_fill_of_another_field_and_both_signatures(form_signed: bytes, vpki: VerifyPKI,
                                                             verifier_for: Build) -> None:
    """A clerk fills the fields, then the agency signs: both signatures pass, the first reports form filling."""
    filled = forms.choose(forms.choose_radio(forms.check_box(forms.fill_text(form_signed))), "linh_vuc", (1,))
    both = sign(filled, vpki.agency, vpki, field="edoc.sig.agency")
    report = verifier_for().verify_pdf(both)
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    assert [s.modifications.level for s in report.signatures if s.modifications] == ["form_filling", "none"]


def test_signature_field_added_under_an_existing_group(vpki: VerifyPKI, verifier_for: Build) -> None:
    """edoc names its fields edoc.sig.person, edoc.sig.agency: a second signer whose field was not reserved
    creates it under the existing edoc.sig group. A text field slipped in there instead is refused."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    one = sign(make_pdf(sig_fields=("edoc.sig.person",)), vpki.person, vpki, field="edoc.sig.person")
    report = verifier_for().verify_pdf(sign(one, vpki.agency, vpki, field="edoc.sig.agency"))
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)

    w = IncrementalPdfFileWriter(BytesIO(one), strict=False)
    group_ref = w.root["/AcroForm"]["/Fields"][0].raw_get("/Kids").raw_get(0)  # edoc → sig
    group = group_ref.get_object()
    text = w.add_object(generic.DictionaryObject({
        generic.NameObject("/FT"): generic.NameObject("/Tx"), generic.NameObject("/T"): generic.TextStringObject("so"),
        generic.NameObject("/V"): generic.TextStringObject("99/QĐ-UBND"), generic.NameObject("/Parent"): group_ref}))
    group[generic.NameObject("/Kids")] = generic.ArrayObject([*group.raw_get("/Kids"), text])
    w.update_container(group)
    buf = BytesIO()
    w.write(buf)
    bad = verifier_for().verify_pdf(buf.getvalue())
    _refused(bad)
    assert "edoc.sig.so" in _reasons(bad)  # named by pyHanko's field-creation rule, which judges it first


# -- annotation-added --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {},  # a sticky note in the margin
    {"subtype": "/FreeText", "rect": (300, 300, 450, 330), "paint": "opaque"},  # an opaque text box on blank paper
    {"subtype": "/Highlight", "rect": (30, 800, 200, 816), "paint": "multiply"},  # a highlight over text
    {"subtype": "/StrikeOut", "rect": (30, 800, 200, 816), "paint": "none"},  # drawn by the viewer
    {"subtype": "/Square", "rect": (300, 300, 450, 330)},
], ids=["note", "free-text", "highlight", "strike-out", "square"])
def test_comment_added_after_signing_is_permitted_with_a_warning(form_signed: bytes, verifier_for: Build,
                                                                 kwargs: dict[str, Any]) -> None:
    report = verifier_for().verify_pdf(forms.add_comment(form_signed, **kwargs))
    _admitted(report, "annotations")
    assert "modification.annotations" in {m.key for m in report.signatures[0].messages}
    strict = verifier_for(policy=VerifyPolicy(allow_annotations=False)).verify_pdf(forms.add_comment(form_signed,
                                                                                                     **kwargs))
    assert strict.verdict is Indication.TOTAL_FAILED


@pytest.mark.parametrize(("kwargs", "covered"), [
    ({"subtype": "/FreeText", "rect": (25, 795, 250, 820), "paint": "opaque"}, "text"),  # the number hidden
    ({"subtype": "/Square", "rect": (45, 595, 260, 625), "paint": "opaque"}, "the form field ho_ten"),
    ({"subtype": "/Highlight", "rect": (30, 800, 200, 816), "paint": "opaque"}, "text"),  # a "highlight" in white
    ({"subtype": "/Stamp", "rect": (0, 0, 595, 842), "paint": "none"}, "the form field"),
], ids=["free-text-over-text", "box-over-field", "opaque-highlight", "page-sized-stamp"])
def test_overlay_annotation_is_refused(form_signed: bytes, verifier_for: Build, kwargs: dict[str, Any],
                                       covered: str) -> None:
    report = verifier_for().verify_pdf(forms.add_comment(form_signed, **kwargs))
    _refused(report, "annotation-added")
    assert f"covers {covered}" in _reasons(report) and "(overlay)" in _reasons(report)


def test_the_published_overlay_attack_fails(signed_two: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(attacks.overlay_annotation(signed_two))
    assert report.verdict is Indication.TOTAL_FAILED
    assert "covers text that was signed (overlay)" in _reasons(report)


@pytest.mark.parametrize(("kwargs", "why"), [
    ({"action": True}, "carries /A"),
    ({"subtype": "/Link"}, "only comments"),
    ({"subtype": "/FileAttachment"}, "only comments"),
], ids=["with-action", "link", "file-attachment"])
def test_annotations_that_act_are_refused(form_signed: bytes, verifier_for: Build, kwargs: dict[str, Any],
                                          why: str) -> None:
    report = verifier_for().verify_pdf(forms.add_comment(form_signed, **kwargs))
    _refused(report, "annotation-added")
    assert why in _reasons(report)


def _certify(data: bytes, vpki: VerifyPKI, perms: int) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(signing_cert=vpki.person.asn1_cert, signing_key=vpki.person.asn1_key,
                                  cert_registry=SimpleCertificateStore.from_certs([vpki.root.asn1_cert]))
    meta = signers.PdfSignatureMetadata(field_name="edoc.sig.person", md_algorithm="sha256", certify=True,
                                        docmdp_permissions=fields.MDPPerm(perms))
    out = BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(BytesIO(data), strict=False), output=out)
    return out.getvalue()


@pytest.mark.parametrize(("perms", "passes"), [(3, True), (2, False), (1, False)], ids=["P3", "P2", "P1"])
def test_docmdp_decides_whether_a_comment_may_follow_a_certification(vpki: VerifyPKI, verifier_for: Build,
                                                                     perms: int, passes: bool) -> None:
    certified = _certify(forms.add_form(make_pdf(sig_fields=("edoc.sig.person",))), vpki, perms)
    report = verifier_for().verify_pdf(forms.add_comment(certified))
    if passes:
        _admitted(report, "annotations")
    else:
        assert report.verdict is Indication.TOTAL_FAILED
        assert "modification.docmdp" in {m.key for m in report.signatures[0].messages}
    if perms >= 2:  # filling a field is what P=2 and P=3 both allow
        _admitted(verifier_for().verify_pdf(forms.fill_text(certified)), "form_filling")


# -- structure-tree-for-annotations ---------------------------------------------------------------------------
def test_structure_elements_of_an_added_comment(tagged_signed: bytes, verifier_for: Build) -> None:
    _admitted(verifier_for().verify_pdf(forms.add_comment(tagged_signed, struct="annot")), "annotations")


@pytest.mark.parametrize(("struct", "why"), [
    ("mcid", "refers to no annotation"),  # an element claiming page content
    ("rewrite", "changed beyond its kids"),  # what a screen reader or copy-paste reads, rewritten
], ids=["element-for-page-content", "actual-text-rewritten"])
def test_structure_changes_beyond_the_comment_are_refused(tagged_signed: bytes, verifier_for: Build, struct: str,
                                                          why: str) -> None:
    report = verifier_for().verify_pdf(forms.add_comment(tagged_signed, struct=struct))
    _refused(report, "structure-tree-for-annotations")
    assert why in _reasons(report)


def test_structure_elements_of_a_later_signature_widget(vpki: VerifyPKI, verifier_for: Build) -> None:
    """A signature field added with its /Form structure element (as iText writes it: the EU DSS file
    pdf-structtreeroot-changes.pdf) leaves the first signature intact and permitted."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    first = sign(forms.add_form(make_pdf(sig_fields=("edoc.sig.person",)), tagged=True), vpki.person, vpki,
                 field="edoc.sig.person")
    w = IncrementalPdfFileWriter(BytesIO(first), strict=False)
    fields.append_signature_field(w, fields.SigFieldSpec("Signature2", box=(300, 100, 500, 160)))
    page_ref = w.find_page_for_modification(0)[0]
    widget = next(ref for ref in w.root["/AcroForm"]["/Fields"] if ref.get_object().get("/T") == "Signature2")
    forms._struct_for(w, page_ref, widget, widget.get_object(), "/Form")
    buf = BytesIO()
    w.write(buf)
    both = sign(buf.getvalue(), vpki.agency, vpki, field="Signature2")
    report = verifier_for().verify_pdf(both)
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)


# -- named-annotation-appearances -------------------------------------------------------------------------------
def test_named_appearances_of_comment_icons(form_signed: bytes, verifier_for: Build) -> None:
    _admitted(verifier_for().verify_pdf(forms.add_comment(form_signed, named_ap=True)), "annotations")


@pytest.mark.parametrize("extra", ["/JavaScript", "/EmbeddedFiles"])
def test_other_name_trees_are_refused(form_signed: bytes, verifier_for: Build, extra: str) -> None:
    report = verifier_for().verify_pdf(forms.add_comment(form_signed, named_ap=True, names_extra=extra))
    _refused(report, "named-annotation-appearances")
    assert extra in _reasons(report)


# -- LTV data and time-stamps after any signature ---------------------------------------------------------------
def _sign_lt(data: bytes, who: Any, vpki: VerifyPKI, field: str, *, certify: bool = False) -> bytes:
    """PAdES B-LT (a signature time-stamp and a DSS with the chain's CRL), as a second signer's tool adds it."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    vc = ValidationContext(trust_roots=[vpki.root.asn1_cert], moment=NOW, allow_fetching=False,
                           crls=[asn1_crl.CertificateList.load(make_crl(vpki, []))])
    signer = signers.SimpleSigner(signing_cert=who.asn1_cert, signing_key=who.asn1_key,
                                  cert_registry=SimpleCertificateStore.from_certs([vpki.root.asn1_cert]))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", embed_validation_info=True,
                                        validation_context=vc, subfilter=fields.SigSeedSubFilter.PADES,
                                        certify=certify, docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    out = BytesIO()
    signers.PdfSigner(meta, signer=signer, timestamper=timestamper(vpki)).sign_pdf(  # type: ignore[arg-type]
        IncrementalPdfFileWriter(BytesIO(data), strict=False), output=out)
    return out.getvalue()


def test_b_lt_signatures_one_after_another_then_a_document_timestamp(vpki: VerifyPKI,
                                                                     verifier_for: Build) -> None:
    one = _sign_lt(make_pdf(), vpki.person, vpki, "edoc.sig.person", certify=True)
    two = _sign_lt(one, vpki.agency, vpki, "edoc.sig.agency")
    three = doc_timestamp(two, vpki)
    for doc, count in ((two, 2), (three, 3)):
        report = verifier_for().verify_pdf(doc)
        assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
        assert len(report.signatures) == count
        assert all(s.modifications is not None and s.modifications.permitted is not False
                   for s in report.signatures)
    # nearest attack: the same LTV revision also rewrites the page (incremental saving)
    bad = verifier_for().verify_pdf(attacks.incremental_content_change(two))
    assert bad.verdict is Indication.TOTAL_FAILED


# -- shadow attacks -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("attack", [attacks.shadow_hide, attacks.shadow_hide_and_replace],
                         ids=["hide", "hide-and-replace"])
def test_shadow_attacks_fail(vpki: VerifyPKI, verifier_for: Build, attack: Callable[[bytes], bytes]) -> None:
    signed = sign(attacks.prepare_shadow(forms.add_form(make_pdf(sig_fields=("edoc.sig.person",)))), vpki.person,
                  vpki, field="edoc.sig.person")
    assert verifier_for().verify_pdf(signed).verdict is Indication.TOTAL_PASSED
    _refused(verifier_for().verify_pdf(attack(signed)))
    # still refused when the switch hides behind an honest-looking comment in the same revision
    _refused(verifier_for().verify_pdf(attack(forms.add_comment(signed))))


# -- the EU DSS VALID files -------------------------------------------------------------------------------------
_VALID = [r["path"] for r in csv.DictReader((CORPUS / "expectations.csv").open(encoding="utf-8"))
          if r["expected"] == "VALID" and r["path"].startswith("pades/")] \
    if (CORPUS / "expectations.csv").exists() else []


@pytest.mark.parametrize("path", needs.corpus(_VALID, where="corpora/dss/expectations.csv", ids=_VALID))
def test_dss_valid_files_are_never_failed(path: str) -> None:
    from edoc.verify import Verifier

    from .test_corpus import embedded_certs

    report = Verifier(trust=embedded_certs(CORPUS / path), online=False).verify_pdf(CORPUS / path)
    assert report.verdict is not Indication.TOTAL_FAILED, _reasons(report)
    assert all(s.modifications is not None and s.modifications.permitted is not False for s in report.signatures)


def test_dss_corpus_is_present() -> None:
    needs.require_shared("corpora/dss/expectations.csv")
    assert {"pades/pdf-structtreeroot-changes.pdf", "pades/pades-signed-annot-added.pdf"} <= set(_VALID)


# -- the adapter to pyHanko's rule set --------------------------------------------------------------------------
def test_rules_extend_pyhankos_current_sets() -> None:
    """edoc copies two of pyHanko's internal key sets and adds to them: an upgrade that changes them must be
    looked at (this fails loudly)."""
    from pyhanko.sign.diff_analysis import constants

    from edoc.verify import changes

    assert constants.ROOT_EXEMPT_STRICT_COMPARISON | {"/Names"} == changes._ROOT_EXEMPT
    assert constants.VALUE_UPDATE_KEYS | {"/I"} == changes._VALUE_KEYS
    assert [r.name for r in changes.PERMITTED_CHANGES] == [
        "field-fill", "signature-field-in-group", "button-widget-state", "annotation-added",
        "structure-tree-for-annotations", "named-annotation-appearances"]
