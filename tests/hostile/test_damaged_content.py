"""Content damaged inside a valid SQLite file: every command refuses it in one line.

The workspace is made by the command line (two maps sharing two personas, a dataset, a bound
stage), then damaged by SQL surgery (every table; enum-like text, JSON lists, ids pointing
nowhere or into another map, NULLs in required columns, wrong types, dropped tables and columns)
or by bytes flipped inside stored texts, which SQLite's quick check does not read.  Each command
must then say ``<file>: is damaged: ...`` and leave the file's bytes as they were.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from pictures import png

from journeydesk.cli.main import main

MAP = {
    "format": "journeydesk.map", "version": 1, "name": "Sign-up", "description": "d",
    "scale": {"min": -2, "max": 2},
    "personas": [{"name": "Maria", "role": "Buyer", "goals": ["Save time"], "tech_comfort": 3,
                  "segment": {"platform": "web"}},
                 {"name": "Ken", "role": "Dev"}],
    "stages": [{"name": "Discover", "events": ["visit"]},
               {"name": "Join", "events": ["signup"],
                "steps": [{"name": "Form", "events": ["form"]}, {"name": "Confirm"}]}],
    "lanes": [{"name": "Doing", "type": "actions"}, {"name": "Ideas", "type": "opportunities"}],
    "cards": [{"stage": "Discover", "lane": "Doing", "text": "MARKERCARDTEXT reads",
               "tags": ["tagmarker"], "severity": 2, "priority": "high", "colour": "#aabbcc",
               "channel": "web", "events": ["visit"]},
              {"stage": "Join", "step": "Form", "lane": "Ideas", "text": "Shorter form"}],
    "emotions": [{"stage": "Discover", "score": 1},
                 {"stage": "Join", "step": "Form", "persona": "Maria", "score": -1,
                  "label": "meh"}],
}
EVENTS = ("user_id,event,timestamp\nu1,visit,2024-01-01 10:00:00\n"
          "u1,signup,2024-01-01 10:05:00\nu2,visit,2024-01-02 09:00:00\n")

# One row of the other map, for ids that point into it.
OTHER = ("(SELECT id FROM {table} WHERE map_id = "
         "(SELECT id FROM maps WHERE name = 'Second') LIMIT 1)")
FIRST_MAP = "map_id = (SELECT id FROM maps WHERE name = 'Sign-up')"

SURGERY: dict[str, str] = {
    # enum-like text and ranges
    "lane type": "UPDATE lanes SET type = 'feelings'",
    "lane type case": "UPDATE lanes SET type = 'ACTIONS'",
    "card priority": "UPDATE cards SET priority = 'urgent' WHERE priority IS NOT NULL",
    "card severity": "UPDATE cards SET severity = 9 WHERE severity IS NOT NULL",
    "card severity real": "UPDATE cards SET severity = 2.5 WHERE severity IS NOT NULL",
    "card colour": "UPDATE cards SET colour = 'red' WHERE colour IS NOT NULL",
    "tech comfort": "UPDATE personas SET tech_comfort = 0 WHERE tech_comfort IS NOT NULL",
    "empty photo": "UPDATE personas SET photo = X''",
    "card picture not an image": "UPDATE cards SET picture = X'474946383961'",
    "card picture of 100000 x 100000 pixels":
        f"UPDATE cards SET picture = X'{png(1, 1, declared=(100_000, 100_000)).hex()}'",
    "card picture cut short": f"UPDATE cards SET picture = X'{png(4, 4)[:-16].hex()}'",
    "dataset kind": "UPDATE datasets SET kind = 'weird'",
    "dataset row count": "UPDATE datasets SET row_count = -1",
    "scale order": "UPDATE maps SET scale_min = 5",
    "scale infinite": "UPDATE maps SET scale_max = 9e999",
    "score outside scale": "UPDATE emotions SET score = 99",
    "score infinite": "UPDATE emotions SET score = -9e999",
    "empty map name": "UPDATE maps SET name = '   ' WHERE name = 'Second'",
    "empty lane name": "UPDATE lanes SET name = ''",
    "empty stage name": "UPDATE stages SET name = ''",
    "empty persona name": "UPDATE personas SET name = '' WHERE name = 'Ken'",
    # JSON list columns
    "stage events not json": "UPDATE stages SET events = 'visit, signup' WHERE events IS NOT NULL",
    "stage events object": "UPDATE stages SET events = '{\"a\": 1}' WHERE events IS NOT NULL",
    "step events numbers": "UPDATE steps SET events = '[1, 2]' WHERE events IS NOT NULL",
    "card tags string": "UPDATE cards SET tags = '\"x\"' WHERE tags IS NOT NULL",
    "card tags truncated": "UPDATE cards SET tags = '[\"x\"' WHERE tags IS NOT NULL",
    "card events null item": "UPDATE cards SET events = '[null]' WHERE events IS NOT NULL",
    "persona goals": "UPDATE personas SET goals = 'oops' WHERE goals IS NOT NULL",
    "persona channels": "UPDATE personas SET channels = '[[\"a\"]]'",
    "persona segment list": "UPDATE personas SET segment = '[1]' WHERE segment IS NOT NULL",
    "persona segment number": "UPDATE personas SET segment = '{\"a\": 1}' "
                              "WHERE segment IS NOT NULL",
    "dataset attributes": "UPDATE datasets SET attributes = '{'",
    "snapshot filters": "INSERT INTO metric_snapshots SELECT 'snap', id, 'd', 't', '{', '{}' "
                        "FROM maps LIMIT 1",
    # ids pointing nowhere or into the other map
    "card step missing": "UPDATE cards SET step_id = 'nope'",
    "card lane missing": "UPDATE cards SET lane_id = 'nope'",
    "card map missing": "UPDATE cards SET map_id = 'nope'",
    "step stage missing": "UPDATE steps SET stage_id = 'nope'",
    "emotion step missing": "UPDATE emotions SET step_id = 'nope'",
    "emotion persona missing": "UPDATE emotions SET persona_id = 'nope' "
                               "WHERE persona_id IS NOT NULL",
    "link persona missing": "UPDATE map_personas SET persona_id = 'nope' "
                            "WHERE rowid = (SELECT min(rowid) FROM map_personas)",
    "card step of other map": f"UPDATE cards SET step_id = {OTHER.format(table='steps')} "
                              f"WHERE {FIRST_MAP}",
    "card lane of other map": f"UPDATE cards SET lane_id = {OTHER.format(table='lanes')} "
                              f"WHERE {FIRST_MAP}",
    "step in stage of other map": f"UPDATE steps SET stage_id = "
                                  f"{OTHER.format(table='stages')} WHERE {FIRST_MAP}",
    "emotion step of other map": f"UPDATE emotions SET step_id = "
                                 f"{OTHER.format(table='steps')} WHERE {FIRST_MAP}",
    "emotion persona unlinked": "DELETE FROM map_personas WHERE persona_id = "
                                "(SELECT persona_id FROM emotions WHERE persona_id IS NOT NULL "
                                "LIMIT 1)",
    "stage without steps": "DELETE FROM cards WHERE step_id = (SELECT id FROM lone_step); "
                           "DELETE FROM emotions WHERE step_id = (SELECT id FROM lone_step); "
                           "DELETE FROM steps WHERE id = (SELECT id FROM lone_step)",
    "duplicate lane names": "UPDATE lanes SET name = 'Doing'",
    "duplicate persona names": "UPDATE personas SET name = 'Maria'",
    "duplicate map names": "UPDATE maps SET name = 'Sign-up'",
    "duplicate step names": "UPDATE steps SET name = 'Form' WHERE name = 'Confirm'",
    "duplicate stage names": "UPDATE stages SET name = 'Join'",
    # NULLs in required columns
    **{f"null {t}.{c}": f"UPDATE {t} SET {c} = NULL" for t, c in [
        ("maps", "name"), ("maps", "description"), ("maps", "scale_min"), ("maps", "id"),
        ("stages", "name"), ("stages", "position"), ("stages", "description"),
        ("steps", "name"), ("lanes", "name"), ("lanes", "type"), ("cards", "text"),
        ("cards", "position"), ("emotions", "score"), ("emotions", "label"),
        ("personas", "name"), ("personas", "role"), ("personas", "notes"),
        ("personas", "age_range"), ("map_personas", "position"), ("datasets", "name"),
        ("datasets", "parquet"), ("datasets", "row_count")]},
    # wrong types
    "card text blob": "UPDATE cards SET text = X'00ff'",
    "lane name blob": "UPDATE lanes SET name = X'6869'",
    "card position text": "UPDATE cards SET position = 'first'",
    "emotion score text": "UPDATE emotions SET score = 'high'",
    "scale blob": "UPDATE maps SET scale_max = X'01'",
    "photo text": "UPDATE personas SET photo = 'a picture'",
    "card picture text": "UPDATE cards SET picture = 'a picture'",
    "tech comfort text": "UPDATE personas SET tech_comfort = 'high'",
    "stage position real": "UPDATE stages SET position = 0.5",
    "dataset parquet text": "UPDATE datasets SET parquet = 'PAR1'",
    # text that is not UTF-8 (SQLite keeps the bytes as they are)
    "card text not utf-8": "UPDATE cards SET text = CAST(X'41ff42' AS TEXT)",
    "map name not utf-8": "UPDATE maps SET name = CAST(X'c328' AS TEXT) WHERE name = 'Second'",
    "persona role not utf-8": "UPDATE personas SET role = CAST(X'80' AS TEXT)",
    # dropped tables and columns
    **{f"dropped table {t}": f"DROP TABLE {t}" for t in [
        "maps", "personas", "map_personas", "stages", "steps", "lanes", "cards", "emotions",
        "datasets", "metric_snapshots", "data_sources"]},
    **{f"dropped column {t}.{c}": f"ALTER TABLE {t} DROP COLUMN {c}" for t, c in [
        ("maps", "description"), ("stages", "events"), ("steps", "name"), ("lanes", "type"),
        ("cards", "tags"), ("cards", "colour"), ("emotions", "label"), ("personas", "photo"),
        ("personas", "segment"), ("datasets", "attributes"), ("data_sources", "password_env"),
        ("metric_snapshots", "numbers")]},
}

# Bytes flipped inside stored values (same length, so the pages stay well formed).
FLIPS: dict[str, tuple[bytes, bytes]] = {
    "flip in card text": (b"MARKERCARDTEXT", b"MARKER\xffARDTEXT"),
    "flip in tag list": (b'["tagmarker"]', b'\xff"tagmarker"]'),
    "flip in lane type": (b"opportunities", b"opportunitie\xff"),
    "flip lane type to another word": (b"opportunities", b"opportunitiez"),
    "flip in persona name": (b"Maria", b"Mar\xc3a"),
}

COMMANDS: dict[str, list[str]] = {
    "maps": ["maps", "{ws}"],
    "personas": ["personas", "{ws}"],
    "export json": ["export", "{ws}", "--map", "Sign-up", "-o", "{out}.json"],
    "metrics": ["metrics", "{ws}", "--map", "Sign-up"],
    "bind": ["bind", "{ws}", "--map", "Sign-up", "--stage", "Join", "--events", "x"],
    "import-map": ["import-map", "{ws}", "{mapfile}", "--name", "Third"],
}
MORE_EXPORTS = ["xlsx", "mmd", "csv", "svg", "png", "pdf"]


@pytest.fixture(autouse=True)
def _own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary folder of this test's own, so that the check for leftover temporary files
    sees ours only (other programs share the system's)."""
    own = tmp_path / "tmp"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace made by the command line, and the map file it was made from."""
    folder = tmp_path_factory.mktemp("template")
    ws, mapfile, events = folder / "w.jdesk", folder / "map.json", folder / "ev.csv"
    mapfile.write_text(json.dumps(MAP), encoding="utf-8")
    events.write_text(EVENTS, encoding="utf-8")
    for argv in (["import-map", ws, mapfile], ["import-map", ws, mapfile, "--name", "Second"],
                 ["import-events", ws, events],
                 ["bind", ws, "--map", "Sign-up", "--stage", "Join", "--events", "signup"]):
        assert main([str(a) for a in argv]) == 0
    return ws, mapfile


def _copy(template: tuple[Path, Path], tmp_path: Path) -> Path:
    ws = tmp_path / "damaged.jdesk"
    shutil.copyfile(template[0], ws)
    return ws


def _operate(ws: Path, sql: str) -> None:
    conn = sqlite3.connect(ws, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = OFF")  # a test's copy: no need to wait for the disk
        if (null := re.fullmatch(r"UPDATE (\w+) SET (\w+) = NULL", sql)) is not None:
            _allow_null(conn, *null.groups())
        conn.execute("CREATE TEMP VIEW lone_step AS SELECT min(id) AS id FROM steps "
                     "GROUP BY stage_id HAVING count(*) = 1 LIMIT 1")
        changed_before = conn.total_changes
        conn.executescript(sql)
        assert sql.startswith(("DROP", "ALTER")) or conn.total_changes > changed_before, sql
    finally:
        conn.close()


def _allow_null(conn: sqlite3.Connection, table: str, column: str) -> None:
    """Take the NOT NULL off a column by editing the schema's text, as a careless tool might."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    loosened = re.sub(rf"(\b{column} \w+(?: DEFAULT \S+)?) NOT NULL", r"\1", sql, count=1)
    assert loosened != sql
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (loosened, table))
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.execute("PRAGMA writable_schema = OFF")


def _flip(ws: Path, old: bytes, new: bytes) -> None:
    data = ws.read_bytes()
    assert len(old) == len(new) and old in data
    ws.write_bytes(data.replace(old, new))
    conn = sqlite3.connect(ws)
    try:  # the damage is of the kind SQLite's own check does not see
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def _argv(command: list[str], ws: Path, tmp_path: Path, mapfile: Path) -> list[str]:
    return [a.format(ws=ws, out=tmp_path / "out", mapfile=mapfile) for a in command]


def _check_refused(refused, argv: list[str], ws: Path, tmp_path: Path) -> None:
    outputs = [tmp_path / f"out.{ext}" for ext in ["json", *MORE_EXPORTS]]
    result = refused(argv, names=[str(ws), "is damaged"], files=[ws, *outputs])
    assert "Traceback" not in result.message


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(SURGERY))
def test_sql_surgery_is_refused(refused, template, tmp_path: Path, damage: str,
                                command: str) -> None:
    ws = _copy(template, tmp_path)
    _operate(ws, SURGERY[damage])
    _check_refused(refused, _argv(COMMANDS[command], ws, tmp_path, template[1]), ws, tmp_path)


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(FLIPS))
def test_flipped_bytes_are_refused(refused, template, tmp_path: Path, damage: str,
                                   command: str) -> None:
    ws = _copy(template, tmp_path)
    _flip(ws, *FLIPS[damage])
    _check_refused(refused, _argv(COMMANDS[command], ws, tmp_path, template[1]), ws, tmp_path)


@pytest.mark.parametrize("ext", MORE_EXPORTS)
@pytest.mark.parametrize("damage", ["lane type", "card tags string", "card step missing",
                                    "null cards.text", "dropped table emotions",
                                    "card text not utf-8"])
def test_every_export_format_refuses(refused, template, tmp_path: Path, damage: str,
                                     ext: str) -> None:
    ws = _copy(template, tmp_path)
    _operate(ws, SURGERY[damage])
    argv = ["export", str(ws), "--map", "Sign-up", "-o", str(tmp_path / f"out.{ext}")]
    _check_refused(refused, argv, ws, tmp_path)


def test_the_template_itself_is_accepted_by_every_command(template, tmp_path: Path,
                                                          capsys) -> None:
    """The checks refuse damage, not what JourneyDesk itself writes."""
    ws = _copy(template, tmp_path)
    for command in COMMANDS.values():
        assert main(_argv(command, ws, tmp_path, template[1])) == 0, capsys.readouterr().err
    for ext in ("xlsx", "mmd", "csv"):
        assert main(["export", str(ws), "--map", "Sign-up", "-o", str(tmp_path / f"o.{ext}")]) == 0


def test_the_app_gets_the_same_message(template, tmp_path: Path) -> None:
    """The GUI opens documents through app.session.open_document: the same one-line error,
    and the file is let go (it opens again afterwards)."""
    from journeydesk.app.session import WorkspaceError, open_document

    ws = _copy(template, tmp_path)
    _operate(ws, SURGERY["lane type"])
    for _ in range(2):
        with pytest.raises(WorkspaceError, match="is damaged: table lanes") as caught:
            open_document(ws)
        assert str(ws) in str(caught.value) and "\n" not in str(caught.value)
