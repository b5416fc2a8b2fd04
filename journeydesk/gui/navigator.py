"""The Workspace panel: the maps, personas and event data of the open workspace.

A map due for review or whose data has gone stale (:mod:`journeydesk.app.review`) has a warning
icon, and its tool tip says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QMenu, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from journeydesk.app.event_data import DataChoice
from journeydesk.app.review import ReviewStatus
from journeydesk.app.session import WorkspaceError
from journeydesk.domain.model import Workspace


class NavigatorWidget(QTreeWidget):
    """A tree of Maps, Personas and Datasets; activating an entry opens it."""

    map_activated = Signal(str)
    persona_activated = Signal(str)
    data_activated = Signal(str)  # a dataset's or database source's name
    rename_dataset_requested = Signal(str)
    delete_dataset_requested = Signal(str)
    remove_source_requested = Signal(str)

    def __init__(self, workspace: Callable[[], Workspace],
                 data: Callable[[], list[DataChoice]], parent: QWidget | None = None, *,
                 reviews: Callable[[], dict[str, ReviewStatus]] | None = None):
        super().__init__(parent)
        self._workspace = workspace
        self._data = data
        self._reviews = reviews  # map id -> review status (None: no marks)
        self.read_only = False
        self.setObjectName("navigator")
        self.setHeaderHidden(True)
        self.setAccessibleName("Workspace navigator")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.itemActivated.connect(self._on_item_activated)
        self.customContextMenuRequested.connect(self._on_context_menu)

    def refresh(self, current_map: str | None = None) -> None:
        """List the workspace's content again (``current_map`` selected)."""
        ws = self._workspace()
        self.clear()
        maps = QTreeWidgetItem(self, ["Maps"])
        try:
            reviews = self._reviews() if self._reviews is not None else {}
        except WorkspaceError:  # the file busy for a moment: no marks until the next refresh
            reviews = {}
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for m in sorted(ws.maps.values(), key=lambda m: m.name.casefold()):
            item = QTreeWidgetItem(maps, [m.name])
            tip = f"{len(m.stages)} stages, {len(m.cards)} cards"
            if m.owner:
                tip += f"\nOwner: {m.owner}"
            review = reviews.get(m.id)
            if review is not None and review.needs_attention:
                item.setIcon(0, warning)
                tip += f"\n{review.state.capitalize()}: {review.explanation}"
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                             f"{m.name} ({review.state})")
            item.setToolTip(0, tip)
            item.setData(0, Qt.ItemDataRole.UserRole, ("map", m.id))
        personas = QTreeWidgetItem(self, ["Personas"])
        for p in sorted(ws.personas.values(), key=lambda p: p.name.casefold()):
            QTreeWidgetItem(personas, [p.name]).setData(0, Qt.ItemDataRole.UserRole,
                                                        ("persona", p.id))
        datasets = QTreeWidgetItem(self, ["Datasets"])
        datasets.setToolTip(0, "Imported event logs, and tables in a database (network-drive "
                               "icon)")
        database_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
        for choice in self._data():
            database = choice.kind == "database"
            item = QTreeWidgetItem(datasets, [choice.name])
            item.setToolTip(0, choice.description + (" (database)" if database else ""))
            if database:
                item.setIcon(0, database_icon)
            item.setData(0, Qt.ItemDataRole.UserRole,
                         ("source" if database else "dataset", choice.name))
        self.expandAll()
        if current_map is not None:
            self.select_map(current_map)

    def select_map(self, map_id: str) -> None:
        """Mark the map on show."""
        maps = self.topLevelItem(0)
        if maps is None:
            return
        for i in range(maps.childCount()):
            child = maps.child(i)
            if child.data(0, Qt.ItemDataRole.UserRole) == ("map", map_id):
                self.setCurrentItem(child)

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if not data:
            return
        kind, key = data
        if kind == "map":
            self.map_activated.emit(key)
        elif kind == "persona":
            self.persona_activated.emit(key)
        else:
            self.data_activated.emit(key)

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if not data or data[0] not in ("dataset", "source") or self.read_only:
            return
        name = data[1]
        menu = QMenu(self)
        if data[0] == "dataset":
            menu.addAction("Rename dataset…", lambda: self.rename_dataset_requested.emit(name))
            menu.addAction("Delete dataset…", lambda: self.delete_dataset_requested.emit(name))
        else:
            menu.addAction("Remove database source…",
                           lambda: self.remove_source_requested.emit(name))
        menu.exec(self.viewport().mapToGlobal(pos))
