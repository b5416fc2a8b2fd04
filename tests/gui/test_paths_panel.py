"""What they did instead (issue 17) on a real window: the analytics dock's panel, the stage
header's "What did they do instead?" and the drop-off's pain-point card."""

from __future__ import annotations

import os
from pathlib import Path

from canvas_helpers import open_window

from journeydesk.analytics.events import load_events
from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.paths import event_label, map_paths, path_label
from journeydesk.store.datasets import add_dataset

# Stages of the template: Discover (landing_view), Sign up (form_start, form_submit),
# Confirm e-mail (email_confirmed), First use (first_benefit_used).  Sign up: u1-u6;
# Confirm e-mail: u1, u6.  Dropped before Confirm e-mail: u2 (next pricing), u3 (form_submit,
# after their first form_start), u4 (left), u5 (pricing).
EVENTS = """user_id,event,timestamp,platform
u1,landing_view,2026-10-01 09:00:00,mobile
u1,form_start,2026-10-01 09:01:00,mobile
u1,form_submit,2026-10-01 09:03:00,mobile
u1,email_confirmed,2026-10-01 10:03:00,mobile
u1,first_benefit_used,2026-10-02 10:00:00,mobile
u1,pricing,2026-10-03 12:00:00,mobile
u1,first_benefit_used,2026-10-09 12:00:00,mobile
u2,landing_view,2026-10-01 11:00:00,desktop
u2,form_start,2026-10-01 11:02:00,desktop
u2,pricing,2026-10-01 11:05:00,desktop
u2,help,2026-10-01 11:06:00,desktop
u2,landing_view,2026-10-08 11:00:00,desktop
u3,landing_view,2026-10-02 08:00:00,mobile
u3,form_start,2026-10-02 08:05:00,mobile
u3,form_submit,2026-10-02 08:06:00,mobile
u3,pricing,2026-10-02 08:10:00,mobile
u4,landing_view,2026-10-05 12:00:00,desktop
u4,form_start,2026-10-05 12:01:00,desktop
u5,landing_view,2026-10-08 09:00:00,mobile
u5,form_start,2026-10-08 09:10:00,mobile
u5,pricing,2026-10-08 09:20:00,mobile
u5,landing_view,2026-10-08 09:30:00,mobile
u6,landing_view,2026-10-09 10:00:00,desktop
u6,form_start,2026-10-09 10:30:00,desktop
u6,email_confirmed,2026-10-10 10:30:00,desktop
u6,landing_view,2026-10-13 10:00:00,desktop
u6,help,2026-10-20 10:00:00,desktop
"""


def window_with_overlay(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    """The template map with these events imported and the overlay on."""
    window = open_window(qtbot, tmp_path)
    log = tmp_path / "signups.csv"
    log.write_text(EVENTS, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()
    return window


def open_dock(qtbot, window):  # noqa: ANN001, ANN201
    """View > Analytics, as a user opens it."""
    window.act_analytics.trigger()
    qtbot.waitUntil(lambda: window.analytics is not None and window.analytics.isVisible(),
                    timeout=5000)
    return window.analytics


def rows(table) -> list[tuple[str, ...]]:  # noqa: ANN001
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def expected(window, stage: str, options: MetricsOptions | None = None,  # noqa: ANN001
             steps: int = 3):  # noqa: ANN201
    """The app layer's numbers for the drop-off before ``stage``."""
    m = window.current_map()
    stages = [s.name for s in m.stages]
    after = max(i for i, s in enumerate(m.stages[:stages.index(stage)]) if s.events)
    return map_paths(window.data_overlay.data(), m, "signups", after, options,
                     steps=steps).result


def table_of(result) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:  # noqa: ANN001
    return ([(event_label(e.event), f"{e.users:,}", f"{e.share:.0%}")
             for e in result.next_events],
            [(path_label(p.path), f"{p.users:,}", f"{p.share:.0%}") for p in result.paths])


def test_the_dock_lists_what_the_dropped_users_did_next(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    dock = open_dock(qtbot, window)
    panel = dock.paths_panel
    # at first the drop-off losing most people: 4 between Sign up and Confirm e-mail
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.stage_combo.currentText() == "Confirm e-mail (after Sign up)"
    result = expected(window, "Confirm e-mail")
    assert panel.result == result
    assert result.users == 4
    assert [(e.event, e.users) for e in result.next_events] == [
        ("pricing", 2), ("form_submit", 1), (None, 1)]
    events, paths = table_of(result)
    assert rows(panel.next_table) == events
    assert rows(panel.paths_table) == paths
    assert ("pricing > help > landing_view", "1", "25%") in paths
    assert panel.summary.text().startswith("4 people reached Sign up but not Confirm e-mail")
    # the share bars carry the shares
    from journeydesk.gui.dock_panel import SHARE_ROLE

    assert panel.next_table.item(0, 2).data(SHARE_ROLE) == 0.5

    png = Path(os.environ.get("JOURNEYDESK_PATHS_PNG", tmp_path / "paths.png"))
    assert panel.grab().save(str(png))

    # two steps: computed again, the app's paths of two events
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "paths",
                          timeout=20000):
        panel.steps.setValue(2)
    assert rows(panel.paths_table) == table_of(expected(window, "Confirm e-mail",
                                                        steps=2))[1]

    # the overlay's segment: mobile only (u3, u5 dropped)
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "paths",
                          timeout=20000):
        window.data.set_overlay_segment({"platform": "mobile"})
    mobile = expected(window, "Confirm e-mail", MetricsOptions.make(segment={"platform":
                                                                             "mobile"}),
                      steps=2)
    assert panel.result == mobile and mobile.users == 2

    # another drop-off from the combo
    with qtbot.waitSignal(dock.updated, check_params_cb=lambda kind: kind == "paths",
                          timeout=20000):
        panel.stage_combo.setCurrentIndex(panel.stage_combo.findText(
            "First use (after Confirm e-mail)"))
    assert panel.result.stage == "First use"


def test_the_stage_header_asks_what_they_did_instead(qtbot, tmp_path: Path) -> None:
    window = window_with_overlay(qtbot, tmp_path)
    scene, m = window.scene, window.current_map()
    first_use = m.stage_named("First use")
    menu = scene.interactions.build_context_menu(
        scene.layout.stage_rects[first_use.id].center())
    texts = [a.text() for a in menu.actions()]
    assert "What did they do instead?" in texts
    assert texts.index("What did they do instead?") > texts.index("Who dropped here…")
    assert window.analytics is None
    next(a for a in menu.actions() if a.text() == "What did they do instead?").trigger()
    qtbot.waitUntil(lambda: window.analytics is not None and window.analytics.isVisible(),
                    timeout=5000)
    panel = window.analytics.paths_panel
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.stage == "First use",
                    timeout=20000)
    assert panel.stage_combo.currentText() == "First use (after Confirm e-mail)"
    assert panel.result == expected(window, "First use")
    # u6 confirmed but never used it: they left; u1 did (not dropped)
    assert rows(panel.next_table)[0][0] == "landing_view"

    # the first stage has no drop-off: no such action
    discover = m.stage_named("Discover")
    menu = scene.interactions.build_context_menu(
        scene.layout.stage_rects[discover.id].center())
    assert "What did they do instead?" not in [a.text() for a in menu.actions()]


def test_the_pain_point_card_says_what_they_did_instead(qtbot, tmp_path: Path) -> None:
    from journeydesk.gui.drop_off_card import instead_text

    window = window_with_overlay(qtbot, tmp_path)
    scene, m = window.scene, window.current_map()
    confirm, pains = m.stage_named("Confirm e-mail"), m.lane_named("Pain points")
    before = len(m.cards_in(confirm.steps[0].id, pains.id))
    undo_steps = window.editor.stack.count()
    menu = scene.interactions.build_context_menu(scene.layout.stage_rects[confirm.id].center())
    next(a for a in menu.actions() if a.text() == "Add drop-off as pain point").trigger()
    qtbot.waitUntil(lambda: len(m.cards_in(confirm.steps[0].id, pains.id)) > before,
                    timeout=20000)
    card = m.cards_in(confirm.steps[0].id, pains.id)[-1]
    assert instead_text(expected(window, "Confirm e-mail")) == \
        "instead: 2 did pricing, 1 did form_submit, 1 left"
    # the did-it-anyway part stays (nobody here), the top 3 next events, then the data
    assert card.text == ("4 people drop off between Sign up and Confirm e-mail (only 33% "
                         "continue); instead: 2 did pricing, 1 did form_submit, 1 left; "
                         "data: signups, all users")
    assert card.severity == 5
    # one gesture, one undo step
    assert window.editor.stack.count() == undo_steps + 1
    window.act_undo.trigger()
    assert card.id not in m.cards
    window.act_redo.trigger()
    assert m.cards[card.id].text == card.text
