"""The journey-map domain: plain Python objects, no Qt, no SQL.

A :class:`Workspace` holds journey maps and the personas they share.  A :class:`JourneyMap`
has ordered stages (each with ordered steps, the columns), ordered typed lanes (the rows),
cards placed in a (step, lane) cell and emotion points on steps.

Identity is a string id (uuid4 hex) that never changes; names are what people see and must be
unique among their siblings (stage names within a map, step names within a stage, lane names
within a map, persona and map names within a workspace).  Card order within a cell is
``Card.position``: the cards of one cell always carry positions 0..n-1.

A map keeps its cards and emotion points in :class:`CellTable` dicts that index them by cell, so
that the cards of a cell, or a persona's point at a step, are found without looking at every card
(an import of 100,000 cards stays linear).  A card or point changes cell by being put into its
table again (``m.cards[card.id] = card``), as the commands do; steps are found through a place
index checked on every use.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar


class DomainError(ValueError):
    """An edit that would break the model's rules (duplicate name, unknown id, bad value)."""


def new_id() -> str:
    """A fresh, globally unique id for a domain object."""
    return uuid.uuid4().hex


class LaneType(enum.StrEnum):
    """What a lane holds; each type has its own look on the canvas."""

    ACTIONS = "actions"
    TOUCHPOINTS = "touchpoints"
    THOUGHTS = "thoughts"
    EMOTIONS = "emotions"
    PAIN_POINTS = "pain_points"
    OPPORTUNITIES = "opportunities"
    BACKSTAGE = "backstage"
    NOTES = "notes"
    METRICS = "metrics"
    STORYBOARD = "storyboard"  # cards shown as pictures with captions

    @classmethod
    def parse(cls, value: str) -> LaneType:
        """The lane type named ``value``; raises DomainError listing the valid names."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(t.value for t in cls)
            raise DomainError(f"unknown lane type {value!r} (expected one of: {valid})") from None


# What people call each lane type (headers, menus, spreadsheets).
LANE_TYPE_LABELS = {
    LaneType.ACTIONS: "Actions", LaneType.TOUCHPOINTS: "Touchpoints",
    LaneType.THOUGHTS: "Thoughts", LaneType.EMOTIONS: "Emotions",
    LaneType.PAIN_POINTS: "Pain points", LaneType.OPPORTUNITIES: "Opportunities",
    LaneType.BACKSTAGE: "Backstage", LaneType.NOTES: "Notes", LaneType.METRICS: "Metrics",
    LaneType.STORYBOARD: "Storyboard",
}

PRIORITIES = ("low", "medium", "high")
SEVERITY_RANGE = (1, 5)

# How much a card rests on: what a team assumed, heard in research, observed, or measured in
# data (cards made from data are "measured").  The order is from least to most backed.
EVIDENCE_LEVELS = ("assumed", "research", "observed", "measured")
EVIDENCE_LABELS = {"assumed": "Assumed", "research": "Heard in research",
                   "observed": "Observed", "measured": "Measured in data"}
# An opportunity's place in the portfolio: value and effort 1..5, and how far it has got.
SCORE_RANGE = (1, 5)
OPPORTUNITY_STATUSES = ("idea", "planned", "in_progress", "done")
OPPORTUNITY_STATUS_LABELS = {"idea": "Idea", "planned": "Planned",
                             "in_progress": "In progress", "done": "Done"}
DEFAULT_SCALE = (-2.0, 2.0)


@dataclass
class Step:
    """A column of the map inside a stage; a stage's single unnamed step is shown as the stage."""

    id: str = field(default_factory=new_id)
    name: str = ""
    events: list[str] = field(default_factory=list)


@dataclass
class Stage:
    """A phase of the journey: a named group of one or more steps, bound to funnel events."""

    id: str = field(default_factory=new_id)
    name: str = ""
    description: str = ""
    events: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.steps:
            self.steps.append(Step())


@dataclass
class Lane:
    """A typed row of the map."""

    id: str = field(default_factory=new_id)
    name: str = ""
    type: LaneType = LaneType.ACTIONS


@dataclass
class Card:
    """A note placed in a (step, lane) cell; ``position`` orders the cards of its cell."""

    step_id: str
    lane_id: str
    text: str = ""
    position: int = 0
    id: str = field(default_factory=new_id)
    severity: int | None = None
    priority: str | None = None
    channel: str | None = None
    tags: list[str] = field(default_factory=list)
    colour: str | None = None
    events: list[str] = field(default_factory=list)
    # PNG or JPEG bytes (checked by journeydesk.domain.pictures.check_picture); a storyboard
    # lane shows the card as this picture with its text as the caption.
    picture: bytes | None = None
    # Evidence (schema 7): one of EVIDENCE_LEVELS, and where it comes from (a note or a link).
    evidence: str = "assumed"
    source: str | None = None
    # The portfolio fields of an opportunity (schema 7; any card may carry them): value and
    # effort 1..5, status, owner, and the ids of the cards (pain points) of the same map that
    # it addresses.
    value: int | None = None
    effort: int | None = None
    status: str | None = None
    owner: str | None = None
    addresses: list[str] = field(default_factory=list)


CARD_FIELDS = ("text", "severity", "priority", "channel", "tags", "colour", "events", "picture",
               "evidence", "source", "value", "effort", "status", "owner", "addresses")


@dataclass
class Comment:
    """One comment of a card's thread.  A comment stays with its map when its card is deleted
    (it is shown again when the card comes back by undo or a restored version)."""

    card_id: str
    text: str
    author: str = ""
    created_at: str = ""  # ISO 8601, UTC
    resolved: bool = False
    id: str = field(default_factory=new_id)


@dataclass
class EmotionPoint:
    """A persona's (or the map's, when ``persona_id`` is None) feeling at one step."""

    step_id: str
    score: float
    persona_id: str | None = None
    label: str = ""
    id: str = field(default_factory=new_id)


@dataclass
class Persona:
    """A customer archetype shared by the maps of a workspace."""

    id: str = field(default_factory=new_id)
    name: str = ""
    role: str = ""
    quote: str = ""
    bio: str = ""
    goals: list[str] = field(default_factory=list)
    frustrations: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    motivations: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    age_range: str = ""
    location: str = ""
    tech_comfort: int | None = None
    photo: bytes | None = None
    # The persona's real behaviour in the data: attribute conditions, all of which must hold
    # (for example {"platform": "mobile"}); the data overlay filters events with them.
    segment: dict[str, str] = field(default_factory=dict)


PERSONA_FIELDS = (
    "name", "role", "quote", "bio", "goals", "frustrations", "needs", "motivations",
    "channels", "tags", "notes", "age_range", "location", "tech_comfort", "photo", "segment",
)
PERSONA_LIST_FIELDS = ("goals", "frustrations", "needs", "motivations", "channels", "tags")
TECH_COMFORT_RANGE = (1, 5)
# A stored photo is already scaled down by the app; this bounds what any caller may store.
MAX_PHOTO_BYTES = 2 * 1024 * 1024


_Item = TypeVar("_Item")


class CellTable(dict[str, _Item], Generic[_Item]):
    """Items by id, indexed by the cell each was in when it was last put in.

    A plain dict to everyone reading it (equality, iteration, copies); every way of putting or
    removing an item keeps the index.  An item whose cell changes in place is found again once
    it is put back (``table[item.id] = item``).
    """

    def __init__(self, cell_of: Callable[[Any], Hashable],
                 items: Iterable[tuple[str, _Item]] = ()):
        super().__init__()
        self._cell_of = cell_of
        self._cells: dict[Hashable, dict[str, _Item]] = {}
        self._where: dict[str, Hashable] = {}
        put = super().__setitem__
        for key, item in items:  # a new table: nothing to forget unless a key comes twice
            if key in self._where:
                self[key] = item
                continue
            put(key, item)
            cell = cell_of(item)
            self._cells.setdefault(cell, {})[key] = item
            self._where[key] = cell

    def __setitem__(self, key: str, item: _Item) -> None:
        self._forget(key)
        super().__setitem__(key, item)
        cell = self._cell_of(item)
        self._cells.setdefault(cell, {})[key] = item
        self._where[key] = cell

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._forget(key)

    def _forget(self, key: str) -> None:
        cell = self._where.pop(key, None)
        if cell is not None:
            bucket = self._cells[cell]
            del bucket[key]
            if not bucket:
                del self._cells[cell]

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        if key in self:
            item = self[key]
            del self[key]
            return item
        if default:
            return default[0]
        raise KeyError(key)

    def popitem(self) -> tuple[str, _Item]:
        key, item = super().popitem()
        self._forget(key)
        return key, item

    def clear(self) -> None:
        super().clear()
        self._cells.clear()
        self._where.clear()

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for key, item in dict(*args, **kwargs).items():
            self[key] = item

    def setdefault(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]

    def __ior__(self, other: Any) -> CellTable[_Item]:  # type: ignore[override]
        self.update(other)
        return self

    def copy(self) -> CellTable[_Item]:  # type: ignore[override]
        return type(self)(self._cell_of, self.items())

    def __reduce__(self) -> Any:  # copy.deepcopy and pickle rebuild the index
        return (type(self), (self._cell_of, list(self.items())))

    def count_in(self, cell: Hashable) -> int:
        """How many items were put in at ``cell`` and are still in the table."""
        return len(self._cells.get(cell, ()))

    def in_cell(self, cell: Hashable) -> list[_Item]:
        """The items put in at ``cell`` that are still there, in no particular order."""
        return [item for item in self._cells.get(cell, {}).values()
                if self._cell_of(item) == cell]


def card_cell(card: Card) -> tuple[str, str]:
    """The cell of a card: (step id, lane id)."""
    return card.step_id, card.lane_id


def emotion_cell(point: EmotionPoint) -> tuple[str, str | None]:
    """Where an emotion point sits: (step id, persona id or None for the map's own curve)."""
    return point.step_id, point.persona_id


@dataclass
class JourneyMap:
    """One journey map: stages (columns), lanes (rows), cards, emotion points, linked personas."""

    id: str = field(default_factory=new_id)
    name: str = ""
    description: str = ""
    scale_min: float = DEFAULT_SCALE[0]
    scale_max: float = DEFAULT_SCALE[1]
    stages: list[Stage] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=lambda: CellTable(card_cell))
    emotions: dict[str, EmotionPoint] = field(default_factory=lambda: CellTable(emotion_cell))
    persona_ids: list[str] = field(default_factory=list)
    # Keeping the map alive (schema 7): who owns it, the date (ISO, YYYY-MM-DD) by which it
    # should be reviewed, and how many days its data snapshot may age before it is stale.
    owner: str = ""
    review_by: str | None = None
    review_days: int | None = None
    comments: dict[str, Comment] = field(default_factory=dict)
    # step id -> (stage index, step index): checked on every use, rebuilt when it is stale
    _step_places: dict[str, tuple[int, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        # Whatever dict is given for the cards or points becomes a table indexed by cell.
        if name == "cards" and not isinstance(value, CellTable):
            value = CellTable(card_cell, dict(value).items())
        elif name == "emotions" and not isinstance(value, CellTable):
            value = CellTable(emotion_cell, dict(value).items())
        super().__setattr__(name, value)

    # -- look-ups -------------------------------------------------------------------------
    def stage(self, stage_id: str) -> Stage:
        """The stage with this id; DomainError when there is none."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise DomainError(f"no stage with id {stage_id!r} in map {self.name!r}")

    def stage_index(self, stage_id: str) -> int:
        """The stage's position among the map's stages."""
        return self.stages.index(self.stage(stage_id))

    def stage_named(self, name: str) -> Stage | None:
        """The stage called ``name``, or None."""
        return next((s for s in self.stages if s.name == name), None)

    def step(self, step_id: str) -> Step:
        """The step with this id, in whichever stage holds it."""
        stage, index = self.step_location(step_id)
        return stage.steps[index]

    def step_location(self, step_id: str) -> tuple[Stage, int]:
        """The stage holding the step and the step's index within it."""
        found = self._placed_step(step_id)
        if found is None and self.stages:
            # New steps are mostly those of the last stage (imports, the end of the canvas).
            last = len(self.stages) - 1
            self._step_places.update(
                (step.id, (last, j)) for j, step in enumerate(self.stages[last].steps))
            found = self._placed_step(step_id)
        if found is None:
            self._step_places = {step.id: (i, j) for i, stage in enumerate(self.stages)
                                 for j, step in enumerate(stage.steps)}
            found = self._placed_step(step_id)
            if found is None:
                raise DomainError(f"no step with id {step_id!r} in map {self.name!r}")
        return found

    def _placed_step(self, step_id: str) -> tuple[Stage, int] | None:
        place = self._step_places.get(step_id)
        if place is None:
            return None
        i, j = place
        if i < len(self.stages) and j < len(steps := self.stages[i].steps) \
                and steps[j].id == step_id:
            return self.stages[i], j
        return None

    def all_steps(self) -> list[Step]:
        """Every step (column) of the map, left to right."""
        return [step for stage in self.stages for step in stage.steps]

    def lane(self, lane_id: str) -> Lane:
        """The lane with this id; DomainError when there is none."""
        for lane in self.lanes:
            if lane.id == lane_id:
                return lane
        raise DomainError(f"no lane with id {lane_id!r} in map {self.name!r}")

    def lane_index(self, lane_id: str) -> int:
        """The lane's position among the map's lanes."""
        return self.lanes.index(self.lane(lane_id))

    def lane_named(self, name: str) -> Lane | None:
        """The lane called ``name``, or None."""
        return next((lane for lane in self.lanes if lane.name == name), None)

    def card(self, card_id: str) -> Card:
        """The card with this id; DomainError when there is none."""
        try:
            return self.cards[card_id]
        except KeyError:
            raise DomainError(f"no card with id {card_id!r} in map {self.name!r}") from None

    def cards_in(self, step_id: str, lane_id: str) -> list[Card]:
        """The cards of one cell, in order."""
        cell = self.cards.in_cell((step_id, lane_id))  # type: ignore[attr-defined]
        cell.sort(key=lambda c: c.position)
        return cell

    def cell_size(self, step_id: str, lane_id: str) -> int:
        """How many cards one cell holds."""
        return self.cards.count_in((step_id, lane_id))  # type: ignore[attr-defined]

    def ordered_cards(self) -> list[Card]:
        """All cards, by stage, step, lane and position (reading order of the grid)."""
        step_rank = {step.id: i for i, step in enumerate(self.all_steps())}
        lane_rank = {lane.id: i for i, lane in enumerate(self.lanes)}
        return sorted(
            self.cards.values(),
            key=lambda c: (step_rank[c.step_id], lane_rank[c.lane_id], c.position),
        )

    def emotion(self, point_id: str) -> EmotionPoint:
        """The emotion point with this id; DomainError when there is none."""
        try:
            return self.emotions[point_id]
        except KeyError:
            raise DomainError(f"no emotion point {point_id!r} in map {self.name!r}") from None

    def comments_of(self, card_id: str) -> list[Comment]:
        """The thread of one card, oldest first (comments of the same second in the order they
        were added)."""
        return sorted((c for c in self.comments.values() if c.card_id == card_id),
                      key=lambda c: c.created_at)

    def emotion_at(self, step_id: str, persona_id: str | None) -> EmotionPoint | None:
        """The point of this persona (or of the map) at this step, or None."""
        found = self.emotions.in_cell((step_id, persona_id))  # type: ignore[attr-defined]
        return found[0] if found else None

    def check_score(self, score: float) -> None:
        """Raise DomainError when ``score`` lies outside the map's emotion scale."""
        if not (self.scale_min <= score <= self.scale_max):
            raise DomainError(
                f"score {score:g} is outside the map's scale {self.scale_min:g}..{self.scale_max:g}"
            )


@dataclass
class Workspace:
    """Everything in one workspace file: maps and the personas they share."""

    maps: dict[str, JourneyMap] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)

    def map(self, map_id: str) -> JourneyMap:
        """The map with this id; DomainError when there is none."""
        try:
            return self.maps[map_id]
        except KeyError:
            raise DomainError(f"no map with id {map_id!r}") from None

    def map_named(self, name: str) -> JourneyMap | None:
        """The map called ``name``, or None."""
        return next((m for m in self.maps.values() if m.name == name), None)

    def persona(self, persona_id: str) -> Persona:
        """The persona with this id; DomainError when there is none."""
        try:
            return self.personas[persona_id]
        except KeyError:
            raise DomainError(f"no persona with id {persona_id!r}") from None

    def persona_named(self, name: str) -> Persona | None:
        """The persona called ``name``, or None."""
        return next((p for p in self.personas.values() if p.name == name), None)


def unique_name(base: str, taken: set[str]) -> str:
    """``base`` if free, else ``base (2)``, ``base (3)``... whichever is first free."""
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"
