"""TransformerConfig: the field specs each builtin transformer uses, default plus the
kustomization's ``configurations`` files, merged the way kustomize merges them."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..errors import KustomizationError, KustomizeError
from ..errors import YamlError
from . import fieldspec as fsm
from . import kusttypes as kt
from .yamlv2 import load_v2
from . import yamlio
from .resource import Gvk
from .transformers.sort import kind_rank

SECTIONS = ("namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
            "volumeClaimTemplateLabels", "commonAnnotations", "varReference", "images",
            "replicas")


# builtinconfig.TransformerConfig as kustomize decodes a configurations file (strictly)
_FSSLICE = kt.slice_type(kt.FIELDSPEC, "types.FsSlice")
CONFIG_TYPE = kt.struct_type("TransformerConfig", dict(
    {s: _FSSLICE for s in SECTIONS},
    nameReference=kt.slice_type(kt.struct_type("NameBackReferences", {
        "group": "string", "version": "string", "kind": "string", "fieldSpecs": _FSSLICE},
        "builtinconfig"), "builtinconfig.nbrSlice")), "builtinconfig")
_CRD_DEF = kt.struct_type("OpenAPIDefinition", {"Schema": "interface {}",
                                                "Dependencies": kt.slice_type("string")},
                          "accumulator")

_DEFAULT = None
_EMPTY = None
_MERGES: dict = {}


@dataclass
class TransformerConfig:
    specs: dict = field(default_factory=dict)          # section -> [FieldSpec]
    name_reference: list = field(default_factory=list)  # [(Gvk, [FieldSpec])]

    @classmethod
    def default(cls) -> "TransformerConfig":
        """kustomize's builtin configuration (shared: treat it as read-only)."""
        global _DEFAULT
        if _DEFAULT is None:
            _DEFAULT = cls._make_default()
        return _DEFAULT

    @classmethod
    def empty(cls) -> "TransformerConfig":
        global _EMPTY
        if _EMPTY is None:
            _EMPTY = cls()
        return _EMPTY

    @classmethod
    def _make_default(cls) -> "TransformerConfig":
        specs = {}
        for s in SECTIONS:
            specs[s] = [] if s == "labels" else sort_specs(fsm.default_specs(s))
        nbrs = [(g, sort_specs(fss)) for g, fss in fsm.default_name_references()]
        return cls(specs, sorted(nbrs, key=lambda e: gvk_sort_key(e[0])))

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
            specs[key] = sort_specs(fsm.specs_from_list(v, where=where))
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

    def merge_name_reference(self, gvk: Gvk, specs: list) -> None:
        for i, (g0, refs0) in enumerate(self.name_reference):
            if g0 == gvk:
                self.name_reference[i] = (g0, merge_specs_strict(refs0, specs))
                return
        self.name_reference.append((gvk, list(specs)))

    def get(self, section: str) -> list:
        return self.specs.get(section, [])

    def merge(self, other: "TransformerConfig | None") -> "TransformerConfig":
        """A new config with ``other``'s specs merged in (results are memoized: configs are
        not changed after they are built)."""
        if other is None:
            return self
        key = (id(self), id(other))
        hit = _MERGES.get(key)
        if hit is not None and hit[0] is self and hit[1] is other:
            return hit[2]
        result = self._merge(other)
        if len(_MERGES) > 512:
            _MERGES.clear()
        _MERGES[key] = (self, other, result)
        return result

    def _merge(self, other: "TransformerConfig") -> "TransformerConfig":
        out = self.copy()
        for s, lst in other.specs.items():
            out.specs[s] = sort_specs(merge_specs_strict(out.specs.get(s, []), lst))
        for g, refs in other.name_reference:
            out.merge_name_reference(g, refs)
        out.name_reference = [(g, sort_specs(r)) for g, r in
                              sorted(out.name_reference, key=lambda e: gvk_sort_key(e[0]))]
        return out


def gvk_sort_key(g: Gvk) -> tuple:
    """kustomize's Gvk.IsLessThan: kind rank (legacy order), then group_version_kind."""
    return (kind_rank(g.kind), "_".join((g.group or "~G", g.version or "~V", g.kind or "~K")))


def sort_specs(specs: list) -> list:
    return sorted(specs, key=lambda fs: gvk_sort_key(fs.gvk))


def merge_specs_strict(a: list, b: list) -> list:
    """kustomize's FsSlice.MergeAll: a spec counts as present when an existing one with the
    same path is selected by its gvk (so a generic spec after a specific one is dropped)."""
    out = list(a)
    by_path: dict = {}                  # path -> specs of out with it, in order
    for y in out:
        by_path.setdefault(y.path, []).append(y)
    for x in b:
        for y in by_path.get(x.path, ()):
            if y.gvk.matches(x.gvk):
                if y.create != x.create:
                    raise KustomizeError("conflicting fieldspecs")
                break
        else:
            out.append(x)
            by_path.setdefault(x.path, []).append(x)
    return out


def load_configurations(loader, paths: list, kustomization_file: str) -> TransformerConfig | None:
    if not paths:
        return None
    merged = TransformerConfig()
    for p in paths:
        try:
            text = loader.read_text(str(p))
            d = _decode_config(text, str(p))
        except KustomizeError as e:
            raise e.with_context(file=kustomization_file, field="configurations")
        merged = merged.merge(TransformerConfig.from_dict(d, str(p)))
    return merged


def _decode_config(text: str, path: str) -> dict:
    """sigs.k8s.io/yaml.UnmarshalStrict into TransformerConfig, with kustomize's errors."""
    prefix = "error unmarshaling JSON: while decoding JSON: "
    try:
        raw = load_v2(text, path, strict=True)
        return kt.decode_value(raw, CONFIG_TYPE, coerce=True) or {}
    except YamlError as e:
        raise KustomizationError("error converting YAML to JSON: %s" % e.message,
                                 file=path) from None
    except kt.DecodeError as e:
        raise KustomizationError(prefix + e.message, file=path,
                                 field=e.field or None) from None


def load_crds(loader, paths: list, kustomization_file: str) -> TransformerConfig | None:
    """``crds:``: OpenAPI definition files (name -> {Schema, Dependencies}) whose
    ``x-kubernetes-*`` extensions declare name references, annotations, label selectors and
    identities of custom kinds (kustomize's LoadConfigFromCRDs)."""
    if not paths:
        return None
    cfg = TransformerConfig()
    for p in paths:
        try:
            doc = _decode_crds(loader.read_text(str(p)), str(p))
        except KustomizeError as e:
            raise e.with_context(file=kustomization_file, field="crds")
        for name, api in doc.items():
            props = _props(api)
            if not all(k in props for k in ("kind", "apiVersion", "metadata")):
                continue
            _crd_walk(cfg, Gvk(kind=str(name).split(".")[-1]), doc, str(name), [], 0)
    return cfg


def _decode_crds(text: str, path: str) -> dict:
    """A crds file as kustomize reads it: JSON (or YAML) holding a map of name ->
    OpenAPIDefinition {Schema, Dependencies}; anything else is its error."""
    where = "unable to parse open API definition from '%s': " % path
    prefix = "" if text[:1] == "{" else "error unmarshaling JSON: while decoding JSON: "
    try:
        doc = load_v2(text, path)
    except YamlError as e:
        raise KustomizationError(where + e.message, file=path) from None
    if doc is None:
        return {}
    try:
        kt.decode_value(doc, kt.map_type(_CRD_DEF, "accumulator.nameToApiMap"), strict=False,
                        coerce=bool(prefix))
    except kt.DecodeError as e:
        raise KustomizationError(where + prefix + e.message, file=path) from None
    for name, api in doc.items():
        sch = _props_holder(api)
        if sch is not None and not isinstance(sch, dict):
            raise KustomizationError(where + "json: cannot unmarshal %s into Go value of type "
                                     "spec.Schema" % kt.json_kind(sch), file=path)
    return doc


def _props_holder(api):
    if not isinstance(api, dict):
        return None
    return next((v for k, v in api.items() if k.lower() == "schema"), None)


def _props(api) -> dict:
    if not isinstance(api, dict):
        return {}
    schema = api.get("Schema") or api.get("schema") or {}
    props = schema.get("properties") if isinstance(schema, dict) else None
    return props if isinstance(props, dict) else {}


def _crd_walk(cfg, gvk, doc, type_name, path, depth):
    if depth > 50 or type_name not in doc:
        return
    for prop_name, prop in _props(doc[type_name]).items():
        if not isinstance(prop, dict):
            continue
        here = path + [prop_name]
        if isinstance(prop.get("x-kubernetes-annotation"), str):
            cfg.specs["commonAnnotations"] = merge_specs_strict(
                cfg.specs.get("commonAnnotations", []), [fsm.FieldSpec(gvk, "/".join(here))])
        if isinstance(prop.get("x-kubernetes-label-selector"), str):
            cfg.specs["commonLabels"] = merge_specs_strict(
                cfg.specs.get("commonLabels", []), [fsm.FieldSpec(gvk, "/".join(here))])
        if isinstance(prop.get("x-kubernetes-identity"), str):
            cfg.specs["namePrefix"] = merge_specs_strict(
                cfg.specs.get("namePrefix", []), [fsm.FieldSpec(gvk, "/".join(here))])
        version = prop.get("x-kubernetes-object-ref-api-version")
        kind = prop.get("x-kubernetes-object-ref-kind")
        if isinstance(version, str) and isinstance(kind, str):
            key = prop.get("x-kubernetes-object-ref-name-key")
            key = key if isinstance(key, str) else "name"
            cfg.merge_name_reference(Gvk(version=version, kind=kind),
                                     [fsm.FieldSpec(gvk, "/".join(here + [key]))])
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref:
            _crd_walk(cfg, gvk, doc, ref, here, depth + 1)
