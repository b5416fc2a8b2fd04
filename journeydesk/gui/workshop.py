"""A workshop session at the laptop: the room, its web server and its record, run from the
window (Workshop > Start session…).

:class:`WorkshopController` owns the three Qt-free pieces of :mod:`journeydesk.app.workshop`:
the :class:`~journeydesk.app.workshop.room.Room` (the live state the phones talk to), the
``WorkshopServer`` (a web server in a thread of this process) and the ``WorkshopRecord`` (what
the workspace keeps of the session).  The server's threads never touch Qt: they put what
arrives into the room, and a timer on the GUI thread (:attr:`WorkshopController.TICK_MS`)
drains the room into the workspace and updates the docks.  Each tick is timed and the longest
kept (:attr:`WorkshopController.longest_tick`): the GUI thread must never stall.

Nothing listens without a session, but for a short while after one ends: the server then
answers the phones' calls with 410 (the page says the session has ended) until a grace period
is over or the phones stop asking (app/workshop/server.py, ``WorkshopServer.end``), posting
nothing.  It closes at once when the application quits.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from journeydesk.app.workshop.room import KINDS, Room, RoomError, stage_choices
from journeydesk.domain.commands import Changes
from journeydesk.domain.model import JourneyMap
from journeydesk.gui import heap
from journeydesk.gui.listening import follow

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.main_window import MainWindow

TICK_MS = 100


@dataclass
class InboxEntry:
    """A note waiting in the inbox, as the laptop shows it (``source``: the object the app's
    inbox functions take)."""

    id: str
    stage_id: str
    kind: str
    author: str
    text: str
    received_at: datetime | None
    photo: bytes | None
    source: Any = field(repr=False, default=None)

    @property
    def kind_label(self) -> str:
        """"Pain point", "Idea", …"""
        return KINDS[self.kind][1] if self.kind in KINDS else self.kind


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``obj`` has (a stored note or a room's note)."""
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def entry_of(note: Any, author: str | None = None) -> InboxEntry:
    """The inbox's view of a note (a room's :class:`Note` or a note stored in the workspace)."""
    name = author or _attr(note, "author", "participant_name", default=None) or "Anonymous"
    return InboxEntry(id=str(_attr(note, "id", "note_id")),
                      stage_id=str(_attr(note, "stage_id", default="")),
                      kind=str(_attr(note, "kind", default="thought")),
                      author=str(name), text=str(_attr(note, "text", default="")),
                      received_at=_attr(note, "received_at", "created_at", default=None),
                      photo=_attr(note, "photo", default=None), source=note)


class WorkshopController(QObject):
    """One window's workshop session (at most one at a time)."""

    session_changed = Signal(bool)  # a session started (True) or ended (False)
    notes_arrived = Signal(list)  # InboxEntry list, oldest first
    counts_changed = Signal()  # participants or notes received
    ticked = Signal()  # every tick while a session runs (the timer's display)
    timer_ended = Signal()
    vote_changed = Signal()  # a round started, got votes, was revealed or ended
    private_changed = Signal(bool)
    failed = Signal(str)  # a refusal to show the user
    trouble = Signal(str)  # a problem while running (for the status bar)

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.room: Room | None = None
        self.server: Any = None
        self.record: Any = None
        self.map_id: str | None = None
        self.url: str | None = None
        self.private = False
        self.notes_received = 0
        self.longest_tick = 0.0  # seconds: the longest a tick held the GUI thread
        self._timer_state = "off"
        self._last_trouble = ""
        self._round_lanes: list[str] = []
        self._stop_following: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        app = QCoreApplication.instance()
        if app is not None:  # quitting: the server's thread must be joined before Python ends
            app.aboutToQuit.connect(self.end)

    # ------------------------------------------------------------------ state
    @property
    def active(self) -> bool:
        """Whether a session runs."""
        return self.room is not None

    def journey_map(self) -> JourneyMap | None:
        """The session's map (None without a session or once the map is deleted)."""
        if self.map_id is None:
            return None
        return self.window.document.workspace.maps.get(self.map_id)

    def inbox_map_id(self) -> str | None:
        """The map the inbox's notes go on: the session's, else the map on show."""
        return self.map_id if self.active else self.window.map_editor.map_id

    def participant_count(self) -> int:
        """How many people joined."""
        return len(self.room.participants()) if self.room is not None else 0

    def stage_name(self, stage_id: str) -> str:
        """The name of a stage of the session's map, else of the map whose inbox is on show
        (notes left from an earlier session); "" when it is gone."""
        maps = self.window.document.workspace.maps
        for journey_map in (self.journey_map(), maps.get(self.inbox_map_id() or "")):
            if journey_map is not None:
                for choice in stage_choices(journey_map):
                    if choice.id == stage_id:
                        return choice.name
        return ""

    # ------------------------------------------------------------------ start and end
    def start(self, host: str, port: int = 0) -> str | None:
        """Start a session on the map on show, serving on ``host:port`` (0: any free port);
        returns the URL the phones open (None, and ``failed``, when it cannot start)."""
        from journeydesk.app.workshop.record import WorkshopRecord
        from journeydesk.app.workshop.server import WorkshopServer

        if self.active:
            return self.url
        journey_map = self.window.current_map()
        if journey_map is None:
            self.failed.emit("Open the map the workshop works on first.")
            return None
        if self.window.document.read_only:
            self.failed.emit("This workspace is read-only: a session could not keep its notes.")
            return None
        room = Room(journey_map.name, stage_choices(journey_map))
        try:
            record = WorkshopRecord.start(self.window.session, journey_map)
        except Exception as exc:  # noqa: BLE001 - any failure to write is said, not raised
            self.failed.emit(f"The session could not be recorded in the workspace: {exc}")
            return None
        server = WorkshopServer(room)
        try:
            url = server.start(host, port)
        except (OSError, RuntimeError) as exc:
            with contextlib.suppress(Exception):
                record.end()
            self.failed.emit(f"The session could not listen on {host}:{port or 'any port'}: "
                             f"{exc}")
            return None
        self.room, self.server, self.record = room, server, record
        self.map_id, self.url = journey_map.id, url
        # What the app made until now stays: the collector's full passes during the session
        # then scan only the session's own objects (a few ms, not the app's 100,000).
        heap.settle(collect=False)
        self.notes_received = 0
        self.longest_tick = 0.0
        self._timer_state = "off"
        self._stop_following = follow(self, self.window.document, self._on_document_changed)
        self._timer.start()
        self.session_changed.emit(True)
        return url

    def stored_entries(self, map_id: str | None) -> list[InboxEntry]:
        """The notes kept as new in the workspace for ``map_id`` (this session's, an earlier
        session's, a command-line run's)."""
        from journeydesk.app.workshop.record import inbox_notes

        if map_id is None:
            return []
        try:
            return [entry_of(note) for note in inbox_notes(self.window.session, map_id)]
        except Exception as exc:  # noqa: BLE001 - an inbox that cannot be read is said
            self._say_trouble(f"The notes kept in the workspace could not be read: {exc}")
            return []

    def end(self) -> None:
        """End the session: close the room, tell the server to end (it tells the phones, then
        closes by itself), close the record."""
        room, server, record = self.room, self.server, self.record
        if room is None:
            return
        self._timer.stop()
        with contextlib.suppress(Exception):
            self.tick()  # what arrived in the last moments is kept
        room.close()
        self.room = self.server = self.record = None
        if self._stop_following is not None:
            self._stop_following()
            self._stop_following = None
        try:
            server.end()  # the phones are told it ended (410) for a grace period, then it closes
        finally:
            try:
                vote_round = room.vote_round
                if vote_round is not None:
                    record.store_round(vote_round, lanes=self._round_lanes)
                record.end()
            except Exception as exc:  # noqa: BLE001 - the file may be gone at quit
                self.failed.emit(f"The end of the session could not be recorded: {exc}")
            self.url = None
            self.session_changed.emit(False)

    # ------------------------------------------------------------------ the tick
    def tick(self) -> None:
        """Move what arrived from the room into the workspace and update the views (the
        timer calls this every ``TICK_MS``; tests may too)."""
        room, record = self.room, self.record
        if room is None:
            return
        began = time.perf_counter()
        from journeydesk.app.workshop.owner import drain

        try:
            drained = drain(room, record)
        except Exception as exc:  # noqa: BLE001 - a failed write must not stop the session
            drained = None
            self._say_trouble(f"Notes could not be stored: {exc}")
        if drained:
            if drained.error:
                self._say_trouble(f"Notes could not be stored yet: {drained.error}")
            self._take(drained)
        state = room.timer.state
        if state == "ended" and self._timer_state == "running":
            self.timer_ended.emit()
        self._timer_state = state
        self.ticked.emit()
        self.longest_tick = max(self.longest_tick, time.perf_counter() - began)

    def _take(self, drained: Any) -> None:
        room = self.room
        assert room is not None
        notes = list(drained.notes)
        if notes:
            names = {p.id: p.shown_name for p in room.participants()}
            self.notes_received += len(notes)
            self.notes_arrived.emit([entry_of(n, names.get(n.participant_id)) for n in notes])
        if notes or drained.participants:
            self.counts_changed.emit()
        if drained.votes:
            self.vote_changed.emit()

    def _say_trouble(self, message: str) -> None:
        """A problem of the tick, said once in the status bar (not a dialog ten times a
        second)."""
        if message != self._last_trouble:
            self._last_trouble = message
            self.trouble.emit(message)

    def _on_document_changed(self, changes: Changes) -> None:
        if self.room is None:
            return
        journey_map = self.journey_map()
        if journey_map is None:
            return  # the map was deleted: the phones keep its last stages
        if ("stages", journey_map.id) in changes or ("map", journey_map.id) in changes:
            self.room.set_stages(stage_choices(journey_map))
            self.room.map_name = journey_map.name

    # ------------------------------------------------------------------ notes
    def set_private(self, private: bool) -> None:
        """Private mode: notes stay in the inbox, off the canvas and the projector."""
        if private != self.private:
            self.private = private
            self.private_changed.emit(private)

    def set_note_status(self, entry: InboxEntry, status: str, card_id: str | None = None) -> None:
        """Keep what became of a note (accepted, merged, discarded) in the workspace."""
        from journeydesk.app.workshop.record import set_note_status

        set_note_status(self.window.session, entry.id, status, card_id)

    # ------------------------------------------------------------------ timer
    def set_timer(self, minutes: float) -> None:
        """Set the countdown (stopped)."""
        self._on_room(lambda room: room.timer.set(minutes * 60))

    def start_timer(self) -> None:
        """Start or resume the countdown."""
        self._on_room(lambda room: room.timer.start())
        self.tick()

    def pause_timer(self) -> None:
        """Pause the countdown."""
        self._on_room(lambda room: room.timer.pause())
        self.tick()

    def add_minute(self) -> None:
        """One more minute."""
        self._on_room(lambda room: room.timer.add(60))
        self.tick()

    def clear_timer(self) -> None:
        """No timer."""
        self._on_room(lambda room: room.timer.clear())
        self.tick()

    # ------------------------------------------------------------------ votes
    def start_vote(self, cards: dict[str, str], dots: int,
                   lanes: Sequence[str] = ()) -> bool:
        """Open a vote round on ``cards`` (id -> label) with ``dots`` per person (``lanes``:
        the lanes whose cards were chosen, for the record)."""
        room = self.room
        if room is None:
            return False
        previous = room.vote_round
        if previous is not None and previous.open:
            room.end_round()
            self.tick()
            self._store_round(previous)
        if not self._on_room(lambda r: r.start_round(cards, dots)):
            return False
        self._round_lanes = list(lanes)
        if room.vote_round is not None:
            self._store_round(room.vote_round)
        self.vote_changed.emit()
        return True

    def cast_laptop_votes(self, dots: dict[str, int]) -> bool:
        """The dots entered at the laptop (replacing the laptop's earlier ones)."""
        ok = self._on_room(lambda room: room.cast_votes(None, dots))
        if ok:
            self.tick()
            self.vote_changed.emit()
        return ok

    def reveal_vote(self) -> list[tuple[str, str, int]]:
        """Show the results (on the canvas, the panel and the phones)."""
        room = self.room
        if room is None or room.vote_round is None:
            return []
        ranked = room.reveal()
        self._store_round(room.vote_round)
        self.vote_changed.emit()
        return ranked

    def end_vote(self) -> None:
        """Close voting and keep the round in the workspace."""
        room = self.room
        if room is None or room.vote_round is None:
            return
        room.end_round()
        self.tick()  # the last votes are stored before the round
        self._store_round(room.vote_round)
        self.vote_changed.emit()

    def _store_round(self, vote_round: Any) -> None:
        if self.record is None:
            return
        try:
            self.record.store_round(vote_round, lanes=self._round_lanes)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"The vote could not be recorded: {exc}")

    def _on_room(self, change: Any) -> bool:
        if self.room is None:
            return False
        try:
            change(self.room)
        except RoomError as exc:
            self.failed.emit(str(exc))
            return False
        return True


def beep() -> None:
    """The timer's sound (the platform's bell)."""
    QApplication.beep()
