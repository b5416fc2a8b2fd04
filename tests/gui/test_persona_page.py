"""The one-page persona sheet: a vector PDF with real text, or a PNG, written atomically."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from journeydesk.domain.model import JourneyMap, Persona, Workspace
from journeydesk.gui import persona_page
from journeydesk.gui.avatar import avatar_colour, initials
from journeydesk.gui.persona_page import linked_map_names, render_persona_page

DAY = dt.date(2025, 3, 14)
PHOTO_COLOUR = QColor("#ff8800")


def png_bytes(width: int = 240, height: int = 320) -> bytes:
    """A solid orange picture, taller than wide (the sheet crops it to a circle)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(PHOTO_COLOUR)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data)


def rich_persona() -> Persona:
    return Persona(
        name="Zoë Ångström-Łukasiewicz", role="Office manager at a design studio",
        quote="I don't have time to learn another tool, it should just work the first time.",
        bio="Runs the office of a 40-person studio.\nBuys the software for everyone.",
        goals=["Set up the whole team in one afternoon without ever calling the support line "
               "or reading a manual, because the afternoon is all she has",
               "Keep monthly costs predictable so that no partner is surprised by an invoice",
               "Find answers herself"],
        frustrations=["Surprise costs after the trial ends", "Forms that ask twice",
                      "Support that answers by e-mail two days later"],
        needs=["Clear pricing per seat"], motivations=["Being the one who makes things run"],
        channels=["E-mail", "Mobile app", "Web"], tags=["B2B", "Buyer"],
        notes="Interviewed twelve office managers in March.", age_range="35-44",
        location="Lyon, France", tech_comfort=3, photo=png_bytes())


def workspace_with(persona: Persona) -> Workspace:
    ws = Workspace(personas={persona.id: persona})
    for name, linked in (("Trial to paid", True), ("Onboarding a new team", True),
                         ("Renewal", False)):
        journey_map = JourneyMap(name=name, persona_ids=[persona.id] if linked else [])
        ws.maps[journey_map.id] = journey_map
    return ws


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return reader, re.sub(r"- ", "-", text)  # a line may break after a hyphen


def flat(text: str) -> str:
    return " ".join(text.split())


def distinct_colours(image: QImage, step: int = 7) -> set[int]:
    return {image.pixel(x, y) for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)}


# --------------------------------------------------------------------------- PDF
def test_pdf_is_one_a4_page_with_every_text_extractable(tmp_path: Path) -> None:
    persona = rich_persona()
    out = tmp_path / "zoe.pdf"
    render_persona_page(persona, workspace_with(persona), out, today=DAY)

    reader, text = pdf_text(out)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    for expected in (persona.name, persona.quote, persona.role, *persona.goals,
                     *persona.frustrations, *persona.needs, *persona.motivations,
                     *persona.channels, "Trial to paid", "Onboarding a new team",
                     "Lyon, France", "35-44", "Interviewed twelve office managers in March.",
                     "Buys the software for everyone.", "3 of 5", "JourneyDesk · 2025-03-14"):
        assert flat(expected) in text, expected
    assert "Renewal" not in text  # not linked to the persona
    # Vector text in embedded fonts and the photo as an image, not one big picture of the page.
    resources = page["/Resources"]
    assert resources["/Font"]
    images = [name for name, obj in resources["/XObject"].items()
              if obj.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1
    assert reader.metadata is not None and reader.metadata.title == persona.name


def test_pdf_text_has_no_ligature_glyphs(tmp_path: Path) -> None:
    persona = Persona(name="Efficient Fiona", goals=["Find the office flow"])
    out = tmp_path / "fiona.pdf"
    render_persona_page(persona, Workspace(personas={persona.id: persona}), out)
    _, text = pdf_text(out)
    assert "Efficient Fiona" in text and "Find the office flow" in text


def test_empty_sections_are_left_out(tmp_path: Path) -> None:
    persona = Persona(name="Sam")
    out = tmp_path / "sam.pdf"
    render_persona_page(persona, Workspace(personas={persona.id: persona}), out, today=DAY)
    _, text = pdf_text(out)
    assert "Sam" in text
    for heading in ("GOALS", "FRUSTRATIONS", "NEEDS", "MOTIVATIONS", "PREFERRED CHANNELS",
                    "TECH COMFORT", "APPEARS IN", "ABOUT", "NOTES", "Age"):
        assert heading not in text
    assert "JourneyDesk · 2025-03-14" in text


def test_a_persona_too_long_for_the_page_still_makes_one_page(tmp_path: Path) -> None:
    persona = Persona(name="Verbose", quote="word " * 80,
                      goals=[f"Goal number {i} " + "and more words " * 12 for i in range(12)],
                      frustrations=[f"Pain {i} " + "pain " * 40 for i in range(12)],
                      channels=[f"Channel {i}" for i in range(40)], bio="bio " * 300)
    ws = workspace_with(persona)
    out = tmp_path / "long.pdf"
    render_persona_page(persona, ws, out)
    reader, text = pdf_text(out)
    assert len(reader.pages) == 1
    assert "Goal number 11" in text and "Channel 39" in text
    render_persona_page(persona, ws, tmp_path / "long.png")
    assert QImage(str(tmp_path / "long.png")).size().toTuple() == (1240, 1754)


# --------------------------------------------------------------------------- PNG
def test_png_is_a4_at_150_dpi_and_drawn(tmp_path: Path) -> None:
    persona = rich_persona()
    out = tmp_path / "zoe.png"
    render_persona_page(persona, workspace_with(persona), out)

    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1240, 1754)
    assert round(image.dotsPerMeterX() * 0.0254) == 150
    assert len(distinct_colours(image)) > 40
    assert QColor(image.pixel(5, 5)) == persona_page.BAND  # the header band
    assert QColor(image.pixel(620, 1700)) == QColor("#ffffff")  # below the footer
    orange = sum(1 for x in range(0, 500, 2) for y in range(0, 500, 2)
                 if QColor(image.pixel(x, y)) == PHOTO_COLOUR)
    assert orange > 4000  # the photo, inside its circle


def test_without_photo_an_initials_avatar_is_drawn(tmp_path: Path) -> None:
    persona = Persona(name="Émile Zola", photo=b"not an image")  # unreadable: initials too
    out = tmp_path / "emile.png"
    render_persona_page(persona, Workspace(personas={persona.id: persona}), out)
    image = QImage(str(out))
    avatar = avatar_colour(persona.name)  # the colour the app's gallery gives this persona
    assert sum(1 for x in range(0, 500, 2) for y in range(0, 500, 2)
               if QColor(image.pixel(x, y)) == avatar) > 4000
    assert len(distinct_colours(image, 3)) > 10
    pdf = tmp_path / "emile.pdf"
    render_persona_page(persona, Workspace(personas={persona.id: persona}), pdf)
    assert initials(persona.name) == "ÉZ"
    assert "ÉZ" in pdf_text(pdf)[1].split()


# --------------------------------------------------------------------------- files
def test_linked_map_names_are_sorted_and_only_the_linked_ones() -> None:
    persona = rich_persona()
    assert linked_map_names(persona, workspace_with(persona)) == [
        "Onboarding a new team", "Trial to paid"]


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    persona = Persona(name="Sam")
    with pytest.raises(ValueError, match=r"supported formats are \.pdf, \.png"):
        render_persona_page(persona, Workspace(), tmp_path / "sam.svg")
    assert list(tmp_path.iterdir()) == []


def test_upper_case_extension_works(tmp_path: Path) -> None:
    persona = Persona(name="Sam")
    render_persona_page(persona, Workspace(), tmp_path / "SAM.PDF")
    assert (tmp_path / "SAM.PDF").read_bytes()[:5] == b"%PDF-"


def test_the_file_is_replaced_atomically(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    persona = Persona(name="Sam")
    out = tmp_path / "sam.png"
    out.write_bytes(b"old")
    render_persona_page(persona, Workspace(), out)
    assert QImage(str(out)).width() == 1240
    assert [p.name for p in tmp_path.iterdir()] == ["sam.png"]

    before = out.read_bytes()

    def broken(sheet: object, path: str) -> None:
        Path(path).write_bytes(b"half a png")
        raise OSError("disk full")

    monkeypatch.setattr(persona_page, "_render_png", broken)
    with pytest.raises(OSError, match="disk full"):
        render_persona_page(persona, Workspace(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sam.png"]


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        render_persona_page(Persona(name="Sam"), Workspace(), tmp_path / "nope" / "sam.pdf")
