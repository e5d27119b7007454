"""Archive a small year of documents, audit it, search it — with an injected verifier (no PKI needed).

Run from the repository root: ``.venv/bin/python examples/archive_year.py``.
The real verifier is the default (``ArchivePolicy(trust=("root.pem",))``); here a stand-in that accepts
every document except one marked as forged shows the rejected list too.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from edoc.archive import ArchivePolicy, audit_archive, build_archive, find, read_events


@dataclass(frozen=True)
class Verdict:
    verdict: str

    def to_dict(self) -> dict[str, str]:
        return {"verdict": self.verdict}


def stand_in_verifier(path: Path) -> Verdict:
    return Verdict("TOTAL_FAILED" if b"FORGED" in path.read_bytes() else "TOTAL_PASSED")


def make_documents(src: Path) -> None:
    for n in range(1, 7):
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=f"Cong van so {n}")
        data = bytes(pdf.output()) + (b"%FORGED\n" if n == 6 else b"")
        (src / f"cv-{n:02d}.pdf").write_bytes(data)
        meta = {"OrganId": "000.00.31.H41", "FileCatalog": "2026", "FileNotation": f"HS-0{1 + n % 2}",
                "CodeNumber": str(n), "CodeNotation": "UBND-VP", "IssuedDate": f"2026-0{n}-15",
                "OrganName": "Ủy ban nhân dân huyện Thuận Nam", "TypeName": "Công văn",
                "Subject": f"Về việc lưu trữ hồ sơ điện tử, đợt {n}"}
        (src / f"cv-{n:02d}.pdf.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, archive = Path(tmp) / "src", Path(tmp) / "archive"
        src.mkdir()
        make_documents(src)
        policy = ArchivePolicy(verify=stand_in_verifier, record_by="FileCode")
        summary = build_archive([src], archive, policy=policy, jobs=0)
        print(summary.to_dict())
        assert (summary.archived, summary.rejected, summary.packages) == (5, 1, 2)
        for line in (archive / "rejected.jsonl").read_text("utf-8").splitlines():
            print("rejected:", json.loads(line)["name"], json.loads(line)["verdict"])
        report = audit_archive(archive, policy=policy, jobs=0)
        print("audit ok:", report.ok)
        for hit in find(archive, text="luu tru", year="2026"):
            print("found:", hit.package, hit.name, hit.fields["Subject"])
        package = next((archive / "packages").iterdir())
        print("events:", [e["eventType"] for e in read_events(package)])


if __name__ == "__main__":
    main()
