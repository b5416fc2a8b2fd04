"""A retention figure on one stage's header: "Retention, week 12 or later: 35.0% of 120".

The figure is computed elsewhere (:mod:`journeydesk.gui.retention_header`, with
:meth:`journeydesk.app.retention.MapRetention.headline`); this module decides how it reads on
the header: a band at the bottom of the anchor stage's header, under the data overlay's band,
its text as large as the view's minimum text size asks (Present's 18 px too), the most
explicit of its variants (one or two lines) that fits.  While it is being computed it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from journeydesk.gui.canvas.text import font_px, readable_px, screen_scale

RETENTION_LINE_H = 42.0  # what the stage header row grows by while a figure is shown
RETENTION_PX = 13.0  # its text in scene units at 100 % (two lines fit the band)
Variant = tuple[str, ...]  # the lines of one way of saying the figure
COMPUTING_TEXTS: tuple[Variant, ...] = (("Retention: computing…",), ("computing…",), ("…",))


@dataclass(frozen=True)
class HeaderRetention:
    """The retention figure of a map's anchor stage, as its header shows it.

    ``texts``: variants, each its lines, from the most explicit to the shortest (the painter
    shows the first that fits); ``headline``: the app layer's one-line figure (empty while
    computing)."""

    stage_id: str
    texts: tuple[Variant, ...] = COMPUTING_TEXTS
    headline: str = ""

    @property
    def computing(self) -> bool:
        return not self.headline

    def spoken(self) -> str:
        """What a screen reader says of it."""
        return self.texts[0][0].lower() if self.computing else f"retention {self.headline}"


def figure_texts(headline: str) -> tuple[Variant, ...]:
    """The variants of a figure from its headline ("week 4 or later: 35.0% of 120"): with
    "Retention, " in front on one line or two, the headline on one line or two, then
    "week 4+: 35.0% of 120", "week 4+: 35.0%", "↻ 35.0%" (a return arrow) and "35.0%"."""
    when, _, numbers = headline.partition(": ")
    period = when.removesuffix(" or later")
    share = numbers.split(" of ")[0]
    return ((f"Retention, {headline}",), (f"Retention, {when}:", numbers), (headline,),
            (f"{when}:", numbers), (f"{period}+: {numbers}",), (f"{period}+: {share}",),
            (f"↻ {share}",), (share,))


def _fitting(variants: tuple[Variant, ...], metrics: QFontMetricsF, width: float,
             rows: int) -> Variant:
    """The first variant with at most ``rows`` lines, each no wider than ``width``; else the
    last one's first line elided."""
    for lines in variants:
        if len(lines) <= rows and all(metrics.horizontalAdvance(t) <= width for t in lines):
            return lines
    return (metrics.elidedText(variants[-1][0], Qt.TextElideMode.ElideRight, width),)


def paint_retention(painter: QPainter, rect: QRectF, figure: HeaderRetention,
                    text_colour: QColor, minimum: float) -> QRectF:
    """Paint ``figure`` at the bottom of a stage header's ``rect``; returns the rest of the
    header (above the line)."""
    line = QRectF(rect.left(), rect.bottom() - RETENTION_LINE_H, rect.width(),
                  RETENTION_LINE_H)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 38))
    painter.drawRoundedRect(line.adjusted(6, 2, -6, -3), 5, 5)
    colour = QColor(text_colour)
    if figure.computing:
        colour.setAlpha(170)
    painter.setPen(colour)
    inner = line.adjusted(14, 4, -14, -5)
    pixels = min(readable_px(RETENTION_PX, screen_scale(painter), minimum),
                 int(inner.height()))
    if pixels > 0:
        font = font_px(pixels)
        metrics = QFontMetricsF(font)
        rows = max(1, int((inner.height() - metrics.height()) // metrics.lineSpacing()) + 1)
        lines = _fitting(figure.texts, metrics, inner.width(), rows)
        painter.setFont(font)
        step = metrics.lineSpacing()
        top = inner.top() + (inner.height() - (len(lines) - 1) * step - metrics.height()) / 2
        for i, text in enumerate(lines):
            painter.drawText(QPointF(inner.left(), top + i * step + metrics.ascent()), text)
    painter.restore()
    return rect.adjusted(0, 0, 0, -RETENTION_LINE_H)
