"""Pytrees: flatten/unflatten round trips, registered classes, tree.map, structure equality,
broadcast_prefix, and the JAX-style names in sciml.tree_util."""
import collections
import dataclasses

import numpy as np
import pytest

import sciml
from sciml import tree, tree_util

Point = collections.namedtuple("Point", ["x", "y"])
Other = collections.namedtuple("Other", ["x", "y"])


@dataclasses.dataclass
class Params:
    w: object
    b: object


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: object
    b: object = None


class Box:
    """A class made into a container with `register`: children (lo, hi), static `name`."""

    def __init__(self, lo, hi, name):
        self.lo, self.hi, self.name = lo, hi, name

    def __eq__(self, other):
        return isinstance(other, Box) and (self.lo, self.hi, self.name) == (other.lo, other.hi, other.name)


tree.register(Box, lambda b: ((b.lo, b.hi), b.name), lambda name, children: Box(*children, name))


def equal_trees(a, b):
    la, sa = tree.flatten(a)
    lb, sb = tree.flatten(b)
    return sa == sb and len(la) == len(lb) and all(np.array_equal(x, y) for x, y in zip(la, lb))


ROUND_TRIPS = [
    pytest.param((1, 2.0, np.ones(2)), [1, 2.0, np.ones(2)], id="tuple"),
    pytest.param([1, [2, 3]], [1, 2, 3], id="nested_list"),
    pytest.param({"b": 1, "a": 2, "c": {"z": 3, "y": 4}}, [2, 1, 4, 3], id="dict_sorted_keys"),
    pytest.param(None, [], id="none"),
    pytest.param((None, 1, [None, 2]), [1, 2], id="none_inside"),
    pytest.param(Point(1, Point(2, 3)), [1, 2, 3], id="namedtuple"),
    pytest.param(Params(w=np.eye(2), b=5.0), [np.eye(2), 5.0], id="dataclass"),
    pytest.param(Frozen(a=[1, 2], b={"k": 3}), [1, 2, 3], id="frozen_dataclass"),
    pytest.param(Box(1, (2, 3), "box"), [1, 2, 3], id="registered_class"),
    pytest.param({"p": Params(w=(1, 2), b=[Point(3, 4)]), "q": (Frozen(5), None)}, [1, 2, 3, 4, 5], id="nested_mix"),
    pytest.param((), [], id="empty_tuple"),
    pytest.param({}, [], id="empty_dict"),
    pytest.param(np.arange(3), [np.arange(3)], id="array_is_leaf"),
    pytest.param("text", ["text"], id="string_is_leaf"),
]


@pytest.mark.parametrize("value, expected_leaves", ROUND_TRIPS)
def test_flatten_gives_leaves_in_order_and_unflatten_round_trips(value, expected_leaves):
    leaves, treedef = tree.flatten(value)
    assert len(leaves) == len(expected_leaves) == treedef.num_leaves
    for got, exp in zip(leaves, expected_leaves):
        assert np.array_equal(got, exp)
    rebuilt = tree.unflatten(treedef, leaves)
    assert type(rebuilt) is type(value)
    assert equal_trees(rebuilt, value)
    assert tree.structure(rebuilt) == treedef
    assert all(np.array_equal(a, b) for a, b in zip(tree.leaves(value), expected_leaves))


def test_unflatten_puts_new_leaves_in_place_and_keeps_container_types():
    value = {"p": Params(w=(1, 2), b=[Point(3, 4)]), "q": (Frozen(5), None)}
    treedef = tree.structure(value)
    out = treedef.unflatten(["a", "b", "c", "d", "e"])
    assert isinstance(out["p"], Params) and isinstance(out["p"].w, tuple) and isinstance(out["p"].b, list)
    assert out["p"].w == ("a", "b") and out["p"].b == [Point("c", "d")] and isinstance(out["p"].b[0], Point)
    assert isinstance(out["q"][0], Frozen) and out["q"][0].a == "e" and out["q"][1] is None


def test_frozen_dataclass_is_rebuilt_without_calling_setattr():
    f = tree.map(lambda v: v * 10, Frozen(a=1, b=2))
    assert f == Frozen(a=10, b=20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.a = 3


def test_dict_leaves_follow_sorted_keys_regardless_of_insertion_order():
    a = {"z": 1, "a": 2, "m": 3}
    b = {"a": 2, "m": 3, "z": 1}
    assert tree.leaves(a) == [2, 3, 1]
    assert tree.structure(a) == tree.structure(b)
    rebuilt = tree.unflatten(tree.structure(a), [20, 30, 10])
    assert rebuilt == {"a": 20, "m": 30, "z": 10}


def test_registered_class_keeps_static_aux_data():
    b = Box(np.array([0.0, 1.0]), 2.0, "unit")
    out = tree.map(lambda v: v + 1, b)
    assert isinstance(out, Box) and out.name == "unit"
    assert np.array_equal(out.lo, [1.0, 2.0]) and out.hi == 3.0
    assert tree.structure(Box(1, 2, "a")) != tree.structure(Box(1, 2, "b"))
    assert tree.structure(Box(1, 2, "a")) == tree.structure(Box(5, 6, "a"))


def test_tree_map_over_several_trees():
    a = {"x": (1, 2), "y": [3]}
    b = {"x": (10, 20), "y": [30]}
    c = {"x": (100, 200), "y": [300]}
    out = tree.map(lambda u, v, w: u + v + w, a, b, c)
    assert out == {"x": (111, 222), "y": [333]}
    assert tree.map(lambda v: v * 2, Point(1, 2)) == Point(2, 4)


def test_tree_map_with_mismatched_trees_raises():
    with pytest.raises(ValueError):
        tree.map(lambda u, v: u + v, {"x": 1}, {"y": 1})
    with pytest.raises(ValueError):
        tree.map(lambda u, v: u + v, (1, 2), (1, 2, 3))


def test_tree_map_is_leaf_stops_descent():
    value = {"pair": (1, 2), "single": 3}
    out = tree.map(lambda v: ("leaf", v) if isinstance(v, tuple) else v, value, is_leaf=lambda v: isinstance(v, tuple))
    assert out == {"pair": ("leaf", (1, 2)), "single": 3}
    assert len(tree.leaves(value, is_leaf=lambda v: isinstance(v, tuple))) == 2


@pytest.mark.parametrize("a, b", [
    pytest.param((1, 2), [1, 2], id="tuple_vs_list"),
    pytest.param(Point(1, 2), Other(1, 2), id="different_namedtuples"),
    pytest.param(Point(1, 2), (1, 2), id="namedtuple_vs_tuple"),
    pytest.param({"a": 1}, {"b": 1}, id="dict_keys"),
    pytest.param((1, (2, 3)), (1, 2, 3), id="nesting"),
    pytest.param(Params(1, 2), Frozen(1, 2), id="dataclass_types"),
    pytest.param(None, (), id="none_vs_empty_tuple"),
    pytest.param((1, None), (1, 2), id="none_vs_leaf"),
])
def test_structures_differ(a, b):
    assert tree.structure(a) != tree.structure(b)


def test_structures_equal_ignores_leaf_values_and_is_hashable():
    s1 = tree.structure({"a": (1, np.ones(3)), "b": Params(1, None)})
    s2 = tree.structure({"b": Params("x", None), "a": (2.0, "y")})
    assert s1 == s2
    assert hash(s1) == hash(s2)
    assert len({s1, s2}) == 1
    assert s1.num_leaves == 3


def test_structure_repr_shows_containers():
    r = repr(tree.structure((1, [2, 3])))
    assert "tuple" in r and "list" in r


def test_broadcast_prefix_repeats_prefix_leaves_over_subtrees():
    full = ({"a": np.ones(2), "b": (np.ones(1), np.ones(1))}, np.ones(3))
    assert tree.broadcast_prefix(0, full) == [0, 0, 0, 0]
    assert tree.broadcast_prefix((1, None), full) == [1, 1, 1, None]
    assert tree.broadcast_prefix(({"a": 0, "b": None}, 1), full) == [0, None, None, 1]
    assert tree.broadcast_prefix(({"a": 0, "b": (1, 2)}, 3), full) == [0, 1, 2, 3]


def test_broadcast_prefix_rejects_mismatched_prefix():
    full = ({"a": 1, "b": 2}, 3)
    with pytest.raises(ValueError):
        tree.broadcast_prefix(({"a": 0, "c": 1}, 0), full)
    with pytest.raises(ValueError):
        tree.broadcast_prefix((0, 0, 0), full)
    with pytest.raises(ValueError):
        tree.broadcast_prefix([0, 0], full)


def test_tree_util_names_match_tree_functions():
    value = {"a": [1, 2], "b": Point(3, None)}
    leaves, treedef = tree_util.tree_flatten(value)
    assert leaves == [1, 2, 3]
    assert tree_util.tree_leaves(value) == leaves
    assert tree_util.tree_structure(value) == treedef
    assert tree_util.tree_unflatten(treedef, [10, 20, 30]) == {"a": [10, 20], "b": Point(30, None)}
    assert tree_util.tree_map(lambda v: -v, value) == {"a": [-1, -2], "b": Point(-3, None)}
    assert isinstance(treedef, tree_util.PyTreeDef)
    assert sciml.tree_util.broadcast_prefix(0, value) == [0, 0, 0]


def test_tree_util_register_pytree_node():
    class Pair:
        def __init__(self, first, second):
            self.first, self.second = first, second

    tree_util.register_pytree_node(Pair, lambda p: ((p.first, p.second), None), lambda _, c: Pair(*c))
    leaves, treedef = tree_util.tree_flatten(Pair(1, (2, 3)))
    assert leaves == [1, 2, 3]
    out = tree_util.tree_unflatten(treedef, [4, 5, 6])
    assert isinstance(out, Pair) and out.first == 4 and out.second == (5, 6)


def test_registered_class_works_under_grad_and_vmap():
    b = Box(np.array([1.0, 2.0]), 3.0, "b")
    g = sciml.grad(lambda b: sciml.numpy.sum(b.lo ** 2) * b.hi)(b)
    assert isinstance(g, Box) and g.name == "b"
    np.testing.assert_allclose(g.lo, 2 * b.lo * 3.0)
    np.testing.assert_allclose(g.hi, 5.0)
    out = sciml.vmap(lambda b: b.lo * b.hi, in_axes=(Box(0, None, "b"),))(Box(np.ones((4, 2)), 2.0, "b"))
    np.testing.assert_allclose(out, 2 * np.ones((4, 2)))


@pytest.mark.parametrize("make", [collections.OrderedDict, lambda d: collections.defaultdict(list, d)],
                         ids=["OrderedDict", "defaultdict"])
def test_dict_subclasses_are_containers(make):
    value = make({"b": 1, "a": 2})
    leaves, treedef = tree.flatten(value)
    assert sorted(leaves) == [1, 2]
    rebuilt = tree.unflatten(treedef, leaves)
    assert type(rebuilt) is type(value) and dict(rebuilt) == {"b": 1, "a": 2}


def test_grad_over_ordered_dict_returns_ordered_dict():
    g = sciml.grad(lambda d: d["a"] * d["b"])(collections.OrderedDict(a=2.0, b=3.0))
    assert isinstance(g, collections.OrderedDict)
    np.testing.assert_allclose([g["a"], g["b"]], [3.0, 2.0])


def test_dataclass_fields_with_init_false_are_children_too():
    @dataclasses.dataclass
    class WithDerived:
        a: object
        b: object = dataclasses.field(default=0, init=False)

    d = WithDerived(1)
    d.b = 5
    assert tree.leaves(d) == [1, 5]
    out = tree.map(lambda v: v * 2, d)
    assert isinstance(out, WithDerived) and (out.a, out.b) == (2, 10)


def test_namedtuple_with_defaults_and_dataclass_subclass():
    NT = collections.namedtuple("NT", "x y", defaults=[0])
    assert tree.map(lambda v: v + 1, NT(1)) == NT(2, 1)

    @dataclasses.dataclass
    class Child(Params):
        c: object = 3

    assert tree.leaves(Child(1, 2)) == [1, 2, 3]
    assert tree.structure(Child(1, 2)) != tree.structure(Params(1, 2))


# ---- errors --------------------------------------------------------------------------------------

def test_tree_unflatten_with_wrong_number_of_leaves():
    with pytest.raises(ValueError, match=r"2 leaves.*got 1"):
        sciml.tree.unflatten(sciml.tree.structure((1, 2)), [1])


def test_tree_map_over_different_structures():
    with pytest.raises(ValueError, match=r"tuple.*list"):
        sciml.tree.map(lambda a, b: a + b, (1, 2), [1, 2])
