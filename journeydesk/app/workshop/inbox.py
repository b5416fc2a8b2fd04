"""Notes from the room become map edits through the normal (undoable) commands.

* :func:`accept_command`: a new card with the note's text in the first step of the note's
  stage, in the first lane of the lane type its kind lands in (:data:`room.KINDS`); when the
  map has no such lane the same command adds one (one undo step removes both).  A photo
  becomes the card's picture when the domain has card pictures.
* :func:`accept_all_command`: several notes as one undo step, each missing lane added once.
* :func:`merge_command`: the note's text appended to an existing card.

The command line runs these through ``Document.execute``, the app through its editor's undo
stack; neither touches the map otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from journeydesk.app.workshop.room import KINDS
from journeydesk.domain.commands_base import Command, CompositeCommand
from journeydesk.domain.commands_cards import AddCardCommand, EditCardCommand
from journeydesk.domain.commands_maps import AddLaneCommand
from journeydesk.domain.model import (
    LANE_TYPE_LABELS,
    Card,
    DomainError,
    JourneyMap,
    Lane,
    LaneType,
    Stage,
    unique_name,
)

__all__ = ["NoteLike", "accept_all_command", "accept_command", "card_text", "merge_command"]

class NoteLike(Protocol):
    """What a note needs for the map: a live room note or one kept in the inbox."""

    @property
    def id(self) -> str: ...
    @property
    def stage_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def photo(self) -> bytes | None: ...


def card_text(note: NoteLike, author: str | None = None) -> str:
    """The text a note's card gets: the note's text, signed with ``author`` when given."""
    text = note.text.strip()
    if author:
        return f"{text}\n— {author}" if text else f"— {author}"
    return text


def _stage(journey_map: JourneyMap, note: NoteLike) -> Stage:
    """The note's stage, or the map's first when that stage was deleted since."""
    for stage in journey_map.stages:
        if stage.id == note.stage_id:
            return stage
    if not journey_map.stages:
        raise DomainError(f"map {journey_map.name!r} has no stages to put the note in")
    return journey_map.stages[0]


def _lane_type(note: NoteLike) -> LaneType:
    if note.kind not in KINDS:
        raise DomainError(f"a note of unknown kind {note.kind!r}")
    return KINDS[note.kind][0]


def _new_card(journey_map: JourneyMap, note: NoteLike, lane_id: str,
              author: str | None) -> Card:
    return Card(step_id=_stage(journey_map, note).steps[0].id, lane_id=lane_id,
                text=card_text(note, author), picture=note.photo or None)


def accept_command(journey_map: JourneyMap, note: NoteLike,
                   author: str | None = None) -> tuple[Command, str]:
    """The command that puts ``note`` on the map as a new card, and that card's id.

    The card goes at the end of its cell: the first step of the note's stage (the map's first
    stage when it was deleted), the first lane of the kind's lane type; a lane of that type
    named after it is added at the bottom when the map has none.  Raises DomainError when
    the map has no stage.
    """
    command, card_ids = accept_all_command(journey_map, [note], [author])
    return command, card_ids[0]


def accept_all_command(journey_map: JourneyMap, notes: Sequence[NoteLike],
                       authors: Sequence[str | None] | None = None
                       ) -> tuple[Command, list[str]]:
    """One command (one undo step) putting every note on the map, and the new cards' ids in
    the notes' order; a missing lane is added once for all the notes that need it."""
    if not notes:
        raise DomainError("no notes to accept")
    authors = list(authors) if authors is not None else [None] * len(notes)
    lanes: dict[LaneType, str] = {}
    for lane in journey_map.lanes:
        lanes.setdefault(lane.type, lane.id)
    taken = {lane.name for lane in journey_map.lanes}
    commands: list[Command] = []
    card_ids: list[str] = []
    for note, author in zip(notes, authors, strict=True):
        lane_type = _lane_type(note)
        if lane_type not in lanes:
            lane = Lane(name=unique_name(LANE_TYPE_LABELS[lane_type], taken), type=lane_type)
            taken.add(lane.name)
            lanes[lane_type] = lane.id
            commands.append(AddLaneCommand(journey_map.id, lane))
        card = _new_card(journey_map, note, lanes[lane_type], author)
        commands.append(AddCardCommand(journey_map.id, card))
        card_ids.append(card.id)
    label = "Accept note" if len(notes) == 1 else f"Accept {len(notes)} notes"
    if len(commands) == 1:
        commands[0].label = label
        return commands[0], card_ids
    return CompositeCommand(label, commands), card_ids


def merge_command(journey_map: JourneyMap, note: NoteLike, card_id: str,
                  author: str | None = None) -> Command:
    """The command that appends ``note``'s text to the card ``card_id`` (on a new line); its
    photo becomes the card's picture when the card has none."""
    card = journey_map.card(card_id)
    added = card_text(note, author)
    changes: dict[str, object] = {}
    if added:
        changes["text"] = f"{card.text.rstrip()}\n{added}" if card.text.strip() else added
    if note.photo and not card.picture:
        changes["picture"] = note.photo
    if not changes:
        raise DomainError("the note is empty")
    command = EditCardCommand(journey_map.id, card_id, **changes)
    command.label = "Merge note"
    return command
