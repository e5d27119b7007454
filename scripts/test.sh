#!/usr/bin/env bash
# Set up and run edoc's full test suite on a fresh Debian machine with Python 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,pkcs11,dask]'
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
