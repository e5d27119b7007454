"""edXML build and read-back of a message with a 20 MiB attachment, beside bare lxml on the same file.

Each case runs in a fresh interpreter (``python edxml_bench.py --case NAME FILE``) so its peak memory is its
own: the child notes its resident set (``VmRSS``) after imports, runs the case ``REPEAT`` times, and reports
the median time and the growth of its peak resident set (``VmHWM``) over that baseline.

Cases:
- ``lxml``: ``etree.parse(huge_tree=True)`` of the message + ``tree.write`` to a file (the bare figure);
- ``build``: ``write_edxml`` of the document (attachment streamed from its file) to a path (atomic: temp file,
  fsync, rename), and ``build-nofsync`` into an open file;
- ``read``: ``read_edxml(extract_to=DIR)``: parse, stream-decode and write the attachment to disk;
- ``build-stdlib``, ``read-stdlib``: the same with the standard library's base64 instead of pybase64.

Run: ``.venv/bin/python benchmarks/edxml_bench.py [--mib 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5


def _status_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in KiB. Unlike ``ru_maxrss``, which Linux
    carries over from the parent across fork+exec, ``VmHWM`` belongs to this process image alone."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status (Linux only)")


def _document(attachment: Path):  # type: ignore[no-untyped-def]
    from edoc.model import Attachment
    from edoc.samples import thuan_nam_decision

    return thuan_nam_decision().replace(
        attachments=(Attachment(name="05-QD-UBND.pdf", path=attachment, content_type="application/pdf"),))


def run_case(case: str, folder: Path) -> dict[str, float]:
    message = folder / "message.edxml"
    attachment = folder / "attachment.pdf"
    if case.endswith("-stdlib"):  # the same case with the standard library's base64 (no edoc[fast])
        import edoc.edxml.reader
        import edoc.edxml.writer
        from edoc.edxml import _b64

        edoc.edxml.reader.b64decode_strict = _b64.std_b64decode_strict  # type: ignore[attr-defined]
        edoc.edxml.writer.b64encode = _b64.std_b64encode  # type: ignore[attr-defined]
        case = case.removesuffix("-stdlib")
    if case == "lxml":
        from lxml import etree

        def once() -> None:
            tree = etree.parse(str(message), etree.XMLParser(huge_tree=True, resolve_entities=False))
            tree.write(str(folder / "lxml-out.xml"))
    elif case in ("build", "build-nofsync"):
        from edoc.edxml import write_edxml

        doc = _document(attachment)

        def once() -> None:
            if case == "build":
                write_edxml(doc, folder / "built.edxml")
            else:
                with open(folder / "built-nofsync.edxml", "wb") as fh:
                    write_edxml(doc, fh)
    elif case == "read":
        from edoc.edxml import read_edxml

        def once() -> None:
            result = read_edxml(message, extract_to=folder / "extracted")
            assert result.attachments[0].size == attachment.stat().st_size
    else:
        raise SystemExit(f"unknown case {case}")
    base = _status_kib("VmRSS")
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        once()
        times.append((time.perf_counter() - t0) * 1000)
    peak = _status_kib("VmHWM")
    return {"ms": statistics.median(times), "min_ms": min(times), "peak_growth_mib": (peak - base) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=20)
    ap.add_argument("--case")
    ap.add_argument("folder", nargs="?")
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.folder))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with open(folder / "attachment.pdf", "wb") as fh:
            fh.write(b"%PDF-1.7\n")
            for _ in range(args.mib):
                fh.write(os.urandom(1024 * 1024))
        from edoc.edxml import write_edxml

        write_edxml(_document(folder / "attachment.pdf"), folder / "message.edxml")
        size_mib = (folder / "message.edxml").stat().st_size / 2**20
        print(f"message: {size_mib:.1f} MiB ({args.mib} MiB attachment, base64), {REPEAT} runs per case, "
              "each case in a fresh process")
        results = {}
        for case in ("lxml", "build", "build-nofsync", "read", "build-stdlib", "read-stdlib"):
            out = subprocess.run([sys.executable, __file__, "--case", case, str(folder)], check=True,
                                 capture_output=True, text=True).stdout
            results[case] = json.loads(out)
        bare = results["lxml"]["ms"]
        print(f"{'case':<16}{'median ms':>10}{'min ms':>9}{'× lxml':>8}{'peak growth MiB':>17}{'× file':>8}")
        for case, r in results.items():
            print(f"{case:<16}{r['ms']:>10.1f}{r['min_ms']:>9.1f}{r['ms'] / bare:>8.2f}"
                  f"{r['peak_growth_mib']:>17.1f}{r['peak_growth_mib'] / size_mib:>8.2f}")
        print("targets: build and read ≤ 1.00 × lxml; peak growth ≤ 1.50 × file")
        from edoc.edxml._b64 import BACKEND

        print(f"base64 backend: {BACKEND}")


if __name__ == "__main__":
    main()
