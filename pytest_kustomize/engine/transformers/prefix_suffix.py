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
    for r in resources:
        org_gvk = r.orig_id.gvk
        if any(org_gvk.matches(s) for s in _SKIP):
            continue
        for fs in specs:
            if not org_gvk.matches(fs.gvk):
                continue
            if fs.path == "metadata/name":
                if prefix:
                    r.prefixes.append(prefix)
                else:
                    r.suffixes.append(suffix)
                r.remember_id()

            def setv(parent, key):
                if not isinstance(parent, (dict, list)):
                    return
                cur = parent[key] if (isinstance(parent, list) or key in parent) else ""
                if isinstance(cur, (dict, list)):
                    raise TransformerError("expected a scalar at '%s'" % fs.path)
                if not isinstance(cur, str):
                    # kyaml joins the node's text (0x1F, 1.50, False), recorded at read
                    texts = [p[1] for p in r.empty_nulls or () if p[0] == NAME_TEXT]
                    named = key == "name" and parent is r.data.get("metadata")
                    cur = texts[0] if named and texts and cur is not None \
                        else scalar_to_string(cur)
                parent[key] = prefix + cur if prefix else cur + suffix

            data_spec = fsm.FieldSpec(Gvk(), fs.path, fs.create)
            fsm.apply(r.data, data_spec, setv, create_kind=fsm.SCALAR, rid=r)
            record(r, plugin or ("PrefixTransformer" if prefix else "SuffixTransformer"),
                   configured_in, paths=spec_paths([fs]))
