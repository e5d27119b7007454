"""Revocation data fetched over the network, only where the certificate authority said so.

Verification is online by default (ETSI EN 319 102-1: a certificate whose status cannot be established is
INDETERMINATE, and every reference validator asks the CA). What edoc fetches is bounded by design:

- **Only for certificates already chained to a pinned trust anchor.** pyhanko-certvalidator asks for a
  certificate's status after it has checked that certificate's signature by its issuer, step by step down
  from the anchor; :class:`RevocationFetchers` checks it again itself (the certificate's signature verifies
  with its issuer's key, and that issuer is an anchor or chained to one the same way) and refuses otherwise.
  A file from an untrusted chain names no URL that edoc will ever contact.
- **Only the URLs the certificate carries** (CRL distribution points, the OCSP address of its Authority
  Information Access), ``http`` or ``https``. Issuer certificates are never fetched (AIA ``caIssuers``): a
  chain must come with the document or the trust anchors.
- **Embedded data first**: a certificate whose status the document already carries (DSS, CMS
  ``adbe-revocationInfoArchival``) is not asked about again.
- **Short timeouts, a size cap, no redirects to other hosts, one answer per URL and run** (failures
  included: an unreachable responder costs one timeout per run, not one per document).

:class:`HttpCache` is the run (one per :class:`~edoc.verify.Verifier`, renewed with its shared validation
context); :meth:`HttpCache.fetchers` gives the pyHanko ``Fetchers`` for one validation context.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem, x509
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers.api import CertificateFetcher, CRLFetcher, Fetchers, OCSPFetcher
from pyhanko_certvalidator.fetchers.common_utils import (
    enumerate_delivery_point_urls,
    format_ocsp_request,
    process_ocsp_response_data,
)

__all__ = ["FetchLimits", "HttpCache", "RevocationFetchers"]

_USER_AGENT = "edoc-verify (revocation check)"


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of the network traffic of one run.

    :param timeout: seconds to connect, and seconds for the whole answer, per request.
    :param max_bytes: largest answer read (a national CA's CRL is a few MiB).
    :param max_redirects: redirects followed per request, all to the same host.
    :param max_requests: requests per run (cached answers do not count).
    """

    timeout: float = 5.0
    max_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 3
    max_requests: int = 1000


class FetchRefused(Exception):
    """A request edoc does not make, or an answer it does not take."""


class HttpCache:
    """One run's HTTP answers (and failures) by request, and the anchors fetching is allowed under.

    Thread-safe; requests are made in worker threads (``asyncio.to_thread``).
    """

    def __init__(self, anchors: Iterable[x509.Certificate], limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits()
        self.anchors = tuple(anchors)
        self._anchor_ders = {a.dump() for a in self.anchors}
        self._answers: dict[tuple[str, str, bytes], bytes | Exception] = {}
        self._chained: dict[bytes, bool] = {}
        self._lock = threading.Lock()
        self._count = 0

    def fetchers(self, *, crls: Iterable[Any] = (), ocsps: Iterable[Any] = (),
                 certificates: Callable[[x509.Name], Iterable[x509.Certificate]] | None = None) -> Fetchers:
        """pyHanko fetchers for one validation context: ``crls``/``ocsps`` are the document's embedded data
        (asked about first); ``certificates`` finds issuer candidates by name (the context's registry)."""
        fetchers = RevocationFetchers(self, list(crls), list(ocsps), certificates)
        return Fetchers(ocsp_fetcher=fetchers.ocsp, crl_fetcher=fetchers.crl, cert_fetcher=_NoCertificates())

    # -- the chain gate --------------------------------------------------------------------------------
    def chained(self, cert: x509.Certificate, issuers: Callable[[x509.Name], Iterable[x509.Certificate]],
                depth: int = 0) -> bool:
        """Whether ``cert`` is a trust anchor or carries the signature of an issuer that is one or is
        chained to one (certificates looked up with ``issuers``; at most 8 levels)."""
        der = cert.dump()
        if der in self._anchor_ders:
            return True
        known = self._chained.get(der)
        if known is not None:
            return known
        ok = False
        if depth < 8:
            candidates = [*self.anchors, *issuers(cert.issuer)]
            for issuer in candidates:
                if issuer.subject == cert.issuer and _signed_by(cert, issuer) \
                        and (issuer.dump() in self._anchor_ders or self.chained(issuer, issuers, depth + 1)):
                    ok = True
                    break
        with self._lock:
            self._chained[der] = ok
        return ok

    # -- HTTP ------------------------------------------------------------------------------------------
    def request(self, method: str, url: str, body: bytes = b"", content_type: str | None = None) -> bytes:
        """The answer to one request, from the cache or the network (failures are cached too)."""
        key = (method, url, body)
        with self._lock:
            cached = self._answers.get(key)
        if cached is None:
            try:
                cached = self._request(method, url, body, content_type)
            except Exception as exc:
                cached = exc
            with self._lock:
                self._answers[key] = cached
        if isinstance(cached, Exception):
            raise cached
        return cached

    def _request(self, method: str, url: str, body: bytes, content_type: str | None) -> bytes:
        limits = self.limits
        with self._lock:
            if self._count >= limits.max_requests:
                raise FetchRefused(f"more than {limits.max_requests} revocation requests in this run")
            self._count += 1
        first_host = urlsplit(url).hostname
        deadline = time.monotonic() + limits.timeout
        headers = {"User-Agent": _USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        for _hop in range(limits.max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchRefused(f"not an http(s) URL: {url!r}")
            if parts.hostname != first_host:
                raise FetchRefused(f"redirect to another host refused: {parts.hostname}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchRefused(f"no answer from {first_host} within {limits.timeout:g} s")
            with requests.request(method, url, data=body or None, headers=headers, allow_redirects=False,
                                  stream=True, timeout=(min(left, limits.timeout), left)) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise FetchRefused(f"{first_host} answered HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise FetchRefused(f"answer from {first_host} larger than {limits.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise FetchRefused(f"no complete answer from {first_host} within {limits.timeout:g} s")
                    chunks.append(chunk)
                return b"".join(chunks)
        raise FetchRefused(f"more than {limits.max_redirects} redirects from {first_host}")


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    from cryptography import x509 as cg_x509

    try:
        child = cg_x509.load_der_x509_certificate(cert.dump())
        parent = cg_x509.load_der_x509_certificate(issuer.dump())
        child.verify_directly_issued_by(parent)
    except Exception:
        return False
    return True


class _NoCertificates(CertificateFetcher):  # type: ignore[misc]
    """Issuer certificates are never fetched (AIA caIssuers would let a file name the URLs)."""

    async def fetch_cert_issuers(self, cert: Any) -> AsyncGenerator[x509.Certificate, None]:
        nothing: tuple[x509.Certificate, ...] = ()
        for cert_found in nothing:
            yield cert_found

    async def fetch_crl_issuers(self, certificate_list: Any) -> AsyncGenerator[x509.Certificate, None]:
        nothing: tuple[x509.Certificate, ...] = ()
        for cert_found in nothing:
            yield cert_found

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return ()


def _serial_key(cert: Any) -> tuple[bytes, int]:
    return cert.issuer.dump(), cert.serial_number


class RevocationFetchers:
    """The OCSP and CRL fetchers of one validation context (see the module docstring)."""

    def __init__(self, cache: HttpCache, crls: list[Any], ocsps: list[Any],
                 certificates: Callable[[x509.Name], Iterable[x509.Certificate]] | None) -> None:
        self.cache = cache
        self._crl_issuers = set()
        for item in crls:
            try:
                parsed = item if isinstance(item, asn1_crl.CertificateList) else asn1_crl.CertificateList.load(item)
                self._crl_issuers.add(parsed.issuer.dump())
            except Exception:  # noqa: S112 - unreadable embedded data covers nothing
                continue
        self._ocsps: list[tuple[int, bytes, str, asn1_ocsp.OCSPResponse]] = []
        for item in ocsps:
            try:
                resp = item if isinstance(item, asn1_ocsp.OCSPResponse) else asn1_ocsp.OCSPResponse.load(item)
                for single in resp["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]:
                    cid = single["cert_id"]
                    self._ocsps.append((cid["serial_number"].native, cid["issuer_name_hash"].native,
                                        cid["hash_algorithm"]["algorithm"].native, resp))
            except Exception:  # noqa: S112
                continue
        self._certificates = certificates or (lambda _name: ())
        self.crl = _CRLs(self)
        self.ocsp = _OCSPs(self)

    def gate(self, cert: Any) -> None:
        if not isinstance(cert, x509.Certificate) or not self.cache.chained(cert, self._certificates):
            raise FetchRefused("not fetched: the certificate is not chained to a trusted anchor")

    def embedded_crl_for(self, cert: x509.Certificate) -> bool:
        return cert.issuer.dump() in self._crl_issuers

    def embedded_ocsp_for(self, cert: x509.Certificate) -> asn1_ocsp.OCSPResponse | None:
        import hashlib

        issuer = cert.issuer.dump()
        for serial, name_hash, algo, resp in self._ocsps:
            try:
                if serial == cert.serial_number and hashlib.new(algo, issuer).digest() == name_hash:
                    return resp
            except ValueError:
                continue
        return None


class _CRLs(CRLFetcher):  # type: ignore[misc]
    def __init__(self, owner: RevocationFetchers) -> None:
        self.owner = owner
        self._by_cert: dict[tuple[bytes, int], list[asn1_crl.CertificateList]] = {}

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[asn1_crl.CertificateList]:
        key = _serial_key(cert)
        if key in self._by_cert:
            return self._by_cert[key]
        owner = self.owner
        if isinstance(cert, x509.Certificate) and owner.embedded_crl_for(cert):
            self._by_cert[key] = []
            return []  # the document's CRL answers: nothing to fetch
        try:
            owner.gate(cert)
        except FetchRefused as exc:
            raise CRLFetchError(str(exc)) from exc
        urls = [url for point in (cert.crl_distribution_points or ()) for url in enumerate_delivery_point_urls(point)]
        results: list[asn1_crl.CertificateList] = []
        errors: list[str] = []
        for url in urls:
            try:
                data = await asyncio.to_thread(owner.cache.request, "GET", url)
                if pem.detect(data):
                    _kind, _headers, data = pem.unarmor(data)
                parsed = asn1_crl.CertificateList.load(data)
                parsed.native  # noqa: B018 - a broken CRL fails here, not in the validation
                results.append(parsed)
            except Exception as exc:
                errors.append(f"{url}: {exc}")
        if not results:
            raise CRLFetchError("; ".join(errors) or "the certificate names no http(s) CRL distribution point")
        self._by_cert[key] = results
        return results

    def fetched_crls(self) -> Iterable[asn1_crl.CertificateList]:
        return [c for found in self._by_cert.values() for c in found]

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[asn1_crl.CertificateList]:
        return self._by_cert[_serial_key(cert)]


class _OCSPs(OCSPFetcher):  # type: ignore[misc]
    def __init__(self, owner: RevocationFetchers) -> None:
        self.owner = owner
        self._by_cert: dict[tuple[bytes, int], asn1_ocsp.OCSPResponse] = {}

    async def fetch(self, cert: Any, authority: Any) -> asn1_ocsp.OCSPResponse:
        key = _serial_key(cert)
        if key in self._by_cert:
            return self._by_cert[key]
        owner = self.owner
        if isinstance(cert, x509.Certificate):
            embedded = owner.embedded_ocsp_for(cert)
            if embedded is not None:
                return embedded  # the document's answer
            if owner.embedded_crl_for(cert):
                raise OCSPFetchError("the status comes from the document's CRL")
        try:
            owner.gate(cert)
            if not isinstance(cert, x509.Certificate) or authority.public_key is None:
                raise FetchRefused("no issuer key to ask about")
        except FetchRefused as exc:
            raise OCSPFetchError(str(exc)) from exc
        # no nonce: the same request for the same certificate, so one answer serves the whole run
        request = format_ocsp_request(cert, authority, certid_hash_algo="sha1", request_nonces=False)
        errors: list[str] = []
        for url in cert.ocsp_urls:
            try:
                if not url.lower().startswith(("http://", "https://")):
                    continue
                data = await asyncio.to_thread(owner.cache.request, "POST", url, request.dump(),
                                               "application/ocsp-request")
                response = process_ocsp_response_data(data, ocsp_request=request, ocsp_url=url)
            except Exception as exc:
                errors.append(f"{url}: {exc}")
                continue
            self._by_cert[key] = response
            return response  # type: ignore[no-any-return]
        raise OCSPFetchError("; ".join(errors) or "the certificate names no http(s) OCSP responder")

    def fetched_responses(self) -> Iterable[asn1_ocsp.OCSPResponse]:
        return list(self._by_cert.values())

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[asn1_ocsp.OCSPResponse]:
        found = self._by_cert.get(_serial_key(cert))
        return [found] if found is not None else []
