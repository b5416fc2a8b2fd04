"""Persona pictures: the photo, cropped round, or initials on a colour of the persona's own."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPixmap

from journeydesk.domain import colours
from journeydesk.domain.model import Persona


def initials(name: str) -> str:
    """Up to two initials of a name ("Noor Haddad" -> "NH", "maria" -> "M")."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalnum()]
    return "".join(p[0].upper() for p in parts[:2]) or "?"


def avatar_colour(name: str) -> QColor:
    """A stable colour per name (the same persona always gets the same one)."""
    return QColor(colours.avatar_colour(name))


def photo_image(persona: Persona) -> QImage | None:
    """The persona's photo as an image, or None (no photo, or data Qt cannot read)."""
    if not persona.photo:
        return None
    image = QImage.fromData(QByteArray(persona.photo))
    return None if image.isNull() else image


def paint_avatar(painter: QPainter, rect: QRectF, persona: Persona) -> None:
    """Paint the round avatar of ``persona`` into ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addEllipse(rect)
    image = photo_image(persona)
    if image is not None:
        painter.setClipPath(clip)
        side = min(image.width(), image.height())
        source = QRectF((image.width() - side) / 2, (image.height() - side) / 2, side, side)
        painter.drawImage(rect, image, source)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(persona.name))
        painter.drawEllipse(rect)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(8, int(rect.height() * 0.38)))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), initials(persona.name))
    painter.restore()


def avatar_pixmap(persona: Persona, size: int) -> QPixmap:
    """A ``size`` x ``size`` round avatar with a transparent background."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_avatar(painter, QRectF(0, 0, size, size), persona)
    painter.end()
    return pixmap
