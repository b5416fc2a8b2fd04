"""Copy, cut and paste of cards: our own MIME type, plus plain text for other applications.

Our own data carries every card field and each card's id, so that an opportunity copied
together with the pain points it addresses keeps those links to the pasted copies; a link to a
card that was not copied stays when that card is on the map pasted into, and is dropped
otherwise (:func:`paste_command`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from PySide6.QtCore import QMimeData

from journeydesk.domain.commands import AddCardCommand, Command, CompositeCommand
from journeydesk.domain.model import CARD_FIELDS, Card, JourneyMap

MIME_TYPE = "application/x-journeydesk-cards"


def cards_to_mime(cards: list[Card]) -> QMimeData:
    """Clipboard data for ``cards``: full fields for us, one line per card for others."""
    data = QMimeData()
    payload = [{"id": card.id,
                **{key: _field_to_json(key, getattr(card, key)) for key in CARD_FIELDS}}
               for card in cards]
    data.setData(MIME_TYPE, json.dumps({"version": 1, "cards": payload}).encode("utf-8"))
    data.setText("\n".join(" ".join(card.text.split()) for card in cards))
    return data


def cards_from_mime(data: QMimeData, step_id: str, lane_id: str) -> list[Card]:
    """New cards (new ids) for the given cell from clipboard data; [] when there are none.

    Our own format keeps every field; plain text gives one card per non-empty line.
    """
    if data.hasFormat(MIME_TYPE):
        try:
            payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
            entries = payload["cards"]
            cards = [Card(step_id, lane_id, **{k: _field_from_json(k, entry[k])
                                               for k in CARD_FIELDS if k in entry})
                     for entry in entries]
            # Links among the copied cards now name the new copies.
            new_ids = {entry["id"]: card.id for entry, card in zip(entries, cards, strict=True)
                       if isinstance(entry.get("id"), str)}
            for card in cards:
                if not isinstance(card.addresses, list):
                    raise TypeError("damaged links")
                card.addresses = [new_ids.get(cid, cid) for cid in card.addresses]
            return cards
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # damaged clipboard data: fall back to the text
    if data.hasText():
        return [Card(step_id, lane_id, line.strip())
                for line in data.text().splitlines() if line.strip()]
    return []


def _field_to_json(key: str, value: Any) -> Any:
    """A card field as JSON: a picture's bytes as base64 text."""
    if key == "picture" and value is not None:
        return base64.b64encode(value).decode("ascii")
    return value


def _field_from_json(key: str, value: Any) -> Any:
    if key == "picture" and value is not None:
        return base64.b64decode(value.encode("ascii"), validate=True)
    return value


def paste_command(m: JourneyMap, cards: list[Card], index: int | None) -> Command:
    """One undo step that adds ``cards`` to their cell from ``index`` on (the end by default).

    An addressed card that is neither on ``m`` nor among ``cards`` is dropped from the links.
    """
    known = set(m.cards) | {card.id for card in cards}
    for card in cards:
        if isinstance(card.addresses, list):
            # (a damaged entry is left for AddCardCommand to refuse)
            card.addresses = [cid for cid in card.addresses
                              if not isinstance(cid, str) or cid in known]
    if index is None:
        index = len(m.cards_in(cards[0].step_id, cards[0].lane_id))
    adds = [AddCardCommand(m.id, card, index + i) for i, card in enumerate(cards)]
    return adds[0] if len(adds) == 1 else CompositeCommand(f"Paste {len(adds)} cards", adds)


def release_clipboard() -> None:
    """Hand our clipboard contents over as plain text before the application ends.

    PySide6 6.11 crashes at exit (offscreen, seen in CI) when the clipboard still holds a
    QMimeData made in Python; plain text set by Qt itself is safe, and is what other
    applications read after we are gone anyway.
    """
    from PySide6.QtGui import QClipboard, QGuiApplication

    if QGuiApplication.instance() is None:
        return
    board = QGuiApplication.clipboard()
    if not board.ownsClipboard() and board.mimeData(QClipboard.Mode.Clipboard) is None:
        return
    data = board.mimeData()
    text = data.text() if data is not None and data.hasText() else ""
    if text:
        board.setText(text)
    else:
        board.clear()
