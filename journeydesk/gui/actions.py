"""The window's commands, declared once: id, text, keys, handler, when enabled.

The main window builds its QActions, menus and toolbar from these declarations
(:func:`build_actions`), so a command's text, shortcut and enabling rule live in one place and
the keyboard-shortcut sheet (Help > Keyboard shortcuts) reads them from the menus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Keys = str | QKeySequence.StandardKey | Sequence[str | QKeySequence.StandardKey] | None

# When a command can be used, as the window's state says (see MainWindow.update_actions).
ALWAYS, HAS_MAP, WRITABLE, MAP_WRITABLE, HAS_CARDS, CARDS_WRITABLE = (
    "always", "map", "writable", "map+writable", "cards", "cards+writable")
# A workshop session runs; one runs and no vote is open; a vote round is open; its results
# are hidden.
SESSION, NO_SESSION, VOTE_OPEN, VOTE_HIDDEN = ("session", "no session", "vote open",
                                               "vote hidden")


@dataclass(frozen=True)
class ActionSpec:
    """One command of the window."""

    id: str  # the window attribute: act_<id>
    text: str  # with an access key (&)
    handler: str  # the window method (or "part.method") it calls
    keys: Keys = None
    tip: str = ""
    enabled: str = ALWAYS
    checkable: bool = False


_STD = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("new_workspace", "&New workspace…", "new_workspace"),
    ActionSpec("open", "&Open workspace…", "open_workspace", _STD.Open),
    ActionSpec("save_copy", "Save a &copy…", "save_copy", "Ctrl+Shift+S"),
    ActionSpec("import", "&Import map…", "import_map", "Ctrl+I", enabled=WRITABLE),
    ActionSpec("import_over", "Import o&ver this map…", "maps.import_over_map",
               tip="Replace the map's content with a map file's (a version is saved first; "
               "Ctrl+Z undoes it)", enabled=MAP_WRITABLE),
    ActionSpec("import_events", "Import &events…", "data.import_event_log", "Ctrl+Shift+I",
               tip="Import an event log (CSV, Parquet, JSON lines, Excel)", enabled=WRITABLE),
    ActionSpec("add_source", "Add &database source…", "data.add_database_source",
               tip="Compute the numbers in PostgreSQL or a warehouse", enabled=WRITABLE),
    ActionSpec("export", "E&xport map…", "export_map", "Ctrl+E", enabled=HAS_MAP),
    ActionSpec("print", "&Print…", "print_map", _STD.Print, enabled=HAS_MAP),
    ActionSpec("quit", "&Quit", "quit_asking", _STD.Quit),
    # Edit (Undo and Redo come from the undo group)
    ActionSpec("cut", "Cu&t", "map_editor.cut", _STD.Cut, enabled=CARDS_WRITABLE),
    ActionSpec("copy", "&Copy", "map_editor.copy", _STD.Copy, enabled=HAS_CARDS),
    ActionSpec("paste", "&Paste", "map_editor.paste", _STD.Paste, enabled=MAP_WRITABLE),
    ActionSpec("duplicate", "Dup&licate", "map_editor.duplicate", "Ctrl+D",
               enabled=CARDS_WRITABLE),
    ActionSpec("delete", "&Delete", "map_editor.delete", _STD.Delete, enabled=MAP_WRITABLE),
    ActionSpec("select_all", "Select &all", "map_editor.select_all", _STD.SelectAll,
               enabled=HAS_MAP),
    ActionSpec("find", "&Find…", "map_editor.start_find", _STD.Find, enabled=HAS_MAP),
    ActionSpec("author_name", "Your &name…", "comments.ask_author_name",
               tip="The name your comments and saved versions are signed with"),
    # View
    ActionSpec("zoom_in", "Zoom &in", "view.zoom_in", ("Ctrl++", "Ctrl+="), enabled=HAS_MAP),
    ActionSpec("zoom_out", "Zoom &out", "view.zoom_out", "Ctrl+-", enabled=HAS_MAP),
    ActionSpec("zoom_fit", "&Fit to window", "view.fit", "Ctrl+9", enabled=HAS_MAP),
    ActionSpec("zoom_reset", "&100 %", "view.zoom_reset", "Ctrl+0", tip="Actual size",
               enabled=HAS_MAP),
    ActionSpec("present", "Pre&sent", "toggle_presentation", "F5",
               tip="Full screen, the map only (F5 or Esc to come back)", checkable=True),
    ActionSpec("minimap", "&Minimap", "toggle_minimap", "Ctrl+M", checkable=True),
    ActionSpec("dark", "Dar&k theme", "toggle_theme", "Ctrl+Shift+D", checkable=True),
    ActionSpec("overlay", "Data o&verlay", "data.toggle_overlay", "Ctrl+Shift+O",
               tip="Show a dataset's funnel numbers on the map", checkable=True),
    ActionSpec("flows", "F&lows between stages", "data.flows.toggle", "Ctrl+Shift+F",
               tip="Arcs between the stages: how many people moved forward, skipped ahead "
               "or went back (turns the data overlay on)", enabled=HAS_MAP, checkable=True),
    ActionSpec("highlight_assumptions", "Hi&ghlight assumptions", "evidence.toggle_highlight",
               "Ctrl+Shift+H", tip="Dim the cards backed by research or data, so the "
               "assumptions stand out", enabled=HAS_MAP, checkable=True),
    ActionSpec("stop", "Stop &computing", "data.stop_computing", "Ctrl+.",
               tip="Cancel the query running in a database source"),
    ActionSpec("overlay_dates", "Overlay perio&d and window…", "data.ask_overlay_dates",
               tip="Which users enter the funnel, and how long they have to go through it"),
    ActionSpec("snapshot", "Save numbers as a s&napshot", "data.save_snapshot"),
    # Map
    ActionSpec("new_map", "&New map…", "new_map", "Ctrl+N", enabled=WRITABLE),
    ActionSpec("new_from_template", "New from &template…", "new_map_from_template",
               "Ctrl+Shift+N", enabled=WRITABLE),
    ActionSpec("duplicate_map", "D&uplicate map", "duplicate_map", enabled=MAP_WRITABLE),
    ActionSpec("rename_map", "&Rename map…", "rename_map", enabled=MAP_WRITABLE),
    ActionSpec("delete_map", "&Delete map", "delete_map", enabled=MAP_WRITABLE),
    ActionSpec("add_stage", "Add &stage", "map_editor.add_stage", "Ctrl+Shift+T",
               enabled=MAP_WRITABLE),
    ActionSpec("add_lane", "Add &lane", "map_editor.add_lane", "Ctrl+Shift+L",
               enabled=MAP_WRITABLE),
    ActionSpec("add_card", "Add &card", "map_editor.add_card", "Ctrl+Shift+C",
               enabled=MAP_WRITABLE),
    ActionSpec("compare", "Co&mpare personas…", "compare_personas", "Ctrl+Shift+P",
               enabled=HAS_MAP),
    ActionSpec("save_version", "Sav&e version…", "versions.save_version", "Ctrl+Alt+S",
               tip="Keep the map as it is now under a label, to compare or restore later",
               enabled=MAP_WRITABLE),
    ActionSpec("versions", "Vers&ions…", "versions.show_versions", "Ctrl+Alt+V",
               tip="The map's saved versions: compare them, or restore one", enabled=HAS_MAP),
    ActionSpec("portfolio", "Opportunity p&ortfolio…", "show_portfolio", "Ctrl+Alt+P",
               tip="Every map's opportunities: value, effort, status, owner; a value-vs-effort "
               "matrix"),
    # Workshop
    ActionSpec("workshop_start", "&Start session…", "workshop.ask_start",
               tip="Let the room add notes, photos and votes from their phones (local network "
               "only)", enabled=NO_SESSION),
    ActionSpec("workshop_end", "&End session", "workshop.end",
               tip="Stop the session: the page closes, nothing listens any more",
               enabled=SESSION),
    ActionSpec("workshop_qr", "&QR code on the projector", "workshop.show_qr",
               tip="Present, with the session's QR code full size (Q: full, hidden, corner)",
               enabled=SESSION),
    ActionSpec("workshop_private", "&Private mode", "workshop.toggle_private",
               tip="Keep incoming notes off the map and the projector until revealed",
               checkable=True),
    ActionSpec("workshop_reveal", "Re&veal notes", "workshop.reveal_notes",
               tip="Private mode ends: the notes in the inbox go onto the map",
               enabled=WRITABLE),
    ActionSpec("workshop_accept_all", "&Accept all notes", "workshop.accept_all",
               tip="Every note of the inbox onto the map (one undo step)", enabled=WRITABLE),
    ActionSpec("workshop_vote", "Start v&ote…", "workshop.ask_vote", enabled=SESSION),
    ActionSpec("workshop_laptop_votes", "Add votes at the &laptop…",
               "workshop.ask_laptop_votes", tip="Enter dots counted in the room",
               enabled=VOTE_OPEN),
    ActionSpec("workshop_reveal_vote", "&Reveal vote results", "workshop.reveal_vote",
               enabled=VOTE_HIDDEN),
    ActionSpec("workshop_end_vote", "E&nd vote", "workshop.end_vote", enabled=VOTE_OPEN),
    ActionSpec("workshop_timer", "Start or pause the &timer", "workshop.toggle_timer",
               "Ctrl+Shift+Space", enabled=SESSION),
    ActionSpec("workshop_minute", "Timer +&1 min", "workshop.add_minute", enabled=SESSION),
    ActionSpec("workshop_export", "E&xport session…", "workshop.export_session",
               tip="What a session produced, as an Excel workbook or a PDF report"),
    # Help
    ActionSpec("guide", "&User guide", "show_user_guide", _STD.HelpContents),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "show_shortcuts"),
    ActionSpec("about", "&About JourneyDesk", "show_about"),
)

# The menus: action ids, "-" for a separator, ("submenu", attribute, title) for a menu filled
# when it opens, ("dock", attribute) for a dock's show/hide action, ("undo"/"redo").
MENUS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("&File", ("new_workspace", "open", ("submenu", "recent_menu", "Open &recent"),
               "save_copy", "-", "import", "import_over", "import_events", "add_source",
               "export", "print",
               "-", "quit")),
    ("&Edit", (("undo",), ("redo",), "-", "cut", "copy", "paste", "duplicate", "delete",
               "select_all", "-", "find", ("dock", "history_dock"), "-", "author_name")),
    ("&View", ("zoom_in", "zoom_out", "zoom_fit", "zoom_reset", "present", "-", "minimap",
               "dark", "highlight_assumptions", "overlay", "flows", "stop",
               ("submenu", "segment_menu", "Overlay s&egment"),
               "overlay_dates", "snapshot",
               ("submenu", "snapshot_menu", "Compare with snapsho&t"), "-",
               ("dock", "navigator_dock"), ("dock", "gallery_dock"),
               ("dock", "inspector_dock"), ("dock", "analytics_dock"),
               ("dock", "comments_dock"))),
    ("&Map", ("new_map", "new_from_template", "duplicate_map", "rename_map", "delete_map",
              "-", "add_stage", "add_lane", "add_card", "-",
              ("submenu", "personas_menu", "&Personas on this map"),
              ("submenu", "curves_menu", "Show cur&ves"), "compare", "-", "save_version",
              "versions", "-", "portfolio")),
    ("&Workshop", ("workshop_start", "workshop_end", "workshop_qr", "-", "workshop_private",
                  "workshop_reveal", "workshop_accept_all", "-", "workshop_vote",
                  "workshop_laptop_votes", "workshop_reveal_vote", "workshop_end_vote", "-",
                  "workshop_timer", "workshop_minute", "-", "workshop_export", "-",
                  ("dock", "session_dock"), ("dock", "inbox_dock"))),
    ("&Help", ("guide", "shortcuts", "about")),
)


def resolve(owner: object, path: str) -> Callable[[], Any]:
    """The callable at ``path`` ("method" or "part.method") from ``owner``, looked up when
    called (a part may be replaced, e.g. the view)."""
    def call() -> Any:
        target: Any = owner
        for name in path.split("."):
            target = getattr(target, name)
        return target()

    return call


def make_action(parent: QWidget, text: str, slot: Callable[[], Any], keys: Keys = None, *,
                tip: str = "", checkable: bool = False) -> QAction:
    """A QAction calling ``slot()`` (without the checked flag) on every trigger."""
    action = QAction(text, parent)
    if keys is not None:
        if isinstance(keys, (list, tuple)):
            action.setShortcuts([QKeySequence(k) for k in keys])
        else:
            action.setShortcut(QKeySequence(keys))
    if tip:
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_actions(owner: QWidget, specs: Sequence[ActionSpec] = ACTIONS) -> dict[str, QAction]:
    """One QAction per spec, set on ``owner`` as ``act_<id>``; returns them by id."""
    actions: dict[str, QAction] = {}
    for spec in specs:
        action = make_action(owner, spec.text, resolve(owner, spec.handler), spec.keys,
                             tip=spec.tip, checkable=spec.checkable)
        action.setObjectName(f"act_{spec.id}")
        setattr(owner, f"act_{spec.id}", action)
        actions[spec.id] = action
    return actions


def enabling_rules(specs: Sequence[ActionSpec] = ACTIONS) -> dict[str, str]:
    """Each action id's rule (one of the constants above)."""
    return {spec.id: spec.enabled for spec in specs}


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, and Ctrl+Shift+Z and Ctrl+Y everywhere, each once: a key
    listed twice on one action is "ambiguous" to Qt and does nothing at all."""
    keys: list[QKeySequence] = []
    for key in (QKeySequence(_STD.Redo), QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")):
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys
