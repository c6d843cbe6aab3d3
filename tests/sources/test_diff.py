"""diff(): pairing by id, ignore rules, masked Secret changes, one result type."""
from __future__ import annotations

import json

import pytest

from pytest_kustomize.diff import MASK, diff
from pytest_kustomize.engine.resource import Resource


def _dep(name="web", replicas=3, image="nginx:1.27", ns="prod"):
    return Resource({"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": name, "namespace": ns,
                                  "annotations": {"deployed.at": "monday"}},
                     "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                         {"name": "web", "image": image}]}}}})


def _secret(**data):
    return Resource({"apiVersion": "v1", "kind": "Secret",
                     "metadata": {"name": "db", "namespace": "prod"}, "data": data})


def test_field_changes_and_summary():
    d = diff([_dep()], [_dep(replicas=5, image="nginx:1.28")], by="id")
    assert [str(c) for c in d.objects[0].changes] == [
        "spec.replicas: 3 -> 5",
        "spec.template.spec.containers[0].image: 'nginx:1.27' -> 'nginx:1.28'"]
    assert d.summary() == "1 changed"
    assert list(d.changed) == ["Deployment.v1.apps/web.prod"]


def test_by_id_a_rename_is_a_removal_and_an_addition():
    d = diff([_dep("web")], [_dep("web2")], by="id")
    assert [(o.status, o.label) for o in d.objects] == [
        ("removed", "Deployment.v1.apps/web.prod"), ("added", "Deployment.v1.apps/web2.prod")]
    assert d.summary() == "1 added, 1 removed"
    moved = diff([_dep(ns="prod")], [_dep(ns="staging")], by="id")
    assert [o.status for o in moved.objects] == ["removed", "added"]


def test_ignore_rules():
    old, new = [_dep()], [_dep(replicas=5)]
    new[0].data["metadata"]["annotations"]["deployed.at"] = "tuesday"
    assert len(diff(old, new, by="id").objects[0].changes) == 2
    d = diff(old, new, by="id", ignore=["metadata.annotations"])
    assert [c.path for c in d.objects[0].changes] == ["spec.replicas"]
    assert not diff(old, new, by="id", ignore=["metadata.annotations.*", "Deployment:spec"])
    assert diff(old, new, by="id", ignore=["metadata.annotations", "Service:spec"])
    assert not diff(old, new, by="id",
                    ignore=[lambda r, c: r.kind == "Deployment"])
    with pytest.raises(ValueError, match="ignore rule"):
        diff(old, new, ignore=[3])


def test_secret_values_masked_but_changes_shown():
    old = [_secret(password="aHVudGVyMg==", user="YWRtaW4=")]
    new = [_secret(password="c3dvcmRmaXNo", user="YWRtaW4=", token="dG9r")]
    d = diff(old, new, by="id")
    changes = {c.path: c for c in d.objects[0].changes}
    assert set(changes) == {"data.password", "data.token"}      # user unchanged: not shown
    assert str(changes["data.password"]) == "data.password: %s -> %s (value changed)" % (
        MASK, MASK)
    assert changes["data.token"].new == MASK
    text = str(d) + json.dumps(d.to_dict())
    for secret in ("aHVudGVyMg==", "c3dvcmRmaXNo", "dG9r", "YWRtaW4="):
        assert secret not in text
    assert not diff(old, [_secret(password="aHVudGVyMg==", user="YWRtaW4=")], by="id")
    raw = diff(old, new, by="id", mask_secrets=False)
    assert "c3dvcmRmaXNo" in str(raw)


def test_generated_names_pair_across_a_hash_change():
    a, b = (Resource({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "cfg-%s" % h}, "data": {"k": v}}) for h, v in
            (("abc", "1"), ("def", "2")))
    for r, orig in ((a, "cfg"), (b, "cfg")):
        r.needs_hash = True
        r.previous_ids = [Resource({"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": orig}}).id]
    d = diff([a], [b], by="id")
    assert [o.status for o in d.objects] == ["changed"]
    assert sorted(c.path for c in d.objects[0].changes) == ["data.k", "metadata.name"]
