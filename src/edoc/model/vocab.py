"""Closed vocabularies of official documents: document types, authorities, priorities, secrecy, status codes.

Each enum accepts, through :meth:`parse`, its member name, its national code and its Vietnamese name, so
JSON/YAML written by people and values read from edXML map to the same member; anything else raises
:class:`~edoc.errors.InvalidInput` naming the value.
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import TypeVar

from edoc.errors import InvalidInput

__all__ = [
    "DocumentType",
    "Authority",
    "Priority",
    "Secrecy",
    "SteeringType",
    "BusinessType",
    "StatusCode",
    "HeadingLevel",
    "parse_enum",
]

E = TypeVar("E", bound=Enum)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def parse_enum(cls: type[E], value: object, *, field: str | None = None) -> E:
    """The member of ``cls`` that ``value`` names (member name, value, code or Vietnamese name)."""
    if isinstance(value, cls):
        return value
    wanted = _fold(str(value))
    for member in cls:
        names = {member.name, str(member.value)}
        names.update(str(alias) for alias in getattr(member, "aliases", ()))
        if wanted in {_fold(n) for n in names}:
            return member
    choices = ", ".join(m.name for m in cls)
    raise InvalidInput(
        f"{value!r} is not a known {cls.__name__} (one of: {choices})",
        message_vi=f"Giá trị {value!r} không thuộc danh mục {cls.__name__} ({choices})",
        field=field,
    )


class DocumentType(Enum):
    """Types of administrative documents (Decree 30/2020, Appendix III) with their notation abbreviations.

    The value is the Vietnamese type name; :attr:`abbreviation` is the code used in the notation
    (``QĐ`` in ``05/QĐ-UBND``); ``None`` for Công văn and Thư công, which have none.
    """

    NGHI_QUYET = "Nghị quyết"
    QUYET_DINH = "Quyết định"
    CHI_THI = "Chỉ thị"
    QUY_CHE = "Quy chế"
    QUY_DINH = "Quy định"
    THONG_CAO = "Thông cáo"
    THONG_BAO = "Thông báo"
    HUONG_DAN = "Hướng dẫn"
    CHUONG_TRINH = "Chương trình"
    KE_HOACH = "Kế hoạch"
    PHUONG_AN = "Phương án"
    DE_AN = "Đề án"
    DU_AN = "Dự án"
    BAO_CAO = "Báo cáo"
    BIEN_BAN = "Biên bản"
    TO_TRINH = "Tờ trình"
    HOP_DONG = "Hợp đồng"
    CONG_DIEN = "Công điện"
    BAN_GHI_NHO = "Bản ghi nhớ"
    BAN_THOA_THUAN = "Bản thỏa thuận"
    GIAY_UY_QUYEN = "Giấy ủy quyền"
    GIAY_MOI = "Giấy mời"
    GIAY_GIOI_THIEU = "Giấy giới thiệu"
    GIAY_NGHI_PHEP = "Giấy nghỉ phép"
    PHIEU_GUI = "Phiếu gửi"
    PHIEU_CHUYEN = "Phiếu chuyển"
    PHIEU_BAO = "Phiếu báo"
    BAN_SAO_Y = "Bản sao y"
    BAN_TRICH_SAO = "Bản trích sao"
    BAN_SAO_LUC = "Bản sao lục"
    CONG_VAN = "Công văn"
    THU_CONG = "Thư công"

    @property
    def abbreviation(self) -> str | None:
        return _ABBREVIATIONS.get(self)

    @property
    def aliases(self) -> tuple[str, ...]:
        abbr = self.abbreviation
        return (abbr,) if abbr else ()

    @property
    def is_letter(self) -> bool:
        """True for a công văn (or thư công): no type line, the summary goes under the number as ``V/v …``."""
        return self in (DocumentType.CONG_VAN, DocumentType.THU_CONG)

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> DocumentType:
        return parse_enum(cls, value, field=field)


_ABBREVIATIONS: dict[DocumentType, str] = {
    DocumentType.NGHI_QUYET: "NQ",
    DocumentType.QUYET_DINH: "QĐ",
    DocumentType.CHI_THI: "CT",
    DocumentType.QUY_CHE: "QC",
    DocumentType.QUY_DINH: "QyĐ",
    DocumentType.THONG_CAO: "TC",
    DocumentType.THONG_BAO: "TB",
    DocumentType.HUONG_DAN: "HD",
    DocumentType.CHUONG_TRINH: "CTr",
    DocumentType.KE_HOACH: "KH",
    DocumentType.PHUONG_AN: "PA",
    DocumentType.DE_AN: "ĐA",
    DocumentType.DU_AN: "DA",
    DocumentType.BAO_CAO: "BC",
    DocumentType.BIEN_BAN: "BB",
    DocumentType.TO_TRINH: "TTr",
    DocumentType.HOP_DONG: "HĐ",
    DocumentType.CONG_DIEN: "CĐ",
    DocumentType.BAN_GHI_NHO: "BGN",
    DocumentType.BAN_THOA_THUAN: "BTT",
    DocumentType.GIAY_UY_QUYEN: "GUQ",
    DocumentType.GIAY_MOI: "GM",
    DocumentType.GIAY_GIOI_THIEU: "GGT",
    DocumentType.GIAY_NGHI_PHEP: "GNP",
    DocumentType.PHIEU_GUI: "PG",
    DocumentType.PHIEU_CHUYEN: "PC",
    DocumentType.PHIEU_BAO: "PB",
    DocumentType.BAN_SAO_Y: "SY",
    DocumentType.BAN_TRICH_SAO: "TrS",
    DocumentType.BAN_SAO_LUC: "SL",
}


class Authority(Enum):
    """Signing authority prefixes of box 7a."""

    TM = "TM."  # on behalf of a collective body
    KT = "KT."  # a deputy signing for the head
    Q = "Q."  # acting head
    TL = "TL."  # by order
    TUQ = "TUQ."  # by written authorisation

    @property
    def aliases(self) -> tuple[str, ...]:
        return (self.value.rstrip("."),)

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Authority:
        return parse_enum(cls, value, field=field)


class Priority(Enum):
    """Urgency (edXML ``OtherInfo/Priority``); ``mark`` is the framed red text of box 10b."""

    NORMAL = 0
    URGENT = 1
    VERY_URGENT = 2
    EXPRESS = 3
    EXPRESS_TIMED = 4

    @property
    def mark(self) -> str | None:
        return _PRIORITY_MARKS[self]

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(filter(None, (self.mark,)))

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Priority:
        return parse_enum(cls, value, field=field)


_PRIORITY_MARKS = {
    Priority.NORMAL: None,
    Priority.URGENT: "KHẨN",
    Priority.VERY_URGENT: "THƯỢNG KHẨN",
    Priority.EXPRESS: "HỎA TỐC",
    Priority.EXPRESS_TIMED: "HỎA TỐC HẸN GIỜ",
}


class Secrecy(Enum):
    """Secrecy marks of box 10a."""

    NONE = 0
    MAT = 1
    TOI_MAT = 2
    TUYET_MAT = 3

    @property
    def mark(self) -> str | None:
        return {Secrecy.NONE: None, Secrecy.MAT: "MẬT", Secrecy.TOI_MAT: "TỐI MẬT",
                Secrecy.TUYET_MAT: "TUYỆT MẬT"}[self]

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(filter(None, (self.mark,)))

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Secrecy:
        return parse_enum(cls, value, field=field)


class SteeringType(Enum):
    """edXML ``SteeringType``. ``UNSET`` (0) is written by one SDK and accepted on read."""

    UNSET = 0
    NOT_DIRECTIVE = 1
    DIRECTIVE = 2
    DIRECTIVE_REPORT = 3

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> SteeringType:
        return parse_enum(cls, value, field=field)


class BusinessType(Enum):
    """edXML ``Bussiness/BussinessDocType``."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> BusinessType:
        return parse_enum(cls, value, field=field)


class StatusCode(Enum):
    """edXML status codes (section 6 of the edXML spec). Codes never seen are read as ``UNKNOWN``."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    COMPLETED = "06"
    RECALLED = "13"
    RECALL_AGREED = "15"
    RECALL_REFUSED = "16"
    UNKNOWN = "00"

    @property
    def name_vi(self) -> str:
        return _STATUS_NAMES[self]

    @property
    def aliases(self) -> tuple[str, ...]:
        return (self.name_vi, str(int(self.value)))

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> StatusCode:
        return parse_enum(cls, value, field=field)


_STATUS_NAMES = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Hoàn thành",
    StatusCode.RECALLED: "Thu hồi / lấy lại",
    StatusCode.RECALL_AGREED: "Đồng ý thu hồi/cập nhật",
    StatusCode.RECALL_REFUSED: "Từ chối thu hồi/cập nhật",
    StatusCode.UNKNOWN: "Trạng thái không xác định",
}


class HeadingLevel(Enum):
    """Levels of the content structure: parts/chapters in Roman numerals, sections/articles in Arabic."""

    PART = "part"  # Phần I
    CHAPTER = "chapter"  # Chương I
    SECTION = "section"  # Mục 1
    ARTICLE = "article"  # Điều 1.
    HEADING = "heading"  # any other bold heading (I., 1., …)

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> HeadingLevel:
        return parse_enum(cls, value, field=field)
