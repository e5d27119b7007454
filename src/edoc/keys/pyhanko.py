"""The one adapter from :class:`~edoc.keys.KeyBackend` to pyHanko's ``Signer`` (PAdES, CMS/CAdES).

pyHanko builds the CMS structure; the backend only signs the DER of the signed attributes, so the key is
never re-parsed and a token is logged in once for a whole batch. The dry run pyHanko makes to size
``/Contents`` gets placeholder bytes of the right length and never reaches the key.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from edoc.keys.algorithms import HashAlgorithm, SignatureAlgorithm, SignatureScheme
from edoc.keys.base import KeyBackend
from edoc.keys.errors import AlgorithmRefused

__all__ = ["BackendSigner", "as_pyhanko_signer"]


class BackendSigner(Signer):
    """A pyHanko ``Signer`` that signs with a :class:`~edoc.keys.KeyBackend` (which must stay open).

    Immutable after construction: one instance may serve a batch of documents.
    """

    def __init__(self, backend: KeyBackend, *, algorithm: SignatureAlgorithm | None = None,
                 embed_roots: bool = True) -> None:
        alg = backend.default_algorithm if algorithm is None else algorithm
        alg.check_new_signature(backend.public_key)
        self._backend = backend
        self._algorithm = alg
        store = SimpleCertificateStore.from_certs([backend.certificate, *backend.chain])  # type: ignore[no-untyped-call]
        super().__init__(
            signing_cert=backend.certificate,
            cert_registry=store,
            signature_mechanism=alg.cms_signature_algorithm(),
            prefer_pss=alg.scheme is SignatureScheme.RSA_PSS,
            embed_roots=embed_roots,
        )

    @property
    def backend(self) -> KeyBackend:
        """The backend this signer signs with."""
        return self._backend

    @property
    def algorithm(self) -> SignatureAlgorithm:
        """The signature algorithm."""
        return self._algorithm

    def _placeholder_length(self) -> int:
        key = self._backend.public_key
        if isinstance(key, rsa.RSAPublicKey):
            return (key.key_size + 7) // 8
        if isinstance(key, ec.EllipticCurvePublicKey):
            coord = (key.curve.key_size + 7) // 8
            return 2 * (coord + 3) + 3  # DER SEQUENCE of two INTEGERs, worst case
        return 512

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """Sign ``data`` (the DER of the signed attributes) hashed with ``digest_algorithm``."""
        alg = self._algorithm
        if HashAlgorithm.from_name(digest_algorithm) is not alg.hash:
            # the CMS signatureAlgorithm (and RSA-PSS parameters) name alg.hash: a different digest would
            # make a signature that contradicts its own algorithm identifier
            raise AlgorithmRefused(f"pyHanko asked for a {digest_algorithm} signature but this signer was made "
                                   f"for {alg.name}; pass md_algorithm={alg.hash.value!r} or build the signer "
                                   f"with the algorithm wanted", backend=self._backend.name)
        if dry_run:
            return bytes(self._placeholder_length())
        return self._backend.sign(data, algorithm=alg)


def as_pyhanko_signer(backend: KeyBackend, *, algorithm: SignatureAlgorithm | None = None,
                      embed_roots: bool = True) -> BackendSigner:
    """Wrap an open backend as a pyHanko ``Signer``.

    :param backend: an open backend.
    :param algorithm: the signature algorithm (default: the backend's default).
    :param embed_roots: put the root certificate into the CMS too.
    """
    return BackendSigner(backend, algorithm=algorithm, embed_roots=embed_roots)
