"""A card colour picker: the theme's lane colours as swatches, "no colour" and a custom one.

Each swatch is a focusable button with an accessible name: Tab reaches the picker, the arrow
keys move between swatches, Space or Enter picks one.  Nothing is typed, so no colour can be
refused.  "Custom..." opens a QColorDialog; closing it with Esc picks nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QColorDialog, QGridLayout, QToolButton, QWidget

from journeydesk.gui.canvas.theme import SWATCHES, contrast_ratio

MIXED = object()  # several cards with different colours: no swatch is the current one
COLUMNS = 6
SWATCH_SIZE = 26


class _Swatch(QToolButton):
    """One colour (or "none", or "custom") as a round, checkable, focusable button."""

    def __init__(self, picker: SwatchPicker, name: str, colour: str | None, *,
                 custom: bool = False):
        super().__init__(picker)
        self.picker = picker
        self.colour = colour
        self.custom = custom
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedSize(SWATCH_SIZE, SWATCH_SIZE)
        self.set_name(name)

    def set_name(self, name: str) -> None:
        """The name a screen reader says and the tooltip shows."""
        self.setAccessibleName(name)
        self.setToolTip(name)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -COLUMNS,
                 Qt.Key.Key_Down: COLUMNS}
        if event.key() in steps:
            self.picker.move_focus(self, steps[Qt.Key(event.key())])
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        ring = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        dot = ring.adjusted(3, 3, -3, -3)
        if self.hasFocus():  # the focus ring, apart from the checked mark
            pen = QPen(palette.color(QPalette.ColorRole.Highlight))
            pen.setWidthF(2.0)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(ring)
        fill = QColor(self.colour) if self.colour else palette.color(QPalette.ColorRole.Base)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1.0))
        if self.custom and not self.colour:  # an unpicked custom colour: a colour wheel
            for i, hue in enumerate(range(0, 360, 60)):
                painter.setBrush(QColor.fromHsv(hue, 170, 230))
                painter.drawPie(dot, i * 60 * 16, 60 * 16)
        else:
            painter.setBrush(fill)
            painter.drawEllipse(dot)
        mark = (QColor("#000000") if contrast_ratio(fill, QColor("#000000"))
                >= contrast_ratio(fill, QColor("#ffffff")) else QColor("#ffffff"))
        if self.colour is None and not self.custom:  # "none": a struck-through circle
            painter.setPen(QPen(QColor("#cf3b35"), 2.0))
            painter.drawLine(QPointF(dot.left() + 4, dot.bottom() - 4),
                             QPointF(dot.right() - 4, dot.top() + 4))
        elif self.custom:
            painter.setPen(mark if self.colour else palette.color(QPalette.ColorRole.Text))
            painter.drawText(dot, int(Qt.AlignmentFlag.AlignCenter), "…")
        if self.isChecked():
            pen = QPen(palette.color(QPalette.ColorRole.Text))
            pen.setWidthF(2.5)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(dot.adjusted(-1, -1, 1, 1))
            if self.colour:
                pen.setColor(mark)
                painter.setPen(pen)
                c = dot.center()
                painter.drawPolyline([QPointF(c.x() - 4, c.y()), QPointF(c.x() - 1, c.y() + 3),
                                      QPointF(c.x() + 4, c.y() - 3)])
        painter.end()


class SwatchPicker(QWidget):
    """Picks a card colour; ``picked`` carries "#rrggbb", or None for no colour.

    It shows a colour (:meth:`set_colour`) without emitting anything: only a user's pick
    emits, so a reload from the model never echoes back as an edit.
    """

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Colour")
        self._value: object = None
        self.colour_dialog: QColorDialog | None = None
        self.none_swatch = _Swatch(self, "No colour (the lane's look)", None)
        self.swatches = [_Swatch(self, name, colour) for name, colour in SWATCHES]
        self.custom_swatch = _Swatch(self, "Custom colour…", None, custom=True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for i, button in enumerate(self.buttons()):
            grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            if button is self.custom_swatch:
                button.clicked.connect(self._choose_custom)
            else:
                button.clicked.connect(lambda _checked=False, b=button: self._pick(b.colour))
        grid.setColumnStretch(COLUMNS, 1)
        self.set_colour(None)

    def buttons(self) -> list[_Swatch]:
        """Every swatch in order: none, the palette, custom."""
        return [self.none_swatch, *self.swatches, self.custom_swatch]

    def swatch_named(self, name: str) -> _Swatch:
        """The swatch whose accessible name starts with ``name`` ("Red", "Custom", "No")."""
        return next(b for b in self.buttons() if b.accessibleName().startswith(name))

    def colour(self) -> object:
        """The colour shown: "#rrggbb", None, or :data:`MIXED`."""
        return self._value

    def set_colour(self, value: object) -> None:
        """Show ``value`` ("#rrggbb", None, or MIXED) as the current colour."""
        self._value = value
        hex_colour = value.lower() if isinstance(value, str) else None
        palette = {colour for _name, colour in SWATCHES}
        custom = hex_colour if hex_colour not in palette else None
        self.custom_swatch.colour = custom
        self.custom_swatch.set_name(f"Custom colour {custom}…" if custom else "Custom colour…")
        for button in self.buttons():
            if button is self.custom_swatch:
                current = custom is not None
            elif value is MIXED:
                current = False
            else:
                current = button.colour == hex_colour
            button.setChecked(current)
            button.update()

    def move_focus(self, button: _Swatch, step: int) -> None:
        """Give the focus to the swatch ``step`` places from ``button`` (clamped)."""
        buttons = self.buttons()
        index = min(len(buttons) - 1, max(0, buttons.index(button) + step))
        buttons[index].setFocus(Qt.FocusReason.TabFocusReason)

    def _pick(self, colour: str | None) -> None:
        self.set_colour(self._value)  # the model decides what is current (the pick may fail)
        self.picked.emit(colour)

    def _choose_custom(self) -> None:
        self.set_colour(self._value)
        start = QColor(self._value) if isinstance(self._value, str) else QColor("#3d6fd1")
        dialog = QColorDialog(start, self)
        dialog.setWindowTitle("Card colour")
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.colorSelected.connect(lambda colour: self.picked.emit(colour.name()))
        dialog.finished.connect(self._on_dialog_finished)
        dialog.destroyed.connect(lambda: self._forget_dialog(dialog))
        self.colour_dialog = dialog
        dialog.open()

    def _on_dialog_finished(self, _result: int) -> None:
        """Give the keys back to the custom swatch (and its window), where they were."""
        self.window().activateWindow()
        self.custom_swatch.setFocus(Qt.FocusReason.OtherFocusReason)

    def _forget_dialog(self, dialog: QColorDialog) -> None:
        if self.colour_dialog is dialog:
            self.colour_dialog = None
