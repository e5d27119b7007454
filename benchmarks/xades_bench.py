"""XAdES-B-B signature of an edXML message with a 20 MiB attachment: edoc vs python-xmlsec, same run.

Run from the repo root: ``.venv/bin/python benchmarks/xades_bench.py [MiB]``. Prints ms (best of 3) and the
peak memory growth (tracemalloc, Python and lxml allocations through Python's allocator are not all seen, so
the RSS high-water mark growth of a fresh child process is printed as well) and the ratios. Both sign the
same file with the same RSA-2048 key (PKCS#1 v1.5, SHA-256, enveloped + exclusive C14N); xmlsec signs a
plain enveloped template (no XAdES properties), the lower bound of what it has to do.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _make(folder: Path, mib: int) -> tuple[Path, Path, Path]:
    from edoc import Attachment
    from edoc.edxml import write_edxml
    from edoc.samples import thuan_nam_decision
    from pki import TestPKI

    TestPKI().export(folder)  # certificates and keys only; no services needed for B-B
    pdf = folder / "big.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(mib * 1024 * 1024 * 3 // 4))  # ~mib MiB once base64-encoded
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=pdf.name, path=pdf,
                                                               content_type="application/pdf"),))
    message = folder / "big.edxml"
    write_edxml(doc, message)
    return message, folder / "agency-rsa.key.pem", folder / "agency-rsa.cert.pem"


def _edoc(message: Path, key_pem: Path, cert_pem: Path, out: Path) -> None:
    from edoc.keys import open_key
    from edoc.sign.xades import sign_edxml

    with open_key(f"pem:{key_pem}?cert={cert_pem}") as key:
        sign_edxml(message, out, key=key)


def _xmlsec(message: Path, key_pem: Path, cert_pem: Path, out: Path) -> None:
    import xmlsec
    from lxml import etree

    from edoc.util.xml import parse_xml

    tree = parse_xml(message, huge_tree=True)
    root = tree.getroot()
    header = root.find("{*}edXMLEnvelope/{*}edXMLHeader")
    sig = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    header.append(sig)
    ref = xmlsec.template.add_reference(sig, xmlsec.Transform.SHA256, uri="")
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(sig))
    ctx = xmlsec.SignatureContext()
    key = xmlsec.Key.from_file(str(key_pem), xmlsec.KeyFormat.PEM)
    key.load_cert_from_file(str(cert_pem), xmlsec.KeyFormat.PEM)
    ctx.key = key
    ctx.sign(sig)
    with open(out, "wb") as fh:
        fh.write(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _child(name: str, args: tuple[Path, ...], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    fn = _edoc if name == "edoc" else _xmlsec
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    fn(*args)  # type: ignore[arg-type]
    ms = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((ms, (after - before) * 1024))


def _measure(name: str, args: tuple[Path, ...]) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    best_ms, peak = float("inf"), 0
    for _ in range(3):
        queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        proc = ctx.Process(target=_child, args=(name, args, queue))
        proc.start()
        ms, grow = queue.get()
        proc.join()
        best_ms, peak = min(best_ms, ms), max(peak, grow)
    return best_ms, peak


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    # warm both libraries in the parent so the children's RSS growth is the signing work
    import lxml.etree  # noqa: F401
    import xmlsec  # noqa: F401

    import edoc.keys
    import edoc.sign.xades  # noqa: F401
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        message, key_pem, cert_pem = _make(folder, mib)
        size = message.stat().st_size
        edoc_ms, edoc_mem = _measure("edoc", (message, key_pem, cert_pem, folder / "edoc.edxml"))
        xs_ms, xs_mem = _measure("xmlsec", (message, key_pem, cert_pem, folder / "xmlsec.edxml"))
        print(f"message: {size / 2**20:.1f} MiB")
        print(f"edoc XAdES-B-B   : {edoc_ms:8.1f} ms   peak RSS growth {edoc_mem / 2**20:7.1f} MiB "
              f"({edoc_mem / size:.2f}x file)")
        print(f"python-xmlsec    : {xs_ms:8.1f} ms   peak RSS growth {xs_mem / 2**20:7.1f} MiB "
              f"({xs_mem / size:.2f}x file)")
        print(f"ratio edoc/xmlsec: time {edoc_ms / xs_ms:.2f}x, memory {edoc_mem / max(xs_mem, 1):.2f}x")


if __name__ == "__main__":
    main()
