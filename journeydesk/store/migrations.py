"""Schema migrations of the workspace file.

``STEPS[v]`` upgrades a file from schema version ``v`` to ``v + 1``.  :func:`upgrade` runs the
needed steps and sets ``PRAGMA user_version`` in one transaction, so a failed upgrade leaves the
file as it was (the caller has also taken a backup copy first).  Every released schema version has
a fixture file in ``tests/store/fixtures/`` that the tests open and check.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable

MigrationStep = Callable[[sqlite3.Connection], None]


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Personas gain age range, location, tech comfort, photo and a data segment."""
    for column in ("age_range TEXT NOT NULL DEFAULT ''", "location TEXT NOT NULL DEFAULT ''",
                   "tech_comfort INTEGER", "photo BLOB", "segment TEXT"):
        conn.execute(f"ALTER TABLE personas ADD COLUMN {column}")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Imported datasets (Parquet blobs) and metric snapshots of a map."""
    # Written out, not derived from schema.py: a step must stay what it was when released.
    conn.execute("""
        CREATE TABLE datasets (
            id VARCHAR NOT NULL,
            name TEXT NOT NULL,
            kind VARCHAR NOT NULL,
            source TEXT NOT NULL,
            imported_at VARCHAR NOT NULL,
            row_count INTEGER NOT NULL,
            user_column TEXT,
            event_column TEXT,
            time_column TEXT,
            attributes TEXT,
            parquet BLOB NOT NULL,
            PRIMARY KEY (id)
        )""")
    conn.execute("""
        CREATE TABLE metric_snapshots (
            id VARCHAR NOT NULL,
            map_id VARCHAR NOT NULL,
            dataset_id VARCHAR NOT NULL,
            taken_at VARCHAR NOT NULL,
            filters TEXT NOT NULL,
            numbers TEXT NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(map_id) REFERENCES maps (id) ON DELETE CASCADE
        )""")
    conn.execute("CREATE INDEX ix_metric_snapshots_map ON metric_snapshots (map_id)")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """Database sources (a URL without password, a table and its column mapping)."""
    conn.execute("""
        CREATE TABLE data_sources (
            id VARCHAR NOT NULL,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            table_name TEXT NOT NULL,
            user_column TEXT NOT NULL,
            event_column TEXT NOT NULL,
            time_column TEXT NOT NULL,
            attributes TEXT,
            password_env TEXT,
            timeout_seconds FLOAT NOT NULL,
            added_at VARCHAR NOT NULL,
            PRIMARY KEY (id)
        )""")


def _v4_to_v5(conn: sqlite3.Connection) -> None:
    """Each dataset's checksum: SHA-256 of its Parquet, computed here for the datasets there
    are (the bytes as they are now: damage done before cannot be told)."""
    conn.execute("ALTER TABLE datasets ADD COLUMN checksum VARCHAR")
    # (a value that is no blob is damage already: no checksum, and reading it is refused)
    conn.create_function("journeydesk_sha256", 1, lambda blob: hashlib.sha256(blob).hexdigest()
                         if isinstance(blob, bytes) else None, deterministic=True)
    conn.execute("UPDATE datasets SET checksum = journeydesk_sha256(parquet)")


def _v5_to_v6(conn: sqlite3.Connection) -> None:
    """Workshop sessions (participants, notes, vote rounds, votes) and a picture per card."""
    conn.execute("ALTER TABLE cards ADD COLUMN picture BLOB")
    conn.execute("""
        CREATE TABLE workshops (
            id VARCHAR NOT NULL,
            map_id VARCHAR NOT NULL,
            map_name TEXT NOT NULL,
            started_at VARCHAR NOT NULL,
            ended_at VARCHAR,
            settings TEXT,
            PRIMARY KEY (id)
        )""")
    conn.execute("""
        CREATE TABLE workshop_participants (
            id VARCHAR NOT NULL,
            workshop_id VARCHAR NOT NULL,
            name TEXT,
            joined_at VARCHAR NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(workshop_id) REFERENCES workshops (id) ON DELETE CASCADE
        )""")
    conn.execute("""
        CREATE TABLE workshop_notes (
            id VARCHAR NOT NULL,
            workshop_id VARCHAR NOT NULL,
            participant_id VARCHAR,
            stage_id VARCHAR,
            kind VARCHAR NOT NULL,
            text TEXT NOT NULL,
            photo BLOB,
            received_at VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            card_id VARCHAR,
            decided_at VARCHAR,
            PRIMARY KEY (id),
            FOREIGN KEY(workshop_id) REFERENCES workshops (id) ON DELETE CASCADE
        )""")
    conn.execute("""
        CREATE TABLE workshop_rounds (
            id VARCHAR NOT NULL,
            workshop_id VARCHAR NOT NULL,
            started_at VARCHAR NOT NULL,
            dots INTEGER NOT NULL,
            eligible TEXT NOT NULL,
            revealed_at VARCHAR,
            ended_at VARCHAR,
            PRIMARY KEY (id),
            FOREIGN KEY(workshop_id) REFERENCES workshops (id) ON DELETE CASCADE
        )""")
    conn.execute("""
        CREATE TABLE workshop_votes (
            id VARCHAR NOT NULL,
            round_id VARCHAR NOT NULL,
            participant_id VARCHAR,
            card_id VARCHAR NOT NULL,
            dots INTEGER NOT NULL,
            cast_at VARCHAR NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(round_id) REFERENCES workshop_rounds (id) ON DELETE CASCADE
        )""")
    for index, table, column in (
            ("ix_workshop_participants_workshop", "workshop_participants", "workshop_id"),
            ("ix_workshop_notes_workshop", "workshop_notes", "workshop_id"),
            ("ix_workshop_rounds_workshop", "workshop_rounds", "workshop_id"),
            ("ix_workshop_votes_round", "workshop_votes", "round_id")):
        conn.execute(f"CREATE INDEX {index} ON {table} ({column})")


def _v6_to_v7(conn: sqlite3.Connection) -> None:
    """Living maps: card evidence and portfolio fields, map owner and review, comments and
    versions."""
    for column in ("evidence VARCHAR NOT NULL DEFAULT 'assumed'", "source TEXT",
                   "value INTEGER", "effort INTEGER", "status VARCHAR", "owner TEXT",
                   "addresses TEXT"):
        conn.execute(f"ALTER TABLE cards ADD COLUMN {column}")
    for column in ("owner TEXT NOT NULL DEFAULT ''", "review_by VARCHAR",
                   "review_days INTEGER"):
        conn.execute(f"ALTER TABLE maps ADD COLUMN {column}")
    conn.execute("""
        CREATE TABLE card_comments (
            id VARCHAR NOT NULL,
            map_id VARCHAR NOT NULL,
            card_id VARCHAR NOT NULL,
            author TEXT NOT NULL,
            created_at VARCHAR NOT NULL,
            text TEXT NOT NULL,
            resolved INTEGER NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(map_id) REFERENCES maps (id) ON DELETE CASCADE
        )""")
    conn.execute("CREATE INDEX ix_card_comments_map ON card_comments (map_id)")
    conn.execute("""
        CREATE TABLE map_versions (
            id VARCHAR NOT NULL,
            map_id VARCHAR NOT NULL,
            seq INTEGER NOT NULL,
            label TEXT NOT NULL,
            reason VARCHAR NOT NULL,
            created_at VARCHAR NOT NULL,
            author TEXT NOT NULL,
            card_count INTEGER NOT NULL,
            content BLOB NOT NULL,
            PRIMARY KEY (id)
        )""")
    conn.execute("CREATE INDEX ix_map_versions_map ON map_versions (map_id, seq)")
    conn.execute("""
        CREATE TABLE version_pictures (
            sha256 VARCHAR NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (sha256)
        )""")


# Version 1 is the first released schema; each later version adds its step here.
STEPS: dict[int, MigrationStep] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5,
                                   5: _v5_to_v6, 6: _v6_to_v7}


def upgrade(conn: sqlite3.Connection, from_version: int, to_version: int) -> None:
    """Run the steps from ``from_version`` to ``to_version`` in one transaction."""
    missing = [v for v in range(from_version, to_version) if v not in STEPS]
    if missing:
        raise RuntimeError(f"no migration from file format {missing[0]}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(from_version, to_version):
            STEPS[version](conn)
        conn.execute(f"PRAGMA user_version={int(to_version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
