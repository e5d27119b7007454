"""Evidence kept beside a document that cannot carry it inside: RFC 3161 time-stamps for edXML messages.

A PDF carries its long-term evidence inside (PAdES B-LTA: the archive appends validation data and document
time-stamps, :mod:`edoc.sign.ltv`). An edXML message cannot: it is kept byte-identical to what was received
(its envelope signature, when it has one, covers it whole, and nothing may follow the root element of an XML
document), so, as ``archive.md`` §3 says ("for XML, beside it as files"), its evidence lives in the package
next to it, one folder per document::

    data/evidence/<name>/timestamp-0001.input.txt   what the first time-stamp covers
    data/evidence/<name>/timestamp-0001.tst         the RFC 3161 time-stamp token (DER CMS ContentInfo)
    data/evidence/<name>/timestamp-0002.crl-1.der   validation data of token 1 (CRLs, OCSP responses),
    data/evidence/<name>/timestamp-0002.ocsp-1.der  fetched when token 2 is made, before token 1 expires
    data/evidence/<name>/timestamp-0002.input.txt
    data/evidence/<name>/timestamp-0002.tst

``timestamp-N.input.txt`` lists the SHA-256 of the document and of every evidence file before it (the files
of the earlier steps and step N's validation data), and token N's message imprint is the SHA-256 of that
text: each renewal covers the document and all earlier evidence (an archive time-stamp chain in the spirit of
RFC 4998's evidence records, in plain files any tool can check, e.g. ``openssl ts -verify -data
timestamp-0002.input.txt -in timestamp-0002.tst -token_in -CAfile TSA-ROOT``). A renewal first validates the
newest token with the trust anchors, fetching and storing its revocation data, then asks the TSA for the next
one; :func:`check_evidence` re-computes the chain offline (``archive audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edoc.archive.policy import AugmentResult
from edoc.errors import EdocError, InvalidInput, ResourceError
from edoc.util.fs import atomic_write_bytes

__all__ = ["EVIDENCE", "TsaEvidence", "check_evidence", "document_format", "evidence_input"]

#: Folder of the evidence kept beside documents, bag-relative (one sub-folder per document name).
EVIDENCE = "data/evidence"
_HEADER = "edoc evidence v1: SHA-256 of the document and of the evidence before this time-stamp\n"
_STEP = re.compile(r"timestamp-(\d{4})\.(input\.txt|tst|(?:crl|ocsp)-\d+\.der)")


def document_format(path: Path) -> str | None:
    """``pdf``, ``edxml`` or ``None``: the verifier's one detector (:func:`edoc.verify.detect_format`)."""
    from edoc.verify import detect_format

    try:
        with open(path, "rb") as fh:
            return detect_format(fh.read(4096))
    except OSError as exc:
        raise ResourceError.from_os(exc, path, action=("cannot read the document",
                                                       "Không đọc được văn bản")) from exc


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _files(folder: Path) -> list[tuple[int, str, Path]]:
    """The evidence files of ``folder`` as (step, kind, path), in name order; other names are left out."""
    out = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else ():
        m = _STEP.fullmatch(p.name)
        if m and p.is_file():
            out.append((int(m[1]), m[2], p))
    return out


def evidence_input(document: Path, folder: Path, step: int) -> bytes:
    """The text time-stamp ``step`` covers: the SHA-256 of the document, of every file of the earlier steps
    and of the validation data stored at this step, one ``HASH  NAME`` line each, in name order."""
    lines = [_HEADER, f"{_sha256(document)}  document\n"]
    for number, kind, path in _files(folder):
        if number < step or (number == step and kind.endswith(".der")):
            lines.append(f"{_sha256(path)}  {path.name}\n")
    return "".join(lines).encode("utf-8")


def _token(data: bytes, where: Path) -> tuple[Any, Any]:
    """The CMS ContentInfo of an RFC 3161 token and its TSTInfo."""
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(data)
        tst = info["content"]["encap_content_info"]["content"].parsed
        _ = tst["message_imprint"]["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidInput(f"not an RFC 3161 time-stamp token: {exc}",
                           message_vi=f"Không phải dấu thời gian RFC 3161: {exc}", path=where) from exc
    return info, tst


def check_evidence(document: Path, folder: Path) -> list[str]:
    """Problems of the evidence chain beside ``document``, found offline: every token's imprint must be the
    SHA-256 of its input text, and every input text must list the document and the earlier evidence as they
    are now (so a changed document or evidence file breaks the chain after it). The tokens' signatures and
    certificates are judged by the renewal that validates them."""
    problems: list[str] = []
    files = _files(folder)
    steps = sorted({n for n, kind, _p in files if kind == "tst"})
    for step in steps:
        stem = f"timestamp-{step:04d}"
        text, token = folder / f"{stem}.input.txt", folder / f"{stem}.tst"
        if not text.is_file():
            problems.append(f"{folder.name}/{token.name}: its input {text.name} is missing")
            continue
        try:
            _info, tst = _token(token.read_bytes(), token)
        except EdocError as exc:
            problems.append(f"{folder.name}/{token.name}: {exc.message}")
            continue
        imprint = tst["message_imprint"]
        data = text.read_bytes()
        if imprint["hash_algorithm"]["algorithm"].native != "sha256" \
                or imprint["hashed_message"].native != hashlib.sha256(data).digest():
            problems.append(f"{folder.name}/{token.name}: the time-stamp does not cover {text.name}")
        elif data != evidence_input(document, folder, step):
            problems.append(f"{folder.name}/{text.name}: the document or earlier evidence changed after "
                            "it was time-stamped")
    if steps and steps != list(range(1, len(steps) + 1)):
        problems.append(f"{folder.name}: time-stamps missing from the chain (have {steps})")
    return problems


@dataclass(frozen=True)
class TsaEvidence:
    """The evidence time-stamper for edXML messages: ``(document, folder) -> AugmentResult`` adds the next
    time-stamp of the chain in ``folder`` (new files only; the document is never written). Picklable.

    :param tsa_url: the time-stamping authority (http or https).
    :param trust: trust anchors (certificate files) the TSA's certificates chain to, for validating the
        previous token and collecting its revocation data.
    """

    tsa_url: str
    trust: tuple[str, ...] = ()

    def __call__(self, document: Path, folder: Path) -> AugmentResult:
        folder.mkdir(parents=True, exist_ok=True)
        tokens = sorted(n for n, kind, _p in _files(folder) if kind == "tst")
        step = len(tokens) + 1
        if tokens != list(range(1, step)):
            raise InvalidInput(f"the evidence chain has gaps ({tokens}); it is not extended",
                               message_vi=f"Chuỗi dấu thời gian bị thiếu ({tokens}); không gia hạn tiếp",
                               path=folder)
        before = {p.name for p in folder.iterdir()}
        try:
            stored = self._validation_data(folder, step) if tokens else 0
            text = evidence_input(document, folder, step)
            digest = hashlib.sha256(text).digest()
            token = self._stamp(digest, document)
            info, tst = _token(token, document)
            if tst["message_imprint"]["hashed_message"].native != digest:
                raise InvalidInput("the TSA answered with a time-stamp over another digest", path=document,
                                   field="tsa", message_vi="Máy chủ dấu thời gian trả về dấu thời gian của một "
                                   "chuỗi băm khác")
            stem = f"timestamp-{step:04d}"
            atomic_write_bytes(folder / f"{stem}.input.txt", text)
            atomic_write_bytes(folder / f"{stem}.tst", token)
        except BaseException:  # a step is complete or absent: what this one stored goes
            for p in folder.iterdir():
                if p.name not in before:
                    p.unlink(missing_ok=True)
            raise
        from edoc.sign.ltv import _token_expiry

        expiry: dt.datetime | None = _token_expiry(info)
        if step == 1:
            return AugmentResult("time-stamped", expiry, "evidence time-stamp 1 (RFC 3161, beside the message)")
        return AugmentResult("renewed", expiry, f"evidence time-stamp {step}, with {stored} validation data "
                             f"file(s) of time-stamp {step - 1}")

    def _stamp(self, digest: bytes, document: Path) -> bytes:
        from edoc.sign.ltv import _timestamper, _wrap
        from edoc.util.aio import run_coroutine

        try:
            token = run_coroutine(_timestamper(self.tsa_url).async_timestamp(digest, "sha256"))
        except Exception as exc:
            raise _wrap(exc, document, "renew the document time-stamp") from exc
        return bytes(token.dump())

    def _validation_data(self, folder: Path, step: int) -> int:
        """Validate token ``step - 1`` with the trust anchors (its revocation data fetched) and store that
        data as files of ``step``; the number of files stored."""
        from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

        from edoc.sign.ltv import _wrap, fresh_context
        from edoc.util.aio import run_coroutine

        previous = folder / f"timestamp-{step - 1:04d}.tst"
        info, tst = _token(previous.read_bytes(), previous)
        imprint = tst["message_imprint"]["hashed_message"].native
        context = fresh_context(self.trust)
        try:
            status = run_coroutine(validate_tst_signed_data(info["content"], context, lambda _alg: imprint))
        except Exception as exc:
            raise _wrap(exc, previous, "renew the document time-stamp") from exc
        if not (status.get("intact") and status.get("valid")) or status.get("trust_problem_indic") is not None:
            problem = status.get("trust_problem_indic") or "its signature or certificate"
            raise InvalidInput(f"the newest evidence time-stamp does not validate ({problem}); renewal needs the "
                               "TSA's root among the trust anchors (--trust)", path=previous,
                               message_vi=f"Dấu thời gian gần nhất không hợp lệ ({problem}); gia hạn cần chứng thư "
                               "gốc của máy chủ dấu thời gian trong các chứng thư tin cậy (--trust)")
        count = 0
        for kind, items in (("crl", context.crls), ("ocsp", context.ocsps)):
            for i, item in enumerate(items, 1):
                atomic_write_bytes(folder / f"timestamp-{step:04d}.{kind}-{i}.der", item.dump())
                count += 1
        return count
