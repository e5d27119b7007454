"""``edoc keys``: list tokens and keys, show a certificate, test-sign with a key.

Every command takes ``--key URI`` (``pkcs12:…``, ``pem:…?cert=…``, ``pkcs11:…``, a plug-in's scheme). A PIN
or password comes from the URI's ``pin-source`` or a hidden prompt; it is never echoed or printed.
"""

from __future__ import annotations

import os
from typing import Any

import click

from edoc.cli import lang_of
from edoc.cli._json import echo_json
from edoc.cli._terminal import ask_secret
from edoc.cli.i18n import Group, tr
from edoc.util.text import visible

__all__ = ["keys"]

_T = {
    "subject": ("Chủ thể", "Subject"),
    "issuer": ("Tổ chức cấp", "Issuer"),
    "organization": ("Tổ chức", "Organisation"),
    "identifiers": ("Định danh", "Identifiers"),
    "serial": ("Số hiệu", "Serial"),
    "validity": ("Hiệu lực", "Validity"),
    "key": ("Khóa", "Key"),
    "policies": ("Chính sách", "Policies"),
    "key_usage": ("Mục đích sử dụng khóa", "Key usage"),
    "sha256": ("SHA-256", "SHA-256"),
    "chain": ("Chuỗi chứng thư", "Chain"),
    "token": ("Token", "Token"),
    "objects": ("Đối tượng", "Objects"),
    "ok": ("Ký thử và kiểm tra chữ ký: thành công", "Test signature made and verified: OK"),
    "bad": ("Chữ ký thử KHÔNG kiểm tra được", "The test signature does NOT verify"),
}


def _t(ctx: click.Context, key: str) -> str:
    vi, en = _T[key]
    return en if lang_of(ctx) == "en" else vi


_ask = ask_secret
_KEY_HELP = tr("Địa chỉ khóa (pkcs11:…, pkcs12:…, pem:…).", "Key URI (pkcs11:…, pkcs12:…, pem:…).")
_JSON_HELP = tr("In dạng JSON.", "Print JSON.")


def _open(uri: str) -> Any:
    from edoc.keys import open_key

    return open_key(uri, pin=_ask)


def _info_dict(info: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(info)
    data["not_before"] = info.not_before.isoformat()
    data["not_after"] = info.not_after.isoformat()
    return data


def _echo_info(ctx: click.Context, info: Any, indent: str = "") -> None:
    click.echo(f"{indent}{_t(ctx, 'subject')}: {visible(info.subject)}")  # certificate fields: made visible
    click.echo(f"{indent}{_t(ctx, 'issuer')}: {visible(info.issuer)}")
    if info.organization:
        click.echo(f"{indent}{_t(ctx, 'organization')}: {visible(info.organization)}")
    if info.identifiers:
        click.echo(f"{indent}{_t(ctx, 'identifiers')}: {visible(', '.join(info.identifiers))}")
    click.echo(f"{indent}{_t(ctx, 'serial')}: {info.serial_number}")
    click.echo(f"{indent}{_t(ctx, 'validity')}: {info.not_before:%Y-%m-%d %H:%M} → {info.not_after:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{indent}{_t(ctx, 'key')}: {info.key} ({info.signature_algorithm})")
    if info.key_usage:
        click.echo(f"{indent}{_t(ctx, 'key_usage')}: {', '.join(info.key_usage)}")
    if info.policies:
        click.echo(f"{indent}{_t(ctx, 'policies')}: {', '.join(info.policies)}")
    click.echo(f"{indent}{_t(ctx, 'sha256')}: {info.sha256_fingerprint}")


@click.group("keys", cls=Group, help=tr(
    "Khóa và token: liệt kê, xem chứng thư số, ký thử.", "Keys and tokens: list, show the certificate, test-sign."))
def keys() -> None:
    """The key commands."""


@keys.command("list", help=tr(
    "Token, khe, đối tượng và chứng thư số (không đăng nhập trừ khi có --login).",
    "Tokens, slots, objects and certificates (without logging in unless --login)."))
@click.option("--key", "uri", required=True, envvar="EDOC_KEY", help=_KEY_HELP)
@click.option("--login", is_flag=True, help=tr("Đăng nhập để liệt kê cả đối tượng riêng (PKCS#11).",
                                                    "Log in to list private objects too (PKCS#11)."))
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def list_(ctx: click.Context, uri: str, login: bool, as_json: bool) -> None:
    from dataclasses import asdict

    from edoc.keys import parse_key_uri

    parsed = parse_key_uri(uri)
    if parsed.scheme == "pkcs11":
        from edoc.keys.pkcs11 import describe_tokens

        tokens = describe_tokens(parsed, pin=_ask, login=login)
        if as_json:
            echo_json([asdict(t) for t in tokens], indent=2)
            return
        for tok in tokens:
            click.echo(f"{_t(ctx, 'token')} {tok.label!r} (slot {tok.slot_id}, serial {tok.serial}, "
                       f"{tok.manufacturer} {tok.model})")
            click.echo(f"  flags: {', '.join(tok.flags)}")
            for obj in tok.objects:
                extra = f"  {obj.subject}" if obj.subject else ""
                click.echo(f"  - {obj.kind}: object={obj.label} id={obj.id_hex}{extra}")
        return
    with _open(uri) as key:
        certs = [key.certificate, *key.chain]
        if as_json:
            from edoc.keys import CertificateInfo

            echo_json([_info_dict(CertificateInfo.from_cert(c)) for c in certs], indent=2)
            return
        from edoc.keys.info import format_name

        click.echo(f"{key.name}: {_t(ctx, 'key')} {key.info().key}")
        for i, cert in enumerate(certs):
            click.echo(f"  {'*' if i == 0 else '-'} {visible(format_name(cert.subject))}")


@keys.command("show", help=tr(
    "Chứng thư số ký: tên, định danh (MST/CCCD), hiệu lực, khóa, chính sách, chuỗi chứng thư.",
    "The signing certificate: names, identifiers (MST/CCCD), validity, key, policies, chain."))
@click.option("--key", "uri", required=True, envvar="EDOC_KEY", help=_KEY_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def show(ctx: click.Context, uri: str, as_json: bool) -> None:
    from edoc.keys import CertificateInfo

    with _open(uri) as key:
        info = key.info()
        chain = [CertificateInfo.from_cert(c) for c in key.chain]
        if as_json:
            echo_json({"key": key.name, "certificate": _info_dict(info), "chain": [_info_dict(c) for c in chain]},
                      indent=2)
            return
        _echo_info(ctx, info)
        if chain:
            click.echo(f"{_t(ctx, 'chain')}:")
            for c in chain:
                click.echo(f"  - {visible(c.subject)}  [{c.sha256_fingerprint[:23]}…]")


@keys.command("test", help=tr(
    "Ký một chuỗi băm ngẫu nhiên bằng khóa rồi kiểm tra chữ ký bằng chứng thư số.",
    "Sign a random digest with the key and verify the signature with the certificate."))
@click.option("--key", "uri", required=True, envvar="EDOC_KEY", help=_KEY_HELP)
@click.option("--algorithm", default=None, help=tr("Ví dụ rsa-pss-sha256, rsa-pkcs1v15-sha256, ecdsa-sha256.",
                                                    "e.g. rsa-pss-sha256, rsa-pkcs1v15-sha256, ecdsa-sha256."))
@click.pass_context
def test(ctx: click.Context, uri: str, algorithm: str | None) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    from edoc.keys import SignatureAlgorithm

    with _open(uri) as key:
        alg = SignatureAlgorithm.from_name(algorithm) if algorithm else key.default_algorithm
        digest = os.urandom(alg.hash.digest_size)
        signature = key.sign_digest(digest, algorithm=alg)
        pub = key.certificate_crypto.public_key()
        try:
            if isinstance(pub, ec.EllipticCurvePublicKey):
                pub.verify(signature, digest, ec.ECDSA(Prehashed(alg.hash.cryptography_hash())))
            elif isinstance(pub, rsa.RSAPublicKey):
                pub.verify(signature, digest, alg.cryptography_padding(), Prehashed(alg.hash.cryptography_hash()))
            else:
                raise InvalidSignature
        except InvalidSignature:
            click.echo(_t(ctx, "bad"), err=True)
            ctx.exit(1)
        click.echo(f"{key.name}: {alg.name}: {_t(ctx, 'ok')}")
