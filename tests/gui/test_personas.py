"""Personas in the app: gallery, editor (Designer form), photos, linking, curves, compare."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from canvas_helpers import open_window
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView, QMessageBox, QStyle

from journeydesk.domain.commands import EditPersonaCommand
from journeydesk.gui.main_window import MainWindow
from journeydesk.gui.persona_editor import CHANNELS, lines_height
from journeydesk.gui.persona_photo import PhotoError, load_photo
from journeydesk.store.workspace_file import WorkspaceFile


def persona_named(window: MainWindow, name: str):
    return window.document.workspace.persona_named(name)


def open_editor(qtbot, window: MainWindow, name: str):  # noqa: ANN001, ANN201
    gallery = window.gallery
    gallery.select(persona_named(window, name).id)
    rect = gallery.list.visualItemRect(gallery.list.currentItem())
    viewport = gallery.list.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       rect.center())
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      rect.center())
    dialog = window.persona_editors[persona_named(window, name).id]
    qtbot.waitExposed(dialog)
    dialog.windowHandle().requestActivate()  # focus changes need the active window
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog


def type_into(widget, text: str, finish: Qt.Key | None = Qt.Key.Key_Return) -> None:  # noqa: ANN001
    """Type ``text`` (lines separated by Enter presses), then press ``finish``."""
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    for i, line in enumerate(text.split("\n")):
        if i:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        QTest.keyClicks(widget, line)
    if finish is not None:
        QTest.keyClick(widget, finish)


def stored(window: MainWindow):
    with WorkspaceFile.open(window.document.file.path, read_only=True) as ws_file:
        return ws_file.load()


# --------------------------------------------------------------------------- editor
def test_editor_fields_are_saved_as_undoable_edits(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Daniel Okafor")
    persona = persona_named(window, "Daniel Okafor")
    type_into(dialog.lines["name"], "Dan Okafor")
    type_into(dialog.lines["age_range"], "45-54")
    type_into(dialog.lines["location"], "Leeds")
    assert (persona.name, persona.age_range, persona.location) == ("Dan Okafor", "45-54",
                                                                  "Leeds")
    goals = dialog.plains["goals"]
    type_into(goals, "Join in a minute\nNo phone number", finish=None)
    dialog.lines["role"].setFocus()  # leaving the list saves it
    assert persona.goals == ["Join in a minute", "No phone number"]
    # preferred channels: tick "store" by clicking its check box
    click_check_box(dialog.channels, dialog.channels.findItems("store",
                                                               Qt.MatchFlag.MatchExactly)[0])
    assert persona.channels == ["web", "email", "store", "chat"]
    dialog.tech_comfort.setFocus()
    QTest.keyClick(dialog.tech_comfort, Qt.Key.Key_Up)
    QTest.keyClick(dialog.tech_comfort, Qt.Key.Key_Up)
    assert persona.tech_comfort == 5
    type_into(dialog.segment_edit, "platform = desktop\ncountry = UK", finish=None)
    dialog.lines["role"].setFocus()
    assert persona.segment == {"platform": "desktop", "country": "UK"}
    assert stored(window).personas[persona.id] == persona  # each edit committed at once
    assert window.windowTitle()  # the window is still fine
    steps = window.editor.stack.count()
    assert steps >= 8
    QTest.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo in dialog
    assert persona.segment == {"platform": "desktop"}
    assert dialog.segment_edit.toPlainText() == "platform = desktop"  # the form follows
    while window.editor.stack.canUndo():
        window.editor.stack.undo()
    assert persona.name == "Daniel Okafor" and dialog.lines["name"].text() == "Daniel Okafor"


def click_check_box(channels, item) -> None:  # noqa: ANN001
    """Click the check box of a list item, where the style draws it: the left of the item."""
    style = channels.style()
    rect = channels.visualItemRect(item)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, channels) + 1
    x = rect.left() + margin + style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) // 2
    QTest.mouseClick(channels.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(x, rect.center().y()))


def test_every_channel_has_a_check_box_and_a_click_ticks_it(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Margaret Lindqvist")
    persona = persona_named(window, "Margaret Lindqvist")
    assert persona.channels and "sms" not in persona.channels
    items = [dialog.channels.item(i) for i in range(dialog.channels.count())]
    assert all(item.data(Qt.ItemDataRole.CheckStateRole) is not None for item in items)
    assert {item.text() for item in items if item.checkState() == Qt.CheckState.Checked} == \
        set(persona.channels)
    sms = dialog.channels.findItems("sms", Qt.MatchFlag.MatchExactly)[0]
    ticked = [c for c in CHANNELS if c in persona.channels or c == "sms"]  # in the list's order
    click_check_box(dialog.channels, sms)
    assert sms.checkState() == Qt.CheckState.Checked
    assert persona.channels == ticked
    assert stored(window).personas[persona.id].channels == ticked
    click_check_box(dialog.channels, sms)  # and off again
    assert persona.channels == [c for c in ticked if c != "sms"]
    window.act_undo.trigger()
    assert persona.channels == ticked and sms.checkState() == Qt.CheckState.Checked
    # a channel the list does not offer (from an imported persona) is shown ticked, with a box
    window.editor.run(EditPersonaCommand(persona.id, channels=["web", "kiosk"]))
    kiosk = dialog.channels.findItems("kiosk", Qt.MatchFlag.MatchExactly)[0]
    assert kiosk.checkState() == Qt.CheckState.Checked
    assert all(dialog.channels.item(i).data(Qt.ItemDataRole.CheckStateRole) is not None
               for i in range(dialog.channels.count()))


def test_editor_layout_shows_whole_fields(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Daniel Okafor")
    margins = dialog.form.layout().contentsMargins()
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (12,) * 4
    five_lines = [dialog.plains[key] for key in ("bio", "goals", "frustrations", "needs",
                                                 "motivations")]
    for edit in five_lines:
        assert edit.height() >= lines_height(edit, 5) >= 5 * edit.fontMetrics().lineSpacing()
    # nothing overlaps in the identity form: each field ends above the next one
    fields = [*dialog.lines.values(), dialog.plains["bio"], dialog.tech_comfort,
              dialog.tags_edit]
    tops = sorted(fields, key=lambda w: w.y())
    assert all(a.geometry().bottom() < b.y() for a, b in zip(tops, tops[1:], strict=False))
    channels = dialog.channels
    assert channels.flow() == QListView.Flow.LeftToRight and channels.isWrapping()
    assert channels.height() <= 70
    last = channels.item(channels.count() - 1)
    assert channels.viewport().rect().contains(channels.visualItemRect(last))  # all in view


def test_redo_keys_work_in_the_editor(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Daniel Okafor")
    persona = persona_named(window, "Daniel Okafor")
    redo = next(a for a in dialog.actions() if a.text() == "Redo")
    keys = [k.toString() for k in redo.shortcuts()]
    assert len(keys) == len(set(keys)) and {"Ctrl+Y", "Ctrl+Shift+Z"} <= set(keys)
    type_into(dialog.lines["location"], "Leeds")
    for modifiers, key in ((Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Y),
                           (Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Z)):
        QTest.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert persona.location == "Manchester, United Kingdom"
        QTest.keyClick(dialog, key, modifiers)
        assert persona.location == "Leeds"


def test_a_bad_segment_line_is_refused_with_a_message(qtbot, tmp_path: Path,
                                                      monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Margaret Lindqvist")
    type_into(dialog.segment_edit, "platform mobile", finish=None)
    dialog.lines["role"].setFocus()
    assert shown == ["segment line 1: write it as 'attribute = value'"]
    assert persona_named(window, "Margaret Lindqvist").segment == {"customer_type": "returning"}


def test_duplicate_names_are_refused(qtbot, tmp_path: Path, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Margaret Lindqvist")
    type_into(dialog.lines["name"], "Daniel Okafor")
    assert persona_named(window, "Margaret Lindqvist") is not None
    assert dialog.lines["name"].text() == "Margaret Lindqvist"
    assert any("already a persona named 'Daniel Okafor'" in s for s in shown)


# --------------------------------------------------------------------------- photos
def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_photo_is_scaled_and_stored(qtbot, tmp_path: Path) -> None:
    source = tmp_path / "portrait.jpg"
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#3d6fd1"))
    assert image.save(str(source), "JPG")
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Margaret Lindqvist")
    assert dialog.choose_photo_file(str(source))
    persona = persona_named(window, "Margaret Lindqvist")
    stored_image = QImage.fromData(persona.photo)
    assert (stored_image.width(), stored_image.height()) == (512, 384)
    assert not dialog.photo_label.pixmap().isNull()
    assert dialog.remove_photo.isEnabled()
    QTest.mouseClick(dialog.remove_photo, Qt.MouseButton.LeftButton)
    assert persona.photo is None
    window.editor.stack.undo()
    assert persona.photo is not None


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20), "could not be read"),
    (lambda p: p.write_bytes(b"GIF89a" + b"\x00" * 40), "not a PNG or JPEG"),
    (lambda p: p.write_bytes(_png_claiming(60_000, 60_000)), "too large"),
    (lambda p: _sparse(p, 16 * 2**20), "at most 15 MB"),
], ids=["broken", "gif", "huge-dimensions", "huge-file"])
def test_unusable_pictures_are_refused_before_decoding(tmp_path: Path, make, words: str,
                                                       qapp) -> None:  # noqa: ANN001
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(PhotoError, match=words):
        load_photo(path)


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(size)


def test_refused_photo_shows_a_message_and_keeps_the_old_one(qtbot, tmp_path: Path,
                                                              monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")
    window = open_window(qtbot, tmp_path)
    dialog = open_editor(qtbot, window, "Margaret Lindqvist")
    assert not dialog.choose_photo_file(str(bad))
    assert shown and "bad.png" in shown[0]
    assert persona_named(window, "Margaret Lindqvist").photo is None
    assert window.editor.stack.count() == 0


# --------------------------------------------------------------------------- gallery
def test_gallery_search_new_duplicate_and_delete_with_usage(qtbot, tmp_path: Path,
                                                            monkeypatch) -> None:
    window = open_window(qtbot, tmp_path)
    gallery = window.gallery
    assert gallery.list.count() == 3
    QTest.keyClicks(gallery.search, "abandon")  # matches the role "Form abandoner"
    visible = [gallery.list.item(i).text() for i in range(gallery.list.count())
               if not gallery.list.item(i).isHidden()]
    assert visible == ["Daniel Okafor"]
    gallery.search.clear()
    gallery.select(persona_named(window, "Daniel Okafor").id)
    QTest.mouseClick(gallery.duplicate_button, Qt.MouseButton.LeftButton)
    copy = persona_named(window, "Daniel Okafor copy")
    assert copy is not None and copy.frustrations == persona_named(
        window, "Daniel Okafor").frustrations
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text: asked.append(text) or QMessageBox.StandardButton.Yes))
    original = persona_named(window, "Daniel Okafor")
    m = window.current_map()
    points = [p.id for p in m.emotions.values() if p.persona_id == original.id]
    gallery.select(original.id)
    QTest.mouseClick(gallery.delete_button, Qt.MouseButton.LeftButton)
    assert "used on 1 map(s): Membership sign-up" in asked[0]
    assert persona_named(window, "Daniel Okafor") is None
    assert original.id not in m.persona_ids and not set(points) & set(m.emotions)
    window.act_undo.trigger()
    assert persona_named(window, "Daniel Okafor") is original
    assert original.id in m.persona_ids and set(points) <= set(m.emotions)
    QTest.mouseClick(gallery.new_button, Qt.MouseButton.LeftButton)
    assert persona_named(window, "New persona") is not None
    assert any(d.isVisible() for d in window.persona_editors.values())


def test_link_and_unlink_a_persona_with_undo(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    gallery, scene = window.gallery, window.scene
    m = window.current_map()
    QTest.mouseClick(gallery.new_button, Qt.MouseButton.LeftButton)
    newcomer = persona_named(window, "New persona")
    gallery.select(newcomer.id)
    assert gallery.link_button.text() == "Link to map"
    QTest.mouseClick(gallery.link_button, Qt.MouseButton.LeftButton)
    assert newcomer.id in m.persona_ids and newcomer.id in scene.curves
    assert gallery.link_button.text() == "Unlink from map"
    QTest.mouseClick(gallery.link_button, Qt.MouseButton.LeftButton)
    assert newcomer.id not in m.persona_ids and newcomer.id not in scene.curves
    window.act_undo.trigger()
    assert newcomer.id in m.persona_ids
    window.act_undo.trigger()
    assert newcomer.id not in m.persona_ids
    window.set_persona_linked(newcomer.id, True)  # the Map > Personas on this map entry
    assert stored(window).maps[m.id].persona_ids == m.persona_ids


def test_each_curve_can_be_hidden_from_the_legend(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    scene, view = window.scene, window.view
    m = window.current_map()
    abandoner = persona_named(window, "Daniel Okafor")
    lane_item = scene.lanes[m.lane_named("Emotions").id]
    row = next(rect for rect, owner in lane_item.legend_rows() if owner == abandoner.id)
    # the eye at the start of the line (the rest of the line chooses the curve new points join)
    target = lane_item.mapToScene(row.left() + 8, row.center().y())
    view.ensureVisible(target.x(), target.y(), 2, 2)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view.mapFromScene(target))
    assert not scene.curves[abandoner.id].isVisible()
    assert not any(scene.points[p.id].isVisible() for p in m.emotions.values()
                   if p.persona_id == abandoner.id)
    assert window.editor.stack.count() == 0  # a view setting, not an edit
    window.show_curve(abandoner.id, True)
    assert scene.curves[abandoner.id].isVisible()


def test_persona_file_export_and_import_across_workspaces(qtbot, tmp_path: Path) -> None:
    from journeydesk.store.document import Document

    window = open_window(qtbot, tmp_path)
    gallery = window.gallery
    gallery.select(persona_named(window, "Margaret Lindqvist").id)
    out = tmp_path / "loyal.json"
    assert gallery.export_selected(out)
    other_doc = Document(WorkspaceFile.open(tmp_path / "other.jdesk", create=True))
    other = MainWindow(other_doc)
    qtbot.addWidget(other)
    persona_id = other.gallery.import_file(out)
    imported = other_doc.workspace.personas[persona_id]
    original = persona_named(window, "Margaret Lindqvist")
    assert imported.name == original.name and imported.id != original.id
    assert imported.frustrations == original.frustrations
    again = other.gallery.import_file(out)
    assert other_doc.workspace.personas[again].name == "Margaret Lindqvist (2)"
    other.close()


def test_compare_personas_side_by_side(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path)
    window.act_compare.trigger()
    dialog = window._compare_dialog
    qtbot.addWidget(dialog)
    names = [dialog.left.picker.itemText(i) for i in range(dialog.left.picker.count())]
    assert names == ["Noor Haddad", "Daniel Okafor", "Margaret Lindqvist"]
    dialog.left.picker.setCurrentIndex(0)
    dialog.right.picker.setCurrentIndex(2)
    left = [dialog.left.pains.item(i).text() for i in range(dialog.left.pains.count())]
    right = [dialog.right.pains.item(i).text() for i in range(dialog.right.pains.count())]
    # the first-time visitor gives up at the confirmation e-mail: that pain point is theirs
    assert "Confirm e-mail: The e-mail lands in spam or arrives late" in left
    assert "First use: Membership conditions are hard to find" in right
    assert len(dialog.left.curve.points()) == 4 and len(dialog.right.curve.points()) == 4
