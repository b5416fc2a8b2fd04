"""Aggregated metrics per stage (NPS, CSAT, ...): a small table of stage, metric, value[, date].

Read from CSV (comma, semicolon or tab separated; UTF-8 or Latin-1) or XLSX, kept as Parquet so
it travels inside the workspace like event logs, and summarised as the latest value of each
metric per stage for the map's metrics lanes.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from journeydesk.analytics.engine import connect, literal

REQUIRED = ("stage", "metric", "value")


class StageMetricsError(ValueError):
    """A metrics table that cannot be used; the message names the problem and the line."""


@dataclass(frozen=True)
class StageMetric:
    """One number of one stage."""

    stage: str
    metric: str
    value: float
    date: date | None = None


def read_stage_metrics(path: str | Path) -> list[StageMetric]:
    """The rows of a metrics table; StageMetricsError names the first bad line."""
    path = Path(path)
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    if not rows:
        raise StageMetricsError(f"{path.name}: is empty")
    header = [str(h or "").strip().casefold() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise StageMetricsError(f"{path.name}: needs the columns stage, metric and value "
                                f"(missing: {', '.join(missing)})")
    at = {name: header.index(name) for name in (*REQUIRED, "date") if name in header}
    out: list[StageMetric] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in row):
            continue
        cells = {k: (row[i] if i < len(row) else None) for k, i in at.items()}
        stage, metric = str(cells["stage"] or "").strip(), str(cells["metric"] or "").strip()
        if not stage or not metric:
            raise StageMetricsError(f"{path.name}: line {number}: stage and metric are needed")
        try:
            value = float(str(cells["value"]).replace(",", ".").strip())
        except (TypeError, ValueError):
            raise StageMetricsError(f"{path.name}: line {number}: value "
                                    f"{cells['value']!r} is not a number") from None
        out.append(StageMetric(stage, metric, value, _date(cells.get("date"), path, number)))
    if not out:
        raise StageMetricsError(f"{path.name}: has a header but no rows")
    return out


def _date(value: object, path: Path, number: int) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise StageMetricsError(f"{path.name}: line {number}: date {value!r} is not "
                                "YYYY-MM-DD") from None


def _csv_rows(path: Path) -> list[list[str]]:
    from journeydesk.analytics.source_text import sniff_bom

    raw = path.read_bytes()
    codec = sniff_bom(raw)  # UTF-16 or UTF-32 with a byte-order mark (Excel's Unicode text)
    try:
        text = raw.decode(codec or "utf-8-sig")
    except UnicodeDecodeError:
        if codec not in (None, "utf-8-sig"):
            raise
        text = raw.decode("latin-1")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else "excel"
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise StageMetricsError(f"{path.name}: is not a readable workbook ({exc})") from None
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def to_parquet(metrics: list[StageMetric]) -> bytes:
    """The table as Parquet (stage, metric, value, date)."""
    with tempfile.TemporaryDirectory(prefix=f"journeydesk-metrics-{os.getpid()}-") as tmp:
        out = Path(tmp) / "metrics.parquet"
        con = connect(tmp)
        try:
            con.execute("CREATE TABLE m (stage TEXT, metric TEXT, value DOUBLE, date DATE)")
            con.executemany("INSERT INTO m VALUES (?, ?, ?, ?)",
                            [(m.stage, m.metric, m.value, m.date) for m in metrics])
            con.execute(f"COPY m TO {literal(str(out))} (FORMAT parquet)")
        finally:
            con.close()
        return out.read_bytes()


def latest_per_stage(parquet: bytes) -> dict[str, list[tuple[str, float]]]:
    """For each stage name: (metric, latest value), metrics by name."""
    with tempfile.TemporaryDirectory(prefix=f"journeydesk-metrics-{os.getpid()}-") as tmp:
        source = Path(tmp) / "metrics.parquet"
        source.write_bytes(parquet)
        con = connect(tmp)
        try:
            rows = con.execute(f"""
                SELECT stage, metric, arg_max(value, coalesce(date, DATE '0001-01-01'))
                FROM read_parquet({literal(str(source))})
                GROUP BY stage, metric ORDER BY stage, metric""").fetchall()
        finally:
            con.close()
    out: dict[str, list[tuple[str, float]]] = {}
    for stage, metric, value in rows:
        out.setdefault(stage, []).append((metric, float(value)))
    return out
