"""Name-reference fixing: after prefixes, suffixes, namespaces and hash suffixes changed
names, update every field that refers to a renamed object (kustomize's nameref filter)."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..resource import Gvk, Resource, ResourceList, is_cluster_scoped
from .base import record, spec_paths


def _same_ending(a: list, b: list) -> bool:
    if len(a) > len(b):
        a, b = b, a
    diff = len(b) - len(a)
    if not a:
        return diff == 0
    return all(b[i + diff] == a[i] for i in range(len(a)))


def _prefix_suffix_equals(r: Resource, o: Resource, allow_empty: bool) -> bool:
    if allow_empty:
        pe = not r.prefixes or not o.prefixes
        se = not r.suffixes or not o.suffixes
        return ((pe or _same_ending(r.prefixes, o.prefixes))
                and (se or _same_ending(r.suffixes, o.suffixes)))
    return _same_ending(r.prefixes, o.prefixes) and _same_ending(r.suffixes, o.suffixes)


def _rb_namespaces(referrer: Resource) -> frozenset:
    out = set()
    if referrer.kind == "RoleBinding":
        for s in referrer.data.get("subjects") or []:
            if isinstance(s, dict) and "namespace" in s and s.get("kind") == "ServiceAccount":
                ns = s.get("namespace")
                if not isinstance(ns, str):
                    raise TransformerError('Invalid Input: namespace is blank for resource "%s"\n'
                                           % referrer.id)
                out.add(ns)
    return frozenset(out)


class _Candidates:
    """The resources one referrer could refer to (kustomize's
    SubsetThatCouldBeReferencedByResource), indexed for the sieves."""

    def __init__(self, items: list):
        self.items = items
        self.by_prev_name: dict = {}
        self.orig_ns: set = set()
        for r in items:
            for name in {i.name for i in r.previous_ids}:
                self.by_prev_name.setdefault(name, []).append(r)
            self.orig_ns.add(r.orig_id.effective_namespace)


class _CandidateCache:
    def __init__(self, resources: ResourceList):
        self.resources = list(resources)
        self.cache: dict = {}

    def for_referrer(self, referrer: Resource) -> _Candidates:
        rid = referrer.id
        if is_cluster_scoped(rid.gvk):
            key = ("*",)
        else:
            key = (rid.effective_namespace, _rb_namespaces(referrer))
        c = self.cache.get(key)
        if c is None:
            if key == ("*",):
                items = self.resources
            else:
                ns, rb = key
                items = [t for t in self.resources
                         if is_cluster_scoped(t.gvk) or t.id.effective_namespace == ns
                         or t.namespace in rb]
            c = self.cache[key] = _Candidates(items)
        return c


class _Fixer:
    def __init__(self, referrer: Resource, spec: fsm.FieldSpec, target: Gvk,
                 candidates: "_Candidates"):
        self.referrer = referrer
        self.spec = spec
        self.target = target
        self.candidates = candidates

    # -- sieves --------------------------------------------------------------------------
    def select(self, old_name: str, candidates: list, identical) -> Resource | None:
        c = [r for r in candidates if any(i.gvk.matches(self.target) for i in r.previous_ids)]
        if self.spec.path.endswith("roleRef/name"):
            rr = self.referrer.data.get("roleRef")
            if isinstance(rr, dict) and rr.get("apiGroup") is not None and \
                    rr.get("kind") is not None:
                g = Gvk(str(rr.get("apiGroup")), "", str(rr.get("kind")))
                c = [r for r in c if any(i.gvk.matches(g) for i in r.previous_ids)]
        ref_id = self.referrer.id
        if not is_cluster_scoped(ref_id.gvk):
            c = [r for r in c if is_cluster_scoped(r.id.gvk) or r.kind == "ServiceAccount"
                 or r.id.effective_namespace == ref_id.effective_namespace]
        if len(c) == 1:
            return c[0]
        c = [r for r in c if _prefix_suffix_equals(r, self.referrer, True)]
        if len(c) > 1:
            c = [r for r in c if _prefix_suffix_equals(r, self.referrer, False)]
        if len(c) == 1:
            return c[0]
        if not c:
            return None
        if identical(c):
            return c[0]
        ids = ", ".join(str(r.id) for r in c)
        raise TransformerError("found multiple possible referrals: %s" % ids)

    def set_scalar(self, parent, key) -> None:
        old = parent[key]
        old_s = "" if old is None else str(old)
        ref = self.select(old_s, self.candidates.by_prev_name.get(old_s, []),
                          lambda rs: len({r.name for r in rs}) == 1)
        if ref is None:
            return
        ref.ref_by.append(self.referrer.id)
        if ref.name != old_s:
            parent[key] = ref.name
            record(self.referrer, "NameReferenceTransformer", "", self.spec.path,
                   paths=spec_paths([self.spec]))

    def set_mapping(self, node: dict) -> None:
        if "name" not in node:
            raise TransformerError("path config error; no 'name' field in node")
        old = "" if node["name"] is None else str(node["name"])
        cands = self.candidates.by_prev_name.get(old, [])
        if "namespace" in node:
            ns = "" if node["namespace"] is None else str(node["namespace"])
            if ns != "~X" and ns in self.candidates.orig_ns:
                cands = [r for r in cands if r.orig_id.effective_namespace == ns]
            else:
                cands = [r for r in cands if r.id.effective_namespace == ns and ns != "~X"]
        ref = self.select(old, cands, lambda rs: len({(r.name, r.namespace) for r in rs}) == 1)
        if ref is None:
            return
        ref.ref_by.append(self.referrer.id)
        if ref.name == old and ref.namespace == "":
            return
        node["name"] = ref.name
        if ref.namespace:
            node["namespace"] = ref.namespace
        record(self.referrer, "NameReferenceTransformer", "", self.spec.path,
                   paths=spec_paths([self.spec]))

    def __call__(self, parent, key) -> None:
        node = parent[key] if (isinstance(parent, list) or key in parent) else None
        if node is None:
            return
        if isinstance(node, dict):
            self.set_mapping(node)
        elif isinstance(node, list):
            for i, el in enumerate(node):
                if el is None:
                    continue
                if isinstance(el, dict):
                    self.set_mapping(el)
                elif isinstance(el, list):
                    raise TransformerError("%r is expected to be either a string or a map of "
                                           "string" % (el,))
                else:
                    self.set_scalar(node, i)
        else:
            self.set_scalar(parent, key)


_SPEC_CACHE: dict = {}


def _specs_for(back_references: list, gvk: Gvk) -> list:
    """The (referrer field spec, referral gvk) pairs that apply to objects of ``gvk``, in
    kustomize's order (cached per configuration, which is never changed once built)."""
    key = (id(back_references), gvk)
    hit = _SPEC_CACHE.get(key)
    if hit is not None and hit[0] is back_references:
        return hit[1]
    work = [(spec, target) for target, specs in back_references for spec in specs
            if gvk.matches(spec.gvk)]
    if len(_SPEC_CACHE) > 4096:
        _SPEC_CACHE.clear()
    _SPEC_CACHE[key] = (back_references, work)
    return work


def fix(resources: ResourceList, back_references: list) -> None:
    """``back_references``: [(referral Gvk, [referrer FieldSpec])] in kustomize's order."""
    plan: dict = {}
    order: list = []
    for r in resources:
        work = _specs_for(back_references, r.orig_id.gvk)
        if work:
            plan[id(r)] = work
            order.append(r)
    cache = _CandidateCache(resources)
    for r in order:
        cands = cache.for_referrer(r)
        data = r.data
        for spec, target in plan[id(r)]:
            parts = spec.parts
            if parts[0].rstrip("[]") not in data:     # most specs end right here
                continue
            fixer = _Fixer(r, spec, target, cands)
            try:
                fsm.walk(data, parts, fixer)
            except TransformerError as e:
                raise TransformerError("updating name reference in '%s' field of '%s': %s"
                                       % (spec.path, r.id, e.message)) from None
