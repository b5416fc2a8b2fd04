"""GUI test set-up: QSettings go to a temporary folder, never the user's real settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from journeydesk.gui.canvas.clipboard import release_clipboard


@pytest.fixture(autouse=True)
def _release_clipboard(qapp):  # noqa: ANN001, ANN201
    """Tests that copy leave a Python QMimeData on the clipboard: hand it back afterwards."""
    yield
    release_clipboard()


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder: Path = tmp_path_factory.mktemp("settings")
    qapp.setOrganizationName("JourneyDesk")
    qapp.setApplicationName("JourneyDesk")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
