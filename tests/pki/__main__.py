"""``python tests/pki DIR [--url PREFIX]``: export the test PKI's certificates, keys and PKCS#12 files."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pki import main

sys.exit(main())
