"""The owner's step: what the thread holding the workspace does every tenth of a second while
a session runs.  ``journeydesk workshop`` calls :func:`drain` in its main loop; the app calls
it from a timer on the GUI thread.  It is short: one transaction per batch, no waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from journeydesk.app.session import WorkspaceError
from journeydesk.app.workshop.inbox import accept_all_command
from journeydesk.app.workshop.record import WorkshopRecord
from journeydesk.app.workshop.room import Note, Participant, Room
from journeydesk.domain.commands_base import Command
from journeydesk.domain.model import DomainError, JourneyMap

__all__ = ["Drained", "drain"]


@dataclass
class Drained:
    """What one :func:`drain` did."""

    participants: list[Participant] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # stored now (new to the workspace)
    votes: int = 0
    accepted: dict[str, str] = field(default_factory=dict)  # note id -> card id
    error: str | None = None  # why the batch could not be stored (it is tried again)
    seconds: float = 0.0  # the whole step
    accept_seconds: float = 0.0  # of which accepting the notes onto the map

    def __bool__(self) -> bool:
        return bool(self.participants or self.notes or self.votes or self.error)


def drain(room: Room, record: WorkshopRecord, *,
          execute: Callable[[Command], object] | None = None,
          journey_map: JourneyMap | None = None,
          authors: bool = False) -> Drained:
    """Store what reached ``room`` in ``record`` (one transaction) and let the phones know.

    With ``execute`` (``Document.execute``, or the editor's push) and ``journey_map``, the
    notes stored now are also accepted onto the map as cards, in one command; ``authors``
    signs each card with its author's name.  A batch that cannot be stored (a full disk) is
    handed back to the room to be tried again and ``error`` says why; a refused accept leaves
    the notes in the inbox.
    """
    start = time.perf_counter()
    done = Drained()
    vote_round = room.vote_round
    if vote_round is not None and not record.has_round(vote_round.id):
        try:
            record.store_round(vote_round)
        except Exception as exc:  # noqa: BLE001 - reported, tried again next time
            done.error = str(exc)
    arrivals = room.take_arrivals()
    if not arrivals and not record.unsaved:
        done.seconds = time.perf_counter() - start
        return done
    try:
        stored = record.store(arrivals)
    except Exception as exc:  # noqa: BLE001 - the notes go back to the room
        room.release(n.id for n in arrivals.notes)
        done.error = str(exc)
        done.seconds = time.perf_counter() - start
        return done
    room.confirm_stored(stored)
    done.participants = list(arrivals.participants)
    done.notes = list(arrivals.notes)
    done.votes = len(arrivals.votes)
    if execute is not None and journey_map is not None and done.notes:
        names = {p.id: p.name for p in room.participants()} if authors else {}
        accept_start = time.perf_counter()
        try:
            command, card_ids = accept_all_command(
                journey_map, done.notes, [names.get(n.participant_id) for n in done.notes])
            execute(command)
        except (DomainError, WorkspaceError) as exc:
            done.error = f"the notes stay in the inbox: {exc}"
        else:
            done.accepted = {note.id: card_id
                             for note, card_id in zip(done.notes, card_ids, strict=True)}
            record.set_note_statuses((note_id, "accepted", card_id)
                                     for note_id, card_id in done.accepted.items())
        done.accept_seconds = time.perf_counter() - accept_start
    done.seconds = time.perf_counter() - start
    return done
