"""The kind provider: its command lines, and the real kind binary on a machine whose container
engine does not answer (kind stops at `docker info`; the user gets kind's error and a hint)."""
from __future__ import annotations

import importlib.util
import os

import pytest

from pytest_kustomize.cluster import (ClusterError, ExistingCluster, KindCluster,
                                      LocalApiServer, choose_provider, container_engine_works)
from pytest_kustomize.cluster.kind import container_engine
from pytest_kustomize.tools import find_tool, require_tool


@pytest.fixture
def no_engine(monkeypatch):
    """Point the container engine at a socket nobody listens on, whatever the machine has."""
    monkeypatch.delenv("KIND_EXPERIMENTAL_PROVIDER", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/pytest-kustomize-docker.sock")


def test_command_lines():
    k = KindCluster("ci", kind="/opt/kind", image="kindest/node:v1.33.1",
                    config="kind.yaml", wait="60s")
    assert k.create_argv("/tmp/kc") == [
        "/opt/kind", "create", "cluster", "--name", "ci", "--kubeconfig", "/tmp/kc",
        "--wait", "60s", "--image", "kindest/node:v1.33.1", "--config", "kind.yaml"]
    assert k.export_argv("/tmp/kc") == ["/opt/kind", "export", "kubeconfig", "--name", "ci",
                                        "--kubeconfig", "/tmp/kc"]
    assert k.delete_argv() == ["/opt/kind", "delete", "cluster", "--name", "ci"]
    assert k.list_argv() == ["/opt/kind", "get", "clusters"]
    assert KindCluster("x", kind="/opt/kind").create_argv("k") == [
        "/opt/kind", "create", "cluster", "--name", "x", "--kubeconfig", "k", "--wait", "120s"]


def test_engine_defaults_to_docker_and_follows_kind_experimental_provider(monkeypatch):
    monkeypatch.delenv("KIND_EXPERIMENTAL_PROVIDER", raising=False)
    assert container_engine() == "docker"
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "podman")
    assert container_engine() == "podman"


def test_engine_check_reports_why(no_engine, monkeypatch):
    ok, why = container_engine_works()
    assert not ok
    assert why.startswith("docker")          # "docker is not on PATH" or "docker info failed"
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "no-such-engine-xyz")
    assert container_engine_works() == (False, "no-such-engine-xyz is not on PATH")


def test_real_kind_create_stops_at_docker_with_a_clear_error(no_engine, tmp_path):
    kind = require_tool("kind")
    cluster = KindCluster("pytest-kustomize-nodocker", kind=kind, reuse=False,
                          kubeconfig_dir=str(tmp_path))
    with pytest.raises(ClusterError) as e:
        cluster.start()
    msg = str(e.value)
    assert msg.startswith("`kind create cluster --name pytest-kustomize-nodocker")
    assert "ERROR: failed to create cluster" in msg and "docker" in msg
    assert "kind needs a running Docker daemon" in msg and "--kube-cluster=local" in msg
    assert not cluster.created
    cluster.stop()                              # nothing was created: nothing to delete


def test_real_kind_reuse_lists_clusters_through_docker(no_engine, tmp_path):
    cluster = KindCluster("pytest-kustomize-nodocker", kind=require_tool("kind"),
                          kubeconfig_dir=str(tmp_path))
    with pytest.raises(ClusterError) as e:
        cluster.start()
    assert "`kind get clusters` failed" in str(e.value)
    assert "failed to list clusters" in str(e.value)


def test_auto_falls_back_to_the_local_api_server_without_docker(no_engine):
    require_tool("etcd")
    require_tool("kube-apiserver")
    assert isinstance(choose_provider("auto"), LocalApiServer)


def test_auto_prefers_a_given_kubeconfig(tmp_path):
    p = choose_provider("auto", kubeconfig=str(tmp_path / "kc"), context="ctx")
    assert isinstance(p, ExistingCluster) and p.context == "ctx"


def test_explicit_providers_and_bad_names():
    if find_tool("kind"):
        assert isinstance(choose_provider("kind", kind_name="n"), KindCluster)
    with pytest.raises(ClusterError, match="unknown cluster provider 'minikube'"):
        choose_provider("minikube")
    with pytest.raises(ClusterError, match="needs --kube-config"):
        choose_provider("kubeconfig")


# --- the kind provider's whole path, with a stand-in for the kind binary -----------------
_spec = importlib.util.spec_from_file_location(
    "kind_shim", os.path.join(os.path.dirname(os.path.abspath(__file__)), "kind_shim.py"))
kind_shim_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kind_shim_module)


@pytest.fixture
def kind_shim(tmp_path, local_cluster):
    shim = kind_shim_module.write_shim(tmp_path, local_cluster.kubeconfig)
    return shim, lambda: kind_shim_module.calls(tmp_path)


def test_a_kind_cluster_gets_the_same_reconcile(kind_shim, tmp_path):
    """KindCluster's own code all the way (list, create, kubeconfig, context, reuse), kind
    replaced by a stand-in whose clusters are the local control plane: reconcile and prune
    work on what the kind provider returns."""
    shim, calls = kind_shim
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kind-rc"}},
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "a", "namespace": "kind-rc"}, "data": {"k": "v"}}]
    kind = KindCluster("shim", kind=shim, keep=True, kubeconfig_dir=str(tmp_path))
    with kind as c:
        assert (c.provider, c.context) == ("kind", "kind-shim") and kind.created
        r = c.reconcile(docs, name="kind-rc")
        assert r.ids("created") == ["Namespace/kind-rc", "ConfigMap/kind-rc/a"]
    # a second session reuses the cluster kind lists (export, no create) and prunes
    again = tmp_path / "again"
    again.mkdir()
    reused = KindCluster("shim", kind=shim, kubeconfig_dir=str(again))
    with reused as c:
        assert not reused.created
        assert c.reconcile(docs[:1], name="kind-rc").ids("deleted") == ["ConfigMap/kind-rc/a"]
        assert c.get("configmap", "a", "kind-rc") is None
    assert calls() == [
        ["get", "clusters"],
        ["create", "cluster", "--name", "shim", "--kubeconfig",
         str(tmp_path / "kubeconfig"), "--wait", "120s"],
        ["get", "clusters"],
        ["export", "kubeconfig", "--name", "shim", "--kubeconfig", str(again / "kubeconfig")]]
