"""The bridge between user gestures and the document: commands through a QUndoStack.

A gesture builds one domain command and hands it to :meth:`Editor.run`.  The command is
executed (validated, applied, committed) *before* it goes on the undo stack, so a refused edit
never becomes an undo step; the stack's first ``redo`` is then skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from journeydesk.domain.commands import Command
from journeydesk.domain.model import DomainError
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceError


class Editor(QObject):
    """Runs commands on a document with undo/redo; ``refused`` carries a message to show."""

    refused = Signal(str)

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(0)  # unlimited: a whole workshop stays undoable

    def run(self, command: Command) -> bool:
        """Execute ``command`` and make it one undo step; False (and ``refused``) if refused."""
        if not self._attempt(self.document.execute, command):
            return False
        self.stack.push(_UndoStep(self, command))
        return True

    def _attempt(self, action: Callable[[Command], object], command: Command) -> bool:
        try:
            action(command)
        except (DomainError, WorkspaceError) as exc:
            self.refused.emit(str(exc))
            return False
        return True


class _UndoStep(QUndoCommand):
    def __init__(self, editor: Editor, command: Command):
        super().__init__(command.label)
        self._editor = editor
        self._command = command
        self._done = True  # already executed by Editor.run

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._editor._attempt(self._editor.document.execute, self._command)

    def undo(self) -> None:
        self._editor._attempt(self._editor.document.unexecute, self._command)
