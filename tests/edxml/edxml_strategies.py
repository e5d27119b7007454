"""Hypothesis strategies over the document model, limited to what edXML carries (see ``edxml_subset``)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from edoc.model import (
    VIETNAM_TZ,
    Appendix,
    Attachment,
    Authority,
    Business,
    BusinessType,
    Document,
    DocumentType,
    Organ,
    Priority,
    ReceiverChange,
    ReplacementInfo,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    TraceHeader,
)

# Any text XML 1.0 can carry (no other control characters, surrogates or non-characters), including the three
# characters XML normalises (tab, CR and LF: end-of-line handling and attribute-value normalisation), which a
# writer must escape for the text to read back unchanged.
text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\r\n \r\n<&>\"'"),
               max_size=20)
vi_text = st.text(st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ"
                                  "ùủũúụừửữứựỳỷỹýỵ ĐÂƯ0123456789,./-"), max_size=30)
# Values read with surrounding whitespace stripped (ids, codes, dates) have none.
token = st.from_regex(r"[A-Za-z0-9@._+-]{0,12}", fullmatch=True)
organ_id = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True) | token
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
times = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1),
                     timezones=st.just(VIETNAM_TZ)).map(lambda t: t.replace(microsecond=0))

organs = st.builds(Organ, organ_id=organ_id, name=text, organization_in_charge=text, address=text, email=token,
                   telephone=token, fax=token, website=token)
staff = st.builds(StaffInfo, department=text, staff=text, email=token, mobile=token)


@st.composite
def signers(draw: st.DrawFn) -> Signer:
    authority = draw(st.none() | st.sampled_from(Authority))
    authority_of = draw(vi_text.map(str.strip))
    if authority is None and authority_of[:4].rstrip().endswith("."):
        authority_of = "x" + authority_of
    return Signer(full_name=draw(vi_text.filter(bool)), position=draw(text), authority=authority,
                  authority_of=authority_of)


businesses = st.builds(
    Business, type=st.sampled_from(BusinessType), reason=text, document_id=token, paper=st.sampled_from(["0", "1"]),
    staff=st.none() | staff, document_info=text, document_receiver=text,
    receivers=st.lists(st.builds(ReceiverChange, organ_id=organ_id, added=st.booleans()), max_size=2).map(tuple),
    replacements=st.lists(st.builds(ReplacementInfo, document_id=token,
                                    organ_ids=st.lists(organ_id, max_size=2).map(tuple)), max_size=2).map(tuple),
)

attachments = st.builds(
    Attachment, name=text.filter(lambda s: s.strip() != ""), data=st.binary(max_size=300),
    content_type=st.sampled_from(["application/pdf", "application/octet-stream", "text/plain"]),
    description=text, content_id=st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    return Document(
        organ=draw(organs), type=draw(st.sampled_from(DocumentType)), summary=draw(text),
        number=draw(st.none() | st.integers(0, 99_999_999_999)), notation=draw(token),
        place=draw(text), date=draw(st.none() | dates), description=draw(text),
        recipients=tuple(draw(st.lists(organs, max_size=3))), to_places=tuple(draw(st.lists(text, max_size=3))),
        signer=draw(st.none() | signers()), priority=draw(st.sampled_from(Priority)),
        due_date=draw(st.none() | dates), steering_type=draw(st.sampled_from(SteeringType)),
        drafter_initials=draw(text), copies=draw(st.none() | st.integers(0, 10_000)),
        page_amount=draw(st.none() | st.integers(0, 10_000)), sphere_of_promulgation=draw(text),
        direction=draw(st.booleans()),
        appendices=tuple(Appendix(title=t) for t in draw(st.lists(text, max_size=2))),
        attachments=tuple(draw(st.lists(attachments, max_size=2, unique_by=lambda a: a.content_id))),
        response_for=tuple(draw(st.lists(st.builds(ResponseFor, organ_id=organ_id, code=token,
                                                   promulgation_date=st.none() | dates, document_id=token),
                                         max_size=2))),
        business=draw(businesses),
        trace=tuple(draw(st.lists(st.builds(TraceHeader, organ_id=organ_id, timestamp=st.none() | times),
                                  max_size=2))),
        type_code=draw(st.none() | st.integers(0, 99)), type_detail=draw(st.none() | st.integers(0, 99)),
        document_id_override=draw(st.just("") | token),
    )


statuses = st.builds(
    StatusMessage,
    response_for=st.builds(ResponseFor, organ_id=organ_id, code=token, promulgation_date=st.none() | dates,
                           document_id=token),
    sender=organs, code=st.sampled_from([c for c in StatusCode if c is not StatusCode.UNKNOWN]),
    description=text, timestamp=st.none() | times, staff=st.none() | staff,
)
