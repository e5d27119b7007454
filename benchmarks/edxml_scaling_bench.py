"""Time per MB of edoc's edXML reader paths on hostile shapes from 1 to 100 MB, beside a bare lxml parse.

Issue 13 class 8: every reader path (read, show, validate, schema checks, findings) must be linear in time and
bounded in memory. For each shape a message of about N MB is written (the sample decision's message with the
shape injected), then each case runs in a fresh interpreter so its peak memory is its own:

- ``lxml``: ``etree.parse(huge_tree=True)`` of the file, the peer (a tree of everything, no limits);
- ``read``: ``read_edxml(path)`` with the default ``ReadLimits`` (what ``edoc edxml show`` does);
- ``validate``: ``validate(path)``, default limits (what ``edoc edxml validate`` does: read, XSD, rules);
- ``read-lifted`` / ``validate-lifted`` (``--lifted``): the same with every count and text limit lifted, to
  show the algorithm itself stays linear where the defaults would refuse the input early.

Shapes: ``siblings`` (``<edXML:Place/>`` repeated), ``attrs-one-tag`` (one start tag with N MB of
attributes), ``attrs-spread`` (ten attributes on each of many elements), ``newlines`` (blank lines between
elements), ``comment`` (one comment of N MB, lines of 80 characters), ``nesting`` (blocks of elements 60 deep,
in a placeholder signature), ``text`` (one metadata element holding N MB of text), ``base64`` (an attachment of
N MB of base64 wrapped at 76 columns).

The table gives seconds and seconds per MB for each case, the ratio to lxml, the outcome (``ok`` with the
number of findings, or the refusal), and the growth of the peak resident set (``VmHWM``) over the size after
imports. What matters is the shape of each row from 1 to 100 MB: a flat s/MB (or a refusal in constant time),
and memory that does not follow the file. No timing is asserted anywhere; quote the load (``uptime``) with
any number.

Run: ``.venv/bin/python benchmarks/edxml_scaling_bench.py [--sizes 1,3,10,30,100] [--shapes siblings,…]
[--lifted] [--lifted-max 10]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MB = 1_000_000


def _status_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in KiB (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status (Linux only)")


def _base() -> bytes:
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    return edxml_bytes(thuan_nam_decision())


def _repeat(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def _inject(base: bytes, anchor: bytes, piece: bytes, *, after: bool = True) -> bytes:
    at = base.index(anchor) + (len(anchor) if after else 0)
    return base[:at] + piece + base[at:]


def _siblings(base: bytes, size: int) -> bytes:
    return _inject(base, b"<edXML:ToPlaces>", _repeat(b"<edXML:Place/>\n", size))


def _attrs_one_tag(base: bytes, size: int) -> bytes:
    attrs = b" ".join(b'a%d="v"' % i for i in range(max(1, size // 10)))
    return base.replace(b"<edXML:Subject>", b"<edXML:Subject " + attrs + b">", 1)


def _attrs_spread(base: bytes, size: int) -> bytes:
    one = b"<edXML:Place " + b" ".join(b'a%d="v"' % i for i in range(10)) + b"/>\n"
    return _inject(base, b"<edXML:ToPlaces>", _repeat(one, size))


def _newlines(base: bytes, size: int) -> bytes:
    return _inject(base, b"</edXML:edXMLEnvelope>", b"\n" * size)


def _comment(base: bytes, size: int) -> bytes:
    return _inject(base, b"</edXML:edXMLEnvelope>", b"<!--" + _repeat(b"c" * 79 + b"\n", size) + b"-->")


def _nesting(base: bytes, size: int) -> bytes:
    block = b"<n>" * 60 + b"x" + b"</n>" * 60 + b"\n"
    return _inject(base, b"</edXML:edXMLHeader>", b"<Signature>" + _repeat(block, size) + b"</Signature>",
                   after=False)


def _text(base: bytes, size: int) -> bytes:
    return _inject(base, b"<edXML:Content>", _repeat("Nội dung văn bản ".encode(), size))


def _base64(base: bytes, size: int) -> bytes:
    payload = base64.encodebytes(os.urandom(size * 3 // 4))
    attachment = (b"<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId><AttachmentName>a.pdf"
                  b"</AttachmentName><ContentType>application/pdf</ContentType><ContentTransferEncoded>"
                  + payload + b"</ContentTransferEncoded></Attachment></AttachmentEncoded>")
    manifest = (b"<edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId><edXML:ContentType>application/pdf"
                b"</edXML:ContentType><edXML:AttachmentName>a.pdf</edXML:AttachmentName></edXML:Reference>")
    data = _inject(base, b'<edXML:edXMLManifest version="1.0">', manifest)
    return _inject(data, b"</edXML>", attachment, after=False)


SHAPES: dict[str, Callable[[bytes, int], bytes]] = {
    "siblings": _siblings, "attrs-one-tag": _attrs_one_tag, "attrs-spread": _attrs_spread,
    "newlines": _newlines, "comment": _comment, "nesting": _nesting, "text": _text, "base64": _base64,
}


def run_case(case: str, path: Path) -> dict[str, object]:
    """One case in this (fresh) process: seconds, outcome and peak memory growth."""
    from lxml import etree

    from edoc.edxml import ReadLimits, read_edxml, validate
    from edoc.errors import EdocError

    lifted = ReadLimits(max_elements=10**9, max_depth=10**4, max_attributes=10**9, max_start_tag=1 << 31,
                        max_text=1 << 31, max_text_total=1 << 31)
    limits = lifted if case.endswith("-lifted") else ReadLimits()
    base = _status_kib("VmRSS")
    t0 = time.perf_counter()
    try:
        if case == "lxml":
            tree = etree.parse(str(path), etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True))
            outcome = f"ok ({sum(1 for _ in tree.iter())} nodes)"
        elif case.startswith("read"):
            result = read_edxml(path, limits=limits)
            outcome = f"ok ({len(result.findings)} findings)"
        else:
            findings = validate(path, limits=limits)
            outcome = f"ok ({len(findings)} findings)"
    except EdocError as exc:
        outcome = f"{type(exc).__name__}: {exc.message}"
    except etree.LxmlError as exc:
        outcome = f"lxml: {exc}"
    seconds = time.perf_counter() - t0
    return {"s": seconds, "outcome": outcome[:70], "peak_mib": (_status_kib("VmHWM") - base) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,3,10,30,100", help="sizes in MB, comma-separated")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--lifted", action="store_true", help="also run read/validate with the limits lifted")
    ap.add_argument("--lifted-max", type=float, default=10, help="largest size (MB) for the lifted cases")
    ap.add_argument("--case")
    ap.add_argument("path", nargs="?")
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.path))))
        return
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs; one run per case, "
          "each in a fresh process")
    base = _base()
    sizes = [float(s) for s in args.sizes.split(",")]
    for shape in args.shapes.split(","):
        print(f"\n== {shape}")
        print(f"{'MB':>6} {'case':<16}{'s':>8}{'s/MB':>8}{'× lxml':>8}{'peak MiB':>10}  outcome")
        for mb in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"{shape}.edxml"
                path.write_bytes(SHAPES[shape](base, int(mb * MB)))
                real_mb = path.stat().st_size / MB
                cases = ["lxml", "read", "validate"]
                if args.lifted and mb <= args.lifted_max:
                    cases += ["read-lifted", "validate-lifted"]
                bare = None
                for case in cases:
                    out = subprocess.run([sys.executable, __file__, "--case", case, str(path)], check=True,
                                         capture_output=True, text=True).stdout
                    r = json.loads(out)
                    seconds = float(r["s"])
                    bare = seconds if case == "lxml" else bare
                    ratio = f"{seconds / bare:8.2f}" if bare else f"{'':>8}"
                    print(f"{real_mb:6.1f} {case:<16}{seconds:8.3f}{seconds / real_mb:8.3f}{ratio}"
                          f"{float(r['peak_mib']):10.1f}  {r['outcome']}", flush=True)


if __name__ == "__main__":
    main()
