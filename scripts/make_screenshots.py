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

    _overlay_screenshot(app, document, journey.id, Path(settings_dir))
    window.close()
    document.close()
    print(f"screenshots written to {OUT}")
    return 0


def _overlay_screenshot(app, document, map_id: str, folder: Path) -> None:  # noqa: ANN001
    """The map with a generated event log's numbers on it and the analytics dock open."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from journeydesk.analytics.events import load_events
    from journeydesk.app.demo import DATASET, demo_event_log
    from journeydesk.gui.main_window import MainWindow
    from journeydesk.store.datasets import add_dataset

    log = folder / "membership-events.csv"
    log.write_text(demo_event_log(), encoding="utf-8")
    loaded = load_events(log)
    add_dataset(document.file, DATASET, loaded.parquet, source=log.name,
                row_count=loaded.row_count)
    window = MainWindow(document, remember_settings=False)
    window.resize(1600, 1300)
    window.show()
    window.open_map(map_id)
    loop = QEventLoop()
    window.data_overlay.ready.connect(lambda *_: loop.quit())
    QTimer.singleShot(20_000, loop.quit)
    window.show_overlay(DATASET)
    loop.exec()
    window.act_analytics.trigger()

    def settle(rounds: int) -> None:
        for _ in range(rounds):
            app.processEvents()
            QTimer.singleShot(100, loop.quit)
            loop.exec()

    settle(10)
    window.resizeDocks([window.analytics_dock], [440], Qt.Orientation.Vertical)
    settle(3)
    window.view.fit()
    settle(10)
    window.grab().save(str(OUT / "data-overlay.png"))
    window.close()


if __name__ == "__main__":
    sys.exit(main())
