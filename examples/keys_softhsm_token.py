"""Sign with a key on a PKCS#11 token (a SoftHSM2 token made by scripts/softhsm-setup.sh).

Runs from the repo root: ``.venv/bin/python examples/keys_softhsm_token.py``. Without SoftHSM2 installed it
says so and exits 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    if not (shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")):
        print("SoftHSM2 is not installed (scripts/setup-system.sh installs it); nothing to show")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["bash", str(ROOT / "scripts" / "softhsm-setup.sh"), tmp], check=True,
                             capture_output=True, text=True, env=dict(os.environ, PYTHON=sys.executable)).stdout
        settings = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        os.environ["SOFTHSM2_CONF"] = settings["SOFTHSM2_CONF"]  # before the module is loaded
        os.environ["EDOC_TOKEN_PIN"] = "1234"  # noqa: S105 - the test token PIN of softhsm-setup.sh
        module = settings["PKCS11_MODULE"]

        from edoc.keys import AmbiguousKey, open_key
        from edoc.keys.pkcs11 import describe_tokens
        from edoc.keys.uri import parse_key_uri

        for token in describe_tokens(parse_key_uri(f"pkcs11:?module-path={module}")):  # no login
            print(f"token {token.label!r}: {len(token.objects)} public objects")

        # the only key on a token whose label is Vietnamese (percent-encoding is optional for UTF-8 text)
        uri = f"pkcs11:token=UBND Thuận Nam?module-path={module}&pin-source=env:EDOC_TOKEN_PIN"
        with open_key(uri) as key:  # one login for the whole batch
            for i in range(3):
                key.sign(f"văn bản {i}".encode())
            print(f"{key.info().organization}: 3 signatures with {key.default_algorithm}")

        try:
            open_key(f"pkcs11:token=edoc-test?module-path={module}&pin-source=env:EDOC_TOKEN_PIN")
        except AmbiguousKey as exc:
            print(f"two keys on edoc-test, name one: {list(exc.candidates)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
