"""Replace a map's content in one undoable edit: restoring a saved version, or importing a file
over a map.

The map keeps its id, its comments, its owner and review date; its stages, lanes, cards, emotion
points, linked personas, description and scale become those of the given content (its name too,
unless another map has that name).  Personas the workspace no longer has are left out, with the
points of their curves.
"""

from __future__ import annotations

import copy

from journeydesk.domain.commands_base import Change, Changes, _MapCommand
from journeydesk.domain.model import DomainError, JourneyMap, Workspace

_CONTENT = ("name", "description", "scale_min", "scale_max", "stages", "lanes", "cards",
            "emotions", "persona_ids")


def _ids(m: JourneyMap) -> set[str]:
    ids = {s.id for s in m.stages} | {t.id for s in m.stages for t in s.steps}
    return ids | {ln.id for ln in m.lanes} | set(m.cards) | set(m.emotions)


def _check_own_ids(ws: Workspace, m: JourneyMap, content: JourneyMap) -> None:
    """Refuse content whose stages, steps, lanes, cards or points are another map's (ids are
    unique in a workspace; an importer gives a file's content fresh ids where they clash)."""
    wanted = _ids(content)
    for other in ws.maps.values():
        if other.id != m.id and not wanted.isdisjoint(_ids(other)):
            raise DomainError(f"that content belongs to map {other.name!r}, not to {m.name!r}")


class ReplaceMapContentCommand(_MapCommand):
    """Make a map's content that of ``content`` (a map of the same id or not: only its content
    is taken, copied)."""

    def __init__(self, map_id: str, content: JourneyMap, label: str = "Restore version"):
        super().__init__(map_id)
        self.content = content
        self.label = label
        self._old: dict[str, object] = {}
        self._new: dict[str, object] | None = None

    def _fresh(self, ws: Workspace, m: JourneyMap) -> dict[str, object]:
        new = copy.deepcopy(self.content)
        personas = [pid for pid in new.persona_ids if pid in ws.personas]
        taken = {other.name for other in ws.maps.values() if other.id != m.id}
        return {
            "name": new.name if new.name and new.name not in taken else m.name,
            "description": new.description, "scale_min": new.scale_min,
            "scale_max": new.scale_max, "stages": new.stages, "lanes": new.lanes,
            "cards": new.cards,
            "emotions": {pid: p for pid, p in new.emotions.items()
                         if p.persona_id is None or p.persona_id in personas},
            "persona_ids": personas}

    def check(self, ws: Workspace) -> None:
        """Raise DomainError when ``apply`` would refuse (no such map, another map's content),
        changing nothing."""
        _check_own_ids(ws, self._map(ws), self.content)

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        _check_own_ids(ws, m, self.content)
        if self._new is None:  # the first apply; redo puts back the very same objects
            self._new = self._fresh(ws, m)
        self._old = {key: getattr(m, key) for key in _CONTENT}
        for key in _CONTENT:
            setattr(m, key, self._new[key])
        return self._changes(m)

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        for key in _CONTENT:
            setattr(m, key, self._old[key])
        return self._changes(m)

    def _changes(self, m: JourneyMap) -> Changes:
        keys: set[Change] = {("map", m.id), ("stages", m.id), ("lanes", m.id)}
        for state in (self._old, self._new or {}):
            keys |= {("card", m.id, cid) for cid in state.get("cards", {})}  # type: ignore[union-attr]
            keys |= {("emotion", m.id, pid) for pid in state.get("emotions", {})}  # type: ignore[union-attr]
        return frozenset(keys)
