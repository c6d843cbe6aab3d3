"""Resource (data + id + origin) and the ordered, id-indexed ResourceList kustomize works on."""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator


@dataclass(frozen=True)
class Gvk:
    group: str = ""
    version: str = ""
    kind: str = ""

    @classmethod
    def from_api_version(cls, api_version: str | None, kind: str | None) -> "Gvk":
        return _gvk_cached(api_version or "", kind or "")

    @property
    def api_version(self) -> str:
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    def matches(self, selector: "Gvk") -> bool:
        """True when every non-empty field of ``selector`` equals ours (kustomize's IsSelected)."""
        return ((not selector.group or selector.group == self.group)
                and (not selector.version or selector.version == self.version)
                and (not selector.kind or selector.kind == self.kind))

    def __str__(self) -> str:
        return ".".join((self.kind or "[noKind]", self.version or "[noVer]",
                         self.group or "[noGrp]"))


# Built-in cluster-scoped kinds by API group (what kyaml's bundled OpenAPI says); any other
# group/kind, custom resources included, counts as namespaced.
CLUSTER_SCOPED = {
    "": {"Namespace", "Node", "PersistentVolume", "ComponentStatus"},
    "rbac.authorization.k8s.io": {"ClusterRole", "ClusterRoleBinding"},
    "apiextensions.k8s.io": {"CustomResourceDefinition"},
    "admissionregistration.k8s.io": {
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"},
    "apiregistration.k8s.io": {"APIService"},
    "storage.k8s.io": {"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment",
                       "VolumeAttributesClass"},
    "scheduling.k8s.io": {"PriorityClass"},
    "policy": {"PodSecurityPolicy"},
    "extensions": {"PodSecurityPolicy"},
    "node.k8s.io": {"RuntimeClass"},
    "networking.k8s.io": {"IngressClass", "IPAddress", "ServiceCIDR"},
    "certificates.k8s.io": {"CertificateSigningRequest", "ClusterTrustBundle"},
    "flowcontrol.apiserver.k8s.io": {"FlowSchema", "PriorityLevelConfiguration"},
    "authorization.k8s.io": {"SelfSubjectAccessReview", "SelfSubjectRulesReview",
                             "SubjectAccessReview"},
    "authentication.k8s.io": {"TokenReview", "SelfSubjectReview"},
    "resource.k8s.io": {"DeviceClass"},
}
CLUSTER_SCOPED_KINDS = frozenset(k for ks in CLUSTER_SCOPED.values() for k in ks)


@functools.lru_cache(maxsize=4096)
def _gvk_cached(av: str, kind: str) -> Gvk:
    if "/" in av:
        g, v = av.split("/", 1)
    else:
        g, v = "", av
    return Gvk(g, v, kind)


TOTALLY_NOT_A_NAMESPACE = "~X"


@functools.lru_cache(maxsize=65536)
def _resid_cached(gvk: "Gvk", name: str, namespace: str) -> "ResId":
    return ResId(gvk, name, namespace)


def is_cluster_scoped(gvk: Gvk) -> bool:
    return gvk.kind in CLUSTER_SCOPED.get(gvk.group, ())


@dataclass(frozen=True)
class ResId:
    """group/version/kind + name + namespace, printed the way kustomize prints ids."""
    gvk: Gvk
    name: str = ""
    namespace: str = ""

    def __str__(self) -> str:
        ns = self.namespace or "[noNs]"
        return "%s/%s.%s" % (self.gvk, self.name or "[noName]", ns)

    @property
    def effective_namespace(self) -> str:
        if is_cluster_scoped(self.gvk):
            return TOTALLY_NOT_A_NAMESPACE
        return self.namespace or "default"

    @property
    def key(self) -> tuple:
        """(gvk, name, effective namespace): what kustomize compares ids by."""
        return (self.gvk, self.name, self.effective_namespace)

    def equals_ignoring_default_ns(self, other: "ResId") -> bool:
        return (self.gvk == other.gvk and self.name == other.name
                and self.effective_namespace == other.effective_namespace)


@dataclass
class Origin:
    """Where a resource came from: the file path (relative to the build root where possible),
    the config file of the generator that made it, and the ordered list of transformations."""
    path: str = ""
    generator: str = ""
    config_file: str = ""
    repo: str = ""
    ref: str = ""
    transformations: list = field(default_factory=list)   # (transformer, file, detail) that changed it
    # origins of every transformer run over the resource (kustomize's transformer annotations):
    # dicts with configuredIn and configuredBy {apiVersion, kind[, name, namespace]}
    applied: list = field(default_factory=list)
    configured_by: dict = field(default_factory=dict)   # generated resources: the generator
    file: str = ""          # absolute path of the file the resource was read from


@dataclass(eq=False)
class Resource:
    data: dict
    origin: Origin = field(default_factory=Origin)
    # ids this resource had before prefix/suffix/namespace/hash changes (oldest first)
    previous_ids: list = field(default_factory=list)
    prefixes: list = field(default_factory=list)
    suffixes: list = field(default_factory=list)
    behavior: str = ""           # generated resources: create / merge / replace
    needs_hash: bool = False     # generated resources with a content-hash name suffix
    is_generated: bool = False
    ref_by: list = field(default_factory=list)   # ids of resources that reference this one
    ref_var_names: list = field(default_factory=list)  # legacy vars bound to this resource
    is_helm: bool = False        # rendered by helm (the namespace transformer leaves it alone)
    _id_memo: Any = field(default=None, repr=False, compare=False)
    # label/annotation entries created by one transformer share one YAML node in kustomize:
    # (id(map), key) -> [value, [(map, key), ...]] (see transformers/labels.py)
    shared_entries: Any = field(default=None, repr=False, compare=False)
    # paths of the nulls written as an empty value (``key:``), which kyaml's strategic merge
    # drops (see yamlread); None or a set of tuples
    empty_nulls: Any = field(default=None, repr=False, compare=False)

    # --- identity ---------------------------------------------------------------------
    @property
    def gvk(self) -> Gvk:
        d = self.data
        av, k = d.get("apiVersion"), d.get("kind")
        return _gvk_cached(av if isinstance(av, str) else _s(av), k if isinstance(k, str)
                           else _s(k))

    @property
    def kind(self) -> str:
        return _s(self.data.get("kind"))

    @property
    def metadata(self) -> dict:
        md = self.data.get("metadata")
        if not isinstance(md, dict):
            md = {}
            self.data["metadata"] = md
        return md

    @property
    def name(self) -> str:
        md = self.data.get("metadata")
        return _s(md.get("name")) if isinstance(md, dict) else ""

    @name.setter
    def name(self, value: str) -> None:
        self.metadata["name"] = value

    @property
    def namespace(self) -> str:
        md = self.data.get("metadata")
        return _s(md.get("namespace")) if isinstance(md, dict) else ""

    @property
    def id(self) -> ResId:
        d = self.data
        md = d.get("metadata")
        if isinstance(md, dict):
            name, ns = md.get("name"), md.get("namespace")
        else:
            name = ns = None
        av, k = d.get("apiVersion"), d.get("kind")
        memo = self._id_memo
        # the fields are compared by identity: a transformer that changes one stores a new
        # object, so an unchanged tuple means an unchanged id
        if memo is not None and memo[0] is av and memo[1] is k and memo[2] is name \
                and memo[3] is ns:
            return memo[4]
        rid = _resid_cached(self.gvk, name if isinstance(name, str) else _s(name),
                            ns if isinstance(ns, str) else _s(ns))
        self._id_memo = (av, k, name, ns, rid)
        return rid

    @property
    def orig_id(self) -> ResId:
        """The id the resource had when it was loaded or generated."""
        return self.previous_ids[0] if self.previous_ids else self.id

    def all_ids(self) -> list:
        return list(self.previous_ids) + [self.id]

    @property
    def labels(self) -> dict:
        md = self.data.get("metadata")
        v = md.get("labels") if isinstance(md, dict) else None
        return v if isinstance(v, dict) else {}

    @property
    def annotations(self) -> dict:
        md = self.data.get("metadata")
        v = md.get("annotations") if isinstance(md, dict) else None
        return v if isinstance(v, dict) else {}

    def remember_id(self) -> None:
        """Record the current id as a previous one (before a rename / namespace change)."""
        cur = self.id
        if not self.previous_ids or self.previous_ids[-1] != cur:
            self.previous_ids.append(cur)

    def copy(self) -> "Resource":
        return Resource(copy.deepcopy(self.data), copy.deepcopy(self.origin),
                        list(self.previous_ids), list(self.prefixes), list(self.suffixes),
                        self.behavior, self.needs_hash, self.is_generated, list(self.ref_by),
                        list(self.ref_var_names), self.is_helm,
                        empty_nulls=set(self.empty_nulls) if self.empty_nulls else None)

    def __repr__(self) -> str:
        return "Resource(%s)" % self.id

    def __eq__(self, other):
        """Resources are equal when their data is (provenance is not compared)."""
        if isinstance(other, Resource):
            return self.data == other.data
        if isinstance(other, dict):
            return self.data == other
        return NotImplemented

    __hash__ = object.__hash__

    # --- reading (the user-facing side) ---------------------------------------------------
    def __getitem__(self, key):
        return self.data[key]

    def __contains__(self, key) -> bool:
        return key in self.data

    def get(self, path: str, default=None):
        """The value at a kustomize field path, e.g.
        ``spec.template.spec.containers.[name=nginx].image``; ``default`` when absent."""
        from ..query import get_field
        return get_field(self.data, path, default)

    def get_all(self, path: str) -> list:
        from ..query import get_all
        return get_all(self.data, path)

    def to_yaml(self) -> str:
        from .yamlio import dump_document
        return dump_document(self.data)

    @property
    def source(self) -> str:
        """The file this resource was loaded from (relative to the build directory), or the
        kustomization file whose generator made it."""
        o = self.origin
        if o.file:
            return display_path(o.file)
        if o.path:
            return o.path
        if o.config_file:
            by = (o.configured_by or {}).get("kind") or o.generator or "generator"
            return "%s (%s)" % (o.config_file, by)
        return "(unknown)"

    def changes_to(self, path: str) -> list:
        """The recorded transformations (patches, transformers) that may have set ``path``."""
        from ..query import split_path
        parts = tuple(p for p in split_path(path)
                      if not p.isdigit() and not p.startswith("[") and p != "*")
        return [c for c in self.origin.transformations
                if hasattr(c, "touches") and c.touches(parts)]

    def provenance(self, path: str) -> str:
        """A sentence saying where the value at ``path`` came from."""
        changes = self.changes_to(path)
        if changes:
            last = changes[-1]
            return "set by %s (%s in %s)" % (_change_source(last), last.transformer,
                                             display_path(last.file))
        patches = [c for c in self.origin.transformations
                   if getattr(c, "transformer", "").startswith("Patch")]
        tail = ("; no patch touched it" if not patches else
                "; %d patch(es) applied to this resource, none set it" % len(patches))
        return "set in %s%s" % (self.source, tail)


def _s(v: Any) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else str(v)


class ResourceList:
    """Resources in order, with an index by current id."""

    def __init__(self, resources: Iterable[Resource] = ()):
        self._items: list[Resource] = list(resources)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        return self._items[i]

    @property
    def items(self) -> list:
        return self._items

    def set_items(self, items: list) -> None:
        self._items = list(items)

    def append(self, r: Resource) -> None:
        self._items.append(r)

    def extend(self, rs: Iterable[Resource]) -> None:
        self._items.extend(rs)

    def remove(self, r: Resource) -> None:
        self._items = [x for x in self._items if x is not r]

    def by_id(self, rid: ResId) -> list:
        return [r for r in self._items if r.id == rid]

    def by_current_or_orig_id(self, rid: ResId) -> list:
        return [r for r in self._items if r.id == rid or rid in r.previous_ids]


class NameIndex:
    """The resources of a list by every name they have had (current and previous ids).

    Lookups return a superset of the resources with that name, in list order, so callers
    still apply their full match: patches use it to find targets without scanning every
    resource. It stays valid while only resources passed to :meth:`touched` change and the
    list is not reordered; :meth:`reset` after anything else."""

    def __init__(self, resources: ResourceList):
        self._resources = resources
        self._by_name: dict | None = None
        self._pos: dict = {}

    def reset(self) -> None:
        self._by_name = None

    def _build(self) -> dict:
        by_name: dict = {}
        self._pos = {}
        for i, r in enumerate(self._resources):
            self._pos[id(r)] = i
            for rid in r.all_ids():
                bucket = by_name.setdefault(rid.name, [])
                if not bucket or bucket[-1] is not r:
                    bucket.append(r)
        self._by_name = by_name
        return by_name

    def lookup(self, name: str) -> list:
        by_name = self._by_name if self._by_name is not None else self._build()
        return by_name.get(name, [])

    def touched(self, resources: Iterable[Resource]) -> None:
        """Resources that may have been renamed: file them under their names now too."""
        if self._by_name is None:
            return
        for r in resources:
            for rid in r.all_ids():
                bucket = self._by_name.setdefault(rid.name, [])
                if not any(x is r for x in bucket):
                    bucket.append(r)
                    bucket.sort(key=lambda x: self._pos.get(id(x), len(self._pos)))


def display_path(p: str) -> str:
    """A path relative to the working directory when it lies below it."""
    import os
    if not p or not os.path.isabs(p):
        return p
    rel = os.path.relpath(p)
    return p if rel.startswith("..") else rel


def _change_source(c) -> str:
    import os
    import re
    src = c.source or ""
    m = re.match(r'^\[path: "(.*)"\]$', src)
    if m:
        src = m.group(1)
    if src.startswith("[patch") or "\n" in src:
        return "an inline patch"
    if src and c.file and not os.path.isabs(src):
        return "patch " + display_path(os.path.join(os.path.dirname(c.file), src))
    return src or "a transformer"
