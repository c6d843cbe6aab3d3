"""substituteFrom read from a live cluster (``Values.from_cluster``, the ``flux`` fixture's
``cluster=``): the ConfigMaps and Secrets are applied to a local kube-apiserver, read back
through the API (a Secret's data base64-encoded, as the controller gets it), and the build
compared with the Go oracle ``flux-build`` served the same objects from a file."""
from __future__ import annotations

import os
import subprocess

import pytest

from pytest_kustomize.engine import yamlio
from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.flux import Values, build_kustomization, read_kustomization
from pytest_kustomize.tools import require_tool

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: %(ns)s}
spec:
  interval: 1m
  path: ./app
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {inline: from-the-kustomization}
    substituteFrom:
    - {kind: ConfigMap, name: vars}
    - {kind: Secret, name: secret-vars}
    - {kind: ConfigMap, name: %(optional)s, optional: true}
"""
APP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  replicas: "${replicas}"
  password: "${password}"
  multi: "${multi}"
  inline: "${inline}"
  region: "${region:=unset}"
"""
OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: vars, namespace: %(ns)s}
data: {replicas: "3", region: eu-west-1, multi: "a\\nb"}
---
apiVersion: v1
kind: Secret
metadata: {name: secret-vars, namespace: %(ns)s}
stringData: {password: "s3cr3t value", region: from-the-secret}
"""


@pytest.fixture
def scenario(local_cluster, tmp_path, request):
    ns = "fluxvals-%d" % (abs(hash(request.node.name)) % 10**6)
    local_cluster.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n" % ns)
    local_cluster.apply(OBJECTS % {"ns": ns})
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "cm.yaml").write_text(APP)
    return ns, tmp_path


def _oracle(tmp_path, ns: str, sources: str) -> subprocess.CompletedProcess:
    exe = require_tool("flux-build")
    (tmp_path / "sources.yaml").write_text(sources)
    return subprocess.run([exe, "build", "app", "--path", str(tmp_path / "app"), "--root",
                           str(tmp_path), "--kustomization-file", str(tmp_path / "ks.yaml"),
                           "--namespace", ns, "--sources", str(tmp_path / "sources.yaml")],
                          capture_output=True, text=True, timeout=120)


def _live_sources(local_cluster, ns: str) -> str:
    """The objects as the API server returns them, for the oracle's --sources file."""
    live = [local_cluster.client.get("v1", k, n, ns)
            for k, n in (("ConfigMap", "vars"), ("Secret", "secret-vars"))]
    return "---\n".join(yamlio.dump_document(
        {"apiVersion": "v1", "kind": o["kind"],
         "metadata": {"name": o["metadata"]["name"], "namespace": ns}, "data": o["data"]})
        for o in live)


def test_values_from_the_cluster_equal_the_oracle(local_cluster, scenario):
    ns, tmp = scenario
    (tmp / "ks.yaml").write_text(KS % {"ns": ns, "optional": "absent"})
    ks = read_kustomization(str(tmp / "ks.yaml"), "app", ns)
    got = build_kustomization(ks, str(tmp / "app"), str(tmp),
                              values=Values.from_cluster(local_cluster.client)).to_yaml()
    want = _oracle(tmp, ns, _live_sources(local_cluster, ns))
    assert want.returncode == 0, want.stderr
    assert got == want.stdout
    assert "s3cr3t value" in got and "from-the-secret" in got     # the later source wins


def test_a_missing_source_fails_as_the_controller_says(local_cluster, scenario):
    ns, tmp = scenario
    ks_text = (KS % {"ns": ns, "optional": "absent"}).replace(
        "    - {kind: ConfigMap, name: absent, optional: true}\n",
        "    - {kind: ConfigMap, name: absent}\n")
    (tmp / "ks.yaml").write_text(ks_text)
    ks = read_kustomization(str(tmp / "ks.yaml"), "app", ns)
    with pytest.raises(KustomizeError) as e:
        build_kustomization(ks, str(tmp / "app"), str(tmp),
                            values=Values.from_cluster(local_cluster.client))
    want = _oracle(tmp, ns, _live_sources(local_cluster, ns))
    assert want.returncode != 0
    # the oracle: "✗ var substitution failed for 'settings': substitute from
    # 'ConfigMap/absent' error: configmaps "absent" not found"
    message = want.stderr.strip().lstrip("✗ ")
    assert 'configmaps "absent" not found' in message
    assert message.split(": ", 1)[1] in str(e.value), (message, str(e.value))


def test_the_flux_fixture_reads_the_cluster(local_cluster, scenario, pytestconfig):
    from pytest_kustomize.hooks.flux import FluxHelper
    ns, tmp = scenario
    (tmp / "ks.yaml").write_text(KS % {"ns": ns, "optional": "absent"})
    b = FluxHelper(pytestconfig).build("app", str(tmp / "ks.yaml"), root=str(tmp),
                                       namespace=ns, cluster=local_cluster)
    data = b.resources.get("ConfigMap", "settings")["data"]
    # "${replicas}" -> 3, an integer: Flux substitutes after re-serialising (quotes lost)
    assert data == {"replicas": 3, "password": "s3cr3t value", "multi": "ab",
                    "inline": "from-the-kustomization", "region": "from-the-secret"}
    local_cluster.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, "
                        "namespace: %s}\ndata: {replicas: '7'}\n" % ns)
    b = FluxHelper(pytestconfig).build("app", str(tmp / "ks.yaml"), root=str(tmp),
                                       namespace=ns, cluster=local_cluster)
    assert b.resources.get("ConfigMap", "settings")["data"]["replicas"] == 7
