"""namePrefix / nameSuffix (kustomize's PrefixTransformer and SuffixTransformer)."""
from __future__ import annotations

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..yamlio import scalar_to_string
from ..yamlread import NAME_TEXT
from ..resource import Gvk, ResourceList
from .base import record, spec_paths

# kinds whose names never get a prefix or suffix
_SKIP = (Gvk(kind="CustomResourceDefinition"), Gvk(group="apiregistration.k8s.io", kind="APIService"),
         Gvk(kind="Namespace"))


def apply(resources: ResourceList, *, prefix: str = "", suffix: str = "", specs: list,
          configured_in: str = "", plugin: str = "") -> None:
    value = prefix or suffix
    if not value:
        return
    plugin = plugin or ("PrefixTransformer" if prefix else "SuffixTransformer")
    current: list = [None, None]        # the resource and field spec being walked

    def setv(parent, key):
        if not isinstance(parent, (dict, list)):
            return
        cur = parent[key] if (isinstance(parent, list) or key in parent) else ""
        if isinstance(cur, (dict, list)):
            raise TransformerError("expected a scalar at '%s'" % current[1].path)
        if not isinstance(cur, str):
            # kyaml joins the node's text (0x1F, 1.50, False), recorded at read
            r = current[0]
            texts = [p[1] for p in r.empty_nulls or () if p[0] == NAME_TEXT]
            named = key == "name" and parent is r.data.get("metadata")
            cur = texts[0] if named and texts and cur is not None else scalar_to_string(cur)
        parent[key] = prefix + cur if prefix else cur + suffix

    # per original gvk: the specs that apply, each with its gvk-free twin that is walked
    by_gvk: dict = {}
    for r in resources:
        org_gvk = r.orig_id.gvk
        mine = by_gvk.get(org_gvk)
        if mine is None:
            mine = by_gvk[org_gvk] = [] if any(org_gvk.matches(s) for s in _SKIP) else [
                (fs, fsm.FieldSpec(Gvk(), fs.path, fs.create), spec_paths([fs]))
                for fs in specs if org_gvk.matches(fs.gvk)]
        for fs, data_spec, paths in mine:
            if fs.path == "metadata/name":
                if prefix:
                    r.prefixes.append(prefix)
                else:
                    r.suffixes.append(suffix)
                r.remember_id()
            current[0], current[1] = r, fs
            fsm.apply(r.data, data_spec, setv, create_kind=fsm.SCALAR, rid=r)
            record(r, plugin, configured_in, paths=paths)
