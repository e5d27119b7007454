"""Messages shaped like the outputs of the national axis SDKs (written by us from the spec, not copied)."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest

from edoc.edxml import Severity, read_edxml, status_for, validate
from edoc.errors import MalformedFile
from edoc.model import BusinessType, DocumentType, Priority, StatusCode, SteeringType

PDF = b"%PDF-1.4\n% fictional signed document\n" + bytes(range(256)) * 4


def _zip_b64(data: bytes, entry: str = "6f1c2a9e-5b7d-4c1e-9a0b-2d3e4f5a6b7c.pdf") -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(entry, date_time=(2015, 9, 30, 14, 5, 0)), data, zipfile.ZIP_DEFLATED)
    return base64.b64encode(buf.getvalue()).decode()


# Java SDK shape: Bussiness BEFORE TraceHeader, unprefixed children inside the envelope, zipped attachment,
# a placeholder Signature (no XML-DSig namespace, SHA-1), a short OrganId in To, non-numeric CodeNumber,
# SteeringType 0.
JAVA_SDK = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope>
<edXML:edXMLHeader>
<edXML:MessageHeader>
<From><OrganId>000.00.00.G22</OrganId><OrganizationInCharge>Chính phủ</OrganizationInCharge>
<OrganName>Văn phòng Chính phủ</OrganName><OrganAdd>1 Hoàng Hoa Thám, Hà Nội</OrganAdd>
<Email>vpcp@chinhphu.vn</Email><Telephone>080 43162</Telephone><Fax></Fax><Website>chinhphu.vn</Website></From>
<To><OrganId>000.00.H47</OrganId><OrganName>UBND tỉnh Quảng Trị</OrganName></To>
<DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>
<Code><CodeNumber>7816a</CodeNumber><CodeNotation>VPCP-TTĐT</CodeNotation></Code>
<PromulgationInfo><Place>Hà Nội</Place><PromulgationDate>2015/09/30</PromulgationDate></PromulgationInfo>
<DocumentType><Type>1</Type><TypeDetail>0</TypeDetail><TypeName>Công văn</TypeName></DocumentType>
<Subject>V/v triển khai trục liên thông văn bản quốc gia</Subject>
<Content>Triển khai kết nối</Content>
<SignerInfo><Competence>KT. BỘ TRƯỞNG, CHỦ NHIỆM</Competence><Position>PHÓ CHỦ NHIỆM</Position>
<FullName>Nguyễn Văn A</FullName></SignerInfo>
<DueDate>2015/10/15</DueDate>
<ToPlaces><Place>Như trên</Place><Place>Lưu: VT, TTĐT</Place></ToPlaces>
<OtherInfo><Priority>1</Priority><SphereOfPromulgation>Liên thông văn bản quốc gia</SphereOfPromulgation>
<TyperNotation>TVC</TyperNotation><PromulgationAmount>1</PromulgationAmount><PageAmount>2</PageAmount>
<Direction>false</Direction><Appendixes/></OtherInfo>
<SteeringType>0</SteeringType>
</edXML:MessageHeader>
<edXML:TraceHeaderList>
<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:BussinessDocReason/>
<edXML:Paper>0</edXML:Paper></edXML:Bussiness>
<edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId>
<edXML:Timestamp>2015/09/30 14:05:00</edXML:Timestamp></edXML:TraceHeader>
</edXML:TraceHeaderList>
<Signature><SignedInfo><CanonicalizationMethod Algorithm="c14n"/><SignatureMethod Algorithm="rsa-sha1"/>
</SignedInfo><SignatureValue>AAAA</SignatureValue><KeyInfo><X509Data><X509Certificate>MIIB</X509Certificate>
</X509Data></KeyInfo></Signature>
</edXML:edXMLHeader>
<edXML:edXMLBody><edXML:edXMLManifest version="1.0">
<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:6f1c2a9e">
<edXML:ContentId>cid:6f1c2a9e</edXML:ContentId><edXML:ContentType>application/zip</edXML:ContentType>
<edXML:Description>Văn bản</edXML:Description><edXML:AttachmentName>7816-VPCP-TTDT.pdf</edXML:AttachmentName>
</edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
</edXML:edXMLEnvelope>
<AttachmentEncoded><Attachment>
<ContentId>cid:6f1c2a9e</ContentId><AttachmentName>7816-VPCP-TTDT.pdf</AttachmentName>
<Description>Văn bản</Description><ContentType>application/zip</ContentType>
<ContentTransferEncoded>{_zip_b64(PDF)}</ContentTransferEncoded>
</Attachment></AttachmentEncoded>
</edXML>
""".encode()

# Another writer: raw attachment with its MIME type and line-wrapped base64, prefixed Attachment children in
# another order, an empty edXML:DigitalSignature, TraceHeader before Bussiness.
OTHER_SDK = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope><edXML:edXMLHeader>
<edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H47</edXML:OrganId><edXML:OrganName>UBND tỉnh Quảng Trị</edXML:OrganName>
</edXML:From>
<edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.H47,2016/01/04,12/BC-UBND</edXML:DocumentId>
<edXML:Code><edXML:CodeNumber>12</edXML:CodeNumber><edXML:CodeNotation>BC-UBND</edXML:CodeNotation></edXML:Code>
<edXML:PromulgationInfo><edXML:Place>Quảng Trị</edXML:Place><edXML:PromulgationDate>2016/01/04</edXML:PromulgationDate>
</edXML:PromulgationInfo>
<edXML:DocumentType><edXML:Type>18</edXML:Type><edXML:TypeName>Báo cáo</edXML:TypeName></edXML:DocumentType>
<edXML:Subject>Báo cáo kết quả</edXML:Subject>
<edXML:SteeringType>3</edXML:SteeringType>
</edXML:MessageHeader>
<edXML:TraceHeaderList>
<edXML:TraceHeader><edXML:OrganId>000.00.00.H47</edXML:OrganId>
<edXML:Timestamp>2016/01/04 08:00:00</edXML:Timestamp></edXML:TraceHeader>
<edXML:Bussiness><edXML:BussinessDocType>1</edXML:BussinessDocType>
<edXML:BussinessDocReason>Thu hồi do sai sót</edXML:BussinessDocReason>
<edXML:DocumentId>000.00.00.H47,2016/01/03,11/BC-UBND</edXML:DocumentId><edXML:Paper>0</edXML:Paper></edXML:Bussiness>
</edXML:TraceHeaderList>
<edXML:DigitalSignature/>
</edXML:edXMLHeader></edXML:edXMLEnvelope>
<edXML:AttachmentEncoded><edXML:Attachment>
<edXML:ContentTransferEncoded>
{base64.encodebytes(PDF).decode()}</edXML:ContentTransferEncoded>
<edXML:ContentType>application/pdf</edXML:ContentType><edXML:AttachmentName>bc-12.pdf</edXML:AttachmentName>
<edXML:ContentId>cid:a1</edXML:ContentId>
</edXML:Attachment></edXML:AttachmentEncoded></edXML:edXML>
""".encode()


def _codes(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in findings}


def test_java_sdk_shape_is_read_with_findings(tmp_path: Path) -> None:
    result = read_edxml(JAVA_SDK, extract_to=tmp_path)
    doc = result.document
    assert doc is not None
    assert doc.organ.organ_id == "000.00.00.G22" and doc.organ.name == "Văn phòng Chính phủ"
    assert doc.recipients[0].organ_id == "000.00.H47"  # kept as read
    assert doc.number is None and doc.notation == "VPCP-TTĐT"
    assert doc.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" == result.document_id
    assert doc.type is DocumentType.CONG_VAN and doc.type_code == 1 and doc.type_detail == 0
    assert doc.steering_type is SteeringType.UNSET and doc.priority is Priority.URGENT
    assert doc.signer is not None and doc.signer.competence == "KT. BỘ TRƯỞNG, CHỦ NHIỆM"
    assert doc.trace[0].organ_id == "000.00.00.G22" and doc.trace[0].timestamp is not None
    assert doc.business.type is BusinessType.NEW
    # the zipped attachment is unpacked under its AttachmentName, with the inner file's hash
    att = result.attachments[0]
    assert att.zipped and att.name == "7816-VPCP-TTDT.pdf" and att.content_type == "application/pdf"
    assert (tmp_path / "7816-VPCP-TTDT.pdf").read_bytes() == PDF
    assert doc.attachments[0].path == tmp_path / "7816-VPCP-TTDT.pdf"
    by_code = {f.code: f for f in result.findings}
    assert by_code["organ-id"].element.endswith("MessageHeader/To/OrganId") and by_code["organ-id"].line == 9
    assert by_code["code-number"].line == 11 and by_code["code-number"].severity is Severity.ERROR
    assert by_code["code-list"].element.endswith("SteeringType")
    assert by_code["code-list"].severity is Severity.WARNING
    sig = by_code["no-envelope-signature"]
    assert sig.severity is Severity.WARNING and sig.line == 31
    assert "không có chữ ký" in sig.message_vi.lower()


def test_other_sdk_shape(tmp_path: Path) -> None:
    result = read_edxml(OTHER_SDK, extract_to=tmp_path)
    doc = result.document
    assert doc is not None and doc.type is DocumentType.BAO_CAO and doc.type_code == 18
    assert doc.business.type is BusinessType.REVOKE
    assert doc.business.document_id == "000.00.00.H47,2016/01/03,11/BC-UBND"
    assert doc.business.reason == "Thu hồi do sai sót"
    att = result.attachments[0]
    assert not att.zipped and att.content_type == "application/pdf" and att.content_id == "a1"
    assert (tmp_path / "bc-12.pdf").read_bytes() == PDF
    assert "no-envelope-signature" in _codes(result.findings)
    assert "organ-id" not in _codes(result.findings)
    # no manifest: the attachment is reported, not refused
    assert "manifest" in _codes(result.findings)


def test_validate_names_elements_and_lines() -> None:
    findings = validate(JAVA_SDK)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert {"organ-id", "code-number"} <= _codes(errors)
    assert all(f.line for f in errors)
    # the XSD does not repeat what a rule check already said about the same element
    assert [f.element for f in errors].count("edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To/OrganId") == 1


def test_other_sdk_validates_with_warnings_only_for_signature() -> None:
    findings = validate(OTHER_SDK)
    assert [f for f in findings if f.severity is Severity.ERROR] == []


@pytest.mark.parametrize("code", ["07", "08", "09", "10", "11", "12", "14"])
def test_unseen_status_codes_read_as_unknown(code: str) -> None:
    msg = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:Status>
<edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>7816/VPCP-TTĐT</edXML:Code>
<edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor>
<edXML:From><edXML:OrganId>000.00.00.H47</edXML:OrganId></edXML:From>
<edXML:StatusCode>{code}</edXML:StatusCode><edXML:Description/>
<edXML:Timestamp>2015/09/30 15:00:00</edXML:Timestamp>
</edXML:Status></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>""".encode()
    result = read_edxml(msg)
    assert result.status is not None and result.status.code is StatusCode.UNKNOWN
    assert result.status.raw_code == code
    assert "unknown-status" in _codes(result.findings)
    assert result.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert [f for f in validate(msg) if f.severity is Severity.ERROR] == []


def test_status_repeats_received_document_id_byte_for_byte() -> None:
    result = read_edxml(JAVA_SDK)
    status = status_for(result, "02", description="Sai địa chỉ", sender="000.00.00.H47")
    from edoc.edxml import status_bytes

    data = status_bytes(status)
    assert "<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>".encode() in data
    assert read_edxml(data).status.code is StatusCode.REJECTED  # type: ignore[union-attr]


def test_broken_attachments_are_findings(tmp_path: Path) -> None:
    good = _zip_b64(PDF)
    assert good.encode() in JAVA_SDK
    data = JAVA_SDK.replace(good.encode(), b"!!!not base64!!!")
    result = read_edxml(data, extract_to=tmp_path)
    assert "attachment-encoding" in _codes(result.findings)
    assert result.attachments == () and list(tmp_path.iterdir()) == []
    truncated = JAVA_SDK.replace(good.encode(), good[:-3].encode())
    assert "attachment-encoding" in _codes(read_edxml(truncated).findings)
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.pdf", b"a")
        zf.writestr("b.pdf", b"b")
    multi = JAVA_SDK.replace(good.encode(), base64.b64encode(two.getvalue()))
    result = read_edxml(multi, extract_to=tmp_path / "m")
    assert "attachment-zip" in _codes(result.findings)
    assert (tmp_path / "m" / "7816-VPCP-TTDT.pdf").read_bytes() == two.getvalue()  # kept as the zip


def test_manifest_without_attachment() -> None:
    data = JAVA_SDK.split(b"<AttachmentEncoded>")[0] + b"</edXML>"
    result = read_edxml(data)
    manifest = [f for f in result.findings if f.code == "manifest"]
    assert manifest and manifest[0].severity is Severity.ERROR and "6f1c2a9e" in manifest[0].message


def test_show_status_text(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from edoc.cli import cli

    runner = CliRunner()
    (tmp_path / "m.edxml").write_bytes(JAVA_SDK)
    res = runner.invoke(cli, ["edxml", "status", str(tmp_path / "m.edxml"), "--code", "2", "--description",
                              "Sai địa chỉ", "--from-organ", "000.00.00.H47", "-o", str(tmp_path / "s.edxml")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["edxml", "show", str(tmp_path / "s.edxml")])
    assert "02 Từ chối tiếp nhận" in res.output and "Sai địa chỉ" in res.output
    res = runner.invoke(cli, ["--lang", "en", "edxml", "show", str(tmp_path / "m.edxml")])
    assert "[warning]" in res.output and "no envelope signature" in res.output


def test_children_in_no_namespace_are_read_and_flagged_by_the_schema() -> None:
    data = JAVA_SDK.replace(b"<To><OrganId>000.00.H47</OrganId>", b'<To xmlns=""><OrganId>000.00.00.H47</OrganId>')
    result = read_edxml(data)
    assert result.document is not None and result.document.recipients[0].organ_id == "000.00.00.H47"
    assert any(f.code == "xsd" and f.line == 9 for f in validate(data))


# -- issue 12 §1: status messages as the national-axis SDK writes them ----------------------------------
# Built from the spec's description (section 6, corrected): the status inside edXMLHeader/MessageHeader, which
# holds only From, ResponseFor, StaffInfo (Mobile before Email), StatusCode, Description and Timestamp; no To,
# Code, PromulgationInfo, DocumentType or Subject.
SDK_STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope>
<edXML:edXMLHeader>
<edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H47</edXML:OrganId><edXML:OrganizationInCharge>UBND tỉnh Quảng Trị
</edXML:OrganizationInCharge><edXML:OrganName>Văn phòng UBND tỉnh Quảng Trị</edXML:OrganName>
<edXML:OrganAdd>45 Hùng Vương, Đông Hà</edXML:OrganAdd><edXML:Email>vp@quangtri.gov.vn</edXML:Email>
<edXML:Telephone>0233 3852 000</edXML:Telephone><edXML:Fax/><edXML:Website>quangtri.gov.vn</edXML:Website>
</edXML:From>
<edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>7816/VPCP-TTĐT</edXML:Code>
<edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor>
<edXML:StaffInfo><edXML:Department>Phòng Hành chính - Tổ chức</edXML:Department><edXML:Staff>Lê Thị Bích</edXML:Staff>
<edXML:Mobile>0912345678</edXML:Mobile><edXML:Email>bichlt@quangtri.gov.vn</edXML:Email></edXML:StaffInfo>
<edXML:StatusCode>03</edXML:StatusCode>
<edXML:Description>Văn thư Lê Thị Bích đã tiếp nhận, vào sổ văn bản đến số 1254</edXML:Description>
<edXML:Timestamp>2015/10/01 08:30:15</edXML:Timestamp>
</edXML:MessageHeader>
</edXML:edXMLHeader>
</edXML:edXMLEnvelope>
</edXML>
""".encode()


def _sdk_status(code: str = "03", body: str | None = None) -> bytes:
    data = SDK_STATUS.replace(b"<edXML:StatusCode>03<", f"<edXML:StatusCode>{code}<".encode())
    return data if body is None else data.replace(b"</edXML:MessageHeader>", body.encode() + b"</edXML:MessageHeader>")


def test_sdk_status_is_read_as_a_status() -> None:
    import datetime as dt

    from edoc.edxml import StatusShape
    from edoc.model import VIETNAM_TZ, StaffInfo

    result = read_edxml(SDK_STATUS)
    assert result.document is None and result.is_status  # was a document with six missing-element errors
    assert result.status_shape is StatusShape.SDK
    s = result.status
    assert s is not None and s.code is StatusCode.ACCEPTED and s.raw_code == ""
    assert s.description == "Văn thư Lê Thị Bích đã tiếp nhận, vào sổ văn bản đến số 1254"
    assert s.timestamp == dt.datetime(2015, 10, 1, 8, 30, 15, tzinfo=VIETNAM_TZ)
    assert s.timestamp.isoformat() == "2015-10-01T08:30:15+07:00"
    assert s.staff == StaffInfo(department="Phòng Hành chính - Tổ chức", staff="Lê Thị Bích",
                                email="bichlt@quangtri.gov.vn", mobile="0912345678")
    assert s.sender.organ_id == "000.00.00.H47" and s.sender.name == "Văn phòng UBND tỉnh Quảng Trị"
    assert s.response_for.code == "7816/VPCP-TTĐT" and s.response_for.organ_id == "000.00.00.G22"
    assert result.document_id == s.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert result.findings == ()
    assert validate(SDK_STATUS) == []


def test_both_shapes_give_the_same_status() -> None:
    from edoc.edxml import StatusShape, status_bytes

    sdk = read_edxml(SDK_STATUS)
    assert sdk.status is not None
    element = status_bytes(sdk.status, shape=StatusShape.STATUS_ELEMENT)
    assert b"<edXML:Status>" in element and b"<edXML:MessageHeader>" not in element
    other = read_edxml(element)
    assert other.status == sdk.status and other.status_shape is StatusShape.STATUS_ELEMENT
    assert other.document_id == sdk.document_id and other.findings == ()
    again = status_bytes(sdk.status)  # the default: the SDK's shape, children in the SDK's order
    assert b"<edXML:Status>" not in again
    order = [again.index(f"<edXML:{name}>".encode()) for name in
             ("MessageHeader", "From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp")]
    assert order == sorted(order) and again.index(b"<edXML:Mobile>") < again.index(b"<edXML:Email>", order[3])
    assert read_edxml(again).status == sdk.status
    assert validate(again) == [] and validate(element) == []


@pytest.mark.parametrize(("change", "code", "severity"), [
    ("<edXML:Subject>x</edXML:Subject>", "xsd", Severity.ERROR),  # a document element in a status
    ("<edXML:StatusCode>05</edXML:StatusCode>", "duplicate-element", Severity.ERROR),
    ("<edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:To>", "xsd", Severity.ERROR),
])
def test_status_rules(change: str, code: str, severity: Severity) -> None:
    findings = [f for f in validate(_sdk_status(body=change)) if f.severity is severity]
    assert code in _codes(findings), findings


def test_status_rules_missing_parts() -> None:
    no_time = SDK_STATUS.replace(b"<edXML:Timestamp>2015/10/01 08:30:15</edXML:Timestamp>", b"")
    assert any(f.code == "missing-element" and f.element.endswith("MessageHeader/Timestamp")
               for f in validate(no_time))
    no_id = SDK_STATUS.replace("<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>"
                               .encode(), b"")
    assert any(f.code == "missing-element" and f.element.endswith("ResponseFor/DocumentId")
               for f in read_edxml(no_id).errors)
    bad_time = SDK_STATUS.replace(b"2015/10/01 08:30:15", b"01/10/2015 08:30")
    assert "date-format" in _codes(read_edxml(bad_time).errors)
    refused = read_edxml(_sdk_status("02").replace(
        "Văn thư Lê Thị Bích đã tiếp nhận, vào sổ văn bản đến số 1254".encode(), b""))
    reason = [f for f in refused.findings if f.code == "status-reason"]
    assert reason and reason[0].severity is Severity.WARNING and refused.errors == ()
    # a document message still needs its TraceHeaderList (the XSD lets a status omit it)
    doc = JAVA_SDK.split(b"<edXML:TraceHeaderList>")[0] + JAVA_SDK.split(b"</edXML:TraceHeaderList>")[1]
    assert any(f.element.endswith("edXMLHeader/TraceHeaderList") for f in read_edxml(doc).errors)


def test_show_prints_the_status(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from edoc.cli import cli

    path = tmp_path / "s.edxml"
    path.write_bytes(SDK_STATUS)
    runner = CliRunner()
    out = runner.invoke(cli, ["edxml", "show", str(path)])
    assert out.exit_code == 0, out.output
    for text in ("03 Đã tiếp nhận", "vào sổ văn bản đến số 1254", "Lê Thị Bích (Phòng Hành chính - Tổ chức)",
                 "0912345678", "bichlt@quangtri.gov.vn", "2015-10-01T08:30:15+07:00",
                 "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "000.00.00.H47"):
        assert text in out.output, (text, out.output)
    assert "[error]" not in out.output
    en = runner.invoke(cli, ["--lang", "en", "edxml", "show", str(path)])
    assert "Staff:" in en.output and "03 ACCEPTED" in en.output
    data = runner.invoke(cli, ["edxml", "show", "--json", str(path)])
    assert data.exit_code == 0, data.output
    import json

    shown = json.loads(data.stdout)
    assert shown["code"] == "03" and shown["name"] == "Đã tiếp nhận"
    assert shown["timestamp"] == "2015-10-01T08:30:15+07:00"
    assert shown["staff"]["staff"] == "Lê Thị Bích" and shown["description"].endswith("số 1254")
    assert shown["response_for"]["document_id"] == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    valid = runner.invoke(cli, ["edxml", "validate", str(path)])
    assert valid.exit_code == 0, valid.output


@pytest.mark.parametrize("shape", [None, "sdk", "status-element"])
def test_status_command_shapes_round_trip_through_show_json(shape: str | None, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from edoc.cli import cli
    from edoc.model import StatusMessage, from_data

    runner = CliRunner()
    (tmp_path / "m.edxml").write_bytes(JAVA_SDK)
    args = ["edxml", "status", str(tmp_path / "m.edxml"), "--code", "02", "--description", "Sai địa chỉ",
            "--from-organ", "000.00.00.H47", "--staff", "Lê Thị Bích", "--department", "Văn thư",
            "--mobile", "0912345678", "--email", "bichlt@quangtri.gov.vn", "-o", str(tmp_path / "s.edxml")]
    res = runner.invoke(cli, args + (["--shape", shape] if shape else []))
    assert res.exit_code == 0, res.output
    written = (tmp_path / "s.edxml").read_bytes()
    assert (b"<edXML:Status>" in written) is (shape == "status-element")
    assert (b"<edXML:StatusCode>02</edXML:StatusCode>" in written)
    shown = runner.invoke(cli, ["edxml", "show", "--json", str(tmp_path / "s.edxml")])
    assert shown.exit_code == 0, shown.output
    status = from_data(StatusMessage, json.loads(shown.stdout))
    assert status == read_edxml(written).status
    assert status.code is StatusCode.REJECTED and status.description == "Sai địa chỉ"
    assert status.staff is not None and status.staff.mobile == "0912345678"
    assert status.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    from edoc.edxml import StatusShape, status_bytes

    for other in StatusShape:  # the JSON of either shape is the same status
        assert read_edxml(status_bytes(status, shape=other)).status == status
    assert runner.invoke(cli, ["edxml", "validate", str(tmp_path / "s.edxml")]).exit_code == 0


@pytest.mark.parametrize("command", ["show", "validate"])
def test_doubled_start_tag_is_one_located_error(command: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from edoc.cli import main

    data = SDK_STATUS.replace(b"<edXML:MessageHeader>", b"<edXML:MessageHeader>\n<edXML:MessageHeader>", 1)
    path = tmp_path / "bad.edxml"
    path.write_bytes(data)
    with pytest.raises(MalformedFile) as info:
        read_edxml(data)
    assert info.value.line is not None and info.value.line > 5
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "en", "edxml", command, str(path)])
    assert exit_info.value.code == MalformedFile.exit_code
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.count(f"line {info.value.line}") == 1, text
    assert "Traceback" not in text and "[error]" not in text and out.out == ""
