"""commonLabels, labels and commonAnnotations: set map entries at field specs."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..resource import ResourceList
from .base import record, spec_paths


def _str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def apply_map_entries(resources: ResourceList, entries: dict, specs: list, *, plugin: str,
                      configured_in: str = "") -> None:
    """Set every key/value of ``entries`` in the maps found at ``specs`` (created if needed)."""
    if not entries:
        return
    entries = {str(k): _str(v) for k, v in entries.items()}

    def setmap(parent, key):
        node = parent[key]
        if node is None:
            node = parent[key] = {}
        if not isinstance(node, dict):
            raise TransformerError("wrong node kind: expected MappingNode but got %s: node "
                                   "contents:\n%s" % ("SequenceNode" if isinstance(node, list)
                                                      else "ScalarNode", node))
        node.update(entries)

    by_gvk: dict = {}
    paths = spec_paths(specs)
    for r in resources:
        if not r.data:
            continue
        gvk = r.gvk
        mine = by_gvk.get(gvk)
        if mine is None:
            mine = by_gvk[gvk] = [fs for fs in specs if gvk.matches(fs.gvk)]
        for fs in mine:
            fsm.apply(r.data, fs, setmap, create_kind=fsm.MAP, rid=r, gvk=gvk)
        record(r, plugin, configured_in, paths=paths)
