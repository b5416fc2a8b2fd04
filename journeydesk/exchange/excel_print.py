"""How the export's sheets print, and the words above the Metrics sheet's numbers.

Every visible sheet prints landscape, one page wide (as many pages down as it takes), with its
header row (the Journey sheet: the stage and step rows and the lane column) repeated on every
page, the map's name in the page header and "Page n of m" in the footer.  A chart gets a
sheet of its own holding nothing else, sized and fitted to one page: printed next to a table,
a chart is cut wherever the table's page ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeydesk.exchange.excel_layout import _plain, _utf16_units

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# A page header holds at most 255 characters, its codes included ('&C&"Calibri,Bold"').
HEADER_FONT = "Calibri,Bold"
HEADER_ROOM = 255 - len(f'&C&"{HEADER_FONT}"')
# Inches: narrow enough to give the map room, wide enough for any printer's edge.
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.75, "bottom": 0.6, "header": 0.3,
           "footer": 0.3}
# A chart page: 15 default columns (64 pixels) by 35 rows (20 pixels), about the shape of a
# landscape A4 or Letter page inside the margins above.
CHART_COLUMNS, CHART_ROWS = 15, 35
CHART_ROW_POINTS = 15.0


def print_setup(sheet: Worksheet, map_name: str, *, title_rows: str | None = None,
                title_cols: str | None = None, pages_down: int = 0) -> None:
    """Landscape, fitted to one page wide and ``pages_down`` pages down (0: as many as it
    takes), titles repeated, sane margins, the map's name above and page numbers below."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = pages_down
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows
    if title_cols:
        sheet.print_title_cols = title_cols
    margins = sheet.page_margins
    margins.left, margins.right = MARGINS["left"], MARGINS["right"]
    margins.top, margins.bottom = MARGINS["top"], MARGINS["bottom"]
    margins.header, margins.footer = MARGINS["header"], MARGINS["footer"]
    sheet.print_options.gridLines = False
    sheet.oddHeader.center.font = HEADER_FONT
    sheet.oddHeader.center.text = header_text(map_name, HEADER_ROOM)
    sheet.oddFooter.left.text = _header_escape(sheet.title)
    sheet.oddFooter.right.text = "Page &P of &N"


def chart_page(sheet: Worksheet, chart: Any, map_name: str) -> None:
    """Put ``chart`` alone on ``sheet``, stretched over the cells of one landscape page (a
    two-cell anchor: it fills them whatever size a reader gives the cells), printed on one
    page (a sheet with no cells prints the chart's extent)."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

    sheet.add_chart(chart)
    chart.anchor = TwoCellAnchor(_from=AnchorMarker(col=0, row=0),
                                 to=AnchorMarker(col=CHART_COLUMNS, row=CHART_ROWS))
    for row in range(1, CHART_ROWS + 1):  # rows of a known height: the page's shape
        sheet.row_dimensions[row].height = CHART_ROW_POINTS
    print_setup(sheet, map_name, pages_down=1)


def header_text(name: str, room: int) -> str:
    """``name`` for a page header: each "&" doubled (a single one starts a field code), cut
    at a whole character so that it takes at most ``room`` characters as Excel counts them."""
    pieces: list[str] = []
    used = 0
    for char in _plain(name):
        piece = "&&" if char == "&" else char
        used += _utf16_units(piece)
        if used > room:
            break
        pieces.append(piece)
    return "".join(pieces)


def _header_escape(text: str) -> str:
    return header_text(text, 60)


# -- the Metrics sheet's caption ----------------------------------------------------------
def _window(seconds: float | None) -> str:
    """As :meth:`MetricsOptions.window_text` words it ("within 7d"), "unlimited" without."""
    if not seconds:
        return "unlimited"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"within {int(seconds // size)}{unit}"
    return f"within {seconds:g}s"


def metrics_caption(metrics: dict[str, Any]) -> str:
    """The options the numbers were computed with, for people: dataset, period, window,
    segment (and breakdown), and the users in scope; worded as the overlay's options are
    (:class:`~journeydesk.app.metrics.MetricsOptions`)."""
    definition = metrics.get("definition") or {}
    start, end = definition.get("from"), definition.get("to")
    period = f"{start or '…'} to {end or '…'}" if (start or end) else "all time"
    segment = ", ".join(f"{k} = {v}" for k, v in sorted((definition.get("segment")
                                                         or {}).items()))
    parts = [f"Dataset: {metrics.get('dataset', '')}", f"period: {period}",
             f"window: {_window(definition.get('window_seconds'))}",
             f"segment: {segment or 'all users'}"]
    if definition.get("breakdown"):
        parts.append(f"breakdown by {definition['breakdown']}")
    if metrics.get("users_total") is not None:
        parts.append(f"users in scope: {metrics['users_total']:,}")
    return _plain(" · ".join(parts))
