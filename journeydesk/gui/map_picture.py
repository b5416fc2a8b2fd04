"""A map as a picture: PNG (chosen scale or DPI), SVG and PDF (vector), and printing.

Pictures are drawn from a fresh scene in the light theme (selection, find highlights and the
"+" buttons of the live canvas never show), under a title band with the map's name.  The layers
shown over the map on the canvas go along: the flows, a retention figure and the data overlay's
numbers on the stage headers, the overlay with a caption line under the title naming its
dataset, period, window and segment.  PDFs and prints either fit the whole map on one page or
tile it onto pages at full size, each page with the map's name, the date and the page number in
its header.  Tiles are cut between step columns and between cards (a column or card larger
than a page is cut where the page ends), each page holds as many whole columns and cards as
fit, and every page repeats the stage and step headers above and the lane headers to the left
of its part of the map.  Files are written to a temporary file and renamed into place, so a
cancelled or failed export leaves the old file as it was.
"""

from __future__ import annotations

import bisect
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
    from journeydesk.gui.canvas.card_marks import hide_comment_badges
    from journeydesk.gui.canvas.scene import MapScene
    from journeydesk.gui.canvas.theme import LIGHT
    from journeydesk.gui.editing import Editor

    editor = Editor(document)
    scene = MapScene(editor, map_id, LIGHT)
    scene.set_affordances(False)
    hide_comment_badges(scene)  # working notes: the live canvas only (no highlight either)
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
def page_breaks(extents: list[tuple[float, float]], start: float, end: float,
                body: float) -> list[float]:
    """Where to cut the span ``start``..``end`` into pages of at most ``body`` each, never
    inside one of the ``extents`` (the (from, to) of what must stay whole: columns, cards);
    returns the boundaries, ``start`` first and ``end`` last.

    Greedy: each page takes as much as fits, cutting in the gap before the first extent that
    does not fit whole (in the middle of the gap, so nothing touching the edge is drawn on
    both pages).  So every page but the last is filled to at least ``body`` less the largest
    extent.  An extent longer than ``body`` (a card or column taller or wider than a page)
    cannot stay whole: it is cut at the page's end.
    """
    if body <= 0:
        raise ValueError("a page's body must have a size")
    blocks: list[list[float]] = []  # the extents merged where they overlap
    for first, last in sorted(extents):
        low, high = max(first, start), min(last, end)
        if high <= low:
            continue
        if blocks and low < blocks[-1][1]:
            blocks[-1][1] = max(blocks[-1][1], high)
        else:
            blocks.append([low, high])
    starts = [b[0] for b in blocks]
    eps = 1e-6
    cuts = [start]
    pos = start
    while end - pos > body + eps:
        limit = pos + body
        cut = limit
        index = bisect.bisect_left(starts, limit) - 1  # the last block starting before limit
        if index >= 0 and blocks[index][1] > limit:  # the limit falls inside that block
            before = max(pos, blocks[index - 1][1]) if index > 0 else pos
            if blocks[index][0] > pos + eps:
                cut = (before + blocks[index][0]) / 2
        cuts.append(cut)
        pos = cut
    cuts.append(end)
    return cuts


def tile_grid(scene, body_w: float, body_h: float  # noqa: ANN001
              ) -> tuple[list[float], list[float], float, float]:
    """How a tiled print cuts the map, in scene units for a page body of ``body_w`` x
    ``body_h``: the x boundaries of the page columns (between step columns), the y
    boundaries of the page rows (between cards), and the width of the lane header column and
    the height of the stage header band repeated on every page."""
    from journeydesk.gui.canvas.theme import COLUMN_W, LANE_HEADER_W

    lay = scene.layout
    source = map_rect(scene)
    header_w = LANE_HEADER_W - source.left()
    header_h = lay.top - source.top()
    if header_w > body_w / 2 or header_h > body_h / 2:  # a tiny page: no room to repeat
        header_w = header_h = 0.0
    xs_from = source.left() + header_w
    ys_from = source.top() + header_h
    columns = [(x, x + COLUMN_W) for x in lay.column_x]
    xs = page_breaks(columns, xs_from, source.right(), body_w - header_w)
    # a card's edge kept off the cut (by less than half the gap between two cards): an item
    # touching a page's edge would be drawn, all its text, on that page too
    pad = 3.0
    rows = [(r.top() - pad, r.bottom() + pad) for r in lay.card_rects.values()]
    for lane_id, band in lay.lane_band.items():  # the emotion curves, metric rows
        if band:
            top = lay.lane_rects[lane_id].top()
            rows.append((top, lay.cards_top(lane_id) - 2 * pad - 1))  # a cut may go below
    ys = page_breaks(rows, ys_from, source.bottom(), body_h - header_h)
    return xs, ys, header_w, header_h


def _paint_tile(painter, scene, origin, scale: float, *,  # noqa: ANN001
                xs: tuple[float, float], ys: tuple[float, float], header_w: float,
                header_h: float) -> None:
    """One page of a tiled print: the map's part ``xs`` x ``ys`` with the header band and
    the lane header column of that part repeated above and to its left.  A stage or lane
    begun on an earlier page shows its header from its start (its name), as the canvas's
    sticky headers do."""
    from PySide6.QtCore import QRectF

    source = map_rect(scene)
    sl, st = source.left(), source.top()
    (x0, x1), (y0, y1) = xs, ys
    ox, oy = origin.x(), origin.y()

    def paint(src: QRectF, px: float, py: float) -> None:
        if src.width() > 0 and src.height() > 0:
            _paint_map(painter, scene, QRectF(ox + px * scale, oy + py * scale,
                                              src.width() * scale, src.height() * scale), src)

    paint(QRectF(x0, y0, x1 - x0, y1 - y0), header_w, header_h)
    if not header_w and not header_h:
        return
    paint(QRectF(sl, st, header_w, header_h), 0.0, 0.0)
    paint(QRectF(x0, st, x1 - x0, header_h), header_w, 0.0)
    paint(QRectF(sl, y0, header_w, y1 - y0), 0.0, header_h)
    lay = scene.layout
    for rect in lay.stage_rects.values():
        if rect.left() < x0 < rect.right():
            paint(QRectF(rect.left(), rect.top(), min(rect.right(), x1) - x0, rect.height()),
                  header_w, rect.top() - st)
    for rect in lay.lane_rects.values():
        if rect.top() < y0 < rect.bottom():
            paint(QRectF(sl, rect.top(), header_w, min(rect.bottom(), y1) - y0),
                  0.0, header_h)


def paint_pages(device, document: Document, map_id: str, *, mode: str = "fit",  # noqa: ANN001
                progress: Progress | None = None, today: dt.date | None = None,
                flows: object = None, retention: object = None, overlay: object = None,
                caption: str = "") -> int:
    """Paint the map onto a paged device (QPdfWriter or QPrinter); returns the page count.

    ``fit`` scales the whole map onto one page; ``tile`` prints it at full size (1 scene unit
    = 1/96 inch) across as many pages as it needs (:func:`tile_grid`): cut between step
    columns and between cards, each page as full as whole columns and cards allow, with the
    stage and step headers and the lane headers repeated on every page.  Every page has a
    header with the map's name, the date and "page i of n", and the ``caption`` of the
    ``overlay``'s numbers (when given) in a second line.
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
                tiles = [(0, 0)]
                scale = min(body.width() / source.width(), body.height() / source.height())
            else:
                scale = unit
                xs, ys, head_w, head_h = tile_grid(scene, body.width() / unit,
                                                   body.height() / unit)
                tiles = [(c, r) for r in range(len(ys) - 1) for c in range(len(xs) - 1)]
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
                if mode == "fit":
                    _paint_map(painter, scene, QRectF(body.left(), body.top(),
                                                      source.width() * scale,
                                                      source.height() * scale), source)
                else:
                    _paint_tile(painter, scene, body.topLeft(), scale,
                                xs=(xs[tx], xs[tx + 1]), ys=(ys[ty], ys[ty + 1]),
                                header_w=head_w, header_h=head_h)
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

