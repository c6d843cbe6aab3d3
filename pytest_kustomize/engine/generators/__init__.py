"""configMapGenerator and secretGenerator: build the objects, their hash suffix, and the
merge/replace of a generated object into an existing one."""
from __future__ import annotations

import base64

from ...errors import GeneratorError
from .hashing import content_hash
from .kv import validated_map
from ..yamlscalar import scalar_to_string as _s

__all__ = ["generate_configmap", "generate_secret", "needs_hash", "content_hash",
           "merged_options", "merge_generated", "generation_behavior"]


def merged_options(args: dict, options: dict | None) -> dict:
    """Per-generator options with the kustomization's generatorOptions folded in
    (local labels/annotations win; either disableNameSuffixHash or immutable set wins)."""
    local = dict(args.get("options") or {})
    glob = options or {}
    for key in ("labels", "annotations"):
        g = glob.get(key)
        if local.get(key) is None:
            if g is not None:
                local[key] = dict(g)
        else:
            merged = dict(local[key])
            for k, v in (g or {}).items():
                merged.setdefault(k, v)
            local[key] = merged
    if glob.get("disableNameSuffixHash"):
        local["disableNameSuffixHash"] = True
    if glob.get("immutable"):
        local["immutable"] = True
    return local


def generation_behavior(value) -> str:
    """kustomize's NewGenerationBehavior: exactly ``create``, ``merge`` or ``replace``;
    anything else (other case, empty, unknown) is ``unspecified``, which acts as create."""
    v = _s(value)
    return v if v in ("create", "merge", "replace") else "unspecified"


def needs_hash(args: dict, options: dict | None) -> bool:
    return not merged_options(args, options).get("disableNameSuffixHash")


def _b64(data) -> str:
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    enc = base64.b64encode(raw).decode("ascii")
    if len(enc) <= 70:
        return enc
    return "".join(enc[i:i + 70] + "\n" for i in range(0, len(enc), 70))


def _base(kind: str, args: dict) -> dict:
    name = _s(args.get("name"))
    if not name:
        raise GeneratorError("a configmap must have a name")
    md = {"name": name}
    if args.get("namespace"):
        md["namespace"] = _s(args.get("namespace"))
    return {"apiVersion": "v1", "kind": kind, "metadata": md}


def _apply_options(obj: dict, opts: dict) -> None:
    md = obj["metadata"]
    if opts.get("labels"):
        md["labels"] = {str(k): _s(v) for k, v in opts["labels"].items()}
    if opts.get("annotations"):
        md["annotations"] = {str(k): _s(v) for k, v in opts["annotations"].items()}
    if opts.get("immutable"):
        obj["immutable"] = True


def generate_configmap(args: dict, options: dict | None, loader) -> dict:
    """The ConfigMap one ``configMapGenerator`` entry describes (without hash suffix)."""
    obj = _base("ConfigMap", args)
    values = validated_map(args, loader, "configmap")
    data, binary = {}, {}
    for k in sorted(values):
        v = values[k]
        if isinstance(v, bytes):
            binary[k] = _b64(v)
        else:
            data[k] = v
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    _apply_options(obj, merged_options(args, options))
    return obj


def generate_secret(args: dict, options: dict | None, loader) -> dict:
    """The Secret one ``secretGenerator`` entry describes (without hash suffix)."""
    obj = _base("Secret", args)
    obj["type"] = _s(args.get("type")) or "Opaque"
    values = validated_map(args, loader, "secret")
    obj["data"] = {k: _b64(values[k]) for k in sorted(values)}
    _apply_options(obj, merged_options(args, options))
    return obj


def _string_map(v) -> dict:
    """kyaml's GetDataMap/GetLabels view of a field: a mapping's entries as text (a nested
    value or null is ""); anything that is not a mapping is empty."""
    if not isinstance(v, dict):
        return {}
    return {str(k): x if isinstance(x, str) else
            ("" if x is None or isinstance(x, (dict, list)) else _s(x))
            for k, x in v.items()}


def merge_generated(existing: dict, new: dict, behavior: str) -> dict:
    """The object that results when a generator with ``behavior`` merge/replace meets an
    existing object of the same id: labels and annotations merged (the new win), name and
    namespace of the existing one, and for merge the ``data``/``binaryData`` entries of
    both; a map left empty is dropped, a non-map value counts as empty (as in kustomize)."""
    out = dict(new)
    md_new = new.get("metadata") if isinstance(new.get("metadata"), dict) else {}
    md_old = existing.get("metadata") if isinstance(existing.get("metadata"), dict) else {}
    md = dict(md_new)
    for key in ("labels", "annotations"):
        merged = _string_map(md_old.get(key))
        merged.update(_string_map(md_new.get(key)))
        md.pop(key, None)
        if merged:
            md[key] = merged
    md["name"] = md_old.get("name", md_new.get("name"))
    if md_old.get("namespace"):
        md["namespace"] = md_old["namespace"]
    else:
        md.pop("namespace", None)
    out["metadata"] = md
    if behavior == "merge":
        for field in ("data", "binaryData"):
            merged = _string_map(existing.get(field))
            merged.update(_string_map(new.get(field)))
            out.pop(field, None)
            if merged:
                out[field] = merged
    return out
