"""Card pictures: limits read from the header before anything decodes, and the undoable edit."""

from __future__ import annotations

import struct

import pytest
from pictures import JPEG_8X6, png
from test_commands import assert_rejected, roundtrip

from journeydesk.domain.commands import AddCardCommand, AddLaneCommand, EditCardCommand
from journeydesk.domain.model import Card, DomainError, Lane, LaneType, Workspace
from journeydesk.domain.pictures import (
    MAX_PICTURE_BYTES,
    check_picture,
    shown_size,
)


def test_png_and_jpeg_sizes_come_from_their_headers() -> None:
    assert check_picture(png(30, 20)) == ("image/png", 30, 20)
    assert check_picture(JPEG_8X6) == ("image/jpeg", 8, 6)
    assert check_picture(bytearray(png(3, 4))) == ("image/png", 3, 4)


def test_a_header_claiming_100000_by_100000_is_refused_without_decoding() -> None:
    # 1 x 1 pixel of data behind a header that claims ten gigapixels: only the header is read
    bomb = png(1, 1, declared=(100_000, 100_000))
    assert len(bomb) < 100
    with pytest.raises(DomainError, match=r"100,000 x 100,000 pixels.*at most 10,000 a side"):
        check_picture(bomb)
    with pytest.raises(DomainError, match="40 megapixels"):
        check_picture(png(1, 1, declared=(9_000, 9_000)))  # each side fits, the area does not
    jpeg_bomb = bytearray(JPEG_8X6)
    sof = jpeg_bomb.index(b"\xff\xc0")
    jpeg_bomb[sof + 5:sof + 9] = struct.pack(">HH", 60_000, 60_000)
    with pytest.raises(DomainError, match="60,000 x 60,000"):
        check_picture(bytes(jpeg_bomb))


@pytest.mark.parametrize("cut", [12, 20, 40, -12, -1])
def test_a_truncated_png_is_refused(cut: int) -> None:
    with pytest.raises(DomainError, match="cut short|damaged"):
        check_picture(png(10, 10)[:cut])


@pytest.mark.parametrize("cut", [4, 30, 200, -2])
def test_a_truncated_jpeg_is_refused(cut: int) -> None:
    with pytest.raises(DomainError, match="cut short|damaged"):
        check_picture(JPEG_8X6[:cut])


def test_a_jpeg_with_a_trailer_after_its_end_is_accepted() -> None:
    assert check_picture(JPEG_8X6 + b"camera maker's trailer")[1:] == (8, 6)


@pytest.mark.parametrize("data", [b"GIF89a\x01\x00\x01\x00", b"<svg></svg>", b"%PDF-1.7",
                                  b"hello", b"\x00" * 64])
def test_what_is_no_png_or_jpeg_is_refused(data: bytes) -> None:
    with pytest.raises(DomainError, match="not a PNG or JPEG"):
        check_picture(data)


def test_empty_oversized_and_non_bytes_are_refused() -> None:
    with pytest.raises(DomainError, match="empty"):
        check_picture(b"")
    with pytest.raises(DomainError, match="at most 5 MB"):
        check_picture(png(1, 1) + b"\0" * MAX_PICTURE_BYTES)
    with pytest.raises(DomainError, match="image data"):
        check_picture("not bytes")  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="checksum"):
        damaged = bytearray(png(4, 4))
        damaged[20] ^= 1
        check_picture(bytes(damaged))


def test_exif_orientation_turns_the_shown_size() -> None:
    # An APP1 Exif segment saying "rotate 90" (orientation 6), right after SOI.
    tiff = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 1) \
        + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(">I", 0)
    app1 = b"Exif\0\0" + tiff
    turned = JPEG_8X6[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + JPEG_8X6[2:]
    assert check_picture(turned)[1:] == (8, 6)
    assert shown_size(turned) == (6, 8)
    assert shown_size(JPEG_8X6) == (8, 6)


# --------------------------------------------------------------------------- commands
def _storyboard(ws: Workspace) -> tuple[str, Card]:
    lane = Lane(name="Storyboard", type=LaneType.STORYBOARD)
    AddLaneCommand("m-onb", lane).apply(ws)
    card = Card("sp-search", lane.id, "The ad on the bus")
    AddCardCommand("m-onb", card).apply(ws)
    return lane.id, card


def test_setting_and_removing_a_picture_is_one_undoable_edit(ws: Workspace) -> None:
    _lane, card = _storyboard(ws)
    command = EditCardCommand("m-onb", card.id, picture=png(40, 30))
    assert roundtrip(ws, command) == {("card", "m-onb", card.id)}
    assert check_picture(card.picture) == ("image/png", 40, 30)
    remove = EditCardCommand("m-onb", card.id, picture=None)
    roundtrip(ws, remove)
    assert card.picture is None
    remove.revert(ws)
    assert card.picture == png(40, 30)


def test_a_bad_picture_is_refused_and_changes_nothing(ws: Workspace) -> None:
    _lane, card = _storyboard(ws)
    assert_rejected(ws, EditCardCommand("m-onb", card.id, picture=b"not an image"),
                    "not a PNG or JPEG")
    assert_rejected(ws, EditCardCommand("m-onb", card.id,
                                        picture=png(1, 1, declared=(100_000, 100_000))),
                    "100,000 x 100,000")
    assert_rejected(ws, AddCardCommand("m-onb", Card("sp-search", "l-act", "x",
                                                     picture=png(10, 10)[:-5])), "cut short")


def test_storyboard_is_a_lane_type() -> None:
    assert LaneType.parse("storyboard") is LaneType.STORYBOARD
