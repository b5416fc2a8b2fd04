"""``journeydesk workshop``: a real process serving phones (httpx on loopback), notes stored as
they arrive, --accept-all, --minutes, signals, and a kill that loses no acknowledged note."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from workshop_helpers import MAP_NAME, make_workspace

from journeydesk.app.session import WorkspaceSession
from journeydesk.app.workshop.record import inbox_notes, list_workshops, workshop_report
from journeydesk.domain.model import LaneType


def start(workspace: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "journeydesk", "workshop", str(workspace), "--map", MAP_NAME,
         "--host", "127.0.0.1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise AssertionError(f"no URL: {url!r} {proc.communicate()[1]}")
    return proc, url


def send_notes(url: str, count: int, name: str = "Ann") -> list[str]:
    with httpx.Client(base_url=url, timeout=10) as client:
        who = {"X-Participant": client.post("join", json={"name": name}).json()["id"]}
        stages = [s["id"] for s in client.get("state", headers=who).json()["stages"]]
        sent = []
        for i in range(count):
            note_id = f"{name.lower()}-note-{i:04d}"
            answer = client.post("note", headers=who, json={
                "id": note_id, "stage": stages[i % len(stages)],
                "kind": ("pain", "idea")[i % 2], "text": f"{name} says {i}"})
            assert answer.status_code == 200, answer.text
            sent.append(note_id)
    return sent


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws.jdesk")


def test_notes_are_accepted_onto_the_map_and_sigterm_ends_the_session(
        workspace: Path) -> None:
    proc, url = start(workspace, "--accept-all")
    sent = send_notes(url, 4)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.strip().splitlines()[-1] == (
        "Workshop ended: 1 participant, 4 notes, 4 accepted.")
    with pytest.raises(OSError), socket.create_connection(
            ("127.0.0.1", int(url.split(":")[2].split("/")[0])), 1):
        pass  # the port is closed
    with WorkspaceSession.open(workspace, read_only=True) as session:
        m = session.workspace.map_named(MAP_NAME)
        assert m is not None
        cards = {c.text: c for c in m.cards.values()}
        for i in range(4):
            card = cards[f"Ann says {i}"]
            assert card.step_id == m.stages[i % 3].steps[0].id
            expected = LaneType.PAIN_POINTS if i % 2 == 0 else LaneType.OPPORTUNITIES
            assert m.lane(card.lane_id).type is expected
        assert inbox_notes(session, m.id) == []
        (workshop,) = list_workshops(session)
        assert workshop.ended_at and workshop.status_counts == {"accepted": 4}
        report = workshop_report(session, workshop.id)
        assert {n.status for n in report.notes} == {"accepted"} and len(sent) == 4


def test_without_accept_all_the_notes_wait_in_the_inbox_and_minutes_end_it(
        workspace: Path) -> None:
    started = time.monotonic()
    proc, url = start(workspace, "--minutes", "0.04")
    send_notes(url, 2, "Bob")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 20
    assert "Workshop ended: 1 participant, 2 notes, 0 accepted." in out
    with WorkspaceSession.open(workspace, read_only=True) as session:
        m = session.workspace.map_named(MAP_NAME)
        assert m is not None
        assert [n.text for n in inbox_notes(session, m.id)] == ["Bob says 0", "Bob says 1"]


def test_a_kill_loses_no_acknowledged_note(workspace: Path) -> None:
    proc, url = start(workspace)
    sent = send_notes(url, 12, "Cleo")
    acknowledged: list[str] = []
    stop = threading.Event()

    def keep_sending(name: str) -> None:  # still sending when the kill comes
        with httpx.Client(base_url=url, timeout=10) as client:
            who = {"X-Participant": client.post("join", json={"name": name}).json()["id"]}
            stage = client.get("state", headers=who).json()["stages"][0]["id"]
            for i in range(1000):
                if stop.is_set():
                    return
                note_id = f"{name}-note-{i:04d}"
                try:
                    answer = client.post("note", headers=who, json={
                        "id": note_id, "stage": stage, "kind": "thought", "text": "In flight"})
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    acknowledged.append(note_id)

    senders = [threading.Thread(target=keep_sending, args=(f"s{i}",)) for i in range(4)]
    for sender in senders:
        sender.start()
    time.sleep(0.8)
    proc.kill()  # SIGKILL: no clean-up at all
    proc.communicate(timeout=10)
    stop.set()
    for sender in senders:
        sender.join(10)
    assert len(acknowledged) > 4
    with WorkspaceSession.open(workspace) as session:
        m = session.workspace.map_named(MAP_NAME)
        assert m is not None
        kept = {n.id for n in inbox_notes(session, m.id)}
        assert set(sent) <= kept and set(acknowledged) <= kept
        assert len(kept) <= len(sent) + len(acknowledged) + 4  # at most the ones in flight
        (workshop,) = list_workshops(session)
        assert workshop.ended_at is None and workshop.participants == 5


def test_a_missing_map_or_a_taken_port_is_an_error(workspace: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "journeydesk", "workshop", str(workspace),
                             "--map", "Nope", "--host", "127.0.0.1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "no map named 'Nope'" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "journeydesk", "workshop", str(workspace), "--map",
             MAP_NAME, "--host", "127.0.0.1", "--port", str(taken.getsockname()[1])],
            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "cannot serve on 127.0.0.1" in result.stderr
    assert result.stdout == ""
