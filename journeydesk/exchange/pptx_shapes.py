"""Slide-making helpers of the PowerPoint export: plain user text, text measured without a
renderer (Arial's widths, so lines wrap alike in PowerPoint and LibreOffice), and shapes with
their fills, outlines and runs of text.  python-pptx is imported inside the functions: the
exchange package loads without it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from journeydesk.domain.colours import THEME_COLOURS

if TYPE_CHECKING:
    from pptx.slide import Slide

# -- the slide, in points (a 16:9 slide is 960 x 540 pt) --------------------------------------
SLIDE_W, SLIDE_H = 960.0, 540.0
MARGIN = 18.0
TITLE_TOP, TITLE_H = 10.0, 32.0
GRID_TOP = 50.0
GRID_BOTTOM = SLIDE_H - 12.0
CARD_INSET_X, CARD_INSET_Y = 5.0, 3.0
FONT = "Arial"  # metric twins everywhere (Liberation Sans, Nimbus Sans): predictable wrapping
CARD_PT = 10.5
LINE = 1.2  # line height / font size, as PowerPoint and LibreOffice set single spacing
THEME = "light"


# -- text ------------------------------------------------------------------------------------
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def plain(text: str) -> str:
    """User text as a slide may hold it: line breaks as ``\\n``, no characters XML cannot
    carry (control characters, lone surrogates)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    return _NOT_XML.sub("", text)


# Advance widths (in 1/1000 em) of Arial's ASCII characters; anything else is guessed.
_WIDTHS: dict[str, int] = {}
for _width, _chars in ((191, "'"), (222, "ijl"), (260, "|"), (278, " !,./:;I[\\]ft"),
                       (333, "()-`r{}"), (355, '"'), (389, "*"), (469, "^"),
                       (500, "Jcksvxyz"), (556, "#$0123456789?L_abdeghnopqu"), (584, "+<=>~"),
                       (611, "FTZ"), (667, "&ABEKPSVXY"), (722, "CDHNRUw"), (778, "GOQ"),
                       (833, "Mm"), (889, "%"), (944, "W"), (1015, "@")):
    _WIDTHS.update(dict.fromkeys(_chars, _width))
SAFETY = 1.08  # room for a wider fallback font and the renderers' own rounding


@lru_cache(maxsize=8192)
def _units(text: str) -> int:
    """The advance width of ``text`` in 1/1000 em (cached: cards repeat their words)."""
    total = 0
    for char in text:
        width = _WIDTHS.get(char)
        if width is None:
            wide = unicodedata.east_asian_width(char) in "WF"
            width = 1000 if wide else 0 if unicodedata.combining(char) else 600
        total += width
    return total


def _points(units: int, size: float, bold: bool) -> float:
    return units / 1000 * size * SAFETY * (1.06 if bold else 1.0)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in points of ``text`` at ``size`` points in :data:`FONT`."""
    return _points(_units(text), size, bold)


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (words kept whole where they
    fit a line; a longer word is broken anywhere)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0  # the line so far (ending in its words' spaces) and its units
        for word in re.findall(r"\S+\s*", paragraph) or [""]:
            if _points(used + _units(word.rstrip()), size, bold) <= width:
                line += word
                used += _units(word)
                continue
            if line:
                lines.append(line.rstrip())
            rest = word
            while text_width(rest.rstrip(), size, bold=bold) > width:
                cut = max(1, _fitting(rest, width, size, bold))
                lines.append(rest[:cut])
                rest = rest[cut:]
            line, used = rest, _units(rest)
        lines.append(line.rstrip())
    return lines


def _fitting(word: str, width: float, size: float, bold: bool) -> int:
    count = 0
    while count < len(word) and text_width(word[:count + 1], size, bold=bold) <= width:
        count += 1
    return count


def shortened(text: str, width: float, size: float, max_lines: int) -> tuple[str, int, bool]:
    """``text`` cut to ``max_lines`` lines of ``width`` points, ending in "…" (at a word
    where one is near): (the text to show, its number of lines, whether it was cut).  The
    text keeps its own line breaks; the slide's text box wraps it."""
    lines = wrap(text, width, size)
    if len(lines) <= max_lines:
        return text, len(lines), False
    low, high = 0, len(text)
    while low < high:  # the longest beginning that fits with the ellipsis
        middle = (low + high + 1) // 2
        if len(wrap(text[:middle].rstrip() + "…", width, size)) <= max_lines:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > low * 0.7:
        cut = cut[:space]
    return cut.rstrip() + "…", max_lines, True


# -- shapes -----------------------------------------------------------------------------------
# Shapes are written as DrawingML text that lxml parses in one go per slide (:class:`ShapeSink`)
# rather than property by property through python-pptx, whose every setter walks the element
# tree: the 2,000-card benchmark (bench/bench_pptx.py) spent 85 % of its time there.  What is
# written is what python-pptx's ``add_shape``, ``fill``, ``line`` and text frame setters write;
# python-pptx reads it back as usual.
_NS = ('xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_ANCHORS = {"top": "t", "middle": "ctr", "bottom": "b"}
_ALIGNS = {"left": "l", "center": "ctr", "right": "r"}
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
EMU_PER_PT = 12700

Paragraphs = Sequence[Sequence[tuple[str, dict[str, Any]]]]


def emu(points: float) -> int:
    """Points in EMU, truncated as python-pptx's ``Pt`` does."""
    return int(points * EMU_PER_PT)


def rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(_hex(hex_colour))


def _hex(colour: str) -> str:
    return colour.lstrip("#")[:6].upper()


def _solid(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{_hex(colour)}"/></a:solidFill>'


_RUN_STARTS: dict[tuple[float, bool, bool, str], str] = {}


def _run_start(style: dict[str, Any]) -> str:
    """``<a:r><a:rPr …>…</a:rPr><a:t>`` of a style: size, bold, italic, colour, in Arial."""
    key = (style.get("size", CARD_PT), bool(style.get("bold", False)),
           bool(style.get("italic", False)), style.get("colour", THEME_COLOURS[THEME]["text"]))
    start = _RUN_STARTS.get(key)
    if start is None:
        size, bold, italic, colour = key
        start = (f'<a:r><a:rPr sz="{emu(size) // 127}" b="{int(bold)}" i="{int(italic)}">'
                 f'{_solid(colour)}<a:latin typeface="{FONT}"/></a:rPr><a:t>')
        _RUN_STARTS[key] = start
    return start


def body_xml(paragraphs: Paragraphs | None, *,
             inset: tuple[float, float, float, float] = (CARD_INSET_X, CARD_INSET_Y,
                                                        CARD_INSET_X, CARD_INSET_Y),
             anchor: str = "top", align: str = "left", body_attributes: str = 'rtlCol="0" ',
             ) -> str:
    """A ``<p:txBody>``: paragraphs of runs (text, style), no autofit, wrapped, the insets in
    points; without paragraphs, the empty centred body of a new python-pptx shape."""
    if paragraphs is None:
        return ('<p:txBody><a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p>'
                '<a:pPr algn="ctr"/></a:p></p:txBody>')
    left, top, right, bottom = (emu(v) for v in inset)
    parts = [f'<p:txBody><a:bodyPr {body_attributes}anchor="{_ANCHORS[anchor]}" wrap="square" '
             f'lIns="{left}" tIns="{top}" rIns="{right}" bIns="{bottom}"><a:noAutofit/>'
             '</a:bodyPr><a:lstStyle/>']
    opening = (f'<a:p><a:pPr algn="{_ALIGNS[align]}"><a:lnSpc><a:spcPct val="100000"/>'
               '</a:lnSpc></a:pPr>')
    for runs in paragraphs or [[]]:
        parts.append(opening)
        parts += [f"{_run_start(style)}{escape(text)}</a:t></a:r>" for text, style in runs]
        parts.append("</a:p>")
    parts.append("</p:txBody>")
    return "".join(parts)


def shape_xml(shape_id: int, x: float, y: float, w: float, h: float, *, fill: str | None,
              line: str | None = None, line_pt: float = 0.75, geometry: str = "rect",
              adjust: float | None = None, name: str = "", body: str | None = None) -> str:
    """A ``<p:sp>``: a preset shape (``geometry``: rect, roundRect, foldedCorner, ellipse…)
    with its fill and outline, no theme style (no shadow), and ``body`` (a txBody)."""
    label = escape(plain(name)[:120], _ATTRIBUTE) if name else f"Shape {shape_id - 1}"
    guide = ("<a:avLst/>" if adjust is None else
             f'<a:avLst><a:gd name="adj" fmla="val {int(adjust * 100000.0)}"/></a:avLst>')
    outline = ("<a:ln><a:noFill/></a:ln>" if line is None else
               f'<a:ln w="{emu(line_pt)}">{_solid(line)}</a:ln>')
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{label}"/><p:cNvSpPr/><p:nvPr/>'
            f'</p:nvSpPr><p:spPr><a:xfrm><a:off x="{emu(x)}" y="{emu(y)}"/>'
            f'<a:ext cx="{emu(w)}" cy="{emu(h)}"/></a:xfrm><a:prstGeom prst="{geometry}">'
            f'{guide}</a:prstGeom>{"<a:noFill/>" if fill is None else _solid(fill)}{outline}'
            f'</p:spPr>{body or body_xml(None)}</p:sp>')


class ShapeSink:
    """Shapes for one slide, kept as text and added to its shape tree in one parse.

    Call :meth:`flush` before anything else adds a shape through python-pptx (a chart) so
    the order on the slide (which is drawn over which) stays as written, and :meth:`follow`
    after it, so ids stay unique.
    """

    def __init__(self, slide: Slide):
        self.tree = slide.shapes._spTree
        self.next_id = self.tree.max_shape_id + 1
        self.pending: list[str] = []

    def box(self, x: float, y: float, w: float, h: float, *, fill: str | None,
            line: str | None = None, line_pt: float = 0.75, geometry: str = "rect",
            adjust: float | None = None, name: str = "",
            paragraphs: Paragraphs | None = None, **text: Any) -> None:
        """A shape (see :func:`shape_xml`) with ``paragraphs`` laid out by ``text`` (the
        ``inset``, ``anchor`` and ``align`` of :func:`body_xml`)."""
        body = None if paragraphs is None else body_xml(paragraphs, **text)
        self.pending.append(shape_xml(self.next_id, x, y, w, h, fill=fill, line=line,
                                      line_pt=line_pt, geometry=geometry, adjust=adjust,
                                      name=name, body=body))
        self.next_id += 1

    def picture(self, x: float, y: float, w: float, h: float, *, r_id: str, name: str,
                description: str) -> None:
        """A picture (``<p:pic>``, as python-pptx's ``add_picture`` writes it) of the image the
        slide relates to as ``r_id``; ``description`` is its alternative text."""
        self.pending.append(
            f'<p:pic><p:nvPicPr><p:cNvPr id="{self.next_id}" '
            f'name="{escape(plain(name)[:120], _ATTRIBUTE)}" '
            f'descr="{escape(plain(description), _ATTRIBUTE)}"/><p:cNvPicPr>'
            '<a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill>'
            f'<a:blip r:embed="{r_id}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>'
            f'<p:spPr><a:xfrm><a:off x="{emu(x)}" y="{emu(y)}"/><a:ext cx="{emu(w)}" '
            f'cy="{emu(h)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            '</p:spPr></p:pic>')
        self.next_id += 1

    def flush(self) -> None:
        """Add the shapes written so far to the slide."""
        if not self.pending:
            return
        from pptx.oxml import parse_xml
        from pptx.oxml.ns import qn

        parsed = parse_xml(f'<p:spTree {_NS}>{"".join(self.pending)}</p:spTree>')
        self.pending.clear()
        # before an extension list, as python-pptx adds its shapes
        ext = self.tree.find(qn("p:extLst"))
        for element in list(parsed):
            if ext is None:
                self.tree.append(element)
            else:
                ext.addprevious(element)

    def follow(self, shape: Any) -> None:
        """Go on after ``shape``, just added through python-pptx."""
        self.next_id = max(self.next_id, shape.shape_id + 1)


def add_box(slide: Slide, x: float, y: float, w: float, h: float, *, fill: str | None,
            line: str | None = None, line_pt: float = 0.75, geometry: str = "rect",
            adjust: float | None = None, name: str = "") -> Any:
    """A rectangle (or ``geometry``) with a fill and an outline, added at once; the shape."""
    sink = ShapeSink(slide)
    sink.box(x, y, w, h, fill=fill, line=line, line_pt=line_pt, geometry=geometry,
             adjust=adjust, name=name)
    sink.flush()
    return slide.shapes[-1]


def fill_text(shape: Any, paragraphs: Paragraphs, *,
              inset: tuple[float, float, float, float] = (CARD_INSET_X, CARD_INSET_Y,
                                                         CARD_INSET_X, CARD_INSET_Y),
              anchor: str = "top", align: str = "left") -> None:
    """Fill ``shape``'s text frame (a shape or a placeholder python-pptx made): paragraphs of
    runs (text, style).  The body's other attributes (a shape's ``rtlCol``) are kept."""
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import qn

    element = shape._element
    old = element.find(qn("p:txBody"))
    kept = ""
    if old is not None:
        ours = {"anchor", "wrap", "lIns", "tIns", "rIns", "bIns"}
        old_body = old.find(qn("a:bodyPr"))
        attributes = {} if old_body is None else old_body.attrib
        kept = "".join(f'{k}="{escape(v, _ATTRIBUTE)}" ' for k, v in attributes.items()
                       if k not in ours)
    text = body_xml(paragraphs, inset=inset, anchor=anchor, align=align, body_attributes=kept)
    body = parse_xml(f"<p:sp {_NS}>{text}</p:sp>")[0]
    if old is None:
        element.append(body)
    else:
        element.replace(old, body)


def styled_lines(text: str, **style: Any) -> list[list[tuple[str, dict[str, Any]]]]:
    """One paragraph per line of ``text``, all in one style."""
    return [[(line, style)] for line in text.split("\n")]


def set_notes(slide: Slide, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = plain(text)


def set_title(slide: Slide, text: str, subtitle: str = "", sink: ShapeSink | None = None,
              ) -> None:
    """The slide's title (its placeholder) and, at the right, ``subtitle``; a ``sink``
    takes the subtitle's box (added when it is flushed)."""
    title = slide.shapes.title
    width = SLIDE_W - 2 * MARGIN - (260 if subtitle else 0)
    title.left, title.top, title.width, title.height = (
        emu(MARGIN), emu(TITLE_TOP), emu(width), emu(TITLE_H))
    size = 22.0
    while size > 14 and text_width(text, size, bold=True) > width - 8:
        size -= 1
    style = {"size": size, "bold": True, "colour": THEME_COLOURS[THEME]["header_fill"]}
    fill_text(title, [[(one_line(text, width - 8, size), style)]], inset=(0, 0, 0, 0),
              anchor="middle")
    if subtitle:
        own = sink or ShapeSink(slide)
        own.box(SLIDE_W - MARGIN - 256, TITLE_TOP, 256, TITLE_H, fill=None, name="Part",
                paragraphs=[[(subtitle, {"size": 10.5,
                                         "colour": THEME_COLOURS[THEME]["muted_text"]})]],
                inset=(0, 0, 0, 0), anchor="middle", align="right")
        if sink is None:
            own.flush()


def one_line(text: str, width: float, size: float, *, bold: bool = True) -> str:
    """``text`` on one line of ``width`` points, cut with "…" when longer."""
    text = " ".join(text.split())
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


