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
from .provenance import provenance, source
from .query import names_of
from .workloads import all_images, containers

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
        names = {"%s/%s" % (r.kind, n) for n in names_of(r)}
        names |= {"%s/%s/%s" % (r.kind, r.namespace, n) for n in names_of(r)}
        return any(fnmatch.fnmatchcase(n, self.resource) for n in names)


@dataclass
class Violation:
    resource: object
    path: str
    message: str

    def __str__(self) -> str:
        where = provenance(self.resource, self.path) if self.path else \
            "from %s" % source(self.resource)
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


def check_images_pinned(resources, *, allow_latest: bool = False, require_digest: bool = False,
                        waivers: Iterable[Waiver] = ()) -> None:
    """Every container image has a tag other than ``latest`` (or a digest)."""
    bad = []
    for r in resources:
        for path, image in all_images(r):
            name, tag, digest = split(image)
            if require_digest and not digest:
                bad.append(Violation(r, path, "image %r is not pinned by digest" % image))
            elif not digest and (not tag or (tag == "latest" and not allow_latest)):
                bad.append(Violation(r, path, "image %r is not pinned (tag %s)"
                                     % (image, tag or "missing")))
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


def check_probes(resources, *, probes=("readinessProbe", "livenessProbe"),
                 waivers: Iterable[Waiver] = ()) -> None:
    """Every (non-init) container defines the given probes."""
    bad = []
    for r in resources:
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
           "check_resource_limits", "check_probes", "check_namespace_set",
           "check_references_resolve", "check_image_overrides", "check_no_placeholders",
           "check_selectors_unchanged", "BUILTIN_REFERENCES"]
