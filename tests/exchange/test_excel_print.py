"""The Excel workbook as stakeholders read and print it (issue 20): the emotions lane with each
persona's score and label in the app's colours, opportunity priorities and card colours,
header cells that are never cut, print settings on every sheet, each chart on a page of its
own, the Metrics sheet naming its options; read back with openpyxl and python-calamine, and
printed by LibreOffice (headless) to a PDF that pypdf reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from samples import sample_map

from journeydesk.domain.colours import (
    LANE_COLOURS,
    THEME_COLOURS,
    card_accent,
    card_tint,
    curve_colours,
)
from journeydesk.domain.model import LaneType, Workspace
from journeydesk.exchange.excel import read_map_xlsx, write_map_xlsx
from journeydesk.exchange.excel_export import STEP_COLUMN_WIDTH

LONG_STAGE = ("Discover the membership offer through friends, ads, search results and the "
              "long tail of partner newsletters that nobody reads to the end")
LONG_LANE = "What the customer actually does while moving through this part of the journey"
LONG_STEP = "Confirm the e-mail address by clicking the link in the message we sent"
CARD_COLOUR = "#e07a1f"
METRICS = {
    "map": "Membership sign-up", "dataset": "web",
    "definition": {"from": "2026-09-01", "to": "2026-09-30", "window_seconds": 7 * 86400.0,
                   "segment": {"plan": "pro"}, "breakdown": "platform"},
    "users_total": 120,
    "stages": [{"stage": "Discover", "users": 100, "conversion_from_previous": None,
                "conversion_from_first": 1.0, "dropped": 0,
                "median_seconds_from_previous": None},
               {"stage": "Sign up", "users": 70, "conversion_from_previous": 0.7,
                "conversion_from_first": 0.7, "dropped": 30,
                "median_seconds_from_previous": 3600.0},
               {"stage": "Use", "users": 40, "conversion_from_previous": 40 / 70,
                "conversion_from_first": 0.4, "dropped": 30,
                "median_seconds_from_previous": 7200.0}],
    "breakdown": [{"value": value, "users_total": 60, "stages": [
        {"stage": "Discover", "users": 50, "conversion_from_previous": None,
         "conversion_from_first": 1.0, "dropped": 0, "median_seconds_from_previous": None},
        {"stage": "Sign up", "users": 35, "conversion_from_previous": 0.7,
         "conversion_from_first": 0.7, "dropped": 15, "median_seconds_from_previous": None},
        {"stage": "Use", "users": 20, "conversion_from_previous": 20 / 35,
         "conversion_from_first": 0.4, "dropped": 15, "median_seconds_from_previous": None}]}
                  for value in ("ios", "web")],
}
VISIBLE = ["Journey", "Emotions", "Emotion chart", "Cards", "Stages", "Lanes", "Metrics",
           "Funnel chart", "Personas"]


def long_named_workspace() -> tuple[Workspace, Any]:
    """The shared sample map (every lane type, a persona with a curve, the map's own point),
    with very long stage, step and lane names, a coloured thoughts card and the opportunity
    cards at high priority."""
    m, personas = sample_map()
    m.stages[0].name = LONG_STAGE
    m.stages[1].steps[1].name = LONG_STEP
    m.lanes[0].name = LONG_LANE
    thoughts = next(lane for lane in m.lanes if lane.type is LaneType.THOUGHTS)
    for card in m.cards.values():
        if card.lane_id == thoughts.id:
            card.colour = CARD_COLOUR
    return Workspace(maps={m.id: m}, personas={p.id: p for p in personas}), m


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The workbook, and LibreOffice's PDF of it (one conversion for the module)."""
    folder = tmp_path_factory.mktemp("printed")
    ws, m = long_named_workspace()
    path = folder / "map.xlsx"
    write_map_xlsx(m, ws, path, metrics=METRICS)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:  # make test installs it: missing is a failure, not a skip
        pytest.fail("LibreOffice (soffice) is not installed; `make test` installs Debian's "
                    "libreoffice-calc package")
    profile = folder / f"lo-{uuid.uuid4().hex}"
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "HOME": str(folder)}, check=False)
    pdf = folder / "map.pdf"
    assert pdf.exists(), f"LibreOffice made no PDF: {result.stdout} {result.stderr}"
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    return {"ws": ws, "map": m, "path": path, "pdf": pdf, "pages": pages}


def calamine(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(
        skip_empty_area=False)


def lane_row(m: Any, lane_type: LaneType) -> int:
    """The Journey sheet's 1-based row of the first lane of ``lane_type`` (a step row)."""
    return 3 + next(i for i, lane in enumerate(m.lanes) if lane.type is lane_type)


def flat(text: str) -> str:
    return " ".join(text.split())


# =========================================================================== the Journey sheet
def test_emotions_lane_shows_each_persona_score_and_label_in_the_apps_colours(
        printed: dict[str, Any]) -> None:
    m, ws, path = printed["map"], printed["ws"], printed["path"]
    row = lane_row(m, LaneType.EMOTIONS)
    cells = calamine(path, "Journey")[row - 1]
    # Maria's points are 1, -1, -2, 2 labelled "feels"; the map's own point 0.5 at the first
    # step; the lane's cards follow the emotion lines.
    assert cells[1].split("\n\n") == ["● Maria: 1 · feels\n● (map): 0.5",
                                      "Emotions at step #0"]
    assert [c.split("\n\n")[0] for c in cells[2:5]] == [
        "● Maria: -1 · feels", "● Maria: -2 · feels", "● Maria: 2 · feels"]

    colours = curve_colours([*m.persona_ids, None], {p.id: p.name for p in
                                                      ws.personas.values()},
                            THEME_COLOURS["light"]["muted_text"])
    rich = openpyxl.load_workbook(path, rich_text=True)["Journey"].cell(row, 2).value
    runs = {block.text: block.font for block in rich if hasattr(block, "font")}
    maria = runs["● Maria: 1"]
    assert maria.b and maria.color.rgb[-6:] == colours[m.persona_ids[0]][1:].upper()
    assert runs["\n● (map): 0.5"].color.rgb[-6:] == colours[None][1:].upper()

    # The chart on its own sheet draws each curve in the same colour.
    with zipfile.ZipFile(path) as archive:
        chart = next(archive.read(n).decode() for n in archive.namelist()
                     if n.startswith("xl/charts/") and "lineChart" in archive.read(n).decode())
    for colour in colours.values():
        assert f'<a:srgbClr val="{colour[1:].upper()}"' in chart


def test_priority_mark_and_card_colours(printed: dict[str, Any]) -> None:
    m, path = printed["map"], printed["path"]
    sheet = openpyxl.load_workbook(path, rich_text=True)["Journey"]
    opportunities = lane_row(m, LaneType.OPPORTUNITIES)
    text = calamine(path, "Journey")[opportunities - 1][1]
    assert text == "Opportunities at step #0\n▲ High priority"
    mark = next(b for b in sheet.cell(opportunities, 2).value if hasattr(b, "font"))
    accent = LANE_COLOURS["light"][LaneType.OPPORTUNITIES].accent
    assert mark.text == "\n▲ High priority" and mark.font.b
    assert mark.font.color.rgb[-6:] == accent[1:].upper()

    # A coloured card tints its cell as the canvas tints the card, with a stripe in its accent.
    thoughts = sheet.cell(lane_row(m, LaneType.THOUGHTS), 2)
    assert thoughts.fill.fgColor.rgb[-6:] == card_tint("light", CARD_COLOUR)[1:].upper()
    assert thoughts.border.left.style == "thick"
    assert thoughts.border.left.color.rgb[-6:] == card_accent("light", CARD_COLOUR)[1:].upper()
    # Uncoloured cells keep their lane's look.
    actions = sheet.cell(lane_row(m, LaneType.ACTIONS), 2)
    assert actions.border.left.style == "thin"


def test_long_header_names_wrap_in_rows_and_columns_sized_for_them(
        printed: dict[str, Any]) -> None:
    m, path = printed["map"], printed["path"]
    sheet = openpyxl.load_workbook(path)["Journey"]
    for cell in (sheet.cell(1, 2), sheet.cell(2, 4), sheet.cell(3, 1)):
        assert cell.alignment.wrap_text, cell.coordinate
    # The long stage has one step: its column is widened, the row is several lines tall.
    assert sheet.column_dimensions["B"].width > STEP_COLUMN_WIDTH
    assert sheet.row_dimensions[1].height >= 3 * 17
    assert sheet.row_dimensions[2].height >= 2 * 15  # the long step name
    assert sheet.row_dimensions[3].height >= 3 * 15  # the long lane name
    assert 16 <= sheet.column_dimensions["A"].width <= 30
    # Printed, every word of each name is there, in order.
    journey = flat(printed["pages"][0])
    for name in (LONG_STAGE, LONG_STEP, LONG_LANE):
        assert flat(name) in journey, name
    assert m.stages[0].name == LONG_STAGE


# =========================================================================== printing
def test_every_sheet_prints_landscape_one_page_wide_with_titles(printed: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(printed["path"])
    visible = [s for s in book.worksheets if s.sheet_state == "visible"]
    assert [s.title for s in visible] == VISIBLE
    for sheet in visible:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert setup.fitToWidth == 1, sheet.title
        charts_only = sheet.title.endswith("chart")
        assert setup.fitToHeight == (1 if charts_only else 0), sheet.title
        margins = sheet.page_margins
        assert 0.25 <= margins.left <= 1 and 0.25 <= margins.right <= 1, sheet.title
        assert 0.4 <= margins.top <= 1 and 0.4 <= margins.bottom <= 1, sheet.title
        assert sheet.oddHeader.center.text == "Membership sign-up", sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N", sheet.title
        if charts_only:
            assert len(sheet._charts) == 1, sheet.title
            assert sheet.max_row <= 35 and all(c.value is None for r in sheet.iter_rows()
                                               for c in r), sheet.title
        elif sheet.title == "Journey":
            assert sheet.print_title_rows == "$1:$2"
            assert sheet.print_title_cols == "$A:$A"
        elif sheet.title == "Metrics":
            assert sheet.print_title_rows == "$3:$3"  # the table's header, under the caption
        else:
            assert sheet.print_title_rows == "$1:$1", sheet.title


def test_libreoffice_prints_every_stage_and_card_on_a_bounded_number_of_pages(
        printed: dict[str, Any]) -> None:
    m, pages = printed["map"], printed["pages"]
    # One page per visible sheet: the Journey sheet of the sample fits one page at fit to
    # width, and each chart is alone on its page (bound: sheets + 1).
    assert len(pages) == len(VISIBLE) == 9
    assert len(pages) <= len(VISIBLE) + 1
    journey = flat(pages[0])
    for stage in m.stages:
        assert flat(stage.name) in journey, stage.name
    for card in m.cards.values():
        assert flat(card.text) in journey, card.text
    everything = flat(" ".join(pages))
    for card in m.cards.values():
        assert everything.count(flat(card.text)) >= 2  # the grid and the Cards sheet
    # Each sheet's pages carry its name in the footer; the charts' pages hold only the chart.
    titles = [re.search(r"(" + "|".join(VISIBLE) + r")\s*Page \d+ of 9", flat(p))
              for p in pages]
    assert [t.group(1) if t else None for t in titles] == VISIBLE
    assert "Emotion curve" in pages[2] and "Users per stage (web)" in pages[7]
    assert "Opportunities at step #0" not in pages[2] + pages[7]


def test_pdf_pages_render(printed: dict[str, Any], tmp_path: Path) -> None:
    """The printed pages as pictures (ghostscript, when installed): for looking at them."""
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("ghostscript is not installed (only needed to look at the pages)")
    subprocess.run([gs, "-q", "-sDEVICE=png16m", "-r40", "-o", str(tmp_path / "p-%d.png"),
                    str(printed["pdf"])], check=True, timeout=120)
    assert len(list(tmp_path.glob("p-*.png"))) == len(printed["pages"])


# =========================================================================== reading it back
def test_our_own_export_comes_back_unchanged(printed: dict[str, Any]) -> None:
    ws, m = printed["ws"], printed["map"]
    imported = read_map_xlsx(printed["path"], ws)
    assert imported.warnings == []
    assert sorted(c.text for c in imported.map.cards.values()) == sorted(
        c.text for c in m.cards.values())


def test_an_edited_journey_sheet_drops_the_emotion_lines_and_reads_priorities(
        printed: dict[str, Any], tmp_path: Path) -> None:
    ws, m = printed["ws"], printed["map"]
    book = openpyxl.load_workbook(printed["path"])
    sheet = book["Journey"]
    actions = sheet.cell(lane_row(m, LaneType.ACTIONS), 2)
    actions.value = "Edited in Excel"
    opportunities = sheet.cell(lane_row(m, LaneType.OPPORTUNITIES), 3)
    opportunities.value = "A new idea\n▲ Low priority"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    imported = read_map_xlsx(edited, ws)
    assert any("changed after export" in w for w in imported.warnings)
    new = imported.map
    lanes = {lane.id: lane.type for lane in new.lanes}
    texts = [c.text for c in new.cards.values()]
    assert "Edited in Excel" in texts
    assert not any("●" in t or "priority" in t for t in texts)
    emotions_cards = [c for c in new.cards.values() if lanes[c.lane_id] is LaneType.EMOTIONS]
    assert len(emotions_cards) == len(m.all_steps())
    ideas = {c.text: c.priority for c in new.cards.values()
             if lanes[c.lane_id] is LaneType.OPPORTUNITIES}
    assert ideas["A new idea"] == "low"
    assert ideas["Opportunities at step #0"] == "high"
    assert len(new.emotions) == len(m.emotions)  # the points come from the hidden copy
