"""A receiving body answers a message: status 01 (arrived) then 03 (accepted), repeating the DocumentId byte
for byte; and a received message shaped like an SDK output, read tolerantly with findings."""

import datetime as dt
import tempfile
from pathlib import Path

from edoc.edxml import edxml_bytes, read_edxml, status_for, write_status
from edoc.model import VIETNAM_TZ, StatusCode
from edoc.samples import thuan_nam_decision

with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)
    received = read_edxml(edxml_bytes(thuan_nam_decision()))

    for code, note in (("01", ""), (StatusCode.ACCEPTED, "Đã vào sổ văn bản đến số 125")):
        status = status_for(received, code, description=note, sender="000.00.00.H43",
                            timestamp=dt.datetime(2026, 1, 5, 15, 0, tzinfo=VIETNAM_TZ))
        path = folder / f"status-{status.code.value}.edxml"
        write_status(status, path)
        back = read_edxml(path).status
        assert back is not None and back.response_for.document_id == received.document_id
        print(f"{path.name}: {back.code.value} {back.code.name_vi} for {back.response_for.document_id}")

    # a message as some SDKs send it: short OrganId, SteeringType 0, placeholder signature
    data = edxml_bytes(thuan_nam_decision()).replace(b"000.00.00.H43", b"000.00.H43")
    data = data.replace(b"<edXML:SteeringType>1<", b"<edXML:SteeringType>0<")
    data = data.replace(b"</edXML:TraceHeaderList>", b"</edXML:TraceHeaderList><Signature>SHA1...</Signature>")
    result = read_edxml(data)
    for finding in result.findings:
        print(f"[{finding.severity.value}] {finding.describe('vi')}")
    assert {f.code for f in result.findings} >= {"organ-id", "code-list", "no-envelope-signature"}
