"""Issue 19's evidence coverage and comment threads, computed without Qt."""

from __future__ import annotations

from datetime import UTC, date, datetime

from samples import sample_map

from journeydesk.app.comments import excerpt, open_counts, shown_time, thread_of, threads
from journeydesk.app.evidence import evidence_coverage, measured_source
from journeydesk.domain.model import Comment, JourneyMap, LaneType


def pain_cards(m: JourneyMap) -> list:
    lanes = {lane.id for lane in m.lanes if lane.type is LaneType.PAIN_POINTS}
    return [c for c in m.ordered_cards() if c.lane_id in lanes]


def test_coverage_counts_levels_overall_and_for_pain_points() -> None:
    m, _ = sample_map()
    pains = pain_cards(m)
    assert len(pains) == 4  # one per step
    pains[0].evidence = "measured"
    pains[1].evidence = "research"
    pains[2].evidence = "observed"
    others = [c for c in m.cards.values() if c not in pains]
    others[0].evidence = "observed"

    coverage = evidence_coverage(m)

    assert coverage.cards == len(m.cards)
    assert coverage.pain_points == 4
    assert coverage.pain_counts == {"assumed": 1, "research": 1, "observed": 1, "measured": 1}
    assert coverage.counts["observed"] == 2
    assert coverage.counts["assumed"] == len(m.cards) - 4
    assert coverage.backed_pain_points == 3
    assert coverage.pain_share == 0.75
    assert coverage.sentence == "75% of pain points backed by research or data"
    assert "Measured in data: 1 (1 pain points)" in coverage.details()


def test_coverage_rounds_and_names_what_is_missing() -> None:
    m, _ = sample_map(cards_per_cell=2)  # 8 pain points
    for card in pain_cards(m)[:5]:
        card.evidence = "research"
    assert evidence_coverage(m).sentence == "62% of pain points backed by research or data"

    for lane in m.lanes:
        if lane.type is LaneType.PAIN_POINTS:
            lane.type = LaneType.NOTES
    coverage = evidence_coverage(m)
    assert coverage.pain_share is None
    assert coverage.sentence == (f"No pain points yet; 5 of {len(m.cards)} cards backed by "
                                 "research or data")

    empty = JourneyMap(name="Empty")
    assert evidence_coverage(empty).sentence == "No cards yet"
    assert evidence_coverage(empty).cards == 0


def test_measured_source_names_the_data_and_the_day() -> None:
    assert measured_source("signups, all users", date(2026, 12, 7)) == \
        "signups, all users; taken 2026-12-07"
    assert measured_source("  ", date(2026, 1, 2)) == "event data; taken 2026-01-02"


def test_threads_list_open_ones_in_reading_order() -> None:
    m, _ = sample_map()
    first, second, third = m.ordered_cards()[:3]
    for comment in (Comment(second.id, "why?", "Ana", "2026-12-01T10:00:00+00:00"),
                    Comment(second.id, "because", "Bo", "2026-12-02T10:00:00+00:00",
                            resolved=True),
                    Comment(first.id, "check", "Ana", "2026-12-03T10:00:00+00:00"),
                    Comment(third.id, "done", "Bo", "2026-12-04T10:00:00+00:00",
                            resolved=True)):
        m.comments[comment.id] = comment

    assert open_counts(m) == {first.id: 1, second.id: 1}
    found = threads(m)
    assert [t.card_id for t in found] == [first.id, second.id]
    assert found[1].open == 1 and found[1].total == 2
    assert found[1].latest == "2026-12-02T10:00:00+00:00"
    assert found[0].stage == "Discover"
    assert [t.card_id for t in threads(m, resolved=True)] == [first.id, second.id, third.id]

    del m.cards[first.id]  # a deleted card's thread is not listed (it comes back with it)
    assert [t.card_id for t in threads(m)] == [second.id]


def test_excerpt_and_time() -> None:
    assert excerpt("  two\n lines ") == "two lines"
    assert excerpt("") == "(empty card)"
    assert excerpt("x" * 100, 10) == "x" * 9 + "…"
    moment = datetime(2026, 12, 7, 13, 5, tzinfo=UTC)
    assert shown_time(moment.isoformat()) == moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert shown_time("not a time") == "not a time"


def test_a_thread_keeps_the_order_comments_of_one_second_were_added_in() -> None:
    m, _ = sample_map()
    card = m.ordered_cards()[0]
    same = "2026-12-07T13:00:00+00:00"
    added = [Comment(card.id, f"#{i}", "Ana", same) for i in range(6)]
    added.insert(0, Comment(card.id, "later", "Bo", "2026-12-07T13:00:05+00:00"))
    for comment in added:
        m.comments[comment.id] = comment
    assert [c.text for c in thread_of(m, card.id)] == [f"#{i}" for i in range(6)] + ["later"]
