"""Timestamp formats: epoch units and their plausible range, compact digits, two-digit years,
the guard on DuckDB's lenient %Y, formats named by the user, and day-first by default."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from journeydesk.analytics import timeformats
from journeydesk.analytics.engine import connect
from journeydesk.analytics.events import (
    BadRows,
    ColumnMapping,
    EventImportError,
    load_events,
)

MAY_1 = datetime(2024, 5, 1, 10)


def times_of(parquet: bytes, tmp_path: Path) -> list[datetime]:
    path = tmp_path / "check.parquet"
    path.write_bytes(parquet)
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(
            f"SELECT ts FROM read_parquet('{path}') ORDER BY ts").fetchall()]
    finally:
        con.close()


def csv_of(values: list[str], tmp_path: Path, name: str = "times.csv") -> Path:
    path = tmp_path / name
    path.write_text("user,event,time\n" + "".join(f"u{i},e,{v}\n" for i, v in enumerate(values)),
                    encoding="utf-8")
    return path


def parse(fmt: timeformats.TimeFormat, values: list[str]) -> list[datetime | None]:
    con = connect()
    try:
        return [r[0] for r in con.execute(
            f"SELECT {fmt.sql('t')} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [values]
        ).fetchall()]
    finally:
        con.close()


def detect(values: list[str]) -> timeformats.TimeFormat | None:
    candidates, counts = timeformats.candidate_sql("t")
    con = connect()
    try:
        row = con.execute(f"SELECT count(*), {counts} FROM (SELECT unnest(?::VARCHAR[]) AS t)",
                          [values]).fetchone()
    finally:
        con.close()
    return timeformats.choose(candidates, [int(n) for n in row[1:]], int(row[0]))


# --------------------------------------------------------------------------- detection
@pytest.mark.parametrize(("values", "name", "expected"), [
    # epochs: the unit is the one that puts the number between 1973 and 2100
    (["1714557600", "1714561200"], "Unix epoch seconds",
     [MAY_1, datetime(2024, 5, 1, 11)]),
    (["1714557600000", "1714557600250"], "Unix epoch milliseconds",
     [MAY_1, datetime(2024, 5, 1, 10, 0, 0, 250000)]),
    (["1714557600000000", "1714557600000001"], "Unix epoch microseconds",  # GA4 / BigQuery
     [MAY_1, datetime(2024, 5, 1, 10, 0, 0, 1)]),
    (["200000000000"], "Unix epoch milliseconds",  # 12 digits that are no compact date
     [datetime(1976, 5, 3, 19, 33, 20)]),
    # compact digits, not epochs
    (["20240501103000", "20240501113015"], "YYYYMMDDHHMMSS",
     [datetime(2024, 5, 1, 10, 30), datetime(2024, 5, 1, 11, 30, 15)]),
    (["202405011030", "202405011130"], "YYYYMMDDHHMM",
     [datetime(2024, 5, 1, 10, 30), datetime(2024, 5, 1, 11, 30)]),
    (["20240501", "20240502"], "YYYYMMDD", [datetime(2024, 5, 1), datetime(2024, 5, 2)]),
    (["20240501103000", "20240502"], "YYYYMMDDHHMMSS or YYYYMMDD",
     [datetime(2024, 5, 1, 10, 30), datetime(2024, 5, 2)]),
    # two-digit years (Excel's short dates)
    (["01/05/24 10:00", "13/05/24 10:00"], "DD/MM/YY HH:MM",
     [MAY_1, datetime(2024, 5, 13, 10)]),
    (["05/13/24", "05/01/24"], "MM/DD/YY", [datetime(2024, 5, 1), datetime(2024, 5, 13)]),
    (["01.05.24 10:00:00", "31.12.99 23:59:59"], "DD.MM.YY HH:MM:SS",
     [datetime(1999, 12, 31, 23, 59, 59), MAY_1]),
    # four-digit years are unchanged, the earliest and latest included
    (["01/05/2024 10:00", "13/05/2024"], "DD/MM/YYYY HH:MM or DD/MM/YYYY",
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 13)]),
    (["0001-01-01", "9999-12-31"], "YYYY-MM-DD", [datetime(1, 1, 1), datetime(9999, 12, 31)]),
])
def test_detected_formats(values: list[str], name: str, expected: list[datetime],
                          tmp_path: Path) -> None:
    result = load_events(csv_of(values, tmp_path))
    assert result.time_format == name
    assert times_of(result.parquet, tmp_path) == expected


@pytest.mark.parametrize("values", [
    ["24-05-01 10:00:00", "24-05-02 10:00:00"],  # a two-digit year is not %Y
    ["24-05-01 10:00:00+02:00", "24-05-01T10:00:00Z"],  # with a zone neither
    ["01/05/024"],  # nor are three digits
    ["24-05-01"],  # dashes with a two-digit year: year first or day first?
    ["2024111", "2024112"],  # 7 digits: no compact date
    ["20240501103"],  # 11 digits: no compact date, and 1970-08 in ms (too early)
    ["4102444800", "9999999999"],  # seconds from 2100 on
    ["-1714557600", "-1"],  # before 1970
    ["99999999", "12345"],  # small numbers are no epochs
])
def test_no_known_format(values: list[str], tmp_path: Path) -> None:
    with pytest.raises(EventImportError, match="holds no timestamp in a known format"):
        load_events(csv_of(values, tmp_path))


def test_a_sentinel_in_epoch_milliseconds_is_a_bad_timestamp(tmp_path: Path) -> None:
    path = csv_of(["1714557600000", "999999999999999", "1714557660000", "0"], tmp_path)
    with pytest.raises(BadRows) as caught:
        load_events(path)
    assert caught.value.report.lines()[1:] == [
        "  bad timestamp: 2 (lines 3, 5; expected Unix epoch milliseconds)"]
    result = load_events(path, skip_bad_rows=True)
    assert times_of(result.parquet, tmp_path) == [MAY_1, datetime(2024, 5, 1, 10, 1)]


@pytest.mark.parametrize(("kind", "values", "expected"), [
    ("epoch_s", ["0", "-1", "1", "4102444799", "4102444800", "nan", "inf", "1e9"],
     [None, None, None, datetime(2099, 12, 31, 23, 59, 59), None,  # 1 s: before 1973
      None, None, datetime(2001, 9, 9, 1, 46, 40)]),
    ("epoch_ms", ["1714557600000", "1714557600000000", "4102444800000"],
     [MAY_1, None, None]),
    ("epoch_us", ["1714557600000000", "0", "4102444800000000"], [MAY_1, None, None]),
])
def test_epochs_outside_1970_to_2100_are_bad(kind: str, values: list[str],
                                             expected: list[datetime | None]) -> None:
    assert parse(timeformats.from_user(kind), values) == expected


def test_numeric_columns_of_parquet_and_json_reach_the_epoch_detection(tmp_path: Path) -> None:
    # GA4's BigQuery export: event_timestamp is a BIGINT of microseconds
    ga4 = tmp_path / "ga4.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM (VALUES ('1234.5678', 'page_view', "
                f"1714557600000000::BIGINT), ('1234.5678', 'sign_up', 1714557660000000::BIGINT))"
                f" t(user_pseudo_id, event_name, event_timestamp)) TO '{ga4}' (FORMAT parquet)")
    seconds = tmp_path / "seconds.parquet"
    con.execute(f"COPY (SELECT 'u1' AS user_id, 'home' AS event, 1714557600.5::DOUBLE AS ts) "
                f"TO '{seconds}' (FORMAT parquet)")
    con.close()
    result = load_events(ga4)
    assert result.time_format == "Unix epoch microseconds"
    assert times_of(result.parquet, tmp_path) == [MAY_1, datetime(2024, 5, 1, 10, 1)]
    result = load_events(seconds)
    assert result.time_format == "Unix epoch seconds"
    assert times_of(result.parquet, tmp_path) == [datetime(2024, 5, 1, 10, 0, 0, 500000)]

    lines = tmp_path / "events.jsonl"
    lines.write_text("".join(json.dumps({"user": "u1", "event": "e", "time": t}) + "\n"
                             for t in (1714557600000000, 1.7145576e15)), encoding="utf-8")
    result = load_events(lines)
    assert result.time_format == "Unix epoch microseconds"
    assert times_of(result.parquet, tmp_path) == [MAY_1, MAY_1]


# --------------------------------------------------------------------------- %Y and %y guards
@pytest.mark.parametrize(("pattern", "values", "expected"), [
    ("%d/%m/%Y", ["01/05/24", "1/5/024", "01/05/2024", "01/05/0024"],
     [None, None, datetime(2024, 5, 1), datetime(24, 5, 1)]),  # 0024 is written out
    ("%Y-%m-%d %H:%M", ["24-05-01 10:00", " 2024-05-01  10:00 "], [None, MAY_1]),
    ("%d %b %Y", ["01 May 24", "01 May 2024"], [None, datetime(2024, 5, 1)]),
    ("%d/%m/%y", ["01/05/24", "01/05/4", "01/05/2024", " 01/05/24 "],
     [datetime(2024, 5, 1), None, None, datetime(2024, 5, 1)]),
    ("%Y%m%d", ["20240501", "2024111", "202405011"], [datetime(2024, 5, 1), None, None]),
    ("%Y%m%d%H%M%S", ["20240501100000", "2024050110000"], [MAY_1, None]),
    ("iso_tz", ["2024-05-01T12:00:00+02:00", "24-05-01T10:00:00Z", "0001-01-01 00:00:00Z"],
     [MAY_1, None, datetime(1, 1, 1)]),
])
def test_years_are_read_from_all_their_digits(pattern: str, values: list[str],
                                              expected: list[datetime | None]) -> None:
    assert parse(timeformats.from_user(pattern), values) == expected


def test_guards_do_not_change_what_the_detected_format_parses() -> None:
    fmt = detect(["2024-05-01 10:00:00", "2024-05-01"])
    assert fmt is not None and fmt.name == "YYYY-MM-DD HH:MM:SS or YYYY-MM-DD"
    assert parse(fmt, ["2024-05-01 10:00:00", "2024-5-1", "24-05-01", "2024-05-01 10:00"]) == [
        MAY_1, datetime(2024, 5, 1), None, None]


# --------------------------------------------------------------------------- from_user
@pytest.mark.parametrize(("spec", "kind", "patterns"), [
    ("iso", "strptime", None),
    ("iso_tz", "iso_tz", ()),
    ("epoch_s", "epoch_s", ()),
    ("epoch_ms", "epoch_ms", ()),
    ("epoch_us", "epoch_us", ()),
    ("MM/DD/YYYY", "strptime", ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")),
    ("DD/MM/YY", "strptime", ("%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y")),
    ("YYYYMMDD", "strptime", ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d")),
    ("%m/%d/%Y %H:%M", "strptime", ("%m/%d/%Y %H:%M",)),
])
def test_from_user(spec: str, kind: str, patterns: tuple[str, ...] | None) -> None:
    fmt = timeformats.from_user(spec)
    assert fmt.kind == kind
    if patterns is not None:
        assert fmt.patterns == patterns


@pytest.mark.parametrize("spec", ["", "day-month-year", "mm/dd/yyyy", "epoch"])
def test_from_user_refuses(spec: str) -> None:
    with pytest.raises(ValueError, match="is not one of iso, iso_tz, epoch_s, epoch_ms, "
                                         "epoch_us, a date order such as MM/DD/YYYY"):
        timeformats.from_user(spec)


def test_a_family_given_by_its_date_reads_any_time_of_day(tmp_path: Path) -> None:
    path = csv_of(["05/01/2024 10:00", "05/02/2024", "05/03/2024 10:00:30"], tmp_path)
    result = load_events(path, ColumnMapping(time_format="MM/DD/YYYY"))
    assert times_of(result.parquet, tmp_path) == [
        MAY_1, datetime(2024, 5, 2), datetime(2024, 5, 3, 10, 0, 30)]


def test_a_format_given_for_a_timestamp_column_reads_its_text(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'u1' AS user_id, 'home' AS event, "
                f"TIMESTAMP '2024-05-01 10:00:00' AS ts) TO '{path}' (FORMAT parquet)")
    con.close()
    result = load_events(path, ColumnMapping(time_format="iso"))
    assert times_of(result.parquet, tmp_path) == [MAY_1]
    with pytest.raises(BadRows, match="bad timestamp: 1 .*expected %d/%m/%Y"):
        load_events(path, ColumnMapping(time_format="%d/%m/%Y"))


# --------------------------------------------------------------------------- day first
@pytest.mark.parametrize(("name", "spec"), [
    ("DD/MM/YYYY HH:MM", "%m/%d/%Y %H:%M"),
    ("DD/MM/YYYY", "%m/%d/%Y"),
    ("DD/MM/YYYY HH:MM or DD/MM/YYYY", "MM/DD/YYYY"),
    ("DD-MM-YYYY HH:MM:SS", "%m-%d-%Y %H:%M:%S"),
    ("DD/MM/YY HH:MM", "%m/%d/%y %H:%M"),
    ("MM/DD/YYYY HH:MM", None),
    ("DD.MM.YYYY", None),  # dots are day-first only
    ("YYYY-MM-DD HH:MM:SS", None),
    ("Unix epoch seconds", None),
    ("%d/%m/%Y", None),
])
def test_month_first_spec(name: str, spec: str | None) -> None:
    assert timeformats.month_first_spec(name) == spec
    if spec is not None:  # the spec is one the user may give
        timeformats.from_user(spec)


def test_ambiguous_dates_are_read_day_first_and_the_whole_file_decides(tmp_path: Path) -> None:
    ambiguous = load_events(csv_of(["05/01/2024 10:00", "05/07/2024 10:00"], tmp_path))
    assert ambiguous.time_format == "DD/MM/YYYY HH:MM"
    assert timeformats.unproven_day_first(ambiguous.time_format, ambiguous.parquet) == (
        "%m/%d/%Y %H:%M")
    proven = load_events(csv_of(["05/01/2024 10:00", "25/07/2024 10:00"], tmp_path))
    assert timeformats.unproven_day_first(proven.time_format, proven.parquet) is None
    # the sample (the first 2,000 values) is ambiguous; a later value proves day-first
    values = [f"{1 + i % 12:02d}/05/2024" for i in range(2_500)] + ["25/05/2024"]
    later = load_events(csv_of(values, tmp_path))
    assert later.time_format == "DD/MM/YYYY"
    assert timeformats.unproven_day_first(later.time_format, later.parquet) is None
    iso = load_events(csv_of(["2024-05-01"], tmp_path))
    assert timeformats.unproven_day_first(iso.time_format, iso.parquet) is None


@pytest.mark.parametrize(("values", "spec"), [
    (["01/05/2024 10:00", "13/05/2024"], "DD/MM/YYYY"),
    (["2024-05-01 10:00:00", "2024-05-01"], "YYYY-MM-DD"),
    (["01/05/24"], "%d/%m/%y"),
    (["1714557600000000"], "epoch_us"),
])
def test_spec_of_a_detected_format_reads_the_same_values(values: list[str], spec: str) -> None:
    fmt = detect(values)
    assert fmt is not None
    assert timeformats.spec_of(fmt) == spec
    assert parse(timeformats.from_user(spec), values) == parse(fmt, values)
