"""PDF (PAdES) verification on pyHanko: every signature and document time-stamp, each revision.

:class:`Verifier` holds the trust anchors, the policy and one pyHanko ``ValidationContext``; it keeps no
per-call state, so one verifier serves a whole batch and path validation and revocation results found for
one document are reused for the next. :func:`verify_pdf` is the one-call form.

Every pyHanko outcome is mapped to an ETSI EN 319 102-1 indication; malformed or hostile input becomes
TOTAL_FAILED/FORMAT_FAILURE or INDETERMINATE with a reason and never raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel, SuspiciousModification
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

from edoc.errors import ResourceError
from edoc.verify.policy import CertificateSource, VerifyPolicy, load_certificates
from edoc.verify.profile import apply_profile, role_from_field, role_from_signer, signer_facts
from edoc.verify.report import (
    Check,
    DocumentReport,
    Indication,
    Level,
    Message,
    ModificationReport,
    SignatureReport,
    SignatureRole,
    SubIndication,
    iso_vn,
)

__all__ = ["Verifier", "verify_pdf"]

_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"},
                                 match_all_key_usages=False)
_FAIL = Indication.TOTAL_FAILED
_INDET = Indication.INDETERMINATE


class Verifier:
    """Verifies documents against fixed trust anchors and a fixed policy.

    :param trust: trust anchors (certificates, DER/PEM bytes or files); none means no signature can reach
        TOTAL_PASSED (its chain ends INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND).
    :param policy: algorithm policy and resource guards (:class:`VerifyPolicy`).
    :param online: fetch OCSP responses and CRLs over the network when the document does not embed them
        (default ``False``: no network unless asked).
    :param at: validation time (default: now); a naive time is taken as UTC.
    """

    def __init__(
        self,
        *,
        trust: Iterable[CertificateSource] = (),
        policy: VerifyPolicy | None = None,
        online: bool = False,
        at: datetime | None = None,
    ) -> None:
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        self.anchors: tuple[x509.Certificate, ...] = tuple(load_certificates(trust))
        self.policy = policy or VerifyPolicy()
        self.online = online
        self.at = at
        self._context = ValidationContext(
            trust_roots=list(self.anchors),
            allow_fetching=online,
            # online, revocation must be established (TRY_LATER otherwise); offline, the embedded data is
            # used when present and its absence is reported as a warning
            revocation_mode="hard-fail" if online else "soft-fail",
            moment=at,
            retroactive_revinfo=True,
            algorithm_usage_policy=DisallowWeakAlgorithmsPolicy(  # type: ignore[no-untyped-call]
                weak_hash_algos=self.policy.weak_digests,
                rsa_key_size_threshold=self.policy.min_rsa_bits,
            ),
        )

    # -- entry points -------------------------------------------------------------------------------
    def verify_pdf(
        self, source: bytes | str | Path, *, name: str | None = None, issuing_body: str | None = None
    ) -> DocumentReport:
        """Verify a PDF given as bytes or a path; never raises for the file's content.

        :param name: the file name shown in the report (defaults to the path, or ``<bytes>``).
        :param issuing_body: the issuing body's name, to compare with the agency certificate.
        :raises ResourceError: only when ``source`` is a path that cannot be read.
        """
        label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
        if isinstance(source, bytes):
            data = source
        else:
            try:
                size = Path(source).stat().st_size
                if size > self.policy.max_bytes:
                    return _too_large(label, self.policy.max_bytes)
                data = Path(source).read_bytes()
            except OSError as exc:
                raise ResourceError(f"cannot read the file: {exc.strerror}", path=str(source)) from exc
        if len(data) > self.policy.max_bytes:
            return _too_large(label, self.policy.max_bytes)
        return _guarded(lambda: self._verify_pdf_bytes(data, label, issuing_body), label, "pdf",
                        self.policy.timeout)

    def verify_edxml(self, source: bytes | str | Path, *, name: str | None = None) -> DocumentReport:
        """Verify an edXML message (or any XML with one XML signature) and, recursively, its PDF
        attachments; never raises for the file's content.

        :raises ResourceError: only when ``source`` is a path that cannot be read.
        """
        label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
        if not isinstance(source, bytes):
            try:
                if Path(source).stat().st_size > self.policy.max_bytes:
                    return _too_large(label, self.policy.max_bytes, "edxml")
                source = Path(source).read_bytes()
            except OSError as exc:
                raise ResourceError(f"cannot read the file: {exc.strerror}", path=str(source)) from exc
        if len(source) > self.policy.max_bytes:
            return _too_large(label, self.policy.max_bytes, "edxml")
        data = source
        return _guarded(lambda: self._verify_edxml_bytes(data, label), label, "edxml", self.policy.timeout)

    def _verify_edxml_bytes(self, data: bytes, label: str) -> DocumentReport:
        import tempfile

        from edoc.verify.xmldsig import EDXML_NS, verify_xml

        attachments: list[DocumentReport] = []
        notes: list[Message] = []
        if EDXML_NS.encode() in data[:4096]:
            try:
                from edoc.edxml import read_edxml
            except ImportError:  # pragma: no cover - the edXML layer is part of edoc
                read_edxml = None  # type: ignore[assignment]
            if read_edxml is not None:
                with tempfile.TemporaryDirectory(prefix="edoc-verify-") as tmp:
                    try:
                        result = read_edxml(data, extract_to=tmp)
                    except Exception:
                        result = None
                    for att in result.attachments if result is not None else ():
                        path = att.path
                        if path is not None and path.is_file() and path.read_bytes()[:1024].find(b"%PDF-") >= 0:
                            rep = self._verify_pdf_bytes(path.read_bytes(), att.name, None)
                            attachments.append(rep)
                        else:
                            notes.append(Message.of("attachment.not_verified", name=att.name))
        report = verify_xml(data, context=self._context, label=label, fmt="edxml",
                            attachments=tuple(attachments))
        if notes:
            report = replace(report, messages=(*report.messages, *notes))
        return report

    # -- the work -----------------------------------------------------------------------------------
    def _verify_pdf_bytes(self, data: bytes, label: str, issuing_body: str | None) -> DocumentReport:
        when = self.at or datetime.now(timezone.utc)
        if b"%PDF-" not in data[:1024]:
            return _format_failure(label, "no %PDF- header", when)
        try:
            reader = PdfFileReader(BytesIO(data), strict=False)
            if reader.encrypted:
                return DocumentReport.combine(label, "pdf", (), validation_time=when,
                                              failure=(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND),
                                              messages=(Message.of("document.encrypted", Level.ERROR),))
            fields = list(enumerate_sig_fields(reader, filled_status=True))
        except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, AttributeError,
                IndexError, RecursionError) as exc:
            return _format_failure(label, _reason(exc), when)
        return asyncio.run(self._verify_fields(reader, fields, label, issuing_body, when, data))

    async def _verify_fields(
        self, reader: PdfFileReader, fields: list[Any], label: str, issuing_body: str | None,
        when: datetime, data: bytes,
    ) -> DocumentReport:
        entries: list[tuple[int, SignatureReport]] = []
        last: EmbeddedPdfSignature | None = None
        embedded: list[EmbeddedPdfSignature] = []
        seen: set[Any] = set()
        for fq_name, sig_obj, sig_field in fields:
            ref = getattr(sig_obj, "reference", None)
            if ref is not None:
                if ref in seen:  # one signature value referenced from several fields counts once
                    continue
                seen.add(ref)
            try:
                embedded.append(EmbeddedPdfSignature(reader, sig_field, fq_name))
            except Exception as exc:  # any parse failure of one signature is its verdict
                entries.append((1 << 30, _sig_failure(str(fq_name), None, SubIndication.FORMAT_FAILURE,
                                                      "signature.format", _reason(exc))))
        context = self._context_for(reader, embedded)
        for emb in embedded:
            entries.append((int(emb.signed_revision), await self._verify_one(emb, context)))
            if last is None or emb.signed_revision >= last.signed_revision:
                last = emb
        entries.sort(key=lambda e: e[0])
        reports = apply_profile([rep for _rev, rep in entries], issuing_body=issuing_body,
                                form_values=_text_field_values(reader))
        doc_msgs: tuple[Message, ...] = ()
        failure: tuple[Indication, SubIndication | None] | None = None
        if last is not None and _unexplained_tail(last, data):
            doc_msgs = (Message.of("document.unsigned_tail", Level.ERROR),)
            failure = (_INDET, SubIndication.GENERIC)
        if failure is not None and reports:
            worst = max(reports, key=lambda r: r.indication.severity)
            if worst.indication.severity > failure[0].severity:
                failure = (worst.indication, worst.subindication)
        return DocumentReport.combine(label, "pdf", tuple(reports), validation_time=when,
                                      messages=doc_msgs, failure=failure)

    def _context_for(self, reader: PdfFileReader, embedded: list[EmbeddedPdfSignature]) -> ValidationContext:
        """The shared context, or, for a document that embeds revocation data (DSS dictionary or CMS
        ``adbe-revocationInfoArchival``), a context of its own preloaded with that data."""
        crls: list[Any] = []
        ocsps: list[Any] = []
        certs: list[Any] = []
        # a missing or broken DSS is no revocation evidence; the signatures are then judged alone
        with contextlib.suppress(Exception):
            if "/DSS" in reader.root:
                dss = DocumentSecurityStore.read_dss(reader)
                vc = dss.as_validation_context({})
                crls += list(vc.crls)
                ocsps += list(vc.ocsps)
                certs += list(dss.load_certs())
        for emb in embedded:
            with contextlib.suppress(Exception):  # unreadable attributes: judged by the signature's check
                for attr in emb.signer_info["signed_attrs"] or ():
                    if attr["type"].native == "adobe_revocation_info_archival":
                        for value in attr["values"]:
                            crls += list(value["crl"] or ())
                            ocsps += list(value["ocsp"] or ())
        if not crls and not ocsps:
            return self._context
        return ValidationContext(
            trust_roots=list(self.anchors), allow_fetching=self.online,
            revocation_mode="hard-fail" if self.online else "soft-fail",
            moment=self.at, retroactive_revinfo=True, crls=crls, ocsps=ocsps, other_certs=certs,
            algorithm_usage_policy=self._context.algorithm_policy,
        )

    async def _verify_one(self, emb: EmbeddedPdfSignature, context: ValidationContext) -> SignatureReport:
        field_name = str(emb.fq_name)
        revision = int(emb.signed_revision)
        is_ts = emb.sig_object_type == "/DocTimeStamp"
        facts = None
        try:
            facts = signer_facts(emb.signer_cert)
        except Exception:
            facts = None
        try:
            status: PdfSignatureStatus | DocumentTimestampStatus
            if is_ts:
                status = await async_validate_pdf_timestamp(emb, validation_context=context)
            else:
                status = await async_validate_pdf_signature(
                    emb, signer_validation_context=context, key_usage_settings=_KEY_USAGE)
        except Exception as exc:
            sub = SubIndication.FORMAT_FAILURE
            key = "signature.format"
            text = _reason(exc)
            if "signer" in text.lower() and "cert" in text.lower():
                sub, key = SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "signature.no_certificate"
                return _sig_failure(field_name, revision, sub, key, text, indication=_INDET, facts=facts)
            return _sig_failure(field_name, revision, sub, key, text, facts=facts,
                                is_ts=is_ts)
        return self._map_status(status, emb, facts, field_name, revision, is_ts)

    def _map_status(
        self, st: PdfSignatureStatus | DocumentTimestampStatus, emb: EmbeddedPdfSignature,
        facts: Any, field_name: str, revision: int, is_ts: bool,
    ) -> SignatureReport:
        msgs: list[Message] = []
        verdicts: list[tuple[Indication, SubIndication]] = []
        integrity = Check.PASSED if st.intact else Check.FAILED
        crypto = Check.PASSED if st.valid else (Check.FAILED if st.intact else Check.NOT_CHECKED)
        if not st.intact:
            verdicts.append((_FAIL, SubIndication.HASH_FAILURE))
            msgs.append(Message.of("signature.hash_mismatch", Level.ERROR))
        elif not st.valid:
            verdicts.append((_FAIL, SubIndication.SIG_CRYPTO_FAILURE))
            msgs.append(Message.of("signature.crypto_invalid", Level.ERROR))
        else:
            msgs.append(Message.of("signature.intact"))

        # modification analysis and coverage
        mods = _modifications(st)
        if mods.level in ("form_filling", "annotations") and isinstance(st.diff_result, DiffResult):
            replaced = _replaced_fields(emb, st.diff_result.changed_form_fields)
            if replaced:  # a shadow "replace": a field that held a value at signing shows something else
                mods = replace(mods, level="other", permitted=False,
                               detail="form fields filled before signing were changed afterwards: "
                               + ", ".join(sorted(replaced)))
        if st.coverage is None or st.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
            verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
            msgs.append(Message.of("signature.byterange", Level.ERROR,
                                   reason="the signed bytes do not cover a whole revision"))
        if mods.level == "other":
            verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
            msgs.append(Message.of("modification.other", Level.ERROR, reason=mods.detail or "-"))
        elif mods.permitted is False:
            verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
            msgs.append(Message.of("modification.docmdp", Level.ERROR))
        elif mods.level == "annotations":
            if self.policy.allow_annotations:
                msgs.append(Message.of("modification.annotations", Level.WARNING))
            else:
                verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
                msgs.append(Message.of("modification.annotations", Level.ERROR))
        elif mods.level == "unknown":
            verdicts.append((_INDET, SubIndication.GENERIC))
            msgs.append(Message.of("modification.unknown", Level.ERROR, reason=mods.detail or "-"))
        else:
            msgs.append(Message.of(f"modification.{mods.level}"))

        # trust, certificate validity, revocation
        chain = Check.PASSED if st.trust_problem_indic is None else Check.FAILED
        revocation = Check.UNKNOWN
        if st.revocation_details is not None:
            revocation = Check.FAILED
            msgs.append(Message.of("revocation.revoked", Level.ERROR,
                                   date=iso_vn(st.revocation_details.revocation_date)))
        if st.trust_problem_indic is not None:
            sub = _sub(st.trust_problem_indic)
            ind = _ind(st.trust_problem_indic)
            proof = _trusted_timestamp(st)
            if (st.revocation_details is not None and proof is not None
                    and st.revocation_details.revocation_date <= proof):
                # revoked before a trusted time-stamp proves the signature existed: failed, not pending
                ind, sub = _FAIL, SubIndication.REVOKED
            verdicts.append((ind, sub))
            key = {SubIndication.NO_CERTIFICATE_CHAIN_FOUND: "chain.not_found",
                   SubIndication.EXPIRED: "cert.expired",
                   SubIndication.OUT_OF_BOUNDS_NO_POE: "cert.expired",
                   SubIndication.OUT_OF_BOUNDS_NOT_REVOKED: "cert.expired",
                   SubIndication.NOT_YET_VALID: "cert.not_yet_valid"}.get(sub)
            if st.revocation_details is None:
                if key is not None:
                    msgs.append(Message.of(key, Level.ERROR))
                elif sub is SubIndication.CHAIN_CONSTRAINTS_FAILURE:
                    msgs.append(Message.of("chain.usage", Level.ERROR, reason=sub.value))
                else:
                    msgs.append(Message.of("chain.problem", Level.ERROR, reason=sub.value))
        elif st.validation_path is not None:
            anchor = st.validation_path.trust_anchor
            msgs.append(Message.of("chain.trusted", anchor=_anchor_name(anchor)))
            if self.online or _has_revinfo(emb):
                revocation = Check.PASSED
            else:
                msgs.append(Message.of("revocation.unchecked", Level.WARNING))

        # algorithms
        digest = str(st.md_algorithm).lower() if st.md_algorithm else None
        mech = str(st.pkcs7_signature_mechanism) if st.pkcs7_signature_mechanism else None
        weak_ind = _FAIL if self.policy.weak_is_failure else _INDET
        if digest in self.policy.weak_digests:
            verdicts.append((weak_ind, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
            msgs.append(Message.of("algorithm.weak_digest", Level.ERROR, algorithm=digest.upper()))
        if facts is not None and facts.key_bits is not None:
            minimum = {"rsa": self.policy.min_rsa_bits, "ec": self.policy.min_ec_bits}.get(
                facts.key_algorithm or "", 0)
            if facts.key_bits < minimum:
                verdicts.append((weak_ind, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
                msgs.append(Message.of("algorithm.weak_key", Level.ERROR,
                                       algorithm=(facts.key_algorithm or "").upper(),
                                       bits=facts.key_bits, minimum=minimum))

        # times
        signing_time: datetime | None = None
        ts_time: datetime | None = None
        if isinstance(st, DocumentTimestampStatus):
            ts_time = st.timestamp
        else:
            signing_time = st.signer_reported_dt
            tsv = st.timestamp_validity
            if tsv is not None:
                ts_time = tsv.timestamp
                if not (tsv.intact and tsv.valid and tsv.trust_problem_indic is None):
                    verdicts.append((_INDET, _sub(tsv.trust_problem_indic) if tsv.trust_problem_indic
                                     else SubIndication.SIG_CONSTRAINTS_FAILURE))
                    msgs.append(Message.of("time.timestamp_invalid", Level.ERROR))
            if st.seed_value_constraint_error is not None:
                verdicts.append((_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE))
                msgs.append(Message.of("signature.format", Level.ERROR,
                                       reason=f"seed value constraint: {st.seed_value_constraint_error}"))
        if signing_time is not None:
            msgs.append(Message.of("time.signing", time=iso_vn(signing_time)))
        if ts_time is not None:
            msgs.append(Message.of("time.timestamp", time=iso_vn(ts_time)))

        indication, subindication = Indication.TOTAL_PASSED, None
        for ind, sub in verdicts:  # the worst wins; the first of equal weight is kept
            if ind.severity > indication.severity:
                indication, subindication = ind, sub
        role = SignatureRole.TIMESTAMP if is_ts else (
            role_from_field(field_name) or role_from_signer(facts) or SignatureRole.UNKNOWN)
        return SignatureReport(
            role=role, indication=indication, subindication=subindication, field_name=field_name,
            revision=revision, signer=facts, signing_time=signing_time, timestamp_time=ts_time,
            integrity=integrity, crypto=crypto, chain=chain, revocation=revocation,
            digest_algorithm=digest, signature_algorithm=mech, modifications=mods,
            messages=tuple(msgs),
        )


def verify_pdf(
    source: bytes | str | Path,
    *,
    trust: Iterable[CertificateSource] = (),
    policy: VerifyPolicy | None = None,
    online: bool = False,
    at: datetime | None = None,
    issuing_body: str | None = None,
) -> DocumentReport:
    """Verify every signature and document time-stamp of a PDF (see :class:`Verifier`).

    For a batch, build one :class:`Verifier` and call :meth:`Verifier.verify_pdf` on each file: path
    validation results are then reused across documents.
    """
    return Verifier(trust=trust, policy=policy, online=online, at=at).verify_pdf(
        source, issuing_body=issuing_body)


# -- helpers -----------------------------------------------------------------------------------------
def _modifications(st: PdfSignatureStatus | DocumentTimestampStatus) -> ModificationReport:
    coverage = st.coverage.name.lower() if st.coverage is not None else "unclear"
    diff = st.diff_result
    if isinstance(diff, SuspiciousModification):
        return ModificationReport("other", coverage, False, _reason(diff))
    if isinstance(diff, DiffResult):
        level = diff.modification_level
    else:
        level = st.modification_level  # type: ignore[assignment]
        if level is None:
            return ModificationReport("unknown", coverage, None, "no difference analysis result")
    name = {ModificationLevel.NONE: "none", ModificationLevel.LTA_UPDATES: "lta_updates",
            ModificationLevel.FORM_FILLING: "form_filling",
            ModificationLevel.ANNOTATIONS: "annotations"}.get(level, "other")
    permitted = st.docmdp_ok if name != "other" else False
    return ModificationReport(name, coverage, permitted)


def _replaced_fields(emb: EmbeddedPdfSignature, changed: Iterable[str]) -> list[str]:
    """Names among ``changed`` of non-signature fields that already held a value in the signed revision.

    Filling a field left empty at signing (the number and date of Decree 30) is permitted; changing the
    value or appearance of a field that was filled when signed is the shadow "replace" attack. Objects are
    resolved explicitly in the signed revision (never in the latest one).
    """
    wanted = set(changed)
    if not wanted:
        return []
    hist = emb.reader.get_historical_resolver(emb.signed_revision)

    def res(obj: Any) -> Any:
        return hist.get_object(obj.reference) if isinstance(obj, generic.IndirectObject) else obj

    def raw(node: Any, key: str) -> Any:
        try:
            return res(node.raw_get(key))
        except KeyError:
            return None

    try:
        root = res(hist.trailer_view.raw_get("/Root"))
        form = raw(root, "/AcroForm")
        fields = raw(form, "/Fields") if form is not None else None
    except Exception:
        return sorted(wanted)
    if fields is None:
        return []  # no form when signed: every changed field is new
    found: list[str] = []
    seen: set[Any] = set()
    stack: list[tuple[Any, str]] = [(f, "") for f in fields]
    budget = 10_000
    while stack and budget:
        budget -= 1
        ref, prefix = stack.pop()
        try:
            key = ref.reference if isinstance(ref, generic.IndirectObject) else id(ref)
            if key in seen:
                continue
            seen.add(key)
            node = res(ref)
            part = raw(node, "/T")
            name = f"{prefix}.{part}" if prefix and part is not None else (
                str(part) if part is not None else prefix)
            kids = raw(node, "/Kids")
            if kids is not None:
                stack.extend((k, name) for k in kids)
            if name in wanted and raw(node, "/FT") != "/Sig":
                value = raw(node, "/V")
                if value is not None and str(value) not in ("", "/Off"):
                    found.append(name)
        except Exception:
            found.append(prefix or "?")
    return found


def _text_field_values(reader: PdfFileReader) -> dict[str, str]:
    """Values of the text fields of the final revision, by dotted name (bounded walk, never raises)."""
    values: dict[str, str] = {}
    try:
        stack: list[tuple[Any, str]] = [(f, "") for f in reader.root["/AcroForm"]["/Fields"]]
    except Exception:
        return values
    seen: set[Any] = set()
    budget = 10_000
    while stack and budget:
        budget -= 1
        ref, prefix = stack.pop()
        try:
            key = ref.reference if isinstance(ref, generic.IndirectObject) else id(ref)
            if key in seen:
                continue
            seen.add(key)
            node = ref.get_object()
            part = node.get("/T")
            name = f"{prefix}.{part}" if prefix and part is not None else (str(part) if part is not None
                                                                           else prefix)
            stack.extend((k, name) for k in node.get("/Kids", ()))
            if node.get("/FT") == "/Tx" or (node.get("/FT") is None and "/V" in node and prefix):
                values[name] = str(node.get("/V", ""))
        except Exception:  # noqa: S112 - a broken field is skipped; the signatures judge the file
            continue
    return values


def _unexplained_tail(emb: EmbeddedPdfSignature, data: bytes) -> bool:
    """Bytes after the last signed revision that form no revision (and so no signature covers)."""
    try:
        if emb.reader.xrefs.total_revisions - 1 != emb.signed_revision:
            return False  # later revisions exist: the modification analysis judges them
        br = [int(x) for x in emb.byte_range]
        end = br[2] + br[3]
    except Exception:
        return False
    return bool(data[end:].strip(b" \t\r\n\x00\x0c"))


def _trusted_timestamp(st: PdfSignatureStatus | DocumentTimestampStatus) -> datetime | None:
    """The time a valid, trusted signature time-stamp proves, if there is one."""
    tsv = getattr(st, "timestamp_validity", None)
    if tsv is not None and tsv.intact and tsv.valid and tsv.trust_problem_indic is None:
        return tsv.timestamp  # type: ignore[no-any-return]
    return None


def _has_revinfo(emb: EmbeddedPdfSignature) -> bool:
    """Whether revocation data for validation is embedded (CMS adbe-revocationInfoArchival or a DSS)."""
    try:
        if emb.reader.root.get("/DSS") is not None:
            return True
        attrs = emb.signer_info["signed_attrs"]
        return any(a["type"].dotted == "1.2.840.113583.1.1.8" for a in attrs) if attrs else False
    except Exception:
        return False


def _anchor_name(anchor: Any) -> str:
    try:
        return str(anchor.authority.name.human_friendly)
    except Exception:
        return "?"


def _sub(indic: Any) -> SubIndication:
    name = getattr(indic, "name", None) or "GENERIC"
    try:
        return SubIndication[name]
    except KeyError:
        return SubIndication.GENERIC


def _ind(indic: Any) -> Indication:
    status = getattr(getattr(indic, "status", None), "name", "INDETERMINATE")
    return {"PASSED": Indication.INDETERMINATE,  # a trust "problem" that says passed is still no pass
            "FAILED": Indication.TOTAL_FAILED}.get(status, Indication.INDETERMINATE)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _sig_failure(
    field_name: str, revision: int | None, sub: SubIndication, key: str, reason: str, *,
    indication: Indication = _FAIL, facts: Any = None, is_ts: bool = False,
) -> SignatureReport:
    role = SignatureRole.TIMESTAMP if is_ts else (role_from_field(field_name) or SignatureRole.UNKNOWN)
    return SignatureReport(role=role, indication=indication, subindication=sub, field_name=field_name,
                           revision=revision, signer=facts, integrity=Check.UNKNOWN,
                           messages=(Message.of(key, Level.ERROR, reason=reason),))


def _format_failure(label: str, reason: str, when: datetime | None, fmt: str = "pdf") -> DocumentReport:
    return DocumentReport.combine(label, fmt, (), validation_time=when,
                                  failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                  messages=(Message.of("document.unreadable", Level.ERROR, reason=reason),))


def _too_large(label: str, limit: int, fmt: str = "pdf") -> DocumentReport:
    return DocumentReport.combine(label, fmt, (), failure=(_INDET, SubIndication.GENERIC),
                                  messages=(Message.of("document.too_large", Level.ERROR, limit=limit),))


@dataclass
class _Box:
    report: DocumentReport | None = None
    error: BaseException | None = None


def _guarded(work: Any, label: str, fmt: str, timeout: float | None) -> DocumentReport:
    """Run ``work`` with a wall-clock limit; any escaping exception becomes an INDETERMINATE report.

    Past the limit the worker thread is abandoned (daemon) and the verdict is INDETERMINATE; the CLI runs
    documents in worker processes, where a stuck one is ended with its process.
    """
    box = _Box()

    def run() -> None:
        try:
            box.report = work()
        except RecursionError as exc:
            box.report = _format_failure(label, _reason(exc), None, fmt)
        except Exception as exc:
            box.error = exc

    if timeout is None:
        run()
    else:
        worker = threading.Thread(target=run, name=f"edoc-verify:{label}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            return DocumentReport.combine(
                label, fmt, (), failure=(_INDET, SubIndication.GENERIC),
                messages=(Message.of("document.timeout", Level.ERROR, seconds=timeout),))
    if box.report is not None:
        return box.report
    exc = box.error or RuntimeError("no result")
    return DocumentReport.combine(
        label, fmt, (), failure=(_INDET, SubIndication.GENERIC),
        messages=(Message.of("document.internal_error", Level.ERROR, reason=_reason(exc)),))


