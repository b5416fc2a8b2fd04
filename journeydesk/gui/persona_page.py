"""A one-page persona sheet (a UX persona poster) as a vector PDF or a PNG.

The page is designed on an A4 sheet of 1240 x 1754 units (A4 at 150 dpi): a header band with the
photo or an initials avatar, the name, role, age range and location; the quote; the bio; tech
comfort and preferred channels; goals, frustrations, needs and motivations in two columns; the
maps the persona appears in; notes; a footer.  Empty fields are left out.  When the content is
taller than the page, the body is drawn smaller (down to ``_MIN_SCALE``) so that it still fits on
the one page.

PDF text is real text (it can be selected, searched and extracted); fonts are sized in pixels of
the 150 dpi page, so the PDF and the PNG are laid out identically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QTextLayout,
    QTextOption,
)

from journeydesk import __version__
from journeydesk.app.exports import temp_beside
from journeydesk.domain.colours import PERSONA_SECTION_COLOURS
from journeydesk.domain.model import Persona, Workspace
from journeydesk.gui.avatar import avatar_colour, initials, photo_image
from journeydesk.gui.canvas.theme import make_pen

FORMATS = (".pdf", ".png")
PAGE_W, PAGE_H = 1240.0, 1754.0  # A4 portrait at 150 dpi: the design grid, in pixels
PNG_DPI = 150
MARGIN = 84.0
GUTTER = 48.0
_MIN_SCALE = 0.5

# Colours (the canvas's light theme family, so a sheet sits well next to an exported map).
INK = QColor("#1f2430")
MUTED = QColor("#5b6577")
RULE = QColor("#e1e5ec")
PANEL = QColor("#f4f6fa")
BAND = QColor("#2f3b52")
BAND_TEXT = QColor("#ffffff")
BAND_SUBTLE = QColor("#c9d3e6")
ACCENT = QColor("#3d6fd1")
SECTION_COLOURS = {name: QColor(c) for name, c in PERSONA_SECTION_COLOURS.items()}

_created_apps: list[QGuiApplication] = []  # the app we had to create, kept alive


def render_persona_page(persona: Persona, ws: Workspace, out: Path, *,
                        today: dt.date | None = None) -> None:
    """Write ``persona``'s one-page sheet to ``out``: a vector PDF or a PNG, by the extension.

    ``ws`` supplies the names of the maps the persona appears in; ``today`` is the footer's date
    (default: today).  The file is written atomically: a temporary file in the same folder, then
    a rename, so a failure leaves any existing file untouched.  Raises ValueError for an
    extension other than .pdf or .png and OSError when the file cannot be written.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot render a persona page to {out.name!r}: supported formats are "
                         f"{', '.join(FORMATS)}")
    _ensure_app()
    sheet = _Sheet(persona, linked_map_names(persona, ws), today or dt.date.today())
    tmp_name = str(temp_beside(out, suffix=f".tmp{suffix}"))
    try:
        if suffix == ".pdf":
            _render_pdf(sheet, tmp_name, persona.name)
        else:
            _render_png(sheet, tmp_name)
        with open(tmp_name, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def linked_map_names(persona: Persona, ws: Workspace) -> list[str]:
    """The names of the maps that show ``persona``, in alphabetical order."""
    names = (m.name for m in ws.maps.values() if persona.id in m.persona_ids)
    return sorted(names, key=lambda name: (name.casefold(), name))


# --------------------------------------------------------------------------- devices
def _ensure_app() -> None:
    """Text layout needs a QGuiApplication; create one (offscreen when headless) if missing."""
    if QGuiApplication.instance() is not None:
        return
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("QT_QPA_PLATFORM") and sys.platform not in (
            "win32", "darwin"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _created_apps.append(QGuiApplication(sys.argv[:1]))


def _render_pdf(sheet: _Sheet, path: str, title: str) -> None:
    writer = QPdfWriter(path)
    writer.setResolution(PNG_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(title)
    writer.setCreator(f"JourneyDesk {__version__}")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write a PDF to {path}")
    try:
        painter.scale(writer.width() / PAGE_W, writer.height() / PAGE_H)
        sheet.paint(painter, writer)
    finally:
        painter.end()
    if os.path.getsize(path) == 0:
        raise OSError(f"cannot write a PDF to {path}")


def _render_png(sheet: _Sheet, path: str) -> None:
    image = QImage(int(PAGE_W), int(PAGE_H), QImage.Format.Format_ARGB32_Premultiplied)
    dots_per_metre = round(PNG_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        sheet.paint(painter, image)
    finally:
        painter.end()
    if not image.save(path, "PNG"):
        raise OSError(f"cannot write a PNG to {path}")


# --------------------------------------------------------------------------- drawing kit
def _font(pixels: float, *, bold: bool = False, italic: bool = False,
          spacing: float = 0.0) -> QFont:
    font = QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    font.setItalic(italic)
    if spacing:
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, spacing)
    # No "fi"/"ffi" ligature glyphs: the PDF's text must search and copy as the letters typed.
    font.setFeature(QFont.Tag("liga"), 0)
    return font


@dataclass
class _Pen:
    """Where drawing goes; with ``dry`` set nothing is drawn and only heights are measured."""

    painter: QPainter
    device: QPaintDevice
    dry: bool = False

    def measuring(self) -> _Pen:
        """A pen on the same device that only measures."""
        return _Pen(self.painter, self.device, dry=True)

    def text(self, text: str, x: float, y: float, width: float, *, font: QFont,
             colour: QColor, line_gap: float = 0.3) -> tuple[float, float]:
        """Wrapped text (paragraphs on newlines); returns (height, first line's height)."""
        total, first = 0.0, 0.0
        gap = font.pixelSize() * line_gap
        for index, paragraph in enumerate(text.split("\n")):
            if index:
                total += gap * 1.5
            layout = QTextLayout(paragraph, font, self.device)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(option)
            layout.beginLayout()
            height = 0.0
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                if height:
                    height += gap
                line.setPosition(QPointF(0, height))
                height += line.height()
                first = first or line.height()
            layout.endLayout()
            if not self.dry:
                self.painter.setPen(colour)
                layout.draw(self.painter, QPointF(x, y + total))
            total += height
        return total, first

    def width_of(self, text: str, font: QFont) -> float:
        return QFontMetricsF(font, self.device).horizontalAdvance(text)

    def elided(self, text: str, font: QFont, width: float) -> str:
        return QFontMetricsF(font, self.device).elidedText(text, Qt.TextElideMode.ElideRight,
                                                           width)

    def line_height(self, font: QFont) -> float:
        return QFontMetricsF(font, self.device).height()

    def rect(self, rect: QRectF, fill: QColor | None, *, radius: float = 0.0,
             outline: QColor | None = None, outline_width: float = 1.5) -> None:
        if self.dry:
            return
        self.painter.setPen(make_pen(outline, outline_width) if outline is not None
                            else Qt.PenStyle.NoPen)
        self.painter.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
        if radius:
            self.painter.drawRoundedRect(rect, radius, radius)
        else:
            self.painter.drawRect(rect)

    def circle(self, centre: QPointF, radius: float, fill: QColor | None,
               outline: QColor | None = None, outline_width: float = 2.0) -> None:
        if self.dry:
            return
        self.painter.setPen(make_pen(outline, outline_width) if outline is not None
                            else Qt.PenStyle.NoPen)
        self.painter.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
        self.painter.drawEllipse(centre, radius, radius)

    def hline(self, x: float, y: float, width: float, colour: QColor, thickness: float) -> None:
        if not self.dry:
            self.painter.setPen(make_pen(colour, thickness))
            self.painter.drawLine(QPointF(x, y), QPointF(x + width, y))

    def chips(self, labels: Sequence[str], x: float, y: float, width: float, *, font: QFont,
              fill: QColor | None, text: QColor, outline: QColor | None = None) -> float:
        """Labels as rounded chips flowing onto as many rows as needed; returns the height."""
        pad_x, pad_y, gap = 18.0, 8.0, 10.0
        chip_h = self.line_height(font) + 2 * pad_y
        cx, cy = x, y
        for label in labels:
            shown = self.elided(label, font, width - 2 * pad_x)
            chip_w = self.width_of(shown, font) + 2 * pad_x
            if cx > x and cx + chip_w > x + width:
                cx, cy = x, cy + chip_h + gap
            box = QRectF(cx, cy, chip_w, chip_h)
            self.rect(box, fill, radius=chip_h / 2, outline=outline)
            if not self.dry:
                self.painter.setFont(font)
                self.painter.setPen(text)
                self.painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), shown)
            cx += chip_w + gap
        return cy + chip_h - y if labels else 0.0


def _tint(colour: QColor, amount: float) -> QColor:
    """``colour`` mixed with white: amount 0 is white, 1 the colour itself."""
    return QColor(round(255 + (colour.red() - 255) * amount),
                  round(255 + (colour.green() - 255) * amount),
                  round(255 + (colour.blue() - 255) * amount))


def _photo(persona: Persona) -> QImage | None:
    """The photo cropped to its centre square, or None (no photo, or data Qt cannot read)."""
    image = photo_image(persona)
    if image is None:
        return None
    side = min(image.width(), image.height())
    return image.copy((image.width() - side) // 2, (image.height() - side) // 2, side, side)


# --------------------------------------------------------------------------- the sheet
class _Sheet:
    """Lays out and paints one persona's page on the PAGE_W x PAGE_H design grid."""

    AVATAR = 220.0

    def __init__(self, persona: Persona, map_names: list[str], today: dt.date):
        self.persona = persona
        self.map_names = map_names
        self.today = today

    def paint(self, painter: QPainter, device: QPaintDevice) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(QRectF(0, 0, PAGE_W, PAGE_H), QColor("#ffffff"))
        pen = _Pen(painter, device)
        band_h = self._header(pen)
        footer_top = self._footer(pen)
        top = band_h + 52.0
        room = footer_top - 40.0 - top
        width = PAGE_W - 2 * MARGIN
        # Shrink the body until it fits the page (a wider virtual width wraps into fewer lines).
        scale = 1.0
        measure = pen.measuring()
        while scale > _MIN_SCALE and self._body(measure, 0, 0, width / scale) * scale > room:
            scale = max(_MIN_SCALE, scale - 0.04)
        painter.save()
        painter.setClipRect(QRectF(0, top - 8, PAGE_W, room + 16))
        painter.translate(MARGIN, top)
        painter.scale(scale, scale)
        overflow = self._body(pen, 0, 0, width / scale) * scale > room
        painter.restore()
        if overflow:  # even the smallest size does not fit: fade the cut out instead of slicing
            fade = QLinearGradient(QPointF(0, top + room - 48), QPointF(0, top + room + 8))
            fade.setColorAt(0, QColor(255, 255, 255, 0))
            fade.setColorAt(1, QColor(255, 255, 255, 255))
            painter.fillRect(QRectF(0, top + room - 48, PAGE_W, 56), QBrush(fade))

    # -- header band ------------------------------------------------------------------------
    def _header(self, pen: _Pen) -> float:
        p = self.persona
        pad = 64.0
        text_x = MARGIN + self.AVATAR + 56.0
        text_w = PAGE_W - MARGIN - text_x

        def block(target: _Pen, y: float) -> float:
            start = y
            y += 6 + target.text("PERSONA", text_x, y, text_w, colour=BAND_SUBTLE,
                                 font=_font(17, bold=True, spacing=3.0))[0]
            y += target.text(p.name or "Unnamed persona", text_x, y, text_w,
                             font=_font(60, bold=True), colour=BAND_TEXT, line_gap=0.12)[0]
            if p.role:
                y += 8 + target.text(p.role, text_x, y + 8, text_w, font=_font(29),
                                     colour=BAND_TEXT)[0]
            facts = [f"Age {p.age_range}" if p.age_range[:1].isdigit() else p.age_range,
                     p.location]
            facts_line = "   ·   ".join(f for f in facts if f)
            if facts_line:
                y += 14 + target.text(facts_line, text_x, y + 14, text_w, font=_font(22),
                                      colour=BAND_SUBTLE)[0]
            if p.tags:
                y += 22 + target.chips(p.tags, text_x, y + 22, text_w, font=_font(17),
                                       fill=QColor(255, 255, 255, 38), text=BAND_TEXT)
            return y - start

        text_h = block(pen.measuring(), 0)
        band_h = max(self.AVATAR, text_h) + 2 * pad
        pen.rect(QRectF(0, 0, PAGE_W, band_h), BAND)
        pen.rect(QRectF(0, band_h - 8, PAGE_W, 8), avatar_colour(p.name))
        block(pen, (band_h - text_h) / 2)
        self._avatar(pen, QRectF(MARGIN, (band_h - self.AVATAR) / 2, self.AVATAR, self.AVATAR))
        return band_h

    def _avatar(self, pen: _Pen, box: QRectF) -> None:
        painter = pen.painter
        photo = _photo(self.persona)
        if photo is not None:
            side = round(box.width() * 2)  # enough pixels for print, small enough for the file
            photo = photo.scaled(side, side, Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
            painter.save()
            clip = QPainterPath()
            clip.addEllipse(box)
            painter.setClipPath(clip)
            painter.drawImage(box, photo)
            painter.restore()
        else:
            pen.circle(box.center(), box.width() / 2, avatar_colour(self.persona.name))
            painter.setFont(_font(box.width() * 0.36, bold=True))
            painter.setPen(BAND_TEXT)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter),
                             initials(self.persona.name))
        pen.circle(box.center(), box.width() / 2 - 3, None, QColor("#ffffff"), 6.0)

    # -- footer -----------------------------------------------------------------------------
    def _footer(self, pen: _Pen) -> float:
        font = _font(16)
        height = pen.line_height(font)
        y = PAGE_H - 56.0 - height
        pen.hline(MARGIN, y - 18, PAGE_W - 2 * MARGIN, RULE, 1.5)
        if not pen.dry:
            painter = pen.painter
            painter.setFont(font)
            painter.setPen(MUTED)
            row = QRectF(MARGIN, y, PAGE_W - 2 * MARGIN, height)
            painter.drawText(row, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             f"JourneyDesk · {self.today.isoformat()}")
            painter.drawText(row, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             "Persona sheet")
        return y - 18

    # -- body -------------------------------------------------------------------------------
    def _body(self, pen: _Pen, x: float, y: float, width: float) -> float:
        """Everything between the header and the footer; returns its height."""
        p = self.persona
        col_w = (width - GUTTER) / 2
        blocks: list[Callable[[float], float]] = []
        if p.quote:
            blocks.append(lambda top: self._quote(pen, x, top, width))
        if p.bio:
            blocks.append(lambda top: self._section(
                pen, x, top, width, title="About", colour=ACCENT,
                content=lambda t: pen.text(p.bio, x, t, width, font=_font(22), colour=INK)[0]))
        if p.tech_comfort is not None or p.channels:
            blocks.append(lambda top: self._facts(pen, x, top, width, col_w))
        lists = [(title, items) for title, items in (
            ("Goals", p.goals), ("Frustrations", p.frustrations), ("Needs", p.needs),
            ("Motivations", p.motivations)) if items]
        for i in range(0, len(lists), 2):
            row = lists[i:i + 2]
            blocks.append(lambda top, row=row: max(
                self._bullets(pen, x + n * (col_w + GUTTER), top, col_w, title=title,
                              items=items)
                for n, (title, items) in enumerate(row)))
        if self.map_names:
            blocks.append(lambda top: self._section(
                pen, x, top, width, title="Appears in", colour=ACCENT,
                content=lambda t: pen.chips(self.map_names, x, t, width, font=_font(19),
                                            fill=None, text=INK, outline=QColor("#b9c3d3"))))
        if p.notes:
            blocks.append(lambda top: self._notes(pen, x, top, width))
        top = y
        for index, block in enumerate(blocks):
            if index:
                top += 44.0
            top += block(top)
        return top - y

    def _heading(self, pen: _Pen, x: float, y: float, width: float, *, title: str,
                 colour: QColor) -> float:
        font = _font(19, bold=True, spacing=1.6)
        height = pen.line_height(font)
        pen.rect(QRectF(x, y + 2, 5, height - 4), colour, radius=2.5)
        pen.text(title.upper(), x + 17, y, width - 17, font=font, colour=colour)
        pen.hline(x, y + height + 10, width, RULE, 1.5)
        return height + 24

    def _section(self, pen: _Pen, x: float, y: float, width: float, *, title: str,
                 colour: QColor, content: Callable[[float], float]) -> float:
        head = self._heading(pen, x, y, width, title=title, colour=colour)
        return head + content(y + head)

    def _bullets(self, pen: _Pen, x: float, y: float, width: float, *, title: str,
                 items: Sequence[str]) -> float:
        colour = SECTION_COLOURS[title]
        font = _font(21)
        top = y + self._heading(pen, x, y, width, title=title, colour=colour)
        indent = 26.0
        for index, item in enumerate(items):
            if index:
                top += 14.0
            height, first = pen.text(item, x + indent, top, width - indent, font=font,
                                     colour=INK)
            pen.circle(QPointF(x + 6, top + first / 2 + 1), 5.0, colour)
            top += height
        return top - y

    def _quote(self, pen: _Pen, x: float, y: float, width: float) -> float:
        pad_left, pad_right, pad_y = 96.0, 40.0, 34.0
        font = _font(31, italic=True)
        text_w = width - pad_left - pad_right
        text_h, _ = pen.measuring().text(self.persona.quote, 0, 0, text_w, font=font,
                                         colour=INK, line_gap=0.25)
        height = text_h + 2 * pad_y
        if pen.dry:
            return height
        accent = avatar_colour(self.persona.name)
        pen.rect(QRectF(x, y, width, height), PANEL, radius=14)
        pen.rect(QRectF(x, y, 7, height), accent, radius=3.5)
        mark_font = QFont("serif")
        mark_font.setStyleHint(QFont.StyleHint.Serif)
        mark_font.setPixelSize(110)
        # The mark is drawn as a shape, not text, so it stays out of the PDF's extracted text.
        mark = QPainterPath()
        mark.addText(QPointF(0, 0), mark_font, "\u201c")
        corner = mark.boundingRect().topLeft()
        mark.translate(x + 30 - corner.x(), y + pad_y + 2 - corner.y())
        pen.painter.fillPath(mark, _tint(accent, 0.55))
        pen.text(self.persona.quote, x + pad_left, y + pad_y, text_w, font=font, colour=INK,
                 line_gap=0.25)
        return height

    def _facts(self, pen: _Pen, x: float, y: float, width: float, col_w: float) -> float:
        p = self.persona
        parts: list[Callable[[float, float], float]] = []
        if p.tech_comfort is not None:
            parts.append(lambda left, w: self._section(
                pen, left, y, w, title="Tech comfort", colour=ACCENT,
                content=lambda t: self._dots(pen, p.tech_comfort or 0, left, t)))
        if p.channels:
            parts.append(lambda left, w: self._section(
                pen, left, y, w, title="Preferred channels", colour=ACCENT,
                content=lambda t: pen.chips(p.channels, left, t, w, font=_font(19),
                                            fill=_tint(ACCENT, 0.12), text=QColor("#23467f"))))
        if len(parts) == 1:
            return parts[0](x, width)
        # Tech comfort is short: give it a third, the channels the rest.
        narrow = (width - GUTTER) / 3
        return max(parts[0](x, narrow), parts[1](x + narrow + GUTTER, width - narrow - GUTTER))

    def _dots(self, pen: _Pen, level: int, x: float, y: float) -> float:
        radius, step = 11.0, 34.0
        for i in range(5):
            centre = QPointF(x + radius + i * step, y + radius + 8)
            if i < level:
                pen.circle(centre, radius, ACCENT)
            else:
                pen.circle(centre, radius - 1, None, QColor("#b9c3d3"), 2.0)
        label = f"{level} of 5"
        font = _font(19)
        label_h = pen.line_height(font)
        pen.text(label, x + 5 * step + 12, y + radius + 8 - label_h / 2, 120, font=font,
                 colour=MUTED)
        return 2 * radius + 16

    def _notes(self, pen: _Pen, x: float, y: float, width: float) -> float:
        colour = QColor("#b59a16")
        head = self._heading(pen, x, y, width, title="Notes", colour=colour)
        pad = 24.0
        text_h, _ = pen.measuring().text(self.persona.notes, 0, 0, width - 2 * pad,
                                         font=_font(20), colour=INK)
        pen.rect(QRectF(x, y + head, width, text_h + 2 * pad), QColor("#fffbe6"), radius=10,
                 outline=QColor("#efe3a8"), outline_width=1.5)
        pen.text(self.persona.notes, x + pad, y + head + pad, width - 2 * pad, font=_font(20),
                 colour=INK)
        return head + text_h + 2 * pad
