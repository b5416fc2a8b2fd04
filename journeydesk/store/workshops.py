"""Workshop sessions kept in the workspace: the session, who joined, the notes sent from phones
and what became of them, vote rounds and their votes (schema 6, :mod:`journeydesk.store.schema`).

Plain values in, plain values out: the live objects of a session (the room, its notes) belong
to :mod:`journeydesk.app.workshop`, which turns them into the mappings written here.  Writes
are idempotent where a retry may repeat them: a note id is stored once, a round and a
participant's votes in it are replaced, not added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert

from journeydesk.store.schema import (
    WorkshopNoteRow,
    WorkshopParticipantRow,
    WorkshopRoundRow,
    WorkshopRow,
    WorkshopVoteRow,
)
from journeydesk.store.workspace_file import WorkspaceFile

workshops_t: Table = WorkshopRow.__table__  # type: ignore[assignment]
participants_t: Table = WorkshopParticipantRow.__table__  # type: ignore[assignment]
notes_t: Table = WorkshopNoteRow.__table__  # type: ignore[assignment]
rounds_t: Table = WorkshopRoundRow.__table__  # type: ignore[assignment]
votes_t: Table = WorkshopVoteRow.__table__  # type: ignore[assignment]

NOTE_STATUSES = ("new", "accepted", "merged", "discarded")


@dataclass(frozen=True)
class StoredWorkshop:
    """One workshop as listed: when, on which map, and how much came of it."""

    id: str
    map_id: str
    map_name: str
    started_at: str  # ISO 8601, UTC
    ended_at: str | None
    settings: dict[str, Any]
    participants: int = 0
    notes: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredParticipant:
    """Someone who joined (``name`` None: anonymous)."""

    id: str
    name: str | None
    joined_at: str


@dataclass(frozen=True)
class StoredNote:
    """A note as kept, with its fate (``status``, ``card_id``, ``decided_at``)."""

    id: str
    workshop_id: str
    participant_id: str | None
    stage_id: str | None
    kind: str
    text: str
    photo: bytes | None
    received_at: str
    status: str
    card_id: str | None
    decided_at: str | None


@dataclass(frozen=True)
class StoredVote:
    """Dots one participant (None: entered at the laptop) gave one card."""

    participant_id: str | None
    card_id: str
    dots: int
    cast_at: str


@dataclass(frozen=True)
class StoredRound:
    """A vote round with its votes; ``eligible`` is ``{"lanes": [...], "cards": [...],
    "labels": {card id: label}}``."""

    id: str
    started_at: str
    dots: int
    eligible: dict[str, Any]
    revealed_at: str | None
    ended_at: str | None
    votes: list[StoredVote]


@dataclass(frozen=True)
class WorkshopContent:
    """Everything kept of one workshop."""

    workshop: StoredWorkshop
    participants: list[StoredParticipant]
    notes: list[StoredNote]
    rounds: list[StoredRound]


# --------------------------------------------------------------------------- writing
def insert_workshop(ws_file: WorkspaceFile, workshop_id: str, map_id: str, map_name: str,
                    *, started_at: str, settings: Mapping[str, Any] | None = None) -> None:
    """Record a workshop that starts now (one transaction)."""
    with ws_file.transaction() as conn:
        conn.execute(insert(workshops_t).values(
            id=workshop_id, map_id=map_id, map_name=map_name, started_at=started_at,
            ended_at=None, settings=json.dumps(dict(settings or {}), ensure_ascii=False)))


def end_workshop(ws_file: WorkspaceFile, workshop_id: str, ended_at: str) -> None:
    """Mark the workshop (and any round still open) as ended."""
    with ws_file.transaction() as conn:
        conn.execute(update(workshops_t).where(workshops_t.c.id == workshop_id)
                     .values(ended_at=ended_at))
        conn.execute(update(rounds_t).where(rounds_t.c.workshop_id == workshop_id,
                                            rounds_t.c.ended_at.is_(None))
                     .values(ended_at=ended_at))


def store_batch(ws_file: WorkspaceFile, workshop_id: str, *,
                participants: Iterable[Mapping[str, Any]] = (),
                notes: Iterable[Mapping[str, Any]] = (),
                votes: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """Store what arrived from the phones in one transaction; returns the ids of the notes
    now in the workspace (those stored before included: a note id is stored once).

    ``participants``: id, name, joined_at.  ``notes``: id, participant_id, stage_id, kind,
    text, photo, received_at.  ``votes``: round_id, participant_id, card_id, dots, cast_at,
    in the order cast; each (round, participant)'s last cast replaces what they gave before
    (a cast with no dots is one vote row with card_id "" and 0 dots, which is not stored).
    Votes of a round not stored yet (:func:`store_round`) are dropped.
    """
    participants, notes = list(participants), list(notes)
    casts = _last_casts(votes)
    with ws_file.transaction() as conn:
        if participants:
            conn.execute(insert(participants_t).on_conflict_do_nothing(), [
                {"id": p["id"], "workshop_id": workshop_id, "name": p.get("name"),
                 "joined_at": p["joined_at"]} for p in participants])
        if notes:
            conn.execute(insert(notes_t).on_conflict_do_nothing(), [
                {"id": n["id"], "workshop_id": workshop_id,
                 "participant_id": n.get("participant_id"), "stage_id": n.get("stage_id"),
                 "kind": n["kind"], "text": n.get("text") or "", "photo": n.get("photo"),
                 "received_at": n["received_at"], "status": "new", "card_id": None,
                 "decided_at": None} for n in notes])
        if casts:
            # votes of a round that was never stored (it cannot be shown later) are dropped
            known = set(conn.execute(select(rounds_t.c.id).where(
                rounds_t.c.id.in_({round_id for round_id, _ in casts}))).scalars())
            for (round_id, participant_id), given in casts.items():
                if round_id in known:
                    _replace_votes(conn, round_id, participant_id, given)
    return [n["id"] for n in notes]


def _last_casts(votes: Iterable[Mapping[str, Any]]
                ) -> dict[tuple[str, str | None], list[Mapping[str, Any]]]:
    """(round, participant) -> the vote rows of their last cast."""
    casts: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
    stamp: dict[tuple[str, str | None], str] = {}
    for vote in votes:
        key = (vote["round_id"], vote.get("participant_id"))
        if stamp.get(key) != vote["cast_at"]:  # a later cast replaces the one before
            casts[key] = []
            stamp[key] = vote["cast_at"]
        casts[key].append(vote)
    return casts


def _vote_id(round_id: str, participant_id: str | None, card_id: str) -> str:
    key = f"{round_id}\n{participant_id or ''}\n{card_id}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _replace_votes(conn: Any, round_id: str, participant_id: str | None,
                   given: Iterable[Mapping[str, Any]]) -> None:
    who = (votes_t.c.participant_id.is_(None) if participant_id is None
           else votes_t.c.participant_id == participant_id)
    conn.execute(delete(votes_t).where(votes_t.c.round_id == round_id, who))
    rows = [{"id": _vote_id(round_id, participant_id, v["card_id"]), "round_id": round_id,
             "participant_id": participant_id, "card_id": v["card_id"], "dots": v["dots"],
             "cast_at": v["cast_at"]} for v in given if v["card_id"] and v["dots"] > 0]
    if rows:
        conn.execute(insert(votes_t).on_conflict_do_nothing(), rows)


def store_round(ws_file: WorkspaceFile, workshop_id: str, round_id: str, *, started_at: str,
                dots: int, eligible: Mapping[str, Any], revealed_at: str | None,
                ended_at: str | None,
                votes: Mapping[str | None, Iterable[Mapping[str, Any]]] | None = None) -> None:
    """Insert or update a vote round; with ``votes`` (participant -> their vote rows: card_id,
    dots, cast_at) the round's votes are replaced by these.  A time already recorded
    (revealed, ended) is kept."""
    with ws_file.transaction() as conn:
        values = {"started_at": started_at, "dots": dots,
                  "eligible": json.dumps(dict(eligible), ensure_ascii=False)}
        stmt = insert(rounds_t).values(id=round_id, workshop_id=workshop_id,
                                       revealed_at=revealed_at, ended_at=ended_at, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[rounds_t.c.id], set_={
            **values,
            "revealed_at": func.coalesce(rounds_t.c.revealed_at, stmt.excluded.revealed_at),
            "ended_at": func.coalesce(rounds_t.c.ended_at, stmt.excluded.ended_at)}))
        if votes is not None:
            conn.execute(delete(votes_t).where(votes_t.c.round_id == round_id))
            for participant_id, given in votes.items():
                _replace_votes(conn, round_id, participant_id, given)


def set_note_statuses(ws_file: WorkspaceFile,
                      decisions: Iterable[tuple[str, str, str | None, str | None]]) -> int:
    """Record what became of notes, (note id, status, card id, decided at) each, in one
    transaction; returns how many notes there were."""
    rows = [{"nid": note_id, "status": status, "card_id": card_id, "decided_at": decided_at}
            for note_id, status, card_id, decided_at in decisions]
    for row in rows:
        if row["status"] not in NOTE_STATUSES:
            raise ValueError(f"a note's status is one of {', '.join(NOTE_STATUSES)}")
    if not rows:
        return 0
    with ws_file.transaction() as conn:
        found = conn.execute(update(notes_t).where(notes_t.c.id == bindparam("nid")).values(
            status=bindparam("status"), card_id=bindparam("card_id"),
            decided_at=bindparam("decided_at")), rows)
    return int(found.rowcount)


# --------------------------------------------------------------------------- reading
def _workshop(row: Mapping[str, Any], counts: Mapping[str, Any] | None = None
              ) -> StoredWorkshop:
    counts = counts or {}
    try:
        settings = json.loads(row["settings"]) if row["settings"] else {}
    except ValueError:
        settings = {}
    return StoredWorkshop(row["id"], row["map_id"], row["map_name"], row["started_at"],
                          row["ended_at"], settings if isinstance(settings, dict) else {},
                          counts.get("participants", 0), counts.get("notes", 0),
                          dict(counts.get("status", {})))


def list_workshops(ws_file: WorkspaceFile) -> list[StoredWorkshop]:
    """Every workshop, newest first, with its counts."""
    with ws_file.connection() as conn:
        rows = conn.execute(select(workshops_t).order_by(workshops_t.c.started_at.desc(),
                                                         workshops_t.c.id)).mappings().all()
        people = dict(conn.execute(select(participants_t.c.workshop_id, func.count())
                                   .group_by(participants_t.c.workshop_id)).all())
        statuses: dict[str, dict[str, int]] = {}
        for workshop_id, status, count in conn.execute(
                select(notes_t.c.workshop_id, notes_t.c.status, func.count())
                .group_by(notes_t.c.workshop_id, notes_t.c.status)).all():
            statuses.setdefault(workshop_id, {})[status] = count
    return [_workshop(r, {"participants": people.get(r["id"], 0),
                          "notes": sum(statuses.get(r["id"], {}).values()),
                          "status": statuses.get(r["id"], {})}) for r in rows]


def _note(r: Mapping[str, Any]) -> StoredNote:
    return StoredNote(r["id"], r["workshop_id"], r["participant_id"], r["stage_id"], r["kind"],
                      r["text"], r["photo"], r["received_at"], r["status"], r["card_id"],
                      r["decided_at"])


def workshop_content(ws_file: WorkspaceFile, workshop_id: str) -> WorkshopContent | None:
    """All that is kept of one workshop (None when there is no such workshop)."""
    with ws_file.connection() as conn:
        row = conn.execute(select(workshops_t).where(workshops_t.c.id == workshop_id)
                           ).mappings().first()
        if row is None:
            return None
        people = [StoredParticipant(r["id"], r["name"], r["joined_at"]) for r in conn.execute(
            select(participants_t).where(participants_t.c.workshop_id == workshop_id)
            .order_by(participants_t.c.joined_at, participants_t.c.id)).mappings()]
        notes = [_note(r) for r in conn.execute(
            select(notes_t).where(notes_t.c.workshop_id == workshop_id)
            .order_by(notes_t.c.received_at, notes_t.c.id)).mappings()]
        rounds = []
        for r in conn.execute(select(rounds_t).where(rounds_t.c.workshop_id == workshop_id)
                              .order_by(rounds_t.c.started_at, rounds_t.c.id)).mappings():
            votes = [StoredVote(v["participant_id"], v["card_id"], v["dots"], v["cast_at"])
                     for v in conn.execute(select(votes_t).where(votes_t.c.round_id == r["id"])
                                           .order_by(votes_t.c.cast_at, votes_t.c.id)
                                           ).mappings()]
            try:
                eligible = json.loads(r["eligible"])
            except ValueError:
                eligible = {}
            rounds.append(StoredRound(r["id"], r["started_at"], r["dots"],
                                      eligible if isinstance(eligible, dict) else {},
                                      r["revealed_at"], r["ended_at"], votes))
    counts = {"participants": len(people), "notes": len(notes), "status": {}}
    for note in notes:
        counts["status"][note.status] = counts["status"].get(note.status, 0) + 1
    return WorkshopContent(_workshop(row, counts), people, notes, rounds)


def new_notes(ws_file: WorkspaceFile, map_id: str) -> list[tuple[StoredNote, str | None]]:
    """The notes of the map's workshops still waiting in the inbox (status 'new'), oldest
    first, each with its author's name (None: anonymous or unknown)."""
    with ws_file.connection() as conn:
        rows = conn.execute(
            select(notes_t, participants_t.c.name.label("author"))
            .join(workshops_t, workshops_t.c.id == notes_t.c.workshop_id)
            .outerjoin(participants_t, participants_t.c.id == notes_t.c.participant_id)
            .where(workshops_t.c.map_id == map_id, notes_t.c.status == "new")
            .order_by(notes_t.c.received_at, notes_t.c.id)).mappings().all()
    return [(_note(r), r["author"]) for r in rows]


def count_notes(ws_file: WorkspaceFile, workshop_id: str | None = None) -> int:
    """How many notes are kept (of one workshop, or of all)."""
    query = select(func.count()).select_from(notes_t)
    if workshop_id is not None:
        query = query.where(notes_t.c.workshop_id == workshop_id)
    with ws_file.connection() as conn:
        return int(conn.execute(query).scalar() or 0)
