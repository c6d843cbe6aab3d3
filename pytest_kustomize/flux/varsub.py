"""postBuild variable substitution as fluxcd/pkg ``kustomize.SubstituteVariables`` does it.

Variables come from ``spec.postBuild.substituteFrom`` (in list order, later entries win;
ConfigMap ``data``, decoded Secret ``data``; a missing object is an error unless
``optional``), then the in-line ``substitute`` map (wins); newlines are dropped from values.
Each resource is written as YAML (what ``kustomize build`` prints for it), substituted as
text, and read back with go-yaml v2 rules — so ``replicas: "${n}"`` with ``n=3`` becomes the
integer 3: ``quoting_lost`` reports exactly those places.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from ..engine import yamlio
from ..errors import FluxError, KustomizeError, SubstitutionError
from . import envsubst, yamlv2

DISABLED_KEY = "kustomize.toolkit.fluxcd.io/substitute"
_VAR_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
VAR_REGEX = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"


@dataclass
class Values:
    """ConfigMaps and Secrets that ``substituteFrom`` reads, by (kind, namespace, name);
    ``lookup(kind, namespace, name)`` (e.g. ``Values.from_cluster``) serves the ones not
    held, as live objects (a Secret's ``data`` base64-encoded, as the API returns it)."""
    objects: dict = field(default_factory=dict)
    lookup: object = None

    def add(self, obj: dict, source: str | None = None) -> None:
        kind = obj.get("kind")
        if kind not in ("ConfigMap", "Secret"):
            raise FluxError("only ConfigMaps and Secrets can serve substituteFrom, got %r"
                            % kind, file=source)
        meta = obj.get("metadata") or {}
        data = {}
        if kind == "ConfigMap":
            data = {str(k): _str(v) for k, v in (obj.get("data") or {}).items()}
        else:
            for k, v in (obj.get("data") or {}).items():
                try:
                    raw = base64.b64decode(str(v), validate=True)
                except (binascii.Error, ValueError):
                    raise FluxError("Secret %s: data.%s is not valid base64"
                                    % (meta.get("name"), k), file=source) from None
                data[str(k)] = raw.decode("utf-8", "replace")
            for k, v in (obj.get("stringData") or {}).items():  # the API server merges it
                data[str(k)] = _str(v)
        self.objects[(kind, meta.get("namespace") or "", meta.get("name"))] = data

    @classmethod
    def from_objects(cls, objs, source: str | None = None) -> "Values":
        v = cls()
        for o in objs:
            v.add(o, source)
        return v

    @classmethod
    def from_file(cls, path: str) -> "Values":
        with open(path, encoding="utf-8") as f:
            return cls.from_objects(yamlv2.load_documents(f.read(), path), path)

    @classmethod
    def from_cluster(cls, client, objects: dict | None = None) -> "Values":
        """substituteFrom read from a cluster, as the controller (and ``flux build`` without
        ``--dry-run``) reads it: ``client.get(api_version, kind, name, namespace)`` returns
        the live object or None — a ``pytest_kustomize.cluster.KubeClient``, e.g. the
        ``kube_cluster`` fixture's ``.client``. ``objects`` held here win."""
        return cls(dict(objects or {}), lookup=lambda kind, ns, name: client.get(
            "v1", kind, name, ns))

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        data = self.objects.get((kind, namespace, name))
        if data is None and self.lookup is not None:
            try:
                obj = self.lookup(kind, namespace, name)
            except KustomizeError as e:
                raise SubstitutionError("substitute from '%s/%s' error: %s"
                                        % (kind, name, e), field="spec.postBuild") from None
            if obj is not None:
                live = Values()
                live.add({**obj, "kind": kind, "metadata": {"namespace": namespace,
                                                            "name": name}},
                         "the cluster (%s %s/%s)" % (kind, namespace, name))
                data = live.objects[(kind, namespace, name)]
        return data


def _str(v) -> str:
    return v if isinstance(v, str) else yamlio.scalar_to_string(v)


def load_variables(post_build: dict, namespace: str, values: Values | None) -> dict:
    """The variables of ``substituteFrom`` (read from ``namespace``)."""
    out: dict = {}
    for ref in post_build.get("substituteFrom") or []:
        kind, name = ref.get("kind", ""), ref.get("name", "")
        if kind not in ("ConfigMap", "Secret"):
            continue
        data = values.get(kind, namespace, name) if values is not None else None
        if data is None:
            if ref.get("optional"):
                continue
            plural = "configmaps" if kind == "ConfigMap" else "secrets"
            raise SubstitutionError("substitute from '%s/%s' error: %s \"%s\" not found"
                                    % (kind, name, plural, name), field="spec.postBuild")
        for k, v in data.items():
            out[k] = v.replace("\n", "")
    return out


def variables(post_build: dict, namespace: str, values: Values | None,
              dry_run: bool = False) -> dict:
    """substituteFrom (unless ``dry_run``, as the flux CLI), then in-line ``substitute``."""
    out = {} if dry_run else load_variables(post_build, namespace, values)
    for k, v in (post_build.get("substitute") or {}).items():
        out[k] = v.replace("\n", "")
    return out


def is_disabled(data: dict) -> bool:
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    for m in (meta.get("labels"), meta.get("annotations")):
        if isinstance(m, dict) and m.get(DISABLED_KEY) == "disabled":
            return True
    return False


def substitute_text(text: str, vars: dict, strict: bool) -> str:
    for name in vars:
        if not _VAR_NAME.fullmatch(name):
            raise SubstitutionError("'%s' var name is invalid, must match '%s'"
                                    % (name, VAR_REGEX))
    if strict:
        def lookup(n):
            return (vars[n], True) if n in vars else ("", False)
    else:
        def lookup(n):
            return vars.get(n, ""), True
    try:
        return envsubst.evaluate(text, lookup)
    except (envsubst.EnvsubstError, ValueError) as e:
        raise SubstitutionError("variable substitution failed: %s" % e) from None


def substitute_resource(data: dict, vars: dict, strict: bool) -> dict:
    """One resource after substitution (read back as sigs.k8s.io/yaml's YAMLToJSON)."""
    text = yamlio.dump_document(data)
    out = substitute_text(text, vars, strict)
    try:
        return yamlv2.load_document(out)
    except Exception as e:        # the YAML the substitution produced is invalid
        msg = getattr(e, "message", str(e))
        raise SubstitutionError("YAMLToJSON: %s" % msg) from None


def quoting_lost(before, after, path: str = "") -> list[tuple]:
    """(field path, value before, value after) where a string holding ``${`` became another
    type through substitution, e.g. ``("data.count", "${n}", 3)``."""
    found: list[tuple] = []
    if isinstance(before, dict) and isinstance(after, dict):
        for k, v in before.items():
            if k in after:
                found += quoting_lost(v, after[k], "%s.%s" % (path, k) if path else str(k))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (a, b) in enumerate(zip(before, after)):
            found += quoting_lost(a, b, "%s[%d]" % (path, i))
    elif isinstance(before, str) and "${" in before and not isinstance(after, (str, dict, list)):
        found.append((path, before, after))
    return found


def quoted_in_source(path: str, value: str, source_text: str) -> bool:
    """Whether the source file wrote ``value`` in quotes (``key: "${n}"`` or ``'${n}'``) for
    the last key of ``path`` (any key for a list item)."""
    key = path.rsplit(".", 1)[-1]
    key = r"[^\s:]+" if key.endswith("]") else re.escape(key)
    quoted = "(\"%s\"|'%s')" % (re.escape(value), re.escape(value.replace("'", "''")))
    return re.search(r"(^|[\s{,-])%s\s*:\s*%s" % (key, quoted), source_text, re.M) is not None \
        or (key.startswith("[") and re.search(r"-\s*%s" % quoted, source_text) is not None)
