"""Every released schema version opens; upgrades run in a transaction after a backup copy."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from journeydesk.analytics.funnel import funnel
from journeydesk.store import datasets, migrations, sources, workspace_file
from journeydesk.store.schema import SCHEMA_VERSION
from journeydesk.store.workspace_file import WorkspaceError, WorkspaceFile

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_versions() -> list[int]:
    return sorted(int(re.search(r"schema_v(\d+)\.jdesk", p.name).group(1))
                  for p in FIXTURES.glob("schema_v*.jdesk"))


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_there_is_a_fixture_for_every_schema_version() -> None:
    assert fixture_versions() == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", fixture_versions())
def test_every_released_version_opens_with_its_content(version: int, tmp_path: Path) -> None:
    path = tmp_path / "old.jdesk"
    shutil.copyfile(FIXTURES / f"schema_v{version}.jdesk", path)
    with WorkspaceFile.open(path) as ws_file:
        ws = ws_file.load()
        assert ws_file.pragma("user_version") == SCHEMA_VERSION
        found = datasets.list_datasets(ws_file)
        parquet = datasets.dataset_parquet(ws_file, "web") if found else b""
        found_sources = sources.list_sources(ws_file)
    (m,) = ws.maps.values()
    assert m.name == "Membership sign-up"
    assert [s.name for s in m.stages] == ["Discover", "Sign up", "Use"]
    assert [s.name for s in m.stages[1].steps] == ["Form", "Confirm e-mail"]
    assert m.stages[0].events == ["home", "promo_page"]
    assert len(m.lanes) in (9, 10) and m.lanes[4].type == "pain_points"
    assert len(m.cards) == 4 * len(m.lanes)
    assert sorted(p.score for p in m.emotions.values()) == [-2, -1, 0.5, 1, 2]
    (maria,) = ws.personas.values()
    assert maria.name == "Maria" and maria.goals == ["Join quickly"]
    assert m.persona_ids == [maria.id]
    if version >= 2:
        assert (maria.age_range, maria.location, maria.tech_comfort) == ("25-34", "Lyon", 4)
        assert maria.photo is not None and maria.photo.startswith(b"\x89PNG")
        assert maria.segment == {"platform": "mobile"}
    else:  # upgraded: the new fields are empty
        assert (maria.age_range, maria.tech_comfort, maria.photo, maria.segment) == (
            "", None, None, {})
    if version >= 3:
        (web,) = found
        assert (web.name, web.kind, web.source, web.row_count) == ("web", "events", "web.csv", 6)
        assert (web.user_column, web.event_column, web.time_column) == (
            "user_id", "event", "timestamp")
        assert web.attributes == ["platform"]
        assert web.imported_at == "2024-03-03T12:00:00+00:00"
        result = funnel(parquet, [(s.name, s.events) for s in m.stages])
        assert result.users_total == 3
        assert [(s.users, s.dropped, s.median_seconds_from_previous) for s in result.stages] == [
            (3, 0, None), (2, 1, 360.0), (1, 1, 86280.0)]
    else:  # upgraded: no datasets yet
        assert found == []
    if version >= 4:
        (warehouse,) = found_sources
        assert (warehouse.name, warehouse.url, warehouse.table) == (
            "warehouse", "postgresql+psycopg://analyst@db.example:5432/cx", "analytics.events")
        assert (warehouse.user_column, warehouse.event_column, warehouse.time_column) == (
            "user_id", "event", "occurred_at")
        assert (warehouse.attributes, warehouse.password_env, warehouse.timeout_seconds) == (
            ["platform"], "CX_DB_PASSWORD", 60.0)
    else:  # upgraded: no sources yet
        assert found_sources == []
    check_living_map(path, m, version)


def check_living_map(path: Path, m, version: int) -> None:  # noqa: ANN001
    """Schema 7: owner and review, evidence, portfolio fields, comments and versions."""
    from journeydesk.store import versions

    pain = next(c for c in m.ordered_cards() if m.lane(c.lane_id).type == "pain_points")
    idea = next(c for c in m.ordered_cards() if m.lane(c.lane_id).type == "opportunities")
    with WorkspaceFile.open(path) as ws_file:
        found = versions.list_versions(ws_file, m.id)
        old = versions.load_version(ws_file, found[-1].id)[1] if found else None
    if version < 7:  # upgraded: every card assumed, nothing else set
        assert (m.owner, m.review_by, m.review_days, m.comments, found) == (
            "", None, None, {}, [])
        assert {c.evidence for c in m.cards.values()} == {"assumed"}
        assert (idea.value, idea.effort, idea.status, idea.owner, idea.addresses) == (
            None, None, None, None, [])
        return
    assert (m.owner, m.review_by, m.review_days) == ("Ana", "2027-01-31", 90)
    assert (pain.evidence, pain.source) == ("research", "Interviews, March")
    assert (idea.value, idea.effort, idea.status, idea.owner, idea.addresses) == (
        4, 2, "planned", "Ana", [pain.id])
    (comment,) = m.comments_of(pain.id)
    assert (comment.text, comment.author, comment.resolved) == (
        "Seen in 5 of 8 interviews", "Ana", False)
    assert [(v.seq, v.label, v.author, v.card_count) for v in found] == [
        (2, "After review", "Ana", len(m.cards)), (1, "Workshop 1", "Ana", len(m.cards))]
    assert old is not None and old.card(pain.id).text != pain.text
    assert pain.text == "Form asks for too much"


def table_shapes(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(tuple(c[1:]) for c in conn.execute(f"PRAGMA table_info({t})"))
                for t in tables}
    finally:
        conn.close()


def test_upgraded_files_have_the_same_tables_as_new_ones(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.jdesk"
    WorkspaceFile.open(fresh, create=True).close()
    for version in fixture_versions():
        old = tmp_path / f"v{version}.jdesk"
        shutil.copyfile(FIXTURES / f"schema_v{version}.jdesk", old)
        WorkspaceFile.open(old).close()
        assert table_shapes(old) == table_shapes(fresh), f"schema {version} upgraded differs"


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "ws.jdesk"
    shutil.copyfile(FIXTURES / "schema_v1.jdesk", path)
    return path


@pytest.fixture
def latest_file(tmp_path: Path) -> Path:
    path = tmp_path / "latest.jdesk"
    shutil.copyfile(FIXTURES / f"schema_v{SCHEMA_VERSION}.jdesk", path)
    return path


def test_upgrade_takes_a_backup_then_migrates(v1_file: Path) -> None:
    original = v1_file.read_bytes()
    with WorkspaceFile.open(v1_file) as ws_file:
        assert ws_file.migrated_from == 1
        backup = ws_file.backup_path
        assert len(ws_file.load().maps) == 1
    assert user_version(v1_file) == SCHEMA_VERSION
    assert backup == v1_file.with_name("ws.jdesk.v1.bak")
    assert user_version(backup) == 1
    pristine = v1_file.with_name("pristine.jdesk")
    pristine.write_bytes(original)
    assert dump(backup) == dump(pristine)


def test_older_file_opened_read_only_is_read_through_an_upgraded_copy(v1_file: Path) -> None:
    before = v1_file.read_bytes()
    with WorkspaceFile.open(v1_file, read_only=True) as ws_file:
        assert ws_file.read_only and ws_file.path == v1_file
        assert ws_file.pragma("user_version") == SCHEMA_VERSION
        assert ws_file.map_summaries() == [("Membership sign-up", 3, 36)]
    assert v1_file.read_bytes() == before
    assert sorted(p.name for p in v1_file.parent.iterdir()) == ["ws.jdesk"]


def test_failed_upgrade_leaves_the_file_unchanged(latest_file: Path, monkeypatch) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE lanes ADD COLUMN colour TEXT")
        conn.execute("UPDATE cards SET text = 'scrambled'")
        raise RuntimeError("step failed halfway")

    monkeypatch.setattr(workspace_file, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(migrations.STEPS, SCHEMA_VERSION, half_done)
    before = hashlib.sha256(latest_file.read_bytes()).hexdigest()
    with pytest.raises(WorkspaceError, match="could not be upgraded.*unchanged"):
        WorkspaceFile.open(latest_file)
    assert hashlib.sha256(latest_file.read_bytes()).hexdigest() == before
    # and the lock was released: the file opens normally once the bad step is gone
    monkeypatch.undo()
    with WorkspaceFile.open(latest_file) as ws_file:
        assert ws_file.map_summaries() == [("Membership sign-up", 3, 40)]


def test_missing_migration_step_is_an_error_not_a_silent_skip(latest_file: Path,
                                                             monkeypatch) -> None:
    monkeypatch.setattr(workspace_file, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(WorkspaceError, match=f"no migration from file format {SCHEMA_VERSION}"):
        WorkspaceFile.open(latest_file)
    assert user_version(latest_file) == SCHEMA_VERSION
