"""Edit commands on card comments: add one to a card's thread, edit or resolve it, delete it.

A comment belongs to its map (change key ``("comment", map_id, comment_id)``); it names its card
but outlives it, so undoing a card's deletion or restoring a version shows its thread again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from journeydesk.domain.commands_base import Changes, _FieldEdit, _MapCommand
from journeydesk.domain.commands_checks import MAX_OWNER_CHARS, _limited, _text
from journeydesk.domain.model import Comment, DomainError, Workspace

MAX_COMMENT_CHARS = 5000


def _comment_text(value: Any) -> str:
    text = _text(value, "comment").strip()
    if not text:
        raise DomainError("a comment must not be empty")
    return _limited(text, "a comment", MAX_COMMENT_CHARS) or ""


def now_iso() -> str:
    """The time now as comments store it (ISO 8601, UTC, whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class AddCommentCommand(_MapCommand):
    """Add a comment to a card's thread (its time is now when none is given)."""

    label = "Add comment"

    def __init__(self, map_id: str, comment: Comment):
        super().__init__(map_id)
        self.comment = comment

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        m.card(self.comment.card_id)
        if self.comment.id in m.comments:
            raise DomainError("that comment is already on the map")
        self.comment.text = _comment_text(self.comment.text)
        self.comment.author = _limited(_text(self.comment.author, "author").strip(),
                                       "an author", MAX_OWNER_CHARS) or ""
        self.comment.created_at = self.comment.created_at or now_iso()
        self.comment.resolved = bool(self.comment.resolved)
        m.comments[self.comment.id] = self.comment
        return frozenset({("comment", self.map_id, self.comment.id)})

    def revert(self, ws: Workspace) -> Changes:
        del self._map(ws).comments[self.comment.id]
        return frozenset({("comment", self.map_id, self.comment.id)})


class RemoveCommentCommand(_MapCommand):
    """Delete one comment."""

    label = "Delete comment"

    def __init__(self, map_id: str, comment_id: str):
        super().__init__(map_id)
        self.comment_id = comment_id
        self._comment: Comment | None = None

    def apply(self, ws: Workspace) -> Changes:
        m = self._map(ws)
        if self.comment_id not in m.comments:
            raise DomainError(f"no comment with id {self.comment_id!r} in map {m.name!r}")
        self._comment = m.comments.pop(self.comment_id)
        return frozenset({("comment", self.map_id, self.comment_id)})

    def revert(self, ws: Workspace) -> Changes:
        assert self._comment is not None
        self._map(ws).comments[self.comment_id] = self._comment
        return frozenset({("comment", self.map_id, self.comment_id)})


class EditCommentCommand(_FieldEdit):
    """Change a comment's text, or mark it resolved (``resolved=True``) or open again."""

    label = "Edit comment"

    def __init__(self, map_id: str, comment_id: str, **fields: Any):
        super().__init__(fields)
        self.map_id = map_id
        self.comment_id = comment_id
        if set(fields) == {"resolved"}:
            self.label = "Resolve comment" if fields["resolved"] else "Reopen comment"

    def _target(self, ws: Workspace) -> Comment:
        m = ws.map(self.map_id)
        try:
            return m.comments[self.comment_id]
        except KeyError:
            raise DomainError(f"no comment with id {self.comment_id!r} in map {m.name!r}") \
                from None

    def _check_field(self, ws: Workspace, target: Comment, key: str, value: Any) -> Any:
        if key == "text":
            return _comment_text(value)
        if key == "resolved":
            if not isinstance(value, bool):
                raise DomainError("resolved must be true or false")
            return value
        raise DomainError(f"a comment has no field {key!r}")

    def _changes(self, ws: Workspace) -> Changes:
        return frozenset({("comment", self.map_id, self.comment_id)})
