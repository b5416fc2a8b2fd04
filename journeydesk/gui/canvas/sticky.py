"""Headers that stay in sight, and the stage a presentation walks through.

Sticky headers: while the view is scrolled down or right (zoomed in on a big map), the stage
and step headers stay at the top of the view and the lane headers at its left, above the
cards they cover, on an opaque band (nothing shows through the gaps between them), with the
top left corner blocked off; every card keeps its column and row names in sight.  They move
back to their places when the view shows the top or the left edge.

The headers are children of two holders (:class:`Pins`): one for the stage and step headers,
one for the lane headers, so that pinning moves one item per axis however many headers the map
has.  Only the main view pins them; exports build their own scene, and the minimap paints each
header at its place (:func:`home_pos`) and leaves the bands out.

The walk-through of Present mode emphasises one stage: a veil (:class:`Veil`) over the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from journeydesk.gui.canvas.theme import LANE_HEADER_W

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.canvas.scene import MapScene

PINNED_Z = 30.0  # above cards (10) and the emotion curves
HEADER_Z = 5.0  # where headers stack when not pinned
VEIL_Z = 25.0  # above cards and unpinned headers, below pinned ones


class Band(QGraphicsRectItem):
    """An opaque band behind pinned headers (the minimap leaves it out)."""

    minimap_skip = True
    opaque_band = True  # a click on it reaches nothing beneath

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setPen(Qt.PenStyle.NoPen)
        self.setZValue(-1)  # behind its holder's headers
        self.hide()


class Pins(QGraphicsItem):
    """A holder of headers that moves them all at once; paints nothing itself."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(HEADER_Z)
        self.band = Band(self)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF()

    def paint(self, *_args: object) -> None:
        """Nothing: its children paint."""


def make_pins(scene: MapScene) -> tuple[Pins, Pins]:
    """The holders of the stage and step headers (with the corner) and of the lane headers."""
    columns, rows = Pins(), Pins()
    columns.corner = Band(columns)  # type: ignore[attr-defined]
    columns.corner.setZValue(10)  # type: ignore[attr-defined]  # above the stage headers
    scene.addItem(columns)
    scene.addItem(rows)
    return columns, rows


def hold(pins: Pins, items: object) -> None:
    """Make the header items children of ``pins`` (new ones come as top-level items)."""
    for item in items:  # type: ignore[attr-defined]
        if item.parentItem() is not pins:
            item.setParentItem(pins)


def pin_headers(scene: MapScene, visible: QRectF | None) -> None:
    """Place the headers for a view showing ``visible`` (scene coordinates); None: at their
    places in the layout."""
    lay = scene.layout
    dy = dx = 0.0
    if visible is not None:
        dy = min(max(0.0, visible.top()), max(0.0, lay.height - lay.top))
        dx = min(max(0.0, visible.left()), max(0.0, lay.width - LANE_HEADER_W))
    columns, rows = scene.column_pins, scene.row_pins
    if columns.pos() != QPointF(0.0, dy):
        columns.setPos(0.0, dy)
    if rows.pos() != QPointF(dx, 0.0):
        rows.setPos(dx, 0.0)
    columns.setZValue(PINNED_Z + 2 if dy else HEADER_Z)
    rows.setZValue(PINNED_Z if dx else HEADER_Z)
    fill = QBrush(scene.theme.background)
    shown = visible if visible is not None else QRectF()
    for band, on, rect in (
            (columns.band, dy > 0, QRectF(shown.left(), -4.0, shown.width(), lay.top + 4)),
            (rows.band, dx > 0, QRectF(-4.0, shown.top(), LANE_HEADER_W + 4, shown.height())),
            (columns.corner, dx > 0 or dy > 0,  # type: ignore[attr-defined]
             QRectF(shown.left(), -4.0, max(dx, shown.left()) - shown.left() + LANE_HEADER_W,
                    lay.top + 4))):
        band.setBrush(fill)
        if on and band.rect() != rect:
            band.setRect(rect)
        band.setVisible(on)


def home_pos(item: QGraphicsItem, scene: MapScene) -> QPointF | None:
    """Where a (possibly pinned) header, or an item on one, sits in the layout; None for other
    items."""
    lay = scene.layout
    key = getattr(item, "item_id", None)
    for items, rects in ((scene.stages, lay.stage_rects), (scene.steps, lay.step_rects),
                         (scene.lanes, lay.lane_rects)):
        if key in items and items[key] is item and key in rects:
            return rects[key].topLeft()
    parent = item.parentItem()
    if parent is not None and not isinstance(parent, Pins):
        home = home_pos(parent, scene)
        return None if home is None else home + item.pos()
    return None


def stage_span(scene: MapScene, stage_id: str) -> QRectF:
    """The stage's columns from its header to the last lane (scene coordinates)."""
    lay = scene.layout
    header = lay.stage_rects[stage_id]
    return QRectF(header.left(), 0.0, header.width(), max(lay.height, header.height()))


class Veil(QGraphicsPathItem):
    """What Present's walk-through lays over every stage but the one it shows."""

    minimap_skip = True

    def __init__(self) -> None:
        super().__init__()
        self.setPen(Qt.PenStyle.NoPen)
        self.setZValue(VEIL_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.hide()

    def cover(self, scene: MapScene, stage_id: str | None) -> None:
        """Veil all but the stage ``stage_id``'s columns and the lane headers (None: none)."""
        lay = scene.layout
        if stage_id is None or stage_id not in lay.stage_rects:
            _dim_headers(scene, None)
            self.hide()
            return
        colour = QColor(scene.theme.background)
        colour.setAlpha(170)
        self.setBrush(colour)
        whole = scene.sceneRect()
        span = stage_span(scene, stage_id)
        # the lanes are veiled; the other stages' headers dim themselves, so that they stay
        # dimmed when pinned above the veil (scrolled down a stage in Present)
        top = lay.lane_y[0] if lay.lane_y else whole.top()
        path = QPainterPath()
        path.addRect(QRectF(LANE_HEADER_W, top, whole.right() - LANE_HEADER_W,
                            whole.bottom() - top))
        keep = QPainterPath()
        keep.addRect(QRectF(span.left(), top, span.width(), whole.bottom() - top))
        self.setPath(path.subtracted(keep))
        _dim_headers(scene, stage_id)
        self.show()


DIMMED = 0.35  # the opacity of the headers of the stages the walk-through does not show


def _dim_headers(scene: MapScene, stage_id: str | None) -> None:
    """Dim the stage and step headers of every stage but ``stage_id`` (None: none)."""
    for stage in scene.map.stages:
        opacity = 1.0 if stage_id is None or stage.id == stage_id else DIMMED
        items = [scene.stages.get(stage.id), *(scene.steps.get(st.id) for st in stage.steps)]
        for item in items:
            if item is not None and item.opacity() != opacity:
                item.setOpacity(opacity)
