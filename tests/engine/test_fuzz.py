"""A bounded run of the differential fuzzer (scripts/fuzz.py): 100 hostile trees of a fixed
seed built by the engine and by kubectl; every outcome must agree, and the bytes on success.
The long run (5,000+ trees) and its figures are in docs/reliability.md."""
import os
import sys
import shutil

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# imported by name from scripts/ (on sys.path, which spawned workers inherit), so that the
# worker pool can pickle fuzz.engine_build
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import fuzz  # noqa: E402


def _need_kubectl():
    if shutil.which("kubectl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI")
        pytest.skip("kubectl not on PATH (it bundles the reference kustomize)")


def test_trees_are_reproducible():
    assert fuzz.make_tree(7, 3) == fuzz.make_tree(7, 3)
    assert fuzz.make_tree(7, 3) != fuzz.make_tree(7, 4)


def test_the_verdicts_can_fail():
    assert fuzz.classify(("ok", "a"), ("ok", "a")) == "agree-ok"
    assert fuzz.classify(("ok", "a"), ("ok", "b")) == "output"
    assert fuzz.classify(("ok", "a"), ("error", "e")) == "engine-refuses"
    assert fuzz.classify(("error", "e"), ("ok", "a")) == "engine-accepts"
    assert fuzz.classify(("error", "e"), ("crash", "TypeError")) == "crash"
    assert fuzz.classify(("ok", "a"), ("hang", "")) == "hang"
    assert fuzz.classify(("panic", "p"), ("ok", "a")) in fuzz.FINDINGS


def test_a_hostile_mix_is_generated():
    """The trees cover what the fuzzer promises: wrong types, damaged YAML, symlinks,
    deep nesting, overlays, and many kustomization fields."""
    seen = set()
    for i in range(300):
        files, build = fuzz.make_tree(1, i)
        text = "".join(c for c in files.values() if isinstance(c, str))
        seen.update(f for f in fuzz.FIELD_MAKERS if f + ":" in text)
        if any(isinstance(c, tuple) for c in files.values()):
            seen.add("symlink")
        if "[{k: [{k:" in text:
            seen.add("deep")
        if build.endswith("overlay"):
            seen.add("overlay")
    assert {"symlink", "deep", "overlay", "patches", "configMapGenerator", "replacements",
            "images", "openapi", "crds", "configurations"} <= seen


def test_bounded_run_agrees_with_kubectl(tmp_path):
    _need_kubectl()
    summary = fuzz.run(100, seed=11, jobs=2, timeout=60, keep=str(tmp_path))
    assert summary["trees"] == 100
    assert summary["counts"].get("agree-ok", 0) >= 20        # bytes really compared
    assert not summary["findings"], "\n".join(
        "tree %(index)s: %(verdict)s\n  kubectl %(kubectl)s\n  engine  %(engine)s" % f
        for f in summary["findings"])
