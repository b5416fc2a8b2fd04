"""The window's commands on maps and files: new, template, duplicate, rename, delete; personas
on the map; workspaces; import, export and print.

:class:`MapCommands` is given the session, the editor (through which every change goes, as one
undo step) and the map editor (which map is on show); dialogs are parented to ``dialog_parent``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from journeydesk.app.demo import TEMPLATE as DEMO_TEMPLATE
from journeydesk.app.exports import ExportCancelled, export_map, funnel_caption, is_picture
from journeydesk.app.imports import ImportFailed, read_map_file
from journeydesk.app.session import WorkspaceError, WorkspaceSession, with_workspace_suffix
from journeydesk.app.templates import copy_of_map, map_from_template
from journeydesk.app.versions import replace_map_command
from journeydesk.domain.commands import (
    AddMapCommand,
    EditMapCommand,
    LinkPersonaCommand,
    RemoveMapCommand,
    UnlinkPersonaCommand,
)
from journeydesk.domain.model import DomainError, JourneyMap, Lane, LaneType, Stage, unique_name
from journeydesk.gui.author import author_name
from journeydesk.gui.canvas.theme import THEMES, Theme
from journeydesk.gui.editing import Editor
from journeydesk.gui.file_dialogs import ask_save_path, filter_of, safe_file_name
from journeydesk.gui.listening import follow
from journeydesk.gui.map_editor import MapEditorWidget
from journeydesk.resources import resource_path

TEMPLATES_DIR = resource_path("templates")
EXPORT_FILTERS = ";;".join([
    "PDF (*.pdf)", "PNG picture (*.png)", "SVG picture (*.svg)", "Excel workbook (*.xlsx)",
    "PowerPoint (*.pptx)", "JourneyDesk map (*.json)", "Mermaid journey (*.mmd)",
    "Cards as CSV (*.csv)"])
IMPORT_FILTERS = ";;".join([
    "Map files (*.json *.xlsx *.mmd)", "JourneyDesk map (*.json)", "Excel workbook (*.xlsx)",
    "Mermaid journey (*.mmd)"])
WORKSPACE_FILTER = "JourneyDesk workspaces (*.jdesk)"
NEW_MAP_LANES = (("Actions", LaneType.ACTIONS), ("Touchpoints", LaneType.TOUCHPOINTS),
                 ("Thoughts", LaneType.THOUGHTS), ("Emotions", LaneType.EMOTIONS),
                 ("Pain points", LaneType.PAIN_POINTS), ("Opportunities", LaneType.OPPORTUNITIES))
WELCOME = (
    "<b>What you are looking at:</b> a journey map of a membership sign-up. Stages run across "
    "the top, lanes down the side; each persona has an emotion curve. Turn on <b>View &gt; "
    "Data overlay</b> (Ctrl+Shift+O) to see how many people reach each stage from the demo's "
    "event log, and where they drop off. Double-click anywhere to add a card; Ctrl+Z undoes "
    "anything. <b>Help &gt; User guide</b> (F1) tells the rest.")


def builtin_templates() -> dict[str, Path]:
    """The shipped map templates by map name, the blank one first."""
    found: dict[str, Path] = {}
    for path in sorted(TEMPLATES_DIR.glob("*.json"), key=lambda p: (p.stem != "blank", p.stem)):
        try:
            found[json.loads(path.read_text(encoding="utf-8"))["name"]] = path
        except (OSError, ValueError, KeyError):
            continue  # a damaged template is left out rather than breaking the menu
    return found


class MapCommands(QObject):
    """Map, persona-link and file commands of one window."""

    status = Signal(str, int)
    refused = Signal(str)

    def __init__(self, session: WorkspaceSession, editor: Editor, map_editor: MapEditorWidget,
                 dialog_parent: QWidget, *,
                 overlay_metrics: Callable[[str], dict | None] = lambda _map_id: None):
        super().__init__(dialog_parent)
        self.session = session
        self.editor = editor
        self.map_editor = map_editor
        self.parent_widget = dialog_parent
        self.overlay_metrics = overlay_metrics
        self._compare_dialog: QWidget | None = None
        self._print_preview: QWidget | None = None

    @property
    def workspace(self) -> Any:
        """The workspace's maps and personas."""
        return self.session.workspace

    def _free_map_name(self, base: str) -> str:
        return unique_name(base, {m.name for m in self.workspace.maps.values()})

    def _add_and_open(self, journey_map: JourneyMap, personas: list | None = None) -> str | None:
        journey_map.name = self._free_map_name(journey_map.name)
        if self.editor.run(AddMapCommand(journey_map, personas or [])):
            self.map_editor.open_map(journey_map.id)
            return journey_map.id
        return None

    # ------------------------------------------------------------------ maps
    def new_map(self, name: str | None = None) -> str | None:
        """Create a map with three stages and the usual lanes; returns its id."""
        if name is None:
            name, ok = QInputDialog.getText(self.parent_widget, "New map",
                                            "Name of the new map:",
                                            text=self._free_map_name("New journey"))
            if not ok or not name.strip():
                return None
        m = JourneyMap(name=name.strip(),
                       stages=[Stage(name=n) for n in ("Discover", "Decide", "Use")],
                       lanes=[Lane(name=n, type=t) for n, t in NEW_MAP_LANES])
        if self.editor.run(AddMapCommand(m)):
            self.map_editor.open_map(m.id)
            return m.id
        return None

    def new_map_from_template(self, template: str | None = None) -> str | None:
        """Create a map from one of the built-in templates."""
        templates = builtin_templates()
        if template is None:
            template, ok = QInputDialog.getItem(self.parent_widget, "New from template",
                                                "Template:", list(templates), 0, False)
            if not ok:
                return None
        try:
            m, personas = map_from_template(templates[template], self.workspace)
        except (ImportFailed, KeyError) as exc:
            self.refused.emit(f"The template could not be read: {exc}")
            return None
        return self._add_and_open(m, personas)

    def duplicate_map(self) -> str | None:
        """Copy the current map (new ids) under a free name."""
        m = self.map_editor.current_map()
        if m is None:
            return None
        copy, personas = copy_of_map(m, self.workspace)
        copy.name = f"{m.name} copy"
        return self._add_and_open(copy, personas)

    def rename_map(self, name: str | None = None) -> None:
        """Rename the current map."""
        m = self.map_editor.current_map()
        if m is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(self.parent_widget, "Rename map", "New name:",
                                            text=m.name)
            if not ok:
                return
        if name.strip() and name.strip() != m.name:
            self.editor.run(EditMapCommand(m.id, name=name.strip()))

    def delete_map(self, confirm: bool = True) -> None:
        """Delete the current map (undoable, in the workspace's history)."""
        m = self.map_editor.current_map()
        if m is None:
            return
        if confirm and QMessageBox.question(
                self.parent_widget, "Delete map", f"Delete the map “{m.name}”? You can undo this."
        ) != QMessageBox.StandardButton.Yes:
            return
        map_id = m.id
        self.map_editor.close_map()
        if not self.editor.run(RemoveMapCommand(map_id)):
            self.map_editor.open_map(map_id)

    # ------------------------------------------------------------------ personas on the map
    def fill_personas_menu(self, menu: Any) -> None:
        """Map > Personas on this map: a tick per persona."""
        menu.clear()
        m = self.map_editor.current_map()
        ws = self.workspace
        if m is None or not ws.personas:
            menu.addAction("No personas yet").setEnabled(False)
            return
        for persona in sorted(ws.personas.values(), key=lambda p: p.name.casefold()):
            action = menu.addAction(persona.name)
            action.setCheckable(True)
            action.setChecked(persona.id in m.persona_ids)
            action.setEnabled(not self.session.read_only)
            action.toggled.connect(lambda on, pid=persona.id: self.set_persona_linked(pid, on))

    def set_persona_linked(self, persona_id: str, linked: bool) -> bool:
        """Link a persona to the open map (its curve appears) or unlink it (undoable)."""
        m = self.map_editor.current_map()
        if m is None or (persona_id in m.persona_ids) == linked:
            return False
        command = (LinkPersonaCommand(m.id, persona_id) if linked
                   else UnlinkPersonaCommand(m.id, persona_id))
        return self.editor.run(command)

    def fill_curves_menu(self, menu: Any) -> None:
        """Map > Show curves: a tick per curve on the map."""
        menu.clear()
        m, scene = self.map_editor.current_map(), self.map_editor.scene
        if m is None or scene is None:
            return
        owners: list[str | None] = [*m.persona_ids]
        if any(p.persona_id is None for p in m.emotions.values()):
            owners.append(None)
        for owner in owners:
            name = (self.workspace.personas[owner].name if owner is not None
                    else f"{m.name} (no persona)")
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(owner not in scene.hidden_personas)
            action.toggled.connect(lambda on, o=owner: self.show_curve(o, on))

    def show_curve(self, owner: str | None, visible: bool) -> None:
        """Show or hide one persona's emotion curve (a view setting, not an edit)."""
        if self.map_editor.scene is not None:
            self.map_editor.scene.set_curve_visible(owner, visible)

    def compare_personas(self) -> None:
        """Open the side-by-side comparison of two personas on the open map."""
        from journeydesk.gui.compare_personas import ComparePersonasDialog

        m = self.map_editor.current_map()
        if m is None:
            return
        dialog = ComparePersonasDialog(self.session.document, m.id, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()  # Esc closes it at once, without a click first
        self._compare_dialog = dialog

    # ------------------------------------------------------------------ workspaces
    def _ask_path(self, title: str, filters: str, save: bool) -> Path | None:
        start = str(self.session.path.parent)
        if save:
            return ask_save_path(self.parent_widget, title, start, filters)
        name, _ = QFileDialog.getOpenFileName(self.parent_widget, title, start, filters)
        return Path(name) if name else None

    def new_workspace(self) -> None:
        """Create a workspace file and open it in a new window."""
        path = self._ask_path("New workspace", WORKSPACE_FILTER, save=True)
        if path is not None:
            self._open_window(with_workspace_suffix(path), create=True)

    def open_workspace(self, path: Path | None = None) -> None:
        """Open another workspace file in a new window."""
        if path is None:
            path = self._ask_path("Open workspace", WORKSPACE_FILTER, False)
        if path is not None:
            self._open_window(path, create=False)

    def _open_window(self, path: Path, create: bool) -> None:
        from journeydesk.gui.app import map_to_reopen, open_document
        from journeydesk.gui.main_window import MainWindow

        if self.session.same_file(path):
            return
        document = open_document(path, create=create, parent=self.parent_widget)
        if document is not None:
            window = MainWindow(document)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            if (map_id := map_to_reopen(path, document.workspace)) is not None:
                window.open_map(map_id)  # where the user left it, as at start-up
            window.show()

    def save_copy(self) -> None:
        """Write a copy of the workspace (SQLite backup API)."""
        path = self._ask_path("Save a copy", WORKSPACE_FILTER, save=True)
        if path is None:
            return
        try:
            self.session.save_copy(path)
        except OSError as exc:
            self.refused.emit(f"The copy could not be written: {exc}")
            return
        self.status.emit(f"Saved a copy as {path}", 5000)

    # ------------------------------------------------------------------ import, export, print
    def import_map(self, path: Path | None = None) -> str | None:
        """Import a map file (.json, .xlsx from JourneyDesk or a plain grid, Mermaid .mmd)."""
        if path is None:
            path = self._ask_path("Import map", IMPORT_FILTERS, save=False)
        if path is None:
            return None
        try:
            imported = read_map_file(path, self.workspace)
        except ImportFailed as exc:
            self.refused.emit(str(exc))
            return None
        map_id = self._add_and_open(imported.map, imported.personas)
        if map_id is not None and imported.warnings:
            QMessageBox.information(self.parent_widget, "Imported with notes",
                                    f"{path.name} was imported. Please check:\n\n• "
                                    + "\n• ".join(imported.warnings))
        return map_id

    def import_over_map(self, path: Path | None = None) -> bool:
        """File > Import over this map: the map on show takes a map file's content, as one
        undoable edit, after a "before import" version of it (Map > Versions…)."""
        m = self.map_editor.current_map()
        if m is None:
            return False
        if path is None:
            path = self._ask_path(f"Import over {m.name}", IMPORT_FILTERS, save=False)
        if path is None:
            return False
        try:
            imported = read_map_file(path, self.workspace)
            command = replace_map_command(self.session, m.id, imported.map, path.name,
                                          author=author_name())
        except (ImportFailed, DomainError, WorkspaceError) as exc:
            self.refused.emit(str(exc))
            return False
        if not self.editor.run(command):
            return False
        notes = list(imported.warnings)
        new = [p.name for p in imported.personas if p.id not in self.workspace.personas]
        if new:
            notes.append("Personas the workspace does not have were left out: "
                         + ", ".join(new) + " (File > Import map brings them in)")
        if notes:
            QMessageBox.information(self.parent_widget, "Imported with notes",
                                    f"{path.name} was imported over {m.name}. Please check:"
                                    "\n\n• " + "\n• ".join(notes))
        self.status.emit(f"Imported {path.name} over {m.name}; a version of it as it was is "
                         "in Map > Versions (Ctrl+Z undoes the import)", 8000)
        return True

    def export_map(self, path: Path | None = None, *, pages: str | None = None,
                   scale: float = 2.0) -> bool:
        """Export the current map; the format follows the extension.

        JSON, Excel, PowerPoint, Mermaid and CSV come from the exchange formats (Excel and
        PowerPoint add the funnel while the data overlay shows one, PowerPoint its numbers on
        the stage headers and the flows while they are shown); PNG, SVG and PDF are
        drawn, with the layers shown over the map (the overlay's numbers and its caption).
        PDF asks whether to fit one page or tile pages (unless ``pages`` says). Long exports
        show a progress dialog that can cancel; the old file then stays as it was.
        """
        from journeydesk.gui import map_picture

        m = self.map_editor.current_map()
        if m is None:
            return False
        if path is None:
            path = self._ask_export_path(m)
        if path is None:
            return False
        if path.suffix.lower() == ".pdf" and pages is None:
            pages = self.ask_page_mode("Export as PDF")
            if pages is None:
                return False
        progress = ProgressDialog(self.parent_widget, f"Exporting {m.name}…")
        try:
            if is_picture(path):
                # the flows, the retention figure and the overlay shown over the map go along
                map_picture.export_picture(self.session.document, m.id, path, scale=scale,
                                           pages=pages or "fit", progress=progress.step,
                                           **self._shown_layers(m.id))
            else:
                # a deck also carries the flows shown over the map (View > Flows)
                export_map(m, self.workspace, path, progress=progress.step,
                           metrics=self.overlay_metrics(m.id),
                           flows=self._shown_layers(m.id).get("flows"))
        except ExportCancelled:
            self.status.emit("Export cancelled; nothing was written.", 5000)
            return False
        except (OSError, ValueError) as exc:
            self.refused.emit(f"{path.name}: could not be written ({exc})")
            return False
        finally:
            progress.close()
        self.status.emit(f"Exported {m.name} to {path}", 5000)
        return True

    def _shown_layers(self, map_id: str) -> dict[str, Any]:
        """The flows, the retention figure (not one still computing) and the data overlay's
        numbers with their caption shown over the map ``map_id`` on the canvas, as keyword
        arguments of the picture functions: pictures and prints draw them too."""
        scene = self.map_editor.scene
        if scene is None or scene.map_id != map_id:
            return {}
        retention = scene.retention
        if retention is not None and retention.computing:
            retention = None
        layers: dict[str, Any] = {"flows": scene.flows, "retention": retention}
        metrics = self.overlay_metrics(map_id)
        if metrics is not None and scene.overlay is not None:
            layers.update(overlay=scene.overlay, caption=funnel_caption(metrics))
        return layers

    def _ask_export_path(self, journey_map: JourneyMap) -> Path | None:
        """The export dialog: the map's name in the folder and file type last used."""
        settings = QSettings()
        folder = Path(str(settings.value("export/folder", "") or self.session.path.parent))
        if not folder.is_dir():
            folder = self.session.path.parent
        path = ask_save_path(self.parent_widget, "Export map",
                             str(folder / safe_file_name(journey_map.name)), EXPORT_FILTERS,
                             selected_filter=str(settings.value("export/filter", "")))
        if path is not None:
            settings.setValue("export/folder", str(path.parent))
            settings.setValue("export/filter", filter_of(path, EXPORT_FILTERS))
        return path

    def ask_page_mode(self, title: str) -> str | None:
        """Fit the map on one page, or tile it at full size (None: cancelled)."""
        choice, ok = QInputDialog.getItem(self.parent_widget, title, "Pages:",
                                          ["Fit the map on one page",
                                           "Tile the map at full size"], 0, False)
        if not ok:
            return None
        return "fit" if choice.startswith("Fit") else "tile"

    def print_map(self, mode: str | None = None) -> bool:
        """File > Print: a preview of the pages (fit or tiled, landscape), then print."""
        from PySide6.QtGui import QPageLayout
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from journeydesk.gui.map_picture import paint_pages

        m = self.map_editor.current_map()
        if m is None:
            return False
        mode = mode or self.ask_page_mode("Print")
        if mode is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        printer.setDocName(m.name)
        preview = QPrintPreviewDialog(printer, self.parent_widget)
        preview.setWindowTitle(f"Print {m.name}")
        layers = self._shown_layers(m.id)
        preview.paintRequested.connect(
            lambda device: paint_pages(device, self.session.document, m.id, mode=mode,
                                       **layers))
        self._print_preview = preview
        preview.open()
        return True


class ProgressDialog:
    """A progress dialog shown only when an export takes a while; it can cancel."""

    def __init__(self, parent: QWidget, label: str):
        from PySide6.QtWidgets import QProgressDialog

        self.dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)

    def step(self, done: int, total: int) -> bool:
        """Progress callback for exporters: False when the user pressed Cancel."""
        self.dialog.setMaximum(max(1, total))
        self.dialog.setValue(min(done, max(1, total)))
        QApplication.processEvents()
        return not self.dialog.wasCanceled()

    def close(self) -> None:
        """Close the dialog (it is deleted later)."""
        self.dialog.close()
        self.dialog.deleteLater()


class WelcomeBanner(QFrame):
    """A dismissible band above the canvas for the first start, about the map on show.

    It follows the map editor: the demo map gets its guided tour, another map a description
    of what is on the canvas; with no map on show the band hides.  It shows only once
    :meth:`set_wanted` asked for it (the first start) and until it is dismissed.
    """

    def __init__(self, map_editor: MapEditorWidget, has_data: Callable[[], bool],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.map_editor = map_editor
        self.has_data = has_data
        self.wanted = False
        self.setObjectName("welcomeBanner")
        self._dark: bool | None = None
        self.set_theme(THEMES["light"])
        self.text = QLabel(WELCOME)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Welcome")
        self.overlay_button = QPushButton("Show the data")
        self.close_button = QPushButton("Got it")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.addWidget(self.text, 1)
        row.addWidget(self.overlay_button)
        row.addWidget(self.close_button)
        self.setVisible(False)
        self._connect_signals()

    def set_theme(self, theme: Theme) -> None:
        """A pale blue band in the light theme, a deep blue one in the dark."""
        dark = theme.name == "dark"
        if dark != self._dark:
            self._dark = dark
            self.setStyleSheet(
                "#welcomeBanner { background: #1d2a40; border-bottom: 1px solid #34507a; } "
                "QLabel { color: #e6ebf5; }" if dark else
                "#welcomeBanner { background: #eaf2ff; border-bottom: 1px solid #b9d0f5; } "
                "QLabel { color: #1f2430; }")

    def _connect_signals(self) -> None:
        self.map_editor.map_changed.connect(lambda _map_id: self.refresh())
        follow(self, self.map_editor.document, self._on_document_changed)

    def _on_document_changed(self, _changes: object) -> None:
        self.refresh()  # a renamed map, stages added: the description follows

    def set_wanted(self, wanted: bool) -> None:
        """Show the band (about the map on show) or hide it."""
        self.wanted = wanted
        self.refresh()

    def refresh(self) -> None:
        """Describe the map on show again; hide when not wanted or there is no map."""
        journey_map = self.map_editor.current_map() if self.wanted else None
        if journey_map is not None:
            text, data = welcome_text(journey_map, self.has_data)
            self.text.setText(text)
            self.overlay_button.setVisible(data)
        self.setVisible(journey_map is not None and not self.held_back)

    held_back = False  # Present mode: the map alone


@cache
def demo_map_name() -> str:
    """The name of the demo workspace's map (the membership sign-up template's)."""
    try:
        return str(json.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))["name"])
    except (OSError, ValueError, KeyError):
        return ""


def welcome_text(journey_map: JourneyMap, has_data: Callable[[], bool]) -> tuple[str, bool]:
    """What the welcome band says about ``journey_map``, and whether it offers the data.

    The demo map gets the guided tour of the demo; any other map a description of its stages,
    lanes and curves, offering the data overlay when the workspace has event data and the
    map's stages are bound to events.
    """
    if journey_map.name == demo_map_name():
        return WELCOME, True
    m = journey_map
    bound = any(s.events or any(step.events for step in s.steps) for s in m.stages)
    data = bound and has_data()
    parts = [f"<b>What you are looking at:</b> the journey map “{escape(m.name)}”: "
             f"{_count(len(m.stages), 'stage')} across the top, "
             f"{_count(len(m.lanes), 'lane')} down the side"]
    if m.persona_ids:
        parts.append("; its persona has an emotion curve" if len(m.persona_ids) == 1 else
                     f"; each of its {len(m.persona_ids)} personas has an emotion curve")
    parts.append(". ")
    if data:
        parts.append("Turn on <b>View &gt; Data overlay</b> (Ctrl+Shift+O) to see how many "
                     "people reach each stage, and where they drop off. ")
    parts.append("Double-click anywhere to add a card; Ctrl+Z undoes anything. "
                 "<b>Help &gt; User guide</b> (F1) tells the rest.")
    return "".join(parts), data


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
