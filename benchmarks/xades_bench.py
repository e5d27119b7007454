"""XAdES-B-B signature and verification of an edXML message with a 20 MiB attachment: edoc vs python-xmlsec,
same run.

Run from the repo root: ``.venv/bin/python benchmarks/xades_bench.py [MiB]``. Each measurement runs in a fresh
forked child (best time of 5, the edoc and xmlsec runs alternating; peak RSS growth = the child's high-water
mark minus its size at the start, so lxml's and OpenSSL's allocations count too), then prints the ratios.

- sign: both sign the same file with the same RSA-2048 key (PKCS#1 v1.5, SHA-256, enveloped + exclusive
  C14N) and write the signed file; xmlsec signs a plain enveloped template (no XAdES properties), the lower
  bound of what it has to do. edoc's write is atomic (temporary file, fsync, rename); xmlsec's is a plain
  write, so edoc pays the fsync.
- verify: both verify the same edoc-signed file. edoc: :func:`edoc.verify.xmldsig.verify_xml` (the envelope
  signature: structure and wrapping rules, both digests, the signature value, the certificate path to a
  trust anchor, the XAdES signing time). xmlsec: parse with lxml (``huge_tree``), register the
  ``SignedProperties`` Id, verify with the signer's certificate as the key (no path validation).
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


def _edoc_verify(signed: Path, folder: Path) -> None:
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    from edoc.verify.xmldsig import verify_xml

    def cert(name: str) -> x509.Certificate:
        return x509.Certificate.load(pem.unarmor((folder / f"{name}.cert.pem").read_bytes())[2])

    ctx = ValidationContext(trust_roots=[cert("gov-root")], other_certs=[cert("state-bodies")],
                            allow_fetching=False, revocation_mode="soft-fail")
    report = verify_xml(signed, context=ctx)
    assert report.signatures[0].integrity.value == "passed", report.problems()


def _xmlsec_verify(signed: Path, folder: Path) -> None:
    import xmlsec

    from edoc.util.xml import parse_xml

    root = parse_xml(signed, huge_tree=True).getroot()
    sig = root.find("{*}edXMLEnvelope/{*}edXMLHeader/{http://www.w3.org/2000/09/xmldsig#}Signature")
    for node in sig.iter("{http://uri.etsi.org/01903/v1.3.2#}SignedProperties"):
        xmlsec.tree.add_ids(node, ["Id"])
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(str(folder / "agency-rsa.cert.pem"), xmlsec.KeyFormat.CERT_PEM)
    ctx.verify(sig)


_TASKS = {"edoc": _edoc, "xmlsec": _xmlsec, "edoc-verify": _edoc_verify, "xmlsec-verify": _xmlsec_verify}


def _child(name: str, args: tuple[Path, ...], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    fn = _TASKS[name]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        fn(*args)  # type: ignore[operator]
    except BaseException as exc:
        queue.put((float("nan"), 0))
        raise SystemExit(f"{name}: {type(exc).__name__}: {exc}") from exc
    ms = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((ms, (after - before) * 1024))


_RUNS = 5


def _once(name: str, args: tuple[Path, ...]) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    proc = ctx.Process(target=_child, args=(name, args, queue))
    proc.start()
    ms, grow = queue.get()
    proc.join()
    if proc.exitcode:
        raise SystemExit(f"{name} failed (exit {proc.exitcode})")
    return ms, grow


def _compare(a: str, a_args: tuple[Path, ...], b: str, b_args: tuple[Path, ...]
             ) -> tuple[tuple[float, int], tuple[float, int]]:
    """Best time and largest RSS growth of each, the runs alternating (the machine is shared: load drifts)."""
    best = {a: float("inf"), b: float("inf")}
    peak = {a: 0, b: 0}
    for _ in range(_RUNS):
        for name, args in ((a, a_args), (b, b_args)):
            ms, grow = _once(name, args)
            best[name], peak[name] = min(best[name], ms), max(peak[name], grow)
    return (best[a], peak[a]), (best[b], peak[b])


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    # warm both libraries in the parent so the children's RSS growth is the signing work
    import asn1crypto.pem  # noqa: F401
    import lxml.etree  # noqa: F401
    import pyhanko_certvalidator  # noqa: F401
    import xmlsec  # noqa: F401

    import edoc.keys
    import edoc.sign.xades
    import edoc.verify.xmldsig  # noqa: F401
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        message, key_pem, cert_pem = _make(folder, mib)
        size = message.stat().st_size
        (edoc_ms, edoc_mem), (xs_ms, xs_mem) = _compare(
            "edoc", (message, key_pem, cert_pem, folder / "edoc.edxml"),
            "xmlsec", (message, key_pem, cert_pem, folder / "xmlsec.edxml"))
        print(f"message: {size / 2**20:.1f} MiB")
        print("-- sign (XAdES-B-B) --")
        print(f"edoc sign_edxml  : {edoc_ms:8.1f} ms   peak RSS growth {edoc_mem / 2**20:7.1f} MiB "
              f"({edoc_mem / size:.2f}x file)")
        print(f"python-xmlsec    : {xs_ms:8.1f} ms   peak RSS growth {xs_mem / 2**20:7.1f} MiB "
              f"({xs_mem / size:.2f}x file)")
        print(f"ratio edoc/xmlsec: time {edoc_ms / xs_ms:.2f}x, memory {edoc_mem / max(xs_mem, 1):.2f}x")
        signed = folder / "edoc.edxml"
        (ev_ms, ev_mem), (xv_ms, xv_mem) = _compare("edoc-verify", (signed, folder), "xmlsec-verify", (signed, folder))
        print("-- verify (same edoc-signed file) --")
        print(f"edoc verify_xml  : {ev_ms:8.1f} ms   peak RSS growth {ev_mem / 2**20:7.1f} MiB "
              f"({ev_mem / size:.2f}x file)")
        print(f"python-xmlsec    : {xv_ms:8.1f} ms   peak RSS growth {xv_mem / 2**20:7.1f} MiB "
              f"({xv_mem / size:.2f}x file)")
        print(f"ratio edoc/xmlsec: time {ev_ms / xv_ms:.2f}x, memory {ev_mem / max(xv_mem, 1):.2f}x")
        print(f"targets: sign time <= 1.0x: {'met' if edoc_ms <= xs_ms else 'NOT met'}; sign memory <= 1.5x file: "
              f"{'met' if edoc_mem <= 1.5 * size else 'NOT met'}; verify time <= 1.0x: "
              f"{'met' if ev_ms <= xv_ms else 'NOT met'}")


if __name__ == "__main__":
    main()
