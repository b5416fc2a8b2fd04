"""Card comment threads of a map, as the Comments dock and the card badges show them.

A thread is the comments of one card (``JourneyMap.comments_of``); it is *open* while one of
its comments is unresolved.  Comments of a deleted card stay with the map but are not listed:
they come back with the card (undo, a restored version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from journeydesk.domain.model import Comment, JourneyMap

EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Thread:
    """One card's thread, summed up for a list."""

    card_id: str
    excerpt: str  # the start of the card's text
    stage: str  # the name of the card's stage
    open: int  # unresolved comments
    total: int
    latest: str  # the newest comment's time (ISO)


def open_counts(journey_map: JourneyMap) -> dict[str, int]:
    """Unresolved comments per card id (cards without any are left out)."""
    counts: dict[str, int] = {}
    for comment in journey_map.comments.values():
        if not comment.resolved:
            counts[comment.card_id] = counts.get(comment.card_id, 0) + 1
    return counts


def threads(journey_map: JourneyMap, *, resolved: bool = False) -> list[Thread]:
    """The threads of the map's cards in reading order: the open ones, and with
    ``resolved`` also those whose comments are all resolved."""
    by_card: dict[str, list[Comment]] = {}
    for comment in journey_map.comments.values():
        by_card.setdefault(comment.card_id, []).append(comment)
    found = []
    for card in journey_map.ordered_cards():
        comments = by_card.get(card.id)
        if not comments:
            continue
        unresolved = sum(1 for c in comments if not c.resolved)
        if not unresolved and not resolved:
            continue
        stage = journey_map.step_location(card.step_id)[0].name
        found.append(Thread(card.id, excerpt(card.text), stage, unresolved, len(comments),
                            max(c.created_at for c in comments)))
    return found


def thread_of(journey_map: JourneyMap, card_id: str) -> list[Comment]:
    """One card's comments, oldest first; comments of the same second keep the order they
    were added in."""
    return journey_map.comments_of(card_id)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a card's text on one line, cut with "…" ("(empty card)" for none)."""
    line = " ".join(text.split())
    if not line:
        return "(empty card)"
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def shown_time(iso: str) -> str:
    """A comment's time in the local time zone, to the minute ("2026-12-07 14:03"); the
    stored text when it is no ISO time."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")
