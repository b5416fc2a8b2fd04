"""Card pictures: PNG or JPEG bytes, checked from their header before anything decodes them.

:func:`check_picture` is the one gate every picture passes (the card commands, a workspace
being opened, the workshop server receiving a phone photo): it looks at the byte size, the
format's magic bytes and the pixel dimensions the header declares (PNG IHDR, JPEG SOF), and
that the file is whole (PNG reaches its IEND chunk; a JPEG's scan ends in EOI), without
decoding a single pixel.  A decoder is only ever handed bytes that passed it, so a small file
claiming 100000 x 100000 pixels never gets to allocate them.

Plain Python (no Qt, no Pillow), so the store and the workshop server can call it.
"""

from __future__ import annotations

import struct
import zlib

from journeydesk.domain.model import DomainError

MAX_PICTURE_BYTES = 5 * 1024 * 1024
MAX_PICTURE_PIXELS = 40_000_000  # 40 megapixels (a phone's 48 MP photo is scaled first)
MAX_PICTURE_SIDE = 10_000

PNG_MIME = "image/png"
JPEG_MIME = "image/jpeg"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8\xff"
# Start-of-frame markers (baseline, progressive, lossless, arithmetic...): not DHT, JPG, DAC.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def check_picture(data: bytes, max_bytes: int = MAX_PICTURE_BYTES) -> tuple[str, int, int]:
    """``(mime type, width, height)`` of a PNG or JPEG picture, read from its header.

    Raises :class:`DomainError` with a one-line message when ``data`` is not bytes, is empty
    or over ``max_bytes``, is neither PNG nor JPEG, is cut short, or declares more than
    :data:`MAX_PICTURE_SIDE` pixels a side or :data:`MAX_PICTURE_PIXELS` in all.  Nothing is
    decoded: this is safe to call on anything a network or a file hands over.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DomainError("a picture must be image data (PNG or JPEG bytes)")
    data = bytes(data)
    if not data:
        raise DomainError("the picture is empty")
    if len(data) > max_bytes:
        raise DomainError(f"the picture takes {len(data) / 2**20:.1f} MB; a picture may take "
                          f"at most {max_bytes / 2**20:g} MB")
    if data.startswith(_PNG_SIGNATURE):
        mime, (width, height) = PNG_MIME, _png_size(data)
    elif data.startswith(_JPEG_SOI):
        mime, (width, height) = JPEG_MIME, _jpeg_size(data)
    else:
        raise DomainError("the picture is not a PNG or JPEG image")
    if width <= 0 or height <= 0:
        raise DomainError(f"the picture declares {width} x {height} pixels")
    if (width > MAX_PICTURE_SIDE or height > MAX_PICTURE_SIDE
            or width * height > MAX_PICTURE_PIXELS):
        raise DomainError(f"the picture is {width:,} x {height:,} pixels; a picture may have "
                          f"at most {MAX_PICTURE_SIDE:,} a side and "
                          f"{MAX_PICTURE_PIXELS // 1_000_000} megapixels")
    return mime, width, height


def shown_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a checked picture as it is shown: a JPEG's EXIF orientation that
    turns it a quarter (phone photos held upright) swaps the two."""
    _mime, width, height = check_picture(data)
    if data.startswith(_JPEG_SOI) and _exif_orientation(data) in (5, 6, 7, 8):
        return height, width
    return width, height


# --------------------------------------------------------------------------- PNG
def _png_size(data: bytes) -> tuple[int, int]:
    """The IHDR's size; the chunks walked (by their lengths, nothing inflated) to IEND."""
    if len(data) < 33:
        raise DomainError("the PNG picture is cut short (no complete header)")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise DomainError("the PNG picture is damaged (its first chunk is not a header)")
    if zlib.crc32(data[12:29]) != struct.unpack(">I", data[29:33])[0]:
        raise DomainError("the PNG picture is damaged (its header's checksum is wrong)")
    width, height = struct.unpack(">II", data[16:24])
    at, seen_data = 33, False
    while True:
        if at + 12 > len(data):
            raise DomainError("the PNG picture is cut short (truncated before its end)")
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        at += 12 + length
        if kind == b"IDAT":
            seen_data = True
        elif kind == b"IEND":
            break
    if at > len(data):
        raise DomainError("the PNG picture is cut short (truncated before its end)")
    if not seen_data:
        raise DomainError("the PNG picture holds no image data")
    return width, height


# --------------------------------------------------------------------------- JPEG
def _jpeg_segments(data: bytes):  # noqa: ANN202 - a generator of (marker, start, end)
    """(marker, payload start, payload end) of each header segment, up to the scan (SOS)."""
    at = 2
    while True:
        while at < len(data) and data[at] == 0xFF and at + 1 < len(data) \
                and data[at + 1] == 0xFF:
            at += 1  # fill bytes before a marker
        if at + 4 > len(data):
            raise DomainError("the JPEG picture is cut short (truncated in its header)")
        if data[at] != 0xFF:
            raise DomainError("the JPEG picture is damaged (a header segment is missing)")
        marker = data[at + 1]
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length: TEM, restart markers
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if length < 2 or at + 2 + length > len(data):
            raise DomainError("the JPEG picture is cut short (truncated in its header)")
        yield marker, at + 4, at + 2 + length
        if marker == 0xDA:  # start of scan: the compressed data follows
            return
        at += 2 + length


def _jpeg_size(data: bytes) -> tuple[int, int]:
    size: tuple[int, int] | None = None
    scan_start = None
    for marker, start, end in _jpeg_segments(data):
        if marker in _SOF and size is None:
            if end - start < 5:
                raise DomainError("the JPEG picture is damaged (its frame header is short)")
            height, width = struct.unpack(">HH", data[start + 1:start + 5])
            size = (width, height)
        elif marker == 0xDA:
            scan_start = end
    if size is None:
        raise DomainError("the JPEG picture is damaged (it declares no size)")
    # Inside the compressed data every 0xFF is followed by 0x00 or a restart marker, so the
    # first FF D9 after the scan starts is the end of the image (a trailer may follow it).
    if scan_start is None or data.find(b"\xff\xd9", scan_start) < 0:
        raise DomainError("the JPEG picture is cut short (truncated before its end)")
    return size


def _exif_orientation(data: bytes) -> int:
    """The EXIF orientation tag of a JPEG (1 = as stored; 1 when there is none)."""
    try:
        for marker, start, end in _jpeg_segments(data):
            if marker == 0xE1 and data[start:start + 6] == b"Exif\0\0":
                return _tiff_orientation(data[start + 6:end])
    except (DomainError, struct.error):
        pass
    return 1


def _tiff_orientation(tiff: bytes) -> int:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    ifd = struct.unpack(order + "I", tiff[4:8])[0]
    if ifd + 2 > len(tiff):
        return 1
    count = struct.unpack(order + "H", tiff[ifd:ifd + 2])[0]
    for index in range(count):
        entry = ifd + 2 + 12 * index
        if entry + 12 > len(tiff):
            break
        tag, kind = struct.unpack(order + "HH", tiff[entry:entry + 4])
        if tag == 0x0112 and kind == 3:  # Orientation, a SHORT
            value = struct.unpack(order + "H", tiff[entry + 8:entry + 10])[0]
            return value if 1 <= value <= 8 else 1
    return 1
