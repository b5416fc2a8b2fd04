"""A journey map as an editable PowerPoint deck (python-pptx): native shapes, text and charts.

One 16:9 slide per part of the map: the map's name, the stage headers, the step headers, the
lane headers and the cards (each one rounded shape with its text, in its lane's colours and
with its severity, priority, channel and tags; a card's picture as a native picture over it,
its text the caption below), and in the first emotions lane the emotion curves as a native
line chart (one series per persona, in the app's persona colours).  Nothing else is a
picture: every text can be edited, moved and searched.  The shapes are written as DrawingML
text (:class:`~journeydesk.exchange.pptx_shapes.ShapeSink`), many times faster than python-pptx's
property setters (bench/bench_pptx.py).

A wide map is split into parts of at most ``steps_per_slide`` steps (a whole stage stays on
one slide when it fits); a tall part continues on another slide (the plan is made first, in
:mod:`journeydesk.exchange.pptx_plan`).  Every slide repeats the
stage, step and lane headers of what it shows.  With six steps a slide, card text is 10.5 pt
and a card is about 24 characters wide.

A bound dataset's numbers (:class:`MapData`) go on the map slides too: each stage's users and
conversion under its name, the caption under the title and, with the flows, each stage's moves
in a band above the headers.

Optional slides follow: the funnel of a bound dataset (a native bar chart of users per stage
and a table of its numbers, in the ``metrics --json`` form the Excel Metrics sheet takes) and
one slide per linked persona (the one-pager as shapes).

Speaker notes carry what a slide has no room for: the map's description, the descriptions of
the stages shown, and the complete text of every card shortened on the slide (a card shows at
most :data:`MAX_CARD_LINES` lines, the last ending in an ellipsis).  A persona slide's notes
hold the whole persona.  User text is written as plain text runs (no fields, no markup);
characters XML cannot hold are left out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeydesk.domain.colours import (
    LANE_COLOURS,
    THEME_COLOURS,
    curve_colours,
)
from journeydesk.domain.model import (
    LANE_TYPE_LABELS,
    DomainError,
    JourneyMap,
    LaneType,
    Stage,
    Workspace,
)
from journeydesk.domain.pictures import JPEG_MIME, check_picture
from journeydesk.exchange.files import write_atomic
from journeydesk.exchange.map_formats import ExportCancelled, Progress
from journeydesk.exchange.pptx_plan import (
    AXIS_ROOM,
    BADGE_PT,
    CAPTION_H,
    CARD_GAP,
    CELL_PAD,
    CHART_BAND_H,
    FLOW_LINE_H,
    FLOW_PT,
    FLOW_WORDS,
    LANE_HEADER_W,
    MAX_FLOW_LINES,
    NUMBERS_H,
    PICTURE_GAP,
    STAGE_H,
    STEP_H,
    STEPS_PER_SLIDE,
    CardBox,
    MapSlide,
    card_colours,
    column_width,
    has_step_row,
    plan_map_slides,
    split_steps,
)
from journeydesk.exchange.pptx_shapes import (
    CARD_INSET_X,
    CARD_INSET_Y,
    CARD_PT,
    FONT,
    GRID_TOP,
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    THEME,
    ShapeSink,
    one_line,
    plain,
    rgb,
    set_notes,
    set_title,
    styled_lines,
    text_width,
)
from journeydesk.exchange.pptx_slides import funnel_caption, funnel_slide, persona_slide

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide

# =========================================================================== the data
@dataclass
class Move:
    """Users who moved from a stage straight to another (a transition of the flows)."""

    kind: str  # forward, skip or back
    target: str  # the stage moved to, by name
    users: int


@dataclass
class MapData:
    """What a bound dataset adds to the map slides: the caption under the title, each
    stage's users and conversion under its name, and the moves out of each stage in a band
    above the headers."""

    caption: str = ""
    numbers: dict[str, str] = field(default_factory=dict)  # stage id -> "1,234 users · 42.0%"
    moves: dict[str, list[Move]] = field(default_factory=dict)  # stage id -> most users first
    flows: bool = False  # flows were given (the band shows even when nobody moved)

    @classmethod
    def of(cls, m: JourneyMap, metrics: dict[str, Any] | None,
           flows: dict[str, Any] | None) -> MapData:
        """From ``metrics`` (the ``metrics --json`` form) and ``flows`` (the ``flows --json``
        form: ``transitions`` of ``from``, ``to``, ``kind`` and ``users``; stages by name)."""
        data = cls(flows=flows is not None)
        if metrics is not None and metrics.get("stages"):
            data.caption = funnel_caption(metrics)
            entries: dict[str, list[dict[str, Any]]] = {}
            for entry in metrics["stages"]:
                entries.setdefault(str(entry.get("stage", "")), []).append(entry)
            for stage in m.stages:  # in order: two stages of one name take their own entries
                queue = entries.get(stage.name)
                entry = queue.pop(0) if queue else {}
                users = entry.get("users")
                if users is None:
                    continue
                text = f"{users:,} user" if users == 1 else f"{users:,} users"
                conversion = entry.get("conversion_from_previous")
                if conversion is not None:
                    text += f" · {conversion * 100:.1f}%"
                data.numbers[stage.id] = text
        if flows is not None:
            ids: dict[str, str] = {}
            for stage in m.stages:
                ids.setdefault(stage.name, stage.id)
            for move in flows.get("transitions") or []:
                source, target = str(move.get("from", "")), str(move.get("to", ""))
                if source in ids and target in ids and int(move.get("users") or 0) > 0:
                    data.moves.setdefault(ids[source], []).append(
                        Move(str(move.get("kind", "forward")), target, int(move["users"])))
            for moves in data.moves.values():
                moves.sort(key=lambda mv: -mv.users)
        return data

    @property
    def flow_lines(self) -> int:
        """The lines of the flows band (0: no band)."""
        most = max((len(v) for v in self.moves.values()), default=0)
        return min(MAX_FLOW_LINES, most) or (1 if self.flows else 0)

    @property
    def flows_h(self) -> float:
        lines = self.flow_lines
        return lines * FLOW_LINE_H + 6 if lines else 0.0

    @property
    def stage_h(self) -> float:
        return STAGE_H + (NUMBERS_H if self.numbers else 0.0)

    @property
    def extra_top(self) -> float:
        """The points the data adds above the lanes."""
        return ((CAPTION_H if self.caption else 0.0) + self.flows_h
                + self.stage_h - STAGE_H)

    def move_lines(self, stage_id: str) -> list[Move | str]:
        """The lines of a stage's part of the flows band: its moves, most users first;
        what does not fit summed up as "+ n more"."""
        moves = self.moves.get(stage_id, [])
        if len(moves) <= MAX_FLOW_LINES:
            return list(moves)
        rest = moves[MAX_FLOW_LINES - 1:]
        return [*moves[:MAX_FLOW_LINES - 1],
                f"+ {len(rest)} more ({sum(mv.users for mv in rest):,} users)"]


def move_text(move: Move, width: float) -> str:
    """"→ Sign up: 412", "→ Pay (skip): 37", "← Look (back): 12", the stage's name cut to
    fit ``width`` points, never the count."""
    arrow = "←" if move.kind == "back" else "→"
    tail = f"{FLOW_WORDS.get(move.kind, '')}: {move.users:,}"
    room = width - text_width(f"{arrow} {tail}", FLOW_PT, bold=True) - 2
    return f"{arrow} {one_line(plain(move.target), max(room, 12.0), FLOW_PT)}{tail}"


# =========================================================================== writing
def write_map_pptx(m: JourneyMap, ws: Workspace, path: Path, progress: Progress | None = None,
                   metrics: dict[str, Any] | None = None, *,
                   flows: dict[str, Any] | None = None,
                   steps_per_slide: int = STEPS_PER_SLIDE, personas: bool = True) -> None:
    """Write ``m`` as a PowerPoint deck at ``path`` (atomically).

    ``metrics`` (the ``metrics --json`` form of a bound dataset) adds a funnel slide, each
    stage's users and conversion under its name on the map slides and the caption under
    their title; ``flows`` (the ``flows --json`` form) the moves out of each stage in a band
    above the stage headers;
    ``personas`` a slide per persona linked to the map.  ``progress(done, total)`` is called
    now and then; when it returns False the export stops with :class:`ExportCancelled` and an
    existing file at ``path`` is left as it was.
    """
    deck = build_presentation(m, ws, progress=progress, metrics=metrics, flows=flows,
                              steps_per_slide=steps_per_slide, personas=personas)
    buffer = io.BytesIO()
    deck.save(buffer)
    write_atomic(path, buffer.getvalue())


def build_presentation(m: JourneyMap, ws: Workspace, *, progress: Progress | None = None,
                       metrics: dict[str, Any] | None = None,
                       flows: dict[str, Any] | None = None,
                       steps_per_slide: int = STEPS_PER_SLIDE,
                       personas: bool = True) -> Presentation:
    """The deck of :func:`write_map_pptx`, not yet saved."""
    from pptx import Presentation as new_presentation
    from pptx.util import Pt

    data = MapData.of(m, metrics, flows)
    plan = plan_map_slides(m, steps_per_slide, extra_top=data.extra_top)
    linked = [ws.personas[i] for i in m.persona_ids if i in ws.personas] if personas else []
    total = len(m.cards) + len(plan) + len(linked) + 1
    ticker = _Ticker(progress, total)
    deck = new_presentation()
    deck.slide_width, deck.slide_height = Pt(SLIDE_W), Pt(SLIDE_H)
    props = deck.core_properties
    props.title = plain(m.name)[:250]
    props.author = props.last_modified_by = "JourneyDesk"
    props.subject = "Journey map"
    props.comments = ""
    props.revision = 1
    widths = split_steps(m, steps_per_slide)
    writer = _MapSlides(deck, m, ws, ticker, column_width(widths), data=data)
    for number, part in enumerate(plan, 1):
        writer.add(part, number, len(plan))
        ticker.tick()
    if metrics is not None and metrics.get("stages"):
        funnel_slide(deck, m, metrics)
    for persona in linked:
        persona_slide(deck, persona, m)
        ticker.tick()
    ticker.done()
    return deck


class _Ticker:
    """Calls ``progress`` every so often; raises ExportCancelled when it says stop."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.count = progress, max(1, total), 0

    def tick(self, n: int = 1) -> None:
        before = self.count
        self.count += n
        due = self.count // 200 != before // 200 or n > 1 or self.count < 5
        if self.progress is not None and due and self.progress(
                min(self.count, self.total - 1), self.total) is False:
            raise ExportCancelled

    def done(self) -> None:
        if self.progress is not None and self.progress(self.total - 1, self.total) is False:
            raise ExportCancelled


# -- the map ----------------------------------------------------------------------------------
class _MapSlides:
    """Draws the map slides of a plan."""

    def __init__(self, deck: Presentation, m: JourneyMap, ws: Workspace, ticker: _Ticker,
                 width: float, *, data: MapData):
        self.deck, self.m, self.ws, self.ticker = deck, m, ws, ticker
        self.width, self.data = width, data
        self.step_row = has_step_row(m)
        self.colours = THEME_COLOURS[THEME]
        owners: list[str | None] = [*m.persona_ids]
        if any(p.persona_id is None for p in m.emotions.values()):
            owners.append(None)
        names = {i: p.name for i, p in ws.personas.items()}
        self.curve_colours = curve_colours(owners, names, self.colours["muted_text"])
        # as the canvas's legend: the map's own curve, and the personas the workspace has
        self.owners = [o for o in owners if o is None or o in ws.personas]
        self.seen_stages: set[str] = set()
        self.images: dict[bytes, Any] = {}  # a card's picture -> its image part

    def add(self, part: MapSlide, number: int, count: int) -> None:
        """One slide of the map."""
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[5])  # "Title Only"
        sink = ShapeSink(slide)
        subtitle = ""
        if count > 1:
            first, last = part.steps[0][0], part.steps[-1][0]
            span = first.name if first is last else f"{first.name} – {last.name}"
            subtitle = f"{span}  ·  slide {number} of {count}"
        set_title(slide, plain(self.m.name) or "Journey map", plain(subtitle), sink)
        y = self._headers(sink, part)
        notes = self._rows(slide, sink, part, y)
        sink.flush()
        stages = list(dict.fromkeys(stage.id for stage, _ in part.steps))
        lines = []
        if number == 1 and self.m.description:
            lines += [f"{self.m.name}: {self.m.description}", ""]
        for stage_id in stages:
            stage = self.m.stage(stage_id)
            lines.append(f"{stage.name}: {stage.description}" if stage.description
                         else f"{stage.name}: (no description)")
        moves = [(self.m.stage(i).name, mv) for i in stages for mv in self.data.moves.get(i, [])]
        if moves:
            lines += ["", "Flows (users who moved straight from one stage to another):"]
            lines += [f"{source} → {mv.target}{FLOW_WORDS.get(mv.kind, '')}: {mv.users:,}"
                      for source, mv in moves]
        if self.data.caption:
            lines += ["", self.data.caption]
        if notes:
            lines += ["", "Shortened on the slide; the whole text:", *notes]
        set_notes(slide, "\n".join(lines))

    def _x(self, column: int) -> float:
        return MARGIN + LANE_HEADER_W + column * self.width

    def _headers(self, sink: ShapeSink, part: MapSlide) -> float:
        """The data's caption and flows band, the stage and step headers; returns the y the
        lanes start at."""
        c, data = self.colours, self.data
        column = 0
        groups: list[tuple[Stage, int]] = []
        for stage, _ in part.steps:
            if groups and groups[-1][0] is stage:
                groups[-1] = (stage, groups[-1][1] + 1)
            else:
                groups.append((stage, 1))
        top = GRID_TOP
        if data.caption:
            sink.box(MARGIN, top, SLIDE_W - 2 * MARGIN, CAPTION_H - 2, fill=None, name="Caption",
                     paragraphs=[[(one_line(data.caption, SLIDE_W - 2 * MARGIN, 10.0,
                                            bold=False),
                                   {"size": 10.0, "colour": c["muted_text"]})]],
                     inset=(0, 0, 0, 0), anchor="top")  # the rest of CAPTION_H is a gap
            top += CAPTION_H
        if data.flows_h:
            self._flows_band(sink, groups, top)
            top += data.flows_h
        stage_h = data.stage_h
        for stage, n in groups:
            x, w = self._x(column), n * self.width
            continued = stage.id in self.seen_stages and stage.steps[0] is not part.steps[
                column][1]
            label = plain(stage.name) + (" (continued)" if continued else "")
            paragraphs = [[(one_line(label, w - 12, 12.0),
                            {"size": 12.0, "bold": True, "colour": c["header_text"]})]]
            numbers = data.numbers.get(stage.id)
            if numbers:
                paragraphs.append([(one_line(numbers, w - 12, 10.0, bold=False),
                                    {"size": 10.0, "colour": c["header_text"]})])
            sink.box(x, top, w, stage_h, fill=c["header_fill"], line=c["background"],
                     name=f"Stage: {stage.name}", paragraphs=paragraphs,
                     inset=(6, 2, 6, 2), anchor="middle", align="center")
            self.seen_stages.add(stage.id)
            column += n
        y = top + stage_h
        if self.step_row:
            for index, (_, step) in enumerate(part.steps):
                label = plain(step.name)
                paragraphs = [[(one_line(label, self.width - 10, 10.0),
                                {"size": 10.0, "bold": True, "colour": c["text"]})]]
                sink.box(self._x(index), y, self.width, STEP_H, fill=c["step_fill"],
                         line=c["grid"], name=f"Step: {label}",
                         paragraphs=paragraphs if label else None,
                         inset=(5, 1, 5, 1), anchor="middle", align="center")
            y += STEP_H
        return y

    def _flows_band(self, sink: ShapeSink, groups: list[tuple[Stage, int]], top: float,
                    ) -> None:
        """Above each stage header, the moves out of the stage: one line per move with the
        stage moved to and the users, coloured by kind as on the canvas (forward blue, skip
        purple, back red); at the left, what the band is."""
        c, data = self.colours, self.data
        height = data.flows_h - 2
        colours = {"forward": c["selection"],
                   "skip": LANE_COLOURS[THEME][LaneType.METRICS].accent,
                   "back": LANE_COLOURS[THEME][LaneType.PAIN_POINTS].accent}
        sink.box(MARGIN, top, LANE_HEADER_W, height, fill=None, name="Flows",
                 paragraphs=[[("Flows", {"size": FLOW_PT + 1, "bold": True,
                                         "colour": c["text"]})],
                             [("users who moved straight on", {"size": FLOW_PT - 1,
                                                                "colour": c["muted_text"]})]],
                 inset=(4, 1, 4, 1), anchor="bottom")
        column = 0
        for stage, n in groups:
            x, w = self._x(column), n * self.width
            column += n
            paragraphs = []
            for move in data.move_lines(stage.id):
                if isinstance(move, str):
                    paragraphs.append([(move, {"size": FLOW_PT, "colour": c["muted_text"]})])
                else:
                    paragraphs.append([(move_text(move, w - 8),
                                        {"size": FLOW_PT, "bold": True,
                                         "colour": colours.get(move.kind, c["text"])})])
            if not paragraphs and not data.moves:
                paragraphs = [[("No moves", {"size": FLOW_PT, "colour": c["muted_text"]})]]
            sink.box(x + 1, top, w - 2, height, fill="#ffffff" if paragraphs else None,
                     line=c["grid"] if paragraphs else None, name=f"Flows from: {stage.name}",
                     paragraphs=paragraphs or None, inset=(4, 2, 4, 2), anchor="bottom")

    def _rows(self, slide: Slide, sink: ShapeSink, part: MapSlide, y: float) -> list[str]:
        """Lane headers, bands, cards and the chart; the notes on shortened cards."""
        c = self.colours
        notes: list[str] = []
        grid_right = self._x(len(part.steps))
        for row in part.rows:
            lane_type = LaneType(row.lane.type)
            look = LANE_COLOURS[THEME][lane_type]
            sink.box(MARGIN + LANE_HEADER_W, y, grid_right - MARGIN - LANE_HEADER_W,
                     row.height, fill=look.band, line=c["grid"],
                     name=f"Lane band: {row.lane.name}")
            for index in range(1, len(part.steps)):  # the column rules
                sink.box(self._x(index) - 0.25, y, 0.5, row.height, fill=c["grid"],
                         name="Column rule")
            name = plain(row.lane.name) + (" (continued)" if row.continued else "")
            right = AXIS_ROOM if row.chart else 6.0
            paragraphs = [[(name, {"size": 11.0, "bold": True, "colour": look.accent})]]
            kind = LANE_TYPE_LABELS[lane_type]
            if kind.casefold() != row.lane.name.strip().casefold():
                paragraphs.append([(kind, {"size": 10.0, "colour": c["muted_text"]})])
            if row.chart:
                paragraphs += self._legend()
            sink.box(MARGIN, y, LANE_HEADER_W, row.height, fill=c["lane_header_fill"],
                     line=c["grid"], name=f"Lane: {row.lane.name}", paragraphs=paragraphs,
                     inset=(9, 4, right, 4))
            sink.box(MARGIN, y, 4, row.height, fill=look.accent, name="Lane colour")
            band = 0.0
            if row.chart:
                sink.flush()
                sink.follow(self._chart(slide, part, y))
                band = CHART_BAND_H
            for index, cards in enumerate(row.cells):
                top = y + band + CELL_PAD
                for box in cards:
                    self._card(slide, sink, box, lane_type, (self._x(index) + CELL_PAD, top))
                    if box.shortened:
                        stage, step = part.steps[index]
                        where = " / ".join(filter(None, (stage.name, step.name,
                                                         row.lane.name)))
                        notes.append(f"{where}: {box.card.text}")
                    top += box.height + CARD_GAP
                    self.ticker.tick()
            y += row.height
        return notes

    def _legend(self) -> list[list[tuple[str, dict[str, Any]]]]:
        c = self.colours
        entries = []
        for owner in self.owners:
            name = self.m.name if owner is None else self.ws.personas[owner].name
            entries.append([("━ ", {"size": 10.0, "bold": True,
                                    "colour": self.curve_colours[owner]}),
                            (one_line(plain(name), LANE_HEADER_W - AXIS_ROOM - 24, 10.0,
                                       bold=False), {"size": 10.0, "colour": c["text"]})])
        return entries

    def _card(self, slide: Slide, sink: ShapeSink, box: CardBox, lane_type: LaneType,
              at: tuple[float, float]) -> None:
        """One rounded shape (a folded note in notes lanes) with the card's text and badges,
        under its picture when it has one."""
        x, y = at
        width = self.width - 2 * CELL_PAD
        fill, accent = card_colours(box.card, lane_type)
        folded = lane_type is LaneType.NOTES
        text_colour = self.colours["text"] if box.card.text.strip() else self.colours[
            "muted_text"]
        paragraphs = styled_lines(box.text, size=CARD_PT, colour=text_colour) if box.text \
            else []
        paragraphs += [[(text, {"size": BADGE_PT, "bold": bold, "colour": colour})
                        for text, colour, bold in runs] for runs in box.badges]
        top = CARD_INSET_Y + (box.picture[1] + PICTURE_GAP if box.picture else 0.0)
        sink.box(x, y, width, box.height, fill=fill, line=accent, line_pt=1.0,
                 geometry="foldedCorner" if folded else "roundRect",
                 adjust=None if folded else min(0.5, 5.0 / max(1.0, min(box.height,
                                                                        self.width))),
                 name=f"Card: {one_line(plain(box.card.text), 400, 10, bold=False)}",
                 paragraphs=paragraphs, inset=(CARD_INSET_X, top, CARD_INSET_X, CARD_INSET_Y))
        if box.picture is not None and box.card.picture is not None:  # over its card
            picture_w, picture_h = box.picture
            sink.picture(x + (width - picture_w) / 2, y + CARD_INSET_Y, picture_w, picture_h,
                         r_id=self._image(slide, box.card.picture),
                         name=f"Picture: {one_line(plain(box.card.text), 400, 10, bold=False)}",
                         description=box.card.text or "Card picture")

    def _image(self, slide: Slide, picture: bytes) -> str:
        """The relationship id of ``picture`` on ``slide``: one image part per picture in the
        deck (python-pptx would look for it among all the deck's parts on every use)."""
        from pptx.opc.constants import RELATIONSHIP_TYPE

        part = self.images.get(picture)
        if part is None:
            part, r_id = slide.part.get_or_add_image_part(io.BytesIO(upright(picture)))
            self.images[picture] = part
            return r_id
        return slide.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)

    def _chart(self, slide: Slide, part: MapSlide, y: float) -> Any:
        """The emotion curves of the steps shown, aligned with their columns; the chart's
        frame."""
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
        from pptx.enum.chart import XL_TICK_LABEL_POSITION as TICKS
        from pptx.util import Pt

        m, c = self.m, self.colours
        data = CategoryChartData(number_format="0.##")
        data.categories = [plain(step.name or stage.name) or " " for stage, step in part.steps]
        series_labels = []
        for owner in self.owners:
            points = [m.emotion_at(step.id, owner) for _, step in part.steps]
            name = m.name if owner is None else self.ws.personas[owner].name
            data.add_series(plain(name) or "Map", [p.score if p else None for p in points])
            series_labels.append([plain(p.label) if p else "" for p in points])
        if not self.owners:
            data.add_series(plain(m.name) or "Map", [None] * len(part.steps))
            series_labels.append([""] * len(part.steps))
        left = MARGIN + LANE_HEADER_W - AXIS_ROOM
        width = self._x(len(part.steps)) - left
        top, height = y + 4, CHART_BAND_H - 8
        frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Pt(left), Pt(top),
                                       Pt(width), Pt(height), data)
        frame.name = "Emotion curve"
        chart = frame.chart
        chart.has_legend = False
        chart.font.name, chart.font.size = FONT, Pt(10)
        chart.font.color.rgb = rgb(c["muted_text"])
        values = chart.value_axis
        values.minimum_scale, values.maximum_scale = m.scale_min, m.scale_max
        values.major_unit = max(0.5, (m.scale_max - m.scale_min) / 4)
        values.has_major_gridlines = True
        values.major_gridlines.format.line.color.rgb = rgb(c["grid"])
        values.format.line.fill.background()
        values.tick_labels.font.size = Pt(10)
        categories = chart.category_axis
        categories.tick_label_position = TICKS.NONE  # the step headers above name them
        categories.format.line.color.rgb = rgb(c["card_border"])
        for series, owner, labels in zip(chart.plots[0].series, self.owners or [None],
                                         series_labels, strict=True):
            colour = self.curve_colours.get(owner, c["muted_text"])
            series.smooth = False
            series.format.line.color.rgb = rgb(colour)
            series.format.line.width = Pt(2.25)
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 7
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = rgb(colour)
            series.marker.format.line.color.rgb = rgb("#ffffff")
            for index, label in enumerate(labels):
                if label:
                    data_label = series.points[index].data_label
                    data_label.position = XL_LABEL_POSITION.ABOVE
                    frame_text = data_label.text_frame
                    frame_text.text = one_line(label, self.width - 8, 10.0, bold=False)
                    for run in frame_text.paragraphs[0].runs:
                        run.font.size, run.font.name = Pt(10), FONT
                        run.font.color.rgb = rgb(colour)
        _align_plot(chart, AXIS_ROOM / width)
        return frame


def upright(picture: bytes) -> bytes:
    """A card's picture as the app shows it: a JPEG whose EXIF orientation turns or mirrors
    it is written turned (slide programs do not all read the tag); anything else as stored."""
    try:
        mime, _, _ = check_picture(picture)
    except DomainError:
        return picture
    if mime != JPEG_MIME:
        return picture
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(picture)) as image:
            if image.getexif().get(0x0112, 1) == 1:
                return picture
            turned = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            turned.save(out, "JPEG", quality=92)
            return out.getvalue()
    except Exception:  # Pillow could not read it: as stored
        return picture


def _align_plot(chart: Any, left: float) -> None:
    """Pin the plot area so that each step's point sits over the middle of its column."""
    from lxml import etree
    from pptx.oxml.ns import qn

    plot_area = chart._chartSpace.chart.plotArea
    for old in plot_area.findall(qn("c:layout")):
        plot_area.remove(old)
    layout = etree.SubElement(plot_area, qn("c:layout"))
    plot_area.remove(layout)
    plot_area.insert(0, layout)
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, value in (("c:layoutTarget", "inner"), ("c:xMode", "edge"), ("c:yMode", "edge"),
                       ("c:x", f"{left:.5f}"), ("c:y", "0.12"), ("c:w", f"{1 - left:.5f}"),
                       ("c:h", "0.8")):
        etree.SubElement(manual, qn(tag)).set("val", value)
    value_axis = plot_area.find(qn("c:valAx"))
    crosses = value_axis.find(qn("c:crosses"))
    if value_axis.find(qn("c:crossBetween")) is None and crosses is not None:
        between = etree.Element(qn("c:crossBetween"))
        between.set("val", "between")
        crosses.addnext(between)


