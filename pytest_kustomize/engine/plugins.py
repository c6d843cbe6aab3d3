"""The ``generators``, ``transformers`` and ``validators`` fields: builtin plugin configs
(``apiVersion: builtin``) given inline or as files/directories, run with the engine's own
transformers. Exec, Go and KRM-function plugins are refused with a clear error."""
from __future__ import annotations

import os

from ..errors import KustomizeError, PluginError
from . import fieldspec as fsm
from . import generators
from .kustomization import ENTRY_FIELDS, type_mismatch
from .reader import objects_from_text
from .resource import Origin, Resource, ResourceList
from .transformers import images, labels, namespace, patches, prefix_suffix, replicas

TRANSFORMER_KINDS = {
    "AnnotationsTransformer", "LabelTransformer", "PrefixSuffixTransformer",
    "PrefixTransformer", "SuffixTransformer", "NamespaceTransformer", "ImageTagTransformer",
    "ReplicaCountTransformer", "PatchTransformer", "PatchStrategicMergeTransformer",
    "PatchJson6902Transformer", "ReplacementTransformer", "HashTransformer",
}
GENERATOR_KINDS = {"ConfigMapGenerator", "SecretGenerator", "HelmChartInflationGenerator",
                   "IAMPolicyGenerator"}

# typed fields of the builtin plugin configs (kustomize decodes them into typed structs)
_AFFIX = {"prefix": "str", "suffix": "str", "fieldSpecs": "list"}
PLUGIN_FIELDS = {
    "PrefixSuffixTransformer": _AFFIX, "PrefixTransformer": _AFFIX, "SuffixTransformer": _AFFIX,
    "AnnotationsTransformer": {"annotations": "strmap", "fieldSpecs": "list"},
    "LabelTransformer": {"labels": "strmap", "fieldSpecs": "list"},
    "NamespaceTransformer": {"metadata": "map", "fieldSpecs": "list",
                             "setRoleBindingSubjects": "str"},
    "ImageTagTransformer": {"imageTag": "map", "fieldSpecs": "list"},
    "ReplicaCountTransformer": {"replica": "map", "fieldSpecs": "list"},
    "PatchTransformer": {"patch": "str", "path": "str", "target": "map", "options": "map"},
    "PatchStrategicMergeTransformer": {"paths": "strlist", "patches": "str"},
    "PatchJson6902Transformer": {"target": "map", "path": "str", "jsonOp": "str"},
    "ReplacementTransformer": {"replacements": "list"},
    "ConfigMapGenerator": ENTRY_FIELDS["configMapGenerator"],
    "SecretGenerator": ENTRY_FIELDS["secretGenerator"],
}


def _check_fields(target, cfg: dict, kind: str, field: str, cfg_path: str) -> None:
    bad = type_mismatch(cfg, PLUGIN_FIELDS.get(kind, {}))
    if bad is not None:
        raise PluginError("plugin %s (configured in %s): field %s must be %s, got %r"
                          % ((kind, cfg_path) + bad), file=target.kfile,
                          field="%s: %s.%s" % (field, kind, bad[0]))


def _configs(target, entries: list, field: str) -> list:
    """(config object, file it came from relative to the top) for each plugin config given
    inline, as a file, or as a kustomization directory."""
    from .target import Accumulator
    out = []
    paths = []
    for e in entries:
        e = str(e)
        if "\n" in e or e.lstrip().startswith(("apiVersion", "kind", "{")):
            try:
                out.extend((d, target.rel_kfile) for d in objects_from_text(e, target.kfile))
            except KustomizeError as err:
                raise err.with_context(file=target.kfile, field=field)
            continue
        paths.append(e)
    if paths:
        ra = Accumulator()
        target._accumulate_resources(ra, paths)
        out.extend((r.data, r.origin.path or target.rel_kfile) for r in ra.resources)
    return out


def _configured_by(cfg: dict) -> dict:
    md = cfg.get("metadata") if isinstance(cfg.get("metadata"), dict) else {}
    out = {"apiVersion": str(cfg.get("apiVersion") or ""), "kind": str(cfg.get("kind") or "")}
    if md.get("name"):
        out["name"] = str(md["name"])
    if md.get("namespace"):
        out["namespace"] = str(md["namespace"])
    return out


def _check_builtin(target, cfg: dict, field: str) -> str:
    av = str(cfg.get("apiVersion") or "")
    kind = str(cfg.get("kind") or "")
    if av != "builtin":
        if not target.options.enable_alpha_plugins:
            raise PluginError("external plugins disabled; unable to load external plugin '%s'"
                              % kind, file=target.kfile, field=field)
        raise PluginError("plugin %s/%s: exec, Go and KRM-function plugins are not supported by "
                          "this engine" % (av, kind), file=target.kfile, field=field)
    return kind


def _specs(cfg: dict, required: bool, kind: str, kfile: str) -> list:
    fs = cfg.get("fieldSpecs")
    if fs is None:
        if required:
            raise PluginError("plugin %s fails configuration: fieldSpecs is not expected to be nil"
                              % kind, file=kfile)
        return []
    return fsm.specs_from_list(fs, where=kfile)


def run_generators(target, entries: list) -> list:
    result = []
    for cfg, cfg_path in _configs(target, entries, "generators"):
        made = _generate(target, cfg, cfg_path)
        for r in made:
            r.origin = Origin(config_file=cfg_path, configured_by=_configured_by(cfg))
        result.extend(made)
    return result


def _generate(target, cfg: dict, cfg_path: str) -> list:
    kind = _check_builtin(target, cfg, "generators")
    if kind not in GENERATOR_KINDS:
        if kind not in TRANSFORMER_KINDS:
            raise PluginError("unable to load builtin %s.builtin.[noGrp]" % kind,
                              file=target.kfile, field="generators")
        raise PluginError("plugin %s not a generator" % kind, file=target.kfile,
                          field="generators")
    _check_fields(target, cfg, kind, "generators", cfg_path)
    if kind == "IAMPolicyGenerator":
        return _iam_policy(cfg, target.kfile)
    if kind == "HelmChartInflationGenerator":
        from .helm import inflate
        chart = {k: v for k, v in cfg.items() if k not in ("apiVersion", "kind", "metadata")}
        globals_ = {k: chart.pop(k) for k in ("chartHome", "configHome") if k in chart}
        return inflate(target, chart, globals_, field="generators")
    args = dict(cfg)
    md = args.pop("metadata", None) or {}
    args.setdefault("name", md.get("name"))
    if md.get("namespace") and not args.get("namespace"):
        args["namespace"] = md.get("namespace")
    fn = generators.generate_configmap if kind == "ConfigMapGenerator" \
        else generators.generate_secret
    r = Resource(fn(args, None, target.loader), Origin(generator=kind))
    r.is_generated = True
    r.behavior = generators.generation_behavior(args.get("behavior"))
    r.needs_hash = generators.needs_hash(args, None)
    return [r]


def _iam_policy(cfg: dict, kfile: str) -> list:
    """kustomize's builtin IAMPolicyGenerator: a ServiceAccount bound to a cloud identity."""
    cloud = str(cfg.get("cloud") or "")
    if cloud != "gke":
        raise PluginError("cloud provider %s not supported yet" % cloud, file=kfile,
                          field="generators")
    ksa = cfg.get("kubernetesService") or {}
    gsa = cfg.get("serviceAccount") or {}
    md = {"annotations": {"iam.gke.io/gcp-service-account": "%s@%s.iam.gserviceaccount.com"
                          % (gsa.get("name") or "", gsa.get("projectId") or "")},
          "name": str(ksa.get("name") or "")}
    if ksa.get("namespace"):
        md["namespace"] = str(ksa["namespace"])
    return [Resource({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md},
                     Origin(generator="IAMPolicyGenerator"))]


def run_transformers(target, ra, entries: list) -> None:
    for cfg, cfg_path in _configs(target, entries, "transformers"):
        kind = _check_builtin(target, cfg, "transformers")
        if kind not in TRANSFORMER_KINDS:
            if kind in GENERATOR_KINDS:
                raise PluginError("plugin %s not a transformer" % kind, file=target.kfile,
                                  field="transformers")
            raise PluginError("unable to load builtin %s.builtin.[noGrp]" % kind,
                              file=target.kfile, field="transformers")
        _check_fields(target, cfg, kind, "transformers", cfg_path)
        try:
            apply_builtin(target, ra, kind, cfg)
        except KustomizeError as e:
            raise e.with_context(file=target.kfile, field="transformers")
        target.mark_entry(ra.resources, {"configuredIn": cfg_path,
                                         "configuredBy": _configured_by(cfg)})


def run_validators(target, ra, entries: list) -> None:
    for cfg, _ in _configs(target, entries, "validators"):
        _check_builtin(target, cfg, "validators")
        raise PluginError("builtin validators do not exist in kustomize", file=target.kfile,
                          field="validators")


def apply_builtin(target, ra, kind: str, cfg: dict) -> None:
    res: ResourceList = ra.resources
    kf = target.kfile
    if kind == "AnnotationsTransformer":
        labels.apply_map_entries(res, cfg.get("annotations") or {},
                                 _specs(cfg, False, kind, kf), plugin=kind, configured_in=kf)
    elif kind == "LabelTransformer":
        labels.apply_map_entries(res, cfg.get("labels") or {}, _specs(cfg, False, kind, kf),
                                 plugin=kind, configured_in=kf)
    elif kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
        specs = _specs(cfg, kind != "PrefixSuffixTransformer", kind, kf)
        if cfg.get("prefix"):
            prefix_suffix.apply(res, prefix=str(cfg["prefix"]), specs=specs, configured_in=kf,
                                plugin=kind)
        if cfg.get("suffix"):
            prefix_suffix.apply(res, suffix=str(cfg["suffix"]), specs=specs, configured_in=kf,
                                plugin=kind)
    elif kind == "NamespaceTransformer":
        md = cfg.get("metadata") or {}
        namespace.apply(res, str(md.get("namespace") or ""), _specs(cfg, False, kind, kf),
                        unset_only=bool(cfg.get("unsetOnly")),
                        role_binding_subjects=str(cfg.get("setRoleBindingSubjects") or ""),
                        configured_in=kf)
    elif kind == "ImageTagTransformer":
        images.apply(res, cfg.get("imageTag") or {}, _specs(cfg, False, kind, kf),
                     configured_in=kf)
    elif kind == "ReplicaCountTransformer":
        replicas.apply(res, cfg.get("replica") or {}, _specs(cfg, False, kind, kf),
                       configured_in=kf)
    elif kind == "PatchTransformer":
        entry = {k: cfg[k] for k in ("patch", "path", "target", "options") if k in cfg}
        from .openapi import schema_for
        patches.apply_patch_entry(res, entry, target.loader, configured_in=kf,
                                  field="transformers", schema=schema_for(target))
    elif kind == "PatchStrategicMergeTransformer":
        entries = list(cfg.get("paths") or [])
        if cfg.get("patches"):
            entries.append(str(cfg["patches"]))
        if not entries:
            raise PluginError("empty file path and empty patch content", file=kf)
        from .openapi import schema_for
        patches.apply_patches_strategic_merge(res, entries, target.loader, configured_in=kf,
                                              schema=schema_for(target))
    elif kind == "PatchJson6902Transformer":
        entry = {"target": cfg.get("target"), "path": cfg.get("path"),
                 "patch": cfg.get("jsonOp")}
        patches.apply_patches_json6902(res, entry, target.loader, configured_in=kf)
    elif kind == "ReplacementTransformer":
        from .transformers import replacements
        replacements.apply(res, replacements.load(cfg.get("replacements") or [], target.loader),
                           configured_in=kf)
    elif kind == "HashTransformer":
        for r in res:
            if r.needs_hash:
                h = generators.content_hash(r.data)
                r.remember_id()
                r.name = "%s-%s" % (r.name, h)
                r.needs_hash = False
    else:
        raise PluginError("unable to load builtin %s.builtin.[noGrp]" % kind, file=kf)
