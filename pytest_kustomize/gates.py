"""Pre-merge gates on a diff of two refs (``gitdiff.diff_refs``) or of two renders
(``diff.diff(old, new, by="id")``), as pytest assertions with waivers.

Each ``assert_*`` raises ``PolicyError`` listing what it found and the waivers that matched
nothing: ``assert_prunes_nothing``, ``assert_no_immutable_changes`` (what ``kubectl apply``
would refuse with "field is immutable"), ``assert_only_changed``, ``assert_builds``;
``image_changes`` lists the container images that change, old → new, per workload.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Iterable

from .assertions import PolicyError, Violation, Waiver, _report, containers
from .diff import ADDED, CHANGED, REMOVED, OverlayDiff
from .gitdiff import RefDiff

# kind -> (field path prefix, what the API server says), for a changed object
IMMUTABLE = {
    "Deployment": [("spec.selector", "the selector is immutable")],
    "ReplicaSet": [("spec.selector", "the selector is immutable")],
    "DaemonSet": [("spec.selector", "the selector is immutable")],
    "StatefulSet": [("spec.selector", "the selector is immutable"),
                    ("spec.volumeClaimTemplates", "volumeClaimTemplates are immutable"),
                    ("spec.serviceName", "serviceName is immutable"),
                    ("spec.podManagementPolicy", "podManagementPolicy is immutable")],
    "Job": [("spec.selector", "the selector is immutable"),
            ("spec.template", "the pod template of a Job is immutable"),
            ("spec.completionMode", "completionMode is immutable")],
    "Service": [("spec.clusterIP", "clusterIP is immutable"),
                ("spec.selector", "a Service selector change moves its traffic to other pods")],
    "PersistentVolumeClaim": [("spec.storageClassName", "storageClassName is immutable"),
                              ("spec.accessModes", "accessModes are immutable"),
                              ("spec.volumeMode", "volumeMode is immutable"),
                              ("spec.volumeName", "volumeName is immutable"),
                              ("spec.selector", "the selector is immutable"),
                              ("spec.dataSource", "dataSource is immutable")],
    "RoleBinding": [("roleRef", "roleRef is immutable")],
    "ClusterRoleBinding": [("roleRef", "roleRef is immutable")],
}


def _overlays(d) -> list:
    """(overlay name, OverlayDiff) pairs of a RefDiff or an OverlayDiff."""
    if isinstance(d, RefDiff):
        return [(o.path, o.diff) for o in d.overlays]
    if isinstance(d, OverlayDiff):
        return [(d.name, d)]
    raise TypeError("expected a RefDiff or an OverlayDiff, got %r" % type(d).__name__)


def _objects(d):
    for name, od in _overlays(d):
        for o in od.objects:
            yield name, o


def _in(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")


def _where(name: str) -> str:
    return "%s: " % name if name else ""


# -- prunes ------------------------------------------------------------------------------
def assert_prunes_nothing(d, *, waivers: Iterable[Waiver] = ()) -> None:
    """No object of the base render is missing at head (a GitOps prune would delete it)."""
    bad = [Violation(o.old, "", "%sremoved at head: a prune deletes it" % _where(name))
           for name, o in _objects(d) if o.status == REMOVED]
    _report("prunes-nothing", bad, waivers)


# -- immutable fields --------------------------------------------------------------------
def immutable_changes(d) -> list:
    """Violations for every change the API server refuses on update (or, for a Service
    selector, that silently moves traffic)."""
    out = []
    for name, o in _objects(d):
        if o.status != CHANGED:
            continue
        rules = IMMUTABLE.get(o.new.kind, [])
        flagged = set()
        for c in o.changes:
            for prefix, why in rules:
                if _in(c.path, prefix) and prefix not in flagged:
                    flagged.add(prefix)
                    out.append(Violation(o.new, prefix, "%s%s (%s)" % (_where(name), why, c)))
        if o.new.kind == "PersistentVolumeClaim":
            out.extend(_pvc_shrink(name, o))
        if o.new.kind in ("ConfigMap", "Secret") and o.old.data.get("immutable") is True:
            for c in o.changes:
                if _in(c.path, "data") or _in(c.path, "binaryData") or \
                        _in(c.path, "stringData"):
                    out.append(Violation(o.new, c.path, "%sdata of an immutable %s changed"
                                         % (_where(name), o.new.kind)))
                    break
    return out


def _pvc_shrink(name, o) -> list:
    path = ("spec", "resources", "requests", "storage")
    old, new = _get(o.old.data, path), _get(o.new.data, path)
    a, b = parse_quantity(old), parse_quantity(new)
    if a is not None and b is not None and b < a:
        return [Violation(o.new, "spec.resources.requests.storage",
                          "%sa PersistentVolumeClaim cannot shrink (%s -> %s)"
                          % (_where(name), old, new))]
    return []


def _get(data, path):
    for p in path:
        if not isinstance(data, dict):
            return None
        data = data.get(p)
    return data


_SUFFIX = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
           "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
           "Ei": 2**60, "m": 10**-3}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?([a-zA-Z]*)$")


def parse_quantity(v) -> float | None:
    """A Kubernetes quantity (``10Gi``, ``500M``, ``1e3``) as a number; None if not one."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    m = _QUANTITY.match(str(v).strip())
    if not m or m.group(3) not in _SUFFIX:
        return None
    return float(m.group(1)) * (10 ** int(m.group(2) or 0)) * _SUFFIX[m.group(3)]


def assert_no_immutable_changes(d, *, waivers: Iterable[Waiver] = ()) -> None:
    """No change that apply would refuse ("field is immutable"): workload selectors,
    StatefulSet volumeClaimTemplates, PVC storage class or a shrinking size, binding
    roleRefs, Job templates, data of immutable ConfigMaps/Secrets; Service selectors too."""
    _report("immutable-fields", immutable_changes(d), waivers)


# -- images ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageChange:
    overlay: str
    workload: str          # the object's id
    container: str
    old: str | None        # None: a container added
    new: str | None        # None: a container removed

    def __str__(self) -> str:
        return "%s%s %s: %s -> %s" % (_where(self.overlay), self.workload, self.container,
                                      self.old or "(none)", self.new or "(none)")


def image_changes(d) -> list:
    """Every container image that differs, old -> new, per workload and container (objects
    added or removed count, with None on the absent side)."""
    out = []
    for name, o in _objects(d):
        old = _images(o.old) if o.old is not None else {}
        new = _images(o.new) if o.new is not None else {}
        label = str(o.resource.id)
        for c in sorted(set(old) | set(new)):
            if old.get(c) != new.get(c):
                out.append(ImageChange(name, label, c, old.get(c), new.get(c)))
    return out


def _images(r) -> dict:
    return {"%s%s" % ("init:" if ".initContainers[" in p else "", c.get("name", p)):
            str(c.get("image")) for p, c in containers(r)}


# -- scope -------------------------------------------------------------------------------
def assert_only_changed(d, *, kinds: Iterable[str] = (), fields: Iterable[str] = (),
                        waivers: Iterable[Waiver] = ()) -> None:
    """Every difference is in one of ``kinds`` and (for changes) under one of ``fields``
    (field paths, fnmatch patterns, ``Kind:path`` for one kind). Empty: anything allowed."""
    kinds, fields = list(kinds), list(fields)
    bad = []
    for name, o in _objects(d):
        r = o.resource
        if kinds and r.kind not in kinds:
            bad.append(Violation(r, "", "%s%s, and %s is not among %s"
                                 % (_where(name), o.status, r.kind, kinds)))
            continue
        if fields and o.status != CHANGED:
            bad.append(Violation(r, "", "%s%s (only field changes allowed)"
                                 % (_where(name), o.status)))
            continue
        for c in o.changes if fields else ():
            if not any(_field_ok(r.kind, c.path, f) for f in fields):
                bad.append(Violation(r, c.path, "%schanged outside %s (%s)"
                                     % (_where(name), fields, c)))
    _report("only-changed", bad, waivers)


def _field_ok(kind: str, path: str, rule: str) -> bool:
    k, sep, p = rule.partition(":")
    if not sep:
        k, p = "", rule
    if k and k != kind:
        return False
    return fnmatch.fnmatchcase(path, p) or _in(path, p)


def assert_builds(d: RefDiff) -> None:
    """Every overlay renders at head (and at base, so that the diff means something)."""
    bad = [o for o in d.overlays if o.error]
    if bad:
        raise PolicyError("builds: %d overlay(s) do not render\n%s" % (
            len(bad), "\n".join("  %s: %s" % (o.path, o.error) for o in bad)))


__all__ = ["assert_prunes_nothing", "assert_no_immutable_changes", "immutable_changes",
           "image_changes", "ImageChange", "assert_only_changed", "assert_builds",
           "parse_quantity", "ADDED", "REMOVED", "CHANGED"]
