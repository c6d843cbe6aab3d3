"""`pytest-kustomize validate` / `python -m pytest_kustomize validate`: a CI gate."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "validate", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env=dict(os.environ, **(env or {})))


@pytest.fixture
def bad_overlay(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [d.yaml]\nnamespace: team\n")
    (tmp_path / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: two\n"
        "  selector: {}\n  template:\n    spec:\n      containers:\n"
        "      - {name: a, image: b, imagePullPolicey: Always}\n")
    return str(tmp_path)


@pytest.mark.parametrize("validator", ["kubeconform", "jsonschema"])
def test_invalid_resources_one_line_each_and_exit_1(bad_overlay, validator):
    if validator == "kubeconform":
        require_tool("kubeconform")
    p = cli("--strict", "--validator", validator, bad_overlay)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert len(lines) == 2
    d = os.path.join(bad_overlay, "d.yaml")
    assert lines[0].startswith("%s: Deployment.v1.apps/x.team: spec.replicas: " % bad_overlay)
    assert lines[0].endswith("(%s)" % d)
    assert lines[1].startswith("%s: Deployment.v1.apps/x.team: "
                               "spec.template.spec.containers.0: " % bad_overlay)
    assert "imagePullPolicey" in lines[1]
    assert "1 resources: 1 invalid (%s, Kubernetes 1.33.0, strict)" % validator in p.stderr


def test_unknown_fields_pass_without_strict(bad_overlay):
    p = cli(bad_overlay)
    assert p.returncode == 1 and len(p.stdout.splitlines()) == 1   # only replicas


def test_valid_overlays_exit_0_and_warn_about_missing_schemas():
    p = cli("examples/overlays/production", "examples/shop/overlays/production",
            "--kubernetes-version", "1.30")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout == ""
    assert "examples/shop/overlays/production: warning: ServiceMonitor" in p.stderr
    assert "examples/overlays/production: 1 resources: 1 valid" in p.stderr
    assert "Kubernetes 1.30.0" in p.stderr


def test_missing_schema_as_error_and_crds_and_skip_kinds(tmp_path):
    p = cli("examples/shop/overlays/production", "--missing-schemas", "error")
    assert p.returncode == 1
    assert "ServiceMonitor.v1.monitoring.coreos.com/web.shop-prod: error: no schema" in p.stdout
    p = cli("examples/shop/overlays/production", "--missing-schemas", "error",
            "--skip-kinds", "ServiceMonitor")
    assert p.returncode == 0, p.stdout
    p = cli("examples/shop/overlays/production", "--missing-schemas", "error", "--strict",
            "--crds", "examples/shop/crds")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "7 resources: 7 valid" in p.stderr


def test_render_errors_and_bad_versions_are_reported_not_raised(tmp_path):
    p = cli(str(tmp_path / "missing"), "examples/overlays/production")
    assert p.returncode == 1
    assert p.stdout.startswith("%s: Error: " % (tmp_path / "missing"))
    assert "Traceback" not in p.stdout + p.stderr
    p = cli("--kubernetes-version", "1.12", "examples/overlays/production")
    assert p.returncode == 1
    assert "no offline schemas for Kubernetes 1.12" in p.stdout
    assert "Traceback" not in p.stdout + p.stderr


def test_console_script_has_the_subcommand():
    exe = os.path.join(os.path.dirname(sys.executable), "pytest-kustomize")
    if not os.path.exists(exe):
        pytest.skip("console script not installed in this environment (pip install -e .)")
    p = subprocess.run([exe, "validate", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "--kubernetes-version" in p.stdout
