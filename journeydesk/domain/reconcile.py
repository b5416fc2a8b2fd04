"""Match a map file's content to the map it is imported over, so that what did not change keeps
its identity.

A map file read from disk gets fresh ids (a file's ids mean nothing in another workspace).
Imported over an existing map, that would make every stage, lane and card look removed and
added again, and the map's comments (which name their cards) would lose their cards.  So before
the content replaces the map, :func:`adopt_ids` gives the file's objects the ids of the map's
matching ones:

- stages by name; steps by name within a matched stage; lanes by name;
- cards: first in the same cell with the same text, then anywhere with the same text (a moved
  card), then the rest of a cell in order (a card whose text was edited);
- emotion points by step and persona.

What finds no match keeps its fresh id (it is new).
"""

from __future__ import annotations

from collections import defaultdict

from journeydesk.domain.model import Card, EmotionPoint, JourneyMap


def _pair_by_name(current: list, incoming: list) -> dict[str, str]:  # type: ignore[type-arg]
    """incoming id -> current id for items of equal ``name`` (each used once, in order)."""
    free: dict[str, list[str]] = defaultdict(list)
    for item in current:
        free[item.name].append(item.id)
    found = {}
    for item in incoming:
        if free.get(item.name):
            found[item.id] = free[item.name].pop(0)
    return found


def _pair_cards(current: JourneyMap, incoming: JourneyMap, steps: dict[str, str],
                lanes: dict[str, str]) -> dict[str, str]:
    """incoming card id -> current card id (see the module's rules)."""
    found: dict[str, str] = {}
    used: set[str] = set()
    cells: dict[tuple[str, str], list[Card]] = defaultdict(list)
    for card in current.ordered_cards():
        cells[(card.step_id, card.lane_id)].append(card)
    by_text: dict[str, list[Card]] = defaultdict(list)
    for card in current.ordered_cards():
        by_text[card.text].append(card)
    arriving = incoming.ordered_cards()

    def cell_of(card: Card) -> tuple[str, str]:
        return steps.get(card.step_id, card.step_id), lanes.get(card.lane_id, card.lane_id)

    def take(card: Card, candidates: list[Card], same_text: bool) -> None:
        for match in candidates:
            if match.id not in used and (not same_text or match.text == card.text):
                found[card.id] = match.id
                used.add(match.id)
                return

    for card in arriving:  # the same text in the same cell
        take(card, cells.get(cell_of(card), []), True)
    for card in arriving:  # the same text elsewhere: moved
        if card.id not in found:
            take(card, by_text.get(card.text, []), True)
    for card in arriving:  # what is left of a cell, in order: edited
        if card.id not in found:
            take(card, cells.get(cell_of(card), []), False)
    return found


def adopt_ids(current: JourneyMap, incoming: JourneyMap) -> None:
    """Give ``incoming``'s stages, steps, lanes, cards and emotion points the ids of
    ``current``'s matching ones (in place; references between them follow)."""
    stages = _pair_by_name(current.stages, incoming.stages)
    steps: dict[str, str] = {}
    for stage in incoming.stages:
        if stage.id in stages:
            old = current.stage(stages[stage.id])
            steps.update(_pair_by_name(old.steps, stage.steps))
    lanes = _pair_by_name(current.lanes, incoming.lanes)
    cards = _pair_cards(current, incoming, steps, lanes)
    points: dict[str, str] = {}
    for point in incoming.emotions.values():
        match = current.emotion_at(steps.get(point.step_id, ""), point.persona_id)
        if match is not None:
            points[point.id] = match.id

    for stage in incoming.stages:
        stage.id = stages.get(stage.id, stage.id)
        for step in stage.steps:
            step.id = steps.get(step.id, step.id)
    for lane in incoming.lanes:
        lane.id = lanes.get(lane.id, lane.id)
    moved_cards: list[Card] = []
    for card in incoming.cards.values():
        card.id = cards.get(card.id, card.id)
        card.step_id = steps.get(card.step_id, card.step_id)
        card.lane_id = lanes.get(card.lane_id, card.lane_id)
        card.addresses = [cards.get(i, i) for i in card.addresses]
        moved_cards.append(card)
    incoming.cards = {card.id: card for card in moved_cards}
    moved_points: list[EmotionPoint] = []
    for point in incoming.emotions.values():
        point.id = points.get(point.id, point.id)
        point.step_id = steps.get(point.step_id, point.step_id)
        moved_points.append(point)
    incoming.emotions = {point.id: point for point in moved_points}
