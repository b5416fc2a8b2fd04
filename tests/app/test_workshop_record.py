"""What a workshop keeps in the workspace, the inbox, notes becoming cards through undoable
commands, the owner's drain step and the report's exports."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from workshop_helpers import MAP_NAME, jpeg_header, make_workspace

from journeydesk.app.session import WorkspaceError, WorkspaceSession
from journeydesk.app.workshop.inbox import (
    accept_all_command,
    accept_command,
    card_text,
    merge_command,
)
from journeydesk.app.workshop.owner import drain
from journeydesk.app.workshop.record import (
    WorkshopRecord,
    inbox_notes,
    list_workshops,
    set_note_status,
    workshop_report,
)
from journeydesk.app.workshop.report import export_report_excel, report_html
from journeydesk.app.workshop.room import Arrivals, Note, Room, stage_choices
from journeydesk.domain.commands import RemoveLaneCommand
from journeydesk.domain.model import DomainError, JourneyMap, LaneType
from journeydesk.store import checks
from journeydesk.store import workshops as store_workshops
from journeydesk.store.workshops import NOTE_STATUSES, count_notes


@pytest.fixture
def session(tmp_path: Path) -> Iterator[WorkspaceSession]:
    path = make_workspace(tmp_path / "ws.jdesk")
    with WorkspaceSession.open(path) as opened:
        yield opened


def the_map(session: WorkspaceSession) -> JourneyMap:
    found = session.workspace.map_named(MAP_NAME)
    assert found is not None
    return found


def make_note(journey_map: JourneyMap, note_id: str, kind: str = "pain", *,
              text: str = "The form is too long", stage: int = 1,
              photo: bytes | None = None, who: str = "p1") -> Note:
    return Note(note_id, who, journey_map.stages[stage].id, kind, text, datetime.now(UTC),
                photo)


# --------------------------------------------------------------------------- the record
def test_notes_are_stored_once_and_wait_in_the_maps_inbox(session: WorkspaceSession) -> None:
    m = the_map(session)
    room = Room(m.name, stage_choices(m))
    ann = room.join("Ann")
    record = WorkshopRecord.start(session, m)
    notes = [make_note(m, "note-0001", who=ann.id),
             make_note(m, "note-0002", "idea", text="Pay later", who=ann.id)]
    arrivals = Arrivals([ann], notes, [])
    assert record.store(arrivals) == ["note-0001", "note-0002"]
    assert record.store(arrivals) == ["note-0001", "note-0002"]  # a retried batch
    assert count_notes(session.file, record.id) == 2
    inbox = inbox_notes(session, m.id)
    assert [(n.id, n.author, n.kind_label, n.text) for n in inbox] == [
        ("note-0001", "Ann", "Pain point", "The form is too long"),
        ("note-0002", "Ann", "Idea", "Pay later")]
    record.end()
    # a later session on the same map sees the earlier notes still waiting
    later = WorkshopRecord.start(session, m)
    later.store(Arrivals([], [make_note(m, "note-0003", who="someone")], []))
    assert [n.id for n in inbox_notes(session, m.id)] == ["note-0001", "note-0002", "note-0003"]
    assert inbox_notes(session, "another-map") == []
    set_note_status(session, "note-0001", "discarded")
    later.set_note_status("note-0002", "accepted", "card-x")
    assert [n.id for n in inbox_notes(session, m.id)] == ["note-0003"]
    later.set_note_status("note-0002", "new")  # an undone accept
    assert [n.id for n in inbox_notes(session, m.id)] == ["note-0002", "note-0003"]
    with pytest.raises(ValueError, match="names its card"):
        later.set_note_status("note-0002", "merged")
    with pytest.raises(ValueError, match="status is one of"):
        later.set_note_status("note-0002", "lost")
    listed = list_workshops(session)
    assert [w.id for w in listed] == [later.id, record.id] or {w.id for w in listed} == {
        later.id, record.id}
    first = next(w for w in listed if w.id == record.id)
    assert (first.participants, first.notes, first.ended_at is not None) == (1, 2, True)
    assert first.status_counts == {"discarded": 1, "new": 1}


def test_the_workspace_with_workshops_reopens_and_passes_its_checks(tmp_path: Path) -> None:
    path = make_workspace(tmp_path / "ws.jdesk")
    with WorkspaceSession.open(path) as session:
        m = the_map(session)
        record = WorkshopRecord.start(session, m)
        room = Room(m.name, stage_choices(m))
        ann = room.join(None)
        vote_round = room.start_round({m.ordered_cards()[0].id: "A card"}, dots=2)
        record.store_round(vote_round)
        room.cast_votes(ann.id, {m.ordered_cards()[0].id: 2})
        arrivals = room.take_arrivals()
        record.store(Arrivals(arrivals.participants,
                              [make_note(m, "note-0001", photo=jpeg_header(10, 10))],
                              arrivals.votes))
        record.end()
    with WorkspaceSession.open(path, read_only=True) as session:
        with session.file.connection() as conn:
            assert checks.check_content(conn) is None
        assert [n.photo for n in inbox_notes(session, the_map(session).id)] == [
            jpeg_header(10, 10)]


def test_the_content_checks_know_the_note_statuses() -> None:
    assert checks.WORKSHOP_NOTE_STATUSES == NOTE_STATUSES


def test_votes_rounds_and_the_report(session: WorkspaceSession) -> None:
    m = the_map(session)
    room = Room(m.name, stage_choices(m))
    record = WorkshopRecord.start(session, m)
    ann, bob = room.join("Ann"), room.join(None)
    cards = m.ordered_cards()[:3]
    vote_round = room.start_round({c.id: c.text for c in cards}, dots=3)
    assert drain(room, record).participants == [ann, bob]  # the round is stored with them
    assert record.has_round(vote_round.id)
    room.cast_votes(ann.id, {cards[0].id: 3})
    room.cast_votes(ann.id, {cards[1].id: 1, cards[2].id: 2})  # changed her mind
    room.cast_votes(bob.id, {cards[2].id: 1})
    room.cast_votes(None, {cards[0].id: 5})  # entered at the laptop
    assert drain(room, record).votes == 5
    room.send_note(ann.id, "note-0001", m.stages[0].id, "question", "=1+1 <b>why</b>")
    drain(room, record)
    room.reveal()
    room.end_round()
    record.store_round(vote_round, lanes=[m.lanes[0].id])
    record.set_note_status("note-0001", "accepted", cards[0].id)
    record.end()
    report = workshop_report(session, record.id)
    assert report.map_name == m.name and report.ended_at
    assert report.participants == [("Ann", 1), ("Anonymous", 0)]
    (n,) = report.notes
    assert (n.author, n.stage, n.kind, n.text, n.status, n.card) == (
        "Ann", m.stages[0].name, "Question", "=1+1 <b>why</b>", "accepted", cards[0].text)
    (r,) = report.rounds
    assert r.results == [(cards[0].text, 5), (cards[2].text, 3), (cards[1].text, 1)]
    assert (r.dots, r.voters, bool(r.revealed_at), bool(r.ended_at)) == (3, 3, True, True)
    assert report.status_counts["accepted"] == 1
    with pytest.raises(LookupError):
        workshop_report(session, "nope")


def test_the_report_exports_as_excel_with_text_cells_and_as_escaped_html(
        session: WorkspaceSession, tmp_path: Path) -> None:
    m = the_map(session)
    room = Room(m.name, stage_choices(m))
    record = WorkshopRecord.start(session, m)
    ann = room.join("=HYPERLINK(\"http://x\")")
    room.send_note(ann.id, "note-0001", m.stages[0].id, "idea", "=SUM(A1:A9)\n<script>x")
    drain(room, record)
    report = workshop_report(session, record.id)
    out = export_report_excel(report, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Participants", "Notes", "Votes"]
    notes = book["Notes"]
    assert notes["E2"].value == "=SUM(A1:A9)\n<script>x" and notes["E2"].data_type == "s"
    assert book["Participants"]["A2"].data_type == "s"
    with zipfile.ZipFile(out) as xlsx:
        sheets = " ".join(xlsx.read(n).decode() for n in xlsx.namelist() if "sheet" in n)
    assert "<f>" not in sheets  # no formula anywhere
    page = report_html(report)
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    assert "=HYPERLINK(&quot;http://x&quot;)" in page


# --------------------------------------------------------------------------- the inbox
def test_accept_puts_a_card_in_the_stages_first_step_and_the_kinds_lane(
        session: WorkspaceSession) -> None:
    m = the_map(session)
    note = make_note(m, "note-0001", "pain", text="No guest checkout", stage=1)
    command, card_id = accept_command(m, note, author="Ann")
    session.document.execute(command)
    card = m.card(card_id)
    assert card.step_id == m.stages[1].steps[0].id
    lane = m.lane(card.lane_id)
    assert lane.type is LaneType.PAIN_POINTS
    assert lane is next(x for x in m.lanes if x.type is LaneType.PAIN_POINTS)
    assert card.text == "No guest checkout\n— Ann"
    assert card.position == len(m.cards_in(card.step_id, card.lane_id)) - 1  # at the end
    command.revert(session.workspace)
    assert card_id not in m.cards
    reopened = session.load().map(m.id)  # the file holds it too
    assert card_id in reopened.cards


def test_accept_adds_the_missing_lane_and_undo_removes_both(
        session: WorkspaceSession) -> None:
    m = the_map(session)
    for lane in [x for x in m.lanes if x.type is LaneType.OPPORTUNITIES]:
        session.document.execute(RemoveLaneCommand(m.id, lane.id))
    lanes_before = [x.id for x in m.lanes]
    ideas = [make_note(m, f"note-000{i}", "idea", text=f"Idea {i}", stage=i % 3) for i in range(3)]
    command, card_ids = accept_all_command(m, ideas)
    session.document.execute(command)
    added = [x for x in m.lanes if x.id not in lanes_before]
    assert [(x.name, x.type) for x in added] == [("Opportunities", LaneType.OPPORTUNITIES)]
    assert {m.card(c).lane_id for c in card_ids} == {added[0].id}
    assert [m.card(c).text for c in card_ids] == ["Idea 0", "Idea 1", "Idea 2"]
    assert session.load().map(m.id).lane(added[0].id).type is LaneType.OPPORTUNITIES
    session.document.unexecute(command)  # one undo step
    assert [x.id for x in m.lanes] == lanes_before
    assert not set(card_ids) & set(m.cards)
    stored = session.load().map(m.id)
    assert [x.id for x in stored.lanes] == lanes_before and not set(card_ids) & set(stored.cards)
    session.document.execute(command)  # redo
    assert set(card_ids) <= set(m.cards)


def test_a_lane_named_like_the_new_one_gets_another_name(session: WorkspaceSession) -> None:
    m = the_map(session)
    question_lanes = [x for x in m.lanes if x.type is LaneType.NOTES]
    for lane in question_lanes:
        session.document.execute(RemoveLaneCommand(m.id, lane.id))
    renamed = m.lanes[0]
    renamed.name = "Notes"  # an Actions lane someone called "Notes"
    command, card_id = accept_command(m, make_note(m, "note-0001", "question", text="Why?"))
    session.document.execute(command)
    lane = m.lane(m.card(card_id).lane_id)
    assert (lane.name, lane.type) == ("Notes (2)", LaneType.NOTES)


def test_a_note_whose_stage_was_deleted_goes_to_the_first_stage(
        session: WorkspaceSession) -> None:
    m = the_map(session)
    note = Note("note-0001", "p1", "gone", "thought", "Hmm", datetime.now(UTC))
    command, card_id = accept_command(m, note)
    session.document.execute(command)
    assert m.card(card_id).step_id == m.stages[0].steps[0].id
    empty = JourneyMap(name="Empty")
    with pytest.raises(DomainError, match="no stages"):
        accept_command(empty, note)


def test_a_photo_becomes_the_cards_picture(session: WorkspaceSession) -> None:
    m = the_map(session)
    picture = jpeg_header(1600, 1200)
    command, card_id = accept_command(m, make_note(m, "note-0001", "idea", text="", photo=picture))
    session.document.execute(command)
    assert (m.card(card_id).picture, m.card(card_id).text) == (picture, "")
    assert session.load().map(m.id).card(card_id).picture == picture
    bare = next(c for c in m.ordered_cards() if c.picture is None)
    session.document.execute(merge_command(m, make_note(m, "note-0002", text="See photo",
                                                        photo=picture), bare.id))
    assert bare.picture == picture and bare.text.endswith("\nSee photo")


def test_merge_appends_the_note_to_a_card(session: WorkspaceSession) -> None:
    m = the_map(session)
    card = m.ordered_cards()[0]
    before = card.text
    command = merge_command(m, make_note(m, "note-0001", text="Also on mobile"), card.id,
                            author="Bob")
    session.document.execute(command)
    assert card.text == f"{before}\nAlso on mobile\n— Bob"
    session.document.unexecute(command)
    assert card.text == before
    with pytest.raises(DomainError, match="empty"):
        merge_command(m, make_note(m, "note-0002", text=""), card.id)
    assert card_text(make_note(m, "n", text="  x  ")) == "x"


# --------------------------------------------------------------------------- drain
def test_drain_stores_confirms_and_accepts_through_the_document(
        session: WorkspaceSession) -> None:
    m = the_map(session)
    room = Room(m.name, stage_choices(m))
    record = WorkshopRecord.start(session, m)
    ann = room.join("Ann")
    room.send_note(ann.id, "note-0001", m.stages[2].id, "thought", "Finally in")
    room.send_note(ann.id, "note-0002", m.stages[0].id, "idea", "Referral")
    done = drain(room, record, execute=session.document.execute, journey_map=m, authors=True)
    assert [n.id for n in done.notes] == ["note-0001", "note-0002"] and not done.error
    assert room.is_stored("note-0001") and room.is_stored("note-0002")
    assert [m.card(done.accepted[n]).text for n in ("note-0001", "note-0002")] == [
        "Finally in\n— Ann", "Referral\n— Ann"]
    assert inbox_notes(session, m.id) == []
    report = workshop_report(session, record.id)
    assert [n.status for n in report.notes] == ["accepted", "accepted"]
    assert not drain(room, record)  # nothing new: nothing done


def test_drain_hands_a_batch_back_when_it_cannot_be_stored(
        session: WorkspaceSession, monkeypatch: pytest.MonkeyPatch) -> None:
    m = the_map(session)
    room = Room(m.name, stage_choices(m))
    record = WorkshopRecord.start(session, m)
    ann = room.join("Ann")
    room.send_note(ann.id, "note-0001", m.stages[0].id, "idea", "Kept")
    real = store_workshops.store_batch

    def full_disk(*args: object, **kwargs: object) -> list[str]:
        raise WorkspaceError("ws.jdesk: could not be saved (disk full); nothing was changed")

    monkeypatch.setattr(store_workshops, "store_batch", full_disk)
    done = drain(room, record)
    assert "disk full" in (done.error or "") and not room.is_stored("note-0001")
    monkeypatch.setattr(store_workshops, "store_batch", real)
    done = drain(room, record)  # handed out again, stored now, with its author
    assert [n.id for n in done.notes] == ["note-0001"] and room.is_stored("note-0001")
    assert workshop_report(session, record.id).participants == [("Ann", 1)]
