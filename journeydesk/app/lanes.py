"""Lanes named by people: the lane type a name suggests.

One rule for the whole app: the one the spreadsheet import uses for the lanes of a grid it
reads (:func:`journeydesk.exchange.excel_grid.guess_lane_type`), so a lane called
"Staff / backstage" is a backstage lane whether it came from Excel or from the "+" button.
"""

from __future__ import annotations

from journeydesk.domain.model import LaneType
from journeydesk.exchange.excel_grid import guess_lane_type as _guess_with_note

__all__ = ["guess_lane_type"]


def guess_lane_type(name: str) -> LaneType:
    """The lane type ``name`` suggests (the word that comes first wins); actions when it
    suggests none."""
    return _guess_with_note(name)[0]
