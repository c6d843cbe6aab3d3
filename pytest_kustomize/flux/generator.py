"""The kustomization Flux builds, as fluxcd/pkg ``kustomize.Generator`` writes it.

A directory without a kustomization file gets one listing every ``.yaml``/``.yml`` file below
it (a sub-directory holding a kustomization is listed as a directory and not descended); an
existing file is read as kustomize's ``types.Kustomization`` (unknown fields dropped, field
names matched case-insensitively). Then the Flux Kustomization's ``targetNamespace``,
``namePrefix``/``nameSuffix``, ``patches``, ``components``, ``images`` and ``buildMetadata``
are applied, and entries matched by ``.sourceignore`` files or ignore paths are dropped, as
``flux build kustomization`` does.
"""
from __future__ import annotations

import json
import os

from ..engine.reader import objects_from_text
from ..errors import FluxError, KustomizeError
from . import sourceignore, yamlv2

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

#: json tags of sigs.k8s.io/kustomize/api v0.21.1 ``types.Kustomization`` (with TypeMeta).
KUSTOMIZATION_FIELDS = (
    "apiVersion kind metadata openapi namePrefix nameSuffix namespace commonLabels labels "
    "commonAnnotations patchesStrategicMerge patchesJson6902 patches images imageTags "
    "replacements replicas vars sortOptions resources components crds bases "
    "configMapGenerator secretGenerator helmGlobals helmCharts helmChartInflationGenerator "
    "generatorOptions configurations generators transformers validators buildMetadata").split()
_FIELD_BY_LOWER = {f.lower(): f for f in KUSTOMIZATION_FIELDS}

_REMOTE_PREFIXES = ("git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:",
                    "github.com/")


def is_local_relative_path(path: str) -> bool:
    """fluxcd/pkg ``IsLocalRelativePath``."""
    low = path.lower()
    for p in _REMOTE_PREFIXES:
        if len(p) < len(path) and low.startswith(p):
            return False
    if os.path.isabs(path):
        return False
    if low.startswith("file://") and os.path.isabs(low[len("file://"):]):
        return False
    return True


def find_kustomization_file(directory: str, excluded=None) -> str | None:
    for name in KUSTOMIZATION_FILES:
        p = os.path.join(directory, name)
        if os.path.exists(p) and not os.path.isdir(p):
            if excluded is not None and (os.path.islink(p) or excluded(p, False)):
                continue
            return p
    return None


def _read_existing(path: str) -> dict:
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    docs = yamlv2.load_documents(text, path)
    if len(docs) > 1:
        raise FluxError("error converting YAML to JSON: yaml: a kustomization file holds "
                        "%d documents" % len(docs), file=path)
    data = docs[0] if docs else {}
    if not isinstance(data, dict):
        raise FluxError("error unmarshaling JSON: a kustomization must be a mapping", file=path)
    out: dict = {}
    for key, value in data.items():
        field = key if key in KUSTOMIZATION_FIELDS else _FIELD_BY_LOWER.get(key.lower())
        if field is not None and value is not None:
            out[field] = value
    return out


def _is_url(s: str) -> bool:
    scheme, sep, _ = s.partition(":")
    return bool(sep) and bool(scheme) and scheme[0].isalpha() and all(
        c.isalnum() or c in "+-." for c in scheme) and s.startswith(scheme + ":/")


def scan_manifests(base: str, patterns: list, domain: list, excluded=None) -> list:
    """Paths of the manifests below ``base`` (filepath.Walk order); ``excluded`` hides what
    a source-controller artifact would not hold (and every symlink)."""
    paths: list = []

    def walk(d: str) -> None:
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if excluded is not None and os.path.islink(p):
                continue
            if os.path.isdir(p) and not os.path.islink(p):
                if find_kustomization_file(p, excluded):
                    paths.append(p)
                    continue
                walk(p)
                continue
            if os.path.splitext(name)[1] not in (".yaml", ".yml"):
                continue
            if excluded is not None and excluded(p, False):
                continue
            if patterns and sourceignore.default_matcher(patterns, domain).match(
                    sourceignore.split(os.path.abspath(p)), os.path.isdir(p)
                    and not os.path.islink(p)):
                continue
            try:
                with open(p, encoding="utf-8", errors="surrogateescape") as f:
                    objects_from_text(f.read(), p)
            except KustomizeError as e:
                raise FluxError("failed to decode Kubernetes YAML from %s: %s"
                                % (p, e.message), file=p) from None
            except OSError as e:
                raise FluxError("cannot read %s: %s" % (p, e.strerror), file=p) from None
            paths.append(p)

    walk(base)
    return paths


def generate(directory: str, spec: dict, ignore: str = "", *, use_ignore: bool = True,
             excluded=None) -> tuple[str, dict, bool]:
    """(kustomization file path, its content, created) for ``directory``.

    ``spec`` is the Flux Kustomization's normalised ``spec``; ``ignore`` extra gitignore
    patterns (one a line) as ``--ignore-paths``; ``use_ignore`` honours ``.sourceignore``
    files as the flux CLI does."""
    abs_dir = os.path.abspath(directory)
    domain = sourceignore.split(abs_dir)
    patterns: list = []
    if use_ignore or ignore:
        patterns = sourceignore.load_ignore_patterns(abs_dir, domain)
        if ignore:
            patterns += sourceignore.read_patterns(ignore, domain)

    existing = find_kustomization_file(directory, excluded)
    if existing:
        kfile, created = existing, False
        kus = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
        kus.update(_read_existing(existing))
        if not kus.get("resources"):
            kus["buildMetadata"] = ["originAnnotations"]
    else:
        kfile, created = os.path.join(directory, KUSTOMIZATION_FILES[0]), True
        files = scan_manifests(abs_dir, patterns, domain, excluded)
        kus = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
        if files:
            kus["resources"] = [f.replace(abs_dir, ".", 1) for f in files]
        else:
            kus["namespace"] = "_placeholder"

    if use_ignore:
        matcher = sourceignore.default_matcher(patterns, domain)
        for field in ("resources", "components", "crds"):
            if kus.get(field):
                kus[field] = _filter(kus[field], abs_dir, matcher, field, kfile)

    for src, dst in (("targetNamespace", "namespace"), ("namePrefix", "namePrefix"),
                     ("nameSuffix", "nameSuffix")):
        if spec.get(src):
            kus[dst] = spec[src]
    for p in spec.get("patches") or []:
        entry = {}
        if p.get("patch"):
            entry["patch"] = p["patch"]
        if p.get("target") is not None:
            entry["target"] = {k: v for k, v in p["target"].items() if v}
        kus.setdefault("patches", []).append(entry)
    ignore_missing = bool(spec.get("ignoreMissingComponents"))
    for comp in spec.get("components") or []:
        if not is_local_relative_path(comp):
            raise FluxError("component path '%s' must be local and relative" % comp,
                            field="spec.components")
        if not os.path.exists(os.path.join(directory, comp)) and ignore_missing:
            continue
        kus.setdefault("components", []).append(comp)
    for image in spec.get("images") or []:
        _merge_image(kus.setdefault("images", []), image)
    if spec.get("buildMetadata"):
        kus["buildMetadata"] = list(spec["buildMetadata"])
    return kfile, kus, created


def _filter(entries: list, abs_dir: str, matcher, field: str, kfile: str) -> list:
    out = []
    for res in entries:
        res = str(res)
        if field == "crds" or not _is_url(res):
            f = os.path.normpath(os.path.join(abs_dir, res))
            if not os.path.lexists(f):
                raise FluxError("lstat %s: no such file or directory" % f, file=kfile,
                                field=field)
            is_dir = os.path.isdir(f) and not os.path.islink(f)
            if matcher.match(sourceignore.split(f), is_dir):
                continue
        out.append(res)
    return out


def _merge_image(images: list, image: dict) -> None:
    for existing in images:
        if isinstance(existing, dict) and existing.get("name") == image.get("name"):
            if image.get("newName"):
                existing["newName"] = image["newName"]
            if image.get("newTag") or image.get("digest"):
                for k in ("newTag", "digest"):
                    if image.get(k):
                        existing[k] = image[k]
                    else:
                        existing.pop(k, None)
            return
    images.append({k: image[k] for k in ("name", "newName", "newTag", "digest")
                   if image.get(k)})


def to_text(kus: dict) -> bytes:
    """The kustomization as the engine reads it (JSON is YAML)."""
    return json.dumps(kus, ensure_ascii=False).encode("utf-8")
