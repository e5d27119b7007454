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


def test_the_report_renderers_are_public_in_edoc_verify() -> None:
    """The guides render reports with ``to_text``/``to_json``/``to_html`` and ``DocumentReport.to_dict``: their
    public home is ``edoc.verify`` (``edoc.verify.render`` keeps them too), and each has a docstring."""
    import edoc.verify
    import edoc.verify.render

    for name in ("to_text", "to_json", "to_html"):
        assert name in edoc.verify.__all__
        assert getattr(edoc.verify, name) is getattr(edoc.verify.render, name) and getattr(edoc.verify, name).__doc__
    assert "DocumentReport" in edoc.verify.__all__ and edoc.verify.DocumentReport.to_dict.__doc__


def test_the_guides_import_only_public_names_of_edoc_verify() -> None:
    """Every name a guide, the README or an example imports from ``edoc.verify`` (or one of its modules) is in
    ``edoc.verify.__all__``, so what the reference documents is what the guides use."""
    import ast
    import re
    from pathlib import Path

    import edoc.verify

    root = Path(__file__).resolve().parents[1]
    sources = [*(root / "docs").rglob("*.md"), root / "README.md", *(root / "examples").glob("*.py")]
    imported: dict[str, set[str]] = {}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        blocks = [text] if path.suffix == ".py" else re.findall(r"```python[^\n]*\n(.*?)```", text, re.S)
        for block in blocks:
            try:
                tree = ast.parse(block)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("edoc.verify"):
                    imported.setdefault(path.name, set()).update(a.name for a in node.names)
    assert imported, "no guide imports from edoc.verify: the check would prove nothing"
    stray = {page: sorted(names - set(edoc.verify.__all__)) for page, names in imported.items()
             if names - set(edoc.verify.__all__)}
    assert not stray, stray
