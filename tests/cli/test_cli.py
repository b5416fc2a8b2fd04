"""The command line: a public interface users script against."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from journeydesk import __version__
from journeydesk.cli import main
from journeydesk.store.workspace_file import WorkspaceFile

EXAMPLE = {
    "format": "journeydesk.map", "version": 1, "name": "Trial to paid",
    "description": "From trial sign-up to the first invoice",
    "personas": [{"name": "Maria", "role": "Office manager", "quote": "Just make it work",
                  "goals": ["Save time"], "frustrations": ["Surprise costs"]}],
    "stages": [{"name": "Awareness", "description": "Hears of us", "events": ["home", "promo"]},
               {"name": "Trial", "steps": [{"name": "Sign up"}, {"name": "Explore"}]}],
    "lanes": [{"name": "Doing", "type": "actions"}, {"name": "Feeling", "type": "emotions"},
              {"name": "Pains", "type": "pain_points"}],
    "cards": [{"stage": "Awareness", "lane": "Doing", "text": "Sees an ad", "severity": 3,
               "channel": "social", "tags": ["ads"]},
              {"stage": "Trial", "step": "Explore", "lane": "Pains", "text": "Too many options",
               "severity": 4}],
    "emotions": [{"stage": "Awareness", "persona": "Maria", "score": 1, "label": "curious"},
                 {"stage": "Trial", "step": "Explore", "persona": "Maria", "score": -1}],
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in a child process."""
    return subprocess.run([sys.executable, "-m", "journeydesk", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "trial.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"JourneyDesk {__version__}"


def test_import_creates_the_workspace_and_prints_the_name(tmp_path: Path, example_file: Path,
                                                          capsys) -> None:
    ws = tmp_path / "new.jdesk"
    assert main(["import-map", str(ws), str(example_file)]) == 0
    assert capsys.readouterr().out == "Trial to paid\n"
    assert main(["maps", str(ws)]) == 0
    assert capsys.readouterr().out == "Trial to paid\t2 stages\t2 cards\t-\t-\tnot set\n"


def test_maps_lists_every_map_by_name(tmp_path: Path, example_file: Path, capsys) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    main(["import-map", str(ws), str(example_file), "--name", "Another"])
    capsys.readouterr()
    assert main(["maps", str(ws)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Another\t2 stages\t2 cards\t-\t-\tnot set",
        "Trial to paid\t2 stages\t2 cards\t-\t-\tnot set"]


def test_export_round_trips_through_json(tmp_path: Path, example_file: Path) -> None:
    ws = tmp_path / "ws.jdesk"
    assert run("import-map", str(ws), str(example_file)).returncode == 0
    out = tmp_path / "out.json"
    result = run("export", str(ws), "--map", "Trial to paid", "-o", str(out))
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["name"] == "Trial to paid"
    assert [s["name"] for s in exported["stages"]] == ["Awareness", "Trial"]
    assert exported["cards"][1]["text"] == "Too many options"
    # Exported file imports into another workspace and exports identically.
    ws2 = tmp_path / "ws2.jdesk"
    assert run("import-map", str(ws2), str(out)).returncode == 0
    out2 = tmp_path / "out2.json"
    assert run("export", str(ws2), "--map", "Trial to paid", "-o", str(out2)).returncode == 0
    assert out2.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_export_replaces_the_target_atomically(tmp_path: Path, example_file: Path) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    out = tmp_path / "out.json"
    out.write_text("old contents")
    assert main(["export", str(ws), "--map", "Trial to paid", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["format"] == "journeydesk.map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "trial.json", "ws.jdesk"]


def test_gui_start_on_a_bad_file_exits_non_zero_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "notes.jdesk"
    bad.write_text("not a workspace")
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QMessageBox\n"
        "QMessageBox.critical = staticmethod(lambda parent, title, text: print(text))\n"
        "from journeydesk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True,
                            text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 1
    assert "is not a JourneyDesk workspace" in result.stdout
    assert bad.read_text() == "not a workspace"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("args", [
    ["maps"],
    ["export", "ws.jdesk", "-o", "x.json"],
    ["frobnicate", "ws.jdesk"],
    ["--bogus"],
], ids=["missing-arg", "missing-map", "unknown-command", "unknown-option"])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_export_format_is_a_usage_error(tmp_path: Path, example_file: Path) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    result = run("export", str(ws), "--map", "Trial to paid", "-o", str(tmp_path / "m.docx"))
    assert result.returncode == 2
    assert "supported formats are .json" in result.stderr


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "$"),
    (json.dumps({**EXAMPLE, "lanes": [{"name": "Doing", "type": "feelings"}]}),
     "$.lanes[0].type"),
    (json.dumps({**EXAMPLE, "cards": [{"stage": "Nowhere", "lane": "Doing", "text": "x"}]}),
     "$.cards[0].stage"),
], ids=["malformed", "lane-type", "missing-stage"])
def test_bad_map_file_exits_1_and_writes_nothing(tmp_path: Path, example_file: Path,
                                                 content: str, words: str) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    before = digest(ws)
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run("import-map", str(ws), str(bad))
    assert result.returncode == 1
    assert words in result.stderr and str(bad) in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert digest(ws) == before


def test_bad_map_file_does_not_create_a_workspace(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    ws = tmp_path / "fresh.jdesk"
    assert main(["import-map", str(ws), str(bad)]) == 1
    assert not ws.exists()


def test_duplicate_map_name_is_refused(tmp_path: Path, example_file: Path, capsys) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    assert main(["import-map", str(ws), str(example_file)]) == 1
    assert "already has a map named 'Trial to paid'" in capsys.readouterr().err


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_text("hello"), "is not a JourneyDesk workspace"),
    (lambda p: None, "no such workspace file"),
], ids=["not-a-workspace", "missing"])
def test_workspace_errors_exit_1_with_one_line(tmp_path: Path, make, words: str) -> None:
    ws = tmp_path / "x.jdesk"
    make(ws)
    for args in (["maps", str(ws)], ["export", str(ws), "--map", "M", "-o",
                                     str(tmp_path / "o.json")]):
        result = run(*args)
        assert result.returncode == 1, args
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_export_of_a_missing_map_names_the_maps_there(tmp_path: Path, example_file: Path,
                                                      capsys) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    assert main(["export", str(ws), "--map", "Nope", "-o", str(tmp_path / "o.json")]) == 1
    assert "no map named 'Nope' (maps: Trial to paid)" in capsys.readouterr().err


def test_import_into_a_workspace_open_elsewhere_is_refused(tmp_path: Path,
                                                           example_file: Path) -> None:
    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file), "--name", "First"])
    with WorkspaceFile.open(ws):
        result = run("import-map", str(ws), str(example_file))
        assert result.returncode == 1
        assert "in use" in result.stderr
        # Reading while it is open elsewhere is fine.
        listing = run("maps", str(ws))
        assert listing.returncode == 0 and listing.stdout.startswith("First\t")


def test_screenshot_writes_a_png_of_the_window(tmp_path: Path, example_file: Path) -> None:
    import os

    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "journeydesk", str(ws), "--map",
                             "Trial to paid", "--theme", "dark", "--screenshot", str(out)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1600, 1000)
    missing = subprocess.run([sys.executable, "-m", "journeydesk", str(ws), "--map", "Nope",
                              "--screenshot", str(tmp_path / "x.png")],
                             capture_output=True, text=True, timeout=120, env=env)
    assert missing.returncode == 1 and "no map named 'Nope'" in missing.stderr


def test_a_mistyped_command_is_a_usage_error_not_a_workspace(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "journeydesk", "import-event", "x.csv",
                             "--screenshot", str(tmp_path / "x.png")], capture_output=True,
                            text=True, timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "'import-event' is neither a command nor a workspace file" in result.stderr
    assert "did you mean 'import-events'?" in result.stderr and "Traceback" not in result.stderr
    other = subprocess.run([sys.executable, "-m", "journeydesk", "notes.txt"],
                           capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert other.returncode == 1 and "notes.txt: no such workspace file" in other.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_the_app_on_a_new_file_name_creates_the_workspace(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    ws, shot = tmp_path / "new.jdesk", tmp_path / "new.png"
    result = subprocess.run([sys.executable, "-m", "journeydesk", str(ws), "--screenshot",
                             str(shot)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert ws.is_file() and shot.is_file()
    assert run("maps", str(ws)).returncode == 0


def test_a_screenshot_of_a_damaged_workspace_fails_on_stderr(tmp_path: Path) -> None:
    import os

    bad = tmp_path / "bad.jdesk"
    bad.write_bytes(b"not a workspace at all" * 100)
    before = bad.read_bytes()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "journeydesk", str(bad), "--screenshot",
                             str(tmp_path / "x.png")], capture_output=True, text=True,
                            timeout=60, env=env)  # no dialog that nobody can click
    assert result.returncode == 1 and str(bad) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert bad.read_bytes() == before


def test_output_into_a_closed_pipe_is_not_a_traceback(tmp_path: Path,
                                                      example_file: Path) -> None:
    ws = tmp_path / "ws.jdesk"
    assert run("import-map", str(ws), str(example_file)).returncode == 0
    child = subprocess.Popen([sys.executable, "-m", "journeydesk", "maps", str(ws)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # like `| head -0`: the reader is gone before we write
    _, err = child.communicate(timeout=60)
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_exports_are_as_readable_as_any_new_file(tmp_path: Path, example_file: Path) -> None:
    import os
    import stat

    ws = tmp_path / "ws.jdesk"
    main(["import-map", str(ws), str(example_file)])
    old = os.umask(0o022)
    try:
        for name in ("out.json", "out.xlsx", "out.pptx", "out.csv", "out.mmd", "out.png"):
            assert main(["export", str(ws), "--map", "Trial to paid", "-o",
                         str(tmp_path / name)]) == 0
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
        # an existing file keeps its own permissions when it is replaced
        (tmp_path / "out.json").chmod(0o640)
        assert main(["export", str(ws), "--map", "Trial to paid", "-o",
                     str(tmp_path / "out.json")]) == 0
        assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_every_command_sweeps_what_killed_runs_left(tmp_path: Path, monkeypatch) -> None:
    """A killed import (or metrics query, session cache...) leaves its scratch folder; the
    next command of any kind removes those whose process is gone, and no other."""
    import os
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    dead = 2 ** 22 + 12345  # beyond any pid this machine hands out
    left = [scratch / f"journeydesk-{kind}-{dead}-x1y2" for kind in
            ("import", "preview", "cache", "data", "metrics", "demo", "copy")]
    for folder in left:
        folder.mkdir()
        (folder / "part.parquet").write_bytes(b"x" * 100)
    mine = scratch / f"journeydesk-import-{os.getpid()}-live"  # a running import's: kept
    mine.mkdir()
    other = scratch / "someone-elses-folder"
    other.mkdir()
    main(["demo", str(tmp_path / "w.jdesk")])
    assert not any(folder.exists() for folder in left)
    assert mine.exists() and other.exists()
