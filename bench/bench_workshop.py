"""Workshop load: a room of phones on loopback against the server and the owner's loop.

JOURNEYDESK_BENCH_WORKSHOP_PHONES participants (default 60) join from 127.0.0.1 (one address,
like a room behind a guest Wi-Fi's NAT), each in its own thread with its own connection: they
poll the state, send JOURNEYDESK_BENCH_WORKSHOP_NOTES notes each (default 20; every fifth one
sent twice, as a phone retrying after a time-out would) and vote.  The owner's loop runs on
the main thread exactly as ``journeydesk workshop`` runs it: :func:`drain` every 0.1 s into a
real workspace file (``--accept-all``, so every note also becomes a card through the document).

Checked: every note is stored exactly once (rows counted in the workspace), every vote
arrived, all within a minute.  Printed: note latency p50/p95 (send -> stored and answered),
the owner's longest tick, peak RSS growth, total time.  The Result line is the p50 note
latency against the floor of a bare ``GET state`` round trip measured in the same run.

Quick run: .venv/bin/python bench/run.py workshop (JOURNEYDESK_BENCH_WORKSHOP_ACCEPT=0: the notes
stay in the inbox, as in the app, where accepting is the facilitator's gesture)
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from harness import Result

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from journeydesk.app.session import WorkspaceSession  # noqa: E402
from journeydesk.app.workshop.owner import drain  # noqa: E402
from journeydesk.app.workshop.record import WorkshopRecord  # noqa: E402
from journeydesk.app.workshop.room import Room, stage_choices  # noqa: E402
from journeydesk.app.workshop.server import WorkshopServer  # noqa: E402
from journeydesk.domain.commands import AddMapCommand  # noqa: E402
from journeydesk.store.workshops import count_notes  # noqa: E402

PHONES = int(os.environ.get("JOURNEYDESK_BENCH_WORKSHOP_PHONES", "60"))
NOTES = int(os.environ.get("JOURNEYDESK_BENCH_WORKSHOP_NOTES", "20"))
ACCEPT = os.environ.get("JOURNEYDESK_BENCH_WORKSHOP_ACCEPT", "1") != "0"
TICK = 0.1
GOAL_P50 = 0.25  # seconds from send to "stored": the owner ticks every 0.1 s
LIMIT_SECONDS = 60.0


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


async def _phone(url: str, index: int, latencies: list[float], floors: list[float],
                 errors: list[str]) -> None:
    name = f"Phone {index}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answer = await client.post("join", json={"name": name})
        if answer.status_code != 200:
            errors.append(f"{name} join: {answer.status_code} {answer.text}")
            return
        who = {"X-Participant": answer.json()["id"]}
        state = (await client.get("state", headers=who)).json()
        stages = [s["id"] for s in state["stages"]]
        for i in range(NOTES):
            note = {"id": f"p{index:03d}-note-{i:04d}", "stage": stages[i % len(stages)],
                    "kind": ("thought", "pain", "idea", "question")[i % 4],
                    "text": f"{name}: note {i} " + "x" * (i * 7 % 200)}
            for _ in range(2 if i % 5 == 4 else 1):  # every fifth one is sent twice
                began = time.perf_counter()
                answer = await client.post("note", json=note, headers=who)
                latencies.append(time.perf_counter() - began)
                if answer.status_code != 200:
                    errors.append(f"{name} note {i}: {answer.status_code} {answer.text}")
            if i % 4 == 0:  # a poll every few notes, as the page does every 2.5 s
                began = time.perf_counter()
                state = (await client.get("state", headers=who)).json()
                floors.append(time.perf_counter() - began)
        vote = state.get("vote")
        if vote and vote["open"]:
            cards = [c["id"] for c in vote["cards"]]
            dots = {cards[index % len(cards)]: 2, cards[(index + 1) % len(cards)]: 1}
            answer = await client.post("vote", json={"dots": dots}, headers=who)
            if answer.status_code != 200:
                errors.append(f"{name} vote: {answer.status_code} {answer.text}")
        else:
            errors.append(f"{name}: no vote open")


def phones_main(url: str) -> None:
    """The room, in a process of its own (as phones are other machines): prints JSON."""
    latencies: list[float] = []
    floors: list[float] = []
    errors: list[str] = []

    async def room() -> None:
        await asyncio.gather(*(_phone(url, i, latencies, floors, errors)
                               for i in range(PHONES)))

    asyncio.run(room())
    print(json.dumps({"latencies": latencies, "floors": floors, "errors": errors}))


def run() -> list[Result]:
    """The room's load against the server and the owner loop; prints its figures."""
    from samples import sample_map

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workshop.jdesk"
        with WorkspaceSession.open(path, create=True) as session:
            journey_map, personas = sample_map("Workshop")
            session.document.execute(AddMapCommand(journey_map, personas))
            journey_map = session.workspace.map(journey_map.id)
            room = Room(journey_map.name, stage_choices(journey_map))
            record = WorkshopRecord.start(session, journey_map)
            cards = {c.id: c.text for c in journey_map.ordered_cards()[:8]}
            room.start_round(cards, dots=3)
            server = WorkshopServer(room)
            url = server.start("127.0.0.1", 0)
            rss_before = _rss_kb()
            errors: list[str] = []
            phones = subprocess.Popen([sys.executable, __file__, "--phones", url],
                                      stdout=subprocess.PIPE, text=True)
            execute = session.document.execute if ACCEPT else None
            ticks: list[float] = []
            stores: list[float] = []  # the ticks without their accept part
            stored = accepted = votes = 0
            began = time.perf_counter()
            try:
                while phones.poll() is None:
                    done = drain(room, record, execute=execute,
                                 journey_map=journey_map)
                    ticks.append(done.seconds)
                    stores.append(done.seconds - done.accept_seconds)
                    stored += len(done.notes)
                    accepted += len(done.accepted)
                    votes += done.votes
                    if done.error:
                        errors.append(f"owner: {done.error}")
                    if time.perf_counter() - began > LIMIT_SECONDS * 2:
                        errors.append("the room did not finish in two minutes")
                        phones.kill()
                        break
                    time.sleep(TICK)
                total = time.perf_counter() - began
                done = drain(room, record, execute=execute,
                             journey_map=journey_map)  # the last votes
                stored += len(done.notes)
                accepted += len(done.accepted)
                votes += done.votes
            finally:
                server.stop()
            out, _ = phones.communicate(timeout=30)
            found = json.loads(out or "{}")
            latencies, floors = found.get("latencies", [0.0]), found.get("floors", [1.0])
            errors += found.get("errors", [])
            record.end()
            rows = count_notes(session.file, record.id)
            rss_growth = _rss_kb() - rss_before
    expected = PHONES * NOTES
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    floor = statistics.median(floors)
    print(f"  workshop: {PHONES} phones x {NOTES} notes (+{PHONES * (NOTES // 5)} resent) "
          f"in {total:.1f} s; rows {rows} (expected {expected}), stored {stored}, "
          f"accepted {accepted}, vote rows {votes}")
    print(f"  workshop: note latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
          f"state poll p50 {floor * 1000:.1f} ms; owner's longest tick "
          f"{max(ticks) * 1000:.1f} ms (median {statistics.median(ticks) * 1000:.1f} ms, "
          f"{len(ticks)} ticks; longest without accepting {max(stores) * 1000:.1f} ms); "
          f"peak RSS growth {rss_growth / 1024:.1f} MB")
    problems = list(errors)
    if rows != expected or stored != expected:
        problems.append(f"{rows} rows and {stored} stored for {expected} notes")
    if total > LIMIT_SECONDS:
        problems.append(f"took {total:.1f} s (goal: under {LIMIT_SECONDS:.0f} s)")
    for problem in problems[:10]:
        print(f"  workshop: PROBLEM: {problem}")
    return [Result(f"workshop note p50 ({PHONES} phones)", p50, floor, max_median=GOAL_P50)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--phones"]:
        phones_main(sys.argv[2])
    else:
        for result in run():
            print(result.line())
