"""Map versions: a map's content saved under a label, to compare with and restore later.

How versions are stored (table ``map_versions``, one row per version):

* A map's content is a set of *entries*, one per row of the map: the map's own fields, each stage
  (with its steps), each lane, each card and each emotion point, keyed ``"map"``,
  ``"stage:<id>"``, ``"lane:<id>"``, ``"card:<id>"``, ``"emotion:<id>"``.
* A version's ``content`` is zlib-compressed JSON of the entries that differ from the map's
  previous version (``{"set": {key: entry}, "del": [key, ...]}``); the first version of a map holds
  every entry.  So a version costs about the rows it changed, and version *n* is read by applying
  the deltas 1..n in order.
* Card pictures are kept once each in ``version_pictures`` (by SHA-256); an entry names its
  picture's digest.

Comments are not part of a version (a thread goes on whatever state of the card is shown), nor
are the map's owner and review date (who keeps the map is not its content).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.sqlite import insert

from journeydesk.domain.model import Card, EmotionPoint, JourneyMap, Lane, LaneType, Stage, Step
from journeydesk.store.schema import MapVersionRow, VersionPictureRow
from journeydesk.store.workspace_file import WorkspaceFile

versions_t: Table = MapVersionRow.__table__  # type: ignore[assignment]
pictures_t: Table = VersionPictureRow.__table__  # type: ignore[assignment]

Entries = dict[str, dict[str, Any]]

# What a version was taken for (``reason``); "manual" is a version a person saved.
REASONS = ("manual", "before import", "before delete", "before restore")

_CARD_KEYS = ("step_id", "lane_id", "position", "text", "severity", "priority", "channel",
              "tags", "colour", "events", "evidence", "source", "value", "effort", "status",
              "owner", "addresses")


class VersionError(LookupError):
    """A version that is not there (an unknown id, or one of another map)."""


@dataclass(frozen=True)
class VersionInfo:
    """One saved version, as the version list shows it."""

    id: str
    map_id: str
    seq: int
    label: str
    reason: str
    created_at: datetime
    author: str
    card_count: int
    size: int  # bytes of its stored content


# --------------------------------------------------------------------------- entries
def map_entries(m: JourneyMap) -> tuple[Entries, dict[str, bytes]]:
    """The entries of a map's content, and its card pictures by digest."""
    pictures: dict[str, bytes] = {}
    entries: Entries = {"map": {
        "name": m.name, "description": m.description, "scale_min": m.scale_min,
        "scale_max": m.scale_max, "persona_ids": list(m.persona_ids)}}
    for i, stage in enumerate(m.stages):
        entries[f"stage:{stage.id}"] = {
            "position": i, "name": stage.name, "description": stage.description,
            "events": list(stage.events),
            "steps": [{"id": s.id, "name": s.name, "events": list(s.events)}
                      for s in stage.steps]}
    for i, lane in enumerate(m.lanes):
        entries[f"lane:{lane.id}"] = {"position": i, "name": lane.name,
                                      "type": LaneType(lane.type).value}
    for card in m.cards.values():
        entry = {key: getattr(card, key) for key in _CARD_KEYS}
        entry["tags"] = list(card.tags)
        entry["events"] = list(card.events)
        entry["addresses"] = list(card.addresses)
        if card.picture is not None:
            digest = hashlib.sha256(card.picture).hexdigest()
            pictures[digest] = card.picture
            entry["picture"] = digest
        entries[f"card:{card.id}"] = entry
    for point in m.emotions.values():
        entries[f"emotion:{point.id}"] = {"step_id": point.step_id, "score": point.score,
                                          "persona_id": point.persona_id, "label": point.label}
    return entries, pictures


def map_from_entries(map_id: str, entries: Entries, pictures: dict[str, bytes]) -> JourneyMap:
    """The map a set of entries describes (``pictures``: every digest the cards name)."""
    head = entries["map"]
    m = JourneyMap(id=map_id, name=head["name"], description=head["description"],
                   scale_min=head["scale_min"], scale_max=head["scale_max"],
                   persona_ids=list(head["persona_ids"]))
    stages: list[tuple[int, Stage]] = []
    lanes: list[tuple[int, Lane]] = []
    for key, entry in entries.items():
        kind, _, item_id = key.partition(":")
        if kind == "stage":
            steps = [Step(id=s["id"], name=s["name"], events=list(s["events"]))
                     for s in entry["steps"]]
            stages.append((entry["position"], Stage(
                id=item_id, name=entry["name"], description=entry["description"],
                events=list(entry["events"]), steps=steps)))
        elif kind == "lane":
            lanes.append((entry["position"], Lane(id=item_id, name=entry["name"],
                                                  type=LaneType(entry["type"]))))
    m.stages = [stage for _, stage in sorted(stages, key=lambda p: p[0])]
    m.lanes = [lane for _, lane in sorted(lanes, key=lambda p: p[0])]
    for key, entry in entries.items():
        kind, _, item_id = key.partition(":")
        if kind == "card":
            fields = {k: entry[k] for k in _CARD_KEYS}
            fields["tags"] = list(fields["tags"])
            fields["events"] = list(fields["events"])
            fields["addresses"] = list(fields["addresses"])
            digest = entry.get("picture")
            m.cards[item_id] = Card(id=item_id, picture=pictures[digest] if digest else None,
                                    **fields)
        elif kind == "emotion":
            m.emotions[item_id] = EmotionPoint(id=item_id, **entry)
    return m


def _delta(old: Entries, new: Entries) -> dict[str, Any]:
    return {"set": {k: v for k, v in new.items() if old.get(k) != v},
            "del": sorted(k for k in old if k not in new)}


def _apply(entries: Entries, delta: dict[str, Any]) -> None:
    for key in delta["del"]:
        entries.pop(key, None)
    entries.update(delta["set"])


def _encode(delta: dict[str, Any]) -> bytes:
    text = json.dumps(delta, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def _decode(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


# --------------------------------------------------------------------------- the latest state
class _Heads:
    """The entries of each map's newest version, per workspace file, as last read or written:
    saving the next version then diffs against memory instead of replaying every delta.
    An entry is used only while the map's newest version is still the one it was made for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heads: dict[tuple[str, str], tuple[str, Entries]] = {}

    def get(self, ws_file: WorkspaceFile, map_id: str, version_id: str) -> Entries | None:
        with self._lock:
            found = self._heads.get((str(ws_file.path), map_id))
        if found is None or found[0] != version_id:
            return None
        return found[1]

    def put(self, ws_file: WorkspaceFile, map_id: str, version_id: str,
            entries: Entries) -> None:
        with self._lock:
            self._heads[(str(ws_file.path), map_id)] = (version_id, entries)


_HEADS = _Heads()


def _newest(conn: Connection, map_id: str) -> tuple[str, int] | None:
    row = conn.execute(select(versions_t.c.id, versions_t.c.seq)
                       .where(versions_t.c.map_id == map_id)
                       .order_by(versions_t.c.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def _entries_up_to(conn: Connection, map_id: str, seq: int) -> Entries:
    entries: Entries = {}
    for (blob,) in conn.execute(select(versions_t.c.content)
                                .where(versions_t.c.map_id == map_id, versions_t.c.seq <= seq)
                                .order_by(versions_t.c.seq)):
        _apply(entries, _decode(blob))
    return entries


# --------------------------------------------------------------------------- public
def save_version(ws_file: WorkspaceFile, m: JourneyMap, label: str, *, reason: str = "manual",
                 author: str = "", created_at: datetime | None = None) -> VersionInfo:
    """Store the map's content now as a new version (one transaction)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    entries, pictures = map_entries(m)
    created = created_at or datetime.now(UTC)
    version_id = uuid.uuid4().hex
    with ws_file.transaction() as conn:
        newest = _newest(conn, m.id)
        if newest is None:
            previous: Entries = {}
            seq = 1
        else:
            head = _HEADS.get(ws_file, m.id, newest[0])
            previous = head if head is not None else _entries_up_to(conn, m.id, newest[1])
            seq = newest[1] + 1
        content = _encode(_delta(previous, entries))
        if pictures:
            conn.execute(insert(pictures_t).on_conflict_do_nothing(),
                         [{"sha256": k, "data": v} for k, v in pictures.items()])
        conn.execute(versions_t.insert().values(
            id=version_id, map_id=m.id, seq=seq, label=label.strip() or f"Version {seq}",
            reason=reason, created_at=created.isoformat(), author=author,
            card_count=len(m.cards), content=content))
    _HEADS.put(ws_file, m.id, version_id, entries)
    return VersionInfo(version_id, m.id, seq, label.strip() or f"Version {seq}", reason,
                       created, author, len(m.cards), len(content))


def list_versions(ws_file: WorkspaceFile, map_id: str) -> list[VersionInfo]:
    """The map's versions, newest first."""
    with ws_file.connection() as conn:
        rows = conn.execute(
            select(versions_t.c.id, versions_t.c.map_id, versions_t.c.seq, versions_t.c.label,
                   versions_t.c.reason, versions_t.c.created_at, versions_t.c.author,
                   versions_t.c.card_count, func.length(versions_t.c.content))
            .where(versions_t.c.map_id == map_id).order_by(versions_t.c.seq.desc())).all()
    return [VersionInfo(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]), r[6],
                        r[7], r[8]) for r in rows]


def load_version(ws_file: WorkspaceFile, version_id: str) -> tuple[VersionInfo, JourneyMap]:
    """A version and the map as it was then (its id is the map's own)."""
    with ws_file.connection() as conn:
        row = conn.execute(select(versions_t.c.map_id, versions_t.c.seq)
                           .where(versions_t.c.id == version_id)).first()
        if row is None:
            raise VersionError(f"no version with id {version_id!r}")
        map_id, seq = row
        entries = _entries_up_to(conn, map_id, seq)
        digests = {e["picture"] for k, e in entries.items()
                   if k.startswith("card:") and e.get("picture")}
        pictures = _pictures(conn, digests)
    info = next(v for v in list_versions(ws_file, map_id) if v.id == version_id)
    return info, map_from_entries(map_id, entries, pictures)


def _pictures(conn: Connection, digests: Iterable[str]) -> dict[str, bytes]:
    wanted = sorted(digests)
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), 500):
        found.update((r[0], r[1]) for r in conn.execute(
            select(pictures_t.c.sha256, pictures_t.c.data).where(
                pictures_t.c.sha256.in_(wanted[start:start + 500]))))
    return found
