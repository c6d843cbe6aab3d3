"""Declarative tests: pytest collects ``test_*.kustomize.yaml`` files.

```yaml
overlay: overlays/production           # relative to this file
tests:
- name: production runs three replicas      # or `it:`, as in helm-unittest
  select: {kind: Deployment, name: nginx}    # which documents the asserts look at
  asserts:
  - equal: {path: spec.replicas, value: 3}
  - matchRegex: {path: "spec.template.spec.containers.[name=nginx].image", pattern: "^nginx:"}
  - contains: {path: spec.template.spec.containers, content: {name: nginx}}
  - isSubset: {path: metadata, content: {labels: {app: nginx}}}
  - hasDocuments: {count: 1}
  - notExists: {path: spec.paused}
  - isKind: {of: Deployment}
```
Assertions: equal, notEqual, matchRegex, notMatchRegex, contains, notContains, isSubset,
exists, notExists, isNull, isNotNull, isEmpty, isNotEmpty, lengthEqual, hasDocuments, isKind,
isAPIVersion; each takes an optional ``select`` of its own.
"""
from __future__ import annotations

import os
import re

import pytest

from . import assertions
from .errors import KustomizeError
from .query import MISSING, get_all

ASSERTIONS = ("equal", "notEqual", "matchRegex", "notMatchRegex", "contains", "notContains",
              "isSubset", "exists", "notExists", "isNull", "isNotNull", "isEmpty",
              "isNotEmpty", "lengthEqual", "hasDocuments", "isKind", "isAPIVersion")
FILE_KEYS = {"overlay", "tests", "options"}
TEST_KEYS = {"name", "it", "overlay", "select", "asserts"}
SELECT_KEYS = {"kind", "name", "namespace", "api_version", "apiVersion", "group", "version",
               "labels", "annotations"}


class YamlTestError(Exception):
    pass


def _select(resources, spec):
    if not spec:
        return resources
    if not isinstance(spec, dict) or set(spec) - SELECT_KEYS:
        raise YamlTestError("select takes %s, got %r" % (", ".join(sorted(SELECT_KEYS)), spec))
    crit = dict(spec)
    if "apiVersion" in crit:
        crit["api_version"] = crit.pop("apiVersion")
    return resources.select(**crit)


def _values(doc, path):
    return get_all(doc.data, path) if path else [doc.data]


def _check(name, args, docs, resources):
    """Raise AssertionError when assertion ``name`` with ``args`` fails on ``docs``."""
    if not isinstance(args, dict):
        raise YamlTestError("%s takes a mapping, got %r" % (name, args))
    if name == "hasDocuments":
        if len(docs) != args.get("count"):
            raise AssertionError("expected %s document(s), found %d: %s" % (
                args.get("count"), len(docs), ", ".join(str(d.id) for d in docs) or "none"))
        return
    if not docs:
        raise AssertionError("no document selected")
    path = args.get("path", "")
    for d in docs:
        vals = _values(d, path)
        where = "%s: %s" % (d.id, path or "(document)")
        prov = d.provenance(path) if path else "from " + d.source
        val = vals[0] if vals else MISSING
        if name in ("equal", "notEqual"):
            same = val is not MISSING and val == args.get("value")
            if same != (name == "equal"):
                raise AssertionError("%s is %s, expected %s%r — %s" % (
                    where, "missing" if val is MISSING else repr(val),
                    "" if name == "equal" else "anything but ", args.get("value"), prov))
        elif name in ("matchRegex", "notMatchRegex"):
            ok = val is not MISSING and re.search(str(args.get("pattern")), str(val))
            if bool(ok) != (name == "matchRegex"):
                raise AssertionError("%s is %r, which %s /%s/ — %s" % (
                    where, None if val is MISSING else val,
                    "does not match" if name == "matchRegex" else "matches",
                    args.get("pattern"), prov))
        elif name in ("contains", "notContains"):
            content = args.get("content")
            ok = isinstance(val, list) and any(assertions.is_subset(a, content) for a in val)
            if ok != (name == "contains"):
                raise AssertionError("%s %s %r — %s" % (
                    where, "does not contain" if name == "contains" else "contains",
                    content, prov))
        elif name == "isSubset":
            if val is MISSING or not assertions.is_subset(val, args.get("content")):
                raise AssertionError("%s is %r, which does not contain %r — %s" % (
                    where, None if val is MISSING else val, args.get("content"), prov))
        elif name in ("exists", "notExists"):
            if (val is not MISSING) != (name == "exists"):
                raise AssertionError("%s %s — %s" % (
                    where, "is missing" if name == "exists" else "exists (%r)" % (val,), prov))
        elif name in ("isNull", "isNotNull"):
            if (val is None or val is MISSING) != (name == "isNull"):
                raise AssertionError("%s is %r — %s" % (where, None if val is MISSING else val,
                                                        prov))
        elif name in ("isEmpty", "isNotEmpty"):
            empty = val is MISSING or val in (None, "", [], {})
            if empty != (name == "isEmpty"):
                raise AssertionError("%s is %r — %s" % (where, None if val is MISSING else val,
                                                        prov))
        elif name == "lengthEqual":
            if not isinstance(val, (list, dict, str)) or len(val) != args.get("count"):
                raise AssertionError("%s has length %s, expected %s — %s" % (
                    where, "n/a" if not hasattr(val, "__len__") else len(val),
                    args.get("count"), prov))
        elif name == "isKind":
            if d.kind != args.get("of"):
                raise AssertionError("%s is a %s, expected %s" % (d.id, d.kind, args.get("of")))
        elif name == "isAPIVersion":
            if d.gvk.api_version != args.get("of"):
                raise AssertionError("%s has apiVersion %s, expected %s"
                                     % (d.id, d.gvk.api_version, args.get("of")))
        else:
            raise YamlTestError("unknown assertion %r" % name)


def check_file(spec) -> None:
    """Reject a test file whose shape would make a test check less than it says (a typo in
    a key, no asserts, an unknown assertion): raises YamlTestError naming the place."""
    if not isinstance(spec, dict) or not isinstance(spec.get("tests"), list):
        raise YamlTestError("expected a mapping with 'overlay' and a list 'tests'")
    for key in spec:
        if key not in FILE_KEYS:
            raise YamlTestError("unknown key %r (use %s)" % (key, ", ".join(sorted(FILE_KEYS))))
    for i, t in enumerate(spec["tests"]):
        if not isinstance(t, dict):
            raise YamlTestError("tests[%d] must be a mapping" % i)
        for key in t:
            if key not in TEST_KEYS:
                raise YamlTestError("tests[%d]: unknown key %r (use %s)"
                                    % (i, key, ", ".join(sorted(TEST_KEYS))))
        asserts = t.get("asserts")
        if not isinstance(asserts, list) or not asserts:
            raise YamlTestError("tests[%d]: 'asserts' must be a non-empty list, got %r"
                                % (i, asserts))
        for j, a in enumerate(asserts):
            names = [k for k in a if k != "select"] if isinstance(a, dict) else None
            if not names or len(names) != 1:
                raise YamlTestError("tests[%d].asserts[%d] must be a mapping naming one "
                                    "assertion (and an optional select), got %r" % (i, j, a))
            if names[0] not in ASSERTIONS:
                raise YamlTestError("tests[%d].asserts[%d]: unknown assertion %r (known: %s)"
                                    % (i, j, names[0], ", ".join(ASSERTIONS)))


class YamlTestFile(pytest.File):
    def collect(self):
        from .engine import yamlio
        try:
            spec = yamlio.load_document(self.path.read_text(encoding="utf-8"), str(self.path))
        except KustomizeError as e:
            raise self.CollectError(str(e)) from None
        try:
            check_file(spec)
        except YamlTestError as e:
            raise self.CollectError("%s: %s" % (self.path, e)) from None
        for i, t in enumerate(spec["tests"]):
            name = str(t.get("name") or t.get("it") or "test %d" % (i + 1))
            yield YamlTestItem.from_parent(self, name=name, spec=t,
                                           overlay=t.get("overlay") or spec.get("overlay"),
                                           options=spec.get("options") or {})


class YamlTestItem(pytest.Item):
    def __init__(self, *, spec, overlay, options, **kw):
        super().__init__(**kw)
        self.spec = spec
        self.overlay = overlay
        self.options = options

    def runtest(self):
        from .plugin import renderer_for
        if not self.overlay:
            raise YamlTestError("no overlay given (set 'overlay' at the top or in the test)")
        overlay = os.path.join(os.path.dirname(str(self.path)), str(self.overlay))
        resources = renderer_for(self.config).build(overlay, **self.options)
        base_docs = _select(resources, self.spec.get("select"))
        for i, a in enumerate(self.spec.get("asserts") or []):
            if not isinstance(a, dict):
                raise YamlTestError("asserts[%d] must be a mapping" % i)
            a = dict(a)
            sel = a.pop("select", None)
            docs = _select(resources, sel) if sel else base_docs
            if len(a) != 1:
                raise YamlTestError("asserts[%d] must name one assertion, got %s" % (i, list(a)))
            name, args = next(iter(a.items()))
            try:
                _check(name, args if args is not None else {}, list(docs), resources)
            except AssertionError as e:
                raise AssertionError("asserts[%d] %s: %s" % (i, name, e)) from None

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, YamlTestError, KustomizeError)):
            return "%s\n  in %s, test %r" % (excinfo.value, self.path.name, self.name)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "%s::%s" % (self.path.name, self.name)
