"""Living-map fields through the file formats: JSON version 2, Excel (hidden copy, Cards and
Comments sheets, an edited grid) and the CSV of cards.

Every field round trips (evidence, source, value, effort, status, owner, the cards an
opportunity addresses, comments; the map's owner and review plan); version-1 files still
import with the defaults; hostile values are refused with one line naming their JSON path.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from journeydesk.domain.commands import (
    AddCommentCommand,
    AddMapCommand,
    EditCardCommand,
    RemoveCardCommand,
)
from journeydesk.domain.model import Comment, JourneyMap, Workspace
from journeydesk.exchange.csv_cards import dumps_cards_csv
from journeydesk.exchange.excel import build_workbook, read_map_xlsx, write_map_xlsx
from journeydesk.exchange.json_map import (
    FORMAT_VERSION,
    FormatError,
    dumps_map,
    loads_map,
    map_from_dict,
    map_to_dict,
)

LIVING: dict[str, Any] = {
    "format": "journeydesk.map", "version": 2, "name": "Checkout",
    "owner": "Ana Costa", "review_by": "2027-01-31", "review_days": 30,
    "stages": [{"name": "Cart"}, {"name": "Pay", "steps": [{"name": "Card"}, {"name": "Done"}]}],
    "lanes": [{"name": "Pains", "type": "pain_points"}, {"name": "Ideas", "type": "opportunities"}],
    "cards": [
        # the opportunity names a pain point that comes later in the file
        {"stage": "Cart", "lane": "Ideas", "text": "Guest checkout", "evidence": "research",
         "source": "https://wiki.example/interviews", "value": 5, "effort": 2,
         "status": "in_progress", "owner": "Bo", "addresses": ["signup", "slow"]},
        {"stage": "Cart", "lane": "Pains", "id": "signup", "text": "Sign-up wall",
         "severity": 4, "evidence": "measured", "source": "drop-off 41 %",
         "comments": [
             {"author": "Ana", "created_at": "2026-03-01T09:30:00+00:00",
              "text": "Seen in 7 of 9 sessions", "resolved": True},
             {"author": "Bo", "created_at": "2026-03-02T10:00:00+00:00",
              "text": "=still open?", "resolved": False}]},
        {"stage": "Pay", "step": "Card", "lane": "Pains", "id": "slow", "text": "Slow 3-D Secure",
         "evidence": "observed"},
        {"stage": "Pay", "step": "Done", "lane": "Ideas", "text": "Faster bank app hand-off",
         "value": 3, "status": "idea", "addresses": ["slow"]},
    ],
}


def imported(data: dict[str, Any], ws: Workspace | None = None) -> tuple[Workspace, JourneyMap]:
    ws = Workspace() if ws is None else ws
    m, personas = map_from_dict(copy.deepcopy(data), ws)
    AddMapCommand(m, personas).apply(ws)
    return ws, m


def card(m: JourneyMap, text: str):
    return next(c for c in m.cards.values() if c.text == text)


def living_content(m: JourneyMap) -> dict[str, Any]:
    """Every living field by card text (addressed cards by their texts too)."""
    cards = {}
    for c in m.cards.values():
        cards[c.text] = (c.evidence, c.source, c.value, c.effort, c.status, c.owner,
                         sorted(m.cards[cid].text for cid in c.addresses),
                         [(x.author, x.created_at, x.text, x.resolved)
                          for x in m.comments_of(c.id)])
    return {"map": (m.owner, m.review_by, m.review_days), "cards": cards}


# =========================================================================== JSON
def test_format_version_is_2() -> None:
    assert FORMAT_VERSION == 2


def test_every_living_field_is_read() -> None:
    _, m = imported(LIVING)
    assert (m.owner, m.review_by, m.review_days) == ("Ana Costa", "2027-01-31", 30)
    guest = card(m, "Guest checkout")
    assert (guest.evidence, guest.source, guest.value, guest.effort, guest.status,
            guest.owner) == ("research", "https://wiki.example/interviews", 5, 2,
                             "in_progress", "Bo")
    signup, slow = card(m, "Sign-up wall"), card(m, "Slow 3-D Secure")
    assert guest.addresses == [signup.id, slow.id]  # the file's keys became the new ids
    assert card(m, "Faster bank app hand-off").addresses == [slow.id]
    thread = m.comments_of(signup.id)
    assert [(c.author, c.created_at, c.text, c.resolved) for c in thread] == [
        ("Ana", "2026-03-01T09:30:00+00:00", "Seen in 7 of 9 sessions", True),
        ("Bo", "2026-03-02T10:00:00+00:00", "=still open?", False)]
    assert len(m.comments) == 2
    assert slow.evidence == "observed" and slow.value is None and slow.addresses == []


def test_json_round_trip_keeps_every_field_and_gives_the_same_dict() -> None:
    ws, m = imported(LIVING)
    first = map_to_dict(m, ws)
    assert first["version"] == 2
    ws2, m2 = imported(first)
    assert map_to_dict(m2, ws2) == first
    assert living_content(m2) == living_content(m)
    # through the text as well
    text = dumps_map(m, ws)
    ws3 = Workspace()
    m3, personas = loads_map(text, ws3)
    AddMapCommand(m3, personas).apply(ws3)
    assert dumps_map(m3, ws3) == text


def test_export_keys_addressed_cards_by_position_and_writes_only_what_is_set() -> None:
    ws, m = imported(LIVING)
    cards = map_to_dict(m, ws)["cards"]
    by_text = {c["text"]: c for c in cards}
    assert by_text["Guest checkout"]["addresses"] == [by_text["Sign-up wall"]["id"],
                                                      by_text["Slow 3-D Secure"]["id"]]
    for index, entry in enumerate(cards, start=1):
        if "id" in entry:
            assert entry["id"] == f"card-{index}"
    assert "id" not in by_text["Guest checkout"]  # nobody addresses it
    assert "evidence" not in map_to_dict(*reversed(imported({
        "format": "journeydesk.map", "version": 2, "name": "Plain", "stages": [{"name": "S"}],
        "lanes": [{"name": "L"}], "cards": [{"stage": "S", "lane": "L", "text": "x"}]})
    ))["cards"][0]
    assert by_text["Sign-up wall"]["comments"][0] == {
        "author": "Ana", "created_at": "2026-03-01T09:30:00+00:00",
        "text": "Seen in 7 of 9 sessions", "resolved": True}


def test_links_to_deleted_cards_and_their_comments_are_left_out_of_the_export() -> None:
    ws, m = imported(LIVING)
    slow = card(m, "Slow 3-D Secure")
    AddCommentCommand(m.id, Comment(slow.id, "gone soon", "Ana")).apply(ws)
    RemoveCardCommand(m.id, slow.id).apply(ws)
    assert slow.id in card(m, "Guest checkout").addresses  # the domain keeps the link
    data = map_to_dict(m, ws)
    by_text = {c["text"]: c for c in data["cards"]}
    assert by_text["Guest checkout"]["addresses"] == [by_text["Sign-up wall"]["id"]]
    assert "addresses" not in by_text["Faster bank app hand-off"]
    assert "gone soon" not in json.dumps(data)
    _, again = imported(data)
    assert card(again, "Guest checkout").addresses == [card(again, "Sign-up wall").id]


def test_a_comment_time_without_a_zone_is_utc_and_other_zones_are_converted() -> None:
    data = copy.deepcopy(LIVING)
    data["cards"][1]["comments"] = [
        {"text": "a", "created_at": "2026-03-01T09:30:00"},
        {"text": "b", "created_at": "2026-03-01T11:30:00+02:00"}]
    _, m = imported(data)
    assert [c.created_at for c in m.comments.values()] == ["2026-03-01T09:30:00+00:00"] * 2
    assert {c.author for c in m.comments.values()} == {""}
    assert not any(c.resolved for c in m.comments.values())


def test_a_version_1_file_imports_with_the_defaults() -> None:
    v1 = {"format": "journeydesk.map", "version": 1, "name": "Old",
          "stages": [{"name": "S"}], "lanes": [{"name": "L", "type": "pain_points"}],
          "cards": [{"stage": "S", "lane": "L", "text": "old card", "severity": 2}]}
    _, m = imported(v1)
    old = card(m, "old card")
    assert (old.evidence, old.source, old.value, old.effort, old.status, old.owner,
            old.addresses) == ("assumed", None, None, None, None, None, [])
    assert (m.owner, m.review_by, m.review_days, m.comments) == ("", None, None, {})


def test_a_version_1_file_keeps_ignoring_keys_it_did_not_know() -> None:
    """A version-1 writer may have used these names for something else: they are not read."""
    v1 = {"format": "journeydesk.map", "version": 1, "name": "Old", "owner": 42,
          "review_by": "soon", "stages": [{"name": "S"}], "lanes": [{"name": "L"}],
          "cards": [{"stage": "S", "lane": "L", "text": "x", "id": 7, "evidence": "lots",
                     "addresses": "all", "comments": "none", "value": "high"}]}
    _, m = imported(v1)
    x = card(m, "x")
    assert (x.evidence, x.value, x.addresses, m.owner, m.comments) == ("assumed", None, [],
                                                                         "", {})


def test_a_version_3_file_is_refused() -> None:
    data = copy.deepcopy(LIVING)
    data["version"] = 3
    with pytest.raises(FormatError) as caught:
        map_from_dict(data, Workspace())
    assert "reads up to version 2" in str(caught.value)


def _put(path: str, value: Any):
    def change(data: dict[str, Any]) -> None:
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


HOSTILE = [
    ("evidence unknown", "cards.0.evidence", "guesswork", "$.cards[0].evidence", "evidence"),
    ("evidence number", "cards.0.evidence", 3, "$.cards[0].evidence", "evidence"),
    ("value too high", "cards.0.value", 6, "$.cards[0].value", "1 to 5"),
    ("value huge", "cards.0.value", 10 ** 400, "$.cards[0].value", "1 to 5"),
    ("effort bool", "cards.0.effort", True, "$.cards[0].effort", "1 to 5"),
    ("effort fraction", "cards.0.effort", 2.5, "$.cards[0].effort", "1 to 5"),
    ("status unknown", "cards.0.status", "wip", "$.cards[0].status", "status"),
    ("owner number", "cards.0.owner", 5, "$.cards[0].owner", "text"),
    ("owner too long", "cards.0.owner", "o" * 5000, "$.cards[0].owner", "at most"),
    ("source list", "cards.0.source", ["a"], "$.cards[0].source", "text"),
    ("source surrogate", "cards.0.source", "x\ud800", "$.cards[0].source", "UTF-16"),
    ("addresses text", "cards.0.addresses", "signup", "$.cards[0].addresses", "list"),
    ("addresses unknown", "cards.0.addresses", ["nobody"], "$.cards[0].addresses",
     "no card with id 'nobody'"),
    ("addresses twice", "cards.0.addresses", ["slow", "slow"], "$.cards[0].addresses",
     "twice"),
    ("addresses itself", "cards.1.addresses", ["signup"], "$.cards[1].addresses", "itself"),
    ("id number", "cards.2.id", 3, "$.cards[2].id", "card key"),
    ("id empty", "cards.2.id", " ", "$.cards[2].id", "card key"),
    ("id twice", "cards.2.id", "signup", "$.cards[2].id", "second card with id 'signup'"),
    ("id too long", "cards.2.id", "k" * 300, "$.cards[2].id", "at most"),
    ("comments object", "cards.1.comments", {"text": "a"}, "$.cards[1].comments", "list"),
    ("comment text", "cards.1.comments.0", "hello", "$.cards[1].comments[0]", "object"),
    ("comment missing text", "cards.1.comments.0", {"author": "A"},
     "$.cards[1].comments[0].text", "missing"),
    ("comment empty", "cards.1.comments.0.text", "  ", "$.cards[1].comments[0]", "empty"),
    ("comment text number", "cards.1.comments.0.text", 1, "$.cards[1].comments[0].text",
     "text"),
    ("comment too long", "cards.1.comments.0.text", "c" * 6000, "$.cards[1].comments[0]",
     "at most"),
    ("comment surrogate", "cards.1.comments.0.text", "a\udfffb", "$.cards[1].comments[0]",
     "UTF-16"),
    ("author list", "cards.1.comments.0.author", ["A"], "$.cards[1].comments[0].author",
     "text"),
    ("time words", "cards.1.comments.0.created_at", "yesterday",
     "$.cards[1].comments[0].created_at", "not a date and time"),
    ("time number", "cards.1.comments.0.created_at", 20260301,
     "$.cards[1].comments[0].created_at", "date and time"),
    ("time huge", "cards.1.comments.0.created_at", "2" * 10_000,
     "$.cards[1].comments[0].created_at", "date and time"),
    ("resolved text", "cards.1.comments.0.resolved", "yes",
     "$.cards[1].comments[0].resolved", "true or false"),
    ("map owner number", "owner", 7, "$.owner", "text"),
    ("review date words", "review_by", "next week", "$.review_by", "not a date"),
    ("review date time", "review_by", "2027-01-31T10:00", "$.review_by", "not a date"),
    ("review days zero", "review_days", 0, "$.review_days", "review interval"),
    ("review days fraction", "review_days", 1.5, "$.review_days", "review interval"),
    ("review days huge", "review_days", 10 ** 400, "$.review_days", "review interval"),
]


@pytest.mark.parametrize(("where", "value", "path", "fragment"),
                         [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_values_are_refused_with_one_line(where: str, value: Any, path: str,
                                                  fragment: str) -> None:
    data = copy.deepcopy(LIVING)
    _put(where, value)(data)
    ws = Workspace()
    with pytest.raises(FormatError) as caught:
        loads_map(json.dumps(data), ws)
    message = str(caught.value)
    assert caught.value.path == path, message
    assert fragment in message
    assert "\n" not in message and len(message) < 300
    assert ws == Workspace()


# =========================================================================== Excel
def test_excel_round_trip_keeps_every_field(tmp_path: Path) -> None:
    ws, m = imported(LIVING)
    path = tmp_path / "living.xlsx"
    write_map_xlsx(m, ws, path)
    result = read_map_xlsx(path, Workspace())
    assert result.warnings == []
    assert living_content(result.map) == living_content(m)


def test_excel_cards_sheet_shows_the_living_columns(tmp_path: Path) -> None:
    ws, m = imported(LIVING)
    path = tmp_path / "living.xlsx"
    write_map_xlsx(m, ws, path)
    book = openpyxl.load_workbook(path)
    rows = list(book["Cards"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[10:17] == ["evidence", "source", "value", "effort", "status", "owner",
                             "addresses"]
    assert header[-1] == "picture"
    guest = next(dict(zip(header, row, strict=True)) for row in rows[1:]
                 if row[5] == "Guest checkout")
    assert (guest["evidence"], guest["source"], guest["value"], guest["effort"],
            guest["status"], guest["owner"], guest["addresses"]) == (
        "Heard in research", "https://wiki.example/interviews", 5, 2, "In progress", "Bo",
        "Sign-up wall\nSlow 3-D Secure")
    assert book.properties.description == ("Owner: Ana Costa · review by 2027-01-31 · data "
                                           "may age 30 days")


def test_excel_comments_sheet_lists_every_thread(tmp_path: Path) -> None:
    ws, m = imported(LIVING)
    path = tmp_path / "living.xlsx"
    write_map_xlsx(m, ws, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("Comments") == book.sheetnames.index("Cards") + 1
    sheet = book["Comments"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("Card", "Stage", "Lane", "Author", "Time", "Text", "Resolved"),
        ("Sign-up wall", "Cart", "Pains", "Ana", "2026-03-01 09:30 UTC",
         "Seen in 7 of 9 sessions", "yes"),
        ("Sign-up wall", "Cart", "Pains", "Bo", "2026-03-02 10:00 UTC", "=still open?", "no"),
    ]
    assert sheet["F3"].data_type == "s"  # user text is never a formula
    assert len(sheet.tables) == 1


def test_a_map_without_comments_has_no_comments_sheet(tmp_path: Path) -> None:
    data = copy.deepcopy(LIVING)
    del data["cards"][1]["comments"]
    ws, m = imported(data)
    book = build_workbook(m, ws)
    assert "Comments" not in book.sheetnames
    assert book.properties.description.startswith("Owner: Ana Costa")


def test_an_edited_grid_keeps_the_living_fields_of_cards_that_still_match(
        tmp_path: Path) -> None:
    ws, m = imported(LIVING)
    book = build_workbook(m, ws)
    journey = book["Journey"]
    # In Excel: the "Slow 3-D Secure" pain point is deleted, a new card typed into Cart/Ideas.
    found = [cell for row in journey.iter_rows() for cell in row
             if isinstance(cell.value, str) and "Slow 3-D Secure" in cell.value]
    assert len(found) == 1
    found[0].value = None
    for row in journey.iter_rows():
        for cell in row:
            if cell.value == "Guest checkout":
                cell.value = "Guest checkout\n\nSave the cart"
    path = tmp_path / "edited.xlsx"
    book.save(path)
    result = read_map_xlsx(path, Workspace())
    got = result.map
    assert any("changed after export" in w for w in result.warnings)
    assert (got.owner, got.review_by, got.review_days) == ("Ana Costa", "2027-01-31", 30)
    guest = card(got, "Guest checkout")
    assert (guest.evidence, guest.value, guest.status, guest.owner) == (
        "research", 5, "in_progress", "Bo")
    assert guest.addresses == [card(got, "Sign-up wall").id]  # the deleted card's link dropped
    assert card(got, "Faster bank app hand-off").addresses == []
    assert [c.text for c in got.comments_of(card(got, "Sign-up wall").id)] == [
        "Seen in 7 of 9 sessions", "=still open?"]
    assert card(got, "Save the cart").evidence == "assumed"


# =========================================================================== CSV
def test_csv_carries_the_living_columns_safely() -> None:
    data = copy.deepcopy(LIVING)
    data["cards"][0]["source"] = "=HYPERLINK(\"x\")"
    data["cards"][0]["owner"] = "@bo"
    _, m = imported(data)
    EditCardCommand(m.id, card(m, "Slow 3-D Secure").id, text="-slow").apply(Workspace(
        maps={m.id: m}))
    rows = list(csv.DictReader(io.StringIO(dumps_cards_csv(m))))
    guest = next(r for r in rows if r["text"] == "Guest checkout")
    assert (guest["evidence"], guest["source"], guest["value"], guest["effort"],
            guest["status"], guest["owner"], guest["addresses"]) == (
        "Heard in research", "'=HYPERLINK(\"x\")", "5", "2", "In progress", "'@bo",
        "Sign-up wall\n-slow")
    hand_off = next(r for r in rows if r["text"] == "Faster bank app hand-off")
    assert hand_off["addresses"] == "'-slow"  # an addressed text that starts like a formula
    signup = next(r for r in rows if r["text"] == "Sign-up wall")
    assert (signup["evidence"], signup["value"], signup["status"]) == (
        "Measured in data", "", "")
