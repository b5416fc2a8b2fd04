"""The name comments and versions are signed with, kept in the app's settings.

:func:`author_name` reads it (the account's name until one is set: see
:func:`journeydesk.app.authors.default_author`); Edit > Your name… opens :class:`AuthorDialog`.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from journeydesk.app.authors import MAX_AUTHOR_CHARS, clean_author, default_author
from journeydesk.gui.line_dialog import LineDialog

SETTINGS_KEY = "user/name"


def author_name() -> str:
    """The name set in Edit > Your name…, else the account's name (may be "")."""
    stored = QSettings().value(SETTINGS_KEY, "")
    name = clean_author(str(stored)) if stored else ""
    return name or default_author()


def set_author_name(name: str) -> str:
    """Keep ``name`` (cleaned) as the author name; "" goes back to the account's name.
    Returns the name now in use."""
    cleaned = clean_author(name)
    settings = QSettings()
    if cleaned:
        settings.setValue(SETTINGS_KEY, cleaned)
    else:
        settings.remove(SETTINGS_KEY)
    return author_name()


class AuthorDialog(LineDialog):
    """Asks for the name comments and versions are signed with."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Your name", "Your name:",
                         "Comments and saved versions are signed with this name. Leave it "
                         "empty to use the computer account's name.",
                         max_length=MAX_AUTHOR_CHARS, text=author_name(), width=380,
                         parent=parent)
        self.setObjectName("authorDialog")
        self.name = self.line
        self.name.setPlaceholderText(default_author() or "Your name")

    def accept(self) -> None:
        """Keep the name typed, then close."""
        set_author_name(self.name.text())
        super().accept()


def ask_author_name(parent: QWidget | None = None) -> AuthorDialog:
    """Edit > Your name…: open the dialog (window-modal; it saves on OK)."""
    dialog = AuthorDialog(parent)
    dialog.setModal(True)
    dialog.open()
    return dialog
