"""Strategic merge patching as kustomize does it (kyaml's merge walker, patch elements
prepended): maps merge key by key, ``null`` deletes, lists whose schema has the ``merge``
strategy merge by their merge keys (other lists are replaced), ``$patch: delete|replace|
merge`` directives on maps and lists.

kustomize's walker knows no ``$retainKeys``, ``$setElementOrder/…`` or
``$deleteFromPrimitiveList/…``: like kustomize, this module leaves such keys in the result
as ordinary fields.
"""
from __future__ import annotations

from ..errors import PatchError
from .reader import fast_copy
from .schema import Schema, SchemaNode
from .paths import text as node_text
from .yamlread import ANNOTATION_TEXT, API_VERSION_TEXT, FLOW_NULL, NAME_TEXT, QUOTED
from .records import ids_of, paths_of, text_ids

MISSING = object()     # a field that is not there (YAML nil node)
CLEAR = object()       # the walker's "remove this field"
KEEP_NULL = object()   # a null that stays (kyaml's persistent null)

DIRECTIVE = "$patch"


def strategic_merge(target: dict, patch: dict, schema: Schema | None = None,
                    empty_nulls: set | None = None, patch_texts: tuple = (), *,
                    in_place: bool = False) -> dict | None:
    """Merge ``patch`` into ``target`` (both left untouched, unless ``in_place``: then the
    result is built in ``target``, which the caller replaces by it and drops if the merge
    fails); None when the patch deletes it.
    ``empty_nulls``: the target's read records (see yamlread): paths of nulls written as an
    empty value, which the merge drops (kyaml keeps only a null written out), and of quoted
    scalars, whose quoting kyaml copies onto a plain value replacing them (the value is then
    a string: the text ``patch_texts`` records for it); updated in place for the result."""
    sch = schema or Schema.default()
    dest = target if in_place else fast_copy(target)
    origin = fast_copy(patch)
    root = sch.for_object(dest) or sch.for_object(origin)
    quoted = [p[1:] for p in empty_nulls if p[0] == QUOTED] if empty_nulls else []
    flow = ids_of(dest, [p[1:] for p in empty_nulls if p[0] == FLOW_NULL]) \
        if empty_nulls else set()
    walker = _Walker(sch, ids_of(dest, empty_nulls) if empty_nulls else set(),
                     ids_of(dest, quoted, str), text_ids(origin, patch_texts))
    res = walker.walk(dest, origin, root, [])
    if empty_nulls:
        kept = {p for p in empty_nulls if p[0] in (ANNOTATION_TEXT, API_VERSION_TEXT, NAME_TEXT)}
        empty_nulls.clear()
        empty_nulls.update(kept)
        if walker.nulls and isinstance(res, dict):
            empty_nulls.update(paths_of(res, walker.nulls))
        if walker.quoted and isinstance(res, dict):
            empty_nulls.update((QUOTED,) + q for q in paths_of(res, walker.quoted, str))
        if flow and isinstance(res, dict):      # the empty values of {...} still there
            empty_nulls.update((FLOW_NULL,) + q for q in paths_of(res, flow))
    if res is CLEAR or res is MISSING or res is None:
        return None
    if res is KEEP_NULL:
        return None
    return res


def _absent(v) -> bool:
    return v is MISSING or v is None or v is CLEAR or v is KEEP_NULL


def _kind(v) -> str:
    if isinstance(v, dict):
        return "MappingNode"
    if isinstance(v, list):
        return "SequenceNode"
    return "ScalarNode"


def _text(v) -> str:
    """The scalar text a YAML node would carry (maps, lists and absent fields have none)."""
    return "" if v is MISSING else node_text(v)


def _directive_value(v):
    return v if isinstance(v, str) else _text(v)


class _Walker:
    def __init__(self, schema: Schema, nulls: set, quoted: set = frozenset(),
                 texts: dict | None = None):
        self.schema = schema
        self.nulls = nulls      # (id(map), key) of the target's empty nulls not yet walked
        self.quoted = quoted    # (id(map), key) of the target's quoted scalars
        self.texts = texts or {}  # (id(patch map), key) -> text of a plain patch scalar

    # -- dispatch ----------------------------------------------------------------------
    def walk(self, dest, origin, s: SchemaNode | None, path: list):
        if s is None:
            for src in (dest, origin):
                if isinstance(src, dict) and src.get("apiVersion") and src.get("kind"):
                    s = self.schema.for_type(src.get("apiVersion"), src.get("kind"))
                    if s is not None:
                        break
        kind = None
        for src in (dest, origin):
            if not _absent(src):
                kind = _kind(src)
                break
        if kind is not None:
            for src in (dest, origin):
                if not _absent(src) and _kind(src) != kind:
                    raise PatchError("wrong node kind: expected %s but got %s: node contents:\n%s"
                                     % (kind, _kind(src), _text(src) or src))
        if kind == "SequenceNode":
            if s is not None and s.has_merge_strategy():
                return self.walk_associative(dest, origin, s, path)
            return origin if origin is not MISSING else dest
        if kind == "ScalarNode":
            return origin if origin is not MISSING else dest
        return self.walk_map(dest, origin, s, path)

    # -- maps --------------------------------------------------------------------------
    def visit_map(self, dest, origin):
        if dest is MISSING or dest is None:
            if isinstance(origin, dict) and self._map_directive(origin, soft=True) == "delete":
                return CLEAR
            if origin is MISSING and dest is None:
                return KEEP_NULL
            return origin
        if origin is None:
            return CLEAR
        d = self._map_directive(origin) if isinstance(origin, dict) else "merge"
        if d == "delete":
            return CLEAR
        if d == "replace":
            return origin
        return dest

    def _map_directive(self, origin: dict, soft: bool = False) -> str:
        if DIRECTIVE not in origin:
            return "merge"
        v = _directive_value(origin[DIRECTIVE])
        if v in ("delete", "replace", "merge"):
            del origin[DIRECTIVE]
            return v
        if soft:
            return "unknown"
        raise PatchError("unknown patch strategy '%s'" % v)

    def walk_map(self, dest, origin, s, path):
        res = self.visit_map(dest, origin)
        if not isinstance(res, dict):
            return res
        fields = set(res)
        if isinstance(origin, dict):
            fields |= set(origin)
        for key in sorted(fields):
            child = s.field(key) if s is not None else None
            d = res.get(key, MISSING)
            o = origin.get(key, MISSING) if isinstance(origin, dict) else MISSING
            if d is None and self.nulls and (id(res), key) in self.nulls:
                self.nulls.discard((id(res), key))
                val = CLEAR if o is MISSING else self.walk(d, o, child, path + [key])
            else:
                val = self.walk(d, o, child, path + [key])
                if self.quoted and isinstance(d, str) and val is o and _plain_scalar(o) \
                        and (id(res), key) in self.quoted:
                    # kyaml's FieldSetter gives the new node the old one's quoting
                    val = self.texts.get((id(origin), key)) or _text(o)
            if val is MISSING or val is CLEAR or val is None:
                res.pop(key, None)
            elif val is KEEP_NULL:
                res[key] = None
            else:
                res[key] = val
        return res

    # -- associative lists -------------------------------------------------------------
    def visit_list(self, dest, origin):
        if dest is MISSING or dest is None:
            return origin
        if origin is None:
            return CLEAR
        if not isinstance(origin, list):
            return dest
        for i, el in enumerate(origin):
            if isinstance(el, dict) and DIRECTIVE in el:
                if len(el) > 1:
                    return dest
                v = _directive_value(el[DIRECTIVE])
                if v not in ("delete", "replace", "merge"):
                    raise PatchError("unknown patch strategy '%s'" % v)
                _set_element(origin, None, [DIRECTIVE], [v])
                if v == "delete":
                    return CLEAR
                if v == "replace":
                    return origin
                return dest
        return dest

    def walk_associative(self, dest, origin, s: SchemaNode, path):
        res = self.visit_list(dest, origin)
        if not isinstance(res, list):
            return res
        keys = list(s.keys)
        sources = [res, origin]
        if keys:
            values = self._element_values(sources, keys)
            return self._set_elements(values, keys, res, origin, s)
        return self._set_elements(self._primitive_values(sources), [""], res, origin, s)

    @staticmethod
    def _element_values(sources, keys):
        out, seen = [], []
        for src in (sources[1], sources[0]):   # patch elements first (prepend)
            if not isinstance(src, list):
                continue
            for el in src:
                vals = [(_text(el.get(k)) if isinstance(el, dict) and not _empty(el.get(k))
                         else "") for k in keys]
                if not vals or vals in seen:
                    continue
                out.append(vals)
                seen.append(vals)
        return out

    @staticmethod
    def _primitive_values(sources):
        out, seen = [], set()
        for src in (sources[1], sources[0]):
            if not isinstance(src, list):
                continue
            for el in src:
                t = _text(el)
                if t in seen:
                    continue
                out.append([t])
                seen.add(t)
        return out

    def _set_elements(self, values_list, keys, dest, origin, s: SchemaNode):
        items: list = []
        elem_schema = s.elements() if s is not None else None
        if len(keys) > 1:
            values_list = _merge_values(values_list)
        valid_keys, valid_values = keys, []
        for values in values_list:
            if not values:
                continue
            valid_keys, valid_values = _validate_keys(values_list, values, keys)
            k2, v2 = _validate_keys([valid_values], valid_values, valid_keys)
            d_el = _element_list(dest, k2, v2)
            o_el = _element_list(origin, k2, v2) if isinstance(origin, list) else MISSING
            val = self.walk(d_el, o_el, elem_schema, [])
            exit_ = False
            for i, key in enumerate(valid_keys):
                if _absent(val) or val == {}:
                    _set_element(dest, None, valid_keys, valid_values)
                    exit_ = True
                elif isinstance(val, dict) and key not in val and valid_values[i] != "":
                    val[key] = valid_values[i]
            if exit_:
                continue
            _set_element(items, val, valid_keys, valid_values)
        if values_list:
            dest = _append_list(items, dest, valid_keys)
        if dest is None:
            return CLEAR
        return dest


def _plain_scalar(v) -> bool:
    return isinstance(v, (bool, int, float))


def _empty(v) -> bool:
    return v is None or v is MISSING or v == {} or v == [] or v == ""


def _merge_values(values_list):
    for i in range(len(values_list)):
        for j in range(len(values_list)):
            ok, merged = _match(values_list[i], values_list[j])
            if ok:
                values_list[i] = merged
                values_list[j] = merged
    return values_list


def _match(a, b):
    if len(a) != len(b):
        return False, None
    common, res = False, []
    for x, y in zip(a, b):
        if x == y:
            common = True
            res.append(x)
            continue
        if x != "" and y != "":
            return False, None
        res.append(x if x != "" else y)
    return common, res


def _validate_keys(values_list, values, keys):
    valid = set()
    for vals in values_list:
        for i, v in enumerate(vals):
            if v != "":
                valid.add(keys[i])
    if not valid:
        return list(keys), list(values)
    vk = [k for k in keys if k in valid]
    vv = [v for i, v in enumerate(values) if v != "" or keys[i] in valid]
    return vk, vv


def _element_list(lst, keys, values):
    """kyaml's ElementList: the first element whose keys have exactly these values."""
    if not isinstance(lst, list):
        return MISSING
    if not keys or keys[0] == "":
        want = values[0] if values else ""
        for el in lst:
            if _text(el) == want:
                return el
        return MISSING
    for el in lst:
        if not isinstance(el, dict):
            continue
        if all(k in el and _text(el[k]) == v for k, v in zip(keys, values)):
            return el
    return MISSING


def _field_matches(el, key: str, value: str) -> bool:
    if el is None:
        return False
    if key == "":
        if isinstance(el, (dict, list)):
            raise PatchError("wrong node kind: expected ScalarNode but got %s" % _kind(el))
        return _text(el) == value
    if not isinstance(el, dict):
        raise PatchError("wrong node kind: expected MappingNode but got %s" % _kind(el))
    if key not in el:
        return False
    return value == "" or _text(el[key]) == value


def _set_element(lst: list, element, keys, values) -> None:
    """kyaml's ElementSetter: replace (or delete, element None) the element matching
    keys/values, append when none matches; empty elements are dropped on the way."""
    keys = list(keys) or [""]
    mapping_setter = keys[0] != ""
    out, found = [], False
    for el in lst:
        if el is None or el == {}:
            continue
        if mapping_setter and not isinstance(el, dict):
            out.append(el)
            continue
        matched = False         # kyaml: no value to compare (values shorter) is no match
        for j, k in enumerate(keys):
            if j < len(values):
                matched = _field_matches(el, k, values[j])
            if not matched:
                break
        if not matched:
            if values:
                out.append(el)
            continue
        found = True
        if _absent(element):
            continue
        out.append(element)
    lst[:] = out
    if _absent(element):
        return
    if not found:
        lst.append(element)


def _append_list(dst: list, src: list, keys) -> list:
    """Put the destination list's elements into the new list (kyaml's appendListNode)."""
    for el in list(src):
        if not keys or keys[0] == "":
            _set_element(dst, el, [""], [_text(el)])
            continue
        v = []
        for key in keys:
            if not isinstance(el, dict):
                raise PatchError("wrong node kind: expected MappingNode but got %s" % _kind(el))
            if el.get(key, MISSING) is MISSING or el.get(key) is None:
                dst.append(el)
                continue
            v.append(_text(el[key]))
        if len(keys) > 1:
            _set_element(dst, None, keys, v)
        _set_element(dst, el, keys, v)
    return dst
