"""Resource: a Kubernetes object as the engine carries it — its data, its current and
previous ids, where it came from (Origin), and the build bookkeeping transformers need.

Reading fields by path and saying where a value came from is above the engine
(``pytest_kustomize.resources`` and ``pytest_kustomize.provenance``)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .accumulator import NameIndex, ResourceList
from .resid import (CLUSTER_SCOPED, CLUSTER_SCOPED_KINDS, TOTALLY_NOT_A_NAMESPACE, Gvk,
                    ResId, _gvk_cached, _resid_cached, is_cluster_scoped)
from .yamlio import dump_document
from .yamlscalar import scalar_to_string as _s
from .yamlread import API_VERSION_TEXT
from .paths import NATIVE_WALK

# the id memo's check in C (engine/_walk.c); None: the check below in Python
_memo_id = NATIVE_WALK.memo_id if NATIVE_WALK is not None else None

__all__ = ["Resource", "Origin", "Gvk", "ResId", "ResourceList", "NameIndex",
           "is_cluster_scoped", "CLUSTER_SCOPED", "CLUSTER_SCOPED_KINDS",
           "TOTALLY_NOT_A_NAMESPACE"]


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


@dataclass(eq=False, slots=True)
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
        return _gvk_cached(av if isinstance(av, str) else self._api_version_text(av),
                           k if isinstance(k, str) else _s(k))

    def _api_version_text(self, av: Any) -> str:
        """kyaml's id reads a non-string apiVersion as the node's text: a collection is "",
        `null`/`~`/`true`/`1.50` as written (recorded at read), an empty value ""."""
        if isinstance(av, (dict, list)):
            return ""
        for p in self.empty_nulls or ():
            if p[0] == API_VERSION_TEXT:
                return p[1]
        if isinstance(av, bool):
            return "true" if av else "false"
        return _s(av)

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
        memo = self._id_memo
        if memo is not None and _memo_id is not None:
            rid = _memo_id(self.data, memo)
            if rid is not None:
                return rid
        d = self.data
        md = d.get("metadata")
        if isinstance(md, dict):
            name, ns = md.get("name"), md.get("namespace")
        else:
            name = ns = None
        av, k = d.get("apiVersion"), d.get("kind")
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
        previous = self.previous_ids
        if not previous or (previous[-1] is not cur and previous[-1] != cur):
            previous.append(cur)

    def copy(self) -> "Resource":
        return type(self)(copy.deepcopy(self.data), copy.deepcopy(self.origin),
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

    # --- plain access --------------------------------------------------------------------
    def __getitem__(self, key):
        return self.data[key]

    def __contains__(self, key) -> bool:
        return key in self.data

    def to_yaml(self) -> str:
        """This object as ``kustomize build`` prints it."""
        return dump_document(self.data)
