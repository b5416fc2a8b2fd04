"""Map pictures: PNG at a chosen scale/DPI, SVG and PDF (fit or tiled), printing; read back."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand
from journeydesk.exchange.map_formats import ExportCancelled
from journeydesk.gui import map_picture
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def document(tmp_path: Path, qapp):  # noqa: ANN001, ANN201
    doc = Document(WorkspaceFile.open(tmp_path / "pictures.jdesk", create=True))
    m, personas = sample_map("Sign-up journey", cards_per_cell=2)
    doc.execute(AddMapCommand(m, personas))
    yield doc
    doc.close()


def the_map(document: Document):  # noqa: ANN201
    return next(iter(document.workspace.maps.values()))


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.replace("\t", " ").split(" "))


def test_png_at_a_chosen_scale_and_dpi(document: Document, tmp_path: Path) -> None:
    m = the_map(document)
    out = tmp_path / "map.png"
    w1, h1 = map_picture.write_png(document, m.id, out, scale=1.0)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (w1, h1)
    assert round(image.dotsPerMeterX() * 0.0254) == 96
    w2, h2 = map_picture.write_png(document, m.id, out, dpi=192)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (w2, h2)
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2
    assert round(image.dotsPerMeterX() * 0.0254) == 192
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
               for y in range(0, image.height(), 37)}
    assert len(colours) > 10  # a drawn map, not a blank page
    with pytest.raises(ValueError, match="scale"):
        map_picture.write_png(document, m.id, out, scale=50)


def test_svg_is_vector_with_the_map_text(document: Document, tmp_path: Path) -> None:
    m = the_map(document)
    out = tmp_path / "map.svg"
    map_picture.write_svg(document, m.id, out)
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t for el in root.iter() if el.tag.endswith("text")
                    for t in el.itertext())
    assert "Sign-up journey" in text
    assert "Discover" in text and "Pain points" in text
    # no bitmap inside but the cards' pictures (the storyboard lane's)
    images = [el for el in root.iter() if el.tag.endswith("image")]
    assert len(images) == sum(1 for c in m.cards.values() if c.picture is not None) > 0


def test_pdf_fits_one_page_with_header(document: Document, tmp_path: Path) -> None:
    m = the_map(document)
    out = tmp_path / "map.pdf"
    assert map_picture.write_pdf(document, m.id, out, mode="fit", today=TODAY) == 1
    pages, text = pdf_text(out)
    assert pages == 1
    assert "Sign-up journey" in text and "2026-11-22" in text and "page 1 of 1" in text
    assert "Discover" in text and "Confirm e-mail" in text


def test_pdf_tiles_a_large_map_onto_pages(document: Document, tmp_path: Path) -> None:
    m = the_map(document)
    out = tmp_path / "tiled.pdf"
    pages = map_picture.write_pdf(document, m.id, out, mode="tile", today=TODAY)
    scene_w = 168 + 228 * len(m.all_steps())
    assert pages >= 2 and scene_w > 1000
    count, text = pdf_text(out)
    assert count == pages
    assert f"page {pages} of {pages}" in text
    assert text.count("Sign-up journey") >= pages  # the header on every page


def test_cancelled_pdf_leaves_the_old_file(document: Document, tmp_path: Path) -> None:
    m = the_map(document)
    out = tmp_path / "map.pdf"
    out.write_bytes(b"the old export")
    with pytest.raises(ExportCancelled):
        map_picture.write_pdf(document, m.id, out, mode="tile",
                              progress=lambda done, total: done < 1)
    assert out.read_bytes() == b"the old export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".map.pdf")] == []


def test_printing_uses_the_same_pages(document: Document, tmp_path: Path) -> None:
    from PySide6.QtGui import QPageLayout
    from PySide6.QtPrintSupport import QPrinter

    m = the_map(document)
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    assert map_picture.paint_pages(printer, document, m.id, mode="fit", today=TODAY) == 1
    del printer
    pages, text = pdf_text(out)
    assert pages == 1 and "Sign-up journey" in text and "2026-11-22" in text


def test_card_pictures_are_in_png_and_pdf(document: Document, tmp_path: Path) -> None:
    """The exports paint the scene: a storyboard card's picture is in them, pixels and all."""
    from pictures import png
    from PySide6.QtGui import QColor

    from journeydesk.domain.commands import EditCardCommand
    from journeydesk.domain.model import LaneType

    m = the_map(document)
    lane = next(ln for ln in m.lanes if ln.type is LaneType.STORYBOARD)
    card = next(c for c in m.ordered_cards() if c.lane_id == lane.id)
    colour = (200, 40, 90)
    document.execute(EditCardCommand(m.id, card.id, picture=png(400, 300, colour)))
    out = tmp_path / "map.png"
    map_picture.write_png(document, m.id, out, scale=1.0)
    image = QImage(str(out))
    same = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if QColor(image.pixel(x, y)).getRgb()[:3] == colour)
    assert same * 4 > 0.8 * 196 * 147  # the picture, drawn across the card (196 x 147)
    pdf = tmp_path / "map.pdf"
    map_picture.write_pdf(document, m.id, pdf)
    reader = PdfReader(str(pdf))
    assert sum(len(page.images) for page in reader.pages) >= 1
