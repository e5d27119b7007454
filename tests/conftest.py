"""Root conftest: registers the shared test PKI, live PKI services and SoftHSM2 fixtures (tests/pki)."""

import os
import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # so that `import pki` works under every pytest import mode
    sys.path.insert(0, _TESTS)

pytest_plugins = ["pki.fixtures"]

# The suite expects the default language (Vietnamese) whatever the developer's locale; the choice of language
# by --lang, EDOC_LANG and the locale is tested in tests/cli/test_i18n.py.
os.environ["EDOC_LANG"] = "vi"
