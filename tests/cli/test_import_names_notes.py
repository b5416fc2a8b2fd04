"""import-events: the dataset's name (--name "" and overlong names) and the note on stderr
naming the encoding the import used."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeydesk.cli import main
from journeydesk.store import datasets
from journeydesk.store.datasets import MAX_NAME_CHARS, DatasetError
from journeydesk.store.workspace_file import WorkspaceFile

LOG = "user_id,event,timestamp,city\nu1,home,2024-05-01 10:00:00,Köln\n"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def names_in(workspace: Path) -> list[str]:
    ws = WorkspaceFile.open(workspace, read_only=True)
    try:
        return [info.name for info in datasets.list_datasets(ws)]
    finally:
        ws.close()


@pytest.mark.parametrize("name", ["", " ", "\t"])
def test_an_empty_name_is_a_usage_error(name: str, log: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "w.jdesk"
    assert main(["import-events", str(workspace), str(log), "--name", name]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "journeydesk: error: --name must not be empty")
    assert not workspace.exists()


def test_import_metrics_refuses_an_empty_name_too(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    metrics = tmp_path / "nps.csv"
    metrics.write_text("stage,metric,value\nVisit,NPS,35\n", encoding="utf-8")
    workspace = tmp_path / "w.jdesk"
    assert main(["import-metrics", str(workspace), str(metrics), "--name", ""]) == 2
    assert "--name must not be empty" in capsys.readouterr().err
    assert not workspace.exists()


def test_names_up_to_the_limit(log: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "w.jdesk"
    longest = "é" * MAX_NAME_CHARS
    assert main(["import-events", str(workspace), str(log), "--name", longest]) == 0
    capsys.readouterr()
    assert main(["import-events", str(workspace), str(log), "--name", longest + "x"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"journeydesk: error: a dataset's name may have at most {MAX_NAME_CHARS} characters "
        f"(this one has {MAX_NAME_CHARS + 1})"]
    assert names_in(workspace) == [longest]


def test_the_store_limits_names(tmp_path: Path) -> None:
    assert MAX_NAME_CHARS == 255
    assert datasets.clean_name(f"  {'n' * MAX_NAME_CHARS}  ") == "n" * MAX_NAME_CHARS
    with pytest.raises(DatasetError, match=r"^a dataset's name may have at most 255 "
                                           r"characters \(this one has 1,000\)$"):
        datasets.clean_name("n" * 1000)
    ws = WorkspaceFile.open(tmp_path / "w.jdesk", create=True)
    try:
        datasets.add_dataset(ws, "web", b"PAR1", source="web.csv", row_count=0)
        with pytest.raises(DatasetError, match="at most 255 characters"):
            datasets.add_dataset(ws, "w" * 256, b"PAR1", source="web.csv", row_count=0)
        with pytest.raises(DatasetError, match="at most 255 characters"):
            datasets.rename_dataset(ws, "web", "w" * 256)
        assert [info.name for info in datasets.list_datasets(ws)] == ["web"]
    finally:
        ws.close()


@pytest.mark.parametrize(("data", "encoding"), [
    (LOG.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + LOG.encode("utf-8"), "utf-8 (BOM)"),
    (LOG.replace("Köln", "Köln – Süd").encode("cp1252"), "windows-1252"),
    (LOG.encode("latin-1"), "latin-1"),
    (LOG.encode("utf-16"), "utf-16"),
], ids=["utf-8", "utf-8-bom", "windows-1252", "latin-1", "utf-16"])
def test_the_note_names_the_encoding(data: bytes, encoding: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    assert main(["import-events", str(tmp_path / "w.jdesk"), str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "journeydesk: note: columns user='user_id', event='event', time='timestamp' "
        f"(YYYY-MM-DD HH:MM:SS); attributes: city; encoding: {encoding}"]


def test_no_encoding_for_a_file_that_is_not_text(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    path = tmp_path / "events.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["user_id", "event", "timestamp"])
    sheet.append(["u1", "home", "2024-05-01 10:00:00"])
    book.save(path)
    assert main(["import-events", str(tmp_path / "w.jdesk"), str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "journeydesk: note: columns user='user_id', event='event', time='timestamp' "
        "(YYYY-MM-DD HH:MM:SS); attributes: none"]
