"""The session fixture ``kube_cluster`` as a user's test suite sees it."""
from __future__ import annotations

import importlib.util
import os
import re

import pytest

from pytest_kustomize.tools import find_tool, require_tool, tools_root

# found before pytester gives each test its own HOME (the tool cache is under ~/.cache)
BINARIES = {"etcd": find_tool("etcd"), "kube-apiserver": find_tool("kube-apiserver")}

TOOLS_ROOT = tools_root()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

USER_TEST = """
import pytest_kustomize

def test_apply(kube_cluster):
    kube_cluster.apply(pytest_kustomize.build(%r))
    assert kube_cluster.get("deployment", "nginx", "default")["spec"]["replicas"] == 3
    print("PROVIDER", kube_cluster.provider)
""" % os.path.join(ROOT, "examples", "overlays", "production")


def test_kube_cluster_starts_a_local_api_server(pytester, monkeypatch):
    # pytester gives the inner run its own HOME: hand it the binaries found here
    for name, path in BINARIES.items():
        monkeypatch.setenv("PYTEST_KUSTOMIZE_" + name.upper().replace("-", "_"),
                           path or require_tool(name))
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("--kube-cluster=local", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*PROVIDER local*"])


def test_kube_cluster_uses_a_given_kubeconfig(pytester, local_cluster):
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("--kube-config", local_cluster.kubeconfig, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*PROVIDER kubeconfig*"])


def test_no_provider_skips_with_the_install_command(pytester, monkeypatch, tmp_path):
    for var in ("TEST_ASSET_ETCD", "TEST_ASSET_KUBE_APISERVER", "KUBEBUILDER_ASSETS",
                "PYTEST_KUSTOMIZE_ETCD", "PYTEST_KUSTOMIZE_KUBE_APISERVER", "CI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path))
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("--kube-cluster=local", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*etcd and kube-apiserver not found*install-tools etcd*"])
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_subprocess("--kube-cluster=local")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*CI=true: missing tools fail*"])


RECONCILE_TEST = """
APP = '''
apiVersion: v1
kind: Namespace
metadata: {name: user-app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: user-app}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: example/api:1}]}
'''

def test_reconcile(kube_cluster):
    r = kube_cluster.reconcile(APP, name="app", wait=True, timeout=60)
    assert r.ids("created") == ["Namespace/user-app", "Deployment/user-app/api"]
    assert kube_cluster.get("deployment", "api", "user-app")["status"]["availableReplicas"] == 2
    assert not kube_cluster.reconcile(APP, name="app").changed
    print(r)
"""


def test_kube_cluster_reconciles_and_waits_with_the_controllers(control_plane_tools,
                                                                  pytester, monkeypatch):
    # the inner run has its own HOME: point it at this tool cache (controllers, kwok Stages)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", TOOLS_ROOT)
    monkeypatch.setenv("PYTHONPATH", ROOT)      # this checkout, not another installed copy
    pytester.makepyfile(RECONCILE_TEST)
    result = pytester.runpytest_subprocess("--kube-cluster=local", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*2 created*", "*Deployment/user-app/api created*"])



# --- pytest-xdist: the fixture per worker -------------------------------------------------
XDIST_TEST = '''
import pytest

APP = """
apiVersion: v1
kind: Namespace
metadata: {name: PFX-NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: PFX-NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: example/api:1}]}
"""

@pytest.mark.parametrize("n", ["a", "b", "c", "d"])
def test_reconcile(kube_cluster, worker_id, n):
    app = APP.replace("NS", n)
    r = kube_cluster.reconcile(app, name="PFX-" + n, wait=WAIT, timeout=90)
    assert r.ids("created") == ["Namespace/PFX-" + n, "Deployment/PFX-" + n + "/api"]
    assert not kube_cluster.reconcile(app, name="PFX-" + n).changed
    with open("REPORT", "a") as f:          # xdist workers' stdout does not reach us
        print("CLUSTER", worker_id, kube_cluster.provider, kube_cluster.context,
              kube_cluster.server or "-", file=f)
'''

_spec = importlib.util.spec_from_file_location(
    "kind_shim", os.path.join(os.path.dirname(os.path.abspath(__file__)), "kind_shim.py"))
kind_shim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kind_shim)


def xdist_test(pytester, prefix: str, wait: bool) -> None:
    pytester.makepyfile(XDIST_TEST.replace("PFX", prefix).replace("WAIT", str(wait)).replace(
        "REPORT", str(pytester.path / "clusters.txt")))


def _clusters(pytester) -> set:
    """(worker, provider, context, server) the inner tests wrote."""
    return set(re.findall(r"CLUSTER (gw\d) (\S+) (\S+) (\S+)",
                          (pytester.path / "clusters.txt").read_text()))


def test_under_xdist_each_worker_starts_its_own_local_cluster(control_plane_tools, pytester,
                                                              monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", TOOLS_ROOT)
    monkeypatch.setenv("PYTHONPATH", ROOT)
    xdist_test(pytester, "xl", True)
    result = pytester.runpytest_subprocess("--kube-cluster=local", "-n", "2", "-v")
    result.assert_outcomes(passed=4)
    seen = _clusters(pytester)
    assert {w for w, *_ in seen} == {"gw0", "gw1"}, result.stdout.str()
    assert len({server for *_, server in seen}) == 2        # two API servers


def test_under_xdist_a_kubeconfig_cluster_is_shared(pytester, local_cluster, monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", ROOT)
    xdist_test(pytester, "xk", False)
    result = pytester.runpytest_subprocess("--kube-config", local_cluster.kubeconfig,
                                           "-n", "2", "-v")
    result.assert_outcomes(passed=4)
    seen = _clusters(pytester)
    assert {w for w, *_ in seen} == {"gw0", "gw1"}, result.stdout.str()
    assert {server for *_, server in seen} == {local_cluster.server}


def test_under_xdist_each_worker_gets_its_own_kind_cluster(pytester, local_cluster,
                                                           monkeypatch, tmp_path):
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KIND",
                       kind_shim.write_shim(tmp_path, local_cluster.kubeconfig))
    monkeypatch.setenv("PYTHONPATH", ROOT)
    xdist_test(pytester, "xi", False)
    result = pytester.runpytest_subprocess("--kube-cluster=kind", "-n", "2", "-v")
    result.assert_outcomes(passed=4)
    assert {(w, p, ctx) for w, p, ctx, _ in _clusters(pytester)} == {
        ("gw0", "kind", "kind-pytest-kustomize-gw0"),
        ("gw1", "kind", "kind-pytest-kustomize-gw1")}, result.stdout.str()
    calls = kind_shim.calls(tmp_path)
    made = sorted(c[3] for c in calls if c[:2] == ["create", "cluster"])
    gone = sorted(c[3] for c in calls if c[:2] == ["delete", "cluster"])
    assert made == gone == ["pytest-kustomize-gw0", "pytest-kustomize-gw1"]
