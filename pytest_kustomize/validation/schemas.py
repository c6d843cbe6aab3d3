"""Offline Kubernetes JSON schemas: the sets the PyPI package ``kubernetes-validate`` ships
(``v1.25.0-local`` … with ``-strict`` twins), named as kubeconform's schema-location templates
expect (``deployment-apps-v1.json``), and a cached copy kubeconform can read.

The packaged schemas carry ``$id: https://kubernetes.io/api/<kind>/...`` and refer to
``/api/_definitions.json#/$defs/...``, which a file-based reader resolves to
``https://kubernetes.io/api/_definitions.json`` — a network address. The in-process validator
registers the definitions under that address; for kubeconform, :func:`kubeconform_location`
writes self-contained copies: no ``$id``, the definitions each kind reaches in its own
``$defs``, local references.
"""
from __future__ import annotations

import functools
import json
import os
import re
import tempfile

from ..errors import KustomizeError

STRICT_SUFFIX = "-strict"
DEFINITIONS = "_definitions.json"
DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
DEFAULT_KUBERNETES_VERSION = "1.33.0"


class SchemaError(KustomizeError):
    """Schemas are missing, unreadable, or a schema location cannot be used offline."""


@functools.lru_cache(maxsize=1)
def package_root() -> str:
    """The ``kubernetes-json-schema`` directory inside the installed kubernetes-validate."""
    try:
        import kubernetes_validate
    except ImportError:
        raise SchemaError("the offline Kubernetes schemas come from the package "
                          "kubernetes-validate: pip install kubernetes-validate") from None
    root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    if not os.path.isdir(root):
        raise SchemaError("kubernetes-validate has no kubernetes-json-schema directory",
                          file=root)
    return root


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    from importlib.metadata import version
    return version("kubernetes-validate")


def _vkey(v: str) -> tuple:
    return tuple(int(x) for x in v.split("."))


@functools.lru_cache(maxsize=1)
def available_versions() -> tuple:
    """Kubernetes versions with a schema set, e.g. ('1.25.0', …, '1.37.0')."""
    out = set()
    for name in os.listdir(package_root()):
        m = re.match(r"^v(\d+\.\d+\.\d+)-local$", name)
        if m:
            out.add(m.group(1))
    return tuple(sorted(out, key=_vkey))


def resolve_version(version: str | None) -> str:
    """The schema set for a requested Kubernetes version: the newest shipped set whose
    major.minor is not newer ("1.33", "v1.33.4" → "1.33.0")."""
    v = (version or DEFAULT_KUBERNETES_VERSION).strip().lstrip("v")
    m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?$", v)
    versions = available_versions()
    if not m:
        raise SchemaError("invalid Kubernetes version %r (want X.Y or X.Y.Z)" % version,
                          field="kubernetes_version")
    want = (int(m.group(1)), int(m.group(2)))
    fits = [s for s in versions if _vkey(s)[:2] <= want]
    if not fits or want > _vkey(versions[-1])[:2]:
        raise SchemaError("no offline schemas for Kubernetes %s (kubernetes-validate %s has "
                          "%s to %s)" % (v, package_version(), versions[0], versions[-1]),
                          field="kubernetes_version")
    return fits[-1]


def kind_suffix(api_version: str) -> str:
    """kubeconform's ``{{ .KindSuffix }}``: ``-apps-v1``, ``-v1``, ``-monitoring-v1``."""
    parts = api_version.split("/")
    out = "-" + parts[0].split(".")[0].lower()
    if len(parts) > 1:
        out += "-" + parts[1].lower()
    return out


def render_location(template: str, kind: str, api_version: str, version: str,
                    strict: bool) -> str:
    """A kubeconform schema-location template filled in as kubeconform fills it."""
    if not template.endswith("json"):
        template = template.rstrip("/") + ("/{{ .NormalizedKubernetesVersion }}-standalone"
                                           "{{ .StrictSuffix }}/{{ .ResourceKind }}"
                                           "{{ .KindSuffix }}.json")
    parts = api_version.split("/")
    values = {
        "NormalizedKubernetesVersion": version if version == "master" else "v" + version,
        "StrictSuffix": STRICT_SUFFIX if strict else "",
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": parts[-1],
        "Group": parts[0],
        "KindSuffix": kind_suffix(api_version),
    }

    def sub(m):
        if m.group(1) not in values:
            raise SchemaError("unknown variable %s in schema location %r" % (m.group(1),
                                                                             template))
        return values[m.group(1)]
    return re.sub(r"\{\{\s*\.(\w+)\s*\}\}", sub, template)


def check_offline(location: str) -> None:
    if re.match(r"^[a-z][a-z0-9+.-]*://", location) and not location.startswith("file://"):
        raise SchemaError("schema location %r is not a local path: validation runs offline"
                          % location, field="schema_locations")
    path = location[len("file://"):] if location.startswith("file://") else location
    base = path.split("{{", 1)[0]              # a template: the directory before the first field
    if "{{" in path:
        base = os.path.dirname(base) or "."
    if not os.path.exists(base):
        raise SchemaError("schema location %r: %s does not exist" % (location, base),
                          field="schema_locations")


PACKAGE_TEMPLATE = "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/" \
                   "{{ .ResourceKind }}{{ .KindSuffix }}.json"


def package_schema_path(kind: str, api_version: str, version: str, strict: bool) -> str:
    return os.path.join(package_root(), render_location(PACKAGE_TEMPLATE, kind, api_version,
                                                        version, strict))


# --- the copy kubeconform reads -------------------------------------------------------
def cache_root() -> str:
    root = os.environ.get("PYTEST_KUSTOMIZE_SCHEMA_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "pytest-kustomize", "schemas")
    return os.path.join(root, "kubernetes-validate-%s-bundled" % package_version())


@functools.lru_cache(maxsize=4)
def _definitions(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("$defs") or {}


_REF = re.compile(r'"\$ref":\s*"(?:/api/_definitions\.json)?#/\$defs/([^"]+)"')


def _bundle(src: str, defs_path: str) -> str:
    """The schema with the definitions it reaches copied into its own ``$defs`` and every
    reference made local: one small self-contained file (kubeconform compiles each kind
    separately; reading the 1.4 MB definitions file for each was most of its time)."""
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    doc.pop("$id", None)
    defs = _definitions(defs_path)
    needed, todo = set(), _REF.findall(json.dumps(doc))
    while todo:
        name = todo.pop()
        if name in needed or name not in defs:
            continue
        needed.add(name)
        todo.extend(_REF.findall(json.dumps(defs[name])))
    if needed:
        doc["$defs"] = {n: defs[n] for n in sorted(needed)}
    text = json.dumps(doc, separators=(",", ":"))
    return text.replace('"/api/_definitions.json#/$defs/', '"#/$defs/')


def _write(dst: str, text: str) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, dst)


def kubeconform_location(version: str, strict: bool, kinds) -> str:
    """The schema-location template for kubeconform, after making sure the cached copy
    holds the schemas of ``kinds`` ((kind, apiVersion) pairs) and the definitions."""
    root = cache_root()
    sub = "v%s-local%s" % (version, STRICT_SUFFIX if strict else "")
    src_dir = os.path.join(package_root(), sub)
    names = {"%s%s.json" % (k.lower(), kind_suffix(av)) for k, av in kinds}
    for name in sorted(names):
        dst = os.path.join(root, sub, name)
        src = os.path.join(src_dir, name)
        if not os.path.exists(dst) and os.path.exists(src):
            _write(dst, _bundle(src, os.path.join(src_dir, DEFINITIONS)))
    return os.path.join(root, PACKAGE_TEMPLATE)
