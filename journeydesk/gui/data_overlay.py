"""The data overlay: funnel numbers of a dataset computed off the GUI thread, shown on the map.

The controller holds the overlay's settings (shown or not, which data, segment, dates, the
snapshot compared with) and asks the session's event data for what to compute over: a cached
Parquet file, or a view of a database source's connection.  The numbers are computed on a
worker thread (:func:`journeydesk.app.overlay.compute_overlay`) and handed back on the GUI
thread; the canvas stays responsive meanwhile.  Edits to the map's stages or bindings recompute
them (debounced).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from journeydesk.app.event_data import needs_password, was_cancelled
from journeydesk.app.metrics import (
    DroppedReport,
    MapMetrics,
    MetricsOptions,
    stages_of,
    user_timeline,
    who_dropped,
)
from journeydesk.app.overlay import OverlayRequest, compute_overlay
from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.commands import Changes
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.listening import follow


class DataOverlayController(QObject):
    """Keeps one map's overlay up to date with one dataset."""

    ready = Signal(object, object)  # (DataOverlay, metrics dict) for the current request
    failed = Signal(str)
    started = Signal(str)  # a computation began (the dataset's name)
    cancelled = Signal(str)  # the user stopped a database query (the message)
    password_needed = Signal(str, str)  # (source name, the server's refusal)
    shown_changed = Signal(bool)  # the overlay was turned on or off

    def __init__(self, session: WorkspaceSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.document = session.document
        self.shown = False
        self.map_id: str | None = None
        self.dataset: str | None = None
        self.result: MapMetrics | None = None  # the numbers on show
        self.segment: dict[str, str] = {}  # attribute conditions (e.g. a persona's segment)
        self.date_from: date | None = None  # calendar days kept, both ends included
        self.date_to: date | None = None
        self.window_seconds: float | None = None  # the conversion window (None: unlimited)
        self.baseline: Any = None  # a stored snapshot to show the change against
        self._latest: OverlayRequest | None = None
        self._running: Any = None  # the data of the request being computed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.jobs = BackgroundJobs(self)
        self._stop_following = follow(self, self.document, self._on_document_changed)

    @property
    def metrics(self) -> dict[str, Any] | None:
        """The numbers on show in the ``metrics --json`` form (what exports and snapshots
        take), or None."""
        return self.result.to_json() if self.result is not None else None

    def options(self) -> MetricsOptions:
        """The segment and dates as metrics options."""
        return MetricsOptions.make(self.date_from, self.date_to, self.segment,
                                   self.window_seconds)

    def filters(self) -> dict[str, Any]:
        """The filters of the numbers on show (stored with a snapshot)."""
        return self.options().filters()

    def close(self) -> None:
        """Stop following the document; results still being computed are dropped."""
        self._stop_following()
        self._latest = None
        self.session.data.cancel()
        self.jobs.wait()

    def data(self) -> Any:
        """The event data on show (what the analytics functions take), or None."""
        return self.session.data.get(self.dataset).data() if self.dataset else None

    def is_source(self, name: str | None = None) -> bool:
        """Whether ``name`` (default: the data on show) is a database source."""
        name = name or self.dataset
        return bool(name) and self.session.data.is_source(name)

    def cancel(self) -> None:
        """Stop the database queries running for the overlay and the charts."""
        if self.dataset:
            self.session.data.cancel(self.dataset)

    def _cancel_running(self) -> None:
        """Cancel the current request's database queries (nothing for a local dataset)."""
        running, self._running = self._running, None
        cancel = getattr(running, "cancel", None)
        if callable(cancel):
            cancel()

    def busy(self) -> bool:
        """Whether a computation is running."""
        return self.jobs.busy()

    def show(self, map_id: str, dataset: str) -> None:
        """Compute and show ``dataset``'s numbers on map ``map_id``."""
        self.map_id, self.dataset = map_id, dataset
        self._set_shown(True)
        self.refresh()

    def hide(self) -> None:
        """Stop showing numbers (results still in flight are dropped)."""
        self._cancel_running()
        self.map_id = self.dataset = None
        self._latest = None
        self.result = None
        self._set_shown(False)

    def _set_shown(self, shown: bool) -> None:
        if shown != self.shown:
            self.shown = shown
            self.shown_changed.emit(shown)

    def follow_map(self, map_id: str | None) -> None:
        """Another map is on show: compute its numbers when the overlay is on."""
        if self.shown and self.dataset and map_id is not None:
            self.show(map_id, self.dataset)

    def dropped_users_work(self, stage_id: str) -> Callable[[], DroppedReport | None]:
        """Work for a worker thread: who reached the previous bound stage but not this one
        (same options), and how many did it anyway.  The map is read here, on the GUI
        thread."""
        m = self.document.workspace.maps.get(self.map_id or "")
        if m is None or not self.dataset:
            return lambda: None
        return partial(who_dropped, self.data(), stages_of(m), m.stage_index(stage_id),
                       self.options())

    def user_timeline_work(self, user: str, dataset: str | None = None) -> Callable[[], list]:
        """Work for a worker thread: every event of one user in ``dataset`` (default the one
        on show), oldest first."""
        dataset = dataset or self.dataset
        if not dataset:
            return list
        return partial(user_timeline, self.session.data.get(dataset).data(), user)

    def _on_document_changed(self, changes: Changes) -> None:
        if self.map_id is not None and any(
                len(key) > 1 and key[1] == self.map_id and key[0] in ("stages", "card")
                for key in changes):
            self._timer.start()

    def refresh(self) -> None:
        """Recompute now (off the GUI thread)."""
        m = self.document.workspace.maps.get(self.map_id or "")
        if m is None or not self.dataset:
            return
        request = OverlayRequest.of(m, self.dataset, self.options())
        self._latest = request
        self._cancel_running()  # a newer request makes the running one's queries useless
        try:
            data = self.data()
        except Exception as exc:  # noqa: BLE001 - a missing or damaged dataset: say so
            self.failed.emit(str(exc))
            return
        self._running = data
        baseline = self.baseline
        self.started.emit(request.dataset)
        self.jobs.submit(lambda: compute_overlay(data, request, baseline),
                         lambda outcome, error: self._on_delivered(request, outcome, error),
                         name="journeydesk-overlay")

    def _on_delivered(self, request: OverlayRequest, outcome: Any,
                      error: BaseException | None) -> None:
        if request is not self._latest:
            # an older computation finished (or was cancelled) after a newer one started,
            # perhaps one asking the same: only the newest request's outcome counts
            return
        if error is not None and needs_password(error):
            self.password_needed.emit(request.dataset, str(error))
            return
        if error is not None and was_cancelled(error):
            self.cancelled.emit(str(error))
            return
        if error is not None:
            self.failed.emit(str(error))
            return
        overlay, self.result = outcome
        self.ready.emit(overlay, self.metrics)
