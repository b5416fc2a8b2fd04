"""Paths and flows end to end, file to numbers, against retentioneering (the peer).

The data is made here as a CSV file: JOURNEYDESK_BENCH_PEER_ROWS events (default
JOURNEYDESK_BENCH_EVENT_ROWS, else 5,000,000; ~25 events a user, 8 event names over 90 days, a
platform attribute; as bench_events makes it).  Both sides start from that file and end with
numbers in memory, and run in turns (one untimed run each, then JOURNEYDESK_BENCH_PEER_REPEAT
timed, default 3; medians; both libraries are imported before the clock starts):

- ours: the commands a user runs, in this process: ``journeydesk import-events`` (the file read
  and checked, the dataset stored in a workspace that holds a 6-stage map bound to the first six
  event names), then ``journeydesk flows --json`` (the flows between the stages) and
  ``journeydesk paths --after-stage Cart --json`` (the next events and 3-event paths of the
  users who dropped off before Checkout), their JSON parsed;
- retentioneering (``pip install -e ".[bench]"``): ``Eventstream(file)`` (its CSV read,
  times parsed, paths sorted and numbered), then its transition matrix
  (``transition_graph_data(edge_weight="count")``) and step matrix
  (``step_matrix_data(max_steps=10)``);
- the floor, bare DuckDB doing the same work by hand: the CSV copied to a Parquet file (the
  columns named, the time parsed with its known format; no checks, no workspace), then
  bench_paths' hand-written flows and next-events queries on that file.  Its numbers must be
  ours.

Goals: retentioneering's median at least 5x ours (the printed ratio is ours / peer, so
<= 0.2), and ours at most 1.5x the floor.  The peer's ratio to the floor is printed too: it is
the most any DuckDB pipeline could reach.
The peak memory of one run of each (ru_maxrss of a child process) is printed too.  Without
retentioneering the benchmark is skipped with a note.  Its usage telemetry is switched off
(RETENTIONEERING_NO_TRACK).

Quick run: JOURNEYDESK_BENCH_PEER_ROWS=1000000 .venv/bin/python bench/run.py paths_peer
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")  # no telemetry, before it is imported

from bench_paths import hand_flows, hand_next_events  # noqa: E402
from harness import Result  # noqa: E402

from journeydesk.analytics import engine  # noqa: E402

ROWS = int(os.environ.get("JOURNEYDESK_BENCH_PEER_ROWS",
                          os.environ.get("JOURNEYDESK_BENCH_EVENT_ROWS", "5000000")))
USERS = max(ROWS // 25, 1)
EVENTS = ["home", "search", "product", "cart", "checkout", "payment", "confirm", "support"]
AFTER_STAGE = "Cart"  # the drop-off before Checkout, as in bench_paths
STEPS = 10  # the step matrix's steps
REPEAT = int(os.environ.get("JOURNEYDESK_BENCH_PEER_REPEAT", "3"))
GOAL = 5.0


def make_csv(path: Path) -> None:
    """ROWS events of USERS users over 90 days, in no particular order."""
    names = ", ".join(f"'{e}'" for e in EVENTS)
    con = engine.connect(path.parent)
    try:
        con.execute(f"""
            COPY (SELECT 'u' || (hash(i) % {USERS}) AS user_id,
                         ([{names}])[1 + (hash(i * 7) % 8)::INTEGER] AS event,
                         strftime(TIMESTAMP '2024-01-01' + to_seconds(hash(i * 13) % 7776000),
                                  '%Y-%m-%d %H:%M:%S') AS timestamp,
                         (['ios', 'android', 'web'])[1 + (hash(i * 3) % 3)::INTEGER] AS platform
                  FROM range({ROWS}) t(i))
            TO '{path}' (HEADER, DELIMITER ',')""")
    finally:
        con.close()


def _cli(*argv: str) -> str:
    """``journeydesk ARGV...`` run in this process; what it printed."""
    from journeydesk.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(list(argv))
    assert status == 0, f"journeydesk {argv[0]} exited with {status}"
    return out.getvalue()


def make_workspace(path: Path) -> None:
    """A workspace holding only the map: six stages named and bound after the first six event
    names."""
    data = {"format": "journeydesk.map", "version": 1, "name": "Shop",
            "stages": [{"name": e.capitalize(), "events": [e]} for e in EVENTS[:6]]}
    map_file = path.with_suffix(".json")
    map_file.write_text(json.dumps(data), "utf-8")
    _cli("import-map", str(path), str(map_file))


Laps = dict[str, list[float]]


def _lap(laps: Laps | None, name: str, since: float) -> float:
    """Record the time since ``since`` under ``name`` (when ``laps`` is given); now."""
    now = time.perf_counter()
    if laps is not None:
        laps.setdefault(name, []).append(now - since)
    return now


def ours(csv_path: Path, base: Path, workspace: Path, laps: Laps | None = None
         ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The file imported into a copy of ``base``, then its flows and paths: the parsed JSON of
    ``flows --json`` and ``paths --json``."""
    shutil.copyfile(base, workspace)  # a small file: the map only
    t = time.perf_counter()
    _cli("import-events", str(workspace), str(csv_path), "--name", "events", "--replace")
    t = _lap(laps, "import-events", t)
    flows = json.loads(_cli("flows", str(workspace), "--map", "Shop", "--json"))
    t = _lap(laps, "flows", t)
    paths = json.loads(_cli("paths", str(workspace), "--map", "Shop", "--after-stage",
                            AFTER_STAGE, "--json"))
    _lap(laps, "paths", t)
    return flows, paths


def peer(csv_path: Path, laps: Laps | None = None) -> tuple[Any, Any]:
    """retentioneering from the file: its eventstream, transition matrix (counts) and step
    matrix."""
    import retentioneering

    t = time.perf_counter()
    stream = retentioneering.Eventstream(str(csv_path))
    t = _lap(laps, "Eventstream", t)
    matrix = stream.transition_graph_data(edge_weight="count")
    t = _lap(laps, "transition matrix", t)
    steps = stream.step_matrix_data(max_steps=STEPS)
    _lap(laps, "step matrix", t)
    return matrix, steps


def floor(csv_path: Path, parquet: Path, laps: Laps | None = None
          ) -> tuple[list[tuple], tuple[int, list[tuple], list[tuple]]]:
    """Bare DuckDB by hand: the CSV to a Parquet file, then the flows and next-events
    queries of bench_paths on it (their rows)."""
    t = time.perf_counter()
    con = engine.connect(parquet.parent)
    try:
        con.execute("SET preserve_insertion_order=false")
        con.execute(f"""
            COPY (SELECT user_id AS "user", event,
                         strptime(timestamp, '%Y-%m-%d %H:%M:%S') AS ts, platform
                  FROM read_csv('{csv_path}', header=true, auto_detect=false,
                                columns={{'user_id': 'VARCHAR', 'event': 'VARCHAR',
                                          'timestamp': 'VARCHAR', 'platform': 'VARCHAR'}}))
            TO '{parquet}' (FORMAT parquet)""")
    finally:
        con.close()
    t = _lap(laps, "CSV to Parquet", t)
    moves = hand_flows(parquet)
    t = _lap(laps, "flows", t)
    dropped = hand_next_events(parquet)
    _lap(laps, "next events", t)
    return moves, dropped


def interleaved(*runs: Callable[[], object]) -> list[float]:
    """Medians of each run, run in turns (after one untimed run each)."""
    for fn in runs:
        fn()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(REPEAT):
        for fn, laps in zip(runs, times, strict=True):
            start = time.perf_counter()
            fn()
            laps.append(time.perf_counter() - start)
    return [statistics.median(laps) for laps in times]


def _medians(laps: Laps) -> str:
    """Each phase's median over the timed runs (the first, untimed run left out)."""
    return ", ".join(f"{name} {statistics.median(times[1:] or times):.2f} s"
                     for name, times in laps.items())


CHILD_OURS = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from bench_paths_peer import ours
ours(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
"""
CHILD_PEER = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from bench_paths_peer import peer
peer(Path(sys.argv[2]))
"""
# A child made straight from this (large) process starts with its peak as ru_maxrss (see
# bench_events): a small launcher starts the measured process and reports its children's.
LAUNCHER = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", *sys.argv[1:]], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory_mb(code: str, *args: Path) -> float:
    """ru_maxrss of a child process running ``code`` with ``args``, in MB."""
    here = Path(__file__).resolve().parent
    result = subprocess.run([sys.executable, "-c", LAUNCHER, code, str(here),
                             *map(str, args)],
                            capture_output=True, text=True, check=True, cwd=args[0].parent)
    return int(result.stdout.strip().splitlines()[-1]) / 1024  # Linux reports KiB


def run() -> list[Result]:
    """Ours (import, flows, paths) against retentioneering (eventstream, transition matrix,
    step matrix), both from the same CSV file."""
    name = f"paths+flows vs retentioneering, {ROWS:,}"
    try:
        import retentioneering
    except ImportError:
        print(f"{name:<32} skipped: retentioneering is not installed (pip install -e "
              "'.[bench]' or make bench installs it)", flush=True)
        return []
    version = getattr(retentioneering, "__version__", "?")
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-peer-") as tmp_name:
        tmp = Path(tmp_name)
        csv_path, base, workspace = tmp / "events.csv", tmp / "map.jdesk", tmp / "bench.jdesk"
        bare = tmp / "bare.parquet"
        make_csv(csv_path)
        make_workspace(base)

        flows, paths = ours(csv_path, base, workspace)
        matrix, steps = peer(csv_path)
        # The same log on both sides: one path per user (every user has a bound event), and
        # the transitions (path_start and path_end included) add up to the events plus one a
        # path; the step matrix's first step holds every path.
        paths_total = int(matrix.loc["path_start"].sum())
        assert paths_total == flows["users"], (paths_total, flows["users"])
        assert int(matrix.to_numpy().sum()) == ROWS + paths_total
        assert abs(float(steps[1].sum()) - 1) < 1e-9
        hand, (dropped, _, _) = floor(csv_path, bare)
        assert flows["users"] == next(int(r[3]) for r in hand if r[:3] == (0, 0, 0))
        assert paths["users"] == dropped, (paths["users"], dropped)
        ours_laps: Laps = {}
        peer_laps: Laps = {}
        floor_laps: Laps = {}
        mine, theirs, bottom = interleaved(
            lambda: ours(csv_path, base, workspace, ours_laps),
            lambda: peer(csv_path, peer_laps),
            lambda: floor(csv_path, bare, floor_laps))
        ours_mb = peak_memory_mb(CHILD_OURS, csv_path, base, workspace)
        peer_mb = peak_memory_mb(CHILD_PEER, csv_path)
        print(f"{'  (paths peer: data':<32} {csv_path.stat().st_size / 1e6:.0f} MB CSV, "
              f"{flows['users']:,} users, {paths['users']:,} dropped after {AFTER_STAGE}; "
              f"retentioneering {version})", flush=True)
        print(f"{'  (paths peer: ours':<32} {_medians(ours_laps)}; retentioneering "
              f"{_medians(peer_laps)}; bare DuckDB {_medians(floor_laps)})", flush=True)
        print(f"{'  (paths peer: peer / ours':<32} {theirs / mine:.2f}x, goal >= {GOAL:g}x: "
              f"{'ok' if theirs / mine >= GOAL else 'MISSED'}; peer / bare DuckDB "
              f"{theirs / bottom:.2f}x; peak memory ours {ours_mb:.0f} MB, retentioneering "
              f"{peer_mb:.0f} MB)", flush=True)
    # The harness's ratio is ours / floor: with the peer as the floor, the goal is <= 1 / GOAL.
    return [Result(name, mine, theirs, max_ratio=1 / GOAL),
            Result(f"paths+flows vs bare DuckDB, {ROWS:,}", mine, bottom, max_ratio=1.5)]


if __name__ == "__main__":
    for result in run():
        print(result.line())
