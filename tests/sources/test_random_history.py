"""A repository whose history is a series of random kustomization trees (the generator of
tests/engine/test_random_trees.py): at every commit build(ref=) equals kubectl on a checkout,
and the diff's "inputs unchanged, not rebuilt" shortcut never hides a change."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest

import pytest_kustomize
from pytest_kustomize.diff import diff
from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.gitdiff import diff_overlay
from pytest_kustomize.sources.git import GitTreeFS

_spec = importlib.util.spec_from_file_location(
    "random_trees", os.path.join(os.path.dirname(os.path.dirname(__file__)), "engine",
                                 "test_random_trees.py"))
random_trees = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(random_trees)


def _kubectl(path):
    if shutil.which("kubectl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI")
        pytest.skip("kubectl not on PATH")
    return subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("start", [0, 8])
def test_history_of_random_trees(repo, tmp_path, untouched, start):
    commits = []
    for seed in range(start, start + 8):
        files, build_dir = random_trees.random_tree(seed)
        for top in ("base", "ov", "ov2"):
            shutil.rmtree(os.path.join(repo.path, top), ignore_errors=True)
        repo.write(files)
        if seed % 3 == 0:            # some commits change only one overlay file
            commits.append((repo.commit(message="seed %d" % seed), build_dir))
            repo.write({"ov/kustomization.yaml":
                        files["ov/kustomization.yaml"] + "commonAnnotations:\n  rev: x\n"})
        commits.append((repo.commit(message="seed %d" % seed), build_dir))
    untouched.start()
    for i, (sha, build_dir) in enumerate(commits):
        co = repo.checkout_copy(sha, str(tmp_path / ("co%d" % i)))
        want = _kubectl(os.path.join(co, build_dir))
        path = os.path.join(repo.path, build_dir)
        if want.returncode != 0:
            with pytest.raises(KustomizeError):
                pytest_kustomize.build(path, ref=sha)
            continue
        assert pytest_kustomize.build(path, ref=sha).to_yaml() == want.stdout, sha
    # consecutive commits: a skipped overlay renders the same at head
    skipped = rebuilt = 0
    for (a, _), (b, _) in zip(commits, commits[1:]):
        for d in ("ov", "base"):
            path = os.path.join(repo.path, d)
            fa, fb = GitTreeFS(repo.path, a), GitTreeFS(repo.path, b)
            res = diff_overlay(path, fa, fb)
            if res.error or res.new or res.deleted:
                continue
            head = pytest_kustomize.build(path, fs=fb)
            assert bool(diff(res.base, head, by="id")) == bool(res.diff)
            if not res.rebuilt:
                assert head.to_yaml() == res.base.to_yaml()
            skipped += not res.rebuilt
            rebuilt += res.rebuilt
    assert skipped and rebuilt, (skipped, rebuilt)
    untouched.check()
