"""Build one Flux Kustomization as kustomize-controller and ``flux build kustomization`` do.

generate the kustomization (``generator``) → ``kustomize build`` through the engine with
Flux's load rules (``LoadRestrictionsNone``, no read outside the source root) → every
resource needs apiVersion, kind and name → postBuild substitution per resource (``varsub``)
→ owner labels ``kustomize.toolkit.fluxcd.io/name|namespace`` → ``commonMetadata``.
``FluxBuild.to_yaml()`` prints what ``flux build kustomization`` prints.
"""
from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field

from ..engine import yamlio
from ..engine.build import build_resources
from ..engine.target import BuildOptions
from ..errors import FluxError, KustomizeError
from ..resources import Resources
from . import generator, sops, sourceignore, varsub
from .fs import SourceFS
from .objects import FluxKustomization

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"


@dataclass
class FluxBuild:
    """The result: ``resources`` (queryable, with provenance), ``kustomization`` (the Flux
    object), ``path`` and ``root``, and ``warnings`` (e.g. quoting lost by substitution)."""
    kustomization: FluxKustomization
    resources: Resources
    path: str
    root: str
    warnings: list = field(default_factory=list)
    generated: dict = field(default_factory=dict)

    def to_yaml(self) -> str:
        return objects_to_yaml(r.data for r in self.resources)


def objects_to_yaml(objects) -> str:
    """``ssa/utils.ObjectsToYAML``: each object, then a ``---`` line."""
    return "".join(yamlio.dump_document(o) + "---\n" for o in objects)


def build_kustomization(ks: FluxKustomization, path: str, root: str | None = None, *,
                        values: varsub.Values | None = None, strict: bool = False,
                        dry_run: bool = False, ignore: str = "",
                        use_ignore: bool = True, artifact_ignore: str | None = None,
                        artifact: bool = False, mask_sops: bool = False,
                        remote=None) -> FluxBuild:
    """Build ``ks`` from the directory ``path`` inside the source ``root`` (default: ``path``).

    ``values`` serves ``substituteFrom``; ``strict`` fails on unset variables (the
    controller's default since v1.9, the CLI's ``--strict-substitute``); ``dry_run`` skips
    ``substituteFrom`` as ``flux build --dry-run`` does; ``ignore`` holds extra ignore
    patterns (``--ignore-paths``). ``artifact`` reads the root as source-controller archives a
    GitRepository (``.sourceignore``, ``artifact_ignore`` = its ``spec.ignore``, no
    symlinks), as the controller sees it. ``mask_sops`` masks SOPS-encrypted Secrets as the
    flux CLI prints them (``sops.mask_secret``; the controller decrypts instead). ``remote``
    is the engine's hook for remote bases (``sources.remote.serve()``, as the flux CLI and
    the controller fetch them); None refuses them (``--no-remote-bases``)."""
    root = os.path.realpath(root or path)
    real = os.path.realpath(path)
    if not os.path.isdir(real):
        raise FluxError("kustomization path not found: %s" % path, file=ks.file,
                        field="spec.path")
    if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
        raise FluxError("path %s is not in or below the source root %s" % (path, root),
                        file=ks.file, field="spec.path")
    excluded = sourceignore.artifact_filter(root, artifact_ignore) if artifact else None
    kfile, kus, _created = generator.generate(real, ks.spec, ignore, use_ignore=use_ignore,
                                              excluded=excluded)
    # fluxcd/pkg passes krusty.Options{} without Reorder: "" is neither "legacy" nor
    # "unspecified", so kustomize keeps the input order (measured with the oracle)
    overlay = {os.path.join(real, os.path.basename(kfile)): generator.to_text(kus)}
    opts = BuildOptions(load_restrictor="none", reorder="none",
                        fs=SourceFS(root, overlay, excluded), remote=remote)
    try:
        res = build_resources(real, opts)
    except FluxError:
        raise
    except KustomizeError as e:
        raise FluxError("kustomize build failed: %s" % e, file=e.file or kfile,
                        field=e.field, resource=e.resource) from None
    items = list(res.items)
    for r in items:
        d = r.data
        meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
        if not meta.get("name") or not d.get("kind") or not d.get("apiVersion"):
            raise FluxError("failed to decode Kubernetes apiVersion, kind and name from: %s"
                            % yamlio.dump_document(d).strip(), file=kfile)
    warnings: list = []
    post = ks.post_build
    if post is not None:
        vars = varsub.variables(post, ks.namespace, values, dry_run=dry_run)
        always = post.get("substituteStrategy") == "Always"
        if vars or always:
            for r in items:
                if varsub.is_disabled(r.data):
                    continue
                before = r.data
                try:
                    r.data = varsub.substitute_resource(before, vars, strict)
                except KustomizeError as e:
                    raise type(e)("var substitution failed for '%s': envsubst error: %s"
                                  % (r.name, e.message), file=ks.file,
                                  field="spec.postBuild", resource=str(r.id)) from None
                warnings += _quoting_warnings(r, before)
    for r in items:
        meta = r.data.setdefault("metadata", {})
        if not isinstance(meta.get("labels"), dict):
            meta["labels"] = {}
        meta["labels"][OWNER_NAME] = ks.name
        meta["labels"][OWNER_NAMESPACE] = ks.namespace
        if mask_sops and r.data.get("kind") == "Secret":
            try:
                r.data = sops.mask_secret(r.data)
            except FluxError as e:
                raise e.with_context(file=r.origin.file if r.origin else None) from None
    items = _read_objects(items)
    common = ks.spec.get("commonMetadata")
    if common:
        for r in items:
            meta = r.data.setdefault("metadata", {})
            for key in ("labels", "annotations"):
                extra = common.get(key) or {}
                if extra:
                    cur = meta.get(key) if isinstance(meta.get(key), dict) else {}
                    cur.update(extra)
                    meta[key] = cur
    out = Resources(items, opts.warnings + warnings, real, opts.patch_matches)
    return FluxBuild(ks, out, real, root, warnings, kus)


def _quoting_warnings(r, before: dict) -> list[str]:
    """Where the source quoted a ``${…}`` value that substitution turned into a number,
    boolean or null (the quotes do not survive Flux's re-serialisation)."""
    lost = varsub.quoting_lost(before, r.data)
    if not lost:
        return []
    try:
        with open(r.origin.file, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    docs = [d for d in re.split(r"(?m)^---.*$", text)
            if re.search(r"(?m)^kind:\s*['\"]?%s['\"]?\s*$" % re.escape(r.kind), d)]
    text = "\n".join(docs) if docs else text
    return ["%s %s: %s: %r became %s %r (quoted in the source; Flux substitutes after "
            "re-serialising)" % (r.kind, r.name, path, old, type(new).__name__, new)
            for path, old, new in lost if varsub.quoted_in_source(path, old, text)]


def _read_objects(items: list) -> list:
    """``ssa/utils.ReadObjects``: an object with an ``items`` list is replaced by its items;
    kustomize's own Kustomization objects are dropped."""
    out = []
    for r in items:
        d = r.data
        if isinstance(d.get("items"), list):
            for item in d["items"]:
                if isinstance(item, dict):
                    child = copy.copy(r)
                    child.data = item
                    out.append(child)
            continue
        if d.get("kind") == "Kustomization" and str(d.get("apiVersion", "")).startswith(
                "kustomize.config.k8s.io/"):
            continue
        out.append(r)
    return out
