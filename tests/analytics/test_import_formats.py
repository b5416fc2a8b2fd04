"""Importing event logs: every format, every encoding, column mapping, timestamp formats."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from journeydesk.analytics.events import (
    ColumnMapping,
    EventImportError,
    MappingError,
    UnsupportedFormatError,
    detect_mapping,
    load_events,
    preview,
)

HEADER = ["user_id", "event_name", "timestamp", "plan"]
ROWS = [
    ["u1", "home", "2024-05-01 10:00:00", "free"],
    ["u2", "home", "2024-05-01 11:00:00", "pro"],
    ["u1", "signup", "2024-05-02 09:30:00", "free"],
]
EXPECTED = [
    ("u1", "home", datetime(2024, 5, 1, 10, 0), "free"),
    ("u1", "signup", datetime(2024, 5, 2, 9, 30), "free"),
    ("u2", "home", datetime(2024, 5, 1, 11, 0), "pro"),
]


def rows_of(parquet: bytes, tmp_path: Path) -> list[tuple]:
    path = tmp_path / "check.parquet"
    path.write_bytes(parquet)
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").fetchall()
    finally:
        con.close()


def schema_of(parquet: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "check.parquet"
    path.write_bytes(parquet)
    con = duckdb.connect()
    try:
        return [r[:2] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    finally:
        con.close()


def delimited(delimiter: str, header=HEADER, rows=ROWS) -> str:
    return "".join(delimiter.join(r) + "\n" for r in [header, *rows])


# --------------------------------------------------------------------------- formats
def write_csv(path: Path) -> None:
    path.write_text(delimited(","), encoding="utf-8")


def write_tsv(path: Path) -> None:
    path.write_text(delimited("\t"), encoding="utf-8")


def write_csv_gz(path: Path) -> None:
    path.write_bytes(gzip.compress(delimited(",").encode()))


def write_tsv_gz(path: Path) -> None:
    path.write_bytes(gzip.compress(delimited("\t").encode()))


def write_jsonl(path: Path) -> None:
    path.write_text("".join(json.dumps(dict(zip(HEADER, r, strict=True))) + "\n" for r in ROWS),
                    encoding="utf-8")


def write_parquet(path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (user_id VARCHAR, event_name VARCHAR, timestamp TIMESTAMP, "
                    "plan VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", ROWS)
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    finally:
        con.close()


def write_xlsx(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for user, event, time, plan in ROWS:
        sheet.append([user, event, datetime.fromisoformat(time), plan])
    workbook.save(path)


WRITERS = {"events.csv": write_csv, "events.tsv": write_tsv, "events.csv.gz": write_csv_gz,
           "events.tsv.gz": write_tsv_gz, "events.jsonl": write_jsonl,
           "events.ndjson": write_jsonl, "events.parquet": write_parquet,
           "events.xlsx": write_xlsx}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format_gives_the_same_dataset(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    WRITERS[name](path)
    result = load_events(path)
    assert rows_of(result.parquet, tmp_path) == EXPECTED
    assert schema_of(result.parquet, tmp_path) == [
        ("user", "VARCHAR"), ("event", "VARCHAR"), ("ts", "TIMESTAMP"), ("plan", "VARCHAR")]
    assert (result.row_count, result.user_count) == (3, 2)
    assert result.event_counts == {"home": 2, "signup": 1}
    assert result.attributes == ["plan"]
    assert (result.mapping.user, result.mapping.event, result.mapping.time) == (
        "user_id", "event_name", "timestamp")
    assert (result.time_min, result.time_max) == (datetime(2024, 5, 1, 10),
                                                   datetime(2024, 5, 2, 9, 30))
    assert result.skipped is None


def test_format_follows_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "events.txt"
    path.write_text(delimited(","), encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"events.txt: not a supported.*\.csv"):
        load_events(path)
    upper = tmp_path / "EVENTS.CSV"
    upper.write_text(delimited(","), encoding="utf-8")
    assert load_events(upper).row_count == 3


def test_csv_delimiter_is_sniffed_and_quotes_work(tmp_path: Path) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text(delimited(";"), encoding="utf-8")
    assert rows_of(load_events(path).parquet, tmp_path) == EXPECTED
    quoted = tmp_path / "quoted.csv"
    with open(quoted, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        writer.writerow(["u, 1", 'say "hi"', "2024-05-01 10:00:00", "line\nbreak"])
    assert rows_of(load_events(quoted).parquet, tmp_path) == [
        ("u, 1", 'say "hi"', datetime(2024, 5, 1, 10), "line\nbreak")]


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(delimited(",").replace("\n", "\r\n").encode())
    assert rows_of(load_events(path).parquet, tmp_path) == EXPECTED


def test_values_are_trimmed_and_empty_attributes_are_null(tmp_path: Path) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text("user, event, time, plan\n u1 , home ,2024-05-01 10:00:00,\n",
                    encoding="utf-8")
    result = load_events(path)
    assert rows_of(result.parquet, tmp_path) == [("u1", "home", datetime(2024, 5, 1, 10), None)]
    assert result.attributes == ["plan"]


def test_attribute_names_never_clash_with_the_output_columns(tmp_path: Path) -> None:
    path = tmp_path / "clash.csv"
    path.write_text("customer_id,action,created_at,ts,User,Plan,plan\n"
                    "c1,view,2024-05-01 10:00:00,x,Maria,a,b\n", encoding="utf-8")
    result = load_events(path, ColumnMapping(user="customer_id", time="created_at"))
    assert result.mapping == ColumnMapping("customer_id", "action", "created_at",
                                           "%Y-%m-%d %H:%M:%S")
    assert result.attributes == ["ts_2", "User_2", "Plan", "plan_2"]
    assert rows_of(result.parquet, tmp_path) == [
        ("c1", "view", datetime(2024, 5, 1, 10), "x", "Maria", "a", "b")]


def test_xlsx_cells_of_every_type(tmp_path: Path) -> None:
    path = tmp_path / "types.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Customer ID", "Event", "Time", "Score", "VIP"])
    sheet.append([1001, "home", datetime(2024, 5, 1, 10, 0, 0, 500000), 4.5, True])
    sheet.append([])  # an empty row is not a row
    sheet.append([1002.0, "buy", "2024-05-01 12:00:00.250", 3, False])
    workbook.save(path)
    result = load_events(path)
    assert rows_of(result.parquet, tmp_path) == [
        ("1001", "home", datetime(2024, 5, 1, 10, 0, 0, 500000), "4.5", "true"),
        ("1002", "buy", datetime(2024, 5, 1, 12, 0, 0, 250000), "3", "false"),
    ]


def test_json_lines_values_become_text(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"user": 7, "event": "home", "time": "2024-05-01T10:00:00", "vip": true, '
        '"cart": {"items": 2}}\n\n'
        '{"user": "u8", "event": "buy", "time": "2024-05-01T11:00:00"}\n', encoding="utf-8")
    result = load_events(path)
    assert result.attributes == ["vip", "cart"]
    assert rows_of(result.parquet, tmp_path) == [
        ("7", "home", datetime(2024, 5, 1, 10), "true", '{"items":2}'),
        ("u8", "buy", datetime(2024, 5, 1, 11), None, None),
    ]


def test_parquet_with_epoch_numbers_and_a_zoned_column(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute(f"COPY (SELECT 42 AS user_id, 'home' AS event, 1714557600 AS ts, "
                f"TIMESTAMPTZ '2024-05-01 12:00:00+02' AS seen) TO '{path}' (FORMAT parquet)")
    con.close()
    result = load_events(path)
    assert result.time_format == "Unix epoch seconds"
    assert rows_of(result.parquet, tmp_path)[0][:3] == ("42", "home", datetime(2024, 5, 1, 10))
    zoned = load_events(path, ColumnMapping(time="seen"))
    assert zoned.time_format == "timestamp column with time zone (converted to UTC)"
    assert rows_of(zoned.parquet, tmp_path)[0][2] == datetime(2024, 5, 1, 10)


# --------------------------------------------------------------------------- encodings
TEXT = ("user,event,time,region\n"
        "zoë,café,2024-05-01 10:00:00,Île-de-France\n"
        "søren,über,2024-05-01 11:00:00,Ålborg\n")
TEXT_ROWS = [("søren", "über", datetime(2024, 5, 1, 11), "Ålborg"),
             ("zoë", "café", datetime(2024, 5, 1, 10), "Île-de-France")]


@pytest.mark.parametrize(("codec", "bom", "reported"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8 (BOM)"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("latin-1", b"", "latin-1"),
])
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".jsonl"])
def test_encodings(codec: str, bom: bytes, reported: str, suffix: str, tmp_path: Path) -> None:
    text = TEXT
    if suffix == ".jsonl":
        reader = csv.DictReader(TEXT.splitlines())
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reader)
    data = bom + text.encode(codec)
    path = tmp_path / f"events{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    result = load_events(path)
    assert rows_of(result.parquet, tmp_path) == TEXT_ROWS
    assert result.encoding == reported
    assert preview(path).rows[0] == ["zoë", "café", "2024-05-01 10:00:00", "Île-de-France"]


def test_windows_1252_punctuation(tmp_path: Path) -> None:
    path = tmp_path / "excel-export.csv"
    path.write_bytes("user,event,time,note\nu1,pay,2024-05-01 10:00:00,5 € – “ok”\n"
                     .encode("cp1252"))
    result = load_events(path)
    assert result.encoding == "windows-1252"
    assert rows_of(result.parquet, tmp_path)[0][3] == "5 € – “ok”"


def test_latin_1_far_into_a_file_that_starts_as_ascii(tmp_path: Path) -> None:
    lines = [f"u{i},home,2024-05-01 10:00:00,plain" for i in range(20_000)]
    lines.append("u-last,home,2024-05-01 10:00:00,Hôtel")
    path = tmp_path / "late.csv"
    path.write_bytes(("user,event,time,note\n" + "\n".join(lines) + "\n").encode("latin-1"))
    result = load_events(path)
    assert result.row_count == 20_001 and result.skipped is None
    assert result.encoding == "latin-1"
    assert ("u-last", "home", datetime(2024, 5, 1, 10), "Hôtel") in rows_of(result.parquet,
                                                                             tmp_path)


# --------------------------------------------------------------------------- mapping
@pytest.mark.parametrize(("columns", "expected"), [
    (["user_id", "event", "timestamp"], ("user_id", "event", "timestamp")),
    (["UserId", "Event Name", "Event Time", "page"], ("UserId", "Event Name", "Event Time")),
    (["customer_id", "action", "created_at"], ("customer_id", "action", "created_at")),
    (["visitor_id", "type", "ts"], ("visitor_id", "type", "ts")),
    (["distinct_id", "event", "time", "date"], ("distinct_id", "event", "time")),
    (["date", "user", "event_type"], ("user", "event_type", "date")),
    (["anonymous_user_key", "my_event", "when_timestamp"],
     ("anonymous_user_key", "my_event", "when_timestamp")),
    (["a", "b", "c"], (None, None, None)),
])
def test_detect_mapping(columns: list[str], expected: tuple) -> None:
    m = detect_mapping(columns)
    assert (m.user, m.event, m.time) == expected


def test_explicit_mapping_wins_and_ignores_case(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("who,what,when,user_id\nann,home,2024-05-01 10:00:00,x\n", encoding="utf-8")
    result = load_events(path, ColumnMapping(user="WHO", event="what", time="when"))
    assert (result.mapping.user, result.mapping.event, result.mapping.time) == (
        "who", "what", "when")
    assert result.attributes == ["user_id"]
    assert rows_of(result.parquet, tmp_path) == [("ann", "home", datetime(2024, 5, 1, 10), "x")]


def test_partial_mapping_detects_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("member,event,timestamp\nm1,home,2024-05-01 10:00:00\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"no user column found \(columns: member, event, "
                                           r"timestamp\)"):
        load_events(path)
    assert load_events(path, ColumnMapping(user="member")).row_count == 1


def test_mapping_errors(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("user,event,time\nu,e,2024-05-01\n", encoding="utf-8")
    with pytest.raises(MappingError, match="has no column 'visitor'.*user, event, time"):
        load_events(path, ColumnMapping(user="visitor"))
    with pytest.raises(MappingError, match="three different columns"):
        load_events(path, ColumnMapping(user="user", event="user"))
    with pytest.raises(MappingError, match="time format"):
        load_events(path, ColumnMapping(time_format="day-month-year"))


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "no-time.csv"
    path.write_text("user,event,plan\nu1,home,free\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"no-time.csv: no time column found \(columns: "
                                           r"user, event, plan\)"):
        load_events(path)


def test_preview(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(delimited(","), encoding="utf-8")
    shown = preview(path, rows=2)
    assert shown.columns == HEADER
    assert shown.rows == ROWS[:2]
    assert shown.mapping == ColumnMapping("user_id", "event_name", "timestamp")
    assert shown.time_format == "YYYY-MM-DD HH:MM:SS"
    assert (shown.source_format, shown.encoding) == ("csv", "utf-8")
    xlsx = tmp_path / "events.xlsx"
    write_xlsx(xlsx)
    shown = preview(xlsx)
    assert shown.columns == HEADER and len(shown.rows) == 3
    assert shown.rows[0] == ["u1", "home", "2024-05-01 10:00:00", "free"]
    assert shown.time_format == "YYYY-MM-DD HH:MM:SS"
    parquet = tmp_path / "events.parquet"
    write_parquet(parquet)
    shown = preview(parquet)
    assert shown.rows[0] == ["u1", "home", "2024-05-01 10:00:00", "free"]
    assert shown.time_format == "timestamp column"


# --------------------------------------------------------------------------- timestamps
@pytest.mark.parametrize(("values", "expected", "name"), [
    (["2024-05-01T10:00:00", "2024-05-02T11:30:15"],
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 11, 30, 15)], "YYYY-MM-DDTHH:MM:SS"),
    (["2024-05-01 10:00", "2024-05-02 11:30"],
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 11, 30)], "YYYY-MM-DD HH:MM"),
    (["2024-05-01 10:00:00", "2024-05-02 11:30:00.250"],
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 11, 30, 0, 250000)],
     "YYYY-MM-DD HH:MM:SS or YYYY-MM-DD HH:MM:SS.fff"),
    (["2024-05-01", "2024-05-02"], [datetime(2024, 5, 1), datetime(2024, 5, 2)], "YYYY-MM-DD"),
    (["2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01T05:00:00-05:00"],
     [datetime(2024, 5, 1, 10)] * 3, "ISO 8601 with time zone (converted to UTC)"),
    (["01/05/2024 10:00", "02/05/2024 11:30"],  # ambiguous: day first
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 11, 30)], "DD/MM/YYYY HH:MM"),
    (["13/05/2024 10:00:00", "02/05/2024 11:30:00"],
     [datetime(2024, 5, 13, 10), datetime(2024, 5, 2, 11, 30)], "DD/MM/YYYY HH:MM:SS"),
    (["05/13/2024 10:00", "05/02/2024 11:30"],  # a day above 12 in second place: month first
     [datetime(2024, 5, 13, 10), datetime(2024, 5, 2, 11, 30)], "MM/DD/YYYY HH:MM"),
    (["1714557600", "1714645800"], [datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 10, 30)],
     "Unix epoch seconds"),
    (["1714557600.5"], [datetime(2024, 5, 1, 10, 0, 0, 500000)], "Unix epoch seconds"),
    (["1714557600000", "1714557600250"],
     [datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 10, 0, 0, 250000)],
     "Unix epoch milliseconds"),
])
def test_timestamp_formats(values: list[str], expected: list[datetime], name: str,
                           tmp_path: Path) -> None:
    path = tmp_path / "times.csv"
    path.write_text("user,event,time\n" + "".join(f"u{i},e,{v}\n" for i, v in enumerate(values)),
                    encoding="utf-8")
    result = load_events(path)
    assert result.time_format == name
    assert [r[2] for r in sorted(rows_of(result.parquet, tmp_path))] == expected


def test_month_first_shown_only_after_the_sample_is_still_found(tmp_path: Path) -> None:
    # The first 10,000 dates could be either; one further on says month first.
    rows = [f"u{i},e,05/0{1 + i % 9}/2024 10:00" for i in range(10_500)]
    rows.append("u-last,e,05/25/2024 10:00")
    path = tmp_path / "us.csv"
    path.write_text("user,event,time\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = load_events(path)
    assert result.skipped is None and result.row_count == 10_501
    assert result.time_format == "MM/DD/YYYY HH:MM"
    assert (result.time_min, result.time_max) == (datetime(2024, 5, 1, 10),
                                                   datetime(2024, 5, 25, 10))


def test_explicit_time_format(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("user,event,time\nu1,e,05/01/2024 10:00\n", encoding="utf-8")
    assert load_events(path).time_min == datetime(2024, 1, 5, 10)  # day first by default
    result = load_events(path, ColumnMapping(time_format="%m/%d/%Y %H:%M"))
    assert result.time_min == datetime(2024, 5, 1, 10)
    assert result.mapping.time_format == "%m/%d/%Y %H:%M"


def test_no_known_timestamp_format(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text("user,event,time\nu1,e,yesterday\nu2,e,last week\n", encoding="utf-8")
    with pytest.raises(EventImportError, match="'time' column holds no timestamp in a known "
                                               "format \\(for example 'yesterday'\\)"):
        load_events(path)
