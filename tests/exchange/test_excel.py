"""The Excel exchange: the workbook's sheets as two independent readers see them (openpyxl and
python-calamine), formula safety, lossless round trips, plain workshop grids, lane type
guessing, untrusted files and cancelling an export."""

from __future__ import annotations

import copy
import io
import os
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

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
from journeydesk.exchange import excel
from journeydesk.exchange.excel import (
    build_workbook,
    cell_text,
    guess_lane_type,
    read_map_xlsx,
    split_cards,
    write_map_xlsx,
)
from journeydesk.exchange.json_map import FormatError, map_to_dict
from journeydesk.exchange.map_formats import ExportCancelled, read_map, write_map

# A 1 x 1 PNG (as in tests/samples.py).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
    "d06f78fb1f00051a029cd88420ba0000000049454e44ae426082")

# Texts a spreadsheet could mistake for formulas, or that XML could bend.
DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
    "+1",
    "-2 days",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "=1+1",
    "literal _x0041_ escape",
    "bell \x07 inside",
    "  spaces around  ",
]


# =========================================================================== fixtures
def rich_workspace() -> tuple[Workspace, JourneyMap]:
    """A map using everything the export carries, built with the domain's commands."""
    ws = Workspace()
    maria = Persona(
        name="María José", role="Procurement lead", quote="«Show me the numbers»",
        bio="Ten years in\nprocurement.", goals=["Save time", "Look good"],
        frustrations=["Hidden fees"], needs=["Clear pricing"], motivations=["Promotion"],
        channels=["email", "LinkedIn"], tags=["b2b"], notes="Met at the 2024 workshop.",
        age_range="35-44", location="Sevilla", tech_comfort=3, photo=TINY_PNG,
        segment={"platform": "web", "plan": "team"},
    )
    ken = Persona(name="Ken 健", role="Developer", photo=TINY_PNG * 3)
    for persona in (maria, ken):
        AddPersonaCommand(persona).apply(ws)
    m = JourneyMap(name="Trial → paid 🚀 & more", description="Línea uno\nline two",
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
    lanes = {t: Lane(name=f"{excel.LANE_TYPE_LABELS[t]} lane", type=t) for t in LaneType}
    for lane in lanes.values():
        AddLaneCommand(m.id, lane).apply(ws)

    def card(step: Step, lane_type: LaneType, text: str, index: int | None = None,
             **fields: Any) -> None:
        c = Card(step_id=step.id, lane_id=lanes[lane_type].id, text=text, **fields)
        AddCardCommand(m.id, c, index).apply(ws)

    card(awareness.steps[0], LaneType.ACTIONS, "Sees an ad on 小红书", severity=2,
         priority="low", channel="social", tags=["ads", "paid"], colour="#aabbcc",
         events=["ad_click"])
    card(awareness.steps[0], LaneType.ACTIONS, "Reads a review\nand a second line")
    card(awareness.steps[0], LaneType.ACTIONS, "Asks a friend", index=0)
    card(trial.steps[1], LaneType.PAIN_POINTS, "Tour is too long 😩", severity=5,
         priority="high")
    card(trial.steps[1], LaneType.PAIN_POINTS, "Too many e-mails", severity=2)
    card(trial.steps[1], LaneType.PAIN_POINTS, "No dark mode")
    card(trial.steps[2], LaneType.OPPORTUNITIES, "Invite by link", priority="medium",
         tags=["growth"])
    card(trial.steps[0], LaneType.TOUCHPOINTS, "Sign-up form", channel="web")
    card(trial.steps[0], LaneType.EMOTIONS, "Hopeful")
    card(purchase.steps[0], LaneType.THOUGHTS, "Is it worth it?")
    card(purchase.steps[1], LaneType.METRICS, "Conversion 12 %", colour="#00ff00")
    card(purchase.steps[1], LaneType.BACKSTAGE, "")
    card(purchase.steps[1], LaneType.NOTES, "Ask legal about\n\nthe invoice text")
    for text in DANGEROUS:
        card(purchase.steps[0], LaneType.NOTES, text)

    def point(step: Step, score: float, persona: Persona | None = None, label: str = "") -> None:
        p = EmotionPoint(step_id=step.id, score=score,
                         persona_id=None if persona is None else persona.id, label=label)
        AddEmotionCommand(m.id, p).apply(ws)

    point(trial.steps[1], -2.5, maria, "fatigué")
    point(awareness.steps[0], 1, maria, "curious")
    point(purchase.steps[1], 2, maria)
    point(awareness.steps[0], 0.5)
    point(awareness.steps[0], 2, ken)
    point(trial.steps[0], -1, ken, "=HYPERLINK(\"x\")")
    point(purchase.steps[1], 3.0, None, "relieved")
    return ws, m


def simple_workspace() -> tuple[Workspace, JourneyMap]:
    """Stages with a single unnamed step each (no step row), two lanes, no personas."""
    ws = Workspace()
    m = JourneyMap(name="Simple")
    AddMapCommand(m).apply(ws)
    stages = [Stage(name="Discover"), Stage(name="Buy")]
    for stage in stages:
        AddStageCommand(m.id, stage).apply(ws)
    doing = Lane(name="Doing")
    pains = Lane(name="Pains", type=LaneType.PAIN_POINTS)
    for lane in (doing, pains):
        AddLaneCommand(m.id, lane).apply(ws)
    AddCardCommand(m.id, Card(stages[0].steps[0].id, doing.id, "Searches")).apply(ws)
    AddCardCommand(m.id, Card(stages[1].steps[0].id, pains.id, "Slow", severity=3)).apply(ws)
    return ws, m


def imported_dict(result: Any, ws: Workspace) -> dict[str, Any]:
    """The JSON form of an imported map, with the personas it links (known or new)."""
    view = Workspace(personas={**ws.personas, **{p.id: p for p in result.personas}})
    view.maps[result.map.id] = result.map
    return map_to_dict(result.map, view)


@pytest.fixture
def rich(tmp_path: Path) -> tuple[Workspace, JourneyMap, Path]:
    ws, m = rich_workspace()
    path = tmp_path / "rich.xlsx"
    write_map_xlsx(m, ws, path)
    return ws, m, path


def calamine_rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")}


def save(book: Any, path: Path) -> Path:
    book.save(path)
    return path


# =========================================================================== export: Journey
def test_workbook_has_the_documented_sheets_and_a_hidden_copy(rich: Any) -> None:
    _, _, path = rich
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Journey", "Emotions", "Emotion chart", "Cards", "Stages",
                               "Lanes", "Personas", "_journeydesk"]
    assert [s.sheet_state for s in book.worksheets] == ["visible"] * 7 + ["hidden"]
    assert book.active.title == "Journey"
    assert book.properties.title == "Trial → paid 🚀 & more"
    meta = CalamineWorkbook.from_path(str(path)).sheets_metadata
    assert [str(s.visible) for s in meta][-1].endswith("Hidden")


def test_journey_grid_has_stages_steps_lanes_and_cards(rich: Any) -> None:
    _, m, path = rich
    sheet = openpyxl.load_workbook(path)["Journey"]
    rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]

    assert rows[0][:7] == ["Trial → paid 🚀 & more", "Awareness", "Trial", "", "", "Purchase",
                           ""]
    assert rows[1][:7] == ["", "", "Sign up", "Onboard", "Invite team", "", "Pay"]
    assert [row[0] for row in rows[2:]] == [lane.name for lane in m.lanes]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:A2", "B1:B2", "C1:E1", "F1:G1"} <= merged

    actions = rows[2]
    assert actions[1] == ("Asks a friend\n\nSees an ad on 小红书\n\n"
                          "Reads a review\nand a second line")
    pains = rows[2 + [lane.type for lane in m.lanes].index(LaneType.PAIN_POINTS)]
    assert pains[3] == ("[severity 5] Tour is too long 😩\n\n[severity 2] Too many e-mails"
                        "\n\nNo dark mode")
    notes = rows[2 + [lane.type for lane in m.lanes].index(LaneType.NOTES)]
    # openpyxl leaves Excel's _xHHHH_ escapes in place; cell_text decodes them.
    assert notes[5].split("\n\n") == DANGEROUS


def test_journey_grid_reads_the_same_in_calamine(rich: Any) -> None:
    _, m, path = rich
    rows = calamine_rows(path, "Journey")
    assert rows[0][1:3] == ["Awareness", "Trial"]
    assert rows[1][2:5] == ["Sign up", "Onboard", "Invite team"]
    lane_names = [row[0] for row in rows[2:]]
    assert lane_names == [lane.name for lane in m.lanes]
    notes = rows[2 + lane_names.index("Notes lane")]
    # calamine decodes the _xHHHH_ escapes as Excel does: the texts come back exactly.
    assert notes[5].split("\n\n") == DANGEROUS
    assert notes[6] == "Ask legal about\n\nthe invoice text"


def test_journey_sheet_looks_right(rich: Any) -> None:
    _, m, path = rich
    sheet = openpyxl.load_workbook(path)["Journey"]
    assert sheet.freeze_panes == "B3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddHeader.center.text == "Trial → paid 🚀 && more"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.column_dimensions["B"].width == excel.STEP_COLUMN_WIDTH
    assert 16 <= sheet.column_dimensions["A"].width <= 30

    lane_row = {lane.type: 3 + i for i, lane in enumerate(m.lanes)}
    fills = {t: sheet.cell(row, 3).fill.fgColor.rgb[-6:] for t, row in lane_row.items()}
    for lane_type, (_, cell_fill) in excel.LANE_FILLS.items():
        if lane_type is not LaneType.PAIN_POINTS:
            assert fills[lane_type] == cell_fill, lane_type
    heads = {t: sheet.cell(row, 1).fill.fgColor.rgb[-6:] for t, row in lane_row.items()}
    assert heads == {t: head for t, (head, _) in excel.LANE_FILLS.items()}
    assert len(set(heads.values())) == len(LaneType)

    # Pain points: the cell with a severity-5 card takes the deepest red.
    pain_row = lane_row[LaneType.PAIN_POINTS]
    assert sheet.cell(pain_row, 4).fill.fgColor.rgb[-6:] == excel.SEVERITY_FILLS[5]
    assert sheet.cell(pain_row, 3).fill.fgColor.rgb[-6:] == excel.LANE_FILLS[
        LaneType.PAIN_POINTS][1]

    card_cell = sheet.cell(lane_row[LaneType.ACTIONS], 2)
    assert card_cell.alignment.wrap_text and card_cell.alignment.vertical == "top"
    # Four lines of text (two cards, one with two lines, plus blank separators) and more.
    assert sheet.row_dimensions[lane_row[LaneType.ACTIONS]].height >= 5 * excel.LINE_HEIGHT
    assert sheet.cell(1, 2).font.bold and sheet.cell(1, 2).fill.fgColor.rgb[-6:] == \
        excel.STAGE_FILL


def test_map_without_steps_has_no_step_row_and_freezes_at_b2(tmp_path: Path) -> None:
    ws, m = simple_workspace()
    path = tmp_path / "simple.xlsx"
    write_map_xlsx(m, ws, path)
    sheet = openpyxl.load_workbook(path)["Journey"]
    assert sheet.freeze_panes == "B2"
    assert [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)] == [
        ["Simple", "Discover", "Buy"],
        ["Doing", "Searches", ""],
        ["Pains", "", "[severity 3] Slow"],
    ]
    assert not sheet.merged_cells.ranges


# =========================================================================== export: data sheets
def test_cards_sheet_has_one_row_per_card_in_both_readers(rich: Any) -> None:
    _, m, path = rich
    header = ["stage", "step", "lane", "lane type", "order", "text", "severity", "priority",
              "channel", "tags", "evidence", "source", "value", "effort", "status", "owner",
              "addresses", "picture"]
    book = openpyxl.load_workbook(path)
    rows = [[cell_text(v) if isinstance(v, str) else v for v in row]
            for row in book["Cards"].iter_rows(values_only=True)]
    assert rows[0] == header
    assert len(rows) == 1 + len(m.cards)
    living = ["Assumed", None, None, None, None, None, None]  # the living-map columns
    assert rows[1] == ["Awareness", None, "Actions lane", "Actions", 1, "Asks a friend", None,
                       None, None, None, *living, None]
    assert rows[2] == ["Awareness", None, "Actions lane", "Actions", 2, "Sees an ad on 小红书",
                       2, "low", "social", "ads, paid", *living, None]
    assert ["Trial", "Onboard", "Pain points lane", "Pain points", 1, "Tour is too long 😩",
            5, "high", None, None, *living, None] in rows

    cal = calamine_rows(path, "Cards")
    assert cal[0] == header
    assert len(cal) == 1 + len(m.cards)
    assert cal[2][:6] == ["Awareness", "", "Actions lane", "Actions", 2.0, "Sees an ad on 小红书"]
    assert [row[5] for row in cal[1:]] == [c.text for c in m.ordered_cards()]


def test_data_sheets_are_filterable_tables(rich: Any) -> None:
    _, _, path = rich
    book = openpyxl.load_workbook(path)
    expected = {"Cards": "A1:R", "Stages": "A1:D", "Lanes": "A1:B", "Emotions": "A1:E",
                "Personas": "A1:P"}
    for title, ref in expected.items():
        tables = book[title].tables
        assert len(tables) == 1, title
        table = next(iter(tables.values()))
        assert table.ref.startswith(ref)
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        assert book[title].freeze_panes == "A2"


def test_stages_lanes_emotions_and_personas_sheets(rich: Any) -> None:
    ws, m, path = rich
    stages = calamine_rows(path, "Stages")
    assert stages[0] == ["stage", "description", "events", "steps"]
    assert stages[1] == ["Awareness", "First contact", "home, promo", ""]
    assert stages[2] == ["Trial", "", "", "Sign up\nOnboard\nInvite team"]
    assert stages[3] == ["Purchase", "", "pricing", "(unnamed step)\nPay"]

    lanes = calamine_rows(path, "Lanes")
    assert lanes[0] == ["lane", "type"]
    assert [tuple(row) for row in lanes[1:]] == [
        (lane.name, excel.LANE_TYPE_LABELS[lane.type]) for lane in m.lanes]

    emotions = calamine_rows(path, "Emotions")
    assert emotions[0][:5] == ["stage", "step", "persona", "score", "label"]
    table = [row[:5] for row in emotions[1:] if any(row[:5])]
    assert len(table) == len(m.emotions)
    assert ["Trial", "Onboard", "María José", -2.5, "fatigué"] in table
    assert ["Awareness", "", "(map)", 0.5, ""] in table
    assert ["Trial", "Sign up", "Ken 健", -1.0, '=HYPERLINK("x")'] in table

    personas = openpyxl.load_workbook(path)["Personas"]
    rows = list(personas.iter_rows(values_only=True))
    assert rows[0][:4] == ("name", "role", "quote", "bio")
    assert len(rows) == 1 + len(m.persona_ids)
    maria = dict(zip(rows[0], rows[2], strict=True))
    assert maria["name"] == "María José"
    assert maria["goals"] == "Save time\nLook good"
    assert maria["channels"] == "email, LinkedIn"
    assert maria["tech comfort"] == 3
    assert maria["segment"] == "platform = web\nplan = team"
    assert "photo" in maria["photo"]
    assert ws.persona(m.persona_ids[1]).name == "María José"


def test_emotion_curve_is_a_native_line_chart_with_one_series_per_persona(rich: Any) -> None:
    _, m, path = rich
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
        drawing_rels = archive.read("xl/worksheets/_rels/sheet3.xml.rels").decode()
    assert "<lineChart>" in chart
    # Two personas plus the map's own curve.
    assert chart.count("<ser>") == len(m.persona_ids) + 1
    # Categories: the six steps, as text.
    assert "<cat><strRef><f>'Emotions'!$G$2:$G$7</f>" in chart
    assert "drawing" in drawing_rels  # the chart has a sheet of its own, after Emotions
    block = calamine_rows(path, "Emotions")
    assert block[0][6:9] == ["step", "Ken 健", "María José"]
    assert block[0][9] == "(map)"
    assert [row[6] for row in block[1:7]] == [
        "Awareness", "Trial: Sign up", "Trial: Onboard", "Trial: Invite team",
        "Purchase: step 1", "Purchase: Pay"]
    # Ken's curve: 2 at Awareness, -1 at Sign up, gaps elsewhere.
    assert [row[7] for row in block[1:7]] == [2.0, -1.0, "", "", "", ""]


def test_chart_without_the_maps_own_curve_has_exactly_the_personas(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    for point_id in [p.id for p in m.emotions.values() if p.persona_id is None]:
        del m.emotions[point_id]
    path = tmp_path / "no-map-curve.xlsx"
    write_map_xlsx(m, ws, path)
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert chart.count("<ser>") == len(m.persona_ids) == 2


# =========================================================================== formula safety
def test_user_text_is_never_a_formula(rich: Any) -> None:
    _, m, path = rich
    for name, xml in sheet_xml(path).items():
        assert not re.search(r"<f[ >]", xml), f"{name} holds a formula"
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
    cards = [row[5] for row in book["Cards"].iter_rows(min_row=2, values_only=True)]
    read_back = [cell_text(v) if v is not None else "" for v in cards]
    assert read_back == [c.text for c in m.ordered_cards()]
    cal = [row[5] for row in calamine_rows(path, "Cards")[1:]]
    assert cal == [c.text for c in m.ordered_cards()]
    for text in DANGEROUS:
        assert text in cal


def test_dangerous_names_stay_text_everywhere(tmp_path: Path) -> None:
    ws = Workspace()
    persona = Persona(name="=cmd|' /C calc'!A0", role="@SUM(1)")
    AddPersonaCommand(persona).apply(ws)
    m = JourneyMap(name="=evil()")
    AddMapCommand(m).apply(ws)
    LinkPersonaCommand(m.id, persona.id).apply(ws)
    stage = Stage(name="=1+2", steps=[Step(name="+3"), Step(name="-4")])
    AddStageCommand(m.id, stage).apply(ws)
    lane = Lane(name="=HYPERLINK(\"http://x\",\"y\")")
    AddLaneCommand(m.id, lane).apply(ws)
    AddCardCommand(m.id, Card(stage.steps[0].id, lane.id, "=2*3", tags=["=x"])).apply(ws)
    AddEmotionCommand(m.id, EmotionPoint(stage.steps[0].id, 1, persona.id, "=y")).apply(ws)
    path = tmp_path / "evil.xlsx"
    write_map_xlsx(m, ws, path)
    for xml in sheet_xml(path).values():
        assert not re.search(r"<f[ >]", xml)
    journey = calamine_rows(path, "Journey")
    assert journey[0][:2] == ["=evil()", "=1+2"]
    assert journey[1][1:3] == ["+3", "-4"]
    assert journey[2][:2] == ["=HYPERLINK(\"http://x\",\"y\")", "=2*3"]
    assert calamine_rows(path, "Personas")[1][:2] == ["=cmd|' /C calc'!A0", "@SUM(1)"]
    result = read_map_xlsx(path, Workspace())
    assert imported_dict(result, Workspace()) == map_to_dict(m, ws)


def test_text_escapes_follow_the_standard() -> None:
    assert excel.excel_text("plain") == "plain"
    assert excel.excel_text("\rx") == "_x000D_x"
    assert excel.excel_text("a\x07b") == "a_x0007_b"
    assert excel.excel_text("_x0041_") == "_x005F_x0041_"
    for text in DANGEROUS + ["_x005F_", "tab\tand\nnewline", "𝄞 _xZZZZ_"]:
        assert cell_text(excel.excel_text(text)) == text


def test_long_texts_are_cut_in_cells_but_kept_whole_in_the_round_trip(tmp_path: Path) -> None:
    ws, m = simple_workspace()
    long_text = ("😀 long card " * 4_000).strip()  # over Excel's 32,767 units per cell
    card = next(iter(m.cards.values()))
    card.text = long_text
    path = tmp_path / "long.xlsx"
    write_map_xlsx(m, ws, path)
    shown = calamine_rows(path, "Journey")[1][1]
    assert shown.endswith("…")
    assert len(shown.encode("utf-16-le")) // 2 <= excel.EXCEL_CELL_LIMIT
    hidden = openpyxl.load_workbook(path)["_journeydesk"]
    chunks = [row[0] for row in hidden.iter_rows(min_row=7, max_col=1, values_only=True)]
    assert len(chunks) > 1
    assert all(len(c.encode("utf-16-le")) // 2 <= excel.CHUNK_UNITS for c in chunks)
    result = read_map_xlsx(path, Workspace())
    assert result.warnings == []
    assert next(iter(result.map.cards.values())).text == long_text


# =========================================================================== round trip
def test_rich_map_round_trips_without_loss(rich: Any) -> None:
    ws, m, path = rich
    result = read_map_xlsx(path, Workspace())
    assert result.warnings == []
    assert imported_dict(result, Workspace()) == map_to_dict(m, ws)
    assert {p.name for p in result.personas} == {"María José", "Ken 健"}
    assert next(p for p in result.personas if p.name == "Ken 健").photo == TINY_PNG * 3
    # Fresh ids, same content.
    assert result.map.id != m.id
    assert not set(result.map.cards) & set(m.cards)


def test_round_trip_into_a_workspace_that_knows_a_persona(rich: Any) -> None:
    ws, m, path = rich
    target = Workspace()
    AddPersonaCommand(Persona(name="Ken 健")).apply(target)
    before = copy.deepcopy(target)
    result = read_map_xlsx(path, target)
    assert [p.name for p in result.personas] == ["María José"]
    assert target == before
    ken = target.persona_named("Ken 健")
    assert ken is not None and ken.id in result.map.persona_ids


def test_map_formats_dispatches_xlsx(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    path = tmp_path / "via-dispatch.XLSX"
    write_map(m, ws, path)
    result = read_map(path, Workspace())
    assert imported_dict(result, Workspace()) == map_to_dict(m, ws)


def test_empty_map_round_trips(tmp_path: Path) -> None:
    ws = Workspace()
    m = JourneyMap(name="Blank")
    AddMapCommand(m).apply(ws)
    path = tmp_path / "blank.xlsx"
    write_map_xlsx(m, ws, path)
    assert imported_dict(read_map_xlsx(path, Workspace()), Workspace()) == map_to_dict(m, ws)


def test_missing_hidden_sheet_falls_back_to_the_grid(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    book = build_workbook(m, ws)
    del book["_journeydesk"]
    result = read_map_xlsx(save(book, tmp_path / "no-hidden.xlsx"), Workspace())
    got = result.map
    assert got.name == m.name  # from the workbook's title
    assert [s.name for s in got.stages] == ["Awareness", "Trial", "Purchase"]
    assert [[st.name for st in s.steps] for s in got.stages] == [
        [""], ["Sign up", "Onboard", "Invite team"], ["", "Pay"]]
    assert [lane.name for lane in got.lanes] == [lane.name for lane in m.lanes]
    assert [lane.type for lane in got.lanes] == [lane.type for lane in m.lanes]
    pains = [c for c in got.ordered_cards()
             if got.lane(c.lane_id).type is LaneType.PAIN_POINTS]
    assert [(c.text, c.severity) for c in pains] == [
        ("Tour is too long 😩", 5), ("Too many e-mails", 2), ("No dark mode", None)]
    actions = got.cards_in(got.stages[0].steps[0].id, got.lanes[0].id)
    assert [c.text for c in actions] == ["Asks a friend", "Sees an ad on 小红书",
                                         "Reads a review\nand a second line"]
    notes = got.lane_named("Notes lane")
    assert notes is not None
    in_cell = [c.text for c in got.cards_in(got.stages[2].steps[0].id, notes.id)]
    # Read back as the grid shows them: trimmed, a card per paragraph.
    assert in_cell == [t.strip() for t in DANGEROUS]
    assert result.personas == []


def test_damaged_hidden_sheet_falls_back_with_a_warning(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    book = build_workbook(m, ws)
    hidden = book["_journeydesk"]
    hidden["A7"].value = hidden["A7"].value[:-5] + "xxxxx"
    result = read_map_xlsx(save(book, tmp_path / "damaged.xlsx"), Workspace())
    assert any("damaged" in w and "checksum" in w for w in result.warnings)
    assert [s.name for s in result.map.stages] == ["Awareness", "Trial", "Purchase"]
    assert len(result.map.cards) >= len([c for c in m.cards.values() if c.text.strip()])


def test_hidden_sheet_from_a_newer_version_falls_back(tmp_path: Path) -> None:
    ws, m = simple_workspace()
    book = build_workbook(m, ws)
    book["_journeydesk"]["B2"].value = 99
    result = read_map_xlsx(save(book, tmp_path / "newer.xlsx"), Workspace())
    assert any("newer JourneyDesk" in w for w in result.warnings)
    assert [lane.name for lane in result.map.lanes] == ["Doing", "Pains"]


def replace_hidden_data(book: Any, data: dict[str, Any]) -> None:
    """Put ``data`` into the hidden sheet with valid checksums (as a careful forger would)."""
    text = excel._json_for_cells(data)
    hidden = book["_journeydesk"]
    hidden["B3"].value = 1
    hidden["B4"].value = excel._sha256(text)
    for row in range(7, hidden.max_row + 1):
        hidden.cell(row, 1).value = None
    hidden["A7"].value = text


def test_embedded_data_that_is_no_valid_map_falls_back_to_the_grid(tmp_path: Path) -> None:
    ws, m = simple_workspace()
    book = build_workbook(m, ws)
    data = map_to_dict(m, ws)
    data["cards"][0]["lane"] = "No such lane"
    replace_hidden_data(book, data)
    result = read_map_xlsx(save(book, tmp_path / "forged.xlsx"), Workspace())
    assert any("damaged" in w and "No such lane" in w for w in result.warnings)
    assert [c.text for c in result.map.ordered_cards()] == ["Searches", "Slow"]


def test_own_export_without_hidden_copy_reads_only_the_journey_sheet(tmp_path: Path) -> None:
    ws = Workspace()
    m = JourneyMap(name="No lanes yet")
    AddMapCommand(m).apply(ws)
    AddStageCommand(m.id, Stage(name="Discover", description="First look")).apply(ws)
    book = build_workbook(m, ws)
    del book["_journeydesk"]
    # The Stages sheet (a header row, then "Discover" in column A) would pass for a grid.
    refused(save(book, tmp_path / "no-lanes.xlsx"), Workspace(), "no sheet with a journey grid")


def test_grid_edited_in_excel_wins_and_keeps_what_still_matches(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    book = build_workbook(m, ws)
    journey = book["Journey"]
    # In Excel: a card added to Awareness/Actions, "Is it worth it?" deleted.
    journey["B3"].value = journey["B3"].value + "\n\nCompares prices"
    thoughts_row = 3 + [lane.type for lane in m.lanes].index(LaneType.THOUGHTS)
    journey.cell(thoughts_row, 6).value = None
    result = read_map_xlsx(save(book, tmp_path / "edited.xlsx"), Workspace())
    got = result.map
    assert any("changed after export" in w for w in result.warnings)
    assert got.name == m.name and got.description == m.description
    texts = [c.text for c in got.cards_in(got.stages[0].steps[0].id, got.lanes[0].id)]
    assert texts == ["Asks a friend", "Sees an ad on 小红书", "Reads a review\nand a second line",
                     "Compares prices"]
    ad = next(c for c in got.cards.values() if c.text == "Sees an ad on 小红书")
    assert (ad.tags, ad.channel, ad.priority, ad.colour, ad.events) == (
        ["ads", "paid"], "social", "low", "#aabbcc", ["ad_click"])
    assert not any(c.text == "Is it worth it?" for c in got.cards.values())
    assert {p.name for p in result.personas} == {"María José", "Ken 健"}
    assert len(got.emotions) == len(m.emotions)
    assert got.stages[0].events == ["home", "promo"]
    assert got.stages[1].steps[1].events == ["tour_start", "tour_end"]
    assert [lane.type for lane in got.lanes] == [lane.type for lane in m.lanes]
    assert not any("guessed" in w for w in result.warnings)


# =========================================================================== plain grids
def workshop_book(title: str = "Checkout journey") -> Any:
    """A grid as a workshop types it: merged stage headers, a step row, free lane names."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([None, "Discover", "Choose", None, "Pay"])
    sheet.append([None, None, "Compare", "Decide", None])
    sheet.merge_cells("C1:D1")
    sheet.append(["Customer does", "Googles\n\nAsks friends", "Reads reviews", "Picks one",
                  "Enters card"])
    sheet.append(["Pains", None, "Too many options", None, "[severity 4] Card declined"])
    sheet.append(["Feelings", "Curious", None, None, None])
    sheet.append(["Channels", "Search", "Web", "Web", "App"])
    sheet.append(["Ideas", None, None, "Comparison table", None])
    sheet.append(["Backstage", None, None, None, "Payment provider"])
    sheet.append(["Notes", 42, None, None, None])
    sheet.append(["KPIs", None, None, None, "Conversion 3 %\r\n\r\nRefunds 1 %"])
    sheet.append(["Thoughts & feelings", "Is it for me?", None, None, None])
    sheet.append(["Who", "A parent", "=B12&\" and a child\"", None, None])
    return book


def test_plain_workshop_grid_becomes_a_map(tmp_path: Path) -> None:
    ws = Workspace()
    before = copy.deepcopy(ws)
    result = read_map_xlsx(save(workshop_book(), tmp_path / "grid.xlsx"), ws)
    m = result.map
    assert ws == before
    assert m.name == "Checkout journey"
    assert [(s.name, [st.name for st in s.steps]) for s in m.stages] == [
        ("Discover", [""]), ("Choose", ["Compare", "Decide"]), ("Pay", [""])]
    assert [(lane.name, lane.type) for lane in m.lanes] == [
        ("Customer does", LaneType.ACTIONS),
        ("Pains", LaneType.PAIN_POINTS),
        ("Feelings", LaneType.EMOTIONS),
        ("Channels", LaneType.TOUCHPOINTS),
        ("Ideas", LaneType.OPPORTUNITIES),
        ("Backstage", LaneType.BACKSTAGE),
        ("Notes", LaneType.NOTES),
        ("KPIs", LaneType.METRICS),
        ("Thoughts & feelings", LaneType.THOUGHTS),
        ("Who", LaneType.ACTIONS),
    ]

    def texts(stage: int, step: int, lane: str) -> list[str]:
        found = m.lane_named(lane)
        assert found is not None
        return [c.text for c in m.cards_in(m.stages[stage].steps[step].id, found.id)]

    assert texts(0, 0, "Customer does") == ["Googles", "Asks friends"]
    assert texts(1, 1, "Customer does") == ["Picks one"]
    assert texts(1, 0, "Pains") == ["Too many options"]
    declined = m.cards_in(m.stages[2].steps[0].id, m.lanes[1].id)
    assert [(c.text, c.severity) for c in declined] == [("Card declined", 4)]
    assert texts(0, 0, "Notes") == ["42"]
    assert texts(2, 0, "KPIs") == ["Conversion 3 %", "Refunds 1 %"]
    assert len(m.cards) == 19
    # A formula is read as its last calculated value (none here), never as text.
    assert not any(c.text.startswith("=") for c in m.cards.values())
    # Every lane type is reported: a guess or the actions default.
    assert len([w for w in result.warnings if w.startswith("Lane ")]) == len(m.lanes)
    assert any("'Pains'" in w and "pain points" in w for w in result.warnings)
    assert any("'Who'" in w and "no lane type recognised" in w for w in result.warnings)
    assert result.personas == []


def test_grid_read_by_calamine_matches_what_import_reads(tmp_path: Path) -> None:
    path = save(workshop_book(), tmp_path / "grid.xlsx")
    rows = calamine_rows(path, "Checkout journey")
    m = read_map_xlsx(path, Workspace()).map
    assert rows[0][1:] == ["Discover", "Choose", "", "Pay"]
    assert [row[0] for row in rows[2:]] == [lane.name for lane in m.lanes]


def test_plain_grid_name_comes_from_the_file_when_the_sheet_has_a_default_title(
        tmp_path: Path) -> None:
    result = read_map_xlsx(save(workshop_book("Sheet1"), tmp_path / "Onboarding map.xlsx"),
                           Workspace())
    assert result.map.name == "Onboarding map"


def test_plain_grid_without_step_row_and_unmerged_repeats(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["", "Awareness", "Awareness", None, "Use", "Awareness"])
    sheet.append(["Doing", "Sees ad", "Clicks", "Reads", "Logs in", "Tells friends"])
    sheet.append([None, "Second row card", None, None, None, None])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Doing", "x", None, None, None, None])
    result = read_map_xlsx(save(book, tmp_path / "repeats.xlsx"), Workspace())
    m = result.map
    assert [(s.name, len(s.steps)) for s in m.stages] == [
        ("Awareness", 3), ("Use", 1), ("Awareness (2)", 1)]
    assert [lane.name for lane in m.lanes] == ["Doing", "Doing (2)"]
    first = m.cards_in(m.stages[0].steps[0].id, m.lanes[0].id)
    assert [c.text for c in first] == ["Sees ad", "Second row card"]
    assert any("no stage name" in w for w in result.warnings)
    assert any("no lane name" in w for w in result.warnings)
    assert any("renamed 'Awareness (2)'" in w for w in result.warnings)


def test_grid_on_a_later_sheet_is_found(tmp_path: Path) -> None:
    book = workshop_book("Map")
    cover = book.create_sheet("Cover", 0)
    cover["A1"] = "Workshop 12 May"
    result = read_map_xlsx(save(book, tmp_path / "cover.xlsx"), Workspace())
    assert result.map.name == "Map"
    assert any("sheet 'Map'" in w for w in result.warnings)


@pytest.mark.parametrize(("name", "expected"), [
    ("Pain points", LaneType.PAIN_POINTS),
    ("Pains", LaneType.PAIN_POINTS),
    ("Problems", LaneType.PAIN_POINTS),
    ("Customer frustrations", LaneType.PAIN_POINTS),
    ("Emotions", LaneType.EMOTIONS),
    ("Feelings", LaneType.EMOTIONS),
    ("Touchpoints", LaneType.TOUCHPOINTS),
    ("Touch points", LaneType.TOUCHPOINTS),
    ("Channels", LaneType.TOUCHPOINTS),
    ("Thoughts", LaneType.THOUGHTS),
    ("What they think", LaneType.THOUGHTS),
    ("Opportunities", LaneType.OPPORTUNITIES),
    ("Ideas", LaneType.OPPORTUNITIES),
    ("Backstage", LaneType.BACKSTAGE),
    ("Back-stage processes", LaneType.BACKSTAGE),
    ("Notes", LaneType.NOTES),
    ("Metrics", LaneType.METRICS),
    ("KPIs", LaneType.METRICS),
    ("Actions", LaneType.ACTIONS),
    ("Customer", LaneType.ACTIONS),
    ("Thoughts & feelings", LaneType.THOUGHTS),
    ("Feelings & thoughts", LaneType.EMOTIONS),
    ("PAIN POINTS", LaneType.PAIN_POINTS),
    ("Painting", LaneType.ACTIONS),
])
def test_lane_types_are_guessed_from_names(name: str, expected: LaneType) -> None:
    lane_type, note = guess_lane_type(name)
    assert lane_type is expected
    assert repr(name) in note


def test_cards_are_split_on_blank_lines() -> None:
    assert split_cards("a\n\nb\n \nc\r\n\r\nd\nstill d\n\n\n") == ["a", "b", "c", "d\nstill d"]
    assert split_cards("  \n\n ") == []


# =========================================================================== untrusted files
def test_defusedxml_is_in_force() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.DEFUSEDXML is True


def test_reading_refuses_without_defusedxml(rich: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, path = rich
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        read_map_xlsx(path, Workspace())


@pytest.fixture
def target_ws() -> Workspace:
    """A workspace with content, to show that a refused import changes nothing."""
    ws, _ = simple_workspace()
    AddPersonaCommand(Persona(name="Someone")).apply(ws)
    return ws


def refused(path: Path, ws: Workspace, match: str) -> FormatError:
    before = copy.deepcopy(ws)
    with pytest.raises(FormatError, match=match) as info:
        read_map_xlsx(path, ws)
    assert ws == before
    assert path.name in str(info.value)
    assert isinstance(info.value, ValueError)
    return info.value


def test_oversized_file_is_refused_before_reading(tmp_path: Path, target_ws: Workspace
                                                  ) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as fh:
        fh.truncate(excel.MAX_FILE_BYTES + 1)  # sparse: no disk space needed
    refused(path, target_ws, "50 MB")


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path, target_ws: Workspace,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The ratio counts once the parts unpack to more than RATIO_FREE_BYTES in all (200 MB;
    # lowered here so that the test stays small; tests/hostile checks the real one).
    monkeypatch.setattr(excel, "RATIO_FREE_BYTES", 10 * 1024 * 1024)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    refused(path, target_ws, "zip bomb")


def test_zip_bomb_by_total_size_is_refused(tmp_path: Path, target_ws: Workspace,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wide-bomb.xlsx"
    noise = random.Random(7).randbytes(300_000)  # incompressible: every ratio is fine
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(5):
            archive.writestr(f"xl/part{index}.xml", noise)
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    refused(path, target_ws, "unpacks to")


def test_random_bytes_are_refused(tmp_path: Path, target_ws: Workspace) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(random.Random(1).randbytes(5000))
    refused(path, target_ws, "not an Excel workbook")


def test_old_xls_or_encrypted_workbook_is_named(tmp_path: Path, target_ws: Workspace) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    refused(path, target_ws, "password-protected")


def test_zip_without_workbook_is_refused(tmp_path: Path, target_ws: Workspace) -> None:
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    refused(path, target_ws, "no workbook part")


def test_broken_workbook_part_is_a_format_error(rich: Any, tmp_path: Path,
                                                target_ws: Workspace) -> None:
    _, _, good = rich
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    refused(path, target_ws, "not a readable Excel workbook")


def test_xml_entity_expansion_is_refused(rich: Any, tmp_path: Path,
                                         target_ws: Workspace) -> None:
    _, _, good = rich
    path = tmp_path / "laughs.xlsx"
    doctype = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (doctype + data.decode().replace(
                    "<t>Awareness</t>", "<t>&lol2;</t>", 1)).encode()
            dst.writestr(item, data)
    refused(path, target_ws, "not a readable Excel workbook")


def test_workbook_without_a_usable_grid_is_refused(tmp_path: Path,
                                                   target_ws: Workspace) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "Just a title"
    book.create_sheet("Numbers").append([1, 2, 3])
    refused(save(book, tmp_path / "no-grid.xlsx"), target_ws, "no sheet with a journey grid")

    only_stages = openpyxl.Workbook()
    only_stages.active.append([None, "Discover", "Buy"])
    refused(save(only_stages, tmp_path / "stages-only.xlsx"), target_ws, "journey grid")

    empty = openpyxl.Workbook()
    refused(save(empty, tmp_path / "empty.xlsx"), target_ws, "journey grid")


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_map_xlsx(tmp_path / "nowhere.xlsx", Workspace())


# =========================================================================== progress, atomicity
def test_cancel_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    path = tmp_path / "map.xlsx"
    path.write_bytes(b"the old export")
    calls: list[tuple[int, int]] = []

    def cancel_soon(done: int, total: int) -> bool:
        calls.append((done, total))
        return len(calls) < 3

    with pytest.raises(ExportCancelled):
        write_map_xlsx(m, ws, path, progress=cancel_soon)
    assert path.read_bytes() == b"the old export"
    assert sorted(os.listdir(tmp_path)) == ["map.xlsx"]
    assert len(calls) == 3


def test_progress_runs_up_to_the_total(tmp_path: Path) -> None:
    ws, m = rich_workspace()
    path = tmp_path / "map.xlsx"
    calls: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    write_map_xlsx(m, ws, path, progress=record)
    assert calls[-1][0] == calls[-1][1]
    assert all(done <= total for done, total in calls)
    assert [done / total for done, total in calls] == sorted(done / total
                                                             for done, total in calls)
    assert zipfile.is_zipfile(path)
    assert sorted(os.listdir(tmp_path)) == ["map.xlsx"]


def test_export_replaces_an_existing_file(tmp_path: Path) -> None:
    ws, m = simple_workspace()
    path = tmp_path / "map.xlsx"
    path.write_bytes(b"old")
    write_map_xlsx(m, ws, path)
    assert openpyxl.load_workbook(io.BytesIO(path.read_bytes())).sheetnames[0] == "Journey"


def test_importing_the_module_does_not_load_openpyxl() -> None:
    import subprocess
    import sys

    code = ("import sys, journeydesk.exchange.excel\n"
            "assert 'openpyxl' not in sys.modules, 'openpyxl loaded at import'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_metrics_sheet_when_a_dataset_is_bound(tmp_path: Path) -> None:
    """The funnel numbers go to a "Metrics" table with a bar chart of users per stage."""
    import zipfile

    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    from journeydesk.domain.model import JourneyMap, Lane, Stage, Workspace
    from journeydesk.exchange.excel import write_map_xlsx

    m = JourneyMap(name="Funnel", stages=[Stage(name="Visit", events=["home"]),
                                          Stage(name="Notes"),
                                          Stage(name="Buy", events=["order"])],
                   lanes=[Lane(name="Doing")])
    ws = Workspace(maps={m.id: m})
    metrics = {"map": "Funnel", "dataset": "web", "users_total": 120, "stages": [
        {"stage": "Visit", "users": 100, "conversion_from_previous": None,
         "conversion_from_first": 1.0, "dropped": 0, "median_seconds_from_previous": None},
        {"stage": "Notes", "users": None, "conversion_from_previous": None,
         "conversion_from_first": None, "dropped": None, "median_seconds_from_previous": None},
        {"stage": "Buy", "users": 25, "conversion_from_previous": 0.25,
         "conversion_from_first": 0.25, "dropped": 75, "median_seconds_from_previous": 3600.0}]}
    out = tmp_path / "funnel.xlsx"
    write_map_xlsx(m, ws, out, metrics=metrics)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Metrics").to_python()
    assert rows[0][0].startswith("Dataset: web · period: all time")  # the caption
    rows = rows[2:]  # the table under it
    assert rows[0][:2] == ["stage", "users"]
    assert rows[1][:2] == ["Visit", 100] and rows[3][:5] == ["Buy", 25, 0.25, 0.25, 75]
    assert rows[2][0] == "Notes" and rows[2][1] in ("", None)
    book = load_workbook(out)
    assert book.sheetnames.index("Metrics") < book.sheetnames.index("Funnel chart") \
        < book.sheetnames.index("Personas")
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/")]
        assert any("barChart>" in archive.read(n).decode() for n in charts)
    plain = tmp_path / "plain.xlsx"
    write_map_xlsx(m, ws, plain)
    assert "Metrics" not in load_workbook(plain).sheetnames
