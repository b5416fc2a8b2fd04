"""Workspace file benchmarks: loading a 2,000-card map, committing one card edit."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from pathlib import Path

from harness import Result, median_seconds

from journeydesk.domain.commands import AddMapCommand, EditCardCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage, Step
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

# 10 stages x 2 steps x 10 lanes x 10 cards = 2,000 cards
STAGES, STEPS, LANES, PER_CELL = 10, 2, 10, 10


def big_map() -> JourneyMap:
    """A 2,000-card map with realistic text, tags and severities."""
    lane_types = list(LaneType)
    m = JourneyMap(name="Big", stages=[
        Stage(name=f"Stage {i}", events=[f"event_{i}"],
              steps=[Step(name=f"Step {i}.{j}") for j in range(STEPS)]) for i in range(STAGES)],
        lanes=[Lane(name=f"Lane {k}", type=lane_types[k % len(lane_types)])
               for k in range(LANES)])
    for step, lane in itertools.product(m.all_steps(), m.lanes):
        for p in range(PER_CELL):
            card = Card(step.id, lane.id, f"Customer does thing {p} and feels something about it",
                        position=p, tags=["workshop", f"t{p}"], severity=1 + p % 5)
            m.cards[card.id] = card
    return m


FLOOR_QUERIES = [
    "SELECT * FROM maps WHERE id = ?",
    "SELECT persona_id FROM map_personas WHERE map_id = ? ORDER BY position",
    "SELECT id, name, description, events FROM stages WHERE map_id = ? ORDER BY position",
    "SELECT stage_id, id, name, events FROM steps WHERE map_id = ? ORDER BY position",
    "SELECT id, name, type FROM lanes WHERE map_id = ? ORDER BY position",
    "SELECT id, step_id, lane_id, position, text, severity, priority, channel, tags, colour, "
    "events, picture, evidence, source, value, effort, status, owner, addresses "
    "FROM cards WHERE map_id = ?",
    "SELECT id, step_id, persona_id, score, label FROM emotions WHERE map_id = ?",
    "SELECT id, card_id, text, author, created_at, resolved FROM card_comments "
    "WHERE map_id = ? ORDER BY created_at, rowid",
]


def run() -> list[Result]:
    """Run the store benchmarks and return their results."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jdesk"
        m = big_map()
        with WorkspaceFile.open(path, create=True) as ws_file:
            doc = Document(ws_file)
            doc.execute(AddMapCommand(m))

            loaded = ws_file.load_map(m.id)
            assert loaded == m, "the benchmark map did not round-trip"
            ours = median_seconds(lambda: ws_file.load_map(m.id), repeat=21)

            raw = sqlite3.connect(path)

            def floor_load() -> None:
                for query in FLOOR_QUERIES:
                    raw.execute(query, (m.id,)).fetchall()

            floor = median_seconds(floor_load, repeat=21)
            load = Result("load map (2,000 cards)", ours, floor, max_ratio=3)

            card_ids = itertools.cycle(list(m.cards))
            counter = itertools.count()

            def edit() -> None:
                doc.execute(EditCardCommand(m.id, next(card_ids), text=f"edited {next(counter)}"))

            ours_edit = median_seconds(edit, repeat=51)
            raw.isolation_level = None
            raw.execute("PRAGMA synchronous=FULL")

            def floor_edit() -> None:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("UPDATE cards SET text = ? WHERE id = ?",
                            (f"raw {next(counter)}", next(card_ids)))
                raw.execute("COMMIT")

            floor_commit = median_seconds(floor_edit, repeat=51)
            raw.close()
            commit = Result("commit one card edit", ours_edit, floor_commit, max_median=0.010)
    return [load, commit]
