"""A retention figure on a stage's header (issue 17): "Show retention on this stage's header".

One figure per map: the retention after the chosen stage (the anchor) at a horizon, as
:meth:`journeydesk.app.retention.MapRetention.headline` words it ("week 4 or later: 35.0% of
120"), over the data overlay's dataset, period, window and segment.  It is computed off the
GUI thread (:class:`~journeydesk.gui.latest_work.LatestWork`: the newest request wins, a
superseded database query is cancelled) whenever the overlay computes again (other options,
edited stages, another map), and drawn on the anchor's header
(:mod:`journeydesk.gui.canvas.retention_line`), in Present and in picture exports too.

The choice is kept per map for the session (the overlay's own settings are not stored in the
workspace either): turning the overlay off takes the figure away, turning it on again brings
it back.  Turned on from a stage header's menu, the figure is the retention "in week 4 or
later" after any event; turned on from the analytics dock's Retention panel, it takes the
panel's settings (every, periods, qualifying events, churn horizon) and follows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from journeydesk.app.metrics import MetricsOptions, stages_of
from journeydesk.app.retention import MapRetention, stage_retention
from journeydesk.gui.canvas.retention_line import HeaderRetention, figure_texts
from journeydesk.gui.latest_work import LatestWork

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.data_panel import DataPanel

HEADER_CHURN_AT = 4  # the header's horizon unless the Retention panel gives one


@dataclass(frozen=True)
class RetentionSettings:
    """What a header's figure is computed with besides the overlay's options."""

    every: str | int = "week"
    periods: int = 12
    events: tuple[str, ...] | None = None  # the qualifying events (None: any event)
    churn_at: int | None = HEADER_CHURN_AT  # the horizon the figure is at (None: the last)
    from_panel: bool = False  # the Retention panel chose these: it may change them


@dataclass(frozen=True)
class _Asked:
    """What one computation of a figure is for."""

    map_id: str
    stage_id: str
    map_name: str
    dataset: str
    options: MetricsOptions


def header_figure(stage_id: str, retention: MapRetention) -> HeaderRetention:
    """The figure of a header: the app's headline and its shorter variants."""
    headline = retention.headline()
    return HeaderRetention(stage_id, figure_texts(headline), headline)


class HeaderRetentionController(QObject):
    """Keeps the retention figure of the map on show up to date with the data overlay."""

    changed = Signal()  # a figure was turned on or off (menus and the panel's button follow)
    ready = Signal(object)  # the HeaderRetention drawn
    failed = Signal(str)

    def __init__(self, panel: DataPanel):
        super().__init__(panel)
        self.panel = panel
        self.overlay = panel.overlay
        # map id -> (the anchor's stage id, the settings): kept for the session
        self.chosen: dict[str, tuple[str, RetentionSettings]] = {}
        self.figure: HeaderRetention | None = None  # on the header of the map on show
        self._figure_map: str | None = None
        self.work = LatestWork("header-retention", self)
        self.overlay.started.connect(self._on_overlay_started)
        self.overlay.ready.connect(self._on_overlay_ready)
        self.overlay.shown_changed.connect(self._on_overlay_shown)

    # ------------------------------------------------------------------ on and off
    def anchor(self, map_id: str | None = None) -> str | None:
        """The stage id whose header shows (or will show) the figure of map ``map_id``
        (default: the map on show)."""
        map_id = map_id or self._map_id()
        choice = self.chosen.get(map_id or "")
        return choice[0] if choice is not None else None

    def settings(self, map_id: str | None = None) -> RetentionSettings | None:
        """The settings of map ``map_id``'s figure (default: the map on show), if any."""
        choice = self.chosen.get(map_id or self._map_id() or "")
        return choice[1] if choice is not None else None

    def toggle(self, stage_id: str) -> None:
        """A stage header's "Show retention on this stage's header": on for that stage (the
        map's figure moves there), or off when it is already there."""
        if self.anchor() == stage_id:
            self.hide()
        else:
            self.show(stage_id)

    def show(self, stage_id: str, settings: RetentionSettings | None = None) -> bool:
        """Show the retention after ``stage_id`` on its header (turning the data overlay on
        when it is off); False when there is no map or no data to compute it from."""
        map_id = self._map_id()
        if map_id is None:
            return False
        before = self.chosen.get(map_id)
        self.chosen[map_id] = (stage_id, settings or RetentionSettings())
        if before is None or before[0] != stage_id:
            self.changed.emit()
        if self.overlay.shown:
            self.refresh()
            return True
        if self.panel.show_overlay():  # its "started" computes the figure
            return True
        self._forget(map_id)
        return False

    def hide(self) -> None:
        """No retention figure on the map on show."""
        map_id = self._map_id()
        if map_id is not None:
            self._forget(map_id)

    def _forget(self, map_id: str) -> None:
        if self.chosen.pop(map_id, None) is not None:
            self.changed.emit()
        if map_id == self._figure_map or self._figure_map is None:
            self.work.cancel()
            self._set_figure(None, None)

    def close(self) -> None:
        """Stop computing (the window is closing)."""
        self.work.close()

    # ------------------------------------------------------------------ computing
    def _map_id(self) -> str | None:
        m = self.panel.map_editor.current_map()
        return m.id if m is not None else None

    def refresh(self) -> None:
        """Compute the figure of the overlay's map off the GUI thread (unless it is on show
        or being computed for the same data, stages and options)."""
        o = self.overlay
        m = o.document.workspace.maps.get(o.map_id or "")
        choice = self.chosen.get(m.id) if m is not None else None
        if not o.shown or m is None or choice is None or not o.dataset:
            self.work.cancel()
            self._set_figure(None, None)
            return
        stage_id, settings = choice
        stage = next((s for s in m.stages if s.id == stage_id), None)
        if stage is None or not stage.events:  # deleted or unbound: no anchor any more
            self.panel.status.emit("The retention figure was taken off: its stage is "
                                   + ("gone." if stage is None else "bound to no events."),
                                   6000)
            self._forget(m.id)
            return
        stages, index, options = stages_of(m), m.stage_index(stage_id), o.options()
        dataset, name = o.dataset, m.name
        key = (m.id, dataset, stage_id, tuple((n, tuple(e)) for n, e in stages), options,
               settings)
        if self.figure is None or self.figure.stage_id != stage_id or self._figure_map != m.id:
            self._set_figure(HeaderRetention(stage_id), m.id)  # "computing…" meanwhile
        self.work.request(
            key, lambda data: stage_retention(
                data, stages, index, options, every=settings.every, periods=settings.periods,
                events=settings.events,
                churn_at=None if settings.churn_at is None
                else min(settings.churn_at, settings.periods)),
            self._data, partial(self._delivered, _Asked(m.id, stage_id, name, dataset, options)))

    def _data(self) -> Any:
        """The overlay's data for a job (None, so nothing is computed, when it is gone)."""
        try:
            return self.overlay.data()
        except Exception as exc:  # noqa: BLE001 - a dataset deleted meanwhile: say so
            self.failed.emit(str(exc))
            return None

    def _delivered(self, asked: _Asked, result: Any, error: BaseException | None) -> None:
        if self.anchor(asked.map_id) != asked.stage_id:
            return  # turned off or moved meanwhile
        if error is not None:
            self.failed.emit(f"The retention figure could not be computed: {error}")
            self._set_figure(None, None)
            return
        figure = header_figure(asked.stage_id, MapRetention(asked.map_name, asked.dataset,
                                                            asked.options, result))
        self._set_figure(figure, asked.map_id)
        self.ready.emit(figure)

    def _set_figure(self, figure: HeaderRetention | None, map_id: str | None) -> None:
        self.figure, self._figure_map = figure, map_id
        self._apply()

    def _apply(self) -> None:
        """Put the figure on the scene on show when it is that map's (else none)."""
        scene = self.panel.map_editor.scene
        if scene is None:
            return
        figure = self.figure if self._figure_map == scene.map_id else None
        if scene.retention != figure:
            scene.set_retention(figure)

    def _on_overlay_started(self, _dataset: str) -> None:
        self.refresh()

    def _on_overlay_ready(self, *_args: object) -> None:
        self._apply()  # a new scene (another map) gets its figure

    def _on_overlay_shown(self, shown: bool) -> None:
        if not shown:  # the choice stays: the figure comes back with the overlay
            self.work.cancel()
            self._set_figure(None, None)
