"""File > Quit (Ctrl+Q) during a workshop session asks first: a stray key must not end the
room's session.  Cancel (the default: Enter or Esc) keeps the window and the session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from workshop_gui_helpers import Phone, open_window, start_from_menu


def _answer(qtbot, end: bool) -> list[str]:  # noqa: ANN001
    """Answer the question that comes next (End session and quit, or Cancel); its text."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        if end:
            next(b for b in box.buttons() if b.text() == "End session and quit").click()
        else:
            box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(20, press)
    return seen


def test_quit_asks_while_a_session_runs(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window, _doc, _map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url)
    phone.state()  # one person joined
    seen = _answer(qtbot, end=False)
    window.act_quit.trigger()
    assert seen and "1 person has joined" in seen[0]
    assert window.isVisible() and window.workshop.controller.active
    seen = _answer(qtbot, end=True)
    window.act_quit.trigger()
    assert seen
    assert not window.isVisible() and not window.workshop.controller.active
    phone.close()


def test_quit_without_a_session_asks_nothing(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window, _doc, _map = open_window(qtbot, tmp_path)
    window.act_quit.trigger()
    assert not window.isVisible()
