"""Ending a workshop session: the server tells the phones (410 Gone) for a grace period
without blocking the caller, then closes by itself; quitting and ``stop`` close at once; the
command line's end after --minutes tells the phones too.  Also: JSON nested too deep is a 400,
not a 500 with a traceback."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from workshop_helpers import MAP_NAME, make_workspace

from journeydesk.app.workshop import server as server_module
from journeydesk.app.workshop.room import Room, StageChoice
from journeydesk.app.workshop.server import (
    ENDED_GRACE_SECONDS,
    ENDED_IDLE_SECONDS,
    Limits,
    WorkshopServer,
)

STAGES = [StageChoice("s1", "Discover"), StageChoice("s2", "Join")]


def join(client: httpx.Client, name: str = "Ann") -> dict[str, str]:
    answer = client.post("join", json={"name": name})
    assert answer.status_code == 200, answer.text
    return {"X-Participant": answer.json()["id"]}


def note(client: httpx.Client, who: dict[str, str], note_id: str) -> httpx.Response:
    return client.post("note", headers=who, json={
        "id": note_id, "stage": "s1", "kind": "idea", "text": "Hello"})


def port_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 1):
            return False
    except OSError:
        return True


class Storer:
    """Stands in for the owner: confirms every note as stored."""

    def __init__(self, room: Room):
        self.room = room
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.room.confirm_stored(n.id for n in self.room.take_arrivals().notes)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


@pytest.fixture
def served() -> Iterator[tuple[WorkshopServer, httpx.Client]]:
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room, limits=Limits(note_wait=30.0))
    url = server.start("127.0.0.1", 0)
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield server, client
    finally:
        server.stop()


def test_the_grace_period_is_a_documented_constant() -> None:
    assert 60 <= ENDED_GRACE_SECONDS <= 120
    assert 0 < ENDED_IDLE_SECONDS < ENDED_GRACE_SECONDS
    docs = (Path(__file__).parents[2] / "docs" / "workshop.md").read_text(encoding="utf-8")
    assert "ENDED_GRACE_SECONDS" in docs and f"{ENDED_GRACE_SECONDS:g} s" in docs


def test_after_end_the_phones_get_410_for_a_grace_period_and_nothing_is_posted(
        served) -> None:
    server, client = served
    who = join(client)
    storer = Storer(server.room)
    try:
        assert note(client, who, "note-00001").status_code == 200
    finally:
        storer.stop()
    started = time.monotonic()
    server.end()
    assert time.monotonic() - started < 0.5  # the caller (the GUI thread) does not wait
    assert server.running and server.ended and server.room.closed
    for answer in (client.get("state", headers=who), note(client, who, "note-00002"),
                   client.post("vote", headers=who, json={"dots": {}}),
                   client.post("join", json={"name": "Late"}),
                   client.post("photo?id=note-00003&stage=s1&kind=idea", headers={
                       **who, "Content-Type": "image/png"}, content=b"\x89PNG")):
        assert answer.status_code == 410, answer.text
        assert answer.json() == {"error": "This session has ended."}
    arrivals = server.room.take_arrivals()
    assert not arrivals  # nothing reached the room
    assert [p.name for p in server.room.participants()] == ["Ann"]
    page = client.get("")
    assert page.status_code == 200 and "app.js" in page.text  # a reload shows "ended"
    assert client.get("app.js").status_code == 200
    assert client.get("nope").status_code == 404
    assert httpx.get(client.base_url.join("/wrong-token/state"), timeout=5).status_code == 404
    server.end()  # twice is fine
    assert server.running


def test_the_port_closes_by_itself_when_the_grace_period_is_over() -> None:
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room)
    url = server.start("127.0.0.1", 0)
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            who = join(client)
            server.end(grace=1.5)
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:  # a phone polling keeps being told
                assert client.get("state", headers=who).status_code == 410
                time.sleep(0.2)
        assert server.wait_closed(10)
        assert port_closed(server.port)
    finally:
        server.stop()


def test_the_port_closes_early_once_no_phone_asks(monkeypatch) -> None:
    monkeypatch.setattr(server_module, "ENDED_IDLE_SECONDS", 0.8)
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room)
    url = server.start("127.0.0.1", 0)
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            who = join(client)
            server.end()  # 90 s at most
            for _ in range(8):  # a phone still polling keeps the port open
                assert client.get("state", headers=who).status_code == 410
                time.sleep(0.25)
            assert server.running
        started = time.monotonic()
        assert server.wait_closed(10)  # told: it stops asking, the port closes
        assert time.monotonic() - started < 5
        assert port_closed(server.port)
    finally:
        server.stop()


def test_the_port_closes_at_once_when_no_phone_asked_lately(monkeypatch) -> None:
    monkeypatch.setattr(server_module, "ENDED_IDLE_SECONDS", 0.5)
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room)
    url = server.start("127.0.0.1", 0)
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            join(client)
        time.sleep(1.0)  # every phone went quiet (screens off, pages closed)
        started = time.monotonic()
        server.end()
        assert server.wait_closed(5) and time.monotonic() - started < 2
    finally:
        server.stop()


def test_end_closes_at_once_when_nobody_joined() -> None:
    server = WorkshopServer(Room("Sign-up", STAGES))
    url = server.start("127.0.0.1", 0)
    assert httpx.get(url, timeout=5).status_code == 200  # the page alone: nobody to tell
    server.end()
    assert not server.running and port_closed(server.port)


def test_stop_during_the_grace_period_closes_at_once(served) -> None:
    server, client = served
    join(client)
    server.end()
    assert server.running
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert not server.running and port_closed(server.port)


def test_a_phone_waiting_for_its_note_hears_at_once_that_it_was_not_saved(served) -> None:
    server, client = served
    who = join(client)
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(note(client, who, "note-10001")))
    sender.start()
    while not server.room._pending:  # it arrived; nobody stores it (note_wait is 30 s)
        time.sleep(0.01)
    started = time.monotonic()
    server.end()
    sender.join(10)
    assert time.monotonic() - started < 3
    assert answers[0].status_code == 410 and "not saved" in answers[0].json()["error"]


def test_a_new_session_on_the_same_port_takes_it_from_an_ended_one(served) -> None:
    server, client = served
    join(client)
    server.end()
    assert server.running
    second = WorkshopServer(Room("Again", STAGES))
    try:
        url = second.start("127.0.0.1", server.port)
        assert not server.running
        assert "Again" in httpx.get(url, timeout=5).text
    finally:
        second.stop()


QUIT_CHILD = """
import sys
import httpx
from journeydesk.app.workshop.room import Room, StageChoice
from journeydesk.app.workshop.server import WorkshopServer

server = WorkshopServer(Room("Sign-up", [StageChoice("s1", "Discover")]))
url = server.start("127.0.0.1", 0)
httpx.post(url + "join", json={"name": "Ann"}, timeout=5).raise_for_status()
server.end()  # 90 s of grace; the program ends now
print(url, flush=True)
"""


def test_quitting_during_the_grace_period_closes_the_port_at_once() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", QUIT_CHILD], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30  # not the grace period
    url = done.stdout.strip().splitlines()[-1]
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


# --------------------------------------------------------------------------- malformed JSON
def test_json_nested_too_deep_is_a_400_without_a_traceback(served, capfd, caplog) -> None:
    _server, client = served
    who = join(client)
    deep = "[" * 5000 + "]" * 5000
    caplog.set_level(logging.DEBUG)
    for path, headers in (("join", {}), ("note", who), ("vote", who)):
        answer = client.post(path, headers={**headers, "Content-Type": "application/json"},
                             content=deep)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "That request was not understood."}
        answer = client.post(path, headers={**headers, "Content-Type": "application/json"},
                             content='{"a": ' + deep + "}")
        assert answer.status_code == 400
    assert client.get("state", headers=who).status_code == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.exc_info or "Recursion" in r.getMessage()]


# --------------------------------------------------------------------------- the command line
def start_cli(workspace: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
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


def test_the_command_lines_end_after_minutes_tells_the_phones(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws.jdesk")
    proc, url = start_cli(workspace, "--minutes", "0.03")
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            who = join(client)
            deadline = time.monotonic() + 20
            status = 200
            while status == 200 and time.monotonic() < deadline:  # a phone polling
                status = client.get("state", headers=who).status_code
                time.sleep(0.3)
            assert status == 410  # told, not refused a connection
        out, err = proc.communicate(timeout=30)  # closes once the phone stopped asking
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out.strip().splitlines()[-1] == "Workshop ended: 1 participant, 0 notes, 0 accepted."
    assert "telling the phones that the session ended" in err
    assert port_closed(int(url.split(":")[2].split("/")[0]))


def test_ctrl_c_during_the_command_lines_grace_period_closes_at_once(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws.jdesk")
    proc, url = start_cli(workspace, "--minutes", "0.02")
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            who = join(client)
            deadline = time.monotonic() + 20
            while (client.get("state", headers=who).status_code == 200
                   and time.monotonic() < deadline):
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        _out, err = proc.communicate(timeout=10)
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert port_closed(int(url.split(":")[2].split("/")[0]))
