"""The two-proportion z-test behind "Compare segments": known values and the verdicts."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from journeydesk.app.significance import (
    CHANCE,
    REAL,
    TOO_FEW,
    StageTest,
    compare_stages,
    two_proportion_test,
)


def test_known_values() -> None:
    # 45/100 against 30/100: pooled p = 0.375, z = 0.15 / sqrt(0.375 * 0.625 * 0.02) = 2.1909,
    # two-sided p = 0.02846 (a textbook example; tables of the normal distribution agree)
    p_value, verdict = two_proportion_test(45, 100, 30, 100)
    assert p_value == pytest.approx(0.028460, abs=1e-6)
    assert verdict == REAL
    # the same proportions with ten times fewer users: far from significant, and too few
    p_value, verdict = two_proportion_test(9, 20, 6, 20)
    assert p_value == pytest.approx(math.erfc(0.9798 / math.sqrt(2)), abs=1e-4)
    assert p_value == pytest.approx(0.3272, abs=1e-4)
    assert verdict == TOO_FEW
    # 52/100 against 48/100: z = 0.5657, p = 0.5716
    p_value, verdict = two_proportion_test(52, 100, 48, 100)
    assert p_value == pytest.approx(0.571608, abs=1e-6)
    assert verdict == CHANCE
    # the example: 55 of 167 who started in March against 8 of 269 in "March"
    p_value, verdict = two_proportion_test(55, 167, 8, 269)
    assert p_value < 1e-15 and verdict == REAL


def test_the_p_value_is_symmetric_and_z_196_is_005() -> None:
    assert two_proportion_test(45, 100, 30, 100)[0] == two_proportion_test(30, 100, 45, 100)[0]
    # a pair with |z| just above and just below 1.96 falls on either side of 0.05
    above = two_proportion_test(60, 200, 42, 200)  # z = 2.0649, p = 0.0389
    below = two_proportion_test(60, 200, 44, 200)  # z = 1.8238, p = 0.0682
    assert above[0] < 0.05 < below[0]
    assert (above[1], below[1]) == (REAL, CHANCE)


def test_edge_cases() -> None:
    assert two_proportion_test(0, 40, 0, 50) == (1.0, CHANCE)  # both 0 %: no difference
    assert two_proportion_test(40, 40, 50, 50) == (1.0, CHANCE)  # both 100 %
    assert two_proportion_test(0, 0, 5, 50) == (None, TOO_FEW)  # no proportion at all
    # 29 users in one group is too few, whatever the p-value
    p_value, verdict = two_proportion_test(29, 29, 0, 1000)
    assert p_value is not None and p_value < 1e-10 and verdict == TOO_FEW
    assert two_proportion_test(30, 30, 0, 30)[1] == REAL  # 30 is enough
    with pytest.raises(ValueError):
        two_proportion_test(11, 10, 1, 10)
    with pytest.raises(ValueError):
        two_proportion_test(-1, 10, 1, 10)


class _Stage:
    def __init__(self, stage: str, users: int | None):
        self.stage, self.users = stage, users


class _Funnel:
    def __init__(self, *users: int | None):
        self.stages = [_Stage(name, n) for name, n in zip("ABCD", users, strict=False)]


def test_compare_stages_tests_each_stage_against_the_previous_bound_one() -> None:
    tests = compare_stages(_Funnel(200, None, 90, 30), _Funnel(300, None, 100, 80))
    assert tests[0] is None and tests[1] is None  # the first bound stage, an unbound stage
    third = tests[2]
    assert isinstance(third, StageTest)
    assert (third.stage, third.x1, third.n1, third.x2, third.n2) == ("C", 90, 200, 100, 300)
    assert third.rate1 == pytest.approx(0.45) and third.rate2 == pytest.approx(1 / 3)
    assert (third.p_value, third.verdict) == two_proportion_test(90, 200, 100, 300)
    assert third.real
    fourth = tests[3]
    assert (fourth.x1, fourth.n1, fourth.x2, fourth.n2) == (30, 90, 80, 100)
    with pytest.raises(ValueError):
        compare_stages(_Funnel(1, 2), _Funnel(1, 2, 3))


def test_the_module_is_plain_python() -> None:
    code = ("import sys, journeydesk.app.significance; "
            "print(sorted(m for m in ('PySide6', 'duckdb', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
