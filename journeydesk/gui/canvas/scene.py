"""The journey canvas scene: one map, drawn as thin items that follow the document.

The scene listens to the document's change events, keeps id -> item maps, creates and removes
items, and lays them out.  Each change key goes to the items it names (see
:meth:`MapScene._on_document_changed`): a card edit updates that card's item, and moves other
items only when its height changed; only structural changes (stages, steps, lanes) rebuild the
scene.  User gestures are turned into domain commands by the interactions
(``interactions.py``) and run through the editor, so every edit is one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
)

from journeydesk.domain.colours import curve_colours
from journeydesk.domain.commands import Changes
from journeydesk.domain.model import JourneyMap, LaneType
from journeydesk.gui.canvas import card_marks
from journeydesk.gui.canvas.emotion_items import (
    AXIS_PX,
    LabelPlaces,
    axis_font,
    grown_px,
    scale_labels,
)
from journeydesk.gui.canvas.emotion_legend import sync_legend
from journeydesk.gui.canvas.items import (
    CardItem,
    DropIndicatorItem,
    EmotionCurveItem,
    EmotionPointItem,
    LaneHeaderItem,
    StageHeaderItem,
    StepHeaderItem,
    face_smile,
)
from journeydesk.gui.canvas.layout import METRIC_ROW_H, Layout, compute_layout, update_cards
from journeydesk.gui.canvas.overlay import OVERLAY_HEADER_EXTRA, DataOverlay, StageOverlay
from journeydesk.gui.canvas.retention_line import RETENTION_LINE_H, HeaderRetention
from journeydesk.gui.canvas.sticky import Veil, hold, make_pins, pin_headers
from journeydesk.gui.canvas.text import screen_scale
from journeydesk.gui.canvas.text import text_height as card_text_height
from journeydesk.gui.canvas.theme import (
    ADD_BUTTON,
    CELL_PAD,
    LANE_HEADER_W,
    LIGHT,
    STAGE_HEADER_H,
    Theme,
    card_font,
    header_font,
    make_pen,
)
from journeydesk.gui.editing import Editor
from journeydesk.gui.listening import follow

MARGIN = 40.0


class AddButtonItem(QGraphicsItem):
    """A round "+" affordance (add a stage at the end, a lane at the bottom)."""

    def __init__(self, tooltip: str, action: str):
        super().__init__()
        self.action = action
        self.kind = tooltip.lower()
        self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAcceptHoverEvents(True)
        self.setZValue(30)

    def accessible_name(self) -> str:
        return self.kind

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(0, 0, ADD_BUTTON, ADD_BUTTON)

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ANN001
        theme = self.scene().theme  # type: ignore[attr-defined]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.muted_text, 1.5))
        painter.setBrush(theme.lane_header_fill)
        painter.drawEllipse(self.boundingRect().adjusted(1, 1, -1, -1))
        c = ADD_BUTTON / 2
        painter.setPen(make_pen(theme.text, 2, round_cap=True))
        painter.drawLine(QPointF(c - 6, c), QPointF(c + 6, c))
        painter.drawLine(QPointF(c, c - 6), QPointF(c, c + 6))


class MapScene(QGraphicsScene):
    """The canvas of one journey map."""

    layout_changed = Signal()  # the map's extent or its lanes and columns moved
    status = Signal(str)
    who_dropped_requested = Signal(str)  # stage id: the window lists those users
    # stage id: the window finds how many of those users did the stage anyway, then adds the
    # drop-off's pain-point card (interactions.add_drop_off_pain_point)
    pain_point_requested = Signal(str)
    comment_requested = Signal(str)  # card id: a card's "Comment…" (the Comments dock)

    def __init__(self, editor: Editor, map_id: str, theme: Theme = LIGHT):
        super().__init__()
        from journeydesk.gui.canvas.interactions import Interactions

        self.editor = editor
        self.map_id = map_id
        self.theme = theme
        self.layout = Layout()
        self.cards: dict[str, CardItem] = {}
        self.stages: dict[str, StageHeaderItem] = {}
        self.steps: dict[str, StepHeaderItem] = {}
        self.lanes: dict[str, LaneHeaderItem] = {}
        self.points: dict[str, EmotionPointItem] = {}
        self.curves: dict[str | None, EmotionCurveItem] = {}
        self.emotion_labels = LabelPlaces()  # where the points' labels go, at each text size
        self.hidden_personas: set[str | None] = set()
        # Numbers bound to stages (from datasets or imported metrics), shown in metrics lanes.
        self.metrics: dict[str, list[tuple[str, str]]] = {}
        self.overlay: DataOverlay | None = None
        self.flows = None  # the Flows drawn as arcs over the headers (set_flows), or None
        self.flows_layer = None  # their FlowsLayer, made when first shown (flows_layer.py)
        self.retention: HeaderRetention | None = None  # a figure on one stage's header
        # the smallest text size on screen (px) the view showing it allows; its items enlarge
        # their text when zoomed out (semantic zoom).  0 for exports: painted as laid out.
        self.min_text_px = 0.0
        self.pinned_view: QRectF | None = None  # what the main view shows: headers stick to it
        self.focus_stage: str | None = None  # Present's walk-through emphasises this stage
        # Edit affordances (the "+" buttons, the legend's eyes, its chosen-curve mark and hint,
        # selection outlines): shown on the working canvas; False in Present and in exports
        # (set_affordances), which a room or a reader sees.
        self.affordances = True
        # View > Highlight assumptions, and the comment badges (card_marks.py)
        self.highlight_assumptions = False
        self.comment_badges = True
        self._marker: QRectF | None = None  # where the cell marker was last painted
        self.column_pins, self.row_pins = make_pins(self)  # hold the headers (sticky.py)
        self.veil = Veil()
        self.addItem(self.veil)
        self.selectionChanged.connect(self.refresh_marker)
        self.layout_changed.connect(self.refresh_marker)  # the cell moved or grew
        self._text_heights: dict[tuple[str, float], float] = {}
        self.drop_indicator = DropIndicatorItem()
        self.addItem(self.drop_indicator)
        self.add_stage_button = AddButtonItem("Add stage", "add-stage")
        self.add_lane_button = AddButtonItem("Add lane", "add-lane")
        self.addItem(self.add_stage_button)
        self.addItem(self.add_lane_button)
        self.interactions = Interactions(self)
        self.sync()
        # Held weakly: the subscription (kept until the scene is destroyed) must not keep the
        # scene alive once its owner lets go of it.
        self._unfollow = follow(self, editor.document, self._on_document_changed)

    def set_affordances(self, shown: bool) -> None:
        """Show or hide the edit affordances (see ``affordances``) and repaint."""
        self.affordances = shown
        self.add_stage_button.setVisible(shown)
        self.add_lane_button.setVisible(shown)
        active = self.interactions.new_point_owner()
        for lane_item in self.lanes.values():  # the legend's lines, eyes and hint
            sync_legend(lane_item, active)
        # the axis's labels (background) follow the text size Present sets with this
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)
        self.update()

    # -- model access ------------------------------------------------------------------------
    @property
    def map(self) -> JourneyMap:
        """The map this scene shows."""
        return self.editor.document.workspace.maps[self.map_id]

    def close(self) -> None:
        """Stop following the document (also done when the scene is destroyed)."""
        self.interactions.finish_editing(commit=False)
        self._unfollow()

    def set_theme(self, theme: Theme) -> None:
        """Repaint everything in another theme."""
        self.theme = theme
        self.sync()
        self.update()

    # -- following the document ----------------------------------------------------------------
    def _on_document_changed(self, changes: Changes) -> None:
        """Route each change key to the items it names.

        * ``("stages", map)``, ``("lanes", map)``: columns or rows changed: :meth:`sync`.
        * ``("card", map, card)``: that card's item is refreshed (created, dropped) and only
          the cells it left or entered are laid out again; the lanes below move only when
          its lane's height changed (:meth:`_update_cards`).
        * ``("emotion", map, point)``, ``("map", map)`` and ``("persona", p)`` of a persona
          the map shows: the emotion points, curves and the emotions lane's legend.
        """
        m = self.editor.document.workspace.maps.get(self.map_id)
        if m is None:
            return  # the map was deleted; the window closes this scene
        kinds: set[str] = set()
        card_ids: set[str] = set()
        personas = False
        for key in changes:
            if key[0] == "persona":
                personas = personas or key[1] in m.persona_ids or key[1] in self.curves
            elif len(key) > 1 and key[1] == self.map_id:
                kinds.add(key[0])
                if key[0] == "card":
                    card_ids.add(key[2])
        if kinds - {"card", "emotion", "map", "comment"}:
            self.sync()  # structure (or a key this scene does not know): rebuild
            return
        if card_ids:
            self._update_cards(card_ids)
        if card_ids or "comment" in kinds:  # badges, evidence tooltips, highlight
            card_marks.follow_cards(self, None if "comment" in kinds else card_ids)
        if personas or kinds & {"emotion", "map"}:
            self._sync_emotions()
            self._place_emotions(self.layout)
        if "map" in kinds:  # the emotion scale's labels are painted on the background
            self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def _update_cards(self, card_ids: Set[str]) -> None:
        """Follow changes of these cards: their items, and the items their change moved."""
        m, lay = self.map, self.layout
        update = update_cards(lay, m, card_ids, self.text_height)
        if update is None:  # not a change the layout can follow piecemeal
            self.sync()
            return
        for card_id in update.removed:
            item = self.cards.pop(card_id, None)
            if item is not None:
                self.removeItem(item)
        overlay = self.overlay
        for card_id in update.changed:
            card = m.cards[card_id]
            item = self.cards.get(card_id)
            if item is None:
                item = self.cards[card_id] = CardItem(card)
                item.count = overlay.card_counts.get(card_id) if overlay else None
                self.addItem(item)
            else:
                item.card = card
            item.refresh(lay.lane_types[card.lane_id])
        if update.lanes_from is not None:
            self._lanes_moved(update.lanes_from, update.shifts, update.old_height)
        # after the lanes moved: these go where the layout says, from wherever they were (a
        # changed card is placed even when its rect stayed: a drag may have moved it)
        for card_id in update.moved | update.changed:
            self.cards[card_id].set_rect(lay.card_rects[card_id])

    def _lanes_moved(self, index: int, shifts: dict[str, float] | None,
                     old_height: float) -> None:
        """Lanes from ``index`` on changed height or moved, by ``shifts`` (None: anyhow)."""
        lay = self.layout
        lane_ids = lay.lane_ids[index:]
        for lane_id in lane_ids:
            self.lanes[lane_id].set_rect(lay.lane_rects[lane_id])
        cards, cells, rects = self.cards, lay.cells, lay.card_rects
        for lane_id in lane_ids[1:]:
            shift = shifts.get(lane_id, 0.0) if shifts is not None else None
            if shift == 0.0:
                continue
            for step_id in lay.column_steps:
                for card in cells.get((step_id, lane_id), ()):
                    if shift is None:
                        cards[card.id].set_rect(rects[card.id])
                    else:  # what set_rect would do, in one call (a whole shift keeps caches)
                        cards[card.id].moveBy(0.0, shift)
        if any(lay.lane_types[lane_id] is LaneType.EMOTIONS for lane_id in lane_ids[1:]):
            self._place_emotions(lay)
        top = lay.lane_y[index]
        self._place_extent(lay)
        scene_rect = self.sceneRect()
        self.invalidate(QRectF(scene_rect.left(), top, scene_rect.width(),
                               max(old_height, lay.height) - top + 1),
                        QGraphicsScene.SceneLayer.BackgroundLayer)
        self.layout_changed.emit()

    def sync(self) -> None:
        """Rebuild: make every item match the map (create, drop, refresh), then lay out."""
        m = self.map
        lane_types = {lane.id: LaneType(lane.type) for lane in m.lanes}
        _reconcile(self, self.stages, {s.id: s for s in m.stages}, StageHeaderItem)
        _reconcile(self, self.steps, {st.id: st for st in m.all_steps()}, StepHeaderItem)
        _reconcile(self, self.lanes, {lane.id: lane for lane in m.lanes}, LaneHeaderItem)
        hold(self.column_pins, [*self.stages.values(), *self.steps.values()])
        hold(self.row_pins, self.lanes.values())
        _reconcile(self, self.cards, m.cards, CardItem)
        for card_item in self.cards.values():
            card_item.refresh(lane_types[card_item.card.lane_id])
        card_marks.follow_cards(self)
        self._sync_emotions()
        self.relayout()

    def _sync_emotions(self) -> None:
        m = self.map
        owners: list[str | None] = [*m.persona_ids]
        if any(p.persona_id is None for p in m.emotions.values()):
            owners.append(None)
        colours = self._curve_colours(owners)
        for point_id in list(self.points):
            if point_id not in m.emotions:
                self.removeItem(self.points.pop(point_id))
        for point in m.emotions.values():
            item = self.points.get(point.id)
            if item is None:
                item = self.points[point.id] = EmotionPointItem(point, colours[point.persona_id])
                self.addItem(item)
            item.point = point
            item.colour = colours.get(point.persona_id, self.theme.muted_text)
            item.setVisible(point.persona_id not in self.hidden_personas)
        for owner in list(self.curves):
            if owner not in colours:
                self.removeItem(self.curves.pop(owner))
        for owner, colour in colours.items():
            curve = self.curves.get(owner)
            if curve is None:
                curve = self.curves[owner] = EmotionCurveItem(colour)
                self.addItem(curve)
            curve.colour = colour
            curve.setVisible(owner not in self.hidden_personas)
        ws = self.editor.document.workspace
        legend = [(o, ws.personas[o].name if o is not None else m.name, colours[o],
                   o not in self.hidden_personas)
                  for o in owners if o is None or o in ws.personas]
        active = self.interactions.new_point_owner()
        for lane_item in self.lanes.values():
            lane_item.legend = legend if lane_item.lane.type is LaneType.EMOTIONS else []
            sync_legend(lane_item, active)  # the legend picks the curve new points join
            lane_item.update()

    def _curve_colours(self, owners: list[str | None]) -> dict[str | None, QColor]:
        """Each persona's curve in its avatar colour (as in the gallery), never two alike."""
        personas = self.editor.document.workspace.personas
        found = curve_colours(owners, {i: p.name for i, p in personas.items()},
                              self.theme.muted_text.name())
        return {owner: QColor(colour) for owner, colour in found.items()}

    def text_height(self, text: str, width: float) -> float:
        """Height of wrapped card text, as painted (cached: layout asks for every card)."""
        key = (text, width)
        height = self._text_heights.get(key)
        if height is None:
            height = self._text_heights[key] = card_text_height(text, width)
        return height

    def relayout(self) -> None:
        """Compute the whole layout and move every item to its place."""
        m = self.map
        stage_ids = {s.id for s in m.stages}
        rows = max((len(v) for k, v in self.metrics.items() if k in stage_ids), default=0)
        lay = self.layout = compute_layout(
            m, self.text_height, metric_rows=rows,
            header_extra=(OVERLAY_HEADER_EXTRA if self.overlay is not None else 0.0)
            + (RETENTION_LINE_H if self._retention_stage() is not None else 0.0),
            counts=self.overlay is not None)
        overlay = self.overlay
        for stage_id, item in self.stages.items():
            item.numbers = overlay.stages.get(stage_id, StageOverlay(None)) if overlay else None
            item.largest_drop = overlay is not None and overlay.largest_drop_stage == stage_id
            item.since = overlay.baseline_label if overlay else ""
            item.retention = self.retention if stage_id == self._retention_stage() else None
            item.set_rect(lay.stage_rects[stage_id])
            item.update()
        sole_unnamed = {s.steps[0].id for s in m.stages if len(s.steps) == 1
                        and not s.steps[0].name}
        for step_id, item in self.steps.items():
            item.setVisible(lay.has_step_row and step_id not in sole_unnamed)
            item.set_rect(lay.step_rects[step_id])
        for lane_id, item in self.lanes.items():
            item.set_rect(lay.lane_rects[lane_id])
        for card_id, item in self.cards.items():
            count = overlay.card_counts.get(card_id) if overlay else None
            if count != item.count:
                item.count = count
                item.update()
            item.set_rect(lay.card_rects[card_id])
        self._place_emotions(lay)
        if self.flows_layer is not None:
            self.flows_layer.place(lay.stage_rects)
        self._place_extent(lay)
        pin_headers(self, self.pinned_view)
        # Views cache the background (lane bands, grid): it moved with the lanes.
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)
        self.update()
        self.layout_changed.emit()

    def _place_extent(self, lay: Layout) -> None:
        """The "+" buttons after the last stage and under the last lane, and the scene rect."""
        self.add_stage_button.setPos(lay.width + 14, (STAGE_HEADER_H - ADD_BUTTON) / 2)
        self.add_lane_button.setPos((LANE_HEADER_W - ADD_BUTTON) / 2, lay.height + 12)
        rect = QRectF(-MARGIN, -MARGIN, lay.width + ADD_BUTTON + 28 + 2 * MARGIN,
                      lay.height + ADD_BUTTON + 24 + 2 * MARGIN)
        if self.flows is not None and self.flows_layer is not None:  # the arcs above
            rect = rect.united(self.flows_layer.extent().adjusted(0, -MARGIN / 2, 0, 0))
        self.setSceneRect(rect)

    def _place_emotions(self, lay: Layout) -> None:
        m = self.map
        emotion_lanes = [lid for lid in lay.lane_ids if lay.lane_types[lid] is LaneType.EMOTIONS]
        by_owner: dict[str | None, list[tuple[int, EmotionPointItem]]] = {
            o: [] for o in self.curves}
        for item in self.points.values():
            if not emotion_lanes:
                item.hide()
                continue
            top, bottom = lay.curve_band(emotion_lanes[0])
            t = face_smile(item.point.score, m.scale_min, m.scale_max)
            pos = QPointF(lay.column_center(item.point.step_id), bottom - t * (bottom - top))
            item.normalised = t
            item.setPos(pos)
            column = lay.column_steps.index(item.point.step_id)
            by_owner.setdefault(item.point.persona_id, []).append((column, item))
        if emotion_lanes:
            self._spread_faces()
        for owner, curve in self.curves.items():
            points = [item.pos() for _, item in sorted(by_owner.get(owner, []),
                                                      key=lambda ci: ci[0])]
            curve.set_points(points if emotion_lanes else [])
        if emotion_lanes:
            self._place_labels(lay, emotion_lanes[0])

    def curve_follows(self, moved: EmotionPointItem) -> None:
        """Redraw the curve of ``moved``'s persona through its points where they are now (a
        face being dragged: the curve follows it, not only after the drop)."""
        owner = moved.point.persona_id
        curve = self.curves.get(owner)
        if curve is None:
            return
        lay = self.layout
        mine = sorted(((lay.column_index[p.point.step_id], p.pos())
                       for p in self.points.values() if p.point.persona_id == owner
                       and p.point.step_id in lay.column_index), key=lambda cp: cp[0])
        curve.set_points([pos for _, pos in mine])

    def _spread_faces(self) -> None:
        """Faces of several personas at one spot move apart sideways: every face shows (where
        the labels go is :class:`LabelPlaces`' work, once the curves are drawn).

        Faces start at their column's centre, so only faces of one column can meet: the work
        grows with the faces per column, not squared with all of them (maps are edited live,
        and this runs after every edit).
        """
        diameter = 2 * EmotionPointItem.RADIUS + 4
        columns: dict[float, list[EmotionPointItem]] = {}
        for item in self.points.values():
            if item.isVisible():
                columns.setdefault(round(item.pos().x()), []).append(item)
        for items in columns.values():
            placed: list[EmotionPointItem] = []
            for item in sorted(items, key=lambda i: i.pos().y()):
                clashes = [other for other in placed
                           if abs(other.pos().x() - item.pos().x()) < diameter
                           and abs(other.pos().y() - item.pos().y()) < diameter]
                if clashes:
                    item.setPos(max(o.pos().x() for o in clashes) + diameter, item.pos().y())
                placed.append(item)

    def _place_labels(self, lay: Layout, lane_id: str) -> None:
        """Where the points' labels go (at each text size, see :class:`LabelPlaces`): inside
        the emotions band of ``lane_id``, clear of the faces, curves and the axis's labels."""
        m = self.map
        top, bottom = lay.curve_band(lane_id)
        lane_top = lay.lane_rects[lane_id].top()
        # the band above the lane's cards, less the margin a tiled page's cut keeps from it
        area = QRectF(LANE_HEADER_W, lane_top + 2, lay.width - LANE_HEADER_W,
                      lay.cards_top(lane_id) - 8 - (lane_top + 2))

        def axis(pixels: float) -> list[QRectF]:
            return [box for _text, box in scale_labels(
                top, bottom, m.scale_min, m.scale_max, pixels=pixels, left=LANE_HEADER_W + 4)]

        self.emotion_labels.reset(list(self.points.values()), list(self.curves.values()),
                                  area, axis)
        for item in self.points.values():
            item.update()

    def set_curve_visible(self, owner: str | None, visible: bool) -> None:
        """Show or hide the emotion curve of a persona (None: the map's own curve)."""
        if visible:
            self.hidden_personas.discard(owner)
        else:
            self.hidden_personas.add(owner)
        self._sync_emotions()
        self.relayout()

    def set_overlay(self, overlay: DataOverlay | None) -> None:
        """Show funnel numbers on the stage headers and cards (None: hide them)."""
        self.overlay = overlay
        self.relayout()

    def set_retention(self, figure: HeaderRetention | None) -> None:
        """Show a retention figure on its stage's header (None: no figure); the header row
        grows by a line for it."""
        if figure != self.retention:
            self.retention = figure
            self.relayout()

    def _retention_stage(self) -> str | None:
        """The stage whose header shows the retention figure (None: none, or it is gone)."""
        figure = self.retention
        return figure.stage_id if figure is not None and figure.stage_id in self.stages \
            else None

    def set_flows(self, flows: object | None) -> None:
        """Draw these :class:`~journeydesk.app.paths.Flows` as arcs between the stage
        headers (None: hide them); see flows_layer.py."""
        from journeydesk.gui.canvas.flows_layer import FlowsLayer

        self.flows = flows
        if flows is not None:
            if self.flows_layer is None:
                self.flows_layer = FlowsLayer()
                self.addItem(self.flows_layer)
            stages = self.map.stages
            self.flows_layer.set_flows(flows, {  # type: ignore[arg-type]
                s.stage: stages[s.index].id for s in flows.stages  # type: ignore[attr-defined]
                if s.index < len(stages) and stages[s.index].name == s.stage})
        if self.flows_layer is not None:
            self.flows_layer.setVisible(flows is not None)
        self.relayout()

    def set_metrics(self, metrics: dict[str, list[tuple[str, str]]]) -> None:
        """Show these (label, value) numbers per stage id in the map's metrics lanes."""
        self.metrics = {k: list(v) for k, v in metrics.items()}
        self.relayout()

    def pin_headers(self, visible: QRectF | None) -> None:
        """Keep the headers in sight of a view showing ``visible`` (sticky headers; None:
        every header at its place)."""
        self.pinned_view = visible
        pin_headers(self, visible)

    def set_focus_stage(self, stage_id: str | None) -> None:
        """Emphasise one stage (Present's walk-through) by veiling the others; None: none."""
        self.focus_stage = stage_id
        self.veil.cover(self, stage_id)

    # -- painting ------------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        self._paint_cell_marker(painter)

    def cell_marker(self) -> QRectF | None:
        """The keyboard's current cell, where Enter would write a new card (while it is an
        empty cell the keyboard or a click went to, no card is selected, nothing is edited
        and the edit affordances show): the cell less a margin, or None."""
        cell = self.interactions.current_cell
        lay = self.layout
        if (cell is None or not self.interactions.cell_marked or not self.affordances
                or self.interactions.editor_item is not None
                or cell[0] not in lay.column_index or cell[1] not in lay.lane_types
                or lay.lane_types[cell[1]] is LaneType.EMOTIONS or lay.cells.get(cell)
                or self.selectedItems()):
            return None
        return lay.cell_rect(*cell).adjusted(4, 4, -4, -4)

    def refresh_marker(self) -> None:
        """Repaint where the cell marker was and where it is now."""
        now = self.cell_marker()
        for rect in (self._marker, now):
            if rect is not None:
                self.update(rect.adjusted(-3, -3, 3, 3))
        self._marker = now

    def _paint_cell_marker(self, painter: QPainter) -> None:
        slot = self._marker  # as refresh_marker found it: painting never asks the selection
        if slot is None or not self.affordances:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.theme.selection, 1.6, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        fill = QColor(self.theme.selection)
        fill.setAlpha(24)
        painter.setBrush(fill)
        painter.drawRoundedRect(slot, 6, 6)
        painter.setPen(self.theme.muted_text)
        painter.setFont(card_font())
        if not self.layout.cells.get(self.interactions.current_cell or ("", "")):
            painter.drawText(slot, int(Qt.AlignmentFlag.AlignCenter), "Enter: new card here")
        painter.restore()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        theme, lay = self.theme, self.layout
        painter.fillRect(rect, theme.background)
        if not lay.lane_ids:
            return
        for lane_id, y in zip(lay.lane_ids, lay.lane_y, strict=True):
            band = QRectF(LANE_HEADER_W, y, lay.width - LANE_HEADER_W,
                          lay.lane_rects[lane_id].height())
            if band.intersects(rect):
                painter.fillRect(band, theme.look(lay.lane_types[lane_id]).band)
        painter.setPen(QPen(theme.grid, 1))
        for x in lay.column_x:
            painter.drawLine(QPointF(x, lay.top), QPointF(x, lay.height))
        painter.drawLine(QPointF(lay.width, lay.top), QPointF(lay.width, lay.height))
        for y in [*lay.lane_y, lay.height]:
            painter.drawLine(QPointF(LANE_HEADER_W, y), QPointF(lay.width, y))
        self._paint_metrics(painter, rect)
        for lane_id in lay.lane_ids:  # the neutral line of the emotion scale
            if lay.lane_types[lane_id] is LaneType.EMOTIONS:
                top, bottom = lay.curve_band(lane_id)
                m = self.map
                zero = face_smile(0.0, m.scale_min, m.scale_max)
                y = bottom - zero * (bottom - top)
                painter.setPen(make_pen(theme.grid, 1, style=Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(LANE_HEADER_W, y), QPointF(lay.width, y))
                # its labels grow when zoomed out, as text on the items does
                pixels = grown_px(AXIS_PX, screen_scale(painter), self.min_text_px)
                painter.setFont(axis_font(pixels))
                painter.setPen(theme.muted_text)
                for text, box in scale_labels(top, bottom, m.scale_min, m.scale_max,
                                              pixels=pixels, left=LANE_HEADER_W + 4):
                    painter.drawText(box, int(Qt.AlignmentFlag.AlignVCenter), text)

    def _paint_metrics(self, painter: QPainter, rect: QRectF) -> None:
        lay, theme = self.layout, self.theme
        lanes = [lid for lid in lay.lane_ids if lay.lane_types[lid] is LaneType.METRICS]
        if not lanes or not self.metrics:
            return
        for stage_id, values in self.metrics.items():
            span = lay.stage_rects.get(stage_id)
            if span is None:
                continue
            for lane_id in lanes:
                top = lay.lane_rects[lane_id].top() + CELL_PAD
                area = QRectF(span.left() + CELL_PAD, top, span.width() - 2 * CELL_PAD,
                              len(values) * METRIC_ROW_H)
                if not area.intersects(rect):
                    continue
                accent = theme.look(LaneType.METRICS).accent
                for i, (label, value) in enumerate(values):
                    row = QRectF(area.left(), area.top() + i * METRIC_ROW_H, area.width(),
                                 METRIC_ROW_H)
                    painter.setFont(header_font(9, bold=False))
                    painter.setPen(theme.muted_text)
                    painter.drawText(row, int(Qt.AlignmentFlag.AlignVCenter
                                              | Qt.AlignmentFlag.AlignLeft), label)
                    painter.setFont(header_font(12))
                    painter.setPen(accent)
                    painter.drawText(row, int(Qt.AlignmentFlag.AlignVCenter
                                              | Qt.AlignmentFlag.AlignRight), value)

    # -- selection helpers ---------------------------------------------------------------------
    def selected_card_ids(self) -> list[str]:
        """Selected cards, in reading order."""
        order = {c.id: i for i, c in enumerate(self.map.ordered_cards())}
        # Items of cards deleted a moment ago may still be selected until the next sync.
        ids = [i.item_id for i in self.selectedItems()
               if isinstance(i, CardItem) and i.item_id in order]
        return sorted(ids, key=order.__getitem__)

    def select_only(self, items: Iterable[QGraphicsItem]) -> None:
        """Select exactly ``items`` and focus the first."""
        self.clearSelection()
        first = None
        for item in items:
            item.setSelected(True)
            first = first or item
        if first is not None:
            self.setFocusItem(first)

    # -- events go to the interactions -----------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if not self.interactions.mouse_press(event):
            super().mousePressEvent(event)
            self.interactions.after_press(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if not self.interactions.mouse_move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self.interactions.mouse_release(event)
        super().mouseReleaseEvent(event)  # always: it ends the item's mouse grab

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if not self.interactions.double_click(event):
            super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:  # noqa: N802
        self.interactions.context_menu(event)

    # Pictures dragged in (files, image data): onto a card, or a storyboard cell.
    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        if not self.interactions.drag_move(event):
            event.ignore()

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        if not self.interactions.drag_move(event):
            event.ignore()

    def dragLeaveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        self.drop_indicator.hide()

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        if not self.interactions.drop(event):
            event.ignore()

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 - Qt override
        # Tab and Shift+Tab walk the cards in reading order (Qt would cycle all items).
        if self.interactions.editor_item is not None:
            return False
        return self.interactions.tab(backwards=not next_)

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001
        if not self.interactions.key_press(event):
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        """Tab and Shift+Tab in an open inline editor go to the editor (it moves on to the
        next card), not to the scene's focus chain (which left the editor open)."""
        editor = self.interactions.editor_item if hasattr(self, "interactions") else None
        if (editor is not None and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)):  # type: ignore[attr-defined]
            editor.keyPressEvent(event)  # type: ignore[arg-type]
            return True
        return super().event(event)


def _reconcile(scene: MapScene, items: dict, objects: dict, factory) -> None:  # noqa: ANN001
    """Drop items whose object is gone, create items for new objects, rebind the rest."""
    for item_id in [i for i in items if i not in objects]:
        scene.removeItem(items.pop(item_id))
    for object_id, obj in objects.items():
        item = items.get(object_id)
        if item is None:
            item = items[object_id] = factory(obj)
            scene.addItem(item)
        else:
            _rebind(item, obj)


def _rebind(item: QGraphicsItem, obj: object) -> None:
    for attribute in ("card", "stage", "step", "lane"):
        if hasattr(item, attribute):
            setattr(item, attribute, obj)
            item.update()
            return

