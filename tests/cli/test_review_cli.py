"""Issue 19's owner and review on the command line: ``maps`` prints them, ``set-review`` sets
them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from journeydesk.app.session import WorkspaceSession
from journeydesk.cli import main
from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import JourneyMap
from journeydesk.store.snapshots import save_snapshot


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """Two empty maps, "Checkout" and "Onboarding"."""
    path = tmp_path / "ws.jdesk"
    with WorkspaceSession.open(path, create=True) as session:
        for name in ("Onboarding", "Checkout"):
            session.document.execute(AddMapCommand(JourneyMap(name=name), []))
    return path


def listing(capsys, ws: Path) -> list[list[str]]:  # noqa: ANN001
    capsys.readouterr()
    assert main(["maps", str(ws)]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_maps_prints_owner_review_date_and_status(ws: Path, capsys) -> None:  # noqa: ANN001
    assert listing(capsys, ws) == [["Checkout", "0 stages", "0 cards", "-", "-", "not set"],
                                   ["Onboarding", "0 stages", "0 cards", "-", "-", "not set"]]
    past = (date.today() - timedelta(days=7)).isoformat()
    future = (date.today() + timedelta(days=30)).isoformat()
    assert main(["set-review", str(ws), "--map", "Checkout", "--owner", " Ana Ruiz ",
                 "--review-by", past]) == 0
    assert capsys.readouterr().out == f"Checkout\treview due: review was due {past}\n"
    assert main(["set-review", str(ws), "--map", "Onboarding", "--review-by", future]) == 0
    assert listing(capsys, ws) == [
        ["Checkout", "0 stages", "0 cards", "Ana Ruiz", past, f"review due: review was due {past}"],
        ["Onboarding", "0 stages", "0 cards", "-", future, f"ok: review by {future}"]]


def test_a_map_whose_snapshot_is_older_than_its_interval_is_stale(ws: Path,
                                                                  capsys) -> None:  # noqa: ANN001
    assert main(["set-review", str(ws), "--map", "Onboarding", "--every", "30"]) == 0
    assert capsys.readouterr().out == ("Onboarding\tstale: no data snapshot yet (review every "
                                       "30 days)\n")
    with WorkspaceSession.open(ws) as session:
        map_id = session.workspace.map_named("Onboarding").id
        old = datetime.now(UTC) - timedelta(days=45)
        save_snapshot(session.file, map_id, "d", {}, taken_at=old)
    row = listing(capsys, ws)[1]
    assert row[5] == "stale: data snapshot is 45 days old (review every 30)"
    with WorkspaceSession.open(ws) as session:
        save_snapshot(session.file, map_id, "d", {}, taken_at=datetime.now(UTC))
    assert listing(capsys, ws)[1][5] == "ok: data snapshot is 0 days old (review every 30)"


def test_set_review_keeps_what_is_not_given_and_clears_with_empty_values(
        ws: Path, capsys) -> None:  # noqa: ANN001
    assert main(["set-review", str(ws), "--map", "Checkout", "--owner", "Ana",
                 "--review-by", "2999-01-01", "--every", "90"]) == 0
    assert main(["set-review", str(ws), "--map", "Checkout", "--every", "0"]) == 0
    assert listing(capsys, ws)[0] == ["Checkout", "0 stages", "0 cards", "Ana", "2999-01-01",
                                      "ok: review by 2999-01-01"]
    assert main(["set-review", str(ws), "--map", "Checkout", "--owner", "",
                 "--review-by", ""]) == 0
    assert listing(capsys, ws)[0] == ["Checkout", "0 stages", "0 cards", "-", "-", "not set"]


@pytest.mark.parametrize(("args", "words"), [
    (["--map", "Nope", "--owner", "Ana"], "no map named 'Nope' (maps: Checkout, Onboarding)"),
    (["--map", "Checkout", "--review-by", "2026-13-01"], "is not a date (YYYY-MM-DD)"),
    (["--map", "Checkout", "--review-by", "next week"], "is not a date (YYYY-MM-DD)"),
])
def test_set_review_errors_are_one_line_and_exit_1(ws: Path, capsys, args: list[str],
                                                   words: str) -> None:  # noqa: ANN001
    before = ws.read_bytes()
    capsys.readouterr()
    assert main(["set-review", str(ws), *args]) == 1
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
    assert ws.read_bytes() == before


def test_set_review_needs_something_to_set(ws: Path, capsys) -> None:  # noqa: ANN001
    assert main(["set-review", str(ws), "--map", "Checkout"]) == 2
    assert "give --owner, --review-by or --every" in capsys.readouterr().err

@pytest.mark.parametrize("days", ["-1", "-5", "3651", "4000", "soon"])
def test_set_review_interval_out_of_range_is_a_usage_error(ws: Path, capsys,  # noqa: ANN001
                                                           days: str) -> None:
    before = ws.read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["set-review", str(ws), "--map", "Checkout", "--every", days])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--every" in err and ("from 1 to 3650" in err or "whole number" in err)
    assert ws.read_bytes() == before
