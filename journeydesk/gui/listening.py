"""Widgets that listen to the document stop listening when they go, however they go.

A dialog closed with Esc, by ``done()`` or by its parent's deletion never sees ``closeEvent``;
a listener unsubscribed only there stays registered, raises on every later edit (its widgets
are gone) and breaks the undo history.  :func:`follow` ties the subscription to the widget's
life instead: ``destroyed`` always comes, and for a dialog ``finished`` comes first.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog


class Followable(Protocol):
    """What :func:`follow` needs of a document."""

    def subscribe(self, listener: Callable[[Any], None]) -> None: ...  # noqa: D102

    def unsubscribe(self, listener: Callable[[Any], None]) -> None: ...  # noqa: D102


def follow(owner: QObject, document: Followable, listener: Callable[[Any], None], *,
           until_finished: bool = True) -> Callable[[], None]:
    """Subscribe ``listener`` to ``document`` for as long as ``owner`` lives.

    It is unsubscribed when ``owner`` is destroyed, and, for a QDialog (unless
    ``until_finished`` is False, for a dialog shown again after it closes), when it finishes.
    A bound method is held weakly: the subscription never keeps its object alive (a scene
    dropped without being deleted is collected, and its listener then does nothing).
    Returns the function that unsubscribes (safe to call more than once).
    """
    if inspect.ismethod(listener):
        method = weakref.WeakMethod(listener)

        def listener(changes: Any) -> None:
            bound = method()
            if bound is not None:
                bound(changes)

    document.subscribe(listener)

    def stop(*_args: object) -> None:
        document.unsubscribe(listener)

    owner.destroyed.connect(stop)
    if until_finished and isinstance(owner, QDialog):
        owner.finished.connect(stop)
    return stop
