"""Comparing two states of a map: what was added, removed, moved and changed, and the sentence
that says it."""

from __future__ import annotations

import copy

from samples import sample_map

from journeydesk.domain.map_diff import compare_maps
from journeydesk.domain.model import Card, LaneType, Stage


def lane_of(m, lane_type):  # noqa: ANN001, ANN201
    return next(lane for lane in m.lanes if lane.type == lane_type)


def test_the_same_state_has_no_changes() -> None:
    m, _ = sample_map()
    diff = compare_maps(m, copy.deepcopy(m))
    assert diff.empty and diff.summary() == "No changes."


def test_cards_added_removed_moved_and_changed_are_told_by_stage_and_kind() -> None:
    old, _ = sample_map()
    new = copy.deepcopy(old)
    checkout = new.stages[1]
    steps = checkout.steps
    notes = lane_of(new, LaneType.NOTES)
    for i in range(3):
        card = Card(steps[0].id, notes.id, f"new {i}", position=1 + i)
        new.cards[card.id] = card
    pain = next(c for c in new.cards.values()
                if c.lane_id == lane_of(new, LaneType.PAIN_POINTS).id
                and c.step_id == new.stages[2].steps[0].id)
    del new.cards[pain.id]
    moved = next(c for c in new.cards.values() if c.step_id == new.stages[0].steps[0].id)
    moved.step_id = new.stages[2].steps[0].id
    new.cards[moved.id] = moved
    edited = next(c for c in new.cards.values() if c.lane_id == lane_of(
        new, LaneType.OPPORTUNITIES).id)
    edited.text, edited.value, edited.evidence = "Better", 4, "measured"
    diff = compare_maps(old, new)
    assert [c.text for c in diff.cards_added] == ["new 0", "new 1", "new 2"]
    assert [c.card_id for c in diff.cards_removed] == [pain.id]
    assert [c.card_id for c in diff.cards_moved] == [moved.id]
    assert [(c.card_id, c.fields) for c in diff.cards_changed] == [
        (edited.id, ("text", "evidence", "value"))]
    summary = diff.summary()
    assert summary.startswith("3 cards added in Sign up")
    assert "1 pain point removed in Use" in summary
    assert "1 opportunity changed" in summary and summary.endswith(".")
    assert "1 action moved from Discover to Use" in summary
    assert diff.cards_moved[0].from_stage == "Discover"


def test_the_summary_tells_the_stages_in_the_map_order() -> None:
    old, _ = sample_map()
    new = copy.deepcopy(old)
    pains = lane_of(new, LaneType.PAIN_POINTS)
    for stage in (new.stages[2], new.stages[0]):  # Use, then Discover
        gone = next(c for c in new.cards.values()
                    if c.lane_id == pains.id and c.step_id == stage.steps[0].id)
        del new.cards[gone.id]
    assert compare_maps(old, new).summary() == (
        "1 pain point removed in Discover, 1 pain point removed in Use.")


def test_stages_and_lanes_are_matched_by_id() -> None:
    old, _ = sample_map()
    new = copy.deepcopy(old)
    new.stages[0].name = "Find"
    new.stages.insert(1, Stage(name="Compare"))
    removed = new.lanes.pop()
    new.cards = {cid: c for cid, c in new.cards.items() if c.lane_id != removed.id}
    diff = compare_maps(old, new)
    assert diff.stages_renamed == [("Discover", "Find")]
    assert diff.stages_added == ["Compare"] and diff.stages_moved == []
    assert diff.lanes_removed == [removed.name]
    assert len(diff.cards_removed) == 4
    assert diff.summary().startswith("Stage 'Compare' added, stage 'Discover' renamed 'Find'")
