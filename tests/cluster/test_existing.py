"""A cluster given by a kubeconfig (here: the local API server's), and bad kubeconfigs."""
from __future__ import annotations

import os

import pytest

import pytest_kustomize
from pytest_kustomize.cluster import ClusterError, ExistingCluster

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_existing_cluster_reaches_the_server_and_applies(local_cluster):
    with ExistingCluster(local_cluster.kubeconfig) as c:
        assert c.provider == "kubeconfig"
        assert c.server == local_cluster.server
        c.apply(pytest_kustomize.build(os.path.join(ROOT, "examples", "overlays",
                                                    "production")))
        assert c.get("deployment", "nginx", "default")["spec"]["replicas"] == 3


def test_unknown_context_names_the_file_and_the_contexts(local_cluster):
    with pytest.raises(ClusterError) as e:
        ExistingCluster(local_cluster.kubeconfig, context="prod").start()
    assert str(e.value) == ("%s: field contexts: context 'prod' not found (have: "
                            "pytest-kustomize-local)" % local_cluster.kubeconfig)


def test_missing_and_broken_kubeconfigs(tmp_path):
    with pytest.raises(ClusterError, match="cannot read kubeconfig: No such file"):
        ExistingCluster(str(tmp_path / "nope")).start()
    bad = tmp_path / "bad"
    bad.write_text("clusters: [\n")
    with pytest.raises(ClusterError, match="kubeconfig is not valid YAML") as e:
        ExistingCluster(str(bad)).start()
    assert e.value.file == str(bad)


def test_a_server_that_does_not_answer(local_cluster, tmp_path):
    text = open(local_cluster.kubeconfig).read().replace(local_cluster.server,
                                                         "https://127.0.0.1:1")
    kc = tmp_path / "kc"
    kc.write_text(text)
    with pytest.raises(ClusterError, match="kubectl get --raw /readyz failed"):
        ExistingCluster(str(kc)).start()


def test_a_kubeconfig_cluster_reconciles_waits_and_prunes(local_cluster):
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ex-rc"}},
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "a", "namespace": "ex-rc"}, "data": {"k": "v"}},
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "api", "namespace": "ex-rc"},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                      "template": {"metadata": {"labels": {"app": "api"}},
                                   "spec": {"containers": [{"name": "api",
                                                            "image": "example/api:1"}]}}}}]
    with ExistingCluster(local_cluster.kubeconfig) as c:
        r = c.reconcile(docs, name="ex", wait=True, timeout=90)
        assert r.ids("created") == ["Namespace/ex-rc", "ConfigMap/ex-rc/a",
                                    "Deployment/ex-rc/api"]
        assert c.get("deployment", "api", "ex-rc")["status"]["availableReplicas"] == 2
    with ExistingCluster(local_cluster.kubeconfig) as c:     # a new client, same inventory
        r = c.reconcile([docs[0], docs[2]], name="ex", wait=True, timeout=90)
        assert r.ids("deleted") == ["ConfigMap/ex-rc/a"]
        assert r.ids("unchanged") == ["Namespace/ex-rc", "Deployment/ex-rc/api"]
        assert c.get("configmap", "a", "ex-rc") is None
