"""Small generated inputs for the archive tests: edXML messages and one-page PDFs with sidecars."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fpdf import FPDF

from edoc.archive import ArchivePolicy
from edoc.edxml import write_edxml
from edoc.samples import thuan_nam_decision

from .fakes import FORGED, fake_timestamp, fake_verify


def make_pdf(path: Path, subject: str, *, marker: bytes = b"") -> None:
    pdf = FPDF()
    pdf.set_subject(subject)
    pdf.set_author("UBND huyen Thuan Nam")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=f"Document {path.stem}")
    data = bytes(pdf.output())
    if marker:
        data += b"\n%" + marker + b"\n"
    path.write_bytes(data)


def make_sources(folder: Path, *, records: int = 2, pdfs_per_record: int = 2, forged: int = 1,
                 edxml: bool = True) -> dict[str, int]:
    """Documents in ``records`` records (FileCode from sidecars); ``forged`` of them fail verification."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"total": 0, "forged": 0}
    for r in range(records):
        code = {"OrganId": "000.00.31.H41", "FileCatalog": "2026", "FileNotation": f"HS-{r + 1:02d}"}
        sub = folder / f"record{r + 1}"
        sub.mkdir(exist_ok=True)
        for i in range(pdfs_per_record):
            n = r * 100 + i + 1
            name = f"cv-{n:03d}.pdf"
            bad = counts["forged"] < forged and i == pdfs_per_record - 1
            make_pdf(sub / name, f"Công văn số {n} về việc lưu trữ hồ sơ", marker=FORGED if bad else b"")
            counts["forged"] += bad
            side = code | {"CodeNumber": str(n), "CodeNotation": "UBND-VP", "IssuedDate": f"2026-03-{i + 1:02d}",
                           "OrganName": "Ủy ban nhân dân huyện Thuận Nam", "TypeName": "Công văn",
                           "Subject": f"Về việc lưu trữ hồ sơ điện tử đợt {n}"}
            (sub / f"{name}.json").write_text(json.dumps(side, ensure_ascii=False), "utf-8")
            counts["total"] += 1
        if edxml:
            doc = dataclasses.replace(thuan_nam_decision(), number=r + 10)
            write_edxml(doc, sub / f"qd-{r + 10}.xml")
            (sub / f"qd-{r + 10}.xml.json").write_text(json.dumps(code), "utf-8")
            counts["total"] += 1
    return counts


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    src = tmp_path / "src"
    return src, make_sources(src)


@pytest.fixture
def policy() -> ArchivePolicy:
    return ArchivePolicy(verify=fake_verify, timestamper=fake_timestamp)


@pytest.fixture(scope="session")
def acts(pki, pki_files, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A draft approved by the person (person-rsa) and issued by the agency (agency-rsa) with the live PKI."""
    from .forge import make_acts

    return make_acts(pki_files, tmp_path_factory.mktemp("acts"))
