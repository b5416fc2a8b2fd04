"""Timestamp formats of event logs: detection from sample values, and the SQL that parses them.

A format is chosen once per file, from a sample of the time column, and every value is parsed
with it; a value that does not fit is a bad timestamp (reported, never guessed at).  Naive
values are kept as written (the log's own clock); values with a zone (``Z``, ``+02:00``) are
converted to UTC, and the zoned format reads only values that have one.  Day-first and
month-first dates (``03/04/2024``) are told apart only when a value shows it (a day above 12);
when every value could be either, day-first is chosen and reported
(:func:`unproven_day_first` tells the caller, who may warn), and the caller may give the
format explicitly (:func:`from_user`).

DuckDB's ``%Y`` reads one to four digits and ``%y`` one or two, and its fields do not need
their full width: each pattern is guarded so that a year is read only from four digits (two
for ``%y``), and compact patterns (``%Y%m%d%H%M%S``) only from exactly as many digits.  Epoch
numbers are times only from 1973-03-03 (100,000,000 seconds, the floor detection uses too)
to 2100, in each unit: a number of seconds among milliseconds is a bad timestamp, not a time in
January 1970.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeydesk.analytics.engine import connect, ident, literal, parquet_path

# Epoch numbers: the seconds of 2100-01-01 (the first time not taken as plausible), and the
# smallest number of seconds taken as a time (1973-03-03): smaller numbers are more likely
# counts or ids.  Each unit's range is that range times the unit, for detection and parsing
# alike, so the ranges of seconds, milliseconds and microseconds do not overlap: a value in
# another unit than the file's is a bad timestamp, never a time in 1970 or after 2100.
EPOCH_END_SECONDS = 4_102_444_800
EPOCH_DETECT_FROM_SECONDS = 100_000_000
EPOCH_UNITS = {"epoch_s": 1, "epoch_ms": 1_000, "epoch_us": 1_000_000}
_ISO_YEAR = r"\s*\d{4}-.*"  # an ISO 8601 text whose year has four digits
# The end of a time that has a zone: a name (``Z``, ``UTC``, ``Europe/Berlin``, ``Etc/GMT-2``)
# or an offset after the time (``+02:00``, ``+0200``, ``-05``), perhaps with white space after.
_ZONE_END = r"(?:[A-Za-z][\w/+-]*|:\d\d(?:\.\d*)?\s?[+-]\d\d(?::?\d\d)*)\s*$"


@dataclass(frozen=True)
class TimeFormat:
    """How a time column is parsed: a name the user sees, and a kind with its patterns.

    ``kind`` is 'strptime' (``patterns`` are DuckDB strptime formats, tried in order), 'iso_tz'
    (ISO 8601 with a zone, converted to UTC), 'epoch_s', 'epoch_ms' or 'epoch_us' (numbers of
    seconds, milliseconds or microseconds since 1970), or 'native' or 'native_tz' (the column
    is a timestamp already).
    """

    name: str
    kind: str
    patterns: tuple[str, ...] = ()

    def sql(self, column: str) -> str:
        """An SQL expression parsing ``column`` (text) to TIMESTAMP, NULL when it does not fit."""
        col = ident(column)
        if self.kind == "strptime":
            # as text: a format given for a column that is a timestamp already reads its text
            return _strptime_sql(f"CAST({col} AS VARCHAR)", self.patterns)
        if self.kind == "iso_tz":
            return _iso_tz_sql(col)
        if self.kind in EPOCH_UNITS:
            unit = EPOCH_UNITS[self.kind]
            number = f"try_cast({col} AS DOUBLE)"
            # NaN and infinity fail the upper bound (DuckDB orders NaN above every number)
            return (f"(CASE WHEN {number} >= {EPOCH_DETECT_FROM_SECONDS * unit} AND {number} < "
                    f"{EPOCH_END_SECONDS * unit} THEN make_timestamp(CAST(round({number} * "
                    f"{1_000_000 // unit}) AS BIGINT)) END)")
        if self.kind == "native":
            return f"CAST({col} AS TIMESTAMP)"
        if self.kind == "native_tz":
            return f"(CAST({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
        raise ValueError(f"unknown time format kind {self.kind!r}")


def _iso_tz_sql(col: str) -> str:
    """ISO 8601 with a zone, converted to UTC; NULL for a value without a zone (DuckDB would
    take it as UTC) and for a year not written with four digits (it reads 24-05-01 as the year
    24 too).

    This runs on every value of multi-million-row imports: the zone is looked for with string
    tests that cost next to nothing (a ``+``, a final ``Z``, a final ``-hh:mm``: no time
    without a zone that DuckDB reads has one), and the regular expression, in the CASE's
    ELSE, sees only the values they leave (``-0530``, names such as ``UTC``, white space at
    the end, and values without a zone).  Measured: an import of 1,000,000 zoned times takes
    no longer than without the test; a regular expression on every value made its pass about
    30 % slower.
    """
    text = f"CAST({col} AS VARCHAR)"
    parsed = f"(try_cast({col} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
    zoned = (f"(CASE WHEN contains({text}, '+') OR suffix({text}, 'Z') OR {text} LIKE "
             f"'%-__:__' THEN true ELSE regexp_matches({text}, {literal(_ZONE_END)}) END)")
    return (f"(CASE WHEN year({parsed}) >= 1000 AND {zoned} THEN {parsed} "
            f"WHEN year({parsed}) < 1000 AND regexp_full_match({text}, {literal(_ISO_YEAR)}) "
            f"AND {zoned} THEN {parsed} END)")


NATIVE = TimeFormat("timestamp column", "native")
NATIVE_TZ = TimeFormat("timestamp column with time zone (converted to UTC)", "native_tz")
ISO_TZ = TimeFormat("ISO 8601 with time zone (converted to UTC)", "iso_tz")
EPOCH_S = TimeFormat("Unix epoch seconds", "epoch_s")
EPOCH_MS = TimeFormat("Unix epoch milliseconds", "epoch_ms")
EPOCH_US = TimeFormat("Unix epoch microseconds", "epoch_us")
EPOCHS = (EPOCH_S, EPOCH_MS, EPOCH_US)

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
# Compact digits (GA4's event_date is YYYYMMDD); read only from exactly 14, 12 or 8 digits.
_COMPACT = [
    ("YYYYMMDDHHMMSS", "%Y%m%d%H%M%S"),
    ("YYYYMMDDHHMM", "%Y%m%d%H%M"),
    ("YYYYMMDD", "%Y%m%d"),
]


def _day_month(order: str, sep: str, year: str = "YYYY") -> list[tuple[str, str]]:
    first, second = ("DD", "MM") if order == "dmy" else ("MM", "DD")
    f1, f2 = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    date_name = f"{first}{sep}{second}{sep}{year}"
    date_pat = f"{f1}{sep}{f2}{sep}{'%Y' if year == 'YYYY' else '%y'}"
    return [(f"{date_name} HH:MM:SS", f"{date_pat} %H:%M:%S"),
            (f"{date_name} HH:MM", f"{date_pat} %H:%M"),
            (date_name, date_pat)]


# Families are tried as wholes: a file uses one family, perhaps with and without seconds.
# On a tie the earlier family wins: day-first before month-first, dates before epochs.
FAMILIES: list[list[tuple[str, str]]] = [
    _ISO_PATTERNS,
    _day_month("dmy", "/"),
    _day_month("mdy", "/"),
    _SLASH_YMD,
    _day_month("dmy", "."),
    _day_month("dmy", "-"),
    _day_month("mdy", "-"),
    # Two-digit years (Excel's short dates): 00-68 are 2000-2068, 69-99 are 1969-1999.  Not
    # with dashes: 24-05-01 is as likely year first (ISO's order) as day first.
    _day_month("dmy", "/", "YY"),
    _day_month("mdy", "/", "YY"),
    _day_month("dmy", ".", "YY"),
    _COMPACT,
]
# A family's name for --time-format: its date-only pattern's name ("MM/DD/YYYY").
FAMILY_NAMES = {family[-1][0]: family for family in FAMILIES}
# day-first family -> the month-first family that reads the same text the other way round
_MONTH_FIRST = {"DD/MM/YYYY": "MM/DD/YYYY", "DD-MM-YYYY": "MM-DD-YYYY", "DD/MM/YY": "MM/DD/YY"}


def strptime_format(family: list[tuple[str, str]], used: list[int]) -> TimeFormat:
    """The format made of the patterns ``used`` (indexes into ``family``), in family order."""
    picked = [family[i] for i in sorted(used)]
    return TimeFormat(" or ".join(name for name, _ in picked), "strptime",
                      tuple(pattern for _, pattern in picked))


def all_patterns(family: list[tuple[str, str]]) -> TimeFormat:
    """The format that accepts any pattern of ``family``."""
    return strptime_format(family, list(range(len(family))))


USER_KEYWORDS = ("iso", "iso_tz", "epoch_s", "epoch_ms", "epoch_us")


def from_user(spec: str) -> TimeFormat:
    """A format the user named: a keyword (:data:`USER_KEYWORDS`), a family by its date
    (``MM/DD/YYYY`` reads ``05/13/2024`` with or without a time of day) or a strptime format
    (``%m/%d/%Y %H:%M``); ValueError otherwise."""
    named = {"iso": all_patterns(_ISO_PATTERNS), "iso_tz": ISO_TZ, "epoch_s": EPOCH_S,
             "epoch_ms": EPOCH_MS, "epoch_us": EPOCH_US}
    if spec in named:
        return named[spec]
    if spec in FAMILY_NAMES:
        return all_patterns(FAMILY_NAMES[spec])
    if "%" not in spec:
        raise ValueError(f"time format {spec!r} is not one of {', '.join(USER_KEYWORDS)}, a "
                         "date order such as MM/DD/YYYY or a strptime format such as "
                         "%d/%m/%Y %H:%M")
    return TimeFormat(spec, "strptime", (spec,))


def spec_of(fmt: TimeFormat) -> str:
    """A :func:`from_user` spec that reads what ``fmt`` reads: its pattern, the date of its
    family (``DD/MM/YYYY`` for ``DD/MM/YYYY HH:MM or DD/MM/YYYY``) or its kind."""
    if fmt.kind != "strptime":
        return fmt.kind
    if len(fmt.patterns) == 1:
        return fmt.patterns[0]
    for name, family in FAMILY_NAMES.items():
        if set(fmt.patterns) <= {pattern for _, pattern in family}:
            return name
    return fmt.patterns[0]


def candidate_sql(column: str) -> tuple[list[TimeFormat], str]:
    """Every candidate format and one SELECT list counting, per candidate, the values it parses.

    The caller runs ``SELECT <list> FROM <sample>``; the counts come back in candidate order.
    """
    candidates: list[TimeFormat] = []
    for family in FAMILIES:
        candidates.extend(strptime_format(family, [i]) for i in range(len(family)))
    candidates.append(ISO_TZ)
    counts = [f"count({fmt.sql(column)})" for fmt in candidates]
    # Numbers are epochs only when the whole value is a number, and only in the unit that
    # puts them between 1973 and 2100: 1714557600 (s), 1714557600000 (ms), ...000000 (µs).
    number = f"try_cast({ident(column)} AS DOUBLE)"
    for fmt in EPOCHS:
        unit = EPOCH_UNITS[fmt.kind]
        candidates.append(fmt)
        counts.append(f"count(*) FILTER (WHERE {number} >= {EPOCH_DETECT_FROM_SECONDS * unit} "
                      f"AND {number} < {EPOCH_END_SECONDS * unit})")
    return candidates, ", ".join(counts)


def choose(candidates: list[TimeFormat], counts: list[int], total: int) -> TimeFormat | None:
    """The format that parses most of the ``total`` sample values (None when none parses any).

    Within a family, every pattern that some value needs is kept.  The zoned ISO reading
    parses only values with a zone and the naive ones only values without: the one that
    parses more wins (a naive one on a tie), and the others are bad timestamps.  On a
    tie the earlier family wins: day-first dates when every value could be month-first too
    (see :func:`unproven_day_first`), and a compact date over an epoch number.
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


def month_first_spec(name: str) -> str | None:
    """For a day-first format (by its name, as detection made it), the :func:`from_user` spec
    that reads the same values month-first: its strptime pattern when the format has one
    pattern, else the family's date (``MM/DD/YYYY``).  None for any other format."""
    parts = name.split(" or ")
    for day_first, month_first in _MONTH_FIRST.items():
        names = [n for n, _ in FAMILY_NAMES[day_first]]
        if not all(p in names for p in parts):
            continue
        twin = FAMILY_NAMES[month_first]
        used = [names.index(p) for p in parts]
        if len(used) == 1:
            return twin[used[0]][1]
        return twin[-1][0]
    return None


def unproven_day_first(name: str, parquet: bytes) -> str | None:
    """When format ``name`` read the dataset ``parquet`` day-first and every date in it could
    have been month-first (no day above 12), the :func:`from_user` spec that reads it
    month-first; else None.

    Detection sees a sample only: the whole dataset decides whether day-first was a default.
    """
    spec = month_first_spec(name)
    if spec is None:
        return None
    with parquet_path(parquet) as path:
        con = connect()
        try:
            latest_day = con.execute(f"SELECT max(day(ts)) FROM read_parquet("
                                     f"{literal(str(path))})").fetchone()[0]
        finally:
            con.close()
    return spec if latest_day is not None and latest_day <= 12 else None


# --------------------------------------------------------------------------- strptime SQL
_TOKEN = re.compile(r"%-?(.)|(\s+)|(.)", re.DOTALL)
_FIELD_WIDTHS = {"Y": "4", "y": "2", "m": "1,2", "d": "1,2", "H": "1,2", "M": "1,2",
                 "S": "1,2", "f": "1,6"}


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """('directive', letter), ('space', blanks) or ('text', character) for each part."""
    out = []
    for m in _TOKEN.finditer(pattern):
        if m.group(1) is not None:
            out.append(("text", "%") if m.group(1) == "%" else ("directive", m.group(1)))
        elif m.group(2) is not None:
            out.append(("space", m.group(2)))
        else:
            out.append(("text", m.group(3)))
    return out


def _needs_exact_text(pattern: str) -> bool:
    """Whether ``pattern`` can read wrong text: a two-digit year (``%y`` takes one digit too),
    or fields with nothing between them (``%Y%m%d`` would read 7 digits)."""
    tokens = _tokens(pattern)
    if any(t == ("directive", "y") for t in tokens):
        return True
    return any(a[0] == b[0] == "directive" for a, b in zip(tokens, tokens[1:], strict=False))


def _exact_regex(pattern: str) -> str | None:
    """A regular expression for exactly the text ``pattern`` stands for: fields of their
    width (the full width where fields touch), blanks as blanks.  None when the pattern has a
    directive other than those of the built-in formats."""
    tokens = _tokens(pattern)
    out = [r"\s*"]
    for i, (kind, value) in enumerate(tokens):
        if kind == "directive":
            if value not in _FIELD_WIDTHS:
                return None
            width = _FIELD_WIDTHS[value]
            touching = any(0 <= j < len(tokens) and tokens[j][0] == "directive"
                           for j in (i - 1, i + 1))
            if touching:
                width = width.split(",")[-1]
            out.append(rf"\d{{{width}}}")
        elif kind == "space":
            out.append(r"\s+")
        else:
            out.append(re.escape(value))
    out.append(r"\s*")
    return "".join(out)


def _year_regex(pattern: str) -> str:
    """A loose regular expression for ``pattern``'s text that checks one thing: the year
    (``%Y``) is written with four digits."""
    out = [r"\s*"]
    for kind, value in _tokens(pattern):
        if kind == "directive":
            out.append(r"\d{4}" if value == "Y" else ".*?")
        elif kind == "space":
            out.append(r"\s*")
        else:
            out.append(re.escape(value))
    out.append(r"\s*")
    return "".join(out)


def _strptime_sql(col: str, patterns: tuple[str, ...]) -> str:
    """try_strptime over ``patterns``, guarded against DuckDB's lenient reading of digits."""
    exact = {p: _exact_regex(p) for p in patterns if _needs_exact_text(p)}
    if not any(exact.values()):
        formats = (literal(patterns[0]) if len(patterns) == 1
                   else "[" + ", ".join(literal(p) for p in patterns) + "]")
        return _year_guard(col, f"try_strptime({col}, {formats})", patterns)
    parts = []
    for p in patterns:  # one by one: each pattern has its own guard
        parsed = f"try_strptime({col}, {literal(p)})"
        regex = exact.get(p)
        if regex is not None:
            parts.append(f"CASE WHEN regexp_full_match({col}, {literal(regex)}) "
                         f"THEN {parsed} END")
        else:
            parts.append(_year_guard(col, parsed, (p,)))
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _year_guard(col: str, parsed: str, patterns: tuple[str, ...]) -> str:
    """``parsed``, but NULL for a year before 1000 that the text did not write with four
    digits (``%Y`` reads ``24`` as the year 24)."""
    with_year = [p for p in patterns if ("directive", "Y") in _tokens(p)]
    if not with_year:
        return parsed
    regex = "|".join(f"(?:{_year_regex(p)})" for p in with_year)
    return (f"(CASE WHEN year({parsed}) >= 1000 THEN {parsed} "
            f"WHEN regexp_full_match({col}, {literal(regex)}) THEN {parsed} END)")
