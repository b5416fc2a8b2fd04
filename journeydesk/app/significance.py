"""Is a difference in conversion between two groups real?  A two-proportion z-test.

Two groups of users (two segments, or a breakdown value against the rest) are compared stage
by stage on the conversion from the previous bound stage: for each group x / n, x = its users
of the stage and n = its users of the previous bound stage.  The test is two-sided with the
pooled proportion p = (x1 + x2) / (n1 + n2)::

    z = (x1/n1 - x2/n2) / sqrt(p (1 - p) (1/n1 + 1/n2))        p-value = erfc(|z| / sqrt 2)

(``erfc(|z| / sqrt 2)`` is ``2 * (1 - Phi(|z|))``: no statistics package is needed).  When
both proportions are 0, or both 1, there is no difference and the p-value is 1; when a group
has n = 0 there is no proportion and no p-value.  The verdict people read:

- ``too few users (< 30)`` when either n is below 30 (the normal approximation is poor there);
- else ``difference is real (p < 0.05)`` when the p-value is below 0.05;
- else ``could be chance``.

Plain Python (no Qt, no engine): the dock, the command line and exports can all say it the
same way.  The first bound stage has nothing before it and gets no test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ALPHA", "CHANCE", "MIN_USERS", "REAL", "TOO_FEW", "StageTest", "compare_stages",
           "two_proportion_test"]

ALPHA = 0.05
MIN_USERS = 30
REAL = "difference is real (p < 0.05)"
CHANCE = "could be chance"
TOO_FEW = "too few users (< 30)"


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, str]:
    """The two-sided p-value of x1/n1 against x2/n2 (None when a group has n = 0) and the
    verdict (:data:`REAL`, :data:`CHANCE` or :data:`TOO_FEW`).

    ValueError for counts that are not proportions (negative, or x > n).
    """
    for x, n in ((x1, n1), (x2, n2)):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"{x} of {n} is not a proportion")
    p_value: float | None
    if n1 == 0 or n2 == 0:
        p_value = None
    else:
        pooled = (x1 + x2) / (n1 + n2)
        spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        if spread <= 0:  # both 0 % or both 100 %: the same, nothing to test
            p_value = 1.0
        else:
            z = (x1 / n1 - x2 / n2) / math.sqrt(spread)
            p_value = math.erfc(abs(z) / math.sqrt(2))
    if min(n1, n2) < MIN_USERS or p_value is None:
        return p_value, TOO_FEW
    return p_value, REAL if p_value < ALPHA else CHANCE


@dataclass(frozen=True)
class StageTest:
    """One stage of two funnels compared: each group's users x of n (the previous stage's)."""

    stage: str
    x1: int
    n1: int
    x2: int
    n2: int
    p_value: float | None
    verdict: str

    @property
    def rate1(self) -> float | None:
        """The first group's conversion from the previous stage (None when n1 is 0)."""
        return self.x1 / self.n1 if self.n1 else None

    @property
    def rate2(self) -> float | None:
        """The second group's conversion from the previous stage (None when n2 is 0)."""
        return self.x2 / self.n2 if self.n2 else None

    @property
    def real(self) -> bool:
        """Whether the verdict is that the difference is real."""
        return self.verdict == REAL


def compare_stages(first: Any, second: Any) -> list[StageTest | None]:
    """Each stage of two funnels of the same stages (anything with ``.stages`` whose items
    have ``.stage`` and ``.users``, as a FunnelResult) compared: one entry per stage, None
    for unbound stages and the first bound stage."""
    a: Sequence[Any] = first.stages
    b: Sequence[Any] = second.stages
    if [s.stage for s in a] != [s.stage for s in b]:
        raise ValueError("the two funnels do not have the same stages")
    tests: list[StageTest | None] = []
    previous: tuple[int, int] | None = None
    for one, other in zip(a, b, strict=True):
        if one.users is None or other.users is None:
            tests.append(None)
            continue
        if previous is None:
            tests.append(None)
        else:
            n1, n2 = previous
            x1, x2 = min(one.users, n1), min(other.users, n2)
            p_value, verdict = two_proportion_test(x1, n1, x2, n2)
            tests.append(StageTest(one.stage, x1, n1, x2, n2, p_value, verdict))
        previous = (one.users, other.users)
    return tests
