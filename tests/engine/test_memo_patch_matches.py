"""A base shared through engine.memo replays what its patches matched: the second overlay
that reuses the memoised base still reports the base's patch that selected nothing."""
import subprocess

import pytest

import pytest_kustomize
from pytest_kustomize.engine.memo import AccumulationMemo
from pytest_kustomize.policy import check_patches_matched


def _tree(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    (base / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
                                  "data:\n  a: '1'\n")
    (base / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap, name: ap}\n"
        "  patch: |-\n    - op: add\n      path: /data/b\n      value: '2'\n")
    for name in ("one", "two"):
        d = tmp_path / name
        d.mkdir()
        (d / "kustomization.yaml").write_text("resources: [../base]\nnamePrefix: %s-\n" % name)
    return tmp_path


def test_memoised_base_keeps_its_patch_matches(tmp_path):
    root = _tree(tmp_path)
    memo = AccumulationMemo()
    outs = [pytest_kustomize.build(root / n, memo=memo) for n in ("one", "two")]
    assert memo.hits == 1                       # the second overlay reused the base
    for n, out in zip(("one", "two"), outs):
        fresh = pytest_kustomize.build(root / n)
        assert out.to_yaml() == fresh.to_yaml()
        kubectl = subprocess.run(["kubectl", "kustomize", str(root / n)], capture_output=True,
                                 text=True, check=True).stdout
        assert out.to_yaml() == kubectl        # kubectl renders the unmatched patch silently
        with pytest.raises(AssertionError, match=r"base/kustomization.yaml: patches\[0\]"):
            check_patches_matched(out)
