"""Assertion helpers for rendered resources. Every failure says what differs and where the
value came from (the file a resource was read from and the patch or transformer that set
the field). Policy checks live in :mod:`pytest_kustomize.policy` and workload knowledge in
:mod:`pytest_kustomize.workloads`; both are re-exported here."""
from __future__ import annotations

import re
import warnings

from .policy import (BUILTIN_REFERENCES, FLOATING_OR_MAJOR, FLOATING_TAG, PolicyError,
                     Violation, Waiver, check_image_overrides, check_images_pinned,
                     check_namespace_set, check_no_placeholders, check_no_plaintext_secrets,
                     check_patches_matched, check_probes, check_references_resolve,
                     check_required_labels, check_resource_limits, check_resource_requests,
                     check_selectors_unchanged)
from .provenance import provenance, source
from .query import MISSING, get_all, get_field, reference_fields, split_path
from .validation import validate
from .workloads import POD_SPEC_PATHS, all_images, containers


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


def assert_subset(resource, expected: dict) -> None:
    """The resource contains ``expected`` (a partial manifest)."""
    bad = _subset_mismatches(resource.data, expected, "")
    if bad:
        lines = ["%s does not contain the expected fields:" % resource.id]
        for path, actual, want in bad:
            got = "missing" if actual is MISSING else "is %r" % (actual,)
            lines.append("  %s %s, expected %r — %s"
                         % (path, got, want, provenance(resource, path.replace("[?]", ""))))
        raise AssertionError("\n".join(lines))


def assert_field(resource, path: str, expected=MISSING, *, matches: str | None = None):
    """The field at ``path`` equals ``expected`` and/or matches the regex ``matches``."""
    value = get_field(resource.data, path, MISSING)
    where = provenance(resource, path)
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
            dups.append("%s (from %s and %s)" % (r.id, source(seen[key]), source(r)))
        seen[key] = r
    if dups:
        raise AssertionError("duplicate resources: " + "; ".join(dups))


def assert_contains(actual: list, expected: list) -> None:
    """Every expected element is in ``actual`` (as a subset), in any order."""
    missing = [e for e in expected if not any(is_subset(a, e) for a in actual)]
    if missing:
        raise AssertionError("list does not contain %r\n  list: %r" % (missing, actual))


def assert_valid(resources, kubernetes_version: str | None = None, *, strict: bool = False,
                 **options):
    """Validate against the Kubernetes JSON schemas (kubeconform when installed, else the
    in-process validator; see :func:`pytest_kustomize.validation.validate` for ``options``).
    Fails listing each invalid resource with the bad field's path and the file it came
    from; resources without a schema only warn (``ignore_missing_schemas=False`` to fail).
    Returns the report."""
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
    "assert_valid", "Waiver", "PolicyError", "Violation", "assert_subset", "assert_field",
    "assert_count", "assert_no_duplicates", "assert_contains", "check_images_pinned",
    "check_resource_limits", "check_probes", "check_namespace_set", "check_references_resolve",
    "check_image_overrides", "check_no_placeholders", "check_selectors_unchanged",
    "check_resource_requests", "check_no_plaintext_secrets", "check_required_labels",
    "check_patches_matched", "FLOATING_TAG", "FLOATING_OR_MAJOR",
    "containers", "all_images", "is_subset", "get_all", "split_path", "reference_fields",
    "POD_SPEC_PATHS", "BUILTIN_REFERENCES",
]
