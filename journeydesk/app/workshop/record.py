"""What a workshop session keeps in the workspace: the session itself, who joined, every note
and what became of it, the vote rounds and their votes, and when each thing happened.

:class:`WorkshopRecord` is the owner's side (the one thread that holds the workspace): it
starts a record, stores what arrived from the room in one transaction per batch, notes what
became of each note, keeps the vote rounds and ends the record.  The module's functions read
records back: the inbox of a map (notes still waiting, from this session or an earlier
``journeydesk workshop`` run), the list of workshops, and one workshop's report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from journeydesk.app.session import WorkspaceSession
from journeydesk.app.workshop.room import KINDS, Arrivals, VoteRound
from journeydesk.domain.model import JourneyMap
from journeydesk.store import workshops as store
from journeydesk.store.workshops import NOTE_STATUSES, StoredWorkshop

__all__ = ["NOTE_STATUSES", "InboxNote", "ReportNote", "ReportRound", "StoredWorkshop",
           "WorkshopRecord", "WorkshopReport", "inbox_notes", "list_workshops",
           "set_note_status", "set_note_statuses", "workshop_report"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class InboxNote:
    """A note waiting in a map's inbox (kept in the workspace, not yet decided on)."""

    id: str
    workshop_id: str
    participant_id: str | None
    author: str | None  # None: anonymous
    stage_id: str | None
    kind: str
    text: str
    photo: bytes | None
    received_at: str

    @property
    def kind_label(self) -> str:
        """"Pain point", "Idea"... (the kind itself when unknown)."""
        return KINDS[self.kind][1] if self.kind in KINDS else self.kind


class WorkshopRecord:
    """The record of one running workshop in the workspace of ``session``."""

    def __init__(self, session: WorkspaceSession, workshop_id: str, map_id: str):
        self._session = session
        self.id = workshop_id
        self.map_id = map_id
        self._rounds: set[str] = set()  # rounds stored at least once
        self._backlog = Arrivals([], [], [])  # taken from the room, not stored yet
        self.ended = False

    @classmethod
    def start(cls, session: WorkspaceSession, journey_map: JourneyMap, *,
              settings: Mapping[str, Any] | None = None) -> WorkshopRecord:
        """Record a workshop on ``journey_map`` that starts now."""
        record = cls(session, uuid.uuid4().hex, journey_map.id)
        store.insert_workshop(session.file, record.id, journey_map.id, journey_map.name,
                              started_at=_now(), settings=settings)
        return record

    def store(self, arrivals: Arrivals) -> list[str]:
        """Store participants, notes and votes that arrived (one transaction); returns the ids
        of the notes now kept, for :meth:`Room.confirm_stored`.  A note stored before (the
        same id) is not stored again.  Raises WorkspaceError when the file cannot be written
        (nothing of the batch is then stored: hand the notes back with :meth:`Room.release`).
        """
        participants = self._backlog.participants + list(arrivals.participants)
        votes = self._backlog.votes + list(arrivals.votes)
        try:
            stored = store.store_batch(
                self._session.file, self.id,
                participants=[{"id": p.id, "name": p.name, "joined_at": _iso(p.joined_at)}
                              for p in participants],
                notes=[{"id": n.id, "participant_id": n.participant_id,
                        "stage_id": n.stage_id, "kind": n.kind, "text": n.text,
                        "photo": n.photo, "received_at": _iso(n.received_at)}
                       for n in arrivals.notes],
                votes=[{"round_id": v.round_id, "participant_id": v.participant_id,
                        "card_id": v.card_id, "dots": v.dots, "cast_at": _iso(v.cast_at)}
                       for v in votes])
        except BaseException:
            # the room hands participants and votes out once: keep them for the next batch
            self._backlog = Arrivals(participants, [], votes)
            raise
        self._backlog = Arrivals([], [], [])
        return stored

    @property
    def unsaved(self) -> bool:
        """Whether participants or votes of a batch that failed wait to be stored."""
        return bool(self._backlog)

    def has_round(self, round_id: str) -> bool:
        """Whether the round was stored by this record."""
        return round_id in self._rounds

    def set_note_status(self, note_id: str, status: str, card_id: str | None = None) -> None:
        """Record what became of a note: 'accepted' (``card_id``: the card it became),
        'merged' (into ``card_id``), 'discarded', or 'new' again (an undone accept)."""
        set_note_statuses(self._session, [(note_id, status, card_id)])

    def set_note_statuses(self, decisions: Iterable[tuple[str, str, str | None]]) -> None:
        """Several decisions, (note id, status, card id) each, in one transaction."""
        set_note_statuses(self._session, decisions)

    def store_round(self, vote_round: VoteRound, *, lanes: Iterable[str] = ()) -> None:
        """Store a vote round as it is now, with all its votes (call it when the round
        starts, is revealed and ends; storing it again replaces what was stored).
        ``lanes``: the lanes whose cards were made eligible, for the report."""
        now = _now()
        votes = {participant_id: [{"card_id": card_id, "dots": dots, "cast_at": now}
                                  for card_id, dots in given.items()]
                 for participant_id, given in vote_round.votes.items()}
        store.store_round(
            self._session.file, self.id, vote_round.id, started_at=_iso(vote_round.started_at),
            dots=vote_round.dots,
            eligible={"lanes": list(lanes), "cards": list(vote_round.cards),
                      "labels": dict(vote_round.cards)},
            revealed_at=now if vote_round.revealed else None,
            ended_at=None if vote_round.open else now, votes=votes)
        self._rounds.add(vote_round.id)

    def end(self) -> None:
        """The workshop ended now (rounds still open end with it)."""
        if not self.ended:
            store.end_workshop(self._session.file, self.id, _now())
            self.ended = True


def set_note_status(session: WorkspaceSession, note_id: str, status: str,
                    card_id: str | None = None) -> None:
    """Record what became of a kept note (of this or an earlier workshop); see
    :meth:`WorkshopRecord.set_note_status`."""
    set_note_statuses(session, [(note_id, status, card_id)])


def set_note_statuses(session: WorkspaceSession,
                      decisions: Iterable[tuple[str, str, str | None]]) -> None:
    """Record what became of several notes, (note id, status, card id) each, in one
    transaction (an accept-all)."""
    decided = _now()
    checked: list[tuple[str, str, str | None, str | None]] = []
    for note_id, status, card_id in decisions:
        if status not in NOTE_STATUSES:
            raise ValueError(f"a note's status is one of {', '.join(NOTE_STATUSES)}")
        if status in ("accepted", "merged") and not card_id:
            raise ValueError(f"a note {status} names its card")
        checked.append((note_id, status, card_id if status in ("accepted", "merged") else None,
                        None if status == "new" else decided))
    store.set_note_statuses(session.file, checked)


def inbox_notes(session: WorkspaceSession, map_id: str) -> list[InboxNote]:
    """The notes of the map's workshops still waiting to be accepted, merged or discarded,
    oldest first (those of earlier sessions too)."""
    return [InboxNote(n.id, n.workshop_id, n.participant_id, author, n.stage_id, n.kind,
                      n.text, n.photo, n.received_at)
            for n, author in store.new_notes(session.file, map_id)]


def list_workshops(session: WorkspaceSession) -> list[StoredWorkshop]:
    """Every workshop kept in the workspace, newest first, with its counts of participants,
    notes and notes by status."""
    return store.list_workshops(session.file)


# --------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class ReportNote:
    """A note as the report shows it."""

    received_at: str
    author: str  # the name, or "Anonymous"
    stage: str  # the stage's name now ("" when the stage is gone)
    kind: str  # its label
    text: str
    has_photo: bool
    status: str
    card: str  # the text of the card it became or was merged into ("" when none or gone)
    decided_at: str | None


@dataclass(frozen=True)
class ReportRound:
    """A vote round: eligible cards ranked by dots."""

    started_at: str
    dots: int
    revealed_at: str | None
    ended_at: str | None
    voters: int
    results: list[tuple[str, int]]  # (card label, dots), most dots first


@dataclass(frozen=True)
class WorkshopReport:
    """What a workshop produced: who, what was said and what became of it, the votes."""

    id: str
    map_name: str
    started_at: str
    ended_at: str | None
    participants: list[tuple[str, int]]  # (name or "Anonymous", notes sent)
    notes: list[ReportNote]
    rounds: list[ReportRound]

    @property
    def status_counts(self) -> dict[str, int]:
        """Notes per status ('new', 'accepted', 'merged', 'discarded')."""
        counts = dict.fromkeys(NOTE_STATUSES, 0)
        for note in self.notes:
            counts[note.status] = counts.get(note.status, 0) + 1
        return counts


def workshop_report(session: WorkspaceSession, workshop_id: str) -> WorkshopReport:
    """The report of one workshop (LookupError when there is none with that id).  Stage names
    and the texts of the cards notes became are today's, when the map still has them; vote
    results show the labels the phones showed."""
    content = store.workshop_content(session.file, workshop_id)
    if content is None:
        raise LookupError(f"{session.path}: has no workshop {workshop_id!r}")
    journey_map = session.workspace.maps.get(content.workshop.map_id)
    stages = {s.id: s.name for s in journey_map.stages} if journey_map else {}
    cards = {c.id: c.text for c in journey_map.cards.values()} if journey_map else {}
    names = {p.id: p.name or "Anonymous" for p in content.participants}
    sent: dict[str | None, int] = {}
    notes = []
    for n in content.notes:
        sent[n.participant_id] = sent.get(n.participant_id, 0) + 1
        notes.append(ReportNote(
            n.received_at, names.get(n.participant_id or "", "Anonymous"),
            stages.get(n.stage_id or "", ""), KINDS[n.kind][1] if n.kind in KINDS else n.kind,
            n.text, n.photo is not None, n.status, cards.get(n.card_id or "", ""),
            n.decided_at))
    rounds = []
    for r in content.rounds:
        labels: dict[str, str] = dict(r.eligible.get("labels") or {})
        order = [c for c in r.eligible.get("cards") or [] if isinstance(c, str)]
        totals = dict.fromkeys(order, 0)
        for vote in r.votes:
            totals[vote.card_id] = totals.get(vote.card_id, 0) + vote.dots
        ranked = sorted(totals.items(), key=lambda item: -item[1])  # stable: map order
        rounds.append(ReportRound(
            r.started_at, r.dots, r.revealed_at, r.ended_at,
            len({v.participant_id for v in r.votes}),
            [(str(labels.get(card_id) or cards.get(card_id) or card_id), dots)
             for card_id, dots in ranked]))
    people = [(names[p.id], sent.get(p.id, 0)) for p in content.participants]
    return WorkshopReport(content.workshop.id, content.workshop.map_name,
                          content.workshop.started_at, content.workshop.ended_at, people, notes,
                          rounds)
