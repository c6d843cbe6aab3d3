"""--kustomize-base-ref: the terminal summary, kustomize_base and kustomize_diff."""
from __future__ import annotations

import os

import _scenario as scenario
from _gitrepo import Repo, snapshot

TESTS = '''
from pytest_kustomize.gates import assert_prunes_nothing, image_changes

def test_base_is_the_ref(kustomize_base, kustomize):
    assert kustomize_base.build("overlays/prod").get("Deployment", "web").data["spec"]["replicas"] == 3
    assert kustomize.build("overlays/prod").get("Deployment", "web").data["spec"]["replicas"] == 5

def test_diff(kustomize_diff):
    d = kustomize_diff("overlays/prod").diff
    assert [str(c) for c in image_changes(d)][-1].endswith("nginx:1.27 -> nginx:1.28")
    assert_prunes_nothing(d)
'''


def _project(pytester):
    repo = Repo(str(pytester.path))
    scenario.make(repo)
    repo.git("checkout", "-q", "pr-prod")
    pytester.makepyfile(test_gitops=TESTS)
    pytester.makeini("[pytest]\n")
    return repo


def test_summary_and_fixtures(pytester):
    repo = _project(pytester)
    before = snapshot(repo.path)
    r = pytester.runpytest("--kustomize-base-ref", "main", "-p", "no:cacheprovider")
    r.assert_outcomes(passed=1, failed=1)          # the PR prunes the CronJob
    out = r.stdout.str()
    assert "prunes-nothing: 1 violation(s)" in out
    assert "CronJob.v1.batch/prod-cleanup.prod: overlays/prod: removed at head" in out
    r.stdout.fnmatch_lines([
        "*= kustomize diff against main (3 overlays) =*",
        "base: no changes (inputs unchanged, not rebuilt)",
        "overlays/dev: no changes (inputs unchanged, not rebuilt)",
        "overlays/prod: 1 added, 1 removed, 2 changed",
        "  - CronJob.v1.batch/prod-cleanup.prod",
        "  + Ingress.v1.networking.k8s.io/prod-web.prod",
        "  ~ Deployment.v1.apps/prod-web.prod",
        "      spec.replicas: 3 -> 5",
        "*",
        "overlays this change affects: overlays/prod",
    ])
    assert "correct-horse" not in out and "hunter2" not in out
    # the test files pytester wrote are the only change (pytest's own caches disabled)
    after = snapshot(repo.path)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert [c for c in changed if not c.startswith("__pycache__")] == []


def test_ini_and_no_ref(pytester):
    _project(pytester)
    pytester.makeini("[pytest]\nkustomize_base_ref = pr-prod\n")
    r = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_base_is_the_ref")
    r.assert_outcomes(failed=1)                    # base is pr-prod: replicas 5, not 3
    r.stdout.fnmatch_lines(["*kustomize diff against pr-prod*",
                            "overlays this change affects: none"])
    pytester.makeini("[pytest]\n")
    r = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_diff")
    r.assert_outcomes(errors=1)
    r.stdout.fnmatch_lines(["*need a base ref: --kustomize-base-ref REF*"])
    assert "kustomize diff against" not in r.stdout.str()


def test_unknown_ref(pytester):
    _project(pytester)
    r = pytester.runpytest("--kustomize-base-ref", "nope", "-p", "no:cacheprovider",
                           "-k", "test_diff")
    r.stdout.fnmatch_lines(["*unknown revision 'nope'*"])
    assert "Traceback" not in r.stdout.str()
    assert os.path.isdir(str(pytester.path))
