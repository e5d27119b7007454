"""archive build --tsa: signatures raised to B-LTA with the live test TSA, original bytes kept as a prefix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_build_with_tsa_augments_to_lta(tmp_path: Path, pki: Any, pki_files: Path, frozen_now: Any) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from edoc.archive import ArchivePolicy, build_archive, read_events
    from edoc.archive.policy import tsa_steps
    from edoc.pdf import render_pdf
    from edoc.samples import thuan_nam_decision
    from edoc.sign import KeySessionFactory, sign
    from pki import pem_uri

    src = tmp_path / "in"
    src.mkdir()
    render_pdf(thuan_nam_decision(), tmp_path / "draft.pdf")
    session = KeySessionFactory(pem_uri(pki_files, "agency-rsa")).open()
    signed = sign(tmp_path / "draft.pdf", session=session).save(src / "qd-05.pdf")
    original = signed.read_bytes()

    trust = tuple(str(pki_files / f) for f in ("gov-root.cert.pem", "national-root.cert.pem",
                                                "public-ca.cert.pem"))
    augment, stamp = tsa_steps(f"{pki.url_prefix}/vn-test/tsa/tsa", trust)
    policy = ArchivePolicy(trust=trust, augment=augment, timestamper=stamp)
    summary = build_archive([src], tmp_path / "archive", policy=policy, jobs=0)
    assert (summary.archived, summary.rejected, summary.failed) == (1, 0, 0), (
        (tmp_path / "archive" / "outcomes.jsonl").read_text())

    archived = next((tmp_path / "archive").rglob("data/**/qd-05.pdf"))
    data = archived.read_bytes()
    assert data.startswith(original) and len(data) > len(original)
    kinds = [s.sig_object.get("/Type") for s in PdfFileReader(archived.open("rb")).embedded_signatures]
    assert kinds[-1] == "/DocTimeStamp"
    package = next(p for p in archived.parents if (p / "bagit.txt").exists())
    events = [e.get("eventType") for e in read_events(package)]
    assert any("augment" in str(e) for e in events), events
    assert "pending" not in json.dumps(read_events(package))


def test_a_long_batch_fetches_revocation_for_new_chains(tmp_path: Path, pki: Any, pki_files: Path,
                                                        frozen_now: Any) -> None:
    """The validation context of the B-LTA step lives as long as the worker: a document of another chain met
    a minute into the batch has its OCSP/CRL fetched then, and must not be refused as "too recent" for the
    moment the context was made."""
    import datetime as dt

    from edoc.archive.policy import tsa_steps
    from edoc.pdf import render_pdf
    from edoc.samples import thuan_nam_decision
    from edoc.sign import KeySessionFactory, sign
    from pki import pem_uri

    render_pdf(thuan_nam_decision(), tmp_path / "draft.pdf")
    docs = {}
    for label in ("agency-rsa", "person-rsa"):  # two chains: state-bodies (gov root), public-ca (national root)
        session = KeySessionFactory(pem_uri(pki_files, label)).open()
        docs[label] = sign(tmp_path / "draft.pdf", session=session).save(tmp_path / f"{label}.pdf")
    trust = tuple(str(pki_files / f) for f in ("gov-root.cert.pem", "national-root.cert.pem", "public-ca.cert.pem",
                                                "state-bodies.cert.pem"))
    augment, _stamp = tsa_steps(f"{pki.url_prefix}/vn-test/tsa/tsa", trust)
    augment(docs["agency-rsa"], tmp_path / "a-lta.pdf")
    frozen_now.shift(dt.timedelta(minutes=1))
    result = augment(docs["person-rsa"], tmp_path / "p-lta.pdf")
    assert result.level == "B-LTA"
