"""``replacements`` (kustomize's ReplacementTransformer): copy a field of one resource (or
a literal ``sourceValue``) into fields of the selected targets, with ``delimiter``/``index``
and ``create`` options, regex target selection, and JSON/YAML embedded in string fields."""
from __future__ import annotations

import json

from ...errors import KustomizeError, TransformerError
from .. import yamlio
from ..resource import Gvk, ResId, Resource, ResourceList
from ..paths import SELF as _SELF
from ..paths import locate as _locate
from ..paths import lookup as _lookup
from ..paths import smarter_split
from ..paths import CREATED as _CREATED
from ..paths import match_targets as _match
from ..paths import text as _text
from ..selector import Selector
from .base import record
from ..yamlscalar import scalar_to_string as _s

DEFAULT_FIELD_PATH = "metadata.name"


# -- loading ----------------------------------------------------------------------------------
def load(entries: list, loader) -> list:
    """The replacements of a ``replacements`` field: inline ones, and ``path:`` files holding
    one replacement or a list of them."""
    out = []
    for i, e in enumerate(entries or []):
        if not isinstance(e, dict):
            raise TransformerError("replacements[%d] must be a mapping" % i)
        path = e.get("path")
        if path:
            if e.get("source") is not None or e.get("targets"):
                raise TransformerError("cannot specify both path and inline replacement")
            text = loader.read_text(str(path))
            doc = yamlio.load_document(text, str(path))
            if isinstance(doc, list):
                out.extend(doc)
            elif isinstance(doc, dict):
                out.append(doc)
            else:
                raise TransformerError("unsupported replacement type encountered within "
                                       "replacement path: %s" % type(doc).__name__, file=path)
        else:
            out.append(e)
    return out


# -- selection --------------------------------------------------------------------------------
def _sel_id(d: dict) -> ResId:
    return ResId(Gvk(_s(d.get("group")), _s(d.get("version")), _s(d.get("kind"))),
                 _s(d.get("name")), _s(d.get("namespace")))


def _ids(r: Resource) -> list:
    return [r.id] + list(r.previous_ids)


def _selected_by(rid: ResId, sel: ResId) -> bool:
    return ((not sel.name or sel.name == rid.name)
            and (not sel.namespace or sel.effective_namespace == rid.effective_namespace)
            and rid.gvk.matches(sel.gvk))


def _selector(d) -> Selector:
    try:
        return Selector.from_dict(d)
    except KustomizeError as e:
        raise TransformerError("error creating target selector: %s" % e.message) from None


def _source_str(src: dict) -> str:
    parts = [str(_sel_id(src))]
    if src.get("fieldPath"):
        parts.append(str(src["fieldPath"]))
    opts = src.get("options") or {}
    if opts.get("delimiter") or opts.get("create"):
        parts.append("%s(%d), create=%s" % (_s(opts.get("delimiter")), int(opts.get("index")
                                                                           or 0),
                                            "true" if opts.get("create") else "false"))
    return ":".join(parts)


# -- paths ----------------------------------------------------------------------------------
def split(path: str) -> list:
    """kyaml's SmarterPathSplitter on '.'."""
    return smarter_split(path)


# -- setting ----------------------------------------------------------------------------------
def _coerce(text: str, like):
    """A scalar text given the type of the field it replaces: kyaml keeps the node's tag and
    copies only the text, so the text must decode as that tag (an int is also a float), or
    kustomize fails with go-yaml's message."""
    if like is _CREATED or like is None:
        return yamlio.v3_resolve(text)[1] if text else ""
    want = (yamlio.BOOL if isinstance(like, bool) else yamlio.INT if isinstance(like, int)
            else yamlio.FLOAT if isinstance(like, float) else None)
    if want is None:
        return text
    tag, value = yamlio.v3_resolve(text)
    if tag == want or (want == yamlio.FLOAT and tag == yamlio.INT):
        return value
    raise TransformerError("yaml: cannot decode !!%s `%s` as a !!%s"
                           % (tag.rsplit(":", 1)[-1], text, want.rsplit(":", 1)[-1]))


def _set(container, key, value, options: dict) -> None:
    import copy
    current = container[key]
    delim = _s(options.get("delimiter"))
    if delim:
        if isinstance(current, (dict, list)):
            raise TransformerError("delimiter option can only be used with scalar nodes")
        tv = ("" if current is _CREATED else _text(current)).split(delim)
        v = _text(value)
        idx = int(options.get("index") or 0)
        if idx < 0:
            tv = [v] + tv
        elif idx >= len(tv):
            tv = tv + [v]
        else:
            tv[idx] = v
        container[key] = _coerce(delim.join(tv), current)
        return
    if isinstance(current, (dict, list)) or (current is _CREATED and isinstance(value,
                                                                              (dict, list))):
        container[key] = copy.deepcopy(value)
    else:
        container[key] = _coerce(_text(value), current)


def _structured(target: dict, parts: list, get_value, options: dict) -> bool:
    """Set a field inside JSON or YAML held in a string field; False if there is none."""
    if len(parts) < 2:
        return False
    for i in range(1, len(parts)):
        holder = _lookup(target, parts[:i - 1]) if i > 1 else target
        if not isinstance(holder, dict) or not isinstance(holder.get(parts[i - 1]), str):
            continue
        raw = holder[parts[i - 1]]
        try:
            data = yamlio.load_document(raw)
        except KustomizeError:
            continue
        if not isinstance(data, (dict, list)):
            continue
        out: list = []
        try:
            _match(data, parts[i:], "scalar" if options.get("create") else None, out)
        except TransformerError:
            return False
        if not out:
            return False
        for c, k in out:
            _set(c, k, get_value(), options)
        first = raw.strip()[:1]
        if first in "{[":
            if "\n" in raw and "  " in raw:
                holder[parts[i - 1]] = json.dumps(data, indent=2, sort_keys=True)
            else:
                holder[parts[i - 1]] = json.dumps(data, sort_keys=True, separators=(",", ":"))
        else:
            holder[parts[i - 1]] = yamlio.dump_document(data).strip()
        return True
    return False


def _copy_to_target(r: Resource, get_value, target: dict) -> None:
    """Set every target field; the source is read again for each one, as kustomize holds the
    source node and an earlier target field may be that very node."""
    options = target.get("options") or {}
    create = None
    value = get_value()
    if options.get("create"):
        create = "map" if isinstance(value, dict) else "seq" if isinstance(value, list) \
            else "scalar"
    for fp in target.get("fieldPaths") or [DEFAULT_FIELD_PATH]:
        parts = split(str(fp))
        if _structured(r.data, parts, get_value, options):
            continue
        out: list = []
        try:
            _match(r.data, parts, create, out)
        except TransformerError as e:
            raise TransformerError("%s: %s" % (_field_error(fp, create), e.message)) from None
        if not out:
            raise TransformerError(_field_error(fp, create))
        for c, k in out:
            _set(c, k, get_value(), options)
    _strip_created(r.data)


def _strip_created(node) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if v is _CREATED:
                node[k] = ""
            else:
                _strip_created(v)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if v is _CREATED:
                node[i] = ""
            else:
                _strip_created(v)


def _field_error(fp, create) -> str:
    if create:
        return 'unable to find or create field "%s" in replacement target' % fp
    return 'unable to find field "%s" in replacement target' % fp


# -- the transformer ----------------------------------------------------------------------------
def _source_value(resources: ResourceList, rep: dict):
    """A function giving the source value: the source field is read at each use."""
    if rep.get("sourceValue") is not None and rep.get("source") is not None:
        raise TransformerError("value and resource selectors are mutually exclusive")
    if rep.get("sourceValue") is not None:
        text = str(rep["sourceValue"])
        return lambda: text
    src = rep["source"]
    if not isinstance(src, dict):
        raise TransformerError("a replacement source must be a mapping")
    sel = _sel_id(src)
    matches = []
    for r in resources:
        if any(_selected_by(i, sel) for i in _ids(r)):
            if matches:
                raise TransformerError("multiple matches for selector %s" % _source_str(src))
            matches.append(r)
    if not matches:
        raise TransformerError("nothing selected by %s" % _source_str(src))
    fp = _s(src.get("fieldPath")) or DEFAULT_FIELD_PATH
    loc = _locate(matches[0].data, split(fp))
    value = None if loc is None else loc[0] if loc[1] is _SELF else loc[0][loc[1]]
    if value is None or value == {} or value == []:
        raise TransformerError("fieldPath `%s` is missing for replacement source %s"
                               % (fp, sel))
    opts = src.get("options") or {}
    if opts.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise TransformerError("delimiter option can only be used with scalar nodes")
        pieces = _text(value).split(_s(opts["delimiter"]))
        idx = int(opts.get("index") or 0)
        if idx >= len(pieces) or idx < 0:
            raise TransformerError("options.index %d is out of bounds for value %s"
                                   % (idx, _text(value)))
        piece = pieces[idx]
        return lambda: piece
    holder, key = loc
    if key is _SELF:
        return lambda: holder
    return lambda: holder[key]


def apply(resources: ResourceList, replacements: list, *, configured_in: str = "") -> None:
    for rep in replacements:
        if not isinstance(rep, dict):
            raise TransformerError("each replacement must be a mapping", file=configured_in)
        if (rep.get("sourceValue") is None and rep.get("source") is None) or \
                rep.get("targets") is None:
            raise TransformerError("replacements must specify a source and at least one target",
                                   file=configured_in)
        get_value = _source_value(resources, rep)
        for target in rep.get("targets") or []:
            if not isinstance(target, dict) or target.get("select") is None:
                raise TransformerError("target must specify resources to select",
                                       file=configured_in)
            select = _selector(target.get("select"))
            rejects = [_selector(x) for x in (target.get("reject") or [])]
            for r in resources:
                if not select.matches_meta(r):
                    continue
                if any((x.label_selector or x.annotation_selector) and x.matches_meta(r)
                       for x in rejects):
                    continue
                ids = _ids(r)
                if any(x.has_id and any(x.matches_id(i) for i in ids) for x in rejects):
                    continue
                if any(select.matches_id(i) for i in ids):
                    _copy_to_target(r, get_value, target)
                    record(r, "ReplacementTransformer", configured_in,
                           paths=tuple(tuple(p for p in split(str(fp)) if not p.isdigit()
                                             and not p.startswith("[") and p != "*")
                                       for fp in target.get("fieldPaths") or
                                       [DEFAULT_FIELD_PATH]))
