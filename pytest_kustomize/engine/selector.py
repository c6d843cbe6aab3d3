"""Resource selection: kustomize's Selector (regex gvk/name/namespace + label/annotation
selectors in Kubernetes label-selector syntax)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import KustomizeError
from .resid import Gvk, ResId

_REQ = re.compile(r"""^\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9_./-]+)\s*
    (?:(?P<op>==|!=|=|\s+in\s+|\s+notin\s+)\s*(?P<val>\([^)]*\)|[A-Za-z0-9_.-]*))?\s*$""",
                  re.X)


def _split_requirements(s: str) -> list:
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def parse_label_selector(s: str) -> list:
    """[(key, op, values)] with op in exists, !exists, =, !=, in, notin."""
    reqs = []
    for part in _split_requirements(s or ""):
        m = _REQ.match(part)
        if not m:
            raise KustomizeError("unable to parse requirement: %r in selector %r" % (part, s))
        key, op, val = m.group("key"), (m.group("op") or "").strip(), m.group("val")
        if m.group("neg"):
            if op:
                raise KustomizeError("unable to parse requirement: %r in selector %r" % (part, s))
            reqs.append((key, "!exists", ()))
        elif not op:
            reqs.append((key, "exists", ()))
        elif op in ("=", "=="):
            reqs.append((key, "=", (val or "",)))
        elif op == "!=":
            reqs.append((key, "!=", (val or "",)))
        else:
            if not (val or "").startswith("("):
                raise KustomizeError("unable to parse requirement: %r in selector %r" % (part, s))
            vals = tuple(v.strip() for v in val[1:-1].split(",") if v.strip())
            reqs.append((key, op, vals))
    return reqs


def matches_label_selector(labels: dict, selector: str) -> bool:
    for key, op, vals in parse_label_selector(selector):
        present = key in labels
        v = "" if labels.get(key) is None else str(labels.get(key))
        if op == "exists" and not present:
            return False
        if op == "!exists" and present:
            return False
        if op == "=" and (not present or v != vals[0]):
            return False
        if op == "!=" and present and v == vals[0]:
            return False
        if op == "in" and (not present or v not in vals):
            return False
        if op == "notin" and present and v in vals:
            return False
    return True


_LITERAL = re.compile(r"[A-Za-z0-9_-]+\Z")   # a name pattern that only matches itself


def anchored(p: str):
    """``^(?:p)$`` compiled, or None for an empty pattern (kustomize anchors selector regexes)."""
    if not p:
        return None
    try:
        return re.compile("^(?:" + p + ")$")
    except re.error as e:
        raise KustomizeError("invalid regular expression %r in selector: %s" % (p, e)) from None


@dataclass
class Selector:
    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""

    @classmethod
    def from_dict(cls, d: dict | None) -> "Selector":
        d = d or {}
        if not isinstance(d, dict):
            raise KustomizeError("a selector must be a mapping, got %r" % (d,))

        def s(k):
            v = d.get(k)
            return "" if v is None else str(v)
        return cls(s("group"), s("version"), s("kind"), s("name"), s("namespace"),
                   s("labelSelector"), s("annotationSelector"))

    def __post_init__(self):
        self._g, self._v, self._k = anchored(self.group), anchored(self.version), \
            anchored(self.kind)
        self._n, self._ns = anchored(self.name), anchored(self.namespace)

    def __str__(self) -> str:
        rid = ResId(Gvk(self.group, self.version, self.kind), self.name, self.namespace)
        return "%s:a=%s:l=%s" % (rid, self.annotation_selector, self.label_selector)

    def matches_gvk(self, gvk: Gvk) -> bool:
        return ((self._g is None or bool(self._g.match(gvk.group)))
                and (self._v is None or bool(self._v.match(gvk.version)))
                and (self._k is None or bool(self._k.match(gvk.kind))))

    @property
    def has_id(self) -> bool:
        """Does the selector name any of group, version, kind, name, namespace?"""
        return any((self.group, self.version, self.kind, self.name, self.namespace))

    def matches_id(self, rid: ResId) -> bool:
        """The id part alone, against one id as written (the namespace is not defaulted):
        how replacements match each of a resource's current and previous ids."""
        return (self.matches_gvk(rid.gvk)
                and (self._n is None or bool(self._n.match(rid.name)))
                and (self._ns is None or bool(self._ns.match(rid.namespace))))

    def matches_meta(self, r) -> bool:
        """The label and annotation selectors alone."""
        return ((not self.label_selector or matches_label_selector(r.labels,
                                                                   self.label_selector))
                and (not self.annotation_selector
                     or matches_label_selector(r.annotations, self.annotation_selector)))

    def matches(self, r) -> bool:
        cur, org = r.id, r.orig_id
        if self._ns is not None and not (self._ns.match(org.effective_namespace or "")
                                         or self._ns.match(cur.effective_namespace or "")):
            return False
        if self._n is not None and not (self._n.match(org.name) or self._n.match(cur.name)):
            return False
        if not self.matches_gvk(r.gvk):
            return False
        if self.label_selector and not matches_label_selector(r.labels, self.label_selector):
            return False
        if self.annotation_selector and not matches_label_selector(r.annotations,
                                                                   self.annotation_selector):
            return False
        return True

    def select(self, resources, index=None) -> list:
        """The matching resources in list order; ``index`` (a NameIndex of ``resources``)
        narrows the scan when the name is a literal rather than a pattern."""
        if index is not None and _LITERAL.match(self.name):
            resources = index.lookup(self.name)
        return [r for r in resources if self.matches(r)]
