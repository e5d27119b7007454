"""Render 100 one-page and 10 thirty-page documents as a batch with edoc, beside the same layout made with
plain fpdf2 calls (fonts added per document, as a plain script does), in the same run.

Run: .venv/bin/python benchmarks/render_bench.py
"""

from __future__ import annotations

import io
import time
import tracemalloc

from fpdf import FPDF

from edoc.model import Heading, HeadingLevel, Paragraph
from edoc.pdf import Renderer
from edoc.pdf.fonts import find_face
from edoc.samples import thuan_nam_decision

ONE = thuan_nam_decision()
LONG = ONE.replace(content=tuple(
    b for i in range(1, 171) for b in (
        Heading(f"Điều {i}. Quy định về tiếp nhận văn bản số {i}", HeadingLevel.ARTICLE),
        Paragraph("Cơ quan, tổ chức tiếp nhận văn bản điện tử qua Trục liên thông văn bản quốc gia, kiểm tra "
                  "tính xác thực và toàn vẹn, đăng ký và gửi thông báo đã đến trong ngày làm việc. " * 2))))


def plain_fpdf2(doc: object, face: object) -> bytes:
    d = doc  # same boxes, plain calls, fonts added per document
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(30, 20, 15)
    for style in ("", "B", "I", "BI"):
        pdf.add_font("S", style, str(face.files[style]))  # type: ignore[attr-defined]
    pdf.add_page()
    pdf.set_font("S", "B", 12)
    pdf.set_xy(96, 20)
    pdf.multi_cell(99, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_x(96)
    pdf.set_font("S", "B", 13)
    pdf.multi_cell(99, 5.5, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_xy(30, 20)
    pdf.set_font("S", "B", 12)
    pdf.multi_cell(66, 5.5, d.organ.name.upper(), align="C")  # type: ignore[attr-defined]
    pdf.set_font("S", "", 13)
    pdf.set_xy(30, 40)
    pdf.cell(66, 6, d.number_line, align="C")  # type: ignore[attr-defined]
    pdf.set_font("S", "I", 13)
    pdf.cell(99, 6, d.place_date_line, align="C")  # type: ignore[attr-defined]
    pdf.set_xy(30, 52)
    pdf.set_font("S", "B", 14)
    pdf.multi_cell(165, 6, d.type.value.upper() + "\n" + d.summary, align="C")  # type: ignore[attr-defined]
    for block in d.content:  # type: ignore[attr-defined]
        pdf.set_x(30)
        pdf.set_font("S", "B" if isinstance(block, Heading) else "", 14)
        text = f"{block.label} {block.text}" if hasattr(block, "label") else block.text
        with pdf.text_columns(text_align="J", line_height=1.15) as cols:
            with cols.paragraph(first_line_indent=10, bottom_margin=2.1) as par:
                par.write(text)
    pdf.set_font("S", "BI", 12)
    pdf.cell(70, 5, "Nơi nhận:")
    pdf.set_font("S", "B", 14)
    pdf.multi_cell(95, 6, "\n".join(d.signer.title_lines()) + "\n\n\n\n" + d.signer.full_name, align="C")  # type: ignore[attr-defined]
    return bytes(pdf.output())


def run(label: str, fn: object, docs: list[object]) -> float:
    t = time.perf_counter()
    for d in docs:
        fn(d)  # type: ignore[operator]
    ms = (time.perf_counter() - t) * 1000
    tracemalloc.start()
    fn(docs[0])  # type: ignore[operator]
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"{label:36} {ms:9.0f} ms  {ms / len(docs):7.1f} ms/doc  peak {peak:6.1f} MB")
    return ms


def main() -> None:
    face = find_face()
    renderer = Renderer()
    renderer.render(ONE, io.BytesIO())  # prepare the fonts (once per batch)
    for name, docs in (("100 one-page", [ONE] * 100), ("10 thirty-page", [LONG] * 10)):
        edoc_ms = run(f"edoc Renderer, {name}", lambda d: renderer.render(d, io.BytesIO()), docs)
        plain_ms = run(f"plain fpdf2, {name}", lambda d: plain_fpdf2(d, face), docs)
        print(f"ratio edoc / plain fpdf2 ({name}): {edoc_ms / plain_ms:.2f} (target <= 1.2)")
    pages = renderer.render(LONG, io.BytesIO()).pages
    print(f"thirty-page document: {pages} pages; face {renderer.face.family}")


if __name__ == "__main__":
    main()
