"""Helpers for the analytics tests: small event logs written as files and imported."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from journeydesk.analytics.events import load_events

Row = Sequence[str]


def write_csv(path: Path, header: Row, rows: Sequence[Row]) -> Path:
    """A plain UTF-8 CSV (no quoting needed by the values used in the tests)."""
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., bytes]:
    """``make_dataset(rows, header=("user", "event", "time"))`` -> Parquet bytes."""
    counter = iter(range(10_000))

    def make(rows: Sequence[Row], header: Row = ("user", "event", "time")) -> bytes:
        path = write_csv(tmp_path / f"log{next(counter)}.csv", header, rows)
        return load_events(path).parquet

    return make
