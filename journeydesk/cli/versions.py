"""Map versions on the command line: ``versions``, ``save-version``, ``compare-versions`` and
``restore-version``.

Versions are named by their number (``seq``: 1 for a map's first version, as ``versions``
lists them).  Saving and restoring sign the version with ``--author``, else the
``JOURNEYDESK_AUTHOR`` environment variable, else the account's login name.  Restoring first
saves a "before restore" version of the map as it is, so a restore can be compared and undone
by restoring that one.  See :mod:`journeydesk.app.versions`.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from journeydesk.app import versions
from journeydesk.app.authors import clean_author, default_author
from journeydesk.app.session import WorkspaceSession, find_map
from journeydesk.app.text import one_line
from journeydesk.cli.common import UserError, existing

HEADER = ("version", "label", "date", "author", "cards", "reason")


def add_versions_parsers(sub: Any) -> None:
    """Register ``versions``, ``save-version``, ``compare-versions`` and ``restore-version``."""
    p = sub.add_parser("versions", help="list a map's saved versions (number, label, date, "
                                        "author, cards, why it was saved)")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", required=True)
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")

    p = sub.add_parser("save-version", help="save a map as it is now as a version")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", required=True)
    p.add_argument("--label", metavar="L", default="",
                   help="what to call it (default: \"Version N\")")
    _author_option(p)

    p = sub.add_parser("compare-versions", help="what changed between two versions of a map, "
                                                "or between a version and the map now")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", required=True)
    p.add_argument("--from", dest="old", metavar="N", type=int, required=True,
                   help="the older version's number")
    p.add_argument("--to", dest="new", metavar="M", type=int,
                   help="the newer version's number (default: the map as it is now)")

    p = sub.add_parser("restore-version", help="make a map as it was in a version (a version "
                                               "of it as it is now is saved first)")
    p.add_argument("workspace", metavar="WORKSPACE")
    p.add_argument("--map", metavar="NAME", required=True)
    p.add_argument("version", metavar="N", type=int, help="the version's number")
    _author_option(p)


def _author_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--author", metavar="A",
                   help="sign the version with this name (default: $JOURNEYDESK_AUTHOR, else "
                        "your login name)")


def author_of(args: argparse.Namespace) -> str:
    """The author name a command signs with: ``--author``, else the default author."""
    given = getattr(args, "author", None)
    return clean_author(given) if given is not None else default_author()


def _version_id(session: WorkspaceSession, map_id: str, seq: int, where: str) -> str:
    """The id of version number ``seq`` of the map (UserError naming the numbers there are)."""
    found = versions.list_versions(session, map_id)
    for info in found:
        if info.seq == seq:
            return info.id
    there = ", ".join(str(info.seq) for info in reversed(found)) or "none yet"
    raise UserError(f"{where}: no version {seq} of that map (versions: {there})")


def cmd_versions(args: argparse.Namespace) -> int:
    """Print the map's versions, newest first (tab-separated)."""
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        found = versions.list_versions(session, journey_map.id)
    if args.json:
        print(json.dumps([{"version": v.seq, "label": v.label, "created_at":
                           v.created_at.isoformat(), "author": v.author, "cards": v.card_count,
                           "reason": v.reason, "bytes": v.size} for v in found],
                         ensure_ascii=False, indent=2))
        return 0
    print("\t".join(HEADER))
    for v in found:
        print("\t".join([str(v.seq), one_line(v.label),
                         v.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                         one_line(v.author) or "-", str(v.card_count), v.reason]))
    return 0


def cmd_save_version(args: argparse.Namespace) -> int:
    """Save the map as a version; print its number and label."""
    with WorkspaceSession.open(existing(args.workspace)) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        info = versions.save_version(session, journey_map.id, args.label,
                                     author=author_of(args))
    print(f"{info.seq}\t{one_line(info.label)}")
    return 0


def cmd_compare_versions(args: argparse.Namespace) -> int:
    """Print the summary, then one line per change: what, kind, stage, text."""
    with WorkspaceSession.open(existing(args.workspace), read_only=True) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        old_id = _version_id(session, journey_map.id, args.old, args.workspace)
        new_id = (None if args.new is None
                  else _version_id(session, journey_map.id, args.new, args.workspace))
        diff = versions.compare(session, old_id, new_id)
    print(diff.summary())
    for line in diff_lines(diff):
        print("\t".join(line))
    return 0


def diff_lines(diff: versions.MapDiff) -> list[tuple[str, ...]]:
    """The changes as rows: (what, object, stage or old name, text or new name[, fields]); a
    card moved to another stage names both ("Discover -> Sign up")."""
    rows: list[tuple[str, ...]] = []
    rows += [("added", "stage", one_line(name)) for name in diff.stages_added]
    rows += [("removed", "stage", one_line(name)) for name in diff.stages_removed]
    rows += [("renamed", "stage", one_line(old), one_line(new))
             for old, new in diff.stages_renamed]
    rows += [("moved", "stage", one_line(name)) for name in diff.stages_moved]
    rows += [("changed", "steps", one_line(name)) for name in diff.steps_changed]
    rows += [("added", "lane", one_line(name)) for name in diff.lanes_added]
    rows += [("removed", "lane", one_line(name)) for name in diff.lanes_removed]
    rows += [("renamed", "lane", one_line(old), one_line(new))
             for old, new in diff.lanes_renamed]
    for what, changes in (("added", diff.cards_added), ("removed", diff.cards_removed),
                          ("moved", diff.cards_moved), ("changed", diff.cards_changed)):
        for change in changes:
            stage = one_line(change.stage) or "-"
            if change.from_stage and change.from_stage != change.stage:
                stage = f"{one_line(change.from_stage)} -> {stage}"
            row = (what, "card", stage, one_line(change.text))
            rows.append(row + ((",".join(change.fields),) if change.fields else ()))
    if diff.emotions_changed:
        rows.append(("changed", "emotions", str(diff.emotions_changed)))
    rows += [("changed", "map", name) for name in diff.map_fields]
    return rows


def cmd_restore_version(args: argparse.Namespace) -> int:
    """Restore version N of the map (after a "before restore" version); print what was
    done."""
    with WorkspaceSession.open(existing(args.workspace)) as session:
        journey_map = find_map(session.workspace, args.map, args.workspace)
        version_id = _version_id(session, journey_map.id, args.version, args.workspace)
        command = versions.restore_command(session, version_id, author=author_of(args))
        session.document.execute(command)
        before = versions.list_versions(session, journey_map.id)[0]
        name = session.workspace.maps[journey_map.id].name
    print(f"{one_line(name)}\trestored version {args.version}\t"
          f"(the map before it: version {before.seq})")
    return 0
