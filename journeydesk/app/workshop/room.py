"""The live state of a workshop session: who joined, the notes they sent, the vote round and
the timer.  Qt-free and thread-safe.

Two sides use a :class:`Room`:

* the *participants' side*, the web server's threads: :meth:`Room.join`,
  :meth:`Room.send_note`, :meth:`Room.cast_votes`, :meth:`Room.phone_state`;
* the *owner*, the one thread that holds the workspace (the GUI thread, or the main thread of
  ``journeydesk workshop``): it collects what arrived with :meth:`Room.take_arrivals`, stores
  it in the workspace and then calls :meth:`Room.confirm_stored`; it runs the vote rounds and
  the timer.

A note is acknowledged to the phone only once the owner has stored it
(:meth:`Room.is_stored`, :meth:`Room.on_stored`), so a killed app loses at most the note in
flight, and the phone keeps the text to send again.  Notes carry an id made by the phone: a
note sent twice (a retry after a time-out) is stored once.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeydesk.domain.model import JourneyMap, LaneType

#: The kinds of note a phone can send, with the lane type each lands in and its label.
KINDS: dict[str, tuple[LaneType, str]] = {
    "thought": (LaneType.THOUGHTS, "Thought"),
    "pain": (LaneType.PAIN_POINTS, "Pain point"),
    "idea": (LaneType.OPPORTUNITIES, "Idea"),
    "question": (LaneType.NOTES, "Question"),
}
MAX_NOTE_CHARS = 500
MAX_NAME_CHARS = 40
MAX_PARTICIPANTS = 500
#: Notes waiting for the owner (arrived, not yet stored): beyond this a phone is asked to
#: wait, so a stalled owner cannot make the room grow without bound.
MAX_PENDING = 2000
MAX_DOTS = 20
MAX_TIMER_SECONDS = 4 * 3600


class RoomError(ValueError):
    """A request the room refuses; ``str()`` is a sentence for the phone's screen."""


class RoomBusy(RoomError):
    """The owner has too many notes waiting: the phone should send again in a moment."""


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_text(text: Any, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise RoomError(f"The {what} must be text.")
    # Control characters other than line breaks and tabs are dropped; lone surrogates cannot
    # be stored (SQLite and the exports need valid UTF-8).
    cleaned = "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f"))
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8").strip()
    if len(cleaned) > limit:
        raise RoomError(f"The {what} is too long: at most {limit} characters "
                        f"(this one has {len(cleaned)}).")
    return cleaned


@dataclass(frozen=True)
class StageChoice:
    """A stage of the map as the phones see it."""

    id: str
    name: str


def stage_choices(journey_map: JourneyMap) -> list[StageChoice]:
    """The stages of ``journey_map`` as the phones offer them (an unnamed stage is numbered)."""
    return [StageChoice(stage.id, stage.name or f"Stage {i}")
            for i, stage in enumerate(journey_map.stages, start=1)]


@dataclass(frozen=True)
class Participant:
    """Someone who joined (``name`` None: anonymous)."""

    id: str
    name: str | None
    joined_at: datetime

    @property
    def shown_name(self) -> str:
        """The name, or "Anonymous"."""
        return self.name or "Anonymous"


@dataclass(frozen=True)
class Note:
    """A note sent from a phone: text, maybe a photo (bytes checked by the server)."""

    id: str
    participant_id: str
    stage_id: str
    kind: str
    text: str
    received_at: datetime
    photo: bytes | None = None

    @property
    def lane_type(self) -> LaneType:
        """The lane type this kind of note lands in."""
        return KINDS[self.kind][0]


@dataclass(frozen=True)
class Vote:
    """The dots one participant gave one card (participant None: entered at the laptop)."""

    round_id: str
    participant_id: str | None
    card_id: str
    dots: int
    cast_at: datetime


@dataclass
class VoteRound:
    """A vote round: the cards that may get dots, how many dots each person has, the votes."""

    id: str
    dots: int
    cards: dict[str, str]  # card id -> label shown on the phones (in the map's order)
    started_at: datetime
    revealed: bool = False
    open: bool = True
    votes: dict[str | None, dict[str, int]] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Dots per card, every eligible card listed (0 when none)."""
        totals = dict.fromkeys(self.cards, 0)
        for given in self.votes.values():
            for card_id, dots in given.items():
                totals[card_id] = totals.get(card_id, 0) + dots
        return totals

    def ranked(self) -> list[tuple[str, str, int]]:
        """(card id, label, dots), most dots first; ties in the map's order."""
        totals = self.totals()
        order = {card_id: i for i, card_id in enumerate(self.cards)}
        return sorted(((c, self.cards[c], d) for c, d in totals.items()),
                      key=lambda row: (-row[2], order[row[0]]))


class Timer:
    """A countdown: set, start, pause, add time; ``clock`` is monotonic seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.total = 0.0
        self._left = 0.0
        self._since: float | None = None  # running since (clock), None when not running

    def set(self, seconds: float) -> None:
        """Set the countdown to ``seconds`` (stopped)."""
        seconds = float(seconds)
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise RoomError(f"A timer runs from 1 second to {MAX_TIMER_SECONDS // 3600} hours.")
        self.total = self._left = seconds
        self._since = None

    def start(self) -> None:
        """Start or resume."""
        if self._since is None and self._left > 0:
            self._since = self._clock()

    def pause(self) -> None:
        """Pause (the time left is kept)."""
        if self._since is not None:
            self._left = self.remaining()
            self._since = None

    def add(self, seconds: float) -> None:
        """Add time (also to an ended timer, which then runs on if it was running)."""
        left = self.remaining()
        self._left = min(left + float(seconds), MAX_TIMER_SECONDS)
        self.total = max(self.total, self._left)
        if self._since is not None:
            self._since = self._clock()

    def clear(self) -> None:
        """No timer."""
        self.total = self._left = 0.0
        self._since = None

    def remaining(self) -> float:
        """Seconds left (0 when ended or not set)."""
        if self._since is None:
            return self._left
        return max(0.0, self._left - (self._clock() - self._since))

    @property
    def state(self) -> str:
        """'off', 'running', 'paused' or 'ended'."""
        if self.total <= 0:
            return "off"
        if self.remaining() <= 0:
            return "ended"
        return "running" if self._since is not None else "paused"


@dataclass
class _Pending:
    note: Note
    taken: bool = False  # handed to the owner, not yet confirmed


@dataclass(frozen=True)
class Arrivals:
    """What reached the room since the owner last asked: store these, then confirm."""

    participants: list[Participant]
    notes: list[Note]
    votes: list[Vote]

    def __bool__(self) -> bool:
        return bool(self.participants or self.notes or self.votes)


class Room:
    """One workshop session's live state (see the module's docstring for who calls what)."""

    def __init__(self, map_name: str, stages: Iterable[StageChoice], *,
                 token: str | None = None, clock: Callable[[], float] = time.monotonic):
        self.token = token or secrets.token_urlsafe(16)  # 128 random bits
        self.map_name = map_name
        self._lock = threading.Lock()
        self._stages = list(stages)
        self._participants: dict[str, Participant] = {}
        self._pending: dict[str, _Pending] = {}  # note id -> waiting for the owner
        self._stored: set[str] = set()  # note ids the owner stored
        self._stored_listeners: list[Callable[[list[str]], None]] = []
        self._new_participants: list[Participant] = []
        self._new_votes: list[Vote] = []
        self._round: VoteRound | None = None
        self.timer = Timer(clock)
        self.closed = False

    # ------------------------------------------------------------ the participants' side
    def join(self, name: Any = None) -> Participant:
        """A new participant (``name`` empty or None: anonymous)."""
        name = _clean_text(name or "", MAX_NAME_CHARS, "name") or None
        with self._lock:
            self._check_open()
            if len(self._participants) >= MAX_PARTICIPANTS:
                raise RoomError("This session is full.")
            person = Participant(uuid.uuid4().hex, name, _now())
            self._participants[person.id] = person
            self._new_participants.append(person)
        return person

    def participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, if they joined."""
        with self._lock:
            return self._participants.get(participant_id)

    def send_note(self, participant_id: str, note_id: Any, stage_id: Any, kind: Any,
                  text: Any, *, photo: bytes | None = None) -> Note:
        """Queue a note for the owner; returns it (the one queued before when ``note_id`` was
        sent already).  Its phone is answered once :meth:`is_stored` (see :meth:`on_stored`)."""
        if not isinstance(note_id, str) or not 8 <= len(note_id) <= 64 or not all(
                ch.isalnum() or ch in "-_" for ch in note_id):
            raise RoomError("This note has no valid id; reload the page.")
        if kind not in KINDS:
            raise RoomError("Choose what kind of note this is.")
        text = _clean_text(text, MAX_NOTE_CHARS, "note")
        if not text and photo is None:
            raise RoomError("The note is empty.")
        with self._lock:
            self._check_open()
            if participant_id not in self._participants:
                raise RoomError("Join the session first.")
            if stage_id not in {s.id for s in self._stages}:
                raise RoomError("Choose one of the map's stages.")
            pending = self._pending.get(note_id)
            if pending is not None:
                return pending.note
            if note_id in self._stored:
                return Note(note_id, participant_id, stage_id, kind, text, _now(), photo)
            if len(self._pending) >= MAX_PENDING:
                raise RoomBusy("The laptop is busy; your note is kept here, send it again "
                                "in a moment.")
            note = Note(note_id, participant_id, stage_id, kind, text, _now(), photo)
            self._pending[note_id] = _Pending(note)
        return note

    def cast_votes(self, participant_id: str | None, dots: Mapping[str, Any]) -> None:
        """Set the dots of one participant in the open round (``None``: the laptop's votes,
        which have no limit), replacing what they gave before."""
        with self._lock:
            self._check_open()
            if participant_id is not None and participant_id not in self._participants:
                raise RoomError("Join the session first.")
            vote_round = self._round
            if vote_round is None or not vote_round.open:
                raise RoomError("No vote is open.")
            given: dict[str, int] = {}
            for card_id, count in dots.items():
                if card_id not in vote_round.cards:
                    raise RoomError("One of those cards is not part of this vote.")
                if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                    raise RoomError("Dots are whole numbers.")
                if count:
                    given[card_id] = count
            if participant_id is not None and sum(given.values()) > vote_round.dots:
                raise RoomError(f"You have {vote_round.dots} dots in this vote.")
            vote_round.votes[participant_id] = given
            now = _now()
            self._new_votes.extend(Vote(vote_round.id, participant_id, card_id, count, now)
                                   for card_id, count in given.items())
            if not given:  # a withdrawn vote is recorded too, as 0 dots on nothing
                self._new_votes.append(Vote(vote_round.id, participant_id, "", 0, now))

    def phone_state(self, participant_id: str | None) -> dict[str, Any]:
        """What a phone shows (JSON-ready): the map, its stages, the kinds of note, the timer
        and the vote round with this participant's dots (results only once revealed)."""
        with self._lock:
            state: dict[str, Any] = {
                "map": self.map_name,
                "open": not self.closed,
                "stages": [{"id": s.id, "name": s.name} for s in self._stages],
                "kinds": [{"id": k, "label": label} for k, (_, label) in KINDS.items()],
                "timer": {"state": self.timer.state,
                          "remaining": round(self.timer.remaining(), 1),
                          "total": self.timer.total},
                "vote": None,
            }
            vote_round = self._round
            if vote_round is not None and (vote_round.open or vote_round.revealed):
                mine = vote_round.votes.get(participant_id, {}) if participant_id else {}
                vote: dict[str, Any] = {
                    "id": vote_round.id, "open": vote_round.open, "dots": vote_round.dots,
                    "left": vote_round.dots - sum(mine.values()),
                    "cards": [{"id": c, "label": label, "mine": mine.get(c, 0)}
                              for c, label in vote_round.cards.items()],
                    "revealed": vote_round.revealed,
                }
                if vote_round.revealed:
                    vote["results"] = [{"id": c, "label": label, "dots": d}
                                       for c, label, d in vote_round.ranked()]
                state["vote"] = vote
        return state

    # ------------------------------------------------------------ the owner's side
    def take_arrivals(self) -> Arrivals:
        """The participants, notes and votes that arrived since the last call, oldest first.

        Notes stay pending (phones keep waiting) until :meth:`confirm_stored`; a note taken
        and not confirmed is not taken again.
        """
        with self._lock:
            notes = [p.note for p in self._pending.values() if not p.taken]
            for pending in self._pending.values():
                pending.taken = True
            arrivals = Arrivals(self._new_participants, notes, self._new_votes)
            self._new_participants, self._new_votes = [], []
        return arrivals

    def confirm_stored(self, note_ids: Iterable[str]) -> None:
        """The owner stored these notes: their phones get their answer (and the listeners of
        :meth:`on_stored` are told, on the owner's thread)."""
        confirmed = []
        with self._lock:
            for note_id in note_ids:
                self._pending.pop(note_id, None)
                self._stored.add(note_id)
                confirmed.append(note_id)
            listeners = list(self._stored_listeners)
        if confirmed:
            for listener in listeners:
                listener(confirmed)

    def on_stored(self, listener: Callable[[list[str]], None]) -> None:
        """Call ``listener(note_ids)`` whenever the owner confirms stored notes.  It runs on
        the owner's thread and must only hand the ids over (the server wakes its waiting
        requests on its own event loop): no waiting thread per note, so a room of phones
        does not wake a herd of threads that compete with the GUI thread for the GIL."""
        with self._lock:
            self._stored_listeners.append(listener)

    def is_stored(self, note_id: str) -> bool:
        """Whether the owner confirmed the note ``note_id`` as stored."""
        with self._lock:
            return note_id in self._stored

    def release(self, note_ids: Iterable[str]) -> None:
        """The owner could not store these notes: hand them out again next time."""
        with self._lock:
            for note_id in note_ids:
                pending = self._pending.get(note_id)
                if pending is not None:
                    pending.taken = False

    def participants(self) -> list[Participant]:
        """Everyone who joined, in order."""
        with self._lock:
            return list(self._participants.values())

    def stages(self) -> list[StageChoice]:
        """The stages the phones offer."""
        with self._lock:
            return list(self._stages)

    def set_stages(self, stages: Iterable[StageChoice]) -> None:
        """The map's stages changed (renamed, added, removed)."""
        with self._lock:
            self._stages = list(stages)

    def start_round(self, cards: Mapping[str, str], dots: int) -> VoteRound:
        """Open a vote round on ``cards`` (id -> label), ``dots`` per person; ends the round
        before."""
        if not cards:
            raise RoomError("A vote needs at least one card.")
        if not isinstance(dots, int) or not 1 <= dots <= MAX_DOTS:
            raise RoomError(f"Each person has 1 to {MAX_DOTS} dots.")
        with self._lock:
            self._round = VoteRound(uuid.uuid4().hex, dots, dict(cards), _now())
            return self._round

    @property
    def vote_round(self) -> VoteRound | None:
        """The current (or last) vote round."""
        return self._round

    def reveal(self) -> list[tuple[str, str, int]]:
        """Show the results (to the phones too); returns them ranked."""
        with self._lock:
            if self._round is None:
                raise RoomError("There is no vote to reveal.")
            self._round.revealed = True
            return self._round.ranked()

    def end_round(self) -> None:
        """Close voting (the results stay as they are)."""
        with self._lock:
            if self._round is not None:
                self._round.open = False

    def close(self) -> None:
        """The session ended: every request is refused from now on."""
        with self._lock:
            self.closed = True

    def _check_open(self) -> None:
        if self.closed:
            raise RoomError("This session has ended.")
