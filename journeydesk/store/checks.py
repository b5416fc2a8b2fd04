"""Checks of a workspace's content before it is loaded: a file can pass SQLite's integrity check
and still hold what JourneyDesk never writes (a table or column dropped by hand, a lane type no
version knows, a list column that is not a JSON list, a card pointing at a step of another map,
a NULL where a name belongs, text bytes that are not UTF-8).

Each check is one SQL query, so checking a workspace of 100,000 cards takes a few scans, not a
Python loop per row.  :func:`check_content` returns the first problem as a short phrase;
:func:`damaged` turns it into the one-line error the user sees:
``<file>: is damaged: <what>``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Float, Integer, LargeBinary, Table
from sqlalchemy.exc import DBAPIError

from journeydesk.domain.model import (
    EVIDENCE_LEVELS,
    MAX_PHOTO_BYTES,
    OPPORTUNITY_STATUSES,
    PERSONA_LIST_FIELDS,
    PRIORITIES,
    SCORE_RANGE,
    SEVERITY_RANGE,
    TECH_COMFORT_RANGE,
    DomainError,
    LaneType,
)
from journeydesk.domain.pictures import MAX_PICTURE_BYTES, check_picture
from journeydesk.store.schema import Base

# SQLite's typeof() of the values each column type may hold.
_STORED = {Integer: ("integer",), Float: ("integer", "real"), LargeBinary: ("blob",)}
_INFINITE = "{c} IN (9e999, -9e999)"  # 9e999 reads as infinity in SQLite


def _in(values: tuple[object, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + ")"


def _text_list(column: str) -> str:
    return (f"{column} IS NOT NULL AND (NOT json_valid({column}) "
            f"OR json_type({column}) != 'array' "
            f"OR EXISTS (SELECT 1 FROM json_each({column}) WHERE type != 'text'))")


_LIST = "is not a list of texts"

# (table, column) -> [(condition on a bad value, what is wrong)], after the type checks.
_RULES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("lanes", "type"): [(f"type NOT IN {_in(tuple(t.value for t in LaneType))}",
                         "is not a lane type")],
    ("cards", "priority"): [(f"priority IS NOT NULL AND priority NOT IN {_in(PRIORITIES)}",
                             "is not a priority")],
    ("cards", "severity"): [(f"severity NOT BETWEEN {SEVERITY_RANGE[0]} AND {SEVERITY_RANGE[1]}",
                             "is outside 1..5")],
    ("cards", "colour"): [("colour IS NOT NULL AND NOT (length(colour) = 7 AND colour GLOB "
                           "'#" + "[0-9a-fA-F]" * 6 + "')", "is not a colour (#rrggbb)")],
    ("personas", "tech_comfort"): [
        (f"tech_comfort NOT BETWEEN {TECH_COMFORT_RANGE[0]} AND {TECH_COMFORT_RANGE[1]}",
         "is outside 1..5")],
    ("personas", "photo"): [(f"length(photo) = 0 OR length(photo) > {MAX_PHOTO_BYTES}",
                             "is not a photo JourneyDesk keeps")],
    ("cards", "picture"): [
        (f"length(picture) = 0 OR length(picture) > {MAX_PICTURE_BYTES} OR (substr(picture, 1, 8)"
         " != X'89504E470D0A1A0A' AND substr(picture, 1, 3) != X'FFD8FF')",
         "is not a picture JourneyDesk keeps (PNG or JPEG)")],
    ("personas", "segment"): [
        ("segment IS NOT NULL AND (NOT json_valid(segment) OR json_type(segment) != 'object' "
         "OR EXISTS (SELECT 1 FROM json_each(segment) WHERE type != 'text'))",
         "is not a segment (attribute names and texts)")],
    ("maps", "scale_min"): [(_INFINITE.format(c="scale_min"), "is not finite"),
                            ("scale_min >= scale_max", "is not below scale_max")],
    ("maps", "scale_max"): [(_INFINITE.format(c="scale_max"), "is not finite")],
    ("emotions", "score"): [(_INFINITE.format(c="score"), "is not finite")],
    ("datasets", "kind"): [("kind NOT IN ('events', 'metrics')", "is not a kind of dataset")],
    ("datasets", "row_count"): [("row_count < 0", "is negative")],
    ("datasets", "attributes"): [(_text_list("attributes"), _LIST)],
    ("data_sources", "attributes"): [(_text_list("attributes"), _LIST)],
    ("data_sources", "timeout_seconds"): [("NOT timeout_seconds > 0", "is not above 0")],
    ("metric_snapshots", "filters"): [("NOT json_valid(filters)", "is not JSON")],
    ("metric_snapshots", "numbers"): [("NOT json_valid(numbers)", "is not JSON")],
}
for _table, _column in [("stages", "events"), ("steps", "events"), ("cards", "tags"),
                        ("cards", "events"), *(("personas", f) for f in PERSONA_LIST_FIELDS)]:
    _RULES[_table, _column] = [(_text_list(_column), _LIST)]
for _table in ("maps", "personas", "stages", "lanes"):
    _RULES[_table, "name"] = [("trim(name) = ''", "is empty")]

# --- workshop sessions (schema 6; journeydesk/store/workshops.py) --------------------------
# Kept apart from the map rules above.  The statuses are those of
# journeydesk.store.workshops.NOTE_STATUSES (a test keeps the two equal).
WORKSHOP_NOTE_STATUSES = ("new", "accepted", "merged", "discarded")
_JSON_OBJECT = "{c} IS NOT NULL AND (NOT json_valid({c}) OR json_type({c}) != 'object')"
_RULES.update({
    ("workshops", "settings"): [(_JSON_OBJECT.format(c="settings"), "is not a JSON object")],
    ("workshop_notes", "status"): [(f"status NOT IN {_in(WORKSHOP_NOTE_STATUSES)}",
                                    "is not a note status")],
    ("workshop_rounds", "dots"): [("dots < 1", "is below 1")],
    ("workshop_rounds", "eligible"): [(_JSON_OBJECT.format(c="eligible"),
                                       "is not a JSON object")],
    ("workshop_votes", "dots"): [("dots < 0", "is negative")],
})
# --- end of workshop sessions ------------------------------------------------------------

# --- living maps (schema 7) ---------------------------------------------------------------
_RULES.update({
    ("cards", "evidence"): [(f"evidence NOT IN {_in(EVIDENCE_LEVELS)}",
                             "is not an evidence level")],
    ("cards", "status"): [(f"status IS NOT NULL AND status NOT IN {_in(OPPORTUNITY_STATUSES)}",
                           "is not an opportunity status")],
    ("cards", "value"): [(f"value NOT BETWEEN {SCORE_RANGE[0]} AND {SCORE_RANGE[1]}",
                          "is outside 1..5")],
    ("cards", "effort"): [(f"effort NOT BETWEEN {SCORE_RANGE[0]} AND {SCORE_RANGE[1]}",
                           "is outside 1..5")],
    ("cards", "addresses"): [(_text_list("addresses"), _LIST)],
    ("maps", "review_by"): [("review_by IS NOT NULL AND date(review_by) IS NOT review_by",
                             "is not a date (YYYY-MM-DD)")],
    ("maps", "review_days"): [("review_days < 1", "is below 1")],
    ("card_comments", "resolved"): [("resolved NOT IN (0, 1)", "is not 0 or 1")],
    ("card_comments", "text"): [("trim(text) = ''", "is empty")],
    ("map_versions", "seq"): [("seq < 1", "is below 1")],
    ("map_versions", "card_count"): [("card_count < 0", "is negative")],
})

# Whole-workspace rules: a query giving one offending row's description, or no row.
_CROSS = [
    ("SELECT 'step ' || s.id || ' belongs to a stage of another map' FROM steps s "
     "JOIN stages g ON g.id = s.stage_id WHERE g.map_id != s.map_id"),
    ("SELECT 'card ' || c.id || ' is in a step of another map' FROM cards c "
     "JOIN steps s ON s.id = c.step_id WHERE s.map_id != c.map_id"),
    ("SELECT 'card ' || c.id || ' is in a lane of another map' FROM cards c "
     "JOIN lanes l ON l.id = c.lane_id WHERE l.map_id != c.map_id"),
    ("SELECT 'emotion point ' || e.id || ' is at a step of another map' FROM emotions e "
     "JOIN steps s ON s.id = e.step_id WHERE s.map_id != e.map_id"),
    ("SELECT 'emotion point ' || e.id || ' belongs to a persona the map does not show' "
     "FROM emotions e WHERE e.persona_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
     "map_personas p WHERE p.map_id = e.map_id AND p.persona_id = e.persona_id)"),
    ("SELECT 'emotion point ' || e.id || ' lies outside its map''s scale' FROM emotions e "
     "JOIN maps m ON m.id = e.map_id WHERE e.score < m.scale_min OR e.score > m.scale_max"),
    ("SELECT 'stage ' || g.id || ' has no steps' FROM stages g "
     "WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.stage_id = g.id)"),
    ("SELECT 'two maps are named ' || quote(name) FROM maps GROUP BY name HAVING count(*) > 1"),
    ("SELECT 'two personas are named ' || quote(name) FROM personas GROUP BY name "
     "HAVING count(*) > 1"),
    ("SELECT 'two stages of a map are named ' || quote(name) FROM stages "
     "GROUP BY map_id, name HAVING count(*) > 1"),
    ("SELECT 'two lanes of a map are named ' || quote(name) FROM lanes "
     "GROUP BY map_id, name HAVING count(*) > 1"),
    ("SELECT 'two steps of a stage are named ' || quote(name) FROM steps WHERE name != '' "
     "GROUP BY stage_id, name HAVING count(*) > 1"),
]


def workspace_path(conn: Connection) -> str:
    """The file the connection reads (its main database)."""
    try:
        for _seq, name, file in conn.exec_driver_sql("PRAGMA database_list").fetchall():
            if name == "main":
                return str(file)
    except DBAPIError:  # pragma: no cover - a connection too broken to say its file
        pass
    return "the workspace"


def damaged(conn: Connection, what: str, where: str | Path | None = None) -> Exception:
    """The error saying the workspace ``where`` (default: the connection's file) is damaged."""
    from journeydesk.store.workspace_file import CorruptWorkspaceError  # it imports us

    shown = " ".join(what.split())
    if len(shown) > 200:
        shown = shown[:197] + "..."
    return CorruptWorkspaceError(f"{where or workspace_path(conn)}: is damaged: {shown}")


def check_content(conn: Connection) -> str | None:
    """The first problem found in the workspace's tables, or None when there is none."""
    for table in Base.metadata.sorted_tables:
        problem = _check_table(conn, table)
        if problem:
            return problem
    for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        return f"a row of table {row[0]} refers to a missing row of table {row[2]}"
    for query in _CROSS:
        found = conn.exec_driver_sql(query + " LIMIT 1").scalar()
        if found is not None:
            return str(found)
    return _check_pictures(conn)


def _check_pictures(conn: Connection) -> str | None:
    """Card pictures with a good magic number but a header no picture JourneyDesk stores has
    (cut short, declaring 100000 x 100000 pixels): read from the header, never decoded."""
    result = conn.exec_driver_sql("SELECT quote(id), picture FROM cards "
                                  "WHERE picture IS NOT NULL")
    while rows := result.fetchmany(64):
        for card_id, picture in rows:
            try:
                check_picture(picture)
            except DomainError as exc:
                return f"table cards, row {card_id}: picture: {exc}"
    return None


def _check_table(conn: Connection, table: Table) -> str | None:
    name = table.name
    present = {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({name})")}
    if not present:
        return f"table {name} is missing"
    for column in table.columns:
        if column.name not in present:
            return f"table {name} has no column {column.name}"
    cases: list[str] = []
    for column in table.columns:
        c = column.name
        stored = next((kinds for kind, kinds in _STORED.items()
                       if isinstance(column.type, kind)), ("text",))
        if column.nullable:
            stored = (*stored, "null")
        else:
            cases.append(f"WHEN {c} IS NULL THEN '{c} is missing'")
        cases.append(f"WHEN typeof({c}) NOT IN {_in(stored)} THEN "
                     f"'{c} holds ' || typeof({c}) || ', not {stored[0]}'")
        cases += [f"WHEN {condition} THEN '{c} ' || quote(substr({c}, 1, 40)) || ' {what}'"
                  for condition, what in _RULES.get((name, c), [])]
    key = next(iter(table.primary_key.columns)).name
    found = conn.exec_driver_sql(
        f"SELECT problem, quote({key}) FROM (SELECT CASE {' '.join(cases)} END AS problem, "
        f"{key} FROM {name}) WHERE problem IS NOT NULL LIMIT 1").first()
    if found is None:
        return None
    return f"table {name}, row {found[1]}: {found[0]}"
