"""How much of a map rests on evidence: counts of cards per evidence level, and the sentence
the window's band shows ("62% of pain points backed by research or data").

A card is *backed* when its level is anything but "assumed" (heard in research, observed or
measured in data).  Pain points are the cards of the map's pain-point lanes: they are what a
team acts on, so their share is the one the sentence names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journeydesk.domain.model import EVIDENCE_LABELS, EVIDENCE_LEVELS, JourneyMap, LaneType

BACKED_LEVELS = tuple(level for level in EVIDENCE_LEVELS if level != "assumed")


@dataclass(frozen=True)
class EvidenceCoverage:
    """Cards per evidence level, over the whole map and over its pain points."""

    counts: dict[str, int]
    pain_counts: dict[str, int]

    @property
    def cards(self) -> int:
        """How many cards the map has."""
        return sum(self.counts.values())

    @property
    def pain_points(self) -> int:
        """How many pain-point cards the map has."""
        return sum(self.pain_counts.values())

    @property
    def backed_pain_points(self) -> int:
        """Pain points backed by research or data."""
        return sum(self.pain_counts[level] for level in BACKED_LEVELS)

    @property
    def backed_cards(self) -> int:
        """Cards backed by research or data."""
        return sum(self.counts[level] for level in BACKED_LEVELS)

    @property
    def pain_share(self) -> float | None:
        """The share of pain points backed (None: the map has no pain point)."""
        return self.backed_pain_points / self.pain_points if self.pain_points else None

    @property
    def sentence(self) -> str:
        """What the band says: the pain points' share, else the cards' share."""
        if self.pain_points:
            share = self.backed_pain_points / self.pain_points
            return f"{share:.0%} of pain points backed by research or data"
        if self.cards:
            return (f"No pain points yet; {self.backed_cards} of {self.cards} cards backed by "
                    "research or data")
        return "No cards yet"

    def details(self) -> str:
        """Every level's count, one line each (for a tooltip)."""
        lines = [f"{self.cards} cards, {self.pain_points} pain points"]
        for level in EVIDENCE_LEVELS:
            lines.append(f"{EVIDENCE_LABELS[level]}: {self.counts[level]} "
                         f"({self.pain_counts[level]} pain points)")
        return "\n".join(lines)


def evidence_coverage(journey_map: JourneyMap) -> EvidenceCoverage:
    """Count the map's cards per evidence level, overall and for pain points."""
    pain_lanes = {lane.id for lane in journey_map.lanes
                  if LaneType(lane.type) is LaneType.PAIN_POINTS}
    counts = dict.fromkeys(EVIDENCE_LEVELS, 0)
    pain_counts = dict.fromkeys(EVIDENCE_LEVELS, 0)
    for card in journey_map.cards.values():
        level = card.evidence if card.evidence in counts else "assumed"
        counts[level] += 1
        if card.lane_id in pain_lanes:
            pain_counts[level] += 1
    return EvidenceCoverage(counts, pain_counts)


def measured_source(description: str, day: date | None = None) -> str:
    """The source of a card made from data: what data, and when the card was made from it
    ("membership events, all users; taken 2026-12-07")."""
    day = day or date.today()
    what = description.strip() or "event data"
    return f"{what}; taken {day.isoformat()}"
