"""A dock's content in a scroll area, so stacked docks never make the window taller than the
screen.

A dock area stacks its docks, and a main window is at least as tall as the sum of their
minimum heights: the Inspector's opportunity page and the Comments dock together need more
than a 1280x720 screen has, and the window grew past the screen's bottom edge.  Scrolled,
a dock's minimum height is a few lines; its content scrolls when the dock is shorter.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget


def scrolled(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a frameless, vertically scrolling area as wide as the widget allows:
    the widget's minimum and maximum widths, plus room for the scroll bar."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    bar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    if widget.minimumWidth() > 0:
        area.setMinimumWidth(widget.minimumWidth() + bar)
    else:
        area.setMinimumWidth(widget.minimumSizeHint().width() + bar)
    if widget.maximumWidth() < 16777215:  # QWIDGETSIZE_MAX: no maximum set
        area.setMaximumWidth(widget.maximumWidth() + bar)
    return area
