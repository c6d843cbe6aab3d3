"""diff_refs / `pytest-kustomize diff` and the gates on purpose-made pull-request branches.
Every expected object and field comes from the scenario's files, and each render the diff
compares equals kubectl's on a checkout of that ref."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import _scenario as scenario
from pytest_kustomize.assertions import PolicyError, Waiver
from pytest_kustomize.gates import (assert_builds, assert_no_immutable_changes,
                                    assert_only_changed, assert_prunes_nothing, image_changes)
from pytest_kustomize.gitdiff import diff_refs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRETS = ("hunter2", "correct-horse", "aHVudGVyMg", "Y29ycmVjdC1ob3JzZ")


@pytest.fixture
def gitops(repo):
    scenario.make(repo)
    return repo


def _dirs(repo):
    return [os.path.join(repo.path, "overlays/prod"), os.path.join(repo.path, "overlays/dev")]


def _kubectl_yaml(repo, ref, overlay, tmp_path):
    co = repo.checkout_copy(ref, str(tmp_path / ("co-" + ref)))
    p = subprocess.run(["kubectl", "kustomize", os.path.join(co, overlay)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_pull_request_diff(gitops, untouched, tmp_path):
    untouched.start()
    d = diff_refs(_dirs(gitops), "main", "pr-prod")
    untouched.check()
    prod, dev = d.overlays
    # the renders compared are kubectl's at each ref
    assert prod.base.to_yaml() == _kubectl_yaml(gitops, "main", "overlays/prod", tmp_path)
    assert prod.head.to_yaml() == _kubectl_yaml(gitops, "pr-prod", "overlays/prod", tmp_path)
    assert [(o.status, o.label) for o in prod.diff.objects] == [
        ("removed", "CronJob.v1.batch/prod-cleanup.prod"),
        ("added", "Ingress.v1.networking.k8s.io/prod-web.prod"),
        ("changed", "Deployment.v1.apps/prod-web.prod"),
        ("changed", "Secret.v1.[noGrp]/prod-db-%s.prod -> Secret.v1.[noGrp]/prod-db-%s.prod"
         % (prod.base.get("Secret", "db").name[-10:], prod.head.get("Secret", "db").name[-10:])),
    ]
    web = {c.path: c for c in prod.diff.objects[2].changes}
    assert str(web["spec.replicas"]) == "spec.replicas: 3 -> 5"
    assert (web["spec.template.spec.containers[0].image"].old,
            web["spec.template.spec.containers[0].image"].new) == ("nginx:1.27", "nginx:1.28")
    secret = {c.path: str(c) for c in prod.diff.objects[3].changes}
    assert "(value changed)" in secret["data.password"]
    assert not dev.diff and not dev.rebuilt                  # dev's inputs did not change
    assert d.exit_code == 1
    assert d.summary() == ("diff main..pr-prod: 1 of 2 overlays changed; "
                           "1 added, 1 removed (pruned), 2 changed")


def test_three_formats_mask_secrets(gitops):
    d = diff_refs(_dirs(gitops), "main", "pr-prod")
    text, color = d.to_text(), d.to_text(color=True)
    md, js = d.to_markdown(), d.to_json()
    assert "  ~ Deployment.v1.apps/prod-web.prod\n      spec.replicas: 3 -> 5" in text
    assert "  - CronJob.v1.batch/prod-cleanup.prod (removed: pruned)" in text
    assert "\x1b[31m  - CronJob" in color and "\x1b[" not in text
    assert md.count("<details>") == 4 and md.count("</details>") == 4
    assert "- spec.replicas: 3\n+ spec.replicas: 5" in md
    assert "kind: Ingress" in md                  # an added object is shown whole
    data = json.loads(js)
    assert data["exit_code"] == 1 and data["base"]["ref"] == "main"
    prod = data["overlays"][0]
    assert [o["status"] for o in prod["objects"]] == ["removed", "added", "changed", "changed"]
    assert {"path": "spec.replicas", "change": "changed", "old": 3, "new": 5} in \
        prod["objects"][2]["changes"]
    for out in (text, md, js):
        for s in SECRETS:
            assert s not in out


def test_work_tree_is_the_default_head(gitops, untouched):
    gitops.write({"overlays/dev/kustomization.yaml": "namespace: dev\nresources:\n- ../../base\n"
                  "replicas:\n- name: web\n  count: 4\n"})
    untouched.start()
    d = diff_refs(_dirs(gitops), "main")
    untouched.check()
    assert d.head == "work tree"
    prod, dev = d.overlays
    assert not prod.diff and not prod.rebuilt
    assert [str(c) for c in dev.diff.objects[0].changes] == ["spec.replicas: 2 -> 4"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "diff", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_exit_codes(gitops, untouched):
    dirs = _dirs(gitops)
    untouched.start()
    same = _cli("--base", "main", "--head", "v1", *dirs)
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip().endswith("0 of 2 overlays changed")
    changed = _cli("--base", "main", "--head", "pr-prod", "-o", "markdown", *dirs)
    assert changed.returncode == 1 and "<details>" in changed.stdout
    broken = _cli("--base", "main", "--head", "pr-broken", "-o", "json", *dirs)
    assert broken.returncode == 2
    assert "missing.yaml" in broken.stderr and "Traceback" not in broken.stderr
    assert json.loads(broken.stdout)["exit_code"] == 2
    colored = _cli("--base", "main", "--head", "pr-prod", "--color", "always", *dirs)
    assert "\x1b[33m  ~ Deployment.v1.apps/prod-web.prod" in colored.stdout
    assert "\x1b[" not in changed.stdout
    ignored = _cli("--base", "main", "--head", "pr-prod", "--ignore", "spec.replicas",
                   "--ignore", "Secret:data", *dirs)
    assert ignored.returncode == 1
    assert "spec.replicas" not in ignored.stdout and "data.password" not in ignored.stdout
    assert "containers[0].image: 'nginx:1.27' -> 'nginx:1.28'" in ignored.stdout
    bad_ref = _cli("--base", "no-such-branch", *dirs)
    assert bad_ref.returncode == 2 and "unknown revision 'no-such-branch'" in bad_ref.stderr
    untouched.check()


def test_gates_on_pull_requests(gitops):
    pr = diff_refs(_dirs(gitops), "main", "pr-prod")
    with pytest.raises(PolicyError, match="CronJob.v1.batch/prod-cleanup.prod"):
        assert_prunes_nothing(pr)
    assert_prunes_nothing(pr, waivers=[Waiver("CronJob/*cleanup", "prunes-nothing",
                                              "moved to the ops repo")])
    with pytest.raises(PolicyError, match="unused waivers"):
        assert_prunes_nothing(pr, waivers=[Waiver("CronJob/*cleanup", "prunes-nothing", "x"),
                                           Waiver("Job/old", "prunes-nothing", "stale")])
    prod = _dirs(gitops)[0]
    assert [str(c) for c in image_changes(pr)] == [
        "%s: CronJob.v1.batch/prod-cleanup.prod cleanup: busybox:1.36 -> (none)" % prod,
        "%s: Deployment.v1.apps/prod-web.prod web: nginx:1.27 -> nginx:1.28" % prod]
    assert_no_immutable_changes(pr)
    assert_builds(pr)
    with pytest.raises(PolicyError, match="Ingress"):
        assert_only_changed(pr, kinds=["Deployment", "Secret", "CronJob"])
    with pytest.raises(PolicyError, match="only field changes"):
        assert_only_changed(pr, fields=["spec.replicas"])

    sel = diff_refs(_dirs(gitops), "main", "pr-selector")
    with pytest.raises(PolicyError) as ei:
        assert_no_immutable_changes(sel)
    msg = str(ei.value)
    assert "Deployment.v1.apps/prod-web.prod: spec.selector" in msg
    assert "Deployment.v1.apps/web.dev: spec.selector" in msg
    assert "Service.v1.[noGrp]/web.dev: spec.selector" in msg

    broken = diff_refs(_dirs(gitops), "main", "pr-broken")
    with pytest.raises(PolicyError, match=r"overlays/dev: at head: .*missing\.yaml"):
        assert_builds(broken)

    rep = diff_refs([os.path.join(gitops.path, "overlays/prod")], "pr-prod~1", "pr-prod")
    assert_only_changed(rep, kinds=["Deployment", "Secret", "CronJob", "Ingress"])
