"""View > Flows between stages: the flows of the overlay's data drawn over the map.

The flows (:func:`journeydesk.app.paths.stage_flows`) take the data overlay's dataset, period
and segment (the conversion window does not apply to flows).  They are computed off the GUI
thread whenever the overlay computes again with other options or another map (the overlay's
``started``), and only the newest request's result is drawn: an older one still running is
cancelled (a database query) or dropped when it finishes.  The overlay's band then also says
how many users followed the planned order.  Clicking an arc lists the users of that move
(:func:`journeydesk.app.paths.flow_users`, also off the GUI thread) in a dialog that exports
their ids as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.event_data import was_cancelled
from journeydesk.app.exports import write_atomic
from journeydesk.app.metrics import MetricsOptions, stages_of
from journeydesk.app.paths import Flows, flow_users, stage_flows
from journeydesk.gui.background import BackgroundJobs, Job
from journeydesk.gui.file_dialogs import ask_save_path

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.data_panel import DataPanel


@dataclass(frozen=True)
class FlowsRequest:
    """What one computation of the flows is for (equal requests give equal flows)."""

    map_id: str
    dataset: str
    date_from: Any
    date_to: Any
    segment: tuple[tuple[str, str], ...]
    stages: tuple[tuple[str, tuple[str, ...]], ...]

    def options(self) -> MetricsOptions:
        return MetricsOptions.make(self.date_from, self.date_to, dict(self.segment), None)

    def stage_list(self) -> list[tuple[str, list[str]]]:
        """The stages as the analytics functions take them (a copy of the map's)."""
        return [(name, list(events)) for name, events in self.stages]


class FlowsController(QObject):
    """Keeps the flows layer of the map on show up to date with the data overlay."""

    shown_changed = Signal(bool)
    ready = Signal(object)  # the Flows drawn
    failed = Signal(str)

    def __init__(self, panel: DataPanel):
        super().__init__(panel)
        self.panel = panel
        self.overlay = panel.overlay
        self.shown = False
        self.result: Flows | None = None  # the flows on show
        self._shown_for: FlowsRequest | None = None  # the request of the flows on show
        self._latest: FlowsRequest | None = None
        self._job: Job | None = None
        self.dialog: FlowUsersDialog | None = None  # the last list of users opened
        self.jobs = BackgroundJobs(self)
        self.overlay.started.connect(self._on_overlay_started)
        self.overlay.ready.connect(self._on_overlay_ready)
        self.overlay.shown_changed.connect(self._on_overlay_shown)

    # ------------------------------------------------------------------ on and off
    def toggle(self) -> None:
        """View > Flows between stages: on (turning the data overlay on when it is off) or
        off."""
        if self.shown:
            self.hide()
            return
        self._set_shown(True)
        if self.overlay.shown:
            self.refresh()
        elif not self.panel.show_overlay():  # no data, or no dataset chosen
            self._set_shown(False)

    def hide(self) -> None:
        """Take the arcs off the map; the band no longer speaks of the planned order."""
        self._drop_running()
        self._latest = self._shown_for = None
        self.result = None
        scene = self.panel.map_editor.scene
        if scene is not None and scene.flows is not None:
            scene.set_flows(None)
        if self.panel.bar.isVisible() and scene is not None and scene.overlay is not None:
            self.panel.bar.show_caption(scene.overlay.caption)
        self._set_shown(False)

    def _set_shown(self, shown: bool) -> None:
        if shown != self.shown:
            self.shown = shown
            self.shown_changed.emit(shown)
        window = self.panel.parent_widget  # the window's View menu item follows
        action = window.findChild(QAction, "act_flows") if window is not None else None
        if action is not None and action.isChecked() != shown:
            action.setChecked(shown)

    def close(self) -> None:
        """Stop computing (the window is closing)."""
        self._drop_running()
        self._latest = None
        self.jobs.wait()

    # ------------------------------------------------------------------ computing
    def request(self) -> FlowsRequest | None:
        """What the flows would be computed for now (the overlay's map, data, options)."""
        o = self.overlay
        m = o.document.workspace.maps.get(o.map_id or "")
        if m is None or not o.dataset:
            return None
        return FlowsRequest(m.id, o.dataset, o.date_from, o.date_to,
                            tuple(sorted(o.segment.items())),
                            tuple((name, tuple(events)) for name, events in stages_of(m)))

    def refresh(self) -> None:
        """Compute the flows off the GUI thread, unless those on show (or coming) are for
        the same request."""
        request = self.request()
        if not self.shown or request is None or request in (self._latest, self._shown_for):
            if request is not None and request == self._shown_for:
                self._drop_running()  # a newer request went back to what is on show
                self._latest = None
                self._apply()
            return
        self._drop_running()
        self._latest = request
        try:
            data = self.panel.session.data.get(request.dataset).data()
        except Exception as exc:  # noqa: BLE001 - a missing or damaged dataset: say so
            self.failed.emit(str(exc))
            return
        stages, options = request.stage_list(), request.options()
        self._job = self.jobs.submit(
            lambda: stage_flows(data, stages, options),
            lambda outcome, error: self._on_delivered(request, outcome, error),
            name="journeydesk-flows", cancel=getattr(data, "cancel", None))

    def _drop_running(self) -> None:
        job, self._job = self._job, None
        if job is not None and job.running():
            job.cancel()  # a database query stops; a local one finishes and is dropped

    def _on_delivered(self, request: FlowsRequest, outcome: Any,
                      error: BaseException | None) -> None:
        if request is not self._latest or not self.shown:
            return  # superseded (or the layer was turned off meanwhile)
        self._latest = None
        if error is not None:
            if not was_cancelled(error):
                self.failed.emit(f"The flows could not be computed: {error}")
            self.hide()
            return
        self.result, self._shown_for = outcome, request
        self._apply()
        self.ready.emit(outcome)

    def _apply(self) -> None:
        """Draw the flows on show on the map on show (when they are its flows), and say in
        the band how many followed the planned order."""
        scene = self.panel.map_editor.scene
        if (self.result is None or self._shown_for is None or scene is None
                or scene.map_id != self._shown_for.map_id):
            return
        if scene.flows is not self.result:
            scene.set_flows(self.result)
        layer = scene.flows_layer
        if layer is not None and not getattr(layer, "wired", False):
            layer.users_requested.connect(self.show_users)  # a click on an arc lists them
            layer.wired = True
        self._caption()

    def _caption(self) -> None:
        from journeydesk.gui.canvas.flows_layer import share_text

        scene = self.panel.map_editor.scene
        if self.result is None or scene is None or scene.overlay is None:
            return
        if self.overlay.shown:
            self.panel.bar.show_caption(
                f"{scene.overlay.caption} · {share_text(self.result.share_in_order)}")

    def _on_overlay_started(self, _dataset: str) -> None:
        if self.shown:
            self.refresh()

    def _on_overlay_ready(self, *_args: object) -> None:
        if self.shown:  # the band was written afresh: say the share again; a new scene
            self._apply()

    def _on_overlay_shown(self, shown: bool) -> None:
        if not shown and self.shown:
            self.hide()

    # ------------------------------------------------------------------ who moved
    def show_users(self, source_id: str, target_id: str) -> None:
        """List the users who moved from one stage straight to another (found off the GUI
        thread); the dialog opens when they are there."""
        request = self._shown_for
        if request is None:
            return
        m = self.overlay.document.workspace.maps.get(request.map_id)
        index = {s.id: i for i, s in enumerate(m.stages)} if m is not None else {}
        if m is None or self.result is None or source_id not in index or \
                target_id not in index:
            return  # the map or a stage went away meanwhile
        source, target = m.stage(source_id).name, m.stage(target_id).name
        if any(i >= len(request.stages) or request.stages[i][0] != name
               for i, name in ((index[source_id], source), (index[target_id], target))):
            return  # the stages moved since: the flows are being computed again
        flows = self.result
        move = next((t for t in flows.transitions if (t.source, t.target) == (source, target)),
                    None)
        share = move.users / flows.users if move is not None and flows.users else None
        try:
            data = self.panel.session.data.get(request.dataset).data()
        except Exception as exc:  # noqa: BLE001 - a dataset deleted meanwhile
            self.failed.emit(str(exc))
            return
        stages, options = request.stage_list(), request.options()
        self.panel.status.emit(f"Finding who went from {source} to {target}…", 0)

        def work() -> list[str]:
            return flow_users(data, stages, index[source_id], index[target_id], options)

        def done(users: list[str] | None, error: BaseException | None) -> None:
            self.panel.status.emit("", -1)
            if error is not None:
                if not was_cancelled(error):
                    self.failed.emit(f"Could not list who went from {source} to {target}: "
                                     f"{error}")
                return
            dialog = FlowUsersDialog(source, target, request.dataset, users or [],
                                     self.panel.parent_widget, share=share)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            self.dialog = dialog

        self.jobs.submit(work, done, name="journeydesk-flow-users",
                         cancel=getattr(data, "cancel", None))


class FlowUsersDialog(QDialog):
    """The users of one move between two stages, with an export of their ids to CSV."""

    def __init__(self, source: str, target: str, dataset: str, users: list[str],
                 parent: QWidget | None = None, *, share: float | None = None):
        super().__init__(parent)
        self.setObjectName("flowUsers")
        self.users = list(users)
        self.setWindowTitle(f"Who went from {source} to {target}")
        self.list = QListWidget()
        self.list.setAccessibleName("Users of the move")
        self.list.addItems(self.users)
        of = f" ({share:.0%} of the users in the flows)" if share is not None else ""
        label = QLabel(f"{len(self.users):,} {'user' if len(self.users) == 1 else 'users'} "
                       f"of “{dataset}” went from {source} straight to {target} at least "
                       f"once{of}:")
        label.setWordWrap(True)
        self.export_button = QPushButton("Export ids to CSV…")
        self.export_button.setEnabled(bool(self.users))
        self.export_button.clicked.connect(lambda _c=False: self.export_ids())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)
        self.file_name = f"{_safe(source)}-to-{_safe(target)}-users.csv"

    def export_ids(self, path: Path | None = None) -> bool:
        """Write the ids as CSV (a ``user`` header, one id a row; UTF-8), atomically."""
        if path is None:
            path = ask_save_path(self, "Export user ids", self.file_name, "CSV (*.csv)")
            if path is None:
                return False
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["user"])
        writer.writerows([user] for user in self.users)
        try:
            write_atomic(path, out.getvalue())
        except OSError as exc:
            QMessageBox.warning(self, "Export user ids", f"{path.name}: {exc.strerror or exc}")
            return False
        return True


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-").lower() or "stage"
