"""Benchmark: ``edoc`` verification vs pyHanko's ``validate_pdf_signature`` loop, in one process.

Run from the repository root: ``.venv/bin/python benchmarks/verify_bench.py [--batch N]``.

- single document, 1 page and 200 pages, two signatures (person, then agency): edoc ``Verifier.verify_pdf``
  vs pyHanko with a fresh ``ValidationContext`` per document (the same checks: integrity, trust path,
  difference analysis, no network);
- a batch of N documents signed by the same signer: one edoc ``Verifier`` (path validation reused) vs the
  pyHanko loop with a fresh context per document.

edoc requires the signer's revocation status for TOTAL_PASSED: it is given the root's current CRL
(``revocation_data``, offline); pyHanko's loop checks no revocation (its default soft-fail without fetching).

Prints milliseconds (median), peak traced memory and the ratio edoc/pyHanko (below 1 means edoc is faster),
and the machine's load average before and after (the ratios are what matter on a shared machine).

Targets (issue): single document ≤ 1.0× pyHanko; batch ≥ 2× faster than the pyHanko loop (ratio ≤ 0.5).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/verify/conftest.py imports the tests' own helpers (needs)

from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation import validate_pdf_signature  # noqa: E402
from pyhanko.sign.validation.settings import KeyUsageConstraints  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402
from tests.verify import conftest as fx  # noqa: E402  (the test PKI and signing helpers)

from edoc.verify import Indication, Verifier  # noqa: E402

logging.disable(logging.CRITICAL)
KU = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False)


def pyhanko_verify(data: bytes, root: object) -> bool:
    vc = ValidationContext(trust_roots=[root], allow_fetching=False, moment=fx.NOW)
    reader = PdfFileReader(BytesIO(data), strict=False)
    return all(validate_pdf_signature(sig, vc, key_usage_settings=KU).bottom_line
               for sig in reader.embedded_signatures)


def _peak(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def pair(name: str, edoc: Callable[[], object], peer: Callable[[], object], repeat: int, *,
         warm: bool = True) -> None:
    """Time ``edoc`` and ``peer`` alternately (so that load changes on a shared machine hit both alike),
    then their peak traced memory; print medians and the ratio."""
    if warm:
        edoc()
        peer()
    times: dict[str, list[float]] = {"edoc": [], "peer": []}
    for _ in range(repeat):
        for key, fn in (("edoc", edoc), ("peer", peer)):
            gc.collect()  # the garbage of the previous run (200 pages: ~10^5 PDF objects) is not this run's
            t = time.perf_counter()
            fn()
            times[key].append((time.perf_counter() - t) * 1000)
    e, p = statistics.median(times["edoc"]), statistics.median(times["peer"])
    print(f"{name:34} edoc {e:9.1f} ms {_peak(edoc):7.1f} MiB | pyhanko {p:9.1f} ms "
          f"{_peak(peer):7.1f} MiB | ratio {e / p:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1000, help="documents in the batch (default 1000)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    pki = fx.vpki.__wrapped__()  # type: ignore[attr-defined]
    root_asn1 = pki.root.asn1_cert
    # revocation is required for TOTAL_PASSED (issue 12 §6): offline, from the root's current CRL given here
    crl = [fx.make_crl(pki, [])]
    verifier = Verifier(trust=[pki.root.cert], at=fx.NOW, online=False, revocation_data=crl)
    for pages in (1, 200):
        doc = fx.sign(fx.sign(fx.make_pdf(pages), pki.person, pki, field="edoc.sig.person"),
                      pki.agency, pki, field="edoc.sig.agency")
        assert verifier.verify_pdf(doc).verdict is Indication.TOTAL_PASSED and pyhanko_verify(doc, root_asn1)
        fresh = lambda d=doc: Verifier(  # noqa: E731
            trust=[pki.root.cert], at=fx.NOW, online=False, revocation_data=crl).verify_pdf(d)
        peer = lambda d=doc: pyhanko_verify(d, root_asn1)  # noqa: E731
        pair(f"{pages}-page, 2 signatures (fresh)", fresh, peer, args.repeat)
        pair(f"{pages}-page, 2 signatures (reused)", lambda d=doc: verifier.verify_pdf(d), peer, args.repeat)

    t = time.perf_counter()
    base = fx.make_pdf(1)
    batch = [fx.sign(base, pki.person, pki, field="edoc.sig.person") for _ in range(args.batch)]
    print(f"(signed {args.batch} documents for the batch in {time.perf_counter() - t:.1f} s)")

    def edoc_batch() -> None:
        v = Verifier(trust=[pki.root.cert], at=fx.NOW, online=False, revocation_data=crl)
        assert all(v.verify_pdf(d).verdict is Indication.TOTAL_PASSED for d in batch)

    def pyhanko_batch() -> None:
        assert all(pyhanko_verify(d, root_asn1) for d in batch)

    pair(f"batch of {args.batch}, same signer", edoc_batch, pyhanko_batch, 1, warm=False)
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
