"""assert_no_immutable_changes against a real API server: each case applies a base render,
then a server-side dry-run apply of the changed render; the gate flags exactly the changes the
API server refuses (a Service selector, accepted but flagged, is the documented exception)."""
from __future__ import annotations

import copy
import uuid

import pytest
import yaml

from pytest_kustomize.assertions import PolicyError, Waiver
from pytest_kustomize.diff import diff
from pytest_kustomize.engine.resource import Resource
from pytest_kustomize.gates import assert_no_immutable_changes, immutable_changes

LABELS = {"app": "web"}
POD = {"metadata": {"labels": LABELS},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
          "spec": {"replicas": 1, "selector": {"matchLabels": LABELS}, "template": POD}}
STS = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
       "spec": {"serviceName": "db", "selector": {"matchLabels": LABELS}, "template": POD,
                "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}]}}
JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
       "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
           {"name": "m", "image": "migrate:1"}]}}}}
RB = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
      "metadata": {"name": "read"},
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
      "subjects": [{"kind": "ServiceAccount", "name": "default"}]}
PVC = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
       "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                "resources": {"requests": {"storage": "1Gi"}}}}
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
      "immutable": True, "data": {"level": "info"}}
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
       "spec": {"selector": LABELS, "ports": [{"port": 80}]}}


def _set(obj, path, value):
    o = copy.deepcopy(obj)
    cur = o
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return o


CASES = {
    "deployment-selector": (DEPLOY, _set(_set(DEPLOY, ["spec", "selector"],
                                              {"matchLabels": {"app": "web2"}}),
                                         ["spec", "template", "metadata"],
                                         {"labels": {"app": "web2"}}), True),
    "deployment-replicas": (DEPLOY, _set(DEPLOY, ["spec", "replicas"], 3), False),
    "statefulset-claims": (STS, _set(STS, ["spec", "volumeClaimTemplates"], [
        {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                "resources": {"requests": {"storage": "2Gi"}}}}]),
        True),
    "statefulset-image": (STS, _set(STS, ["spec", "template"], {
        "metadata": {"labels": LABELS},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}), False),
    "job-template": (JOB, _set(JOB, ["spec", "template", "spec", "containers"],
                               [{"name": "m", "image": "migrate:2"}]), True),
    "rolebinding-roleref": (RB, _set(RB, ["roleRef", "name"], "writer"), True),
    "rolebinding-subjects": (RB, _set(RB, ["subjects"], [
        {"kind": "ServiceAccount", "name": "builder"}]), False),
    "pvc-storage-class": (PVC, _set(PVC, ["spec", "storageClassName"], "fast"), True),
    "immutable-configmap": (CM, _set(CM, ["data"], {"level": "debug"}), True),
    "configmap-labels": (CM, _set(CM, ["metadata"], {"name": "settings",
                                                     "labels": {"team": "a"}}), False),
}


def _render(obj, ns):
    d = copy.deepcopy(obj)
    d["metadata"]["namespace"] = ns
    return [Resource(d)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_gate_agrees_with_the_api_server(local_cluster, case):
    old, new, immutable = CASES[case]
    ns = "gate-%s-%s" % (case, uuid.uuid4().hex[:6])
    local_cluster.kubectl("create", "namespace", ns)
    local_cluster.apply(_render(old, ns))
    p = local_cluster.kubectl("apply", "--server-side", "--field-manager", "pytest-kustomize",
                              "--dry-run=server", "-f", "-",
                              input=yaml.safe_dump_all([r.data for r in _render(new, ns)]),
                              check=False)
    refused = p.returncode != 0
    assert refused == immutable, p.stderr
    if refused:
        assert " is invalid: " in p.stderr, p.stderr        # a validation refusal
    d = diff(_render(old, ns), _render(new, ns), by="id")
    assert d, "the case changes nothing"
    assert bool(immutable_changes(d)) == immutable, [str(v) for v in immutable_changes(d)]


def test_service_selector_is_flagged_though_the_server_accepts_it(local_cluster):
    ns = "gate-svc-%s" % uuid.uuid4().hex[:6]
    local_cluster.kubectl("create", "namespace", ns)
    local_cluster.apply(_render(SVC, ns))
    new = _set(SVC, ["spec", "selector"], {"app": "other"})
    p = local_cluster.kubectl("apply", "--server-side", "--field-manager", "pytest-kustomize",
                              "--dry-run=server", "-f", "-",
                              input=yaml.safe_dump_all([r.data for r in _render(new, ns)]))
    assert p.returncode == 0
    d = diff(_render(SVC, ns), _render(new, ns), by="id")
    with pytest.raises(PolicyError, match="moves its traffic"):
        assert_no_immutable_changes(d)


def test_pvc_shrink_and_waivers():
    small = _set(PVC, ["spec", "resources", "requests", "storage"], "512Mi")
    d = diff([Resource(PVC)], [Resource(small)], by="id")
    with pytest.raises(PolicyError, match=r"cannot shrink \(1Gi -> 512Mi\)"):
        assert_no_immutable_changes(d)
    assert_no_immutable_changes(d, waivers=[Waiver("PersistentVolumeClaim/data",
                                                   "immutable-fields", "recreated by hand")])
    grow = _set(PVC, ["spec", "resources", "requests", "storage"], "2G")
    assert not immutable_changes(diff([Resource(PVC)], [Resource(grow)], by="id"))
    with pytest.raises(PolicyError, match="unused waivers"):
        assert_no_immutable_changes(diff([Resource(PVC)], [Resource(grow)], by="id"),
                                    waivers=[Waiver("PersistentVolumeClaim/data",
                                                    "immutable-fields", "stale")])
