"""Where JourneyDesk keeps its files on this machine."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "JOURNEYDESK_DATA_DIR"


def data_dir() -> Path:
    """The user's JourneyDesk data folder (``$JOURNEYDESK_DATA_DIR`` overrides it)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("JourneyDesk", appauthor=False)


def default_workspace_path() -> Path:
    """The workspace opened when no file is named."""
    return data_dir() / "workspace.jdesk"
