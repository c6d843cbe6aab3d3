"""kstatus: whether a live object is Current, InProgress, Failed or Terminating, with the
rules of sigs.k8s.io/cli-utils ``pkg/kstatus/status`` (and Flux's Job rule: a running Job is
InProgress, a completed one Current)."""
from __future__ import annotations

import datetime

CURRENT, IN_PROGRESS, FAILED, TERMINATING, NOT_FOUND = (
    "Current", "InProgress", "Failed", "Terminating", "NotFound")


def _conditions(obj: dict) -> dict:
    return {c.get("type"): c for c in ((obj.get("status") or {}).get("conditions") or [])
            if isinstance(c, dict)}


def _is(cond: dict | None, status: str = "True") -> bool:
    return bool(cond) and cond.get("status") == status


def compute(obj: dict | None) -> tuple:
    """(status, message) of a live object (None: NotFound)."""
    if obj is None:
        return NOT_FOUND, "not found"
    md = obj.get("metadata") or {}
    if md.get("deletionTimestamp"):
        return TERMINATING, "resource scheduled for deletion"
    status = obj.get("status") or {}
    observed = status.get("observedGeneration")
    if observed is not None and md.get("generation") is not None \
            and observed != md.get("generation"):
        return IN_PROGRESS, "%s generation is %s, but latest observed generation is %s" % (
            obj.get("kind"), md.get("generation"), observed)
    conds = _conditions(obj)
    if _is(conds.get("Reconciling")):
        return IN_PROGRESS, conds["Reconciling"].get("message") or "Reconciling"
    if _is(conds.get("Stalled")):
        return FAILED, conds["Stalled"].get("message") or "Stalled"
    group = obj.get("apiVersion", "").rpartition("/")[0]
    rule = _RULES.get((group, obj.get("kind")))
    if rule:
        return rule(obj, status, conds)
    ready = conds.get("Ready")
    if ready is None:
        return CURRENT, "Resource is current"
    if _is(ready):
        return CURRENT, ready.get("message") or "Resource is Ready"
    return IN_PROGRESS, ready.get("message") or "Resource not Ready"


def _replicas(obj: dict) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def _deployment(obj, status, conds):
    want = _replicas(obj)
    got = {k: int(status.get(k) or 0) for k in
           ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")}
    prog = conds.get("Progressing")
    if prog and prog.get("reason") == "ProgressDeadlineExceeded":
        return FAILED, "Progress deadline exceeded"
    progressing = (_is(prog) and prog.get("reason") == "NewReplicaSetAvailable") or \
        (obj.get("spec") or {}).get("progressDeadlineSeconds") is None
    checks = ((want > got["replicas"], "Replicas: %d/%d" % (got["replicas"], want)),
              (want > got["updatedReplicas"], "Updated: %d/%d" % (got["updatedReplicas"], want)),
              (got["replicas"] > want, "Pending termination: %d" % (got["replicas"] - want)),
              (got["updatedReplicas"] > got["availableReplicas"],
               "Available: %d/%d" % (got["availableReplicas"], got["updatedReplicas"])),
              (want > got["readyReplicas"], "Ready: %d/%d" % (got["readyReplicas"], want)),
              (not progressing, "ReplicaSet not Available"),
              (not _is(conds.get("Available")), "Deployment not Available"))
    for bad, msg in checks:
        if bad:
            return IN_PROGRESS, msg
    return CURRENT, "Deployment is available. Replicas: %d" % got["replicas"]


def _statefulset(obj, status, conds):
    spec = obj.get("spec") or {}
    if (spec.get("updateStrategy") or {}).get("type") == "OnDelete":
        return CURRENT, "StatefulSet is using the OnDelete update strategy"
    want = _replicas(obj)
    got = {k: int(status.get(k) or 0) for k in
           ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas")}
    if want > got["replicas"]:
        return IN_PROGRESS, "Replicas: %d/%d" % (got["replicas"], want)
    if want > got["readyReplicas"]:
        return IN_PROGRESS, "Ready: %d/%d" % (got["readyReplicas"], want)
    if got["replicas"] > want:
        return IN_PROGRESS, "Pending termination: %d" % (got["replicas"] - want)
    partition = ((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get(
        "partition")
    if partition:
        if got["updatedReplicas"] < want - int(partition):
            return IN_PROGRESS, "updated: %d/%d" % (got["updatedReplicas"],
                                                    want - int(partition))
        return CURRENT, "Partition rollout complete. updated: %d" % got["updatedReplicas"]
    if want > got["currentReplicas"]:
        return IN_PROGRESS, "current: %d/%d" % (got["currentReplicas"], want)
    if status.get("currentRevision") != status.get("updateRevision"):
        return IN_PROGRESS, "Waiting for updated revision %s" % status.get("updateRevision")
    return CURRENT, "All replicas scheduled as expected. Replicas: %d" % got["replicas"]


def _daemonset(obj, status, conds):
    if status.get("observedGeneration") is None:
        return IN_PROGRESS, "DaemonSet status not observed yet"
    if status.get("desiredNumberScheduled") is None:
        return IN_PROGRESS, "Missing .status.desiredNumberScheduled"
    want = int(status["desiredNumberScheduled"])
    for key in ("currentNumberScheduled", "updatedNumberScheduled", "numberAvailable",
                "numberReady"):
        if want > int(status.get(key) or 0):
            return IN_PROGRESS, "%s: %d/%d" % (key, int(status.get(key) or 0), want)
    return CURRENT, "All replicas scheduled as expected. Replicas: %d" % want


def _replicaset(obj, status, conds):
    if _is(conds.get("ReplicaFailure")):
        return IN_PROGRESS, "Replica Failure condition. Check Pods"
    want = _replicas(obj)
    for key in ("fullyLabeledReplicas", "availableReplicas", "readyReplicas"):
        if want > int(status.get(key) or 0):
            return IN_PROGRESS, "%s: %d/%d" % (key, int(status.get(key) or 0), want)
    if int(status.get("replicas") or 0) > want:
        return IN_PROGRESS, "Pending termination"
    return CURRENT, "ReplicaSet is available. Replicas: %d" % want


def _job(obj, status, conds):
    if (obj.get("spec") or {}).get("suspend"):
        return CURRENT, "Job is suspended"
    if _is(conds.get("Failed")):
        return FAILED, conds["Failed"].get("message") or "Job failed"
    if _is(conds.get("Complete")):
        return CURRENT, "Job completed"
    return IN_PROGRESS, "Job in progress"


def _pod(obj, status, conds):
    phase = status.get("phase")
    if phase == "Succeeded":
        return CURRENT, "Pod has completed successfully"
    if phase == "Failed":
        return CURRENT, "Pod has completed, but not successfully"
    for cs in status.get("containerStatuses") or []:
        if ((cs.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff":
            return FAILED, "Container %s in CrashLoopBackOff" % cs.get("name")
    if phase == "Running" and _is(conds.get("Ready")):
        return CURRENT, "Pod is Ready"
    sched = conds.get("PodScheduled")
    if phase == "Pending" and _is(sched, "False") and sched.get("reason") == "Unschedulable" \
            and _older_than(sched.get("lastTransitionTime"), 15):
        return FAILED, sched.get("message") or "Pod could not be scheduled"
    return IN_PROGRESS, "Pod phase %s" % (phase or "unknown")


def _older_than(ts: str | None, seconds: float) -> bool:
    if not ts:
        return False
    then = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return (datetime.datetime.now(datetime.timezone.utc) - then).total_seconds() > seconds


def _pvc(obj, status, conds):
    if status.get("phase") == "Bound":
        return CURRENT, "PVC is Bound"
    return IN_PROGRESS, "PVC is not Bound. phase: %s" % status.get("phase")


def _crd(obj, status, conds):
    if _is(conds.get("NamesAccepted"), "False"):
        return FAILED, conds["NamesAccepted"].get("message") or "Names not accepted"
    est = conds.get("Established")
    if _is(est):
        return CURRENT, "CRD is established"
    if _is(est, "False") and est.get("reason") != "Installing":
        return FAILED, est.get("message") or "CRD not established"
    return IN_PROGRESS, "Install in progress"


def _service(obj, status, conds):
    spec = obj.get("spec") or {}
    if spec.get("type") == "LoadBalancer" and not spec.get("clusterIP"):
        return IN_PROGRESS, "ClusterIP not set. Service type: LoadBalancer"
    return CURRENT, "Service is ready"


def _always(obj, status, conds):
    return CURRENT, "Resource is always ready"


_RULES = {
    ("apps", "Deployment"): _deployment, ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset, ("apps", "ReplicaSet"): _replicaset,
    ("batch", "Job"): _job, ("", "Pod"): _pod, ("", "PersistentVolumeClaim"): _pvc,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd, ("", "Service"): _service,
    ("", "ConfigMap"): _always, ("", "Secret"): _always, ("batch", "CronJob"): _always,
    ("policy", "PodDisruptionBudget"): _always,
}
