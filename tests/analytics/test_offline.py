"""DuckDB never reaches for the network: extensions are neither installed nor loaded on demand.

Workshops have no internet.  Every connection the app opens comes from analytics.engine.connect,
which switches automatic extension installing and loading off; importing every supported format
and computing metrics must work like that, with no extension folder and no network.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import journeydesk
from journeydesk.analytics import engine

PACKAGE = Path(journeydesk.__file__).parent


def test_connections_have_extension_downloads_switched_off() -> None:
    con = engine.connect()
    try:
        settings = con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions'), current_setting('TimeZone')"
        ).fetchone()
    finally:
        con.close()
    assert settings == (False, False, "UTC")


def test_every_duckdb_connection_is_made_by_the_engine() -> None:
    opened = [path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
              if re.search(r"duckdb\s*\.\s*connect\s*\(", path.read_text(encoding="utf-8"))]
    assert opened == ["analytics/engine.py"]


OFFLINE_RUN = r'''
import socket, sys, gzip, json, os
from pathlib import Path

def no_network(*args, **kwargs):
    raise OSError("network used")

socket.socket.connect = no_network
socket.socket.connect_ex = no_network
socket.create_connection = no_network
socket.getaddrinfo = no_network

import duckdb, openpyxl
from datetime import datetime
from journeydesk.analytics import engine
from journeydesk.analytics.events import load_events
from journeydesk.analytics.funnel import event_counts, funnel

work = Path(sys.argv[1])
rows = [("u1", "home", "2024-05-01 10:00:00"), ("u1", "buy", "2024-05-01 10:05:00"),
        ("u2", "home", "2024-05-01 11:00:00")]
text = "user,event,time\n" + "".join(",".join(r) + "\n" for r in rows)
(work / "e.csv").write_text(text)
(work / "e.csv.gz").write_bytes(gzip.compress(text.encode()))
(work / "e.jsonl").write_text("".join(
    json.dumps(dict(zip(("user", "event", "time"), r))) + "\n" for r in rows))
book = openpyxl.Workbook()
book.active.append(["user", "event", "time"])
for r in rows:
    book.active.append(list(r))
book.save(work / "e.xlsx")
con = engine.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{work / 'e.csv'}')) TO '{work / 'e.parquet'}' "
            "(FORMAT parquet)")
try:
    con.execute(f"SELECT * FROM read_xlsx('{work / 'e.xlsx'}')")
except duckdb.Error as exc:  # the excel extension is not built in: refused, not downloaded
    assert "network used" not in str(exc), exc
else:
    raise AssertionError("read_xlsx worked without the excel extension")
con.close()
stages = [("Visit", ["home"]), ("Buy", ["buy"])]
for name in ("e.csv", "e.csv.gz", "e.jsonl", "e.xlsx", "e.parquet"):
    result = load_events(work / name)
    assert result.row_count == 3, name
    numbers = funnel(result.parquet, stages)
    assert [(s.users, s.median_seconds_from_previous) for s in numbers.stages] == [
        (2, None), (1, 300.0)], name
    assert event_counts(result.parquet) == {"home": 2, "buy": 1}
con = engine.connect()
installed = con.execute("SELECT extension_name FROM duckdb_extensions() "
                        "WHERE installed AND install_mode <> 'STATICALLY_LINKED'").fetchall()
assert installed == [], installed
print("offline ok")
'''


def test_import_and_metrics_work_offline_with_no_extension_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", OFFLINE_RUN, str(work)], capture_output=True,
                            text=True, timeout=120, env=env, cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "offline ok"
    assert list(home.iterdir()) == []  # no ~/.duckdb: nothing was installed
    assert sorted(p.name for p in work.iterdir()) == [  # no DuckDB spill folder left here
        "e.csv", "e.csv.gz", "e.jsonl", "e.parquet", "e.xlsx"]
