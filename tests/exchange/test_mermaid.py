"""Mermaid user journeys: import rule by rule, export, round trips, and Mermaid's own parser.

The acceptance tests run ``tests/exchange/mermaid_check/check.mjs`` with Node: it parses text with
the journey grammar of the pinned ``mermaid`` npm package and prints what Mermaid read.  The
package is installed on first use (``npm ci``); without node, npm or the registry those tests are
skipped with the reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand, AddPersonaCommand
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
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.map_formats import ImportedMap, read_map, write_map
from journeydesk.exchange.mermaid import dumps_journey, loads_journey

CHECK_DIR = Path(__file__).parent / "mermaid_check"

# The example of Mermaid's documentation (user-journey page), with its indentation.
DOC_EXAMPLE = """journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""


def load(text: str, ws: Workspace | None = None) -> ImportedMap:
    return loads_journey(text, ws if ws is not None else Workspace())


def journey(*body: str, title: str | None = "Trip") -> str:
    head = ["journey"] + ([f"  title {title}"] if title is not None else [])
    return "\n".join(head + list(body)) + "\n"


def steps_of(m: JourneyMap) -> list[tuple[str, list[str]]]:
    return [(stage.name, [step.name for step in stage.steps]) for stage in m.stages]


def points_at(m: JourneyMap, step_name: str) -> dict[str | None, float]:
    """The emotion points at the step called ``step_name``: persona name (or None) -> score."""
    step = next(s for s in m.all_steps() if s.name == step_name)
    return {p.persona_id: p.score for p in m.emotions.values() if p.step_id == step.id}


def named_points(result: ImportedMap, ws: Workspace, step_name: str) -> dict[str | None, float]:
    names = {p.id: p.name for p in [*ws.personas.values(), *result.personas]}
    return {None if pid is None else names[pid]: score
            for pid, score in points_at(result.map, step_name).items()}


def add_to(ws: Workspace, result: ImportedMap) -> JourneyMap:
    AddMapCommand(result.map, result.personas).apply(ws)
    return result.map


def error_of(text: str) -> FormatError:
    with pytest.raises(FormatError) as info:
        load(text)
    return info.value


# =========================================================================== import rules
def test_title_sections_and_tasks_become_name_stages_and_steps() -> None:
    result = load(DOC_EXAMPLE)
    m = result.map
    assert m.name == "My working day"
    assert steps_of(m) == [
        ("Go to work", ["Make tea", "Go upstairs", "Do work"]),
        ("Go home", ["Go downstairs", "Sit down"]),
    ]
    assert result.warnings == []


def test_each_task_is_an_action_card_and_an_emotions_lane_is_made() -> None:
    m = load(DOC_EXAMPLE).map
    assert [(lane.name, lane.type) for lane in m.lanes] == [
        ("Actions", LaneType.ACTIONS), ("Emotions", LaneType.EMOTIONS)]
    actions = m.lanes[0]
    for step in m.all_steps():
        cards = m.cards_in(step.id, actions.id)
        assert [c.text for c in cards] == [step.name]
    assert len(m.cards) == 5


@pytest.mark.parametrize(("score", "expected"),
                         [("1", -2.0), ("2", -1.0), ("3", 0.0), ("4", 1.0), ("5", 2.0),
                          ("3.5", 0.5), ("+2", -1.0)])
def test_scores_map_linearly_onto_the_default_scale(score: str, expected: float) -> None:
    result = load(journey("  section S", f"    Task: {score}: Me"))
    assert named_points(result, Workspace(), "Task") == {"Me": expected}
    assert result.warnings == []


@pytest.mark.parametrize(("score", "read_as", "point"), [("0", "1", -2.0), ("7", "5", 2.0),
                                                          ("-3", "1", -2.0), ("5.5", "5", 2.0)])
def test_scores_outside_1_to_5_are_clamped_with_a_warning(score: str, read_as: str,
                                                          point: float) -> None:
    result = load(journey("  section S", "    Fine: 3", f"    Task: {score}: Me"))
    assert named_points(result, Workspace(), "Task") == {"Me": point}
    assert result.warnings == [
        f"line 5: the score {score} of task 'Task' is outside 1..5; it was read as {read_as}"]


def test_actors_become_new_personas_linked_to_the_map_with_a_point_each() -> None:
    ws = Workspace()
    result = load(DOC_EXAMPLE, ws)
    assert [p.name for p in result.personas] == ["Me", "Cat"]
    assert result.map.persona_ids == [p.id for p in result.personas]
    assert named_points(result, ws, "Do work") == {"Me": -2.0, "Cat": -2.0}
    assert named_points(result, ws, "Make tea") == {"Me": 2.0}
    assert ws.personas == {} and ws.maps == {}  # only read
    add_to(ws, result)  # the caller adds map and personas in one step
    assert {p.name for p in ws.personas.values()} == {"Me", "Cat"}


def test_existing_personas_are_reused_by_name() -> None:
    ws = Workspace()
    cat = Persona(name="Cat", role="Pet")
    AddPersonaCommand(cat).apply(ws)
    result = load(DOC_EXAMPLE, ws)
    assert [p.name for p in result.personas] == ["Me"]
    me = result.personas[0]
    assert result.map.persona_ids == [me.id, cat.id]
    assert points_at(result.map, "Do work") == {me.id: -2.0, cat.id: -2.0}
    assert ws.persona(cat.id).role == "Pet"
    add_to(ws, result)
    assert len(ws.personas) == 2


def test_a_task_without_actors_gives_the_map_its_own_point() -> None:
    result = load(journey("  section S", "    Alone: 4", "    Colon: 2:", "    Commas: 5: ,  ,"))
    m = result.map
    assert result.personas == [] and m.persona_ids == []
    assert points_at(m, "Alone") == {None: 1.0}
    assert points_at(m, "Colon") == {None: -1.0}  # an empty actor list is not a persona
    assert points_at(m, "Commas") == {None: 2.0}


def test_empty_entries_and_repeats_in_an_actor_list_are_dropped() -> None:
    result = load(journey("  section S", "    Task: 3: Me,, You , Me"))
    assert [p.name for p in result.personas] == ["Me", "You"]
    assert named_points(result, Workspace(), "Task") == {"Me": 0.0, "You": 0.0}


def test_comments_and_directives_are_skipped() -> None:
    text = "\n".join([
        "%% leading comment",
        "%%{init: {'theme': 'forest'}}%%",
        "",
        "journey",
        "  %% inside",
        "  title Trip  # a comment after the title",
        "  section S",
        "  %% Not a task: 1: Ghost",
        "  # Not a task either: 1: Ghost",
        "    Task: 3: Me # after the actors",
        "",
    ])
    result = load(text)
    assert result.map.name == "Trip"
    assert steps_of(result.map) == [("S", ["Task"])]
    assert [p.name for p in result.personas] == ["Me"]


def test_acc_title_is_accepted_and_acc_descr_becomes_the_description() -> None:
    result = load(journey("  accTitle: Accessible trip", "  accDescr: How we travel # all of it",
                          "  section S", "    Task: 3"))
    assert result.map.name == "Trip"
    assert result.map.description == "How we travel # all of it"
    assert result.warnings == []


def test_acc_descr_block_form_spans_lines() -> None:
    result = load(journey("  accDescr {", "    First line", "      second line: with colon",
                          "  }", "  section S", "    Task: 3"))
    assert result.map.description == "First line\nsecond line: with colon"
    assert steps_of(result.map) == [("S", ["Task"])]


def test_acc_descr_block_on_one_line_and_a_statement_after_the_brace() -> None:
    one_line = load(journey("  accDescr { All on one line }", "  section S", "    Task: 3"))
    assert one_line.map.description == "All on one line"
    after = load(journey("  accDescr {", "  text", "  } section S", "    Task: 3"))
    assert after.map.description == "text"
    assert steps_of(after.map) == [("S", ["Task"])]


def test_an_unclosed_acc_descr_block_is_an_error_at_its_opening_line() -> None:
    err = error_of(journey("  accDescr {", "  text", "  section S", "    Task: 3"))
    assert str(err) == "line 3: 'accDescr {' is never closed with '}'"


def test_tasks_before_any_section_go_to_a_first_stage_called_journey() -> None:
    result = load(journey("  Wake up: 4: Me", "  section Work", "    Type: 2: Me"))
    assert steps_of(result.map) == [("Journey", ["Wake up"]), ("Work", ["Type"])]
    assert result.warnings == [
        "line 3: tasks before the first section were put into a stage called 'Journey'"]


def test_the_implicit_stage_avoids_a_section_called_journey() -> None:
    result = load(journey("  Wake up: 4", "  section Journey", "    Type: 2"))
    assert [s.name for s in result.map.stages] == ["Journey (2)", "Journey"]


def test_duplicate_task_names_in_a_section_still_import() -> None:
    result = load(journey("  section S", "    Wait: 2", "    Wait: 1", "    Wait: 3",
                          "  section T", "    Wait: 4"))
    assert steps_of(result.map) == [("S", ["Wait", "Wait (2)", "Wait (3)"]), ("T", ["Wait"])]
    texts = [c.text for c in result.map.ordered_cards()]
    assert texts == ["Wait"] * 4  # the card keeps the task's own text
    assert points_at(result.map, "Wait (2)") == {None: -2.0}
    assert result.warnings == [
        "line 5: stage 'S' already has a task 'Wait'; its step is called 'Wait (2)'",
        "line 6: stage 'S' already has a task 'Wait'; its step is called 'Wait (3)'",
    ]


def test_duplicate_section_names_become_separate_stages() -> None:
    result = load(journey("  section S", "    A: 2", "  section S", "    B: 4"))
    assert steps_of(result.map) == [("S", ["A"]), ("S (2)", ["B"])]
    assert result.warnings == ["line 5: a second section 'S'; its stage is called 'S (2)'"]


def test_a_section_without_tasks_is_a_stage_with_one_unnamed_step() -> None:
    result = load(journey("  section Empty", "  section Full", "    Task: 3"))
    assert steps_of(result.map) == [("Empty", [""]), ("Full", ["Task"])]


def test_a_missing_title_names_the_map_imported_journey_with_a_warning() -> None:
    result = load(journey("  section S", "    Task: 3", title=None))
    assert result.map.name == "Imported journey"
    assert result.warnings == ["the journey has no title; the map is called 'Imported journey'"]


def test_front_matter_title_is_used() -> None:
    result = load("---\ntitle: 'From front matter'\n---\njourney\n  section S\n    Task: 3\n")
    assert result.map.name == "From front matter"
    assert result.warnings == []


def test_whitespace_indentation_crlf_tabs_and_bom_are_tolerated() -> None:
    text = ("\ufeff\r\n  JOURNEY  \r\n\ttitle    Trip   \r\nsection   Go to work  \r\n"
            "Make tea:5:Me,Cat\r\n\t\t  Go upstairs :  3 :  Me  \r\n\r\n")
    result = load(text)
    assert result.map.name == "Trip"
    assert steps_of(result.map) == [("Go to work", ["Make tea", "Go upstairs"])]
    assert [p.name for p in result.personas] == ["Me", "Cat"]
    assert named_points(result, Workspace(), "Go upstairs") == {"Me": 0.0}


def test_keywords_are_case_insensitive_as_in_mermaid() -> None:
    result = load("Journey\n  Title Trip\n  SECTION S\n    Task: 3\n")
    assert result.map.name == "Trip"
    assert steps_of(result.map) == [("S", ["Task"])]


def test_quoted_task_names_lose_their_quotes() -> None:
    result = load(journey("  section S", '    "Title search": 3', '    "Section 2": 4'))
    assert steps_of(result.map) == [("S", ["Title search", "Section 2"])]


def test_the_imported_map_is_valid_for_the_workspace() -> None:
    ws = Workspace()
    m = add_to(ws, load(DOC_EXAMPLE, ws))
    assert ws.map_named("My working day") is m


def test_read_map_reads_mmd_files(tmp_path: Path) -> None:
    path = tmp_path / "day.mmd"
    path.write_text(DOC_EXAMPLE.replace("\n", "\r\n"), encoding="utf-8")
    result = read_map(path, Workspace())
    assert result.map.name == "My working day"


# --------------------------------------------------------------------------- import errors
@pytest.mark.parametrize(("line", "message"), [
    ("    Task: good: Me", "line 7: the score of task 'Task' is 'good', not a number "
                         "(expected 1 to 5)"),
    ("    Task: 3x", "line 7: the score of task 'Task' is '3x', not a number (expected 1 to 5)"),
    ("    Task:", "line 7: task 'Task' has no score (expected a number from 1 to 5)"),
    ("    Task:  : Me", "line 7: task 'Task' has no score (expected a number from 1 to 5)"),
    ("    : 3: Me", "line 7: a task needs a name before ':'"),
    ("    Task without score", "line 7: expected 'title ...', 'section ...' or a task such as "
                               "'Name: 3: Actor' (got 'Task without score')"),
    ("    section", "line 7: 'section' needs a name after it"),
    ("    section A: 3", "line 7: a section name cannot contain ':' (got 'A: 3'); Mermaid reads "
                         "a line starting with 'section' as a section"),
    ("    title", "line 7: 'title' needs the journey's name after it"),
    ("journey", "line 7: a second 'journey' line; a file holds one user journey"),
])
def test_bad_lines_are_errors_naming_the_line(line: str, message: str) -> None:
    text = journey("  section S", "    One: 1", "  section T", "    Three: 3", line)
    err = error_of(text)
    assert str(err) == message
    assert err.path == "line 7"


@pytest.mark.parametrize(("text", "message"), [
    ("graph TD\n  A --> B\n", "line 1: a Mermaid user journey starts with 'journey', not "
                              "'graph TD'"),
    ("%% comment\n\n  title Trip\njourney\n", "line 3: a Mermaid user journey starts with "
                                              "'journey', not 'title Trip'"),
    ("journeys\n", "line 1: a Mermaid user journey starts with 'journey', not 'journeys'"),
])
def test_a_first_line_other_than_journey_is_an_error(text: str, message: str) -> None:
    assert str(error_of(text)) == message


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff", "\r\n"])
def test_empty_text_is_an_error(text: str) -> None:
    assert str(error_of(text)) == ("line 1: the text is empty; a Mermaid user journey starts "
                                   "with 'journey'")


def test_only_comments_is_an_error() -> None:
    assert str(error_of("%% nothing\n%% here")) == (
        "line 2: there is no 'journey' line; a Mermaid user journey starts with 'journey'")


def test_unclosed_front_matter_is_an_error() -> None:
    assert str(error_of("---\ntitle: x\njourney\n")) == (
        "line 1: the front matter started by '---' is never closed with another '---'")


# =========================================================================== export
def small_map() -> tuple[Workspace, JourneyMap, dict[str, Persona]]:
    """Two personas and two stages; step scores chosen to exercise the averaging rules."""
    ws = Workspace()
    ana, ben = Persona(name="Ana"), Persona(name="Ben")
    for persona in (ana, ben):
        ws.personas[persona.id] = persona
    stages = [
        Stage(name="Sign up", steps=[Step(name="Form"), Step(name=""), Step(name="")]),
        Stage(name="Use"),
    ]
    actions, notes = Lane(name="Doing"), Lane(name="Notes", type=LaneType.NOTES)
    m = JourneyMap(name="Trial", stages=stages, lanes=[notes, actions],
                   persona_ids=[ana.id, ben.id])
    ws.maps[m.id] = m
    form, second, third = stages[0].steps
    use = stages[1].steps[0]
    for card in (Card(second.id, notes.id, "A note"), Card(second.id, actions.id, "Confirm")):
        m.cards[card.id] = card
    for point in (
        EmotionPoint(form.id, 2.0, ana.id), EmotionPoint(form.id, -1.0, ben.id),   # avg 0.5 -> 4
        EmotionPoint(form.id, -2.0),                        # the map's own point: not used here
        EmotionPoint(second.id, -2.0),                      # only the map's point -> 1
        EmotionPoint(use.id, 1.0, ben.id),                  # one persona -> 4
    ):
        m.emotions[point.id] = point
    del third  # no card, no name, no point: named after its stage, score 3
    return ws, m, {"Ana": ana, "Ben": ben}


def test_export_text() -> None:
    ws, m, _ = small_map()
    assert dumps_journey(m, ws) == (
        "journey\n"
        "    title Trial\n"
        "    section Sign up\n"
        "      Form: 4: Ana, Ben\n"
        "      Confirm: 1\n"
        "      Sign up: 3\n"
        "    section Use\n"
        "      Use: 4: Ben\n"
    )


def test_scores_map_back_onto_1_to_5_rounding_halves_up() -> None:
    ws = Workspace()
    me = Persona(name="Me")
    ws.personas[me.id] = me
    scores = [-2.0, -1.5, -1.49, -0.5, 0.0, 0.49, 0.5, 1.5, 2.0]
    stage = Stage(name="S", steps=[Step(name=f"T{i}") for i in range(len(scores))])
    m = JourneyMap(name="M", stages=[stage], persona_ids=[me.id])
    for step, score in zip(stage.steps, scores, strict=True):
        point = EmotionPoint(step.id, score, me.id)
        m.emotions[point.id] = point
    tasks = dumps_journey(m, ws).splitlines()[3:]
    assert [line.split(":")[1].strip() for line in tasks] == [
        "1", "2", "2", "3", "3", "3", "4", "5", "5"]


def test_export_uses_the_maps_own_scale() -> None:
    ws = Workspace()
    stage = Stage(name="S", steps=[Step(name="Low"), Step(name="Mid"), Step(name="High")])
    m = JourneyMap(name="M", scale_min=0.0, scale_max=10.0, stages=[stage])
    for step, score in zip(stage.steps, (0.0, 6.0, 10.0), strict=True):
        point = EmotionPoint(step.id, score)
        m.emotions[point.id] = point
    assert dumps_journey(m, ws).splitlines()[3:] == ["      Low: 1", "      Mid: 3",
                                                       "      High: 5"]


def test_names_mermaid_would_misread_are_made_safe() -> None:
    ws = Workspace()
    odd = Persona(name="Smith, J: #1")
    ws.personas[odd.id] = odd
    steps = [Step(name="Step 1: Sign up"), Step(name="Line one\nline two"), Step(name="C# ; ok"),
             Step(name="Title search"), Step(name="journey planning"), Step(name="Section 2"),
             Step(name="%% off"), Step(name='"quoted"'), Step(name=":::")]
    stage = Stage(name="Stage: one # two", steps=steps)
    m = JourneyMap(name="Map #1; draft", description="One; line # with: all", stages=[stage],
                   persona_ids=[odd.id])
    point = EmotionPoint(steps[0].id, 0.0, odd.id)
    m.emotions[point.id] = point
    assert dumps_journey(m, ws) == (
        "journey\n"
        "    title Map 1, draft\n"
        "    accDescr: One; line # with: all\n"
        "    section Stage - one two\n"
        "      Step 1 - Sign up: 3: Smith J 1\n"
        "      Line one line two: 3\n"
        "      C , ok: 3\n"
        '      "Title search": 3\n'
        '      "journey planning": 3\n'
        '      "Section 2": 3\n'
        '      "% off": 3\n'
        '      ""quoted"": 3\n'
        "      Stage - one two: 3\n"
    )


def test_a_multi_line_description_is_an_acc_descr_block() -> None:
    ws = Workspace()
    m = JourneyMap(name="M", description="First {line}\n\n  Second line  ",
                   stages=[Stage(name="S")])
    text = dumps_journey(m, ws)
    assert text.splitlines()[2:7] == ["    accDescr {", "        First {line)", "",
                                      "        Second line", "    }"]
    assert load(text).map.description == "First {line)\n\nSecond line"


def test_a_map_without_stages_exports_a_bare_journey() -> None:
    assert dumps_journey(JourneyMap(name="Empty"), Workspace()) == "journey\n    title Empty\n"


def test_write_map_writes_mmd_files(tmp_path: Path) -> None:
    ws, m, _ = small_map()
    path = tmp_path / "out.mmd"
    write_map(m, ws, path)
    assert path.read_text(encoding="utf-8") == dumps_journey(m, ws)


# =========================================================================== round trips
def task_scores(text: str) -> list[tuple[str, str, int, list[str]]]:
    """(section, task, score, actors) for each task of an exported text."""
    section, out = "", []
    for raw in text.splitlines()[2:]:
        line = raw.strip()
        if line.startswith("section "):
            section = line.removeprefix("section ")
        elif ":" in line and not re.match(r"acc(Title|Descr)\s*:", line):
            name, score, *actors = (part.strip() for part in line.split(":"))
            out.append((section, name, int(score), actors[0].split(", ") if actors else []))
    return out


def test_round_trip_keeps_stages_steps_task_names_and_scores() -> None:
    ws, m, people = small_map()
    text = dumps_journey(m, ws)
    result = loads_journey(text, ws)
    back = result.map
    assert result.personas == []  # Ana and Ben are reused
    assert [s.name for s in back.stages] == [s.name for s in m.stages]
    assert [len(s.steps) for s in back.stages] == [len(s.steps) for s in m.stages]
    assert steps_of(back) == [("Sign up", ["Form", "Confirm", "Sign up"]), ("Use", ["Use"])]
    assert task_scores(dumps_journey(back, ws)) == task_scores(text)
    ana, ben = people["Ana"].id, people["Ben"].id
    assert points_at(back, "Form") == {ana: 1.0, ben: 1.0}  # both get the task's one score
    assert points_at(back, "Confirm") == {None: -2.0}
    assert points_at(back, "Sign up") == {None: 0.0}
    assert points_at(back, "Use") == {ben: 1.0}


def test_export_import_export_is_stable_for_the_sample_map() -> None:
    ws = Workspace()
    m, personas = sample_map()
    AddMapCommand(m, personas).apply(ws)
    text = dumps_journey(m, ws)
    result = loads_journey(text, ws)
    assert result.warnings == []
    assert result.map.name == m.name and result.map.description == m.description
    assert [s.name for s in result.map.stages] == [s.name for s in m.stages]
    assert dumps_journey(result.map, ws) == text


def test_import_export_keeps_the_documentation_example() -> None:
    ws = Workspace()
    result = loads_journey(DOC_EXAMPLE, ws)
    add_to(ws, result)
    assert task_scores(dumps_journey(result.map, ws)) == task_scores(DOC_EXAMPLE)


# =========================================================================== Mermaid itself
MermaidParse = Callable[[str], subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def mermaid_parse() -> MermaidParse:
    """Run check.mjs (the official journey parser) on a text; npm ci on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: cannot run Mermaid's own parser")
    if not (CHECK_DIR / "node_modules" / "mermaid" / "package.json").is_file():
        if npm is None:
            pytest.skip("npm is not installed and tests/exchange/mermaid_check/node_modules "
                        "is missing: cannot install Mermaid's parser")
        try:
            done = subprocess.run(
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=CHECK_DIR,
                capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci for Mermaid's parser timed out (offline?)")
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            errors = [line for line in output if line.startswith("npm error")] or output
            pytest.skip("npm ci for Mermaid's parser failed (offline?): "
                        + " | ".join(errors[:3]))

    def parse(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([node, "check.mjs"], cwd=CHECK_DIR, input=text,
                              capture_output=True, text=True, timeout=120, check=False)

    probe = parse("journey\n  title probe\n")
    if probe.returncode != 0:
        pytest.skip(f"check.mjs does not run with this node: {probe.stderr.strip()[-300:]}")
    return parse


def mermaid_reads(mermaid_parse: MermaidParse, text: str) -> dict[str, Any]:
    done = mermaid_parse(text)
    assert done.returncode == 0, f"Mermaid rejects the text:\n{text}\n{done.stderr}"
    return json.loads(done.stdout)


def what_we_meant(text: str) -> list[dict[str, Any]]:
    """The tasks Mermaid should read from our export: one per step, quotes included."""
    return [{"section": section, "task": task, "score": score, "people": people}
            for section, task, score, people in task_scores(text)]


def test_mermaid_accepts_our_export_and_reads_what_we_meant(mermaid_parse: MermaidParse) -> None:
    ws, m, _ = small_map()
    text = dumps_journey(m, ws)
    read = mermaid_reads(mermaid_parse, text)
    assert read["title"] == "Trial"
    assert read["sections"] == ["Sign up", "Use"]
    assert read["tasks"] == [
        {"section": "Sign up", "task": "Form", "score": 4, "people": ["Ana", "Ben"]},
        {"section": "Sign up", "task": "Confirm", "score": 1, "people": []},
        {"section": "Sign up", "task": "Sign up", "score": 3, "people": []},
        {"section": "Use", "task": "Use", "score": 4, "people": ["Ben"]},
    ]


def test_mermaid_accepts_the_sample_map(mermaid_parse: MermaidParse) -> None:
    ws = Workspace()
    m, personas = sample_map()
    AddMapCommand(m, personas).apply(ws)
    text = dumps_journey(m, ws)
    read = mermaid_reads(mermaid_parse, text)
    assert read["title"] == m.name
    assert read["accDescription"] == m.description
    assert read["sections"] == [s.name for s in m.stages]
    assert read["tasks"] == what_we_meant(text)
    assert len(read["tasks"]) == len(m.all_steps())


def test_mermaid_reads_unsafe_names_as_we_wrote_them(mermaid_parse: MermaidParse) -> None:
    ws = Workspace()
    odd = Persona(name="Smith, J: #1")
    ws.personas[odd.id] = odd
    names = ["Step 1: Sign up", "Line one\nline two", "C# ; ok", "Title search",
             "journey planning", "Section 2", "accDescr {x}", "accTitle: y", "%% off", "%x",
             "A%%b", '"quoted"', ":::", "10:30 call", "}"]
    stage = Stage(name="Stage: one # two", steps=[Step(name=n) for n in names])
    m = JourneyMap(name="Map #1; draft", description="Multi\nline } brace", stages=[stage],
                   persona_ids=[odd.id])
    for step in stage.steps:
        point = EmotionPoint(step.id, 1.0, odd.id)
        m.emotions[point.id] = point
    text = dumps_journey(m, ws)
    read = mermaid_reads(mermaid_parse, text)
    assert read["title"] == "Map 1, draft"
    assert read["accDescription"] == "Multi\n        line ) brace"
    assert read["sections"] == ["Stage - one two"]
    assert [t["people"] for t in read["tasks"]] == [["Smith J 1"]] * len(names)
    assert [t["score"] for t in read["tasks"]] == [4] * len(names)
    assert read["tasks"] == what_we_meant(text)
    # ... and our own import reads them back without the quotes.
    back = loads_journey(text, ws).map
    assert [s.name for s in back.all_steps()] == [
        "Step 1 - Sign up", "Line one line two", "C , ok", "Title search", "journey planning",
        "Section 2", "accDescr {x}", "accTitle - y", "% off", "%x", "A%%b", '"quoted"',
        "Stage - one two", "10 - 30 call", "}"]


def test_our_import_reads_what_mermaid_reads(mermaid_parse: MermaidParse) -> None:
    text = "\n".join([
        "journey", "  title My day # comment", "  accTitle: Day", "  accDescr: About my day",
        "  Wake up: 2", "  section Work", "    Tea: 5: Me, Cat", "    Typing: 1: Me # note",
        "  %% a comment", "    Lunch: 4: , Cat", "  section Home", "    Sleep: 3:", "",
    ])
    read = mermaid_reads(mermaid_parse, text)
    ws = Workspace()
    result = loads_journey(text, ws)
    m = result.map
    assert m.name == read["title"].strip()
    assert m.description == read["accDescription"]
    assert [s.name for s in m.stages][1:] == [s.strip() for s in read["sections"]]
    names = {p.id: p.name for p in result.personas}
    ours = []
    for step in m.all_steps():
        points = [p for p in m.emotions.values() if p.step_id == step.id]
        ours.append((step.name, {p.score + 3 for p in points},
                     sorted(names[p.persona_id] for p in points if p.persona_id)))
    theirs = [(t["task"].strip(), {float(t["score"])}, sorted(p for p in t["people"] if p))
              for t in read["tasks"]]
    assert ours == theirs


@pytest.mark.parametrize("text", [
    "journey\n  title Broken\n  section S\n    A task without a score\n",
    "journey\n  title Broken\n  section S\n    Task; with semicolon: 3\n",
    "journey\n  section S\n    Task: good\n",
    "graph TD\n  A --> B\n",
])
def test_mermaid_rejects_broken_text(mermaid_parse: MermaidParse, text: str) -> None:
    done = mermaid_parse(text)
    assert done.returncode == 1
    assert done.stderr.strip()
