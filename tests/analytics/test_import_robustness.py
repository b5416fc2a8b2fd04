"""Odd and broken event files (the import review's bugs): nothing lost in silence, every error
one line, line numbers that are the file's lines."""

from __future__ import annotations

import gzip
import json
import os
import random
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from journeydesk.analytics import events
from journeydesk.analytics.events import (
    BadRows,
    EventImportError,
    ReasonCount,
    load_events,
    preview,
)
from journeydesk.analytics.sources import sniff_delimiter

HEADER = "user_id,event,timestamp,note"
T = "2024-05-01 10:00:00"


def rows_of(parquet: bytes, tmp_path: Path) -> list[tuple]:
    path = tmp_path / "check.parquet"
    path.write_bytes(parquet)
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").fetchall()
    finally:
        con.close()


def numbered(count: int, changes: dict[int, str], header: str = HEADER,
             sep: str = ",") -> str:
    """A file of ``count`` good rows (line 2 on), with some lines (by number) replaced."""
    lines = [header] + [sep.join([f"u{i}", "view", T, f"n{i}"]) for i in range(count)]
    for number, text in changes.items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


def report_of(path: Path):
    with pytest.raises(BadRows) as caught:
        load_events(path)
    return caught.value.report


# --------------------------------------------------------------------------- BUG 1
def test_a_quoted_word_followed_by_text_loses_no_other_row(tmp_path: Path) -> None:
    path = tmp_path / "titles.csv"
    path.write_text(numbered(1000, {6: f'u4,view,{T},"Best" offers'}), encoding="utf-8")
    report = report_of(path)
    assert (report.rows_read, report.reasons) == (1000, {"malformed line": ReasonCount(1, (6,))})
    result = load_events(path, skip_bad_rows=True)
    assert (result.row_count, result.skipped) == (999, report)


def test_a_tsv_with_quotes_loses_no_other_row(tmp_path: Path) -> None:
    path = tmp_path / "pages.tsv"
    path.write_text(numbered(200, {5: f'u3\tview\t{T}\t"12" monitor', 9: f'u7\tview\t{T}\t5" tall'},
                             header=HEADER.replace(",", "\t"), sep="\t"), encoding="utf-8")
    result = load_events(path, skip_bad_rows=True)
    assert result.row_count == 199
    assert result.skipped is not None
    assert result.skipped.reasons == {"malformed line": ReasonCount(1, (5,))}


def test_both_passes_must_read_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    """When the second pass (finding the bad rows) reads fewer rows than the first, nothing is
    imported: never a part of the file."""
    path = tmp_path / "log.csv"
    path.write_text(numbered(50, {10: "u8,view,not a time,x"}), encoding="utf-8")
    relation = events.Source.relation
    calls = []

    def short_second_pass(source) -> str:
        calls.append(1)
        sql = relation(source)
        return sql if len(calls) == 1 else f"(SELECT * FROM {sql} LIMIT 20)"

    monkeypatch.setattr(events.Source, "relation", short_second_pass)
    with pytest.raises(EventImportError, match=r"log.csv: read twice, the file gave 50 rows, "
                                               r"then 20; nothing imported"):
        load_events(path, skip_bad_rows=True)


# --------------------------------------------------------------------------- BUG 3
@pytest.mark.parametrize("skip", [False, True])
def test_an_unterminated_quote_is_refused_with_its_line(skip: bool, tmp_path: Path) -> None:
    path = tmp_path / "unterminated.csv"
    path.write_text(numbered(1000, {11: f'u9,view,{T},"oops'}), encoding="utf-8")
    with pytest.raises(EventImportError) as caught:
        load_events(path, skip_bad_rows=skip)
    assert not isinstance(caught.value, BadRows)
    assert str(caught.value) == ("unterminated.csv: line 11 opens a quote that is never closed, "
                                 "so the lines after it cannot be read; nothing imported "
                                 "(fix the quote)")


def test_a_quote_closed_lines_later_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reclosed.csv"
    path.write_text(numbered(60, {11: f'u9,view,{T},"oops', 52: f'u50,view,{T},"hi, there"'}),
                    encoding="utf-8")
    with pytest.raises(EventImportError, match=r"line 11 opens a quote that is only closed on "
                                               r"line 52, so lines 11 to 52 cannot be read"):
        load_events(path, skip_bad_rows=True)


def test_an_unterminated_quote_in_a_compressed_latin_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.csv.gz"
    text = numbered(30, {4: f'u2,view,{T},"Hôtel'})
    path.write_bytes(gzip.compress(text.encode("latin-1")))
    with pytest.raises(EventImportError, match="line 4 opens a quote that is never closed"):
        load_events(path, skip_bad_rows=True)


def test_quotes_that_swallow_no_line_are_bad_rows(tmp_path: Path) -> None:
    # a quote left open on the last line, and a well-quoted multi-line value in a ragged row
    path = tmp_path / "ends.csv"
    path.write_text(f'{HEADER}\nu1,view,{T},"two\nlines",extra\nu2,view,{T},x\n'
                    f'u3,view,{T},"open\n', encoding="utf-8")
    assert report_of(path).reasons == {"ragged row": ReasonCount(1, (2,)),
                                       "malformed line": ReasonCount(1, (5,))}
    assert load_events(path, skip_bad_rows=True).row_count == 1


# --------------------------------------------------------------------------- BUG 8
def test_files_that_are_not_text(tmp_path: Path) -> None:
    cases = {}
    random.seed(1)
    (tmp_path / "random.csv").write_bytes(bytes(random.randrange(256) for _ in range(4000)))
    cases["random.csv"] = "random.csv: is not a text file"
    workbook = openpyxl.Workbook()
    workbook.active.append(["user_id", "event", "timestamp"])
    workbook.save(tmp_path / "workbook.csv")
    cases["workbook.csv"] = ("workbook.csv: is not a text file (it looks like an Excel workbook: "
                             "rename it to .xlsx)")
    (tmp_path / "packed.csv").write_bytes(gzip.compress(f"user_id,event,timestamp\nu1,a,{T}\n"
                                                        .encode()))
    cases["packed.csv"] = "packed.csv: is gzip-compressed: name it packed.csv.gz"
    for name, message in cases.items():
        with pytest.raises(EventImportError) as caught:
            load_events(tmp_path / name)
        assert str(caught.value) == message
        with pytest.raises(EventImportError):
            preview(tmp_path / name)


def test_compressed_files_cut_short(tmp_path: Path) -> None:
    random.seed(2)
    rows = "".join(f"u{random.randrange(9999)},e{random.randrange(99)},{T}\n"
                   for _ in range(200_000))
    packed = gzip.compress(("user_id,event,timestamp\n" + rows).encode())
    small = tmp_path / "small.csv.gz"  # cut within the first MiB of text
    small.write_bytes(packed[:len(packed) // 20])
    large = tmp_path / "large.csv.gz"  # cut further on, found by DuckDB
    large.write_bytes(packed[:len(packed) * 7 // 10])
    for path in (small, large):
        with pytest.raises(EventImportError) as caught:
            load_events(path)
        assert str(caught.value) == f"{path.name}: the compressed file is cut short"


def test_old_mac_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(f"user_id,event,timestamp\ru1,home,{T}\ru2,buy,{T},extra\ru3,buy,{T}\r"
                     .encode())
    assert report_of(path).reasons == {"ragged row": ReasonCount(1, (3,))}
    result = load_events(path, skip_bad_rows=True)
    assert rows_of(result.parquet, tmp_path) == [("u1", "home", datetime(2024, 5, 1, 10)),
                                                 ("u3", "buy", datetime(2024, 5, 1, 10))]
    assert preview(path).rows[0] == ["u1", "home", T]


def test_a_value_over_128_kib_near_the_start(tmp_path: Path) -> None:
    path = tmp_path / "props.csv"
    big = "x" * 200_000
    path.write_text(f"user_id,event,timestamp,props\nu1,a,{T},{big}\nu2,a,{T},small\n",
                    encoding="utf-8")
    result = load_events(path)
    assert result.row_count == 2
    assert ("u1", "a", datetime(2024, 5, 1, 10), big) in rows_of(result.parquet, tmp_path)


# --------------------------------------------------------------------------- BUG 7
@pytest.mark.parametrize("content", [
    f"user_id,event,timestamp\nu1,home,{T}\nu2,buy,{T}\r\nu3,buy,{T}\nu4,,{T}\n",  # one CRLF
    f"user_id,event,timestamp\r\nu1,home,{T}\nu2,buy,{T}\nu3,buy,{T}\r\nu4,,{T}\n",  # CRLF header
])
def test_mixed_line_ends(content: str, tmp_path: Path) -> None:
    path = tmp_path / "appended.csv"
    path.write_bytes(content.encode())
    assert report_of(path).reasons == {"missing event": ReasonCount(1, (5,))}
    result = load_events(path, skip_bad_rows=True)
    assert rows_of(result.parquet, tmp_path) == [
        ("u1", "home", datetime(2024, 5, 1, 10)), ("u2", "buy", datetime(2024, 5, 1, 10)),
        ("u3", "buy", datetime(2024, 5, 1, 10))]
    assert [r[:2] for r in preview(path).rows] == [["u1", "home"], ["u2", "buy"],
                                                   ["u3", "buy"], ["u4", None]]


# --------------------------------------------------------------------------- BUG 11
def test_tabs_and_unicode_spaces_are_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "pasted.csv"
    path.write_text(f"user_id,event,timestamp,plan\n"
                    f"u1,home,{T},pro\n"
                    f"u1\u00a0,\thome,{T},\u3000pro \n"
                    f"\t u1,home\t\u202f,{T},\u00a0\t\n"
                    f'"u1\n",home,{T},"a\tb"\n', encoding="utf-8")
    result = load_events(path)
    assert (result.user_count, result.event_counts) == (1, {"home": 4})
    assert [r[3] for r in rows_of(result.parquet, tmp_path)] == ["a\tb", "pro", "pro", None]


def test_white_space_is_found_in_every_kind_of_column(tmp_path: Path) -> None:
    """The import's quick test looks for a space only; the rest is found afterwards, in a
    column of few values (written with a dictionary) as in one of many, in a file with bad
    rows too, and a value of white space only is a missing one."""
    rows = [f"u{i % 3},home,{T},{'ios' if i % 2 else 'web'},id{i}" for i in range(3000)]
    rows[10] = f"u1,home,{T},ios\t,id10"
    rows[2000] = f"u2,home,{T},web,id2000\u00a0"
    path = tmp_path / "ws.csv"
    path.write_text("user,event,time,platform,request\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    result = load_events(path)
    values = rows_of(result.parquet, tmp_path)
    assert {r[3] for r in values} == {"ios", "web"}
    assert ("u2", "home", datetime(2024, 5, 1, 10), "web", "id2000") in values
    rows[20] = f"\t,home,{T},ios,id20"  # line 22: a user of white space only
    rows[30] = f"u1,home,{T},ios,id30,extra"  # line 32: ragged
    path.write_text("user,event,time,platform,request\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    assert report_of(path).reasons == {"ragged row": ReasonCount(1, (32,)),
                                       "missing user": ReasonCount(1, (22,))}
    skipped = load_events(path, skip_bad_rows=True)
    assert skipped.row_count == 2998
    assert {r[3] for r in rows_of(skipped.parquet, tmp_path)} == {"ios", "web"}


def test_clean_trims_what_python_strips() -> None:
    """_clean's quick test never misses a value that needs trimming (compared with Python's
    str.strip over the same white space, on random values).  Without the reversed value, a
    value may keep white space at its end, but then _untrimmed says so (and the import trims
    the user and event columns again, exactly)."""
    spaces = ("\t\n\x0b\x0c\r \u00a0\u1680\u202f\u205f\u3000"
              + "".join(chr(c) for c in range(0x2000, 0x200b)))
    alphabet = [*spaces, *"ab,\"é–”日\x01\x1f\u200b\u0085\u009f\u00a1", "\r\n"]
    rng = random.Random(3)
    values = ["", "a", "\u009f\U0010ffff\U0010ffff", *(
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(7))) for _ in range(5000))]
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE v (c VARCHAR)")
        con.executemany("INSERT INTO v VALUES (?)", [[v] for v in values] + [[None]])
        got = con.execute(f"SELECT c, {events._clean('c', 'r')}, {events._clean('c')} "
                          "FROM (SELECT c, reverse(c) AS r FROM v)").fetchall()
    finally:
        con.close()
    expected = {c: None if c is None else c.strip(spaces) or None for c, _, _ in got}
    assert [(c, exact) for c, exact, _ in got if exact != expected[c]] == []
    assert [(c, quick) for c, _, quick in got
            if quick != expected[c] and not (quick and events._untrimmed(quick))] == []


# --------------------------------------------------------------------------- BUG 10
def test_ragged_row_after_a_multi_line_value(tmp_path: Path) -> None:
    text = (f'{HEADER}\nu1,a,{T},"l1\nl2\nl3\nl4"\n\nu2,a,{T},ok\nu3,a,{T},x,EXTRA\n'
            f'u4,a,{T},"Best" x\nu5,a,later,x\n')
    expected = {"ragged row": ReasonCount(1, (8,)), "malformed line": ReasonCount(1, (9,)),
                "bad timestamp": ReasonCount(1, (10,))}
    for name, data in {"plain.csv": text.encode(),
                       "windows.csv": text.replace("\n", "\r\n").encode(),
                       "packed.csv.gz": gzip.compress(text.encode()),
                       "latin.csv": text.replace("ok", "Hôtel").encode("latin-1")}.items():
        (tmp_path / name).write_bytes(data)
        assert report_of(tmp_path / name).reasons == expected, name


def test_line_numbers_of_refused_rows_in_a_large_file(tmp_path: Path) -> None:
    """DuckDB reads a large file in parallel and counts records, not lines; every refused row
    is still reported at its line, among multi-line values and blank lines."""
    rng = random.Random(5)
    lines = [HEADER]
    truth: dict[str, list[int]] = {"ragged row": [], "malformed line": [], "bad timestamp": []}
    number = 1
    for i in range(300_000):
        pick = rng.random()
        if pick < 0.00004:
            row, reason = f"u{i},a,{T},x,EXTRA", "ragged row"
        elif pick < 0.00008:
            row, reason = f'u{i},a,{T},"Best" offers', "malformed line"
        elif pick < 0.0001:
            row, reason = f'u{i},a,never,"two\nlines"', "bad timestamp"
        elif pick < 0.01:
            row, reason = f'u{i},a,{T},"a\nvalue\non three lines"', None
        elif pick < 0.02:
            row, reason = "", None
        else:
            row, reason = f"u{i},a,{T},n{i}", None
        if reason:
            truth[reason].append(number + 1)
        lines.append(row)
        number += row.count("\n") + 1
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = report_of(path)
    assert report.reasons == {reason: ReasonCount(len(found), tuple(found[:5]))
                              for reason, found in truth.items()}


# --------------------------------------------------------------------------- BUG 13
def test_a_header_over_64_kib(tmp_path: Path) -> None:
    names = [f"attribute_number_{i:05d}_with_a_rather_long_name" for i in range(2500)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["user_id", "event", "timestamp", *names]) + "\n"
                    + "".join(f"u{i},view,{T}," + ",".join("v" * 2500) + "\n" for i in range(3)),
                    encoding="utf-8")
    assert len(path.read_bytes().split(b"\n")[0]) > 100_000
    result = load_events(path)
    assert (result.row_count, result.attributes) == (3, names)


# --------------------------------------------------------------------------- BUG 15
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf_16_without_a_byte_order_mark(codec: str, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(f"user_id,event,timestamp\nu1,home,{T}\n".encode(codec))
    with pytest.raises(EventImportError) as caught:
        load_events(path)
    assert str(caught.value) == ("export.csv: looks like UTF-16 without a byte-order mark; save "
                                 "it as UTF-8 or UTF-16 with a BOM")


# --------------------------------------------------------------------------- BUG 17
def test_delimiters_inside_quoted_names_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "semicolon.csv"
    path.write_text(f'user_id;event;timestamp;"note, with, many, commas, in, its, name"\n'
                    f"u1;a;{T};hello, world\nu2;b;{T};x\n", encoding="utf-8")
    result = load_events(path)
    assert result.attributes == ["note, with, many, commas, in, its, name"]
    assert rows_of(result.parquet, tmp_path)[0][3] == "hello, world"
    assert sniff_delimiter("a|b|c\n1|2|3\n") == "|"
    assert sniff_delimiter("a,b;c\n1,2;3\n") == ","
    assert sniff_delimiter("name\nx\n") == ","


# --------------------------------------------------------------------------- BUG 9
def test_json_keys_differing_only_in_case(tmp_path: Path) -> None:
    path = tmp_path / "keys.jsonl"
    path.write_text("".join(json.dumps({"user_id": f"u{i}", "event": "a", "Event": f"b{i}",
                                        "timestamp": T}) + "\n" for i in range(2)),
                    encoding="utf-8")
    result = load_events(path)
    assert result.attributes == ["Event_2"]
    assert [r[3] for r in rows_of(result.parquet, tmp_path)] == ["b0", "b1"]


def test_json_key_first_seen_late(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(30_000):
            fh.write(json.dumps({"user_id": f"u{i}", "event": "a", "ts": T}) + "\n")
        fh.write(json.dumps({"user_id": "late", "event": "a", "ts": T, "campaign": "spring"})
                 + "\n")
    result = load_events(path)
    assert result.attributes == ["campaign"]
    assert ("late", "a", datetime(2024, 5, 1, 10), "spring") in rows_of(result.parquet, tmp_path)


def test_no_scratch_file_is_left_after_a_refused_file(tmp_path: Path, monkeypatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    broken = tmp_path / "unterminated.csv"
    broken.write_text(numbered(20, {3: f'u1,view,{T},"never closed'}), encoding="utf-8")
    mixed = tmp_path / "mixed.csv"  # read through a normalised copy
    mixed.write_bytes(f"user_id,event,timestamp\nu1,a,{T}\r\nu2,a,never\n".encode())
    for path in (broken, mixed):
        with pytest.raises(EventImportError):
            load_events(path)
        assert os.listdir(scratch) == []
