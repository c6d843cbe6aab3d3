"""Queries on a real render (examples/shop/overlays/production, which kubectl renders the
same way — see tests/engine and docs/kustomize-v5.8.1.md)."""
import os

import pytest

import pytest_kustomize
from pytest_kustomize import QueryError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROD = os.path.join(ROOT, "examples", "shop", "overlays", "production")


@pytest.fixture(scope="module")
def prod():
    return pytest_kustomize.build(PROD)


def test_select_by_every_criterion(prod):
    assert [r.kind for r in prod.select("Deployment")] == ["Deployment"]
    assert len(prod.select(api_version="v1")) == 4         # SA, ConfigMap, Secret, Service
    assert len(prod.select(group="apps")) == 1
    assert len(prod.select(namespace="shop-prod")) == len(prod)
    # the base's labels reach the base's objects, not the component's ServiceMonitor
    labelled = prod.select(labels={"app.kubernetes.io/name": "shop"})
    assert len(labelled) == len(prod) - 1 and "ServiceMonitor" not in labelled.kinds()
    assert prod.select(labels="app.kubernetes.io/name=shop,!missing") == labelled
    assert prod.select(labels="!app.kubernetes.io/name").kinds() == ["ServiceMonitor"]
    assert prod.select(annotations={"prometheus.io/scrape": "true"}) == []
    assert len(prod.select(where=lambda r: "spec" in r and r.kind.startswith("S"))) == 2


def test_one_lists_candidates_when_ambiguous_or_missing(prod):
    with pytest.raises(QueryError) as ei:
        prod.one(api_version="v1")
    assert "4 resources match" in str(ei.value) and "ConfigMap.v1.[noGrp]" in str(ei.value)
    with pytest.raises(QueryError) as ei:
        prod.one("Deployment", "nope")
    assert "no resource matches" in str(ei.value) and "Deployment.v1.apps/web" in str(ei.value)
    # no resource of that kind at all: the message lists what the render does have
    with pytest.raises(QueryError) as ei:
        prod.one("StatefulSet")
    assert "the render has: " in str(ei.value) and "Deployment.v1.apps/web" in str(ei.value)


def test_generated_names_and_field_paths(prod):
    cm = prod.get("ConfigMap", "web-config")
    assert cm.name.startswith("web-config-") and len(cm.name) == len("web-config-") + 10
    assert prod.get("ConfigMap", cm.name) is cm
    web = prod.get("Deployment", "web")
    assert web.get("spec.template.spec.containers.[name=web].envFrom[0].configMapRef.name") \
        == cm.name
    assert web.get("spec.template.spec.containers[0].ports[0].containerPort") == 8080
    assert web.get("spec.template.metadata.annotations.[prometheus.io/scrape]") == "true"
    assert web.get("spec.missing", "default") == "default"
    assert web.get_all("spec.template.spec.containers.*.name") == ["web"]


@pytest.mark.parametrize("path", ["spec..replicas", "spec.template.spec.containers.[name=web",
                                  "spec.[]", "spec]", ""])
def test_malformed_field_paths_are_errors_not_misses(prod, path):
    from pytest_kustomize.query import FieldPathError
    web = prod.get("Deployment", "web")
    with pytest.raises(FieldPathError, match="malformed field path"):
        web.get(path)


def test_references_follow_generated_names(prod):
    web = prod.get("Deployment", "web")
    kinds = sorted(r.kind for r in prod.references(web))
    assert kinds == ["ConfigMap", "Secret", "ServiceAccount"]
    hpa = prod.get("HorizontalPodAutoscaler", "web")
    assert prod.references(hpa) == [web]
    assert prod.unresolved_references() == []


def test_resource_knows_id_source_and_yaml(prod):
    web = prod.get("Deployment", "web")
    assert str(web.id) == "Deployment.v1.apps/web.shop-prod"
    assert web.source.endswith(os.path.join("shop", "base", "deployment.yaml"))
    assert web.to_yaml().startswith("apiVersion: apps/v1\nkind: Deployment\n")
    assert web["spec"]["replicas"] == 3
