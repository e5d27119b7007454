"""Signing from async code: the sync API inside a running event loop, the async forms, gathered batches."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    from edoc.pdf import render_pdf
    from edoc.samples import thuan_nam_decision

    path = tmp_path / "draft.pdf"
    render_pdf(thuan_nam_decision(), path)
    return path


def test_sync_session_and_sign_inside_a_running_loop(draft: Path, pki: Any, pki_files: Path) -> None:
    """An ASGI handler or a notebook cell: opening a B-T session (it measures the TSA) and signing."""
    from edoc.sign import KeySessionFactory, sign
    from pki import pem_uri

    tsa = f"{pki.url_prefix}/vn-test/tsa/tsa"

    async def handler() -> bytes:
        session = KeySessionFactory(pem_uri(pki_files, "agency-rsa"), level="B-T", tsa_url=tsa).open()
        return sign(draft, session=session).data

    data = asyncio.run(handler())
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    (embedded,) = PdfFileReader(BytesIO(data)).embedded_signatures
    unsigned = [a["type"].native for a in embedded.signer_info["unsigned_attrs"]]
    assert unsigned == ["signature_time_stamp_token"]  # B-T: the signature time-stamp came from the TSA
