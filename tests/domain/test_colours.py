"""The shared colour table and its rules, without Qt (the canvas and the exports read them)."""

from __future__ import annotations

import random

from journeydesk.domain.colours import (
    AVATAR_COLOURS,
    LANE_COLOURS,
    MIN_CONTRAST,
    THEME_COLOURS,
    avatar_colour,
    card_accent,
    card_tint,
    contrast_ratio,
    curve_colours,
    severity_fill,
)
from journeydesk.domain.model import LaneType


def test_every_lane_type_has_a_look_in_both_themes() -> None:
    for theme in ("light", "dark"):
        assert set(LANE_COLOURS[theme]) == set(LaneType)
        assert set(THEME_COLOURS[theme]) >= {"text", "muted_text", "header_fill", "grid"}


def test_tints_keep_text_legible_and_match_what_the_canvas_painted() -> None:
    # values the canvas computed with QColor before the table moved here
    assert card_tint("light", "#cf3b35") == "#f6dcdb"
    assert card_accent("light", "#c99a00") == "#795c00"
    rng = random.Random(7)
    for theme in ("light", "dark"):
        text, muted = THEME_COLOURS[theme]["text"], THEME_COLOURS[theme]["muted_text"]
        for colour in [f"#{rng.randrange(1 << 24):06x}" for _ in range(200)]:
            fill = card_tint(theme, colour)
            assert min(contrast_ratio(fill, text), contrast_ratio(fill, muted)) >= MIN_CONTRAST
            assert contrast_ratio(card_accent(theme, colour), fill) >= MIN_CONTRAST


def test_severity_reddens_a_pain_point() -> None:
    look = LANE_COLOURS["light"][LaneType.PAIN_POINTS]
    assert severity_fill(look.fill, look.accent, 1) == look.fill
    assert severity_fill(look.fill, look.accent, 5) != look.fill


def test_curves_get_their_personas_colours_never_two_alike() -> None:
    names = {"a": "Maria", "b": "Maria", "c": "Tom"}
    colours = curve_colours(["a", "b", "c", None, "gone"], names, "#5b6577")
    assert colours["a"] == avatar_colour("Maria") and colours["a"] in AVATAR_COLOURS
    assert colours["b"] != colours["a"]  # the same name: the next free colour
    assert colours[None] == colours["gone"] == "#5b6577"
