"""Small texts every front end and export shows the same way: durations, one-line names
(plain Python, so the exchange writers share them with the app)."""

from __future__ import annotations


def format_duration(seconds: float | None, *, precise: bool = False) -> str:
    """A duration for people.

    Spoken (the map, dialogs): 45 s, 12 min, 3.5 h, 2.1 d; "" for None.
    Precise (the command line's tables, which line up): 42s, 3m 20s, 2h 05m, 1d 04h; "-" for
    None.
    """
    if precise:
        if seconds is None:
            return "-"
        s = round(seconds)
        if s < 60:
            return f"{s}s"
        if s < 3600:
            return f"{s // 60}m {s % 60:02d}s"
        if s < 86400:
            return f"{s // 3600}h {s % 3600 // 60:02d}m"
        return f"{s // 86400}d {s % 86400 // 3600:02d}h"
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def one_line(text: str) -> str:
    """``text`` with tabs and line breaks as spaces, so that each record stays one line."""
    return " ".join(text.replace("\t", " ").splitlines()) if text else ""
