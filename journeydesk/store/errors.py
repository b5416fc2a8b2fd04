"""The errors of the workspace file; ``str()`` of each is one line for the user."""

from __future__ import annotations


class WorkspaceError(Exception):
    """A workspace file that cannot be opened or written; ``str()`` is one line for the user."""


class NotAWorkspaceError(WorkspaceError):
    """The file is not a JourneyDesk workspace (text, another app's database, empty, a pipe)."""


class CorruptWorkspaceError(WorkspaceError):
    """The file is ours but damaged (truncated, failing the integrity check)."""


class NewerSchemaError(WorkspaceError):
    """The file was written by a newer JourneyDesk."""


class WorkspaceInUseError(WorkspaceError):
    """Another process has the workspace open for writing."""


class WorkspaceBusyError(WorkspaceError):
    """Another program (another SQLite client) holds a lock on the file right now."""


class ReadOnlyWorkspaceError(WorkspaceError):
    """An edit was attempted on a workspace opened read-only."""
