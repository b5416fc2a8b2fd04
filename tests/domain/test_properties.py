"""Property tests: random command sequences on random workspaces undo and redo exactly.

Each example draws a small workspace, then 1..40 commands of every kind with arguments that are
often valid and often not (taken names, blank names, ids of another map or of nothing, values out
of range).  Commands that raise DomainError are skipped but must leave the workspace unchanged.
Ids are readable and deterministic (``m0``, ``s3``, ``c12``...) so a failing example can be read.
"""

from __future__ import annotations

import copy
import itertools
import math
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from journeydesk.domain.commands import (
    AddCardCommand,
    AddCommentCommand,
    AddEmotionCommand,
    AddLaneCommand,
    AddMapCommand,
    AddPersonaCommand,
    AddStageCommand,
    AddStepCommand,
    Command,
    CompositeCommand,
    EditCardCommand,
    EditCommentCommand,
    EditEmotionCommand,
    EditLaneCommand,
    EditMapCommand,
    EditPersonaCommand,
    EditStageCommand,
    EditStepCommand,
    LinkPersonaCommand,
    MoveCardCommand,
    MoveCardsCommand,
    MoveLaneCommand,
    MoveStageCommand,
    MoveStepCommand,
    RemoveCardCommand,
    RemoveCommentCommand,
    RemoveEmotionCommand,
    RemoveLaneCommand,
    RemoveMapCommand,
    RemovePersonaCommand,
    RemoveStageCommand,
    RemoveStepCommand,
    ReplaceMapContentCommand,
    UnlinkPersonaCommand,
)
from journeydesk.domain.model import (
    Card,
    Comment,
    DomainError,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
)

SETTINGS = settings(max_examples=200, deadline=None)
MISSING = "missing"


def mostly(valid: list[Any], invalid: list[Any]) -> st.SearchStrategy:
    """A valid value three times in four, else one the commands must reject."""
    good, bad = st.sampled_from(valid), st.sampled_from(invalid)
    return st.one_of(good, good, good, bad)


# Valid names collide on purpose with the names the workspace strategy gives out.
NAMES = mostly(["A", "B", "C", " A ", "S0", "S1", "T0", "T1", "L0", "P0", "Map 0"], ["", "  ", 7])
TEXTS = mostly(["", "hello", " spaced "], [3, None])
LISTS = mostly([[], ["x"], [" y ", ""], ("a", "b")], ["x", [None]])
EVENTS = mostly([[], ["e1"], ["e1", "e2"], [" ", "e3"]], [["e1", " e1 "], "e1", [1]])
SEVERITIES = mostly([None, 1, 3, 5], [0, 6, True, "3", 2.5])
PRIORITIES = mostly([None, "low", "medium", "high"], ["urgent", 1])
COLOURS = mostly([None, "#a0b1c2", "#A0B1C2"], ["red", "#12345", 5, ""])
CHANNELS = mostly([None, "web", "  "], [3])
LANE_TYPES = mostly([*(t.value for t in LaneType), LaneType.NOTES], ["feelings", 3])
SCORES = st.one_of(
    st.floats(-2, 2), st.floats(-2, 2), st.floats(-3, 3, allow_nan=False),
    st.sampled_from([0, 2, -2, math.nan, math.inf, "1", None, True]),
)
SCALES = mostly([-5, -3, -2.0, -1, 0, 1, 2.0, 3, 5], [math.nan, -math.inf, "x", True])
INDICES = st.one_of(st.none(), st.integers(-2, 6))
ANYTHING = st.sampled_from(["x", 1, None])
EVIDENCE = mostly([None, "assumed", "research", "observed", "measured"], ["guessed", 2])
SCORES_1_5 = mostly([None, 1, 3, 5], [0, 6, True, "2"])
STATUSES = mostly([None, "idea", "planned", "in_progress", "done"], ["later", 1])
DATES = mostly([None, "", "2027-01-31", " 2026-12-01 "], ["31/01/2027", "2027-02-30", 5])
REVIEW_DAYS = mostly([None, 1, 90, 3650], [0, 3651, 1.5, True])
CARD_FIELDS = {"text": TEXTS, "severity": SEVERITIES, "priority": PRIORITIES, "channel": CHANNELS,
               "tags": LISTS, "colour": COLOURS, "events": EVENTS, "evidence": EVIDENCE,
               "source": CHANNELS, "value": SCORES_1_5, "effort": SCORES_1_5,
               "status": STATUSES, "owner": CHANNELS}


def check_cells(ws: Workspace) -> None:
    """Every cell of every map holds cards at positions exactly 0..n-1."""
    for m in ws.maps.values():
        cells: dict[tuple[str, str], list[int]] = defaultdict(list)
        for card in m.cards.values():
            cells[(card.step_id, card.lane_id)].append(card.position)
        for cell, positions in cells.items():
            assert sorted(positions) == list(range(len(positions))), (m.name, cell, positions)


def snapshot(ws: Workspace) -> Workspace:
    """A deep copy for the per-command checks; pickling is ~2.5x faster than copy.deepcopy."""
    return pickle.loads(pickle.dumps(ws, pickle.HIGHEST_PROTOCOL))


class Ids:
    """Deterministic, readable ids for the objects of one example."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def __call__(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}"


# --------------------------------------------------------------------------- workspaces


def draw_workspace(data: st.DataObject, fresh: Ids) -> Workspace:
    """0..3 personas and 1..2 maps with 1..3 stages of 1..3 steps, lanes, cards and points."""
    personas = [Persona(id=fresh("p"), name=f"P{i}") for i in range(data.draw(st.integers(0, 3)))]
    ws = Workspace(personas={p.id: p for p in personas})
    for map_index in range(data.draw(st.integers(1, 2), label="maps")):
        m = JourneyMap(id=fresh("m"), name=f"Map {map_index}")
        if personas:
            m.persona_ids = data.draw(st.lists(st.sampled_from(list(ws.personas)), unique=True))
        for stage_index in range(data.draw(st.integers(1, 3))):
            n_steps = data.draw(st.integers(1, 3))
            steps = [Step(id=fresh("t"), name=f"T{i}" if n_steps > 1 else "")
                     for i in range(n_steps)]
            m.stages.append(Stage(id=fresh("s"), name=f"S{stage_index}", steps=steps))
        m.lanes = [Lane(id=fresh("l"), name=f"L{i}", type=data.draw(st.sampled_from(LaneType)))
                   for i in range(data.draw(st.integers(1, 3)))]
        steps = m.all_steps()
        for _ in range(data.draw(st.integers(0, 8), label="cards")):
            step, lane = data.draw(st.sampled_from(steps)), data.draw(st.sampled_from(m.lanes))
            card = Card(step.id, lane.id, text="t", id=fresh("c"),
                        position=len(m.cards_in(step.id, lane.id)))
            m.cards[card.id] = card
        for step in steps:
            for owner in [None, *m.persona_ids]:
                if data.draw(st.booleans()):
                    score = data.draw(st.floats(m.scale_min, m.scale_max))
                    point = EmotionPoint(step.id, score, owner, id=fresh("e"))
                    m.emotions[point.id] = point
        ws.maps[m.id] = m
    return ws


# --------------------------------------------------------------------------- commands


class Drawer:
    """Draws one random command against the current workspace."""

    def __init__(self, data: st.DataObject, ws: Workspace, fresh: Ids):
        self.data, self.ws, self.fresh = data, ws, fresh

    def draw(self, strategy: st.SearchStrategy) -> Any:
        return self.data.draw(strategy)

    def choose(self, own: list[str], others: list[str]) -> str:
        """Mostly an id of the chosen map; sometimes another map's or one that never existed."""
        return self.draw(st.sampled_from([*own * 7, *others, MISSING]))

    # ids of the chosen map (own) and of all maps (others)
    def map_id(self) -> str:
        return self.choose(list(self.ws.maps), [])

    def _ids(self, map_id: str, of: Callable[[JourneyMap], list[str]]) -> str:
        own = of(self.ws.maps[map_id]) if map_id in self.ws.maps else []
        return self.choose(own, [i for m in self.ws.maps.values() for i in of(m)])

    def stage_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: [s.id for s in m.stages])

    def step_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: [s.id for s in m.all_steps()])

    def lane_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: [lane.id for lane in m.lanes])

    def card_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: list(m.cards))

    def point_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: list(m.emotions))

    def persona_id(self) -> str:
        return self.choose(list(self.ws.personas), [])

    def new_or_taken_id(self, prefix: str, taken: list[str]) -> str:
        """Usually a fresh id; sometimes one already in use (an import of a known object)."""
        if taken and not self.draw(st.integers(0, 5)):
            return self.draw(st.sampled_from(taken))
        return self.fresh(prefix)

    def fields(self, strategies: dict[str, st.SearchStrategy]) -> dict[str, Any]:
        """1..3 fields; rarely none (an error too) or one the object does not have."""
        keys = self.draw(st.lists(st.sampled_from(list(strategies)), min_size=1, max_size=3,
                                  unique=True))
        roll = self.draw(st.integers(0, 15))
        if roll == 0:
            keys = []  # rejected when the command is built
        elif roll == 1:
            keys.append("bogus")
        return {key: self.draw(strategies.get(key, ANYTHING)) for key in keys}

    # one method per command kind
    def add_map(self) -> Command:
        newcomers = [Persona(id=self.new_or_taken_id("p", list(self.ws.personas)),
                             name=self.draw(NAMES))
                     for _ in range(self.draw(st.integers(0, 1)))]
        known = [*self.ws.personas, *(p.id for p in newcomers), MISSING]
        step, lane = Step(id=self.fresh("t")), Lane(id=self.fresh("l"), name="L0")
        m = JourneyMap(
            id=self.new_or_taken_id("m", list(self.ws.maps)), name=self.draw(NAMES),
            stages=[Stage(id=self.fresh("s"), name="S0", steps=[step])], lanes=[lane],
            persona_ids=self.draw(st.lists(st.sampled_from(known), max_size=2, unique=True)),
        )
        card = Card(step.id, lane.id, id=self.fresh("c"))
        m.cards[card.id] = card
        return AddMapCommand(m, newcomers)

    def remove_map(self) -> Command:
        return RemoveMapCommand(self.map_id())

    def edit_map(self) -> Command:
        return EditMapCommand(self.map_id(), **self.fields(
            {"name": NAMES, "description": TEXTS, "scale_min": SCALES, "scale_max": SCALES,
             "owner": TEXTS, "review_by": DATES, "review_days": REVIEW_DAYS}))

    def add_stage(self) -> Command:
        steps = [Step(id=self.fresh("t"), name=self.draw(st.sampled_from(["", "T0", "T1"])))
                 for _ in range(self.draw(st.integers(1, 2)))]
        stage = Stage(id=self.fresh("s"), name=self.draw(NAMES), steps=steps)
        return AddStageCommand(self.map_id(), stage, self.draw(INDICES))

    def remove_stage(self) -> Command:
        map_id = self.map_id()
        return RemoveStageCommand(map_id, self.stage_id(map_id))

    def move_stage(self) -> Command:
        map_id = self.map_id()
        return MoveStageCommand(map_id, self.stage_id(map_id), self.draw(INDICES))

    def edit_stage(self) -> Command:
        map_id = self.map_id()
        return EditStageCommand(map_id, self.stage_id(map_id), **self.fields(
            {"name": NAMES, "description": TEXTS, "events": EVENTS}))

    def add_step(self) -> Command:
        map_id = self.map_id()
        step = Step(id=self.fresh("t"), name=self.draw(NAMES))
        return AddStepCommand(map_id, self.stage_id(map_id), step, self.draw(INDICES))

    def remove_step(self) -> Command:
        map_id = self.map_id()
        return RemoveStepCommand(map_id, self.step_id(map_id))

    def move_step(self) -> Command:
        map_id = self.map_id()
        return MoveStepCommand(map_id, self.step_id(map_id), self.stage_id(map_id),
                               self.draw(INDICES))

    def edit_step(self) -> Command:
        map_id = self.map_id()
        return EditStepCommand(map_id, self.step_id(map_id),
                               **self.fields({"name": NAMES, "events": EVENTS}))

    def add_lane(self) -> Command:
        lane = Lane(id=self.fresh("l"), name=self.draw(NAMES), type=self.draw(LANE_TYPES))
        return AddLaneCommand(self.map_id(), lane, self.draw(INDICES))

    def remove_lane(self) -> Command:
        map_id = self.map_id()
        return RemoveLaneCommand(map_id, self.lane_id(map_id))

    def move_lane(self) -> Command:
        map_id = self.map_id()
        return MoveLaneCommand(map_id, self.lane_id(map_id), self.draw(INDICES))

    def edit_lane(self) -> Command:
        map_id = self.map_id()
        return EditLaneCommand(map_id, self.lane_id(map_id),
                               **self.fields({"name": NAMES, "type": LANE_TYPES}))

    def add_card(self) -> Command:
        map_id = self.map_id()
        taken = list(self.ws.maps[map_id].cards) if map_id in self.ws.maps else []
        fields = {key: value for key, value in self.fields(CARD_FIELDS).items()
                  if key != "bogus"}
        card = Card(self.step_id(map_id), self.lane_id(map_id),
                    id=self.new_or_taken_id("c", taken), position=self.draw(INDICES) or 0,
                    **fields)
        return AddCardCommand(map_id, card, self.draw(INDICES))

    def remove_card(self) -> Command:
        map_id = self.map_id()
        return RemoveCardCommand(map_id, self.card_id(map_id))

    def move_card(self) -> Command:
        map_id = self.map_id()
        return MoveCardCommand(map_id, self.card_id(map_id), self.step_id(map_id),
                               self.lane_id(map_id), self.draw(INDICES))

    def move_cards(self) -> Command:
        """1..3 cards, rarely the same one twice (rejected when the command is built)."""
        map_id = self.map_id()
        card_ids = [self.card_id(map_id) for _ in range(self.draw(st.integers(1, 3)))]
        return MoveCardsCommand(map_id, card_ids, self.step_id(map_id), self.lane_id(map_id),
                                self.draw(INDICES))

    def edit_card(self) -> Command:
        map_id = self.map_id()
        fields = self.fields({**CARD_FIELDS, "addresses": ANYTHING})
        if "addresses" in fields:  # cards of the map (maybe the card itself), or a missing one
            fields["addresses"] = [self.card_id(map_id)
                                   for _ in range(self.draw(st.integers(0, 2)))]
        return EditCardCommand(map_id, self.card_id(map_id), **fields)

    def _comment_id(self, map_id: str) -> str:
        return self._ids(map_id, lambda m: list(m.comments))

    def add_comment(self) -> Command:
        map_id = self.map_id()
        taken = list(self.ws.maps[map_id].comments) if map_id in self.ws.maps else []
        comment = Comment(self.card_id(map_id), self.draw(TEXTS), author=self.draw(TEXTS),
                          resolved=self.draw(st.booleans()),
                          id=self.new_or_taken_id("k", taken))
        return AddCommentCommand(map_id, comment)

    def edit_comment(self) -> Command:
        map_id = self.map_id()
        return EditCommentCommand(map_id, self._comment_id(map_id), **self.fields(
            {"text": TEXTS, "resolved": mostly([True, False], [1, None])}))

    def remove_comment(self) -> Command:
        map_id = self.map_id()
        return RemoveCommentCommand(map_id, self._comment_id(map_id))

    def replace_content(self) -> Command:
        """Another map's content (or a copy of this one's) put in place of the map's."""
        map_id = self.map_id()
        if not self.ws.maps:  # refused: no map to replace
            return ReplaceMapContentCommand(map_id, JourneyMap(name="Empty"))
        source = self.draw(st.sampled_from(sorted(self.ws.maps)))
        return ReplaceMapContentCommand(map_id, copy.deepcopy(self.ws.maps[source]))

    def add_emotion(self) -> Command:
        map_id = self.map_id()
        taken = list(self.ws.maps[map_id].emotions) if map_id in self.ws.maps else []
        linked = self.ws.maps[map_id].persona_ids if map_id in self.ws.maps else []
        persona_id = self.draw(mostly([None, *linked], [*self.ws.personas, MISSING]))
        point = EmotionPoint(self.step_id(map_id), self.draw(SCORES), persona_id,
                             label=self.draw(TEXTS), id=self.new_or_taken_id("e", taken))
        return AddEmotionCommand(map_id, point)

    def remove_emotion(self) -> Command:
        map_id = self.map_id()
        return RemoveEmotionCommand(map_id, self.point_id(map_id))

    def edit_emotion(self) -> Command:
        map_id = self.map_id()
        point_id = self.point_id(map_id)
        fields = self.fields({"score": SCORES, "label": TEXTS, "step_id": ANYTHING})
        if "step_id" in fields:
            fields["step_id"] = self.step_id(map_id)
        return EditEmotionCommand(map_id, point_id, **fields)

    def add_persona(self) -> Command:
        persona = Persona(id=self.new_or_taken_id("p", list(self.ws.personas)),
                          name=self.draw(NAMES), role=self.draw(TEXTS), goals=self.draw(LISTS))
        return AddPersonaCommand(persona)

    def edit_persona(self) -> Command:
        return EditPersonaCommand(self.persona_id(), **self.fields(
            {"name": NAMES, "role": TEXTS, "notes": TEXTS, "goals": LISTS, "tags": LISTS}))

    def remove_persona(self) -> Command:
        return RemovePersonaCommand(self.persona_id())

    def link_persona(self) -> Command:
        return LinkPersonaCommand(self.map_id(), self.persona_id())

    def unlink_persona(self) -> Command:
        return UnlinkPersonaCommand(self.map_id(), self.persona_id())

    def composite(self) -> Command:
        """1..3 commands drawn against the current state; later ones may fail after earlier."""
        parts = [self.command(composite=False) for _ in range(self.draw(st.integers(1, 3)))]
        return CompositeCommand("several", parts)

    # Edits that keep content alive come twice so that removals do not empty the workspace.
    KINDS: tuple[str, ...] = (
        "add_map", "remove_map", "edit_map", "edit_map",
        "add_stage", "remove_stage", "move_stage", "edit_stage",
        "add_step", "remove_step", "move_step", "edit_step",
        "add_lane", "remove_lane", "move_lane", "edit_lane",
        "add_card", "add_card", "remove_card", "move_card", "move_card", "move_cards", "edit_card",
        "add_emotion", "add_emotion", "remove_emotion", "edit_emotion", "edit_emotion",
        "add_persona", "edit_persona", "remove_persona", "link_persona", "unlink_persona",
        "add_comment", "add_comment", "edit_comment", "remove_comment", "replace_content",
        "composite",
    )

    def command(self, composite: bool = True) -> Command:
        kinds = self.KINDS if composite else self.KINDS[:-1]
        kind = self.data.draw(st.sampled_from(kinds), label="kind")
        return getattr(self, kind)()


def describe(command: Command) -> str:
    if isinstance(command, CompositeCommand):
        return f"Composite[{', '.join(describe(c) for c in command.commands)}]"
    public = {k: v for k, v in vars(command).items() if not k.startswith("_")}
    return f"{type(command).__name__}({public})"


def applied_commands(data: st.DataObject, ws: Workspace, fresh: Ids
                     ) -> Iterator[tuple[Command, Workspace]]:
    """Draw and apply 1..40 random commands; yield each applied one with the state before it.

    A command that is rejected (when built or when applied) must leave the workspace unchanged.
    """
    for _ in range(data.draw(st.integers(1, 40), label="length")):
        before = snapshot(ws)
        try:
            command = Drawer(data, ws, fresh).command()
            note(describe(command))
            command.apply(ws)
        except DomainError as error:
            note(f"  rejected: {error}")
            assert ws == before, "a rejected command changed the workspace"
            continue
        check_cells(ws)
        yield command, before


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(st.data())
def test_reverting_all_applied_commands_restores_the_start(data):
    fresh = Ids()
    ws = draw_workspace(data, fresh)
    start = copy.deepcopy(ws)
    check_cells(ws)
    history = list(applied_commands(data, ws, fresh))
    for command, before in reversed(history):
        command.revert(ws)
        check_cells(ws)
        assert ws == before
    assert ws == start


@SETTINGS
@given(st.data())
def test_redo_after_undo_gives_the_same_state(data):
    fresh = Ids()
    ws = draw_workspace(data, fresh)
    for command, before in applied_commands(data, ws, fresh):
        after = snapshot(ws)
        command.revert(ws)
        assert ws == before
        command.apply(ws)
        check_cells(ws)
        assert ws == after
