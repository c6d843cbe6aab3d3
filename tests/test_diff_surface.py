"""diff() as users call it: one result type (added/removed/changed keyed alike, holding
Resources), plain dicts, ignore rules, Secret changes masked before/after, and what pytest
prints when a diff test fails."""
from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.diff import MASK, ObjectDiff, OverlayDiff, diff
from pytest_kustomize.gitdiff import OverlayResult, diff_refs
from pytest_kustomize.resources import Resource

BASE = {
    "base/kustomization.yaml": "resources:\n- app.yaml\n- cm.yaml\n",
    "base/app.yaml": textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, labels: {app: web}}
        spec:
          replicas: 1
          template:
            spec:
              containers: [{name: web, image: "nginx:1.27"}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: db}
        stringData: {password: hunter2}
        """),
    "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-only}\ndata: {a: b}\n",
    "staging/kustomization.yaml": textwrap.dedent("""\
        resources: [../base]
        namespace: staging
        namePrefix: stg-
        commonLabels: {env: staging}
        """),
    "production/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prod-only}\n",
    "production/kustomization.yaml": textwrap.dedent("""\
        resources: [../base, extra.yaml]
        namespace: production
        namePrefix: prd-
        commonLabels: {env: production}
        patches:
        - target: {kind: Deployment}
          patch: |-
            - {op: replace, path: /spec/replicas, value: 3}
        - target: {kind: Secret}
          patch: |-
            - {op: replace, path: /stringData/password, value: swordfish}
        - target: {kind: ConfigMap, name: old-only}
          patch: |-
            $patch: delete
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: old-only}
        """),
}


@pytest.fixture
def overlays(oracle):
    oracle.write(BASE)
    return (pytest_kustomize.build(oracle.root + "/staging"),
            pytest_kustomize.build(oracle.root + "/production"))


def test_added_removed_changed_are_keyed_alike_and_hold_resources(overlays):
    staging, production = overlays
    d = diff(staging, production, ignore=["metadata.labels", "*.matchLabels",
                                          "spec.template.metadata.labels"])
    for group, status in ((d.added, "added"), (d.removed, "removed"), (d.changed, "changed")):
        assert isinstance(group, dict) and group
        for key, o in group.items():
            assert isinstance(o, ObjectDiff) and o.status == status
            assert isinstance(o.resource, Resource) and key == str(o.resource.id)
    assert list(d.added) == ["ConfigMap.v1.[noGrp]/prd-prod-only.production"]
    assert list(d.removed) == ["ConfigMap.v1.[noGrp]/stg-old-only.staging"]
    assert d.removed["ConfigMap.v1.[noGrp]/stg-old-only.staging"].new is None
    web = d.changed["Deployment.v1.apps/prd-web.production"]
    assert web.old.namespace == "staging" and web.new.namespace == "production"
    assert {c.path: (c.old, c.new) for c in web.changes} == {
        "metadata.name": ("stg-web", "prd-web"),
        "metadata.namespace": ("staging", "production"),
        "spec.replicas": (1, 3)}


def test_ignore_removes_namespace_and_label_noise(overlays):
    staging, production = overlays
    noisy = diff(staging, production)
    quiet = diff(staging, production, ignore=[
        "metadata.name", "metadata.namespace", "metadata.labels", "spec.selector",
        "spec.template.metadata.labels"])
    assert any(c.path.startswith("metadata.labels") for o in noisy.objects for c in o.changes)
    assert [(o.kind, [c.path for c in o.changes]) for o in quiet.changed.values()] == [
        ("Deployment", ["spec.replicas"]), ("Secret", ["stringData.password"])]
    by_callable = diff(staging, production,
                       ignore=[lambda r, c: c.path.startswith("metadata."),
                               lambda r, c: r.kind == "Deployment"])
    assert [o.kind for o in by_callable.changed.values()] == ["Secret"]


def test_a_changed_secret_value_is_shown_masked_before_and_after(overlays):
    staging, production = overlays
    d = diff(staging, production, ignore=["metadata"])
    secret = next(o for o in d.changed.values() if o.kind == "Secret")
    assert [str(c) for c in secret.changes] == [
        "stringData.password: %s -> %s (value changed)" % (MASK, MASK)]
    text = str(d) + repr(d) + repr(d.to_dict())
    assert "hunter2" not in text and "swordfish" not in text
    # comparing the two Secret resources directly also says what changed (masked)
    from pytest_kustomize.diff import explain
    lines = explain(staging.get("Secret", "db"), production.get("Secret", "db"))
    assert "  stringData.password: %s -> %s (value changed)" % (MASK, MASK) in lines
    assert not any("hunter2" in x or "swordfish" in x for x in lines)


def test_plain_dicts_are_accepted_and_bad_input_is_named():
    old = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
           "data": {"k": "1"}}
    new = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
           "data": {"k": "2"}}
    d = diff([old], [new, {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "n"}}], by="id")
    assert list(d.changed) == ["ConfigMap.v1.[noGrp]/c.[noNs]"]
    assert [str(c) for c in d.changed["ConfigMap.v1.[noGrp]/c.[noNs]"].changes] == [
        "data.k: '1' -> '2'"]
    assert list(d.added) == ["ConfigMap.v1.[noGrp]/n.[noNs]"]
    assert d.added["ConfigMap.v1.[noGrp]/n.[noNs]"].new.get("metadata.name") == "n"
    assert not diff(old, dict(old))                      # one manifest on each side
    with pytest.raises(TypeError, match=r"right\[0\] is a dict without kind and metadata"):
        diff([old], [{"data": {}}])
    with pytest.raises(TypeError, match=r"left side must be resources or manifests"):
        diff("kind: ConfigMap", [new])


def _git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_gitdiff_holds_the_same_result_type_and_masks_a_changed_secret(tmp_path):
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app/kustomization.yaml").write_text("resources: [secret.yaml]\n")
    (root / "app/secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one")
    (root / "app/secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: swordfish}\n")
    result = diff_refs([str(root / "app")], "main")          # main -> work tree
    d = result.overlays[0].diff
    assert isinstance(d, OverlayDiff) and isinstance(OverlayResult("x").diff, OverlayDiff)
    assert list(d.changed) == ["Secret.v1.[noGrp]/db.[noNs]"] and not d.added and not d.removed
    o = d.changed["Secret.v1.[noGrp]/db.[noNs]"]
    assert o.old.get("metadata.name") == o.new.get("metadata.name") == "db"
    text = result.to_text() + result.to_markdown() + result.to_json()
    assert "stringData.password: %s -> %s (value changed)" % (MASK, MASK) in text
    assert "hunter2" not in text and "swordfish" not in text
    assert result.exit_code == 1


def test_a_failing_diff_test_prints_the_changes_and_masks_secrets(pytester, overlays):
    staging, production = overlays
    root = staging.path.rsplit("/", 1)[0]
    pytester.makepyfile(test_promote="""
        import pytest_kustomize
        from pytest_kustomize.diff import diff

        def test_only_replicas_differ():
            d = diff(pytest_kustomize.build(%(s)r), pytest_kustomize.build(%(p)r),
                     ignore=["metadata.name", "metadata.namespace", "metadata.labels",
                             "spec.selector", "spec.template.metadata.labels"])
            assert not d.added and not d.removed, str(d)

        def test_secret_equal():
            a = pytest_kustomize.build(%(s)r).get("Secret", "db")
            b = pytest_kustomize.build(%(p)r).get("Secret", "db")
            assert a == b
        """ % {"s": root + "/staging", "p": root + "/production"})
    result = pytester.runpytest("-p", "no:cacheprovider", "-vv")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    mask = "%s -> %s (value changed)" % (MASK, MASK)
    mask = mask.replace("*", "[*]").replace("(", "[(]").replace(")", "[)]")
    result.stdout.fnmatch_lines([
        "E * AssertionError: - ConfigMap.v1.[[]noGrp]/stg-old-only.staging (only on the left)",
        "E * + ConfigMap.v1.[[]noGrp]/prd-prod-only.production (only on the right)",
        "E * ~ Deployment.v1.apps/stg-web.staging -> Deployment.v1.apps/prd-web.production",
        "E *     spec.replicas: 1 -> 3",
        "E * ~ Secret.v1.[[]noGrp]/stg-db.staging -> Secret.v1.[[]noGrp]/prd-db.production",
        "E *     stringData.password: " + mask,
    ])
    result.stdout.fnmatch_lines([
        "E * assert Secret.v1.[[]noGrp]/stg-db.staging differs:",
        "E *   stringData.password: " + mask,
    ])
    assert "hunter2" not in out and "swordfish" not in out
