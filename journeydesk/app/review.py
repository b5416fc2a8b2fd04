"""Owner and review: whether a map is due for review, or its data has gone stale.

A map may have a review-by date (``review_by``) and a review interval in days
(``review_days``): how old its newest data snapshot (View > Save numbers as a snapshot, kept by
:mod:`journeydesk.store.snapshots`) may be.  Its status is one of:

- ``"review due"``: the review-by date has passed (the day itself is still fine);
- ``"stale"``: an interval is set and the newest snapshot is older than it, *or the map has no
  snapshot at all*: an interval promises numbers refreshed that often, and a map that never had
  any has not kept the promise;
- ``"ok"``: a date or an interval is set and neither of the above holds;
- ``"not set"``: neither a date nor an interval.

When both "review due" and "stale" hold, the status is "review due" and its explanation names
both.  Ages are counted in calendar days, from the snapshot's (UTC) date to ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func, select

from journeydesk.app.session import WorkspaceSession
from journeydesk.store.schema import MapRow
from journeydesk.store.snapshots import snapshots_t

__all__ = ["DUE", "NOT_SET", "OK", "STALE", "MapReview", "ReviewStatus", "latest_snapshots",
           "map_reviews", "review_status", "review_statuses"]

OK = "ok"
DUE = "review due"
STALE = "stale"
NOT_SET = "not set"

_maps_t = MapRow.__table__


class Reviewable(Protocol):
    """What a status needs of a map (a JourneyMap, or a row read without loading it)."""

    review_by: str | None
    review_days: int | None


@dataclass(frozen=True)
class ReviewStatus:
    """A map's review state and one line saying why ("review was due 2026-11-30")."""

    state: str  # OK, DUE, STALE or NOT_SET
    explanation: str

    @property
    def needs_attention(self) -> bool:
        """True when the map is due for review or stale (the navigator marks it)."""
        return self.state in (DUE, STALE)

    def __str__(self) -> str:
        """``state: explanation`` (just the state when it is "not set")."""
        return self.state if self.state == NOT_SET else f"{self.state}: {self.explanation}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _review_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:  # not a date: as if none were set (the domain never stores one)
        return None


def review_status(journey_map: Reviewable, last_snapshot_at: datetime | None,
                  today: date) -> ReviewStatus:
    """The review status of ``journey_map`` on ``today``, given when its newest data snapshot
    was taken (None: it has none)."""
    review_by = _review_date(journey_map.review_by)
    every = journey_map.review_days
    if review_by is None and every is None:
        return ReviewStatus(NOT_SET, "no review date or interval set")
    due = review_by is not None and review_by < today
    stale = False
    parts: list[str] = []
    if review_by is not None:
        parts.append(f"review was due {review_by.isoformat()}" if due
                     else f"review by {review_by.isoformat()}")
    if every is not None:
        if last_snapshot_at is None:
            stale = True
            parts.append(f"no data snapshot yet (review every {_days(every)})")
        else:
            age = (today - last_snapshot_at.date()).days
            stale = age > every
            parts.append(f"data snapshot is {_days(max(age, 0))} old (review every {every})")
    if due:  # the date first: it is what someone chose
        return ReviewStatus(DUE, "; ".join(parts))
    if stale:  # the interval's part first
        return ReviewStatus(STALE, "; ".join(parts[::-1]))
    return ReviewStatus(OK, "; ".join(parts))


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def latest_snapshots(session: WorkspaceSession) -> dict[str, datetime]:
    """When each map's newest data snapshot was taken, by map id (maps without one are not
    there); one query, no snapshot's numbers read."""
    query = (select(snapshots_t.c.map_id, func.max(snapshots_t.c.taken_at))
             .group_by(snapshots_t.c.map_id))
    with session.file.connection() as conn:
        rows = conn.execute(query).all()
    found = {map_id: _parse_time(taken_at) for map_id, taken_at in rows}
    return {map_id: when for map_id, when in found.items() if when is not None}


def review_statuses(session: WorkspaceSession,
                    today: date | None = None) -> dict[str, ReviewStatus]:
    """The review status of every map of the session's document (which the app has loaded
    already), by map id."""
    today = today or date.today()
    latest = latest_snapshots(session)
    return {map_id: review_status(m, latest.get(map_id), today)
            for map_id, m in session.workspace.maps.items()}


@dataclass(frozen=True)
class MapReview:
    """A map's owner and review fields with its status, read without loading the map."""

    map_id: str
    name: str
    owner: str
    review_by: str | None
    review_days: int | None
    last_snapshot_at: datetime | None
    status: ReviewStatus


def map_reviews(session: WorkspaceSession, today: date | None = None) -> list[MapReview]:
    """Every map's owner, review date, interval and status, by name: one query over the maps
    and their newest snapshots, without loading any map's content."""
    today = today or date.today()
    newest = (select(snapshots_t.c.map_id, func.max(snapshots_t.c.taken_at).label("taken_at"))
              .group_by(snapshots_t.c.map_id).subquery())
    m = _maps_t.c
    query = (select(m.id, m.name, m.owner, m.review_by, m.review_days, newest.c.taken_at)
             .outerjoin(newest, newest.c.map_id == m.id).order_by(m.name, m.id))
    with session.file.connection() as conn:
        rows = conn.execute(query).all()
    reviews = []
    for map_id, name, owner, review_by, review_days, taken_at in rows:
        when = _parse_time(taken_at)
        fields = _Fields(review_by, review_days)
        reviews.append(MapReview(map_id, name, owner or "", review_by, review_days, when,
                                 review_status(fields, when, today)))
    return reviews


@dataclass(frozen=True)
class _Fields:
    review_by: str | None
    review_days: int | None
