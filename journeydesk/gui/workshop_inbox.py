"""The Inbox dock of a workshop: the notes the room sent, to accept onto the map, edit, merge
into a card or discard.

Accepting runs the app's inbox command through the map's :class:`~journeydesk.gui.editing.Editor`,
so a note that becomes a card is one undo step (Accept all too: one step for every note), and
undoing it puts the note back in the inbox.  In private mode no note reaches the canvas (or the
projector) until the facilitator reveals them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journeydesk.domain.commands import Changes, Command
from journeydesk.domain.model import DomainError, JourneyMap, Workspace
from journeydesk.gui.workshop import InboxEntry

if TYPE_CHECKING:  # pragma: no cover
    from journeydesk.gui.editing import Editor
    from journeydesk.gui.workshop import WorkshopController

THUMB_PX = 56
CAPTION_CHARS = 80  # of a note's text on its inbox row (all of it in the tooltip and the edit box)
ENTRY_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def thumbnail(photo: bytes | None, size: int = THUMB_PX) -> QPixmap | None:
    """A small picture of ``photo`` (decoded at that size), None when there is none."""
    if not photo:
        return None
    data = QByteArray(photo)
    buffer = QBuffer(data)
    reader = QImageReader(buffer)
    full = reader.size()
    if full.isValid() and full.width() > 0 and full.height() > 0:
        reader.setScaledSize(full.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else QPixmap.fromImage(image)


def with_text(note: Any, text: str) -> Any:
    """``note`` with its text replaced (edited before accepting)."""
    if getattr(note, "text", text) == text:
        return note
    if dataclasses.is_dataclass(note) and not isinstance(note, type):
        return dataclasses.replace(note, text=text)
    if isinstance(note, dict):
        return {**note, "text": text}
    return note


class InboxStep(Command):
    """Notes turned into cards (accepted or merged), as one undo step.

    The app's command is built from the map as it is when the step is first applied
    (``build(journey_map) -> (command, card ids)``).  ``undone`` and ``redone`` hear the step
    when it is undone or redone (the inbox takes its notes back or lets them go), once the
    document has changed.
    """

    def __init__(self, map_id: str, entries: Sequence[InboxEntry],
                 build: Callable[[JourneyMap], tuple[Command, list[str]]]):
        self.map_id = map_id
        self.label = "Accept note"
        self.entries = list(entries)
        self.card_ids: list[str] = []
        self._build = build
        self._command: Command | None = None
        self.undone: Callable[[InboxStep], None] | None = None
        self.redone: Callable[[InboxStep], None] | None = None

    def apply(self, ws: Workspace) -> Changes:
        if self._command is None:
            self._command, self.card_ids = self._build(ws.map(self.map_id))
            self.label = self._command.label
            return self._command.apply(ws)
        changes = self._command.apply(ws)
        self._later(self.redone)
        return changes

    def revert(self, ws: Workspace) -> Changes:
        if self._command is None:
            return frozenset()
        changes = self._command.revert(ws)
        self._later(self.undone)
        return changes

    def _later(self, hook: Callable[[InboxStep], None] | None) -> None:
        if hook is not None:
            QTimer.singleShot(0, lambda: hook(self))


class InboxPanel(QWidget):
    """The Inbox dock's content."""

    entries_changed = Signal(int)  # the notes listed now (after any add, accept or undo)

    def __init__(self, controller: WorkshopController, editor: Editor,
                 selected_cards: Callable[[], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.editor = editor
        self.selected_cards = selected_cards
        self.setObjectName("inboxPanel")
        self.entries: dict[str, InboxEntry] = {}
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        self.private_box = QCheckBox("Private mode")
        self.private_box.setToolTip("Keep notes off the map and the projector until you reveal "
                                    "them")
        self.reveal_button = QPushButton("Reveal notes")
        self.reveal_button.setToolTip("Put every note of the inbox on the map (one undo step)")
        row.addWidget(self.private_box)
        row.addStretch(1)
        row.addWidget(self.reveal_button)
        column.addLayout(row)
        self.empty = QLabel("No notes yet. Notes sent from the phones wait here until you "
                            "accept them onto the map.")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("hint")
        column.addWidget(self.empty)
        self.list = QListWidget()
        self.list.setObjectName("inboxList")
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        # Rows of one height, the note's text on one elided line (the whole text is in the
        # tooltip and the edit box): with wrapped rows of their own heights, every added note
        # re-measured the whole list, and 1,200 notes from a room held the GUI thread for
        # tens of milliseconds at a time.
        self.list.setWordWrap(False)
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setLayoutMode(QListWidget.LayoutMode.Batched)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setAlternatingRowColors(True)
        column.addWidget(self.list, 1)
        column.addWidget(QLabel("Text (edit before accepting):"))
        self.text = QPlainTextEdit()
        self.text.setObjectName("inboxText")
        self.text.setMaximumHeight(72)
        self.text.setAccessibleName("Note text")
        column.addWidget(self.text)
        row = QHBoxLayout()
        self.accept_button = QPushButton("Accept")
        self.merge_button = QPushButton("Merge into card")
        self.merge_button.setToolTip("Add the note's text to the card selected on the map")
        self.discard_button = QPushButton("Discard")
        for button in (self.accept_button, self.merge_button, self.discard_button):
            row.addWidget(button)
        column.addLayout(row)
        self.accept_all_button = QPushButton("Accept all")
        column.addWidget(self.accept_all_button)
        self._current: str | None = None
        self._connect_signals()
        self._update()

    def _connect_signals(self) -> None:
        c = self.controller
        c.notes_arrived.connect(self.add_entries)
        c.private_changed.connect(self._on_private_changed)
        self.private_box.toggled.connect(c.set_private)
        self.reveal_button.clicked.connect(self.reveal)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemSelectionChanged.connect(self._update)
        self.text.textChanged.connect(self._on_text_edited)
        self.accept_button.clicked.connect(self.accept_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.accept_all_button.clicked.connect(self.accept_all)

    # ------------------------------------------------------------------ entries
    def add_entries(self, entries: list[InboxEntry]) -> None:
        """Notes to show (a note already shown is not shown twice)."""
        blank = QPixmap(THUMB_PX, THUMB_PX)
        blank.fill(Qt.GlobalColor.transparent)
        for entry in entries:
            if entry.id in self.entries:
                continue
            self.entries[entry.id] = entry
            item = QListWidgetItem(self._caption(entry))
            item.setData(ENTRY_ROLE, entry.id)
            item.setToolTip(entry.text)
            picture = thumbnail(entry.photo)
            item.setIcon(QIcon(picture if picture is not None else blank))  # rows line up
            self.list.addItem(item)
        self._update()

    def _caption(self, entry: InboxEntry) -> str:
        stage = self.controller.stage_name(entry.stage_id) or "(stage removed)"
        text = " ".join((entry.text or "(photo)").split())
        if len(text) > CAPTION_CHARS:
            text = text[:CAPTION_CHARS].rstrip() + "…"
        return f"{stage} · {entry.kind_label} · {entry.author}\n{text}"

    def _item(self, note_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ENTRY_ROLE) == note_id:
                return item
        return None

    def remove(self, note_ids: Sequence[str]) -> None:
        """Take these notes out of the inbox."""
        gone = set(note_ids)
        for note_id in gone:
            self.entries.pop(note_id, None)
        # one pass from the bottom (Accept all on a room's 1,200 notes: not one search each)
        for row in range(self.list.count() - 1, -1, -1):
            if self.list.item(row).data(ENTRY_ROLE) in gone:
                self.list.takeItem(row)
        current = self.list.currentItem()
        if current is not None and not self.list.selectedItems():
            # the next note is picked, as the box shows it: Accept again takes it
            current.setSelected(True)
        self._update()

    def clear(self) -> None:
        """An empty inbox (another map, or the window closes)."""
        self.list.clear()
        self.entries.clear()
        self._current = None
        self._update()

    def selected_entries(self) -> list[InboxEntry]:
        """The selected notes, in the inbox's order."""
        ids = [self.list.item(r).data(ENTRY_ROLE) for r in range(self.list.count())
               if self.list.item(r).isSelected()]
        return [self.entries[i] for i in ids if i in self.entries]

    def all_entries(self) -> list[InboxEntry]:
        """Every note in the inbox, in order."""
        ids = [self.list.item(r).data(ENTRY_ROLE) for r in range(self.list.count())]
        return [self.entries[i] for i in ids if i in self.entries]

    # ------------------------------------------------------------------ gestures
    def accept_selected(self) -> bool:
        """Accept the selected notes as cards (one undo step)."""
        return self._accept(self.selected_entries(), "Accept note")

    def accept_all(self) -> bool:
        """Accept every note of the inbox (one undo step)."""
        return self._accept(self.all_entries(), "Accept all notes")

    def reveal(self) -> bool:
        """Private mode ends: every note in the inbox goes onto the map."""
        self.controller.set_private(False)
        entries = self.all_entries()
        return self._accept(entries, "Reveal notes", allowed_private=True) if entries else True

    def _accept(self, entries: list[InboxEntry], label: str, *,
                allowed_private: bool = False) -> bool:
        from journeydesk.app.workshop.inbox import accept_all_command

        if not entries or (self.controller.private and not allowed_private):
            return False

        def build(journey_map: JourneyMap) -> tuple[Command, list[str]]:
            command, card_ids = accept_all_command(
                journey_map, [with_text(e.source, e.text) for e in entries])
            if len(entries) > 1:
                command.label = f"{label} ({len(entries)})"
            return command, card_ids

        return self._run(entries, build, "accepted")

    def merge_selected(self) -> bool:
        """Add the selected note's text to the card selected on the map."""
        from journeydesk.app.workshop.inbox import merge_command

        entries = self.selected_entries()
        cards = self.selected_cards()
        if len(entries) != 1 or len(cards) != 1 or self.controller.private:
            return False
        card_id, entry = cards[0], entries[0]

        def build(journey_map: JourneyMap) -> tuple[Command, list[str]]:
            return merge_command(journey_map, with_text(entry.source, entry.text),
                                 card_id), [card_id]

        return self._run(entries, build, "merged")

    def _run(self, entries: list[InboxEntry],
             build: Callable[[JourneyMap], tuple[Command, list[str]]], status: str) -> bool:
        map_id = self.controller.inbox_map_id()
        if map_id is None:
            return False
        step = InboxStep(map_id, entries, build)
        try:
            ok = self.editor.run(step)
        except (DomainError, LookupError, ValueError) as exc:
            self.editor.refused.emit(f"The note could not go on the map: {exc}")
            return False
        if not ok:
            return False
        for entry, card_id in zip(step.entries, step.card_ids, strict=False):
            self._set_status(entry, status, card_id)
        step.undone = self._on_step_undone
        step.redone = lambda s, st=status: self._on_step_redone(s, st)
        self.remove([e.id for e in entries])
        return True

    def _on_step_undone(self, step: InboxStep) -> None:
        for entry in step.entries:
            self._set_status(entry, "new")
        self.add_entries(step.entries)

    def _on_step_redone(self, step: InboxStep, status: str) -> None:
        for entry, card_id in zip(step.entries, step.card_ids, strict=False):
            self._set_status(entry, status, card_id)
        self.remove([e.id for e in step.entries])

    def discard_selected(self) -> None:
        """Drop the selected notes (kept in the workspace's record as discarded)."""
        entries = self.selected_entries()
        for entry in entries:
            self._set_status(entry, "discarded")
        self.remove([e.id for e in entries])

    def _set_status(self, entry: InboxEntry, status: str, card_id: str | None = None) -> None:
        try:
            self.controller.set_note_status(entry, status, card_id)
        except Exception as exc:  # noqa: BLE001 - the map edit stands; say what was not kept
            self.controller.failed.emit(f"What became of the note could not be recorded: "
                                        f"{exc}")

    # ------------------------------------------------------------------ views
    def _on_current_changed(self, current: QListWidgetItem | None, *_: object) -> None:
        self._current = current.data(ENTRY_ROLE) if current is not None else None
        entry = self.entries.get(self._current or "")
        self.text.blockSignals(True)
        self.text.setPlainText(entry.text if entry is not None else "")
        self.text.blockSignals(False)
        self.text.setEnabled(entry is not None)

    def _on_text_edited(self) -> None:
        entry = self.entries.get(self._current or "")
        if entry is None:
            return
        entry.text = self.text.toPlainText().strip()
        item = self._item(entry.id)
        if item is not None:
            item.setText(self._caption(entry))

    def _on_private_changed(self, private: bool) -> None:
        self.private_box.blockSignals(True)
        self.private_box.setChecked(private)
        self.private_box.blockSignals(False)
        self._update()

    def _update(self) -> None:
        count = self.list.count()
        selected = len(self.selected_entries())
        private = self.controller.private
        self.empty.setVisible(count == 0)
        self.list.setVisible(count > 0)
        self.reveal_button.setVisible(private)
        self.reveal_button.setEnabled(private)
        tip = "Private mode: reveal the notes first" if private else ""
        for button in (self.accept_button, self.merge_button, self.accept_all_button):
            button.setToolTip(tip)
        self.accept_button.setEnabled(selected > 0 and not private)
        self.merge_button.setEnabled(selected == 1 and not private)
        self.discard_button.setEnabled(selected > 0)
        self.accept_all_button.setEnabled(count > 0 and not private)
        self.accept_all_button.setText(f"Accept all ({count})" if count else "Accept all")
        self.entries_changed.emit(count)
        shown = self._current in self.entries
        if not shown and self.text.toPlainText():  # the note was accepted or discarded
            self.text.blockSignals(True)
            self.text.clear()
            self.text.blockSignals(False)
        self.text.setEnabled(shown)
