"""Binding a stage in the inspector when the data has thousands of event names: a search box,
and patterns that say what they match."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import click, open_window
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_data_overlay import add_log, overlay_on

from journeydesk.domain.commands import EditStageCommand
from journeydesk.gui.inspector import MAX_LISTED

# 1,000 page views under /page/..., two checkout steps
LOG = "user_id,event,timestamp\n" + "".join(
    f"u{i},/page/{i},2026-10-01 09:00:00\n" for i in range(1000)) + (
    "u1,checkout/start,2026-10-01 10:00:00\n"
    "u2,checkout/start,2026-10-01 10:00:00\n"
    "u2,checkout/pay,2026-10-01 10:05:00\n")


def test_search_narrows_the_events_and_a_pattern_says_what_it_binds(qtbot, tmp_path: Path
                                                                     ) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path, LOG)
    m = window.current_map()
    use = m.stage_named("First use")
    for stage in m.stages:  # the pattern's stage alone in the funnel
        window.editor.run(EditStageCommand(m.id, stage.id, events=[]))
    overlay_on(qtbot, window)
    click(window.view, window.scene.layout.stage_rects[use.id].center())
    inspector = window.inspector
    assert inspector.event_list.count() == MAX_LISTED + 1  # and "… 702 more: search to narrow"
    assert inspector.event_list.item(MAX_LISTED).text().startswith("… 702 more")
    inspector.event_filter.setFocus()
    QTest.keyClicks(inspector.event_filter, "checkout")
    names = [inspector.event_list.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(inspector.event_list.count())]
    assert sorted(names) == ["checkout/pay", "checkout/start"]
    # bind a pattern by typing it
    inspector.stage_events.setFocus()
    inspector.stage_events.selectAll()
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        QTest.keyClicks(inspector.stage_events, "checkout/*")
        QTest.keyClick(inspector.stage_events, Qt.Key.Key_Return)
    assert use.events == ["checkout/*"]
    assert inspector.pattern_info.text() == "checkout/*: 2 names, 3 events"
    assert inspector.pattern_info.toolTip() == ("checkout/* matches checkout/pay, "
                                                "checkout/start")
    labels = [inspector.event_list.item(i).text() for i in range(inspector.event_list.count())]
    assert all(label.endswith("· by checkout/*") for label in labels)
    assert window.scene.overlay.stages[use.id].users == 2  # the pattern binds both users
