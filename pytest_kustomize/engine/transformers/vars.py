"""Legacy ``vars``: ``$(NAME)`` references replaced in the varReference field specs."""
from __future__ import annotations

from ...errors import KustomizationError, TransformerError
from .. import fieldspec as fsm
from ..resource import Gvk, ResId, ResourceList, is_cluster_scoped
from ..paths import lookup, smarter_split, with_slice_indexes
from .base import record

def _split_dotted(path: str) -> list:
    return with_slice_indexes(smarter_split(path))


_MISSING = object()


def get_field_value(obj, path: str):
    """kyaml's GetFieldValue: dotted path, ``[k=v]`` list selectors, ``a[0]`` indexes
    (kyaml's Lookup, paths.lookup)."""
    return lookup(obj, _split_dotted(path), _MISSING)


def _var_str(v: dict) -> str:
    return "%s" % v.get("name")


def _var_target(v: dict) -> ResId:
    o = v.get("objref") or {}
    av = o.get("apiVersion")
    if av:
        gvk = Gvk.from_api_version(str(av), str(o.get("kind") or ""))
    else:
        gvk = Gvk(str(o.get("group") or ""), str(o.get("version") or ""), str(o.get("kind") or ""))
    return ResId(gvk, str(o.get("name") or ""), str(o.get("namespace") or ""))


def merge_vars(ra, incoming: list, kfile: str) -> None:
    """Declare vars at this level: bind each to the resource its objref names."""
    for v in incoming:
        if not isinstance(v, dict) or not v.get("name"):
            raise KustomizationError("each var needs a name and an objref", file=kfile,
                                     field="vars")
        v = dict(v)
        fr = dict(v.get("fieldref") or {})
        if not fr.get("fieldPath"):
            fr["fieldPath"] = "metadata.name"
        v["fieldref"] = fr
        tid = _var_target(v)

        def matcher(i, tid=tid):
            if i.gvk != tid.gvk or i.name != tid.name:
                return False
            if tid.namespace or is_cluster_scoped(tid.gvk):
                return i.effective_namespace == tid.effective_namespace
            return True
        matched = [r for r in ra.resources if any(matcher(i) for i in r.all_ids())]
        if len(matched) > 1:
            raise KustomizationError("found %d resId matches for var %s (unable to disambiguate)"
                                     % (len(matched), _var_str(v)), file=kfile, field="vars")
        if len(matched) == 1:
            matched[0].ref_var_names.append(v["name"])
        for existing in ra.vars:
            if existing["name"] == v["name"]:
                raise KustomizationError("var '%s' already encountered" % v["name"], file=kfile,
                                         field="vars")
        ra.vars.append(v)


def expand(s: str, mapping):
    """Kubernetes-style ``$(VAR)`` expansion; ``$$`` escapes. A string that is exactly one
    reference returns the mapped value itself (which may be a number or bool)."""
    buf = []
    checkpoint = 0
    cursor = 0
    n = len(s)
    while cursor < n:
        if s[cursor] == "$" and cursor + 1 < n:
            buf.append(s[checkpoint:cursor])
            nxt = s[cursor + 1]
            if nxt == "$":
                read, is_var, adv = "$", False, 1
            elif nxt == "(":
                close = s.find(")", cursor + 2)
                if close >= 0:
                    read, is_var, adv = s[cursor + 2:close], True, close - cursor
                else:
                    read, is_var, adv = "$(", False, 1
            else:
                read, is_var, adv = "$" + nxt, False, 1
            if is_var:
                mapped = mapping(read)
                if s == "$(" + read + ")":
                    return mapped
                buf.append(_fmt(mapped))
            else:
                buf.append(read)
            cursor += adv
            checkpoint = cursor + 1
        cursor += 1
    return "".join(buf) + s[checkpoint:]


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def _refuse_wildcard(r, fs) -> None:
    """kyaml's PathGetter, which the vars transformer walks with, has no `*` field: a
    varReference path reaching one is kustomize's error (real-world corpus: odh-manifests
    jupyterhub/notebook-images/overlays/cuda)."""
    parts = fs.path.split("/")
    if "*" not in parts or not r.gvk.matches(fs.gvk):
        return
    node = r.data
    for part in parts[:parts.index("*")]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        raise TransformerError("considering field '%s' of object %s: fieldName: *: wildcard "
                               "is not supported in PathGetter" % (fs.path, r.id))


def resolve(resources: ResourceList, ra) -> None:
    """Replace ``$(VAR)`` in every varReference field of every resource."""
    values = {}
    for v in sorted(ra.vars, key=lambda x: x["name"]):
        found = _MISSING
        for r in resources:
            if v["name"] in r.ref_var_names:
                found = get_field_value(r.data, v["fieldref"]["fieldPath"])
                if found is _MISSING:
                    raise TransformerError("field specified in var '%s' not found in "
                                           "corresponding resource" % _var_str(v))
                break
        else:
            raise TransformerError("var '%s' cannot be mapped to a field in the set of known "
                                   "resources" % _var_str(v))
        values[v["name"]] = found
    if not values:
        return

    def mapping(key):
        if key in values:
            val = values[key]
            if isinstance(val, (str, int, float, bool)):
                return val
        return "$(" + key + ")"

    def is_str(x):
        return isinstance(x, str)

    specs = ra.config.get("varReference") if ra.config else fsm.default_specs("varReference")
    for r in resources:
        changed = [False]

        def setter(parent, key):
            node = parent[key] if (isinstance(parent, list) or key in parent) else None
            if node is None:
                return
            if isinstance(node, str):
                nv = expand(node, mapping)
                if nv != node:
                    parent[key] = nv
                    changed[0] = True
            elif isinstance(node, dict):
                for k2, v2 in list(node.items()):
                    if is_str(v2):
                        nv = expand(v2, mapping)
                        if nv != v2:
                            node[k2] = nv
                            changed[0] = True
            elif isinstance(node, list):
                for i, item in enumerate(node):
                    if not is_str(item):
                        raise TransformerError("invalid value type expect a string")
                    nv = expand(item, mapping)
                    if nv != item:
                        node[i] = nv
                        changed[0] = True

        for fs in specs:
            _refuse_wildcard(r, fs)
            fsm.apply(r.data, fs, setter, rid=r)
        if changed[0]:
            record(r, "vars", "")
