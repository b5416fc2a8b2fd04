"""A workshop session on the projector (View > Present while a session runs).

Over the presented map: the QR code and the address in a corner (Q shows them as a full slide,
Q again hides them, Q once more brings the corner back), the timer large in the top right
(flashing when time is up), and, unless private mode is on, the latest notes in the bottom
left.  Sized to be read from the back of a room on a 1280x720 projector.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from journeydesk.gui.presenting import TITLE_H
from journeydesk.gui.workshop_panel import clock, qr_pixmap

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.main_window import MainWindow
    from journeydesk.gui.workshop import InboxEntry, WorkshopController

CORNER, FULL, HIDDEN = "corner", "full", "hidden"
FEED_SIZE = 3
FLASH_MS = 250
FLASHES = 12  # 3 seconds of flashing
MARGIN = 16


class _Card(QFrame):
    """A white rounded box over the map."""

    def __init__(self, name: str, parent: QWidget):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"QFrame#{name} {{ background: white; border: 1px solid #c9cfda; "
                           f"border-radius: 14px; }} QLabel {{ color: #1f2430; "
                           f"background: transparent; border: none; }}")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(14, 12, 14, 12)
        self.column.setSpacing(6)


class WorkshopProjection:
    """The session's pieces over the presented map of one window."""

    CORNER_QR_PX = 210
    FULL_QR_FRACTION = 0.68  # of the view's height

    def __init__(self, window: MainWindow, controller: WorkshopController):
        self.window = window
        self.controller = controller
        self.mode = CORNER
        view = window.view
        self.join = _Card("presentJoin", view)
        self.join_title = QLabel()
        self.join_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.join_qr = QLabel()
        self.join_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.join_url = QLabel()
        self.join_url.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.join_url.setWordWrap(True)
        for label in (self.join_title, self.join_qr, self.join_url):
            self.join.column.addWidget(label)
        self.timer = QLabel(view)
        self.timer.setObjectName("presentTimer")
        self.timer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feed = _Card("presentFeed", view)
        self.feed_title = QLabel("Latest notes")
        self.feed_title.setStyleSheet("font-size: 14px; font-weight: 600; color: #5b6474;")
        self.feed.column.addWidget(self.feed_title)
        self.feed_labels = [QLabel() for _ in range(FEED_SIZE)]
        for label in self.feed_labels:
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.feed.column.addWidget(label)
        self.latest: list[InboxEntry] = []
        self._flashes = 0
        self._flash_on = False
        self._flash_timer = QTimer(window)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._flash)
        for widget in (self.join, self.timer, self.feed):
            widget.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        c, w = self.controller, self.window
        c.session_changed.connect(self.refresh)
        c.ticked.connect(self._show_timer)
        c.timer_ended.connect(self.flash)
        c.private_changed.connect(self.refresh)
        c.notes_arrived.connect(self._on_notes_arrived)
        w.act_present.toggled.connect(self.refresh)
        w.view.resized.connect(self.refresh)

    @property
    def presenting(self) -> bool:
        """Whether the session is on the projector."""
        return self.window.presentation.active and self.controller.active

    def key(self, key: int) -> bool:
        """Q while presenting a session: corner, full slide, hidden (True when taken)."""
        if not self.presenting or key != Qt.Key.Key_Q:
            return False
        self.mode = {CORNER: FULL, FULL: HIDDEN, HIDDEN: CORNER}[self.mode]
        self.refresh()
        return True

    def show_full(self) -> None:
        """The QR code as a full slide."""
        self.mode = FULL
        self.refresh()

    # ------------------------------------------------------------------ pieces
    def refresh(self, *_: object) -> None:
        """Show, hide and place every piece for the window's state."""
        if not self.presenting:
            for widget in (self.join, self.timer, self.feed):
                widget.hide()
            return
        self._show_join()
        self._show_timer()
        self._show_feed()

    def _show_join(self) -> None:
        view, url = self.window.view, self.controller.url or ""
        if self.mode == HIDDEN or not url:
            self.join.hide()
            return
        full = self.mode == FULL
        height = view.height() - TITLE_H
        qr_px = int(height * self.FULL_QR_FRACTION) if full else self.CORNER_QR_PX
        self.join_qr.setPixmap(qr_pixmap(url, qr_px))
        map_name = html.escape(self.controller.room.map_name if self.controller.room else "")
        if full:
            self.join_title.setText(f"<span style='font-size: 34px; font-weight: 700;'>Join the "
                                    f"workshop</span><br><span style='font-size: 22px;'>"
                                    f"{map_name}</span>")
            self.join_url.setText(f"<span style='font-size: 22px; font-family: monospace;'>"
                                  f"{html.escape(url)}</span>")
        else:
            self.join_title.setText("<span style='font-size: 20px; font-weight: 700;'>Scan to "
                                    "add notes</span>")
            self.join_url.setText(f"<span style='font-size: 14px; font-family: monospace;'>"
                                  f"{html.escape(url)}</span>")
        width = max(self.join_qr.pixmap().width() + 28, 300 if not full else 720)
        self.join_url.setFixedWidth(width - 28)
        self.join.adjustSize()
        self.join.resize(width, self.join.sizeHint().height())
        if full:
            self.join.move((view.width() - self.join.width()) // 2,
                           TITLE_H + max(0, (height - self.join.height()) // 2))
        else:
            self.join.move(view.width() - self.join.width() - MARGIN,
                           view.height() - self.join.height() - MARGIN)
        self.join.show()
        self.join.raise_()

    def _show_timer(self) -> None:
        room = self.controller.room
        if not self.presenting or room is None or room.timer.state == "off":
            self.timer.hide()
            return
        state = room.timer.state
        text = clock(room.timer.remaining()) if state != "ended" else "Time's up"
        paused = " (paused)" if state == "paused" else ""
        flashing = self._flash_on
        background = "#d64545" if flashing or state == "ended" else "#2f3b52"
        self.timer.setStyleSheet(f"QLabel#presentTimer {{ color: white; background: "
                                 f"{background}; border-radius: 14px; font-size: 44px; "
                                 f"font-weight: 700; padding: 4px 22px; }}")
        self.timer.setText(f"{text}<span style='font-size: 20px;'>{paused}</span>")
        self.timer.adjustSize()
        view = self.window.view
        self.timer.move(view.width() - self.timer.width() - MARGIN, TITLE_H + MARGIN)
        self.timer.show()
        self.timer.raise_()

    def _show_feed(self) -> None:
        if not self.presenting or self.controller.private or not self.latest \
                or self.mode == FULL:
            self.feed.hide()
            return
        for label, entry in zip(self.feed_labels, [*self.latest, *[None] * FEED_SIZE],
                                strict=False):
            if entry is None:
                label.hide()
                continue
            stage = html.escape(self.controller.stage_name(entry.stage_id))
            text = html.escape(entry.text if len(entry.text) <= 140 else entry.text[:139] + "…")
            label.setText(f"<span style='font-size: 13px; color: #5b6474;'>{stage} · "
                          f"{html.escape(entry.kind_label)} · {html.escape(entry.author)}"
                          f"</span><br><span style='font-size: 17px;'>{text}</span>")
            label.show()
        view = self.window.view
        self.feed.setFixedWidth(min(380, view.width() // 3))
        self.feed.setFixedHeight(self.feed.column.heightForWidth(self.feed.width()))
        self.feed.move(MARGIN, view.height() - self.feed.height() - MARGIN)
        self.feed.show()
        self.feed.raise_()

    def _on_notes_arrived(self, entries: list[InboxEntry]) -> None:
        self.latest = [*reversed(entries), *self.latest][:FEED_SIZE]
        if self.presenting:
            self._show_feed()

    # ------------------------------------------------------------------ the end signal
    def flash(self) -> None:
        """Time is up: the timer flashes."""
        self._flashes = FLASHES
        self._flash_on = True
        self._flash_timer.start()
        self._show_timer()

    @property
    def flashing(self) -> bool:
        """Whether the end-of-time flash is under way."""
        return self._flash_timer.isActive()

    def _flash(self) -> None:
        self._flashes -= 1
        self._flash_on = not self._flash_on and self._flashes > 0
        if self._flashes <= 0:
            self._flash_timer.stop()
            self._flash_on = False
        self._show_timer()
