"""PKCS#11 tokens and HSMs (``pkcs11:`` URIs, RFC 7512), through python-pkcs11 (``pip install 'edoc[pkcs11]'``).

- The token is chosen by ``token=`` (label), ``serial=``, ``slot-id=``, ``manufacturer=``, ``model=``; the key
  and its certificate by ``object=`` (label) and/or ``id=`` (percent-encoded bytes), or "the only signing
  key" when the token holds one. Labels are compared as NFC text, so Vietnamese labels work.
- ``module-path=`` names the driver library (``module-name=`` searches the usual directories;
  ``EDOC_PKCS11_MODULE`` is the fallback).
- One session per backend, logged in once in :meth:`~edoc.keys.KeyBackend.open` for a whole batch. A key with
  ``CKA_ALWAYS_AUTHENTICATE`` gets a context-specific login before each signature. A token with a protected
  authentication path (PIN pad) logs in on the device when no PIN is given.
- Mechanisms: the token's combined mechanism (``CKM_SHA256_RSA_PKCS`` …) when it has one, else hash in
  software and use the raw one (``CKM_RSA_PKCS`` with a DigestInfo, ``CKM_RSA_PKCS_PSS``, ``CKM_ECDSA``
  whose ``r‖s`` is DER-encoded). SoftHSM 2.6 lacks ``CKM_ECDSA_SHA256``, so ECDSA always takes the raw path
  there.
- Thread safety: a lock serialises operations on the session; many threads may share one backend.
"""

from __future__ import annotations

import functools
import glob
import os
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import algos, x509
from asn1crypto.core import Null
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from edoc.errors import MissingDependency
from edoc.keys.algorithms import SignatureAlgorithm, SignatureScheme
from edoc.keys.base import KeyBackend
from edoc.keys.certs import order_chain, same_public_key
from edoc.keys.errors import (
    AmbiguousKey,
    KeyBackendError,
    KeyMismatch,
    KeyNotFound,
    MechanismUnsupported,
    ModuleNotFound,
    PINLocked,
    TokenNotFound,
    WrongPIN,
)
from edoc.keys.pins import PROTECTED_AUTH, PinArg, Secret, resolve_secret
from edoc.keys.uri import KeyURI

__all__ = ["PKCS11Backend", "TokenDescription", "ObjectDescription", "describe_tokens", "load_module"]

_LIBS: dict[str, Any] = {}
_LIBS_LOCK = threading.Lock()
_MODULE_DIRS = ("/usr/lib/x86_64-linux-gnu/pkcs11", "/usr/lib/x86_64-linux-gnu", "/usr/lib/softhsm",
                "/usr/lib/pkcs11", "/usr/lib", "/usr/local/lib", "/usr/lib64", "/usr/lib64/pkcs11")


def _p11() -> Any:
    try:
        import pkcs11
    except ImportError as exc:
        raise MissingDependency("python-pkcs11", "pkcs11") from exc
    return pkcs11


def _module_path(uri: KeyURI) -> str:
    path = uri.param("module-path")
    if path:
        return path
    name = uri.param("module-name")
    if name:
        for directory in _MODULE_DIRS:
            for candidate in (f"{name}.so", f"lib{name}.so", name):
                full = os.path.join(directory, candidate)
                if os.path.isfile(full):
                    return full
        raise ModuleNotFound(f"no PKCS#11 module named {name!r} in {', '.join(_MODULE_DIRS)}; use module-path=",
                             message_vi=f"Không tìm thấy thư viện PKCS#11 {name!r}; hãy chỉ rõ module-path=",
                             backend="pkcs11")
    env = os.environ.get("EDOC_PKCS11_MODULE")
    if env:
        return env
    raise ModuleNotFound("name the token's PKCS#11 module with module-path=… (or set EDOC_PKCS11_MODULE)",
                         message_vi="Hãy chỉ thư viện PKCS#11 của thiết bị ký bằng module-path=…",
                         backend="pkcs11")


def load_module(path: str) -> Any:
    """Load (once per process) and initialise the PKCS#11 module at ``path``.

    :raises ModuleNotFound: the file is missing or is not a PKCS#11 module.
    """
    p11 = _p11()
    real = os.path.realpath(path)
    with _LIBS_LOCK:
        lib = _LIBS.get(real)
        if lib is not None:
            return lib
        if not os.path.isfile(real):
            raise ModuleNotFound(f"the PKCS#11 module {path} does not exist", path=path,
                                 message_vi="Không tìm thấy thư viện PKCS#11 (driver của thiết bị ký)",
                                 backend="pkcs11")
        try:
            lib = p11.lib(real)
        except p11.exceptions.PKCS11Error as exc:
            raise ModuleNotFound(f"cannot load the PKCS#11 module: {exc}", path=path,
                                 message_vi="Không nạp được thư viện PKCS#11", backend="pkcs11") from exc
        _LIBS[real] = lib
        return lib


def _norm(text: str | bytes | None) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return unicodedata.normalize("NFC", text).rstrip(" \x00")


def _token_matches(uri: KeyURI, slot: Any, token: Any) -> bool:
    checks: dict[str, Callable[[], str]] = {
        "token": lambda: _norm(token.label),
        "serial": lambda: _norm(token.serial),
        "manufacturer": lambda: _norm(token.manufacturer_id),
        "model": lambda: _norm(token.model),
        "slot-description": lambda: _norm(slot.slot_description),
        "slot-manufacturer": lambda: _norm(slot.manufacturer_id),
        "slot-id": lambda: str(slot.slot_id),
    }
    for attr, getter in checks.items():
        wanted = uri.attr(attr)
        if wanted is not None and _norm(wanted) != getter():
            return False
    return True


def _token_name(token: Any) -> str:
    return f"{_norm(token.label)!r} (serial {_norm(token.serial)})"


def _select_token(lib: Any, uri: KeyURI, backend: str) -> tuple[Any, Any]:
    p11 = _p11()
    try:
        slots = lib.get_slots(token_present=True)
    except p11.exceptions.PKCS11Error as exc:
        raise TokenNotFound(f"cannot list the slots: {type(exc).__name__}", backend=backend) from exc
    found = []
    present = []
    for slot in slots:
        try:
            token = slot.get_token()
        except (p11.exceptions.TokenNotPresent, p11.exceptions.TokenNotRecognised):
            continue
        if not token.flags & p11.TokenFlag.TOKEN_INITIALIZED:
            continue
        present.append(_token_name(token))
        if _token_matches(uri, slot, token):
            found.append((slot, token))
    if not found:
        listing = ", ".join(present) if present else "no token is inserted"
        raise TokenNotFound(f"no token matches ({listing})",
                            message_vi="Không tìm thấy thiết bị ký (token) phù hợp; hãy cắm token hoặc kiểm tra "
                                       "nhãn token=", backend=backend)
    if len(found) > 1:
        raise AmbiguousKey("several tokens match; name one with token= or serial=",
                           candidates=[_token_name(t) for _, t in found], backend=backend)
    return found[0]


@dataclass(frozen=True)
class ObjectDescription:
    """An object on a token, as listed without secrets."""

    kind: str
    label: str
    id_hex: str
    subject: str | None = None


@dataclass(frozen=True)
class TokenDescription:
    """A token (and its slot) as ``edoc keys list`` shows it."""

    slot_id: int
    slot_description: str
    label: str
    serial: str
    manufacturer: str
    model: str
    flags: tuple[str, ...]
    mechanisms: tuple[str, ...]
    objects: tuple[ObjectDescription, ...]


def _describe_objects(session: Any) -> Iterator[ObjectDescription]:
    from edoc.keys.info import format_name

    p11 = _p11()
    A, OC = p11.Attribute, p11.ObjectClass
    for cls_, kind in ((OC.CERTIFICATE, "certificate"), (OC.PRIVATE_KEY, "private key"),
                       (OC.PUBLIC_KEY, "public key")):
        for obj in session.get_objects({A.CLASS: cls_}):
            label = _norm(_get(obj, A.LABEL))
            ident = _get(obj, A.ID) or b""
            subject = None
            if cls_ == OC.CERTIFICATE:
                try:
                    subject = format_name(x509.Certificate.load(obj[A.VALUE]).subject)
                except (ValueError, TypeError):
                    subject = None
            yield ObjectDescription(kind, label, bytes(ident).hex(), subject)


def _get(obj: Any, attribute: Any) -> Any:
    try:
        return obj[attribute]
    except Exception:
        return None


def describe_tokens(uri: KeyURI, *, pin: PinArg = None, login: bool = False) -> list[TokenDescription]:
    """Tokens, slots, mechanisms and objects the URI's module sees (public objects only unless ``login``).

    Tokens are filtered by the URI's token attributes (none: every token).
    """
    p11 = _p11()
    lib = load_module(_module_path(uri))
    out: list[TokenDescription] = []
    for slot in lib.get_slots(token_present=True):
        try:
            token = slot.get_token()
        except p11.exceptions.PKCS11Error:
            continue
        if not _token_matches(uri, slot, token) or not token.flags & p11.TokenFlag.TOKEN_INITIALIZED:
            continue
        flags = tuple(f.name for f in p11.TokenFlag if f.value and token.flags & f and f.name)
        try:
            mechs = tuple(sorted(m.name if hasattr(m, "name") else str(m) for m in slot.get_mechanisms()))
        except p11.exceptions.PKCS11Error:
            mechs = ()
        objects: tuple[ObjectDescription, ...] = ()
        try:
            if login:
                secret = resolve_secret(pin, uri.pin_source, prompt=f"PIN of token {_norm(token.label)}: ",
                                        backend="pkcs11")
                session = _login(token, slot, secret, backend=f"pkcs11:token={_norm(token.label)}")
            else:
                session = token.open()
            with session:
                objects = tuple(_describe_objects(session))
        except p11.exceptions.PKCS11Error:
            objects = ()
        out.append(TokenDescription(slot.slot_id, _norm(slot.slot_description), _norm(token.label),
                                    _norm(token.serial), _norm(token.manufacturer_id), _norm(token.model),
                                    flags, mechs, objects))
    return out


def _login(token: Any, slot: Any, secret: Secret, *, backend: str) -> Any:
    p11 = _p11()
    if token.flags & p11.TokenFlag.USER_PIN_LOCKED:
        raise PINLocked("the user PIN of the token is locked; unlock it with the SO PIN/PUK",
                        message_vi="Mã PIN của token đã bị khóa; cần mở khóa bằng mã PUK/SO PIN", backend=backend)
    user_pin: Any = p11.PROTECTED_AUTH if secret.protected else secret.reveal()
    try:
        return token.open(user_pin=user_pin)
    except p11.exceptions.PinLocked:
        raise PINLocked("the user PIN of the token is locked", message_vi="Mã PIN của token đã bị khóa",
                        backend=backend) from None
    except (p11.exceptions.PinIncorrect, p11.exceptions.PinLenRange, p11.exceptions.PinInvalid):
        flags = 0
        try:
            flags = slot.get_token().flags
        except p11.exceptions.PKCS11Error:
            pass
        if flags & p11.TokenFlag.USER_PIN_LOCKED:
            raise PINLocked("wrong PIN; the user PIN is now locked", message_vi="Sai mã PIN; mã PIN đã bị khóa",
                            backend=backend) from None
        final = bool(flags & p11.TokenFlag.USER_PIN_FINAL_TRY)
        low = bool(flags & p11.TokenFlag.USER_PIN_COUNT_LOW)
        extra = " (the next wrong PIN locks the token)" if final else (" (few tries left)" if low else "")
        extra_vi = " (nhập sai lần nữa token sẽ bị khóa)" if final else (" (còn ít lần thử)" if low else "")
        raise WrongPIN(f"wrong PIN{extra}", message_vi=f"Mã PIN không đúng{extra_vi}",
                       tries_left=1 if final else None, count_low=low or final, backend=backend) from None
    except (p11.exceptions.TokenNotPresent, p11.exceptions.DeviceRemoved):
        raise TokenNotFound("the token was removed", message_vi="Token đã bị rút ra", backend=backend) from None
    except p11.exceptions.PKCS11Error as exc:
        raise KeyBackendError(f"cannot log in to the token: {type(exc).__name__}", backend=backend) from exc


@dataclass
class _SharedSession:
    """One logged-in session per token and process, shared by the backends using that token: PKCS#11 keeps
    the login state per application, so a second C_Login fails and the first C_Logout would log every
    session out. ``lock`` serialises the operations on the session."""

    session: Any
    lock: threading.Lock
    users: int = 0


_SESSIONS: dict[tuple[str, int, str], _SharedSession] = {}
_SESSIONS_LOCK = threading.Lock()


def _acquire_session(key: tuple[str, int, str], token: Any, slot: Any, secret: Secret, *,
                     backend: str) -> _SharedSession:
    with _SESSIONS_LOCK:
        shared = _SESSIONS.get(key)
        if shared is None:
            shared = _SESSIONS[key] = _SharedSession(_login(token, slot, secret, backend=backend), threading.Lock())
        shared.users += 1
        return shared


def _release_session(key: tuple[str, int, str], shared: _SharedSession) -> None:
    with _SESSIONS_LOCK:
        shared.users -= 1
        if shared.users > 0:
            return
        if _SESSIONS.get(key) is shared:
            del _SESSIONS[key]
    try:
        shared.session.close()  # logs out
    except Exception:  # noqa: S110 - a removed token cannot be logged out of
        pass


@dataclass(frozen=True)
class _Mechanisms:
    combined: dict[SignatureAlgorithm, Any]
    raw: frozenset[str]


class PKCS11Backend(KeyBackend):
    """A key on a PKCS#11 token: ``pkcs11:token=LABEL;object=LABEL?module-path=/path/to/module.so``.

    :param uri: the parsed URI.
    :param pin: the user PIN, a callback asked for it, or ``None`` (``pin-source``, the PIN pad when the
        token has one, else a prompt).
    """

    scheme = "pkcs11"
    query_attributes = frozenset({"pin-source", "module-name", "module-path"})

    def __init__(self, uri: KeyURI, *, pin: PinArg = None) -> None:
        super().__init__(name=str(KeyURI(uri.scheme, "", uri.attributes, ())))
        self._uri = uri
        self._pin = pin
        self._shared: _SharedSession | None = None
        self._shared_key: tuple[str, int, str] | None = None
        self._key: Any = None
        self._always_auth_secret: Secret | None = None
        self._mechs = _Mechanisms({}, frozenset())

    @classmethod
    def from_uri(cls, uri: KeyURI, *, pin: PinArg = None) -> PKCS11Backend:
        return cls(uri, pin=pin)

    # -- open / close -----------------------------------------------------------------------------------------
    def _open(self) -> None:
        p11 = _p11()
        lib = load_module(_module_path(self._uri))
        slot, token = _select_token(lib, self._uri, self._name)
        protected = bool(token.flags & p11.TokenFlag.PROTECTED_AUTHENTICATION_PATH)
        if self._pin is None and self._uri.pin_source is None and protected:
            secret = PROTECTED_AUTH
        else:
            secret = resolve_secret(self._pin, self._uri.pin_source, prompt=f"PIN of token {_norm(token.label)}: ",
                                    backend=self._name)
        shared_key = (os.path.realpath(_module_path(self._uri)), int(slot.slot_id), _norm(token.serial))
        shared = _acquire_session(shared_key, token, slot, secret, backend=self._name)
        session = shared.session
        try:
            with shared.lock:
                key, cert, chain = self._find_key(session)
            if bool(_get(key, p11.Attribute.ALWAYS_AUTHENTICATE)):
                self._always_auth_secret = secret
            self._mechs = self._mechanisms(slot)
            self._shared, self._shared_key, self._key = shared, shared_key, key
            self._set_identity(cert, chain)
            self._check_key_matches(key, session)
        except BaseException:
            self._shared = self._key = self._always_auth_secret = None
            _release_session(shared_key, shared)
            raise

    def _close(self) -> None:
        shared, key = self._shared, self._shared_key
        self._shared = self._key = self._always_auth_secret = None
        if shared is not None and key is not None:
            with shared.lock:  # wait for a signature in progress
                pass
            _release_session(key, shared)

    def _mechanisms(self, slot: Any) -> _Mechanisms:
        p11 = _p11()
        M = p11.Mechanism
        try:
            have = set(slot.get_mechanisms())
        except p11.exceptions.PKCS11Error:
            have = set()
        combined: dict[SignatureAlgorithm, Any] = {}
        for alg_hash, rsa_m, pss_m, ec_m in (
            ("sha256", M.SHA256_RSA_PKCS, M.SHA256_RSA_PKCS_PSS, getattr(M, "ECDSA_SHA256", None)),
            ("sha384", M.SHA384_RSA_PKCS, M.SHA384_RSA_PKCS_PSS, getattr(M, "ECDSA_SHA384", None)),
            ("sha512", M.SHA512_RSA_PKCS, M.SHA512_RSA_PKCS_PSS, getattr(M, "ECDSA_SHA512", None)),
        ):
            from edoc.keys.algorithms import HashAlgorithm

            h = HashAlgorithm(alg_hash)
            for scheme, mech in ((SignatureScheme.RSA_PKCS1V15, rsa_m), (SignatureScheme.RSA_PSS, pss_m),
                                 (SignatureScheme.ECDSA, ec_m)):
                if mech is not None and mech in have:
                    combined[SignatureAlgorithm(scheme, h)] = mech
        raw = frozenset(name for name, mech in (("rsa", M.RSA_PKCS), ("pss", M.RSA_PKCS_PSS), ("ecdsa", M.ECDSA))
                        if mech in have)
        return _Mechanisms(combined, raw)

    def _find_key(self, session: Any) -> tuple[Any, x509.Certificate, tuple[x509.Certificate, ...]]:
        p11 = _p11()
        A, OC = p11.Attribute, p11.ObjectClass
        template: dict[Any, Any] = {A.CLASS: OC.PRIVATE_KEY}
        label = self._uri.attr("object")
        ident = self._uri.attr_bytes("id")
        if ident is not None:
            template[A.ID] = ident
        keys = [k for k in session.get_objects(template)
                if (label is None or _norm(_get(k, A.LABEL)) == _norm(label)) and _get(k, A.SIGN) is not False]
        certs = [x509.Certificate.load(bytes(c[A.VALUE])) for c in session.get_objects({A.CLASS: OC.CERTIFICATE})]
        cert_objs = list(session.get_objects({A.CLASS: OC.CERTIFICATE}))
        if not keys:
            available = [self._describe_key(k, cert_objs) for k in session.get_objects({A.CLASS: OC.PRIVATE_KEY})]
            raise KeyNotFound(
                "no signing key matches" + (f" (keys on the token: {'; '.join(available)})" if available else
                                            " (the token holds no private key)"),
                message_vi="Không tìm thấy khóa ký phù hợp trên token", backend=self._name)
        if len(keys) > 1:
            raise AmbiguousKey("several signing keys match; name one with object= or id=",
                               candidates=[self._describe_key(k, cert_objs) for k in keys], backend=self._name)
        key = keys[0]
        cert_obj = self._cert_for(key, cert_objs)
        if cert_obj is None:
            raise KeyNotFound(f"no certificate on the token for the key {self._describe_key(key, cert_objs)}",
                              message_vi="Không có chứng thư số đi kèm khóa ký trên token", backend=self._name)
        leaf = x509.Certificate.load(bytes(cert_obj[A.VALUE]))
        return key, leaf, order_chain(leaf, certs)

    @staticmethod
    def _cert_for(key: Any, cert_objs: list[Any]) -> Any:
        p11 = _p11()
        A = p11.Attribute
        kid = _get(key, A.ID)
        if kid:
            for c in cert_objs:
                if _get(c, A.ID) == kid:
                    return c
        klabel = _norm(_get(key, A.LABEL))
        for c in cert_objs:
            if klabel and _norm(_get(c, A.LABEL)) == klabel:
                return c
        return None

    def _describe_key(self, key: Any, cert_objs: list[Any]) -> str:
        p11 = _p11()
        A = p11.Attribute
        text = f"object={_norm(_get(key, A.LABEL))!s} id={bytes(_get(key, A.ID) or b'').hex()}"
        cert_obj = self._cert_for(key, cert_objs)
        if cert_obj is not None:
            from edoc.keys.info import format_name

            try:
                text += f" ({format_name(x509.Certificate.load(bytes(cert_obj[A.VALUE])).subject)})"
            except (ValueError, TypeError):
                pass
        return text

    def _check_key_matches(self, key: Any, session: Any) -> None:
        p11 = _p11()
        A, OC = p11.Attribute, p11.ObjectClass
        pub = self._public_key
        mismatch = KeyMismatch("the certificate on the token does not belong to the private key",
                               message_vi="Chứng thư số trên token không khớp với khóa bí mật", backend=self._name)
        if isinstance(pub, rsa.RSAPublicKey):
            modulus = _get(key, A.MODULUS)
            if modulus is not None and int.from_bytes(bytes(modulus), "big") != pub.public_numbers().n:
                raise mismatch
            if modulus is not None:
                return
        if isinstance(pub, ec.EllipticCurvePublicKey):
            kid = _get(key, A.ID)
            for pobj in session.get_objects({A.CLASS: OC.PUBLIC_KEY, A.ID: kid} if kid else {A.CLASS: OC.PUBLIC_KEY}):
                point = _get(pobj, A.EC_POINT)
                if point is None:
                    continue
                from asn1crypto.core import OctetString

                raw = bytes(point)
                try:
                    raw = OctetString.load(raw).native
                except ValueError:
                    pass
                from cryptography.hazmat.primitives import serialization

                if raw == pub.public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint):
                    return
                if kid:
                    raise mismatch
        if self._always_auth_secret is None:
            # no public attributes to compare: sign a random digest and verify it with the certificate
            alg = self.default_algorithm
            digest = os.urandom(alg.hash.digest_size)
            sig = self._sign_digest(digest, alg)
            from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

            try:
                if isinstance(pub, ec.EllipticCurvePublicKey):
                    pub.verify(sig, digest, ec.ECDSA(Prehashed(alg.hash.cryptography_hash())))
                elif isinstance(pub, rsa.RSAPublicKey):
                    pub.verify(sig, digest, alg.cryptography_padding(), Prehashed(alg.hash.cryptography_hash()))
            except Exception:
                raise mismatch from None
            _ = same_public_key  # (file backends compare keys directly)

    # -- signing -----------------------------------------------------------------------------------------------
    def _raw_sign(self, payload: bytes, mechanism: Any, param: Any = None) -> bytes:
        p11 = _p11()
        shared = self._shared
        if shared is None:
            self._require_open()
            raise AssertionError("unreachable")
        with shared.lock:
            key = self._key
            if key is None:
                self._require_open()
                raise AssertionError("unreachable")
            pin = self._always_auth_secret.reveal() if self._always_auth_secret is not None else None
            try:
                return bytes(key.sign(payload, mechanism=mechanism, mechanism_param=param, pin=pin))
            except (p11.exceptions.MechanismInvalid, p11.exceptions.MechanismParamInvalid,
                    p11.exceptions.KeyTypeInconsistent, p11.exceptions.FunctionNotSupported) as exc:
                raise MechanismUnsupported(f"the token refused the mechanism {getattr(mechanism, 'name', mechanism)}",
                                           message_vi="Thiết bị ký không hỗ trợ thuật toán ký này",
                                           backend=self._name) from exc
            except (p11.exceptions.PinIncorrect, p11.exceptions.PinLocked) as exc:
                raise WrongPIN("the token refused the PIN for this signature", backend=self._name) from exc
            except (p11.exceptions.TokenNotPresent, p11.exceptions.DeviceRemoved,
                    p11.exceptions.SessionClosed, p11.exceptions.SessionHandleInvalid) as exc:
                raise TokenNotFound("the token was removed or the session closed", backend=self._name) from exc
            except p11.exceptions.PKCS11Error as exc:
                raise KeyBackendError(f"the token failed to sign: {type(exc).__name__}", backend=self._name) from exc

    def _pss_param(self, algorithm: SignatureAlgorithm) -> tuple[Any, Any, int]:
        p11 = _p11()
        name = algorithm.hash.name  # SHA256 …
        return getattr(p11.Mechanism, name), getattr(p11.MGF, name), algorithm.salt_length

    def _sign_data(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        mech = self._mechs.combined.get(algorithm)
        if mech is None:
            return self._sign_digest(algorithm.hash.digest(data), algorithm)
        param = self._pss_param(algorithm) if algorithm.scheme is SignatureScheme.RSA_PSS else None
        sig = self._raw_sign(data, mech, param)
        return self._ecdsa_der(sig) if algorithm.scheme is SignatureScheme.ECDSA else sig

    def _sign_digest(self, digest: bytes, algorithm: SignatureAlgorithm) -> bytes:
        p11 = _p11()
        M = p11.Mechanism
        raw = self._mechs.raw
        if algorithm.scheme is SignatureScheme.ECDSA:
            if raw and "ecdsa" not in raw:
                raise MechanismUnsupported("the token has no raw CKM_ECDSA to sign a digest", backend=self._name)
            return self._ecdsa_der(self._raw_sign(digest, M.ECDSA))
        if algorithm.scheme is SignatureScheme.RSA_PSS:
            if raw and "pss" not in raw:
                raise MechanismUnsupported("the token has no CKM_RSA_PKCS_PSS to sign a digest with RSA-PSS",
                                           backend=self._name)
            return self._raw_sign(digest, M.RSA_PKCS_PSS, self._pss_param(algorithm))
        if raw and "rsa" not in raw:
            raise MechanismUnsupported("the token has no CKM_RSA_PKCS to sign a digest", backend=self._name)
        return self._raw_sign(_digest_info_prefix(algorithm.hash.value) + digest, M.RSA_PKCS)

    @staticmethod
    def _ecdsa_der(sig: bytes) -> bytes:
        half = len(sig) // 2
        return encode_dss_signature(int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big"))


@functools.cache
def _digest_info_prefix(hash_name: str) -> bytes:
    """DER of ``DigestInfo`` up to the digest (PKCS#1 v1.5 ``T`` before the hash value)."""
    size = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}[hash_name]
    der: bytes = algos.DigestInfo({"digest_algorithm": {"algorithm": hash_name, "parameters": Null()},
                            "digest": bytes(size)}).dump()
    return der[:-size]


def find_softhsm_module() -> str | None:
    """The SoftHSM2 module on this machine, or ``None`` (used by tests and examples)."""
    for pattern in ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/*/softhsm/libsofthsm2.so",
                    "/usr/local/lib/softhsm/libsofthsm2.so", "/opt/homebrew/lib/softhsm/libsofthsm2.so"):
        for path in glob.glob(pattern):
            if Path(path).is_file():
                return path
    return None
