"""Checks of the values edit commands write (see :mod:`journeydesk.domain.commands`).

Each check returns the value normalised (trimmed text, a float, a lower-case colour...) or raises
:class:`DomainError` saying what is wrong; commands call them before they change anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from journeydesk.domain.model import (
    EVIDENCE_LEVELS,
    MAX_PHOTO_BYTES,
    OPPORTUNITY_STATUSES,
    PERSONA_LIST_FIELDS,
    PRIORITIES,
    SCORE_RANGE,
    SEVERITY_RANGE,
    TECH_COMFORT_RANGE,
    DomainError,
)
from journeydesk.domain.pictures import check_picture

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SURROGATE = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------- field checks
def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise DomainError(f"{what} must be text")
    if not value.isascii() and (bad := _SURROGATE.search(value)):
        # A lone surrogate (a JSON "\ud800", an Excel "_xD800_") is no character: no file,
        # database or screen can hold it.
        raise DomainError(f"{what} holds {ascii(bad.group())}, half of a UTF-16 pair, "
                          "which is not a character")
    return value


def _name(value: Any, what: str) -> str:
    name = _text(value, what).strip()
    if not name:
        raise DomainError(f"{what} must not be empty")
    return name


def _text_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise DomainError(f"{what} must be a list of texts")
    items = [_text(v, what).strip() for v in value]
    return [v for v in items if v]


def _event_list(value: Any, what: str) -> list[str]:
    events = _text_list(value, what)
    if len(set(events)) != len(events):
        raise DomainError(f"{what} lists an event twice")
    return events


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DomainError(f"{what} must be a finite number")
    try:
        number = float(value)  # a whole number too large for a float overflows
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise DomainError(f"{what} must be a finite number")
    return number


def _optional_int(value: Any, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"{what} must be a whole number from {low} to {high}")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    return _text(value, what).strip() or None


def _check_card_field(key: str, value: Any) -> Any:
    if key == "text":
        return _text(value, "card text")
    if key == "severity":
        return _optional_int(value, "severity", *SEVERITY_RANGE)
    if key == "priority":
        if value is not None and value not in PRIORITIES:
            raise DomainError(f"priority must be one of {', '.join(PRIORITIES)}")
        return value
    if key == "channel":
        return _optional_text(value, "channel")
    if key == "tags":
        return _text_list(value, "tags")
    if key == "colour":
        if value is not None and (not isinstance(value, str) or not _COLOUR.match(value)):
            raise DomainError("colour must look like #rrggbb")
        return value.lower() if value else None
    if key == "events":
        return _event_list(value, "card events")
    if key == "picture":
        if value is None:
            return None
        check_picture(value)  # size, format and pixels from the header, nothing decoded
        return bytes(value)
    return _check_living_card_field(key, value)


# A source is a note or a link; an owner is a name.  Both are one line of sensible length.
MAX_SOURCE_CHARS = 2000
MAX_OWNER_CHARS = 200


def _check_living_card_field(key: str, value: Any) -> Any:
    """Evidence and the portfolio fields (schema 7)."""
    if key == "evidence":
        if value is None:
            return "assumed"
        if value not in EVIDENCE_LEVELS:
            raise DomainError(f"evidence must be one of {', '.join(EVIDENCE_LEVELS)}")
        return value
    if key == "source":
        return _limited(_optional_text(value, "source"), "a source", MAX_SOURCE_CHARS)
    if key in ("value", "effort"):
        return _optional_int(value, key, *SCORE_RANGE)
    if key == "status":
        if value is not None and value not in OPPORTUNITY_STATUSES:
            raise DomainError(f"status must be one of {', '.join(OPPORTUNITY_STATUSES)}")
        return value
    if key == "owner":
        return _limited(_optional_text(value, "owner"), "an owner", MAX_OWNER_CHARS)
    if key == "addresses":
        ids = _text_list(value, "addressed cards")
        if len(set(ids)) != len(ids):
            raise DomainError("an opportunity lists an addressed card twice")
        return ids
    raise DomainError(f"a card has no field {key!r}")


def _limited(value: str | None, what: str, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise DomainError(f"{what} may have at most {limit} characters")
    return value


def check_review_date(value: Any) -> str | None:
    """A review-by date as maps store it: ISO ``YYYY-MM-DD`` or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _text(value, "review date").strip()
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> str:
    raise DomainError(f"review date {text[:40]!r} is not a date (YYYY-MM-DD)")


def _check_persona_field(key: str, value: Any) -> Any:
    if key == "name":
        return _name(value, "persona name")
    if key in ("role", "quote", "bio", "notes", "age_range", "location"):
        return _text(value, f"persona {key.replace('_', ' ')}")
    if key in PERSONA_LIST_FIELDS:
        return _text_list(value, f"persona {key}")
    if key == "tech_comfort":
        return _optional_int(value, "tech comfort", *TECH_COMFORT_RANGE)
    if key == "photo":
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray)) or not value:
            raise DomainError("a persona photo must be image data")
        if len(value) > MAX_PHOTO_BYTES:
            raise DomainError(f"a persona photo may take at most {MAX_PHOTO_BYTES // 2**20} MB")
        return bytes(value)
    if key == "segment":
        return _segment(value)
    raise DomainError(f"a persona has no field {key!r}")


def _segment(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise DomainError("a segment must map attribute names to values")
    segment: dict[str, str] = {}
    for raw_column, wanted in value.items():
        column = _name(raw_column, "a segment attribute")
        if isinstance(wanted, bool) or not isinstance(wanted, (str, int, float)):
            raise DomainError(f"segment value of {column!r} must be text or a number")
        segment[column] = _text(str(wanted), f"segment value of {column!r}").strip()
        if not segment[column]:
            raise DomainError(f"segment value of {column!r} must not be empty")
    return segment


def check_card_field(key: str, value: Any) -> Any:
    """A card field's value as the card commands store it; DomainError when it is not allowed."""
    return _check_card_field(key, value)


def check_step_name(value: Any) -> str:
    """A step's name as the step commands store it (trimmed; empty for an unnamed step)."""
    return _text(value, "step name").strip()


def check_events(value: Any, what: str) -> list[str]:
    """A list of bound event names as the commands store it (trimmed, none twice)."""
    return _event_list(value, what)


def _unique(name: str, taken: Iterable[str], what: str) -> None:
    if name in set(taken):
        raise DomainError(f"there is already a {what} named {name!r}")


def _clamp(index: int | None, size: int) -> int:
    if index is None or index > size:
        return size
    return max(0, index)
