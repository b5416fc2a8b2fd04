"""``journeydesk opportunities``: the table, filters, sorting, JSON, CSV and Excel, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeydesk.cli import main
from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """"Renewal" with two scored opportunities (one addressing a pain point) and an unscored
    one; "Empty" with none."""
    path = tmp_path / "ws.jdesk"
    with WorkspaceFile.open(path, create=True) as ws_file:
        doc = Document(ws_file)
        stages = [Stage(name="Notice"), Stage(name="Renew")]
        pains = Lane(name="Pains", type=LaneType.PAIN_POINTS)
        ideas = Lane(name="Ideas", type=LaneType.OPPORTUNITIES)
        m = JourneyMap(name="Renewal", stages=stages, lanes=[pains, ideas])
        pain = Card(stages[0].steps[0].id, pains.id, "Price surprise")
        m.cards[pain.id] = pain
        for i, (text, value, effort, status, owner) in enumerate((
                ("Remind a month before", 4, 1, "planned", "Ana"),
                ("-1 click renewal", 5, 4, "in_progress", "Bo"),
                ("Loyalty gift", None, None, None, None))):
            card = Card(stages[i % 2].steps[0].id, ideas.id, text, position=i // 2,
                        value=value, effort=effort, status=status, owner=owner)
            if i == 0:
                card.addresses = [pain.id]
            m.cards[card.id] = card
        doc.execute(AddMapCommand(m, []))
        doc.execute(AddMapCommand(JourneyMap(name="Empty", stages=[Stage(name="A")]), []))
    return path


def test_prints_a_table_by_priority(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["opportunities", str(workspace)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["map", "stage", "value", "effort", "priority", "status",
                                    "owner", "opportunity", "addresses"]
    assert lines[1].split("\t") == ["Renewal", "Notice", "4", "1", "Highest", "planned", "Ana",
                                    "Remind a month before", "1"]
    assert lines[2].split("\t")[4] == "High"
    assert lines[3].split("\t") == ["Renewal", "Notice", "-", "-", "-", "-", "-",
                                    "Loyalty gift", "0"]


def test_filters_and_json(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["opportunities", str(workspace), "--status", "in_progress", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [o["text"] for o in found] == ["-1 click renewal"]
    assert found[0]["priority"] == "High" and found[0]["score"] == 6
    assert main(["opportunities", str(workspace), "--owner", "ana", "--sort", "effort",
                 "--map", "Renewal", "--json"]) == 0
    assert [o["owner"] for o in json.loads(capsys.readouterr().out)] == ["Ana"]
    assert main(["opportunities", str(workspace), "--map", "Empty", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_writes_csv_and_excel(workspace: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture) -> None:
    out_csv, out_xlsx = tmp_path / "tracker.csv", tmp_path / "portfolio.xlsx"
    assert main(["opportunities", str(workspace), "--csv", str(out_csv),
                 "--xlsx", str(out_xlsx)]) == 0
    assert capsys.readouterr().out == ""  # the files are the output
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Summary", "Description", "Priority", "Labels", "Status"]
    assert rows[2][0] == "'-1 click renewal"  # would be a formula in a spreadsheet
    assert rows[2][2:] == ["High", "Renewal Renew", "In Progress"]
    sheet = load_workbook(out_xlsx)["Opportunities"]
    assert sheet["D3"].value == "-1 click renewal" and sheet["D3"].data_type == "s"


def test_errors_are_one_line(workspace: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture) -> None:
    assert main(["opportunities", str(tmp_path / "nope.jdesk")]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert main(["opportunities", str(workspace), "--map", "Nope"]) == 1
    err = capsys.readouterr().err
    assert "no map named 'Nope'" in err and err.count("\n") == 1
    assert main(["opportunities", str(workspace), "--csv",
                 str(tmp_path / "missing" / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "cannot be written" in err and err.count("\n") == 1
    assert main(["opportunities", str(workspace), "--csv", str(tmp_path / "x.txt")]) == 2
