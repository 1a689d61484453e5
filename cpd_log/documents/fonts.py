"""Fonts for the PDF: embedded TrueType faces shipped by Python packages, chosen per glyph.

ReportLab does not fall back between fonts, so user text is split into runs, each set in the first
font whose character map covers it (read with fontTools). Noto Sans and its script companions come
from `manimgx-fonts`, CJK from WenQuanYi Micro Hei in `paperang-p2-fonts-cjk`. Right-to-left runs
are reordered for display (python-bidi) and Arabic letters joined (arabic-reshaper), because
ReportLab draws glyphs left to right as given.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
import manimgx_fonts
import paperang_p2_fonts_cjk
from bidi import get_display
from fontTools.ttLib import TTCollection, TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportLabFont

NOTO = Path(manimgx_fonts.__file__).parent
CJK = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
MAIN = "PortfolioSans"
# (ReportLab name, file): the order is the fallback order.
FACES = [
    (MAIN, NOTO / "NotoSans[wght].ttf"),
    ("PortfolioSymbols", NOTO / "NotoSansSymbols[wght].ttf"),
    ("PortfolioArabic", NOTO / "NotoSansArabic[wght].ttf"),
    ("PortfolioHebrew", NOTO / "NotoSansHebrew[wght].ttf"),
    ("PortfolioDevanagari", NOTO / "NotoSansDevanagari[wght].ttf"),
    ("PortfolioThai", NOTO / "NotoSansThai[wght].ttf"),
    ("PortfolioCJK", CJK),
    ("PortfolioEmoji", NOTO / "NotoEmoji[wght].ttf"),
]
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan… and their presentation forms.
_RTL_SCRIPTS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff]")


@cache
def register(name: str = MAIN) -> str:
    """Register one face with ReportLab, once per process. The fallbacks are registered the first
    time some text needs them: the CJK face alone costs tens of megabytes once parsed."""
    path = dict(FACES)[name]
    if path.suffix == ".ttc":
        pdfmetrics.registerFont(ReportLabFont(name, str(path), subfontIndex=0))
    else:
        pdfmetrics.registerFont(ReportLabFont(name, str(path)))
    return name


@cache
def _coverage() -> list[tuple[str, frozenset[int]]]:
    result = []
    for name, path in FACES:
        if path.suffix == ".ttc":
            font = TTCollection(str(path), lazy=True).fonts[0]
        else:
            font = TTFont(str(path), lazy=True)
        result.append((name, frozenset(font.getBestCmap())))
        font.close()
    return result


def _class(codes) -> str:
    """A regex character class of these code points, as ranges."""
    ordered, parts, start = sorted(codes), [], None
    for i, code in enumerate(ordered):
        if start is None:
            start = code
        if i + 1 == len(ordered) or ordered[i + 1] != code + 1:
            parts.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(code)) if code != start else "")
            )
            start = None
    return "".join(parts)


@cache
def _outside_main():
    """Matches any character the main face lacks: most text needs no per-character work."""
    main = _coverage()[0][1]
    return re.compile(f"[^{_class(main)}]")


@cache
def font_for(char: str) -> str | None:
    """The first face that has a glyph for `char`; None when none has (the char is dropped)."""
    code = ord(char)
    for name, codes in _coverage():
        if code in codes:
            return name
    return None


def visual(text: str) -> str:
    """Right-to-left text reordered for left-to-right drawing; Arabic letters shaped."""
    if not _RTL_SCRIPTS.search(text):
        return text
    return get_display(arabic_reshaper.reshape(text))


def main_font_only(text: str) -> bool:
    """True when the main face can set all of `text` as it stands (no RTL reordering needed)."""
    return not _outside_main().search(text) and not _RTL_SCRIPTS.search(text)


def markup(text: str) -> str:
    """User text as safe Paragraph markup: escaped, line breaks kept, runs in covering fonts.

    Characters no face covers are replaced by U+FFFD in the main font — a visible mark rather
    than an empty box; invisible format characters (ZWJ, variation selectors) are dropped.
    """
    lines = [_line(visual(line)) for line in str(text).replace("\r\n", "\n").split("\n")]
    return "<br/>".join(lines)


def _line(text: str) -> str:
    if not _outside_main().search(text):  # the common case: Noto Sans has every glyph
        return escape(text)
    runs: list[tuple[str, list[str]]] = []
    for char in text:
        face = font_for(char)
        if face is None:
            if unicodedata.category(char) in {"Cf", "Mn", "Cc", "Cs", "Co", "Cn"}:
                continue
            face, char = MAIN, "\ufffd"
        if face != MAIN:
            register(face)
        if runs and runs[-1][0] == face:
            runs[-1][1].append(char)
        else:
            runs.append((face, [char]))
    return "".join(
        escape("".join(chars))
        if face == MAIN
        else f'<font name="{face}">{escape("".join(chars))}</font>'
        for face, chars in runs
    )
