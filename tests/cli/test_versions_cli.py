"""``versions``, ``save-version``, ``compare-versions``, ``restore-version`` and
``import-map --replace``: output, authors, errors (one line, exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeydesk.cli import main
from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage
from journeydesk.exchange.json_map import dumps_map
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """"Checkout" with two stages and three pain points."""
    path = tmp_path / "ws.jdesk"
    with WorkspaceFile.open(path, create=True) as ws_file:
        doc = Document(ws_file)
        stages = [Stage(name="Cart"), Stage(name="Payment")]
        pains = Lane(name="Pains", type=LaneType.PAIN_POINTS)
        m = JourneyMap(name="Checkout", stages=stages, lanes=[pains])
        for i, text in enumerate(("Shipping cost late", "Card refused", "Slow page")):
            card = Card(stages[i % 2].steps[0].id, pains.id, text, position=i // 2)
            m.cards[card.id] = card
        doc.execute(AddMapCommand(m, []))
    return path


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def remove_card(path: Path, text: str) -> None:
    from journeydesk.domain.commands import RemoveCardCommand

    with WorkspaceFile.open(path) as ws_file:
        doc = Document(ws_file)
        m = doc.workspace.map_named("Checkout")
        card = next(c for c in m.cards.values() if c.text == text)
        doc.execute(RemoveCardCommand(m.id, card.id))


def test_save_list_compare_restore(workspace: Path, capsys: pytest.CaptureFixture,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ws = str(workspace)
    monkeypatch.setenv("JOURNEYDESK_AUTHOR", "Default Person")
    assert run(capsys, "save-version", ws, "--map", "Checkout", "--label", "Before")[1] == \
        "1\tBefore\n"
    assert run(capsys, "save-version", ws, "--map", "Checkout", "--author", "Ana")[1] == \
        "2\tVersion 2\n"
    code, out, _ = run(capsys, "versions", ws, "--map", "Checkout")
    table = rows(out)
    assert code == 0 and table[0] == ["version", "label", "date", "author", "cards", "reason"]
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in table[1:]] == [
        ("2", "Version 2", "Ana", "3", "manual"), ("1", "Before", "Default Person", "3", "manual")]

    remove_card(workspace, "Card refused")
    code, out, _ = run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "1")
    lines = rows(out)
    assert code == 0 and lines[0] == ["1 pain point removed in Payment."]
    assert lines[1:] == [["removed", "card", "Payment", "Card refused"]]
    assert run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "1",
               "--to", "2")[1] == "No changes.\n"

    code, out, _ = run(capsys, "restore-version", ws, "--map", "Checkout", "1",
                       "--author", "Bo")
    assert code == 0 and out == "Checkout\trestored version 1\t(the map before it: version 3)\n"
    listed = json.loads(run(capsys, "versions", ws, "--map", "Checkout", "--json")[1])
    assert [(v["version"], v["reason"], v["author"], v["cards"]) for v in listed[:1]] == [
        (3, "before restore", "Bo", 2)]
    assert run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "1")[1] == \
        "No changes.\n"
    assert rows(run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "3")[1])[
        1] == ["added", "card", "Payment", "Card refused"]


def test_errors_are_one_line(workspace: Path, capsys: pytest.CaptureFixture,
                             tmp_path: Path) -> None:
    ws = str(workspace)
    code, _, err = run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "1")
    assert code == 1 and err.count("\n") == 1 and "no version 1" in err and "none yet" in err
    code, _, err = run(capsys, "versions", ws, "--map", "Nope")
    assert code == 1 and err.count("\n") == 1 and "Nope" in err
    run(capsys, "save-version", ws, "--map", "Checkout")
    code, _, err = run(capsys, "restore-version", ws, "--map", "Checkout", "7")
    assert code == 1 and "no version 7" in err and "versions: 1" in err
    code, _, err = run(capsys, "versions", str(tmp_path / "missing.jdesk"), "--map", "X")
    assert code == 1 and "no such workspace" in err


def test_import_map_replace_saves_a_version_first(workspace: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    ws = str(workspace)
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        data = json.loads(dumps_map(doc.workspace.map_named("Checkout"), doc.workspace))
    data["cards"] = data["cards"][:1]
    data["name"] = "Checkout"
    source = tmp_path / "new.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "import-map", ws, str(source), "--replace", "Checkout",
                       "--author", "Cy")
    assert code == 0 and out == "Checkout\n"
    assert run(capsys, "maps", ws)[1].split("\t")[:3] == ["Checkout", "2 stages", "1 cards"]
    listed = json.loads(run(capsys, "versions", ws, "--map", "Checkout", "--json")[1])
    assert [(v["reason"], v["author"], v["cards"]) for v in listed] == [
        ("before import", "Cy", 3)]
    run(capsys, "restore-version", ws, "--map", "Checkout", "1")
    assert run(capsys, "maps", ws)[1].split("\t")[:3] == ["Checkout", "2 stages", "3 cards"]
    code, _, err = run(capsys, "import-map", ws, str(source), "--replace", "Other")
    assert code == 1 and err.count("\n") == 1 and "Other" in err


def test_import_over_a_map_under_a_taken_name_is_refused(workspace: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    ws = str(workspace)
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        data = json.loads(dumps_map(doc.workspace.map_named("Checkout"), doc.workspace))
        doc.execute(AddMapCommand(JourneyMap(name="Taken", stages=[Stage(name="A")]), []))
    source = tmp_path / "same.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "import-map", ws, str(source), "--replace", "Checkout",
                       "--name", "Taken")
    assert code == 1 and err.count("\n") == 1 and "'Taken'" in err
    assert json.loads(run(capsys, "versions", ws, "--map", "Checkout", "--json")[1]) == []
    code, out, _ = run(capsys, "import-map", ws, str(source), "--replace", "Checkout")
    assert code == 0 and out == "Checkout\n"
    code, out, _ = run(capsys, "compare-versions", ws, "--map", "Checkout", "--from", "1")
    assert out == "No changes.\n"  # the map's own export changes nothing
