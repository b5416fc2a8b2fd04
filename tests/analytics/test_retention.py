"""Retention and churn after a stage: docs/data.md's worked example by hand, the options, and
the engine against the brute-force reference (tests/retention_reference.py) on logs made up by
hypothesis."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
import retention_reference as rref
from hypothesis import HealthCheck, assume, given, settings
from test_funnel_options import write_parquet

from journeydesk.analytics.funnel import MetricsError, funnel
from journeydesk.analytics.retention import Churn, RetentionCell, retention

MakeDataset = Callable[..., bytes]

# docs/data.md, "Worked example: retention after Buy"
STAGES = [("Visit", ["home"]), ("Buy", ["buy"])]
EXAMPLE = [
    ("u1", "home", "2024-05-01 10:00:00"), ("u1", "buy", "2024-05-01 10:30:00"),
    ("u1", "home", "2024-05-02 11:00:00"), ("u1", "buy", "2024-05-04 12:00:00"),
    ("u2", "home", "2024-05-01 09:00:00"), ("u2", "buy", "2024-05-01 12:00:00"),
    ("u2", "home", "2024-05-02 11:59:00"), ("u2", "home", "2024-05-03 12:00:00"),
    ("u3", "home", "2024-05-06 08:00:00"), ("u3", "buy", "2024-05-06 09:00:00"),
    ("u3", "home", "2024-05-07 20:00:00"),
    ("u4", "home", "2024-05-01 10:00:00"),
    ("u5", "home", "2024-05-06 10:55:00"), ("u5", "buy", "2024-05-06 11:00:00"),
    ("u6", "home", "2024-05-08 10:00:00"),
]


@pytest.fixture
def example(make_dataset: MakeDataset) -> bytes:
    return make_dataset(EXAMPLE)


def counts(cells) -> list[tuple[int, int, int]]:
    return [(c.observable, c.in_period, c.or_later) for c in cells]


def test_worked_example(example: bytes) -> None:
    kept = retention(example, STAGES, 1, every="day", periods=3)
    assert kept.users == 4 and kept.data_end == datetime(2024, 5, 8, 10)
    assert counts(kept.overall) == [(3, 2, 3), (2, 1, 2), (2, 1, 1)]
    assert [c.in_period_share for c in kept.overall] == [2 / 3, 0.5, 0.5]
    assert [c.or_later_share for c in kept.overall] == [1.0, 1.0, 0.5]
    assert kept.churn == Churn(3, 2, 1) and kept.churn.share == 0.5
    first, second = kept.cohorts
    assert (first.start, first.users, counts(first.cells)) == (
        date(2024, 4, 29), 2, [(2, 1, 2), (2, 1, 2), (2, 1, 1)])
    assert all(c.complete for c in first.cells)
    assert (second.start, second.users, counts(second.cells)) == (
        date(2024, 5, 6), 2, [(1, 1, 1), (0, 0, 0), (0, 0, 0)])
    assert not second.cells[0].complete  # u5 has not had a whole day 1: not lost
    assert second.cells[1].in_period_share is None and second.cells[1].or_later_share is None
    # the users are those the funnel counts at the anchor
    assert kept.users == funnel(example, STAGES).stages[1].users


def test_worked_example_repeat_purchase_and_json(example: bytes) -> None:
    kept = retention(example, STAGES, 1, every="day", periods=3, events=["buy"],
                     churn_at=1)
    assert counts(kept.overall) == [(3, 0, 1), (2, 0, 1), (2, 1, 1)]
    assert kept.churn == Churn(1, 3, 2)
    found = kept.to_json()
    assert found["definition"] == {"anchor": "Buy", "every": "day", "period_seconds": 86_400,
                                   "periods": 3, "events": ["buy"], "cohort": "week",
                                   "churn_at": 1}
    assert found["data_end"] == "2024-05-08T10:00:00" and found["users"] == 4
    assert found["retention"][2] == {"period": 3, "observable": 2, "in_period": 1,
                                     "in_period_share": 0.5, "or_later": 1,
                                     "or_later_share": 0.5}
    assert found["cohorts"][1]["periods"][0]["complete"] is False
    assert found["churn"] == {"period": 1, "observable": 3, "churned": 2, "share": 2 / 3}


def test_month_cohorts_and_weeks(example: bytes) -> None:
    kept = retention(example, STAGES, 1, every="week", periods=2, cohort="month")
    assert [(c.start, c.users) for c in kept.cohorts] == [(date(2024, 5, 1), 4)]
    # nobody has had a whole week 1 (the data ends 8 May): all cells empty, nobody lost
    assert counts(kept.overall) == [(0, 0, 0), (0, 0, 0)]
    assert kept.churn.share is None


def test_period_edges_are_exact_to_the_microsecond(make_dataset: MakeDataset) -> None:
    data = make_dataset([
        ("a", "buy", "2024-05-01 10:00:00"), ("a", "x", "2024-05-01 11:00:00"),
        ("b", "buy", "2024-05-01 10:00:00"), ("b", "x", "2024-05-01 10:59:59.999999"),
        ("c", "buy", "2024-05-01 10:00:00.000001"), ("c", "x", "2024-05-01 12:00:00"),
        ("z", "end", "2024-05-01 13:00:00")])
    kept = retention(data, [("Buy", ["buy"])], 0, every=3600, periods=2)
    # hour 1 starts with a's x (inclusive); b's x is a microsecond before it, in hour 0; c's
    # hour 1 runs to 12:00:00.000001, so its x at 12:00 is in it.  Hour 2 of a and b ends at
    # 13:00, the end of the data: observable; c's a microsecond later: not (and not lost).
    assert counts(kept.overall) == [(3, 2, 2), (2, 0, 0)]
    assert [c.period for c in kept.overall] == [1, 2]


def test_options_choose_the_users(make_dataset: MakeDataset) -> None:
    data = make_dataset([
        ("a", "home", "2024-05-01 10:00:00", "ios"), ("a", "buy", "2024-05-03 10:00:00", "ios"),
        ("a", "home", "2024-05-04 11:00:00", "web"),
        ("b", "home", "2024-05-02 10:00:00", "web"), ("b", "buy", "2024-05-02 11:00:00", "web"),
        ("b", "home", "2024-05-03 12:00:00", "web"),
        ("c", "home", "2024-05-09 10:00:00", "web")],
        header=("user", "event", "time", "platform"))
    day = {"every": "day", "periods": 2}
    assert retention(data, STAGES, 1, **day).users == 2
    assert retention(data, STAGES, 1, **day, window_seconds=86_400).users == 1  # a: 2 days
    assert retention(data, STAGES, 1, **day, where={"platform": "ios"}).users == 1
    # a period that selects b's entry only; a's events after it still count for a... not here
    only_b = retention(data, STAGES, 1, **day, date_from=date(2024, 5, 2))
    assert only_b.users == 1 and counts(only_b.overall) == [(1, 1, 1), (1, 0, 0)]


def test_bad_options(example: bytes) -> None:
    with pytest.raises(MetricsError, match="every"):
        retention(example, STAGES, 1, every="fortnight")
    with pytest.raises(MetricsError, match="periods"):
        retention(example, STAGES, 1, periods=0)
    with pytest.raises(MetricsError, match="cohort"):
        retention(example, STAGES, 1, cohort="day")
    with pytest.raises(MetricsError, match="churn horizon"):
        retention(example, STAGES, 1, periods=3, churn_at=4)
    with pytest.raises(MetricsError, match="bound to no events"):
        retention(example, [*STAGES, ("Later", [])], 2)
    with pytest.raises(MetricsError, match="no stage"):
        retention(example, STAGES, 5)


def test_nobody_reaches_the_anchor(example: bytes) -> None:
    kept = retention(example, [("Never", ["nothing"])], 0, every="day", periods=2)
    assert kept.users == 0 and kept.cohorts == ()
    assert kept.overall == (RetentionCell(1, 0, 0, 0, 0), RetentionCell(2, 0, 0, 0, 0))
    assert kept.churn.share is None and kept.data_end == datetime(2024, 5, 8, 10)


# --------------------------------------------------------------------------- against the reference
@pytest.fixture(scope="module")
def folder() -> Path:
    with tempfile.TemporaryDirectory(prefix="journeydesk-retention-") as tmp:
        yield Path(tmp)


_counter = iter(range(10**9))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=rref.cases())
def test_retention_matches_the_reference(folder: Path, case: dict) -> None:
    rows, stages, anchor, opts = case["rows"], case["stages"], case["anchor"], case["options"]
    assume(anchor is not None)
    keywords = case["keywords"]
    data = write_parquet(rows, folder / f"log{next(_counter)}.parquet")
    mine = retention(data, stages, anchor, **keywords, **opts)
    theirs = rref.retention(rows, stages, anchor, **{
        "events_of" if k == "events" else k: v for k, v in keywords.items()}, **opts)
    assert mine == theirs
    assert mine.users == funnel(data, stages, **opts).stages[anchor].users
    for cell in mine.overall:  # n or later never below in period n
        assert cell.in_period <= cell.or_later <= cell.observable <= cell.users


# --------------------------------------------------------------------------- app and command line
@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    from journeydesk.app.imports import load_event_file, store_events
    from journeydesk.app.session import WorkspaceSession
    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.domain.model import JourneyMap, Stage

    path = tmp_path / "ws.jdesk"
    with WorkspaceSession.open(path, create=True) as session:
        m = JourneyMap(name="Shop", stages=[Stage(name="Visit", events=["home"]),
                                            Stage(name="Buy", events=["buy"]),
                                            Stage(name="Support", events=[])])
        session.document.execute(AddMapCommand(m))
        log = tmp_path / "log.csv"
        log.write_text("user,event,time\n" + "".join(f"{u},{e},{t}\n" for u, e, t in EXAMPLE),
                       encoding="utf-8")
        store_events(session, "web", log, load_event_file(log))
    return path


def test_the_command_prints_json_and_tables(workspace: Path, capsys) -> None:
    import json

    from journeydesk.cli.main import main

    args = ["retention", str(workspace), "--map", "Shop", "--anchor", "Buy", "--every", "day",
            "--periods", "3"]
    assert main([*args, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["map"] == "Shop" and found["dataset"] == "web" and found["users"] == 4
    assert found["definition"] == {"from": None, "to": None, "window_seconds": None,
                                   "segment": {}, "anchor": "Buy", "every": "day",
                                   "period_seconds": 86_400, "periods": 3, "events": None,
                                   "cohort": "week", "churn_at": 3}
    assert [p["in_period"] for p in found["retention"]] == [2, 1, 1]
    assert found["churn"] == {"period": 3, "observable": 2, "churned": 1, "share": 0.5}
    assert main([*args, "--events", "buy", "--churn-at", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["churn"]["churned"] == 2
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "after Buy, by day | 4 users" in text and "Churn at day 3: 50.0%" in text
    assert "2024-05-06" in text and "100.0%*" in text  # the partial cell is marked
    # errors: an unknown or unbound anchor (1), malformed options (2)
    assert main([*args[:5], "Nope"]) == 1
    assert main([*args[:5], "Support"]) == 1
    assert "bound to no events" in capsys.readouterr().err
    assert main([*args, "--churn-at", "4"]) == 2
    assert main([*args[:-1], "0"]) == 2
    assert main([*args, "--where", "platform"]) == 2


def test_the_app_layer_headline(example: bytes) -> None:
    from journeydesk.app.metrics import MetricsOptions
    from journeydesk.app.retention import MapRetention, parse_events, stage_retention

    assert parse_events(" buy, renew* ,") == ["buy", "renew*"] and parse_events(",") is None
    kept = stage_retention(example, STAGES, 1, MetricsOptions(), every="day", periods=3)
    assert MapRetention("Shop", "web", MetricsOptions(), kept).headline() == \
        "day 3 or later: 50.0% of 2"
