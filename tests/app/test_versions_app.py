"""Versions through the application layer: restore is one undoable edit taken after a version of
the map as it was; deletes of many cards and imports over a map save a version first."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from samples import sample_map

from journeydesk.app import versions
from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.commands import (
    AddMapCommand,
    CompositeCommand,
    EditCardCommand,
    RemoveCardCommand,
    RemoveLaneCommand,
)
from journeydesk.domain.model import DomainError


@pytest.fixture
def session(tmp_path: Path):
    with WorkspaceSession.open(tmp_path / "ws.jdesk", create=True) as s:
        m, personas = sample_map(cards_per_cell=2)
        s.document.execute(AddMapCommand(m, personas))
        yield s


def the_map(session: WorkspaceSession):
    (m,) = session.workspace.maps.values()
    return m


def test_restore_puts_the_version_back_as_one_undoable_edit(session) -> None:
    m = the_map(session)
    saved = versions.save_version(session, m.id, "Workshop 1", author="Ana")
    before = copy.deepcopy(m)
    card = m.ordered_cards()[0]
    session.document.execute(EditCardCommand(m.id, card.id, text="changed"))
    session.document.execute(RemoveCardCommand(m.id, m.ordered_cards()[1].id))
    changed = copy.deepcopy(m)
    assert versions.compare(session, saved.id).summary() != "No changes."

    command = versions.restore_command(session, saved.id, author="Ana")
    session.document.execute(command)
    assert m.cards == before.cards and m.stages == before.stages
    found = versions.list_versions(session, m.id)
    assert [(v.label, v.reason) for v in found][:1] == [
        ("Before restoring 'Workshop 1'", "before restore")]
    assert versions.compare(session, found[0].id, found[1].id).cards_added  # the undone delete
    session.document.unexecute(command)
    assert m.cards == changed.cards
    reopened = session.load().map(m.id)  # and the file agrees
    assert reopened.cards == changed.cards


def test_a_bulk_delete_saves_a_version_first_and_a_single_delete_does_not(session) -> None:
    m = the_map(session)
    one = RemoveCardCommand(m.id, m.ordered_cards()[0].id)
    assert versions.version_before(session, one) == []
    lane = m.lanes[0]
    n = sum(c.lane_id == lane.id for c in m.cards.values())
    bulk = RemoveLaneCommand(m.id, lane.id)
    cards_before = copy.deepcopy(m.cards)
    (saved,) = versions.version_before(session, bulk, author="Ana")
    assert m.cards == cards_before  # working it out changed nothing
    assert (saved.reason, saved.label, saved.author) == (
        "before delete", f"Before deleting {n} cards", "Ana")
    several = CompositeCommand("Delete cards", [RemoveCardCommand(m.id, c.id)
                                                for c in m.ordered_cards()[:3]])
    assert len(versions.version_before(session, several)) == 1


def test_import_over_a_map_keeps_its_id_and_saves_a_version(session) -> None:
    m = the_map(session)
    other, _ = sample_map(name="From file")
    other.persona_ids = []
    other.emotions = {}
    command = versions.replace_map_command(session, m.id, other, "map.json")
    session.document.execute(command)
    assert the_map(session).id == m.id and len(m.cards) == len(other.cards)
    (saved,) = versions.list_versions(session, m.id)
    assert (saved.reason, saved.label) == ("before import", "Before importing map.json")
    assert saved.card_count == 2 * len(other.cards)


def test_content_of_another_map_is_refused(session) -> None:
    m = the_map(session)
    twin, _ = sample_map(name="Twin")
    twin.persona_ids, twin.emotions = [], {}
    session.document.execute(AddMapCommand(twin))
    with pytest.raises(DomainError, match="belongs to map 'Twin'"):
        session.document.execute(versions.ReplaceMapContentCommand(m.id, twin))
    with pytest.raises(DomainError, match="belongs to map 'Twin'"):  # and no version is kept
        versions.replace_map_command(session, m.id, twin, "twin.json")
    assert versions.list_versions(session, m.id) == []


def test_labels_are_one_line_and_bounded_and_made_labels_are_cut_to_fit(session) -> None:
    m = the_map(session)
    assert versions.save_version(session, m.id, " Two\tparts\nhere ").label == "Two parts here"
    with pytest.raises(DomainError, match="at most 120 characters"):
        versions.save_version(session, m.id, "X" * 121)
    long = versions.save_version(session, m.id, "Y" * 120)
    command = versions.restore_command(session, long.id)  # "Before restoring 'YYY…'"
    made = versions.list_versions(session, m.id)[0]
    assert made.reason == "before restore" and len(made.label) == 120
    assert made.label.endswith("…") and command.label.startswith("Restore version")


def test_importing_a_map_over_itself_changes_nothing_and_keeps_comments(session) -> None:
    """A map's own export imported over it: no change to compare, comments on their cards."""
    from journeydesk.app.imports import read_map_file
    from journeydesk.domain.commands import AddCommentCommand
    from journeydesk.domain.model import Comment
    from journeydesk.exchange.json_map import dumps_map

    m = the_map(session)
    pain = next(c for c in m.ordered_cards() if m.lane(c.lane_id).type == "pain_points")
    session.document.execute(EditCardCommand(m.id, pain.id, text="Form too long"))
    session.document.execute(AddCommentCommand(m.id, Comment(pain.id, "Source?")))
    path = session.path.with_name("m.json")
    path.write_text(dumps_map(m, session.workspace), encoding="utf-8")

    imported = read_map_file(path, session.workspace).map
    command = versions.replace_map_command(session, m.id, imported, "m.json")
    session.document.execute(command)
    (before,) = versions.list_versions(session, m.id)
    assert versions.compare(session, before.id).summary() == "No changes."
    assert [c.text for c in m.comments_of(pain.id)] == ["Source?"] and pain.id in m.cards

    # an edited file: one text changed in place, one card moved to another stage
    data = path.read_text(encoding="utf-8").replace(pain.text, "Edited pain")
    path.write_text(data, encoding="utf-8")
    edited = read_map_file(path, session.workspace).map
    moved = next(c for c in edited.cards.values() if c.text.startswith("Actions"))
    moved.step_id = edited.stages[-1].steps[0].id
    edited.cards[moved.id] = moved
    session.document.execute(versions.replace_map_command(session, m.id, edited, "m.json"))
    diff = versions.compare(session, versions.list_versions(session, m.id)[0].id)
    assert [c.card_id for c in diff.cards_changed] == [pain.id]
    assert len(diff.cards_moved) == 1 and not diff.cards_added and not diff.cards_removed
    assert m.card(pain.id).text == "Edited pain" and m.comments_of(pain.id)
