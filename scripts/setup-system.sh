#!/usr/bin/env bash
# Install the Debian packages edoc's tests and demo use, when missing (needs root or sudo).
#   softhsm2 + opensc: PKCS#11 token tests; xmlsec1, poppler-utils (pdfsig, pdftoppm), qpdf, libnss3-tools:
#   independent verifiers; fonts-liberation2: a metric-compatible Times New Roman with Vietnamese coverage.
set -euo pipefail
want=(softhsm2 opensc xmlsec1 poppler-utils qpdf libnss3-tools fonts-liberation2 fonts-dejavu-core)
if [ "${1:-}" = "--demo" ]; then want=(fonts-liberation2 fonts-dejavu-core); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
