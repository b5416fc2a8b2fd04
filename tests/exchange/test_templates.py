"""Every shipped map template imports cleanly and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Workspace
from journeydesk.exchange.json_map import dumps_map, loads_map

TEMPLATES = sorted((Path(__file__).parents[2] / "resources" / "templates").glob("*.json"))


def test_templates_are_shipped() -> None:
    assert [p.name for p in TEMPLATES] == ["blank.json", "ecommerce-purchase.json",
                                           "membership-signup.json", "saas-trial-to-paid.json"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_template_imports_and_round_trips(path: Path) -> None:
    ws = Workspace()
    m, personas = loads_map(path.read_text(encoding="utf-8"), ws)
    AddMapCommand(m, personas).apply(ws)
    assert len(personas) == len(m.persona_ids)
    if path.stem == "blank":  # the blank template is empty on purpose
        assert not m.cards and not m.emotions and not m.persona_ids
    else:
        assert m.cards and m.emotions
    again = Workspace()
    m2, personas2 = loads_map(dumps_map(m, ws), again)
    AddMapCommand(m2, personas2).apply(again)
    assert dumps_map(m2, again) == dumps_map(m, ws)
