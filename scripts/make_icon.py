"""Draw the app icon: a small journey map (three stage columns) with an emotion curve.

Writes resources/icons/journeydesk.svg (the source), journeydesk.png (256 px, the window
icon) and journeydesk.ico (16-256 px, for the Windows executable).  The colours are the
canvas theme's (journeydesk/gui/canvas/theme.py).  Run it again after changing the drawing:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

# 256 x 256 units.  Header fill #2f3b52 of the light theme as the tile; three stage headers; the
# emotion curve in white through one point per stage, coloured like the lanes (opportunity
# green, thought amber, pain-point red, touchpoint teal).
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#3b4a66"/>
      <stop offset="1" stop-color="#2f3b52"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="url(#tile)"/>
  <g fill="#e4e8ef" fill-opacity="0.9">
    <rect x="36" y="40" width="56" height="22" rx="7"/>
    <rect x="100" y="40" width="56" height="22" rx="7"/>
    <rect x="164" y="40" width="56" height="22" rx="7"/>
  </g>
  <g stroke="#ffffff" stroke-opacity="0.16" stroke-width="3">
    <line x1="96" y1="74" x2="96" y2="216"/>
    <line x1="160" y1="74" x2="160" y2="216"/>
    <line x1="36" y1="146" x2="220" y2="146"/>
  </g>
  <path d="M 30 132 C 44 116, 52 106, 64 106 C 88 106, 104 186, 128 186
           C 152 186, 168 98, 192 98 C 204 98, 214 104, 226 114"
        fill="none" stroke="#ffffff" stroke-width="11" stroke-linecap="round"/>
  <g stroke="#2f3b52" stroke-width="5">
    <circle cx="64" cy="106" r="15" fill="#5cc46f"/>
    <circle cx="128" cy="186" r="15" fill="#ff6b62"/>
    <circle cx="192" cy="98" r="15" fill="#3fc2ad"/>
  </g>
</svg>
"""


def render_png(renderer: object, size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)  # type: ignore[attr-defined]
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico holding one PNG per size (the form Windows has read since Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, blobs = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an icon directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def main() -> int:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts, images
    renderer = QSvgRenderer(QByteArray(SVG.encode("utf-8")))
    if not renderer.isValid():
        print("make_icon: the SVG does not parse", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "journeydesk.svg").write_text(SVG, encoding="utf-8")
    pngs = {size: render_png(renderer, size) for size in ICO_SIZES}
    (OUT / "journeydesk.png").write_bytes(pngs[256])
    (OUT / "journeydesk.ico").write_bytes(ico_bytes(pngs))
    for name in ("journeydesk.svg", "journeydesk.png", "journeydesk.ico"):
        print(f"{OUT / name}: {(OUT / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
