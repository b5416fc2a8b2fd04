"""Edit commands on what fills a map's grid: cards (kept in order within their cell) and
emotion points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from journeydesk.domain.commands_base import Change, Changes, _FieldEdit, _MapCommand
from journeydesk.domain.commands_checks import _check_card_field, _clamp, _number, _text
from journeydesk.domain.model import (
    CARD_FIELDS,
    Card,
    DomainError,
    EmotionPoint,
    JourneyMap,
    Workspace,
    new_id,
)


# --------------------------------------------------------------------------- cell order
def _insert_into_cell(m: JourneyMap, card: Card, index: int | None) -> set[Change]:
    """Put ``card`` into its cell at ``index``, shifting later cards down; keeps 0..n-1."""
    size = m.cell_size(card.step_id, card.lane_id)
    index = _clamp(index, size)
    touched: set[Change] = {("card", m.id, card.id)}
    if index < size:  # appending (every card of an import) needs no look at the peers
        for peer in m.cards_in(card.step_id, card.lane_id)[index:]:
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
    """Change a card's text, severity, priority, channel, tags, colour, events or picture
    (``picture=None`` removes it; the History names it "Edit card (picture)")."""

    label = "Edit card"

    def __init__(self, map_id: str, card_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.card_id = card_id

    def _target(self, ws: Workspace) -> Card:
        return ws.map(self.map_id).card(self.card_id)

    def _check_field(self, ws: Workspace, target: Card, key: str, value: Any) -> Any:
        value = _check_card_field(key, value)
        if key == "addresses":
            m = ws.map(self.map_id)
            for card_id in value:
                if card_id == target.id:
                    raise DomainError("an opportunity cannot address itself")
                if card_id not in target.addresses:  # a link kept to a deleted card may stay
                    m.card(card_id)  # on this map
        return value

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

    def apply(self, ws: Workspace) -> Changes:
        changes = super().apply(ws)
        self._reseat(ws)
        return changes

    def revert(self, ws: Workspace) -> Changes:
        changes = super().revert(ws)
        self._reseat(ws)
        return changes

    def _reseat(self, ws: Workspace) -> None:
        """Put the point back into the map's table, which indexes points by step."""
        emotions = ws.map(self.map_id).emotions
        emotions[self.point_id] = emotions[self.point_id]

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("emotion", self.map_id, self.point_id)})


def copy_card(card: Card, **changes: Any) -> Card:
    """A new card (new id) with the same content, for duplicate and paste."""
    return replace(card, id=new_id(), tags=list(card.tags), events=list(card.events), **changes)
