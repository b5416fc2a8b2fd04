"""The main window: a shell that arranges the map editor, the docks, menus and toolbar.

What the window shows is done by its parts, each given its models: the map editor
(:mod:`.map_editor`: the canvas and the active undo history), the data panel
(:mod:`.data_panel`: overlay, datasets, charts), the navigator, the inspector and the persona
gallery.  Its commands are declared in :mod:`.actions`; map and file commands are in
:mod:`.map_commands`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.review import review_statuses
from journeydesk.app.session import Document, WorkspaceSession, opening_notes
from journeydesk.domain.commands import Changes
from journeydesk.gui import actions as declared
from journeydesk.gui.app import remember_map
from journeydesk.gui.canvas.theme import THEMES, application_palette
from journeydesk.gui.comments_dock import CommentsPanel
from journeydesk.gui.data_panel import DataPanel
from journeydesk.gui.dock_scroll import scrolled
from journeydesk.gui.editing import Editor
from journeydesk.gui.evidence_view import EvidenceView
from journeydesk.gui.inspector import InspectorWidget
from journeydesk.gui.listening import follow
from journeydesk.gui.map_commands import (
    TEMPLATES_DIR,
    MapCommands,
    WelcomeBanner,
    builtin_templates,
)
from journeydesk.gui.map_editor import MapEditorWidget
from journeydesk.gui.navigator import NavigatorWidget
from journeydesk.gui.persona_editor import PersonaEditorDialog, open_persona_editor
from journeydesk.gui.persona_gallery import PersonaGalleryWidget
from journeydesk.gui.presenting import Presentation
from journeydesk.gui.screens import fitted
from journeydesk.gui.versions_dialog import VersionsUi
from journeydesk.gui.workshop_window import WorkshopUi

__all__ = ["TEMPLATES_DIR", "MainWindow", "builtin_templates"]

MAX_RECENT = 8
# The data panel's commands the window offers under their own names (menus, tests, scripts).
DATA_COMMANDS = ("show_overlay", "hide_overlay", "import_event_log", "add_database_source",
                 "delete_source", "rename_dataset", "delete_dataset", "show_who_dropped",
                 "ask_overlay_dates", "set_overlay_dates", "segment_choices",
                 "set_overlay_segment", "save_snapshot", "compare_with_snapshot",
                 "stop_computing", "dataset_names", "refresh_stage_metrics")
# The map commands likewise.
MAP_COMMANDS = ("new_map", "new_map_from_template", "duplicate_map", "rename_map",
                "delete_map", "set_persona_linked", "show_curve", "compare_personas",
                "new_workspace", "open_workspace", "save_copy", "import_map", "export_map",
                "print_map")
# And the map editor's.
EDITOR_COMMANDS = ("copy", "cut", "paste", "select_all", "start_find", "find_next",
                   "clear_find", "add_stage", "add_lane", "add_card")
PLACEHOLDER = ("This workspace has no map yet.\n\nMap > New map (Ctrl+N) starts an empty one, "
               "Map > New from template (Ctrl+Shift+N) a ready-made journey, and File > Import "
               "map (Ctrl+I) reads one from JSON, Excel or Mermaid.")


class MainWindow(QMainWindow):
    """One window per open workspace."""

    def __init__(self, document: Document, *, remember_settings: bool = True):
        super().__init__()
        self.document = document
        self.session = WorkspaceSession.of(document)
        self.editor = Editor(document, self)
        self.theme = THEMES["light"]
        self.remember_settings = remember_settings  # off for one-shot runs (--screenshot)
        self.setObjectName("MainWindow")
        self.resize(*first_size())  # never larger than the screen (a 1280x720 projector)

        self.map_editor = MapEditorWidget(self.editor)
        self.data = DataPanel(self.session, self.map_editor, self,
                              import_events=self._import_events)
        self.maps = MapCommands(self.session, self.editor, self.map_editor, self,
                                overlay_metrics=self._overlay_metrics)
        for name in DATA_COMMANDS:
            setattr(self, name, getattr(self.data, name))
        for name in MAP_COMMANDS:
            setattr(self, name, getattr(self.maps, name))
        for name in EDITOR_COMMANDS:
            setattr(self, name, getattr(self.map_editor, name))
        self.welcome = WelcomeBanner(self.map_editor, lambda: bool(self.session.data.choices()))
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.welcome)
        column.addWidget(self.data.bar)
        column.addWidget(self.map_editor, 1)
        self.setCentralWidget(central)

        self.navigator = NavigatorWidget(lambda: document.workspace, self.session.data.choices,
                                         reviews=lambda: review_statuses(self.session))
        self.navigator.read_only = document.read_only
        self.navigator_dock = self._dock("Workspace", "navigatorDock", self.navigator,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector = InspectorWidget(self.editor)
        self.inspector.setMinimumWidth(240)
        self.inspector.setMaximumWidth(340)
        self.inspector_dock = self._dock("Inspector", "inspectorDock",
                                         scrolled(self.inspector, "inspectorScroll"),
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.gallery = PersonaGalleryWidget(self.editor)
        self.gallery_dock = self._dock("Personas", "personaDock", self.gallery,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.persona_editors: dict[str, PersonaEditorDialog] = {}
        self.history = QUndoView(self.editor.group)
        self.history.setEmptyLabel("Opened")
        self.history.setObjectName("history")
        self.history_dock = self._dock("History", "historyDock", self.history,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock.hide()
        self.comments = CommentsPanel(self.editor, self.map_editor)  # View > Comments
        self.comments_dock = self._dock("Comments", "commentsDock",
                                        scrolled(self.comments, "commentsScroll"),
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.comments_dock.hide()
        self.evidence = EvidenceView(self.editor, self.map_editor)  # coverage, highlight
        # Map > Save version…, Map > Versions…
        self.versions = VersionsUi(self.session, self.editor, lambda: self.map_editor.map_id,
                                   self)
        self.versions.status.connect(self.show_status)
        self.versions.refused.connect(self.show_refusal)
        self.analytics_dock = self.data.analytics_dock  # charts load pyqtgraph when shown
        self.analytics_dock.setParent(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analytics_dock)
        self.zoom_label = QLabel("100 %")
        self.zoom_button = self.map_editor.make_zoom_button()
        self.presentation = Presentation(self)  # View > Present (F5)
        self._asked_to_quit = False  # File > Quit asked about a running session already
        # the walk-through's keys, and Q for a workshop session's QR code
        self.view.key_hook = lambda key: (self.workshop.present_key(key)
                                          or self.presentation.key(key))
        self.workshop = WorkshopUi(self)  # Workshop menu: sessions, inbox, votes, timer
        self.session_dock = self.workshop.session_dock
        self.inbox_dock = self.workshop.inbox_dock
        self.data.overlay.ready.connect(self.presentation.numbers_changed)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Cancel the query running in the database (Ctrl+.)")
        self.stop_button.setAccessibleName("Stop computing")
        self.stop_button.clicked.connect(self.data.stop_computing)
        self.stop_button.hide()
        self.statusBar().addPermanentWidget(self.stop_button)
        self.statusBar().addPermanentWidget(self.evidence.band)
        self.statusBar().addPermanentWidget(self.zoom_label)

        self._build_actions()
        self._connect_signals()
        self._refresh_navigator()
        self._update_title()
        self.update_actions()
        self._restore_settings()
        notes = opening_notes(document)  # a file a crash interrupted: its backup, and so on
        if notes:
            self.show_status(" ".join(notes), 30000)

    # ------------------------------------------------------------------------ parts
    # The map editor's and the data panel's parts, under the names the window always had.
    scene = property(lambda self: self.map_editor.scene)
    view = property(lambda self: self.map_editor.view)
    minimap = property(lambda self: self.map_editor.minimap)
    placeholder = property(lambda self: self.map_editor.placeholder)
    stack = property(lambda self: self.map_editor.stack)
    find_bar = property(lambda self: self.map_editor.find_bar)
    data_overlay = property(lambda self: self.data.overlay)
    overlay_bar = property(lambda self: self.data.bar)
    analytics = property(lambda self: self.data.analytics)
    _print_preview = property(lambda self: self.maps._print_preview)
    _compare_dialog = property(lambda self: self.maps._compare_dialog)

    def current_map(self):  # noqa: ANN201 - a JourneyMap or None
        """The map on the canvas, if any."""
        return self.map_editor.current_map()

    def open_map(self, map_id: str) -> None:
        """Show a map on the canvas."""
        self.map_editor.open_map(map_id)

    def _import_events(self) -> str | None:
        """File > Import events, looked up when called (as the menu's command)."""
        return self.import_event_log()

    def _overlay_metrics(self, map_id: str) -> dict | None:
        """The overlay's numbers of map ``map_id`` when they are on show (for exports)."""
        overlay = self.data.overlay
        return overlay.metrics if overlay.shown and overlay.map_id == map_id else None

    # ------------------------------------------------------------------------ construction
    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        declared.build_actions(self)
        self._rules = declared.enabling_rules()
        group = self.editor.group
        self.act_undo = group.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_redo = group.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts(declared.redo_keys())
        self.act_minimap.setChecked(True)
        self.act_stop.setEnabled(False)
        self.act_history = self.history_dock.toggleViewAction()
        self.act_analytics = self.analytics_dock.toggleViewAction()
        self.act_analytics.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.comments_dock.toggleViewAction().setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.evidence.bind_action(self.act_highlight_assumptions)
        for dock, text in ((self.navigator_dock, "&Workspace"), (self.gallery_dock, "&Personas"),
                           (self.inspector_dock, "Inspecto&r"), (self.analytics_dock, "&Analytics"),
                           (self.history_dock, "&History"),
                           (self.comments_dock, "Comment t&hreads")):
            dock.toggleViewAction().setText(text)
        fillers = {"recent_menu": None, "segment_menu": self.data.fill_segment_menu,
                   "snapshot_menu": self.data.fill_snapshot_menu,
                   "personas_menu": self.maps.fill_personas_menu,
                   "curves_menu": self.maps.fill_curves_menu}
        for title, entries in declared.MENUS:
            menu = self.menuBar().addMenu(title)
            for entry in entries:
                if entry == "-":
                    menu.addSeparator()
                elif isinstance(entry, str):
                    menu.addAction(getattr(self, f"act_{entry}"))
                elif entry[0] in ("undo", "redo"):
                    menu.addAction(getattr(self, f"act_{entry[0]}"))
                elif entry[0] == "dock":
                    menu.addAction(getattr(self, entry[1]).toggleViewAction())
                else:
                    _, attribute, text = entry
                    submenu = menu.addMenu(text)
                    setattr(self, attribute, submenu)
                    if fillers[attribute] is not None:
                        submenu.aboutToShow.connect(
                            lambda s=submenu, fill=fillers[attribute]: fill(s))
        self.toolbar = tools = QToolBar("Main")
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
        tools.addSeparator()
        tools.addActions([self.act_workshop_start, self.act_workshop_end])
        self.addToolBar(tools)
        # The window holds every menu command too: their keys then work while the menu bar
        # is hidden (View > Present), not only through the menus.
        for menu_action in self.menuBar().actions():
            self.addActions([action for action in menu_action.menu().actions()
                             if action.menu() is None and not action.isSeparator()])

    def _toolbar_undo_redo(self) -> list:
        """Undo and Redo for the toolbar: their text stays put (the menu's says what will be
        undone, and would shift every button after it on each edit); the tooltip says it."""
        group = self.editor.group
        undo = declared.make_action(self, "Undo", group.undo)
        redo = declared.make_action(self, "Redo", group.redo)
        undo.setEnabled(group.canUndo())
        redo.setEnabled(group.canRedo())
        group.canUndoChanged.connect(undo.setEnabled)
        group.canRedoChanged.connect(redo.setEnabled)
        group.undoTextChanged.connect(lambda text: undo.setToolTip(f"Undo {text}".strip()))
        group.redoTextChanged.connect(lambda text: redo.setToolTip(f"Redo {text}".strip()))
        return [undo, redo]

    def _connect_signals(self) -> None:
        self._stop_following = follow(self, self.document, self._on_document_changed)
        self.editor.refused.connect(self.show_refusal)
        self.editor.group.indexChanged.connect(lambda _i: self.update_actions())
        self.editor.group.activeStackChanged.connect(lambda _s: self.update_actions())
        self.map_editor.map_changed.connect(self._on_map_changed)
        self.map_editor.selection_changed.connect(self._on_selection_changed)
        self.map_editor.status.connect(self.show_status)
        self.map_editor.who_dropped_requested.connect(self.data.show_who_dropped)
        self.map_editor.pain_point_requested.connect(self.data.add_drop_off_pain_point)
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self.navigator.map_activated.connect(self.open_map)
        self.navigator.persona_activated.connect(self.edit_persona)
        self.navigator.data_activated.connect(self._on_data_activated)
        self.navigator.rename_dataset_requested.connect(self.data.rename_dataset)
        self.navigator.delete_dataset_requested.connect(self.data.delete_dataset)
        self.navigator.remove_source_requested.connect(self.data.delete_source)
        self.gallery.open_requested.connect(self.edit_persona)
        self.data.status.connect(self.show_status)
        self.maps.status.connect(self.show_status)
        self.maps.refused.connect(self.show_refusal)
        self.data.refused.connect(self.show_refusal)
        self.data.data_changed.connect(self._refresh_navigator)
        self.data.snapshot_saved.connect(self._refresh_navigator)  # a map may be fresh again
        self.data.computing.connect(self._on_computing)
        self.data.event_counts_changed.connect(self.inspector.set_event_counts)
        self.data.overlay.shown_changed.connect(self.act_overlay.setChecked)
        self.act_overlay.triggered.connect(lambda _c=False: self.act_overlay.setChecked(
            self.data.shown))  # the overlay's state, whatever the click did
        self.welcome.overlay_button.clicked.connect(lambda _c=False: self.data.show_overlay())
        self.welcome.close_button.clicked.connect(lambda _c=False: self.dismiss_welcome())
        self.workshop.connect_signals()

    # ------------------------------------------------------------------------ personas, help
    def edit_persona(self, persona_id: str) -> PersonaEditorDialog:
        """Open the persona editor (one window per persona)."""
        return open_persona_editor(self.editor, persona_id, self, self.persona_editors)

    def show_welcome(self) -> bool:
        """The short "what you are looking at" guide, unless it was dismissed before."""
        if QSettings().value("welcome/dismissed", False) in (True, "true"):
            return False
        self.welcome.set_wanted(True)  # about the map on show; hidden while there is none
        return True

    def dismiss_welcome(self) -> None:
        """Hide the guide for good (remembered)."""
        self.welcome.set_wanted(False)
        QSettings().setValue("welcome/dismissed", True)

    def _show_help(self, which: str) -> QWidget:
        from journeydesk.gui import help as help_dialogs

        dialog = getattr(help_dialogs, which)(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._help_dialog = dialog
        return dialog

    def show_user_guide(self) -> QWidget:
        """Help > User guide."""
        return self._show_help("user_guide")

    def show_shortcuts(self) -> QWidget:
        """Help > Keyboard shortcuts."""
        return self._show_help("shortcuts")

    def show_about(self) -> QWidget:
        """Help > About."""
        return self._show_help("about")

    def show_portfolio(self) -> QWidget:
        """Map > Opportunity portfolio: every map's opportunities in one window."""
        from journeydesk.gui.portfolio import show_portfolio

        return show_portfolio(self)

    # ------------------------------------------------------------------------ view
    def toggle_minimap(self) -> None:
        """View > Minimap."""
        self.minimap.set_wanted(self.act_minimap.isChecked())

    def set_theme(self, name: str) -> None:
        """Switch the window and the canvas to the light or dark theme."""
        self.theme = THEMES[name]
        self.act_dark.setChecked(name == "dark")
        app = QGuiApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(application_palette(self.theme))
        self.map_editor.set_theme(self.theme)
        self.data.set_theme(self.theme)
        self.welcome.set_theme(self.theme)

    def toggle_theme(self) -> None:
        """View > Dark theme."""
        self.set_theme("dark" if self.act_dark.isChecked() else "light")

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        if self.presentation.active:  # the whole map, whatever size the screen gives
            QTimer.singleShot(0, self.presentation.resized)

    def _on_zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{round(zoom * 100)} %")
        self.zoom_button.setText(f"{round(zoom * 100)} %")

    def toggle_presentation(self) -> None:
        """View > Present (F5): full screen with the map alone and its title; the arrow keys
        walk through the stages; F5 or Esc comes back to the view as it was."""
        self.presentation.toggle()

    # ------------------------------------------------------------------------ events
    def _on_document_changed(self, changes: Changes) -> None:
        if any(key[0] in ("map", "persona") for key in changes):
            self._refresh_navigator()
        maps = self.document.workspace.maps
        if self.scene is not None and self.scene.map_id not in maps:
            self.map_editor.close_map()  # its history stays active: Redo brings it back
        elif self.scene is None and self.editor.active_map_id() in maps:
            self.open_map(self.editor.active_map_id())  # a map's creation was redone
        self.workshop.document_changed()
        self._update_title()
        self.update_actions()

    def _on_map_changed(self, map_id: str | None) -> None:
        self.presentation.map_changed()
        self.inspector.show_map(map_id)
        self.gallery.set_current_map(map_id)
        if map_id is not None:
            self.navigator.select_map(map_id)
            if self.remember_settings:
                remember_map(self.session.path, map_id)  # reopened at the next start
        self._update_title()
        self.update_actions()

    def _on_selection_changed(self, items: list) -> None:
        self.inspector.show_items(items)
        self.update_actions()

    def _on_data_activated(self, name: str) -> None:
        if self.scene is not None:
            self.data.show_overlay(name)

    def _on_computing(self, running: bool) -> None:
        self.stop_button.setVisible(running)
        self.act_stop.setEnabled(running)

    def show_status(self, text: str, timeout: int) -> None:
        """A status-bar message; "" clears it (with timeout -1: only a "Computing…" one)."""
        bar = self.statusBar()
        if text:
            bar.showMessage(text, timeout)
        elif timeout >= 0 or bar.currentMessage().startswith("Computing the funnel"):
            bar.clearMessage()

    def show_refusal(self, message: str) -> None:
        """Say why something was not done: in the status bar and in a warning."""
        self.statusBar().showMessage(message, 8000)
        QMessageBox.warning(self, "JourneyDesk", message)

    def _refresh_navigator(self) -> None:
        self.map_editor.set_placeholder(
            "Double-click a map in the Workspace panel to open it."
            if self.document.workspace.maps else PLACEHOLDER)
        self.navigator.refresh(self.map_editor.map_id)

    def _update_title(self) -> None:
        m = self.current_map()
        title = f"{self.session.path.name} — JourneyDesk"
        if m is not None:
            title = f"{m.name} · {title}"
        if self.document.read_only:
            title += " [read-only]"
            self.statusBar().showMessage("This workspace is read-only: changes cannot be saved.")
        self.setWindowTitle(title)

    def update_actions(self) -> None:
        """Enable each command by its declared rule and the window's state."""
        has_map = self.scene is not None
        state = {declared.ALWAYS: True, declared.HAS_MAP: has_map,
                 declared.WRITABLE: not self.document.read_only,
                 declared.HAS_CARDS: has_map and bool(self.map_editor.selected_card_ids())}
        state[declared.MAP_WRITABLE] = has_map and state[declared.WRITABLE]
        state[declared.CARDS_WRITABLE] = state[declared.HAS_CARDS] and state[declared.WRITABLE]
        state.update(self.workshop.action_states(state[declared.MAP_WRITABLE]))
        for action_id, rule in self._rules.items():
            if rule != declared.ALWAYS:
                getattr(self, f"act_{action_id}").setEnabled(state[rule])

    # ------------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        settings = QSettings()
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
        recent = _recent(settings)
        if self.remember_settings:
            recent = [str(self.session.path), *[p for p in recent
                                                if p != str(self.session.path)]][:MAX_RECENT]
            settings.setValue("files/recent", recent)
        self.recent_menu.clear()
        for entry in recent:
            self.recent_menu.addAction(entry, lambda p=entry: self.open_workspace(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    def quit_asking(self) -> None:
        """File > Quit: close the window, after asking when a workshop session is running
        (a stray Ctrl+Q would end the room's session)."""
        if self._may_end_session():
            self._asked_to_quit = True
            self.close()

    def _may_end_session(self) -> bool:
        """True when no session runs, or the facilitator agrees to end it."""
        controller = self.workshop.controller
        if not controller.active:
            return True
        people = controller.participant_count()
        joined = f"{people} {'person has' if people == 1 else 'people have'} joined"
        box = QMessageBox(QMessageBox.Icon.Question, "End the workshop session?",
                          f"A workshop session is running ({joined}). Quitting ends it: the "
                          "phones are told, and every note received so far is kept.",
                          QMessageBox.StandardButton.Cancel, self)
        end = box.addButton("End session and quit", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter or Esc: stay
        box.exec()
        return box.clickedButton() is end

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        asked, self._asked_to_quit = self._asked_to_quit, False
        if event.spontaneous() and not asked and not self._may_end_session():
            event.ignore()  # the window's close button during a session: the answer was no
            return
        self.map_editor.finish_editing()
        if self.remember_settings:
            settings = QSettings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
            settings.setValue("view/theme", self.theme.name)
            settings.setValue("view/minimap", self.act_minimap.isChecked())
        self.map_editor.close_map()
        self.inspector.close_editor()
        self.gallery.close_gallery()
        self.data.close()
        self.workshop.close()  # the session's server is stopped and joined
        for dialog in list(self.persona_editors.values()):
            dialog.close()
        self._stop_following()
        self.session.close()
        super().closeEvent(event)


def first_size(wanted: tuple[int, int] = (1400, 860)) -> tuple[int, int]:
    """The window's size at its first start: ``wanted``, within the screen's free area."""
    size = fitted(*wanted)
    return size.width(), size.height()


def _recent(settings: QSettings) -> list[str]:
    """The recent-files list (QSettings hands back a lone entry as a plain string)."""
    raw = settings.value("files/recent", [])
    if isinstance(raw, str):
        return [raw]
    return [str(p) for p in raw or []]
