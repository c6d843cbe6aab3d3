"""Structured differences between resources, renders and overlays (deepdiff underneath).

``diff(base, overlay)`` pairs resources by kind and their name in the kustomization (so
``dev-app`` and ``prod-app`` are the same object) and reports added and removed resources
and every changed field. Secret values are masked.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from deepdiff import DeepDiff

from .engine.resource import Resource

MASK = "*** (secret value) ***"
_PATH_PART = re.compile(r"\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\d+)\]")


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: object
    new: object

    @property
    def kind(self) -> str:
        if self.old is _ABSENT:
            return "added"
        if self.new is _ABSENT:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return "%s: added %s" % (self.path, _short(self.new))
        if self.kind == "removed":
            return "%s: removed (was %s)" % (self.path, _short(self.old))
        return "%s: %s -> %s" % (self.path, _short(self.old), _short(self.new))


class _Absent:
    def __repr__(self):
        return "<absent>"


_ABSENT = _Absent()


def _short(v, limit: int = 120) -> str:
    s = repr(v)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def _dotted(deepdiff_path: str) -> str:
    parts = []
    for m in _PATH_PART.finditer(deepdiff_path):
        tok = m.group(1)
        if tok[0] in "'\"":
            key = tok[1:-1]
            parts.append("[%s]" % key if "." in key else key)
        else:
            parts.append("[%s]" % tok)
    out = ""
    for p in parts:
        if p.startswith("[") and p[1:-1].isdigit():
            out += p
        else:
            out += ("." if out else "") + p
    return out or "(root)"


def masked(data: dict) -> dict:
    """A copy of an object with Secret values replaced by a mask."""
    if not isinstance(data, dict) or data.get("kind") != "Secret":
        return data
    d = copy.deepcopy(data)
    for key in ("data", "stringData"):
        if isinstance(d.get(key), dict):
            d[key] = {k: MASK for k in d[key]}
    return d


def field_changes(old: dict, new: dict) -> list:
    """Every changed field between two objects, as FieldChange(path, old, new)."""
    dd = DeepDiff(old, new, verbose_level=2)
    out = []
    for kind in ("values_changed", "type_changes"):
        for path, ch in dd.get(kind, {}).items():
            out.append(FieldChange(_dotted(path), ch.get("old_value"), ch.get("new_value")))
    for kind in ("dictionary_item_added", "iterable_item_added"):
        for path, v in dd.get(kind, {}).items():
            out.append(FieldChange(_dotted(path), _ABSENT, v))
    for kind in ("dictionary_item_removed", "iterable_item_removed"):
        for path, v in dd.get(kind, {}).items():
            out.append(FieldChange(_dotted(path), v, _ABSENT))
    return sorted(out, key=lambda c: c.path)


def _key(r: Resource) -> tuple:
    o = r.orig_id
    return (o.gvk.group, o.gvk.kind, o.name)


@dataclass
class OverlayDiff:
    added: list = field(default_factory=list)      # resources only on the right
    removed: list = field(default_factory=list)    # resources only on the left
    changed: dict = field(default_factory=dict)    # "Kind/name" -> [FieldChange]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def __str__(self) -> str:
        if not self:
            return "no differences"
        lines = []
        for r in self.removed:
            lines.append("- %s (only on the left)" % r.id)
        for r in self.added:
            lines.append("+ %s (only on the right)" % r.id)
        for name, changes in self.changed.items():
            lines.append("~ %s" % name)
            lines.extend("    %s" % c for c in changes)
        return "\n".join(lines)


def diff(left, right, *, mask_secrets: bool = True) -> OverlayDiff:
    """Differences from ``left`` to ``right`` (two Resources, e.g. base and overlay)."""
    lmap, rmap = {}, {}
    for r in left:
        lmap.setdefault(_key(r), []).append(r)
    for r in right:
        rmap.setdefault(_key(r), []).append(r)
    out = OverlayDiff()
    for key, ls in lmap.items():
        rs = rmap.get(key, [])
        for i, lr in enumerate(ls):
            if i >= len(rs):
                out.removed.append(lr)
                continue
            rr = rs[i]
            a, b = lr.data, rr.data
            if mask_secrets:
                a, b = masked(a), masked(b)
            changes = field_changes(a, b)
            if changes:
                label = str(rr.id) if rr.id == lr.id else "%s -> %s" % (lr.id, rr.id)
                out.changed[label] = changes
    for key, rs in rmap.items():
        ls = lmap.get(key, [])
        out.added.extend(rs[len(ls):])
    return out


def explain(left, right) -> list:
    """Lines explaining why two resources (or renders) differ, with where values came from."""
    if isinstance(left, Resource) and isinstance(right, Resource):
        lines = ["%s differs:" % left.id]
        for c in field_changes(masked(left.data), masked(right.data)):
            lines.append("  " + str(c))
            for side, res in (("left", left), ("right", right)):
                if res.origin.path or res.origin.transformations:
                    lines.append("    %s: %s" % (side, res.provenance(c.path)))
        return lines
    d = diff(left, right)
    return ["renders differ:"] + ["  " + line for line in str(d).splitlines()]
