"""JSON 6902 patches exactly as kustomize applies them (gopkg.in/evanphx/json-patch.v4),
which is more lenient than RFC 6902: ``replace`` of a missing object key adds it, ``copy``
from a missing key copies a null, ``test`` of a missing key against null (or no value)
passes, negative list indexes count from the end, ``+1`` and ``01`` are indexes, and a
path without a leading slash loses its first segment. Errors carry the library's messages.

Written here rather than on the ``jsonpatch`` package: its pointer resolution, strict
existence checks and equality are shared by every operation class, so matching the Go
library would mean replacing all of them. ``test`` compares scalars by their JSON text,
as the Go library does (``1`` and ``1.0`` differ when the patch is JSON).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

import yaml

from . import yamlscalar, yamlv3
from .reader import fast_copy

MISSING_VALUE = "missing value"
INVALID_INDEX = "invalid index referenced"


class JsonPatchError(Exception):
    """An operation failed; the message is the Go library's."""


class Num(float):
    """A number of a JSON patch text, with the text it was written as."""
    raw: str = ""

    def value(self):
        """As Go decodes it: a float64 (printed as an integer when integral)."""
        return yamlscalar.json_number(float(self.raw))


def _num(raw: str) -> Num:
    n = Num(raw)
    n.raw = raw
    return n


# -- decoding --------------------------------------------------------------------------------
_V2_TRUE = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"}
_V2_FALSE = {"n", "N", "no", "No", "NO", "off", "Off", "OFF"}


class _V2Loader(yamlv3.V3Loader):
    """YAML read the way sigs.k8s.io/yaml's YAMLToJSON reads it (go-yaml v2: y/yes/on are
    booleans, timestamps stay text)."""

    def resolve(self, kind, value, implicit):
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.nodes.ScalarNode and implicit[0]:
            if value in _V2_TRUE or value in _V2_FALSE:
                return yamlscalar.BOOL
            if tag == yamlscalar.TIMESTAMP:
                return yamlscalar.STR
        return tag


_V2Loader.add_constructor(yamlscalar.BOOL, lambda loader, node: node.value not in _V2_FALSE
                          and node.value.lower() not in ("false",))


_DECODED: dict = {}      # patch text -> its operations (copied out: a patch's values end
_DECODED_MAX = 2048      # up in the documents it is applied to)


def decode(text: str, source: str) -> list:
    """The operations of a patch text (JSON when it starts with ``[``, else YAML); raises
    ValueError when it is not a list of objects. Decoded once per text and process."""
    ops = _DECODED.get(text)
    if ops is None:
        try:
            ops = _decode(text)
        except ValueError as e:
            ops = str(e)            # a strategic-merge patch is tried as JSON first: keep
        if len(_DECODED) >= _DECODED_MAX:  # the refusal too (its text: an exception would
            _DECODED.clear()               # hold its frames)
        _DECODED[text] = ops
    if isinstance(ops, str):
        raise ValueError(ops)
    return fast_copy(ops)


def _decode(text: str) -> list:
    if text.startswith("["):
        ops = json.loads(text, parse_float=_num, parse_int=_num,
                         parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    else:
        try:
            ops = yaml.load(text, Loader=_V2Loader)
        except yaml.YAMLError as e:
            raise ValueError(str(e)) from None
    if not isinstance(ops, list) or not all(isinstance(o, dict) for o in ops):
        raise ValueError("json: cannot unmarshal into Go value of type jsonpatch.Patch")
    return ops


# -- values ----------------------------------------------------------------------------------
def _plain(v):
    """A patch value as the document holds it (numbers decoded as Go decodes them)."""
    if isinstance(v, Num):
        return v.value()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _raw(v) -> str:
    """The JSON text of a scalar as the Go library compares it."""
    if isinstance(v, Num):
        return v.raw
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _go_json_float(v)
    return json.dumps(v, ensure_ascii=False).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def _go_json_float(f: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent form below 1e-6 and from
    1e21 on (``1e-7``, ``1e+21``)."""
    if f == int(f) and abs(f) < 1e21:
        return str(int(f))
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        m = re.match(r"^(-?[\d.]+)e([-+])0*(\d+)$", repr(f))
        return "%se%s%s" % (m.group(1), m.group(2), m.group(3)) if m else repr(f)
    return format(Decimal(repr(f)), "f")


def _equal(a, b) -> bool:
    """evanphx's lazyNode.equal for two present values."""
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b:
                return False
            ov = b[k]
            if (v is None) != (ov is None):
                return False
            if v is not None and not _equal(v, ov):
                return False
        return True
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is None or y is None:
                raise JsonPatchError("runtime error: invalid memory address or nil pointer "
                                     "dereference")
            if not _equal(x, y):
                return False
        return True
    if isinstance(b, (dict, list)):
        return False
    return _raw(a) == _raw(b)


# -- paths -----------------------------------------------------------------------------------
_ESCAPE = re.compile(r"~[01]")


def _decode_key(k: str) -> str:
    return _ESCAPE.sub(lambda m: "/" if m.group(0) == "~1" else "~", k)


_ATOI = re.compile(r"^[-+]?[0-9]+$")


def _atoi(key: str) -> int:
    if not _ATOI.match(key):
        raise JsonPatchError('strconv.Atoi: parsing %s: invalid syntax' % json.dumps(key))
    v = int(key)
    if not -(1 << 63) <= v < (1 << 63):
        raise JsonPatchError('strconv.Atoi: parsing %s: value out of range' % json.dumps(key))
    return v


def _find(doc, path: str):
    """(container, key) for a path, or (None, "") as findObject returns."""
    split = path.split("/")
    if len(split) < 2:
        return None, ""
    node = doc
    for part in split[1:-1]:
        try:
            nxt = _get(node, _decode_key(part))
        except JsonPatchError:
            return None, ""
        if not isinstance(nxt, (dict, list)):
            return None, ""
        node = nxt
    return node, _decode_key(split[-1])


def _index(lst: list, key: str, size: int) -> int:
    idx = _atoi(key)
    if idx < 0:
        if idx < -size:
            raise JsonPatchError("Unable to access invalid index: %d: %s" % (idx, INVALID_INDEX))
        idx += size
    return idx


def _get(con, key: str):
    if isinstance(con, dict):
        return con.get(key)
    idx = _index(con, key, len(con))
    if idx >= len(con):
        raise JsonPatchError("Unable to access invalid index: %d: %s" % (idx, INVALID_INDEX))
    return con[idx]


def _add(con, key: str, val) -> None:
    if isinstance(con, dict):
        con[key] = val
        return
    if key == "-":
        con.append(val)
        return
    try:
        idx = _atoi(key)
    except JsonPatchError as e:
        raise JsonPatchError("value was not a proper array index: '%s': %s" % (key, e)) from None
    if idx >= len(con) + 1:
        raise JsonPatchError("Unable to access invalid index: %d: %s" % (idx, INVALID_INDEX))
    if idx < 0:
        if idx < -(len(con) + 1):
            raise JsonPatchError("Unable to access invalid index: %d: %s" % (idx, INVALID_INDEX))
        idx += len(con) + 1
    con.insert(idx, val)


def _remove(con, key: str) -> None:
    if isinstance(con, dict):
        if key not in con:
            raise JsonPatchError("Unable to remove nonexistent key: %s: %s" % (key, MISSING_VALUE))
        del con[key]
        return
    idx = _atoi(key)
    if idx >= len(con):
        raise JsonPatchError("Unable to access invalid index: %d: %s" % (idx, INVALID_INDEX))
    idx = _index(con, key, len(con))
    del con[idx]


def _set(con, key: str, val) -> None:
    if isinstance(con, dict):
        con[key] = val
    else:
        con[_index(con, key, len(con))] = val


# -- operations ------------------------------------------------------------------------------
def _field(op: dict, name: str, missing: str) -> str:
    v = op.get(name)
    if v is None:
        raise JsonPatchError(missing)
    if not isinstance(v, str):
        kind = "number" if isinstance(v, (int, float)) and not isinstance(v, bool) else \
            "bool" if isinstance(v, bool) else "object" if isinstance(v, dict) else "array"
        raise JsonPatchError("json: cannot unmarshal %s into Go value of type string" % kind)
    return v


_NO_PATH = "operation missing path field: " + MISSING_VALUE
_NO_FROM = "operation, missing from field: " + MISSING_VALUE


def _path(op, what: str, wrap_err: bool) -> str:
    try:
        return _field(op, "path", _NO_PATH)
    except JsonPatchError as e:
        raise JsonPatchError("%s operation failed to decode path: %s"
                             % (what, e if wrap_err else MISSING_VALUE)) from None


def _from(op, what: str) -> str:
    try:
        return _field(op, "from", _NO_FROM)
    except JsonPatchError as e:
        raise JsonPatchError("%s operation failed to decode from: %s" % (what, e)) from None


def _value(op):
    return _plain(op["value"]) if "value" in op else None


def _op_add(doc, op):
    path = _path(op, "add", False)
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError('add operation does not apply: doc is missing path: "%s": %s'
                             % (path, MISSING_VALUE))
    try:
        _add(con, key, _value(op))
    except JsonPatchError as e:
        raise JsonPatchError("error in add for path: '%s': %s" % (path, e)) from None
    return doc


def _op_remove(doc, op):
    path = _path(op, "remove", False)
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError('remove operation does not apply: doc is missing path: "%s": %s'
                             % (path, MISSING_VALUE))
    try:
        _remove(con, key)
    except JsonPatchError as e:
        raise JsonPatchError("error in remove for path: '%s': %s" % (path, e)) from None
    return doc


def _op_replace(doc, op):
    path = _path(op, "replace", True)
    if path == "":
        val = _value(op)
        if not isinstance(val, (dict, list)):
            raise JsonPatchError("replace operation value must be object or array: %!w(<nil>)")
        return val
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError("replace operation does not apply: doc is missing path: %s: %s"
                             % (path, MISSING_VALUE))
    try:
        _get(con, key)
    except JsonPatchError:
        raise JsonPatchError("replace operation does not apply: doc is missing key: %s: %s"
                             % (path, MISSING_VALUE)) from None
    _set(con, key, _value(op))
    return doc


def _op_move(doc, op):
    frm = _from(op, "move")
    con, key = _find(doc, frm)
    if con is None:
        raise JsonPatchError("move operation does not apply: doc is missing from path: %s: %s"
                             % (frm, MISSING_VALUE))
    try:
        val = _get(con, key)
        _remove(con, key)
    except JsonPatchError as e:
        raise JsonPatchError("error in move for path: '%s': %s" % (key, e)) from None
    path = _path(op, "move", True)
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError("move operation does not apply: doc is missing destination path: "
                             "%s: %s" % (path, MISSING_VALUE))
    try:
        _add(con, key, val)
    except JsonPatchError as e:
        raise JsonPatchError("error in move for path: '%s': %s" % (path, e)) from None
    return doc


def _op_copy(doc, op):
    frm = _from(op, "copy")
    con, key = _find(doc, frm)
    if con is None:
        raise JsonPatchError("copy operation does not apply: doc is missing from path: %s: %s"
                             % (frm, MISSING_VALUE))
    try:
        val = _get(con, key)
    except JsonPatchError as e:
        raise JsonPatchError("error in copy for from: '%s': %s" % (frm, e)) from None
    path = _path(op, "copy", False)
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError("copy operation does not apply: doc is missing destination path: "
                             "%s: %s" % (path, MISSING_VALUE))
    try:
        _add(con, key, fast_copy(val))
    except JsonPatchError as e:
        raise JsonPatchError("error while adding value during copy: %s" % e) from None
    return doc


def _op_test(doc, op):
    path = _path(op, "test", True)
    want = op.get("value", _ABSENT)
    if path == "":
        if want is not _ABSENT and want is not None and _equal(doc, want):
            return doc
        raise JsonPatchError("testing value %s failed: test failed" % path)
    con, key = _find(doc, path)
    if con is None:
        raise JsonPatchError("test operation does not apply: is missing path: %s: %s"
                             % (path, MISSING_VALUE))
    try:
        val = _get(con, key)
    except JsonPatchError as e:
        raise JsonPatchError("error in test for path: '%s': %s" % (path, e)) from None
    if val is None:
        if want is _ABSENT or want is None:
            return doc
    elif want is not _ABSENT and want is not None and _equal(val, want):
        return doc
    raise JsonPatchError("testing value %s failed: test failed" % path)


_ABSENT = object()
_OPS = {"add": _op_add, "remove": _op_remove, "replace": _op_replace, "move": _op_move,
        "copy": _op_copy, "test": _op_test}


def apply(doc: dict, ops: list):
    """``doc`` after the operations (``doc`` itself is left untouched)."""
    out = fast_copy(doc)
    for op in ops:
        kind = op.get("op")
        fn = _OPS.get(kind) if isinstance(kind, str) else None
        if fn is None:
            raise JsonPatchError("Unexpected kind: %s" % (kind if isinstance(kind, str)
                                                          else "unknown"))
        out = fn(out, op)
    return out

