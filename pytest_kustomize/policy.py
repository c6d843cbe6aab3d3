"""Policy checks for rendered resources (images pinned, limits, probes, namespaces,
references, image overrides, placeholders, selectors) and the waiver framework: a
:class:`Waiver` exempts a resource from a check for a stated reason, and waivers that
matched nothing are reported so stale exceptions do not pile up."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Iterable

from .engine.resid import is_cluster_scoped
from .engine.transformers.images import new_image, split
from .engine.builtins import PatchMatch
from .provenance import display_path, provenance, source
from .query import get_field, names_of
from .workloads import POD_SPEC_PATHS, all_images, containers, helm_values_images

# where the pod template's labels are, by kind
POD_TEMPLATE_PATHS = {k: v.rsplit(".spec", 1)[0] + ".metadata.labels"
                      for k, v in POD_SPEC_PATHS.items() if v.endswith(".spec") and k != "Pod"}

# references that normally point outside a render
BUILTIN_REFERENCES = {
    ("ServiceAccount", "default"), ("ClusterRole", "cluster-admin"), ("ClusterRole", "admin"),
    ("ClusterRole", "edit"), ("ClusterRole", "view"),
}



class PolicyError(AssertionError):
    """A policy check found violations (or unused waivers)."""


@dataclass(frozen=True)
class Waiver:
    """Exempt ``resource`` (``Kind/name`` or ``Kind/namespace/name``, shell wildcards
    allowed) from ``check`` (e.g. ``"images-pinned"``), for a stated ``reason``."""
    resource: str
    check: str
    reason: str

    def __post_init__(self):
        if not self.reason or not self.reason.strip():
            raise ValueError("a waiver needs a reason")

    def matches(self, check: str, r) -> bool:
        if self.check != check and self.check != "*":
            return False
        if isinstance(r, PatchMatch):     # a patch: "kustomization file:field"
            names = {"%s:%s" % (p, r.field) for p in (r.kfile, display_path(r.kfile))}
            pattern = re.sub(r"\[(\d+)\]", r"[[]\1[]]", self.resource)   # patches[1]
            return any(fnmatch.fnmatchcase(n, pattern) for n in names)
        names = {"%s/%s" % (r.kind, n) for n in names_of(r)}
        names |= {"%s/%s/%s" % (r.kind, r.namespace, n) for n in names_of(r)}
        return any(fnmatch.fnmatchcase(n, self.resource) for n in names)


@dataclass
class Violation:
    resource: object
    path: str
    message: str
    where: str = ""        # how the value came about, when provenance of ``path`` would mislead

    def __str__(self) -> str:
        if isinstance(self.resource, PatchMatch):
            return "%s: %s: %s" % (display_path(self.resource.kfile), self.resource.field,
                                   self.message)
        where = self.where or (provenance(self.resource, self.path) if self.path else
                               "from %s" % source(self.resource))
        return "%s: %s%s — %s" % (self.resource.id, self.path + ": " if self.path else "",
                                  self.message, where)


def _report(check: str, violations: list, waivers: Iterable[Waiver]) -> None:
    waivers = [w for w in waivers if w.check in (check, "*")]
    used = set()
    remaining = []
    for v in violations:
        hit = [w for w in waivers if w.matches(check, v.resource)]
        if hit:
            used.update(id(w) for w in hit)
        else:
            remaining.append(v)
    unused = [w for w in waivers if id(w) not in used]
    if not remaining and not unused:
        return
    lines = ["%s: %d violation(s)" % (check, len(remaining))]
    lines += ["  " + str(v) for v in remaining]
    if unused:
        lines.append("unused waivers (they matched nothing; remove them):")
        lines += ["  %s for %s (%s)" % (w.check, w.resource, w.reason) for w in unused]
    raise PolicyError("\n".join(lines))


# tags that name a channel rather than a release (no digit: alpine, stable, lts-slim, main):
# they move to new images. FLOATING_OR_MAJOR also counts a bare major version (16, v2-alpine).
FLOATING_TAG = re.compile(r"^[A-Za-z_][A-Za-z_.-]*$")
FLOATING_OR_MAJOR = re.compile(r"^([A-Za-z_][A-Za-z_.-]*|v?\d{1,3}(-[A-Za-z][\w.-]*)?)$")


def _floating(image: str, allow_latest: bool, require_digest: bool, pattern) -> str:
    """Why ``image`` is not pinned ("" when it is)."""
    _name, tag, digest = split(image)
    if require_digest and not digest:
        return "image %r is not pinned by digest" % image
    if digest:
        return ""
    if not tag:
        return "image %r is not pinned (tag missing)" % image
    if tag == "latest":
        return "" if allow_latest else "image %r is not pinned (tag latest)" % image
    if pattern is not None and re.match(pattern, tag):
        return ("image %r uses the floating tag %r (a moving name, not a release)"
                % (image, tag))
    return ""


def check_images_pinned(resources, *, allow_latest: bool = False, require_digest: bool = False,
                        floating=FLOATING_TAG, helm_values: bool = True,
                        waivers: Iterable[Waiver] = ()) -> None:
    """Every container image has a digest or a release tag: not none, not ``latest``, not
    a moving name matched by ``floating`` (default: channel words like ``alpine``,
    ``stable``, ``lts-slim``; ``FLOATING_OR_MAJOR`` adds bare major versions like ``16``;
    None: only latest and none fail).
    With ``helm_values``, images that a HelmRelease's ``spec.values`` sets count too (a
    ``repository`` without ``tag`` is left to the chart and passes)."""
    bad = []
    for r in resources:
        found = [(p, i, True) for p, i in all_images(r)]
        if helm_values:
            found += helm_values_images(r)
        for path, image, explicit in found:
            why = _floating(image, allow_latest, require_digest, floating) if explicit else ""
            if why:
                bad.append(Violation(r, path, why))
    _report("images-pinned", bad, waivers)


def check_resource_limits(resources, *, resources_required=("cpu", "memory"),
                          waivers: Iterable[Waiver] = ()) -> None:
    """Every container sets ``resources.limits`` for the given resources."""
    bad = []
    for r in resources:
        for path, c in containers(r):
            limits = ((c.get("resources") or {}).get("limits") or {})
            missing = [x for x in resources_required if x not in limits]
            if missing:
                bad.append(Violation(r, path + ".resources.limits",
                                     "container %r has no limit for %s"
                                     % (c.get("name"), ", ".join(missing))))
    _report("resource-limits", bad, waivers)


def check_resource_requests(resources, *, resources_required=("cpu", "memory"),
                            waivers: Iterable[Waiver] = ()) -> None:
    """Every container requests the given resources: ``resources.requests``, or a limit,
    which Kubernetes copies into an unset request."""
    bad = []
    for r in resources:
        for path, c in containers(r):
            res = c.get("resources") or {}
            have = set(res.get("requests") or {}) | set(res.get("limits") or {})
            missing = [x for x in resources_required if x not in have]
            if missing:
                bad.append(Violation(r, path + ".resources.requests",
                                     "container %r requests no %s"
                                     % (c.get("name"), ", ".join(missing))))
    _report("resource-requests", bad, waivers)


LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
                "Pod")


def check_probes(resources, *, probes=("readinessProbe", "livenessProbe"),
                 kinds: Iterable[str] = LONG_RUNNING, waivers: Iterable[Waiver] = ()) -> None:
    """Every (non-init) container of the ``kinds`` of workload (default: the long-running
    ones; Jobs and CronJobs run to completion) defines the given probes."""
    bad = []
    kinds = set(kinds)
    for r in resources:
        if r.kind not in kinds:
            continue
        for path, c in containers(r, include_init=False):
            missing = [p for p in probes if p not in c]
            if missing:
                bad.append(Violation(r, path, "container %r has no %s"
                                     % (c.get("name"), ", ".join(missing))))
    _report("probes", bad, waivers)


def check_namespace_set(resources, *, waivers: Iterable[Waiver] = ()) -> None:
    """Every namespaced resource has ``metadata.namespace``."""
    bad = [Violation(r, "metadata.namespace", "no namespace set")
           for r in resources if not is_cluster_scoped(r.gvk) and not r.namespace]
    _report("namespace-set", bad, waivers)


def check_references_resolve(resources, *, extra: list | None = None,
                             ignore=BUILTIN_REFERENCES,
                             waivers: Iterable[Waiver] = ()) -> None:
    """Every name reference (ConfigMaps, Secrets, ServiceAccounts, PVCs, Services, roles,
    HPA targets, webhook services …, plus ``extra`` [(Gvk, FieldSpec)] for custom kinds)
    points at an object of the render, after prefixes, suffixes and hash suffixes."""
    bad = []
    for r, path, kind, name in resources.unresolved_references(extra):
        if (kind, name) in ignore or name.startswith("system:"):
            continue
        bad.append(Violation(r, path.replace("/", "."), "refers to %s %r, which is not in the "
                             "render" % (kind, name)))
    _report("references-resolve", bad, waivers)


def check_image_overrides(resources, images: Iterable, *,
                          waivers: Iterable[Waiver] = ()) -> None:
    """No container anywhere (custom resources included) still uses an image that an
    ``images:`` override was meant to replace. ``images`` holds image names, or the
    kustomization's ``images`` entries (dicts with name/newName)."""
    specs = [i if isinstance(i, dict) else {"name": str(i), "newName": "\0"} for i in images]
    bad = []
    for r in resources:
        for path, image in all_images(r):
            for s in specs:
                replaced = new_image(image, s)
                if replaced is not None and replaced != image:
                    bad.append(Violation(r, path, "image %r was not overridden by the images "
                                         "entry for %r" % (image, s.get("name"))))
    _report("image-overrides", bad, waivers)


_PLACEHOLDER = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_.-]*\)")


def check_no_placeholders(resources, *, allow: Iterable[str] = (), allow_warnings: bool = False,
                          waivers: Iterable[Waiver] = ()) -> None:
    """No unresolved ``$(VAR)`` is left in the output, and the build gave no warnings
    (deprecated fields), unless allowed."""
    allow = set(allow)
    bad = []
    for r in resources:
        def walk(node, path):
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, "%s.%s" % (path, k) if path else k)
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, "%s[%d]" % (path, i))
            elif isinstance(node, str):
                for m in _PLACEHOLDER.findall(node):
                    if m not in allow:
                        bad.append(Violation(r, path, "unresolved %s" % m))
        walk(r.data, "")
    warnings = [] if allow_warnings else list(getattr(resources, "warnings", []))
    try:
        _report("no-placeholders", bad, waivers)
    except PolicyError as e:
        if warnings:
            raise PolicyError("%s\nbuild warnings:\n  %s" % (e, "\n  ".join(warnings))) from None
        raise
    if warnings:
        raise PolicyError("the build printed warnings:\n  " + "\n  ".join(warnings))


SECRET_KINDS_ALLOWED = ("SealedSecret", "ExternalSecret", "ClusterExternalSecret")
_SOPS_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,data:.*\]$", re.S)


def check_no_plaintext_secrets(resources, *, waivers: Iterable[Waiver] = ()) -> None:
    """No Secret carries a plain-text value: every non-empty ``data``/``stringData`` value
    must be SOPS-encrypted (``ENC[…]`` with the object's ``sops:`` metadata). Encrypted
    kinds (SealedSecret, ExternalSecret) are the way to commit secrets and pass. Values are
    never printed."""
    bad = []
    for r in resources:
        if r.kind != "Secret":
            continue
        sops = isinstance(r.data.get("sops"), dict)
        for key in ("data", "stringData"):
            values = r.data.get(key)
            if not isinstance(values, dict):
                continue
            for k, v in values.items():
                if v in (None, "") or (sops and isinstance(v, str) and _SOPS_VALUE.match(v)):
                    continue
                what = ("is not encrypted although the Secret has sops metadata" if sops
                        else "is a plain-text value (encrypt it with SOPS, or commit a "
                        "SealedSecret / ExternalSecret instead)")
                bad.append(Violation(r, "%s.%s" % (key, k), what))
    _report("no-plaintext-secrets", bad, waivers)


def check_required_labels(resources, labels, *, pod_templates: bool = False,
                          waivers: Iterable[Waiver] = ()) -> None:
    """Every object has the ``labels``: names, or a mapping name -> required value (None:
    any value). With ``pod_templates``, workloads' pod templates need them too."""
    if isinstance(labels, str):
        labels = [labels]
    wanted = dict(labels) if isinstance(labels, dict) else {k: None for k in labels}
    bad = []
    for r in resources:
        places = [("metadata.labels", r.labels)]
        if pod_templates and r.kind in POD_TEMPLATE_PATHS:
            tpl = get_field(r.data, POD_TEMPLATE_PATHS[r.kind], None)
            places.append((POD_TEMPLATE_PATHS[r.kind],
                           tpl if isinstance(tpl, dict) else {}))
        for path, have in places:
            missing = [k for k, v in wanted.items() if k not in have
                       or (v is not None and have.get(k) != v)]
            for k in missing:
                got = "is %r, expected %r" % (have[k], wanted[k]) if k in have else "is missing"
                bad.append(Violation(r, "%s.%s" % (path, k), "label %r %s" % (k, got),
                                     "object from %s" % source(r)))
    _report("required-labels", bad, waivers)


def check_patches_matched(resources, *, waivers: Iterable[Waiver] = ()) -> None:
    """Every patch with a ``target`` selected at least one resource (kustomize applies a
    patch whose target matches nothing silently: a typo in a name or kind, or a resource
    renamed in the base). Waive one by ``"path/to/kustomization.yaml:patches[1]"``."""
    records = getattr(resources, "patch_matches", None)
    if records is None:
        raise TypeError("check_patches_matched needs the render itself (pytest_kustomize.build"
                        "() or a fixture's), which records every patch; got %s"
                        % type(resources).__name__)
    bad = [Violation(m, "", "the target %s of %s selected no resource (kustomize applied it "
                     "to nothing, silently)" % (_selector(m.target), m.patch))
           for m in records if m.matched == 0]
    _report("patches-matched", bad, waivers)


def _selector(target: dict) -> str:
    return "{%s}" % ", ".join("%s: %s" % (k, v) for k, v in target.items() if v)


SELECTOR_PATHS = ("spec.selector", "spec.selector.matchLabels")


def _baseline_key(r) -> tuple:
    """An object's identity across renders: group, kind and its name in the kustomization."""
    o = r.orig_id
    return (o.gvk.group, o.gvk.kind, o.name)


def check_selectors_unchanged(resources, baseline, *, waivers: Iterable[Waiver] = ()) -> None:
    """Workload and Service selectors equal those of ``baseline`` (another render, e.g. the
    last release or another overlay): a selector change breaks rollouts."""
    base = {_baseline_key(r): r for r in baseline}
    bad = []
    for r in resources:
        b = base.get(_baseline_key(r))
        if b is None:
            continue
        new, old = r.data.get("spec", {}), b.data.get("spec", {})
        if not isinstance(new, dict) or not isinstance(old, dict):
            continue
        if new.get("selector") != old.get("selector"):
            bad.append(Violation(r, "spec.selector", "selector %r differs from baseline %r"
                                 % (new.get("selector"), old.get("selector"))))
    _report("selectors-unchanged", bad, waivers)


__all__ = ["Waiver", "PolicyError", "Violation", "check_images_pinned",
           "check_resource_limits", "check_resource_requests", "check_no_plaintext_secrets",
           "check_required_labels", "check_patches_matched", "FLOATING_TAG", "FLOATING_OR_MAJOR", "check_probes", "check_namespace_set",
           "check_references_resolve", "check_image_overrides", "check_no_placeholders",
           "check_selectors_unchanged", "BUILTIN_REFERENCES"]
