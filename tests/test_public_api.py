"""The curated public namespace is pinned: a change to it is a deliberate API change."""

import edoc

EXPECTED = {
    "__version__",
    "EdocError", "HostileInput", "InvalidInput", "KeyBackendError", "MalformedFile", "MissingDependency",
    "Problem", "ResourceError", "UnsupportedFeature", "ValidationError",
    "Appendix", "Attachment", "Authority", "Business", "BusinessType", "Document", "DocumentType", "Heading",
    "HeadingLevel", "Organ", "Paragraph", "Point", "Priority", "ResponseFor", "Secrecy", "Signer",
    "StaffInfo", "StatusCode", "StatusMessage", "SteeringType", "Table", "TraceHeader",
    "dumps_document", "load_document", "loads_document", "save_document",
    "read_edxml", "write_edxml", "validate_edxml", "open_key", "render_pdf", "check_pdfa", "verify_file",
    "approve", "issue", "sign_pdf",
}


def test_public_names_are_pinned() -> None:
    assert set(edoc.__all__) == EXPECTED
    for name in edoc.__all__:
        assert hasattr(edoc, name), name


def test_import_edoc_does_not_load_the_heavy_layers() -> None:
    import subprocess
    import sys

    code = "import sys, edoc; print(any(m.split('.')[0] in ('pyhanko', 'fpdf', 'pkcs11') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_lazy_names_resolve_to_the_layer_functions() -> None:
    from edoc.edxml import validate
    from edoc.sign import sign

    assert edoc.validate_edxml is validate and edoc.sign_pdf is sign
