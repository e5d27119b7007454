"""Property test: any NFC Vietnamese content renders to a clean PDF/A whose text extracts back."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from edoc.model import Heading, HeadingLevel, Paragraph, Point
from edoc.pdf import Renderer
from edoc.pdfa import check_pdfa_bytes
from edoc.samples import thuan_nam_decision

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
WORD = st.text(alphabet=LETTERS + LETTERS.upper()[:20], min_size=1, max_size=12)
SENTENCE = st.lists(WORD, min_size=1, max_size=40).map(" ".join)
BLOCK = st.one_of(
    SENTENCE.map(Paragraph),
    SENTENCE.map(lambda s: Heading(s[:80], HeadingLevel.ARTICLE)),
    SENTENCE.map(lambda s: Point("a)", s)),
)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(BLOCK, min_size=1, max_size=8))
def test_rendered_content_is_clean_and_extractable(renderer: Renderer, blocks: list[object]) -> None:
    doc = thuan_nam_decision().replace(content=tuple(blocks), appendices=())
    buf = io.BytesIO()
    renderer.render(doc, buf)
    data = buf.getvalue()
    assert check_pdfa_bytes(data) == []
    reader = PdfReader(io.BytesIO(data))
    text = _norm("".join(page.extract_text() for page in reader.pages))
    for block in blocks:
        assert _norm(block.text) in text  # type: ignore[attr-defined]
