"""The workshop room's live state: notes stored once, limits, vote rules, the timer."""

from __future__ import annotations

import threading

import pytest

from journeydesk.app.workshop.room import (
    MAX_NOTE_CHARS,
    Room,
    RoomError,
    StageChoice,
    Timer,
)


def make_room(**kwargs) -> Room:
    return Room("Sign-up", [StageChoice("s1", "Discover"), StageChoice("s2", "Join")], **kwargs)


def test_the_token_has_128_random_bits():
    tokens = {make_room().token for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 22 for t in tokens)  # 16 bytes, URL-safe base64


def test_a_note_is_acknowledged_only_once_the_owner_stored_it():
    room = make_room()
    ann = room.join("Ann")
    room.send_note(ann.id, "note-0001", "s1", "pain", "The form is too long")
    assert not room.is_stored("note-0001")
    arrivals = room.take_arrivals()
    assert [n.text for n in arrivals.notes] == ["The form is too long"]
    assert arrivals.participants == [ann]
    assert not room.take_arrivals()  # handed out once
    room.confirm_stored([n.id for n in arrivals.notes])
    assert room.is_stored("note-0001")


def test_the_server_hears_of_stored_notes_on_the_owners_thread():
    room = make_room()
    ann = room.join(None)
    room.send_note(ann.id, "note-0002", "s2", "idea", "Pay later")
    heard: list[tuple[list[str], str]] = []
    room.on_stored(lambda ids: heard.append((ids, threading.current_thread().name)))
    owner = threading.Thread(target=lambda: room.confirm_stored(
        [n.id for n in room.take_arrivals().notes]), name="owner")
    owner.start()
    owner.join(5)
    assert heard == [(["note-0002"], "owner")]
    room.confirm_stored([])
    assert len(heard) == 1  # nothing confirmed, nobody told


def test_a_note_sent_twice_is_stored_once():
    room = make_room()
    ann = room.join("Ann")
    for _ in range(3):
        room.send_note(ann.id, "note-0003", "s1", "thought", "Hmm")
    notes = room.take_arrivals().notes
    assert len(notes) == 1
    room.confirm_stored([notes[0].id])
    room.send_note(ann.id, "note-0003", "s1", "thought", "Hmm")  # a retry after the answer
    assert not room.take_arrivals().notes


def test_notes_the_owner_could_not_store_are_handed_out_again():
    room = make_room()
    ann = room.join("Ann")
    room.send_note(ann.id, "note-0004", "s1", "question", "Why?")
    first = room.take_arrivals().notes
    room.release([n.id for n in first])
    assert [n.id for n in room.take_arrivals().notes] == ["note-0004"]


@pytest.mark.parametrize(("args", "message"), [
    (("note-0005", "s9", "idea", "x"), "stages"),
    (("note-0005", "s1", "poem", "x"), "kind"),
    (("note-0005", "s1", "idea", ""), "empty"),
    (("note-0005", "s1", "idea", "x" * (MAX_NOTE_CHARS + 1)), "too long"),
    (("bad id!", "s1", "idea", "x"), "id"),
    (("note-0005", "s1", "idea", 42), "text"),
])
def test_bad_notes_are_refused_with_a_sentence(args, message):
    room = make_room()
    ann = room.join("Ann")
    with pytest.raises(RoomError, match=message):
        room.send_note(ann.id, *args)
    assert not room.take_arrivals().notes


def test_control_characters_are_dropped_and_markup_kept_as_text():
    room = make_room()
    ann = room.join("A\x00nn\x1b")
    note = room.send_note(ann.id, "note-0006", "s1", "idea", " <b>bold</b>\x07\n ")
    assert ann.name == "Ann"
    assert note.text == "<b>bold</b>"


def test_strangers_and_a_closed_room_are_refused():
    room = make_room()
    with pytest.raises(RoomError, match="Join"):
        room.send_note("nobody", "note-0007", "s1", "idea", "x")
    room.close()
    with pytest.raises(RoomError, match="ended"):
        room.join("Late")


def test_votes_respect_the_dots_and_the_eligible_cards():
    room = make_room()
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start_round({"c1": "Long form", "c2": "No price", "c3": "Slow"}, 3)
    room.cast_votes(ann.id, {"c1": 2, "c2": 1})
    with pytest.raises(RoomError, match="3 dots"):
        room.cast_votes(bob.id, {"c1": 4})
    with pytest.raises(RoomError, match="not part"):
        room.cast_votes(bob.id, {"zz": 1})
    room.cast_votes(bob.id, {"c3": 1})
    room.cast_votes(bob.id, {"c2": 3})  # changes their mind: replaces the vote before
    room.cast_votes(None, {"c3": 5})  # the laptop's votes have no limit
    assert room.phone_state(ann.id)["vote"]["left"] == 0
    assert "results" not in room.phone_state(ann.id)["vote"]  # hidden until revealed
    assert room.reveal() == [("c3", "Slow", 5), ("c2", "No price", 4), ("c1", "Long form", 2)]
    results = room.phone_state(bob.id)["vote"]["results"]
    assert [r["dots"] for r in results] == [5, 4, 2]
    room.end_round()
    with pytest.raises(RoomError, match="No vote"):
        room.cast_votes(ann.id, {"c1": 1})


def test_votes_reach_the_owner_for_storing():
    room = make_room()
    ann = room.join("Ann")
    vote_round = room.start_round({"c1": "A"}, 2)
    room.cast_votes(ann.id, {"c1": 2})
    votes = room.take_arrivals().votes
    assert [(v.round_id, v.participant_id, v.card_id, v.dots) for v in votes] == [
        (vote_round.id, ann.id, "c1", 2)]


def test_the_timer_counts_down_pauses_and_takes_more_time():
    now = [100.0]
    timer = Timer(lambda: now[0])
    assert timer.state == "off"
    timer.set(60)
    assert timer.state == "paused" and timer.remaining() == 60
    timer.start()
    now[0] += 20
    assert timer.state == "running" and timer.remaining() == 40
    timer.pause()
    now[0] += 100
    assert timer.remaining() == 40
    timer.start()
    now[0] += 50
    assert timer.state == "ended" and timer.remaining() == 0
    timer.add(60)
    assert timer.state == "running" and timer.remaining() == 60
    with pytest.raises(RoomError):
        timer.set(0)


def test_the_phone_sees_the_timer_and_the_stages():
    now = [0.0]
    room = make_room(clock=lambda: now[0])
    room.timer.set(300)
    room.timer.start()
    now[0] += 30.04
    state = room.phone_state(None)
    assert state["timer"] == {"state": "running", "remaining": 270.0, "total": 300.0}
    assert [s["name"] for s in state["stages"]] == ["Discover", "Join"]
    assert {k["id"] for k in state["kinds"]} == {"thought", "pain", "idea", "question"}
