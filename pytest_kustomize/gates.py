"""Pre-merge gates on a diff of two refs (``gitdiff.diff_refs``) or of two renders
(``diff.diff(old, new, by="id")``), as pytest assertions with waivers.

Each ``assert_*`` raises ``PolicyError`` listing what it found and the waivers that matched
nothing: ``assert_prunes_nothing``, ``assert_no_immutable_changes`` (what ``kubectl apply``
would refuse with "field is immutable"), ``assert_only_changed``, ``assert_builds``;
``image_changes`` lists the container images that change, old → new, per workload. With the
Flux Kustomizations owning the overlays (``flux_owners``): ``removals`` says what a removal
means (``prune: true`` deletes, ``prune: false`` orphans), ``assert_orphans_nothing``,
``assert_no_suspended_changes``.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Iterable

from .policy import PolicyError, Violation, Waiver, _report
from .workloads import containers
from .diff import ADDED, CHANGED, REMOVED, OverlayDiff
from .engine import yamlio
from .engine.fs import DISK
from .engine.resource import Resource
from .errors import KustomizeError
from .gitdiff import RefDiff
from .sources.git import GitTreeFS, open_repo

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
def assert_prunes_nothing(d, *, waivers: Iterable[Waiver] = (),
                          owners: dict | None = None) -> None:
    """No object of the base render is missing at head (a GitOps prune would delete it).
    With ``owners`` (overlay -> Flux Kustomization, see ``flux_owners``) only removals that
    Flux deletes count: ``prune: false`` and annotated objects are orphaned instead."""
    if owners is None:
        bad = [Violation(o.old, "", "%sremoved at head: a prune deletes it" % _where(name))
               for name, o in _objects(d) if o.status == REMOVED]
    else:
        bad = [Violation(r.resource, "", "%sdeleted: %s" % (_where(r.overlay), r.why))
               for r in removals(d, owners) if r.fate != "orphaned"]
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


# -- Flux ------------------------------------------------------------------------------
FLUX_GROUP = "kustomize.toolkit.fluxcd.io"
PRUNE_ANNOTATION = FLUX_GROUP + "/prune"


def flux_kustomizations(root: str, ref: str | None = None) -> list:
    """Every Flux Kustomization object (``kustomize.toolkit.fluxcd.io``) in the YAML files
    below ``root``, as the work tree (``ref`` None) or a commit has them."""
    repo = open_repo(root)
    fs = GitTreeFS(repo, ref) if ref is not None else DISK
    out = []
    for path in _yaml_files(fs, os.path.realpath(root)):
        try:
            docs = yamlio.load_documents(fs.read_bytes(path).decode("utf-8", "replace"), path)
        except (KustomizeError, OSError):
            continue          # not a manifest (a values file, a template): not a Kustomization
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "Kustomization" and \
                    str(doc.get("apiVersion", "")).startswith(FLUX_GROUP + "/"):
                out.append(doc)
    return out


def _yaml_files(fs, d: str) -> list:
    out = []
    for name in fs.listdir(d):
        if name == ".git":
            continue
        p = os.path.join(d, name)
        if fs.isdir(p):
            out.extend(_yaml_files(fs, p))
        elif name.endswith((".yaml", ".yml")) and fs.isfile(p):
            out.append(p)
    return out


def flux_owners(overlays, kustomizations, repo_root: str) -> dict:
    """Overlay path -> the Flux Kustomization whose ``spec.path`` (relative to the repository
    root, as in the GitRepository source) is that directory."""
    owners = {}
    for ks in kustomizations:
        spec = ks.get("spec") if isinstance(ks.get("spec"), dict) else {}
        p = os.path.realpath(os.path.join(repo_root, str(spec.get("path") or ".").lstrip("/")))
        for o in overlays:
            if os.path.realpath(o) == p:
                owners[o] = ks
    return owners


@dataclass(frozen=True)
class Removal:
    overlay: str
    resource: object
    fate: str              # "deleted" (pruned), "orphaned" (left, unmanaged), "removed"
    why: str

    def __str__(self) -> str:
        return "%s%s: %s (%s)" % (_where(self.overlay), self.resource.id, self.fate, self.why)


def removals(d, owners: dict | None = None) -> list:
    """What happens to each object missing at head: under a Flux Kustomization with
    ``prune: true`` it is deleted (unless it carries ``kustomize.toolkit.fluxcd.io/prune:
    disabled``), with ``prune: false`` it is orphaned (left in the cluster, unmanaged);
    without a known owner it is "removed"."""
    out = []
    for name, o in _objects(d):
        if o.status != REMOVED:
            continue
        ks = (owners or {}).get(name)
        if ks is None:
            out.append(Removal(name, o.old, "removed", "no Flux Kustomization known"))
            continue
        ks_name = "Kustomization %s" % ks.get("metadata", {}).get("name")
        if o.old.annotations.get(PRUNE_ANNOTATION) == "disabled":
            out.append(Removal(name, o.old, "orphaned", "%s annotation" % PRUNE_ANNOTATION))
        elif (ks.get("spec") or {}).get("prune") is True:
            out.append(Removal(name, o.old, "deleted", "%s has prune: true" % ks_name))
        else:
            out.append(Removal(name, o.old, "orphaned", "%s has prune: false" % ks_name))
    return out


def assert_orphans_nothing(d, owners: dict, *, waivers: Iterable[Waiver] = ()) -> None:
    """No removal leaves an object orphaned (``prune: false`` or the prune annotation)."""
    bad = [Violation(r.resource, "", "%sorphaned: %s" % (_where(r.overlay), r.why))
           for r in removals(d, owners) if r.fate == "orphaned"]
    _report("orphans-nothing", bad, waivers)


def assert_no_suspended_changes(d, owners: dict, base_owners: dict | None = None, *,
                                waivers: Iterable[Waiver] = ()) -> None:
    """No change lands under a suspended Flux Kustomization (it would not roll out), and no
    ``spec.suspend`` flips between ``base_owners`` and ``owners``."""
    bad = []
    for name, od in _overlays(d):
        ks = owners.get(name)
        if ks is None:
            continue
        suspended = bool((ks.get("spec") or {}).get("suspend"))
        before = (base_owners or {}).get(name)
        was = bool((before.get("spec") or {}).get("suspend")) if before else suspended
        if was != suspended:
            bad.append(Violation(Resource(ks), "spec.suspend", "%sspec.suspend %s -> %s%s"
                                 % (_where(name), was, suspended,
                                    ": every pending change rolls out" if was else
                                    ": later changes stop rolling out")))
        if suspended and od:
            for o in od.objects:
                bad.append(Violation(o.resource, "", "%s%s under a suspended Kustomization "
                                     "%s: it will not roll out" % (
                                         _where(name), o.status,
                                         ks.get("metadata", {}).get("name"))))
    _report("suspended", bad, waivers)


def assert_builds(d: RefDiff) -> None:
    """Every overlay renders at head (and at base, so that the diff means something)."""
    bad = [o for o in d.overlays if o.error]
    if bad:
        raise PolicyError("builds: %d overlay(s) do not render\n%s" % (
            len(bad), "\n".join("  %s: %s" % (o.path, o.error) for o in bad)))


__all__ = ["assert_prunes_nothing", "assert_no_immutable_changes", "immutable_changes",
           "image_changes", "ImageChange", "assert_only_changed", "assert_builds",
           "parse_quantity", "flux_kustomizations", "flux_owners", "removals", "Removal",
           "assert_orphans_nothing", "assert_no_suspended_changes", "ADDED", "REMOVED",
           "CHANGED"]
