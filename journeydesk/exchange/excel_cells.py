"""The cells of the Excel export: text that is never a formula, how many lines a text wraps to,
and the fills, stripes and rich-text fonts of cards with a colour of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeydesk.domain.colours import card_accent, card_tint, normal_hex
from journeydesk.exchange.excel_layout import excel_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

GRID_BORDER = "BFBFBF"
THEME = "light"  # the workbook is printed: the canvas's light theme
Part = tuple[str, "tuple[str, bool] | None"]  # a run of text and its (colour, bold), or None


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to a cell; a string is always stored as text, never as a formula."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        cell.value = excel_text(value)
        # openpyxl takes a value starting with "=" for a formula; user text never is one.
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def text_lines(text: str, capacity: float) -> int:
    """Roughly how many lines ``text`` takes wrapped at ``capacity`` characters a line: word
    by word, as a spreadsheet wraps (a word longer than a line is broken)."""
    if not text:
        return 1
    room = max(1, int(capacity))
    total = 0
    for line in text.split("\n"):
        if len(line) <= room:
            total += 1
            continue
        count, used = 1, 0
        for word in line.split(" "):
            if used and used + 1 + len(word) > room:
                count, used = count + 1, 0
            used += (1 if used else 0) + len(word)
            while used > room:
                count, used = count + 1, used - room
        total += count
    return total


def card_colours(colour: str | None) -> tuple[str, str] | None:
    """A coloured card's (tint, accent) as the canvas paints it; None for no colour (or
    a text that is not one)."""
    if not colour:
        return None
    try:
        return card_tint(THEME, normal_hex(colour)), card_accent(THEME, colour)
    except ValueError:
        return None


class CellLooks:
    """Fills, stripes and rich-text fonts for the few cells that are not one named style
    (made once per colour: openpyxl hashes each style object it is given)."""

    def __init__(self) -> None:
        self._fills: dict[str, Any] = {}
        self._stripes: dict[str, Any] = {}
        self._fonts: dict[tuple[str, bool], Any] = {}

    def fill(self, rgb: str) -> Any:
        from openpyxl.styles import PatternFill

        if rgb not in self._fills:
            hexa = rgb.lstrip("#").upper()
            self._fills[rgb] = PatternFill(fill_type="solid", start_color=hexa, end_color=hexa)
        return self._fills[rgb]

    def stripe(self, rgb: str) -> Any:
        """The grid's thin border with a thick left edge in the card's accent colour."""
        from openpyxl.styles import Border, Side

        if rgb not in self._stripes:
            thin = Side(style="thin", color=GRID_BORDER)
            self._stripes[rgb] = Border(left=Side(style="thick", color=rgb.lstrip("#").upper()),
                                        right=thin, top=thin, bottom=thin)
        return self._stripes[rgb]

    def rich_text(self, parts: list[Part]) -> Any:
        """The parts as one rich-text value (user text escaped like any cell's text)."""
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont

        # A run of nothing but white space loses it (openpyxl marks xml:space="preserve" only
        # around other text): such a run, and runs that look alike, join their neighbour.
        runs: list[list[Any]] = []
        carry = ""
        for text, look in parts:
            if not text:
                continue
            if look is None and not text.strip():
                carry += text
                continue
            joined, carry = carry + text, ""
            if runs and runs[-1][1] == look:
                runs[-1][0] += joined
            else:
                runs.append([joined, look])
        if carry:
            if runs:
                runs[-1][0] += carry
            else:
                runs.append([carry, None])
        blocks: list[Any] = []
        for text, look in runs:
            if look is None:
                blocks.append(excel_text(text))
                continue
            font = self._fonts.get(look)
            if font is None:
                colour, bold = look
                font = self._fonts[look] = InlineFont(rFont="Calibri", sz=11, b=bold or None,
                                                      color=colour.lstrip("#").upper())
            blocks.append(TextBlock(font, excel_text(text)))
        return CellRichText(blocks)
