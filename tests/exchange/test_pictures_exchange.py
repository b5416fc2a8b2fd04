"""Card pictures and storyboard lanes in the exchange formats: JSON carries them (base64),
Excel shows them in their cells with the caption and brings them back, CSV and Mermaid leave
them out."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from pictures import JPEG_8X6, png

from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage, Workspace
from journeydesk.exchange.json_map import FormatError, dumps_map, loads_map, map_to_dict


def storyboard_map() -> tuple[Workspace, JourneyMap]:
    ws = Workspace()
    stages = [Stage(name="Discover"), Stage(name="Join")]
    board = Lane(name="Storyboard", type=LaneType.STORYBOARD)
    doing = Lane(name="Doing", type=LaneType.ACTIONS)
    m = JourneyMap(name="Pictures", stages=stages, lanes=[board, doing])
    cards = [Card(stages[0].steps[0].id, board.id, "Sees the poster", picture=png(120, 80)),
             Card(stages[1].steps[0].id, board.id, "Scans the QR code", picture=JPEG_8X6),
             Card(stages[1].steps[0].id, board.id, "No picture yet", position=1),
             Card(stages[0].steps[0].id, doing.id, "Walks in", picture=png(30, 40))]
    for card in cards:
        m.cards[card.id] = card
    AddMapCommand(m, []).apply(ws)
    return ws, m


def test_json_carries_pictures_and_the_storyboard_lane() -> None:
    ws, m = storyboard_map()
    data = map_to_dict(m, ws)
    assert data["lanes"][0] == {"name": "Storyboard", "type": "storyboard"}
    pictures = [c.get("picture") for c in data["cards"]]
    assert base64.b64decode(pictures[0]) == png(120, 80)
    assert None in pictures  # a card without one writes no key
    fresh = Workspace()
    m2, _ = loads_map(dumps_map(m, ws), fresh)
    AddMapCommand(m2, []).apply(fresh)
    assert sorted((c.text, c.picture) for c in m2.cards.values()) == sorted(
        (c.text, c.picture) for c in m.cards.values())
    assert map_to_dict(m2, fresh) == data


@pytest.mark.parametrize(("picture", "says"), [
    ("not base64!", "a picture must be base64 text"),
    (12, "a picture must be base64 text"),
    (base64.b64encode(b"GIF89a....").decode(), "not a PNG or JPEG"),
    (base64.b64encode(png(1, 1, declared=(100_000, 100_000))).decode(), "100,000 x 100,000"),
])
def test_a_bad_picture_names_its_place(picture: object, says: str) -> None:
    text = json.dumps({"format": "journeydesk.map", "version": 1, "name": "M",
                       "stages": [{"name": "S"}], "lanes": [{"name": "L", "type": "storyboard"}],
                       "cards": [{"stage": "S", "lane": "L", "text": "a"},
                                 {"stage": "S", "lane": "L", "text": "b", "picture": picture}]})
    with pytest.raises(FormatError) as info:
        loads_map(text, Workspace())
    assert info.value.path == "$.cards[1].picture" and says in str(info.value)


def test_excel_shows_each_picture_in_its_cell_with_the_caption(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from journeydesk.exchange.excel import read_map_xlsx, write_map_xlsx

    ws, m = storyboard_map()
    path = tmp_path / "pictures.xlsx"
    write_map_xlsx(m, ws, path)
    book = load_workbook(path)
    sheet = book["Journey"]
    images = sheet._images
    assert len(images) == 3  # every card with a picture, in any lane
    anchors = sorted((img.anchor._from.row, img.anchor._from.col) for img in images)
    # Storyboard is the first lane (row 2, 0-based row 1); columns B and C (1, 2); the
    # actions lane's card in row 3
    assert anchors == [(1, 1), (1, 2), (2, 1)]
    datas = sorted(len(img._data()) for img in images)
    assert datas == sorted(len(p) for p in (png(120, 80), JPEG_8X6, png(30, 40)))
    assert sheet["B2"].value == "Sees the poster"
    assert sheet["C2"].value == "Scans the QR code\n\nNo picture yet"
    assert sheet["B2"].alignment.vertical == "bottom"  # the caption under the picture
    assert sheet.row_dimensions[2].height > 60  # room for the picture above the caption
    cards = book["Cards"]
    header = [c.value for c in cards[1]]
    assert header[-1] == "picture"
    assert {row[-1].value for row in cards.iter_rows(min_row=2)} >= {"PNG 120 x 80"}
    # and the workbook comes back with its pictures (from the map data kept inside it)
    imported = read_map_xlsx(path, Workspace())
    assert sorted((c.text, c.picture) for c in imported.map.cards.values()) == sorted(
        (c.text, c.picture) for c in m.cards.values())
    assert [ln.type for ln in imported.map.lanes] == [LaneType.STORYBOARD, LaneType.ACTIONS]


def test_csv_and_mermaid_leave_pictures_out(tmp_path: Path) -> None:
    from journeydesk.exchange.csv_cards import dumps_cards_csv
    from journeydesk.exchange.mermaid import dumps_journey

    ws, m = storyboard_map()
    csv_text = dumps_cards_csv(m)
    assert "Sees the poster" in csv_text and "iVBOR" not in csv_text
    mermaid = dumps_journey(m, ws)
    assert "iVBOR" not in mermaid and "/9j/" not in mermaid
