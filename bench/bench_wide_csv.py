"""Wide event logs: ``import-events`` of a CSV with 500 and 2,000 columns (50 rows each).

An import's cost used to grow with the square of the number of columns (2,000 columns: two
minutes; 100,000: 13.7 GB of memory).  Each file is imported by the command in a child process
(``journeydesk import-events``, Python's start-up included), against a floor measured in the
same run: DuckDB converting the same CSV to Parquet by itself, also in a child process.  The
goal is the issue's: 2,000 columns in under 5 s.  The child's peak memory (ru_maxrss) is
printed for each width, with the floor's.

    .venv/bin/python bench/run.py wide
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Result

WIDTHS = (500, 2000)
ROWS = 50
REPEAT = 3
GOAL_SECONDS = {2000: 5.0}

CHILD_IMPORT = """
import sys
from journeydesk.cli.main import main
sys.exit(main(["import-events", sys.argv[2], sys.argv[1], "--replace"]))
"""
CHILD_FLOOR = """
import sys
from journeydesk.analytics import engine
con = engine.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[1]}.parquet' "
            "(FORMAT parquet)")
"""
# The measured process is started by a small launcher, which reports its children's peak
# memory (a child forked from this process would start with our high-water mark).
LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.executable, "-c", *sys.argv[1:]], check=True, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def make_csv(path: Path, columns: int) -> None:
    """ROWS events with ``columns`` columns: user, event, time and text attributes."""
    header = ["user_id", "event", "timestamp", *(f"attr_{i}" for i in range(columns - 3))]
    lines = [",".join(header)]
    for r in range(ROWS):
        lines.append(",".join([f"u{r % 7}", f"e{r % 5}", f"2024-01-{1 + r % 28:02d} 10:00:00",
                               *(f"v{(r * i) % 11}" for i in range(columns - 3))]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def child(code: str, *args: Path) -> tuple[float, float]:
    """(wall seconds, peak memory in MB) of a child process running ``code``."""
    result = subprocess.run([sys.executable, "-c", LAUNCHER, code, *map(str, args)],
                            capture_output=True, text=True, check=True)
    seconds, kib = result.stdout.split()
    return float(seconds), int(kib) / 1024  # Linux reports KiB


def measure(code: str, *args: Path) -> tuple[float, float]:
    """Median wall time and the largest peak memory of REPEAT runs (after one untimed)."""
    child(code, *args)
    runs = [child(code, *args) for _ in range(REPEAT)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def run() -> list[Result]:
    """Import each width by the command and by DuckDB alone; one result per width."""
    results = []
    with tempfile.TemporaryDirectory(prefix="journeydesk-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for columns in WIDTHS:
            csv_path = tmp / f"wide_{columns}.csv"
            make_csv(csv_path, columns)
            workspace = tmp / f"wide_{columns}.jdesk"
            start = time.perf_counter()
            ours, ours_mb = measure(CHILD_IMPORT, csv_path, workspace)
            floor, floor_mb = measure(CHILD_FLOOR, csv_path)
            results.append(Result(f"import-events {columns:,} columns", ours, floor,
                                  max_median=GOAL_SECONDS.get(columns)))
            label = f"  peak memory, {columns:,} columns"
            print(f"{label:<32} {ours_mb:7.0f} MB ru_maxrss (floor {floor_mb:.0f} MB; CSV "
                  f"{csv_path.stat().st_size / 1e6:.2f} MB, {ROWS} rows; measured in "
                  f"{time.perf_counter() - start:.0f} s)", flush=True)
    return results
