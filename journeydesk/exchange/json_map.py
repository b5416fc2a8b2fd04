"""One journey map as JSON: format ``"journeydesk.map"``, version 2 (see docs/json-format.md).

Export (:func:`map_to_dict`, :func:`dumps_map`) writes a map with its linked personas; stages,
steps, lanes and personas are referred to by name, never by id, so the file is readable and can be
written by hand or by other tools.

Import (:func:`map_from_dict`, :func:`loads_map`) builds a *new* map with fresh ids and the list of
personas the workspace does not have yet (matched by name); the caller adds both in one undo step
with ``AddMapCommand(journey_map, new_personas)``.  The workspace passed in is only read.

Import is forward compatible: keys this version does not know are ignored, so a file from a later
JourneyDesk that only adds keys still opens.  A file whose ``"version"`` is newer than
:data:`FORMAT_VERSION` is refused, because a new version means the meaning of known keys changed.

The map is built by applying the domain's own edit commands to a private scratch workspace, so a
file can only produce a map the app itself could have made; each field is applied on its own so
that a :class:`DomainError` can be reported as a :class:`FormatError` at the exact JSON path.

Version 2 adds what keeps a map alive: each card's evidence, source and portfolio fields, the
cards an opportunity addresses (by the file's own card ``"id"`` keys, which are renumbered on
export and replaced by fresh ids on import), each card's comments, and the map's owner and
review date.  Version 1 files have none of these and import with the defaults.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from journeydesk.domain.commands import (
    AddCardCommand,
    AddCommentCommand,
    AddEmotionCommand,
    AddLaneCommand,
    AddPersonaCommand,
    AddStageCommand,
    Command,
    EditEmotionCommand,
    EditMapCommand,
    EditPersonaCommand,
    EditStageCommand,
    LinkPersonaCommand,
    check_card_field,
    check_events,
    check_step_name,
)
from journeydesk.domain.model import (
    CARD_FIELDS,
    DEFAULT_SCALE,
    PERSONA_FIELDS,
    Card,
    Comment,
    DomainError,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
    new_id,
)

FORMAT_NAME = "journeydesk.map"
FORMAT_VERSION = 2

# Written only when set, so a plain card stays a short line of JSON ("addresses" is written
# with the file's own card keys, and "evidence" only when it is not the default "assumed").
_OPTIONAL_CARD_FIELDS = tuple(key for key in CARD_FIELDS if key not in ("text", "addresses"))
# The map's version-2 fields, written only when set.
_OPTIONAL_MAP_FIELDS = ("owner", "review_by", "review_days")
# The card fields version 1 knows; a version-1 file's other keys are not read, whatever they
# hold (a version-1 writer may have used "id" or "owner" for something else).
_V1_CARD_FIELDS = ("text", "severity", "priority", "channel", "tags", "colour", "events",
                   "picture")
# A card's "id" key in a file: any text up to this long (the writer writes "card-1", ...).
MAX_CARD_KEY_CHARS = 200


class FormatError(ValueError):
    """A JSON map that cannot be imported; ``path`` points at the offending value.

    ``str(err)`` reads like ``$.cards[3].lane: no lane named 'Feelin' in $.lanes``.
    """

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# =========================================================================== export
def map_to_dict(m: JourneyMap, ws: Workspace) -> dict[str, Any]:
    """The export form of ``m`` (with its linked personas, looked up in ``ws``) as plain JSON data.

    Importing the result and exporting again gives an identical dict.
    """
    places = _step_places(m)
    lane_names = {lane.id: lane.name for lane in m.lanes}
    cards = m.ordered_cards()
    keys = _card_keys(cards)
    out: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": m.name,
        "description": m.description,
    }
    out.update((key, getattr(m, key)) for key in _OPTIONAL_MAP_FIELDS
               if getattr(m, key) not in (None, ""))
    return {
        **out,
        "scale": {"min": _plain_number(m.scale_min), "max": _plain_number(m.scale_max)},
        "personas": [_persona_to_dict(ws.persona(pid)) for pid in m.persona_ids],
        "stages": [_stage_to_dict(stage) for stage in m.stages],
        "lanes": [{"name": lane.name, "type": LaneType(lane.type).value} for lane in m.lanes],
        "cards": [
            _card_to_dict(card, places[card.step_id], lane_names[card.lane_id], keys, m)
            for card in cards
        ],
        "emotions": [
            _emotion_to_dict(point, places[point.step_id], ws)
            for point in _ordered_emotions(m)
        ],
    }


def dumps_map(m: JourneyMap, ws: Workspace) -> str:
    """``m`` as the text of a JSON map file (UTF-8 friendly, indented, ending in a newline)."""
    return json.dumps(map_to_dict(m, ws), indent=2, ensure_ascii=False) + "\n"


def _writes_steps(stage: Stage) -> bool:
    """Whether the stage needs a "steps" list; a lone unnamed step without events is implied."""
    return len(stage.steps) > 1 or any(step.name or step.events for step in stage.steps)


def _step_ref(stage: Stage, index: int) -> str | int:
    """How a card or emotion point names its step: by name, or by position when that is ambiguous.

    The domain allows several unnamed steps in one stage; only a position tells those apart.
    """
    name = stage.steps[index].name
    if sum(1 for step in stage.steps if step.name == name) == 1:
        return name
    return index


def _step_places(m: JourneyMap) -> dict[str, dict[str, Any]]:
    """For every step id, the ``stage``/``step`` keys that locate it in the file."""
    places: dict[str, dict[str, Any]] = {}
    for stage in m.stages:
        with_steps = _writes_steps(stage)
        for index, step in enumerate(stage.steps):
            place: dict[str, Any] = {"stage": stage.name}
            if with_steps:
                place["step"] = _step_ref(stage, index)
            places[step.id] = place
    return places


# Persona fields added after the first release are written only when set, so that files of
# personas without them look exactly as before.
_OPTIONAL_PERSONA_FIELDS = ("age_range", "location", "tech_comfort", "photo", "segment")


def _persona_to_dict(persona: Persona) -> dict[str, Any]:
    out = {key: _copy(getattr(persona, key)) for key in PERSONA_FIELDS
           if key not in _OPTIONAL_PERSONA_FIELDS}
    for key in _OPTIONAL_PERSONA_FIELDS:
        value = getattr(persona, key)
        if value in (None, "", {}):
            continue
        out[key] = base64.b64encode(value).decode("ascii") if key == "photo" else _copy(value)
    return out


def _stage_to_dict(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": stage.name,
        "description": stage.description,
        "events": list(stage.events),
    }
    if _writes_steps(stage):
        out["steps"] = [{"name": step.name, "events": list(step.events)} for step in stage.steps]
    return out


def _card_keys(cards: list[Card]) -> dict[str, str]:
    """The file's key ("card-N", N its place in the cards array from 1) of every card that
    another card addresses; links to cards no longer on the map are left out."""
    on_map = {card.id: index for index, card in enumerate(cards, start=1)}
    addressed = {cid for card in cards for cid in card.addresses if cid in on_map}
    return {cid: f"card-{on_map[cid]}" for cid in addressed}


def _card_to_dict(card: Card, place: dict[str, Any], lane_name: str, keys: dict[str, str],
                  m: JourneyMap) -> dict[str, Any]:
    out: dict[str, Any] = {**place, "lane": lane_name}
    if card.id in keys:
        out["id"] = keys[card.id]
    out["text"] = card.text
    for key in _OPTIONAL_CARD_FIELDS:
        value = getattr(card, key)
        if value in (None, "", []) or (key == "evidence" and value == "assumed"):
            continue
        out[key] = base64.b64encode(value).decode("ascii") if key == "picture" \
            else _copy(value)
    addresses = [keys[cid] for cid in card.addresses if cid in keys]
    if addresses:
        out["addresses"] = addresses
    thread = m.comments_of(card.id)
    if thread:
        out["comments"] = [{"author": c.author, "created_at": c.created_at, "text": c.text,
                            "resolved": c.resolved} for c in thread]
    return out


def _ordered_emotions(m: JourneyMap) -> list[EmotionPoint]:
    """Points by step (left to right), the map's own point first, then personas in link order."""
    step_rank = {step.id: i for i, step in enumerate(m.all_steps())}
    persona_rank = {pid: i for i, pid in enumerate(m.persona_ids)}
    return sorted(
        m.emotions.values(),
        key=lambda p: (step_rank[p.step_id],
                       -1 if p.persona_id is None else persona_rank.get(p.persona_id, -1)),
    )


def _emotion_to_dict(point: EmotionPoint, place: dict[str, Any], ws: Workspace) -> dict[str, Any]:
    out: dict[str, Any] = dict(place)
    if point.persona_id is not None:
        out["persona"] = ws.persona(point.persona_id).name
    out["score"] = _plain_number(point.score)
    if point.label:
        out["label"] = point.label
    return out


def _plain_number(value: float) -> int | float:
    """``2`` rather than ``2.0``: hand-written files use whole numbers for most scores."""
    return int(value) if float(value).is_integer() else value


def _copy(value: Any) -> Any:
    """Lists and dicts are copied so that the exported dict never aliases the live model."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


# =========================================================================== import
def loads_map(text: str, ws: Workspace) -> tuple[JourneyMap, list[Persona]]:
    """Parse the text of a JSON map file; see :func:`map_from_dict`.

    Text that is not JSON at all raises FormatError at path ``$`` giving the line and column.
    """
    # Editors on Windows like to save a byte-order mark, which json refuses.
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise FormatError(
            "$", f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise FormatError("$", "not readable: the JSON is nested too deeply") from None
    except ValueError:  # Python reads whole numbers of up to 4,300 digits
        raise FormatError("$", "not readable: it holds a number of thousands of digits") from None
    return map_from_dict(data, ws)


def map_from_dict(data: Any, ws: Workspace) -> tuple[JourneyMap, list[Persona]]:
    """Build a new map (fresh ids) from parsed JSON, plus the personas ``ws`` does not have yet.

    Personas are matched by name: one that ``ws`` already has is linked as it is (the file's
    copy of its fields is checked but not applied); the others are returned new, for the
    caller to add together with the map via ``AddMapCommand(journey_map, new_personas)``.
    ``ws`` is never modified.  Unknown keys are ignored.  Raises FormatError naming the JSON path
    of the first problem found.

    The map keeps the file's name even when ``ws`` has a map of that name (AddMapCommand will
    refuse it); a caller that wants to import anyway can rename it with ``unique_name`` first.
    """
    _check_header(data)
    linked, new_personas = _read_personas(data, ws)

    # Commands need a workspace; this private one holds the map while it is being built.
    scratch = Workspace(personas={p.id: p for p in linked})
    m = JourneyMap()
    scratch.maps[m.id] = m
    _read_map_fields(scratch, m, data)
    for persona in linked:
        _apply(scratch, LinkPersonaCommand(m.id, persona.id), "$.personas")
    _read_stages(scratch, m, data)
    _read_lanes(scratch, m, data)
    _read_cards(scratch, m, data)
    _read_emotions(scratch, m, data, {p.name: p.id for p in linked})
    return m, new_personas


def _check_header(data: Any) -> None:
    if not isinstance(data, dict):
        raise FormatError("$", f"expected a JSON object, got {_kind(data)}")
    if "format" not in data:
        raise FormatError("$.format", f"is missing; a JourneyDesk map file says {FORMAT_NAME!r}")
    if data["format"] != FORMAT_NAME:
        raise FormatError(
            "$.format", f"expected {FORMAT_NAME!r}, got {data['format']!r}: not a JourneyDesk map"
        )
    version = _required(data, "version", "$")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError("$.version", f"expected a whole number from 1, got {_kind(version)}")
    if version > FORMAT_VERSION:
        raise FormatError(
            "$.version",
            f"this file is from a newer JourneyDesk (format version {_short_number(version)}; "
            f"this JourneyDesk "
            f"reads up to version {FORMAT_VERSION}); update JourneyDesk to open it",
        )


def _read_personas(data: dict[str, Any], ws: Workspace) -> tuple[list[Persona], list[Persona]]:
    """The personas to link, in file order, and those among them that are new to ``ws``."""
    linked: list[Persona] = []
    new: list[Persona] = []
    seen: set[str] = set()
    for path, entry in _entries(data, "personas", "$"):
        persona = _read_persona(entry, path)
        if persona.name in seen:
            raise FormatError(f"{path}.name", f"a second persona named {persona.name!r}")
        seen.add(persona.name)
        existing = ws.persona_named(persona.name)
        if existing is None:
            new.append(persona)
            linked.append(persona)
        else:
            linked.append(existing)
    return linked, new


def _read_persona(entry: dict[str, Any], path: str) -> Persona:
    # A sandbox of its own: the persona's fields are checked without any name clash with ``ws``.
    sandbox = Workspace()
    persona = Persona(name=_required(entry, "name", path))
    _apply(sandbox, AddPersonaCommand(persona), f"{path}.name")
    for key in PERSONA_FIELDS:
        if key != "name" and key in entry:
            value = entry[key]
            if key == "photo" and value is not None:
                value = _decode_base64(value, f"{path}.photo", "a photo")
            _apply(sandbox, EditPersonaCommand(persona.id, **{key: value}), f"{path}.{key}")
    return persona


def _decode_base64(value: Any, path: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise FormatError(path, f"{what} must be base64 text")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise FormatError(path, f"{what} must be base64 text") from None


def _read_map_fields(scratch: Workspace, m: JourneyMap, data: dict[str, Any]) -> None:
    _apply(scratch, EditMapCommand(m.id, name=_required(data, "name", "$")), "$.name")
    if "description" in data:
        _apply(scratch, EditMapCommand(m.id, description=data["description"]), "$.description")
    if "scale" in data:
        scale = data["scale"]
        if not isinstance(scale, dict):
            raise FormatError("$.scale", f"expected an object, got {_kind(scale)}")
        low = _number(scale.get("min", DEFAULT_SCALE[0]), "$.scale.min")
        high = _number(scale.get("max", DEFAULT_SCALE[1]), "$.scale.max")
        _apply(scratch, EditMapCommand(m.id, scale_min=low, scale_max=high), "$.scale")
    for key in _OPTIONAL_MAP_FIELDS if data["version"] >= 2 else ():
        if key in data:
            _apply(scratch, EditMapCommand(m.id, **{key: data[key]}), f"$.{key}")


def _read_stages(scratch: Workspace, m: JourneyMap, data: dict[str, Any]) -> None:
    for path, entry in _entries(data, "stages", "$"):
        # The steps are made first and the stage added with them in one command: adding them
        # one by one would compare each new step's name with all those before it.
        steps = _read_steps(entry, path) if "steps" in entry else []
        stage = Stage(name=_required(entry, "name", path), steps=steps)
        _apply(scratch, AddStageCommand(m.id, stage), f"{path}.name")
        for key in ("description", "events"):
            if key in entry:
                _apply(scratch, EditStageCommand(m.id, stage.id, **{key: entry[key]}),
                       f"{path}.{key}")


def _read_steps(entry: dict[str, Any], path: str) -> list[Step]:
    """The stage's steps, each field checked as the step commands check it."""
    entries = _entries(entry, "steps", path)
    if not entries:
        raise FormatError(f"{path}.steps", "a stage has at least one step; leave out \"steps\" "
                                           "for a stage with a single unnamed step")
    steps: list[Step] = []
    named: set[str] = set()
    for step_path, step_entry in entries:
        step = Step()
        if "name" in step_entry:
            with _at(f"{step_path}.name"):
                step.name = check_step_name(step_entry["name"])
            if step.name in named:
                raise FormatError(f"{step_path}.name",
                                  "two steps of one stage have the same name")
            if step.name:
                named.add(step.name)
        if "events" in step_entry:
            with _at(f"{step_path}.events"):
                step.events = check_events(step_entry["events"], "step events")
        steps.append(step)
    return steps


def _read_lanes(scratch: Workspace, m: JourneyMap, data: dict[str, Any]) -> None:
    for path, entry in _entries(data, "lanes", "$"):
        with _at(f"{path}.type"):
            lane_type = LaneType.parse(entry.get("type", LaneType.ACTIONS.value))
        lane = Lane(name=_required(entry, "name", path), type=lane_type)
        _apply(scratch, AddLaneCommand(m.id, lane), f"{path}.name")


def _read_cards(scratch: Workspace, m: JourneyMap, data: dict[str, Any]) -> None:
    places = _Places(m)
    lanes = {lane.name: lane for lane in m.lanes}
    entries = _entries(data, "cards", "$")
    living = data["version"] >= 2
    # The file's card keys, each given a fresh id first: "addresses" may name a later card.
    fresh = _card_ids(entries) if living else {}
    for path, entry in entries:
        step_id = places.locate(entry, path)
        lane_name = _name_ref(entry, "lane", path)
        lane = lanes.get(lane_name)
        if lane is None:
            raise FormatError(f"{path}.lane", f"no lane named {lane_name!r} in $.lanes")
        card = Card(step_id=step_id, lane_id=lane.id, id=fresh.get(path) or new_id())
        # Each field is checked as EditCardCommand checks it, to name its own path; then the
        # card is added whole (one command per card, not one per field).
        for key in CARD_FIELDS if living else _V1_CARD_FIELDS:
            if key in entry:
                value = entry[key]
                if key == "picture" and value is not None:
                    value = _decode_base64(value, f"{path}.picture", "a picture")
                with _at(f"{path}.{key}"):
                    value = check_card_field(key, value)
                if key == "addresses":
                    value = _addressed_ids(value, fresh, card.id, f"{path}.addresses")
                setattr(card, key, value)
        # Appended to its cell, so cell order is the order of the cards array.
        _apply(scratch, AddCardCommand(m.id, card), path)
        if living:
            _read_comments(scratch, m, card, entry, path)


def _card_ids(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """A fresh card id for each card's ``"id"`` key, by the card's path and by the key."""
    fresh: dict[str, str] = {}
    first_at: dict[str, str] = {}
    for path, entry in entries:
        if "id" not in entry:
            continue
        key = entry["id"]
        if not isinstance(key, str) or not key.strip():
            raise FormatError(f"{path}.id", f"expected a card key (a non-empty string), "
                                            f"got {_kind(key)}")
        key = key.strip()
        if len(key) > MAX_CARD_KEY_CHARS:
            raise FormatError(f"{path}.id", f"a card key may have at most "
                                            f"{MAX_CARD_KEY_CHARS} characters")
        if key in first_at:
            raise FormatError(f"{path}.id", f"a second card with id {key!r} (the first is "
                                            f"{first_at[key]})")
        first_at[key] = path
        fresh[path] = fresh["#" + key] = new_id()
    return fresh


def _addressed_ids(keys: list[str], fresh: dict[str, str], own_id: str, path: str
                   ) -> list[str]:
    """The new ids of the cards an opportunity addresses, named by their file keys."""
    ids = []
    for key in keys:
        card_id = fresh.get("#" + key)
        if card_id is None:
            shown = key if len(key) <= 40 else key[:37] + "..."
            raise FormatError(path, f"no card with id {shown!r} in $.cards")
        if card_id == own_id:
            raise FormatError(path, "an opportunity cannot address itself")
        ids.append(card_id)
    return ids


def _read_comments(scratch: Workspace, m: JourneyMap, card: Card, entry: dict[str, Any],
                   card_path: str) -> None:
    """A card's thread, oldest first; each comment checked as AddCommentCommand checks it."""
    for path, item in _entries(entry, "comments", card_path):
        comment = Comment(card_id=card.id, text=_required(item, "text", path))
        for key in ("text", "author"):
            if not isinstance(item.get(key, ""), str):
                raise FormatError(f"{path}.{key}", f"expected text, got {_kind(item[key])}")
        comment.author = item.get("author", "")
        if "created_at" in item:
            comment.created_at = _timestamp(item["created_at"], f"{path}.created_at")
        if "resolved" in item:
            if not isinstance(item["resolved"], bool):
                raise FormatError(f"{path}.resolved",
                                  f"expected true or false, got {_kind(item['resolved'])}")
            comment.resolved = item["resolved"]
        with _at(path):
            AddCommentCommand(m.id, comment).apply(scratch)


def _timestamp(value: Any, path: str) -> str:
    """A comment's time as stored: ISO 8601 in UTC (a time without a zone is taken as UTC)."""
    text = value.strip() if isinstance(value, str) else None
    if not text or len(text) > 40:
        raise FormatError(path, f"expected a date and time (ISO 8601, such as "
                                f"'2026-03-01T09:30:00+00:00'), got {_kind(value)}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FormatError(path, f"{text!r} is not a date and time (ISO 8601, such as "
                                "'2026-03-01T09:30:00+00:00')") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _read_emotions(scratch: Workspace, m: JourneyMap, data: dict[str, Any],
                   persona_ids: dict[str, str]) -> None:
    first_at: dict[tuple[str, str | None], str] = {}
    places = _Places(m)
    for path, entry in _entries(data, "emotions", "$"):
        step_id = places.locate(entry, path)
        persona_id = None
        persona_name = entry.get("persona")
        if persona_name is not None:
            persona_name = _name_ref(entry, "persona", path)
            persona_id = persona_ids.get(persona_name)
            if persona_id is None:
                raise FormatError(f"{path}.persona",
                                  f"no persona named {persona_name!r} in $.personas")
        score = _number(_required(entry, "score", path), f"{path}.score")
        with _at(f"{path}.score"):
            m.check_score(score)
        # Checked here, before the domain's own check, to point at the earlier entry.
        if (step_id, persona_id) in first_at:
            whose = "the map" if persona_name is None else f"persona {persona_name!r}"
            raise FormatError(path, f"a second point for {whose} at this step "
                                    f"(the first is {first_at[step_id, persona_id]})")
        first_at[step_id, persona_id] = path
        point = EmotionPoint(step_id=step_id, score=float(score), persona_id=persona_id)
        _apply(scratch, AddEmotionCommand(m.id, point), path)
        if "label" in entry:
            _apply(scratch, EditEmotionCommand(m.id, point.id, label=entry["label"]),
                   f"{path}.label")


class _Places:
    """Finds the step a card or emotion point names with its "stage" and "step" keys, by name
    look-ups made once for the whole map (a file may hold a great many cards)."""

    def __init__(self, m: JourneyMap):
        self.stages = {stage.name: stage for stage in m.stages}
        self.steps: dict[str, dict[str, list[Step]]] = {}
        for stage in m.stages:
            by_name = self.steps[stage.name] = {}
            for step in stage.steps:
                by_name.setdefault(step.name, []).append(step)

    def locate(self, entry: dict[str, Any], path: str) -> str:
        """The id of the step ``entry`` names; FormatError at ``path`` when there is none."""
        stage_name = _name_ref(entry, "stage", path)
        stage = self.stages.get(stage_name)
        if stage is None:
            raise FormatError(f"{path}.stage", f"no stage named {stage_name!r} in $.stages")
        ref = entry.get("step")
        if ref is None:
            return stage.steps[0].id
        if isinstance(ref, bool) or not isinstance(ref, (str, int)):
            raise FormatError(f"{path}.step",
                              f"expected a step name or position, got {_kind(ref)}")
        if isinstance(ref, int):
            if not 0 <= ref < len(stage.steps):
                raise FormatError(f"{path}.step", f"stage {stage.name!r} has no step at "
                                                  f"position {_short_number(ref)} (it has "
                                                  f"{len(stage.steps)}, from 0)")
            return stage.steps[ref].id
        matches = self.steps[stage.name].get(ref.strip(), [])
        if not matches:
            raise FormatError(f"{path}.step", f"no step named {ref!r} in stage {stage.name!r}")
        if len(matches) > 1:
            raise FormatError(f"{path}.step", f"stage {stage.name!r} has several unnamed "
                                              "steps; give the step's position (0-based) instead")
        return matches[0].id


# =========================================================================== helpers
@contextmanager
def _at(path: str) -> Iterator[None]:
    """Report a DomainError raised inside the block as a FormatError at ``path``."""
    try:
        yield
    except DomainError as err:
        raise FormatError(path, str(err)) from err


def _apply(scratch: Workspace, command: Command, path: str) -> None:
    with _at(path):
        command.apply(scratch)


def _entries(obj: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The objects of the optional list ``obj[key]``, each with its JSON path."""
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{path}.{key}", f"expected a list, got {_kind(value)}")
    entries = []
    for index, entry in enumerate(value):
        entry_path = f"{path}.{key}[{index}]"
        if not isinstance(entry, dict):
            raise FormatError(entry_path, f"expected an object, got {_kind(entry)}")
        entries.append((entry_path, entry))
    return entries


def _required(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise FormatError(f"{path}.{key}", "is missing")
    return obj[key]


def _name_ref(obj: dict[str, Any], key: str, path: str) -> str:
    """A required reference by name; stripped, as the domain strips the names it stores."""
    value = _required(obj, key, path)
    if not isinstance(value, str):
        raise FormatError(f"{path}.{key}", f"expected a name (a string), got {_kind(value)}")
    return value.strip()


def _number(value: Any, path: str) -> float:
    # bool is an int to Python but never a score; NaN and infinities are no place on a scale.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormatError(path, f"expected a number, got {_kind(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # a whole number too large for a float
        finite = False
    if not finite:
        raise FormatError(path, f"expected a finite number, got {_short_number(value)}")
    return value


def _short_number(value: int | float) -> str:
    """A number as a message shows it; a whole number of hundreds of digits by its size."""
    if isinstance(value, int) and abs(value) >= 10**20:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"a whole number of about {digits} digits"
    return repr(value)


def _kind(value: Any) -> str:
    """How a JSON value's type reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, (int, float)):
        return f"a number ({_short_number(value)})"
    return type(value).__name__
