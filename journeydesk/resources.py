"""Where the files the app ships live: ``resources/``, ``ui/`` and ``docs/``.

From a source checkout they sit at the repository root, beside the ``journeydesk`` package.
In the PyInstaller bundle (build_installer.spec) they are copied into the bundle's data
folder, which PyInstaller names in ``sys._MEIPASS``.  Plain Python: no Qt here, so every
layer may ask.
"""

from __future__ import annotations

import sys
from pathlib import Path


def data_root() -> Path:
    """The folder holding ``resources/``, ``ui/`` and ``docs/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[1]


def resource_path(*parts: str) -> Path:
    """A path under ``resources/``, e.g. ``resource_path("templates", "blank.json")``."""
    return data_root().joinpath("resources", *parts)


def ui_path(name: str) -> Path:
    """A Qt Designer form under ``ui/``."""
    return data_root() / "ui" / name


def docs_path(*parts: str) -> Path:
    """The ``docs/`` folder, or a file in it (the user guide the Help menu shows)."""
    return data_root().joinpath("docs", *parts)


def app_icon_path() -> Path:
    """The app icon as a PNG (also shipped as .svg and .ico beside it)."""
    return resource_path("icons", "journeydesk.png")
