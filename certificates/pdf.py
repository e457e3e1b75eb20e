"""The printable certificate: A4 landscape, Chinese in reportlab's built-in CID font
STSong-Light (every PDF viewer provides it, nothing to install), the union's name, holder,
type and level, dates, number, issuer, a QR code to the public page, and the signed
credential attached as ``credential.json`` (pypdf)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from certificates.verifier import ATTACHMENT_NAME

FONT = "STSong-Light"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _day(value: datetime | None) -> str:
    if value is None:
        return "长期有效 / No expiry"
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 / {local:%Y-%m-%d}"


def _qr_png(url: str) -> ImageReader:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return ImageReader(buffer)


def render_pdf(cert, *, page_url: str, union_name: str) -> bytes:
    """One certificate as a PDF with its signed credential attached."""
    font = _font()
    raw = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(raw, pagesize=(width, height), invariant=1)
    c.setTitle(f"{cert.title} {cert.number}")
    c.setAuthor(union_name)
    gold, ink, muted = HexColor("#b8862b"), HexColor("#1d2733"), HexColor("#5b6673")
    c.setStrokeColor(gold)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(ink)
    c.setFont(font, 16)
    c.drawCentredString(width / 2, height - 36 * mm, union_name)
    c.setFont(font, 34)
    c.drawCentredString(width / 2, height - 54 * mm, "证　书")
    c.setFont(font, 11)
    c.setFillColor(muted)
    c.drawCentredString(width / 2, height - 62 * mm, "CERTIFICATE")

    c.setFillColor(ink)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 82 * mm, cert.holder_name)
    c.setFont(font, 13)
    title = cert.title + (f"（{cert.level}）" if cert.level else "")
    c.drawCentredString(width / 2, height - 94 * mm, "经考核合格，特发此证。" if cert.kind != "training"
                        else "完成培训，特发此证。")
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 108 * mm, title)

    rows = [
        ("证书编号 No.", cert.number or ""),
        ("发证日期 Valid from", _day(cert.valid_from)),
        ("有效期至 Valid until", _day(cert.valid_until)),
        ("发证机构 Issuer", cert.issuer_name),
    ]
    if cert.review_due:
        rows.insert(3, ("复审日期 Review due", _day(cert.review_due)))
    if cert.id_last4:
        rows.append(("证件尾号 ID (last 4)", cert.id_last4))
    y = height - 128 * mm
    for label, value in rows:
        c.setFont(font, 10)
        c.setFillColor(muted)
        c.drawString(40 * mm, y, label)
        c.setFillColor(ink)
        # Latin-only values read better in Helvetica (the CJK font's Latin glyphs are wide).
        c.setFont("Helvetica" if value.isascii() else font, 12)
        c.drawString(88 * mm, y, value)
        y -= 8 * mm

    size = 42 * mm
    c.drawImage(_qr_png(page_url), width - 40 * mm - size, 28 * mm, size, size)
    c.setFont(font, 8)
    c.setFillColor(muted)
    c.drawCentredString(width - 40 * mm - size / 2, 24 * mm, "扫码查验 Scan to verify")
    c.setFont("Helvetica", 8)
    c.drawString(40 * mm, 24 * mm, page_url)
    c.showPage()
    c.save()
    return attach_credential(raw.getvalue(), cert.credential or "{}")


def attach_credential(pdf: bytes, credential_json: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(ATTACHMENT_NAME, credential_json.encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_of(pdfs: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in pdfs:
            archive.writestr(name, data)
    return buffer.getvalue()
