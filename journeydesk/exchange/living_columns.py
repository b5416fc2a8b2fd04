"""The living-map fields of cards and maps as table columns, shared by the Excel export's
"Cards" and "Comments" sheets and the CSV of cards: each card's evidence, source and portfolio
fields, and the comments of a map.

Values are written as people read them (evidence and status by their labels, addressed cards by
their texts); the Excel export keeps the exact values in its hidden copy of the map.
"""

from __future__ import annotations

from typing import Any

from journeydesk.domain.model import (
    EVIDENCE_LABELS,
    OPPORTUNITY_STATUS_LABELS,
    Card,
    JourneyMap,
)

# Between the "tags" and "picture" columns of the Cards sheet; the CSV has them last.
LIVING_HEADERS = ("evidence", "source", "value", "effort", "status", "owner", "addresses")
LIVING_WIDTHS = (16, 30, 8, 8, 12, 18, 40)
COMMENT_HEADERS = ("Card", "Stage", "Lane", "Author", "Time", "Text", "Resolved")
COMMENT_WIDTHS = (40, 20, 20, 18, 20, 60, 10)


def living_values(card: Card, m: JourneyMap) -> list[Any]:
    """The card's values for :data:`LIVING_HEADERS`; None where a field is not set.

    Addressed cards are listed by their texts, one a line; links to cards no longer on the map
    are left out.
    """
    addressed = [m.cards[cid].text for cid in card.addresses if cid in m.cards]
    return [
        EVIDENCE_LABELS.get(card.evidence, card.evidence),
        card.source,
        card.value,
        card.effort,
        None if card.status is None else OPPORTUNITY_STATUS_LABELS.get(card.status, card.status),
        card.owner,
        "\n".join(addressed) or None,
    ]


def comment_rows(m: JourneyMap) -> list[list[Any]]:
    """One row per comment for :data:`COMMENT_HEADERS`, card by card in reading order, each
    thread oldest first.  Comments of cards no longer on the map are left out."""
    stage_of = {step.id: stage.name for stage in m.stages for step in stage.steps}
    lane_names = {lane.id: lane.name for lane in m.lanes}
    rows = []
    for card in m.ordered_cards():
        for comment in m.comments_of(card.id):
            rows.append([card.text, stage_of[card.step_id], lane_names[card.lane_id],
                         comment.author, comment_time(comment.created_at), comment.text,
                         "yes" if comment.resolved else "no"])
    return rows


def comment_time(created_at: str) -> str:
    """An ISO time as a table shows it: ``2026-03-01 09:30 UTC`` (sorts as it reads)."""
    date, _, rest = created_at.partition("T")
    if not rest:
        return created_at
    return f"{date} {rest[:5]} UTC" if rest.endswith("+00:00") else f"{date} {rest}"


def map_summary(m: JourneyMap) -> str:
    """The map's owner and review plan in a line ("Owner: Ana · review by 2027-01-31 ·
    data may age 30 days"), "" when none is set."""
    parts = []
    if m.owner:
        parts.append(f"Owner: {m.owner}")
    if m.review_by:
        parts.append(f"review by {m.review_by}")
    if m.review_days:
        parts.append(f"data may age {m.review_days} days")
    return " · ".join(parts)
