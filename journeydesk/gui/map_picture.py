"""A map as a picture: PNG (chosen scale or DPI), SVG and PDF (vector), and printing.

Pictures are drawn from a fresh scene in the light theme (selection, find highlights and the
"+" buttons of the live canvas never show), under a title band with the map's name.  The layers
shown over the map on the canvas go along: the flows, a retention figure and the data overlay's
numbers on the stage headers, the overlay with a caption line under the title naming its
dataset, period, window and segment.  PDFs and prints either fit the whole map on one page or
tile it onto pages at full size, each page with the map's name, the date and the page number in
its header.  Files are written to a temporary file and renamed into place, so a cancelled or
failed export leaves the old file as it was.
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
CAPTION_H = 20.0  # the caption line of the overlay's numbers, under the title
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
                 retention: object = None, overlay: object = None) -> Iterator[object]:
    """A scene of the map for pictures: light theme, no editing affordances; ``flows``
    (the flows shown on the canvas, if any) are drawn over the headers as there,
    ``retention`` (the retention figure on a stage's header, if any) on its header and
    ``overlay`` (a :class:`~journeydesk.app.overlay.DataOverlay`, if any) on the headers and
    cards."""
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
    if overlay is not None:
        scene.set_overlay(overlay)
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


def title_height(caption: str = "") -> float:
    """The height of the title band (with a line for the overlay's caption when given)."""
    return TITLE_H + (CAPTION_H if caption else 0.0)


def _paint_title(painter, width: float, m: JourneyMap, caption: str = "") -> None:  # noqa: ANN001
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont

    painter.fillRect(QRectF(0, 0, width, title_height(caption)), QColor("#ffffff"))
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
    if caption:
        _paint_caption(painter, QRectF(MARGIN, TITLE_H - 2, width - 2 * MARGIN, CAPTION_H),
                       caption, 12)


def _paint_caption(painter, rect, caption: str, pixels: float) -> None:  # noqa: ANN001
    """The overlay's caption in one line (cut with "…" when the picture is narrower)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFont

    font = QFont()
    font.setPixelSize(max(1, round(pixels)))
    painter.setFont(font)
    painter.setPen(QColor("#3d4657"))
    text = painter.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideRight,
                                            int(rect.width()))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


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
              retention: object = None, overlay: object = None,
              caption: str = "") -> tuple[int, int]:
    """Write the whole map as PNG; ``dpi`` (if given) sets the scale (96 dpi = 1:1).
    ``overlay`` (the data overlay's numbers) is drawn on the headers, ``caption`` (naming
    those numbers' data) under the title.

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
    top = title_height(caption)
    with export_scene(document, map_id, flows, retention, overlay) as scene:
        source = map_rect(scene)
        width = math.ceil(source.width() * scale)
        height = math.ceil((source.height() + top) * scale)
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
        _paint_title(painter, source.width(), m, caption)
        _paint_map(painter, scene, QRectF(0, top, source.width(), source.height()), source)
        painter.end()
    tmp = _temp_beside(path)
    _finish(tmp, path, image.save(str(tmp), "PNG"))
    return width, height


def write_svg(document: Document, map_id: str, path: Path, *, flows: object = None,
              retention: object = None, overlay: object = None, caption: str = "") -> None:
    """Write the whole map as SVG (vector; text stays text); ``overlay`` and ``caption`` as
    for :func:`write_png`."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    ensure_application()
    m = document.workspace.maps[map_id]
    tmp = _temp_beside(path)
    top = title_height(caption)
    with export_scene(document, map_id, flows, retention, overlay) as scene:
        source = map_rect(scene)
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        size = QSize(math.ceil(source.width()), math.ceil(source.height() + top))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(m.name)
        generator.setDescription(m.description or f"Journey map {m.name}")
        painter = QPainter(generator)
        ok = painter.isActive()
        if ok:
            _paint_title(painter, source.width(), m, caption)
            _paint_map(painter, scene, QRectF(0, top, source.width(), source.height()),
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
                flows: object = None, retention: object = None, overlay: object = None,
                caption: str = "") -> int:
    """Paint the map onto a paged device (QPdfWriter or QPrinter); returns the page count.

    ``fit`` scales the whole map onto one page; ``tile`` prints it at full size (1 scene unit
    = 1/96 inch) across as many pages as it needs.  Every page has a header with the map's
    name, the date and "page i of n", and the ``caption`` of the ``overlay``'s numbers (when
    given) in a second line.
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPainter

    if mode not in PAGE_MODES:
        raise ValueError(f"pages must be one of {', '.join(PAGE_MODES)}")
    m = document.workspace.maps[map_id]
    today = today or dt.date.today()
    with export_scene(document, map_id, flows, retention, overlay) as scene:
        source = map_rect(scene)
        painter = QPainter(device)
        if not painter.isActive():
            raise OSError("the page device could not be opened")
        try:
            dpi = device.logicalDpiX()
            page = QRectF(device.pageLayout().paintRectPixels(dpi)).translated(
                -device.pageLayout().paintRectPixels(dpi).topLeft())
            line_h = dpi * 0.35
            header_h = line_h * (1.6 if caption else 1.0)
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
                header = QRectF(0, 0, page.width(), line_h * 0.8)
                painter.drawText(header, int(Qt.AlignmentFlag.AlignLeft
                                             | Qt.AlignmentFlag.AlignVCenter), m.name)
                painter.drawText(header, int(Qt.AlignmentFlag.AlignRight
                                             | Qt.AlignmentFlag.AlignVCenter),
                                 f"{today.isoformat()}   page {index + 1} of {len(tiles)}")
                if caption:
                    _paint_caption(painter, QRectF(0, line_h * 0.75, page.width(),
                                                   line_h * 0.7), caption, line_h * 0.36)
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
              flows: object = None, retention: object = None, overlay: object = None,
              caption: str = "") -> int:
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
                            flows=flows, retention=retention, overlay=overlay, caption=caption)
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
                   retention: object = None, overlay: object = None,
                   caption: str = "") -> None:
    """Write a picture of the map; the format follows the extension (.png, .svg, .pdf).
    ``flows``: the flows shown over the map (View > Flows between stages), drawn too;
    ``retention``: the retention figure shown on a stage's header, drawn there too;
    ``overlay``: the data overlay's numbers, drawn on the headers and cards, with
    ``caption`` (what :func:`journeydesk.app.exports.funnel_caption` says of them) under the
    title."""
    layers = {"flows": flows, "retention": retention, "overlay": overlay, "caption": caption}
    suffix = path.suffix.lower()
    if suffix == ".png":
        write_png(document, map_id, path, scale=scale or DEFAULT_SCALE, dpi=dpi, **layers)
    elif suffix == ".svg":
        write_svg(document, map_id, path, **layers)
    elif suffix == ".pdf":
        write_pdf(document, map_id, path, mode=pages, progress=progress, **layers)
    else:
        raise ValueError(f"cannot draw a map as {suffix or 'a file without extension'}")

