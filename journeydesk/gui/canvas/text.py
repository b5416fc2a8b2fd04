"""Card text: one function wraps it for measuring and for painting, and semantic zoom.

A card is as tall as its wrapped text (:func:`text_height`, asked by the layout), and its
text is painted line by line from the same wrapping (:func:`draw_text`), so a word that only
just wraps is never cut: both use :func:`wrap` at the same width (:func:`text_width`).

Semantic zoom keeps text readable on a projector: when the view's scale would show card text
smaller than the view's minimum (12 px on screen; 18 px in Present), the text is painted in a
font that large on screen and shows the lines that fit in the card, the last one ending in
"…".  The layout never changes with the zoom; only what a card shows does.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QTextLayout, QTextOption

from journeydesk.gui.canvas.theme import CARD_PAD, CELL_PAD, COLUMN_W, scene_font

CARD_W = COLUMN_W - 2 * CELL_PAD
CARD_TEXT_PX = 14  # card text in scene units (10.5 pt at 96 dpi): 14 px on screen at 100 %
# where card text sits in a card: left, top, right and bottom insets
TEXT_INSETS = (CARD_PAD + 2, CARD_PAD - 1, CARD_PAD, CARD_PAD)
COUNT_ROOM = 52.0  # the width kept for an event-count pill while the data overlay is on
COMPACT_INSET = 3.0  # the insets of zoomed-out text: every unit of a small card counts
MIN_SCREEN_PX = 12.0  # card text is never smaller than this on screen (semantic zoom)
PRESENT_SCREEN_PX = 18.0  # ... and in Present mode
ELLIPSIS = "…"


@cache
def font_px(pixels: int, bold: bool = False) -> QFont:
    """A canvas font ``pixels`` scene units high (cached: painting asks for it per card)."""
    font = QFont(scene_font(10.5, bold=bold))
    font.setPixelSize(max(1, int(pixels)))
    return font


@cache
def _metrics(pixels: int, bold: bool = False) -> QFontMetricsF:
    return QFontMetricsF(font_px(pixels, bold))


def line_height(pixels: int = CARD_TEXT_PX, bold: bool = False) -> float:
    """The distance between two lines of text ``pixels`` high."""
    return _metrics(pixels, bold).lineSpacing()


def text_width(counted: bool = False) -> float:
    """The width card text wraps to (narrower by the count pill's room when ``counted``)."""
    left, _, right, _ = TEXT_INSETS
    return CARD_W - left - right - (COUNT_ROOM if counted else 0.0)


@lru_cache(maxsize=50_000)
def wrap(text: str, width: float, pixels: int = CARD_TEXT_PX, bold: bool = False
         ) -> tuple[str, ...]:
    """``text`` broken into lines no wider than ``width`` (at word boundaries where it can,
    anywhere in a word longer than a line); every newline starts a line."""
    font = font_px(pixels, bold)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        units = paragraph.encode("utf-16-le")  # Qt counts UTF-16 code units
        layout = QTextLayout(paragraph, font)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            lines.append(units[2 * start:2 * (start + length)].decode("utf-16-le").rstrip())
        layout.endLayout()
    return tuple(lines)


def text_height(text: str, width: float) -> float:
    """The height of card text wrapped at ``width`` (what :func:`draw_text` paints)."""
    return len(wrap(text or " ", width)) * line_height()


def screen_scale(painter: QPainter) -> float:
    """How many device pixels one scene unit is in ``painter`` (1 when not scaled)."""
    t = painter.worldTransform()
    return max(abs(t.m11()), abs(t.m12())) or 1.0


def readable_px(base: float, scale: float, minimum: float) -> int:
    """The font size (scene units) that shows ``base`` at least ``minimum`` px on screen."""
    if minimum <= 0 or base * scale >= minimum:
        return int(base)
    return math.ceil(minimum / scale - 1e-6)  # rounded up: never below the minimum


def full_text(scale: float, minimum: float) -> bool:
    """Whether card text at ``scale`` (device pixels per scene unit) is painted in full, as
    laid out (every wrapped line, :data:`CARD_TEXT_PX` high), rather than in the compact form
    (fewer lines, larger, the last elided) that a ``minimum`` above ``CARD_TEXT_PX * scale``
    asks for.  The card's paint decides with this."""
    return readable_px(CARD_TEXT_PX, scale, minimum) == CARD_TEXT_PX


def full_text_zoom(minimum: float) -> float:
    """The smallest zoom at which card text is painted in full and at least ``minimum`` px
    on screen (:func:`full_text`); a hair above the exact quotient, so rounding in the
    painter's transform never tips it into the compact form."""
    return max(minimum, 0.0) / CARD_TEXT_PX * (1.0 + 1e-6)


def _compact_area(rect: QRectF) -> QRectF:
    """Where zoomed-out text goes in a card's text ``rect``: its padding less
    :data:`COMPACT_INSET` (the left inset clears the colour strip)."""
    _, top, right, bottom = TEXT_INSETS
    return rect.adjusted(0.0, COMPACT_INSET - top, right - COMPACT_INSET,
                         bottom - COMPACT_INSET)


def compact_lines(painter: QPainter, rect: QRectF, minimum: float) -> int:
    """How many lines of zoomed-out text (at least ``minimum`` px on screen) fit in a card's
    text ``rect``."""
    pixels = readable_px(CARD_TEXT_PX, screen_scale(painter), minimum)
    metrics = _metrics(pixels)
    area = _compact_area(rect) if pixels != CARD_TEXT_PX else rect
    return max(0, int((area.height() - metrics.height()) // metrics.lineSpacing()) + 1)


def draw_text(painter: QPainter, rect: QRectF, text: str, *, minimum: float = 0.0,
              bold: bool = False) -> int:
    """Paint card ``text`` into ``rect`` (its lines from :func:`wrap`); returns how many
    lines were painted.

    At a scale where the text would be under ``minimum`` px on screen, it is painted that
    large instead (in ``rect`` grown by the card's padding less :data:`COMPACT_INSET`), as
    many lines as fit, the last ending in an ellipsis when text is left over.  When not one
    line that large fits (a map shown whole on a small screen), the largest that fits: the
    text is as readable as the card allows, never gone.
    """
    pixels = readable_px(CARD_TEXT_PX, screen_scale(painter), minimum)
    area = _compact_area(rect) if pixels != CARD_TEXT_PX else rect
    if pixels != CARD_TEXT_PX and _metrics(pixels, bold).height() > area.height():
        pixels = max(CARD_TEXT_PX, _largest_fitting(area.height(), bold))
    metrics = _metrics(pixels, bold)
    step = metrics.lineSpacing()
    room = int((area.height() - metrics.height()) // step) + 1  # the last needs no leading
    if room <= 0:
        return 0
    lines = list(wrap(text, area.width(), pixels, bold))
    if len(lines) > room:
        rest = " ".join(line for line in lines[room - 1:] if line)
        lines = lines[:room - 1] + [metrics.elidedText(rest + ELLIPSIS, Qt.TextElideMode.ElideRight,
                                                       area.width())]
    painter.setFont(font_px(pixels, bold))
    ascent = metrics.ascent()
    for i, line in enumerate(lines):
        if line:
            painter.drawText(QPointF(area.left(), area.top() + i * step + ascent), line)
    return len(lines)


@lru_cache(maxsize=256)
def _largest_fitting(height: float, bold: bool) -> int:
    """The largest text size (scene units) one line of which fits ``height``."""
    pixels = CARD_TEXT_PX
    while _metrics(pixels + 1, bold).height() <= height:
        pixels += 1
    return pixels


def readable_font(font: QFont, scale: float, minimum: float) -> QFont:
    """``font`` (sized in scene units) made large enough to show at least ``minimum`` px on
    screen at ``scale`` (the same font when it already does)."""
    size = font.pixelSize()
    if size <= 0:
        size = round(font.pointSizeF() * 96 / 72)
    pixels = readable_px(size, scale, minimum)
    if pixels == size:
        return font
    bigger = QFont(font)
    bigger.setPixelSize(pixels)
    return bigger


def compact_text_px(card_height: float) -> float:
    """The largest card text (scene units) whose one line fits in a card ``card_height``
    high when zoomed out."""
    room = card_height - 2 * COMPACT_INSET
    pixels = CARD_TEXT_PX
    while _metrics(pixels + 1).height() <= room:
        pixels += 1
    return float(pixels)


def readable_zoom(minimum: float, card_height: float) -> float:
    """The smallest zoom at which every card (at least ``card_height`` high) shows a line of
    text at least ``minimum`` px on screen."""
    return minimum / compact_text_px(card_height) if minimum > 0 else 0.0


def compact(painter: QPainter, base_px: float, minimum: float) -> bool:
    """Whether text ``base_px`` high is under ``minimum`` px on screen in ``painter``: the
    item then paints its compact form (less text, larger)."""
    return bool(minimum) and base_px * screen_scale(painter) < minimum


def draw_line(painter: QPainter, rect: QRectF, variants: str | tuple[str, ...], *,
              base_px: float, minimum: float = 0.0, bold: bool = False,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> float:
    """One line of header text in ``rect``, at least ``minimum`` px on screen (never taller
    than ``rect``): the first of ``variants`` that fits its width, else the last elided.
    Returns the font size used (scene units)."""
    pixels = min(readable_px(base_px, screen_scale(painter), minimum), int(rect.height()))
    if pixels <= 0:
        return 0.0
    font = font_px(pixels, bold)
    metrics = _metrics(pixels, bold)
    options = (variants,) if isinstance(variants, str) else variants
    text = next((t for t in options if metrics.horizontalAdvance(t) <= rect.width()), None)
    if text is None:
        text = metrics.elidedText(options[-1], Qt.TextElideMode.ElideRight, rect.width())
    painter.setFont(font)
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), text)
    return float(pixels)


@lru_cache(maxsize=5_000)
def _word_lines(text: str, width: float, pixels: int, bold: bool) -> tuple[str, ...] | None:
    """``text`` wrapped at word boundaries only; None when a word is wider than ``width``."""
    metrics = _metrics(pixels, bold)
    lines: list[str] = []
    for word in text.split():
        if metrics.horizontalAdvance(word) > width:
            return None
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines)


def _broken_lines(text: str, width: float, pixels: int, bold: bool) -> tuple[str, ...]:
    """``text`` wrapped at words, a word wider than ``width`` broken with a hyphen where the
    line is full ("Opportu-" / "nities"): a long one-word lane name stays whole and large."""
    metrics = _metrics(pixels, bold)
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        rest = word
        while metrics.horizontalAdvance(rest) > width and len(rest) > 1:
            cut = 1
            while cut < len(rest) - 1 and metrics.horizontalAdvance(
                    f"{rest[:cut + 1]}-") <= width:
                cut += 1
            lines.append(f"{rest[:cut]}-")
            rest = rest[cut:]
        lines.append(rest)
    return tuple(lines)


def draw_name(painter: QPainter, rect: QRectF, text: str, *, base_px: float,
              minimum: float = 0.0, bold: bool = True, shrink: float = 0.8,
              top: bool = False) -> float:
    """A header's name zoomed out: as large as ``minimum`` asks, wrapped at words over the
    lines ``rect`` holds; when it does not fit, a smaller size down to ``shrink`` times that,
    else elided at the smallest; centred in ``rect`` (at its ``top``).  Returns the font
    size used (scene units)."""
    largest = min(readable_px(base_px, screen_scale(painter), minimum), int(rect.height()))
    smallest = max(1, int(largest * shrink))
    for pixels in range(largest, smallest - 1, -1):
        metrics = _metrics(pixels, bold)
        fit = int((rect.height() - metrics.height()) // metrics.lineSpacing()) + 1
        lines = _word_lines(text, rect.width(), pixels, bold)
        if lines is not None and 0 < len(lines) <= fit:
            break
    else:
        # a word too long for the width at every size: broken with a hyphen at the largest
        # size that holds the lines, rather than elided (a room reads "Opportu-/nities")
        for pixels in range(largest, smallest - 1, -1):
            metrics = _metrics(pixels, bold)
            fit = int((rect.height() - metrics.height()) // metrics.lineSpacing()) + 1
            lines = _broken_lines(text, rect.width(), pixels, bold)
            if 0 < len(lines) <= fit and all(len(line) > 2 for line in lines[:-1]):
                break
        else:
            pixels = smallest
            metrics = _metrics(pixels, bold)
            lines = (metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width()),)
    painter.setFont(font_px(pixels, bold))
    step = metrics.lineSpacing()
    y = rect.top()
    if not top:
        y += (rect.height() - (len(lines) - 1) * step - metrics.height()) / 2
    for i, line in enumerate(lines):
        painter.drawText(QPointF(rect.left(), y + i * step + metrics.ascent()), line)
    return float(pixels)
