"""File > Add database source: a table of events in PostgreSQL or a warehouse.

The dialog connects off the GUI thread ("Connect" or Enter in the table field), lists the
table's columns with the user, event and time columns guessed, and adds the source when the
columns are right.  The URL is stored without a password; a password typed here stays in this
session's memory only (:class:`~journeydesk.gui.sources.SourceSessions`).  A URL with another
query option that may hold a secret (``?api_key=``...) is refused with the message the command
line prints, the URL masked in it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.sources import (
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    SourceError,
    guess_columns,
    strip_password,
    table_columns,
)
from journeydesk.gui.background import BackgroundJobs

ROLES = (("user", "User column"), ("event", "Event column"), ("time", "Time column"))


class AddSourceDialog(QDialog):
    """Name, URL, password, table; Connect; then the column mapping; Add."""

    def __init__(self, taken: set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add database source")
        self.setMinimumWidth(560)
        self.taken = taken
        self.jobs = BackgroundJobs(self)
        self.columns: list[str] = []
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Production events")
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql+psycopg://user@host:5432/database")
        self.url.setToolTip("The database's address as a SQLAlchemy URL: the kind of database, "
                            "the user, the server and the database name (see "
                            "docs/warehouses.md). A password typed here is moved to the "
                            "Password field and never saved; other secrets (api_key=, "
                            "token=...) are refused: give them as the password.")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept until JourneyDesk closes, never saved")
        self.password_env = QLineEdit()
        self.password_env.setPlaceholderText("optional, e.g. JOURNEYDESK_DB_PASSWORD")
        self.table = QLineEdit()
        self.table.setPlaceholderText("events or schema.events")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, MAX_TIMEOUT)
        self.timeout.setDecimals(0)
        self.timeout.setValue(DEFAULT_TIMEOUT)
        self.timeout.setSuffix(" s")
        self.connect_button = QPushButton("&Connect")
        self.connect_button.clicked.connect(self.connect_to_table)
        self.table.returnPressed.connect(self.connect_to_table)
        self.combos: dict[str, QComboBox] = {}
        self.status = QLabel("Give the database URL and the table, then Connect.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection status")

        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("Database &URL", self.url)
        form.addRow("&Password", self.password)
        form.addRow("Or password from\nenvironment &variable", self.password_env)
        form.addRow("&Table or view", self.table)
        form.addRow("Query &timeout", self.timeout)
        form.addRow("", self.connect_button)
        for role, label in ROLES:
            combo = QComboBox()
            combo.setEditable(False)
            combo.setEnabled(False)
            combo.setAccessibleName(label)
            self.combos[role] = combo
            form.addRow(label, combo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add source")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        for edit in (self.url, self.table):
            edit.textEdited.connect(self._changed)

    def _changed(self) -> None:
        """The URL or table changed: the columns found before no longer count."""
        self.columns = []
        for combo in self.combos.values():
            combo.clear()
            combo.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def connect_to_table(self) -> None:
        """Reach the server off the GUI thread and list the table's columns."""
        url, table = self.url.text().strip(), self.table.text().strip()
        if not url or not table:
            self._say("Give the database URL and the table first.", problem=True)
            return
        try:
            url, in_url = strip_password(url)
        except SourceError as exc:
            self._say(str(exc), problem=True)
            return
        if in_url is not None:  # a password typed into the URL goes to the password field
            self.url.setText(url)
            self.password.setText(in_url)
        password, timeout = self.password.text() or None, self.timeout.value()
        self.connect_button.setEnabled(False)
        self._say(f"Connecting to {url}…")
        self.jobs.submit(lambda: table_columns(url, table, password=password, timeout=timeout),
                         self._on_columns, name="journeydesk-connect")

    def _say(self, text: str, *, problem: bool = False) -> None:
        """The status line: plain, or a problem in red with a warning sign."""
        self.status.setText(f"⚠ {text}" if problem else text)
        self.status.setStyleSheet("color: #b42318; font-weight: 600;" if problem else "")

    def _on_columns(self, columns: Any, error: BaseException | None) -> None:
        self.connect_button.setEnabled(True)
        if error is not None:
            self._say(str(error).splitlines()[0] if str(error) else repr(error), problem=True)
            return
        self.columns = list(columns)
        guessed = guess_columns(self.columns)
        for role, combo in self.combos.items():
            combo.clear()
            combo.addItems(self.columns)
            combo.setEnabled(True)
            pick = guessed[role]
            if pick is not None:
                combo.setCurrentText(pick)
        others = [c for c in self.columns if c not in set(guessed.values())]
        self._say(f"Found {len(self.columns)} columns. Segments can use: "
                  f"{', '.join(others) or 'none'}. Check the mapping, then Add.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def mapping(self) -> dict[str, str]:
        """The chosen user, event and time columns."""
        return {role: combo.currentText() for role, combo in self.combos.items()}

    def accept(self) -> None:
        """Refuse a missing or taken name, or one column in two roles; else close."""
        name = self.name.text().strip()
        chosen = list(self.mapping().values())
        if not name:
            self._say("Give the source a name.", problem=True)
            self.name.setFocus()
            return
        if name in self.taken:
            self._say(f"The workspace already has a dataset or source named “{name}”.",
                      problem=True)
            self.name.setFocus()
            return
        if len(set(chosen)) < len(chosen):
            self._say("The user, event and time columns must be three different columns.",
                      problem=True)
            return
        super().accept()

    def done(self, result: int) -> None:  # noqa: D102 - Qt override
        self.jobs.wait(1.0)
        super().done(result)
