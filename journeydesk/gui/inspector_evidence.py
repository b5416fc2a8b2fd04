"""The inspector's evidence rows: how well a card is backed (its evidence level) and where
that comes from (a note or a link).

:func:`add_evidence_rows` puts an "Evidence" combo and a "Source" field on the inspector's
card page, and the same two on its page for several cards (set on all of them at once, one
undo step); every edit is an :class:`~journeydesk.domain.commands.EditCardCommand` run through
the inspector, so it is undoable like the card's other fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit

from journeydesk.domain.model import EVIDENCE_LABELS, EVIDENCE_LEVELS, Card

if TYPE_CHECKING:
    from journeydesk.gui.inspector import InspectorWidget

SOURCE_HINT = "a note or a link: interview 12, https://…"


def _level_index(card: Card) -> int:
    return EVIDENCE_LEVELS.index(card.evidence) if card.evidence in EVIDENCE_LEVELS else 0


def _shared_level(cards: list[Card]) -> int:
    """The index of the level all ``cards`` have, else -1 (the combo shows nothing)."""
    levels = {_level_index(card) for card in cards}
    return levels.pop() if len(levels) == 1 else -1


def _shared_source(cards: list[Card]) -> str:
    sources = {card.source or "" for card in cards}
    return sources.pop() if len(sources) == 1 else ""


class EvidenceRows:
    """The evidence and source fields of the inspector's card pages."""

    def __init__(self, inspector: InspectorWidget):
        from journeydesk.gui.inspector import _Field, _put  # the inspector imports this module

        self.inspector = inspector
        self.card_evidence = _combo()
        self.card_source = _source_field()
        self.cards_evidence = _combo()
        self.cards_source = _source_field()
        self.cards_source.setPlaceholderText("the same source for all (empty: mixed)")
        for page, combo, source in ((inspector.card_page, self.card_evidence, self.card_source),
                                    (inspector.cards_page, self.cards_evidence,
                                     self.cards_source)):
            form = page.layout()
            assert isinstance(form, QFormLayout)
            row = 2 if page is inspector.cards_page else form.rowCount()
            for offset, (label, widget) in enumerate((("Evidence", combo),
                                                      ("Source", source))):
                widget.setAccessibleName(label)
                form.insertRow(row + offset, label, widget)
        fields = inspector._fields  # noqa: SLF001 - the inspector's own field table
        fields["card"] += [
            _Field(self.card_evidence, _level_index, lambda v: _put(self.card_evidence, v)),
            _Field(self.card_source, lambda c: c.source or "",
                   lambda v: _put(self.card_source, v)),
        ]
        fields["cards"] += [
            _Field(self.cards_evidence, _shared_level, lambda v: _put(self.cards_evidence, v)),
            _Field(self.cards_source, _shared_source, lambda v: _put(self.cards_source, v)),
        ]
        self._connect_signals()

    def _connect_signals(self) -> None:
        inspector = self.inspector
        self.card_evidence.activated.connect(
            lambda i: inspector._edit_card(evidence=EVIDENCE_LEVELS[i]))  # noqa: SLF001
        self.card_source.editingFinished.connect(
            lambda: inspector._edit_card(source=_source(self.card_source)))  # noqa: SLF001
        self.cards_evidence.activated.connect(
            lambda i: self._edit_cards(evidence=EVIDENCE_LEVELS[i]))
        self.cards_source.editingFinished.connect(self._save_shared_source)

    def _edit_cards(self, **fields: Any) -> None:
        self.inspector._edit_cards(**fields)  # noqa: SLF001

    def _save_shared_source(self) -> None:
        """A source typed for several cards goes to each; an empty field (they had
        different sources) changes nothing unless they shared one."""
        cards = self.inspector._target() if self.inspector._kind == "cards" else None  # noqa: SLF001
        wanted = _source(self.cards_source)
        if not cards or (wanted is None and not _shared_source(cards)):
            return
        self._edit_cards(source=wanted)


def _combo() -> QComboBox:
    combo = QComboBox()
    for level in EVIDENCE_LEVELS:
        combo.addItem(EVIDENCE_LABELS[level], level)
    combo.setToolTip("How the card is backed: assumed, heard in research, observed, or "
                     "measured in data (cards made from data are measured)")
    return combo


def _source_field() -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText(SOURCE_HINT)
    field.setToolTip("Where the evidence comes from: a note or a link")
    return field


def _source(field: QLineEdit) -> str | None:
    return field.text().strip() or None
