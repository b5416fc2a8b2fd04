"""Plain-Python domain: the journey-map model and its edit commands (no Qt, no SQL)."""

from journeydesk.domain.model import (
    Card,
    DomainError,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
)

__all__ = [
    "Card", "DomainError", "EmotionPoint", "JourneyMap", "Lane", "LaneType", "Persona",
    "Stage", "Step", "Workspace",
]
