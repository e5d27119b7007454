"""The error tree: one root, builtin bases, context attributes, messages in two languages."""

from __future__ import annotations

import pytest

from edoc.errors import (
    EXIT_CODES,
    EdocError,
    HostileInput,
    InvalidInput,
    KeyBackendError,
    MalformedFile,
    MissingDependency,
    Problem,
    ResourceError,
    UnsupportedFeature,
    ValidationError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (InvalidInput, ValueError),
        (MalformedFile, ValueError),
        (HostileInput, ValueError),
        (ValidationError, ValueError),
        (UnsupportedFeature, NotImplementedError),
        (ResourceError, OSError),
        (KeyBackendError, RuntimeError),
        (MissingDependency, ImportError),
    ],
)
def test_every_error_is_an_edoc_error_and_its_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, EdocError) and issubclass(cls, builtin)


def test_context_attributes_and_where() -> None:
    err = MalformedFile("not well-formed XML", path="a.edxml", line=7, field="edXML:Code")
    assert (err.path, err.line, err.field) == ("a.edxml", 7, "edXML:Code")
    assert str(err) == "a.edxml:7: edXML:Code: not well-formed XML"


def test_vietnamese_description_by_default() -> None:
    err = InvalidInput("bad value", message_vi="Giá trị sai", field="number")
    assert err.describe("vi") == "number: Giá trị sai"
    assert err.describe("en") == "number: bad value"
    generic = HostileInput("entity declared")
    assert generic.describe("vi").startswith("Dữ liệu bị từ chối")


def test_validation_error_lists_problems() -> None:
    err = ValidationError("invalid", [Problem("a", "x"), Problem("b", "y", line=3)])
    assert [p.field for p in err.problems] == ["a", "b"]
    assert "a: x" in str(err) and "b (line 3): y" in str(err)


def test_missing_dependency_names_the_extra() -> None:
    err = MissingDependency("python-pkcs11", "pkcs11")
    assert "edoc[pkcs11]" in str(err) and "edoc[pkcs11]" in err.describe("vi")


def test_key_backend_error_names_the_backend() -> None:
    err = KeyBackendError("wrong PIN", backend="pkcs11:token=edoc-test")
    assert str(err).startswith("pkcs11:token=edoc-test")


def test_exit_codes_are_distinct_for_each_class() -> None:
    codes = [v for k, v in EXIT_CODES.items() if k[0].isupper()]
    assert len(codes) == len(set(codes))
    assert {0, 1, 2, 3}.isdisjoint(codes)
