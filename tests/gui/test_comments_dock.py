"""Issue 19's comments: a thread per card in the Comments dock, badges on the canvas, every
change undoable, and the author name kept in the settings."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from journeydesk.domain.commands import EditCardCommand
from journeydesk.domain.model import Card
from journeydesk.gui.author import AuthorDialog, author_name
from journeydesk.gui.canvas.card_marks import CommentBadgeItem
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.map_picture import export_scene

CTRL = Qt.KeyboardModifier.ControlModifier


def card_named(window: MainWindow, text: str) -> Card:
    return next(c for c in window.current_map().cards.values() if c.text.startswith(text))


def select_card(window: MainWindow, text: str) -> Card:
    card = card_named(window, text)
    click(window.view, window.scene.layout.card_rects[card.id].center())
    return card


def badge(window: MainWindow, card_id: str) -> int:
    """The open comments the card's badge shows (0: no badge shown)."""
    item = window.scene.cards[card_id]
    found = [c for c in item.childItems() if isinstance(c, CommentBadgeItem)]
    return found[0].count if found and found[0].isVisible() else 0


def undo(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)


def post(panel, text: str) -> None:  # noqa: ANN001
    panel.new_comment.setFocus()
    QTest.keyClicks(panel.new_comment, text)
    QTest.keyClick(panel.new_comment, Qt.Key.Key_Return, CTRL)


def pick(panel, text: str) -> None:  # noqa: ANN001
    """Pick the comment ending with ``text`` in the thread (comments of one second have no
    order of their own)."""
    rows = [r for r in range(panel.comment_list.count())
            if panel.comment_list.item(r).text().endswith("\n" + text)]
    assert len(rows) == 1
    panel.comment_list.setCurrentRow(rows[0])


def test_add_resolve_reopen_and_delete_a_comment(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    panel, dock = window.comments, window.comments_dock
    assert not dock.isVisible()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_M, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert dock.isVisible()
    assert panel.threads_title.text() == "No open comments"
    assert not panel.new_comment.isEnabled()  # no card selected

    card = select_card(window, "Opens the sign-up form")
    assert panel.card_title.text() == "Comments on “Opens the sign-up form”"
    post(panel, "Is this the mobile form?")
    m = window.current_map()
    (comment,) = m.comments_of(card.id)
    assert comment.text == "Is this the mobile form?"
    assert comment.author == author_name() and comment.created_at
    assert not comment.resolved
    assert panel.new_comment.toPlainText() == ""
    assert badge(window, card.id) == 1
    assert panel.threads_title.text() == "1 open thread"
    assert panel.thread_list.item(0).text() == "Opens the sign-up form\nSign up · 1 open"
    assert panel.comment_list.count() == 1
    assert "Is this the mobile form?" in panel.comment_list.item(0).text()

    post(panel, "Both")  # a second comment: the badge counts 2
    assert badge(window, card.id) == 2
    assert panel.comment_list.currentItem().text().endswith("\nBoth")

    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)  # resolves "Both"
    assert badge(window, card.id) == 1
    assert sum(c.resolved for c in m.comments_of(card.id)) == 1
    assert panel.comment_list.count() == 1  # resolved ones are hidden …
    assert "(1 resolved hidden)" in panel.card_title.text()
    panel.show_resolved.click()  # … until asked for
    assert panel.comment_list.count() == 2
    pick(panel, "Is this the mobile form?")
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)  # the first one
    assert badge(window, card.id) == 0
    assert panel.threads_title.text() == "No open comments"
    assert panel.thread_list.item(0).text().endswith("Sign up · resolved")
    panel.show_resolved.click()
    assert panel.thread_list.count() == 0

    undo(qtbot, window)  # the first one is open again
    assert badge(window, card.id) == 1
    undo(qtbot, window)  # and "Both"
    assert badge(window, card.id) == 2

    pick(panel, "Is this the mobile form?")
    assert panel.resolve_button.text() == "Resolve"
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [c.text for c in m.comments_of(card.id)] == ["Both"]
    assert badge(window, card.id) == 1
    undo(qtbot, window)
    assert {c.text for c in m.comments_of(card.id)} == {"Is this the mobile form?", "Both"}
    undo(qtbot, window)  # the second comment
    undo(qtbot, window)  # the first
    assert m.comments_of(card.id) == [] and badge(window, card.id) == 0


def test_a_thread_in_the_list_selects_its_card(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    panel = window.comments
    window.comments_dock.show()
    first = select_card(window, "Opens the sign-up form")
    post(panel, "one")
    second = select_card(window, "Fills in 11 fields")
    post(panel, "two")
    assert [panel.thread_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(panel.thread_list.count())] == [first.id, second.id]
    rect = panel.thread_list.visualItemRect(panel.thread_list.item(0))
    QTest.mouseClick(panel.thread_list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.scene.selected_card_ids() == [first.id]
    assert panel.card_id == first.id
    assert "one" in panel.comment_list.item(0).text()

    # deleting the card hides its thread and badge; undo brings both back
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert first.id not in window.current_map().cards
    assert panel.thread_list.count() == 1 and panel.card_id is None
    undo(qtbot, window)
    assert panel.thread_list.count() == 2 and badge(window, first.id) == 1


def test_the_card_menu_opens_its_thread(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene
    card = card_named(window, "Fills in 11 fields")
    menu = scene.interactions.build_context_menu(scene.layout.card_rects[card.id].center())
    next(a for a in menu.actions() if a.text() == "Comment…").trigger()
    assert window.comments_dock.isVisible()
    assert window.comments.card_id == card.id
    assert QApplication.focusWidget() is window.comments.new_comment


def test_your_name_signs_the_comments(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.act_author_name.trigger()
    dialog = window.findChild(AuthorDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "  Ana   Lima ")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    assert author_name() == "Ana Lima"
    panel = window.comments
    assert panel.signed.text().startswith("As Ana Lima")
    window.comments_dock.show()
    card = select_card(window, "Opens the sign-up form")
    post(panel, "Signed")
    assert window.current_map().comments_of(card.id)[0].author == "Ana Lima"
    assert panel.comment_list.item(0).text().startswith("Ana Lima · ")


def test_exports_leave_the_badges_and_the_highlight_out(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.comments_dock.show()
    card = select_card(window, "Opens the sign-up form")
    post(window.comments, "Not in the PDF")
    window.editor.run(EditCardCommand(window.current_map().id, card.id, evidence="observed"))
    window.act_highlight_assumptions.trigger()
    assert badge(window, card.id) == 1
    assert window.scene.cards[card.id].opacity() < 1.0
    with export_scene(window.document, window.current_map().id) as scene:
        item = scene.cards[card.id]
        assert not any(c.isVisible() for c in item.childItems()
                       if isinstance(c, CommentBadgeItem))
        assert not scene.highlight_assumptions
        assert all(i.opacity() == 1.0 for i in scene.cards.values())


def test_the_docks_never_make_the_window_taller_than_a_small_screen(qtbot,
                                                                     tmp_path: Path) -> None:
    """On a 1280x720 screen the Inspector (an opportunity's long page) and the Comments dock,
    stacked on the right, scroll rather than add up to more than the screen's height."""
    window = open_window(qtbot, tmp_path)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.height() == 720)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_M, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert window.comments_dock.isVisible()
    card = select_card(window, "Ask only for e-mail")  # an opportunity: the longest page
    assert window.inspector.pages.currentWidget() is window.inspector.card_page
    assert window.inspector.opportunity_rows.addresses.isVisibleTo(window.inspector)
    for _ in range(5):
        QApplication.processEvents()
    assert window.minimumSizeHint().height() <= 720
    assert window.minimumSize().height() <= 720
    docks = (window.inspector_dock, window.comments_dock)
    assert sum(d.minimumSizeHint().height() for d in docks) < 400
    assert window.height() == 720
    # the status bar and both docks lie inside the window
    assert window.statusBar().geometry().bottom() < window.height()
    assert all(d.geometry().bottom() < window.height() for d in docks)
    # the Comments dock shrinks its lists before it scrolls (no taller than its minimum),
    # so "Add comment" is at most a short scroll away …
    panel, scroll = window.comments, window.comments_dock.widget()
    assert panel.height() == max(panel.minimumSizeHint().height(),
                                 scroll.viewport().height())
    # a card without comments and a map without threads: no empty lists, no Resolve or
    # Delete, so the box a comment is written in shows without scrolling
    assert not any(w.isVisible() for w in (panel.thread_list, panel.comment_list,
                                           panel.resolve_button, panel.delete_button))

    def shown(widget: QWidget) -> bool:
        centre = widget.mapTo(scroll.viewport(), widget.rect().center())
        return scroll.viewport().rect().contains(centre)

    scroll.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: shown(panel.new_comment) and shown(panel.post_button))
    panel.comment_on(card.id)  # … and the card's "Comment…" scrolls the box into view
    qtbot.waitUntil(lambda: shown(panel.new_comment) and shown(panel.post_button))
    # the Inspector scrolls too: its last row can be scrolled to
    inspector_scroll = window.inspector_dock.widget()
    addresses = window.inspector.opportunity_rows.addresses
    inspector_scroll.ensureWidgetVisible(addresses)
    qtbot.waitUntil(lambda: inspector_scroll.viewport().rect().intersects(
        addresses.geometry().translated(addresses.parentWidget().mapTo(
            inspector_scroll.viewport(), addresses.parentWidget().rect().topLeft()))))
