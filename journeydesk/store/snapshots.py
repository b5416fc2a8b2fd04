"""Metric snapshots: a map's funnel numbers saved with their date, to compare with later.

Maps are living documents, refreshed each quarter: a snapshot keeps the numbers (and the
filters they were computed with) after the dataset behind them is replaced or deleted.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select

from journeydesk.store.schema import MetricSnapshotRow
from journeydesk.store.workspace_file import WorkspaceFile

snapshots_t: Table = MetricSnapshotRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Snapshot:
    """One saved set of numbers."""

    id: str
    map_id: str
    dataset_id: str
    taken_at: datetime
    filters: dict[str, Any]
    numbers: dict[str, Any]  # the ``metrics --json`` form

    @property
    def label(self) -> str:
        """How a menu names it: date, dataset and filters."""
        parts = [self.taken_at.strftime("%Y-%m-%d %H:%M"), str(self.numbers.get("dataset", ""))]
        segment = self.filters.get("segment") or {}
        if segment:
            parts.append(", ".join(f"{k} = {v}" for k, v in segment.items()))
        if self.filters.get("from") or self.filters.get("to"):
            parts.append(f"entered {self.filters.get('from') or '…'} to "
                         f"{self.filters.get('to') or '…'}")
        window = self.filters.get("window_seconds")
        if window:
            hours = float(window) / 3600
            parts.append(f"within {hours / 24:g} d" if hours >= 24 else f"within {hours:g} h")
        return " · ".join(p for p in parts if p)


def save_snapshot(ws_file: WorkspaceFile, map_id: str, dataset_id: str,
                  numbers: dict[str, Any], *, filters: dict[str, Any] | None = None,
                  taken_at: datetime | None = None) -> Snapshot:
    """Store the numbers of a map now (one transaction)."""
    snapshot = Snapshot(uuid.uuid4().hex, map_id, dataset_id,
                        taken_at or datetime.now(UTC), dict(filters or {}), dict(numbers))
    with ws_file.transaction() as conn:
        conn.execute(insert(snapshots_t).values(
            id=snapshot.id, map_id=map_id, dataset_id=dataset_id,
            taken_at=snapshot.taken_at.isoformat(),
            filters=json.dumps(snapshot.filters, default=str, ensure_ascii=False),
            numbers=json.dumps(snapshot.numbers, ensure_ascii=False)))
    return snapshot


def list_snapshots(ws_file: WorkspaceFile, map_id: str) -> list[Snapshot]:
    """The map's snapshots, newest first."""
    with ws_file.connection() as conn:
        rows = conn.execute(select(snapshots_t).where(snapshots_t.c.map_id == map_id)
                            .order_by(snapshots_t.c.taken_at.desc())).mappings().all()
    return [Snapshot(r["id"], r["map_id"], r["dataset_id"],
                     datetime.fromisoformat(r["taken_at"]), json.loads(r["filters"]),
                     json.loads(r["numbers"])) for r in rows]
