"""The app shell around the canvas (issue 16): the welcome band follows the map on show, the
app reopens the last map used, the export dialog pre-fills the map's name, a workspace in use
can be opened read-only, and a stage's first step keeps a name when a second one comes.

Dialogs are answered by clicking or typing into the real dialog, found while it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from canvas_helpers import TEMPLATE, double_click, key, open_window, type_text, view_point
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from journeydesk.app.exports import export_map
from journeydesk.app.session import open_document
from journeydesk.domain.commands import AddMapCommand, EditMapCommand, RemoveMapCommand
from journeydesk.domain.model import JourneyMap, Lane, Stage
from journeydesk.exchange.json_map import loads_map
from journeydesk.gui.file_dialogs import safe_file_name, with_extension
from journeydesk.gui.main_window import MainWindow


def when_modal(act: Callable[[QWidget], None], found: list[QWidget] | None = None, *,
               kind: type = QDialog, tries: int = 250) -> None:
    """Call ``act`` on the next modal dialog of ``kind`` once it is on screen (the caller then
    opens it, which blocks); gives up after ``tries`` polls of 20 ms."""
    def poll(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            if found is not None:
                found.append(dialog)
            try:
                act(dialog)
            except BaseException:
                dialog.reject()  # never leave a test blocked on a dialog; pytest-qt reports it
                raise
        elif left:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))


def button_texts(dialog: QWidget) -> list[str]:
    """The texts of the buttons a dialog shows, sorted."""
    return sorted(b.text().replace("&", "") for b in dialog.findChildren(QPushButton)
                  if b.isVisible())


def click_button(qtbot, text: str,  # noqa: ANN001
                 offered: list[list[str]] | None = None) -> Callable[[QWidget], None]:
    """A dialog answer: click its button reading ``text`` (close the dialog if it has none);
    the buttons it offered go to ``offered``."""
    def act(dialog: QWidget) -> None:
        if offered is not None:
            offered.append(button_texts(dialog))
        buttons = [b for b in dialog.findChildren(QPushButton)
                   if b.text().replace("&", "") == text and b.isVisible()]
        if buttons:
            qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
        else:
            dialog.reject()
    return act


def open_map_in_navigator(qtbot, window: MainWindow, name: str) -> None:  # noqa: ANN001
    """Double-click a map's entry in the Workspace panel."""
    navigator = window.navigator
    maps = navigator.topLevelItem(0)
    item = next(maps.child(i) for i in range(maps.childCount())
                if maps.child(i).text(0) == name)
    navigator.scrollToItem(item)
    pos = navigator.visualItemRect(item).center()
    qtbot.mouseClick(navigator.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(navigator.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def small_map(name: str) -> JourneyMap:
    return JourneyMap(name=name, stages=[Stage(name="Arrive"), Stage(name="Leave")],
                      lanes=[Lane(name="Actions")])


# --------------------------------------------------------------------------- 1. welcome band
def test_welcome_band_describes_the_map_on_show_and_hides_without_one(qtbot,
                                                                     tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    band = window.welcome
    assert window.show_welcome()
    assert band.isVisible() and "membership sign-up" in band.text.text()
    assert band.overlay_button.isVisible()

    # Map > New map: the band now speaks of that map, not of the demo's.
    def name_it(dialog: QWidget) -> None:
        line = dialog.findChild(QLineEdit)
        line.selectAll()
        qtbot.keyClicks(line, "Store visit")
        qtbot.keyClick(line, Qt.Key.Key_Return)

    when_modal(name_it)
    window.act_new_map.trigger()
    assert window.current_map().name == "Store visit"
    text = band.text.text()
    assert band.isVisible() and "Store visit" in text and "3 stages" in text
    assert "membership" not in text and "demo" not in text
    assert not band.overlay_button.isVisible()  # no data bound to this map
    window.rename_map("Store visit & café")  # it follows edits too (escaped)
    assert "Store visit &amp; café" in band.text.text()

    # Undo the new map: no map on show, nothing to say.
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert window.current_map() is None and not band.isVisible()

    # Back on the demo map: the guided tour again; "Got it" hides it for good.
    open_map_in_navigator(qtbot, window, "Membership sign-up")
    assert window.current_map().name == "Membership sign-up"
    assert band.isVisible() and "membership sign-up" in band.text.text()
    qtbot.mouseClick(band.close_button, Qt.MouseButton.LeftButton)
    window.act_redo.trigger()  # the map comes back on the canvas...
    assert not band.isVisible()  # ...and the band stays dismissed


def test_esc_on_the_new_map_dialog_keeps_the_band_and_the_history(qtbot,
                                                                  tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.show_welcome()
    window.rename_map("Renamed")
    count = window.editor.stack.count()
    when_modal(lambda dialog: qtbot.keyClick(dialog.findChild(QLineEdit), Qt.Key.Key_Escape))
    window.act_new_map.trigger()
    assert window.editor.stack.count() == count and window.act_undo.isEnabled()
    assert window.current_map().name == "Renamed" and "Renamed" in window.welcome.text.text()


# --------------------------------------------------------------------------- 2. last map used
def _run_app_once(qtbot, path: Path, do: Callable[[MainWindow], None]) -> str:  # noqa: ANN001
    """Start the app on ``path`` as ``journeydesk`` does, call ``do`` with its window, close
    it; returns the name of the map it had opened at start."""
    from journeydesk.gui.app import run_app

    seen: list[str] = []

    def poll(left: int = 250) -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible() and w.session.same_file(path)]
        if not windows and left:
            QTimer.singleShot(20, lambda: poll(left - 1))
            return
        if windows:
            window = windows[0]
            seen.append(window.current_map().name)
            do(window)
            window.close()
            window.deleteLater()
        QApplication.instance().exit(0)

    QTimer.singleShot(0, poll)
    assert run_app(path) == 0
    assert seen, "the window never showed"
    return seen[0]


def test_the_app_reopens_the_last_map_used_in_that_workspace(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "two maps.jdesk"
    other = tmp_path / "other.jdesk"
    for where in (path, other):
        document = open_document(where, create=True)
        for name in ("Alpha", "Zulu"):
            document.execute(AddMapCommand(small_map(name)))
        document.close()

    first = _run_app_once(qtbot, path, lambda w: open_map_in_navigator(qtbot, w, "Zulu"))
    assert first == "Alpha"  # nothing used yet: the first by name
    assert _run_app_once(qtbot, path, lambda _w: None) == "Zulu"  # where the user left it
    assert _run_app_once(qtbot, other, lambda _w: None) == "Alpha"  # each workspace its own

    # File > Open workspace lands on that workspace's last map too.
    (tmp_path / "host").mkdir()
    host = open_window(qtbot, tmp_path / "host")  # a window on another workspace
    host.open_workspace(path)
    opened = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, MainWindow) and w.isVisible() and w.session.same_file(path))
    assert opened.current_map().name == "Zulu"
    opened.close()

    document = open_document(path)  # the last map is deleted elsewhere
    document.execute(RemoveMapCommand(document.workspace.map_named("Zulu").id))
    document.close()
    assert _run_app_once(qtbot, path, lambda _w: None) == "Alpha"


# --------------------------------------------------------------------------- 3. export dialog
@pytest.mark.parametrize(("name", "safe"), [
    ("Membership sign-up", "Membership sign-up"),
    ("Checkout: mobile / web?", "Checkout- mobile - web-"),
    ("  ..hidden. ", "hidden"),
    ("con", "con_"),
    ("a\tb\nc", "a b c"),
    ("///", "-"),
    ("...", "journey map"),
    ("é" * 300, "é" * 100),
])
def test_safe_file_names(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_a_name_with_a_dot_still_gets_the_chosen_type() -> None:
    filters = "PDF (*.pdf);;PNG picture (*.png)"
    assert with_extension(Path("v1.2"), "PNG picture (*.png)", offered=filters).name == "v1.2.png"
    assert with_extension(Path("v1.pdf"), "PNG picture (*.png)", offered=filters).name == "v1.pdf"


def test_export_prefills_the_map_name_in_the_folder_last_used(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.rename_map("Checkout: mobile / web?")
    out = tmp_path / "exports"
    out.mkdir()
    prefilled: list[tuple[str, str, str]] = []

    def look_then(answer: Callable[[QFileDialog], None]) -> Callable[[QWidget], None]:
        def act(dialog: QWidget) -> None:
            assert isinstance(dialog, QFileDialog)
            name = dialog.findChild(QLineEdit, "fileNameEdit")
            prefilled.append((name.text(), Path(dialog.directory().absolutePath()).name,
                              dialog.selectedNameFilter()))
            answer(dialog)
        return act

    def choose_json_in_out(dialog: QFileDialog) -> None:
        types = dialog.findChild(QComboBox, "fileTypeCombo")
        types.setCurrentIndex(types.findText("JourneyDesk map (*.json)"))
        dialog.setDirectory(str(out))  # the user goes to another folder
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.selectAll()
        qtbot.keyClicks(name, "Checkout")
        click_button(qtbot, "Save")(dialog)

    when_modal(look_then(choose_json_in_out), kind=QFileDialog)
    assert window.export_map()
    assert prefilled[0][0] == "Checkout- mobile - web-"
    assert prefilled[0][1] == tmp_path.name  # at first: the workspace's folder
    assert json.loads((out / "Checkout.json").read_text(encoding="utf-8"))["name"] == \
        "Checkout: mobile / web?"

    # The next export starts in that folder, with that file type; Esc writes nothing and
    # leaves the history as it was.
    count = window.editor.stack.count()
    when_modal(look_then(lambda d: qtbot.keyClick(d.findChild(QLineEdit, "fileNameEdit"),
                                                  Qt.Key.Key_Escape)), kind=QFileDialog)
    assert not window.export_map()
    assert prefilled[1] == ("Checkout- mobile - web-", "exports", "JourneyDesk map (*.json)")
    assert sorted(p.name for p in out.iterdir()) == ["Checkout.json"]
    assert window.editor.stack.count() == count and window.act_undo.isEnabled()
    window.act_undo.trigger()
    assert window.current_map().name == "Membership sign-up"


# --------------------------------------------------------------------------- 4. workspace in use
def _windows_on(path: Path) -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and w.session.same_file(path)]


def test_a_workspace_in_use_can_be_opened_read_only_or_not_at_all(qtbot,
                                                                 tmp_path: Path) -> None:
    busy = tmp_path / "busy.jdesk"
    holder = open_document(busy, create=True)  # another window holds it for writing
    m, personas = loads_map(TEMPLATE.read_text(encoding="utf-8"), holder.workspace)
    holder.execute(AddMapCommand(m, personas))
    try:
        (tmp_path / "mine").mkdir()
        window = open_window(qtbot, tmp_path / "mine")
        boxes: list[QWidget] = []

        offered: list[list[str]] = []
        when_modal(click_button(qtbot, "Cancel", offered), boxes, kind=QMessageBox)
        window.open_workspace(busy)
        assert boxes and not _windows_on(busy)
        assert offered == [["Cancel", "Open read-only"]]
        assert "busy.jdesk" in boxes[0].text()

        when_modal(lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape), boxes, kind=QMessageBox)
        window.open_workspace(busy)  # Esc is Cancel
        assert len(boxes) == 2 and not _windows_on(busy)

        when_modal(click_button(qtbot, "Open read-only"), boxes, kind=QMessageBox)
        window.open_workspace(busy)
        (opened,) = _windows_on(busy)  # deleted when it closes (as File > Open makes them)
        assert opened.document.read_only and opened.windowTitle().endswith("[read-only]")
        assert opened.current_map().name == "Membership sign-up"  # it shows the content
        assert not opened.act_add_stage.isEnabled() and not opened.act_rename_map.isEnabled()
        opened.close()
        holder.execute(EditMapCommand(m.id, name="Still writable"))  # the holder is unharmed
    finally:
        holder.close()


# --------------------------------------------------------------------------- 5. step names
def _context_menu_on(qtbot, view, scene_point, choose: str) -> None:  # noqa: ANN001
    """Right-click at a scene point and pick ``choose`` from the menu with the keyboard."""
    def pick(left: int = 250) -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            if left:
                QTimer.singleShot(20, lambda: pick(left - 1))
            return
        menu.setActiveAction(next(a for a in menu.actions() if a.text() == choose))
        QApplication.sendEvent(menu, _key_press(Qt.Key.Key_Return))

    pos = view_point(view, scene_point)
    QTimer.singleShot(0, pick)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                              view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    # A desktop gives the window its activation back when the menu closes; offscreen does not.
    view.window().windowHandle().requestActivate()
    qtbot.waitUntil(view.window().isActiveWindow, timeout=5000)
    view.setFocus()


def _key_press(k: Qt.Key):  # noqa: ANN202
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, k, Qt.KeyboardModifier.NoModifier)


def test_a_stages_first_step_takes_its_name_when_a_second_comes(qtbot,
                                                                tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    discover = m.stage_named("Discover")
    assert [s.name for s in discover.steps] == [""]  # shown as the stage itself
    _context_menu_on(qtbot, view, scene.layout.stage_rects[discover.id].center(), "Add step")
    window.map_editor.finish_editing()  # keeps "New step"; rename it with a double-click
    assert [s.name for s in discover.steps] == ["Discover", "New step"]
    double_click(view, scene.layout.step_rects[discover.steps[1].id].center())
    type_text(view, "Compare offers")
    key(view, Qt.Key.Key_Return)
    assert [s.name for s in discover.steps] == ["Discover", "Compare offers"]
    first = scene.steps[discover.steps[0].id]
    assert first.isVisible() and first.accessible_name() == "step: Discover"

    # The exports say the same as the canvas.
    export_map(m, window.document.workspace, tmp_path / "map.json")
    data = json.loads((tmp_path / "map.json").read_text(encoding="utf-8"))
    (stage,) = [s for s in data["stages"] if s["name"] == "Discover"]
    assert [step["name"] for step in stage["steps"]] == ["Discover", "Compare offers"]
    export_map(m, window.document.workspace, tmp_path / "map.xlsx")
    book = CalamineWorkbook.from_path(str(tmp_path / "map.xlsx"))
    stages = book.get_sheet_by_name("Stages").to_python()
    (row,) = [r for r in stages if r[0] == "Discover"]
    assert row[3] == "Discover\nCompare offers"
    journey = book.get_sheet_by_name("Journey").to_python()
    column = journey[0].index("Discover")
    assert journey[1][column:column + 2] == ["Discover", "Compare offers"]

    # Undo: the rename, then the step with the name its neighbour got; redo brings both.
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert [s.name for s in discover.steps] == [""]
    window.act_redo.trigger()
    assert [s.name for s in discover.steps] == ["Discover", "New step"]


def test_esc_keeps_the_new_steps_name_and_undo_unnames_the_first(qtbot,
                                                                 tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    discover = window.current_map().stage_named("Discover")
    _context_menu_on(qtbot, window.view, window.scene.layout.stage_rects[discover.id].center(),
                     "Add step")
    key(window.view, Qt.Key.Key_Escape)  # keeps "New step"
    assert [s.name for s in discover.steps] == ["Discover", "New step"]
    assert window.editor.stack.count() == 1
    window.act_undo.trigger()
    assert [s.name for s in discover.steps] == [""]


def test_the_first_step_is_numbered_when_the_newcomer_has_the_stages_name() -> None:
    from journeydesk.domain.commands import AddStepCommand, MoveStepCommand
    from journeydesk.domain.model import Step, Workspace

    ws = Workspace()
    m = JourneyMap(name="M", stages=[Stage(name="Look around"), Stage(name="Buy")])
    ws.maps[m.id] = m
    look, buy = m.stages
    add = AddStepCommand(m.id, look.id, Step(name="Look around"))
    add.apply(ws)
    assert [s.name for s in look.steps] == ["Step 1", "Look around"]
    add.revert(ws)
    assert [s.name for s in look.steps] == [""]
    blank = AddStepCommand(m.id, look.id, Step(name=""))  # two unnamed steps stay unnamed
    blank.apply(ws)
    assert [s.name for s in look.steps] == ["", ""]
    blank.revert(ws)
    add.apply(ws)  # a named step moved into "Buy" names its lone step too
    move = MoveStepCommand(m.id, look.steps[1].id, buy.id, 1)
    move.apply(ws)
    assert [s.name for s in buy.steps] == ["Buy", "Look around"]
    move.revert(ws)
    assert [s.name for s in buy.steps] == [""]
