"""What changed between two states of a map: stages, lanes and cards added, removed, renamed,
moved and changed, and a sentence that says it ("3 cards added in Checkout, 1 pain point removed
in Payment").

Objects are matched by id, so a renamed stage is one stage renamed, not one removed and one
added.  A card is *moved* when its cell (step or lane) changed, *changed* when any other field
did (a card can be both); a card whose position in its cell shifted only because its neighbours
came or went is neither.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from journeydesk.domain.model import CARD_FIELDS, Card, JourneyMap, LaneType

# How a summary names one card of a lane type, and several.
_NOUNS = {
    LaneType.PAIN_POINTS: ("pain point", "pain points"),
    LaneType.OPPORTUNITIES: ("opportunity", "opportunities"),
    LaneType.THOUGHTS: ("thought", "thoughts"),
    LaneType.TOUCHPOINTS: ("touchpoint", "touchpoints"),
    LaneType.ACTIONS: ("action", "actions"),
    LaneType.METRICS: ("metric", "metrics"),
    LaneType.STORYBOARD: ("picture", "pictures"),
}


@dataclass(frozen=True)
class CardChange:
    """One card that differs: its id, where it is (or was, when removed) and what changed."""

    card_id: str
    stage: str
    lane_type: LaneType
    text: str
    fields: tuple[str, ...] = ()  # for a changed card: the fields that differ
    from_stage: str = ""  # for a moved card: the stage it was in


@dataclass
class MapDiff:
    """The differences from an ``old`` state of a map to a ``new`` one."""

    stages_added: list[str] = field(default_factory=list)
    stages_removed: list[str] = field(default_factory=list)
    stages_renamed: list[tuple[str, str]] = field(default_factory=list)
    stages_moved: list[str] = field(default_factory=list)
    steps_changed: list[str] = field(default_factory=list)  # stages whose steps differ
    lanes_added: list[str] = field(default_factory=list)
    lanes_removed: list[str] = field(default_factory=list)
    lanes_renamed: list[tuple[str, str]] = field(default_factory=list)
    cards_added: list[CardChange] = field(default_factory=list)
    cards_removed: list[CardChange] = field(default_factory=list)
    cards_moved: list[CardChange] = field(default_factory=list)
    cards_changed: list[CardChange] = field(default_factory=list)
    emotions_changed: int = 0
    map_fields: list[str] = field(default_factory=list)  # name, description, scale, personas
    # The stages left to right (the new state's, then those only the old one had): the order
    # the summary tells the cards in.
    stage_order: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the two states are the same."""
        return not any(value for key, value in vars(self).items() if key != "stage_order")

    def summary(self) -> str:
        """The differences in one paragraph of plain sentences; "No changes." when none."""
        parts: list[str] = []
        parts += [f"stage {name!r} added" for name in self.stages_added]
        parts += [f"stage {name!r} removed" for name in self.stages_removed]
        parts += [f"stage {old!r} renamed {new!r}" for old, new in self.stages_renamed]
        if self.stages_moved:
            parts.append(_count(len(self.stages_moved), "stage", "stages") + " reordered")
        parts += [f"steps of {name!r} changed" for name in self.steps_changed]
        parts += [f"lane {name!r} added" for name in self.lanes_added]
        parts += [f"lane {name!r} removed" for name in self.lanes_removed]
        parts += [f"lane {old!r} renamed {new!r}" for old, new in self.lanes_renamed]
        rank = {name: i for i, name in enumerate(self.stage_order)}
        for what, changes in (("added", self.cards_added), ("removed", self.cards_removed),
                              ("moved", self.cards_moved), ("changed", self.cards_changed)):
            parts += _card_phrases(changes, what, rank)
        if self.emotions_changed:
            parts.append(_count(self.emotions_changed, "emotion point", "emotion points")
                         + " changed")
        if self.map_fields:
            parts.append("map " + ", ".join(self.map_fields) + " changed")
        if not parts:
            return "No changes."
        text = ", ".join(parts)
        return text[0].upper() + text[1:] + "."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _card_phrases(changes: list[CardChange], what: str, rank: dict[str, int]) -> list[str]:
    """"3 cards added in Checkout", "1 pain point added in Checkout", "1 touchpoint moved from
    Discover to Sign up": by stage in the map's order, the typed lanes named, the rest counted
    as cards."""
    by_place: Counter[tuple[str, str, LaneType | None]] = Counter()
    for change in changes:
        typed = change.lane_type if change.lane_type in _NOUNS else None
        by_place[(change.from_stage, change.stage, typed)] += 1

    def order(item: tuple[tuple[str, str, LaneType | None], int]) -> tuple[int, int, int]:
        (source, stage, typed), _n = item
        kinds = list(_NOUNS)
        return (rank.get(stage, len(rank)), rank.get(source, len(rank)),
                kinds.index(typed) if typed is not None else len(kinds))

    phrases = []
    for (source, stage, typed), n in sorted(by_place.items(), key=order):
        one, many = _NOUNS[typed] if typed is not None else ("card", "cards")
        if what == "moved" and source and source != stage:
            where = f" from {source} to {stage}"
        elif what == "moved" and stage:
            where = f" within {stage}"
        else:
            where = f" in {stage}" if stage else ""
        phrases.append(f"{_count(n, one, many)} {what}{where}")
    return phrases


def _stage_of_step(m: JourneyMap) -> dict[str, str]:
    return {step.id: stage.name for stage in m.stages for step in stage.steps}


def _card_change(card: Card, stages: dict[str, str], lane_types: dict[str, LaneType],
                 fields: tuple[str, ...] = ()) -> CardChange:
    return CardChange(card.id, stages.get(card.step_id, ""),
                      lane_types.get(card.lane_id, LaneType.NOTES), card.text, fields)


def compare_maps(old: JourneyMap, new: JourneyMap) -> MapDiff:
    """The differences from ``old`` to ``new`` (two states of one map)."""
    diff = MapDiff()
    diff.stage_order = [s.name for s in new.stages] + [
        s.name for s in old.stages if s.name not in {n.name for n in new.stages}]
    old_stages = {s.id: s for s in old.stages}
    new_stages = {s.id: s for s in new.stages}
    diff.stages_added = [s.name for s in new.stages if s.id not in old_stages]
    diff.stages_removed = [s.name for s in old.stages if s.id not in new_stages]
    kept = [s.id for s in new.stages if s.id in old_stages]
    kept_before = [s.id for s in old.stages if s.id in new_stages]
    diff.stages_moved = [new_stages[i].name for i, j in zip(kept, kept_before, strict=True)
                         if i != j]
    for stage in new.stages:
        before = old_stages.get(stage.id)
        if before is None:
            continue
        if before.name != stage.name:
            diff.stages_renamed.append((before.name, stage.name))
        if [(s.id, s.name) for s in before.steps] != [(s.id, s.name) for s in stage.steps]:
            diff.steps_changed.append(stage.name)
    old_lanes = {ln.id: ln for ln in old.lanes}
    new_lanes = {ln.id: ln for ln in new.lanes}
    diff.lanes_added = [ln.name for ln in new.lanes if ln.id not in old_lanes]
    diff.lanes_removed = [ln.name for ln in old.lanes if ln.id not in new_lanes]
    diff.lanes_renamed = [(old_lanes[ln.id].name, ln.name) for ln in new.lanes
                          if ln.id in old_lanes and old_lanes[ln.id].name != ln.name]

    old_places, new_places = _stage_of_step(old), _stage_of_step(new)
    old_types = {ln.id: LaneType(ln.type) for ln in old.lanes}
    new_types = {ln.id: LaneType(ln.type) for ln in new.lanes}
    for card in new.cards.values():
        before = old.cards.get(card.id)
        if before is None:
            diff.cards_added.append(_card_change(card, new_places, new_types))
            continue
        if (before.step_id, before.lane_id) != (card.step_id, card.lane_id):
            moved = _card_change(card, new_places, new_types)
            diff.cards_moved.append(CardChange(
                moved.card_id, moved.stage, moved.lane_type, moved.text,
                from_stage=old_places.get(before.step_id, "")))
        if before == card:  # (the dataclasses' own comparison: the common case, quickly)
            continue
        changed = tuple(k for k in CARD_FIELDS if getattr(before, k) != getattr(card, k))
        if changed:
            diff.cards_changed.append(_card_change(card, new_places, new_types, changed))
    diff.cards_removed = [_card_change(card, old_places, old_types)
                          for card in old.cards.values() if card.id not in new.cards]

    def point(p):  # noqa: ANN001, ANN202 - a local key
        return (p.step_id, p.persona_id, p.score, p.label)

    old_points = {pid: point(p) for pid, p in old.emotions.items()}
    new_points = {pid: point(p) for pid, p in new.emotions.items()}
    diff.emotions_changed = sum(old_points.get(k) != v for k, v in new_points.items()) + sum(
        k not in new_points for k in old_points)
    for name, value in (("name", lambda m: m.name), ("description", lambda m: m.description),
                        ("emotion scale", lambda m: (m.scale_min, m.scale_max)),
                        ("personas", lambda m: list(m.persona_ids))):
        if value(old) != value(new):
            diff.map_fields.append(name)
    return diff
