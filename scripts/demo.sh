#!/usr/bin/env bash
# Set up edoc in a virtual environment and run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh --demo
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/edoc demo "$@"
