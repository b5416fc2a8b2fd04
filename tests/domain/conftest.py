"""A small sample workspace for the domain tests, with readable fixed ids.

Layout of ``build_workspace()``::

    personas   p-ana "Ana", p-ben "Ben", p-cy "Cy" (Cy is linked to no map)

    map m-onb "Onboarding"   scale -2..2, linked personas [p-ana, p-ben]
      stages   s-disc "Discover" [sp-search "Search", sp-compare "Compare"]
               s-sign "Sign up"  [sp-form "Form", sp-verify "Verify", sp-welcome "Welcome"]
               s-use  "Use"      [sp-use ""]
      lanes    l-act "Actions" (actions), l-pain "Pain points", l-opp "Opportunities"
      cards    (sp-search, l-act)  c-a0 c-a1 c-a2
               (sp-form,   l-act)  c-f0 c-f1
               (sp-form,   l-pain) c-p0 (severity 4)
               (sp-verify, l-opp)  c-o0 (priority high)
      emotions e-ana-search (sp-search, Ana, 1.0)   e-ana-form (sp-form, Ana, -1.5)
               e-ben-form   (sp-form,   Ben, 0.5)   e-map-verify (sp-verify, map curve, -2.0)

    map m-ren "Renewal"      scale -2..2, linked personas [p-ana]
      stages   s-rem "Reminder" [sp-rem ""]
      lanes    l-ren "Actions"
      cards    (sp-rem, l-ren) c-r0
      emotions e-ren (sp-rem, Ana, 0.0)
"""

from __future__ import annotations

import pytest

from journeydesk.domain.model import (
    Card,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
)


def _cards(step_id: str, lane_id: str, ids: list[str], **fields) -> list[Card]:
    return [
        Card(id=card_id, step_id=step_id, lane_id=lane_id, text=f"text of {card_id}",
             position=position, **fields)
        for position, card_id in enumerate(ids)
    ]


def build_workspace() -> Workspace:
    """A fresh copy of the sample workspace described in the module docstring."""
    personas = [
        Persona(id="p-ana", name="Ana", role="Student", goals=["cheap"], channels=["app"]),
        Persona(id="p-ben", name="Ben", role="Parent", frustrations=["forms"]),
        Persona(id="p-cy", name="Cy", tags=["b2b"]),
    ]
    onboarding = JourneyMap(
        id="m-onb",
        name="Onboarding",
        description="From first search to first use",
        stages=[
            Stage(id="s-disc", name="Discover", events=["visit"], steps=[
                Step(id="sp-search", name="Search", events=["search"]),
                Step(id="sp-compare", name="Compare"),
            ]),
            Stage(id="s-sign", name="Sign up", events=["signup"], steps=[
                Step(id="sp-form", name="Form"),
                Step(id="sp-verify", name="Verify"),
                Step(id="sp-welcome", name="Welcome"),
            ]),
            Stage(id="s-use", name="Use", steps=[Step(id="sp-use")]),
        ],
        lanes=[
            Lane(id="l-act", name="Actions", type=LaneType.ACTIONS),
            Lane(id="l-pain", name="Pain points", type=LaneType.PAIN_POINTS),
            Lane(id="l-opp", name="Opportunities", type=LaneType.OPPORTUNITIES),
        ],
        persona_ids=["p-ana", "p-ben"],
    )
    cards = [
        *_cards("sp-search", "l-act", ["c-a0", "c-a1", "c-a2"]),
        *_cards("sp-form", "l-act", ["c-f0", "c-f1"]),
        *_cards("sp-form", "l-pain", ["c-p0"], severity=4),
        *_cards("sp-verify", "l-opp", ["c-o0"], priority="high"),
    ]
    onboarding.cards = {card.id: card for card in cards}
    points = [
        EmotionPoint(id="e-ana-search", step_id="sp-search", persona_id="p-ana", score=1.0),
        EmotionPoint(id="e-ana-form", step_id="sp-form", persona_id="p-ana", score=-1.5),
        EmotionPoint(id="e-ben-form", step_id="sp-form", persona_id="p-ben", score=0.5),
        EmotionPoint(id="e-map-verify", step_id="sp-verify", persona_id=None, score=-2.0,
                     label="Where is the e-mail?"),
    ]
    onboarding.emotions = {point.id: point for point in points}

    renewal = JourneyMap(
        id="m-ren",
        name="Renewal",
        stages=[Stage(id="s-rem", name="Reminder", steps=[Step(id="sp-rem")])],
        lanes=[Lane(id="l-ren", name="Actions")],
        persona_ids=["p-ana"],
    )
    renewal.cards = {"c-r0": Card(id="c-r0", step_id="sp-rem", lane_id="l-ren", text="Pay")}
    renewal.emotions = {
        "e-ren": EmotionPoint(id="e-ren", step_id="sp-rem", persona_id="p-ana", score=0.0),
    }
    return Workspace(
        maps={m.id: m for m in (onboarding, renewal)},
        personas={p.id: p for p in personas},
    )


@pytest.fixture
def ws() -> Workspace:
    """A fresh sample workspace for each test."""
    return build_workspace()
