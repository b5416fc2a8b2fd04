"""The workshop server over real HTTP on 127.0.0.1: every endpoint, every limit, the security
headers, the token, and that nothing answers once it is stopped."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from workshop_helpers import jpeg_header, png_header, raw_request

from journeydesk.app.workshop.photos import MAX_PHOTO_BYTES, check_photo
from journeydesk.app.workshop.room import Room, StageChoice
from journeydesk.app.workshop.server import (
    Limits,
    RateLimiter,
    WorkshopServer,
    network_addresses,
)
from journeydesk.resources import resource_path

STAGES = [StageChoice("s1", "Discover"), StageChoice("s2", "Join")]


class Owner:
    """Stands in for the owner: confirms every note as stored, unless paused."""

    def __init__(self, room: Room):
        self.room = room
        self.stored: list[str] = []
        self.paused = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            if self.paused.is_set():
                continue
            notes = self.room.take_arrivals().notes
            self.stored += [n.id for n in notes]
            self.room.confirm_stored(n.id for n in notes)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


@contextmanager
def serving(limits: Limits | None = None, map_name: str = "Sign-up"
            ) -> Iterator[tuple[WorkshopServer, httpx.Client, Owner]]:
    room = Room(map_name, STAGES)
    server = WorkshopServer(room, limits=limits)
    url = server.start("127.0.0.1", 0)
    owner = Owner(room)
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield server, client, owner
    finally:
        owner.stop()
        server.stop()


@pytest.fixture
def served() -> Iterator[tuple[WorkshopServer, httpx.Client, Owner]]:
    with serving() as found:
        yield found


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[WorkshopServer, httpx.Client, Owner]]:
    """One server for the tests that only read (paths, methods)."""
    with serving() as found:
        yield found


def join(client: httpx.Client, name: str | None = "Ann") -> dict[str, str]:
    answer = client.post("join", json={"name": name})
    assert answer.status_code == 200, answer.text
    return {"X-Participant": answer.json()["id"]}


def note(client: httpx.Client, who: dict[str, str], note_id: str, text: str = "Too long",
         **fields: object) -> httpx.Response:
    body = {"id": note_id, "stage": "s1", "kind": "pain", "text": text, **fields}
    return client.post("note", json=body, headers=who)


# --------------------------------------------------------------------------- the page
def test_the_page_and_its_files_are_served_with_the_security_headers(served) -> None:
    server, client, _ = served
    for path, kind in (("", "text/html"), ("app.js", "text/javascript"),
                       ("app.css", "text/css")):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(kind)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
    assert client.get("join").status_code == 404  # security headers on refusals too
    assert client.get("join").headers["x-content-type-options"] == "nosniff"


def test_the_map_name_is_escaped_in_the_page() -> None:
    with serving(map_name='<script>alert("x")</script> & co') as (_, client, _owner):
        page = client.get("").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page


def test_the_page_has_no_inline_script_and_inserts_text_as_text() -> None:
    page = resource_path("workshop", "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page)  # no inline event handlers
    assert "style=" not in page
    script = resource_path("workshop", "app.js").read_text(encoding="utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    assert "textContent" in script
    assert 'accept="image/jpeg,image/png"' in page and 'capture="environment"' in page
    assert 'maxlength="1000"' in page  # a backstop: the page counts characters (500)


# --------------------------------------------------------------------------- token and paths
def test_a_wrong_or_old_token_gets_an_empty_404(served) -> None:
    server, client, _ = served
    other = Room("Other", STAGES)  # a token that is not this session's
    base = f"http://127.0.0.1:{server.port}"
    for token in (other.token, server.room.token[:-1], server.room.token.upper(), "x"):
        for method, path in (("GET", ""), ("GET", "app.js"), ("GET", "state"),
                             ("POST", "join"), ("POST", "note")):
            answer = httpx.request(method, f"{base}/{token}/{path}", json={"name": "x"})
            assert answer.status_code == 404
            assert answer.content == b""
    assert server.room.participants() == []


@pytest.mark.parametrize("path", [
    "/", "/{t}", "/{t}/../app.js", "/{t}/%2e%2e/%2e%2e/etc/passwd", "/{t}/..%2f..%2fetc",
    "/{t}//etc/passwd", "/{t}/index.html", "/{t}/app.js/", "/{t}/resources/workshop/app.js",
    "/{t}/app.js%00", "/etc/passwd", "/{t}/app.css?x=../../etc/passwd#", "/../{t}/",
    "/{t}/.", "/{t}/workshop/", "//{t}/", "/{t}/%61pp.js/../app.js", "/{t}/APP.JS",
])
def test_nothing_but_the_sessions_files_is_served(shared, path: str) -> None:
    server, _, _ = shared
    status, body = raw_request(server.port, path.format(t=server.room.token))
    if path == "/{t}/app.css?x=../../etc/passwd#":
        assert status == 200  # the query string names no file: it is app.css
        assert body == resource_path("workshop", "app.css").read_bytes()
    else:
        assert (status, body) == (404, b"")


def test_other_methods_get_404(shared) -> None:
    server, client, _ = shared
    for method, path in (("DELETE", ""), ("PUT", "app.js"), ("POST", ""), ("GET", "note"),
                         ("OPTIONS", "join"), ("PATCH", "vote")):
        answer = client.request(method, path)
        assert (answer.status_code, answer.content) == (404, b""), (method, path)


# --------------------------------------------------------------------------- join and state
def test_join_and_state(served) -> None:
    server, client, _ = served
    ann = join(client, "  Ann <b>  ")
    anonymous = join(client, None)
    assert [p.shown_name for p in server.room.participants()] == ["Ann <b>", "Anonymous"]
    state = client.get("state", headers=ann).json()
    assert state["map"] == "Sign-up" and state["open"] is True
    assert [s["name"] for s in state["stages"]] == ["Discover", "Join"]
    assert [k["id"] for k in state["kinds"]] == ["thought", "pain", "idea", "question"]
    assert client.get("state", headers=anonymous).status_code == 200
    for headers in ({}, {"X-Participant": "nobody"}):
        answer = client.get("state", headers=headers)
        assert answer.status_code == 403
        assert answer.json()["error"] == "Join the session first."


def test_join_refuses_what_it_does_not_understand(served) -> None:
    _, client, _ = served
    answer = client.post("join", json={"name": "x" * 41})
    assert answer.status_code == 400 and "too long" in answer.json()["error"]
    answer = client.post("join", content=b'{"name": "Ann"}',
                         headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415  # a cross-site form cannot post JSON
    for body in (b"{", b"[1]", b"\xff\xfe"):
        answer = client.post("join", content=body,
                             headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        assert answer.json()["error"] == "That request was not understood."


# --------------------------------------------------------------------------- notes
def test_a_note_is_answered_once_stored_and_a_retry_is_stored_once(served) -> None:
    server, client, owner = served
    ann = join(client)
    answer = note(client, ann, "note-00001", "The form is too long")
    assert answer.status_code == 200 and answer.json() == {"stored": True, "id": "note-00001"}
    assert owner.stored == ["note-00001"]
    assert note(client, ann, "note-00001", "The form is too long").status_code == 200
    assert owner.stored == ["note-00001"]


def test_a_note_the_owner_does_not_store_in_time_gets_503_and_is_kept() -> None:
    with serving(Limits(note_wait=0.3)) as (server, client, owner):
        ann = join(client)
        owner.paused.set()
        started = time.monotonic()
        answer = note(client, ann, "note-00002", "Slow laptop")
        assert answer.status_code == 503
        assert "kept" in answer.json()["error"] and answer.headers["retry-after"]
        assert time.monotonic() - started < 3
        owner.paused.clear()
        assert note(client, ann, "note-00002", "Slow laptop").status_code == 200
        assert owner.stored == ["note-00002"]


def test_note_limits(served) -> None:
    _, client, _ = served
    ann = join(client)
    answer = note(client, ann, "note-00003", "x" * 501)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("The note is too long: at most 500 characters")
    assert note(client, ann, "note-00004", "é" * 500).status_code == 200
    for fields, message in (({"kind": "rant"}, "kind"), ({"stage": "s9"}, "stages"),
                            ({"id": "../x"}, "valid id"), ({"text": "  "}, "empty")):
        answer = note(client, ann, "note-00005", **{"text": "ok", **fields})
        assert answer.status_code == 400 and message in answer.json()["error"]
    assert note(client, {}, "note-00006").status_code == 403


def test_a_body_over_the_cap_gets_413_with_a_message(served) -> None:
    server, client, _ = served
    ann = join(client)
    cap = server.limits.max_body
    big = b'{"id": "note-00007", "text": "' + b"x" * cap + b'"}'
    answer = client.post("note", content=big,
                         headers={**ann, "Content-Type": "application/json"})
    assert answer.status_code == 413 and "at most 16 KB" in answer.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap is checked while reading
        yield b'{"id": "note-00008", "text": "'
        for _ in range(cap // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    answer = client.post("note", content=chunks(),
                         headers={**ann, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert server.room.take_arrivals().notes == []


# --------------------------------------------------------------------------- photos
def photo(client: httpx.Client, who: dict[str, str], body: bytes | Iterator[bytes],
          note_id: str = "photo-0001", kind: str = "image/jpeg") -> httpx.Response:
    return client.post("photo", params={"id": note_id, "stage": "s2", "kind": "idea",
                                        "text": "Whiteboard"},
                       content=body, headers={**who, "Content-Type": kind})


def test_a_photo_is_checked_from_its_header_and_stored_with_its_note(served) -> None:
    server, client, owner = served
    ann = join(client)
    for n, (data, kind) in enumerate(((jpeg_header(1600, 1200), "image/jpeg"),
                                      (png_header(800, 600), "image/png"))):
        answer = photo(client, ann, data, f"photo-000{n}", kind)
        assert answer.status_code == 200, answer.text
    assert owner.stored == ["photo-0000", "photo-0001"]
    assert check_photo(jpeg_header(1600, 1200)) == ("image/jpeg", 1600, 1200)


def test_photo_limits(served) -> None:
    server, client, _ = served
    ann = join(client)
    answer = photo(client, ann, b"GIF89a....", kind="image/gif")
    assert answer.status_code == 415 and "JPEG and PNG" in answer.json()["error"]
    answer = photo(client, ann, b"<svg></svg>")
    assert answer.json()["error"] == "The photo is not a PNG or JPEG image."
    answer = photo(client, ann, png_header(10_000, 10_000), kind="image/png")
    assert answer.status_code == 400 and "megapixels" in answer.json()["error"]
    answer = photo(client, ann, jpeg_header(100, 100)[:-2])  # cut short
    assert answer.status_code == 400 and "cut short" in answer.json()["error"]
    big = jpeg_header(100, 100) + b"\0" * MAX_PHOTO_BYTES
    answer = photo(client, ann, big)
    assert answer.status_code == 413 and "at most 2 MB" in answer.json()["error"]
    answer = photo(client, ann, iter([big[:1000], big[1000:]]))  # streamed, no length
    assert answer.status_code == 413
    assert photo(client, {}, jpeg_header(10, 10)).status_code == 403
    assert server.room.take_arrivals().notes == []


# --------------------------------------------------------------------------- votes
def test_votes(served) -> None:
    server, client, _ = served
    ann = join(client)
    answer = client.post("vote", json={"dots": {"c1": 1}}, headers=ann)
    assert answer.status_code == 400 and answer.json()["error"] == "No vote is open."
    server.room.start_round({"c1": "Long form", "c2": "<i>No</i> guest checkout"}, dots=3)
    answer = client.post("vote", json={"dots": {"c1": 2, "c2": 1}}, headers=ann)
    assert answer.status_code == 200
    vote = answer.json()["vote"]
    assert vote["left"] == 0 and [c["mine"] for c in vote["cards"]] == [2, 1]
    assert "results" not in vote  # hidden until revealed
    for dots, message in (({"c1": 4}, "3 dots"), ({"c9": 1}, "not part"),
                          ({"c1": -1}, "whole numbers"), ({"c1": "2"}, "whole numbers")):
        answer = client.post("vote", json={"dots": dots}, headers=ann)
        assert answer.status_code == 400 and message in answer.json()["error"]
    assert client.post("vote", json={"dots": [1]}, headers=ann).status_code == 400
    server.room.reveal()
    results = client.get("state", headers=ann).json()["vote"]["results"]
    assert [(r["label"], r["dots"]) for r in results] == [("Long form", 2),
                                                        ("<i>No</i> guest checkout", 1)]


# --------------------------------------------------------------------------- rate limits
def test_requests_per_minute_are_capped_with_a_message() -> None:
    limits = Limits(join_per_ip=3, state_per_participant=4, note_per_participant=2,
                    vote_per_participant=2, photo_per_participant=1, page_per_ip=5)
    with serving(limits) as (server, client, _):
        people = [join(client, f"P{i}") for i in range(3)]
        answer = client.post("join", json={"name": "P3"})
        assert answer.status_code == 429
        assert answer.json()["error"].startswith("Too many requests; please wait")
        assert int(answer.headers["retry-after"]) > 0
        for _ in range(4):
            assert client.get("state", headers=people[0]).status_code == 200
        assert client.get("state", headers=people[0]).status_code == 429
        assert client.get("state", headers=people[1]).status_code == 200  # per participant
        assert note(client, people[0], "note-10001").status_code == 200
        assert note(client, people[0], "note-10002").status_code == 200
        assert note(client, people[0], "note-10003").status_code == 429
        assert photo(client, people[1], jpeg_header(10, 10)).status_code == 200
        assert photo(client, people[1], jpeg_header(10, 10), "photo-0009").status_code == 429
        server.room.start_round({"c1": "x"}, dots=1)
        for expected in (200, 200, 429):
            answer = client.post("vote", json={"dots": {"c1": 1}}, headers=people[2])
            assert answer.status_code == expected
        for expected in (200,) * 5 + (429,):
            assert client.get("app.js").status_code == expected


def test_the_default_limits_let_a_room_of_60_behind_one_address_work(served) -> None:
    _, client, _ = served
    people = [join(client, f"P{i}") for i in range(60)]
    for who in people:
        for _ in range(3):
            assert client.get("state", headers=who).status_code == 200
    for _ in range(3):  # every phone loads the page, its script and its style
        for path in ("", "app.js", "app.css"):
            assert client.get(path).status_code == 200


def test_the_rate_limiter_window_slides_and_forgets() -> None:
    now = [0.0]
    limiter = RateLimiter(lambda: now[0])
    assert [limiter.allow("note", "a", 2) for _ in range(3)] == [0, 0, 60.0]
    now[0] = 30.0
    assert limiter.allow("note", "a", 2) == pytest.approx(30.0)
    now[0] = 60.5
    assert limiter.allow("note", "a", 2) == 0
    for i in range(5000):  # many one-off clients: the old ones are forgotten
        now[0] = 200.0 + i * 0.1
        limiter.allow("join", f"ip{i}", 120)
    assert len(limiter._seen) < 1200


# --------------------------------------------------------------------------- stopping
def test_after_stop_nothing_answers_and_the_port_is_closed() -> None:
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room)
    url = server.start("127.0.0.1", 0)
    assert url == f"http://127.0.0.1:{server.port}/{room.token}/"
    with httpx.Client(base_url=url) as client:  # an open keep-alive connection too
        who = join(client)
        assert client.get("state", headers=who).status_code == 200
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
        assert not server.running and room.closed
        with pytest.raises(httpx.TransportError):
            client.get("state", headers=who)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), 1):
        pass
    server.stop()  # twice is fine


def test_stop_ends_a_phone_waiting_for_its_note() -> None:
    room = Room("Sign-up", STAGES)
    server = WorkshopServer(room)
    url = server.start("127.0.0.1", 0)
    answers: list[httpx.Response | Exception] = []
    who = join(httpx.Client(base_url=url))

    def send() -> None:
        try:
            answers.append(httpx.post(url + "note", headers=who, timeout=10, json={
                "id": "note-20001", "stage": "s1", "kind": "idea", "text": "Waiting"}))
        except httpx.TransportError as exc:
            answers.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    while not room._pending:  # the note arrived; nobody stores it
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    sender.join(10)
    assert time.monotonic() - started < 5
    answer = answers[0]
    assert isinstance(answer, Exception) or answer.status_code == 410


def test_a_closed_room_refuses_with_410(served) -> None:
    server, client, _ = served
    who = join(client)
    server.room.close()
    assert client.post("join", json={"name": "Late"}).status_code == 410
    answer = note(client, who, "note-30001")
    assert answer.status_code == 410 and "ended" in answer.json()["error"]
    assert client.get("state", headers=who).json()["open"] is False


def test_a_port_in_use_is_an_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = WorkshopServer(Room("Sign-up", STAGES))
        with pytest.raises(OSError):
            server.start("127.0.0.1", taken.getsockname()[1])
        assert not server.running


def test_network_addresses_are_ipv4_with_loopback_last() -> None:
    found = network_addresses()
    assert found and found[-1].address.startswith("127.")
    for name, address in found:
        assert name and socket.inet_aton(address)
    assert all(not a.address.startswith("127.") for a in found[:-1])


def test_the_server_thread_is_not_a_daemon_and_is_joined(served) -> None:
    server, _, _ = served
    assert server._thread is not None and not server._thread.daemon
    assert server.running
