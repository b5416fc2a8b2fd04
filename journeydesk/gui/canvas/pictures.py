"""Card pictures on the canvas: decoded once and kept, and made from files, the clipboard or a
drop.

Every picture is checked from its header (:func:`journeydesk.domain.pictures.check_picture`)
before Qt decodes it.  :func:`display_image` decodes a stored picture at most at twice the
size a card shows it (a JPEG is decoded scaled down, not whole) and keeps the result by
content, so painting, zooming and exporting never decode again.  :func:`load_picture` and
:func:`encode_picture` make what a card stores: a picture larger than :data:`STORED_SIDE` is
scaled down (turned upright as its EXIF says) and stored as PNG, or JPEG when that is smaller.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from journeydesk.domain.model import DomainError
from journeydesk.domain.pictures import MAX_PICTURE_BYTES, check_picture
from journeydesk.gui.canvas.layout import PICTURE_W

MAX_FILE_BYTES = 30 * 1024 * 1024  # a file read to be scaled down; what is stored is smaller
STORED_SIDE = 1600  # the longest side of a stored picture (a card shows ~200, a print ~800)
KEEP_BYTES = 1_500_000  # a file this small and no larger than STORED_SIDE is kept as it is
DISPLAY_SIDE = int(2 * PICTURE_W)  # decoded this wide at most: sharp up to 200 % zoom
SUFFIXES = (".png", ".jpg", ".jpeg")
FILE_FILTER = "Pictures (*.png *.jpg *.jpeg)"


class PictureError(ValueError):
    """A picture that cannot be used; the message says why, in one line, for the user."""


# --------------------------------------------------------------------------- showing
class _DisplayCache:
    """Decoded pictures by content (hash and length of the bytes), least recently used
    dropped first; a damaged picture is remembered as a null image."""

    def __init__(self, size: int = 160):
        self.size = size
        self._images: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self.decoded = 0  # how many decodes were done (tests check painting does none)

    def image(self, picture: bytes) -> QImage:
        key = (hash(picture), len(picture))
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        image = self._decode(picture)
        self.decoded += 1
        self._images[key] = image
        while len(self._images) > self.size:
            self._images.popitem(last=False)
        return image

    @staticmethod
    def _decode(picture: bytes) -> QImage:
        try:
            check_picture(picture)
        except DomainError:
            return QImage()
        return _read(QByteArray(picture), DISPLAY_SIDE) or QImage()


_DISPLAY = _DisplayCache()


def display_image(picture: bytes) -> QImage:
    """The picture decoded for the canvas (null for a damaged one); decoded once per
    content."""
    return _DISPLAY.image(picture)


def decode_count() -> int:
    """How many pictures were decoded for the canvas so far."""
    return _DISPLAY.decoded


def _read(data: QByteArray, side: int) -> QImage | None:
    """``data`` decoded upright, scaled to fit ``side`` x ``side`` when larger; None when it
    does not decode."""
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > side:
        reader.setScaledSize(size.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return None if image.isNull() else image


# --------------------------------------------------------------------------- storing
def load_picture(path: str | Path) -> bytes:
    """What a card stores for the picture file at ``path``: the file itself when it is small
    enough, else the picture scaled down.  Raises PictureError (too large, not PNG or JPEG,
    too many pixels, cut short: all found before decoding; or it does not decode)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PictureError(f"{path.name}: is {size / 2**20:.0f} MB; a picture file may "
                               f"take at most {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise PictureError(f"{path.name}: cannot be read ({exc.strerror})") from None
    try:
        return picture_bytes(data)
    except PictureError as exc:
        raise PictureError(f"{path.name}: {exc}") from None


def picture_bytes(data: bytes) -> bytes:
    """``data`` (PNG or JPEG bytes) as a card stores it: kept when small enough, else
    decoded scaled down and encoded again.  Raises PictureError."""
    try:
        _mime, width, height = check_picture(data, max_bytes=MAX_FILE_BYTES)
    except DomainError as exc:
        raise PictureError(str(exc)) from None
    if len(data) <= KEEP_BYTES and max(width, height) <= STORED_SIDE:
        return data
    image = _read(QByteArray(data), STORED_SIDE)
    if image is None:
        raise PictureError("the picture could not be decoded")
    return encode_picture(image)


def encode_picture(image: QImage) -> bytes:
    """``image`` (scaled to fit STORED_SIDE first) as PNG bytes, or JPEG when smaller or
    when the PNG would be too large to store."""
    if image.isNull():
        raise PictureError("the picture is empty")
    if max(image.width(), image.height()) > STORED_SIDE:
        image = image.scaled(STORED_SIDE, STORED_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    png = _encode(image, "PNG", -1)
    if image.hasAlphaChannel() and 0 < len(png) <= MAX_PICTURE_BYTES:
        return png
    jpeg = _encode(image.convertToFormat(QImage.Format.Format_RGB32), "JPG", 88)
    best = min((d for d in (png, jpeg) if 0 < len(d) <= MAX_PICTURE_BYTES), key=len,
               default=b"")
    if not best:
        raise PictureError("the picture is too large to store even when compressed")
    return best


def _encode(image: QImage, fmt: str, quality: int) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt, quality)
    buffer.close()
    return bytes(data.data())


# --------------------------------------------------------------------------- clipboard, drops
def picture_files(mime: QMimeData | None) -> list[Path]:
    """The local PNG and JPEG files ``mime`` names (a drop from a file manager, a copied
    file), in order."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(SUFFIXES)]


def has_picture(mime: QMimeData | None) -> bool:
    """Whether ``mime`` holds a picture: image data or picture files."""
    return mime is not None and (mime.hasImage() or bool(picture_files(mime)))


def pictures_from_mime(mime: QMimeData | None) -> list[bytes]:
    """What cards would store for the pictures in ``mime``: each picture file, else the image
    data.  Raises PictureError for the first that cannot be used; [] when there are none."""
    files = picture_files(mime)
    if files:
        return [load_picture(path) for path in files]
    if mime is not None and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return [encode_picture(image)]
    return []
