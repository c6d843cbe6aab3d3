"""The local API server (etcd + kube-apiserver built from Go modules): start, apply rendered
overlays server-side, read them back, and the limits of a cluster without controllers."""
from __future__ import annotations

import os
import socket
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.cluster import ClusterError, ClusterUnavailable, LocalApiServer
from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")


def test_seed_overlay_applies_server_side_and_reads_back_replicas_3(local_cluster):
    rendered = pytest_kustomize.build(os.path.join(EXAMPLES, "overlays", "production"))
    want = rendered.one(kind="Deployment")
    assert local_cluster.apply(rendered) == ["deployment.apps/%s" % want.name]
    got = local_cluster.get("deployment", want.name, "default", managed_fields=True)
    assert got["spec"]["replicas"] == 3
    assert got["spec"]["template"]["spec"]["containers"][0]["image"] == \
        want.data["spec"]["template"]["spec"]["containers"][0]["image"]
    managers = {(m["manager"], m["operation"]) for m in got["metadata"]["managedFields"]}
    assert ("pytest-kustomize", "Apply") in managers


def test_every_object_of_the_shop_overlay_exists_after_apply(local_cluster, tmp_path):
    # the overlay's namespace and the ServiceMonitor CRD are prerequisites, as in a real cluster
    prereq = tmp_path / "prereq.yaml"
    prereq.write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop-prod
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: servicemonitors.monitoring.coreos.com
        spec:
          group: monitoring.coreos.com
          names: {kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors,
                  singular: servicemonitor}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """))
    local_cluster.apply(prereq.read_text())
    rendered = pytest_kustomize.build(os.path.join(EXAMPLES, "shop", "overlays", "production"))
    applied = local_cluster.apply(rendered)
    assert len(applied) == len(rendered)
    for r in rendered:
        got = local_cluster.get("%s.%s" % (r.kind, r.gvk.group) if r.gvk.group else r.kind,
                                r.name, r.namespace)
        assert got is not None, r.id
        assert got["metadata"].get("labels", {}) == r.labels


def test_crd_and_custom_resource_from_one_render(local_cluster, tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [crd.yaml, widget.yaml]\n"
                                                 "namePrefix: t-\n")
    (tmp_path / "crd.yaml").write_text(textwrap.dedent("""\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: {type: integer}
        """))
    (tmp_path / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 4\n")
    rendered = pytest_kustomize.build(str(tmp_path))
    assert rendered.one(kind="CustomResourceDefinition").name == "widgets.example.com"
    local_cluster.apply(rendered)
    got = local_cluster.get("widgets.example.com", "t-w", "default")
    assert got["spec"] == {"size": 4}


def test_the_server_rejects_an_invalid_object_with_its_message(local_cluster):
    bad = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: Not_A_Valid_Name
        data: {a: b}
        """)
    with pytest.raises(ClusterError) as e:
        local_cluster.apply(bad)
    assert "Not_A_Valid_Name" in str(e.value) and "kubeconfig" in str(e.value)


def test_stop_ends_both_processes_and_removes_the_work_directory():
    require_tool("etcd")
    require_tool("kube-apiserver")
    server = LocalApiServer(controllers=False)
    cluster = server.start()
    # without a controller-manager a deleted Namespace stays Terminating
    cluster.apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed\n")
    cluster.delete("namespace", "doomed")
    assert cluster.get("namespace", "doomed")["status"]["phase"] == "Terminating"
    assert any("controller-manager" in line for line in cluster.limitations)
    procs = [p for p, _ in server._procs]
    workdir = server.workdir
    port = int(cluster.server.rsplit(":", 1)[1])
    assert os.path.isfile(cluster.kubeconfig)
    server.stop()
    assert all(p.poll() is not None for p in procs)
    assert not os.path.exists(workdir)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_missing_binaries_name_the_install_command(monkeypatch, tmp_path):
    for var in ("TEST_ASSET_ETCD", "TEST_ASSET_KUBE_APISERVER", "KUBEBUILDER_ASSETS",
                "PYTEST_KUSTOMIZE_ETCD", "PYTEST_KUSTOMIZE_KUBE_APISERVER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ClusterUnavailable) as e:
        LocalApiServer()
    assert "etcd and kube-apiserver not found" in str(e.value)
    assert "install-tools etcd" in str(e.value)


def test_a_binary_that_fails_reports_its_log(tmp_path):
    # the real kube-apiserver, given a flag it does not know, exits at once
    server = LocalApiServer(etcd=require_tool("etcd"), kube_apiserver=require_tool(
        "kube-apiserver"), extra_apiserver_args=("--no-such-flag",), workdir=str(tmp_path / "w"),
        controllers=False)
    with pytest.raises(ClusterError) as e:
        server.start()
    assert "kube-apiserver exited with code" in str(e.value)
    assert "unknown flag: --no-such-flag" in str(e.value)
    assert os.path.isfile(tmp_path / "w" / "kube-apiserver.log")   # kept for the user
    assert server._procs == []                                      # etcd was stopped too
