"""``edoc sign``: the signing acts on PDF files (approve, issue, appendix, copy, plain signature).

``edoc sign ACT IN.pdf... -o OUT --key URI``: with one input ``-o`` names the output file, with several it
names a folder (same file names). ``--jobs N`` signs with N worker processes; the key is opened once per
worker and a PIN is asked once. One line per document tells its outcome; the exit status is 0 when every
document was signed, 1 otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from edoc.cli import lang_of
from edoc.errors import InvalidInput, ResourceError

__all__ = ["sign"]

_T = {
    "ok": ("đã ký", "signed"),
    "fail": ("LỖI", "FAILED"),
    "summary": ("{ok}/{total} văn bản đã ký", "{ok}/{total} documents signed"),
}


def _t(ctx: click.Context, key: str) -> str:
    vi, en = _T[key]
    return en if lang_of(ctx) == "en" else vi


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False,
                                                                          path_type=Path)),
        click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
                     help="Output file (one input) or folder (several inputs)."),
        click.option("--key", "key_uri", required=True, help="Key URI: pkcs12:…, pem:…, pkcs11:…"),
        click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default="B-B",
                     show_default=True, help="PAdES level."),
        click.option("--tsa", "tsa_url", help="RFC 3161 time-stamp server URL (B-T and above)."),
        click.option("--trust", "trust", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Trust anchor certificate for B-LT/B-LTA (repeatable)."),
        click.option("--intermediate", "intermediates", multiple=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Extra intermediate certificate for B-LT/B-LTA (repeatable)."),
        click.option("--padding", type=click.Choice(["pss", "pkcs1v15"]), default=None,
                     help="RSA padding (default: the key backend's, PSS)."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
                     help="Worker processes."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group()
def sign() -> None:
    """Ký số văn bản PDF (PAdES): approve, issue, appendix, copy, pdf; thông điệp edXML (XAdES): edxml."""


def _jobs(inputs: tuple[Path, ...], output: Path,
          options: Callable[[int], dict[str, object]] | None = None) -> list[Any]:
    from edoc.sign import SignJob

    def opts(i: int) -> dict[str, object]:
        return options(i) if options else {}

    if len(inputs) == 1 and not output.is_dir():
        return [SignJob(inputs[0], output, opts(0))]
    if output.exists() and not output.is_dir():
        raise InvalidInput("with several inputs, -o must name a folder", path=output, field="output")
    output.mkdir(parents=True, exist_ok=True)
    return [SignJob(p, output / p.name, opts(i)) for i, p in enumerate(inputs)]


def _run(ctx: click.Context, act: Any, inputs: tuple[Path, ...], output: Path, key_uri: str, level: str,
         tsa_url: str | None, padding: str | None, jobs: int, trust: tuple[Path, ...] = (),
         intermediates: tuple[Path, ...] = (), options: Callable[[int], dict[str, object]] | None = None) -> None:
    from edoc.sign import KeySessionFactory, sign_many

    todo = _jobs(inputs, output, options)
    asked: list[str] = []

    def ask(prompt: str) -> str:
        value = str(click.prompt(prompt.rstrip(": "), hide_input=True, err=True))
        asked.append(value)
        return value

    try:
        anchors = tuple(p.read_bytes() for p in trust)
        extra = tuple(p.read_bytes() for p in intermediates)
    except OSError as exc:
        raise ResourceError(f"cannot read a certificate: {exc.strerror}", path=exc.filename) from exc
    factory = KeySessionFactory(key_uri, level=level, tsa_url=tsa_url, padding=padding, trust=anchors,
                                intermediates=extra)
    session = factory.open(pin=ask)  # the one PIN entry (also checks the key before any worker starts)
    if asked:
        factory = dataclasses.replace(factory, pin=asked[-1])
    lang = lang_of(ctx)

    def progress(done: int, total: int, outcome: Any) -> None:
        if outcome.ok:
            click.echo(f"[{done}/{total}] {_t(ctx, 'ok')}: {outcome.source} -> {outcome.output} "
                       f"({outcome.signing_time.isoformat()}, {outcome.ms:.0f} ms)")
        else:
            text = outcome.error_vi if lang == "vi" and outcome.error_vi else outcome.error
            click.echo(f"[{done}/{total}] {_t(ctx, 'fail')}: {text}", err=True)

    try:
        # forked workers inherit a key held in memory; token keys (spawned workers) open it from the factory
        results = sign_many(todo, act=act, session=session, session_factory=factory if jobs > 1 else None,
                            workers=jobs, progress=progress)
    finally:
        backend = getattr(session, "backend", None)
        if backend is not None:
            backend.close()
    ok = sum(r.ok for r in results)
    click.echo(_t(ctx, "summary").format(ok=ok, total=len(results)), err=True)
    if ok != len(results):
        ctx.exit(1)


@sign.command("approve")
@_common
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The person's signature image (PNG with transparency).")
@click.option("--signer-name", help="Name printed under box 7c, to find the place (default: the certificate's).")
@click.pass_context
def approve_cmd(ctx: click.Context, /, image: Path, signer_name: str | None, **kw: Any) -> None:
    """Chữ ký của người có thẩm quyền (ô 7c): certification signature with the signature image."""
    from edoc.sign import PreparedImage, approve

    act = functools.partial(approve, image=PreparedImage.load(image), signer_name=signer_name)
    _run(ctx, act, **kw)


@sign.command("issue")
@_common
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The agency seal (red PNG with transparency).")
@click.option("--number", type=click.IntRange(1), required=True,
              help="Document number (with several inputs: the first, then +1 each, in the given order).")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="Date of issue (default: today).")
@click.option("--seal-mm", type=click.FloatRange(5, 80), help="Real width of the seal in mm (default: PNG DPI).")
@click.pass_context
def issue_cmd(ctx: click.Context, /, image: Path, number: int, date_: dt.datetime | None, seal_mm: float | None,
              **kw: Any) -> None:
    """Phát hành: số, ngày và chữ ký của cơ quan với hình con dấu (ô 8)."""
    from edoc.sign import PreparedImage, issue
    from edoc.sign.acts import seal_width_mm

    act = functools.partial(issue, seal=PreparedImage.load(image), date=date_.date() if date_ else None,
                            seal_mm=seal_mm or seal_width_mm(image))
    _run(ctx, act, options=lambda i: {"number": number + i}, **kw)


@sign.command("appendix")
@_common
@click.option("--main-number", required=True, help="Number and notation of the main document, e.g. 05/QĐ-UBND.")
@click.pass_context
def appendix_cmd(ctx: click.Context, /, main_number: str, **kw: Any) -> None:
    """Phụ lục là tệp riêng: chữ ký cơ quan, dòng chữ góc trên bên phải trang 1."""
    from edoc.sign import appendix

    _run(ctx, functools.partial(appendix, main_number=main_number), **kw)


@sign.command("copy")
@_common
@click.option("--form", "form", type=click.Choice(["SAO Y", "SAO LỤC", "TRÍCH SAO"], case_sensitive=False),
              required=True, help="Copy form.")
@click.option("--body", "copying_body", required=True, help="Name of the copying body.")
@click.pass_context
def copy_cmd(ctx: click.Context, /, form: str, copying_body: str, **kw: Any) -> None:
    """Bản sao điện tử: SAO Y / SAO LỤC / TRÍCH SAO, cơ quan sao, thời gian ký."""
    from edoc.sign import copy

    _run(ctx, functools.partial(copy, form=form, copying_body=copying_body), **kw)


@sign.command("pdf")
@_common
@click.option("--page", type=click.IntRange(1), help="Page of a visible box (1-based).")
@click.option("--rect", help="Box x1,y1,x2,y2 in points.")
@click.option("--anchor", help="Put the box under this text.")
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Image in the box.")
@click.option("--text", help="Text in the box ({signer} and {time} are replaced; \\n for new lines).")
@click.option("--field", "field_name", default="Signature1", show_default=True, help="Signature field name.")
@click.pass_context
def pdf_cmd(ctx: click.Context, /, page: int | None, rect: str | None, anchor: str | None, image: Path | None,
            text: str | None, field_name: str, **kw: Any) -> None:
    """Chữ ký thông thường: ẩn, hoặc trong ô theo tọa độ hay theo dòng chữ neo."""
    from edoc.sign import PreparedImage
    from edoc.sign import sign as plain

    box = None
    if rect is not None:
        try:
            parts = tuple(float(v) for v in rect.split(","))
        except ValueError as exc:
            raise InvalidInput("--rect must be x1,y1,x2,y2", field="rect") from exc
        if len(parts) != 4 or parts[2] <= parts[0] or parts[3] <= parts[1]:
            raise InvalidInput("--rect must be x1,y1,x2,y2 with x2 > x1 and y2 > y1", field="rect")
        box = parts
    act = functools.partial(plain, page=None if page is None else page - 1, rect=box, anchor=anchor,
                            image=PreparedImage.load(image) if image else None,
                            text=text.replace("\\n", "\n") if text else None, field_name=field_name)
    _run(ctx, act, **kw)


@sign.command("edxml")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Signed edXML file.")
@click.option("--key", "key_uri", required=True, help="Key URI: pkcs12:…, pem:…, pkcs11:…")
@click.option("--level", type=click.Choice(["B-B", "B-T"]), default="B-B", show_default=True, help="XAdES level.")
@click.option("--tsa", "tsa_url", help="RFC 3161 time-stamp server URL (B-T).")
@click.pass_context
def edxml_cmd(ctx: click.Context, /, source: Path, output: Path, key_uri: str, level: str,
              tsa_url: str | None) -> None:
    """Ký thông điệp edXML (XAdES, chữ ký bao trong edXMLHeader)."""
    from edoc.keys import open_key
    from edoc.sign.xades import sign_edxml

    def ask(prompt: str) -> str:
        return str(click.prompt(prompt.rstrip(": "), hide_input=True, err=True))

    with open_key(key_uri, pin=ask) as key:
        sign_edxml(source, output, key=key, level=level, tsa_url=tsa_url)
    click.echo(f"{_t(ctx, 'ok')}: {source} -> {output}")
