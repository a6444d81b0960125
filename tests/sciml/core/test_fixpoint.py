"""sciml.core.fixpoint.settle: the loop rules' fix-point settles on monotone updates and refuses others."""
import pytest

from sciml.core.fixpoint import settle


def test_a_monotone_update_settles_on_its_least_fix_point():
    # carry i is perturbed once carry i - 1 is: the flag spreads one place a round
    spread = lambda f: [f[0]] + [a or b for a, b in zip(f[1:], f[:-1])]  # noqa: E731
    assert settle(spread, [True, False, False, False], "spread") == [True] * 4
    assert settle(spread, [False] * 4, "spread") == [False] * 4


def test_an_update_that_never_settles_is_an_error_naming_it():
    with pytest.raises(RuntimeError, match="^flip: the fix-point over 3 carries did not settle"):
        settle(lambda f: [not x for x in f], [True, False, True], "flip")
