"""Build a document, print its national strings, save it as YAML and load it back."""

import tempfile
from datetime import date
from pathlib import Path

from edoc import Authority, Document, DocumentType, Organ, Signer, load_document, save_document

doc = Document(
    organ=Organ(organ_id="000.10.32.H43", name="Ủy ban nhân dân huyện Thuận Nam"),
    type=DocumentType.CONG_VAN,
    number=12,
    notation="UBND-VX",
    place="Thuận Nam",
    date=date(2026, 2, 3),
    summary="V/v triển khai tiếp nhận văn bản điện tử",
    signer=Signer(full_name="Trần Thị Bình", position="Phó Chủ tịch", authority=Authority.KT,
                  authority_of="Chủ tịch"),
    to_places=("Như trên", "Lưu: VT, VX"),
)
print(doc.number_line)
print(doc.place_date_line)
print(doc.document_id)
assert doc.problems() == [], doc.problems()

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "cong-van.yaml"
    save_document(doc, path)
    print(path.read_text(encoding="utf-8"))
    assert load_document(path) == doc
