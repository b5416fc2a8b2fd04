"""Asking for a file to write, so that a name typed without an extension still works."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(parent: QWidget | None, title: str, start: str, filters: str) -> Path | None:
    """A path to save to, or None when cancelled.

    The format of an export follows the file's extension; a name typed without one gets the
    extension of the file type chosen in the dialog (``journey`` + "Excel workbook (*.xlsx)"
    is ``journey.xlsx``), as native save dialogs do on every platform.
    """
    name, chosen = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not name:
        return None
    return with_extension(Path(name), chosen or filters.split(";;", maxsplit=1)[0])


def with_extension(path: Path, file_filter: str) -> Path:
    """``path`` with the first extension of ``file_filter`` when it has none."""
    if path.suffix:
        return path
    match = re.search(r"\*(\.[A-Za-z0-9.]+)", file_filter)
    return path.with_name(path.name + match.group(1)) if match else path
