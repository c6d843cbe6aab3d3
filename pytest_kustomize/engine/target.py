"""The one orchestrator: runs a kustomization in kustomize's order.

accumulate resources → configurations/crds → generators → components → transformers
(patchesStrategicMerge, patches, namespace, prefix, suffix, labels, annotations,
patchesJson6902, replicas, images, replacements, plugin transformers) → validators → vars;
then, at the top only: hash suffixes → name references → vars → drop local config.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import KustomizationError, KustomizeError, LoadError
from . import builtins, plugins
from .config import TransformerConfig, load_configurations, load_crds
from .kustomization import Kustomization, parse
from .fs import DISK, FileSystem
from .loader import ROOT_ONLY, Loader, Remote
from .openapi import set_schema
from .reader import objects_with_nulls
from .remote import is_remote_file
from .resaccumulator import Accumulator
from .resource import Origin, Resource
from .transformers import vars as varsmod

_CREDENTIALS = re.compile(r"(?i)(https?:/+[^/@:\s']*):[^/@\s']*@")


@dataclass
class BuildOptions:
    load_restrictor: str = ROOT_ONLY
    reorder: str = "legacy"
    enable_alpha_plugins: bool = False
    enable_managedby_label: bool = False
    enable_helm: bool = False
    helm_command: str = "helm"
    warnings: list = field(default_factory=list)
    schema_state: dict = field(default_factory=dict)   # build-wide openapi choice
    io: dict = field(default_factory=dict)   # files_read / dirs_read, for cache invalidation
    fs: FileSystem = DISK                    # where every file is read (engine/fs.py)
    remote: Remote | None = None             # serves remote roots (loader.Loader.remote)
    patch_matches: list = field(default_factory=list)   # PatchMatch of every targeted patch
    memo: object = None                      # memo.AccumulationMemo shared between builds


class Target:
    """One kustomization directory being built."""

    def __init__(self, loader: Loader, options: BuildOptions, origin_path: str = "",
                 top: bool = True, helm_root_namespace: str = ""):
        self.helm_root_namespace = helm_root_namespace
        self._marks: list | None = None
        self.loader = loader
        self.options = options
        self.origin_path = origin_path
        kfile = loader.find_kustomization()
        self.kfile = kfile
        text = loader.read_text(os.path.basename(kfile))
        self.k: Kustomization = parse(text, kfile)
        for w in self.k.warnings:
            if w not in options.warnings:
                options.warnings.append(w)
        set_schema(self, options.schema_state, reset=top)

    @property
    def rel_kfile(self) -> str:
        """The kustomization file relative to the top build directory."""
        return os.path.normpath(os.path.join(self.origin_path, os.path.basename(self.kfile)))

    def mark(self, resources, kind: str) -> None:
        """Record that builtin transformer ``kind`` configured here ran over every resource
        (while the builtin transformers run, marks are collected and written in one pass)."""
        entry = {"configuredIn": self.rel_kfile,
                 "configuredBy": {"apiVersion": "builtin", "kind": kind}}
        if self._marks is not None:
            self._marks.append(entry)
        else:
            self.mark_entry(resources, entry)

    def _flush_marks(self, resources) -> None:
        marks, self._marks = self._marks, None
        if marks:
            self.mark_entry(resources, *marks)

    @staticmethod
    def mark_entry(resources, *entries: dict) -> None:
        for r in resources:
            origin = r.origin
            rest = entries
            if not origin.path and not origin.configured_by:
                origin.config_file = entries[0]["configuredIn"]
                origin.configured_by = dict(entries[0]["configuredBy"])
                rest = entries[1:]
            origin.applied.extend(rest)

    @staticmethod
    def new_accumulator() -> "Accumulator":
        return Accumulator()

    def err(self, e: KustomizeError, field: str) -> KustomizeError:
        return e.with_context(file=self.kfile, field=field)

    # -- accumulation ------------------------------------------------------------------
    def accumulate(self, ra: Accumulator | None = None) -> Accumulator:
        ra = ra if ra is not None else Accumulator()
        k = self.k
        self._accumulate_resources(ra, k.get("resources", []))
        cfg = TransformerConfig.default()
        try:
            extra = load_configurations(self.loader, k.get("configurations", []), self.kfile)
        except KustomizeError as e:
            raise self.err(e, "configurations")
        cfg = cfg.merge(extra)
        ra.merge_config(cfg)
        ra.merge_config(load_crds(self.loader, k.get("crds", []), self.kfile))
        self._run_generators(ra)
        for comp in k.get("components", []):
            self._accumulate_directory(ra, str(comp), component=True)
        ra.invalidate()
        self._run_transformers(ra)
        ra.invalidate()
        self._run_validators(ra)
        self._merge_vars(ra)
        return ra

    def _accumulate_resources(self, ra: Accumulator, paths: list) -> None:
        """Each path as kustomize takes it: a file if the loader reads one, else a root."""
        for path in paths:
            path = str(path)
            full = path if is_remote_file(path) else os.path.join(self.loader.root, path)
            try:
                text = self.loader.read_text(path)
            except LoadError as err_file:
                try:
                    sub_loader = self.loader.new(path)
                except LoadError as e:
                    msg = ("accumulating resources: accumulation err='accumulating resources "
                           "from '%s': %s': %s" % (path, err_file.message, e.message))
                    if is_remote_file(path):      # no password or token of a URL printed
                        msg = _CREDENTIALS.sub(r"\1:***@", msg)
                    raise LoadError(msg, file=self.kfile, field="resources") from None
                self._accumulate_directory(ra, path, component=False, sub_loader=sub_loader)
                continue
            try:
                objs = objects_with_nulls(text, full)
            except KustomizeError as e:
                raise KustomizeError("accumulating resources: accumulating resources "
                                     "from '%s': %s" % (path, e.message),
                                     file=self.kfile, field="resources") from None
            for d, nulls in objs:
                origin = Origin(path=path, file=full) if full == path else Origin(
                    path=os.path.normpath(os.path.join(self.origin_path, path)),
                    file=os.path.normpath(full))
                try:
                    ra.append(Resource(d, origin, empty_nulls=set(nulls)))
                except KustomizeError as e:
                    raise KustomizeError("accumulating resources: merging resources "
                                         "from '%s': %s" % (path, e.message),
                                         file=self.kfile, field="resources") from None

    def _accumulate_directory(self, ra: Accumulator, path: str, component: bool,
                              sub_loader: Loader | None = None) -> Accumulator:
        field_name = "components" if component else "resources"
        try:
            sub_loader = sub_loader or self.loader.new(path)
        except LoadError as e:
            if component:
                raise KustomizeError('accumulating components: loader.New "%s"' % e.message,
                                     file=self.kfile, field=field_name) from None
            raise self.err(e, field_name)
        origin_path = os.path.normpath(os.path.join(self.origin_path, path))
        memo = self.options.memo
        if memo is not None and not component:
            sub_ra = memo.recall(sub_loader, origin_path, self.options)
            if sub_ra is not None:
                return self._merge_base(ra, sub_ra, sub_loader)
            with memo.recording(sub_loader, origin_path, self.options) as store:
                sub_ra = self._base_target(sub_loader, origin_path, component).accumulate()
                store(sub_ra)
            return self._merge_base(ra, sub_ra, sub_loader)
        sub = self._base_target(sub_loader, origin_path, component)
        if component:
            sub_ra = sub.accumulate(ra)
            ra.invalidate()
            ra.resources.set_items(sub_ra.resources.items)
            ra.config = sub_ra.config
            ra.vars = sub_ra.vars
            return ra
        return self._merge_base(ra, sub.accumulate(), sub_loader)

    def _merge_base(self, ra: Accumulator, sub_ra, sub_loader: Loader) -> Accumulator:
        try:
            ra.merge(sub_ra)
        except KustomizeError as e:
            raise KustomizeError("accumulating resources: recursed merging from path '%s': %s"
                                 % (sub_loader.root, e.message), file=self.kfile,
                                 field="resources") from None
        return ra

    def _base_target(self, sub_loader: Loader, origin_path: str, component: bool) -> "Target":
        field_name = "components" if component else "resources"
        try:
            sub = Target(sub_loader, self.options, origin_path, top=False,
                         helm_root_namespace=self.k.get("namespace")
                         or self.helm_root_namespace)
        except KustomizeError as e:
            what = "components" if component else "resources"
            raise KustomizeError("accumulating %s: couldn't make target for path '%s': %s"
                                 % (what, sub_loader.root, e), file=self.kfile,
                                 field=field_name) from None
        if component and not sub.k.is_component:
            raise KustomizationError(
                "accumulating components: accumulateDirectory: \"expected kind 'Component' for "
                "path '%s' but got '%s'\"" % (sub_loader.root, sub.k.kind), file=self.kfile,
                field=field_name)
        if not component and sub.k.is_component:
            raise KustomizationError(
                "accumulating resources: expected kind != 'Component' for path '%s'"
                % sub_loader.root, file=self.kfile, field=field_name)
        return sub

    # -- generators --------------------------------------------------------------------
    def _run_generators(self, ra: Accumulator) -> None:
        k = self.k
        plugin_configs = None
        if k.get("generators"):         # loaded first, as kustomize configures them first
            plugin_configs = plugins.generator_configs(self, k.get("generators"))
        builtins.run_generator_fields(self, ra.absorb)
        if plugin_configs is not None:
            for r in plugins.run_generators(self, k.get("generators"), plugin_configs):
                try:
                    ra.absorb(r)
                except KustomizeError as e:
                    raise self.err(e, "generators")

    # -- transformers ------------------------------------------------------------------
    def _run_transformers(self, ra: Accumulator) -> None:
        k = self.k
        cfg = ra.config or TransformerConfig.default()
        res = ra.resources
        self._marks = []
        try:
            builtins.run_fields(self, res, cfg)
        finally:
            self._flush_marks(res)
        if k.get("transformers"):
            plugins.run_transformers(self, ra, k.get("transformers"))

    def _run_validators(self, ra: Accumulator) -> None:
        if self.k.get("validators"):
            plugins.run_validators(self, ra, self.k.get("validators"))

    def _merge_vars(self, ra: Accumulator) -> None:
        vs = self.k.get("vars", [])
        if not vs:
            return
        varsmod.merge_vars(ra, vs, self.kfile)
