"""Field specs: (group, version, kind) selector + a slash path into the object.

The default specs are data (``data/fieldspecs/*.yaml``, from kustomize's builtin
configuration); this module loads them and walks a path through plain Python data the
way kustomize's fieldspec filter walks a node tree (the walk is ``paths.walk_spec``).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any, Callable

import yaml

from ..errors import TransformerError
from .paths import MAP, SCALAR, SEQ, split_escaped, walk_spec
from .resid import Gvk
from .yamlscalar import scalar_to_string as _str

__all__ = ["FieldSpec", "apply", "walk", "split_path", "default_specs",
           "default_name_references", "specs_from_list", "merge_specs", "MAP", "SEQ", "SCALAR"]
DATA_DIR = os.path.join(os.path.dirname(__file__), "data", "fieldspecs")
split_path = split_escaped
_ANY = Gvk()


@dataclass(frozen=True)
class FieldSpec:
    gvk: Gvk
    path: str
    create: bool = False

    @classmethod
    def from_dict(cls, d: dict, *, where: str = "") -> "FieldSpec":
        if not isinstance(d, dict):
            raise TransformerError("field spec must be a mapping, got %r" % (d,), file=where)
        return cls(Gvk(str(d.get("group") or ""), str(d.get("version") or ""),
                       str(d.get("kind") or "")),
                   str(d.get("path") or ""), bool(d.get("create", False)))

    def __post_init__(self):
        # derived once (a spec is walked per resource): the path's parts, and whether the
        # spec applies to every gvk
        object.__setattr__(self, "parts", _split_cached(self.path))
        object.__setattr__(self, "any_gvk", self.gvk == _ANY)

    def applies_to(self, gvk: Gvk) -> bool:
        return gvk.matches(self.gvk)


@functools.lru_cache(maxsize=4096)
def _split_cached(path: str) -> tuple:
    return tuple(split_path(path))


def specs_from_list(items, *, where: str = "") -> list:
    return [FieldSpec.from_dict(d, where=where) for d in (items or [])]


def merge_specs(a: list, b: list) -> list:
    """Union of two spec lists, keeping first occurrences (kustomize's fsSlice.MergeAll)."""
    seen = set()
    out = []
    for fs in list(a) + list(b):
        key = (fs.gvk, fs.path)
        if key in seen:
            continue
        seen.add(key)
        out.append(fs)
    return out


@functools.lru_cache(maxsize=None)
def _load_data(name: str) -> Any:
    with open(os.path.join(DATA_DIR, name + ".yaml"), encoding="utf-8") as f:
        # libyaml: the pure-Python loader took ~0.15 s of a first render for these tables
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def default_specs(section: str) -> list:
    """The default field specs of one transformer, e.g. ``namePrefix`` or ``commonLabels``."""
    files = {
        "namePrefix": ("nameprefix", "namePrefix"),
        "nameSuffix": ("namesuffix", "nameSuffix"),
        "namespace": ("namespace", "namespace"),
        "commonLabels": ("commonlabels", "commonLabels"),
        "commonAnnotations": ("commonannotations", "commonAnnotations"),
        "images": ("images", "images"),
        "replicas": ("replicas", "replicas"),
        "varReference": ("varreference", "varReference"),
    }
    if section == "commonLabels":
        # kustomize appends the metadata label specs and the volumeClaimTemplates specs
        return (specs_from_list((_load_data("commonlabels") or {}).get("commonLabels"))
                + specs_from_list(_load_data("metadatalabels"))
                + default_specs("volumeClaimTemplateLabels"))
    if section in files:
        fname, key = files[section]
        return specs_from_list((_load_data(fname) or {}).get(key))
    if section == "metadataLabels":
        return specs_from_list(_load_data("metadatalabels"))
    if section == "templateLabels":
        # kustomize: templateLabels = its own (empty) section + the metadata label specs
        own = (_load_data("templatelabels") or {}).get("templateLabels") or []
        return specs_from_list(own) + specs_from_list(_load_data("metadatalabels"))
    if section == "volumeClaimTemplateLabels":
        return specs_from_list((_load_data("volumeclaimmetadatalabels") or {})
                               .get("volumeClaimTemplateLabels"))
    raise KeyError(section)


@functools.lru_cache(maxsize=None)
def default_name_references() -> tuple:
    """[(referenced Gvk, [FieldSpec of referrers])] in kustomize's order."""
    out = []
    for entry in (_load_data("namereference") or {}).get("nameReference") or []:
        gvk = Gvk(str(entry.get("group") or ""), str(entry.get("version") or ""),
                  str(entry.get("kind") or ""))
        out.append((gvk, tuple(specs_from_list(entry.get("fieldSpecs")))))
    return tuple(out)


# ------------------------------------------------------------------------------------
# Walking
# ------------------------------------------------------------------------------------
SetFn = Callable[[Any, Any], None]


def apply(obj: dict, fs: FieldSpec, fn: Callable[[Any, Any], None], *,
          create_kind: str | None = None, rid: Any = "", gvk: Gvk | None = None) -> None:
    """Call ``fn(container, key)`` for every node at ``fs.path`` in ``obj``.

    ``container[key]`` is the node (it may not exist yet when the spec creates it:
    ``fn`` is then called with the key absent only when ``create_kind`` is SCALAR).
    Missing intermediate fields are skipped unless ``fs.create``; lists on the way are
    walked element by element; null values stop the walk.
    """
    if not fs.any_gvk and not (
            gvk or Gvk.from_api_version(_str(obj.get("apiVersion")), _str(obj.get("kind")))
    ).matches(fs.gvk):
        return
    try:
        walk_spec(obj, fs.parts, fn, fs.create, create_kind)
    except TransformerError as e:
        rid = getattr(rid, "id", rid)      # a Resource: name it only when reporting
        raise TransformerError("considering field '%s' of object %s: %s"
                               % (fs.path, rid, e.message)) from None


def walk(obj, parts, fn) -> None:
    """Call ``fn(container, key)`` for every existing node at ``parts`` (no creation)."""
    walk_spec(obj, parts, fn)
