"""The bridge between user gestures and the document: commands through undo histories.

A gesture builds one domain command and hands it to :meth:`Editor.run`.  The command is
executed (validated, applied, committed) *before* it goes on an undo stack, so a refused edit
never becomes an undo step; the stack's first ``redo`` is then skipped.

Each map has its own history, and the workspace has one: a QUndoGroup makes the history of the
map on show the active one, so Undo acts on the map you are looking at.  A map's history holds
its creation (new, template, duplicate, import), its renaming, and every edit made while it is
on show (cards, stages, lanes, curves, personas); deleting a map goes to the workspace history
(the map is no longer there to look at), as does an edit made while no map is shown.

Before a delete that takes two or more cards from a map runs, a version of that map is saved
("before delete", :func:`journeydesk.app.versions.version_before`), signed with the author
name.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from journeydesk.app.session import Document, WorkspaceError, WorkspaceSession
from journeydesk.app.versions import version_before
from journeydesk.domain.commands import (
    AddMapCommand,
    Command,
    EditCardCommand,
    RemoveMapCommand,
)
from journeydesk.domain.model import DomainError
from journeydesk.gui.author import author_name


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
        if not self._attempt(self._version_before, command):
            return False
        if not self._attempt(self.document.execute, command):
            return False
        stack.push(_UndoStep(self, command))
        if stack is self.workspace_stack or isinstance(command, AddMapCommand):
            self.group.setActiveStack(stack)  # what was just done is what Undo undoes
        return True

    def _version_before(self, command: Command) -> None:
        """Before a bulk delete, save a version of each map it takes cards from.  A version
        that cannot be written refuses the delete (the file would refuse the delete too); a
        read-only file refuses the delete itself."""
        if not self.document.read_only:
            version_before(WorkspaceSession.of(self.document), command, author=author_name())

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

    MERGE_ID = 1  # steps QUndoStack may offer to merge (see mergeWith)

    def __init__(self, editor: Editor, command: Command):
        fields = getattr(command, "fields", None)
        super().__init__(f"{command.label} ({', '.join(fields)})" if fields else command.label)
        self._editor = editor
        self._commands = [command]  # more when quick steps of one field were merged into it
        self._pushed = time.monotonic()
        self._done = True  # already executed by Editor.run

    def id(self) -> int:
        return self.MERGE_ID if _mergeable(self._commands[-1]) else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        """Steps of a spin box or a combo on one card's field, less than MERGE_SECONDS apart,
        are one undo step (Severity from 0 to 4 with the arrows is one change, not four)."""
        if not isinstance(other, _UndoStep) or len(other._commands) != 1:
            return False
        last, new = self._commands[-1], other._commands[0]
        if not (_mergeable(new) and _same_field(last, new)
                and other._pushed - self._pushed < MERGE_SECONDS):
            return False
        self._commands.append(new)
        self._pushed = other._pushed
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        for command in self._commands:
            if not self._editor._attempt(self._editor.document.execute, command):
                self.setObsolete(True)
                return

    def undo(self) -> None:
        for command in reversed(self._commands):
            if not self._editor._attempt(self._editor.document.unexecute, command):
                self.setObsolete(True)
                return


MERGE_SECONDS = 1.5
_STEPPED_FIELDS = frozenset({"severity", "priority"})  # set with arrows or a wheel, step by step


def _mergeable(command: Command) -> bool:
    fields = getattr(command, "fields", None)
    return isinstance(command, EditCardCommand) and bool(fields) and set(fields) <= \
        _STEPPED_FIELDS


def _same_field(a: Command, b: Command) -> bool:
    return (getattr(a, "card_id", None) == getattr(b, "card_id", None)
            and getattr(a, "map_id", None) == getattr(b, "map_id", None)
            and set(getattr(a, "fields", ())) == set(getattr(b, "fields", ())))
