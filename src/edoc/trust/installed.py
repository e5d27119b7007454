"""The installed trust store: roots a user admitted with ``edoc trust add``, kept as files named by pin.

Folder: ``$EDOC_TRUST_DIR``, else ``$XDG_CONFIG_HOME/edoc/trust``, else ``~/.config/edoc/trust``. Each root is
stored as ``<SHA-256>.der``, with ``<SHA-256>.json`` beside it saying where it came from (the file it was read
from or the copy shipped with edoc, whether a published pin or the user's admitted it, and when). A root is
admitted only when its SHA-256 fingerprint matches a published pin of the Vietnamese roots
(:data:`~edoc.trust.VIETNAM_ROOT_PINS`) or a pin the user gives explicitly (for an organisation's own or a test
root); loading re-checks every file against its name, so a file swapped on disk is refused rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509

from edoc.errors import InvalidInput, ResourceError
from edoc.keys.certs import read_certificates, sha256_fingerprint, to_asn1
from edoc.trust import VIETNAM_ROOT_PINS, PinMismatch, RootPin, normalize_fingerprint
from edoc.util.fs import atomic_write_bytes, atomic_write_text

__all__ = ["InstalledRoot", "trust_dir", "install_root", "install_published", "installed_roots", "remove_root"]


@dataclass(frozen=True)
class InstalledRoot:
    """A root in the installed store."""

    sha256: str
    common_name: str
    not_after: str
    path: Path
    certificate: x509.Certificate
    #: where it came from: ``{"source": "file" | "edoc", "file": …, "pin": "published" | "given", "added": …}``
    #: (empty for a root installed before edoc recorded it)
    origin: dict[str, str] | None = None


def trust_dir() -> Path:
    """The folder of the installed trust store (not created here)."""
    if os.environ.get("EDOC_TRUST_DIR"):
        return Path(os.environ["EDOC_TRUST_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "edoc" / "trust"


def _file_name(fingerprint: str) -> str:
    return fingerprint.replace(":", "") + ".der"


def _cn(cert: x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", ""))


def install_root(path: str | Path, *, pin: str | None = None, folder: Path | None = None) -> InstalledRoot:
    """Admit the root certificate in ``path`` into the installed store.

    :param pin: the SHA-256 fingerprint the user expects (for a root that is not a published Vietnamese
        root); without it only the published pins are accepted.
    :raises PinMismatch: the fingerprint matches neither a published pin nor ``pin``.
    :raises InvalidInput: the file holds no certificate, several, or one that is not a self-signed root.
    """
    certs = read_certificates(path)
    roots = [c for c in certs if c.self_issued]
    if len(roots) != 1:
        raise InvalidInput(
            f"expected one self-signed root certificate, found {len(roots)} among {len(certs)} certificates",
            message_vi=f"Cần đúng một chứng thư gốc tự ký, tìm thấy {len(roots)} trong {len(certs)} chứng thư",
            path=path)
    cert = to_asn1(roots[0])
    fingerprint = sha256_fingerprint(cert)
    published = {p.sha256: p for p in VIETNAM_ROOT_PINS}
    if pin is not None:
        try:
            wanted = normalize_fingerprint(pin)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="pin", message_vi="--pin không phải dấu vân tay SHA-256 (64 chữ số hex)"
                               ) from exc
        if wanted != fingerprint:
            raise PinMismatch(
                f"the certificate's SHA-256 fingerprint is {fingerprint}, not the pin given ({wanted})",
                message_vi=f"Dấu vân tay SHA-256 của chứng thư là {fingerprint}, khác với dấu vân tay đã cho "
                f"({wanted})", path=path, field="pin")
    elif fingerprint not in published:
        named = [p for p in published.values() if p.common_name == _cn(cert)]
        detail = (f"; it carries the name of {named[0].name} but not its published fingerprint {named[0].sha256}"
                  if named else "")
        raise PinMismatch(
            f"{fingerprint} is not the fingerprint of a published Vietnamese root{detail}; give --pin to trust "
            "another root deliberately",
            message_vi=f"{fingerprint} không phải dấu vân tay của chứng thư gốc Việt Nam đã công bố"
            + ("; chứng thư mang tên chứng thư gốc nhưng dấu vân tay khác" if named else "")
            + "; dùng --pin nếu muốn tin cậy chứng thư gốc khác", path=path)
    origin = {"source": "file", "file": str(Path(path).resolve()),
                         "pin": "given" if pin is not None else "published"}
    return _store(cert, fingerprint, origin, folder)


def install_published(folder: Path | None = None) -> list[InstalledRoot]:
    """Install the Vietnamese roots shipped with edoc (offline), each checked against its published pin."""
    from edoc.trust.published import published_roots

    return [_store(cert, entry.sha256, {"source": "edoc", "file": f"edoc/data/trust/{entry.file}",
                                        "pin": "published", "published": entry.source}, folder)
            for entry, cert in published_roots()]


def _store(cert: x509.Certificate, fingerprint: str, origin: dict[str, str], folder: Path | None) -> InstalledRoot:
    target_dir = folder or trust_dir()
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResourceError.from_os(exc, target_dir, action=("cannot create the trust folder",
                                                             "Không tạo được thư mục tin cậy")) from exc
    target = target_dir / _file_name(fingerprint)
    origin = {**origin, "added": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
    atomic_write_bytes(target, cert.dump())
    atomic_write_text(target.with_suffix(".json"), json.dumps(origin, ensure_ascii=False, indent=1) + "\n")
    return InstalledRoot(fingerprint, _cn(cert), str(cert.not_valid_after), target, cert, origin)


def _origin_of(path: Path) -> dict[str, str] | None:
    """The origin recorded beside an installed root (``None`` when absent or unreadable: it is not security data)."""
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def installed_roots(folder: Path | None = None) -> list[InstalledRoot]:
    """The installed roots; a file whose content does not match its name is refused (``PinMismatch``)."""
    where = folder or trust_dir()
    if not where.is_dir():
        return []
    out = []
    for path in sorted(where.glob("*.der")):
        certs = read_certificates(path)
        cert = to_asn1(certs[0]) if len(certs) == 1 else None
        if cert is None or _file_name(sha256_fingerprint(cert)) != path.name:
            raise PinMismatch("a file in the trust store does not hold the root its name pins (changed on disk?)",
                              message_vi="Một tệp trong kho tin cậy không chứa đúng chứng thư gốc theo tên tệp "
                              "(đã bị thay đổi?)", path=path)
        out.append(InstalledRoot(sha256_fingerprint(cert), _cn(cert), str(cert.not_valid_after), path, cert,
                                 _origin_of(path)))
    return out


def remove_root(fingerprint: str, folder: Path | None = None) -> Path:
    """Remove an installed root by its fingerprint; returns the file removed."""
    try:
        name = _file_name(normalize_fingerprint(fingerprint))
    except ValueError as exc:
        raise InvalidInput(str(exc), field="fingerprint",
                           message_vi="Không phải dấu vân tay SHA-256 (64 chữ số hex)") from exc
    path = (folder or trust_dir()) / name
    try:
        path.unlink()
        path.with_suffix(".json").unlink(missing_ok=True)
    except FileNotFoundError as exc:
        raise InvalidInput(f"no installed root has the fingerprint {fingerprint}",
                           message_vi=f"Không có chứng thư gốc nào với dấu vân tay {fingerprint}",
                           field="fingerprint") from exc
    return path


def published_pin(fingerprint: str) -> RootPin | None:
    """The published Vietnamese pin with this fingerprint, if any."""
    wanted = normalize_fingerprint(fingerprint)
    return next((p for p in VIETNAM_ROOT_PINS if p.sha256 == wanted), None)
