"""Cards as CSV: columns, reading order, Excel's UTF-8 mark, formula protection, atomic writes.

Files are read back with Python's csv module, independently of how they were written.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from samples import sample_map

from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage, Step, Workspace
from journeydesk.exchange.csv_cards import COLUMNS, dumps_cards_csv, write_cards_csv
from journeydesk.exchange.excel import LANE_TYPE_LABELS
from journeydesk.exchange.map_formats import write_map

HEADER = ["stage", "step", "lane", "lane type", "order", "text",
          "severity", "priority", "channel", "tags", "evidence", "source", "value", "effort",
          "status", "owner", "addresses"]


def read_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel looks for
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def read_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def grid_map() -> JourneyMap:
    """Two stages (one with two steps), two lanes, cards added out of reading order."""
    stages = [Stage(name="Discover"),
              Stage(name="Sign up", steps=[Step(name="Form"), Step(name="Confirm")])]
    doing, pains = Lane(name="Doing"), Lane(name="Pains", type=LaneType.PAIN_POINTS)
    m = JourneyMap(name="Trial", stages=stages, lanes=[doing, pains])
    discover, form, confirm = m.all_steps()
    cards = [
        Card(confirm.id, doing.id, "Clicks the link"),
        Card(form.id, pains.id, "Too many fields", severity=4, priority="high",
             channel="web", tags=["form", "mobile"]),
        Card(form.id, doing.id, "Fills in", position=1),
        Card(form.id, doing.id, "Opens the form", position=0, channel="mobile"),
        Card(discover.id, doing.id, "Sees an ad", priority="low", tags=["ads"]),
    ]
    for card in cards:
        m.cards[card.id] = card
    return m


def test_header_and_one_row_per_card_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    write_cards_csv(grid_map(), path)
    rows = read_rows(path)
    assert list(COLUMNS) == HEADER
    living = ["Assumed", "", "", "", "", "", ""]  # the living-map columns' defaults
    assert rows == [
        HEADER,
        ["Discover", "", "Doing", "Actions", "1", "Sees an ad", "", "low", "", "ads", *living],
        ["Sign up", "Form", "Doing", "Actions", "1", "Opens the form", "", "", "mobile", "",
         *living],
        ["Sign up", "Form", "Doing", "Actions", "2", "Fills in", "", "", "", "", *living],
        ["Sign up", "Form", "Pains", "Pain points", "1", "Too many fields", "4", "high", "web",
         "form, mobile", *living],
        ["Sign up", "Confirm", "Doing", "Actions", "1", "Clicks the link", "", "", "", "",
         *living],
    ]


def test_every_card_of_the_sample_map_is_written(tmp_path: Path) -> None:
    m, _ = sample_map(cards_per_cell=2)
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    rows = read_dicts(path)
    assert len(rows) == len(m.cards)
    lanes = {lane.id: lane for lane in m.lanes}
    steps = {step.id: (stage.name, step.name) for stage in m.stages for step in stage.steps}
    for row, card in zip(rows, m.ordered_cards(), strict=True):
        lane = lanes[card.lane_id]
        assert row == {
            "stage": steps[card.step_id][0], "step": steps[card.step_id][1],
            "lane": lane.name, "lane type": LANE_TYPE_LABELS[lane.type],
            "order": str(card.position + 1),
            "text": card.text, "severity": "" if card.severity is None else str(card.severity),
            "priority": card.priority or "", "channel": card.channel or "",
            "tags": ", ".join(card.tags),
            # the living-map columns: these cards have the defaults
            "evidence": "Assumed", "source": "", "value": "", "effort": "", "status": "",
            "owner": "", "addresses": "",
        }


def test_a_map_without_cards_has_just_the_header(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    write_cards_csv(JourneyMap(name="Empty"), path)
    assert read_rows(path) == [HEADER]


def test_multi_line_texts_and_quotes_stay_in_one_field(tmp_path: Path) -> None:
    m = grid_map()
    card = next(c for c in m.cards.values() if c.text == "Sees an ad")
    card.text = 'Sees an ad,\nthen "clicks"\r\nand waits'
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    rows = read_dicts(path)
    assert rows[0]["text"] == 'Sees an ad,\nthen "clicks"\r\nand waits'
    assert len(rows) == len(m.cards)


def test_unicode_survives(tmp_path: Path) -> None:
    m = grid_map()
    m.stages[0].name = "Découverte 発見"
    m.lanes[0].name = "Ärger 😤"
    card = next(c for c in m.cards.values() if c.text == "Sees an ad")
    card.text, card.tags = "Voit une pub — ça coûte 5 €", ["naïve", "日本"]
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    first = read_dicts(path)[0]
    assert (first["stage"], first["lane"], first["text"], first["tags"]) == (
        "Découverte 発見", "Ärger 😤", "Voit une pub — ça coûte 5 €", "naïve, 日本")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_as_formulas_get_a_quote(tmp_path: Path,
                                                               start: str) -> None:
    """Every user-text column: stage, step, lane, text, channel, tags."""
    payload = f"{start}HYPERLINK(\"http://example.com\",\"x\")"
    lane = Lane(name=payload + " lane", type=LaneType.NOTES)
    stage = Stage(name=payload + " stage", steps=[Step(name=payload + " step")])
    m = JourneyMap(name="M", stages=[stage], lanes=[lane])
    card = Card(stage.steps[0].id, lane.id, payload + " text", channel=payload + " channel",
                tags=[payload + " tag", "plain"])
    m.cards[card.id] = card
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    row = read_dicts(path)[0]
    for column, suffix in (("stage", " stage"), ("step", " step"), ("lane", " lane"),
                           ("text", " text"), ("channel", " channel"),
                           ("tags", " tag, plain")):
        assert row[column] == "'" + payload + suffix, column
    assert row["lane type"] == "Notes"


def test_harmless_texts_are_not_changed(tmp_path: Path) -> None:
    m = grid_map()
    card = next(c for c in m.cards.values() if c.text == "Sees an ad")
    card.text, card.channel = "Pays 5 = 2 + 3 - 0 @ home", "e-mail"
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    row = read_dicts(path)[0]
    assert (row["text"], row["channel"]) == ("Pays 5 = 2 + 3 - 0 @ home", "e-mail")


def test_rows_end_with_crlf_and_the_text_is_the_file_without_its_mark(tmp_path: Path) -> None:
    m = grid_map()
    path = tmp_path / "cards.csv"
    write_cards_csv(m, path)
    text = dumps_cards_csv(m)
    assert path.read_bytes() == b"\xef\xbb\xbf" + text.encode("utf-8")
    assert text.startswith(",".join(HEADER) + "\r\n")


def test_write_map_writes_csv_files(tmp_path: Path) -> None:
    path = tmp_path / "cards.CSV"
    write_map(grid_map(), Workspace(), path)
    assert len(read_rows(path)) == 6


def test_replacing_a_file_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(b"old content")

    def fail_after_writing(fd: int) -> None:
        raise OSError("disk full")

    # The new content has been written to the temporary file when syncing fails.
    monkeypatch.setattr(os, "fsync", fail_after_writing)
    with pytest.raises(OSError, match="disk full"):
        write_cards_csv(grid_map(), path)
    assert path.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.csv"]  # no temp file left

    monkeypatch.undo()
    write_cards_csv(grid_map(), path)
    assert len(read_rows(path)) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.csv"]


def test_a_failure_in_the_rename_leaves_the_old_file(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(b"old content")

    def fail(src: str, dst: str) -> None:
        raise PermissionError("file is open in Excel")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError):
        write_cards_csv(grid_map(), path)
    assert path.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.csv"]
