"""PDFs render Chinese: the CJK font is a real TrueType font embedded in the file."""

import io

from reportlab.pdfgen import canvas

from ecomops.core.pdf import cjk_font


def test_chinese_text_is_drawn_with_an_embedded_font():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(cjk_font(), 12)
    pdf.drawString(40, 800, "收货标签 西湖龙井 黑色 M")
    pdf.save()
    data = buffer.getvalue()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # the TrueType program is embedded, not merely referenced
    assert b"STSong" not in data
