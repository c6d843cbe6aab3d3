"""CustomResourceDefinitions → JSON schemas for their custom resources.

kubeconform cannot read CRDs, so each served version's ``openAPIV3Schema`` becomes a
draft-04 JSON schema: ``nullable`` widens the type with ``null``,
``x-kubernetes-int-or-string`` accepts a string or an integer, the root gets ``apiVersion``,
``kind`` and ``metadata``, and in strict mode every object that lists its properties (and does
not say ``x-kubernetes-preserve-unknown-fields``) rejects other fields.
"""
from __future__ import annotations

import copy
import json
import os
import re
import tempfile

import yaml

from .. import progress
from ..provenance import display_path
from .schemas import SchemaError

DRAFT4 = "http://json-schema.org/draft-04/schema#"
CRD_GROUP = "apiextensions.k8s.io"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LOCATION = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"


def _convert(node, strict: bool):
    if isinstance(node, list):
        return [_convert(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("properties", "patternProperties", "definitions"):
            out[k] = {name: _convert(s, strict) for name, s in v.items()} \
                if isinstance(v, dict) else v
        elif k in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[k] = _convert(v, strict)
        else:
            out[k] = v
    if out.pop("x-kubernetes-int-or-string", False) and not any(
            k in out for k in ("anyOf", "oneOf")):
        out.pop("type", None)
        out["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if out.pop("nullable", False) is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif "oneOf" in out:
            out["oneOf"] = list(out["oneOf"]) + [{"type": "null"}]
    if strict and "properties" in out and "additionalProperties" not in out and \
            not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def crd_schemas(crd: dict, strict: bool, where: str = "", *, lenient: bool = False) -> dict:
    """{(group, version, kind): JSON schema} for every version of one CRD. ``lenient``
    (CRDs of the render): a CRD without group or kind gives no schema instead of an error
    (its own validation reports what it lacks)."""
    if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
        return {}
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, kind = spec.get("group"), names.get("kind")
    name = (crd.get("metadata") or {}).get("name", "?")
    if not group or not kind:
        if lenient:
            return {}
        raise SchemaError("CustomResourceDefinition %s has no spec.group or spec.names.kind"
                          % name, file=where or None, field="spec")
    out = {}
    versions = spec.get("versions") or []
    if not versions and spec.get("version"):        # apiextensions.k8s.io/v1beta1
        versions = [{"name": spec["version"]}]
    top = ((spec.get("validation") or {}).get("openAPIV3Schema"))
    for v in versions:
        if not isinstance(v, dict) or not v.get("name"):
            continue
        raw = ((v.get("schema") or {}).get("openAPIV3Schema")) or top
        if raw is None:
            raw = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if not isinstance(raw, dict):
            raise SchemaError("openAPIV3Schema of %s version %s is not a mapping"
                              % (name, v["name"]), file=where or None,
                              field="spec.versions.schema.openAPIV3Schema")
        schema = _convert(copy.deepcopy(raw), strict)
        props = schema.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
        if strict and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema.setdefault("additionalProperties", False)
        schema["$schema"] = DRAFT4
        out[(group, v["name"], kind)] = schema
    return out


YAML_SUFFIXES = (".yaml", ".yml", ".json")
_CRD_LINE = re.compile(r"^kind:\s*[\"']?CustomResourceDefinition\b", re.M)
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv"}
_loaded: dict = {}        # (path, mtime_ns, size) -> CRD documents of the file
_converted: dict = {}     # (path, mtime_ns, size, strict) -> schemas of its CRDs


def _yaml_files(directory: str) -> list:
    files = []
    for dirpath, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(YAML_SUFFIXES)]
    return sorted(files)


def _key(f: str) -> tuple:
    st = os.stat(f)
    return (os.path.abspath(f), st.st_mtime_ns, st.st_size)


def _load_file(f: str) -> list:
    try:
        key = _key(f)
        if key not in _loaded:
            with open(f, encoding="utf-8") as fh:
                text = fh.read()
            _loaded[key] = [d for d in yaml.load_all(text, Loader=_LOADER) if isinstance(d, dict)
                            and d.get("kind") == "CustomResourceDefinition"] \
                if _CRD_LINE.search(text) or f.endswith(".json") else []
        return _loaded[key]
    except yaml.YAMLError as e:
        raise SchemaError("not valid YAML: %s" % e, file=f) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SchemaError("cannot read: %s" % getattr(e, "strerror", e), file=f) from None


def _files(paths) -> list:
    files = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            files += _yaml_files(p)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise SchemaError("CRD file or directory does not exist", file=p)
    return files


def load_crd_files(paths) -> list:
    """CRD documents from files and directories (``*.yaml``, ``*.yml``, ``*.json``; every
    document of a multi-document file), as (document, file). Files are read once per
    modification."""
    return [(d, f) for f in _files(paths) for d in _load_file(f)]


def find_crd_files(root: str) -> list:
    """Every YAML file under ``root`` (hidden directories, ``node_modules`` and virtualenvs
    left out) that holds at least one CustomResourceDefinition — a CRD directory, or a
    multi-document file such as Flux's ``flux-system/gotk-components.yaml``."""
    out = []
    files = _yaml_files(os.fspath(root))
    with progress.task("CRDs in %s" % display_path(os.fspath(root)), len(files)) as t:
        for f in files:
            try:
                if _load_file(f):
                    out.append(f)
            except SchemaError:
                pass            # not YAML, or unreadable: not a CRD file
            t.step(display_path(f))
        t.summary = "%d of %d YAML files hold CustomResourceDefinitions" % (len(out),
                                                                         len(files))
    return out


def collect(resources_data, crd_files=(), strict: bool = False) -> dict:
    """Schemas of every CRD in the render (list of (dict, source)) and in ``crd_files``."""
    out = {}
    for d, src in resources_data:
        out.update(crd_schemas(d, strict, src, lenient=True))
    for f in _files(crd_files):
        key = _key(f) + (strict,)
        if key not in _converted:
            schemas: dict = {}
            for d in _load_file(f):
                schemas.update(crd_schemas(d, strict, f))
            _converted[key] = schemas
        out.update(_converted[key])
    return out


def write_location(schemas: dict, directory: str | None = None) -> tuple:
    """Write the schemas where kubeconform's template ``LOCATION`` finds them; returns
    (directory, schema-location template)."""
    directory = directory or tempfile.mkdtemp(prefix="pytest-kustomize-crd-schemas-")
    for (group, version, kind), schema in schemas.items():
        p = os.path.join(directory, group, "%s_%s.json" % (kind.lower(), version))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(schema, f)
    return directory, os.path.join(directory, LOCATION)
