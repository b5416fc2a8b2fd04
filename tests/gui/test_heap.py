"""The garbage collector's permanent generation: frozen at start-up and session start, handed
back at exit so native libraries see their objects freed."""

from __future__ import annotations

import subprocess
import sys


def test_frozen_objects_are_handed_back_at_exit() -> None:
    """DuckDB (nanobind) reports objects still alive at exit; frozen ones must not be."""
    script = """
import duckdb
from journeydesk.gui import heap
c = duckdb.connect(); rel = c.sql("select 42 as x"); types = rel.types
class Cycle: pass
a = Cycle(); a.self = a; a.c = c; a.t = types; del a, c, rel, types
heap.settle(); heap.settle(collect=False)
import gc; assert gc.get_freeze_count() > 0
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "leaked" not in done.stderr, done.stderr
