"""Edit commands on maps and their grid: maps, stages, steps (columns) and lanes (rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeydesk.domain.commands_base import Change, Changes, Command, _FieldEdit, _MapCommand
from journeydesk.domain.commands_checks import (
    MAX_OWNER_CHARS,
    _clamp,
    _event_list,
    _limited,
    _name,
    _number,
    _optional_int,
    _text,
    _unique,
    check_review_date,
)
from journeydesk.domain.model import (
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
    unique_name,
)


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
        keys |= {("comment", m.id, cid) for cid in m.comments}
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


# A review interval is at most ten years, in days.
REVIEW_DAYS_RANGE = (1, 3650)


class EditMapCommand(_FieldEdit):
    """Rename a map, change its description, its emotion scale, its owner, review-by date
    (ISO ``YYYY-MM-DD`` or None) or review interval (days, or None)."""

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
        if key == "owner":
            return _limited(_text(value, "owner").strip(), "an owner", MAX_OWNER_CHARS) or ""
        if key == "review_by":
            return check_review_date(value)
        if key == "review_days":
            return _optional_int(value, "review interval (days)", *REVIEW_DAYS_RANGE)
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


def _name_lone_step(stage: Stage, arriving: Step) -> Step | None:
    """Give a stage's lone unnamed step the stage's name when a named step joins it.

    A lone unnamed step is shown as the stage itself; beside a named one it would read
    "Unnamed step" on the canvas and in the exports.  Its cards were about the whole stage,
    so the stage's name is what it goes by ("Step 1" should the newcomer have that name).
    Returns the step so named (the command unnames it on revert), or None.
    """
    if len(stage.steps) != 1 or stage.steps[0].name or not arriving.name:
        return None
    lone = stage.steps[0]
    base = stage.name if stage.name and stage.name != arriving.name else "Step 1"
    lone.name = unique_name(base, {arriving.name})
    return lone


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
    """Insert a step (column) into a stage; a lone unnamed step there takes the stage's name."""

    label = "Add step"

    def __init__(self, map_id: str, stage_id: str, step: Step, index: int | None = None):
        super().__init__(map_id)
        self.stage_id = stage_id
        self.step = step
        self.index = index
        self._named: Step | None = None

    def apply(self, ws: Workspace) -> Changes:
        stage = self._map(ws).stage(self.stage_id)
        self.step.name = _text(self.step.name, "step name").strip()
        _check_step_names([*stage.steps, self.step])
        self._named = _name_lone_step(stage, self.step)
        stage.steps.insert(_clamp(self.index, len(stage.steps)), self.step)
        return frozenset({("stages", self.map_id)})

    def revert(self, ws: Workspace) -> Changes:
        self._map(ws).stage(self.stage_id).steps.remove(self.step)
        if self._named is not None:
            self._named.name = ""
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
    """Move a step within its stage or into another stage, at ``index`` (a lone unnamed step
    there takes the stage's name, as with :class:`AddStepCommand`)."""

    label = "Move step"

    def __init__(self, map_id: str, step_id: str, stage_id: str, index: int):
        super().__init__(map_id)
        self.step_id = step_id
        self.stage_id = stage_id
        self.index = index
        self._named: Step | None = None

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        source, old = m.step_location(self.step_id)
        target = m.stage(self.stage_id)
        if source is not target:
            if len(source.steps) == 1:
                raise DomainError("a stage keeps at least one step; move the stage instead")
            _check_step_names([*target.steps, source.steps[old]])
        self._source_id, self._old = source.id, old
        self._named = _name_lone_step(target, source.steps[old]) if source is not target else None
        step = source.steps.pop(old)
        target.steps.insert(_clamp(self.index, len(target.steps)), step)
        return frozenset({("stages", m.id)})

    def revert(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        stage, index = m.step_location(self.step_id)
        step = stage.steps.pop(index)
        m.stage(self._source_id).steps.insert(self._old, step)
        if self._named is not None:
            self._named.name = ""
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
