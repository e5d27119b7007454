"""PDF (PAdES) verification on pyHanko: every signature and document time-stamp, each revision.

:class:`Verifier` holds the trust anchors, the policy and one pyHanko ``ValidationContext``; it keeps no
per-call state beyond caches, so one verifier serves a whole batch: path validation results found for one
document are reused for the next. :func:`verify_pdf` is the one-call form.

An ordinary signature (``/Sig``, detached CMS, no DocMDP, FieldMDP, lock or seed values) is read and checked
by :func:`_read_fast` and :func:`_fast_status`: the /Contents straight from the /ByteRange gap, the CMS parsed
once, the digest streamed over the file, pyHanko's own functions for algorithm policy, signature value,
time-stamps, path validation and difference analysis. Whatever that path does not recognise as plain and
valid goes through pyHanko's ``EmbeddedPdfSignature`` and ``async_validate_pdf_signature`` unchanged, so the
fast path can only agree with pyHanko (``tests/verify/test_fastpath.py`` checks it on every test document and
the EU DSS corpus).

Every pyHanko outcome is mapped to an ETSI EN 319 102-1 indication; malformed or hostile input becomes
TOTAL_FAILED/FORMAT_FAILURE or INDETERMINATE with a reason and never raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, tsp, x509
from cryptography.exceptions import InvalidSignature
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader, process_data_at_eof
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import (
    DiffResult,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import check_ess_certid, extract_signer_info, find_unique_cms_attribute
from pyhanko.sign.validation import generic_cms
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
from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy, extract_message_digest
from pyhanko_certvalidator import ValidationContext, find_valid_path
from pyhanko_certvalidator.authority import TrustedServiceType
from pyhanko_certvalidator.errors import InsufficientRevinfoError, StaleRevinfoError
from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy
from pyhanko_certvalidator.sig_validate import SignatureValidationContext

from edoc._adapters import pyhanko as pyhanko_adapter
from edoc.errors import ResourceError
from edoc.verify.appearance_text import TextLimits, shown_time
from edoc.verify.changes import EDOC_DIFF_POLICY
from edoc.verify.fetch import HttpCache
from edoc.verify.policy import CertificateSource, VerifyPolicy, load_certificates, load_revocation_data
from edoc.verify.profile import (
    apply_profile,
    issuance_findings,
    role_from_field,
    role_from_signer,
    signer_facts,
)
from edoc.verify.report import (
    Check,
    DocumentReport,
    Indication,
    Message,
    MessageLevel,
    ModificationReport,
    SignatureReport,
    SignatureRole,
    SubIndication,
    iso_vn,
)
from edoc.verify.unreached import MAX_KEYS as UNREACHED_MAX_KEYS
from edoc.verify.unreached import damaged_xref_sections, unreached_signatures

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
    :param online: fetch OCSP responses and CRLs over the network for the certificates whose status the
        document does not embed (default ``True``), only from the URLs written in certificates already
        chained to a trust anchor (:mod:`edoc.verify.fetch`); ``False`` never uses the network, and a
        status the document does not embed is then INDETERMINATE/TRY_LATER.
    :param at: validation time (default: now); a naive time is taken as UTC.
    :param revocation_data: CRLs and OCSP responses obtained another way (an internal CRL mirror, a
        download on another machine): bytes or files, DER or PEM; used like the data a document embeds.
    :raises InvalidInput: a trust anchor or revocation data that cannot be read as such.
    """

    def __init__(
        self,
        *,
        trust: Iterable[CertificateSource] = (),
        policy: VerifyPolicy | None = None,
        online: bool = True,
        at: datetime | None = None,
        revocation_data: Iterable[bytes | str | Path] = (),
    ) -> None:
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        self.anchors: tuple[x509.Certificate, ...] = tuple(load_certificates(trust))
        self._crls, self._ocsps = load_revocation_data(revocation_data)
        self.policy = policy or VerifyPolicy()
        self.online = online
        self.at = at
        self._lock = threading.Lock()
        self._decode_limits = DecodeLimits(
            per_stream=StreamDecodeLimits(max_output_size=self.policy.max_stream_bytes),
            document_budget=DocumentDecodeBudget(base_allowance=4 * self.policy.max_stream_bytes))
        self._shared = self._new_shared()
        self._text_limits = TextLimits(bomb_bytes=self.policy.max_stream_bytes)
        self._facts: dict[bytes, Any] = {}

    def _new_context(self, http: HttpCache | None = None, *, moment: datetime | None = None,
                     **revinfo: Any) -> ValidationContext:
        """A validation context with ``revinfo`` (``crls``, ``ocsps``, ``other_certs``); online (``http``
        given), it fetches through :mod:`edoc.verify.fetch`, the document's own data first."""
        fetchers = None
        found: list[ValidationContext] = []
        revinfo["crls"] = [*self._crls, *revinfo.get("crls", ())]
        revinfo["ocsps"] = [*self._ocsps, *revinfo.get("ocsps", ())]
        if http is not None:
            def issuers(name: Any) -> Any:
                return found[0].certificate_registry.retrieve_by_name(name) if found else ()

            fetchers = http.fetchers(crls=revinfo.get("crls", ()), ocsps=revinfo.get("ocsps", ()),
                                     certificates=issuers)
        context = ValidationContext(
            trust_roots=list(self.anchors),
            allow_fetching=fetchers is not None,
            fetchers=fetchers,
            # online, revocation must be established (TRY_LATER otherwise); offline, the embedded data is
            # used when present, and _uncovered() decides what its absence means
            revocation_mode="hard-fail" if fetchers is not None else "soft-fail",
            moment=moment or self.at,
            retroactive_revinfo=True,
            algorithm_usage_policy=DisallowWeakAlgorithmsPolicy(  # type: ignore[no-untyped-call]
                weak_hash_algos=self.policy.weak_digests,
                rsa_key_size_threshold=self.policy.min_rsa_bits,
            ),
            **revinfo,
        )
        found.append(context)
        return context

    def _new_shared(self) -> _Shared:
        http = HttpCache(self.anchors, self.policy.fetch_limits) if self.online else None
        return _Shared(self._new_context(http), time.monotonic(), {}, http)

    def _current(self) -> _Shared:
        """The validation context shared across documents, with its cache of path validation results.

        Without a fixed ``at`` the context's time is "now" when it was made: it is renewed (and the cache
        with it) after :data:`_SHARED_TTL` seconds, so that a long-lived verifier neither validates at a
        stale time nor keeps a revocation answer (or a TRY_LATER) for ever.
        """
        with self._lock:
            if time.monotonic() - self._shared.born > _SHARED_TTL:
                self._shared = self._new_shared()
            return self._shared

    @property
    def _context(self) -> ValidationContext:
        return self._current().context

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
                raise ResourceError.from_os(exc, str(source), action=("cannot read the file", "Không đọc được tệp")
                                            ) from exc
        if len(data) > self.policy.max_bytes:
            return _too_large(label, self.policy.max_bytes)
        return _guarded(lambda: self._verify_pdf_bytes(data, label, issuing_body), label, "pdf",
                        self.policy.timeout)

    def verify_edxml(self, source: bytes | str | Path, *, name: str | None = None,
                     issuing_body: str | None = None) -> DocumentReport:
        """Verify an edXML message (or any XML with one XML signature) and, recursively, its PDF
        attachments; never raises for the file's content.

        :param issuing_body: the issuing body's name, compared with the agency certificate of each PDF
            attachment (default: the name of the message's sender, ``From/OrganName``).

        :raises ResourceError: only when ``source`` is a path that cannot be read.
        """
        label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
        if not isinstance(source, bytes):
            try:
                if Path(source).stat().st_size > self.policy.max_bytes:
                    return _too_large(label, self.policy.max_bytes, "edxml")
                source = Path(source).read_bytes()
            except OSError as exc:
                raise ResourceError.from_os(exc, str(source), action=("cannot read the file", "Không đọc được tệp")
                                            ) from exc
        if len(source) > self.policy.max_bytes:
            return _too_large(label, self.policy.max_bytes, "edxml")
        data = source
        return _guarded(lambda: self._verify_edxml_bytes(data, label, issuing_body=issuing_body), label, "edxml",
                        self.policy.timeout)

    def _verify_edxml_bytes(self, data: bytes, label: str, depth: int = 0, *,
                            issuing_body: str | None = None) -> DocumentReport:
        """The XML signature of ``data`` and, for an edXML message, every attachment (see
        :mod:`edoc.verify.attachments`): an attachment not read or not verified keeps the message from
        TOTAL_PASSED."""
        from edoc.util.xml import root_name
        from edoc.verify.attachments import AttachmentsOutcome, examine_attachments, unread
        from edoc.verify.xmldsig import verify_xml

        outcome = AttachmentsOutcome()
        root = root_name(data)
        if root is not None and root[1] == "edXML":  # the reader's test: the local name, in any namespace

            def nested(inner: bytes, name: str) -> DocumentReport:
                if depth >= _MAX_NESTING:
                    return unread(name, f"an edXML nested more than {_MAX_NESTING} levels deep is not opened")
                return self._verify_edxml_bytes(inner, name, depth + 1)

            outcome = examine_attachments(data, verify_pdf=self._verify_pdf_bytes, verify_xml=nested,
                                          issuing_body=issuing_body)
        report = verify_xml(data, context=self._context, label=label, fmt="edxml", attachments=outcome.reports)
        return outcome.apply(report)

    # -- the work -----------------------------------------------------------------------------------
    def _verify_pdf_bytes(self, data: bytes, label: str, issuing_body: str | None) -> DocumentReport:
        when = self.at or datetime.now(timezone.utc)
        if b"%PDF-" not in data[:1024]:
            return _format_failure(label, "no %PDF- header", when)
        try:
            # edoc's reader: signature /Contents read whole (edoc._adapters.pyhanko)
            reader = pyhanko_adapter.reader(data, strict=False, decode_limits=self._decode_limits)
            if reader.encrypted:
                return DocumentReport.combine(label, "pdf", (), validation_time=when,
                                              failure=(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND),
                                              messages=(Message.of("document.encrypted", MessageLevel.ERROR),))
            fields = list(enumerate_sig_fields(reader, filled_status=True))
        except PdfDecodeLimitError:
            return _bomb(label, self.policy.max_stream_bytes, when)
        except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, AttributeError,
                IndexError, RecursionError) as exc:
            return _format_failure(label, _reason(exc), when)
        try:
            return asyncio.run(self._verify_fields(reader, fields, label, issuing_body, when, data))
        except PdfDecodeLimitError:  # wherever a stream read for the verification turned out a bomb
            return _bomb(label, self.policy.max_stream_bytes, when)

    async def _verify_fields(
        self, reader: PdfFileReader, fields: list[Any], label: str, issuing_body: str | None,
        when: datetime, data: bytes,
    ) -> DocumentReport:
        entries: list[tuple[int, SignatureReport]] = []
        last: _FastSig | EmbeddedPdfSignature | None = None
        embedded: list[_FastSig | EmbeddedPdfSignature] = []
        seen: set[Any] = set()
        # the signature dictionaries read (object -> /ByteRange verified): any other in the file is a finding
        reached: dict[tuple[int, int], tuple[int, int, int, int] | None] = {}
        for fq_name, sig_obj, sig_field in fields:
            ref = getattr(sig_obj, "reference", None)
            if ref is not None:
                if ref in seen:  # one signature value referenced from several fields counts once
                    continue
                seen.add(ref)
            where = _object_key(ref if ref is not None else getattr(sig_field, "reference", None))
            if where is not None:
                reached.setdefault(where, None)
            fast = _read_fast(reader, data, str(fq_name), sig_field)
            if fast is not None:
                embedded.append(fast)
                if where is not None:
                    reached[where] = fast.byte_range
                continue
            try:
                embedded.append(EmbeddedPdfSignature(reader, sig_field, fq_name))
                if where is not None:
                    reached[where] = _byte_range_of(embedded[-1])
            except PdfDecodeLimitError:
                raise
            except Exception as exc:  # any parse failure of one signature is its verdict
                entries.append((1 << 30, _sig_failure(str(fq_name), None, SubIndication.FORMAT_FAILURE,
                                                      "signature.format", _reason(exc))))
        shared = self._current()
        context = self._context_for(reader, embedded, shared.context)
        cache = shared.paths if context is shared.context else None
        diff_reader = _DiffReader(data, [e for e in embedded if isinstance(e, _FastSig)], self._decode_limits)
        for emb in embedded:
            entries.append((int(emb.signed_revision),
                            await self._verify_one(emb, context, diff_reader, cache)))
            if last is None or emb.signed_revision >= last.signed_revision:
                last = emb
        entries.sort(key=lambda e: e[0])
        shown: dict[str, datetime | None] = {}
        unread: dict[str, str] = {}  # appearances not read within bounds: a finding, not a missing time
        for name, _v, field in fields:
            if role_from_field(str(name)) in (SignatureRole.APPENDIX, SignatureRole.COPY):
                moment, problem = shown_time(field, limits=self._text_limits)
                if problem is None:
                    shown[str(name)] = moment
                else:
                    unread[str(name)] = problem
        form_values = _text_field_values(reader)
        reports = apply_profile([rep for _rev, rep in entries], issuing_body=issuing_body,
                                form_values=form_values, shown_times=shown)
        reports = [replace(rep, messages=(*rep.messages, Message.of(
            "profile.shown_time_unreadable", MessageLevel.WARNING, reason=unread[rep.field_name])))
            if rep.field_name in unread else rep for rep in reports]
        doc_msgs: tuple[Message, ...] = issuance_findings(
            reports, form_values=form_values, values_at=lambda rev: _text_field_values(reader, rev))
        failure: tuple[Indication, SubIndication | None] | None = None
        if doc_msgs:  # a number or date no agency signed: the document is not issued (national profile)
            failure = (_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE)
        if last is not None and _unexplained_tail(last, data):
            doc_msgs = (*doc_msgs, Message.of("document.unsigned_tail", MessageLevel.ERROR))
            failure = (_INDET, SubIndication.GENERIC)
        # what the path through the cross-reference sections and the form did not reach (issue 13/18)
        reports += _unreached_reports(data, reader, reached)
        damaged = damaged_xref_sections(data, reader)
        if damaged:
            doc_msgs = (*doc_msgs, *(Message.of("document.xref_damaged", MessageLevel.ERROR, offset=at, problem=what)
                                     for at, what in damaged))
            failure = failure or (_INDET, SubIndication.GENERIC)
        if failure is not None and reports:
            worst = max(reports, key=lambda r: r.indication.severity)
            if worst.indication.severity > failure[0].severity:
                failure = (worst.indication, worst.subindication)
        return DocumentReport.combine(label, "pdf", tuple(reports), validation_time=when,
                                      messages=doc_msgs, failure=failure)

    def _context_for(
        self, reader: PdfFileReader, embedded: list[_FastSig | EmbeddedPdfSignature],
        shared: ValidationContext,
    ) -> ValidationContext:
        """The shared context, or, for a document that embeds revocation data (DSS dictionary or CMS
        ``adbe-revocationInfoArchival``), a context of its own preloaded with that data."""
        crls: list[Any] = []
        ocsps: list[Any] = []
        certs: list[Any] = []
        # a missing or broken DSS is no revocation evidence; the signatures are then judged alone
        with _tolerated():
            if "/DSS" in reader.root:
                dss = DocumentSecurityStore.read_dss(reader)
                vc = dss.as_validation_context({})
                crls += list(vc.crls)
                ocsps += list(vc.ocsps)
                certs += list(dss.load_certs())
        for emb in embedded:
            with _tolerated():  # unreadable attributes: judged by the signature's check
                for attr in emb.signer_info["signed_attrs"] or ():
                    if attr["type"].native == "adobe_revocation_info_archival":
                        for value in attr["values"]:
                            crls += list(value["crl"] or ())
                            ocsps += list(value["ocsp"] or ())
        if not crls and not ocsps:
            return shared
        return self._new_context(self._current().http, crls=crls, ocsps=ocsps, other_certs=certs)

    def _signer_facts(self, cert: x509.Certificate) -> Any:
        der = cert.dump()
        facts = self._facts.get(der)
        if facts is None:
            facts = signer_facts(cert)
            if len(self._facts) >= _CACHE_SIZE:
                self._facts.clear()
            self._facts[der] = facts
        return facts

    async def _verify_one(
        self, emb: _FastSig | EmbeddedPdfSignature, context: ValidationContext, diff_reader: _DiffReader,
        cache: dict[Any, Any] | None,
    ) -> SignatureReport:
        field_name = str(emb.fq_name)
        revision = int(emb.signed_revision)
        status: PdfSignatureStatus | DocumentTimestampStatus | None = None
        if isinstance(emb, _FastSig):
            try:
                status = await _fast_status(emb, context, diff_reader, cache)
            except PdfDecodeLimitError:
                raise
            except Exception:  # pyHanko's reading and validation decide, and word the error
                status = None
            if status is None:
                try:
                    emb = EmbeddedPdfSignature(emb.reader, emb.sig_field, emb.fq_name)
                except PdfDecodeLimitError:
                    raise
                except Exception as exc:
                    return _sig_failure(field_name, revision, SubIndication.FORMAT_FAILURE,
                                        "signature.format", _reason(exc))
        is_ts = emb.sig_object_type == "/DocTimeStamp"
        facts = None
        try:
            facts = self._signer_facts(emb.signer_cert)
        except Exception:
            facts = None
        if status is not None:
            status = await self._past_validation(status, emb, context)
            return self._map_status(status, emb, facts, field_name, revision, is_ts, context)
        assert isinstance(emb, EmbeddedPdfSignature)
        try:
            # as the fast path: the signature's certificates may complete its time-stamp's chain
            with _tolerated():
                context.certificate_registry.register_multiple(emb.other_embedded_certs)
            if is_ts:
                status = await async_validate_pdf_timestamp(emb, validation_context=context,
                                                            diff_policy=EDOC_DIFF_POLICY)
            else:
                status = await async_validate_pdf_signature(
                    emb, signer_validation_context=context, key_usage_settings=_KEY_USAGE,
                    diff_policy=EDOC_DIFF_POLICY)
        except PdfDecodeLimitError:
            raise
        except Exception as exc:
            sub = SubIndication.FORMAT_FAILURE
            key = "signature.format"
            text = _reason(exc)
            if "signer" in text.lower() and "cert" in text.lower():
                sub, key = SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "signature.no_certificate"
                return _sig_failure(field_name, revision, sub, key, text, indication=_INDET, facts=facts)
            return _sig_failure(field_name, revision, sub, key, text, facts=facts,
                                is_ts=is_ts)
        if (isinstance(status, PdfSignatureStatus) and context.fetching_allowed
                and status.trust_problem_indic is AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE):
            # pyHanko does not say whether the revocation data was unobtainable: ask again, as the fast path
            with contextlib.suppress(Exception):
                _result, try_later = await _signer_cert_result(emb.signer_cert, emb.other_embedded_certs,
                                                               context)
                if try_later is not None:
                    status = replace(status, trust_problem_indic=try_later)
        status = await self._past_validation(status, emb, context)
        return self._map_status(status, emb, facts, field_name, revision, is_ts, context)

    async def _past_validation(
        self, status: PdfSignatureStatus | DocumentTimestampStatus, emb: _FastSig | EmbeddedPdfSignature,
        context: ValidationContext,
    ) -> PdfSignatureStatus | DocumentTimestampStatus:
        """A signer's certificate revoked *after* a trusted signature time-stamp proves the signature existed
        (ETSI EN 319 102-1, 5.6.2.4: past signature validation with that proof of existence): the path is
        validated again as at the time-stamp, with the same revocation data; if it holds, the revocation
        no longer counts against the signature (the report still says when it was revoked)."""
        if not isinstance(status, PdfSignatureStatus) or status.revocation_details is None \
                or status.revocation_details.ca_revoked:
            return status
        proof = _trusted_timestamp(status)
        if proof is None or status.revocation_details.revocation_date <= proof:
            return status
        try:
            # the revocation data says the certificate was good until its revocation date, after the proof;
            # pyHanko reads an OCSP "revoked on D" as "not good" at any time (and an answer about a sibling
            # certificate as a failed check), so the OCSP answers of the signer's issuer are left out as at
            # the proof (a CRL listing it from D on is read right: good before D)
            signer = emb.signer_cert
            ocsps = [r for r in context.ocsps if not _from_issuer_of(r, signer)]
            at_proof = self._new_context(moment=proof, crls=list(context.crls), ocsps=ocsps,
                                         other_certs=list(_other_certs(emb)))
            result, _later = await _signer_cert_result(emb.signer_cert, _other_certs(emb), at_proof)
        except PdfDecodeLimitError:
            raise
        except Exception:
            return status
        if result.error_subindic is not None or result.success_result is None:
            return status
        return replace(status, trust_problem_indic=None, validation_path=result.success_result)

    def _map_status(
        self, st: PdfSignatureStatus | DocumentTimestampStatus, emb: _FastSig | EmbeddedPdfSignature,
        facts: Any, field_name: str, revision: int, is_ts: bool, context: ValidationContext,
    ) -> SignatureReport:
        msgs: list[Message] = []
        verdicts: list[tuple[Indication, SubIndication]] = []
        integrity = Check.PASSED if st.intact else Check.FAILED
        crypto = Check.PASSED if st.valid else (Check.FAILED if st.intact else Check.NOT_CHECKED)
        if not st.intact:
            verdicts.append((_FAIL, SubIndication.HASH_FAILURE))
            msgs.append(Message.of("signature.hash_mismatch", MessageLevel.ERROR))
        elif not st.valid:
            verdicts.append((_FAIL, SubIndication.SIG_CRYPTO_FAILURE))
            msgs.append(Message.of("signature.crypto_invalid", MessageLevel.ERROR))
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
            msgs.append(Message.of("signature.byterange", MessageLevel.ERROR,
                                   reason="the signed bytes do not cover a whole revision"))
        if mods.level == "other":
            verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
            msgs.append(Message.of("modification.other", MessageLevel.ERROR, reason=mods.detail or "-"))
        elif mods.permitted is False:
            verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
            msgs.append(Message.of("modification.docmdp", MessageLevel.ERROR))
        elif mods.level == "annotations":
            if self.policy.allow_annotations:
                msgs.append(Message.of("modification.annotations", MessageLevel.WARNING))
            else:
                verdicts.append((_FAIL, SubIndication.FORMAT_FAILURE))
                msgs.append(Message.of("modification.annotations", MessageLevel.ERROR))
        elif mods.level == "unknown":
            verdicts.append((_INDET, SubIndication.GENERIC))
            msgs.append(Message.of("modification.unknown", MessageLevel.ERROR, reason=mods.detail or "-"))
        else:
            msgs.append(Message.of(f"modification.{mods.level}"))

        # trust, certificate validity, revocation
        chain = Check.PASSED if st.trust_problem_indic is None else Check.FAILED
        revocation = Check.UNKNOWN
        if st.revocation_details is not None and st.trust_problem_indic is None:
            # validated as at its time-stamp (_past_validation): revoked later, the signature stands
            revocation = Check.PASSED
            msgs.append(Message.of("revocation.revoked_after_timestamp", MessageLevel.WARNING,
                                   date=iso_vn(st.revocation_details.revocation_date),
                                   time=iso_vn(_trusted_timestamp(st))))
        elif st.revocation_details is not None:
            revocation = Check.FAILED
            msgs.append(Message.of("revocation.revoked", MessageLevel.ERROR,
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
                   SubIndication.TRY_LATER: "revocation.try_later",
                   SubIndication.EXPIRED: "cert.expired",
                   SubIndication.OUT_OF_BOUNDS_NO_POE: "cert.expired",
                   SubIndication.OUT_OF_BOUNDS_NOT_REVOKED: "cert.expired",
                   SubIndication.NOT_YET_VALID: "cert.not_yet_valid"}.get(sub)
            if st.revocation_details is None:
                if key is not None:
                    msgs.append(Message.of(key, MessageLevel.ERROR))
                elif sub is SubIndication.CHAIN_CONSTRAINTS_FAILURE:
                    msgs.append(Message.of("chain.usage", MessageLevel.ERROR, reason=sub.value))
                else:
                    msgs.append(Message.of("chain.problem", MessageLevel.ERROR, reason=sub.value))
        elif st.validation_path is not None:
            anchor = st.validation_path.trust_anchor
            msgs.append(Message.of("chain.trusted", anchor=_anchor_name(anchor)))
            # Revocation counts as checked only when the data the validation had (embedded in the document:
            # DSS, CMS adbe-revocationInfoArchival; online, also fetched) covers every certificate of the
            # path below the anchor. Otherwise the signature is INDETERMINATE/TRY_LATER (ETSI EN 319 102-1),
            # with how to check it; VerifyPolicy(require_revocation=False) makes it a warning.
            if revocation is not Check.PASSED:
                uncovered = _uncovered(st.validation_path, context)
                if not uncovered:
                    revocation = Check.PASSED
                else:
                    strict = self.policy.require_revocation
                    level = MessageLevel.ERROR if strict else MessageLevel.WARNING
                    if strict:
                        verdicts.append((_INDET, SubIndication.TRY_LATER))
                    names = "; ".join(_subject_name(c) for c in uncovered)
                    if not self.online:
                        msgs.append(Message.of("revocation.unchecked", level, certificates=names))
                    elif context.crls or context.ocsps:
                        msgs.append(Message.of("revocation.incomplete", level, certificates=names))
                    else:
                        msgs.append(Message.of("revocation.unavailable", level, certificates=names))

        # algorithms
        digest = str(st.md_algorithm).lower() if st.md_algorithm else None
        mech = str(st.pkcs7_signature_mechanism) if st.pkcs7_signature_mechanism else None
        weak_ind = _FAIL if self.policy.weak_is_failure else _INDET
        if digest in self.policy.weak_digests:
            verdicts.append((weak_ind, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
            msgs.append(Message.of("algorithm.weak_digest", MessageLevel.ERROR, algorithm=digest.upper()))
        if facts is not None and facts.key_bits is not None:
            minimum = {"rsa": self.policy.min_rsa_bits, "ec": self.policy.min_ec_bits}.get(
                facts.key_algorithm or "", 0)
            if facts.key_bits < minimum:
                verdicts.append((weak_ind, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
                msgs.append(Message.of("algorithm.weak_key", MessageLevel.ERROR,
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
                    msgs.append(Message.of("time.timestamp_invalid", MessageLevel.ERROR))
            if st.seed_value_constraint_error is not None:
                verdicts.append((_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE))
                msgs.append(Message.of("signature.format", MessageLevel.ERROR,
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
    online: bool = True,
    at: datetime | None = None,
    issuing_body: str | None = None,
    revocation_data: Iterable[bytes | str | Path] = (),
) -> DocumentReport:
    """Verify every signature and document time-stamp of a PDF (see :class:`Verifier`).

    For a batch, build one :class:`Verifier` and call :meth:`Verifier.verify_pdf` on each file: path
    validation results are then reused across documents.
    """
    return Verifier(trust=trust, policy=policy, online=online, at=at,
                    revocation_data=revocation_data).verify_pdf(source, issuing_body=issuing_body)


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


def _replaced_fields(emb: _FastSig | EmbeddedPdfSignature, changed: Iterable[str]) -> list[str]:
    """Names among ``changed`` of non-signature fields that already held a value in the signed revision.

    Filling a field left empty at signing (the number and date of Decree 30) is permitted; changing the
    value or appearance of a field that was filled when signed is the shadow "replace" attack. Objects are
    resolved explicitly in the signed revision (never in the latest one); a field that cannot be read
    counts as replaced.
    """
    wanted = set(changed)
    if not wanted:
        return []
    nodes = _form_fields(emb.reader, emb.signed_revision)
    if nodes is None:
        return sorted(wanted)
    return [n.name for n in nodes
            if n.broken or (n.name in wanted and n.field_type != "/Sig" and n.value is not None
                            and str(n.value) not in ("", "/Off"))]


def _text_field_values(reader: PdfFileReader, revision: int | None = None) -> dict[str, str]:
    """Values of the text fields of the final revision (or of ``revision``), by dotted name (never raises)."""
    return {n.name: str(n.value if n.value is not None else "") for n in _form_fields(reader, revision) or ()
            if not n.broken and (n.field_type == "/Tx" or (n.field_type is None and n.value is not None
                                                            and n.prefix))}


@dataclass(frozen=True)
class _FieldNode:
    """One node of an AcroForm field tree: its dotted name, its own (not inherited) /FT and /V (``None``
    for a signature field)."""

    name: str
    prefix: str
    field_type: Any
    value: Any
    broken: bool = False


_FIELD_BUDGET = 10_000  # field tree nodes visited at most (hostile files nest or loop fields)


def _form_fields(reader: PdfFileReader, revision: int | None) -> list[_FieldNode] | None:
    """The nodes of the AcroForm field tree as of ``revision`` (``None``: the final revision), objects
    resolved in that revision only; a bounded walk that never raises.

    :returns: the nodes (a node that cannot be read is ``broken`` and named after its parent), ``[]`` when
        there is no form, ``None`` when the form itself cannot be read.
    """
    if revision is None:
        def res(obj: Any) -> Any:
            return _deref(obj)
    else:
        try:
            hist = reader.get_historical_resolver(revision)
        except PdfDecodeLimitError:
            raise
        except Exception:
            return None

        def res(obj: Any) -> Any:
            return hist.get_object(obj.reference) if isinstance(obj, generic.IndirectObject) else obj

    def raw(node: Any, key: str) -> Any:
        try:
            return res(node.raw_get(key))
        except KeyError:
            return None

    try:
        root = reader.root if revision is None else res(hist.trailer_view.raw_get("/Root"))
        form = raw(root, "/AcroForm")
        fields = raw(form, "/Fields") if form is not None else None
        if fields is None:
            return []
        stack: list[tuple[Any, str]] = [(f, "") for f in fields]
    except PdfDecodeLimitError:
        raise
    except Exception:
        return None
    nodes: list[_FieldNode] = []
    seen: set[Any] = set()
    budget = _FIELD_BUDGET
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
            field_type = raw(node, "/FT")
            # a signature field's value is its signature dictionary: not needed, and costly to read
            value = raw(node, "/V") if field_type != "/Sig" else None
            nodes.append(_FieldNode(name, prefix, field_type, value))
        except PdfDecodeLimitError:
            raise
        except Exception:
            nodes.append(_FieldNode(prefix or "?", prefix, None, None, broken=True))
    return nodes


class _tolerated(contextlib.AbstractContextManager[None]):
    """``contextlib.suppress(Exception)`` that lets a decompression bomb (:class:`PdfDecodeLimitError`)
    through: a bomb fails the whole file, wherever it is met."""

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        return exc_type is not None and issubclass(exc_type, Exception) \
            and not issubclass(exc_type, PdfDecodeLimitError)


def _deref(obj: Any) -> Any:
    """``obj`` itself, or the object an indirect reference points to (in the final revision)."""
    if isinstance(obj, generic.IndirectObject):
        target: Any = obj
        return target.get_object()
    return obj


def _unexplained_tail(emb: _FastSig | EmbeddedPdfSignature, data: bytes) -> bool:
    """Bytes after the last signed revision that form no revision (and so no signature covers)."""
    try:
        if emb.reader.xrefs.total_revisions - 1 != emb.signed_revision:
            return False  # later revisions exist: the modification analysis judges them
        br = [int(x) for x in emb.byte_range]
        end = br[2] + br[3]
    except Exception:
        return False
    return bool(data[end:].strip(b" \t\r\n\x00\x0c"))


def _object_key(ref: Any) -> tuple[int, int] | None:
    try:
        return (int(ref.idnum), int(ref.generation)) if ref is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def _byte_range_of(emb: _FastSig | EmbeddedPdfSignature) -> tuple[int, int, int, int] | None:
    try:
        a, b, c, d = (int(x) for x in emb.byte_range)
    except Exception:
        return None
    return a, b, c, d


def _unreached_reports(data: bytes, reader: PdfFileReader,
                       reached: dict[tuple[int, int], tuple[int, int, int, int] | None]) -> list[SignatureReport]:
    """A failed signature for each signature dictionary the file holds and the form did not lead to
    (:mod:`edoc.verify.unreached`): it exists and could not be processed, ETSI EN 319 102-1's
    TOTAL_FAILED/FORMAT_FAILURE."""
    found = unreached_signatures(data, reader, reached)
    if found is None:
        msgs = (Message.of("signature.too_many", MessageLevel.ERROR, limit=UNREACHED_MAX_KEYS),)
        return [SignatureReport(role=SignatureRole.UNKNOWN, indication=_FAIL,
                                subindication=SubIndication.FORMAT_FAILURE, integrity=Check.UNKNOWN, messages=msgs)]
    out = []
    for u in found:
        obj = f"{u.obj[0]} {u.obj[1]}" if u.obj is not None else "-"
        byte_range = "[{} {} {} {}]".format(*u.byte_range) if u.byte_range is not None else "-"
        msg = Message.of(f"signature.{u.why}", MessageLevel.ERROR, offset=u.offset, object=obj, byte_range=byte_range)
        out.append(SignatureReport(role=SignatureRole.UNKNOWN, indication=_FAIL,
                                   subindication=SubIndication.FORMAT_FAILURE, integrity=Check.UNKNOWN,
                                   messages=(msg,)))
    return out


def _trusted_timestamp(st: PdfSignatureStatus | DocumentTimestampStatus) -> datetime | None:
    """The time a valid, trusted signature time-stamp proves, if there is one."""
    tsv = getattr(st, "timestamp_validity", None)
    if tsv is not None and tsv.intact and tsv.valid and tsv.trust_problem_indic is None:
        return tsv.timestamp  # type: ignore[no-any-return]
    return None


def _from_issuer_of(response: Any, cert: x509.Certificate) -> bool:
    """Whether an OCSP response answers about a certificate of ``cert``'s issuer (issuer name hash)."""
    try:
        for single in response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]:
            cid = single["cert_id"]
            if hashlib.new(cid["hash_algorithm"]["algorithm"].native, cert.issuer.dump()).digest() \
                    == cid["issuer_name_hash"].native:
                return True
    except Exception:
        return True  # unreadable: leave it out
    return False


def _other_certs(emb: _FastSig | EmbeddedPdfSignature) -> tuple[x509.Certificate, ...]:
    return tuple(emb.other_certs if isinstance(emb, _FastSig) else emb.other_embedded_certs)


def _uncovered(path: Any, context: ValidationContext) -> list[x509.Certificate]:
    """The certificates of ``path`` below its trust anchor for which ``context`` holds neither a CRL of
    their issuer nor an OCSP response about them (never raises: unreadable data covers nothing).

    Data counts only where the certificate declares that kind of source (CRL distribution points, an OCSP
    address): pyhanko-certvalidator checks a CRL or an OCSP response against a certificate only then, so a
    CRL beside a certificate that declares none was never read for it, and proves nothing."""
    issuers: set[bytes] = set()
    for crl in context.crls:
        with contextlib.suppress(Exception):
            issuers.add(crl.issuer.dump())
    answered: set[tuple[int, bytes, str]] = set()
    for resp in context.ocsps:
        with contextlib.suppress(Exception):
            basic = resp["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                cid = single["cert_id"]
                answered.add((cid["serial_number"].native, cid["issuer_name_hash"].native,
                              cid["hash_algorithm"]["algorithm"].native))
    out: list[x509.Certificate] = []
    for cert in path.iter_certs(include_root=False):
        issuer = cert.issuer.dump()
        try:
            has_crl, has_ocsp = cert.crl_distribution_points_value is not None, bool(cert.ocsp_urls)
        except Exception:
            has_crl = has_ocsp = False
        if has_crl and issuer in issuers:
            continue
        try:
            if has_ocsp and any(serial == cert.serial_number and hashlib.new(algo, issuer).digest() == digest
                                for serial, digest, algo in answered):
                continue
        except ValueError:
            pass
        out.append(cert)
    return out


def _subject_name(cert: x509.Certificate) -> str:
    try:
        return str(cert.subject.human_friendly)
    except Exception:
        return "?"


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
                           messages=(Message.of(key, MessageLevel.ERROR, reason=reason),))


def _format_failure(label: str, reason: str, when: datetime | None, fmt: str = "pdf") -> DocumentReport:
    return DocumentReport.combine(label, fmt, (), validation_time=when,
                                  failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                  messages=(Message.of("document.unreadable", MessageLevel.ERROR, reason=reason),))


def _bomb(label: str, limit: int, when: datetime | None) -> DocumentReport:
    return DocumentReport.combine(label, "pdf", (), validation_time=when,
                                  failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                  messages=(Message.of("document.decode_limit", MessageLevel.ERROR, limit=limit),))


def _too_large(label: str, limit: int, fmt: str = "pdf") -> DocumentReport:
    return DocumentReport.combine(label, fmt, (), failure=(_INDET, SubIndication.GENERIC),
                                  messages=(Message.of("document.too_large", MessageLevel.ERROR, limit=limit),))


def _guarded(work: Any, label: str, fmt: str, timeout: float | None) -> DocumentReport:
    """Run ``work`` with a wall-clock limit that stops it (:mod:`edoc.verify.guard`); past the limit, or
    for any escaping exception, the verdict is INDETERMINATE with the reason."""
    from edoc.verify.guard import run_with_limit

    def checked() -> DocumentReport:
        try:
            return work()  # type: ignore[no-any-return]
        except RecursionError as exc:
            return _format_failure(label, _reason(exc), None, fmt)

    out = run_with_limit(checked, timeout, name=f"edoc-verify:{label}")
    if out.timed_out:
        msgs = [Message.of("document.timeout", MessageLevel.ERROR, seconds=timeout)]
        if not out.stopped:
            msgs.append(Message.of("document.timeout_not_stopped", MessageLevel.ERROR))
        return DocumentReport.combine(label, fmt, (), failure=(_INDET, SubIndication.GENERIC), messages=tuple(msgs))
    if out.value is not None:
        return out.value
    exc = out.error or RuntimeError("no result")
    return DocumentReport.combine(
        label, fmt, (), failure=(_INDET, SubIndication.GENERIC),
        messages=(Message.of("document.internal_error", MessageLevel.ERROR, reason=_reason(exc)),))


# -- the fast reading of a signature -------------------------------------------------------------------
# Measured (benchmarks/verify_bench.py, 1-page document, one signature, 2-core machine): pyHanko's
# ``EmbeddedPdfSignature`` costs ~6.4 ms per signature, nearly all of it reading the /Contents hex string
# one byte at a time through a Python generator (~1 µs per hex digit), and ``cms_basic_validation`` another
# ~9 ms (of which ~3 ms identify the signer's certificate through LDAP string preparation of names). A
# whole ``validate_pdf_signature`` was ~22 ms per document. The reading below takes the /Contents from the
# /ByteRange gap with one C-level ``bytes.fromhex`` and lets pyHanko parse the rest of the signature
# dictionary; every check whose outcome could differ from pyHanko's falls back to pyHanko (``None``).

_WINDOW = 1 << 16  # bytes of a signature dictionary read after its /Contents
_CONTENTS = re.compile(rb"/Contents\s*<")
_OBJ_HEADER = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj[\x00\t\n\x0c\r ]*")
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_SUBFILTERS = frozenset({"/adbe.pkcs7.detached", "/ETSI.CAdES.detached"})
_HASHES = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})


@dataclass(frozen=True)
class _FastSig:
    """A signature read without pyHanko's ``EmbeddedPdfSignature``; it offers the attributes of one that
    this module uses (``reader``, ``fq_name``, ``signed_revision``, ``byte_range``, ``signer_info``,
    ``signer_cert``, ``sig_object_type``)."""

    reader: PdfFileReader
    fq_name: str
    sig_field: Any
    sig_object: generic.DictionaryObject
    byte_range: tuple[int, int, int, int]
    dict_end: int
    signed_revision: int
    signed_data: cms.SignedData
    signer_info: cms.SignerInfo
    signer_cert: x509.Certificate
    other_certs: tuple[x509.Certificate, ...]
    md_algorithm: str
    sig_object_type: str = "/Sig"


def _read_fast(reader: PdfFileReader, data: bytes, fq_name: str, sig_field: Any) -> _FastSig | None:
    """Read an ordinary signature (``/Sig``, detached CMS, no DocMDP/FieldMDP/Lock/seed values) whose
    /Contents is exactly the /ByteRange gap; ``None`` for anything else (pyHanko then reads it)."""
    try:
        field = _deref(sig_field)
        if "/Lock" in field or "/SV" in field:
            return None
        vref = field.raw_get("/V")
        if not isinstance(vref, generic.IndirectObject):
            return None
        ref = vref.reference
        start = reader.xrefs[ref]
        if not isinstance(start, int) or not 0 <= start < len(data):
            return None
        head = _OBJ_HEADER.match(data, start)
        if head is None or (int(head[1]), int(head[2])) != (ref.idnum, ref.generation):
            return None
        found = _CONTENTS.search(data, head.end(), head.end() + _WINDOW)
        if found is None:
            return None
        lt = found.end() - 1
        gt = data.find(b">", lt, lt + (64 << 20))
        if gt < 0:
            return None
        hexed = data[lt + 1:gt]
        if hexed.translate(None, _HEX_DIGITS) or len(hexed) % 2:
            return None
        # pyHanko parses the dictionary with the hex string replaced by a random one: only if /Contents
        # reads back as that value was the token at [lt, gt] the dictionary's /Contents
        nonce = secrets.token_bytes(16)
        before = data[head.end():lt] + b"<" + nonce.hex().encode() + b">"
        spliced = BytesIO(before + data[gt + 1:gt + 1 + _WINDOW])
        sig = generic.read_object(spliced, generic.Reference(ref.idnum, ref.generation, reader))
        if type(sig) is not generic.DictionaryObject or spliced.tell() <= len(before):
            return None
        dict_end = gt + 1 + spliced.tell() - len(before)  # just after the dictionary's ">>"
        contents = sig.raw_get("/Contents")
        if not isinstance(contents, (generic.ByteStringObject, generic.TextStringObject)) \
                or contents.original_bytes != nonce:
            return None
        if sig.get("/Type", "/Sig") != "/Sig" or sig.get("/SubFilter") not in _SUBFILTERS \
                or "/Reference" in sig:
            return None
        br = sig.raw_get("/ByteRange")
        if not isinstance(br, generic.ArrayObject) or len(br) != 4 \
                or not all(type(x) is generic.NumberObject for x in br):
            return None
        byte_range = (int(br[0]), int(br[1]), int(br[2]), int(br[3]))
        if byte_range[:3] != (0, lt, gt + 1) or byte_range[3] < 0 or gt + 1 + byte_range[3] > len(data):
            return None
        info = cms.ContentInfo.load(bytes.fromhex(hexed.decode("ascii")))
        if info["content_type"].native != "signed_data":
            return None
        sd = info["content"]
        signer_info = extract_signer_info(sd)
        eci = sd["encap_content_info"]
        if eci["content_type"].native != "data" or not isinstance(eci["content"], core.Void):
            return None
        certs: list[x509.Certificate] = []
        for choice in sd["certificates"] or ():
            if choice.name != "certificate":
                return None
            certs.append(choice.chosen)
        signer = _find_signer(signer_info, certs)
        if signer is None:
            return None
        md = signer_info["digest_algorithm"]["algorithm"].native
        if md not in _HASHES:
            return None
        return _FastSig(reader=reader, fq_name=fq_name, sig_field=field, sig_object=sig,
                        byte_range=byte_range, dict_end=dict_end,
                        signed_revision=int(reader.xrefs.get_last_change(ref)),
                        signed_data=sd, signer_info=signer_info, signer_cert=signer,
                        other_certs=tuple(c for c in certs if c is not signer), md_algorithm=md)
    except PdfDecodeLimitError:
        raise
    except Exception:  # anything unusual is pyHanko's to read and judge
        return None


def _find_signer(signer_info: cms.SignerInfo, certs: list[x509.Certificate]) -> x509.Certificate | None:
    """The one certificate the signer identifier and the ESS signing-certificate attribute name, compared
    byte for byte (pyHanko compares names after LDAP string preparation: ~3 ms per signature)."""
    sid = signer_info["sid"]
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"].dump()
        serial = sid.chosen["serial_number"].native
        matches = [c for c in certs if c.serial_number == serial and c.issuer.dump() == issuer]
    elif sid.name == "subject_key_identifier":
        matches = [c for c in certs if c.key_identifier == sid.chosen.native]
    else:
        return None
    if len(matches) != 1:
        return None
    cert = matches[0]
    attr = generic_cms.get_signing_cert_attr(signer_info["signed_attrs"])
    if attr is None:
        return cert
    v2 = isinstance(attr, tsp.SigningCertificateV2)
    return cert if _ess_names(cert.dump(), attr["certs"][0].dump(), v2) else None


@functools.lru_cache(maxsize=1024)
def _ess_names(cert_der: bytes, certid_der: bytes, v2: bool) -> bool:
    """Whether the ESS ``ESSCertID(v2)`` names the certificate (hash, and issuer and serial if given). A
    pure function of its bytes, cached: a batch from one signer carries the same attribute every time."""
    cert = x509.Certificate.load(cert_der)
    certid = (tsp.ESSCertIDv2 if v2 else tsp.ESSCertID).load(certid_der)
    algo = certid["hash_algorithm"]["algorithm"].native if v2 else "sha1"
    if hashlib.new(algo, cert_der).digest() != certid["cert_hash"].native:
        return False
    issuer_serial = certid["issuer_serial"]
    if isinstance(issuer_serial, core.Void):
        return True
    if issuer_serial["serial_number"].native != cert.serial_number:
        return False
    names = [n.chosen.untag().dump() for n in issuer_serial["issuer"] if n.name == "directory_name"]
    return cert.issuer.dump() in names or bool(check_ess_certid(cert, certid))


def _fast_coverage(sig: _FastSig, data: bytes) -> SignatureCoverageLevel:
    """pyHanko's coverage levels (``evaluate_signature_coverage``) for a signature whose gap is known to
    be exactly its /Contents."""
    start2, len2 = sig.byte_range[2], sig.byte_range[3]
    end = start2 + len2
    if end == len(data):
        return SignatureCoverageLevel.ENTIRE_FILE
    xrefs = sig.reader.xrefs
    try:
        stream = BytesIO(data)
        stream.seek(end)
        if process_data_at_eof(stream) != xrefs.get_startxref_for_revision(sig.signed_revision):
            return SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START
    except PdfError:
        return SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START
    for revision in range(sig.signed_revision + 1):
        if xrefs.get_xref_container_info(revision).end_location > end:
            return SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START
    return SignatureCoverageLevel.ENTIRE_REVISION


def _byte_range_digest(data: bytes, byte_range: tuple[int, int, int, int], algo: str) -> bytes:
    view = memoryview(data)
    h = hashlib.new(algo)
    h.update(view[byte_range[0]:byte_range[0] + byte_range[1]])
    h.update(view[byte_range[2]:byte_range[2] + byte_range[3]])
    return h.digest()


def _algorithms_allowed(sig: _FastSig, context: ValidationContext) -> bool:
    """The algorithm usage checks pyHanko's ``cms_basic_validation`` makes (public policy API)."""
    policy = CMSAlgorithmUsagePolicy.lift_policy(context.algorithm_policy)
    when = context.best_signature_time
    sig_algo = sig.signer_info["signature_algorithm"]
    md_algo = sig.signer_info["digest_algorithm"]
    return bool(policy.signature_algorithm_allowed(sig_algo, moment=when,
                                                   public_key=sig.signer_cert.public_key)
                and policy.digest_algorithm_allowed(md_algo, moment=when)
                and policy.digest_combination_allowed(signature_algo=sig_algo, message_digest_algo=md_algo,
                                                      moment=None))


_SHARED_TTL = 300.0  # seconds a shared validation context (and its cached results) serves
_MAX_NESTING = 2  # edXML messages attached inside an edXML message, verified this deep at most
_CACHE_SIZE = 4096  # cached path validation results and signer facts per verifier


@dataclass(frozen=True)
class _Shared:
    """The validation context documents without revocation data of their own share, and the path
    validation results found with it (by signer certificate and the certificates the CMS carries)."""

    context: ValidationContext
    born: float
    paths: dict[Any, Any]
    http: HttpCache | None = None  # online: the run's fetched answers, renewed with the context


async def _fast_status(
    sig: _FastSig, context: ValidationContext, diff_reader: _DiffReader, cache: dict[Any, Any] | None,
) -> PdfSignatureStatus | None:
    """What ``async_validate_pdf_signature`` finds for ``sig``, computed without re-reading the signature,
    reusing path validation results across documents; ``None`` whenever the outcome is not a plain
    intact, valid signature with allowed algorithms (pyHanko then validates it from scratch)."""
    if not _algorithms_allowed(sig, context):
        return None
    data = diff_reader.data
    coverage = _fast_coverage(sig, data)
    if coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return None
    digest = _byte_range_digest(data, sig.byte_range, sig.md_algorithm)
    if not _intact_and_valid(sig, digest, context):
        return None
    diff: DiffResult | SuspiciousModification
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        diff = DiffResult(ModificationLevel.NONE, set())
    else:
        diff = EDOC_DIFF_POLICY.review_file(diff_reader.reader(), sig.signed_revision,
                                               field_mdp_spec=None, doc_mdp=None)
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    kwargs: dict[str, Any] = {"coverage": coverage, "diff_result": diff,
                              "docmdp_ok": level is not ModificationLevel.OTHER}

    def external_digest(algo: str) -> bytes:
        return digest if algo == sig.md_algorithm else _byte_range_digest(data, sig.byte_range, algo)

    # the certificates the signature carries may complete its time-stamp's chain (a TSA answer often holds
    # only the TSA's own certificate): they are an untrusted pool for path building, as for the signer
    context.certificate_registry.register_multiple(sig.other_certs)
    kwargs.update(await generic_cms.collect_timing_info(sig.signer_info, context, raw_digest=external_digest))
    if "signer_reported_dt" not in kwargs:
        with contextlib.suppress(KeyError, ValueError, PdfError):
            kwargs["signer_reported_dt"] = generic.parse_pdf_date(sig.sig_object["/M"], strict=False)

    cert, others = sig.signer_cert, sig.other_certs
    key = (cert.dump(), frozenset(c.dump() for c in others))
    cached = cache.get(key) if cache is not None else None
    if cached is None:
        cached = await _signer_cert_result(cert, others, context)
        if cache is not None and cached[1] is None:  # an unreachable responder is asked again next time
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[key] = cached
    result, try_later = cached
    kwargs.update(
        intact=True, valid=True, signing_cert=cert,
        md_algorithm=sig.md_algorithm,
        pkcs7_signature_mechanism=sig.signer_info["signature_algorithm"]["algorithm"].native,
        trust_problem_indic=try_later or result.error_subindic,
        validation_path=result.success_result or result.error_path,
        revocation_details=result.revo_details, error_time_horizon=result.error_time_horizon,
        validation_time=context.moment, qualification_result=None,
    )
    kwargs.update(await generic_cms.collect_signer_attr_status(
        sd_attr_certificates=(), signer_cert=cert, validation_context=None,
        sd_signed_attrs=sig.signer_info["signed_attrs"]))
    return PdfSignatureStatus(**kwargs)


def _intact_and_valid(sig: _FastSig, digest: bytes, context: ValidationContext) -> bool:
    """pyHanko's ``validate_sig_integrity`` less its second signing-certificate check (``_find_signer``
    made it): signed attributes present, algorithm protection consistent, content type ``data``, message
    digest equal to ``digest``, and the signature verifying with the signer's key."""
    info = sig.signer_info
    if isinstance(info["signed_attrs"], core.Void):
        return False
    attrs = info["signed_attrs"].untag()
    signed = attrs.dump()
    generic_cms.validate_algorithm_protection(
        attrs, claimed_digest_algorithm_obj=info["digest_algorithm"],
        claimed_signature_algorithm_obj=info["signature_algorithm"], claimed_mac_algorithm_obj=None)
    if find_unique_cms_attribute(attrs, "content_type").native != "data":
        return False
    if extract_message_digest(info) != digest:
        return False
    try:
        context.sig_validator.validate_signature(
            info["signature"].native, signed, sig.signer_cert.public_key, info["signature_algorithm"],
            context=SignatureValidationContext(contextual_md_algorithm=sig.md_algorithm, prehashed=False))
    except InvalidSignature:
        return False
    return True


class _DiffReader:
    """The document as pyHanko's difference analysis reads it, made at most once per document.

    Measured: on a one-page document with two signatures, pyHanko's ``review_file`` spent 2/3 of its time
    reading signature /Contents hex strings (~1 µs per digit, the same dictionaries again in every
    revision). The analysis never looks at /Contents, so it reads a copy of the file in which the
    /Contents of every signature read by :func:`_read_fast` (its /ByteRange gap, proven to be that
    dictionary's /Contents) is emptied and the rest of the dictionary moved up, the freed bytes filled with
    ``0`` after its ``>>``; every offset stays the same, and pyHanko's lenient reader goes on after an
    object whose ``endobj`` does not follow at once. Only the latest version of such a dictionary changes,
    so an earlier version that differs from it still differs (stricter, never laxer).
    """

    def __init__(self, data: bytes, sigs: list[_FastSig], limits: DecodeLimits) -> None:
        self.data = data
        self._sigs = sigs
        self._limits = limits
        self._reader: PdfFileReader | None = None

    def reader(self) -> PdfFileReader:
        if self._reader is None:
            view = memoryview(self.data)
            pieces: list[bytes | memoryview] = []
            at = 0
            for sig in sorted(self._sigs, key=lambda s: s.byte_range[1]):
                lt, after = sig.byte_range[1], sig.byte_range[2]
                if lt < at:  # overlapping regions cannot come from two real dictionaries: analyse as is
                    pieces, at = [], 0
                    break
                pieces += [view[at:lt], b"<>", view[after:sig.dict_end], b"0" * (after - lt - 2)]
                at = sig.dict_end
            pieces.append(view[at:])
            copy = b"".join(pieces)  # one copy of the file, of the same length by construction
            if len(copy) != len(self.data):  # pragma: no cover - defensive: analyse the file as it is
                copy = self.data
            self._reader = PdfFileReader(BytesIO(copy), strict=False, decode_limits=self._limits)
        return self._reader


async def _signer_cert_result(
    cert: x509.Certificate, others: Iterable[x509.Certificate], context: ValidationContext,
) -> tuple[Any, AdESIndeterminate | None]:
    """pyHanko's ``validate_cert_usage`` for a signer's certificate, and ``TRY_LATER`` when it failed
    because revocation data could not be obtained while the context fetches (``online``).

    pyHanko maps that failure (``InsufficientRevinfoError``) to CERTIFICATE_CHAIN_GENERAL_FAILURE; ETSI EN
    319 102-1 has TRY_LATER for it: the answer may come when the responders are reachable again.
    """
    missing_revinfo = False
    usage = PdfSignatureStatus.default_usage_constraints(_KEY_USAGE)

    async def check() -> Any:
        # generic_cms.validate_cert_usage's check, with the revocation failure noted on its way out
        nonlocal missing_revinfo
        try:
            path = await find_valid_path(cert, context.path_builder.async_build_paths_lazy(cert),
                                         validation_context=context)
        except InsufficientRevinfoError as exc:
            missing_revinfo = not isinstance(exc, StaleRevinfoError)
            raise
        service = path.trust_anchor.trust_qualifiers.trusted_service_type
        if path.pkix_len > 0:
            usage.validate(cert)
        elif service != TrustedServiceType.UNSPECIFIED:  # the signer's certificate is itself an anchor
            kus, ekus = {TrustedServiceType.TIME_STAMPING_AUTHORITY: (set(), {"time_stamping"}),
                         TrustedServiceType.CERTIFICATE_AUTHORITY: ({"crl_sign", "key_cert_sign"}, set()),
                         }.get(service, (set(), set()))
            usage.validate(cert, extra_asserted_key_usages=kus, extra_asserted_extd_key_usages=ekus)
        return path

    context.certificate_registry.register_multiple(others)
    result = await generic_cms.handle_certvalidator_errors(cert=cert, coro=check())
    try_later = (AdESIndeterminate.TRY_LATER if missing_revinfo and context.fetching_allowed
                 and result.error_subindic is AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE else None)
    return result, try_later

