"""Who is editing: the author name that comments and versions are signed with.

The app keeps the name in its settings (Edit > Your name...); the command line takes
``--author`` or the ``JOURNEYDESK_AUTHOR`` environment variable.  Without either, the login name of
the account is used, so a comment is never signed by nobody unless the account has no name.
"""

from __future__ import annotations

import getpass
import os

MAX_AUTHOR_CHARS = 200


def default_author() -> str:
    """``JOURNEYDESK_AUTHOR`` when set, else the account's login name, else ""."""
    name = os.environ.get("JOURNEYDESK_AUTHOR", "").strip()
    if not name:
        try:
            name = getpass.getuser().strip()
        except (KeyError, OSError):  # no passwd entry (containers) and no LOGNAME/USER
            name = ""
    return clean_author(name)


def clean_author(name: str) -> str:
    """A name as it is stored: one line, trimmed, at most MAX_AUTHOR_CHARS characters."""
    return " ".join(name.split())[:MAX_AUTHOR_CHARS]
