"""Who dropped here: the users who reached the previous stage but not this one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
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

from journeydesk.app.exports import write_atomic
from journeydesk.app.text import format_duration
from journeydesk.gui.background import BackgroundJobs
from journeydesk.gui.file_dialogs import ask_save_path


class DroppedUsersDialog(QDialog):
    """The dropped users' ids, with an export to a text file (one id per line)."""

    def __init__(self, stage: str, dataset: str, users: list[str],
                 parent: QWidget | None = None, *,
                 timeline: Callable[[str], Callable[[], list]] | None = None,
                 summary: str = ""):
        super().__init__(parent)
        self.timeline = timeline  # user -> work that fetches their events (on a worker)
        self.jobs = BackgroundJobs(self)
        self.setObjectName("droppedUsers")
        self.users = list(users)
        self.setWindowTitle(f"Who dropped before {stage}")
        self.list = QListWidget()
        self.list.setAccessibleName("Dropped users")
        self.list.addItems(self.users)
        self.list.setToolTip("Double-click a user to see everything they did")
        self.list.itemActivated.connect(lambda item: self.show_timeline(item.text()))
        self.export_button = QPushButton("Export ids…")
        self.export_button.setEnabled(bool(self.users))
        self.export_button.clicked.connect(lambda _c=False: self.export_ids())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        # what the list is: "516 people did not reach Confirm e-mail after Sign up within 1d;
        # 12 of them did Confirm e-mail anyway (out of order or outside the window)"
        label = QLabel(f"In “{dataset}”: {summary}." if summary else
                       f"{len(self.users):,} users of “{dataset}” did not reach {stage}:")
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)

    def show_timeline(self, user: str) -> QDialog | None:
        """A user's events, oldest first, with the time since the one before.

        The dialog opens at once and fills when the events are there (fetched off the GUI
        thread: for a database source, the query runs in the database).
        """
        if self.timeline is None:
            return None
        dialog = QDialog(self)
        dialog.setObjectName("userTimeline")
        dialog.setWindowTitle(f"Timeline of {user}")
        listing = QListWidget()
        listing.setAccessibleName(f"Events of {user}")
        heading = QLabel(f"Finding the events of {user}…")
        layout = QVBoxLayout(dialog)
        layout.addWidget(heading)
        layout.addWidget(listing)
        dialog.resize(460, 420)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

        def fill(events: list | None, error: BaseException | None) -> None:
            if error is not None:
                heading.setText(f"Could not read the events of {user}: {error}")
                return
            previous = None
            for ts, event in events or []:
                gap = (f"   (+{format_duration((ts - previous).total_seconds())})"
                       if previous else "")
                listing.addItem(f"{ts:%Y-%m-%d %H:%M:%S}   {event}{gap}")
                previous = ts
            heading.setText(f"{len(events or []):,} events of {user}, oldest first:")

        try:
            work = self.timeline(user)
        except Exception as exc:  # a dataset deleted meanwhile: say so in the dialog
            fill(None, exc)
            return dialog
        self.jobs.submit(work, fill, name="journeydesk-timeline")
        return dialog

    def export_ids(self, path: Path | None = None) -> bool:
        """Write the ids, one per line (UTF-8), atomically."""
        if path is None:
            path = ask_save_path(self, "Export user ids", "dropped-users.txt",
                                 "Text (*.txt *.csv)")
            if path is None:
                return False
        try:
            write_atomic(path, "".join(f"{user}\n" for user in self.users))
        except OSError as exc:
            QMessageBox.warning(self, "Export user ids", f"{path.name}: {exc.strerror or exc}")
            return False
        return True
