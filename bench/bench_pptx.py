"""PowerPoint export benchmark: a 2,000-card map against bare python-pptx writing the same deck.

The map is the Excel benchmark's (10 stages x 2 steps x 10 lanes x 10 cards, two personas and
their curves), with a picture on each of the storyboard lane's 200 cards.

Two floors, measured in the same run from what our export wrote (read back once, untimed, with
python-pptx, so neither floor plans anything: no text measuring, no splitting into slides):

- **same work**: bare python-pptx (public API) writing the same slides (same layouts), the
  same shapes in the same order with the same geometry, names, fills, outlines (colour and
  width, no theme shadow), corner adjustments, text frames (wrap, no autofit, insets, anchor)
  and paragraphs (alignment, single spacing) of runs with the same font, size, bold, italic
  and colour; the same pictures; the same charts (data, series colours, markers, point labels,
  axes); the same titles and speaker notes; saved to a file.  Shape ids come from python-pptx's
  own "turbo add" (a documented switch), the fastest way it offers.
- **naive**: the same slides, shapes (type and geometry), texts (one ``text_frame.text`` per
  shape), pictures, charts (data only), titles and notes, and nothing else: no fills,
  outlines, fonts, insets or chart formatting.  Cheaper than ours by construction: it leaves
  out most of what a slide needs to look like the map.

The goal (issue 20) is ours <= 1.5 x the same-work floor; the naive floor is printed for
comparison.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_excel import big_workspace
from harness import Result, median_seconds

from journeydesk.domain.model import JourneyMap, LaneType, Workspace
from journeydesk.exchange.pptx_export import write_map_pptx


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))

    rows = (b"\0" + bytes(colour) * width) * height
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def bench_map() -> tuple[Workspace, JourneyMap]:
    """The Excel benchmark's 2,000-card map; the storyboard lane's cards get pictures (four
    different 320 x 240 PNGs)."""
    ws, m = big_workspace()
    pictures = [_png(320, 240, c) for c in ((217, 104, 43), (61, 111, 209), (46, 133, 64),
                                            (201, 154, 0))]
    storyboard = {lane.id for lane in m.lanes if lane.type is LaneType.STORYBOARD}
    for index, card in enumerate(c for c in m.cards.values() if c.lane_id in storyboard):
        card.picture = pictures[index % len(pictures)]
    return ws, m


# -- what our deck holds, read back once ------------------------------------------------------
@dataclass
class Run:
    text: str
    size: int | None  # EMU
    bold: bool | None
    italic: bool | None
    colour: Any


@dataclass
class Box:
    """An autoshape (or the title placeholder: ``kind`` "title")."""

    kind: str
    geometry: tuple[int, int, int, int]
    name: str = ""
    auto_shape: Any = None
    fill: Any = None
    line: Any = None
    line_width: int = 0
    adjustments: list[float] = field(default_factory=list)
    text: dict[str, Any] | None = None  # margins, anchor, paragraphs [(alignment, [Run])]


@dataclass
class Picture:
    geometry: tuple[int, int, int, int]
    name: str
    blob: bytes


@dataclass
class Chart:
    geometry: tuple[int, int, int, int]
    name: str
    chart_type: Any
    categories: list[str]
    series: list[tuple[str, list[Any], Any, list[str]]]  # name, values, colour, point labels
    scale: tuple[float, float, float] | None  # min, max, major unit of a line chart


@dataclass
class SlideSpec:
    layout: int
    shapes: list[Any]
    notes: str


def _geometry(shape: Any) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.width, shape.height


def _colour(fmt: Any) -> Any:
    return fmt.fore_color.rgb if fmt.type == 1 else None  # MSO_FILL.SOLID


def read_deck(path: Path) -> tuple[list[SlideSpec], tuple[int, int]]:
    """Every slide of the deck at ``path`` as the floors write it."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pptx.oxml.ns import qn

    deck = Presentation(str(path))
    layouts = list(deck.slide_layouts)
    slides = []
    for slide in deck.slides:
        shapes: list[Any] = []
        for shape in slide.shapes:
            if shape.has_chart:
                chart = shape.chart
                series = []
                for s in chart.plots[0].series:
                    labels = []
                    for point in range(len(list(s.values))):
                        d_lbl = s._element.find(qn("c:dLbls"))
                        found = "" if d_lbl is None else s.points[point].data_label.text_frame.text
                        labels.append(found)
                    colour = (s.format.line.color.rgb if chart.chart_type != 51
                              else s.format.fill.fore_color.rgb)
                    series.append((s.name, list(s.values), colour, labels))
                scale = None
                if chart.chart_type != 51:  # not the funnel's columns
                    axis = chart.value_axis
                    scale = (axis.minimum_scale, axis.maximum_scale, axis.major_unit)
                shapes.append(Chart(_geometry(shape), shape.name, chart.chart_type,
                                    [str(c) for c in chart.plots[0].categories], series, scale))
            elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                shapes.append(Picture(_geometry(shape), shape.name, shape.image.blob))
            elif shape.shape_type == MSO_SHAPE_TYPE.TABLE:
                continue  # the funnel's table: not on a map's slides
            else:
                is_title = shape.is_placeholder
                box = Box("title" if is_title else "shape", _geometry(shape), shape.name)
                if not is_title:
                    box.auto_shape = shape.auto_shape_type
                    box.fill = _colour(shape.fill)
                    box.line = _colour(shape.line.fill)
                    box.line_width = shape.line.width
                    box.adjustments = list(shape.adjustments)
                body = shape._element.find(qn("p:txBody"))
                body_pr = body.find(qn("a:bodyPr"))
                if body_pr.get("wrap") is not None:
                    frame = shape.text_frame
                    box.text = {
                        "margins": (frame.margin_left, frame.margin_top, frame.margin_right,
                                    frame.margin_bottom),
                        "anchor": frame.vertical_anchor,
                        "paragraphs": [(p.alignment, [Run(r.text, r.font.size, r.font.bold,
                                                          r.font.italic, r.font.color.rgb)
                                                      for r in p.runs])
                                       for p in frame.paragraphs]}
                shapes.append(box)
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append(SlideSpec(layouts.index(slide.slide_layout), shapes, notes))
    return slides, (deck.slide_width, deck.slide_height)


# -- the floors -------------------------------------------------------------------------------
def same_work_writer(slides: list[SlideSpec], size: tuple[int, int], path: Path):  # noqa: ANN201
    """Bare python-pptx writing every property our export writes (see the module's notes)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_LABEL_POSITION, XL_MARKER_STYLE
    from pptx.enum.chart import XL_TICK_LABEL_POSITION as TICKS
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    def text(frame: Any, spec: dict[str, Any]) -> None:
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        (frame.margin_left, frame.margin_top, frame.margin_right,
         frame.margin_bottom) = spec["margins"]
        frame.vertical_anchor = spec["anchor"]
        for index, (alignment, runs) in enumerate(spec["paragraphs"]):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = alignment
            paragraph.line_spacing = 1.0
            for r in runs:
                run = paragraph.add_run()
                run.text = r.text
                font = run.font
                font.name = "Arial"
                font.size, font.bold, font.italic = r.size, r.bold, r.italic
                font.color.rgb = r.colour

    def chart(slide: Any, spec: Chart) -> None:
        data = CategoryChartData(number_format="0.##")
        data.categories = spec.categories
        for name, values, _, _ in spec.series:
            data.add_series(name, values)
        frame = slide.shapes.add_chart(spec.chart_type, *spec.geometry, data)
        frame.name = spec.name
        c = frame.chart
        c.has_legend = False
        c.font.name, c.font.size = "Arial", Pt(10)
        if spec.scale is not None:
            axis = c.value_axis
            axis.minimum_scale, axis.maximum_scale, axis.major_unit = spec.scale
            axis.has_major_gridlines = True
            axis.major_gridlines.format.line.color.rgb = spec.series[0][2]
            axis.format.line.fill.background()
            axis.tick_labels.font.size = Pt(10)
            c.category_axis.tick_label_position = TICKS.NONE
        for series, (_, _, colour, labels) in zip(c.plots[0].series, spec.series, strict=True):
            if spec.scale is None:
                series.format.fill.solid()
                series.format.fill.fore_color.rgb = colour
                continue
            series.smooth = False
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.25)
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 7
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
            for index, label in enumerate(labels):
                if label:
                    data_label = series.points[index].data_label
                    data_label.position = XL_LABEL_POSITION.ABOVE
                    data_label.text_frame.text = label
                    for run in data_label.text_frame.paragraphs[0].runs:
                        run.font.size, run.font.name = Pt(10), "Arial"
                        run.font.color.rgb = colour

    def write() -> None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = size
        for spec in slides:
            slide = deck.slides.add_slide(deck.slide_layouts[spec.layout])
            shapes = slide.shapes
            shapes.turbo_add_enabled = True
            for item in spec.shapes:
                if isinstance(item, Chart):
                    shapes.turbo_add_enabled = False
                    chart(slide, item)
                    shapes.turbo_add_enabled = True
                elif isinstance(item, Picture):
                    picture = shapes.add_picture(io.BytesIO(item.blob), *item.geometry)
                    picture.name = item.name
                elif item.kind == "title":
                    title = shapes.title
                    title.left, title.top, title.width, title.height = item.geometry
                    text(title.text_frame, item.text)
                else:
                    shape = shapes.add_shape(item.auto_shape, *item.geometry)
                    shape.name = item.name
                    if item.fill is None:
                        shape.fill.background()
                    else:
                        shape.fill.solid()
                        shape.fill.fore_color.rgb = item.fill
                    if item.line is None:
                        shape.line.fill.background()
                    else:
                        shape.line.color.rgb = item.line
                        shape.line.width = item.line_width
                    style = shape._element.find(qn("p:style"))  # no theme shadow, as ours
                    if style is not None:
                        shape._element.remove(style)
                    for index, value in enumerate(item.adjustments):
                        shape.adjustments[index] = value
                    if item.text is not None:
                        text(shape.text_frame, item.text)
            if spec.notes:
                slide.notes_slide.notes_text_frame.text = spec.notes
        deck.save(str(path))

    return write


def naive_writer(slides: list[SlideSpec], size: tuple[int, int], path: Path):  # noqa: ANN201
    """Bare python-pptx writing the same slides, shapes, texts, pictures, charts (data only)
    and notes, without any formatting."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData

    def joined(box: Box) -> str:
        if box.text is None:
            return ""
        return "\n".join("".join(r.text for r in runs) for _, runs in box.text["paragraphs"])

    def write() -> None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = size
        for spec in slides:
            slide = deck.slides.add_slide(deck.slide_layouts[spec.layout])
            shapes = slide.shapes
            for item in spec.shapes:
                if isinstance(item, Chart):
                    data = CategoryChartData()
                    data.categories = item.categories
                    for name, values, _, _ in item.series:
                        data.add_series(name, values)
                    shapes.add_chart(item.chart_type, *item.geometry, data)
                elif isinstance(item, Picture):
                    shapes.add_picture(io.BytesIO(item.blob), *item.geometry)
                elif item.kind == "title":
                    shapes.title.text_frame.text = joined(item)
                else:
                    shape = shapes.add_shape(item.auto_shape, *item.geometry)
                    if item.text is not None:
                        shape.text_frame.text = joined(item)
            if spec.notes:
                slide.notes_slide.notes_text_frame.text = spec.notes
        deck.save(str(path))

    return write


def run() -> list[Result]:
    """Run the PowerPoint export benchmark: ours against both floors."""
    ws, m = bench_map()
    with tempfile.TemporaryDirectory() as tmp:
        ours_path = Path(tmp) / "ours.pptx"
        write_map_pptx(m, ws, ours_path)
        slides, size = read_deck(ours_path)
        ours = median_seconds(lambda: write_map_pptx(m, ws, ours_path), repeat=5, warmup=1)
        same = median_seconds(same_work_writer(slides, size, Path(tmp) / "same.pptx"),
                              repeat=5, warmup=1)
        naive = median_seconds(naive_writer(slides, size, Path(tmp) / "naive.pptx"),
                               repeat=5, warmup=1)
    return [Result("PowerPoint export (2,000 cards)", ours, same, max_ratio=1.5),
            Result("PowerPoint vs the naive floor", ours, naive)]
