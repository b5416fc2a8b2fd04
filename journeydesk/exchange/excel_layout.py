"""What Excel export and import share (see :mod:`journeydesk.exchange.excel`): the sheet names,
the hidden sheet's marker, Excel's limit on a cell, and how text is written to cells and read
back from them (escapes, lengths in UTF-16 code units, JSON in chunks, checksums).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

# --------------------------------------------------------------------------- the workbook
JOURNEY_SHEET = "Journey"
EMOTIONS_SHEET = "Emotions"
CARDS_SHEET = "Cards"
STAGES_SHEET = "Stages"
LANES_SHEET = "Lanes"
PERSONAS_SHEET = "Personas"
METRICS_SHEET = "Metrics"
COMMENTS_SHEET = "Comments"  # only when the map's cards have comments
# Charts print on a page of their own: each on a sheet that holds nothing else.
EMOTION_CHART_SHEET = "Emotion chart"
FUNNEL_CHART_SHEET = "Funnel chart"
HIDDEN_SHEET = "_journeydesk"

# The hidden sheet's marker and layout version (the JSON inside carries its own version).
XLSX_FORMAT = "journeydesk.xlsx"
XLSX_VERSION = 1

# Excel keeps at most 32,767 characters (UTF-16 code units) in a cell; chunks stay well below.
EXCEL_CELL_LIMIT = 32_767
CHUNK_UNITS = 32_000

# How a pain point's severity shows in front of its text on the Journey sheet (and is read back).
SEVERITY_PREFIX = "[severity {}] "
_SEVERITY_PREFIX_RE = re.compile(r"^\[severity ([1-5])\][ \t]*")

# An opportunity's priority, on its own line under the card's text (as the canvas's badge).
PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
PRIORITY_LINE = "▲ {} priority"
_PRIORITY_LINE_RE = re.compile(r"\n[ \t]*▲[ \t]*(\S.*?)[ \t]+priority[ \t]*$", re.I)

# An emotion point in the emotions lane: "● Maria: 2 · relieved", one line per curve, the
# lines of a cell together above its cards.  The reader skips these paragraphs (the points
# come back from the hidden copy).
EMOTION_BULLET = "●"
_EMOTION_LINE_RE = re.compile(r"^●[ \t]+.*:[ \t]*[-+]?\d+(?:\.\d+)?(?:[ \t]+·.*)?$")


def emotion_line(name: str, score: float, label: str) -> str:
    """How one persona's point at a step reads in the emotions lane."""
    line = f"{EMOTION_BULLET} {_one_line(name)}: {score:g}"
    return f"{line} · {_one_line(label)}" if label.strip() else line


def is_emotion_paragraph(paragraph: str) -> bool:
    """Whether a paragraph of a cell is the export's emotion lines (no card of its own)."""
    return all(_EMOTION_LINE_RE.match(line.strip()) for line in paragraph.split("\n"))


def split_priority(paragraph: str) -> tuple[str, str | None]:
    """A card paragraph without its trailing "▲ High priority" line, and the priority
    ("low", "medium", "high", or the label as written; None without such a line)."""
    found = _PRIORITY_LINE_RE.search(paragraph)
    if found is None:
        return paragraph, None
    label = found.group(1).strip()
    value = next((k for k, v in PRIORITY_LABELS.items() if v.lower() == label.lower()), label)
    return paragraph[:found.start()].rstrip(), value


def _one_line(text: str) -> str:
    return " ".join(text.split())


# =========================================================================== text in cells
# Characters XML 1.0 cannot carry (and CR, which XML parsers turn into LF), plus text that
# already looks like Excel's own escape ``_xHHHH_``: both are written as ``_xHHHH_`` escapes
# (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), which Excel and calamine decode.
_NEEDS_ESCAPE = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(text: str) -> str:
    """``text`` as it is stored in a cell: escaped per ECMA-376 and cut to Excel's limit."""
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(_escape_match, text)
    if len(text) > EXCEL_CELL_LIMIT // 2 and _utf16_units(text) > EXCEL_CELL_LIMIT:
        text = _cut_units(text, EXCEL_CELL_LIMIT - 1) + "…"
    return text


def _escape_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 1:
        return f"_x{ord(found):04X}_"
    return "_x005F_" + found[1:]  # a literal "_xHHHH_": its underscore escaped


def cell_text(value: Any) -> str:
    """The text a cell read by openpyxl shows (openpyxl leaves ``_xHHHH_`` escapes as they are)."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "_x" in value:
            value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def _plain(text: str) -> str:
    """``text`` without the characters XML cannot carry (for document properties, headers)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def _utf16_units(text: str) -> int:
    """How long Excel thinks ``text`` is: characters beyond U+FFFF count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_units(text: str, units: int) -> str:
    """The longest prefix of ``text`` that takes at most ``units`` UTF-16 code units."""
    cut = text[:units]
    while (over := _utf16_units(cut) - units) > 0:
        # Each character dropped gives back one or two units.
        cut = cut[:len(cut) - max(1, over // 2)]
    return cut


def _split_units(text: str, units: int) -> list[str]:
    """``text`` in pieces of at most ``units`` UTF-16 code units (Excel's way of counting)."""
    chunks = []
    while text:
        chunk = _cut_units(text, units)
        chunks.append(chunk)
        text = text[len(chunk):]
    return chunks


def _json_for_cells(data: dict[str, Any]) -> str:
    """Compact JSON that survives a cell: no raw control characters (JSON escapes them), no
    surrogates or non-characters, and no ``_x`` (Excel would read ``_xHHHH_`` as an escape).

    ``_`` only occurs inside JSON strings, where ``\\u005f`` means the same.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = re.sub("[\ud800-\udfff\ufffe\uffff]", lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text.replace("_x", "\\u005fx")


def _as_shown(rows: list[list[str]]) -> list[list[str]]:
    """The grid's texts as a reader sees them in the cells (long ones are cut)."""
    return [[cell_text(excel_text(v)) for v in row] for row in rows]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def grid_digest(rows: Sequence[Sequence[str]]) -> str:
    """A checksum of a grid's texts (trailing empty rows and columns do not count)."""
    trimmed = _trim([list(row) for row in rows])
    return _sha256(json.dumps(trimmed, ensure_ascii=True))


def _trim(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v), default=0)
    return [row[:width] + [""] * (width - len(row[:width])) for row in rows]
