"""The opportunity portfolio: listing, filters, sorting, the priority rule and the exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeydesk.app.portfolio import (
    SHEET_COLUMNS,
    TRACKER_COLUMNS,
    export_portfolio,
    filter_opportunities,
    list_opportunities,
    priority_label,
    priority_score,
    sort_opportunities,
    tracker_row,
)
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage, Workspace


def portfolio_workspace() -> Workspace:
    """Two maps with opportunities (one addressing a pain point) and other cards."""
    ws = Workspace()
    for name, texts in (("Renewal", [("Remind before expiry", 4, 2, "planned", "Ana"),
                                     ("=HYPERLINK(\"x\")", None, None, None, None)]),
                        ("Onboarding", [("Shorter form\nwith details", 5, 1, "in_progress",
                                         "Bo"),
                                        ("Rebuild the app", 2, 5, "done", "ana"),
                                        ("Chat help", 3, 3, "idea", None)])):
        stages = [Stage(name="Sign up"), Stage(name="Use it")]
        pains = Lane(name="Pains", type=LaneType.PAIN_POINTS)
        opps = Lane(name="Ideas", type=LaneType.OPPORTUNITIES)
        m = JourneyMap(name=name, stages=stages, lanes=[pains, opps])
        pain = Card(stages[0].steps[0].id, pains.id, "Form too long")
        m.cards[pain.id] = pain
        for i, (text, value, effort, status, owner) in enumerate(texts):
            card = Card(stages[i % 2].steps[0].id, opps.id, text, position=i // 2,
                        value=value, effort=effort, status=status, owner=owner,
                        tags=["quick win"] if value == 5 else [])
            if i == 0:
                card.addresses = [pain.id]
            m.cards[card.id] = card
        ws.maps[m.id] = m
    return ws


def test_lists_every_opportunity_with_its_map_stage_and_addressed_pain_points() -> None:
    items = list_opportunities(portfolio_workspace())
    assert [(o.map_name, o.text.splitlines()[0]) for o in items] == [
        ("Onboarding", "Shorter form"), ("Onboarding", "Chat help"),
        ("Onboarding", "Rebuild the app"), ("Renewal", "Remind before expiry"),
        ("Renewal", '=HYPERLINK("x")')]
    first = items[0]
    assert (first.stage, first.value, first.effort, first.status, first.owner) == (
        "Sign up", 5, 1, "in_progress", "Bo")
    assert first.addresses == ("Form too long",)
    assert first.evidence == "assumed"
    assert items[1].stage == "Sign up" and items[2].stage == "Use it"


def test_filters_by_map_status_owner_and_text() -> None:
    items = list_opportunities(portfolio_workspace())
    assert {o.text for o in filter_opportunities(items, map_name="Renewal")} == {
        "Remind before expiry", '=HYPERLINK("x")'}
    assert [o.text for o in filter_opportunities(items, status="done")] == ["Rebuild the app"]
    assert {o.text for o in filter_opportunities(items, owner="ANA")} == {
        "Remind before expiry", "Rebuild the app"}
    assert {o.text for o in filter_opportunities(items, text="form too")} == {
        "Shorter form\nwith details", "Remind before expiry"}  # its pain point matches
    assert filter_opportunities(items, map_name="Renewal", status="planned", owner="ana",
                                text="remind")[0].text == "Remind before expiry"
    with pytest.raises(ValueError, match="unknown status"):
        filter_opportunities(items, status="later")


def test_status_none_keeps_the_opportunities_without_a_status() -> None:
    items = list_opportunities(portfolio_workspace())
    assert [o.text for o in filter_opportunities(items, status="none")] == ['=HYPERLINK("x")']


def test_priority_rule_counts_value_double() -> None:
    assert priority_score(5, 1) == 9 and priority_score(1, 5) == -3
    assert priority_score(None, 3) is None
    assert [priority_label(v, e) for v, e in ((5, 1), (4, 1), (5, 5), (3, 2), (3, 3), (2, 2),
                                               (1, 1), (2, 4), (2, 5), (1, 5))] == [
        "Highest", "Highest", "High", "High", "Medium", "Medium", "Low", "Low", "Lowest",
        "Lowest"]
    assert priority_label(3, None) == ""


def test_sorts_by_priority_value_effort_status_and_owner() -> None:
    items = list_opportunities(portfolio_workspace())

    def texts(key: str) -> list[str]:
        return [o.text.splitlines()[0] for o in sort_opportunities(items, key)]

    assert texts("priority") == ["Shorter form", "Remind before expiry", "Chat help",
                                 "Rebuild the app", '=HYPERLINK("x")']  # unscored last
    assert texts("value")[0] == "Shorter form" and texts("value")[-1] == '=HYPERLINK("x")'
    assert texts("effort")[:2] == ["Shorter form", "Remind before expiry"]
    assert texts("status") == ["Chat help", "Remind before expiry", "Shorter form",
                               "Rebuild the app", '=HYPERLINK("x")']
    assert texts("owner")[-2:] == ["Chat help", '=HYPERLINK("x")']
    assert texts("map") == [o.text.splitlines()[0] for o in items]
    with pytest.raises(ValueError, match="unknown sort key"):
        sort_opportunities(items, "size")


def test_tracker_row_has_summary_description_priority_labels_status() -> None:
    items = list_opportunities(portfolio_workspace())
    summary, description, priority, labels, status = tracker_row(items[0])
    assert summary == "Shorter form"
    assert "Shorter form\nwith details" in description
    assert "Journey map: Onboarding" in description and "Stage: Sign up" in description
    assert "- Form too long" in description and "Value 5/5, effort 1/5" in description
    assert priority == "Highest"
    assert labels == "Onboarding Sign_up quick_win"
    assert status == "In Progress"
    long = items[1].__class__(**{**items[1].__dict__, "text": "x" * 400})
    assert len(long.summary) == 255


def test_csv_export_has_the_tracker_columns_and_no_live_formulas(tmp_path: Path) -> None:
    items = list_opportunities(portfolio_workspace())
    out = export_portfolio(items, tmp_path / "opportunities.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, as Excel wants
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == TRACKER_COLUMNS
    assert len(rows) == 6
    by_summary = {row[0]: row for row in rows[1:]}
    assert by_summary["'=HYPERLINK(\"x\")"][4] == "To Do"  # guarded: shown as text
    assert by_summary["Rebuild the app"][2:] == ["Lowest", "Onboarding Use_it", "Done"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert not list(tmp_path.glob(".*"))  # written atomically, no temporary left


def test_excel_export_has_an_opportunities_sheet_with_text_cells(tmp_path: Path) -> None:
    items = list_opportunities(portfolio_workspace())
    out = export_portfolio(items, tmp_path / "opportunities.xlsx")
    sheet = load_workbook(out)["Opportunities"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == SHEET_COLUMNS
    assert rows[1][:8] == ("Onboarding", "Sign up", None, "Shorter form\nwith details", 5, 1,
                           9, "Highest")
    formula = next(c for c in sheet["D"] if c.value == '=HYPERLINK("x")')
    assert formula.data_type == "s"  # text, never a formula
    with pytest.raises(ValueError, match="supported formats"):
        export_portfolio(items, tmp_path / "opportunities.txt")


def test_a_priority_set_on_the_card_wins_over_the_score() -> None:
    """The card's own "High priority" badge and the tracker's Priority never disagree."""
    ws = portfolio_workspace()
    card = next(c for m in ws.maps.values() for c in m.cards.values()
                if c.text.startswith("Shorter form"))  # scores 9: Highest
    card.priority = "low"
    items = list_opportunities(ws)
    (item,) = [o for o in items if o.card_id == card.id]
    assert item.priority == "Low" and tracker_row(item)[2] == "Low"
    assert item.score == 9 and sort_opportunities(items)[0] is item  # the score still orders
