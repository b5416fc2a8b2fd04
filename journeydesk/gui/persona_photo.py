"""Importing a persona photo: checked before it is decoded, scaled, stored as PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from journeydesk.domain.model import MAX_PHOTO_BYTES

MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 8000 x 5000: more is refused before decoding
STORED_SIDE = 512
FORMATS = {b"png", b"jpeg", b"jpg"}


class PhotoError(ValueError):
    """A picture that cannot be used; the message says why, for the user."""


def load_photo(path: str | Path) -> bytes:
    """The picture at ``path`` as PNG (or JPEG) bytes, scaled to fit 512 x 512.

    Refused with PhotoError: files over 15 MB, formats other than PNG and JPEG, images over
    40 megapixels (checked from the header, before decoding) and files that do not decode.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PhotoError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise PhotoError(f"{path.name}: is {size / 2**20:.0f} MB; photos may be at most "
                         f"{MAX_FILE_BYTES // 2**20} MB")
    reader = QImageReader(str(path))
    reader.setDecideFormatFromContent(True)
    image_format = bytes(reader.format().data()).lower()
    if image_format not in FORMATS:
        raise PhotoError(f"{path.name}: is not a PNG or JPEG picture")
    dimensions = reader.size()
    if not dimensions.isValid():
        raise PhotoError(f"{path.name}: could not be read as a picture ({reader.errorString()})")
    if dimensions.width() * dimensions.height() > MAX_PIXELS:
        raise PhotoError(f"{path.name}: is too large ({dimensions.width()} x "
                         f"{dimensions.height()} pixels); use a smaller picture")
    reader.setAutoTransform(True)
    if max(dimensions.width(), dimensions.height()) > STORED_SIDE:
        reader.setScaledSize(dimensions.scaled(QSize(STORED_SIDE, STORED_SIDE),
                                               Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise PhotoError(f"{path.name}: could not be read as a picture ({reader.errorString()})")
    return encode_photo(image)


def encode_photo(image: QImage) -> bytes:
    """PNG bytes of ``image``, or JPEG when the PNG would be too large to store."""
    for fmt, quality in ((b"PNG", -1), (b"JPG", 88), (b"JPG", 70)):
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, fmt.decode(), quality)
        buffer.close()
        if 0 < data.size() <= MAX_PHOTO_BYTES:
            return bytes(data.data())
    raise PhotoError("the picture is too large to store even when compressed")
