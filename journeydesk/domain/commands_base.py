"""The base of every edit command: change keys, :class:`Command` and :class:`CompositeCommand`,
and the shared bases of field edits and of commands on one map.

See :mod:`journeydesk.domain.commands` for what commands promise and what change keys mean.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from journeydesk.domain.model import DomainError, JourneyMap, Workspace

Change = tuple[str, ...]
Changes = frozenset[Change]


# --------------------------------------------------------------------------- base classes
class Command(ABC):
    """One user edit, reversible."""

    label: str = "Edit"

    @abstractmethod
    def apply(self, ws: Workspace) -> Changes:
        """Perform the edit; raise DomainError (changing nothing) when it is not allowed."""

    @abstractmethod
    def revert(self, ws: Workspace) -> Changes:
        """Undo the edit exactly; only called right after ``apply``."""


class CompositeCommand(Command):
    """Several commands as one undo step (a drag of several cards, an import)."""

    def __init__(self, label: str, commands: Sequence[Command]):
        self.label = label
        self.commands = list(commands)

    def apply(self, ws: Workspace) -> Changes:
        done: list[Command] = []
        touched: set[Change] = set()
        try:
            for command in self.commands:
                touched |= command.apply(ws)
                done.append(command)
        except DomainError:
            for command in reversed(done):
                command.revert(ws)
            raise
        return frozenset(touched)

    def revert(self, ws: Workspace) -> Changes:
        touched: set[Change] = set()
        for command in reversed(self.commands):
            touched |= command.revert(ws)
        return frozenset(touched)


class _FieldEdit(Command):
    """Set some fields of one object; revert puts the old values back."""

    def __init__(self, fields: Mapping[str, Any]):
        if not fields:
            raise DomainError("nothing to change")
        self.fields = dict(fields)
        self._old: dict[str, Any] = {}

    @abstractmethod
    def _target(self, ws: Workspace) -> Any: ...

    @abstractmethod
    def _check_field(self, ws: Workspace, target: Any, key: str, value: Any) -> Any:
        """The checked (normalised) value for ``key``; DomainError when it is not allowed."""

    def _check_all(self, ws: Workspace, target: Any, values: dict[str, Any]) -> None:
        """Rules that involve several fields at once (none by default)."""

    @abstractmethod
    def _changes(self, ws: Workspace) -> Changes: ...

    def apply(self, ws: Workspace) -> Changes:
        target = self._target(ws)
        values = {key: self._check_field(ws, target, key, value)
                  for key, value in self.fields.items()}
        self._check_all(ws, target, values)
        self._old = {key: getattr(target, key) for key in values}
        for key, value in values.items():
            setattr(target, key, value)
        return self._changes(ws)

    def revert(self, ws: Workspace) -> Changes:
        target = self._target(ws)
        for key, value in self._old.items():
            setattr(target, key, value)
        return self._changes(ws)


class _MapCommand(Command):
    """A command on one map of the workspace."""

    def __init__(self, map_id: str):
        self.map_id = map_id

    def _map(self, ws: Workspace) -> JourneyMap:
        return ws.map(self.map_id)
