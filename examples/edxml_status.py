"""A receiving body answers a message: status 01 (arrived) then 03 (accepted), repeating the DocumentId byte
for byte, in the shape the national-axis SDK writes (the status inside MessageHeader, the default) and with an
edXML:Status element; both read back to the same status. Then a received message shaped like an SDK output,
read tolerantly with findings."""

import datetime as dt
import tempfile
from pathlib import Path

from edoc.edxml import StatusShape, edxml_bytes, read_edxml, status_bytes, status_for, validate, write_status
from edoc.model import VIETNAM_TZ, StaffInfo, StatusCode
from edoc.samples import thuan_nam_decision

clerk = StaffInfo(department="Văn phòng UBND tỉnh", staff="Lê Thị Bích", mobile="0912345678",
                  email="bichlt@ninhthuan.gov.vn")
with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)
    received = read_edxml(edxml_bytes(thuan_nam_decision()))

    for code, note in (("01", ""), (StatusCode.ACCEPTED, "Đã vào sổ văn bản đến số 125")):
        status = status_for(received, code, description=note, sender="000.00.00.H43", staff=clerk,
                            timestamp=dt.datetime(2026, 1, 5, 15, 0, tzinfo=VIETNAM_TZ))
        path = folder / f"status-{status.code.value}.edxml"
        write_status(status, path)  # the SDK's shape: what receivers on the axis parse
        back = read_edxml(path)
        assert back.status == status and back.status_shape is StatusShape.SDK
        assert back.status.response_for.document_id == received.document_id
        assert [f for f in validate(path) if f.severity.value == "error"] == []
        print(f"{path.name}: {back.status.code.value} {back.status.code.name_vi} for {received.document_id}, "
              f"{back.status.timestamp:%Y-%m-%d %H:%M %z}, {clerk.staff}")

    element = status_bytes(status, shape=StatusShape.STATUS_ELEMENT)  # the other shape, on request
    assert b"<edXML:Status>" in element and read_edxml(element).status == status
    print("the edXML:Status shape reads back to the same status")

    # a message as some SDKs send it: short OrganId, SteeringType 0, placeholder signature
    data = edxml_bytes(thuan_nam_decision()).replace(b"000.00.00.H43", b"000.00.H43")
    data = data.replace(b"<edXML:SteeringType>1<", b"<edXML:SteeringType>0<")
    data = data.replace(b"</edXML:TraceHeaderList>", b"</edXML:TraceHeaderList><Signature>SHA1...</Signature>")
    result = read_edxml(data)
    for finding in result.findings:
        print(f"[{finding.severity.value}] {finding.describe('vi')}")
    assert {f.code for f in result.findings} >= {"organ-id", "code-list", "no-envelope-signature"}
