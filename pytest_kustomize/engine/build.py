"""Entry point of the engine: build a kustomization directory into a ResourceList."""
from __future__ import annotations

import gc
import os

from ..errors import KustomizeError, LoadError
from . import builtins, buildmetadata
from .fieldspec import FieldSpec
from .loader import Loader, normalize_restrictor
from .resid import Gvk
from .resource import ResourceList
from .target import BuildOptions, Target
from .transformers import labels, name_reference, sort
from .transformers import vars as varsmod
from .yamlio import scalar_to_string

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kustomize-v5.8.1"
LOCAL_CONFIG = "config.kubernetes.io/local-config"


def build_resources(path: str, options: BuildOptions) -> ResourceList:
    """Run the whole kustomization at ``path``; returns the final, ordered resources.

    The cyclic garbage collector is paused meanwhile: a build allocates many dicts and lists
    and frees few, so collections would rescan a growing heap (measured: 15–20 % of the time
    at 8,000 resources, and super-linear growth)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(path, options)
    finally:
        if enabled:
            gc.enable()


def _build(path: str, options: BuildOptions) -> ResourceList:
    path = os.fspath(path)
    try:
        loader = Loader.at(path, normalize_restrictor(options.load_restrictor), options.io,
                           fs=options.fs, remote=options.remote)
    except LoadError as e:
        raise e.with_context(file=path)
    top = Target(loader, options)
    ra = top.accumulate()
    res = ra.resources
    # hash suffixes (after all transformations, at the top only)
    builtins.hash_suffixes(res)
    cfg = ra.config
    if cfg is not None:
        name_reference.fix(res, cfg.name_reference)
    if ra.vars:
        varsmod.resolve(res, ra)
    res.set_items([r for r in res if r.annotations.get(LOCAL_CONFIG) != "true"])
    # ordering
    sort_opts = top.k.get("sortOptions")
    if sort_opts is not None:
        sort.apply_sort_options(res, sort_opts, top.kfile)
    elif options.reorder in ("legacy", "unspecified", None, ""):
        sort.legacy_sort(res)
    elif options.reorder not in ("none", "fifo"):
        raise KustomizeError("unknown --reorder value %r (use legacy or none)" % options.reorder)
    build_md = [str(x) for x in top.k.get("buildMetadata", [])]
    if options.enable_managedby_label or "managedByLabel" in build_md:
        labels.apply_map_entries(res, {MANAGED_BY_LABEL: MANAGED_BY_VALUE},
                                 [FieldSpec(Gvk(), "metadata/labels", True)],
                                 plugin="LabelTransformer")
    if build_md:
        buildmetadata.annotate(res, build_md, top.kfile)
    _stringify_annotations(res)
    return res


def _stringify_annotations(res: ResourceList) -> None:
    """kustomize rewrites every resource's annotations as a string map at the end."""
    for r in res:
        md = r.data.get("metadata")
        anns = md.get("annotations") if isinstance(md, dict) else None
        if isinstance(anns, dict):
            for k, v in anns.items():
                if not isinstance(v, str):
                    anns[k] = "null" if v is None else scalar_to_string(v)
