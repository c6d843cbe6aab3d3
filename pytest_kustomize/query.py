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

from .engine.fieldspec import FieldSpec, default_name_references
from .engine.resource import Gvk, Resource, is_cluster_scoped
from .engine.selector import matches_label_selector
from .engine.paths import smarter_split, with_slice_indexes
from .errors import KustomizeError

_HASH_SUFFIX = re.compile(r"^(?P<base>.+)-[0-9a-z]{10}$")
MISSING = object()


class QueryError(KustomizeError, LookupError):
    """A lookup found no resource, or more than one where exactly one was expected."""


def names_of(r: Resource) -> set:
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


def matches(r: Resource, *, kind: str | None = None, api_version: str | None = None,
            group: str | None = None, version: str | None = None, name: str | None = None,
            namespace: str | None = None, labels=None, annotations=None,
            where: Callable[[Resource], bool] | None = None) -> bool:
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


# -- field paths -------------------------------------------------------------------------
class FieldPathError(KustomizeError, ValueError):
    """A field path that cannot be read (empty element, unbalanced brackets)."""


def split_path(path: str) -> list:
    """Path elements; ``[key]`` without ``=`` is a plain map key here (lenient for users).
    A malformed path raises FieldPathError rather than matching nothing."""
    if path.count("[") != path.count("]"):
        raise FieldPathError("malformed field path %r (unbalanced brackets)" % path, field=path)
    parts = with_slice_indexes(smarter_split(path))
    for p in parts:
        inner = p[1:-1] if p.startswith("[") and p.endswith("]") else p
        if p == "" or "[" in inner or "]" in inner or inner == "":
            raise FieldPathError("malformed field path %r (element %r)" % (path, p),
                                 field=path)
    return [p[1:-1] if p.startswith("[") and p.endswith("]") and "=" not in p
            and not p[1:-1].isdigit() else p for p in parts]


def _step(node, part: str) -> list:
    """The nodes one path element leads to (a wildcard may give several)."""
    if isinstance(node, dict):
        if part == "*":
            return list(node.values())
        return [node[part]] if part in node else []
    if isinstance(node, list):
        if part == "*":
            return list(node)
        if part.startswith("[") and part.endswith("]") and "=" in part:
            k, v = part[1:-1].split("=", 1)
            if k == "":
                return [e for e in node if not isinstance(e, (dict, list)) and _s(e) == v]
            return [e for e in node if isinstance(e, dict) and k in e and _s(e[k]) == v]
        if part.isdigit():
            i = int(part)
            return [node[i]] if i < len(node) else []
        if part == "-":
            return [node[-1]] if node else []
    return []


def _s(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def get_all(data, path: str) -> list:
    """Every value at ``path`` (``*`` matches every map value / list element)."""
    nodes = [data]
    for part in split_path(path):
        nodes = [n for node in nodes for n in _step(node, part)]
        if not nodes:
            break
    return nodes


def get_field(data, path: str, default: Any = MISSING) -> Any:
    """The single value at ``path``; ``default`` (or a KeyError naming the path) if absent."""
    found = get_all(data, path)
    if not found:
        if default is MISSING:
            raise KeyError(path)
        return default
    return found[0]


# -- name references ------------------------------------------------------------------------
def reference_fields(r: Resource, extra: list | None = None) -> list:
    """(referenced Gvk, field path, name, namespace or None) for every name reference field
    of ``r`` (kustomize's name-reference field specs plus ``extra`` [(Gvk, FieldSpec)])."""
    from .engine import fieldspec as fsm
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
                        out.append((target, fs.path, _s(v.get("name")), v.get("namespace")))
                elif v is not None and not isinstance(v, list):
                    if sibling_kind and isinstance(sibling_kind, str) and \
                            sibling_kind != target.kind:
                        continue
                    out.append((target, fs.path, _s(v), None))
        try:
            fsm.apply(r.data, FieldSpec(Gvk(), fs.path, False), collect)
        except KustomizeError:
            continue
    return out


def find_referenced(resources, r: Resource, target: Gvk, name: str, namespace=None) -> list:
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
