"""A Cloud Signature Consortium API v2 remote-signing service over the test PKI's keys (test material).

It is a real HTTP service (werkzeug, threaded, on 127.0.0.1, plain HTTP or HTTPS with :mod:`pki.tls`) that
speaks the CSC API v2 (2.0.0.2) as a provider would; clients know nothing of tests. See tests/pki/README.md.

Endpoints (``ROOT`` is ``http(s)://127.0.0.1:PORT``; CSC methods under ``ROOT/csc/v2/``, POST, JSON):

- ``info`` (no authorization); ``auth/login`` (HTTP Basic user:password, ``rememberMe`` → refresh token);
  ``auth/revoke``.
- ``ROOT/oauth2/token`` (form, RFC 6749): ``client_credentials``, ``password`` (resource owner) and
  ``refresh_token`` grants; client authentication by HTTP Basic or ``client_id``/``client_secret``. Access
  tokens expire (``token_lifetime``); password and login tokens come with a refresh token.
- ``credentials/list``, ``credentials/info`` (certificate chain, key algorithms/length/curve, ``multisign``,
  ``SCAL``, authorization mode ``explicit`` with the objects ``PIN`` and ``OTP``), ``credentials/sendOTP``
  (the OTP "sent to the user's phone": read it with :meth:`CSCService.last_otp`), ``credentials/authorize``
  (``authData`` PIN + OTP → a SAD for ``numSignatures`` hashes and ``sad_lifetime`` seconds),
  ``credentials/extendTransaction`` and ``signatures/signHash`` (``hashes``, ``signAlgo``, ``hashAlgorithmOID``,
  ``signAlgoParams``: RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA over SHA-256/384/512).

Errors have the CSC shape ``{"error": …, "error_description": …}`` with the specification's HTTP codes and
texts (400 ``invalid_request`` "Invalid parameter credentialID", 401 ``expired_token``, …).

Switches for tests (Python methods, also ``POST ROOT/_test/ACTION`` with JSON arguments when ``control`` is
on): :meth:`~CSCService.expire_tokens`, :meth:`~CSCService.expire_sads`, :meth:`~CSCService.expire_otps`,
:meth:`~CSCService.advance` (the service's clock), :meth:`~CSCService.set_credential` (``disabled``,
``multisign``, ``scal``…), :meth:`~CSCService.fail_next` (any error, e.g. 503), :meth:`~CSCService.refuse`
(drop connections without answering), :meth:`~CSCService.stop`/:meth:`~CSCService.start` (connection refused,
then back on the same port), a request counter per endpoint (:meth:`~CSCService.counts`).

Outside pytest: ``python tests/pki csc [--https DIR] [--port N]`` serves the PKI's OCSP/CRL/TSA and this
service in one process and prints where as one JSON line; :func:`serve_csc_in_subprocess` does it for a
benchmark.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from pki import TestPKI
    from pki.tls import TlsMaterial

API_PREFIX = "/csc/v2/"
TOKEN_PATH = "/oauth2/token"
CONTROL_PREFIX = "/_test/"
SPECS = "2.0.0.2"

#: The OAuth2 client registered with the service (client credentials and password grants).
CLIENT_ID = "edoc-test-client"
CLIENT_SECRET = "edoc-test-secret"
#: Users (resource owners) and their passwords, for the password grant and ``auth/login``.
USERS = {"an": "an-2026-mật-khẩu", "binh": "binh-2026-mật-khẩu", "thuannam": "thuannam-2026-mật-khẩu"}
#: The signature PIN of every default credential.
PIN = "246813"

SHA256, SHA384, SHA512 = "2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3"
SHA1 = "1.3.14.3.2.26"
DIGESTS: dict[str, tuple[type[hashes.HashAlgorithm], int]] = {
    SHA256: (hashes.SHA256, 32), SHA384: (hashes.SHA384, 48), SHA512: (hashes.SHA512, 64)}
_DIGEST_BY_NAME = {"sha256": SHA256, "sha384": SHA384, "sha512": SHA512}
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSA_PSS = "1.2.840.113549.1.1.10"
RSA_WITH = {"1.2.840.113549.1.1.11": SHA256, "1.2.840.113549.1.1.12": SHA384, "1.2.840.113549.1.1.13": SHA512}
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ECDSA_WITH = {"1.2.840.10045.4.3.2": SHA256, "1.2.840.10045.4.3.3": SHA384, "1.2.840.10045.4.3.4": SHA512}
_CURVES = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34", "secp521r1": "1.3.132.0.35"}

_FIXED = {"id", "label", "key", "certificate", "chain"}
#: Methods the service implements (as listed by ``info``).
METHODS = ("auth/login", "auth/revoke", "credentials/list", "credentials/info", "credentials/authorize",
           "credentials/extendTransaction", "credentials/sendOTP", "signatures/signHash")


@dataclasses.dataclass
class Credential:
    """A signing credential: a key and certificate of the test PKI (``label``) held for ``owner``."""

    id: str
    label: str
    owner: str
    pin: str = PIN
    #: Whether authorization needs an OTP (online, sent by ``credentials/sendOTP``) besides the PIN.
    otp: bool = True
    #: Most signatures one authorization (SAD) may cover; numSignatures above it is refused.
    multisign: int = 500
    #: "1": a SAD is not bound to hashes; "2": only the hashes given to ``credentials/authorize`` are signed.
    scal: str = "1"
    disabled: bool = False
    description: str | None = None
    #: Key material from elsewhere than the PKI's ``label`` (which then only names it): a ``cryptography``
    #: private key, its certificate and the issuers (``cryptography`` certificates, nearest first).
    key: Any = None
    certificate: Any = None
    chain: tuple[Any, ...] = ()


def default_credentials() -> list[Credential]:
    """One credential per signer of the test PKI: person-rsa (user ``an``), person-ec (``binh``), agency-rsa and
    agency-ec (``thuannam``); credential IDs are the PKI labels."""
    return [Credential("person-rsa", "person-rsa", "an"), Credential("person-ec", "person-ec", "binh"),
            Credential("agency-rsa", "agency-rsa", "thuannam"), Credential("agency-ec", "agency-ec", "thuannam")]


class CSCError(Exception):
    """An error answer: HTTP status and the CSC ``error``/``error_description``."""

    def __init__(self, status: int, error: str, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status, self.error, self.description = status, error, description
        self.headers = headers or {}


def _bad(description: str) -> CSCError:
    return CSCError(400, "invalid_request", description)


@dataclasses.dataclass
class _Token:
    client_id: str | None
    user: str | None  # None: a client (service) token, not bound to a user
    expires: float


@dataclasses.dataclass
class _Sad:
    credential_id: str
    remaining: int
    expires: float
    hashes: list[bytes] | None  # SCAL 2: the hashes still allowed


@dataclasses.dataclass
class _Otp:
    value: str
    expires: float


@dataclasses.dataclass
class _Failure:
    status: int
    error: str
    description: str
    times: int


class CSCService:
    """The CSC API v2 service over ``pki``'s keys; a context manager (started on entry, stopped on exit).

    :param credentials: the credentials it holds (default :func:`default_credentials`).
    :param tls: serve HTTPS with this material (:func:`pki.tls.make_tls`); plain HTTP when ``None``.
    :param token_lifetime: seconds an access token lives; ``sad_lifetime``, ``otp_lifetime`` likewise.
    :param control: also accept the switches over HTTP at ``ROOT/_test/ACTION``.
    """

    #: Switches reachable over HTTP (``POST ROOT/_test/NAME``).
    CONTROL_ACTIONS = ("counts", "reset_counts", "expire_tokens", "expire_sads", "expire_otps", "advance",
                       "last_otp", "set_credential", "fail_next", "refuse")

    def __init__(self, pki: TestPKI, *, credentials: Iterable[Credential] | None = None,
                 tls: TlsMaterial | None = None, host: str = "127.0.0.1", port: int = 0,
                 token_lifetime: int = 3600, sad_lifetime: int = 600, otp_lifetime: int = 300,
                 control: bool = True) -> None:
        self.pki = pki
        self.credentials = {c.id: c for c in (default_credentials() if credentials is None else credentials)}
        self.tls = tls
        self.host, self.port = host, port
        self.token_lifetime, self.sad_lifetime, self.otp_lifetime = token_lifetime, sad_lifetime, otp_lifetime
        self.control_enabled = control
        self._lock = threading.RLock()
        self._offset = 0.0
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}  # refresh token -> the grant (expires unused)
        self._sads: dict[str, _Sad] = {}
        self._otps: dict[str, _Otp] = {}  # credential id -> the OTP last sent
        self._failures: dict[str, list[_Failure]] = {}
        self._counts: Counter[str] = Counter()
        self._refusing = False
        self._keys: dict[str, Any] = {}
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # -- lifecycle -----------------------------------------------------------------------------------------
    def __enter__(self) -> CSCService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> CSCService:
        """Listen (again, on the same port after :meth:`stop`) and serve in a daemon thread."""
        import logging

        from werkzeug.serving import make_server

        if self._server is not None:
            return self
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        try:
            server = make_server(self.host, self.port, self, threaded=True, request_handler=_handler_for(self),
                                 ssl_context=self.tls.server_context() if self.tls else None)
        except SystemExit as exc:  # werkzeug exits when the port is taken
            raise RuntimeError(f"the CSC test service cannot listen on {self.host}:{self.port}") from exc
        self._server, self.port = server, server.server_port
        self._thread = threading.Thread(target=server.serve_forever, name="edoc-test-csc", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop open connections: clients then get "connection refused"."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def root(self) -> str:
        """``http(s)://127.0.0.1:PORT`` (the OAuth2 server's base as ``info`` announces it)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The CSC API base, ``ROOT/csc/v2``."""
        return self.root + API_PREFIX.rstrip("/")

    @property
    def token_url(self) -> str:
        return self.root + TOKEN_PATH

    # -- switches ------------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Requests answered so far per endpoint (``info``, ``oauth2/token``, ``signatures/signHash``…)."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def now(self) -> float:
        """The service's clock (monotonic seconds, moved by :meth:`advance`)."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the service's clock forward: tokens, SADs and OTPs older than their lifetime expire."""
        with self._lock:
            self._offset += float(seconds)

    def expire_tokens(self) -> None:
        """Every access token issued so far is expired (refresh tokens still work)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires = min(token.expires, self.now())

    def expire_sads(self) -> None:
        """Every SAD issued so far is expired."""
        with self._lock:
            for sad in self._sads.values():
                sad.expires = min(sad.expires, self.now())

    def expire_otps(self) -> None:
        """Every OTP sent so far is expired."""
        with self._lock:
            for otp in self._otps.values():
                otp.expires = min(otp.expires, self.now())

    def send_otp(self, credential_id: str) -> str:
        """Make a fresh OTP for the credential (what ``credentials/sendOTP`` does) and return it."""
        with self._lock:
            otp = _Otp(f"{secrets.randbelow(10**6):06d}", self.now() + self.otp_lifetime)
            self._otps[credential_id] = otp
            return otp.value

    def last_otp(self, credential_id: str) -> str | None:
        """The OTP last sent for the credential — what the user reads on the phone."""
        with self._lock:
            otp = self._otps.get(credential_id)
            return otp.value if otp else None

    def set_credential(self, credential_id: str, **changes: Any) -> None:
        """Change a credential: ``disabled=True``, ``multisign=N``, ``scal="2"``, ``otp=False``, ``pin=…``."""
        with self._lock:
            credential = self.credentials[credential_id]
            for name, value in changes.items():
                if name not in {f.name for f in dataclasses.fields(Credential)} or name in _FIXED:
                    raise ValueError(f"unknown credential setting {name!r}")
                setattr(credential, name, value)

    def fail_next(self, endpoint: str, status: int = 503, error: str = "temporarily_unavailable",
                  description: str = "The service is temporarily unavailable", times: int = 1) -> None:
        """Answer the next ``times`` requests to ``endpoint`` (e.g. ``signatures/signHash``) with this error."""
        with self._lock:
            self._failures.setdefault(endpoint, []).append(_Failure(int(status), error, description, int(times)))

    def refuse(self, on: bool = True) -> None:
        """While on, every request (but the switches) is dropped unanswered: the connection is closed."""
        self._refusing = bool(on)

    def control(self, action: str, **kwargs: Any) -> Any:
        """Run the switch ``action`` (one of :attr:`CONTROL_ACTIONS`)."""
        if action not in self.CONTROL_ACTIONS:
            raise KeyError(action)
        return getattr(self, action)(**kwargs)

    # -- WSGI ----------------------------------------------------------------------------------------------
    def __call__(self, environ: Any, start_response: Any) -> Any:
        from werkzeug.wrappers import Request

        request = Request(environ)
        request.max_content_length = 8 * 1024 * 1024
        return self._respond(request)(environ, start_response)

    def _respond(self, request: Request) -> Any:
        path = request.path
        if path.startswith(CONTROL_PREFIX) and self.control_enabled:
            return self._control_request(request, path[len(CONTROL_PREFIX):])
        if path == TOKEN_PATH:
            name = "oauth2/token"
        elif path.startswith(API_PREFIX):
            name = path[len(API_PREFIX):]
        else:
            return _json({"error": "invalid_request", "error_description": "Not found"}, 404)
        with self._lock:
            self._counts[name] += 1
            failure = self._take_failure(name)
        if failure is not None:
            return _error(CSCError(failure.status, failure.error, failure.description))
        try:
            if request.method != "POST":
                raise CSCError(405, "invalid_request", "Method not allowed")
            handler = self._handlers().get(name)
            if handler is None:
                raise CSCError(501, "not_implemented", f"Method not implemented: {name}")
            result = handler(request)
        except CSCError as exc:
            return _error(exc)
        if result is None:
            from werkzeug.wrappers import Response

            return Response(status=204)
        return _json(result, headers={"Cache-Control": "no-store"})

    def _take_failure(self, name: str) -> _Failure | None:
        queue = self._failures.get(name)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _control_request(self, request: Request, action: str) -> Any:
        try:
            kwargs = json.loads(request.get_data() or b"{}")
            if not isinstance(kwargs, dict):
                raise TypeError("arguments must be a JSON object")
            result = self.control(action, **kwargs)
        except KeyError:
            return _json({"error": "invalid_request", "error_description": f"unknown switch {action}"}, 404)
        except (TypeError, ValueError) as exc:
            return _json({"error": "invalid_request", "error_description": str(exc)}, 400)
        return _json({"result": result})

    def _handlers(self) -> dict[str, Any]:
        return {"info": self._info, "oauth2/token": self._oauth2_token, "auth/login": self._auth_login,
                "auth/revoke": self._auth_revoke, "credentials/list": self._credentials_list,
                "credentials/info": self._credentials_info, "credentials/sendOTP": self._send_otp,
                "credentials/authorize": self._authorize, "credentials/extendTransaction": self._extend,
                "signatures/signHash": self._sign_hash}

    # -- authentication ------------------------------------------------------------------------------------
    def _issue_token(self, client_id: str | None, user: str | None, refresh: bool) -> dict[str, Any]:
        with self._lock:
            value = secrets.token_urlsafe(32)
            grant = _Token(client_id, user, self.now() + self.token_lifetime)
            self._tokens[value] = grant
            answer: dict[str, Any] = {"access_token": value, "token_type": "Bearer", "expires_in": self.token_lifetime}
            if refresh:
                refresh_token = secrets.token_urlsafe(32)
                self._refresh[refresh_token] = _Token(client_id, user, float("inf"))
                answer["refresh_token"] = refresh_token
            return answer

    def _bearer(self, request: Request) -> _Token:
        header = request.headers.get("Authorization")
        challenge = 'Bearer realm="csc"'
        if not header:
            raise CSCError(401, "invalid_request", "Missing access token", {"WWW-Authenticate": challenge})
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise _bad("Malformed authorization header")
        with self._lock:
            token = self._tokens.get(value.strip())
            if token is None:
                raise CSCError(401, "invalid_token", "The access token is not valid",
                               {"WWW-Authenticate": challenge + ', error="invalid_token"'})
            if self.now() >= token.expires:
                raise CSCError(401, "expired_token", "The access token is expired",
                               {"WWW-Authenticate": challenge + ', error="invalid_token", '
                                                    'error_description="The access token expired"'})
            return token

    def _client(self, request: Request, form: dict[str, str]) -> str:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.authorization
        if auth is not None and auth.type == "basic":  # RFC 6749 §2.3.1: form-encoded, then Basic
            client_id = urllib.parse.unquote_plus(auth.username or "")
            secret = urllib.parse.unquote_plus(auth.password or "")
        if not client_id:
            raise _bad("Missing parameter client_id")
        if client_id != CLIENT_ID:
            raise _bad("Invalid parameter client_id")
        if secret is None:
            raise CSCError(401, "invalid_request", "Client authorization required")
        if not secrets.compare_digest(secret.encode(), CLIENT_SECRET.encode()):
            raise _bad("Invalid parameter client_secret")
        return client_id

    # -- endpoints -----------------------------------------------------------------------------------------
    def _info(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        lang = body.get("lang") if body.get("lang") in ("vi-VN", "en-US") else "vi-VN"
        algos = sorted({a for c in self.credentials.values() for a in self._key_algos(c)})
        return {"specs": SPECS, "name": "edoc — dịch vụ ký số từ xa thử nghiệm (CSC)",
                "logo": self.root + "/logo.png", "region": "VN", "lang": lang,
                "description": "Dịch vụ thử nghiệm của edoc: khóa của PKI thử nghiệm, không dùng thật",
                "authType": ["basic", "oauth2client"], "oauth2": self.root + "/",
                "methods": list(METHODS), "signAlgorithms": {"algos": algos},
                "signature_formats": {"formats": []}, "conformance_levels": []}

    def _oauth2_token(self, request: Request) -> dict[str, Any]:
        form = dict(request.form.items()) if request.mimetype != "application/json" else _body(request)
        form = {k: v for k, v in form.items() if isinstance(v, str)}
        grant = form.get("grant_type")
        if not grant:
            raise _bad("Missing parameter grant_type")
        client_id = self._client(request, form)
        if grant == "client_credentials":
            return self._issue_token(client_id, None, refresh=False)
        if grant == "password":
            user, password = form.get("username"), form.get("password")
            if not user or password is None:
                raise _bad("Missing parameter username or password")
            if USERS.get(user) != password:
                raise CSCError(400, "invalid_grant", "Invalid username or password")
            return self._issue_token(client_id, user, refresh=True)
        if grant == "refresh_token":
            value = form.get("refresh_token")
            if not value:
                raise _bad("Missing parameter refresh_token")
            with self._lock:
                refresh = self._refresh.get(value)
            if refresh is None or refresh.client_id != client_id:
                raise CSCError(400, "invalid_grant", "Invalid parameter refresh_token")
            answer = self._issue_token(client_id, refresh.user, refresh=False)
            answer["refresh_token"] = value
            return answer
        raise _bad("Invalid parameter grant_type")

    def _auth_login(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        refresh = body.get("refresh_token")
        if refresh is not None:
            if not isinstance(refresh, str):
                raise _bad("Invalid string parameter: refresh_token")
            with self._lock:
                grant = self._refresh.get(refresh)
            if grant is None or grant.client_id is not None:
                raise _bad("Invalid refresh_token")
            answer = self._issue_token(None, grant.user, refresh=False)
            answer["refresh_token"] = refresh
            return answer
        auth = request.authorization
        if auth is None or auth.type != "basic":
            raise CSCError(401, "invalid_request", "Malformed authentication parameter",
                           {"WWW-Authenticate": 'Basic realm="csc", charset="UTF-8"'})
        if USERS.get(auth.username or "") != auth.password:
            raise CSCError(400, "authentication_error", "An error occurred during authentication process")
        answer = self._issue_token(None, auth.username, refresh=body.get("rememberMe") is True)
        answer.pop("token_type")
        return answer

    def _auth_revoke(self, request: Request) -> None:
        self._bearer(request)
        body = _body(request)
        value = body.get("token")
        if not isinstance(value, str):
            raise _bad("Missing (or invalid type) string parameter token")
        with self._lock:
            self._tokens.pop(value, None)
            self._refresh.pop(value, None)

    def _credentials_list(self, request: Request) -> dict[str, Any]:
        token = self._bearer(request)
        body = _body(request)
        user = body.get("userID")
        if token.user is not None:
            if user is not None and user != token.user:
                raise _bad("userID parameter MUST be null")
            user = token.user
        elif user is not None and (not isinstance(user, str) or user not in USERS):
            raise _bad("Invalid parameter userID")
        certificates = _certificates_param(body)
        with self._lock:
            chosen = [c for c in self.credentials.values() if user is None or c.owner == user]
            if body.get("onlyValid") is True:
                chosen = [c for c in chosen if not c.disabled and self._cert_status(c) == "valid"]
            answer: dict[str, Any] = {"credentialIDs": [c.id for c in chosen]}
            if body.get("credentialInfo") is True:
                answer["credentialInfos"] = [
                    {"credentialID": c.id, **self._describe(c, certificates, body.get("certInfo") is True)}
                    for c in chosen]
        if body.get("onlyValid") is True:
            answer["onlyValid"] = True
        return answer

    def _credentials_info(self, request: Request) -> dict[str, Any]:
        token = self._bearer(request)
        body = _body(request)
        credential = self._credential(token, body)
        certificates = _certificates_param(body)
        with self._lock:
            return self._describe(credential, certificates, body.get("certInfo") is True)

    def _send_otp(self, request: Request) -> None:
        token = self._bearer(request)
        credential = self._credential(token, _body(request))
        if not credential.otp:
            raise _bad("The credential has no online OTP")
        self.send_otp(credential.id)

    def _authorize(self, request: Request) -> dict[str, Any]:
        token = self._bearer(request)
        body = _body(request)
        credential = self._credential(token, body)
        with self._lock:
            if credential.disabled:
                raise _bad("The credential identified by credentialID is disabled")
            count = body.get("numSignatures")
            if not isinstance(count, int) or isinstance(count, bool):
                raise _bad("Missing (or invalid type) integer parameter numSignatures")
            if count < 1:
                raise _bad("Invalid value for parameter numSignatures")
            if count > credential.multisign:
                raise _bad("Numbers of signatures is too high")
            bound = None
            if "hashes" in body or credential.scal == "2":
                bound = _hashes(body, "hashes")
                algorithm = body.get("hashAlgorithmOID")
                if not isinstance(algorithm, str):
                    raise _bad("Missing (or invalid type) string parameter hashAlgorithmOID")
                if algorithm not in DIGESTS:
                    raise _bad("Invalid parameter hashAlgorithmOID")
                if len(bound) != count:
                    raise _bad("Invalid value for parameter numSignatures")
            values = _auth_data(body)
            pin = values.get("PIN")
            if pin is None:
                raise _bad("Missing authentication object PIN")
            if not secrets.compare_digest(pin.encode(), credential.pin.encode()):
                raise CSCError(400, "invalid_pin", "The PIN is invalid")
            if credential.otp:
                given = values.get("OTP")
                if given is None:
                    raise _bad("Missing authentication object OTP")
                sent = self._otps.get(credential.id)
                if sent is None or not secrets.compare_digest(given.encode(), sent.value.encode()):
                    raise CSCError(400, "invalid_otp", "The OTP is invalid")
                if self.now() >= sent.expires:
                    raise CSCError(400, "invalid_otp", "The OTP is expired")
                del self._otps[credential.id]  # one use
            sad = secrets.token_urlsafe(32)
            self._sads[sad] = _Sad(credential.id, count, self.now() + self.sad_lifetime,
                                   bound if credential.scal == "2" else None)
        return {"SAD": sad, "expiresIn": self.sad_lifetime}

    def _extend(self, request: Request) -> dict[str, Any]:
        token = self._bearer(request)
        body = _body(request)
        credential = self._credential(token, body)
        with self._lock:
            value, sad = self._sad(body, credential)
            del self._sads[value]
            new = secrets.token_urlsafe(32)
            self._sads[new] = dataclasses.replace(sad, expires=self.now() + self.sad_lifetime)
        return {"SAD": new, "expiresIn": self.sad_lifetime}

    def _sign_hash(self, request: Request) -> dict[str, Any]:
        token = self._bearer(request)
        body = _body(request)
        credential = self._credential(token, body)
        with self._lock:
            if credential.disabled:
                raise _bad("The credential identified by credentialID is disabled")
            if self._cert_status(credential) == "expired":
                raise _bad("Signing certificate is expired")
            value, sad = self._sad(body, credential)
            digests = _hashes(body, "hashes")
            if body.get("operationMode", "S") != "S":
                raise _bad("Invalid parameter operationMode")
            sign_algo = body.get("signAlgo")
            if not isinstance(sign_algo, str):
                raise _bad("Missing (or invalid type) string parameter signAlgo")
            if sign_algo not in self._key_algos(credential):
                raise _bad("Invalid parameter signAlgo")
            scheme = _scheme(sign_algo, body)
            size = DIGESTS[scheme.digest][1]
            if any(len(d) != size for d in digests):
                raise _bad("Invalid digest value length")
            if len(digests) > sad.remaining:
                raise _bad("Numbers of signatures is too high")
            if sad.hashes is not None:
                allowed = list(sad.hashes)
                for digest in digests:
                    if digest not in allowed:
                        raise _bad("Hash is not authorized by the SAD")
                    allowed.remove(digest)
                sad.hashes = allowed
            sad.remaining -= len(digests)
            if sad.remaining == 0:
                del self._sads[value]
            key = self._key(credential)
        return {"signatures": [base64.b64encode(scheme.sign(key, d)).decode("ascii") for d in digests]}

    # -- helpers -------------------------------------------------------------------------------------------
    def _credential(self, token: _Token, body: dict[str, Any]) -> Credential:
        credential_id = body.get("credentialID")
        if not isinstance(credential_id, str):
            raise _bad("Missing (or invalid type) string parameter credentialID")
        with self._lock:
            credential = self.credentials.get(credential_id)
        # another user's credential is answered like an unknown one: its existence is not disclosed
        if credential is None or (token.user is not None and credential.owner != token.user):
            raise _bad("Invalid parameter credentialID")
        return credential

    def _sad(self, body: dict[str, Any], credential: Credential) -> tuple[str, _Sad]:
        value = body.get("SAD")
        if not isinstance(value, str):
            raise _bad("Missing (or invalid type) string parameter SAD")
        sad = self._sads.get(value)
        if sad is None or sad.credential_id != credential.id:
            raise _bad("Invalid parameter SAD")
        if self.now() >= sad.expires:
            raise _bad("SAD expired")
        return value, sad

    def _key(self, credential: Credential) -> Any:
        if credential.key is not None:
            return credential.key
        key = self._keys.get(credential.label)
        if key is None:
            key = self._keys[credential.label] = self.pki.private_key(credential.label)
        return key

    def _cert(self, credential: Credential) -> cx509.Certificate:
        if credential.certificate is not None:
            return credential.certificate  # type: ignore[no-any-return]
        return self.pki.cert_crypto(credential.label)

    def _chain_der(self, credential: Credential) -> list[bytes]:
        """The credential's certificate and its issuers (root last), DER."""
        if credential.certificate is not None:
            return [c.public_bytes(serialization.Encoding.DER) for c in (credential.certificate, *credential.chain)]
        return [c.dump() for c in (self.pki.cert(credential.label), *self.pki.chain(credential.label))]

    def _key_algos(self, credential: Credential) -> list[str]:
        public = self._cert(credential).public_key()
        if isinstance(public, rsa.RSAPublicKey):
            return [RSA_ENCRYPTION, *RSA_WITH, RSA_PSS]
        return [EC_PUBLIC_KEY, *ECDSA_WITH]

    def _cert_status(self, credential: Credential) -> str:
        cert = self._cert(credential)
        now = datetime.now(timezone.utc)
        return "valid" if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc else "expired"

    def _describe(self, credential: Credential, certificates: str, cert_info: bool) -> dict[str, Any]:
        cert = self._cert(credential)
        public: Any = cert.public_key()
        key: dict[str, Any] = {"status": "disabled" if credential.disabled else "enabled",
                               "algo": self._key_algos(credential), "len": public.key_size}
        if isinstance(public, ec.EllipticCurvePublicKey):
            key["curve"] = _CURVES[public.curve.name]
        chain = self._chain_der(credential)
        shown = {"none": [], "single": chain[:1], "chain": chain}[certificates]
        cert_part: dict[str, Any] = {"status": self._cert_status(credential)}
        if shown:
            cert_part["certificates"] = [base64.b64encode(c).decode("ascii") for c in shown]
        if cert_info:
            cert_part.update(issuerDN=cert.issuer.rfc4514_string(), subjectDN=cert.subject.rfc4514_string(),
                             serialNumber=format(cert.serial_number, "X"),
                             validFrom=cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                             validTo=cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"))
        objects = [{"type": "Password", "id": "PIN", "format": "N", "label": "PIN",
                    "description": "Mã PIN ký số"}]
        if credential.otp:
            objects.append({"type": "Password", "id": "OTP", "format": "N", "label": "OTP",
                            "description": "Mã OTP gửi tới điện thoại (credentials/sendOTP)"})
        common_name = cert.subject.get_attributes_for_oid(cx509.NameOID.COMMON_NAME)
        return {"description": credential.description or f"Chữ ký số từ xa: {common_name[0].value!s}",
                "key": key, "cert": cert_part,
                "auth": {"mode": "explicit", "expression": " AND ".join(o["id"] for o in objects),
                         "objects": objects},
                "SCAL": credential.scal, "multisign": credential.multisign, "lang": "vi-VN"}


@dataclasses.dataclass(frozen=True)
class _Scheme:
    kind: str  # "pkcs1", "pss", "ecdsa"
    digest: str  # hash OID
    salt: int = 0
    mgf_digest: str = SHA256

    def sign(self, key: Any, digest: bytes) -> bytes:
        algorithm = DIGESTS[self.digest][0]()
        if self.kind == "ecdsa":
            return key.sign(digest, ec.ECDSA(Prehashed(algorithm)))  # type: ignore[no-any-return]
        if self.kind == "pss":
            pad: padding.AsymmetricPadding = padding.PSS(padding.MGF1(DIGESTS[self.mgf_digest][0]()), self.salt)
        else:
            pad = padding.PKCS1v15()
        return key.sign(digest, pad, Prehashed(algorithm))  # type: ignore[no-any-return]


def _scheme(sign_algo: str, body: dict[str, Any]) -> _Scheme:
    """The signature scheme and digest a signHash request asks for (``signAlgo`` within the key's algorithms)."""
    given = body.get("hashAlgorithmOID")
    if given is not None and not isinstance(given, str):
        raise _bad("Missing (or invalid type) string parameter hashAlgorithmOID")
    if given is not None and given not in DIGESTS:
        raise _bad("Invalid parameter hashAlgorithmOID")  # SHA-1 and unknown digests are refused
    implied = RSA_WITH.get(sign_algo) or ECDSA_WITH.get(sign_algo)
    if implied is not None:
        if given is not None and given != implied:
            raise _bad("String parameter hashAlgorithmOID contradicts with signAlgo parameter")
        return _Scheme("ecdsa" if sign_algo in ECDSA_WITH else "pkcs1", implied)
    if sign_algo == RSA_PSS:
        return _pss_scheme(body, given)
    if given is None:  # rsaEncryption / ecPublicKey name no digest
        raise _bad("Missing (or invalid type) string parameter hashAlgorithmOID")
    return _Scheme("ecdsa" if sign_algo == EC_PUBLIC_KEY else "pkcs1", given)


def _pss_scheme(body: dict[str, Any], given: str | None) -> _Scheme:
    from asn1crypto import algos

    params = body.get("signAlgoParams")
    if not isinstance(params, str):
        raise _bad("Missing (or invalid type) string parameter signAlgoParams")
    try:
        parsed = algos.RSASSAPSSParams.load(base64.b64decode(params, validate=True))
        digest = _DIGEST_BY_NAME[parsed["hash_algorithm"]["algorithm"].native]
        mgf = parsed["mask_gen_algorithm"]
        if mgf["algorithm"].native != "mgf1":
            raise ValueError("not MGF1")
        mgf_digest = _DIGEST_BY_NAME[mgf["parameters"]["algorithm"].native]
        salt = int(parsed["salt_length"].native)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise _bad("Invalid parameter signAlgoParams") from exc
    if given is not None and given != digest:
        raise _bad("String parameter hashAlgorithmOID contradicts with signAlgo parameter")
    return _Scheme("pss", digest, salt, mgf_digest)


def _body(request: Request) -> dict[str, Any]:
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise _bad("The request body is not JSON") from exc
    if not isinstance(body, dict):
        raise _bad("The request body is not a JSON object")
    return body


def _hashes(body: dict[str, Any], name: str) -> list[bytes]:
    values = body.get(name)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad(f"Missing (or invalid type) array parameter {name}")
    if not values:
        raise _bad("Empty hash array")
    out = []
    for value in values:
        text = value.replace("-", "+").replace("_", "/")  # base64, or base64url as some clients send
        try:
            out.append(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise _bad("Invalid Base64 hash string parameter") from exc
    return out


def _auth_data(body: dict[str, Any]) -> dict[str, str]:
    data = body.get("authData", [])
    if not isinstance(data, list):
        raise _bad("Missing (or invalid type) array parameter authData")
    values = {}
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("value"), str):
            raise _bad("Invalid parameter authData")
        values[item["id"]] = item["value"]
    return values


def _certificates_param(body: dict[str, Any]) -> str:
    value = body.get("certificates", "single")
    if value not in ("none", "single", "chain"):
        raise _bad("Invalid parameter certificates")
    return str(value)


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    from werkzeug.wrappers import Response

    return Response(json.dumps(obj, ensure_ascii=False), status, headers=headers, mimetype="application/json")


def _error(exc: CSCError) -> Any:
    return _json({"error": exc.error, "error_description": exc.description}, exc.status, exc.headers)


def _handler_for(service: CSCService) -> type:
    """A request handler class that tracks connections (so :meth:`CSCService.stop` can drop kept-alive ones),
    drops requests while the service refuses, and logs nothing (no request line reaches a log)."""
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with service._lock:
                service._connections.add(self.connection)

        def finish(self) -> None:
            with service._lock:
                service._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def run_wsgi(self) -> None:
            if service._refusing and not self.path.startswith(CONTROL_PREFIX):
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            super().run_wsgi()

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

        def log_error(self, *args: Any) -> None:
            pass

    return Handler


# -- another process ---------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class RemoteCSC:
    """The CSC service (and the PKI's OCSP/CRL/TSA services) running in another process.

    Switches are reached over HTTP: ``remote.control("last_otp", credential_id="person-rsa")``.
    """

    url: str
    root: str
    pki_url: str
    ca_file: str | None
    pid: int

    def control(self, action: str, **kwargs: Any) -> Any:
        import requests

        response = requests.post(f"{self.root}{CONTROL_PREFIX}{action}", json=kwargs, timeout=30,
                                 verify=self.ca_file or True)
        response.raise_for_status()
        return response.json()["result"]


@contextlib.contextmanager
def serve_csc_in_subprocess(directory: Path | None = None, *, https: bool = False,
                            extra: Iterable[str] = ()) -> Iterator[RemoteCSC]:
    """Run ``python tests/pki csc`` in a process of its own (a benchmark's measuring process then does not share
    its interpreter with the services); yields where it listens. ``directory`` receives the TLS material
    (``https``) and the exported PKI files (``--export``)."""
    import subprocess
    import sys

    args = [sys.executable, str(Path(__file__).resolve().parent), "csc", *extra]
    if directory is not None:
        args += ["--export", str(directory)]
    if https:
        if directory is None:
            raise ValueError("https needs a directory for the TLS material")
        args += ["--https", str(directory / "tls")]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the CSC test service did not start (exit code {proc.wait(30)})")
        info = json.loads(line)
        yield RemoteCSC(info["url"], info["root"], info["pki_url"], info["ca_file"], proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def main(argv: list[str] | None = None) -> int:
    """``python tests/pki csc [--port N] [--https DIR] [--export DIR]``: serve the test PKI's OCSP/CRL/TSA and
    the CSC service until interrupted; prints one JSON line (url, root, pki_url, ca_file)."""
    import argparse
    import logging
    import signal
    import sys

    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from werkzeug.serving import make_server

    from pki import TestPKI
    from pki.tls import make_tls

    parser = argparse.ArgumentParser(prog="python tests/pki csc", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port of the CSC service (default: a free one)")
    parser.add_argument("--https", type=Path, metavar="DIR", help="serve HTTPS; the test TLS CA goes to DIR")
    parser.add_argument("--export", type=Path, metavar="DIR", help="export the PKI's certificates and keys to DIR")
    parser.add_argument("--no-control", action="store_true", help="no switches over HTTP (ROOT/_test/…)")
    args = parser.parse_args(argv)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    class Dispatch:
        app: Any = None

        def __call__(self, environ: Any, start_response: Any) -> Any:
            return self.app(environ, start_response)

    dispatch = Dispatch()
    pki_server = make_server(args.host, 0, dispatch, threaded=True)
    test_pki = TestPKI(f"http://{args.host}:{pki_server.server_port}")
    dispatch.app = Animator(AnimatorArchStore(test_pki.config.pki_archs), with_web_ui=False)
    threading.Thread(target=pki_server.serve_forever, name="edoc-test-pki", daemon=True).start()
    if args.export:
        test_pki.export(args.export)
    tls = make_tls(args.https) if args.https else None
    service = CSCService(test_pki, tls=tls, host=args.host, port=args.port, control=not args.no_control).start()
    print(json.dumps({"url": service.url, "root": service.root, "pki_url": test_pki.url_prefix,
                      "ca_file": str(tls.ca_file) if tls else None}), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    service.stop()
    pki_server.shutdown()
    sys.stdout.flush()
    return 0
