"""Staged server-side apply with drift detection, as fluxcd/pkg ``ssa`` does it for
kustomize-controller: CRDs, Namespaces and ClusterRoles first (then waited for), then
``*Class`` kinds (waited for), then the rest; in each stage every object is dry-run applied
and only new or drifted ones are applied, so an unchanged object keeps its resourceVersion.

Per-object annotations (or labels) of Flux's group, compared case-insensitively:
``kustomize.toolkit.fluxcd.io/ssa: Ignore`` and ``…/reconcile: disabled`` skip the object,
``…/ssa: IfNotPresent`` skips it once it exists, ``…/ssa: Merge`` keeps fields other
managers set, ``…/force: enabled`` deletes and recreates it when a field is immutable.
"""
from __future__ import annotations

import base64
import copy
from dataclasses import dataclass

from .client import ApplyFailed, KubeClient, object_id
from .inventory import Entry
from .wait import wait_for

FLUX = "kustomize.toolkit.fluxcd.io"
EXCLUDE = {FLUX + "/reconcile": "disabled", FLUX + "/ssa": "Ignore"}
IF_NOT_PRESENT = {FLUX + "/ssa": "IfNotPresent"}
FORCE = {FLUX + "/force": "enabled"}
MERGE = {FLUX + "/ssa": "Merge"}
PRUNE_EXCLUDE = {FLUX + "/prune": "disabled", **EXCLUDE}

CLEANUP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",
                       FLUX + "/checksum", "fluxcd.io/sync-checksum")
CLEANUP_LABELS = ("fluxcd.io/sync-gc-mark",)

CREATED, CONFIGURED, UNCHANGED, SKIPPED, DELETED = (
    "created", "configured", "unchanged", "skipped", "deleted")

_FIRST = ("CustomResourceDefinition", "Namespace", "ResourceQuota", "StorageClass",
          "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
          "ClusterRoleBinding", "ConfigMap", "Secret", "Service", "LimitRange",
          "PriorityClass", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget")
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_KIND_INDEX = {**{k: i - len(_FIRST) for i, k in enumerate(_FIRST)},
               **{k: i + 1 for i, k in enumerate(_LAST)}}


@dataclass(frozen=True)
class Change:
    """What a reconcile did to one object."""
    entry: Entry
    action: str

    @property
    def id(self) -> str:
        return self.entry.id

    def __str__(self) -> str:
        return "%s %s" % (self.entry.id, self.action)


def any_in_metadata(obj: dict | None, selector: dict) -> bool:
    md = (obj or {}).get("metadata") or {}
    labels, annotations = md.get("labels") or {}, md.get("annotations") or {}
    return any(str(src.get(k) or "").lower() == v.lower() and src.get(k)
               for k, v in selector.items() for src in (labels, annotations))


def sort_key(obj_or_entry) -> tuple:
    """Flux's apply order: by kind rank (CRDs and Namespaces first, webhooks last), then
    group, kind, namespace, name."""
    e = obj_or_entry if isinstance(obj_or_entry, Entry) else Entry.of(obj_or_entry)
    return (_KIND_INDEX.get(e.kind, 0), e.group, e.kind, e.namespace, e.name)


def stage(obj: dict) -> int:
    kind = obj.get("kind", "")
    group = obj.get("apiVersion", "").rpartition("/")[0]
    if (kind, group) in (("CustomResourceDefinition", "apiextensions.k8s.io"),
                         ("Namespace", "")) or kind.lower() == "clusterrole":
        return 0
    return 1 if kind.endswith("Class") else 2


def normalize(obj: dict) -> dict:
    """A copy ready to apply: no ``status`` (except on CRDs), no creationTimestamp, a
    Secret's ``stringData`` merged into ``data``."""
    out = copy.deepcopy(obj)
    if out.get("kind") != "CustomResourceDefinition":
        out.pop("status", None)
    (out.get("metadata") or {}).pop("creationTimestamp", None)
    if out.get("kind") == "Secret" and out.get("apiVersion") == "v1" and "stringData" in out:
        data = dict(out.get("data") or {})
        for k, v in (out.pop("stringData") or {}).items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        out["data"] = data
    return out


def drifted(live: dict | None, dry: dict) -> bool:
    """A new object, or labels, annotations or anything outside metadata and status
    differ between the live object and the dry-run result."""
    if live is None or not (dry.get("metadata") or {}).get("resourceVersion"):
        return True
    lm, dm = live.get("metadata") or {}, dry.get("metadata") or {}
    if (lm.get("labels") or {}) != (dm.get("labels") or {}) or \
            (lm.get("annotations") or {}) != (dm.get("annotations") or {}):
        return True
    strip = ("metadata", "status")
    return {k: v for k, v in live.items() if k not in strip} != \
        {k: v for k, v in dry.items() if k not in strip}


def cleanup_patch(desired: dict, live: dict | None, manager: str) -> list:
    """JSON patch removing kubectl's last-applied annotation and Flux's deprecated marks,
    and moving fields owned by ``kubectl*`` (Apply or Update), ``before-first-apply`` and
    ``manager`` (Update) into ``manager``'s Apply entry — unless ``ssa: Merge``."""
    if live is None or any_in_metadata(desired, MERGE) or any_in_metadata(live, MERGE):
        return []
    md = live.get("metadata") or {}
    patch = [{"op": "remove", "path": "/metadata/%s/%s" % (where, k.replace("~", "~0")
                                                             .replace("/", "~1"))}
             for where, keys in (("annotations", CLEANUP_ANNOTATIONS),
                                 ("labels", CLEANUP_LABELS))
             for k in keys if k in (md.get(where) or {})]
    entries = md.get("managedFields") or []
    ours = next((e for e in entries if e.get("manager") == manager
                 and e.get("operation") == "Apply"), None)
    kept, edited = [], False
    for e in entries:
        if e is ours:
            continue
        if not e.get("subresource") and _taken_over(e, manager):
            if ours is None:
                ours = dict(e, manager=manager, operation="Apply")
            else:
                ours = dict(ours, fieldsV1=_union(ours.get("fieldsV1") or {},
                                                  e.get("fieldsV1") or {}))
            edited = True
            continue
        kept.append(e)
    if edited:
        patch.append({"op": "replace", "path": "/metadata/managedFields",
                      "value": kept + [ours]})
    return patch


def _taken_over(entry: dict, manager: str) -> bool:
    name, op = entry.get("manager", ""), entry.get("operation")
    return (name.startswith("kubectl") and op in ("Apply", "Update")) or \
        (op == "Update" and (name.startswith("before-first-apply") or
                             name.startswith(manager)))


def _union(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _union(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) \
            else out.get(k, v)
    return out


def apply_all(client: KubeClient, objects: list, *, force: bool = False) -> list:
    """Dry-run every object of one stage, then apply the new and drifted ones; returns
    the :class:`Change` of each, in Flux's order."""
    changes, to_apply = [], []
    for obj in sorted(objects, key=sort_key):
        live = client.get(obj["apiVersion"], obj["kind"], obj["metadata"]["name"],
                          obj["metadata"].get("namespace"))
        if any_in_metadata(obj, EXCLUDE) or any_in_metadata(live, EXCLUDE) or \
                (live is not None and any_in_metadata(obj, IF_NOT_PRESENT)):
            changes.append(Change(Entry.of(live or obj), SKIPPED))
            continue
        dry = _dry_run(client, obj, live, force)
        patch = cleanup_patch(obj, live, client.field_manager)
        if patch:
            client.json_patch(live, patch)
        new = not (dry.get("metadata") or {}).get("resourceVersion")
        if patch or drifted(live, dry):
            to_apply.append(obj)
            changes.append(Change(Entry.of(dry), CREATED if new else CONFIGURED))
        else:
            changes.append(Change(Entry.of(dry), UNCHANGED))
    for obj in to_apply:
        client.apply(obj)
    return changes


def _dry_run(client: KubeClient, obj: dict, live: dict | None, force: bool) -> dict:
    try:
        return client.apply(obj, dry_run=True)
    except ApplyFailed as e:
        if live is None or not e.immutable or not (
                force or any_in_metadata(obj, FORCE) or any_in_metadata(live, FORCE)):
            raise
    md = live["metadata"]
    client.delete(live["apiVersion"], live["kind"], md["name"], md.get("namespace"))
    client.wait_gone(live["apiVersion"], live["kind"], md["name"], md.get("namespace"),
                     what=object_id(live) + " (recreated: immutable field changed)")
    return client.apply(obj, dry_run=True)


def apply_staged(client: KubeClient, objects: list, *, force: bool = False,
                 timeout: float = 60) -> list:
    """Apply in Flux's stages, waiting for the first two to be Current (CRDs Established)
    before the next; returns every :class:`Change` in apply order."""
    stages = ([], [], [])
    for obj in objects:
        stages[stage(obj)].append(obj)
    changes = []
    for i, objs in enumerate(stages):
        if not objs:
            continue
        cs = apply_all(client, objs, force=force)
        changes += cs
        if i < 2:
            wait_for(client, [c.entry for c in cs if c.action != SKIPPED], timeout=timeout,
                     interval=0.2)
    return changes
