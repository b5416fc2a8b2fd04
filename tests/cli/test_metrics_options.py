"""``metrics`` with a conversion window, a breakdown and a comparison, on a hand-computed log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeydesk.app.imports import load_event_file, store_events
from journeydesk.app.session import WorkspaceSession
from journeydesk.cli import main
from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import JourneyMap, Stage

# u1 (mobile) a, b an hour later, c two days later; u2 (desktop) a, b three days later;
# u3 (mobile) a, then c only; u4 (desktop) b only: in scope, in no chain.
LOG = """user,event,time,platform
u1,a,2024-03-01 10:00:00,mobile
u1,b,2024-03-01 11:00:00,mobile
u1,c,2024-03-03 10:00:00,mobile
u2,a,2024-03-01 10:00:00,desktop
u2,b,2024-03-04 10:00:00,desktop
u3,a,2024-03-02 10:00:00,mobile
u3,c,2024-03-02 11:00:00,mobile
u4,b,2024-03-02 10:00:00,desktop
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "ws.jdesk"
    with WorkspaceSession.open(path, create=True) as session:
        m = JourneyMap(name="M", stages=[Stage(name="A", events=["a"]),
                                         Stage(name="B", events=["b"]),
                                         Stage(name="C", events=["c"])])
        session.document.execute(AddMapCommand(m))
        log = tmp_path / "log.csv"
        log.write_text(LOG, encoding="utf-8")
        store_events(session, "log", log, load_event_file(log))
    return path


def metrics(capsys, workspace: Path, *args: str) -> dict:  # noqa: ANN001
    assert main(["metrics", str(workspace), "--map", "M", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def users(found: dict) -> list:
    return [s["users"] for s in found["stages"]]


def test_a_window_keeps_only_chains_that_finish_in_time(workspace: Path, capsys) -> None:
    unlimited = metrics(capsys, workspace)
    assert (unlimited["users_total"], users(unlimited)) == (4, [3, 2, 1])
    day = metrics(capsys, workspace, "--window", "1d")
    assert (day["users_total"], users(day)) == (4, [3, 1, 0])
    assert day["definition"] == {"from": None, "to": None, "window_seconds": 86400.0,
                                 "segment": {}}
    assert users(metrics(capsys, workspace, "--window", "3d")) == [3, 2, 1]


def test_a_breakdown_gives_each_user_one_value(workspace: Path, capsys) -> None:
    found = metrics(capsys, workspace, "--breakdown", "platform")
    assert found["definition"]["breakdown"] == "platform"
    parts = {p["value"]: (p["users_total"], [s["users"] for s in p["stages"]])
             for p in found["breakdown"]}
    assert parts == {"mobile": (2, [2, 1, 1]), "desktop": (2, [1, 1, 0])}
    assert sum(p["users_total"] for p in found["breakdown"]) == found["users_total"]


def test_compare_tests_a_segment_against_the_rest(workspace: Path, capsys) -> None:
    found = metrics(capsys, workspace, "--compare", "platform=mobile")
    comparison = found["comparison"]
    assert comparison["segment"] == {"platform": "mobile"}
    assert (comparison["group_users_total"], comparison["rest_users_total"]) == (2, 2)
    b = comparison["stages"][1]
    assert (b["group_users"], b["group_of"], b["rest_users"], b["rest_of"]) == (1, 2, 1, 1)
    assert b["verdict"] == "too few users (< 30)"
    assert "verdict" not in comparison["stages"][0]  # the first stage has nothing before it
    assert main(["metrics", str(workspace), "--map", "M", "--compare", "platform=mobile",
                 "--breakdown", "platform", "--window", "12h"]) == 0
    table = capsys.readouterr().out
    assert "| within 12h" in table and "by platform" in table
    assert "platform=mobile against the rest" in table


@pytest.mark.parametrize(("args", "message"), [
    (["--window", "7"], "--window: '7' is not a duration"),
    (["--window=-2d"], "is not a duration"),
    (["--compare", "platform"], "--compare takes COLUMN=VALUE"),
])
def test_bad_options_are_usage_errors(workspace: Path, capsys, args: list[str],
                                      message: str) -> None:
    assert main(["metrics", str(workspace), "--map", "M", *args]) == 2
    assert message in capsys.readouterr().err


def test_dropped_lists_who_did_not_reach_a_stage_and_who_did_it_anyway(
        workspace: Path, capsys, tmp_path: Path) -> None:
    assert main(["dropped", str(workspace), "--map", "M", "--stage", "C"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "u2\n"
    assert "1 person did not reach C after B" in captured.err
    # within a day u1 reaches B but its c comes two days later: it did C, outside the window
    out = tmp_path / "ids.csv"
    assert main(["dropped", str(workspace), "--map", "M", "--stage", "C", "--window", "1d",
                 "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "user\nu1\n"
    err = capsys.readouterr().err
    assert ("1 person did not reach C after B within 1d; 1 of them did C anyway (out of "
            "order or outside the window)") in err
    assert main(["dropped", str(workspace), "--map", "M", "--stage", "A"]) == 1
    assert "nobody drops off before it" in capsys.readouterr().err
