"""replicas (kustomize's ReplicaCountTransformer)."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..resource import ResourceList
from .base import record, spec_paths


def apply(resources: ResourceList, spec: dict, specs: list, *, configured_in: str = "",
          plugin: str = "ReplicaCountTransformer") -> None:
    name = "" if spec.get("name") is None else str(spec.get("name"))
    count = spec.get("count", 0)
    if isinstance(count, bool) or not isinstance(count, (int, float)) or count != int(count):
        raise TransformerError("replicas count must be an integer, got %r" % (count,),
                               file=configured_in, field="replicas[%s].count" % name)
    count = int(count)
    found = False
    # one pass for the name, then the (few) specs over the (few) resources that bear it
    named = [(r, ids) for r in resources for ids in (r.all_ids(),)
             if any(i.name == name for i in ids)]
    for fs in specs:
        matches = [r for r, ids in named if any(i.name == name and i.gvk.matches(fs.gvk)
                                                for i in ids)]
        if matches:
            found = True
        for r in matches:
            def setv(parent, key):
                parent[key] = count
            fsm.apply(r.data, fs, setv, create_kind=fsm.SCALAR, rid=r)
            record(r, plugin, configured_in, paths=spec_paths([fs]))
    if not found:
        gvks = " ".join(str(fs.gvk) for fs in specs)
        raise TransformerError("resource with name %s does not match a config with the following "
                               "GVK [%s]" % (name, gvks), file=configured_in, field="replicas")
