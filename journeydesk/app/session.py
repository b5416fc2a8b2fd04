"""An open workspace: its document (the maps and personas being edited), its event data and
the rules of workspace file names.

Both front ends hold a :class:`WorkspaceSession`; the workspace file itself
(:class:`~journeydesk.store.workspace_file.WorkspaceFile`) stays inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from journeydesk.app.event_data import EventDataCatalog
from journeydesk.domain.model import JourneyMap, Persona, Stage, Workspace
from journeydesk.store.document import Document
from journeydesk.store.paths import data_dir, default_workspace_path
from journeydesk.store.workspace_file import SUFFIX as WORKSPACE_SUFFIX
from journeydesk.store.workspace_file import (
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
    WorkspaceFile,
    WorkspaceInUseError,
)

__all__ = ["WORKSPACE_SUFFIX", "Document", "LookupFailed", "ReadOnlyWorkspaceError",
           "WorkspaceBusyError", "WorkspaceError", "WorkspaceInUseError", "WorkspaceSession",
           "data_dir", "default_workspace_path", "find_map", "find_persona", "find_stage",
           "is_workspace_name", "missing_events", "on_note", "open_document", "opening_notes",
           "with_workspace_suffix"]

#: Who hears what opening a workspace had to say (a repaired file and where its backup is).
_note_listeners: list[Callable[[str], None]] = []


def on_note(listener: Callable[[str], None]) -> None:
    """Call ``listener(text)`` with each note of every workspace opened from now on (the
    command line prints them on stderr)."""
    if listener not in _note_listeners:
        _note_listeners.append(listener)


def opening_notes(document: Document) -> list[str]:
    """What opening ``document``'s file had to say (for a front end to show)."""
    return list(document.file.notes)


def _opened(ws_file: WorkspaceFile) -> WorkspaceFile:
    for note in ws_file.notes:
        for listener in list(_note_listeners):
            listener(note)
    return ws_file


def _open_file(path: Path, *, create: bool, read_only: bool,
               publish_at_close: bool = False) -> WorkspaceFile:
    """WorkspaceFile.open, with every failure a WorkspaceError (one line, naming the file)."""
    try:
        if create and not path.exists() and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        return _opened(WorkspaceFile.open(path, create=create, read_only=read_only,
                                          publish_at_close=publish_at_close))
    except OSError as exc:
        raise WorkspaceError(f"{exc.filename or path}: cannot be opened "
                             f"({exc.strerror or exc})") from None


class LookupFailed(LookupError):
    """A map or persona named by the user is not there; ``str()`` names the ones that are."""


def is_workspace_name(path: str | Path) -> bool:
    """Whether ``path`` is named like a workspace file (``.jdesk``, in any case)."""
    return Path(path).suffix.lower() == WORKSPACE_SUFFIX


def with_workspace_suffix(path: str | Path) -> Path:
    """``path`` named like a workspace file: ``.jdesk`` added unless it has it already."""
    path = Path(path)
    return path if is_workspace_name(path) else path.with_name(path.name + WORKSPACE_SUFFIX)


def open_document(path: str | Path, *, create: bool = False,
                  read_only: bool = False) -> Document:
    """The workspace at ``path``, loaded for editing (its folder made when creating).

    Raises a WorkspaceError with a one-line message; the file is then unchanged.  What the
    opening had to say (a repaired file, its backup) is in :func:`opening_notes`.
    """
    ws_file = _open_file(Path(path), create=create, read_only=read_only)
    try:
        return Document(ws_file)
    except BaseException:
        ws_file.close()
        raise


def _named(found: Any, name: str, kind: str, names: Iterable[str], where: str) -> Any:
    if found is None:
        listed = ", ".join(names) or "none"
        raise LookupFailed(f"{where} has no {kind} named {name!r} ({kind}s: {listed})")
    return found


def find_map(ws: Workspace, name: str, where: str) -> JourneyMap:
    """The map named ``name``; LookupFailed names the maps there are."""
    return _named(ws.map_named(name), name, "map", sorted(m.name for m in ws.maps.values()),
                  f"{where}:")


def find_persona(ws: Workspace, name: str, where: str) -> Persona:
    """The persona named ``name``; LookupFailed names the personas there are."""
    return _named(ws.persona_named(name), name, "persona",
                  sorted(p.name for p in ws.personas.values()), f"{where}:")


def find_stage(journey_map: JourneyMap, name: str) -> Stage:
    """The stage of ``journey_map`` named ``name``; LookupFailed names the stages there are."""
    return _named(journey_map.stage_named(name), name, "stage",
                  [s.name for s in journey_map.stages], f"map {journey_map.name!r}")


def missing_events(data: Any, events: Sequence[str]) -> list[str]:
    """The entries of ``events`` (names or glob patterns) that no event of the data (an
    EventData's ``data()``) belongs to: a binding to them shows nobody, at least until more
    data comes."""
    from journeydesk.analytics.funnel import event_counts
    from journeydesk.analytics.patterns import is_pattern, matches

    known = event_counts(data)
    return [entry for entry in events
            if (not any(matches(entry, str(name)) for name in known) if is_pattern(entry)
                else entry not in known)]


class WorkspaceSession:
    """One open workspace: the document (loaded on first use) and its event data."""

    def __init__(self, ws_file: WorkspaceFile | None = None, *,
                 document: Document | None = None):
        if document is None and ws_file is None:
            raise ValueError("a session needs a workspace file or a document")
        self._document = document
        self._file: WorkspaceFile = document.file if document is not None else ws_file  # type: ignore[assignment]
        self.data = EventDataCatalog(self._file)

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False,
             read_only: bool = False) -> WorkspaceSession:
        """Open the workspace at ``path`` (see :meth:`WorkspaceFile.open`).

        A workspace created here gets its name when the session closes without an error: a
        command that fails or is killed leaves no empty workspace behind.
        """
        return cls(_open_file(Path(path), create=create, read_only=read_only,
                              publish_at_close=True))

    @classmethod
    def of(cls, document: Document) -> WorkspaceSession:
        """The session of a document opened elsewhere (the app's windows get documents)."""
        return cls(document=document)

    @property
    def document(self) -> Document:
        """The workspace being edited (loaded from the file on first use)."""
        if self._document is None:
            self._document = Document(self._file)
        return self._document

    @property
    def workspace(self) -> Workspace:
        """The maps and personas (loaded on first use)."""
        return self.document.workspace

    @property
    def file(self) -> WorkspaceFile:
        """The workspace file, for the app layer's own records (workshop sessions); front
        ends go through the app's functions instead."""
        return self._file

    @property
    def path(self) -> Path:
        """The workspace file's path."""
        return self._file.path

    @property
    def read_only(self) -> bool:
        """True when edits are refused."""
        return self._file.read_only

    def map_summaries(self) -> list[tuple[str, int, int]]:
        """(name, stages, cards) of every map, without loading the workspace."""
        return self._file.map_summaries()

    def load(self) -> Workspace:
        """A fresh copy of the workspace's content (not the document's)."""
        return self._file.load()

    def save_copy(self, path: str | Path) -> Path:
        """Write a consistent copy of the workspace to ``path`` (SQLite's backup API)."""
        return self._file.save_copy(path)

    def same_file(self, path: str | Path) -> bool:
        """Whether ``path`` is this session's workspace file."""
        return Path(path).resolve() == self._file.path.resolve()

    def close(self) -> None:
        """Close the event data and the file."""
        self.data.close()
        if self._document is not None:
            self._document.close()
        else:
            self._file.close()

    def __enter__(self) -> WorkspaceSession:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is not None:
            self._file.discard_if_new()
        self.close()
