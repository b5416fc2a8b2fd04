"""The main window on a workspace, and the dialog for a file that cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand, EditMapCommand
from journeydesk.gui.app import open_document
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


@pytest.fixture
def document(tmp_path: Path):
    doc = Document(WorkspaceFile.open(tmp_path / "team.jdesk", create=True))
    m, personas = sample_map()
    doc.execute(AddMapCommand(m, personas))
    yield doc
    doc.close()


def navigator_texts(window: MainWindow) -> list[list[str]]:
    nav = window.navigator
    return [[nav.topLevelItem(i).text(0)]
            + [nav.topLevelItem(i).child(j).text(0)
               for j in range(nav.topLevelItem(i).childCount())]
            for i in range(nav.topLevelItemCount())]


def test_window_lists_maps_and_personas_and_follows_edits(qtbot, document: Document) -> None:
    window = MainWindow(document)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "team.jdesk — JourneyDesk"
    assert navigator_texts(window) == [["Maps", "Membership sign-up"], ["Personas", "Maria"],
                                       ["Datasets"]]
    m = document.workspace.map_named("Membership sign-up")
    document.execute(EditMapCommand(m.id, name="Sign-up v2"))
    assert navigator_texts(window)[0] == ["Maps", "Sign-up v2"]


def test_read_only_workspace_says_so(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "ro.jdesk"
    WorkspaceFile.open(path, create=True).close()
    path.chmod(0o444)
    try:
        doc = open_document(path)
        assert doc is not None and doc.read_only
        window = MainWindow(doc)
        qtbot.addWidget(window)
        assert window.windowTitle().endswith("[read-only]")
        assert "read-only" in window.statusBar().currentMessage()
        doc.close()
    finally:
        path.chmod(0o644)


def test_bad_file_shows_a_dialog_and_is_left_alone(qtbot, tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "other.jdesk"
    bad.write_bytes(b"PK\x03\x04 a zip file, not ours")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    assert open_document(bad) is None
    assert len(shown) == 1 and "is not a JourneyDesk workspace" in shown[0]
    assert bad.read_bytes() == b"PK\x03\x04 a zip file, not ours"


def test_default_workspace_is_created_in_the_data_folder(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "workspace.jdesk"
    doc = open_document(path, create=True)
    assert doc is not None and path.exists()
    doc.close()
