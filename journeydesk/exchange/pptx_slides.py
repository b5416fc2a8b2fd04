"""The optional slides of the PowerPoint export: a bound dataset's funnel (a native bar chart
and a table of its numbers) and a linked persona's one-pager (as shapes)."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any

from journeydesk.domain.colours import PERSONA_SECTION_COLOURS, THEME_COLOURS, avatar_colour
from journeydesk.domain.model import JourneyMap, Persona
from journeydesk.domain.text import format_duration
from journeydesk.exchange.pptx_shapes import (
    FONT,
    GRID_BOTTOM,
    GRID_TOP,
    LINE,
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    THEME,
    add_box,
    fill_text,
    one_line,
    plain,
    rgb,
    set_notes,
    set_title,
    shortened,
    styled_lines,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide


# -- the funnel -------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f} %"


def _window(seconds: float | None) -> str:
    if not seconds:
        return "unlimited"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def funnel_caption(metrics: dict[str, Any]) -> str:
    """Dataset, period, window, segment and users in scope, for people."""
    definition = metrics.get("definition") or {}
    start, end = definition.get("from"), definition.get("to")
    period = f"{start or '…'} to {end or '…'}" if (start or end) else "all time"
    segment = ", ".join(f"{k} = {v}" for k, v in (definition.get("segment") or {}).items())
    parts = [f"Dataset: {metrics.get('dataset', '')}", f"period: {period}",
             f"window: {_window(definition.get('window_seconds'))}",
             f"segment: {segment or 'all users'}"]
    if metrics.get("users_total") is not None:
        parts.append(f"users in scope: {metrics['users_total']:,}")
    return plain("  ·  ".join(parts))


def funnel_slide(deck: Presentation, m: JourneyMap, metrics: dict[str, Any]) -> None:
    """Users per stage as a native bar chart, and the numbers in a native table."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Pt

    c = THEME_COLOURS[THEME]
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    set_title(slide, f"{plain(m.name)}: funnel")
    caption = funnel_caption(metrics)
    box = add_box(slide, MARGIN, GRID_TOP - 6, SLIDE_W - 2 * MARGIN, 20, fill=None, name="Caption")
    fill_text(box, [[(caption, {"size": 11.0, "colour": c["muted_text"]})]], inset=(0, 0, 0, 0))
    stages = [e for e in metrics["stages"] if e.get("users") is not None]
    data = CategoryChartData(number_format="#,##0")
    data.categories = [plain(str(e.get("stage", ""))) or " " for e in stages]
    data.add_series("Users", [int(e["users"]) for e in stages])
    top = GRID_TOP + 20
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Pt(MARGIN), Pt(top),
                                   Pt(SLIDE_W * 0.5 - MARGIN), Pt(GRID_BOTTOM - top), data)
    frame.name = "Funnel"
    chart = frame.chart
    chart.has_legend = False
    chart.font.name, chart.font.size = FONT, Pt(10)
    chart.has_title = True
    chart.chart_title.text_frame.text = "Users per stage"
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size, title_font.bold, title_font.name = Pt(12), True, FONT
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format = "#,##0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(11)
    plot.data_labels.font.bold = True
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = rgb(c["header_fill"])
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = rgb(c["grid"])
    chart.value_axis.tick_labels.font.size = Pt(10)
    chart.category_axis.tick_labels.font.size = Pt(10)

    rows = metrics["stages"]
    left = SLIDE_W * 0.5 + 8
    width = SLIDE_W - MARGIN - left
    headers = ["Stage", "Users", "From previous", "From first", "Dropped", "Median time"]
    row_h = min(24.0, (GRID_BOTTOM - top) / (len(rows) + 1))
    table = slide.shapes.add_table(len(rows) + 1, len(headers), Pt(left), Pt(top), Pt(width),
                                   Pt(row_h * (len(rows) + 1))).table
    widths = [0.25, 0.12, 0.18, 0.15, 0.13, 0.17]
    for index, share in enumerate(widths):
        table.columns[index].width = Pt(width * share)
    size = 10.0
    for index, text in enumerate(headers):
        _cell(table.cell(0, index), text, size, bold=True, colour=c["header_text"],
              fill=c["header_fill"], align="left" if index == 0 else "right")
    for r, entry in enumerate(rows, 1):
        users = entry.get("users")
        values = [plain(str(entry.get("stage", ""))),
                  "" if users is None else f"{users:,}",
                  _percent(entry.get("conversion_from_previous")),
                  _percent(entry.get("conversion_from_first")),
                  "" if entry.get("dropped") is None else f"{entry['dropped']:,}",
                  format_duration(entry.get("median_seconds_from_previous"))]
        for index, text in enumerate(values):
            _cell(table.cell(r, index), text, size, colour=c["text"],
                  fill="#ffffff" if r % 2 else c["background"],
                  align="left" if index == 0 else "right")
    set_notes(slide, caption + "\n\nStages without bound events are not counted.")


def _cell(cell: Any, text: str, size: float, *, colour: str, fill: str, align: str,
          bold: bool = False) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Pt

    cell.fill.solid()
    cell.fill.fore_color.rgb = rgb(fill)
    cell.margin_left = cell.margin_right = Pt(4)
    cell.margin_top = cell.margin_bottom = Pt(2)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = cell.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT if align == "left" else PP_ALIGN.RIGHT
    run = paragraph.add_run()
    run.text = text
    run.font.name, run.font.size, run.font.bold = FONT, Pt(size), bold
    run.font.color.rgb = rgb(colour)


# -- a persona --------------------------------------------------------------------------------
def _initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalnum()]
    return "".join(p[0].upper() for p in parts[:2]) or "?"


def persona_slide(deck: Presentation, p: Persona, m: JourneyMap) -> None:
    """The persona's one-pager: a header band, the quote, the bio, the lists, as shapes."""
    c = THEME_COLOURS[THEME]
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # "Blank": the band is the title
    band_h = 96.0
    add_box(slide, 0, 0, SLIDE_W, band_h, fill=c["header_fill"], name="Header band")
    accent = avatar_colour(p.name)
    add_box(slide, 0, band_h - 5, SLIDE_W, 5, fill=accent, name="Persona colour")
    size = 72.0
    if not _photo(slide, p, MARGIN + 4, (band_h - size) / 2, size):
        avatar = add_box(slide, MARGIN + 4, (band_h - size) / 2, size, size, fill=accent,
                         geometry="ellipse", name="Avatar")
        fill_text(avatar, [[(_initials(p.name), {"size": 26.0, "bold": True,
                                             "colour": "#ffffff"})]],
              inset=(0, 0, 0, 0), anchor="middle", align="center")
    x = MARGIN + size + 20
    header = add_box(slide, x, 12, SLIDE_W - x - MARGIN, band_h - 24, fill=None,
                  name=f"Persona: {p.name}")
    facts = [f for f in (p.role, p.age_range, p.location) if f]
    if p.tech_comfort:
        facts.append(f"tech comfort {p.tech_comfort}/5")
    paragraphs = [[(one_line(plain(p.name) or "Persona", SLIDE_W - x - MARGIN - 10, 26.0),
                    {"size": 26.0, "bold": True, "colour": "#ffffff"})]]
    if facts:
        paragraphs.append([(one_line(plain("  ·  ".join(facts)), SLIDE_W - x - MARGIN - 10,
                                      14.0, bold=False), {"size": 14.0, "colour": "#c9d3e6"})])
    fill_text(header, paragraphs, inset=(0, 0, 0, 0), anchor="middle")

    y = band_h + 14
    width = SLIDE_W - 2 * MARGIN
    notes = [f"{p.name}" + (f", {p.role}" if p.role else "")]
    if p.quote:
        add_box(slide, MARGIN, y, 4, 30, fill=accent, name="Quote mark")
        shown, lines, _ = shortened(f"“{plain(p.quote)}”", width - 16, 16.0, 2)
        quote = add_box(slide, MARGIN + 12, y, width - 12, lines * 16 * LINE + 6, fill=None,
                     name="Quote")
        fill_text(quote, styled_lines(shown, size=16.0, italic=True, colour=c["text"]),
              inset=(0, 2, 0, 2))
        y += lines * 16 * LINE + 14
        notes.append(f"Quote: {p.quote}")
    if p.bio:
        shown, lines, _ = shortened(plain(p.bio), width, 12.0, 3)
        bio = add_box(slide, MARGIN, y, width, lines * 12 * LINE + 6, fill=None, name="Bio")
        fill_text(bio, styled_lines(shown, size=12.0, colour=c["text"]), inset=(0, 2, 0, 2))
        y += lines * 12 * LINE + 12
        notes.append(f"Bio: {p.bio}")
    sections = [(title, items) for title, items in (
        ("Goals", p.goals), ("Frustrations", p.frustrations), ("Needs", p.needs),
        ("Motivations", p.motivations)) if items]
    extras = [(title, items) for title, items in (
        ("Channels", p.channels), ("Tags", [f"#{t}" for t in p.tags])) if items]
    footer_h = 40.0 if (extras or p.notes) else 0.0
    bottom = SLIDE_H - MARGIN - footer_h
    if sections:
        gap = 12.0
        col_w = (width - gap * (len(sections) - 1)) / len(sections)
        room = int((bottom - y - 34) // (11 * LINE))
        panels = []
        for title, items in sections:
            paragraphs = [[(title, {"size": 13.0, "bold": True,
                                    "colour": PERSONA_SECTION_COLOURS[title]})]]
            used = 0
            for item in items:
                text, lines, _ = shortened(f"• {plain(item)}", col_w - 20, 11.0,
                                           max(1, min(4, room - used)))
                if used + lines > room:
                    paragraphs.append([("…", {"size": 11.0, "colour": c["muted_text"]})])
                    used += 1
                    break
                paragraphs += styled_lines(text, size=11.0, colour=c["text"])
                used += lines
            panels.append((title, paragraphs, used))
            notes.append(f"{title}: " + "; ".join(items))
        panel_h = min(bottom - y, 34 + max(used for *_, used in panels) * 11 * LINE + 6)
        for index, (title, paragraphs, _) in enumerate(panels):
            panel = add_box(slide, MARGIN + index * (col_w + gap), y, col_w, panel_h,
                            fill="#f4f6fa", line="#e1e5ec", geometry="roundRect",
                            adjust=min(0.5, 8 / max(1.0, min(col_w, panel_h))), name=title)
            fill_text(panel, paragraphs, inset=(10, 8, 10, 8))
        y += panel_h + 10
    if footer_h:
        parts = [f"{title}: {', '.join(plain(i) for i in items)}" for title, items in extras]
        if p.notes:
            parts.append(f"Notes: {plain(p.notes)}")
        footer = add_box(slide, MARGIN, y, width, footer_h - 6, fill=None,
                      name="Channels and tags")
        shown, _, _ = shortened("   ·   ".join(parts), width, 11.0, 2)
        fill_text(footer, styled_lines(shown, size=11.0, colour=c["muted_text"]),
                  inset=(0, 0, 0, 0))
        notes += [f"{title}: {', '.join(items)}" for title, items in extras]
        if p.notes:
            notes.append(f"Notes: {p.notes}")
    notes.append(f"Appears in the map {m.name}.")
    set_notes(slide, "\n".join(notes))


def _photo(slide: Slide, p: Persona, x: float, y: float, size: float) -> bool:
    """The persona's photo, cropped square and round; False when there is none or it does
    not decode."""
    if not p.photo:
        return False
    from PIL import Image
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Pt

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(p.photo)) as image:
                width, height = image.size
                image.verify()
        picture = slide.shapes.add_picture(io.BytesIO(p.photo), Pt(x), Pt(y), Pt(size),
                                           Pt(size))
    except Exception:  # any picture a reader cannot take: initials instead
        return False
    if width > height:
        picture.crop_left = picture.crop_right = (1 - height / width) / 2
    elif height > width:
        picture.crop_top = picture.crop_bottom = (1 - width / height) / 2
    picture.auto_shape_type = MSO_SHAPE.OVAL
    picture.name = "Photo"
    return True
