"""Glob bindings: ``*`` and ``?`` only, every other character literal, in Python and in SQL."""

from __future__ import annotations

import fnmatch
import tempfile
from pathlib import Path

import funnel_reference as ref
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeydesk.analytics import engine
from journeydesk.analytics.funnel import users_at_stage
from journeydesk.analytics.patterns import is_pattern, like_pattern, matches

ALPHABET = ["a", "b", "A", "%", "_", "[", "]", "\\", "!", "é", "\n", "/", "'"]
names = st.text(st.sampled_from(ALPHABET), max_size=5)
patterns = st.text(st.sampled_from([*ALPHABET, "*", "?"]), max_size=5)


def test_what_is_a_pattern() -> None:
    assert is_pattern("checkout/*") and is_pattern("a?c")
    assert not is_pattern("checkout/[x]") and not is_pattern("50%_off")
    assert like_pattern("50%_off\\*?") == "50\\%\\_off\\\\%_"
    assert [n for n in ["home", "checkout/", "Checkout/x", "checkout", "checkout/a/b"]
            if matches("checkout/*", n)] == ["checkout/", "checkout/a/b"]


@settings(max_examples=500, deadline=None)
@given(pattern=patterns, name=names)
def test_matches_like_fnmatchcase_without_brackets(pattern: str, name: str) -> None:
    assert matches(pattern, name) == (bool(ref.glob_regex(pattern).fullmatch(name))
                                      if is_pattern(pattern) else pattern == name)
    if "[" not in pattern:
        assert matches(pattern, name) == fnmatch.fnmatchcase(name, pattern)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="journeydesk-glob-") as tmp:
        yield Path(tmp)


@settings(max_examples=60, deadline=None)
@given(pattern=patterns.filter(bool), event_names=st.lists(names, min_size=1, max_size=8))
def test_the_engine_matches_as_python_does(folder: Path, pattern: str,
                                           event_names: list[str]) -> None:
    path = folder / "events.parquet"
    con = engine.connect(folder)
    try:
        con.execute("CREATE OR REPLACE TABLE t (\"user\" VARCHAR, event VARCHAR, ts TIMESTAMP)")
        con.executemany("INSERT INTO t VALUES (?, ?, TIMESTAMP '2024-05-01 10:00:00')",
                        [(f"u{i}", n) for i, n in enumerate(event_names)])
        con.execute(f"COPY t TO {engine.literal(str(path))} (FORMAT parquet)")
    finally:
        con.close()
    found = users_at_stage(path, [("S", [pattern])], 0)
    assert found == sorted(f"u{i}" for i, n in enumerate(event_names) if matches(pattern, n))
