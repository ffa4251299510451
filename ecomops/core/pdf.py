"""PDF helpers shared by labels, pick lists, waybills and pay slips.

Chinese text needs a font embedded in the PDF: the reportlab built-in CID font (STSong-Light) is not
embedded and shows blank in some readers. We embed Noto Sans SC (SIL Open Font License), a TrueType
font installed from PyPI through ``justmytype-intl-cjk`` (see the lock files); reportlab embeds the
subset of glyphs each document uses.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

CJK_FONT = "NotoSansSC"


@cache
def cjk_font() -> str:
    """Register the embedded CJK font with reportlab (once) and return its name for ``setFont``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = resources.files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    with resources.as_file(path) as font_file:
        pdfmetrics.registerFont(TTFont(CJK_FONT, str(font_file)))
    return CJK_FONT
