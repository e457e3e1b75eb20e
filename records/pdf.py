"""The printable record: an A4 PDF (reportlab, built-in CID font STSong-Light for Chinese) with
a QR code to the page that confirms the printout is genuine and current."""

from __future__ import annotations

import io
from datetime import datetime

import segno
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import local_time
from app.labels import label
from records.queries.record import Record

FONT = "STSong-Light"
SEP = "，"   # the CID font has no middle dot


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render_record_pdf(record: Record, *, verify_url: str, printed_at: datetime) -> bytes:
    """The record as others may see it (no failed attempts), with the verification QR code."""
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11, textColor=colors.grey)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=1)
    qr.seek(0)
    head = Table([[
        [Paragraph(_("Training record"), title), Spacer(1, 4),
         Paragraph(f"{record.name}" + (f"{SEP}{_('Member no.')} {record.member_no}" if record.member_no else ""), body),
         Paragraph(record.union_name or "", body),
         Paragraph(_("Printed %(time)s", time=local_time(printed_at)), small)],
        Image(qr, width=32 * mm, height=32 * mm)]], colWidths=[140 * mm, 36 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    t = record.totals
    totals = Table([[Paragraph(f"{_('Hours this year')}<br/><b>{t.hours_this_year}</b>", body),
                     Paragraph(f"{_('Hours in total')}<br/><b>{t.hours_total}</b>", body),
                     Paragraph(f"{_('Certificates valid')}<br/><b>{t.certificates_valid}</b>", body),
                     Paragraph(f"{_('Expiring soon')}<br/><b>{t.certificates_expiring}</b>", body)]],
                   colWidths=[44 * mm] * 4)
    totals.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey)]))
    rows = [[Paragraph(_("Date"), body), Paragraph(_("Type of entry"), body), Paragraph(_("What"), body),
             Paragraph(_("Status"), body)]]
    for e in record.entries:
        if e.only_member:
            continue
        subtitle = label(e.subtitle, "honour_kind") if e.kind == "honour" else label(e.subtitle, "component")
        what = e.title + (f"{SEP}{subtitle}" if e.subtitle else "")
        extra = []
        if e.details.get("hours"):
            extra.append(_("%(n)s hours", n=e.details["hours"]))
        if e.source:
            extra.append(e.source)
        if e.kind == "certificate":
            extra.append(_("issued by the platform") if e.ours else _("government certificate (recorded)"))
            if e.details.get("number"):
                extra.append(str(e.details["number"]))
        rows.append([Paragraph(e.on.isoformat() if e.on else "", body), Paragraph(label(e.kind, "record_kind"), body),
                     Paragraph(what + ("<br/><font size=7.5 color=grey>" + SEP.join(extra) + "</font>"
                                       if extra else ""), body),
                     Paragraph(label(e.status), body)])
    table = Table(rows, colWidths=[22 * mm, 24 * mm, 110 * mm, 20 * mm], repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=17 * mm, rightMargin=17 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=_("Training record"), author="技能培训超市")
    doc.build([head, Spacer(1, 8), totals, Spacer(1, 8), table, Spacer(1, 8),
               Paragraph(_("Scan the code or open %(url)s to check that this printout is genuine and current.",
                           url=verify_url), small)])
    return out.getvalue()
