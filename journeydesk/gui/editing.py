"""The bridge between user gestures and the document: commands through undo histories.

A gesture builds one domain command and hands it to :meth:`Editor.run`.  The command is
executed (validated, applied, committed) *before* it goes on an undo stack, so a refused edit
never becomes an undo step; the stack's first ``redo`` is then skipped.

Each map has its own history, and the workspace has one: a QUndoGroup makes the history of the
map on show the active one, so Undo acts on the map you are looking at.  A map's history holds
its creation (new, template, duplicate, import), its renaming, and every edit made while it is
on show (cards, stages, lanes, curves, personas); deleting a map goes to the workspace history
(the map is no longer there to look at), as does an edit made while no map is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from journeydesk.app.session import Document, WorkspaceError
from journeydesk.domain.commands import AddMapCommand, Command, RemoveMapCommand
from journeydesk.domain.model import DomainError


class Editor(QObject):
    """Runs commands on a document with undo/redo; ``refused`` carries a message to show."""

    refused = Signal(str)

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.group = QUndoGroup(self)
        self.workspace_stack = self._new_stack()
        self._stacks: dict[str, QUndoStack] = {}  # map id -> that map's history
        self.group.setActiveStack(self.workspace_stack)

    def _new_stack(self) -> QUndoStack:
        stack = QUndoStack(self)
        stack.setUndoLimit(0)  # unlimited: a whole workshop stays undoable
        self.group.addStack(stack)
        return stack

    @property
    def stack(self) -> QUndoStack:
        """The active history: the map on show's, or the workspace's."""
        return self.group.activeStack()

    def stack_for(self, map_id: str) -> QUndoStack:
        """The history of one map (made on first use, kept while the window is open: a
        deleted map's history comes back with it on undo)."""
        if map_id not in self._stacks:
            self._stacks[map_id] = self._new_stack()
        return self._stacks[map_id]

    def set_current_map(self, map_id: str | None) -> None:
        """Make the history of ``map_id`` (None: the workspace's) the active one."""
        self.group.setActiveStack(self.stack_for(map_id) if map_id is not None
                                  else self.workspace_stack)

    def active_map_id(self) -> str | None:
        """The map whose history is active (None: the workspace's)."""
        active = self.group.activeStack()
        return next((map_id for map_id, stack in self._stacks.items() if stack is active), None)

    def _stack_of(self, command: Command) -> QUndoStack:
        if isinstance(command, RemoveMapCommand):
            return self.workspace_stack
        if isinstance(command, AddMapCommand):
            return self.stack_for(command.map.id)
        map_id = getattr(command, "map_id", None)
        if isinstance(map_id, str) and map_id in self.document.workspace.maps:
            return self.stack_for(map_id)
        return self.stack

    def run(self, command: Command) -> bool:
        """Execute ``command`` and make it one undo step; False (and ``refused``) if refused."""
        stack = self._stack_of(command)
        if not self._attempt(self.document.execute, command):
            return False
        stack.push(_UndoStep(self, command))
        if stack is self.workspace_stack or isinstance(command, AddMapCommand):
            self.group.setActiveStack(stack)  # what was just done is what Undo undoes
        return True

    def _attempt(self, action: Callable[[Command], object], command: Command) -> bool:
        try:
            action(command)
        except (DomainError, WorkspaceError) as exc:
            self.refused.emit(str(exc))
            return False
        return True


class _UndoStep(QUndoCommand):
    """One command as an undo step.

    When its undo or redo is refused (``refused`` is emitted; the file is read-only, a write
    failed) the document is left as it was, but QUndoStack moves its index all the same.  So
    the step makes itself obsolete and the stack drops it: after a refused undo the edit stays
    done and is no longer offered to undo, after a refused redo it stays undone and is no
    longer offered to redo.  The stack then never claims a state the model (and the file) is
    not in, and no later redo applies a command a second time.  The edit itself is kept or
    lost as the file has it; only the way back to it is gone.
    """

    def __init__(self, editor: Editor, command: Command):
        super().__init__(command.label)
        self._editor = editor
        self._command = command
        self._done = True  # already executed by Editor.run

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self._editor._attempt(self._editor.document.execute, self._command):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self._editor._attempt(self._editor.document.unexecute, self._command):
            self.setObsolete(True)
