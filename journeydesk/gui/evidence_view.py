"""Evidence on the window: the coverage band and View > Highlight assumptions.

:class:`EvidenceView` keeps a small band in the status bar saying how much of the map on show
rests on evidence ("62% of pain points backed by research or data", counted by
:func:`journeydesk.app.evidence.evidence_coverage`; every level's count in its tooltip), and
the highlight of the assumptions on the canvas, which stays on from map to map until turned
off.  Clicking the band turns the highlight on or off too.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton

from journeydesk.app.evidence import evidence_coverage
from journeydesk.domain.commands import Changes
from journeydesk.gui.canvas import card_marks
from journeydesk.gui.editing import Editor
from journeydesk.gui.listening import follow
from journeydesk.gui.map_editor import MapEditorWidget


class EvidenceView(QObject):
    """The coverage band of the map on show, and the highlight of its assumptions."""

    def __init__(self, editor: Editor, map_editor: MapEditorWidget):
        super().__init__(map_editor)
        self.editor = editor
        self.map_editor = map_editor
        self.highlight = False
        self.action: QAction | None = None
        self.band = QToolButton()
        self.band.setObjectName("evidenceBand")
        self.band.setAutoRaise(True)
        self.band.setCheckable(True)  # pressed while the assumptions are highlighted
        self.band.setAccessibleName("Evidence coverage")
        self.band.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.band.clicked.connect(lambda _c=False: self._band_clicked())
        self.map_editor.map_changed.connect(self._on_map_changed)
        self._unfollow = follow(self.band, self.editor.document, self._on_document_changed)

    def bind_action(self, action: QAction) -> None:
        """The window's checkable View > Highlight assumptions (kept in step with clicks on
        the band)."""
        self.action = action
        action.setChecked(self.highlight)

    def toggle_highlight(self) -> None:
        """View > Highlight assumptions: follow the action's check mark."""
        self.set_highlight(self.action.isChecked() if self.action is not None
                           else not self.highlight)

    def set_highlight(self, on: bool) -> None:
        """Dim every card that is not assumed (``on``) on the canvas, or not."""
        self.highlight = on
        self.band.setChecked(on)
        if self.action is not None and self.action.isChecked() != on:
            self.action.setChecked(on)
        scene = self.map_editor.scene
        if scene is not None:
            card_marks.set_highlight(scene, on)
        self._refresh()

    def _band_clicked(self) -> None:
        self.set_highlight(not self.highlight)

    def _on_map_changed(self, _map_id: str | None) -> None:
        scene = self.map_editor.scene
        if scene is not None and scene.highlight_assumptions != self.highlight:
            card_marks.set_highlight(scene, self.highlight)
        self._refresh()

    def _on_document_changed(self, changes: Changes) -> None:
        map_id = self.map_editor.map_id
        if map_id is not None and any(len(key) > 1 and key[1] == map_id
                                      and key[0] != "comment" for key in changes):
            self._refresh()

    def _refresh(self) -> None:
        """Say the coverage of the map on show (hidden while there is none)."""
        m = self.map_editor.current_map()
        if m is None:
            self.band.hide()
            return
        coverage = evidence_coverage(m)
        self.band.setText(f"Evidence: {coverage.sentence}")
        action = "show all cards alike" if self.highlight else "highlight the assumptions"
        self.band.setToolTip(f"{coverage.details()}\n\nClick to {action} (Ctrl+Shift+H)")
        self.band.show()
