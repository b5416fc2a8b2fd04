"""The inspector dock: the selected element's fields, edited in place (each edit undoable).

It follows the document by change key: an edit that does not touch the element on show leaves
every field alone, and one that does rewrites only the fields whose model value changed, so a
field being typed in keeps its text, cursor and focus while other things change.

A card shows the fields of its lane's type (severity on pain points, priority on
opportunities, channel on touchpoints; any other field only while it holds a value).  With
several cards selected, their shared fields (colour, tags) are edited on all of them at once,
as one undo step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGraphicsItem,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.metrics import is_pattern, matches
from journeydesk.domain.commands import (
    Changes,
    Command,
    CompositeCommand,
    EditCardCommand,
    EditLaneCommand,
    EditMapCommand,
    EditStageCommand,
    EditStepCommand,
)
from journeydesk.domain.model import PRIORITIES, Card, DomainError, LaneType
from journeydesk.gui.canvas.items import (
    CardItem,
    LaneHeaderItem,
    StageHeaderItem,
    StepHeaderItem,
)
from journeydesk.gui.canvas.theme import LANE_TYPE_LABELS
from journeydesk.gui.editing import Editor
from journeydesk.gui.inspector_evidence import EvidenceRows
from journeydesk.gui.inspector_opportunity import OpportunityRows
from journeydesk.gui.inspector_review import ReviewRows
from journeydesk.gui.listening import follow
from journeydesk.gui.swatches import MIXED, SwatchPicker

MAX_LISTED = 300  # data events listed at once; the search box narrows the rest
# The card fields that belong to one lane type: shown on its cards (elsewhere only when set).
TYPED_FIELDS = {"severity": LaneType.PAIN_POINTS, "priority": LaneType.OPPORTUNITIES,
                "channel": LaneType.TOUCHPOINTS}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class _PlainText(QPlainTextEdit):
    """A multi-line field that reports when it loses focus (the edit is then finished)."""

    def __init__(self, on_finished: Callable[[], None]):
        super().__init__()
        self._on_finished = on_finished
        self.setTabChangesFocus(True)
        self.setMaximumHeight(110)

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().focusOutEvent(event)
        self._on_finished()


@dataclass(frozen=True)
class _Field:
    """One field of a page: how its shown value comes from the model object, and is shown."""

    widget: QWidget
    value_of: Callable[[Any], Any]
    show: Callable[[Any], None]


class InspectorWidget(QWidget):
    """Shows and edits the fields of the selected card, stage, step or lane, else the map."""

    def __init__(self, editor: Editor):
        super().__init__()
        self.editor = editor
        self.setObjectName("inspector")
        self.map_id: str | None = None
        self._kind = "none"
        self._target_id: str | None = None
        self._target_ids: list[str] = []  # the cards of a multiple selection
        self._others = 0  # selected items besides those cards (not edited)
        self._rows_for: tuple[str | None, LaneType | None] = (None, None)
        self._loading = False
        # The model value each field shows (as shown), to rewrite only fields that changed.
        self._shown: dict[QWidget, Any] = {}

        self.title = QLabel("Nothing selected")
        self.title.setObjectName("inspectorTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 1)
        self.title.setFont(font)
        self.pages = _Pages()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages)
        layout.addStretch(1)

        self.empty_page = QLabel("Select a card, stage, step or lane to see its fields.")
        self.empty_page.setWordWrap(True)
        self.pages.addWidget(self.empty_page)

        # map
        self.map_name = QLineEdit()
        self.map_description = _PlainText(self._save_map_description)
        self.map_page = self._page([("Name", self.map_name),
                                    ("Description", self.map_description)])
        self.map_name.editingFinished.connect(lambda: self._edit_map(name=self.map_name.text()))

        # card
        self.card_text = _PlainText(self._save_card_text)
        self.card_severity = QSpinBox()
        self.card_severity.setRange(0, 5)
        self.card_severity.setSpecialValueText("None")
        self.card_priority = QComboBox()
        self.card_priority.addItems(["None", *(p.capitalize() for p in PRIORITIES)])
        self.card_channel = QLineEdit()
        self.card_tags = QLineEdit()
        self.card_tags.setPlaceholderText("comma, separated")
        self.card_colour = SwatchPicker()
        self.card_events = QLineEdit()
        self.card_events.setPlaceholderText("event names, comma separated")
        self.card_page = self._page([
            ("Text", self.card_text), ("Severity", self.card_severity),
            ("Priority", self.card_priority), ("Channel", self.card_channel),
            ("Tags", self.card_tags), ("Colour", self.card_colour),
            ("Events", self.card_events)])
        self.card_severity.valueChanged.connect(
            lambda v: self._edit_card(severity=v or None))
        self.card_priority.activated.connect(
            lambda i: self._edit_card(priority=None if i == 0 else PRIORITIES[i - 1]))
        self.card_channel.editingFinished.connect(
            lambda: self._edit_card(channel=self.card_channel.text() or None))
        self.card_tags.editingFinished.connect(
            lambda: self._edit_card(tags=_split(self.card_tags.text())))
        self.card_colour.picked.connect(lambda colour: self._edit_card(colour=colour))
        self._typed_rows = {"severity": self.card_severity, "priority": self.card_priority,
                            "channel": self.card_channel}

        # several cards
        self.cards_colour = SwatchPicker()
        self.cards_tags = QLineEdit()
        self.cards_tags.setPlaceholderText("tags they share: added to / removed from each")
        self.cards_hint = QLabel()
        self.cards_hint.setWordWrap(True)
        self.cards_page = self._page([("Colour", self.cards_colour),
                                      ("Shared tags", self.cards_tags),
                                      ("", self.cards_hint)])
        self.cards_colour.picked.connect(lambda colour: self._edit_cards(colour=colour))
        self.cards_tags.editingFinished.connect(self._save_shared_tags)
        self.card_events.editingFinished.connect(
            lambda: self._edit_card(events=_split(self.card_events.text())))

        # stage
        self.stage_name = QLineEdit()
        self.stage_description = _PlainText(self._save_stage_description)
        self.stage_events = QLineEdit()
        self.stage_events.setPlaceholderText("event names or patterns (checkout/*), comma "
                                             "separated")
        self.stage_events.setToolTip("* stands for any text and ? for one character: "
                                     "checkout/* binds every event starting with checkout/")
        self.pattern_info = QLabel()  # short lines: a wrapped label is cut in the form
        self.pattern_info.setObjectName("patternInfo")
        self.event_filter = QLineEdit()
        self.event_filter.setObjectName("eventFilter")
        self.event_filter.setPlaceholderText("Search the data's events")
        self.event_filter.setClearButtonEnabled(True)
        self.event_filter.setAccessibleName("Search events")
        self.event_list = QListWidget()
        self.event_list.setObjectName("datasetEvents")
        self.event_list.setMaximumHeight(220)
        self.event_hint = QLabel("Turn on View > Data overlay to pick events from your data.")
        self.event_hint.setWordWrap(True)
        self.event_counts: dict[str, int] = {}
        self.stage_page = self._page([("Name", self.stage_name),
                                      ("Description", self.stage_description),
                                      ("Bound events", self.stage_events),
                                      ("", self.pattern_info),
                                      ("Data events", self.event_filter),
                                      ("", self.event_list),
                                      ("", self.event_hint)])
        self.event_list.itemChanged.connect(self._on_event_ticked)
        self.event_filter.textChanged.connect(lambda _text: self._refill_event_list())
        self.stage_name.editingFinished.connect(
            lambda: self._edit_stage(name=self.stage_name.text()))
        self.stage_events.editingFinished.connect(
            lambda: self._edit_stage(events=_split(self.stage_events.text())))

        # step
        self.step_name = QLineEdit()
        self.step_events = QLineEdit()
        self.step_page = self._page([("Name", self.step_name), ("Events", self.step_events)])
        self.step_name.editingFinished.connect(
            lambda: self._run(EditStepCommand, name=self.step_name.text()))
        self.step_events.editingFinished.connect(
            lambda: self._run(EditStepCommand, events=_split(self.step_events.text())))

        # lane
        self.lane_name = QLineEdit()
        self.lane_type = QComboBox()
        for lane_type in LaneType:
            self.lane_type.addItem(LANE_TYPE_LABELS[lane_type], lane_type.value)
        self.lane_page = self._page([("Name", self.lane_name), ("Type", self.lane_type)])
        self.lane_name.editingFinished.connect(
            lambda: self._run(EditLaneCommand, name=self.lane_name.text()))
        self.lane_type.activated.connect(
            lambda i: self._run(EditLaneCommand, type=self.lane_type.itemData(i)))

        self._fields = self._bind_fields()
        self.evidence_rows = EvidenceRows(self)  # Evidence and Source (inspector_evidence.py)
        self.opportunity_rows = OpportunityRows(self)  # value, effort... (inspector_opportunity)
        self.review_rows = ReviewRows(self)  # Owner and review (inspector_review.py)
        self._unfollow = follow(self, editor.document, self._on_document_changed)
        self._show("none", None)

    def close_editor(self) -> None:
        """Stop following the document (also done when the widget is destroyed)."""
        self._unfollow()

    def _bind_fields(self) -> dict[str, list[_Field]]:
        """Each page's fields: the shown value of the model object, and how to show it."""
        def joined(values: list[str]) -> str:
            return ", ".join(values)

        def field(widget: QWidget, value_of: Callable[[Any], Any]) -> _Field:
            return _Field(widget, value_of, lambda value: _put(widget, value))

        return {
            "card": [
                field(self.card_text, lambda c: c.text),
                field(self.card_severity, lambda c: c.severity or 0),
                field(self.card_priority, lambda c: 0 if c.priority is None
                      else PRIORITIES.index(c.priority) + 1),
                field(self.card_channel, lambda c: c.channel or ""),
                field(self.card_tags, lambda c: joined(c.tags)),
                _Field(self.card_colour, lambda c: c.colour, self.card_colour.set_colour),
                field(self.card_events, lambda c: joined(c.events)),
            ],
            "stage": [
                field(self.stage_name, lambda s: s.name),
                field(self.stage_description, lambda s: s.description),
                field(self.stage_events, lambda s: joined(s.events)),
                # the data events list: rebuilt when the stage's name, its bound events or
                # the dataset's events change
                _Field(self.event_list,
                       lambda s: (s.name, tuple(s.events), tuple(self.event_counts.items())),
                       lambda value: self._fill_event_list(value[0], list(value[1]))),
            ],
            "step": [
                field(self.step_name, lambda st: st.name),
                field(self.step_events, lambda st: joined(st.events)),
            ],
            "lane": [
                field(self.lane_name, lambda lane: lane.name),
                field(self.lane_type, lambda lane: list(LaneType).index(LaneType(lane.type))),
            ],
            "cards": [
                _Field(self.cards_colour, _shared_colour, self.cards_colour.set_colour),
                field(self.cards_tags, lambda cards: joined(_shared_tags(cards))),
            ],
            "map": [
                field(self.map_name, lambda m: m.name),
                field(self.map_description, lambda m: m.description),
            ],
        }

    def _page(self, rows: list[tuple[str, QWidget]]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, widget in rows:
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        self.pages.addWidget(page)
        return page

    # ------------------------------------------------------------------------ what to show
    def show_map(self, map_id: str | None) -> None:
        """Follow another map (None: no map open)."""
        self.map_id = map_id
        self._show("map" if map_id else "none", map_id)

    def show_items(self, items: list[QGraphicsItem]) -> None:
        """Show the fields of the one selected item, the shared fields of several selected
        cards, or the map when nothing is selected."""
        if not items:
            self._show("map" if self.map_id else "none", self.map_id)
            return
        if len(items) > 1:
            cards = [item.item_id for item in items if isinstance(item, CardItem)]
            self._target_ids, self._others = cards, len(items) - len(cards)
            self._show("cards" if cards else "items", None)
            return
        item = items[0]
        kinds = {CardItem: "card", StageHeaderItem: "stage", StepHeaderItem: "step",
                 LaneHeaderItem: "lane"}
        kind = next((k for cls, k in kinds.items() if isinstance(item, cls)), None)
        if kind is None:
            self._show("map", self.map_id)
        else:
            self._show(kind, item.item_id)  # type: ignore[attr-defined]

    def _show(self, kind: str, target_id: str | None) -> None:
        self._kind, self._target_id = kind, target_id
        self._load()

    def _on_document_changed(self, changes: Changes) -> None:
        """Refresh the fields that changed, and only when the element on show changed."""
        if self.map_id is None:
            return
        if self._kind == "cards":
            keys = {("card", self.map_id, card_id) for card_id in self._target_ids}
        else:
            keys = {{"card": ("card", self.map_id, self._target_id),
                     "stage": ("stages", self.map_id), "step": ("stages", self.map_id),
                     "lane": ("lanes", self.map_id),
                     "map": ("map", self.map_id)}.get(self._kind)}
        if self._kind == "card":  # a lane's new type shows other fields
            keys.add(("lanes", self.map_id))
        if not keys.isdisjoint(changes):
            self._load(only_changed=True)

    def _load(self, only_changed: bool = False) -> None:
        """Fill the fields from the model, without echoing edits back.

        Every field whose widget differs from the model is rewritten, or with
        ``only_changed`` only those whose model value changed since they were filled (a
        field being typed in then keeps the typing until it is committed).
        """
        self._loading = True
        try:
            self._fill(only_changed)
        finally:
            self._loading = False

    def _fill(self, only_changed: bool) -> None:
        target = self._target()
        if target is None and self._kind not in ("map", "none"):
            # the object was deleted meanwhile: show the map instead
            self._kind, self._target_id = "map", self.map_id
            target, only_changed = self._target(), False
        kind = self._kind if target is not None else "none"
        if not only_changed or kind != self._kind:  # (the map itself went)
            self.title.setText(self._title(kind, target))
            self.pages.setCurrentWidget(self._page_of(kind))
        if kind == "card":
            self._show_typed_rows(target, keep=only_changed)
        for field in self._fields.get(kind, ()):
            value = field.value_of(target)
            if only_changed and self._shown.get(field.widget, _UNSHOWN) == value:
                continue  # unchanged in the model: leave the field (and any typing) alone
            self._shown[field.widget] = value
            field.show(value)

    def _title(self, kind: str, target: Any) -> str:
        if kind == "cards":
            others = f" (and {self._others} other items, not edited)" if self._others else ""
            self.cards_hint.setText(f"Colour and tags apply to all {len(target)} cards at "
                                    "once (one undo step).")
            return f"{len(target)} cards selected{others}"
        if kind == "items":
            return f"{self._others} items selected"
        return _TITLES[kind]

    def _show_typed_rows(self, card: Card, keep: bool) -> None:
        """Show the fields of the card's lane type, and any other that holds a value (an
        edit keeps a shown field shown until another card or lane type is on show)."""
        m = self.editor.document.workspace.maps[self.map_id]
        lane_type = LaneType(m.lane(card.lane_id).type)
        keep = keep and self._rows_for == (card.id, lane_type)
        self._rows_for = (card.id, lane_type)
        form = self.card_page.layout()
        for name, widget in self._typed_rows.items():
            shown = (TYPED_FIELDS[name] is lane_type or getattr(card, name) is not None
                     or (keep and form.isRowVisible(widget)))
            form.setRowVisible(widget, shown)

    def _target(self) -> Any:
        """The model object on show (a card, stage, step, lane or the map; the cards of a
        multiple selection), or None."""
        ws = self.editor.document.workspace
        m = ws.maps.get(self.map_id) if self.map_id else None
        if m is None or self._kind == "none":
            return None
        if self._kind == "cards":
            return [m.cards[c] for c in self._target_ids if c in m.cards] or None
        if self._kind == "items":
            return m
        try:
            if self._kind == "card":
                return m.card(self._target_id)
            if self._kind == "stage":
                return m.stage(self._target_id)
            if self._kind == "step":
                return m.step(self._target_id)
            if self._kind == "lane":
                return m.lane(self._target_id)
        except DomainError:
            return None
        return m

    def _page_of(self, kind: str) -> QWidget:
        return {"card": self.card_page, "cards": self.cards_page, "stage": self.stage_page,
                "step": self.step_page, "lane": self.lane_page,
                "map": self.map_page}.get(kind, self.empty_page)

    # ------------------------------------------------------------------------ editing
    def _run(self, factory, **fields: Any) -> None:  # noqa: ANN001
        if self._loading or self.map_id is None or self._target_id is None:
            return
        command: Command = factory(self.map_id, self._target_id, **fields)
        target = _current_values(self.editor, command)
        if target is not None and all(target.get(k) == v for k, v in fields.items()):
            return  # nothing changed: no empty undo step
        if not self.editor.run(command):
            self._load()  # show the model's value again

    def _edit_card(self, **fields: Any) -> None:
        if self._kind == "card":
            self._run(EditCardCommand, **fields)

    def _edit_cards(self, **fields: Any) -> None:
        """Set ``fields`` on every selected card that differs, as one undo step."""
        cards = self._target() if self._kind == "cards" else None
        if self._loading or not cards:
            return
        commands: list[Command] = [
            EditCardCommand(self.map_id, card.id, **fields) for card in cards
            if any(getattr(card, k) != v for k, v in fields.items())]
        self._run_all(commands, len(cards))

    def _save_shared_tags(self) -> None:
        """Add the tags typed to each selected card, remove those deleted from the shared
        ones; each card keeps its own other tags."""
        cards = self._target() if self._kind == "cards" else None
        if self._loading or not cards:
            return
        shared, wanted = _shared_tags(cards), _split(self.cards_tags.text())
        removed = set(shared) - set(wanted)
        commands: list[Command] = []
        for card in cards:
            tags = [t for t in card.tags if t not in removed]
            tags += [t for t in wanted if t not in tags]
            if tags != card.tags:
                commands.append(EditCardCommand(self.map_id, card.id, tags=tags))
        self._run_all(commands, len(cards))

    def _run_all(self, commands: list[Command], selected: int) -> None:
        if not commands:
            return  # nothing changed: no empty undo step
        command = commands[0] if len(commands) == 1 else CompositeCommand(
            f"Edit {selected} cards", commands)
        if not self.editor.run(command):
            self._load()

    def set_event_counts(self, counts: dict[str, int]) -> None:
        """The events of the dataset on show (name -> count); the stage page lists them."""
        self.event_counts = dict(counts)
        self._load()

    def _refill_event_list(self) -> None:
        if self._kind == "stage" and self.map_id is not None:
            m = self.editor.document.workspace.maps.get(self.map_id)
            stage = m.stage(self._target_id) if m is not None else None
            if stage is not None:
                self._loading = True
                try:
                    self._fill_event_list(stage.name, list(stage.events))
                finally:
                    self._loading = False

    def _fill_event_list(self, name: str, bound: list[str]) -> None:
        """The data's events that the search box matches (at most MAX_LISTED: a clickstream
        has thousands of page names), ticked when bound by name, marked when a bound
        pattern matches them; likely ones first for an unbound stage."""
        self.event_list.clear()
        self.event_list.setVisible(bool(self.event_counts))
        self.event_filter.setVisible(bool(self.event_counts))
        self.event_hint.setVisible(not self.event_counts)
        patterns = [b for b in bound if is_pattern(b)]
        self._show_pattern_info(patterns)
        wanted = self.event_filter.text().strip()
        found = [e for e in self.event_counts
                 if not wanted or (matches(wanted, e) if is_pattern(wanted)
                                   else wanted.casefold() in e.casefold())]
        words = {w for w in re.split(r"\W+", name.casefold()) if len(w) > 2}
        suggested = {e for e in found if not bound and _related(words, e)}
        order = sorted(found, key=lambda e: (e not in bound, e not in suggested,
                                             -self.event_counts[e], e))
        for event in order[:MAX_LISTED]:
            label = f"{event}  ({self.event_counts[event]:,})"
            if event in suggested:
                label += "  · suggested"
            by_pattern = [p for p in patterns if matches(p, event)]
            if by_pattern:
                label += f"  · by {by_pattern[0]}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, event)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if event in bound
                               else Qt.CheckState.Unchecked)
            self.event_list.addItem(item)
        if len(order) > MAX_LISTED:
            more = QListWidgetItem(f"… {len(order) - MAX_LISTED:,} more: search to narrow "
                                   "the list")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.event_list.addItem(more)

    def _show_pattern_info(self, patterns: list[str]) -> None:
        """What each bound pattern matches in the data on show."""
        lines, details = [], []
        for pattern in patterns:
            hits = sorted(e for e in self.event_counts if matches(pattern, e))
            if not self.event_counts:
                lines.append(f"{pattern}: a pattern")
                details.append(f"{pattern}: turn on the data overlay to see what it matches")
            elif not hits:
                lines.append(f"{pattern}: matches no event")
                details.append(lines[-1])
            else:
                events = sum(self.event_counts[e] for e in hits)
                lines.append(f"{pattern}: {len(hits):,} names, {events:,} events")
                sample = ", ".join(hits[:10]) + (", …" if len(hits) > 10 else "")
                details.append(f"{pattern} matches {sample}")
        self.pattern_info.setText("\n".join(lines))
        self.pattern_info.setToolTip("\n".join(details))
        self.pattern_info.setVisible(bool(lines))

    def _on_event_ticked(self, item: QListWidgetItem) -> None:
        if self._loading or self._kind != "stage" or self.map_id is None:
            return
        stage = self.editor.document.workspace.maps[self.map_id].stage(self._target_id)
        event = item.data(Qt.ItemDataRole.UserRole)
        if event is None:
            return
        ticked = item.checkState() == Qt.CheckState.Checked
        events = [e for e in stage.events if e != event] + ([event] if ticked else [])
        self._edit_stage(events=events)

    def _edit_stage(self, **fields: Any) -> None:
        if self._kind == "stage":
            self._run(EditStageCommand, **fields)

    def _edit_map(self, **fields: Any) -> None:
        if self._loading or self.map_id is None:
            return
        m = self.editor.document.workspace.maps.get(self.map_id)
        if m is None or all(getattr(m, k) == v for k, v in fields.items()):
            return
        if not self.editor.run(EditMapCommand(self.map_id, **fields)):
            self._load()

    def _save_card_text(self) -> None:
        self._edit_card(text=self.card_text.toPlainText())

    def _save_stage_description(self) -> None:
        self._edit_stage(description=self.stage_description.toPlainText())

    def _save_map_description(self) -> None:
        if self._kind == "map":
            self._edit_map(description=self.map_description.toPlainText())


_TITLES = {"card": "Card", "stage": "Stage", "step": "Step", "lane": "Lane", "map": "Map",
           "none": "Nothing selected"}
_UNSHOWN = object()


def _put(widget: QWidget, value: Any) -> None:
    """Show ``value`` in a field unless it shows it already; a focused text field keeps its
    cursor where it was (as far as the new text allows)."""
    if isinstance(widget, QPlainTextEdit):
        if widget.toPlainText() != value:
            position = widget.textCursor().position()
            widget.setPlainText(value)
            if widget.hasFocus():
                cursor = widget.textCursor()
                cursor.setPosition(min(position, len(value)))
                widget.setTextCursor(cursor)
    elif isinstance(widget, QLineEdit):
        if widget.text() != value:
            position = widget.cursorPosition()
            widget.setText(value)
            if widget.hasFocus():
                widget.setCursorPosition(min(position, len(value)))
    elif isinstance(widget, QSpinBox):
        if widget.value() != value:
            widget.setValue(value)
    elif isinstance(widget, QComboBox) and widget.currentIndex() != value:
        widget.setCurrentIndex(value)


def _shared_colour(cards: list[Card]) -> object:
    """The colour all ``cards`` have (None: none of them has one), else MIXED."""
    colours = {card.colour for card in cards}
    return colours.pop() if len(colours) == 1 else MIXED


def _shared_tags(cards: list[Card]) -> list[str]:
    """The tags every one of ``cards`` has, in the first card's order."""
    return [t for t in cards[0].tags if all(t in card.tags for card in cards[1:])]


def _current_values(editor: Editor, command: Command) -> dict[str, Any] | None:
    """The target's current values of the fields a field-edit command would set."""
    try:
        target = command._target(editor.document.workspace)  # type: ignore[attr-defined]
    except DomainError:
        return None
    return {key: getattr(target, key, None) for key in command.fields}  # type: ignore[attr-defined]


def _related(words: set[str], event: str) -> bool:
    """True when a word of the stage's name is part of the event's name ("confirm" and
    "email_confirmed"), so the event is a likely binding."""
    tokens = [t for t in re.split(r"[\W_]+", event.casefold()) if len(t) > 2]
    return any(w in t or t in w for w in words for t in tokens)


class _Pages(QWidget):
    """One page of fields at a time, as tall as that page.

    (A QStackedWidget is as tall as its tallest page whatever the size policies, through
    height-for-width, and a short page's rows would be spread down over that height.)
    """

    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._current: QWidget | None = None

    def addWidget(self, page: QWidget) -> None:  # noqa: N802 - QStackedWidget's name
        """Add a page (hidden unless it is the first)."""
        self._layout.addWidget(page)
        if self._current is None:
            self._current = page
        else:
            page.hide()

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 - QStackedWidget's name
        """Show ``page`` and hide the one shown before."""
        if page is self._current:
            return
        if self._current is not None:
            self._current.hide()
        self._current = page
        page.show()

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - QStackedWidget's name
        """The page on show."""
        return self._current

    def _pages(self) -> list[QWidget]:
        return [self._layout.itemAt(i).widget() for i in range(self._layout.count())]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # as wide as the widest page, so the dock (and the canvas beside it) keeps its width
        # whatever is selected; as tall as the page on show
        hint = super().sizeHint()
        return QSize(max([hint.width()] + [p.sizeHint().width() for p in self._pages()]),
                     hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(max([hint.width()] + [p.minimumSizeHint().width()
                                            for p in self._pages()]), hint.height())
