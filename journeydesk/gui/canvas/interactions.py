"""What the user does on the canvas, turned into domain commands.

Each gesture ends in exactly one ``Editor.run`` call, so it is exactly one undo step: a drag
collects its start and end and runs one command on release; inline edits run one command when
committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QMenu,
)

from journeydesk.app.evidence import measured_source
from journeydesk.domain.commands import (
    AddCardCommand,
    AddLaneCommand,
    AddStageCommand,
    AddStepCommand,
    CompositeCommand,
    EditCardCommand,
    EditEmotionCommand,
    EditLaneCommand,
    EditStageCommand,
    EditStepCommand,
    MoveCardsCommand,
    MoveLaneCommand,
    MoveStageCommand,
    MoveStepCommand,
    RemoveCardCommand,
    RemoveEmotionCommand,
    RemoveLaneCommand,
    RemoveStageCommand,
    RemoveStepCommand,
    copy_card,
)
from journeydesk.domain.model import Card, LaneType, Stage, Step, unique_name
from journeydesk.gui.canvas.emotion_interactions import EmotionEditing, snap_score
from journeydesk.gui.canvas.emotion_legend import EmotionLegendItem
from journeydesk.gui.canvas.inline_editor import InlineEditor
from journeydesk.gui.canvas.items import (
    CardItem,
    EmotionPointItem,
    LaneHeaderItem,
    StageHeaderItem,
    StepHeaderItem,
)
from journeydesk.gui.canvas.layout import CARD_W
from journeydesk.gui.canvas.picture_interactions import PictureEditing
from journeydesk.gui.canvas.stage_data_menu import add_stage_data_actions
from journeydesk.gui.canvas.text import readable_font
from journeydesk.gui.canvas.theme import (
    CARD_MIN_H,
    CELL_PAD,
    LANE_TYPE_LABELS,
    card_font,
    header_font,
)

if TYPE_CHECKING:
    from journeydesk.gui.canvas.scene import MapScene


class _Drag:
    """A drag in progress: what was pressed, where, and whether it has started moving."""

    def __init__(self, item: QGraphicsItem, press: QPointF):
        self.item = item
        self.press = press
        self.active = False
        self.origins: dict[QGraphicsItem, QPointF] = {}
        self.target: tuple | None = None


class Interactions(EmotionEditing, PictureEditing):
    """Mouse, keyboard and in-place editing on one MapScene."""

    def __init__(self, scene: MapScene):
        self.scene = scene
        self._drag: _Drag | None = None
        self.editor_item: InlineEditor | None = None
        self.current_cell: tuple[str, str] | None = None
        # whether the scene marks the current cell: the arrows or a click went to an empty
        # cell; a card chosen, deleted or let go of (Esc, a click on empty canvas) unmarks it
        # (the cell stays where the arrows go on from)
        self.cell_marked = False

    @property
    def map_id(self) -> str:
        return self.scene.map_id

    def run(self, command) -> bool:  # noqa: ANN001
        """Run one command through the undo stack."""
        return self.scene.editor.run(command)

    # ------------------------------------------------------------------------ mouse
    def _item_at(self, pos: QPointF) -> QGraphicsItem | None:
        for item in self.scene.items(pos):
            if getattr(item, "opaque_band", False):
                return None  # the band behind pinned headers hides what is under it
            if isinstance(item, (CardItem, StageHeaderItem, StepHeaderItem, LaneHeaderItem,
                                 EmotionPointItem, InlineEditor)) or hasattr(item, "action"):
                return item
        return None

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Presses we handle entirely ourselves (the "+" buttons)."""
        item = self._item_at(event.scenePos())
        if event.button() == Qt.MouseButton.LeftButton and hasattr(item, "action"):
            if item.action == "add-stage":
                self.add_stage()
            else:
                self.add_lane()
            return True
        if self.editor_item is not None and item is not self.editor_item:
            self.finish_editing(commit=True)
        if event.button() == Qt.MouseButton.LeftButton:
            return self.legend_press(event.scenePos())
        return False

    def after_press(self, event: QGraphicsSceneMouseEvent) -> None:
        """After the scene's own selection handling: remember a possible drag start."""
        self._drag = None
        if event.button() != Qt.MouseButton.LeftButton:
            return
        item = self._item_at(event.scenePos())
        if isinstance(item, (CardItem, StageHeaderItem, StepHeaderItem, LaneHeaderItem,
                             EmotionPointItem)):
            self._drag = _Drag(item, event.scenePos())
        cell = self.scene.layout.cell_at(event.scenePos())
        if item is None and cell is not None and self._card_lane(cell[1]):
            self.current_cell = cell
        # only an empty cell is marked; a click beside cards or off the map marks nothing
        self.cell_marked = item is None and cell is not None and self._card_lane(
            cell[1]) and not self.scene.layout.cells.get(cell)
        self.scene.refresh_marker()

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        drag = self._drag
        if drag is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return False
        if not drag.active:
            if QLineF(drag.press, event.scenePos()).length() < QApplication.startDragDistance():
                return True
            self._start_drag(drag)
        delta = event.scenePos() - drag.press
        if isinstance(drag.item, CardItem):
            self._drag_cards(drag, event.scenePos(), delta)
        elif isinstance(drag.item, StageHeaderItem):
            self._drag_stage(drag, event.scenePos(), delta)
        elif isinstance(drag.item, StepHeaderItem):
            self._drag_step(drag, event.scenePos(), delta)
        elif isinstance(drag.item, LaneHeaderItem):
            self._drag_lane(drag, event.scenePos(), delta)
        elif isinstance(drag.item, EmotionPointItem):
            self._drag_point(drag, delta)
        return True

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        drag, self._drag = self._drag, None
        if drag is None or not drag.active:
            return False
        self.scene.drop_indicator.hide()
        for item in drag.origins:
            item.setOpacity(1.0)
        ran = False
        if drag.target is not None:
            ran = self._drop(drag)
        if not ran:
            self.scene.relayout()  # snap everything back
        return True

    def _start_drag(self, drag: _Drag) -> None:
        drag.active = True
        if isinstance(drag.item, CardItem):
            moving = [i for i in self.scene.selectedItems() if isinstance(i, CardItem)]
            if drag.item not in moving:
                moving = [drag.item]
        else:
            moving = [drag.item]
        drag.origins = {item: item.pos() for item in moving}
        for item in moving:
            item.setOpacity(0.85)

    def _drag_cards(self, drag: _Drag, pos: QPointF, delta: QPointF) -> None:
        for item, origin in drag.origins.items():
            item.setPos(origin + delta)
            item.setZValue(50)
        lay = self.scene.layout
        cell = lay.cell_at(pos)
        if cell is None:
            drag.target = None
            self.scene.drop_indicator.hide()
            return
        moving = {i.item_id for i in drag.origins}
        index = lay.insert_index(*cell, pos.y(), ignore=moving)
        drag.target = (*cell, index)
        column_x = lay.column_x[lay.column_steps.index(cell[0])]
        self.scene.drop_indicator.show_at(column_x + CELL_PAD, lay.indicator_y(*cell, index,
                                                                              ignore=moving),
                                          CARD_W)

    @staticmethod
    def _follow(drag: _Drag, offset: QPointF) -> QGraphicsItem:
        """Move the dragged header with the mouse, above everything else."""
        item = drag.item
        item.setPos(drag.origins[item] + offset)
        item.setZValue(50)
        return item

    def _drag_stage(self, drag: _Drag, pos: QPointF, delta: QPointF) -> None:
        item = self._follow(drag, QPointF(delta.x(), 0))
        m = self.scene.map
        lay = self.scene.layout
        others = [s for s in m.stages if s.id != item.item_id]
        index = sum(1 for s in others if lay.stage_rects[s.id].center().x() < pos.x())
        drag.target = (index,)
        x = lay.stage_rects[others[index].id].left() if index < len(others) else lay.width
        if index == len(others) and others:
            x = lay.stage_rects[others[-1].id].right()
        self._vertical_indicator(x)

    def _drag_step(self, drag: _Drag, pos: QPointF, delta: QPointF) -> None:
        item = self._follow(drag, QPointF(delta.x(), 0))
        lay = self.scene.layout
        m = self.scene.map
        stage = next((s for s in m.stages if lay.stage_rects[s.id].left() <= pos.x()
                      < lay.stage_rects[s.id].right()), m.stages[-1] if pos.x() > 0 else None)
        if stage is None:
            drag.target = None
            return
        others = [st for st in stage.steps if st.id != item.item_id]
        index = sum(1 for st in others if lay.step_rects[st.id].center().x() < pos.x())
        drag.target = (stage.id, index)
        x = (lay.step_rects[others[index].id].left() if index < len(others)
             else lay.stage_rects[stage.id].right())
        self._vertical_indicator(x)

    def _drag_lane(self, drag: _Drag, pos: QPointF, delta: QPointF) -> None:
        item = self._follow(drag, QPointF(0, delta.y()))
        m = self.scene.map
        lay = self.scene.layout
        others = [lane for lane in m.lanes if lane.id != item.item_id]
        index = sum(1 for lane in others if lay.lane_rects[lane.id].center().y() < pos.y())
        drag.target = (index,)
        y = (lay.lane_rects[others[index].id].top() if index < len(others)
             else lay.lane_rects[others[-1].id].bottom() if others else lay.top)
        self.scene.drop_indicator.show_at(0, y, lay.width)

    def _vertical_indicator(self, x: float) -> None:
        self.scene.drop_indicator.show_at(x, 0, self.scene.layout.height, vertical=True)

    def _drag_point(self, drag: _Drag, delta: QPointF) -> None:
        item = drag.item
        lay = self.scene.layout
        lane_id = next(lid for lid in lay.lane_ids if lay.lane_types[lid] is LaneType.EMOTIONS)
        top, bottom = lay.curve_band(lane_id)
        origin = drag.origins[item]
        y = min(bottom, max(top, origin.y() + delta.y()))
        item.setPos(origin.x(), y)
        self.scene.curve_follows(item)
        m = self.scene.map
        score = snap_score(m.scale_min + (bottom - y) / (bottom - top)
                           * (m.scale_max - m.scale_min), m.scale_min, m.scale_max)
        drag.target = (score,)
        self.scene.status.emit(f"Score {score:g}")

    def _drop(self, drag: _Drag) -> bool:
        item = drag.item
        if isinstance(item, CardItem):
            step_id, lane_id, index = drag.target
            ids = self.scene.selected_card_ids() if item.isSelected() else [item.item_id]
            if item.item_id not in ids:
                ids = [item.item_id]
            if self._is_no_op(ids, step_id, lane_id, index):
                return False
            return self.run(MoveCardsCommand(self.map_id, ids, step_id, lane_id, index))
        if isinstance(item, StageHeaderItem):
            (index,) = drag.target
            if self.scene.map.stage_index(item.item_id) == index:
                return False
            return self.run(MoveStageCommand(self.map_id, item.item_id, index))
        if isinstance(item, StepHeaderItem):
            stage_id, index = drag.target
            stage, old = self.scene.map.step_location(item.item_id)
            if stage.id == stage_id and old == index:
                return False
            return self.run(MoveStepCommand(self.map_id, item.item_id, stage_id, index))
        if isinstance(item, LaneHeaderItem):
            (index,) = drag.target
            if self.scene.map.lane_index(item.item_id) == index:
                return False
            return self.run(MoveLaneCommand(self.map_id, item.item_id, index))
        if isinstance(item, EmotionPointItem):
            (score,) = drag.target
            if score == item.point.score:
                return False
            return self.run(EditEmotionCommand(self.map_id, item.item_id, score=score))
        return False

    def _is_no_op(self, ids: list[str], step_id: str, lane_id: str, index: int) -> bool:
        cell = self.scene.layout.cells.get((step_id, lane_id), [])
        current = [c.id for c in cell]
        others = [c for c in current if c not in ids]
        return current == others[:index] + ids + others[index:]

    # ------------------------------------------------------------------------ double-click
    def double_click(self, event: QGraphicsSceneMouseEvent) -> bool:
        pos = event.scenePos()
        item = self._item_at(pos)
        if isinstance(item, CardItem):
            self.edit_card(item.item_id)
            return True
        legend_hit = self._legend_at(pos)
        if legend_hit is not None:  # choose the curve (again); not a rename of the lane
            if not legend_hit[3]:
                self.choose_point_owner(legend_hit[1])
            return True
        if isinstance(item, (StageHeaderItem, StepHeaderItem, LaneHeaderItem)):
            self.rename(item)
            return True
        if isinstance(item, EmotionPointItem):
            self.edit_point_label(item.item_id)
            return True
        if isinstance(item, InlineEditor):
            return False
        cell = self.scene.layout.cell_at(pos)
        if cell is None:
            return False
        step_id, lane_id = cell
        lay = self.scene.layout
        if lay.lane_types[lane_id] is LaneType.EMOTIONS and pos.y() < lay.cards_top(lane_id):
            self.add_emotion_point(step_id, pos.y())
            return True
        self.new_card(step_id, lane_id, lay.insert_index(step_id, lane_id, pos.y()))
        return True

    # ------------------------------------------------------------------------ editing
    def new_card(self, step_id: str, lane_id: str, index: int | None = None) -> None:
        """Open an editor for a new card in a cell; the card exists once text is committed."""
        lay = self.scene.layout
        cards = lay.cells.get((step_id, lane_id), [])
        index = len(cards) if index is None else index
        y = lay.indicator_y(step_id, lane_id, index) + 2
        x = lay.column_x[lay.column_steps.index(step_id)] + CELL_PAD
        rect = QRectF(x, y, CARD_W, CARD_MIN_H + 8)

        def create(text: str) -> None:
            if text.strip():
                card = Card(step_id, lane_id, text.strip())
                if self.run(AddCardCommand(self.map_id, card, index)):
                    self.scene.select_only([self.scene.cards[card.id]])

        self._open_editor("", rect, create, font=card_font())
        self._tab_moves_on()

    def edit_card(self, card_id: str) -> None:
        """Edit a card's text in place."""
        item = self.scene.cards[card_id]
        rect = item.sceneBoundingRect().adjusted(3, 3, -3, -3)
        rect.setHeight(max(rect.height(), CARD_MIN_H + 8))

        def commit(text: str) -> None:
            if text != item.card.text:
                self.run(EditCardCommand(self.map_id, card_id, text=text))

        self._open_editor(item.card.text, rect, commit, font=card_font())
        self._tab_moves_on()

    def _tab_moves_on(self) -> None:
        """Tab in the open card editor: keep the text, then edit the next card in reading
        order (Shift+Tab: the previous one), as a form moves to its next field."""
        editor = self.editor_item
        if editor is not None:
            editor.moved_on.connect(
                lambda backwards: QTimer.singleShot(0, lambda: self._edit_next(backwards)))

    def _edit_next(self, backwards: bool) -> None:
        if self.editor_item is None and self.tab(backwards):
            selected = self.scene.selected_card_ids()
            if selected:
                self.edit_card(selected[0])

    def rename(self, item: QGraphicsItem) -> None:
        """Rename a stage, step or lane in place."""
        rect = item.sceneBoundingRect().adjusted(6, 8, -6, -8)
        rect.setHeight(min(rect.height(), 40))
        if isinstance(item, StageHeaderItem):
            current, make = item.stage.name, lambda t: EditStageCommand(
                self.map_id, item.item_id, name=t)
        elif isinstance(item, StepHeaderItem):
            current, make = item.step.name, lambda t: EditStepCommand(
                self.map_id, item.item_id, name=t)
        else:
            current, make = item.lane.name, lambda t: EditLaneCommand(
                self.map_id, item.item_id, name=t)

        def commit(text: str) -> None:
            if text.strip() != current:
                self.run(make(text.strip()))

        self._open_editor(current, rect, commit, font=header_font(11), single_line=True)

    def _open_editor(self, text: str, rect: QRectF, on_commit, *, font,  # noqa: ANN001
                     single_line: bool = False) -> None:
        self.finish_editing(commit=True)
        theme = self.scene.theme
        font = readable_font(font, self._zoom(), self.scene.min_text_px)  # what is typed
        editor = InlineEditor(text, rect, font, single_line=single_line,
                              background=theme.lane_header_fill, foreground=theme.text)
        self.editor_item = editor
        self.scene.refresh_marker()

        def done(value: str | None) -> None:
            if self.editor_item is editor:
                self.editor_item = None
            self.scene.removeItem(editor)
            editor.deleteLater()
            if value is not None:
                on_commit(value)
            self.scene.refresh_marker()

        editor.committed.connect(done)
        editor.cancelled.connect(lambda: done(None))
        self.scene.addItem(editor)
        editor.start()

    def _zoom(self) -> float:
        """The scale of the view showing the scene (1 without one)."""
        views = self.scene.views()
        return views[0].transform().m11() if views else 1.0

    def finish_editing(self, commit: bool) -> None:
        """Close an open inline editor, keeping (commit) or dropping its text."""
        if self.editor_item is not None:
            if commit:
                self.editor_item.commit()
            else:
                self.editor_item.cancel()

    # ------------------------------------------------------------------------ structure
    def add_stage(self, index: int | None = None) -> None:
        """Add a stage (at the end by default) and rename it in place."""
        m = self.scene.map
        stage = Stage(name=unique_name("New stage", {s.name for s in m.stages}))
        if self.run(AddStageCommand(self.map_id, stage, index)):
            self.rename(self.scene.stages[stage.id])

    def add_step(self, stage_id: str, index: int | None = None) -> None:
        """Add a step to a stage and rename it in place."""
        stage = self.scene.map.stage(stage_id)
        step = Step(name=unique_name("New step", {s.name for s in stage.steps}))
        if self.run(AddStepCommand(self.map_id, stage_id, step, index)):
            self.rename(self.scene.steps[step.id])

    def add_lane(self, index: int | None = None, lane_type: LaneType | None = None) -> None:
        """Ask for a lane's name and type (the type guessed from the name as it is typed,
        unless ``lane_type`` is given), then add it (at the bottom by default) as one undo
        step; Esc adds nothing.  The dialog is window-modal and does not block."""
        from journeydesk.gui.lane_dialog import AddLaneDialog

        views = self.scene.views()
        dialog = AddLaneDialog({lane.name for lane in self.scene.map.lanes},
                               views[0].window() if views else None, lane_type)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        map_id = self.map_id  # the map the dialog was opened for
        dialog.accepted.connect(
            lambda: self.scene.editor.run(AddLaneCommand(map_id, dialog.lane(), index)))
        if views:  # the keys go back to the canvas (Ctrl+Z at once), with or without a WM
            view = views[0]
            dialog.finished.connect(lambda _result: (view.window().activateWindow(),
                                                     view.setFocus()))
        dialog.open()

    def add_drop_off_pain_point(self, stage_id: str, anyway: int | None = None) -> Card | None:
        """A pain-point card on the stage saying how many people the data shows dropping and,
        given ``anyway``, how many of them did the stage's event anyway (out of order or
        outside the conversion window: not lost customers)."""
        m = self.scene.map
        overlay = self.scene.overlay
        if all(s.id != stage_id for s in m.stages):
            return None  # deleted while the count was found
        numbers = overlay.stages.get(stage_id) if overlay else None
        lane = next((ln for ln in m.lanes if LaneType(ln.type) is LaneType.PAIN_POINTS), None)
        if numbers is None or not numbers.dropped:
            return None
        if lane is None:
            self.scene.status.emit("Add a pain points lane first.")
            return None
        stage = m.stage(stage_id)
        previous = next((s.name for s in reversed(m.stages[:m.stage_index(stage_id)])
                         if overlay.stages.get(s.id) and overlay.stages[s.id].users is not None),
                        "the previous stage")
        share = numbers.conversion_from_previous
        text = (f"{numbers.dropped:,} people drop off between {previous} and {stage.name}"
                + (f" (only {share:.0%} continue)" if share is not None else "")
                + (f"; {anyway:,} of them did {stage.name} anyway (out of order or outside the "
                   "window)" if anyway else "")
                + (f"; data: {overlay.source}" if overlay.source else ""))
        severity = 5 if share is not None and share < 0.4 else 4 if share is not None \
            and share < 0.7 else 3
        card = Card(stage.steps[0].id, lane.id, text, severity=severity, tags=["data"],
                    evidence="measured", source=measured_source(overlay.source))
        if self.run(AddCardCommand(self.map_id, card)):
            self.scene.select_only([self.scene.cards[card.id]])
            return card
        return None

    def delete_selection(self) -> bool:
        """Delete the selected cards, points, stages, steps or lanes as one undo step."""
        commands = []
        for item in self.scene.selectedItems():
            if isinstance(item, CardItem):
                commands.append(RemoveCardCommand(self.map_id, item.item_id))
            elif isinstance(item, EmotionPointItem):
                commands.append(RemoveEmotionCommand(self.map_id, item.item_id))
            elif isinstance(item, StageHeaderItem):
                commands.append(RemoveStageCommand(self.map_id, item.item_id))
            elif isinstance(item, StepHeaderItem):
                commands.append(RemoveStepCommand(self.map_id, item.item_id))
            elif isinstance(item, LaneHeaderItem):
                commands.append(RemoveLaneCommand(self.map_id, item.item_id))
        if not commands:
            return False
        self.cell_marked = False  # the deleted card's cell is no current cell to show
        if len(commands) == 1:
            return self.run(commands[0])
        return self.run(CompositeCommand(f"Delete {len(commands)} items", commands))

    def duplicate_selection(self) -> bool:
        """Copy the selected cards right below themselves."""
        ids = self.scene.selected_card_ids()
        if not ids:
            return False
        m = self.scene.map
        copies, commands = [], []
        for card_id in reversed(ids):  # bottom-up keeps the positions computed here valid
            card = m.card(card_id)
            duplicate = copy_card(card)
            copies.append(duplicate)
            commands.append(AddCardCommand(self.map_id, duplicate, card.position + 1))
        if self.run(CompositeCommand("Duplicate cards", commands)):
            self.scene.select_only(self.scene.cards[c.id] for c in copies)
            return True
        return False

    # ------------------------------------------------------------------------ keyboard
    def key_press(self, event: QKeyEvent) -> bool:
        if self.editor_item is not None:
            return False
        key = event.key()
        focus = self.scene.focusItem()
        if isinstance(focus, EmotionLegendItem) and self.legend_key(focus, key):
            return True
        if key == Qt.Key.Key_P and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return self.focus_legend()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return self.delete_selection()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            return self._edit_current()
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            backwards = key == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return self.tab(backwards)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            return self._arrow(key)
        if key == Qt.Key.Key_Escape:
            self.cell_marked = False
            self.scene.clearSelection()
            self.scene.refresh_marker()
            return True
        return False

    def _edit_current(self) -> bool:
        selected = self.scene.selectedItems()
        if len(selected) == 1:
            item = selected[0]
            if isinstance(item, CardItem):
                self.edit_card(item.item_id)
                return True
            if isinstance(item, (StageHeaderItem, StepHeaderItem, LaneHeaderItem)):
                self.rename(item)
                return True
            if isinstance(item, EmotionPointItem):
                self.edit_point_label(item.item_id)
                return True
        if not selected and self.current_cell is not None and self._card_lane(
                self.current_cell[1]):
            self.new_card(*self.current_cell)
            return True
        return False

    def tab(self, backwards: bool) -> bool:
        """Select the next (or previous) card in reading order."""
        cards = self.scene.map.ordered_cards()
        if not cards:
            return False
        selected = self.scene.selected_card_ids()
        order = [c.id for c in cards]
        if selected:
            i = order.index(selected[-1 if not backwards else 0]) + (-1 if backwards else 1)
        else:
            i = len(order) - 1 if backwards else 0
        self.select_card(order[i % len(order)])
        return True

    def select_card(self, card_id: str) -> None:
        """Select one card, remember its cell and show it."""
        item = self.scene.cards[card_id]
        self.scene.select_only([item])
        self.current_cell = (item.card.step_id, item.card.lane_id)
        self.cell_marked = False
        for view in self.scene.views():
            view.ensureVisible(item, 40, 40)

    def _arrow(self, key: Qt.Key) -> bool:
        lay = self.scene.layout
        if not lay.column_steps or not lay.lane_ids:
            return False
        selected = self.scene.selected_card_ids()
        if selected:
            card = self.scene.map.card(selected[0])
            step_id, lane_id, index = card.step_id, card.lane_id, card.position
        elif self.current_cell is not None:
            (step_id, lane_id), index = self.current_cell, -1
        else:
            step_id, lane_id, index = lay.column_steps[0], lay.lane_ids[0], -1
        column = lay.column_steps.index(step_id)
        row = lay.lane_ids.index(lane_id)
        cell_cards = lay.cells.get((step_id, lane_id), [])
        if key == Qt.Key.Key_Up and index > 0:
            self.select_card(cell_cards[index - 1].id)
            return True
        if key == Qt.Key.Key_Down and 0 <= index < len(cell_cards) - 1:
            self.select_card(cell_cards[index + 1].id)
            return True
        if key == Qt.Key.Key_Down and index == -1 and cell_cards:
            self.select_card(cell_cards[0].id)
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if key == Qt.Key.Key_Up else 1
            row = max(0, min(len(lay.lane_ids) - 1, row + step))
            while not self._card_lane(lay.lane_ids[row]) and 0 <= row + step < len(lay.lane_ids):
                row += step  # the emotions band is the curves', not a cell to write in
        else:
            column = max(0, min(len(lay.column_steps) - 1,
                                column + (-1 if key == Qt.Key.Key_Left else 1)))
        target = (lay.column_steps[column], lay.lane_ids[row])
        cards = lay.cells.get(target, [])
        if cards:
            pick = cards[-1] if key == Qt.Key.Key_Up else cards[min(max(index, 0),
                                                                     len(cards) - 1)]
            self.select_card(pick.id)
        elif self._card_lane(target[1]):
            self.scene.clearSelection()
            self.current_cell = target
            self.cell_marked = True
            for view in self.scene.views():
                view.ensureVisible(lay.cell_rect(*target), 40, 40)
        self.scene.refresh_marker()
        return True

    def _card_lane(self, lane_id: str) -> bool:
        """Whether the keyboard's current cell may be in lane ``lane_id`` (not the emotions
        lane: a click or Enter there is about the curves)."""
        return self.scene.layout.lane_types.get(lane_id) is not LaneType.EMOTIONS

    # ------------------------------------------------------------------------ context menus
    def context_menu(self, event: QGraphicsSceneContextMenuEvent) -> None:
        menu = self.build_context_menu(event.scenePos())
        if menu is not None and not menu.isEmpty():
            menu.exec(event.screenPos())

    def build_context_menu(self, pos: QPointF) -> QMenu | None:
        """The context menu for whatever is at scene ``pos``."""
        item = self._item_at(pos)
        menu = QMenu()
        m = self.scene.map
        if isinstance(item, StageHeaderItem):
            index = m.stage_index(item.item_id)
            menu.addAction("Insert stage before", lambda: self.add_stage(index))
            menu.addAction("Insert stage after", lambda: self.add_stage(index + 1))
            menu.addAction("Add step", lambda: self.add_step(item.item_id))
            menu.addAction("Rename", lambda: self.rename(item))
            numbers = item.numbers
            if numbers is not None and numbers.dropped:
                menu.addSeparator()
                menu.addAction("Add drop-off as pain point",
                               lambda: self.scene.pain_point_requested.emit(item.item_id))
                menu.addAction("Who dropped here…",
                               lambda: self.scene.who_dropped_requested.emit(item.item_id))
            add_stage_data_actions(menu, self.scene, item)  # instead, retention
            menu.addSeparator()
            menu.addAction("Delete stage",
                           lambda: self.run(RemoveStageCommand(self.map_id, item.item_id)))
        elif isinstance(item, StepHeaderItem):
            stage, index = m.step_location(item.item_id)
            menu.addAction("Insert step before", lambda: self.add_step(stage.id, index))
            menu.addAction("Insert step after", lambda: self.add_step(stage.id, index + 1))
            menu.addAction("Rename", lambda: self.rename(item))
            menu.addSeparator()
            menu.addAction("Delete step",
                           lambda: self.run(RemoveStepCommand(self.map_id, item.item_id)))
        elif isinstance(item, LaneHeaderItem):
            index = m.lane_index(item.item_id)
            menu.addAction("Insert lane above", lambda: self.add_lane(index))
            menu.addAction("Insert lane below", lambda: self.add_lane(index + 1))
            menu.addAction("Rename", lambda: self.rename(item))
            types = menu.addMenu("Lane type")
            for lane_type in LaneType:
                action = types.addAction(LANE_TYPE_LABELS[lane_type],
                                         lambda t=lane_type: self.run(EditLaneCommand(
                                             self.map_id, item.item_id, type=t)))
                action.setCheckable(True)
                action.setChecked(LaneType(item.lane.type) is lane_type)
            menu.addSeparator()
            menu.addAction("Delete lane",
                           lambda: self.run(RemoveLaneCommand(self.map_id, item.item_id)))
        elif isinstance(item, CardItem):
            if not item.isSelected():
                self.scene.select_only([item])
            menu.addAction("Edit text", lambda: self.edit_card(item.item_id))
            menu.addAction("Duplicate", self.duplicate_selection)
            menu.addAction("Comment…", lambda: self.scene.comment_requested.emit(item.item_id))
            menu.addSeparator()
            self.add_card_picture_actions(menu, item)
            menu.addSeparator()
            menu.addAction("Delete", self.delete_selection)
        elif isinstance(item, EmotionPointItem):
            menu.addAction("Edit label", lambda: self.edit_point_label(item.item_id))
            menu.addAction("Delete point",
                           lambda: self.run(RemoveEmotionCommand(self.map_id, item.item_id)))
        else:
            cell = self.scene.layout.cell_at(pos)
            if cell is not None:
                menu.addAction("Add card here", lambda: self.new_card(*cell))
                self.add_cell_picture_actions(menu, cell)
            menu.addAction("Add stage", self.add_stage)
            menu.addAction("Add lane", self.add_lane)
        return menu

