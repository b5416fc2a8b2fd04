"""Event files as DuckDB relations: formats, encodings, column names and line numbers.

Each supported file becomes a :class:`Source`: an SQL relation with every column under an
internal name (``c0``, ``c1``... as text, so that odd column names never meet SQL) plus what is
needed to report a bad row by its line.  CSV/TSV (also gzip-compressed), Parquet and JSON lines
are read by DuckDB itself; text that is not UTF-8 is first transcoded to a UTF-8 copy.
Spreadsheets (.xlsx), and JSON lines that DuckDB refuses, go through Python and a temporary CSV
that carries each row's line number.

Reading bytes and text (encodings, CSV headers) is in :mod:`~.source_text`, finding the records
DuckDB refused in :mod:`~.source_rejects`; both are re-exported here.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeydesk.analytics.engine import Cancelled, ident, literal
from journeydesk.analytics.source_rejects import (  # noqa: F401 - re-exported
    Refused,
    refused_records,
)
from journeydesk.analytics.source_text import (  # noqa: F401 - re-exported
    BOMS,
    CHUNK,
    DELIMITERS,
    HEAD,
    MAX_HEADER,
    ProgressFn,
    _first_record_complete,
    _head,
    _records,
    _report,
    is_utf8,
    open_binary,
    open_text,
    sniff_bom,
    sniff_delimiter,
    transcode,
    unique_names,
)

# Reasons a row is bad, in the order reports list them.
RAGGED = "ragged row"
MALFORMED = "malformed line"
MISSING_USER = "missing user"
MISSING_EVENT = "missing event"
MISSING_TIME = "missing time"
BAD_TIMESTAMP = "bad timestamp"
REASONS = (RAGGED, MALFORMED, MISSING_USER, MISSING_EVENT, MISSING_TIME, BAD_TIMESTAMP)
EXAMPLES = 5

FORMATS = {".csv": "csv", ".tsv": "tsv", ".csv.gz": "csv", ".tsv.gz": "tsv",
           ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
# The sheet XML of an .xlsx may unpack to at most this much, and at most this many times its
# packed size (a zip bomb unpacks to thousands of times more).
XLSX_MAX_UNPACKED = 2_000_000_000
XLSX_MAX_RATIO = 200


class EventImportError(ValueError):
    """An event file that cannot be imported; ``str()`` is one line for the user."""


class EmptyFileError(EventImportError):
    """The file has no rows."""


class UnsupportedFormatError(EventImportError):
    """The file's extension is not one of the supported formats."""


def format_of(path: Path) -> str:
    """'csv', 'tsv', 'parquet', 'jsonl' or 'xlsx', from the file name's extension."""
    name = path.name.lower()
    for suffix, fmt in sorted(FORMATS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(suffix):
            return fmt
    raise UnsupportedFormatError(
        f"{path.name}: not a supported event file (supported: {', '.join(FORMATS)})")


@dataclass
class Source:
    """One event file as DuckDB reads it."""

    format: str
    path: Path  # the file DuckDB reads (perhaps a transcoded or converted copy)
    original: Path
    columns: list[str]  # the file's column names, unique (case-insensitively)
    encoding: str | None = None
    line_word: str = "line"
    # a column of the relation holding each row's line number (sources made through Python)
    line_column: str | None = None
    # reason -> (count, first line numbers) for rows dropped while preparing the source
    pre_bad: dict[str, tuple[int, list[int]]] = field(default_factory=dict)
    delimiter: str = ","
    normalised: bool = False  # read from a copy with one kind of line end
    types: dict[str, str] = field(default_factory=dict)  # DuckDB types (Parquet)
    json_keys: list[str] = field(default_factory=list)  # original JSON keys, per column

    def internal(self, column: str) -> str:
        """The internal name (c0, c1...) of a file column."""
        return f"c{self.columns.index(column)}"

    def relation(self) -> str:
        """SQL for the rows: columns c0, c1... (text, or a timestamp type for Parquet).

        DuckDB records the CSV rows it cannot split in the temporary tables ``reject_errors``
        and ``reject_scans``.  Every pass reads with these same options: with
        ``ignore_errors=true`` instead, DuckDB stops early at some errors (a value such as
        ``"Best" offers``) without a word.
        """
        if self.format in ("csv", "tsv") or self.line_column is not None:
            cols = ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(self.columns)))
            if self.line_column is not None:
                cols = f"{literal(self.line_column)}: 'BIGINT', " + cols
            return (f"read_csv({literal(str(self.path))}, header=true, auto_detect=false, "
                    f"delim={literal(self.delimiter)}, quote='\"', escape='\"', "
                    f"columns={{{cols}}}, null_padding=false, store_rejects=true)")
        if self.format == "parquet":
            parts = []
            for i, name in enumerate(self.columns):
                kind = self.types.get(name, "VARCHAR")
                value = ident(name) if _is_time_type(kind) else f"CAST({ident(name)} AS VARCHAR)"
                parts.append(f"{value} AS c{i}")
            return (f"(SELECT {', '.join(parts)} FROM read_parquet({literal(str(self.path))}))")
        if self.format == "jsonl":
            cols = ", ".join(f"{literal(key)}: 'VARCHAR'" for key in self.json_keys)
            parts = ", ".join(f"{ident(key)} AS c{i}" for i, key in enumerate(self.json_keys))
            return (f"(SELECT {parts} FROM read_json({literal(str(self.path))}, "
                    f"format='newline_delimited', columns={{{cols}}}))")
        raise AssertionError(self.format)

    def head_values(self, column: str, limit: int, size: int = 1 << 20) -> list[str]:
        """Non-blank values of ``column`` in the first rows of a CSV or TSV file (at most
        ``size`` characters read), stripped; empty for other sources.

        Reading the start of the file in Python is much quicker than asking DuckDB for a few
        rows, which reads whole blocks of a large file in parallel.
        """
        if self.format not in ("csv", "tsv") or self.line_column is not None:
            return []
        try:
            with open_text(self.path) as text:
                head = text.read(size)
        except EOFError:
            raise EventImportError(f"{self.original.name}: the compressed file is cut "
                                   "short") from None
        except zlib.error:
            raise EventImportError(f"{self.original.name}: the compressed file is "
                                   "damaged") from None
        if len(head) == size:  # perhaps cut short: leave out the last line
            head = head[:max(head.rfind("\n"), head.rfind("\r")) + 1]
        index = self.columns.index(column)
        width = len(self.columns)
        values: list[str] = []
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=self.delimiter)
        try:
            next(reader, None)  # the header
            for row in reader:
                if len(row) == width and row[index].strip():
                    values.append(row[index].strip())
                    if len(values) >= limit:
                        break
        except csv.Error:  # a NUL byte or the like: the values read so far
            pass
        return values

    def lines_of(self, ordinals: Iterable[int],
                 rejected: Iterable[int] = ()) -> dict[int, int]:
        """Line numbers of rows given by their 0-based position among the rows DuckDB read.

        ``rejected``: the lines where the records DuckDB refused start (they are not rows).
        """
        wanted = set(ordinals)
        if not wanted:
            return {}
        if self.format == "parquet":
            return {n: n + 1 for n in wanted}
        found: dict[int, int] = {}
        with open_text(self.path) as text:
            if self.format == "jsonl":
                ordinal = -1
                for number, line in enumerate(text, 1):
                    if line.strip():
                        ordinal += 1
                        if ordinal in wanted:
                            found[ordinal] = number
                            if len(found) == len(wanted):
                                break
                return found
            skip = set(rejected)
            reader = csv.reader(text, delimiter=self.delimiter)
            end = 0
            ordinal = -1
            for index, row in enumerate(reader):
                start, end = end + 1, reader.line_num
                # the header, blank lines and records DuckDB refused are not rows
                if index == 0 or not row or start in skip:
                    continue
                ordinal += 1
                if ordinal in wanted:
                    found[ordinal] = start
                    if len(found) == len(wanted):
                        break
        return found


def _is_time_type(kind: str) -> bool:
    return kind.upper().startswith(("TIMESTAMP", "DATE"))


# --------------------------------------------------------------------------- preparing
def prepare(path: Path, tmp: Path, progress: ProgressFn | None = None) -> Source:
    """Check ``path`` and make it a Source (transcoding or converting into ``tmp`` as needed)."""
    fmt = format_of(path)
    if not path.is_file():
        raise EventImportError(f"{path}: no such file")
    try:
        size = path.stat().st_size
        if size == 0:
            raise EmptyFileError(f"{path.name}: is empty")
        if fmt in ("csv", "tsv"):
            return _prepare_csv(path, fmt, tmp, progress, size)
        if fmt == "jsonl":
            return _prepare_jsonl(path, tmp, progress, size)
        if fmt == "parquet":
            return Source("parquet", path, path, [], line_word="row")
        try:
            return _prepare_xlsx(path, tmp, progress)
        except (EventImportError, Cancelled, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
            raise EventImportError(f"{path.name}: cannot be read as a workbook "
                                   f"({type(exc).__name__}: {exc})") from None
    except gzip.BadGzipFile:
        plain = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        raise EventImportError(f"{path.name}: is not gzip-compressed: name it {plain}") from None
    except OSError as exc:
        raise EventImportError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except EOFError:
        raise EventImportError(f"{path.name}: the compressed file is cut short") from None
    except zlib.error:
        raise EventImportError(f"{path.name}: the compressed file is damaged") from None


def _decoded_head(raw: bytes) -> tuple[str, str | None]:
    """The start of a file as text, and the codec a BOM names (None when there is none).

    Raises UnicodeDecodeError when it is not UTF-8 (a character cut at the end is fine).
    """
    codec = sniff_bom(raw)
    if codec is not None:
        text = raw.decode(codec, errors="ignore")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(raw) - 3:  # not just a character cut at the end
                raise
            text = raw[:exc.start].decode("utf-8")
    return text.lstrip("\ufeff"), codec


# Files that are not text, by their first bytes: what to tell the user.
SIGNATURES = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "it looks like an old Excel .xls workbook: save it as .xlsx or CSV"),
    (b"PAR1", "it looks like a Parquet file: rename it to .parquet"),
    (b"SQLite format 3\x00", "it is a database file"),
    (b"%PDF", "it is a PDF document"),
]
# Bytes that text does not hold (controls other than tab, line ends, form feed, Ctrl-Z, Esc).
_CONTROLS = bytes([*range(9), *range(14, 26), *range(28, 32)])


def check_text(name: str, raw: bytes) -> None:
    """Refuse, with a one-line reason, the start of a file (``raw``) that is not text."""
    if raw.startswith(b"PK\x03\x04"):
        if b"xl/" in raw or b"[Content_Types].xml" in raw:
            raise EventImportError(f"{name}: is not a text file (it looks like an Excel "
                                   "workbook: rename it to .xlsx)")
        raise EventImportError(f"{name}: is not a text file (it is a zip archive: unpack it)")
    if raw.startswith(b"\x1f\x8b"):
        if name.lower().endswith(".gz"):
            raise EventImportError(f"{name}: is compressed twice (unpack it once)")
        raise EventImportError(f"{name}: is gzip-compressed: name it {name}.gz")
    for signature, what in SIGNATURES:
        if raw.startswith(signature):
            raise EventImportError(f"{name}: is not a text file ({what})")
    if sniff_bom(raw) is not None:
        return
    if b"\x00" in raw:
        even, odd = raw[0::2], raw[1::2]
        for zeros, other in ((odd, even), (even, odd)):
            if zeros and zeros.count(0) > 0.3 * len(zeros) and other.count(0) < 0.05 * len(
                    other):
                raise EventImportError(
                    f"{name}: looks like UTF-16 without a byte-order mark; save it as UTF-8 "
                    "or UTF-16 with a BOM")
    controls = len(raw) - len(raw.translate(None, _CONTROLS))
    if controls > max(2, len(raw) // 100):
        raise EventImportError(f"{name}: is not a text file")


def _prepare_csv(path: Path, fmt: str, tmp: Path, progress: ProgressFn | None,
                 size: int) -> Source:
    source = Source(fmt, path, path, [], delimiter="\t" if fmt == "tsv" else ",")
    raw = _head(path)
    check_text(path.name, raw)
    try:
        head, codec = _decoded_head(raw)
        if not head.strip():
            raise EmptyFileError(f"{path.name}: is empty")
        if codec not in (None, "utf-8-sig"):  # UTF-16/32: DuckDB reads UTF-8 only
            return csv_transcoded(source, tmp, codec, progress, size)
        source.encoding = "utf-8 (BOM)" if codec else "utf-8"
        _read_header(source)
    except UnicodeDecodeError:  # not UTF-8: read a UTF-8 copy
        return csv_transcoded(source, tmp, None, progress, size)
    return source


def csv_transcoded(source: Source, tmp: Path, codec: str | None,
                   progress: ProgressFn | None, size: int) -> Source:
    """``source`` read from a UTF-8 copy of its file (``codec`` None: not UTF-8)."""
    target = tmp / ("transcoded.tsv" if source.format == "tsv" else "transcoded.csv")
    encoding = transcode(source.original, codec, target, progress, size)
    copy = Source(source.format, target, source.original, [], encoding=encoding,
                  delimiter=source.delimiter)
    _read_header(copy)
    return copy


def csv_normalised(source: Source, tmp: Path, progress: ProgressFn | None = None) -> Source:
    """``source`` read from a copy whose lines all end in LF (the file mixes line ends).

    CRLF and a lone CR each become one LF, so the lines keep their numbers.
    """
    target = tmp / ("normalised.tsv" if source.format == "tsv" else "normalised.csv")
    size = source.path.stat().st_size
    done = 0
    with open_binary(source.path) as src, open(target, "wb") as out:
        carry = b""
        while chunk := src.read(CHUNK * 4):
            done += len(chunk)
            if progress is not None and size:
                _report(progress, done / size)
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""  # perhaps the CR of a CRLF
            if carry:
                chunk = chunk[:-1]
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        out.write(carry.replace(b"\r", b"\n"))
    return Source(source.format, target, source.original, list(source.columns),
                  encoding=source.encoding, delimiter=source.delimiter, normalised=True)


def _read_header(source: Source) -> None:
    """The column names and delimiter of a UTF-8 CSV/TSV file, from its first record (read
    whole, however long)."""
    name = source.original.name
    size = HEAD
    while True:
        raw = _head(source.path, size)
        head, _ = _decoded_head(raw)
        if not head.strip():
            raise EmptyFileError(f"{name}: is empty")
        if source.format == "csv":
            source.delimiter = sniff_delimiter(head)
        if len(raw) < size or _first_record_complete(head, source.delimiter):
            break
        if size >= MAX_HEADER:
            raise EventImportError(f"{name}: the first line is longer than "
                                   f"{MAX_HEADER >> 20} MiB; is it an event file?")
        size *= 4
    records = _records(head, source.delimiter, limit=1)
    header = records[0] if records else []
    if not any(cell.strip() for cell in header):
        raise EmptyFileError(f"{name}: the first line has no column names")
    source.columns = unique_names(header)


def _only_blanks(path: Path) -> bool:
    """True when the (decompressed) file holds nothing but white space."""
    with open_binary(path) as fh:
        while chunk := fh.read(CHUNK):
            if chunk.strip():
                return False
    return True


def _prepare_jsonl(path: Path, tmp: Path, progress: ProgressFn | None, size: int) -> Source:
    if _only_blanks(path):
        raise EmptyFileError(f"{path.name}: is empty")
    head = _head(path, 4)
    codec = sniff_bom(head)
    source = Source("jsonl", path, path, [], encoding="utf-8")
    if codec is not None or not is_utf8(path, _part(progress, 0.0, 0.5), size):
        target = tmp / "transcoded.jsonl"
        source.encoding = transcode(path, codec, target, _part(progress, 0.5, 1.0), size)
        source.path = target
    return source


def _part(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    """A progress function mapping 0..1 to ``start``..``end`` of ``progress``."""
    if progress is None:
        return None
    return lambda fraction: progress(start + (end - start) * fraction)


def jsonl_via_python(source: Source, tmp: Path) -> Source:
    """Read JSON lines with Python: lines that are not JSON objects are bad rows.

    Used when DuckDB refuses the file.  Writes a CSV with the line numbers into ``tmp``.
    """
    keys: dict[str, None] = {}
    malformed: list[int] = []
    with open_text(source.path) as text:
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            record = _json_object(line)
            if record is None:
                malformed.append(number)
            else:
                keys.update(dict.fromkeys(record))
    names = list(keys)
    if not names:
        if malformed:
            raise EventImportError(f"{source.original.name}: no line is a JSON object "
                                   f"(line {malformed[0]} is not)")
        raise EmptyFileError(f"{source.original.name}: is empty")
    target = tmp / "rows.csv"
    with open_text(source.path) as text, open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", *(f"c{i}" for i in range(len(names)))])
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            record = _json_object(line)
            if record is not None:
                writer.writerow([number, *(_json_text(record.get(k)) for k in names)])
    copy = Source("jsonl", target, source.original, unique_names(names),
                  encoding=source.encoding, line_column="line")
    if malformed:
        copy.pre_bad[MALFORMED] = (len(malformed), malformed[:EXAMPLES])
    return copy


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _prepare_xlsx(path: Path, tmp: Path, progress: ProgressFn | None) -> Source:
    """Convert the first sheet to a CSV with row numbers (openpyxl, read-only mode)."""
    _check_xlsx_size(path)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise EventImportError(f"{path.name}: is not a readable .xlsx workbook ({exc})") from None
    try:
        if not workbook.worksheets:
            raise EmptyFileError(f"{path.name}: has no sheets")
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        header: list[str] | None = None
        width = 0
        ragged: list[int] = []
        ragged_count = 0
        written = 0
        target = tmp / "rows.csv"
        with open(target, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for number, row in enumerate(rows, 1):
                values = [_cell_text(v) for v in row]
                while values and values[-1] == "":
                    values.pop()
                if not values:
                    continue
                if header is None:
                    header = unique_names(values)
                    width = len(header)
                    writer.writerow(["line", *(f"c{i}" for i in range(width))])
                    continue
                if len(values) > width:
                    ragged_count += 1
                    if len(ragged) < EXAMPLES:
                        ragged.append(number)
                    continue
                writer.writerow([number, *values, *[""] * (width - len(values))])
                written += 1
                if progress is not None and total and number % 10000 == 0:
                    _report(progress, number / total)
    finally:
        workbook.close()
    if header is None:
        raise EmptyFileError(f"{path.name}: the first sheet is empty")
    source = Source("xlsx", target, path, header, line_word="row", line_column="line")
    if ragged_count:
        source.pre_bad[RAGGED] = (ragged_count, ragged)
    return source


def _check_xlsx_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = 0
            for info in archive.infolist():
                unpacked += info.file_size
                if (info.file_size > 10_000_000
                        and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)):
                    raise EventImportError(f"{path.name}: refused, {info.filename} unpacks to "
                                           f"{info.file_size:,} bytes (a zip bomb?)")
    except zipfile.BadZipFile:
        raise EventImportError(f"{path.name}: is not an .xlsx workbook") from None
    if unpacked > XLSX_MAX_UNPACKED:
        raise EventImportError(f"{path.name}: too large ({unpacked:,} bytes unpacked)")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()
