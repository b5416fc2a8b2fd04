"""The demo workspace: the membership sign-up map, its three personas and a generated event log.

The log is made here (no download): 1,200 visitors over six weeks, where the e-mail
confirmation step visibly loses people, more of them on mobile.  The first start of the app
with no workspace opens this, so a facilitator sees a real map with real numbers at once.
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from journeydesk.resources import resource_path

if TYPE_CHECKING:
    from journeydesk.app.session import WorkspaceSession

TEMPLATE = resource_path("templates", "membership-signup.json")
DATASET = "membership events"
USERS = 1200


def demo_event_log(users: int = USERS, seed: int = 7) -> str:
    """CSV text of the demo's events (user_id, event, timestamp, platform, customer_type)."""
    rng = random.Random(seed)
    lines = ["user_id,event,timestamp,platform,customer_type"]
    start = datetime(2026, 9, 1)
    for n in range(users):
        when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        platform = rng.choice(["mobile", "mobile", "desktop"])
        customer = rng.choice(["new", "new", "returning"])
        steps = [("landing_view", 1.0), ("form_start", 0.72), ("form_submit", 0.8),
                 ("email_confirmed", 0.45 if platform == "mobile" else 0.7),
                 ("first_benefit_used", 0.6)]
        for event, chance in steps:
            if rng.random() > chance:
                break
            lines.append(f"u{n:04d},{event},{when:%Y-%m-%d %H:%M:%S},{platform},{customer}")
            when += timedelta(minutes=rng.randint(1, 180))
    return "\n".join(lines) + "\n"


# What a team keeps on the demo map: evidence, a comment, scored opportunities, an owner and a
# first version (card texts of the template -> fields).
_EVIDENCE = {
    "The e-mail lands in spam or arrives late": ("measured", f"{DATASET}: half of mobile "
                                                 "sign-ups never confirm"),
    "Phone number is required but its use is not explained": ("research",
                                                              "Interviews, September 2026"),
    "Is this worth paying for?": ("observed", "Usability sessions, week 36"),
}
_OPPORTUNITIES = {
    "Ask only for e-mail and password; the rest later": (
        4, 2, "planned", "Phone number is required but its use is not explained"),
    "Let people start before confirming; remind them in the app": (
        5, 3, "idea", "The e-mail lands in spam or arrives late"),
}


def keep_alive(session: WorkspaceSession, map_id: str) -> None:
    """Give the demo map what a living map has (see the tables above): evidence, a comment,
    two scored opportunities, an owner with a review interval, and a first version."""
    from journeydesk.app import versions
    from journeydesk.domain.commands import AddCommentCommand, EditCardCommand, EditMapCommand
    from journeydesk.domain.model import Comment

    document = session.document
    m = document.workspace.map(map_id)
    by_text = {card.text: card for card in m.cards.values()}
    for text, (level, source) in _EVIDENCE.items():
        document.execute(EditCardCommand(map_id, by_text[text].id, evidence=level,
                                         source=source))
    for text, (value, effort, status, pain) in _OPPORTUNITIES.items():
        document.execute(EditCardCommand(map_id, by_text[text].id, value=value, effort=effort,
                                         status=status, owner="CX team",
                                         addresses=[by_text[pain].id]))
    document.execute(AddCommentCommand(map_id, Comment(
        by_text["Membership conditions are hard to find"].id,
        "Heard twice at the help desk; do we have numbers?", author="Demo")))
    review_by = date.today() + timedelta(days=60)
    document.execute(EditMapCommand(map_id, owner="CX team", review_by=review_by.isoformat()))
    versions.save_version(session, map_id, "First draft", author="Demo")


def build_demo(path: Path) -> Path:
    """Create the demo workspace at ``path`` (which must not exist yet).

    It is built beside ``path`` under a temporary name and renamed into place when complete,
    so an interrupted build never leaves a half demo under the user's name.
    """
    from journeydesk.app.imports import load_event_file, read_map_file, store_events
    from journeydesk.app.session import WorkspaceSession
    from journeydesk.domain.commands import AddMapCommand

    if path.exists():
        raise FileExistsError(f"{path}: already exists")
    building = path.with_name(f".{path.name}.building")
    if building.exists():
        building.unlink()  # left by an interrupted build
    with tempfile.TemporaryDirectory(prefix=f"journeydesk-demo-{os.getpid()}-") as tmp:
        log = Path(tmp) / "membership-events.csv"
        log.write_text(demo_event_log(), encoding="utf-8")
        loaded = load_event_file(log)
        with WorkspaceSession.open(building, create=True) as session:
            template = read_map_file(TEMPLATE, session.workspace)
            session.document.execute(AddMapCommand(template.map, template.personas))
            store_events(session, DATASET, log, loaded)
            keep_alive(session, template.map.id)
    os.replace(building, path)
    return path
