"""The resources one kustomization has gathered so far, as kustomize's ResAccumulator: the
resources in order with an index by current and past ids, the transformer config in force,
the declared vars; generated resources are absorbed by their behavior (create, merge,
replace)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import GeneratorError, KustomizationError, ResourceConflictError
from . import generators
from .accumulator import ResourceList
from .config import TransformerConfig
from .resource import Resource


@dataclass
class Accumulator:
    resources: ResourceList = field(default_factory=ResourceList)
    config: TransformerConfig | None = None
    vars: list = field(default_factory=list)
    # current id key -> resource; rebuilt lazily after anything may have renamed resources
    _index: dict | None = field(default=None, repr=False)

    _any: dict | None = field(default=None, repr=False)

    def invalidate(self) -> None:
        self._index = None
        self._any = None

    def _any_keys(self) -> dict:
        """Every current or previous id key -> the resources that have it."""
        if self._any is None:
            any_index: dict = {}
            for o in self.resources:
                keys = {o.id.key} | {i.key for i in o.previous_ids}
                for k in keys:
                    any_index.setdefault(k, []).append(o)
            self._any = any_index
        return self._any

    def _keys(self) -> dict:
        if self._index is None or len(self._index) != len(self.resources):
            self._index = {r.id.key: r for r in self.resources}
        return self._index

    def append(self, r: Resource) -> None:
        index = self._keys()
        rid = r.id
        if rid.key in index:
            raise ResourceConflictError(
                "may not add resource with an already registered id: %s" % rid)
        self.resources.append(r)
        index[rid.key] = r
        if self._any is not None:
            for k in {rid.key} | {i.key for i in r.previous_ids}:
                self._any.setdefault(k, []).append(r)

    def merge_config(self, cfg: TransformerConfig | None) -> None:
        if cfg is None:
            return
        self.config = (self.config or TransformerConfig.empty()).merge(cfg)

    def merge(self, other: "Accumulator") -> None:
        for r in other.resources:
            self.append(r)
        self.merge_config(other.config)
        for v in other.vars:
            if any(x["name"] == v["name"] for x in self.vars):
                raise KustomizationError("var '%s' already encountered" % v["name"],
                                         field="vars")
            self.vars.append(v)

    def absorb(self, r: Resource) -> None:
        """Add a generated resource honouring its behavior (create / merge / replace)."""
        rid = r.id
        key = rid.key
        matches = self._any_keys().get(key, [])
        behavior = r.behavior or "unspecified"
        if not matches:
            if behavior in ("merge", "replace"):
                raise GeneratorError("id %s does not exist; cannot merge or replace" % rid)
            self.append(r)
            return
        if len(matches) > 1:
            raise GeneratorError("found multiple objects %s that could accept merge of %s"
                                 % ([str(m.id) for m in matches], rid))
        old = matches[0]
        if behavior not in ("merge", "replace"):
            raise GeneratorError("id %s exists; can not use behavior: '%s', behavior must be "
                                 "merge or replace" % (rid, behavior))
        merged = generators.merge_generated(old.data, r.data, behavior)
        old.data = merged
        # the hash flag is a build annotation: kept from the old object, and only while the
        # new one asks for it too
        old.needs_hash = old.needs_hash and r.needs_hash
        if behavior == "replace":
            old.origin = r.origin
        self.invalidate()
