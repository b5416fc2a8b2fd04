"""A journey map as an Excel workbook (.xlsx), and a map read back from one (see docs/excel.md).

Export (:func:`write_map_xlsx`) writes a workbook people can read, print and filter:

* **Journey**: the map as a grid: stage names across row 1 (merged over their steps), step names
  in row 2 when the map has steps, lane names down column A, each cell holding its cards' texts
  separated by blank lines, coloured by lane type; pain points show ``[severity N]`` in front of
  the text and their cell turns a deeper red with the cell's highest severity.
* **Emotions**: the emotion points as a table, and a native line chart (one series per persona
  plus the map's own curve) drawn from a small step-by-curve block next to the table.
* **Cards**, **Stages**, **Lanes**, **Personas**: Excel tables (with filters) of the details.
* **_journeydesk** (hidden): the whole map in the JSON map format, in chunks, with a checksum,
  so that our own export comes back without loss.

Import (:func:`read_map_xlsx`) takes our own export back from the hidden sheet (or, when it is
missing or damaged, from the Journey grid), and turns a plain grid typed up in a workshop (stages
across the first row, lanes down the first column) into a map, guessing lane types from lane
names.  Either way the map is built by :func:`journeydesk.exchange.json_map.map_from_dict`, so it
passes the same checks as a JSON import.  Untrusted files are checked for size and zip bombs
before any XML is parsed, and openpyxl parses with defusedxml.

User text is always written as text, never as a formula: openpyxl would store a value starting
with ``=`` as a live formula, so every user string is written with ``data_type = "s"``.

This module is the one to import from; the work is done in sibling modules:
:mod:`~.excel_export` (the writer), :mod:`~.excel_import` (reading our own export back),
:mod:`~.excel_grid` (reading a plain grid) and :mod:`~.excel_layout` (sheet names and text in
cells, shared by both directions).  The checks of an untrusted file stay here.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeydesk.domain.model import (  # noqa: F401 - re-exported
    LANE_TYPE_LABELS,
    JourneyMap,
    Workspace,
)
from journeydesk.exchange.excel_export import (  # noqa: F401 - re-exported
    GRID_BORDER,
    LANE_FILLS,
    LINE_HEIGHT,
    MAP_CURVE,
    MAX_ROW_HEIGHT,
    SEVERITY_FILLS,
    STAGE_FILL,
    STEP_COLUMN_WIDTH,
    STEP_FILL,
    DataSheet,
    _WorkbookWriter,
)
from journeydesk.exchange.excel_grid import (  # noqa: F401 - re-exported
    MAX_GRID_COLUMNS,
    MAX_GRID_ROWS,
    Merge,
    guess_lane_type,
    split_cards,
)
from journeydesk.exchange.excel_import import _read_book
from journeydesk.exchange.excel_layout import (  # noqa: F401 - re-exported
    CARDS_SHEET,
    CHUNK_UNITS,
    EMOTIONS_SHEET,
    EXCEL_CELL_LIMIT,
    HIDDEN_SHEET,
    JOURNEY_SHEET,
    LANES_SHEET,
    METRICS_SHEET,
    PERSONAS_SHEET,
    SEVERITY_PREFIX,
    STAGES_SHEET,
    XLSX_FORMAT,
    XLSX_VERSION,
    _json_for_cells,
    _sha256,
    cell_text,
    excel_text,
    grid_digest,
)
from journeydesk.exchange.files import write_atomic
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.map_formats import ImportedMap, Progress

if TYPE_CHECKING:
    from openpyxl import Workbook

# --------------------------------------------------------------------------- import limits
# check_container reads these as this module's globals (tests lower them with monkeypatch).
MAX_FILE_BYTES = 50 * 1024 * 1024          # the .xlsx file itself
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # all zip members together, as declared
RATIO_FREE_BYTES = 200 * 1024 * 1024        # up to this in all, members may pack any ratio
MAX_COMPRESSION_RATIO = 100                 # above it, any member over 1 MiB packed tighter
RATIO_CHECK_FROM_BYTES = 1024 * 1024        # tiny members compress oddly and cannot bomb
MAX_MEMBERS = 10_000


# =========================================================================== export
def write_map_xlsx(m: JourneyMap, ws: Workspace, path: Path, progress: Progress | None = None,
                   metrics: dict[str, Any] | None = None) -> None:
    """Write ``m`` (with its linked personas from ``ws``) as an Excel workbook at ``path``.

    The file is written atomically: readers see the old file or the whole new one.
    ``progress(done, total)`` is called now and then; when it returns False the export stops
    with :class:`ExportCancelled` and an existing file at ``path`` is left as it was (the last
    call, ``done == total``, comes after the file is written and cannot cancel).
    ``metrics`` (the ``journeydesk metrics --json`` form, when a dataset is bound to the map)
    adds a "Metrics" sheet with the funnel numbers and a bar chart of users per stage.
    """
    writer = _WorkbookWriter(m, ws, progress, metrics)
    book = writer.build()
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())
    if progress is not None:
        progress(writer.total, writer.total)


def build_workbook(m: JourneyMap, ws: Workspace, progress: Progress | None = None) -> Workbook:
    """The export workbook of ``m`` without numbers, not yet saved (see
    :func:`write_map_xlsx`, which adds the Metrics sheet when given a dataset's metrics)."""
    return _WorkbookWriter(m, ws, progress).build()


# =========================================================================== import
def read_map_xlsx(path: Path, ws: Workspace) -> ImportedMap:
    """Read a map from an Excel workbook; ``ws`` is only read (persona matching, like JSON).

    Our own export comes back whole from its hidden sheet; when that is missing or damaged, or
    the Journey sheet was edited in Excel since, the map is read from the visible grid (keeping
    what still matches of the hidden copy).  Any other workbook is read as a plain grid: stage
    names across the first row, lane names down the first column, cards in the cells separated
    by blank lines.  Raises FormatError (naming the file and the problem) for a file that is
    too large, not a workbook, a zip bomb, or holds no usable grid; OSError when it cannot be
    read at all.
    """
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # openpyxl parses with the standard library's XML parser unless defusedxml is
        # installed and enabled; we do not read untrusted XML that way.
        raise RuntimeError("reading Excel files needs defusedxml (OPENPYXL_DEFUSEDXML must "
                           "not be False)")
    where = path.name
    check_container(path)
    try:
        with warnings.catch_warnings():
            # Workbooks from other tools trigger "unknown extension" and similar notes.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True,
                                          keep_links=False)
            try:
                return _read_book(book, path, ws)
            finally:
                book.close()
    except (FormatError, OSError):
        raise
    except MemoryError:
        raise FormatError(where, "is too large to read") from None
    except Exception as err:  # openpyxl, zipfile and XML parsers raise many kinds
        raise FormatError(where, f"is not a readable Excel workbook ({_describe(err)})"
                          ) from None


def check_container(path: Path) -> None:
    """Refuse, before any XML is parsed, a file that is too big, not a zip, or a zip bomb.

    Sizes are taken from the zip's directory; Python's zipfile never inflates a member past
    its declared size (and checks its CRC), so the declared sizes bound what parsing reads.
    """
    where = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FormatError(where, f"is {_mb(size)}; JourneyDesk reads workbooks up to "
                                 f"{_mb(MAX_FILE_BYTES)}")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(where, "is an old-style .xls or a password-protected workbook; save "
                                 "it from Excel as .xlsx without a password")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except OSError:
        raise
    except Exception:  # BadZipFile, NotImplementedError ("zip file version"), ValueError...
        raise FormatError(where, "is not an Excel workbook (.xlsx files are zip archives; "
                                 "this is not one)") from None
    if len(members) > MAX_MEMBERS:
        raise FormatError(where, f"has {len(members)} parts; an Excel workbook has far fewer")
    total = sum(member.file_size for member in members)
    # Below RATIO_FREE_BYTES in all, any ratio is fine: our own export of 27,000 cards saying
    # "TBD" packs its hidden sheet more than 100 times, and the declared sizes bound the work.
    for member in members if total > RATIO_FREE_BYTES else []:
        if (member.file_size > RATIO_CHECK_FROM_BYTES
                and member.file_size > MAX_COMPRESSION_RATIO * max(1, member.compress_size)):
            raise FormatError(where, f"part {member.filename!r} unpacks {_ratio(member)} times "
                                     "its packed size: refused as a possible zip bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FormatError(where, f"unpacks to {_mb(total)} (more than "
                                 f"{_mb(MAX_UNCOMPRESSED_BYTES)}): refused as a possible "
                                 "zip bomb")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(
            name.startswith("xl/") and name.endswith(".xml") for name in names):
        raise FormatError(where, "is a zip archive but not an Excel workbook (it has no "
                                 "workbook part)")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _ratio(member: zipfile.ZipInfo) -> str:
    return f"{member.file_size // max(1, member.compress_size):,}"


def _describe(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text if len(text) <= 160 else text[:157] + "..."


__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "RATIO_FREE_BYTES",
    "build_workbook",
    "check_container",
    "guess_lane_type",
    "read_map_xlsx",
    "split_cards",
    "write_map_xlsx",
]
