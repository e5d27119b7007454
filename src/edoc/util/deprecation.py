"""Deprecated public names: old names kept working for a while, with a warning that names the new one.

edoc's deprecation policy: a public name (one in the ``__all__`` of ``edoc`` or of a package directly under it)
that is renamed stays importable under its old name, with a :class:`DeprecationWarning`, for at least one minor
release; it leaves ``__all__`` at once (so the reference documents the new name only) and is listed under
"Deprecated" in the changelog.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["renamed"]


def renamed(module: str, namespace: Mapping[str, Any], names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that answers each old name of ``names`` (old → new) with the object now
    called new, warning that the old name is deprecated; any other name raises :class:`AttributeError`.

    ``module`` is the module's ``__name__``, ``namespace`` its ``globals()``.
    """

    def __getattr__(name: str) -> Any:
        new = names.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} is deprecated: it is now {module}.{new}", DeprecationWarning, stacklevel=2)
        return namespace[new]

    return __getattr__
