"""Shared set-up of the workshop GUI tests: a window on a sample map, a session started from
the menu on loopback, and "phones" that talk to the real server over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import JourneyMap
from journeydesk.gui.main_window import MainWindow
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


def open_window(qtbot, tmp_path: Path) -> tuple[MainWindow, Document, JourneyMap]:  # noqa: ANN001
    """A window showing a sample map of a fresh workspace."""
    document = Document(WorkspaceFile.open(tmp_path / "workshop.jdesk", create=True))
    journey_map, personas = sample_map()
    document.execute(AddMapCommand(journey_map, personas))
    window = MainWindow(document, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.open_map(journey_map.id)
    window.view.setFocus()
    return window, document, document.workspace.maps[journey_map.id]


def start_from_menu(qtbot, window: MainWindow) -> str:  # noqa: ANN001
    """Workshop > Start session…, loopback chosen, Start clicked: the session's URL."""
    window.act_workshop_start.trigger()
    dialog = window.workshop.start_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.choose("127.0.0.1")
    assert dialog.host() == "127.0.0.1"
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    controller = window.workshop.controller
    assert controller.active and controller.url
    return controller.url


class Phone:
    """A participant's phone: joins, sends notes, votes, reads the state (over HTTP)."""

    def __init__(self, url: str, name: str | None = None):
        self.url = url
        self.client = httpx.Client(timeout=10.0)
        answer = self.client.post(url + "join", json={"name": name})
        answer.raise_for_status()
        self.id = answer.json()["id"]

    def _headers(self) -> dict[str, str]:
        return {"X-Participant": self.id}

    def note(self, stage_id: str, kind: str, text: str) -> httpx.Response:
        """Send a note (the answer comes once the laptop stored it)."""
        return self.client.post(self.url + "note", headers=self._headers(), json={
            "id": uuid.uuid4().hex, "stage": stage_id, "kind": kind, "text": text})

    def state(self) -> dict:
        """What the phone shows."""
        answer = self.client.get(self.url + "state", headers=self._headers())
        answer.raise_for_status()
        return answer.json()

    def vote(self, dots: dict[str, int]) -> httpx.Response:
        """Give dots."""
        return self.client.post(self.url + "vote", headers=self._headers(),
                                json={"dots": dots})

    def close(self) -> None:
        """Hang up."""
        self.client.close()
