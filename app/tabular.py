"""Reading uploaded tables (membership register, enterprise rosters): CSV or XLSX into rows of text."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from app.errors import Invalid


def read_rows(filename: str, content: bytes) -> list[list[str]]:
    """The rows of a CSV (UTF-8 or GB18030) or XLSX upload, header first. Raises Invalid."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise Invalid(_("This file is not a readable XLSX workbook."), field="file") from None
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid(_("The CSV file must be UTF-8 or GB18030 text."), field="file")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
