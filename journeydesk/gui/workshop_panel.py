"""The Session dock of a workshop: the address and QR code the room scans, who joined, the
timer and the vote round.

The QR code is drawn by segno one pixel per module and scaled by a whole factor with no
smoothing, so every module stays a sharp square at any size (:func:`qr_pixmap`).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.workshop import WorkshopController

QR_BORDER = 4  # the quiet zone, in modules (the standard's minimum)


def qr_image(text: str) -> QImage:
    """The QR code of ``text``, one pixel per module, quiet zone included."""
    import segno

    code = segno.make(text, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=1, border=QR_BORDER)
    image = QImage()
    image.loadFromData(buffer.getvalue(), "PNG")
    return image


def qr_pixmap(text: str, size: int) -> QPixmap:
    """The QR code of ``text`` at most ``size`` px square, scaled in whole modules (crisp)."""
    image = qr_image(text)
    factor = max(1, size // max(image.width(), 1))
    return QPixmap.fromImage(image.scaled(image.width() * factor, image.height() * factor,
                                          Qt.AspectRatioMode.IgnoreAspectRatio,
                                          Qt.TransformationMode.FastTransformation))


def clock(seconds: float) -> str:
    """12:05, or 1:02:05 past an hour (rounded up: 0:00 only when time is up)."""
    whole = int(-(-seconds // 1))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class SessionPanel(QScrollArea):
    """The Session dock's content, bound to a window's workshop controller."""

    QR_PX = 220

    def __init__(self, controller: WorkshopController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("sessionPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)

        self.idle = QLabel("No session is running. Workshop > Start session… lets the people "
                           "in the room add notes, photos and votes from their phones, over "
                           "this network only.")
        self.idle.setWordWrap(True)
        self.start_button = QPushButton("Start session…")
        column.addWidget(self.idle)
        column.addWidget(self.start_button)

        self.live = QWidget()
        live = QVBoxLayout(self.live)
        live.setContentsMargins(0, 0, 0, 0)
        live.addWidget(QLabel("Open this address or scan the code:"))
        self.url_label = QLabel()
        self.url_label.setObjectName("sessionUrl")
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.url_label.setWordWrap(True)
        self.url_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.url_label.setStyleSheet("QLabel#sessionUrl { font-family: monospace; }")
        self.copy_button = QPushButton("Copy address")
        row = QHBoxLayout()
        row.addWidget(self.url_label, 1)
        row.addWidget(self.copy_button)
        live.addLayout(row)
        self.qr = QLabel()
        self.qr.setObjectName("sessionQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setAccessibleName("QR code of the session's address")
        live.addWidget(self.qr)
        self.counts = QLabel()
        self.counts.setObjectName("sessionCounts")
        live.addWidget(self.counts)

        timer_box = QGroupBox("Timer")
        timer = QVBoxLayout(timer_box)
        self.time_label = QLabel("--:--")
        self.time_label.setObjectName("sessionTime")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setStyleSheet("QLabel#sessionTime { font-size: 28px; font-weight: 600; }")
        timer.addWidget(self.time_label)
        row = QHBoxLayout()
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.5, 240)
        self.minutes.setDecimals(1)
        self.minutes.setSingleStep(1)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Timer minutes")
        self.set_button = QPushButton("Set")
        row.addWidget(self.minutes, 1)
        row.addWidget(self.set_button)
        timer.addLayout(row)
        row = QHBoxLayout()
        self.run_button = QPushButton("Start")
        self.add_button = QPushButton("+1 min")
        self.clear_button = QPushButton("Clear")
        for button in (self.run_button, self.add_button, self.clear_button):
            row.addWidget(button)
        timer.addLayout(row)
        live.addWidget(timer_box)

        vote_box = QGroupBox("Vote")
        vote = QVBoxLayout(vote_box)
        self.vote_state = QLabel("No vote yet.")
        self.vote_state.setWordWrap(True)
        vote.addWidget(self.vote_state)
        row = QHBoxLayout()
        self.vote_button = QPushButton("Start vote…")
        self.laptop_votes_button = QPushButton("Add votes…")
        self.laptop_votes_button.setToolTip("Enter dots at the laptop (rooms without phones)")
        row.addWidget(self.vote_button)
        row.addWidget(self.laptop_votes_button)
        vote.addLayout(row)
        row = QHBoxLayout()
        self.reveal_button = QPushButton("Reveal")
        self.end_vote_button = QPushButton("End vote")
        row.addWidget(self.reveal_button)
        row.addWidget(self.end_vote_button)
        vote.addLayout(row)
        self.ranking = QListWidget()
        self.ranking.setObjectName("voteRanking")
        self.ranking.setMaximumHeight(160)
        vote.addWidget(self.ranking)
        live.addWidget(vote_box)

        self.end_button = QPushButton("End session")
        live.addWidget(self.end_button)
        column.addWidget(self.live)
        column.addStretch(1)
        self.setWidget(body)
        self._connect_signals()
        self._on_session_changed(controller.active)

    def _connect_signals(self) -> None:
        c = self.controller
        c.session_changed.connect(self._on_session_changed)
        c.counts_changed.connect(self._on_counts_changed)
        c.ticked.connect(self._on_ticked)
        c.vote_changed.connect(self._on_vote_changed)
        self.copy_button.clicked.connect(self.copy_url)
        self.set_button.clicked.connect(lambda: c.set_timer(self.minutes.value()))
        self.set_button.clicked.connect(self._on_ticked)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.add_button.clicked.connect(c.add_minute)
        self.clear_button.clicked.connect(c.clear_timer)
        self.reveal_button.clicked.connect(c.reveal_vote)
        self.end_vote_button.clicked.connect(c.end_vote)

    def copy_url(self) -> None:
        """Put the session's address on the clipboard."""
        if self.controller.url:
            QGuiApplication.clipboard().setText(self.controller.url)

    def _on_run_clicked(self) -> None:
        room = self.controller.room
        if room is None:
            return
        if room.timer.state == "running":
            self.controller.pause_timer()
        else:
            if room.timer.state in ("off", "ended"):
                self.controller.set_timer(self.minutes.value())
            self.controller.start_timer()

    def _on_session_changed(self, active: bool) -> None:
        self.idle.setVisible(not active)
        self.start_button.setVisible(not active)
        self.live.setVisible(active)
        url = self.controller.url or ""
        self.url_label.setText(url)
        self.url_label.setToolTip(url)
        if active and url:
            self.qr.setPixmap(qr_pixmap(url, self.QR_PX))
        else:
            self.qr.clear()
        self._on_counts_changed()
        self._on_ticked()
        self._on_vote_changed()

    def _on_counts_changed(self) -> None:
        c = self.controller
        self.counts.setText(f"{c.participant_count()} joined · {c.notes_received} notes "
                            f"received")

    def _on_ticked(self) -> None:
        room = self.controller.room
        state = room.timer.state if room is not None else "off"
        if state == "off":
            self.time_label.setText("--:--")
        else:
            self.time_label.setText(clock(room.timer.remaining()))  # type: ignore[union-attr]
        fresh = state == "paused" and room.timer.remaining() >= room.timer.total  # type: ignore[union-attr]
        self.run_button.setText("Pause" if state == "running" else
                                "Resume" if state == "paused" and not fresh else "Start")
        self.add_button.setEnabled(state != "off")
        self.clear_button.setEnabled(state != "off")

    def _on_vote_changed(self) -> None:
        room = self.controller.room
        vote_round = room.vote_round if room is not None else None
        self.ranking.clear()
        if vote_round is None:
            self.vote_state.setText("No vote yet.")
        else:
            people = len([who for who, given in vote_round.votes.items()
                          if who is not None and given])
            laptop = " (and the laptop)" if vote_round.votes.get(None) else ""
            state = "open" if vote_round.open else "ended"
            shown = "results shown" if vote_round.revealed else "results hidden until Reveal"
            self.vote_state.setText(f"{len(vote_round.cards)} cards, {vote_round.dots} dots "
                                    f"each; {state}, {people} voted{laptop}; {shown}.")
            if vote_round.revealed:
                for rank, (_card_id, label, dots) in enumerate(vote_round.ranked(), start=1):
                    # the dots first: a long card label must not push them out of sight
                    item = QListWidgetItem(f"{rank}. {dots} dot{'' if dots == 1 else 's'} · "
                                           f"{label}")
                    item.setToolTip(label)
                    self.ranking.addItem(item)
        has_round = vote_round is not None
        self.laptop_votes_button.setEnabled(has_round and vote_round.open)  # type: ignore[union-attr]
        self.reveal_button.setEnabled(has_round and not vote_round.revealed)  # type: ignore[union-attr]
        self.end_vote_button.setEnabled(has_round and vote_round.open)  # type: ignore[union-attr]
        self.ranking.setVisible(has_round and vote_round.revealed)  # type: ignore[union-attr]
