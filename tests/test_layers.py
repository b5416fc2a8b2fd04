"""Layering that the import-linter contracts cannot see: lazy imports at run time."""

from __future__ import annotations

import subprocess
import sys

NON_GUI = [
    "journeydesk", "journeydesk.domain", "journeydesk.domain.commands",
    "journeydesk.store.workspace_file", "journeydesk.store.document", "journeydesk.exchange",
    "journeydesk.exchange.json_map", "journeydesk.analytics", "journeydesk.cli",
]


def test_non_gui_code_and_the_cli_load_no_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {NON_GUI!r}:\n"
        "    importlib.import_module(name)\n"
        "from journeydesk.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_domain_loads_without_sqlalchemy() -> None:
    code = (
        "import sys, journeydesk.domain.commands\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'openpyxl', 'duckdb'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
