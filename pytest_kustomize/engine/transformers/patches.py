"""patchesStrategicMerge, patches (SMP or JSON 6902, detected as kustomize does) and
patchesJson6902."""
from __future__ import annotations

import json

from ...errors import KustomizeError, PatchError, ResourceConflictError, YamlError
from .. import jsonpatch6902, yamlio
from ..reader import objects_with_nulls
from ..yamlread import PATCH_TEXT
from ..resource import Gvk, NameIndex, ResId, Resource, ResourceList
from ..selector import Selector
from ..strategicmerge import strategic_merge
from .base import record
from .labels import follow_shared_entries, shared_entry_paths
from ..yamlscalar import scalar_to_string as _s


def _patch_id(p: dict) -> ResId:
    md = p.get("metadata") if isinstance(p.get("metadata"), dict) else {}
    return ResId(Gvk.from_api_version(_s(p.get("apiVersion")), _s(p.get("kind"))),
                 _s(md.get("name")), _s(md.get("namespace")))


def find_unique(resources: ResourceList, rid: ResId, index: NameIndex | None = None) -> Resource:
    """kustomize's GetById: match any current or previous id (namespace-default aware)."""
    cands = index.lookup(rid.name) if index is not None else resources
    matches = [r for r in cands
               if any(i.gvk == rid.gvk and i.name == rid.name
                      and i.effective_namespace == rid.effective_namespace
                      for i in r.all_ids())]
    if len(matches) == 1:
        return matches[0]
    what = "multiple matches" if matches else "no matches"
    raise PatchError("%s for Id %s; failed to find unique target for patch %s"
                     % (what, rid, rid))


def apply_smp(res: Resource, patch: dict, *, allow_name_change=False, allow_kind_change=False,
              schema=None, texts: tuple = ()) -> bool:
    """Apply one strategic-merge patch to ``res`` in place; False when it deleted it."""
    md = res.metadata
    name, ns, kind = res.name, res.namespace, res.kind
    if allow_name_change or allow_kind_change:
        res.remember_id()
    p = dict(patch)
    av = res.data.get("apiVersion")
    if isinstance(av, (dict, list)):
        # kustomize gives the patch the target's apiVersion as text ("") and cannot merge it
        raise PatchError("wrong node kind: expected %s but got ScalarNode: node contents:"
                         % ("MappingNode" if isinstance(av, dict) else "SequenceNode"))
    if isinstance(av, str):
        p["apiVersion"] = av
    else:                       # a null (or number) apiVersion of the target stays as it is
        p.pop("apiVersion", None)
    shared = shared_entry_paths(res)
    # in place: res.data is replaced by the result, and a failed merge fails the build
    merged = strategic_merge(res.data, p, schema, res.empty_nulls, texts, in_place=True)
    if merged is None or not merged:
        res.data = {}
        return False
    res.data = merged
    if shared:
        follow_shared_entries(res, shared)
    if not allow_kind_change:
        res.data["kind"] = kind
    md = res.metadata
    if not allow_name_change:
        md["name"] = name
    if ns:
        md["namespace"] = ns
    else:
        md.pop("namespace", None)
    return True


def _check_unique(resources: ResourceList) -> None:
    """kustomize puts the patched resources back into its map one by one: two that a name or
    kind change made the same id are its error (found by scripts/fuzz.py seed 7 tree 4636)."""
    seen = set()
    for r in resources:
        key = r.id.key
        if key in seen:
            raise ResourceConflictError(
                "may not add resource with an already registered id: %s" % r.id)
        seen.add(key)


def apply_json6902(res: Resource, ops: list, source: str) -> None:
    """Apply decoded JSON 6902 operations to ``res`` as kustomize's library does."""
    md = res.data.get("metadata")
    anns = md.get("annotations") if isinstance(md, dict) else None
    if isinstance(anns, dict) and res.empty_nulls:
        for k, v in anns.items():       # kustomize has these as "" by now (measured)
            if v is None and ("metadata", "annotations", k) in res.empty_nulls:
                anns[k] = ""
    res.empty_nulls = None      # after the JSON round trip every null is written out
    # kustomize's resources carry internal annotations while it builds, so a JSON patch
    # always finds metadata.annotations (an add below it succeeds); it is dropped if empty
    added = isinstance(md, dict) and "annotations" not in md
    if added:
        md["annotations"] = {}
    try:
        out = jsonpatch6902.apply(res.data, ops)
    except jsonpatch6902.JsonPatchError as e:
        raise PatchError("applying JSON patch %s to %s: %s" % (source, res.id, e)) from None
    if not isinstance(out, dict):
        raise PatchError("applying JSON patch %s to %s: json: cannot unmarshal array into Go "
                         "value of type map[string]interface {}" % (source, res.id))
    if added:
        md.pop("annotations", None)
    res.data = out
    md = out.get("metadata")
    if added and isinstance(md, dict) and md.get("annotations") == {}:
        del md["annotations"]
    name = md.get("name") if isinstance(md, dict) else None
    if name in (None, "") or isinstance(name, (list, dict)):
        # kustomize reads the patched object back as a resource (found by scripts/fuzz.py)
        raise PatchError("applying JSON patch %s to %s: missing metadata.name in object"
                         % (source, res.id))
    anns = md.get("annotations") if isinstance(md, dict) else None
    if isinstance(anns, dict):          # then kustomize sets them again as text
        for k, v in anns.items():
            if not isinstance(v, str):
                anns[k] = "" if isinstance(v, (dict, list)) else \
                    "null" if v is None else yamlio.scalar_to_string(v)


_PATCH_TEXTS: dict = {}     # id(patch doc) -> (doc, its PATCH_TEXT records); holds the doc


def _load_patch_docs(text: str, source: str) -> list:
    if len(_PATCH_TEXTS) > 4096:
        _PATCH_TEXTS.clear()
    docs = []
    for d, recs in objects_with_nulls(text, source, patch=True):
        texts = tuple(r for r in recs if r[0] == PATCH_TEXT)
        if texts:
            _PATCH_TEXTS[id(d)] = (d, texts)
        docs.append(d)
    return docs


def _texts(doc) -> tuple:
    hit = _PATCH_TEXTS.get(id(doc))
    return hit[1] if hit is not None and hit[0] is doc else ()


def decode_json6902(text: str, source: str) -> list:
    try:
        return jsonpatch6902.decode(text, source)
    except ValueError as e:
        raise PatchError("cannot decode JSON patch %s: %s" % (source, e)) from None


def _drop_empty(resources: ResourceList, touched=None, index: NameIndex | None = None) -> None:
    """Remove resources a patch deleted (``touched``: the only ones that can be empty)."""
    if touched is not None and all(r.data for r in touched):
        return
    resources.set_items([r for r in resources if r.data])
    if index is not None:
        index.reset()


# -- patchesStrategicMerge ----------------------------------------------------------------
def apply_patches_strategic_merge(resources: ResourceList, entries: list, loader, *,
                                  configured_in: str, schema=None) -> None:
    patches = []
    for entry in entries:
        entry = _s(entry)
        text, src = None, entry
        if "\n" in entry or entry.lstrip().startswith(("{", "apiVersion", "kind")):
            text, src = entry, "inline patch"
        if text is None:
            try:
                text = loader.read_text(entry)
            except KustomizeError as e:
                raise e.with_context(file=configured_in, field="patchesStrategicMerge")
        try:
            docs = _load_patch_docs(text, src)
        except KustomizeError as e:
            raise e.with_context(file=configured_in, field="patchesStrategicMerge")
        patches.extend((d, src) for d in docs)
    if not patches:
        raise PatchError("patch appears to be empty; files=%s" % entries, file=configured_in,
                         field="patchesStrategicMerge")
    index = NameIndex(resources)
    for p, src in patches:
        target = find_unique(resources, _patch_id(p), index)
        apply_smp(target, p, schema=schema, texts=_texts(p))
        record(target, "PatchStrategicMergeTransformer", configured_in, src, patch=p)
        index.touched((target,))
    _drop_empty(resources)


# -- patches -------------------------------------------------------------------------------
def apply_patch_entry(resources: ResourceList, entry: dict, loader, *, configured_in: str,
                      field: str = "patches", schema=None,
                      index: NameIndex | None = None) -> int | None:
    """One entry of ``patches``; ``index``: a NameIndex of ``resources`` kept across a run of
    entries (only the patched resources change, so it stays valid). Returns how many
    resources its ``target`` selected (None: no target; such a patch fails when unmatched)."""
    index = index if index is not None else NameIndex(resources)
    if not isinstance(entry, dict):
        raise PatchError("each patch must be a mapping with patch/path/target", file=configured_in,
                         field=field)
    patch_text = _s(entry.get("patch")).strip()
    path = _s(entry.get("path"))
    if not patch_text and not path:
        raise PatchError("must specify one of patch and path in\n%s"
                         % yamlio.dump_document(entry), file=configured_in, field=field)
    if patch_text and path:
        raise PatchError("patch and path can't be set at the same time\n%s"
                         % yamlio.dump_document(entry), file=configured_in, field=field)
    if patch_text:
        source = "[patch: %s]" % json.dumps(patch_text)
    else:
        try:
            patch_text = loader.read_text(path)
        except KustomizeError as e:
            raise PatchError("failed to get the patch file from path(%s): %s"
                             % (path, e), file=configured_in, field=field) from None
        source = "[path: %s]" % json.dumps(path)
    opts = entry.get("options") or {}
    target = entry.get("target")

    # the errors are kept without their tracebacks: a traceback holds this frame, which
    # holds the error, a cycle that would keep the whole build alive until a collection
    sm_docs, sm_err = None, None
    try:
        sm_docs = _load_patch_docs(patch_text, source)
        if any(not isinstance(d, dict) for d in sm_docs):
            raise YamlError("not an object")
    except KustomizeError as e:
        sm_docs, sm_err = None, e.with_traceback(None)
    js_ops, js_err = None, None
    try:
        js_ops = jsonpatch6902.decode(patch_text, source)
    except (ValueError, KustomizeError) as e:
        js_ops, js_err = None, e.with_traceback(None)
    if sm_docs and js_ops:
        raise PatchError("illegally qualifies as both an SM and JSON patch: %s" % source,
                         file=configured_in, field=field)
    if sm_docs is None and js_ops is None:
        why = getattr(sm_err, "message", "") if isinstance(sm_err, YamlError) else ""
        raise PatchError("unable to parse SM or JSON patch from %s%s"
                         % (source, " (%s)" % why if "malformed YAML" in why else ""),
                         file=configured_in, field=field)
    if sm_docs is not None and js_ops is None:
        allow_name = bool(opts.get("allowNameChange"))
        allow_kind = bool(opts.get("allowKindChange"))
        if target is not None:
            if len(sm_docs) > 1:
                raise PatchError("Multiple Strategic-Merge Patches in one `patches` entry is not "
                                 "allowed to set `patches.target` field: %s" % source,
                                 file=configured_in, field=field)
            if not sm_docs:
                return None
            sel = Selector.from_dict(target)
            selected = sel.select(resources, index)
            for r in selected:
                p = dict(sm_docs[0])
                p["kind"] = sm_docs[0].get("kind")
                apply_smp(r, p, allow_name_change=allow_name, allow_kind_change=allow_kind,
                          schema=schema, texts=_texts(sm_docs[0]))
                record(r, "PatchTransformer", configured_in, source, patch=sm_docs[0])
            index.touched(selected)
            _drop_empty(resources, selected, index)
            if allow_name or allow_kind:
                _check_unique(resources)
            return len(selected)
        patched = []
        for p in sm_docs:
            pid = _patch_id(p)
            try:
                r = find_unique(resources, pid, index)
            except PatchError as e:
                raise PatchError("no resource matches strategic merge patch \"%s\": %s"
                                 % (pid, e.message), file=configured_in, field=field) from None
            apply_smp(r, p, allow_name_change=allow_name, allow_kind_change=allow_kind,
                      schema=schema, texts=_texts(p))
            record(r, "PatchTransformer", configured_in, source, patch=p)
            patched.append(r)
            index.touched((r,))
        _drop_empty(resources, patched, index)
        if allow_name or allow_kind:
            _check_unique(resources)
        return None
    # JSON 6902
    if target is None:
        raise PatchError("must specify a target for JSON patch %s" % source, file=configured_in,
                         field=field)
    sel = Selector.from_dict(target)
    selected = sel.select(resources, index)
    for r in selected:
        r.remember_id()
        apply_json6902(r, js_ops, source)
        record(r, "PatchTransformer", configured_in, source, patch=js_ops)
    index.touched(selected)
    return len(selected)


# -- patchesJson6902 -------------------------------------------------------------------------
def apply_patches_json6902(resources: ResourceList, entry: dict, loader, *,
                           configured_in: str, index: NameIndex | None = None) -> int:
    """One entry of ``patchesJson6902``: returns how many resources its target selected."""
    field = "patchesJson6902"
    index = index if index is not None else NameIndex(resources)
    if not isinstance(entry, dict):
        raise PatchError("each entry must be a mapping", file=configured_in, field=field)
    target = entry.get("target") or {}
    if not _s(target.get("name")):
        raise PatchError("must specify the target name", file=configured_in, field=field)
    path, op_text = _s(entry.get("path")), _s(entry.get("patch"))
    if not path and not op_text:
        raise PatchError("empty file path and empty jsonOp", file=configured_in, field=field)
    if path and op_text:
        raise PatchError("must specify a file path or jsonOp, not both", file=configured_in,
                         field=field)
    source = op_text
    if path:
        op_text = loader.read_text(path)
        source = path
        if op_text == "":
            raise PatchError("patch file '%s' empty seems to be empty" % path,
                             file=configured_in, field=field)
    ops = decode_json6902(op_text, source)
    if not ops:
        raise PatchError("patch appears to be empty; file=%s, JsonOp=%s" % (path, op_text),
                         file=configured_in, field=field)
    selected = Selector.from_dict(target).select(resources, index)
    for r in selected:
        apply_json6902(r, ops, source)
        record(r, "PatchJson6902Transformer", configured_in, source, patch=ops)
    index.touched(selected)
    return len(selected)
