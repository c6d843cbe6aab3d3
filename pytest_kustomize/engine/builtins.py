"""The builtin table: every builtin plugin kind, the kustomization field that configures it,
how that field becomes plugin configs, and the code that runs it (kustomize keeps the same
map in its builtinhelpers and target configurators).

Both ways of asking for a builtin go through here: a kustomization field (``namePrefix``,
``configMapGenerator`` …; ``TRANSFORMER_FIELDS`` and ``GENERATOR_FIELDS`` in kustomize's
order, see target.py) and a ``transformers:``/``generators:`` entry naming the kind
(plugins.py). To find the code of a field, look it up in ``FIELD_CODE`` at the end (every
kustomization field), or in the tables ``TRANSFORMER_FIELDS``/``GENERATOR_FIELDS`` (field ->
kind -> builder) and ``TRANSFORMERS``/``GENERATORS`` (kind -> config fields -> runner).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import KustomizationError, KustomizeError, PluginError
from . import fieldspec as fsm
from . import generators, helm
from .accumulator import NameIndex
from .kustomization import ENTRY_FIELDS
from .openapi import schema_for
from .resource import Origin, Resource
from .transformers import (images, labels, namespace, patches, prefix_suffix, replacements,
                           replicas)


@dataclass(frozen=True)
class Builtin:
    """A builtin plugin kind: its typed config fields and what runs it. A transformer's
    ``run(target, resources, cfg, specs, index, field)`` changes the resources in place; a
    generator's ``make(target, cfg, gen_opts, field)`` returns new resources."""
    kind: str
    fields: dict
    run: Callable | None = None
    make: Callable | None = None
    specs_required: bool = False     # a plugin config must give fieldSpecs


# -- transformers ------------------------------------------------------------------------
@dataclass(frozen=True)
class PatchMatch:
    """A patch with a ``target``: where it is configured (kustomization file and field,
    e.g. ``patches[1]``), its target selector, its file (or "inline patch") and how many
    resources the target selected."""
    kfile: str
    field: str
    target: dict
    patch: str
    matched: int


def _annotations(target, res, cfg, specs, index, field):
    labels.apply_map_entries(res, cfg.get("annotations") or {}, specs,
                             plugin="AnnotationsTransformer", configured_in=target.kfile)


def _labels(target, res, cfg, specs, index, field):
    labels.apply_map_entries(res, cfg.get("labels") or {}, specs, plugin="LabelTransformer",
                             configured_in=target.kfile)


def _affix(kind):
    def run(target, res, cfg, specs, index, field):
        for key in ("prefix", "suffix"):
            if cfg.get(key):
                prefix_suffix.apply(res, specs=specs, configured_in=target.kfile, plugin=kind,
                                    **{key: str(cfg[key])})
    return run


def _namespace(target, res, cfg, specs, index, field):
    md = cfg.get("metadata") or {}
    namespace.apply(res, str(md.get("namespace") or ""), specs,
                    unset_only=bool(cfg.get("unsetOnly")),
                    role_binding_subjects=str(cfg.get("setRoleBindingSubjects") or ""),
                    configured_in=target.kfile)


def _images(target, res, cfg, specs, index, field):
    images.apply(res, cfg.get("imageTag") or {}, specs, configured_in=target.kfile)


def _replicas(target, res, cfg, specs, index, field):
    replicas.apply(res, cfg.get("replica") or {}, specs, configured_in=target.kfile)


def _patch(target, res, cfg, specs, index, field):
    entry = {k: cfg[k] for k in ("patch", "path", "target", "options") if k in cfg}
    n = patches.apply_patch_entry(res, entry, target.loader, configured_in=target.kfile,
                                  field=field, schema=schema_for(target), index=index)
    _record_match(target, field, entry, n)


def _record_match(target, field, entry, matched) -> None:
    """Note how many resources a targeted patch selected (kustomize applies one that
    selected nothing silently; policy.check_patches_matched reports it)."""
    if matched is not None:
        target.options.patch_matches.append(PatchMatch(
            target.kfile, field, dict(entry.get("target") or {}),
            str(entry.get("path") or "") or "inline patch", matched))


def _patch_strategic_merge(target, res, cfg, specs, index, field):
    entries = list(cfg.get("paths") or [])
    if cfg.get("patches"):
        entries.append(str(cfg["patches"]))
    if not entries:
        raise PluginError("empty file path and empty patch content", file=target.kfile)
    patches.apply_patches_strategic_merge(res, entries, target.loader,
                                          configured_in=target.kfile,
                                          schema=schema_for(target))


def _patch_json6902(target, res, cfg, specs, index, field):
    entry = {"target": cfg.get("target"), "path": cfg.get("path"), "patch": cfg.get("jsonOp")}
    n = patches.apply_patches_json6902(res, entry, target.loader, configured_in=target.kfile,
                                       index=index)
    _record_match(target, field, entry, n)


def _replacements(target, res, cfg, specs, index, field):
    replacements.apply(res, replacements.load(cfg.get("replacements") or [], target.loader),
                       configured_in=target.kfile)


def hash_suffixes(resources, *, clear: bool = False) -> None:
    """Give every resource that asks for one its content-hash name suffix (``clear``: and
    stop asking, as the HashTransformer plugin does; the build's own pass keeps the flag)."""
    for r in resources:
        if r.needs_hash:
            h = generators.content_hash(r.data)
            r.remember_id()
            r.name = "%s-%s" % (r.name, h)
            if clear:
                r.needs_hash = False


def _hash(target, res, cfg, specs, index, field):
    hash_suffixes(res, clear=True)


# -- generators --------------------------------------------------------------------------
def generated(target, kind: str, args: dict, gen_opts, field: str) -> Resource:
    """A ConfigMap or Secret made by ``configMapGenerator``/``secretGenerator`` or their
    plugin kinds, flagged for the merge and hash steps (a behavior other than create, merge
    or replace is "unspecified", as kustomize reads it)."""
    fn = generators.generate_configmap if kind == "ConfigMapGenerator" \
        else generators.generate_secret
    r = Resource(fn(args, gen_opts, target.loader), Origin(generator=kind))
    r.is_generated = True
    r.behavior = generators.generation_behavior(args.get("behavior"))
    r.needs_hash = generators.needs_hash(args, gen_opts)
    return r


def _configmap_or_secret(kind):
    def make(target, cfg, gen_opts, field):
        args = dict(cfg)
        md = args.pop("metadata", None) or {}
        args.setdefault("name", md.get("name"))
        if md.get("namespace") and not args.get("namespace"):
            args["namespace"] = md.get("namespace")
        return [generated(target, kind, args, gen_opts, field)]
    return make


def _helm(target, cfg, gen_opts, field):
    chart = {k: v for k, v in cfg.items() if k not in ("apiVersion", "kind", "metadata")}
    globals_ = {k: chart.pop(k) for k in ("chartHome", "configHome") if k in chart}
    return helm.inflate(target, chart, globals_, field=field)


def _iam_policy(target, cfg, gen_opts, field):
    """kustomize's builtin IAMPolicyGenerator: a ServiceAccount bound to a cloud identity."""
    cloud = str(cfg.get("cloud") or "")
    if cloud != "gke":
        raise PluginError("cloud provider %s not supported yet" % cloud, file=target.kfile,
                          field=field)
    ksa = cfg.get("kubernetesService") or {}
    gsa = cfg.get("serviceAccount") or {}
    md = {"annotations": {"iam.gke.io/gcp-service-account": "%s@%s.iam.gserviceaccount.com"
                          % (gsa.get("name") or "", gsa.get("projectId") or "")},
          "name": str(ksa.get("name") or "")}
    if ksa.get("namespace"):
        md["namespace"] = str(ksa["namespace"])
    return [Resource({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md},
                     Origin(generator="IAMPolicyGenerator"))]


# -- the table of kinds -------------------------------------------------------------------
_AFFIX = {"prefix": "str", "suffix": "str", "fieldSpecs": "list"}
TRANSFORMERS = {b.kind: b for b in (
    Builtin("PatchStrategicMergeTransformer", {"paths": "strlist", "patches": "str"},
            _patch_strategic_merge),
    Builtin("PatchTransformer", {"patch": "str", "path": "str", "target": "map",
                                 "options": "map"}, _patch),
    Builtin("NamespaceTransformer", {"metadata": "map", "fieldSpecs": "list",
                                     "setRoleBindingSubjects": "str"}, _namespace),
    Builtin("PrefixSuffixTransformer", _AFFIX, _affix("PrefixSuffixTransformer")),
    Builtin("PrefixTransformer", _AFFIX, _affix("PrefixTransformer"), specs_required=True),
    Builtin("SuffixTransformer", _AFFIX, _affix("SuffixTransformer"), specs_required=True),
    Builtin("LabelTransformer", {"labels": "strmap", "fieldSpecs": "list"}, _labels),
    Builtin("AnnotationsTransformer", {"annotations": "strmap", "fieldSpecs": "list"},
            _annotations),
    Builtin("PatchJson6902Transformer", {"target": "map", "path": "str", "jsonOp": "str"},
            _patch_json6902),
    Builtin("ReplicaCountTransformer", {"replica": "map", "fieldSpecs": "list"}, _replicas),
    Builtin("ImageTagTransformer", {"imageTag": "map", "fieldSpecs": "list"}, _images),
    Builtin("ReplacementTransformer", {"replacements": "list"}, _replacements),
    Builtin("HashTransformer", {}, _hash),
)}
GENERATORS = {b.kind: b for b in (
    Builtin("ConfigMapGenerator", ENTRY_FIELDS["configMapGenerator"],
            make=_configmap_or_secret("ConfigMapGenerator")),
    Builtin("SecretGenerator", ENTRY_FIELDS["secretGenerator"],
            make=_configmap_or_secret("SecretGenerator")),
    Builtin("HelmChartInflationGenerator", {}, make=_helm),
    Builtin("IAMPolicyGenerator", {}, make=_iam_policy),
)}


# -- kustomization fields -> plugin configs ------------------------------------------------
# Each builder gives (plugin config, field specs, the field errors name) for one field of a
# kustomization: ``k`` the Kustomization, ``tc`` the TransformerConfig in force.
def _entries(k, name: str, what: str, kfile: str) -> list:
    out = []
    for i, e in enumerate(k.get(name, [])):
        if not isinstance(e, dict):
            raise KustomizationError("%s entries must be mappings" % what, file=kfile,
                                     field="%s[%d]" % (name, i))
        out.append(e)
    return out


def _from_psm(k, tc, kfile):
    v = k.get("patchesStrategicMerge")
    return [({"paths": list(v)}, [], "patchesStrategicMerge")] if v else []


def _from_patches(k, tc, kfile):
    return [(p, [], "patches[%d]" % i) for i, p in enumerate(k.get("patches", []))]


def _from_namespace(k, tc, kfile):
    v = k.get("namespace")
    return [({"metadata": {"namespace": v}, "setRoleBindingSubjects": "defaultOnly"},
             tc.get("namespace"), "namespace")] if v else []


def _from_affix(name, key):
    def build(k, tc, kfile):
        v = k.get(name)
        return [({key: v}, tc.get(name), name)] if v else []
    return build


def _from_labels(k, tc, kfile):
    """``labels`` entries (each with its own field specs), then ``commonLabels``."""
    out = []
    entries = _entries(k, "labels", "labels", kfile)
    for i, entry in enumerate(entries):
        fss = fsm.specs_from_list(entry.get("fields"), where=kfile)
        fss = fsm.merge_specs(fss, tc.get("labels"))
        if entry.get("includeSelectors"):
            fss = fsm.merge_specs(fss, tc.get("commonLabels"))
        else:
            if entry.get("includeTemplates"):
                fss = fsm.merge_specs(fss, tc.get("templateLabels"))
            if entry.get("includeVolumeClaimTemplates"):
                fss = fsm.merge_specs(fss, tc.get("volumeClaimTemplateLabels"))
            fss = fsm.merge_specs(fss, [fsm.FieldSpec(fsm.Gvk(), "metadata/labels", True)])
        out.append(({"labels": entry.get("pairs") or {}}, fss, "labels[%d]" % i))
    if k.get("commonLabels") or entries:
        out.append(({"labels": k.get("commonLabels") or {}}, tc.get("commonLabels"),
                    "commonLabels"))
    return out


def _from_annotations(k, tc, kfile):
    v = k.get("commonAnnotations")
    return [({"annotations": v}, tc.get("commonAnnotations"), "commonAnnotations")] if v \
        else []


def _from_json6902(k, tc, kfile):
    return [({"target": p.get("target"), "path": p.get("path"), "jsonOp": p.get("patch")}
             if isinstance(p, dict) else p, [], "patchesJson6902[%d]" % i)
            for i, p in enumerate(k.get("patchesJson6902", []))]


def _from_list(name, key, what):
    def build(k, tc, kfile):
        return [({key: e}, tc.get(name), "%s[%d]" % (name, i))
                for i, e in enumerate(_entries(k, name, what, kfile))]
    return build


def _from_replacements(k, tc, kfile):
    v = k.get("replacements")
    return [({"replacements": v}, [], "replacements")] if v else []


def _gen_entries(name, kind):
    """One ConfigMap or Secret per ``configMapGenerator``/``secretGenerator`` entry."""
    def make(target, gen_opts):
        for args in target.k.get(name, []):
            r = generated(target, kind, args, gen_opts, name)
            r.origin = Origin(path="", generator=kind, config_file=target.rel_kfile,
                              configured_by={"apiVersion": "builtin", "kind": kind})
            yield r
    return make


def _gen_helm(target, gen_opts):
    """``helmCharts`` (with ``helmGlobals``) and the deprecated
    ``helmChartInflationGenerator``: each chart inflated, in the kustomization's namespace
    (or the nearest parent's) unless it names one."""
    k = target.k
    charts = list(k.get("helmCharts", []))
    globals_ = dict(k.get("helmGlobals") or {})
    if k.get("helmChartInflationGenerator"):
        old, g = helm.legacy_charts(k.get("helmChartInflationGenerator"))
        charts += old
        for key, v in g.items():
            globals_.setdefault(key, v)
    for chart in charts:
        chart = dict(chart)
        if not chart.get("namespace"):
            ns = k.get("namespace") or target.helm_root_namespace
            if ns:
                chart["namespace"] = ns
        yield from helm.inflate(target, chart, globals_)


# (kustomization field errors name, generator kind, maker), in the order kustomize runs
# them; ``maker(target, generatorOptions)`` yields the generated resources
GENERATOR_FIELDS = (
    ("configMapGenerator", "ConfigMapGenerator", _gen_entries("configMapGenerator",
                                                              "ConfigMapGenerator")),
    ("secretGenerator", "SecretGenerator", _gen_entries("secretGenerator", "SecretGenerator")),
    ("helmCharts", "HelmChartInflationGenerator", _gen_helm),
)


def run_generator_fields(target, absorb) -> None:
    """Run the builtin generators a kustomization's fields ask for, passing each new
    resource to ``absorb`` (the accumulator's merge by generator behavior)."""
    gen_opts = target.k.get("generatorOptions")
    for name, _kind, make in GENERATOR_FIELDS:
        try:
            for r in make(target, gen_opts):
                absorb(r)
        except KustomizeError as e:
            raise target.err(e, name)


# (kustomization field, builtin kind, builder), in the order kustomize runs them; one
# NameIndex is shared by the entries of a field (only the patched resources change)
TRANSFORMER_FIELDS = (
    ("patchesStrategicMerge", "PatchStrategicMergeTransformer", _from_psm),
    ("patches", "PatchTransformer", _from_patches),
    ("namespace", "NamespaceTransformer", _from_namespace),
    ("namePrefix", "PrefixTransformer", _from_affix("namePrefix", "prefix")),
    ("nameSuffix", "SuffixTransformer", _from_affix("nameSuffix", "suffix")),
    ("labels, commonLabels", "LabelTransformer", _from_labels),
    ("commonAnnotations", "AnnotationsTransformer", _from_annotations),
    ("patchesJson6902", "PatchJson6902Transformer", _from_json6902),
    ("replicas", "ReplicaCountTransformer", _from_list("replicas", "replica", "replicas")),
    ("images", "ImageTagTransformer", _from_list("images", "imageTag", "images")),
    ("replacements", "ReplacementTransformer", _from_replacements),
)


def run_fields(target, resources, tc) -> None:
    """Run the builtin transformers a kustomization's fields ask for, in kustomize's order,
    marking each as having run (configuredBy builtin kind)."""
    for _name, kind, build in TRANSFORMER_FIELDS:
        b = TRANSFORMERS[kind]
        index = NameIndex(resources)
        for cfg, specs, field in build(target.k, tc, target.kfile):
            try:
                b.run(target, resources, cfg, specs, index, field)
            except KustomizeError as e:
                raise target.err(e, field)
            target.mark(resources, kind)


# -- every kustomization field -> the code that reads it ---------------------------------
# The fields above run through the builtin table; the rest are read by the build itself.
# ``module:function`` under pytest_kustomize.engine (tests/test_architecture.py checks that
# this covers every field of the Kustomization type and that every function exists).
FIELD_CODE = {
    "apiVersion": "kustomization:parse", "kind": "kustomization:parse",
    "metadata": "kustomization:parse",
    "resources": "target:Target._accumulate_resources", "bases": "kustomization:_parse",
    "components": "target:Target._accumulate_directory",
    "crds": "config:load_crds", "configurations": "config:load_configurations",
    "openapi": "openapi:set_schema",
    "configMapGenerator": "builtins:_gen_entries", "secretGenerator": "builtins:_gen_entries",
    "generatorOptions": "generators:needs_hash",
    "helmCharts": "builtins:_gen_helm", "helmGlobals": "builtins:_gen_helm",
    "helmChartInflationGenerator": "helm:legacy_charts",
    "generators": "plugins:run_generators", "transformers": "plugins:run_transformers",
    "validators": "plugins:run_validators",
    "patchesStrategicMerge": "builtins:_patch_strategic_merge", "patches": "builtins:_patch",
    "namespace": "builtins:_namespace", "namePrefix": "builtins:_affix",
    "nameSuffix": "builtins:_affix", "labels": "builtins:_from_labels",
    "commonLabels": "builtins:_from_labels", "commonAnnotations": "builtins:_annotations",
    "patchesJson6902": "builtins:_patch_json6902", "replicas": "builtins:_replicas",
    "images": "builtins:_images", "imageTags": "kustomization:_parse",
    "replacements": "builtins:_replacements",
    "vars": "transformers.vars:merge_vars", "sortOptions": "transformers.sort:apply_sort_options",
    "buildMetadata": "build:_build",
}
