"""What a removal means under the owning Flux Kustomization (prune: true deletes, prune:
false or the prune annotation orphans) and changes under suspended Kustomizations, on
purpose-made pull-request branches."""
from __future__ import annotations

import os
from textwrap import dedent

import pytest

import _scenario as scenario
from pytest_kustomize.assertions import PolicyError, Waiver
from pytest_kustomize.gates import (assert_no_suspended_changes, assert_orphans_nothing,
                                    assert_prunes_nothing, flux_kustomizations, flux_owners,
                                    removals)
from pytest_kustomize.gitdiff import diff_refs

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps-{env}
  namespace: flux-system
spec:
  interval: 10m
  path: ./overlays/{env}
  prune: {prune}
  suspend: {suspend}
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def _ks(env, prune=True, suspend=False):
    return KS.format(env=env, prune=str(prune).lower(), suspend=str(suspend).lower())


@pytest.fixture
def fleet(repo):
    scenario.make(repo)
    repo.commit({"clusters/prod/apps.yaml": _ks("prod", prune=True),
                 "clusters/dev/apps.yaml": _ks("dev", prune=False),
                 "clusters/notes.yaml": "just: a config file\n"}, "flux")
    drop = {"base/kustomization.yaml": dedent(scenario.BASE["base/kustomization.yaml"])
            .replace("- cronjob.yaml\n", "")}
    repo.git("checkout", "-q", "-b", "pr-drop-cronjob", "main")
    repo.commit(drop, "drop the cronjob everywhere")
    repo.git("checkout", "-q", "-b", "pr-suspend", "main")
    repo.commit({"clusters/prod/apps.yaml": _ks("prod", suspend=True),
                 **scenario.PR_PROD}, "suspend prod, then change it")
    repo.git("checkout", "-q", "main")
    return repo


def _setup(repo, base, head):
    dirs = [os.path.join(repo.path, "overlays/prod"), os.path.join(repo.path, "overlays/dev")]
    d = diff_refs(dirs, base, head)
    owners = flux_owners(dirs, flux_kustomizations(repo.path, head), repo.path)
    base_owners = flux_owners(dirs, flux_kustomizations(repo.path, base), repo.path)
    return dirs, d, owners, base_owners


def test_kustomizations_at_a_ref(fleet):
    names = sorted(k["metadata"]["name"] for k in flux_kustomizations(fleet.path, "main"))
    assert names == ["apps-dev", "apps-prod"]
    assert flux_kustomizations(fleet.path, "v1") == []          # before the flux commit
    suspended = [k for k in flux_kustomizations(fleet.path, "pr-suspend")
                 if k["spec"]["suspend"]]
    assert [k["metadata"]["name"] for k in suspended] == ["apps-prod"]


def test_prune_true_deletes_prune_false_orphans(fleet):
    dirs, d, owners, _ = _setup(fleet, "main", "pr-drop-cronjob")
    assert {os.path.basename(o): k["metadata"]["name"] for o, k in owners.items()} == {
        "prod": "apps-prod", "dev": "apps-dev"}
    fates = sorted((str(r.resource.id), r.fate, r.why) for r in removals(d, owners))
    assert fates == [
        ("CronJob.v1.batch/cleanup.dev", "orphaned", "Kustomization apps-dev has prune: false"),
        ("CronJob.v1.batch/prod-cleanup.prod", "deleted",
         "Kustomization apps-prod has prune: true")]
    with pytest.raises(PolicyError) as ei:
        assert_prunes_nothing(d, owners=owners)
    assert "prod-cleanup.prod" in str(ei.value) and "cleanup.dev" not in str(ei.value)
    with pytest.raises(PolicyError, match="cleanup.dev: .*orphaned: Kustomization apps-dev"):
        assert_orphans_nothing(d, owners)
    assert_orphans_nothing(d, owners, waivers=[Waiver("CronJob/cleanup", "orphans-nothing",
                                                      "deleted by hand after the merge")])
    # without owners every removal counts
    with pytest.raises(PolicyError, match="cleanup.dev"):
        assert_prunes_nothing(d)


def test_prune_annotation_orphans(fleet):
    fleet.git("checkout", "-q", "-b", "pr-annotated", "main")
    fleet.commit({"base/cronjob.yaml": dedent(scenario.BASE["base/cronjob.yaml"]).replace(
        "  name: cleanup\n", "  name: cleanup\n  annotations:\n"
        "    kustomize.toolkit.fluxcd.io/prune: disabled\n")}, "keep it on removal")
    fleet.commit({"base/kustomization.yaml": dedent(scenario.BASE["base/kustomization.yaml"])
                  .replace("- cronjob.yaml\n", "")}, "drop it")
    fleet.git("checkout", "-q", "main")
    _, d, owners, _ = _setup(fleet, "pr-annotated~1", "pr-annotated")
    assert sorted(r.fate for r in removals(d, owners)) == ["orphaned", "orphaned"]
    assert_prunes_nothing(d, owners=owners)


def test_changes_under_a_suspended_kustomization(fleet):
    dirs, d, owners, base_owners = _setup(fleet, "main", "pr-suspend")
    with pytest.raises(PolicyError) as ei:
        assert_no_suspended_changes(d, owners, base_owners)
    msg = str(ei.value)
    assert "spec.suspend False -> True: later changes stop rolling out" in msg
    assert "Deployment.v1.apps/prod-web.prod: %s: changed under a suspended Kustomization " \
        "apps-prod: it will not roll out" % dirs[0] in msg
    assert "overlays/dev" not in msg
    # resuming flips it back: reported too
    _, back, owners2, base2 = _setup(fleet, "pr-suspend", "main")
    with pytest.raises(PolicyError, match="spec.suspend True -> False: every pending change"):
        assert_no_suspended_changes(back, owners2, base2)
    _, same, o3, b3 = _setup(fleet, "main", "pr-drop-cronjob")
    assert_no_suspended_changes(same, o3, b3)
