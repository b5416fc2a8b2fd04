"""File menu: import, export, save a copy, open another workspace (dialogs answered by the test)."""

from __future__ import annotations

import json
from pathlib import Path

from canvas_helpers import TEMPLATE, open_window
from PySide6.QtWidgets import QFileDialog, QMessageBox

from journeydesk.store.workspace_file import WorkspaceFile


def answer_dialogs(monkeypatch, path: Path) -> None:  # noqa: ANN001
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def test_export_then_import_gives_the_same_map(qtbot, tmp_path: Path, monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    out = tmp_path / "exported.json"
    answer_dialogs(monkeypatch, out)
    window.act_export.trigger()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["name"] == "Membership sign-up"
    window.act_import.trigger()
    imported = window.current_map()
    assert imported.name == "Membership sign-up (2)"  # a free name next to the original
    assert len(imported.cards) == len(data["cards"])
    window.act_undo.trigger()
    assert window.document.workspace.map_named("Membership sign-up (2)") is None


def test_import_of_a_bad_file_says_why_and_changes_nothing(qtbot, tmp_path: Path,
                                                           monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "journeydesk.map", "version": 1, "name": "X", '
                   '"lanes": [{"name": "L", "type": "feelings"}]}')
    answer_dialogs(monkeypatch, bad)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    maps_before = set(window.document.workspace.maps)
    window.act_import.trigger()
    assert set(window.document.workspace.maps) == maps_before
    assert shown and "$.lanes[0].type" in shown[0]


def test_save_a_copy_writes_a_workspace(qtbot, tmp_path: Path, monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    copy = tmp_path / "copy.jdesk"
    answer_dialogs(monkeypatch, copy)
    window.act_save_copy.trigger()
    with WorkspaceFile.open(copy, read_only=True) as ws_file:
        assert ws_file.load() == window.document.workspace


def test_new_workspace_opens_in_a_new_window(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication

    from journeydesk.gui.main_window import MainWindow

    window = open_window(qtbot, tmp_path)
    answer_dialogs(monkeypatch, tmp_path / "fresh")
    window.act_new_workspace.trigger()
    others = [w for w in QApplication.topLevelWidgets()
              if isinstance(w, MainWindow) and w is not window]
    assert len(others) == 1
    assert others[0].document.file.path == tmp_path / "fresh.jdesk"
    assert others[0].document.workspace.maps == {}
    others[0].close()
    assert TEMPLATE.exists()


def test_export_pdf_and_png_from_the_menu(qtbot, tmp_path: Path, monkeypatch) -> None:
    from pypdf import PdfReader
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QInputDialog

    window = open_window(qtbot, tmp_path)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda *a, **k: ("Tile the map at full size", True)))
    pdf = tmp_path / "map.pdf"
    answer_dialogs(monkeypatch, pdf)
    window.act_export.trigger()
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2  # tiled, as chosen
    assert "Membership sign-up" in reader.pages[0].extract_text().replace("\t", " ")
    png = tmp_path / "map.png"
    answer_dialogs(monkeypatch, png)
    window.act_export.trigger()
    assert not QImage(str(png)).isNull()


def test_print_shows_a_preview_of_the_pages(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from journeydesk.gui import map_picture

    window = open_window(qtbot, tmp_path)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda *a, **k: ("Fit the map on one page", True)))
    painted: list[str] = []
    original = map_picture.paint_pages

    def counting(device, document, map_id, **kwargs):  # noqa: ANN001, ANN003, ANN202
        painted.append(kwargs["mode"])
        return original(device, document, map_id, **kwargs)

    monkeypatch.setattr(map_picture, "paint_pages", counting)
    window.act_print.trigger()
    preview = window._print_preview
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    assert painted[0] == "fit"
    assert preview.isVisible()
    preview.reject()


def test_a_name_typed_without_extension_gets_the_chosen_type(qtbot, tmp_path: Path,
                                                             monkeypatch) -> None:
    from python_calamine import CalamineWorkbook

    typed = tmp_path / "journey"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *args, **kwargs: (str(typed), "Excel workbook (*.xlsx)")))
    window = open_window(qtbot, tmp_path)
    window.act_export.trigger()
    written = tmp_path / "journey.xlsx"
    assert written.is_file() and not typed.exists()
    assert "Journey" in CalamineWorkbook.from_path(str(written)).sheet_names
