"""The data side of the window: the overlay and its band, datasets, sources, snapshots,
segments, the analytics dock and who dropped off.

:class:`DataPanel` is given the session (the workspace and its event data) and the map editor
(which map is on show); it never reaches the window.  The window wires its menus and actions to
the panel's methods and shows the panel's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from journeydesk.app.event_data import was_cancelled
from journeydesk.app.metrics import data_days
from journeydesk.app.session import WorkspaceError, WorkspaceSession
from journeydesk.gui.canvas.theme import LIGHT, Theme
from journeydesk.gui.data_overlay import DataOverlayController
from journeydesk.gui.flows_controller import FlowsController
from journeydesk.gui.map_editor import MapEditorWidget
from journeydesk.gui.retention_header import HeaderRetentionController

EVENT_LOG_FILTERS = ("Event logs (*.csv *.tsv *.gz *.parquet *.jsonl *.ndjson *.xlsx);;"
                     "All files (*)")


class OverlayBar(QFrame):
    """A band above the canvas while the data overlay is on: which data, segment, dates and
    snapshot the numbers on the map are for (a slice must never pass for the whole)."""

    dates_clicked = Signal()
    hide_clicked = Signal()

    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("overlayBar")
        self.caption = QLabel()
        self.caption.setObjectName("overlayCaption")
        self.caption.setAccessibleName("Data overlay shows")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setMinimumWidth(40)
        dates = QPushButton("Period and window…")
        dates.setToolTip("Which users count (those who entered in a period) and how long they "
                         "have to go on (the conversion window)")
        dates.clicked.connect(lambda _c=False: self.dates_clicked.emit())
        self.off_button = QPushButton("Hide numbers")
        self.off_button.setToolTip("Turn the data overlay off (Ctrl+Shift+O)")
        self.off_button.clicked.connect(lambda _c=False: self.hide_clicked.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 5, 10, 5)
        row.addWidget(QLabel("Data overlay:"))
        row.addWidget(self.caption, 1)
        row.addWidget(dates)
        row.addWidget(self.off_button)
        self.set_theme(theme)

    held_back = False  # Present mode: the band's buttons are no use on a projector

    def show_caption(self, caption: str) -> None:
        """Show the band with ``caption`` (the whole text is in the tooltip when cut)."""
        self.caption.setText(caption)
        self.caption.setToolTip(caption)
        self.setVisible(not self.held_back)

    def set_theme(self, theme: Theme) -> None:
        """The colours of the stage headers, so the band reads as part of the map."""
        fill, text = theme.header_fill.name(), theme.header_text.name()
        self.setStyleSheet(f"#overlayBar {{ background: {fill}; }} "
                           f"#overlayBar QLabel {{ color: {text}; font-weight: 600; }}")


class DataPanel(QObject):
    """Event data on the map: the overlay, datasets and sources, snapshots, charts."""

    status = Signal(str, int)  # a message for the status bar and its timeout (0: until replaced)
    refused = Signal(str)  # a problem to show in a warning
    data_changed = Signal()  # datasets or sources were added, renamed or removed
    snapshot_saved = Signal()  # a map's numbers were kept (its review status may change)
    computing = Signal(bool)  # a database query that can be stopped is running (or not)
    event_counts_changed = Signal(dict)  # event name -> count in the data on show ({}: none)

    def __init__(self, session: WorkspaceSession, map_editor: MapEditorWidget,
                 dialog_parent: QWidget, *,
                 import_events: Callable[[], str | None] | None = None):
        super().__init__(dialog_parent)
        # File > Import events as the window offers it (the overlay offers it with no data)
        self._import_events = import_events or self.import_event_log
        self.session = session
        self.map_editor = map_editor
        self.parent_widget = dialog_parent
        self.theme: Theme = LIGHT
        self.overlay = DataOverlayController(session, self)
        self.bar = OverlayBar(self.theme)
        self.bar.hide()
        self.analytics: Any = None  # the AnalyticsDock, built when first shown (pyqtgraph)
        self.analytics_dock = QDockWidget("Analytics")
        self.analytics_dock.setObjectName("analyticsDock")
        self.analytics_dock.hide()
        self._connect_signals()
        # View > Flows between stages (after the band's own wiring: it adds to the caption)
        self.flows = FlowsController(self)
        # a stage header's "Show retention on this stage's header"
        self.header_retention = HeaderRetentionController(self)
        self.header_retention.failed.connect(self.refused)

    def _connect_signals(self) -> None:
        self.bar.dates_clicked.connect(self.ask_overlay_dates)
        self.bar.hide_clicked.connect(self.hide_overlay)
        self.overlay.ready.connect(self._on_overlay_ready)
        self.overlay.failed.connect(self._on_overlay_failed)
        self.overlay.started.connect(self._on_overlay_started)
        self.overlay.cancelled.connect(self._on_overlay_cancelled)
        self.overlay.password_needed.connect(self._on_password_needed)
        self.analytics_dock.visibilityChanged.connect(self._on_analytics_visible)
        self.map_editor.map_changed.connect(self._on_map_changed)

    @property
    def shown(self) -> bool:
        """Whether the overlay is on."""
        return self.overlay.shown

    def close(self) -> None:
        """Stop computing (the window is closing): the charts' work, then the overlay's."""
        if self.analytics is not None:
            self.analytics.close_dock()
        self.flows.close()
        self.header_retention.close()
        self.overlay.close()

    def set_theme(self, theme: Theme) -> None:
        """Follow the window's theme."""
        self.theme = theme
        self.bar.set_theme(theme)
        if self.analytics is not None:
            self.analytics.set_theme(theme)

    # ------------------------------------------------------------------ datasets
    def dataset_names(self) -> list[str]:
        """The event datasets and database sources of the workspace."""
        return self.session.data.names()

    def import_event_log(self, path: Path | None = None, accept: Any = None) -> str | None:
        """File > Import events: map the columns, import off the GUI thread, store."""
        from journeydesk.gui.import_events import import_events

        if path is None:
            name, _ = QFileDialog.getOpenFileName(self.parent_widget, "Import events",
                                                  str(self.session.path.parent),
                                                  EVENT_LOG_FILTERS)
            path = Path(name) if name else None
        if path is None:
            return None
        name = import_events(self.session, path, self.parent_widget, accept=accept)
        if name is not None:
            self.data_changed.emit()
            self.status.emit(f"Imported the event log as “{name}”", 8000)
            if self.overlay.shown and self.overlay.dataset == name:
                self.overlay.refresh()
        return name

    def rename_dataset(self, name: str, new_name: str | None = None) -> bool:
        """Rename a stored dataset."""
        if new_name is None:
            new_name, ok = QInputDialog.getText(self.parent_widget, "Rename dataset",
                                                "New name:", text=name)
            if not ok or not new_name.strip() or new_name.strip() == name:
                return False
        try:
            self.session.data.rename(name, new_name.strip())
        except WorkspaceError as exc:
            self.refused.emit(str(exc))
            return False
        if self.overlay.dataset == name:
            self.overlay.dataset = new_name.strip()
        self.data_changed.emit()
        return True

    def delete_dataset(self, name: str, confirm: bool = True) -> bool:
        """Delete a stored dataset (after a confirmation: this cannot be undone)."""
        if confirm and QMessageBox.question(
                self.parent_widget, "Delete dataset", f"Delete the dataset “{name}” from this "
                "workspace? This cannot be undone; the original file is not touched."
        ) != QMessageBox.StandardButton.Yes:
            return False
        try:
            self.session.data.delete(name)
        except WorkspaceError as exc:
            self.refused.emit(str(exc))
            return False
        if self.overlay.dataset == name:
            self.hide_overlay()
        self.data_changed.emit()
        self.refresh_stage_metrics()
        return True

    def refresh_stage_metrics(self) -> None:
        """Show the imported stage metrics (latest value per metric) in the metrics lanes."""
        scene = self.map_editor.scene
        if scene is None:
            return
        by_name = {stage: [(metric, f"{value:g}") for metric, value in values]
                   for stage, values in self.session.data.stage_metrics().items()}
        scene.set_metrics({s.id: by_name[s.name] for s in scene.map.stages
                           if s.name in by_name})

    # ------------------------------------------------------------------ database sources
    def add_database_source(self) -> object:
        """File > Add database source: connect, check the table, store the source."""
        from journeydesk.gui.add_source import AddSourceDialog

        if self.session.read_only:
            self.refused.emit("This workspace is open read-only.")
            return None
        dialog = AddSourceDialog(set(self.session.data.names()), self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._add_source_from(dialog))
        dialog.open()
        return dialog

    def _add_source_from(self, dialog: Any) -> None:
        name, mapping = dialog.name.text().strip(), dialog.mapping()
        try:
            self.session.data.add_source(
                name, url=dialog.url.text().strip(), table=dialog.table.text().strip(),
                user_column=mapping["user"], event_column=mapping["event"],
                time_column=mapping["time"],
                password_env=dialog.password_env.text().strip() or None,
                timeout_seconds=dialog.timeout.value(), password=dialog.password.text() or None)
        except WorkspaceError as exc:
            self.refused.emit(str(exc))
            return
        self.data_changed.emit()
        self.status.emit(f"Added the database source “{name}”", 8000)
        if self.map_editor.current_map() is not None:
            self.show_overlay(name)

    def delete_source(self, name: str, confirm: bool = True) -> bool:
        """Remove a database source from the workspace (the database is not touched)."""
        if confirm and QMessageBox.question(
                self.parent_widget, "Remove database source", f"Remove the source “{name}” "
                "from this workspace? The database itself is not touched."
        ) != QMessageBox.StandardButton.Yes:
            return False
        if self.overlay.dataset == name:
            self.hide_overlay()
        try:
            self.session.data.remove_source(name)
        except WorkspaceError as exc:
            self.refused.emit(str(exc))
            return False
        self.data_changed.emit()
        return True

    def _on_password_needed(self, name: str, reason: str) -> None:
        """The server refused: ask for the source's password, then compute again."""
        info = self.session.data.source_info(name)
        if info is None:
            return
        hint = (f"\n(It can also be read from the environment variable "
                f"{info.password_env}.)" if info.password_env else "")
        password, ok = QInputDialog.getText(
            self.parent_widget, "Database password",
            f"{reason}\n\nPassword for {info.display_url()} — kept only until "
            f"JourneyDesk closes, never saved:{hint}",
            QLineEdit.EchoMode.Password)
        if ok and password:
            self.session.data.set_password(name, password)
            self.overlay.refresh()
            return
        self._on_overlay_failed(reason)

    def stop_computing(self) -> None:
        """Cancel the database queries of the overlay and the charts (View > Stop computing)."""
        self.overlay.cancel()

    # ------------------------------------------------------------------ the overlay
    def toggle_overlay(self) -> None:
        """View > Data overlay: on (asking which data when there are several) or off."""
        if self.overlay.shown:
            self.hide_overlay()
        else:
            self.show_overlay()

    def show_overlay(self, dataset: str | None = None) -> bool:
        """Turn the data overlay on with ``dataset`` (asked for when there are several)."""
        m = self.map_editor.current_map()
        names = self.dataset_names()
        if m is None or not names:
            return self._offer_data() if m is not None else False
        if dataset is None:
            dataset = names[0]
            if len(names) > 1:
                dataset, ok = QInputDialog.getItem(self.parent_widget, "Data overlay",
                                                   "Dataset:", names, 0, False)
                if not ok:
                    return False
        self.overlay.show(m.id, dataset)
        return True

    def _offer_data(self) -> bool:
        """No data yet: say what the overlay needs and offer the two ways to get it."""
        box = QMessageBox(QMessageBox.Icon.Information, "Data overlay",
                          "This workspace has no event data yet. Import an event log (CSV, "
                          "Excel, Parquet or JSON lines) or connect a database to see how many "
                          "people reach each stage.", parent=self.parent_widget)
        box.setObjectName("noDataBox")
        import_button = box.addButton("Import events…", QMessageBox.ButtonRole.AcceptRole)
        source_button = box.addButton("Add database source…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(import_button)
        box.exec()
        if box.clickedButton() is source_button:
            self.add_database_source()  # shows the overlay once the source is added
        elif box.clickedButton() is import_button:
            name = self._import_events()
            return name is not None and self.show_overlay(name)
        return False

    def hide_overlay(self) -> None:
        """Turn the data overlay off."""
        self.overlay.hide()
        self.bar.hide()
        self.event_counts_changed.emit({})
        self._computing_done()
        if self.map_editor.scene is not None:
            self.map_editor.scene.set_overlay(None)

    def ask_overlay_dates(self) -> None:
        """Choose the overlay's entry period (calendar days, both ends included) and its
        conversion window; the dates start on the data's own range."""
        from journeydesk.gui.date_range import DateRangeDialog

        overlay = self.overlay
        dialog = DateRangeDialog(overlay.date_from, overlay.date_to, self.parent_widget,
                                 window_seconds=overlay.window_seconds,
                                 data_range=self._data_range())
        if dialog.exec():
            overlay.window_seconds = dialog.window_seconds()
            self.set_overlay_dates(*dialog.range())

    def _data_range(self) -> tuple[date, date] | None:
        """The first and last day of the data on show (or the only data), if any."""
        names = self.dataset_names()
        name = self.overlay.dataset or (names[0] if len(names) == 1 else None)
        if name is None:
            return None
        try:
            return data_days(self.session.data.get(name).data())
        except Exception:  # noqa: BLE001 - only a default for the dialog: go without it
            return None

    def set_overlay_dates(self, date_from: date | None, date_to: date | None) -> None:
        """Count only events between these days (None: open-ended), turning the overlay on."""
        self.overlay.date_from, self.overlay.date_to = date_from, date_to
        self._refresh_or_show()

    def segment_choices(self) -> list[tuple[str, dict[str, str]]]:
        """"All users" and each linked persona's data segment, for one-click filtering."""
        choices: list[tuple[str, dict[str, str]]] = [("All users", {})]
        m = self.map_editor.current_map()
        if m is not None:
            for persona_id in m.persona_ids:
                persona = self.session.workspace.personas[persona_id]
                if persona.segment:
                    conditions = ", ".join(f"{k} = {v}" for k, v in persona.segment.items())
                    choices.append((f"{persona.name} ({conditions})", dict(persona.segment)))
        return choices

    def set_overlay_segment(self, segment: dict[str, str]) -> None:
        """Show the overlay's numbers for this segment only (turning the overlay on)."""
        self.overlay.segment = dict(segment)
        self._refresh_or_show()

    def _refresh_or_show(self) -> None:
        if self.overlay.shown:
            self.overlay.refresh()
        else:
            self.show_overlay()

    def fill_segment_menu(self, menu: QMenu) -> None:
        """View > Overlay segment: one radio item per choice."""
        menu.clear()
        group = QActionGroup(menu)  # one segment at a time: radio items
        for label, segment in self.segment_choices():
            action = menu.addAction(label)
            action.setCheckable(True)
            group.addAction(action)
            action.setChecked(segment == self.overlay.segment)
            action.triggered.connect(lambda _c=False, s=segment: self.set_overlay_segment(s))

    # ------------------------------------------------------------------ snapshots
    def save_snapshot(self) -> object:
        """Keep the numbers on show, with today's date, to compare with next quarter."""
        overlay = self.overlay
        if not overlay.shown or overlay.metrics is None or overlay.map_id is None:
            QMessageBox.information(self.parent_widget, "Snapshot", "Turn on View > Data "
                                    "overlay first: a snapshot keeps the numbers on show.")
            return None
        try:
            snapshot = self.session.data.save_snapshot(overlay.map_id, overlay.dataset or "",
                                                       overlay.metrics, overlay.filters())
        except WorkspaceError as exc:
            self.refused.emit(str(exc))
            return None
        self.status.emit(f"Saved a snapshot: {snapshot.label}", 6000)
        self.snapshot_saved.emit()
        return snapshot

    def compare_with_snapshot(self, snapshot: object) -> None:
        """Show each stage's change in users since ``snapshot`` (None: stop comparing)."""
        self.overlay.baseline = snapshot
        if self.overlay.shown:
            self.overlay.refresh()

    def fill_snapshot_menu(self, menu: QMenu) -> None:
        """View > Compare with snapshot: "No comparison" and the map's snapshots."""
        menu.clear()
        m = self.map_editor.current_map()
        snapshots = self.session.data.snapshots(m.id) if m is not None else []
        none = menu.addAction("No comparison")
        none.triggered.connect(lambda _c=False: self.compare_with_snapshot(None))
        current = self.overlay.baseline
        for snapshot in snapshots:
            action = menu.addAction(snapshot.label)
            action.setCheckable(True)
            action.setChecked(current is not None and current.id == snapshot.id)
            action.triggered.connect(lambda _c=False, s=snapshot: self.compare_with_snapshot(s))

    # ------------------------------------------------------------------ who dropped
    def show_who_dropped(self, stage_id: str) -> None:
        """List the users who dropped off before a stage; their ids can be exported.

        The list is found off the GUI thread (in the database, for a database source); the
        dialog opens when it is there.
        """
        m = self.map_editor.current_map()
        if m is None:
            return
        stage, dataset = m.stage(stage_id).name, self.overlay.dataset or ""
        try:
            work = self.overlay.dropped_users_work(stage_id)
        except Exception as exc:  # noqa: BLE001 - a missing or damaged dataset: say so
            self.refused.emit(str(exc))
            return
        self.status.emit(f"Finding who dropped before {stage}…", 0)
        if self.overlay.is_source(dataset):
            self.computing.emit(True)
        self.overlay.jobs.submit(
            work, lambda report, error: self._open_dropped(stage, dataset, report, error),
            name="journeydesk-dropped")

    def add_drop_off_pain_point(self, stage_id: str) -> None:
        """The drop-off before a stage as a pain-point card, with how many of those users did
        the stage anyway (found off the GUI thread, like the who-dropped list); the card is
        added without that count when it cannot be found."""
        m = self.map_editor.current_map()
        if m is None:
            return
        from journeydesk.gui.drop_off_card import add_pain_point_card, drop_off_work

        try:  # and what they did instead (the top next events)
            work = drop_off_work(self.overlay, m, stage_id)
        except Exception:  # noqa: BLE001 - the card can still say how many dropped
            work = None
        map_id = m.id

        def add(found: Any, error: BaseException | None) -> None:
            report, instead = found if found is not None else (None, None)
            scene = self.map_editor.scene
            if not self.overlay.busy():
                self._computing_done()
            if scene is None or scene.map_id != map_id or all(
                    s.id != stage_id for s in scene.map.stages):
                return  # another map is on show now, or the stage was deleted meanwhile
            if error is not None and not was_cancelled(error):
                self.status.emit(f"Could not count who did {m.stage(stage_id).name} anyway: "
                                 f"{error}", 8000)
            else:
                self.status.emit("", 0)
            anyway = report.did_it_anyway if report is not None and error is None else None
            add_pain_point_card(scene, stage_id, anyway, instead,
                                read_only=self.session.read_only)

        if work is None:
            add(None, None)
            return
        self.status.emit(f"Counting who dropped before {m.stage(stage_id).name}…", 0)
        if self.overlay.is_source(self.overlay.dataset or ""):
            self.computing.emit(True)
        self.overlay.jobs.submit(work, add, name="journeydesk-pain-point")

    def _open_dropped(self, stage: str, dataset: str, report: Any,
                      error: BaseException | None) -> None:
        from journeydesk.gui.dropped_users import DroppedUsersDialog

        if not self.overlay.busy():
            self._computing_done()
        if error is not None and was_cancelled(error):
            self.status.emit(f"Stopped: {error}", 8000)
            return
        if error is not None:
            self.refused.emit(f"Could not list who dropped before {stage}: {error}")
            return
        self.status.emit("", 0)
        dialog = DroppedUsersDialog(
            stage, dataset, list(report.users) if report else [], self.parent_widget,
            timeline=partial(self.overlay.user_timeline_work, dataset=dataset),
            summary=report.summary() if report else "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # ------------------------------------------------------------------ analytics dock
    def _follow_stage_requests(self) -> None:
        """A stage header's "What did they do instead?" and "Retention after this stage…"."""
        from journeydesk.gui.canvas.stage_data_menu import requests_of

        scene = self.map_editor.scene
        requests = requests_of(scene) if scene is not None else None
        if requests is not None and not requests.property("followed"):
            requests.setProperty("followed", True)
            requests.instead_requested.connect(self.show_what_instead)
            requests.retention_requested.connect(self.show_retention)
            requests.header_retention_requested.connect(self.header_retention.toggle)

    def _dock_panel(self, name: str) -> Any:
        """The analytics dock's panel ``name``, the dock shown (built on first show)."""
        self.analytics_dock.show()
        self.analytics_dock.raise_()
        return getattr(self.analytics, name, None) if self.analytics is not None else None

    def show_what_instead(self, stage_id: str) -> None:
        """What the users who dropped off before a stage did instead, in the analytics dock."""
        m = self.map_editor.current_map()
        panel = self._dock_panel("paths_panel")
        if m is not None and panel is not None and panel.show_drop_off(m.stage_index(stage_id)):
            panel.reveal()

    def show_retention(self, stage_id: str) -> None:
        """The retention after a stage (the anchor), in the analytics dock."""
        m = self.map_editor.current_map()
        panel = self._dock_panel("retention_panel")
        if m is not None and panel is not None and panel.show_anchor(m.stage_index(stage_id)):
            panel.reveal()

    def _on_analytics_visible(self, visible: bool) -> None:
        if visible and self.analytics is None:
            from journeydesk.gui.analytics_dock import AnalyticsDock

            self.analytics = AnalyticsDock(self.session.document, self.overlay, self)
            self.analytics.set_theme(self.theme)
            self.analytics.overlay_requested.connect(self.show_overlay)
            self.analytics_dock.setWidget(self.analytics)
        if visible and self.analytics is not None:
            self.analytics.refresh()

    # ------------------------------------------------------------------ computing
    def _on_map_changed(self, map_id: str | None) -> None:
        self._follow_stage_requests()
        self.refresh_stage_metrics()
        if map_id is None:
            self.bar.hide()
        self.overlay.follow_map(map_id)

    def _on_overlay_started(self, dataset: str) -> None:
        database = self.overlay.is_source(dataset)
        where = " in the database" if database else ""
        self.status.emit(f"Computing the funnel of {dataset}{where}…", 0)
        if database:  # only a database query can be stopped
            self.computing.emit(True)

    def _computing_done(self) -> None:
        self.status.emit("", -1)  # clears a "Computing…" message only
        self.computing.emit(False)

    def _on_overlay_cancelled(self, message: str) -> None:
        self._computing_done()
        self.hide_overlay()
        self.status.emit(f"Stopped: {message}", 8000)

    def _on_overlay_ready(self, overlay: Any, _metrics: Any) -> None:
        self._computing_done()
        scene = self.map_editor.scene
        if scene is not None and self.overlay.shown and self.overlay.map_id == scene.map_id:
            scene.set_overlay(overlay)
            self.event_counts_changed.emit(overlay.event_counts)
            self.bar.show_caption(overlay.caption)

    def _on_overlay_failed(self, message: str) -> None:
        self._computing_done()
        self.hide_overlay()
        self.refused.emit(f"The data overlay could not be computed: {message}")
