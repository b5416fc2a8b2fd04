"""Hostile and unlucky workspace files: odd paths, special files, other programs' locks, hot
journals, long names, stale temporary files, a full disk and an unwritable folder (issue 15).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from journeydesk.app import session as app_session
from journeydesk.cli.main import main
from journeydesk.store import file_checks
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile

TEMPLATE = Path(__file__).parents[2] / "resources" / "templates" / "membership-signup.json"
MAP = "Membership sign-up"
UNSET = "\t-\t-\tnot set"  # no owner, no review date: `maps` says so
EVENTS = "user,event,time\nu1,a,2024-01-01 10:00:00\nu2,b,2024-01-02 10:00:00\n"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "map.json"
    shutil.copyfile(TEMPLATE, path)
    return path


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the template map and a small dataset, made once."""
    folder = tmp_path_factory.mktemp("built")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = folder / "ws.jdesk"
    assert main(["import-map", str(path), str(TEMPLATE)]) == 0
    assert main(["import-events", str(path), str(folder / "events.csv")]) == 0
    return path


@pytest.fixture
def workspace(built: Path, tmp_path: Path, map_file: Path, events: Path) -> Path:
    """A copy of the built workspace beside the map and event files."""
    path = tmp_path / "ws.jdesk"
    shutil.copyfile(built, path)
    return path


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch,
                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """A short wait for other programs' locks, and a temporary folder of this test's own (other
    programs running beside the suite put their files in the shared one)."""
    monkeypatch.setattr(file_checks, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("systmp")))


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading waits for a writer forever)."""
    def expire(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- 1: paths are paths
ODD_NAMES = ["c%41.jdesk", "a%20b.jdesk", "x%2fy.jdesk", "p%25.jdesk", "q?.jdesk", "h#.jdesk",
             "sp ace.jdesk", "ünïcødé ☃.jdesk", "%.jdesk", "a?mode=ro.jdesk",
             "b#frag.jdesk", "x%3fmode=memory.jdesk", "%00.jdesk", "file%3a.jdesk",
             "日本語.jdesk", "c%2541.jdesk"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_workspace_path_names_that_file_and_no_other(
        name: str, tmp_path: Path, map_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The file a path decoder would reach instead (c%41 -> cA, x%2fy -> x/y) holds a decoy.
    decoy = tmp_path / unquote(name).split("?")[0].split("#")[0].replace("\x00", "0")
    if decoy.name and decoy != tmp_path / name and decoy.suffix == ".jdesk":
        decoy.parent.mkdir(exist_ok=True)
        assert main(["import-map", str(decoy), str(map_file), "--name", "Decoy"]) == 0
        before = digest(decoy)
    else:
        decoy, before = None, None
    target = tmp_path / name
    code, out, err = run(capsys, "import-map", target, map_file)
    assert code == 0, err
    assert target.is_file()
    assert run(capsys, "maps", target)[1].splitlines() == [f"{MAP}\t4 stages\t16 cards{UNSET}"]
    if decoy is not None:
        assert digest(decoy) == before, f"{decoy} was written through {name!r}"
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("name", ["c%41.jdesk", "a%20b.jdesk", "p%25.jdesk", "q?.jdesk"])
def test_the_writer_lock_is_on_the_real_file(name: str, tmp_path: Path, map_file: Path,
                                             refused) -> None:  # noqa: ANN001
    odd = tmp_path / name
    plain = tmp_path / unquote(name).replace("?", "")
    for path in (odd, plain):
        assert main(["import-map", str(path), str(map_file)]) == 0
    with WorkspaceFile.open(plain):  # a writer on the decoded name does not lock the odd one
        assert main(["import-map", str(odd), str(map_file), "--name", "Again"]) == 0
    with WorkspaceFile.open(odd):  # and a writer on the odd name locks exactly it
        refused(["import-map", odd, map_file, "--name", "Third"], names=[odd, "in use"],
                files=[odd])
        assert main(["import-map", str(plain), str(map_file), "--name", "Third"]) == 0


# --------------------------------------------------------------------------- 11: regular files
def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def _link_to_fifo(path: Path) -> None:
    os.mkfifo(path.with_name("real-fifo"))
    path.symlink_to(path.with_name("real-fifo"))


def _device(path: Path) -> None:
    path.symlink_to(os.devnull)


SPECIAL = {"fifo": (_fifo, "pipe"), "folder": (_folder, "folder"), "socket": (_socket, "socket"),
           "link-to-fifo": (_link_to_fifo, "pipe"), "dev-null": (_device, "device")}
COMMANDS = {
    "maps": lambda w, t: ["maps", w],
    "personas": lambda w, t: ["personas", w],
    "import-map": lambda w, t: ["import-map", w, t / "map.json"],
    "export": lambda w, t: ["export", w, "--map", MAP, "-o", t / "out.json"],
    "import-events": lambda w, t: ["import-events", w, t / "events.csv"],
    "metrics": lambda w, t: ["metrics", w, "--map", MAP],
    "gui": lambda w, t: [w, "--screenshot", t / "shot.png"],  # the app, without a dialog
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(SPECIAL))
@pytest.mark.usefixtures("map_file", "events")
def test_only_a_regular_file_is_a_workspace(kind: str, command: str, tmp_path: Path,
                                            refused) -> None:  # noqa: ANN001
    make, word = SPECIAL[kind]
    path = tmp_path / "x.jdesk"
    make(path)
    with deadline(20):
        refused(COMMANDS[command](path, tmp_path), names=[path, word],
                files=[tmp_path / "out.json"])
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_the_app_open_path_refuses_special_files_with_the_same_message(
        kind: str, tmp_path: Path) -> None:
    make, word = SPECIAL[kind]
    path = tmp_path / "x.jdesk"
    make(path)
    with deadline(20), pytest.raises(WorkspaceError, match=word) as caught:
        app_session.open_document(path)
    assert str(path) in str(caught.value)


# --------------------------------------------------------------------------- 9: other programs
@contextlib.contextmanager
def other_program(path: Path, how: str) -> Iterator[sqlite3.Connection]:
    """Another SQLite client holding ``path`` the way ``how`` says."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        if how == "exclusive":
            conn.execute("BEGIN EXCLUSIVE")
        elif how == "immediate":
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE maps SET name = name")  # a journal beside the file, live
        elif how == "wal":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM maps").fetchone()  # a reader keeps it WAL
        yield conn
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        conn.close()


READERS = ["maps", "personas", "export", "metrics"]
WRITERS = ["import-map", "import-events"]


@pytest.mark.parametrize("command", READERS + WRITERS)
@pytest.mark.parametrize("how", ["exclusive", "immediate", "wal"])
def test_another_programs_lock_is_called_busy(how: str, command: str, workspace: Path,
                                              capsys, refused) -> None:  # noqa: ANN001
    argv = COMMANDS[command](workspace, workspace.parent)
    if command == "import-events":
        argv += ["--name", "more"]
    with other_program(workspace, how):
        before = digest(workspace)
        if how != "exclusive" and command in READERS:  # reading beside a writer works
            code, _, err = run(capsys, *argv)
            assert code == 0, err
        else:
            message = refused(argv, names=[workspace, "busy in another program"]).message
            assert "crash" not in message and "interrupted" not in message
        assert digest(workspace) == before


def test_busy_is_said_when_the_lock_comes_after_opening(workspace: Path) -> None:
    with WorkspaceFile.open(workspace, read_only=True) as ws_file, \
            other_program(workspace, "exclusive"), \
            pytest.raises(WorkspaceError, match="busy in another program"):
        ws_file.map_summaries()


# --------------------------------------------------------------------------- 7: hot journals
def crashed_copy(live: Path, crashed: Path) -> None:
    """Leave ``crashed`` as a SIGKILL mid-commit on ``live`` would: spilled pages + journal."""
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA cache_size=1")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM cards")
    conn.executemany("INSERT INTO personas (id, name, role, quote, bio, notes) "
                     "VALUES (?, ?, '', '', ?, '')",
                     [(f"p{i}", f"P{i}", "x" * 500) for i in range(1500)])
    crashed.write_bytes(live.read_bytes())
    file_checks.journal_of(crashed).write_bytes(file_checks.journal_of(live).read_bytes())
    conn.execute("ROLLBACK")
    conn.close()


@pytest.fixture
def crashed(workspace: Path, tmp_path: Path) -> Path:
    path = tmp_path / "crashed.jdesk"
    crashed_copy(workspace, path)
    return path


@pytest.mark.parametrize("command", READERS)
def test_a_reading_command_never_replays_a_hot_journal(
        command: str, crashed: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    journal = file_checks.journal_of(crashed)
    before, journal_before = digest(crashed), digest(journal)
    code, out, err = run(capsys, *COMMANDS[command](crashed, tmp_path))
    assert code == 0, err
    assert digest(crashed) == before and digest(journal) == journal_before
    assert "interrupted while saving" in err and "open it for writing" in err
    if command == "maps":  # read as it was before the unfinished change
        assert out.splitlines() == [f"{MAP}\t4 stages\t16 cards{UNSET}"]
    assert not list(tmp_path.glob("*.bak"))


def test_opening_for_writing_repairs_after_a_backup_and_says_where(
        crashed: Path, map_file: Path, capsys) -> None:  # noqa: ANN001
    before, journal_before = digest(crashed), digest(file_checks.journal_of(crashed))
    code, _, err = run(capsys, "import-map", crashed, map_file, "--name", "Second")
    assert code == 0, err
    backup = crashed.with_name("crashed.jdesk.interrupted.bak")
    assert str(backup) in err and "repaired" in err
    assert digest(backup) == before
    assert digest(file_checks.journal_of(backup)) == journal_before
    assert not file_checks.journal_of(crashed).exists()
    assert run(capsys, "maps", crashed)[1].splitlines() == [
        f"{MAP}\t4 stages\t16 cards{UNSET}", f"Second\t4 stages\t16 cards{UNSET}"]


def test_a_journal_of_another_file_does_not_ruin_the_workspace(
        workspace: Path, tmp_path: Path, map_file: Path, capsys) -> None:  # noqa: ANN001
    other = tmp_path / "other.jdesk"
    assert main(["import-map", str(other), str(map_file), "--name", "Other"]) == 0
    scratch = tmp_path / "scratch.jdesk"
    crashed_copy(other, scratch)
    stale = file_checks.journal_of(workspace)
    stale.write_bytes(file_checks.journal_of(scratch).read_bytes())  # copied next to it
    before = digest(workspace)
    code, out, err = run(capsys, "maps", workspace)  # a reader: nothing written
    assert digest(workspace) == before and stale.exists()
    code, _, err = run(capsys, "import-map", workspace, map_file, "--name", "Next")
    assert code == 0, err
    assert "interrupted.bak" in err
    for _ in range(2):  # and it opens again, every time
        code, out, err = run(capsys, "maps", workspace)
        assert code == 0, err
        assert f"{MAP}\t" in out and "Next\t" in out


def test_an_unwritable_file_with_a_hot_journal_is_read_without_writing(crashed: Path) -> None:
    before = digest(crashed)
    crashed.chmod(0o444)
    try:
        with WorkspaceFile.open(crashed) as ws_file:
            assert ws_file.read_only and ws_file.notes
            assert [name for name, *_ in ws_file.map_summaries()] == [MAP]
    finally:
        crashed.chmod(0o644)
    assert digest(crashed) == before and file_checks.journal_of(crashed).exists()


# --------------------------------------------------------------------------- 14: names, leftovers
@pytest.mark.parametrize("suffix", [".json", ".csv", ".mmd", ".xlsx"])
@pytest.mark.parametrize("stem", ["x", "é", "日"])
def test_exports_to_the_longest_file_names_work(stem: str, suffix: str, workspace: Path,
                                                tmp_path: Path, capsys) -> None:  # noqa: ANN001
    n = (255 - len(suffix)) // len(stem.encode())
    out = tmp_path / "out" / (stem * n + suffix)
    out.parent.mkdir()
    assert len(os.fsencode(out.name)) > 250
    code, _, err = run(capsys, "export", workspace, "--map", MAP, "-o", out)
    assert code == 0, err
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_ours_are_swept_and_no_others(
        workspace: Path, tmp_path: Path, map_file: Path) -> None:
    gone, old = dead_pid(), time.time() - 2 * 3600
    stale = [tmp_path / f".jdesk-new-{gone}-0a1b2c3d", tmp_path / f".jdesk-copy-{gone}-0a1b2c3d",
             tmp_path / ".jdesk-new-k3j_x9aa"]
    # a live process's file is in use however old (a new workspace an app has open for hours)
    kept = [tmp_path / f".jdesk-new-{os.getpid()}-11111111", tmp_path / ".jdesk-newer",
            tmp_path / "notes.jdesk-new-1-2", tmp_path / f".jdesk-new-{os.getpid()}-00000000"]
    for path in stale + kept:
        path.write_bytes(b"x")
    for path in stale[:2]:  # past the grace a dead process's file gets
        os.utime(path, (time.time() - 300, time.time() - 300))
    for path in [*stale[2:], kept[-1]]:
        os.utime(path, (old, old))
    assert main(["import-map", str(workspace), str(map_file), "--name", "Swept"]) == 0
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_stale_export_temporaries_are_swept_by_the_next_export(
        workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "target.json"
    gone = dead_pid()
    stale = [tmp_path / f".target.json.{gone}-0a1b2c3d.tmp", tmp_path / ".target.json.0a1b2c3d.tmp"]
    kept = tmp_path / ".target.json.keep"
    for path in [*stale, kept]:
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    os.utime(stale[0], (time.time() - 300, time.time() - 300))
    assert main(["export", str(workspace), "--map", MAP, "-o", str(out)]) == 0
    assert [p for p in stale if p.exists()] == [] and kept.exists() and out.is_file()


KILLED_IMPORT = """
import os, signal, sys
from journeydesk.app.session import WorkspaceSession
with WorkspaceSession.open(sys.argv[1], create=True) as session:
    session.workspace  # the new file is made and loaded: killed before the import is kept
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_import_into_a_new_file_leaves_no_workspace(tmp_path: Path,
                                                             map_file: Path) -> None:
    new = tmp_path / "new.jdesk"
    child = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(new)], env=ENV)
    assert child.returncode == -signal.SIGKILL
    assert not new.exists()
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(".jdesk-new-")]
    os.utime(left, (time.time() - 300, time.time() - 300))
    assert main(["import-map", str(new), str(map_file)]) == 0  # the next run sweeps it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "new.jdesk"]


def test_a_refused_command_on_a_new_file_leaves_nothing(tmp_path: Path) -> None:
    new = tmp_path / "new.jdesk"
    with pytest.raises(RuntimeError), app_session.WorkspaceSession.open(new, create=True):
        raise RuntimeError("refused midway")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- 15a, 10: disk full
def limited(code: str, limit: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with files limited to ``limit`` bytes (a full disk, as a write sees it)."""
    prelude = ("import resource, signal\n"
               "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
               f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n")
    return subprocess.run([sys.executable, "-c", prelude + code], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)


REPLACE_DATASET = """
import os
from journeydesk.store.datasets import add_dataset
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile
with WorkspaceFile.open('ws.jdesk') as f:
    try:
        add_dataset(f, 'events', os.urandom(3_000_000), source='x', row_count=1, replace=True)
    except WorkspaceError as exc:
        print(exc)
"""


@pytest.mark.parametrize("limit", [200_000, 1_000_000, 2_500_000])
def test_a_full_disk_during_an_import_leaves_the_file_as_it_was(limit: int,
                                                                workspace: Path) -> None:
    before = digest(workspace)
    done = limited(REPLACE_DATASET, limit, workspace.parent)
    assert done.returncode == 0, done.stderr
    assert "could not be saved" in done.stdout and "nothing was changed" in done.stdout
    assert digest(workspace) == before
    assert not file_checks.journal_of(workspace).exists()


def test_import_events_on_a_full_disk_is_one_line_and_changes_nothing(
        workspace: Path) -> None:
    rows = "".join(f"u{i},e{i % 97},2024-01-{1 + i % 28:02d} 10:{i % 60:02d}:00\n"
                   for i in range(20_000))
    (workspace.parent / "big.csv").write_text("user,event,time\n" + rows, encoding="utf-8")
    before, size = digest(workspace), workspace.stat().st_size
    done = limited("from journeydesk.cli.main import main\n"
                   "raise SystemExit(main(['import-events', 'ws.jdesk', 'big.csv', "
                   "'--name', 'big']))", size + 8192, workspace.parent)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr, lines
    assert lines[0].startswith("journeydesk: error: ws.jdesk: could not be saved ("), lines
    assert lines[0].endswith("; nothing was changed"), lines
    assert digest(workspace) == before
    assert not file_checks.journal_of(workspace).exists()


CREATE = ("from journeydesk.cli.main import main\n"
          "raise SystemExit(main(['import-map', 'new.jdesk', 'map.json']))")


def test_creating_a_workspace_on_a_full_disk_is_one_line(tmp_path: Path,
                                                        map_file: Path) -> None:
    done = limited(CREATE, 0, tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "journeydesk: error: new.jdesk: cannot be created (the disk is full)"] or (
        done.stderr.startswith("journeydesk: error: new.jdesk: cannot be created")
        and len(done.stderr.splitlines()) == 1), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json"]


def test_creating_a_workspace_in_a_read_only_folder_is_one_line(
        tmp_path: Path, map_file: Path, refused) -> None:  # noqa: ANN001
    refused(["import-map", "/sys/new.jdesk", map_file],
            names=["/sys/new.jdesk", "cannot be created"])
    if os.geteuid() != 0:  # root writes in any folder: /sys stands for one above
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        try:
            refused(["import-map", folder / "new.jdesk", map_file],
                    names=[folder / "new.jdesk", "cannot be created (Permission denied)"])
        finally:
            folder.chmod(0o755)
    with pytest.raises(WorkspaceError, match="cannot be created"):
        app_session.open_document("/sys/new.jdesk", create=True)


def test_the_app_says_where_the_backup_of_an_interrupted_file_is(crashed: Path,
                                                                 qtbot) -> None:  # noqa: ANN001
    """The GUI shows what the command line prints: the file was repaired, the backup's path."""
    from journeydesk.app.session import open_document
    from journeydesk.gui.main_window import MainWindow

    document = open_document(crashed)
    window = MainWindow(document, remember_settings=False)
    qtbot.addWidget(window)
    message = window.statusBar().currentMessage()
    assert "repaired" in message
    assert str(crashed.with_name("crashed.jdesk.interrupted.bak")) in message
    window.close()
    document.close()
