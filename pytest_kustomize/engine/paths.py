"""The one path engine: kustomize's field-path grammars and the walks over plain data that
field specs, replacements, vars and user queries share.

Grammars: slash paths of field specs (``spec/template/metadata/labels``, ``ports[]``,
``\\/`` escapes); kyaml's dotted paths (``spec.containers.[name=app].image``,
``containers[0]``, ``[a.b]`` map keys with dots); the lenient query form of the dotted path
(``*`` wildcards, ``-`` for the last element). Walks: :func:`walk_spec` (field specs, with
creation), :func:`locate`/:func:`lookup` (kyaml's Lookup: first match), :func:`find_all`
(every match), :func:`match_targets` (kyaml's PathMatcher with creation: a replacement's
targets).
"""
from __future__ import annotations

import os
import re
from typing import Any, Callable

from ..errors import FieldPathError, TransformerError
from .yamlscalar import scalar_to_string

MAP = "map"
SEQ = "seq"
SCALAR = "scalar"
SELF = object()           # locate()'s key for the node itself (an empty path)
MISSING = object()        # lookup()/get_field() default: nothing at that path

_SLICE_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


# -- grammars ----------------------------------------------------------------------------
def split_escaped(path: str, delimiter: str = "/") -> list:
    """Split a path on ``delimiter``, honouring backslash-escaped delimiters (a leading
    delimiter is dropped)."""
    ps = path.split(delimiter)
    if len(ps) > 1 and ps[0] == "":
        ps = ps[1:]
    out = [ps[0]]
    for p in ps[1:]:
        if out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + delimiter + p
        else:
            out.append(p)
    return out


def smarter_split(path: str) -> list:
    """kyaml's SmarterPathSplitter on '.': escaped dots stay, ``[a.b=c]`` stays one bracketed
    element, ``[a.b]`` (a map key with dots) loses its brackets."""
    parts = split_escaped(path, ".")
    out, i = [], 0
    while i < len(parts):
        e = parts[i]
        if e.startswith("[") and not e.endswith("]"):
            acc = [e]
            while i < len(parts) - 1:
                i += 1
                acc.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(acc)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(e)
        i += 1
    return out


def with_slice_indexes(parts: list) -> list:
    """kyaml's convertSliceIndex: ``containers[0]`` becomes ``containers``, ``0``."""
    res = []
    for s in parts:
        m = _SLICE_INDEX.match(s) if s.endswith("]") else None
        if m:
            if m.group(1):
                res.append(m.group(1))
            res.append(m.group(2))
        else:
            res.append(s)
    return res


def dotted(path: str) -> list:
    """A kyaml dotted path (as vars' fieldref and kustomize's GetFieldValue read it)."""
    return with_slice_indexes(smarter_split(path))


def query_parts(path: str) -> list:
    """A user query path: ``[key]`` without ``=`` is a plain map key; a malformed path
    raises FieldPathError rather than matching nothing."""
    if path.count("[") != path.count("]"):
        raise FieldPathError("malformed field path %r (unbalanced brackets)" % path, field=path)
    parts = dotted(path)
    for p in parts:
        inner = p[1:-1] if p.startswith("[") and p.endswith("]") else p
        if p == "" or "[" in inner or "]" in inner or inner == "":
            raise FieldPathError("malformed field path %r (element %r)" % (path, p),
                                 field=path)
    return [p[1:-1] if p.startswith("[") and p.endswith("]") and "=" not in p
            and not p[1:-1].isdigit() else p for p in parts]


# -- matching list elements ----------------------------------------------------------------
def text(v) -> str:
    """The text a ``[key=value]`` element selector compares with (a scalar's YAML text)."""
    if isinstance(v, (dict, list)):
        return ""
    return scalar_to_string(v) if v is not None else "null"


def list_selector(part: str):
    """``(key, value)`` of a ``[key=value]`` element, or None."""
    if part.startswith("[") and part.endswith("]") and "=" in part:
        k, v = part[1:-1].split("=", 1)
        return k, v
    return None


def selects(element, key: str, value: str) -> bool:
    """Does ``[key=value]`` select this list element (``[=value]``: a scalar element)?"""
    if key == "":
        return not isinstance(element, (dict, list)) and text(element) == value
    return isinstance(element, dict) and key in element and text(element[key]) == value


# -- walks -------------------------------------------------------------------------------
def locate(node, parts: list):
    """kyaml's Lookup: ``(holder, key)`` of the node at ``parts`` (maps by key, lists by
    ``[k=v]`` — the first match — or index), ``(node, SELF)`` for no parts, None when
    absent."""
    holder, key = node, SELF
    for p in parts:
        if key is not SELF:
            node = holder[key]
        if isinstance(node, dict):
            if p not in node:
                return None
            holder, key = node, p
        elif isinstance(node, list):
            sel = list_selector(p)
            if sel is not None:
                i = next((i for i, e in enumerate(node) if selects(e, *sel)), None)
                if i is None:
                    return None
                holder, key = node, i
            elif p.isdigit() and int(p) < len(node):
                holder, key = node, int(p)
            else:
                return None
        else:
            return None
    return holder, key


def lookup(node, parts: list, default: Any = None) -> Any:
    """The value :func:`locate` finds, or ``default``."""
    loc = locate(node, parts)
    if loc is None:
        return default
    holder, key = loc
    return holder if key is SELF else holder[key]


def _step(node, part: str) -> list:
    if isinstance(node, dict):
        if part == "*":
            return list(node.values())
        return [node[part]] if part in node else []
    if isinstance(node, list):
        if part == "*":
            return list(node)
        sel = list_selector(part)
        if sel is not None:
            return [e for e in node if selects(e, *sel)]
        if part.isdigit():
            i = int(part)
            return [node[i]] if i < len(node) else []
        if part == "-":
            return [node[-1]] if node else []
    return []


def find_all(data, parts: list) -> list:
    """Every value at ``parts`` (``*`` matches every map value or list element, ``[k=v]``
    every matching element, ``-`` the last element)."""
    nodes = [data]
    for part in parts:
        nodes = [n for node in nodes for n in _step(node, part)]
        if not nodes:
            break
    return nodes


def walk_spec_py(node, parts, fn: Callable[[Any, Any], None], create: bool = False,
                 create_kind: str | None = None, parent=None, key=None) -> None:
    """A field spec's walk: ``fn(container, key)`` for every node at ``parts``; lists on the
    way are walked element by element, ``name[]`` must be a list, null values stop the
    walk, and missing fields are created when ``create`` (``create_kind`` is the kind of the
    last one; ``fn`` sees a missing last key only for SCALAR)."""
    if not parts:
        fn(parent, key)
        return
    if node is None:
        return
    if isinstance(node, list):
        for i in range(len(node)):
            walk_spec_py(node[i], parts, fn, create, create_kind, node, i)
        return
    if not isinstance(node, dict):
        raise TransformerError("expected sequence or mapping node")
    name = parts[0]
    is_seq = name.endswith("[]")
    if is_seq:
        name = name[:-2]
    if name == "":
        raise TransformerError("cannot set or create an empty field name")
    last = len(parts) == 1
    if name not in node:
        if not create or create_kind is None or is_seq:
            return
        if last:
            if create_kind == SCALAR:
                fn(node, name)
                return
            node[name] = {} if create_kind == MAP else []
        else:
            node[name] = {}
    elif node[name] is None and create and create_kind is not None and not is_seq:
        if last:
            if create_kind != SCALAR:
                node[name] = {} if create_kind == MAP else []
        else:
            node[name] = {}
    walk_spec_py(node[name], parts[1:], fn, create, create_kind, node, name)


def _native_walk():
    """engine/_walk.c (the field-spec walk without a Python frame per node, and the images
    transformer's container search), or None when the extension is not built or
    PYTEST_KUSTOMIZE_NATIVE=0."""
    try:
        from . import _walk
    except ImportError:
        return None
    if os.environ.get("PYTEST_KUSTOMIZE_NATIVE", "1") == "0":
        return None
    _walk.configure(TransformerError, SCALAR, MAP)
    return _walk


NATIVE_WALK = _native_walk()
walk_spec = NATIVE_WALK.walk_spec if NATIVE_WALK is not None else walk_spec_py


# -- a replacement's targets -----------------------------------------------------------
_LIST_INDEX = re.compile(r"^\[(?P<k>[^=\]]*)=(?P<v>.*)\]$")


def _part_kind(next_part: str, create_kind: str) -> str:
    if next_part == "":
        return create_kind
    if next_part.isdigit() or next_part.startswith("["):
        return "seq"
    return "map"


def _new(kind: str):
    return {} if kind == "map" else [] if kind == "seq" else CREATED


class _Created:
    """A scalar field created by a replacement (its type comes from the value's text)."""


CREATED = _Created()


def match_targets(node, parts: list, create, out: list, parent=None, key=None) -> None:
    """kyaml's PathMatcher (a replacement's target side): collect (container, key) of every match,
    creating missing fields when ``create`` is a node kind."""
    if not parts:
        out.append((parent, key))
        return
    p = parts[0]
    if p.isdigit():
        if not isinstance(node, list):
            raise TransformerError("wrong node kind: expected SequenceNode")
        i = int(p)
        if len(node) == i and create:
            node.append(_new(_part_kind(parts[1] if len(parts) > 1 else "", create)))
        if len(node) < i + 1:
            raise TransformerError("index %d specified but only %d elements found"
                                   % (i, len(node)))
        match_targets(node[i], parts[1:], create, out, node, i)
        return
    m = _LIST_INDEX.match(p)
    if m:
        if not isinstance(node, list):
            raise TransformerError("wrong node kind: expected SequenceNode")
        field, pattern = m.group("k"), m.group("v")
        try:
            rx = re.compile(pattern)
        except re.error as e:
            raise TransformerError(str(e)) from None
        before = len(out)
        for i, el in enumerate(list(node)):
            if field == "":
                if rx.search(text(el).strip()):
                    out.append((node, i)) if len(parts) == 1 else None
            else:
                if isinstance(el, dict) and field in el and el[field] is not None and \
                        rx.search(text(el[field]).strip()):
                    match_targets(el, parts[1:], create, out, node, i)
        if len(out) == before and create:
            node.append(pattern if field == "" else {field: pattern})
            match_targets(node, parts, create, out, parent, key)
        return
    if p == "*":
        if not isinstance(node, list):
            raise TransformerError("wrong node kind: expected SequenceNode")
        for i, el in enumerate(node):
            match_targets(el, parts[1:], create, out, node, i)
        return
    if not isinstance(node, dict):
        raise TransformerError("wrong node kind: expected MappingNode")
    if p not in node or node[p] is None and create:
        if not create:
            return
        node[p] = _new(_part_kind(parts[1] if len(parts) > 1 else "", create))
    match_targets(node[p], parts[1:], create, out, node, p)
