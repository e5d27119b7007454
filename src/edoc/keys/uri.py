"""Key URIs: one string names a key in the API and on the command line (``--key``).

- ``pkcs12:PATH[?pin-source=…]``
- ``pem:KEY_PATH?cert=CERT_PATH&chain=CHAIN_PATH[&pin-source=…]``
- ``pkcs11:token=…;object=…?module-path=…&pin-source=…`` as RFC 7512 defines it
- ``SCHEME:…`` for a backend registered in the entry-point group ``edoc.backends``

Values are percent-decoded (UTF-8, NFC); PKCS#11 ``id`` is decoded to bytes. ``pin-value`` is refused: a
PIN never travels inside a URI (use ``pin-source=env:NAME`` or ``file:PATH``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, unquote_to_bytes

from edoc.keys.errors import InvalidKeyURI

__all__ = ["KeyURI", "parse_key_uri", "PKCS11_PATH_ATTRIBUTES", "PKCS11_QUERY_ATTRIBUTES"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
#: RFC 7512 path attributes.
PKCS11_PATH_ATTRIBUTES = frozenset({
    "token", "manufacturer", "serial", "model", "library-manufacturer", "library-description",
    "library-version", "object", "type", "id", "slot-description", "slot-manufacturer", "slot-id",
})
#: RFC 7512 query attributes edoc understands (``pin-value`` is refused on purpose).
PKCS11_QUERY_ATTRIBUTES = frozenset({"pin-source", "module-name", "module-path"})
_MAX_URI = 8192


def _decode(value: str, *, uri_name: str) -> str:
    try:
        text = unquote(value, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidKeyURI(f"{uri_name}: percent-encoded bytes are not UTF-8 text", field=uri_name,
                            message_vi=f"{uri_name}: các byte mã hóa phần trăm không phải văn bản UTF-8") from exc
    return unicodedata.normalize("NFC", text)


def _pairs(text: str, sep: str, *, where: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in text.split(sep):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = name.strip().lower()
        if not eq or not name:
            raise InvalidKeyURI(f"{where} attribute {item[:40]!r} is not of the form name=value",
                                message_vi=f"Thuộc tính {item[:40]!r} ({where}) không có dạng tên=giá_trị")
        if name in seen:
            raise InvalidKeyURI(f"{where} attribute {name!r} is given twice", field=name,
                                message_vi=f"Thuộc tính {name!r} ({where}) được cho hai lần")
        seen.add(name)
        pairs.append((name, value))
    return tuple(pairs)


@dataclass(frozen=True)
class KeyURI:
    """A parsed key URI.

    :param scheme: the scheme, lower case (``pkcs12``, ``pem``, ``pkcs11`` or a plug-in's).
    :param path: the part between ``scheme:`` and ``?``, percent-decoded (the file for ``pkcs12``/``pem``;
        empty for ``pkcs11``, whose path is in :attr:`attributes`).
    :param attributes: RFC 7512 path attributes, still percent-encoded (use :meth:`attr`/:meth:`attr_bytes`).
    :param query: query attributes, still percent-encoded (use :meth:`param`).
    """

    scheme: str
    path: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str) -> str | None:
        """A path attribute, percent-decoded to NFC text, or ``None``."""
        for key, value in self.attributes:
            if key == name:
                return _decode(value, uri_name=name)
        return None

    def attr_bytes(self, name: str) -> bytes | None:
        """A path attribute percent-decoded to bytes (PKCS#11 ``id``), or ``None``."""
        for key, value in self.attributes:
            if key == name:
                return unquote_to_bytes(value)
        return None

    def param(self, name: str) -> str | None:
        """A query attribute, percent-decoded to NFC text, or ``None``."""
        for key, value in self.query:
            if key == name:
                return _decode(value, uri_name=name)
        return None

    @property
    def pin_source(self) -> str | None:
        """The ``pin-source`` query attribute (``env:NAME``, ``file:PATH``, ``prompt`` or ``protected``)."""
        return self.param("pin-source")

    def __str__(self) -> str:
        text = f"{self.scheme}:"
        if self.attributes:
            text += ";".join(f"{k}={v}" for k, v in self.attributes)
        else:
            text += self.path
        if self.query:
            text += "?" + "&".join(f"{k}={v}" for k, v in self.query)
        return text


def parse_key_uri(uri: str, *, allowed_query: frozenset[str] | None = None) -> KeyURI:
    """Parse a key URI.

    :param uri: the URI text.
    :param allowed_query: query attributes the scheme accepts (``None``: any).
    :raises InvalidKeyURI: syntax errors, a duplicated or unknown attribute, ``pin-value``.
    """
    if not isinstance(uri, str):
        raise TypeError(f"uri must be str, not {type(uri).__name__}")
    if len(uri) > _MAX_URI:
        raise InvalidKeyURI(f"key URI longer than {_MAX_URI} characters",
                            message_vi=f"Địa chỉ khóa dài quá {_MAX_URI} ký tự")
    scheme, colon, rest = uri.strip().partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        raise InvalidKeyURI(
            "a key is named by a URI such as pkcs12:FILE, pem:KEY?cert=CERT or pkcs11:token=…;object=…",
            message_vi="Khóa phải được chỉ bằng địa chỉ dạng pkcs12:TỆP, pem:KHÓA?cert=CHỨNG_THƯ "
                       "hoặc pkcs11:token=…;object=…")
    scheme = scheme.lower()
    path_text, _, query_text = rest.partition("?")
    query = _pairs(query_text, "&", where="query")
    if any(name == "pin-value" for name, _ in query):
        raise InvalidKeyURI("pin-value is refused: a PIN never goes inside a URI; use pin-source=env:NAME "
                            "or pin-source=file:PATH", field="pin-value",
                            message_vi="Không nhận pin-value: mã PIN không bao giờ nằm trong địa chỉ khóa; hãy dùng "
                                       "pin-source=env:TÊN_BIẾN hoặc pin-source=file:TỆP")
    if allowed_query is not None:
        for name, _ in query:
            if name not in allowed_query and not name.startswith("x-"):
                raise InvalidKeyURI(f"{scheme}: unknown query attribute {name!r} "
                                    f"(known: {', '.join(sorted(allowed_query))})", field=name,
                                    message_vi=f"{scheme}: không có thuộc tính {name!r} (các thuộc tính: "
                                               f"{', '.join(sorted(allowed_query))})")
    for name, value in query:
        _decode(value, uri_name=name)  # fail now, not when the attribute is read
    if scheme == "pkcs11":
        attributes = _pairs(path_text, ";", where="path")
        for name, value in attributes:
            if name not in PKCS11_PATH_ATTRIBUTES and not name.startswith("x-"):
                raise InvalidKeyURI(f"pkcs11: unknown path attribute {name!r}", field=name,
                                    message_vi=f"pkcs11: không có thuộc tính đường dẫn {name!r}")
            if name != "id":
                _decode(value, uri_name=name)
        return KeyURI(scheme, "", attributes, query)
    return KeyURI(scheme, _decode(path_text, uri_name="path"), (), query)
