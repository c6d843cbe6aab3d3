"""The Kustomization model: parse the file, reject unknown fields, fix deprecated ones."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import KustomizationError, YamlError
from . import yamlio

KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
KUSTOMIZATION_KIND = "Kustomization"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"
COMPONENT_KIND = "Component"

# field -> expected JSON type ("str", "list", "map", "strlist", "strmap")
FIELDS = {
    "apiVersion": "str", "kind": "str", "metadata": "map", "openapi": "strmap",
    "namePrefix": "str", "nameSuffix": "str", "namespace": "str",
    "commonLabels": "strmap", "labels": "list", "commonAnnotations": "strmap",
    "patchesStrategicMerge": "strlist", "patchesJson6902": "list", "patches": "list",
    "images": "list", "imageTags": "list", "replacements": "list", "replicas": "list",
    "vars": "list", "sortOptions": "map", "resources": "strlist", "components": "strlist",
    "crds": "strlist", "bases": "strlist", "configMapGenerator": "list",
    "secretGenerator": "list", "helmGlobals": "map", "helmCharts": "list",
    "helmChartInflationGenerator": "list", "generatorOptions": "map",
    "configurations": "strlist", "generators": "strlist", "transformers": "strlist",
    "validators": "strlist", "buildMetadata": "strlist",
}

# fields of the entries of list fields (and of mapping fields), checked for type only as
# kustomize's typed decoding checks them ("invalid Kustomization: json: cannot unmarshal …")
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
MAP_FIELDS = {
    "generatorOptions": _OPTIONS,
    "sortOptions": {"order": "str", "legacySortOptions": "map"},
    "helmGlobals": {"chartHome": "str", "configHome": "str"},
}
SUB_ENTRY_FIELDS = {    # lists inside entries whose items are mappings
    ("replacements", "targets"): {"select": "map", "reject": "list", "fieldPaths": "strlist",
                                  "options": "map"},
    ("configMapGenerator", "options"): _OPTIONS,
    ("secretGenerator", "options"): _OPTIONS,
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
    from .reader import fast_copy
    key = (path, text)
    hit = _PARSED.get(key)
    if hit is None:
        hit = _parse(text, path)
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = hit
    return Kustomization(hit.path, fast_copy(hit.data), list(hit.warnings))


def _parse(text: str, path: str) -> Kustomization:
    try:
        data = yamlio.load_document(text, path, allow_duplicate_keys=True)
    except YamlError as e:
        raise KustomizationError("invalid Kustomization: %s" % e.message, file=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KustomizationError("invalid Kustomization: expected a mapping at the top level, "
                                 "got %s" % type(data).__name__, file=path)
    # Go's encoding/json matches field names case-insensitively
    canonical = {k.lower(): k for k in FIELDS}
    fixed = {}
    for key, v in data.items():
        fixed[canonical.get(str(key).lower(), key)] = v
    data = fixed
    for key, v in data.items():
        if key not in FIELDS:
            raise KustomizationError('invalid Kustomization: json: unknown field "%s"' % key,
                                     file=path, field=str(key))
        if not type_ok(FIELDS[key], v):
            raise KustomizationError("invalid Kustomization: field %s must be %s, got %r"
                                     % (key, expected_type(FIELDS[key]), v), file=path, field=key)
    _check_entries(data, path)
    data = dict(data)
    for key in ("namePrefix", "nameSuffix", "namespace", "kind", "apiVersion"):
        if data.get(key) is not None and not isinstance(data[key], str):
            data[key] = yamlio.scalar_to_string(data[key]) if hasattr(yamlio, "scalar_to_string") \
                else str(data[key])
    for key in ("commonLabels", "commonAnnotations"):
        if isinstance(data.get(key), dict):
            data[key] = {str(k): _str(v) for k, v in data[key].items()}
    warnings = [msg for key, msg in DEPRECATION_WARNINGS.items() if data.get(key) is not None]

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
    # CheckEmpty is reflect.DeepEqual with a zero Kustomization: `resources: []` (a non-nil
    # slice) or `metadata: {}` is not empty, "" and false are (measured with kubectl)
    meaningful = {k for k, v in data.items()
                  if k not in ("apiVersion", "kind") and v not in (None, "", False)}
    # FixKustomization
    data["resources"] = [str(x) for x in (data.get("resources") or [])] + \
        [str(x) for x in (data.get("bases") or [])]
    data.pop("bases", None)
    data["images"] = list(data.get("images") or []) + list(data.get("imageTags") or [])
    data.pop("imageTags", None)
    for gen_key in ("configMapGenerator", "secretGenerator"):
        for i, g in enumerate(data.get(gen_key) or []):
            if not isinstance(g, dict):
                raise KustomizationError("invalid Kustomization: %s entries must be mappings"
                                         % gen_key, file=path, field="%s[%d]" % (gen_key, i))
            if g.get("env"):
                g = dict(g)
                g["envs"] = list(g.get("envs") or []) + [g["env"]]
                g.pop("env")
                data[gen_key][i] = g
    if not meaningful:
        raise KustomizationError("kustomization.yaml is empty", file=path)
    return Kustomization(path, data, warnings)


def type_mismatch(obj: dict, spec: dict) -> tuple | None:
    """(field, what it must be, its value) for the first field of ``obj`` whose value does
    not have the type ``spec`` names; None when all fit."""
    for sub, kind in spec.items():
        if not type_ok(kind, obj.get(sub)):
            return sub, expected_type(kind), obj.get(sub)
    return None


def _check_fields(obj: dict, spec: dict, where: str, path: str) -> None:
    bad = type_mismatch(obj, spec)
    if bad is not None:
        raise KustomizationError("invalid Kustomization: field %s.%s must be %s, got %r"
                                 % ((where,) + bad), file=path, field="%s.%s" % (where, bad[0]))


def _check_entries(data: dict, path: str) -> None:
    """Type-check the fields of list entries and of mapping fields that kustomize decodes
    into typed structs, so that a wrong type is an error naming the field, not a crash or a
    silently wrong output."""
    for key, spec in MAP_FIELDS.items():
        if isinstance(data.get(key), dict):
            _check_fields(data[key], spec, key, path)
    for key, spec in ENTRY_FIELDS.items():
        for i, entry in enumerate(data.get(key) or []):
            if not isinstance(entry, dict):
                continue        # the transformers name non-mapping entries themselves
            where = "%s[%d]" % (key, i)
            _check_fields(entry, spec, where, path)
            for (owner, sub), sub_spec in SUB_ENTRY_FIELDS.items():
                if owner != key or entry.get(sub) is None:
                    continue
                items = entry[sub] if isinstance(entry[sub], list) else [entry[sub]]
                for j, item in enumerate(items):
                    w = "%s.%s[%d]" % (where, sub, j) if isinstance(entry[sub], list) \
                        else "%s.%s" % (where, sub)
                    if not isinstance(item, dict):
                        raise KustomizationError("invalid Kustomization: %s must be a mapping, "
                                                 "got %r" % (w, item), file=path, field=w)
                    _check_fields(item, sub_spec, w, path)


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _dir(path: str) -> str:
    import os
    return os.path.dirname(path)
