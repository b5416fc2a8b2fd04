"""Map versions benchmark (issue 19): saving and comparing versions of a 2,000-card map.

The map is the Excel benchmark's (10 stages x 2 steps x 10 lanes x 10 cards).  100 versions are
saved, each after 5 cards were edited (a realistic round of changes).

- **save**: saving one version after 5 edits (the newest version is in memory, as in the app);
  goal under 50 ms.  Also printed: the same with nothing in memory (the deltas are replayed
  from the file), the first version (every row), and the disk cost of 100 versions.
- **compare**: comparing version 1 with version 100 (both read from the file: 100 deltas
  replayed each) and the map now with version 100; goal under 100 ms.  The floor printed
  beside it is loading the map from the workspace (``load_map``), the work the comparison is
  measured against.
- **growth**: how many bytes the workspace file grows per version, against the size of the
  5 changed card rows as SQLite stores them (``length()`` of each column).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench_excel import big_workspace
from harness import Result, median_seconds

from journeydesk.domain.commands import AddMapCommand, AddPersonaCommand, EditCardCommand
from journeydesk.domain.map_diff import compare_maps
from journeydesk.store import versions
from journeydesk.store.document import Document
from journeydesk.store.repository import load_map
from journeydesk.store.workspace_file import WorkspaceFile

VERSIONS = 100
EDITS_PER_VERSION = 5


def _file_bytes(ws_file: WorkspaceFile) -> int:
    return ws_file.pragma("page_count") * ws_file.pragma("page_size")


def _row_bytes(ws_file: WorkspaceFile, card_ids: list[str]) -> int:
    columns = ("id", "map_id", "step_id", "lane_id", "position", "text", "severity", "priority",
               "channel", "tags", "colour", "events", "evidence", "source", "value", "effort",
               "status", "owner", "addresses")
    total = " + ".join(f"coalesce(length({c}), 0)" for c in columns)
    marks = ", ".join("?" for _ in card_ids)
    with ws_file.connection() as conn:
        return int(conn.exec_driver_sql(
            f"SELECT sum({total}) FROM cards WHERE id IN ({marks})", tuple(card_ids)).scalar())


def run() -> list[Result]:
    ws, m = big_workspace()
    with tempfile.TemporaryDirectory() as tmp:
        ws_file = WorkspaceFile.open(Path(tmp) / "versions.jdesk", create=True)
        document = Document(ws_file)
        for persona in ws.personas.values():
            document.execute(AddPersonaCommand(persona))
        document.execute(AddMapCommand(m))
        m = document.workspace.map(m.id)
        cards = m.ordered_cards()

        start = time.perf_counter()
        first = versions.save_version(ws_file, m, "v1")
        first_seconds = time.perf_counter() - start
        saves, cold, growth, changed = [], [], [], []
        ids: list[str] = []
        for n in range(2, VERSIONS + 1):
            ids = [cards[(n * 37 + k * 211) % len(cards)].id for k in range(EDITS_PER_VERSION)]
            for k, card_id in enumerate(ids):
                document.execute(EditCardCommand(m.id, card_id, text=f"Edited in round {n}.{k}",
                                                 evidence="research"))
            before = _file_bytes(ws_file)
            if n % 10 == 0:  # every tenth save replays the deltas from the file
                versions._HEADS.put(ws_file, m.id, "", {})
                start = time.perf_counter()
                versions.save_version(ws_file, m, f"v{n}")
                cold.append(time.perf_counter() - start)
            else:
                start = time.perf_counter()
                versions.save_version(ws_file, m, f"v{n}")
                saves.append(time.perf_counter() - start)
            growth.append(_file_bytes(ws_file) - before)
            changed.append(_row_bytes(ws_file, ids))
        found = versions.list_versions(ws_file, m.id)
        last = found[0]
        stored = sum(v.size for v in found)

        def compare_two() -> object:
            old = versions.load_version(ws_file, first.id)[1]
            new = versions.load_version(ws_file, last.id)[1]
            return compare_maps(old, new)

        def compare_now() -> object:
            return compare_maps(versions.load_version(ws_file, last.id)[1], m)

        def load() -> object:
            with ws_file.connection() as conn:
                return load_map(conn, m.id)

        diff = compare_two()
        assert len(diff.cards_changed) >= 100, diff.summary()  # type: ignore[attr-defined]
        compare_seconds = median_seconds(compare_two, repeat=9)
        now_seconds = median_seconds(compare_now, repeat=9)
        load_seconds = median_seconds(load, repeat=9)
        document.close()

    save = statistics.median(saves)
    print(f"  versions: first version (every row) {first_seconds * 1000:.1f} ms, "
          f"{first.size / 1024:.0f} KiB; a version after {EDITS_PER_VERSION} edits "
          f"{save * 1000:.1f} ms (median), {statistics.median(cold) * 1000:.1f} ms with "
          f"nothing in memory (100 deltas replayed)")
    print(f"  versions: {VERSIONS} versions take {stored / 1024:.0f} KiB of content "
          f"({(stored - first.size) / (VERSIONS - 1):.0f} bytes per later version); "
          f"the file grows {statistics.median(growth):.0f} bytes per version (median) for "
          f"{statistics.median(changed):.0f} bytes of changed rows")
    print(f"  versions: compare v1 with v{last.seq} {compare_seconds * 1000:.1f} ms, "
          f"v{last.seq} with now {now_seconds * 1000:.1f} ms; loading the map "
          f"{load_seconds * 1000:.1f} ms")
    return [
        Result("save version (2,000 cards)", save, load_seconds, max_median=0.050),
        Result("compare versions (2,000 cards)", compare_seconds, load_seconds,
               max_median=0.100),
    ]


if __name__ == "__main__":
    for result in run():
        print(result.line())
