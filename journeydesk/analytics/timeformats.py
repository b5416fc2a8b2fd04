"""Timestamp formats of event logs: detection from sample values, and the SQL that parses them.

A format is chosen once per file, from a sample of the time column, and every value is parsed
with it; a value that does not fit is a bad timestamp (reported, never guessed at).  Naive
values are kept as written (the log's own clock); values with a zone (``Z``, ``+02:00``) are
converted to UTC.  Day-first and month-first dates (``03/04/2024``) are told apart only when a
value shows it (a day above 12); when every value could be either, day-first is chosen and
reported, and the caller may give the format explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeydesk.analytics.engine import ident, literal


@dataclass(frozen=True)
class TimeFormat:
    """How a time column is parsed: a name the user sees, and a kind with its patterns.

    ``kind`` is 'strptime' (``patterns`` are DuckDB strptime formats, tried in order), 'iso_tz'
    (ISO 8601 with a zone, converted to UTC), 'epoch_s' or 'epoch_ms' (numbers), or 'native'
    or 'native_tz' (the column is a timestamp already).
    """

    name: str
    kind: str
    patterns: tuple[str, ...] = ()

    def sql(self, column: str) -> str:
        """An SQL expression parsing ``column`` (text) to TIMESTAMP, NULL when it does not fit."""
        col = ident(column)
        if self.kind == "strptime":
            if len(self.patterns) == 1:
                return f"try_strptime({col}, {literal(self.patterns[0])})"
            formats = ", ".join(literal(p) for p in self.patterns)
            return f"try_strptime({col}, [{formats}])"
        if self.kind == "iso_tz":
            return f"(try_cast({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
        if self.kind == "epoch_s":
            number = f"try_cast({col} AS DOUBLE)"
            return (f"(CASE WHEN abs({number}) < 1e13 "
                    f"THEN make_timestamp(CAST(round({number} * 1000000) AS BIGINT)) END)")
        if self.kind == "epoch_ms":
            number = f"try_cast({col} AS DOUBLE)"
            return (f"(CASE WHEN abs({number}) < 1e16 "
                    f"THEN make_timestamp(CAST(round({number} * 1000) AS BIGINT)) END)")
        if self.kind == "native":
            return f"CAST({col} AS TIMESTAMP)"
        if self.kind == "native_tz":
            return f"(CAST({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
        raise ValueError(f"unknown time format kind {self.kind!r}")


NATIVE = TimeFormat("timestamp column", "native")
NATIVE_TZ = TimeFormat("timestamp column with time zone (converted to UTC)", "native_tz")
ISO_TZ = TimeFormat("ISO 8601 with time zone (converted to UTC)", "iso_tz")
EPOCH_S = TimeFormat("Unix epoch seconds", "epoch_s")
EPOCH_MS = TimeFormat("Unix epoch milliseconds", "epoch_ms")

# (name shown to the user, strptime pattern); within a family the most common first.
_ISO_PATTERNS = [
    ("YYYY-MM-DDTHH:MM:SS", "%Y-%m-%dT%H:%M:%S"),
    ("YYYY-MM-DD HH:MM:SS", "%Y-%m-%d %H:%M:%S"),
    ("YYYY-MM-DDTHH:MM:SS.fff", "%Y-%m-%dT%H:%M:%S.%f"),
    ("YYYY-MM-DD HH:MM:SS.fff", "%Y-%m-%d %H:%M:%S.%f"),
    ("YYYY-MM-DDTHH:MM", "%Y-%m-%dT%H:%M"),
    ("YYYY-MM-DD HH:MM", "%Y-%m-%d %H:%M"),
    ("YYYY-MM-DD", "%Y-%m-%d"),
]
_SLASH_YMD = [
    ("YYYY/MM/DD HH:MM:SS", "%Y/%m/%d %H:%M:%S"),
    ("YYYY/MM/DD HH:MM", "%Y/%m/%d %H:%M"),
    ("YYYY/MM/DD", "%Y/%m/%d"),
]


def _day_month(order: str, sep: str) -> list[tuple[str, str]]:
    first, second = ("DD", "MM") if order == "dmy" else ("MM", "DD")
    f1, f2 = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    date_name = f"{first}{sep}{second}{sep}YYYY"
    date_pat = f"{f1}{sep}{f2}{sep}%Y"
    return [(f"{date_name} HH:MM:SS", f"{date_pat} %H:%M:%S"),
            (f"{date_name} HH:MM", f"{date_pat} %H:%M"),
            (date_name, date_pat)]


# Families are tried as wholes: a file uses one family, perhaps with and without seconds.
FAMILIES: list[list[tuple[str, str]]] = [
    _ISO_PATTERNS,
    _day_month("dmy", "/"),
    _day_month("mdy", "/"),
    _SLASH_YMD,
    _day_month("dmy", "."),
    _day_month("dmy", "-"),
    _day_month("mdy", "-"),
]


def strptime_format(family: list[tuple[str, str]], used: list[int]) -> TimeFormat:
    """The format made of the patterns ``used`` (indexes into ``family``), in family order."""
    picked = [family[i] for i in sorted(used)]
    return TimeFormat(" or ".join(name for name, _ in picked), "strptime",
                      tuple(pattern for _, pattern in picked))


def all_patterns(family: list[tuple[str, str]]) -> TimeFormat:
    """The format that accepts any pattern of ``family``."""
    return strptime_format(family, list(range(len(family))))


def from_user(spec: str) -> TimeFormat:
    """A format the user named: 'iso', 'iso_tz', 'epoch_s', 'epoch_ms' or a strptime format."""
    named = {"iso": all_patterns(_ISO_PATTERNS), "iso_tz": ISO_TZ, "epoch_s": EPOCH_S,
             "epoch_ms": EPOCH_MS}
    if spec in named:
        return named[spec]
    if "%" not in spec:
        raise ValueError(f"time format {spec!r} is not iso, iso_tz, epoch_s, epoch_ms or a "
                         "strptime format such as %d/%m/%Y %H:%M")
    return TimeFormat(spec, "strptime", (spec,))


def candidate_sql(column: str) -> tuple[list[TimeFormat], str]:
    """Every candidate format and one SELECT list counting, per candidate, the values it parses.

    The caller runs ``SELECT <list> FROM <sample>``; the counts come back in candidate order.
    """
    candidates: list[TimeFormat] = []
    for family in FAMILIES:
        candidates.extend(strptime_format(family, [i]) for i in range(len(family)))
    candidates += [ISO_TZ, EPOCH_S, EPOCH_MS]
    col = ident(column)
    counts = [f"count({fmt.sql(column)})" for fmt in candidates[:-2]]
    # Numbers are epochs only when the whole value is a number.
    number = f"try_cast({col} AS DOUBLE)"
    counts.append(f"count(*) FILTER (WHERE {number} IS NOT NULL AND abs({number}) >= 1e8 "
                  f"AND abs({number}) < 1e11)")
    counts.append(f"count(*) FILTER (WHERE {number} IS NOT NULL AND abs({number}) >= 1e11 "
                  f"AND abs({number}) < 1e16)")
    return candidates, ", ".join(counts)


def choose(candidates: list[TimeFormat], counts: list[int], total: int) -> TimeFormat | None:
    """The format that parses most of the ``total`` sample values (None when none parses any).

    Within a family, every pattern that some value needs is kept.  A zone-aware ISO reading
    wins over a naive one only when it parses more values (that is, some have a zone).
    """
    if total == 0:
        return None
    best: TimeFormat | None = None
    best_count = 0
    i = 0
    for family in FAMILIES:
        part = counts[i:i + len(family)]
        i += len(family)
        used = [k for k, n in enumerate(part) if n]
        # patterns of one family do not overlap, so their counts add up
        covered = sum(part)
        if used and covered > best_count:
            best, best_count = strptime_format(family, used), covered
    for fmt, n in zip(candidates[i:], counts[i:], strict=True):
        if n > best_count:
            best, best_count = fmt, n
    return best
