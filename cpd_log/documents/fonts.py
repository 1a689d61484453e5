"""Fonts for the PDF: embedded TrueType faces shipped by Python packages, chosen per glyph.

ReportLab does not fall back between fonts, so user text is split into runs, each set in the first
font whose character map covers it (read with fontTools). Noto Sans and its script companions come
from `manimgx-fonts`, CJK from WenQuanYi Micro Hei in `paperang-p2-fonts-cjk`. Right-to-left runs
are reordered for display (python-bidi) and Arabic letters joined (arabic-reshaper), because
ReportLab draws glyphs left to right as given.

Bold and italic exist for the main face only (labels, and Markdown emphasis in reflections). The
package ships Noto Sans as a variable font, whose default instance is the regular weight; the bold
instance is made once with fontTools (about 2.5 s) and kept in a per-user cache folder, so later
processes load it in milliseconds. Bold italic is set in bold.
"""

import io
import os
import re
import tempfile
import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
import manimgx_fonts
import paperang_p2_fonts_cjk
from bidi import get_display
from fontTools.ttLib import TTCollection, TTFont
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportLabFont

NOTO = Path(manimgx_fonts.__file__).parent
CJK = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
MAIN = "PortfolioSans"
BOLD = "PortfolioSans-Bold"
ITALIC = "PortfolioSans-Italic"
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
    if name in (BOLD, ITALIC):
        return _register_styles(name)
    path = dict(FACES)[name]
    if path.suffix == ".ttc":
        pdfmetrics.registerFont(ReportLabFont(name, str(path), subfontIndex=0))
    else:
        pdfmetrics.registerFont(ReportLabFont(name, str(path)))
    return name


def _register_styles(name: str) -> str:
    """The main face's bold or italic, and the family mapping Paragraph's <b> and <i> use."""
    register(MAIN)
    source = _bold_file() if name == BOLD else str(NOTO / "NotoSans-Italic[wght].ttf")
    pdfmetrics.registerFont(ReportLabFont(name, source))
    bold = BOLD if name == BOLD or BOLD in pdfmetrics.getRegisteredFontNames() else MAIN
    italic = ITALIC if name == ITALIC or ITALIC in pdfmetrics.getRegisteredFontNames() else MAIN
    for is_bold, is_italic, face in ((0, 0, MAIN), (1, 0, bold), (0, 1, italic), (1, 1, bold)):
        addMapping(MAIN, is_bold, is_italic, face)
    return name


def _bold_file():
    """The bold instance of the variable main face: a cached file, else made (and cached when the
    cache folder is writable; otherwise kept in memory)."""
    source = dict(FACES)[MAIN]
    stamp = source.stat()
    folder = Path(tempfile.gettempdir()) / f"cpd-log-fonts-{os.getuid()}"
    cached = folder / f"NotoSans-Bold-2-{stamp.st_size}-{int(stamp.st_mtime)}.ttf"
    if cached.is_file() and cached.stat().st_uid == os.getuid():
        return str(cached)
    from fontTools.varLib import instancer  # 10 MB of modules, needed only to make the file

    data = io.BytesIO()
    bold = instancer.instantiateVariableFont(TTFont(str(source)), {"wght": 700})
    # ReportLab keeps one font per PostScript name: the instance must not be "NotoSans-Regular".
    bold["name"].removeNames(nameID=6)
    bold["name"].setName("NotoSans-Bold", 6, 3, 1, 0x409)
    bold.save(data)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_uid != os.getuid():
            raise PermissionError(folder)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
            out.write(data.getvalue())
        os.replace(out.name, cached)  # atomic: a parallel process reads a whole file or none
    except OSError:
        return io.BytesIO(data.getvalue())
    return str(cached)


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
