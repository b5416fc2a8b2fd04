"""Shared by the workshop tests: a workspace with a map, picture headers, raw HTTP."""

from __future__ import annotations

import socket
import struct
import zlib
from pathlib import Path

from samples import sample_map

from journeydesk.app.session import WorkspaceSession
from journeydesk.domain.commands import AddMapCommand

MAP_NAME = "Membership sign-up"


def make_workspace(path: Path) -> Path:
    """A workspace at ``path`` holding the sample map."""
    with WorkspaceSession.open(path, create=True) as session:
        m, personas = sample_map(MAP_NAME)
        session.document.execute(AddMapCommand(m, personas))
    return path


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload)))


def png_header(width: int, height: int) -> bytes:
    """A whole PNG that declares that size (its pixels are never decoded, so one row of
    data is enough for the checks)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"\0" * 4)) + _chunk(b"IEND", b""))


def jpeg_header(width: int, height: int) -> bytes:
    """A whole baseline JPEG that declares that size (APP0, frame header, scan, end)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\0" * 3
    sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\0\x02\x11\x03\x11\0\x3f\0"
    return b"\xff\xd8" + app0 + sof + sos + b"\x12\x34\x56" + b"\xff\xd9"


def raw_request(port: int, path: str, method: str = "GET") -> tuple[int, bytes]:
    """(status, body) of a request sent byte for byte (no client normalises the path)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body
