"""The workshop's web server: a small Starlette app served by uvicorn in a thread of the app's
process, on a socket bound here so that its port is known before a phone connects.

Everything is under ``/<token>/`` (the room's 128-bit random token):

============  ======  =====================================================================
``""``        GET     the page (index.html; the map's name escaped into its title)
``app.js``    GET     its script, ``app.css`` its style (from an allow-list, never a path)
``join``      POST    ``{"name": ...}`` -> ``{"id": participant id, "name": ...}``
``state``     GET     :meth:`Room.phone_state` for the participant named by ``X-Participant``
``note``      POST    ``{"id", "stage", "kind", "text"}``; answered once the laptop stored it
``photo``     POST    the JPEG/PNG bytes as the body, the note's fields in the query string
``vote``      POST    ``{"dots": {card id: dots}}`` -> the new phone state
============  ======  =====================================================================

A wrong or old token, any other path or method gets 404 with an empty body.  Every answer
carries a strict Content-Security-Policy (no inline script), ``nosniff``, no referrer and no
caching.  Bodies, notes, photos and requests per client per minute are capped, each with a
sentence the phone shows.  A note is answered only when the owner has stored it
(the request waits on the server's event loop and is woken through :meth:`Room.on_stored`:
no thread per waiting phone, so a confirmed batch does not wake a herd of threads that would
compete with the GUI thread for the GIL); when that takes too long the answer is 503 and the
phone sends the same note (same id) again.

Ending a session (:meth:`WorkshopServer.end`) does not close the port at once: for a grace
period (:data:`ENDED_GRACE_SECONDS`) the page and its files are still served and every call of
the page (join, state, note, photo, vote) gets 410 Gone, so the phones show that the session
ended instead of "Cannot reach the laptop".  Nothing reaches the room any more.  The server
closes by itself when the grace period is over, once no request came for
:data:`ENDED_IDLE_SECONDS` (every phone that polls was told; at once if none asked in those
seconds before the end), or when the program's main thread ends (quitting);
:meth:`WorkshopServer.stop` closes at once.  When nobody joined there is nobody to tell:
:meth:`~WorkshopServer.end` closes at once.

The server thread never touches Qt or the workspace: the owner drains the room
(:func:`journeydesk.app.workshop.owner.drain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import ipaddress
import json
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journeydesk.app.workshop.photos import MAX_PHOTO_BYTES, PhotoRefused, check_photo
from journeydesk.app.workshop.room import Room, RoomBusy, RoomError
from journeydesk.resources import resource_path

__all__ = ["ENDED_GRACE_SECONDS", "ENDED_IDLE_SECONDS", "Limits", "NetworkAddress",
           "WorkshopServer", "network_addresses"]

#: Seconds an ended session still answers the phones (410 Gone) before its port closes.
ENDED_GRACE_SECONDS = 90.0
#: ... or fewer: the port closes once no request came for this long (a phone polls every
#: 2.5 s, so every phone still polling has been told).
ENDED_IDLE_SECONDS = 10.0
#: The page's calls: answered 410 once the session ended.
API_ROUTES = frozenset({"join", "state", "note", "photo", "vote"})

#: The files the page is made of: name in the URL -> (file in resources/workshop, type).
STATIC = {
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "app.css": ("app.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; "
     b"form-action 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]
PARTICIPANT_HEADER = "x-participant"


@dataclass(frozen=True)
class Limits:
    """Caps on what one client may send (per minute: a sliding window of 60 s).

    A room of 60 people may sit behind one address (a guest Wi-Fi's NAT), so the per-address
    caps (page, join) are for a room; the others count per participant.
    """

    max_body: int = 16 * 1024  # JSON bodies (a 500-character note escaped is under 7 KB)
    max_photo: int = MAX_PHOTO_BYTES
    page_per_ip: int = 600  # the page and its two files, for a room behind one address
    join_per_ip: int = 120
    state_per_participant: int = 90  # a poll every 2-3 s, with room to spare
    note_per_participant: int = 40
    photo_per_participant: int = 10
    vote_per_participant: int = 60
    note_wait: float = 8.0  # seconds a phone waits for its note to be stored before a 503


class _Refused(Exception):
    """An answer other than 200: status and the sentence the phone shows."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class RateLimiter:
    """Requests per key in a sliding minute; used from the event loop's thread only."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 60.0):
        self._clock = clock
        self._window = window
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._calls = 0

    def allow(self, action: str, key: str, limit: int) -> float:
        """0 when the request may go on (and it is counted), else the seconds to wait."""
        now = self._clock()
        self._calls += 1
        if self._calls % 1000 == 0:
            self._prune(now)
        times = self._seen.setdefault((action, key), deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) >= limit:
            return max(0.1, times[0] + self._window - now)
        times.append(now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget keys with nothing in the window (memory stays bounded)."""
        for key in [k for k, times in self._seen.items()
                    if not times or times[-1] <= now - self._window]:
            del self._seen[key]


class _SecurityHeaders:
    """Adds the security headers to every answer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k not in names]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


class _Uvicorn(uvicorn.Server):
    """uvicorn's server that also stops when ``should_close()`` says so (asked every tenth of
    a second on the server's loop)."""

    def __init__(self, config: uvicorn.Config, should_close: Callable[[], bool]):
        super().__init__(config)
        self._should_close = should_close

    async def on_tick(self, counter: int) -> bool:
        if not self.should_exit and self._should_close():
            self.should_exit = True
        return await super().on_tick(counter)


#: Servers of ended sessions in their grace period (a new session on the same port stops one).
_lingering: set[WorkshopServer] = set()
_lingering_lock = threading.Lock()


def _not_found() -> Response:
    return Response(b"", status_code=404)


def _message(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status, headers=headers)


class WorkshopServer:
    """Serves ``room`` to the phones while started (:meth:`start`, :meth:`stop`)."""

    def __init__(self, room: Room, *, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.room = room
        self.limits = limits or Limits()
        self._limiter = RateLimiter(clock)
        self._clock = clock
        self._files = {name: (resource_path("workshop", file).read_bytes(), kind)
                       for name, (file, kind) in STATIC.items()}
        self._page = resource_path("workshop", "index.html").read_text(encoding="utf-8")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._stopping = threading.Event()
        self._ended = threading.Event()  # the session ended: 410 to the page's calls
        self._close_at = 0.0  # (clock) the grace period ends
        self._last_request = self._clock()  # (clock) the last request with the token
        # requests waiting for their note to be stored: woken on the event loop when the
        # owner confirms (Room.on_stored), never by a thread per waiting request
        self._waiting: dict[str, list[asyncio.Future[bool]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        room.on_stored(self._on_stored)
        self.url: str | None = None
        self.app = _SecurityHeaders(Starlette(
            routes=[Route("/{path:path}", self._dispatch,
                          methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
                                   "OPTIONS"])],
            exception_handlers={404: self._empty_404, 405: self._empty_404}))
        self._routes: dict[tuple[str, str], Callable[[Request], Awaitable[Response]]] = {
            ("GET", ""): self._get_page, ("HEAD", ""): self._get_page,
            ("POST", "join"): self._post_join, ("GET", "state"): self._get_state,
            ("POST", "note"): self._post_note, ("POST", "photo"): self._post_photo,
            ("POST", "vote"): self._post_vote,
        }
        for name in STATIC:
            self._routes["GET", name] = self._get_file
            self._routes["HEAD", name] = self._get_file

    # ------------------------------------------------------------ starting and stopping
    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int | None:
        """The port it listens (or listened) on; None before :meth:`start`."""
        return self._port

    def start(self, host: str = "127.0.0.1", port: int = 0, *,
              timeout: float = 10.0) -> str:
        """Listen on ``host``:``port`` (0: any free port) and serve in a thread; returns the
        URL to give the room (``http://HOST:PORT/<token>/``).  Raises OSError when the
        address cannot be bound."""
        if self._thread is not None:
            raise RuntimeError("the workshop server was started already")
        if port:  # an ended session's server in its grace period gives the port up
            with _lingering_lock:
                holding = [s for s in _lingering if s.port == port]
            for server in holding:
                server.stop()
        sock = _bind(host, port)
        config = uvicorn.Config(
            self.app, http="h11", ws="none", loop="asyncio", lifespan="off",
            log_config=None, log_level="warning", access_log=False, server_header=False,
            date_header=False, timeout_keep_alive=5, timeout_graceful_shutdown=3)
        server = _Uvicorn(config, self._grace_over)
        self._server, self._socket = server, sock
        self._port = sock.getsockname()[1]
        failed: list[BaseException] = []

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - SystemExit from a failed start too
                failed.append(exc)
            finally:
                sock.close()
                with _lingering_lock:
                    _lingering.discard(self)

        self._thread = threading.Thread(target=serve, name="workshop-server", daemon=False)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if failed or not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                reason = failed[0] if failed else "time-out"
                raise OSError(f"the workshop server did not start ({reason})")
            time.sleep(0.01)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self._port}/{self.room.token}/"
        return self.url

    def end(self, grace: float = ENDED_GRACE_SECONDS) -> None:
        """End the session without waiting: the room closes now (nothing reaches it any
        more, a phone waiting for its note hears 410), and for up to ``grace`` seconds the
        page's calls get 410 Gone so the phones show that the session ended; then the port
        closes by itself (see the module's docstring).  Closes at once, like :meth:`stop`,
        when nobody joined, when ``grace`` is 0 or when not serving.  Safe to call twice;
        :meth:`stop` ends the grace period at once."""
        self.room.close()
        if self._ended.is_set() or self._stopping.is_set():
            return
        if grace <= 0 or not self.running or not self.room.participants():
            self.stop()
            return
        self._close_at = self._clock() + grace
        self._ended.set()
        with _lingering_lock:
            _lingering.add(self)
        self._wake_all()

    @property
    def ended(self) -> bool:
        """Whether :meth:`end` was called and the grace period runs (or ran)."""
        return self._ended.is_set()

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Wait until the server thread ended (the grace period of :meth:`end` is over);
        whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _grace_over(self) -> bool:
        """(On the server's loop) whether an ended session's grace period is over: its time
        is up, no request came for ``ENDED_IDLE_SECONDS``, or the program is quitting."""
        if not self._ended.is_set():
            return False
        now = self._clock()
        return (now >= self._close_at or now - self._last_request >= ENDED_IDLE_SECONDS
                or not threading.main_thread().is_alive())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: the room is closed, open requests end, the thread is joined and the
        port is closed.  Safe to call twice (and during the grace period of :meth:`end`)."""
        self.room.close()
        self._stopping.set()
        self._wake_all()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        with _lingering_lock:
            _lingering.discard(self)

    def _wake_all(self) -> None:
        """Wake every request waiting for its note (the session ends)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake, None)

    # ------------------------------------------------------------ requests
    async def _empty_404(self, request: Request, exc: Exception) -> Response:
        return _not_found()

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        token = self.room.token
        prefix = f"/{token}/"
        if (not path.startswith("/") or len(path) < len(prefix)
                or not hmac.compare_digest(path[:len(prefix)].encode(), prefix.encode())):
            return _not_found()
        self._last_request = self._clock()
        route = path[len(prefix):]
        handler = self._routes.get((request.method, route))
        if handler is None or self._stopping.is_set():
            return _not_found()
        if self._ended.is_set() and route in API_ROUTES:  # nothing read, nothing posted
            return _message(410, "This session has ended.")
        try:
            return await handler(request)
        except _Refused as refused:
            return _message(refused.status, str(refused), refused.headers)

    def _limit(self, action: str, key: str, limit: int) -> None:
        wait = self._limiter.allow(action, key, limit)
        if wait:
            seconds = int(wait) + 1
            raise _Refused(429, f"Too many requests; please wait {seconds} seconds.",
                           {"Retry-After": str(seconds)})

    @staticmethod
    def _ip(request: Request) -> str:
        return request.client.host if request.client else "?"

    def _participant(self, request: Request) -> str:
        participant_id = request.headers.get(PARTICIPANT_HEADER, "")
        if not participant_id or self.room.participant(participant_id) is None:
            if self.room.closed:
                raise _Refused(410, "This session has ended.")
            raise _Refused(403, "Join the session first.")
        return participant_id

    async def _body(self, request: Request, cap: int, what: str = "request") -> bytes:
        """The request's body, refused with 413 as soon as it is known to exceed ``cap``."""
        too_large = _Refused(413, f"That {what} is too large: at most "
                                  f"{_size_text(cap)}.")
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > cap:
                    raise too_large
            except ValueError:
                raise _Refused(400, "That request was not understood.") from None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def _json(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise _Refused(415, "That request was not understood.")
        body = await self._body(request, self.limits.max_body)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: too deep
            raise _Refused(400, "That request was not understood.") from None
        if not isinstance(data, dict):
            raise _Refused(400, "That request was not understood.")
        return data

    def _room_call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except RoomBusy as exc:
            raise _Refused(503, str(exc), {"Retry-After": "3"}) from None
        except RoomError as exc:
            if self.room.closed:
                raise _Refused(410, "This session has ended.") from None
            raise _Refused(400, str(exc)) from None

    async def _get_page(self, request: Request) -> Response:
        self._limit("page", self._ip(request), self.limits.page_per_ip)
        page = self._page.replace("{{map}}", html.escape(self.room.map_name, quote=True))
        return Response(page, media_type="text/html; charset=utf-8")

    async def _get_file(self, request: Request) -> Response:
        self._limit("page", self._ip(request), self.limits.page_per_ip)
        data, kind = self._files[request.url.path.rsplit("/", 1)[1]]
        return Response(data, media_type=kind)

    async def _post_join(self, request: Request) -> Response:
        self._limit("join", self._ip(request), self.limits.join_per_ip)
        data = await self._json(request)
        person = self._room_call(lambda: self.room.join(data.get("name")))
        return JSONResponse({"id": person.id, "name": person.name})

    async def _get_state(self, request: Request) -> Response:
        participant_id = self._participant(request)
        self._limit("state", participant_id, self.limits.state_per_participant)
        return JSONResponse(self.room.phone_state(participant_id))

    async def _post_note(self, request: Request) -> Response:
        participant_id = self._participant(request)
        self._limit("note", participant_id, self.limits.note_per_participant)
        data = await self._json(request)
        note = self._room_call(lambda: self.room.send_note(
            participant_id, data.get("id"), data.get("stage"), data.get("kind"),
            data.get("text", "")))
        return await self._stored(note.id)

    async def _post_photo(self, request: Request) -> Response:
        participant_id = self._participant(request)
        self._limit("photo", participant_id, self.limits.photo_per_participant)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("image/jpeg", "image/png"):
            raise _Refused(415, "Only JPEG and PNG photos can be sent.")
        data = await self._body(request, self.limits.max_photo, "photo")
        try:
            check_photo(data)
        except PhotoRefused as exc:
            raise _Refused(400, str(exc)) from None
        query = request.query_params
        note = self._room_call(lambda: self.room.send_note(
            participant_id, query.get("id"), query.get("stage"), query.get("kind"),
            query.get("text", ""), photo=data))
        return await self._stored(note.id)

    async def _post_vote(self, request: Request) -> Response:
        participant_id = self._participant(request)
        self._limit("vote", participant_id, self.limits.vote_per_participant)
        data = await self._json(request)
        dots = data.get("dots")
        if not isinstance(dots, dict):
            raise _Refused(400, "That request was not understood.")
        self._room_call(lambda: self.room.cast_votes(participant_id, dots))
        return JSONResponse(self.room.phone_state(participant_id))

    async def _stored(self, note_id: str) -> Response:
        """Wait until the owner stored the note: 200, or 503 after ``note_wait`` seconds (the
        phone sends it again), 410 when the session ended."""
        if not self.room.is_stored(note_id):
            loop = asyncio.get_running_loop()
            self._loop = loop
            waiter: asyncio.Future[bool] = loop.create_future()
            self._waiting.setdefault(note_id, []).append(waiter)
            try:
                # confirmed between the first look and the registration: no wake-up comes
                if not (self.room.is_stored(note_id) or self._stopping.is_set()
                        or self._ended.is_set()):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter, self.limits.note_wait)
            finally:
                waiters = self._waiting.get(note_id, [])
                if waiter in waiters:
                    waiters.remove(waiter)
                if not waiters:
                    self._waiting.pop(note_id, None)
        if self.room.is_stored(note_id):
            return JSONResponse({"stored": True, "id": note_id})
        if self.room.closed:
            raise _Refused(410, "This session has ended; your note was not saved.")
        raise _Refused(503, "The laptop has not saved your note yet; it is kept here and "
                            "sent again.", {"Retry-After": "2"})

    def _on_stored(self, note_ids: list[str]) -> None:
        """The owner stored notes (on the owner's thread): wake their requests on the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake, note_ids)

    def _wake(self, note_ids: list[str] | None) -> None:
        """Wake the requests waiting for ``note_ids`` (None: all of them, the server stops)."""
        keys = list(self._waiting) if note_ids is None else note_ids
        for note_id in keys:
            for waiter in self._waiting.get(note_id, []):
                if not waiter.done():
                    waiter.set_result(True)


def _size_text(size: int) -> str:
    return f"{size // 2**20} MB" if size >= 2**20 else f"{size // 1024} KB"


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (IPv4 or IPv6)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if sys.platform == "win32":  # never share the port with another program
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:  # a restarted session may take its port again at once
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


# --------------------------------------------------------------------------- addresses
class NetworkAddress(NamedTuple):
    """A network interface's IPv4 address the facilitator may serve on."""

    name: str  # the interface ("wlan0", "eth0", "lo"), or "default" when unknown
    address: str


def network_addresses() -> list[NetworkAddress]:
    """The machine's IPv4 addresses by interface, loopback last (always listed)."""
    found: list[NetworkAddress] = []
    for finder in (_from_ioctl, _from_ip_command, _from_default_route):
        with contextlib.suppress(OSError, ValueError, subprocess.SubprocessError):
            found = finder()
        if any(not ipaddress.ip_address(a.address).is_loopback for a in found):
            break
    unique = list(dict.fromkeys(found))
    outside = [a for a in unique if not ipaddress.ip_address(a.address).is_loopback]
    loopback = [a for a in unique if ipaddress.ip_address(a.address).is_loopback]
    return outside + (loopback or [NetworkAddress("lo", "127.0.0.1")])


def _from_ioctl() -> list[NetworkAddress]:
    """Linux: each interface's IPv4 address (SIOCGIFADDR)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl  # POSIX only

    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), 0x8915, request)  # SIOCGIFADDR
            except OSError:  # no IPv4 address on this interface
                continue
            found.append(NetworkAddress(name, socket.inet_ntoa(answer[20:24])))
    return found


def _from_ip_command() -> list[NetworkAddress]:
    """``ip -j addr``, where present."""
    done = subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True,
                          timeout=3, check=True)
    return [NetworkAddress(link.get("ifname", "?"), info["local"])
            for link in json.loads(done.stdout)
            for info in link.get("addr_info", []) if info.get("family") == "inet"]


def _from_default_route() -> list[NetworkAddress]:
    """The address the default route leaves from (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, nothing is sent
        return [NetworkAddress("default", probe.getsockname()[0])]
