"""The pyHanko adapter (edoc._adapters.pyhanko) fails here, loudly, on an upgrade that breaks it: the installed
versions are the ones it was written for, and every private name it lists still has the shape it relies on."""

from __future__ import annotations

import importlib
import inspect

import pytest

from edoc._adapters import pyhanko as adapter


def test_installed_versions_are_the_ones_the_adapter_was_written_for() -> None:
    assert adapter.version_problems() == []


def test_the_range_matches_pyproject() -> None:
    """The adapter's range and the dependency's bound in pyproject.toml say the same thing."""
    import re
    from pathlib import Path

    project = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    dependencies = project[project.index("dependencies = ["):project.index("[project.optional-dependencies]")]
    lo, hi = adapter.PYHANKO_VERSIONS
    assert re.search(rf'"pyhanko\[[a-z,-]+\]>={re.escape(lo)},<{re.escape(hi)}"', dependencies), dependencies
    lo, hi = adapter.CERTVALIDATOR_VERSIONS
    assert f'"pyhanko-certvalidator>={lo},<{hi}"' in dependencies


@pytest.mark.parametrize(("installed", "inside"), [
    ("0.38.0", True), ("0.38.7", True), ("0.39.0", False), ("0.37.9", False), ("0.39.0rc1", False),
    ("1.0", False),
])
def test_version_check_can_fail(installed: str, inside: bool) -> None:
    assert adapter._within(installed, adapter.PYHANKO_VERSIONS) is inside


@pytest.mark.parametrize(("module", "name", "params"), adapter.PRIVATE_NAMES,
                         ids=[f"{m}.{n}" for m, n, _ in adapter.PRIVATE_NAMES])
def test_private_name_still_has_its_shape(module: str, name: str, params: tuple[str, ...] | None) -> None:
    obj = importlib.import_module(module)
    for part in name.split("."):
        assert hasattr(obj, part), f"{module}.{name} is gone: update edoc._adapters.pyhanko"
        obj = getattr(obj, part)
    if params is not None:
        target = getattr(obj, "edoc_original", obj)  # the dispatcher stands in for pyHanko's hex reader
        have = inspect.signature(target).parameters
        assert set(params) <= set(have), f"{module}.{name}{inspect.signature(target)} lacks {params}"


def test_read_object_still_calls_the_hex_reader_by_its_module_name() -> None:
    """The dispatcher only takes effect because ``read_object`` looks the reader up as a module global."""
    from pyhanko.pdf_utils import generic

    assert "read_hex_string_from_stream" in generic.read_object.__code__.co_names


def test_readers_read_objects_from_the_stream_they_were_given() -> None:
    """pyHanko's reader and incremental writer keep edoc's stream (the dispatch is by stream type)."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(100, 100)
    writer.write(out)
    data = out.getvalue()
    assert type(adapter.reader(data).stream) is adapter.FastHexStream
    assert type(adapter.incremental_writer(data).prev.stream) is adapter.FastHexStream
