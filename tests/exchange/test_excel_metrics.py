"""The Excel Metrics sheet honours the metrics options (period, window, segment, breakdown) the
overlay and ``metrics --json`` use, and names them in a caption above the numbers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from journeydesk.app.metrics import MetricsOptions
from journeydesk.cli import main
from journeydesk.exchange.excel_print import metrics_caption

MAP = {
    "format": "journeydesk.map", "version": 1, "name": "Shop",
    "stages": [{"name": "Visit"}, {"name": "Sign up"}, {"name": "Buy"}],
    "lanes": [{"name": "Doing", "type": "actions"}],
    "cards": [],
}
PLATFORM = {"u1": "ios", "u2": "web", "u3": "ios", "u4": "web", "u5": "ios"}
LOG = [
    ("u1", "home", "2024-05-01 10:00:00"), ("u1", "signup", "2024-05-01 10:10:00"),
    ("u1", "buy", "2024-05-01 11:10:00"), ("u2", "home", "2024-05-01 09:00:00"),
    ("u2", "signup", "2024-05-01 09:05:00"), ("u2", "buy", "2024-05-03 09:00:00"),
    ("u3", "home", "2024-05-02 09:00:00"), ("u3", "signup", "2024-05-02 09:30:00"),
    ("u4", "home", "2024-05-02 10:00:00"), ("u5", "home", "2024-05-09 10:00:00"),
    ("u5", "signup", "2024-05-09 10:01:00"), ("u5", "buy", "2024-05-09 10:02:00"),
]
CSV = "visitor_id,event,timestamp,platform\n" + "".join(
    f"{u},{e},{t},{PLATFORM[u]}\n" for u, e, t in LOG)
OPTIONS = ["--from", "2024-05-01", "--to", "2024-05-02", "--window", "1d", "--where",
           "platform=ios"]


@pytest.fixture
def bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workspace with the Shop map bound to the web dataset."""
    map_file = tmp_path / "shop.json"
    map_file.write_text(json.dumps(MAP), encoding="utf-8")
    events = tmp_path / "web.csv"
    events.write_text(CSV, encoding="utf-8")
    ws = tmp_path / "ws.jdesk"
    assert main(["import-map", str(ws), str(map_file)]) == 0
    assert main(["import-events", str(ws), str(events)]) == 0
    for stage, names in (("Visit", "home"), ("Sign up", "signup"), ("Buy", "buy")):
        assert main(["bind", str(ws), "--map", "Shop", "--stage", stage,
                     "--events", names]) == 0
    capsys.readouterr()
    return ws


def metrics_json(ws: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["metrics", str(ws), "--map", "Shop", "--dataset", "web", "--json",
                 *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_with_options_has_the_numbers_of_metrics_json_and_names_them(
        bound: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = metrics_json(bound, capsys, *OPTIONS, "--breakdown", "platform")
    everybody = metrics_json(bound, capsys)
    assert expected["stages"] != everybody["stages"]  # the options change the numbers
    out = tmp_path / "shop.xlsx"
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", *OPTIONS,
                 "--breakdown", "platform", "-o", str(out)]) == 0

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Metrics").to_python(
        skip_empty_area=False)
    caption = rows[0][0]
    options = MetricsOptions.make(date(2024, 5, 1), date(2024, 5, 2), {"platform": "ios"},
                                  86400.0)
    # The caption words the options as the overlay does (MetricsOptions' own texts).
    assert caption == metrics_caption(expected)
    for words in (options.dates_text(), options.window_text(), options.segment_text(),
                  "Dataset: web", "breakdown by platform",
                  f"users in scope: {expected['users_total']}"):
        assert words in caption, words
    assert rows[2][:6] == ["stage", "users", "conversion from previous",
                           "conversion from first", "dropped", "median seconds from previous"]
    table = [[v if v != "" else None for v in row[:6]] for row in rows[3:6]]
    assert table == [[s["stage"], s["users"], s["conversion_from_previous"],
                      s["conversion_from_first"], s["dropped"],
                      s["median_seconds_from_previous"]] for s in expected["stages"]]

    # The breakdown: one funnel per platform, below the table.
    parts = {p["value"]: p for p in expected["breakdown"]}
    by_value = [row for row in rows[6:] if row[0] in parts]
    assert {row[0] for row in by_value} == set(parts)
    for row in by_value:
        stage = next(s for s in parts[row[0]]["stages"] if s["stage"] == row[1])
        assert (row[2] if row[2] != "" else None) == stage["users"]

    sheet = openpyxl.load_workbook(out)["Metrics"]
    assert sheet.print_title_rows == "$3:$3"
    assert sheet["C5"].number_format == "0.0%"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames.index("Funnel chart") == book.sheetnames.index("Metrics") + 1


def test_export_without_options_says_so(bound: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.xlsx"
    assert main(["export", str(bound), "--map", "Shop", "--dataset", "web", "-o",
                 str(out)]) == 0
    caption = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Metrics").to_python()[0][0]
    assert caption.startswith("Dataset: web · period: all time · window: unlimited · "
                              "segment: all users")


def test_breakdown_and_options_need_a_dataset(bound: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.xlsx"
    assert main(["export", str(bound), "--map", "Shop", "--breakdown", "platform", "-o",
                 str(out)]) == 2
    assert "apply with --dataset" in capsys.readouterr().err


def test_caption_of_the_overlays_form() -> None:
    """What the app passes while the overlay is on: MapMetrics.to_json() of its options."""
    options = MetricsOptions.make(date(2026, 9, 1), None, {"plan": "pro", "country": "fr"},
                                  12 * 3600.0)
    caption = metrics_caption({"dataset": "events", "definition": options.definition(),
                               "users_total": 1234, "stages": []})
    assert caption == ("Dataset: events · period: 2026-09-01 to … · window: within 12h · "
                       "segment: country = fr, plan = pro · users in scope: 1,234")
    assert options.dates_text() in caption and options.window_text() in caption
    assert options.segment_text() in caption
