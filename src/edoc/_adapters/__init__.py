"""Adapters: the only places where edoc reaches into a dependency's internals.

**The adapter rule.** edoc uses pyHanko, pypdf and fpdf2 through their documented API. Where that API is not
enough (a measured bottleneck, a missing hook), the code that touches the library's private names,
undocumented modules or internal call order lives in *one* module per library here, and nowhere else:

- :mod:`edoc._adapters.pyhanko` — pyHanko and pyhanko-certvalidator;
- :mod:`edoc._adapters.pypdf` — pypdf;
- ``edoc._adapters.fpdf2`` — fpdf2's font internals.

Each adapter module says in its docstring which versions it was written for (the same range as the
dependency's bound in ``pyproject.toml``), lists every private name it uses and why, and keeps that list in a
constant its tests read. Its tests (``tests/adapters/``) fail loudly on an upgrade that breaks it: they check
that the installed version is inside the range and that each private name still exists with the shape the
adapter relies on (signature, attributes). Upgrading a dependency therefore means: widen the range, run the
adapter tests, fix the adapter — the rest of edoc does not change. A change elsewhere in edoc that needs a
dependency's internals adds a function here (with its entry in the list and a test) instead of reaching in
where it is.

Adapters are private (``edoc._adapters``): nothing here is public API, and callers inside edoc import the
functions they need, never the dependency's private names themselves.
"""
