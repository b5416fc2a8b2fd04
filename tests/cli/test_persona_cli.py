"""The persona commands: ``personas`` and ``export --persona`` (JSON, PDF, PNG)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeydesk.cli import main
from journeydesk.domain.commands import AddPersonaCommand
from journeydesk.domain.model import Persona
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

MARIA = {"name": "Maria", "role": "Office manager", "quote": "Just make it work",
         "goals": ["Save time"], "frustrations": ["Surprise costs"], "channels": ["e-mail"]}
ANA = {"name": "Ana Łopez", "role": "Finance lead", "goals": ["Predictable invoices"]}


def map_file(folder: Path, name: str, personas: list[dict]) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({
        "format": "journeydesk.map", "version": 1, "name": name, "personas": personas,
        "stages": [{"name": "Awareness"}, {"name": "Trial"}],
        "lanes": [{"name": "Doing", "type": "actions"}],
        "cards": [{"stage": "Trial", "lane": "Doing", "text": "Signs up"}],
    }), encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Maria in two maps, Ana in one, Zed (no role) in none."""
    ws = tmp_path / "ws.jdesk"
    sources = tmp_path / "sources"
    sources.mkdir()
    assert main(["import-map", str(ws), str(map_file(sources, "Trial to paid", [MARIA]))]) == 0
    assert main(["import-map", str(ws),
                 str(map_file(sources, "Renewal", [MARIA, ANA]))]) == 0
    with WorkspaceFile.open(ws) as ws_file:
        Document(ws_file).execute(AddPersonaCommand(Persona(name="Zed")))
    return ws


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, with Qt offscreen."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "journeydesk", *args], capture_output=True,
                          text=True, timeout=120, env=env)


PROG = "journeydesk"


def one_line_error(result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    if code == 2:  # usage errors print the usage first (it may wrap), then one error line
        assert lines[0].startswith("usage:") and words in lines[-1], lines
        assert sum(line.startswith(f"{PROG}") for line in lines) == 1, lines
    else:
        assert len(lines) == 1, lines


# --------------------------------------------------------------------------- personas
def test_personas_lists_name_role_and_map_count_by_name(workspace: Path, capsys) -> None:
    capsys.readouterr()
    result = run("personas", str(workspace))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Ana Łopez\tFinance lead\t1 maps",
        "Maria\tOffice manager\t2 maps",
        "Zed\t\t0 maps",
    ]
    assert result.stderr == ""


def test_personas_of_an_empty_workspace_prints_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "empty.jdesk"
    WorkspaceFile.open(ws, create=True).close()
    result = run("personas", str(ws))
    assert result.returncode == 0 and result.stdout == ""


def test_personas_reads_a_workspace_open_elsewhere(workspace: Path) -> None:
    with WorkspaceFile.open(workspace):
        result = run("personas", str(workspace))
    assert result.returncode == 0 and result.stdout.startswith("Ana Łopez\t")


# --------------------------------------------------------------------------- export
def test_export_persona_as_pdf(workspace: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "maria.pdf"
    result = run("export", str(workspace), "--persona", "Maria", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Maria", "Office manager", "Just make it work", "Save time",
                     "Surprise costs", "e-mail", "Renewal", "Trial to paid"):
        assert expected in text, expected


def test_export_persona_as_png(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "ana.png"
    result = run("export", str(workspace), "--persona", "Ana Łopez", "-o", str(out))
    assert result.returncode == 0, result.stderr
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1240, 1754)


def test_export_persona_without_a_display_needs_no_platform_setting(workspace: Path,
                                                                   tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "zed.png"
    result = subprocess.run([sys.executable, "-m", "journeydesk", "export", str(workspace),
                             "--persona", "Zed", "-o", str(out)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000


def test_export_persona_as_json(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "maria.json"
    result = run("export", str(workspace), "--persona", "Maria", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "journeydesk.persona"
    assert data["persona"]["name"] == "Maria"
    assert data["persona"]["goals"] == ["Save time"]


def test_export_persona_replaces_the_file_and_leaves_no_temporary(workspace: Path,
                                                                  tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "maria.pdf"
    out.write_text("old contents")
    assert run("export", str(workspace), "--persona", "Maria", "-o", str(out)).returncode == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in out_dir.iterdir()] == ["maria.pdf"]


def test_export_map_still_works(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.json"
    result = run("export", str(workspace), "--map", "Renewal", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "journeydesk.map" and data["name"] == "Renewal"
    assert sorted(p["name"] for p in data["personas"]) == ["Ana Łopez", "Maria"]


# --------------------------------------------------------------------------- errors
def test_unknown_persona_names_the_personas_there(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "nope.pdf"
    result = run("export", str(workspace), "--persona", "Nope", "-o", str(out))
    one_line_error(result, 1, "has no persona named 'Nope' (personas: Ana Łopez, Maria, Zed)")
    assert not out.exists()


@pytest.mark.parametrize(("args", "words"), [
    (["--map", "Renewal", "--persona", "Maria"], "not allowed with argument"),
    ([], "one of the arguments --map --persona is required"),
], ids=["both", "neither"])
def test_map_and_persona_are_exclusive_and_one_is_required(workspace: Path, tmp_path: Path,
                                                           args: list[str], words: str) -> None:
    out = tmp_path / "x.pdf"
    result = run("export", str(workspace), *args, "-o", str(out))
    one_line_error(result, 2, words)
    assert "usage:" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("which", "file", "formats"), [
    (["--persona", "Maria"], "maria.svg", "cannot export a persona to 'maria.svg': "
                                          "supported formats are .json, .pdf, .png"),
    (["--map", "Renewal"], "map.docx", "cannot export a map to 'map.docx': supported formats "
                                       "are .json, .xlsx, .pptx, .mmd, .csv, .png, .svg, .pdf"),
], ids=["persona-svg", "map-docx"])
def test_unsupported_extension_is_a_usage_error(workspace: Path, tmp_path: Path,
                                                which: list[str], file: str,
                                                formats: str) -> None:
    result = run("export", str(workspace), *which, "-o", str(tmp_path / file))
    one_line_error(result, 2, formats)
    assert not (tmp_path / file).exists()


def test_unwritable_output_exits_1(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-folder" / "maria.png"
    result = run("export", str(workspace), "--persona", "Maria", "-o", str(out))
    one_line_error(result, 1, "cannot be written")


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_text("hello"), "is not a JourneyDesk workspace"),
    (lambda p: None, "no such workspace file"),
], ids=["not-a-workspace", "missing"])
def test_workspace_errors_exit_1(tmp_path: Path, make, words: str) -> None:
    ws = tmp_path / "x.jdesk"
    make(ws)
    for args in (["personas", str(ws)],
                 ["export", str(ws), "--persona", "Maria", "-o", str(tmp_path / "o.pdf")]):
        one_line_error(run(*args), 1, words)
    assert not (tmp_path / "o.pdf").exists()


def test_personas_needs_a_workspace_argument() -> None:
    result = run("personas")
    assert result.returncode == 2 and "usage:" in result.stderr
