#!/usr/bin/env bash
# Build the documentation site into site/ with `mkdocs build --strict` (no broken link, every public name
# documented), after installing edoc with its `docs` extra into the repository's .venv.
#
#   bash scripts/docs.sh            # build site/ (open site/index.html in a browser)
#   bash scripts/docs.sh serve      # live preview on http://127.0.0.1:8000
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[docs]'
export NO_MKDOCS_2_WARNING=1   # Material's banner about its successor; not a problem of this site
if [ "${1:-build}" = serve ]; then
  exec .venv/bin/mkdocs serve
fi
.venv/bin/mkdocs build --strict --site-dir "${EDOC_SITE_DIR:-$ROOT/site}"
echo "site built: ${EDOC_SITE_DIR:-$ROOT/site}/index.html"
