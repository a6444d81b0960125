"""core.lists: the operand-list bookkeeping of control-flow and jit rules."""
import pytest

from sciml.core.lists import merge_lists, partition_list, split_list


def test_split_list_cuts_consecutive_pieces_and_keeps_the_rest():
    assert split_list(range(7), (2, 0, 3)) == [[0, 1], [], [2, 3, 4], [5, 6]]
    assert split_list([], ()) == [[]]


def test_partition_then_merge_gives_the_list_back():
    mask = [True, False, False, True, True]
    values = ["a", None, "c", 0, "e"]  # None and 0 are entries like any other
    chosen, others = partition_list(mask, values)
    assert (chosen, others) == (["a", 0, "e"], [None, "c"])
    assert merge_lists(mask, chosen, others) == values


def test_mismatched_lengths_are_errors():
    with pytest.raises(ValueError):
        partition_list([True], [1, 2])
    with pytest.raises(ValueError, match="places 1 and 1 entries, got 1 and 2"):
        merge_lists([True, False], [1], [2, None])
    with pytest.raises(ValueError, match="places 2 and 0 entries, got 1 and 0"):
        merge_lists([True, True], [1], [])
