#!/usr/bin/env bash
# The package as users install it: build the wheel and the sdist, check them (twine), install the WHEEL
# without extras into a fresh virtual environment, and run every command a plain install promises on the
# demo's files, from a folder outside the source tree. Exits non-zero at the first step that fails.
#
#   scripts/smoke-wheel.sh WORKDIR        (BUILD_PYTHON: a Python with `build` and `twine`, default .venv)
#
# Used by .ci/run and by tests/test_packaging.py.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mkdir -p "$1" && cd "$1" && pwd)
PY=${PYTHON:-python3}
BUILDER=${BUILD_PYTHON:-$ROOT/.venv/bin/python}
export EDOC_LANG=en EDOC_TRUST_DIR="$WORK/trust" DEMO_PASSWORD=demo
fail() { echo "smoke-wheel: FAILED: $*" >&2; exit 1; }
step() { echo "smoke-wheel: $*"; }
expect() {  # expect CODE command...: run, and fail unless it exits with CODE
  local want=$1; shift
  local got=0
  "$@" >"$WORK/last.out" 2>"$WORK/last.err" || got=$?
  if [ "$got" != "$want" ]; then
    cat "$WORK/last.out" "$WORK/last.err" >&2
    fail "exit $got (expected $want): $*"
  fi
  if grep -q "Traceback" "$WORK/last.err"; then cat "$WORK/last.err" >&2; fail "traceback: $*"; fi
}

step "build wheel and sdist"
rm -rf "$WORK/dist" "$WORK/venv" "$WORK/run" "$WORK/trust"
"$BUILDER" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; fail "build"; }
"$BUILDER" -m twine check --strict "$WORK"/dist/* || fail "twine check"
WHEEL=$(ls "$WORK"/dist/*.whl)

step "every data file the code reads is in the wheel"
"$BUILDER" - "$WHEEL" "$ROOT/src/edoc/data" <<'PY' || fail "data files missing from the wheel"
import sys, zipfile
from pathlib import Path
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
data = Path(sys.argv[2])
wanted = {"edoc/py.typed"} | {f"edoc/data/{p.relative_to(data).as_posix()}" for p in data.rglob("*")
                              if p.is_file() and "__pycache__" not in p.parts}
missing = sorted(wanted - names)
print("\n".join(f"  missing: {m}" for m in missing) or f"  {len(wanted)} data files present")
sys.exit(1 if missing else 0)
PY

step "fresh venv, the wheel without extras"
"$PY" -m venv "$WORK/venv"
{ "$WORK/venv/bin/python" -m pip install -q --upgrade pip && "$WORK/venv/bin/python" -m pip install -q "$WHEEL"; } \
  >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; fail "pip install of the wheel"; }
E="$WORK/venv/bin/edoc"
VPY="$WORK/venv/bin/python"
mkdir -p "$WORK/run"
cd "$WORK/run"   # nothing of the source tree on the path

step "every module a plain install reaches imports (optional extras raise MissingDependency)"
"$VPY" - <<'PY' || fail "a module of the plain install does not import"
import importlib, pkgutil, sys
import edoc
from edoc.errors import MissingDependency
assert "site-packages" in edoc.__file__, edoc.__file__
bad = []
for m in pkgutil.walk_packages(edoc.__path__, "edoc."):
    if m.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(m.name)
    except MissingDependency:
        pass
    except ImportError as exc:
        bad.append(f"{m.name}: {exc}")
print("\n".join(bad) or "  all modules import")
sys.exit(1 if bad else 0)
PY

step "commands on the demo's files"
KEY="pkcs12:demo/demo-keys/person.p12?pin-source=env:DEMO_PASSWORD"
ROOTCERT=demo/demo-keys/demo-root.pem
expect 0 "$E" --version
expect 0 "$E" --help
expect 0 "$E" demo -o demo
expect 0 "$E" verify demo/quyet-dinh.pdf --trust "$ROOTCERT"
expect 0 "$E" verify demo/quyet-dinh.edxml demo/quyet-dinh.pdf --trust "$ROOTCERT" --format html -o report.html
expect 0 "$E" render demo/quyet-dinh.yaml -o render.pdf
expect 0 "$E" pdfa check render.pdf
expect 0 "$E" edxml build demo/quyet-dinh.yaml -o built.edxml
expect 0 "$E" edxml validate demo/quyet-dinh.edxml
expect 0 "$E" edxml show demo/quyet-dinh.edxml --extract extracted
expect 0 "$E" edxml status demo/quyet-dinh.edxml --code 01 -o status.edxml
expect 0 "$E" keys show --key "$KEY"
expect 0 "$E" keys test --key "$KEY"
expect 0 "$E" sign pdf demo/quyet-dinh-du-thao.pdf -o signed.pdf --key "$KEY"
# a B-B signature carries no revocation data: the demo CA's CRL is given (its certificates name no live server)
CRL=demo/demo-keys/demo-root.crl
expect 0 "$E" verify signed.pdf --trust "$ROOTCERT" --revocation-data "$CRL"
expect 0 "$E" sign edxml built.edxml -o signed.edxml --key "$KEY"
expect 0 "$E" verify signed.edxml --trust "$ROOTCERT" --revocation-data "$CRL"
expect 0 "$E" trust add --national
expect 0 "$E" trust list
grep -q "Vietnam National Root CA" "$WORK/last.out" || fail "trust list does not show the national root"
PIN=$("$VPY" -c "import sys; from edoc.keys.certs import read_certificates, sha256_fingerprint; \
print(sha256_fingerprint(read_certificates(sys.argv[1])[0]))" "$ROOTCERT")
expect 0 "$E" trust add "$ROOTCERT" --pin "$PIN"
expect 0 "$E" verify demo/quyet-dinh.pdf   # now through the installed store
expect 0 "$E" trust remove "$PIN"
expect 0 "$E" archive build demo/quyet-dinh.pdf --into archive --trust "$ROOTCERT" --jobs 1
expect 0 "$E" archive audit archive --trust "$ROOTCERT" --jobs 1
expect 0 "$E" archive find archive --number 05
grep -q "05" "$WORK/last.out" || fail "archive find found nothing"

step "features of extras name their extra"
expect 8 "$E" keys list --key "pkcs11:token=x?module-path=/nonexistent.so"
grep -q "pip install 'edoc\[pkcs11\]'" "$WORK/last.err" || fail "no pkcs11 install hint"
expect 8 "$E" archive build demo/quyet-dinh.pdf --into archive2 --scheduler tcp://127.0.0.1:9
grep -q "pip install 'edoc\[dask\]'" "$WORK/last.err" || fail "no dask install hint"

step "OK"
