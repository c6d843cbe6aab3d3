"""commonLabels, labels and commonAnnotations: set map entries at field specs."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from .. import yamlio
from ..resource import Resource, ResourceList
from .base import record, spec_paths
from ..yamlscalar import scalar_to_string as _str


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
        if "" in entries:       # kyaml looks the empty key up as a path into the map
            raise TransformerError("wrong node kind: expected ScalarNode but got MappingNode: "
                                   "node contents:\n%s" % (yamlio.dump_document(node).rstrip()
                                                            if node else "{}"))
        for k, v in entries.items():
            if k in node:
                _set_existing(shared, node, k, v)
            else:
                node[k] = v
                created.setdefault(k, []).append(node)

    by_gvk: dict = {}
    paths = spec_paths(specs)
    for r in resources:
        if not r.data:
            continue
        gvk = r.gvk
        mine = by_gvk.get(gvk)
        if mine is None:
            mine = by_gvk[gvk] = [fs for fs in specs if gvk.matches(fs.gvk)]
        shared = r.shared_entries if r.shared_entries is not None else {}
        created: dict = {}
        for fs in mine:
            fsm.apply(r.data, fs, setmap, create_kind=fsm.MAP, rid=r, gvk=gvk)
        for k, maps in created.items():
            group = [entries[k], [(m, k) for m in maps]]
            for m in maps:
                shared[(id(m), k)] = group
        if shared:
            r.shared_entries = shared
        record(r, plugin, configured_in, paths=paths)


def _set_existing(shared: dict, node: dict, k: str, v: str) -> None:
    """Overwrite an existing entry. kustomize copies the new value into the existing YAML
    node; when an earlier label or annotation transformer created that node, it is the same
    node at every field that transformer created the key in (in this resource), so they all
    change: e.g. a base's commonLabels ``app`` in the selectors follows an overlay's
    ``labels`` entry for ``app`` without includeSelectors (measured with kubectl)."""
    group = shared.get((id(node), k))
    if group is None or node.get(k) != group[0]:
        node[k] = v
        return
    old = group[0]
    for m, key in group[1]:
        if m.get(key) == old:       # still the shared node (nothing else replaced it)
            m[key] = v
    group[0] = v


def _map_paths(node, path: tuple, want: set, out: dict) -> None:
    if isinstance(node, dict):
        if id(node) in want:
            out[id(node)] = path
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                _map_paths(v, path + (k,), want, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dict, list)):
                _map_paths(v, path + (i,), want, out)


def shared_entry_paths(r: Resource) -> list:
    """The resource's shared label/annotation entries as [value, [(path, key)]] groups that
    are still in place, for an operation that rebuilds the data (a strategic-merge patch)."""
    if not r.shared_entries:
        return []
    groups = {id(g): g for g in r.shared_entries.values()}.values()
    want = {id(m) for g in groups for m, _ in g[1]}
    paths: dict = {}
    _map_paths(r.data, (), want, paths)
    out = []
    for value, members in groups:
        live = [(paths[id(m)], k) for m, k in members if id(m) in paths and m.get(k) == value]
        if live:
            out.append([value, live])
    return out


def follow_shared_entries(r: Resource, groups: list) -> None:
    """After a strategic-merge patch: kustomize merged a patched scalar into the existing
    node, so a value the patch changed at one member of a shared group changes at all of
    them (measured with kubectl: a patch of metadata.labels.app moves the selectors too)."""
    shared: dict = {}
    for value, members in groups:
        maps = []
        for path, k in members:
            node = r.data
            for p in path:
                node = node.get(p) if isinstance(node, dict) else (
                    node[p] if isinstance(node, list) and isinstance(p, int)
                    and p < len(node) else None)
                if node is None:
                    break
            if isinstance(node, dict) and k in node:
                maps.append((node, k))
        changed = [m[k] for m, k in maps if m[k] != value]
        if changed and all(c == changed[0] for c in changed):
            value = changed[0]
            for m, k in maps:
                m[k] = value
        group = [value, [(m, k) for m, k in maps if m[k] == value]]
        for m, k in group[1]:
            shared[(id(m), k)] = group
    r.shared_entries = shared or None
