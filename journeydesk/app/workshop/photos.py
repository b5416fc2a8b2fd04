"""Photos sent from phones: checked from their bytes, before anything decodes them.

The size is capped while the upload is read (the server); the format (PNG or JPEG only),
the pixel count and that the file is whole come from the domain's
:func:`~journeydesk.domain.pictures.check_picture`, the gate every card picture passes.
"""

from __future__ import annotations

from journeydesk.domain.model import DomainError
from journeydesk.domain.pictures import check_picture

MAX_PHOTO_BYTES = 2 * 1024 * 1024  # the phone scales photos to 1600 px JPEG first


class PhotoRefused(ValueError):
    """A photo that is not taken; ``str()`` says why, for the phone's screen."""


def check_photo(data: bytes) -> tuple[str, int, int]:
    """(mime type, width, height) of a photo read from its header; PhotoRefused when it is
    too large, not PNG or JPEG, cut short, or has too many pixels.  Nothing is decoded."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(f"The photo is too large: at most {MAX_PHOTO_BYTES // 2**20} MB.")
    try:
        return check_picture(data, MAX_PHOTO_BYTES)
    except DomainError as exc:
        text = str(exc).replace("the picture", "the photo", 1)
        raise PhotoRefused(f"{text[:1].upper()}{text[1:]}.") from None
