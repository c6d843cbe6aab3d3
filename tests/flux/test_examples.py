"""examples/shop/clusters: the tree equals the Go oracle's recursive build, byte for byte."""
from __future__ import annotations

import os
import subprocess

import pytest

from pytest_kustomize.flux.tree import build_tree
from pytest_kustomize.tools import require_tool

SHOP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples", "shop")


@pytest.mark.parametrize("env", ["staging", "production"])
def test_shop_cluster_tree_matches_the_oracle(env):
    exe = require_tool("flux-build")
    cluster = os.path.join(SHOP, "clusters", env)
    ref = subprocess.run(
        [exe, "build", "flux-system", "--path", cluster, "--root", SHOP,
         "--kustomization-file", os.path.join(cluster, "flux-system", "gotk-sync.yaml"),
         "--sources", os.path.join(cluster, "cluster-vars.yaml"), "--strict-substitute",
         "--recursive", "--local-sources", "GitRepository/flux-system/flux-system=" + SHOP],
        capture_output=True, text=True, timeout=120)
    assert ref.returncode == 0, ref.stderr
    tree = build_tree(cluster, SHOP, strict=True)
    assert not tree.errors and not tree.problems
    assert "".join(b.to_yaml() for b in tree.builds.values()) == ref.stdout
