"""The native walks (engine/_walk.c) against their Python references in paths.py,
transformers/images.py and Resource.id: the same calls in the same order, the same
creations, the same errors, on random trees and random field specs."""
import copy
import random

import pytest

from pytest_kustomize.engine import paths
from pytest_kustomize.engine.resource import Resource
from pytest_kustomize.engine.transformers import images
from pytest_kustomize.errors import TransformerError

NATIVE = paths.NATIVE_WALK
pytestmark = pytest.mark.skipif(NATIVE is None, reason="engine/_walk.c is not built here "
                                "(no compiler, or PYTEST_KUSTOMIZE_NATIVE=0): the Python "
                                "walks are the only ones in use")

NAMES = ["a", "b", "c", "containers", "initContainers", "image", ""]


def _tree(rng, depth=0):
    r = rng.random()
    if depth > 4 or r < 0.2:
        return rng.choice([None, "x", 1, True, 2.5, ""])
    if r < 0.55:
        return [_tree(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(NAMES): _tree(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _parts(rng):
    return [rng.choice(NAMES) + ("[]" if rng.random() < 0.25 else "")
            for _ in range(rng.randint(0, 4))]


def _run(walk, tree, parts, create, kind):
    """What a walk did: its calls (container snapshot, key) and the tree afterwards, or the
    error it raised."""
    calls = []

    def fn(container, key):
        calls.append((repr(container), repr(key), type(container).__name__))
        if isinstance(container, dict) and key == "b":
            container[key] = "set"          # a transformer writing as it walks
    try:
        walk(tree, parts, fn, create, kind)
    except TransformerError as e:
        return ("error", str(e), calls, repr(tree))
    return ("ok", calls, repr(tree))


@pytest.mark.parametrize("seed", range(40))
def test_walk_spec_matches_python(seed):
    rng = random.Random(seed)
    for _ in range(150):
        tree = _tree(rng)
        parts = _parts(rng)
        create = rng.random() < 0.5
        kind = rng.choice([None, paths.SCALAR, paths.MAP, paths.SEQ])
        want = _run(paths.walk_spec_py, copy.deepcopy(tree), parts, create, kind)
        got = _run(NATIVE.walk_spec, copy.deepcopy(tree), parts, create, kind)
        assert got == want, (tree, parts, create, kind)


def test_walk_spec_errors_and_tuples():
    with pytest.raises(TransformerError, match="expected sequence or mapping node"):
        NATIVE.walk_spec({"a": "text"}, ("a", "b"), lambda c, k: None)
    with pytest.raises(TransformerError, match="empty field name"):
        NATIVE.walk_spec({"a": {}}, ["a", ""], lambda c, k: None, True, paths.SCALAR)
    with pytest.raises(TypeError):
        NATIVE.walk_spec({}, [1], lambda c, k: None)
    seen = []
    NATIVE.walk_spec({"a": [{"b": 1}, {"b": 2}, {}]}, ("a", "b"),
                     lambda c, k: seen.append(c[k]))
    assert seen == [1, 2]


def test_walk_spec_callback_errors_propagate():
    def boom(c, k):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        NATIVE.walk_spec({"a": {"b": 1}}, ["a", "b"], boom)


def test_walk_spec_deep_tree_raises_recursion_error_not_crash():
    node = leaf = {}
    for _ in range(200000):
        leaf["a"] = [{}]
        leaf = leaf["a"][0]
    with pytest.raises(RecursionError):
        NATIVE.walk_spec(node, ["a"] * 200000 + ["b"], lambda c, k: None)


@pytest.mark.parametrize("seed", range(20))
def test_image_holders_match_python(seed):
    rng = random.Random(1000 + seed)
    for _ in range(200):
        tree = {"spec": _tree(rng)}
        want = images.image_holders_py(tree)
        got = NATIVE.image_holders(tree)
        assert [id(x) for x in got] == [id(x) for x in want], tree


def test_memo_id_hits_only_for_the_same_objects():
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "a", "namespace": "n"}})
    first = r.id
    assert r.id is first                        # the memo answers
    r.data["metadata"]["name"] = "b"            # a new object: the memo must miss
    assert r.id.name == "b"
    r.data["metadata"]["namespace"] = "m"
    assert r.id.namespace == "m"
    r.data["kind"] = "Secret"
    assert r.id.gvk.kind == "Secret"
    r.data["apiVersion"] = "apps/v1"
    assert r.id.gvk.group == "apps"
    del r.data["metadata"]
    assert (r.id.name, r.id.namespace) == ("", "")
    r.data["metadata"] = {"name": "c"}
    assert r.id.name == "c"
    # a memo built from other objects never answers, whatever it holds
    assert NATIVE.memo_id(r.data, ("v1", "Secret", "c", None, "x")) is None
    assert NATIVE.memo_id(r.data, ()) is None
    assert NATIVE.memo_id("not a dict", (1, 2, 3, 4, 5)) is None
