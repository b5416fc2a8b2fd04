"""Edit commands: every user edit is one object with ``apply`` and ``revert`` on the domain.

``apply`` validates first and raises :class:`DomainError` without touching anything when the edit
is not allowed.  Both methods return the set of :data:`Change` keys they touched, so that storage
can write exactly those rows and views can refresh exactly those items.  ``revert`` restores the
state exactly as it was before ``apply`` (checked by property tests), and a command may be applied
again after a revert (redo).

Change keys are tuples:

* ``("map", map_id)``       the map's own fields and its linked personas
* ``("stages", map_id)``    the map's stages and their steps (names, order, bindings)
* ``("lanes", map_id)``     the map's lanes
* ``("card", map_id, card_id)``
* ``("emotion", map_id, point_id)``
* ``("persona", persona_id)``

A key whose object no longer exists in the workspace means "deleted".
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from journeydesk.domain.model import (
    CARD_FIELDS,
    MAX_PHOTO_BYTES,
    PERSONA_FIELDS,
    PERSONA_LIST_FIELDS,
    PRIORITIES,
    SEVERITY_RANGE,
    TECH_COMFORT_RANGE,
    Card,
    DomainError,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
    new_id,
)

Change = tuple[str, ...]
Changes = frozenset[Change]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --------------------------------------------------------------------------- field checks
def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise DomainError(f"{what} must be text")
    return value


def _name(value: Any, what: str) -> str:
    name = _text(value, what).strip()
    if not name:
        raise DomainError(f"{what} must not be empty")
    return name


def _text_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise DomainError(f"{what} must be a list of texts")
    items = [_text(v, what).strip() for v in value]
    return [v for v in items if v]


def _event_list(value: Any, what: str) -> list[str]:
    events = _text_list(value, what)
    if len(set(events)) != len(events):
        raise DomainError(f"{what} lists an event twice")
    return events


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DomainError(f"{what} must be a finite number")
    return float(value)


def _optional_int(value: Any, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"{what} must be a whole number from {low} to {high}")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    return _text(value, what).strip() or None


def _check_card_field(key: str, value: Any) -> Any:
    if key == "text":
        return _text(value, "card text")
    if key == "severity":
        return _optional_int(value, "severity", *SEVERITY_RANGE)
    if key == "priority":
        if value is not None and value not in PRIORITIES:
            raise DomainError(f"priority must be one of {', '.join(PRIORITIES)}")
        return value
    if key == "channel":
        return _optional_text(value, "channel")
    if key == "tags":
        return _text_list(value, "tags")
    if key == "colour":
        if value is not None and (not isinstance(value, str) or not _COLOUR.match(value)):
            raise DomainError("colour must look like #rrggbb")
        return value.lower() if value else None
    if key == "events":
        return _event_list(value, "card events")
    raise DomainError(f"a card has no field {key!r}")


def _check_persona_field(key: str, value: Any) -> Any:
    if key == "name":
        return _name(value, "persona name")
    if key in ("role", "quote", "bio", "notes", "age_range", "location"):
        return _text(value, f"persona {key.replace('_', ' ')}")
    if key in PERSONA_LIST_FIELDS:
        return _text_list(value, f"persona {key}")
    if key == "tech_comfort":
        return _optional_int(value, "tech comfort", *TECH_COMFORT_RANGE)
    if key == "photo":
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray)) or not value:
            raise DomainError("a persona photo must be image data")
        if len(value) > MAX_PHOTO_BYTES:
            raise DomainError(f"a persona photo may take at most {MAX_PHOTO_BYTES // 2**20} MB")
        return bytes(value)
    if key == "segment":
        return _segment(value)
    raise DomainError(f"a persona has no field {key!r}")


def _segment(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise DomainError("a segment must map attribute names to values")
    segment: dict[str, str] = {}
    for raw_column, wanted in value.items():
        column = _name(raw_column, "a segment attribute")
        if isinstance(wanted, bool) or not isinstance(wanted, (str, int, float)):
            raise DomainError(f"segment value of {column!r} must be text or a number")
        segment[column] = str(wanted).strip()
        if not segment[column]:
            raise DomainError(f"segment value of {column!r} must not be empty")
    return segment


def _unique(name: str, taken: Iterable[str], what: str) -> None:
    if name in set(taken):
        raise DomainError(f"there is already a {what} named {name!r}")


def _clamp(index: int | None, size: int) -> int:
    if index is None or index > size:
        return size
    return max(0, index)


# --------------------------------------------------------------------------- cell order
def _insert_into_cell(m: JourneyMap, card: Card, index: int | None) -> set[Change]:
    """Put ``card`` into its cell at ``index``, shifting later cards down; keeps 0..n-1."""
    peers = m.cards_in(card.step_id, card.lane_id)
    index = _clamp(index, len(peers))
    touched: set[Change] = {("card", m.id, card.id)}
    for peer in peers[index:]:
        peer.position += 1
        touched.add(("card", m.id, peer.id))
    card.position = index
    m.cards[card.id] = card
    return touched


def _take_from_cell(m: JourneyMap, card: Card) -> set[Change]:
    """Remove ``card`` from the map, closing the gap in its cell."""
    del m.cards[card.id]
    touched: set[Change] = {("card", m.id, card.id)}
    for peer in m.cards_in(card.step_id, card.lane_id):
        if peer.position > card.position:
            peer.position -= 1
            touched.add(("card", m.id, peer.id))
    return touched


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


# --------------------------------------------------------------------------- maps
class AddMapCommand(Command):
    """Add a whole map, with personas it brings that the workspace does not have yet."""

    label = "Add map"

    def __init__(self, journey_map: JourneyMap, new_personas: Sequence[Persona] = ()):
        self.map = journey_map
        self.new_personas = list(new_personas)

    def apply(self, ws: Workspace) -> Changes:
        self.map.name = _name(self.map.name, "map name")
        _unique(self.map.name, (m.name for m in ws.maps.values()), "map")
        if self.map.id in ws.maps:
            raise DomainError("that map is already in the workspace")
        taken = {p.name for p in ws.personas.values()}
        for persona in self.new_personas:
            _unique(persona.name, taken, "persona")
            taken.add(persona.name)
            if persona.id in ws.personas:
                raise DomainError(f"a persona with id {persona.id!r} is already in the workspace")
        known = set(ws.personas) | {p.id for p in self.new_personas}
        missing = [pid for pid in self.map.persona_ids if pid not in known]
        if missing:
            raise DomainError(f"the map links unknown personas {missing}")
        for persona in self.new_personas:
            ws.personas[persona.id] = persona
        ws.maps[self.map.id] = self.map
        return self._changes()

    def revert(self, ws: Workspace) -> Changes:
        del ws.maps[self.map.id]
        for persona in self.new_personas:
            del ws.personas[persona.id]
        return self._changes()

    def _changes(self) -> Changes:
        m = self.map
        keys: set[Change] = {("map", m.id), ("stages", m.id), ("lanes", m.id)}
        keys |= {("card", m.id, cid) for cid in m.cards}
        keys |= {("emotion", m.id, pid) for pid in m.emotions}
        keys |= {("persona", p.id) for p in self.new_personas}
        return frozenset(keys)


class RemoveMapCommand(Command):
    """Delete a map (its personas stay in the workspace)."""

    label = "Delete map"

    def __init__(self, map_id: str):
        self.map_id = map_id
        self._map: JourneyMap | None = None

    def apply(self, ws: Workspace) -> Changes:
        self._map = ws.map(self.map_id)
        del ws.maps[self.map_id]
        return AddMapCommand(self._map)._changes()

    def revert(self, ws: Workspace) -> Changes:
        assert self._map is not None
        ws.maps[self._map.id] = self._map
        return AddMapCommand(self._map)._changes()


class EditMapCommand(_FieldEdit):
    """Rename a map, change its description or its emotion scale."""

    label = "Edit map"

    def __init__(self, map_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id

    def _target(self, ws: Workspace) -> JourneyMap:
        return ws.map(self.map_id)

    def _check_field(self, ws: Workspace, target: JourneyMap, key: str, value: Any) -> Any:
        if key == "name":
            value = _name(value, "map name")
            if value != target.name:
                _unique(value, (m.name for m in ws.maps.values()), "map")
            return value
        if key == "description":
            return _text(value, "map description")
        if key in ("scale_min", "scale_max"):
            return _number(value, key)
        raise DomainError(f"a map has no field {key!r}")

    def _check_all(self, ws: Workspace, target: JourneyMap, values: dict[str, Any]) -> None:
        low = values.get("scale_min", target.scale_min)
        high = values.get("scale_max", target.scale_max)
        if low >= high:
            raise DomainError("the emotion scale's minimum must be below its maximum")
        if any(not low <= p.score <= high for p in target.emotions.values()):
            raise DomainError("some emotion points lie outside that scale; move them first")

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("map", self.map_id)})


# --------------------------------------------------------------------------- stages
class AddStageCommand(_MapCommand):
    """Insert a stage (with its steps) at ``index``, at the end by default."""

    label = "Add stage"

    def __init__(self, map_id: str, stage: Stage, index: int | None = None):
        super().__init__(map_id)
        self.stage = stage
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self.stage.name = _name(self.stage.name, "stage name")
        _unique(self.stage.name, (s.name for s in m.stages), "stage")
        _check_step_names(self.stage.steps)
        m.stages.insert(_clamp(self.index, len(m.stages)), self.stage)
        return frozenset({("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.stages.remove(self.stage)
        return frozenset({("stages", m.id)})


def _check_step_names(steps: Sequence[Step]) -> None:
    named = [s.name for s in steps if s.name]
    if len(set(named)) != len(named):
        raise DomainError("two steps of one stage have the same name")


class _RemovesCells(_MapCommand):
    """Shared by commands that delete whole columns or rows with their contents."""

    _cards: list[Card]
    _points: list[EmotionPoint]

    def _cut(self, m: JourneyMap, step_ids: set[str], lane_id: str | None = None) -> set[Change]:
        if lane_id is None:
            self._cards = [c for c in m.cards.values() if c.step_id in step_ids]
            self._points = [p for p in m.emotions.values() if p.step_id in step_ids]
        else:
            self._cards = [c for c in m.cards.values() if c.lane_id == lane_id]
            self._points = []
        for card in self._cards:
            del m.cards[card.id]
        for point in self._points:
            del m.emotions[point.id]
        return self._keys(m)

    def _paste(self, m: JourneyMap) -> set[Change]:
        for card in self._cards:
            m.cards[card.id] = card
        for point in self._points:
            m.emotions[point.id] = point
        return self._keys(m)

    def _keys(self, m: JourneyMap) -> set[Change]:
        keys: set[Change] = {("card", m.id, c.id) for c in self._cards}
        return keys | {("emotion", m.id, p.id) for p in self._points}


class RemoveStageCommand(_RemovesCells):
    """Delete a stage with its steps, their cards and emotion points."""

    label = "Delete stage"

    def __init__(self, map_id: str, stage_id: str):
        super().__init__(map_id)
        self.stage_id = stage_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._index = m.stage_index(self.stage_id)
        self._stage = m.stages.pop(self._index)
        keys = self._cut(m, {s.id for s in self._stage.steps})
        return frozenset(keys | {("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.stages.insert(self._index, self._stage)
        return frozenset(self._paste(m) | {("stages", m.id)})


class MoveStageCommand(_MapCommand):
    """Reorder: put a stage at ``index`` (its index after it is taken out)."""

    label = "Move stage"

    def __init__(self, map_id: str, stage_id: str, index: int):
        super().__init__(map_id)
        self.stage_id = stage_id
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._old = m.stage_index(self.stage_id)
        stage = m.stages.pop(self._old)
        m.stages.insert(_clamp(self.index, len(m.stages)), stage)
        return frozenset({("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        stage = m.stages.pop(m.stage_index(self.stage_id))
        m.stages.insert(self._old, stage)
        return frozenset({("stages", m.id)})


class EditStageCommand(_FieldEdit):
    """Rename a stage, change its description or its bound events."""

    label = "Edit stage"

    def __init__(self, map_id: str, stage_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.stage_id = stage_id

    def _target(self, ws: Workspace) -> Stage:
        return ws.map(self.map_id).stage(self.stage_id)

    def _check_field(self, ws: Workspace, target: Stage, key: str, value: Any) -> Any:
        if key == "name":
            value = _name(value, "stage name")
            if value != target.name:
                _unique(value, (s.name for s in ws.map(self.map_id).stages), "stage")
            return value
        if key == "description":
            return _text(value, "stage description")
        if key == "events":
            return _event_list(value, "stage events")
        raise DomainError(f"a stage has no field {key!r}")

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("stages", self.map_id)})


# --------------------------------------------------------------------------- steps
class AddStepCommand(_MapCommand):
    """Insert a step (column) into a stage."""

    label = "Add step"

    def __init__(self, map_id: str, stage_id: str, step: Step, index: int | None = None):
        super().__init__(map_id)
        self.stage_id = stage_id
        self.step = step
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        stage = self._map(ws).stage(self.stage_id)
        self.step.name = _text(self.step.name, "step name").strip()
        _check_step_names([*stage.steps, self.step])
        stage.steps.insert(_clamp(self.index, len(stage.steps)), self.step)
        return frozenset({("stages", self.map_id)})

    def revert(self, ws: Workspace) -> Changes:
        self._map(ws).stage(self.stage_id).steps.remove(self.step)
        return frozenset({("stages", self.map_id)})


class RemoveStepCommand(_RemovesCells):
    """Delete a step with its cards and emotion points; a stage keeps at least one step."""

    label = "Delete step"

    def __init__(self, map_id: str, step_id: str):
        super().__init__(map_id)
        self.step_id = step_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        stage, index = m.step_location(self.step_id)
        if len(stage.steps) == 1:
            raise DomainError("a stage keeps at least one step; delete the stage instead")
        self._stage_id, self._index = stage.id, index
        self._step = stage.steps.pop(index)
        return frozenset(self._cut(m, {self.step_id}) | {("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.stage(self._stage_id).steps.insert(self._index, self._step)
        return frozenset(self._paste(m) | {("stages", m.id)})


class MoveStepCommand(_MapCommand):
    """Move a step within its stage or into another stage, at ``index``."""

    label = "Move step"

    def __init__(self, map_id: str, step_id: str, stage_id: str, index: int):
        super().__init__(map_id)
        self.step_id = step_id
        self.stage_id = stage_id
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        source, old = m.step_location(self.step_id)
        target = m.stage(self.stage_id)
        if source is not target:
            if len(source.steps) == 1:
                raise DomainError("a stage keeps at least one step; move the stage instead")
            _check_step_names([*target.steps, source.steps[old]])
        self._source_id, self._old = source.id, old
        step = source.steps.pop(old)
        target.steps.insert(_clamp(self.index, len(target.steps)), step)
        return frozenset({("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        stage, index = m.step_location(self.step_id)
        step = stage.steps.pop(index)
        m.stage(self._source_id).steps.insert(self._old, step)
        return frozenset({("stages", m.id)})


class EditStepCommand(_FieldEdit):
    """Rename a step or change its bound events."""

    label = "Edit step"

    def __init__(self, map_id: str, step_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.step_id = step_id

    def _target(self, ws: Workspace) -> Step:
        return ws.map(self.map_id).step(self.step_id)

    def _check_field(self, ws: Workspace, target: Step, key: str, value: Any) -> Any:
        if key == "name":
            value = _text(value, "step name").strip()
            stage, _ = ws.map(self.map_id).step_location(self.step_id)
            _check_step_names([*(s for s in stage.steps if s is not target), Step(name=value)])
            return value
        if key == "events":
            return _event_list(value, "step events")
        raise DomainError(f"a step has no field {key!r}")

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("stages", self.map_id)})


# --------------------------------------------------------------------------- lanes
class AddLaneCommand(_MapCommand):
    """Insert a lane (row) at ``index``, at the bottom by default."""

    label = "Add lane"

    def __init__(self, map_id: str, lane: Lane, index: int | None = None):
        super().__init__(map_id)
        self.lane = lane
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self.lane.name = _name(self.lane.name, "lane name")
        self.lane.type = LaneType.parse(self.lane.type)
        _unique(self.lane.name, (lane.name for lane in m.lanes), "lane")
        m.lanes.insert(_clamp(self.index, len(m.lanes)), self.lane)
        return frozenset({("lanes", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        self._map(ws).lanes.remove(self.lane)
        return frozenset({("lanes", self.map_id)})


class RemoveLaneCommand(_RemovesCells):
    """Delete a lane with its cards."""

    label = "Delete lane"

    def __init__(self, map_id: str, lane_id: str):
        super().__init__(map_id)
        self.lane_id = lane_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._index = m.lane_index(self.lane_id)
        self._lane = m.lanes.pop(self._index)
        return frozenset(self._cut(m, set(), self.lane_id) | {("lanes", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.lanes.insert(self._index, self._lane)
        return frozenset(self._paste(m) | {("lanes", m.id)})


class MoveLaneCommand(_MapCommand):
    """Reorder: put a lane at ``index`` (its index after it is taken out)."""

    label = "Move lane"

    def __init__(self, map_id: str, lane_id: str, index: int):
        super().__init__(map_id)
        self.lane_id = lane_id
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._old = m.lane_index(self.lane_id)
        lane = m.lanes.pop(self._old)
        m.lanes.insert(_clamp(self.index, len(m.lanes)), lane)
        return frozenset({("lanes", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        lane = m.lanes.pop(m.lane_index(self.lane_id))
        m.lanes.insert(self._old, lane)
        return frozenset({("lanes", m.id)})


class EditLaneCommand(_FieldEdit):
    """Rename a lane or change its type."""

    label = "Edit lane"

    def __init__(self, map_id: str, lane_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.lane_id = lane_id

    def _target(self, ws: Workspace) -> Lane:
        return ws.map(self.map_id).lane(self.lane_id)

    def _check_field(self, ws: Workspace, target: Lane, key: str, value: Any) -> Any:
        if key == "name":
            value = _name(value, "lane name")
            if value != target.name:
                _unique(value, (lane.name for lane in ws.map(self.map_id).lanes), "lane")
            return value
        if key == "type":
            return LaneType.parse(value)
        raise DomainError(f"a lane has no field {key!r}")

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("lanes", self.map_id)})


# --------------------------------------------------------------------------- cards
class AddCardCommand(_MapCommand):
    """Put a new card into its cell at ``index`` (the end of the cell by default)."""

    label = "Add card"

    def __init__(self, map_id: str, card: Card, index: int | None = None):
        super().__init__(map_id)
        self.card = card
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.step(self.card.step_id)
        m.lane(self.card.lane_id)
        if self.card.id in m.cards:
            raise DomainError("that card is already on the map")
        for key in CARD_FIELDS:
            setattr(self.card, key, _check_card_field(key, getattr(self.card, key)))
        return frozenset(_insert_into_cell(m, self.card, self.index))

    def revert(self, ws: Workspace) -> Changes:
        return frozenset(_take_from_cell(self._map(ws), self.card))


class RemoveCardCommand(_MapCommand):
    """Delete a card."""

    label = "Delete card"

    def __init__(self, map_id: str, card_id: str):
        super().__init__(map_id)
        self.card_id = card_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._card = m.card(self.card_id)
        self._position = self._card.position
        return frozenset(_take_from_cell(m, self._card))

    def revert(self, ws: Workspace) -> Changes:
        return frozenset(_insert_into_cell(self._map(ws), self._card, self._position))


class MoveCardCommand(_MapCommand):
    """Move a card to another cell, or within its cell, at ``index``."""

    label = "Move card"

    def __init__(self, map_id: str, card_id: str, step_id: str, lane_id: str,
                 index: int | None = None):
        super().__init__(map_id)
        self.card_id = card_id
        self.step_id = step_id
        self.lane_id = lane_id
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        card = m.card(self.card_id)
        m.step(self.step_id)
        m.lane(self.lane_id)
        self._old = (card.step_id, card.lane_id, card.position)
        touched = _take_from_cell(m, card)
        card.step_id, card.lane_id = self.step_id, self.lane_id
        return frozenset(touched | _insert_into_cell(m, card, self.index))

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        card = m.card(self.card_id)
        touched = _take_from_cell(m, card)
        card.step_id, card.lane_id, position = self._old
        return frozenset(touched | _insert_into_cell(m, card, position))


class MoveCardsCommand(_MapCommand):
    """Move several cards together into one cell, in the given order, from ``index`` on.

    ``index`` counts among the cell's cards that are not being moved (the drop position a user
    sees while dragging).  Revert puts every card back into its own cell and position.
    """

    label = "Move cards"

    def __init__(self, map_id: str, card_ids: Sequence[str], step_id: str, lane_id: str,
                 index: int | None = None):
        super().__init__(map_id)
        if not card_ids or len(set(card_ids)) != len(card_ids):
            raise DomainError("give each card to move once")
        self.card_ids = list(card_ids)
        self.step_id = step_id
        self.lane_id = lane_id
        self.index = index

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        cards = [m.card(card_id) for card_id in self.card_ids]
        m.step(self.step_id)
        m.lane(self.lane_id)
        self._old = [(c.id, c.step_id, c.lane_id, c.position) for c in cards]
        touched: set[Change] = set()
        for card in cards:
            touched |= _take_from_cell(m, card)
        start = _clamp(self.index, len(m.cards_in(self.step_id, self.lane_id)))
        for offset, card in enumerate(cards):
            card.step_id, card.lane_id = self.step_id, self.lane_id
            touched |= _insert_into_cell(m, card, start + offset)
        return frozenset(touched)

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        cards = {card_id: m.card(card_id) for card_id in self.card_ids}
        touched: set[Change] = set()
        for card in cards.values():
            touched |= _take_from_cell(m, card)
        # Inserting each cell's cards in ascending old position rebuilds every cell exactly.
        for card_id, step_id, lane_id, position in sorted(self._old, key=lambda o: o[1:]):
            card = cards[card_id]
            card.step_id, card.lane_id = step_id, lane_id
            touched |= _insert_into_cell(m, card, position)
        return frozenset(touched)


class EditCardCommand(_FieldEdit):
    """Change a card's text, severity, priority, channel, tags, colour or events."""

    label = "Edit card"

    def __init__(self, map_id: str, card_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.card_id = card_id

    def _target(self, ws: Workspace) -> Card:
        return ws.map(self.map_id).card(self.card_id)

    def _check_field(self, ws: Workspace, target: Card, key: str, value: Any) -> Any:
        return _check_card_field(key, value)

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("card", self.map_id, self.card_id)})


# --------------------------------------------------------------------------- emotions
class AddEmotionCommand(_MapCommand):
    """Add a point to a persona's (or the map's) emotion curve."""

    label = "Add emotion point"

    def __init__(self, map_id: str, point: EmotionPoint):
        super().__init__(map_id)
        self.point = point

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        if self.point.id in m.emotions:
            raise DomainError("that emotion point is already on the map")
        _check_point(m, self.point.step_id, self.point.persona_id, self.point.score, None)
        self.point.score = float(self.point.score)
        self.point.label = _text(self.point.label, "emotion label")
        m.emotions[self.point.id] = self.point
        return frozenset({("emotion", m.id, self.point.id)})

    def revert(self, ws: Workspace) -> Changes:
        del self._map(ws).emotions[self.point.id]
        return frozenset({("emotion", self.map_id, self.point.id)})


def _check_point(m: JourneyMap, step_id: str, persona_id: str | None, score: Any,
                 point_id: str | None) -> None:
    m.step(step_id)
    if persona_id is not None and persona_id not in m.persona_ids:
        raise DomainError("link the persona to the map before giving it emotion points")
    m.check_score(_number(score, "an emotion score"))
    existing = m.emotion_at(step_id, persona_id)
    if existing is not None and existing.id != point_id:
        whose = "this persona" if persona_id is not None else "the map"
        raise DomainError(f"that step already has an emotion point for {whose}")


class RemoveEmotionCommand(_MapCommand):
    """Delete an emotion point."""

    label = "Delete emotion point"

    def __init__(self, map_id: str, point_id: str):
        super().__init__(map_id)
        self.point_id = point_id

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        self._point = m.emotion(self.point_id)
        del m.emotions[self.point_id]
        return frozenset({("emotion", m.id, self.point_id)})

    def revert(self, ws: Workspace) -> Changes:
        self._map(ws).emotions[self._point.id] = self._point
        return frozenset({("emotion", self.map_id, self.point_id)})


class EditEmotionCommand(_FieldEdit):
    """Change an emotion point's score, label or step."""

    label = "Edit emotion point"

    def __init__(self, map_id: str, point_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.point_id = point_id

    def _target(self, ws: Workspace) -> EmotionPoint:
        return ws.map(self.map_id).emotion(self.point_id)

    def _check_field(self, ws: Workspace, target: EmotionPoint, key: str, value: Any) -> Any:
        if key == "label":
            return _text(value, "emotion label")
        if key == "score":
            return _number(value, "an emotion score")
        if key == "step_id":
            return value
        raise DomainError(f"an emotion point has no field {key!r}")

    def _check_all(self, ws: Workspace, target: EmotionPoint, values: dict[str, Any]) -> None:
        _check_point(ws.map(self.map_id), values.get("step_id", target.step_id),
                     target.persona_id, values.get("score", target.score), target.id)

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("emotion", self.map_id, self.point_id)})


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


def copy_card(card: Card, **changes: Any) -> Card:
    """A new card (new id) with the same content, for duplicate and paste."""
    return replace(card, id=new_id(), tags=list(card.tags), events=list(card.events), **changes)


def copy_persona(persona: Persona, name: str) -> Persona:
    """A new persona (new id) with the same content under ``name``, for duplicate."""
    lists = {key: list(getattr(persona, key)) for key in PERSONA_LIST_FIELDS}
    return replace(persona, id=new_id(), name=name, segment=dict(persona.segment), **lists)
