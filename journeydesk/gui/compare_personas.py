"""Compare two personas on one map: their emotion curves and pain points side by side."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.session import Document
from journeydesk.domain.commands import Changes
from journeydesk.domain.model import JourneyMap, LaneType, Persona
from journeydesk.gui.avatar import avatar_colour
from journeydesk.gui.canvas.items import smooth_path
from journeydesk.gui.canvas.theme import make_pen
from journeydesk.gui.listening import follow


def low_points(m: JourneyMap, persona_id: str) -> list[tuple[str, str]]:
    """(step label, pain point text) for the steps where the persona feels below neutral.

    These are the pain points this persona actually lives through; a workshop compares them.
    """
    scores = {p.step_id: p.score for p in m.emotions.values() if p.persona_id == persona_id}
    neutral = (m.scale_min + m.scale_max) / 2
    pain_lanes = {lane.id for lane in m.lanes if LaneType(lane.type) is LaneType.PAIN_POINTS}
    found = []
    for stage in m.stages:
        for step in stage.steps:
            if scores.get(step.id, neutral) >= neutral:
                continue
            label = f"{stage.name} · {step.name}" if step.name else stage.name
            found.extend((label, card.text) for card in m.ordered_cards()
                         if card.step_id == step.id and card.lane_id in pain_lanes)
    return found


class CurveWidget(QWidget):
    """One persona's emotion curve across the map's steps."""

    def __init__(self) -> None:
        super().__init__()
        self.map: JourneyMap | None = None
        self.persona_id: str | None = None
        self.colour = QColor("#7b5cd6")
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, 200)

    def show_curve(self, m: JourneyMap, persona: Persona | None) -> None:
        """Draw ``persona``'s curve on map ``m``."""
        self.map = m
        self.persona_id = persona.id if persona else None
        self.colour = avatar_colour(persona.name) if persona else QColor("#999999")
        self.update()

    def points(self) -> list[QPointF]:
        """Widget positions of the persona's points, left to right."""
        m = self.map
        if m is None or self.persona_id is None:
            return []
        steps = m.all_steps()
        area = QRectF(self.rect()).adjusted(30, 16, -16, -28)
        scores = {p.step_id: p.score for p in m.emotions.values()
                  if p.persona_id == self.persona_id}
        span = (m.scale_max - m.scale_min) or 1.0
        out = []
        for i, step in enumerate(steps):
            if step.id in scores:
                x = area.left() + (i + 0.5) * area.width() / max(1, len(steps))
                y = area.bottom() - (scores[step.id] - m.scale_min) / span * area.height()
                out.append(QPointF(x, y))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        m = self.map
        if m is None:
            return
        area = QRectF(self.rect()).adjusted(30, 16, -16, -28)
        grid = QColor(palette.text().color())
        grid.setAlpha(50)
        painter.setPen(make_pen(grid, 1, style=Qt.PenStyle.DashLine))
        middle = area.top() + area.height() / 2
        painter.drawLine(QPointF(area.left(), middle), QPointF(area.right(), middle))
        painter.setPen(palette.text().color())
        steps = m.all_steps()
        stage_of = {step.id: stage.name for stage in m.stages for step in stage.steps}
        for i, step in enumerate(steps):
            x = area.left() + i * area.width() / max(1, len(steps))
            cell = QRectF(x, area.bottom() + 4, area.width() / max(1, len(steps)), 20)
            painter.drawText(cell, int(Qt.AlignmentFlag.AlignCenter),
                             painter.fontMetrics().elidedText(
                                 step.name or stage_of[step.id], Qt.TextElideMode.ElideRight,
                                 int(cell.width())))
        painter.drawText(QRectF(0, area.top() - 8, 26, 16), int(Qt.AlignmentFlag.AlignRight),
                         f"{m.scale_max:+g}")
        painter.drawText(QRectF(0, area.bottom() - 8, 26, 16),
                         int(Qt.AlignmentFlag.AlignRight), f"{m.scale_min:+g}")
        points = self.points()
        painter.setPen(make_pen(self.colour, 3, round_cap=True))
        painter.drawPath(smooth_path(points))
        painter.setBrush(self.colour)
        for point in points:
            painter.drawEllipse(point, 4.5, 4.5)


class _Side(QWidget):
    """One column of the comparison: a persona picker, its curve and its pain points."""

    def __init__(self, title: str):
        super().__init__()
        self.picker = QComboBox()
        self.picker.setAccessibleName(title)
        self.quote = QLabel()
        self.quote.setWordWrap(True)
        self.curve = CurveWidget()
        self.pains = QListWidget()
        self.pains.setAccessibleName(f"{title} pain points")
        self.pains.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker)
        layout.addWidget(self.quote)
        layout.addWidget(self.curve)
        layout.addWidget(QLabel("Pain points where this persona feels low:"))
        layout.addWidget(self.pains, 1)


class ComparePersonasDialog(QDialog):
    """Two personas of the map side by side; follows the document while open.

    It stops following when it finishes (Esc, the close button, the map being deleted) or is
    destroyed: a dialog closed with Esc never sees ``closeEvent``.
    """

    def __init__(self, document: Document, map_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.map_id = map_id
        self.setObjectName("comparePersonas")
        self.setWindowTitle("Compare personas")
        self.left = _Side("First persona")
        self.right = _Side("Second persona")
        layout = QGridLayout(self)
        layout.addWidget(self.left, 0, 0)
        layout.addWidget(self.right, 0, 1)
        self.resize(980, 620)
        self._fill_pickers()
        for side in (self.left, self.right):
            side.picker.currentIndexChanged.connect(lambda _i: self.refresh())
        follow(self, document, self._on_document_changed)
        self.refresh()

    def _fill_pickers(self) -> None:
        m = self.document.workspace.maps.get(self.map_id)
        ids = list(m.persona_ids) if m else []
        for index, side in enumerate((self.left, self.right)):
            current = side.picker.currentData()
            side.picker.blockSignals(True)
            side.picker.clear()
            for persona_id in ids:
                side.picker.addItem(self.document.workspace.personas[persona_id].name,
                                    persona_id)
            chosen = side.picker.findData(current)
            side.picker.setCurrentIndex(chosen if chosen >= 0 else min(index, len(ids) - 1))
            side.picker.blockSignals(False)

    def _on_document_changed(self, changes: Changes) -> None:
        if self.map_id not in self.document.workspace.maps:
            self.close()
            return
        self._fill_pickers()
        self.refresh()

    def refresh(self) -> None:
        """Redraw both sides from the model."""
        m = self.document.workspace.maps[self.map_id]
        for side in (self.left, self.right):
            persona = self.document.workspace.personas.get(side.picker.currentData())
            side.curve.show_curve(m, persona)
            side.quote.setText(f"“{persona.quote}”" if persona and persona.quote else "")
            side.pains.clear()
            if persona is not None:
                for label, text in low_points(m, persona.id):
                    side.pains.addItem(f"{label}: {text}")
                for frustration in persona.frustrations:
                    side.pains.addItem(f"Frustration: {frustration}")
