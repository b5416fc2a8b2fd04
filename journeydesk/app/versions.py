"""Map versions for both front ends: save, list, compare and restore, and the versions taken on
their own before edits that throw much away.

A version is a record, not an edit: saving one changes no map and is not undone.  Restoring one
is an edit (one undoable command), taken after a version of the map as it is ("before restore"),
so a restore can itself be compared and undone in two ways.  See
:mod:`journeydesk.store.versions` for how versions are stored.
"""

from __future__ import annotations

from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.commands import (
    Command,
    CompositeCommand,
    RemoveCardCommand,
    RemoveLaneCommand,
    RemoveMapCommand,
    RemoveStageCommand,
    RemoveStepCommand,
    ReplaceMapContentCommand,
)
from journeydesk.domain.map_diff import MapDiff, compare_maps
from journeydesk.domain.model import DomainError, JourneyMap, Workspace
from journeydesk.domain.reconcile import adopt_ids
from journeydesk.store import versions as store
from journeydesk.store.versions import VersionError, VersionInfo

__all__ = ["BULK_DELETE_CARDS", "MAX_LABEL_CHARS", "MapDiff", "ReplaceMapContentCommand",
           "VersionError", "VersionInfo", "cards_removed", "clean_label", "compare",
           "list_versions", "replace_map_command", "restore_command", "save_version",
           "version_before", "version_map"]

# A delete that takes at least this many cards away is a bulk delete: a version comes first.
BULK_DELETE_CARDS = 2
# A version's label is one line of at most this many characters.
MAX_LABEL_CHARS = 120

_REMOVALS = (RemoveCardCommand, RemoveStageCommand, RemoveStepCommand, RemoveLaneCommand,
             RemoveMapCommand)


def save_version(session: WorkspaceSession, map_id: str, label: str = "", *,
                 reason: str = "manual", author: str = "") -> VersionInfo:
    """Save the map as it is now under ``label`` ("Version n" when empty): one line (tabs and
    line breaks become spaces), at most MAX_LABEL_CHARS characters (DomainError beyond)."""
    return store.save_version(session.file, session.workspace.map(map_id),
                              clean_label(label), reason=reason, author=author)


def _shortened(label: str) -> str:
    """A label made by JourneyDesk, cut to fit (a long file name must not refuse an import)."""
    text = " ".join(label.split())
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "…"


def clean_label(label: str) -> str:
    """A version label as it is kept: one line, trimmed; DomainError when too long."""
    text = " ".join(label.split())
    if len(text) > MAX_LABEL_CHARS:
        raise DomainError(f"a version label may have at most {MAX_LABEL_CHARS} characters "
                          f"(this one has {len(text)})")
    return text


def list_versions(session: WorkspaceSession, map_id: str) -> list[VersionInfo]:
    """The map's versions, newest first."""
    return store.list_versions(session.file, map_id)


def version_map(session: WorkspaceSession, version_id: str) -> tuple[VersionInfo, JourneyMap]:
    """A version and its map as it was (VersionError when there is no such version)."""
    return store.load_version(session.file, version_id)


def compare(session: WorkspaceSession, old_id: str, new_id: str | None = None) -> MapDiff:
    """What changed from version ``old_id`` to version ``new_id`` (None: the map now)."""
    old_info, old = version_map(session, old_id)
    if new_id is None:
        new = session.workspace.map(old_info.map_id)
    else:
        new_info, new = version_map(session, new_id)
        if new_info.map_id != old_info.map_id:
            raise VersionError("those two versions are of different maps")
    return compare_maps(old, new)


def restore_command(session: WorkspaceSession, version_id: str, *,
                    author: str = "") -> ReplaceMapContentCommand:
    """The edit that restores a version, after saving the map as it is ("before restore").

    DomainError when the version's map is no longer in the workspace.
    """
    info, content = version_map(session, version_id)
    if info.map_id not in session.workspace.maps:
        raise DomainError("the map of that version is no longer in the workspace")
    command = ReplaceMapContentCommand(info.map_id, content, f"Restore version {info.label!r}")
    command.check(session.workspace)
    save_version(session, info.map_id, _shortened(f"Before restoring {info.label!r}"),
                 reason="before restore", author=author)
    return command


def replace_map_command(session: WorkspaceSession, map_id: str, imported: JourneyMap,
                        source: str, *, author: str = "") -> ReplaceMapContentCommand:
    """The edit that puts an imported map's content in place of a map's, after saving the map
    as it is ("before import"); DomainError, and no version, when the edit would be refused.

    What the file has in common with the map keeps its identity (:func:`adopt_ids`): a
    comparison with the version shows what the file changed, and comments stay on their cards.
    """
    if map_id in session.workspace.maps:
        adopt_ids(session.workspace.map(map_id), imported)
    command = ReplaceMapContentCommand(map_id, imported, f"Import {source} over the map")
    command.check(session.workspace)
    save_version(session, map_id, _shortened(f"Before importing {source}"),
                 reason="before import", author=author)
    return command


def _is_removal(command: Command) -> bool:
    if isinstance(command, CompositeCommand):
        return bool(command.commands) and all(_is_removal(c) for c in command.commands)
    return isinstance(command, _REMOVALS)


def cards_removed(ws: Workspace, command: Command) -> dict[str, int]:
    """How many cards of each map a delete command would take away (worked out by applying it
    and reverting it; {} when it is not a delete or is refused)."""
    if not _is_removal(command):
        return {}
    before = {map_id: len(m.cards) for map_id, m in ws.maps.items()}
    try:
        command.apply(ws)
    except DomainError:
        return {}
    try:
        after = {map_id: len(m.cards) for map_id, m in ws.maps.items()}
    finally:
        command.revert(ws)
    return {map_id: n - after.get(map_id, 0) for map_id, n in before.items()
            if n - after.get(map_id, 0) > 0}


def version_before(session: WorkspaceSession, command: Command, *,
                   author: str = "") -> list[VersionInfo]:
    """Save a version of every map that ``command`` would take many cards from (a bulk
    delete: at least BULK_DELETE_CARDS), before it runs; the versions saved."""
    saved = []
    for map_id, n in cards_removed(session.workspace, command).items():
        if n >= BULK_DELETE_CARDS:
            saved.append(save_version(session, map_id, f"Before deleting {n} cards",
                                      reason="before delete", author=author))
    return saved
