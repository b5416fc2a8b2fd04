"""Map versions are stored as deltas: each version costs about the rows it changed, and every
version reads back exactly as the map was."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from samples import TINY_PNG, sample_map

from journeydesk.domain.commands import (
    AddMapCommand,
    EditCardCommand,
    RemoveCardCommand,
    RemoveStageCommand,
)
from journeydesk.store import versions
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


@pytest.fixture
def document(tmp_path: Path):
    ws_file = WorkspaceFile.open(tmp_path / "ws.jdesk", create=True)
    doc = Document(ws_file)
    m, personas = sample_map(cards_per_cell=3)
    doc.execute(AddMapCommand(m, personas))
    yield doc
    doc.close()


def the_map(doc: Document):
    (m,) = doc.workspace.maps.values()
    return m


def test_every_version_reads_back_as_the_map_was(document: Document) -> None:
    m = the_map(document)
    states = []
    for round_ in range(4):
        card = m.ordered_cards()[round_]
        document.execute(EditCardCommand(m.id, card.id, text=f"edit {round_}", evidence="observed",
                                         value=round_ + 1))
        if round_ == 2:
            document.execute(RemoveStageCommand(m.id, m.stages[0].id))
        states.append(copy.deepcopy(m))
        versions.save_version(document.file, m, f"v{round_}", author="Ana")
    found = versions.list_versions(document.file, m.id)
    assert [v.seq for v in found] == [4, 3, 2, 1]
    assert [v.label for v in found] == ["v3", "v2", "v1", "v0"]
    for info, state in zip(reversed(found), states, strict=True):
        loaded_info, loaded = versions.load_version(document.file, info.id)
        assert loaded_info == info
        assert loaded.cards == state.cards
        assert loaded.stages == state.stages and loaded.lanes == state.lanes
        assert loaded.emotions == state.emotions and loaded.persona_ids == state.persona_ids
        assert len(loaded.cards) == info.card_count


def test_a_version_costs_about_the_rows_it_changed(document: Document) -> None:
    m = the_map(document)
    first = versions.save_version(document.file, m, "all")
    card = m.ordered_cards()[5]
    document.execute(EditCardCommand(m.id, card.id, text="A new text for one card"))
    second = versions.save_version(document.file, m, "one card")
    unchanged = versions.save_version(document.file, m, "nothing")
    assert first.size > 10 * second.size
    assert second.size < 400 and unchanged.size < 40
    assert [v.size for v in versions.list_versions(document.file, m.id)] == [
        unchanged.size, second.size, first.size]


def test_pictures_are_kept_once_and_come_back(document: Document) -> None:
    m = the_map(document)
    with_picture = [c for c in m.cards.values() if c.picture is not None]
    assert with_picture and all(c.picture == TINY_PNG for c in with_picture)
    v1 = versions.save_version(document.file, m, "pictures")
    document.execute(EditCardCommand(m.id, with_picture[0].id, picture=None))
    versions.save_version(document.file, m, "one less")
    with document.file.connection() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM version_pictures").scalar() == 1
    old = versions.load_version(document.file, v1.id)[1]
    assert old.card(with_picture[0].id).picture == TINY_PNG


def test_the_newest_version_in_memory_is_used_only_while_it_is_the_newest(
        document: Document) -> None:
    m = the_map(document)
    first = versions.save_version(document.file, m, "first")
    stale = versions.map_entries(m)[0]
    document.execute(RemoveCardCommand(m.id, m.ordered_cards()[0].id))
    versions.save_version(document.file, m, "second")
    versions._HEADS.put(document.file, m.id, first.id, stale)  # what an older save left
    document.execute(EditCardCommand(m.id, m.ordered_cards()[0].id, text="later"))
    third = versions.save_version(document.file, m, "third")
    versions._HEADS.put(document.file, m.id, "none", {})
    assert versions.load_version(document.file, third.id)[1].cards == m.cards


def test_unknown_version_is_a_clear_error(document: Document) -> None:
    with pytest.raises(versions.VersionError, match="no version"):
        versions.load_version(document.file, "nope")
