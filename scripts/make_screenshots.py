"""Make the README's screenshots (offscreen): the map in both themes, personas, the editor.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    from PySide6.QtCore import QSettings

    from journeydesk.domain.commands import AddMapCommand, AddPersonaCommand
    from journeydesk.exchange.json_map import loads_map
    from journeydesk.exchange.json_persona import loads_persona
    from journeydesk.gui.app import application
    from journeydesk.gui.main_window import MainWindow
    from journeydesk.store.document import Document
    from journeydesk.store.workspace_file import WorkspaceFile

    app = application()
    settings_dir = tempfile.mkdtemp(prefix="journeydesk-shots-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    workspace = Path(settings_dir) / "screenshots.jdesk"
    document = Document(WorkspaceFile.open(workspace, create=True))
    for path in sorted((ROOT / "resources" / "personas").glob("*.json")):
        document.execute(AddPersonaCommand(loads_persona(path.read_text("utf-8"),
                                                         document.workspace)))
    template = ROOT / "resources" / "templates" / "membership-signup.json"
    journey, personas = loads_map(template.read_text("utf-8"), document.workspace)
    document.execute(AddMapCommand(journey, personas))

    window = MainWindow(document, remember_settings=False)
    window.resize(1600, 1000)
    window.show()
    window.open_map(journey.id)
    app.processEvents()
    window.view.fit()
    app.processEvents()
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / "map-light.png"))
    window.set_theme("dark")
    app.processEvents()
    window.grab().save(str(OUT / "map-dark.png"))
    window.set_theme("light")
    noor = document.workspace.persona_named("Noor Haddad")
    window.gallery.select(noor.id)
    dialog = window.edit_persona(noor.id)
    app.processEvents()
    dialog.grab().save(str(OUT / "persona-editor.png"))
    dialog.close()
    from journeydesk.gui.persona_page import render_persona_page

    render_persona_page(noor, document.workspace, OUT / "persona-sheet.png")
    window.close()
    document.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
