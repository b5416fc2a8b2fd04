"""Unit tests for the edit commands: apply, revert, redo, validation and change keys.

Most tests go through :func:`roundtrip`, which applies a command, checks the reported change keys
and the card-order invariant, reverts it (the workspace must equal a snapshot taken before), and
applies it again (the workspace must equal the state after the first apply).  The sample workspace
and its ids are described in ``conftest.py``.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable

import pytest

from journeydesk.domain.commands import (
    AddCardCommand,
    AddEmotionCommand,
    AddLaneCommand,
    AddMapCommand,
    AddPersonaCommand,
    AddStageCommand,
    AddStepCommand,
    Change,
    Changes,
    Command,
    CompositeCommand,
    EditCardCommand,
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
    RemoveEmotionCommand,
    RemoveLaneCommand,
    RemoveMapCommand,
    RemovePersonaCommand,
    RemoveStageCommand,
    RemoveStepCommand,
    UnlinkPersonaCommand,
    copy_card,
    maps_using_persona,
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
)

# --------------------------------------------------------------------------- helpers


def check_cells(ws: Workspace) -> None:
    """Every cell of every map holds cards at positions exactly 0..n-1."""
    for m in ws.maps.values():
        cells: dict[tuple[str, str], list[int]] = defaultdict(list)
        for card in m.cards.values():
            cells[(card.step_id, card.lane_id)].append(card.position)
        for cell, positions in cells.items():
            assert sorted(positions) == list(range(len(positions))), (m.name, cell, positions)


def _map_fields(m: JourneyMap) -> tuple:
    return (m.name, m.description, m.scale_min, m.scale_max, m.persona_ids)


def changed_keys(before: Workspace, after: Workspace) -> set[Change]:
    """The change keys a command must report to get from ``before`` to ``after``."""
    keys: set[Change] = set()
    for map_id in before.maps.keys() | after.maps.keys():
        old, new = before.maps.get(map_id), after.maps.get(map_id)
        if old is None or new is None:
            whole = old or new
            keys |= {("map", map_id), ("stages", map_id), ("lanes", map_id)}
            keys |= {("card", map_id, card_id) for card_id in whole.cards}
            keys |= {("emotion", map_id, point_id) for point_id in whole.emotions}
            continue
        if _map_fields(old) != _map_fields(new):
            keys.add(("map", map_id))
        if old.stages != new.stages:
            keys.add(("stages", map_id))
        if old.lanes != new.lanes:
            keys.add(("lanes", map_id))
        for card_id in old.cards.keys() | new.cards.keys():
            if old.cards.get(card_id) != new.cards.get(card_id):
                keys.add(("card", map_id, card_id))
        for point_id in old.emotions.keys() | new.emotions.keys():
            if old.emotions.get(point_id) != new.emotions.get(point_id):
                keys.add(("emotion", map_id, point_id))
    for persona_id in before.personas.keys() | after.personas.keys():
        if before.personas.get(persona_id) != after.personas.get(persona_id):
            keys.add(("persona", persona_id))
    return keys


def roundtrip(ws: Workspace, command: Command) -> Changes:
    """Apply, revert and re-apply ``command``; leave it applied and return its change keys."""
    before = copy.deepcopy(ws)
    keys = command.apply(ws)
    after = copy.deepcopy(ws)
    assert after != before, "the command changed nothing"
    assert changed_keys(before, after) <= keys
    check_cells(ws)

    undo_keys = command.revert(ws)
    assert ws == before
    assert changed_keys(after, before) <= undo_keys
    check_cells(ws)

    redo_keys = command.apply(ws)
    assert ws == after
    assert redo_keys == keys
    check_cells(ws)
    return keys


def assert_rejected(ws: Workspace, command: Command, match: str | None = None) -> None:
    """``command`` raises DomainError and leaves the workspace exactly as it was."""
    before = copy.deepcopy(ws)
    with pytest.raises(DomainError, match=match):
        command.apply(ws)
    assert ws == before


def names(items) -> list[str]:
    return [item.name for item in items]


def cell(ws: Workspace, step_id: str, lane_id: str, map_id: str = "m-onb") -> list[str]:
    return [card.id for card in ws.maps[map_id].cards_in(step_id, lane_id)]


def test_sample_workspace_is_consistent(ws):
    check_cells(ws)
    assert cell(ws, "sp-search", "l-act") == ["c-a0", "c-a1", "c-a2"]


# --------------------------------------------------------------------------- maps


def test_add_map_with_new_and_existing_personas(ws):
    dee = Persona(id="p-dee", name="Dee")
    support = JourneyMap(
        id="m-sup", name="Support", persona_ids=["p-ben", "p-dee"],
        stages=[Stage(id="s-ask", name="Ask", steps=[Step(id="sp-ask")])],
        lanes=[Lane(id="l-sup", name="Actions")],
        cards={"c-s0": Card(id="c-s0", step_id="sp-ask", lane_id="l-sup")},
        emotions={"e-s0": EmotionPoint(id="e-s0", step_id="sp-ask", score=1, persona_id="p-dee")},
    )
    keys = roundtrip(ws, AddMapCommand(support, [dee]))
    assert ws.maps["m-sup"] is support
    assert ws.personas["p-dee"] is dee
    assert {("map", "m-sup"), ("stages", "m-sup"), ("lanes", "m-sup"), ("card", "m-sup", "c-s0"),
            ("emotion", "m-sup", "e-s0"), ("persona", "p-dee")} <= keys


def test_add_map_strips_its_name(ws):
    roundtrip(ws, AddMapCommand(JourneyMap(id="m-sup", name=" Support ")))
    assert ws.maps["m-sup"].name == "Support"


def test_remove_map_keeps_personas_and_reports_its_contents(ws):
    keys = roundtrip(ws, RemoveMapCommand("m-ren"))
    assert list(ws.maps) == ["m-onb"]
    assert set(ws.personas) == {"p-ana", "p-ben", "p-cy"}
    assert {("map", "m-ren"), ("card", "m-ren", "c-r0"), ("emotion", "m-ren", "e-ren")} <= keys


def test_edit_map_fields(ws):
    keys = roundtrip(ws, EditMapCommand("m-onb", name=" Getting started ", description="new",
                                        scale_min=-3, scale_max=3))
    m = ws.maps["m-onb"]
    assert (m.name, m.description, m.scale_min, m.scale_max) == ("Getting started", "new", -3, 3)
    assert isinstance(m.scale_min, float)
    assert keys == {("map", "m-onb")}


def test_edit_map_may_keep_its_own_name(ws):
    roundtrip(ws, EditMapCommand("m-onb", name="Onboarding", description="same name"))
    assert ws.maps["m-onb"].name == "Onboarding"


def test_edit_map_scale_that_still_holds_every_point(ws):
    roundtrip(ws, EditMapCommand("m-onb", scale_min=-2.0, scale_max=1.0))
    assert ws.maps["m-onb"].scale_max == 1.0


# --------------------------------------------------------------------------- stages


def test_add_stage_at_index(ws):
    stage = Stage(id="s-pay", name=" Pay ", steps=[Step(name="Card"), Step(name="Invoice")])
    keys = roundtrip(ws, AddStageCommand("m-onb", stage, index=1))
    m = ws.maps["m-onb"]
    assert names(m.stages) == ["Discover", "Pay", "Sign up", "Use"]
    assert keys == {("stages", "m-onb")}


@pytest.mark.parametrize(("index", "expected"), [
    (None, ["Discover", "Sign up", "Use", "Pay"]),
    (99, ["Discover", "Sign up", "Use", "Pay"]),
    (-5, ["Pay", "Discover", "Sign up", "Use"]),
])
def test_add_stage_index_is_clamped(ws, index, expected):
    roundtrip(ws, AddStageCommand("m-onb", Stage(name="Pay"), index=index))
    assert names(ws.maps["m-onb"].stages) == expected
    assert len(ws.maps["m-onb"].stage_named("Pay").steps) == 1


def test_remove_stage_takes_its_cards_and_points(ws):
    keys = roundtrip(ws, RemoveStageCommand("m-onb", "s-sign"))
    m = ws.maps["m-onb"]
    assert names(m.stages) == ["Discover", "Use"]
    assert set(m.cards) == {"c-a0", "c-a1", "c-a2"}
    assert set(m.emotions) == {"e-ana-search"}
    assert {("stages", "m-onb"), ("card", "m-onb", "c-f0"), ("card", "m-onb", "c-o0"),
            ("emotion", "m-onb", "e-map-verify"), ("emotion", "m-onb", "e-ben-form")} <= keys
    assert ws.maps["m-ren"].cards["c-r0"]  # the other map is untouched


def test_remove_the_only_stage_leaves_an_empty_map(ws):
    roundtrip(ws, RemoveStageCommand("m-ren", "s-rem"))
    assert ws.maps["m-ren"].stages == []
    assert ws.maps["m-ren"].cards == {}


@pytest.mark.parametrize(("stage_id", "index", "expected"), [
    ("s-disc", 2, ["Sign up", "Use", "Discover"]),
    ("s-use", 0, ["Use", "Discover", "Sign up"]),
    ("s-disc", 99, ["Sign up", "Use", "Discover"]),
    ("s-sign", -1, ["Sign up", "Discover", "Use"]),
])
def test_move_stage(ws, stage_id, index, expected):
    keys = roundtrip(ws, MoveStageCommand("m-onb", stage_id, index))
    assert names(ws.maps["m-onb"].stages) == expected
    assert keys == {("stages", "m-onb")}


def test_edit_stage(ws):
    roundtrip(ws, EditStageCommand("m-onb", "s-disc", name="Explore", description="look around",
                                   events=[" view ", "", "search"]))
    stage = ws.maps["m-onb"].stage("s-disc")
    assert (stage.name, stage.description, stage.events) == (
        "Explore", "look around", ["view", "search"])


# --------------------------------------------------------------------------- steps


def test_add_step_at_index(ws):
    keys = roundtrip(ws, AddStepCommand("m-onb", "s-sign", Step(id="sp-new", name=" Confirm "), 1))
    assert names(ws.maps["m-onb"].stage("s-sign").steps) == ["Form", "Confirm", "Verify", "Welcome"]
    assert keys == {("stages", "m-onb")}


def test_add_step_name_may_repeat_in_another_stage_and_blank_names_may_repeat(ws):
    roundtrip(ws, AddStepCommand("m-onb", "s-sign", Step(name="Search")))
    roundtrip(ws, AddStepCommand("m-onb", "s-use", Step(name="")))
    assert names(ws.maps["m-onb"].stage("s-use").steps) == ["", ""]


def test_remove_step_takes_its_cards_and_points(ws):
    keys = roundtrip(ws, RemoveStepCommand("m-onb", "sp-form"))
    m = ws.maps["m-onb"]
    assert names(m.stage("s-sign").steps) == ["Verify", "Welcome"]
    assert not {"c-f0", "c-f1", "c-p0"} & set(m.cards)
    assert not {"e-ana-form", "e-ben-form"} & set(m.emotions)
    assert {("card", "m-onb", "c-f0"), ("card", "m-onb", "c-f1"), ("card", "m-onb", "c-p0"),
            ("emotion", "m-onb", "e-ana-form"), ("emotion", "m-onb", "e-ben-form")} <= keys


def test_move_step_within_its_stage(ws):
    roundtrip(ws, MoveStepCommand("m-onb", "sp-search", "s-disc", 1))
    assert names(ws.maps["m-onb"].stage("s-disc").steps) == ["Compare", "Search"]


def test_move_step_to_another_stage_keeps_its_cards(ws):
    keys = roundtrip(ws, MoveStepCommand("m-onb", "sp-verify", "s-disc", 0))
    m = ws.maps["m-onb"]
    assert names(m.stage("s-disc").steps) == ["Verify", "Search", "Compare"]
    assert names(m.stage("s-sign").steps) == ["Form", "Welcome"]
    assert m.cards["c-o0"].step_id == "sp-verify"
    assert keys == {("stages", "m-onb")}


def test_edit_step(ws):
    roundtrip(ws, EditStepCommand("m-onb", "sp-compare", name=" Shortlist ", events=["cmp"]))
    step = ws.maps["m-onb"].step("sp-compare")
    assert (step.name, step.events) == ("Shortlist", ["cmp"])


def test_edit_step_may_clear_its_name(ws):
    roundtrip(ws, EditStepCommand("m-onb", "sp-compare", name=""))
    assert ws.maps["m-onb"].step("sp-compare").name == ""


# --------------------------------------------------------------------------- lanes


def test_add_lane_parses_its_type(ws):
    keys = roundtrip(ws, AddLaneCommand("m-onb", Lane(name="Thoughts", type="thoughts"), 0))
    m = ws.maps["m-onb"]
    assert names(m.lanes) == ["Thoughts", "Actions", "Pain points", "Opportunities"]
    assert m.lanes[0].type is LaneType.THOUGHTS
    assert keys == {("lanes", "m-onb")}


def test_remove_lane_takes_its_cards(ws):
    keys = roundtrip(ws, RemoveLaneCommand("m-onb", "l-act"))
    m = ws.maps["m-onb"]
    assert names(m.lanes) == ["Pain points", "Opportunities"]
    assert set(m.cards) == {"c-p0", "c-o0"}
    assert len(m.emotions) == 4
    assert {("lanes", "m-onb"), *(("card", "m-onb", c) for c in
                                  ("c-a0", "c-a1", "c-a2", "c-f0", "c-f1"))} <= keys


@pytest.mark.parametrize(("lane_id", "index", "expected"), [
    ("l-opp", 0, ["Opportunities", "Actions", "Pain points"]),
    ("l-act", 5, ["Pain points", "Opportunities", "Actions"]),
    ("l-pain", -3, ["Pain points", "Actions", "Opportunities"]),
])
def test_move_lane(ws, lane_id, index, expected):
    roundtrip(ws, MoveLaneCommand("m-onb", lane_id, index))
    assert names(ws.maps["m-onb"].lanes) == expected


def test_edit_lane(ws):
    keys = roundtrip(ws, EditLaneCommand("m-onb", "l-opp", name="Ideas", type="notes"))
    lane = ws.maps["m-onb"].lane("l-opp")
    assert (lane.name, lane.type) == ("Ideas", LaneType.NOTES)
    assert keys == {("lanes", "m-onb")}


# --------------------------------------------------------------------------- cards


def test_add_card_in_the_middle_shifts_later_peers(ws):
    card = Card(id="c-new", step_id="sp-search", lane_id="l-act", text="new")
    keys = roundtrip(ws, AddCardCommand("m-onb", card, index=1))
    assert cell(ws, "sp-search", "l-act") == ["c-a0", "c-new", "c-a1", "c-a2"]
    assert keys == {("card", "m-onb", c) for c in ("c-new", "c-a1", "c-a2")}


@pytest.mark.parametrize("index", [None, 3, 42])
def test_add_card_at_the_end_touches_only_itself(ws, index):
    card = Card(id="c-new", step_id="sp-search", lane_id="l-act", position=7)
    keys = roundtrip(ws, AddCardCommand("m-onb", card, index=index))
    assert cell(ws, "sp-search", "l-act") == ["c-a0", "c-a1", "c-a2", "c-new"]
    assert ws.maps["m-onb"].cards["c-new"].position == 3
    assert keys == {("card", "m-onb", "c-new")}


def test_add_card_into_an_empty_cell(ws):
    card = Card(id="c-new", step_id="sp-compare", lane_id="l-pain")
    roundtrip(ws, AddCardCommand("m-onb", card, index=-2))
    assert ws.maps["m-onb"].cards["c-new"].position == 0


def test_add_card_normalises_its_fields(ws):
    card = Card(step_id="sp-use", lane_id="l-opp", colour="#AbCdEf", channel="  ",
                tags=[" web ", ""], events=[" click "], severity=5, priority="low")
    roundtrip(ws, AddCardCommand("m-onb", card))
    stored = ws.maps["m-onb"].cards[card.id]
    assert (stored.colour, stored.channel, stored.tags, stored.events) == (
        "#abcdef", None, ["web"], ["click"])


@pytest.mark.parametrize(("card_id", "after", "keys"), [
    ("c-a0", ["c-a1", "c-a2"], {"c-a0", "c-a1", "c-a2"}),
    ("c-a1", ["c-a0", "c-a2"], {"c-a1", "c-a2"}),
    ("c-a2", ["c-a0", "c-a1"], {"c-a2"}),
])
def test_remove_card_closes_the_gap(ws, card_id, after, keys):
    reported = roundtrip(ws, RemoveCardCommand("m-onb", card_id))
    assert cell(ws, "sp-search", "l-act") == after
    assert reported == {("card", "m-onb", c) for c in keys}


@pytest.mark.parametrize(("card_id", "index", "after"), [
    ("c-a0", 2, ["c-a1", "c-a2", "c-a0"]),
    ("c-a0", None, ["c-a1", "c-a2", "c-a0"]),
    ("c-a2", 0, ["c-a2", "c-a0", "c-a1"]),
    ("c-a1", 0, ["c-a1", "c-a0", "c-a2"]),
])
def test_move_card_within_its_cell(ws, card_id, index, after):
    keys = roundtrip(ws, MoveCardCommand("m-onb", card_id, "sp-search", "l-act", index))
    assert cell(ws, "sp-search", "l-act") == after
    moved = {cid for pos, cid in enumerate(after) if cid != ["c-a0", "c-a1", "c-a2"][pos]}
    assert {("card", "m-onb", c) for c in moved} <= keys


def test_move_card_to_another_cell_reports_peers_in_both_cells(ws):
    keys = roundtrip(ws, MoveCardCommand("m-onb", "c-a1", "sp-form", "l-act", 0))
    assert cell(ws, "sp-search", "l-act") == ["c-a0", "c-a2"]
    assert cell(ws, "sp-form", "l-act") == ["c-a1", "c-f0", "c-f1"]
    assert keys == {("card", "m-onb", c) for c in ("c-a1", "c-a2", "c-f0", "c-f1")}


def test_move_card_to_another_lane_of_the_same_step(ws):
    roundtrip(ws, MoveCardCommand("m-onb", "c-f1", "sp-form", "l-pain", 0))
    assert cell(ws, "sp-form", "l-act") == ["c-f0"]
    assert cell(ws, "sp-form", "l-pain") == ["c-f1", "c-p0"]


def test_move_card_into_an_empty_cell(ws):
    roundtrip(ws, MoveCardCommand("m-onb", "c-p0", "sp-welcome", "l-opp"))
    assert cell(ws, "sp-welcome", "l-opp") == ["c-p0"]
    assert cell(ws, "sp-form", "l-pain") == []


def test_move_cards_from_several_cells_into_one(ws):
    command = MoveCardsCommand("m-onb", ["c-p0", "c-a1", "c-o0"], "sp-form", "l-act", 1)
    keys = roundtrip(ws, command)
    assert cell(ws, "sp-form", "l-act") == ["c-f0", "c-p0", "c-a1", "c-o0", "c-f1"]
    assert cell(ws, "sp-search", "l-act") == ["c-a0", "c-a2"]
    assert cell(ws, "sp-form", "l-pain") == cell(ws, "sp-verify", "l-opp") == []
    assert {("card", "m-onb", c) for c in ("c-p0", "c-a1", "c-o0", "c-a2", "c-f1")} <= keys


@pytest.mark.parametrize(("card_ids", "index", "after"), [
    (["c-a2", "c-a0"], 0, ["c-a2", "c-a0", "c-a1"]),
    (["c-a0", "c-a2"], None, ["c-a1", "c-a0", "c-a2"]),
    (["c-a1", "c-a0"], 9, ["c-a2", "c-a1", "c-a0"]),
    (["c-a0", "c-a1", "c-a2"], 0, ["c-a0", "c-a1", "c-a2"]),
])
def test_move_cards_within_their_cell(ws, card_ids, index, after):
    command = MoveCardsCommand("m-onb", card_ids, "sp-search", "l-act", index)
    before = copy.deepcopy(ws)
    command.apply(ws)
    assert cell(ws, "sp-search", "l-act") == after
    check_cells(ws)
    command.revert(ws)
    assert ws == before


@pytest.mark.parametrize("card_ids", [[], ["c-a0", "c-a0"]])
def test_move_cards_needs_each_card_once(card_ids):
    with pytest.raises(DomainError, match="once"):
        MoveCardsCommand("m-onb", card_ids, "sp-use", "l-act")


def test_edit_card(ws):
    keys = roundtrip(ws, EditCardCommand(
        "m-onb", "c-p0", text="Slow form", severity=None, priority="medium", channel=" web ",
        tags=["ux"], colour="#FF0000", events=["form_error"]))
    card = ws.maps["m-onb"].cards["c-p0"]
    assert (card.text, card.severity, card.priority, card.channel, card.tags, card.colour,
            card.events) == ("Slow form", None, "medium", "web", ["ux"], "#ff0000",
                             ["form_error"])
    assert card.position == 0
    assert keys == {("card", "m-onb", "c-p0")}


# --------------------------------------------------------------------------- emotions


@pytest.mark.parametrize(("persona_id", "step_id", "score"), [
    ("p-ben", "sp-search", 2),
    ("p-ana", "sp-use", -2.0),
    (None, "sp-form", 0.25),
])
def test_add_emotion_point(ws, persona_id, step_id, score):
    point = EmotionPoint(id="e-new", step_id=step_id, persona_id=persona_id, score=score,
                         label="hm")
    keys = roundtrip(ws, AddEmotionCommand("m-onb", point))
    assert ws.maps["m-onb"].emotion_at(step_id, persona_id) is point
    assert keys == {("emotion", "m-onb", "e-new")}


def test_remove_emotion_point(ws):
    keys = roundtrip(ws, RemoveEmotionCommand("m-onb", "e-ben-form"))
    assert ws.maps["m-onb"].emotion_at("sp-form", "p-ben") is None
    assert keys == {("emotion", "m-onb", "e-ben-form")}


def test_edit_emotion_point(ws):
    keys = roundtrip(ws, EditEmotionCommand("m-onb", "e-ana-form", score=2, label="relief",
                                            step_id="sp-welcome"))
    point = ws.maps["m-onb"].emotions["e-ana-form"]
    assert (point.step_id, point.score, point.label) == ("sp-welcome", 2.0, "relief")
    assert isinstance(point.score, float)
    assert keys == {("emotion", "m-onb", "e-ana-form")}


def test_edit_emotion_point_may_stay_on_its_own_step(ws):
    roundtrip(ws, EditEmotionCommand("m-onb", "e-ana-form", step_id="sp-form", score=-1))
    assert ws.maps["m-onb"].emotions["e-ana-form"].score == -1.0


# --------------------------------------------------------------------------- personas


def test_add_persona_normalises_fields(ws):
    dee = Persona(id="p-dee", name=" Dee ", goals=[" save time ", ""], quote="Hurry")
    keys = roundtrip(ws, AddPersonaCommand(dee))
    assert (ws.personas["p-dee"].name, ws.personas["p-dee"].goals) == ("Dee", ["save time"])
    assert keys == {("persona", "p-dee")}


def test_edit_persona(ws):
    keys = roundtrip(ws, EditPersonaCommand("p-ben", name="Benjamin", bio="dad of two",
                                            needs=["clarity"], tags=[]))
    ben = ws.personas["p-ben"]
    assert (ben.name, ben.bio, ben.needs, ben.tags) == ("Benjamin", "dad of two", ["clarity"], [])
    assert keys == {("persona", "p-ben")}


def test_remove_persona_unlinks_it_everywhere(ws):
    keys = roundtrip(ws, RemovePersonaCommand("p-ana"))
    assert "p-ana" not in ws.personas
    assert ws.maps["m-onb"].persona_ids == ["p-ben"]
    assert ws.maps["m-ren"].persona_ids == []
    assert set(ws.maps["m-onb"].emotions) == {"e-ben-form", "e-map-verify"}
    assert ws.maps["m-ren"].emotions == {}
    assert keys == {("persona", "p-ana"), ("map", "m-onb"), ("map", "m-ren"),
                    ("emotion", "m-onb", "e-ana-search"), ("emotion", "m-onb", "e-ana-form"),
                    ("emotion", "m-ren", "e-ren")}


def test_remove_unlinked_persona(ws):
    keys = roundtrip(ws, RemovePersonaCommand("p-cy"))
    assert keys == {("persona", "p-cy")}


def test_link_persona(ws):
    keys = roundtrip(ws, LinkPersonaCommand("m-onb", "p-cy"))
    assert ws.maps["m-onb"].persona_ids == ["p-ana", "p-ben", "p-cy"]
    assert keys == {("map", "m-onb")}


def test_unlink_persona_removes_its_points_on_that_map_only(ws):
    keys = roundtrip(ws, UnlinkPersonaCommand("m-onb", "p-ana"))
    assert ws.maps["m-onb"].persona_ids == ["p-ben"]
    assert set(ws.maps["m-onb"].emotions) == {"e-ben-form", "e-map-verify"}
    assert "e-ren" in ws.maps["m-ren"].emotions
    assert keys == {("map", "m-onb"), ("emotion", "m-onb", "e-ana-search"),
                    ("emotion", "m-onb", "e-ana-form")}


def test_maps_using_persona(ws):
    assert [m.id for m in maps_using_persona(ws, "p-ana")] == ["m-onb", "m-ren"]
    assert maps_using_persona(ws, "p-cy") == []


def test_copy_card_gets_a_new_id_and_its_own_lists(ws):
    original = ws.maps["m-onb"].cards["c-p0"]
    original.tags.append("x")
    duplicate = copy_card(original, lane_id="l-opp")
    assert duplicate.id != original.id
    assert (duplicate.text, duplicate.severity, duplicate.lane_id) == (
        original.text, 4, "l-opp")
    duplicate.tags.append("y")
    assert original.tags == ["x"]


# --------------------------------------------------------------------------- composite


def test_composite_applies_and_reverts_as_one(ws):
    stage = Stage(id="s-pay", name="Pay", steps=[Step(id="sp-pay")])
    card = Card(id="c-pay", step_id="sp-pay", lane_id="l-opp")
    composite = CompositeCommand("Add stage with a card", [
        AddStageCommand("m-onb", stage),
        AddCardCommand("m-onb", card),
        MoveCardCommand("m-onb", "c-a0", "sp-pay", "l-opp", 0),
        EditCardCommand("m-onb", "c-a0", text="moved"),
    ])
    keys = roundtrip(ws, composite)
    assert cell(ws, "sp-pay", "l-opp") == ["c-a0", "c-pay"]
    assert cell(ws, "sp-search", "l-act") == ["c-a1", "c-a2"]
    assert {("stages", "m-onb"), ("card", "m-onb", "c-pay"), ("card", "m-onb", "c-a1")} <= keys


def test_composite_rolls_back_when_a_later_command_fails(ws):
    composite = CompositeCommand("Several edits", [
        RemoveCardCommand("m-onb", "c-a0"),
        MoveCardCommand("m-onb", "c-a1", "sp-form", "l-act", 0),
        RemovePersonaCommand("p-ana"),
        EditCardCommand("m-onb", "c-a0", text="gone already"),  # fails: c-a0 was removed
        AddLaneCommand("m-onb", Lane(name="never added")),
    ])
    assert_rejected(ws, composite, match="no card")
    check_cells(ws)
    # The same edits without the failing one go through.
    del composite.commands[3]
    roundtrip(ws, composite)
    assert "p-ana" not in ws.personas


def test_empty_composite_changes_nothing(ws):
    before = copy.deepcopy(ws)
    assert CompositeCommand("nothing", []).apply(ws) == frozenset()
    assert ws == before


@pytest.mark.parametrize("make", [
    lambda: EditCardCommand("m-onb", "c-a0"),
    lambda: EditMapCommand("m-onb"),
    lambda: EditPersonaCommand("p-ana"),
])
def test_field_edit_needs_at_least_one_field(make):
    with pytest.raises(DomainError, match="nothing to change"):
        make()


# --------------------------------------------------------------------------- rejections


def _map(**fields) -> JourneyMap:
    return JourneyMap(**{"name": "Support", **fields})


REJECTED: list = [
    # maps
    pytest.param(lambda: AddMapCommand(_map(name="Renewal")), "already", id="map dup name"),
    pytest.param(lambda: AddMapCommand(_map(name=" Renewal ")), "already",
                 id="map dup name after strip"),
    pytest.param(lambda: AddMapCommand(_map(name="  ")), "empty", id="map blank name"),
    pytest.param(lambda: AddMapCommand(_map(id="m-ren")), "already", id="map dup id"),
    pytest.param(lambda: AddMapCommand(_map(persona_ids=["p-zed"])), "unknown personas",
                 id="map links unknown persona"),
    pytest.param(lambda: AddMapCommand(_map(), [Persona(name="Ana")]), "persona named",
                 id="map brings dup persona"),
    pytest.param(lambda: AddMapCommand(_map(), [Persona(id="p-cy", name="Cy 2")]), "persona",
                 id="map brings persona with taken id"),
    pytest.param(lambda: RemoveMapCommand("m-zed"), "no map", id="remove unknown map"),
    pytest.param(lambda: EditMapCommand("m-onb", name="Renewal"), "already", id="edit map dup"),
    pytest.param(lambda: EditMapCommand("m-onb", name=""), "empty", id="edit map blank"),
    pytest.param(lambda: EditMapCommand("m-onb", scale_min=2), "below", id="scale min >= max"),
    pytest.param(lambda: EditMapCommand("m-onb", scale_min=0, scale_max=-1), "below",
                 id="scale reversed"),
    pytest.param(lambda: EditMapCommand("m-onb", scale_min=-1), "outside",
                 id="scale leaves points out"),
    pytest.param(lambda: EditMapCommand("m-onb", scale_max="3"), "number", id="scale text"),
    pytest.param(lambda: EditMapCommand("m-onb", scale_max=True), "number", id="scale bool"),
    pytest.param(lambda: EditMapCommand("m-onb", colour="#ffffff"), "no field",
                 id="map unknown field"),
    pytest.param(lambda: EditMapCommand("m-zed", name="X"), "no map", id="edit unknown map"),
    # stages
    pytest.param(lambda: AddStageCommand("m-onb", Stage(name="Discover")), "already",
                 id="stage dup name"),
    pytest.param(lambda: AddStageCommand("m-onb", Stage(name=" Use ")), "already",
                 id="stage dup name after strip"),
    pytest.param(lambda: AddStageCommand("m-onb", Stage(name="")), "empty", id="stage blank"),
    pytest.param(lambda: AddStageCommand("m-onb", Stage(name=7)), "text", id="stage name int"),
    pytest.param(lambda: AddStageCommand("m-onb", Stage(name="Pay", steps=[
        Step(name="A"), Step(name="A")])), "same name", id="new stage dup step names"),
    pytest.param(lambda: AddStageCommand("m-zed", Stage(name="Pay")), "no map",
                 id="stage unknown map"),
    pytest.param(lambda: RemoveStageCommand("m-onb", "s-rem"), "no stage",
                 id="remove stage of other map"),
    pytest.param(lambda: MoveStageCommand("m-onb", "s-zed", 0), "no stage",
                 id="move unknown stage"),
    pytest.param(lambda: EditStageCommand("m-onb", "s-disc", name="Use"), "already",
                 id="edit stage dup name"),
    pytest.param(lambda: EditStageCommand("m-onb", "s-disc", events=["a", " a"]), "twice",
                 id="stage events dup"),
    pytest.param(lambda: EditStageCommand("m-onb", "s-disc", events="a"), "list",
                 id="stage events not a list"),
    pytest.param(lambda: EditStageCommand("m-onb", "s-disc", colour="#000000"), "no field",
                 id="stage unknown field"),
    # steps
    pytest.param(lambda: AddStepCommand("m-onb", "s-sign", Step(name="Form")), "same name",
                 id="step dup name"),
    pytest.param(lambda: AddStepCommand("m-onb", "s-sign", Step(name=" Form ")), "same name",
                 id="step dup name after strip"),
    pytest.param(lambda: AddStepCommand("m-onb", "s-sign", Step(name=None)), "text",
                 id="step name none"),
    pytest.param(lambda: AddStepCommand("m-onb", "s-rem", Step()), "no stage",
                 id="step into other map's stage"),
    pytest.param(lambda: RemoveStepCommand("m-onb", "sp-use"), "at least one step",
                 id="remove last step"),
    pytest.param(lambda: RemoveStepCommand("m-ren", "sp-rem"), "at least one step",
                 id="remove last step other map"),
    pytest.param(lambda: RemoveStepCommand("m-onb", "sp-zed"), "no step",
                 id="remove unknown step"),
    pytest.param(lambda: MoveStepCommand("m-onb", "sp-use", "s-disc", 0), "at least one step",
                 id="move last step out"),
    pytest.param(lambda: MoveStepCommand("m-onb", "sp-form", "s-zed", 0), "no stage",
                 id="move step to unknown stage"),
    pytest.param(lambda: EditStepCommand("m-onb", "sp-verify", name="Form"), "same name",
                 id="edit step dup name"),
    pytest.param(lambda: EditStepCommand("m-onb", "sp-verify", events=["x", "x"]), "twice",
                 id="step events dup"),
    pytest.param(lambda: EditStepCommand("m-onb", "sp-verify", label="x"), "no field",
                 id="step unknown field"),
    # lanes
    pytest.param(lambda: AddLaneCommand("m-onb", Lane(name="Actions")), "already",
                 id="lane dup name"),
    pytest.param(lambda: AddLaneCommand("m-onb", Lane(name="")), "empty", id="lane blank"),
    pytest.param(lambda: AddLaneCommand("m-onb", Lane(name="Feel", type="feelings")),
                 "lane type", id="lane bad type"),
    pytest.param(lambda: RemoveLaneCommand("m-onb", "l-ren"), "no lane",
                 id="remove lane of other map"),
    pytest.param(lambda: MoveLaneCommand("m-onb", "l-zed", 0), "no lane", id="move unknown lane"),
    pytest.param(lambda: EditLaneCommand("m-onb", "l-opp", name="Actions"), "already",
                 id="edit lane dup name"),
    pytest.param(lambda: EditLaneCommand("m-onb", "l-opp", type="nope"), "lane type",
                 id="edit lane bad type"),
    pytest.param(lambda: EditLaneCommand("m-onb", "l-opp", colour="#000000"), "no field",
                 id="lane unknown field"),
    # cards
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-rem", "l-act")), "no step",
                 id="card step of other map"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-zed")), "no lane",
                 id="card unknown lane"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-act", id="c-a0")), "already",
                 id="card dup id"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-act", severity=6)),
                 "severity", id="card severity 6"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-act", priority="urgent")),
                 "priority", id="card bad priority"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-act", colour="red")),
                 "colour", id="card bad colour"),
    pytest.param(lambda: AddCardCommand("m-onb", Card("sp-use", "l-act", events=["a", "a"])),
                 "twice", id="card events dup"),
    pytest.param(lambda: RemoveCardCommand("m-onb", "c-r0"), "no card",
                 id="remove card of other map"),
    pytest.param(lambda: MoveCardCommand("m-onb", "c-a0", "sp-rem", "l-act"), "no step",
                 id="move card to other map's step"),
    pytest.param(lambda: MoveCardCommand("m-onb", "c-a0", "sp-use", "l-ren"), "no lane",
                 id="move card to other map's lane"),
    pytest.param(lambda: MoveCardCommand("m-onb", "c-zed", "sp-use", "l-act"), "no card",
                 id="move unknown card"),
    pytest.param(lambda: MoveCardsCommand("m-onb", ["c-a0", "c-r0"], "sp-use", "l-act"),
                 "no card", id="move cards, one of another map"),
    pytest.param(lambda: MoveCardsCommand("m-onb", ["c-a0", "c-a1"], "sp-use", "l-ren"),
                 "no lane", id="move cards to other map's lane"),
    *(pytest.param(lambda value=value: EditCardCommand("m-onb", "c-a0", severity=value),
                   "severity", id=f"severity {value!r}") for value in (0, 6, -1, True, "3", 2.0)),
    *(pytest.param(lambda value=value: EditCardCommand("m-onb", "c-a0", priority=value),
                   "priority", id=f"priority {value!r}") for value in ("urgent", "High", 1, "")),
    *(pytest.param(lambda value=value: EditCardCommand("m-onb", "c-a0", colour=value),
                   "colour", id=f"colour {value!r}")
      for value in ("red", "#12345", "#1234567", "#ggg000", 0xFF0000, "")),
    pytest.param(lambda: EditCardCommand("m-onb", "c-a0", text=None), "text", id="card text none"),
    pytest.param(lambda: EditCardCommand("m-onb", "c-a0", tags="a,b"), "list",
                 id="card tags not a list"),
    pytest.param(lambda: EditCardCommand("m-onb", "c-a0", position=2), "no field",
                 id="card position is not editable"),
    pytest.param(lambda: EditCardCommand("m-onb", "c-a0", text="ok", bogus=1), "no field",
                 id="card unknown field after a good one"),
    # emotions
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-use", 0, "p-cy")),
                 "link the persona", id="point for unlinked persona"),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-use", 0, "p-zed")),
                 "link the persona", id="point for unknown persona"),
    *(pytest.param(lambda score=score: AddEmotionCommand(
        "m-onb", EmotionPoint("sp-use", score, "p-ana")), "outside",
        id=f"score {score!r}") for score in (2.5, -2.01, 3)),
    *(pytest.param(lambda score=score: AddEmotionCommand(
        "m-onb", EmotionPoint("sp-use", score, "p-ana")), "number",
        id=f"score {score!r}") for score in ("1", None, True, math.nan, math.inf)),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-form", 0, "p-ana")),
                 "already has", id="second point at a step"),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-verify", 0)),
                 "already has", id="second map point at a step"),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-use", 0, id="e-ana-form")),
                 "already on the map", id="point with a taken id"),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-rem", 0)), "no step",
                 id="point on other map's step"),
    pytest.param(lambda: AddEmotionCommand("m-onb", EmotionPoint("sp-use", 0, label=3)), "text",
                 id="point label int"),
    pytest.param(lambda: RemoveEmotionCommand("m-onb", "e-ren"), "no emotion",
                 id="remove point of other map"),
    pytest.param(lambda: EditEmotionCommand("m-onb", "e-ana-search", step_id="sp-form"),
                 "already has", id="move point onto taken step"),
    pytest.param(lambda: EditEmotionCommand("m-onb", "e-ana-search", score=-3), "outside",
                 id="edit score outside"),
    pytest.param(lambda: EditEmotionCommand("m-onb", "e-ana-search", score="high"), "number",
                 id="edit score text"),
    pytest.param(lambda: EditEmotionCommand("m-onb", "e-ana-search", persona_id="p-ben"),
                 "no field", id="point persona is not editable"),
    pytest.param(lambda: EditEmotionCommand("m-onb", "e-ana-search", label=None), "text",
                 id="edit label none"),
    # personas
    pytest.param(lambda: AddPersonaCommand(Persona(name="Ana")), "already", id="persona dup"),
    pytest.param(lambda: AddPersonaCommand(Persona(name=" Ana ")), "already",
                 id="persona dup after strip"),
    pytest.param(lambda: AddPersonaCommand(Persona(name="")), "empty", id="persona blank"),
    pytest.param(lambda: AddPersonaCommand(Persona(id="p-cy", name="Cyril")), "persona",
                 id="persona taken id"),
    pytest.param(lambda: AddPersonaCommand(Persona(name="Dee", goals="be quick")), "list",
                 id="persona goals text"),
    pytest.param(lambda: AddPersonaCommand(Persona(name="Dee", role=None)), "text",
                 id="persona role none"),
    pytest.param(lambda: EditPersonaCommand("p-ben", name="Ana"), "already",
                 id="edit persona dup"),
    pytest.param(lambda: EditPersonaCommand("p-ben", age=40), "no field",
                 id="persona unknown field"),
    pytest.param(lambda: EditPersonaCommand("p-zed", name="Zed"), "no persona",
                 id="edit unknown persona"),
    pytest.param(lambda: RemovePersonaCommand("p-zed"), "no persona", id="remove unknown persona"),
    pytest.param(lambda: LinkPersonaCommand("m-onb", "p-ana"), "already linked",
                 id="link twice"),
    pytest.param(lambda: LinkPersonaCommand("m-onb", "p-zed"), "no persona",
                 id="link unknown persona"),
    pytest.param(lambda: LinkPersonaCommand("m-zed", "p-cy"), "no map", id="link unknown map"),
    pytest.param(lambda: UnlinkPersonaCommand("m-onb", "p-cy"), "not linked",
                 id="unlink unlinked"),
]


@pytest.mark.parametrize(("make", "match"), REJECTED)
def test_rejected_command_leaves_workspace_unchanged(ws, make: Callable[[], Command], match):
    assert_rejected(ws, make(), match)


def test_move_step_into_a_stage_with_the_same_step_name_is_rejected(ws):
    roundtrip(ws, EditStepCommand("m-onb", "sp-compare", name="Form"))
    assert_rejected(ws, MoveStepCommand("m-onb", "sp-compare", "s-sign", 0), "same name")
    # Within its own stage the name is no clash.
    roundtrip(ws, MoveStepCommand("m-onb", "sp-compare", "s-disc", 0))


@pytest.mark.parametrize("fields", [
    {"scale_max": math.nan}, {"scale_min": math.nan}, {"scale_min": -math.inf},
    {"scale_max": math.inf}, {"scale_min": math.nan, "scale_max": math.nan},
])
def test_scale_must_be_finite(ws, fields):
    roundtrip(ws, RemoveEmotionCommand("m-ren", "e-ren"))  # no point to fall outside the scale
    assert_rejected(ws, EditMapCommand("m-ren", **fields), "finite")


def test_scale_change_is_allowed_once_points_are_moved(ws):
    m = ws.maps["m-onb"]
    assert_rejected(ws, EditMapCommand("m-onb", scale_min=-1.0), "outside")
    roundtrip(ws, EditEmotionCommand("m-onb", "e-ana-form", score=-1))
    roundtrip(ws, EditEmotionCommand("m-onb", "e-map-verify", score=-0.5))
    roundtrip(ws, EditMapCommand("m-onb", scale_min=-1.0))
    assert m.scale_min == -1.0


def test_rejected_command_can_be_applied_once_the_problem_is_gone(ws):
    add = AddEmotionCommand("m-onb", EmotionPoint("sp-use", 1.0, "p-cy", id="e-cy"))
    assert_rejected(ws, add, "link the persona")
    roundtrip(ws, LinkPersonaCommand("m-onb", "p-cy"))
    roundtrip(ws, add)
    assert ws.maps["m-onb"].emotion_at("sp-use", "p-cy").id == "e-cy"
