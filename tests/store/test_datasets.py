"""Datasets kept in the workspace file: one transaction each, names unique, read-only refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from samples import sample_map

from journeydesk.domain.commands import AddMapCommand, RemoveMapCommand
from journeydesk.store import datasets
from journeydesk.store.datasets import (
    DatasetError,
    DatasetExistsError,
    NoSuchDatasetError,
    add_dataset,
    dataset_parquet,
    delete_dataset,
    get_dataset,
    list_datasets,
    rename_dataset,
)
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import ReadOnlyWorkspaceError, WorkspaceFile

FIXTURES = Path(__file__).parent / "fixtures"
WHEN = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def add(ws_file: WorkspaceFile, name: str, data: bytes = b"PAR1 data",
        **kw) -> datasets.DatasetInfo:
    fields = {"source": "events.csv", "row_count": 3, "user_column": "user_id",
              "event_column": "event", "time_column": "ts", "attributes": ["plan", "país"],
              "imported_at": WHEN}
    fields.update(kw)
    return add_dataset(ws_file, name, data, **fields)


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    path = tmp_path / "ws.jdesk"
    WorkspaceFile.open(path, create=True).close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_list_get_and_read_back(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        info = add(ws_file, "web")
        add(ws_file, "app", b"other", kind="metrics", attributes=[])
    with WorkspaceFile.open(ws_path, read_only=True) as ws_file:
        assert [d.name for d in list_datasets(ws_file)] == ["app", "web"]
        web = get_dataset(ws_file, "web")
        assert web == info
        assert (web.kind, web.source, web.row_count, web.size) == ("events", "events.csv", 3, 9)
        assert (web.user_column, web.event_column, web.time_column) == ("user_id", "event", "ts")
        assert web.attributes == ["plan", "país"]
        assert web.imported_at == "2024-05-01T12:30:00+00:00"
        assert dataset_parquet(ws_file, "web") == b"PAR1 data"
        assert get_dataset(ws_file, "app").kind == "metrics"


def test_imported_at_defaults_to_now_in_utc(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        info = add(ws_file, "web", imported_at=None)
    stamp = datetime.fromisoformat(info.imported_at)
    assert stamp.tzinfo is not None and abs(datetime.now(UTC) - stamp).total_seconds() < 60


def test_unknown_names_list_the_datasets(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        with pytest.raises(NoSuchDatasetError, match=r"no dataset named 'web' \(datasets: none\)"):
            get_dataset(ws_file, "web")
        add(ws_file, "web")
        add(ws_file, "app")
        for call in (lambda: get_dataset(ws_file, "x"), lambda: dataset_parquet(ws_file, "x"),
                     lambda: delete_dataset(ws_file, "x"),
                     lambda: rename_dataset(ws_file, "x", "y")):
            with pytest.raises(NoSuchDatasetError, match=r"'x' \(datasets: app, web\)"):
                call()


def test_names_are_unique_unless_replacing(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        first = add(ws_file, "web", b"old")
        with pytest.raises(DatasetExistsError, match="already has a dataset named 'web'"):
            add(ws_file, " web ", b"new")
        assert dataset_parquet(ws_file, "web") == b"old"
        second = add(ws_file, "web", b"new", row_count=5, replace=True)
        assert second.id != first.id  # new data, new id
        assert [(d.name, d.row_count) for d in list_datasets(ws_file)] == [("web", 5)]
        assert dataset_parquet(ws_file, "web") == b"new"


def test_replace_is_atomic(ws_path: Path, monkeypatch) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        add(ws_file, "web", b"old")

        def fail(conn, row) -> None:
            raise RuntimeError("disk full halfway")

        monkeypatch.setattr(datasets, "_insert_row", fail)
        with pytest.raises(RuntimeError, match="disk full"):
            add(ws_file, "web", b"new", replace=True)
        monkeypatch.undo()
        assert dataset_parquet(ws_file, "web") == b"old"  # the delete was rolled back
        assert len(list_datasets(ws_file)) == 1
    with WorkspaceFile.open(ws_path) as ws_file:
        assert dataset_parquet(ws_file, "web") == b"old"


def test_rename_and_delete(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        add(ws_file, "web")
        add(ws_file, "app")
        with pytest.raises(DatasetExistsError, match="'app'"):
            rename_dataset(ws_file, "web", "app")
        rename_dataset(ws_file, "web", "web")  # to itself: nothing to do
        rename_dataset(ws_file, "web", "  site  ")
        assert [d.name for d in list_datasets(ws_file)] == ["app", "site"]
        delete_dataset(ws_file, "app")
        assert [d.name for d in list_datasets(ws_file)] == ["site"]
    with WorkspaceFile.open(ws_path) as ws_file:
        assert [d.name for d in list_datasets(ws_file)] == ["site"]


@pytest.mark.parametrize(("name", "kind", "message"), [
    ("", "events", "must not be empty"),
    ("  ", "events", "must not be empty"),
    ("two\nlines", "events", "one line"),
    ("web", "sales", "kind is one of events, metrics"),
])
def test_bad_names_and_kinds(ws_path: Path, name: str, kind: str, message: str) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        with pytest.raises(DatasetError, match=message):
            add(ws_file, name, kind=kind)
        assert list_datasets(ws_file) == []


def test_read_only_workspaces_refuse_writes(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        add(ws_file, "web")
    before = digest(ws_path)
    with WorkspaceFile.open(ws_path, read_only=True) as ws_file:
        for call in (lambda: add(ws_file, "app"), lambda: add(ws_file, "web", replace=True),
                     lambda: rename_dataset(ws_file, "web", "site"),
                     lambda: delete_dataset(ws_file, "web")):
            with pytest.raises(ReadOnlyWorkspaceError, match="is open read-only"):
                call()
        assert dataset_parquet(ws_file, "web") == b"PAR1 data"  # reading is fine
    assert digest(ws_path) == before


def test_large_blobs_round_trip(ws_path: Path) -> None:
    data = bytes(range(256)) * 40_000  # 10 MB
    with WorkspaceFile.open(ws_path) as ws_file:
        add(ws_file, "big", data)
    with WorkspaceFile.open(ws_path, read_only=True) as ws_file:
        assert dataset_parquet(ws_file, "big") == data
        assert get_dataset(ws_file, "big").size == len(data)


def test_snapshots_go_with_their_map(ws_path: Path) -> None:
    with WorkspaceFile.open(ws_path) as ws_file:
        document = Document(ws_file)
        m, personas = sample_map()
        document.execute(AddMapCommand(m, personas))
        info = add(ws_file, "web")
        with ws_file.connection() as conn, conn.begin():
            conn.exec_driver_sql(
                "INSERT INTO metric_snapshots (id, map_id, dataset_id, taken_at, filters, "
                "numbers) VALUES ('s1', ?, ?, '2024-05-01T12:00:00+00:00', '{}', '[]')",
                (m.id, info.id))
        document.execute(RemoveMapCommand(m.id))
        with ws_file.connection() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM metric_snapshots").scalar() == 0


def indexes(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    finally:
        conn.close()


def test_upgraded_files_have_the_same_indexes_as_new_ones(ws_path: Path,
                                                          tmp_path: Path) -> None:
    old = tmp_path / "v2.jdesk"
    shutil.copyfile(FIXTURES / "schema_v2.jdesk", old)
    WorkspaceFile.open(old).close()
    assert indexes(old) == indexes(ws_path)
    assert ("ix_metric_snapshots_map", "metric_snapshots") in indexes(ws_path)
