"""The data overlay on the canvas: numbers on stage headers, the largest drop-off, card counts."""

from __future__ import annotations

import os
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


def _stage(users, conversion=None, dropped=None, share=None, median=None) -> dict:  # noqa: ANN001
    return {"users": users, "conversion_from_previous": conversion, "dropped": dropped,
            "share_of_first": share, "median_seconds_from_previous": median}


def test_only_the_first_bound_stage_is_called_the_first() -> None:
    from journeydesk.gui.canvas.overlay import header_texts

    # Visit 10 -> Sign up 0 -> Confirm 0 (no rate: the previous stage has 0 users) -> Buy 0;
    # an unbound stage before them all
    metrics = {"stages": [
        {"stage": "Unbound", **_stage(None)},
        {"stage": "Visit", **_stage(10, dropped=0)},
        {"stage": "Sign up", **_stage(0, 0.0, 10)},
        {"stage": "Confirm", **_stage(0, None, 0)},
        {"stage": "Buy", **_stage(0, None, 0)}]}
    overlay = overlay_from_metrics(["u", "v", "s", "c", "b"], metrics)
    texts = {key: header_texts(numbers) for key, numbers in overlay.stages.items()}
    firsts = [key for key, t in texts.items() if any("first stage" in f for f in t.flow)]
    assert firsts == ["v"]
    assert texts["v"].flow[0] == "first stage of the funnel" and texts["v"].share == ()
    assert texts["s"].flow[0] == "0% from previous · 10 dropped"
    for key in ("s", "c", "b"):  # 0-user stages read "0 users", never "none" or nothing
        t = texts[key]
        assert t.users == "0 users"
        assert t.flow and all("none" not in f.lower() for f in t.flow), t.flow
        assert t.share[0] == "0% of first stage"
    assert texts["c"].flow[0] == "0 users at the previous stage"
    assert texts["u"].users == "" and texts["u"].flow == ()  # unbound: no numbers
    # the header can be told explicitly (the scene knows which stage is the first bound one)
    assert header_texts(overlay.stages["c"], first=False).flow[0] == \
        "0 users at the previous stage"


def test_a_funnel_nobody_entered_calls_no_stage_the_first() -> None:
    from journeydesk.gui.canvas.overlay import header_texts

    metrics = {"stages": [{"stage": "A", **_stage(0, dropped=0)},
                          {"stage": "B", **_stage(0, None, 0)}]}
    overlay = overlay_from_metrics(["a", "b"], metrics)
    for numbers in overlay.stages.values():
        t = header_texts(numbers)
        assert t.users == "0 users"
        assert t.flow[0] == "no users entered the funnel"
    assert header_texts(overlay.stages["a"], first=True).flow[0] == "first stage of the funnel"


# Sign-ups where nobody confirms the e-mail: Confirm e-mail and First use have 0 users.
NO_CONFIRMATION = """user_id,event,timestamp
u1,landing_view,2026-10-01 09:00:00
u1,form_start,2026-10-01 09:01:00
u1,first_benefit_used,2026-10-02 10:00:00
u2,landing_view,2026-10-01 11:00:00
u2,form_start,2026-10-01 11:02:00
u3,landing_view,2026-10-02 08:00:00
"""


def test_headers_after_a_stage_with_no_users(qtbot, tmp_path: Path) -> None:
    from journeydesk.analytics.events import load_events
    from journeydesk.store.datasets import add_dataset

    window = open_window(qtbot, tmp_path)
    log = tmp_path / "signups.csv"
    log.write_text(NO_CONFIRMATION, encoding="utf-8")
    loaded = load_events(log)
    add_dataset(window.document.file, "signups", loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.act_overlay.trigger()
    m = window.current_map()
    names = {s.name: window.scene.stages[s.id].accessible_name() for s in m.stages}
    assert names["Discover"].startswith("stage: Discover, 3 users, first stage of the funnel")
    assert names["Confirm e-mail"].startswith("stage: Confirm e-mail, 0 users, 0% from previous")
    first_use = names["First use"]
    assert first_use.startswith("stage: First use, 0 users, 0 users at the previous stage")
    assert "first stage" not in first_use.replace("of first stage", "")
    assert "none" not in first_use.lower()
    png = os.environ.get("JOURNEYDESK_HEADERS_PNG", str(tmp_path / "headers.png"))
    assert window.view.grab().save(png)
