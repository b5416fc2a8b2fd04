"""The overlay's period and conversion window, set in their dialog as a facilitator would."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window
from test_data_overlay import add_log, overlay_on

from journeydesk.gui.date_range import DateRangeDialog

# u1 confirms its e-mail a day after starting the form; u2 within the hour
LOG = """user_id,event,timestamp
u1,landing_view,2026-10-01 09:00:00
u1,form_start,2026-10-01 09:01:00
u1,email_confirmed,2026-10-02 10:00:00
u2,landing_view,2026-10-03 09:00:00
u2,form_start,2026-10-03 09:05:00
u2,email_confirmed,2026-10-03 09:30:00
"""


def test_a_window_set_in_the_dialog_changes_the_numbers_and_says_so(qtbot, tmp_path: Path,
                                                                      monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path, LOG)
    overlay_on(qtbot, window)
    m = window.current_map()
    confirm = m.stage_named("Confirm e-mail").id
    assert window.scene.overlay.stages[confirm].users == 2
    seen: list[tuple] = []

    def answer(dialog: DateRangeDialog) -> int:
        # the dates start on the data's own range, unticked (no period yet)
        seen.append((dialog.from_edit.date().toPython().isoformat(),
                     dialog.to_edit.date().toPython().isoformat(),
                     dialog.from_on.isChecked(), dialog.window_on.isChecked()))
        dialog.window_on.setChecked(True)
        dialog.window_value.setValue(12)
        dialog.window_unit.setCurrentIndex(1)  # hours
        return 1

    monkeypatch.setattr(DateRangeDialog, "exec", answer)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay_dates.trigger()
    assert seen == [("2026-10-01", "2026-10-03", False, False)]
    assert window.data_overlay.window_seconds == 12 * 3600
    assert window.scene.overlay.stages[confirm].users == 1  # u1 took more than 12 hours
    assert "within 12h" in window.overlay_bar.caption.text()
    snapshot = window.save_snapshot()
    assert snapshot.filters["window_seconds"] == 12 * 3600
