"""A workshop session driven from the window: started from the menu on loopback, notes sent
by "phones" over HTTP to the real server, the inbox, private mode, ending the session."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from workshop_gui_helpers import Phone, open_window, start_from_menu

from journeydesk.domain.model import LaneType


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def lane_of_type(journey_map, lane_type: LaneType):  # noqa: ANN001, ANN201
    return next(lane for lane in journey_map.lanes if lane.type is lane_type)


def test_nothing_listens_without_a_session(qtbot, tmp_path: Path) -> None:
    window, _doc, _m = open_window(qtbot, tmp_path)
    ui = window.workshop
    assert not ui.controller.active and ui.controller.server is None
    assert window.act_workshop_start.isEnabled() and not window.act_workshop_end.isEnabled()
    assert not window.act_workshop_vote.isEnabled()
    assert any(a.text() == "&Workshop" for a in window.menuBar().actions())


def test_start_from_menu_serves_the_page_and_end_closes_the_port(qtbot, tmp_path: Path) -> None:
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    assert url.startswith("http://127.0.0.1:")
    page = httpx.get(url, timeout=5)
    assert page.status_code == 200 and journey_map.name in page.text
    ui = window.workshop
    assert ui.session_dock.isVisible() and ui.inbox_dock.isVisible()
    assert ui.panel.url_label.text() == url
    assert not ui.panel.qr.pixmap().isNull()
    ui.panel.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == url
    assert window.act_workshop_end.isEnabled() and not window.act_workshop_start.isEnabled()
    window.act_workshop_end.trigger()
    assert not ui.controller.active
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
    assert ui.panel.idle.isVisible() or not ui.panel.isVisible()


def test_closing_the_window_stops_the_server(qtbot, tmp_path: Path) -> None:
    window, _doc, _m = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    server = window.workshop.controller.server
    window.close()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_a_note_from_a_phone_reaches_the_inbox_and_accept_makes_a_card(
        qtbot, tmp_path: Path, pool) -> None:  # noqa: ANN001
    window, document, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url, "Ana")
    stage = journey_map.stages[1]
    sent = pool.submit(phone.note, stage.id, "pain", "The form loses my data")
    inbox = window.workshop.inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 1, timeout=1000)  # within a second
    assert sent.result(timeout=5).status_code == 200  # acknowledged once stored
    item = inbox.list.item(0)
    assert "Sign up" in item.text() and "Pain point" in item.text() and "Ana" in item.text()
    assert "The form loses my data" in item.text()
    assert window.workshop.controller.notes_received == 1
    assert "1 joined" in window.workshop.panel.counts.text()

    cards_before = set(journey_map.cards)
    inbox.list.setCurrentRow(0)
    qtbot.mouseClick(inbox.accept_button, Qt.MouseButton.LeftButton)
    new = [journey_map.cards[c] for c in set(journey_map.cards) - cards_before]
    assert len(new) == 1 and new[0].text == "The form loses my data"
    assert new[0].lane_id == lane_of_type(journey_map, LaneType.PAIN_POINTS).id
    assert new[0].step_id == stage.steps[0].id
    assert new[0].id in window.scene.cards  # on the canvas
    assert inbox.list.count() == 0

    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(journey_map.cards) == cards_before
    qtbot.waitUntil(lambda: inbox.list.count() == 1, timeout=1000)  # the note is back
    phone.close()


def test_edit_then_accept_all_is_one_undo_step(qtbot, tmp_path: Path, pool) -> None:  # noqa: ANN001
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url)
    first, last = journey_map.stages[0], journey_map.stages[-1]
    sent = [pool.submit(phone.note, first.id, "idea", "Show the price first"),
            pool.submit(phone.note, last.id, "thought", "Is this secure?"),
            pool.submit(phone.note, last.id, "question", "Who sees my data?")]
    inbox = window.workshop.inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 3, timeout=2000)
    assert all(f.result(timeout=5).status_code == 200 for f in sent)
    assert "Anonymous" in inbox.list.item(0).text()
    row = next(r for r in range(3) if "Is this secure" in inbox.list.item(r).text())
    inbox.list.setCurrentRow(row)
    inbox.text.selectAll()
    QTest.keyClicks(inbox.text, "Is paying here secure?")
    stack = window.editor.stack
    steps = stack.count()
    cards_before = set(journey_map.cards)
    qtbot.mouseClick(inbox.accept_all_button, Qt.MouseButton.LeftButton)
    new = {journey_map.cards[c].text: journey_map.cards[c]
           for c in set(journey_map.cards) - cards_before}
    assert set(new) == {"Show the price first", "Is paying here secure?", "Who sees my data?"}
    assert new["Who sees my data?"].lane_id == lane_of_type(journey_map, LaneType.NOTES).id
    assert new["Show the price first"].lane_id == lane_of_type(
        journey_map, LaneType.OPPORTUNITIES).id
    assert stack.count() == steps + 1
    stack.undo()
    assert set(journey_map.cards) == cards_before
    phone.close()


def test_private_mode_keeps_notes_off_the_canvas_until_revealed(
        qtbot, tmp_path: Path, pool) -> None:  # noqa: ANN001
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    window.act_workshop_private.trigger()
    ui = window.workshop
    assert ui.controller.private and ui.inbox.private_box.isChecked()
    phone = Phone(url, "Bo")
    done = pool.submit(phone.note, journey_map.stages[0].id, "idea", "Free trial")
    qtbot.waitUntil(lambda: ui.inbox.list.count() == 1, timeout=1000)
    done.result(timeout=5)
    cards_before = set(journey_map.cards)
    assert not ui.inbox.accept_button.isEnabled() and not ui.inbox.accept_all_button.isEnabled()
    assert not ui.inbox.accept_all() and set(journey_map.cards) == cards_before
    # presenting: the inbox is hidden and no note reaches the projector
    assert ui.inbox_dock.isVisible() and ui.session_dock.isVisible()
    window.act_present.trigger()
    assert not ui.inbox_dock.isVisible() and not ui.session_dock.isVisible()
    assert not ui.projection.feed.isVisible()
    assert ui.projection.join.isVisible()  # the QR code is
    window.act_present.trigger()
    # leaving Present gives the facilitator the session's docks back
    assert ui.inbox_dock.isVisible() and ui.session_dock.isVisible()
    # Reveal notes: onto the map, private mode ends
    window.act_workshop_reveal.trigger()
    assert not ui.controller.private and not window.act_workshop_private.isChecked()
    texts = {journey_map.cards[c].text for c in set(journey_map.cards) - cards_before}
    assert texts == {"Free trial"}
    phone.close()


def test_discard_and_merge(qtbot, tmp_path: Path, pool) -> None:  # noqa: ANN001
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url)
    stage = journey_map.stages[0]
    for text in ("spam", "also slow on 4G"):
        pool.submit(phone.note, stage.id, "pain", text)
    inbox = window.workshop.inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 2, timeout=2000)
    spam = next(r for r in range(2) if "spam" in inbox.list.item(r).text())
    inbox.list.setCurrentRow(spam)
    qtbot.mouseClick(inbox.discard_button, Qt.MouseButton.LeftButton)
    assert inbox.list.count() == 1
    target = next(c for c in journey_map.cards.values() if c.text.startswith("Pain"))
    window.scene.select_only([window.scene.cards[target.id]])
    inbox.list.setCurrentRow(0)
    assert inbox.merge_button.isEnabled()
    qtbot.mouseClick(inbox.merge_button, Qt.MouseButton.LeftButton)
    assert target.text.endswith("\nalso slow on 4G")
    assert inbox.list.count() == 0
    phone.close()


def test_notes_kept_from_an_earlier_session_show_in_the_inbox(
        qtbot, tmp_path: Path, pool) -> None:  # noqa: ANN001
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url)
    pool.submit(phone.note, journey_map.stages[0].id, "thought", "Kept for later")
    inbox = window.workshop.inbox
    qtbot.waitUntil(lambda: inbox.list.count() == 1, timeout=1000)
    window.act_workshop_end.trigger()
    phone.close()
    inbox.clear()
    start_from_menu(qtbot, window)  # a new session: the note waits still
    assert inbox.list.count() == 1 and "Kept for later" in inbox.list.item(0).text()


QUIT_CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from journeydesk.app.session import open_document
from journeydesk.gui.app import application
from journeydesk.gui.main_window import MainWindow

app = application()
document = open_document(Path(sys.argv[1]))
window = MainWindow(document, remember_settings=False)
window.open_map(next(iter(document.workspace.maps)))
window.show()
print(window.workshop.start("127.0.0.1", 0), flush=True)
QTimer.singleShot(300, app.quit)  # quit with the window open and the session running
sys.exit(app.exec())
"""


def test_quitting_with_a_session_running_stops_the_server(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from samples import sample_map

    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.store.document import Document
    from journeydesk.store.workspace_file import WorkspaceFile

    path = tmp_path / "quit.jdesk"
    document = Document(WorkspaceFile.open(path, create=True))
    document.execute(AddMapCommand(*sample_map()))
    document.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", QUIT_CHILD, str(path)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_the_phones_see_the_maps_stages_as_they_change(qtbot, tmp_path: Path) -> None:
    from journeydesk.domain.commands import EditStageCommand

    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url)
    assert [s["name"] for s in phone.state()["stages"]] == ["Discover", "Sign up", "Use"]
    window.editor.run(EditStageCommand(journey_map.id, journey_map.stages[0].id,
                                       name="Find us"))
    assert [s["name"] for s in phone.state()["stages"]] == ["Find us", "Sign up", "Use"]
    phone.close()
