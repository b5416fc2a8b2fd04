"""Sizes of new windows that fit the screen they open on (a 1280 x 720 projector too)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication


def fitted(width: int, height: int, margin: int = 0) -> QSize:
    """``width`` x ``height``, shrunk to the primary screen's free area (less ``margin`` on
    each side) when that is smaller."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width() - 2 * margin), min(height, free.height() - 2 * margin))
