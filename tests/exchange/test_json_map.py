"""The JSON map exchange: export form, import, round trips and every validation error."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeydesk.domain.commands import (
    AddCardCommand,
    AddEmotionCommand,
    AddLaneCommand,
    AddMapCommand,
    AddPersonaCommand,
    AddStageCommand,
    LinkPersonaCommand,
)
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
from journeydesk.exchange.json_map import (
    FormatError,
    dumps_map,
    loads_map,
    map_from_dict,
    map_to_dict,
)

# The example from the format's documentation, verbatim.
EXAMPLE: dict[str, Any] = {
    "format": "journeydesk.map", "version": 1, "name": "Trial to paid", "description": "...",
    "personas": [{"name": "Maria", "role": "...", "quote": "...", "goals": ["..."],
                  "frustrations": ["..."]}],
    "stages": [{"name": "Awareness", "description": "...", "events": ["home", "promo_page"]}],
    "lanes": [{"name": "Doing", "type": "actions"}, {"name": "Feeling", "type": "emotions"}],
    "cards": [{"stage": "Awareness", "lane": "Doing", "text": "Sees an ad", "severity": 3,
               "channel": "social", "tags": ["ads"]}],
    "emotions": [{"stage": "Awareness", "persona": "Maria", "score": 1, "label": "curious"}],
}


def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def valid_doc() -> dict[str, Any]:
    """A small valid file with steps, several cards and emotions: the base of the error cases."""
    return {
        "format": "journeydesk.map", "version": 1, "name": "Trial to paid", "description": "",
        "scale": {"min": -2, "max": 2},
        "personas": [{"name": "Maria", "role": "Buyer"}, {"name": "Ken"}],
        "stages": [
            {"name": "Awareness", "events": ["home"]},
            {"name": "Trial", "steps": [{"name": "Sign up", "events": ["signup"]},
                                        {"name": "Onboard"}]},
        ],
        "lanes": [{"name": "Doing", "type": "actions"}, {"name": "Feeling", "type": "emotions"}],
        "cards": [
            {"stage": "Awareness", "lane": "Doing", "text": "Sees an ad"},
            {"stage": "Trial", "step": "Sign up", "lane": "Doing", "text": "Signs up"},
            {"stage": "Trial", "step": "Onboard", "lane": "Feeling", "text": "Confused"},
            {"stage": "Trial", "lane": "Feeling", "text": "Hopeful"},
        ],
        "emotions": [
            {"stage": "Awareness", "persona": "Maria", "score": 1},
            {"stage": "Trial", "step": "Onboard", "score": -1},
        ],
    }


def add_imported(ws: Workspace, data: dict[str, Any]) -> JourneyMap:
    """Import ``data`` into ``ws`` the way the app does: one AddMapCommand."""
    m, new_personas = map_from_dict(data, ws)
    AddMapCommand(m, new_personas).apply(ws)
    return m


def rich_workspace() -> tuple[Workspace, JourneyMap]:
    """A map using everything the format carries, built with the domain's commands."""
    ws = Workspace()
    maria = Persona(
        name="María José", role="Procurement lead", quote="«Show me the numbers»",
        bio="Ten years in\nprocurement.", goals=["Save time", "Look good"],
        frustrations=["Hidden fees"], needs=["Clear pricing"], motivations=["Promotion"],
        channels=["email", "LinkedIn"], tags=["b2b"], notes="Met at the 2024 workshop.",
    )
    ken = Persona(name="Ken 健", role="Developer")
    for persona in (maria, ken):
        AddPersonaCommand(persona).apply(ws)
    m = JourneyMap(name="Trial → paid 🚀", description="Línea uno\nline two",
                   scale_min=-3, scale_max=3)
    AddMapCommand(m).apply(ws)
    LinkPersonaCommand(m.id, ken.id).apply(ws)
    LinkPersonaCommand(m.id, maria.id).apply(ws)

    awareness = Stage(name="Awareness", description="First contact", events=["home", "promo"])
    trial = Stage(name="Trial", steps=[Step(name="Sign up", events=["signup"]),
                                       Step(name="Onboard", events=["tour_start", "tour_end"]),
                                       Step(name="Invite team")])
    purchase = Stage(name="Purchase", events=["pricing"],
                     steps=[Step(name=""), Step(name="Pay", events=["checkout"])])
    for stage in (awareness, trial, purchase):
        AddStageCommand(m.id, stage).apply(ws)
    lanes = {t: Lane(name=f"{t.value.replace('_', ' ').title()} lane", type=t) for t in LaneType}
    for lane in lanes.values():
        AddLaneCommand(m.id, lane).apply(ws)

    def card(step: Step, lane_type: LaneType, text: str, index: int | None = None,
             **fields: Any) -> None:
        c = Card(step_id=step.id, lane_id=lanes[lane_type].id, text=text, **fields)
        AddCardCommand(m.id, c, index).apply(ws)

    card(awareness.steps[0], LaneType.ACTIONS, "Sees an ad on 小红书", severity=2,
         priority="low", channel="social", tags=["ads", "paid"], colour="#aabbcc",
         events=["ad_click"])
    card(awareness.steps[0], LaneType.ACTIONS, "Reads a review")
    # Inserted in front: cell order must follow position, not insertion order.
    card(awareness.steps[0], LaneType.ACTIONS, "Asks a friend", index=0)
    card(trial.steps[1], LaneType.PAIN_POINTS, "Tour is too long 😩", severity=5,
         priority="high")
    card(trial.steps[2], LaneType.OPPORTUNITIES, "Invite by link", priority="medium",
         tags=["growth"])
    card(trial.steps[0], LaneType.TOUCHPOINTS, "Sign-up form", channel="web")
    card(purchase.steps[0], LaneType.THOUGHTS, "Is it worth it?")
    card(purchase.steps[1], LaneType.METRICS, "Conversion 12 %", colour="#00ff00")
    card(purchase.steps[1], LaneType.BACKSTAGE, "")

    def point(step: Step, score: float, persona: Persona | None = None, label: str = "") -> None:
        p = EmotionPoint(step_id=step.id, score=score,
                         persona_id=None if persona is None else persona.id, label=label)
        AddEmotionCommand(m.id, p).apply(ws)

    # Added out of order: the export sorts them.
    point(trial.steps[1], -2.5, maria, "fatigué")
    point(awareness.steps[0], 1, maria, "curious")
    point(awareness.steps[0], 0.5)
    point(awareness.steps[0], 2, ken)
    point(purchase.steps[1], 3.0, None, "relieved")
    return ws, m


def content(m: JourneyMap, ws: Workspace) -> dict[str, Any]:
    """A map's content with every id replaced by names, to compare maps across imports."""
    where = {step.id: (stage.name, index)
             for stage in m.stages for index, step in enumerate(stage.steps)}
    lane_names = {lane.id: lane.name for lane in m.lanes}
    persona_names = {pid: ws.persona(pid).name for pid in m.persona_ids}
    return {
        "map": (m.name, m.description, m.scale_min, m.scale_max),
        "personas": [{k: v for k, v in vars(ws.persona(pid)).items() if k != "id"}
                     for pid in m.persona_ids],
        "stages": [(s.name, s.description, s.events, [(st.name, st.events) for st in s.steps])
                   for s in m.stages],
        "lanes": [(lane.name, LaneType(lane.type)) for lane in m.lanes],
        "cards": [(where[c.step_id], lane_names[c.lane_id], c.position, c.text, c.severity,
                   c.priority, c.channel, c.tags, c.colour, c.events)
                  for c in m.ordered_cards()],
        "emotions": sorted(
            ((where[p.step_id], persona_names.get(p.persona_id, ""), p.score, p.label)
             for p in m.emotions.values()),
        ),
    }


# =========================================================================== export
def test_export_of_rich_map_has_the_documented_shape() -> None:
    ws, m = rich_workspace()
    data = map_to_dict(m, ws)

    assert list(data) == ["format", "version", "name", "description", "scale", "personas",
                          "stages", "lanes", "cards", "emotions"]
    assert data["format"] == "journeydesk.map"
    assert data["version"] == 2
    assert data["name"] == "Trial → paid 🚀"
    assert data["scale"] == {"min": -3, "max": 3}
    # Linked personas in link order, every field written.
    assert [p["name"] for p in data["personas"]] == ["Ken 健", "María José"]
    assert data["personas"][1] == {
        "name": "María José", "role": "Procurement lead", "quote": "«Show me the numbers»",
        "bio": "Ten years in\nprocurement.", "goals": ["Save time", "Look good"],
        "frustrations": ["Hidden fees"], "needs": ["Clear pricing"],
        "motivations": ["Promotion"], "channels": ["email", "LinkedIn"], "tags": ["b2b"],
        "notes": "Met at the 2024 workshop.",
    }
    # "steps" only for stages that have more than their one implied unnamed step.
    assert data["stages"][0] == {"name": "Awareness", "description": "First contact",
                                 "events": ["home", "promo"]}
    assert data["stages"][1]["steps"] == [
        {"name": "Sign up", "events": ["signup"]},
        {"name": "Onboard", "events": ["tour_start", "tour_end"]},
        {"name": "Invite team", "events": []},
    ]
    assert data["stages"][2]["steps"] == [{"name": "", "events": []},
                                          {"name": "Pay", "events": ["checkout"]}]
    assert [lane["type"] for lane in data["lanes"]] == [t.value for t in LaneType]

    cards = data["cards"]
    # Reading order: step, then lane, then position within the cell.
    assert [c["text"] for c in cards] == [
        "Asks a friend", "Sees an ad on 小红书", "Reads a review", "Sign-up form",
        "Tour is too long 😩", "Invite by link", "Is it worth it?", "", "Conversion 12 %",
    ]
    assert cards[0] == {"stage": "Awareness", "lane": "Actions lane", "text": "Asks a friend"}
    assert cards[1] == {
        "stage": "Awareness", "lane": "Actions lane", "text": "Sees an ad on 小红书",
        "severity": 2, "priority": "low", "channel": "social", "tags": ["ads", "paid"],
        "colour": "#aabbcc", "events": ["ad_click"],
    }
    assert cards[4] == {"stage": "Trial", "step": "Onboard", "lane": "Pain Points lane",
                        "text": "Tour is too long 😩", "severity": 5, "priority": "high"}
    assert cards[6]["step"] == ""

    # By step, the map's own point first, then personas in link order (Ken before María).
    assert data["emotions"] == [
        {"stage": "Awareness", "score": 0.5},
        {"stage": "Awareness", "persona": "Ken 健", "score": 2},
        {"stage": "Awareness", "persona": "María José", "score": 1, "label": "curious"},
        {"stage": "Trial", "step": "Onboard", "persona": "María José", "score": -2.5,
         "label": "fatigué"},
        {"stage": "Purchase", "step": "Pay", "score": 3, "label": "relieved"},
    ]


def test_export_does_not_alias_the_model() -> None:
    ws, m = rich_workspace()
    data = map_to_dict(m, ws)
    data["cards"][1]["tags"].append("changed")
    data["stages"][0]["events"].clear()
    data["personas"][1]["goals"].clear()
    assert map_to_dict(m, ws) != data
    assert m.stages[0].events == ["home", "promo"]


def test_dumps_map_is_indented_unicode_json_with_trailing_newline() -> None:
    ws, m = rich_workspace()
    text = dumps_map(m, ws)
    assert text.endswith("}\n")
    assert '\n  "format": "journeydesk.map",\n' in text
    assert "小红书" in text and "\\u" not in text
    assert json.loads(text) == map_to_dict(m, ws)


# =========================================================================== round trips
def test_rich_map_round_trip_gives_identical_dict() -> None:
    ws, m = rich_workspace()
    first = map_to_dict(m, ws)

    fresh = Workspace()
    imported = add_imported(fresh, first)

    assert map_to_dict(imported, fresh) == first
    assert content(imported, fresh) == content(m, ws)


def test_rich_map_round_trip_through_text() -> None:
    ws, m = rich_workspace()
    text = dumps_map(m, ws)
    fresh = Workspace()
    imported, new_personas = loads_map(text, fresh)
    AddMapCommand(imported, new_personas).apply(fresh)
    assert dumps_map(imported, fresh) == text


def test_round_trip_into_the_same_workspace_reuses_its_personas() -> None:
    ws, m = rich_workspace()
    first = map_to_dict(m, ws)
    imported, new_personas = map_from_dict(first, ws)

    assert new_personas == []
    assert imported.persona_ids == m.persona_ids
    assert imported.id != m.id
    assert map_to_dict(imported, ws) == first


def test_import_gives_fresh_ids() -> None:
    ws, m = rich_workspace()
    imported, _ = map_from_dict(map_to_dict(m, ws), Workspace())

    def ids(jm: JourneyMap) -> set[str]:
        return ({jm.id} | {s.id for s in jm.stages} | {st.id for st in jm.all_steps()}
                | {lane.id for lane in jm.lanes} | set(jm.cards) | set(jm.emotions))

    assert ids(imported).isdisjoint(ids(m))
    assert all(card.id == cid for cid, card in imported.cards.items())
    assert all(point.id == pid for pid, point in imported.emotions.items())


def test_example_import_export_import_gives_equal_content() -> None:
    ws1 = Workspace()
    m1 = add_imported(ws1, example())
    ws2 = Workspace()
    m2 = add_imported(ws2, map_to_dict(m1, ws1))
    assert content(m2, ws2) == content(m1, ws1)


def test_stages_with_several_unnamed_steps_round_trip_by_position() -> None:
    ws = Workspace()
    m = JourneyMap(name="Unnamed")
    AddMapCommand(m).apply(ws)
    stage = Stage(name="Only", steps=[Step(), Step(), Step(name="Named")])
    AddStageCommand(m.id, stage).apply(ws)
    lane = Lane(name="Doing")
    AddLaneCommand(m.id, lane).apply(ws)
    for step, text in zip(stage.steps, ("first", "second", "third"), strict=True):
        AddCardCommand(m.id, Card(step_id=step.id, lane_id=lane.id, text=text)).apply(ws)
    AddEmotionCommand(m.id, EmotionPoint(step_id=stage.steps[1].id, score=1)).apply(ws)

    data = map_to_dict(m, ws)
    assert [c["step"] for c in data["cards"]] == [0, 1, "Named"]
    assert data["emotions"] == [{"stage": "Only", "step": 1, "score": 1}]

    fresh = Workspace()
    imported = add_imported(fresh, data)
    assert map_to_dict(imported, fresh) == data
    steps = imported.stages[0].steps
    assert [c.text for c in imported.ordered_cards()] == ["first", "second", "third"]
    assert next(iter(imported.emotions.values())).step_id == steps[1].id


def test_single_unnamed_step_with_events_is_written_and_kept() -> None:
    ws = Workspace()
    m = JourneyMap(name="Step events")
    AddMapCommand(m).apply(ws)
    AddStageCommand(m.id, Stage(name="Only", steps=[Step(events=["open"])])).apply(ws)

    data = map_to_dict(m, ws)
    assert data["stages"][0]["steps"] == [{"name": "", "events": ["open"]}]
    imported, _ = map_from_dict(data, Workspace())
    assert imported.stages[0].steps[0].events == ["open"]


# =========================================================================== import
def test_example_imports_with_the_right_structure() -> None:
    ws = Workspace()
    m, new_personas = map_from_dict(example(), ws)

    assert (m.name, m.description) == ("Trial to paid", "...")
    assert (m.scale_min, m.scale_max) == (-2.0, 2.0)
    [maria] = new_personas
    assert (maria.name, maria.role, maria.quote) == ("Maria", "...", "...")
    assert (maria.goals, maria.frustrations, maria.bio, maria.needs) == (["..."], ["..."], "", [])
    assert m.persona_ids == [maria.id]

    [stage] = m.stages
    assert (stage.name, stage.description, stage.events) == ("Awareness", "...",
                                                             ["home", "promo_page"])
    [step] = stage.steps
    assert (step.name, step.events) == ("", [])
    assert [(lane.name, lane.type) for lane in m.lanes] == [("Doing", LaneType.ACTIONS),
                                                            ("Feeling", LaneType.EMOTIONS)]
    [card] = m.cards.values()
    assert (card.step_id, card.lane_id, card.position) == (step.id, m.lanes[0].id, 0)
    assert (card.text, card.severity, card.channel, card.tags) == ("Sees an ad", 3, "social",
                                                                   ["ads"])
    assert (card.priority, card.colour, card.events) == (None, None, [])
    [point] = m.emotions.values()
    assert (point.step_id, point.persona_id, point.score, point.label) == (
        step.id, maria.id, 1.0, "curious")
    assert isinstance(point.score, float)

    AddMapCommand(m, new_personas).apply(ws)
    assert ws.persona_named("Maria") is maria


def test_steps_are_found_by_name_and_default_to_the_first() -> None:
    m, _ = map_from_dict(valid_doc(), Workspace())
    sign_up, onboard = m.stages[1].steps
    assert (sign_up.name, sign_up.events, onboard.name, onboard.events) == (
        "Sign up", ["signup"], "Onboard", [])
    by_text = {c.text: c for c in m.cards.values()}
    assert by_text["Signs up"].step_id == sign_up.id
    assert by_text["Confused"].step_id == onboard.id
    assert by_text["Hopeful"].step_id == sign_up.id  # "step" left out: the first step
    [map_point] = [p for p in m.emotions.values() if p.persona_id is None]
    assert map_point.step_id == onboard.id


def test_null_persona_and_null_step_mean_the_map_and_the_first_step() -> None:
    data = valid_doc()
    data["emotions"] = [{"stage": "Trial", "step": None, "persona": None, "score": 2}]
    m, _ = map_from_dict(data, Workspace())
    [point] = m.emotions.values()
    assert point.persona_id is None
    assert point.step_id == m.stages[1].steps[0].id


def test_card_order_within_a_cell_is_the_order_of_the_cards_array() -> None:
    data = valid_doc()
    data["cards"] = [
        {"stage": "Awareness", "lane": "Doing", "text": "one"},
        {"stage": "Trial", "lane": "Doing", "text": "elsewhere"},
        {"stage": "Awareness", "lane": "Doing", "text": "two"},
        {"stage": "Awareness", "lane": "Doing", "text": "three"},
    ]
    m, _ = map_from_dict(data, Workspace())
    cell = m.cards_in(m.stages[0].steps[0].id, m.lanes[0].id)
    assert [(c.text, c.position) for c in cell] == [("one", 0), ("two", 1), ("three", 2)]


def test_scale_defaults_and_custom_scale_admits_its_scores() -> None:
    data = valid_doc()
    del data["scale"]
    m, _ = map_from_dict(data, Workspace())
    assert (m.scale_min, m.scale_max) == (-2.0, 2.0)

    data["scale"] = {"min": 0, "max": 10}
    data["emotions"] = [{"stage": "Awareness", "score": 9.5}]
    m, _ = map_from_dict(data, Workspace())
    assert (m.scale_min, m.scale_max) == (0.0, 10.0)
    assert [p.score for p in m.emotions.values()] == [9.5]


def test_optional_keys_may_be_left_out() -> None:
    m, new_personas = map_from_dict(
        {"format": "journeydesk.map", "version": 1, "name": "Bare",
         "stages": [{"name": "S"}], "lanes": [{"name": "L"}], "cards": [{"stage": "S",
                                                                          "lane": "L"}]},
        Workspace())
    assert (m.description, m.persona_ids, new_personas, m.emotions) == ("", [], [], {})
    assert m.lanes[0].type is LaneType.ACTIONS
    [card] = m.cards.values()
    assert (card.text, card.tags, card.severity) == ("", [], None)


def test_names_and_references_are_stripped_like_the_domain_does() -> None:
    data = valid_doc()
    data["stages"][0]["name"] = "  Awareness "
    data["cards"][0]["lane"] = "Doing  "
    data["emotions"][0]["persona"] = " Maria"
    m, _ = map_from_dict(data, Workspace())
    assert m.stages[0].name == "Awareness"
    assert len(m.cards) == 4 and len(m.emotions) == 2


def test_unknown_keys_are_ignored() -> None:
    data = valid_doc()
    data["generator"] = "JourneyDesk 9"
    data["scale"]["step"] = 0.5
    data["personas"][0]["avatar"] = "maria.png"
    data["stages"][1]["colour"] = "#ff0000"
    data["stages"][1]["steps"][0]["owner"] = "ops"
    data["lanes"][0]["height"] = 3
    data["cards"][0]["id"] = "abc"
    data["cards"][0]["position"] = 7
    data["emotions"][0]["confidence"] = "high"
    ws_a, ws_b = Workspace(), Workspace()
    m_a = add_imported(ws_a, data)
    m_b = add_imported(ws_b, valid_doc())
    assert content(m_a, ws_a) == content(m_b, ws_b)
    # A "position" or "id" in the file does not override the domain's own.
    assert m_a.ordered_cards()[0].position == 0
    assert "abc" not in m_a.cards


# =========================================================================== personas
def test_existing_persona_is_reused_and_not_modified() -> None:
    ws = Workspace()
    maria = Persona(name="Maria", role="CFO", goals=["Cut costs"])
    AddPersonaCommand(maria).apply(ws)
    before = copy.deepcopy(ws)

    m, new_personas = map_from_dict(example(), ws)

    assert new_personas == []
    assert m.persona_ids == [maria.id]
    assert [p.persona_id for p in m.emotions.values()] == [maria.id]
    assert ws == before
    assert (maria.role, maria.goals) == ("CFO", ["Cut costs"])
    AddMapCommand(m, new_personas).apply(ws)
    assert len(ws.personas) == 1


def test_only_unknown_personas_are_new_and_link_order_follows_the_file() -> None:
    ws = Workspace()
    ken = Persona(name="Ken")
    AddPersonaCommand(ken).apply(ws)
    data = valid_doc()
    data["personas"] = [{"name": "Zoë", "needs": ["Speed"], "notes": "n"}, {"name": "Ken"},
                        {"name": "Maria", "bio": "b", "motivations": ["m"], "channels": ["c"],
                         "tags": ["t"]}]
    m, new_personas = map_from_dict(data, ws)
    assert [p.name for p in new_personas] == ["Zoë", "Maria"]
    assert m.persona_ids == [new_personas[0].id, ken.id, new_personas[1].id]
    zoe, maria = new_personas
    assert (zoe.needs, zoe.notes) == (["Speed"], "n")
    assert (maria.bio, maria.motivations, maria.channels, maria.tags) == ("b", ["m"], ["c"],
                                                                          ["t"])
    assert all(p.id not in ws.personas for p in new_personas)


def test_existing_persona_entries_are_still_checked() -> None:
    ws = Workspace()
    AddPersonaCommand(Persona(name="Maria")).apply(ws)
    data = example()
    data["personas"][0]["goals"] = "not a list"
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, ws)
    assert caught.value.path == "$.personas[0].goals"


# =========================================================================== errors
def test_format_error_reads_as_path_and_message() -> None:
    data = valid_doc()
    data["cards"][3]["lane"] = "Feelin"
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    err = caught.value
    assert isinstance(err, ValueError)
    assert err.path == "$.cards[3].lane"
    assert err.message == "no lane named 'Feelin' in $.lanes"
    assert str(err) == "$.cards[3].lane: no lane named 'Feelin' in $.lanes"


@pytest.mark.parametrize("data", [[], "journeydesk.map", None, 1])
def test_top_level_must_be_an_object(data: Any) -> None:
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    assert caught.value.path == "$"
    assert "expected a JSON object" in caught.value.message


Mutation = Callable[[dict[str, Any]], None]


def put(*keys: Any, value: Any) -> Mutation:
    """Set ``doc[k1][k2]...[kn] = value``."""
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return mutate


def drop(*keys: Any) -> Mutation:
    """Delete ``doc[k1][k2]...[kn]``."""
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]
    return mutate


def append(*keys: Any, value: Any) -> Mutation:
    """Append ``value`` to the list ``doc[k1]...[kn]``."""
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys:
            target = target[key]
        target.append(value)
    return mutate


ALL_LANE_TYPES = ", ".join(t.value for t in LaneType)

ERROR_CASES: list[tuple[str, Mutation, str, str]] = [
    # header
    ("format missing", drop("format"), "$.format", "missing"),
    ("format wrong", put("format", value="journeydesk.workspace"), "$.format",
     "not a JourneyDesk map"),
    ("version newer", put("version", value=3), "$.version", "from a newer JourneyDesk"),
    ("version missing", drop("version"), "$.version", "missing"),
    ("version text", put("version", value="1"), "$.version", "whole number"),
    ("version bool", put("version", value=True), "$.version", "whole number"),
    ("version zero", put("version", value=0), "$.version", "whole number"),
    ("version float", put("version", value=1.0), "$.version", "whole number"),
    # the map's own fields
    ("name missing", drop("name"), "$.name", "missing"),
    ("name blank", put("name", value="   "), "$.name", "must not be empty"),
    ("name number", put("name", value=7), "$.name", "must be text"),
    ("description list", put("description", value=["a"]), "$.description", "must be text"),
    ("scale list", put("scale", value=[-2, 2]), "$.scale", "expected an object, got a list"),
    ("scale min text", put("scale", "min", value="-2"), "$.scale.min", "expected a number"),
    ("scale max bool", put("scale", "max", value=True), "$.scale.max",
     "expected a number, got true"),
    ("scale max nan", put("scale", "max", value=float("nan")), "$.scale.max", "finite"),
    ("scale inverted", put("scale", "min", value=3), "$.scale", "minimum must be below"),
    # personas
    ("personas object", put("personas", value={"name": "Maria"}), "$.personas",
     "expected a list, got an object"),
    ("persona text", put("personas", 1, value="Ken"), "$.personas[1]",
     "expected an object, got a string"),
    ("persona no name", drop("personas", 1, "name"), "$.personas[1].name", "missing"),
    ("persona empty name", put("personas", 1, "name", value=""), "$.personas[1].name",
     "must not be empty"),
    ("persona role number", put("personas", 0, "role", value=5), "$.personas[0].role",
     "must be text"),
    ("persona goals text", put("personas", 0, "goals", value="save time"),
     "$.personas[0].goals", "list of texts"),
    ("persona tags number", put("personas", 0, "tags", value=["a", 3]), "$.personas[0].tags",
     "must be text"),
    ("persona duplicate", put("personas", 1, "name", value="Maria"), "$.personas[1].name",
     "a second persona named 'Maria'"),
    ("persona duplicate spaced", put("personas", 1, "name", value=" Maria "),
     "$.personas[1].name", "a second persona named 'Maria'"),
    # stages and steps
    ("stages object", put("stages", value={}), "$.stages", "expected a list"),
    ("stage number", put("stages", 0, value=3), "$.stages[0]", "expected an object"),
    ("stage no name", drop("stages", 0, "name"), "$.stages[0].name", "missing"),
    ("stage duplicate", put("stages", 1, "name", value="Awareness"), "$.stages[1].name",
     "already a stage named 'Awareness'"),
    ("stage description", put("stages", 0, "description", value=1), "$.stages[0].description",
     "must be text"),
    ("stage events text", put("stages", 0, "events", value="home"), "$.stages[0].events",
     "list of texts"),
    ("stage events twice", put("stages", 0, "events", value=["home", "home"]),
     "$.stages[0].events", "twice"),
    ("steps empty", put("stages", 1, "steps", value=[]), "$.stages[1].steps",
     "at least one step"),
    ("steps object", put("stages", 1, "steps", value={"name": "x"}), "$.stages[1].steps",
     "expected a list"),
    ("step text", put("stages", 1, "steps", 1, value="Onboard"), "$.stages[1].steps[1]",
     "expected an object"),
    ("step duplicate", put("stages", 1, "steps", 1, "name", value="Sign up"),
     "$.stages[1].steps[1].name", "same name"),
    ("step name number", put("stages", 1, "steps", 0, "name", value=1),
     "$.stages[1].steps[0].name", "must be text"),
    ("step events null item", put("stages", 1, "steps", 1, "events", value=[None]),
     "$.stages[1].steps[1].events", "must be text"),
    # lanes
    ("lanes text", put("lanes", value="Doing"), "$.lanes", "expected a list"),
    ("lane type unknown", put("lanes", 1, "type", value="feelings"), "$.lanes[1].type",
     f"unknown lane type 'feelings' (expected one of: {ALL_LANE_TYPES})"),
    ("lane type null", put("lanes", 1, "type", value=None), "$.lanes[1].type",
     "unknown lane type"),
    ("lane duplicate", put("lanes", 1, "name", value="Doing"), "$.lanes[1].name",
     "already a lane named 'Doing'"),
    ("lane no name", drop("lanes", 0, "name"), "$.lanes[0].name", "missing"),
    ("lane blank name", put("lanes", 0, "name", value=" "), "$.lanes[0].name",
     "must not be empty"),
    # cards: placement
    ("cards object", put("cards", value={}), "$.cards", "expected a list"),
    ("card list", put("cards", 2, value=[]), "$.cards[2]", "expected an object, got a list"),
    ("card unknown stage", put("cards", 0, "stage", value="Awarenes"), "$.cards[0].stage",
     "no stage named 'Awarenes' in $.stages"),
    ("card no stage", drop("cards", 0, "stage"), "$.cards[0].stage", "missing"),
    ("card stage number", put("cards", 0, "stage", value=0), "$.cards[0].stage",
     "expected a name"),
    ("card no lane", drop("cards", 1, "lane"), "$.cards[1].lane", "missing"),
    ("card unknown lane", put("cards", 3, "lane", value="Feelin"), "$.cards[3].lane",
     "no lane named 'Feelin' in $.lanes"),
    ("card unknown step", put("cards", 2, "step", value="Onbaord"), "$.cards[2].step",
     "no step named 'Onbaord' in stage 'Trial'"),
    ("card step in single-step stage", put("cards", 0, "step", value="Look"),
     "$.cards[0].step", "no step named 'Look' in stage 'Awareness'"),
    ("card step position too big", put("cards", 2, "step", value=2), "$.cards[2].step",
     "no step at position 2"),
    ("card step position negative", put("cards", 2, "step", value=-1), "$.cards[2].step",
     "no step at position -1"),
    ("card step bool", put("cards", 2, "step", value=True), "$.cards[2].step",
     "expected a step name or position, got true"),
    # cards: fields
    ("card text number", put("cards", 1, "text", value=12), "$.cards[1].text", "must be text"),
    ("card text null", put("cards", 1, "text", value=None), "$.cards[1].text", "must be text"),
    ("card tags text", put("cards", 1, "tags", value="ads"), "$.cards[1].tags",
     "list of texts"),
    ("card tags number", put("cards", 1, "tags", value=["ads", 1]), "$.cards[1].tags",
     "must be text"),
    ("severity zero", put("cards", 1, "severity", value=0), "$.cards[1].severity",
     "from 1 to 5"),
    ("severity six", put("cards", 1, "severity", value=6), "$.cards[1].severity",
     "from 1 to 5"),
    ("severity bool", put("cards", 1, "severity", value=True), "$.cards[1].severity",
     "from 1 to 5"),
    ("severity fraction", put("cards", 1, "severity", value=2.5), "$.cards[1].severity",
     "whole number"),
    ("severity text", put("cards", 1, "severity", value="3"), "$.cards[1].severity",
     "whole number"),
    ("priority unknown", put("cards", 1, "priority", value="urgent"), "$.cards[1].priority",
     "low, medium, high"),
    ("colour name", put("cards", 1, "colour", value="red"), "$.cards[1].colour", "#rrggbb"),
    ("colour short", put("cards", 1, "colour", value="#12345"), "$.cards[1].colour",
     "#rrggbb"),
    ("channel number", put("cards", 1, "channel", value=5), "$.cards[1].channel",
     "must be text"),
    ("card events twice", put("cards", 1, "events", value=["a", "a"]), "$.cards[1].events",
     "twice"),
    # emotions
    ("emotions object", put("emotions", value={}), "$.emotions", "expected a list"),
    ("emotion text", put("emotions", 0, value="happy"), "$.emotions[0]",
     "expected an object"),
    ("score above scale", put("emotions", 0, "score", value=3), "$.emotions[0].score",
     "outside the map's scale -2..2"),
    ("score below custom scale", put("scale", value={"min": 0, "max": 10}),
     "$.emotions[1].score", "outside the map's scale 0..10"),
    ("score text", put("emotions", 0, "score", value="1"), "$.emotions[0].score",
     "expected a number"),
    ("score bool", put("emotions", 0, "score", value=False), "$.emotions[0].score",
     "expected a number, got false"),
    ("score null", put("emotions", 0, "score", value=None), "$.emotions[0].score",
     "expected a number, got null"),
    ("score infinite", put("emotions", 0, "score", value=float("inf")), "$.emotions[0].score",
     "finite"),
    ("score missing", drop("emotions", 0, "score"), "$.emotions[0].score", "missing"),
    ("emotion persona unlisted", put("emotions", 0, "persona", value="Bob"),
     "$.emotions[0].persona", "no persona named 'Bob' in $.personas"),
    ("emotion persona number", put("emotions", 0, "persona", value=1),
     "$.emotions[0].persona", "expected a name"),
    ("emotion unknown stage", put("emotions", 1, "stage", value="Nope"),
     "$.emotions[1].stage", "no stage named 'Nope'"),
    ("emotion no stage", drop("emotions", 1, "stage"), "$.emotions[1].stage", "missing"),
    ("emotion unknown step", put("emotions", 1, "step", value="Nope"), "$.emotions[1].step",
     "no step named 'Nope' in stage 'Trial'"),
    ("emotion label number", put("emotions", 0, "label", value=5), "$.emotions[0].label",
     "must be text"),
    ("persona point twice", append("emotions", value={"stage": "Awareness", "persona": "Maria",
                                                      "score": 0}),
     "$.emotions[2]", "a second point for persona 'Maria' at this step (the first is "
                      "$.emotions[0])"),
    ("map point twice", append("emotions", value={"stage": "Trial", "step": "Onboard",
                                                  "persona": None, "score": 0}),
     "$.emotions[2]", "a second point for the map at this step (the first is $.emotions[1])"),
]


def test_the_error_cases_base_document_is_valid() -> None:
    m, new_personas = map_from_dict(valid_doc(), Workspace())
    assert (len(m.stages), len(m.lanes), len(m.cards), len(m.emotions)) == (2, 2, 4, 2)
    assert len(new_personas) == 2


@pytest.mark.parametrize(("mutate", "path", "fragment"),
                         [case[1:] for case in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_invalid_file_names_the_path(mutate: Mutation, path: str, fragment: str) -> None:
    data = valid_doc()
    mutate(data)
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    assert caught.value.path == path
    assert fragment in caught.value.message
    assert str(caught.value) == f"{path}: {caught.value.message}"


def test_ambiguous_unnamed_step_reference_is_refused() -> None:
    data = valid_doc()
    data["stages"][1]["steps"] = [{"name": ""}, {}]
    data["cards"][1]["step"] = ""
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    assert caught.value.path == "$.cards[1].step"
    assert "several unnamed steps" in caught.value.message


def test_newer_version_message_names_both_versions() -> None:
    data = valid_doc()
    data["version"] = 7
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    assert str(caught.value) == (
        "$.version: this file is from a newer JourneyDesk (format version 7; this JourneyDesk "
        "reads up to version 2); update JourneyDesk to open it")


def test_workspace_is_unchanged_after_an_error() -> None:
    ws, _ = rich_workspace()
    before = copy.deepcopy(ws)
    data = valid_doc()
    data["personas"].append({"name": "María José", "role": "Overwritten?"})
    # Fails at the very end, after personas, stages, lanes and cards were all read.
    data["emotions"].append({"stage": "Awareness", "persona": "Maria", "score": 0})
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, ws)
    assert caught.value.path == "$.emotions[2]"
    assert ws == before
    assert ws.persona_named("María José").role == "Procurement lead"
    assert ws.persona_named("Maria") is None


def test_workspace_is_unchanged_by_a_successful_import() -> None:
    ws, m = rich_workspace()
    before = copy.deepcopy(ws)
    map_from_dict(map_to_dict(m, ws), ws)
    map_from_dict(valid_doc(), ws)
    assert ws == before


# =========================================================================== text
def test_loads_map_reports_malformed_json_with_line_and_column() -> None:
    text = '{\n  "format": "journeydesk.map",\n  "version": 1\n  "name": "x"\n}\n'
    with pytest.raises(FormatError) as caught:
        loads_map(text, Workspace())
    assert caught.value.path == "$"
    assert caught.value.message.startswith("not valid JSON: ")
    assert "line 4, column 3" in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "{", '{"format": "journeydesk.map",}'])
def test_loads_map_refuses_broken_text_at_the_root(text: str) -> None:
    with pytest.raises(FormatError) as caught:
        loads_map(text, Workspace())
    assert caught.value.path == "$"
    assert "line 1, column" in caught.value.message


def test_loads_map_accepts_a_byte_order_mark() -> None:
    m, new_personas = loads_map("\ufeff" + json.dumps(EXAMPLE), Workspace())
    assert m.name == "Trial to paid"
    assert [p.name for p in new_personas] == ["Maria"]


def test_loads_map_checks_the_structure_too() -> None:
    with pytest.raises(FormatError) as caught:
        loads_map('{"format": "journeydesk.map", "version": 3, "name": "x"}', Workspace())
    assert caught.value.path == "$.version"


# =========================================================================== the documentation
def test_the_documented_full_example_imports_and_round_trips() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "json-format.md").read_text(encoding="utf-8")
    section = doc.split("## Full example", 1)[1]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    ws = Workspace()
    m = add_imported(ws, json.loads(block))
    assert [s.name for s in m.stages] == ["Awareness", "Trial", "Purchase"]
    assert len(m.cards) == 6 and len(m.emotions) == 5
    assert [ws.persona(pid).name for pid in m.persona_ids] == ["Maria", "Ken"]
    exported = map_to_dict(m, ws)
    fresh = Workspace()
    assert map_to_dict(add_imported(fresh, exported), fresh) == exported


def test_persona_details_photo_and_segment_round_trip() -> None:
    from journeydesk.domain.commands import AddMapCommand
    from journeydesk.exchange.json_map import dumps_map, loads_map

    photo = bytes(range(256)) * 4
    text = json.dumps({
        "format": "journeydesk.map", "version": 1, "name": "M",
        "personas": [{"name": "Ana", "age_range": "35-44", "location": "Porto",
                      "tech_comfort": 2, "photo": base64.b64encode(photo).decode(),
                      "segment": {"platform": "mobile", "country": "PT"}}],
        "stages": [{"name": "S"}], "lanes": [{"name": "L", "type": "actions"}]})
    ws = Workspace()
    m, personas = loads_map(text, ws)
    (ana,) = personas
    assert (ana.age_range, ana.location, ana.tech_comfort) == ("35-44", "Porto", 2)
    assert ana.photo == photo and ana.segment == {"platform": "mobile", "country": "PT"}
    AddMapCommand(m, personas).apply(ws)
    again = Workspace()
    m2, p2 = loads_map(dumps_map(m, ws), again)
    assert p2[0].photo == photo and p2[0].segment == ana.segment


@pytest.mark.parametrize(("persona", "path"), [
    ({"name": "A", "photo": "not base64!"}, "$.personas[0].photo"),
    ({"name": "A", "photo": 12}, "$.personas[0].photo"),
    ({"name": "A", "tech_comfort": 9}, "$.personas[0].tech_comfort"),
    ({"name": "A", "segment": {"platform": ""}}, "$.personas[0].segment"),
    ({"name": "A", "segment": ["platform=mobile"]}, "$.personas[0].segment"),
])
def test_bad_persona_details_name_their_place(persona: dict, path: str) -> None:
    from journeydesk.exchange.json_map import FormatError, loads_map

    text = json.dumps({"format": "journeydesk.map", "version": 1, "name": "M",
                       "personas": [persona]})
    with pytest.raises(FormatError) as info:
        loads_map(text, Workspace())
    assert info.value.path == path
