"""Times with and without a zone in one column, epoch numbers in another unit than the rest,
and the line numbers of bad rows in files whose lines end in CR (old Macs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeydesk.analytics import source_rejects, timeformats
from journeydesk.analytics.engine import connect
from journeydesk.analytics.events import BadRows, ReasonCount, load_events
from journeydesk.analytics.source_rejects import refused_records

MAY_1 = datetime(2024, 5, 1, 10)


def parse(fmt: timeformats.TimeFormat, values: list[str]) -> list[datetime | None]:
    con = connect()
    try:
        return [r[0] for r in con.execute(
            f"SELECT {fmt.sql('t')} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [values]
        ).fetchall()]
    finally:
        con.close()


def times_of(parquet: bytes, tmp_path: Path) -> list[datetime]:
    path = tmp_path / "check.parquet"
    path.write_bytes(parquet)
    con = duckdb.connect()
    try:
        return [r[0] for r in con.execute(
            f"SELECT ts FROM read_parquet('{path}') ORDER BY ts").fetchall()]
    finally:
        con.close()


def bad_rows(path: Path, **kwargs: object) -> BadRows:
    with pytest.raises(BadRows) as caught:
        load_events(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


def log(tmp_path: Path, times: list[str], name: str = "times.csv") -> Path:
    path = tmp_path / name
    path.write_text("user_id,event,timestamp\n"
                    + "".join(f"u{i},home,{t}\n" for i, t in enumerate(times)), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- zones
ZONED = "2024-05-01T12:00:00+02:00"
TZ_NAME = "ISO 8601 with time zone (converted to UTC)"


def test_zone_less_values_in_a_zoned_column_are_bad_timestamps(tmp_path: Path) -> None:
    path = log(tmp_path, [ZONED] * 10 + ["2024-05-01T10:00:00", "2024-05-01 10:00"])
    report = bad_rows(path).report
    assert report.time_format == TZ_NAME
    assert report.reasons == {"bad timestamp": ReasonCount(2, (12, 13))}
    result = load_events(path, skip_bad_rows=True)
    assert result.time_format == TZ_NAME
    assert times_of(result.parquet, tmp_path) == [MAY_1] * 10


def test_zoned_values_in_a_zone_less_column_are_bad_timestamps(tmp_path: Path) -> None:
    path = log(tmp_path, ["2024-05-01T10:00:00"] * 10 + ["2024-05-01T10:00:00Z", ZONED])
    report = bad_rows(path).report
    assert report.time_format == "YYYY-MM-DDTHH:MM:SS"
    assert report.reasons == {"bad timestamp": ReasonCount(2, (12, 13))}


def test_a_given_iso_tz_format_refuses_values_without_a_zone(tmp_path: Path) -> None:
    from journeydesk.analytics.events import ColumnMapping

    path = log(tmp_path, [ZONED, "2024-05-01T10:00:00", "2024-05-01T10:00:00Z"])
    report = bad_rows(path, mapping=ColumnMapping(time_format="iso_tz")).report
    assert report.reasons == {"bad timestamp": ReasonCount(1, (3,))}


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-01T10:00:00Z", MAY_1),
    ("2024-05-01T12:00:00+02:00", MAY_1),
    ("2024-05-01 12:00:00+0200", MAY_1),
    ("2024-05-01T12:00:00+02", MAY_1),
    ("2024-05-01T04:30:00-05:30", MAY_1),
    ("2024-05-01T04:30:00-0530", MAY_1),
    ("2024-05-01T05:00:00-05", MAY_1),
    ("2024-05-01T12:00:00.250+02:00", datetime(2024, 5, 1, 10, 0, 0, 250000)),
    ("2024-05-01 12:00+02:00", MAY_1),
    (" 2024-05-01T10:00:00Z ", MAY_1),
    ("2024-05-01 10:00:00 UTC", MAY_1),
    ("2024-05-01 12:00:00 Europe/Berlin", MAY_1),
    ("2024-05-01 12:00:00 Etc/GMT-2", MAY_1),
    # without a zone: not this format
    ("2024-05-01T10:00:00", None),
    ("2024-05-01 10:00:00", None),
    ("2024-05-01 10:00", None),
    ("2024-05-01T10:00:00.250", None),
    ("2024-05-01", None),
    (" 2024-05-01T10:00:00 ", None),
    ("2024-12-31 23:59:59", None),
    ("garbage", None),
])
def test_iso_tz_reads_only_values_with_a_zone(value: str, expected: datetime | None) -> None:
    assert parse(timeformats.ISO_TZ, [value]) == [expected]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moment=st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31)),
       minutes=st.integers(-14 * 60, 14 * 60),
       style=st.sampled_from(["Z", "+hh:mm", "+hhmm", "+hh", "none"]),
       sep=st.sampled_from(["T", " "]),
       precision=st.sampled_from(["minutes", "seconds", "microseconds"]))
def test_iso_tz_against_python(moment: datetime, minutes: int, style: str, sep: str,
                               precision: str) -> None:
    """A value with a zone is read as Python reads it, converted to UTC; one without is not
    read at all."""
    if style == "Z":
        minutes = 0
    elif style == "+hh":
        minutes -= minutes % 60 if minutes >= 0 else -((-minutes) % 60)
    zone = timezone(timedelta(minutes=minutes))
    moment = moment.replace(microsecond=moment.microsecond if precision == "microseconds" else 0,
                            second=moment.second if precision != "minutes" else 0)
    text = moment.isoformat(sep=sep, timespec=precision)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    text += {"Z": "Z", "+hh:mm": f"{sign}{hours:02d}:{mins:02d}",
             "+hhmm": f"{sign}{hours:02d}{mins:02d}", "+hh": f"{sign}{hours:02d}",
             "none": ""}[style]
    expected = (None if style == "none" else
                moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None))
    assert parse(timeformats.ISO_TZ, [text]) == [expected]


def test_detection_takes_the_reading_that_parses_the_most() -> None:
    candidates, counts = timeformats.candidate_sql("t")
    values = ["2024-05-01T10:00:00"] * 3 + ["2024-05-01T10:00:00Z"] * 2
    con = connect()
    try:
        row = con.execute(f"SELECT count(*), {counts} FROM (SELECT unnest(?::VARCHAR[]) AS t)",
                          [values]).fetchone()
    finally:
        con.close()
    counted = dict(zip((c.name for c in candidates), row[1:], strict=True))
    assert counted[TZ_NAME] == 2
    chosen = timeformats.choose(candidates, [int(n) for n in row[1:]], int(row[0]))
    assert chosen is not None and chosen.name == "YYYY-MM-DDTHH:MM:SS"


# --------------------------------------------------------------------------- epochs
def test_a_seconds_value_among_milliseconds_is_a_bad_timestamp(tmp_path: Path) -> None:
    path = log(tmp_path, ["1714557600000", "1714557700", "1714557600000"])
    report = bad_rows(path).report
    assert report.time_format == "Unix epoch milliseconds"
    assert report.reasons == {"bad timestamp": ReasonCount(1, (3,))}
    result = load_events(path, skip_bad_rows=True)
    assert times_of(result.parquet, tmp_path) == [MAY_1, MAY_1]


@pytest.mark.parametrize(("kind", "values", "expected"), [
    # the floor is detection's: 100,000,000 seconds (1973-03-03 09:46:40) in each unit
    ("epoch_s", ["99999999", "100000000", "1714557600", "1714557600000"],
     [None, datetime(1973, 3, 3, 9, 46, 40), MAY_1, None]),
    ("epoch_ms", ["1714557700", "99999999999", "100000000000", "1714557600000"],
     [None, None, datetime(1973, 3, 3, 9, 46, 40), MAY_1]),
    ("epoch_us", ["1714557600000", "99999999999999", "100000000000000", "1714557600000000"],
     [None, None, datetime(1973, 3, 3, 9, 46, 40), MAY_1]),
])
def test_epochs_before_1973_are_bad(kind: str, values: list[str],
                                    expected: list[datetime | None]) -> None:
    assert parse(timeformats.from_user(kind), values) == expected


# --------------------------------------------------------------------------- CR line ends
def test_line_numbers_in_a_cr_file_with_a_quoted_line_break(tmp_path: Path) -> None:
    path = tmp_path / "cr_q.csv"
    path.write_bytes(b'user_id,event,timestamp,n\ru1,home,2024-05-01 10:00:00,"a\nb"\r'
                     b"u3,home,bad,x\ru4,home,2024-05-01 10:00:00,x,extra\r")
    assert bad_rows(path).report.reasons == {"ragged row": ReasonCount(1, (5,)),
                                             "bad timestamp": ReasonCount(1, (4,))}


MESSY = ('user_id,event,timestamp,plan\n'                    # 1
         'u1,home,2024-05-01 10:00:00,free\n'                # 2
         '\n'                                                # 3
         'u1,cart,2024-05-01 10:05:00,"free, trial"\n'       # 4
         'u2,home,2024-05-01 10:00:00,"multi\nline"\n'       # 5-6
         'u2,cart,2024-05-01 10:00:00,pro\n'                 # 7
         'u3,home,not a date,pro\n'                          # 8
         'u4,home,2024-05-01 11:00:00\n'                     # 9
         ',home,2024-05-01 11:00:00,pro\n'                   # 10
         'u5,,2024-05-01 11:00:00,pro\n'                     # 11
         'u8,home,2024-02-30 10:00:00,pro\n'                 # 12
         'u9,home,2024-05-01 10:00:00,pro,x\n')              # 13
MESSY_REASONS = {"ragged row": ReasonCount(2, (9, 13)), "missing user": ReasonCount(1, (10,)),
                 "missing event": ReasonCount(1, (11,)),
                 "bad timestamp": ReasonCount(2, (8, 12))}


@pytest.mark.parametrize(("line_end", "inside"), [
    ("\r", "\n"),  # old Mac, a value with an LF in it
    ("\r", "\r"),
    ("\r", "\r\n"),
    ("\n", "\r"),  # Unix, a value with a CR in it
    ("\r\n", "\n"),
    ("\r\n", "\r\n"),
])
def test_messy_files_report_the_lines_of_the_file(line_end: str, inside: str,
                                                  tmp_path: Path) -> None:
    text = MESSY.replace('"multi\nline"', '"multi<>line"').replace("\n", line_end)
    path = tmp_path / "messy.csv"
    path.write_bytes(text.replace("<>", inside).encode())
    assert bad_rows(path).report.reasons == MESSY_REASONS


def test_a_line_end_split_between_two_reads(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan of refused records reads the file in chunks: a CRLF cut in two is one line
    end, wherever the cut falls."""
    text = b'h1,h2\r\n\r\na,"x\r\ny"\r\nb,c,d\r\n\r\ne,f\rg,h,i\r'
    offsets = [text.index(b"b,c"), text.index(b"g,h")]
    whole = refused_records_at(tmp_path, text, offsets)
    assert [r.line for r in whole] == [5, 8]
    for size in range(1, 8):
        monkeypatch.setattr(source_rejects, "CHUNK", size)
        assert refused_records_at(tmp_path, text, offsets, size) == whole


def refused_records_at(tmp_path: Path, text: bytes, offsets: list[int], chunk: int = 0,
                       ) -> list[source_rejects.Refused]:
    path = tmp_path / f"chunks{chunk}.csv"
    path.write_bytes(text)
    found = refused_records(path, offsets, ",")
    return [found[o] for o in offsets]
