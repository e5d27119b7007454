"""What an archiving run does at each step: the verifier, the augmenter and the time-stamper, injected.

:class:`ArchivePolicy` is frozen and picklable (it travels to worker processes and Dask workers). Its steps
are plain callables, so the real verifier (:mod:`edoc.verify`) and, later, B-LTA augmentation and document
time-stamps from :mod:`edoc.sign` plug in without changing the archive machinery:

- ``verify(path) -> verdict-like``: anything with a ``verdict`` (an :class:`enum.Enum` or a string such as
  ``"TOTAL_PASSED"``) and, ideally, ``to_dict()`` (stored as the validation report);
- ``augment(src, dst) -> AugmentResult``: writes ``dst``, whose first bytes must be exactly ``src``;
- ``timestamper(src, dst) -> AugmentResult``: the same contract, used by renewal;
- ``evidence(document, folder) -> AugmentResult``: for a document that cannot carry its evidence inside (an
  edXML message, kept byte-identical), adds the next time-stamp beside it in ``folder`` (new files only);
  used at ingest and by renewal (:mod:`edoc.archive.evidence`).

PDFs go to ``augment``/``timestamper``, edXML messages to ``evidence``: a step is never given a format it
cannot extend (appending to an XML message would make it ill-formed).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from edoc.errors import InvalidInput

__all__ = ["ArchivePolicy", "AugmentResult", "VerdictLike", "RealVerifier", "verdict_of", "report_of",
           "default_verifier", "PASSED"]

PASSED = "TOTAL_PASSED"


class VerdictLike(Protocol):
    """What a verifier returns: at least a ``verdict``."""

    @property
    def verdict(self) -> Any: ...


@dataclass(frozen=True)
class AugmentResult:
    """What an augmentation or a time-stamp added.

    :param level: the level reached (``B-LT``, ``B-LTA``) or a short name of what was added.
    :param timestamp_expiry: when the newest time-stamp's certificate expires (drives renewal).
    :param detail: one line for the event log.
    """

    level: str
    timestamp_expiry: dt.datetime | None = None
    detail: str = ""


def verdict_of(result: object) -> str:
    """The verdict as a string (``TOTAL_PASSED``, ``TOTAL_FAILED``, ``INDETERMINATE``)."""
    value = getattr(result, "verdict", None)
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"the verifier returned no verdict: {result!r}", field="verify")
    return value


def report_of(result: object) -> dict[str, Any]:
    """The JSON-ready report of a verifier's result (``to_dict()`` when it has one)."""
    to_dict = getattr(result, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, dict):
            return data
    return {"verdict": verdict_of(result)}


@dataclass(frozen=True)
class RealVerifier:
    """The verifier of :mod:`edoc.verify`, one :class:`~edoc.verify.Verifier` per process (cached).

    :param trust: trust anchors (certificate files).
    :param online: fetch revocation information (OCSP/CRL named in certificates chained to the trust anchors)
        for what a document does not carry (default, as ``edoc verify``); ``False`` uses only the documents'
        own data.
    :param at: validate as at this moment (ISO 8601; a string so the step pickles and hashes), default now.
    """

    trust: tuple[str, ...] = ()
    online: bool = True
    at: str | None = None

    def __call__(self, path: Path) -> Any:
        from edoc.verify.dispatch import verify_with

        return verify_with(_verifier(self.trust, self.online, self.at), path)


_VERIFIERS: dict[tuple[tuple[str, ...], bool, str | None], Any] = {}


def _verifier(trust: tuple[str, ...], online: bool, at: str | None = None) -> Any:
    key = (trust, online, at)
    if key not in _VERIFIERS:
        from edoc.verify import Verifier

        moment = dt.datetime.fromisoformat(at) if at else None
        _VERIFIERS[key] = Verifier(trust=list(trust), online=online, at=moment)
    return _VERIFIERS[key]


def default_verifier(trust: tuple[str, ...] = (), *, online: bool = True,
                     at: dt.datetime | str | None = None) -> Callable[[Path], Any]:
    """The real verifier when :mod:`edoc.verify` is importable.

    :raises InvalidInput: when it is not (then pass ``verify=`` explicitly).
    """
    try:
        import edoc.verify  # noqa: F401
    except ImportError as exc:  # pragma: no cover - verify is part of the package
        raise InvalidInput("edoc.verify is not available; pass a verify callable", field="verify") from exc
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError as exc:
            raise InvalidInput(f"not an ISO 8601 time: {at!r}", field="at") from exc
    return RealVerifier(trust=tuple(str(t) for t in trust), online=online, at=at.isoformat() if at else None)


@dataclass(frozen=True)
class ArchivePolicy:
    """The steps and rules of an archiving run.

    :param verify: ``path -> verdict-like``; ``None`` means :func:`default_verifier` with ``trust``.
    :param augment: ``(src, dst) -> AugmentResult`` raising signatures to B-LTA; ``None`` (no TSA) archives
        documents as they are and records "augmentation pending".
    :param timestamper: ``(src, dst) -> AugmentResult`` adding a document time-stamp to a PDF, for renewal.
    :param evidence: ``(document, folder) -> AugmentResult`` adding the next time-stamp of an edXML message
        beside it (:class:`edoc.archive.evidence.TsaEvidence`), at ingest and for renewal.
    :param trust: trust anchors for the default verifier.
    :param online: let the default verifier fetch OCSP/CRL for what a document does not carry (``None``: online
        for a build, as ``edoc verify``, so that the status is established at ingest and the B-LTA
        augmentation stores it; for an audit, the choice the archive's build recorded).
    :param at: the default verifier validates as at this moment (ISO 8601 string or datetime).
    :param record_by: the national field grouping documents into records (``FileCode`` by default; also
        ``OrganId``, ``Year``, ``CodeNotation``, any field of :data:`~edoc.archive.meta.NATIONAL_FIELDS`).
    :param accept_indeterminate: archive INDETERMINATE documents as valid (default: rejected).
    :param maintenance: retention written into the record metadata (``Vĩnh viễn`` or years).
    :param weak_digests: a time-stamp made with one of these is renewed at once.
    """

    verify: Callable[[Path], Any] | None = None
    augment: Callable[[Path, Path], AugmentResult] | None = None
    timestamper: Callable[[Path, Path], AugmentResult] | None = None
    evidence: Callable[[Path, Path], AugmentResult] | None = None
    trust: tuple[str, ...] = ()
    online: bool | None = None
    at: dt.datetime | str | None = None
    record_by: str = "FileCode"
    accept_indeterminate: bool = False
    maintenance: str = "Vĩnh viễn"
    weak_digests: frozenset[str] = frozenset({"md5", "sha1"})

    def verifier(self) -> Callable[[Path], Any]:
        """The verify step (the real verifier when none was injected)."""
        if self.verify is not None:
            return self.verify
        return default_verifier(self.trust, online=self.online is not False, at=self.at)

    def accepts(self, verdict: str) -> bool:
        """Whether a document with ``verdict`` is archived as valid."""
        return verdict == PASSED or (self.accept_indeterminate and verdict == "INDETERMINATE")


def load_callable(spec: str, what: str) -> Callable[..., Any]:
    """``module:attribute`` → the callable it names (for ``--verifier`` / ``--timestamper``).

    :raises InvalidInput: the module or attribute does not exist or is not callable.
    """
    import importlib

    module, _, attr = spec.partition(":")
    try:
        obj = getattr(importlib.import_module(module), attr) if attr else None
    except (ImportError, AttributeError) as exc:
        raise InvalidInput(f"cannot load {spec!r}: {exc}", field=what) from exc
    if not callable(obj):
        raise InvalidInput(f"{spec!r} is not a callable (module:attribute)", field=what)
    return obj  # type: ignore[no-any-return]


def tsa_steps(url: str, trust: tuple[str, ...] = ()) -> tuple[Callable[[Path, Path], AugmentResult],
                                                               Callable[[Path, Path], AugmentResult]]:
    """The B-LTA augmenter and the document time-stamper for the TSA at ``url`` (:mod:`edoc.sign.ltv`).

    :param trust: the trust anchors (certificate files) the signatures chain to; the validation data of the
        whole chain is fetched for them.
    """
    from functools import partial

    from edoc.sign.ltv import add_document_timestamp, augment_to_lta

    return (partial(augment_to_lta, tsa_url=url, trust=trust),  # type: ignore[return-value]
            partial(add_document_timestamp, tsa_url=url, trust=trust))


def tsa_evidence(url: str, trust: tuple[str, ...] = ()) -> Callable[[Path, Path], AugmentResult]:
    """The evidence time-stamper of edXML messages for the TSA at ``url`` (:mod:`edoc.archive.evidence`).

    :param trust: the trust anchors the TSA's certificates chain to (its previous tokens are validated and
        their revocation data stored at each renewal).
    """
    from edoc.archive.evidence import TsaEvidence

    return TsaEvidence(url, tuple(str(t) for t in trust))
