"""What an event import hands back (see :mod:`journeydesk.analytics.events`): the result, the
preview, and the report of bad rows with the errors that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from journeydesk.analytics.event_columns import ColumnMapping
from journeydesk.analytics.sources import BAD_TIMESTAMP, EventImportError


class ImportCancelled(Exception):  # noqa: N818 - the name users see in the API
    """The progress callback cancelled the import; nothing was kept."""


@dataclass(frozen=True)
class ReasonCount:
    """How many rows are bad for one reason, with the first line numbers."""

    count: int
    examples: tuple[int, ...]


@dataclass(frozen=True)
class BadRowReport:
    """Bad rows of a file, per reason (each row counted once, under its first reason)."""

    file: str
    rows_read: int  # rows in the file, good and bad
    reasons: dict[str, ReasonCount]  # in REASONS order
    line_word: str = "line"  # "line" (text files) or "row" (spreadsheets, Parquet)
    time_format: str | None = None

    @property
    def bad_rows(self) -> int:
        """How many rows are bad."""
        return sum(r.count for r in self.reasons.values())

    def lines(self) -> list[str]:
        """The report as lines for people: a summary, then one line per reason."""
        out = [f"{self.file}: {self.bad_rows:,} bad {_plural(self.bad_rows, 'row')} of "
               f"{self.rows_read:,}"]
        for reason, rc in self.reasons.items():
            where = ", ".join(str(n) for n in rc.examples)
            more = ", ..." if rc.count > len(rc.examples) else ""
            word = self.line_word + ("s" if len(rc.examples) > 1 else "")
            expected = (f"; expected {self.time_format}"
                        if reason == BAD_TIMESTAMP and self.time_format else "")
            out.append(f"  {reason}: {rc.count:,} ({word} {where}{more}{expected})")
        return out

    def __str__(self) -> str:
        return "; ".join([self.lines()[0]] + [ln.strip() for ln in self.lines()[1:]])


class BadRows(EventImportError):  # noqa: N818 - the name users see in the API
    """The file has bad rows and skipping them was not asked for; see ``report``."""

    def __init__(self, report: BadRowReport):
        super().__init__(str(report))
        self.report = report


@dataclass
class LoadResult:
    """An imported event log: Parquet bytes and what the import found."""

    parquet: bytes  # columns user, event, ts (TIMESTAMP), then the attributes (text)
    row_count: int
    user_count: int
    event_counts: dict[str, int]  # most frequent first
    attributes: list[str]  # attribute column names, in file order
    mapping: ColumnMapping  # the columns used, and the time format (strptime or a kind)
    time_format: str  # the time format, as shown to people
    time_min: datetime | None
    time_max: datetime | None
    source_format: str  # csv, tsv, parquet, jsonl or xlsx
    encoding: str | None  # of a text file
    skipped: BadRowReport | None = None  # the rows left out (skip_bad_rows)
    source_columns: list[str] = field(default_factory=list)


@dataclass
class Preview:
    """The first rows of a file and the mapping that would be used."""

    columns: list[str]
    rows: list[list[str | None]]
    mapping: ColumnMapping  # detected; a role no column fits is None
    time_format: str | None  # detected from the previewed rows
    source_format: str
    encoding: str | None


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"
