"""The DuckDB passes of an event import (see :mod:`journeydesk.analytics.events`): one pass
from a prepared source to Parquet, a second one only to find and report bad rows, trimming of
values, the time format, and what DuckDB's errors and refused records mean for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from journeydesk.analytics import timeformats
from journeydesk.analytics.engine import Cancelled, ident, literal, run
from journeydesk.analytics.event_columns import (
    OUTPUT_COLUMNS,
    ColumnMapping,
    MappingError,
    _attribute_names,
    _resolve,
)
from journeydesk.analytics.event_reports import BadRowReport, BadRows, LoadResult, ReasonCount
from journeydesk.analytics.sources import (
    BAD_TIMESTAMP,
    EXAMPLES,
    MALFORMED,
    MISSING_EVENT,
    MISSING_TIME,
    MISSING_USER,
    RAGGED,
    REASONS,
    EmptyFileError,
    EventImportError,
    Refused,
    Source,
    csv_normalised,
    csv_transcoded,
    jsonl_via_python,
    refused_records,
    unique_names,
)
from journeydesk.analytics.timeformats import TimeFormat

SAMPLE_ROWS = 2_000

Progress = Callable[[int, int], Any]
PROGRESS_TOTAL = 1000


# --------------------------------------------------------------------------- progress
class _Steps:
    """Maps the phases of an import onto ``progress(done, PROGRESS_TOTAL)``."""

    def __init__(self, progress: Progress | None):
        self._progress = progress
        self._done = 0  # never report less than before (a phase may be run again)

    def part(self, start: float, end: float) -> Callable[[float], bool] | None:
        if self._progress is None:
            return None
        progress = self._progress

        def report(fraction: float) -> bool:
            done = int(PROGRESS_TOTAL * (start + (end - start) * fraction))
            self._done = max(self._done, min(done, PROGRESS_TOTAL))
            return progress(self._done, PROGRESS_TOTAL) is not False

        return report

    def at(self, fraction: float) -> None:
        report = self.part(fraction, fraction)
        if report is not None and not report(0.0):
            raise Cancelled


def _describe(con: Any, source: Source) -> None:
    """Fill in the columns of a Parquet or JSON-lines source."""
    if source.format == "parquet":
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet("
                               f"{literal(str(source.path))})").fetchall()
        except Exception as exc:  # noqa: BLE001 - any DuckDB error means "not Parquet"
            raise EventImportError(f"{source.original.name}: is not a readable Parquet file "
                                   f"({_first_line(exc)})") from None
        names = [r[0] for r in rows]
        source.columns = unique_names(names)
        if source.columns != names:
            raise EventImportError(f"{source.original.name}: has two columns of the same "
                                   "name")
        source.types = {r[0]: r[1] for r in rows}
    elif source.format == "jsonl" and source.line_column is None:
        path = literal(str(source.path))
        rows = con.execute(f"DESCRIBE SELECT * FROM read_json({path}, "
                           "format='newline_delimited')").fetchall()
        # DuckDB's description comes from its sample (the first 20,480 lines): the keys of
        # every line come from a quicker pass of their own
        found = [str(r[0]) for r in con.execute(
            f"SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects({path}, "
            "format='newline_delimited')").fetchall()]
        described = [str(r[0]) for r in rows]
        if len({k.lower() for k in found}) < len(found) or not set(described) <= set(found):
            # Keys differing only in case: DuckDB renames one (Event_1), a name that is not
            # in the file.  Handled by the fallback, which reads the keys as they are.
            raise EventImportError("keys differing only in case")
        keys = described + sorted(set(found) - set(described))
        source.json_keys = keys
        source.columns = unique_names(keys)


@dataclass
class _Plan:
    """What one pass over a source reads: the columns and the time format."""

    source: Source
    cols: ColumnMapping
    attrs: list[tuple[str, str]]  # (file column, attribute name)
    fmt: TimeFormat
    # Trim values with the exact test (see _clean); without it a value may keep white space
    # other than a space at its ends, which _summary looks for.
    exact: bool = False
    # A wide file: the attributes are copied as they are read and trimmed afterwards, column
    # by column where needed (see _tidy_wide): an expression per column makes DuckDB's
    # planning grow faster than the number of columns.
    raw_attrs: bool = False
    _internal: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Source.internal looks a name up in a list: once per column would cost the square
        # of the number of columns
        self._internal = {name: f"c{i}" for i, name in enumerate(self.source.columns)}

    def _text(self, column: str) -> str:
        value = ident(self._internal[column])
        if self.source.types.get(column, "VARCHAR").upper() != "VARCHAR":
            value = f"CAST({value} AS VARCHAR)"  # a timestamp column kept as an attribute
        return value

    def _text_columns(self) -> list[str]:
        attrs = [] if self.raw_attrs else [col for col, _ in self.attrs]
        return [self.cols.user, self.cols.event, *attrs]

    def _reversed(self, column: str) -> str:
        return ident(f"_r{self._internal[column]}")

    def relation(self) -> str:
        """The source's rows; for the exact test each text column also reversed (once, here:
        inside _clean's CASE DuckDB would reverse a value for each test)."""
        if not self.exact:
            return self.source.relation()
        extra = ", ".join(f"reverse({self._text(col)}) AS {self._reversed(col)}"
                          for col in self._text_columns())
        return f"(SELECT *, {extra} FROM {self.source.relation()})"

    def select_list(self) -> str:
        """The output columns computed from :meth:`relation`'s columns."""
        def text(column: str) -> str:
            return _clean(self._text(column), self._reversed(column) if self.exact else None)

        attr = self._text if self.raw_attrs else text
        parts = [f"{text(self.cols.user)} AS \"user\"", f"{text(self.cols.event)} AS event",
                 f"{self.fmt.sql(self._internal[self.cols.time])} AS ts"]
        parts += [f"{attr(col)} AS {ident(name)}" for col, name in self.attrs]
        return ", ".join(parts)

    def output_list(self) -> str:
        """The output columns by name."""
        return ", ".join(['"user"', "event", "ts", *(ident(name) for _, name in self.attrs)])


@dataclass
class _Import:
    """One import: a DuckDB connection, a scratch folder and the caller's choices."""

    con: Any
    tmp: Path
    steps: _Steps
    mapping: ColumnMapping | None
    skip: bool
    exact: bool = False  # see _Plan.exact

    def load(self, source: Source) -> LoadResult:
        """Read ``source`` in one pass; a second pass only when some rows are bad."""
        file = source.original.name
        if source.format == "jsonl" and source.line_column is None:
            try:
                _describe(self.con, source)
            except Exception:  # noqa: BLE001 - DuckDB refused a line: find them in Python
                source = jsonl_via_python(source, self.tmp)
        else:
            _describe(self.con, source)
        if not source.columns:
            raise EmptyFileError(f"{file}: is empty")
        check_width(file, len(source.columns))
        cols = _resolve(self.mapping, source.columns, file)
        attrs = _attribute_names(source.columns, cols)
        # many columns: the exact test at once for user and event (looking at each column
        # afterwards would cost more than it saves), the attributes trimmed afterwards
        wide = len(attrs) > WIDE
        plan = _Plan(source, cols, attrs, _time_format(self.con, source, cols),
                     self.exact or wide, raw_attrs=wide)

        out = self.tmp / "events.parquet"
        # DuckDB keeps the rows it refuses in these tables: start each pass with none
        _drop_rejects(self.con)
        # The rows' order in the dataset means nothing (every metric orders by time): let
        # DuckDB's threads write the Parquet without keeping the file's order (~10 % faster).
        # Only here: finding bad rows below counts rows in the file's order.
        self.con.execute("SET preserve_insertion_order=false")
        _plan_wide(self.con, plan)
        try:
            stats = run(self.con, f"COPY (SELECT {plan.select_list()} FROM "
                                  f"{plan.relation()}) TO {literal(str(out))} "
                                  "(FORMAT parquet, RETURN_STATS)",
                        progress=self.steps.part(0.15, 0.85))
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - DuckDB's errors name the problem
            if source.format == "jsonl" and source.line_column is None:
                # a line further on is not JSON: find the bad lines in Python
                return self.load(jsonl_via_python(source, self.tmp))
            if _mixed_line_ends(source, exc):
                return self.load(csv_normalised(source, self.tmp, self.steps.part(0.0, 0.15)))
            raise _read_error(file, exc) from None
        finally:
            self.con.execute("SET preserve_insertion_order=true")
            self.con.execute("RESET disabled_optimizers")
        written = int(stats[0][1]) if stats else 0
        nulls = _null_counts(stats)
        rejected = _rejected(self.con) if _has_rejects(source) else {}
        if any("INVALID ENCODING" in kinds for kinds, _ in rejected.values()) and (
                source.encoding in ("utf-8", "utf-8 (BOM)")):
            # valid UTF-8 at the start only: read a transcoded copy instead
            size = source.original.stat().st_size
            return self.load(csv_transcoded(source, self.tmp, None,
                                            self.steps.part(0.0, 0.15), size))
        refused = _refused(source, rejected)
        bad_in_file = len(refused) + sum(count for count, _ in source.pre_bad.values())
        if written == 0 and bad_in_file == 0:
            raise EmptyFileError(f"{file}: has column names but no rows")

        skipped: BadRowReport | None = None
        if any(nulls.get(c, 0) for c in OUTPUT_COLUMNS) or bad_in_file:
            report = self._find_bad_rows(plan, refused, written)
            keep = ""
            if report.bad_rows:
                if not self.skip:
                    raise BadRows(report)
                if report.rows_read == report.bad_rows:
                    raise EventImportError(f"{file}: no row is usable; {report}")
                skipped, keep = report, " WHERE _reason IS NULL"
            # else: the format found on a second look parses every row
            run(self.con, f"COPY (SELECT {plan.output_list()} FROM parsed{keep}) "
                          f"TO {literal(str(out))} (FORMAT parquet)")
        if plan.raw_attrs:
            _tidy_wide(self.con, out, plan)
        self.steps.at(0.9)
        result = _summary(self.con, out, plan, skipped)
        if result is None:  # some value starts or ends with white space other than a space
            self.exact = True
            return self.load(source)
        return result

    def _find_bad_rows(self, plan: _Plan, refused: list[tuple[int, str]],
                       written: int) -> BadRowReport:
        """Find the bad rows (a second pass, only for files that have some) and report them.

        ``refused``: (line, reason) of the records DuckDB refused in the first pass, which
        wrote ``written`` rows.  Leaves a table ``parsed`` with the output columns and each
        row's ``_reason``; may change ``plan.fmt`` when every time value shows a better
        format than the sample did.
        """
        con, source, cols = self.con, plan.source, plan.cols
        # the rows found here are written as they are: trim them exactly (a second pass is
        # for files with bad rows only; a value of white space only is a missing one)
        plan.exact = True
        time_col = ident(source.internal(cols.time))
        line = ident(source.line_column) if source.line_column else "NULL"
        _drop_rejects(con)
        _plan_wide(con, plan)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE parsed AS SELECT {line} AS _line, "
                        f"{time_col} AS _time, {plan.select_list()} "
                        f"FROM {plan.relation()}")
        finally:
            con.execute("RESET disabled_optimizers")
        total = int(con.execute("SELECT count(*) FROM parsed").fetchone()[0])
        again = len(_rejected(con)) if _has_rejects(source) else 0
        if total + again != written + len(refused):
            # never import part of a file: both passes must account for every record
            raise EventImportError(
                f"{source.original.name}: read twice, the file gave {written + len(refused):,} "
                f"rows, then {total + again:,}; nothing imported")
        self.steps.at(0.88)
        if not cols.time_format and plan.fmt.kind not in ("native", "native_tz"):
            # The sample may have misled (day-first dates that were month-first further
            # on): look at every value and keep the format that parses the most.
            nonblank = "(SELECT _time FROM parsed WHERE nullif(trim(_time), '') IS NOT NULL)"
            better = _detect(con, nonblank, "_time")
            if better is not None and better != plan.fmt:
                old = con.execute("SELECT count(ts) FROM parsed").fetchone()[0]
                new = con.execute(f"SELECT count({better.sql('_time')}) "
                                  "FROM parsed").fetchone()[0]
                if new > old:
                    plan.fmt = better
                    con.execute(f"UPDATE parsed SET ts = {better.sql('_time')}")
        con.execute("ALTER TABLE parsed ADD COLUMN _reason VARCHAR")
        con.execute(
            f"UPDATE parsed SET _reason = CASE WHEN \"user\" IS NULL THEN "
            f"{literal(MISSING_USER)} WHEN event IS NULL THEN {literal(MISSING_EVENT)} "
            f"WHEN nullif(trim(CAST(_time AS VARCHAR)), '') IS NULL THEN "
            f"{literal(MISSING_TIME)} WHEN ts IS NULL THEN {literal(BAD_TIMESTAMP)} END")
        rows = con.execute(
            "SELECT _reason, count(*), list(_line ORDER BY rowid)[1:5], "
            "list(rowid ORDER BY rowid)[1:5] FROM parsed WHERE _reason IS NOT NULL "
            "GROUP BY _reason").fetchall()
        lines = {} if source.line_column else source.lines_of(
            (o for r in rows for o in r[3]), rejected=(n for n, _ in refused))
        found: dict[str, tuple[int, list[int]]] = {}
        for reason, count, with_line, ordinals in rows:
            examples = (list(with_line) if source.line_column
                        else [lines.get(o, o + 2) for o in ordinals])
            found[reason] = (int(count), [int(x) for x in examples])
        dropped: dict[str, tuple[int, list[int]]] = dict(source.pre_bad)
        for number, reason in refused:
            count, examples = dropped.get(reason, (0, []))
            dropped[reason] = (count + 1, [*examples, number])
        for reason, (count, examples) in dropped.items():
            old_count, old_examples = found.get(reason, (0, []))
            found[reason] = (old_count + count, sorted(old_examples + examples)[:EXAMPLES])
        return BadRowReport(
            source.original.name, total + sum(count for count, _ in dropped.values()),
            {r: ReasonCount(found[r][0], tuple(found[r][1])) for r in REASONS if r in found},
            line_word=source.line_word, time_format=plan.fmt.name)


def _has_rejects(source: Source) -> bool:
    return source.format in ("csv", "tsv") or source.line_column is not None


# White space trimmed from values: the controls tab, LF, VT, FF and CR, and the Unicode space
# separators (Zs: the space, U+00A0 no-break space, U+1680, U+2000-U+200A, U+202F, U+205F and
# U+3000), which are what DuckDB's trim() removes.
_SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_BELOW_SPACES = "\u009f\U0010ffff"  # a value up to this one starts below U+00A0
_CONTROL_SPACE = r"[\t\n\x0b\x0c\r]"
_TRIM = r"^[\t\n\x0b\x0c\r\p{Zs}]+|[\t\n\x0b\x0c\r\p{Zs}]+$"


def _clean(col: str, rev: str | None = None) -> str:
    """Text without surrounding white space; NULL when empty.

    This runs on every value of multi-million-row imports, so only values that start or end
    with white space are trimmed, behind a quick test.  Without ``rev`` the test is the
    cheapest there is, for a space at either end: a value starting or ending with other white
    space (a tab, U+00A0...) is left as it is, and :func:`_summary` looks for those
    afterwards.  With ``rev`` (the value reversed, computed once below the select list) the
    test is exact, and made of string comparisons: from '!' up to U+009F, a value starts
    with no white space ('' and controls are below '!', U+00A0 and the other Unicode spaces
    above); the other values have their first and last characters looked up.

    Cheap to plan too (imports may have thousands of columns): the column is named a few
    times, and there is no IN list or list constant (DuckDB plans those slowly).
    """
    trimmed = (f"CASE WHEN regexp_matches({col}, {literal(_CONTROL_SPACE)}) "
               f"THEN regexp_replace({col}, {literal(_TRIM)}, '', 'g') ELSE trim({col}) END")
    if rev is None:
        return (f"nullif(CASE WHEN prefix({col}, ' ') OR suffix({col}, ' ') THEN {trimmed} "
                f"ELSE {col} END, '')")
    plain = f"BETWEEN '!' AND {literal(_BELOW_SPACES)}"
    spaces = literal(_SPACES)
    return (f"CASE WHEN {col} {plain} AND {rev} {plain} THEN {col} "
            f"WHEN {col} < '!' OR {rev} < '!' OR contains({spaces}, left({col}, 1)) "
            f"OR contains({spaces}, left({rev}, 1)) THEN nullif({trimmed}, '') ELSE {col} END")


def _null_counts(stats: list[tuple]) -> dict[str, int]:
    if not stats:
        return {}
    columns = stats[0][4] or {}
    return {name.strip('"'): int(info.get("null_count", 0)) for name, info in columns.items()}


WIDE = 64  # attributes: a "wide" file (see _plan_wide and _Import.load)
# The most columns an event file may have (user, event and time included).  An import's cost
# grows with the number of columns (4,096 columns of 50 rows: seconds, 250 MB), and
# nobody segments by more attributes than this.  Checked on the header, before any pass.
MAX_COLUMNS = 4096


def check_width(file: str, columns: int) -> None:
    """Refuse a file of more than MAX_COLUMNS columns, with one line naming it."""
    if columns > MAX_COLUMNS:
        raise EventImportError(f"{file}: has {columns:,} columns; an event file may have at "
                               f"most {MAX_COLUMNS:,} (keep the columns you need)")


def _tidy_wide(con: Any, out: Path, plan: _Plan) -> None:
    """Trim the attributes of a wide import (written as read, see _Plan.raw_attrs) in place.

    One query finds the attributes with a value to trim (all attribute values of a row as one
    list: one expression, whatever the number of columns); only those are rewritten, usually
    none.
    """
    names = [name for _, name in plan.attrs]
    data = f"read_parquet({literal(str(out))})"
    values = ", ".join(ident(name) for name in names)
    dirty = [names[int(i)] for (i,) in con.execute(
        f"SELECT DISTINCT i FROM (SELECT unnest(range(len(l))) AS i, unnest(l) AS v "
        f"FROM (SELECT [{values}] AS l FROM {data})) "
        f"WHERE {_untrimmed_sql('v', 'reverse(v)')}").fetchall()]
    if not dirty:
        return
    trimmed = ", ".join(f"nullif(regexp_replace({ident(name)}, {literal(_TRIM)}, '', 'g'), "
                        f"'') AS {ident(name)}" for name in dirty)
    tidy = out.with_name("tidy.parquet")
    run(con, f"COPY (SELECT * REPLACE ({trimmed}) FROM {data}) TO {literal(str(tidy))} "
             "(FORMAT parquet)")
    tidy.replace(out)


def _plan_wide(con: Any, plan: _Plan) -> None:
    """Before a pass over a file with many columns: DuckDB's search for common subexpressions
    takes time growing with the square of the select list (minutes for a few thousand
    columns), for little gain; leave it out (RESET disabled_optimizers after the pass)."""
    if len(plan.attrs) > WIDE:
        con.execute("SET disabled_optimizers='common_subexpressions'")


def _drop_rejects(con: Any) -> None:
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")


def _rejected(con: Any) -> dict[int, tuple[frozenset[str], int]]:
    """The records DuckDB refused in the last pass: their byte offset -> (the kinds of error,
    DuckDB's own line number, which counts records rather than lines)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() "
                         "WHERE table_name = 'reject_errors'").fetchone()[0]
    if not exists:
        return {}
    rows = con.execute(
        "SELECT line_byte_position, list(DISTINCT error_type), min(line) "
        "FROM reject_errors GROUP BY line_byte_position").fetchall()
    return {int(offset): (frozenset(str(k) for k in kinds), int(line))
            for offset, kinds, line in rows}


def _refused(source: Source, rejected: dict[int, tuple[frozenset[str], int]],
             ) -> list[tuple[int, str]]:
    """(line, reason) of each record DuckDB refused, in the order of the file.

    Refuses the file when a quote swallowed the lines after it: the rows there cannot be told
    apart, not even to report them.
    """
    if not rejected:
        return []
    if source.line_column is not None:  # a CSV made here: DuckDB's count is good enough
        found = [(line, kinds) for kinds, line in rejected.values()]
    else:
        records = refused_records(source.path, rejected, source.delimiter)
        for offset in sorted(records):
            record = records[offset]
            if record.runs_on:
                raise EventImportError(_runaway_quote(source.original.name, record))
        found = [(records[offset].line, kinds) for offset, (kinds, _) in rejected.items()]
    ragged = {"MISSING COLUMNS", "TOO MANY COLUMNS"}
    return sorted((line, RAGGED if kinds & ragged else MALFORMED) for line, kinds in found)


def _runaway_quote(file: str, record: Refused) -> str:
    if record.open_quote:
        return (f"{file}: line {record.line:,} opens a quote that is never closed, so the "
                "lines after it cannot be read; nothing imported (fix the quote)")
    last = record.line + record.lines - 1
    return (f"{file}: line {record.line:,} opens a quote that is only closed on line "
            f"{last:,}, so lines {record.line:,} to {last:,} cannot be read; nothing imported "
            "(fix the quote)")


def _mixed_line_ends(source: Source, exc: BaseException) -> bool:
    """True when DuckDB failed on a text file that mixes line ends (and may read a copy)."""
    return (source.format in ("csv", "tsv") and source.line_column is None
            and not source.normalised and "reached an invalid state" in str(exc))


def _read_error(file: str, exc: BaseException) -> EventImportError:
    """DuckDB's error reading ``file`` as one line for people."""
    text = str(exc)
    if "GZIP" in text or "gzip" in text:
        if "end of" in text.lower():
            return EventImportError(f"{file}: the compressed file is cut short")
        return EventImportError(f"{file}: the compressed file is damaged ({_first_line(exc)})")
    if "reached an invalid state" in text:
        return EventImportError(f"{file}: cannot be read as CSV (DuckDB's reader gives up on "
                                "it; is it a text file with one kind of line end?)")
    return EventImportError(f"{file}: cannot be read ({_first_line(exc)})")


def _time_format(con: Any, source: Source, cols: ColumnMapping) -> TimeFormat:
    if cols.time_format:
        try:
            return timeformats.from_user(cols.time_format)
        except ValueError as exc:
            raise MappingError(str(exc)) from None
    kind = source.types.get(cols.time, "VARCHAR").upper()
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return timeformats.NATIVE_TZ
    if kind.startswith(("TIMESTAMP", "DATE")):
        return timeformats.NATIVE
    values = source.head_values(cols.time, SAMPLE_ROWS)
    if not values:  # not a text file, or no time in its first rows: ask DuckDB
        col = ident(source.internal(cols.time))
        values = [r[0] for r in con.execute(
            f"SELECT trim({col}) FROM {source.relation()} "
            f"WHERE nullif(trim({col}), '') IS NOT NULL LIMIT {SAMPLE_ROWS}").fetchall()]
    if not values:  # no row has a time: every row will be reported
        return timeformats.all_patterns(timeformats.FAMILIES[0])
    found = _detect(con, "(SELECT unnest(?::VARCHAR[]) AS t)", "t", [values])
    if found is None:
        raise EventImportError(
            f"{source.original.name}: the {cols.time!r} column holds no timestamp in a known "
            f"format (for example {values[0]!r})")
    return found


def _detect(con: Any, relation: str, column: str,
            params: list[Any] | None = None) -> TimeFormat | None:
    """The format that parses most values of ``column`` in ``relation``."""
    candidates, counts_sql = timeformats.candidate_sql(column)
    row = con.execute(f"SELECT count(*), {counts_sql} FROM {relation}", params or []).fetchone()
    return timeformats.choose(candidates, [int(n) for n in row[1:]], int(row[0]))


def _summary(con: Any, out: Path, plan: _Plan,
             skipped: BadRowReport | None) -> LoadResult | None:
    """The result; None when a value was not trimmed (see :func:`_clean`).

    The values are looked at after the quick test only, and mostly once per distinct value:
    the users (counted so anyway), the events (their histogram) and the attributes written
    with a dictionary (few distinct values); other attributes value by value.
    """
    data = f"read_parquet({literal(str(out))})"
    rows, t_min, t_max, histogram = con.execute(
        f"SELECT count(*), min(ts), max(ts), histogram(event) FROM {data}").fetchone()
    events = histogram or {}
    checks = ["false"]
    if not plan.exact:
        checks = [f"bool_or({_untrimmed_sql('u', 'reverse(u)')})"]
        if plan.attrs:
            encodings = dict(con.execute(
                f"SELECT path_in_schema, bool_and(encodings LIKE '%DICTIONARY%') "
                f"FROM parquet_metadata({literal(str(out))}) GROUP BY ALL").fetchall())
            for _, name in plan.attrs:
                value = ident(name)
                each = (f"(SELECT DISTINCT {value} AS v FROM {data})" if encodings.get(name)
                        else f"(SELECT {value} AS v FROM {data})")
                checks.append(f"(SELECT bool_or({_untrimmed_sql('v', 'r')}) FROM "
                              f"(SELECT v, reverse(v) AS r FROM {each}))")
    users, *untrimmed = con.execute(
        f"SELECT count(u), {', '.join(checks)} FROM (SELECT DISTINCT \"user\" AS u "
        f"FROM {data})").fetchone()
    if not plan.exact and (any(untrimmed) or any(_untrimmed(str(e)) for e in events)):
        return None
    counts = sorted(events.items(), key=lambda item: (-item[1], item[0]))
    used = plan.cols.time_format or _format_spec(plan.fmt)
    return LoadResult(
        parquet=out.read_bytes(), row_count=int(rows), user_count=int(users),
        event_counts={str(e): int(n) for e, n in counts},
        attributes=[name for _, name in plan.attrs],
        mapping=replace(plan.cols, time_format=used), time_format=plan.fmt.name,
        time_min=t_min, time_max=t_max, source_format=plan.source.format,
        encoding=plan.source.encoding, skipped=skipped,
        source_columns=list(plan.source.columns))


def _untrimmed_sql(col: str, rev: str) -> str:
    """True when ``col`` (reversed: ``rev``) starts or ends with white space."""
    return f"{_clean(col, rev)} IS DISTINCT FROM {col}"


_PY_SPACES = "\t\n\x0b\x0c\r" + _SPACES  # what _clean trims, for str.strip


def _untrimmed(value: str) -> bool:
    return value != value.strip(_PY_SPACES)


def _format_spec(fmt: TimeFormat) -> str:
    if fmt.kind == "strptime" and len(fmt.patterns) == 1:
        return fmt.patterns[0]
    return fmt.kind if fmt.kind != "strptime" else "iso"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
