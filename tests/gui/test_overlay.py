"""The data overlay on the canvas: numbers on stage headers, the largest drop-off, card counts."""

from __future__ import annotations

from pathlib import Path

from canvas_helpers import open_window

from journeydesk.gui.canvas.overlay import format_duration, overlay_from_metrics


def metrics_for(m) -> dict:  # noqa: ANN001
    users = [1000, 700, 240, 200]
    stages = []
    for i, stage in enumerate(m.stages):
        stages.append({
            "stage": stage.name, "users": users[i],
            "conversion_from_previous": None if i == 0 else users[i] / users[i - 1],
            "conversion_from_first": users[i] / users[0],
            "dropped": 0 if i == 0 else users[i - 1] - users[i],
            "median_seconds_from_previous": None if i == 0 else 60.0 * (i + 1)})
    return {"map": m.name, "dataset": "events", "users_total": 1200, "stages": stages}


def test_overlay_numbers_and_largest_drop(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene = window.scene
    m = window.current_map()
    card = next(c for c in m.cards.values() if c.text == "Newsletter")
    overlay = overlay_from_metrics([s.id for s in m.stages], metrics_for(m),
                                   card_counts={card.id: 4321})
    assert overlay.largest_drop_stage == m.stage_named("Confirm e-mail").id  # 700 -> 240
    top_before = scene.layout.top
    scene.set_overlay(overlay)
    assert scene.layout.top > top_before  # the headers grew to hold the numbers
    confirm = scene.stages[m.stage_named("Confirm e-mail").id]
    assert confirm.largest_drop and confirm.numbers.users == 240
    assert abs(confirm.numbers.share_of_first - 0.24) < 1e-9
    assert confirm.accessible_name() == (
        "stage: Confirm e-mail, 240 users, 34% from previous · 460 dropped, "
        "median 3 min from previous, 24% of first stage, largest drop-off")
    assert scene.cards[card.id].count == 4321
    image = window.view.grab().toImage()
    assert not image.isNull()
    scene.set_overlay(None)
    assert scene.layout.top == top_before and scene.cards[card.id].count is None


def test_unbound_stages_show_no_numbers() -> None:
    metrics = {"stages": [{"stage": "A", "users": 10, "conversion_from_previous": None,
                           "dropped": 0, "median_seconds_from_previous": None},
                          {"stage": "B", "users": None, "conversion_from_previous": None,
                           "dropped": None, "median_seconds_from_previous": None},
                          {"stage": "C", "users": 4, "conversion_from_previous": 0.4,
                           "dropped": 6, "median_seconds_from_previous": 5400.0}]}
    overlay = overlay_from_metrics(["a", "b", "c"], metrics)
    assert overlay.stages["b"].users is None
    assert overlay.largest_drop_stage == "c"
    assert overlay.stages["c"].share_of_first == 0.4
    assert [format_duration(s) for s in (30, 600, 5400, 200000)] == [
        "30 s", "10 min", "1.5 h", "2.3 d"]
