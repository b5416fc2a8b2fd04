"""The workspace file: format pragmas, immediate commits, refusing foreign files, locks, copies."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand, EditCardCommand, RemoveStageCommand
from journeydesk.store.document import Document
from journeydesk.store.paths import default_workspace_path
from journeydesk.store.schema import APPLICATION_ID, SCHEMA_VERSION
from journeydesk.store.workspace_file import (
    CorruptWorkspaceError,
    NewerSchemaError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    WorkspaceError,
    WorkspaceFile,
    WorkspaceInUseError,
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A closed workspace file holding the sample map."""
    path = tmp_path / "ws.jdesk"
    with WorkspaceFile.open(path, create=True) as ws_file:
        m, personas = sample_map()
        Document(ws_file).execute(AddMapCommand(m, personas))
    return path


def test_new_file_is_marked_as_ours_with_a_safe_journal(tmp_path: Path) -> None:
    path = tmp_path / "new.jdesk"
    with WorkspaceFile.open(path, create=True) as ws_file:
        assert ws_file.pragma("application_id") == APPLICATION_ID
        assert ws_file.pragma("user_version") == SCHEMA_VERSION
        assert ws_file.pragma("journal_mode") == "delete"
        assert ws_file.pragma("synchronous") == 2  # FULL
        assert ws_file.pragma("foreign_keys") == 1
    # Idle, it is a single file: no journal or temporary file left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.jdesk"]


def test_each_edit_is_committed_at_once(workspace: Path) -> None:
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        m = next(iter(doc.workspace.maps.values()))
        card = m.ordered_cards()[0]
        doc.execute(EditCardCommand(m.id, card.id, text="Changed"))
        # A separate connection (another process would see the same) reads the new text.
        other = sqlite3.connect(workspace)
        try:
            text = other.execute("SELECT text FROM cards WHERE id = ?", (card.id,)).fetchone()
        finally:
            other.close()
        assert text == ("Changed",)


def test_reopened_workspace_equals_what_was_edited(workspace: Path) -> None:
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        m = next(iter(doc.workspace.maps.values()))
        doc.execute(RemoveStageCommand(m.id, m.stages[1].id))
        expected = doc.workspace
    with WorkspaceFile.open(workspace) as ws_file:
        assert ws_file.load() == expected
        assert ws_file.map_summaries() == [("Membership sign-up", 2, 20)]


def test_failed_write_rolls_back_the_domain(workspace: Path, monkeypatch) -> None:
    with WorkspaceFile.open(workspace) as ws_file:
        doc = Document(ws_file)
        m = next(iter(doc.workspace.maps.values()))
        card = m.ordered_cards()[0]
        before = card.text

        def broken(*_args, **_kwargs):
            raise WorkspaceError("disk full")

        monkeypatch.setattr(ws_file, "persist", broken)
        with pytest.raises(WorkspaceError):
            doc.execute(EditCardCommand(m.id, card.id, text="lost"))
        assert card.text == before


# --------------------------------------------------------------------------- refusing files
def _other_app_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()


def _truncated(path: Path, source: Path) -> None:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _scribbled(path: Path, source: Path) -> None:
    data = bytearray(source.read_bytes())
    page = 4096
    data[page + 8: 2 * page] = b"\xa5" * (page - 8)  # garbage over the second page's body
    path.write_bytes(bytes(data))


def _newer(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize(("maker", "error", "words"), [
    (lambda p, s: p.write_text("Stage,Lane\nA,B\n"), NotAWorkspaceError, "not a JourneyDesk"),
    (lambda p, s: p.write_bytes(b""), NotAWorkspaceError, "empty file"),
    (lambda p, s: _other_app_db(p), NotAWorkspaceError, "another application"),
    (_truncated, CorruptWorkspaceError, "truncated"),
    (_scribbled, CorruptWorkspaceError, "damaged"),
    (_newer, NewerSchemaError, "newer JourneyDesk"),
], ids=["text", "empty", "other-app", "truncated", "corrupt", "newer"])
def test_foreign_or_damaged_files_are_refused_without_a_write(
        tmp_path: Path, workspace: Path, maker, error, words) -> None:
    path = tmp_path / "suspect.jdesk"
    maker(path, workspace)
    before = digest(path)
    with pytest.raises(error) as info:
        WorkspaceFile.open(path)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and message.startswith(str(path))
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suspect.jdesk", "ws.jdesk"]


def test_a_folder_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(NotAWorkspaceError, match="folder"):
        WorkspaceFile.open(tmp_path)


def test_missing_file_is_not_created_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no such workspace"):
        WorkspaceFile.open(tmp_path / "nope.jdesk")
    assert not (tmp_path / "nope.jdesk").exists()


# --------------------------------------------------------------------------- read-only
def test_read_only_file_opens_read_only_and_refuses_edits(workspace: Path) -> None:
    workspace.chmod(0o444)
    try:
        before = digest(workspace)
        with WorkspaceFile.open(workspace) as ws_file:
            assert ws_file.read_only
            doc = Document(ws_file)
            m = next(iter(doc.workspace.maps.values()))
            card = m.ordered_cards()[0]
            with pytest.raises(ReadOnlyWorkspaceError, match="read-only"):
                doc.execute(EditCardCommand(m.id, card.id, text="nope"))
            assert card.text != "nope"
        assert digest(workspace) == before
    finally:
        workspace.chmod(0o644)


# --------------------------------------------------------------------------- one writer
def test_second_writer_in_this_process_is_told_it_is_in_use(workspace: Path) -> None:
    with WorkspaceFile.open(workspace):
        with pytest.raises(WorkspaceInUseError, match="in use"):
            WorkspaceFile.open(workspace)
        # Readers are welcome while it is open for writing.
        with WorkspaceFile.open(workspace, read_only=True) as reader:
            assert reader.map_summaries()[0][0] == "Membership sign-up"
    with WorkspaceFile.open(workspace):  # released on close
        pass


def test_second_writer_process_is_told_it_is_in_use(workspace: Path) -> None:
    code = (
        "import sys\n"
        "from journeydesk.store.workspace_file import WorkspaceFile, WorkspaceInUseError\n"
        "try:\n"
        "    WorkspaceFile.open(sys.argv[1])\n"
        "except WorkspaceInUseError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    with WorkspaceFile.open(workspace):
        result = subprocess.run([sys.executable, "-c", code, str(workspace)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert "in use by another JourneyDesk" in result.stdout
    # Once the first writer has gone, the other process may open it.
    result = subprocess.run([sys.executable, "-c", code, str(workspace)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- copies, defaults
def test_save_a_copy_is_a_complete_consistent_workspace(workspace: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.jdesk"
    with WorkspaceFile.open(workspace) as ws_file:
        expected = ws_file.load()
        assert ws_file.save_copy(copy) == copy
    with WorkspaceFile.open(copy) as copied:
        assert copied.load() == expected
        assert copied.pragma("application_id") == APPLICATION_ID
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".jdesk-copy")]


def test_a_copy_is_as_readable_as_any_new_file(workspace: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with WorkspaceFile.open(workspace) as ws_file:
            ws_file.save_copy(tmp_path / "shared.jdesk")
    finally:
        os.umask(old)
    assert (tmp_path / "shared.jdesk").stat().st_mode & 0o777 == 0o644  # not owner-only
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("shared")) == [
        "shared.jdesk"]


def test_default_workspace_lives_in_the_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("JOURNEYDESK_DATA_DIR", str(tmp_path / "data"))
    assert default_workspace_path() == tmp_path / "data" / "workspace.jdesk"
    monkeypatch.delenv("JOURNEYDESK_DATA_DIR")
    assert default_workspace_path().name == "workspace.jdesk"
    assert "JourneyDesk" in str(default_workspace_path())


def test_create_refuses_to_overwrite(workspace: Path) -> None:
    before = digest(workspace)
    with pytest.raises(WorkspaceError, match="already exists"):
        WorkspaceFile.create(workspace)
    assert digest(workspace) == before


def test_unreadable_file_gives_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.jdesk"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(WorkspaceError, match="cannot be read"):
        WorkspaceFile.open(path)
