"""What people did instead of a stage, and flows between the stages: docs/data.md's worked
examples by hand, and the engine against the brute-force reference (tests/funnel_reference.py)
on logs made up by hypothesis (ties, repeats, one event bound to two stages, periods, windows,
segments)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import funnel_reference as ref
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journeydesk.analytics import engine
from journeydesk.analytics.funnel import MetricsError, dropped_users
from journeydesk.analytics.paths import (
    DropOffPaths,
    Flows,
    NextEvent,
    NextPath,
    StageFlow,
    Transition,
    flows,
    next_events,
)

MakeDataset = Callable[..., bytes]
DAY = 86_400

# docs/data.md, "What they did instead": the drop-off before Buy
SHOP = [("Visit", ["home"]), ("Cart", ["cart"]), ("Buy", ["buy"])]
DROPS = [
    ("p1", "home", "2024-05-01 10:00:00"), ("p1", "cart", "2024-05-01 10:05:00"),
    ("p1", "cart", "2024-05-01 10:06:00"), ("p1", "search", "2024-05-01 10:07:00"),
    ("p1", "cart", "2024-05-01 10:08:00"),
    ("p2", "home", "2024-05-01 10:00:00"), ("p2", "cart", "2024-05-01 10:05:00"),
    ("p2", "help", "2024-05-01 10:05:00"), ("p2", "search", "2024-05-01 10:10:00"),
    ("p2", "search", "2024-05-01 10:20:00"), ("p2", "faq", "2024-05-01 10:20:00"),
    ("p3", "home", "2024-05-01 10:00:00"), ("p3", "cart", "2024-05-01 10:05:00"),
    ("p3", "search", "2024-05-01 10:06:00"),
    ("p4", "home", "2024-05-01 10:00:00"), ("p4", "cart", "2024-05-01 10:05:00"),
    ("p5", "home", "2024-05-01 10:00:00"), ("p5", "cart", "2024-05-01 10:05:00"),
    ("p5", "buy", "2024-05-01 10:09:00"),
]

# docs/data.md, "Worked example: no options" (the flows example)
FIRST_STAGES = [("Visit", ["home", "landing"]), ("Sign up", ["signup"]), ("Support", []),
                ("Buy", ["buy"])]
FIRST_LOG = [
    ("u1", "home", "2024-05-01 10:00:00"), ("u1", "home", "2024-05-01 10:30:00"),
    ("u1", "signup", "2024-05-01 10:10:00"), ("u1", "buy", "2024-05-01 11:10:00"),
    ("u2", "landing", "2024-05-01 09:00:00"), ("u2", "signup", "2024-05-01 09:00:00"),
    ("u2", "buy", "2024-05-01 08:00:00"), ("u2", "buy", "2024-05-01 12:00:00"),
    ("u3", "signup", "2024-05-01 08:00:00"), ("u3", "home", "2024-05-01 09:00:00"),
    ("u3", "signup", "2024-05-01 09:30:00"),
    ("u4", "signup", "2024-05-01 10:00:00"), ("u4", "buy", "2024-05-01 10:00:00"),
    ("u5", "home", "2024-05-01 10:00:00"), ("u5", "buy", "2024-05-01 10:05:00"),
    ("u6", "landing", "2024-05-01 10:00:00"),
    ("u7", "support", "2024-05-01 10:00:00"),
]

# docs/data.md, "Worked example: period, window, segment, breakdown"
PERIOD_STAGES = [("Visit", ["home", "landing/*"]), ("Cart", ["cart"]), ("Buy", ["buy"])]
PERIOD_LOG = [
    ("a", "home", "2024-05-01 10:00:00", "ios"), ("a", "cart", "2024-05-02 09:00:00", "web"),
    ("a", "home", "2024-05-02 12:00:00", "web"), ("a", "cart", "2024-05-02 13:00:00", "web"),
    ("a", "buy", "2024-05-04 10:00:00", "web"),
    ("b", "landing/promo", "2024-05-02 10:00:00", "android"),
    ("b", "cart", "2024-05-02 10:05:00", "web"), ("b", "buy", "2024-05-02 10:30:00", "web"),
    ("d", "home", "2024-05-02 08:00:00", "web"), ("d", "cart", "2024-05-02 09:00:00", "web"),
    ("d", "home", "2024-05-03 07:00:00", "web"), ("d", "cart", "2024-05-03 08:00:00", "web"),
    ("d", "buy", "2024-05-03 10:00:00", "web"),
]
PERIOD = {"date_from": date(2024, 5, 2), "date_to": date(2024, 5, 3)}


def test_what_they_did_instead_worked_example(make_dataset: MakeDataset) -> None:
    data = make_dataset(DROPS)
    found = next_events(data, SHOP, 2)
    assert found == DropOffPaths("Buy", "Cart", 3, 4, [
        NextEvent("search", 2, 0.5), NextEvent("cart", 1, 0.25), NextEvent(None, 1, 0.25)], [
        NextPath(("cart", "search", "cart"), 1, 0.25),
        NextPath(("search", "faq", "search"), 1, 0.25),
        NextPath(("search", None), 1, 0.25),
        NextPath((None,), 1, 0.25)])
    assert found.other_next == 0 and found.other_paths == 0
    hidden = next_events(data, SHOP, 2, hide=["cart"])
    assert hidden.next_events == [NextEvent("search", 3, 0.75), NextEvent(None, 1, 0.25)]
    assert NextPath(("search", None), 2, 0.5) in hidden.paths
    one = next_events(data, SHOP, 2, steps=1, top=1)
    assert one.paths == [NextPath(("search",), 2, 0.5)] and one.other_paths == 2
    assert one.to_json()["next_events"] == [{"event": "search", "users": 2, "share": 0.5}]
    assert found.to_json()["paths"][3] == {"path": [None], "users": 1, "share": 0.25}


def test_the_window_decides_who_dropped_not_what_came_next(make_dataset: MakeDataset) -> None:
    data = make_dataset(PERIOD_LOG, header=("user", "event", "time", "platform"))
    found = next_events(data, PERIOD_STAGES, 2, **PERIOD, window_seconds=DAY)
    assert found.users == 1  # a
    assert found.next_events == [NextEvent("buy", 1, 1.0)]
    assert found.paths == [NextPath(("buy", None), 1, 1.0)]
    assert next_events(data, PERIOD_STAGES, 2, **PERIOD).users == 0  # nobody drops then
    # the first bound stage: nobody drops off before the funnel starts
    assert next_events(data, PERIOD_STAGES, 0).users == 0


def test_flows_worked_example(make_dataset: MakeDataset) -> None:
    found = flows(make_dataset(FIRST_LOG), FIRST_STAGES)
    assert found == Flows(6, 1, 2, 3, [
        StageFlow("Visit", 0, 3, 1), StageFlow("Sign up", 1, 2, 1), StageFlow("Buy", 3, 1, 4)], [
        Transition("Visit", "Sign up", "forward", 3),
        Transition("Visit", "Buy", "skip", 2),
        Transition("Sign up", "Visit", "back", 2),
        Transition("Sign up", "Buy", "forward", 2),
        Transition("Buy", "Visit", "back", 1)])
    assert found.share_in_order == 1 / 6
    assert found.to_json()["transitions"][0] == {"from": "Visit", "to": "Sign up",
                                                 "kind": "forward", "users": 3}


def test_flows_follow_the_period_and_segment(make_dataset: MakeDataset) -> None:
    data = make_dataset(PERIOD_LOG, header=("user", "event", "time", "platform"))
    # a enters in the period at cart 2 May 09:00 (home 1 May is before it): Cart, Visit, Cart,
    # Buy (the buy of 4 May counts); b in order; d Visit, Cart, Visit, Cart, Buy
    found = flows(data, PERIOD_STAGES, **PERIOD)
    assert (found.users, found.in_order, found.skipped, found.went_back) == (3, 1, 0, 2)
    assert [(s.stage, s.starts, s.exits) for s in found.stages] == [
        ("Visit", 2, 0), ("Cart", 1, 0), ("Buy", 0, 3)]
    web = flows(data, PERIOD_STAGES, **PERIOD, where={"platform": "web"})
    assert (web.users, web.in_order, web.went_back) == (2, 0, 2)  # a and d
    assert flows(data, [("None", [])]) == Flows(0, 0, 0, 0, [], [])
    assert flows(data, PERIOD_STAGES, date_from=date(2024, 6, 1)).users == 0


def test_bad_arguments(make_dataset: MakeDataset) -> None:
    data = make_dataset(DROPS)
    with pytest.raises(MetricsError, match="steps"):
        next_events(data, SHOP, 2, steps=0)
    with pytest.raises(MetricsError, match="from 1 to 10"):  # 100,000 took minutes and GBs
        next_events(data, SHOP, 2, steps=11)
    with pytest.raises(MetricsError, match="top"):
        next_events(data, SHOP, 2, top=-1)
    with pytest.raises(MetricsError, match="bound to no events"):
        next_events(data, [("A", ["home"]), ("B", [])], 1)
    with pytest.raises(MetricsError, match="no attribute"):
        flows(data, SHOP, where={"platform": "ios"})


# --------------------------------------------------------------------------- against the reference
def write_parquet(rows: Sequence[tuple], path: Path) -> Path:
    """rows of (user, event, time, {"platform": ..., "plan": ...}) as a dataset's Parquet."""
    con = engine.connect(path.parent)
    try:
        con.execute("CREATE TABLE t (\"user\" VARCHAR, event VARCHAR, ts TIMESTAMP, "
                    "platform VARCHAR, plan VARCHAR)")
        if rows:
            con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                            [(u, e, t, a.get("platform"), a.get("plan"))
                             for u, e, t, a in rows])
        con.execute(f"COPY t TO {engine.literal(str(path))} (FORMAT parquet)")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="journeydesk-paths-") as tmp:
        yield Path(tmp)


_counter = iter(range(10**9))
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
hides = st.lists(st.sampled_from(["a", "b", "c", "é", "x[1]"]), max_size=2)


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options(),
       shape=st.tuples(st.integers(1, 4), hides, st.sampled_from([0, 1, 2, 10])))
def test_next_events_match_the_reference(folder: Path, rows, binding, opts, shape) -> None:
    steps, hide, top = shape
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    bound = [i for i, (_, names) in enumerate(stages) if names]
    assume(bound)
    data = write_parquet(rows, folder / f"log{next(_counter)}.parquet")
    for index in bound:
        found = next_events(data, stages, index, steps=steps, hide=hide, top=top, **opts)
        assert found == ref.next_events(rows, stages, index, steps=steps, hide=hide, top=top,
                                        **opts)
        assert found.users == len(dropped_users(data, stages, index, **opts))


@SETTINGS
@given(rows=ref.logs, binding=ref.bindings, opts=ref.options())
def test_flows_match_the_reference(folder: Path, rows, binding, opts) -> None:
    stages = [(f"S{i}", names) for i, names in enumerate(binding)]
    data = write_parquet(rows, folder / f"log{next(_counter)}.parquet")
    plain = {k: v for k, v in opts.items() if k != "window_seconds"}
    found = flows(data, stages, **plain)
    assert found == ref.flows(rows, stages, **plain)
    assert sum(s.exits for s in found.stages) == found.users
    assert sum(s.starts for s in found.stages) == found.users


# --------------------------------------------------------------------------- the commands
@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    from journeydesk.app.imports import load_event_file, store_events
    from journeydesk.app.session import WorkspaceSession
    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.domain.model import JourneyMap, Stage

    path = tmp_path / "ws.jdesk"
    with WorkspaceSession.open(path, create=True) as session:
        session.document.execute(AddMapCommand(JourneyMap(name="Shop", stages=[
            Stage(name="Visit", events=["home"]), Stage(name="Help", events=[]),
            Stage(name="Cart", events=["cart"]), Stage(name="Buy", events=["buy"])])))
        log = tmp_path / "log.csv"
        log.write_text("user,event,time\n" + "".join(f"{u},{e},{t}\n" for u, e, t in DROPS),
                       encoding="utf-8")
        store_events(session, "log", log, load_event_file(log))
    return path


def test_paths_and_flows_commands(workspace: Path, capsys) -> None:  # noqa: ANN001
    import json

    from journeydesk.cli import main

    assert main(["paths", str(workspace), "--map", "Shop", "--after-stage", "Cart",
                 "--json", "--hide", "cart", "--to", "2024-05-01"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["definition"] == {"from": None, "to": "2024-05-01", "window_seconds": None,
                                   "segment": {}, "after_stage": "Cart", "stage": "Buy",
                                   "steps": 3, "hide": ["cart"]}
    assert found["users"] == 4 and found["other_next"] == 0
    assert found["next_events"] == [{"event": "search", "users": 3, "share": 0.75},
                                    {"event": None, "users": 1, "share": 0.25}]
    assert main(["paths", str(workspace), "--map", "Shop", "--after-stage", "Cart",
                 "--steps", "1"]) == 0
    table = capsys.readouterr().out
    assert "4 people reached Cart but not Buy" in table and "(left)" in table
    assert "search" in table.splitlines()[2]
    # the drop-off after Visit is before Cart (Help is unbound)
    assert main(["paths", str(workspace), "--map", "Shop", "--after-stage", "Visit",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["definition"]["stage"] == "Cart"
    for stage, status in (("Buy", 1), ("Help", 1), ("Nope", 1)):
        assert main(["paths", str(workspace), "--map", "Shop", "--after-stage", stage]) == \
            status
    assert "last bound stage" in capsys.readouterr().err
    for steps in ("0", "11", "100000"):
        assert main(["paths", str(workspace), "--map", "Shop", "--after-stage", "Cart",
                     "--steps", steps]) == 2
        assert "from 1 to 10" in capsys.readouterr().err

    assert main(["flows", str(workspace), "--map", "Shop", "--json"]) == 0
    flows_json = json.loads(capsys.readouterr().out)
    assert (flows_json["users"], flows_json["in_order"], flows_json["share_in_order"]) == \
        (5, 5, 1.0)  # p1-p4 Visit, Cart (repeats collapsed); p5 Visit, Cart, Buy
    assert [(s["stage"], s["exits"]) for s in flows_json["stages"]] == [
        ("Visit", 0), ("Cart", 4), ("Buy", 1)]
    assert flows_json["definition"]["window_seconds"] is None
    assert main(["flows", str(workspace), "--map", "Shop"]) == 0
    assert "in planned order 5 (100.0%)" in capsys.readouterr().out
    assert main(["flows", str(workspace), "--map", "Shop", "--window", "1d"]) == 2
