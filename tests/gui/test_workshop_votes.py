"""Vote rounds and the timer of a workshop session, driven from the window with phones on
the real server (loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from workshop_gui_helpers import Phone, open_window, start_from_menu

from journeydesk.app.workshop.record import workshop_report
from journeydesk.domain.commands import AddLaneCommand
from journeydesk.domain.model import Lane, LaneType
from journeydesk.gui.workshop_votes import LANE_ROLE


def test_vote_round_with_phone_and_laptop_votes(qtbot, tmp_path: Path) -> None:
    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    ui = window.workshop
    phones = [Phone(url, "Ana"), Phone(url, "Bo")]
    lane = next(la for la in journey_map.lanes if la.type is LaneType.OPPORTUNITIES)
    eligible = [c.id for c in journey_map.ordered_cards() if c.lane_id == lane.id]
    assert len(eligible) == 4

    empty = Lane(name="Feelings", type=LaneType.EMOTIONS)
    window.editor.run(AddLaneCommand(journey_map.id, empty))
    window.act_workshop_vote.trigger()
    dialog = ui.vote_dialog
    # a lane without cards (the emotions lane...) cannot be chosen; the others can
    rows = {dialog.lanes.item(r).data(LANE_ROLE): dialog.lanes.item(r)
            for r in range(dialog.lanes.count())}
    assert not rows[empty.id].flags() & Qt.ItemFlag.ItemIsEnabled
    assert rows[lane.id].flags() & Qt.ItemFlag.ItemIsEnabled
    dialog.set_lane_checked(lane.id)
    dialog.dots.setValue(3)
    assert list(dialog.cards()) == eligible
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    vote_round = ui.controller.room.vote_round
    assert vote_round is not None and vote_round.open and vote_round.dots == 3
    assert window.act_workshop_reveal_vote.isEnabled()

    a, b, c = eligible[:3]
    assert phones[0].vote({a: 2, b: 1}).status_code == 200
    assert phones[1].vote({a: 1, c: 2}).status_code == 200
    assert phones[1].vote({a: 4}).status_code == 400  # more dots than a person has
    window.act_workshop_laptop_votes.trigger()
    laptop = ui.votes_dialog
    laptop.spins[c].setValue(5)
    laptop.accept()
    ui.controller.tick()
    # hidden before Reveal: not on the phones, not on the canvas, not in the panel
    state = phones[0].state()["vote"]
    assert state["revealed"] is False and "results" not in state
    assert state["left"] == 0
    assert ui.badges.shown() == {} and not ui.panel.ranking.isVisible()

    qtbot.mouseClick(ui.panel.reveal_button, Qt.MouseButton.LeftButton)
    results = phones[1].state()["vote"]["results"]
    assert [(r["id"], r["dots"]) for r in results[:3]] == [(c, 7), (a, 3), (b, 1)]
    assert ui.badges.shown() == {a: 3, b: 1, c: 7}
    assert ui.badges.badge(c).parentItem() is window.scene.cards[c]
    assert ui.panel.ranking.count() == 4
    # the dots before the card's label (a long label must not hide them)
    assert ui.panel.ranking.item(0).text().startswith("1. 7 dots · ")

    # the badges stay on the cards when the map changes (items rebuilt)
    window.scene.select_only([window.scene.cards[c]])
    window.act_delete.trigger()
    window.editor.stack.undo()
    qtbot.waitUntil(lambda: ui.badges.badge(c) is not None
                    and ui.badges.badge(c).parentItem() is window.scene.cards[c], timeout=1000)
    assert ui.badges.shown() == {a: 3, b: 1, c: 7}

    qtbot.mouseClick(ui.panel.end_vote_button, Qt.MouseButton.LeftButton)
    assert not vote_round.open and not window.act_workshop_end_vote.isEnabled()
    record_id = ui.controller.record.id
    window.act_workshop_end.trigger()
    report = workshop_report(window.session, record_id)
    assert report.rounds[0].results[0][1] == 7 and report.rounds[0].voters == 3
    for phone in phones:
        phone.close()


def test_timer_counts_down_and_signals_the_end(qtbot, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    beeps: list[int] = []
    monkeypatch.setattr("journeydesk.gui.workshop.beep", lambda: beeps.append(1))
    window, _doc, _m = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    ui = window.workshop
    phone = Phone(url)
    panel = ui.panel
    panel.minutes.setValue(5)
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    assert panel.time_label.text() == "05:00" and panel.run_button.text() == "Start"
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.time_label.text() == "06:00"
    assert phone.state()["timer"]["state"] == "paused"
    ui.controller.set_timer(1.5 / 60)  # a second and a half
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.run_button.text() == "Pause"
    assert phone.state()["timer"]["state"] == "running"
    window.act_present.trigger()
    projection = ui.projection
    qtbot.waitUntil(projection.timer.isVisible, timeout=1000)
    assert projection.timer.text().startswith("00:0")
    qtbot.waitUntil(lambda: bool(beeps), timeout=3000)
    assert projection.flashing and "Time's up" in projection.timer.text()
    assert phone.state()["timer"]["state"] == "ended"
    assert beeps == [1]
    window.act_present.trigger()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert panel.time_label.text() == "--:--"
    phone.close()
    assert ui.controller.longest_tick < 0.05  # the GUI thread never waited on the room


def test_export_session_to_excel_and_pdf(qtbot, tmp_path: Path) -> None:
    import pypdf
    from python_calamine import CalamineWorkbook

    window, _doc, journey_map = open_window(qtbot, tmp_path)
    url = start_from_menu(qtbot, window)
    phone = Phone(url, "Ana <b>")
    window.workshop.controller.end()
    phone.close()
    xlsx = window.workshop.export_session(tmp_path / "session.xlsx")
    pdf = window.workshop.export_session(tmp_path / "session.pdf")
    assert xlsx is not None and pdf is not None
    sheets = CalamineWorkbook.from_path(str(xlsx)).sheet_names
    assert len(sheets) >= 2
    text = " ".join(" ".join(page.extract_text().split())
                    for page in pypdf.PdfReader(str(pdf)).pages)
    assert journey_map.name in text and "Ana <b>" in text
