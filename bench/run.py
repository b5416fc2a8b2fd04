"""Run every benchmark and print one line each: name, median, floor, ratio, goal.

    make bench        (or: .venv/bin/python bench/run.py [NAME_FILTER])

Exit status 0 even when a goal is missed: the numbers are for people to read and quote; the
timed test run does not include benchmarks.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MODULES = ["bench_store", "bench_canvas", "bench_canvas_edit", "bench_excel", "bench_events",
           "bench_overlay", "bench_overlay_live", "bench_startup", "bench_warehouse",
           "bench_wide_csv", "bench_import_map", "bench_present", "bench_retention",
           "bench_paths", "bench_paths_peer", "bench_flows_layer", "bench_workshop",
           "bench_workshop_gui", "bench_pptx", "bench_versions"]


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    print(f"{'benchmark':<32} {'(median of repeated runs; floor = bare library, same run)'}")
    for name in MODULES:
        if wanted and wanted not in name:
            continue
        module = importlib.import_module(name)
        for result in module.run():
            print(result.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
