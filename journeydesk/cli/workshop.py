"""``workshop``: run a workshop session without the window (docs/workshop.md).

Serves the page to the room's phones, stores every note in the workspace's inbox as it
arrives (one transaction per tenth of a second, before the phone hears back, so a kill loses
at most the note in flight) and, with ``--accept-all``, puts each note on the map as a card.
Stops on Ctrl+C, SIGTERM or after ``--minutes``.  Ctrl+C and SIGTERM close the port at once;
the end after ``--minutes`` tells the phones first: the port keeps answering "the session has
ended" for up to :data:`~journeydesk.app.workshop.server.ENDED_GRACE_SECONDS` (less once the
phones stopped asking; Ctrl+C closes it at once) before the process exits.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from journeydesk.app.session import WorkspaceSession, find_map
from journeydesk.app.workshop.owner import drain
from journeydesk.app.workshop.record import WorkshopRecord
from journeydesk.app.workshop.room import Room, stage_choices
from journeydesk.app.workshop.server import (
    ENDED_GRACE_SECONDS,
    WorkshopServer,
    network_addresses,
)
from journeydesk.cli.common import PROG, UserError, existing, positive

TICK_SECONDS = 0.1


def cmd_workshop(args: argparse.Namespace) -> int:
    """Serve a workshop session on a map until Ctrl+C, SIGTERM or --minutes."""
    if not 0 <= args.port <= 65535:
        raise UserError("--port is a number from 0 (any free port) to 65535")
    stop = threading.Event()
    server: WorkshopServer | None = None
    previous: dict[int, Any] = {}
    try:
        with WorkspaceSession.open(existing(args.workspace)) as session:
            journey_map = find_map(session.workspace, args.map, args.workspace)
            if not journey_map.stages:
                raise UserError(f"map {journey_map.name!r} has no stages for notes to go in")
            room = Room(journey_map.name, stage_choices(journey_map))
            record = WorkshopRecord.start(session, journey_map,
                                          settings={"accept_all": args.accept_all,
                                                    "front_end": "cli"})
            server = WorkshopServer(room)
            host = args.host or _default_host()
            try:
                url = server.start(host, args.port)
            except OSError as exc:
                record.end()
                raise UserError(f"cannot serve on {host}:{args.port} "
                                f"({exc.strerror or exc})") from None
            print(url, flush=True)
            if sys.stdout.isatty():
                _print_qr(url)
            print(f"{PROG}: workshop on map {journey_map.name!r}; "
                  f"{'Ctrl+C' if args.minutes is None else f'{args.minutes:g} min or Ctrl+C'} "
                  "ends it", file=sys.stderr, flush=True)
            totals = {"notes": 0, "accepted": 0}
            errors: set[str] = set()
            execute = session.document.execute if args.accept_all else None

            def tick() -> None:
                done = drain(room, record, execute=execute, journey_map=journey_map)
                totals["notes"] += len(done.notes)
                totals["accepted"] += len(done.accepted)
                if done.error and done.error not in errors:
                    errors.add(done.error)
                    print(f"{PROG}: warning: {done.error}", file=sys.stderr, flush=True)

            previous = _catch_signals(stop)
            on_time = False  # ended by --minutes (not by a signal or an error)
            try:
                deadline = (time.monotonic() + args.minutes * 60) if args.minutes else None
                while not stop.is_set():
                    tick()
                    if deadline is not None and time.monotonic() >= deadline:
                        on_time = True
                        break
                    stop.wait(TICK_SECONDS)
            finally:
                room.close()  # no note arrives after the last drain
                try:
                    tick()  # stored, and the phones waiting for these notes are told so
                    record.end()
                finally:
                    if on_time and not stop.is_set():
                        server.end()  # the phones are told (410) for a grace period
                    else:
                        server.stop()  # Ctrl+C, SIGTERM, an error: the port closes now
            people = len(room.participants())
            print(f"Workshop ended: {people} participant{'s' * (people != 1)}, "
                  f"{totals['notes']} note{'s' * (totals['notes'] != 1)}, "
                  f"{totals['accepted']} accepted.", flush=True)
        _tell_the_phones(server, stop)  # the workspace is closed meanwhile
    finally:
        if server is not None:
            server.stop()
        _restore_signals(previous)
    return 0


def _tell_the_phones(server: WorkshopServer, stop: threading.Event) -> None:
    """Wait while an ended session's server tells the phones (its grace period); Ctrl+C or
    SIGTERM (``stop``) cuts it short."""
    if not (server.ended and server.running):
        return
    print(f"{PROG}: telling the phones that the session ended; the port closes within "
          f"{ENDED_GRACE_SECONDS:g} s (Ctrl+C closes it now)", file=sys.stderr, flush=True)
    while not stop.is_set() and not server.wait_closed(TICK_SECONDS):
        pass


def _default_host() -> str:
    """The first address on a network (not loopback), else loopback."""
    return network_addresses()[0].address


def _print_qr(url: str) -> None:
    import segno

    segno.make(url, error="m").terminal(compact=True)


def _catch_signals(stop: threading.Event) -> dict[int, Any]:
    """SIGINT and SIGTERM end the session (the loop finishes its tick and stores)."""
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def add_workshop_parser(sub: Any) -> None:
    """The ``workshop`` sub-command."""
    p = sub.add_parser(
        "workshop",
        help="serve a workshop session: the room sends notes, photos and votes from their "
             "phones; notes land in the workspace's inbox",
        description="Serve a workshop session on the local network and store every note "
                    "in the workspace as it arrives. Prints the URL (and a QR code on a "
                    "terminal); ends on Ctrl+C, SIGTERM or after --minutes.")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", required=True, metavar="NAME", help="the map the notes are for")
    p.add_argument("--host", metavar="IP",
                   help="the address to serve on (default: this machine's first network "
                        "address; 127.0.0.1 for this machine only)")
    p.add_argument("--port", type=int, default=0, metavar="N",
                   help="the port (default: any free port)")
    p.add_argument("--accept-all", action="store_true",
                   help="put every note on the map as a card as it arrives")
    p.add_argument("--minutes", type=positive, metavar="M",
                   help="end the session after M minutes")
