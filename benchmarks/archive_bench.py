"""Benchmark: ``edoc archive build`` throughput with 1 and 2 workers, stage shares, memory; ``bagit`` as peer.

Run from the repository root: ``.venv/bin/python benchmarks/archive_bench.py [--n 2000] [--per-record 50]``
(``--n 60`` for a quick run).

- N one-page PDFs are generated and signed in the run (edoc.sign, an in-memory EC key of a test PKI made
  here), with sidecars grouping them into records of ``--per-record`` documents;
- the archive is built with the real verifier (edoc.verify, trust = the test root) on 1 and 2 worker
  processes: documents per second and the scaling ratio;
- the time share of each stage (metadata, verify, package; worker seconds summed);
- peak memory of the main process (tracemalloc) for N/4 and N documents (flat means bounded work in flight),
  and the peak RSS of the workers;
- peer: ``bagit.make_bag`` alone over the same files in one bag (hashing and manifests only, no verification
  or metadata), documents per second.

- with B-LTA augmentation (``--tsa-n``, default N): the test PKI of ``tests/pki`` (certomancer) serving its
  TSA, OCSP and CRLs over HTTP on 127.0.0.1; documents signed with its agency key, with the same sidecars;
  the archive built with ``--tsa`` semantics (validation data of the whole chain and of the TSA fetched,
  then a document time-stamp) on 1 and 2 workers: documents per second, scaling, stage shares and the CPU
  time per document of the main process and of the services. The services run in a process of their own
  (``pki.serve_in_subprocess``) on the same two cores, so their CPU time is taken from the workers';
- renewal timed on the N/4 archive with pyHanko's in-process TSA (which re-parses its RSA key twice per
  time-stamp, ~90 ms of the time per document).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the small test PKI and pyHanko TSA helper of the archive tests

import bagit  # noqa: E402
from fpdf import FPDF  # noqa: E402

from archive.realpki import PyhankoDocTimestamper, make_pki  # noqa: E402
from edoc.archive import ArchivePolicy, build_archive, renew_archive  # noqa: E402
from edoc.sign import PdfSigningSession, file_signer, sign  # noqa: E402

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def _sidecar(i: int, rec: int) -> dict[str, str]:
    """National metadata of document ``i`` in record ``rec`` (records of ``--per-record`` documents)."""
    return {"OrganId": "000.00.31.H41", "FileCatalog": "2026", "FileNotation": f"HS-{rec:04d}",
            "CodeNumber": str(i + 1), "CodeNotation": "UBND-VP", "IssuedDate": "2026-03-01",
            "OrganName": "Ủy ban nhân dân huyện Thuận Nam", "Subject": f"Công văn số {i + 1}"}


def make_inputs(folder: Path, n: int, per_record: int, pki) -> None:  # type: ignore[no-untyped-def]
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="Cong van - trang 1")
    base = bytes(pdf.output())
    session = PdfSigningSession(file_signer(pki.signer.cert, pki.signer.key, (pki.root.cert,)))
    for i in range(n):
        rec = i // per_record
        sub = folder / f"r{rec:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        name = f"cv-{i:05d}.pdf"
        (sub / name).write_bytes(sign(base, session=session).data)
        (sub / f"{name}.json").write_text(json.dumps(_sidecar(i, rec), ensure_ascii=False), "utf-8")


def run(src: Path, into: Path, policy: ArchivePolicy, jobs: int, *, trace: bool = False
        ) -> tuple[float, object, int]:
    """Build; with ``trace`` the main process's peak memory (tracemalloc, which forked workers inherit and
    which slows them down: never traced in the timed runs)."""
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    summary = build_archive([src], into, policy=policy, jobs=jobs, progress=False)
    elapsed = time.perf_counter() - t0
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, summary, peak


def tsa_section(work: Path, n: int, per_record: int) -> None:
    """Build with B-LTA augmentation against the test PKI's live TSA/OCSP/CRL on 127.0.0.1."""
    from edoc.archive.policy import tsa_steps
    from edoc.sign import KeySessionFactory
    from pki import pem_uri, serve_in_subprocess

    files = work / "pki"
    with serve_in_subprocess(files) as services:
        session = KeySessionFactory(pem_uri(files, "agency-rsa")).open()
        pdf = FPDF()
        pdf.set_font("helvetica", size=12)
        pdf.add_page()
        pdf.cell(text="Cong van - trang 1")
        base = bytes(pdf.output())
        src = work / "src-tsa"
        t0 = time.perf_counter()
        for i in range(n):
            rec = i // per_record
            sub = src / f"r{rec:04d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"cv-{i:05d}.pdf").write_bytes(sign(base, session=session).data)
            (sub / f"cv-{i:05d}.pdf.json").write_text(json.dumps(_sidecar(i, rec), ensure_ascii=False), "utf-8")
        print(f"[tsa] signed {n} PDFs with the test PKI's agency key in {time.perf_counter() - t0:.1f} s")
        trust = tuple(str(files / f) for f in ("gov-root.cert.pem", "national-root.cert.pem", "public-ca.cert.pem"))
        augment, stamp = tsa_steps(f"{services.url}/vn-test/tsa/tsa", trust)
        policy = ArchivePolicy(trust=trust, augment=augment, timestamper=stamp)
        rates = {}
        for jobs in (1, 2):
            main0, svc0 = time.process_time(), services.cpu_seconds()
            elapsed, s, _ = run(src, work / f"arc-tsa{jobs}", policy, jobs)
            main_ms, svc_ms = ((time.process_time() - main0) * 1000 / n, (services.cpu_seconds() - svc0) * 1000 / n)
            assert s.archived == n, s.to_dict()  # type: ignore[attr-defined]
            rates[jobs] = n / elapsed
            total = sum(s.stage_seconds.values())  # type: ignore[attr-defined]
            shares = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(s.stage_seconds.items()))  # type: ignore[attr-defined]
            print(f"[tsa] jobs={jobs}: {n} documents in {elapsed * 1000:.0f} ms = {rates[jobs]:.1f} docs/s "
                  f"({elapsed * 1000 / n:.1f} ms/doc); stage shares: {shares}; CPU per document: main process "
                  f"{main_ms:.1f} ms, test services {svc_ms:.1f} ms, workers {total * 1000 / n:.1f} ms (wall, "
                  f"includes waiting for the services)")
        print(f"[tsa] scaling 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--per-record", type=int, default=50)
    ap.add_argument("--tsa-n", type=int, default=None, help="documents for the B-LTA run (default: --n; 0 skips)")
    ap.add_argument("--only-tsa", action="store_true", help="run only the B-LTA section")
    args = ap.parse_args()
    n = args.n
    if args.only_tsa:
        work = Path(tempfile.mkdtemp(prefix="edoc-archive-bench-"))
        try:
            tsa_section(work, args.tsa_n or n, args.per_record)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    work = Path(tempfile.mkdtemp(prefix="edoc-archive-bench-"))
    try:
        pki = make_pki()
        trust = (str(pki.root_pem(work)),)
        policy = ArchivePolicy(trust=trust)
        t0 = time.perf_counter()
        make_inputs(work / "src", n, args.per_record, pki)
        small = work / "src-small"
        make_inputs(small, max(1, n // 4), args.per_record, pki)
        print(f"generated and signed {n} + {max(1, n // 4)} one-page PDFs in {time.perf_counter() - t0:.1f} s")

        rates = {}
        for jobs in (1, 2):
            elapsed, s, _ = run(work / "src", work / f"arc{jobs}", policy, jobs)
            assert s.archived == n, s.to_dict()  # type: ignore[attr-defined]
            rates[jobs] = n / elapsed
            print(f"jobs={jobs}: {n} documents in {elapsed * 1000:.0f} ms = {rates[jobs]:.1f} docs/s, "
                  f"{elapsed * 1000 / n:.2f} ms/doc")
            if jobs == 2:
                total = sum(s.stage_seconds.values())  # type: ignore[attr-defined]
                shares = ", ".join(f"{k} {v / total:.0%} ({v * 1000 / n:.2f} ms/doc)"
                                   for k, v in sorted(s.stage_seconds.items()))  # type: ignore[attr-defined]
                print(f"stage shares (worker time): {shares}")
        print(f"scaling 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")

        _, _, peak_small = run(small, work / "arc-small", policy, 2, trace=True)
        _, _, peak_big = run(work / "src", work / "arc-big", policy, 2, trace=True)
        print(f"main peak traced memory: {max(1, n // 4)} docs {peak_small / 1e6:.1f} MB, {n} docs "
              f"{peak_big / 1e6:.1f} MB (ratio {peak_big / max(peak_small, 1):.2f} for 4x documents)")
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"worker peak RSS: {child:.0f} MB")

        flat = work / "peer"
        flat.mkdir()
        for f in (work / "src").rglob("*.pdf"):
            shutil.copyfile(f, flat / f.name)
        t0 = time.perf_counter()
        bagit.make_bag(str(flat), checksums=["sha256"])
        peer = time.perf_counter() - t0
        print(f"peer bagit.make_bag (hash + manifests only, one bag): {n / peer:.0f} docs/s; edoc (2 workers, "
              f"verify + metadata + packages) / bagit time ratio {(n / rates[2]) / peer:.1f}")

        t0 = time.perf_counter()
        renewed = renew_archive(work / "arc-small", dt.date.today() + dt.timedelta(days=1),
                                policy=ArchivePolicy(trust=trust, timestamper=PyhankoDocTimestamper.of(pki)))
        el = time.perf_counter() - t0
        print(f"renew (pyHanko in-process TSA, copy-on-write packages): {renewed.count} documents in "
              f"{el * 1000:.0f} ms = {el * 1000 / max(renewed.count, 1):.2f} ms/doc")
        tsa_n = n if args.tsa_n is None else args.tsa_n
        if tsa_n:
            tsa_section(work, tsa_n, args.per_record)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
