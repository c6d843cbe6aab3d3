"""Compare a whole Flux tree with flate (home-operations/flate), object by object.

    python3 tests/flux/compare_flate.py REPO CLUSTER_DIR

The repository is copied into a fresh ``git init`` (flate reads Git), flate renders the
cluster directory (``flate build ks``, secrets and CRDs included), and every object flate
rendered is compared with the tree's object of the same apiVersion/kind/namespace/name.
Prints the objects that differ or that only one side has, and the score.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

from pytest_kustomize.flux import yamlv2  # noqa: E402
from pytest_kustomize.flux.tree import build_tree  # noqa: E402
from pytest_kustomize.tools import find_tool  # noqa: E402


def _key(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace", ""), meta.get("name"))


def compare(repo: str, cluster: str) -> tuple[int, int]:
    flate = find_tool("flate")
    if flate is None:
        raise SystemExit("flate is not installed: scripts/install-tools flate")
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "repo")
        shutil.copytree(repo, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        for argv in (["init", "-q"], ["add", "-A"], ["-c", "user.email=t@example.com", "-c",
                                                    "user.name=t", "commit", "-qm", "x"]):
            subprocess.run(["git", *argv], cwd=copy, check=True, capture_output=True)
        proc = subprocess.run([flate, "build", "ks", "--no-progress", "-p", cluster,
                               "--skip-secrets=false", "--skip-crds=false",
                               "--cache-dir", os.path.join(tmp, "cache")],
                              cwd=copy, capture_output=True, text=True, timeout=1200)
        if proc.returncode != 0:
            print("flate failed:\n" + proc.stderr[-2000:])
        theirs = {_key(o): o for o in yamlv2.load_documents(proc.stdout or "")
                  if isinstance(o, dict)}
        tree = build_tree(os.path.join(copy, cluster), copy)
        ours = {_key(r.data): r.data for b in tree.builds.values() for r in b.resources}
    same = 0
    for k in sorted(theirs, key=str):
        if k not in ours:
            print("only flate: %s" % (k,))
        elif ours[k] != theirs[k]:
            print("differs:    %s" % (k,))
        else:
            same += 1
    for k in sorted(set(ours) - set(theirs), key=str):
        print("only ours:  %s" % (k,))
    print("score: %d/%d objects flate rendered are identical (ours: %d objects, tree errors: "
          "%d)" % (same, len(theirs), len(ours), len(tree.errors)))
    return same, len(theirs)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    compare(sys.argv[1], sys.argv[2])
