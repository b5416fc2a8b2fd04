"""Read the domain out of the workspace tables and write back what a command touched.

Reads use SQLAlchemy Core selects (no ORM identity map: the domain objects are the model, and
widgets never hold rows).  Writes take the change keys a command returned (see
``journeydesk.domain.commands``) and upsert or delete exactly those rows, batched per table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, LargeBinary, Table, delete, func, literal_column, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import DBAPIError

from journeydesk.domain.commands import Change
from journeydesk.domain.model import (
    PERSONA_LIST_FIELDS,
    Card,
    Comment,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
)
from journeydesk.store.checks import check_content, damaged
from journeydesk.store.schema import (
    CardRow,
    CommentRow,
    EmotionRow,
    LaneRow,
    MapPersonaRow,
    MapRow,
    PersonaRow,
    StageRow,
    StepRow,
)

maps_t: Table = MapRow.__table__  # type: ignore[assignment]
personas_t: Table = PersonaRow.__table__  # type: ignore[assignment]
links_t: Table = MapPersonaRow.__table__  # type: ignore[assignment]
stages_t: Table = StageRow.__table__  # type: ignore[assignment]
steps_t: Table = StepRow.__table__  # type: ignore[assignment]
lanes_t: Table = LaneRow.__table__  # type: ignore[assignment]
cards_t: Table = CardRow.__table__  # type: ignore[assignment]
emotions_t: Table = EmotionRow.__table__  # type: ignore[assignment]
comments_t: Table = CommentRow.__table__  # type: ignore[assignment]



def _enc(items: list[str]) -> str | None:
    return json.dumps(items, ensure_ascii=False) if items else None


def _dec(text: str | None) -> list[str]:
    return json.loads(text) if text else []


def _cached_decoder() -> Callable[[str | None], list[str]]:
    """``_dec`` that parses each distinct text once: cards of a map share few tag lists."""
    cache: dict[str, list[str]] = {}

    def dec(text: str | None) -> list[str]:
        if not text:
            return []
        items = cache.get(text)
        if items is None:
            items = cache[text] = json.loads(text)
        return list(items)

    return dec


# --------------------------------------------------------------------------- reading
@contextmanager
def _refusing_damage(conn: Connection) -> Iterator[None]:
    """Check the content first; any failure to read it is reported as a damaged workspace
    (a CorruptWorkspaceError naming the file), never as a traceback."""
    try:
        problem = check_content(conn)
        if problem is None:
            yield
            return
    except DBAPIError as exc:  # a dropped table, a malformed page, text that is not UTF-8
        text = str(exc.orig) if exc.orig else str(exc)
        if "locked" in text or "busy" in text:
            raise  # another program's lock: the file's own handler says "busy", not damaged
        raise damaged(conn, text.splitlines()[0]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:  # bytes or lists we never write
        raise damaged(conn, f"{type(exc).__name__}: {exc}") from None
    # any other exception is a bug of ours, not damage: it must not tell a user that a good
    # workspace is damaged
    raise damaged(conn, problem)


def load_workspace(conn: Connection) -> Workspace:
    """The whole workspace: every persona and every map.

    Raises CorruptWorkspaceError ("<file>: is damaged: <what>") when the content is not what
    JourneyDesk writes (see :mod:`journeydesk.store.checks`).
    """
    with _refusing_damage(conn):
        return _load_workspace(conn)


def _load_workspace(conn: Connection) -> Workspace:
    ws = Workspace()
    for row in conn.execute(select(personas_t)).mappings():
        data = dict(row)
        for key in PERSONA_LIST_FIELDS:
            data[key] = _dec(data[key])
        data["segment"] = json.loads(data["segment"]) if data["segment"] else {}
        data["age_range"] = data["age_range"] or ""
        data["location"] = data["location"] or ""
        persona = Persona(**data)
        ws.personas[persona.id] = persona
    for map_id in conn.scalars(select(maps_t.c.id).order_by(maps_t.c.name)).all():
        m = _load_map(conn, map_id)
        ws.maps[m.id] = m
    return ws


def load_map(conn: Connection, map_id: str) -> JourneyMap:
    """One map with its stages, steps, lanes, cards, emotion points and persona links
    (checked as :func:`load_workspace` checks)."""
    with _refusing_damage(conn):
        return _load_map(conn, map_id)


def _load_map(conn: Connection, map_id: str) -> JourneyMap:
    row = conn.execute(select(maps_t).where(maps_t.c.id == map_id)).one()
    m = JourneyMap(id=row.id, name=row.name, description=row.description,
                   scale_min=row.scale_min, scale_max=row.scale_max, owner=row.owner or "",
                   review_by=row.review_by, review_days=row.review_days)
    m.persona_ids = list(conn.scalars(
        select(links_t.c.persona_id).where(links_t.c.map_id == map_id)
        .order_by(links_t.c.position)))
    steps: dict[str, list[Step]] = defaultdict(list)
    for r in conn.execute(select(steps_t.c.stage_id, steps_t.c.id, steps_t.c.name,
                                 steps_t.c.events)
                          .where(steps_t.c.map_id == map_id).order_by(steps_t.c.position)):
        steps[r[0]].append(Step(id=r[1], name=r[2], events=_dec(r[3])))
    m.stages = [Stage(id=r[0], name=r[1], description=r[2], events=_dec(r[3]), steps=steps[r[0]])
                for r in conn.execute(
                    select(stages_t.c.id, stages_t.c.name, stages_t.c.description,
                           stages_t.c.events)
                    .where(stages_t.c.map_id == map_id).order_by(stages_t.c.position))]
    m.lanes = [Lane(id=r[0], name=r[1], type=LaneType(r[2])) for r in conn.execute(
        select(lanes_t.c.id, lanes_t.c.name, lanes_t.c.type)
        .where(lanes_t.c.map_id == map_id).order_by(lanes_t.c.position))]
    cards = m.cards
    dec = _cached_decoder()
    for (cid, step_id, lane_id, position, text, severity, priority, channel, tags, colour,
         events, picture, evidence, source, value, effort, status, owner,
         addresses) in conn.execute(
            select(cards_t.c.id, cards_t.c.step_id, cards_t.c.lane_id, cards_t.c.position,
                   cards_t.c.text, cards_t.c.severity, cards_t.c.priority, cards_t.c.channel,
                   cards_t.c.tags, cards_t.c.colour, cards_t.c.events, cards_t.c.picture,
                   cards_t.c.evidence, cards_t.c.source, cards_t.c.value, cards_t.c.effort,
                   cards_t.c.status, cards_t.c.owner, cards_t.c.addresses)
            .where(cards_t.c.map_id == map_id)).all():
        cards[cid] = Card(step_id, lane_id, text, position, cid, severity, priority, channel,
                          dec(tags), colour, dec(events), picture, evidence, source, value,
                          effort, status, owner, dec(addresses))
    for r in conn.execute(select(emotions_t.c.id, emotions_t.c.step_id, emotions_t.c.persona_id,
                                 emotions_t.c.score, emotions_t.c.label)
                          .where(emotions_t.c.map_id == map_id)):
        m.emotions[r[0]] = EmotionPoint(step_id=r[1], score=r[3], persona_id=r[2], label=r[4],
                                        id=r[0])
    for r in conn.execute(select(comments_t.c.id, comments_t.c.card_id, comments_t.c.text,
                                 comments_t.c.author, comments_t.c.created_at,
                                 comments_t.c.resolved)
                          .where(comments_t.c.map_id == map_id)
                          .order_by(comments_t.c.created_at, literal_column("rowid"))):
        m.comments[r[0]] = Comment(card_id=r[1], text=r[2], author=r[3], created_at=r[4],
                                   resolved=bool(r[5]), id=r[0])
    return m


def map_summaries(conn: Connection) -> list[tuple[str, int, int]]:
    """(name, stage count, card count) for every map, by name, without loading the maps
    (the content checked as :func:`load_workspace` checks)."""
    with _refusing_damage(conn):
        _read_all_text(conn)
        return _map_summaries(conn)


def _read_all_text(conn: Connection) -> None:
    """Read every text of the maps and personas once, as loading them would: a byte flipped
    inside a text (which SQLite's checks do not look at) fails here, not in a later command."""
    for table in (maps_t, personas_t, stages_t, steps_t, lanes_t, cards_t, emotions_t,
                  comments_t):
        texts = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        result = conn.execute(select(*texts))
        while result.fetchmany(5000):
            pass


def _map_summaries(conn: Connection) -> list[tuple[str, int, int]]:
    n_stages = (select(func.count()).select_from(stages_t)
                .where(stages_t.c.map_id == maps_t.c.id).scalar_subquery())
    n_cards = (select(func.count()).select_from(cards_t)
               .where(cards_t.c.map_id == maps_t.c.id).scalar_subquery())
    rows = conn.execute(select(maps_t.c.name, n_stages, n_cards).order_by(maps_t.c.name))
    return [(r[0], r[1], r[2]) for r in rows]


# --------------------------------------------------------------------------- writing
# Parents before children, so that inserts satisfy the foreign keys.
_RANK = {"persona": 0, "map": 1, "stages": 2, "lanes": 3, "card": 4, "emotion": 5,
         "comment": 6}


class _Batch:
    """Rows to upsert and ids to delete, per table, flushed parents first."""

    def __init__(self) -> None:
        self.upserts: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.deletes: list[Any] = []
        self.delete_ids: dict[Table, list[str]] = defaultdict(list)

    def flush(self, conn: Connection, order: Iterable[Table]) -> None:
        for statement in self.deletes:
            conn.execute(statement)
        for table, ids in self.delete_ids.items():
            for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
                conn.execute(delete(table).where(table.c.id.in_(ids[start:start + 500])))
        for table in order:
            rows = self.upserts.get(table)
            if rows:
                _upsert(conn, table, rows)


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates), rows)


def persist(conn: Connection, ws: Workspace, changes: Iterable[Change]) -> None:
    """Write the rows behind ``changes`` (the caller owns the transaction)."""
    batch = _Batch()
    for key in sorted(set(changes), key=lambda k: _RANK[k[0]]):
        kind = key[0]
        if kind == "persona":
            _persona(batch, ws, key[1])
        elif kind == "map":
            _map(batch, ws, key[1])
        elif kind == "stages":
            _stages(batch, ws, key[1])
        elif kind == "lanes":
            _lanes(batch, ws, key[1])
        elif kind == "card":
            _card(batch, ws, key[1], key[2])
        elif kind == "emotion":
            _emotion(batch, ws, key[1], key[2])
        elif kind == "comment":
            _comment(batch, ws, key[1], key[2])
        else:  # pragma: no cover - a new change kind without storage is a programming error
            raise ValueError(f"unknown change kind {kind!r}")
    batch.flush(conn, (personas_t, maps_t, links_t, stages_t, steps_t, lanes_t, cards_t,
                       emotions_t, comments_t))


def _persona(batch: _Batch, ws: Workspace, persona_id: str) -> None:
    persona = ws.personas.get(persona_id)
    if persona is None:
        batch.delete_ids[personas_t].append(persona_id)
        return
    row = {key: getattr(persona, key) for key in ("id", "name", "role", "quote", "bio", "notes",
                                                   "age_range", "location", "tech_comfort",
                                                   "photo")}
    row.update({key: _enc(getattr(persona, key)) for key in PERSONA_LIST_FIELDS})
    row["segment"] = json.dumps(persona.segment, ensure_ascii=False) if persona.segment else None
    batch.upserts[personas_t].append(row)


def _map(batch: _Batch, ws: Workspace, map_id: str) -> None:
    batch.deletes.append(delete(links_t).where(links_t.c.map_id == map_id))
    m = ws.maps.get(map_id)
    if m is None:
        batch.deletes.append(delete(maps_t).where(maps_t.c.id == map_id))
        return
    batch.upserts[maps_t].append({"id": m.id, "name": m.name, "description": m.description,
                                  "scale_min": m.scale_min, "scale_max": m.scale_max,
                                  "owner": m.owner, "review_by": m.review_by,
                                  "review_days": m.review_days})
    batch.upserts[links_t].extend({"map_id": m.id, "persona_id": pid, "position": i}
                                  for i, pid in enumerate(m.persona_ids))


def _stages(batch: _Batch, ws: Workspace, map_id: str) -> None:
    m = ws.maps.get(map_id)
    if m is None:
        return  # the map row's delete cascades
    stage_ids = [s.id for s in m.stages]
    step_ids = [step.id for s in m.stages for step in s.steps]
    batch.deletes.append(delete(steps_t).where(steps_t.c.map_id == map_id,
                                               steps_t.c.id.not_in(step_ids)))
    batch.deletes.append(delete(stages_t).where(stages_t.c.map_id == map_id,
                                                stages_t.c.id.not_in(stage_ids)))
    for i, stage in enumerate(m.stages):
        batch.upserts[stages_t].append({"id": stage.id, "map_id": map_id, "position": i,
                                        "name": stage.name, "description": stage.description,
                                        "events": _enc(stage.events)})
        batch.upserts[steps_t].extend(
            {"id": step.id, "map_id": map_id, "stage_id": stage.id, "position": j,
             "name": step.name, "events": _enc(step.events)}
            for j, step in enumerate(stage.steps))


def _lanes(batch: _Batch, ws: Workspace, map_id: str) -> None:
    m = ws.maps.get(map_id)
    if m is None:
        return
    batch.deletes.append(delete(lanes_t).where(lanes_t.c.map_id == map_id,
                                               lanes_t.c.id.not_in([ln.id for ln in m.lanes])))
    batch.upserts[lanes_t].extend(
        {"id": lane.id, "map_id": map_id, "position": i, "name": lane.name,
         "type": LaneType(lane.type).value}
        for i, lane in enumerate(m.lanes))


def _card(batch: _Batch, ws: Workspace, map_id: str, card_id: str) -> None:
    m = ws.maps.get(map_id)
    card = m.cards.get(card_id) if m is not None else None
    if card is None:
        batch.delete_ids[cards_t].append(card_id)
        return
    batch.upserts[cards_t].append({
        "id": card.id, "map_id": map_id, "step_id": card.step_id, "lane_id": card.lane_id,
        "position": card.position, "text": card.text, "severity": card.severity,
        "priority": card.priority, "channel": card.channel, "tags": _enc(card.tags),
        "colour": card.colour, "events": _enc(card.events), "picture": card.picture,
        "evidence": card.evidence, "source": card.source, "value": card.value,
        "effort": card.effort, "status": card.status, "owner": card.owner,
        "addresses": _enc(card.addresses)})


def _emotion(batch: _Batch, ws: Workspace, map_id: str, point_id: str) -> None:
    m = ws.maps.get(map_id)
    point = m.emotions.get(point_id) if m is not None else None
    if point is None:
        batch.delete_ids[emotions_t].append(point_id)
        return
    batch.upserts[emotions_t].append({
        "id": point.id, "map_id": map_id, "step_id": point.step_id,
        "persona_id": point.persona_id, "score": point.score, "label": point.label})


def _comment(batch: _Batch, ws: Workspace, map_id: str, comment_id: str) -> None:
    m = ws.maps.get(map_id)
    comment = m.comments.get(comment_id) if m is not None else None
    if comment is None:
        batch.delete_ids[comments_t].append(comment_id)
        return
    batch.upserts[comments_t].append({
        "id": comment.id, "map_id": map_id, "card_id": comment.card_id,
        "author": comment.author, "created_at": comment.created_at, "text": comment.text,
        "resolved": int(comment.resolved)})
