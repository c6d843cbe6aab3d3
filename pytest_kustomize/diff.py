"""Structured differences between resources, renders and overlays (deepdiff underneath).

``diff(base, overlay)`` pairs resources by kind and their name in the kustomization (so
``dev-app`` and ``prod-app`` are the same object), ``diff(old, new, by="id")`` as the API server
does; both report added and removed resources and every changed field. Secret values are
masked, their changes shown. ``gitdiff`` runs it on two Git refs of overlays.
"""
from __future__ import annotations

import copy
import fnmatch
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field


from .engine.resource import Resource
from .resources import rendered

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
        if self.old == MASK and self.new == MASK:
            return "%s: %s -> %s (value changed)" % (self.path, MASK, MASK)
        return "%s: %s -> %s" % (self.path, _short(self.old), _short(self.new))

    def to_dict(self) -> dict:
        d = {"path": self.path, "change": self.kind}
        if self.old is not _ABSENT:
            d["old"] = self.old
        if self.new is not _ABSENT:
            d["new"] = self.new
        return d


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
    from deepdiff import DeepDiff   # heavy (pydantic, ~70 ms): loaded when a diff is made
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


def _live_key(r: Resource) -> tuple:
    """What the API server knows an object by: group, kind, namespace, name. A generated
    object with a hash suffix is paired by its name before the suffix (its rename is a
    change of ``metadata.name``)."""
    i = r.id
    name = r.orig_id.name if r.needs_hash else i.name
    return (i.gvk.group, i.gvk.kind, i.effective_namespace, name)


ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass
class ObjectDiff:
    """One object that differs: ``status`` added / removed / changed, the resource on each
    side (None where absent) and, for a change, every changed field."""
    status: str
    old: Resource | None
    new: Resource | None
    changes: list = field(default_factory=list)

    @property
    def resource(self) -> Resource:
        return self.new if self.new is not None else self.old

    @property
    def kind(self) -> str:
        return self.resource.kind

    def __str__(self) -> str:
        sign = {ADDED: "+", REMOVED: "-", CHANGED: "~"}[self.status]
        return "\n".join(["%s %s" % (sign, self.label)] + ["    %s" % c for c in self.changes])

    @property
    def key(self) -> str:
        """How ``added``/``removed``/``changed`` key it: the id of ``resource``."""
        return str(self.resource.id)

    @property
    def label(self) -> str:
        if self.old is not None and self.new is not None and self.old.id != self.new.id:
            return "%s -> %s" % (self.old.id, self.new.id)
        return str(self.resource.id)

    def to_dict(self) -> dict:
        r = self.resource
        return {"status": self.status, "id": self.label, "apiVersion": r.data.get("apiVersion"),
                "kind": r.kind, "namespace": r.namespace, "name": r.name,
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class OverlayDiff:
    """Every object that differs between two renders, in a stable order (removed, added,
    changed; by id within each)."""
    objects: list = field(default_factory=list)
    name: str = ""

    def _by_status(self, status: str) -> dict:
        return {o.key: o for o in self.objects if o.status == status}

    @property
    def added(self) -> dict:
        """``id`` -> :class:`ObjectDiff` of every object only on the right (``.new``)."""
        return self._by_status(ADDED)

    @property
    def removed(self) -> dict:
        """``id`` -> :class:`ObjectDiff` of every object only on the left (``.old``; for two
        refs of one overlay: what a prune deletes)."""
        return self._by_status(REMOVED)

    @property
    def changed(self) -> dict:
        """``id`` -> :class:`ObjectDiff` of every object on both sides that differs (``.old``,
        ``.new`` and its field ``.changes``)."""
        return self._by_status(CHANGED)

    def __bool__(self) -> bool:
        return bool(self.objects)

    def __repr__(self) -> str:
        shown = ", ".join("%s%s" % ({ADDED: "+", REMOVED: "-", CHANGED: "~"}[o.status], o.label)
                          for o in self.objects[:5])
        more = " …" if len(self.objects) > 5 else ""
        return "<OverlayDiff %s%s%s>" % (self.summary(), ": " + shown if shown else "", more)

    def summary(self) -> str:
        if not self.objects:
            return "no changes"
        counts = [(len([o for o in self.objects if o.status == s]), s)
                  for s in (ADDED, REMOVED, CHANGED)]
        return ", ".join("%d %s" % (n, s) for n, s in counts if n)

    def __str__(self) -> str:
        if not self:
            return "no differences"
        lines = []
        for o in self.objects:
            if o.status == REMOVED:
                lines.append("- %s (only on the left)" % o.label)
            elif o.status == ADDED:
                lines.append("+ %s (only on the right)" % o.label)
            else:
                lines.append("~ %s" % o.label)
                lines.extend("    %s" % c for c in o.changes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"name": self.name, "summary": self.summary(),
                "objects": [o.to_dict() for o in self.objects]}


def diff(left, right, *, mask_secrets: bool = True, ignore=(), by: str = "origin",
         name: str = "") -> OverlayDiff:
    """Differences from ``left`` to ``right`` (two renders).

    ``by="origin"`` pairs objects by kind and their name in the kustomization (two overlays:
    ``dev-app`` and ``prod-app`` are one object); ``by="id"`` pairs them as the API server
    does, by group, kind, namespace and name (two refs of one overlay: a rename is a removal
    and an addition). ``ignore``: field paths (``spec.replicas``, ``Deployment:spec.replicas``,
    ``metadata.annotations.*``: fnmatch patterns, a path covers the fields below it) and
    callables ``(resource, change) -> bool``. Secret values are masked; their changes shown."""
    if by not in ("origin", "id"):
        raise ValueError("by must be 'origin' or 'id', got %r" % by)
    left, right = _as_resources(left, "left"), _as_resources(right, "right")
    keyf = _key if by == "origin" else _live_key
    rules = [_rule(i) for i in ignore]
    lmap, rmap = {}, {}
    for r in left:
        lmap.setdefault(keyf(r), []).append(r)
    for r in right:
        rmap.setdefault(keyf(r), []).append(r)
    removed, added, changed = [], [], []
    for key, ls in lmap.items():
        rs = rmap.get(key, [])
        for i, lr in enumerate(ls):
            if i >= len(rs):
                removed.append(ObjectDiff(REMOVED, lr, None))
                continue
            rr = rs[i]
            changes = [c for c in _changes(lr.data, rr.data, mask_secrets)
                       if not any(rule(rr, c) for rule in rules)]
            if changes:
                changed.append(ObjectDiff(CHANGED, lr, rr, changes))
    for key, rs in rmap.items():
        added.extend(ObjectDiff(ADDED, None, r) for r in rs[len(lmap.get(key, [])):])
    order = (lambda o: str(o.resource.id))
    return OverlayDiff(sorted(removed, key=order) + sorted(added, key=order)
                       + sorted(changed, key=order), name)


def _as_resources(side, which: str) -> list:
    """A render, a list of resources or plain dicts (manifests), or one of them alone."""
    if isinstance(side, (Resource, dict)):
        side = [side]
    if isinstance(side, (str, bytes)) or not hasattr(side, "__iter__"):
        raise TypeError("diff: the %s side must be resources or manifests (dicts), got %s"
                        % (which, type(side).__name__))
    out = []
    for i, r in enumerate(side):
        if isinstance(r, dict):
            if not isinstance(r.get("kind"), str) or not isinstance(r.get("metadata"), dict):
                raise TypeError("diff: %s[%d] is a dict without kind and metadata: %s"
                                % (which, i, _short(r, 80)))
            r = rendered(Resource(r))
        elif not isinstance(r, Resource):
            raise TypeError("diff: %s[%d] is a %s, not a resource or a manifest dict"
                            % (which, i, type(r).__name__))
        out.append(r)
    return out


def _changes(a: dict, b: dict, mask_secrets: bool) -> list:
    if not mask_secrets or (a.get("kind") != "Secret" and b.get("kind") != "Secret"):
        return field_changes(a, b)
    salt = secrets.token_bytes(16)
    out = []
    for c in field_changes(_tokens(a, salt), _tokens(b, salt)):
        out.append(FieldChange(c.path, _unmask(c.old), _unmask(c.new)))
    return out


_TOKEN = "\0secret:"


def _tokens(data: dict, salt: bytes) -> dict:
    """A copy with each Secret value replaced by a keyed digest: equal values stay equal,
    nothing of the value can be printed."""
    d = dict(data)
    for key in ("data", "stringData"):
        v = d.get(key)
        if isinstance(v, dict):
            d[key] = {k: _TOKEN + hmac.new(salt, str(x).encode("utf-8", "surrogateescape"),
                                           hashlib.sha256).hexdigest() for k, x in v.items()}
    return d


def _unmask(v):
    if isinstance(v, str) and v.startswith(_TOKEN):
        return MASK
    if isinstance(v, dict):
        return {k: _unmask(x) for k, x in v.items()}
    return v


def _rule(rule):
    if callable(rule):
        return rule
    if not isinstance(rule, str) or not rule:
        raise ValueError("an ignore rule is a field path or a callable, got %r" % (rule,))
    kind, _, path = rule.rpartition(":") if ":" in rule.split(".")[0] else ("", "", rule)

    def match(resource, change) -> bool:
        if kind and resource.kind != kind:
            return False
        p = change.path
        return (fnmatch.fnmatchcase(p, path) or fnmatch.fnmatchcase(p, path + ".*")
                or fnmatch.fnmatchcase(p, path + "[[]*"))
    return match


def explain(left, right) -> list:
    """Lines explaining why two resources (or renders) differ, with where values came from."""
    if isinstance(left, Resource) and isinstance(right, Resource):
        lines = ["%s differs:" % left.id]
        for c in _changes(left.data, right.data, True):
            lines.append("  " + str(c))
            for side, res in (("left", left), ("right", right)):
                if res.origin.path or res.origin.transformations:
                    lines.append("    %s: %s" % (side, res.provenance(c.path)))
        return lines
    d = diff(left, right)
    return ["renders differ:"] + ["  " + line for line in str(d).splitlines()]
