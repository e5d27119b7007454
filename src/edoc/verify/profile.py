"""The Vietnamese national profile: signer facts from certificates, signature roles, order of issuance.

Decree 30/2020 has the competent person sign first (personal certificate: ``UID`` ``CCCD:``/``CMND:``),
then the clerk applies the agency signature (organisation certificate: ``O`` and ``UID`` ``MST:``). Roles
are decided by, in order: the signature field name (``edoc.sig.person``, ``edoc.sig.agency``,
``edoc.sig.appendix``, ``edoc.sig.copy``), the certificate, and finally the position of the signature.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone

from asn1crypto import x509

from edoc.model.fields import FIELD_DATE, FIELD_NUMBER
from edoc.verify.report import (
    Check,
    Identifier,
    Message,
    MessageLevel,
    SignatureReport,
    SignatureRole,
    SignerFacts,
    iso_vn,
)

__all__ = ["signer_facts", "role_from_field", "role_from_signer", "apply_profile", "issuance_findings",
           "personal_only"]

_UID = re.compile(r"^\s*([A-Za-z]{2,10})\s*[:=]\s*(\S.*?)\s*$")
_PERSONAL = {"CCCD", "CMND", "HC", "CMT", "DDCN"}
_ORGANISATIONAL = {"MST", "MNS", "MDVQHNS", "MDVCQ"}


def _nfc(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return unicodedata.normalize("NFC", str(value))


def signer_facts(cert: x509.Certificate) -> SignerFacts:
    """The facts of ``cert`` a Vietnamese report shows (name, organisation, UID identifiers, issuer…)."""
    subject = cert.subject.native
    identifiers: list[Identifier] = []
    for rdn in cert.subject.chosen:
        for attr in rdn:
            if attr["type"].dotted == "0.9.2342.19200300.100.1.1":
                raw = _nfc(attr["value"].native) or ""
                m = _UID.match(raw)
                identifiers.append(Identifier(m.group(1).upper(), m.group(2)) if m
                                   else Identifier("UID", raw))
    validity = cert["tbs_certificate"]["validity"]
    algo = cert.public_key.algorithm
    try:
        bits: int | None = int(cert.public_key.bit_size)
    except (ValueError, TypeError, KeyError):
        bits = None
    return SignerFacts(
        name=_nfc(subject.get("common_name")),
        organisation=_nfc(subject.get("organization_name")),
        identifiers=tuple(identifiers),
        subject=_nfc(cert.subject.human_friendly) or "",
        issuer=_nfc(cert.issuer.human_friendly) or "",
        serial=format(cert.serial_number, "X"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        key_algorithm=str(algo),
        key_bits=bits,
    )


def role_from_field(name: str | None) -> SignatureRole | None:
    """The role a field name announces (``edoc.sig.person`` …), or ``None``."""
    if not name:
        return None
    last = name.lower().rsplit(".", 1)[-1]
    if name.lower().startswith("edoc.sig.") or last in {"person", "agency", "appendix", "copy"}:
        for role in (SignatureRole.PERSON, SignatureRole.AGENCY, SignatureRole.APPENDIX,
                     SignatureRole.COPY):
            if last.startswith(role.value):
                return role
    return None


def personal_only(kinds: set[str]) -> bool:
    """Whether identifier kinds (``CCCD``, ``MST``…) name a person and no organisation: such a certificate
    never issues a document, whatever its signature field is called."""
    upper = {k.upper() for k in kinds}
    return bool(upper & _PERSONAL) and not upper & _ORGANISATIONAL


def role_from_signer(facts: SignerFacts | None) -> SignatureRole | None:
    """Person (CCCD/CMND, no tax code) or agency (tax code or organisation without a personal id)."""
    if facts is None:
        return None
    kinds = {i.kind for i in facts.identifiers}
    personal = bool(kinds & _PERSONAL)
    organisational = bool(kinds & _ORGANISATIONAL)
    if personal and not organisational:
        return SignatureRole.PERSON
    if organisational and not personal:
        return SignatureRole.AGENCY
    if (not personal and facts.organisation and facts.name
            and facts.name.casefold() == facts.organisation.casefold()):
        return SignatureRole.AGENCY
    return None


#: Abbreviations of agency names that certificates and documents use interchangeably.
_ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "tp.": "thành phố",
    "tp": "thành phố",
}


def _fold(text: str) -> str:
    """Case-, spacing- and abbreviation-insensitive form of an agency name (``UBND`` = ``Ủy ban nhân dân``;
    the old tone placement ``Uỷ`` = ``Ủy``)."""
    words = unicodedata.normalize("NFC", text).casefold().replace("uỷ", "ủy").split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


# FIELD_NUMBER, FIELD_DATE (edoc.model.fields): the reserved text fields of the number and the date of issue,
# filled at issuance, after the person signs.


def apply_profile(
    reports: list[SignatureReport], *, issuing_body: str | None = None,
    form_values: Mapping[str, str] | None = None,
    shown_times: Mapping[str, datetime | None] | None = None,
) -> list[SignatureReport]:
    """Assign roles to signature reports (in signing order) and add the profile's findings.

    Profile findings are warnings: they do not change a signature's indication, since the cryptographic
    verdict stands on its own, but a clerk must see them.

    :param shown_times: by signature field name, the time the visible signature shows (``None``: none
        shown). The appendix and copy acts print the signing time on page 1; it must be the signed time.
    """
    out = list(reports)
    regular = [i for i, r in enumerate(out) if r.role is not SignatureRole.TIMESTAMP]
    unknown = [i for i in regular if out[i].role is SignatureRole.UNKNOWN]
    # by order: exactly two signatures, and the only open question is which is which
    if len(regular) == 2 and unknown:
        known = {out[i].role for i in regular if i not in unknown}
        first, second = regular
        if not known or known <= {SignatureRole.PERSON, SignatureRole.AGENCY}:
            if first in unknown and SignatureRole.PERSON not in known:
                out[first] = replace(out[first], role=SignatureRole.PERSON)
            if second in unknown and SignatureRole.AGENCY not in {out[first].role}:
                out[second] = replace(out[second], role=SignatureRole.AGENCY)
    persons = [i for i in regular if out[i].role is SignatureRole.PERSON]
    agencies = [i for i in regular if out[i].role in (SignatureRole.AGENCY, SignatureRole.APPENDIX,
                                                      SignatureRole.COPY)]
    for i in regular:
        extra: list[Message] = [Message.of("profile.role", role=out[i].role.value)]
        rep = out[i]
        if i in agencies and rep.signer is not None:
            if not rep.signer.organisation and not rep.signer.identifier("MST"):
                extra.append(Message.of("profile.agency_without_org", MessageLevel.WARNING))
            elif issuing_body and rep.signer.organisation and \
                    _fold(issuing_body) not in _fold(rep.signer.organisation) and \
                    _fold(rep.signer.organisation) not in _fold(issuing_body):
                extra.append(Message.of("profile.organisation_mismatch", MessageLevel.WARNING,
                                        organisation=rep.signer.organisation, issuer=issuing_body))
        if out[i].role is SignatureRole.AGENCY and form_values is not None:
            for name, key in ((FIELD_NUMBER, "profile.number_missing"), (FIELD_DATE, "profile.date_missing")):
                if name in form_values and not form_values[name].strip():
                    extra.append(Message.of(key, MessageLevel.WARNING, field=name))
        if i in agencies and out[i].role is SignatureRole.AGENCY and persons:
            if any(p > i for p in persons):
                extra.append(Message.of("profile.order", MessageLevel.WARNING))
            mine = _time(rep)
            if mine and any((t := _time(out[p])) is not None and t > mine for p in persons):
                extra.append(Message.of("profile.time_order", MessageLevel.WARNING))
        if rep.role in (SignatureRole.APPENDIX, SignatureRole.COPY) and shown_times is not None \
                and rep.field_name is not None and rep.field_name in shown_times:
            extra += _shown_time_findings(rep, shown_times[rep.field_name])
        out[i] = replace(rep, messages=(*rep.messages, *extra))
    return out


#: The reserved reference fields of appendix headings ("Kèm theo … số … ngày …"), filled at issuance too.
_REF_FIELD = re.compile(r"^edoc\.ref\d{1,3}\.(?:number|date)$")


def issuance_findings(
    reports: list[SignatureReport], *, form_values: Mapping[str, str],
    values_at: Callable[[int], Mapping[str, str] | None],
) -> tuple[Message, ...]:
    """The number and date of issue must be covered by the agency's signature (Decree 30: the agency
    signature issues the document; the person's approval comes before the number exists).

    A value in the reserved field :data:`FIELD_NUMBER` or :data:`FIELD_DATE` of the final revision that no
    intact agency signature signed (the field held that value in the revision the agency signed) means the
    document is **not issued**, however intact the person's signature is: one ``profile.not_issued`` error
    per such field. The reserved references of appendix headings (``edoc.refN.number``/``edoc.refN.date``)
    follow the same rule, an appendix signature (a separate appendix file) covering them too. The caller
    makes the document's verdict INDETERMINATE/SIG_CONSTRAINTS_FAILURE.

    :param reports: the signature reports with their roles (after :func:`apply_profile`).
    :param form_values: text field values of the final revision, by dotted name.
    :param values_at: text field values as of a signed revision (``None`` when they cannot be read).
    """
    filled = {name: value.strip() for name, value in form_values.items()
              if value.strip() and (name in (FIELD_NUMBER, FIELD_DATE) or _REF_FIELD.match(name))}
    if not filled:
        return ()
    covered: set[str] = set()
    for rep in reports:
        # an agency signature by a personal certificate issues nothing, whatever its field is called
        if rep.role not in (SignatureRole.AGENCY, SignatureRole.APPENDIX) or rep.revision is None \
                or rep.integrity is not Check.PASSED or rep.crypto is not Check.PASSED \
                or (rep.signer is not None and personal_only({i.kind for i in rep.signer.identifiers})):
            continue
        signed = values_at(rep.revision) or {}
        covered |= {name for name, value in filled.items() if signed.get(name, "").strip() == value
                    and (rep.role is SignatureRole.AGENCY or _REF_FIELD.match(name))}
    return tuple(Message.of("profile.not_issued", MessageLevel.ERROR, field=name, value=value)
                 for name, value in sorted(filled.items()) if name not in covered)


def _shown_time_findings(rep: SignatureReport, shown: datetime | None) -> list[Message]:
    """The visible time of an appendix or copy signature against its signed time, to the second (the
    stamp prints whole seconds; the claimed signing time is /M or signingTime, also whole seconds)."""
    if shown is None:
        return [Message.of("profile.shown_time_missing", MessageLevel.WARNING)]
    signed = rep.signing_time or rep.timestamp_time
    if signed is None:
        return []
    if signed.tzinfo is None:
        signed = signed.replace(tzinfo=timezone.utc)
    if shown.replace(microsecond=0) != signed.replace(microsecond=0):
        return [Message.of("profile.shown_time_mismatch", MessageLevel.WARNING, shown=iso_vn(shown),
                           signed=iso_vn(signed))]
    return []


def _time(rep: SignatureReport) -> datetime | None:
    return rep.timestamp_time or rep.signing_time
