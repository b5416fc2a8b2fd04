"""Quitting while the overlay or the analytics dock computes: no crash, no hang (1 M events).

Before, the dock's DuckDB queries ran on daemon threads that nobody stopped or joined: Python
finalized while they ran and killed each one the moment its query returned and asked for the
GIL back (``pthread_exit``), whose forced unwind met DuckDB's C++ ``catch (...)``: "FATAL:
exception not rethrown", SIGABRT.  The app runs in a child process here, as a user runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from journeydesk.domain.commands import AddMapCommand
from journeydesk.exchange.json_map import loads_map
from journeydesk.store.datasets import add_dataset
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

TEMPLATE = Path(__file__).parents[2] / "resources" / "templates" / "membership-signup.json"
EVENTS = 1_000_000
USERS = EVENTS // 5
NAMES = ["landing_view", "form_start", "form_submit", "email_confirmed", "first_benefit_used"]

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from journeydesk.app.session import open_document
    from journeydesk.gui.app import application
    from journeydesk.gui.main_window import MainWindow

    path, moment = Path(sys.argv[1]), sys.argv[2]
    app = application()
    document = open_document(path)
    window = MainWindow(document, remember_settings=False)
    window.open_map(next(iter(document.workspace.maps)))
    window.show()

    def close():
        dock = window.analytics
        print("busy at close:", window.data_overlay.busy() or bool(dock and dock.busy()),
              "charts:", bool(dock and dock.busy()), flush=True)
        window.close()  # the last window: the application quits

    if moment == "charts":  # the dock starts its queries when the overlay's numbers come
        window.data_overlay.ready.connect(lambda *_: QTimer.singleShot(0, close))
    window.show_overlay("events")
    window.act_analytics.trigger()
    if moment == "overlay":
        QTimer.singleShot(0, close)
    started = time.monotonic()
    code = app.exec()
    print("event loop left after", round(time.monotonic() - started, 2), "s", flush=True)
    sys.exit(code)
""")


@pytest.fixture(scope="module")
def million_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the membership template and 1 M events (200,000 users, five events
    each, in random order over half a year, on two platforms)."""
    folder = tmp_path_factory.mktemp("million")
    parquet = folder / "events.parquet"
    names = ", ".join(f"'{n}'" for n in NAMES)
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT 'u' || (i % {USERS}) AS "user",
                     [{names}][1 + (i // {USERS}) % 5] AS event,
                     TIMESTAMP '2026-01-01' + to_seconds(((i * 7919) % 15552000)::BIGINT) AS ts,
                     CASE WHEN i % 3 = 0 THEN 'desktop' ELSE 'mobile' END AS platform,
                     CASE WHEN i % 4 = 0 THEN 'returning' ELSE 'new' END AS customer_type
              FROM range({EVENTS}) t(i)) TO '{parquet}' (FORMAT parquet)""")
    con.close()
    path = folder / "million.jdesk"
    document = Document(WorkspaceFile.open(path, create=True))
    m, personas = loads_map(TEMPLATE.read_text(encoding="utf-8"), document.workspace)
    document.execute(AddMapCommand(m, personas))
    add_dataset(document.file, "events", parquet.read_bytes(), source="generated",
                row_count=EVENTS, attributes=["platform", "customer_type"])
    document.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["overlay", "charts"])
def test_quitting_while_computing_exits_cleanly(million_events: Path, tmp_path: Path,
                                               moment: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               HOME=str(tmp_path), JOURNEYDESK_DATA_DIR=str(tmp_path / "data"))
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", CHILD, str(million_events), moment],
                           capture_output=True, text=True, timeout=120, env=env,
                           cwd=tmp_path)
    took = time.monotonic() - started
    report = f"exit {child.returncode} after {took:.1f} s\n{child.stdout}\n{child.stderr[-3000:]}"
    assert child.returncode == 0, report
    assert "busy at close: True" in child.stdout, report  # it did quit while computing
    if moment == "charts":
        assert "charts: True" in child.stdout, report
    for fatal in ("Fatal Python error", "terminate called", "exception not rethrown"):
        assert fatal not in child.stderr, report
    assert took < 60, report
