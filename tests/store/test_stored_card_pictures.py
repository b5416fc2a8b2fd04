"""Card pictures in the workspace file: written and read back byte for byte, and a damaged
picture refused when the file is opened, in one line, like any other damaged content."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pictures import JPEG_8X6, png
from samples import TINY_PNG, sample_map

from journeydesk.domain.commands import AddMapCommand, EditCardCommand
from journeydesk.domain.model import LaneType
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import CorruptWorkspaceError, WorkspaceFile


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "pictures.jdesk"
    with WorkspaceFile.open(path, create=True) as ws_file:
        m, personas = sample_map()
        Document(ws_file).execute(AddMapCommand(m, personas))
    return path


def test_pictures_round_trip_and_removal_is_stored(workspace: Path) -> None:
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        m = next(iter(doc.workspace.maps.values()))
        lane = next(ln for ln in m.lanes if ln.type is LaneType.STORYBOARD)
        board = [c for c in m.ordered_cards() if c.lane_id == lane.id]
        assert board and all(c.picture == TINY_PNG for c in board)
        other = next(c for c in m.ordered_cards() if c.lane_id != lane.id)
        doc.execute(EditCardCommand(m.id, board[0].id, picture=JPEG_8X6))
        doc.execute(EditCardCommand(m.id, board[1].id, picture=None))
        doc.execute(EditCardCommand(m.id, other.id, picture=png(64, 48)))
        expected = doc.workspace
    with WorkspaceFile.open(workspace) as ws_file:
        loaded = ws_file.load()
        assert loaded == expected
        cards = loaded.maps[m.id].cards
        assert cards[board[0].id].picture == JPEG_8X6
        assert cards[board[1].id].picture is None
        assert cards[other.id].picture == png(64, 48)
        lanes = {ln.id: ln.type for ln in loaded.maps[m.id].lanes}
        assert lanes[lane.id] is LaneType.STORYBOARD


@pytest.mark.parametrize(("damage", "says"), [
    ("X'00010203'", "is not a picture JourneyDesk keeps"),
    ("X''", "is not a picture JourneyDesk keeps"),
    ("'a picture'", "picture holds text, not blob"),
    ("CAST(X'89504E470D0A1A0A' || zeroblob(5242880) AS BLOB)",
     "is not a picture JourneyDesk keeps"),
    (f"X'{png(1, 1, declared=(100_000, 100_000)).hex()}'", "100,000 x 100,000 pixels"),
    (f"X'{png(8, 8)[:-20].hex()}'", "cut short"),
])
def test_a_damaged_picture_is_reported_as_damage(workspace: Path, damage: str,
                                                  says: str) -> None:
    conn = sqlite3.connect(workspace)
    conn.execute(f"UPDATE cards SET picture = {damage} WHERE picture IS NOT NULL")
    conn.commit()
    conn.close()
    before = workspace.read_bytes()
    with pytest.raises(CorruptWorkspaceError) as caught, WorkspaceFile.open(workspace) as ws_file:
        ws_file.load()
    message = str(caught.value)
    assert f"{workspace}: is damaged: table cards, row" in message and says in message
    assert "\n" not in message
    assert workspace.read_bytes() == before
