"""Kill JourneyDesk commands at random moments and check nothing is corrupt, lost or left over.

    .venv/bin/python scripts/kill_runs.py [KILLS] [--seed N]

Each round starts one command in a child process (``import-map``, ``import-events``, ``bind`` or
``export``) on one workspace, kills it with SIGKILL after a random delay, then checks:

- corrupt: the workspace still opens (``journeydesk maps``) and SQLite's integrity check passes;
- lost: every map that was in the workspace before the round is still there with its cards,
  and a dataset imported before is still there (a killed command changes all or nothing);
- half-written: an export target, when it exists, is a whole file (JSON that parses, an
  xlsx/pdf that is complete);
- left over: after a last normal command (which sweeps what killed runs left), no temporary
  file or folder of ours is in the workspace's folder or the temporary folder the children
  used.

Prints one line per round and the totals; exit 1 when anything is corrupt, lost or left over.
Not part of the timed test run (it takes a few minutes): the figures go in the issue's note.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
OURS = ("journeydesk-", ".jdesk-new-", ".jdesk-copy-", ".tmp", "-journal")


def cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([PY, "-m", "journeydesk", *args], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done


def _snapshot(ws: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection (never our code) on a copy of the workspace and its hot
    journal, if a killed commit left one: opening the copy rolls the journal back, as the next
    writer of the real file would, so what is read is the file's durable state."""
    copy = Path(tempfile.mkdtemp(prefix="kill-check-", dir=ws.parent.parent)) / ws.name
    shutil.copyfile(ws, copy)
    journal = ws.with_name(ws.name + "-journal")
    if journal.exists():
        shutil.copyfile(journal, copy.with_name(copy.name + "-journal"))
    return sqlite3.connect(copy)


def cards_by_map(ws: Path) -> dict[str, int]:
    """{map name: card count} of the workspace's durable state."""
    con = _snapshot(ws)
    try:
        rows = con.execute("SELECT m.name, (SELECT count(*) FROM cards c WHERE c.map_id = m.id) "
                           "FROM maps m").fetchall()
        return {name: int(n) for name, n in rows}
    finally:
        con.close()


def datasets(ws: Path) -> set[str]:
    con = _snapshot(ws)
    try:
        return {r[0] for r in con.execute("SELECT name FROM datasets")}
    finally:
        con.close()


def integrity(ws: Path) -> str:
    try:
        con = _snapshot(ws)
    except OSError as exc:
        return str(exc)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def whole(path: Path) -> bool:
    """Whether an export target is a complete file of its kind."""
    try:
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                return z.testzip() is None
        elif path.suffix == ".pdf":
            return path.read_bytes().rstrip().endswith(b"%%EOF")
        return True
    except (OSError, ValueError, zipfile.BadZipFile):
        return False


def leftovers(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        for p in folder.iterdir():
            if any(mark in p.name for mark in OURS) and not p.name.endswith(".bak"):
                found.append(p)
    return found


def main(argv: list[str]) -> int:
    kills = int(argv[0]) if argv and argv[0].isdigit() else 120
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kill-runs-") as tmp:
        base = Path(tmp)
        work, scratch = base / "work", base / "scratch"
        work.mkdir()
        scratch.mkdir()
        env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT),
               "QT_QPA_PLATFORM": "offscreen"}
        ws = work / "workshop.jdesk"
        cli("demo", str(ws), env=env)
        demo_map = next(iter(cards_by_map(ws)))
        map_json = base / "map.json"
        cli("export", str(ws), "--map", demo_map, "-o", str(map_json), env=env)
        events = base / "events.csv"
        with events.open("w", encoding="utf-8") as out:  # big enough to be killed midway
            out.write("user_id,event,timestamp,platform\n")
            for i in range(300_000):
                out.write(f"u{i % 20000},e{i % 7},2024-0{1 + i % 9}-1{i % 10} "
                          f"1{i % 10}:0{i % 10}:00,{('web', 'ios')[i % 2]}\n")
        cli("import-events", str(ws), str(events), "--name", "base", env=env)
        counts = {"corrupt": 0, "lost": 0, "half-written": 0, "killed": 0}
        durations: dict[str, float] = {}  # each command's run time, to kill it while it runs
        for round_ in range(1, kills + 1):
            before_maps, before_data = cards_by_map(ws), datasets(ws)
            kind = rng.choice(["import-map", "import-events", "bind", "export"])
            target = base / f"out{round_}{rng.choice(['.json', '.xlsx', '.pdf'])}"
            args = {
                "import-map": ["import-map", str(ws), str(map_json), "--name", f"Copy {round_}"],
                "import-events": ["import-events", str(ws), str(events), "--name",
                                  f"run{round_}"],
                "bind": ["bind", str(ws), "--map", demo_map, "--stage", "Discover",
                         "--events", f"landing_view,e{round_ % 7}"],
                "export": ["export", str(ws), "--map", demo_map, "-o", str(target)],
            }[kind]
            started = time.perf_counter()
            child = subprocess.Popen([PY, "-m", "journeydesk", *args], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if kind not in durations:  # the first of its kind runs to the end: its duration
                child.wait()
                durations[kind] = time.perf_counter() - started
            time.sleep(rng.uniform(0.02, 0.98) * durations[kind])
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                counts["killed"] += 1
            child.wait()
            opened = cli("maps", str(ws), env=env, check=False).returncode == 0
            check = integrity(ws)
            corrupt = not opened or check != "ok"
            after_maps = cards_by_map(ws) if not corrupt else {}
            lost = corrupt or any(after_maps.get(n) != c for n, c in before_maps.items()) \
                or not before_data <= datasets(ws)
            half = kind == "export" and target.exists() and not whole(target)
            counts["corrupt"] += corrupt
            counts["lost"] += lost
            counts["half-written"] += half
            print(f"round {round_:3d} {kind:<13} {'killed' if child.returncode < 0 else 'done':6}"
                  f" {'CORRUPT ' if corrupt else ''}{'LOST ' if lost else ''}"
                  f"{'HALF-WRITTEN' if half else ''}", flush=True)
        cli("import-map", str(ws), str(map_json), "--name", "After the kills", env=env)
        cli("export", str(ws), "--map", demo_map, "-o", str(work / "final.json"), env=env)
        left = leftovers([work, scratch, base])
        for p in left:
            print(f"left over: {p.name}")
        print(f"{kills} rounds, {counts['killed']} killed: {counts['corrupt']} corrupt, "
              f"{counts['lost']} lost, {counts['half-written']} half-written exports, "
              f"{len(left)} leftover files")
        return 1 if counts["corrupt"] or counts["lost"] or counts["half-written"] or left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
