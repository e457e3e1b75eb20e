"""The admission ticket (准考证): its QR and its PDF (reportlab, the built-in CID font
STSong-Light so Chinese prints on a fresh machine without font files)."""

from __future__ import annotations

import io

import segno
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from app.i18n import local_time
from exams.labels import component_label
from exams.models import ExamBooking

FONT = "STSong-Light"


def ticket_qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True, title=_("Admission ticket"))


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def ticket_pdf(booking: ExamBooking, *, name: str, id_masked: str, check_in_url: str) -> bytes:
    """One A5 page: the facts a proctor checks, a photo box and the check-in QR."""
    font = _font()
    s = booking.exam_session
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    width, height = A5
    pdf.setTitle(f"准考证 {booking.id}")
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 20 * mm, "准考证 Admission ticket")
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, height - 28 * mm, s.certificate_type.name_zh)
    rows = [
        ("姓名", name), ("身份证号", id_masked), ("考试科目", f"{component_label(s.component.kind)}"),
        ("场次", s.title), ("时间", f"{local_time(s.starts_at)} – {local_time(s.ends_at, 'HH:mm')}"),
        ("地点", f"{s.city} {s.venue}"), ("考场", s.room or "—"), ("座位号", str(booking.seat_no or "—")),
        ("准考证号", f"{s.id:04d}-{booking.id:06d}"),
    ]
    y = height - 42 * mm
    for label, value in rows:
        pdf.setFont(font, 10)
        pdf.drawString(15 * mm, y, label)
        pdf.setFont(font, 11)
        pdf.drawString(38 * mm, y, str(value)[:40])
        y -= 8 * mm
    # photo placeholder
    pdf.rect(width - 40 * mm, height - 72 * mm, 25 * mm, 32 * mm)
    pdf.setFont(font, 9)
    pdf.drawCentredString(width - 27.5 * mm, height - 57 * mm, "照片")
    # QR drawn module by module: no image library needed
    qr = segno.make(check_in_url, error="m")
    size = 38 * mm
    modules = qr.symbol_size(border=0)[0]
    cell = size / modules
    x0, y0 = (width - size) / 2, 18 * mm
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(qr.matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(x0 + col_index * cell, y0 + size - (row_index + 1) * cell, cell, cell, stroke=0, fill=1)
    pdf.setFont(font, 8)
    pdf.drawCentredString(width / 2, 12 * mm, "请携带本证及身份证原件，提前30分钟到达考场，由监考员扫码签到。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
