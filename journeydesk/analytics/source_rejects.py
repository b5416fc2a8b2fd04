"""The CSV records DuckDB refused, found in the file (see :mod:`journeydesk.analytics.sources`):
where each starts, how many lines it spans, and whether a quote problem swallowed the lines
after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from journeydesk.analytics.source_text import CHUNK, open_binary


# --------------------------------------------------------------------------- refused records
@dataclass(frozen=True)
class Refused:
    """A record DuckDB refused, as found in the file."""

    line: int  # where it starts
    lines: int  # how many lines its text spans
    open_quote: bool  # a quoted value in it is still open at the end of the file
    stray_quote: bool  # a quoted value in it is followed by other text (`"Best" offers`)

    @property
    def runs_on(self) -> bool:
        """A quote problem swallowed the lines after this one: the rows there are lost."""
        return self.lines > 1 and (self.open_quote or self.stray_quote)


_NOT_A_BREAK = re.compile(rb"[^\r\n]")


class _Scanner:
    """Reads a (decompressed) file forward, counting line ends and walking CSV records.

    A line end is CRLF, LF or CR, whatever the file's own line end is: a file's lines are
    what an editor shows, and what the copy with LF line ends (``csv_normalised``) and
    Python's csv module (``Source.lines_of``) count.  An old Mac file's value may hold an LF,
    a Unix file's value a CR: each is a line break of the value, so the lines after it keep
    their numbers.
    """

    def __init__(self, fh: IO[bytes], delimiter: str):
        self.fh = fh
        self.buf = b""
        self.i = 0  # index in buf
        self.base = 0  # file offset of buf[0]
        self.breaks = 0  # line ends before base + i
        self.before = b""  # the byte before buf[0] (the end of the chunk before)
        self.delimiter = delimiter.encode()[0]
        self.field_end = re.compile(b"[" + re.escape(delimiter.encode()) + b"\r\n]")

    def _fill(self) -> bool:
        """Move to the next chunk when buf is used up; False at the end of the file."""
        if self.i < len(self.buf):
            return True
        self.base += len(self.buf)
        self.before = self.buf[-1:] or self.before
        self.buf, self.i = self.fh.read(CHUNK * 4), 0
        return bool(self.buf)

    def _count(self, start: int, stop: int) -> int:
        """The line ends in buf[start:stop]: a CRLF counts once, also when the range (or the
        chunk) starts between its CR and its LF (the CR was counted before)."""
        buf = self.buf
        n = buf.count(b"\n", start, stop)
        if buf.find(b"\r", start, stop) >= 0:
            n += buf.count(b"\r", start, stop) - buf.count(b"\r\n", start, stop)
        if start < stop and buf[start] == 0x0A and (
                buf[start - 1:start] if start else self.before) == b"\r":
            n -= 1
        return n

    def skip_to(self, offset: int) -> None:
        """Count the line ends up to ``offset`` (or the end of the file)."""
        while self.base + self.i < offset and self._fill():
            stop = min(len(self.buf), offset - self.base)
            self.breaks += self._count(self.i, stop)
            self.i = stop

    def skip_blank(self) -> None:
        """Skip line ends (DuckDB's offset of a record may point at the blank lines before)."""
        while self._fill():
            match = _NOT_A_BREAK.search(self.buf, self.i)
            stop = match.start() if match else len(self.buf)
            self.breaks += self._count(self.i, stop)
            self.i = stop
            if match:
                return

    def record(self) -> tuple[int, bool, bool]:
        """Walk the record that starts here: how many of the line ends inside it come before
        some of its text, whether a quote is still open at the end of the file, and whether a
        quoted value is followed by other text (`"Best" offers`)."""
        quote = 0x22
        field_start, unquoted, quoted, after_quote = range(4)
        state, breaks, text, stray = field_start, 0, 0, False
        while self._fill():
            buf = self.buf
            if state == field_start:
                if buf[self.i] == quote:
                    state, text = quoted, breaks
                    self.i += 1
                else:
                    state = unquoted
            elif state == unquoted:
                match = self.field_end.search(buf, self.i)
                if match is None:
                    self.i, text = len(buf), breaks
                elif buf[match.start()] == self.delimiter:
                    state, self.i, text = field_start, match.end(), breaks
                else:  # the line end that ends the record
                    if match.start() > self.i:
                        text = breaks
                    self.i = match.start()
                    break
            elif state == quoted:
                end = buf.find(b'"', self.i)
                stop = len(buf) if end < 0 else end
                filled = len(buf[self.i:stop].rstrip(b"\r\n"))
                if filled:
                    text = breaks + self._count(self.i, self.i + filled)
                breaks += self._count(self.i, stop)
                if end >= 0:
                    state, text = after_quote, breaks
                self.i = stop if end < 0 else end + 1
            # after a quote in a quoted value: a doubled quote, or the end of the value
            elif buf[self.i] == quote:
                state, text = quoted, breaks
                self.i += 1
            else:
                stray = stray or buf[self.i] not in (self.delimiter, 0x0A, 0x0D)
                state = unquoted
        self.breaks += breaks
        return text, state == quoted, stray


def refused_records(path: Path, offsets: Iterable[int], delimiter: str,
                    ) -> dict[int, Refused]:
    """The records DuckDB refused, by the byte offsets it gives (``line_byte_position``).

    DuckDB counts records, not lines, and its offset of a record may point at the line end
    before it or one byte into it; the lines are counted here, in the file DuckDB read (CRLF,
    LF and CR each end a line, see :class:`_Scanner`).
    """
    found: dict[int, Refused] = {}
    last: Refused | None = None
    with open_binary(path) as fh:
        scan = _Scanner(fh, delimiter)
        for offset in sorted(set(offsets)):
            if offset < scan.base + scan.i and last is not None:
                found[offset] = last  # inside the record before (DuckDB saw it otherwise)
                continue
            scan.skip_to(offset)
            scan.skip_blank()
            line = scan.breaks + 1
            text, open_quote, stray = scan.record()
            last = found[offset] = Refused(line, text + 1, open_quote, stray)
    return found
