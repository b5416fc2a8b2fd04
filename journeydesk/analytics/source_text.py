"""Event files as bytes and text (see :mod:`journeydesk.analytics.sources`): gzip, byte-order
marks, UTF-8 checks and transcoding, and the first record of a CSV file (its delimiter and
column names, made unique).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from journeydesk.analytics.engine import Cancelled

CHUNK = 1 << 20
# DuckDB reads values of any length; the scans here must too (the csv module's default limit
# is 128 KiB per value).
csv.field_size_limit(2**31 - 1)

ProgressFn = Callable[[float], bool]


# --------------------------------------------------------------------------- text encodings
@contextlib.contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when its name ends in .gz."""
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            yield fh  # type: ignore[misc]
    else:
        with open(path, "rb") as fh:
            yield fh


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """A UTF-8 text file (perhaps gzip-compressed) opened for the csv module."""
    with open_binary(path) as raw:
        yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16")]


def sniff_bom(head: bytes) -> str | None:
    """The codec a byte-order mark at the start of ``head`` names, if any."""
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec
    return None


def is_utf8(path: Path, progress: ProgressFn | None = None, size: int = 0) -> bool:
    """True when the whole (decompressed) file is valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with open_binary(path) as fh:
        while chunk := fh.read(CHUNK * 8):
            done += len(chunk)
            if not chunk.isascii() or decoder.getstate()[0]:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return False
            if progress is not None and size:
                _report(progress, done / size)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def transcode(path: Path, codec: str | None, target: Path,
              progress: ProgressFn | None = None, size: int = 0) -> str:
    """Write ``path`` as UTF-8 (no BOM) to ``target``; returns the encoding's name.

    ``codec`` None means "not UTF-8": Windows-1252 when it decodes, else Latin-1 (which
    decodes any bytes); the name says latin-1 when the two agree on every byte.
    """
    if codec is not None:
        _transcode(path, codec, target, progress, size)
        return {"utf-8-sig": "utf-8 (BOM)", "utf-16": "utf-16", "utf-32": "utf-32"}[codec]
    try:
        has_c1 = _transcode(path, "cp1252", target, progress, size)
    except UnicodeDecodeError:
        _transcode(path, "latin-1", target, progress, size)
        return "latin-1"
    return "windows-1252" if has_c1 else "latin-1"


_C1 = re.compile(rb"[\x80-\x9f]")


def _transcode(path: Path, codec: str, target: Path, progress: ProgressFn | None,
               size: int) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    has_c1 = False
    done = 0
    with open_binary(path) as src, open(target, "wb") as out:
        while chunk := src.read(CHUNK * 4):
            done += len(chunk)
            has_c1 = has_c1 or _C1.search(chunk) is not None
            out.write(decoder.decode(chunk).encode("utf-8"))
            if progress is not None and size:
                _report(progress, done / size)
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return has_c1


def _report(progress: ProgressFn, fraction: float) -> None:
    if progress(min(fraction, 1.0)) is False:
        raise Cancelled


HEAD = 65536
MAX_HEADER = 64 << 20  # a first line longer than this is refused


def _head(path: Path, size: int = HEAD) -> bytes:
    with open_binary(path) as fh:
        return fh.read(size)


# --------------------------------------------------------------------------- column names
def unique_names(names: Iterable[str]) -> list[str]:
    """Column names made non-empty and unique, ignoring case (as SQL does)."""
    result: list[str] = []
    taken: set[str] = set()
    tried: dict[str, int] = {}  # name -> the next suffix to try (linear for 1,000 "x")
    for i, raw in enumerate(names, 1):
        name = " ".join(str(raw).split()) if raw is not None else ""
        name = name or f"column_{i}"
        candidate, n = name, tried.get(name.lower(), 2)
        if candidate.lower() in taken:
            candidate, n = f"{name}_{n}", n + 1
        while candidate.lower() in taken:
            candidate, n = f"{name}_{n}", n + 1
        tried[name.lower()] = n
        taken.add(candidate.lower())
        result.append(candidate)
    return result


DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(head: str) -> str:
    """The delimiter (, ; tab |) that splits the first line into the most columns and the next
    lines into as many (a comma when none splits the first line).

    Each candidate is tried with the csv module, so that a delimiter inside a quoted name does
    not count.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        records = [r for r in _records(head, delimiter, limit=50) if r]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records[1:]), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _records(text: str, delimiter: str = ",", limit: int | None = None) -> list[list[str]]:
    """The records of CSV ``text`` (any line ends; blank lines give [])."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for row in reader:
            records.append(row)
            if limit is not None and len(records) >= limit:
                break
    except csv.Error:  # a NUL byte or the like: what was read so far
        pass
    return records


def _first_record_complete(text: str, delimiter: str) -> bool:
    """True when ``text`` holds the whole first record (its line end is in ``text``)."""
    stream = io.StringIO(text, newline="")
    try:
        next(csv.reader(stream, delimiter=delimiter), None)
    except csv.Error:
        return True
    return text[:stream.tell()].endswith(("\n", "\r"))
