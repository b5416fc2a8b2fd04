"""Canvas benchmarks: building the scene of a big map, repainting while panning, and scaling.

Qt runs on the offscreen platform (set before Qt is imported); one QApplication is created and
reused.  The map: 40 stages of one step x 10 lanes (every lane type, emotions included), 5 cards
per cell = 2,000 cards (25 per cell = 10,000), texts of 20-60 characters, a third of the cards
tagged, severities on pain points (and some others), priorities and channels where they apply.

The floors are bare Qt: a plain QGraphicsScene with one QGraphicsRectItem and one
QGraphicsSimpleTextItem child per card (its text pre-wrapped to the card width, untimed), placed
on exactly the rectangles our layout gives the cards, shown in a plain QGraphicsView (default
settings) of the same size.  Ours and the floor take turns run by run, so a shared, noisy
machine slows both sides of a ratio alike.

* build scene (2,000 cards): constructing ``MapScene(editor, map_id)`` (the full sync: items,
  text measuring, layout) against building the bare scene.  Between runs the scene is closed,
  deleted at once (``shiboken6.delete``) and garbage collected, all untimed.
* repaint while panning: both 1400x900 views at 100 % scroll 120 px to the right (back to the
  left edge at the end of the map) and Qt paints the strip the scroll uncovered (untimed); then
  ``viewport().repaint()`` is timed: it paints the whole viewport synchronously (QWidget.repaint
  runs paintEvent before it returns; offscreen, into the backing-store image).  So this is a
  full-viewport repaint at each pan position, not only the uncovered strip.
* build scene (10,000 cards) / (2,000 cards): our 10,000-card build against our 2,000-card
  build (the "floor" column, measured again here, taking turns with the 10k build); the ratio
  is the scaling factor for 5x the cards, about 5 when the build is linear.
"""

from __future__ import annotations

import gc
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shiboken6  # noqa: E402
from harness import Result  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPen  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from journeydesk.domain.commands import AddMapCommand  # noqa: E402
from journeydesk.domain.model import (  # noqa: E402
    PRIORITIES,
    Card,
    JourneyMap,
    Lane,
    LaneType,
    Stage,
    Step,
)
from journeydesk.gui.canvas.scene import MapScene  # noqa: E402
from journeydesk.gui.canvas.theme import CARD_PAD, LANE_TYPE_LABELS, card_font  # noqa: E402
from journeydesk.gui.canvas.view import MapView  # noqa: E402
from journeydesk.gui.editing import Editor  # noqa: E402
from journeydesk.store.document import Document  # noqa: E402
from journeydesk.store.workspace_file import WorkspaceFile  # noqa: E402

STAGES, LANES = 40, 10           # one step per stage: 40 columns x 10 lanes = 400 cells
SMALL, LARGE = 5, 25             # cards per cell: 2,000 and 10,000 cards
VIEW_W, VIEW_H = 1400, 900
PAN_STEP = 120

WORDS = (
    "customer", "user", "checks", "compares", "prices", "reads", "reviews", "asks", "friend",
    "opens", "app", "signs", "in", "waits", "for", "confirmation", "email", "gets", "confused",
    "by", "the", "form", "calls", "support", "chats", "with", "agent", "finds", "delivery",
    "options", "pays", "card", "loses", "basket", "receives", "parcel", "tracks", "order",
    "returns", "item", "feels", "relieved", "worried", "about", "fees", "wants", "a", "discount",
    "shares", "on", "social", "abandons", "checkout", "because", "shipping", "is", "too", "slow",
)
CHANNELS = ("Web", "Mobile app", "Email", "Phone", "Store", "Social", "Chat")
TAGS = ("workshop", "research", "quick-win", "q3", "interview", "survey")

_app = QApplication.instance() or QApplication([])


# --------------------------------------------------------------------------- the map
def _text(rng: random.Random) -> str:
    """A sentence of 20-60 characters, whole words."""
    target = rng.randint(20, 60)
    words: list[str] = []
    while True:
        candidate = " ".join([*words, rng.choice(WORDS)])
        if len(candidate) > 60:
            break
        words = candidate.split()
        if len(candidate) >= target:
            break
    return " ".join(words).capitalize()


def grid_map(name: str, per_cell: int, seed: int = 7) -> JourneyMap:
    """40 stages (one unnamed step each) x 10 lanes, ``per_cell`` cards in every cell."""
    rng = random.Random(seed)
    lane_types = list(LaneType)
    m = JourneyMap(name=name, stages=[Stage(name=f"Stage {i + 1}", steps=[Step()])
                                      for i in range(STAGES)],
                   lanes=[Lane(name=f"{LANE_TYPE_LABELS[lane_types[k % len(lane_types)]]} {k}",
                               type=lane_types[k % len(lane_types)]) for k in range(LANES)])
    for step, lane in itertools.product(m.all_steps(), m.lanes):
        for p in range(per_cell):
            card = Card(step.id, lane.id, _text(rng), position=p)
            if rng.random() < 0.35:
                card.tags = rng.sample(TAGS, rng.randint(1, 2))
            if lane.type is LaneType.PAIN_POINTS or rng.random() < 0.1:
                card.severity = rng.randint(1, 5)
            if lane.type is LaneType.OPPORTUNITIES:
                card.priority = rng.choice(PRIORITIES)
            if lane.type is LaneType.TOUCHPOINTS:
                card.channel = rng.choice(CHANNELS)
            m.cards[card.id] = card
    return m


# --------------------------------------------------------------------------- timing
def interleaved_medians(tasks: list[tuple[Callable[[], object], Callable[[object], None]]],
                        rounds: int, warmup: int = 1) -> list[float]:
    """Median time of each task's ``build()``, the tasks taking turns round by round.

    Taking turns keeps a noisy, shared machine from favouring one side of a ratio.  After each
    build, ``teardown(result)`` and a garbage collection run untimed.
    """
    times: list[list[float]] = [[] for _ in tasks]
    for i in range(warmup + rounds):
        for samples, (build, teardown) in zip(times, tasks, strict=True):
            gc.collect()
            start = time.perf_counter()
            built = build()
            elapsed = time.perf_counter() - start
            teardown(built)
            del built
            if i >= warmup:
                samples.append(elapsed)
    gc.collect()
    return [statistics.median(samples) for samples in times]


def close_scene(scene: MapScene) -> None:
    """Stop the scene following the document, then delete it (items and all) at once."""
    scene.close()
    shiboken6.delete(scene)


# --------------------------------------------------------------------------- the floor
def _wrap(text: str, width: float, metrics: QFontMetricsF) -> str:
    """Greedy word wrap to ``width`` pixels (the floor's text item does not wrap by itself)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and metrics.horizontalAdvance(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return "\n".join(lines)


def floor_cards(scene: MapScene) -> list[tuple[QRectF, str]]:
    """(scene rect, pre-wrapped text) of every card of ``scene``, as our layout placed them."""
    metrics = QFontMetricsF(card_font())
    cards = scene.map.cards
    return [(rect, _wrap(cards[card_id].text, rect.width() - 2 * CARD_PAD, metrics))
            for card_id, rect in scene.layout.card_rects.items()]


def build_floor(cards: list[tuple[QRectF, str]], scene_rect: QRectF) -> QGraphicsScene:
    """A bare scene: a rectangle with a text child per card."""
    scene = QGraphicsScene()
    font = card_font()
    brush, pen = QBrush(QColor("#ffffff")), QPen(QColor("#c9ced6"))
    for rect, text in cards:
        item = QGraphicsRectItem(0, 0, rect.width(), rect.height())
        item.setPos(rect.topLeft())
        item.setBrush(brush)
        item.setPen(pen)
        label = QGraphicsSimpleTextItem(item)
        label.setFont(font)  # font before text: the text is laid out once
        label.setText(text)
        label.setPos(CARD_PAD, CARD_PAD)
        scene.addItem(item)
    scene.setSceneRect(scene_rect)
    return scene


# --------------------------------------------------------------------------- panning
def _show(view: QGraphicsView, scene: QGraphicsScene) -> None:
    view.setScene(scene)
    view.resize(VIEW_W, VIEW_H)
    view.show()
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().minimum())
    view.verticalScrollBar().setValue(view.verticalScrollBar().minimum())
    _app.processEvents()


def pan_repaint_medians(views: list[QGraphicsView], steps: int, warmup: int = 3) -> list[float]:
    """Median time of a full synchronous viewport repaint after each 120 px scroll, per view.

    Every step scrolls all views alike and lets Qt paint the strip each scroll uncovered
    (untimed), then repaints each viewport in turn (timed).
    """
    times: list[list[float]] = [[] for _ in views]
    for i in range(warmup + steps):
        for view in views:
            bar = view.horizontalScrollBar()
            value = bar.value() + PAN_STEP
            bar.setValue(value if value <= bar.maximum() else bar.minimum())
        _app.processEvents()
        for samples, view in zip(times, views, strict=True):
            viewport = view.viewport()
            start = time.perf_counter()
            viewport.repaint()
            elapsed = time.perf_counter() - start
            if i >= warmup:
                samples.append(elapsed)
    return [statistics.median(samples) for samples in times]


# --------------------------------------------------------------------------- run
def run() -> list[Result]:
    """Run the canvas benchmarks and return their results."""
    with tempfile.TemporaryDirectory() as tmp:
        small, large = grid_map("Grid 2k", SMALL), grid_map("Grid 10k", LARGE)
        assert len(small.cards) == 2_000 and len(large.cards) == 10_000
        with WorkspaceFile.open(Path(tmp) / "bench.jdesk", create=True) as ws_file:
            doc = Document(ws_file)
            doc.execute(AddMapCommand(small))
            doc.execute(AddMapCommand(large))
            editor = Editor(doc)

            # 1. build the 2,000-card scene, against the bare scene on the same rectangles
            scene = MapScene(editor, small.id)
            assert len(scene.cards) == 2_000
            cards, scene_rect = floor_cards(scene), scene.sceneRect()
            ours_2k, floor_2k = interleaved_medians(
                [(lambda: MapScene(editor, small.id), close_scene),
                 (lambda: build_floor(cards, scene_rect), shiboken6.delete)], rounds=21)
            build = Result("build scene (2,000 cards)", ours_2k, floor_2k, max_ratio=3)

            # 2. repaint while panning at 100 %, against a plain view of the bare scene
            view = MapView()
            _show(view, scene)
            assert view.zoom == 1.0
            floor_scene = build_floor(cards, scene_rect)
            plain = QGraphicsView()
            _show(plain, floor_scene)
            assert view.viewport().size() == plain.viewport().size()
            ours_pan, floor_pan = pan_repaint_medians([view, plain], steps=100)
            pan = Result("repaint while panning", ours_pan, floor_pan, max_ratio=2)
            for widget in (view, plain):
                widget.hide()
                widget.setScene(None)
                shiboken6.delete(widget)
            close_scene(scene)
            shiboken6.delete(floor_scene)
            del scene, floor_scene, view, plain

            # 3. the 10,000-card build against our own 2,000-card build, taking turns
            ours_10k, ours_2k_again = interleaved_medians(
                [(lambda: MapScene(editor, large.id), close_scene),
                 (lambda: MapScene(editor, small.id), close_scene)], rounds=11)
            scaling = Result("build scene (10,000 cards) / (2,000 cards)", ours_10k,
                             ours_2k_again, max_ratio=6)
            shiboken6.delete(editor)
    return [build, pan, scaling]
