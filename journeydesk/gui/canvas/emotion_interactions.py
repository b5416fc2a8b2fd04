"""Editing the emotion curves on the canvas: adding points to the curve chosen in the legend,
choosing that curve, and writing a point's label in place.

A part of :class:`~journeydesk.gui.canvas.interactions.Interactions` (which mixes this class
in), kept apart so each module stays readable.  Choosing and hiding curves are view settings;
adding, moving and labelling points are edits, one undo step each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont

from journeydesk.domain.commands import AddEmotionCommand, EditEmotionCommand
from journeydesk.domain.model import EmotionPoint, LaneType
from journeydesk.gui.canvas.emotion_items import label_font
from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem, legend_of, sync_legend

if TYPE_CHECKING:
    from journeydesk.gui.canvas.scene import MapScene


class EmotionEditing:
    """The emotion-curve gestures of the canvas interactions."""

    scene: MapScene
    # the curve new emotion points join, once chosen in the legend (else the first shown)
    _point_owner: tuple[str | None] | None = None

    @property
    def map_id(self) -> str:
        return self.scene.map_id

    def run(self, command: Any) -> bool:  # provided by Interactions
        raise NotImplementedError

    def _open_editor(self, text: str, rect: QRectF, on_commit: Callable[[str], None], *,
                     font: QFont, single_line: bool = False) -> None:  # by Interactions
        raise NotImplementedError

    def add_emotion_point(self, step_id: str, y: float) -> None:
        """Add a point at this step to the curve chosen in the legend (or move that curve's
        point there to this height)."""
        m = self.scene.map
        lay = self.scene.layout
        lane_id = next(lid for lid in lay.lane_ids if lay.lane_types[lid] is LaneType.EMOTIONS)
        top, bottom = lay.curve_band(lane_id)
        t = min(1.0, max(0.0, (bottom - y) / (bottom - top)))
        score = snap_score(m.scale_min + t * (m.scale_max - m.scale_min), m.scale_min,
                           m.scale_max)
        owner = self.new_point_owner()
        if owner in self.scene.hidden_personas:
            self.scene.status.emit("Every curve is hidden: show one in the legend first.")
            return
        existing = m.emotion_at(step_id, owner)
        if existing is None:
            point = EmotionPoint(step_id=step_id, score=score, persona_id=owner)
            self.run(AddEmotionCommand(self.map_id, point))
        elif existing.score != score and self.run(
                EditEmotionCommand(self.map_id, existing.id, score=score)):
            self.scene.status.emit(f"{self._curve_name(owner)} already had a point here: "
                                   f"moved it to {score:g}.")

    def new_point_owner(self) -> str | None:
        """The curve a new emotion point joins (persona id, None for the map's own): the one
        chosen in the legend while it is shown, else the first shown curve."""
        m = self.scene.map
        hidden = self.scene.hidden_personas
        shown = [owner for owner in (*m.persona_ids, None) if owner not in hidden]
        if self._point_owner is not None and self._point_owner[0] in shown:
            return self._point_owner[0]
        return shown[0] if shown else None

    def choose_point_owner(self, owner: str | None) -> None:
        """Make ``owner``'s curve the one new points join (showing it if hidden); a view
        setting, not an edit."""
        self._point_owner = (owner,)
        if owner in self.scene.hidden_personas:
            self.scene.set_curve_visible(owner, True)  # refreshes the legend too
        else:
            active = self.new_point_owner()
            for header in self.scene.lanes.values():
                sync_legend(header, active)
        self.scene.status.emit(f"New emotion points join {self._curve_name(owner)}'s curve.")
        focus = self.scene.focusItem()
        if isinstance(focus, EmotionLegendItem):  # what a screen reader says for the legend
            for view in self.scene.views():
                view.setAccessibleDescription(focus.accessible_name())

    def _curve_name(self, owner: str | None) -> str:
        persona = self.scene.editor.document.workspace.personas.get(owner) if owner else None
        return persona.name if persona is not None else self.scene.map.name

    def _zoom(self) -> float:  # provided by Interactions
        raise NotImplementedError

    def _legend_at(self, pos: QPointF) -> tuple[EmotionLegendItem, str | None, bool, bool] | None:
        """(legend, curve owner, shown, on its eye) of the legend line at scene ``pos``, as
        the view paints it; None in Present and pictures (the legend is no picker there)."""
        if not self.scene.affordances:
            return None
        for item in self.scene.items(pos):
            if isinstance(item, EmotionLegendItem):
                hit = item.line_at(item.mapFromScene(pos), self._zoom(), self.scene.min_text_px)
                if hit is None:
                    return None
                line, on_eye = hit
                return item, line.owner, line.shown, on_eye
        return None

    def legend_press(self, pos: QPointF) -> bool:
        """A click on the emotions lane's legend: on a curve's eye it shows or hides the
        curve, elsewhere on its line it makes it the curve new points join."""
        hit = self._legend_at(pos)
        if hit is None:
            return False
        legend, owner, shown, on_eye = hit
        legend.take_focus(Qt.FocusReason.MouseFocusReason)  # Up and Down choose on from here
        if on_eye:
            self.scene.set_curve_visible(owner, not shown)
        else:
            self.choose_point_owner(owner)
        return True

    def legend_key(self, legend: EmotionLegendItem, key: int) -> bool:
        """Keys on the focused legend: Up/Down (Left/Right) choose the previous or next shown
        curve for new points; Esc leaves the legend."""
        if key == Qt.Key.Key_Escape:
            legend.clearFocus()
            return True
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: 1,
                Qt.Key.Key_Right: 1}.get(key)
        if step is None:
            return False
        owners = [line.owner for line in legend.lines() if line.shown]
        if owners:
            current = self.new_point_owner()
            index = owners.index(current) + step if current in owners else 0
            self.choose_point_owner(owners[index % len(owners)])
        return True

    def focus_legend(self) -> bool:
        """Give the emotions lane's legend the keyboard focus (the P key); not in Present."""
        if not self.scene.affordances:
            return False
        for header in self.scene.lanes.values():
            legend = legend_of(header)
            if legend is not None and legend.isVisible():
                legend.take_focus(Qt.FocusReason.ShortcutFocusReason)
                for view in self.scene.views():
                    view.ensureVisible(legend, 40, 40)
                    view.setAccessibleDescription(legend.accessible_name())
                return True
        return False

    def edit_point_label(self, point_id: str) -> None:
        """Write an emotion point's label ("frustrated") in place: Enter keeps it as one undo
        step, Esc leaves it as it was."""
        item = self.scene.points[point_id]
        label = item.label_rect().translated(item.pos())
        rect = QRectF(label.center().x() - 80, label.top() - 5, 160, label.height() + 12)

        def commit(text: str) -> None:
            point = self.scene.map.emotions.get(point_id)
            if point is not None and text.strip() != point.label:
                self.run(EditEmotionCommand(self.map_id, point_id, label=text.strip()))

        self._open_editor(item.point.label, rect, commit, font=label_font(), single_line=True)


def snap_score(score: float, low: float, high: float) -> float:
    """Round a dragged score to the scale's whole steps, inside the scale."""
    return float(min(high, max(low, round(score))))
