"""Keeping Python's garbage collector off the GUI thread's back.

A full collection scans every object the process holds: with the app's modules and window that
is some 100,000 objects and 45-65 ms on the GUI thread, long enough to stall a drag or a workshop
session.  :func:`settle` moves what exists now into the collector's permanent generation
(``gc.freeze``), so later full collections scan only what was made since.  At exit everything is
handed back (``gc.unfreeze``), so the last collection still frees it and native libraries
(DuckDB) see their objects go.
"""

from __future__ import annotations

import atexit
import functools
import gc


@functools.cache
def _hand_back_at_exit() -> None:
    atexit.register(gc.unfreeze)


def settle(*, collect: bool = True) -> None:
    """Freeze what the process holds now (after one collection, with ``collect``)."""
    if collect:
        gc.collect()
    gc.freeze()
    _hand_back_at_exit()
