"""Map import benchmark: ``import-map`` of a JSON map with 10,000 and with 100,000 cards.

Building a map must stay linear in its cards (issue 15: the import was quadratic, 100,000 cards
took over ten minutes).  The floor is the same command on the 10,000-card file, so the ratio is
how the time grows for ten times the cards: linear gives about 10, the goal is at most 12, and
100,000 cards within 10 seconds.  Each run imports into a new workspace (reading, checking,
building the map with the domain's commands and writing it to the file).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

from harness import Result, median_seconds

from journeydesk.cli.main import main

STAGES, STEPS, LANES = 10, 3, 8


def map_file(folder: Path, cards: int) -> Path:
    """A JSON map with ``cards`` cards spread over 10 stages x 3 steps x 8 lanes."""
    stages = [{"name": f"Stage {i}", "events": [f"event_{i}"],
               "steps": [{"name": f"Step {j}"} for j in range(STEPS)]} for i in range(STAGES)]
    lanes = [{"name": f"Lane {k}", "type": "actions"} for k in range(LANES)]
    places = [(i, j, k) for i in range(STAGES) for j in range(STEPS) for k in range(LANES)]
    data = {
        "format": "journeydesk.map", "version": 1, "name": f"Big {cards}",
        "stages": stages, "lanes": lanes,
        "cards": [{"stage": f"Stage {i}", "step": f"Step {j}", "lane": f"Lane {k}",
                   "text": f"Customer does thing {n} and feels something", "tags": ["tbd"],
                   "severity": 1 + n % 5}
                  for n, (i, j, k) in ((n, places[n % len(places)]) for n in range(cards))],
    }
    path = folder / f"map-{cards}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def import_once(folder: Path, source: Path) -> None:
    """``journeydesk import-map`` into a new workspace, in this process."""
    workspace = Path(tempfile.mkdtemp(dir=folder)) / "w.jdesk"
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(["import-map", str(workspace), str(source)])
    if status != 0:
        raise SystemExit(f"import-map failed with status {status}")


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, big = map_file(folder, 10_000), map_file(folder, 100_000)
        t_small = median_seconds(lambda: import_once(folder, small), repeat=3, warmup=1)
        t_big = median_seconds(lambda: import_once(folder, big), repeat=1, warmup=0)
    return [Result("import-map 100k / 10k cards", t_big, t_small, max_ratio=12.0,
                   max_median=10.0)]


if __name__ == "__main__":
    for result in run():
        print(result.line())
    sys.exit(0)
