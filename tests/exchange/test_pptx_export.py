"""The PowerPoint export read back by two independent readers: python-pptx (shapes, texts,
colours, charts, notes) and LibreOffice headless, which converts the decks to PDF (pypdf then
finds every stage and card text, on as many pages as there are slides).

LibreOffice is part of the test set-up (scripts/install-system-deps.sh --tests): without it
the PDF tests fail rather than skip.  All decks of this module are converted in one run.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pictures import JPEG_8X6, png
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pypdf import PdfReader
from samples import sample_map

from journeydesk.domain.colours import (
    LANE_COLOURS,
    card_accent,
    card_tint,
    curve_colours,
    severity_fill,
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
from journeydesk.exchange.map_formats import ExportCancelled, write_map
from journeydesk.exchange.pptx_export import MapData, build_presentation, write_map_pptx
from journeydesk.exchange.pptx_plan import (
    MAX_CARD_LINES,
    PICTURE_H,
    STORYBOARD_PICTURE_H,
    plan_map_slides,
)
from journeydesk.exchange.pptx_shapes import CARD_INSET_X, CARD_PT, plain, wrap

LONG = "A very long card about " + " ".join(f"detail{n}" for n in range(120)) + " THE END"
METRICS = {
    "map": "Wide", "dataset": "web shop",
    "definition": {"from": "2026-01-01", "to": "2026-03-31", "window_seconds": 7 * 86400,
                   "segment": {"plan": "pro"}},
    "users_total": 1250,
    "stages": [{"stage": "Look", "users": 1250, "conversion_from_previous": None,
                "conversion_from_first": 1.0, "dropped": None,
                "median_seconds_from_previous": None},
               {"stage": "Choose", "users": 500, "conversion_from_previous": 0.4,
                "conversion_from_first": 0.4, "dropped": 750,
                "median_seconds_from_previous": 5400.0},
               {"stage": "Unbound", "users": None, "conversion_from_previous": None,
                "conversion_from_first": None, "dropped": None,
                "median_seconds_from_previous": None},
               {"stage": "Pay", "users": 125, "conversion_from_previous": 0.25,
                "conversion_from_first": 0.1, "dropped": 375,
                "median_seconds_from_previous": 200000.0}],
}


def sample() -> tuple[JourneyMap, Workspace]:
    """The shared sample map (every lane type, a persona with a photo) in a workspace."""
    m, personas = sample_map()
    m.cards[next(iter(m.cards))].text = LONG
    return m, Workspace(maps={m.id: m}, personas={p.id: p for p in personas})


def wide() -> tuple[JourneyMap, Workspace]:
    """Fourteen steps in five stages, two personas: three slides at six steps a slide."""
    maria = Persona(name="Maria", role="Visitor", quote="Where is the price?",
                    goals=["Compare plans"], frustrations=["Hidden fees"], needs=["Clarity"])
    tom = Persona(name="Tom Baker", role="Member", motivations=["Saving time"])
    stages = [Stage(name=name, description=f"Description of {name}",
                    steps=[Step(name=f"{name} {j + 1}") for j in range(n)])
              for name, n in (("Look", 3), ("Choose", 2), ("Unbound", 4), ("Pay", 1),
                              ("Use", 4))]
    lanes = [Lane(name="Doing", type=LaneType.ACTIONS),
             Lane(name="Feelings", type=LaneType.EMOTIONS),
             Lane(name="Pains", type=LaneType.PAIN_POINTS),
             Lane(name="Ideas", type=LaneType.OPPORTUNITIES)]
    m = JourneyMap(name="Wide", description="A map wider than a slide", stages=stages,
                   lanes=lanes, persona_ids=[maria.id, tom.id])
    for k, step in enumerate(m.all_steps()):
        for lane in lanes:
            card = Card(step.id, lane.id, f"{lane.name} card {k}")
            if lane.type is LaneType.PAIN_POINTS:
                card.severity = 1 + k % 5
            if lane.type is LaneType.OPPORTUNITIES:
                card.priority = ("low", "medium", "high")[k % 3]
            m.cards[card.id] = card
        for who, score in ((maria, k % 5 - 2), (tom, 2 - k % 4)):
            point = EmotionPoint(step_id=step.id, score=float(score), persona_id=who.id)
            m.emotions[point.id] = point
    return m, Workspace(maps={m.id: m}, personas={maria.id: maria, tom.id: tom})


def wide_plan(m: JourneyMap) -> list:
    """The map slides of the wide deck (written with METRICS: the numbers and the caption
    take room above the lanes)."""
    return plan_map_slides(m, extra_top=MapData.of(m, METRICS, None).extra_top)


def texts(slide) -> list[str]:  # noqa: ANN001
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, Path]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("pptx")
    m, ws = sample()
    write_map_pptx(m, ws, folder / "sample.pptx")
    m, ws = wide()
    write_map_pptx(m, ws, folder / "wide.pptx", metrics=METRICS)
    return {"sample": folder / "sample.pptx", "wide": folder / "wide.pptx"}


@pytest.fixture(scope="module")
def pdfs(decks: dict[str, Path], tmp_path_factory) -> dict[str, Path]:  # noqa: ANN001
    """Every deck converted to PDF by LibreOffice, in one run with a private profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is missing: run scripts/install-system-deps.sh "
                    "--tests")
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, decks.values())],
                   check=True, capture_output=True, timeout=240,
                   env={**os.environ, "HOME": str(profile)})
    found = {name: out / f"{path.stem}.pdf" for name, path in decks.items()}
    assert all(p.exists() for p in found.values()), sorted(out.iterdir())
    return found


# -- read back with python-pptx ---------------------------------------------------------------
def test_every_stage_lane_and_card_is_on_the_slides(decks: dict[str, Path]) -> None:
    m, _ = sample()
    deck = Presentation(str(decks["sample"]))
    shown = [t for slide in deck.slides for t in texts(slide)]
    joined = squeezed(" ".join(shown))
    for stage in m.stages:
        assert stage.name in shown
    for step in m.all_steps():
        if step.name:
            assert step.name in shown
    for lane in m.lanes:
        assert any(t.startswith(lane.name) for t in shown), lane.name
    for card in m.cards.values():
        if card.text == LONG:
            continue
        assert squeezed(card.text) in joined, card.text
    assert deck.slides[0].shapes.title.text == m.name
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9


def test_cards_are_native_shapes_in_their_lane_colours(decks: dict[str, Path]) -> None:
    m, _ = sample()
    deck = Presentation(str(decks["sample"]))
    cards = [shape for slide in deck.slides for shape in slide.shapes
             if shape.name.startswith("Card:")]
    assert len(cards) == len(m.cards)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13
                and s.name != "Photo"]  # nothing of the map is a picture but cards' pictures
    assert all(s.name.startswith("Picture: ") for s in pictures)
    assert len(pictures) == sum(c.picture is not None for c in m.cards.values()) > 0
    by_text = {c.text: c for c in m.cards.values()}
    for shape in cards:
        paragraphs = shape.text_frame.text.split("\n")
        card = by_text.get(paragraphs[0]) or next(c for c in m.cards.values() if c.text == LONG)
        lane_type = LaneType(m.lane(card.lane_id).type)
        look = LANE_COLOURS["light"][lane_type]
        fill = (severity_fill(look.fill, look.accent, card.severity)
                if lane_type is LaneType.PAIN_POINTS else look.fill)
        assert f"#{shape.fill.fore_color.rgb}".lower() == fill, card.text
        assert f"#{shape.line.color.rgb}".lower() == look.accent
        sizes = {run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs}
        assert min(sizes) >= 10
        if lane_type is LaneType.PAIN_POINTS:
            assert f"Severity {card.severity}" in shape.text_frame.text
        if lane_type is LaneType.OPPORTUNITIES:
            assert "High priority" in shape.text_frame.text


def test_a_long_card_is_shortened_and_whole_in_the_notes(decks: dict[str, Path]) -> None:
    deck = Presentation(str(decks["sample"]))
    shape, slide = next((s, slide) for slide in deck.slides for s in slide.shapes
                        if s.name.startswith("Card: A very long card"))
    shown = shape.text_frame.paragraphs[0].text  # one paragraph, as typed, cut at a word
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert len(wrap(shown, shape.width.pt - 2 * CARD_INSET_X, CARD_PT)) == MAX_CARD_LINES
    assert LONG in slide.notes_slide.notes_text_frame.text


def test_the_emotion_curves_are_a_native_line_chart_in_persona_colours(
        decks: dict[str, Path]) -> None:
    m, ws = wide()
    deck = Presentation(str(decks["wide"]))
    plan = wide_plan(m)
    colours = curve_colours(m.persona_ids, {i: p.name for i, p in ws.personas.items()}, "")
    for slide, part in zip(deck.slides, plan, strict=False):
        chart = next(s for s in slide.shapes if s.has_chart).chart
        assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
        assert [s.name for s in chart.series] == ["Maria", "Tom Baker"]
        for series, persona_id in zip(chart.series, m.persona_ids, strict=True):
            assert f"#{series.format.line.color.rgb}".lower() == colours[persona_id]
            expected = [m.emotion_at(step.id, persona_id).score for _, step in part.steps]
            assert list(series.values) == expected
        assert list(chart.plots[0].categories) == [step.name for _, step in part.steps]
        assert chart.value_axis.minimum_scale == m.scale_min
        assert chart.value_axis.maximum_scale == m.scale_max


def test_a_wide_map_is_split_with_its_headers_repeated(decks: dict[str, Path]) -> None:
    m, ws = wide()
    deck = Presentation(str(decks["wide"]))
    plan = wide_plan(m)
    assert [len(p.steps) for p in plan] == [5, 5, 4]  # whole stages where they fit
    assert len(deck.slides) == len(plan) + 1 + 2  # map parts, funnel, two personas
    seen_steps = []
    for slide, part in zip(deck.slides, plan, strict=False):
        shown = texts(slide)
        assert slide.shapes.title.text == "Wide"
        for lane in m.lanes:  # every lane header on every part
            assert any(t.startswith(lane.name) for t in shown), lane.name
        stages = {stage.name for stage, _ in part.steps}
        headers = {t.split("\n")[0] for t in shown}  # the funnel's numbers on a second line
        assert {t for t in headers if t in {s.name for s in m.stages}} == stages
        seen_steps += [t for t in shown if t in {s.name for s in m.all_steps()}]
        for _, step in part.steps:
            for lane in m.lanes:
                for card in m.cards_in(step.id, lane.id):
                    assert any(t.startswith(card.text) for t in shown)
    assert seen_steps == [s.name for s in m.all_steps()]


def test_speaker_notes_hold_the_stage_descriptions(decks: dict[str, Path]) -> None:
    m, _ = wide()
    deck = Presentation(str(decks["wide"]))
    for slide, part in zip(deck.slides, wide_plan(m), strict=False):
        notes = slide.notes_slide.notes_text_frame.text
        for stage, _ in part.steps:
            assert f"{stage.name}: {stage.description}" in notes
    assert "A map wider than a slide" in deck.slides[0].notes_slide.notes_text_frame.text


def test_the_funnel_slide_has_a_bar_chart_and_the_numbers(decks: dict[str, Path]) -> None:
    deck = Presentation(str(decks["wide"]))
    slide = deck.slides[3]
    chart = next(s for s in slide.shapes if s.has_chart).chart
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == ["Look", "Choose", "Pay"]
    assert list(chart.series[0].values) == [1250, 500, 125]
    assert chart.plots[0].has_data_labels
    table = next(s for s in slide.shapes if s.has_table).table
    rows = [[table.cell(r, c).text for c in range(6)] for r in range(5)]
    assert rows[2] == ["Choose", "500", "40.0 %", "40.0 %", "750", "1.5 h"]
    assert rows[3][:2] == ["Unbound", ""]
    caption = " ".join(texts(slide))
    for part in ("web shop", "2026-01-01 to 2026-03-31", "window: 7d", "plan = pro", "1,250"):
        assert part in caption


FLOWS = {"users": 1250, "in_order": 900, "share_in_order": 0.72, "skipped": 40,
         "went_back": 37, "stages": [],
         "transitions": [{"from": "Look", "to": "Choose", "kind": "forward", "users": 412},
                         {"from": "Look", "to": "Pay", "kind": "skip", "users": 40},
                         {"from": "Choose", "to": "Look", "kind": "back", "users": 37},
                         {"from": "Pay", "to": "Gone", "kind": "forward", "users": 9}]}


def shapes_named(slide) -> dict[str, str]:  # noqa: ANN001
    return {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame}


def test_the_map_slides_show_the_funnel_numbers_and_caption(decks: dict[str, Path]) -> None:
    deck = Presentation(str(decks["wide"]))
    first, second = (shapes_named(s) for s in list(deck.slides)[:2])
    assert first["Stage: Look"] == "Look\n1,250 users"
    assert first["Stage: Choose"] == "Choose\n500 users · 40.0%"
    assert second["Stage: Pay"] == "Pay\n125 users · 25.0%"
    assert second["Stage: Unbound"] == "Unbound"  # no bound events: no numbers
    for shown in (first, second):
        assert "web shop" in shown["Caption"] and "plan = pro" in shown["Caption"]
        assert not any(name.startswith("Flows") for name in shown)
    m, ws = wide()
    one = {**METRICS, "stages": [{**METRICS["stages"][0], "users": 1}]}
    plain_deck = build_presentation(m, ws, metrics=one, personas=False)
    assert shapes_named(plain_deck.slides[0])["Stage: Look"] == "Look\n1 user"
    sample_deck = Presentation(str(decks["sample"]))  # without metrics: as before
    names = shapes_named(sample_deck.slides[0])
    assert "Caption" not in names
    assert all("\n" not in text for name, text in names.items() if name.startswith("Stage:"))


def test_the_flows_are_labelled_above_the_stage_headers() -> None:
    m, ws = wide()
    deck = build_presentation(m, ws, metrics=METRICS, flows=FLOWS, personas=False)
    first, second = (shapes_named(s) for s in list(deck.slides)[:2])
    assert first["Flows from: Look"] == "→ Choose: 412\n→ Pay (skip): 40"
    assert first["Flows from: Choose"] == "← Look (back): 37"
    assert second["Flows from: Pay"] == ""  # a move to a stage the map has not is left out
    assert first["Stage: Look"] == "Look\n1,250 users"
    notes = deck.slides[0].notes_slide.notes_text_frame.text
    assert "Look → Choose: 412" in notes and "Choose → Look (back): 37" in notes
    tops = {s.name: s.top for s in deck.slides[0].shapes}
    assert tops["Caption"] < tops["Flows from: Look"] < tops["Stage: Look"]
    # the lanes start lower, and the slides still hold every card
    plain_plan = plan_map_slides(m)
    cards = sum(len(cell) for part in plan_map_slides(m, extra_top=80) for row in part.rows
                for cell in row.cells)
    assert cards == len(m.cards) == sum(len(cell) for part in plain_plan for row in part.rows
                                        for cell in row.cells)
    bare = build_presentation(m, ws, personas=False)
    assert not any(s.name.startswith("Flows") for slide in bare.slides for s in slide.shapes)


def test_a_slide_per_linked_persona(decks: dict[str, Path]) -> None:
    _, ws = wide()
    deck = Presentation(str(decks["wide"]))
    maria, tom = deck.slides[4], deck.slides[5]
    shown = "\n".join(texts(maria))
    for text in ("Maria", "Visitor", "Where is the price?", "Goals", "Compare plans",
                 "Frustrations", "Hidden fees", "Needs", "Clarity"):
        assert text in shown
    assert "Saving time" in "\n".join(texts(tom))
    assert "Compare plans" in maria.notes_slide.notes_text_frame.text
    sample_deck = Presentation(str(decks["sample"]))  # Maria of the sample has a photo
    assert any(s.name == "Photo" for s in sample_deck.slides[-1].shapes)


def test_a_tall_lane_continues_on_the_next_slide() -> None:
    m = JourneyMap(name="Tall", stages=[Stage(name="Only", steps=[Step(name="")])],
                   lanes=[Lane(name="Doing"), Lane(name="After", type=LaneType.NOTES)])
    step = m.all_steps()[0]
    for i in range(40):
        card = Card(step.id, m.lanes[0].id, f"Tall card {i}", position=i)
        m.cards[card.id] = card
    last = Card(step.id, m.lanes[1].id, "After all")
    m.cards[last.id] = last
    deck = build_presentation(m, Workspace(maps={m.id: m}))
    assert len(deck.slides) >= 2
    shown = [t for slide in deck.slides for t in texts(slide)]
    for i in range(40):
        assert f"Tall card {i}" in shown
    assert any(t.startswith("Doing (continued)") for t in shown)
    assert any(t.startswith("After all") for t in shown)
    for slide in deck.slides:  # nothing below the slide's bottom edge
        assert all(s.top + s.height <= deck.slide_height for s in slide.shapes)


def test_user_text_stays_plain_text() -> None:
    m, ws = sample()
    odd = ['=HYPERLINK("http://x","y")', "<b>bold</b> & {{field}}", "tab\there\x00\x1b end",
           "\ud800 lone surrogate"]
    card = next(c for c in m.cards.values() if c.text != LONG)
    card.text = "\n".join(odd)
    m.stages[0].name = "<Discover & go>"
    deck = build_presentation(m, ws)
    shape = next(s for slide in deck.slides for s in slide.shapes
                 if s.name.startswith("Card:") and "HYPERLINK" in s.text_frame.text)
    assert shape.text_frame.text.startswith(plain(card.text))
    assert shape.text_frame.text.split("\n")[:3] == [*odd[:2], "tab\there end"]
    assert "\x00" not in shape.text_frame.text
    assert "<Discover & go>" in texts(deck.slides[0])


def one_cell_map(*cards: tuple[LaneType, Card]) -> tuple[JourneyMap, Workspace]:
    """A one-step map with a lane per card, each card in its own lane."""
    m = JourneyMap(name="Cells", stages=[Stage(name="Only", steps=[Step(name="")])],
                   lanes=[Lane(name=f"Lane {i}", type=t) for i, (t, _) in enumerate(cards)])
    step = m.all_steps()[0]
    for lane, (_, card) in zip(m.lanes, cards, strict=True):
        card.step_id, card.lane_id = step.id, lane.id
        m.cards[card.id] = card
    return m, Workspace(maps={m.id: m})


def card_shapes(deck) -> dict[str, object]:  # noqa: ANN001
    return {s.name: s for slide in deck.slides for s in slide.shapes
            if s.name.startswith(("Card:", "Picture:"))}


def test_a_card_written_as_xml_reads_back_as_python_pptx_would_write_it() -> None:
    odd = 'Tom & "Jerry" <b>not bold</b>'
    m, ws = one_cell_map(
        (LaneType.ACTIONS, Card("", "", odd, colour="#2e8540", tags=["a&b"])),
        (LaneType.NOTES, Card("", "", "A note")),
        (LaneType.PAIN_POINTS, Card("", "", "Hurts", severity=4)))
    deck = build_presentation(m, ws)
    shapes = card_shapes(deck)
    card = shapes[f"Card: {odd}"]
    assert card.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
    assert 0 < card.adjustments[0] <= 0.5
    assert card.text_frame.text == f"{odd}\n#a&b"
    assert f"#{card.fill.fore_color.rgb}".lower() == card_tint("light", "#2e8540")
    assert f"#{card.line.color.rgb}".lower() == card_accent("light", "#2e8540")
    assert card.line.width.pt == 1.0
    first, badge = (p.runs[0] for p in card.text_frame.paragraphs)
    assert (first.font.size.pt, first.font.bold, first.font.name) == (CARD_PT, False, "Arial")
    assert (badge.font.size.pt, badge.text) == (10.0, "#a&b")
    assert card.text_frame.margin_left.pt == CARD_INSET_X
    assert card.text_frame.word_wrap is True
    assert shapes["Card: A note"].auto_shape_type == MSO_SHAPE.FOLDED_CORNER
    pain = shapes["Card: Hurts"]
    look = LANE_COLOURS["light"][LaneType.PAIN_POINTS]
    assert f"#{pain.fill.fore_color.rgb}".lower() == severity_fill(look.fill, look.accent, 4)
    assert "Severity 4" in pain.text_frame.text
    assert pain._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}"
                              "style") is None  # no theme shadow
    for slide in deck.slides:  # every shape id once on its slide
        ids = [s.shape_id for s in slide.shapes]
        assert len(ids) == len(set(ids))


def picture_shapes(deck) -> list[object]:  # noqa: ANN001
    return [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13
            and s.name.startswith("Picture:")]


def test_card_pictures_are_native_pictures_over_their_caption() -> None:
    wide_png = png(320, 160)
    m, ws = one_cell_map(
        (LaneType.STORYBOARD, Card("", "", "The shop window", picture=wide_png)),
        (LaneType.ACTIONS, Card("", "", "Looks at a photo", picture=png(60, 120))),
        (LaneType.STORYBOARD, Card("", "", "", picture=JPEG_8X6)),
        (LaneType.STORYBOARD, Card("", "", "Broken", picture=b"\x89PNG not really")))
    deck = build_presentation(m, ws)
    shapes = card_shapes(deck)
    shown = [t for slide in deck.slides for t in texts(slide)]
    assert not any("Picture (in the app)" in t for t in shown)
    pictures = picture_shapes(deck)
    assert len(pictures) == 3

    window, card = shapes["Picture: The shop window"], shapes["Card: The shop window"]
    assert window.image.blob == wide_png
    assert window.width / window.height == pytest.approx(2.0, rel=0.01)
    assert window.width.pt == pytest.approx(card.width.pt - 2 * CARD_INSET_X, abs=0.1)
    assert card.left <= window.left and window.left + window.width <= card.left + card.width
    assert card.top < window.top
    caption_top = card.top + card.text_frame.margin_top  # the caption below the picture
    assert window.top + window.height <= caption_top
    assert card.text_frame.text == "The shop window"
    assert window._element.xpath("./p:nvPicPr/p:cNvPr/@descr") == ["The shop window"]

    tall = shapes["Picture: Looks at a photo"]  # another lane: a smaller picture, its aspect kept
    assert tall.height.pt == pytest.approx(PICTURE_H, abs=0.1)
    assert tall.height / tall.width == pytest.approx(2.0, rel=0.01)

    jpeg = shapes["Picture: "]  # a picture without text: no "Empty card" caption
    assert jpeg.width / jpeg.height == pytest.approx(8 / 6, rel=0.01)
    assert jpeg.height.pt <= STORYBOARD_PICTURE_H
    assert shapes["Card: "].text_frame.text == ""
    assert "Picture (cannot be shown)" in shapes["Card: Broken"].text_frame.text


def test_a_turned_phone_photo_is_written_upright() -> None:
    image_module = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    exif = image_module.Exif()
    exif[0x0112] = 6  # stored landscape, shown turned a quarter (portrait)
    image_module.new("RGB", (40, 20), (200, 80, 40)).save(buffer, "JPEG", exif=exif)
    m, ws = one_cell_map((LaneType.STORYBOARD, Card("", "", "Upright", picture=buffer.getvalue())))
    picture, = picture_shapes(build_presentation(m, ws))
    assert picture.height / picture.width == pytest.approx(2.0, rel=0.01)
    assert picture.image.size == (20, 40)


def test_the_tallest_card_fits_a_slide() -> None:
    many_tags = [f"tag{i}" for i in range(300)]
    m, ws = one_cell_map(
        (LaneType.STORYBOARD, Card("", "", LONG, picture=png(10, 200), tags=many_tags)),
        (LaneType.TOUCHPOINTS, Card("", "", LONG, picture=png(10, 200), tags=many_tags,
                                    channel="web " * 100)))
    deck = build_presentation(m, ws)  # and returns: no card is taller than a slide
    cards = [s for slide in deck.slides for s in slide.shapes if s.name.startswith("Card:")]
    assert len(cards) == 2 and len(picture_shapes(deck)) == 2
    for slide in deck.slides:
        assert all(s.top + s.height <= deck.slide_height for s in slide.shapes)
    tags = cards[0].text_frame.paragraphs[-1].text
    assert tags.startswith("#tag0  #tag1") and tags.endswith("…")


def test_the_same_picture_is_stored_once() -> None:
    same = png(30, 20)
    m, ws = one_cell_map(*[(LaneType.STORYBOARD, Card("", "", f"Copy {i}", picture=same))
                           for i in range(3)])
    deck = build_presentation(m, ws)
    assert len(picture_shapes(deck)) == 3
    buffer = io.BytesIO()
    deck.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert len([n for n in archive.namelist() if n.startswith("ppt/media/")]) == 1


def test_cancelling_leaves_the_old_file(tmp_path: Path) -> None:
    m, ws = sample()
    out = tmp_path / "map.pptx"
    out.write_bytes(b"old")
    with pytest.raises(ExportCancelled):
        write_map(m, ws, out, progress=lambda done, total: done < 3)
    assert out.read_bytes() == b"old"
    calls = []
    write_map(m, ws, out, progress=lambda done, total: calls.append((done, total)) or True)
    assert Presentation(str(out)).slides
    assert calls and all(done < total for done, total in calls)


# -- read back with LibreOffice ---------------------------------------------------------------
def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), squeezed(" ".join(p.extract_text() or "" for p in reader.pages))


def test_libreoffice_finds_every_stage_and_card_in_the_pdf(decks: dict[str, Path],
                                                           pdfs: dict[str, Path]) -> None:
    for name, build in (("sample", sample), ("wide", wide)):
        m, _ = build()
        pages, text = pdf_text(pdfs[name])
        assert pages == len(Presentation(str(decks[name])).slides)
        for stage in m.stages:
            assert squeezed(stage.name) in text, (name, stage.name)
        for card in m.cards.values():
            wanted = card.text if card.text != LONG else "A very long card about detail0"
            assert squeezed(wanted) in text, (name, card.text)


def test_libreoffice_pages_are_the_slides_asked_for(pdfs: dict[str, Path]) -> None:
    m, ws = wide()
    pages, text = pdf_text(pdfs["wide"])
    assert pages == len(wide_plan(m)) + 1 + len(m.persona_ids) == 6
    assert squeezed("Users per stage") in text and squeezed("Tom Baker") in text
