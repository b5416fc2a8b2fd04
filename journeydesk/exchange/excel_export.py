"""Writing a map as an Excel workbook (see :mod:`journeydesk.exchange.excel`): the Journey grid,
the Emotions table and chart, the data sheets (Cards, Stages, Lanes, Metrics, Personas) and the
hidden sheet with the whole map as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeydesk.domain.colours import (
    LANE_COLOURS,
    THEME_COLOURS,
    curve_colours,
)
from journeydesk.domain.model import (
    LANE_TYPE_LABELS,
    Card,
    JourneyMap,
    LaneType,
    Stage,
    Workspace,
)
from journeydesk.exchange.excel_cells import (
    GRID_BORDER,
    THEME,
    CellLooks,
    Part,
    card_colours,
    put,
    text_lines,
)
from journeydesk.exchange.excel_layout import (
    CARDS_SHEET,
    CHUNK_UNITS,
    COMMENTS_SHEET,
    EMOTION_CHART_SHEET,
    EMOTIONS_SHEET,
    FUNNEL_CHART_SHEET,
    HIDDEN_SHEET,
    JOURNEY_SHEET,
    LANES_SHEET,
    METRICS_SHEET,
    PERSONAS_SHEET,
    PRIORITY_LABELS,
    PRIORITY_LINE,
    SEVERITY_PREFIX,
    STAGES_SHEET,
    XLSX_FORMAT,
    XLSX_VERSION,
    _as_shown,
    _json_for_cells,
    _plain,
    _sha256,
    _split_units,
    emotion_line,
    grid_digest,
)
from journeydesk.exchange.excel_pictures import (
    POINTS_PER_PX,
    add_pictures,
    picture_label,
    pictures_height,
)
from journeydesk.exchange.excel_print import (
    chart_page,
    metrics_caption,
    print_setup,
)
from journeydesk.exchange.json_map import map_to_dict
from journeydesk.exchange.living_columns import (
    COMMENT_HEADERS,
    COMMENT_WIDTHS,
    LIVING_HEADERS,
    LIVING_WIDTHS,
    comment_rows,
    living_values,
    map_summary,
)
from journeydesk.exchange.map_formats import ExportCancelled, Progress

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# The map's own emotion curve (points without a persona), in tables and the chart legend.
MAP_CURVE = "(map)"

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
    LaneType.STORYBOARD: ("F8CBAD", "FFFFFF"),
}
# A pain-point cell's fill by the highest severity among its cards (1 = mild ... 5 = severe).
SEVERITY_FILLS = {1: "FBE3E3", 2: "F8CFCF", 3: "F4B0B0", 4: "EE8E8E", 5: "E66A6A"}

STAGE_FILL = "1F3B57"
STEP_FILL = "D6DEE7"
STEP_COLUMN_WIDTH = 34   # characters; a card of ~30 characters fits on one line
LINE_HEIGHT = 15.0       # points per line of 11 pt Calibri
MAX_ROW_HEIGHT = 409.0   # Excel's limit
EXCEL_MAX_COLUMNS = 16_384  # A..XFD
EXCEL_MAX_ROWS = 1_048_576
MAX_STEP_COLUMN_WIDTH = 60  # a step column widened for its stage's long name
STAGE_LINE_HEIGHT = 17.0  # points per line of the stage row's 12 pt bold
HEADER_MAX_LINES = 4      # a stage name on more lines than this widens its columns
# How many characters of a column's width a line holds: a width counts digits of 11 pt
# Calibri; bold and larger text is wider, and a reader without Calibri (LibreOffice takes
# DejaVu Sans) wider still.  The estimates err on the side of a taller row (card text: the
# width less 2, as the grid always had).
TEXT_FIT, BOLD_FIT, STAGE_FIT = 0.92, 0.8, 0.7
# The colours the app draws with (the light theme, as the PowerPoint export).
# A part of a cell's text and how it looks: (text, (hex colour, bold) or None: the cell's).


@dataclass
class DataSheet:
    """One data sheet: a header row and rows of values, written as an Excel table."""

    title: str
    table: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]
    wrap: set[int] = field(default_factory=set)  # 0-based columns whose text may span lines
    top: int = 1  # the header row (the Metrics sheet has its caption above)


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
        # A cell with pictures: its text (the captions) under them, at the bottom.
        self.caption = Alignment(wrap_text=True, vertical="bottom")
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

        self.check_size()
        self.tick(0, force=True)
        book = Workbook()
        book.properties.title = _plain(self.m.name)[:255]
        book.properties.creator = "JourneyDesk"
        # The map's owner and review plan, where Excel shows a document's details.
        book.properties.description = _plain(map_summary(self.m))[:1000] or None
        self.styles = _Styles(book)
        journey = book.active
        journey.title = JOURNEY_SHEET
        grid = self.write_journey(journey)
        self.tick(force=True)

        emotions = book.create_sheet(EMOTIONS_SHEET)
        chart = self.write_emotions(emotions)
        if chart is not None:
            chart_page(book.create_sheet(EMOTION_CHART_SHEET), chart, self.m.name)
        for sheet in self.data_sheets():
            target = book.create_sheet(sheet.title)
            self.write_table(target, sheet)
            if sheet.title == METRICS_SHEET:
                self.write_metrics_extras(target, sheet)
                chart_page(book.create_sheet(FUNNEL_CHART_SHEET),
                           self.funnel_chart(target, sheet), self.m.name)
            self.tick(force=True)
        self.write_hidden(book.create_sheet(HIDDEN_SHEET), grid)
        book.active = 0
        self.tick(force=True)
        return book

    def check_size(self) -> None:
        """Refuse, before any work, a map that no sheet has room for (ValueError, one line)."""
        m = self.m
        steps, curves = len(m.all_steps()), len(self.curves())
        if 1 + steps > EXCEL_MAX_COLUMNS:
            raise ValueError(f"the map has {steps:,} steps; an Excel sheet has room for "
                             f"{EXCEL_MAX_COLUMNS - 1:,} (columns B to XFD): export it as "
                             "JSON instead")
        rows = max(2 + len(m.lanes), 1 + len(m.cards), 1 + len(m.emotions), 1 + steps,
                   1 + len(m.comments))
        if rows > EXCEL_MAX_ROWS:
            raise ValueError(f"the map needs {rows:,} rows on a sheet; Excel has "
                             f"{EXCEL_MAX_ROWS:,}: export it as JSON instead")
        if 7 + curves > EXCEL_MAX_COLUMNS:
            raise ValueError(f"the map shows {curves:,} personas; the Emotions sheet has no "
                             "room for so many curves: export it as JSON instead")

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
        # Each cell's paragraphs (one per card, the emotion lines first), each a list of parts.
        cells: dict[tuple[int, int], list[list[Part]]] = {}
        emotions_lane = next((lane for lane in m.lanes if lane.type is LaneType.EMOTIONS), None)
        if emotions_lane is not None:  # as the canvas: the curves in the first emotions lane
            for step_id, lines in self.emotion_lines().items():
                cells[row_of[emotions_lane.id], column_of[step_id]] = [lines]
        self.tints: dict[tuple[str, str], tuple[str, str]] = {}
        for card in m.ordered_cards():
            lane = self.lane_by_id[card.lane_id]
            text = card.text
            if lane.type is LaneType.PAIN_POINTS and card.severity is not None:
                text = SEVERITY_PREFIX.format(card.severity) + text
            parts: list[Part] = [(text, None)]
            colours = card_colours(card.colour)
            if colours is not None:
                self.tints.setdefault((card.lane_id, card.step_id), colours)
            if lane.type is LaneType.OPPORTUNITIES and card.priority:
                label = PRIORITY_LABELS.get(card.priority, card.priority)
                accent = (colours[1] if colours is not None
                          else LANE_COLOURS[THEME][LaneType.OPPORTUNITIES].accent)
                parts.append(("\n" + PRIORITY_LINE.format(label), (accent, True)))
            cells.setdefault((row_of[card.lane_id], column_of[card.step_id]), []).append(parts)
        # Cells with coloured parts, written as rich text: (row, column) 0-based -> parts.
        self.rich: dict[tuple[int, int], list[Part]] = {}
        for (row, column), paragraphs in cells.items():
            flat: list[Part] = []
            for index, parts in enumerate(paragraphs):
                if index:
                    flat.append(("\n\n", None))
                flat.extend(parts)
            rows[row][column] = "".join(text for text, _ in flat)
            if any(look is not None for _, look in flat):
                self.rich[row, column] = flat
        return rows, step_row

    def emotion_lines(self) -> dict[str, list[Part]]:
        """Per step, a line per curve with a point there ("● Maria: 2 · relieved"), in the
        curve's colour as the canvas draws it."""
        m = self.m
        curves = self.curves()
        colours = curve_colours([owner for owner, _ in curves], self.persona_names,
                                THEME_COLOURS[THEME]["muted_text"])
        rank = {owner: i for i, (owner, _) in enumerate(curves)}
        names = dict(curves)
        found: dict[str, list[tuple[int, float, str]]] = {}
        for point in m.emotions.values():
            if point.persona_id in rank:
                found.setdefault(point.step_id, []).append(
                    (rank[point.persona_id], point.score, point.label))
        lines: dict[str, list[Part]] = {}
        for step_id, points in found.items():
            parts: list[Part] = []
            for index, (owner_rank, score, label) in enumerate(sorted(points)):
                owner = curves[owner_rank][0]
                head = emotion_line(names[owner], score, "")
                line = emotion_line(names[owner], score, label)
                parts.append((("\n" if index else "") + head, (colours[owner], True)))
                if len(line) > len(head):
                    parts.append((line[len(head):], None))
            lines[step_id] = parts
        return lines

    def write_journey(self, sheet: Worksheet) -> list[list[str]]:
        from openpyxl.utils import get_column_letter

        m, st = self.m, self.styles
        rows, step_row = self.journey_grid()
        first_lane_row = 3 if step_row else 2  # 1-based
        steps = m.all_steps()
        widths = self.step_widths()

        put(sheet, 1, 1, rows[0][0]).style = st.title
        if step_row:
            sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)

        column = 2
        for stage in m.stages:
            last = column + len(stage.steps) - 1
            put(sheet, 1, column, stage.name).style = st.stage
            for c in range(column + 1, last + 1):
                sheet.cell(1, c).style = st.stage  # the merged range's border and fill
            if step_row and len(stage.steps) == 1 and not stage.steps[0].name:
                # A stage with one unnamed step: its header reaches down over the step row.
                sheet.cell(2, column).style = st.stage
                sheet.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
            else:
                if step_row:
                    for offset, step in enumerate(stage.steps):
                        step_cell = (put(sheet, 2, column + offset, step.name) if step.name
                                     else sheet.cell(2, column + offset))
                        step_cell.style = st.step
                if last > column:
                    sheet.merge_cells(start_row=1, start_column=column, end_row=1,
                                      end_column=last)
            column = last + 1

        severities = self.max_severities()
        lane_width = self.lane_column_width()
        pictured = self.pictured_cells()
        looks = CellLooks()
        for index, lane in enumerate(m.lanes):
            row = first_lane_row + index
            texts = rows[row - 1]
            lane_type = LaneType(lane.type)
            put(sheet, row, 1, lane.name).style = st.lane[lane_type]
            lines = text_lines(lane.name, lane_width * BOLD_FIT)
            picture_px = 0
            for col_index, step in enumerate(steps, start=2):
                text = texts[col_index - 1]
                parts = self.rich.get((row - 1, col_index - 1))
                if parts is not None:
                    cell = sheet.cell(row, col_index)
                    cell.value = looks.rich_text(parts)
                else:
                    cell = (put(sheet, row, col_index, text) if text
                            else sheet.cell(row, col_index))
                severity = severities.get((lane.id, step.id))
                cell.style = (st.severity[severity] if severity is not None
                              else st.cell[lane_type])
                tint = self.tints.get((lane.id, step.id))
                if tint is not None:  # the card's own colour, as the canvas tints the card
                    cell.fill, cell.border = looks.fill(tint[0]), looks.stripe(tint[1])
                lines = max(lines, text_lines(text, widths[col_index - 2] - 2))
                cards = pictured.get((lane.id, step.id))
                if cards:  # the pictures at the top of the cell, the captions under them
                    storyboard = lane_type is LaneType.STORYBOARD
                    add_pictures(sheet, row, col_index, cards, storyboard)
                    picture_px = max(picture_px, pictures_height(cards, storyboard))
                    cell.alignment = st.caption
            sheet.row_dimensions[row].height = min(
                MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 6 + picture_px * POINTS_PER_PX)
            self.tick()

        sheet.column_dimensions["A"].width = lane_width
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(2 + index)].width = width
        self.header_heights(sheet, step_row, widths, lane_width)
        sheet.freeze_panes = "B3" if step_row else "B2"
        print_setup(sheet, m.name, title_rows="1:2" if step_row else "1:1", title_cols="A:A")
        return rows

    def step_widths(self) -> list[float]:
        """Each step column's width: 34 characters, wider for a stage whose name would take
        more than a few lines over its columns (up to 60 a column)."""
        widths: list[float] = []
        for stage in self.m.stages:
            count = len(stage.steps)
            width = float(STEP_COLUMN_WIDTH)
            while (width < MAX_STEP_COLUMN_WIDTH and text_lines(
                    stage.name, count * width * STAGE_FIT) > HEADER_MAX_LINES):
                width += 2
            widths.extend([width] * count)
        return widths

    def header_heights(self, sheet: Worksheet, step_row: bool, widths: list[float],
                       lane_width: float) -> None:
        """Stage and step rows tall enough for their wrapped names (never cut), and for the
        map's name in A1."""
        stage_lines, column = 1, 0
        for stage in self.m.stages:
            span = sum(widths[column:column + len(stage.steps)])
            stage_lines = max(stage_lines, text_lines(stage.name, span * STAGE_FIT))
            column += len(stage.steps)
        stage_height = min(MAX_ROW_HEIGHT, max(30.0, stage_lines * STAGE_LINE_HEIGHT + 8))
        step_height = 0.0
        if step_row:
            steps = self.m.all_steps()
            step_lines = max((text_lines(s.name, w * BOLD_FIT) for s, w in zip(
                steps, widths, strict=True)), default=1)
            step_height = min(MAX_ROW_HEIGHT, step_lines * LINE_HEIGHT + 6)
        # The map's name (12 pt bold) in A1, merged over the step row when there is one.
        title = text_lines(self.m.name, lane_width * STAGE_FIT) * STAGE_LINE_HEIGHT + 8
        if title > stage_height + step_height:
            extra = title - stage_height - step_height
            if step_row:
                step_height = min(MAX_ROW_HEIGHT, step_height + extra)
            else:
                stage_height = min(MAX_ROW_HEIGHT, stage_height + extra)
        sheet.row_dimensions[1].height = stage_height
        if step_row:
            sheet.row_dimensions[2].height = step_height

    def lane_column_width(self) -> int:
        """Column A fits the longest lane name (16 to 30 characters); longer names wrap."""
        longest = max((len(line) for lane in self.m.lanes for line in lane.name.split("\n")),
                      default=0)
        return max(16, min(30, longest + 3))

    def pictured_cells(self) -> dict[tuple[str, str], list[Card]]:
        """The cards of each (lane, step) cell that holds a card with a picture, in order."""
        cells: dict[tuple[str, str], list[Card]] = {}
        for card in self.m.ordered_cards():
            if card.picture is not None:
                cells.setdefault((card.lane_id, card.step_id), []).append(card)
        return cells

    def max_severities(self) -> dict[tuple[str, str], int]:
        """For every pain-point cell with severities, the highest severity of its cards."""
        worst: dict[tuple[str, str], int] = {}
        for card in self.m.cards.values():
            lane = self.lane_by_id[card.lane_id]
            if lane.type is LaneType.PAIN_POINTS and card.severity is not None:
                key = (lane.id, card.step_id)
                worst[key] = max(worst.get(key, 0), card.severity)
        return worst

    # -- Emotions ------------------------------------------------------------------------
    def curves(self) -> list[tuple[str | None, str]]:
        """The chart's series: every linked persona, then the map's own curve if it has one."""
        curves: list[tuple[str | None, str]] = [(p.id, p.name) for p in self.personas]
        if any(point.persona_id is None for point in self.m.emotions.values()):
            curves.append((None, MAP_CURVE))
        return curves

    def write_emotions(self, sheet: Worksheet) -> Any:
        """The table of points and the chart's data block; returns the chart (None without
        curves or steps), which goes on a sheet of its own."""
        from openpyxl.chart import LineChart, Reference
        from openpyxl.chart.data_source import AxDataSource, StrRef
        from openpyxl.chart.shapes import GraphicalProperties
        from openpyxl.drawing.line import LineProperties
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
            return None
        left = len(table.headers) + 2  # one empty column between table and block
        head = put(sheet, 1, left, "step")
        head.font = st.bold
        for offset, (_, name) in enumerate(curves, start=1):
            put(sheet, 1, left + offset, name).font = st.bold
        scores = {(p.step_id, p.persona_id): p.score for p in m.emotions.values()}
        for row, step in enumerate(steps, start=2):
            put(sheet, row, left, _step_label(*self.places[step.id]))
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
        data = Reference(sheet, min_col=left + 1, max_col=left + len(curves),
                         min_row=1, max_row=1 + len(steps))
        chart.add_data(data, titles_from_data=True)
        labels = Reference(sheet, min_col=left, min_row=2, max_row=1 + len(steps))
        colours = curve_colours([owner for owner, _ in curves], self.persona_names,
                                THEME_COLOURS[THEME]["muted_text"])
        for series, (owner, _) in zip(chart.series, curves, strict=True):
            # Step labels are text: a string reference, so Excel shows them (not 1, 2, 3).
            series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
            series.smooth = False
            colour = colours[owner].lstrip("#").upper()  # the persona's colour in the app
            # 2.25 pt lines, white-ringed markers, as on the canvas
            series.graphicalProperties.line = LineProperties(solidFill=colour, w=28575)
            series.marker.symbol = "circle"
            series.marker.size = 7
            series.marker.graphicalProperties = GraphicalProperties(
                solidFill=colour, ln=LineProperties(solidFill="FFFFFF"))
        return chart

    # -- data sheets ---------------------------------------------------------------------
    def data_sheets(self) -> list[DataSheet]:
        """Cards, Comments (when there are any), Stages, Lanes, Metrics (with a dataset) and
        Personas."""
        sheets = [self.cards_sheet()]
        comments = comment_rows(self.m)
        if comments:
            sheets.append(DataSheet(COMMENTS_SHEET, "JourneyComments", list(COMMENT_HEADERS),
                                    comments, list(COMMENT_WIDTHS), wrap={0, 5}))
        sheets += [self.stages_sheet(), self.lanes_sheet()]
        if self.metrics is not None:
            sheets.append(self.metrics_sheet())
        return [*sheets, self.personas_sheet()]

    def metrics_sheet(self) -> DataSheet:
        """The funnel numbers of the bound dataset, one row per stage, under a caption
        naming the options they were computed with."""
        assert self.metrics is not None
        rows = [_funnel_row(entry) for entry in self.metrics["stages"]]
        return DataSheet(METRICS_SHEET, "JourneyMetrics", list(METRICS_HEADERS), rows,
                         [24, 12, 22, 20, 12, 26], top=3)

    def write_metrics_extras(self, sheet: Worksheet, data: DataSheet) -> None:
        """The caption above the Metrics table, percentages, and with a breakdown one more
        table below: the funnel of each value."""
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableStyleInfo

        assert self.metrics is not None
        caption = metrics_caption(self.metrics)
        columns = len(data.headers)
        cell = put(sheet, 1, 1, caption)
        cell.font = Font(italic=True, color=THEME_COLOURS[THEME]["muted_text"].lstrip("#"))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        sheet.row_dimensions[1].height = min(
            MAX_ROW_HEIGHT, text_lines(caption, sum(data.widths) * TEXT_FIT) * LINE_HEIGHT + 4)
        last = data.top + len(data.rows)
        breakdown = self.metrics.get("breakdown") or []
        rows: list[list[Any]] = [[str(part.get("value", ""))] + _funnel_row(entry)
                                 for part in breakdown for entry in part.get("stages", [])]
        if rows:
            column = (self.metrics.get("definition") or {}).get("breakdown") or "value"
            top = last + 3
            put(sheet, top - 1, 1, f"By {column}").font = self.styles.bold
            headers = [str(column), *METRICS_HEADERS]
            for index, header in enumerate(headers, start=1):
                put(sheet, top, index, header)
            for row_index, values in enumerate(rows, start=top + 1):
                for index, value in enumerate(values, start=1):
                    if value is not None and value != "":
                        put(sheet, row_index, index, value)
            table = Table(displayName="JourneyMetricsBreakdown",
                          ref=f"A{top}:{get_column_letter(len(headers))}{top + len(rows)}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2",
                                                  showRowStripes=True)
            sheet.add_table(table)
            # The two tables share the columns: each as wide as its wider header needs.
            for index, width in enumerate(BREAKDOWN_WIDTHS, start=1):
                letter = get_column_letter(index)
                sheet.column_dimensions[letter].width = max(
                    width, data.widths[index - 1] if index <= len(data.widths) else 0)
            last = top + len(rows)
        for row in range(data.top + 1, last + 1):  # conversions read as percentages
            for column_index in (4, 5) if row > data.top + len(data.rows) else (3, 4):
                sheet.cell(row=row, column=column_index).number_format = "0.0%"

    def funnel_chart(self, sheet: Worksheet, data: DataSheet) -> Any:
        """A bar chart of users per stage (drawn from the Metrics table), for its own page."""
        from openpyxl.chart import BarChart, Reference
        from openpyxl.chart.shapes import GraphicalProperties

        assert self.metrics is not None
        first, last = data.top, data.top + len(data.rows)
        chart = BarChart()
        chart.type = "col"
        chart.title = f"Users per stage ({_plain(str(self.metrics.get('dataset', '')))})"
        chart.y_axis.title = "users"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=2, min_row=first, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
        for series in chart.series:
            series.graphicalProperties = GraphicalProperties(
                solidFill=THEME_COLOURS[THEME]["header_fill"][1:])
        return chart

    def cards_sheet(self) -> DataSheet:
        rows = []
        for card in self.m.ordered_cards():
            stage, index = self.places[card.step_id]
            lane = self.lane_by_id[card.lane_id]
            rows.append([stage.name, stage.steps[index].name, lane.name,
                         LANE_TYPE_LABELS[LaneType(lane.type)], card.position + 1, card.text,
                         card.severity, card.priority, card.channel, ", ".join(card.tags),
                         *living_values(card, self.m), picture_label(card)])
        return DataSheet(CARDS_SHEET, "JourneyCards",
                         ["stage", "step", "lane", "lane type", "order", "text", "severity",
                          "priority", "channel", "tags", *LIVING_HEADERS, "picture"], rows,
                         [20, 20, 20, 14, 8, 60, 10, 10, 14, 24, *LIVING_WIDTHS, 16],
                         wrap={5, 11, 16})

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

        top = data.top
        for column, header in enumerate(data.headers, start=1):
            put(sheet, top, column, header)
        wrap = self.styles.wrap
        for row_index, values in enumerate(data.rows, start=top + 1):
            for column, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = put(sheet, row_index, column, value)
                if column - 1 in data.wrap and isinstance(value, str) and "\n" in value:
                    cell.alignment = wrap
            if data.title == CARDS_SHEET:
                self.tick()
        last_row = top + max(1, len(data.rows))  # a table needs a data row, even an empty one
        ref = f"A{top}:{get_column_letter(len(data.headers))}{last_row}"
        table = Table(displayName=data.table, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
        for column, width in enumerate(data.widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = f"A{top + 1}"
        print_setup(sheet, self.m.name, title_rows=f"{top}:{top}")

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
            put(sheet, row, 1, key)
            put(sheet, row, 2, value)
        put(sheet, len(header) + 1, 1, "json")
        for row, chunk in enumerate(chunks, start=len(header) + 2):
            put(sheet, row, 1, chunk)
        sheet.sheet_state = "hidden"


def _step_label(stage: Stage, index: int) -> str:
    """How a step reads in the chart: the stage alone when it has one unnamed step."""
    step = stage.steps[index]
    if len(stage.steps) == 1 and not step.name:
        return stage.name
    return f"{stage.name}: {step.name or f'step {index + 1}'}"


BREAKDOWN_WIDTHS = (16, 24, 12, 24, 22, 12, 28)
METRICS_HEADERS = ("stage", "users", "conversion from previous", "conversion from first",
                   "dropped", "median seconds from previous")


def _funnel_row(entry: dict[str, Any]) -> list[Any]:
    """A stage's numbers in the order of :data:`METRICS_HEADERS`."""
    return [entry.get("stage"), entry.get("users"), entry.get("conversion_from_previous"),
            entry.get("conversion_from_first"), entry.get("dropped"),
            entry.get("median_seconds_from_previous")]
