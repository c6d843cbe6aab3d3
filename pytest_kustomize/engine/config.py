"""TransformerConfig: the field specs each builtin transformer uses, default plus the
kustomization's ``configurations`` files, merged the way kustomize merges them."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..errors import KustomizationError, KustomizeError
from . import fieldspec as fsm
from . import yamlio
from .resource import Gvk

SECTIONS = ("namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
            "volumeClaimTemplateLabels", "commonAnnotations", "varReference", "images",
            "replicas")


@dataclass
class TransformerConfig:
    specs: dict = field(default_factory=dict)          # section -> [FieldSpec]
    name_reference: list = field(default_factory=list)  # [(Gvk, [FieldSpec])]

    @classmethod
    def default(cls) -> "TransformerConfig":
        specs = {}
        for s in SECTIONS:
            specs[s] = [] if s == "labels" else fsm.default_specs(s)
        return cls(specs, [(g, list(fss)) for g, fss in fsm.default_name_references()])

    @classmethod
    def from_dict(cls, d: dict, where: str) -> "TransformerConfig":
        if d is None:
            d = {}
        if not isinstance(d, dict):
            raise KustomizationError("a configurations file must be a mapping", file=where)
        specs = {}
        for key, v in d.items():
            if key == "nameReference":
                continue
            if key not in SECTIONS:
                raise KustomizationError('json: unknown field "%s"' % key, file=where,
                                         field=key)
            specs[key] = fsm.specs_from_list(v, where=where)
        nbrs = []
        for entry in d.get("nameReference") or []:
            if not isinstance(entry, dict):
                raise KustomizationError("nameReference entries must be mappings", file=where)
            g = Gvk(str(entry.get("group") or ""), str(entry.get("version") or ""),
                    str(entry.get("kind") or ""))
            nbrs.append((g, fsm.specs_from_list(entry.get("fieldSpecs"), where=where)))
        return cls(specs, nbrs)

    def copy(self) -> "TransformerConfig":
        return TransformerConfig({k: list(v) for k, v in self.specs.items()},
                                 [(g, list(f)) for g, f in self.name_reference])

    def get(self, section: str) -> list:
        return self.specs.get(section, [])

    def merge(self, other: "TransformerConfig | None") -> "TransformerConfig":
        if other is None:
            return self
        out = self.copy()
        for s, lst in other.specs.items():
            out.specs[s] = merge_specs_strict(out.specs.get(s, []), lst)
        for g, refs in other.name_reference:
            for i, (g0, refs0) in enumerate(out.name_reference):
                if g0 == g:
                    out.name_reference[i] = (g0, merge_specs_strict(refs0, refs))
                    break
            else:
                out.name_reference.append((g, list(refs)))
        return out


def merge_specs_strict(a: list, b: list) -> list:
    out = list(a)
    for x in b:
        for y in out:
            if y.gvk == x.gvk and y.path == x.path:
                if y.create != x.create:
                    raise KustomizeError("conflicting fieldspecs")
                break
        else:
            out.append(x)
    return out


def load_configurations(loader, paths: list, kustomization_file: str) -> TransformerConfig | None:
    if not paths:
        return None
    merged = TransformerConfig()
    for p in paths:
        try:
            text = loader.read_text(str(p))
            d = yamlio.load_document(text, str(p))
        except KustomizeError as e:
            raise e.with_context(file=kustomization_file, field="configurations")
        merged = merged.merge(TransformerConfig.from_dict(d, str(p)))
    return merged


def load_crds(loader, paths: list, kustomization_file: str) -> TransformerConfig | None:
    """``crds:``: OpenAPI definition files whose ``x-kubernetes-object-ref-*`` extensions
    declare name references of custom resources (kustomize's LoadConfigFromCRDs)."""
    if not paths:
        return None
    cfg = TransformerConfig()
    for p in paths:
        try:
            doc = yamlio.load_document(loader.read_text(str(p)), str(p))
        except KustomizeError as e:
            raise e.with_context(file=kustomization_file, field="crds")
        if not isinstance(doc, dict):
            continue
        for def_name, definition in doc.items():
            if not isinstance(definition, dict):
                continue
            kind = def_name.rsplit(".", 1)[-1]
            _crd_walk(doc, definition, Gvk(kind=kind), [], cfg, set())
    return cfg


def _crd_walk(doc, definition, gvk, path, cfg, seen):
    props = definition.get("properties")
    if not isinstance(props, dict):
        return
    for name, prop in props.items():
        if not isinstance(prop, dict):
            continue
        ref = prop.get("$ref")
        if isinstance(ref, str):
            target = ref.rsplit("/", 1)[-1]
            sub = doc.get(target)
            if isinstance(sub, dict) and (target, tuple(path)) not in seen:
                seen.add((target, tuple(path)))
                _crd_walk(doc, sub, gvk, path + [name], cfg, seen)
        ext = prop.get("x-kubernetes-object-ref-kind")
        if ext is not None:
            ref_gvk = Gvk(kind=str(ext), version=str(prop.get("x-kubernetes-object-ref-api-version") or ""))
            spec = fsm.FieldSpec(gvk, "/".join(path + [name]), False)
            cfg.name_reference.append((ref_gvk, [spec]))
        if prop.get("x-kubernetes-annotation") is not None:
            cfg.specs.setdefault("commonAnnotations", []).append(
                fsm.FieldSpec(gvk, "/".join(path + [name]), False))
        if prop.get("x-kubernetes-label-selector") is not None:
            cfg.specs.setdefault("commonLabels", []).append(
                fsm.FieldSpec(gvk, "/".join(path + [name]), False))
        if prop.get("x-kubernetes-identity") is not None:
            cfg.specs.setdefault("namePrefix", []).append(
                fsm.FieldSpec(gvk, "/".join(path + [name]), False))
        if isinstance(prop.get("properties"), dict):
            _crd_walk(doc, prop, gvk, path + [name], cfg, seen)
