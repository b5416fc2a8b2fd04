"""Card pictures on the Journey sheet: each card's picture drawn in its cell, above the cell's
text (the captions), as an openpyxl image built from the stored bytes.

openpyxl's own ``Image`` opens its source with Pillow; ours hands over the PNG or JPEG bytes
as stored, with the size read from the header (:func:`~journeydesk.domain.pictures.check_picture`),
so nothing is decoded and no imaging library is needed.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from journeydesk.domain.model import Card, DomainError
from journeydesk.domain.pictures import JPEG_MIME, check_picture

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

CELL_PX = 230          # a picture's width at most: the step column (34 characters) less a margin
STORYBOARD_PX = 170    # a storyboard picture's height at most
THUMBNAIL_PX = 60      # a picture of a card in another lane: a thumbnail
GAP_PX = 4
EMU_PER_PX = 9525
POINTS_PER_PX = 0.75


def picture_label(card: Card) -> str:
    """How the Cards sheet names a card's picture ("PNG 640 x 480"), "" without one."""
    if card.picture is None:
        return ""
    try:
        mime, width, height = check_picture(card.picture)
    except DomainError:
        return "picture"
    return f"{'JPEG' if mime == JPEG_MIME else 'PNG'} {width} x {height}"


def _box(card: Card, storyboard: bool) -> tuple[int, int] | None:
    """The picture's size on the sheet (pixels), its aspect kept, None without one."""
    if card.picture is None:
        return None
    try:
        _mime, width, height = check_picture(card.picture)
    except DomainError:
        return None  # the domain never stores one; an export does not fail over it
    tallest = STORYBOARD_PX if storyboard else THUMBNAIL_PX
    scale = min(CELL_PX / width, tallest / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def pictures_height(cards: list[Card], storyboard: bool) -> int:
    """The pixels the pictures of a cell's ``cards`` take, stacked, with their gaps."""
    boxes = [box for card in cards if (box := _box(card, storyboard)) is not None]
    return sum(h for _w, h in boxes) + GAP_PX * (len(boxes) + 1) if boxes else 0


def add_pictures(sheet: Worksheet, row: int, column: int, cards: list[Card],
                 storyboard: bool) -> None:
    """Anchor the pictures of ``cards`` in cell (``row``, ``column``) (1-based), stacked
    from its top in card order."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
    from openpyxl.drawing.xdr import XDRPositiveSize2D

    top = GAP_PX
    for card in cards:
        box = _box(card, storyboard)
        if box is None or card.picture is None:
            continue
        width, height = box
        image = _card_image_class()(card.picture, width, height)
        image.anchor = OneCellAnchor(
            _from=AnchorMarker(col=column - 1, colOff=GAP_PX * EMU_PER_PX, row=row - 1,
                               rowOff=top * EMU_PER_PX),
            ext=XDRPositiveSize2D(width * EMU_PER_PX, height * EMU_PER_PX))
        sheet.add_image(image)
        top += height + GAP_PX


@cache
def _card_image_class() -> Any:
    """The openpyxl image class for stored bytes (made on first use: openpyxl loads lazily)."""
    from openpyxl.drawing.image import Image

    class CardImage(Image):
        """An openpyxl image of stored PNG or JPEG bytes (no Pillow: see the module's notes)."""

        def __init__(self, data: bytes, width: int, height: int):  # no super(): it opens Pillow
            mime, _width, _height = check_picture(data)
            self.ref = data
            self.format = "jpeg" if mime == JPEG_MIME else "png"
            self.width, self.height = width, height

        def _data(self) -> bytes:
            return self.ref

    return CardImage
