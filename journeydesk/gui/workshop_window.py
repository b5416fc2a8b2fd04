"""The Workshop menu's part of the main window: the Session and Inbox docks, the dialogs, the
projector's view of the session, and exporting what a session produced.

The window creates one :class:`WorkshopUi`; the commands (Workshop > Start session…, End
session, Private mode, Start vote…, …) are declared in :mod:`.actions` and call it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journeydesk.gui.file_dialogs import ask_save_path, safe_file_name
from journeydesk.gui.workshop import WorkshopController
from journeydesk.gui.workshop_inbox import InboxPanel
from journeydesk.gui.workshop_panel import SessionPanel
from journeydesk.gui.workshop_present import WorkshopProjection
from journeydesk.gui.workshop_votes import DotBadges, LaptopVotesDialog, StartVoteDialog

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.main_window import MainWindow

EXPORT_FILTERS = "Excel workbook (*.xlsx);;PDF document (*.pdf)"
LOOPBACK = "127.0.0.1"


def is_loopback(address: str) -> bool:
    """Whether ``address`` is only reachable from this computer."""
    return address.startswith("127.") or address == "::1"


class StartSessionDialog(QDialog):
    """Workshop > Start session…: the network the phones reach the laptop on, and a port."""

    def __init__(self, addresses: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Start a workshop session")
        self.setObjectName("startSessionDialog")
        column = QVBoxLayout(self)
        intro = QLabel("The people in the room open a page served by this laptop, on the "
                       "network you choose here: no internet, no accounts. Nothing listens "
                       "once the session ends.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.network = QComboBox()
        self.network.setObjectName("sessionNetwork")
        self.network.setAccessibleName("Network interface")
        for name, address in addresses:
            note = " (this computer only)" if is_loopback(address) else ""
            self.network.addItem(f"{name} — {address}{note}", address)
        chosen = next((i for i, (_, a) in enumerate(addresses) if not is_loopback(a)), 0)
        self.network.setCurrentIndex(chosen)
        form.addRow("Network:", self.network)
        self.port = QSpinBox()
        self.port.setObjectName("sessionPort")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setAccessibleName("Port")
        form.addRow("Port:", self.port)
        column.addLayout(form)
        self.warning = QLabel("Only this computer can reach a loopback address: the phones "
                              "need the Wi-Fi or Ethernet network.")
        self.warning.setWordWrap(True)
        self.warning.setObjectName("hint")
        column.addWidget(self.warning)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start session")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.network.currentIndexChanged.connect(self._update)
        self._update()

    def choose(self, address: str) -> None:
        """Pick the interface with ``address``."""
        index = self.network.findData(address)
        if index >= 0:
            self.network.setCurrentIndex(index)

    def host(self) -> str:
        """The chosen address."""
        return str(self.network.currentData() or LOOPBACK)

    def _update(self, *_: object) -> None:
        self.warning.setVisible(is_loopback(self.host()))


def addresses() -> list[tuple[str, str]]:
    """The computer's IPv4 interfaces (loopback last, always there)."""
    from journeydesk.app.workshop.server import network_addresses

    found = list(network_addresses())
    if not any(address == LOOPBACK for _, address in found):
        found.append(("loopback", LOOPBACK))
    return sorted(found, key=lambda row: is_loopback(row[1]))


class WorkshopUi:
    """A main window's workshop: the controller, its docks and dialogs, on the projector."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.controller = WorkshopController(window)
        self.panel = SessionPanel(self.controller)
        self.inbox = InboxPanel(self.controller, window.editor,
                                window.map_editor.selected_card_ids)
        self.session_dock = self._dock("Session", "sessionDock", self.panel)
        self.inbox_dock = self._dock("Inbox", "inboxDock", self.inbox)
        # beside the inspector, as tabs: the whole height of the window, even at 1280x720
        window.tabifyDockWidget(window.inspector_dock, self.session_dock)
        window.tabifyDockWidget(self.session_dock, self.inbox_dock)
        self.session_dock.hide()
        self.inbox_dock.hide()
        self.session_dock.toggleViewAction().setText("Sess&ion panel")
        self.inbox_dock.toggleViewAction().setText("In&box")
        self.projection: WorkshopProjection | None = None  # made with the window's actions
        self.badges = DotBadges(lambda: window.scene)
        self.start_dialog: StartSessionDialog | None = None
        self.vote_dialog: StartVoteDialog | None = None
        self.votes_dialog: LaptopVotesDialog | None = None
        self.last_workshop_id: str | None = None
        self._flash_left = 0
        self._flash_timer = QTimer(window)
        self._flash_timer.setInterval(250)
        self._flash_timer.timeout.connect(self._flash_panel)

    def _open(self, dialog: QDialog) -> None:
        """Show ``dialog`` window-modal; the keys come back to the window when it closes
        (Ctrl+Z at once, with or without a window manager)."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.window.activateWindow())
        dialog.open()

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def connect_signals(self) -> None:
        """Wiring to the window's parts (once its actions exist)."""
        c, w = self.controller, self.window
        self.projection = WorkshopProjection(w, c)
        c.session_changed.connect(self._on_session_changed)
        c.failed.connect(w.show_refusal)
        c.trouble.connect(lambda text: w.show_status(text, 8000))
        c.private_changed.connect(self._on_private_changed)
        c.vote_changed.connect(self._show_dots)
        c.timer_ended.connect(self._on_timer_ended)
        c.counts_changed.connect(self._on_counts_changed)
        self.inbox.entries_changed.connect(lambda _count: self._on_counts_changed())
        self.panel.start_button.clicked.connect(self.ask_start)
        self.panel.end_button.clicked.connect(self.end)
        self.panel.vote_button.clicked.connect(self.ask_vote)
        self.panel.laptop_votes_button.clicked.connect(self.ask_laptop_votes)
        w.map_editor.map_changed.connect(self._on_map_changed)
        w.map_editor.selection_changed.connect(lambda _items: self.inbox._update())

    # ------------------------------------------------------------------ session
    def ask_start(self) -> StartSessionDialog | None:
        """Workshop > Start session…: ask for the network, then start (the dialog is
        window-modal and returns at once; the session starts when it is accepted)."""
        if self.controller.active:
            self.session_dock.show()
            self.session_dock.raise_()
            return None
        if self.window.current_map() is None:
            self.window.show_refusal("Open the map the workshop works on first.")
            return None
        dialog = StartSessionDialog(addresses(), self.window)
        dialog.accepted.connect(lambda: self.start(dialog.host(), dialog.port.value()))
        self.start_dialog = dialog
        self._open(dialog)
        return dialog

    def start(self, host: str, port: int = 0) -> str | None:
        """Start a session on the map on show; returns its URL."""
        url = self.controller.start(host, port)
        if url is not None:
            self.last_workshop_id = self.controller.record.id
        return url

    def end(self) -> None:
        """Workshop > End session."""
        self.controller.end()

    def close(self) -> None:
        """The window closes: the session ends (its server stopped and joined)."""
        self.controller.end()
        self._flash_timer.stop()

    def _on_session_changed(self, active: bool) -> None:
        w = self.window
        if active:
            self.inbox.clear()
            self.inbox.add_entries(self.controller.stored_entries(self.controller.map_id))
            if not w.presentation.active:
                self.session_dock.show()
                self.inbox_dock.show()
                self.session_dock.raise_()
            w.show_status(f"Workshop session open at {self.controller.url}", 10000)
        else:
            self.badges.clear()
            w.show_status("The workshop session ended: nothing listens any more.", 8000)
        w.act_workshop_private.setChecked(self.controller.private)
        w.update_actions()

    def _on_counts_changed(self) -> None:
        self.inbox_dock.setWindowTitle(f"Inbox ({len(self.inbox.entries)})"
                                       if self.inbox.entries else "Inbox")

    def _on_map_changed(self, map_id: str | None) -> None:
        if self.controller.active:
            self._show_dots()
            return
        self.inbox.clear()
        self.inbox.add_entries(self.controller.stored_entries(map_id))
        waiting = len(self.inbox.entries)
        if waiting and not self.inbox_dock.isVisible():  # left from a session: say so
            self.window.show_status(f"{waiting} workshop note{'s' if waiting != 1 else ''} "
                                    "wait in the Inbox (Workshop > Inbox)", 10000)

    def show_qr(self) -> None:
        """Workshop > QR code on the projector: present, with the QR code as a full slide
        (Q cycles it: full, hidden, corner)."""
        if not self.controller.active or self.projection is None:
            return
        if not self.window.presentation.active:
            self.window.presentation.start()
        self.projection.show_full()

    def present_key(self, key: int) -> bool:
        """A key on the canvas while presenting: Q for the session's QR code."""
        return self.projection is not None and self.projection.key(key)

    # ------------------------------------------------------------------ notes
    def toggle_private(self) -> None:
        """Workshop > Private mode."""
        self.controller.set_private(self.window.act_workshop_private.isChecked())

    def _on_private_changed(self, private: bool) -> None:
        self.window.act_workshop_private.setChecked(private)
        self.window.update_actions()

    def reveal_notes(self) -> bool:
        """Workshop > Reveal notes: private mode ends and the inbox goes onto the map."""
        return self.inbox.reveal()

    def accept_all(self) -> bool:
        """Workshop > Accept all notes."""
        return self.inbox.accept_all()

    # ------------------------------------------------------------------ votes
    def ask_vote(self) -> StartVoteDialog | None:
        """Workshop > Start vote…"""
        journey_map = self.controller.journey_map()
        if not self.controller.active or journey_map is None:
            return None
        selected = (self.window.map_editor.selected_card_ids()
                    if self.window.map_editor.map_id == journey_map.id else [])
        dialog = StartVoteDialog(journey_map, selected, self.window)
        dialog.accepted.connect(lambda: self.controller.start_vote(
            dialog.cards(), dialog.dots.value(), dialog.lane_ids()))
        self.vote_dialog = dialog
        self._open(dialog)
        return dialog

    def ask_laptop_votes(self) -> LaptopVotesDialog | None:
        """Workshop > Add votes at the laptop…"""
        room = self.controller.room
        vote_round = room.vote_round if room is not None else None
        if vote_round is None or not vote_round.open:
            return None
        dialog = LaptopVotesDialog(vote_round.cards, vote_round.votes.get(None, {}), self.window)
        dialog.accepted.connect(lambda: self.controller.cast_laptop_votes(dialog.dots()))
        self.votes_dialog = dialog
        self._open(dialog)
        return dialog

    def reveal_vote(self) -> None:
        """Workshop > Reveal results."""
        self.controller.reveal_vote()

    def end_vote(self) -> None:
        """Workshop > End vote."""
        self.controller.end_vote()

    def _show_dots(self) -> None:
        room = self.controller.room
        vote_round = room.vote_round if room is not None else None
        if vote_round is None or not vote_round.revealed:
            self.badges.clear()
        else:
            self.badges.show(vote_round.totals())
        self.window.update_actions()

    def document_changed(self) -> None:
        """The map changed: card items may be new, the dots go back on them (once the scene
        has made its items)."""
        if self.badges.totals:
            QTimer.singleShot(0, self.badges.refresh)

    def action_states(self, map_writable: bool) -> dict[str, bool]:
        """The workshop's enabling rules (see :mod:`.actions`)."""
        from journeydesk.gui import actions as declared

        room = self.controller.room
        vote_round = room.vote_round if room is not None else None
        return {declared.SESSION: room is not None,
                declared.NO_SESSION: room is None and map_writable,
                declared.VOTE_OPEN: vote_round is not None and vote_round.open,
                declared.VOTE_HIDDEN: vote_round is not None and not vote_round.revealed}

    # ------------------------------------------------------------------ timer
    def toggle_timer(self) -> None:
        """Workshop > Start or pause the timer."""
        self.panel.run_button.click()

    def add_minute(self) -> None:
        """Workshop > Timer +1 min."""
        self.controller.add_minute()

    def _on_timer_ended(self) -> None:
        from journeydesk.gui.workshop import beep

        beep()
        if self.projection is not None:
            self.projection.flash()
        self._flash_left = 12
        self._flash_timer.start()

    def _flash_panel(self) -> None:
        self._flash_left -= 1
        on = self._flash_left > 0 and self._flash_left % 2 == 1
        label = self.panel.time_label
        label.setStyleSheet("QLabel#sessionTime { font-size: 28px; font-weight: 600; "
                            + ("color: white; background: #d64545; border-radius: 8px; }"
                               if on else "}"))
        if self._flash_left <= 0:
            self._flash_timer.stop()

    # ------------------------------------------------------------------ after
    def export_session(self, path: Path | None = None,
                       workshop_id: str | None = None) -> Path | None:
        """Workshop > Export session…: the last session of this window (or the newest one
        in the workspace) as an Excel workbook or a PDF report."""
        from journeydesk.app.workshop.record import list_workshops

        session = self.window.session
        if workshop_id is None:
            workshop_id = self.last_workshop_id
        if workshop_id is None:
            kept = list_workshops(session)
            if not kept:
                self.window.show_refusal("This workspace holds no workshop session yet.")
                return None
            workshop_id = kept[0].id
        if path is None:
            name = safe_file_name(f"workshop {self.window.current_map().name}"
                                  if self.window.current_map() else "workshop")
            path = ask_save_path(self.window, "Export session", name, EXPORT_FILTERS)
            if path is None:
                return None
        try:
            if path.suffix.lower() == ".pdf":
                write_report_pdf(session, workshop_id, path)
            else:
                from journeydesk.app.workshop.record import workshop_report
                from journeydesk.app.workshop.report import export_report_excel

                export_report_excel(workshop_report(session, workshop_id), path)
        except (OSError, LookupError, ValueError) as exc:
            self.window.show_refusal(f"The session could not be exported: {exc}")
            return None
        self.window.show_status(f"Session exported to {path}", 8000)
        return path


def write_report_pdf(session: Any, workshop_id: str, path: Path) -> None:
    """The workshop's report as a PDF (A4)."""
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument

    from journeydesk.app.workshop.record import workshop_report
    from journeydesk.app.workshop.report import report_html

    report = workshop_report(session, workshop_id)
    document = QTextDocument()
    document.setHtml(report_html(report))
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle(f"Workshop: {report.map_name}")
    writer.setCreator("JourneyDesk")
    document.print_(writer)
    if not path.exists():
        raise OSError(f"{path}: could not be written")
