"""Selecting rendered resources and reading their fields.

Selection criteria (all optional, all must hold): ``kind``, ``api_version``, ``group``,
``version``, ``name`` (current name, original name, or the name before a generator's hash
suffix), ``namespace``, ``labels`` / ``annotations`` (a dict of required values, or a
Kubernetes label-selector string), ``where`` (a predicate on the Resource).

Field paths use kustomize's syntax: ``spec.template.spec.containers.[name=nginx].image``,
``spec.containers[0].image``, ``metadata.annotations.[example.com/key]``.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from .engine import fieldspec
from .engine.fieldspec import FieldSpec, default_name_references
from .engine.paths import MISSING, find_all, query_parts, text
from .engine.resid import Gvk, is_cluster_scoped
from .engine.selector import matches_label_selector
from .errors import FieldPathError, KustomizeError

__all__ = ["QueryError", "FieldPathError", "MISSING", "names_of", "matches", "describe",
           "split_path", "get_all", "get_field", "reference_fields", "find_referenced"]
_HASH_SUFFIX = re.compile(r"^(?P<base>.+)-[0-9a-z]{10}$")


class QueryError(KustomizeError, LookupError):
    """A lookup found no resource, or more than one where exactly one was expected."""


def names_of(r) -> set:
    """Every name a resource answers to: current, original, and pre-hash-suffix names."""
    names = {r.name}
    for i in r.previous_ids:
        names.add(i.name)
    m = _HASH_SUFFIX.match(r.name)
    if m and (r.is_generated or r.kind in ("ConfigMap", "Secret")):
        names.add(m.group("base"))
    return names


def _matches_map(actual: dict, wanted) -> bool:
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return matches_label_selector(actual, wanted)
    return all(k in actual and (v is ... or str(actual[k]) == str(v)) for k, v in wanted.items())


def matches(r, *, kind: str | None = None, api_version: str | None = None,
            group: str | None = None, version: str | None = None, name: str | None = None,
            namespace: str | None = None, labels=None, annotations=None,
            where: Callable | None = None) -> bool:
    gvk = r.gvk
    if kind is not None and gvk.kind != kind:
        return False
    if api_version is not None and gvk.api_version != api_version:
        return False
    if group is not None and gvk.group != group:
        return False
    if version is not None and gvk.version != version:
        return False
    if name is not None and name not in names_of(r):
        return False
    if namespace is not None and r.namespace != namespace:
        return False
    if not _matches_map(r.labels, labels) or not _matches_map(r.annotations, annotations):
        return False
    if where is not None and not where(r):
        return False
    return True


def describe(criteria: dict) -> str:
    return ", ".join("%s=%r" % (k, v) for k, v in criteria.items() if v is not None) or "any"


# -- field paths (the engine's path engine, in its lenient query form) ------------------------
def split_path(path: str) -> list:
    """Path elements; ``[key]`` without ``=`` is a plain map key here (lenient for users).
    A malformed path raises FieldPathError rather than matching nothing."""
    return query_parts(path)


def get_all(data, path: str) -> list:
    """Every value at ``path`` (``*`` matches every map value / list element)."""
    return find_all(data, query_parts(path))


def get_field(data, path: str, default: Any = MISSING) -> Any:
    """The single value at ``path``; ``default`` (or a KeyError naming the path) if absent."""
    found = get_all(data, path)
    if not found:
        if default is MISSING:
            raise KeyError(path)
        return default
    return found[0]


# -- name references ------------------------------------------------------------------------
def reference_fields(r, extra: list | None = None) -> list:
    """(referenced Gvk, field path, name, namespace or None) for every name reference field
    of ``r`` (kustomize's name-reference field specs plus ``extra`` [(Gvk, FieldSpec)])."""
    out = []
    specs = [(g, fs) for g, fss in default_name_references() for fs in fss]
    specs += list(extra or [])
    gvk = r.gvk
    for target, fs in specs:
        if not gvk.matches(fs.gvk):
            continue
        if fs.path.endswith("roleRef/name"):
            rr = r.data.get("roleRef") or {}
            if isinstance(rr, dict) and rr.get("kind") and rr.get("kind") != target.kind:
                continue

        def collect(parent, key, target=target, fs=fs):
            node = parent[key] if (isinstance(parent, list) or key in parent) else None
            values = node if isinstance(node, list) else [node]
            # a sibling "kind" (scaleTargetRef, roleRef …) says which kind is meant
            sibling_kind = parent.get("kind") if isinstance(parent, dict) else None
            for v in values:
                if isinstance(v, dict):
                    k = v.get("kind", sibling_kind)
                    if k and isinstance(k, str) and k != target.kind:
                        continue
                    if v.get("name") is not None:
                        out.append((target, fs.path, _name(v.get("name")), v.get("namespace")))
                elif v is not None and not isinstance(v, list):
                    if sibling_kind and isinstance(sibling_kind, str) and \
                            sibling_kind != target.kind:
                        continue
                    out.append((target, fs.path, _name(v), None))
        try:
            fieldspec.apply(r.data, FieldSpec(Gvk(), fs.path, False), collect)
        except KustomizeError:
            continue
    return out


def _name(v) -> str:
    return "" if v is None else text(v)


def find_referenced(resources, r, target: Gvk, name: str, namespace=None) -> list:
    ns = namespace if namespace is not None else (r.namespace or None)
    out = []
    for c in resources:
        if not c.gvk.matches(target) or c.name != name:
            continue
        if (ns is not None and c.namespace and c.namespace != ns
                and not is_cluster_scoped(c.gvk)):
            continue
        out.append(c)
    return out
