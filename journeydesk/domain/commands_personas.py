"""Edit commands on personas: add, edit and delete them, link them to maps and unlink them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from journeydesk.domain.commands_base import Change, Changes, Command, _FieldEdit, _MapCommand
from journeydesk.domain.commands_checks import _check_persona_field, _unique
from journeydesk.domain.model import (
    PERSONA_FIELDS,
    PERSONA_LIST_FIELDS,
    DomainError,
    JourneyMap,
    Persona,
    Workspace,
    new_id,
)


# --------------------------------------------------------------------------- personas
class AddPersonaCommand(Command):
    """Add a persona to the workspace."""

    label = "Add persona"

    def __init__(self, persona: Persona):
        self.persona = persona

    def apply(self, ws: Workspace) -> Changes:
        for key in PERSONA_FIELDS:
            setattr(self.persona, key, _check_persona_field(key, getattr(self.persona, key)))
        _unique(self.persona.name, (p.name for p in ws.personas.values()), "persona")
        if self.persona.id in ws.personas:
            raise DomainError(f"a persona with id {self.persona.id!r} is already in the workspace")
        ws.personas[self.persona.id] = self.persona
        return frozenset({("persona", self.persona.id)})

    def revert(self, ws: Workspace) -> Changes:
        del ws.personas[self.persona.id]
        return frozenset({("persona", self.persona.id)})


class EditPersonaCommand(_FieldEdit):
    """Change a persona's fields."""

    label = "Edit persona"

    def __init__(self, persona_id: str, **fields: Any):
        super().__init__(fields)
        self.persona_id = persona_id

    def _target(self, ws: Workspace) -> Persona:
        return ws.persona(self.persona_id)

    def _check_field(self, ws: Workspace, target: Persona, key: str, value: Any) -> Any:
        value = _check_persona_field(key, value)
        if key == "name" and value != target.name:
            _unique(value, (p.name for p in ws.personas.values()), "persona")
        return value

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("persona", self.persona_id)})


class LinkPersonaCommand(_MapCommand):
    """Link a workspace persona to a map (it gets its own emotion curve there)."""

    label = "Link persona"

    def __init__(self, map_id: str, persona_id: str):
        super().__init__(map_id)
        self.persona_id = persona_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        ws.persona(self.persona_id)
        if self.persona_id in m.persona_ids:
            raise DomainError("that persona is already linked to the map")
        m.persona_ids.append(self.persona_id)
        return frozenset({("map", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        self._map(ws).persona_ids.remove(self.persona_id)
        return frozenset({("map", self.map_id)})


class UnlinkPersonaCommand(_MapCommand):
    """Unlink a persona from a map, removing its emotion points there."""

    label = "Unlink persona"

    def __init__(self, map_id: str, persona_id: str):
        super().__init__(map_id)
        self.persona_id = persona_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        if self.persona_id not in m.persona_ids:
            raise DomainError("that persona is not linked to the map")
        self._index = m.persona_ids.index(self.persona_id)
        m.persona_ids.pop(self._index)
        self._points = [p for p in m.emotions.values() if p.persona_id == self.persona_id]
        for point in self._points:
            del m.emotions[point.id]
        return self._keys()

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.persona_ids.insert(self._index, self.persona_id)
        for point in self._points:
            m.emotions[point.id] = point
        return self._keys()

    def _keys(self) -> Changes:
        keys: set[Change] = {("map", self.map_id)}
        return frozenset(keys | {("emotion", self.map_id, p.id) for p in self._points})


class RemovePersonaCommand(Command):
    """Delete a persona: it is unlinked from every map and its emotion points go too."""

    label = "Delete persona"

    def __init__(self, persona_id: str):
        self.persona_id = persona_id

    def apply(self, ws: Workspace) -> Changes:
        self._persona = ws.persona(self.persona_id)
        self._unlinks = [UnlinkPersonaCommand(m.id, self.persona_id)
                         for m in ws.maps.values() if self.persona_id in m.persona_ids]
        touched: set[Change] = set()
        for unlink in self._unlinks:
            touched |= unlink.apply(ws)
        del ws.personas[self.persona_id]
        return frozenset(touched | {("persona", self.persona_id)})

    def revert(self, ws: Workspace) -> Changes:
        ws.personas[self._persona.id] = self._persona
        touched: set[Change] = {("persona", self.persona_id)}
        for unlink in reversed(self._unlinks):
            touched |= unlink.revert(ws)
        return frozenset(touched)


def maps_using_persona(ws: Workspace, persona_id: str) -> list[JourneyMap]:
    """The maps a persona is linked to (to warn before deleting it)."""
    return [m for m in ws.maps.values() if persona_id in m.persona_ids]


def copy_persona(persona: Persona, name: str) -> Persona:
    """A new persona (new id) with the same content under ``name``, for duplicate."""
    lists = {key: list(getattr(persona, key)) for key in PERSONA_LIST_FIELDS}
    return replace(persona, id=new_id(), name=name, segment=dict(persona.segment), **lists)
