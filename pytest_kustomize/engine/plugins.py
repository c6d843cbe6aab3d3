"""The ``generators``, ``transformers`` and ``validators`` fields: builtin plugin configs
(``apiVersion: builtin``) given inline or as files/directories, type-checked and run through
the builtin table (builtins.py). Exec, Go and KRM-function plugins are refused with a clear
error."""
from __future__ import annotations

from ..errors import KustomizeError, PluginError
from . import fieldspec as fsm
from .accumulator import NameIndex
from .builtins import GENERATORS, TRANSFORMERS
from .kustomization import type_mismatch
from .reader import objects_from_text
from .resource import Origin


def _check_fields(target, cfg: dict, kind: str, field: str, cfg_path: str) -> None:
    b = TRANSFORMERS.get(kind) or GENERATORS.get(kind)
    bad = type_mismatch(cfg, b.fields if b else {})
    if bad is not None:
        raise PluginError("plugin %s (configured in %s): field %s must be %s, got %r"
                          % ((kind, cfg_path) + bad), file=target.kfile,
                          field="%s: %s.%s" % (field, kind, bad[0]))


def _configs(target, entries: list, field: str) -> list:
    """(config object, file it came from relative to the top) for each plugin config given
    inline, as a file, or as a kustomization directory."""
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
        ra = target.new_accumulator()
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
    if kind not in GENERATORS:
        if kind not in TRANSFORMERS:
            raise PluginError("unable to load builtin %s.builtin.[noGrp]" % kind,
                              file=target.kfile, field="generators")
        raise PluginError("plugin %s not a generator" % kind, file=target.kfile,
                          field="generators")
    _check_fields(target, cfg, kind, "generators", cfg_path)
    return GENERATORS[kind].make(target, cfg, None, "generators")


def run_transformers(target, ra, entries: list) -> None:
    for cfg, cfg_path in _configs(target, entries, "transformers"):
        kind = _check_builtin(target, cfg, "transformers")
        if kind not in TRANSFORMERS:
            if kind in GENERATORS:
                raise PluginError("plugin %s not a transformer" % kind, file=target.kfile,
                                  field="transformers")
            raise PluginError("unable to load builtin %s.builtin.[noGrp]" % kind,
                              file=target.kfile, field="transformers")
        _check_fields(target, cfg, kind, "transformers", cfg_path)
        b = TRANSFORMERS[kind]
        try:
            b.run(target, ra.resources, cfg, _specs(cfg, b.specs_required, kind, target.kfile),
                  NameIndex(ra.resources), "transformers")
        except KustomizeError as e:
            raise e.with_context(file=target.kfile, field="transformers")
        target.mark_entry(ra.resources, {"configuredIn": cfg_path,
                                         "configuredBy": _configured_by(cfg)})


def run_validators(target, ra, entries: list) -> None:
    for cfg, _ in _configs(target, entries, "validators"):
        _check_builtin(target, cfg, "validators")
        raise PluginError("builtin validators do not exist in kustomize", file=target.kfile,
                          field="validators")
