"""What they did instead, without chosen noisy events (issue 17): a row's right-click "Hide",
the "Hide events…" list with its filter and "Show all", on a real window; the numbers are the
app layer's ``map_paths(..., hide=...)``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from test_paths_panel import open_dock, rows, table_of, window_with_overlay

from journeydesk.app.paths import map_paths
from journeydesk.gui.paths_panel import HideEventsDialog


def expected(window, hide: tuple[str, ...] = ()):  # noqa: ANN001, ANN201
    """The app's numbers for the drop-off between Sign up and Confirm e-mail."""
    m = window.current_map()
    after = next(i for i, s in enumerate(m.stages) if s.name == "Sign up")
    return map_paths(window.data_overlay.data(), m, "signups", after,
                     window.data_overlay.options(), hide=hide).result


def recomputed(qtbot, dock, change) -> None:  # noqa: ANN001
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "paths",
                          timeout=20000):
        change()


def shown_events(panel) -> set[str]:  # noqa: ANN001
    """Every event name in the panel's two tables."""
    names = {r[0] for r in rows(panel.next_table)}
    for path, *_ in rows(panel.paths_table):
        names.update(path.split(" > "))
    return names


def test_hiding_events_recomputes_the_paths_without_them(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    dock = open_dock(qtbot, window)
    panel = dock.paths_panel
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.result == expected(window)
    assert "pricing" in shown_events(panel)
    assert not panel.hidden_label.isVisible() and not panel.show_all_button.isVisible()

    # the real right-click on the "pricing" row: its menu's "Hide “pricing”"
    table = panel.next_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "pricing")
    chosen: list[list[str]] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        chosen.append([a.text() for a in menu.actions()])
        action = next(a for a in menu.actions() if a.text() == "Hide “pricing”")
        menu.close()
        action.trigger()

    point = table.visualItemRect(table.item(row, 0)).center()
    QTimer.singleShot(200, pick)
    recomputed(qtbot, dock, lambda: table.customContextMenuRequested.emit(point))
    assert chosen == [["Hide “pricing”"]]
    assert panel.hidden == {"pricing"}
    hidden = expected(window, ("pricing",))
    assert panel.result == hidden
    assert (rows(panel.next_table), rows(panel.paths_table)) == table_of(hidden)
    assert "pricing" not in shown_events(panel)
    # u2 help, u3 form_submit, u4 left, u5 landing_view: one each
    assert sorted(rows(panel.next_table)) == [
        ("(left)", "1", "25%"), ("form_submit", "1", "25%"), ("help", "1", "25%"),
        ("landing_view", "1", "25%")]
    assert panel.hidden_label.isVisible() and panel.hidden_label.text() == "Hidden: pricing"
    assert panel.show_all_button.isVisible()

    # a path's menu offers each of its events, and "Show all events"
    paths = panel.paths_table
    row = next(r for r in range(paths.rowCount()) if paths.item(r, 0).text().startswith("help"))
    menu = panel.row_menu(paths, row)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Hide “help”", "Hide “landing_view”", "Show all events"]
    # (left) cannot be hidden: its row offers only "Show all events"
    left = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "(left)")
    assert [a.text() for a in panel.row_menu(table, left).actions()
            if not a.isSeparator()] == ["Show all events"]

    # "Hide events…": the events seen (and those hidden), ticked when hidden, filterable
    qtbot.mouseClick(panel.hide_button, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(HideEventsDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    items = {dialog.list.item(r).text(): dialog.list.item(r) for r in range(dialog.list.count())}
    assert set(items) == {"form_submit", "help", "landing_view", "pricing"}
    assert [n for n, i in items.items() if i.checkState() == Qt.CheckState.Checked] == [
        "pricing"]
    qtbot.keyClicks(dialog.filter, "LAND")
    assert [n for n, i in items.items() if not i.isHidden()] == ["landing_view"]
    items["landing_view"].setCheckState(Qt.CheckState.Checked)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    recomputed(qtbot, dock, lambda: qtbot.mouseClick(ok, Qt.MouseButton.LeftButton))
    assert panel.hidden == {"pricing", "landing_view"}
    both = expected(window, ("landing_view", "pricing"))
    assert panel.result == both
    assert (rows(panel.next_table), rows(panel.paths_table)) == table_of(both)
    assert not {"pricing", "landing_view"} & shown_events(panel)
    assert panel.hidden_label.text() == "Hidden: landing_view, pricing"

    # kept while the dock is open: another drop-off and back, still hidden
    recomputed(qtbot, dock, lambda: panel.stage_combo.setCurrentIndex(
        panel.stage_combo.findText("First use (after Confirm e-mail)")))
    assert "landing_view" not in shown_events(panel)
    recomputed(qtbot, dock, lambda: panel.stage_combo.setCurrentIndex(
        panel.stage_combo.findText("Confirm e-mail (after Sign up)")))
    assert panel.result == both

    # "Show all": the first numbers again
    recomputed(qtbot, dock, lambda: qtbot.mouseClick(panel.show_all_button,
                                                     Qt.MouseButton.LeftButton))
    assert panel.hidden == set()
    assert panel.result == expected(window)
    assert not panel.hidden_label.isVisible()
