"""The JSON persona file: export form, import with a free name, every error, shipped personas."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from journeydesk.domain.commands import AddPersonaCommand
from journeydesk.domain.model import PERSONA_FIELDS, Persona, Workspace
from journeydesk.exchange.json_map import FormatError
from journeydesk.exchange.json_persona import (
    FORMAT_NAME,
    FORMAT_VERSION,
    dumps_persona,
    loads_persona,
    persona_from_dict,
    persona_to_dict,
)

# A 1 x 1 PNG (as in tests/samples.py).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe3c52d1ac0000000049454e44ae426082")

PERSONAS = sorted((Path(__file__).parents[2] / "resources" / "personas").glob("*.json"))


def full_persona(name: str = "Maria Souza") -> Persona:
    """A persona with every field set to something other than its default."""
    return Persona(
        name=name, role="Procurement lead", quote="Show me the numbers – all of them.",
        bio="Ten years in procurement. Reads every contract twice.",
        goals=["Save time", "Avoid surprises"], frustrations=["Hidden fees"],
        needs=["Clear pricing"], motivations=["A smooth audit"], channels=["email", "phone"],
        tags=["b2b", "renewal"], notes="Met at the spring workshop.\nFollow up in May.",
        age_range="45-54", location="São Paulo", tech_comfort=3, photo=TINY_PNG,
        segment={"platform": "web", "customer_type": "returning"},
    )


def fields(p: Persona) -> dict[str, Any]:
    return {key: getattr(p, key) for key in PERSONA_FIELDS}


def workspace_with(*names: str) -> Workspace:
    ws = Workspace()
    for name in names:
        AddPersonaCommand(Persona(name=name, role="already here")).apply(ws)
    return ws


def snapshot(ws: Workspace) -> dict[str, dict[str, Any]]:
    return {pid: fields(p) for pid, p in ws.personas.items()}


def valid_doc() -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION,
            "persona": {"name": "Ana", "role": "Buyer", "goals": ["Join"]}}


# =========================================================================== export
def test_export_form() -> None:
    p = full_persona()
    data = persona_to_dict(p)
    assert list(data) == ["format", "version", "persona"]
    assert (data["format"], data["version"]) == ("journeydesk.persona", 1)
    inner = data["persona"]
    assert inner["name"] == "Maria Souza" and inner["segment"] == p.segment
    assert base64.b64decode(inner["photo"]) == TINY_PNG
    assert "id" not in inner
    # The export never aliases the live persona.
    inner["goals"].append("changed")
    inner["segment"]["x"] = "y"
    assert p.goals == ["Save time", "Avoid surprises"] and "x" not in p.segment


def test_unset_optional_fields_are_left_out() -> None:
    inner = persona_to_dict(Persona(name="Ken"))["persona"]
    for key in ("age_range", "location", "tech_comfort", "photo", "segment"):
        assert key not in inner
    assert inner["goals"] == [] and inner["role"] == ""


def test_dumps_is_indented_unescaped_and_ends_in_a_newline() -> None:
    text = dumps_persona(full_persona())
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert '\n  "persona": {\n    "name": "Maria Souza",' in text
    assert "São Paulo" in text and "–" in text and "\\u" not in text
    assert json.loads(text) == persona_to_dict(full_persona())


# =========================================================================== import
def test_round_trip_keeps_every_field_with_a_fresh_id() -> None:
    p = full_persona()
    ws = Workspace()
    q = loads_persona(dumps_persona(p), ws)
    assert fields(q) == fields(p)
    assert q.photo == TINY_PNG and q.segment == {"platform": "web", "customer_type": "returning"}
    assert q.id != p.id
    assert dumps_persona(q) == dumps_persona(p)
    AddPersonaCommand(q).apply(ws)
    assert ws.persona_named("Maria Souza") is q


def test_a_persona_of_the_workspace_can_be_copied_into_the_same_workspace() -> None:
    ws = Workspace()
    p = full_persona()
    AddPersonaCommand(p).apply(ws)
    before = snapshot(ws)
    q = loads_persona(dumps_persona(p), ws)
    assert snapshot(ws) == before
    assert q.name == "Maria Souza (2)" and q.id != p.id
    assert {k: v for k, v in fields(q).items() if k != "name"} == \
        {k: v for k, v in fields(p).items() if k != "name"}
    AddPersonaCommand(q).apply(ws)
    assert sorted(x.name for x in ws.personas.values()) == ["Maria Souza", "Maria Souza (2)"]


def test_name_clash_takes_the_first_free_name() -> None:
    ws = workspace_with("Ana", "Ana (2)", "Ana (4)")
    before = snapshot(ws)
    p = persona_from_dict(valid_doc(), ws)
    assert p.name == "Ana (3)"
    assert snapshot(ws) == before and len(ws.personas) == 3


def test_no_clash_keeps_the_name_and_names_are_trimmed() -> None:
    doc = valid_doc()
    doc["persona"]["name"] = "  Ana  "
    assert persona_from_dict(doc, workspace_with("Anna")).name == "Ana"
    # The trimmed name is what clashes.
    assert persona_from_dict(doc, workspace_with("Ana")).name == "Ana (2)"


def test_workspace_is_never_modified() -> None:
    ws = workspace_with("Ana")
    before = snapshot(ws)
    persona_from_dict(valid_doc(), ws)
    doc = valid_doc()
    doc["persona"]["tech_comfort"] = 0
    with pytest.raises(FormatError):
        persona_from_dict(doc, ws)
    assert snapshot(ws) == before


def test_minimal_file_gives_defaults_and_unknown_keys_are_ignored() -> None:
    doc = {"format": FORMAT_NAME, "version": 1, "exported_by": "another tool",
           "persona": {"name": "Ken", "favourite_colour": "teal"}}
    p = persona_from_dict(doc, Workspace())
    assert fields(p) == fields(Persona(name="Ken"))


def test_null_photo_and_tech_comfort_are_accepted() -> None:
    doc = valid_doc()
    doc["persona"].update(photo=None, tech_comfort=None)
    p = persona_from_dict(doc, Workspace())
    assert p.photo is None and p.tech_comfort is None


def test_byte_order_mark_is_ignored() -> None:
    p = loads_persona("\ufeff" + json.dumps(valid_doc()), Workspace())
    assert p.name == "Ana"


def test_an_older_version_is_read() -> None:
    # Version 1 is the oldest; the reader accepts every version up to its own.
    assert persona_from_dict(valid_doc(), Workspace()).role == "Buyer"


# =========================================================================== errors
def error_of(doc: Any) -> FormatError:
    with pytest.raises(FormatError) as caught:
        loads_persona(doc if isinstance(doc, str) else json.dumps(doc), Workspace())
    return caught.value


def with_header(**changes: Any) -> dict[str, Any]:
    doc = valid_doc()
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return doc


def with_persona(**changes: Any) -> dict[str, Any]:
    doc = valid_doc()
    for key, value in changes.items():
        if value is ...:
            del doc["persona"][key]
        else:
            doc["persona"][key] = value
    return doc


def test_text_that_is_not_json() -> None:
    err = error_of('{"format": "journeydesk.persona",\n  "version" 1}')
    assert err.path == "$"
    assert str(err) == "$: not valid JSON: Expecting ':' delimiter at line 2, column 13"


def test_json_nested_too_deeply() -> None:
    err = error_of("[" * 100_000 + "]" * 100_000)
    assert err.path == "$" and "nested too deeply" in err.message


def test_a_newer_version_says_it_is_from_a_newer_journeydesk() -> None:
    err = error_of(with_header(version=2))
    assert str(err) == ("$.version: this file is from a newer JourneyDesk (format version 2; "
                        "this JourneyDesk reads up to version 1); update JourneyDesk to open it")


def test_a_map_file_is_not_a_persona_file() -> None:
    err = error_of({"format": "journeydesk.map", "version": 1, "name": "M"})
    assert str(err) == ("$.format: expected 'journeydesk.persona', got 'journeydesk.map': "
                        "not a JourneyDesk persona file")


@pytest.mark.parametrize(("doc", "path", "message"), [
    ([valid_doc()], "$", "expected a JSON object, got a list"),
    ('"just text"', "$", "expected a JSON object, got a string ('just text')"),
    (None, "$", "expected a JSON object, got null"),
    (with_header(format=...), "$.format", "is missing"),
    (with_header(format="journeydesk.persona.v2"), "$.format", "not a JourneyDesk persona file"),
    (with_header(format=None), "$.format", "expected 'journeydesk.persona', got None"),
    (with_header(version=...), "$.version", "is missing"),
    (with_header(version="1"), "$.version", "expected a whole number from 1, got '1'"),
    (with_header(version=1.0), "$.version", "expected a whole number from 1"),
    (with_header(version=True), "$.version", "expected a whole number from 1"),
    (with_header(version=0), "$.version", "expected a whole number from 1, got 0"),
    (with_header(version=99), "$.version", "from a newer JourneyDesk (format version 99"),
    (with_header(persona=...), "$.persona", "is missing"),
    (with_header(persona=None), "$.persona", "expected an object, got null"),
    (with_header(persona=[{"name": "Ana"}]), "$.persona", "expected an object, got a list"),
    (with_header(persona="Ana"), "$.persona", "expected an object, got a string ('Ana')"),
    (with_persona(name=...), "$.persona.name", "is missing"),
    (with_persona(name=""), "$.persona.name", "persona name must not be empty"),
    (with_persona(name="   "), "$.persona.name", "persona name must not be empty"),
    (with_persona(name=7), "$.persona.name", "persona name must be text"),
    (with_persona(role=["Buyer"]), "$.persona.role", "persona role must be text"),
    (with_persona(quote=None), "$.persona.quote", "persona quote must be text"),
    (with_persona(bio=3), "$.persona.bio", "persona bio must be text"),
    (with_persona(notes=False), "$.persona.notes", "persona notes must be text"),
    (with_persona(age_range=30), "$.persona.age_range", "persona age range must be text"),
    (with_persona(location={}), "$.persona.location", "persona location must be text"),
    (with_persona(goals="Join"), "$.persona.goals", "persona goals must be a list of texts"),
    (with_persona(frustrations=[1]), "$.persona.frustrations", "persona frustrations must be text"),
    (with_persona(needs={"a": 1}), "$.persona.needs", "persona needs must be a list of texts"),
    (with_persona(motivations=None), "$.persona.motivations",
     "persona motivations must be a list of texts"),
    (with_persona(channels=["web", None]), "$.persona.channels", "persona channels must be text"),
    (with_persona(tags="vip"), "$.persona.tags", "persona tags must be a list of texts"),
    (with_persona(tech_comfort=0), "$.persona.tech_comfort",
     "tech comfort must be a whole number from 1 to 5"),
    (with_persona(tech_comfort=6), "$.persona.tech_comfort", "from 1 to 5"),
    (with_persona(tech_comfort=2.5), "$.persona.tech_comfort", "from 1 to 5"),
    (with_persona(tech_comfort=True), "$.persona.tech_comfort", "from 1 to 5"),
    (with_persona(tech_comfort="3"), "$.persona.tech_comfort", "from 1 to 5"),
    (with_persona(photo="not base64!"), "$.persona.photo", "a photo must be base64 text"),
    (with_persona(photo=12), "$.persona.photo", "a photo must be base64 text"),
    (with_persona(photo="ümlaut"), "$.persona.photo", "a photo must be base64 text"),
    (with_persona(photo=""), "$.persona.photo", "a persona photo must be image data"),
    (with_persona(segment=["platform=mobile"]), "$.persona.segment",
     "a segment must map attribute names to values"),
    (with_persona(segment="mobile"), "$.persona.segment", "a segment must map attribute names"),
    (with_persona(segment={"platform": ""}), "$.persona.segment",
     "segment value of 'platform' must not be empty"),
    (with_persona(segment={"platform": True}), "$.persona.segment",
     "segment value of 'platform' must be text or a number"),
    (with_persona(segment={"platform": None}), "$.persona.segment", "must be text or a number"),
    (with_persona(segment={" ": "mobile"}), "$.persona.segment",
     "a segment attribute must not be empty"),
])
def test_error_names_its_path(doc: Any, path: str, message: str) -> None:
    err = error_of(copy.deepcopy(doc))
    assert err.path == path
    assert message in err.message
    assert str(err) == f"{path}: {err.message}"


def test_a_too_large_photo_is_refused() -> None:
    big = base64.b64encode(b"\x89PNG" + bytes(2 * 1024 * 1024)).decode("ascii")
    err = error_of(with_persona(photo=big))
    assert err.path == "$.persona.photo" and "at most 2 MB" in err.message


def test_format_error_is_a_value_error() -> None:
    assert isinstance(error_of(with_header(version=2)), ValueError)


# =========================================================================== shipped personas
def test_personas_are_shipped() -> None:
    assert [p.name for p in PERSONAS] == ["first-time-visitor.json", "form-abandoner.json",
                                          "loyal-customer.json"]


@pytest.mark.parametrize("path", PERSONAS, ids=lambda p: p.stem)
def test_shipped_persona_loads_and_is_rich(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ws = Workspace()
    p = loads_persona(text, ws)
    AddPersonaCommand(p).apply(ws)
    assert p.name and p.role and p.quote and p.bio
    assert len(p.goals) == 3 and len(p.frustrations) == 3
    assert p.needs and p.motivations and p.tags and p.age_range and p.location
    assert p.channels and set(p.channels) <= {"web", "email", "mobile app", "phone", "store",
                                              "social", "chat", "sms"}
    assert p.tech_comfort is not None and p.segment
    assert p.photo is None
    # The file is in the writer's own form, so re-exporting changes nothing.
    assert dumps_persona(p) == text


def test_shipped_personas_match_the_membership_template_archetypes() -> None:
    roles = {path.stem: loads_persona(path.read_text(encoding="utf-8"), Workspace()).role
             for path in PERSONAS}
    assert roles == {"first-time-visitor": "First-time visitor",
                     "form-abandoner": "Form abandoner", "loyal-customer": "Loyal customer"}


def test_shipped_personas_can_all_join_one_workspace() -> None:
    ws = Workspace()
    for path in PERSONAS:
        AddPersonaCommand(loads_persona(path.read_text(encoding="utf-8"), ws)).apply(ws)
    assert len({p.name for p in ws.personas.values()}) == 3


# =========================================================================== the documentation
def test_the_documented_example_loads_and_round_trips() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "json-format.md").read_text(encoding="utf-8")
    section = doc.split("## Persona files", 1)[1]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    p = loads_persona(block, Workspace())
    assert (p.name, p.role, p.tech_comfort) == ("Noor Haddad", "First-time visitor", 4)
    assert p.segment == {"platform": "mobile"}
    assert persona_to_dict(p) == json.loads(block)


def test_the_documented_error_messages_are_the_real_ones() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "json-format.md").read_text(encoding="utf-8")
    section = doc.split("## Persona files", 1)[1]
    listed = section.split("```\n", 2)[1].strip().splitlines()
    real = [str(error_of(bad)) for bad in (
        {"format": "journeydesk.map", "version": 1},
        with_header(version=2),
        with_header(persona=...),
        with_persona(tech_comfort=9),
        with_persona(photo="?"),
        with_persona(segment={"platform": ""}),
    )]
    assert listed == real
