"""Patch metadata of Kubernetes types: which lists merge by which keys.

The builtin table (``data/k8s-patch-schema.json``) is generated from real schema data by
``scripts/gen_mergekeys.py``; a kustomization's ``openapi:`` file is read into the same
shape by :meth:`Schema.from_openapi_document`.
"""
from __future__ import annotations

import functools
import json
import os

DATA = os.path.join(os.path.dirname(__file__), "data", "k8s-patch-schema.json")

# Kubernetes API groups/versions that were removed before the schema set we ship: their
# kinds had the same patch metadata as the current version of the same kind.
_LEGACY_GROUPS = {
    "extensions": ("apps", "networking.k8s.io", "policy"),
    "apps": ("apps",),
    "batch": ("batch",),
    "networking.k8s.io": ("networking.k8s.io",),
    "policy": ("policy",),
    "autoscaling": ("autoscaling",),
    "rbac.authorization.k8s.io": ("rbac.authorization.k8s.io",),
    "storage.k8s.io": ("storage.k8s.io",),
    "scheduling.k8s.io": ("scheduling.k8s.io",),
    "apiextensions.k8s.io": ("apiextensions.k8s.io",),
    "admissionregistration.k8s.io": ("admissionregistration.k8s.io",),
    "certificates.k8s.io": ("certificates.k8s.io",),
    "coordination.k8s.io": ("coordination.k8s.io",),
    "discovery.k8s.io": ("discovery.k8s.io",),
    "events.k8s.io": ("events.k8s.io",),
    "node.k8s.io": ("node.k8s.io",),
}


class SchemaNode:
    """The schema of one field: the definition it refers to, its list items / map values,
    and (for lists) its patch strategy and merge keys."""
    __slots__ = ("table", "defn", "items", "values", "strategy", "keys")

    def __init__(self, table, defn=None, items=None, values=None, strategy="", keys=()):
        self.table = table
        self.defn = defn
        self.items = items
        self.values = values
        self.strategy = strategy
        self.keys = tuple(keys)

    def field(self, name: str) -> "SchemaNode | None":
        d = self.table.defs.get(self.defn) if self.defn else None
        if d is not None:
            p = d.get("p", {}).get(name)
            if p is not None:
                if "r" in p:
                    return SchemaNode(self.table, p["r"])
                return SchemaNode(self.table, None, p.get("i"), p.get("m"), p.get("s", ""),
                                  p.get("k", ()))
            if "m" in d:
                return SchemaNode(self.table, d["m"])
            if self.table.defn_exists(self.defn):
                return None
        if self.values:
            return SchemaNode(self.table, self.values)
        return None

    def elements(self) -> "SchemaNode | None":
        if self.items:
            return SchemaNode(self.table, self.items)
        return None

    def has_merge_strategy(self) -> bool:
        return "merge" in self.strategy.split(",")


class Schema:
    """A set of type definitions plus the definition of each apiVersion/kind."""

    def __init__(self, roots: dict, defs: dict, all_defs: set | None = None):
        self.roots = roots
        self.defs = defs
        self._all = all_defs if all_defs is not None else set(defs)
        by_kind: dict = {}
        for key, d in roots.items():
            av, kind = key.rsplit("/", 1)
            group = av.split("/", 1)[0] if "/" in av else ""
            by_kind.setdefault((group, kind), d)
        self._by_group_kind = by_kind

    def defn_exists(self, name: str) -> bool:
        return name in self._all

    @classmethod
    @functools.lru_cache(maxsize=None)
    def default(cls) -> "Schema":
        with open(DATA, encoding="utf-8") as f:
            t = json.load(f)
        return cls(t["roots"], t["defs"])

    @classmethod
    def from_openapi_document(cls, doc: dict) -> "Schema":
        """A swagger 2 / OpenAPI document (``definitions`` or ``components.schemas``),
        layered, like kyaml does, over the builtin definitions."""
        defs = doc.get("definitions")
        if not isinstance(defs, dict):
            defs = ((doc.get("components") or {}).get("schemas")) or {}
        roots, table = table_from_definitions(defs)
        base = Schema.default()
        all_roots = dict(base.roots)
        all_roots.update(roots)
        all_defs = dict(base.defs)
        all_defs.update(table)
        return cls(all_roots, all_defs, set(all_defs) | set(base._all))

    def for_type(self, api_version, kind) -> SchemaNode | None:
        if not api_version or not kind:
            return None
        api_version, kind = str(api_version), str(kind)
        d = self.roots.get("%s/%s" % (api_version, kind))
        if d is None:
            group = api_version.split("/", 1)[0] if "/" in api_version else ""
            for g in _LEGACY_GROUPS.get(group, ()):
                d = self._by_group_kind.get((g, kind))
                if d:
                    break
        return SchemaNode(self, d) if d else None

    def for_object(self, obj) -> SchemaNode | None:
        if isinstance(obj, dict):
            return self.for_type(obj.get("apiVersion"), obj.get("kind"))
        return None


def _ref(schema) -> str | None:
    if not isinstance(schema, dict):
        return None
    r = schema.get("$ref")
    return r.rsplit("/", 1)[-1] if isinstance(r, str) else None


def table_from_definitions(defs: dict) -> tuple:
    """(roots, table): the apiVersion/kind -> definition map and, per definition, what
    strategic merge needs (property refs, list items, map values, patch strategy and merge
    keys); inline object schemas become definitions of their own."""
    roots, table = {}, {}
    for name, d in defs.items():
        if not isinstance(d, dict):
            continue
        _flatten(name, d, table)
        gvks = d.get("x-kubernetes-group-version-kind")
        for gvk in gvks if isinstance(gvks, list) else ():
            if not isinstance(gvk, dict):
                continue
            av = gvk.get("version", "") if not gvk.get("group") else \
                "%s/%s" % (gvk["group"], gvk.get("version", ""))
            roots["%s/%s" % (av, gvk.get("kind", ""))] = name
    return roots, {k: v for k, v in table.items() if v}


def _inline(schema) -> bool:
    return isinstance(schema, dict) and not _ref(schema) and (
        isinstance(schema.get("properties"), dict) or isinstance(schema.get("items"), dict)
        or isinstance(schema.get("additionalProperties"), dict))


def _target(name: str, schema, table: dict):
    """The definition name a (sub)schema stands for, flattening inline objects."""
    if _ref(schema):
        return _ref(schema)
    if _inline(schema) and isinstance(schema.get("properties"), dict):
        _flatten(name, schema, table)
        return name
    return None


def _flatten(name: str, d: dict, table: dict) -> None:
    props = {}
    for pname, p in (d.get("properties") or {}).items():
        if not isinstance(p, dict):
            continue
        e = {}
        r = _target("%s/%s" % (name, pname), p, table)
        if r:
            e["r"] = r
        i = _target("%s/%s[]" % (name, pname), p.get("items"), table)
        if i:
            e["i"] = i
        m = _target("%s/%s{}" % (name, pname), p.get("additionalProperties"), table)
        if m:
            e["m"] = m
        if "x-kubernetes-patch-strategy" in p:
            e["s"] = p["x-kubernetes-patch-strategy"]
            if isinstance(p.get("x-kubernetes-list-map-keys"), list):
                e["k"] = list(p["x-kubernetes-list-map-keys"])
            elif "x-kubernetes-patch-merge-key" in p:
                e["k"] = [p["x-kubernetes-patch-merge-key"]]
        if e:
            props[pname] = e
    item = {"p": props} if props else {}
    m = _target(name + "{}", d.get("additionalProperties"), table)
    if m:
        item["m"] = m
    table[name] = item
