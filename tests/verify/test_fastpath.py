"""The fast reading of signatures (``edoc.verify.pdf._read_fast``) decides exactly as pyHanko's own path.

Every document below is verified twice: as shipped, and with the fast reading switched off so that pyHanko
reads and validates every signature. The verdicts, sub-indications, checks, modification levels and
message keys must be the same: the fast path may only be faster, never laxer (nor stricter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import needs
from edoc.verify import DocumentReport, Indication, SubIndication, Verifier
from edoc.verify import pdf as pdf_mod
from oracles import stock_pyhanko

from . import attacks
from .conftest import CORPUS, NOW, VerifyPKI, add_dss, doc_timestamp, make_crl, make_pdf, sign
from .test_corpus import PINS, embedded_certs


def _summary(report: DocumentReport) -> tuple[Any, ...]:
    sigs = tuple(
        (s.field_name, s.role, s.indication, s.subindication, s.integrity, s.crypto, s.chain, s.revocation,
         s.modifications.level if s.modifications else None,
         s.modifications.permitted if s.modifications else None,
         s.signing_time, s.timestamp_time, s.digest_algorithm,
         tuple(sorted((m.key, m.level) for m in s.messages)))
        for s in report.signatures)
    return report.verdict, report.subindication, sigs, tuple(sorted(m.key for m in report.messages))


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Any, Any]:
    """The verdict with the fast path, and with pyHanko as shipped reading and validating every signature
    (edoc's reader patch removed for the oracle: tests/oracles.py)."""
    kwargs.setdefault("online", False)  # the same answer both ways, never the network's
    fast = Verifier(**kwargs).verify_pdf(data)
    with monkeypatch.context() as m, stock_pyhanko():
        m.setattr(pdf_mod, "_read_fast", lambda *_a, **_k: None)
        slow = Verifier(**kwargs).verify_pdf(data)
    return _summary(fast), _summary(slow)


def _offline(vpki: VerifyPKI) -> Verifier:
    """Offline, with a current CRL of the test root: revocation checked, no network."""
    return Verifier(trust=[vpki.root.cert], at=NOW, online=False, revocation_data=[make_crl(vpki, [])])


def _docs(vpki: VerifyPKI) -> dict[str, bytes]:
    one = sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person")
    two = sign(one, vpki.agency, vpki, field="edoc.sig.agency")
    empty_form = sign(make_pdf(form_field="so_ky_hieu", form_value=None), vpki.person, vpki,
                      field="edoc.sig.person")
    prefilled = sign(make_pdf(form_field="so_ky_hieu"), vpki.person, vpki, field="edoc.sig.person")
    crl = make_crl(vpki, [vpki.person])
    return {
        "one": one,
        "two": two,
        "three-pages": sign(sign(make_pdf(3), vpki.person, vpki, field="edoc.sig.person"), vpki.agency, vpki,
                            field="edoc.sig.agency"),
        "stranger": sign(make_pdf(), vpki.stranger, vpki),
        "expired": sign(make_pdf(), vpki.expired, vpki),
        "weak-key": sign(make_pdf(), vpki.weak, vpki),
        "sha1": sign(make_pdf(), vpki.person, vpki, md="sha1"),
        "sha512": sign(make_pdf(), vpki.person, vpki, md="sha512"),
        "no-root-embedded": sign(make_pdf(), vpki.person, vpki, embed_root=False),
        "with-timestamp": sign(make_pdf(), vpki.person, vpki, with_timestamp=True),
        "doc-timestamp": doc_timestamp(two, vpki),
        "revoked-in-dss": add_dss(one, crl),
        "filled-after": attacks.set_field_value(empty_form, "so_ky_hieu", "15/QĐ-UBND"),
        "filled-then-signed": sign(attacks.set_field_value(empty_form, "so_ky_hieu", "15/QĐ-UBND"), vpki.agency,
                                   vpki, field="edoc.sig.agency"),
        "timestamped-then-signed": sign(doc_timestamp(one, vpki), vpki.agency, vpki, field="edoc.sig.agency"),
        "shadow-replace": attacks.set_field_value(prefilled, "so_ky_hieu", "99/QĐ-UBND"),
        "byte-flip": attacks.signed_range_flip(two),
        "incremental-saving": attacks.incremental_content_change(two),
        "added-page": attacks.added_page(two),
        "overlay": attacks.overlay_annotation(two),
        "garbage": attacks.append_garbage(two),
        "empty-contents": attacks.empty_contents(two),
        "forged-range": attacks.forge_byte_range(two, b"[0 100 200 300]"),
        "truncated": two[: len(two) - 40],
    }


@pytest.fixture(scope="module")
def docs(vpki: VerifyPKI) -> dict[str, bytes]:
    return _docs(vpki)


_CASES = ["one", "two", "three-pages", "stranger", "expired", "weak-key", "sha1", "sha512", "no-root-embedded",
          "with-timestamp", "doc-timestamp", "revoked-in-dss", "filled-after", "filled-then-signed",
          "timestamped-then-signed", "shadow-replace", "byte-flip",
          "incremental-saving", "added-page", "overlay", "garbage", "empty-contents", "forged-range",
          "truncated"]


@pytest.mark.parametrize("name", _CASES)
def test_fast_path_decides_as_pyhanko(name: str, docs: dict[str, bytes], vpki: VerifyPKI,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(docs[name], monkeypatch, trust=[vpki.root.cert], at=NOW, online=False)
    assert fast == slow


def test_fast_path_is_taken_for_an_ordinary_signature(docs: dict[str, bytes]) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    data = docs["two"]
    reader = PdfFileReader(BytesIO(data), strict=False)
    read = [pdf_mod._read_fast(reader, data, str(n), f)
            for n, o, f in enumerate_sig_fields(reader, filled_status=True) if o is not None]
    assert len(read) == 2 and all(r is not None for r in read)


@pytest.mark.parametrize("name", ["one", "two", "three-pages", "with-timestamp", "filled-then-signed"])
def test_ordinary_signatures_never_reach_the_slow_path(name: str, docs: dict[str, bytes], vpki: VerifyPKI,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path leans on pyHanko functions that are public in name only (``handle_certvalidator_errors``,
    ``validate_algorithm_protection``, ``process_data_at_eof``…): if an upgrade changes them, the fast path
    falls back silently and the differential tests above still pass; this one fails loudly instead."""

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("fell back to pyHanko's EmbeddedPdfSignature")

    monkeypatch.setattr(pdf_mod, "EmbeddedPdfSignature", refuse)
    report = _offline(vpki).verify_pdf(docs[name])
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()


def test_contents_not_in_the_gap_is_left_to_pyhanko(docs: dict[str, bytes], vpki: VerifyPKI,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A /Contents key that the lexer does not see as the dictionary's (here: swallowed by a literal
    string opened just before it) must not be taken from the /ByteRange gap."""
    data = docs["one"]
    at = data.rindex(b"/Contents <")
    bent = data[:at - 1] + b"(" + data[at:]  # the byte before /Contents (a line end) becomes "("
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(BytesIO(bent), strict=False)
    assert all(pdf_mod._read_fast(reader, bent, str(n), f) is None
               for n, o, f in enumerate_sig_fields(reader, filled_status=True) if o is not None)
    report = _offline(vpki).verify_pdf(bent)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)


def test_batch_reuses_path_validation(docs: dict[str, bytes], vpki: VerifyPKI,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = pdf_mod._signer_cert_result

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(pdf_mod, "_signer_cert_result", counting)
    verifier = _offline(vpki)
    for _ in range(3):
        assert verifier.verify_pdf(docs["one"]).verdict is Indication.TOTAL_PASSED
    assert len(calls) == 1


_PADES = [path for path in PINS if path.startswith("pades/")] if (CORPUS / "expectations.csv").exists() else []


@pytest.mark.parametrize("path", needs.corpus(_PADES, where="corpora/dss/expectations.csv", ids=_PADES))
def test_fast_path_decides_as_pyhanko_on_the_corpus(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    file = CORPUS / path
    fast, slow = _both(Path(file).read_bytes(), monkeypatch, trust=embedded_certs(file), online=False)
    assert fast == slow
