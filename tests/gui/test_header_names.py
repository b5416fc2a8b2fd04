"""Header names zoomed out (lanes, stages, steps): a one-word name too long for its header is
broken with a hyphen at the readable size, not shrunk under it nor cut to "Opportu…" (what a
facilitator saw at Fit on a 1280x720 projector)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QImage, QPainter

from journeydesk.gui.canvas.text import draw_name, font_px


class _Recorder(QPainter):
    """A painter on an image that keeps the texts drawn."""

    def __init__(self, image: QImage):
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args) -> None:  # noqa: N802, ANN002 - Qt override
        self.texts.append(args[-1])
        super().drawText(*args)


def _draw(text: str, width: float, height: float, scale: float) -> tuple[float, list[str]]:
    image = QImage(400, 400, QImage.Format.Format_ARGB32)
    painter = _Recorder(image)
    try:
        painter.scale(scale, scale)  # the view's zoom: Fit on a projector
        pixels = draw_name(painter, QRectF(0, 0, width, height), text, base_px=15.0,
                           minimum=18.0, top=True)
        return pixels, painter.texts
    finally:
        painter.end()


def test_a_long_one_word_name_is_broken_not_elided(qtbot) -> None:  # noqa: ANN001, ARG001
    pixels, lines = _draw("Opportunities", width=150.0, height=160.0, scale=0.5)
    assert pixels == 36  # 18 px on screen at 50 %: the size every lane name gets
    assert len(lines) >= 2 and all(line.endswith("-") for line in lines[:-1])
    assert "".join(line.rstrip("-") for line in lines) == "Opportunities"
    metrics = QFontMetricsF(font_px(pixels, True))
    assert all(metrics.horizontalAdvance(line) <= 150.0 for line in lines)


def test_names_that_fit_are_wrapped_at_words_and_short_ones_untouched(qtbot) -> None:  # noqa: ANN001, ARG001
    assert _draw("Actions", 150.0, 160.0, 0.5)[1] == ["Actions"]
    assert _draw("Pain points", 150.0, 160.0, 0.5)[1] == ["Pain", "points"]


def test_with_room_for_one_line_only_the_name_is_elided_as_before(qtbot) -> None:  # noqa: ANN001, ARG001
    _pixels, lines = _draw("Opportunities", width=150.0, height=40.0, scale=0.5)
    assert len(lines) == 1 and lines[0].endswith("…")
