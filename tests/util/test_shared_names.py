"""Shared names have one home (issue 14 §4): the XML namespaces, the Vietnam time zone, the reserved field names;
renamed public names keep working under their old name with a DeprecationWarning."""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

import pytest

from edoc.util import namespaces

SRC = Path(__file__).resolve().parents[2] / "src" / "edoc"


@functools.cache
def _string_constants() -> list[tuple[Path, int, str]]:
    out = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
                out.append((path, node.lineno, value))
    return out


#: modules still spelling a namespace out, each to take it from edoc.util.namespaces (a ratchet: it only shrinks;
#: sign/xades.py is being rewritten for issue 14 §1 and changes after that lands)
PENDING = {"sign/xades.py"}


def _spelt_out(uri: str) -> set[str]:
    """Modules with a string constant that is the namespace or a qualified name in it (``{uri}local``)."""
    return {str(p.relative_to(SRC)) for p, _line, value in _string_constants()
            if (value == uri or f"{{{uri}}}" in value) and p.name != "namespaces.py"}


@pytest.mark.parametrize("name", namespaces.__all__)
def test_each_namespace_is_written_once(name: str) -> None:
    """No module spells a namespace out; it takes it from edoc.util.namespaces."""
    assert _spelt_out(getattr(namespaces, name)) <= PENDING


def test_the_pending_list_only_shrinks() -> None:
    still = set().union(*(_spelt_out(getattr(namespaces, n)) for n in namespaces.__all__))
    assert still == PENDING, f"no longer spelling a namespace out: {sorted(PENDING - still)}; drop them from PENDING"


@pytest.mark.parametrize("name", ["FIELD_PERSON", "FIELD_AGENCY", "FIELD_NUMBER", "FIELD_DATE"])
def test_reserved_field_names_have_one_home(name: str) -> None:
    """The renderer reserves the fields, the acts fill them: one definition (edoc.model.fields), the same object
    from both public packages, and no other module assigns it."""
    import edoc.pdf
    import edoc.sign

    assert getattr(edoc.sign, name) is getattr(edoc.pdf, name)
    assigned = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                for node in ast.walk(ast.parse(path.read_text("utf-8")))
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets)]
    assert assigned == ["model/fields.py"]


def test_the_edxml_reader_does_not_import_the_writer() -> None:
    """The reader takes the namespace, the status shapes and content types from modules of their own."""
    tree = ast.parse((SRC / "edxml" / "reader.py").read_text("utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "edoc.edxml.writer" not in imported and "edoc.edxml.shapes" in imported


@pytest.mark.parametrize(("module", "old", "new"), [
    ("edoc.pdfa", "Finding", "PdfaFinding"),
    ("edoc.edxml", "Finding", "EdxmlFinding"),
    ("edoc.verify", "Level", "MessageLevel"),
])
def test_renamed_public_names_still_work_with_a_warning(module: str, old: str, new: str) -> None:
    mod = importlib.import_module(module)
    assert old not in mod.__all__ and new in mod.__all__
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} is deprecated: it is now {module}.{new}"):
        value = getattr(mod, old)
    assert value is getattr(mod, new)
    with pytest.raises(AttributeError):
        mod.NoSuchName  # noqa: B018


def test_the_two_finding_classes_have_distinct_names() -> None:
    from edoc.edxml import EdxmlFinding
    from edoc.pdfa import PdfaFinding

    assert EdxmlFinding.__name__ != PdfaFinding.__name__


def test_one_certificate_loader_for_every_form(tmp_path: Path) -> None:
    """edoc.keys.certs.certificates reads each form a caller may hand over, and the verifier's public loader is
    the same function's result (PEM bundles, PKCS#7, DER, paths, loaded certificates)."""
    import datetime as dt

    from asn1crypto import cms
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from edoc.errors import MalformedFile, ResourceError
    from edoc.keys.certs import certificates, to_asn1
    from edoc.verify import load_certificates

    def make(cn: str) -> cx509.Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = cx509.Name([cx509.NameAttribute(cx509.oid.NameOID.COMMON_NAME, cn)])
        now = dt.datetime.now(dt.timezone.utc)
        return (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                .sign(key, hashes.SHA256()))

    a, b = make("A"), make("B")
    pem = a.public_bytes(serialization.Encoding.PEM) + b.public_bytes(serialization.Encoding.PEM)
    der = b.public_bytes(serialization.Encoding.DER)
    p7 = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
        "version": "v1", "digest_algorithms": [], "encap_content_info": {"content_type": "data"},
        "certificates": [to_asn1(a), to_asn1(b)], "signer_infos": []})}).dump()
    path = tmp_path / "bundle.pem"
    path.write_bytes(pem)
    sources = [a, to_asn1(b), pem, der, p7, path, str(path)]
    names = [c.subject.native["common_name"] for c in certificates(sources)]
    assert names == ["A", "B", "A", "B", "B", "A", "B", "A", "B", "A", "B"]
    assert [c.dump() for c in load_certificates(sources)] == [c.dump() for c in certificates(sources)]
    with pytest.raises(MalformedFile):
        load_certificates([b"not a certificate"])
    with pytest.raises(ResourceError):
        load_certificates([tmp_path / "missing.pem"])
    with pytest.raises(TypeError):
        load_certificates([42])  # type: ignore[list-item]
