"""assert_valid and the --kustomize-validate option, as a user's suite sees them."""
from __future__ import annotations

import os
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.assertions import assert_valid
from pytest_kustomize.tools import find_tool, require_tool

# found before pytester gives the inner run its own HOME (the tool cache is under ~/.cache)
KUBECONFORM = find_tool("kubeconform")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_assert_valid_passes_and_warns_for_missing_schemas():
    res = pytest_kustomize.build(os.path.join(ROOT, "examples", "shop", "overlays",
                                              "production"))
    with pytest.warns(UserWarning, match="no schema for monitoring.coreos.com/v1 "
                                         "ServiceMonitor"):
        report = assert_valid(res, kubernetes_version="1.33", strict=True)
    assert report.ok and len(report.results) == 7


def test_assert_valid_lists_each_invalid_resource(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    (tmp_path / "all.yaml").write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        spec: {ports: [{port: eighty}]}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: b}
        data: {k: [1]}
        """))
    with pytest.raises(AssertionError) as e:
        assert_valid(pytest_kustomize.build(str(tmp_path)))
    text = str(e.value)
    assert text.startswith("2 invalid resource(s) — 2 resources: 2 invalid")
    assert "Service.v1.[noGrp]/a.[noNs]: spec.ports.0.port: " in text
    assert "ConfigMap.v1.[noGrp]/b.[noNs]: data.k: " in text
    assert str(tmp_path / "all.yaml") in text


def test_option_adds_a_validation_test_per_kustomization(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KUBECONFORM", KUBECONFORM or require_tool("kubeconform"))
    pytester.makefile(".yaml", **{
        "good/kustomization": "resources: [cm.yaml]\n",
        "good/cm": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
        "bad/kustomization": "resources: [svc.yaml]\n",
        "bad/svc": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
                   "spec: {ports: [{port: x}]}\n",
        "comp/kustomization": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
    })
    result = pytester.runpytest("--kustomize-validate", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*bad/kustomization.yaml::validate FAILED*",
        "*good/kustomization.yaml::validate PASSED*",
        "*1 resources: 1 invalid (kubeconform, Kubernetes 1.33.0)",
        "*Service.v1.[[]noGrp]/s.[[]noNs]: spec.ports.0.port: *bad/svc.yaml*",
    ])
    assert "comp/kustomization.yaml" not in result.stdout.str()
    # without the option nothing is added
    pytester.runpytest().assert_outcomes()


def test_ini_options(pytester):
    pytester.makeini(textwrap.dedent("""\
        [pytest]
        kustomize_validate = true
        kustomize_validate_strict = true
        kustomize_kubernetes_version = 1.29
        """))
    pytester.makefile(".yaml", **{
        "o/kustomization": "resources: [cm.yaml]\n",
        "o/cm": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndatta: {a: b}\n",
    })
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Kubernetes 1.29.0, strict*", "*datta*"])
