"""The printable certificate: A4 landscape, Chinese in reportlab's built-in CID font
STSong-Light (every PDF viewer provides it, nothing to install or embed), the union's name,
holder, type and level, dates, number, issuer, a QR code to the public page, and the signed
credential attached as ``credential.json``.

Rendered once per certificate when it is issued (the bulk job renders thousands), so it is
kept cheap: the font is registered once per process, the QR code is drawn as vector runs of
modules with a fixed mask (no PNG, no image decoding, no mask search), and the credential is
embedded by reportlab itself in the same pass (no second parse and write of the PDF). The PDF
shows no state: revocation and suspension are read from the QR page or the status lists.
"""

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
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFStream,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfgen import canvas

from certificates.verifier import ATTACHMENT_NAME

FONT = "STSong-Light"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WIDTH, HEIGHT = landscape(A4)
GOLD, INK, MUTED = HexColor("#b8862b"), HexColor("#1d2733"), HexColor("#5b6673")
QR_SIZE = 42 * mm
QR_BORDER = 2          # modules of quiet zone around the code (the page around it is white too)
# Any of the eight masks gives a valid code; choosing the "best" one scores all eight and costs
# ~10 ms a certificate (most of a PDF's time), so one is fixed.
QR_MASK = 0
_registered = False


class _Formatted(PDFObject):
    """A PDF object already formatted (bytes written as they are)."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


class _CachedCIDFont(UnicodeCIDFont):
    """STSong-Light whose font dictionary (with its widths array, ~120 numbers to format) is
    formatted once per process instead of once per PDF: it references no other object, so the
    same bytes serve every document that gives it the same internal name."""

    _formatted: dict[str, bytes] = {}

    def addObjects(self, doc) -> None:
        internal = "F" + repr(len(doc.fontMapping) + 1)      # as reportlab names it
        data = self._formatted.get(internal)
        if data is None:
            super().addObjects(doc)
            data = self._formatted[internal] = pdf_format(doc.idToObject[internal], doc)
            doc.idToObject[internal] = _Formatted(data)
            return
        doc.idToObject["BasicFonts"].dict[internal] = doc.Reference(_Formatted(data), internal)
        doc.fontMapping[self.name] = "/" + internal


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(_CachedCIDFont(FONT))
        _registered = True
    return FONT


def _day(value: datetime | None) -> str:
    if value is None:
        return "长期有效 / No expiry"
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 / {local:%Y-%m-%d}"


def _draw_qr(c: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of rectangles, one per horizontal run of dark modules,
    written in module units under a scaling transform (integers only: nothing to format)."""
    matrix = segno.make(url, error="m", mask=QR_MASK).matrix
    count = len(matrix)
    module = size / (count + 2 * QR_BORDER)
    runs = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < count:
            if cells[col]:
                start = col
                while col < count and cells[col]:
                    col += 1
                runs.append(f"{start} {row} {col - start} 1 re")
            else:
                col += 1
    c.saveState()
    # Origin at the code's top-left module, one unit per module, rows counted downwards.
    c.transform(module, 0, 0, -module, x + QR_BORDER * module, y + size - QR_BORDER * module)
    c.addLiteral("n " + " ".join(runs) + " f")
    c.restoreState()


def _embed(c: canvas.Canvas, name: str, data: bytes) -> None:
    """Attach ``data`` as an embedded file (the catalog's EmbeddedFiles name tree, PDF 7.11.4)."""
    document = c._doc      # reportlab has no public API for attachments; its object model does it
    stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": "/application#2Fjson",
                                      "Params": PDFDictionary({"Size": len(data)})}), data, filters=[PDFZCompress])
    filespec = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(name), "UF": PDFString(name),
                              "Desc": PDFString("Signed credential (Open Badges 3.0)"),
                              "EF": PDFDictionary({"F": document.Reference(stream)})})
    document.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary(
        {"Names": PDFArray([PDFString(name), document.Reference(filespec)])})})


def render_pdf(cert, *, page_url: str, union_name: str) -> bytes:
    """One certificate as a PDF with its signed credential attached. ``cert`` needs the
    attributes a :class:`certificates.models.Certificate` has (a snapshot object will do)."""
    font = _font()
    raw = io.BytesIO()
    c = canvas.Canvas(raw, pagesize=(WIDTH, HEIGHT), invariant=1, pageCompression=1)
    c.setTitle(f"{cert.title} {cert.number}")
    c.setAuthor(union_name)
    c.setStrokeColor(GOLD)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, WIDTH - 32 * mm, HEIGHT - 32 * mm)

    c.setFillColor(INK)
    c.setFont(font, 16)
    c.drawCentredString(WIDTH / 2, HEIGHT - 36 * mm, union_name)
    c.setFont(font, 34)
    c.drawCentredString(WIDTH / 2, HEIGHT - 54 * mm, "证　书")
    c.setFont(font, 11)
    c.setFillColor(MUTED)
    c.drawCentredString(WIDTH / 2, HEIGHT - 62 * mm, "CERTIFICATE")

    c.setFillColor(INK)
    c.setFont(font, 22)
    c.drawCentredString(WIDTH / 2, HEIGHT - 82 * mm, cert.holder_name)
    c.setFont(font, 13)
    title = cert.title + (f"（{cert.level}）" if cert.level else "")
    c.drawCentredString(WIDTH / 2, HEIGHT - 94 * mm, "经考核合格，特发此证。" if cert.kind != "training"
                        else "完成培训，特发此证。")
    c.setFont(font, 18)
    c.drawCentredString(WIDTH / 2, HEIGHT - 108 * mm, title)

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
    y = HEIGHT - 128 * mm
    for label, value in rows:
        c.setFont(font, 10)
        c.setFillColor(MUTED)
        c.drawString(40 * mm, y, label)
        c.setFillColor(INK)
        # Latin-only values read better in Helvetica (the CJK font's Latin glyphs are wide).
        c.setFont("Helvetica" if value.isascii() else font, 12)
        c.drawString(88 * mm, y, value)
        y -= 8 * mm

    c.setFillColor(INK)
    _draw_qr(c, page_url, WIDTH - 40 * mm - QR_SIZE, 28 * mm, QR_SIZE)
    c.setFont(font, 8)
    c.setFillColor(MUTED)
    c.drawCentredString(WIDTH - 40 * mm - QR_SIZE / 2, 24 * mm, "扫码查验 Scan to verify")
    c.setFont("Helvetica", 8)
    c.drawString(40 * mm, 24 * mm, page_url)
    _embed(c, ATTACHMENT_NAME, (cert.credential or "{}").encode())
    c.showPage()
    # The page stream deflated only (reportlab adds ASCII85 on top by default: a third larger
    # and the slowest step of writing the file).
    page = c._doc.Pages.pages[-1]
    page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
    c.save()
    return raw.getvalue()


def attach_credential(pdf: bytes, credential_json: str) -> bytes:
    """``pdf`` with ``credential_json`` attached (pypdf: used to build PDFs in tests and tools;
    the certificates themselves embed their credential while rendering)."""
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
