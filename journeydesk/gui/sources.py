"""Database sources in the app: one live connection per source, its password asked once.

:class:`SourceSessions` hands the overlay and the charts the event data behind a name: a
dataset's Parquet bytes, or a :class:`~journeydesk.analytics.warehouse.Warehouse` kept for the
session (its pool is reused; it connects on the worker thread at first use).  The password
lives only in that object's memory: it comes from the source's environment variable, or from
:meth:`SourceSessions.ask_password` when the server refuses, and is never written anywhere.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from journeydesk.store.workspace_file import WorkspaceFile


class SourceSessions(QObject):
    """The live database sources of one window (closed with it)."""

    def __init__(self, ws_file: WorkspaceFile, parent: QObject | None = None):
        super().__init__(parent)
        self.ws_file = ws_file
        self._open: dict[str, Any] = {}  # name -> Warehouse
        self._passwords: dict[str, str] = {}  # name -> password, this session only

    def set_password(self, name: str, password: str | None) -> None:
        """Use ``password`` for source ``name`` from now on (None: forget it)."""
        if password:
            self._passwords[name] = password
        else:
            self._passwords.pop(name, None)
        warehouse = self._open.get(name)
        if warehouse is not None:
            warehouse.reconnect(password)

    def is_source(self, name: str) -> bool:
        """Whether ``name`` is a database source (not an imported dataset)."""
        from journeydesk.store.sources import find_source

        try:
            return find_source(self.ws_file, name) is not None
        except Exception:  # an older file without sources: not one  # noqa: BLE001
            return False

    def data(self, name: str) -> Any:
        """The event data named ``name`` without blocking: Parquet bytes, or for a source a
        new view of this session's Warehouse (one per job, so that the job can be cancelled
        on its own; it connects when first queried, on the worker thread)."""
        from journeydesk.data_access import table_source
        from journeydesk.store.datasets import dataset_parquet
        from journeydesk.store.sources import find_source

        info = find_source(self.ws_file, name)
        if info is None:
            self.forget(name)
            return dataset_parquet(self.ws_file, name)
        warehouse = self._open.get(name)
        spec = table_source(info)
        if warehouse is None or warehouse.source != spec:
            from journeydesk.analytics.warehouse import Warehouse

            password = self._passwords.get(name)
            self.forget(name)
            if password is None and info.password_env:
                password = os.environ.get(info.password_env) or None
            warehouse = Warehouse(spec, password=password, name=name)
            self._open[name] = warehouse
        return warehouse.view()

    def ask_password(self, name: str, reason: str, parent: QWidget | None = None) -> bool:
        """Ask for a source's password after the server refused; True when one was given
        (the caller then tries again)."""
        warehouse = self._open.get(name)
        if warehouse is None:
            return False
        hint = (f"\n(It can also be read from the environment variable "
                f"{warehouse.source.password_env}.)" if warehouse.source.password_env else "")
        password, ok = QInputDialog.getText(
            parent, "Database password",
            f"{reason}\n\nPassword for {warehouse.source.display_url()} — kept only until "
            f"JourneyDesk closes, never saved:{hint}",
            QLineEdit.EchoMode.Password)
        if not ok or not password:
            return False
        self.set_password(name, password)
        return True

    def cancel(self, name: str | None = None) -> None:
        """Cancel the jobs running on one source (every source when None)."""
        for key, warehouse in list(self._open.items()):
            if name is None or key == name:
                warehouse.cancel_views()

    def forget(self, name: str) -> None:
        """Close a source's connections (its password is kept for the session)."""
        warehouse = self._open.pop(name, None)
        if warehouse is not None:
            warehouse.close()

    def close(self) -> None:
        """Close every connection (the window is closing)."""
        for name in list(self._open):
            self.forget(name)
        self._passwords.clear()
