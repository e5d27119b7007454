"""Choosing the typeface of the document and checking that it covers the text.

Decree 30 asks for Times New Roman. It is used when installed; otherwise a metric-compatible free face
with Vietnamese coverage (Liberation Serif, then Tinos), then any serif face fontconfig knows that covers
every character of the document. The chosen face is reported in :attr:`FontFace.family`.

A face is four TrueType files (regular, bold, italic, bold italic). When a style is missing, the regular
file stands in for it (and :attr:`FontFace.synthetic_styles` says so).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from edoc.errors import InvalidInput, ResourceError

__all__ = ["FontFace", "find_face", "face_from_file", "check_coverage", "STYLES"]

#: fpdf2 style keys: regular, bold, italic, bold italic.
STYLES = ("", "B", "I", "BI")

_LOG = logging.getLogger(__name__)

#: Known file names per family and style, searched in the usual font folders before asking fontconfig.
_KNOWN: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    ("Times New Roman", ("Times_New_Roman.ttf", "Times_New_Roman_Bold.ttf", "Times_New_Roman_Italic.ttf",
                         "Times_New_Roman_Bold_Italic.ttf")),
    ("Times New Roman", ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf")),
    ("Liberation Serif", ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
                          "LiberationSerif-BoldItalic.ttf")),
    ("Tinos", ("Tinos-Regular.ttf", "Tinos-Bold.ttf", "Tinos-Italic.ttf", "Tinos-BoldItalic.ttf")),
)
_FOLDERS = (
    "/usr/share/fonts/truetype/msttcorefonts",
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/croscore",
    "/usr/share/fonts/truetype/tinos",
    "/usr/local/share/fonts",
    "C:/Windows/Fonts",
    "/Library/Fonts",
)
_FC_STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "Bold Italic"}
_FC_TIMEOUT = 10.0


@dataclass(frozen=True)
class FontFace:
    """A typeface: one TrueType file per style, and the code points the regular style covers."""

    family: str
    #: style ("", "B", "I", "BI") -> file
    files: Mapping[str, Path]
    #: styles served by another style's file (no such file installed)
    synthetic_styles: tuple[str, ...] = ()
    cmaps: Mapping[str, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)

    def covers(self, text: str, style: str = "") -> bool:
        cmap = self.cmaps.get(style) or self.cmaps.get("", frozenset())
        return all(ord(c) in cmap or _ignorable(c) for c in text)


def _ignorable(char: str) -> bool:
    return char in "\n\r\t" or unicodedata.category(char) in ("Zl", "Zp")


@lru_cache(maxsize=64)
def _cmap_of(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset((font.getBestCmap() or {}).keys())
    except (OSError, TTLibError, KeyError, AssertionError, ValueError, TypeError) as exc:
        raise ResourceError(f"cannot read the font: {exc}", path=path,
                            message_vi=f"Không đọc được phông chữ: {exc}") from exc


def _make_face(family: str, files: dict[str, Path]) -> FontFace:
    regular = files[""]
    synthetic = tuple(s for s in STYLES if s not in files)
    full = {s: files.get(s, files.get("B" if s == "BI" and "B" in files else "", regular)) for s in STYLES}
    cmaps = {s: _cmap_of(str(p)) for s, p in full.items()}
    return FontFace(family=family, files=full, synthetic_styles=synthetic, cmaps=cmaps)


def face_from_file(path: str | Path) -> FontFace:
    """The face of a TrueType file given by the user (``--font``); sibling files give the other styles.

    Siblings are found by replacing ``Regular`` in the file name with ``Bold``, ``Italic`` and
    ``BoldItalic`` (Liberation, Tinos, Noto style names).

    :raises ResourceError: the file does not exist or is not a font.
    """
    p = Path(path)
    if not p.is_file():
        raise ResourceError("the font file does not exist", path=p, message_vi="Tệp phông chữ không tồn tại")
    files: dict[str, Path] = {"": p}
    if "Regular" in p.name:
        for style, word in (("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
            sib = p.with_name(p.name.replace("Regular", word))
            if sib.is_file():
                files[style] = sib
    family = _family_name(p)
    return _make_face(family, files)


def _family_name(path: Path) -> str:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(path), lazy=True) as font:
            name = font["name"].getDebugName(1)
    except (OSError, TTLibError, KeyError, AssertionError, ValueError, TypeError) as exc:
        raise ResourceError(f"cannot read the font: {exc}", path=path,
                            message_vi=f"Không đọc được phông chữ: {exc}") from exc
    return str(name or path.stem)


def _known_faces() -> Iterable[FontFace]:
    for family, names in _KNOWN:
        for folder in _FOLDERS:
            base = Path(folder)
            if not (base / names[0]).is_file():
                continue
            files = {s: base / n for s, n in zip(STYLES, names, strict=True) if (base / n).is_file()}
            yield _make_face(family, files)
            break


def _fc_match(pattern: str) -> tuple[str, Path] | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{family[0]}\n%{file}", pattern], capture_output=True, text=True,
                             timeout=_FC_TIMEOUT, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.splitlines()
    if len(lines) < 2 or not lines[1].lower().endswith((".ttf", ".otf")):
        return None
    return lines[0], Path(lines[1])


def _fontconfig_faces(families: Iterable[str]) -> Iterable[FontFace]:
    for family in families:
        found = _fc_match(f"{family}:style=Regular")
        if found is None or (found[0].casefold() != family.casefold() and family != "serif"):
            continue
        files = {"": found[1]}
        for style in STYLES[1:]:
            sib = _fc_match(f"{found[0]}:style={_FC_STYLES[style]}")
            if sib is not None and sib[0] == found[0] and sib[1] != found[1]:
                files[style] = sib[1]
        yield _make_face(found[0], files)


def find_face(text: str = "") -> FontFace:
    """The best installed face that covers ``text`` (Times New Roman, Liberation Serif, Tinos, any serif).

    :raises ResourceError: no installed face covers the text (the message names a missing character).
    """
    tried: list[str] = []
    seen: set[Path] = set()
    families = ("Times New Roman", "Liberation Serif", "Tinos", "serif")
    for face in (*_known_faces(), *_fontconfig_faces(families)):
        if face.files[""] in seen:
            continue
        seen.add(face.files[""])
        tried.append(face.family)
        if all(face.covers(text, s) for s in STYLES):
            return face
    if not tried:
        raise ResourceError(
            "no serif TrueType font is installed; install Times New Roman or fonts-liberation2",
            message_vi="Không có phông chữ có chân (serif) nào; hãy cài Times New Roman hoặc fonts-liberation2",
        )
    raise ResourceError(
        f"no installed serif font covers all the text (tried: {', '.join(tried)})",
        message_vi=f"Không phông chữ nào đã cài có đủ ký tự của văn bản (đã thử: {', '.join(tried)})",
    )


def check_coverage(face: FontFace, texts: Iterable[tuple[str, str, str]]) -> None:
    """Check that ``face`` has a glyph for every character of every ``(field, text, style)``.

    :raises InvalidInput: naming the first missing character (code point) and its field.
    """
    for field_name, text, style in texts:
        cmap = face.cmaps.get(style) or face.cmaps[""]
        for char in text:
            if ord(char) not in cmap and not _ignorable(char):
                name = unicodedata.name(char, "unnamed")
                raise InvalidInput(
                    f"the font {face.family} has no glyph for {char!r} (U+{ord(char):04X} {name})",
                    message_vi=f"Phông chữ {face.family} không có ký tự {char!r} (U+{ord(char):04X} {name})",
                    field=field_name,
                )
