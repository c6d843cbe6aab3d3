"""Assertion helpers and policy checks on small trees (rendered by the engine; the engine's
output is compared with kubectl in tests/engine)."""
import pytest

import pytest_kustomize
from pytest_kustomize.assertions import (PolicyError, Waiver, assert_contains, assert_count,
                                         assert_field, assert_no_duplicates, assert_subset,
                                         check_image_overrides, check_images_pinned,
                                         check_namespace_set, check_no_placeholders,
                                         check_probes, check_references_resolve,
                                         check_resource_limits, check_selectors_unchanged,
                                         is_subset)
from pytest_kustomize.diff import diff

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: a}
  template:
    spec:
      serviceAccountName: missing-sa
      containers:
      - name: c
        image: nginx
        envFrom:
        - configMapRef: {name: cfg}
---
apiVersion: example.com/v1
kind: Job2
metadata:
  name: custom
spec:
  template:
    containers:
    - name: x
      image: old/image:1
"""


@pytest.fixture
def render(oracle):
    def make(kustomization):
        oracle.write({"app.yaml": APP, "kustomization.yaml": kustomization})
        return pytest_kustomize.build(oracle.root)
    return make


def test_subset_field_count_duplicates(render):
    res = render("resources:\n- app.yaml\nconfigMapGenerator:\n- name: cfg\n  literals: [a=b]\n")
    app = res.get("Deployment", "app")
    assert_subset(app, {"spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}})
    with pytest.raises(AssertionError, match=r"spec.replicas missing, expected 2 — set in "):
        assert_subset(app, {"spec": {"replicas": 2}})
    assert_field(app, "spec.template.spec.containers.[name=c].image", "nginx")
    with pytest.raises(AssertionError, match="does not match"):
        assert_field(app, "spec.template.spec.containers[0].image", matches="^quay")
    assert_count(res, 3)
    assert_count(res, 1, kind="ConfigMap")
    with pytest.raises(AssertionError, match="expected 2"):
        assert_count(res, 2, kind="ConfigMap")
    assert_no_duplicates(res)
    assert_contains([{"a": 1, "b": 2}, {"a": 3}], [{"a": 3}])
    with pytest.raises(AssertionError):
        assert_contains([{"a": 1}], [{"a": 2}])
    assert is_subset({"a": [1, 2, 3]}, {"a": [3, 1]})


def test_policy_checks_report_violations_with_sources(render):
    res = render("resources:\n- app.yaml\n")
    with pytest.raises(PolicyError) as ei:
        check_images_pinned(res)
    msg = str(ei.value)
    assert "image 'nginx' is not pinned (tag missing)" in msg and "app.yaml" in msg
    assert "Job2.v1.example.com/custom" not in msg     # old/image:1 is pinned
    with pytest.raises(PolicyError, match="no limit for cpu, memory"):
        check_resource_limits(res)
    with pytest.raises(PolicyError, match="no readinessProbe, livenessProbe"):
        check_probes(res)
    with pytest.raises(PolicyError, match="no namespace set"):
        check_namespace_set(res)
    with pytest.raises(PolicyError) as ei:
        check_references_resolve(res)
    assert "refers to ConfigMap 'cfg'" in str(ei.value)
    assert "refers to ServiceAccount 'missing-sa'" in str(ei.value)
    check_references_resolve(res, waivers=[
        Waiver("Deployment/app", "references-resolve", "created by another team")])


def test_image_overrides_reach_custom_resources(render):
    res = render("resources:\n- app.yaml\nimages:\n- name: old/image\n  newTag: '2'\n")
    # kustomize's images transformer rewrote the custom resource too
    check_image_overrides(res, [{"name": "old/image", "newTag": "2"}])
    plain = render("resources:\n- app.yaml\n")
    with pytest.raises(PolicyError, match="Job2.v1.example.com/custom"):
        check_image_overrides(plain, ["old/image:1"])


def test_waivers_need_reasons_and_stale_ones_fail(render):
    res = render("resources:\n- app.yaml\n")
    with pytest.raises(ValueError):
        Waiver("Deployment/app", "images-pinned", "")
    with pytest.raises(PolicyError, match="unused waivers"):
        check_images_pinned(res, waivers=[Waiver("Deployment/app", "images-pinned", "x"),
                                          Waiver("Deployment/gone", "images-pinned", "y")])


def test_placeholders_and_warnings(render):
    res = render("resources:\n- app.yaml\ncommonAnnotations:\n  x: $(NOT_SET)\n")
    with pytest.raises(PolicyError, match=r"unresolved \$\(NOT_SET\)"):
        check_no_placeholders(res)
    check_no_placeholders(res, allow=["$(NOT_SET)"])
    old = render("bases: []\nresources:\n- app.yaml\n")
    with pytest.raises(PolicyError, match="'bases' is deprecated"):
        check_no_placeholders(old)
    check_no_placeholders(old, allow_warnings=True)


def test_selector_change_and_diff(render):
    base = render("resources:\n- app.yaml\n")
    labelled = render("resources:\n- app.yaml\ncommonLabels:\n  team: x\n")
    with pytest.raises(PolicyError, match="selector"):
        check_selectors_unchanged(labelled, base)
    d = diff(base, labelled)
    assert not d.added and not d.removed
    changed = d.changed["Deployment.v1.apps/app.[noNs]"]
    assert any(c.path == "spec.selector.matchLabels.team" and c.kind == "added"
               for c in changed.changes)
    assert "~ Deployment.v1.apps/app.[noNs]" in str(d)
