"""Build an edXML message of the Thuận Nam decision with its PDF attached (zipped, as the Java SDK does),
validate it, read it back with the attachment extracted, then rebuild it from the JSON the reader gives."""

import tempfile
from pathlib import Path

from edoc import Attachment, dumps_document, loads_document
from edoc.edxml import Severity, edxml_subset, read_edxml, validate, write_edxml
from edoc.samples import thuan_nam_decision

with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)
    pdf = folder / "05-QD-UBND.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% the signed decision would be here\n")
    doc = thuan_nam_decision().replace(
        attachments=(Attachment(name=pdf.name, path=pdf, content_type="application/pdf",
                                description="Quyết định số 05/QĐ-UBND"),))

    message = folder / "05-QD-UBND.edxml"
    write_edxml(doc, message, zip_attachments=True)
    print(message.read_text(encoding="utf-8")[:400], "…")

    findings = validate(message)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    print("valid:", message.name)

    result = read_edxml(message, extract_to=folder / "received")
    received = result.document
    assert received is not None
    print("DocumentId:", result.document_id)
    for att in result.attachments:
        print(f"attachment {att.name}: {att.size} bytes, zipped={att.zipped}, sha256={att.sha256[:16]}…, at {att.path}")
    assert (folder / "received" / pdf.name).read_bytes() == pdf.read_bytes()
    # what was written is what was read (the part of the document edXML carries)
    assert received.replace(attachments=()) == edxml_subset(doc).replace(attachments=())

    # read -> edit -> rebuild: the JSON of the received document is the form `edoc edxml build` reads
    text = dumps_document(received)
    edited = loads_document(text).replace(number=6, summary="Về việc sửa đổi Quy chế")
    write_edxml(edited, folder / "06-QD-UBND.edxml")
    print("rebuilt:", read_edxml(folder / "06-QD-UBND.edxml").document_id)
