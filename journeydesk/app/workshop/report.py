"""A workshop's report for people: an Excel workbook, and HTML that the app prints to PDF.

PDFs in JourneyDesk are drawn by Qt (journeydesk/gui/): the app turns :func:`report_html`
into a PDF with ``QTextDocument`` and ``QPdfWriter``; this module stays Qt-free.  Every text
from the room is escaped in the HTML and written as a text cell (never a formula) in Excel.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

from journeydesk.app.workshop.record import WorkshopReport
from journeydesk.exchange.excel_layout import excel_text
from journeydesk.exchange.files import write_atomic

__all__ = ["export_report_excel", "report_html", "report_summary"]

_STATUS_LABELS = {"new": "In the inbox", "accepted": "Accepted as a card",
                  "merged": "Merged into a card", "discarded": "Discarded"}


def _when(stamp: str | None) -> str:
    """An ISO time as people read it (UTC, to the minute)."""
    if not stamp:
        return ""
    return stamp.replace("T", " ")[:16] + " UTC"


def report_summary(report: WorkshopReport) -> list[tuple[str, str]]:
    """(label, value) lines heading the report."""
    counts = report.status_counts
    return [("Map", report.map_name), ("Started", _when(report.started_at)),
            ("Ended", _when(report.ended_at) or "still running"),
            ("Participants", str(len(report.participants))),
            ("Notes", str(len(report.notes))),
            *((_STATUS_LABELS[s], str(counts.get(s, 0))) for s in _STATUS_LABELS),
            ("Vote rounds", str(len(report.rounds)))]


def export_report_excel(report: WorkshopReport, path: str | Path) -> Path:
    """Write the report as an .xlsx workbook (Summary, Participants, Notes, Votes sheets);
    replaces ``path`` atomically."""
    import openpyxl  # lazily: start-up time
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    bold = Font(bold=True)

    def put(sheet: Any, row: int, column: int, value: Any, *, head: bool = False) -> None:
        cell = sheet.cell(row, column)
        if isinstance(value, str):
            cell.value = excel_text(value)
            cell.data_type = "s"  # text from the room is never a formula
        else:
            cell.value = value
        if head:
            cell.font = bold

    def table(sheet: Any, headers: list[str], rows: list[list[Any]],
              widths: list[int]) -> None:
        for column, header in enumerate(headers, start=1):
            put(sheet, 1, column, header, head=True)
        for r, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                put(sheet, r, column, value)
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"

    summary = book.active
    summary.title = "Summary"
    for row, (label, value) in enumerate(report_summary(report), start=1):
        put(summary, row, 1, label, head=True)
        put(summary, row, 2, value)
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 48

    table(book.create_sheet("Participants"), ["Name", "Notes sent"],
          [[name, sent] for name, sent in report.participants], [32, 12])
    notes = book.create_sheet("Notes")
    table(notes, ["Received", "From", "Stage", "Kind", "Note", "Photo", "What became of it",
                  "Card", "Decided"],
          [[_when(n.received_at), n.author, n.stage, n.kind, n.text,
            "yes" if n.has_photo else "", _STATUS_LABELS.get(n.status, n.status), n.card,
            _when(n.decided_at)] for n in report.notes],
          [18, 18, 18, 12, 60, 7, 20, 40, 18])
    for row in notes.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows: list[list[Any]] = []
    for number, vote_round in enumerate(report.rounds, start=1):
        for rank, (label, dots) in enumerate(vote_round.results, start=1):
            rows.append([number, _when(vote_round.started_at), vote_round.dots,
                         vote_round.voters, rank, label, dots])
    table(book.create_sheet("Votes"),
          ["Round", "Started", "Dots each", "Voters", "Rank", "Card", "Dots"], rows,
          [8, 18, 10, 8, 6, 60, 8])
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(Path(path), buffer.getvalue())


def report_html(report: WorkshopReport) -> str:
    """The report as a self-contained HTML page (for printing to PDF, or reading)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Workshop on {e(report.map_name)}</title>",
        "<style>body{font-family:sans-serif;font-size:10pt}"
        "table{border-collapse:collapse;width:100%;margin-bottom:12pt}"
        "th,td{border:1px solid #999;padding:3pt;text-align:left;vertical-align:top}"
        "th{background:#eee}</style></head><body>",
        f"<h1>Workshop on {e(report.map_name)}</h1>",
        "<table>",
        *(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>"
          for label, value in report_summary(report)),
        "</table>",
    ]
    if report.participants:
        parts += ["<h2>Participants</h2><table><tr><th>Name</th><th>Notes sent</th></tr>",
                  *(f"<tr><td>{e(name)}</td><td>{sent}</td></tr>"
                    for name, sent in report.participants), "</table>"]
    if report.notes:
        parts += ["<h2>Notes</h2><table><tr><th>Received</th><th>From</th><th>Stage</th>"
                  "<th>Kind</th><th>Note</th><th>What became of it</th></tr>"]
        for n in report.notes:
            text = e(n.text).replace("\n", "<br>") + (" <i>(photo)</i>" if n.has_photo else "")
            fate = e(_STATUS_LABELS.get(n.status, n.status))
            if n.card:
                fate += ": " + e(n.card).replace("\n", "<br>")
            parts.append(f"<tr><td>{e(_when(n.received_at))}</td><td>{e(n.author)}</td>"
                         f"<td>{e(n.stage)}</td><td>{e(n.kind)}</td><td>{text}</td>"
                         f"<td>{fate}</td></tr>")
        parts.append("</table>")
    for number, vote_round in enumerate(report.rounds, start=1):
        parts += [f"<h2>Vote round {number}</h2>",
                  f"<p>{e(_when(vote_round.started_at))}; {vote_round.dots} dots each; "
                  f"{vote_round.voters} voters</p>",
                  "<table><tr><th>Rank</th><th>Card</th><th>Dots</th></tr>",
                  *(f"<tr><td>{rank}</td><td>{e(label)}</td><td>{dots}</td></tr>"
                    for rank, (label, dots) in enumerate(vote_round.results, start=1)),
                  "</table>"]
    parts.append("</body></html>")
    return "\n".join(parts)
