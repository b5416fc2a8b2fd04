"""Bad input: reports with counts per reason and line numbers; skipping; cancelling."""

from __future__ import annotations

import gzip
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from journeydesk.analytics.events import (
    PROGRESS_TOTAL,
    BadRowReport,
    BadRows,
    EmptyFileError,
    EventImportError,
    ImportCancelled,
    ReasonCount,
    load_events,
)

# Line 1 is the header.  Line 3 has too few fields, 5 is blank, 6 too many, 7 has no user,
# 8 no event, 9 no time, 10 a time that is not one; 11 has a quoted line break (two lines),
# so the last bad row, with a bad time, is on line 13.
MESSY = (
    "user,event,time,plan\n"                      # 1
    "u1,home,2024-05-01 10:00:00,free\n"          # 2
    "u2,home,2024-05-01 10:00:00\n"               # 3  ragged (3 fields)
    "u3,home,2024-05-01 10:00:00,pro\n"           # 4
    "\n"                                          # 5  blank: not a row
    "u4,home,2024-05-01 10:00:00,pro,extra\n"     # 6  ragged (5 fields)
    ",home,2024-05-01 10:00:00,pro\n"             # 7  missing user
    "u5,  ,2024-05-01 10:00:00,pro\n"             # 8  missing event (blank)
    "u6,home,,pro\n"                              # 9  missing time
    "u7,home,31/31/2024 10:00,pro\n"              # 10 bad timestamp
    'u8,home,2024-05-01 11:00:00,"two\n'          # 11
    'lines"\n'                                    # 12
    "u9,home,soon,pro\n"                          # 13 bad timestamp
)


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.csv"
    path.write_text(MESSY, encoding="utf-8")
    return path


def report_of(path: Path) -> BadRowReport:
    with pytest.raises(BadRows) as caught:
        load_events(path)
    return caught.value.report


def test_bad_rows_are_reported_per_reason_with_line_numbers(messy: Path) -> None:
    report = report_of(messy)
    assert report.reasons == {
        "ragged row": ReasonCount(2, (3, 6)),
        "missing user": ReasonCount(1, (7,)),
        "missing event": ReasonCount(1, (8,)),
        "missing time": ReasonCount(1, (9,)),
        "bad timestamp": ReasonCount(2, (10, 13)),
    }
    assert (report.rows_read, report.bad_rows) == (10, 7)
    assert report.lines() == [
        "messy.csv: 7 bad rows of 10",
        "  ragged row: 2 (lines 3, 6)",
        "  missing user: 1 (line 7)",
        "  missing event: 1 (line 8)",
        "  missing time: 1 (line 9)",
        "  bad timestamp: 2 (lines 10, 13; expected YYYY-MM-DD HH:MM:SS)",
    ]


def test_skipping_bad_rows_keeps_the_good_ones(messy: Path, tmp_path: Path) -> None:
    result = load_events(messy, skip_bad_rows=True)
    assert result.skipped == report_of(messy)
    assert result.row_count == 3 and result.user_count == 3
    path = tmp_path / "out.parquet"
    path.write_bytes(result.parquet)
    rows = duckdb.connect().execute(f"SELECT * FROM '{path}' ORDER BY ALL").fetchall()
    assert rows == [("u1", "home", datetime(2024, 5, 1, 10), "free"),
                    ("u3", "home", datetime(2024, 5, 1, 10), "pro"),
                    ("u8", "home", datetime(2024, 5, 1, 11), "two\nlines")]


def test_only_the_first_five_line_numbers_with_the_count(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["user,event,time"]
    lines += [f"u{i},e,{'never' if i % 2 else '2024-05-01 10:00'}" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = report_of(path)
    assert report.reasons == {"bad timestamp": ReasonCount(20, (3, 5, 7, 9, 11))}
    assert report.lines()[1] == ("  bad timestamp: 20 (lines 3, 5, 7, 9, 11, ...; "
                                 "expected YYYY-MM-DD HH:MM)")


def test_ragged_rows_in_a_compressed_tsv(tmp_path: Path) -> None:
    path = tmp_path / "log.tsv.gz"
    path.write_bytes(gzip.compress(b"user\tevent\ttime\nu1\te\t2024-05-01\nu2\te\n"
                                   b"u3\te\t2024-05-02\n"))
    assert report_of(path).reasons == {"ragged row": ReasonCount(1, (3,))}


def test_all_rows_bad_cannot_be_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("user,event,time\n,e,2024-05-01\nu2,,2024-05-01\n", encoding="utf-8")
    with pytest.raises(EventImportError, match="no row is usable"):
        load_events(path, skip_bad_rows=True)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty.csv: is empty"),
    (b"\n\n  \n", "empty.csv: is empty"),
    (b"\xef\xbb\xbf", "empty.csv: is empty"),
    (b"user,event,time\n", "empty.csv: has column names but no rows"),
    (b"user,event,time\n\n\n", "empty.csv: has column names but no rows"),
])
def test_empty_files(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(EmptyFileError, match=message):
        load_events(path)


def test_empty_files_of_other_formats(tmp_path: Path) -> None:
    for name in ("e.jsonl", "e.parquet", "e.xlsx", "e.csv.gz"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(EmptyFileError, match=f"{name}: is empty"):
            load_events(tmp_path / name)
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(EmptyFileError):
        load_events(tmp_path / "blank.jsonl")
    workbook = openpyxl.Workbook()
    workbook.save(tmp_path / "blank.xlsx")
    with pytest.raises(EmptyFileError, match="blank.xlsx: the first sheet is empty"):
        load_events(tmp_path / "blank.xlsx")


def test_files_that_are_not_what_they_say(tmp_path: Path) -> None:
    (tmp_path / "fake.parquet").write_text("user,event,time\n", encoding="utf-8")
    with pytest.raises(EventImportError, match="fake.parquet: is not a readable Parquet file"):
        load_events(tmp_path / "fake.parquet")
    (tmp_path / "fake.xlsx").write_text("user,event,time\n", encoding="utf-8")
    with pytest.raises(EventImportError, match="fake.xlsx: is not an .xlsx workbook"):
        load_events(tmp_path / "fake.xlsx")
    (tmp_path / "fake.csv.gz").write_text("user,event,time\n", encoding="utf-8")
    with pytest.raises(EventImportError, match="fake.csv.gz: is not gzip-compressed: name it "
                                               "fake.csv"):
        load_events(tmp_path / "fake.csv.gz")
    with pytest.raises(EventImportError, match="no such file"):
        load_events(tmp_path / "missing.csv")


def rewrite_zip(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member, content in members.items():
            out.writestr(member, content)


def test_damaged_and_oversized_workbooks(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["user", "event", "time"])
    workbook.save(path)
    rewrite_zip(path, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>")
    with pytest.raises(EventImportError, match="broken.xlsx: cannot be read as a workbook"):
        load_events(path)
    bomb = tmp_path / "bomb.xlsx"
    workbook.save(bomb)
    rewrite_zip(bomb, "xl/media/padding.bin", bytes(50_000_000))
    with pytest.raises(EventImportError, match=r"bomb.xlsx: refused, xl/media/padding.bin "
                                               r"unpacks to 50,000,000 bytes"):
        load_events(bomb)


def test_json_lines_that_are_not_objects(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = ['{"user": "u1", "event": "e", "time": "2024-05-01 10:00:00"}',
             "",
             "not json",
             '["a", "list"]',
             '{"user": "u2", "event": "e", "time": "someday"}',
             '{"user": "u3", "event": "e", "time": "2024-05-01 11:00:00"}',
             '{"user": "u4", "event": "e"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = report_of(path)
    assert report.reasons == {"malformed line": ReasonCount(3, (3, 4, 7)),
                              "bad timestamp": ReasonCount(1, (5,))}
    assert report.rows_read == 6
    assert load_events(path, skip_bad_rows=True).row_count == 2


def test_json_line_numbers_without_a_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text('{"user": "u1", "event": "e", "time": "2024-05-01 10:00:00"}\n\n'
                    '{"user": null, "event": "e", "time": "2024-05-01 10:00:00"}\n',
                    encoding="utf-8")
    assert report_of(path).reasons == {"missing user": ReasonCount(1, (3,))}


def test_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A2"], sheet["B2"], sheet["C2"] = "user", "event", "time"  # header on row 2
    sheet.append(["u1", "e", datetime(2024, 5, 1, 10)])
    sheet.append(["u2", "e", "next week"])
    sheet.append(["u3", "e", datetime(2024, 5, 1, 10), None, "stray"])
    sheet.append([None, "e", datetime(2024, 5, 1, 10)])
    workbook.save(path)
    report = report_of(path)
    assert report.line_word == "row"
    assert report.reasons == {"ragged row": ReasonCount(1, (5,)),
                              "missing user": ReasonCount(1, (6,)),
                              "bad timestamp": ReasonCount(1, (4,))}
    assert report.lines()[1] == "  ragged row: 1 (row 5)"


def test_parquet_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('u1', 'e', TIMESTAMP '2024-05-01 10:00'), "
        "(NULL, 'e', TIMESTAMP '2024-05-01 10:00'), ('u3', 'e', NULL)) t(user_id, event, ts)) "
        f"TO '{path}' (FORMAT parquet)")
    assert report_of(path).reasons == {"missing user": ReasonCount(1, (2,)),
                                       "missing time": ReasonCount(1, (3,))}


# --------------------------------------------------------------------------- progress, cancel
def big_file(tmp_path: Path, rows: int = 200_000) -> Path:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("user,event,time\n")
        for i in range(rows):
            fh.write(f"u{i % 5000},e{i % 7},2024-05-01 {i % 24:02d}:{i % 60:02d}:00\n")
    return path


def test_progress_goes_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = load_events(big_file(tmp_path), progress=lambda done, total: seen.append(
        (done, total)))
    assert result.row_count == 200_000
    assert seen[0] == (0, PROGRESS_TOTAL) and seen[-1] == (PROGRESS_TOTAL, PROGRESS_TOTAL)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("after", [0, 1, 2])  # before, while reading, at the end
def test_cancel_leaves_nothing(after: int, tmp_path: Path, monkeypatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    source = big_file(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    calls = 0

    def progress(done: int, total: int) -> bool:
        nonlocal calls
        calls += 1
        return calls <= after

    with pytest.raises(ImportCancelled, match="big.csv: import cancelled"):
        load_events(source, progress=progress)
    assert sorted(tmp_path.rglob("*")) == before
    assert list(scratch.iterdir()) == []


def test_a_long_query_is_interrupted_when_cancelled() -> None:
    import time

    from journeydesk.analytics import engine

    con = engine.connect()
    calls: list[float] = []
    start = time.monotonic()
    with pytest.raises(engine.Cancelled):
        engine.run(con, "SELECT count(*) FROM range(100000000000) a",
                   progress=lambda fraction: calls.append(fraction) or len(calls) < 3)
    assert len(calls) == 3 and time.monotonic() - start < 10
    assert con.execute("SELECT 42").fetchone() == (42,)  # the connection is still usable
    con.close()


def test_a_progress_callback_returning_none_goes_on(tmp_path: Path) -> None:
    assert load_events(big_file(tmp_path, 10), progress=lambda done, total: None).row_count == 10


def test_line_numbers_stay_right_in_a_large_file(tmp_path: Path) -> None:
    """The Parquet is written in no particular order (faster); in a file of many chunks the bad
    rows are still reported at their lines, and skipping keeps every good row."""
    lines = ["user,event,time"]
    lines += [f"u{i},home,2024-05-01 10:00:00" for i in range(250_000)]
    lines[7] = "u7,home,not a time"  # line 8 (line 1 is the header)
    lines[200_000] = "u199999,home,31/31/2024"  # line 200,001
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadRows) as info:
        load_events(path)
    assert info.value.report.reasons["bad timestamp"] == ReasonCount(2, (8, 200_001))
    result = load_events(path, skip_bad_rows=True)
    assert (result.row_count, result.user_count) == (249_998, 249_998)
