"""Declarative tests (``test_*.kustomize.yaml``): reading and checking a test file, and
running one of its tests on a render. No pytest here: ``hooks/yamltests.py`` collects them.
The assertions (helm-unittest's) are in :mod:`pytest_kustomize.yamlasserts`.

```yaml
overlays: [overlays/staging, overlays/production]   # or overlay: …; relative to this file
tests:
- it: runs enough replicas                  # or `name:`
  select: {kind: Deployment}                # which documents the asserts look at
  documentSelector: {path: metadata.name, value: web}   # matchMany: true for several
  asserts:
  - greaterOrEqual: {path: spec.replicas, value: 2}
  - matchRegex: {path: "spec.template.spec.containers.[name=web].image", pattern: "@sha256:"}
  - equal: {path: spec.paused, value: true}
    not: true
- it: a typo in the patch target fails the build
  overlay: overlays/broken
  asserts:
  - failedRender: {errorMessage: "no matches for"}
```
Every error names the file and the line of the test or assertion. ``schema()`` is the JSON
schema of the files (published as docs/yaml-tests.schema.json).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import jsonschema
import yaml

from . import yamlgates
from .engine import yamlio
from .errors import FieldPathError, KustomizeError
from .provenance import display_path
from .query import get_all, split_path
from .yamlasserts import (NAMES, NEGATIONS, SPECS, TYPES, check as check_assertion, helm_path,
                          spec_of)

ASSERTIONS = NAMES
FILE_KEYS = {"suite", "overlay", "overlays", "tests", "options", "flux", "diff"}
TEST_KEYS = {"name", "it", "overlay", "overlays", "select", "documentSelector",
             "documentIndex", "skip", "asserts", "gates"}
ASSERT_KEYS = {"select", "documentSelector", "documentIndex", "not"}
SELECT_KEYS = {"kind", "name", "namespace", "api_version", "apiVersion", "group", "version",
               "labels", "annotations"}
SELECTOR_KEYS = {"path", "value", "matchMany"}


class YamlTestError(KustomizeError):
    """A YAML test file whose shape would make a test check less than it says."""


@dataclass
class TestFile:
    """A parsed test file: its data and the line (1-based) of every mapping and list entry,
    keyed by its path from the top (``("tests", 0, "asserts", 1)``)."""
    __test__ = False
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

    def overlays(self, index: int) -> list:
        """The overlays test ``index`` runs on (its own, else the file's)."""
        t = self.spec["tests"][index]
        for scope in (t, self.spec):
            if scope.get("overlays"):
                return [str(o) for o in scope["overlays"]]
            if scope.get("overlay"):
                return [str(scope["overlay"])]
        return []


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


def _keys(tf, mapping, allowed, what, *where) -> None:
    for key in mapping:
        if key not in allowed:
            raise tf.error("%sunknown key %r (use %s)" % (what, key, ", ".join(sorted(allowed))),
                           *where, key)


def check(tf: TestFile) -> None:
    """Reject a test file whose shape would make a test check less than it says (a typo in
    a key or a parameter, no asserts, an unknown assertion, a missing parameter), then
    validate it against :func:`schema`."""
    spec = tf.spec
    if not isinstance(spec, dict) or not isinstance(spec.get("tests"), list):
        raise tf.error("expected a mapping with 'overlay' and a list 'tests'")
    _keys(tf, spec, FILE_KEYS, "")
    if not isinstance(spec.get("options") or {}, dict):
        raise tf.error("'options' must be a mapping of build options, got %r"
                       % (spec["options"],), "options")
    yamlgates.check_file(tf)
    for i, t in enumerate(spec["tests"]):
        if not isinstance(t, dict):
            raise tf.error("tests[%d] must be a mapping" % i, "tests", i)
        _keys(tf, t, TEST_KEYS, "tests[%d]: " % i, "tests", i)
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
        _check_selection(tf, t, "tests[%d]" % i, ("tests", i))
        for j, a in enumerate(asserts):
            _check_assert(tf, a, i, j)
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(spec),
                    key=lambda e: list(e.absolute_path))
    if errors:
        e = _precise(errors[0])
        where = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p
                        for p in e.absolute_path).lstrip(".")
        raise tf.error("%s: %s" % (where or "(file)", e.message), *e.absolute_path)


def _precise(e):
    """The error inside the schema branch of the assertion an entry names (a ``oneOf``
    failure says only that no branch matched)."""
    while e.validator == "oneOf" and isinstance(e.instance, dict) and e.context:
        names = [k for k in e.instance if k in ASSERTIONS]
        if not names:
            break
        branch = ASSERTIONS.index(names[0])
        subs = [s for s in e.context if s.relative_schema_path[0] == branch]
        if not subs:
            break
        e = max(subs, key=lambda s: len(s.absolute_path))
    return e


def _check_selection(tf, scope: dict, label: str, where: tuple) -> None:
    sel = scope.get("select")
    if sel and (not isinstance(sel, dict) or set(sel) - SELECT_KEYS):
        raise tf.error("%s: select takes %s, got %r" % (
            label.split(".")[0], ", ".join(sorted(SELECT_KEYS)), sel), *where)
    ds = scope.get("documentSelector")
    if ds is not None:
        if not isinstance(ds, dict) or "path" not in ds or "value" not in ds:
            raise tf.error("%s: documentSelector takes path and value (and matchMany), got %r"
                           % (label, ds), *where, "documentSelector")
        _keys(tf, ds, SELECTOR_KEYS, "%s.documentSelector: " % label, *where,
              "documentSelector")
        _check_path(tf, ds["path"], "%s.documentSelector" % label, *where, "documentSelector")


def _check_assert(tf, a, i: int, j: int) -> None:
    where = ("tests", i, "asserts", j)
    label = "tests[%d].asserts[%d]" % (i, j)
    names = [k for k in a if k not in ASSERT_KEYS] if isinstance(a, dict) else None
    if not names or len(names) != 1:
        raise tf.error("%s must be a mapping naming one assertion (and optional %s), got %r"
                       % (label, ", ".join(sorted(ASSERT_KEYS)), a), *where)
    name = names[0]
    if name not in ASSERTIONS:
        raise tf.error("%s: unknown assertion %r (known: %s)"
                       % (label, name, ", ".join(ASSERTIONS)), *where)
    args = a[name]
    if not isinstance(args, (dict, type(None))):
        raise tf.error("%s: %s takes a mapping, got %r" % (label, name, args), *where)
    spec, _ = spec_of(name)
    args = args or {}
    allowed = set(spec.required) | set(spec.optional)
    for key in args:
        if key not in allowed:
            raise tf.error("%s: %s: unknown parameter %r (takes %s)" % (
                label, name, key, ", ".join(sorted(allowed)) or "none"), *where, name, key)
    missing = [k for k in spec.required if k not in args]
    if NEGATIONS.get(name, name) == "lengthEqual":
        if not args.get("path") and not args.get("paths"):
            missing.append("path or paths")
        elif "count" not in args and not args.get("paths"):
            missing.append("count")
    if missing:
        raise tf.error("%s: %s needs %s" % (label, name, ", ".join(repr(m) for m in missing)),
                       *where, name)
    _check_selection(tf, a, label, where)
    paths = [args.get("path")] + list(args.get("paths") or [])
    for p in paths:
        _check_path(tf, p, "%s: %s" % (label, name), *where, name)
    if NEGATIONS.get(name, name) == "isType" and args.get("type") not in TYPES:
        raise tf.error("%s: %s: unknown type %r (known: %s)" % (
            label, name, args.get("type"), ", ".join(TYPES)), *where, name, "type")
    for key in ("pattern", "errorPattern"):
        if isinstance(args.get(key), str):
            try:
                re.compile(args[key])
            except re.error as e:
                raise tf.error("%s: %s: %s %r is not a regular expression: %s"
                               % (label, name, key, args[key], e), *where, name, key) from None


def _check_path(tf, path, label: str, *where) -> None:
    if not isinstance(path, str) or not path:
        return
    try:
        split_path(helm_path(path))
    except FieldPathError as e:
        raise tf.error("%s: %s" % (label, e.message), *where) from None


# -- the JSON schema ---------------------------------------------------------------------------
def schema() -> dict:
    """The JSON schema (2020-12) of a test file: editors complete and check with it."""
    ref = (lambda name: {"$ref": "#/$defs/%s" % name})
    defs = {
        "select": {"type": "object", "additionalProperties": False,
                   "description": "which documents the assertions look at",
                   "properties": {k: {"type": "string"} if k not in ("labels", "annotations")
                                  else {"type": "object", "additionalProperties": {
                                      "type": ["string", "null"]}}
                                  for k in sorted(SELECT_KEYS)}},
        "documentSelector": {
            "type": "object", "additionalProperties": False, "required": ["path", "value"],
            "description": "the documents whose field at path equals value (exactly one "
                           "unless matchMany)",
            "properties": {"path": {"type": "string"}, "value": {},
                           "matchMany": {"type": "boolean"}}},
        "documentIndex": {"type": "integer", "minimum": 0},
        "overlays": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    }
    asserts = []
    for name in ASSERTIONS:
        spec, _ = spec_of(name)
        params = {"type": ["object", "null"] if not spec.required else "object",
                  "additionalProperties": False,
                  "properties": dict(spec.required, **spec.optional)}
        if spec.required:
            params["required"] = sorted(spec.required)
        params.update(spec.extra)
        defs["assert-" + name] = {
            "type": "object", "additionalProperties": False, "required": [name],
            "properties": {name: params, "not": {"type": "boolean"}, "select": ref("select"),
                           "documentSelector": ref("documentSelector"),
                           "documentIndex": ref("documentIndex")}}
        asserts.append(ref("assert-" + name))
    defs["test"] = {
        "type": "object", "additionalProperties": False,
        "anyOf": [{"required": ["asserts"]}, {"required": ["gates"]}],
        "properties": {
            "gates": {"type": "array", "minItems": 1, "items": {"type": "object"},
                      "description": "gate checks on the file's diff (docs/git.md)"},
            "name": {"type": "string"}, "it": {"type": "string"},
            "overlay": {"type": "string"}, "overlays": ref("overlays"),
            "select": ref("select"), "documentSelector": ref("documentSelector"),
            "documentIndex": ref("documentIndex"),
            "skip": {"type": "object", "required": ["reason"], "additionalProperties": False,
                     "properties": {"reason": {"type": "string"}}},
            "asserts": {"type": "array", "minItems": 1, "items": {"oneOf": asserts}}}}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://pytest-kustomize.invalid/yaml-tests.schema.json",
            "title": "pytest-kustomize YAML test file (test_*.kustomize.yaml)",
            "type": "object", "additionalProperties": False, "required": ["tests"],
            "properties": {"suite": {"type": "string"}, "overlay": {"type": "string"},
                           "overlays": ref("overlays"), "options": {"type": "object"},
                           "flux": {"type": "object", "description":
                                    "render a Flux Kustomization instead (docs/flux.md)"},
                           "diff": {"type": "object", "description":
                                    "gate checks on the diff of two refs (docs/git.md)"},
                           "tests": {"type": "array", "minItems": 1,
                                     "items": ref("test")}},
            "$defs": defs}


# -- running -----------------------------------------------------------------------------------
def _select(resources, spec):
    if not spec:
        return list(resources)
    crit = dict(spec)
    if "apiVersion" in crit:
        crit["api_version"] = crit.pop("apiVersion")
    return list(resources.select(**crit))


def _document_selector(docs: list, ds) -> list:
    if not ds:
        return docs
    path = helm_path(str(ds["path"]))
    hits = [d for d in docs if ds["value"] in get_all(d.data, path)]
    shown = "documentSelector {path: %s, value: %r}" % (ds["path"], ds["value"])
    if not hits:
        raise AssertionError("%s matched no document (of %d)" % (shown, len(docs)))
    if len(hits) > 1 and not ds.get("matchMany"):
        raise AssertionError("%s matched %d documents (%s); set matchMany: true to assert "
                             "on all of them" % (shown, len(hits),
                                                 ", ".join(str(d.id) for d in hits)))
    return hits


def _document_index(docs: list, index) -> list:
    if index is None:
        return docs
    if index >= len(docs):
        raise AssertionError("documentIndex %d is out of range (%d document(s))"
                             % (index, len(docs)))
    return [docs[index]]


def run_test(tf: TestFile, index: int, render, snapshot=None) -> None:
    """Run ``tests[index]`` of ``tf``. ``render``: the resources, or a callable returning
    them (a KustomizeError it raises is what ``failedRender`` judges); ``snapshot(values,
    name)``: compares ``matchSnapshot`` values. AssertionError naming the assertion and its
    line when one fails."""
    t = tf.spec["tests"][index]

    def compare(values, name):
        if snapshot is None:
            raise AssertionError("matchSnapshot needs a snapshot store (run it under pytest)")
        return snapshot(values, name)
    resources, error = render, None
    if callable(render):
        try:
            resources = render()
        except KustomizeError as e:
            resources, error = [], e
    for j, a in enumerate(t["asserts"]):
        name = next(k for k in a if k not in ASSERT_KEYS)
        try:
            scoped = _select(resources, a.get("select", t.get("select"))) \
                if error is None else []
            docs = _document_index(
                _document_selector(scoped, a.get("documentSelector",
                                                 t.get("documentSelector"))),
                a.get("documentIndex", t.get("documentIndex"))) if error is None else []
            check_assertion(name, a[name] or {}, docs, negate=bool(a.get("not")),
                            all_docs=scoped, error=error,
                            snapshot=lambda values, _j=j: compare(values, "asserts-%d" % _j))
        except AssertionError as e:
            raise AssertionError("%s: asserts[%d] %s%s: %s" % (
                tf.where("tests", index, "asserts", j), j, name,
                " (not)" if a.get("not") else "", e)) from None


__all__ = ["load", "check", "schema", "run_test", "TestFile", "YamlTestError", "ASSERTIONS",
           "SPECS"]
