"""Mermaid user journeys (``.mmd``): a map as a Mermaid ``journey`` diagram and back.

A Mermaid user journey is a title, sections and tasks; each task has one score from 1 to 5 and
the actors taking part (see docs/mermaid-csv.md for the whole mapping)::

    journey
        title Trial to paid
        section Sign up
          Fill in the form: 3: Maria, Ken
          Confirm e-mail: 1: Maria

Import (:func:`loads_journey`): the title names the map, each section becomes a stage and each
task a step of it, named after the task, with the task as a card in an "Actions" lane (an
"Emotions" lane is added for the curves).  The score becomes an emotion point at that step for
each actor, mapped linearly onto the map's scale (1 -> minimum, 5 -> maximum), or one point of
the map itself when the task has no actors.  Actors become personas linked to the map; one the
workspace already has (same name) is reused.  As with the JSON import, the map is built with the
domain's own commands on a private scratch workspace, so a file can only produce a map the app
itself could have made; the workspace passed in is only read.

Export (:func:`dumps_journey`) writes text that Mermaid's own parser accepts (checked in the
tests with the pinned ``mermaid`` package).  Mermaid has one score per task, so a step's score is
the average of the linked personas' points there, and its actors are those personas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from journeydesk.domain.commands import (
    AddCardCommand,
    AddEmotionCommand,
    AddLaneCommand,
    AddPersonaCommand,
    AddStageCommand,
    Command,
    EditMapCommand,
    LinkPersonaCommand,
    check_step_name,
)
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
    unique_name,
)
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.map_formats import ImportedMap

SCORE_MIN, SCORE_MAX = 1, 5
NEUTRAL_SCORE = 3
DEFAULT_TITLE = "Imported journey"
# Mermaid puts tasks written before any section into a section without a name; stage names must
# not be empty, so that stage gets this name (or "Journey (2)"... when a section is so called).
IMPLICIT_STAGE = "Journey"
ACTIONS_LANE = "Actions"
EMOTIONS_LANE = "Emotions"

_COMMENT_AFTER_ONE = re.compile(r"[^}]%%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_JOURNEY = re.compile(r"journey\b", re.IGNORECASE)
_TITLE = re.compile(r"title(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
_SECTION = re.compile(r"section(?:\s+(.*))?", re.IGNORECASE | re.DOTALL)
_ACC_TITLE = re.compile(r"accTitle\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_ACC_DESCR = re.compile(r"accDescr\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_ACC_DESCR_BLOCK = re.compile(r"accDescr\s*\{(.*)", re.IGNORECASE | re.DOTALL)
# Mermaid's lexer tries these before a task name, so a task whose name starts like this would be
# read as something else (``Title search: 3`` is a title); such names are written in quotes.
_KEYWORD_START = re.compile(
    r"journey\b|title\s|section\s|acctitle\s*:|accdescr\s*[:{]|%|[^}]%%", re.IGNORECASE
)


# =========================================================================== import
@dataclass
class _Task:
    line: int
    name: str
    score: float
    actors: list[str]


@dataclass
class _Section:
    line: int
    name: str | None  # None: the tasks written before the first section
    tasks: list[_Task] = field(default_factory=list)


@dataclass
class _Journey:
    title: str | None = None
    title_line: int = 1
    description: str | None = None
    description_line: int = 1
    sections: list[_Section] = field(default_factory=list)
    # (line, message): shown to the user in line order
    warnings: list[tuple[int, str]] = field(default_factory=list)


def loads_journey(text: str, ws: Workspace) -> ImportedMap:
    """Build a new map (fresh ids) from the text of a Mermaid ``journey`` diagram.

    Returns the map, the personas ``ws`` does not have yet (for the caller to add with
    ``AddMapCommand(imported.map, imported.personas)``) and warnings for the user (a missing
    title, clamped scores, renamed duplicates...).  ``ws`` is never modified.  Raises FormatError
    at ``line N`` for text that is not a user journey.  Like the JSON import, the map keeps its
    title even when ``ws`` has a map of that name; the caller renames it if it wants to.
    """
    return _build(_parse(text), ws)


def _parse(text: str) -> _Journey:
    """The title, description, sections and tasks of the text, checked line by line."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    journey = _Journey()
    start = _skip_front_matter(lines, journey)
    seen_header = False
    index = start
    while index < len(lines):
        number, line = index + 1, lines[index].strip()
        index += 1
        if _is_comment(line):
            continue
        if not seen_header:
            if _code(line).lower() != "journey":
                raise FormatError(f"line {number}", "a Mermaid user journey starts with "
                                                    f"'journey', not {_shown(line)}")
            seen_header = True
            continue
        block = _ACC_DESCR_BLOCK.fullmatch(line)
        if block is not None:
            index, rest = _read_block(lines, index, number, block.group(1), journey)
            # Whatever follows the '}' on its line is the next statement (``index`` is the
            # number of that line).
            if not _is_comment(rest):
                _statement(journey, index, rest)
            continue
        _statement(journey, number, line)
    if not seen_header:
        if not any(line.strip() for line in lines):
            raise FormatError("line 1", "the text is empty; a Mermaid user journey starts "
                                        "with 'journey'")
        raise FormatError(f"line {len(lines)}", "there is no 'journey' line; a Mermaid user "
                                                "journey starts with 'journey'")
    return journey


def _skip_front_matter(lines: list[str], journey: _Journey) -> int:
    """The index after a YAML front matter block (``---`` ... ``---``), taking its title."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return 0
    for index in range(first + 1, len(lines)):
        line = lines[index].strip()
        if line == "---":
            return index + 1
        match = re.fullmatch(r"title\s*:\s*(.*)", line)
        if match and match.group(1).strip():
            journey.title = _unquote_yaml(match.group(1).strip())
            journey.title_line = index + 1
    raise FormatError(f"line {first + 1}", "the front matter started by '---' is never closed "
                                           "with another '---'")


def _unquote_yaml(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


def _read_block(lines: list[str], index: int, number: int, first: str,
                journey: _Journey) -> tuple[int, str]:
    """Read ``accDescr { ... }`` from just after the brace; the next index and text after '}'."""
    parts: list[str] = []
    text, line_index = first, index - 1
    while True:
        if "}" in text:
            inside, rest = text.split("}", 1)
            parts.append(inside.strip())
            break
        parts.append(text.strip())
        line_index += 1
        if line_index >= len(lines):
            raise FormatError(f"line {number}", "'accDescr {' is never closed with '}'")
        text = lines[line_index]
    journey.description = "\n".join(parts).strip()
    journey.description_line = number
    return line_index + 1, rest.strip()


def _statement(journey: _Journey, number: int, line: str) -> None:
    """One line of the diagram after the ``journey`` header (not blank, not a comment)."""
    where = f"line {number}"
    if _ACC_TITLE.fullmatch(line):
        return  # accepted; the map's name comes from the title
    acc_descr = _ACC_DESCR.fullmatch(line)
    if acc_descr is not None:
        journey.description = acc_descr.group(1).strip()
        journey.description_line = number
        return
    code = _code(line)
    if not code:
        return
    if _JOURNEY.match(code):
        raise FormatError(where, "a second 'journey' line; a file holds one user journey")
    title = _TITLE.fullmatch(code)
    if title is not None:
        if not title.group(1):
            raise FormatError(where, "'title' needs the journey's name after it")
        journey.title, journey.title_line = title.group(1).strip(), number
        return
    section = _SECTION.fullmatch(code)
    if section is not None:
        name = (section.group(1) or "").strip()
        if not name:
            raise FormatError(where, "'section' needs a name after it")
        if ":" in name:
            raise FormatError(where, f"a section name cannot contain ':' (got {_shown(name)}); "
                                     "Mermaid reads a line starting with 'section' as a section")
        journey.sections.append(_Section(number, name))
        return
    if ":" not in code:
        raise FormatError(where, "expected 'title ...', 'section ...' or a task such as "
                                 f"'Name: 3: Actor' (got {_shown(code)})")
    task = _task(journey, number, code)
    if not journey.sections:
        journey.sections.append(_Section(number, None))
    journey.sections[-1].tasks.append(task)


def _task(journey: _Journey, number: int, code: str) -> _Task:
    """A task line: ``name: score`` or ``name: score: actor, actor``."""
    where = f"line {number}"
    raw_name, data = code.split(":", 1)
    name = _unquote_task(raw_name.strip())
    if not name:
        raise FormatError(where, "a task needs a name before ':'")
    pieces = data.split(":")
    score_text = pieces[0].strip()
    if not score_text:
        raise FormatError(where, f"task {name!r} has no score (expected a number from "
                                 f"{SCORE_MIN} to {SCORE_MAX})")
    if not _NUMBER.fullmatch(score_text):
        raise FormatError(where, f"the score of task {name!r} is {score_text!r}, not a number "
                                 f"(expected {SCORE_MIN} to {SCORE_MAX})")
    score = float(score_text)
    if not SCORE_MIN <= score <= SCORE_MAX:
        clamped = min(max(score, SCORE_MIN), SCORE_MAX)
        journey.warnings.append((number, f"line {number}: the score {score_text} of task "
                                         f"{name!r} is outside {SCORE_MIN}..{SCORE_MAX}; it was "
                                         f"read as {clamped:g}"))
        score = clamped
    if len(pieces) > 2:
        journey.warnings.append((number, f"line {number}: the text after the actors of task "
                                         f"{name!r} was ignored (a task has a name, a score and "
                                         "actors)"))
    actors: list[str] = []
    if len(pieces) > 1:
        # An empty actor list (or an empty entry in it) is nobody, not a persona named "".
        for entry in pieces[1].split(","):
            actor = entry.strip()
            if actor and actor not in actors:
                actors.append(actor)
    return _Task(number, name, score, actors)


def _is_comment(line: str) -> bool:
    """A blank line or a comment: Mermaid's lexer skips a line starting with ``%`` (the
    documented form is ``%%``, which also covers directives like ``%%{init: ...}%%``) or with one
    character and ``%%``."""
    return not line or line.startswith("%") or _COMMENT_AFTER_ONE.match(line) is not None


def _code(line: str) -> str:
    """The line without a ``#`` comment (Mermaid's lexer skips from ``#`` to the line's end)."""
    return line.split("#", 1)[0].strip()


def _unquote_task(name: str) -> str:
    """Undo the quotes the export puts around task names Mermaid would misread."""
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        return name[1:-1].strip()
    return name


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _build(journey: _Journey, ws: Workspace) -> ImportedMap:
    """The map the parsed journey describes, made with domain commands on a scratch workspace."""
    warnings = list(journey.warnings)
    title = journey.title
    if not title:
        title = DEFAULT_TITLE
        warnings.append((0, f"the journey has no title; the map is called {DEFAULT_TITLE!r}"))

    linked, new_personas = _personas(journey, ws)
    scratch = Workspace(personas={p.id: p for p in linked})
    m = JourneyMap()
    scratch.maps[m.id] = m
    _apply(scratch, EditMapCommand(m.id, name=title), journey.title_line)
    if journey.description:
        _apply(scratch, EditMapCommand(m.id, description=journey.description),
               journey.description_line)
    for persona in linked:
        _apply(scratch, LinkPersonaCommand(m.id, persona.id), 1)
    actions = Lane(name=ACTIONS_LANE, type=LaneType.ACTIONS)
    _apply(scratch, AddLaneCommand(m.id, actions), 1)
    _apply(scratch, AddLaneCommand(m.id, Lane(name=EMOTIONS_LANE, type=LaneType.EMOTIONS)), 1)

    persona_ids = {p.name: p.id for p in linked}
    explicit = {s.name for s in journey.sections if s.name is not None}
    stage_names: set[str] = set()
    for section in journey.sections:
        if section.name is None:
            name = unique_name(IMPLICIT_STAGE, explicit)
            warnings.append((section.line, f"line {section.line}: tasks before the first "
                                           f"section were put into a stage called {name!r}"))
        else:
            name = unique_name(section.name, stage_names)
            if name != section.name:
                warnings.append((section.line, f"line {section.line}: a second section "
                                               f"{section.name!r}; its stage is called {name!r}"))
        # The steps are made first and the stage added with them in one command: adding them
        # one by one would compare each new step's name with all those before it.
        stage = Stage(name=name, steps=_steps(stage_name=name, tasks=section.tasks,
                                              warnings=warnings))
        _apply(scratch, AddStageCommand(m.id, stage), section.line)
        stage_names.add(stage.name)
        for step, task in zip(stage.steps, section.tasks, strict=False):
            card = Card(step_id=step.id, lane_id=actions.id, text=task.name)
            _apply(scratch, AddCardCommand(m.id, card), task.line)
            score = _to_scale(m, task.score)
            for actor in task.actors or [None]:
                point = EmotionPoint(step_id=step.id, score=score,
                                     persona_id=None if actor is None else persona_ids[actor])
                _apply(scratch, AddEmotionCommand(m.id, point), task.line)
    warnings.sort(key=lambda warning: warning[0])
    return ImportedMap(m, new_personas, [message for _, message in warnings])


def _steps(*, stage_name: str, tasks: list[_Task],
           warnings: list[tuple[int, str]]) -> list[Step]:
    """A step per task, named after it (with a suffix when the name is taken)."""
    steps: list[Step] = []
    taken: set[str] = set()
    for task in tasks:
        with _at(task.line):
            wanted = check_step_name(task.name)
        name = unique_name(wanted, taken)
        if name != wanted:
            warnings.append((task.line, f"line {task.line}: stage {stage_name!r} already has a "
                                        f"task {task.name!r}; its step is called {name!r}"))
        taken.add(name)
        steps.append(Step(name=name))
    return steps


def _personas(journey: _Journey, ws: Workspace) -> tuple[list[Persona], list[Persona]]:
    """The actors as personas to link (in order of appearance), and those new to ``ws``."""
    linked: list[Persona] = []
    new: list[Persona] = []
    seen: set[str] = set()
    for section in journey.sections:
        for task in section.tasks:
            for actor in task.actors:
                if actor in seen:
                    continue
                seen.add(actor)
                existing = ws.persona_named(actor)
                if existing is not None:
                    linked.append(existing)
                    continue
                persona = Persona(name=actor)
                # Checked in a sandbox of its own, as a new persona of an empty workspace.
                _apply(Workspace(), AddPersonaCommand(persona), task.line)
                linked.append(persona)
                new.append(persona)
    return linked, new


def _to_scale(m: JourneyMap, score: float) -> float:
    """A Mermaid score (1..5) as a point on the map's emotion scale, linearly."""
    fraction = (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)
    return m.scale_min + fraction * (m.scale_max - m.scale_min)


@contextmanager
def _at(line: int) -> Iterator[None]:
    try:
        yield
    except DomainError as err:
        raise FormatError(f"line {line}", str(err)) from err


def _apply(scratch: Workspace, command: Command, line: int) -> None:
    with _at(line):
        command.apply(scratch)


# =========================================================================== export
def dumps_journey(m: JourneyMap, ws: Workspace) -> str:
    """``m`` as the text of a Mermaid ``journey`` diagram (ending in a newline).

    One section per stage and one task per step.  A task is named after its step, else after the
    step's first card in an actions lane, else after its stage.  Its score is the average of the
    linked personas' emotion points at that step, mapped onto 1..5 and rounded, and its actors
    are those personas; a step where only the map itself has a point is scored by it, without
    actors; a step without points scores 3.  Characters Mermaid would misread are replaced (see
    docs/mermaid-csv.md), so names with ``:``, ``;`` or ``#`` do not come back unchanged.
    """
    lines = ["journey", f"    title {_safe_title(m.name)}"]
    lines += _description_lines(m.description)
    names = {pid: _safe_actor(ws.persona(pid).name) for pid in m.persona_ids}
    for number, stage in enumerate(m.stages, 1):
        lines.append(f"    section {_safe_text(stage.name) or f'Stage {number}'}")
        for step in stage.steps:
            task = _task_name(m, stage, step)
            score, actors = _score_and_actors(m, step, names)
            line = f"      {task}: {score}"
            # "Task: 3:" would give Mermaid an actor without a name: leave the colon out.
            if actors:
                line += f": {', '.join(actors)}"
            lines.append(line)
    return "\n".join(lines) + "\n"


def _description_lines(description: str) -> list[str]:
    text = description.strip()
    if not text:
        return []
    if "\n" not in text and "\r" not in text:
        return [f"    accDescr: {text}"]
    # The block ends at the first '}', so a brace inside the text becomes a parenthesis.
    body = [line.strip().replace("}", ")") for line in text.splitlines()]
    return ["    accDescr {", *(f"        {line}" if line else "" for line in body), "    }"]


def _task_name(m: JourneyMap, stage: Stage, step: Step) -> str:
    candidates = [step.name]
    for lane in m.lanes:
        if lane.type == LaneType.ACTIONS:
            candidates += [card.text for card in m.cards_in(step.id, lane.id)]
    candidates += [stage.name, "Step"]
    name = next(text for text in map(_safe_text, candidates) if text)
    # Quoted, a name cannot be taken for a keyword; a quoted name keeps its own quotes.  Only a
    # leading "%%" would still read as a comment after the opening quote: it becomes "%".
    name = re.sub(r"^%%+", "%", name)
    if _KEYWORD_START.match(name) or (len(name) >= 2 and name[0] == name[-1] == '"'):
        return f'"{name}"'
    return name


def _score_and_actors(m: JourneyMap, step: Step, names: dict[str, str]) -> tuple[int, list[str]]:
    scores: list[float] = []
    actors: list[str] = []
    for persona_id in m.persona_ids:
        point = m.emotion_at(step.id, persona_id)
        if point is not None:
            scores.append(point.score)
            if names[persona_id] not in actors:
                actors.append(names[persona_id])
    if not scores:
        own = m.emotion_at(step.id, None)
        if own is None:
            return NEUTRAL_SCORE, []
        scores = [own.score]
    return _to_mermaid(m, sum(scores) / len(scores)), actors


def _to_mermaid(m: JourneyMap, score: float) -> int:
    """A point on the map's scale as a whole Mermaid score 1..5 (halves round up)."""
    fraction = (score - m.scale_min) / (m.scale_max - m.scale_min)
    value = math.floor(SCORE_MIN + fraction * (SCORE_MAX - SCORE_MIN) + 0.5)
    return min(max(value, SCORE_MIN), SCORE_MAX)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_title(name: str) -> str:
    # A title runs to the line's end; '#' would start a comment and ';' is not allowed.
    return _one_line(name.replace("#", " ").replace(";", ",")) or DEFAULT_TITLE


def _safe_text(text: str) -> str:
    """A section or task name: one line, ':' (the field separator) as ' - ', no '#' or ';'."""
    parts = _one_line(text.replace("#", " ").replace(";", ",")).split(":")
    return " - ".join(part.strip() for part in parts if part.strip())


def _safe_actor(name: str) -> str:
    """An actor name: one line, without the ',' and ':' that separate actors and fields."""
    return _one_line(re.sub(r"[,:;#]", " ", name)) or "Persona"
