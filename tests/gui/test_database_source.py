"""A database source in the window: added from File menu, password asked once, overlay and
charts computed in PostgreSQL, a slow query stopped from the status bar."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from canvas_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog
from test_data_overlay import EVENTS, add_log

from journeydesk.store.sources import add_source, list_sources


@pytest.fixture
def table(postgres) -> str:  # noqa: ANN001
    """The overlay tests' log in a PostgreSQL table, and a slow view of it."""
    name = f"gui_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(postgres.url())
    rows = [line.split(",") for line in EVENTS.strip().splitlines()[1:]]
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} (user_id text, event text, "
                             "timestamp timestamp, platform text)")
        conn.execute(sa.text(f"INSERT INTO {name} VALUES (:u, :e, :t, :p)"),
                     [{"u": u, "e": e, "t": t, "p": p} for u, e, t, p in rows])
        conn.exec_driver_sql("CREATE OR REPLACE FUNCTION gui_slow() RETURNS boolean AS "
                             "$$ BEGIN PERFORM pg_sleep(1); RETURN true; END $$ "
                             "LANGUAGE plpgsql VOLATILE")
        conn.exec_driver_sql(f"CREATE VIEW {name}_slow AS SELECT * FROM {name} "
                             "WHERE gui_slow()")
    engine.dispose()
    return name


def numbers_by_stage(window) -> dict[str, tuple]:  # noqa: ANN001
    m = window.current_map()
    return {m.stage(sid).name: (n.users, n.dropped, n.conversion_from_previous)
            for sid, n in window.scene.overlay.stages.items()}


def test_source_added_from_the_file_menu_shows_the_same_overlay(qtbot, tmp_path: Path,
                                                                postgres, table) -> None:
    window = open_window(qtbot, tmp_path)
    add_log(window, tmp_path)  # the same events, imported: the numbers to match
    window.show_overlay("signups")
    qtbot.waitUntil(lambda: window.scene.overlay is not None, timeout=20000)
    local = numbers_by_stage(window)
    window.hide_overlay()

    dialog = window.add_database_source()
    qtbot.keyClicks(dialog.name, "Warehouse")
    qtbot.keyClicks(dialog.url, postgres.url(with_password=False))
    qtbot.keyClicks(dialog.password, postgres.password)
    qtbot.keyClicks(dialog.table, table)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.combos["time"].isEnabled, timeout=20000)
    assert [dialog.combos[r].currentText() for r in ("user", "event", "time")] == [
        "user_id", "event", "timestamp"]
    assert "platform" in dialog.status.text()
    add = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert numbers_by_stage(window) == local
    (info,) = list_sources(window.document.file)
    assert (info.name, info.table, info.url) == ("Warehouse", table,
                                                  postgres.url(with_password=False))
    assert postgres.password.encode() not in Path(window.document.file.path).read_bytes()
    datasets = window.navigator.topLevelItem(2)
    assert [datasets.child(i).text(0) for i in range(datasets.childCount())] == [
        "signups", "Warehouse"]
    assert datasets.child(0).icon(0).isNull() and not datasets.child(1).icon(0).isNull()
    assert datasets.child(1).toolTip(0) == f"{table} at {postgres.url(with_password=False)} " \
                                           "(database)"

    # a segment is computed in the database too: mobile users are u1 and u3
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.set_overlay_segment({"platform": "mobile"})
    assert numbers_by_stage(window)["Discover"][0] == 2


def test_password_is_asked_once_per_session(qtbot, tmp_path: Path, postgres, table,
                                            monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    add_source(window.document.file, "db", url=postgres.url(with_password=False), table=table,
               user_column="user_id", event_column="event", time_column="timestamp")
    window._refresh_navigator()
    asked: list[str] = []

    def answer(parent, title, label, echo, *args, **kwargs):  # noqa: ANN001, ANN202
        asked.append(label)
        return postgres.password, True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.show_overlay("db")
    assert len(asked) == 1 and "never saved" in asked[0]
    assert numbers_by_stage(window)["Discover"][0] == 4
    # the charts and a recomputation use the same session: no second question
    window.act_analytics.trigger()
    qtbot.waitUntil(lambda: window.analytics is not None
                    and window.analytics.histogram.counts != [], timeout=20000)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.data_overlay.refresh()
    assert len(asked) == 1
    assert sum(window.analytics.histogram.counts) == 3  # three users reached Sign up

    # who dropped before Sign up, and one user's timeline, from the database
    m = window.current_map()
    window.show_who_dropped(m.stage_named("Sign up").id)
    qtbot.waitUntil(lambda: window.findChild(object, "droppedUsers") is not None,
                    timeout=20000)
    dialog = window.findChild(object, "droppedUsers")
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["u4"]
    timeline = dialog.show_timeline("u1")
    listing = timeline.findChildren(type(dialog.list))[0]
    qtbot.waitUntil(lambda: listing.count() == 4, timeout=20000)
    assert listing.item(0).text() == "2026-10-01 09:00:00   landing_view"
    assert len(asked) == 1
    assert postgres.password.encode() not in Path(window.document.file.path).read_bytes()


def test_a_slow_query_is_stopped_from_the_status_bar(qtbot, tmp_path: Path, postgres,
                                                     table, monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    monkeypatch.setenv("GUI_DB_PASSWORD", postgres.password)
    add_source(window.document.file, "slow", url=postgres.url(with_password=False),
               table=f"{table}_slow", user_column="user_id", event_column="event",
               time_column="timestamp", password_env="GUI_DB_PASSWORD")
    window.show_overlay("slow")
    qtbot.waitUntil(window.stop_button.isVisible, timeout=5000)
    assert "in the database" in window.statusBar().currentMessage()
    qtbot.wait(500)
    with qtbot.waitSignal(window.data_overlay.cancelled, timeout=20000):
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    assert not window.stop_button.isVisible()
    assert window.statusBar().currentMessage().startswith("Stopped:")
    assert not window.act_overlay.isChecked()
    # the window is still usable: a normal dataset's overlay works
    add_log(window, tmp_path)
    with qtbot.waitSignal(window.data_overlay.ready, timeout=20000):
        window.show_overlay("signups")


def test_a_connection_problem_is_shown_as_a_problem(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dialog = window.add_database_source()
    qtbot.keyClicks(dialog.url, "postgresql+psycopg://someone@127.0.0.1:1/db")
    qtbot.keyClicks(dialog.table, "events")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("⚠"), timeout=20000)
    assert "cannot reach the server" in dialog.status.text()
    assert "b42318" in dialog.status.styleSheet()  # red, not the plain text of a note
    assert dialog.connect_button.isEnabled()
    dialog.reject()
