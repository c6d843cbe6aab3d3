"""The Flux tree: every Kustomization a cluster directory leads to, each built from the object
as its parent's build produced it (parent patches, namespace and substitution included).

``build_tree(cluster_dir, repo_root)`` reads the GitRepository / OCIRepository and
Kustomization objects in ``cluster_dir``, maps each ``sourceRef`` to a local directory (the
repository itself by default, others through ``local_sources={"GitRepository/ns/name":
path}``), builds the Kustomizations it finds there, then every Kustomization their output
holds, and checks ``dependsOn`` (missing dependencies, cycles).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .. import progress
from ..engine.reader import objects_from_text
from ..errors import FluxError, KustomizeError
from .build import FluxBuild, build_kustomization
from .objects import SOURCE_GROUP, FluxKustomization, is_flux_kustomization
from .varsub import Values

SOURCE_KINDS = ("GitRepository", "OCIRepository", "Bucket")
SOPS_MASK = "SOPS-MASKED"   # plain YAML wherever it is substituted


@dataclass
class FluxTree:
    """``builds``: "namespace/name" -> FluxBuild, in build order; ``parents``: child key ->
    the key of the Kustomization whose build produced it (None for a root); ``errors``:
    failed builds ("namespace/name" -> message); ``problems``: dependsOn findings."""
    builds: dict = field(default_factory=dict)
    parents: dict = field(default_factory=dict)
    values: Values = field(default_factory=Values)      # ConfigMaps/Secrets the tree holds
    source_objects: dict = field(default_factory=dict)  # "Kind/ns/name" -> the object
    user_values: Values | None = None
    kustomizations: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def get(self, name: str, namespace: str | None = None) -> FluxBuild:
        """The build of the Kustomization ``name`` (in ``namespace``, if given)."""
        hits = [b for k, b in self.builds.items()
                if k.split("/", 1)[1] == name and namespace in (None, k.split("/", 1)[0])]
        if len(hits) == 1:
            return hits[0]
        key = "%s/%s" % (namespace or "*", name)
        for k, msg in self.errors.items():
            if k.split("/", 1)[1] == name and namespace in (None, k.split("/", 1)[0]):
                raise FluxError("Kustomization %s failed to build: %s" % (k, msg))
        if not hits:
            raise FluxError("no Kustomization %s in the tree (have: %s)"
                            % (key, ", ".join(self.builds) or "none"))
        raise FluxError("Kustomization %s is ambiguous: %s" % (key, ", ".join(
            k for k in self.builds if k.endswith("/" + name))))

    def chain(self, key: str) -> list[str]:
        """The keys from the root down to ``key``."""
        out = [key]
        while self.parents.get(out[-1]):
            out.append(self.parents[out[-1]])
        return out[::-1]


def read_objects(directory: str) -> list[tuple[dict, str]]:
    """(object, file) for every YAML document below ``directory``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")):
                continue
            p = os.path.realpath(os.path.join(dirpath, name))
            with open(p, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
            try:
                objs = objects_from_text(text, p)
            except KustomizeError:
                continue          # not Kubernetes YAML (values files, kustomization.yaml)
            found += [(o, p) for o in objs if isinstance(o, dict)]
    return found


def _source_key(obj: dict, default_ns: str = "") -> str | None:
    if not str(obj.get("apiVersion", "")).startswith(SOURCE_GROUP + "/"):
        return None
    if obj.get("kind") not in SOURCE_KINDS:
        return None
    meta = obj.get("metadata") or {}
    return "%s/%s/%s" % (obj["kind"], meta.get("namespace") or default_ns, meta.get("name"))


def build_tree(cluster_dir: str, repo_root: str = ".", *, local_sources: dict | None = None,
               values: Values | None = None, strict: bool = False,
               namespace: str = "flux-system") -> FluxTree:
    """Build every Kustomization reachable from ``cluster_dir`` (see the module doc)."""
    with progress.task("Flux tree %s" % _shown(cluster_dir)) as t:
        tree = _build_tree(cluster_dir, repo_root, local_sources=local_sources, values=values,
                           strict=strict, namespace=namespace)
        t.summary = "%d Kustomizations built, %d failed" % (len(tree.builds),
                                                           len(tree.errors))
    return tree


def _shown(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    full, cwd = os.path.abspath(path), os.getcwd()
    return os.path.relpath(full, cwd) if full == cwd or full.startswith(cwd + os.sep) else path


def _build_tree(cluster_dir: str, repo_root: str, *, local_sources, values, strict,
                namespace) -> FluxTree:
    repo_root = os.path.realpath(repo_root)
    tree = FluxTree()
    local = dict(local_sources or {})
    found = read_objects(cluster_dir)
    tree.values = Values()
    for obj, file in found:
        _collect_value(tree, obj, file, namespace)
    tree.user_values = values
    for obj, _file in found:
        key = _source_key(obj, namespace)
        if key:
            tree.sources.setdefault(key, local.get(key, repo_root))
            tree.source_objects.setdefault(key, obj)
    scanned = []
    for obj, file in found:
        if is_flux_kustomization(obj):
            k = FluxKustomization.from_object(obj, file)
            k.namespace = k.namespace or namespace
            scanned.append(k)
    # first the Kustomizations that build the cluster directory itself (flux-system): every
    # Kustomization their builds produce is built from that output; then, as roots, the
    # committed ones no build produced
    cluster_real = os.path.realpath(cluster_dir)
    sync = [k for k in scanned if _builds_dir(k, tree, local, repo_root, cluster_real)]
    produced_from: set = set()
    _walk(tree, [(k, None) for k in sync], local, repo_root, values, strict, produced_from)
    rest = [k for k in scanned if k.key not in tree.kustomizations
            and k.file not in produced_from]
    _walk(tree, [(k, None) for k in rest], local, repo_root, values, strict, produced_from)
    tree.problems += check_depends_on(tree.kustomizations)
    return tree


def _collect_value(tree: FluxTree, obj: dict, file, namespace: str) -> None:
    """A ConfigMap or Secret of the tree serves substituteFrom; a SOPS-encrypted Secret
    serves its keys with the value ``SOPS-MASKED`` (no decryption offline)."""
    if obj.get("apiVersion") != "v1" or obj.get("kind") not in ("ConfigMap", "Secret"):
        return
    if "sops" in obj:
        keys = [*(obj.get("data") or {}), *(obj.get("stringData") or {})]
        obj = {"apiVersion": "v1", "kind": obj["kind"], "metadata": obj.get("metadata") or {},
               "stringData": {k: SOPS_MASK for k in keys}}
    meta = dict(obj.get("metadata") or {})
    meta.setdefault("namespace", namespace)
    try:
        tree.values.add({**obj, "metadata": meta}, file)
    except KustomizeError:
        pass


def _values_for(tree: FluxTree) -> Values:
    merged = Values(dict(tree.values.objects))
    if tree.user_values is not None:
        merged.objects.update(tree.user_values.objects)
        merged.lookup = tree.user_values.lookup
    return merged


def _builds_dir(ks: FluxKustomization, tree: FluxTree, local: dict, repo_root: str,
                cluster_real: str) -> bool:
    root = tree.sources.get(ks.source_key()) or local.get(ks.source_key())
    if root is None:
        return False
    path = os.path.realpath(os.path.join(root, ks.spec.get("path") or "."))
    return cluster_real == path or cluster_real.startswith(path.rstrip(os.sep) + os.sep)


def _walk(tree: FluxTree, queue: list, local: dict, repo_root: str, values, strict,
          produced_from: set) -> None:
    """Breadth first: build each Kustomization, queue the ones its output holds."""
    while queue:
        ks, parent = queue.pop(0)
        if ks.key in tree.kustomizations:
            continue
        tree.kustomizations[ks.key] = ks
        tree.parents[ks.key] = parent
        try:
            build = _build_one(ks, tree, local, repo_root, _values_for(tree), strict)
        except KustomizeError as e:
            tree.errors[ks.key] = str(e)
            progress.step(ks.key + " (failed)")
            continue
        progress.step(ks.key)
        tree.builds[ks.key] = build
        for r in build.resources:
            _collect_value(tree, r.data, r.origin.file, ks.namespace)
            key = _source_key(r.data, ks.namespace)
            if key:
                tree.sources.setdefault(key, local.get(key, repo_root))
                tree.source_objects[key] = r.data
        for r in build.resources:
            if not is_flux_kustomization(r.data):
                continue
            if r.origin.file:
                produced_from.add(os.path.realpath(r.origin.file))
            child = FluxKustomization.from_object(r.data, r.origin.file or None)
            if not child.namespace:
                tree.errors["/" + child.name] = (
                    "Kustomization %s (from %s) has no namespace: kustomize-controller's "
                    "apply fails with 'namespace not specified'" % (child.name, ks.key))
            elif child.key != ks.key:
                queue.append((child, ks.key))


def _build_one(ks: FluxKustomization, tree: FluxTree, local: dict, repo_root: str,
               values, strict) -> FluxBuild:
    key = ks.source_key()
    root = local.get(key) or tree.sources.get(key)
    if root is not None and key not in local and not key.startswith("GitRepository/"):
        url = ((tree.source_objects.get(key) or {}).get("spec") or {}).get("url", "")
        raise FluxError("source %s (%s) is not in this repository: give its content with "
                        "--local-sources %s=PATH" % (key, url or "remote", key), file=ks.file)
    if root is None:
        # a source the tree does not define (bootstrap's placeholder gotk-sync.yaml): the
        # repository itself, as for every source not given in local_sources
        root = repo_root
        note = ("source %s of Kustomization %s is not defined in the tree; built from the "
                "repository" % (key, ks.key))
        if note not in tree.problems:
            tree.problems.append(note)
    root = os.path.realpath(root)
    path = os.path.join(root, ks.spec.get("path") or ".")
    kind, ignore = artifact_of(tree, key)
    return build_kustomization(ks, path, root, values=values, strict=strict,
                               use_ignore=not kind, artifact=kind, artifact_ignore=ignore)


def artifact_of(tree: FluxTree, key: str) -> tuple[bool, str | None]:
    """(read as a GitRepository artifact?, its spec.ignore) for a source key."""
    if not key.startswith("GitRepository/"):
        return False, None
    obj = tree.source_objects.get(key) or {}
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    ignore = spec.get("ignore")
    return True, ignore if isinstance(ignore, str) else None


def check_depends_on(kustomizations: dict) -> list[str]:
    """Missing dependencies and dependency cycles, as messages."""
    problems = []
    deps: dict = {}
    for key, ks in kustomizations.items():
        out = []
        for d in ks.spec.get("dependsOn") or []:
            dk = "%s/%s" % (d.get("namespace") or ks.namespace, d.get("name"))
            if dk not in kustomizations:
                problems.append("Kustomization %s depends on %s, which is not in the tree"
                                % (key, dk))
            else:
                out.append(dk)
        deps[key] = out
    state: dict = {}
    for start in deps:
        stack = [(start, iter(deps[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                msg = "dependency cycle: %s" % " -> ".join(cycle)
                if msg not in problems:
                    problems.append(msg)
            elif state.get(nxt) is None:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
                path.append(nxt)
    return problems


def build_recursive(ks: FluxKustomization, path: str, root: str, local_sources: dict, *,
                    values: Values | None = None, strict: bool = False,
                    dry_run: bool = False, ignore: str = "",
                    mask_sops: bool = False, remote=None) -> list[dict]:
    """``flux build kustomization --recursive``: ``ks``'s objects, then those of every
    child Kustomization in them (from ``local_sources``), depth first."""
    build = build_kustomization(ks, path, root, values=values, strict=strict,
                                dry_run=dry_run, ignore=ignore, mask_sops=mask_sops,
                                remote=remote)
    objects = [r.data for r in build.resources]
    children = []
    for obj in objects:
        if not is_flux_kustomization(obj):
            continue
        child = FluxKustomization.from_object(obj)
        if child.name == ks.name and child.namespace == ks.namespace:
            continue
        key = child.source_key()
        if key not in local_sources:
            raise FluxError("cannot get local path for %s of kustomization %s"
                            % (key, child.name))
        local = local_sources[key]
        children += build_recursive(child, os.path.join(local, child.spec.get("path", "")),
                                    local, local_sources, values=values, strict=strict,
                                    dry_run=dry_run, ignore=ignore, mask_sops=mask_sops,
                                    remote=remote)
    return objects + children
