"""flate (home-operations/flate v0.6.5, the Go successor of flux-local) as a second reference
for whole trees: every object of the shop's cluster trees, as flate renders them."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from pytest_kustomize.flux import yamlv2
from pytest_kustomize.flux.tree import build_tree
from pytest_kustomize.tools import require_tool

SHOP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples", "shop")


def _key(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace", ""), meta.get("name"))


@pytest.mark.parametrize("env", ["staging", "production"])
def test_shop_tree_objects_match_flate(env, tmp_path):
    flate = require_tool("flate")
    repo = str(tmp_path / "shop")
    shutil.copytree(SHOP, repo)
    for argv in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x"]):
        subprocess.run(["git", *argv], cwd=repo, check=True, capture_output=True)
    proc = subprocess.run([flate, "build", "ks", "--no-progress", "-p", "clusters/" + env,
                           "--skip-secrets=false", "--skip-crds=false",
                           "--cache-dir", str(tmp_path / "cache")],
                          cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    theirs = {_key(o): o for o in yamlv2.load_documents(proc.stdout)}
    tree = build_tree(os.path.join(repo, "clusters", env), repo, strict=True)
    ours = {_key(r.data): r.data for b in tree.builds.values() for r in b.resources}
    assert sorted(ours, key=str) == sorted(theirs, key=str)
    different = [k for k in ours if ours[k] != theirs[k]]
    assert not different, different
