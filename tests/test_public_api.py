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
}


def test_public_names_are_pinned() -> None:
    assert set(edoc.__all__) == EXPECTED
    for name in edoc.__all__:
        assert hasattr(edoc, name), name
