"""A map as a picture: PNG (chosen scale or DPI), SVG and PDF (vector), and printing.

Pictures are drawn from a fresh scene in the light theme (selection, find highlights and the
"+" buttons of the live canvas never show), under a title band with the map's name.  PDFs and
prints either fit the whole map on one page or tile it onto pages at full size, each page with
the map's name, the date and the page number in its header.  Files are written to a temporary
file and renamed into place, so a cancelled or failed export leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from journeydesk.app.exports import ExportCancelled, Progress, temp_beside
from journeydesk.app.session import Document
from journeydesk.domain.model import JourneyMap

TITLE_H = 56.0
MARGIN = 24.0
DEFAULT_SCALE = 2.0
PAGE_MODES = ("fit", "tile")


def ensure_application() -> None:
    """A QApplication for rendering (offscreen when there is no display)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    QApplication(sys.argv[:1])


@contextlib.contextmanager
def export_scene(document: Document, map_id: str, flows: object = None,
                 retention: object = None) -> Iterator[object]:
    """A scene of the map for pictures: light theme, no editing affordances; ``flows``
    (the flows shown on the canvas, if any) are drawn over the headers as there, and
    ``retention`` (the retention figure on a stage's header, if any) on its header."""
    from journeydesk.gui.canvas.scene import MapScene
    from journeydesk.gui.canvas.theme import LIGHT
    from journeydesk.gui.editing import Editor

    editor = Editor(document)
    scene = MapScene(editor, map_id, LIGHT)
    scene.add_stage_button.hide()
    scene.add_lane_button.hide()
    if flows is not None:
        scene.set_flows(flows)
    if retention is not None:
        scene.set_retention(retention)
    for item in scene.items():  # cached pixmaps would turn vector output into bitmaps
        item.setCacheMode(item.CacheMode.NoCache)
    try:
        yield scene
    finally:
        scene.close()
        scene.deleteLater()
        editor.deleteLater()


def map_rect(scene) -> object:  # noqa: ANN001
    """The part of the scene that shows the map (without the "+" buttons' margin)."""
    from PySide6.QtCore import QRectF

    lay = scene.layout
    rect = QRectF(0, 0, lay.width, lay.height)
    if getattr(scene, "flows", None) is not None:  # the arcs above the headers
        rect = rect.united(scene.flows_layer.extent())
    return rect.adjusted(-MARGIN / 2, -MARGIN / 2, MARGIN / 2, MARGIN / 2)


def _paint_title(painter, width: float, m: JourneyMap) -> None:  # noqa: ANN001
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont

    painter.fillRect(QRectF(0, 0, width, TITLE_H), QColor("#ffffff"))
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#1f2430"))
    painter.drawText(QRectF(MARGIN, 8, width - 2 * MARGIN, 30),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), m.name)
    if m.description:
        small = QFont()
        small.setPixelSize(13)
        painter.setFont(small)
        painter.setPen(QColor("#5b6577"))
        painter.drawText(QRectF(MARGIN, 36, width - 2 * MARGIN, 18),
                         int(Qt.AlignmentFlag.AlignLeft), m.description)


def _paint_map(painter, scene, target, source) -> None:  # noqa: ANN001
    scene.render(painter, target, source)


def _temp_beside(path: Path) -> Path:
    return temp_beside(path, suffix=path.suffix)


def _finish(tmp: Path, path: Path, ok: bool) -> None:
    if not ok:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OSError(f"{path.name} could not be written")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- PNG and SVG
def write_png(document: Document, map_id: str, path: Path, *, scale: float = DEFAULT_SCALE,
              dpi: float | None = None, flows: object = None,
              retention: object = None) -> tuple[int, int]:
    """Write the whole map as PNG; ``dpi`` (if given) sets the scale (96 dpi = 1:1).

    Returns the picture's size in pixels.
    """
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    ensure_application()
    if dpi is not None:
        scale = dpi / 96.0
    if not 0.1 <= scale <= 8:
        raise ValueError("the scale must be between 0.1 and 8 (or the DPI between 10 and 768)")
    m = document.workspace.maps[map_id]
    with export_scene(document, map_id, flows, retention) as scene:
        source = map_rect(scene)
        width = math.ceil(source.width() * scale)
        height = math.ceil((source.height() + TITLE_H) * scale)
        if width * height > 400_000_000:
            raise ValueError(f"a {width} x {height} picture is too large; use a smaller scale")
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        image.setDotsPerMeterX(round(96 * scale / 0.0254))
        image.setDotsPerMeterY(round(96 * scale / 0.0254))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.scale(scale, scale)
        _paint_title(painter, source.width(), m)
        _paint_map(painter, scene, QRectF(0, TITLE_H, source.width(), source.height()), source)
        painter.end()
    tmp = _temp_beside(path)
    _finish(tmp, path, image.save(str(tmp), "PNG"))
    return width, height


def write_svg(document: Document, map_id: str, path: Path, *, flows: object = None,
              retention: object = None) -> None:
    """Write the whole map as SVG (vector; text stays text)."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    ensure_application()
    m = document.workspace.maps[map_id]
    tmp = _temp_beside(path)
    with export_scene(document, map_id, flows, retention) as scene:
        source = map_rect(scene)
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        size = QSize(math.ceil(source.width()), math.ceil(source.height() + TITLE_H))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(m.name)
        generator.setDescription(m.description or f"Journey map {m.name}")
        painter = QPainter(generator)
        ok = painter.isActive()
        if ok:
            _paint_title(painter, source.width(), m)
            _paint_map(painter, scene, QRectF(0, TITLE_H, source.width(), source.height()),
                       source)
            ok = painter.end()
    _finish(tmp, path, ok)


# --------------------------------------------------------------------------- pages
def page_tiles(source_w: float, source_h: float, page_w: float, page_h: float
               ) -> list[tuple[float, float]]:
    """Top-left corners (scene units) of the tiles covering the map at full size."""
    cols = max(1, math.ceil(source_w / page_w))
    rows = max(1, math.ceil(source_h / page_h))
    return [(c * page_w, r * page_h) for r in range(rows) for c in range(cols)]


def paint_pages(device, document: Document, map_id: str, *, mode: str = "fit",  # noqa: ANN001
                progress: Progress | None = None, today: dt.date | None = None,
                flows: object = None, retention: object = None) -> int:
    """Paint the map onto a paged device (QPdfWriter or QPrinter); returns the page count.

    ``fit`` scales the whole map onto one page; ``tile`` prints it at full size (1 scene unit
    = 1/96 inch) across as many pages as it needs.  Every page has a header with the map's
    name, the date and "page i of n".
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPainter

    if mode not in PAGE_MODES:
        raise ValueError(f"pages must be one of {', '.join(PAGE_MODES)}")
    m = document.workspace.maps[map_id]
    today = today or dt.date.today()
    with export_scene(document, map_id, flows, retention) as scene:
        source = map_rect(scene)
        painter = QPainter(device)
        if not painter.isActive():
            raise OSError("the page device could not be opened")
        try:
            dpi = device.logicalDpiX()
            page = QRectF(device.pageLayout().paintRectPixels(dpi)).translated(
                -device.pageLayout().paintRectPixels(dpi).topLeft())
            header_h = dpi * 0.35
            body = QRectF(0, header_h, page.width(), page.height() - header_h)
            unit = dpi / 96.0  # device pixels per scene unit at full size
            if mode == "fit":
                tiles = [(0.0, 0.0)]
                scale = min(body.width() / source.width(), body.height() / source.height())
                tile_w, tile_h = source.width(), source.height()
            else:
                scale = unit
                tile_w, tile_h = body.width() / unit, body.height() / unit
                tiles = page_tiles(source.width(), source.height(), tile_w, tile_h)
            font = QFont()
            font.setPointSizeF(9)
            for index, (tx, ty) in enumerate(tiles):
                if progress is not None and not progress(index, len(tiles)):
                    raise ExportCancelled
                if index:
                    device.newPage()
                painter.setFont(font)
                painter.setPen(QColor("#1f2430"))
                header = QRectF(0, 0, page.width(), header_h * 0.8)
                painter.drawText(header, int(Qt.AlignmentFlag.AlignLeft
                                             | Qt.AlignmentFlag.AlignVCenter), m.name)
                painter.drawText(header, int(Qt.AlignmentFlag.AlignRight
                                             | Qt.AlignmentFlag.AlignVCenter),
                                 f"{today.isoformat()}   page {index + 1} of {len(tiles)}")
                w = min(tile_w, source.width() - tx)
                h = min(tile_h, source.height() - ty)
                src = QRectF(source.left() + tx, source.top() + ty, w, h)
                target = QRectF(body.left(), body.top(), w * scale, h * scale)
                _paint_map(painter, scene, target, src)
            if progress is not None:
                progress(len(tiles), len(tiles))
        finally:
            painter.end()
    return len(tiles)


def write_pdf(document: Document, map_id: str, path: Path, *, mode: str = "fit",
              progress: Progress | None = None, today: dt.date | None = None,
              flows: object = None, retention: object = None) -> int:
    """Write the map as a vector PDF (A4 landscape; one page or tiled); returns the pages."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    ensure_application()
    m = document.workspace.maps[map_id]
    tmp = _temp_beside(path)
    try:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(m.name)
        writer.setCreator("JourneyDesk")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Landscape,
                                         QMarginsF(10, 10, 10, 10),
                                         QPageLayout.Unit.Millimeter))
        pages = paint_pages(writer, document, map_id, mode=mode, progress=progress, today=today,
                            flows=flows, retention=retention)
        del writer  # closes the file
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _finish(tmp, path, tmp.stat().st_size > 0)
    return pages


def export_picture(document: Document, map_id: str, path: Path, *, scale: float | None = None,
                   dpi: float | None = None, pages: str = "fit",
                   progress: Progress | None = None, flows: object = None,
                   retention: object = None) -> None:
    """Write a picture of the map; the format follows the extension (.png, .svg, .pdf).
    ``flows``: the flows shown over the map (View > Flows between stages), drawn too;
    ``retention``: the retention figure shown on a stage's header, drawn there too."""
    suffix = path.suffix.lower()
    if suffix == ".png":
        write_png(document, map_id, path, scale=scale or DEFAULT_SCALE, dpi=dpi, flows=flows,
                  retention=retention)
    elif suffix == ".svg":
        write_svg(document, map_id, path, flows=flows, retention=retention)
    elif suffix == ".pdf":
        write_pdf(document, map_id, path, mode=pages, progress=progress, flows=flows,
                  retention=retention)
    else:
        raise ValueError(f"cannot draw a map as {suffix or 'a file without extension'}")

