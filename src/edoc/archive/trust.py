"""The trust an archive remembers: the anchors its builds verified with, pinned, and the options used.

An archive lives for decades and its auditor will not have the builder's command line (issue 12 §5).
``archive build`` stores every trust anchor it was given inside the archive, one certificate a file named
by its SHA-256 fingerprint, with the validation options in a manifest::

    ARCHIVE/trust/trust.json               {"version", "anchors": [...], "verification": {...}}
    ARCHIVE/trust/anchors/<sha256>.cer     each anchor certificate, DER

``audit`` and ``renew`` verify with the stored anchors by default (``--trust`` adds to them). A stored
anchor whose file is missing or no longer hashes to its pin is not used and is an audit error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from edoc.errors import EdocError, ResourceError
from edoc.util.fs import atomic_write_bytes

__all__ = ["ArchiveTrust", "StoredAnchor", "read_trust", "remember_trust", "TRUST_DIR", "MANIFEST"]

TRUST_DIR = "trust"
MANIFEST = f"{TRUST_DIR}/trust.json"
_VERSION = 1


@dataclass(frozen=True)
class StoredAnchor:
    """One stored trust anchor.

    :param sha256: the certificate's SHA-256 fingerprint (lower-case hex), which is also its file's hash.
    :param file: the file, relative to the archive.
    :param subject: the certificate's subject, for people.
    :param not_after: the end of its validity (ISO 8601).
    :param origin: the name of the file it was given in.
    :param added: when a build stored it (ISO 8601).
    """

    sha256: str
    file: str
    subject: str
    not_after: str | None
    origin: str
    added: str


@dataclass(frozen=True)
class ArchiveTrust:
    """What an archive's builds verified with.

    :param anchors: the stored anchors.
    :param online: whether the last build fetched revocation information (``None``: never recorded).
    :param accept_indeterminate: whether the last build archived INDETERMINATE documents.
    :param verify_policy: the verification policy the last build applied (:class:`edoc.verify.VerifyPolicy`).
    """

    anchors: tuple[StoredAnchor, ...] = ()
    online: bool | None = None
    accept_indeterminate: bool = False
    verify_policy: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"version": _VERSION, "anchors": [asdict(a) for a in self.anchors],
                "verification": {"online": self.online, "accept_indeterminate": self.accept_indeterminate,
                                 "policy": self.verify_policy}}


def _verify_policy() -> dict[str, Any]:
    from edoc.verify.policy import VerifyPolicy

    out: dict[str, Any] = {}
    for key, value in asdict(VerifyPolicy()).items():
        out[key] = sorted(value) if isinstance(value, (set, frozenset)) else value
    return out


def read_trust(root: Path) -> tuple[ArchiveTrust, list[str]]:
    """The archive's stored trust, and its problems (one sentence each, naming the file).

    Anchors whose file is missing, unreadable or no longer matches its pin are left out of the result.
    """
    path = root / MANIFEST
    if not path.exists():
        return ArchiveTrust(), []
    try:
        data = json.loads(path.read_text("utf-8"))
        anchors = [StoredAnchor(**a) for a in data.get("anchors") or ()]
        options = data.get("verification") or {}
    except (OSError, ValueError, TypeError) as exc:
        return ArchiveTrust(), [f"{MANIFEST}: the stored trust cannot be read ({exc})"]
    good: list[StoredAnchor] = []
    problems: list[str] = []
    for anchor in anchors:
        where = root / anchor.file
        try:
            digest = hashlib.sha256(where.read_bytes()).hexdigest()
        except OSError as exc:
            problems.append(f"{anchor.file}: stored trust anchor missing or unreadable ({exc.strerror})")
            continue
        if digest != anchor.sha256.lower() or Path(anchor.file).parent != Path(TRUST_DIR) / "anchors":
            problems.append(f"{anchor.file}: stored trust anchor no longer matches its pin "
                            f"(SHA-256 {anchor.sha256}, file now {digest}); not used")
            continue
        good.append(anchor)
    online = options.get("online")
    return ArchiveTrust(tuple(good), online if isinstance(online, bool) else None,
                        bool(options.get("accept_indeterminate")), dict(options.get("policy") or {})), problems


def remember_trust(root: Path, trust: Iterable[str | Path], *, online: bool,
                   accept_indeterminate: bool) -> ArchiveTrust:
    """Store the anchors a build was given (each certificate of each file) and the build's options.

    Anchors already stored are kept; new ones are added. Files are written atomically.

    :raises ResourceError: an anchor file cannot be read or the archive cannot be written.
    :raises InvalidInput: an anchor file holds no certificate.
    """
    from edoc.verify.policy import load_certificates

    current, _problems = read_trust(root)
    anchors = {a.sha256: a for a in current.anchors}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    try:
        for source in trust:
            for cert in load_certificates([source]):
                der = cert.dump()
                digest = hashlib.sha256(der).hexdigest()
                rel = f"{TRUST_DIR}/anchors/{digest}.cer"
                target = root / rel
                if digest not in anchors or not target.is_file() \
                        or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(target, der)
                not_after = cert["tbs_certificate"]["validity"]["not_after"].native
                anchors[digest] = anchors.get(digest) or StoredAnchor(
                    digest, rel, cert.subject.human_friendly, not_after.isoformat() if not_after else None,
                    Path(source).name, now)
        stored = ArchiveTrust(tuple(anchors.values()), online, accept_indeterminate, _verify_policy())
        (root / TRUST_DIR).mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(root / MANIFEST, json.dumps(stored.to_dict(), ensure_ascii=False, indent=1).encode())
    except EdocError:  # a file that is not a certificate, or cannot be read: named by the loader
        raise
    except OSError as exc:
        raise ResourceError(f"cannot store the trust anchors in the archive: {exc.strerror or exc}",
                            message_vi=f"Không lưu được chứng thư gốc vào kho: {exc.strerror or exc}",
                            path=root / TRUST_DIR) from exc
    return stored
