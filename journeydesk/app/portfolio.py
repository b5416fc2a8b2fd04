"""The opportunity portfolio: every opportunity of the workspace in one list.

An opportunity is a card in a lane of type "opportunities".  Its portfolio fields are value
and effort (1..5 each), a status (idea, planned, in progress, done), an owner, and the cards
(pain points) of its map that it addresses.  Both front ends list, filter and sort them here,
and export them for an issue tracker (CSV) or as an Excel sheet.

The priority rule (one for sorting, the table, the CLI and the tracker's Priority column):
value counts double, so the **priority score** is ``2 x value - effort`` (-3..9; unscored
opportunities have none).  A quick win (value 5, effort 1) scores 9, a big bet (5, 5) 5, a
fill-in (1, 1) 1 and a money pit (1, 5) -3.  Score 7..9 is Highest, 4..6 High, 2..3 Medium,
0..1 Low and below 0 Lowest; an unscored opportunity gets no Priority (the tracker's default).
A priority the team set on the card itself (low, medium, high: the inspector's Priority, the
card's "High priority" badge) wins over the score: the Priority column then says High, Medium or
Low, as the card does, and the score still orders the list.

Statuses become the tracker's workflow: idea and planned are "To Do" (no status too),
in progress is "In Progress" and done is "Done".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from journeydesk.domain.model import (
    EVIDENCE_LABELS,
    OPPORTUNITY_STATUS_LABELS,
    OPPORTUNITY_STATUSES,
    JourneyMap,
    LaneType,
    Workspace,
)
from journeydesk.exchange.portfolio_export import write_table_csv, write_table_xlsx

SORT_KEYS = ("priority", "value", "effort", "status", "map", "owner", "text")
# The columns an issue tracker's CSV import maps without help (Jira, and most others).
TRACKER_COLUMNS = ("Summary", "Description", "Priority", "Labels", "Status")
TRACKER_STATUS = {None: "To Do", "idea": "To Do", "planned": "To Do",
                  "in_progress": "In Progress", "done": "Done"}
# The Excel sheet and the --json form: everything the portfolio view shows.
SHEET_COLUMNS = ("Map", "Stage", "Step", "Opportunity", "Value", "Effort", "Score",
                 "Priority", "Status", "Owner", "Addresses", "Evidence", "Tags")
SUMMARY_LIMIT = 255  # Jira's longest summary
NO_STATUS = "none"  # the status filter's word for "no status set"


@dataclass(frozen=True)
class Opportunity:
    """One opportunity as the portfolio shows it (a snapshot: re-list after an edit)."""

    map_id: str
    map_name: str
    card_id: str
    stage: str
    step: str
    text: str
    value: int | None
    effort: int | None
    status: str | None
    owner: str | None
    evidence: str
    tags: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()  # the texts of the pain points it addresses
    order: int = 0  # the card's place in its map's reading order
    set_priority: str | None = None  # the card's own priority (low, medium, high), if set

    @property
    def scored(self) -> bool:
        """Whether both value and effort are set."""
        return self.value is not None and self.effort is not None

    @property
    def score(self) -> int | None:
        """The priority score, ``2 x value - effort`` (None when unscored)."""
        return priority_score(self.value, self.effort)

    @property
    def priority(self) -> str:
        """The card's own priority when set (High, Medium, Low), else the score's: Highest,
        High, Medium, Low, Lowest, or "" when unscored."""
        if self.set_priority:
            return self.set_priority.capitalize()
        return priority_label(self.value, self.effort)

    @property
    def status_label(self) -> str:
        """The status as people read it ("In progress"), "" when none is set."""
        return OPPORTUNITY_STATUS_LABELS.get(self.status or "", "")

    @property
    def summary(self) -> str:
        """The first line of the text, at most SUMMARY_LIMIT characters."""
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        first = first or "(untitled opportunity)"
        return first if len(first) <= SUMMARY_LIMIT else first[:SUMMARY_LIMIT - 1] + "…"


def priority_score(value: int | None, effort: int | None) -> int | None:
    """``2 x value - effort``: value counts double (None unless both are set)."""
    if value is None or effort is None:
        return None
    return 2 * value - effort


def priority_label(value: int | None, effort: int | None) -> str:
    """The tracker priority of a value and effort (see the module's rule); "" if unscored."""
    score = priority_score(value, effort)
    if score is None:
        return ""
    for floor, label in ((7, "Highest"), (4, "High"), (2, "Medium"), (0, "Low")):
        if score >= floor:
            return label
    return "Lowest"


# --------------------------------------------------------------------------- listing
def map_opportunities(m: JourneyMap) -> list[Opportunity]:
    """The opportunities of one map, in the grid's reading order."""
    lanes = {lane.id for lane in m.lanes if LaneType(lane.type) is LaneType.OPPORTUNITIES}
    if not lanes:
        return []
    places = {step.id: (stage.name, step.name) for stage in m.stages for step in stage.steps}
    found = []
    for order, card in enumerate(m.ordered_cards()):
        if card.lane_id not in lanes:
            continue
        stage, step = places[card.step_id]
        targets = [m.cards[i] for i in card.addresses if i in m.cards]
        found.append(Opportunity(
            map_id=m.id, map_name=m.name, card_id=card.id, stage=stage, step=step,
            text=card.text, value=card.value, effort=card.effort, status=card.status,
            owner=card.owner, evidence=card.evidence, tags=tuple(card.tags),
            addresses=tuple(t.text for t in targets), order=order,
            set_priority=card.priority))
    return found


def list_opportunities(ws: Workspace) -> list[Opportunity]:
    """Every opportunity of the workspace: maps by name, each in reading order."""
    found: list[Opportunity] = []
    for m in sorted(ws.maps.values(), key=lambda m: (m.name.casefold(), m.id)):
        found.extend(map_opportunities(m))
    return found


def filter_opportunities(items: Iterable[Opportunity], *, map_name: str | None = None,
                         status: str | None = None, owner: str | None = None,
                         text: str | None = None) -> list[Opportunity]:
    """The items that pass every filter given: the map's name (exact), the status (one of
    OPPORTUNITY_STATUSES, or "none" for none set), the owner (ignoring case) and a text found
    in the opportunity's text, stage, owner or addressed pain points (ignoring case)."""
    if status is not None and status != NO_STATUS and status not in OPPORTUNITY_STATUSES:
        raise ValueError(f"unknown status {status!r} (expected one of: "
                         f"{', '.join((*OPPORTUNITY_STATUSES, NO_STATUS))})")
    needle = (text or "").strip().casefold()
    wanted_owner = (owner or "").strip().casefold()
    kept = []
    for item in items:
        if map_name is not None and item.map_name != map_name:
            continue
        if status is not None and (item.status or NO_STATUS) != status:
            continue
        if wanted_owner and (item.owner or "").strip().casefold() != wanted_owner:
            continue
        if needle and not any(needle in part.casefold() for part in (
                item.text, item.stage, item.owner or "", *item.addresses)):
            continue
        kept.append(item)
    return kept


def sort_opportunities(items: Iterable[Opportunity], key: str = "priority") -> list[Opportunity]:
    """The items sorted by ``key`` (one of SORT_KEYS): priority score, value (highest first),
    effort (lowest first), status (idea to done), map, owner or text.  Items without the
    value sorted on come last; ties keep map and reading order."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r} (expected one of: {', '.join(SORT_KEYS)})")
    items = sorted(items, key=lambda o: (o.map_name.casefold(), o.map_id, o.order))
    if key == "priority":
        return sorted(items, key=lambda o: (o.score is None, -(o.score or 0),
                                            -(o.value or 0)))
    if key == "value":
        return sorted(items, key=lambda o: (o.value is None, -(o.value or 0)))
    if key == "effort":
        return sorted(items, key=lambda o: (o.effort is None, o.effort or 0))
    if key == "status":
        rank = {s: i for i, s in enumerate(OPPORTUNITY_STATUSES)}
        return sorted(items, key=lambda o: (o.status is None, rank.get(o.status or "", 0)))
    if key == "owner":
        return sorted(items, key=lambda o: (not o.owner, (o.owner or "").casefold()))
    if key == "text":
        return sorted(items, key=lambda o: o.summary.casefold())
    return items  # "map": already in map and reading order


# --------------------------------------------------------------------------- exports
def _label(word: str) -> str:
    """A tracker label: no spaces (Jira splits labels at spaces)."""
    return "_".join(word.split())


def tracker_row(item: Opportunity) -> list[str]:
    """The item's row under TRACKER_COLUMNS."""
    lines = [item.text.strip() or item.summary, "",
             f"Journey map: {item.map_name}",
             f"Stage: {item.stage}" + (f" / {item.step}" if item.step else "")]
    if item.scored:
        lines.append(f"Value {item.value}/5, effort {item.effort}/5 (score {item.score})")
    if item.owner:
        lines.append(f"Owner: {item.owner}")
    lines.append(f"Evidence: {EVIDENCE_LABELS.get(item.evidence, item.evidence)}")
    if item.addresses:
        lines += ["", "Addresses these pain points:", *(f"- {t}" for t in item.addresses)]
    labels = [_label(item.map_name), _label(item.stage), *(_label(t) for t in item.tags)]
    labels = list(dict.fromkeys(label for label in labels if label))
    return [item.summary, "\n".join(lines), item.priority, " ".join(labels),
            TRACKER_STATUS[item.status]]


def sheet_row(item: Opportunity) -> list[str | int | None]:
    """The item's row under SHEET_COLUMNS (numbers stay numbers)."""
    return [item.map_name, item.stage, item.step, item.text, item.value, item.effort,
            item.score, item.priority, item.status_label, item.owner or "",
            "\n".join(item.addresses), EVIDENCE_LABELS.get(item.evidence, item.evidence),
            ", ".join(item.tags)]


def to_json(item: Opportunity) -> dict[str, object]:
    """The item as the ``opportunities --json`` form writes it."""
    return {"map": item.map_name, "card_id": item.card_id, "stage": item.stage,
            "step": item.step, "text": item.text, "value": item.value, "effort": item.effort,
            "score": item.score, "priority": item.priority or None, "status": item.status,
            "owner": item.owner, "addresses": list(item.addresses),
            "evidence": item.evidence, "tags": list(item.tags)}


def export_tracker_csv(items: Sequence[Opportunity], path: str | Path) -> Path:
    """Write the items as an issue tracker's CSV (UTF-8 with a byte-order mark), atomically."""
    return write_table_csv(Path(path), TRACKER_COLUMNS, [tracker_row(i) for i in items])


def export_portfolio_xlsx(items: Sequence[Opportunity], path: str | Path) -> Path:
    """Write the items as an Excel workbook with one "Opportunities" sheet, atomically."""
    return write_table_xlsx(Path(path), "Opportunities", SHEET_COLUMNS,
                            [sheet_row(i) for i in items])


def export_portfolio(items: Sequence[Opportunity], path: str | Path) -> Path:
    """Write the items as CSV or Excel, as the extension of ``path`` says."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return export_tracker_csv(items, path)
    if suffix == ".xlsx":
        return export_portfolio_xlsx(items, path)
    raise ValueError(f"cannot export opportunities to {Path(path).name!r}: supported formats "
                     "are .csv, .xlsx")
