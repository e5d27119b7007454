"""Sample documents for the demo, the docs and the tests (fictional content, real shapes)."""

from __future__ import annotations

from datetime import date

from edoc.model import (
    Appendix,
    Authority,
    DocumentType,
    Heading,
    HeadingLevel,
    Organ,
    Paragraph,
    Point,
    Priority,
    Signer,
    SteeringType,
)
from edoc.model.document import Document

__all__ = ["THUAN_NAM", "NINH_THUAN", "thuan_nam_decision"]

#: People's Committee of Thuận Nam district (fictional identifier of the right shape).
THUAN_NAM = Organ(
    organ_id="000.10.32.H43",
    name="Ủy ban nhân dân huyện Thuận Nam",
    parent_name="",
    organization_in_charge="Ủy ban nhân dân tỉnh Ninh Thuận",
    address="Thị trấn Phước Nam, huyện Thuận Nam, tỉnh Ninh Thuận",
    email="ubndthuannam@ninhthuan.gov.vn",
    telephone="0259 3864 123",
    fax="0259 3864 124",
    website="https://thuannam.ninhthuan.gov.vn",
)

#: The province's People's Committee (a recipient).
NINH_THUAN = Organ(organ_id="000.00.00.H43", name="Ủy ban nhân dân tỉnh Ninh Thuận")


def thuan_nam_decision(*, numbered: bool = True) -> Document:
    """Decision of the Thuận Nam district People's Committee, as the demo and the docs use it."""
    return Document(
        organ=THUAN_NAM,
        type=DocumentType.QUYET_DINH,
        number=5 if numbered else None,
        notation="QĐ-UBND",
        place="Thuận Nam",
        date=date(2026, 1, 5) if numbered else None,
        summary="Về việc ban hành Quy chế tiếp nhận và xử lý văn bản điện tử trên địa bàn huyện",
        description="Ban hành Quy chế tiếp nhận, xử lý văn bản điện tử của Ủy ban nhân dân huyện Thuận Nam",
        content=(
            Heading("ỦY BAN NHÂN DÂN HUYỆN THUẬN NAM", HeadingLevel.HEADING),
            Paragraph(
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;"
            ),
            Paragraph("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;"),
            Paragraph("Theo đề nghị của Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện."),
            Heading("QUYẾT ĐỊNH:", HeadingLevel.HEADING),
            Heading("Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận và xử lý văn bản điện tử "
                    "trên địa bàn huyện Thuận Nam.", HeadingLevel.ARTICLE),
            Heading("Điều 2. Trách nhiệm thi hành", HeadingLevel.ARTICLE),
            Point("1.", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện chủ trì, hướng dẫn thực hiện;"),
            Point("2.", "Các cơ quan, đơn vị thuộc huyện:"),
            Point("a)", "Tiếp nhận văn bản điện tử qua Trục liên thông văn bản và gửi thông báo đã đến trong ngày;"),
            Point("b)", "Kiểm tra tính xác thực, toàn vẹn của văn bản điện tử trước khi đăng ký."),
            Heading("Điều 3. Hiệu lực thi hành", HeadingLevel.ARTICLE),
            Paragraph("Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Hội đồng nhân dân và Ủy ban "
                      "nhân dân huyện, Thủ trưởng các cơ quan, đơn vị và Chủ tịch Ủy ban nhân dân các xã, thị "
                      "trấn chịu trách nhiệm thi hành Quyết định này./."),
        ),
        recipients=(NINH_THUAN,),
        to_places=(
            "Như Điều 3",
            "UBND tỉnh (b/c)",
            "CT, các PCT UBND huyện",
            "Lưu: VT, VP",
        ),
        signer=Signer(
            full_name="Nguyễn Văn An",
            position="Phó Chủ tịch",
            authority=Authority.KT,
            authority_of="Chủ tịch",
        ),
        priority=Priority.NORMAL,
        steering_type=SteeringType.NOT_DIRECTIVE,
        drafter_initials="NVB",
        copies=15,
        page_amount=1,
        appendices=(Appendix("Quy chế tiếp nhận và xử lý văn bản điện tử"),),
    )
