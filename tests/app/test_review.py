"""Issue 19's owner and review: a map's review status, from its fields and newest snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from journeydesk.app.review import (
    DUE,
    NOT_SET,
    OK,
    STALE,
    latest_snapshots,
    map_reviews,
    review_status,
    review_statuses,
)
from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.commands import AddMapCommand, EditMapCommand
from journeydesk.domain.model import JourneyMap
from journeydesk.store.snapshots import save_snapshot

TODAY = date(2026, 12, 7)


@dataclass
class Fields:
    review_by: str | None = None
    review_days: int | None = None


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


def test_nothing_set_is_not_set() -> None:
    status = review_status(Fields(), at("2020-01-01"), TODAY)
    assert status.state == NOT_SET and not status.needs_attention
    assert str(status) == "not set"


@pytest.mark.parametrize(("review_by", "state", "text"), [
    ("2026-11-30", DUE, "review was due 2026-11-30"),
    ("2026-12-06", DUE, "review was due 2026-12-06"),
    ("2026-12-07", OK, "review by 2026-12-07"),  # the day itself is still fine
    ("2027-03-01", OK, "review by 2027-03-01"),
])
def test_a_review_date_is_due_once_it_has_passed(review_by: str, state: str, text: str) -> None:
    status = review_status(Fields(review_by=review_by), None, TODAY)
    assert (status.state, status.explanation) == (state, text)
    assert status.needs_attention == (state == DUE)


@pytest.mark.parametrize(("taken", "state", "text"), [
    ("2026-09-03", STALE, "data snapshot is 95 days old (review every 90)"),
    ("2026-09-07", STALE, "data snapshot is 91 days old (review every 90)"),
    ("2026-09-08", OK, "data snapshot is 90 days old (review every 90)"),
    ("2026-12-06", OK, "data snapshot is 1 day old (review every 90)"),
])
def test_a_snapshot_older_than_the_interval_is_stale(taken: str, state: str,
                                                     text: str) -> None:
    status = review_status(Fields(review_days=90), at(taken), TODAY)
    assert (status.state, status.explanation) == (state, text)


def test_an_interval_without_any_snapshot_is_stale() -> None:
    status = review_status(Fields(review_days=30), None, TODAY)
    assert status.state == STALE
    assert status.explanation == "no data snapshot yet (review every 30 days)"
    assert str(status) == "stale: no data snapshot yet (review every 30 days)"


def test_due_wins_over_stale_and_the_explanation_names_both() -> None:
    status = review_status(Fields("2026-11-30", 90), at("2026-09-03"), TODAY)
    assert status.state == DUE
    assert status.explanation == ("review was due 2026-11-30; data snapshot is 95 days old "
                                  "(review every 90)")
    stale = review_status(Fields("2027-01-31", 90), at("2026-09-03"), TODAY)
    assert stale.state == STALE
    assert stale.explanation == ("data snapshot is 95 days old (review every 90); "
                                 "review by 2027-01-31")


# --------------------------------------------------------------------------- a session
@pytest.fixture
def session(tmp_path: Path):  # noqa: ANN201
    """Three maps: A (due), B (stale by its snapshots), C (nothing set)."""
    with WorkspaceSession.open(tmp_path / "ws.jdesk", create=True) as session:
        ids = {}
        for name in ("B", "A", "C"):
            m = JourneyMap(name=name)
            session.document.execute(AddMapCommand(m, []))
            ids[name] = m.id
        session.document.execute(EditMapCommand(ids["A"], owner="Ana", review_by="2026-12-01"))
        session.document.execute(EditMapCommand(ids["B"], owner="Bo", review_days=90))
        for day in ("2026-08-01", "2026-09-03", "2026-05-01"):  # the newest one counts
            save_snapshot(session.file, ids["B"], "dataset", {"stages": []}, taken_at=at(day))
        session.ids = ids  # type: ignore[attr-defined]
        yield session


def test_latest_snapshots_are_the_newest_per_map(session: WorkspaceSession) -> None:
    ids = session.ids  # type: ignore[attr-defined]
    assert latest_snapshots(session) == {ids["B"]: at("2026-09-03")}
    assert datetime(2026, 9, 3, 12, tzinfo=UTC) == latest_snapshots(session)[ids["B"]]


def test_statuses_of_the_document_and_of_the_file_agree(session: WorkspaceSession) -> None:
    ids = session.ids  # type: ignore[attr-defined]
    statuses = review_statuses(session, TODAY)
    assert {name: statuses[ids[name]].state for name in ids} == {
        "A": DUE, "B": STALE, "C": NOT_SET}
    reviews = map_reviews(session, TODAY)
    assert [(r.name, r.owner, r.review_by, r.review_days, r.status.state) for r in reviews] == [
        ("A", "Ana", "2026-12-01", None, DUE),
        ("B", "Bo", None, 90, STALE),
        ("C", "", None, None, NOT_SET)]
    assert reviews[1].last_snapshot_at == at("2026-09-03")
    assert str(reviews[1].status) == "stale: data snapshot is 95 days old (review every 90)"
    assert all(statuses[r.map_id] == r.status for r in reviews)


def test_map_reviews_read_a_read_only_file_without_loading_it(session: WorkspaceSession,
                                                              tmp_path: Path) -> None:
    session.close()
    with WorkspaceSession.open(tmp_path / "ws.jdesk", read_only=True) as reader:
        reviews = map_reviews(reader, TODAY)
        assert reader._document is None  # nothing loaded  # noqa: SLF001
    assert [r.status.state for r in reviews] == [DUE, STALE, NOT_SET]
