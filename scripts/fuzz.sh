#!/usr/bin/env bash
# Long fuzzing run of the verifier (issue 18): tests/verify/test_fuzz.py with many examples and a new seed.
#
#   scripts/fuzz.sh [EXAMPLES] [extra pytest arguments]     (EXAMPLES per test, default 10000)
#
# Each of the four fuzz tests (PDF byte changes and truncations, edXML byte changes and truncations) runs
# EXAMPLES examples drawn from a fresh seed (printed; EDOC_FUZZ_SEED=N reruns one). A failure is shrunk by
# Hypothesis and saved under tests/verify/fuzz_regressions/ (the mutated file and a .json with the anchor,
# time and the outcomes the rules allow there); the suite replays every saved file from then on, so commit
# them. A saved failure that is an open verifier defect gets "defect": "<issue>" in its .json (a strict xfail).
# Uses the project's .venv (scripts/test.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-10000}
shift || true
seed=${EDOC_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
py=${PYTHON:-.venv/bin/python}
echo "fuzz: $examples examples per test, seed $seed (rerun with EDOC_FUZZ_SEED=$seed)"
status=0
EDOC_FUZZ_EXAMPLES=$examples EDOC_FUZZ_SEED=$seed EDOC_FUZZ_SAVE=tests/verify/fuzz_regressions \
    "$py" -m pytest -p no:cacheprovider -n 2 -q tests/verify/test_fuzz.py \
    -k "byte_changes or truncations" "$@" || status=$?
saved=$(ls tests/verify/fuzz_regressions/*-seed"$seed".json 2>/dev/null || true)
if [ -n "$saved" ]; then
    echo "fuzz: failures saved (commit them; the suite replays them):"
    echo "$saved"
fi
echo "fuzz: seed $seed, exit $status"
exit "$status"
