"""Declarative tests (``test_*.kustomize.yaml``): reading and checking a test file, and
running one of its tests on a render. No pytest here: ``hooks/yamltests.py`` collects them.

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
isAPIVersion; each takes an optional ``select`` of its own. Every error names the file and
the line of the test or assertion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from . import yamlgates
from .assertions import is_subset
from .engine import yamlio
from .errors import KustomizeError
from .provenance import display_path, provenance, source
from .query import MISSING, get_all

ASSERTIONS = ("equal", "notEqual", "matchRegex", "notMatchRegex", "contains", "notContains",
              "isSubset", "exists", "notExists", "isNull", "isNotNull", "isEmpty",
              "isNotEmpty", "lengthEqual", "hasDocuments", "isKind", "isAPIVersion")
FILE_KEYS = {"overlay", "overlays", "tests", "options", "flux", "diff"}
TEST_KEYS = {"name", "it", "overlay", "select", "asserts", "gates"}
SELECT_KEYS = {"kind", "name", "namespace", "api_version", "apiVersion", "group", "version",
               "labels", "annotations"}


class YamlTestError(KustomizeError):
    """A YAML test file whose shape would make a test check less than it says."""


@dataclass
class TestFile:
    """A parsed test file: its data and the line (1-based) of every mapping and list entry,
    keyed by its path from the top (``("tests", 0, "asserts", 1)``)."""
    path: str
    spec: dict
    lines: dict = field(default_factory=dict)

    def where(self, *path) -> str:
        """``file:line`` of the deepest entry of ``path`` that has a line."""
        shown = display_path(self.path)
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return "%s:%d" % (shown, self.lines[path[:n]])
        return shown

    def error(self, message: str, *path) -> YamlTestError:
        return YamlTestError(message, file=self.where(*path))


def _node_lines(node, prefix: tuple, out: dict) -> None:
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                out.setdefault(prefix + (k.value,), k.start_mark.line + 1)
                _node_lines(v, prefix + (k.value,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _node_lines(v, prefix + (i,), out)


def load(text: str, path: str) -> TestFile:
    """Read and check a test file: a YamlError or YamlTestError names the file and line."""
    spec = yamlio.load_document(text, path)
    lines: dict = {}
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if node is not None:
            _node_lines(node, (), lines)
    except yaml.YAMLError:
        pass                      # the engine's reader accepted it: lines are only a help
    tf = TestFile(path, spec, lines)
    check(tf)
    return tf


def check(tf: TestFile) -> None:
    """Reject a test file whose shape would make a test check less than it says (a typo in
    a key, no asserts, an unknown assertion)."""
    spec = tf.spec
    if not isinstance(spec, dict) or not isinstance(spec.get("tests"), list):
        raise tf.error("expected a mapping with 'overlay' and a list 'tests'")
    for key in spec:
        if key not in FILE_KEYS:
            raise tf.error("unknown key %r (use %s)" % (key, ", ".join(sorted(FILE_KEYS))),
                           key)
    if not isinstance(spec.get("options") or {}, dict):
        raise tf.error("'options' must be a mapping of build options, got %r"
                       % (spec["options"],), "options")
    yamlgates.check_file(tf)
    for i, t in enumerate(spec["tests"]):
        if not isinstance(t, dict):
            raise tf.error("tests[%d] must be a mapping" % i, "tests", i)
        for key in t:
            if key not in TEST_KEYS:
                raise tf.error("tests[%d]: unknown key %r (use %s)"
                               % (i, key, ", ".join(sorted(TEST_KEYS))), "tests", i, key)
        if spec.get("diff") or "gates" in t:
            yamlgates.check_gates(tf, i)
            if "asserts" in t:
                raise tf.error("tests[%d]: a test of a 'diff' file has 'gates', not 'asserts'"
                               % i, "tests", i, "asserts")
            continue
        asserts = t.get("asserts")
        if not isinstance(asserts, list) or not asserts:
            raise tf.error("tests[%d]: 'asserts' must be a non-empty list, got %r"
                           % (i, asserts), "tests", i, "asserts")
        for j, a in enumerate(asserts):
            names = [k for k in a if k != "select"] if isinstance(a, dict) else None
            if not names or len(names) != 1:
                raise tf.error("tests[%d].asserts[%d] must be a mapping naming one "
                               "assertion (and an optional select), got %r" % (i, j, a),
                               "tests", i, "asserts", j)
            if names[0] not in ASSERTIONS:
                raise tf.error("tests[%d].asserts[%d]: unknown assertion %r (known: %s)"
                               % (i, j, names[0], ", ".join(ASSERTIONS)),
                               "tests", i, "asserts", j)
            if not isinstance(a[names[0]], (dict, type(None))):
                raise tf.error("tests[%d].asserts[%d]: %s takes a mapping, got %r"
                               % (i, j, names[0], a[names[0]]), "tests", i, "asserts", j)
            for sel in (a.get("select"), t.get("select")):
                if sel and (not isinstance(sel, dict) or set(sel) - SELECT_KEYS):
                    raise tf.error("tests[%d]: select takes %s, got %r"
                                   % (i, ", ".join(sorted(SELECT_KEYS)), sel), "tests", i)


def _select(resources, spec):
    if not spec:
        return resources
    crit = dict(spec)
    if "apiVersion" in crit:
        crit["api_version"] = crit.pop("apiVersion")
    return resources.select(**crit)


def run_test(tf: TestFile, index: int, resources) -> None:
    """Run ``tests[index]`` of ``tf`` on ``resources``: AssertionError naming the assertion
    and its line when one fails."""
    t = tf.spec["tests"][index]
    base_docs = _select(resources, t.get("select"))
    for j, a in enumerate(t["asserts"]):
        a = dict(a)
        sel = a.pop("select", None)
        docs = _select(resources, sel) if sel else base_docs
        name, args = next(iter(a.items()))
        try:
            check_assertion(name, args or {}, list(docs))
        except AssertionError as e:
            raise AssertionError("%s: asserts[%d] %s: %s" % (
                tf.where("tests", index, "asserts", j), j, name, e)) from None


def check_assertion(name: str, args: dict, docs: list) -> None:
    """Raise AssertionError when assertion ``name`` with ``args`` fails on ``docs``."""
    if name == "hasDocuments":
        if len(docs) != args.get("count"):
            raise AssertionError("expected %s document(s), found %d: %s" % (
                args.get("count"), len(docs), ", ".join(str(d.id) for d in docs) or "none"))
        return
    if not docs:
        raise AssertionError("no document selected")
    path = args.get("path", "")
    for d in docs:
        vals = get_all(d.data, path) if path else [d.data]
        _check_value(name, args, d, path, vals[0] if vals else MISSING)


def _shown(val):
    return None if val is MISSING else val


def _check_value(name: str, args: dict, d, path: str, val) -> None:
    where = "%s: %s" % (d.id, path or "(document)")
    prov = provenance(d, path) if path else "from " + source(d)
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
                where, _shown(val), "does not match" if name == "matchRegex" else "matches",
                args.get("pattern"), prov))
    elif name in ("contains", "notContains"):
        content = args.get("content")
        ok = isinstance(val, list) and any(is_subset(a, content) for a in val)
        if ok != (name == "contains"):
            raise AssertionError("%s %s %r — %s" % (
                where, "does not contain" if name == "contains" else "contains", content, prov))
    elif name == "isSubset":
        if val is MISSING or not is_subset(val, args.get("content")):
            raise AssertionError("%s is %r, which does not contain %r — %s" % (
                where, _shown(val), args.get("content"), prov))
    elif name in ("exists", "notExists"):
        if (val is not MISSING) != (name == "exists"):
            raise AssertionError("%s %s — %s" % (
                where, "is missing" if name == "exists" else "exists (%r)" % (val,), prov))
    elif name in ("isNull", "isNotNull"):
        if (val is None or val is MISSING) != (name == "isNull"):
            raise AssertionError("%s is %r — %s" % (where, _shown(val), prov))
    elif name in ("isEmpty", "isNotEmpty"):
        empty = val is MISSING or val in (None, "", [], {})
        if empty != (name == "isEmpty"):
            raise AssertionError("%s is %r — %s" % (where, _shown(val), prov))
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
