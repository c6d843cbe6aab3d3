"""Assertion helpers and policy checks for rendered resources.

Every failure says what differs and where the value came from (the file a resource was
read from and the patch or transformer that set the field). Policy checks take
:class:`Waiver` objects (a resource, a check, a reason) and report waivers that matched
nothing, so stale exceptions do not pile up.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Iterable

from .engine.resource import Resource
from .query import MISSING, get_all, get_field, reference_fields, split_path

# where pod specs live, by kind
POD_SPEC_PATHS = {
    "Pod": "spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "ReplicationController": "spec.template.spec",
    "Job": "spec.template.spec",
    "PodTemplate": "template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
}
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

    def matches(self, check: str, r: Resource) -> bool:
        if self.check != check and self.check != "*":
            return False
        names = {"%s/%s" % (r.kind, n) for n in _names(r)}
        names |= {"%s/%s/%s" % (r.kind, r.namespace, n) for n in _names(r)}
        return any(fnmatch.fnmatchcase(n, self.resource) for n in names)


def _names(r: Resource) -> set:
    from .query import names_of
    return names_of(r)


@dataclass
class Violation:
    resource: Resource
    path: str
    message: str

    def __str__(self) -> str:
        where = self.resource.provenance(self.path) if self.path else \
            "from %s" % self.resource.source
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


# -- containers --------------------------------------------------------------------------
def containers(r: Resource, include_init: bool = True) -> list:
    """(field path, container dict) for every container of a workload."""
    base = POD_SPEC_PATHS.get(r.kind)
    if base is None:
        return []
    spec = get_field(r.data, base, None)
    out = []
    if isinstance(spec, dict):
        for key in ("containers", "initContainers") if include_init else ("containers",):
            for i, c in enumerate(spec.get(key) or []):
                if isinstance(c, dict):
                    out.append(("%s.%s[%d]" % (base, key, i), c))
    return out


def all_images(r: Resource) -> list:
    """(field path, image) of every container anywhere in the object, custom resources
    included (any ``containers``/``initContainers`` list, as kustomize's images do)."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                p = "%s.%s" % (path, k) if path else k
                if k in ("containers", "initContainers") and isinstance(v, list):
                    for i, c in enumerate(v):
                        if isinstance(c, dict) and isinstance(c.get("image"), str):
                            out.append(("%s[%d].image" % (p, i), c["image"]))
                walk(v, p)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, "%s[%d]" % (path, i))
    walk(r.data, "")
    return out


# -- assertion helpers ----------------------------------------------------------------------
def is_subset(actual, expected) -> bool:
    """Does ``actual`` contain ``expected`` (maps: every key; lists: every expected element
    matched by some actual element, in any order; scalars: equal)?"""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and is_subset(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and all(
            any(is_subset(a, e) for a in actual) for e in expected)
    return actual == expected


def _subset_mismatches(actual, expected, path: str) -> list:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [(path, actual, expected)]
        out = []
        for k, v in expected.items():
            p = "%s.%s" % (path, k) if path else k
            if k not in actual:
                out.append((p, MISSING, v))
            else:
                out.extend(_subset_mismatches(actual[k], v, p))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [(path, actual, expected)]
        return [("%s[?]" % path, actual, e) for e in expected
                if not any(is_subset(a, e) for a in actual)]
    return [] if actual == expected else [(path, actual, expected)]


def assert_subset(resource: Resource, expected: dict) -> None:
    """The resource contains ``expected`` (a partial manifest)."""
    bad = _subset_mismatches(resource.data, expected, "")
    if bad:
        lines = ["%s does not contain the expected fields:" % resource.id]
        for path, actual, want in bad:
            got = "missing" if actual is MISSING else "is %r" % (actual,)
            lines.append("  %s %s, expected %r — %s"
                         % (path, got, want, resource.provenance(path.replace("[?]", ""))))
        raise AssertionError("\n".join(lines))


def assert_field(resource: Resource, path: str, expected=MISSING, *, matches: str | None = None):
    """The field at ``path`` equals ``expected`` and/or matches the regex ``matches``."""
    value = get_field(resource.data, path, MISSING)
    where = resource.provenance(path)
    if value is MISSING:
        raise AssertionError("%s: %s is missing — %s" % (resource.id, path, where))
    if expected is not MISSING and value != expected:
        raise AssertionError("%s: %s is %r, expected %r — %s"
                             % (resource.id, path, value, expected, where))
    if matches is not None and not re.search(matches, str(value)):
        raise AssertionError("%s: %s is %r, which does not match /%s/ — %s"
                             % (resource.id, path, value, matches, where))


def assert_count(resources, n: int, **criteria) -> None:
    found = resources.select(**criteria) if criteria else resources
    if len(found) != n:
        raise AssertionError("expected %d resource(s) matching %s, found %d: %s"
                             % (n, criteria or "anything", len(found),
                                ", ".join(str(r.id) for r in found) or "none"))


def assert_no_duplicates(resources) -> None:
    seen, dups = {}, []
    for r in resources:
        key = (r.gvk, r.namespace, r.name)
        if key in seen:
            dups.append("%s (from %s and %s)" % (r.id, seen[key].source, r.source))
        seen[key] = r
    if dups:
        raise AssertionError("duplicate resources: " + "; ".join(dups))


def assert_contains(actual: list, expected: list) -> None:
    """Every expected element is in ``actual`` (as a subset), in any order."""
    missing = [e for e in expected if not any(is_subset(a, e) for a in actual)]
    if missing:
        raise AssertionError("list does not contain %r\n  list: %r" % (missing, actual))


# -- policy checks ------------------------------------------------------------------------
def check_images_pinned(resources, *, allow_latest: bool = False, require_digest: bool = False,
                        waivers: Iterable[Waiver] = ()) -> None:
    """Every container image has a tag other than ``latest`` (or a digest)."""
    from .engine.transformers.images import split
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
    from .engine.resource import is_cluster_scoped
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
    from .engine.transformers.images import new_image
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


def check_selectors_unchanged(resources, baseline, *, waivers: Iterable[Waiver] = ()) -> None:
    """Workload and Service selectors equal those of ``baseline`` (another render, e.g. the
    last release or another overlay): a selector change breaks rollouts."""
    from .diff import _key
    base = {_key(r): r for r in baseline}
    bad = []
    for r in resources:
        b = base.get(_key(r))
        if b is None:
            continue
        new, old = r.data.get("spec", {}), b.data.get("spec", {})
        if not isinstance(new, dict) or not isinstance(old, dict):
            continue
        if new.get("selector") != old.get("selector"):
            bad.append(Violation(r, "spec.selector", "selector %r differs from baseline %r"
                                 % (new.get("selector"), old.get("selector"))))
    _report("selectors-unchanged", bad, waivers)


def assert_valid(resources, kubernetes_version: str | None = None, *, strict: bool = False,
                 **options):
    """Validate against the Kubernetes JSON schemas (kubeconform when installed, else the
    in-process validator; see :func:`pytest_kustomize.validation.validate` for ``options``).
    Fails listing each invalid resource with the bad field's path and the file it came
    from; resources without a schema only warn (``ignore_missing_schemas=False`` to fail).
    Returns the report."""
    import warnings

    from .validation import validate
    report = validate(resources, kubernetes_version=kubernetes_version, strict=strict,
                      **options)
    for r in report.skipped:
        if r.message.startswith("no schema"):
            warnings.warn("%s: %s" % (r.resource_id, r.message), stacklevel=2)
    if not report.ok:
        raise AssertionError("%d invalid resource(s) — %s\n%s" % (
            len(report.invalid), report.summary(),
            "\n".join(line for r in report.invalid for line in r.lines())))
    return report


__all__ = [
    "assert_valid", "Waiver", "PolicyError", "assert_subset", "assert_field", "assert_count",
    "assert_no_duplicates", "assert_contains", "check_images_pinned", "check_resource_limits",
    "check_probes", "check_namespace_set", "check_references_resolve",
    "check_image_overrides", "check_no_placeholders", "check_selectors_unchanged",
    "containers", "all_images", "is_subset", "get_all", "split_path", "reference_fields",
]
