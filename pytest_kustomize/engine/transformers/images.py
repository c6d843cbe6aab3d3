"""images (kustomize's ImageTagTransformer): newName, newTag, digest, tagSuffix."""
from __future__ import annotations

import re

from ...errors import TransformerError
from .. import fieldspec as fsm
from ..paths import NATIVE_WALK
from ..resource import ResourceList
from .base import record, spec_paths
from ..yamlscalar import scalar_to_string as _s


_TAIL = r"(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$"


def is_image_matched(value: str, name: str) -> bool:
    """kustomize's IsImageMatched: Go's regexp ``^<name>(:tag)?(@digest)?$``, searched.
    Go accepts a repeated anchor, so ``*`` (``^*``: the start anchor made optional) matches
    every image; Python spells that ``(?:^)*``."""
    head = "(?:^)*" + name[1:] if name.startswith("*") else "^" + name
    try:
        pat = re.compile(head + _TAIL)
    except re.error:
        return False
    return pat.search(value) is not None


def split(image: str) -> tuple:
    """(name, tag, digest) of an image reference, the way kustomize splits it."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    if slash <= 0:
        slash = 0
    i_at = search.find("@")
    i_col = search.find(":")
    if i_col < 0 and i_at < 0:
        return image, "", ""
    if i_at >= 0 and (i_at < i_col or i_col < 0):
        i_at += slash
        return image[:i_at], "", image[i_at + 1:]
    if i_at >= 0 and i_col >= 0:
        i_at += slash
        i_col += slash
        return image[:i_col], image[i_col + 1:i_at], image[i_at + 1:]
    i_col += slash
    return image[:i_col], image[i_col + 1:], ""


def new_image(value: str, spec: dict) -> str | None:
    """The replacement for ``value`` under one ``images`` entry, or None if it doesn't match."""
    if not is_image_matched(value, _s(spec.get("name"))):
        return None
    name, tag, digest = split(value)
    new_name, new_tag = _s(spec.get("newName")), _s(spec.get("newTag"))
    dig, tag_suffix = _s(spec.get("digest")), _s(spec.get("tagSuffix"))
    if new_name:
        name = new_name
    if new_tag and dig:
        tag, digest = new_tag, dig
    elif new_tag:
        tag, digest = new_tag, ""
    elif dig:
        tag, digest = "", dig
    elif tag_suffix:
        tag, digest = tag + tag_suffix, ""
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


def image_holders_py(node, out=None) -> list:
    """Every mapping with an ``image`` in a ``containers``/``initContainers`` list anywhere
    in ``node`` (kustomize's legacy image search; scalars are not descended into), in the
    order that search visits them."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                image_holders_py(v, out)
                if k in ("containers", "initContainers") and isinstance(v, list):
                    out.extend(c for c in v if isinstance(c, dict) and "image" in c)
    else:
        for x in node:
            if isinstance(x, (dict, list)):
                image_holders_py(x, out)
    return out


image_holders = NATIVE_WALK.image_holders if NATIVE_WALK is not None else image_holders_py


def apply(resources: ResourceList, spec: dict, specs: list, *, configured_in: str = "",
          plugin: str = "ImageTagTransformer") -> None:
    changed = set()

    def update(parent, key):
        if isinstance(parent, dict) and key not in parent:
            return
        v = parent[key]
        if v is None:
            return
        if isinstance(v, (dict, list)):
            raise TransformerError("wrong node kind: expected ScalarNode but got %s"
                                   % ("MappingNode" if isinstance(v, dict) else "SequenceNode"))
        nv = new_image(_s(v) if not isinstance(v, bool) else ("true" if v else "false"), spec)
        if nv is not None:
            parent[key] = nv
            changed.add(id(parent))

    for r in resources:
        if r.kind == "CustomResourceDefinition" or not r.data:
            continue
        before = len(changed)
        for c in image_holders(r.data):
            update(c, "image")
        for fs in specs:
            fsm.apply(r.data, fs, update, rid=r)
        if len(changed) != before:
            record(r, plugin, configured_in, paths=(("image",),) + spec_paths(specs))
