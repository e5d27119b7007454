"""Issue 13 point 2: archive metadata comes only from signed content, and a number or date no agency signed
is not issued. The attacks are built here: /Info and XMP rewritten after the last signature; the reserved
number and date fields of a document only the person signed, filled by anyone.

Verification runs online against the live test PKI (revocation from its OCSP/CRL services)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.archive import ArchivePolicy, build_archive, find
from edoc.archive.meta import NOTHING_SIGNED, WHOLE_FILE, read_metadata, signed_scope
from edoc.verify import Indication, SignatureRole, SubIndication, Verifier

from .forge import FORGED_AUTHOR, FORGED_SUBJECT, fill_number_and_date, rewrite_info, trust_paths


def _verifier(pki_files: Path) -> Verifier:
    return Verifier(trust=list(trust_paths(pki_files)), online=True)


def _policy(pki_files: Path, **kw: Any) -> ArchivePolicy:
    return ArchivePolicy(trust=trust_paths(pki_files), online=True, **kw)


def _outcomes(root: Path) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in map(json.loads, (root / "outcomes.jsonl").read_text("utf-8").splitlines())}


def _catalogued(root: Path) -> str:
    """Everything the archive filed about its documents: catalogue rows and metadata XML."""
    texts = [json.dumps(f.fields, ensure_ascii=False) for f in find(root)]
    texts += [p.read_text("utf-8") for p in root.glob("packages/*/data/metadata/**/*.xml")]
    return "\n".join(texts)


def test_info_and_xmp_rewritten_after_the_last_signature_are_not_filed(acts, pki_files, tmp_path):
    forged = rewrite_info(acts.issued)
    report = _verifier(pki_files).verify_pdf(forged)
    # /Info and XMP are not signed: changing them after the signatures leaves the verdict alone ...
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    src = tmp_path / "src"
    src.mkdir()
    (src / "qd-17.pdf").write_bytes(forged)
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=_policy(pki_files), jobs=0)
    assert (summary.archived, summary.rejected, summary.failed) == (1, 0, 0), _outcomes(root)
    # ... but what the archive files comes from the revision the agency signed
    filed = _catalogued(root)
    assert "FORGEDSUBJECT" not in filed and "FORGEDAUTHOR" not in filed
    (doc,) = find(root)
    (tmp_path / "honest.pdf").write_bytes(acts.issued)
    assert doc.fields == read_metadata(tmp_path / "honest.pdf").fields  # as filed without the forgery
    assert (doc.fields["CodeNumber"], doc.fields["IssuedDate"]) == ("17", acts.date.isoformat())
    assert find(root, text="FORGEDSUBJECT") == [] and find(root, text="FORGEDAUTHOR") == []
    assert [f.name for f in find(root, text="Quy chế tiếp nhận")] == ["qd-17.pdf"]
    # the archived file keeps every byte (the forged update included): it is evidence, not metadata
    archived = next(root.glob("packages/*/data/documents/qd-17.pdf")).read_bytes()
    assert archived == forged
    out = CliRunner().invoke(__import__("edoc.cli", fromlist=["cli"]).cli,
                             ["archive", "find", str(root), "--text", "FORGEDSUBJECT"])
    assert out.exit_code == 0 and out.output == ""


def test_the_unchecked_preview_reads_the_forgery(acts, pki_files, tmp_path):
    """The attack is real: read without the verifier's scope, the rewritten /Info is what a reader sees."""
    path = tmp_path / "forged.pdf"
    path.write_bytes(rewrite_info(acts.approved))
    assert read_metadata(path).fields["Subject"] == FORGED_SUBJECT
    assert read_metadata(path).fields["OrganName"] == FORGED_AUTHOR
    scope = signed_scope(path, _verifier(pki_files).verify_pdf(path).to_dict())
    assert scope.content == len(acts.approved) and scope.issued == 0  # person only: nothing issued
    signed = read_metadata(path, scope=scope)
    (tmp_path / "honest.pdf").write_bytes(acts.approved)
    assert signed.fields["Subject"] == read_metadata(tmp_path / "honest.pdf").fields["Subject"]
    assert "FORGED" not in json.dumps(signed.fields, ensure_ascii=False)


def test_number_and_date_filled_after_the_person_signed_are_not_issued(acts, pki_files):
    forged = fill_number_and_date(acts.approved)
    report = _verifier(pki_files).verify_pdf(forged)
    (person,) = report.signatures
    assert person.role is SignatureRole.PERSON and person.indication is Indication.TOTAL_PASSED  # intact
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE,
                                                      SubIndication.SIG_CONSTRAINTS_FAILURE)
    findings = {dict(m.params)["field"]: dict(m.params)["value"] for m in report.messages
                if m.key == "profile.not_issued"}
    assert findings == {"edoc.number": "127", "edoc.date": "ngày 03 tháng 02 năm 2026"}
    assert "not issued" in " ".join(report.problems())
    assert "chưa được ban hành" in report.messages[0].text("vi")


def test_issued_document_passes_and_is_filed_with_its_number(acts, pki_files, tmp_path):
    report = _verifier(pki_files).verify_pdf(acts.issued)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    assert not [m for m in report.messages if m.key == "profile.not_issued"]
    src = tmp_path / "src"
    src.mkdir()
    (src / "qd-17.pdf").write_bytes(acts.issued)
    root = tmp_path / "arc"
    assert build_archive([src], root, policy=_policy(pki_files), jobs=0).archived == 1
    assert [f.name for f in find(root, number="17/QĐ-UBND", year="2026")] == ["qd-17.pdf"]


@pytest.mark.parametrize("accept_indeterminate", [False, True])
def test_archive_never_files_an_unissued_number(acts, pki_files, tmp_path, accept_indeterminate):
    src = tmp_path / "src"
    src.mkdir()
    (src / "qd-127.pdf").write_bytes(fill_number_and_date(acts.approved))
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=_policy(pki_files, accept_indeterminate=accept_indeterminate),
                            jobs=0)
    outcome = _outcomes(root)["qd-127.pdf"]
    assert outcome["verdict"] == "INDETERMINATE"
    if not accept_indeterminate:  # rejected with the profile finding in its report
        assert (summary.archived, summary.rejected) == (0, 1) and outcome["outcome"] == "rejected"
        rejected = json.loads((root / "rejected.jsonl").read_text("utf-8"))
        assert "profile.not_issued" in {m["key"] for m in rejected["report"]["messages"]}
    else:  # archived as what it is: approved by the person, not issued
        assert summary.archived == 1
        (doc,) = find(root)
        assert "CodeNumber" not in doc.fields and "IssuedDate" not in doc.fields, doc.fields
        assert "127" not in _catalogued(root) and "2026-02-03" not in _catalogued(root)
    assert find(root, number="127") == []


def test_a_personal_certificate_in_the_agency_field_issues_nothing(acts, pki_files, tmp_path):
    """The issue act done with a person's certificate: the field says agency, the certificate says person."""
    import datetime as dt

    from edoc.samples import make_seal_png
    from edoc.sign import KeySessionFactory, issue
    from pki import pem_uri

    someone = KeySessionFactory(pem_uri(pki_files, "person-ec")).open()
    forged = issue(acts.approved, session=someone, seal=make_seal_png(tmp_path / "seal.png"), number=127,
                   date=dt.date(2026, 2, 3)).data
    report = _verifier(pki_files).verify_pdf(forged)
    assert [s.role for s in report.signatures] == [SignatureRole.PERSON, SignatureRole.AGENCY]
    assert all(s.indication is Indication.TOTAL_PASSED for s in report.signatures)
    assert report.verdict is Indication.INDETERMINATE
    assert {m.key for m in report.messages} == {"profile.not_issued"}
    path = tmp_path / "x.pdf"
    path.write_bytes(forged)
    scope = signed_scope(path, report.to_dict())
    assert scope.issued == 0 and scope.content == len(forged)
    assert "CodeNumber" not in read_metadata(path, scope=scope).fields


def test_scope_of_reports(tmp_path):
    """The scope is read from the report: no signature list (an injected verifier) vouches for the whole file;
    an edXML with an intact envelope signature too; a failed or absent signature for nothing."""
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    assert signed_scope(path, {"verdict": "TOTAL_PASSED"}) == WHOLE_FILE
    assert signed_scope(path, {"format": "pdf", "signatures": []}) == NOTHING_SIGNED
    sig = {"role": "envelope", "indication": "TOTAL_PASSED", "checks": {"integrity": "passed", "crypto": "passed"}}
    assert signed_scope(path, {"format": "edxml", "signatures": [sig]}) == WHOLE_FILE
    broken = sig | {"indication": "TOTAL_FAILED", "checks": {"integrity": "failed", "crypto": "not_checked"}}
    assert signed_scope(path, {"format": "edxml", "signatures": [broken]}) == NOTHING_SIGNED


@pytest.mark.parametrize("zipped", [False, True])
def test_an_unsigned_edxml_header_is_not_filed(acts, pki_files, tmp_path, zipped):
    """An edXML message without an envelope signature: its header (subject, organ, number) is anyone's; the
    archive files what the signed PDF it carries says, and the archivist's sidecar for the record code."""
    import dataclasses

    from edoc.edxml import write_edxml
    from edoc.model.document import Attachment
    from edoc.samples import thuan_nam_decision

    header = dataclasses.replace(thuan_nam_decision(numbered=True), number=999, summary=FORGED_SUBJECT)
    message = header.replace(attachments=(Attachment(name="qd-17.pdf", data=acts.issued,
                                                     content_type="application/pdf"),))
    src = tmp_path / "src"
    src.mkdir()
    write_edxml(message, src / "qd.edxml", zip_attachments=zipped)
    (src / "qd.edxml.json").write_text(json.dumps({"OrganId": "000.10.32.H43"}), "utf-8")
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=_policy(pki_files), jobs=0)
    assert summary.archived == 1, _outcomes(root)
    (doc,) = find(root)
    assert (doc.fields["CodeNumber"], doc.fields["IssuedDate"]) == ("17", "2026-03-09")  # the signed PDF's
    assert doc.fields["OrganId"] == "000.10.32.H43"  # the archivist's
    assert "FORGEDSUBJECT" not in _catalogued(root) and find(root, number="999") == []


def test_an_appendix_reference_filled_after_the_person_signed_is_not_issued(acts, pki_files):
    """The appendix heading's reserved "Kèm theo … số …" fields follow the same rule as the number."""
    from .forge import fill_field

    forged = fill_field(acts.approved, "edoc.ref1.number", "127")
    report = _verifier(pki_files).verify_pdf(forged)
    assert report.verdict is Indication.INDETERMINATE
    assert [dict(m.params) for m in report.messages] == [{"field": "edoc.ref1.number", "value": "127"}]
    issued = _verifier(pki_files).verify_pdf(acts.issued)  # issue filled them under the agency's signature
    assert issued.verdict is Indication.TOTAL_PASSED, issued.problems()
