"""In-place text editing on the canvas (cards and header names)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent, QPainter, QPen, QTextCursor
from PySide6.QtWidgets import QGraphicsTextItem, QStyleOptionGraphicsItem, QWidget


class InlineEditor(QGraphicsTextItem):
    """A text box over an item: Enter commits, Shift+Enter adds a line, Esc cancels, Tab and
    Shift+Tab commit and move on (:attr:`moved_on`: to the next or previous item's text).

    Losing focus commits too (clicking elsewhere keeps what was typed).  ``single_line`` editors
    (names) treat Shift+Enter like Enter.
    """

    committed = Signal(str)
    cancelled = Signal()
    moved_on = Signal(bool)  # after a Tab's commit: True for Shift+Tab (backwards)

    def __init__(self, text: str, rect: QRectF, font: QFont, *, single_line: bool = False,
                 background: QColor | None = None, foreground: QColor | None = None):
        super().__init__()
        self._rect = rect
        self._done = False
        self._single_line = single_line
        self._background = background or QColor("#ffffff")
        self.setFont(font)
        if foreground is not None:
            self.setDefaultTextColor(foreground)
        self.setPlainText(text)
        self.setTextWidth(rect.width() - 8)
        self.setPos(rect.left() + 4, rect.top() + 4)
        self.setZValue(1000)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setAcceptDrops(False)

    def start(self) -> None:
        """Give the editor focus with all its text selected."""
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        own = super().boundingRect()
        frame = QRectF(-4, -4, self._rect.width(), max(self._rect.height(), own.height() + 8))
        return frame.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        frame = QRectF(-4, -4, self._rect.width(),
                       max(self._rect.height(), super().boundingRect().height() + 8))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#2f80ed"), 2))
        painter.setBrush(self._background)
        painter.drawRoundedRect(frame, 6, 6)
        super().paint(painter, option, widget)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if shift and not self._single_line:
                self.textCursor().insertText("\n")
                return
            self.commit()
            return
        if key == Qt.Key.Key_Escape:
            self.cancel()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):  # never a tab character in a card
            backwards = key == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if not self._done:
                self.commit()
                self.moved_on.emit(backwards)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.commit()

    def commit(self) -> None:
        """Finish with the typed text (once)."""
        if not self._done:
            self._done = True
            self.committed.emit(self.toPlainText())

    def cancel(self) -> None:
        """Finish without a change (once)."""
        if not self._done:
            self._done = True
            self.cancelled.emit()
