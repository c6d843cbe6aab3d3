"""Strict decoding of a kustomization file, as kustomize does it: go-yaml v2 reads the first
document (YAML 1.1 scalars: ``yes`` is a bool, a date is a string), sigs.k8s.io/yaml turns it
into JSON, and Go's ``encoding/json`` decodes that into kustomize's typed structs with
unknown fields disallowed. The first error in JSON order (keys sorted) is the one reported,
worded as Go words it (``json: cannot unmarshal number into Go struct field
Kustomization.namePrefix of type string``)."""
from __future__ import annotations

from decimal import Decimal

from ..errors import KustomizationError, YamlError
from . import yamlscalar
from .yamlv2 import float32_key, load_v2

# ---------------------------------------------------------------------------------------
# kustomize's types (api/types, v5.5–v5.8): ("struct", Go name, {json name: type}),
# ("slice", elem), ("map", elem), ("ptr", struct), scalars by Go type name
# ---------------------------------------------------------------------------------------
S, B, I, I64, ANY = "string", "bool", "int", "int64", "interface {}"
_GVK = {"group": S, "version": S, "kind": S}
_RESID = dict(_GVK, name=S, namespace=S)


def struct_type(name: str, fields: dict, pkg: str = "types") -> tuple:
    return ("struct", name, fields, pkg)


def slice_type(elem, name: str = "") -> tuple:
    """[]elem; ``name`` for a named slice type (``types.FsSlice``)."""
    return ("slice", elem, name)


_struct, _slice = struct_type, slice_type


def map_type(elem, name: str = "") -> tuple:
    """map[string]elem; ``name`` for a named map type."""
    return ("map", elem, name)


_map = map_type


def _ptr(t) -> tuple:
    return ("ptr", t)


_STRS = _slice(S)
_SELECTOR = _struct("Selector", dict(_RESID, annotationSelector=S, labelSelector=S))
FIELDSPEC = _struct("FieldSpec", dict(_GVK, path=S, create=B))
_FIELDSPEC = FIELDSPEC
_GENOPTS = _struct("GeneratorOptions", {"labels": _map(S), "annotations": _map(S),
                                        "disableNameSuffixHash": B, "immutable": B})
_GENARGS = {"namespace": S, "name": S, "behavior": S, "literals": _STRS, "files": _STRS,
            "envs": _STRS, "env": S, "options": _ptr(_GENOPTS)}
_FIELDOPTS = _ptr(_struct("FieldOptions", {"delimiter": S, "index": I, "encoding": S,
                                           "create": B}))
_PATCH = _struct("Patch", {"path": S, "patch": S, "target": _ptr(_SELECTOR),
                           # v5.5 decodes options as map[string]bool, v5.8 as PatchArgs:
                           # the more lenient of the two
                           "options": _map(B)})
_IMAGE = _struct("Image", {"name": S, "newName": S, "tagSuffix": S, "newTag": S, "digest": S})
_HELMCHART = _struct("HelmChart", {
    "name": S, "version": S, "repo": S, "releaseName": S, "namespace": S,
    "additionalValuesFiles": _STRS, "valuesFile": S, "valuesInline": _map(ANY),
    "valuesMerge": S, "includeCRDs": B, "skipHooks": B, "apiVersions": _STRS,
    "kubeVersion": S, "nameTemplate": S, "skipTests": B, "debug": B, "devel": B})
_HELMARGS = _struct("HelmChartArgs", {
    "chartName": S, "chartVersion": S, "chartRepoUrl": S, "chartHome": S,
    "chartRepoName": S, "helmBin": S, "helmHome": S, "values": S, "valuesLocal": _map(ANY),
    "valuesMerge": S, "releaseName": S, "releaseNamespace": S, "extraArgs": _STRS})
_REPLACEMENT = _struct("ReplacementField", {
    "source": _ptr(_struct("SourceSelector", dict(_RESID, fieldPath=S, options=_FIELDOPTS))),
    "targets": _slice(_ptr(_struct("TargetSelector", {
        "select": _ptr(_SELECTOR), "reject": _slice(_ptr(_SELECTOR)), "fieldPaths": _STRS,
        "options": _FIELDOPTS}))),
    "sourceValue": _ptr(S), "path": S})
_VAR = _struct("Var", {
    "name": S,
    "objref": _struct("Target", dict(_GVK, apiVersion=S, name=S, namespace=S)),
    "fieldref": _struct("FieldSelector", {"fieldPath": S})})
KUSTOMIZATION = _struct("Kustomization", {
    "kind": S, "apiVersion": S,
    "metadata": _ptr(_struct("ObjectMeta", {"name": S, "namespace": S, "labels": _map(S),
                                            "annotations": _map(S)})),
    "openapi": _map(S), "namePrefix": S, "nameSuffix": S, "namespace": S,
    "commonLabels": _map(S),
    "labels": _slice(_struct("Label", {"pairs": _map(S), "includeSelectors": B,
                                       "includeTemplates": B, "includeVolumeClaimTemplates": B,
                                       "fields": _slice(_FIELDSPEC)})),
    "commonAnnotations": _map(S),
    "patchesStrategicMerge": _slice("types.PatchStrategicMerge"),
    "patchesJson6902": _slice(_PATCH), "patches": _slice(_PATCH),
    "images": _slice(_IMAGE), "imageTags": _slice(_IMAGE),
    "replacements": _slice(_REPLACEMENT),
    "replicas": _slice(_struct("Replica", {"name": S, "count": I64})),
    "vars": _slice(_VAR),
    "sortOptions": _ptr(_struct("SortOptions", {
        "order": "types.SortOrder",
        "legacySortOptions": _ptr(_struct("LegacySortOptions", {"orderFirst": _STRS,
                                                                "orderLast": _STRS}))})),
    "resources": _STRS, "components": _STRS, "crds": _STRS, "bases": _STRS,
    "configMapGenerator": _slice(_struct("ConfigMapArgs", _GENARGS)),
    "secretGenerator": _slice(_struct("SecretArgs", dict(_GENARGS, type=S))),
    "helmGlobals": _ptr(_struct("HelmGlobals", {"chartHome": S, "configHome": S})),
    "helmCharts": _slice(_HELMCHART), "helmChartInflationGenerator": _slice(_HELMARGS),
    "generatorOptions": _ptr(_GENOPTS),
    "configurations": _STRS, "generators": _STRS, "transformers": _STRS,
    "validators": _STRS, "buildMetadata": _STRS,
})


def go_type(t, top: bool = True) -> str:
    """The type's name as Go's reflect prints it (``[]types.Image``, ``map[string]string``);
    json.Unmarshal reports a pointer field by the type it points to."""
    if isinstance(t, str):
        return t
    if t[0] == "struct":
        return "%s.%s" % (t[3], t[1])
    if t[0] == "slice":
        return t[2] or "[]" + go_type(t[1], False)
    if t[0] == "map":
        return t[2] or "map[string]" + go_type(t[1], False)
    return go_type(t[1]) if top else "*" + go_type(t[1])


# ---------------------------------------------------------------------------------------
# encoding/json into the typed structs
# ---------------------------------------------------------------------------------------
def json_kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _json_number_text(v) -> str:
    if isinstance(v, int):
        return str(v)
    a = abs(v)
    if v == int(v) and a < 1e21:
        return str(int(v))
    if a < 1e-6 or a >= 1e21:
        return yamlscalar.go_float(v).replace("e-0", "e-")
    return format(Decimal(repr(v)), "f")


def _fold(s: str) -> str:
    return s.replace("\u017f", "s").replace("\u212a", "k").lower()


class DecodeError(Exception):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


class _Decoder:
    """``strict``: unknown fields are errors (DisallowUnknownFields); ``coerce``: a number
    or bool meant for a string field becomes a string (sigs.k8s.io/yaml.Unmarshal does this
    with a target; YAMLToJSON, which kustomize uses for the kustomization, does not)."""

    def __init__(self, strict: bool = True, coerce: bool = False):
        self.strict, self.coerce = strict, coerce
        self.struct = None      # Go name of the innermost struct a field was found in
        self.stack: list = []   # json names of the fields on the way
        self.where: list = []   # the same with list indexes, for the error's field

    def fail(self, v, t, number: bool = False):
        what = json_kind(v)
        if number:
            what = "number " + _json_number_text(v)
        if self.struct is None:
            msg = "json: cannot unmarshal %s into Go value of type %s" % (what, go_type(t))
        else:
            msg = "json: cannot unmarshal %s into Go struct field %s.%s of type %s" % (
                what, self.struct, ".".join(self.stack), go_type(t))
        raise DecodeError(msg, self.field())

    def field(self, key: str | None = None) -> str:
        parts = self.where + ([key] if key is not None else [])
        return ".".join(parts).replace(".[", "[")

    def decode(self, v, t, old=None):
        """The decoded value (None: the zero value / nil); ``old`` is what an earlier key
        of the same field left there (Go decodes into it)."""
        kind = t if isinstance(t, str) else t[0]
        if v is None:
            return old if kind in (S, B, I, I64, "types.PatchStrategicMerge",
                                   "types.SortOrder", "struct") else None
        if kind == "ptr":
            return self.decode(v, t[1], old)
        if kind == ANY:
            return v
        if kind in (S, "types.PatchStrategicMerge", "types.SortOrder"):
            if self.coerce and isinstance(v, (bool, int, float)):
                return ("true" if v else "false") if isinstance(v, bool) else \
                    str(v) if isinstance(v, int) else float32_key(v)
            if not isinstance(v, str):
                self.fail(v, t)
            return v
        if kind == B:
            if not isinstance(v, bool):
                self.fail(v, t)
            return v
        if kind in (I, I64):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(v, t)
            if isinstance(v, float) and v != int(v) or abs(int(v)) >= 1 << 63 \
                    or isinstance(v, float) and abs(v) >= 1e21:
                self.fail(v, t, number=True)
            return int(v)
        if kind == "slice":
            if not isinstance(v, list):
                self.fail(v, t)
            old = old if isinstance(old, list) else []
            out = []
            for i, x in enumerate(v):
                self.where.append("[%d]" % i)
                got = self.decode(x, t[1], old[i] if i < len(old) else None)
                out.append(_zero(t[1]) if got is None else got)
                self.where.pop()
            return out
        if kind == "map":
            if not isinstance(v, dict):
                self.fail(v, t)
            out = dict(old) if isinstance(old, dict) else {}
            for k in sorted(v):
                got = self.decode(v[k], t[1], out.get(k))
                out[k] = _zero(t[1]) if got is None and t[1] != ANY else got
            return out
        return self._struct(v, t, old)

    def _struct(self, v, t, old):
        if not isinstance(v, dict):
            self.fail(v, t)
        fields = t[2]
        folded = {}
        for name in fields:
            folded.setdefault(_fold(name), name)
        out = dict(old) if isinstance(old, dict) else {}
        for key in sorted(v):
            name = key if key in fields else folded.get(_fold(key))
            if name is None and not self.strict:
                continue
            if name is None:
                raise DecodeError('json: unknown field "%s"' % key, self.field(key))
            saved = self.struct
            self.struct = t[1]
            self.stack.append(name)
            self.where.append(name)
            got = self.decode(v[key], fields[name], out.get(name))
            self.struct = saved
            self.stack.pop()
            self.where.pop()
            if got is None:
                out.pop(name, None)
            else:
                out[name] = got
        return out


def _zero(t):
    """Go's zero value of a list element that was null (a nil pointer reads as the zero
    struct: the engine then names what is missing instead of crashing as Go would)."""
    kind = t if isinstance(t, str) else t[0]
    if kind == "ptr":
        return _zero(t[1])
    return {"struct": {}, B: False, I: 0, I64: 0}.get(kind, "" if isinstance(t, str) and
                                                       kind != ANY else None)


def decode_value(raw, t, strict: bool = True, coerce: bool = False):
    """``raw`` (a JSON-like value) decoded into type ``t``; raises DecodeError."""
    return _Decoder(strict, coerce).decode(raw, t)


def decode(text, path: str) -> dict:
    """The kustomization in ``text`` decoded strictly; keys are kustomize's field names,
    nil fields are left out."""
    try:
        raw = load_v2(text, path)
    except YamlError as e:
        raise KustomizationError("invalid Kustomization: %s" % e.message, file=path) from None
    if raw is None:
        return {}
    try:
        return _Decoder().decode(raw, KUSTOMIZATION) or {}
    except DecodeError as e:
        raise KustomizationError("invalid Kustomization: %s" % e.message, file=path,
                                 field=e.field or None) from None


def is_empty(data: dict) -> bool:
    """kustomize's CheckEmpty after FixKustomization: every field but kind and apiVersion
    holds its zero value (an empty list or mapping that is present is not zero)."""
    for k, v in data.items():
        if k in ("kind", "apiVersion"):
            continue
        if k in ("bases", "imageTags", "helmChartInflationGenerator"):
            if v:           # moved into resources / images / helmCharts
                return False
            continue
        if v is None or v == "" or v is False:
            continue
        return False
    return True
