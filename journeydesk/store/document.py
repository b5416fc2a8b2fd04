"""An open workspace being edited: the domain in memory, kept equal to the file on disk.

Every command goes through :meth:`Document.execute` (and :meth:`Document.unexecute` for undo):
the command changes the domain, the touched rows are committed at once, then listeners (views)
hear which keys changed.  If the write fails the domain edit is rolled back, so memory and file
never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from journeydesk.domain.commands import Changes, Command
from journeydesk.domain.model import Workspace
from journeydesk.store.workspace_file import ReadOnlyWorkspaceError, WorkspaceFile

Listener = Callable[[Changes], None]


class Document:
    """The workspace content of one open file plus its change listeners."""

    def __init__(self, ws_file: WorkspaceFile):
        self.file = ws_file
        self.workspace: Workspace = ws_file.load()
        self._listeners: list[Listener] = []

    @property
    def read_only(self) -> bool:
        """True when edits are refused (the file is read-only)."""
        return self.file.read_only

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(changes)`` after every committed edit."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener`` (no error when it was not subscribed)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def execute(self, command: Command) -> Changes:
        """Apply ``command`` and commit it; on any failure nothing has changed."""
        self._check_writable()
        changes = command.apply(self.workspace)
        try:
            self.file.persist(self.workspace, changes)
        except BaseException:
            command.revert(self.workspace)
            raise
        self._notify(changes)
        return changes

    def unexecute(self, command: Command) -> Changes:
        """Revert ``command`` (undo) and commit; on failure the command stays applied."""
        self._check_writable()
        changes = command.revert(self.workspace)
        try:
            self.file.persist(self.workspace, changes)
        except BaseException:
            command.apply(self.workspace)
            raise
        self._notify(changes)
        return changes

    def close(self) -> None:
        """Close the file (listeners are dropped)."""
        self._listeners.clear()
        self.file.close()

    def _check_writable(self) -> None:
        if self.file.read_only:
            raise ReadOnlyWorkspaceError(f"{self.file.path}: is open read-only")

    def _notify(self, changes: Changes) -> None:
        for listener in list(self._listeners):
            listener(changes)
