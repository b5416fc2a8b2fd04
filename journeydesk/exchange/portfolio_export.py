"""A plain table (a header and rows) as CSV or as a one-sheet Excel workbook: the files the
opportunity portfolio writes.

The CSV is UTF-8 with a byte-order mark (Excel reads it as UTF-8 then; Jira's and other
trackers' importers skip the mark) and CRLF line ends, with every text cell that a
spreadsheet would run as a formula guarded by a leading ``'`` (see
:func:`journeydesk.exchange.csv_cards.safe_cell`).  In the workbook text cells are stored as
text, never as formulas (:func:`journeydesk.exchange.excel_cells.put`).  Both are written
atomically: readers see the old file or the whole new one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journeydesk.exchange.csv_cards import BOM, safe_cell
from journeydesk.exchange.excel_cells import put
from journeydesk.exchange.files import write_atomic

Row = Sequence[Any]
# Column widths (characters) of the sheet: long texts get room, numbers little.
WIDE, NARROW, MEDIUM = 48, 9, 18


def dumps_table_csv(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """The CSV text (without the byte-order mark): the header, then one line per row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) if isinstance(v, str) else v
                         for v in row])
    return buffer.getvalue()


def write_table_csv(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> Path:
    """Write the table as CSV at ``path`` (UTF-8 with a byte-order mark), atomically."""
    return write_atomic(path, BOM + dumps_table_csv(columns, rows))


def write_table_xlsx(path: Path, title: str, columns: Sequence[str],
                     rows: Sequence[Row]) -> Path:
    """Write the table as a workbook with one sheet called ``title``, atomically: a bold,
    frozen header with filter buttons, wrapped long texts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title
    bold, top = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    for column, name in enumerate(columns, start=1):
        put(sheet, 1, column, name).font = bold
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is not None and value != "":
                put(sheet, r, column, value).alignment = top
    for column in range(1, len(columns) + 1):
        values = [len(str(v)) for row in rows for v in row[column - 1:column] if v is not None]
        longest = max([len(columns[column - 1]), *values])
        width = NARROW if longest <= NARROW else MEDIUM if longest <= MEDIUM else WIDE
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(path, buffer.getvalue())
