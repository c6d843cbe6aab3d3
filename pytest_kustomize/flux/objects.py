"""Flux Kustomization objects as kustomize-controller's API types decode them.

The flux CLI and the API server read YAML with go-yaml v2 rules (see ``yamlv2``) and decode
it into ``kustomizev1.Kustomization``: field names match case-insensitively, unknown fields
are dropped, a value of the wrong type is an error, empty strings and lists count as unset.
``normalize`` reproduces that for the fields a build reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.kusttypes import json_kind
from ..errors import FluxError
from . import yamlv2

GROUP = "kustomize.toolkit.fluxcd.io"
KIND = "Kustomization"
SOURCE_GROUP = "source.toolkit.fluxcd.io"

_STR, _BOOL, _INT, _ANY = "string", "bool", "int64", "any"
_STRMAP = {"": _STR}            # map[string]string
_SELECTOR = {"group": _STR, "version": _STR, "kind": _STR, "namespace": _STR, "name": _STR,
             "annotationSelector": _STR, "labelSelector": _STR}
SPEC_SCHEMA: dict = {
    "commonMetadata": {"annotations": _STRMAP, "labels": _STRMAP},
    "dependsOn": [{"name": _STR, "namespace": _STR, "readyExpr": _STR}],
    "decryption": _ANY, "interval": _STR, "retryInterval": _STR, "kubeConfig": _ANY,
    "path": _STR,
    "postBuild": {"substituteStrategy": _STR, "substitute": _STRMAP,
                  "substituteFrom": [{"kind": _STR, "name": _STR, "optional": _BOOL}]},
    "prune": _BOOL, "deletionPolicy": _STR, "healthChecks": _ANY, "namePrefix": _STR,
    "nameSuffix": _STR, "patches": [{"patch": _STR, "target": _SELECTOR}],
    "images": [{"name": _STR, "newName": _STR, "newTag": _STR, "digest": _STR}],
    "serviceAccountName": _STR,
    "sourceRef": {"apiVersion": _STR, "kind": _STR, "name": _STR, "namespace": _STR},
    "suspend": _BOOL, "targetNamespace": _STR, "timeout": _STR, "force": _BOOL, "wait": _BOOL,
    "buildMetadata": [_STR], "components": [_STR], "ignoreMissingComponents": _BOOL,
    "healthCheckExprs": _ANY, "ignore": _ANY,
}
_META_SCHEMA = {"name": _STR, "namespace": _STR, "labels": _STRMAP, "annotations": _STRMAP,
                "uid": _STR, "generation": _INT, "resourceVersion": _STR}


def _decode(value, schema, where: str, file):
    if value is None or schema == _ANY:
        return value
    if isinstance(schema, dict) and "" in schema:              # map[string]T
        if not isinstance(value, dict):
            raise _type_error(value, "map[string]string", where, file)
        return {k: _decode(v, schema[""], where, file) for k, v in value.items()}
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise _type_error(value, "struct", where, file)
        lower = {k.lower(): k for k in schema}
        out: dict = {}
        for k, v in value.items():
            name = k if k in schema else lower.get(k.lower())
            if name is None:
                continue                                        # unknown fields are dropped
            d = _decode(v, schema[name], "%s.%s" % (where, name), file)
            if d is not None:
                out[name] = d
        return out
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise _type_error(value, "slice", where, file)
        return [_decode(v, schema[0], where, file) for v in value]
    want = {"string": "string", "bool": "bool", "int64": "number"}[schema]
    if json_kind(value) != want or (schema == _INT and value != int(value)):
        raise _type_error(value, schema, where, file)
    return value


def _type_error(value, gotype: str, where: str, file) -> FluxError:
    return FluxError("json: cannot unmarshal %s into Go struct field %s of type %s"
                     % (json_kind(value), where, gotype), file=file, field=where)


def _empty(v) -> bool:
    return v is None or v == "" or v == [] or v == {} or v is False


def _prune_empty(d: dict) -> dict:
    """omitempty: unset strings, lists, maps and false bools are absent."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and k not in ("substitute", "labels", "annotations"):
            v = _prune_empty(v)
        if isinstance(v, list):
            v = [_prune_empty(x) if isinstance(x, dict) else x for x in v]
        if not _empty(v) or k in ("postBuild", "commonMetadata"):
            out[k] = v
    return out


@dataclass
class FluxKustomization:
    """A Flux Kustomization: ``name``, ``namespace``, the decoded ``spec``, and where it
    came from (``file``, and ``data`` as written)."""
    name: str
    namespace: str
    spec: dict
    data: dict = field(default_factory=dict)
    file: str | None = None

    @property
    def key(self) -> str:
        return "%s/%s" % (self.namespace, self.name)

    @property
    def post_build(self) -> dict | None:
        return self.spec.get("postBuild")

    @classmethod
    def from_object(cls, obj: dict, file: str | None = None) -> "FluxKustomization":
        meta = _decode(obj.get("metadata") or {}, _META_SCHEMA, "metadata", file)
        spec = _decode(obj.get("spec") or {}, SPEC_SCHEMA, "spec", file)
        return cls(meta.get("name", ""), meta.get("namespace", ""), _prune_empty(spec), obj,
                   file)

    def source_key(self) -> str:
        """``Kind/namespace/name`` of the sourceRef, as ``--local-sources`` names it."""
        ref = self.spec.get("sourceRef") or {}
        return "%s/%s/%s" % (ref.get("kind", ""), ref.get("namespace") or self.namespace,
                             ref.get("name", ""))


def is_flux_kustomization(obj) -> bool:
    return (isinstance(obj, dict) and str(obj.get("apiVersion", "")).startswith(GROUP + "/")
            and obj.get("kind") == KIND)


def read_kustomization(file: str, name: str, namespace: str) -> FluxKustomization:
    """The Kustomization ``name`` in ``file`` whose namespace is ``namespace`` or unset, as
    ``flux build kustomization --kustomization-file`` finds it."""
    try:
        with open(file, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as e:
        raise FluxError("failed to read kustomization file %s: %s" % (file, e.strerror),
                        file=file) from None
    for obj in yamlv2.load_documents(text, file):
        if not is_flux_kustomization(obj):
            continue
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if meta.get("name") == name and meta.get("namespace", "") in (namespace, "", None):
            return FluxKustomization.from_object(obj, file)
    raise FluxError("failed find kustomization with name '%s' and namespace '%s' in file '%s'"
                    % (name, namespace, file), file=file)
