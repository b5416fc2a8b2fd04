"""A journey map as an Excel workbook (.xlsx), and a map read back from one (see docs/excel.md).

Export (:func:`write_map_xlsx`) writes a workbook people can read, print and filter:

* **Journey**: the map as a grid: stage names across row 1 (merged over their steps), step names
  in row 2 when the map has steps, lane names down column A, each cell holding its cards' texts
  separated by blank lines, coloured by lane type; pain points show ``[severity N]`` in front of
  the text and their cell turns a deeper red with the cell's highest severity.
* **Emotions**: the emotion points as a table, and a native line chart (one series per persona
  plus the map's own curve) drawn from a small step-by-curve block next to the table.
* **Cards**, **Stages**, **Lanes**, **Personas**: Excel tables (with filters) of the details.
* **_journeydesk** (hidden): the whole map in the JSON map format, in chunks, with a checksum,
  so that our own export comes back without loss.

Import (:func:`read_map_xlsx`) takes our own export back from the hidden sheet (or, when it is
missing or damaged, from the Journey grid), and turns a plain grid typed up in a workshop (stages
across the first row, lanes down the first column) into a map, guessing lane types from lane
names.  Either way the map is built by :func:`journeydesk.exchange.json_map.map_from_dict`, so it
passes the same checks as a JSON import.  Untrusted files are checked for size and zip bombs
before any XML is parsed, and openpyxl parses with defusedxml.

User text is always written as text, never as a formula: openpyxl would store a value starting
with ``=`` as a live formula, so every user string is written with ``data_type = "s"``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeydesk.domain.model import (
    LANE_TYPE_LABELS,
    JourneyMap,
    LaneType,
    Persona,
    Stage,
    Workspace,
    unique_name,
)
from journeydesk.exchange.files import write_atomic
from journeydesk.exchange.json_map import FormatError, map_from_dict, map_to_dict
from journeydesk.exchange.map_formats import ExportCancelled, ImportedMap, Progress

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# --------------------------------------------------------------------------- the workbook
JOURNEY_SHEET = "Journey"
EMOTIONS_SHEET = "Emotions"
CARDS_SHEET = "Cards"
STAGES_SHEET = "Stages"
LANES_SHEET = "Lanes"
PERSONAS_SHEET = "Personas"
METRICS_SHEET = "Metrics"
HIDDEN_SHEET = "_journeydesk"

# The hidden sheet's marker and layout version (the JSON inside carries its own version).
XLSX_FORMAT = "journeydesk.xlsx"
XLSX_VERSION = 1

# Excel keeps at most 32,767 characters (UTF-16 code units) in a cell; chunks stay well below.
EXCEL_CELL_LIMIT = 32_767
CHUNK_UNITS = 32_000

# The map's own emotion curve (points without a persona), in tables and the chart legend.
MAP_CURVE = "(map)"

# --------------------------------------------------------------------------- import limits
MAX_FILE_BYTES = 50 * 1024 * 1024          # the .xlsx file itself
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # all zip members together, as declared
MAX_COMPRESSION_RATIO = 100                 # any member over 1 MiB packed tighter than this
RATIO_CHECK_FROM_BYTES = 1024 * 1024        # tiny members compress oddly and cannot bomb
MAX_MEMBERS = 10_000
MAX_GRID_ROWS = 1_000                       # lanes (plus headers) read from a grid
MAX_GRID_COLUMNS = 1_000                    # steps (plus the lane column) read from a grid


# (lane header fill, cell fill) per lane type: soft tints that print well and keep black text
# readable; the hues follow the canvas (pain points red, opportunities green, backstage grey).
LANE_FILLS = {
    LaneType.ACTIONS: ("BDD7EE", "EAF2FB"),
    LaneType.TOUCHPOINTS: ("D9D2E9", "F1EEF8"),
    LaneType.THOUGHTS: ("FFE699", "FFF8DC"),
    LaneType.EMOTIONS: ("F8CBDA", "FDEEF3"),
    LaneType.PAIN_POINTS: ("F4B6B6", "FDECEC"),
    LaneType.OPPORTUNITIES: ("C6E0B4", "EEF6E8"),
    LaneType.BACKSTAGE: ("D0D0D0", "F0F0F0"),
    LaneType.NOTES: ("EADCC0", "FBF6EC"),
    LaneType.METRICS: ("B4DED8", "E9F6F4"),
}
# A pain-point cell's fill by the highest severity among its cards (1 = mild ... 5 = severe).
SEVERITY_FILLS = {1: "FBE3E3", 2: "F8CFCF", 3: "F4B0B0", 4: "EE8E8E", 5: "E66A6A"}
SEVERITY_PREFIX = "[severity {}] "
_SEVERITY_PREFIX_RE = re.compile(r"^\[severity ([1-5])\][ \t]*")

STAGE_FILL = "1F3B57"
STEP_FILL = "D6DEE7"
GRID_BORDER = "BFBFBF"
STEP_COLUMN_WIDTH = 34   # characters; a card of ~30 characters fits on one line
LINE_HEIGHT = 15.0       # points per line of 11 pt Calibri
MAX_ROW_HEIGHT = 409.0   # Excel's limit


# =========================================================================== export
def write_map_xlsx(m: JourneyMap, ws: Workspace, path: Path, progress: Progress | None = None,
                   metrics: dict[str, Any] | None = None) -> None:
    """Write ``m`` (with its linked personas from ``ws``) as an Excel workbook at ``path``.

    The file is written atomically: readers see the old file or the whole new one.
    ``progress(done, total)`` is called now and then; when it returns False the export stops
    with :class:`ExportCancelled` and an existing file at ``path`` is left as it was (the last
    call, ``done == total``, comes after the file is written and cannot cancel).
    ``metrics`` (the ``journeydesk metrics --json`` form, when a dataset is bound to the map)
    adds a "Metrics" sheet with the funnel numbers and a bar chart of users per stage.
    """
    writer = _WorkbookWriter(m, ws, progress, metrics)
    book = writer.build()
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())
    if progress is not None:
        progress(writer.total, writer.total)


def build_workbook(m: JourneyMap, ws: Workspace, progress: Progress | None = None) -> Workbook:
    """The export workbook of ``m`` without numbers, not yet saved (see
    :func:`write_map_xlsx`, which adds the Metrics sheet when given a dataset's metrics)."""
    return _WorkbookWriter(m, ws, progress).build()


@dataclass
class DataSheet:
    """One data sheet: a header row and rows of values, written as an Excel table."""

    title: str
    table: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]
    wrap: set[int] = field(default_factory=set)  # 0-based columns whose text may span lines


class _Styles:
    """The Journey sheet's looks as a handful of named styles, registered once per workbook.

    A cell then takes a style by name: openpyxl copies the style's index array instead of
    hashing a Font, Fill, Border and Alignment object for every cell, which is what makes
    per-cell styling slow.  The styles show in Excel's cell style gallery as "JourneyDesk ...".
    """

    def __init__(self, book: Workbook) -> None:
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

        def fill(rgb: str) -> PatternFill:
            return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)

        side = Side(style="thin", color=GRID_BORDER)
        border = Border(left=side, right=side, top=side, bottom=side)
        top = Alignment(wrap_text=True, vertical="top")
        centred = Alignment(wrap_text=True, horizontal="center", vertical="center")
        bold = Font(bold=True)

        def named(name: str, **looks: Any) -> str:
            book.add_named_style(NamedStyle(name=f"JourneyDesk {name}", **looks))
            return f"JourneyDesk {name}"

        self.title = named("map", font=Font(bold=True, size=12), alignment=top)
        self.stage = named("stage", font=Font(bold=True, size=12, color="FFFFFF"),
                           fill=fill(STAGE_FILL), border=border, alignment=centred)
        self.step = named("step", font=bold, fill=fill(STEP_FILL), border=border,
                          alignment=centred)
        self.lane = {t: named(f"lane {LANE_TYPE_LABELS[t].lower()}", font=bold,
                              fill=fill(head), border=border, alignment=top)
                     for t, (head, _) in LANE_FILLS.items()}
        self.cell = {t: named(f"cell {LANE_TYPE_LABELS[t].lower()}", fill=fill(body),
                              border=border, alignment=top)
                     for t, (_, body) in LANE_FILLS.items()}
        self.severity = {n: named(f"pain severity {n}", fill=fill(rgb), border=border,
                                  alignment=top)
                         for n, rgb in SEVERITY_FILLS.items()}
        # For the few cells of the data sheets that hold several lines.
        self.wrap = top
        self.bold = bold


class _WorkbookWriter:
    """Builds the export workbook sheet by sheet, reporting progress between rows."""

    def __init__(self, m: JourneyMap, ws: Workspace, progress: Progress | None,
                 metrics: dict[str, Any] | None = None):
        self.m = m
        self.metrics = metrics
        self.ws = ws
        self.progress = progress
        self.personas = [ws.persona(pid) for pid in m.persona_ids]
        self.persona_names = {p.id: p.name for p in self.personas}
        self.places = {step.id: (stage, index)
                       for stage in m.stages for index, step in enumerate(stage.steps)}
        self.lane_by_id = {lane.id: lane for lane in m.lanes}
        # Units of work: a Journey lane, an emotion or card row, each finished sheet (6), and
        # saving, which takes about as long as building and reports nothing on its way.
        self.total = (len(m.lanes) + len(m.emotions) + len(m.cards) + 6
                      + len(m.cards) + 10)
        self.done = 0

    # -- progress ------------------------------------------------------------------------
    def tick(self, units: int = 1, force: bool = False) -> None:
        """Count ``units`` of work; ask ``progress`` every 250 units (it may cancel)."""
        before = self.done
        self.done += units
        if self.progress is None or not (force or self.done // 250 != before // 250):
            return
        if not self.progress(min(self.done, self.total - 1), self.total):
            raise ExportCancelled("Excel export cancelled")

    # -- the workbook --------------------------------------------------------------------
    def build(self) -> Workbook:
        from openpyxl import Workbook

        self.tick(0, force=True)
        book = Workbook()
        book.properties.title = _plain(self.m.name)[:255]
        book.properties.creator = "JourneyDesk"
        self.styles = _Styles(book)
        journey = book.active
        journey.title = JOURNEY_SHEET
        grid = self.write_journey(journey)
        self.tick(force=True)

        emotions = book.create_sheet(EMOTIONS_SHEET)
        self.write_emotions(emotions)
        for sheet in self.data_sheets():
            target = book.create_sheet(sheet.title)
            self.write_table(target, sheet)
            if sheet.title == METRICS_SHEET:
                self.add_funnel_chart(target, len(sheet.rows))
            self.tick(force=True)
        self.write_hidden(book.create_sheet(HIDDEN_SHEET), grid)
        book.active = 0
        self.tick(force=True)
        return book

    # -- Journey -------------------------------------------------------------------------
    def journey_grid(self) -> tuple[list[list[str]], bool]:
        """The Journey sheet's texts (row by row, "" for an empty or covered cell) and
        whether it has a step row."""
        m = self.m
        steps = m.all_steps()
        step_row = any(len(stage.steps) > 1 or any(s.name for s in stage.steps)
                       for stage in m.stages)
        width = 1 + len(steps)
        header = [m.name] + [""] * len(steps)
        names = [""] * width
        column = 1
        for stage in m.stages:
            header[column] = stage.name
            for offset, step in enumerate(stage.steps):
                names[column + offset] = step.name
            column += len(stage.steps)
        rows = [header] + ([names] if step_row else [])
        column_of = {step.id: 1 + i for i, step in enumerate(steps)}
        row_of = {lane.id: len(rows) + i for i, lane in enumerate(m.lanes)}
        rows.extend([lane.name] + [""] * len(steps) for lane in m.lanes)
        cells: dict[tuple[int, int], list[str]] = {}
        for card in m.ordered_cards():
            lane = self.lane_by_id[card.lane_id]
            text = card.text
            if lane.type is LaneType.PAIN_POINTS and card.severity is not None:
                text = SEVERITY_PREFIX.format(card.severity) + text
            cells.setdefault((row_of[card.lane_id], column_of[card.step_id]), []).append(text)
        for (row, column), texts in cells.items():
            rows[row][column] = "\n\n".join(texts)
        return rows, step_row

    def write_journey(self, sheet: Worksheet) -> list[list[str]]:
        from openpyxl.utils import get_column_letter

        m, st = self.m, self.styles
        rows, step_row = self.journey_grid()
        first_lane_row = 3 if step_row else 2  # 1-based
        steps = m.all_steps()

        _put(sheet, 1, 1, rows[0][0]).style = st.title
        if step_row:
            sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)

        column = 2
        for stage in m.stages:
            last = column + len(stage.steps) - 1
            _put(sheet, 1, column, stage.name).style = st.stage
            for c in range(column + 1, last + 1):
                sheet.cell(1, c).style = st.stage  # the merged range's border and fill
            if step_row and len(stage.steps) == 1 and not stage.steps[0].name:
                # A stage with one unnamed step: its header reaches down over the step row.
                sheet.cell(2, column).style = st.stage
                sheet.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
            else:
                if step_row:
                    for offset, step in enumerate(stage.steps):
                        step_cell = (_put(sheet, 2, column + offset, step.name) if step.name
                                     else sheet.cell(2, column + offset))
                        step_cell.style = st.step
                if last > column:
                    sheet.merge_cells(start_row=1, start_column=column, end_row=1,
                                      end_column=last)
            column = last + 1

        severities = self.max_severities()
        lane_width = self.lane_column_width()
        for index, lane in enumerate(m.lanes):
            row = first_lane_row + index
            texts = rows[row - 1]
            lane_type = LaneType(lane.type)
            _put(sheet, row, 1, lane.name).style = st.lane[lane_type]
            lines = _wrapped_lines(lane.name, lane_width)
            for col_index, step in enumerate(steps, start=2):
                text = texts[col_index - 1]
                cell = _put(sheet, row, col_index, text) if text else sheet.cell(row, col_index)
                severity = severities.get((lane.id, step.id))
                cell.style = (st.severity[severity] if severity is not None
                              else st.cell[lane_type])
                lines = max(lines, _wrapped_lines(text, STEP_COLUMN_WIDTH))
            sheet.row_dimensions[row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 6)
            self.tick()

        sheet.column_dimensions["A"].width = lane_width
        for index in range(len(steps)):
            sheet.column_dimensions[get_column_letter(2 + index)].width = STEP_COLUMN_WIDTH
        sheet.row_dimensions[1].height = 30
        if step_row:
            step_lines = max((_wrapped_lines(s.name, STEP_COLUMN_WIDTH) for s in steps),
                             default=1)
            sheet.row_dimensions[2].height = min(MAX_ROW_HEIGHT, step_lines * LINE_HEIGHT + 6)
        sheet.freeze_panes = "B3" if step_row else "B2"
        self.print_setup(sheet, step_row)
        return rows

    def lane_column_width(self) -> int:
        longest = max((len(line) for lane in self.m.lanes for line in lane.name.split("\n")),
                      default=0)
        return max(16, min(30, longest + 3))

    def max_severities(self) -> dict[tuple[str, str], int]:
        """For every pain-point cell with severities, the highest severity of its cards."""
        worst: dict[tuple[str, str], int] = {}
        for card in self.m.cards.values():
            lane = self.lane_by_id[card.lane_id]
            if lane.type is LaneType.PAIN_POINTS and card.severity is not None:
                key = (lane.id, card.step_id)
                worst[key] = max(worst.get(key, 0), card.severity)
        return worst

    def print_setup(self, sheet: Worksheet, step_row: bool) -> None:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:2" if step_row else "1:1"
        sheet.print_title_cols = "A:A"
        sheet.print_options.gridLines = False
        # "&" starts a field code in page headers; a literal one is written "&&".
        sheet.oddHeader.center.text = _plain(self.m.name)[:200].replace("&", "&&")
        sheet.oddHeader.center.font = "Calibri,Bold"
        sheet.oddFooter.right.text = "Page &P of &N"

    # -- Emotions ------------------------------------------------------------------------
    def curves(self) -> list[tuple[str | None, str]]:
        """The chart's series: every linked persona, then the map's own curve if it has one."""
        curves: list[tuple[str | None, str]] = [(p.id, p.name) for p in self.personas]
        if any(point.persona_id is None for point in self.m.emotions.values()):
            curves.append((None, MAP_CURVE))
        return curves

    def write_emotions(self, sheet: Worksheet) -> None:
        from openpyxl.chart import LineChart, Reference
        from openpyxl.chart.data_source import AxDataSource, StrRef
        from openpyxl.utils import get_column_letter

        m, st = self.m, self.styles
        step_rank = {step.id: i for i, step in enumerate(m.all_steps())}
        persona_rank = {pid: i for i, pid in enumerate(m.persona_ids)}
        points = sorted(m.emotions.values(), key=lambda p: (
            step_rank[p.step_id],
            -1 if p.persona_id is None else persona_rank.get(p.persona_id, len(persona_rank))))
        rows = []
        for point in points:
            stage, index = self.places[point.step_id]
            persona = (MAP_CURVE if point.persona_id is None
                       else self.persona_names.get(point.persona_id, ""))
            rows.append([stage.name, stage.steps[index].name, persona, point.score, point.label])
            self.tick()
        table = DataSheet(EMOTIONS_SHEET, "JourneyEmotions",
                          ["stage", "step", "persona", "score", "label"], rows,
                          [22, 22, 22, 8, 30])
        self.write_table(sheet, table)

        # The chart's source: one row per step, one column per curve, blank where no point.
        curves = self.curves()
        steps = m.all_steps()
        if not curves or not steps:
            return
        left = len(table.headers) + 2  # one empty column between table and block
        head = _put(sheet, 1, left, "step")
        head.font = st.bold
        for offset, (_, name) in enumerate(curves, start=1):
            _put(sheet, 1, left + offset, name).font = st.bold
        scores = {(p.step_id, p.persona_id): p.score for p in m.emotions.values()}
        for row, step in enumerate(steps, start=2):
            _put(sheet, row, left, _step_label(*self.places[step.id]))
            for offset, (persona_id, _) in enumerate(curves, start=1):
                score = scores.get((step.id, persona_id))
                if score is not None:
                    sheet.cell(row, left + offset, score)
        sheet.column_dimensions[get_column_letter(left)].width = 28
        for offset in range(1, len(curves) + 1):
            sheet.column_dimensions[get_column_letter(left + offset)].width = 14

        chart = LineChart()
        chart.title = "Emotion curve"
        chart.style = 2
        chart.y_axis.title = "feeling"
        chart.y_axis.scaling.min = m.scale_min
        chart.y_axis.scaling.max = m.scale_max
        if m.scale_max - m.scale_min <= 10:
            chart.y_axis.majorUnit = 1  # a gridline per whole score on the usual scales
        chart.x_axis.title = "step"
        # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel would hide them.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.tickLblPos = "low"  # step names under the plot, not across score 0
        chart.display_blanks = "gap"
        chart.legend.position = "b"
        chart.height = 10
        chart.width = max(18, min(60, 2.6 * len(steps)))
        data = Reference(sheet, min_col=left + 1, max_col=left + len(curves),
                         min_row=1, max_row=1 + len(steps))
        chart.add_data(data, titles_from_data=True)
        labels = Reference(sheet, min_col=left, min_row=2, max_row=1 + len(steps))
        for series in chart.series:
            # Step labels are text: a string reference, so Excel shows them (not 1, 2, 3).
            series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
            series.smooth = False
            series.marker.symbol = "circle"
        sheet.add_chart(chart, f"{get_column_letter(left)}{len(steps) + 3}")

    # -- data sheets ---------------------------------------------------------------------
    def data_sheets(self) -> list[DataSheet]:
        """Cards, Stages, Lanes, Metrics (with a dataset) and Personas."""
        sheets = [self.cards_sheet(), self.stages_sheet(), self.lanes_sheet()]
        if self.metrics is not None:
            sheets.append(self.metrics_sheet())
        return [*sheets, self.personas_sheet()]

    def metrics_sheet(self) -> DataSheet:
        """The funnel numbers of the bound dataset, one row per stage."""
        assert self.metrics is not None
        rows = [[entry["stage"], entry.get("users"), entry.get("conversion_from_previous"),
                 entry.get("conversion_from_first"), entry.get("dropped"),
                 entry.get("median_seconds_from_previous")]
                for entry in self.metrics["stages"]]
        return DataSheet(METRICS_SHEET, "JourneyMetrics",
                         ["stage", "users", "conversion from previous",
                          "conversion from first", "dropped", "median seconds from previous"],
                         rows, [24, 12, 22, 20, 12, 26])

    def add_funnel_chart(self, sheet: Worksheet, rows: int) -> None:
        """A bar chart of users per stage beside the Metrics table."""
        from openpyxl.chart import BarChart, Reference

        for row in range(2, rows + 2):  # conversions read as percentages
            for column in (3, 4):
                sheet.cell(row=row, column=column).number_format = "0.0%"
        chart = BarChart()
        chart.type = "col"
        chart.title = f"Users per stage ({_plain(str(self.metrics.get('dataset', '')))})"
        chart.y_axis.title = "users"
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=rows + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
        chart.width = max(16, min(40, 3 * rows))
        sheet.add_chart(chart, "H2")

    def cards_sheet(self) -> DataSheet:
        rows = []
        for card in self.m.ordered_cards():
            stage, index = self.places[card.step_id]
            lane = self.lane_by_id[card.lane_id]
            rows.append([stage.name, stage.steps[index].name, lane.name,
                         LANE_TYPE_LABELS[LaneType(lane.type)], card.position + 1, card.text,
                         card.severity, card.priority, card.channel, ", ".join(card.tags)])
        return DataSheet(CARDS_SHEET, "JourneyCards",
                         ["stage", "step", "lane", "lane type", "order", "text", "severity",
                          "priority", "channel", "tags"], rows,
                         [20, 20, 20, 14, 8, 60, 10, 10, 14, 24], wrap={5})

    def stages_sheet(self) -> DataSheet:
        rows = [[stage.name, stage.description, ", ".join(stage.events),
                 "\n".join(step.name or "(unnamed step)" for step in stage.steps)
                 if len(stage.steps) > 1 or stage.steps[0].name else ""]
                for stage in self.m.stages]
        return DataSheet(STAGES_SHEET, "JourneyStages",
                         ["stage", "description", "events", "steps"], rows,
                         [24, 50, 30, 30], wrap={1, 3})

    def lanes_sheet(self) -> DataSheet:
        rows = [[lane.name, LANE_TYPE_LABELS[LaneType(lane.type)]] for lane in self.m.lanes]
        return DataSheet(LANES_SHEET, "JourneyLanes", ["lane", "type"], rows, [30, 16])

    def personas_sheet(self) -> DataSheet:
        headers = ["name", "role", "quote", "bio", "goals", "frustrations", "needs",
                   "motivations", "channels", "tags", "notes", "age range", "location",
                   "tech comfort", "segment", "photo"]
        rows = []
        for p in self.personas:
            rows.append([
                p.name, p.role, p.quote, p.bio, "\n".join(p.goals), "\n".join(p.frustrations),
                "\n".join(p.needs), "\n".join(p.motivations), ", ".join(p.channels),
                ", ".join(p.tags), p.notes, p.age_range, p.location, p.tech_comfort,
                "\n".join(f"{k} = {v}" for k, v in p.segment.items()),
                # The picture itself travels in the hidden sheet; a cell cannot show it.
                f"photo in JourneyDesk ({len(p.photo) // 1024 + 1} KB)" if p.photo else "",
            ])
        return DataSheet(PERSONAS_SHEET, "JourneyPersonas", headers, rows,
                         [20, 20, 30, 40, 30, 30, 30, 30, 20, 20, 30, 12, 16, 12, 24, 24],
                         wrap={2, 3, 4, 5, 6, 7, 10, 14})

    def write_table(self, sheet: Worksheet, data: DataSheet) -> None:
        """Header, rows and an Excel table with filters; user strings are always text."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableStyleInfo

        for column, header in enumerate(data.headers, start=1):
            _put(sheet, 1, column, header)
        wrap = self.styles.wrap
        for row_index, values in enumerate(data.rows, start=2):
            for column, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = _put(sheet, row_index, column, value)
                if column - 1 in data.wrap and isinstance(value, str) and "\n" in value:
                    cell.alignment = wrap
            if data.title == CARDS_SHEET:
                self.tick()
        last_row = max(2, 1 + len(data.rows))  # a table needs a data row, even an empty one
        ref = f"A1:{get_column_letter(len(data.headers))}{last_row}"
        table = Table(displayName=data.table, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
        for column, width in enumerate(data.widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"

    # -- the hidden sheet ----------------------------------------------------------------
    def write_hidden(self, sheet: Worksheet, grid: list[list[str]]) -> None:
        """The map as JSON in chunks, with checksums of the JSON and of the visible grid."""
        text = _json_for_cells(map_to_dict(self.m, self.ws))
        chunks = _split_units(text, CHUNK_UNITS)
        header: list[tuple[str, Any]] = [
            ("format", XLSX_FORMAT), ("version", XLSX_VERSION), ("chunks", len(chunks)),
            ("sha256", _sha256(text)), ("grid sha256", grid_digest(_as_shown(grid))),
        ]
        for row, (key, value) in enumerate(header, start=1):
            _put(sheet, row, 1, key)
            _put(sheet, row, 2, value)
        _put(sheet, len(header) + 1, 1, "json")
        for row, chunk in enumerate(chunks, start=len(header) + 2):
            _put(sheet, row, 1, chunk)
        sheet.sheet_state = "hidden"


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to a cell; a string is always stored as text, never as a formula."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        cell.value = excel_text(value)
        # openpyxl takes a value starting with "=" for a formula; user text never is one.
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _step_label(stage: Stage, index: int) -> str:
    """How a step reads in the chart: the stage alone when it has one unnamed step."""
    step = stage.steps[index]
    if len(stage.steps) == 1 and not step.name:
        return stage.name
    return f"{stage.name}: {step.name or f'step {index + 1}'}"


def _wrapped_lines(text: str, width: int) -> int:
    """Roughly how many lines ``text`` takes in a wrapped cell ``width`` characters wide."""
    if not text:
        return 1
    usable = max(1, width - 2)
    return sum(max(1, math.ceil(len(line) / usable)) for line in text.split("\n"))


# =========================================================================== text in cells
# Characters XML 1.0 cannot carry (and CR, which XML parsers turn into LF), plus text that
# already looks like Excel's own escape ``_xHHHH_``: both are written as ``_xHHHH_`` escapes
# (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), which Excel and calamine decode.
_NEEDS_ESCAPE = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(text: str) -> str:
    """``text`` as it is stored in a cell: escaped per ECMA-376 and cut to Excel's limit."""
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(_escape_match, text)
    if len(text) > EXCEL_CELL_LIMIT // 2 and _utf16_units(text) > EXCEL_CELL_LIMIT:
        text = _cut_units(text, EXCEL_CELL_LIMIT - 1) + "…"
    return text


def _escape_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 1:
        return f"_x{ord(found):04X}_"
    return "_x005F_" + found[1:]  # a literal "_xHHHH_": its underscore escaped


def cell_text(value: Any) -> str:
    """The text a cell read by openpyxl shows (openpyxl leaves ``_xHHHH_`` escapes as they are)."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "_x" in value:
            value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def _plain(text: str) -> str:
    """``text`` without the characters XML cannot carry (for document properties, headers)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def _utf16_units(text: str) -> int:
    """How long Excel thinks ``text`` is: characters beyond U+FFFF count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_units(text: str, units: int) -> str:
    """The longest prefix of ``text`` that takes at most ``units`` UTF-16 code units."""
    cut = text[:units]
    while (over := _utf16_units(cut) - units) > 0:
        # Each character dropped gives back one or two units.
        cut = cut[:len(cut) - max(1, over // 2)]
    return cut


def _split_units(text: str, units: int) -> list[str]:
    """``text`` in pieces of at most ``units`` UTF-16 code units (Excel's way of counting)."""
    chunks = []
    while text:
        chunk = _cut_units(text, units)
        chunks.append(chunk)
        text = text[len(chunk):]
    return chunks


def _json_for_cells(data: dict[str, Any]) -> str:
    """Compact JSON that survives a cell: no raw control characters (JSON escapes them), no
    surrogates or non-characters, and no ``_x`` (Excel would read ``_xHHHH_`` as an escape).

    ``_`` only occurs inside JSON strings, where ``\\u005f`` means the same.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = re.sub("[\ud800-\udfff\ufffe\uffff]", lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text.replace("_x", "\\u005fx")


def _as_shown(rows: list[list[str]]) -> list[list[str]]:
    """The grid's texts as a reader sees them in the cells (long ones are cut)."""
    return [[cell_text(excel_text(v)) for v in row] for row in rows]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def grid_digest(rows: Sequence[Sequence[str]]) -> str:
    """A checksum of a grid's texts (trailing empty rows and columns do not count)."""
    trimmed = _trim([list(row) for row in rows])
    return _sha256(json.dumps(trimmed, ensure_ascii=True))


def _trim(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v), default=0)
    return [row[:width] + [""] * (width - len(row[:width])) for row in rows]


# =========================================================================== import
def read_map_xlsx(path: Path, ws: Workspace) -> ImportedMap:
    """Read a map from an Excel workbook; ``ws`` is only read (persona matching, like JSON).

    Our own export comes back whole from its hidden sheet; when that is missing or damaged, or
    the Journey sheet was edited in Excel since, the map is read from the visible grid (keeping
    what still matches of the hidden copy).  Any other workbook is read as a plain grid: stage
    names across the first row, lane names down the first column, cards in the cells separated
    by blank lines.  Raises FormatError (naming the file and the problem) for a file that is
    too large, not a workbook, a zip bomb, or holds no usable grid; OSError when it cannot be
    read at all.
    """
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # openpyxl parses with the standard library's XML parser unless defusedxml is
        # installed and enabled; we do not read untrusted XML that way.
        raise RuntimeError("reading Excel files needs defusedxml (OPENPYXL_DEFUSEDXML must "
                           "not be False)")
    where = path.name
    check_container(path)
    try:
        with warnings.catch_warnings():
            # Workbooks from other tools trigger "unknown extension" and similar notes.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True,
                                          keep_links=False)
            try:
                return _read_book(book, path, ws)
            finally:
                book.close()
    except (FormatError, OSError):
        raise
    except MemoryError:
        raise FormatError(where, "is too large to read") from None
    except Exception as err:  # openpyxl, zipfile and XML parsers raise many kinds
        raise FormatError(where, f"is not a readable Excel workbook ({_describe(err)})"
                          ) from None


def check_container(path: Path) -> None:
    """Refuse, before any XML is parsed, a file that is too big, not a zip, or a zip bomb.

    Sizes are taken from the zip's directory; Python's zipfile never inflates a member past
    its declared size (and checks its CRC), so the declared sizes bound what parsing reads.
    """
    where = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FormatError(where, f"is {_mb(size)}; JourneyDesk reads workbooks up to "
                                 f"{_mb(MAX_FILE_BYTES)}")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(where, "is an old-style .xls or a password-protected workbook; save "
                                 "it from Excel as .xlsx without a password")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except OSError:
        raise
    except Exception:  # BadZipFile, NotImplementedError ("zip file version"), ValueError...
        raise FormatError(where, "is not an Excel workbook (.xlsx files are zip archives; "
                                 "this is not one)") from None
    if len(members) > MAX_MEMBERS:
        raise FormatError(where, f"has {len(members)} parts; an Excel workbook has far fewer")
    total = 0
    for member in members:
        total += member.file_size
        if (member.file_size > RATIO_CHECK_FROM_BYTES
                and member.file_size > MAX_COMPRESSION_RATIO * max(1, member.compress_size)):
            raise FormatError(where, f"part {member.filename!r} unpacks {_ratio(member)} times "
                                     "its packed size: refused as a possible zip bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FormatError(where, f"unpacks to {_mb(total)} (more than "
                                 f"{_mb(MAX_UNCOMPRESSED_BYTES)}): refused as a possible "
                                 "zip bomb")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(
            name.startswith("xl/") and name.endswith(".xml") for name in names):
        raise FormatError(where, "is a zip archive but not an Excel workbook (it has no "
                                 "workbook part)")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _ratio(member: zipfile.ZipInfo) -> str:
    return f"{member.file_size // max(1, member.compress_size):,}"


def _describe(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# -- reading our own export --------------------------------------------------------------
@dataclass
class _Embedded:
    """What the hidden sheet holds: the JSON map data and the checksum of the grid."""

    data: dict[str, Any]
    grid_sha256: str


class _Damaged(Exception):
    """The hidden sheet is there but cannot be used; the message says why."""


def _read_book(book: Any, path: Path, ws: Workspace) -> ImportedMap:
    notes: list[str] = []
    embedded: _Embedded | None = None
    exported: tuple[JourneyMap, list[Persona]] | None = None
    if HIDDEN_SHEET in book.sheetnames:
        try:
            embedded = _read_hidden(book[HIDDEN_SHEET])
            exported = map_from_dict(embedded.data, ws)
        except (_Damaged, FormatError) as err:
            embedded = None
            notes.append(f"The map data JourneyDesk keeps inside the workbook is damaged "
                         f"({err}); the map was read from the visible grid, so card details, "
                         "personas and emotion curves are not restored.")

    if embedded is not None and exported is not None:
        journey = book[JOURNEY_SHEET] if JOURNEY_SHEET in book.sheetnames else None
        if journey is None:
            notes.append("The Journey sheet is missing; the map was imported as it was "
                         "exported.")
            return ImportedMap(*exported, notes)
        rows, merges = _read_grid_cells(journey, path)
        if grid_digest(rows) == embedded.grid_sha256:
            return ImportedMap(*exported, notes)
        grid = _grid_to_data(rows, merges, journey.title, _map_name(book, journey, path))
        if grid is None:
            notes.append("The Journey sheet no longer holds a map grid; the map was imported "
                         "as it was exported.")
            return ImportedMap(*exported, notes)
        merged = _merge_with_embedded(grid, embedded.data)
        try:
            m, personas = map_from_dict(merged.data, ws)
        except FormatError:
            notes.append("The Journey sheet was changed after export and no longer fits the "
                         "map's other details; the map was read from the sheet alone.")
            return _from_grid(grid, ws, path, notes)
        notes.append("The Journey sheet was changed after export: stages, lanes and cards "
                     "were read from it; details of the export (card fields, personas, "
                     "emotion points, descriptions) were kept where names and texts still "
                     "match.")
        return ImportedMap(m, personas, notes + merged.warnings)

    grid = _find_grid(book, path)
    if grid is None:
        raise FormatError(path.name, "has no sheet with a journey grid (stage names across the "
                                     "first row from column B, lane names down column A)")
    return _from_grid(grid, ws, path, notes)


def _from_grid(grid: _Grid, ws: Workspace, path: Path, notes: list[str]) -> ImportedMap:
    """The map of a grid; a grid the domain refuses is named with the file."""
    try:
        m, personas = map_from_dict(grid.data, ws)
    except FormatError as err:
        raise FormatError(path.name, f"holds a grid that is not a valid map ({err})") from None
    return ImportedMap(m, personas, notes + grid.warnings)


def _read_hidden(sheet: Any) -> _Embedded:
    """The hidden sheet's map data; raises _Damaged saying what is wrong."""
    header: dict[str, Any] = {}
    chunks: list[str] = []
    in_json = False
    for row in sheet.iter_rows(max_col=2, values_only=True):
        key = row[0] if row else None
        if in_json:
            if key is None:
                break
            if not isinstance(key, str):
                raise _Damaged("a piece of the map data is not text")
            chunks.append(key)
        elif key == "json":
            in_json = True
        elif isinstance(key, str):
            header[key] = row[1] if len(row) > 1 else None
    if header.get("format") != XLSX_FORMAT:
        raise _Damaged("the format marker is missing")
    version = header.get("version")
    if not isinstance(version, (int, float)) or int(version) != version or version < 1:
        raise _Damaged("the format version is missing")
    if version > XLSX_VERSION:
        raise _Damaged(f"it was written by a newer JourneyDesk (version {int(version)})")
    if header.get("chunks") != len(chunks):
        raise _Damaged(f"{len(chunks)} of {header.get('chunks')} pieces found")
    text = "".join(chunks)
    if _sha256(text) != header.get("sha256"):
        raise _Damaged("its checksum does not match")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise _Damaged("it is not valid JSON") from None
    if not isinstance(data, dict):
        raise _Damaged("it is not a map")
    digest = header.get("grid sha256")
    return _Embedded(data, digest if isinstance(digest, str) else "")


# -- reading a grid ----------------------------------------------------------------------
@dataclass
class _Grid:
    """A map read from a grid, in the JSON map format, with notes for the user."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


_OUR_SHEETS = {JOURNEY_SHEET, CARDS_SHEET, LANES_SHEET, STAGES_SHEET}
Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based)


def _find_grid(book: Any, path: Path) -> _Grid | None:
    """The first sheet holding a usable grid (the Journey sheet first when there is one)."""
    sheets = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    if _OUR_SHEETS.issubset(book.sheetnames):
        # Our own export without its hidden copy: the data sheets are no grids to guess at.
        sheets = [s for s in sheets if s.title == JOURNEY_SHEET]
    sheets.sort(key=lambda s: s.title != JOURNEY_SHEET)
    for index, sheet in enumerate(sheets):
        rows, merges = _read_grid_cells(sheet, path)
        grid = _grid_to_data(rows, merges, sheet.title, _map_name(book, sheet, path))
        if grid is not None:
            if index > 0:
                grid.warnings.insert(0, f"The map was read from sheet {sheet.title!r}; the "
                                        "sheets before it hold no journey grid.")
            if len(rows) >= MAX_GRID_ROWS or any(len(r) >= MAX_GRID_COLUMNS for r in rows):
                grid.warnings.append(f"Sheet {sheet.title!r} is larger than {MAX_GRID_ROWS} "
                                     f"rows or {MAX_GRID_COLUMNS} columns; only that much "
                                     "was read.")
            return grid
    return None


def _read_grid_cells(sheet: Any, path: Path) -> tuple[list[list[str]], list[Merge]]:
    """The sheet's texts (at most MAX_GRID_ROWS x MAX_GRID_COLUMNS) and its merged ranges."""
    rows: list[list[str]] = []
    # The <dimension> a file declares may be wrong or absent: read the rows as they are.
    sheet.reset_dimensions()
    for values in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_GRID_ROWS:
            break
        rows.append([cell_text(v) for v in values[:MAX_GRID_COLUMNS]])
    return _trim(rows), _merged_ranges(sheet, path)


def _merged_ranges(sheet: Any, path: Path) -> list[Merge]:
    """The merged ranges of a read-only sheet (openpyxl reads them only in normal mode).

    The sheet's part is streamed with defusedxml, keeping no more than one row in memory.
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    part = getattr(sheet, "_worksheet_path", None)
    if part is None:
        return []
    merges: list[Merge] = []
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as source:
        for _, element in iterparse(source, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                ref = element.get("ref", "")
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (ValueError, TypeError):
                    continue
                if None not in (min_col, min_row, max_col, max_row):
                    merges.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
            if tag in ("row", "mergeCell"):
                element.clear()
    return merges


_GENERIC_SHEET = re.compile(
    r"^(sheet|tabelle|feuil|hoja|foglio|blad|planilha|arkusz|лист|journey)\s*\d*$", re.I)


def _map_name(book: Any, sheet: Any, path: Path) -> str:
    """The workbook's title, else the sheet's title unless it is a default one, else the
    file name."""
    title = getattr(getattr(book, "properties", None), "title", None)
    if isinstance(title, str) and title.strip():
        return title.strip()
    if not _GENERIC_SHEET.match(sheet.title.strip()):
        return sheet.title.strip()
    return path.stem.strip() or "Imported map"


def _grid_to_data(rows: list[list[str]], merges: list[Merge], title: str, name: str
                  ) -> _Grid | None:
    """A plain grid as JSON map data, or None when the sheet holds no usable grid."""
    if len(rows) < 2:
        return None
    notes: list[str] = []
    width = len(rows[0])
    second = rows[1] if len(rows) > 1 else []
    step_row = (second[0].strip().lower() in ("", "step", "steps")
                and any(v.strip() for v in second[1:]) and len(rows) > 2)
    first_lane = 2 if step_row else 1

    # Row 1 merges: a stage over several columns.
    span_end = {c1: c2 for (r1, c1, _r2, c2) in merges if r1 == 1 and c1 >= 2}
    covered = {c for c1, c2 in span_end.items() for c in range(c1 + 1, c2 + 1)}

    def column_has_content(col: int) -> bool:
        return any(col < len(row) and row[col].strip() for row in rows[1:])

    # Columns (0-based) grouped into stages: [name, [columns]].
    groups: list[list[Any]] = []
    col = 1
    while col < width:
        header = rows[0][col].strip()
        if col + 1 in covered:
            col += 1
            continue
        columns = list(range(col, min(width, span_end.get(col + 1, col + 1))))
        if header:
            if groups and groups[-1][0] == header and (col + 1) not in span_end:
                groups[-1][1].extend(columns)  # the same name again: one stage, more steps
            else:
                groups.append([header, columns])
        elif any(column_has_content(c) for c in columns):
            if groups:
                notes.append(f"Column {_letter(col)} of {title!r} has no stage name; it was "
                             f"read as another step of stage {groups[-1][0]!r}.")
                groups[-1][1].extend(columns)
            else:
                groups.append([f"Stage {len(groups) + 1}", columns])
                notes.append(f"Column {_letter(col)} of {title!r} has no stage name; it was "
                             f"called {groups[-1][0]!r}.")
        col = columns[-1] + 1

    if not groups:
        return None

    stages: list[dict[str, Any]] = []
    place: dict[int, tuple[str, int]] = {}  # column -> (stage name, step index)
    taken_stages: set[str] = set()
    for header, columns in groups:
        stage_name = unique_name(header, taken_stages)
        if stage_name != header:
            notes.append(f"A second stage named {header!r} was renamed {stage_name!r}.")
        taken_stages.add(stage_name)
        steps: list[dict[str, Any]] = []
        taken_steps: set[str] = set()
        for index, column in enumerate(columns):
            step_name = second[column].strip() if step_row and column < len(second) else ""
            if step_name:
                unique = unique_name(step_name, taken_steps)
                if unique != step_name:
                    notes.append(f"A second step named {step_name!r} in stage "
                                 f"{stage_name!r} was renamed {unique!r}.")
                step_name = unique
                taken_steps.add(step_name)
            steps.append({"name": step_name, "events": []})
            place[column] = (stage_name, index)
        stage: dict[str, Any] = {"name": stage_name, "description": "", "events": []}
        if len(steps) > 1 or steps[0]["name"]:
            stage["steps"] = steps
        stages.append(stage)

    lanes: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    lane_rows: list[tuple[dict[str, Any], list[str]]] = []
    taken_lanes: set[str] = set()
    for row_index in range(first_lane, len(rows)):
        row = rows[row_index]
        lane_name = row[0].strip()
        content = any(row[c].strip() for c in place if c < len(row))
        if not lane_name:
            if not content:
                continue
            if lane_rows:
                notes.append(f"Row {row_index + 1} of {title!r} has no lane name; its cards "
                             f"were added to lane {lane_rows[-1][0]['name']!r}.")
                lane_rows.append((lane_rows[-1][0], row))
                continue
            lane_name = "Lane 1"
            notes.append(f"Row {row_index + 1} of {title!r} has no lane name; it was called "
                         f"{lane_name!r}.")
        unique = unique_name(lane_name, taken_lanes)
        if unique != lane_name:
            notes.append(f"A second lane named {lane_name!r} was renamed {unique!r}.")
        taken_lanes.add(unique)
        lane_type, note = guess_lane_type(unique)
        notes.append(note)
        lane = {"name": unique, "type": lane_type.value}
        lanes.append(lane)
        lane_rows.append((lane, row))

    if not lanes:
        return None

    for column in sorted(place):
        stage_name, index = place[column]
        stage = next(s for s in stages if s["name"] == stage_name)
        for lane, row in lane_rows:
            text = row[column] if column < len(row) else ""
            for paragraph in split_cards(text):
                card: dict[str, Any] = {"stage": stage_name, "lane": lane["name"]}
                if "steps" in stage:
                    card["step"] = index
                found = (_SEVERITY_PREFIX_RE.match(paragraph)
                         if lane["type"] == LaneType.PAIN_POINTS.value else None)
                if found:
                    card["severity"] = int(found.group(1))
                card["text"] = paragraph[found.end():] if found else paragraph
                cards.append(card)
    # Cards go cell by cell (lane rows of one step, then the next step); order within a
    # cell is the order above.
    lane_rank = {lane["name"]: i for i, lane in enumerate(lanes)}
    col_rank = {place[c]: i for i, c in enumerate(sorted(place))}
    cards.sort(key=lambda c: (col_rank[c["stage"], c.get("step", 0)], lane_rank[c["lane"]]))

    data = {"format": "journeydesk.map", "version": 1, "name": name, "description": "",
            "personas": [], "stages": stages, "lanes": lanes, "cards": cards, "emotions": []}
    return _Grid(data, notes)


def split_cards(text: str) -> list[str]:
    """A cell's cards: paragraphs separated by blank lines, trimmed, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column + 1)


# -- lane types from lane names ----------------------------------------------------------
_LANE_WORDS: list[tuple[LaneType, str]] = [
    (LaneType.PAIN_POINTS, r"pain\s*points?|pains?|problems?|frustrations?|issues?|"
                           r"barriers?|obstacles?"),
    (LaneType.EMOTIONS, r"emotions?|emotional|feelings?|feels|mood"),
    (LaneType.TOUCHPOINTS, r"touch\s*-?\s*points?|channels?|interactions?"),
    (LaneType.THOUGHTS, r"thoughts?|thinks?|thinking|questions?"),
    (LaneType.OPPORTUNITIES, r"opportunit(?:y|ies)|ideas?|improvements?|solutions?"),
    (LaneType.BACKSTAGE, r"back\s*-?\s*stage|back\s*office|behind\s+the\s+scenes|"
                         r"support\s+process(?:es)?"),
    (LaneType.NOTES, r"notes?|comments?|remarks?"),
    (LaneType.METRICS, r"metrics?|kpis?|measures?|numbers"),
    (LaneType.ACTIONS, r"actions?|activit(?:y|ies)|doing|does|tasks?|steps?"),
]
_LANE_PATTERNS = [(t, re.compile(rf"\b(?:{words})\b", re.I)) for t, words in _LANE_WORDS]


def guess_lane_type(name: str) -> tuple[LaneType, str]:
    """The lane type a lane name suggests (the word that comes first wins), with a note
    for the user; names that suggest nothing are actions."""
    best: tuple[int, LaneType] | None = None
    for lane_type, pattern in _LANE_PATTERNS:
        found = pattern.search(name)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), lane_type)
    if best is None:
        return LaneType.ACTIONS, (f"Lane {name!r}: no lane type recognised in its name; "
                                  "made it an actions lane.")
    label = LANE_TYPE_LABELS[best[1]].lower()
    return best[1], f"Lane {name!r}: type guessed from its name: {label}."


# -- an edited Journey sheet with the export's data --------------------------------------
def _step_keys(stage: dict[str, Any]) -> list[Any]:
    """How steps are matched between the export and an edited grid: by name, else position."""
    steps = stage.get("steps") or [{"name": ""}]
    return [step.get("name") or ("#", index) for index, step in enumerate(steps)]


def _locate(stage_by_name: dict[str, dict[str, Any]], entry: dict[str, Any]) -> Any | None:
    """The (stage, step key) of a card or emotion entry of the JSON data, or None."""
    stage = stage_by_name.get(entry.get("stage"))  # type: ignore[arg-type]
    if stage is None:
        return None
    keys = _step_keys(stage)
    ref = entry.get("step")
    if ref is None:
        index = 0
    elif isinstance(ref, int) and not isinstance(ref, bool):
        index = ref
    else:
        names = [s.get("name") for s in stage.get("steps") or []]
        if ref not in names:
            return None
        index = names.index(ref)
    if not 0 <= index < len(keys):
        return None
    return stage["name"], keys[index]


def _merge_with_embedded(grid: _Grid, exported: dict[str, Any]) -> _Grid:
    """The edited grid's map, with what still matches from the exported data."""
    data = dict(grid.data)
    warnings_ = list(grid.warnings)
    for key in ("name", "description", "scale", "personas"):
        if key in exported:
            data[key] = exported[key]

    old_stages = {s.get("name"): s for s in exported.get("stages", []) if isinstance(s, dict)}
    for stage in data["stages"]:
        old = old_stages.get(stage["name"])
        if old is None:
            continue
        stage["description"] = old.get("description", "")
        stage["events"] = old.get("events", [])
        old_events = dict(zip(_step_keys(old), [s.get("events", []) for s in
                                                (old.get("steps") or [{}])], strict=True))
        for key, step in zip(_step_keys(stage), stage.get("steps", []), strict=False):
            if key in old_events:
                step["events"] = old_events[key]

    old_lanes = {lane.get("name"): lane.get("type") for lane in exported.get("lanes", [])
                 if isinstance(lane, dict)}
    kept_types = set()
    for lane in data["lanes"]:
        if lane["name"] in old_lanes:
            lane["type"] = old_lanes[lane["name"]]
            kept_types.add(lane["name"])
    # Types of lanes known from the export are not guesses.
    warnings_ = [w for w in warnings_
                 if not any(w.startswith(f"Lane {n!r}:") for n in kept_types)]

    new_stages = {s["name"]: s for s in data["stages"]}
    old_cards: dict[Any, list[dict[str, Any]]] = {}
    for card in exported.get("cards", []):
        if isinstance(card, dict):
            where = _locate(old_stages, card)  # type: ignore[arg-type]
            key = (where, card.get("lane"), card.get("text"))
            old_cards.setdefault(key, []).append(card)
    for card in data["cards"]:
        key = (_locate(new_stages, card), card["lane"], card["text"])
        matches = old_cards.get(key)
        if matches:
            old = matches.pop(0)
            for field_name in ("severity", "priority", "channel", "tags", "colour", "events"):
                if field_name in old and field_name not in card:
                    card[field_name] = old[field_name]

    new_places = {}
    for stage in data["stages"]:
        for index, key in enumerate(_step_keys(stage)):
            new_places[stage["name"], key] = index
    emotions = []
    for point in exported.get("emotions", []):
        if not isinstance(point, dict):
            continue
        where = _locate(old_stages, point)  # type: ignore[arg-type]
        if where is None or where not in new_places:
            continue
        entry = {k: v for k, v in point.items() if k not in ("stage", "step")}
        entry["stage"] = where[0]
        if "steps" in new_stages[where[0]]:
            entry["step"] = new_places[where]
        emotions.append(entry)
    data["emotions"] = emotions
    return _Grid(data, warnings_)


__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "build_workbook",
    "check_container",
    "guess_lane_type",
    "read_map_xlsx",
    "split_cards",
    "write_map_xlsx",
]
