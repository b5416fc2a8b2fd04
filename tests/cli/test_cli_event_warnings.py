"""What an analyst is told about event names and durations that cannot be right.

- ``bind --dataset`` warns about the entries no event belongs to: a glob pattern that matches
  an event is not one of them (it was reported as missing);
- ``retention --events`` warns about names the dataset does not have (0 % everywhere read as
  nobody coming back);
- ``--window -1d`` gets the duration's own message, not argparse's "expected one argument".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeydesk.cli.main import main
from journeydesk.store.workspace_file import WorkspaceFile

CSV = """user,event,time
u1,home,2024-05-01 08:00:00
u1,purchase,2024-05-01 09:00:00
u1,home,2024-05-09 09:00:00
u2,home,2024-05-01 08:30:00
u2,purchase_retry,2024-05-01 08:40:00
"""
MAP = {"format": "journeydesk.map", "version": 1, "name": "Shop",
       "stages": [{"name": "Visit", "events": ["home"]}, {"name": "Buy", "events": []}]}


@pytest.fixture
def shop(tmp_path: Path, capsys) -> Path:  # noqa: ANN001
    (tmp_path / "web.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "shop.json").write_text(json.dumps(MAP), encoding="utf-8")
    ws = tmp_path / "ws.jdesk"
    assert main(["import-map", str(ws), str(tmp_path / "shop.json")]) == 0
    assert main(["import-events", str(ws), str(tmp_path / "web.csv")]) == 0
    capsys.readouterr()
    return ws


def test_bind_warns_only_about_entries_nothing_belongs_to(shop: Path, capsys) -> None:  # noqa: ANN001
    assert main(["bind", str(shop), "--map", "Shop", "--stage", "Buy", "--events",
                 "purchase,refund,purch*,zz*,purchase_???ry", "--dataset", "web"]) == 0
    assert capsys.readouterr().err == ("journeydesk: warning: dataset 'web' has no events "
                                       "named refund, zz*\n")
    with WorkspaceFile.open(shop, read_only=True) as ws_file:
        (m,) = ws_file.load().maps.values()
    assert m.stages[1].events == ["purchase", "refund", "purch*", "zz*", "purchase_???ry"]
    assert main(["bind", str(shop), "--map", "Shop", "--stage", "Buy", "--events", "pur*",
                 "--dataset", "web"]) == 0
    assert capsys.readouterr().err == ""


def test_retention_warns_about_event_names_the_dataset_lacks(shop: Path, capsys) -> None:  # noqa: ANN001
    assert main(["retention", str(shop), "--map", "Shop", "--anchor", "Visit", "--every",
                 "week", "--periods", "2", "--events", "home,nosuch,no*", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["definition"]  # the numbers are printed all the same
    assert out.err.splitlines() == ["journeydesk: warning: dataset 'web' has no events named "
                                    "nosuch, no*; nobody can come back with them"]
    assert main(["retention", str(shop), "--map", "Shop", "--anchor", "Visit", "--every",
                 "week", "--periods", "2", "--events", "home,purchase*"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("window", ["-1d", "-5", "-2h"])
def test_a_negative_window_gets_the_durations_message(shop: Path, capsys,  # noqa: ANN001
                                                      window: str) -> None:
    assert main(["metrics", str(shop), "--map", "Shop", "--window", window]) == 2
    err = capsys.readouterr().err
    assert "expected one argument" not in err
    assert f"error: --window: {window!r} is not a duration" in err.strip().splitlines()[-1]
