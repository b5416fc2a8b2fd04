"""The Inbox after a session: notes left there keep their stage names when the workspace is
opened again, and the dock's title (its tab, its menu entry) counts what it lists after every
accept and undo, not only when a note arrives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from workshop_gui_helpers import Phone, open_window, start_from_menu

from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


def _send(qtbot, window: MainWindow, stage_id: str, texts: list[str]) -> None:  # noqa: ANN001
    """Notes from a phone (sent from another thread: the server answers once the window's
    event loop has stored them)."""
    phone = Phone(start_from_menu(qtbot, window))
    with ThreadPoolExecutor(max_workers=1) as pool:
        sent = [pool.submit(phone.note, stage_id, "thought", text) for text in texts]
        qtbot.waitUntil(lambda: window.workshop.inbox.list.count() == len(texts),
                        timeout=5000)
        assert all(f.result(timeout=5).status_code == 200 for f in sent)
    phone.close()


def test_the_inbox_title_counts_after_accept_and_undo(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    _send(qtbot, window, journey_map.stages[0].id, ["one", "two", "three"])
    inbox, dock = window.workshop.inbox, window.workshop.inbox_dock
    qtbot.waitUntil(lambda: dock.windowTitle() == "Inbox (3)", timeout=2000)
    inbox.list.setCurrentRow(0)
    QTest.mouseClick(inbox.accept_button, Qt.MouseButton.LeftButton)
    assert inbox.list.count() == 2 and dock.windowTitle() == "Inbox (2)"
    # the note the box shows next is the one picked: Accept again takes it
    (picked,) = inbox.selected_entries()
    assert inbox.text.toPlainText() == picked.text and inbox.accept_button.isEnabled()
    QTest.mouseClick(inbox.accept_all_button, Qt.MouseButton.LeftButton)
    assert inbox.list.count() == 0 and dock.windowTitle() == "Inbox"
    assert inbox.text.toPlainText() == "" and not inbox.text.isEnabled()  # no stale note
    window.act_undo.trigger()  # Accept all: its notes come back to the inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 2, timeout=2000)
    assert dock.windowTitle() == "Inbox (2)"
    assert dock.toggleViewAction().text() == "Inbox (2)"  # the menu entry follows


def test_notes_left_in_the_inbox_keep_their_stage_after_reopening(qtbot,  # noqa: ANN001
                                                                  tmp_path: Path) -> None:
    window, document, journey_map = open_window(qtbot, tmp_path)
    stage = journey_map.stages[1]
    _send(qtbot, window, stage.id, ["left for later"])
    window.act_workshop_end.trigger()
    path = document.file.path
    window.close()
    document.close()

    reopened = Document(WorkspaceFile.open(path))
    again = MainWindow(reopened, remember_settings=False)
    qtbot.addWidget(again)
    again.show()
    again.open_map(journey_map.id)
    inbox = again.workshop.inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 1, timeout=2000)
    assert inbox.list.item(0).text().startswith(f"{stage.name} · ")
    assert "(stage removed)" not in inbox.list.item(0).text()
    assert again.workshop.inbox_dock.windowTitle() == "Inbox (1)"
