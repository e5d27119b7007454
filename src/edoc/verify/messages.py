"""The message catalogue of verification reports: stable keys, Vietnamese (default) and English texts.

A report never stores a sentence; it stores a :class:`~edoc.verify.report.Message` holding a key from
:data:`CATALOGUE` and its parameters, so that programs match on the key and people read the text in their
language. Keys are part of the versioned report format: a key is never reused for another meaning.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

__all__ = ["CATALOGUE", "render_message"]

#: key -> (Vietnamese template, English template); templates use ``str.format`` fields.
CATALOGUE: Mapping[str, tuple[str, str]] = {
    # document level
    "document.no_signature": (
        "Văn bản không có chữ ký số nào.",
        "The document carries no digital signature.",
    ),
    "document.unreadable": (
        "Không đọc được tệp: {reason}",
        "The file cannot be read: {reason}",
    ),
    "document.too_large": (
        "Tệp lớn hơn giới hạn {limit} byte nên không được kiểm tra.",
        "The file is larger than the limit of {limit} bytes and was not checked.",
    ),
    "document.timeout": (
        "Việc kiểm tra vượt quá thời gian cho phép ({seconds} giây) và đã bị dừng.",
        "Verification took longer than the allowed {seconds} seconds and was stopped.",
    ),
    "document.timeout_not_stopped": (
        "Việc kiểm tra đang chờ trong mã gốc (native) nên chưa dừng được ngay; nó sẽ dừng khi lệnh đó trả về.",
        "The verification is waiting inside native code and could not be stopped at once; it stops when that "
        "call returns.",
    ),
    "document.unknown_format": (
        "Không nhận ra định dạng tệp (chỉ hỗ trợ PDF và edXML).",
        "Unknown file format (only PDF and edXML are supported).",
    ),
    "document.encrypted": (
        "Tệp PDF bị mã hóa; không thể kiểm tra chữ ký.",
        "The PDF is encrypted; its signatures cannot be checked.",
    ),
    "document.internal_error": (
        "Lỗi không lường trước khi kiểm tra ({reason}); kết quả không xác định.",
        "Unexpected error while verifying ({reason}); the result is indeterminate.",
    ),
    "document.unsigned_tail": (
        "Có dữ liệu được thêm vào sau chữ ký cuối cùng mà không chữ ký nào bảo vệ.",
        "Data was appended after the last signature and is covered by no signature.",
    ),
    "document.xref_damaged": (
        "Bảng tham chiếu chéo tại byte {offset} bị hỏng ({problem}): phần mềm xem khác có thể dựng lại bảng "
        "và hiển thị những đối tượng chưa được kiểm tra.",
        "The cross-reference section at byte {offset} is damaged ({problem}): another viewer may rebuild it "
        "and show objects that were not checked.",
    ),
    # signature level: signatures present in the file but not reached through the document's structure
    "signature.unreached": (
        "Tệp chứa một chữ ký (đối tượng {object} tại byte {offset}, ByteRange {byte_range}) mà không trường "
        "chữ ký nào của văn bản dẫn tới, nên chữ ký đó không được kiểm tra.",
        "The file holds a signature (object {object} at byte {offset}, ByteRange {byte_range}) that no "
        "signature field of the document leads to, so it was not verified.",
    ),
    "signature.orphaned": (
        "Tệp chứa một chữ ký tại byte {offset} (ByteRange {byte_range}) nằm ngoài mọi đối tượng mà bảng tham "
        "chiếu chéo liệt kê, nên chữ ký đó không được kiểm tra.",
        "The file holds a signature at byte {offset} (ByteRange {byte_range}) outside every object the "
        "cross-reference sections list, so it was not verified.",
    ),
    "signature.other_byte_range": (
        "Tệp chứa một phiên bản khác của chữ ký (đối tượng {object} tại byte {offset}) với ByteRange "
        "{byte_range} khác phiên bản đã kiểm tra, nên phiên bản đó không được kiểm tra.",
        "The file holds another version of a signature (object {object} at byte {offset}) with ByteRange "
        "{byte_range}, not the one verified, so that version was not verified.",
    ),
    "signature.too_many": (
        "Tệp chứa hơn {limit} từ khóa của từ điển chữ ký; không kiểm tra được hết các chữ ký.",
        "The file holds more than {limit} signature dictionary keys; its signatures cannot all be checked.",
    ),
    # signature level: integrity and cryptography
    "signature.intact": (
        "Toàn vẹn: nội dung được ký không bị thay đổi.",
        "Integrity: the signed content is unchanged.",
    ),
    "signature.hash_mismatch": (
        "Toàn vẹn: nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp).",
        "Integrity: the content was changed after signing (digest mismatch).",
    ),
    "signature.crypto_invalid": (
        "Giá trị chữ ký không đúng với khóa công khai của chứng thư số.",
        "The signature value does not verify with the certificate's public key.",
    ),
    "signature.format": (
        "Chữ ký có cấu trúc không hợp lệ: {reason}",
        "The signature is malformed: {reason}",
    ),
    "signature.byterange": (
        "Vùng ký (/ByteRange) không hợp lệ: {reason}",
        "The signed byte range (/ByteRange) is invalid: {reason}",
    ),
    "signature.no_certificate": (
        "Không tìm thấy chứng thư số của người ký trong chữ ký.",
        "The signer's certificate is not in the signature.",
    ),
    # trust and certificate validity
    "chain.trusted": (
        "Chứng thư số hợp lệ và chuỗi chứng thực dẫn tới gốc tin cậy {anchor}.",
        "The certificate is valid and chains to the trust anchor {anchor}.",
    ),
    "chain.not_found": (
        "Không xây dựng được chuỗi chứng thực tới một gốc tin cậy (chưa cài chứng thư gốc?).",
        "No certificate chain to a trust anchor could be built (root certificate not installed?).",
    ),
    "chain.problem": (
        "Chuỗi chứng thực không hợp lệ: {reason}",
        "The certificate chain is not valid: {reason}",
    ),
    "chain.usage": (
        "Chứng thư số không được phép dùng để ký văn bản (mục đích sử dụng khóa): {reason}",
        "The certificate may not be used for signing documents (key usage): {reason}",
    ),
    "cert.expired": (
        "Chứng thư số đã hết hạn tại thời điểm kiểm tra.",
        "The certificate had expired at the validation time.",
    ),
    "cert.not_yet_valid": (
        "Chứng thư số chưa có hiệu lực tại thời điểm kiểm tra.",
        "The certificate was not yet valid at the validation time.",
    ),
    "revocation.revoked": (
        "Chứng thư số đã bị thu hồi ngày {date}.",
        "The certificate was revoked on {date}.",
    ),
    "revocation.unchecked": (
        "Chưa kiểm tra được tình trạng thu hồi của chứng thư số ({certificates}): văn bản không kèm CRL/OCSP "
        "và đang ở chế độ ngoại tuyến. Để kiểm tra, chạy lại 'edoc verify' không có --offline trên máy kết nối "
        "được tới tổ chức cung cấp dịch vụ chứng thực (OCSP/CRL ghi trong chứng thư số).",
        "The revocation status of the certificate(s) ({certificates}) could not be checked: the document embeds "
        "no CRL/OCSP data and verification is offline. To check it, run 'edoc verify' again without --offline "
        "on a machine that can reach the certificate authority (the OCSP/CRL addresses in the certificate).",
    ),
    "revocation.unavailable": (
        "Không xác định được tình trạng thu hồi của chứng thư số ({certificates}): văn bản không kèm CRL/OCSP "
        "và chứng thư số không ghi địa chỉ OCSP/CRL nào trả lời được.",
        "The revocation status of the certificate(s) ({certificates}) could not be established: the document "
        "embeds no CRL/OCSP data and the certificate names no OCSP responder or CRL that answered.",
    ),
    "revocation.revoked_after_timestamp": (
        "Chứng thư số bị thu hồi ngày {date}, sau thời điểm {time} mà dấu thời gian chứng minh chữ ký đã tồn "
        "tại: chữ ký vẫn hợp lệ.",
        "The certificate was revoked on {date}, after {time}, when the time-stamp proves the signature "
        "existed: the signature stands.",
    ),
    # algorithms
    "algorithm.weak_digest": (
        "Thuật toán băm {algorithm} không còn được chấp nhận theo quy định hiện hành.",
        "The digest algorithm {algorithm} is no longer accepted by the rules in force.",
    ),
    "algorithm.weak_key": (
        "Khóa {algorithm} {bits} bit ngắn hơn mức tối thiểu {minimum} bit.",
        "The {algorithm} key of {bits} bits is shorter than the minimum of {minimum} bits.",
    ),
    # time
    "time.signing": (
        "Thời gian ký (do người ký khai): {time}.",
        "Signing time (claimed by the signer): {time}.",
    ),
    "time.timestamp": (
        "Dấu thời gian: {time}.",
        "Time-stamp: {time}.",
    ),
    "time.timestamp_invalid": (
        "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy.",
        "The signature's time-stamp is invalid or not trusted.",
    ),
    # modifications
    "modification.none": (
        "Văn bản không bị thay đổi sau chữ ký này.",
        "The document was not changed after this signature.",
    ),
    "modification.lta_updates": (
        "Sau chữ ký chỉ bổ sung dữ liệu kiểm tra dài hạn (DSS) hoặc dấu thời gian văn bản: được phép.",
        "Only long-term validation data (DSS) or document time-stamps were added after signing: permitted.",
    ),
    "modification.form_filling": (
        "Sau chữ ký chỉ có chữ ký khác hoặc điền các trường dành sẵn: được phép.",
        "Only further signatures or filling reserved fields happened after signing: permitted.",
    ),
    "modification.annotations": (
        "Sau chữ ký có thêm chú thích (annotation); cần xem lại vì chú thích có thể che nội dung.",
        "Annotations were added after signing; review them, as annotations can cover content.",
    ),
    "modification.other": (
        "Văn bản đã bị thay đổi sau khi ký theo cách không được phép: {reason}",
        "The document was changed after signing in a way that is not permitted: {reason}",
    ),
    "modification.docmdp": (
        "Các thay đổi sau chữ ký vượt quá quyền mà chữ ký chứng nhận (DocMDP/FieldMDP) cho phép.",
        "The changes after signing exceed what the certification (DocMDP/FieldMDP) permits.",
    ),
    "modification.unknown": (
        "Không phân tích được các thay đổi sau chữ ký: {reason}",
        "The changes made after signing could not be analysed: {reason}",
    ),
    # national profile
    "profile.role": (
        "Vai trò chữ ký: {role}.",
        "Signature role: {role}.",
    ),
    "profile.order": (
        "Chữ ký của cơ quan đứng trước chữ ký của người có thẩm quyền (sai trình tự ban hành).",
        "The agency signature precedes the competent person's signature (wrong order of issuance).",
    ),
    "profile.time_order": (
        "Thời gian ký của cơ quan sớm hơn thời gian ký của người có thẩm quyền.",
        "The agency signing time is earlier than the competent person's signing time.",
    ),
    "profile.agency_without_org": (
        "Chứng thư số của chữ ký cơ quan không ghi tên tổ chức (O) hoặc mã số thuế (MST).",
        "The agency signature's certificate names no organisation (O) or tax code (MST).",
    ),
    "profile.organisation_mismatch": (
        "Tổ chức trong chứng thư số ({organisation}) khác cơ quan ban hành ({issuer}).",
        "The certificate's organisation ({organisation}) is not the issuing body ({issuer}).",
    ),
    "profile.number_missing": (
        "Văn bản đã có chữ ký của cơ quan nhưng chưa điền số, ký hiệu (trường {field} trống).",
        "The agency has signed but the number and notation are not filled (field {field} is empty).",
    ),
    "profile.date_missing": (
        "Văn bản đã có chữ ký của cơ quan nhưng chưa điền ngày ban hành (trường {field} trống).",
        "The agency has signed but the date of issue is not filled (field {field} is empty).",
    ),
    "profile.not_issued": (
        "Văn bản chưa được ban hành: giá trị «{value}» của trường {field} không được chữ ký của cơ quan ban "
        "hành bảo đảm (được điền sau hoặc không có chữ ký của cơ quan).",
        "The document is not issued: the value “{value}” of field {field} is not covered by the issuing "
        "agency's signature (filled in later, or no agency signature).",
    ),
    # edXML
    "envelope.stray_signature": (
        "Tệp chứa một phần của chữ ký số ({element}) nằm ngoài chữ ký được kiểm tra (ví dụ chữ ký có không gian "
        "tên bị thay đổi), nên chữ ký đó không kiểm tra được.",
        "The file holds a part of a digital signature ({element}) outside the signature verified (for "
        "example a signature whose namespace was changed), so that signature cannot be verified.",
    ),
    "envelope.no_signature": (
        "Gói tin edXML không có chữ ký số (chữ ký trống hoặc giữ chỗ).",
        "The edXML envelope carries no signature (empty or placeholder signature).",
    ),
    "envelope.multiple_signatures": (
        "Gói tin có nhiều hơn một chữ ký ở vị trí quy định; từ chối vì có thể là tấn công bọc chữ ký.",
        "The envelope holds more than one signature at the expected place; refused as possible wrapping.",
    ),
    "envelope.misplaced_signature": (
        "Chữ ký XML không nằm ở vị trí quy định.",
        "The XML signature is not at the expected place.",
    ),
    "envelope.duplicate_id": (
        "Tệp có thuộc tính Id trùng lặp ({id}); từ chối vì có thể là tấn công bọc chữ ký.",
        "The file has a duplicate Id attribute ({id}); refused as possible signature wrapping.",
    ),
    "envelope.external_reference": (
        "Chữ ký tham chiếu tới dữ liệu bên ngoài tài liệu ({uri}); không chấp nhận.",
        "The signature references data outside the document ({uri}); not accepted.",
    ),
    "envelope.reference_not_found": (
        "Không tìm thấy dữ liệu mà chữ ký tham chiếu ({uri}).",
        "The data the signature references was not found ({uri}).",
    ),
    "envelope.partial_scope": (
        "Chữ ký chỉ bao phủ một phần tài liệu ({scope}); phần còn lại không được ký.",
        "The signature covers only part of the document ({scope}); the rest is not signed.",
    ),
    "envelope.transforms_refused": (
        "Tham chiếu {uri} của chữ ký dùng các phép biến đổi không được chấp nhận ở vị trí này ({transforms}); "
        "tham chiếu tới toàn bộ tài liệu phải là enveloped-signature rồi tối đa một phép chuẩn hóa (C14N), "
        "nếu không chữ ký có thể không bao phủ nội dung mà nó tuyên bố.",
        "The signature's reference {uri} uses transforms not accepted at its place ({transforms}); a reference "
        "to the whole document must be enveloped-signature then at most one canonicalisation (C14N), otherwise "
        "the signature may not cover what it claims to.",
    ),
    "attachments.unreadable": (
        "Không đọc được các tệp đính kèm của gói tin ({reason}); chữ ký số trong chúng chưa được kiểm tra nên "
        "kết quả không thể là hợp lệ.",
        "The message's attachments could not be read ({reason}); signatures inside them were not checked, so "
        "the result cannot be VALID.",
    ),
    "attachment.unreadable": (
        "Không đọc được tệp đính kèm {name} ({reason}); chữ ký số nó có thể mang chưa được kiểm tra nên kết "
        "quả không thể là hợp lệ.",
        "Attachment {name} could not be read ({reason}); any signature it carries was not checked, so the "
        "result cannot be VALID.",
    ),
    "attachment.signature_unsupported": (
        "Tệp đính kèm {name} mang chữ ký số dạng {kind} mà edoc không kiểm tra được; kết quả không thể là "
        "hợp lệ.",
        "Attachment {name} carries a {kind} signature, which edoc cannot verify; the result cannot be VALID.",
    ),
    "attachment.unsigned": (
        "Tệp đính kèm {name} không mang chữ ký số ở định dạng nào edoc biết (không phải PDF, XML có chữ ký, "
        "zip, tài liệu văn phòng có chữ ký hay CMS).",
        "Attachment {name} carries no signature in a format edoc knows (not a PDF, signed XML, zip, signed "
        "office document or CMS).",
    ),
    "attachment.not_verified": (
        "Tệp đính kèm {name} không phải PDF hoặc edXML nên không kiểm tra chữ ký.",
        "Attachment {name} is neither PDF nor edXML; its signatures were not checked.",
    ),
    # XAdES time-stamps of the edXML envelope signature
    "envelope.timestamp_problem": (
        "Dấu thời gian XAdES (SignatureTimeStamp) không dùng được: {reason}",
        "The XAdES signature time-stamp (SignatureTimeStamp) cannot be used: {reason}",
    ),
    "envelope.signing_certificate_mismatch": (
        "Chứng thư số dùng để ký không phải chứng thư được khai trong thuộc tính đã ký (SigningCertificate).",
        "The certificate that verifies the signature is not the one named in the signed properties "
        "(SigningCertificate).",
    ),
    # PDF verification: revocation coverage and TRY_LATER, decompression bombs, the time a stamp shows
    "revocation.try_later": (
        "Không lấy được tình trạng thu hồi (OCSP/CRL) vì máy chủ không phản hồi; hãy kiểm tra lại sau.",
        "The revocation status (OCSP/CRL) could not be obtained because the responders did not answer; "
        "try again later.",
    ),
    "revocation.incomplete": (
        "Dữ liệu thu hồi kèm theo văn bản không có thông tin về chứng thư số: {certificates}.",
        "The embedded revocation data says nothing about the certificate(s): {certificates}.",
    ),
    "document.decode_limit": (
        "Tệp chứa luồng dữ liệu nén giải nén ra quá {limit} byte; từ chối vì có thể là tấn công (bom nén).",
        "The file holds a compressed stream that inflates beyond {limit} bytes; refused as a possible "
        "decompression bomb.",
    ),
    "profile.shown_time_mismatch": (
        "Thời gian hiển thị trên chữ ký ({shown}) khác thời gian ký ({signed}).",
        "The time shown on the signature ({shown}) is not the signing time ({signed}).",
    ),
    "profile.shown_time_unreadable": (
        "Không đọc được chữ hiển thị trên chữ ký trong giới hạn cho phép ({reason}) nên không so được thời "
        "gian hiển thị với thời gian ký.",
        "The text the signature shows could not be read within bounds ({reason}), so the time it shows was "
        "not compared with the signing time.",
    ),
    "profile.shown_time_missing": (
        "Chữ ký của phụ lục hoặc bản sao không hiển thị thời gian ký.",
        "The appendix or copy signature does not show its signing time.",
    ),
}

_ROLE_VI = {
    "person": "người có thẩm quyền",
    "agency": "cơ quan",
    "appendix": "phụ lục",
    "copy": "bản sao",
    "envelope": "gói tin",
    "timestamp": "dấu thời gian",
    "unknown": "chưa xác định",
}


def render_message(key: str, params: Mapping[str, str], lang: str = "vi") -> str:
    """The text of message ``key`` in ``lang`` (``vi`` or ``en``), NFC-normalised.

    An unknown key or a missing parameter never raises: the key and the parameters are shown instead, so a
    report written by a newer edoc stays readable.
    """
    templates = CATALOGUE.get(key)
    values = dict(params)
    if lang == "vi" and key == "profile.role" and "role" in values:
        values["role"] = _ROLE_VI.get(values["role"], values["role"])
    if templates is None:
        text = key + (" " + repr(values) if values else "")
    else:
        template = templates[0] if lang == "vi" else templates[1]
        try:
            text = template.format(**values)
        except (KeyError, IndexError, ValueError):
            text = template
    return unicodedata.normalize("NFC", text)
