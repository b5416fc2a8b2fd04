"""File > Import events: preview, column mapping, bad-row report, progress with cancel.

The import itself (DuckDB) runs on a worker thread while a progress dialog keeps the window
responsive; the dataset is stored in the workspace on the GUI thread in one transaction, so a
cancelled or failed import leaves the workspace exactly as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.event_data import DatasetExistsError
from journeydesk.app.imports import (
    BadRows,
    ColumnMapping,
    EventImportError,
    ImportCancelled,
    default_dataset_name,
    load_event_file,
    month_first_alternative,
    preview,
    store_events,
)
from journeydesk.app.session import WorkspaceSession
from journeydesk.gui.background import BackgroundJobs

NOT_SET = "— choose a column —"
ROLES = (("user", "&User column"), ("event", "&Event column"), ("time", "&Time column"))


class ImportEventsDialog(QDialog):
    """Shows the first rows of an event file and lets the user map its columns."""

    def __init__(self, session: WorkspaceSession, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.path = path
        self.setObjectName("importEvents")
        self.setWindowTitle(f"Import events from {path.name}")
        self.preview = preview(path)
        self.name_edit = QLineEdit(default_dataset_name(path))
        self.name_edit.setAccessibleName("Dataset name")
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Dataset &name", self.name_edit)
        detected = self.preview.mapping
        for role, label in ROLES:
            combo = QComboBox()
            combo.setAccessibleName(label.replace("&", ""))
            combo.addItems([NOT_SET, *self.preview.columns])
            chosen = getattr(detected, role)
            if chosen:
                combo.setCurrentText(chosen)
            self.combos[role] = combo
            form.addRow(label, combo)
        details = [f"Format: {self.preview.source_format.upper()}"]
        if self.preview.encoding:
            details.append(f"encoding: {self.preview.encoding.upper()}")
        if self.preview.time_format:
            details.append(f"times look like {self.preview.time_format}")
        self.details = QLabel(" · ".join(details))
        self.error = QLabel()
        self.error.setObjectName("importError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("#importError { color: #b42318; font-weight: 600; }")
        self.error.setAccessibleName("Problem")
        self.error.hide()
        self.table = QTableWidget(len(self.preview.rows), len(self.preview.columns))
        self.table.setObjectName("previewTable")
        self.table.setHorizontalHeaderLabels(self.preview.columns)
        for r, row in enumerate(self.preview.rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.details)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("First rows of the file:"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 520)

    def accept(self) -> None:  # a dialog that cannot import stays open and says why
        missing = [label.replace("&", "").lower() for role, label in ROLES
                   if self.combos[role].currentText() == NOT_SET]
        if missing:
            self.show_error(f"Choose the {' and the '.join(missing)}: it was not recognised.")
            self.combos[next(role for role, label in ROLES
                             if self.combos[role].currentText() == NOT_SET)].setFocus()
            return
        super().accept()

    def show_error(self, text: str) -> None:
        """Say in the dialog what stops the import (the choices stay as they are)."""
        self.error.setText(text)
        self.error.show()

    def mapping(self) -> ColumnMapping:
        """The column mapping chosen."""
        def chosen(role: str) -> str | None:
            text = self.combos[role].currentText()
            return None if text == NOT_SET else text

        return ColumnMapping(user=chosen("user"), event=chosen("event"), time=chosen("time"))


def run_import(path: Path, mapping: Any, skip_bad_rows: bool,
               parent: QWidget | None) -> tuple[object | None, Exception | None]:
    """Import on a worker thread behind a progress dialog; (result, error), both None when
    the user cancelled.  The worker only records its progress; the dialog reads it."""
    dialog = QProgressDialog(f"Reading {path.name}…", "Cancel", 0, 1000, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    cancelled = threading.Event()
    dialog.canceled.connect(cancelled.set)
    seen = {"progress": (0, 1000)}
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def progress(done: int, total: int) -> bool:
        seen["progress"] = (done, total)  # one assignment: safe to read from the GUI thread
        return not cancelled.is_set()

    def work() -> object:
        return load_event_file(path, mapping, skip_bad_rows=skip_bad_rows, progress=progress)

    def finished(result: object, error: BaseException | None) -> None:
        outcome["result"] = result
        outcome["error"] = None if isinstance(error, ImportCancelled) else error
        loop.quit()

    def show_progress() -> None:
        done, total = seen["progress"]
        dialog.setMaximum(max(1, total))
        dialog.setValue(min(done, total))

    jobs = BackgroundJobs()
    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(show_progress)
    ticker.start()
    jobs.submit(work, finished, name="journeydesk-import")
    loop.exec()
    ticker.stop()
    dialog.close()
    dialog.deleteLater()
    jobs.deleteLater()
    return outcome.get("result"), outcome.get("error")


def import_events(session: WorkspaceSession, path: Path, parent: QWidget | None = None, *,
                  accept: Callable[[ImportEventsDialog], bool] | None = None) -> str | None:
    """The whole import into ``session``'s workspace: mapping dialog, import, bad rows (skip
    or cancel), store.

    ``accept`` shows the mapping dialog and says whether to go on (default: run it modally).
    Returns the dataset's name, or None when nothing was imported (the workspace unchanged).
    """
    try:
        dialog = ImportEventsDialog(session, path, parent)
    except (EventImportError, OSError) as exc:
        QMessageBox.warning(parent, "Import events", _message(path, exc))
        return None
    tried = None
    try:
        while True:  # a problem the columns can fix brings the dialog back, choices kept
            go_on = accept(dialog) if accept else dialog.exec() == QDialog.DialogCode.Accepted
            if not go_on:
                return None
            name = dialog.name_edit.text().strip() or default_dataset_name(path)
            mapping = dialog.mapping()
            skip = False
            result, error = run_import(path, mapping, skip, parent)
            if isinstance(error, BadRows):
                answer = QMessageBox.question(
                    parent, "Import events", "\n".join(error.report.lines())
                    + "\n\nImport the other rows and leave these out?",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
                if answer != QMessageBox.StandardButton.Yes:
                    return None
                skip = True
                result, error = run_import(path, mapping, skip, parent)
            if result is not None and error is None:
                result, error = _day_or_month_first(path, mapping, skip, result, parent)
            if (isinstance(error, EventImportError) and not isinstance(error, BadRows)
                    and (mapping, name) != tried):  # the same choices again: stop asking
                tried = (mapping, name)
                dialog.show_error(_message(path, error))
                continue
            break
    finally:
        dialog.deleteLater()
    if error is not None:
        QMessageBox.warning(parent, "Import events", _message(path, error))
        return None
    if result is None:
        return None  # cancelled
    try:
        store_events(session, name, path, result)
    except DatasetExistsError:
        answer = QMessageBox.question(
            parent, "Import events", f"There is already a dataset named “{name}”. "
            "Replace it with the new data?")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        store_events(session, name, path, result, replace=True)
    return name


def _day_or_month_first(path: Path, mapping: Any, skip: bool, result: Any,
                        parent: QWidget | None) -> tuple[object | None, Exception | None]:
    """When every date could be read either way, ask which: day-first was only a default."""
    from dataclasses import replace

    if mapping.time_format:  # the user said how the times are written
        return result, None
    month_first = month_first_alternative(result)
    if month_first is None:
        return result, None
    box = QMessageBox(QMessageBox.Icon.Question, "Import events",
                      f"Every date in {path.name} could be day-first or month-first (no day is "
                      f"above 12). They were read day-first, as {result.time_format}.",
                      parent=parent)
    box.setObjectName("dayOrMonthFirst")
    keep = box.addButton("Day first (01/05 is 1 May)", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Month first (01/05 is 5 January)", QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(keep)
    box.exec()
    if box.clickedButton() is keep:
        return result, None
    return run_import(path, replace(mapping, time_format=month_first), skip, parent)


def _message(path: Path, error: BaseException) -> str:
    """The error, beginning with the file's name once (the importer's messages have it)."""
    text = str(error)
    return text if text.startswith(path.name) else f"{path.name}: {text}"

