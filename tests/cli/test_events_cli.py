"""The event-data commands: import-events, bind, metrics (public interface, scripted by users)."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from journeydesk.cli import main
from journeydesk.store import datasets
from journeydesk.store.workspace_file import WorkspaceFile

MAP = {
    "format": "journeydesk.map", "version": 1, "name": "Shop",
    "stages": [{"name": "Visit"}, {"name": "Sign up"}, {"name": "Support"}, {"name": "Buy"}],
    "lanes": [{"name": "Doing", "type": "actions"}],
    "cards": [],
}

# The log of tests/analytics/test_funnel.py with a platform per user.  By hand (see there):
# Visit u1 u2 u3 u5 u6; Sign up u1 (600 s) u2 (0 s) u3 (1800 s); Buy u1 (3600 s) u2 (10800 s).
# On ios (u1 u3 u5 u7): Visit u1 u3 u5; Sign up u1 (600 s) u3 (1800 s); Buy u1 (3600 s).
PLATFORM = {"u1": "ios", "u2": "web", "u3": "ios", "u4": "web", "u5": "ios", "u6": "web",
            "u7": "ios"}
LOG = [
    ("u1", "buy", "2024-05-01 11:10:00"), ("u3", "home", "2024-05-01 09:00:00"),
    ("u1", "home", "2024-05-01 10:30:00"), ("u2", "buy", "2024-05-01 08:00:00"),
    ("u1", "home", "2024-05-01 10:00:00"), ("u2", "landing", "2024-05-01 09:00:00"),
    ("u1", "signup", "2024-05-01 10:10:00"), ("u2", "signup", "2024-05-01 09:00:00"),
    ("u3", "signup", "2024-05-01 08:00:00"), ("u2", "buy", "2024-05-01 12:00:00"),
    ("u3", "signup", "2024-05-01 09:30:00"), ("u4", "buy", "2024-05-01 10:00:00"),
    ("u4", "signup", "2024-05-01 10:00:00"), ("u5", "home", "2024-05-01 10:00:00"),
    ("u5", "buy", "2024-05-01 10:05:00"), ("u6", "landing", "2024-05-01 10:00:00"),
    ("u7", "support", "2024-05-01 10:00:00"),
]
CSV = "visitor_id,event,timestamp,platform\n" + "".join(
    f"{u},{e},{t},{PLATFORM[u]}\n" for u, e, t in LOG)

EXPECTED = {
    "map": "Shop", "dataset": "web",
    "definition": {"from": None, "to": None, "window_seconds": None, "segment": {}},
    "users_total": 7,
    "stages": [
        {"stage": "Visit", "users": 5, "conversion_from_previous": None,
         "conversion_from_first": 1.0, "dropped": 0, "median_seconds_from_previous": None},
        {"stage": "Sign up", "users": 3, "conversion_from_previous": 0.6,
         "conversion_from_first": 0.6, "dropped": 2, "median_seconds_from_previous": 600.0},
        {"stage": "Support", "users": None, "conversion_from_previous": None,
         "conversion_from_first": None, "dropped": None, "median_seconds_from_previous": None},
        {"stage": "Buy", "users": 2, "conversion_from_previous": 2 / 3,
         "conversion_from_first": 0.4, "dropped": 1, "median_seconds_from_previous": 7200.0},
    ],
}
EXPECTED_IOS = {
    "map": "Shop", "dataset": "web",
    "definition": {"from": "2024-05-01", "to": "2024-05-01", "window_seconds": None,
                   "segment": {"platform": "ios"}},
    "users_total": 4,
    "stages": [
        {"stage": "Visit", "users": 3, "conversion_from_previous": None,
         "conversion_from_first": 1.0, "dropped": 0, "median_seconds_from_previous": None},
        {"stage": "Sign up", "users": 2, "conversion_from_previous": 2 / 3,
         "conversion_from_first": 2 / 3, "dropped": 1, "median_seconds_from_previous": 1200.0},
        EXPECTED["stages"][2],
        {"stage": "Buy", "users": 1, "conversion_from_previous": 0.5,
         "conversion_from_first": 1 / 3, "dropped": 1, "median_seconds_from_previous": 3600.0},
    ],
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in a child process."""
    return subprocess.run([sys.executable, "-m", "journeydesk", *args], capture_output=True,
                          text=True, timeout=120)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "web.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A workspace with the Shop map, its stages not bound yet."""
    map_file = tmp_path / "shop.json"
    map_file.write_text(json.dumps(MAP), encoding="utf-8")
    ws = tmp_path / "ws.jdesk"
    assert main(["import-map", str(ws), str(map_file)]) == 0
    return ws


@pytest.fixture
def bound(shop: Path, events_csv: Path, capsys) -> Path:
    """The Shop workspace with the web dataset and its stages bound (in process)."""
    assert main(["import-events", str(shop), str(events_csv)]) == 0
    for stage, events in (("Visit", "home,landing"), ("Sign up", "signup"), ("Buy", "buy")):
        assert main(["bind", str(shop), "--map", "Shop", "--stage", stage,
                     "--events", events]) == 0
    capsys.readouterr()
    return shop


# --------------------------------------------------------------------------- end to end
def test_import_bind_and_metrics_end_to_end(shop: Path, events_csv: Path) -> None:
    result = run("import-events", str(shop), str(events_csv))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("web: 17 rows, 7 users, 5 events, "
                             "2024-05-01 08:00:00 to 2024-05-01 12:00:00\n")
    assert "columns user='visitor_id', event='event', time='timestamp'" in result.stderr
    assert "attributes: platform" in result.stderr

    for stage, events in (("Visit", "home, landing"), ("Sign up", "signup")):
        result = run("bind", str(shop), "--map", "Shop", "--stage", stage, "--events", events)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    result = run("bind", str(shop), "--map", "Shop", "--stage", "Buy", "--events",
                 "buy,purchase,refund", "--dataset", "web")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("journeydesk: warning: dataset 'web' has no events named "
                             "purchase, refund\n")
    with WorkspaceFile.open(shop, read_only=True) as ws_file:
        (m,) = ws_file.load().maps.values()
    assert [s.events for s in m.stages] == [["home", "landing"], ["signup"], [],
                                            ["buy", "purchase", "refund"]]

    result = run("metrics", str(shop), "--map", "Shop", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED
    assert list(json.loads(result.stdout)) == ["map", "dataset", "definition", "users_total",
                                               "stages"]
    assert all(list(s) == list(EXPECTED["stages"][0]) for s in json.loads(result.stdout)[
        "stages"])

    result = run("metrics", str(shop), "--map", "Shop", "--dataset", "web", "--where",
                 "platform=ios", "--from", "2024-05-01", "--to", "2024-05-01", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED_IOS


def test_metrics_table(bound: Path, capsys) -> None:
    assert main(["metrics", str(bound), "--map", "Shop"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Shop | dataset web | 7 users",
        "Stage    Users  From previous  From first  Dropped  Median time",
        "Visit        5              -      100.0%        0            -",
        "Sign up      3          60.0%       60.0%        2      10m 00s",
        "Support      -              -           -        -            -",
        "Buy          2          66.7%       40.0%        1       2h 00m",
    ]
    assert main(["metrics", str(bound), "--map", "Shop", "--where", "platform=web",
                 "--from", "2024-05-02"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Shop | dataset web | 0 users | 2024-05-02 to ... | platform=web"
    assert lines[2].split() == ["Visit", "0", "-", "-", "0", "-"]


def test_metrics_on_a_read_only_workspace(bound: Path, capsys) -> None:
    before = digest(bound)
    bound.chmod(0o444)
    try:
        assert main(["metrics", str(bound), "--map", "Shop", "--json"]) == 0
    finally:
        bound.chmod(0o644)
    assert json.loads(capsys.readouterr().out) == EXPECTED
    assert digest(bound) == before


# --------------------------------------------------------------------------- import-events
BAD_CSV = ("user,event,time\n"
           "u1,home,2024-05-01 10:00:00\n"
           "u2,home\n"
           "u3,home,tomorrow\n"
           "u4,buy,2024-05-01 11:00:00\n")


def test_bad_rows_stop_the_import_and_nothing_is_written(tmp_path: Path, shop: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    fresh = tmp_path / "fresh.jdesk"
    result = run("import-events", str(fresh), str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "journeydesk: error: bad.csv: 2 bad rows of 4; nothing imported (--skip-bad-rows "
        "imports the other rows)",
        "  ragged row: 1 (line 3)",
        "  bad timestamp: 1 (line 4; expected YYYY-MM-DD HH:MM:SS)",
    ]
    assert not fresh.exists()
    before = digest(shop)
    assert run("import-events", str(shop), str(bad)).returncode == 1
    assert digest(shop) == before


def test_skip_bad_rows(tmp_path: Path, shop: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    assert main(["import-events", str(shop), str(bad), "--skip-bad-rows"]) == 0
    out, err = capsys.readouterr()
    assert out == ("bad: 2 rows, 2 users, 2 events, 2024-05-01 10:00:00 to "
                   "2024-05-01 11:00:00, 2 bad rows skipped\n")
    assert "journeydesk: note: skipped bad.csv: 2 bad rows of 4" in err
    assert "  ragged row: 1 (line 3)" in err.splitlines()
    with WorkspaceFile.open(shop, read_only=True) as ws_file:
        assert datasets.get_dataset(ws_file, "bad").row_count == 2


def test_an_existing_name_needs_replace(tmp_path: Path, shop: Path, events_csv: Path,
                                        capsys) -> None:
    assert main(["import-events", str(shop), str(events_csv)]) == 0
    before = digest(shop)
    assert main(["import-events", str(shop), str(events_csv)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"journeydesk: error: {shop}: already has a dataset named 'web'; use --replace to "
        "replace it or --name to import under another")
    assert digest(shop) == before
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("\n".join(CSV.splitlines()[:4]) + "\n", encoding="utf-8")
    assert main(["import-events", str(shop), str(smaller), "--name", "web", "--replace"]) == 0
    assert capsys.readouterr().out.startswith("web: 3 rows, ")
    assert main(["import-events", str(shop), str(smaller), "--name", "web 2"]) == 0
    with WorkspaceFile.open(shop, read_only=True) as ws_file:
        assert [(d.name, d.row_count, d.source) for d in datasets.list_datasets(ws_file)] == [
            ("web", 3, "smaller.csv"), ("web 2", 3, "smaller.csv")]


def test_explicit_columns_and_compressed_files(tmp_path: Path, capsys) -> None:
    path = tmp_path / "export.2024.csv.gz"
    path.write_bytes(gzip.compress(b"who,what,when\nann,home,01/05/2024 10:00\n"))
    ws = tmp_path / "ws.jdesk"
    assert main(["import-events", str(ws), str(path)]) == 1
    assert "no user column found (columns: who, what, when)" in capsys.readouterr().err
    assert not ws.exists()
    assert main(["import-events", str(ws), str(path), "--user", "who", "--event", "what",
                 "--time", "when"]) == 0
    out, err = capsys.readouterr()
    assert out == "export.2024: 1 rows, 1 users, 1 events, 2024-05-01 10:00:00 to " \
                  "2024-05-01 10:00:00\n"
    assert "(DD/MM/YYYY HH:MM)" in err


@pytest.mark.parametrize(("args", "status", "message"), [
    (["import-events", "ws.jdesk", "events.txt"], 2, "not a supported event file"),
    (["import-events", "ws.jdesk", "missing.csv"], 1, "missing.csv: no such file"),
    (["import-events", "ws.jdesk", "empty.csv"], 1, "empty.csv: is empty"),
    (["bind", "ws.jdesk", "--map", "Shop", "--stage", "Pay", "--events", "x"], 1,
     "map 'Shop' has no stage named 'Pay' (stages: Visit, Sign up, Support, Buy)"),
    (["bind", "ws.jdesk", "--map", "Shopping", "--stage", "Visit", "--events", "x"], 1,
     "has no map named 'Shopping' (maps: Shop)"),
    (["bind", "ws.jdesk", "--map", "Shop", "--stage", "Visit", "--events", "x", "--dataset",
      "app"], 1, "has no dataset or source named 'app' (there are: none)"),
    (["metrics", "ws.jdesk", "--map", "Shop"], 1,
     "has no event datasets; import one with 'journeydesk import-events'"),
    (["metrics", "ws.jdesk", "--map", "Shop", "--from", "1 May"], 2,
     "'1 May' is not a date (YYYY-MM-DD)"),
    (["metrics", "ws.jdesk", "--map", "Shop", "--from", "2024-02-30"], 2, "is not a date"),
    (["metrics", "ws.jdesk", "--map", "Shop", "--from", "2024-05-02", "--to", "2024-05-01"],
     2, "--from is after --to"),
    (["metrics", "ws.jdesk", "--map", "Shop", "--where", "platform"], 2,
     "--where takes COLUMN=VALUE, not 'platform'"),
    (["metrics", "ws.jdesk", "--map", "Shop", "--where", "a=1", "a=2"], 2,
     "--where gives 'a' twice"),
    (["metrics", "nowhere.jdesk", "--map", "Shop"], 1, "nowhere.jdesk: no such workspace file"),
])
def test_errors(args: list[str], status: int, message: str, in_folder: Path, capsys) -> None:
    before = digest(in_folder)
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own checks
        code = exc.code
    assert code == status
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert digest(in_folder) == before


@pytest.fixture
def in_folder(shop: Path, tmp_path: Path, monkeypatch) -> Path:
    """The Shop workspace (ws.jdesk) in the current folder, with a few odd files beside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "events.txt").write_text("user,event,time\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    return shop


def test_metrics_dataset_errors(bound: Path, events_csv: Path, capsys) -> None:
    assert main(["metrics", str(bound), "--map", "Shop", "--where", "plan=free"]) == 1
    assert "dataset 'web': no attribute 'plan' to filter on (attributes: platform)" in (
        capsys.readouterr().err)
    assert main(["import-events", str(bound), str(events_csv), "--name", "app"]) == 0
    capsys.readouterr()
    assert main(["metrics", str(bound), "--map", "Shop"]) == 1
    assert "has several datasets (app, web); choose one with --dataset" in (
        capsys.readouterr().err)
    assert main(["metrics", str(bound), "--map", "Shop", "--dataset", "nope"]) == 1
    assert "has no dataset or source named 'nope' (there are: app, web)" in capsys.readouterr().err
    assert main(["metrics", str(bound), "--map", "Shop", "--dataset", "app", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {**EXPECTED, "dataset": "app"}


def test_bind_with_no_events_unbinds(bound: Path, capsys) -> None:
    assert main(["bind", str(bound), "--map", "Shop", "--stage", "Sign up",
                 "--events", ""]) == 0
    assert main(["metrics", str(bound), "--map", "Shop", "--json"]) == 0
    stages = json.loads(capsys.readouterr().out)["stages"]
    assert stages[1]["users"] is None
    # Buy now follows Visit: u1 (10:00 -> 11:10) and u2 (09:00 -> 12:00); u5 bought at 10:05
    assert [stages[3][k] for k in ("users", "dropped", "median_seconds_from_previous")] == [
        3, 2, 4200.0]


def test_excel_export_with_a_dataset_has_the_metrics_sheet(bound: Path, tmp_path: Path,
                                                           capsys) -> None:
    from python_calamine import CalamineWorkbook

    out = tmp_path / "shop.xlsx"
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "-o",
                 str(out)]) == 0
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Metrics").to_python()
    assert rows[0][0].startswith("Dataset: web · period: all time")  # the caption
    assert [r[:2] for r in rows[3:]] == [["Visit", 5], ["Sign up", 3], ["Support", ""],
                                         ["Buy", 2]]
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "-o",
                 str(tmp_path / "shop.json")]) == 2
    assert "--dataset applies to map exports to .xlsx" in capsys.readouterr().err


def test_powerpoint_export_with_a_dataset_has_the_funnel_slide(bound: Path, tmp_path: Path,
                                                               capsys) -> None:
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    out = tmp_path / "shop.pptx"
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "--window", "1d",
                 "-o", str(out)]) == 0
    funnel = next(s for s in Presentation(str(out)).slides
                  if any(sh.name == "Funnel" for sh in s.shapes))
    chart = next(sh for sh in funnel.shapes if sh.name == "Funnel").chart
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == ["Visit", "Sign up", "Buy"]  # Support is unbound
    assert list(chart.series[0].values) == [5, 3, 2]
    table = next(sh for sh in funnel.shapes if sh.has_table).table
    assert [table.cell(r, 0).text for r in range(1, 5)] == ["Visit", "Sign up", "Support", "Buy"]
    caption = next(sh for sh in funnel.shapes if sh.name == "Caption").text_frame.text
    assert "Dataset: web" in caption and "window: 1d" in caption


def test_powerpoint_export_with_flows_labels_the_moves_on_the_map_slides(
        bound: Path, tmp_path: Path, capsys, qapp) -> None:  # noqa: ANN001
    from pptx import Presentation

    out = tmp_path / "flows.pptx"
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "--flows",
                 "-o", str(out)]) == 0
    first = {s.name: s.text_frame.text for s in Presentation(str(out)).slides[0].shapes
             if s.has_text_frame}
    assert first["Stage: Visit"].startswith("Visit\n5 users")
    assert "Dataset: web" in first["Caption"]
    assert first["Flows from: Visit"].startswith("→ Sign up: ")
    picture = tmp_path / "flows.svg"  # pictures draw the arcs (tests/gui/test_flows_layer.py)
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "--flows",
                 "-o", str(picture)]) == 0
    assert picture.stat().st_size > 0
    assert main(["export", str(bound), "--map", "Shop", "--flows", "-o",
                 str(tmp_path / "no.pptx")]) == 2
    assert "--flows applies with --dataset" in capsys.readouterr().err


def test_pictures_with_a_dataset_show_the_numbers_and_caption(bound: Path, tmp_path: Path,
                                                              capsys, qapp) -> None:
    import datetime as dt
    import xml.etree.ElementTree as ET

    from pypdf import PdfReader

    from journeydesk.app.metrics import MetricsOptions, map_metrics
    from journeydesk.app.session import WorkspaceSession
    from journeydesk.cli.common import opened_data

    options = ["--from", "2024-05-01", "--to", "2024-05-01", "--where", "platform=ios"]
    with WorkspaceSession.open(bound, read_only=True) as session, \
            opened_data(session, "web") as data:
        m = session.load().map_named("Shop")
        day = dt.date(2024, 5, 1)
        metrics = map_metrics(data, m, "web", MetricsOptions.make(
            day, day, {"platform": "ios"})).to_json()
    users = [f"{e['users']:,} user{'' if e['users'] == 1 else 's'}" for e in metrics["stages"]
             if e["users"] is not None]
    assert users == ["3 users", "2 users", "1 user"]  # as in EXPECTED_IOS
    caption = ("Dataset: web · period: 2024-05-01 to 2024-05-01 · window: unlimited · "
               "segment: platform = ios · users in scope: 4")
    svg, pdf, png = (tmp_path / f"shop.{x}" for x in ("svg", "pdf", "png"))
    for out in (svg, pdf, png):
        assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", *options,
                     "-o", str(out)]) == 0, capsys.readouterr().err
    texts = {
        "svg": " ".join(t for el in ET.parse(svg).getroot().iter() if el.tag.endswith("text")
                        for t in el.itertext()),
        "pdf": " ".join(p.extract_text() for p in PdfReader(str(pdf)).pages)}
    for kind, text in texts.items():
        flat = " ".join(text.replace("\t", " ").split())
        assert caption in flat, kind
        assert all(label in flat for label in users), kind
    assert png.stat().st_size > 0
    assert main(["export", str(bound), "--map", "Shop", "-o", str(svg)]) == 0
    text = " ".join(t for el in ET.parse(svg).getroot().iter() for t in el.itertext())
    assert " users" not in text and "Dataset:" not in text  # no numbers without --dataset
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "--breakdown",
                 "platform", "-o", str(svg)]) == 2
    assert "--breakdown applies to .xlsx" in capsys.readouterr().err


def test_import_stage_metrics_and_see_them_in_the_metrics_lane(shop: Path, tmp_path: Path,
                                                               capsys, qtbot) -> None:
    from journeydesk.domain.commands import AddLaneCommand
    from journeydesk.domain.model import Lane, LaneType
    from journeydesk.gui.main_window import MainWindow
    from journeydesk.store.document import Document

    table = tmp_path / "nps.csv"
    table.write_text("stage;metric;value;date\nVisit;NPS;31;2026-07-01\nVisit;NPS;35;"
                     "2026-10-01\nBuy;CSAT;4,2;2026-10-01\n", encoding="utf-8")
    assert main(["import-metrics", str(shop), str(table)]) == 0
    assert capsys.readouterr().out == "nps: 3 values of 2 metrics for 2 stages\n"
    assert main(["import-metrics", str(shop), str(table)]) == 1
    assert "use --replace" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("stage,metric,value\nVisit,NPS,high\n", encoding="utf-8")
    assert main(["import-metrics", str(shop), str(bad)]) == 1
    assert "line 2: value 'high' is not a number" in capsys.readouterr().err

    doc = Document(WorkspaceFile.open(shop))
    m = doc.workspace.map_named("Shop")
    doc.execute(AddLaneCommand(m.id, Lane(name="Scores", type=LaneType.METRICS)))
    window = MainWindow(doc, remember_settings=False)
    qtbot.addWidget(window)
    window.open_map(m.id)
    assert window.scene.metrics == {m.stage_named("Visit").id: [("NPS", "35")],
                                    m.stage_named("Buy").id: [("CSAT", "4.2")]}
    window.close()


# --------------------------------------------------------------------------- time formats
def dataset_rows(ws: Path, name: str) -> list[tuple]:
    """The stored rows of a dataset (user, event, ts), in order."""
    import duckdb

    with WorkspaceFile.open(ws, read_only=True) as ws_file:
        data = datasets.dataset_parquet(ws_file, name)
    path = ws.parent / f"{name}.check.parquet"
    path.write_bytes(data)
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT \"user\", event, CAST(ts AS VARCHAR) FROM "
                           f"read_parquet('{path}') ORDER BY ALL").fetchall()
    finally:
        con.close()


def ga4_parquet(path: Path) -> Path:
    """GA4's BigQuery export layout: event_timestamp is a BIGINT of microseconds."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM (VALUES ('1234.5678', 'page_view', "
                f"1714557600000000::BIGINT), ('1234.5678', 'sign_up', 1714557660000000::BIGINT))"
                f" t(user_pseudo_id, event_name, event_timestamp)) TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def test_epoch_microseconds(tmp_path: Path, shop: Path, events_csv: Path) -> None:
    us = tmp_path / "epoch_us.csv"
    us.write_text("user_id,event,timestamp\nu1,home,1714557600000000\nu2,home,1714561200000000\n",
                  encoding="utf-8")
    result = run("import-events", str(shop), str(us))
    assert (result.returncode, result.stdout) == (
        0, "epoch_us: 2 rows, 2 users, 1 events, 2024-05-01 10:00:00 to 2024-05-01 11:00:00\n")
    assert "(Unix epoch microseconds)" in result.stderr
    assert run("import-events", str(shop), str(events_csv)).returncode == 0
    result = run("import-events", str(shop), str(ga4_parquet(tmp_path / "ga4.parquet")),
                 "--name", "web", "--replace")
    assert (result.returncode, result.stdout) == (
        0, "web: 2 rows, 1 users, 2 events, 2024-05-01 10:00:00 to 2024-05-01 10:01:00\n")
    assert dataset_rows(shop, "web") == [("1234.5678", "page_view", "2024-05-01 10:00:00"),
                                         ("1234.5678", "sign_up", "2024-05-01 10:01:00")]


def test_a_failed_replace_keeps_the_old_dataset(tmp_path: Path, shop: Path,
                                                events_csv: Path) -> None:
    assert run("import-events", str(shop), str(events_csv)).returncode == 0
    before = digest(shop)
    sentinel = tmp_path / "sentinel.csv"  # epoch ms with a placeholder: not the year 33658
    sentinel.write_text("user_id,event,timestamp\nu1,home,1714557600000\n"
                        "u2,home,1714557660000\nu3,home,999999999999999\n"
                        "u4,home,1714557720000\n", encoding="utf-8")
    result = run("import-events", str(shop), str(sentinel), "--name", "web", "--replace")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "journeydesk: error: sentinel.csv: 1 bad row of 4; nothing imported (--skip-bad-rows "
        "imports the other rows)",
        "  bad timestamp: 1 (line 4; expected Unix epoch milliseconds)",
    ]
    assert digest(shop) == before
    with WorkspaceFile.open(shop, read_only=True) as ws_file:
        assert datasets.get_dataset(ws_file, "web").source == "web.csv"


def test_nothing_is_computed_after_the_dataset_is_written(tmp_path: Path, shop: Path,
                                                         events_csv: Path,
                                                         monkeypatch) -> None:
    from journeydesk.cli import events as cli

    assert main(["import-events", str(shop), str(events_csv)]) == 0
    before = digest(shop)

    def broken(*args, **kwargs):
        raise RuntimeError("summary failed")

    monkeypatch.setattr(cli, "_import_summary", broken)
    with pytest.raises(RuntimeError):
        main(["import-events", str(shop), str(events_csv), "--replace"])
    assert digest(shop) == before


def test_times_past_the_year_9999_are_summarised(tmp_path: Path, capsys) -> None:
    import duckdb

    far = tmp_path / "far.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'u1' AS user_id, 'home' AS event, TIMESTAMP '2024-05-01' AS ts "
                f"UNION ALL SELECT 'u2', 'home', TIMESTAMP '12000-01-01') TO '{far}' "
                f"(FORMAT parquet)")
    con.close()
    assert main(["import-events", str(tmp_path / "ws.jdesk"), str(far)]) == 0
    assert capsys.readouterr().out == ("far: 2 rows, 2 users, 1 events, 2024-05-01 00:00:00 "
                                       "to 12000-01-01 00:00:00\n")


@pytest.mark.parametrize(("times", "shown", "span"), [
    (("01/05/24 10:00", "13/05/24 10:00"), "DD/MM/YY HH:MM",
     "2024-05-01 10:00:00 to 2024-05-13 10:00:00"),
    (("20240501103000", "20240501113000"), "YYYYMMDDHHMMSS",
     "2024-05-01 10:30:00 to 2024-05-01 11:30:00"),
    (("202405011030", "202405011130"), "YYYYMMDDHHMM",
     "2024-05-01 10:30:00 to 2024-05-01 11:30:00"),
    (("20240501", "20240502"), "YYYYMMDD", "2024-05-01 00:00:00 to 2024-05-02 00:00:00"),
])
def test_short_years_and_compact_digits(times: tuple[str, str], shown: str, span: str,
                                        tmp_path: Path, capsys) -> None:
    log = tmp_path / "log.csv"
    log.write_text(f"user_id,event,timestamp\nu1,home,{times[0]}\nu1,buy,{times[1]}\n",
                   encoding="utf-8")
    assert main(["import-events", str(tmp_path / "ws.jdesk"), str(log)]) == 0
    out, err = capsys.readouterr()
    assert out == f"log: 2 rows, 1 users, 2 events, {span}\n"
    assert f"time='timestamp' ({shown});" in err
    assert "warning" not in err


US_WEEK = "user_id,event,timestamp\n" + "".join(
    f"u{i},home,05/0{1 + i % 6}/2024 09:00\nu{i},signup,05/0{2 + i % 6}/2024 09:00\n"
    for i in range(1, 51))


def test_dates_that_could_be_either_way_are_warned_about(tmp_path: Path, capsys) -> None:
    log = tmp_path / "us_week.csv"
    log.write_text(US_WEEK, encoding="utf-8")
    ws = tmp_path / "ws.jdesk"
    assert main(["import-events", str(ws), str(log)]) == 0
    out, err = capsys.readouterr()
    assert out == ("us_week: 100 rows, 50 users, 2 events, 2024-01-05 09:00:00 to "
                   "2024-07-05 09:00:00\n")
    assert err.splitlines()[1:] == [
        "journeydesk: warning: every date could be day-first or month-first; read as "
        "DD/MM/YYYY HH:MM (use --time-format '%m/%d/%Y %H:%M' for month-first)"]
    # the suggestion works
    assert main(["import-events", str(ws), str(log), "--replace",
                 "--time-format", "%m/%d/%Y %H:%M"]) == 0
    out, err = capsys.readouterr()
    assert out == ("us_week: 100 rows, 50 users, 2 events, 2024-05-01 09:00:00 to "
                   "2024-05-07 09:00:00\n")
    assert "(%m/%d/%Y %H:%M)" in err and "warning" not in err
    # a family by its date, with and without a time of day
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("user_id,event,timestamp\nu1,home,05/01/2024\nu1,buy,05/02/2024 10:00\n",
                     encoding="utf-8")
    assert main(["import-events", str(ws), str(mixed)]) == 0
    assert "use --time-format MM/DD/YYYY for month-first" in capsys.readouterr().err
    assert main(["import-events", str(ws), str(mixed), "--replace", "--time-format",
                 "MM/DD/YYYY"]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("2024-05-01 00:00:00 to 2024-05-02 10:00:00\n")
    assert "warning" not in err


def test_no_warning_once_some_date_shows_the_order(tmp_path: Path, capsys) -> None:
    # the first 2,000 dates could be either way; one further on has a day above 12
    log = tmp_path / "long.csv"
    log.write_text("user_id,event,timestamp\n" + "".join(
        f"u{i},home,{1 + i % 12:02d}/05/2024 09:00\n" for i in range(2_500))
        + "u0,buy,25/05/2024 09:00\n", encoding="utf-8")
    assert main(["import-events", str(tmp_path / "ws.jdesk"), str(log)]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("2024-05-01 09:00:00 to 2024-05-25 09:00:00\n")
    assert "warning" not in err


def test_time_format_option(tmp_path: Path, shop: Path, capsys) -> None:
    log = tmp_path / "us_week.csv"
    log.write_text(US_WEEK, encoding="utf-8")
    before = digest(shop)
    with pytest.raises(SystemExit) as caught:
        main(["import-events", "--help"])
    assert caught.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("--time-format FORMAT how the times are written (default: detected): iso, iso_tz, "
            "epoch_s, epoch_ms, epoch_us, a date order such as MM/DD/YYYY") in help_text
    assert "'%m/%d/%Y %H:%M'" in help_text

    assert main(["import-events", str(shop), str(log), "--time-format", "month-first"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "journeydesk: error: --time-format: time format 'month-first' is not one of iso, "
        "iso_tz, epoch_s, epoch_ms, epoch_us, a date order such as MM/DD/YYYY or a strptime "
        "format such as %d/%m/%Y %H:%M")
    assert "Traceback" not in err
    assert digest(shop) == before

    # a format the values do not fit: every row is a bad timestamp, nothing written
    assert main(["import-events", str(shop), str(log), "--time-format", "%m/%d/%Y"]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        "  bad timestamp: 100 (lines 2, 3, 4, 5, 6, ...; expected %m/%d/%Y)")
    assert digest(shop) == before

    epochs = tmp_path / "epochs.csv"
    epochs.write_text("user_id,event,timestamp\nu1,home,1714557600000\n", encoding="utf-8")
    # milliseconds read as microseconds would be 1970-01-20: before 1973, a bad timestamp
    assert main(["import-events", str(shop), str(epochs), "--time-format", "epoch_us"]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        "  bad timestamp: 1 (line 2; expected Unix epoch microseconds)")
    assert digest(shop) == before
