"""run_deep: one long-lived worker thread with a big stack runs the builds; results and
exceptions come back to the caller, nested calls run inline, the recursion limit and the
garbage collector's state are restored, and a forked child starts its own worker."""
import gc
import os
import sys
import threading

import pytest

from pytest_kustomize.engine import deep


def _nest(n):
    return 0 if n == 0 else 1 + _nest(n - 1)


def test_results_exceptions_and_the_same_worker():
    names = {deep.run_deep(lambda: threading.current_thread().name) for _ in range(5)}
    assert names == {"pytest-kustomize-build"}
    idents = {deep.run_deep(threading.get_ident) for _ in range(5)}
    assert len(idents) == 1 and idents != {threading.get_ident()}
    with pytest.raises(KeyError, match="inner"):
        deep.run_deep(lambda: {}["inner"])
    assert deep.run_deep(lambda a, b=0: a + b, 2, b=3) == 5     # the worker survived


def test_nested_calls_run_inline_and_deep_recursion_fits():
    outer = deep.run_deep(lambda: (threading.get_ident(),
                                   deep.run_deep(threading.get_ident)))
    assert outer[0] == outer[1]
    limit = sys.getrecursionlimit()
    assert deep.run_deep(_nest, 20000) == 20000       # far past the default limit
    assert sys.getrecursionlimit() == limit


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_state_is_restored(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert deep.run_deep(gc.isenabled) is False     # paused during the build
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):
            deep.run_deep(lambda: (_ for _ in ()).throw(ValueError("x")))
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == 0               # nothing left frozen
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX-only")
def test_a_forked_child_starts_its_own_worker():
    deep.run_deep(int)                                  # the parent's worker exists
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                        # the child: exit code is the answer
        try:
            ok = deep.run_deep(lambda: threading.current_thread().name) \
                == "pytest-kustomize-build"
        except BaseException:
            ok = False
        os.write(w, b"1" if ok else b"0")
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    assert os.read(r, 1) == b"1"
    os.close(r)


def _cyclic_garbage(fn) -> list:
    """The objects ``fn()`` left in reference cycles (found by a collection)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        fn()
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def test_a_build_leaves_no_reference_cycles(oracle):
    """Builds run with the collector paused, so what a build drops must be freed by
    reference counting: a cycle (an exception kept with its traceback, a closure that
    passes itself on) would keep the whole build's data alive until a full collection."""
    import pytest_kustomize
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    oracle.write({
        "base/kustomization.yaml": "resources: [deploy.yaml]\n",
        "base/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                            "spec:\n  template:\n    spec:\n      containers:\n"
                            "      - {name: app, image: nginx}\n",
        "kustomization.yaml": "resources: [base]\nnamePrefix: p-\nimages:\n- {name: nginx, "
                              "newTag: '1.27'}\npatches:\n- path: sm.yaml\n- path: json.yaml\n"
                              "  target: {kind: Deployment}\n",
        "sm.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                   "spec: {replicas: 2}\n",
        "json.yaml": "- {op: add, path: /metadata/labels, value: {a: b}}\n"})
    dirs = [oracle.root] + [os.path.join(root, "examples", *p) for p in (
        ("overlays", "production"), ("shop", "overlays", "production"))]

    def builds():
        for d in dirs:
            pytest_kustomize.build(d).to_yaml()
    builds()                                            # caches filled outside the count
    left = _cyclic_garbage(builds)
    assert left == [], sorted({type(o).__name__ for o in left})
