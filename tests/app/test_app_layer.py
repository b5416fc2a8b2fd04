"""The application layer, used as both front ends use it: sessions, event data, metrics, names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from samples import sample_map

from journeydesk.app.event_data import NoSuchDatasetError
from journeydesk.app.imports import default_dataset_name, load_event_file, store_events
from journeydesk.app.metrics import (
    MetricsOptions,
    funnel_from_json,
    map_metrics,
    metrics_json,
    parse_where,
)
from journeydesk.app.overlay import OverlayRequest, compute_overlay
from journeydesk.app.session import (
    WorkspaceSession,
    is_workspace_name,
    with_workspace_suffix,
)
from journeydesk.app.text import format_duration
from journeydesk.domain.commands import AddMapCommand

EVENTS = """user_id,event,timestamp,platform
u1,home,2026-10-01 09:00:00,mobile
u1,form_start,2026-10-01 09:10:00,mobile
u1,first_login,2026-10-02 09:10:00,mobile
u2,home,2026-10-01 11:00:00,desktop
u2,form_start,2026-10-03 11:00:00,desktop
u3,promo_page,2026-10-04 08:00:00,mobile
"""


@pytest.fixture
def session(tmp_path: Path):  # noqa: ANN201
    """A workspace with the sample map and the log above as dataset "signups"."""
    with WorkspaceSession.open(tmp_path / "ws.jdesk", create=True) as session:
        m, personas = sample_map()
        session.document.execute(AddMapCommand(m, personas))
        log = tmp_path / "signups.csv"
        log.write_text(EVENTS, encoding="utf-8")
        store_events(session, "signups", log, load_event_file(log))
        yield session


def test_a_datasets_parquet_is_written_once_and_reused_until_it_changes(
        session: WorkspaceSession, tmp_path: Path) -> None:
    first = Path(session.data.get("signups").data())  # a handle per job, on one file
    assert first.is_file()
    written = first.stat().st_mtime_ns
    for _ in range(3):  # every later query reads the same file, not a new copy
        assert Path(session.data.get("signups").data()) == first
    assert first.stat().st_mtime_ns == written
    session.data.rename("signups", "october")  # the same data: the same file
    assert Path(session.data.get("october").data()) == first
    log = tmp_path / "other.csv"
    log.write_text(EVENTS.replace("u3,promo_page", "u3,home"), encoding="utf-8")
    store_events(session, "october", log, load_event_file(log), replace=True)
    replaced = Path(session.data.get("october").data())
    assert replaced != first and replaced.read_bytes() != first.read_bytes()
    session.data.delete("october")
    with pytest.raises(NoSuchDatasetError, match="there are: none"):
        session.data.get("october")
    cache = replaced.parent
    session.data.close()
    assert not cache.exists()  # the cache folder goes with the session


def test_metrics_are_typed_by_stage_id_with_one_json_form(session: WorkspaceSession) -> None:
    m = session.workspace.map_named("Membership sign-up")
    data = session.data.get("signups").data()
    metrics = map_metrics(data, m, "signups")
    assert metrics.stage_ids == tuple(s.id for s in m.stages)
    assert [s.users for s in metrics.result.stages] == [3, 2, 1]
    as_json = metrics.to_json()
    assert as_json == metrics_json(m.name, "signups", metrics.result)
    assert as_json["users_total"] == 3 and as_json["stages"][1]["dropped"] == 1
    assert funnel_from_json(as_json) == metrics.result  # the snapshot form reads back the same
    mobile = map_metrics(data, m, "signups", MetricsOptions.make(segment={"platform": "mobile"}))
    assert [s.users for s in mobile.result.stages] == [2, 1, 1]
    october_first = MetricsOptions.make(date(2026, 10, 1), date(2026, 10, 1))
    assert map_metrics(data, m, "signups", october_first).result.users_total == 2


def test_the_overlay_keeps_stage_ids_and_names_its_filters(session: WorkspaceSession) -> None:
    m = session.workspace.map_named("Membership sign-up")
    options = MetricsOptions.make(date(2026, 10, 1), None, {"platform": "mobile"})
    request = OverlayRequest.of(m, "signups", options)
    overlay, metrics = compute_overlay(session.data.get("signups").data(), request)
    assert set(overlay.stages) == {s.id for s in m.stages}
    assert overlay.stages[m.stages[0].id].users == 2
    assert overlay.caption == "signups · platform = mobile · 2 users · entered 2026-10-01 to …"
    assert overlay.source == "signups, platform = mobile, 2026-10-01 to …"
    assert metrics.options == options and metrics.to_json()["map"] == m.name
    assert options.filters() == {"segment": {"platform": "mobile"}, "from": "2026-10-01",
                                 "to": None}


def test_names_and_texts_follow_one_rule() -> None:
    assert default_dataset_name(Path("visits.csv.gz")) == "visits"
    assert default_dataset_name(Path("Visits.CSV")) == "Visits"
    assert default_dataset_name(Path("crm export.jsonl")) == "crm export"
    assert default_dataset_name(Path(".csv")) == ".csv"  # nothing would be left
    assert is_workspace_name("team.JDESK") and not is_workspace_name("team.jdesk.bak")
    assert with_workspace_suffix("team") == Path("team.jdesk")
    assert with_workspace_suffix("team.JDesk") == Path("team.JDesk")
    assert with_workspace_suffix("team.v2") == Path("team.v2.jdesk")
    assert [format_duration(s) for s in (30, 600, 5400, 200000)] == [
        "30 s", "10 min", "1.5 h", "2.3 d"]
    assert [format_duration(s, precise=True) for s in (42, 200, 7500, 100000, None)] == [
        "42s", "3m 20s", "2h 05m", "1d 03h", "-"]
    assert format_duration(None) == ""
    assert parse_where(["plan = pro", "country=UK"]) == {"plan": "pro", "country": "UK"}
    with pytest.raises(ValueError, match="COLUMN=VALUE"):
        parse_where(["plan"])


def test_a_removed_cache_folder_is_made_afresh(session: WorkspaceSession) -> None:
    """Someone (a cleaner of the temporary folder) removed the session's cache: the next
    query writes the dataset's Parquet again instead of failing."""
    import shutil

    first = Path(session.data.get("signups").data())
    shutil.rmtree(first.parent)
    again = Path(session.data.get("signups").data())
    assert again.is_file()
    m = session.workspace.map_named("Membership sign-up")
    assert [s.users for s in map_metrics(again, m, "signups").result.stages] == [3, 2, 1]
