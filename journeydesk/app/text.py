"""Small texts both front ends show the same way (kept in the domain, where the exchange
writers reach them too)."""

from __future__ import annotations

from journeydesk.domain.text import format_duration, one_line

__all__ = ["format_duration", "one_line"]
