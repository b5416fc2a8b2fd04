"""A small dialog that asks for one line of text: a prompt, the line, a hint and two buttons
(Esc and Cancel close it with nothing changed)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class LineDialog(QDialog):
    """``prompt`` above a line edit (``self.line``) of at most ``max_length`` characters,
    ``hint`` below it, and ``ok`` (a standard button) with Cancel."""

    def __init__(self, title: str, prompt: str, hint: str, *, max_length: int,
                 ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
                 text: str = "", width: int = 400, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.line = QLineEdit(text)
        self.line.setMaxLength(max_length)
        self.line.setAccessibleName(prompt.rstrip(":"))
        note = QLabel(hint)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(prompt))
        column.addWidget(self.line)
        column.addWidget(note)
        column.addWidget(buttons)
        self.resize(width, self.sizeHint().height())
