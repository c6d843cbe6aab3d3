"""The Kustomization model: parse the file, reject unknown fields, fix deprecated ones."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import KustomizationError
from . import kusttypes
from .reader import fast_copy

KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
KUSTOMIZATION_KIND = "Kustomization"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"
COMPONENT_KIND = "Component"

# fields of the builtin plugin configs that share kustomization entry types (plugins.py
# checks them; the kustomization itself is decoded strictly by kusttypes)
_GENERATOR = {"name": "str", "namespace": "str", "behavior": "str", "literals": "strlist",
              "files": "strlist", "envs": "strlist", "env": "str", "options": "map"}
_OPTIONS = {"labels": "strmap", "annotations": "strmap"}
ENTRY_FIELDS = {
    "configMapGenerator": dict(_GENERATOR),
    "secretGenerator": dict(_GENERATOR, type="str"),
    "labels": {"pairs": "strmap", "fields": "list"},
    "images": {"name": "str", "newName": "str", "newTag": "str", "digest": "str",
               "tagSuffix": "str"},
    "imageTags": {"name": "str", "newName": "str", "newTag": "str", "digest": "str"},
    "replicas": {"name": "str"},
    "patches": {"path": "str", "patch": "str", "target": "map", "options": "map"},
    "patchesJson6902": {"path": "str", "patch": "str", "target": "map"},
    "replacements": {"path": "str", "source": "map", "targets": "list"},
    "vars": {"name": "str", "objref": "map", "fieldref": "map"},
    "helmCharts": {"name": "str", "version": "str", "repo": "str", "releaseName": "str",
                   "namespace": "str", "valuesFile": "str", "valuesInline": "map",
                   "additionalValuesFiles": "strlist", "apiVersions": "strlist",
                   "kubeVersion": "str", "nameTemplate": "str", "valuesMerge": "str"},
}
DEPRECATION_WARNINGS = {
    "bases": "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit "
             "fix' to update your Kustomization automatically.",
    "commonLabels": "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run "
                    "'kustomize edit fix' to update your Kustomization automatically.",
    "imageTags": "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run "
                 "'kustomize edit fix' to update your Kustomization automatically.",
    "patchesJson6902": "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. "
                       "Run 'kustomize edit fix' to update your Kustomization automatically.",
    "patchesStrategicMerge": "# Warning: 'patchesStrategicMerge' is deprecated. Please use "
                             "'patches' instead. Run 'kustomize edit fix' to update your "
                             "Kustomization automatically.",
    "vars": "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run "
            "'kustomize edit fix' to update your Kustomization automatically.",
}


@dataclass
class Kustomization:
    path: str                      # the kustomization file
    data: dict
    warnings: list = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.data.get(key)
        return default if v is None else v

    @property
    def kind(self) -> str:
        return self.data.get("kind") or KUSTOMIZATION_KIND

    @property
    def is_component(self) -> bool:
        return self.kind == COMPONENT_KIND


def type_ok(kind: str, v: Any) -> bool:
    if v is None:
        return True
    if kind == "str":
        return isinstance(v, (str, int, float, bool))
    if kind == "list":
        return isinstance(v, list)
    if kind == "map":
        return isinstance(v, dict)
    if kind == "strlist":
        return isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v)
    if kind == "strmap":
        return isinstance(v, dict) and all(
            isinstance(x, (str, int, float, bool)) or x is None for x in v.values())
    return True


def expected_type(kind: str) -> str:
    return {"str": "string", "list": "a list", "map": "a mapping", "strlist":
            "a list of strings", "strmap": "a map of strings"}[kind]


_PARSED: dict = {}


def parse(text: str, path: str) -> Kustomization:
    """Parse and check a kustomization file's content; apply kustomize's FixKustomization.
    A text already seen in this process is not parsed again."""
    key = (path, text)
    hit = _PARSED.get(key)
    if hit is None:
        hit = _parse(text, path)
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = hit
    return Kustomization(hit.path, fast_copy(hit.data), list(hit.warnings))


def _parse(text: str, path: str) -> Kustomization:
    # kustomize's order: strict typed decoding, deprecation warnings, FixKustomization,
    # CheckEmpty, EnforceFields (kind and apiVersion)
    data = kusttypes.decode(text, path)
    warnings = [msg for key, msg in DEPRECATION_WARNINGS.items() if data.get(key) is not None]
    empty = kusttypes.is_empty(data)
    # FixKustomization
    data["resources"] = list(data.get("resources") or []) + list(data.get("bases") or [])
    data.pop("bases", None)
    data["images"] = list(data.get("images") or []) + list(data.get("imageTags") or [])
    data.pop("imageTags", None)
    for gen_key in ("configMapGenerator", "secretGenerator"):
        for i, g in enumerate(data.get(gen_key) or []):
            if g.get("env"):
                g = dict(g)
                g["envs"] = list(g.get("envs") or []) + [g["env"]]
                g.pop("env")
                data[gen_key][i] = g
    if empty:
        raise KustomizationError("kustomization.yaml is empty", file=path)
    kind = data.get("kind") or ""
    if kind and kind not in (KUSTOMIZATION_KIND, COMPONENT_KIND):
        raise KustomizationError("Failed to read kustomization file under %s:\nkind should be "
                                 "Kustomization or Component" % _dir(path), file=path,
                                 field="kind")
    required = COMPONENT_VERSION if kind == COMPONENT_KIND else KUSTOMIZATION_VERSION
    av = data.get("apiVersion") or ""
    if av and av != required:
        raise KustomizationError("Failed to read kustomization file under %s:\napiVersion for %s "
                                 "should be %s" % (_dir(path), kind or KUSTOMIZATION_KIND,
                                                   required), file=path, field="apiVersion")
    return Kustomization(path, data, warnings)


def type_mismatch(obj: dict, spec: dict) -> tuple | None:
    """(field, what it must be, its value) for the first field of ``obj`` whose value does
    not have the type ``spec`` names; None when all fit."""
    for sub, kind in spec.items():
        if not type_ok(kind, obj.get(sub)):
            return sub, expected_type(kind), obj.get(sub)
    return None


def _dir(path: str) -> str:
    import os
    return os.path.dirname(path)
