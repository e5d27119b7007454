"""``python tests/pki DIR [--url PREFIX]``: export the test PKI's certificates, keys and PKCS#12 files.

``python tests/pki csc [...]``: serve the PKI's OCSP/CRL/TSA and its CSC v2 signing service (pki/csc.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if sys.argv[1:2] == ["csc"]:
    from pki.csc import main as csc_main

    sys.exit(csc_main(sys.argv[2:]))

from pki import main

sys.exit(main())
