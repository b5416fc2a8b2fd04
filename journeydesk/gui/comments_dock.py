"""The Comments dock: the open threads of the map on show, and the selected card's thread.

The upper list names every card with open comments (its text, stage and how many are open;
with "Show resolved" also the cards whose comments are all resolved); clicking one selects the
card on the canvas.  Below is the thread of the one selected card: its comments (author, time,
text, resolved or not), a box for a new comment (Ctrl+Enter posts it), and Resolve / Reopen
and Delete for the comment picked in the thread.  Every change is a comment command run
through the editor, so Undo takes it back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.comments import excerpt, shown_time, thread_of, threads
from journeydesk.domain.commands import (
    AddCommentCommand,
    Changes,
    EditCommentCommand,
    RemoveCommentCommand,
)
from journeydesk.domain.model import Comment, JourneyMap
from journeydesk.gui.author import AuthorDialog, ask_author_name, author_name
from journeydesk.gui.canvas.items import CardItem
from journeydesk.gui.editing import Editor
from journeydesk.gui.listening import follow
from journeydesk.gui.map_editor import MapEditorWidget

ID_ROLE = Qt.ItemDataRole.UserRole


class CommentBox(QPlainTextEdit):
    """The new comment's text: Ctrl+Enter posts it (Enter starts a new line)."""

    post = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.post.emit()
            return
        super().keyPressEvent(event)


class _Title(QLabel):
    """The thread's title: wrapped in two lines' room, without height-for-width.  (The dock
    scrolls, see dock_scroll, and a scroll area gives a height-for-width widget its full
    preferred height: the lists would keep their size and the "Add comment" button would be
    scrolled away, instead of the lists shrinking in a short dock.)"""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setMinimumHeight(2 * self.fontMetrics().lineSpacing())

    def hasHeightForWidth(self) -> bool:  # noqa: N802, V105 - Qt override
        return False


class CommentsPanel(QWidget):
    """Open threads of the map on show, and the thread of the selected card."""

    def __init__(self, editor: Editor, map_editor: MapEditorWidget):
        super().__init__()
        self.editor = editor
        self.map_editor = map_editor
        self.setObjectName("commentsPanel")
        self.card_id: str | None = None  # the card whose thread is shown
        self._scene = None  # the scene whose "Comment…" requests are followed

        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.setToolTip("List resolved comments and threads too")
        self.threads_title = QLabel()
        self.thread_list = QListWidget()
        self.thread_list.setObjectName("commentThreads")
        self.thread_list.setAccessibleName("Open threads")
        self.thread_list.setWordWrap(True)
        self.thread_list.setMaximumHeight(220)
        # small minimum heights: the dock shares a short screen with the Inspector (dock_scroll)
        self.thread_list.setMinimumHeight(40)
        self.card_title = _Title()
        self.card_title.setObjectName("commentCardTitle")
        self.comment_list = QListWidget()
        self.comment_list.setObjectName("cardComments")
        self.comment_list.setAccessibleName("Comments on the card")
        self.comment_list.setWordWrap(True)
        self.comment_list.setMinimumHeight(48)
        self.resolve_button = QPushButton("Resolve")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the comment picked in the thread")
        self.new_comment = CommentBox()
        self.new_comment.setObjectName("newComment")
        self.new_comment.setAccessibleName("New comment")
        self.new_comment.setPlaceholderText("Add a comment… (Ctrl+Enter posts it)")
        self.new_comment.setTabChangesFocus(True)
        self.new_comment.setMaximumHeight(90)
        self.new_comment.setMinimumHeight(44)
        self.post_button = QPushButton("Add comment")
        self.post_button.setToolTip("Post the comment (Ctrl+Enter)")
        self.signed = QLabel()
        self.signed.setObjectName("commentSigned")

        top = QHBoxLayout()
        top.addWidget(self.threads_title, 1)
        top.addWidget(self.show_resolved)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        post = QHBoxLayout()
        post.addWidget(self.signed, 1)
        post.addWidget(self.post_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.thread_list)
        column.addWidget(self.card_title)
        column.addWidget(self.comment_list, 1)
        column.addLayout(buttons)
        column.addWidget(self.new_comment)
        column.addLayout(post)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        self.thread_list.itemClicked.connect(self._on_thread_clicked)
        self.thread_list.itemActivated.connect(self._on_thread_clicked)
        self.comment_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.resolve_button.clicked.connect(lambda _c=False: self.toggle_resolved())
        self.delete_button.clicked.connect(lambda _c=False: self.delete_comment())
        self.post_button.clicked.connect(lambda _c=False: self.post())
        self.new_comment.post.connect(self.post)
        self.new_comment.textChanged.connect(self._update_buttons)
        self.signed.linkActivated.connect(lambda _link: self.ask_author_name())
        self.map_editor.map_changed.connect(self._on_map_changed)
        self.map_editor.selection_changed.connect(self._on_selection_changed)
        self._unfollow = follow(self, self.editor.document, self._on_document_changed)

    # ------------------------------------------------------------------ following
    def current_map(self) -> JourneyMap | None:
        """The map on show."""
        return self.map_editor.current_map()

    def _on_map_changed(self, _map_id: str | None) -> None:
        scene = self.map_editor.scene
        if scene is not self._scene:
            self._scene = scene
            if scene is not None:
                scene.comment_requested.connect(self.comment_on)
        self.card_id = None
        self.refresh()

    def _on_selection_changed(self, items: list) -> None:
        cards = [item for item in items if isinstance(item, CardItem)]
        if len(cards) == 1 and len(items) == 1:
            self.show_card(cards[0].item_id)
        elif not items:
            self.show_card(None)

    def _on_document_changed(self, changes: Changes) -> None:
        map_id = self.map_editor.map_id
        if map_id is not None and any(len(key) > 1 and key[1] == map_id for key in changes):
            self.refresh()

    def show_card(self, card_id: str | None) -> None:
        """Show the thread of ``card_id`` (None: no card)."""
        if card_id != self.card_id:
            self.card_id = card_id
            self.comment_list.clear()
            self.refresh()

    def comment_on(self, card_id: str) -> None:
        """A card's "Comment…": its thread in the dock, shown, with the cursor in the box."""
        self.show_card(card_id)
        dock, scroll = self.parentWidget(), None
        while dock is not None and not isinstance(dock, QDockWidget):
            if isinstance(dock, QScrollArea):
                scroll = dock  # the dock's content scrolls (dock_scroll)
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
        self.new_comment.setFocus(Qt.FocusReason.OtherFocusReason)
        if scroll is not None:
            self.layout().activate()  # the box where the new thread's layout puts it
            scroll.ensureWidgetVisible(self.post_button, 0, 0)  # the button, and the box
            scroll.ensureWidgetVisible(self.new_comment, 0, 0)  # over it, or its cursor

    # ------------------------------------------------------------------ showing
    def refresh(self) -> None:
        """Fill both lists from the map (the thread keeps the comment picked in it)."""
        m = self.current_map()
        if m is not None and self.card_id is not None and self.card_id not in m.cards:
            self.card_id = None  # the card was deleted
        self._fill_threads(m)
        self._fill_comments(m)
        name = author_name() or "nobody"
        self.signed.setText(f'As {_escaped(name)} · <a href="name">change…</a>')
        self._update_buttons()

    def _fill_threads(self, m: JourneyMap | None) -> None:
        self.thread_list.clear()
        self.thread_list.hide()  # shown when it lists something: an empty box takes the
        # room a short screen needs for the box a comment is written in
        if m is None:
            self.threads_title.setText("No map open")
            return
        found = threads(m, resolved=self.show_resolved.isChecked())
        open_threads = sum(1 for t in found if t.open)
        self.threads_title.setText(f"{open_threads} open thread{'s' if open_threads != 1 else ''}"
                                   if open_threads else "No open comments")
        for thread in found:
            state = f"{thread.open} open" if thread.open else "resolved"
            item = QListWidgetItem(f"{thread.excerpt}\n{thread.stage} · {state}")
            item.setData(ID_ROLE, thread.card_id)
            item.setToolTip(f"{thread.total} comment(s), the latest at "
                            f"{shown_time(thread.latest)}")
            self.thread_list.addItem(item)
            if thread.card_id == self.card_id:
                self.thread_list.setCurrentItem(item)
        self.thread_list.setVisible(self.thread_list.count() > 0)

    def _fill_comments(self, m: JourneyMap | None) -> None:
        current = self.comment_list.currentItem()
        picked = current.data(ID_ROLE) if current is not None else None
        self.comment_list.clear()
        self._show_thread(False)
        if m is None or self.card_id is None:
            self.card_title.setText("Select a card to see and add its comments.")
            return
        comments = thread_of(m, self.card_id)
        shown = [c for c in comments if self.show_resolved.isChecked() or not c.resolved]
        hidden = len(comments) - len(shown)
        title = f"Comments on “{excerpt(m.cards[self.card_id].text, 40)}”"
        if hidden:
            title += f" ({hidden} resolved hidden)"
        self.card_title.setText(title)
        for comment in shown:
            item = QListWidgetItem(_comment_text(comment))
            item.setData(ID_ROLE, comment.id)
            if comment.resolved:
                item.setForeground(self.palette().placeholderText())
            self.comment_list.addItem(item)
            if comment.id == picked:
                self.comment_list.setCurrentItem(item)
        if self.comment_list.currentItem() is None and self.comment_list.count():
            self.comment_list.setCurrentRow(self.comment_list.count() - 1)
        self._show_thread(self.comment_list.count() > 0)

    def _show_thread(self, shown: bool) -> None:
        """The card's comments and their buttons, only when there are comments to list."""
        for widget in (self.comment_list, self.resolve_button, self.delete_button):
            widget.setVisible(shown)

    def _update_buttons(self) -> None:
        writable = not self.editor.document.read_only
        comment = self.picked_comment()
        self.resolve_button.setText("Reopen" if comment is not None and comment.resolved
                                    else "Resolve")
        self.resolve_button.setEnabled(writable and comment is not None)
        self.delete_button.setEnabled(writable and comment is not None)
        can_post = writable and self.card_id is not None
        self.new_comment.setEnabled(can_post)
        self.post_button.setEnabled(can_post and bool(self.new_comment.toPlainText().strip()))

    def picked_comment(self) -> Comment | None:
        """The comment picked in the thread, if any."""
        m = self.current_map()
        item = self.comment_list.currentItem()
        if m is None or item is None:
            return None
        return m.comments.get(item.data(ID_ROLE))

    # ------------------------------------------------------------------ editing
    def _on_thread_clicked(self, item: QListWidgetItem) -> None:
        card_id = item.data(ID_ROLE)
        scene = self.map_editor.scene
        if scene is not None and card_id in scene.cards:
            scene.interactions.select_card(card_id)  # the selection shows its thread
        self.show_card(card_id)

    def post(self) -> bool:
        """Add the comment typed to the card's thread (one undo step)."""
        text = self.new_comment.toPlainText().strip()
        map_id = self.map_editor.map_id
        if not text or map_id is None or self.card_id is None:
            return False
        comment = Comment(self.card_id, text, author=author_name())
        if not self.editor.run(AddCommentCommand(map_id, comment)):
            return False
        self.new_comment.clear()
        self._pick(comment.id)
        return True

    def toggle_resolved(self) -> bool:
        """Resolve the picked comment, or open it again."""
        comment, map_id = self.picked_comment(), self.map_editor.map_id
        if comment is None or map_id is None:
            return False
        done = self.editor.run(EditCommentCommand(map_id, comment.id,
                                                  resolved=not comment.resolved))
        self._pick(comment.id)
        return done

    def delete_comment(self) -> bool:
        """Delete the picked comment."""
        comment, map_id = self.picked_comment(), self.map_editor.map_id
        if comment is None or map_id is None:
            return False
        return self.editor.run(RemoveCommentCommand(map_id, comment.id))

    def _pick(self, comment_id: str) -> None:
        for row in range(self.comment_list.count()):
            if self.comment_list.item(row).data(ID_ROLE) == comment_id:
                self.comment_list.setCurrentRow(row)
                return

    def ask_author_name(self) -> AuthorDialog:
        """Edit > Your name…; the dock's "change…" link."""
        dialog = ask_author_name(self.window())
        dialog.finished.connect(lambda _result: self.refresh())
        return dialog


def _comment_text(comment: Comment) -> str:
    state = "  · resolved" if comment.resolved else ""
    author = comment.author or "Someone"
    return f"{author} · {shown_time(comment.created_at)}{state}\n{comment.text}"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
