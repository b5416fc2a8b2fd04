"""Canvas benchmark: one card text edit on the 2,000-card map, from the command to a repainted
viewport, against today's full rebuild measured in the same run.

The map is bench_canvas's 2,000-card grid (40 stages x 10 lanes x 5 cards).  It is shown in a
1400x900 MapView at 100 % scrolled to the edited card (so its repaint is in the picture), with
the inspector showing that card beside it, both listening to the document as in the app.

One run: ``Editor.run(EditCardCommand(text=...))`` (the command is applied, committed to the
workspace file, the listeners follow), then the viewport is repainted:

* "viewport repaint" lines: ``viewport().repaint()`` paints the whole viewport synchronously
  (offscreen, into the backing store), whatever changed;
* "Qt paints the change" lines: as the app's event loop does it, Qt processes the scene's
  changes and paints the parts of the viewport they touched (timed until that paint event).

Everything Qt left queued is then flushed, untimed, so it does not fall into the next run.

* ours: the scene updates the edited card's item (and moves what its height moved); the
  inspector rewrites the one field that changed.
* floor column, "full rebuild": the same command and repaint with the listeners as they were
  before change routing: the scene ``sync()``\\ s on every change of its map (every item
  refreshed, the whole layout recomputed and every item placed) and the inspector reloads
  every field.
* the last line's floor, "nothing follows": the same command and repaint with no scene or
  inspector listening (they are brought up to date afterwards, untimed): what committing the
  edit and painting the viewport cost by themselves, so the ratio is what following the
  change adds.

Ours, the full rebuild (and "nothing follows") take turns run by run.  Two edits: a text of
the same height (the usual keystroke-sized edit: only that card repaints) and one that makes
the card taller (its cell, its lane and every lane below move: the worst case, the edited card
being in the top lane).  Both alternate between two texts, so every run is a real change;
undo history grows by one step a run.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shiboken6  # noqa: E402
from bench_canvas import SMALL, VIEW_H, VIEW_W, _app, grid_map  # noqa: E402
from harness import Result  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from journeydesk.domain.commands import AddMapCommand, Changes, EditCardCommand  # noqa: E402
from journeydesk.gui.canvas.layout import card_height  # noqa: E402
from journeydesk.gui.canvas.scene import MapScene  # noqa: E402
from journeydesk.gui.canvas.view import MapView  # noqa: E402
from journeydesk.gui.editing import Editor  # noqa: E402
from journeydesk.gui.inspector import InspectorWidget  # noqa: E402
from journeydesk.store.document import Document  # noqa: E402
from journeydesk.store.workspace_file import WorkspaceFile  # noqa: E402

ROUNDS, WARMUP = 41, 3
GOAL = 0.005
TALL = ("A card that somebody kept writing in during the workshop until it wrapped over "
        "many lines of its column and pushed every lane below it further down the map")


def _leave_background(*_args: object) -> None:
    pass


class _Listeners:
    """Switches the scene and the inspector between following changes (ours) and the full
    rebuild they did before (``scene.sync()``, every inspector field reloaded)."""

    def __init__(self, doc: Document, scene: MapScene, inspector: InspectorWidget):
        self.doc, self.scene, self.inspector = doc, scene, inspector
        # the scene's and the inspector's subscriptions (gui.listening.follow), made last
        self.ours = list(doc._listeners)[-2:]  # noqa: SLF001
        self.full = [self._full_scene, self._full_inspector]

    def _full_scene(self, changes: Changes) -> None:
        if any(len(key) > 1 and key[1] == self.scene.map_id for key in changes):
            scene = self.scene
            # as before change routing: the views' cached background was left alone (sync
            # now invalidates it, for lanes that moved; that would slow the rebuild down)
            scene.invalidate = _leave_background  # type: ignore[method-assign]
            try:
                scene.sync()
            finally:
                del scene.invalidate

    def _full_inspector(self, _changes: Changes) -> None:
        self.inspector._load()  # noqa: SLF001

    def use(self, mode: str) -> None:
        """Listen as ``mode`` says: "ours", "full" (rebuild) or "none"."""
        for listener in self.ours + self.full:
            self.doc.unsubscribe(listener)
        for listener in {"ours": self.ours, "full": self.full, "none": []}[mode]:
            self.doc.subscribe(listener)

    def catch_up(self, changes: Changes) -> None:
        """Bring the scene and the inspector up to date after a run nobody followed."""
        for listener in self.ours:
            listener(changes)


def _texts(scene: MapScene, card_id: str, taller: bool) -> list[str]:
    """Two texts to alternate between: as tall as the card now, or short and very tall."""
    card = scene.map.cards[card_id]
    lane_type = scene.layout.lane_types[card.lane_id]

    def height(text: str) -> float:
        return card_height(replace(card, text=text), lane_type, scene.text_height)

    if taller:
        short = "Short"
        assert height(TALL) > height(short)
        return [TALL, short]
    base = card.text
    variants = [v for v in (base[:-1] + "!", base[:-1] + "?", base.upper(), base.lower())
                if v != base and height(v) == height(base)]
    assert variants, "no same-height variant of the card's text"
    return [variants[0], base]


class _PaintCounter(QObject):
    """Counts the paint events a widget gets."""

    def __init__(self, widget: QWidget):
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _medians(editor: Editor, view: MapView, listeners: _Listeners, card_id: str,
             texts: list[str], *, qt_paints: bool,
             modes: tuple[str, ...] = ("ours", "full")) -> dict[str, float]:
    """Median seconds of a text edit to a repainted viewport, per way of listening.

    The viewport is repainted whole (``viewport().repaint()``), or, with ``qt_paints``, as
    the app's event loop does it: Qt processes the scene's changes and paints the parts of
    the viewport they touched (timed until that paint is done).
    """
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    viewport = view.viewport()
    counter = _PaintCounter(viewport)
    map_id = listeners.scene.map_id
    heights: set[float] = set()  # of the whole map: two when the lanes below move
    turn = 0
    for i in range(WARMUP + ROUNDS):
        for mode in modes:
            listeners.use(mode)
            text = texts[turn % 2]
            turn += 1
            _app.processEvents()
            gc.collect()
            paints = counter.paints
            start = time.perf_counter()
            ok = editor.run(EditCardCommand(map_id, card_id, text=text))
            if qt_paints:
                for _ in range(100):
                    _app.processEvents()
                    if counter.paints > paints:
                        break
            else:
                viewport.repaint()
            elapsed = time.perf_counter() - start
            assert ok and counter.paints > paints
            if mode == "none":
                listeners.catch_up(frozenset({("card", map_id, card_id)}))
            heights.add(listeners.scene.layout.height)
            _app.processEvents()  # untimed: whatever Qt still has queued
            if i >= WARMUP:
                times[mode].append(elapsed)
    listeners.use("ours")
    viewport.removeEventFilter(counter)
    assert len(heights) == (2 if TALL in texts else 1), heights
    return {mode: statistics.median(samples) for mode, samples in times.items()}


def _top_lane_card(scene: MapScene, tallest: bool) -> str:
    """A card of the top lane: in its tallest cell (growing it grows the lane, and every
    lane below moves), or in its second column."""
    lay = scene.layout
    lane_id = lay.lane_ids[0]
    if tallest:
        key = max(((step_id, lane_id) for step_id in lay.column_steps),
                  key=lambda k: lay.cell_bottoms.get(k, 0.0))
    else:
        key = (lay.column_steps[1], lane_id)
    return lay.cells[key][1].id


def run() -> list[Result]:
    """Run the card-edit benchmarks and return their results."""
    with tempfile.TemporaryDirectory() as tmp:
        small = grid_map("Grid 2k", SMALL)
        assert len(small.cards) == 2_000
        with WorkspaceFile.open(Path(tmp) / "bench.jdesk", create=True) as ws_file:
            doc = Document(ws_file)
            doc.execute(AddMapCommand(small))
            editor = Editor(doc)
            show_map: Callable[[str], None] | None = getattr(editor, "set_current_map", None)
            if show_map is not None:  # one undo history per map: the one on show is active
                show_map(small.id)
            scene = MapScene(editor, small.id)
            view = MapView()
            view.setScene(scene)
            view.resize(VIEW_W, VIEW_H)
            view.show()
            inspector = InspectorWidget(editor)
            inspector.show_map(small.id)
            inspector.resize(360, VIEW_H)
            inspector.show()
            listeners = _Listeners(doc, scene, inspector)
            results = []
            for taller, qt_paints, name in (
                    (False, False, "text edit, viewport repaint"),
                    (False, True, "text edit, Qt paints the change"),
                    (True, False, "taller card, viewport repaint"),
                    (True, True, "taller card, Qt paints change")):
                card_id = _top_lane_card(scene, taller)
                item = scene.cards[card_id]
                scene.select_only([item])
                inspector.show_items([item])
                view.centerOn(item)
                _app.processEvents()
                modes = ("ours", "full", "none") if not (taller or qt_paints) else ("ours", "full")
                medians = _medians(editor, view, listeners, card_id,
                                   _texts(scene, card_id, taller), qt_paints=qt_paints,
                                   modes=modes)
                results.append(Result(name, medians["ours"], medians["full"], max_median=GOAL))
                if "none" in medians:
                    bare = Result("text edit vs nothing following", medians["ours"],
                                  medians["none"])
            results.append(bare)
            listeners.use("ours")
            view.hide()
            view.setScene(None)
            scene.close()
            shiboken6.delete(view)
            shiboken6.delete(scene)
            inspector.close_editor()
            shiboken6.delete(inspector)
            shiboken6.delete(editor)
    return results
