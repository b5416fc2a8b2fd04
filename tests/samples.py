"""Sample domain content shared by the store, CLI and GUI tests."""

from __future__ import annotations

from journeydesk.domain.model import (
    Card,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
)

# A 1 x 1 PNG, enough to check that photos are stored and read back byte for byte.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
    "d06f78fb1f00051a029cd88420ba0000000049454e44ae426082")


def sample_map(name: str = "Membership sign-up", cards_per_cell: int = 1) -> tuple[
        JourneyMap, list[Persona]]:
    """A small but complete map: stages with steps, every lane type, cards, emotion points."""
    maria = Persona(name="Maria", role="First-time visitor", quote="Why so many fields?",
                    goals=["Join quickly"], frustrations=["Long forms"], channels=["mobile"],
                    age_range="25-34", location="Lyon", tech_comfort=4,
                    photo=TINY_PNG, segment={"platform": "mobile"})
    stages = [
        Stage(name="Discover", description="Finds us", events=["home", "promo_page"]),
        Stage(name="Sign up", events=["form_start"],
              steps=[Step(name="Form", events=["form_start"]), Step(name="Confirm e-mail")]),
        Stage(name="Use", events=["first_login"]),
    ]
    lanes = [Lane(name=t.value.replace("_", " ").capitalize(), type=t) for t in LaneType]
    m = JourneyMap(name=name, description="From ad to first use", stages=stages, lanes=lanes,
                   persona_ids=[maria.id])
    for step in m.all_steps():
        for lane in lanes:
            for i in range(cards_per_cell):
                card = Card(step.id, lane.id, f"{lane.name} at {step.name or 'step'} #{i}",
                            position=i, tags=["sample"])
                if lane.type is LaneType.PAIN_POINTS:
                    card.severity = 1 + i % 5
                if lane.type is LaneType.TOUCHPOINTS:
                    card.channel = "web"
                if lane.type is LaneType.OPPORTUNITIES:
                    card.priority = "high"
                if lane.type is LaneType.STORYBOARD:
                    card.picture = TINY_PNG
                m.cards[card.id] = card
    for score, step in zip((1, -1, -2, 2), m.all_steps(), strict=True):
        point = EmotionPoint(step_id=step.id, score=float(score), persona_id=maria.id,
                             label="feels")
        m.emotions[point.id] = point
    own = EmotionPoint(step_id=m.all_steps()[0].id, score=0.5)
    m.emotions[own.id] = own
    return m, [maria]
