"""The main window: navigator, canvas, inspector, menus and toolbar."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.commands import (
    AddMapCommand,
    Changes,
    EditMapCommand,
    LinkPersonaCommand,
    RemoveMapCommand,
    UnlinkPersonaCommand,
)
from journeydesk.domain.model import JourneyMap, Lane, LaneType, Stage, unique_name
from journeydesk.gui.canvas import clipboard
from journeydesk.gui.canvas.scene import MapScene
from journeydesk.gui.canvas.theme import THEMES, application_palette
from journeydesk.gui.canvas.view import MapView, MiniMapView
from journeydesk.gui.data_overlay import DataOverlayController
from journeydesk.gui.editing import Editor
from journeydesk.gui.file_dialogs import ask_save_path
from journeydesk.gui.inspector import InspectorWidget
from journeydesk.gui.persona_editor import PersonaEditorDialog, open_persona_editor
from journeydesk.gui.persona_gallery import PersonaGalleryWidget
from journeydesk.resources import resource_path
from journeydesk.store.document import Document

EXPORT_FILTERS = ";;".join([
    "PDF (*.pdf)", "PNG picture (*.png)", "SVG picture (*.svg)", "Excel workbook (*.xlsx)",
    "JourneyDesk map (*.json)", "Mermaid journey (*.mmd)", "Cards as CSV (*.csv)"])
IMPORT_FILTERS = ";;".join([
    "Map files (*.json *.xlsx *.mmd)", "JourneyDesk map (*.json)", "Excel workbook (*.xlsx)",
    "Mermaid journey (*.mmd)"])
TEMPLATES_DIR = resource_path("templates")
MAX_RECENT = 8


def builtin_templates() -> dict[str, Path]:
    """The shipped map templates by map name, the blank one first."""
    import json

    found: dict[str, Path] = {}
    for path in sorted(TEMPLATES_DIR.glob("*.json"), key=lambda p: (p.stem != "blank", p.stem)):
        try:
            found[json.loads(path.read_text(encoding="utf-8"))["name"]] = path
        except (OSError, ValueError, KeyError):
            continue  # a damaged template is left out rather than breaking the menu
    return found


class MainWindow(QMainWindow):
    """One window per open workspace."""

    def __init__(self, document: Document, *, remember_settings: bool = True):
        super().__init__()
        self.document = document
        self.editor = Editor(document, self)
        self.scene: MapScene | None = None
        self.theme = THEMES["light"]
        self.remember_settings = remember_settings  # off for one-shot runs (--screenshot)
        self.setObjectName("MainWindow")
        self.resize(1400, 860)

        self.view = MapView()
        self.minimap = MiniMapView(self.view, self.view)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        self.welcome = _WelcomeBanner(self)
        self.welcome.hide()
        self.overlay_bar = _OverlayBar(self)
        self.overlay_bar.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.welcome)
        column.addWidget(self.overlay_bar)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.find_bar = QLineEdit()
        self.find_bar.setObjectName("findBar")
        self.find_bar.setPlaceholderText("Find cards (Ctrl+F)")
        self.find_bar.setClearButtonEnabled(True)
        self.find_bar.setMaximumWidth(280)
        self.find_bar.setAccessibleName("Find cards")
        self._matches: list[str] = []
        self._match_index = -1

        self.navigator = QTreeWidget()
        self.navigator.setObjectName("navigator")
        self.navigator.setHeaderHidden(True)
        self.navigator.setAccessibleName("Workspace navigator")
        self.navigator_dock = self._dock("Workspace", "navigatorDock", self.navigator,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector = InspectorWidget(self.editor)
        self.inspector.setMinimumWidth(240)
        self.inspector.setMaximumWidth(340)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.gallery = PersonaGalleryWidget(self.editor)
        self.gallery_dock = self._dock("Personas", "personaDock", self.gallery,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.persona_editors: dict[str, PersonaEditorDialog] = {}
        self.data_overlay = DataOverlayController(document, self)
        self.history = QUndoView(self.editor.stack)
        self.history.setEmptyLabel("Opened")
        self.history.setObjectName("history")
        self.history_dock = self._dock("History", "historyDock", self.history,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock.hide()
        # Charts load pyqtgraph: the dock is built the first time it is shown.
        self.analytics_dock = QDockWidget("Analytics", self)
        self.analytics_dock.setObjectName("analyticsDock")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analytics_dock)
        self.analytics_dock.hide()
        self.analytics_dock.visibilityChanged.connect(self._on_analytics_visible)
        self.analytics = None
        self.zoom_label = QLabel("100 %")
        self.zoom_button = QToolButton()
        self.zoom_button.setObjectName("zoomButton")
        self.zoom_button.setText("100 %")
        self.zoom_button.setToolTip("Zoom: the map's size now; click for other sizes")
        self.zoom_button.setAccessibleName("Zoom")
        self.zoom_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        zoom_menu = QMenu(self.zoom_button)
        zoom_menu.addAction("Fit to window", self.view.fit)
        for percent in (25, 50, 75, 100, 150, 200):
            zoom_menu.addAction(f"{percent} %", lambda z=percent / 100: self.view.set_zoom(z))
        self.zoom_button.setMenu(zoom_menu)
        self._presenting: tuple | None = None  # what presenting hid, to show it again
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Cancel the query running in the database (Ctrl+.)")
        self.stop_button.setAccessibleName("Stop computing")
        self.stop_button.clicked.connect(self.stop_computing)
        self.stop_button.hide()
        self.statusBar().addPermanentWidget(self.stop_button)
        self.statusBar().addPermanentWidget(self.zoom_label)

        self._build_actions()
        self._connect_signals()
        self._refresh_navigator()
        self._update_title()
        self._update_actions()
        self._restore_settings()

    # ------------------------------------------------------------------------ construction
    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:  # noqa: ANN001
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, *, tip: str = "") -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        a = self._action
        self.act_new_workspace = a("&New workspace…", self.new_workspace)
        self.act_open = a("&Open workspace…", self.open_workspace, std.Open)
        self.recent_menu = None
        self.act_save_copy = a("Save a &copy…", self.save_copy, "Ctrl+Shift+S")
        self.act_import = a("&Import map…", self.import_map, "Ctrl+I")
        self.act_import_events = a("Import &events…", self.import_event_log, "Ctrl+Shift+I",
                                   tip="Import an event log (CSV, Parquet, JSON lines, Excel)")
        self.act_export = a("E&xport map…", self.export_map, "Ctrl+E")
        self.act_print = a("&Print…", self.print_map, QKeySequence.StandardKey.Print)
        self.act_quit = a("&Quit", self.close, std.Quit)

        self.act_undo = self.editor.stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(std.Undo)
        self.act_redo = self.editor.stack.createRedoAction(self, "&Redo")
        # The platform's Redo keys, and Ctrl+Shift+Z and Ctrl+Y everywhere, each once: a key
        # listed twice on one action is "ambiguous" to Qt and does nothing at all.
        redo_keys: list[QKeySequence] = []
        for keys in (QKeySequence(std.Redo), QKeySequence("Ctrl+Shift+Z"),
                     QKeySequence("Ctrl+Y")):
            if not keys.isEmpty() and keys not in redo_keys:
                redo_keys.append(keys)
        self.act_redo.setShortcuts(redo_keys)
        self.act_cut = a("Cu&t", self.cut, std.Cut)
        self.act_copy = a("&Copy", self.copy, std.Copy)
        self.act_paste = a("&Paste", self.paste, std.Paste)
        self.act_duplicate = a("Dup&licate", self._duplicate, "Ctrl+D")
        self.act_delete = a("&Delete", self._delete, std.Delete)
        self.act_select_all = a("Select &all", self.select_all, std.SelectAll)
        self.act_find = a("&Find…", self.start_find, std.Find)
        self.act_history = self.history_dock.toggleViewAction()
        self.act_history.setText("&History")

        self.act_zoom_in = a("Zoom &in", self.view.zoom_in, ["Ctrl++", "Ctrl+="])
        self.act_zoom_out = a("Zoom &out", self.view.zoom_out, "Ctrl+-")
        self.act_zoom_fit = a("&Fit to window", self.view.fit, "Ctrl+9")
        self.act_zoom_reset = a("&100 %", self.view.zoom_reset, "Ctrl+0",
                                 tip="Actual size")
        self.act_minimap = a("&Minimap", self._toggle_minimap, "Ctrl+M")
        self.act_minimap.setCheckable(True)
        self.act_minimap.setChecked(True)
        self.act_dark = a("Dar&k theme", self._toggle_theme, "Ctrl+Shift+D")
        self.act_dark.setCheckable(True)
        self.act_overlay = a("Data o&verlay", self._toggle_overlay, "Ctrl+Shift+O",
                             tip="Show a dataset's funnel numbers on the map")
        self.act_overlay.setCheckable(True)
        self.act_present = a("Pre&sent", self.toggle_presentation, "F5",
                             tip="Full screen, the map only (F5 or Esc to come back)")
        self.act_present.setCheckable(True)
        self.act_stop = a("Stop &computing", self.stop_computing, "Ctrl+.",
                          tip="Cancel the query running in a database source")
        self.act_stop.setEnabled(False)
        self.act_add_source = a("Add &database source…", self.add_database_source,
                                tip="Compute the numbers in PostgreSQL or a warehouse")

        self.act_new_map = a("&New map…", self.new_map, "Ctrl+N")
        self.act_new_from_template = a("New from &template…", self.new_map_from_template,
                                       "Ctrl+Shift+N")
        self.act_duplicate_map = a("D&uplicate map", self.duplicate_map)
        self.act_rename_map = a("&Rename map…", self.rename_map)
        self.act_delete_map = a("&Delete map", self.delete_map)
        self.act_add_stage = a("Add &stage", self.add_stage, "Ctrl+Shift+T")
        self.act_add_lane = a("Add &lane", self.add_lane, "Ctrl+Shift+L")
        self.act_add_card = a("Add &card", self.add_card, "Ctrl+Shift+C")
        self.act_compare = a("Co&mpare personas…", self.compare_personas, "Ctrl+Shift+P")
        self.act_guide = a("&User guide", lambda: self._show_help("user_guide"),
                           QKeySequence.StandardKey.HelpContents)
        self.act_shortcuts = a("&Keyboard shortcuts", lambda: self._show_help("shortcuts"))
        self.act_about = a("&About JourneyDesk", lambda: self._show_help("about"))

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new_workspace, self.act_open])
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addAction(self.act_save_copy)
        file_menu.addSeparator()
        file_menu.addActions([self.act_import, self.act_import_events, self.act_add_source,
                              self.act_export, self.act_print])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.act_undo, self.act_redo])
        edit_menu.addSeparator()
        edit_menu.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate,
                              self.act_delete, self.act_select_all])
        edit_menu.addSeparator()
        edit_menu.addActions([self.act_find, self.act_history])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_fit,
                              self.act_zoom_reset, self.act_present])
        view_menu.addSeparator()
        view_menu.addActions([self.act_minimap, self.act_dark, self.act_overlay,
                              self.act_stop])
        self.segment_menu = view_menu.addMenu("Overlay s&egment")
        self.segment_menu.aboutToShow.connect(self._fill_segment_menu)
        view_menu.addAction(self._action("Overlay &dates…", self.ask_overlay_dates))
        view_menu.addAction(self._action("Save numbers as a s&napshot", self.save_snapshot))
        self.snapshot_menu = view_menu.addMenu("Compare with snapsho&t")
        self.snapshot_menu.aboutToShow.connect(self._fill_snapshot_menu)
        view_menu.addSeparator()
        self.act_analytics = self.analytics_dock.toggleViewAction()
        self.act_analytics.setShortcut(QKeySequence("Ctrl+Shift+A"))
        for dock, text in ((self.navigator_dock, "&Workspace"),
                           (self.gallery_dock, "&Personas"),
                           (self.inspector_dock, "Inspecto&r"),
                           (self.analytics_dock, "&Analytics")):
            dock.toggleViewAction().setText(text)
        view_menu.addActions([self.navigator_dock.toggleViewAction(),
                              self.gallery_dock.toggleViewAction(),
                              self.inspector_dock.toggleViewAction(), self.act_analytics])
        map_menu = bar.addMenu("&Map")
        map_menu.addActions([self.act_new_map, self.act_new_from_template,
                             self.act_duplicate_map, self.act_rename_map, self.act_delete_map])
        map_menu.addSeparator()
        map_menu.addActions([self.act_add_stage, self.act_add_lane, self.act_add_card])
        map_menu.addSeparator()
        self.personas_menu = map_menu.addMenu("&Personas on this map")
        self.personas_menu.aboutToShow.connect(self._fill_personas_menu)
        self.curves_menu = map_menu.addMenu("Show cur&ves")
        self.curves_menu.aboutToShow.connect(self._fill_curves_menu)
        map_menu.addAction(self.act_compare)

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_guide, self.act_shortcuts, self.act_about])

        tools = QToolBar("Main")
        tools.setObjectName("mainToolbar")
        tools.setMovable(False)
        tools.addAction(self.act_new_map)
        tools.addActions(self._toolbar_undo_redo())
        tools.addSeparator()
        tools.addActions([self.act_add_stage, self.act_add_lane, self.act_add_card])
        tools.addSeparator()
        tools.addAction(self.act_zoom_out)
        tools.addWidget(self.zoom_button)
        tools.addActions([self.act_zoom_in, self.act_zoom_fit])
        tools.addSeparator()
        tools.addWidget(self.find_bar)
        self.addToolBar(tools)
        self.toolbar = tools
        # The window holds every menu command too: their keys then work while the menu bar
        # is hidden (View > Present), not only through the menus.
        for menu_action in bar.actions():
            self.addActions([action for action in menu_action.menu().actions()
                             if action.menu() is None and not action.isSeparator()])

    def _connect_signals(self) -> None:
        self.document.subscribe(self._on_document_changed)
        self.navigator.itemActivated.connect(self._on_navigator_activated)
        self.navigator.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.navigator.customContextMenuRequested.connect(self._navigator_menu)
        self.editor.refused.connect(self._on_refused)
        self.editor.stack.indexChanged.connect(lambda _i: self._update_actions())
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self.find_bar.textChanged.connect(self._on_find_text_changed)
        self.find_bar.returnPressed.connect(self.find_next)
        self.find_bar.installEventFilter(self)
        self.gallery.open_requested.connect(self.edit_persona)
        self.data_overlay.ready.connect(self._on_overlay_ready)
        self.data_overlay.failed.connect(self._on_overlay_failed)
        self.data_overlay.started.connect(self._on_overlay_started)
        self.data_overlay.cancelled.connect(self._on_overlay_cancelled)

    # ------------------------------------------------------------------------ maps
    def open_map(self, map_id: str) -> None:
        """Show a map on the canvas."""
        if self.scene is not None:
            if self.scene.map_id == map_id:
                return
            self._close_scene()
        self.scene = MapScene(self.editor, map_id, self.theme)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.status.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.scene.layout_changed.connect(self.minimap.refit)
        self.scene.who_dropped_requested.connect(self.show_who_dropped)
        self.view.setScene(self.scene)
        self.minimap.setScene(self.scene)
        self.stack.setCurrentWidget(self.view)
        self.view.zoom_reset()
        self.view.horizontalScrollBar().setValue(self.view.horizontalScrollBar().minimum())
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().minimum())
        self.minimap.refit()
        self.view.setFocus()
        self.inspector.show_map(map_id)
        self.gallery.set_current_map(map_id)
        self.refresh_stage_metrics()
        if self.act_overlay.isChecked() and self.data_overlay.dataset:
            self.data_overlay.show(map_id, self.data_overlay.dataset)
        self._update_title()
        self._update_actions()
        self._select_in_navigator(map_id)

    def current_map(self) -> JourneyMap | None:
        """The map on the canvas, if any."""
        if self.scene is None:
            return None
        return self.document.workspace.maps.get(self.scene.map_id)

    def _close_scene(self) -> None:
        if self.scene is not None:
            self.scene.close()
            self.view.setScene(None)
            self.minimap.setScene(None)
            self.scene.deleteLater()
            self.scene = None
            self.inspector.show_map(None)
            self.gallery.set_current_map(None)
            self.stack.setCurrentWidget(self.placeholder)

    def new_map(self, name: str | None = None) -> str | None:
        """Create a map with three stages and the usual lanes; returns its id."""
        if name is None:
            name, ok = QInputDialog.getText(self, "New map", "Name of the new map:",
                                            text=self._free_map_name("New journey"))
            if not ok or not name.strip():
                return None
        m = JourneyMap(name=name.strip(), stages=[Stage(name=n) for n in
                                                   ("Discover", "Decide", "Use")],
                       lanes=[Lane(name=n, type=t) for n, t in (
                           ("Actions", LaneType.ACTIONS), ("Touchpoints", LaneType.TOUCHPOINTS),
                           ("Thoughts", LaneType.THOUGHTS), ("Emotions", LaneType.EMOTIONS),
                           ("Pain points", LaneType.PAIN_POINTS),
                           ("Opportunities", LaneType.OPPORTUNITIES))])
        if self.editor.run(AddMapCommand(m)):
            self.open_map(m.id)
            return m.id
        return None

    def new_map_from_template(self, template: str | None = None) -> str | None:
        """Create a map from one of the built-in templates."""
        from journeydesk.exchange.json_map import FormatError, loads_map

        templates = builtin_templates()
        if template is None:
            template, ok = QInputDialog.getItem(self, "New from template", "Template:",
                                                list(templates), 0, False)
            if not ok:
                return None
        try:
            m, personas = loads_map(templates[template].read_text(encoding="utf-8"),
                                    self.document.workspace)
        except (FormatError, OSError, KeyError) as exc:
            self._on_refused(f"The template could not be read: {exc}")
            return None
        m.name = self._free_map_name(m.name)
        if self.editor.run(AddMapCommand(m, personas)):
            self.open_map(m.id)
            return m.id
        return None

    def duplicate_map(self) -> str | None:
        """Copy the current map (new ids) under a free name."""
        from journeydesk.exchange.json_map import map_from_dict, map_to_dict

        m = self.current_map()
        if m is None:
            return None
        copy, personas = map_from_dict(map_to_dict(m, self.document.workspace),
                                       self.document.workspace)
        copy.name = self._free_map_name(f"{m.name} copy")
        if self.editor.run(AddMapCommand(copy, personas)):
            self.open_map(copy.id)
            return copy.id
        return None

    def rename_map(self, name: str | None = None) -> None:
        """Rename the current map."""
        m = self.current_map()
        if m is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename map", "New name:", text=m.name)
            if not ok:
                return
        if name.strip() and name.strip() != m.name:
            self.editor.run(EditMapCommand(m.id, name=name.strip()))

    def delete_map(self, confirm: bool = True) -> None:
        """Delete the current map (undoable)."""
        m = self.current_map()
        if m is None:
            return
        if confirm and QMessageBox.question(
                self, "Delete map", f"Delete the map “{m.name}”? You can undo this."
        ) != QMessageBox.StandardButton.Yes:
            return
        map_id = m.id
        self._close_scene()
        if not self.editor.run(RemoveMapCommand(map_id)):
            self.open_map(map_id)

    def _free_map_name(self, base: str) -> str:
        return unique_name(base, {m.name for m in self.document.workspace.maps.values()})

    def add_stage(self) -> None:
        """Add a stage at the end of the current map."""
        if self.scene is not None:
            self.scene.interactions.add_stage()

    def add_lane(self) -> None:
        """Add a lane at the bottom of the current map."""
        if self.scene is not None:
            self.scene.interactions.add_lane()

    def add_card(self) -> None:
        """Open an editor for a new card in the current cell."""
        if self.scene is None:
            return
        inter = self.scene.interactions
        lay = self.scene.layout
        cell = inter.current_cell
        selected = self.scene.selected_card_ids()
        if selected:
            card = self.scene.map.card(selected[-1])
            cell = (card.step_id, card.lane_id)
        if cell is None and lay.column_steps and lay.lane_ids:
            cell = (lay.column_steps[0], lay.lane_ids[0])
        if cell is not None:
            inter.new_card(*cell)

    # ------------------------------------------------------------------------ personas
    def edit_persona(self, persona_id: str) -> PersonaEditorDialog:
        """Open the persona editor (one window per persona)."""
        return open_persona_editor(self.editor, persona_id, self, self.persona_editors)

    def _fill_personas_menu(self) -> None:
        self.personas_menu.clear()
        m = self.current_map()
        ws = self.document.workspace
        if m is None or not ws.personas:
            self.personas_menu.addAction("No personas yet").setEnabled(False)
            return
        for persona in sorted(ws.personas.values(), key=lambda p: p.name.casefold()):
            action = self.personas_menu.addAction(persona.name)
            action.setCheckable(True)
            action.setChecked(persona.id in m.persona_ids)
            action.setEnabled(not self.document.read_only)
            action.toggled.connect(lambda on, pid=persona.id: self.set_persona_linked(pid, on))

    def set_persona_linked(self, persona_id: str, linked: bool) -> bool:
        """Link a persona to the open map (its curve appears) or unlink it (undoable)."""
        m = self.current_map()
        if m is None or (persona_id in m.persona_ids) == linked:
            return False
        command = (LinkPersonaCommand(m.id, persona_id) if linked
                   else UnlinkPersonaCommand(m.id, persona_id))
        return self.editor.run(command)

    def _fill_curves_menu(self) -> None:
        self.curves_menu.clear()
        m = self.current_map()
        if m is None or self.scene is None:
            return
        ws = self.document.workspace
        owners: list[str | None] = [*m.persona_ids]
        if any(p.persona_id is None for p in m.emotions.values()):
            owners.append(None)
        for owner in owners:
            name = ws.personas[owner].name if owner is not None else f"{m.name} (no persona)"
            action = self.curves_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(owner not in self.scene.hidden_personas)
            action.toggled.connect(lambda on, o=owner: self.show_curve(o, on))

    def show_curve(self, owner: str | None, visible: bool) -> None:
        """Show or hide one persona's emotion curve (a view setting, not an edit)."""
        if self.scene is not None:
            self.scene.set_curve_visible(owner, visible)

    def compare_personas(self) -> None:
        """Open the side-by-side comparison of two personas on the open map."""
        from journeydesk.gui.compare_personas import ComparePersonasDialog

        m = self.current_map()
        if m is None:
            return
        dialog = ComparePersonasDialog(self.document, m.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._compare_dialog = dialog

    def show_welcome(self) -> bool:
        """The short "what you are looking at" guide, unless it was dismissed before."""
        if self._settings().value("welcome/dismissed", False) in (True, "true"):
            return False
        self.welcome.show()
        return True

    def dismiss_welcome(self) -> None:
        """Hide the guide for good (remembered)."""
        self.welcome.hide()
        self._settings().setValue("welcome/dismissed", True)

    def _show_help(self, which: str) -> object:
        from journeydesk.gui import help as help_dialogs

        dialog = getattr(help_dialogs, which)(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._help_dialog = dialog
        return dialog

    # ------------------------------------------------------------------------ data
    def dataset_names(self) -> list[str]:
        """The event datasets and database sources of the workspace."""
        return [c.name for c in self._event_data()]

    def _event_data(self) -> list:
        from journeydesk.data_access import event_data_names

        try:
            return event_data_names(self.document.file)
        except Exception:  # an older or damaged table must not break the window
            return []

    def import_event_log(self, path: Path | None = None, accept=None) -> str | None:  # noqa: ANN001
        """File > Import events: map the columns, import off the GUI thread, store."""
        from journeydesk.gui.import_events import import_events

        if path is None:
            path = self._ask_path("Import events", "Event logs (*.csv *.tsv *.gz *.parquet "
                                  "*.jsonl *.ndjson *.xlsx);;All files (*)", save=False)
        if path is None:
            return None
        name = import_events(self.document, path, self, accept=accept)
        if name is not None:
            self._refresh_navigator()
            self.statusBar().showMessage(f"Imported the event log as “{name}”", 8000)
            if self.act_overlay.isChecked() and self.data_overlay.dataset == name:
                self.data_overlay.refresh()
        return name

    def refresh_stage_metrics(self) -> None:
        """Show the imported stage metrics (latest value per metric) in the metrics lanes."""
        from journeydesk.analytics.stage_metrics import latest_per_stage
        from journeydesk.store.datasets import dataset_parquet

        if self.scene is None:
            return
        by_name: dict[str, list[tuple[str, str]]] = {}
        for info in self._datasets():
            if info.kind != "metrics":
                continue
            for stage, values in latest_per_stage(
                    dataset_parquet(self.document.file, info.name)).items():
                by_name.setdefault(stage, []).extend((metric, f"{value:g}")
                                                     for metric, value in values)
        m = self.scene.map
        self.scene.set_metrics({s.id: by_name[s.name] for s in m.stages if s.name in by_name})

    def show_overlay(self, dataset: str | None = None) -> bool:
        """Turn the data overlay on with ``dataset`` (asked for when there are several)."""
        m = self.current_map()
        names = self.dataset_names()
        if m is None or not names:
            self.act_overlay.setChecked(False)
            if m is not None:
                return self._offer_data()
            return False
        if dataset is None:
            dataset = names[0]
            if len(names) > 1:
                dataset, ok = QInputDialog.getItem(self, "Data overlay", "Dataset:", names, 0,
                                                   False)
                if not ok:
                    self.act_overlay.setChecked(False)
                    return False
        self.act_overlay.setChecked(True)
        self.data_overlay.show(m.id, dataset)
        return True

    def _offer_data(self) -> bool:
        """No data yet: say what the overlay needs and offer the two ways to get it."""
        box = QMessageBox(QMessageBox.Icon.Information, "Data overlay",
                          "This workspace has no event data yet. Import an event log (CSV, "
                          "Excel, Parquet or JSON lines) or connect a database to see how many "
                          "people reach each stage.", parent=self)
        box.setObjectName("noDataBox")
        import_button = box.addButton("Import events…", QMessageBox.ButtonRole.AcceptRole)
        source_button = box.addButton("Add database source…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(import_button)
        box.exec()
        if box.clickedButton() is source_button:
            self.add_database_source()  # shows the overlay once the source is added
        elif box.clickedButton() is import_button:
            name = self.import_event_log()
            return name is not None and self.show_overlay(name)
        return False

    def _on_overlay_started(self, dataset: str) -> None:
        database = self.data_overlay.sources.is_source(dataset)
        where = " in the database" if database else ""
        self.statusBar().showMessage(f"Computing the funnel of {dataset}{where}…")
        if database:  # only a database query can be stopped
            self.stop_button.show()
            self.act_stop.setEnabled(True)

    def stop_computing(self) -> None:
        """Cancel the database queries of the overlay and the charts (View > Stop computing)."""
        self.data_overlay.cancel()

    def _computing_done(self) -> None:
        if self.statusBar().currentMessage().startswith("Computing the funnel"):
            self.statusBar().clearMessage()
        self.stop_button.hide()
        self.act_stop.setEnabled(False)

    def _on_overlay_cancelled(self, message: str) -> None:
        self._computing_done()
        self.hide_overlay()
        self.statusBar().showMessage(f"Stopped: {message}", 8000)

    def _navigator_menu(self, pos) -> None:  # noqa: ANN001
        item = self.navigator.itemAt(pos)
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if not data or data[0] not in ("dataset", "source") or self.document.read_only:
            return
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        if data[0] == "dataset":
            menu.addAction("Rename dataset…", lambda: self.rename_dataset(data[1]))
            menu.addAction("Delete dataset…", lambda: self.delete_dataset(data[1]))
        else:
            menu.addAction("Remove database source…", lambda: self.delete_source(data[1]))
        menu.exec(self.navigator.viewport().mapToGlobal(pos))

    def add_database_source(self) -> object:
        """File > Add database source: connect, check the table, store the source."""
        from journeydesk.gui.add_source import AddSourceDialog

        if self.document.read_only:
            self._on_refused("This workspace is open read-only.")
            return None
        dialog = AddSourceDialog({c.name for c in self._event_data()}, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._add_source_from(dialog))
        dialog.open()
        return dialog

    def _add_source_from(self, dialog) -> None:  # noqa: ANN001
        from journeydesk.store.sources import add_source
        from journeydesk.store.workspace_file import WorkspaceError

        name, mapping = dialog.name.text().strip(), dialog.mapping()
        try:
            add_source(self.document.file, name, url=dialog.url.text().strip(),
                       table=dialog.table.text().strip(), user_column=mapping["user"],
                       event_column=mapping["event"], time_column=mapping["time"],
                       password_env=dialog.password_env.text().strip() or None,
                       timeout_seconds=dialog.timeout.value())
        except WorkspaceError as exc:
            self._on_refused(str(exc))
            return
        self.data_overlay.sources.set_password(name, dialog.password.text() or None)
        self._refresh_navigator()
        self.statusBar().showMessage(f"Added the database source “{name}”", 8000)
        if self.current_map() is not None:
            self.show_overlay(name)

    def delete_source(self, name: str, confirm: bool = True) -> bool:
        """Remove a database source from the workspace (the database is not touched)."""
        from journeydesk.store.sources import delete_source
        from journeydesk.store.workspace_file import WorkspaceError

        if confirm and QMessageBox.question(
                self, "Remove database source", f"Remove the source “{name}” from this "
                "workspace? The database itself is not touched."
        ) != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_source(self.document.file, name)
        except WorkspaceError as exc:
            self._on_refused(str(exc))
            return False
        if self.data_overlay.dataset == name:
            self.hide_overlay()
        self.data_overlay.sources.forget(name)
        self._refresh_navigator()
        return True

    def rename_dataset(self, name: str, new_name: str | None = None) -> bool:
        """Rename a stored dataset."""
        from journeydesk.store.datasets import rename_dataset
        from journeydesk.store.workspace_file import WorkspaceError

        if new_name is None:
            new_name, ok = QInputDialog.getText(self, "Rename dataset", "New name:", text=name)
            if not ok or not new_name.strip() or new_name.strip() == name:
                return False
        try:
            rename_dataset(self.document.file, name, new_name.strip())
        except WorkspaceError as exc:
            self._on_refused(str(exc))
            return False
        if self.data_overlay.dataset == name:
            self.data_overlay.dataset = new_name.strip()
        self._refresh_navigator()
        return True

    def delete_dataset(self, name: str, confirm: bool = True) -> bool:
        """Delete a stored dataset (after a confirmation: this cannot be undone)."""
        from journeydesk.store.datasets import delete_dataset
        from journeydesk.store.workspace_file import WorkspaceError

        if confirm and QMessageBox.question(
                self, "Delete dataset", f"Delete the dataset “{name}” from this workspace? "
                "This cannot be undone; the original file is not touched."
        ) != QMessageBox.StandardButton.Yes:
            return False
        try:
            delete_dataset(self.document.file, name)
        except WorkspaceError as exc:
            self._on_refused(str(exc))
            return False
        if self.data_overlay.dataset == name:
            self.hide_overlay()
        self._refresh_navigator()
        self.refresh_stage_metrics()
        return True

    def show_who_dropped(self, stage_id: str) -> None:
        """List the users who dropped off before a stage; their ids can be exported.

        The list is found off the GUI thread (in the database, for a database source); the
        dialog opens when it is there.
        """
        m = self.current_map()
        if m is None:
            return
        stage, dataset = m.stage(stage_id).name, self.data_overlay.dataset or ""
        try:
            work = self.data_overlay.dropped_users_work(stage_id)
        except Exception as exc:  # a missing dataset: say so
            self._on_refused(str(exc))
            return
        self.statusBar().showMessage(f"Finding who dropped before {stage}…")
        if self.data_overlay.sources.is_source(dataset):
            self.stop_button.show()
            self.act_stop.setEnabled(True)
        self.data_overlay.jobs.submit(
            work, lambda users, error: self._open_dropped(stage, dataset, users, error),
            name="journeydesk-dropped")

    def _open_dropped(self, stage: str, dataset: str, users: list[str] | None,
                      error: BaseException | None) -> None:
        from journeydesk.analytics.warehouse import QueryCancelled
        from journeydesk.gui.dropped_users import DroppedUsersDialog

        if not self.data_overlay.busy():
            self._computing_done()
        if isinstance(error, QueryCancelled):
            self.statusBar().showMessage(f"Stopped: {error}", 8000)
            return
        if error is not None:
            self._on_refused(f"Could not list who dropped before {stage}: {error}")
            return
        self.statusBar().clearMessage()
        dialog = DroppedUsersDialog(
            stage, dataset, users or [], self,
            timeline=partial(self.data_overlay.user_timeline_work, dataset=dataset))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def hide_overlay(self) -> None:
        """Turn the data overlay off."""
        self.act_overlay.setChecked(False)
        self.data_overlay.hide()
        self.overlay_bar.hide()
        self.inspector.set_event_counts({})
        if self.scene is not None:
            self.scene.set_overlay(None)

    def ask_overlay_dates(self) -> None:
        """Choose the calendar days the overlay counts (both ends included)."""
        from journeydesk.gui.date_range import DateRangeDialog

        dialog = DateRangeDialog(self.data_overlay.date_from, self.data_overlay.date_to, self)
        if dialog.exec():
            self.set_overlay_dates(*dialog.range())

    def set_overlay_dates(self, date_from, date_to) -> None:  # noqa: ANN001
        """Count only events between these days (None: open-ended), turning the overlay on."""
        self.data_overlay.date_from, self.data_overlay.date_to = date_from, date_to
        if self.act_overlay.isChecked():
            self.data_overlay.refresh()
        else:
            self.show_overlay()

    def save_snapshot(self) -> object:
        """Keep the numbers on show, with today's date, to compare with next quarter."""
        from journeydesk.store.datasets import get_dataset
        from journeydesk.store.snapshots import save_snapshot
        from journeydesk.store.sources import find_source
        from journeydesk.store.workspace_file import WorkspaceError

        overlay = self.data_overlay
        if not self.act_overlay.isChecked() or overlay.metrics is None:
            QMessageBox.information(self, "Snapshot", "Turn on View > Data overlay first: a "
                                    "snapshot keeps the numbers on show.")
            return None
        try:
            source = find_source(self.document.file, overlay.dataset)
            info = source or get_dataset(self.document.file, overlay.dataset)
            snapshot = save_snapshot(self.document.file, overlay.map_id, info.id,
                                     overlay.metrics, filters=overlay.filters())
        except WorkspaceError as exc:
            self._on_refused(str(exc))
            return None
        self.statusBar().showMessage(f"Saved a snapshot: {snapshot.label}", 6000)
        return snapshot

    def compare_with_snapshot(self, snapshot: object) -> None:
        """Show each stage's change in users since ``snapshot`` (None: stop comparing)."""
        self.data_overlay.baseline = snapshot
        if self.act_overlay.isChecked():
            self.data_overlay.refresh()

    def _fill_snapshot_menu(self) -> None:
        from journeydesk.store.snapshots import list_snapshots

        self.snapshot_menu.clear()
        m = self.current_map()
        snapshots = list_snapshots(self.document.file, m.id) if m is not None else []
        none = self.snapshot_menu.addAction("No comparison")
        none.triggered.connect(lambda _c=False: self.compare_with_snapshot(None))
        for snapshot in snapshots:
            action = self.snapshot_menu.addAction(snapshot.label)
            action.setCheckable(True)
            current = self.data_overlay.baseline
            action.setChecked(current is not None and current.id == snapshot.id)
            action.triggered.connect(lambda _c=False, s=snapshot: self.compare_with_snapshot(s))

    def _on_analytics_visible(self, visible: bool) -> None:
        if visible and self.analytics is None:
            from journeydesk.gui.analytics_dock import AnalyticsDock

            self.analytics = AnalyticsDock(self.document, self.data_overlay, self)
            self.analytics.overlay_requested.connect(self.show_overlay)
            self.analytics_dock.setWidget(self.analytics)
        if visible and self.analytics is not None:
            self.analytics.refresh()

    def segment_choices(self) -> list[tuple[str, dict[str, str]]]:
        """"All users" and each linked persona's data segment, for one-click filtering."""
        choices: list[tuple[str, dict[str, str]]] = [("All users", {})]
        m = self.current_map()
        if m is not None:
            for persona_id in m.persona_ids:
                persona = self.document.workspace.personas[persona_id]
                if persona.segment:
                    conditions = ", ".join(f"{k} = {v}" for k, v in persona.segment.items())
                    choices.append((f"{persona.name} ({conditions})", dict(persona.segment)))
        return choices

    def set_overlay_segment(self, segment: dict[str, str]) -> None:
        """Show the overlay's numbers for this segment only (turning the overlay on)."""
        self.data_overlay.segment = dict(segment)
        if self.act_overlay.isChecked():
            self.data_overlay.refresh()
        else:
            self.show_overlay()

    def _fill_segment_menu(self) -> None:
        self.segment_menu.clear()
        group = QActionGroup(self.segment_menu)  # one segment at a time: radio items
        for label, segment in self.segment_choices():
            action = self.segment_menu.addAction(label)
            action.setCheckable(True)
            group.addAction(action)
            action.setChecked(segment == self.data_overlay.segment)
            action.triggered.connect(lambda _c=False, s=segment: self.set_overlay_segment(s))

    def _toggle_overlay(self) -> None:
        if self.act_overlay.isChecked():
            self.show_overlay()
        else:
            self.hide_overlay()

    def _on_overlay_ready(self, overlay, metrics) -> None:  # noqa: ANN001
        self._computing_done()
        if self.scene is not None and self.act_overlay.isChecked() \
                and metrics["map"] == self.scene.map.name:
            self.scene.set_overlay(overlay)
            self.inspector.set_event_counts(overlay.event_counts)
            self.overlay_bar.show_caption(overlay.caption)

    def _on_overlay_failed(self, message: str) -> None:
        self._computing_done()
        self.hide_overlay()
        self._on_refused(f"The data overlay could not be computed: {message}")

    # ------------------------------------------------------------------------ clipboard
    def copy(self) -> bool:
        """Copy the selected cards."""
        if self.scene is None:
            return False
        cards = [self.scene.map.card(cid) for cid in self.scene.selected_card_ids()]
        if not cards:
            return False
        QGuiApplication.clipboard().setMimeData(clipboard.cards_to_mime(cards))
        self.statusBar().showMessage(f"Copied {len(cards)} card(s)", 3000)
        return True

    def cut(self) -> None:
        """Copy the selected cards, then delete them."""
        if self.copy() and self.scene is not None:
            self.scene.interactions.delete_selection()

    def paste(self) -> None:
        """Paste cards into the current cell (after the selected card, if any)."""
        if self.scene is None:
            return
        m = self.scene.map
        inter = self.scene.interactions
        selected = self.scene.selected_card_ids()
        index = None
        cell = inter.current_cell
        if selected:
            last = m.card(selected[-1])
            cell, index = (last.step_id, last.lane_id), last.position + 1
        lay = self.scene.layout
        if cell is None and lay.column_steps and lay.lane_ids:
            cell = (lay.column_steps[0], lay.lane_ids[0])
        if cell is None:
            return
        cards = clipboard.cards_from_mime(QGuiApplication.clipboard().mimeData(), *cell)
        if cards and self.editor.run(clipboard.paste_command(m, cards, index)):
            self.scene.select_only(self.scene.cards[c.id] for c in cards)

    def _duplicate(self) -> None:
        if self.scene is not None:
            self.scene.interactions.duplicate_selection()

    def _delete(self) -> None:
        if self.scene is not None:
            self.scene.interactions.delete_selection()

    def select_all(self) -> None:
        """Select every card of the map."""
        if self.scene is not None:
            for item in self.scene.cards.values():
                item.setSelected(True)

    # ------------------------------------------------------------------------ find
    def start_find(self) -> None:
        """Focus the find box."""
        self.find_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_bar.selectAll()

    def _on_find_text_changed(self, text: str) -> None:
        self._matches = []
        self._match_index = -1
        if self.scene is None:
            return
        needle = text.strip().casefold()
        for card in self.scene.map.ordered_cards():
            hit = bool(needle) and needle in card.text.casefold()
            item = self.scene.cards[card.id]
            if item.highlighted != hit:
                item.highlighted = hit
                item.update()
            if hit:
                self._matches.append(card.id)
        if needle:
            self.statusBar().showMessage(f"{len(self._matches)} matching card(s)", 4000)

    def find_next(self) -> None:
        """Select the next matching card (Enter in the find box)."""
        if not self._matches or self.scene is None:
            return
        self._match_index = (self._match_index + 1) % len(self._matches)
        self.scene.interactions.select_card(self._matches[self._match_index])

    def clear_find(self) -> None:
        """Drop the highlights and leave the find box (Esc)."""
        self.find_bar.clear()
        if self.scene is not None:
            self.view.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802, ANN001 - Qt override
        if (watched is self.find_bar and event.type() == event.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape):
            self.clear_find()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------ files
    def _ask_path(self, title: str, filters: str, save: bool) -> Path | None:
        start = str(self.document.file.path.parent)
        if save:
            return ask_save_path(self, title, start, filters)
        name, _ = QFileDialog.getOpenFileName(self, title, start, filters)
        return Path(name) if name else None

    def new_workspace(self) -> None:
        """Create a workspace file and open it in a new window."""
        path = self._ask_path("New workspace", "JourneyDesk workspaces (*.jdesk)", save=True)
        if path is not None:
            if path.suffix != ".jdesk":
                path = path.with_suffix(".jdesk")
            self._open_window(path, create=True)

    def open_workspace(self, path: Path | None = None) -> None:
        """Open another workspace file in a new window."""
        if path is None:
            path = self._ask_path("Open workspace", "JourneyDesk workspaces (*.jdesk)", False)
        if path is not None:
            self._open_window(path, create=False)

    def _open_window(self, path: Path, create: bool) -> None:
        from journeydesk.gui.app import open_document

        if path.resolve() == self.document.file.path.resolve():
            return
        document = open_document(path, create=create, parent=self)
        if document is not None:
            window = MainWindow(document)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.show()

    def save_copy(self) -> None:
        """Write a copy of the workspace (SQLite backup API)."""
        path = self._ask_path("Save a copy", "JourneyDesk workspaces (*.jdesk)", save=True)
        if path is None:
            return
        try:
            self.document.file.save_copy(path)
        except OSError as exc:
            self._on_refused(f"The copy could not be written: {exc}")
            return
        self.statusBar().showMessage(f"Saved a copy as {path}", 5000)

    def import_map(self, path: Path | None = None) -> str | None:
        """Import a map file (.json, .xlsx from JourneyDesk or a plain grid, Mermaid .mmd)."""
        from journeydesk.exchange.json_map import FormatError
        from journeydesk.exchange.map_formats import read_map

        if path is None:
            path = self._ask_path("Import map", IMPORT_FILTERS, save=False)
        if path is None:
            return None
        try:
            imported = read_map(path, self.document.workspace)
        except (FormatError, ValueError, OSError) as exc:
            self._on_refused(f"{path.name}: {exc}")
            return None
        m = imported.map
        m.name = self._free_map_name(m.name)
        if not self.editor.run(AddMapCommand(m, imported.personas)):
            return None
        self.open_map(m.id)
        if imported.warnings:
            QMessageBox.information(self, "Imported with notes",
                                    f"{path.name} was imported. Please check:\n\n• "
                                    + "\n• ".join(imported.warnings))
        return m.id

    def export_map(self, path: Path | None = None, *, pages: str | None = None,
                   scale: float = 2.0) -> bool:
        """Export the current map; the format follows the extension.

        JSON, Excel, Mermaid and CSV come from ``exchange``; PNG, SVG and PDF are drawn. PDF
        asks whether to fit one page or tile pages (unless ``pages`` says). Long exports show a
        progress dialog that can cancel; the old file then stays as it was.
        """
        from journeydesk.exchange.map_formats import (
            PICTURE_FORMATS,
            ExportCancelled,
            write_map,
        )
        from journeydesk.gui import map_picture

        m = self.current_map()
        if m is None:
            return False
        if path is None:
            path = self._ask_path("Export map", EXPORT_FILTERS, save=True)
        if path is None:
            return False
        suffix = path.suffix.lower()
        if suffix == ".pdf" and pages is None:
            pages = self._ask_page_mode("Export as PDF")
            if pages is None:
                return False
        progress = _ProgressDialog(self, f"Exporting {m.name}…")
        try:
            if suffix in PICTURE_FORMATS:
                map_picture.export_picture(self.document, m.id, path, scale=scale,
                                           pages=pages or "fit", progress=progress.step)
            else:
                metrics = (self.data_overlay.metrics if self.act_overlay.isChecked()
                           and self.data_overlay.map_id == m.id else None)
                write_map(m, self.document.workspace, path, progress=progress.step,
                          metrics=metrics)
        except ExportCancelled:
            self.statusBar().showMessage("Export cancelled; nothing was written.", 5000)
            return False
        except (OSError, ValueError) as exc:
            self._on_refused(f"{path.name}: could not be written ({exc})")
            return False
        finally:
            progress.close()
        self.statusBar().showMessage(f"Exported {m.name} to {path}", 5000)
        return True

    def _ask_page_mode(self, title: str) -> str | None:
        choice, ok = QInputDialog.getItem(self, title, "Pages:",
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

        m = self.current_map()
        if m is None:
            return False
        mode = mode or self._ask_page_mode("Print")
        if mode is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        printer.setDocName(m.name)
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle(f"Print {m.name}")
        preview.paintRequested.connect(
            lambda device: paint_pages(device, self.document, m.id, mode=mode))
        self._print_preview = preview
        preview.open()
        return True

    # ------------------------------------------------------------------------ view
    def _toggle_minimap(self) -> None:
        self.minimap.set_wanted(self.act_minimap.isChecked())

    def set_theme(self, name: str) -> None:
        """Switch the canvas to the light or dark theme."""
        self.theme = THEMES[name]
        self.act_dark.setChecked(name == "dark")
        app = QGuiApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(application_palette(self.theme))
        if self.scene is not None:
            self.scene.set_theme(self.theme)
        self.overlay_bar.set_theme(self.theme)
        if self.analytics is not None:
            self.analytics.set_theme(self.theme)
        self.view.resetCachedContent()
        self.view.viewport().update()

    def _toggle_theme(self) -> None:
        self.set_theme("dark" if self.act_dark.isChecked() else "light")

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        if self._presenting is not None:  # the whole map, whatever size the screen gives
            QTimer.singleShot(0, self.view.fit)

    def _on_zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{round(zoom * 100)} %")
        self.zoom_button.setText(f"{round(zoom * 100)} %")

    def _toolbar_undo_redo(self) -> list[QAction]:
        """Undo and Redo for the toolbar: their text stays put (the menu's says what will be
        undone, and would shift every button after it on each edit); the tooltip says it."""
        stack = self.editor.stack
        undo = self._action("Undo", stack.undo)
        redo = self._action("Redo", stack.redo)
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.undoTextChanged.connect(lambda text: undo.setToolTip(f"Undo {text}".strip()))
        stack.redoTextChanged.connect(lambda text: redo.setToolTip(f"Redo {text}".strip()))
        return [undo, redo]

    def toggle_presentation(self) -> None:
        """View > Present (F5): full screen with the map alone; F5 or Esc comes back."""
        if self._presenting is None:
            self._presenting = (self.saveState(), self.windowState(), self.minimap.wanted)
            for dock in self.findChildren(QDockWidget):
                dock.hide()
            self.toolbar.hide()
            self.menuBar().hide()
            self.statusBar().hide()
            self.minimap.set_wanted(False)
            self.act_present.setShortcuts([QKeySequence("F5"), QKeySequence("Esc")])
            self.showFullScreen()
            self.act_present.setChecked(True)
            QTimer.singleShot(0, self.view.fit)  # once the window has its full size
        else:
            state, window_state, minimap = self._presenting
            self._presenting = None
            self.act_present.setShortcuts([QKeySequence("F5")])
            self.setWindowState(window_state)
            self.menuBar().show()
            self.toolbar.show()
            self.statusBar().show()
            self.restoreState(state)
            self.minimap.set_wanted(minimap)
            self.act_present.setChecked(False)

    # ------------------------------------------------------------------------ model events
    def _on_document_changed(self, changes: Changes) -> None:
        if any(key[0] in ("map", "persona") for key in changes):
            self._refresh_navigator()
        if self.scene is not None and self.scene.map_id not in self.document.workspace.maps:
            self._close_scene()
        self._update_title()
        self._update_actions()

    def _on_selection_changed(self) -> None:
        if self.scene is None:
            return
        items = self.scene.selectedItems()
        self.inspector.show_items(items)
        self._update_actions()
        if len(items) == 1 and hasattr(items[0], "accessible_name"):
            self.view.setAccessibleDescription(items[0].accessible_name())

    def _on_refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        QMessageBox.warning(self, "JourneyDesk", message)

    def _on_navigator_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if data and data[0] == "map":
            self.open_map(data[1])
        elif data and data[0] == "persona":
            self.edit_persona(data[1])
        elif data and data[0] in ("dataset", "source") and self.scene is not None:
            self.show_overlay(data[1])

    def _refresh_navigator(self) -> None:
        ws = self.document.workspace
        self.placeholder.setText(
            "Double-click a map in the Workspace panel to open it." if ws.maps else
            "This workspace has no map yet.\n\nMap > New map (Ctrl+N) starts an empty one, "
            "Map > New from template (Ctrl+Shift+N) a ready-made journey, and File > Import "
            "map (Ctrl+I) reads one from JSON, Excel or Mermaid.")
        self.navigator.clear()
        maps = QTreeWidgetItem(self.navigator, ["Maps"])
        for m in sorted(ws.maps.values(), key=lambda m: m.name.casefold()):
            item = QTreeWidgetItem(maps, [m.name])
            item.setToolTip(0, f"{len(m.stages)} stages, {len(m.cards)} cards")
            item.setData(0, Qt.ItemDataRole.UserRole, ("map", m.id))
        personas = QTreeWidgetItem(self.navigator, ["Personas"])
        for p in sorted(ws.personas.values(), key=lambda p: p.name.casefold()):
            QTreeWidgetItem(personas, [p.name]).setData(0, Qt.ItemDataRole.UserRole,
                                                        ("persona", p.id))
        datasets = QTreeWidgetItem(self.navigator, ["Datasets"])
        datasets.setToolTip(0, "Imported event logs, and tables in a database (network-drive "
                               "icon)")
        database_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
        for choice in self._event_data():
            database = choice.kind == "database"
            item = QTreeWidgetItem(datasets, [choice.name])
            item.setToolTip(0, choice.description + (" (database)" if database else ""))
            if database:
                item.setIcon(0, database_icon)
            item.setData(0, Qt.ItemDataRole.UserRole,
                         ("source" if database else "dataset", choice.name))
        self.navigator.expandAll()
        if self.scene is not None:
            self._select_in_navigator(self.scene.map_id)

    def _datasets(self) -> list:
        from journeydesk.store.datasets import list_datasets

        try:
            return list_datasets(self.document.file)
        except Exception:  # an older or damaged datasets table must not break the window
            return []

    def _select_in_navigator(self, map_id: str) -> None:
        maps = self.navigator.topLevelItem(0)
        for i in range(maps.childCount()):
            child = maps.child(i)
            if child.data(0, Qt.ItemDataRole.UserRole) == ("map", map_id):
                self.navigator.setCurrentItem(child)

    def _update_title(self) -> None:
        m = self.current_map()
        title = f"{self.document.file.path.name} — JourneyDesk"
        if m is not None:
            title = f"{m.name} · {title}"
        if self.document.read_only:
            title += " [read-only]"
            self.statusBar().showMessage("This workspace is read-only: changes cannot be saved.")
        self.setWindowTitle(title)

    def _update_actions(self) -> None:
        has_map = self.scene is not None
        has_cards = has_map and bool(self.scene.selected_card_ids())
        writable = not self.document.read_only
        for action in (self.act_add_stage, self.act_add_lane, self.act_add_card,
                       self.act_paste, self.act_rename_map, self.act_delete_map,
                       self.act_duplicate_map):
            action.setEnabled(has_map and writable)
        for action in (self.act_export, self.act_print, self.act_select_all, self.act_find,
                       self.act_compare,
                       self.act_zoom_in,
                       self.act_zoom_out, self.act_zoom_fit, self.act_zoom_reset):
            action.setEnabled(has_map)
        self.act_copy.setEnabled(has_cards)
        for action in (self.act_cut, self.act_duplicate):
            action.setEnabled(has_cards and writable)
        self.act_delete.setEnabled(has_map and writable)
        for action in (self.act_new_map, self.act_new_from_template, self.act_import,
                       self.act_import_events, self.act_add_source):
            action.setEnabled(writable)

    # ------------------------------------------------------------------------ settings
    def _settings(self) -> QSettings:
        return QSettings()

    def _restore_settings(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.set_theme(str(settings.value("view/theme", "light")))
        minimap = settings.value("view/minimap", True)
        self.act_minimap.setChecked(minimap not in (False, "false"))
        self.minimap.set_wanted(self.act_minimap.isChecked())
        if self.remember_settings:
            self._remember_recent(self.document.file.path)
        else:
            self._fill_recent_menu(_recent(settings))

    def _remember_recent(self, path: Path) -> None:
        settings = self._settings()
        recent = [p for p in _recent(settings) if p != str(path)]
        recent = [str(path), *recent][:MAX_RECENT]
        settings.setValue("files/recent", recent)
        self._fill_recent_menu(recent)

    def _fill_recent_menu(self, recent: list[str]) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        for entry in recent:
            self.recent_menu.addAction(entry, lambda p=entry: self.open_workspace(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.scene is not None:
            self.scene.interactions.finish_editing(commit=True)
        if self.remember_settings:
            settings = self._settings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
            settings.setValue("view/theme", self.theme.name)
            settings.setValue("view/minimap", self.act_minimap.isChecked())
        self._close_scene()
        self.inspector.close_editor()
        self.gallery.close_gallery()
        self.data_overlay.close()
        for dialog in list(self.persona_editors.values()):
            dialog.close()
        self.document.unsubscribe(self._on_document_changed)
        self.document.close()
        super().closeEvent(event)


def _recent(settings: QSettings) -> list[str]:
    """The recent-files list (QSettings hands back a lone entry as a plain string)."""
    raw = settings.value("files/recent", [])
    if isinstance(raw, str):
        return [raw]
    return [str(p) for p in raw or []]


class _ProgressDialog:
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
        self.dialog.close()
        self.dialog.deleteLater()


WELCOME = (
    "<b>What you are looking at:</b> a journey map of a membership sign-up. Stages run across "
    "the top, lanes down the side; each persona has an emotion curve. Turn on <b>View &gt; "
    "Data overlay</b> (Ctrl+Shift+O) to see how many people reach each stage from the demo's "
    "event log, and where they drop off. Double-click anywhere to add a card; Ctrl+Z undoes "
    "anything. <b>Help &gt; User guide</b> (F1) tells the rest.")


class _OverlayBar(QFrame):
    """A band above the canvas while the data overlay is on: which data, segment, dates and
    snapshot the numbers on the map are for (a slice must never pass for the whole)."""

    def __init__(self, window: MainWindow):
        super().__init__()
        self.setObjectName("overlayBar")
        self.caption = QLabel()
        self.caption.setObjectName("overlayCaption")
        self.caption.setAccessibleName("Data overlay shows")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setMinimumWidth(40)
        dates = QPushButton("Dates…")
        dates.setToolTip("Limit the numbers to a date range")
        dates.clicked.connect(lambda _c=False: window.ask_overlay_dates())
        self.off_button = QPushButton("Hide numbers")
        self.off_button.setToolTip("Turn the data overlay off (Ctrl+Shift+O)")
        self.off_button.clicked.connect(lambda _c=False: window.hide_overlay())
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 5, 10, 5)
        row.addWidget(QLabel("Data overlay:"))
        row.addWidget(self.caption, 1)
        row.addWidget(dates)
        row.addWidget(self.off_button)
        self.set_theme(window.theme)

    def show_caption(self, caption: str) -> None:
        """Show the band with ``caption`` (the whole text is in the tooltip when cut)."""
        self.caption.setText(caption)
        self.caption.setToolTip(caption)
        self.show()

    def set_theme(self, theme) -> None:  # noqa: ANN001 - a canvas Theme
        """The colours of the stage headers, so the band reads as part of the map."""
        fill, text = theme.header_fill.name(), theme.header_text.name()
        self.setStyleSheet(f"#overlayBar {{ background: {fill}; }} "
                           f"#overlayBar QLabel {{ color: {text}; font-weight: 600; }}")


class _WelcomeBanner(QFrame):
    """A dismissible band above the canvas for the first start."""

    def __init__(self, window: MainWindow):
        super().__init__()
        self.setObjectName("welcomeBanner")
        self.setStyleSheet("#welcomeBanner { background: #eaf2ff; border-bottom: 1px solid "
                           "#b9d0f5; } QLabel { color: #1f2430; }")
        text = QLabel(WELCOME)
        text.setWordWrap(True)
        text.setAccessibleName("Welcome")
        self.overlay_button = QPushButton("Show the data")
        self.overlay_button.clicked.connect(lambda _c=False: window.show_overlay())
        self.close_button = QPushButton("Got it")
        self.close_button.clicked.connect(lambda _c=False: window.dismiss_welcome())
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.addWidget(text, 1)
        row.addWidget(self.overlay_button)
        row.addWidget(self.close_button)
