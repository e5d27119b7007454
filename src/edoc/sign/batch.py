"""Batches: :func:`sign_many` signs many files with one session per worker process.

Each worker builds its :class:`~edoc.sign.PdfSigningSession` once (the key opened once, the font subset
once) from a picklable ``session_factory``; the parent asks for the PIN once and hands it to the factory.
The act is any callable ``act(data, session=…) -> SignedPdf`` (e.g. ``functools.partial(approve, image=…)``).

Worker start-up is what limits the speed-up once a signature costs a few milliseconds, so on platforms with
``fork`` (and from a single-threaded parent) the workers are forked: they inherit the imported modules, the
prepared fonts and, for a key held in memory (PKCS#12/PEM), the parent's open session itself (sessions with a
time-stamp server or revocation fetching open their own from the factory: no network client crosses a fork).
A PKCS#11 session must never cross a fork: with a token key (or any key not plainly in memory) the workers
are spawned, and each opens the key from the factory. Jobs go to the workers in chunks, so a 3-5 ms
signature does not pay a round trip between processes each.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from edoc.errors import EdocError, InvalidInput
from edoc.sign.appearance import PreparedFont, default_font, seed_default_fonts
from edoc.sign.engine import PdfSigningSession, SignedPdf
from edoc.util.fs import atomic_write_bytes, fsync_dir

__all__ = ["SignJob", "Outcome", "sign_many"]

Act = Callable[..., SignedPdf]
SessionFactory = Callable[[], PdfSigningSession]


@dataclass(frozen=True)
class SignJob:
    """One file to sign: where it is, where the signed file goes."""

    source: Path
    output: Path
    #: extra keyword arguments for the act on this file only (e.g. ``{"number": 7}`` for :func:`issue`)
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What happened to one file (``error`` is the :class:`EdocError`'s text when it failed)."""

    source: Path
    output: Path | None
    ok: bool
    error: str | None = None
    error_vi: str | None = None
    signing_time: datetime | None = None
    ms: float = 0.0


_worker_session: PdfSigningSession | None = None


def _init_worker(factory: SessionFactory | None, fonts: dict[str, PreparedFont]) -> None:
    global _worker_session
    seed_default_fonts(fonts)  # subset once for the whole batch, in the parent
    if factory is not None:
        _worker_session = factory()
    # else: forked with the parent's session already in _worker_session


def _run_one(act: Act, job: SignJob, session: PdfSigningSession, *, sync_dir: bool = True) -> Outcome:
    start = time.perf_counter()
    try:
        data = job.source.read_bytes()
        signed = act(data, session=session, **job.options)
        atomic_write_bytes(job.output, signed.data, sync_dir=sync_dir)
    except EdocError as exc:
        if exc.path is None:
            exc.path = str(job.source)
        return Outcome(job.source, None, False, str(exc), exc.describe("vi"),
                       ms=(time.perf_counter() - start) * 1000)
    except OSError as exc:
        return Outcome(job.source, None, False, f"{job.source}: {exc.strerror}",
                       ms=(time.perf_counter() - start) * 1000)
    return Outcome(job.source, job.output, True, signing_time=signed.signing_time,
                   ms=(time.perf_counter() - start) * 1000)


def _work(act: Act, chunk: Sequence[SignJob]) -> list[Outcome]:
    """Sign a chunk; the output folders are synced once per chunk, before the outcomes are reported.

    Each file is still written to a temporary name, fsynced and renamed; only the folder's fsync (which makes
    the new names durable) is shared by the chunk. Measured here: a 20 KB atomic write with both fsyncs
    ~1 ms against ~4 ms for an invisible signature, and the workers' folder syncs queue behind each other.
    """
    assert _worker_session is not None, "worker not initialised"
    outcomes = [_run_one(act, job, _worker_session, sync_dir=False) for job in chunk]
    for folder in {job.output.parent for job in chunk}:
        fsync_dir(folder)
    return outcomes


def _in_memory(signer: object) -> bool:
    """Whether a signer's key is plain memory of this process (no token, device or service connection)."""
    from pyhanko.sign.signers.pdf_cms import SimpleSigner

    from edoc.keys.files import SoftwareKeyBackend
    from edoc.keys.pyhanko import BackendSigner

    if type(signer) is BackendSigner:
        return isinstance(signer.backend, SoftwareKeyBackend)
    return isinstance(signer, SimpleSigner)  # edoc's file_signer is one


def _inheritable(session: PdfSigningSession | None) -> bool:
    """Whether a forked worker may use this session as it is: a key in this process's memory, no network
    client (time-stamp server, validation context)."""
    return (session is not None and session.timestamper is None and session.validation_context is None
            and _in_memory(session.signer))


_FILE_SCHEMES = ("pkcs12:", "pem:")


def _pool_context(session: PdfSigningSession | None, factory: SessionFactory | None) -> tuple[Any, bool]:
    """The workers' start method and whether they inherit ``session``.

    ``fork`` (the workers start with this process's modules, fonts and, for a key in memory, its session)
    unless the platform has none, this process runs other threads (forking those is unsafe), or a key device
    may be open here: a PKCS#11 session must not cross a fork, so then ``spawn``.
    """
    device = (session is not None and not _in_memory(session.signer)) or (
        isinstance(factory, KeySessionFactory) and not factory.uri.lower().startswith(_FILE_SCHEMES))
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 and not device:
        return multiprocessing.get_context("fork"), _inheritable(session)
    return multiprocessing.get_context("spawn"), False


def sign_many(
    jobs: Iterable[SignJob],
    *,
    act: Act,
    session: PdfSigningSession | None = None,
    session_factory: SessionFactory | None = None,
    workers: int = 1,
    progress: Callable[[int, int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Sign every job; one failure does not stop the others.

    :param act: ``act(data, session=…) -> SignedPdf``; picklable when ``workers > 1``.
    :param session: the session to use in this process (``workers == 1``); with ``workers > 1`` and a key in
        memory, forked workers inherit it instead of opening the key again.
    :param session_factory: builds a session once per worker (required when ``workers > 1`` unless the workers
        can inherit ``session``; picklable).
    :param workers: worker processes (1: sign in this process).
    :param progress: called after each file with (done, total, outcome).
    :return: one :class:`Outcome` per job, in the order of ``jobs``.
    """
    todo: Sequence[SignJob] = list(jobs)
    outputs = [j.output.resolve() for j in todo]
    if len(set(outputs)) != len(outputs):
        raise InvalidInput("two inputs would be written to the same output file", field="output")
    if workers < 1:
        raise InvalidInput("workers must be 1 or more", field="workers")
    workers = min(workers, len(todo), os.cpu_count() or 1) or 1
    results: list[Outcome | None] = [None] * len(todo)
    done = 0
    if workers == 1:
        sess = session or (session_factory() if session_factory else None)
        if sess is None:
            raise InvalidInput("give a session or a session factory", field="session")
        for start in range(0, len(todo), 8):  # chunks as the workers do: one folder sync per chunk
            part = todo[start:start + 8]
            outcomes = [_run_one(act, job, sess, sync_dir=False) for job in part]
            for folder in {job.output.parent for job in part}:
                fsync_dir(folder)
            for i, outcome in enumerate(outcomes, start):
                results[i] = outcome
                done += 1
                if progress:
                    progress(done, len(todo), outcome)
        return [r for r in results if r is not None]
    global _worker_session
    context, inherit = _pool_context(session, session_factory)
    if session_factory is None and not inherit:
        raise InvalidInput("several workers need a session factory (each worker opens the key once)",
                           field="session_factory")
    fonts = {style: default_font(style) for style in ("regular", "italic")}
    # chunks of up to 8 files: a round trip per 8 signatures is negligible, and small chunks keep the workers
    # balanced when one of them gets less CPU (a shared machine) or a file is much larger than the others
    size = max(1, min(8, len(todo) // (workers * 4)))
    chunks = [range(start, min(start + size, len(todo))) for start in range(0, len(todo), size)]
    previous = _worker_session
    if inherit:
        _worker_session = session  # what the forked workers start with
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                 initargs=(None if inherit else session_factory, fonts)) as pool:
            pending: dict[Future[list[Outcome]], range] = {
                pool.submit(_work, act, [todo[i] for i in chunk]): chunk for chunk in chunks}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    chunk = pending.pop(fut)
                    try:
                        outcomes = fut.result()
                    except Exception as exc:
                        outcomes = [Outcome(todo[i].source, None, False, f"{todo[i].source}: worker failed: {exc}")
                                    for i in chunk]
                    for i, outcome in zip(chunk, outcomes, strict=True):
                        results[i] = outcome
                        done += 1
                        if progress:
                            progress(done, len(todo), outcome)
    finally:
        _worker_session = previous
    return [r for r in results if r is not None]


@dataclass(frozen=True)
class KeySessionFactory:
    """A picklable recipe for a :class:`PdfSigningSession` on a key URI (see :func:`edoc.keys.open_key`).

    The PIN (when one was asked) travels in memory to the worker processes so that a person enters it once.
    """

    uri: str
    pin: str | None = None
    level: str = "B-B"
    tsa_url: str | None = None
    padding: str | None = None
    digest: str = "sha256"
    #: trust anchors and intermediates (DER or PEM bytes) for B-LT/B-LTA
    trust: tuple[bytes, ...] = ()
    intermediates: tuple[bytes, ...] = ()
    #: sign even outside the certificate's validity period (tests only; see :class:`PdfSigningSession`)
    allow_outside_validity: bool = False

    def __repr__(self) -> str:  # never show the PIN
        return f"KeySessionFactory(uri={self.uri!r}, level={self.level!r})"

    def open(self, *, pin: object = None, trust: Iterable[object] = (),
             intermediates: Iterable[object] = (), timestamper: Any = None,
             validation_context: Any = None) -> PdfSigningSession:
        """Open the key and build the session (the backend stays open for the session's lifetime).

        :param pin: the PIN, or a callback asked for it (default: :attr:`pin`, then the URI's pin-source).
        :param trust: trust anchors for B-LT/B-LTA; :param intermediates: extra intermediate certificates.
        :param timestamper: a pyHanko ``TimeStamper`` instead of :attr:`tsa_url` (B-T and above).
        :param validation_context: a pyHanko ``ValidationContext`` with the revocation data to embed, instead
            of fetching it (B-LT/B-LTA; see :class:`PdfSigningSession`).
        """
        from edoc.keys import open_key

        backend = open_key(self.uri, pin=pin if pin is not None else self.pin)  # type: ignore[arg-type]
        algorithm = _algorithm(backend, self.padding, self.digest)
        signer = backend.pyhanko_signer(algorithm=algorithm)
        try:
            session = PdfSigningSession(signer, level=self.level, tsa_url=self.tsa_url,  # type: ignore[arg-type]
                                        timestamper=timestamper, validation_context=validation_context,
                                        digest=self.digest, trust=(*self.trust, *trust),
                                        intermediates=(*self.intermediates, *intermediates),
                                        allow_outside_validity=self.allow_outside_validity)
        except BaseException:
            backend.close()
            raise
        session.backend = backend  # type: ignore[attr-defined]
        return session

    def __call__(self) -> PdfSigningSession:
        return self.open()


def _algorithm(backend: object, padding: str | None, digest: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from edoc import keys

    if padding is None or not isinstance(getattr(backend, "public_key", None), rsa.RSAPublicKey):
        return None
    bits = {"sha256": "256", "sha384": "384", "sha512": "512"}.get(digest)
    if bits is None:
        raise InvalidInput(f"digest {digest} with RSA: use sha256, sha384 or sha512", field="digest")
    name = {"pss": "RSA_PSS_SHA", "pkcs1v15": "RSA_PKCS1_SHA"}.get(padding.lower())
    if name is None:
        raise InvalidInput(f"unknown RSA padding {padding!r}; use pss or pkcs1v15", field="padding")
    return getattr(keys, name + bits)
