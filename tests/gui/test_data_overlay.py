"""The data overlay in the window: a real dataset's funnel on the map, off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window

from journeydesk.analytics.events import load_events
from journeydesk.domain.commands import EditStageCommand
from journeydesk.store.datasets import add_dataset

EVENTS = """user_id,event,timestamp,platform
u1,landing_view,2026-10-01 09:00:00,mobile
u1,form_start,2026-10-01 09:01:00,mobile
u1,form_submit,2026-10-01 09:03:00,mobile
u1,email_confirmed,2026-10-01 10:03:00,mobile
u2,landing_view,2026-10-01 11:00:00,desktop
u2,form_start,2026-10-01 11:02:00,desktop
u3,landing_view,2026-10-02 08:00:00,mobile
u3,form_start,2026-10-02 08:05:00,mobile
u3,form_submit,2026-10-02 08:06:00,mobile
u4,landing_view,2026-10-02 12:00:00,desktop
"""


def add_log(window, tmp_path: Path, text: str = EVENTS, name: str = "signups",  # noqa: ANN001
            replace: bool = False) -> None:
    """Import ``text`` as an event log into the window's workspace."""
    log = tmp_path / f"{name}.csv"
    log.write_text(text, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, name, loaded.parquet, source=log.name,
                row_count=loaded.row_count, replace=replace)


def overlay_on(qtbot, window) -> None:  # noqa: ANN001
    """Turn the data overlay on and wait for its numbers."""
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()


def test_overlay_shows_the_funnel_of_the_dataset(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    m = window.current_map()
    sign_up = m.stage_named("Sign up")
    window.editor.run(EditStageCommand(m.id, sign_up.id, events=["form_start"]))
    newsletter = next(c for c in m.cards.values() if c.text == "Newsletter")
    from journeydesk.domain.commands import EditCardCommand

    window.editor.run(EditCardCommand(m.id, newsletter.id, events=["landing_view"]))
    window._refresh_navigator()
    datasets = window.navigator.topLevelItem(2)
    assert datasets.child(0).text(0) == "signups"

    overlay_on(qtbot, window)
    scene = window.scene
    numbers = {m.stage(sid).name: n for sid, n in scene.overlay.stages.items()}
    # Discover: landing_view (4 users); Sign up: form_start (3); Confirm e-mail: 1 of them;
    # First use: bound to an event nobody sent -> 0
    assert numbers["Discover"].users == 4
    assert numbers["Sign up"].users == 3 and numbers["Sign up"].dropped == 1
    assert numbers["Confirm e-mail"].users == 1
    assert numbers["First use"].users == 0
    assert scene.overlay.largest_drop_stage == m.stage_named("Confirm e-mail").id
    assert scene.cards[newsletter.id].count == 4
    assert window.editor.stack.count() == 2  # showing numbers is not an edit

    # editing a binding recomputes the numbers
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.editor.run(EditStageCommand(m.id, sign_up.id, events=["form_submit"]))
    numbers = {m.stage(sid).name: n for sid, n in scene.overlay.stages.items()}
    assert numbers["Sign up"].users == 2

    window.act_overlay.trigger()
    assert scene.overlay is None


def test_overlay_without_data_offers_to_import(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    window = open_window(qtbot, tmp_path)
    asked: list[str] = []

    def import_instead() -> str:  # what the dialog would do after the user picked a file
        asked.append("import")
        add_log(window, tmp_path)
        return "signups"

    monkeypatch.setattr(window, "import_event_log", import_instead)
    seen: list[str] = []

    def press(label: str) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, lambda: press(label))
            return
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text() == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, lambda: press("Cancel"))
    window.act_overlay.trigger()
    assert not window.act_overlay.isChecked() and asked == []
    assert "no event data yet" in seen[0]
    QTimer.singleShot(0, lambda: press("Import events…"))
    window.act_overlay.trigger()
    assert asked == ["import"]
    assert window.act_overlay.isChecked()
    qtbot.waitUntil(lambda: window.data_overlay.metrics is not None, timeout=20000)


def test_excel_export_carries_the_overlay_numbers(qtbot, tmp_path: Path, monkeypatch) -> None:
    from python_calamine import CalamineWorkbook

    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    out = tmp_path / "with-numbers.xlsx"
    assert window.export_map(out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Metrics").to_python()
    assert rows[0][0].startswith("Dataset: ")  # the caption naming the overlay's options
    assert rows[3][:2] == ["Discover", 4]


def test_powerpoint_export_carries_the_overlay_funnel(qtbot, tmp_path: Path) -> None:
    from pptx import Presentation

    from journeydesk.gui.file_dialogs import filter_of
    from journeydesk.gui.map_commands import EXPORT_FILTERS

    assert filter_of(Path("map.pptx"), EXPORT_FILTERS) == "PowerPoint (*.pptx)"
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    out = tmp_path / "with-numbers.pptx"
    assert window.export_map(out)
    deck = Presentation(str(out))
    funnel = next(s for s in deck.slides if any(sh.name == "Funnel" for sh in s.shapes))
    chart = next(sh for sh in funnel.shapes if sh.name == "Funnel").chart
    assert list(chart.plots[0].categories)[0] == "Discover"
    assert list(chart.series[0].values)[0] == 4
    assert deck.slides[0].shapes.title.text == window.current_map().name


def test_a_drop_off_becomes_a_pain_point_card(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    scene = window.scene
    m = window.current_map()
    confirm = m.stage_named("Confirm e-mail")
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    action = next(a for a in menu.actions() if a.text() == "Add drop-off as pain point")
    pains = m.lane_named("Pain points")
    before = len(m.cards_in(confirm.steps[0].id, pains.id))
    action.trigger()  # the card comes when the count of who did it anyway is there
    qtbot.waitUntil(lambda: len(m.cards_in(confirm.steps[0].id, pains.id)) > before,
                    timeout=20000)
    card = m.cards_in(confirm.steps[0].id, pains.id)[-1]
    # Sign up (form_start or form_submit): 3 users; Confirm e-mail: 1
    assert card.text.startswith("2 people drop off between Sign up and Confirm e-mail")
    # and what they did instead (issue 17): u3's form_submit after their form_start; u2 left
    assert card.text.endswith("(only 33% continue); instead: 1 did form_submit, 1 left; "
                              "data: signups, all users")
    assert card.severity == 5
    assert "data" in card.tags
    window.act_undo.trigger()
    assert card.id not in m.cards


def test_a_personas_segment_filters_the_overlay(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    labels = [label for label, _ in window.segment_choices()]
    assert labels[0] == "All users"
    assert "Daniel Okafor (platform = desktop)" in labels
    desktop = dict(window.segment_choices())["Daniel Okafor (platform = desktop)"]
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_segment(desktop)
    m = window.current_map()
    numbers = {m.stage(sid).name: n for sid, n in window.scene.overlay.stages.items()}
    assert numbers["Discover"].users == 2  # u2 and u4 are on desktop
    assert numbers["Sign up"].users == 1
    assert "platform = desktop" in window.scene.overlay.caption


def test_import_events_from_the_file_menu(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from journeydesk.store.datasets import dataset_parquet, list_datasets

    window = open_window(qtbot, tmp_path)
    log = tmp_path / "web-events.csv"
    log.write_text(EVENTS.replace("timestamp", "ts").replace("u4,landing_view,2026",
                                                            "u4,landing_view,not-a-date"),
                   encoding="utf-8")
    seen: dict[str, object] = {}

    def accept(dialog) -> bool:  # noqa: ANN001
        seen["columns"] = [dialog.table.horizontalHeaderItem(i).text()
                           for i in range(dialog.table.columnCount())]
        seen["time"] = dialog.combos["time"].currentText()
        dialog.name_edit.setText("web")
        return True

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes))
    assert window.import_event_log(log, accept=accept) == "web"
    assert seen == {"columns": ["user_id", "event", "ts", "platform"], "time": "ts"}
    assert "1 bad row of 10" in asked[0]  # the report, then the choice to skip
    (info,) = list_datasets(window.document.file)
    assert info.name == "web" and info.row_count == 9
    assert dataset_parquet(window.document.file, "web").startswith(b"PAR1")
    datasets = window.navigator.topLevelItem(2)
    assert datasets.child(0).text(0) == "web"


def test_cancelled_import_leaves_the_workspace_alone(qtbot, tmp_path: Path,
                                                     monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from journeydesk.store.datasets import list_datasets

    window = open_window(qtbot, tmp_path)
    log = tmp_path / "bad.csv"
    log.write_text(EVENTS.replace("u4,landing_view,2026", "u4,landing_view,nope"),
                   encoding="utf-8")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a: QMessageBox.StandardButton.Cancel))
    before = (tmp_path / "canvas.jdesk").read_bytes()
    assert window.import_event_log(log, accept=lambda d: True) is None
    assert list_datasets(window.document.file) == []
    assert (tmp_path / "canvas.jdesk").read_bytes() == before


def test_who_dropped_here_lists_and_exports_the_users(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    scene = window.scene
    m = window.current_map()
    confirm = m.stage_named("Confirm e-mail")
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    with qtbot.waitSignal(scene.who_dropped_requested):
        next(a for a in menu.actions() if a.text() == "Who dropped here…").trigger()
    # the list is found off the GUI thread; the dialog opens when it is there
    qtbot.waitUntil(lambda: window.findChild(object, "droppedUsers") is not None,
                    timeout=20000)
    dialog = window.findChild(object, "droppedUsers")
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["u2", "u3"]
    out = tmp_path / "ids.txt"
    assert dialog.export_ids(out)
    assert out.read_text(encoding="utf-8") == "u2\nu3\n"
    timeline = dialog.show_timeline("u3")
    listing = timeline.findChildren(type(dialog.list))[0]
    qtbot.waitUntil(lambda: listing.count() == 3, timeout=20000)
    assert [listing.item(i).text() for i in range(listing.count())] == [
        "2026-10-02 08:00:00   landing_view",
        "2026-10-02 08:05:00   form_start   (+5 min)",
        "2026-10-02 08:06:00   form_submit   (+60 s)"]
    timeline.close()
    dialog.close()


def test_rename_and_delete_a_dataset(qtbot, tmp_path: Path) -> None:
    from journeydesk.store.datasets import list_datasets

    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    assert window.rename_dataset("signups", "october")
    assert [d.name for d in list_datasets(window.document.file)] == ["october"]
    assert window.data_overlay.dataset == "october"
    assert window.navigator.topLevelItem(2).child(0).text(0) == "october"
    assert window.delete_dataset("october", confirm=False)
    assert list_datasets(window.document.file) == []
    assert not window.act_overlay.isChecked() and window.scene.overlay is None


def test_bind_a_stage_by_ticking_data_events_in_the_inspector(qtbot, tmp_path: Path) -> None:
    from canvas_helpers import click
    from PySide6.QtCore import Qt

    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    m = window.current_map()
    use = m.stage_named("First use")
    window.editor.run(EditStageCommand(m.id, use.id, events=[]))
    overlay_on(qtbot, window)
    click(window.view, window.scene.layout.stage_rects[use.id].center())
    inspector = window.inspector
    assert inspector.pages.currentWidget() is inspector.stage_page
    rows = [inspector.event_list.item(i) for i in range(inspector.event_list.count())]
    labels = [r.text() for r in rows]
    assert labels[0].startswith("landing_view  (4)")  # most frequent first when none fits
    confirmed = next(r for r in rows if r.data(Qt.ItemDataRole.UserRole) == "email_confirmed")
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        confirmed.setCheckState(Qt.CheckState.Checked)  # what ticking the box does
    assert use.events == ["email_confirmed"]
    numbers = {m.stage(sid).name: n for sid, n in window.scene.overlay.stages.items()}
    assert numbers["First use"].users == 1
    window.act_undo.trigger()
    assert use.events == []


def test_events_matching_the_stage_name_are_suggested(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    m = window.current_map()
    confirm = m.stage_named("Confirm e-mail")
    window.editor.run(EditStageCommand(m.id, confirm.id, events=[]))
    overlay_on(qtbot, window)
    window.scene.select_only([window.scene.stages[confirm.id]])
    first = window.inspector.event_list.item(0).text()
    assert first == "email_confirmed  (1)  · suggested"


def test_a_date_range_limits_the_overlay(qtbot, tmp_path: Path) -> None:
    import datetime as dt

    from journeydesk.gui.date_range import DateRangeDialog

    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_dates(dt.date(2026, 10, 2), dt.date(2026, 10, 2))
    m = window.current_map()
    numbers = {m.stage(sid).name: n for sid, n in window.scene.overlay.stages.items()}
    assert numbers["Discover"].users == 2  # u3 and u4 came on 2 October
    assert "2026-10-02 to 2026-10-02" in window.scene.overlay.caption
    dialog = DateRangeDialog(dt.date(2026, 10, 5), dt.date(2026, 10, 1))
    qtbot.addWidget(dialog)
    dialog._accept()
    assert dialog.result() == 0  # a range that ends before it starts is not accepted
    dialog.to_on.setChecked(False)
    assert dialog.range() == (dt.date(2026, 10, 5), None)


def test_a_snapshot_keeps_the_numbers_and_shows_the_change(qtbot, tmp_path: Path) -> None:
    from journeydesk.store.snapshots import list_snapshots

    window = open_window(qtbot, tmp_path)
    first_quarter = "\n".join(EVENTS.splitlines()[:6]) + "\n"  # u1, and u2 landing
    add_log(window, tmp_path, first_quarter)
    overlay_on(qtbot, window)
    snapshot = window.save_snapshot()
    m = window.current_map()
    (saved,) = list_snapshots(window.document.file, m.id)
    assert saved.id == snapshot.id and saved.numbers["stages"][0]["users"] == 2
    assert saved.filters == {"segment": {}, "from": None, "to": None}
    # next quarter: the full log replaces the data; compare with the snapshot
    add_log(window, tmp_path, replace=True)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.compare_with_snapshot(saved)
    numbers = {m.stage(sid).name: n for sid, n in window.scene.overlay.stages.items()}
    assert numbers["Discover"].users == 4 and numbers["Discover"].users_change == 2
    assert window.scene.overlay.baseline_label == f"since {saved.taken_at:%Y-%m-%d}"
    discover = next(item for item in window.scene.stages.values()
                    if item.stage.name == "Discover")
    assert "▲ 2 since" in discover.accessible_name()
    assert "compared with the snapshot of" in window.overlay_bar.caption.text()
    # the snapshot counted every user: a segment's numbers are not compared with it
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_segment({"platform": "mobile"})
    numbers = {m.stage(sid).name: n for sid, n in window.scene.overlay.stages.items()}
    assert numbers["Discover"].users_change is None
    assert "other data or filters: no change shown" in window.overlay_bar.caption.text()


def test_the_band_above_the_map_says_what_the_numbers_are(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    assert not window.overlay_bar.isVisible()
    overlay_on(qtbot, window)
    assert window.overlay_bar.isVisible()
    assert window.overlay_bar.caption.text() == "signups · all users · 4 users"
    assert window.statusBar().currentMessage() == ""  # "Computing…" is over
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_segment({"platform": "desktop"})
    assert "platform = desktop" in window.overlay_bar.caption.text()
    # the band stays (a status-bar message would fade while the slice is still on show)
    qtbot.wait(50)
    assert window.overlay_bar.isVisible()
    qtbot.mouseClick(window.overlay_bar.off_button, Qt.MouseButton.LeftButton)
    assert not window.overlay_bar.isVisible()
    assert not window.act_overlay.isChecked() and window.scene.overlay is None


def test_stage_headers_label_every_number(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    overlay_on(qtbot, window)
    names = {item.stage.name: item.accessible_name() for item in window.scene.stages.values()}
    assert names["Discover"].startswith("stage: Discover, 4 users, first stage of the funnel")
    worst = window.scene.overlay.largest_drop_stage
    worst_name = window.current_map().stage(worst).name
    assert names[worst_name].endswith("largest drop-off")
    assert "from previous · " in names[worst_name] and " dropped" in names[worst_name]
    assert "of first stage" in names[worst_name]


def test_the_import_dialog_keeps_the_choices_and_says_what_is_missing(
        qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from journeydesk.gui.import_events import NOT_SET
    from journeydesk.store.datasets import list_datasets

    window = open_window(qtbot, tmp_path)
    log = tmp_path / "crm export.csv"  # "When" is no time column name we know
    log.write_text(EVENTS.replace("timestamp", "When"), encoding="utf-8")
    rounds: list[str] = []

    def accept(dialog) -> bool:  # noqa: ANN001 - what a user does in the open dialog
        rounds.append(dialog.error.text() if dialog.error.isVisibleTo(dialog) else "")
        import_button = dialog.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Ok)
        if len(rounds) == 1:
            assert dialog.combos["time"].currentText() == NOT_SET
            qtbot.mouseClick(import_button, Qt.MouseButton.LeftButton)
            assert dialog.result() == 0 and dialog.error.isVisibleTo(dialog)
            assert dialog.error.text() == ("Choose the time column: it was not recognised.")
            dialog.combos["time"].setCurrentText("platform")  # a wrong choice: no times in it
        else:
            assert dialog.combos["time"].currentText() == "platform"  # the choice is kept
            dialog.combos["time"].setCurrentText("When")
        qtbot.mouseClick(import_button, Qt.MouseButton.LeftButton)
        return dialog.result() == 1

    assert window.import_event_log(log, accept=accept) == "crm export"
    assert rounds[0] == "" and rounds[1].startswith("crm export.csv: ")
    assert rounds[1].count("crm export.csv") == 1  # the file named once
    assert [d.name for d in list_datasets(window.document.file)] == ["crm export"]


def test_dates_that_read_both_ways_are_asked_about(qtbot, tmp_path: Path) -> None:
    import datetime as dt

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from journeydesk.analytics.engine import connect, parquet_path
    from journeydesk.store.datasets import dataset_parquet

    window = open_window(qtbot, tmp_path)
    log = tmp_path / "us.csv"  # 03/04 is 4 March to an American, 3 April to a European
    log.write_text("user_id,event,timestamp\nu1,landing_view,03/04/2026 10:00\n"
                   "u1,form_start,03/05/2026 11:00\n", encoding="utf-8")
    asked: list[str] = []

    def press_month_first() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "dayOrMonthFirst":
            QTimer.singleShot(20, press_month_first)
            return
        asked.append(box.text())
        button = next(b for b in box.buttons() if b.text().startswith("Month first"))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press_month_first)
    assert window.import_event_log(log, accept=lambda d: True) == "us"
    assert "could be day-first or month-first" in asked[0]
    with parquet_path(dataset_parquet(window.document.file, "us")) as path:
        con = connect()
        first = con.execute(f"SELECT min(ts) FROM read_parquet('{path}')").fetchone()[0]
        con.close()
    assert first == dt.datetime(2026, 3, 4, 10, 0)


def test_the_pain_point_card_says_how_many_did_the_stage_anyway(qtbot, tmp_path: Path
                                                                ) -> None:
    """A user who confirmed their e-mail before signing up dropped out of the funnel, but is
    no lost customer: the card says so."""
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path, EVENTS + "u7,landing_view,2026-10-03 09:00:00,mobile\n"
                                       "u7,email_confirmed,2026-10-03 09:01:00,mobile\n"
                                       "u7,form_start,2026-10-03 09:02:00,mobile\n")
    overlay_on(qtbot, window)
    scene, m = window.scene, window.current_map()
    confirm, pains = m.stage_named("Confirm e-mail"), m.lane_named("Pain points")
    before = len(m.cards_in(confirm.steps[0].id, pains.id))
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    next(a for a in menu.actions() if a.text() == "Add drop-off as pain point").trigger()
    qtbot.waitUntil(lambda: len(m.cards_in(confirm.steps[0].id, pains.id)) > before,
                    timeout=20000)
    card = m.cards_in(confirm.steps[0].id, pains.id)[-1]
    assert card.text.startswith("3 people drop off between Sign up and Confirm e-mail "
                                "(only 25% continue); 1 of them did Confirm e-mail anyway "
                                "(out of order or outside the window); instead: ")
    assert card.text.endswith("; data: signups, all users")


def test_pictures_carry_the_overlay_numbers_and_caption(qtbot, tmp_path: Path,
                                                         monkeypatch) -> None:
    import datetime as dt
    import xml.etree.ElementTree as ET

    from pypdf import PdfReader
    from PySide6.QtWidgets import QInputDialog

    from journeydesk.app.metrics import map_metrics

    def svg_text(path: Path) -> str:
        return " ".join(t for el in ET.parse(path).getroot().iter() if el.tag.endswith("text")
                        for t in el.itertext())

    def pdf_text(path: Path) -> str:
        return " ".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\t", " ")

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda *a, **k: ("Tile the map at full size", True)))
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)
    m = window.current_map()
    plain = tmp_path / "plain.svg"
    assert window.export_map(plain)
    assert " users" not in svg_text(plain) and "Dataset:" not in svg_text(plain)

    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_dates(dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    expected = map_metrics(window.data_overlay.data(), m, "signups",
                           window.data_overlay.options()).to_json()
    users = [f"{e['users']:,} user{'' if e['users'] == 1 else 's'}" for e in expected["stages"]
             if e["users"] is not None]
    assert users[0] == "4 users" and len(users) >= 3
    caption = ("Dataset: signups · period: 2026-10-01 to 2026-10-02 · window: unlimited · "
               "segment: all users")
    for name in ("numbers.svg", "numbers.pdf"):
        out = tmp_path / name
        assert window.export_map(out)
        text = svg_text(out) if name.endswith(".svg") else pdf_text(out)
        flat = " ".join(text.split())
        assert caption in flat, name
        for label in users:
            assert label in flat, (name, label)
    png = tmp_path / "numbers.png"
    assert window.export_map(png)
    window.hide_overlay()
    assert window.export_map(plain)
    assert " users" not in svg_text(plain) and "Dataset:" not in svg_text(plain)
