"""Asking for a file to write, so that a name typed without an extension still works."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

# Characters no file name may hold on one of the desktop systems, and control characters.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
# Device names Windows reserves whatever the extension ("con.pdf" cannot be created).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
             *(f"lpt{n}" for n in range(1, 10))}
_MAX_NAME_BYTES = 200  # under every file system's 255, with room for an extension


def ask_save_path(parent: QWidget | None, title: str, start: str, filters: str, *,
                  selected_filter: str = "") -> Path | None:
    """A path to save to, or None when cancelled.

    The format of an export follows the file's extension; a name typed without one of the
    offered extensions gets the extension of the file type chosen in the dialog (``journey``
    + "Excel workbook (*.xlsx)" is ``journey.xlsx``, and so is ``Checkout v1.2``), as native
    save dialogs do on every platform.  ``selected_filter`` is the file type chosen at first.
    """
    name, chosen = QFileDialog.getSaveFileName(parent, title, start, filters,
                                               selected_filter)
    if not name:
        return None
    return with_extension(Path(name), chosen or filters.split(";;", maxsplit=1)[0],
                          offered=filters)


def with_extension(path: Path, file_filter: str, *, offered: str = "") -> Path:
    """``path`` with the first extension of ``file_filter`` when it has none (or, given the
    ``offered`` filters, none of theirs)."""
    if path.suffix and (not offered or path.suffix.lower() in _extensions(offered)):
        return path
    found = _extensions(file_filter)
    return path.with_name(path.name + found[0]) if found else path


def filter_of(path: Path, filters: str) -> str:
    """The filter among ``filters`` (";;"-separated) that offers ``path``'s extension, or ""."""
    suffix = path.suffix.lower()
    return next((f for f in filters.split(";;") if suffix and suffix in _extensions(f)), "")


def _extensions(filters: str) -> list[str]:
    return [ext.lower() for ext in re.findall(r"\*(\.[A-Za-z0-9.]+)", filters)]


def safe_file_name(name: str, fallback: str = "journey map") -> str:
    """``name`` made fit to be a file name on every desktop system.

    Characters that a system forbids become "-", runs of white space one space; leading and
    trailing dots and spaces go (hidden files, Windows' silent trimming); a Windows device
    name gets a "_"; the name is cut to a length every file system takes.
    """
    cleaned = _UNSAFE.sub("-", " ".join(name.split())).strip(" .")
    if cleaned.split(".")[0].casefold() in _RESERVED:
        cleaned = f"{cleaned}_"
    cut = cleaned.encode("utf-8")[:_MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip(" .")
    return cut or fallback
