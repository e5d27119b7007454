#!/usr/bin/env bash
# Create SoftHSM2 test tokens holding the test PKI's signer keys and certificates.
#
#   scripts/softhsm-setup.sh DIR [URL_PREFIX]
#
# Everything lives under DIR: DIR/softhsm2.conf (its own directories.tokendir, never the system store),
# DIR/tokens/, and DIR/pki/ (the exported test PKI; URL_PREFIX is the address of the live OCSP/CRL server
# written into the certificates; EDOC_PKI_DIR=DIR2 uses an already exported PKI instead). Prints the SOFTHSM2_CONF line to export. Tokens (user PIN 1234, SO PIN 5678):
#   edoc-test        signer-rsa (id 01, person-rsa), signer-ec (id 02, person-ec, P-256), CA certificates
#   UBND Thuận Nam   "chữ ký số" (id 0a, agency-rsa): a non-ASCII token and object label, the only key
#   edoc-mismatch    signer (id 01): the key of person-rsa with the certificate of agency-rsa
#   edoc-always-auth signer (id 01): person-rsa with CKA_ALWAYS_AUTHENTICATE (context-specific login)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DIR [URL_PREFIX]" >&2; exit 2; }
command -v softhsm2-util >/dev/null || { echo "softhsm2-util not found (apt-get install softhsm2)" >&2; exit 3; }
command -v pkcs11-tool >/dev/null || { echo "pkcs11-tool not found (apt-get install opensc)" >&2; exit 3; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
URL=${2:-http://127.0.0.1:1}
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
MODULE=${SOFTHSM2_MODULE:-}
if [ -z "$MODULE" ]; then
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
    [ -f "$m" ] && { MODULE=$m; break; }
  done
fi
[ -n "$MODULE" ] || { echo "libsofthsm2.so not found" >&2; exit 3; }

rm -rf "$DIR/tokens"
mkdir -p "$DIR/tokens"
cat > "$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$DIR/softhsm2.conf"
if [ -n "${EDOC_PKI_DIR:-}" ]; then
  P=$EDOC_PKI_DIR   # an already exported test PKI (the pytest fixture passes its own)
else
  "$PY" "$ROOT/tests/pki" "$DIR/pki" --url "$URL"
  P="$DIR/pki"
fi
PIN=1234

init() { softhsm2-util --init-token --free --label "$1" --pin $PIN --so-pin 5678 >/dev/null; }
key() {  # token label id key-file
  softhsm2-util --import "$4" --token "$1" --label "$2" --id "$3" --pin $PIN >/dev/null
}
cert() {  # token label id cert-der
  pkcs11-tool --module "$MODULE" --token-label "$1" --login --pin $PIN --write-object "$4" --type cert \
    --label "$2" ${3:+--id "$3"} >/dev/null
}

init edoc-test
key edoc-test signer-rsa 01 "$P/person-rsa.key.pem"
cert edoc-test signer-rsa 01 "$P/person-rsa.cert.der"
key edoc-test signer-ec 02 "$P/person-ec.key.pem"
cert edoc-test signer-ec 02 "$P/person-ec.cert.der"
cert edoc-test "CA công cộng" 10 "$P/public-ca.cert.der"
cert edoc-test "Root quốc gia" 11 "$P/national-root.cert.der"

init "UBND Thuận Nam"
key "UBND Thuận Nam" "chữ ký số" 0a "$P/agency-rsa.key.pem"
cert "UBND Thuận Nam" "chữ ký số" 0a "$P/agency-rsa.cert.der"
cert "UBND Thuận Nam" "CA cơ quan nhà nước" 20 "$P/state-bodies.cert.der"
cert "UBND Thuận Nam" "Root Chính phủ" 21 "$P/gov-root.cert.der"

init edoc-mismatch
key edoc-mismatch signer 01 "$P/person-rsa.key.pem"
cert edoc-mismatch signer 01 "$P/agency-rsa.cert.der"

# a key that demands a context-specific login before each signature (CKA_ALWAYS_AUTHENTICATE)
init edoc-always-auth
"$PY" - "$P/person-rsa.key.pem" "$DIR/always-auth.key.der" <<'PYEOF'
import sys
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
open(sys.argv[2], "wb").write(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
PYEOF
pkcs11-tool --module "$MODULE" --token-label edoc-always-auth --login --pin $PIN --write-object \
  "$DIR/always-auth.key.der" --type privkey --always-auth --usage-sign --label signer --id 01 >/dev/null
rm -f "$DIR/always-auth.key.der"
cert edoc-always-auth signer 01 "$P/person-rsa.cert.der"

echo "SOFTHSM2_CONF=$DIR/softhsm2.conf"
echo "PKCS11_MODULE=$MODULE"
