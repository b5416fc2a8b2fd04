"""The data overlay: funnel numbers of a dataset computed off the GUI thread, shown on the map.

The controller reads the dataset's Parquet bytes from the workspace (GUI thread, one query),
or takes the session's connection to a database source, computes the funnel and the event
counts (DuckDB, or SQL sent to the database) on a worker thread, and hands the result
back through a queued signal; the canvas stays responsive meanwhile.  Edits to the map's stages
or bindings recompute it (debounced).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from journeydesk.domain.commands import Changes
from journeydesk.domain.model import JourneyMap
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.canvas.overlay import DataOverlay, overlay_from_metrics
from journeydesk.gui.sources import SourceSessions
from journeydesk.store.document import Document


@dataclass(frozen=True)
class OverlayRequest:
    """What to compute: which map, which dataset, and the map's bindings at that moment."""

    map_id: str
    dataset: str
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    card_events: tuple[tuple[str, tuple[str, ...]], ...]
    segment: tuple[tuple[str, str], ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def filters_of(segment: Any, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    """Filters as a snapshot stores them: the segment (a dict or pairs) and the dates."""
    return {"segment": dict(segment),
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None}


def metrics_dict(map_name: str, dataset: str, result: Any) -> dict[str, Any]:
    """A FunnelResult in the public ``metrics --json`` form."""
    return {"map": map_name, "dataset": dataset, "users_total": result.users_total,
            "stages": [numbers.as_dict() for numbers in result.stages]}


def compute_overlay(parquet: Any, request: OverlayRequest, map_name: str,
                    stage_ids: list[str], baseline: Any = None
                    ) -> tuple[DataOverlay, dict[str, Any]]:
    """The overlay and the metrics of one map over one dataset (runs on a worker thread)."""
    from journeydesk.analytics.funnel import event_counts, funnel

    where = dict(request.segment) or None
    dates = {"date_from": request.date_from, "date_to": request.date_to}
    result = funnel(parquet, [(name, list(events)) for name, events in request.stages],
                    where=where, **dates)
    counts = event_counts(parquet, where=where, **dates)
    card_counts = {card_id: sum(counts.get(e, 0) for e in events)
                   for card_id, events in request.card_events if events}
    metrics = metrics_dict(map_name, request.dataset, result)
    segment = ", ".join(f"{k} = {v}" for k, v in request.segment) or "all users"
    caption = f"{request.dataset} · {segment} · {result.users_total:,} users"
    source = f"{request.dataset}, {segment}"
    if request.date_from or request.date_to:
        dates = (f"{request.date_from.isoformat() if request.date_from else '…'} to "
                 f"{request.date_to.isoformat() if request.date_to else '…'}")
        caption += f" · {dates}"
        source += f", {dates}"
    comparable = baseline is not None and baseline.filters == filters_of(
        request.segment, request.date_from, request.date_to) and baseline.numbers.get(
        "dataset") == request.dataset
    if baseline is not None:
        caption += (f" · compared with the snapshot of {baseline.taken_at:%Y-%m-%d}"
                    if comparable else f" · the snapshot of {baseline.taken_at:%Y-%m-%d} has "
                    "other data or filters: no change shown")
    overlay = overlay_from_metrics(
        stage_ids, metrics, card_counts, caption,
        baseline=baseline.numbers if comparable else None,
        baseline_label=f"since {baseline.taken_at:%Y-%m-%d}" if comparable else "")
    overlay.event_counts = counts
    overlay.source = source
    return overlay, metrics


class DataOverlayController(QObject):
    """Keeps one scene's overlay up to date with one dataset."""

    ready = Signal(object, object)  # (DataOverlay, metrics dict) for the current request
    failed = Signal(str)
    started = Signal(str)  # a computation began (the dataset's name)
    cancelled = Signal(str)  # the user stopped a database query (the message)

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.map_id: str | None = None
        self.dataset: str | None = None
        self.metrics: dict[str, Any] | None = None
        self.segment: dict[str, str] = {}  # attribute conditions (e.g. a persona's segment)
        self.date_from: date | None = None  # calendar days kept, both ends included
        self.date_to: date | None = None
        self.baseline: Any = None  # a store.snapshots.Snapshot to show the change against
        self._latest: OverlayRequest | None = None
        self._running: Any = None  # the data of the request being computed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.jobs = BackgroundJobs(self)
        self.sources = SourceSessions(document.file, self)
        document.subscribe(self._on_document_changed)

    def close(self) -> None:
        """Stop following the document; results still being computed are dropped."""
        self.document.unsubscribe(self._on_document_changed)
        self._latest = None
        self.sources.cancel()
        self.jobs.wait()
        self.sources.close()

    def data(self) -> Any:
        """The event data on show (Parquet bytes or a database source), or None."""
        return self.sources.data(self.dataset) if self.dataset else None

    def cancel(self) -> None:
        """Stop the database queries running for the overlay and the charts."""
        if self.dataset:
            self.sources.cancel(self.dataset)

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
        self.refresh()

    def dropped_users(self, stage_id: str) -> list[str]:
        """The users who reached the previous bound stage but not this one (same filters)."""
        return self.dropped_users_work(stage_id)()

    def dropped_users_work(self, stage_id: str) -> Callable[[], list[str]]:
        """:meth:`dropped_users` as work for a worker thread (the workspace is read here)."""
        from journeydesk.analytics.funnel import dropped_users

        m = self.document.workspace.maps.get(self.map_id or "")
        if m is None or not self.dataset:
            return list
        data = self.data()
        return partial(dropped_users, data, [(s.name, s.events) for s in m.stages],
                       m.stage_index(stage_id), where=dict(self.segment) or None,
                       date_from=self.date_from, date_to=self.date_to)

    def set_dates(self, date_from: date | None, date_to: date | None) -> None:
        """Only count events on these calendar days (None: no limit on that side)."""
        self.date_from, self.date_to = date_from, date_to
        self.refresh()

    def filters(self) -> dict[str, Any]:
        """The filters of the numbers on show (stored with a snapshot)."""
        return filters_of(self.segment, self.date_from, self.date_to)

    def user_timeline(self, user: str) -> list:
        """Every event of one user in the dataset on show, oldest first."""
        return self.user_timeline_work(user)()

    def user_timeline_work(self, user: str, dataset: str | None = None) -> Callable[[], list]:
        """:meth:`user_timeline` (in ``dataset``, default the one on show) as work for a
        worker thread (the workspace is read here)."""
        from journeydesk.analytics.funnel import user_timeline

        dataset = dataset or self.dataset
        if not dataset:
            return list
        return partial(user_timeline, self.sources.data(dataset), user)

    def set_segment(self, segment: dict[str, str]) -> None:
        """Only count events whose attributes match ``segment`` (empty: everybody)."""
        self.segment = dict(segment)
        self.refresh()

    def hide(self) -> None:
        """Stop computing (results still in flight are dropped)."""
        self._cancel_running()
        self.map_id = self.dataset = None
        self._latest = None
        self.metrics = None

    def _on_document_changed(self, changes: Changes) -> None:
        if self.map_id is not None and any(
                len(key) > 1 and key[1] == self.map_id and key[0] in ("stages", "card")
                for key in changes):
            self._timer.start()

    def _request(self, m: JourneyMap) -> OverlayRequest:
        return OverlayRequest(
            m.id, self.dataset or "",
            tuple((s.name, tuple(s.events)) for s in m.stages),
            tuple((c.id, tuple(c.events)) for c in m.cards.values() if c.events),
            tuple(sorted(self.segment.items())), self.date_from, self.date_to)

    def refresh(self) -> None:
        """Recompute now (off the GUI thread)."""
        m = self.document.workspace.maps.get(self.map_id or "")
        if m is None or not self.dataset:
            return
        request = self._request(m)
        self._latest = request
        self._cancel_running()  # a newer request makes the running one's queries useless
        try:
            data = self.data()
        except Exception as exc:  # a missing or damaged dataset: say so, keep the app going
            self.failed.emit(str(exc))
            return
        self._running = data
        stage_ids = [s.id for s in m.stages]
        baseline = self.baseline

        self.started.emit(request.dataset)
        self.jobs.submit(
            lambda: compute_overlay(data, request, m.name, stage_ids, baseline),
            lambda outcome, error: self._on_delivered(request, outcome, error),
            name="journeydesk-overlay")

    def _on_delivered(self, request: OverlayRequest, outcome: Any,
                      error: BaseException | None) -> None:
        from journeydesk.analytics.warehouse import AuthenticationError, QueryCancelled

        if request != self._latest:
            return  # an older computation finished after a newer one started
        if isinstance(error, AuthenticationError):
            parent = self.parent()
            if self.sources.ask_password(request.dataset, str(error),
                                         parent if isinstance(parent, QWidget) else None):
                self.refresh()
                return
        if isinstance(error, QueryCancelled):
            self.cancelled.emit(str(error))
            return
        if error is not None:
            self.failed.emit(str(error))
            return
        overlay, metrics = outcome
        self.metrics = metrics
        self.ready.emit(overlay, metrics)
